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
from .generators import _count, _positive, _regular
from .waveform import _EPS, Waveform

__all__ = ["rtms", "theta_burst"]


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
    site : int, sequence of int, or None
        As :class:`Waveform`.
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
        ``rate``, ``train_duration`` or ``width`` not finite and > 0, ``inter_train_interval``
        < 0, ``n_trains`` not a whole number >= 1, ``intensity`` outside [0, 2], a pulse longer
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
        iTBS only: length of a train, holding ``round(train_on * burst_rate)`` >= 1 bursts.
    train_off : Quantity (s)
        iTBS only: pause between trains (>= 0).
    width : Quantity (s)
        The whole biphasic pulse; each phase is half of it.
    target : str
        As :class:`Waveform` (``"m1"``).
    site : int, sequence of int, or None
        As :class:`Waveform`.
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
        An unknown ``pattern``; ``n_pulses`` or ``pulses_per_burst`` not a whole number >= 1;
        a rate, ``width`` or (iTBS) ``train_on`` not finite and > 0; (iTBS) ``train_off`` < 0
        or ``round(train_on * burst_rate) < 1``; ``intensity`` outside [0, 2]; a burst
        longer than the burst period; ``n_pulses`` not a multiple of ``pulses_per_burst``; a
        field :class:`Waveform` refuses (a run longer than 1 h).
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

