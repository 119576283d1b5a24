"""Generators of regular pulse trains: tonic, burst and high-frequency SCS, TENS, alternating-rate
PENS, a train from arrays, and no stimulation.

Formerly part of the module ``painsim.stimulation`` (now a package that re-exports everything
below), with the argument checks every generator shares (rates, widths and counts > 0,
amplitudes as currents or threshold multiples, regular onsets); the TMS generators are in
:mod:`painsim.stimulation.tms`.  Clinical defaults and their sources: the table of
:mod:`painsim.stimulation`.
"""
from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import replace

import numpy as np

from ..checks import is_number, simulated_duration
from ..errors import ParameterError, WaveformError
from ..units import to_si
from .waveform import _EPS, Waveform, check_amplitudes

__all__ = ["tonic", "burst", "high_frequency", "tens", "alternating", "custom", "none"]


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
    # is_number first: int() of nan or inf raised a bare ValueError / OverflowError
    if not is_number(value) or int(value) != value or value < 1:
        raise WaveformError(name, value, "a whole number >= 1")
    return int(value)


def _fields(amplitude: float, kind: str, **fields) -> None:
    """Refuse the amplitude and the :class:`Waveform` fields of a train before its pulses are laid
    out (an empty waveform checks the fields at no cost)."""
    Waveform(np.zeros(0), 0.0, 0.0, 0.0, amplitude_kind=kind, **fields)
    check_amplitudes(amplitude, kind, fields.get("modality", "electrical"))


#: Most pulses one train may hold.  Chosen: a 10 kHz train for the longest simulated hour (3.6e7
#: pulses) fits; beyond it a typo (MHz for kHz) would allocate tens of GB of onsets before anything
#: could refuse it.
MAX_PULSES = 4e7


def _regular(rate: float, duration: float, start: float = 0.0, per_onset: int = 1) -> np.ndarray:
    """Onsets ``start + k / rate`` within ``duration``, refused before they are laid out when
    they (each with ``per_onset`` pulses: a burst's) exceed :data:`MAX_PULSES`."""
    n = int(np.floor((duration - start) * rate + _EPS))
    if n * per_onset > MAX_PULSES:
        raise WaveformError("duration", f"{duration:g} s at {rate:g} Hz ({n * per_onset:.3g} pulses)",
                            f"a train of at most {MAX_PULSES:.0e} pulses (a 10 kHz train of one hour)")
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
        Length of the waveform (> 0, at most :data:`painsim.checks.MAX_SIMULATED_DURATION`, 1 h).
    shape, modality, target, threshold_class, site
        As the fields of :class:`Waveform`.
    interphase_gap : Quantity (s)
        Gap between the phases of a biphasic pulse; 0 (the default) for none, and the only value
        a monophasic pulse takes.
    label : str, optional
        Description; default ``"tonic <rate> Hz"``.

    Returns
    -------
    Waveform
        One pulse at the start of each whole period within ``duration``: onsets ``k / rate``,
        ``k = 0 .. floor(duration * rate) - 1``.

    Raises
    ------
    painsim.errors.UnitError
        ``rate``, ``width``, ``duration`` or a non-zero ``interphase_gap`` without its unit (a
        plain number), or ``amplitude`` with a unit other than A.
    painsim.errors.WaveformError
        ``rate`` or ``width`` not finite and > 0, ``duration`` out of range, ``amplitude`` not
        finite and >= 0 or above :func:`~painsim.stimulation.waveform.amplitude_limit` (a current
        above 1 A on an electrical contact), a pulse (both phases and the gap if biphasic) longer
        than the period ``1 / rate``, a nonzero ``interphase_gap`` with a monophasic ``shape``, or
        a field :class:`Waveform` refuses; all before any pulse is laid out.  A ``duration``
        shorter than one period ``1 / rate`` (a train without pulses: :func:`none` is the sham),
        or one that holds more than :data:`MAX_PULSES` pulses.
    painsim.errors.ParameterError
        A value that cannot be read as a quantity.
    """
    r = _positive(rate, "Hz", "rate")
    w = _positive(width, "s", "width")
    d = simulated_duration(duration, "duration", WaveformError)
    gap = to_si(interphase_gap, "s", "interphase_gap") if interphase_gap else 0.0
    a, kind = _amplitude(amplitude)
    _fields(a, kind, shape=shape, interphase_gap=gap, modality=modality, target=target,
            threshold_class=threshold_class, site=site)
    span = 2 * w + gap if shape == "biphasic" else w
    if span > 1.0 / r + _EPS:  # checked before the train is laid out (a MHz typo is 10^8 onsets)
        raise WaveformError("width", width, f"a pulse span ({span * 1e6:.6g} us) no longer than the "
                            f"period 1/rate ({1e6 / r:.6g} us)", hint="pulse wider than its period")
    onsets = _regular(r, d)
    if not onsets.size:  # a train without pulses is a mistake, not a sham (none() is the sham)
        raise WaveformError("duration", duration, f"a duration of at least one period of the rate ({r:g} Hz: "
                            f"1/rate = {1e3 / r:.6g} ms): pulses are placed one per whole period")
    return Waveform(onsets, w, a, d, amplitude_kind=kind, shape=shape, interphase_gap=gap,
                    modality=modality, target=target, threshold_class=threshold_class,
                    site=site, label=label or f"tonic {r:g} Hz")


def burst(amplitude, duration, *, burst_rate="40 Hz", pulses_per_burst=5,
          intraburst_rate="500 Hz", width="1 ms", shape="monophasic", modality="electrical",
          target="dorsal_column", threshold_class="Abeta", site=None, label=None) -> Waveform:
    """Burst stimulation: ``pulses_per_burst`` pulses at ``intraburst_rate``,
    bursts repeated at ``burst_rate`` (De Ridder et al. 2010: 40 Hz bursts of
    5 pulses at 500 Hz, 1 ms pulses with passive charge balance, hence
    monophasic by default); the other keyword arguments are :class:`Waveform`'s fields.

    Parameters
    ----------
    amplitude : Quantity (A) or float
        A current, or a multiple of the threshold of ``threshold_class``.
    duration : Quantity (s)
        Length of the waveform (> 0, at most 1 h).
    burst_rate : Quantity (Hz)
        Rate at which bursts start.
    pulses_per_burst : int
        Pulses in each burst (>= 1).
    intraburst_rate : Quantity (Hz)
        Pulse rate inside a burst.
    width : Quantity (s)
        Phase width of each pulse.
    shape, modality, target, threshold_class, site
        As the fields of :class:`Waveform` (no interphase gap).
    label : str, optional
        Description; default ``"burst <burst_rate> Hz x <n> @ <intraburst_rate> Hz"``.

    Returns
    -------
    Waveform
        One burst at the start of each whole burst period within ``duration``: bursts start at
        ``k / burst_rate``, ``k = 0 .. floor(duration * burst_rate) - 1`` (as :func:`tonic`'s
        pulses).  A burst in a last, partial period is left out even when it would end before
        ``duration`` (a course tiles windows of the train as a periodic stimulus; the rule is
        kept so that the built-in protocols' pulses stay as they were).

    Raises
    ------
    painsim.errors.UnitError
        A rate, ``width`` or ``duration`` without its unit, or ``amplitude`` with a unit other
        than A.
    painsim.errors.WaveformError
        A rate or ``width`` not finite and > 0, ``pulses_per_burst`` not a whole number >= 1
        (nan and inf included), ``duration`` or ``amplitude`` out of range, a ``duration``
        shorter than one burst period (no burst) or holding more than :data:`MAX_PULSES` pulses,
        a pulse longer than ``1 / intraburst_rate``,
        a burst longer than the burst period, or a field :class:`Waveform` refuses.
    painsim.errors.ParameterError
        A value that cannot be read as a quantity.
    """
    br = _positive(burst_rate, "Hz", "burst_rate")
    ir = _positive(intraburst_rate, "Hz", "intraburst_rate")
    n = _count(pulses_per_burst, "pulses_per_burst")
    w = _positive(width, "s", "width")
    d = simulated_duration(duration, "duration", WaveformError)
    a, kind = _amplitude(amplitude)
    _fields(a, kind, shape=shape, modality=modality, target=target, threshold_class=threshold_class, site=site)
    span = 2 * w if shape == "biphasic" else w
    if span > 1.0 / ir + _EPS:
        raise WaveformError("width", width, f"a pulse span no longer than 1/intraburst_rate "
                            f"({1e3 / ir:.6g} ms)", hint="pulse wider than its period")
    burst_len = (n - 1) / ir + span
    if burst_len > 1.0 / br + _EPS:
        raise WaveformError("pulses_per_burst", n,
                            f"bursts ({burst_len * 1e3:.6g} ms long) shorter than the burst period "
                            f"({1e3 / br:.6g} ms)", hint="overlapping bursts")
    starts = _regular(br, d, per_onset=n)
    if not starts.size:  # a train without pulses is a mistake, not a sham (none() is the sham)
        raise WaveformError("duration", duration, f"a duration of at least one burst period (1/burst_rate = "
                            f"{1e3 / br:.6g} ms): bursts are placed one per whole burst period")
    onsets = (starts[:, None] + np.arange(n)[None, :] / ir).ravel()
    return Waveform(onsets, w, a, d, amplitude_kind=kind, shape=shape, modality=modality,
                    target=target, threshold_class=threshold_class, site=site,
                    label=label or f"burst {br:g} Hz x {n} @ {ir:g} Hz")


def high_frequency(amplitude, duration, *, rate="10 kHz", width="30 us", label=None, **kwargs) -> Waveform:
    """High-frequency (kHz) SCS: 10 kHz, 30 us biphasic pulses (HF10;
    Kapural et al. 2015).  Other keywords as :func:`tonic`.

    Parameters
    ----------
    amplitude : Quantity (A) or float
        A current, or a multiple of the threshold of ``threshold_class``.
    duration : Quantity (s)
        Length of the waveform.
    rate : Quantity (Hz)
        Pulse rate.
    width : Quantity (s)
        Phase width.
    label : str, optional
        Description; default (also for None) ``"high-frequency <rate> kHz"``.
    **kwargs
        The other keyword arguments of :func:`tonic`.

    Returns
    -------
    Waveform
        The :func:`tonic` train.

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`tonic` (:class:`~painsim.errors.UnitError`, :class:`~painsim.errors.WaveformError`,
        e.g. a ``duration`` shorter than one period: no pulse).
    """
    # "or", not setdefault: an explicit label=None means the default, as in the other generators
    label = label or f"high-frequency {_positive(rate, 'Hz', 'rate') / 1e3:g} kHz"
    return tonic(rate, width, amplitude, duration, label=label, **kwargs)


def tens(mode="conventional", amplitude=1.5, duration="10 s", *, rate=None, width=None,
         site=None, label=None) -> Waveform:
    """Transcutaneous electrical nerve stimulation through skin electrodes.

    ``mode="conventional"``: 100 Hz, 100 us; ``mode="acupuncture"``: 2 Hz, 250 us.
    The mode sets rate and width only: ``amplitude`` (× the Aβ threshold, 1.5 by
    default, a strong but comfortable paresthesia level) is the caller's; clinically
    acupuncture-like TENS is given at a higher, muscle-twitch intensity (the library
    protocol ``tens_acupuncture`` uses 4.0).  (Standard clinical settings: conventional
    80-100 Hz, acupuncture-like 2-4 Hz; Johnson et al. 2022 BMJ Open review.)

    Parameters
    ----------
    mode : {"conventional", "acupuncture"}
        The preset of rate and width.
    amplitude : Quantity (A) or float
        A current, or a multiple of the Aβ threshold.
    duration : Quantity (s)
        Length of the waveform.
    rate : Quantity (Hz), optional
        Replaces the mode's rate (refused as :func:`tonic` refuses it, e.g. 0 Hz).
    width : Quantity (s), optional
        Replaces the mode's phase width.
    site : int, sequence of int, or None
        As :class:`Waveform`.
    label : str, optional
        Description; default ``"TENS <mode>"``.

    Returns
    -------
    Waveform
        A biphasic electrical :func:`tonic` train with ``target="skin"``.

    Raises
    ------
    painsim.errors.WaveformError
        An unknown ``mode``, or a ``duration`` shorter than one period of the rate (no pulse;
        e.g. 0.4 s at the 2 Hz of ``"acupuncture"``), as :func:`tonic` refuses it.
    painsim.errors.ParameterError
        Any other value :func:`tonic` refuses.
    """
    presets = {"conventional": ("100 Hz", "100 us"), "acupuncture": ("2 Hz", "250 us")}
    if mode not in presets:
        raise WaveformError("mode", mode, f"one of {tuple(presets)}")
    r0, w0 = presets[mode]
    # "is None", not "or": rate=0 must reach tonic's refusal, not fall back to the preset
    return tonic(r0 if rate is None else rate, w0 if width is None else width, amplitude, duration,
                 target="skin", site=site, label=label or f"TENS {mode}")


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
    label : str, optional
        Description; default ``"alternating <rates> Hz every <segment> s"``.
    **kwargs
        The other keyword arguments of :func:`tonic`.

    Returns
    -------
    Waveform
        The segments' :func:`tonic` trains back to back, segment ``k`` starting its pulses at
        ``k * segment``; the last segment is cut to end at ``duration`` (a cut segment keeps the
        pulses of its whole periods); the waveform lasts exactly ``duration``.

    Raises
    ------
    painsim.errors.WaveformError
        ``rates`` not a non-empty sequence (a single string, a mapping or a set is refused), a
        rate in it not finite and > 0 (named ``rates[i]``, as :func:`tonic` refuses ``rate``,
        before any segment is built), ``segment`` not finite and > 0 or not holding a whole
        number of periods of every rate (it would change the mean rate), ``duration`` out of range
        or shorter than one period of ``rates[0]`` (a train without pulses).
    painsim.errors.UnitError
        A rate in ``rates`` without its unit or in another unit (named ``rates[i]``).
    painsim.errors.ParameterError
        A rate in ``rates`` that cannot be read as a quantity (named ``rates[i]``), or another
        value :func:`tonic` refuses in a segment (named as :func:`tonic`'s argument, e.g.
        ``width``).
    """
    if (isinstance(rates, (str, bytes, Mapping, Set)) or not hasattr(rates, "__len__")
            or not hasattr(rates, "__getitem__") or getattr(rates, "ndim", 1) != 1 or len(rates) < 1):
        raise WaveformError("rates", rates, 'a list of pulse rates, e.g. ["15 Hz", "30 Hz"]')
    given = [rates[i] for i in range(len(rates))]
    # every rate checked by tonic's rule up front, so a bad one is named rates[i], not tonic's rate
    values = [_positive(r, "Hz", f"rates[{i}]") for i, r in enumerate(given)]
    seg = _positive(segment, "s", "segment")
    d = simulated_duration(duration, "duration", WaveformError)
    for i, v in enumerate(values):
        # a segment ending inside a period drops that period's pulse: 15/30 Hz in 0.1-s segments
        # gave 20 Hz, not the 22.5 Hz of the rates
        periods = seg * v
        if abs(periods - round(periods)) > 1e-9 * max(1.0, periods) or round(periods) < 1:
            raise WaveformError("segment", segment, f"a whole number >= 1 of periods of every rate (rates[{i}] = "
                                f"{v:g} Hz: {periods:.6g} periods per segment)")
    if np.floor(min(seg, d) * values[0] + _EPS) < 1:  # no pulse at all: a mistake, not a sham (none())
        raise WaveformError("duration", duration, f"a duration of at least one period of the first rate "
                            f"(rates[0] = {values[0]:g} Hz: 1/rate = {1e3 / values[0]:.6g} ms)")
    parts, starts, k = [], [], 0
    while k * seg < d - _EPS:  # segment starts k * seg: no float drift from adding lengths
        length = min(seg, d - k * seg)
        if np.floor(length * values[k % len(values)] + _EPS) >= 1:  # a last cut segment may hold no period
            parts.append(tonic(given[k % len(given)], width, amplitude, f"{length!r} s", **kwargs))
            starts.append(k * seg)
        k += 1
    onsets = np.concatenate([p.onsets + t for t, p in zip(starts, parts)])
    names = "/".join(f"{v:g}" for v in values)
    return replace(parts[0], onsets=onsets, widths=np.concatenate([p.widths for p in parts]),
                   amplitudes=np.concatenate([p.amplitudes for p in parts]), duration=d,
                   label=label or f"alternating {names} Hz every {seg:g} s", _cache={})


def custom(onsets, widths, amplitudes, duration, **kwargs) -> Waveform:
    """A waveform from arrays (quantities in s for onsets, widths and duration;
    amplitudes as currents or threshold multiples).

    Parameters
    ----------
    onsets : Quantity (s), scalar or array
        Pulse onsets, e.g. ``[0, 0.01] * second`` (a list of strings is not read); none
        (an empty array) for a waveform without pulses.
    widths : Quantity (s), scalar or array
        Phase widths: one for every pulse, or one per onset.
    amplitudes : Quantity (A) or float, scalar or array
        Currents (``amplitude_kind="current"``), or plain numbers (threshold multiples,
        :class:`Waveform`'s default ``amplitude_kind``, or ``"rmt"``): one for every pulse, or
        one per onset.
    duration : Quantity (s)
        Length of the waveform (0 allowed).
    **kwargs
        The other fields of :class:`Waveform`; ``label=None`` is :class:`Waveform`'s default
        (no label).

    Returns
    -------
    Waveform

    Raises
    ------
    painsim.errors.UnitError
        ``onsets``, ``widths`` or ``duration`` without a time unit, or ``amplitudes`` with a
        unit other than A.
    painsim.errors.WaveformError
        An ``amplitude_kind`` other than "current" for amplitudes with a unit, or "current" for
        plain numbers; ``widths`` or ``amplitudes`` with neither one value nor one per onset (a subclass of
        ValueError, as numpy's broadcasting error raised before); ``widths`` not finite and
        > 0 or ``amplitudes`` not finite and >= 0 (each named); onsets not finite, negative or
        decreasing, a ``duration`` outside 0 s to 1 h or before the end of the last pulse,
        pulses that overlap (named ``width``), an ``interphase_gap`` that is not a finite time >= 0
        (a quantity such as ``"50 us"``, or a number in s), a nonzero one with
        ``shape="monophasic"``, or another field :class:`Waveform` refuses.
    painsim.errors.ParameterError
        A value that cannot be read as a quantity, or an array that is not 1-D.
    """
    on = np.atleast_1d(np.asarray(to_si(onsets, "s", "onsets", allow_array=True), dtype=float))
    if on.ndim != 1:
        raise ParameterError("onsets", onsets, "a 1-D sequence of pulse onsets")
    w = _per_pulse(to_si(widths, "s", "widths", allow_array=True), on.size, "widths", "finite phase widths > 0 s")
    d = to_si(duration, "s", "duration")  # 0 s allowed; Waveform bounds it to the hour
    kind = kwargs.get("amplitude_kind")
    if isinstance(amplitudes, str) or hasattr(amplitudes, "dim"):
        a = to_si(amplitudes, "A", "amplitudes", allow_array=True)
        if kind not in (None, "current"):  # "900 mA" was read as 0.9 x RMT
            raise WaveformError("amplitude_kind", kind, '"current" for amplitudes with a unit (A)',
                                hint="give plain numbers for threshold or RMT multiples")
        kwargs["amplitude_kind"] = "current"
    else:
        a = to_si(amplitudes, "1", "amplitudes", allow_array=True)
        if kind == "current":  # a plain 2 was read as 2 A
            raise WaveformError("amplitude_kind", kind, '"threshold" or "rmt" for plain-number amplitudes',
                                hint='a current needs its unit, e.g. amplitudes="2 mA"')
    a = _per_pulse(a, on.size, "amplitudes", "finite amplitudes >= 0", allow_zero=True)
    gap = kwargs.get("interphase_gap")
    if isinstance(gap, str) or hasattr(gap, "dim"):  # "50 us" as the other generators take it (a bare
        kwargs["interphase_gap"] = to_si(gap, "s", "interphase_gap")  # ValueError); a number is in s
    if "label" in kwargs and kwargs["label"] is None:  # label=None: the default, as in the other generators
        del kwargs["label"]
    return Waveform(on, w, a, d, **kwargs)


def _per_pulse(values, n: int, name: str, allowed: str, allow_zero: bool = False) -> np.ndarray:
    """:func:`custom`'s ``widths`` or ``amplitudes`` (SI, from :func:`to_si`): a 1-D array of one
    value or one per onset (``n``), each finite and > 0 (>= 0 with ``allow_zero``); refused by
    ``name`` otherwise (``allowed`` says what is allowed of each value)."""
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1:
        raise ParameterError(name, values, "a 1-D sequence")
    if arr.size not in (1, n):
        raise WaveformError(name, values, f"one value for every pulse or one per onset ({n} onsets, "
                                          f"{arr.size} values given)")
    bad = ~np.isfinite(arr) | ((arr < 0) if allow_zero else ~(arr > 0))
    if np.any(bad):
        raise WaveformError(name, arr[bad][:3], allowed)
    return arr


def none(duration) -> Waveform:
    """No stimulation for ``duration`` (a sham waveform).

    Parameters
    ----------
    duration : Quantity (s)
        Length of the waveform, 0 s to 1 h.

    Returns
    -------
    Waveform
        No pulses, labelled ``"none"`` (the other fields :class:`Waveform`'s defaults).

    Raises
    ------
    painsim.errors.UnitError
        ``duration`` without a time unit.
    painsim.errors.WaveformError
        ``duration`` negative or longer than 1 h.
    """
    return Waveform(np.zeros(0), np.zeros(0), np.zeros(0), to_si(duration, "s", "duration"), label="none")
