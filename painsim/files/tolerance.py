"""Experiment files of ``kind = "tolerance"``: analgesic tolerance to a repeated therapy.

A file names a pathway model, a protocol (its calendar of sessions and its stimulation)
and the days on which the acute effect is tested; :func:`run_tolerance` runs
:func:`painsim.tolerance.tolerance_course` on its virtual patients (seeds ``seed`` ..
``seed + n_patients - 1``)::

    [experiment]
    name = "tens_tolerance"
    kind = "tolerance"
    model = "healthy"
    n_patients = 4
    seed = 1
    test_days = [0, 1, 2, 3, 4, 11, 30]   # before that day's session; after the last: recovery
    test_site = 0                          # where the device stimulates during the test
    test_temperature = 47.0                # °C at the painful site
    test_duration = "1.5 s"

    [protocol]                             # or protocol = "tens_conventional" under [experiment]
    base = "tens_conventional"
    days = [0, 1, 2, 3, 4]
    session_duration = "20 min"

The result holds, per patient and test day, the tolerance state, the receptor efficacy,
the acute PN reduction with and without naloxone and its opioid (naloxone-sensitive) part
(:func:`painsim.tolerance.tolerance_course`), and ``relative_effect``: each day's effect over
the first test day's (the measure of repeated-use studies; Chandran & Sluka 2003 Pain
102:195).  The model and its tolerance parameters are documented in :mod:`painsim.tolerance`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import xarray as xr

from ..checks import known_keys
from ..errors import ModelFileError, ParameterError
from ..params import load_model
from ..protocols import Protocol, resolve
from ..circuits.layers import STACKS
from ..tolerance import DAY, tolerance_at, tolerance_course, tolerance_params
from ..units import to_si

__all__ = ["TOLERANCE_KEYS", "check_tolerance", "tolerance_protocol", "run_tolerance"]

#: Keys of the ``[experiment]`` table of a tolerance file.
TOLERANCE_KEYS = ("name", "kind", "description", "model", "protocol", "n_patients", "seed", "test_days",
                  "test_site", "test_temperature", "test_duration", "batch_size", "figure")
_DEFAULTS = {"n_patients": 4, "seed": 1, "test_site": 0, "test_temperature": 47.0, "test_duration": "1.5 s",
             "batch_size": 16}


def _whole(value, key: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ParameterError(f"experiment.{key}", value, f"a whole number >= {low}")
    return value


def _config(exp: Mapping) -> dict:
    """The ``[experiment]`` table with defaults, its values checked (the model is not loaded)."""
    known_keys(exp, TOLERANCE_KEYS, "experiment key")
    c = {**_DEFAULTS, **exp}
    if not isinstance(c.get("model"), str):
        raise ParameterError("experiment.model", c.get("model"), "the name (or path) of a pathway model")
    _whole(c["n_patients"], "n_patients", 1)
    _whole(c["seed"], "seed", 0)
    _whole(c["batch_size"], "batch_size", 1)
    days = c.get("test_days")
    if (not isinstance(days, list) or not days
            or not all(isinstance(d, (int, float)) and not isinstance(d, bool) and d >= 0 for d in days)
            or any(b <= a for a, b in zip(days, days[1:]))):
        raise ParameterError("experiment.test_days", days, "a non-empty increasing list of days >= 0 "
                                                           "(day 0 = the first session)")
    t = c["test_temperature"]
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        raise ParameterError("experiment.test_temperature", t, "a temperature in °C (e.g. 47.0)")
    if to_si(c["test_duration"], "s", "experiment.test_duration") <= 0.5:
        raise ParameterError("experiment.test_duration", c["test_duration"],
                             "a test window > 0.5 s (C fibres arrive late)")
    return c


def tolerance_protocol(spec: Mapping[str, Any], path: Path | str = "") -> Protocol:
    """The protocol of a tolerance file: ``protocol = "name"`` under ``[experiment]`` or a
    ``[protocol]`` table (:func:`painsim.protocols.from_spec`), not both.

    Raises
    ------
    painsim.errors.ModelFileError
        Neither or both given.
    painsim.errors.UnknownKeyError, painsim.errors.ParameterError, painsim.errors.CalendarError
        A bad protocol.
    """
    exp = spec["experiment"]
    if "protocol" in spec and "protocol" in exp:
        raise ModelFileError(f"{path}: a protocol under [experiment] and a [protocol] table: give one")
    if "protocol" in spec:
        return resolve(spec["protocol"])
    if "protocol" in exp:
        return resolve(exp["protocol"], "experiment.protocol")
    raise ModelFileError(f"{path}: no protocol (protocol = \"name\" under [experiment], or a [protocol] table)")


def check_tolerance(spec: Mapping, path: Path) -> None:
    """A ``kind = "tolerance"`` file: known keys and values, a protocol with stimulation, a model
    with opioid receptors that can become tolerant.

    Raises
    ------
    painsim.errors.UnknownKeyError, painsim.errors.ParameterError, painsim.errors.ModelFileError
    """
    c = _config(spec["experiment"])
    protocol = tolerance_protocol(spec, path)
    if protocol.is_sham:
        raise ParameterError("protocol", protocol.name, "a protocol with stimulation (a sham binds no opioid: "
                                                        "there is no tolerance to measure)")
    model = load_model(c["model"], spec.get("params") or None)
    layers = model.text("network.layers")
    if "cortex" not in STACKS.get(layers, ()):
        raise ParameterError("experiment.model", c["model"], "a pathway model (network.layers with the PAG/RVM, "
                             "e.g. 'healthy'): the opioid that becomes tolerated is released from there",
                             hint=f"this model's network.layers is {layers!r}")
    tolerance_params(model)
    sites = int(model.si("body.n_sites"))
    if isinstance(c["test_site"], bool) or not isinstance(c["test_site"], int) or not 0 <= c["test_site"] < sites:
        raise ParameterError("experiment.test_site", c["test_site"], f"a body site of model {c['model']!r} "
                                                                     f"(0-{sites - 1})")


def run_tolerance(spec: Mapping[str, Any], seed: int | None = None) -> xr.Dataset:
    """Run a checked ``kind = "tolerance"`` file.

    Parameters
    ----------
    spec : dict
        The file, as :func:`painsim.files.load_experiment` returns it.
    seed : int, optional
        The first patient's seed (default: the file's ``seed``).

    Returns
    -------
    xarray.Dataset
        :func:`painsim.tolerance.tolerance_course` over (``seed``, ``day``), plus
        ``relative_effect`` (each day's acute effect over that of the first test day, per
        patient; nan where the first day's effect is not > 0), ``efficacy_course`` over
        (``seed``, ``course_day``: the efficacy between test days, in closed form, with a point at
        the start and end of every session) and the file in the attribute ``experiment_spec``.
    """
    exp = spec["experiment"]
    c = _config(exp)
    first = int(c["seed"] if seed is None else seed)
    model = load_model(c["model"], spec.get("params") or None)
    protocol = tolerance_protocol(spec, spec.get("_path", ""))
    ds = tolerance_course(model, protocol, list(range(first, first + c["n_patients"])), c["test_days"],
                          test_site=c["test_site"], celsius=float(c["test_temperature"]),
                          test_duration=c["test_duration"], batch_size=c["batch_size"])
    ds = ds.merge(_efficacy_course(ds, protocol))
    base = ds["effect"].isel(day=0)
    ds["relative_effect"] = (ds["effect"] / base.where(base > 0)).assign_attrs(
        units="1", long_name="acute PN reduction over that of the first test day")
    ds.attrs.update(name=exp.get("name", "tolerance"), model_name=model.name,
                    protocol_spec=json.dumps(protocol.describe(), default=str),
                    experiment_spec=json.dumps({k: v for k, v in spec.items() if k != "_path"}, default=str))
    return ds


def _efficacy_course(ds: xr.Dataset, protocol: Protocol, n_grid: int = 601) -> xr.Dataset:
    """The receptor efficacy of each patient from day 0 to the last test day (or the day after the
    last session), on a regular grid plus the start and end of every session."""
    k, tau = float(ds.attrs["tolerance_rate_hz"]), float(ds.attrs["tolerance_tau_s"])
    cal = protocol.calendar
    end = max(float(ds.day.max()), float(cal.days[-1]) + 1.0)
    edges = [t for d in cal.days if d <= end for t in (d, d + cal.session_duration / DAY)]
    grid = np.unique(np.concatenate([np.linspace(0.0, end, n_grid), edges]))
    T = tolerance_at(grid, ds["excess_occupancy"].values, cal, k, tau)
    return xr.Dataset({"efficacy_course": (("seed", "course_day"), 1.0 - T,
                                           {"units": "1", "long_name": "mu-receptor efficacy 1 - T over the course"})},
                      coords={"seed": ds.seed.values, "course_day": grid})
