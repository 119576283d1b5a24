"""Assemble a model into one brian2 ``Network`` with a batch dimension.

Points that share structure (the same populations of the same sizes) run
together in one network: every population holds ``n x batch`` neurons,
connectivity is block-diagonal (each point's synapses stay inside its own
block), and every parameter is a per-neuron or per-synapse variable, except
neuron parameters that are the same for every neuron of a group, which are
stored once (brian2 ``shared``).  The spiking populations of one neuron
group (``Population.group``: the dorsal horn "spinal", thalamus and cortex
"supraspinal", each with its equations, :func:`group_dynamics`) share one
brian2 ``NeuronGroup``, all generator populations one
``SpikeGeneratorGroup``, and the projections one ``Synapses`` object per
(source group, target group, synapse kind).  brian2's cost per time step
is a fixed cost per code object plus a cost per neuron that grows with the
per-neuron arrays and terms the state update computes: ~24 objects instead
of one per population and projection (~80 for the pathway) make small and
medium batches several times faster; the shared parameters and the
supraspinal equations without NMDA/NK1/CAN terms cut the pathway's state
update ~2.5x (``benchmarks/bench_cohort.py``).  A :class:`BatchNetwork` is
built once and can be rerun from its initial state with new efficacies.
A point's randomness (afferent spikes, connectivity, initial potentials) is
drawn in numpy from its own seed, and brian2 itself draws nothing; points
that disagree on a shared parameter run in separate networks, so the
generated code and the arithmetic of a point depend only on the point: its
result does not depend on its batch companions or the batch size.

The circuit of a point is first drawn in numpy as a :class:`Plan`
(populations with per-neuron parameters, projections with per-synapse
conductances) by :mod:`painsim.circuits.dorsal_horn` and
:mod:`painsim.circuits.cortex`; :func:`run_batch` stacks the plans of a batch
into brian2 objects.  This is the only module that creates brian2 objects.
"""
from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from ..errors import ParameterError
from ..fibers import AfferentSpikes
from ..params import Model
from . import dorsal_horn as dh

__all__ = ["Population", "Projection", "Plan", "build_plan", "PointInput", "PointOutput", "run_batch",
           "structure_key", "population_sizes", "projection_endpoints", "codegen_target",
           "neuron_groups", "shared_parameters", "neuron_variables", "group_dynamics", "BatchNetwork", "build_networks"]

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
    parameter of its group's equations (:func:`group_dynamics`) and ``v0`` the
    initial membrane potentials.
    """

    name: str
    n: int
    params: Mapping[str, np.ndarray] | None = None
    v0: np.ndarray | None = None
    #: neuron group the population is simulated in (its equations and synapse
    #: models, :func:`group_dynamics`): populations of one group share a brian2
    #: NeuronGroup; dorsal horn "spinal", thalamus and cortex "supraspinal"
    group: str = "spinal"

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
        return (tuple((p.name, p.n, p.is_generator, p.group) for p in self.populations),
                tuple((c.name, c.source, c.target, c.kind) for c in self.projections))

    def sizes(self) -> dict[str, int]:
        return {p.name: p.n for p in self.populations}


#: Plans of the most recent (parameters, seed) pairs: every window of a course
#: patient runs the same circuit, drawn once (plans are shared: read-only).
_PLANS: "OrderedDict[tuple[str, int], Plan]" = OrderedDict()
_PLAN_CACHE_SIZE = 64  # chosen: more than the patients of a course batch (32 by default)


def build_plan(model: Model, seed: int) -> Plan:
    """The circuit of ``model`` for one point: the dorsal horn of every body
    site and, with ``network.layers = "pathway"``, thalamus, S1, M1 and
    descending control (:mod:`painsim.circuits.cortex`).

    The same parameters and seed give the same circuit; the last
    ``_PLAN_CACHE_SIZE`` plans are kept and returned again (treat a plan as
    read-only)."""
    key = (model.key(), int(seed))
    plan = _PLANS.get(key)
    if plan is not None:
        _PLANS.move_to_end(key)
        return plan
    pops, projs = dh.build(model, seed)
    if model.text("network.layers") == "pathway":
        from . import cortex
        cp, cj = cortex.build(model, seed)
        pops, projs = pops + cp, projs + cj
    plan = _PLANS[key] = Plan(pops, projs)
    if len(_PLANS) > _PLAN_CACHE_SIZE:
        _PLANS.popitem(last=False)
    return plan


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
    #: neuron parameters stored per neuron even where uniform (:func:`shared_parameters`)
    per_neuron: frozenset = frozenset()

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
    dt: float = 0.0                                    # time step of the run (s)


def neuron_groups(populations: Sequence[Population]) -> dict[str, list[Population]]:
    """Spiking populations by :attr:`Population.group`, in order of first appearance."""
    out: dict[str, list[Population]] = {}
    for pop in populations:
        if not pop.is_generator:
            out.setdefault(pop.group, []).append(pop)
    return out


def neuron_variables(paths) -> frozenset[str]:
    """The neuron-equation parameters that the model ``paths`` set directly
    (e.g. ``dorsal_horn.synapse.tau_ampa`` -> ``tau_ampa``)."""
    from . import cortex
    direct = [dh.NEURON_PARAMS, cortex.NEURON_PARAMS,
              {var: path for var, per_pop in dh.POPULATION_PARAMS.items() for path in per_pop.values()}]
    paths = set(paths)
    return frozenset(var for table in direct for var, path in table.items() if path in paths)


def shared_parameters(plan: Plan, per_neuron=frozenset()) -> tuple:
    """Per neuron group, each neuron parameter's value if it is the same for every
    neuron of the group in this point (else ``None``); parameters in
    ``per_neuron`` are always ``None`` (stored per neuron).

    Points with equal answers can share a network in which those parameters are
    brian2 ``shared`` scalars: the generated code then depends only on *which*
    parameters are shared, never on their values or on the batch companions.
    A sweep over a neuron parameter names it in ``per_neuron`` (for every
    point), so that its points, which differ in it, still share networks.
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


def group_dynamics(group: str) -> tuple[str, dict, dict]:
    """Neuron equations and excitatory / inhibitory synapse models of a neuron group:
    the dorsal horn's (AMPA, NMDA, NK1, GABA_A, wind-up CAN current) or the
    supraspinal ones (AMPA and GABA_A only)."""
    if group == "spinal":
        return dh.NEURON_EQS, dh.EXC_SYNAPSE, dh.INH_SYNAPSE
    if group == "supraspinal":
        from . import cortex
        return cortex.NEURON_EQS, cortex.EXC_SYNAPSE, cortex.INH_SYNAPSE
    raise ParameterError("Population.group", group, "'spinal' or 'supraspinal'")


def _equations(equations: str, shared: set[str]) -> str:
    """``equations`` with the parameters in ``shared`` declared ``(constant, shared)``."""
    lines = []
    for line in equations.splitlines():
        name = line.split(":")[0].strip()
        if name in shared and line.rstrip().endswith("(constant)"):
            line = line.rstrip()[:-1] + ", shared)"
        lines.append(line)
    return "\n".join(lines)


def run_batch(points: Sequence[PointInput], duration: float, dt: float | None = None) -> list[PointOutput]:
    """Simulate ``points`` (same structure) together for ``duration`` seconds.

    Every population holds ``n x batch`` neurons (point ``b`` owns the block
    ``[b n, (b+1) n)`` of the population, a contiguous range of its neuron
    group); connectivity is block-diagonal; every receptor conductance is a
    per-synapse value and every neuron parameter a per-neuron value, except
    the parameters that are the same for every neuron of a group (one value
    per point, equal across the points of a network), which are brian2
    ``shared`` scalars.  Points that disagree on those run in separate
    networks, so a point's arithmetic never depends on its companions.

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
    outputs: list[PointOutput | None] = [None] * len(points)
    for ks, net in build_networks(points, duration, dt):
        for k, out in zip(ks, net.run([points[k].weights for k in ks])):
            outputs[k] = out
    return outputs


def build_networks(points: Sequence[PointInput], duration: float,
                   dt: float | None = None) -> list[tuple[list[int], "BatchNetwork"]]:
    """The networks that simulate ``points`` (one structure): one per set of
    :func:`shared_parameters`, each with the indices of its points
    (``dt`` as :func:`run_batch`)."""
    if not points:
        return []
    keys = {p.plan.key() for p in points}
    if len(keys) != 1:
        raise ParameterError("points", len(keys), "points of one structure (same populations and sizes) per batch")
    if dt is None:
        dts = {p.model.si("network.dt") for p in points}
        if len(dts) != 1:
            raise ParameterError("network.dt", sorted(dts), "the same time step for every point of a batch")
        dt = dts.pop()
    by_sharing: dict[tuple, list[int]] = {}
    for k, p in enumerate(points):
        by_sharing.setdefault(shared_parameters(p.plan, p.per_neuron), []).append(k)
    return [(ks, BatchNetwork([points[k] for k in ks], sharing, duration, dt)) for sharing, ks in by_sharing.items()]


class BatchNetwork:
    """One brian2 network of ``points`` (one structure, the same
    :func:`shared_parameters`), built once and run any number of times from the
    same initial state, each time with new efficacies of the plastic synapses.

    Building a pathway network (objects, connectivity, code generation) costs
    as much as simulating several windows; a treatment course simulates the
    same windows of the same patients in every chunk of every session with new
    efficacies only (:mod:`painsim.course`), so it builds each network once.
    A run restores the stored initial state (potentials, conductances, clock,
    generator and spike-queue positions, empty monitors), so every run equals
    a run of a newly built network with the same efficacies.
    """

    def __init__(self, points: Sequence[PointInput], sharing: tuple, duration: float, dt: float):
        import brian2 as b2

        B = len(points)
        plan0 = points[0].plan
        sizes = plan0.sizes()

        b2.prefs.codegen.target = codegen_target()
        b2.BrianLogger.suppress_name("method_choice")
        # A fixed name: brian2 numbers anonymous clocks (clock, clock_1, ...) and the name
        # enters the generated code, so every call would otherwise compile anew (Cython).
        clock = b2.Clock(dt=dt * b2.second, name="painsim_clock")

        # The spiking populations of every point live in one NeuronGroup per parameter
        # class (Population.group: spinal, supraspinal) and every generator population
        # in ONE SpikeGeneratorGroup, each population a contiguous block of n x B neurons
        # (point b owns [base + b n, base + (b+1) n) of its group).  brian2's cost per
        # time step is a fixed cost per code object plus a cost per neuron that grows
        # with the number of per-neuron arrays: few groups, and parameters that are the
        # same for a whole group stored once (shared), keep both small.
        groups = neuron_groups(plan0.populations)
        group_of = {pop.name: ("gen" if pop.is_generator else pop.group) for pop in plan0.populations}
        base, total = {}, {"gen": 0, **{g: 0 for g in groups}}
        for pop in plan0.populations:
            g = group_of[pop.name]
            base[pop.name] = total[g]
            total[g] += pop.n * B

        gen_idx, gen_times = [], []
        for k, pop in enumerate(plan0.populations):
            if not pop.is_generator:
                continue
            for b, p in enumerate(points):
                a = p.afferents.get(pop.name)
                if a is not None:
                    # brian2 replays spikes on the dt grid; fibers.py applies a 1 ms dead time,
                    # so one fiber never spikes twice in one step
                    gen_idx.append(a.fibers + base[pop.name] + b * pop.n)
                    gen_times.append(a.times)
        idx = np.concatenate(gen_idx) if gen_idx else np.zeros(0, int)
        times = np.round((np.concatenate(gen_times) if gen_times else np.zeros(0)) / dt) * dt
        keep = times < duration
        generators = b2.SpikeGeneratorGroup(max(total["gen"], 1), idx[keep], times[keep] * b2.second, clock=clock,
                                            name="painsim_generators")
        objects = [generators]
        brian_group = {"gen": generators}
        monitors = {}
        index = {pop.name: k for k, pop in enumerate(plan0.populations)}
        for g, pops in groups.items():
            shared = {var: val for grp, var, val in sharing if grp == g and val is not None}
            G = b2.NeuronGroup(max(total[g], 1), _equations(group_dynamics(g)[0], set(shared)),
                               threshold="v > v_threshold",
                               reset="v = v_reset", refractory="t_refractory", method="euler", clock=clock,
                               name=f"painsim_{g}")
            for var in pops[0].params:
                if var in shared:
                    setattr(G, var + "_", shared[var])
                elif total[g]:
                    setattr(G, var + "_", np.concatenate([p.plan.populations[index[q.name]].params[var]
                                                          for q in pops for p in points]))
            if total[g]:
                G.v_ = np.concatenate([p.plan.populations[index[q.name]].v0 for q in pops for p in points])
            brian_group[g] = G
            monitors[g] = b2.SpikeMonitor(G, name=f"painsim_spikes_{g}")
            objects += [G, monitors[g]]

        # one Synapses object per (source group, target group, synapse kind); each
        # projection of each point a contiguous segment of it
        merged: dict[tuple[str, str, str], dict[str, list]] = {}
        segments: dict[str, list[tuple[tuple[str, str, str], int, int]]] = {}
        local = {}
        for k, conn in enumerate(plan0.projections):
            key = (group_of[conn.source], group_of[conn.target], conn.kind)
            _, exc_model, inh_model = group_dynamics(group_of[conn.target])
            template = exc_model if conn.kind == "exc" else inh_model
            for var in plan0.projections[k].conductances:
                if f"{var} :" not in template["model"]:
                    raise ParameterError(f"{conn.name} conductance", var,
                                         f"a receptor of {group_of[conn.target]} neurons ({template['model']!r})")
            m = merged.setdefault(key, {"pre": [], "post": [], "delay": [], "cond": {}, "n": 0,
                                        "template": template})
            per_point = [(p.plan.projections[k].pre, p.plan.projections[k].post) for p in points]
            local[conn.name] = per_point
            segments[conn.name] = []
            for b, (p, (pre, post)) in enumerate(zip(points, per_point)):
                segments[conn.name].append((key, m["n"], pre.size))
                m["pre"].append(pre + base[conn.source] + b * sizes[conn.source])
                m["post"].append(post + base[conn.target] + b * sizes[conn.target])
                m["delay"].append(np.full(pre.size, p.plan.projections[k].delay))
                for var, g in p.plan.projections[k].conductances.items():
                    m["cond"].setdefault(var, {})[m["n"]] = g
                m["n"] += pre.size
        synapses = {}
        for key, m in merged.items():
            if not m["n"]:
                continue
            S = b2.Synapses(brian_group[key[0]], brian_group[key[1]], clock=clock, name="syn_" + "_".join(key),
                            **m["template"])
            S.connect(i=np.concatenate(m["pre"]), j=np.concatenate(m["post"]))
            for var, parts in m["cond"].items():  # a receptor a projection lacks stays 0
                g = np.zeros(m["n"])
                for at, vals in parts.items():
                    g[at:at + vals.size] = vals
                setattr(S, var + "_", g)
            delays = np.concatenate(m["delay"])
            if np.any(delays > 0):
                S.delay_ = delays
            synapses[key] = S
            objects.append(S)

        self._net = b2.Network(*objects)
        self._net.store("painsim_initial")
        self._fresh = True
        self._points, self._plan0, self._sizes, self._duration, self._dt = points, plan0, sizes, duration, dt
        self._synapses, self._monitors, self._segments, self._local, self._base = \
            synapses, monitors, segments, local, base
        self._b2 = b2

    def run(self, weights: Sequence[Mapping[str, np.ndarray]]) -> list[PointOutput]:
        """Simulate every point from the initial state with ``weights[b]``: the
        efficacies per connection of point ``b`` (a missing connection: 1)."""
        b2 = self._b2
        points, plan0, sizes, dt, duration = self._points, self._plan0, self._sizes, self._dt, self._duration
        if len(weights) != len(points):
            raise ParameterError("weights", len(weights), f"one mapping per point ({len(points)})")
        if not self._fresh:
            self._net.restore("painsim_initial")
        self._fresh = False
        w_all = {key: np.ones(len(S)) for key, S in self._synapses.items()}
        for b, given in enumerate(weights):
            for name, vals in (given or {}).items():
                if name not in self._segments:
                    continue  # not a connection of this circuit
                key, at, n = self._segments[name][b]
                vals = np.asarray(vals, float)
                if vals.shape != (n,):
                    raise ParameterError(f"weights[{name!r}]", vals.size,
                                         f"{n} efficacies (one per synapse of this point)")
                if n:
                    w_all[key][at:at + n] = vals
        for key, S in self._synapses.items():
            S.w_ = w_all[key]
        self._net.run(duration * b2.second, namespace={})

        recorded = {g: (np.asarray(mon.t_), np.asarray(mon.i)) for g, mon in self._monitors.items()}
        weights_all = {key: np.asarray(S.w_) for key, S in self._synapses.items()}
        outputs = []
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
                    mon_t, mon_i = recorded[pop.group]
                    lo = self._base[pop.name] + b * pop.n
                    sel = (mon_i >= lo) & (mon_i < lo + pop.n)
                    spikes[pop.name] = (mon_t[sel], mon_i[sel] - lo)
            out_w, syn = {}, {}
            for name, per_point in self._local.items():
                key, at, m = self._segments[name][b]
                out_w[name] = weights_all[key][at:at + m].copy() if m else np.zeros(0)
                syn[name] = per_point[b]
            outputs.append(PointOutput(spikes, dict(sizes), out_w, syn, p.plan, dt))
        return outputs
