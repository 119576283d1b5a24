"""The circuit of one point, drawn in numpy: a :class:`Plan`.

A plan lists the populations (with per-neuron parameters and initial
potentials) and projections (with per-synapse conductances) of every layer of
the model's stack (:func:`painsim.circuits.layers.stack`), bottom-up:
:func:`build_plan` asks each registered layer to draw its part.  All
randomness comes from the point's seed (:func:`painsim.rng.rng_for`), so a plan
depends only on the parameters and the seed.  :mod:`painsim.circuits.network`
stacks the plans of a batch into brian2 objects.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..params import Model
from .elements import Population, Projection
from .layers import stack

__all__ = ["Population", "Projection", "Plan", "build_plan", "population_sizes", "population_names",
           "projection_endpoints", "structure_key", "neuron_groups", "shared_parameters"]


@dataclass
class Plan:
    """Everything of one point's circuit that brian2 needs, drawn in numpy.

    Parameters
    ----------
    populations : list of Population
        Every population of every layer, in network order.
    projections : list of Projection
        Every projection of every layer, in network order.
    """

    populations: list[Population]
    projections: list[Projection]

    def key(self) -> tuple:
        """Points with equal keys can share one network."""
        return (tuple((p.name, p.n, p.is_generator, p.group) for p in self.populations),
                tuple((c.name, c.source, c.target, c.kind) for c in self.projections))

    def sizes(self) -> dict[str, int]:
        return {p.name: p.n for p in self.populations}


#: Plans of the most recent (parameters, seed) pairs: every window of a course
#: patient runs the same circuit, drawn once (plans are shared: read-only).
_PLANS: "OrderedDict[tuple[str, int], Plan]" = OrderedDict()
_PLAN_CACHE_SIZE = 64  # chosen: more than the patients of a course batch (32 by default)


def build_plan(model: Model, seed: int) -> Plan:
    """The circuit of ``model`` for one point: the part of every layer of its
    ``network.layers`` stack, bottom-up (``"spinal"``: the dorsal horn of every
    body site; ``"pathway"``: also thalamus, S1, M1 and descending control).

    The same parameters and seed give the same circuit; the last
    ``_PLAN_CACHE_SIZE`` plans are kept and returned again (treat a plan as
    read-only).

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed; every random draw of the circuit comes from it.

    Returns
    -------
    Plan
    """
    key = (model.key(), int(seed))
    plan = _PLANS.get(key)
    if plan is not None:
        _PLANS.move_to_end(key)
        return plan
    pops, projs = [], []
    for layer in stack(model):
        lp, lj = layer.build(model, seed)
        pops, projs = pops + lp, projs + lj
    plan = _PLANS[key] = Plan(pops, projs)
    if len(_PLANS) > _PLAN_CACHE_SIZE:
        _PLANS.popitem(last=False)
    return plan


def population_sizes(model: Model) -> dict[str, int]:
    """Neurons per population of one point (all sites), without drawing connectivity.

    Parameters
    ----------
    model : Model
        Its ``network.layers`` stack is asked, layer by layer.

    Returns
    -------
    dict of str to int
    """
    sizes: dict[str, int] = {}
    for layer in stack(model):
        sizes.update(layer.sizes(model))
    return sizes


def population_names(model: Model) -> list[str]:
    """Names of the populations of ``model`` that have neurons, in network order (generators
    included): the populations a simulation Dataset labels (sweeps check outcome names against
    them).  A module switched off (e.g. the dorsal-horn background barrage) has none.

    Parameters
    ----------
    model : Model

    Returns
    -------
    list of str
    """
    sizes = population_sizes(model)
    return [name for layer in stack(model) for name in layer.populations if sizes.get(name, 0) > 0]


def projection_endpoints(model: Model) -> dict[str, tuple[str, str]]:
    """``{connection: (source population, target population)}`` of ``model``, for the
    connections between populations that have neurons.

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to (str, str)
    """
    sizes = population_sizes(model)
    return {c.name: (c.source, c.target) for layer in stack(model) for c in layer.connections
            if sizes.get(c.source, 0) > 0 and sizes.get(c.target, 0) > 0}


def structure_key(model: Model) -> tuple:
    """Points with equal keys can share one network.

    Parameters
    ----------
    model : Model
        Its ``network.layers`` and population sizes make the key.

    Returns
    -------
    tuple
    """
    return (model.text("network.layers"),) + tuple(sorted(population_sizes(model).items()))


def neuron_groups(populations: Sequence[Population]) -> dict[str, list[Population]]:
    """Spiking populations by :attr:`Population.group`, in order of first appearance.

    Parameters
    ----------
    populations : sequence of Population
        Spike generators among them are left out.

    Returns
    -------
    dict of str to list of Population
    """
    out: dict[str, list[Population]] = {}
    for pop in populations:
        if not pop.is_generator:
            out.setdefault(pop.group, []).append(pop)
    return out


def shared_parameters(plan: Plan, per_neuron=frozenset()) -> tuple:
    """Per neuron group, each neuron parameter's value if it is the same for every
    neuron of the group in this point (else ``None``); parameters in
    ``per_neuron`` are always ``None`` (stored per neuron).

    Points with equal answers can share a network in which those parameters are
    brian2 ``shared`` scalars: the generated code then depends only on *which*
    parameters are shared, never on their values or on the batch companions.
    A sweep over a neuron parameter names it in ``per_neuron`` (for every
    point), so that its points, which differ in it, still share networks.

    Parameters
    ----------
    plan : Plan
        The point's circuit.
    per_neuron : set of str
        Neuron parameters (equation variables) always stored per neuron.

    Returns
    -------
    tuple of (str, str, float or None)
        ``(group, parameter, value)`` for every parameter of every group with neurons.
    """
    out = []
    for group, pops in neuron_groups(plan.populations).items():
        pops = [p for p in pops if p.n]
        if not pops:
            continue
        for var in pops[0].params:
            vals = np.concatenate([np.asarray(p.params[var], float).ravel() for p in pops])
            same = vals.size and np.all(vals == vals[0]) and var not in per_neuron
            out.append((group, var, float(vals[0]) if same else None))
    return tuple(out)
