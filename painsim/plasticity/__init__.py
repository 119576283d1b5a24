"""Synaptic plasticity rules: numba kernels, each with a plain-numpy reference.

A rule turns the spikes of one simulated window into new synaptic weights.
All rules share one interface so that a long session can be cut into windows
and the windows chained exactly::

    rule = PairSTDP()                       # or TripletSTDP.preset(...), CalciumRule(), BCM(), SynapticScaling()
    state = rule.initial_state(n_synapses, n_pre, n_post)
    w, state = rule.apply(pre_times, pre_ids, post_times, post_ids,
                          syn_pre, syn_post, w, state, t_start, t_end, w_min, w_max)

Conventions shared by every rule
--------------------------------
* Times are SI seconds (floats); ``pre_times``/``post_times`` are sorted.
  Only spikes with ``t_start <= t < t_end`` are used, so the spikes of a whole
  run may be passed with successive windows.
* Neuron ids are global: a batch of independent networks is one synapse list
  whose networks use disjoint neuron ids.  Every rule couples a synapse only to
  its own pre- and postsynaptic neuron, so networks never mix.
* Pre and post spikes at exactly the same time: **presynaptic events are
  processed first** (the same order as brian2's default, where the ``pre``
  pathway is created before the ``post`` pathway).  For STDP a coincident pair
  therefore counts as causal (Delta t = 0 -> potentiation by ``A_plus``).
* Weights stay within ``[w_min, w_max]`` (scalars or per-synapse arrays)
  after every event.
* ``state`` is a dict of float arrays; ``apply`` never modifies its inputs.
  Applying [t0, t1) then [t1, t2) with the returned state equals one
  application over [t0, t2) (traces are decayed lazily from the time of their
  last spike, so a window boundary does not even add a rounding step, except
  for CalciumRule and SynapticScaling whose continuous dynamics are split at the
  boundary; their difference is at rounding level).
* Windows go forward in time: ``apply`` refuses a window that starts before
  the last event its ``state`` has processed (the traces would be decayed
  over a negative time and grow; for SynapticScaling and CalciumRule, which change
  weights between spikes, before the end of the time they have integrated, ``t_done``:
  the same window twice, or two overlapping windows, doubled their change), and a state whose per-neuron arrays do not
  match in length or hold NaN, infinities or negative traces other than the
  documented markers (``-inf``: never; ``NaN``: the first window's start;
  ``NaN`` slots of the calcium rule's delay queue).
* ``apply_reference`` has the same signature and runs a plain Python/numpy
  implementation written differently (explicit sums over spike histories
  instead of recursively updated traces); tests check they agree.

Modules
-------
* :mod:`.base` -- the :class:`PlasticityRule` interface (``apply``,
  ``apply_reference``, ``apply_unchecked``, ``drive``) and input checks.
* :mod:`.stdp` -- :class:`PairSTDP`, :class:`TripletSTDP` (Bi & Poo 1998;
  Song et al. 2000; Pfister & Gerstner 2006).
* :mod:`.calcium` -- :class:`CalciumRule` (Graupner & Brunel 2012).
* :mod:`.bcm` -- :class:`BCM` (Bienenstock, Cooper & Munro 1982).
* :mod:`.scaling` -- :class:`SynapticScaling` (Turrigiano et al. 1998).
* :mod:`.theta_burst` -- :class:`TBSCalcium`, theta-burst after-effects from a
  calcium-driven facilitatory and inhibitory process (Huang et al. 2011;
  Ma, Rothwell & Goetz 2022).
* :mod:`.curves` -- classic protocols as data (xarray Datasets, for figures
  in :mod:`painsim.plots`, notebooks and tests): :func:`stdp_window`
  (weight change vs spike timing), :func:`pairing_frequency_curve`
  (Sjostrom 2001 pairing protocol) and :func:`frequency_curve`
  (presynaptic trains of a given frequency).
* :mod:`.registry` -- :data:`RULES`, :func:`make_rule` and
  :func:`plastic_connections` (which connections of a model are plastic).

In the circuit (a layer up, with simulations): :mod:`painsim.conditioning`
(``update_weights``, ``condition_and_test``, ``run_conditioning_experiment``).
Measured effects in the circuit: docs/plasticity.md.

No brian2 here: this package is numpy + numba only.
"""
from __future__ import annotations

from .base import PlasticityRule
from .bcm import BCM
from .calcium import CalciumRule
from .curves import frequency_curve, pairing_frequency_curve, stdp_window
from .registry import RULES, make_rule, plastic_connections
from .scaling import SynapticScaling
from .stdp import PairSTDP, TripletSTDP
from .theta_burst import TBSCalcium

__all__ = ["PairSTDP", "TripletSTDP", "CalciumRule", "BCM", "SynapticScaling",
           "TBSCalcium", "RULES", "make_rule", "PlasticityRule", "plastic_connections",
           "stdp_window", "pairing_frequency_curve", "frequency_curve"]
