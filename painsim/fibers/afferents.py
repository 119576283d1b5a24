"""The afferents of one simulated point and their spike trains.

Data types and primitives shared by every source of afferent spikes:

* :class:`NaturalStimulus` / :func:`natural` -- a touch or noxious stimulus of
  constant intensity, encoded as a Poisson rate per fiber class;
* :class:`FiberSet` -- the per-class conduction velocities and thresholds of
  one point, drawn from its seed;
* :class:`AfferentSpikes` -- the spikes of one class as they arrive in the
  dorsal horn;
* :func:`poisson_train` and :func:`apply_dead_time` -- homogeneous Poisson
  trains and the 1 ms absolute refractory period of an axon.

Everything here is numpy (the dead-time pass is a small numba loop, run in Python for
small inputs while numba is not loaded: :data:`PYTHON_DEAD_TIME_MAX`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..anatomy import FIBER_CLASSES
from ..checks import is_number, whole
from ..errors import ParameterError
from ..jit import njit, numba_loaded
from ..rng import rng_for
from ..units import to_celsius, to_si
from .encoding import MAX_TEMPERATURE, SKIN_BASELINE, PhysicalStimulus
from .rates import _checked_seed

__all__ = ["NaturalStimulus", "natural", "temperature_meant", "intensity_shorthand", "AfferentSpikes", "FiberSet",
           "poisson_train", "dead_time_mask",
           "PYTHON_DEAD_TIME_MAX", "DEAD_TIME_TOLERANCE",
           "apply_dead_time", "DEAD_TIME"]

DEAD_TIME = 1e-3  # s; absolute refractory period of an axon (~1 ms, textbook)

#: Gap (s) by which two spikes of a fiber may fall short of the dead time and still both be
#: kept: a pulse train at exactly 1/dead time (1 kHz) has onsets ``k / rate`` whose
#: differences round to just under 1 ms (and differently per fiber once conduction delays
#: are added), which dropped 9-14 % of a 1 kHz train's pulses.  Chosen: 1e-9 s, far above
#: float64 rounding of times up to hours (~1e-12 s) and far below the biophysical kernel's
#: time step (2 us by default) or any physical interval, so no spike a real dead time would
#: drop is kept.
DEAD_TIME_TOLERANCE = 1e-9


@dataclass(frozen=True)
class NaturalStimulus:
    """A natural stimulus of constant ``intensity`` (0-1) during [start, stop).

    Parameters
    ----------
    intensity : float
        0 (none) to 1 (maximal).
    start : float
        Onset, in s.
    stop : float or None
        End, in s; None: the end of the simulation.

    Raises
    ------
    painsim.errors.ParameterError
        ``intensity`` not a number in [0, 1] (2 doubled the class's maximal rate), ``start`` not
        finite and >= 0, or ``stop`` not None or a finite time after ``start`` (``stop = start``, an
        empty stimulus, as :func:`natural` refuses it).
    """

    intensity: float
    start: float = 0.0
    stop: float | None = None

    def __post_init__(self):
        if not (is_number(self.intensity) and 0.0 <= self.intensity <= 1.0):
            raise ParameterError("intensity", self.intensity, "an intensity between 0 and 1",
                                 hint="natural() reads quantities and temperatures")
        if not (is_number(self.start) and self.start >= 0):
            raise ParameterError("start", self.start, "a time >= 0 s (a finite number)")
        if self.stop is not None and not (is_number(self.stop) and self.stop > self.start):
            # stop = start was accepted: an empty stimulus that never acts (natural() refuses it)
            raise ParameterError("stop", self.stop, "None or a time in s after start (start < stop, a finite number)")

    def rate_factor(self, duration: float) -> tuple[float, float, float]:
        """``(intensity, start, stop)`` with ``stop`` clipped to ``duration`` (s).

        Parameters
        ----------
        duration : float
            The simulated duration, in s.

        Returns
        -------
        tuple of float
        """
        stop = duration if self.stop is None else min(self.stop, duration)
        return self.intensity, self.start, stop


def natural(intensity: float = 0.0, start=0.0, stop=None, name="intensity") -> NaturalStimulus:
    """A natural (touch or noxious) stimulus.

    Parameters
    ----------
    intensity : float
        0 (none) to 1 (maximal); scales the class's ``max_rate``.
    start, stop : Quantity (s), optional
        When the stimulus is on; default: the whole simulation.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    NaturalStimulus or PhysicalStimulus
        ``intensity`` itself if it is already a stimulus.

    Raises
    ------
    painsim.errors.ParameterError
        ``intensity`` outside [0, 1] (a temperature with the hint of :func:`heat` or :func:`cold`),
        ``start`` not a finite time >= 0 s, or ``stop`` not a finite time after ``start``.
    painsim.errors.UnitError
        A ``start`` or ``stop`` without a time unit.
    """
    if isinstance(intensity, (NaturalStimulus, PhysicalStimulus)):
        return intensity
    try:
        i = to_si(intensity, "1", name)
    except ParameterError:
        hint = _temperature_hint(intensity, name)
        if hint is None:
            raise
        raise ParameterError(name, intensity, "an intensity between 0 and 1", hint=hint) from None
    if not 0.0 <= i <= 1.0:
        # 47 is more likely meant as °C than as an intensity (2 as neither)
        hint = _temperature_hint(i, name)
        raise ParameterError(name, intensity, "an intensity between 0 and 1", hint=hint)
    t0 = to_si(start, "s", "start") if start else 0.0
    t1 = to_si(stop, "s", "stop") if stop is not None else None
    if not (math.isfinite(t0) and t0 >= 0):  # was refused naming stop (= None)
        raise ParameterError("start", start, "a time >= 0 s (finite)")
    if t1 is not None and not (math.isfinite(t1) and t1 > t0):  # stop = start: a stimulus that never acts
        raise ParameterError("stop", stop, "None or a time after start (0 <= start < stop, finite)")
    return NaturalStimulus(i, t0, t1)


def temperature_meant(value, name: str = "intensity") -> tuple[str, float] | None:
    """The physical stimulus a temperature given as an intensity means: ``("heat", 47.0)`` for
    ``"47 degC"``, ``"320 K"`` or a plain 47 (a number above the 32 °C skin baseline, at most
    60 °C: more likely meant as °C than as an intensity; 2 is neither), ``("cold", ...)`` below
    the baseline; None when ``value`` reads as no temperature.

    Parameters
    ----------
    value : str, int or float
        What was given as an intensity.
    name : str
        Its name (for :func:`painsim.units.to_celsius`).

    Returns
    -------
    tuple of (str, float) or None
        The :mod:`painsim.fibers` function (``"heat"`` or ``"cold"``) and the temperature in °C.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    if not isinstance(value, str) and not SKIN_BASELINE < value <= MAX_TEMPERATURE:
        return None
    try:
        celsius = to_celsius(value, name)
    except ParameterError:
        return None
    return ("heat" if celsius >= SKIN_BASELINE else "cold"), celsius


def intensity_shorthand(value, name: str) -> None:
    """Refuse an intensity shorthand of a file (``noxious``, ``touch``: a number in [0, 1]) that is
    not one: true, or text such as ``"0.5"``, would be read as an intensity, and 5 was refused only
    when the simulation started, under an internal name (``requests[0].noxious``).

    Parameters
    ----------
    value : object
        The value as the file (or a mapping given for one) holds it.
    name : str
        Its key, named in the error (``condition[0].noxious``, ``test.noxious``).

    Raises
    ------
    painsim.errors.ParameterError
        Not a number (a text, a boolean, a table), a temperature written as an intensity (the
        hint names the physical stimulus), or a number outside [0, 1].
    """
    allowed = "an intensity between 0 and 1 (a number)"
    if isinstance(value, (bool, str)) or not isinstance(value, (int, float)):
        hint = (f"write the number without quotes ({name.rsplit('.', 1)[-1]} = 0.5), or give a physical "
                "stimulus (heat, cold, pinprick, brush)") if isinstance(value, str) else None
        raise ParameterError(name, value, allowed, hint=hint)
    meant = temperature_meant(value, name)  # 47: a temperature, written as a file writes it
    if meant is not None and not 0 <= value <= 1:
        where = name.rsplit(".", 1)[0]
        raise ParameterError(name, value, allowed, hint=f"a temperature is a physical stimulus: {meant[0]} = "
                                                        f"{meant[1]:g} in {where} (°C) instead of {name.rsplit('.', 1)[-1]}")
    natural(value, name=name)  # the range


def _temperature_hint(value, name: str) -> str | None:
    """The hint of :func:`natural` for a temperature given as an intensity (:func:`temperature_meant`)."""
    meant = temperature_meant(value, name)
    if meant is None:
        return None
    make, celsius = meant
    return (f"an intensity is a fraction of the maximal rate; a thermode temperature is a physical stimulus: "
            f"{name}={make}({celsius:g}), painsim.fibers.{make}")


@dataclass(frozen=True)
class AfferentSpikes:
    """Spikes of one fiber class as they arrive in the dorsal horn.

    Parameters
    ----------
    times : ndarray
        Arrival times, in s, sorted.
    fibers : ndarray
        Index of each spike's fiber within the class.
    n : int
        Number of fibers of the class.
    """

    times: np.ndarray  # s, sorted
    fibers: np.ndarray  # fiber index within the class
    n: int

    @classmethod
    def merge(cls, parts: list[tuple[np.ndarray, np.ndarray]], n: int) -> "AfferentSpikes":
        """Spikes of several ``(times, fibers)`` parts, sorted by time, then fiber.

        Parameters
        ----------
        parts : list of (ndarray, ndarray)
            Spike times (s) and fiber indices of each part.
        n : int
            Number of fibers of the class.

        Returns
        -------
        AfferentSpikes
        """
        if not parts:
            return cls(np.zeros(0), np.zeros(0, dtype=np.int64), n)
        t = np.concatenate([p[0] for p in parts])
        i = np.concatenate([p[1] for p in parts]).astype(np.int64)
        order = np.lexsort((i, t))
        return cls(t[order], i[order], n)


@dataclass(frozen=True)
class FiberSet:
    """The afferents of one simulated point: per-class velocities and thresholds.

    Parameters
    ----------
    counts : mapping
        Class -> number of fibers.
    velocity : mapping
        Class -> conduction velocity per fiber, in m/s.
    threshold : mapping
        Class -> threshold per fiber, in multiples of the Aβ threshold.
    """

    counts: Mapping[str, int]
    velocity: Mapping[str, np.ndarray]       # m/s per fiber
    threshold: Mapping[str, np.ndarray]      # multiples of the Aβ threshold per fiber

    @classmethod
    def from_model(cls, params: Mapping[str, Any], seed: int) -> "FiberSet":
        """Draw one point's fibers from the ``afferents`` section (SI values).

        Parameters
        ----------
        params : mapping
            The ``afferents`` section: per class ``n``, ``velocity_min`` and ``velocity_max``
            (m/s), ``threshold`` and ``threshold_spread``.
        seed : int
            The point's seed.

        Returns
        -------
        FiberSet
            Velocities uniform in [velocity_min, velocity_max]; thresholds log-normal, median
            ``threshold``, log s.d. ``threshold_spread``.

        Raises
        ------
        painsim.errors.ParameterError
            A class's ``velocity_max`` below its ``velocity_min``, a class missing or its ``n`` not
            a whole number >= 0, or ``seed`` not a whole number >= 0 (were bare errors from numpy,
            or a fractional seed truncated).
        """
        seed = _checked_seed(seed)
        counts, vel, thr = {}, {}, {}
        for k, c in enumerate(FIBER_CLASSES):
            p = params.get(c) if isinstance(params, Mapping) else None
            if not isinstance(p, Mapping):
                raise ParameterError(f"afferents.{c}", p, "a table of the class (n, velocity_min, velocity_max, "
                                                         "threshold, threshold_spread)")
            n = whole(p["n"], f"afferents.{c}.n", 0, allow_float=True)
            counts[c] = n
            lo, hi = p["velocity_min"], p["velocity_max"]
            if hi < lo:
                raise ParameterError(f"afferents.{c}.velocity_max", hi, f">= velocity_min ({lo} m/s)")
            vel[c] = rng_for(seed, "velocity", k).uniform(lo, hi, n)
            spread = p["threshold_spread"]
            thr[c] = p["threshold"] * np.exp(rng_for(seed, "threshold", k).normal(0.0, spread, n))
        return cls(counts, vel, thr)


def poisson_train(rate: float, start: float, stop: float, n: int, rng: np.random.Generator):
    """Homogeneous Poisson spikes of ``n`` independent fibers at ``rate`` in [start, stop).

    Parameters
    ----------
    rate : float
        Rate per fiber, in Hz.
    start, stop : float
        The interval, in s.
    n : int
        Number of fibers.
    rng : numpy.random.Generator
        The random generator.

    Returns
    -------
    times : ndarray
        Spike times in s, not sorted; empty for ``rate <= 0``, ``stop <= start`` or ``n == 0``.
    ids : ndarray of int
        Fiber of each spike, non-decreasing.

    Raises
    ------
    painsim.errors.ParameterError
        ``rate``, ``start`` or ``stop`` not a finite number, ``n`` not a whole number >= 0, or
        ``rng`` not a numpy Generator (were bare errors from numpy).
    """
    for name, value in (("rate", rate), ("start", start), ("stop", stop)):
        if not is_number(value):
            raise ParameterError(name, value, "a finite number (Hz for the rate, s for the times)")
    n = whole(n, "n", 0, allow_float=True)
    if not isinstance(rng, np.random.Generator):
        raise ParameterError("rng", rng, "a numpy.random.Generator")
    if rate <= 0 or stop <= start or n == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    counts = rng.poisson(rate * (stop - start), n)
    ids = np.repeat(np.arange(n), counts)
    times = rng.uniform(start, stop, counts.sum())
    return times, ids


def apply_dead_time(times: np.ndarray, ids: np.ndarray, dead: float) -> tuple[np.ndarray, np.ndarray]:
    """Drop spikes closer than ``dead`` to the previous kept spike of the same fiber (a gap
    short of ``dead`` by at most :data:`DEAD_TIME_TOLERANCE`, float rounding, counts as ``dead``).

    Returns the kept ``(times, ids)`` sorted by fiber, then time.

    Parameters
    ----------
    times : ndarray
        Spike times, in s.
    ids : ndarray
        Fiber of each spike.
    dead : float
        Dead time, in s (e.g. :data:`DEAD_TIME`).

    Returns
    -------
    times : ndarray
        Kept spike times, in s, sorted by fiber, then time.
    ids : ndarray
        Fiber of each kept spike.

    Raises
    ------
    painsim.errors.ParameterError
        ``dead`` not a finite time >= 0 s (a negative or NaN dead time kept every spike), or
        ``ids`` not one per spike time.
    """
    if not (is_number(dead) and dead >= 0):
        raise ParameterError("dead", dead, "a dead time >= 0 s (a finite number, e.g. DEAD_TIME)")
    times, ids = np.asarray(times), np.asarray(ids)
    if times.shape != ids.shape:
        raise ParameterError("ids", ids.shape, f"one fiber per spike time (shape {times.shape})")
    if times.size == 0:
        return times, ids
    order = np.lexsort((times, ids))
    t, i = times[order], ids[order]
    if t.size > PYTHON_DEAD_TIME_MAX or numba_loaded():
        keep = dead_time_mask(t, i, dead)
    else:  # the same loop in Python, on Python floats: the same comparisons, the same result
        keep = dead_time_mask.py_func(t.tolist(), i.tolist(), dead)
    return t[keep], i[keep]


#: Up to this many spikes, and while numba is not loaded, the dead-time pass runs in Python
#: (~1 ms per 10 000 spikes) instead of importing numba and loading the kernel (~0.3-0.5 s):
#: a small simulation then never loads numba (issue 17, goal 3).  Chosen: the Python loop
#: stays under ~0.1 s, a fraction of numba's start-up.
PYTHON_DEAD_TIME_MAX = 50_000


@njit(cache=True)
def dead_time_mask(t, i, dead):
    """Which spikes of fiber-then-time sorted ``(t, i)`` lie at least ``dead`` after the
    previous kept spike of their fiber, up to :data:`DEAD_TIME_TOLERANCE` (numba kernel;
    ``dead_time_mask.py_func`` is the same loop in Python, which also takes lists).

    Parameters
    ----------
    t : ndarray or list of float
        Spike times in s, sorted by fiber, then time.
    i : ndarray or list of int
        Fiber of each spike.
    dead : float
        Dead time, in s.

    Returns
    -------
    ndarray of bool
        Whether each spike is kept.
    """
    keep = np.ones(len(t), np.bool_)
    last_t, last_i = -np.inf, -1
    shortest = dead - DEAD_TIME_TOLERANCE  # a gap of the dead time up to float rounding is kept
    for k in range(len(t)):
        if i[k] == last_i and t[k] - last_t < shortest:
            keep[k] = False
        else:
            last_t, last_i = t[k], i[k]
    return keep
