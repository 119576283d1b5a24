"""Assemble a model into one brian2 ``Network`` with a batch dimension.

Points that share structure (the same populations of the same sizes) run
together in one network: every population holds ``n x batch`` neurons,
connectivity is block-diagonal (each point's synapses stay inside its own
block), and every parameter is a per-neuron or per-synapse variable.  A
point's randomness (afferent spikes, connectivity, initial potentials) is
drawn in numpy from its own seed, and brian2 itself draws nothing, so a
point's result does not depend on its batch companions or the batch size.

The circuit of a point is first drawn in numpy as a :class:`Plan`
(populations with per-neuron parameters, projections with per-synapse
conductances) by :mod:`painsim.circuits.dorsal_horn` and
:mod:`painsim.circuits.cortex`; :func:`run_batch` stacks the plans of a batch
into brian2 objects.  This is the only module that creates brian2 objects.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from ..errors import ParameterError
from ..fibers import AfferentSpikes
from ..params import Model
from . import dorsal_horn as dh

__all__ = ["Population", "Projection", "Plan", "build_plan", "PointInput", "PointOutput", "run_batch",
           "structure_key", "population_sizes", "projection_endpoints", "codegen_target"]

#: brian2 code-generation target: "numpy" compiles nothing (best for small
#: networks and tests); "cython" compiles each code object once (tens of
#: seconds, cached under ~/.cython) and then runs faster for large batches.
_TARGETS = ("numpy", "cython", "auto")


def codegen_target() -> str:
    t = os.environ.get("PAINSIM_TARGET", "numpy")
    if t not in _TARGETS:
        raise ParameterError("PAINSIM_TARGET", t, f"one of {_TARGETS}")
    return t


@dataclass
class Population:
    """One population of a point's circuit.

    ``params is None`` marks a spike generator (afferent fibers, TMS-driven
    inputs); otherwise ``params`` holds per-neuron SI values of every
    :data:`painsim.circuits.dorsal_horn.NEURON_EQS` variable and ``v0`` the
    initial membrane potentials.
    """

    name: str
    n: int
    params: Mapping[str, np.ndarray] | None = None
    v0: np.ndarray | None = None

    @property
    def is_generator(self) -> bool:
        return self.params is None


@dataclass
class Projection:
    """One connection of a point: local (pre, post) indices, per-synapse
    receptor conductances (``w_ampa, w_nmda, w_nk1`` or ``w_gaba``, S), and
    a delay (s)."""

    name: str
    source: str
    target: str
    kind: str  # "exc" or "inh"
    pre: np.ndarray
    post: np.ndarray
    conductances: Mapping[str, np.ndarray]
    delay: float = 0.0


@dataclass
class Plan:
    """Everything of one point's circuit that brian2 needs, drawn in numpy."""

    populations: list[Population]
    projections: list[Projection]

    def key(self) -> tuple:
        """Points with equal keys can share one network."""
        return (tuple((p.name, p.n, p.is_generator) for p in self.populations),
                tuple((c.name, c.source, c.target, c.kind) for c in self.projections))

    def sizes(self) -> dict[str, int]:
        return {p.name: p.n for p in self.populations}


def build_plan(model: Model, seed: int) -> Plan:
    """The circuit of ``model`` for one point: the dorsal horn of every body
    site and, with ``network.layers = "pathway"``, thalamus, S1, M1 and
    descending control (:mod:`painsim.circuits.cortex`)."""
    pops, projs = dh.build(model, seed)
    if model.text("network.layers") == "pathway":
        from . import cortex
        cp, cj = cortex.build(model, seed)
        pops, projs = pops + cp, projs + cj
    return Plan(pops, projs)


def population_sizes(model: Model) -> dict[str, int]:
    """Neurons per population of one point (all sites), without drawing connectivity."""
    n_sites = int(model.si("body.n_sites"))
    sizes = {p: n * n_sites for p, n in dh.sizes_per_site(model).items()}
    if model.text("network.layers") == "pathway":
        from . import cortex
        sizes.update(cortex.population_sizes(model))
    return sizes


def projection_endpoints(model: Model) -> dict[str, tuple[str, str]]:
    """``{connection: (source population, target population)}`` of ``model``."""
    out = {c.name: (c.source, c.target) for c in dh.CONNECTIONS}
    if model.text("network.layers") == "pathway":
        from . import cortex
        out.update({c.name: (c.source, c.target) for c in cortex.CONNECTIONS})
    return out


def structure_key(model: Model) -> tuple:
    """Points with equal keys can share one network."""
    return (model.text("network.layers"),) + tuple(sorted(population_sizes(model).items()))


@dataclass
class PointInput:
    """Everything one point brings to a batch."""

    model: Model
    seed: int
    #: spikes of every generator population (afferent classes, TMS inputs)
    afferents: Mapping[str, AfferentSpikes]
    #: efficacies of plastic connections carried over from a previous window
    weights: Mapping[str, np.ndarray] = field(default_factory=dict)
    plan: Plan | None = None

    def __post_init__(self):
        if self.plan is None:
            self.plan = build_plan(self.model, self.seed)


@dataclass
class PointOutput:
    spikes: dict[str, tuple[np.ndarray, np.ndarray]]  # population -> (times s, neuron index)
    sizes: dict[str, int]
    weights: dict[str, np.ndarray]                    # connection -> efficacy per synapse
    synapses: dict[str, tuple[np.ndarray, np.ndarray]]  # connection -> (pre, post) local indices
    plan: Plan | None = None


def run_batch(points: Sequence[PointInput], duration: float, dt: float | None = None) -> list[PointOutput]:
    """Simulate ``points`` (same structure) together for ``duration`` seconds.

    Every population holds ``n x batch`` neurons (point ``b`` owns the block
    ``[b n, (b+1) n)``); connectivity is block-diagonal; every neuron
    parameter and receptor conductance is a per-neuron / per-synapse value.

    Parameters
    ----------
    points : sequence of PointInput
        Models, seeds, plans and generator spike trains, one per point.
    duration : float
        Simulated time in s.
    dt : float, optional
        Time step in s; default: the first model's ``network.dt`` (all
        points must agree).
    """
    import brian2 as b2

    if not points:
        return []
    keys = {p.plan.key() for p in points}
    if len(keys) != 1:
        raise ParameterError("points", len(keys), "points of one structure (same populations and sizes) per batch")
    dts = {p.model.si("network.dt") for p in points}
    if dt is None:
        if len(dts) != 1:
            raise ParameterError("network.dt", sorted(dts), "the same time step for every point of a batch")
        dt = dts.pop()
    B = len(points)
    plan0 = points[0].plan
    sizes = plan0.sizes()

    b2.prefs.codegen.target = codegen_target()
    b2.BrianLogger.suppress_name("method_choice")
    clock = b2.Clock(dt=dt * b2.second)
    objects, groups = [], {}
    for k, pop in enumerate(plan0.populations):
        n = pop.n
        if pop.is_generator:
            idx, times = [], []
            for b, p in enumerate(points):
                a = p.afferents.get(pop.name)
                if a is None:
                    continue
                # brian2 replays spikes on the dt grid; fibers.py applies a 1 ms dead time,
                # so one fiber never spikes twice in one step
                idx.append(a.fibers + b * n)
                times.append(a.times)
            idx = np.concatenate(idx) if idx else np.zeros(0, int)
            times = np.concatenate(times) if times else np.zeros(0)
            times = np.round(times / dt) * dt
            keep = times < duration
            g = b2.SpikeGeneratorGroup(max(n * B, 1), idx[keep], times[keep] * b2.second, clock=clock,
                                       name=f"gen_{pop.name}")
        else:
            g = b2.NeuronGroup(max(n * B, 1), dh.NEURON_EQS, threshold="v > v_threshold", reset="v = v_reset",
                               refractory="t_refractory", method="euler", clock=clock, name=f"pop_{pop.name}")
            if n:
                for var in pop.params:
                    setattr(g, var + "_", np.concatenate([p.plan.populations[k].params[var] for p in points]))
                g.v_ = np.concatenate([p.plan.populations[k].v0 for p in points])
        groups[pop.name] = g
        objects.append(g)

    synapses, local = {}, {}
    for k, conn in enumerate(plan0.projections):
        template = dh.EXC_SYNAPSE if conn.kind == "exc" else dh.INH_SYNAPSE
        S = b2.Synapses(groups[conn.source], groups[conn.target], clock=clock,
                        name=f"syn_{conn.name}", **template)
        per_point = [(p.plan.projections[k].pre, p.plan.projections[k].post) for p in points]
        pre_all = np.concatenate([pp[0] + b * sizes[conn.source] for b, pp in enumerate(per_point)])
        post_all = np.concatenate([pp[1] + b * sizes[conn.target] for b, pp in enumerate(per_point)])
        if pre_all.size:
            S.connect(i=pre_all, j=post_all)
            for var in conn.conductances:
                setattr(S, var + "_", np.concatenate([p.plan.projections[k].conductances[var] for p in points]))
            w = []
            for p, pp in zip(points, per_point):
                ww = np.asarray(p.weights.get(conn.name, np.ones(pp[0].size)), float)
                if ww.shape != pp[0].shape:
                    raise ParameterError(f"weights[{conn.name!r}]", ww.size,
                                         f"{pp[0].size} efficacies (one per synapse of this point)")
                w.append(ww)
            S.w_ = np.concatenate(w)
            delays = np.concatenate([np.full(pp[0].size, p.plan.projections[k].delay)
                                     for p, pp in zip(points, per_point)])
            if np.any(delays > 0):
                S.delay_ = delays
        synapses[conn.name] = S
        local[conn.name] = per_point
        objects.append(S)

    neuron_pops = [p.name for p in plan0.populations if not p.is_generator]
    monitors = {pop: b2.SpikeMonitor(groups[pop], name=f"spikes_{pop}") for pop in neuron_pops}
    objects += list(monitors.values())
    net = b2.Network(*objects)
    net.run(duration * b2.second, namespace={})

    outputs = []
    mon_data = {pop: (np.asarray(m.t_), np.asarray(m.i)) for pop, m in monitors.items()}
    weights_all = {name: np.asarray(S.w_) if len(S) else np.zeros(0) for name, S in synapses.items()}
    for b, p in enumerate(points):
        spikes = {}
        for pop in plan0.populations:
            if pop.is_generator:
                a = p.afferents.get(pop.name)
                if a is None:
                    spikes[pop.name] = (np.zeros(0), np.zeros(0, np.int64))
                    continue
                t = np.round(a.times / dt) * dt
                keep = t < duration
                spikes[pop.name] = (a.times[keep], a.fibers[keep])
            else:
                t, i = mon_data[pop.name]
                n = pop.n
                sel = (i >= b * n) & (i < (b + 1) * n)
                spikes[pop.name] = (t[sel], i[sel] - b * n)
        weights, syn = {}, {}
        for name, per_point in local.items():
            start = sum(pp[0].size for pp in per_point[:b])
            m = per_point[b][0].size
            weights[name] = weights_all[name][start:start + m].copy()
            syn[name] = per_point[b]
        outputs.append(PointOutput(spikes, dict(sizes), weights, syn, p.plan))
    return outputs
