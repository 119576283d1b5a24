"""Device waveforms: the pulses a stimulator delivers.

A :class:`Waveform` is an immutable list of pulses (onset, phase width,
amplitude) with a phase shape, a modality (electrical, magnetic, TMS) and a
target.  Generators build the waveforms of the clinical protocols:

============== ===================================================== ==========================
generator      default                                               source
============== ===================================================== ==========================
tonic          tonic SCS, 30-120 Hz, 100-500 us                      PMC8229652
burst          40 Hz bursts of 5 pulses at 500 Hz, 1 ms pulses       De Ridder et al. 2010
high_frequency 10 kHz, 30 us (HF10 SCS)                              Kapural et al. 2015
rtms           20 Hz, 10 trains x 10 s, 80 % RMT (2000 pulses)       Khedr et al. 2005
theta_burst    3 pulses at 50 Hz repeated at 5 Hz; iTBS / cTBS       Huang et al. 2005
tens           conventional 100 Hz; acupuncture-like 2 Hz            Johnson 2022 (review)
alternating    rates alternating in segments (PENS 15/30 Hz)         Ghoname et al. 1999
============== ===================================================== ==========================

Dorsal root ganglion stimulation (DRGS) is a :func:`tonic` train with
``target="drg"`` (clinically ~20 Hz, 200-300 us, ~0.2-1 mA; Deer et al. 2017,
Liem et al. 2013 [recalled]; the ``drgs_tonic`` protocol).

Amplitudes are either currents (``2*mA`` or ``"2 mA"``), multiples of the
threshold of a fiber class (a plain number, e.g. ``1.5`` = 1.5x Aβ
threshold), or for TMS a fraction of the resting motor threshold (RMT).
This module never imports brian2; brian2 quantities are read through
:func:`painsim.units.to_si`.
"""
from __future__ import annotations

import hashlib
import inspect
import json
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np

from .anatomy import device_targets
from .checks import MAX_SIMULATED_DURATION, simulated_duration
from .errors import ParameterError, UnknownKeyError, WaveformError, nearest
from .units import to_si

__all__ = ["Waveform", "tonic", "burst", "high_frequency", "rtms", "theta_burst", "tens",
           "alternating", "custom", "none", "SHAPES", "MODALITIES", "AMPLITUDE_KINDS", "from_spec", "from_table",
           "TABLE_EXAMPLE"]

SHAPES = ("monophasic", "biphasic")
MODALITIES = ("electrical", "magnetic", "tms")
#: "current": amplitude in A; "threshold": multiple of ``threshold_class``'s threshold;
#: "rmt": fraction of the resting motor threshold (TMS).
AMPLITUDE_KINDS = ("current", "threshold", "rmt")
FIBER_CLASSES = ("Abeta", "Adelta", "C")
# Relative tolerance for floating-point comparisons of pulse times (1 ns).
_EPS = 1e-9


def _array(x, name) -> np.ndarray:
    a = np.atleast_1d(np.asarray(x, dtype=float))
    if a.ndim != 1:
        raise ParameterError(name, x, "a 1-D sequence")
    return a



def _checked_site(site):
    """A waveform's ``site``: None, one whole index >= 0, or a sorted tuple of distinct ones
    (a single-element sequence becomes its index); anything else raises WaveformError."""
    if site is None:
        return None
    many = isinstance(site, (list, tuple, np.ndarray))
    values = list(site) if many else [site]
    if not values or any(isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or s < 0
                         for s in values):
        raise WaveformError("site", site, "a body-site index (a whole number >= 0), a list of them, or None "
                                          "(the painful site)")
    sites = tuple(sorted({int(s) for s in values}))
    return sites[0] if len(sites) == 1 else sites


def _target_hint(target: str, modality: str) -> str | None:
    """Advice for a target the modality cannot have: a near miss, the modality that has it, or
    why prefrontal rTMS is not there."""
    near = nearest(target, device_targets(modality))
    if near:
        return f"did you mean {near!r}?"
    other = [m for m in MODALITIES if target in device_targets(m)]
    if other:
        return f"the target {target!r} is one of modality {other[0]!r}"
    if modality == "tms":
        return ("the model's cortex is primary motor cortex only: prefrontal (DLPFC) rTMS acts through top-down "
                "modulation that painsim does not model yet")
    return None


@dataclass(frozen=True, eq=False)
class Waveform:
    """An immutable train of stimulation pulses.

    Parameters
    ----------
    onsets : array of float
        Pulse onset times in s, non-decreasing, relative to the waveform start.
    widths : array of float
        Width of one phase of each pulse, in s (> 0).
    amplitudes : array of float
        Amplitude of each pulse (>= 0), in the kind given by ``amplitude_kind``.
    duration : float
        Total length of the waveform in s (>= the end of the last pulse).
    amplitude_kind : {"current", "threshold", "rmt"}
        Current in A, multiple of the threshold of ``threshold_class``, or
        fraction of resting motor threshold (TMS).
    shape : {"monophasic", "biphasic"}
        Biphasic pulses are symmetric and charge balanced: a cathodic phase of
        ``width``, a gap of ``interphase_gap``, an anodic phase of ``width``.
    interphase_gap : float
        Gap between the two phases of a biphasic pulse, in s.
    modality : {"electrical", "magnetic", "tms"}
        Electrical contact, magnetic peripheral coil, or transcranial coil.
    target : str
        Where the device acts: "dorsal_column", "peripheral_nerve", "skin",
        "dorsal_root", "drg" (a lead on the dorsal root ganglion: every afferent
        spike then passes the T-junction model of :mod:`painsim.fibers.tjunction`),
        "m1" (a transcranial coil).  :func:`painsim.anatomy.device_targets` lists the
        targets of each modality; any other target is refused (it would recruit nothing).
    threshold_class : str
        Fiber class whose threshold is the reference of ``amplitude_kind="threshold"``.
    site : int, sequence of int, or None
        Body site(s) the device reaches (topographic models): one index, several (e.g. an
        SCS lead whose dorsal-column field covers several dermatomes; each site's fibers are
        recruited independently, from its own random stream), or None = the model's painful
        site (``body.painful_site``; a one-site model's only site).  Several sites are kept as
        a sorted tuple without repeats.
    label : str
        Human-readable description.
    """

    onsets: np.ndarray
    widths: np.ndarray
    amplitudes: np.ndarray
    duration: float
    amplitude_kind: str = "threshold"
    shape: str = "biphasic"
    interphase_gap: float = 0.0
    modality: str = "electrical"
    target: str = "dorsal_column"
    threshold_class: str = "Abeta"
    site: int | tuple[int, ...] | None = None
    label: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        onsets = _array(self.onsets, "onsets")
        n = onsets.size
        widths = np.broadcast_to(_array(self.widths, "widths"), (n,)).copy() if n else np.zeros(0)
        amps = np.broadcast_to(_array(self.amplitudes, "amplitudes"), (n,)).copy() if n else np.zeros(0)
        for arr in (onsets, widths, amps):
            arr.setflags(write=False)
        object.__setattr__(self, "onsets", onsets)
        object.__setattr__(self, "widths", widths)
        object.__setattr__(self, "amplitudes", amps)
        object.__setattr__(self, "duration", float(self.duration))
        object.__setattr__(self, "interphase_gap", float(self.interphase_gap))
        object.__setattr__(self, "site", _checked_site(self.site))
        if self.shape not in SHAPES:
            raise WaveformError("shape", self.shape, f"one of {SHAPES}")
        if self.modality not in MODALITIES:
            raise WaveformError("modality", self.modality, f"one of {MODALITIES}")
        targets = device_targets(self.modality)
        if self.target not in targets:
            # a misspelt or unmodelled target would otherwise recruit nothing, silently
            raise WaveformError("target", self.target, f"one of {targets} for modality {self.modality!r}",
                                hint=_target_hint(self.target, self.modality))
        if self.amplitude_kind not in AMPLITUDE_KINDS:
            raise WaveformError("amplitude_kind", self.amplitude_kind, f"one of {AMPLITUDE_KINDS}")
        if self.amplitude_kind == "threshold" and self.threshold_class not in FIBER_CLASSES:
            raise WaveformError("threshold_class", self.threshold_class, f"one of {FIBER_CLASSES}")
        if not np.all(np.isfinite(onsets)) or (n and onsets[0] < -_EPS):
            raise WaveformError("onsets", onsets[:5], "finite times >= 0 s")
        if np.any(np.diff(onsets) < 0):
            raise WaveformError("onsets", onsets[:5], "non-decreasing pulse onsets")
        bad_w = ~(widths > 0) | ~np.isfinite(widths)  # nan and inf are shown, not an empty array
        if np.any(bad_w):
            raise WaveformError("width", widths[bad_w][:3], "a finite phase width > 0 s")
        bad_a = ~(amps >= 0) | ~np.isfinite(amps)
        if np.any(bad_a):
            raise WaveformError("amplitude", amps[bad_a][:3], "finite amplitudes >= 0")
        if self.interphase_gap < 0:
            raise WaveformError("interphase_gap", self.interphase_gap, "a gap >= 0 s")
        if not 0 <= self.duration <= MAX_SIMULATED_DURATION:
            raise WaveformError("duration", self.duration, f"a duration >= 0 s and <= {MAX_SIMULATED_DURATION:g} s")
        ends = onsets + self.pulse_spans
        if n > 1:
            clash = np.nonzero(ends[:-1] > onsets[1:] + _EPS)[0]
            if clash.size:
                i = clash[0]
                raise WaveformError(
                    "width", float(widths[i]),
                    f"a pulse that ends before the next begins (pulse {i} spans "
                    f"{self.pulse_spans[i] * 1e6:.6g} us but the next onset is "
                    f"{(onsets[i + 1] - onsets[i]) * 1e6:.6g} us later)",
                    hint="pulse wider than its period")
        if n and ends[-1] > self.duration + _EPS:
            raise WaveformError("duration", self.duration,
                                f"a duration >= the end of the last pulse ({ends[-1]:.6g} s)")

    # ------------------------------------------------------------------ views
    @property
    def n_pulses(self) -> int:
        return int(self.onsets.size)

    @property
    def pulse_spans(self) -> np.ndarray:
        """Time each pulse occupies, all phases included (s)."""
        if self.shape == "biphasic":
            return 2 * self.widths + self.interphase_gap
        return self.widths

    @property
    def mean_rate(self) -> float:
        """Pulses per second over the whole duration (Hz)."""
        return self.n_pulses / self.duration if self.duration > 0 else 0.0

    @property
    def charge_per_phase(self) -> np.ndarray:
        """Charge of one phase (A s) for current amplitudes; raises otherwise."""
        if self.amplitude_kind != "current":
            raise ParameterError("amplitude_kind", self.amplitude_kind, '"current" to compute charge')
        return self.amplitudes * self.widths

    def describe(self) -> dict[str, Any]:
        """JSON-serialisable summary (for result attrs)."""
        return {"label": self.label, "n_pulses": self.n_pulses, "duration_s": self.duration,
                "mean_rate_hz": self.mean_rate, "amplitude_kind": self.amplitude_kind,
                "max_amplitude": float(self.amplitudes.max()) if self.n_pulses else 0.0,
                "shape": self.shape, "modality": self.modality, "target": self.target,
                "threshold_class": self.threshold_class, "site": self.site}

    def key(self) -> str:
        """Content hash: equal waveforms have equal keys (used to cache fiber spikes)."""
        if "key" not in self._cache:
            h = hashlib.sha256()
            for arr in (self.onsets, self.widths, self.amplitudes):
                h.update(np.ascontiguousarray(arr, dtype="<f8").tobytes())
            meta = {k: getattr(self, k) for k in ("duration", "amplitude_kind", "shape",
                                                  "interphase_gap", "modality", "target",
                                                  "threshold_class", "site")}
            h.update(json.dumps(meta, sort_keys=True).encode())
            self._cache["key"] = h.hexdigest()[:24]
        return self._cache["key"]

    # ---------------------------------------------------------- combinations
    def _compatible(self, other: "Waveform"):
        for attr in ("amplitude_kind", "shape", "interphase_gap", "modality", "target",
                     "threshold_class", "site"):
            if getattr(self, attr) != getattr(other, attr):
                raise WaveformError(attr, getattr(other, attr),
                                    f"the same {attr} as the first waveform ({getattr(self, attr)!r})")

    def concat(self, *others: "Waveform") -> "Waveform":
        """This waveform followed by ``others``, each starting where the previous ends."""
        parts, t = [self], self.duration
        onsets, widths, amps = [self.onsets], [self.widths], [self.amplitudes]
        for o in others:
            self._compatible(o)
            onsets.append(o.onsets + t)
            widths.append(o.widths)
            amps.append(o.amplitudes)
            t += o.duration
            parts.append(o)
        return replace(self, onsets=np.concatenate(onsets), widths=np.concatenate(widths),
                       amplitudes=np.concatenate(amps), duration=t,
                       label=" + ".join(p.label for p in parts if p.label), _cache={})

    __add__ = concat

    def repeat(self, n: int) -> "Waveform":
        """The waveform repeated ``n`` times back to back."""
        if int(n) != n or n < 1:
            raise WaveformError("n", n, "a whole number of repetitions >= 1")
        if n == 1:
            return self
        return self.concat(*([self] * (int(n) - 1)))

    def shifted(self, delay) -> "Waveform":
        """The waveform delayed by ``delay`` (quantity in s); its duration grows by the delay."""
        d = to_si(delay, "s", "delay")
        if d < 0:
            raise WaveformError("delay", delay, "a delay >= 0 s")
        return replace(self, onsets=self.onsets + d, duration=self.duration + d, _cache={})

    def window(self, start, stop) -> "Waveform":
        """The pulses whose onset lies in [start, stop), re-timed to start at 0."""
        t0, t1 = to_si(start, "s", "start"), to_si(stop, "s", "stop")
        if not 0 <= t0 < t1:
            raise WaveformError("stop", stop, "0 <= start < stop")
        keep = (self.onsets >= t0 - _EPS) & (self.onsets < t1 - _EPS)
        return replace(self, onsets=self.onsets[keep] - t0, widths=self.widths[keep],
                       amplitudes=self.amplitudes[keep], duration=t1 - t0, _cache={})

    def scaled(self, factor: float) -> "Waveform":
        """The same pulses with every amplitude multiplied by ``factor`` (>= 0)."""
        if factor < 0:
            raise WaveformError("factor", factor, "a factor >= 0")
        return replace(self, amplitudes=self.amplitudes * factor, _cache={})

    def sample(self, times) -> np.ndarray:
        """Waveform value at each time (s): +amplitude in the first (cathodic)
        phase, -amplitude in the second phase of a biphasic pulse, 0 elsewhere.

        Parameters
        ----------
        times : array of float or brian2 Quantity
            Sample times; plain numbers are taken as seconds.
        """
        t = (np.asarray(to_si(times, "s", "times", allow_array=True), dtype=float)
             if hasattr(times, "dim") else np.asarray(times, dtype=float))
        out = np.zeros(t.shape)
        if not self.n_pulses:
            return out
        # index of the last pulse starting at or before each time
        idx = np.searchsorted(self.onsets, t + _EPS, side="right") - 1
        valid = idx >= 0
        rel = np.where(valid, t - self.onsets[np.clip(idx, 0, None)], -1.0)
        w = self.widths[np.clip(idx, 0, None)]
        a = self.amplitudes[np.clip(idx, 0, None)]
        first = valid & (rel >= -_EPS) & (rel < w - _EPS)
        out[first] = a[first]
        if self.shape == "biphasic":
            start2 = w + self.interphase_gap
            second = valid & (rel >= start2 - _EPS) & (rel < start2 + w - _EPS)
            out[second] = -a[second]
        return out

    def __repr__(self):
        return (f"Waveform({self.label or 'custom'}: {self.n_pulses} pulses over "
                f"{self.duration:.6g} s, {self.shape}, {self.modality} -> {self.target})")


# ---------------------------------------------------------------- helpers
def _amplitude(amplitude, name="amplitude") -> tuple[float, str]:
    """A current ("2 mA", 2*mA) or a plain multiple of threshold."""
    if isinstance(amplitude, str) or hasattr(amplitude, "dim"):
        value = to_si(amplitude, "A", name)
        kind = "current"
    else:
        value = to_si(amplitude, "1", name)
        kind = "threshold"
    if not (np.isfinite(value) and value >= 0):  # nan compares false: refuse it here, by its value
        raise WaveformError(name, amplitude, "a finite amplitude >= 0")
    return value, kind


def _positive(value, unit, name, allow_zero=False) -> float:
    v = to_si(value, unit, name)
    if v < 0 or (v == 0 and not allow_zero) or not np.isfinite(v):
        raise WaveformError(name, value, f"a value {'>=' if allow_zero else '>'} 0 {unit}")
    return v


def _count(value, name) -> int:
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise WaveformError(name, value, "a whole number >= 1")
    return int(value)


def _regular(rate: float, duration: float, start: float = 0.0) -> np.ndarray:
    n = int(np.floor((duration - start) * rate + _EPS))
    return start + np.arange(n) / rate


def tonic(rate, width, amplitude, duration, *, shape="biphasic", interphase_gap=0.0,
          modality="electrical", target="dorsal_column", threshold_class="Abeta",
          site=None, label=None) -> Waveform:
    """Regular pulse train (tonic SCS, PNS, TENS); the keyword arguments are :class:`Waveform`'s fields.

    Parameters
    ----------
    rate : Quantity (Hz)
        Pulse rate, e.g. ``50*Hz``; tonic SCS uses 30-120 Hz (PMC8229652).
    width : Quantity (s)
        Phase width, e.g. ``300*us``.
    amplitude : Quantity (A) or float
        A current, or a multiple of the threshold of ``threshold_class``.
    duration : Quantity (s)
        Length of the waveform.
    """
    r = _positive(rate, "Hz", "rate")
    w = _positive(width, "s", "width")
    d = simulated_duration(duration, "duration", WaveformError)
    gap = to_si(interphase_gap, "s", "interphase_gap") if interphase_gap else 0.0
    a, kind = _amplitude(amplitude)
    onsets = _regular(r, d)
    span = 2 * w + gap if shape == "biphasic" else w
    if span > 1.0 / r + _EPS:
        raise WaveformError("width", width, f"a pulse span ({span * 1e6:.6g} us) no longer than the "
                            f"period 1/rate ({1e6 / r:.6g} us)", hint="pulse wider than its period")
    return Waveform(onsets, w, a, d, amplitude_kind=kind, shape=shape, interphase_gap=gap,
                    modality=modality, target=target, threshold_class=threshold_class,
                    site=site, label=label or f"tonic {r:g} Hz")


def burst(amplitude, duration, *, burst_rate="40 Hz", pulses_per_burst=5,
          intraburst_rate="500 Hz", width="1 ms", shape="monophasic", modality="electrical",
          target="dorsal_column", threshold_class="Abeta", site=None, label=None) -> Waveform:
    """Burst stimulation: ``pulses_per_burst`` pulses at ``intraburst_rate``,
    bursts repeated at ``burst_rate`` (De Ridder et al. 2010: 40 Hz bursts of
    5 pulses at 500 Hz, 1 ms pulses with passive charge balance, hence
    monophasic by default); the other keyword arguments are :class:`Waveform`'s fields."""
    br = _positive(burst_rate, "Hz", "burst_rate")
    ir = _positive(intraburst_rate, "Hz", "intraburst_rate")
    n = _count(pulses_per_burst, "pulses_per_burst")
    w = _positive(width, "s", "width")
    d = simulated_duration(duration, "duration", WaveformError)
    a, kind = _amplitude(amplitude)
    span = 2 * w if shape == "biphasic" else w
    if span > 1.0 / ir + _EPS:
        raise WaveformError("width", width, f"a pulse span no longer than 1/intraburst_rate "
                            f"({1e3 / ir:.6g} ms)", hint="pulse wider than its period")
    burst_len = (n - 1) / ir + span
    if burst_len > 1.0 / br + _EPS:
        raise WaveformError("pulses_per_burst", n,
                            f"bursts ({burst_len * 1e3:.6g} ms long) shorter than the burst period "
                            f"({1e3 / br:.6g} ms)", hint="overlapping bursts")
    starts = _regular(br, d)
    starts = starts[starts + burst_len <= d + _EPS]
    onsets = (starts[:, None] + np.arange(n)[None, :] / ir).ravel()
    return Waveform(onsets, w, a, d, amplitude_kind=kind, shape=shape, modality=modality,
                    target=target, threshold_class=threshold_class, site=site,
                    label=label or f"burst {br:g} Hz x {n} @ {ir:g} Hz")


def high_frequency(amplitude, duration, *, rate="10 kHz", width="30 us", **kwargs) -> Waveform:
    """High-frequency (kHz) SCS: 10 kHz, 30 us biphasic pulses (HF10;
    Kapural et al. 2015).  Other keywords as :func:`tonic`."""
    kwargs.setdefault("label", f"high-frequency {to_si(rate, 'Hz', 'rate') / 1e3:g} kHz")
    return tonic(rate, width, amplitude, duration, **kwargs)


def rtms(intensity=0.8, *, rate="20 Hz", train_duration="10 s", inter_train_interval="50 s",
         n_trains=10, width="300 us", target="m1", site=None, label=None) -> Waveform:
    """Repetitive TMS: ``n_trains`` trains of ``train_duration`` at ``rate``.

    Defaults are Khedr et al. 2005 (J Neurol Neurosurg Psychiatry 76:833):
    20 Hz, 10 trains of 10 s with 50 s between trains, 80 % of resting motor
    threshold, 2000 pulses.  ``intensity`` is the fraction of RMT (0-2).
    The TMS pulse is biphasic, about 300 us in total (chosen: typical
    biphasic stimulator, Magstim Rapid); its width does not enter the network
    model, only its timing and intensity.
    """
    r = _positive(rate, "Hz", "rate")
    td = _positive(train_duration, "s", "train_duration")
    iti = _positive(inter_train_interval, "s", "inter_train_interval", allow_zero=True)
    nt = _count(n_trains, "n_trains")
    w = _positive(width, "s", "width") / 2  # phase width of the biphasic pulse
    i = to_si(intensity, "1", "intensity")
    if not 0 <= i <= 2:
        raise WaveformError("intensity", intensity, "a fraction of resting motor threshold in [0, 2]")
    if 2 * w > 1 / r + _EPS:
        raise WaveformError("width", width, "a pulse shorter than the period", hint="pulse wider than its period")
    duration = nt * td + (nt - 1) * iti
    if duration > MAX_SIMULATED_DURATION:  # refused before its pulses are laid out
        raise WaveformError("n_trains", nt, f"trains that last <= {MAX_SIMULATED_DURATION:g} s in all "
                            f"(these last {duration:g} s)")
    train = _regular(r, td)
    starts = np.arange(nt) * (td + iti)
    onsets = (starts[:, None] + train[None, :]).ravel()
    return Waveform(onsets, w, i, duration, amplitude_kind="rmt", shape="biphasic",
                    modality="tms", target=target, site=site,
                    label=label or f"rTMS {r:g} Hz, {nt} x {td:g} s, {i * 100:g}% RMT")


def theta_burst(pattern="iTBS", intensity=0.8, *, n_pulses=600, pulses_per_burst=3,
                intraburst_rate="50 Hz", burst_rate="5 Hz", train_on="2 s", train_off="8 s",
                width="300 us", target="m1", site=None, label=None) -> Waveform:
    """Theta-burst TMS (Huang et al. 2005, Neuron 45:201): bursts of 3 pulses
    at 50 Hz repeated at 5 Hz.  iTBS: 2 s trains every 10 s (600 pulses in
    ~192 s); cTBS: continuous (600 pulses in ~40 s).  ``intensity`` is a
    fraction of RMT (Huang used 80 % of active motor threshold).

    ``n_pulses`` is the dose: 1200 pulses in one run is the "prolonged" iTBS
    (~392 s) and cTBS (~80 s) of Gamboa et al. 2010 (Exp Brain Res 204:181),
    which reversed the after-effects of the 600-pulse forms.  In a course the
    session duration sets the dose (the engine takes the stimulation as
    periodic): :func:`painsim.protocols.theta_burst` builds a protocol whose
    sessions deliver exactly ``n_pulses``.  What the model does with the dose:
    ``docs/circuits.md``, "Theta burst of M1"."""
    if pattern not in ("iTBS", "cTBS"):
        raise WaveformError("pattern", pattern, 'one of "iTBS", "cTBS"')
    n_total = _count(n_pulses, "n_pulses")
    k = _count(pulses_per_burst, "pulses_per_burst")
    ir = _positive(intraburst_rate, "Hz", "intraburst_rate")
    br = _positive(burst_rate, "Hz", "burst_rate")
    w = _positive(width, "s", "width") / 2
    i = to_si(intensity, "1", "intensity")
    if not 0 <= i <= 2:
        raise WaveformError("intensity", intensity, "a fraction of resting motor threshold in [0, 2]")
    if (k - 1) / ir + 2 * w > 1 / br + _EPS:
        raise WaveformError("pulses_per_burst", k, "bursts shorter than the burst period",
                            hint="overlapping bursts")
    if n_total % k:
        raise WaveformError("n_pulses", n_total, f"a multiple of pulses_per_burst ({k})")
    n_bursts = n_total // k
    if pattern == "cTBS":
        starts = np.arange(n_bursts) / br
    else:
        on = _positive(train_on, "s", "train_on")
        off = _positive(train_off, "s", "train_off", allow_zero=True)
        per_train = int(round(on * br))
        if per_train < 1:
            raise WaveformError("train_on", train_on, "at least one burst period")
        j = np.arange(n_bursts)
        starts = (j // per_train) * (on + off) + (j % per_train) / br
    onsets = (starts[:, None] + np.arange(k)[None, :] / ir).ravel()
    duration = onsets[-1] + 2 * w
    return Waveform(onsets, w, i, duration, amplitude_kind="rmt", shape="biphasic",
                    modality="tms", target=target, site=site,
                    label=label or f"{pattern} {n_total} pulses, {i * 100:g}% RMT")


def tens(mode="conventional", amplitude=1.5, duration="10 s", *, rate=None, width=None,
         site=None, label=None) -> Waveform:
    """Transcutaneous electrical nerve stimulation through skin electrodes.

    ``mode="conventional"``: 100 Hz, 100 us; ``mode="acupuncture"``: 2 Hz, 250 us.
    The mode sets rate and width only: ``amplitude`` (× the Aβ threshold, 1.5 by
    default, a strong but comfortable paresthesia level) is the caller's; clinically
    acupuncture-like TENS is given at a higher, muscle-twitch intensity (the library
    protocol ``tens_acupuncture`` uses 4.0).  (Standard clinical settings: conventional
    80-100 Hz, acupuncture-like 2-4 Hz; Johnson et al. 2022 BMJ Open review.)
    """
    presets = {"conventional": ("100 Hz", "100 us"), "acupuncture": ("2 Hz", "250 us")}
    if mode not in presets:
        raise WaveformError("mode", mode, f"one of {tuple(presets)}")
    r0, w0 = presets[mode]
    return tonic(rate or r0, width or w0, amplitude, duration, target="skin", site=site,
                 label=label or f"TENS {mode}")


def alternating(rates, segment, width, amplitude, duration, *, label=None, **kwargs) -> Waveform:
    """Regular trains whose rate alternates in fixed segments (percutaneous electrical
    nerve stimulation, PENS / PNT: 15 and 30 Hz alternating, Ghoname et al. 1999 JAMA
    281:818 [checked: abstract gives the 15/30 Hz alternation, not the segment length]).

    Parameters
    ----------
    rates : sequence of Quantity (Hz)
        Rates of the successive segments, repeated in order (e.g. ``["15 Hz", "30 Hz"]``).
    segment : Quantity (s)
        Length of each segment (chosen by the caller; PENS switched every few seconds [recalled]).
    width, amplitude, duration
        As :func:`tonic`; every other keyword of :func:`tonic` (``target``, ``shape``,
        ``threshold_class``, ...) applies to every segment.
    """
    if isinstance(rates, (str, bytes)) or not hasattr(rates, "__len__") or len(rates) < 1:
        raise WaveformError("rates", rates, 'a list of pulse rates, e.g. ["15 Hz", "30 Hz"]')
    seg = _positive(segment, "s", "segment")
    d = simulated_duration(duration, "duration", WaveformError)
    parts, t, k = [], 0.0, 0
    while t < d - _EPS:
        length = min(seg, d - t)
        parts.append(tonic(rates[k % len(rates)], width, amplitude, f"{length!r} s", **kwargs))
        t, k = t + length, k + 1
    wf = parts[0].concat(*parts[1:]) if len(parts) > 1 else parts[0]
    names = "/".join(f"{_positive(r, 'Hz', 'rates'):g}" for r in rates)
    return replace(wf, label=label or f"alternating {names} Hz every {seg:g} s", _cache={})


def custom(onsets, widths, amplitudes, duration, **kwargs) -> Waveform:
    """A waveform from arrays (quantities in s for onsets, widths and duration;
    amplitudes as currents or threshold multiples)."""
    on = to_si(onsets, "s", "onsets", allow_array=True)
    w = to_si(widths, "s", "widths", allow_array=True)
    d = to_si(duration, "s", "duration")  # 0 s allowed; Waveform bounds it to the hour
    if isinstance(amplitudes, str) or hasattr(amplitudes, "dim"):
        a = to_si(amplitudes, "A", "amplitudes", allow_array=True)
        kwargs.setdefault("amplitude_kind", "current")
    else:
        a = to_si(amplitudes, "1", "amplitudes", allow_array=True)
    return Waveform(on, w, a, d, **kwargs)


def none(duration) -> Waveform:
    """No stimulation for ``duration`` (a sham waveform)."""
    return Waveform(np.zeros(0), np.zeros(0), np.zeros(0), to_si(duration, "s", "duration"), label="none")


_GENERATORS = {"tonic": tonic, "burst": burst, "high_frequency": high_frequency, "rtms": rtms,
               "theta_burst": theta_burst, "tens": tens, "none": none, "alternating": alternating}


#: What a stimulus table looks like (the messages that refuse something else show it).
TABLE_EXAMPLE = 'a stimulus table, e.g. {type = "tonic", rate = "50 Hz", width = "200 us", amplitude = 1.5, duration = "2 s"}'


def from_spec(spec: Mapping) -> Waveform:
    """Build a waveform from a dict as written in experiment files::

        {type = "tonic", rate = "50 Hz", width = "200 us", amplitude = 1.5, duration = "2 s"}

    Quantities are strings with units; ``type`` names a generator.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown ``type``, or an argument the generator does not take.
    painsim.errors.ParameterError
        ``spec`` is not a table, a required argument is missing (named), or a value is refused.
    """
    if not isinstance(spec, Mapping):
        raise ParameterError("stimulus", spec, TABLE_EXAMPLE)
    spec = dict(spec)
    kind = spec.pop("type", None)
    if not isinstance(kind, str) or kind not in _GENERATORS:  # no type at all is missing, not an unknown 'None'
        raise UnknownKeyError(str(kind), _GENERATORS, what="waveform type") if kind is not None else ParameterError(
            "type", None, f"one of: {', '.join(sorted(_GENERATORS))}", hint="missing from the stimulus table: type")
    try:
        return _GENERATORS[kind](**spec)
    except TypeError as e:
        params = inspect.signature(_GENERATORS[kind]).parameters
        named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        allowed = [k for k, p in params.items() if p.kind in named]
        bad = [k for k in spec if k not in allowed]
        required = [k for k in allowed if params[k].default is inspect.Parameter.empty]
        missing = [k for k in required if k not in spec]
        passes_on = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values())
        # an unknown argument first (its nearest valid name is the likely fix), unless the generator
        # passes extra arguments on (high_frequency -> tonic): then the missing one is the error
        if bad and not (passes_on and missing):
            raise UnknownKeyError(bad[0], allowed, what=f"argument of {kind}") from None
        if missing:  # name the argument to add, not just the table
            raise ParameterError(missing[0], None, f"a value: a {kind} stimulus requires {', '.join(required)}",
                                 hint=f"missing from the stimulus table: {', '.join(missing)}") from None
        raise ParameterError(kind, spec, f"arguments {allowed}") from e


def from_table(spec, where: str) -> Waveform:
    """:func:`from_spec` for the stimulus table of a file at ``where`` (e.g. ``"condition[2].stimulus"``):
    every refusal names the table (``where`` itself when it is not a table, ``<where>.<argument>``
    for a bad or missing argument; an unknown one keeps the nearest valid suggestion)."""
    if not isinstance(spec, Mapping):
        raise ParameterError(where, spec, TABLE_EXAMPLE)
    try:
        return from_spec(spec)
    except UnknownKeyError as err:  # a subclass of ParameterError: keep its suggestion, prefix the table
        err.args = (f"{where}: {err.args[0]}",)
        raise
    except ParameterError as err:
        raise ParameterError(f"{where}.{err.name}", err.value, err.allowed, hint=err.hint) from None
