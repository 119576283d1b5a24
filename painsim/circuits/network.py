"""Assemble a model into one brian2 ``Network`` with a batch dimension.

Points that share structure (the same populations of the same sizes) run
together in one network: every population holds ``n x batch`` neurons,
connectivity is block-diagonal (each point's synapses stay inside its own
block), and every parameter is a per-neuron or per-synapse variable.  A
point's randomness (afferent spikes, connectivity, initial potentials) is
drawn in numpy from its own seed, and brian2 itself draws nothing, so a
point's result does not depend on its batch companions or the batch size.

This is the only module, with :mod:`painsim.circuits.dorsal_horn`, that
creates brian2 objects.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from ..errors import ParameterError
from ..fibers import AfferentSpikes, rng_for
from ..params import Model
from . import dorsal_horn as dh

__all__ = ["PointInput", "PointOutput", "run_batch", "structure_key", "codegen_target",
           "connectivity"]

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
class PointInput:
    """Everything one point brings to a batch."""

    model: Model
    seed: int
    afferents: Mapping[str, AfferentSpikes]
    #: efficacies of plastic connections carried over from a previous window
    weights: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass
class PointOutput:
    spikes: dict[str, tuple[np.ndarray, np.ndarray]]  # population -> (times s, neuron index)
    sizes: dict[str, int]
    weights: dict[str, np.ndarray]                    # connection -> efficacy per synapse
    synapses: dict[str, tuple[np.ndarray, np.ndarray]]  # connection -> (pre, post) local indices


def population_sizes(model: Model) -> dict[str, int]:
    sizes = {c: int(model.si(f"afferents.{c}.n")) for c in dh.AFFERENT_POPULATIONS}
    sizes.update({p: int(model.si(path)) for p, path in dh.DORSAL_HORN_POPULATIONS.items()})
    return sizes


def structure_key(model: Model) -> tuple:
    """Points with equal keys can share one network."""
    return tuple(sorted(population_sizes(model).items()))


def connectivity(model: Model, seed: int, conn_index: int, conn: dh.Connection,
                 sizes: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Random connectivity of one connection of one point: (pre, post) local indices."""
    p = model.si(f"dorsal_horn.{conn.name}.p")
    n_pre, n_post = sizes[conn.source], sizes[conn.target]
    mask = rng_for(seed, "connectivity", conn_index).random((n_pre, n_post)) < p
    if conn.source == conn.target:
        np.fill_diagonal(mask, False)
    pre, post = np.nonzero(mask)
    return pre.astype(np.int64), post.astype(np.int64)


def run_batch(points: Sequence[PointInput], duration: float, dt: float | None = None) -> list[PointOutput]:
    """Simulate ``points`` (same structure) together for ``duration`` seconds.

    Parameters
    ----------
    points : sequence of PointInput
        Models, seeds and afferent spike trains, one per point.
    duration : float
        Simulated time in s.
    dt : float, optional
        Time step in s; default: the first model's ``network.dt`` (all
        points must agree).
    """
    import brian2 as b2

    if not points:
        return []
    keys = {structure_key(p.model) for p in points}
    if len(keys) != 1:
        raise ParameterError("points", len(keys), "points of one structure (same population sizes) per batch")
    dts = {p.model.si("network.dt") for p in points}
    if dt is None:
        if len(dts) != 1:
            raise ParameterError("network.dt", sorted(dts), "the same time step for every point of a batch")
        dt = dts.pop()
    B = len(points)
    sizes = population_sizes(points[0].model)

    b2.prefs.codegen.target = codegen_target()
    b2.BrianLogger.suppress_name("method_choice")
    clock = b2.Clock(dt=dt * b2.second)
    objects = []

    # afferents: one generator per class, point b owns indices [b*n, (b+1)*n)
    groups = {}
    for c in dh.AFFERENT_POPULATIONS:
        n = sizes[c]
        idx, times = [], []
        for b, p in enumerate(points):
            a = p.afferents[c]
            # brian2 replays spikes on the dt grid; two spikes of one fiber in one step are impossible
            # after the 1 ms dead time applied in fibers.py
            idx.append(a.fibers + b * n)
            times.append(a.times)
        idx = np.concatenate(idx) if idx else np.zeros(0, int)
        times = np.concatenate(times) if times else np.zeros(0)
        times = np.round(times / dt) * dt
        keep = times < duration
        g = b2.SpikeGeneratorGroup(max(n * B, 1), idx[keep], times[keep] * b2.second, clock=clock,
                                   name=f"afferent_{c}")
        groups[c] = g
        objects.append(g)

    # dorsal-horn neurons
    for pop in dh.DORSAL_HORN_POPULATIONS:
        n = sizes[pop]
        g = b2.NeuronGroup(n * B, dh.NEURON_EQS, threshold="v > v_threshold", reset="v = v_reset",
                           refractory="t_refractory", method="euler", clock=clock, name=f"dh_{pop}")
        for var, path in dh.NEURON_PARAMS.items():
            setattr(g, var + "_", np.repeat([p.model.si(path) for p in points], n))
        for var, per_pop in dh.POPULATION_PARAMS.items():
            vals = [p.model.si(per_pop[pop]) if pop in per_pop else 0.0 for p in points]
            setattr(g, var + "_", np.repeat(vals, n))
        v0 = [p.model.si("dorsal_horn.neuron.rest") + rng_for(p.seed, "initial", len(objects)).uniform(0, 2e-3, n)
              for p in points]
        g.v_ = np.concatenate(v0)
        groups[pop] = g
        objects.append(g)

    # synapses, block-diagonal
    synapses, local = {}, {}
    delay = points[0].model.si("network.synaptic_delay")
    for k, conn in enumerate(dh.CONNECTIONS):
        template = dh.EXC_SYNAPSE if conn.kind == "exc" else dh.INH_SYNAPSE
        S = b2.Synapses(groups[conn.source], groups[conn.target], clock=clock,
                        name=f"syn_{conn.name}", **template)
        pres, posts, per_point = [], [], []
        for b, p in enumerate(points):
            pre, post = connectivity(p.model, p.seed, k, conn, sizes)
            per_point.append((pre, post))
            pres.append(pre + b * sizes[conn.source])
            posts.append(post + b * sizes[conn.target])
        pre_all, post_all = np.concatenate(pres), np.concatenate(posts)
        if pre_all.size:
            S.connect(i=pre_all, j=post_all)
            for var in template["model"].split("\n"):
                name = var.split(":")[0].strip()
                if name == "w":
                    continue
                vals = [np.full(pp[0].size, dh.synaptic_conductances(p.model, conn)[name])
                        for p, pp in zip(points, per_point)]
                setattr(S, name + "_", np.concatenate(vals))
            w = [np.asarray(p.weights.get(conn.name, np.ones(pp[0].size)), float)
                 for p, pp in zip(points, per_point)]
            for p, pp, ww in zip(points, per_point, w):
                if ww.size != pp[0].size:
                    raise ParameterError(f"weights[{conn.name!r}]", ww.size,
                                         f"{pp[0].size} efficacies (one per synapse of this point)")
            S.w_ = np.concatenate(w)
            if conn.source in dh.DORSAL_HORN_POPULATIONS:
                S.delay = delay * b2.second
        synapses[conn.name] = S
        local[conn.name] = per_point
        objects.append(S)

    monitors = {pop: b2.SpikeMonitor(groups[pop], name=f"spikes_{pop}") for pop in dh.DORSAL_HORN_POPULATIONS}
    objects += list(monitors.values())
    net = b2.Network(*objects)
    net.run(duration * b2.second, namespace={})

    outputs = []
    mon_data = {pop: (np.asarray(m.t_), np.asarray(m.i)) for pop, m in monitors.items()}
    weights_all = {name: np.asarray(S.w_) if len(S) else np.zeros(0) for name, S in synapses.items()}
    for b, p in enumerate(points):
        spikes = {}
        for c in dh.AFFERENT_POPULATIONS:
            a = p.afferents[c]
            keep = a.times < duration
            spikes[c] = (a.times[keep], a.fibers[keep])
        for pop, (t, i) in mon_data.items():
            n = sizes[pop]
            sel = (i >= b * n) & (i < (b + 1) * n)
            spikes[pop] = (t[sel], i[sel] - b * n)
        weights, syn = {}, {}
        for name, per_point in local.items():
            start = sum(pp[0].size for pp in per_point[:b])
            m = per_point[b][0].size
            weights[name] = weights_all[name][start:start + m].copy()
            syn[name] = per_point[b]
        outputs.append(PointOutput(spikes, dict(sizes), weights, syn))
    return outputs
