"""Contact heat with a time course: repeated brief contacts and ramps.

:func:`heat_contacts` repeats a brief step of :func:`painsim.fibers.heat` (temporal summation of
second pain); :func:`heat_ramp` raises the skin from its baseline at a constant rate, as the
thermodes of quantitative sensory testing do (1 °C/s in the DFNS protocol, Rolke et al. 2006).
Both return a :class:`painsim.fibers.encoding.PhysicalStimulus` of kind ``"heat"``, so the same
fibres (thresholds) respond as to a step.

A ramp's encoding: each fibre's static rate follows its temperature,
``r(t) = min(max_rate, k (T(t) - theta))+`` (:data:`painsim.fibers.encoding.HEAT_RESPONSE`), and an
adapting subtype passes it through the linear filter whose step response is the adaptation of a held
step, ``s g(t)``, ``g(t) = p + (1 - p) exp(-t / tau)`` (:func:`painsim.fibers.encoding.adaptation_profile`):
``y = s (p r + (1 - p) x)``, ``dx/dt = -x / tau + dr/dt``.  A step is the limit of a fast ramp, and a
held plateau adapts as a step does.  That the nociceptors' sensitivity to the rate of heating is this
filter, and nothing faster, is the model's assumption, checked against human C fibres (Yarnitsky et
al. 1992) by the validation rows ``c_ramp_discharge_*`` (docs/stimuli.md, "Heat ramps").
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..checks import floats, whole
from ..errors import ParameterError
from ..units import to_si
from .encoding import (HEAT_RESPONSE, RAMP_ENCODER, SKIN_BASELINE, PhysicalStimulus, _duration, adaptation_profile,
                       heat, threshold_rng, thermal_draw)
from .rates import _checked_class

__all__ = ["heat_contacts", "heat_ramp", "ramp_temperature", "ramp_end", "ramp_rates", "ramp_spikes", "RAMP_DT",
           "RAMP_CHUNK"]

#: s; time step of a ramp's rates and spike times (chosen: the 1 ms grid of adapting trains)
RAMP_DT = 1e-3


def heat_contacts(celsius, n_contacts: int = 15, interval="3 s", contact="0.7 s", start=0.0,
                  baseline=SKIN_BASELINE) -> PhysicalStimulus:
    """Repeated brief contacts of a preheated thermode: the paradigm of temporal summation of
    second pain (TSSP).

    Parameters
    ----------
    celsius : float, str or Quantity
        The thermode temperature, as :func:`heat`.
    n_contacts : int
        Number of contacts (>= 1); Craig & Andrew 2002 (J Neurophysiol 87:1902) used 15.
    interval : Quantity (s)
        From one contact's onset to the next (the inter-stimulus interval, ISI), at least
        the contact; Craig & Andrew used 2, 3 and 5 s.
    contact : Quantity (s)
        Dwell time of each contact (> 0); ~0.7 s in Craig & Andrew.
    start : Quantity (s)
        Onset of the first contact.
    baseline : float
        Resting skin temperature, °C.

    Returns
    -------
    PhysicalStimulus
        A heat stimulus with ``repeat = n_contacts`` and ``interval`` (0 for one contact, which
        is then ``heat(celsius, start, start + contact)``); :meth:`PhysicalStimulus.onsets`
        lists the contacts' onsets.

    Each contact is a step of :func:`heat` from ``baseline`` (chosen: the skin is taken to
    reach the thermode's temperature at once and to return to baseline between contacts);
    the fibres keep their thresholds across contacts and draw fresh spikes in each, and an
    adapting fibre restarts its adaptation at each contact's onset.  Nociceptor fatigue
    across repeated contacts is not modelled (docs/stimuli.md).
    """
    one = heat(celsius, start, None, baseline)   # its errors name celsius, this function's argument too
    if isinstance(n_contacts, bool) or not isinstance(n_contacts, (int, np.integer)) or n_contacts < 1:
        raise ParameterError("n_contacts", n_contacts, "a whole number of contacts >= 1")
    dwell = to_si(contact, "s", "contact")
    isi = to_si(interval, "s", "interval")
    if not (math.isfinite(dwell) and dwell > 0):
        raise ParameterError("contact", contact, "a contact time > 0 s")
    if not (math.isfinite(isi) and isi >= dwell):
        raise ParameterError("interval", interval, f"an interval from onset to onset >= the contact ({dwell:g} s)")
    n = int(n_contacts)
    return replace(one, stop=one.start + dwell, repeat=n, interval=float(isi) if n > 1 else 0.0)


def heat_ramp(peak, rate: float = 1.0, start=0.0, stop=None) -> PhysicalStimulus:
    """Contact heat rising from the 32 °C skin baseline at ``rate`` °C/s to ``peak``, then held until ``stop``.

    Parameters
    ----------
    peak : float, str or Quantity
        The temperature the ramp ends at, as :func:`painsim.fibers.heat` takes it (32-60 °C).
    rate : float
        Rate of rise, °C/s (> 0, at most 100: chosen, far above the 0.3-6 °C/s of the sources; a
        faster rise is a step); the DFNS protocol ramps at 1 °C/s (Rolke et al. 2006 [recalled]),
        Yarnitsky et al. 1992 at 0.3, 2 and 6 °C/s.
    start, stop : Quantity (s), optional
        Onset of the ramp at the baseline; end of the stimulus, where the skin is back at the baseline
        (default: the whole simulation; a ``stop`` before the peak ends the ramp there, as a subject
        stopping the thermode at threshold does).

    Returns
    -------
    PhysicalStimulus
        Kind ``"heat"`` with ``value = peak`` and ``ramp = rate``; its ``rates()`` are the fibres'
        rates at the peak (a step's), its ``spikes()`` follow the ramp (:func:`ramp_spikes`).
    """
    try:
        step = heat(peak, start, stop)
    except ParameterError as err:  # name this function's argument (heat() calls it celsius)
        if err.name != "celsius":
            raise
        raise err.renamed("peak") from None
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)) \
            or not (math.isfinite(rate) and 0 < rate <= 100):
        raise ParameterError("rate", rate, "a rate of rise in °C/s, a number in (0, 100]")
    return replace(step, ramp=float(rate))


def _ramp(stimulus) -> PhysicalStimulus:
    """``stimulus`` if it is a heat ramp (:func:`heat_ramp`), else a ParameterError: a step (``ramp = 0``)
    divided by zero in :func:`ramp_end` and stayed at the baseline in :func:`ramp_temperature` and
    :func:`ramp_rates` (no rate at all, silently)."""
    if not isinstance(stimulus, PhysicalStimulus) or not stimulus.ramp > 0:
        raise ParameterError("stimulus", stimulus, "a heat ramp (heat_ramp(peak, rate)): a PhysicalStimulus "
                                                   "with ramp > 0",
                             hint="a step is heat(); its temperature is its value from start to stop")
    return stimulus


def ramp_temperature(stimulus: PhysicalStimulus, t) -> np.ndarray:
    """The skin temperature (°C) of a ramp at times ``t`` (s): the 32 °C baseline before its onset and
    after its stop, rising at ``stimulus.ramp`` °C/s to ``stimulus.value``, then held.

    Parameters
    ----------
    stimulus : PhysicalStimulus
        A ramp (:func:`heat_ramp`): ``start`` and ``stop`` in s, ``ramp`` in °C/s, peak
        ``value`` in °C.
    t : float or array of float
        Times, s.

    Returns
    -------
    numpy.ndarray
        The skin temperature at each time, °C (the shape of ``t``).

    Raises
    ------
    painsim.errors.ParameterError
        ``stimulus`` is not a ramp, or ``t`` is not numbers.
    """
    _ramp(stimulus)
    t = floats(t, "t", "a number or an array of numbers")
    rise = np.minimum(SKIN_BASELINE + stimulus.ramp * np.clip(t - stimulus.start, 0.0, None), stimulus.value)
    on = (t >= stimulus.start) & ((t < stimulus.stop) if stimulus.stop is not None else True)
    return np.where(on, rise, SKIN_BASELINE)


def ramp_end(stimulus: PhysicalStimulus, celsius=None):
    """When (s) a ramp reaches ``celsius`` (°C, a number or an array; default its peak).

    Parameters
    ----------
    stimulus : PhysicalStimulus
        A ramp (:func:`heat_ramp`).
    celsius : float or array of float, optional
        Temperature, °C (default: the peak, ``stimulus.value``).

    Returns
    -------
    float or numpy.ndarray
        ``start + (celsius - 32 °C) / ramp``, s (not clipped to the peak or to ``stop``).

    Raises
    ------
    painsim.errors.ParameterError
        ``stimulus`` is not a ramp (a step: was a ZeroDivisionError), or ``celsius`` is not numbers.
    """
    _ramp(stimulus)
    target = stimulus.value if celsius is None else floats(celsius, "celsius", "a number or an array of numbers")
    return stimulus.start + (target - SKIN_BASELINE) / stimulus.ramp


def ramp_rates(stimulus: PhysicalStimulus, class_name: str, n_fibres: int, seed: int, duration: float,
               fibres=None) -> tuple[np.ndarray, np.ndarray]:
    """Each fibre's rate (Hz) on a grid of :data:`RAMP_DT` over ``[0, duration)``: ``(t, rates)``
    with ``rates`` of shape ``(len(fibres), t.size)`` (``fibres``: indices among the ``n_fibres``,
    default all); the fibres' thresholds are those of :func:`painsim.fibers.heat` for ``seed``.

    Parameters
    ----------
    stimulus : PhysicalStimulus
        A ramp (:func:`heat_ramp`).
    class_name : str
        Fiber class, one of :data:`painsim.anatomy.FIBER_CLASSES`.
    n_fibres : int
        Fibres of the class (the thresholds are drawn for all of them).
    seed : int
        The point's seed, which draws the thresholds.
    duration : float
        End of the grid, s.
    fibres : array of int, optional
        Indices of the fibres returned (default all).

    Returns
    -------
    t : numpy.ndarray
        Times of the grid, s.
    rates : numpy.ndarray
        Rate of each fibre at each time, Hz (zero for a class without heat response).

    Raises
    ------
    painsim.errors.ParameterError
        ``stimulus`` is not a ramp (a step gave rate 0 everywhere), ``class_name`` is not a fiber
        class, ``n_fibres`` or ``seed`` not a whole number >= 0, ``duration`` not a finite time
        > 0 s, or ``fibres`` not indices in ``0 .. n_fibres - 1`` (were an IndexError, or -1 read
        as the last fibre).
    """
    _ramp(stimulus)
    _checked_class(class_name)
    n_fibres = whole(n_fibres, "n_fibres", 0, allow_float=True)
    duration = _duration(duration)
    t = np.arange(0.0, duration, RAMP_DT)
    t = t[t < duration]
    fibres = np.arange(n_fibres) if fibres is None else _indices(fibres, n_fibres)
    subtypes = HEAT_RESPONSE[class_name]
    rates = np.zeros((fibres.size, t.size))
    if not subtypes or t.size == 0:
        return t, rates
    _, subtype, theta = thermal_draw(stimulus.value, subtypes, int(n_fibres), threshold_rng(seed, class_name, "heat"))
    subtype, theta = subtype[fibres], theta[fibres]
    temperature = ramp_temperature(stimulus, t)
    for j, s in enumerate(subtypes):
        members = np.flatnonzero(subtype == j)
        static = np.clip(s.slope * (temperature[None, :] - theta[members, None]), 0.0, s.max_rate)
        if s.plateau < 1:  # the step adaptation as a linear filter: y = s (p r + (1 - p) x)
            from scipy.signal import lfilter  # scipy.signal is heavy: loaded by the first ramp
            scale = adaptation_profile(0.0, s.plateau, s.adaptation_tau)[0]  # s g(0) = s
            change = np.diff(static, axis=1, prepend=0.0)
            x = lfilter([1.0], [1.0, -math.exp(-RAMP_DT / s.adaptation_tau)], change, axis=1)
            static = np.clip(scale * (s.plateau * static + (1 - s.plateau) * x), 0.0, None)
        rates[members] = static
    return t, rates


def _indices(fibres, n: int) -> np.ndarray:
    """``fibres`` as indices into ``n`` fibres, whole numbers in ``0 .. n - 1``."""
    idx = np.asarray(fibres)
    if idx.dtype == bool or not (np.issubdtype(idx.dtype, np.integer) or idx.size == 0) or idx.ndim != 1 \
            or (idx.size and (idx.min() < 0 or idx.max() >= n)):
        raise ParameterError("fibres", fibres, f"fibre indices, whole numbers in 0..{n - 1}")
    return idx.astype(np.int64)


#: Fibres whose rates are held in memory at once by :func:`ramp_spikes` (chosen: ~100 MB at 60 s)
RAMP_CHUNK = 128


def ramp_spikes(stimulus: PhysicalStimulus, class_name: str, n_fibres: int, duration: float, seed: int,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Inhomogeneous Poisson spikes ``(times, fibre ids)`` of a ramp (:func:`ramp_rates`) in
    ``[start, min(stop, duration))``, by inverting each fibre's integrated rate (time rescaling), :data:`RAMP_CHUNK`
    fibres at a time; ``rng`` is the caller's stream.

    Parameters
    ----------
    stimulus : PhysicalStimulus
        A ramp (:func:`heat_ramp`).
    class_name : str
        Fiber class, as :func:`ramp_rates`.
    n_fibres : int
        Fibres of the class.
    duration : float
        Simulated time, s.
    seed : int
        The point's seed, which draws the thresholds.
    rng : numpy.random.Generator
        Draws the spikes.

    Returns
    -------
    times : numpy.ndarray
        Spike times in ``[start, min(stop, duration))``, s (grouped by fibre, not sorted in time).
    ids : numpy.ndarray
        Fibre index (int64) of each spike.

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`ramp_rates` (also with no fibres, before any is drawn), or ``rng`` not a numpy
        Generator.
    """
    _ramp(stimulus)
    _checked_class(class_name)
    n_fibres = whole(n_fibres, "n_fibres", 0, allow_float=True)
    duration = _duration(duration)
    if not isinstance(rng, np.random.Generator):
        raise ParameterError("rng", rng, "a numpy.random.Generator (the caller's natural stream)")
    times, ids = [np.zeros(0)], [np.zeros(0, dtype=np.int64)]
    for first in range(0, int(n_fibres), RAMP_CHUNK):
        chunk = np.arange(first, min(first + RAMP_CHUNK, int(n_fibres)))
        t, rates = ramp_rates(stimulus, class_name, n_fibres, seed, duration, chunk)
        if not rates.size or not np.any(rates > 0):
            continue
        grid = np.append(t, min(t[-1] + RAMP_DT, duration))
        cumulative = np.concatenate([np.zeros((chunk.size, 1)), np.cumsum(rates * np.diff(grid), axis=1)], axis=1)
        counts = rng.poisson(cumulative[:, -1])
        times += [np.interp(rng.uniform(0.0, cumulative[i, -1], c), cumulative[i], grid) for i, c in enumerate(counts)]
        ids.append(np.repeat(chunk.astype(np.int64), counts))
    times, ids = np.concatenate(times), np.concatenate(ids)
    # the 1 ms grid gives a cell holding start or stop its left edge's temperature: cut there too
    # (an inhomogeneous Poisson train restricted to an interval is still one)
    end = duration if stimulus.stop is None else min(duration, stimulus.stop)
    keep = (times >= stimulus.start) & (times < end)
    return times[keep], ids[keep]


RAMP_ENCODER[0] = ramp_spikes
