"""Transcranial magnetic stimulation of M1: repetitive TMS (rTMS) and theta burst (iTBS / cTBS).

Formerly part of the module ``painsim.stimulation`` (now a package that re-exports both
generators).  Amplitudes are fractions of the resting motor threshold (``amplitude_kind="rmt"``);
the pulse is biphasic and its width does not enter the network model, only its timing and
intensity.
"""
from __future__ import annotations

import numpy as np

from ..checks import MAX_SIMULATED_DURATION
from ..errors import WaveformError
from ..units import to_si
from .generators import _count, _fields, _positive, _regular
from .waveform import _EPS, MAX_RMT, Waveform

__all__ = ["rtms", "theta_burst"]


def _intensity(intensity) -> float:
    """A TMS intensity: a fraction of RMT in [0, :data:`~painsim.stimulation.waveform.MAX_RMT`]."""
    i = to_si(intensity, "1", "intensity")
    if not 0 <= i <= MAX_RMT:  # nan fails both comparisons
        raise WaveformError("intensity", intensity, f"a fraction of resting motor threshold in [0, {MAX_RMT:g}]")
    return i


def rtms(intensity=0.8, *, rate="20 Hz", train_duration="10 s", inter_train_interval="50 s",
         n_trains=10, width="300 us", target="m1", site=None, label=None) -> Waveform:
    """Repetitive TMS: ``n_trains`` trains of ``train_duration`` at ``rate``.

    Defaults are Khedr et al. 2005 (J Neurol Neurosurg Psychiatry 76:833):
    20 Hz, 10 trains of 10 s with 50 s between trains, 80 % of resting motor
    threshold, 2000 pulses.  ``intensity`` is the fraction of RMT (0-2).
    The TMS pulse is biphasic, about 300 us in total (chosen: typical
    biphasic stimulator, Magstim Rapid); its width does not enter the network
    model, only its timing and intensity.

    Parameters
    ----------
    intensity : float
        Fraction of the resting motor threshold, in [0, 2].
    rate : Quantity (Hz)
        Pulse rate within a train.
    train_duration : Quantity (s)
        Length of each train.
    inter_train_interval : Quantity (s)
        Pause from the end of one train to the start of the next (>= 0).
    n_trains : int
        Number of trains (>= 1).
    width : Quantity (s)
        The whole biphasic pulse; each phase is half of it.
    target : str
        As :class:`Waveform` (``"m1"``, the model's only TMS target).
    site : None
        None only: the model's M1 is not mapped onto body sites (a site would be ignored).
    label : str, optional
        Description; default ``"rTMS <rate> Hz, <n> x <train_duration> s, <intensity>% RMT"``.

    Returns
    -------
    Waveform
        Biphasic ``"tms"`` pulses with ``amplitude_kind="rmt"``: ``floor(train_duration * rate)``
        pulses per train, trains every ``train_duration + inter_train_interval``; its duration
        is ``n_trains * train_duration + (n_trains - 1) * inter_train_interval``.

    Raises
    ------
    painsim.errors.UnitError
        A rate or time without its unit, or an ``intensity`` with a physical unit.
    painsim.errors.WaveformError
        ``rate``, ``train_duration`` or ``width`` not finite and > 0, ``train_duration`` shorter
        than ``1 / rate`` (trains without pulses), ``inter_train_interval``
        < 0, ``n_trains`` not a whole number >= 1 (nan and inf included), ``intensity`` outside
        [0, 2], a ``site`` (the model's M1 has no body sites), a pulse longer
        than the period, trains lasting more than
        :data:`painsim.checks.MAX_SIMULATED_DURATION` in all, or a field :class:`Waveform`
        refuses.
    painsim.errors.ParameterError
        A value that cannot be read as a quantity.
    """
    r = _positive(rate, "Hz", "rate")
    td = _positive(train_duration, "s", "train_duration")
    iti = _positive(inter_train_interval, "s", "inter_train_interval", allow_zero=True)
    nt = _count(n_trains, "n_trains")
    w = _positive(width, "s", "width") / 2  # phase width of the biphasic pulse
    i = _intensity(intensity)
    _fields(i, "rmt", shape="biphasic", modality="tms", target=target, site=site)
    if 2 * w > 1 / r + _EPS:
        raise WaveformError("width", width, "a pulse shorter than the period", hint="pulse wider than its period")
    if int(np.floor(td * r + _EPS)) < 1:  # trains without pulses: a mistake, not a sham
        raise WaveformError("train_duration", train_duration, f"a train of at least one period of the rate "
                            f"(1/rate = {1 / r:.6g} s)")
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
    ``docs/circuits.md``, "Theta burst of M1".

    Parameters
    ----------
    pattern : {"iTBS", "cTBS"}
        Intermittent (trains of ``train_on`` every ``train_on + train_off``) or continuous.
    intensity : float
        Fraction of the resting motor threshold, in [0, 2].
    n_pulses : int
        Total pulses, a whole multiple of ``pulses_per_burst``.
    pulses_per_burst : int
        Pulses in each burst (>= 1).
    intraburst_rate : Quantity (Hz)
        Pulse rate inside a burst.
    burst_rate : Quantity (Hz)
        Rate at which bursts start.
    train_on : Quantity (s)
        iTBS only: length of a train.  It holds the bursts that start and end inside it,
        ``floor((train_on - burst) * burst_rate) + 1`` (``burst`` = ``(pulses_per_burst - 1) /
        intraburst_rate + width``), at least 1: the default 2 s holds 10.
    train_off : Quantity (s)
        iTBS only: pause between trains (>= 0).
    width : Quantity (s)
        The whole biphasic pulse; each phase is half of it.
    target : str
        As :class:`Waveform` (``"m1"``).
    site : None
        None only, as :func:`rtms`.
    label : str, optional
        Description; default ``"<pattern> <n_pulses> pulses, <intensity>% RMT"``.

    Returns
    -------
    Waveform
        Biphasic ``"tms"`` pulses with ``amplitude_kind="rmt"``, ending with the last pulse.

    Raises
    ------
    painsim.errors.UnitError
        A rate or time without its unit, or an ``intensity`` with a physical unit.
    painsim.errors.WaveformError
        An unknown ``pattern``; ``n_pulses`` or ``pulses_per_burst`` not a whole number >= 1
        (nan and inf included); a rate, ``width`` or (iTBS) ``train_on`` not finite and > 0;
        ``width`` longer than ``1 / intraburst_rate`` (named as given); (iTBS) ``train_off`` < 0
        or a ``train_on`` shorter than one burst; ``intensity`` outside [0, 2]; a ``site``; a
        burst longer than the burst period; ``n_pulses`` not a multiple of ``pulses_per_burst``;
        a run longer than 1 h (named ``n_pulses``, before any pulse is laid out); a field
        :class:`Waveform` refuses.
    painsim.errors.ParameterError
        A value that cannot be read as a quantity.
    """
    if pattern not in ("iTBS", "cTBS"):
        raise WaveformError("pattern", pattern, 'one of "iTBS", "cTBS"')
    n_total = _count(n_pulses, "n_pulses")
    k = _count(pulses_per_burst, "pulses_per_burst")
    ir = _positive(intraburst_rate, "Hz", "intraburst_rate")
    br = _positive(burst_rate, "Hz", "burst_rate")
    w = _positive(width, "s", "width") / 2
    i = _intensity(intensity)
    _fields(i, "rmt", shape="biphasic", modality="tms", target=target, site=site)
    if 2 * w > 1 / ir + _EPS:  # named here, as given (Waveform's check named the phase width in s)
        raise WaveformError("width", width, f"a pulse no longer than the intraburst period (1/intraburst_rate "
                            f"= {1e3 / ir:.6g} ms)", hint="pulse wider than its period")
    burst_len = (k - 1) / ir + 2 * w
    if burst_len > 1 / br + _EPS:
        raise WaveformError("pulses_per_burst", k, "bursts shorter than the burst period",
                            hint="overlapping bursts")
    if n_total % k:
        raise WaveformError("n_pulses", n_total, f"a multiple of pulses_per_burst ({k})")
    n_bursts = n_total // k
    per_train, cycle = n_bursts, 0.0  # cTBS: one train of every burst
    if pattern == "iTBS":
        on = _positive(train_on, "s", "train_on")
        off = _positive(train_off, "s", "train_off", allow_zero=True)
        # the bursts that start inside the train and end in it (floor, not round: round-half-to-even
        # gave 2.1 s 10 bursts but 2.5 s 12); the default 2 s at 5 Hz holds its 10
        per_train = int(np.floor((on - burst_len) * br + _EPS)) + 1 if on >= burst_len - _EPS else 0
        if per_train < 1:
            raise WaveformError("train_on", train_on, f"a train holding at least one burst ({burst_len * 1e3:.6g} ms)")
        cycle = on + off
    last = n_bursts - 1
    end = (last // per_train) * cycle + (last % per_train) / br + burst_len
    if end > MAX_SIMULATED_DURATION:  # refused before the pulses are laid out
        raise WaveformError("n_pulses", n_total, f"a dose delivered in <= {MAX_SIMULATED_DURATION:g} s "
                            f"(this one takes {end:.6g} s)")
    if pattern == "cTBS":
        starts = np.arange(n_bursts) / br
    else:
        j = np.arange(n_bursts)
        starts = (j // per_train) * cycle + (j % per_train) / br
    onsets = (starts[:, None] + np.arange(k)[None, :] / ir).ravel()
    duration = onsets[-1] + 2 * w
    return Waveform(onsets, w, i, duration, amplitude_kind="rmt", shape="biphasic",
                    modality="tms", target=target, site=site,
                    label=label or f"{pattern} {n_total} pulses, {i * 100:g}% RMT")

