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

from typing import Any, Mapping

import numpy as np

from ..anatomy import FIBER_CLASSES, JUNCTION_TARGETS
from ..rng import rng_for
from ..stimulation import Waveform
from .afferents import DEAD_TIME, AfferentSpikes, FiberSet, NaturalStimulus, apply_dead_time, poisson_train
from .collision import COLLISION_TARGETS, lead_arrivals
from .encoding import PhysicalStimulus
from .registry import recruitment_model
from .tjunction import drg_arrivals

__all__ = ["afferent_input"]


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
        Device pulses; recruited through ``afferents.recruitment``.  A ``"drg"``
        target routes every spike of every class through the T-junction model.
    noxious, touch : NaturalStimulus or PhysicalStimulus, optional
        Natural stimuli: an intensity 0-1 scales each class's ``max_rate``; a
        :class:`PhysicalStimulus` (heat, pinprick, brush) gives per-fiber rates.
    pathology : mapping, optional
        The ``pathology`` section: ``ectopic_fraction`` of C fibers fire at
        ``ectopic_rate`` (Devor 2009).
    fibers : FiberSet, optional
        The point's fibers; default drawn from ``params`` and ``seed``.

    Returns
    -------
    dict
        fiber class -> :class:`AfferentSpikes` (times < ``duration``).
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
        times = np.concatenate([q[0] for q in parts])
        ids = np.concatenate([q[1] for q in parts]).astype(np.int64)
        # natural and ectopic spikes start in the periphery
        origin = times
        times = times + (params["conduction_distance"] / fibers.velocity[c])[ids]
        if stimulus is not None and stimulus.target in JUNCTION_TARGETS:
            # a DRG lead: every spike reaches the cord through its fiber's T-junction,
            # which the stem spikes the lead evokes load and collide with (tjunction.py)
            t, i = recruit.fire(stimulus, fibers, c, params, seed)
            times, ids = drg_arrivals(origin, ids, t, i, c, fibers.velocity[c], params, duration)
        elif stimulus is not None and stimulus.target in COLLISION_TARGETS:
            # a dorsal-column or dorsal-root lead a few cm from the segment: its antidromic
            # impulses annihilate the natural ones they meet (collision.py)
            t, i = recruit.fire(stimulus, fibers, c, params, seed)
            times, ids = lead_arrivals(origin, ids, t, i, fibers.velocity[c], params, stimulus.target, DEAD_TIME)
        elif stimulus is not None:
            # other targets are peripheral: the electrode sits at the receptive field
            t, i = recruit.fire(stimulus, fibers, c, params, seed)
            times = np.concatenate([times, t + (params["conduction_distance"] / fibers.velocity[c])[i]])
            ids = np.concatenate([ids, i.astype(np.int64)])
        times, ids = apply_dead_time(times, ids, DEAD_TIME)
        keep = times < duration
        out[c] = AfferentSpikes.merge([(times[keep], ids[keep])], n)
    return out
