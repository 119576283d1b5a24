"""Validation measurements of the opioid system: what naloxone removes (rTMS, TENS, DNIC), low-
against high-frequency TENS, tolerance to daily TENS, and intrathecal morphine (its selectivity for
the C-fibre input, wind-up under it, cross-tolerance after daily TENS).

Each ``measure(seed)`` averages the circuits ``seed`` .. ``seed + N_SEEDS - 1`` as the other
measurements of :mod:`painsim.validation.measurements` do; the targets that use them are in
:mod:`painsim.validation.targets`.  Naloxone is ``dorsal_horn.pharmacology.opioid_block = 1``: no
opioid reaches the mu receptors of the dorsal horn, the PAG/RVM relay or the cingulate.
"""
from __future__ import annotations

import functools
from dataclasses import replace
from typing import Callable

import numpy as np

from ..analysis import spikes_per_pulse
from ..fibers import heat
from ..params import load_model
from ..protocols import Protocol
from ..protocols import get as get_protocol
from ..simulation import Request, simulate_batch
from ..stimulation import rtms
from ..errors import ParameterError
from ..tolerance import (NALOXONE, excess_occupancy, tolerance_at, tolerance_course, tolerance_params,
                         tolerant_model)
from .calibration import TOLERANCE_SESSION, bisect_parameter, remote_tens_effects, tolerance_calendar
from .measurements import DNIC_CELSIUS, N_SEEDS, SHARED_CACHES, c_arrival, c_volleys, heterotopic_requests
from .measurements import _mean_pn  # shared on purpose: the batch-mean helper of every measurement

__all__ = ["naloxone_share_of_rtms", "naloxone_share_of_tens", "LOW_FREQUENCY_TENS", "conventional_tens",
           "low_frequency_tens", "tens_low_frequency_ratio", "TOLERANCE_DAY", "tens_tolerance_day5",
           "healthy_occupancy", "dnic_naloxone_share", "MORPHINE_BRACKET", "MORPHINE_STEPS", "MORPHINE_CIRCUITS",
           "morphine_overrides",
           "volley_components", "spinal_morphine_ed50", "morphine_a_fibre_share", "MORPHINE_WINDUP_RATE",
           "MORPHINE_WINDUP_PULSES", "windup_ratios", "morphine_windup_share", "CROSS_TOLERANCE_SESSIONS",
           "CROSS_TOLERANCE_TEST_DAY", "morphine_cross_tolerance"]



def naloxone_share_of_rtms(seed: int) -> float:
    """Fraction of the PN reduction by a 20 Hz M1 train (80 % RMT, peripheral_neuropathic,
    noxious 0.6) that naloxone removes.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        1 - (reduction under naloxone) / (reduction without), of the mean PN rate (Hz) in 1.5 s;
        one batch.  NaN when the train does not reduce the PN rate.
    """
    m = load_model("peripheral_neuropathic")
    nal = m.with_params(NALOXONE)
    sham = rtms(intensity=0.0, n_trains=1, train_duration="1.5 s")
    real = rtms(intensity=0.8, n_trains=1, train_duration="1.5 s")
    seeds = range(seed, seed + N_SEEDS)
    a, b, c, d = _mean_pn([Request(mm, st, 0.6, seed=s) for mm, st in ((m, sham), (m, real), (nal, sham), (nal, real))
                           for s in seeds], "1.5 s")
    effect, blocked = a - b, c - d
    return 1.0 - blocked / effect if effect > 0 else float("nan")


def naloxone_share_of_tens(seed: int) -> float:
    """Fraction of the PN reduction by conventional TENS (100 Hz, 1.5 x Aβ threshold) at a remote
    site (site 0) of the response to 47 °C heat at the painful site (healthy pathway, 4 circuits)
    that naloxone removes.  Remote, because the published reversal is of secondary hyperalgesia
    (TENS at the inflamed knee, heat at the paw: Sluka et al. 1999 [recalled]); at the stimulated site the
    segmental gate adds a naloxone-insensitive part (Maeda et al. 2007: bicuculline).

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        1 - (reduction under naloxone) / (reduction without), of the mean PN rate (Hz,
        :func:`~painsim.validation.calibration.remote_tens_effects`).  NaN when TENS does not reduce
        the response.
    """
    m = load_model("healthy")
    effect, blocked = remote_tens_effects([m, m.with_params(NALOXONE)], range(seed, seed + N_SEEDS),
                                          "tens_conventional")
    return 1.0 - blocked / effect if effect > 0 else float("nan")


#: Low-frequency TENS of the rat studies: 4 Hz at the same intensity as 100 Hz (Sluka et al. 1999;
#: Sato et al. 2012: "low-frequency (LF) and high-frequency (HF) TENS, delivered at the same intensity").
LOW_FREQUENCY_TENS = "4 Hz"


def conventional_tens():
    """The library's ``tens_conventional`` protocol (100 Hz), the high-frequency TENS of the rat studies."""
    return get_protocol("tens_conventional")


def low_frequency_tens():
    """``tens_conventional`` at :data:`LOW_FREQUENCY_TENS`: same calendar, amplitude, pulse width and
    electrodes, only the rate changed (a :class:`painsim.protocols.Protocol`)."""
    high = conventional_tens()
    return replace(high, name="tens_low_frequency", stimulus={**high.stimulus, "rate": LOW_FREQUENCY_TENS},
                   period=None, description=f"{high.description}; at {LOW_FREQUENCY_TENS}")


def tens_low_frequency_ratio(seed: int) -> float:
    """PN reduction by TENS at 4 Hz over that by TENS at 100 Hz, both with ``tens_conventional``'s
    amplitude and pulse width (1.5 x Aβ threshold, 100 µs), at a remote site (site 0), of the response
    to 47 °C heat at the painful site (healthy pathway, 4 circuits, 1.5 s: the measurement of
    :func:`naloxone_share_of_tens` for each frequency).  Only the rate differs, as in the rat studies.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        The ratio of the two reductions of the mean PN rate (Hz over Hz).  NaN when TENS at 100 Hz does
        not reduce the response.
    """
    m, seeds = load_model("healthy"), range(seed, seed + N_SEEDS)
    (high,), (low,) = (remote_tens_effects([m], seeds, p) for p in ("tens_conventional", low_frequency_tens()))
    return low / high if high > 0 else float("nan")


#: The daily session (0-based day) at which tolerance to TENS is read: the 5th (Sato et al. 2012;
#: Liebano et al. 2011), on the studies' calendar of 20-min daily sessions.
TOLERANCE_DAY = TOLERANCE_SESSION


def tens_tolerance_day5(seed: int) -> float:
    """Acute PN reduction by conventional TENS at a remote site (site 0) of the response to 47 °C
    heat at the painful site (healthy pathway, 4 circuits, 1.5 s: the measurement of
    :func:`naloxone_share_of_tens`) before the 5th daily 20-min session of ``tens_conventional``'s
    stimulation, over that before the 1st: the mu receptors at the efficacy their tolerance leaves
    (:func:`painsim.tolerance.tolerance_course`; each circuit's excess occupancy measured).

    Parameters
    ----------
    seed : int
        First patient (circuit): patients ``seed`` .. ``seed + N_SEEDS - 1``, their excess occupancy
        that of :func:`healthy_occupancy`.

    Returns
    -------
    float
        The effect before session :data:`TOLERANCE_DAY` over that before session 0 (each the mean
        over the patients).  NaN when the first effect is not positive.
    """
    protocol = conventional_tens().with_calendar(tolerance_calendar())
    ds = tolerance_course(load_model("healthy"), protocol, range(seed, seed + N_SEEDS), [0, TOLERANCE_DAY],
                          x=healthy_occupancy(conventional_tens, seed))
    effect = ds["effect"].mean("seed")
    first = float(effect.sel(day=0))
    return float(effect.sel(day=TOLERANCE_DAY)) / first if first > 0 else float("nan")


@functools.lru_cache(maxsize=4)
def healthy_occupancy(protocol: Callable[[], Protocol], seed: int) -> np.ndarray:
    """The excess occupancy of a session of ``protocol()`` (:func:`conventional_tens` or
    :func:`low_frequency_tens`) for the healthy pathway's patients ``seed`` .. ``seed + N_SEEDS - 1``
    (:func:`painsim.tolerance.excess_occupancy`; it reads one session window, not the calendar),
    measured once per validation run for the rows that need it.

    Parameters
    ----------
    protocol : callable
        Called with no argument, returns the session's :class:`painsim.protocols.Protocol`; hashable
        (the result is cached per ``(protocol, seed)``).
    seed : int
        First patient (circuit).

    Returns
    -------
    numpy.ndarray
        (N_SEEDS,) excess occupancy of each patient (dimensionless).
    """
    return excess_occupancy(load_model("healthy"), protocol(), range(seed, seed + N_SEEDS))


def dnic_naloxone_share(seed: int) -> float:
    """Fraction of the diffuse noxious inhibitory control of :func:`~painsim.validation.measurements.dnic_heat`
    (52 °C at the remote site on the painful site's response to 47 °C, healthy pathway, 1.5 s, 4 circuits)
    that naloxone removes: 1 - (inhibition under naloxone) / (inhibition without); one batch.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        The share (of inhibitions of the mean PN rate, Hz).  NaN when the conditioning heat does not
        inhibit the response without naloxone, or a response to the test heat alone is 0.
    """
    m = load_model("healthy")
    conditioning = lambda: heat(DNIC_CELSIUS)  # noqa: E731
    alone, conditioned, alone_nal, conditioned_nal = _mean_pn(
        heterotopic_requests(m, conditioning, seed) + heterotopic_requests(m.with_params(NALOXONE), conditioning, seed),
        "1.5 s")
    inhibition = 1.0 - conditioned / alone if alone > 0 else float("nan")
    under_naloxone = 1.0 - conditioned_nal / alone_nal if alone_nal > 0 else float("nan")
    return 1.0 - under_naloxone / inhibition if inhibition > 0 else float("nan")


# ------------------------------------------------------------------ spinal morphine
#: Intrathecal morphine (``dorsal_horn.pharmacology.morphine``, units of the mu receptors'
#: dissociation constant): the bracket of the ED50 bisection (chosen: resting occupancy 0.001 to
#: 0.999, every effect from none to saturation) and its steps (log10 halvings: 6 decades / 2**8,
#: ~5 % in concentration, finer than the spike-count steps of the measurement).
MORPHINE_BRACKET = (1e-3, 1e3)
MORPHINE_STEPS = 8
#: Circuits of the spinal morphine rows (chosen: the C-fibre component of one volley is ~0.16 PN
#: spikes per neuron and circuit in gate_control, ~2 spikes per circuit of 10 PN; 16 circuits give
#: ~26, so halving it is not a step of one or two spikes as with the 4 circuits of the other rows).
MORPHINE_CIRCUITS = 16


def morphine_overrides(concentration: float) -> dict:
    """The model overrides of intrathecal morphine at ``concentration`` (units of the mu receptors'
    dissociation constant; :func:`painsim.circuits.dorsal_horn.spinal_morphine`).

    Parameters
    ----------
    concentration : float
        Units of the mu receptors' dissociation constant (0: none).

    Returns
    -------
    dict
        ``{"dorsal_horn.pharmacology.morphine": concentration}``, for ``Model.with_params``.
    """
    return {"dorsal_horn.pharmacology.morphine": float(concentration)}


def volley_components(models, seed: int, n_circuits: int = MORPHINE_CIRCUITS) -> np.ndarray:
    """PN spikes per neuron of the A-fibre component (volley onset at 0 s to the earliest C arrival,
    :func:`~painsim.validation.measurements.c_arrival`) and of the C-fibre component (from then to
    1 s) of the response to one C-strength electrical volley (the stimulus of the NMDA-block rows),
    summed over circuits ``seed`` .. ``seed + n_circuits - 1``; one batch.

    Parameters
    ----------
    models : iterable of painsim.params.Model
        Models simulated together; the split (s) is the first model's earliest C arrival.
    seed : int
        First circuit.
    n_circuits : int
        Circuits per model (default :data:`MORPHINE_CIRCUITS`).

    Returns
    -------
    ndarray (n_models, 2)
        ``[A, C]`` per model.
    """
    models, seeds = list(models), range(seed, seed + n_circuits)
    res = simulate_batch([Request(m, c_volleys(1.0, 1), seed=s) for m in models for s in seeds], "1 s")
    split = c_arrival(models[0])
    per = np.array([(spikes_per_pulse(r, [0.0], split, "PN")[0], spikes_per_pulse(r, [split], 1.0 - split, "PN")[0])
                    for r in res])
    return per.reshape(len(models), n_circuits, 2).sum(axis=1)


@functools.lru_cache(maxsize=64)
def _gate_volley(seed: int, concentration: float) -> tuple[float, float]:
    """``[A, C]`` of :func:`volley_components` in gate_control at an intrathecal morphine
    ``concentration``, run once per (seed, concentration): the ED50 bisection and the rows read at
    the ED50 share the runs."""
    model = load_model("gate_control").with_params(morphine_overrides(concentration))
    a, c = volley_components([model], seed)[0]
    return float(a), float(c)


@functools.lru_cache(maxsize=4)
def spinal_morphine_ed50(seed: int) -> float:
    """Concentration of intrathecal morphine that halves the C-fibre component of the PN response
    to one C-strength volley in gate_control (:func:`volley_components`): the model's own ED50, as
    Dickenson & Sullivan 1986 dosed by the C-fibre response: the lowest concentration found to halve
    it by bisection of log10(concentration) in :data:`MORPHINE_BRACKET`
    (:func:`painsim.validation.calibration.bisect_parameter`, :data:`MORPHINE_STEPS` halvings); NaN
    without a C component, when the bracket does not hold the ED50, or when a concentration the
    bisection tries gives a NaN C component.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + MORPHINE_CIRCUITS - 1``.  Cached per seed.

    Returns
    -------
    float
        The ED50 (units of the mu receptors' dissociation constant), or NaN as above.
    """
    _, c_without = _gate_volley(seed, 0.0)
    if c_without <= 0:
        return float("nan")
    reduction = lambda log_c: 1.0 - _gate_volley(seed, float(10.0 ** log_c))[1] / c_without  # noqa: E731
    try:  # tolerance -1: every halving (spike counts can halve exactly before the last step)
        _, _, evals = bisect_parameter(reduction, tuple(np.log10(MORPHINE_BRACKET)), 0.5, -1.0, MORPHINE_STEPS,
                                       "morphine concentrations", "C-fibre reductions", "")
    except ParameterError:
        return float("nan")
    # the lowest concentration seen to halve the component (the bisection's upper end)
    return float(10.0 ** min(log_c for log_c, r in evals if r >= 0.5))


def morphine_a_fibre_share(seed: int) -> float:
    """A-fibre component of the PN response to one C-strength volley left by intrathecal morphine at
    the concentration that halves its C-fibre component (:func:`spinal_morphine_ed50`), over that
    without morphine (gate_control, :data:`MORPHINE_CIRCUITS` circuits): 1 means the drug spares the
    A-fibre input.

    Parameters
    ----------
    seed : int
        First circuit.

    Returns
    -------
    float
        The ratio of PN spikes per neuron.  NaN when the ED50 is NaN or there is no A-fibre component
        without morphine.
    """
    ed50 = spinal_morphine_ed50(seed)
    if not np.isfinite(ed50):
        return float("nan")
    (a0, _), (a1, _) = _gate_volley(seed, 0.0), _gate_volley(seed, ed50)
    return a1 / a0 if a0 > 0 else float("nan")


#: Wind-up under intrathecal morphine: C-strength volleys at 1 Hz (the frequency at which the model's
#: wind-up is clear, tests/test_spinal_phenotype.py) and how many (chosen: as the wind-up rows, 4).
MORPHINE_WINDUP_RATE, MORPHINE_WINDUP_PULSES = 1.0, 4


def windup_ratios(models, seed: int, n_circuits: int = MORPHINE_CIRCUITS) -> np.ndarray:
    """Wind-up ratio per model: PN spikes to the last of :data:`MORPHINE_WINDUP_PULSES` C-strength
    volleys at :data:`MORPHINE_WINDUP_RATE` over those to the first (each counted for 1 s), pooled
    over circuits ``seed`` .. ``seed + n_circuits - 1``; one batch.

    Parameters
    ----------
    models : iterable of painsim.params.Model
        Models simulated together.
    seed : int
        First circuit.
    n_circuits : int
        Circuits per model (default :data:`MORPHINE_CIRCUITS`).

    Returns
    -------
    numpy.ndarray
        (n_models,) wind-up ratios; NaN where the first volley evokes no PN spike.
    """
    models, seeds = list(models), range(seed, seed + n_circuits)
    train = c_volleys(MORPHINE_WINDUP_RATE, MORPHINE_WINDUP_PULSES)
    res = simulate_batch([Request(m, train, seed=s) for m in models for s in seeds],
                         f"{(MORPHINE_WINDUP_PULSES - 1) / MORPHINE_WINDUP_RATE + 1.0} s")
    per = np.array([spikes_per_pulse(r, train.onsets, 1.0, "PN") for r in res]).reshape(len(models), n_circuits, -1)
    pooled = per.sum(axis=1)
    return np.where(pooled[:, 0] > 0, pooled[:, -1] / np.maximum(pooled[:, 0], 1e-12), np.nan)


def morphine_windup_share(seed: int) -> float:
    """Wind-up ratio (:func:`windup_ratios`) at the intrathecal morphine concentration that halves the
    C-fibre component of one volley (:func:`spinal_morphine_ed50`) over that without morphine
    (gate_control, :data:`MORPHINE_CIRCUITS` circuits): 1 means the drug leaves wind-up as it is.

    Parameters
    ----------
    seed : int
        First circuit.

    Returns
    -------
    float
        The ratio of wind-up ratios.  NaN when the ED50 is NaN or the wind-up ratio without morphine
        is not positive.
    """
    ed50 = spinal_morphine_ed50(seed)
    if not np.isfinite(ed50):
        return float("nan")
    m = load_model("gate_control")
    without, dosed = windup_ratios([m, m.with_params(morphine_overrides(ed50))], seed)
    return float(dosed / without) if without > 0 else float("nan")


#: Cross-tolerance to intrathecal morphine after daily TENS (Chandran & Sluka 2003 Pain 102:195):
#: 6 daily 20-min sessions (days 0-5) and the morphine test the day after the last (chosen: the
#: abstract tests "a separate group of animals" after the 6 days without giving the hour).
CROSS_TOLERANCE_SESSIONS, CROSS_TOLERANCE_TEST_DAY = 6, 6.0


def morphine_cross_tolerance(protocol: Callable[[], Protocol]) -> Callable[[int], float]:
    """``measure(seed)``: the reduction of the C-fibre component of one C-strength volley by
    intrathecal morphine at the naive ED50 (:func:`spinal_morphine_ed50`) after a course of daily
    sessions of ``protocol()`` over that reduction in the naive model (gate_control,
    :data:`MORPHINE_CIRCUITS` circuits).  The course's tolerance is that of the healthy pathway's
    patients ``seed`` .. ``seed + N_SEEDS - 1`` (:func:`painsim.tolerance.excess_occupancy`,
    :func:`painsim.tolerance.tolerance_at`), their mean state applied to gate_control's receptors
    (:func:`painsim.tolerance.tolerant_model`): the model has one pool of mu receptors, which the
    endogenous opioid of TENS and the drug share.  1: no cross-tolerance.

    Parameters
    ----------
    protocol : callable
        Called with no argument, returns the daily session's :class:`painsim.protocols.Protocol`
        (e.g. :func:`conventional_tens`); hashable.  Its stimulation is given on
        :data:`CROSS_TOLERANCE_SESSIONS` days and the tolerance read on day
        :data:`CROSS_TOLERANCE_TEST_DAY`.

    Returns
    -------
    callable
        ``measure(seed) -> float``: the ratio of the two reductions (1: no cross-tolerance); NaN when
        the naive ED50 is NaN (no concentration of the bracket halves the C-fibre component; then no
        course runs), the naive or the tolerant model has no C-fibre component, or morphine does not
        reduce it in the naive model.
    """
    def measure(seed: int) -> float:
        ed50 = spinal_morphine_ed50(seed)
        if not np.isfinite(ed50):  # no dose halves the naive C component: nothing to compare (not a dose of NaN)
            return float("nan")
        course = protocol().with_calendar(tolerance_calendar(CROSS_TOLERANCE_SESSIONS - 1))
        healthy = load_model("healthy")
        x = healthy_occupancy(protocol, seed)
        T = float(np.mean(tolerance_at([CROSS_TOLERANCE_TEST_DAY], x, course.calendar, *tolerance_params(healthy))))
        tolerant = tolerant_model(load_model("gate_control"), T)
        (_, c0), (_, c1) = _gate_volley(seed, 0.0), _gate_volley(seed, ed50)
        (_, c2), (_, c3) = volley_components([tolerant, tolerant.with_params(morphine_overrides(ed50))], seed)
        naive, after = 1.0 - c1 / c0, 1.0 - c3 / c2
        return float(after / naive) if c0 > 0 and c2 > 0 and naive > 0 else float("nan")
    return measure


SHARED_CACHES.extend([spinal_morphine_ed50, _gate_volley, healthy_occupancy])  # the rows of one validation run share these runs
