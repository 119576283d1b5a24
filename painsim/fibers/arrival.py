"""Afferent spikes arriving at the dorsal horn for one simulated point.

Three sources of afferent spikes reach the dorsal horn:

* natural stimuli -- touch drives Aβ fibers, noxious heat or pressure drives
  Aδ and C nociceptors -- encoded as Poisson rate processes per fiber class
  (with a 1 ms dead time);
* ectopic spontaneous firing of a fraction of C fibers, a pathology parameter
  of neuropathic pain (Devor 2009, Exp Brain Res 196:115);
* device pulses (:mod:`painsim.stimulation`), through a *recruitment model*
  (:mod:`painsim.fibers.registry`) that decides which fibers fire at each pulse.

A device at the dorsal root ganglion (target ``"drg"``) also changes how the
other spikes arrive: every spike of the stimulated point then passes its fiber's
T-junction (:func:`painsim.fibers.tjunction.drg_arrivals`; Gemes et al. 2013),
which the stem spikes the lead evokes load and collide with.  Without such a
device nothing passes through the junction model (results unchanged).  A
dorsal-column lead's impulses also run antidromically to the skin and annihilate
the natural impulses they meet (:mod:`painsim.fibers.collision`).

Spike times are produced at the fibers' origin and delayed by the conduction
time to the dorsal horn (distance / conduction velocity, one velocity per
fiber drawn from the class range), so volleys arrive in the order and with
the dispersion that the velocities imply.  Everything here is numpy: the
network replays the result through brian2 ``SpikeGeneratorGroup``s.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..anatomy import FIBER_CLASSES, JUNCTION_TARGETS
from ..devices import as_devices, labels
from ..errors import ParameterError
from ..rng import rng_for
from ..stimulation import Waveform
from .afferents import DEAD_TIME, AfferentSpikes, FiberSet, NaturalStimulus, apply_dead_time, natural, poisson_train
from .collision import COLLISION_TARGETS, lead_arrivals
from .encoding import PhysicalStimulus, _duration
from .rates import _checked_seed
from .registry import recruitment_model
from .tjunction import drg_arrivals

__all__ = ["afferent_input", "central_lead", "arrived", "ASCENDING"]

#: Key of the Aβ impulses that run up the dorsal columns in :func:`afferent_input`'s result.
ASCENDING = "Abeta_ascending"


def afferent_input(params: Mapping[str, Any], duration: float, seed: int,
                   stimulus: Waveform | Sequence[Waveform] | None = None, noxious: NaturalStimulus | None = None,
                   touch: NaturalStimulus | None = None, pathology: Mapping[str, Any] | None = None,
                   fibers: FiberSet | None = None, ascending: bool = False) -> dict[str, AfferentSpikes]:
    """Afferent spikes arriving at the dorsal horn for one point.

    Parameters
    ----------
    params : mapping
        The model's ``afferents`` section in SI units.
    duration : float or Quantity
        Simulated time, s (a number, or a quantity such as ``"2 s"``).
    seed : int
        The point's seed; each purpose draws from its own stream.
    stimulus : Waveform or sequence of Waveform, optional
        Device pulses; recruited through ``afferents.recruitment``.  A ``"drg"``
        target routes every spike of every class through the T-junction model.
        Several devices act at once (:mod:`painsim.devices`): the impulses of the
        peripheral ones start at the receptive field with the natural ones, and at most
        one central lead (:func:`central_lead`) takes them all to the dorsal horn.
    noxious, touch : float, NaturalStimulus or PhysicalStimulus, optional
        Natural stimuli: an intensity 0-1 (a number, or :func:`~painsim.fibers.natural` with a
        start and stop) scales each class's ``max_rate``; a :class:`PhysicalStimulus` (heat,
        pinprick, brush) gives per-fiber rates.
    pathology : mapping, optional
        The ``pathology`` section: ``ectopic_fraction`` of C fibers fire at
        ``ectopic_rate`` (Devor 2009).
    fibers : FiberSet, optional
        The point's fibers; default drawn from ``params`` and ``seed``.
    ascending : bool
        Also return, under :data:`ASCENDING`, the Aβ impulses that run up the dorsal
        columns past the segment (to the dorsal column nuclei), timed at the segment: the
        arrivals themselves, except under a dorsal-column lead whose antidromic impulses
        meet natural ones (:func:`painsim.fibers.collision.ascending_arrivals`).

    Returns
    -------
    dict
        fiber class -> :class:`AfferentSpikes` (times < ``duration``).

    Raises
    ------
    painsim.errors.ParameterError
        Before any spike is drawn: ``duration`` not a finite time > 0 s (was an empty result, or a
        bare error for NaN or text), ``seed`` not a whole number >= 0, ``noxious`` or ``touch``
        refused by :func:`~painsim.fibers.natural` (text was ignored: no drive), ``fibers`` not a
        :class:`FiberSet` (or, with a device under a recruitment model that draws its own fibres,
        the biophysical one, a FiberSet whose counts differ from the model's ``<class>.n``), or
        ``pathology.ectopic_fraction`` outside [0, 1]; later, a refused
        device (:func:`central_lead`, the recruitment model).
    """
    duration, seed = _checked_inputs(duration, seed, pathology, fibers)
    # a number is an intensity, as simulate() reads it (it was ignored: no drive, silently)
    noxious = None if noxious is None else natural(noxious, name="noxious")
    touch = None if touch is None else natural(touch, name="touch")
    recruit = recruitment_model(params.get("recruitment", "fraction"))
    devices = as_devices(stimulus)
    if fibers is not None and devices:
        _check_counts(fibers, params, recruit)
    fibers = fibers or FiberSet.from_model(params, seed)
    pathology = pathology or {}
    lead = central_lead(devices)
    peripheral = [w for w in devices if w is not lead]
    out = {}
    for k, c in enumerate(FIBER_CLASSES):
        p, n = params[c], fibers.counts[c]
        parts = []
        rng = rng_for(seed, "natural", k)
        parts.append(poisson_train(p["spontaneous_rate"], 0.0, duration, n, rng))
        drives = {"Abeta": (touch,), "Adelta": (noxious,), "C": (noxious,)}[c]
        for stim in drives:
            if isinstance(stim, NaturalStimulus) and stim.intensity > 0:
                i, t0, t1 = stim.rate_factor(duration)
                parts.append(poisson_train(i * p["max_rate"], t0, t1, n, rng))
        # stimuli in physical units (painsim.fibers.encoding) drive the classes their
        # encoding names, whichever keyword carries them, with per-fiber rates
        for stim in (noxious, touch):
            if isinstance(stim, PhysicalStimulus) and c in stim.classes():
                parts.append(stim.spikes(c, n, duration, seed, rng))
        if c == "C" and pathology.get("ectopic_fraction", 0) > 0:
            n_ect = int(round(pathology["ectopic_fraction"] * n))
            t, i = poisson_train(pathology["ectopic_rate"], 0.0, duration, n_ect,
                                 rng_for(seed, "ectopic"))
            parts.append((t, i))
        # peripheral electrodes sit at the receptive field in the model: their impulses
        # start where the natural and ectopic ones do
        parts += [recruit.fire(w, fibers, c, params, seed) for w in peripheral]
        origin = np.concatenate([q[0] for q in parts])
        ids = np.concatenate([q[1] for q in parts]).astype(np.int64)
        times = origin + (params["conduction_distance"] / fibers.velocity[c])[ids]
        if lead is not None and lead.target in JUNCTION_TARGETS:
            # a DRG lead: every spike reaches the cord through its fiber's T-junction,
            # which the stem spikes the lead evokes load and collide with (tjunction.py)
            t, i = recruit.fire(lead, fibers, c, params, seed)
            times, ids = drg_arrivals(origin, ids, t, i, c, fibers.velocity[c], params, duration)
        elif lead is not None:
            # a dorsal-column or dorsal-root lead a few cm from the segment: its antidromic
            # impulses annihilate the natural ones they meet (collision.py)
            t, i = recruit.fire(lead, fibers, c, params, seed)
            times, ids, *up = lead_arrivals(origin, ids, t, i, fibers.velocity[c], params, lead.target, DEAD_TIME,
                                            ascending=ascending and c == "Abeta")
            if up:
                out[ASCENDING] = arrived(*up, n, duration)
        out[c] = arrived(times, ids, n, duration)
    if ascending and ASCENDING not in out:
        out[ASCENDING] = out["Abeta"]
    return out


def _checked_inputs(duration, seed, pathology, fibers) -> tuple[float, int]:
    """``(duration in s, seed)`` of :func:`afferent_input`, ``pathology`` and ``fibers`` checked."""
    duration = _duration(duration)
    seed = _checked_seed(seed)
    if fibers is not None and not isinstance(fibers, FiberSet):
        raise ParameterError("fibers", fibers, "None or a FiberSet (FiberSet.from_model(params, seed))")
    if pathology is not None and not isinstance(pathology, Mapping):
        raise ParameterError("pathology", pathology, "None or the pathology section (a mapping)")
    fraction = (pathology or {}).get("ectopic_fraction", 0)
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float, np.integer, np.floating)) \
            or not 0 <= fraction <= 1:
        raise ParameterError("pathology.ectopic_fraction", fraction, "a fraction of the C fibers in [0, 1]")
    return duration, seed


def _check_counts(fibers: FiberSet, params, recruit) -> None:
    """Refuse a FiberSet whose counts differ from the model's under a recruitment model that draws
    its own fibres from them (``draws_population``, the biophysical one): its spikes index the
    model's fibres, so fewer ones raised a bare IndexError and more were never stimulated."""
    if not getattr(recruit, "draws_population", False):
        return
    model = {c: int(params[c]["n"]) for c in FIBER_CLASSES}
    given = {c: int(fibers.counts[c]) for c in FIBER_CLASSES}
    if given != model:
        raise ParameterError("fibers", f"a FiberSet of counts {given}",
                             f"the model's counts {model} (afferents.<class>.n) under afferents.recruitment = "
                             f"{params.get('recruitment')!r}, whose fibres are drawn from them; or None "
                             "(FiberSet.from_model(params, seed))")


def arrived(times, ids, n: int, duration: float) -> AfferentSpikes:
    """Spikes of ``n`` fibres at the segment: each fibre's dead time applied, those before
    ``duration`` kept.

    Parameters
    ----------
    times : array of float
        Arrival times at the segment, s.
    ids : array of int
        Fibre index of each spike.
    n : int
        Number of fibres of the class.
    duration : float
        Simulated time, s.

    Returns
    -------
    AfferentSpikes
        The kept spikes, sorted by time, then fibre.
    """
    times, ids = apply_dead_time(times, ids, DEAD_TIME)
    keep = times < duration
    return AfferentSpikes.merge([(times[keep], ids[keep])], n)


def central_lead(devices: Sequence[Waveform]) -> Waveform | None:
    """The one device of ``devices`` on the dorsal columns, a dorsal root or a DRG, or None.

    Parameters
    ----------
    devices : sequence of Waveform
        The point's devices (:func:`painsim.devices.as_devices`).

    Returns
    -------
    Waveform or None
        The device whose target is in :data:`painsim.anatomy.JUNCTION_TARGETS` or
        :data:`painsim.fibers.collision.COLLISION_TARGETS`, or None.

    Raises
    ------
    painsim.errors.ParameterError
        More than one: the collision and T-junction models follow one lead's impulses
        along a fibre; or ``devices`` not waveforms (:func:`painsim.devices.as_devices`; None
        is no device).
    """
    devices = as_devices(devices, "devices")
    central = [w for w in devices if w.target in JUNCTION_TARGETS or w.target in COLLISION_TARGETS]
    if len(central) > 1:
        raise ParameterError("stimulus", labels(central),
                             "at most one lead on the dorsal columns, a dorsal root or a DRG per body site "
                             "(peripheral devices may be added)")
    return central[0] if central else None
