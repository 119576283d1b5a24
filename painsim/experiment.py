"""Experiment files: named conditions run through one model, in one batch.

An experiment file (TOML) names a model, a duration, a seed and a list of
conditions; each condition may name its own model (``model = ...``),
override model parameters, and give a stimulus waveform and natural stimuli
(at the painful site, or at body site ``site = k`` of a topographic model)::

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

A file with ``kind = "conditioning"`` under ``[experiment]`` instead holds
``[[protocol]]`` tables (conditioning stimulus and ``replay``), a ``[test]``
table and ``[params]``; it runs a test window before and after each
conditioning protocol with plastic synapses
(:func:`painsim.plasticity.run_conditioning_experiment`), e.g.
``experiments/spinal_ltp_ltd.toml``.

Files with ``kind = "course"`` (a treatment course, :func:`painsim.course.run_course_file`)
and ``kind = "cohort"`` (a virtual cohort, :func:`painsim.cohort.run_cohort_file`,
e.g. ``experiments/rtms_cohort.toml``) are checked by their own loaders and run
through the same :func:`run_experiment` and ``painsim run FILE``.
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
_CONDITION_KEYS = {"label", "model", "params", "stimulus", "noxious", "touch", "site", "seed"}
_KINDS = {"conditions", "conditioning", "course", "cohort"}
_CONDITIONING_TABLES = {"experiment", "params", "test", "protocol"}
_TEST_KEYS = {"noxious"}
_PROTOCOL_KEYS = {"label", "stimulus", "replay"}


def load_experiment(path_or_name: str | Path) -> dict:
    """Read and check an experiment file (built-in name or path).

    Two kinds: the default (``[[condition]]`` tables, see the module
    docstring) and ``kind = "conditioning"`` (``[params]``, ``[test]`` and
    ``[[protocol]]`` tables; see
    :func:`painsim.plasticity.run_conditioning_experiment`).

    Returns
    -------
    dict
        The parsed file, with ``"_path"`` added.

    Raises
    ------
    painsim.errors.ModelFileError
        Missing ``[experiment]``, ``[[condition]]`` or ``[[protocol]]`` tables.
    painsim.errors.UnknownKeyError
        A misspelt key (the message names the nearest valid one).
    painsim.errors.ParameterError
        A bad value (kind, replay, stimulus, duplicate labels).
    """
    path = find_builtin(path_or_name, "experiments")
    spec = read_toml(path)
    exp = spec.get("experiment")
    if not isinstance(exp, Mapping):
        raise ModelFileError(f"{path}: missing [experiment] table")
    kind = exp.get("kind", "conditions")
    if kind not in _KINDS:
        raise ParameterError("experiment.kind", kind, f"one of {sorted(_KINDS)} (default 'conditions')")
    if kind == "cohort":  # checked by its own loader (keys, preset, distributions, protocol, model)
        from .cohort import load_cohort_spec
        load_cohort_spec(path)
        spec["_path"] = str(path)
        return spec
    if kind == "course":  # read by painsim.course.run_course_file; check its protocol here
        from .protocols import from_spec as protocol_from_spec, get as get_protocol
        if isinstance(spec.get("protocol"), Mapping):
            protocol_from_spec(spec["protocol"])
        elif "protocol" in exp:
            get_protocol(exp["protocol"])
        else:
            raise ModelFileError(f"{path}: no protocol (protocol = \"name\" under [experiment], "
                                 f"or a [protocol] table)")
        spec["_path"] = str(path)
        return spec
    for k in exp:
        if k not in _EXPERIMENT_KEYS:
            raise UnknownKeyError(k, _EXPERIMENT_KEYS, what="experiment key")
    if kind == "conditioning":
        _check_conditioning(spec, path)
        spec["_path"] = str(path)
        return spec
    conds = spec.get("condition", [])
    if not conds:
        raise ModelFileError(f"{path}: no [[condition]] tables")
    for c in conds:
        for k in c:
            if k not in _CONDITION_KEYS:
                raise UnknownKeyError(k, _CONDITION_KEYS, what="condition key")
    spec["_path"] = str(path)
    return spec


def _check_conditioning(spec: Mapping, path) -> None:
    """Structure of a ``kind = "conditioning"`` file (values are checked where used)."""
    for k in spec:
        if k not in _CONDITIONING_TABLES:
            raise UnknownKeyError(k, _CONDITIONING_TABLES, what="table of a conditioning experiment")
    params = spec.get("params", {})
    if not isinstance(params, Mapping):
        raise ParameterError("params", params, "a table of dotted model paths, e.g. [params]")
    test = spec.get("test", {})
    if not isinstance(test, Mapping):
        raise ParameterError("test", test, "a table, e.g. [test] noxious = 0.6")
    for k in test:
        if k not in _TEST_KEYS:
            raise UnknownKeyError(k, _TEST_KEYS, what="key of [test]")
    protos = spec.get("protocol", [])
    if not isinstance(protos, list) or not protos:
        raise ModelFileError(f"{path}: no [[protocol]] tables (a conditioning experiment needs at least one, "
                             f"with label, stimulus and replay)")
    labels = []
    for n, p in enumerate(protos):
        for k in p:
            if k not in _PROTOCOL_KEYS:
                raise UnknownKeyError(k, _PROTOCOL_KEYS, what="protocol key")
        if not isinstance(p.get("stimulus"), Mapping):
            raise ParameterError(f"protocol[{n}].stimulus", p.get("stimulus"),
                                 "a stimulus table, e.g. {type = \"tonic\", rate = \"100 Hz\", ...}")
        r = p.get("replay", 1)
        if isinstance(r, bool) or not isinstance(r, int) or r < 1:
            raise ParameterError(f"protocol[{n}].replay", r, "a whole number >= 1")
        labels.append(p.get("label", f"protocol {n}"))
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise ParameterError("protocol.label", dup[0], "labels that differ between protocols")


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
    progress : bool
        Print progress (course and cohort files).

    Returns
    -------
    xarray.Dataset
        Over ``condition``; for a ``kind = "conditioning"`` file, the summary
        over ``protocol`` of :func:`painsim.plasticity.run_conditioning_experiment`
        (pain and PN rate before/after, efficacy change per plastic connection);
        for ``kind = "course"`` the arms of :func:`painsim.course.run_course_file`; for
        ``kind = "cohort"`` the patient table and statistics of
        :func:`painsim.cohort.run_cohort_file`.
    """
    if not isinstance(spec, Mapping):
        spec = load_experiment(spec)
    exp = spec["experiment"]
    if exp.get("kind") == "cohort":
        from .cohort import run_cohort_file
        return run_cohort_file(spec["_path"], seed=seed, progress=progress)
    if exp.get("kind") == "course":
        from .course import run_course_file
        return run_course_file(spec["_path"], seed=seed, progress=progress)
    if exp.get("kind") == "conditioning":
        from .plasticity import run_conditioning_experiment
        return run_conditioning_experiment(spec, seed=seed)[0]
    base = load_model(exp.get("model", "gate_control"))
    duration = to_si(exp.get("duration", "2 s"), "s", "experiment.duration")
    seed = int(exp.get("seed", 0) if seed is None else seed)
    requests, labels = [], []
    models = {}
    for k, c in enumerate(spec["condition"]):
        label = c.get("label", f"condition {k}")
        name = c.get("model", exp.get("model", "gate_control"))
        if name not in models:
            models[name] = base if name == exp.get("model", "gate_control") else load_model(name)
        model = models[name].with_params(c.get("params", {}))
        stim = from_spec(c["stimulus"]) if "stimulus" in c else None
        nox, touch = c.get("noxious", 0.0), c.get("touch", 0.0)
        if "site" in c:  # natural stimuli at one body site (topographic models)
            site = c["site"]
            if isinstance(site, bool) or not isinstance(site, int):
                raise ParameterError(f"condition[{k}].site", site, "a body-site index (whole number)")
            nox, touch = {site: nox}, {site: touch}
        requests.append(Request(model, stim, nox, touch, int(c.get("seed", seed)), label=label))
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
