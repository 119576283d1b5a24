"""``simulate``: one stimulus protocol through the model, as a labelled Dataset."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import xarray as xr

from . import readouts
from .circuits.network import PointInput, PointOutput, build_networks, structure_key
from .errors import ParameterError
from .fibers import FIBER_CLASSES, AfferentSpikes, afferent_input, natural
from .params import Model, load_model
from .stimulation import Waveform
from .units import to_si

__all__ = ["simulate", "simulate_batch", "Request", "run_points", "PointsRunner", "site_pn_rates"]


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
    #: neuron parameters to store per neuron even where uniform: the ones a sweep
    #: varies (:func:`painsim.circuits.network.shared_parameters`)
    per_neuron: frozenset = frozenset()


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


def _drives(model: Model, out: PointOutput, site: int) -> tuple[float, float]:
    """Time integrals of inhibitory and excitatory conductance delivered to the
    projection neurons of ``site`` (S s), from every connection onto PN."""
    inh = exc = 0.0
    tau = {"w_ampa": model.si("dorsal_horn.synapse.tau_ampa"),
           "w_nmda": model.si("dorsal_horn.synapse.tau_nmda_decay"),
           "w_nk1": model.si("dorsal_horn.synapse.tau_nk1_decay"),
           "w_gaba": model.si("dorsal_horn.synapse.tau_gaba")}
    n_pn = out.sizes["PN"] // int(model.si("body.n_sites"))
    for conn in out.plan.projections:
        if conn.target != "PN":
            continue
        at_site = (conn.post >= site * n_pn) & (conn.post < (site + 1) * n_pn)
        n_spikes = np.bincount(out.spikes[conn.source][1], minlength=out.sizes[conn.source])
        w = out.weights[conn.name]
        # spikes x efficacy x conductance x decay time, summed over the site's synapses
        drive = sum(float(np.sum((n_spikes[conn.pre] * w * g)[at_site])) * tau[k]
                    for k, g in conn.conductances.items())
        if conn.kind == "inh":
            inh += drive
        else:
            exc += drive
    return inh, exc


def site_pn_rates(model: Model, out: PointOutput, duration: float) -> np.ndarray:
    """Projection-neuron output (Hz) per body site after ``readout.transient``."""
    t0 = model.si("readout.transient")
    t0 = t0 if t0 < duration else 0.0
    n_sites = int(model.si("body.n_sites"))
    n_pn = out.sizes["PN"] // n_sites
    pn_t, pn_i = out.spikes["PN"]
    return np.array([readouts.mean_rate(pn_t[pn_i // max(n_pn, 1) == s], n_pn, t0, duration)
                     for s in range(n_sites)])


def _dataset(req: Request, out: PointOutput, duration: float, dt: float) -> xr.Dataset:
    model = req.model
    bin_ = model.si("readout.bin")
    pops = [p.name for p in out.plan.populations]
    rates, centres = [], None
    for pop in pops:
        centres, r = readouts.binned_rate(out.spikes[pop][0], out.sizes[pop], duration, bin_)
        rates.append(r)
    t0 = model.si("readout.transient")
    t0 = t0 if t0 < duration else 0.0
    n_sites = int(model.si("body.n_sites"))
    painful = int(model.si("body.painful_site"))
    site_rate = site_pn_rates(model, out, duration)
    pn_rate = float(site_rate[painful])
    # the most active site carries the rating (a one-site model: its only site)
    spinal = readouts.pain_score(float(site_rate.max()), model.si("readout.pain_half_rate"),
                                 model.si("readout.pain_hill"))
    gate = readouts.gate_index(*_drives(model, out, painful))
    sp_t = np.concatenate([out.spikes[p][0] for p in pops])
    sp_i = np.concatenate([out.spikes[p][1] for p in pops]).astype(np.int32)
    sp_p = np.concatenate([np.full(out.spikes[p][0].size, k, np.int8) for k, p in enumerate(pops)])
    data = {
        "rates": (("population", "time"), np.array(rates),
                  {"units": "Hz", "long_name": "population firing rate per neuron (all sites)"}),
        "population_size": (("population",), np.array([out.sizes[p] for p in pops]), {"units": "1"}),
        "spike_time": (("spike",), sp_t, {"units": "s"}),
        "spike_neuron": (("spike",), sp_i, {"units": "1", "long_name": "neuron index within its population"}),
        "spike_population": (("spike",), sp_p, {"units": "1", "flag_values": list(range(len(pops))),
                                               "flag_meanings": " ".join(pops)}),
        "site_pn_rate": (("site",), site_rate, {"units": "Hz", "long_name": "projection-neuron output per body site after the transient"}),
        "pn_rate": ((), pn_rate, {"units": "Hz", "long_name": "projection-neuron output at the painful site after the transient"}),
        "spinal_pain": ((), spinal, {"units": "NRS 0-10", "long_name": "pain score of the spinal output alone (most active site)"}),
        "gate_index": ((), gate, {"units": "1", "long_name": "inhibitory share of drive onto the painful site's PN"}),
    }
    coords = {"population": pops, "time": ("time", centres, {"units": "s"}), "site": np.arange(n_sites)}
    pain = spinal
    if model.text("network.layers") == "pathway":
        c = model.section("cortex.populations")
        h = model.si("cortex.map.spacing")
        img = readouts.map_image(*out.spikes["S1E"], c["n_map_x"], c["n_map_y"], t0, duration)
        thr = model.si("readout.map_overactive_rate")
        area = readouts.active_area(img, thr, h)
        cx, cy = readouts.map_centroid(img, thr, h)
        pain = float(readouts.combined_pain(spinal, area / model.si("readout.map_pain_area"),
                                            model.si("readout.map_weight")))
        n_relay = c["n_relay"]
        tc_t, tc_i = out.spikes["TC"]
        data.update({
            "map_rate": (("map_y", "map_x"), img, {"units": "Hz", "long_name": "S1 unit rates after the transient"}),
            "map_overactive_area": ((), area, {"units": "m^2", "long_name":
                                               "S1 area with rates above readout.map_overactive_rate"}),
            "map_centroid": (("axis",), np.array([cx, cy]), {"units": "m", "long_name": "rate-weighted centroid of the overactive area"}),
            "relay_rate": ((), readouts.mean_rate(tc_t[tc_i // n_relay == painful], n_relay, t0, duration),
                           {"units": "Hz", "long_name": "thalamic relay rate of the painful site"}),
            "m1_rate": ((), readouts.mean_rate(out.spikes["M1"][0], out.sizes["M1"], t0, duration), {"units": "Hz"}),
            "descending_rate": ((), readouts.mean_rate(out.spikes["DESC"][0], out.sizes["DESC"], t0, duration),
                                {"units": "Hz", "long_name": "PAG/RVM descending-control rate"}),
        })
        coords.update({"map_x": ("map_x", np.arange(c["n_map_x"]) * h, {"units": "m"}),
                       "map_y": ("map_y", np.arange(c["n_map_y"]) * h, {"units": "m"}), "axis": ["x", "y"]})
    data["pain"] = ((), pain, {"units": "NRS 0-10", "long_name": "pain score" + (
        " (spinal output and map overactivity, readouts.combined_pain)" if pain is not spinal else "")})
    # per-synapse variables go in with the rest: one Dataset construction (adding them
    # one by one re-aligns the Dataset each time and cost ~0.3 s per pathway point)
    for name, w in out.weights.items():
        dim = "synapse_" + name
        pre, post = out.synapses[name]
        data[f"w_{name}"] = ((dim,), w, {"units": "1", "long_name": f"efficacy of {name} synapses"})
        data[f"pre_{name}"] = ((dim,), pre.astype(np.int32), {"units": "1", "long_name": "presynaptic neuron index"})
        data[f"post_{name}"] = ((dim,), post.astype(np.int32), {"units": "1", "long_name": "postsynaptic neuron index"})
    ds = xr.Dataset(
        data, coords=coords,
        attrs={
            "painsim_version": _version(),
            "model": model.name,
            "parameters": model.to_json(),
            "stimulus": json.dumps(req.stimulus.describe() if req.stimulus is not None else None),
            "noxious": json.dumps(_natural_attr(model, req.noxious, "noxious")),
            "touch": json.dumps(_natural_attr(model, req.touch, "touch")),
            "seed": req.seed,
            "duration_s": duration,
            "dt_s": dt,
            "label": req.label,
        },
    )
    return ds


def _per_site(model: Model, value, name: str) -> list:
    """A natural stimulus for each body site.

    ``value`` is a number or NaturalStimulus (at ``body.painful_site``), a
    sequence with one entry per site, or a dict ``{site: value}``.
    """
    n_sites = int(model.si("body.n_sites"))
    painful = int(model.si("body.painful_site"))
    out = [natural(0.0, name=name)] * n_sites
    if isinstance(value, Mapping):
        items = value.items()
    elif isinstance(value, (list, tuple, np.ndarray)):
        if len(value) != n_sites:
            raise ParameterError(name, list(value), f"one value per body site ({n_sites} sites)")
        items = enumerate(value)
    else:
        items = [(painful, value)]
    for site, v in items:
        if isinstance(site, bool) or not isinstance(site, (int, np.integer)) or not 0 <= site < n_sites:
            raise ParameterError(f"{name} site", site, f"a site index in 0..{n_sites - 1}")
        out[int(site)] = natural(v, name=name)
    return out


def _site_seed(seed: int, site: int) -> int:
    """Seed of one site's afferents (site 0 keeps the point's seed)."""
    if site == 0:
        return seed
    from .fibers import rng_for
    return int(rng_for(seed, "site", site).integers(2 ** 62))


def _point_input(r: Request, d: float) -> PointInput:
    """Generator spikes (afferents of every site, TMS inputs) of one request."""
    model = r.model
    seed = _seed(r.seed)
    n_sites = int(model.si("body.n_sites"))
    painful = int(model.si("body.painful_site"))
    pathway = model.text("network.layers") == "pathway"
    nox = _per_site(model, r.noxious, "noxious")
    tou = _per_site(model, r.touch, "touch")
    stim, tms = r.stimulus, None
    if stim is not None and stim.modality == "tms":
        if not pathway:
            raise ParameterError("stimulus", stim.label, "a peripheral or spinal waveform for a model without cortex",
                                 hint="TMS acts on M1: use a model with network.layers = 'pathway' (e.g. 'pain_pathway')")
        stim, tms = None, stim
    stim_site = painful if stim is None or stim.site is None else stim.site
    if stim is not None and not (isinstance(stim_site, (int, np.integer)) and 0 <= stim_site < n_sites):
        raise ParameterError("stimulus.site", stim_site, f"a site index in 0..{n_sites - 1}")
    from .circuits.dorsal_horn import site_pathology
    parts: dict[str, list] = {c: [] for c in FIBER_CLASSES}
    afferent_params = model.section("afferents")
    for s in range(n_sites):
        aff = afferent_input(afferent_params, d, _site_seed(seed, s), stimulus=stim if s == stim_site else None,
                             noxious=nox[s], touch=tou[s], pathology=site_pathology(model, s))
        for c, a in aff.items():
            parts[c].append((a.times, a.fibers + s * a.n))
    spikes = {c: AfferentSpikes.merge(parts[c], int(model.si(f"afferents.{c}.n")) * n_sites) for c in FIBER_CLASSES}
    if pathway:
        from .circuits.cortex import tms_input
        spikes["TMS"] = tms_input(model, tms, seed, d)
    return PointInput(model, seed, spikes, dict(r.weights or {}), per_neuron=frozenset(r.per_neuron))


def _natural_attr(model: Model, x, name: str):
    """A natural stimulus as JSON-able data: one dict for a one-site model,
    else ``{site: dict}`` for the sites that receive it."""
    sites = _per_site(model, x, name)
    as_dict = [{"intensity": n.intensity, "start_s": n.start, "stop_s": n.stop} for n in sites]
    if len(sites) == 1:
        return as_dict[0]
    return {str(s): d for s, d in enumerate(as_dict) if sites[s].intensity > 0}


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
    return [_dataset(r, out, d, out.dt) for r, out in zip(requests, run_points(requests, d, batch_size))]


def run_points(requests: Sequence[Request], d: float, batch_size: int) -> list[PointOutput]:
    """:func:`simulate_batch` without the labelled results: each point's raw
    :class:`painsim.circuits.network.PointOutput` (spikes, sizes, efficacies,
    synapses), for engines that read thousands of windows (painsim.course)."""
    return PointsRunner(requests, d, batch_size, keep=False).run()


class PointsRunner:
    """Simulate the same requests again and again with new efficacies.

    The points are batched as in :func:`simulate_batch` (by structure and
    time step, ``batch_size`` per network); with ``keep=True`` each
    network is built on the first :meth:`run` and reused by the next ones
    (:class:`painsim.circuits.network.BatchNetwork`), which is what a
    course needs: the same windows of the same patients in every chunk of
    every session, only the efficacies change.  A run's result equals a
    fresh :func:`simulate_batch` of the requests with those efficacies.
    """

    def __init__(self, requests: Sequence[Request], d: float, batch_size: int, keep: bool = True):
        if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
            raise ParameterError("batch_size", batch_size, "a whole number >= 1")
        prepared = []
        for r in requests:
            if not isinstance(r.model, Model):
                raise ParameterError("model", r.model, "a painsim Model (see painsim.load_model)")
            prepared.append(_point_input(r, d))
        groups: dict[tuple, list[int]] = {}
        for k, p in enumerate(prepared):
            groups.setdefault((structure_key(p.model), p.model.si("network.dt")), []).append(k)
        # (indices of the points, their dt) per network-to-be, in batches of batch_size
        self._chunks = [(members[s:s + int(batch_size)], dt) for (_, dt), members in groups.items()
                        for s in range(0, len(members), int(batch_size))]
        self._requests, self._prepared, self._d, self._keep = list(requests), prepared, d, keep
        self._networks: dict[int, list] = {}

    def run(self, weights: Sequence[Mapping[str, np.ndarray] | None] | None = None) -> list[PointOutput]:
        """Run every point; ``weights[k]``: efficacies of point ``k`` (default: the requests')."""
        if weights is None:
            weights = [r.weights for r in self._requests]
        if len(weights) != len(self._requests):
            raise ParameterError("weights", len(weights), f"one mapping (or None) per request ({len(self._requests)})")
        results: list[PointOutput | None] = [None] * len(self._requests)
        for c, (chunk, dt) in enumerate(self._chunks):
            nets = self._networks.get(c)
            if nets is None:
                nets = build_networks([self._prepared[k] for k in chunk], self._d, dt)
                if self._keep:
                    self._networks[c] = nets
            for ks, net in nets:
                members = [chunk[k] for k in ks]
                for k, out in zip(members, net.run([weights[k] or {} for k in members])):
                    results[k] = out
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

