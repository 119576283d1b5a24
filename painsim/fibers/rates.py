"""Per-fiber rates and spike trains of the physical natural stimuli.

Formerly part of :mod:`painsim.fibers.encoding`, which re-exports everything below: each fiber's
threshold (or gain) drawn from its own random stream (:func:`threshold_rng`), its rate under a
response function of :mod:`painsim.fibers.responses`, the class means those draws average to
(:func:`expected_heat_rate`, :func:`expected_cold_rate`), and the homogeneous and adapting Poisson
spike trains the rates give.  All numpy, no brian2.
"""
from __future__ import annotations

import math

import numpy as np

from ..anatomy import FIBER_CLASSES
from ..checks import whole
from ..errors import ParameterError, nearest
from ..rng import rng_for
from ..units import to_celsius
from .responses import (COLD_RESPONSE, HEAT_RESPONSE, RATE_WINDOW, BrushResponse, ForceResponse, HeatResponse,
                        _check_adaptation)

__all__ = ["MODALITY_CODE", "SKIN_BASELINE", "MAX_TEMPERATURE", "MIN_TEMPERATURE", "threshold_rng",
           "poisson_trains", "adaptation_profile", "adapting_trains", "thermal_draw", "expected_heat_rate",
           "expected_cold_rate"]

#: extra integer of the "threshold" stream per modality (fixed; never renumber)
MODALITY_CODE = {"heat": 1, "pinprick": 2, "brush": 3, "cold": 4}

# The contact temperatures accepted, here (not in painsim.fibers.encoding, which re-exports them) so that
# expected_heat_rate checks the range heat() accepts.
#: °C; resting skin temperature of contact-heat testing (DFNS baseline 32 °C, Rolke et al.
#: 2006 Pain 123:231)
SKIN_BASELINE = 32.0
#: °C; hottest contact accepted: the response functions of :mod:`painsim.fibers.responses` are
#: measured up to 49-53 °C (LaMotte & Campbell 1978; Treede et al. 1995); chosen: 60 °C leaves room
#: above them, hotter contact burns the skin within seconds
MAX_TEMPERATURE = 60.0
#: °C; coldest contact accepted: the DFNS thermode's cut-off (Rolke et al. 2006 Pain 123:231
#: [recalled]); chosen as the floor because the cold response functions of
#: :mod:`painsim.fibers.responses` come from stimuli of 19-0 °C (Campero et al. 1996) and colder
#: contact risks freezing injury
MIN_TEMPERATURE = 0.0


def _checked_class(class_name, name: str = "class_name") -> str:
    """``class_name`` if it is a fiber class of :data:`painsim.anatomy.FIBER_CLASSES`, else a
    :class:`~painsim.errors.ParameterError` about ``name`` (with the nearest class as a hint)."""
    if not isinstance(class_name, str) or class_name not in FIBER_CLASSES:
        close = nearest(class_name, FIBER_CLASSES) if isinstance(class_name, str) else None
        raise ParameterError(name, class_name, f"a fiber class, one of {FIBER_CLASSES}",
                             hint=f"did you mean {close!r}?" if close else None)
    return class_name


def _checked_seed(seed, name: str = "seed") -> int:
    """``seed`` as an int: a whole number >= 0 (an int of any size, or a float with a whole value), else
    a ParameterError naming ``name`` (a negative seed was a bare ValueError from numpy, text one from
    int(), and a fractional one was truncated)."""
    return whole(seed, name, 0, allow_float=True)


def _checked_window(start, stop) -> None:
    """Refuse a ``start`` or ``stop`` (s) that is not a finite plain number (NaN or inf made numpy fail
    deep inside, ``"1 s"`` gave a bare TypeError)."""
    for name, value in (("start", start), ("stop", stop)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not math.isfinite(value):
            raise ParameterError(name, value, "a finite time in s (a plain number)")


def _checked_rates(rates) -> np.ndarray:
    rates = np.asarray(rates, dtype=float)
    if not np.all(np.isfinite(rates)):
        raise ParameterError("rates", rates[~np.isfinite(rates)][:3], "finite rates in Hz (negative ones count as 0)")
    return rates


def threshold_rng(seed: int, class_name: str, kind: str) -> np.random.Generator:
    """The generator of one point's fiber thresholds of ``class_name`` for ``kind``.

    Parameters
    ----------
    seed : int
        The point's seed.
    class_name : str
        A fiber class of :data:`painsim.anatomy.FIBER_CLASSES`.
    kind : {"heat", "pinprick", "brush", "cold"}
        The modality (a key of :data:`MODALITY_CODE`).

    Returns
    -------
    numpy.random.Generator
        ``rng_for(seed, "threshold", k, MODALITY_CODE[kind])``, ``k`` the class's index: the
        same stream, hence the same fibers, whatever the stimulus value.

    Raises
    ------
    painsim.errors.ParameterError
        ``class_name`` is not a fiber class, ``kind`` not a modality, or ``seed`` not a whole
        number >= 0 (were a bare ValueError or KeyError, or a fractional seed truncated).
    """
    _checked_class(class_name)
    if not isinstance(kind, str) or kind not in MODALITY_CODE:
        raise ParameterError("kind", kind, f"a modality, one of {tuple(MODALITY_CODE)}")
    seed = _checked_seed(seed)
    return rng_for(seed, "threshold", FIBER_CLASSES.index(class_name), MODALITY_CODE[kind])


def poisson_trains(rates: np.ndarray, start: float, stop: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Homogeneous Poisson spikes of independent fibers, fiber ``i`` at ``rates[i]`` (Hz),
    in ``[start, stop)``; returns ``(times, ids)`` (unsorted).

    Parameters
    ----------
    rates : array of float
        Rate of each fiber, Hz (negative rates count as 0).
    start, stop : float
        The window, s.
    rng : numpy.random.Generator
        Draws the spike counts, then the times.

    Returns
    -------
    times : ndarray of float
        Spike times, s, in ``[start, stop)``, not sorted.
    ids : ndarray of int64
        The fiber (index into ``rates``) of each spike.  Both are empty, and nothing is drawn
        from ``rng``, for an empty window or no rate > 0.

    Raises
    ------
    painsim.errors.ParameterError
        A rate that is NaN or infinite (NaN was dropped silently), or a ``start`` or ``stop`` that
        is not a finite number.
    """
    _checked_window(start, stop)
    rates = _checked_rates(rates)
    if stop <= start or rates.size == 0 or not np.any(rates > 0):
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    counts = rng.poisson(np.clip(rates, 0.0, None) * (stop - start))
    ids = np.repeat(np.arange(rates.size, dtype=np.int64), counts)
    return rng.uniform(start, stop, ids.size), ids


def adaptation_profile(t, plateau: float, tau: float) -> tuple[np.ndarray, np.ndarray]:
    """Relative rate ``s g(t)`` of an adapting fiber at ``t`` s after the onset of a step,
    and its integral ``s G(t)`` (s), where ``g(t) = plateau + (1 - plateau) exp(-t / tau)``
    and ``s = RATE_WINDOW / G(RATE_WINDOW)``, so that the mean over the first
    :data:`RATE_WINDOW` seconds is 1 (``plateau = 1``: 1 at every ``t``).

    Parameters
    ----------
    t : float or array of float
        Times after the onset, s.
    plateau : float
        Late over initial discharge, in [0, 1].
    tau : float
        Time constant of the decline, s (> 0 when ``plateau < 1``).

    Returns
    -------
    rate : ndarray
        ``s g(t)``, the rate relative to the mean over :data:`RATE_WINDOW`.
    integral : ndarray
        ``s G(t)``, its integral from the onset, s.

    Raises
    ------
    painsim.errors.ParameterError
        ``plateau`` outside [0, 1], or ``tau`` not finite and > 0 while ``plateau < 1``.
    """
    _check_adaptation(plateau, tau)
    t = np.asarray(t, dtype=float)
    if plateau == 1:
        return np.ones_like(t), t.copy()
    G = lambda u: plateau * u + (1 - plateau) * tau * -np.expm1(-u / tau)  # noqa: E731
    s = RATE_WINDOW / G(RATE_WINDOW)
    return s * (plateau + (1 - plateau) * np.exp(-t / tau)), s * G(t)


def adapting_trains(rates: np.ndarray, start: float, stop: float, plateau: float, tau: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Inhomogeneous Poisson spikes of independent fibers whose rate adapts from the onset
    ``start``: fiber ``i`` at ``rates[i] * s g(t - start)`` (:func:`adaptation_profile`) in
    ``[start, stop)``; returns ``(times, ids)`` (unsorted).  ``plateau = 1`` is a homogeneous
    train (drawn like :func:`poisson_trains` here, not with its random numbers).  Times by
    inverting the integrated rate (time rescaling), on a grid of 1 ms while the rate changes
    (20 time constants) and a coarse one after it, where the integral is linear.

    Parameters
    ----------
    rates : array of float
        Each fiber's mean rate over the first :data:`RATE_WINDOW` s, Hz (negative rates
        count as 0).
    start, stop : float
        The window, s; ``start`` is the onset the adaptation runs from.
    plateau, tau : float
        The adaptation, as :func:`adaptation_profile`.
    rng : numpy.random.Generator
        Draws the spike counts, then the times.

    Returns
    -------
    times : ndarray of float
        Spike times, s, in ``[start, stop)``, not sorted.
    ids : ndarray of int64
        The fiber of each spike; both empty for an empty window or no rate > 0.

    Raises
    ------
    painsim.errors.ParameterError
        ``plateau`` or ``tau`` refused by :func:`adaptation_profile`, a rate that is NaN or
        infinite, or a ``start`` or ``stop`` that is not a finite number.
    """
    _checked_window(start, stop)
    rates = _checked_rates(rates)
    if stop <= start or rates.size == 0 or not np.any(rates > 0):
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    span = stop - start
    fine = min(span, 20.0 * tau) if plateau < 1 else span
    grid = np.linspace(0.0, fine, max(2, int(math.ceil(min(fine, 60.0) / 1e-3)) + 1))
    if span > fine:
        grid = np.concatenate([grid, np.linspace(fine, span, 1001)[1:]])
    _, cumulative = adaptation_profile(grid, plateau, tau)
    counts = rng.poisson(np.clip(rates, 0.0, None) * cumulative[-1])
    ids = np.repeat(np.arange(rates.size, dtype=np.int64), counts)
    return start + np.interp(rng.uniform(0.0, cumulative[-1], ids.size), cumulative, grid), ids


# ==========================================================================
# Encodings
# ==========================================================================
def thermal_draw(celsius: float, subtypes: tuple[HeatResponse, ...], n: int, rng,
                 cooling: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-fiber rates at ``celsius``, subtype index (-1: not sensitive) and threshold (°C, nan for
    -1), from ``rng`` (:func:`threshold_rng`); ``cooling``: fibers fire below their threshold.

    Parameters
    ----------
    celsius : float
        The contact temperature, °C.
    subtypes : tuple of HeatResponse
        The class's subtypes (:data:`HEAT_RESPONSE` or :data:`COLD_RESPONSE`); each takes the
        next ``fraction`` of the fibers, the rest respond to nothing.
    n : int
        Number of fibers.
    rng : numpy.random.Generator
        Draws ``n`` uniforms (subtypes), then ``n`` normals (thresholds), whatever ``celsius``:
        fiber ``i``'s subtype is the same for every ``n > i``, its threshold is not (the normals
        start after the ``n`` uniforms), so a fiber's heat or cold threshold is redrawn when the
        class size changes (docs/stimuli.md, "Randomness and class size"; kept: changing the draw moves every
        heat and cold number of the validation table).
    cooling : bool
        Fibers fire ``slope * (theta - celsius)`` below their threshold (cold) instead of
        ``slope * (celsius - theta)`` above it (heat).

    Returns
    -------
    rates : ndarray of float
        Each fiber's rate, Hz, clipped to ``[0, max_rate]`` of its subtype.
    subtype : ndarray of int
        Index into ``subtypes``, -1 for a fiber of none.
    thresholds : ndarray of float
        Each fiber's threshold, °C (nan for -1).

    Raises
    ------
    painsim.errors.ParameterError
        ``n`` not a whole number >= 0.
    """
    n = whole(n, "n", 0, allow_float=True)
    u = rng.random(n)                  # subtype of each fiber
    z = rng.standard_normal(n)         # its threshold, in sd of its subtype
    rates, subtype, thresholds = np.zeros(n), np.full(n, -1), np.full(n, np.nan)
    lo = 0.0
    for j, s in enumerate(subtypes):
        member = (u >= lo) & (u < lo + s.fraction)
        lo += s.fraction
        subtype[member] = j
        theta = thresholds[member] = s.threshold_mean + s.threshold_sd * z[member]
        rates[member] = np.clip(s.slope * ((theta - celsius) if cooling else (celsius - theta)), 0.0, s.max_rate)
    return rates, subtype, thresholds


def _force_rates(force: float, r: ForceResponse | None, n: int, rng) -> np.ndarray:
    z = rng.standard_normal(n)
    if r is None or force <= 0:
        return np.zeros(n)
    theta = r.threshold_median * np.exp(r.threshold_log_sd * z)
    return r.max_rate * np.clip(np.log2(force / theta) / r.octaves, 0.0, 1.0)


def _brush_rates(velocity: float, r: BrushResponse | None, n: int, rng) -> np.ndarray:
    z = rng.standard_normal(n)
    if r is None or velocity <= 0:
        return np.zeros(n)
    gain = np.exp(r.gain_log_sd * z)
    return np.minimum(r.max_rate, gain * r.rate_ref * (velocity / r.v_ref) ** r.exponent)


def expected_heat_rate(celsius: float, class_name: str) -> float:
    """Mean rate (Hz) over a class's fibers at ``celsius``, from the threshold
    distribution (no sampling): for a subtype with threshold ``N(mu, sd)`` and
    slope ``k``, ``E[k (T - theta)+] = k (sd phi(z) + (T - mu) Phi(z))``,
    ``z = (T - mu) / sd`` (the ``max_rate`` cap ignored: check ``T`` below it).  For heat,
    the mean over the first :data:`RATE_WINDOW` s of a step (C fibers adapt around it).

    Parameters
    ----------
    celsius : float, str or Quantity
        The contact temperature: a number in °C, ``"47 °C"`` or a temperature in K; the range of
        :func:`painsim.fibers.heat` from its default baseline, :data:`SKIN_BASELINE` (32 °C), to
        :data:`MAX_TEMPERATURE` (60 °C).
    class_name : str
        A fiber class of :data:`painsim.anatomy.FIBER_CLASSES` (a key of :data:`HEAT_RESPONSE`).

    Returns
    -------
    float
        The class mean, Hz (0 for a class without heat response).

    Raises
    ------
    painsim.errors.ParameterError
        ``class_name`` is not a fiber class (was a bare KeyError), ``celsius`` is not a finite
        temperature (a bool, text that is no temperature, NaN: was a bare TypeError or a NaN rate), or
        it lies outside 32-60 °C (1000 °C gave a rate of ~1000 Hz far beyond the response functions'
        data; below the baseline, with the hint that cooling is :func:`expected_cold_rate`).
    """
    t = to_celsius(celsius, "celsius")
    if not SKIN_BASELINE <= t <= MAX_TEMPERATURE:
        raise ParameterError("celsius", celsius, f"a temperature from the {SKIN_BASELINE:g} °C baseline to "
                                                 f"{MAX_TEMPERATURE:g} °C, the range of heat()",
                             hint="cooling is expected_cold_rate()" if t < SKIN_BASELINE else None)
    return _expected_rate(t, HEAT_RESPONSE[_checked_class(class_name)], +1)


def expected_cold_rate(celsius: float, class_name: str) -> float:
    """Mean rate (Hz) over a class's fibers at ``celsius`` of contact cold, as
    :func:`expected_heat_rate` with the excess below threshold, ``E[k (theta - T)+]``.

    Parameters
    ----------
    celsius : float, str or Quantity
        The contact temperature: a number in °C, ``"3 °C"`` or a temperature in K; the range of
        :func:`painsim.fibers.cold`, :data:`MIN_TEMPERATURE` (0 °C) to :data:`SKIN_BASELINE` (32 °C).
    class_name : str
        A key of :data:`COLD_RESPONSE`.

    Returns
    -------
    float
        The class mean, Hz (0 for a class without cold response; the ``max_rate`` cap ignored).

    Raises
    ------
    painsim.errors.ParameterError
        ``class_name`` is not a fiber class (was a bare KeyError), ``celsius`` is not a finite
        temperature (a bool, text that is no temperature, NaN: was a bare TypeError or a NaN rate), or
        it lies outside 0-32 °C (beyond the response functions' data; above the baseline, with the
        hint that warming is :func:`expected_heat_rate`).
    """
    t = to_celsius(celsius, "celsius")
    if not MIN_TEMPERATURE <= t <= SKIN_BASELINE:
        raise ParameterError("celsius", celsius, f"a temperature from {MIN_TEMPERATURE:g} °C to the "
                                                 f"{SKIN_BASELINE:g} °C baseline, the range of cold()",
                             hint="warming is expected_heat_rate()" if t > SKIN_BASELINE else None)
    return _expected_rate(t, COLD_RESPONSE[_checked_class(class_name)], -1)


def _expected_rate(celsius: float, subtypes: tuple[HeatResponse, ...], sign: int) -> float:
    total = 0.0
    for s in subtypes:
        excess = sign * (celsius - s.threshold_mean)  # mean distance past the threshold
        z = excess / s.threshold_sd
        pdf = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        cdf = 0.5 * (1 + math.erf(z / math.sqrt(2)))
        total += s.fraction * s.slope * (s.threshold_sd * pdf + excess * cdf)
    return total

