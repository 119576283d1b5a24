"""Experiment files: named conditions run through one model, in one batch.

An experiment file (TOML) names a model, a duration, a seed and a list of
conditions; each condition may override model parameters and give a
stimulus waveform and natural stimuli::

    [experiment]
    name = "gate_control"
    model = "gate_control"
    duration = "2 s"
    seed = 1

    [[condition]]
    label = "C input alone"
    noxious = 0.6

    [[condition]]
    label = "C + Aβ stimulation"
    noxious = 0.6
    stimulus = {type = "tonic", rate = "50 Hz", width = "200 us", amplitude = 1.5, duration = "2 s"}
    params = {"dorsal_horn.pharmacology.gaba_block" = 0.0}

All conditions that share structure run in one brian2 network.  The result
is one Dataset with a ``condition`` dimension.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import xarray as xr

from .errors import ModelFileError, ParameterError, UnknownKeyError
from .io import combine
from .params import find_builtin, load_model, read_toml
from .simulation import Request, simulate_batch
from .stimulation import from_spec
from .units import to_si

__all__ = ["load_experiment", "run_experiment"]

_EXPERIMENT_KEYS = {"name", "description", "kind", "model", "duration", "seed", "batch_size", "figure"}
_CONDITION_KEYS = {"label", "params", "stimulus", "noxious", "touch", "seed"}


def load_experiment(path_or_name: str | Path) -> dict:
    """Read and check an experiment file (built-in name or path)."""
    path = find_builtin(path_or_name, "experiments")
    spec = read_toml(path)
    exp = spec.get("experiment")
    if not isinstance(exp, Mapping):
        raise ModelFileError(f"{path}: missing [experiment] table")
    for k in exp:
        if k not in _EXPERIMENT_KEYS:
            raise UnknownKeyError(k, _EXPERIMENT_KEYS, what="experiment key")
    conds = spec.get("condition", [])
    if not conds:
        raise ModelFileError(f"{path}: no [[condition]] tables")
    for c in conds:
        for k in c:
            if k not in _CONDITION_KEYS:
                raise UnknownKeyError(k, _CONDITION_KEYS, what="condition key")
    spec["_path"] = str(path)
    return spec


def run_experiment(spec: str | Path | Mapping[str, Any], seed: int | None = None,
                   progress: bool = False) -> xr.Dataset:
    """Run every condition of an experiment and return one Dataset.

    Parameters
    ----------
    spec : path, built-in name or dict
        The experiment (see module docstring).
    seed : int, optional
        Overrides the file's seed.  Every condition uses the same seed, so
        conditions differ only by what the condition changes.
    """
    if not isinstance(spec, Mapping):
        spec = load_experiment(spec)
    exp = spec["experiment"]
    base = load_model(exp.get("model", "gate_control"))
    duration = to_si(exp.get("duration", "2 s"), "s", "experiment.duration")
    seed = int(exp.get("seed", 0) if seed is None else seed)
    requests, labels = [], []
    for k, c in enumerate(spec["condition"]):
        label = c.get("label", f"condition {k}")
        model = base.with_params(c.get("params", {}))
        stim = from_spec(c["stimulus"]) if "stimulus" in c else None
        requests.append(Request(model, stim, c.get("noxious", 0.0), c.get("touch", 0.0),
                                int(c.get("seed", seed)), label=label))
        labels.append(label)
    results = simulate_batch(requests, duration_quantity(duration),
                             batch_size=int(exp.get("batch_size", 16)))
    ds = combine(results, "condition", labels)
    ds.attrs.update({"experiment": exp.get("name", ""), "description": exp.get("description", ""),
                     "experiment_spec": json.dumps({k: v for k, v in spec.items() if k != "_path"},
                                                   default=str)})
    return ds


def duration_quantity(seconds: float) -> str:
    """A duration in seconds written as a unit string (accepted by every API entry)."""
    if seconds <= 0:
        raise ParameterError("duration", seconds, "a duration > 0 s")
    return f"{seconds!r} s"
