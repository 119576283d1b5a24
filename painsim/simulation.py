"""``simulate``: one stimulus protocol through the model, as a labelled Dataset."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from . import readouts
from .circuits import dorsal_horn as dh
from .circuits.network import PointInput, PointOutput, run_batch, structure_key
from .errors import ParameterError
from .fibers import FIBER_CLASSES, afferent_input, natural
from .params import Model, load_model
from .stimulation import Waveform
from .units import to_si

__all__ = ["simulate", "simulate_batch", "Request"]


@dataclass
class Request:
    """One point of a batch: a model, what it receives and its seed."""

    model: Model
    stimulus: Waveform | None = None
    noxious: Any = 0.0
    touch: Any = 0.0
    seed: int = 0
    weights: Mapping[str, np.ndarray] | None = None
    label: str = ""


def _version() -> str:
    from . import __version__
    return __version__


def _duration(duration, stimulus) -> float:
    if duration is None:
        if stimulus is None:
            raise ParameterError("duration", None, "a duration (e.g. 2*second) when there is no stimulus")
        return stimulus.duration
    d = to_si(duration, "s", "duration")
    if d <= 0:
        raise ParameterError("duration", duration, "a duration > 0 s")
    return d


def _seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError("seed", seed, "a whole number >= 0")
    return int(seed)


def _drives(model: Model, out: PointOutput) -> tuple[float, float]:
    """Time integrals of inhibitory and excitatory conductance delivered to PN (S s)."""
    inh = exc = 0.0
    tau = {"w_ampa": model.si("dorsal_horn.synapse.tau_ampa"),
           "w_nmda": model.si("dorsal_horn.synapse.tau_nmda_decay"),
           "w_nk1": model.si("dorsal_horn.synapse.tau_nk1_decay"),
           "w_gaba": model.si("dorsal_horn.synapse.tau_gaba")}
    for conn in dh.CONNECTIONS:
        if conn.target != "PN":
            continue
        pre, _ = out.synapses[conn.name]
        n_spikes = np.bincount(out.spikes[conn.source][1], minlength=out.sizes[conn.source])
        eff = float(np.sum(n_spikes[pre] * out.weights[conn.name]))  # spikes x efficacy over synapses
        g = dh.synaptic_conductances(model, conn)
        drive = eff * sum(g[k] * tau[k] for k in g)
        if conn.kind == "inh":
            inh += drive
        else:
            exc += drive
    return inh, exc


def _dataset(req: Request, out: PointOutput, duration: float, dt: float) -> xr.Dataset:
    model = req.model
    bin_ = model.si("readout.bin")
    pops = list(FIBER_CLASSES) + list(dh.DORSAL_HORN_POPULATIONS)
    rates, centres = [], None
    for pop in pops:
        centres, r = readouts.binned_rate(out.spikes[pop][0], out.sizes[pop], duration, bin_)
        rates.append(r)
    t0 = model.si("readout.transient")
    t0 = t0 if t0 < duration else 0.0
    pn_rate = readouts.mean_rate(out.spikes["PN"][0], out.sizes["PN"], t0, duration)
    pain = readouts.pain_score(pn_rate, model.si("readout.pain_half_rate"), model.si("readout.pain_hill"))
    gate = readouts.gate_index(*_drives(model, out))
    sp_t = np.concatenate([out.spikes[p][0] for p in pops])
    sp_i = np.concatenate([out.spikes[p][1] for p in pops]).astype(np.int32)
    sp_p = np.concatenate([np.full(out.spikes[p][0].size, k, np.int8) for k, p in enumerate(pops)])
    ds = xr.Dataset(
        {
            "rates": (("population", "time"), np.array(rates),
                      {"units": "Hz", "long_name": "population firing rate per neuron"}),
            "population_size": (("population",), np.array([out.sizes[p] for p in pops]),
                                {"units": "1"}),
            "spike_time": (("spike",), sp_t, {"units": "s"}),
            "spike_neuron": (("spike",), sp_i, {"units": "1", "long_name": "neuron index within its population"}),
            "spike_population": (("spike",), sp_p, {"units": "1", "flag_values": list(range(len(pops))),
                                                   "flag_meanings": " ".join(pops)}),
            "pn_rate": ((), pn_rate, {"units": "Hz", "long_name": "projection-neuron output after the transient"}),
            "pain": ((), pain, {"units": "NRS 0-10", "long_name": "pain score"}),
            "gate_index": ((), gate, {"units": "1", "long_name": "inhibitory share of drive onto PN"}),
        },
        coords={"population": pops, "time": ("time", centres, {"units": "s"})},
        attrs={
            "painsim_version": _version(),
            "model": model.name,
            "parameters": model.to_json(),
            "stimulus": json.dumps(req.stimulus.describe() if req.stimulus is not None else None),
            "noxious": json.dumps(_natural_attr(req.noxious)),
            "touch": json.dumps(_natural_attr(req.touch)),
            "seed": req.seed,
            "duration_s": duration,
            "dt_s": dt,
            "label": req.label,
        },
    )
    for name, w in out.weights.items():
        dim = "synapse_" + name
        pre, post = out.synapses[name]
        ds[f"w_{name}"] = ((dim,), w, {"units": "1", "long_name": f"efficacy of {name} synapses"})
        ds[f"pre_{name}"] = ((dim,), pre.astype(np.int32), {"units": "1", "long_name": "presynaptic neuron index"})
        ds[f"post_{name}"] = ((dim,), post.astype(np.int32), {"units": "1", "long_name": "postsynaptic neuron index"})
    return ds


def _natural_attr(x):
    """A natural stimulus (number or NaturalStimulus) as a JSON-able dict."""
    n = natural(x)
    return {"intensity": n.intensity, "start_s": n.start, "stop_s": n.stop}


def simulate_batch(requests: Sequence[Request], duration, batch_size: int = 16) -> list[xr.Dataset]:
    """Simulate many points, batching those of one structure into one network.

    Parameters
    ----------
    requests : sequence of Request
    duration : Quantity (s)
        Simulated time, the same for every point.
    batch_size : int
        Points per brian2 network.  Results do not depend on it.

    Returns
    -------
    list of xarray.Dataset, in the order of ``requests``.
    """
    return _run(requests, _duration(duration, None), batch_size)


def _run(requests: Sequence[Request], d: float, batch_size: int) -> list[xr.Dataset]:
    """simulate_batch with the duration already in seconds."""
    if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
        raise ParameterError("batch_size", batch_size, "a whole number >= 1")
    prepared = []
    for r in requests:
        if not isinstance(r.model, Model):
            raise ParameterError("model", r.model, "a painsim Model (see painsim.load_model)")
        seed = _seed(r.seed)
        nox = natural(r.noxious, name="noxious")
        tou = natural(r.touch, name="touch")
        aff = afferent_input(r.model.section("afferents"), d, seed, stimulus=r.stimulus,
                             noxious=nox, touch=tou, pathology=r.model.section("pathology"))
        prepared.append(PointInput(r.model, seed, aff, dict(r.weights or {})))
    results: list[xr.Dataset | None] = [None] * len(requests)
    groups: dict[tuple, list[int]] = {}
    for k, p in enumerate(prepared):
        groups.setdefault((structure_key(p.model), p.model.si("network.dt")), []).append(k)
    for (_, dt), members in groups.items():
        for s in range(0, len(members), int(batch_size)):
            chunk = members[s:s + int(batch_size)]
            outs = run_batch([prepared[k] for k in chunk], d, dt)
            for k, out in zip(chunk, outs):
                results[k] = _dataset(requests[k], out, d, dt)
    return results


def simulate(model: Model | str, stimulus: Waveform | None = None, noxious=0.0, touch=0.0,
             duration=None, seed: int = 0, weights: Mapping[str, np.ndarray] | None = None) -> xr.Dataset:
    """Run one model with one stimulus and return a labelled result.

    Parameters
    ----------
    model : Model or str
        A :class:`painsim.params.Model` or the name/path of a model file.
    stimulus : Waveform, optional
        Device pulses (:mod:`painsim.stimulation`).
    noxious, touch : float or NaturalStimulus
        Natural stimulus intensities (0-1), or :func:`painsim.fibers.natural`
        for one with a start and stop.
    duration : Quantity (s), optional
        Simulated time; default: the stimulus duration.
    seed : int
        Seed of all randomness of this point (afferent spikes, connectivity,
        initial state).  Same seed, same result.
    weights : dict, optional
        Synaptic efficacies per connection from a previous run (plasticity).

    Returns
    -------
    xarray.Dataset
        ``rates`` (population x time, Hz), ragged ``spike_*`` arrays, scalar
        ``pn_rate`` (Hz), ``pain`` (NRS 0-10), ``gate_index``, efficacies
        ``w_<connection>``; units in each variable's attrs; parameters (JSON),
        stimulus, seed and painsim version in the Dataset attrs.

    Notes
    -----
    The dorsal horn follows Zhang, Janik & Grill 2014 and Aguiar et al. 2010;
    see :mod:`painsim.circuits.dorsal_horn`.
    """
    if isinstance(model, (str,)) or hasattr(model, "__fspath__"):
        model = load_model(model)
    d = _duration(duration, stimulus)
    return _run([Request(model, stimulus, noxious, touch, seed, weights)], d, 1)[0]

