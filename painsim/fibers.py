"""Primary afferents: Aβ, Aδ and C fibers, and what makes them fire.

Three sources of afferent spikes reach the dorsal horn:

* natural stimuli -- touch drives Aβ fibers, noxious heat or pressure drives
  Aδ and C nociceptors -- encoded as Poisson rate processes per fiber class
  (with a 1 ms dead time);
* ectopic spontaneous firing of a fraction of C fibers, a pathology parameter
  of neuropathic pain (Devor 2009, Exp Brain Res 196:115);
* device pulses (:mod:`painsim.stimulation`), through a *recruitment model*
  that decides which fibers fire at each pulse.

Spike times are produced at the fibers' origin and delayed by the conduction
time to the dorsal horn (distance / conduction velocity, one velocity per
fiber drawn from the class range), so volleys arrive in the order and with
the dispersion that the velocities imply.  Everything here is numpy: the
network replays the result through brian2 ``SpikeGeneratorGroup``s.

The recruitment model used here, :class:`ThresholdFraction`, is the simple
one: every fiber has a fixed threshold (a lognormal spread around its class
threshold, expressed as a multiple of the Aβ threshold) and fires once per
pulse whose amplitude exceeds it, if not refractory.  :mod:`painsim.recruitment`
provides the biophysical alternative behind the same interface.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Protocol

import numba
import numpy as np

from .errors import ParameterError
from .stimulation import Waveform
from .units import to_si

__all__ = ["FIBER_CLASSES", "NaturalStimulus", "natural", "AfferentSpikes", "FiberSet",
           "ThresholdFraction", "Recruitment", "afferent_input", "poisson_train", "rng_for"]

FIBER_CLASSES = ("Abeta", "Adelta", "C")
#: Which fiber classes a device at each target can reach.  The dorsal columns
#: carry the ascending collaterals of large myelinated (Aβ) afferents only; a
#: peripheral nerve or the skin holds all three classes.
TARGET_CLASSES = {"dorsal_column": ("Abeta",), "peripheral_nerve": FIBER_CLASSES,
                  "skin": FIBER_CLASSES, "dorsal_root": FIBER_CLASSES}
DEAD_TIME = 1e-3  # s; absolute refractory period of an axon (~1 ms, textbook)

# Random streams: a point's randomness depends only on its seed and the stream.
STREAM = {"velocity": 1, "threshold": 2, "natural": 3, "ectopic": 4, "connectivity": 5,
          "initial": 6, "recruitment": 7, "tms": 8, "site": 9}


def rng_for(seed: int, stream: str, *extra: int) -> np.random.Generator:
    """Independent generator for one purpose of one point (seeded, reproducible)."""
    return np.random.default_rng([int(seed), STREAM[stream], *map(int, extra)])


@dataclass(frozen=True)
class NaturalStimulus:
    """A natural stimulus of constant ``intensity`` (0-1) during [start, stop)."""

    intensity: float
    start: float = 0.0
    stop: float | None = None

    def rate_factor(self, duration: float) -> tuple[float, float, float]:
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
    """
    if isinstance(intensity, NaturalStimulus):
        return intensity
    i = to_si(intensity, "1", name)
    if not 0.0 <= i <= 1.0:
        raise ParameterError(name, intensity, "an intensity between 0 and 1")
    t0 = to_si(start, "s", "start") if start else 0.0
    t1 = to_si(stop, "s", "stop") if stop is not None else None
    if t0 < 0 or (t1 is not None and t1 < t0):
        raise ParameterError("stop", stop, "0 <= start <= stop")
    return NaturalStimulus(i, t0, t1)


@dataclass(frozen=True)
class AfferentSpikes:
    """Spikes of one fiber class as they arrive in the dorsal horn."""

    times: np.ndarray  # s, sorted
    fibers: np.ndarray  # fiber index within the class
    n: int

    @classmethod
    def merge(cls, parts: list[tuple[np.ndarray, np.ndarray]], n: int) -> "AfferentSpikes":
        if not parts:
            return cls(np.zeros(0), np.zeros(0, dtype=np.int64), n)
        t = np.concatenate([p[0] for p in parts])
        i = np.concatenate([p[1] for p in parts]).astype(np.int64)
        order = np.lexsort((i, t))
        return cls(t[order], i[order], n)


@dataclass(frozen=True)
class FiberSet:
    """The afferents of one simulated point: per-class velocities and thresholds."""

    counts: Mapping[str, int]
    velocity: Mapping[str, np.ndarray]       # m/s per fiber
    threshold: Mapping[str, np.ndarray]      # multiples of the Aβ threshold per fiber

    @classmethod
    def from_model(cls, params: Mapping[str, Any], seed: int) -> "FiberSet":
        """Draw one point's fibers from the ``afferents`` section (SI values)."""
        counts, vel, thr = {}, {}, {}
        for k, c in enumerate(FIBER_CLASSES):
            p = params[c]
            n = int(p["n"])
            counts[c] = n
            lo, hi = p["velocity_min"], p["velocity_max"]
            if hi < lo:
                raise ParameterError(f"afferents.{c}.velocity_max", hi, f">= velocity_min ({lo} m/s)")
            vel[c] = rng_for(seed, "velocity", k).uniform(lo, hi, n)
            spread = p["threshold_spread"]
            thr[c] = p["threshold"] * np.exp(rng_for(seed, "threshold", k).normal(0.0, spread, n))
        return cls(counts, vel, thr)


class Recruitment(Protocol):
    """Interface of a recruitment model: which fibers fire at which time (at the electrode)."""

    def fire(self, waveform: Waveform, fibers: FiberSet, fiber_class: str,
             params: Mapping[str, Any], seed: int) -> tuple[np.ndarray, np.ndarray]:
        ...


def _apply_dead_time(times: np.ndarray, ids: np.ndarray, dead: float) -> tuple[np.ndarray, np.ndarray]:
    """Drop spikes closer than ``dead`` to the previous kept spike of the same fiber."""
    if times.size == 0:
        return times, ids
    order = np.lexsort((times, ids))
    t, i = times[order], ids[order]
    keep = _dead_time_mask(t, i, dead)
    return t[keep], i[keep]


@numba.njit(cache=True)
def _dead_time_mask(t, i, dead):
    keep = np.ones(t.size, np.bool_)
    last_t, last_i = -np.inf, -1
    for k in range(t.size):
        if i[k] == last_i and t[k] - last_t < dead:
            keep[k] = False
        else:
            last_t, last_i = t[k], i[k]
    return keep


class ThresholdFraction:
    """Placeholder recruitment: fiber ``k`` fires at a pulse whose amplitude, in
    multiples of the Aβ threshold, is at least its own threshold, unless it
    fired less than :data:`DEAD_TIME` before.  Thresholds of Aδ and C are
    multiples of Aβ's (``afferents.<class>.threshold``), so a growing pulse
    recruits Aβ, then Aδ, then C.  Pulse width, shape and distance are ignored
    (the biophysical model in :mod:`painsim.recruitment` uses them)."""

    def fire(self, waveform, fibers, fiber_class, params, seed):
        n = fibers.counts[fiber_class]
        if waveform.n_pulses == 0 or n == 0 or fiber_class not in TARGET_CLASSES.get(waveform.target, ()):
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        amps = waveform.amplitudes
        if waveform.amplitude_kind == "current":
            amps = amps / params["Abeta"]["threshold_current"]
        elif waveform.amplitude_kind == "threshold":
            ref = waveform.threshold_class
            amps = amps * params[ref]["threshold"]  # express as multiples of the Aβ threshold
        else:  # TMS intensity: no afferent recruitment
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        above = amps[:, None] >= fibers.threshold[fiber_class][None, :]
        pulse, fiber = np.nonzero(above)
        return _apply_dead_time(waveform.onsets[pulse], fiber, DEAD_TIME)


_RECRUITMENT: dict[str, Recruitment] = {"fraction": ThresholdFraction()}


def register_recruitment(name: str, model: Recruitment) -> None:
    """Make a recruitment model selectable as ``afferents.recruitment = name``."""
    _RECRUITMENT[name] = model


def recruitment_model(name: str) -> Recruitment:
    """The recruitment model registered under ``name`` ("fraction", "biophysical")."""
    if name == "biophysical" and name not in _RECRUITMENT:
        from . import recruitment  # noqa: F401  (registers itself on import)
    if name not in _RECRUITMENT:
        from .errors import UnknownKeyError
        raise UnknownKeyError(name, _RECRUITMENT, what="recruitment model")
    return _RECRUITMENT[name]


def poisson_train(rate: float, start: float, stop: float, n: int, rng: np.random.Generator):
    """Homogeneous Poisson spikes of ``n`` independent fibers at ``rate`` in [start, stop)."""
    if rate <= 0 or stop <= start or n == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    counts = rng.poisson(rate * (stop - start), n)
    ids = np.repeat(np.arange(n), counts)
    times = rng.uniform(start, stop, counts.sum())
    return times, ids


def afferent_input(params: Mapping[str, Any], duration: float, seed: int,
                   stimulus: Waveform | None = None, noxious: NaturalStimulus | None = None,
                   touch: NaturalStimulus | None = None, pathology: Mapping[str, Any] | None = None,
                   fibers: FiberSet | None = None) -> dict[str, AfferentSpikes]:
    """Afferent spikes arriving at the dorsal horn for one point.

    Parameters
    ----------
    params : mapping
        The model's ``afferents`` section in SI units.
    duration : float
        Simulated time, s.
    seed : int
        The point's seed; each purpose draws from its own stream.
    stimulus : Waveform, optional
        Device pulses; recruited through ``afferents.recruitment``.
    noxious, touch : NaturalStimulus, optional
        Natural stimuli (intensity 0-1 scales each class's ``max_rate``).
    pathology : mapping, optional
        The ``pathology`` section: ``ectopic_fraction`` of C fibers fire at
        ``ectopic_rate``.
    """
    fibers = fibers or FiberSet.from_model(params, seed)
    pathology = pathology or {}
    recruit = recruitment_model(params.get("recruitment", "fraction"))
    out = {}
    for k, c in enumerate(FIBER_CLASSES):
        p, n = params[c], fibers.counts[c]
        parts = []
        rng = rng_for(seed, "natural", k)
        parts.append(poisson_train(p["spontaneous_rate"], 0.0, duration, n, rng))
        drives = {"Abeta": (touch,), "Adelta": (noxious,), "C": (noxious,)}[c]
        for stim in drives:
            if stim is not None and stim.intensity > 0:
                i, t0, t1 = stim.rate_factor(duration)
                parts.append(poisson_train(i * p["max_rate"], t0, t1, n, rng))
        if c == "C" and pathology.get("ectopic_fraction", 0) > 0:
            n_ect = int(round(pathology["ectopic_fraction"] * n))
            t, i = poisson_train(pathology["ectopic_rate"], 0.0, duration, n_ect,
                                 rng_for(seed, "ectopic"))
            parts.append((t, i))
        times = np.concatenate([q[0] for q in parts])
        ids = np.concatenate([q[1] for q in parts]).astype(np.int64)
        # natural and ectopic spikes start in the periphery
        times = times + (params["conduction_distance"] / fibers.velocity[c])[ids]
        if stimulus is not None:
            t, i = recruit.fire(stimulus, fibers, c, params, seed)
            # a dorsal-column lead sits a few cm from the segment; other targets are peripheral
            dist = (params["dorsal_column_distance"] if stimulus.target == "dorsal_column"
                    else params["conduction_distance"])
            times = np.concatenate([times, t + (dist / fibers.velocity[c])[i]])
            ids = np.concatenate([ids, i.astype(np.int64)])
        times, ids = _apply_dead_time(times, ids, DEAD_TIME)
        keep = times < duration
        out[c] = AfferentSpikes.merge([(times[keep], ids[keep])], n)
    return out
