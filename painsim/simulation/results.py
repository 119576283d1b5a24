"""A point's raw output as a labelled xarray Dataset.

Every result carries the population rates and ragged spike arrays of all
populations, the variables each layer of the model's stack adds
(:attr:`painsim.circuits.Layer.results`: dorsal horn ``site_pn_rate``,
``pn_rate``, ``spinal_pain``, ``gate_index``; cortex ``map_rate``,
``map_overactive_area``, ``map_excess_rate``, ``map_pain``, ``map_centroid``,
``relay_rate``, ``m1_rate``, ``descending_rate``), the pain score of the topmost layer that forms one, the
efficacies and endpoints of every connection, and the parameters, stimulus,
seed and painsim version in its attrs.
"""
from __future__ import annotations

import json

import numpy as np
import xarray as xr

from .. import readouts
from ..circuits import PointOutput, pn_drives, site_pn_rates, stack
from ..devices import describe_devices
from ..version import __version__
from .inputs import Request, natural_attr

__all__ = ["dataset", "site_pn_rates", "pn_drives"]


def _populations(model, out: PointOutput, duration: float) -> tuple[dict, dict]:
    """Rates (population x time), ragged spike arrays and site layout of every population that
    has neurons (a module switched off, e.g. the dorsal-horn background barrage, adds none)."""
    bin_ = model.si("readout.bin")
    pops = [p.name for p in out.plan.populations if out.sizes[p.name] > 0]
    by_site = {p for layer in stack(model) for p in layer.site_populations}
    n_sites = int(model.si("body.n_sites"))
    rates, centres = [], None
    for pop in pops:
        centres, r = readouts.binned_rate(out.spikes[pop][0], out.sizes[pop], duration, bin_)
        rates.append(r)
    sp_t = np.concatenate([out.spikes[p][0] for p in pops])
    sp_i = np.concatenate([out.spikes[p][1] for p in pops]).astype(np.int32)
    sp_p = np.concatenate([np.full(out.spikes[p][0].size, k, np.int8) for k, p in enumerate(pops)])
    data = {
        "rates": (("population", "time"), np.array(rates),
                  {"units": "Hz", "long_name": "population firing rate per neuron (all sites)"}),
        "population_size": (("population",), np.array([out.sizes[p] for p in pops]), {"units": "1"}),
        "population_site_neurons": (("population",),
                                    np.array([out.sizes[p] // n_sites if p in by_site else 0 for p in pops]),
                                    {"units": "1", "long_name": "neurons per body site of a population laid out "
                                     "site by site (neuron k at site k // this); 0: not laid out by site"}),
        "spike_time": (("spike",), sp_t, {"units": "s"}),
        "spike_neuron": (("spike",), sp_i, {"units": "1", "long_name": "neuron index within its population"}),
        "spike_population": (("spike",), sp_p, {"units": "1", "flag_values": np.arange(len(pops), dtype=np.int8),
                                               "flag_meanings": " ".join(pops)}),
    }
    coords = {"population": pops, "time": ("time", centres, {"units": "s"})}
    return data, coords


def _synapses(out: PointOutput) -> dict:
    """Efficacy, pre- and postsynaptic neuron of every synapse of every connection."""
    data = {}
    for name, w in out.weights.items():
        dim = "synapse_" + name
        pre, post = out.synapses[name]
        data[f"w_{name}"] = ((dim,), w, {"units": "1", "long_name": f"efficacy of {name} synapses"})
        data[f"pre_{name}"] = ((dim,), pre.astype(np.int32), {"units": "1", "long_name": "presynaptic neuron index"})
        data[f"post_{name}"] = ((dim,), post.astype(np.int32), {"units": "1", "long_name": "postsynaptic neuron index"})
    return data


def dataset(request: Request, out: PointOutput, duration: float, dt: float) -> xr.Dataset:
    """The labelled result of one point.

    Parameters
    ----------
    request : Request
        What the point received (model, stimulus, natural stimuli, seed, label).
    out : PointOutput
        Its raw output (:class:`painsim.circuits.PointOutput`).
    duration, dt : float
        Simulated time and time step, s.
    """
    model = request.model
    data, coords = _populations(model, out, duration)
    pain, note = None, ""
    for layer in stack(model):
        res = layer.results(model, out, duration, pain)
        data.update(res.variables)
        coords.update(res.coords)
        if res.pain is not None:
            pain, note = res.pain, res.pain_note
    data["pain"] = ((), pain, {"units": "1", "long_name": "pain score (NRS 0-10)" + note})
    # per-synapse variables go in with the rest: one Dataset construction (adding them
    # one by one re-aligns the Dataset each time and cost ~0.3 s per pathway point)
    data.update(_synapses(out))
    return xr.Dataset(
        data, coords=coords,
        attrs={
            "painsim_version": __version__,
            "model": model.name,
            "parameters": model.to_json(),
            "stimulus": json.dumps(describe_devices(request.stimulus, until=duration)),
            "noxious": json.dumps(natural_attr(model, request.noxious, "noxious")),
            "touch": json.dumps(natural_attr(model, request.touch, "touch")),
            "seed": request.seed,
            "duration_s": duration,
            "dt_s": dt,
            "readout_start_s": readouts.window_start(model, duration),  # rates and pain are read from here to the end
            "label": request.label,
        },
    )
