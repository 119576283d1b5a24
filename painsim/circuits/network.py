"""Assemble the plans of a batch into one brian2 ``Network`` with a batch dimension.

Points that share structure (the same populations of the same sizes) run
together in one network: every population holds ``n x batch`` neurons,
connectivity is block-diagonal (each point's synapses stay inside its own
block), and every parameter is a per-neuron or per-synapse variable, except
neuron parameters that are the same for every neuron of a group, which are
stored once (brian2 ``shared``).  The spiking populations of one neuron
group (``Population.group``: the dorsal horn "spinal", thalamus and cortex
"supraspinal", each with the equations its layer declares,
:func:`painsim.circuits.layers.group_dynamics`) share one brian2
``NeuronGroup``, all generator populations one ``SpikeGeneratorGroup``, and
the projections one ``Synapses`` object per (source group, target group,
synapse kind): few code objects, whose fixed cost per time step is what
batching amortises (measurements: ``docs/circuits.md``).  A
:class:`BatchNetwork` is built once and can be rerun from its initial state
with new efficacies.

A point's randomness (afferent spikes, connectivity, initial potentials) is
drawn in numpy from its own seed (:class:`painsim.circuits.plan.Plan`), and
brian2 itself draws nothing; points that disagree on a shared parameter run
in separate networks, so the generated code and the arithmetic of a point
depend only on the point: its result does not depend on its batch companions
or the batch size.  This is the only module that creates brian2 objects.
"""
from __future__ import annotations

import gc

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from ..errors import ParameterError
from ..fibers import AfferentSpikes
from ..params import Model
from .codegen import codegen_target, engine_choice, import_brian2
from .layers import group_dynamics
from .plan import Plan, build_plan, neuron_groups, shared_parameters

__all__ = ["PointInput", "PointOutput", "build_networks", "BatchNetwork", "NETWORK_CLASSES"]


@dataclass
class PointInput:
    """Everything one point brings to a batch.

    Parameters
    ----------
    model : Model
        The point's model.
    seed : int
        The point's seed.
    afferents : mapping of str to AfferentSpikes
        Spikes of every generator population (afferent classes, TMS inputs).
    weights : mapping of str to numpy.ndarray, optional
        Efficacies of plastic connections carried over from a previous window.
    plan : Plan, optional
        The point's circuit; default: :func:`painsim.circuits.plan.build_plan` of
        ``model`` and ``seed``.
    per_neuron : frozenset of str, optional
        Neuron parameters stored per neuron even where uniform
        (:func:`painsim.circuits.plan.shared_parameters`).
    """

    model: Model
    seed: int
    #: spikes of every generator population (afferent classes, TMS inputs)
    afferents: Mapping[str, AfferentSpikes]
    #: efficacies of plastic connections carried over from a previous window
    weights: Mapping[str, np.ndarray] = field(default_factory=dict)
    plan: Plan | None = None
    #: neuron parameters stored per neuron even where uniform
    #: (:func:`painsim.circuits.plan.shared_parameters`)
    per_neuron: frozenset = frozenset()

    def __post_init__(self):
        if self.plan is None:
            self.plan = build_plan(self.model, self.seed)


@dataclass
class PointOutput:
    """One point's raw result of a run (no labelled Dataset).

    Parameters
    ----------
    spikes : dict of str to (numpy.ndarray, numpy.ndarray)
        Per population, spike times (s) and neuron indices.
    sizes : dict of str to int
        Neurons per population.
    weights : dict of str to numpy.ndarray
        Per connection, the efficacy of each synapse.
    synapses : dict of str to (numpy.ndarray, numpy.ndarray)
        Per connection, the (pre, post) local neuron indices of its synapses.
    plan : Plan, optional
        The point's circuit.
    dt : float, optional
        Time step of the run, s.
    """

    spikes: dict[str, tuple[np.ndarray, np.ndarray]]  # population -> (times s, neuron index)
    sizes: dict[str, int]
    weights: dict[str, np.ndarray]                    # connection -> efficacy per synapse
    synapses: dict[str, tuple[np.ndarray, np.ndarray]]  # connection -> (pre, post) local indices
    plan: Plan | None = None
    dt: float = 0.0                                    # time step of the run (s)


def _equations(equations: str, shared: set[str]) -> str:
    """``equations`` with the parameters in ``shared`` declared ``(constant, shared)``."""
    lines = []
    for line in equations.splitlines():
        name = line.split(":")[0].strip()
        if name in shared and line.rstrip().endswith("(constant)"):
            line = line.rstrip()[:-1] + ", shared)"
        lines.append(line)
    return "\n".join(lines)


def build_networks(points: Sequence[PointInput], duration: float, dt: float | None = None,
                   engine: str | None = None) -> list[tuple[list[int], "BatchNetwork"]]:
    """The networks that simulate ``points`` (one structure): one per set of
    :func:`painsim.circuits.plan.shared_parameters`, each with the indices of its points.

    Parameters
    ----------
    points : sequence of PointInput
        Models, seeds, plans and generator spike trains, one per point; all of
        one structure (same populations and sizes).
    duration : float
        Simulated time in s.
    dt : float, optional
        Time step in s; default: the models' ``network.dt`` (all points must agree).
    engine : str, optional
        ``"runtime"`` (:class:`BatchNetwork`), ``"standalone"`` (compiled:
        :class:`painsim.circuits.standalone.StandaloneNetwork`) or ``"auto"``
        (:class:`painsim.circuits.standalone.AutoNetwork`: runtime, compiled once the
        structure's runs pay for it); default ``$PAINSIM_ENGINE``, else ``"runtime"``
        (:func:`painsim.circuits.codegen.engine_choice`).
    """
    network_class = NETWORK_CLASSES[engine_choice(engine)]
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
    return [(ks, network_class([points[k] for k in ks], sharing, duration, dt)) for sharing, ks in by_sharing.items()]


class BatchNetwork:
    """One brian2 network of ``points`` (one structure, the same
    :func:`painsim.circuits.plan.shared_parameters`), built once and run any
    number of times from the same initial state, each time with new efficacies
    of the plastic synapses.

    Every population holds ``n x batch`` neurons (point ``b`` owns the block
    ``[b n, (b+1) n)`` of the population, a contiguous range of its neuron
    group); connectivity is block-diagonal; every receptor conductance is a
    per-synapse value and every neuron parameter a per-neuron value, except
    the parameters that are the same for every neuron of a group (one value
    per point, equal across the points of a network), which are brian2
    ``shared`` scalars.

    Building a pathway network (objects, connectivity, code generation) costs
    as much as simulating several windows; a treatment course simulates the
    same windows of the same patients in every chunk of every session with new
    efficacies only (:mod:`painsim.course`), so it builds each network once.
    A run restores the stored initial state (potentials, conductances, clock,
    generator and spike-queue positions, empty monitors), so every run equals
    a run of a newly built network with the same efficacies.

    Parameters
    ----------
    points : sequence of PointInput
    sharing : tuple
        The points' :func:`painsim.circuits.plan.shared_parameters`.
    duration, dt : float
        Simulated time and time step, s.
    """

    def __init__(self, points: Sequence[PointInput], sharing: tuple, duration: float, dt: float):
        self.assemble(points, sharing, duration, dt)
        self._net.store("painsim_initial")
        self._fresh = True

    def assemble(self, points: Sequence[PointInput], sharing: tuple, duration: float, dt: float):
        """Create the brian2 objects of ``points`` on the active brian2 device (the
        runtime device here; :class:`painsim.circuits.standalone.StandaloneNetwork`
        compiles the same objects with ``cpp_standalone``).  The efficacies ``w`` are set
        by each run.

        Returns the ``Network``, the ``Synapses`` per (source group, target group,
        kind) and the ``SpikeMonitor`` per neuron group.

        Parameters
        ----------
        points : sequence of PointInput
        sharing : tuple
            The points' :func:`painsim.circuits.plan.shared_parameters`.
        duration, dt : float
            Simulated time and time step, s.

        Returns
        -------
        network : brian2.Network
        synapses : dict of tuple to brian2.Synapses
        monitors : dict of str to brian2.SpikeMonitor

        Raises
        ------
        ParameterError
            If a projection carries a conductance its target group's synapse model lacks.
        """
        b2 = import_brian2()
        self._b2 = b2
        self._points, self._plan0 = points, points[0].plan
        self._sizes, self._duration, self._dt = self._plan0.sizes(), duration, dt
        b2.prefs.codegen.target = codegen_target()
        b2.BrianLogger.suppress_name("method_choice")
        # A fixed name: brian2 numbers anonymous clocks (clock, clock_1, ...) and the name
        # enters the generated code, so every call would otherwise compile anew (Cython).
        clock = b2.Clock(dt=dt * b2.second, name="painsim_clock")
        self._layout()
        generators = self._generators(clock)
        groups = self._groups(clock, sharing)
        self._monitors = self._spike_monitors(groups)
        self._synapses = self._connect(clock, {"gen": generators, **groups})
        objects = [generators] + [obj for g in groups for obj in (groups[g], self._monitors[g])]
        self._net = b2.Network(*objects, *self._synapses.values())
        return self._net, self._synapses, self._monitors

    @classmethod
    def array_sizes(cls, points: Sequence[PointInput], duration: float, dt: float) -> tuple[dict, int]:
        """The synapses per (source group, target group, kind) and the generator spikes
        that a network of ``points`` holds, without creating brian2 objects (the
        automatic engine keys its choice on them: :class:`painsim.circuits.standalone.AutoNetwork`).

        Parameters
        ----------
        points : sequence of PointInput
        duration, dt : float
            Simulated time and time step, s.

        Returns
        -------
        synapses : dict of tuple to int
            Synapses per (source group, target group, kind), only those with any.
        n_spikes : int
            Generator spikes before ``duration``.

        Raises
        ------
        ParameterError
            If a projection carries a conductance its target group's synapse model lacks.
        """
        net = cls.__new__(cls)
        net._points, net._plan0 = points, points[0].plan
        net._sizes, net._duration, net._dt = net._plan0.sizes(), duration, dt
        net._layout()
        synapses = {key: m["n"] for key, m in BatchNetwork._merge_projections(net).items() if m["n"]}
        return synapses, len(BatchNetwork._generator_spikes(net)[0])

    def _layout(self) -> None:
        """Where each population sits in its brian2 group.

        The spiking populations of every point live in one NeuronGroup per neuron
        group (Population.group: spinal, supraspinal) and every generator population
        in ONE SpikeGeneratorGroup, each population a contiguous block of n x B
        neurons (point b owns [base + b n, base + (b+1) n) of its group).  brian2's
        cost per time step is a fixed cost per code object plus a cost per neuron
        that grows with the number of per-neuron arrays: few groups, and parameters
        that are the same for a whole group stored once (shared), keep both small.
        """
        B, plan0 = len(self._points), self._plan0
        self._neuron_groups = neuron_groups(plan0.populations)
        self._group_of = {pop.name: ("gen" if pop.is_generator else pop.group) for pop in plan0.populations}
        self._base, self._total = {}, {"gen": 0, **{g: 0 for g in self._neuron_groups}}
        for pop in plan0.populations:
            g = self._group_of[pop.name]
            self._base[pop.name] = self._total[g]
            self._total[g] += pop.n * B

    def _generators(self, clock):
        """One SpikeGeneratorGroup replaying the generator spikes of every point."""
        idx, times = self._generator_spikes()
        return self._b2.SpikeGeneratorGroup(max(self._total["gen"], 1), idx, times * self._b2.second, clock=clock,
                                            name="painsim_generators")

    def _generator_spikes(self) -> tuple[np.ndarray, np.ndarray]:
        """(neuron index, time s on the dt grid) of every generator spike before the end of the run."""
        dt, duration, base = self._dt, self._duration, self._base
        gen_idx, gen_times = [], []
        for pop in self._plan0.populations:
            if not pop.is_generator:
                continue
            for b, p in enumerate(self._points):
                a = p.afferents.get(pop.name)
                if a is not None:
                    # brian2 replays spikes on the dt grid; fibers.py applies a 1 ms dead time,
                    # so one fiber never spikes twice in one step
                    gen_idx.append(a.fibers + base[pop.name] + b * pop.n)
                    gen_times.append(a.times)
        idx = np.concatenate(gen_idx) if gen_idx else np.zeros(0, int)
        times = np.round((np.concatenate(gen_times) if gen_times else np.zeros(0)) / dt) * dt
        keep = times < duration
        return idx[keep], times[keep]

    def _groups(self, clock, sharing: tuple) -> dict:
        """One NeuronGroup per neuron group, with its per-neuron or shared parameters
        and initial potentials."""
        b2, points, total = self._b2, self._points, self._total
        index = {pop.name: k for k, pop in enumerate(self._plan0.populations)}
        out = {}
        for g, pops in self._neuron_groups.items():
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
            out[g] = G
        return out

    def _spike_monitors(self, groups: Mapping) -> dict:
        """One SpikeMonitor per NeuronGroup."""
        return {g: self._b2.SpikeMonitor(G, name=f"painsim_spikes_{g}") for g, G in groups.items()}

    def _merge_projections(self) -> dict[tuple[str, str, str], dict]:
        """The synapses of every projection of every point, merged per (source group,
        target group, synapse kind): each projection of each point a contiguous
        segment (``self._segments``); the points' local (pre, post) in ``self._local``."""
        points, sizes, base, group_of = self._points, self._sizes, self._base, self._group_of
        merged: dict[tuple[str, str, str], dict[str, list]] = {}
        self._segments: dict[str, list[tuple[tuple[str, str, str], int, int]]] = {}
        self._local = {}
        for k, conn in enumerate(self._plan0.projections):
            key = (group_of[conn.source], group_of[conn.target], conn.kind)
            _, exc_model, inh_model = group_dynamics(group_of[conn.target])
            template = exc_model if conn.kind == "exc" else inh_model
            for var in conn.conductances:
                if f"{var} :" not in template["model"]:
                    raise ParameterError(f"{conn.name} conductance", var,
                                         f"a receptor of {group_of[conn.target]} neurons ({template['model']!r})")
            m = merged.setdefault(key, {"pre": [], "post": [], "delay": [], "cond": {}, "n": 0,
                                        "template": template})
            per_point = [(p.plan.projections[k].pre, p.plan.projections[k].post) for p in points]
            self._local[conn.name] = per_point
            self._segments[conn.name] = []
            for b, (p, (pre, post)) in enumerate(zip(points, per_point)):
                self._segments[conn.name].append((key, m["n"], pre.size))
                m["pre"].append(pre + base[conn.source] + b * sizes[conn.source])
                m["post"].append(post + base[conn.target] + b * sizes[conn.target])
                m["delay"].append(np.full(pre.size, p.plan.projections[k].delay))
                for var, g in p.plan.projections[k].conductances.items():
                    m["cond"].setdefault(var, {})[m["n"]] = g
                m["n"] += pre.size
        return merged

    def _connect(self, clock, brian_group: Mapping) -> dict:
        """One Synapses object per (source group, target group, synapse kind) that
        has synapses, with per-synapse conductances and delays."""
        b2 = self._b2
        synapses = {}
        for key, m in self._merge_projections().items():
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
        return synapses

    def efficacies(self, weights: Sequence[Mapping[str, np.ndarray]]) -> dict:
        """The efficacy of every synapse per (source group, target group, kind), from
        ``weights[b]``: the efficacies per connection of point ``b`` (a missing connection: 1).

        Parameters
        ----------
        weights : sequence of mapping of str to numpy.ndarray
            One mapping per point; names that are not connections of the circuit are ignored.

        Returns
        -------
        dict of tuple to numpy.ndarray

        Raises
        ------
        ParameterError
            If ``weights`` has not one mapping per point, or a connection's array not
            one efficacy per synapse of that point.
        """
        if len(weights) != len(self._points):
            raise ParameterError("weights", len(weights), f"one mapping per point ({len(self._points)})")
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
        return w_all

    def run(self, weights: Sequence[Mapping[str, np.ndarray]]) -> list[PointOutput]:
        """Simulate every point from the initial state with ``weights[b]``: the
        efficacies per connection of point ``b`` (a missing connection: 1).

        Parameters
        ----------
        weights : sequence of mapping of str to numpy.ndarray
            As :meth:`efficacies`.

        Returns
        -------
        list of PointOutput
            One per point, in order.

        Raises
        ------
        ParameterError
            As :meth:`efficacies`.
        """
        b2 = self._b2
        w_all = self.efficacies(weights)
        if not self._fresh:
            self._net.restore("painsim_initial")
        self._fresh = False
        for key, S in self._synapses.items():
            S.w_ = w_all[key]
        # brian2 calls gc.collect() at every run (to warn about objects outside the
        # network); with the process's long-lived objects frozen that full collection
        # is nearly free (issue 17: ~17 % of a course's time was spent there).  The
        # objects are unfrozen after the run, so discarded networks are still collected.
        gc.freeze()
        try:
            self._net.run(self._duration * b2.second, namespace={})
        finally:
            gc.unfreeze()
        recorded = {g: (np.asarray(mon.t_), np.asarray(mon.i)) for g, mon in self._monitors.items()}
        return self.outputs(recorded, {key: np.asarray(S.w_) for key, S in self._synapses.items()})

    def outputs(self, recorded: Mapping[str, tuple], weights_all: Mapping) -> list[PointOutput]:
        """Each point's :class:`PointOutput` from the spikes ``recorded`` per neuron group
        (times s, neuron index) and the efficacies per Synapses object of a run.

        Parameters
        ----------
        recorded : mapping of str to (numpy.ndarray, numpy.ndarray)
            Per neuron group, spike times (s) and neuron indices.
        weights_all : mapping of tuple to numpy.ndarray
            Per Synapses object key, the efficacy of each synapse.

        Returns
        -------
        list of PointOutput
            One per point, in order.
        """
        points, plan0, sizes, dt, duration = self._points, self._plan0, self._sizes, self._dt, self._duration
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


#: The network class of each engine (:data:`painsim.circuits.codegen.ENGINES`);
#: :mod:`painsim.circuits.standalone` registers ``"standalone"`` (it builds on this module).
NETWORK_CLASSES: dict[str, type] = {"runtime": BatchNetwork}
