"""The :class:`Waveform`: an immutable train of stimulation pulses, and the vocabularies of its fields.

Formerly the first part of the module ``painsim.stimulation`` (now a package that re-exports
everything below): the pulse list (onset, phase width, amplitude), its shape, modality, target
and body site, the checks that refuse an impossible train, and the views and combinations
(``concat``, ``repeat``, ``shifted``, ``window``, ``scaled``, ``sample``) the generators and the
course engine use.  Never imports brian2; quantities are read through :func:`painsim.units.to_si`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..anatomy import device_targets
from ..checks import MAX_SIMULATED_DURATION, is_number
from ..errors import ParameterError, WaveformError, nearest
from ..units import to_si

__all__ = ["Waveform", "SHAPES", "MODALITIES", "AMPLITUDE_KINDS", "FIBER_CLASSES", "MODALITY_KINDS", "MAX_CURRENT",
           "MAX_RMT", "amplitude_limit", "check_amplitudes"]

SHAPES = ("monophasic", "biphasic")
MODALITIES = ("electrical", "magnetic", "tms")
#: "current": amplitude in A; "threshold": multiple of ``threshold_class``'s threshold;
#: "rmt": fraction of the resting motor threshold (TMS).
AMPLITUDE_KINDS = ("current", "threshold", "rmt")
FIBER_CLASSES = ("Abeta", "Adelta", "C")
#: The amplitude kinds each modality takes.  Chosen from what reads them: a transcranial coil acts
#: through painsim.circuits.cortex.tms_input, which reads every amplitude as a fraction of RMT; an
#: electrical contact has no motor threshold (the fraction recruitment drops "rmt" pulses, the
#: biophysical one read them as kA of coil current through an electrode); a peripheral coil takes its
#: coil current (the mpns protocol) or a threshold multiple of the coil-field model, and "rmt" is
#: refused there too (the fraction recruitment fires nothing for it: give the coil current instead).
MODALITY_KINDS = {"electrical": ("current", "threshold"), "magnetic": ("current", "threshold"), "tms": ("rmt",)}
#: Largest current per modality, in A.  Chosen: an electrical contact at most 1 A, above the 0.8-0.9 A
#: of electroconvulsive therapy, the strongest clinical electrical stimulus [recalled] (clinical SCS,
#: TENS, PNS stay below ~0.1 A), so "2 MA" for "2 mA" is refused; a coil at most 1 MA, five times
#: the coil current at which the coil-field model's C fibres fire (~190 kA, painsim.protocols.library)
#: so supraclinical probes stay possible (stimulators deliver ~7-8 kA).
MAX_CURRENT = {"electrical": 1.0, "magnetic": 1.0e6}
#: Largest TMS intensity, as a fraction of RMT.  Chosen: 2 x RMT, above the 100-120 % RMT of clinical
#: rTMS and the limit rtms and theta_burst had (the M1 thresholds of the model are ~1 RMT).
MAX_RMT = 2.0
# Relative tolerance for floating-point comparisons of pulse times (1 ns).
_EPS = 1e-9


def _array(x, name) -> np.ndarray:
    a = np.atleast_1d(np.asarray(x, dtype=float))
    if a.ndim != 1:
        raise ParameterError(name, x, "a 1-D sequence")
    return a



def _field_float(value, name: str, allowed: str) -> float:
    """A scalar field of a :class:`Waveform` as a float; text (``"50 us"``: the fields are plain numbers
    of s), a bool or anything else float() cannot read is refused naming the field (was a bare
    ValueError or TypeError, or a bool read as 1 s).  Its range is checked by the caller."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise WaveformError(name, value, allowed)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise WaveformError(name, value, allowed) from None


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


def amplitude_limit(kind: str, modality: str) -> tuple[float, str]:
    """The largest amplitude of ``kind`` on ``modality`` and its unit, in words (inf for none)."""
    if kind == "current":
        return MAX_CURRENT.get(modality, np.inf), "A"
    if kind == "rmt":
        return MAX_RMT, "x RMT"
    return np.inf, "x threshold"


def check_amplitudes(amps, kind: str, modality: str, name: str = "amplitude") -> None:
    """Refuse amplitudes (SI) that are not finite, negative, or above :func:`amplitude_limit`;
    the error names ``name``.  Cheap: the generators call it before laying out their pulses."""
    amps = np.atleast_1d(np.asarray(amps, dtype=float))
    bad = ~(amps >= 0) | ~np.isfinite(amps)
    if np.any(bad):
        raise WaveformError(name, amps[bad][:3], "finite amplitudes >= 0")
    hi, unit = amplitude_limit(kind, modality)
    if np.any(amps > hi):
        raise WaveformError(name, amps[amps > hi][:3], f"amplitudes <= {hi:g} {unit} for {kind} amplitudes "
                                                       f"on modality {modality!r}",
                            hint='a unit typo? "2 MA" is 2 megaamperes, "2 mA" 2 milliamperes'
                            if kind == "current" else None)


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
        fraction of resting motor threshold.  Each modality takes its own
        (:data:`MODALITY_KINDS`): "current" or "threshold" for an electrical
        contact or a peripheral coil (its coil current in A), "rmt" for a
        transcranial coil.
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
        a sorted tuple without repeats.  None for modality "tms" (the model's M1 is not mapped
        onto body sites).
    label : str
        Human-readable description.

    Raises
    ------
    painsim.errors.WaveformError
        An unknown ``shape``, ``modality`` or ``amplitude_kind``, or an ``amplitude_kind`` the
        modality does not take; a ``target`` the modality
        does not have (with a hint: a near miss, or the modality that has it); a
        ``threshold_class`` not in ``FIBER_CLASSES`` for threshold amplitudes; a ``site`` that
        is not whole indices >= 0, or any ``site`` for "tms"; onsets not finite, negative or
        decreasing; widths not finite and > 0; amplitudes not finite and >= 0, or above
        :func:`amplitude_limit` (currents above :data:`MAX_CURRENT` of the modality, "rmt" above
        :data:`MAX_RMT`); an ``interphase_gap`` that is not a finite number >= 0 (NaN, text such as
        ``"50 us"``: the fields are numbers of s; ``duration`` too), or a nonzero one with a monophasic
        ``shape``; a
        ``duration`` outside 0 s to :data:`painsim.checks.MAX_SIMULATED_DURATION` (3600 s); a
        pulse that does not end before the next begins; a last pulse ending after ``duration``.
    painsim.errors.ParameterError
        ``onsets``, ``widths`` or ``amplitudes`` is not 1-D.
    ValueError
        Not a painsim error and not naming the field: with at least one onset, ``widths`` or
        ``amplitudes`` has neither one value nor one per onset (numpy's broadcasting error; with
        no onsets both are dropped whatever their length); or an entry of ``onsets``,
        ``widths`` or ``amplitudes`` is text numpy cannot read as a number (a time such as
        ``"100 us"`` is not converted: the fields are plain numbers of s).
    TypeError
        An entry that is neither a number nor text (a mapping, an arbitrary object): numpy's
        conversion error.
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
        # every instance memoises its own key: a copy by dataclasses.replace would share the dict
        object.__setattr__(self, "_cache", {})
        onsets = _array(self.onsets, "onsets")
        n = onsets.size
        widths = np.broadcast_to(_array(self.widths, "widths"), (n,)).copy() if n else np.zeros(0)
        amps = np.broadcast_to(_array(self.amplitudes, "amplitudes"), (n,)).copy() if n else np.zeros(0)
        for arr in (onsets, widths, amps):
            arr.setflags(write=False)
        object.__setattr__(self, "onsets", onsets)
        object.__setattr__(self, "widths", widths)
        object.__setattr__(self, "amplitudes", amps)
        object.__setattr__(self, "duration", _field_float(self.duration, "duration", "a duration in s (a number)"))
        object.__setattr__(self, "interphase_gap", _field_float(self.interphase_gap, "interphase_gap",
                                                                "a finite gap >= 0 s (a number in s)"))
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
        if self.amplitude_kind not in MODALITY_KINDS[self.modality]:
            # read otherwise as another kind (a TMS current as RMT) or as no recruitment, silently
            raise WaveformError("amplitude_kind", self.amplitude_kind,
                                f"one of {MODALITY_KINDS[self.modality]} for modality {self.modality!r}")
        if self.amplitude_kind == "threshold" and self.threshold_class not in FIBER_CLASSES:
            raise WaveformError("threshold_class", self.threshold_class, f"one of {FIBER_CLASSES}")
        if self.modality == "tms" and self.site is not None:
            # the model's M1 is not topographic (circuits.cortex.tms_input): a site would be ignored
            raise WaveformError("site", self.site, "None for modality 'tms' (the coil reaches the model's "
                                                   "one M1; body sites are not mapped onto it)")
        if not np.all(np.isfinite(onsets)) or (n and onsets[0] < -_EPS):
            raise WaveformError("onsets", onsets[:5], "finite times >= 0 s")
        if np.any(np.diff(onsets) < 0):
            raise WaveformError("onsets", onsets[:5], "non-decreasing pulse onsets")
        bad_w = ~(widths > 0) | ~np.isfinite(widths)  # nan and inf are shown, not an empty array
        if np.any(bad_w):
            raise WaveformError("width", widths[bad_w][:3], "a finite phase width > 0 s")
        check_amplitudes(amps, self.amplitude_kind, self.modality)
        if not (np.isfinite(self.interphase_gap) and self.interphase_gap >= 0):  # NaN compares false
            raise WaveformError("interphase_gap", self.interphase_gap, "a finite gap >= 0 s")
        if self.shape == "monophasic" and self.interphase_gap != 0:
            # no second phase: the gap would change nothing but the key (a cache miss)
            raise WaveformError("interphase_gap", self.interphase_gap,
                                "0 for a monophasic pulse (it has no second phase)",
                                hint='give shape="biphasic" for a gap between two phases')
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

    def describe(self, until: float | None = None) -> dict[str, Any]:
        """JSON-serialisable summary (for result attrs); with ``until`` (s, a run's duration) also
        ``n_pulses_simulated``, the pulses whose onset falls before it (the summary holds no onsets)."""
        run = {} if until is None else {"n_pulses_simulated": int(np.sum(self.onsets < until))}
        return {**run, "label": self.label, "n_pulses": self.n_pulses, "duration_s": self.duration,
                "mean_rate_hz": self.mean_rate, "amplitude_kind": self.amplitude_kind,
                "max_amplitude": float(self.amplitudes.max()) if self.n_pulses else 0.0,
                "shape": self.shape, "modality": self.modality, "target": self.target,
                "threshold_class": self.threshold_class, "site": self.site}

    def key(self, amplitudes: bool = True) -> str:
        """Content hash: equal waveforms have equal keys (used to cache fiber spikes).

        Parameters
        ----------
        amplitudes : bool
            False: the key of everything but the amplitudes (pulse timing, widths, the fields
            but the label), equal for waveforms that differ only in their amplitudes (a sweep
            checks its devices' drawing once per such key, :mod:`painsim.sweep.points`).
        """
        slot = "key" if amplitudes else "key_no_amplitudes"
        if slot not in self._cache:
            h = hashlib.sha256()
            for arr in (self.onsets, self.widths, self.amplitudes)[:3 if amplitudes else 2]:
                h.update(np.ascontiguousarray(arr, dtype="<f8").tobytes())
            meta = {k: getattr(self, k) for k in ("duration", "amplitude_kind", "shape",
                                                  "interphase_gap", "modality", "target",
                                                  "threshold_class", "site")}
            h.update(json.dumps(meta, sort_keys=True).encode())
            self._cache[slot] = h.hexdigest()[:24]
        return self._cache[slot]

    # ---------------------------------------------------------- combinations
    def _compatible(self, other: "Waveform"):
        for attr in ("amplitude_kind", "shape", "interphase_gap", "modality", "target",
                     "threshold_class", "site"):
            if getattr(self, attr) != getattr(other, attr):
                raise WaveformError(attr, getattr(other, attr),
                                    f"the same {attr} as the first waveform ({getattr(self, attr)!r})")

    def concat(self, *others: "Waveform") -> "Waveform":
        """This waveform followed by ``others``, each starting where the previous ends (also ``a + b``).

        Parameters
        ----------
        *others : Waveform
            Waveforms of the same device: amplitude kind, shape, interphase gap, modality, target,
            threshold class and site.

        Returns
        -------
        Waveform
            One waveform lasting the sum of the durations.

        Raises
        ------
        painsim.errors.WaveformError
            A waveform of another device (naming the attribute that differs), or an operand that
            is not a Waveform (``wf + 1``; named ``others[i]``).
        """
        parts, t = [self], self.duration
        onsets, widths, amps = [self.onsets], [self.widths], [self.amplitudes]
        for i, o in enumerate(others):
            if not isinstance(o, Waveform):  # wf + 1 raised AttributeError: 'int' object has no 'amplitude_kind'
                raise WaveformError(f"others[{i}]", o, "a Waveform to append (wf.concat(other), wf + other)")
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
        """The waveform repeated ``n`` times back to back.

        Parameters
        ----------
        n : int
            Repetitions, a whole number >= 1; the whole must last at most
            :data:`painsim.checks.MAX_SIMULATED_DURATION`.

        Returns
        -------
        Waveform

        Raises
        ------
        painsim.errors.WaveformError
            ``n`` not a whole number >= 1, or repetitions lasting too long in all.
        """
        if not is_number(n) or int(n) != n or n < 1:  # nan, inf, text: named, not int()'s error
            raise WaveformError("n", n, "a whole number of repetitions >= 1")
        if n == 1:
            return self
        if self.duration * n > MAX_SIMULATED_DURATION:  # refused before the copies are laid out
            raise WaveformError("n", n, f"repetitions lasting <= {MAX_SIMULATED_DURATION:g} s in all "
                                        f"({n:g} x {self.duration:g} s)")
        return self.concat(*([self] * (int(n) - 1)))

    def shifted(self, delay) -> "Waveform":
        """The waveform delayed by ``delay``; its duration grows by the delay.

        Parameters
        ----------
        delay : Quantity or str
            A time >= 0 (e.g. ``0.5 * second`` or ``"500 ms"``).

        Returns
        -------
        Waveform

        Raises
        ------
        painsim.errors.WaveformError
            A negative delay (a delay without a time unit: :class:`painsim.errors.UnitError`).
        """
        d = to_si(delay, "s", "delay")
        if d < 0:
            raise WaveformError("delay", delay, "a delay >= 0 s")
        return replace(self, onsets=self.onsets + d, duration=self.duration + d, _cache={})

    def window(self, start, stop) -> "Waveform":
        """The pulses whose onset lies in [start, stop), re-timed to start at 0.

        Parameters
        ----------
        start, stop : Quantity or str
            Times with ``0 <= start < stop``.

        Returns
        -------
        Waveform
            Lasting ``stop - start``, or to the end of its last pulse if ``stop`` falls inside that
            pulse (the pulse is delivered whole: it belongs to the window it starts in).

        Raises
        ------
        painsim.errors.WaveformError
            Not ``0 <= start < stop`` (times without a unit: :class:`painsim.errors.UnitError`).
        """
        t0, t1 = to_si(start, "s", "start"), to_si(stop, "s", "stop")
        if not 0 <= t0 < t1:
            raise WaveformError("stop", stop, "0 <= start < stop")
        keep = (self.onsets >= t0 - _EPS) & (self.onsets < t1 - _EPS)
        ends = (self.onsets + self.pulse_spans)[keep] - t0
        return replace(self, onsets=self.onsets[keep] - t0, widths=self.widths[keep],
                       amplitudes=self.amplitudes[keep], duration=max(t1 - t0, float(np.max(ends, initial=0.0))),
                       _cache={})

    def scaled(self, factor: float) -> "Waveform":
        """The same pulses with every amplitude multiplied by ``factor``.

        Parameters
        ----------
        factor : float
            A finite number >= 0.

        Returns
        -------
        Waveform

        Raises
        ------
        painsim.errors.WaveformError
            ``factor`` not a finite number >= 0, or amplitudes beyond the bounds of the
            constructors (e.g. above 2 x RMT for TMS).
        """
        if not is_number(factor) or factor < 0:
            raise WaveformError("factor", factor, "a finite factor >= 0")
        amps = self.amplitudes * factor
        hi, unit = amplitude_limit(self.amplitude_kind, self.modality)
        if np.any(amps > hi):
            raise WaveformError("factor", factor, f"a factor keeping amplitudes <= {hi:g} {unit} "
                                                  f"(the largest is {float(self.amplitudes.max()):g})")
        return replace(self, amplitudes=amps, _cache={})

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
