"""Analgesic tolerance of the mu-opioid receptors (dorsal horn, PAG/RVM relay) over repeated sessions.

A layer above :mod:`painsim.simulation`, beside :mod:`painsim.conditioning`: the spikes of simulated
session windows drive a slow per-patient state, and the state changes the model the next measurement runs.

Repeated daily TENS loses its effect by the 4th-5th session, with cross-tolerance to
spinal mu (low-frequency TENS) or delta (high-frequency TENS) agonists (Chandran &
Sluka 2003 Pain 102:195 [checked: abstract]; Sato et al. 2012 J Pain 13:884
[checked: abstract]).  The model has one pool of mu-opioid receptors per dorsal-horn site (occupancy read
at the projection neurons, PN; effects on the C and Aδ terminals and, by GIRK, on every dorsal-horn neuron),
bound by the opioid the PAG/RVM release (``descending.opioid``, ``dorsal_horn.opioid``); the PAG/RVM relay's receptors share its state.  Its tolerance is one slow state ``T`` in [0, 1) per patient::

    dT/dt = k x(t) (1 - T) - T / tau,        receptor efficacy = 1 - T

* ``x(t)``: during a session, the **excess** mean receptor occupancy of the painful
  site's PN that the session's stimulation adds over the same window without it (the
  *companion*, same seed, as :mod:`painsim.course` subtracts it: the ongoing opioid tone
  is the set point, not a drug); 0 between sessions.  Measured once per patient, at
  ``T = 0``, and held for every session (chosen: one measurement per patient).  Known
  limitation: tolerance changes what the bound receptors do, not the binding, but the
  relay's receptors share ``T`` (``descending.relay_efficacy``), so a tolerant PAG/RVM
  releases less opioid and the occupancy the model itself would produce falls with ``T``
  (healthy pathway, tens_conventional, seed 1: x = 0.267, 0.207, 0.077, 0.003 at
  T = 0, 0.16, 0.30, 0.46).  The constant ``x`` therefore drives more tolerance than
  re-measured occupancies would; ``k`` is calibrated within the same constant-``x`` ODE, so
  its target is met, but the state ``T`` is a description of that ODE, not of the
  release the tolerant model simulates.
* ``tau`` (``dorsal_horn.opioid.tolerance_half_time`` / ln 2): the slow offset of
  morphine tolerance in rats, half-time 13.2 days (Cox, Ginsburg, Willis & Davies 1975 Br J
  Pharmacol [checked: abstract]: the second phase of a biphasic recovery, from the 4th day
  after the last dose; the imprecise fast first phase is not modelled).
* ``k`` (``dorsal_horn.opioid.tolerance_rate``): a declared calibration
  (:func:`painsim.validation.calibration.calibrate_tolerance_rate`).

``x`` is constant within a session, so ``T`` follows the equation in closed form
(:func:`evolve`): within a session it relaxes to ``T_eq = k x / (k x + 1/tau)`` at the
rate ``k x + 1/tau``, between sessions it decays at ``1/tau``.  The efficacy scales the
receptors' effects (:func:`tolerant_model`): the presynaptic suppression of C and Aδ
release and the GIRK conductance (Heinke, Gingl & Sandkühler 2011 J Neurosci
31:1313), and the efficacy of the receptors of the opioid relay inside the PAG/RVM
(``descending.relay_efficacy``, :func:`painsim.circuits.cortex.descending_relay`), which
share the state (chosen: one tolerance state per patient, its occupancy measured at the
PN; daily morphine in the vlPAG loses 64 % of its effect by the 5th injection, Morgan,
Clayton & Boyer-Quick 2005 Pain 113:91 [checked: abstract]).  The cingulate receptors
(``medial.opioid``) are left alone.  Naloxone (``dorsal_horn.pharmacology.opioid_block``) keeps the opioid off the
receptors, so naloxone given with every session prevents tolerance.

* :func:`evolve`, :func:`session_mean`, :func:`tolerance_at` -- the state over a calendar (numpy only);
* :func:`opioid_trace`, :func:`window_occupancy` -- the opioid concentration and mean
  occupancy of the painful site's PN reconstructed from a result's PAG/RVM spikes;
* :func:`excess_occupancy` -- ``x`` of a protocol's session per seed;
* :func:`tolerant_model` -- a model whose mu receptors have efficacy ``1 - T``;
* :func:`tolerance_course` -- ``T``, the efficacy and the acute TENS effect (with and
  without naloxone) on chosen days of a course.

Inside a treatment course (sessions reconditioning plastic synapses, pain tests): the
``opioid_tolerance`` option of :func:`painsim.course.run_course_batch`
(:mod:`painsim.course.opioid_tolerance`).

Measured values: docs/circuits.md, "Deep-tissue afferents and the spino-PAG route".
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Sequence

import numpy as np
import xarray as xr

from .checks import number, simulated_duration
from .circuits import descending_opioid, projection_endpoints
from .circuits.dorsal_horn_dynamics import spinal_morphine
from .errors import ParameterError
from .fibers import heat
from .params import Model
from .protocols import Calendar, Protocol, checked_test_days, resolve
from .readouts import population_spikes
from .rng import checked_seed
from .simulation import Request, body_site, simulate_batch
from .units import DIMENSIONLESS, to_si, unit_name

__all__ = ["OPIOID_EFFECTS", "OPIOID_PROJECTION", "NALOXONE", "DAY", "tolerance_params", "evolve", "session_mean",
           "tolerance_at", "tolerant_model", "opioid_trace", "window_occupancy", "excess_occupancy",
           "acute_tens_effect", "tolerance_course"]

#: The model parameters through which bound mu receptors act, in the dorsal horn and in the
#: PAG/RVM relay; tolerance scales each by the efficacy ``1 - T``.
OPIOID_EFFECTS = ("dorsal_horn.opioid.presynaptic_c", "dorsal_horn.opioid.presynaptic_adelta",
                  "dorsal_horn.opioid.girk_conductance", "descending.relay_efficacy")
#: The projection that carries the opioid onto the projection neurons (``w_mor``, PAG/RVM -> PN).
OPIOID_PROJECTION = "desc_pn"
#: Systemic naloxone: no opioid reaches the mu receptors of the dorsal horn, the PAG/RVM relay or the cingulate.
NALOXONE = {"dorsal_horn.pharmacology.opioid_block": 1.0}
#: One day, s.
DAY = 86400.0


# ==========================================================================
# the tolerance state
# ==========================================================================
def tolerance_params(model: Model) -> tuple[float, float]:
    """``(k, tau)``: the tolerance rate per unit occupancy (1/s) and the recovery time constant
    (s, ``tolerance_half_time / ln 2``) of ``model``.

    Parameters
    ----------
    model : Model
        Its ``dorsal_horn.opioid.tolerance_rate`` and ``tolerance_half_time`` are read.

    Returns
    -------
    k, tau : float

    Raises
    ------
    painsim.errors.ParameterError
        ``model`` not a Model; a half-time of 0 (tolerance could not persist between sessions).
    """
    _model(model)
    half = model.si("dorsal_horn.opioid.tolerance_half_time")
    if not half > 0:
        raise ParameterError("dorsal_horn.opioid.tolerance_half_time", model.text(
            "dorsal_horn.opioid.tolerance_half_time"), "a time > 0 (the recovery half-time, e.g. \"13.2 days\")")
    return float(model.si("dorsal_horn.opioid.tolerance_rate")), half / math.log(2.0)


def _model(model, pathway: bool = False) -> None:
    """Refuse, before any simulation, a non-Model or (``pathway``) a model without the PAG/RVM opioid projection."""
    if not isinstance(model, Model):  # e.g. a model's name
        raise ParameterError("model", model, "a painsim Model (painsim.load_model(...))")
    if pathway and OPIOID_PROJECTION not in projection_endpoints(model):
        raise ParameterError("model", model.name, f"a model with the {OPIOID_PROJECTION} projection "
                                                  "(network.layers = \"pathway\")")


def _check_rates(rate, tau) -> tuple[float, float]:
    return (number(rate, "rate", lo=0.0, allowed="a tolerance rate >= 0 (1/s per unit occupancy)"),
            number(tau, "tau", lo=0.0, lo_open=True, allowed="a recovery time constant > 0 s"))


def _values(value, name: str, hi: float, allowed: str) -> np.ndarray:
    """``value`` (a number or an array) as floats, each finite, >= 0 and <= ``hi``, or refused by ``name``."""
    try:
        a = np.asarray(value, float) if not isinstance(value, (bool, str, bytes)) else None
    except (TypeError, ValueError):
        a = None
    if a is None or np.any(~np.isfinite(a) | (a < 0) | (a > hi)):
        bad = value if a is None else a[~np.isfinite(a) | (a < 0) | (a > hi)].reshape(-1)[0]
        raise ParameterError(name, bad if a is None or a.ndim else value, allowed)
    return a


def evolve(T, x, duration, rate: float, tau: float):
    """The tolerance state after ``duration`` s at a constant excess occupancy ``x``.

    Closed form of ``dT/dt = k x (1 - T) - T / tau``: ``T`` relaxes to
    ``T_eq = k x / (k x + 1/tau)`` at the rate ``k x + 1/tau`` (``x = 0``: pure decay).

    Parameters
    ----------
    T : float or array
        State at the start, in [0, 1].
    x : float or array
        Excess occupancy (in [0, 1]; broadcast against ``T``).
    duration : float
        Time, s (>= 0).
    rate, tau : float
        ``k`` (1/s per unit occupancy) and the recovery time constant (s).

    Returns
    -------
    float or ndarray

    Raises
    ------
    painsim.errors.ParameterError
        ``T`` not in [0, 1], ``x`` not in [0, 1] or not broadcasting against ``T``, ``duration`` not >= 0 s,
        ``rate`` not >= 0, ``tau`` not > 0 (NaN, text or a bool is refused for each).
    """
    rate, tau = _check_rates(rate, tau)
    T = _values(T, "T", 1.0, "a tolerance state in [0, 1] (a number or an array)")
    x = _values(x, "x", 1.0, "an excess occupancy in [0, 1] (a number or an array)")
    try:
        np.broadcast_shapes(T.shape, x.shape)
    except ValueError:
        raise ParameterError("x", f"shape {x.shape}", f"a shape that broadcasts against T's {T.shape}") from None
    if type(duration) not in (int, float) and not isinstance(duration, (np.integer, np.floating)) or not duration >= 0:
        raise ParameterError("duration", duration, "a time >= 0 s (a number, s)")
    r = rate * x + 1.0 / tau
    out = rate * x / r + (T - rate * x / r) * np.exp(-r * duration)
    return float(out) if out.ndim == 0 else out


def session_mean(T, x, duration, rate: float, tau: float):
    """Mean of the tolerance state over ``duration`` s at a constant excess occupancy ``x``
    from ``T`` (the exact average of :func:`evolve`'s closed form; ``T`` itself for a zero duration).

    Parameters
    ----------
    T, x : float or array
        State at the start (in [0, 1]) and excess occupancy (in [0, 1]), as :func:`evolve`.
    duration : float
        Time, s (>= 0).
    rate, tau : float
        ``k`` (1/s per unit occupancy) and the recovery time constant (s).

    Returns
    -------
    float or ndarray

    Raises
    ------
    painsim.errors.ParameterError
        An argument out of range (checked by :func:`evolve`).
    """
    T_end = evolve(T, x, duration, rate, tau)   # checks every argument
    if duration == 0:
        return T_end
    T, x = np.asarray(T, float), np.asarray(x, float)
    r = rate * x + 1.0 / tau
    T_eq = rate * x / r
    out = T_eq + (T - T_eq) * (-np.expm1(-r * duration)) / (r * duration)
    return float(out) if out.ndim == 0 else out


def tolerance_at(times_days, x, calendar, rate: float, tau: float) -> np.ndarray:
    """The tolerance state at ``times_days`` of a course (naive at day 0).

    Parameters
    ----------
    times_days : sequence of float
        Days from the start of the course (>= 0).  A session starting at a requested time has
        not begun: the state is the one *before* that day's session.
    x : float or sequence of float
        Excess occupancy during a session, one per patient.
    calendar : painsim.protocols.Calendar
        Session days and duration.
    rate, tau : float
        As :func:`evolve`.

    Returns
    -------
    ndarray, shape (n_patients, n_times); without the patient axis for a scalar ``x``, without
    the time axis for a scalar ``times_days``

    Raises
    ------
    painsim.errors.ParameterError
        Days that are not numbers >= 0 (named ``days``), ``x`` empty or not numbers in [0, 1], ``calendar``
        not a :class:`~painsim.protocols.Calendar`, ``rate`` or ``tau`` refused by :func:`evolve`.
    """
    times = _check_days(times_days, "times_days")
    xs = np.atleast_1d(_values(x, "x", 1.0, "an excess occupancy in [0, 1] per patient (a number or a list)"))
    if xs.size == 0:
        raise ParameterError("x", x, "an excess occupancy in [0, 1] per patient (at least one)")
    if not isinstance(calendar, Calendar):
        raise ParameterError("calendar", calendar, "a painsim.protocols.Calendar (a protocol's .calendar)")
    out = np.empty((xs.size, times.size))
    sessions = [(d * DAY, d * DAY + calendar.session_duration) for d in calendar.days]  # (start, end), s
    for j, t in enumerate(times * DAY):
        T, now = np.zeros(xs.size), 0.0
        for a, b in sessions:
            if t <= a:
                break
            T = evolve(T, 0.0, max(a - now, 0.0), rate, tau)  # back-to-back sessions: rounding < 0
            now = min(b, t)
            T = evolve(T, xs, now - a, rate, tau)
        out[:, j] = evolve(T, 0.0, t - now, rate, tau)
    out = out[0] if np.ndim(x) == 0 else out
    return out[..., 0] if np.ndim(times_days) == 0 else out


def tolerant_model(model: Model, T: float) -> Model:
    """``model`` with its dorsal-horn mu-opioid receptors at efficacy ``1 - T``.

    Scales every effect of a bound receptor (:data:`OPIOID_EFFECTS`: the presynaptic
    suppression of C and Aδ release, the GIRK conductance; Heinke, Gingl & Sandkühler
    2011 J Neurosci 31:1313; and the opioid relay of the PAG/RVM,
    ``descending.relay_efficacy``) by ``1 - T``; the binding law and the release per spike are
    unchanged (the relay's tolerance lowers the PAG/RVM firing, so less is released).  The
    cingulate receptors (``medial.opioid``) keep their efficacy.

    Parameters
    ----------
    model : Model
    T : float
        Tolerance state in [0, 1] (1: receptors that bind but do nothing).

    Raises
    ------
    painsim.errors.ParameterError
        ``T`` outside [0, 1] or not a number, or ``model`` not a Model.
    """
    _model(model)
    if isinstance(T, bool) or not isinstance(T, (int, float, np.integer, np.floating)) or not 0 <= T <= 1:
        raise ParameterError("T", T, "a tolerance state in [0, 1] (receptor efficacy 1 - T)")
    return model.with_params({path: _scaled(model, path, 1.0 - float(T)) for path in OPIOID_EFFECTS})


def _scaled(model: Model, path: str, factor: float):
    """``path``'s value times ``factor``, as text in its SI unit (a plain number when dimensionless)."""
    value, dim = model.si(path) * factor, model.leaves[path].dim
    return value if dim == DIMENSIONLESS else f"{value!r} {unit_name(dim)}"


# ==========================================================================
# receptor occupancy from the PAG/RVM spikes of a result
# ==========================================================================
def opioid_trace(model: Model, result: xr.Dataset, site=None, *, dt=None) -> tuple[np.ndarray, np.ndarray]:
    """The opioid concentration of each projection neuron of a site, from the PAG/RVM spikes.

    The dorsal horn's ``opioid`` variable (:mod:`painsim.circuits.dorsal_horn`) is a linear
    filter of the opioid-releasing spikes: ``d opioid/dt = -opioid / tau`` and ``+ w w_mor``
    per spike arriving ``descending.descending_delay`` after a PAG/RVM spike (``w`` the
    synapse's efficacy in the result, ``w_mor`` :func:`painsim.circuits.descending_opioid`,
    which carries ``descending.integrity`` and the naloxone block).  Reconstructed exactly on
    a grid of ``dt`` (default the model's ``network.dt``) from ``t = 0``, as the network
    integrates it (checked against the network's own variable: docs/circuits.md).

    Parameters
    ----------
    model : Model
        The model of ``result`` (pathway stack).
    result : xarray.Dataset
        A :func:`painsim.simulate` result.
    site : int, optional
        Body site (default the painful site).
    dt : float, optional
        Grid step, s (default ``network.dt``).

    Returns
    -------
    times : ndarray (n_steps,)
        Grid times, s.
    c : ndarray (n_steps, n_pn)
        Concentration (units of the dissociation constant) of the site's projection neurons.

    Raises
    ------
    painsim.errors.ParameterError
        ``result`` holds no ``desc_pn`` synapses (its model is not a pathway model), or a bad
        ``site``.
    """
    c_in, times, _ = _arrivals(model, result, site, dt)
    return times, _filter(c_in, math.exp(-(times[1] - times[0]) / model.si("dorsal_horn.opioid.tau")))


def _arrivals(model: Model, result: xr.Dataset, site, dt):
    """Opioid arriving per grid step at each PN of ``site`` ((n_steps, n_pn)), the grid and its step."""
    _model(model, pathway=True)
    src, tgt = projection_endpoints(model)[OPIOID_PROJECTION]
    if f"pre_{OPIOID_PROJECTION}" not in result:
        raise ParameterError("result", result.attrs.get("model"), f"a result of a model with the "
                             f"{OPIOID_PROJECTION} projection (network.layers = \"pathway\")")
    s = body_site(model, site)
    n_pn = int(model.si("dorsal_horn.populations.n_projection"))
    dt = float(model.si("network.dt") if dt is None else dt)
    duration = float(result.attrs["duration_s"])
    n_steps = int(round(duration / dt))
    pre = result[f"pre_{OPIOID_PROJECTION}"].values
    post = result[f"post_{OPIOID_PROJECTION}"].values - s * n_pn
    step = result[f"w_{OPIOID_PROJECTION}"].values * descending_opioid(model)
    keep = (post >= 0) & (post < n_pn)
    t, i, n_pre = population_spikes(result, src, sort=True)
    per_pre = np.zeros((n_pre, n_pn))
    np.add.at(per_pre, (pre[keep], post[keep]), step[keep])
    k = np.round((t + model.si("descending.descending_delay")) / dt).astype(np.int64)
    inside = k < n_steps
    c_in = np.zeros((n_steps, n_pn))
    np.add.at(c_in, k[inside], per_pre[i[inside]])
    return c_in, np.arange(n_steps) * dt, dt


def _filter(c_in: np.ndarray, a: float) -> np.ndarray:
    """``c[k] = a c[k-1] + c_in[k]`` along axis 0 (from 0): the exact decay between steps."""
    from scipy.signal import lfilter  # scipy.signal costs ~0.1 s to import: only when used
    return lfilter([1.0], [1.0, -a], c_in, axis=0)


def window_occupancy(model: Model, result: xr.Dataset, start: float, stop: float, site=None, *,
                     periodic: bool = True) -> float:
    """Mean mu-receptor occupancy ``(c + m) / (1 + c + m)`` of a site's PN over [start, stop) (m: spinal morphine).

    Parameters
    ----------
    model : Model
        The model of ``result`` (pathway stack).
    result : xarray.Dataset
        A :func:`painsim.simulate` result.
    start, stop : float
        The window, s (e.g. the course's lead-in to lead-in + window).
    site : int, optional
        Body site (default the painful site).
    periodic : bool
        ``True``: the occupancy of the window's arrivals replayed periodically, its steady
        state (a session lasts minutes, the opioid decays in ``dorsal_horn.opioid.tau``, so
        during a session the occupancy is that of the steady stimulation; the course engine
        replays windows the same way, :mod:`painsim.course.session`).  ``False``: the
        occupancy as the network integrated it from ``t = 0`` (still rising at the window's
        start when the lead-in is shorter than a few ``tau``).

    Returns
    -------
    float
    """
    if not 0 <= start < stop <= float(result.attrs["duration_s"]) + 1e-9:
        raise ParameterError("start, stop", (start, stop), f"0 <= start < stop <= the result's duration "
                                                            f"({result.attrs['duration_s']:g} s)")
    c_in, times, dt = _arrivals(model, result, site, None)
    a, m = math.exp(-dt / model.si("dorsal_horn.opioid.tau")), spinal_morphine(model)  # m shares the receptors
    k0, k1 = int(round(start / dt)), int(round(stop / dt))
    if periodic:
        c0 = _filter(c_in[k0:k1], a)
        carry = c0[-1] / (1.0 - a ** (k1 - k0))  # c at the end of a period, steady state
        c = c0 + a ** np.arange(1, k1 - k0 + 1)[:, None] * carry
    else:
        c = _filter(c_in, a)[k0:k1]
    return float(np.mean((c + m) / (1.0 + c + m)))


def _seeds(seeds) -> list[int]:
    seeds = list(np.atleast_1d(seeds)) if not isinstance(seeds, (list, tuple, range)) else list(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in seeds):
        raise ParameterError("seeds", seeds, "a non-empty sequence of whole-number seeds (circuits)")
    return [checked_seed(s, "seeds", allow_float=False) for s in seeds]  # -1 refused here, not as requests[0].seed


def excess_occupancy(model, protocol, seeds: Sequence[int], *, site=None, batch_size: int = 32) -> np.ndarray:
    """``x`` of each seed: mean occupancy of the painful site's PN during a session of
    ``protocol`` minus that of the same window without stimulation (the companion).

    The window is the course engine's (:mod:`painsim.course.session`): ``course.lead_in``
    of stimulation before a ``course.window`` that is read, no natural stimulus, the
    protocol's ``device_overrides`` applied; the occupancy is the window's periodic steady
    state (:func:`window_occupancy`).  A window without pulses (a sham) is its own companion,
    as in the course engine: ``x = 0`` without a simulation.  A session that leaves no more
    opioid on the receptors than its companion drives no tolerance: a negative difference
    (e.g. -1e-8, rounding, for 4-Hz TENS, whose occupancy equals the companion's) counts as 0,
    the least :func:`evolve` accepts.

    Parameters
    ----------
    model : Model or sequence of Model
        A pathway model (the opioid comes from the PAG/RVM), or one per seed (the patients of a
        course, :mod:`painsim.course.opioid_tolerance`); they must share ``course.lead_in`` and
        ``course.window``.
    protocol : Protocol or str
        The session's protocol (library name or :class:`painsim.protocols.Protocol`).
    seeds : sequence of int
        Patients (circuits).
    site : int, optional
        Body site the stimulation is delivered to (default: the protocol's own, the painful
        site for the library's TENS); the occupancy is read at the painful site.
    batch_size : int
        Points per brian2 network (:func:`painsim.simulate_batch`).

    Returns
    -------
    ndarray (n_seeds,)
    """
    protocol, seeds = resolve(protocol), _seeds(seeds)
    models = [model] * len(seeds) if isinstance(model, Model) else list(model)
    if len(models) != len(seeds) or not all(isinstance(m, Model) for m in models):
        raise ParameterError("model", f"{len(models)} models", f"one Model, or one per seed ({len(seeds)})")
    for m in models:
        _model(m, pathway=True)
    models = [m.with_params(protocol.device_overrides) for m in models]
    lead, L = models[0].si("course.lead_in"), models[0].si("course.window")
    if any((m.si("course.lead_in"), m.si("course.window")) != (lead, L) for m in models):
        raise ParameterError("model", "course.lead_in / course.window differ", "one session window for every model")
    if protocol.is_sham:
        return np.zeros(len(seeds))
    wf = protocol.waveform(-lead, L)
    if site is not None:
        wf = replace(wf, site=body_site(models[0], site), _cache={})
    res = simulate_batch([Request(m, st, 0.0, 0.0, s) for m, s in zip(models, seeds) for st in (wf, None)],
                         f"{lead + L!r} s", batch_size=batch_size)
    occ = [window_occupancy(m, r, lead, lead + L) for m, r in zip([m for m in models for _ in (0, 1)], res)]
    return np.maximum(np.array(occ[0::2]) - np.array(occ[1::2]), 0.0)


# ==========================================================================
# the acute TENS effect over a course
# ==========================================================================
def _test_waveform(protocol: Protocol, model: Model, site: int, duration: float):
    if protocol.is_sham:
        raise ParameterError("protocol", protocol.name, "a protocol with stimulation (the acute effect of a sham "
                                                        "is nothing to measure)")
    return replace(protocol.waveform(0.0, duration), site=body_site(model, site), _cache={})


def acute_tens_effect(models: Sequence[Model], protocol, seeds: Sequence[int], *, test_site: int = 0,
                      celsius: float = 47.0, test_duration="1.5 s", batch_size: int = 32) -> np.ndarray:
    """PN rate (Hz) at the painful site during contact heat there, without and with the
    protocol's stimulation at ``test_site``, for each model and seed.

    The measurement of :func:`painsim.validation.opioids.naloxone_share_of_tens` (remote
    TENS: the published reversal is of secondary hyperalgesia, Sluka et al. 1999 JPET
    289:840 [checked: abstract]).

    Parameters
    ----------
    models : sequence of Model
        Pathway models; each is run with every seed.
    protocol : Protocol or str
        The stimulation (library name or :class:`painsim.protocols.Protocol`).
    seeds : sequence of int
        Patients (circuits).
    test_site : int
        Body site of the stimulation.
    celsius : float
        Contact heat at the painful site, °C.
    test_duration : str or Quantity
        Window length (e.g. ``"1.5 s"``).
    batch_size : int
        Points per brian2 network (:func:`painsim.simulate_batch`).

    Returns
    -------
    ndarray (n_models, n_seeds, 2): ``[..., 0]`` heat alone, ``[..., 1]`` heat + stimulation.

    Raises
    ------
    painsim.errors.ParameterError
        An unknown protocol (UnknownKeyError), a sham, no seeds, ``models`` not a non-empty
        sequence of Models, a bad site or temperature, or ``test_duration`` not a time > 0 s and <= 1 h.
    """
    seeds = _seeds(seeds)
    ms = list(models) if hasattr(models, "__iter__") and not isinstance(models, (str, bytes)) else []
    if not ms or not all(isinstance(m, Model) for m in ms):
        raise ParameterError("models", models, "a non-empty sequence of painsim Models (one Model: [model])")
    pairs = [(m, s) for m in ms for s in seeds]
    pn = _acute_pairs(pairs, resolve(protocol), test_site, celsius, test_duration, batch_size)
    return pn.reshape(len(ms), len(seeds), 2)


def _acute_pairs(pairs, protocol: Protocol, test_site, celsius, test_duration, batch_size) -> np.ndarray:
    """(n_pairs, 2) PN rates of :func:`acute_tens_effect` for each (model, seed), one batch."""
    d, m0 = _test_duration(test_duration), pairs[0][0]
    painful = int(m0.si("body.painful_site"))
    wf = _test_waveform(protocol, m0, test_site, d)
    reqs = [Request(m.with_params(protocol.device_overrides), st, {painful: heat(celsius)}, seed=s)
            for m, s in pairs for st in (None, wf)]
    res = simulate_batch(reqs, f"{d!r} s", batch_size=batch_size)
    return np.array([float(r.pn_rate) for r in res]).reshape(len(pairs), 2)


def _test_duration(test_duration) -> float:
    return simulated_duration(test_duration, "test_duration", hint="the acute test is one simulated window")


def _check_days(days, name: str = "days") -> np.ndarray:
    try:  # text and booleans (True read as day 1) are not days
        arr = np.array([np.nan]) if isinstance(days, (str, bool)) else np.atleast_1d(np.asarray(days, float))
    except (TypeError, ValueError):
        arr = np.array([np.nan])
    if arr.size == 0 or np.any(~np.isfinite(arr) | (arr < 0)):
        raise ParameterError(name, days, "a non-empty list of days >= 0 of the course (day 0 = the first session)")
    return arr


def tolerance_course(model: Model, protocol, seeds: Sequence[int], days, *, x=None, test_site: int = 0,
                     celsius: float = 47.0, test_duration="1.5 s", batch_size: int = 32) -> xr.Dataset:
    """Tolerance of the dorsal-horn mu receptors over a course, and the acute TENS effect it leaves.

    Per seed (patient): the excess occupancy ``x`` of a session (:func:`excess_occupancy`),
    the state ``T`` before each requested day's session (:func:`tolerance_at`; the model's
    ``tolerance_rate`` and ``tolerance_half_time``), and on each day the acute effect of the
    protocol's stimulation at ``test_site`` on the PN response to ``celsius`` heat at the
    painful site, in :func:`tolerant_model` ``(model, T)``, with and without naloxone (the
    measurement of ``naloxone_share_of_tens``).  Under naloxone no opioid binds, so the
    efficacy does not matter: the naloxone runs are made once per seed and hold for every day.

    Parameters
    ----------
    model : Model
        A pathway model.
    protocol : Protocol or str
        Calendar and stimulation (e.g. ``"tens_conventional"``).
    seeds : sequence of int
    days : sequence of float
        Days of the course, increasing, >= 0, none inside a session (may lie after the last: recovery).
    x : sequence of float, optional
        The excess occupancy per seed, if already measured (skips its simulations).
    test_site, celsius, test_duration
        The acute test: stimulation site (default 0, remote from the painful site of the
        5-site pathway), heat at the painful site, window length.
    batch_size : int
        Points per brian2 network (:func:`painsim.simulate_batch`).

    Returns
    -------
    xarray.Dataset
        Over ``seed``: ``excess_occupancy``; over (``seed``, ``day``): ``tolerance``,
        ``efficacy``, ``pn_heat``, ``pn_stimulated``, ``effect`` (their difference),
        ``pn_heat_naloxone``, ``pn_stimulated_naloxone``, ``effect_naloxone``, and
        ``opioid_effect`` = ``effect`` - ``effect_naloxone`` (the naloxone-sensitive part).

    Raises
    ------
    painsim.errors.ParameterError
        An unknown protocol (UnknownKeyError, naming the nearest), a sham, a model without the PAG/RVM opioid
        projection, no seeds or one not a whole number in [0, 2**32), ``days`` refused as a tolerance file's
        ``test_days`` (:func:`painsim.protocols.checked_test_days`), ``x`` not one value in [0, 1] per seed,
        ``test_duration`` not a time in (0 s, 1 h] or ``celsius`` not a test heat; all before any simulation.
    """
    protocol, seeds = resolve(protocol), _seeds(seeds)
    day_arr = np.asarray(checked_test_days(days, "days", protocol.calendar))  # as a tolerance file's test_days
    k, tau = tolerance_params(model)
    _model(model, pathway=True)
    _test_waveform(protocol, model, test_site, 1.0)  # refuse a sham or a bad site before any work
    _test_duration(test_duration), heat(celsius)      # and the acute test's window and heat
    if x is None:
        x = excess_occupancy(model, protocol, seeds, batch_size=batch_size)
    x = np.asarray(x, float)
    if x.shape != (len(seeds),) or np.any(~np.isfinite(x) | (x < 0) | (x > 1)):
        raise ParameterError("x", x, f"one excess occupancy in [0, 1] per seed ({len(seeds)})")
    T = tolerance_at(day_arr, x, protocol.calendar, k, tau)
    models = [tolerant_model(model, float(T[j, d])) for j in range(len(seeds)) for d in range(day_arr.size)]
    nal = model.with_params(NALOXONE)
    # one batch: every (seed, day) in its tolerant model, then the naloxone runs of every seed
    pairs = [(m, int(s)) for m, s in zip(models, np.repeat(seeds, day_arr.size))] + [(nal, s) for s in seeds]
    pn = _acute_pairs(pairs, protocol, test_site, celsius, test_duration, batch_size)
    n = len(models)
    return _course_dataset(seeds, day_arr, x, T, pn[:n].reshape(len(seeds), day_arr.size, 2), pn[n:],
                           protocol, (k, tau), (test_site, celsius, to_si(test_duration, "s", "test_duration")))


def _course_dataset(seeds, days, x, T, pn, pn_nal, protocol, rates, test) -> xr.Dataset:
    """The Dataset of :func:`tolerance_course`."""
    nal = np.repeat(pn_nal[:, None, :], days.size, axis=1)
    effect, effect_nal = pn[..., 0] - pn[..., 1], nal[..., 0] - nal[..., 1]
    sd = ("seed", "day")
    def hz(what):
        return {"units": "Hz", "long_name": f"PN rate to the test heat {what}"}
    data = {
        "excess_occupancy": (("seed",), x, {"units": "1", "long_name": "excess mu-receptor occupancy of a session"}),
        "tolerance": (sd, T, {"units": "1", "long_name": "tolerance state T before the day's session"}),
        "efficacy": (sd, 1.0 - T, {"units": "1", "long_name": "mu-receptor efficacy 1 - T"}),
        "pn_heat": (sd, pn[..., 0], hz("alone")), "pn_stimulated": (sd, pn[..., 1], hz("with the stimulation")),
        "effect": (sd, effect, {"units": "Hz", "long_name": "PN reduction by the stimulation"}),
        "pn_heat_naloxone": (sd, nal[..., 0], hz("alone, under naloxone")), "pn_stimulated_naloxone": (sd, nal[..., 1], hz("with the stimulation, under naloxone")),
        "effect_naloxone": (sd, effect_nal, {"units": "Hz", "long_name": "PN reduction under naloxone"}),
        "opioid_effect": (sd, effect - effect_nal, {"units": "Hz", "long_name": "naloxone-sensitive part of the PN reduction"}),
    }
    site, celsius, duration = test
    return xr.Dataset(data, coords={"seed": list(seeds), "day": days},
                      attrs={"protocol": protocol.name, "tolerance_rate_hz": rates[0], "tolerance_tau_s": rates[1],
                             "test_site": int(site), "test_celsius": float(celsius), "test_duration_s": duration})
