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
    batch_size = 32                        # points per brian2 network

    [params]                               # optional: model parameters of this run (they win over the protocol's)
    "dorsal_horn.opioid.tolerance_half_time" = "13.2 days"

    [protocol]                             # or protocol = "tens_conventional" under [experiment]
    base = "tens_conventional"
    days = [0, 1, 2, 3, 4]
    session_duration = "20 min"

The result holds, per patient and test day, the tolerance state, the receptor efficacy,
the acute PN reduction with and without naloxone and its opioid (naloxone-sensitive) part
(:func:`painsim.tolerance.tolerance_course`), and ``relative_effect``: each day's effect over
the first test day's, per patient (the measure of repeated-use studies; Chandran & Sluka 2003
Pain 102:195; ``painsim run`` prints the ratio of the patients' mean effects, the measure of the
validation target ``tens_tolerance_day5``), and ``efficacy_course``, the efficacy between test days
in closed form.  The number of patients is the file's ``n_patients`` (``--n-patients`` overrides it, ``--seed`` moves the first).
The model and its tolerance parameters are documented in :mod:`painsim.tolerance`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import xarray as xr

from ..checks import flag, known_keys, known_tables, number, simulated_duration, whole
from ..circuits import projection_endpoints
from ..errors import ParameterError
from ..fibers.encoding import MAX_TEMPERATURE, SKIN_BASELINE
from ..course import file_protocol
from ..course.files import file_model
from ..course.settings import rated_test_window
from ..params import load_model
from ..params.reading import beside_experiment
from ..protocols import Protocol, checked_test_days
from ..rng import checked_seed, checked_seed_block
from ..simulation import body_site
from ..tolerance import DAY, OPIOID_PROJECTION, tolerance_at, tolerance_course, tolerance_params
from ..units import to_si

__all__ = ["TOLERANCE_KEYS", "TOLERANCE_TABLES", "check_tolerance", "run_tolerance"]

#: Keys of the ``[experiment]`` table of a tolerance file.
TOLERANCE_KEYS = ("name", "kind", "description", "model", "protocol", "n_patients", "seed", "test_days",
                  "test_site", "test_temperature", "test_duration", "batch_size", "figure")
#: Tables a tolerance file may hold (``_path``: added by :func:`painsim.files.load_experiment`).
TOLERANCE_TABLES = ("experiment", "protocol", "params")
_DEFAULTS = {"n_patients": 4, "seed": 1, "test_site": 0, "test_temperature": 47.0, "test_duration": "1.5 s",
             "batch_size": 32}
#: Shortest test window (s; chosen: C-fibre spikes of the heat test arrive up to ~0.3 s late, the
#: readout's transient, and the rest of the window is what is rated).
_SHORTEST_TEST = 0.5
#: Points of the efficacy curve's regular grid (chosen: smooth at figure scale; closed form, no simulation).
_GRID_POINTS = 601


def _config(exp: Mapping) -> dict:
    """The ``[experiment]`` table with defaults, its values checked (the model is not loaded)."""
    known_keys(exp, TOLERANCE_KEYS, "experiment key")
    c = {**_DEFAULTS, **exp}
    if not isinstance(c.get("model"), str):
        raise ParameterError("experiment.model", c.get("model"), "the name (or path) of a pathway model")
    for key in ("n_patients", "batch_size"):
        whole(c[key], f"experiment.{key}")
    first = checked_seed(c["seed"], "experiment.seed", allow_float=False)  # numpy seeds: whole numbers in [0, 2**32)
    checked_seed_block(first, c["n_patients"], "experiment.seed")  # patients: seeds seed .. seed + n_patients - 1
    checked_test_days(c.get("test_days"), "experiment.test_days")  # the calendar's check: check_tolerance
    number(c["test_temperature"], "experiment.test_temperature", SKIN_BASELINE, MAX_TEMPERATURE,
           allowed=f"a temperature in °C within {SKIN_BASELINE:g}-{MAX_TEMPERATURE:g} (the heat encoding's range)")
    if simulated_duration(c["test_duration"], "experiment.test_duration", hint="the acute test is one simulated "
                          "window; the days of treatment are the protocol's calendar") <= _SHORTEST_TEST:
        raise ParameterError("experiment.test_duration", c["test_duration"],
                             f"a test window > {_SHORTEST_TEST:g} s: C fibres arrive late (within readout.transient, "
                             "0.3 s in the built-in models), and what follows the transient is what is rated")
    return c


def check_tolerance(spec: Mapping, path: Path) -> None:
    """A ``kind = "tolerance"`` file: known tables, keys and values, a protocol with stimulation, a
    model whose projection neurons receive the PAG/RVM opioid (a pathway model), a test site of it.

    Parameters
    ----------
    spec : mapping
        The file, as :func:`painsim.files.load_experiment` returns it.
    path : pathlib.Path
        The file, named in messages.

    Raises
    ------
    painsim.errors.UnknownKeyError, painsim.errors.ParameterError, painsim.errors.ModelFileError
        An unknown table, key or name; a value out of range or with the wrong unit (a
        :class:`painsim.errors.ParameterError` subclass: ``UnitError``, ``CalendarError``); a
        protocol given both ways or neither, or a bad model file; a protocol override
        (``[protocol.plasticity]``) the model does not have or with a bad value, or one of a
        ``plasticity.*`` path (there or in ``[params]``), which a tolerance experiment never reads; a
        test day inside a session (a test is taken before that day's session); a ``test_duration`` not longer
        than the model's ``readout.transient`` (:func:`painsim.course.settings.rated_test_window`).
    """
    known_tables(spec, TOLERANCE_TABLES, "table of a tolerance experiment")
    c = _config(spec["experiment"])
    protocol = file_protocol(spec, path)
    if protocol.is_sham:
        raise ParameterError("protocol", protocol.name, "a protocol with stimulation (a sham binds no opioid: "
                                                        "there is no tolerance to measure)")
    table = spec.get("protocol")
    _unread_plasticity(table.get("plasticity") if isinstance(table, Mapping) else None, "protocol.plasticity",
                       "a device override (e.g. afferents.recruitment)")
    _unread_plasticity(spec.get("params"), "params",
                       "a model path a tolerance experiment reads (e.g. dorsal_horn.opioid.tolerance_half_time)")
    checked_test_days(c["test_days"], "experiment.test_days", protocol.calendar)  # tested before a day's session
    # the model (a path from the file's folder first) with [params]; the protocol's overrides checked on it
    model = file_model(spec, path, protocol, c["model"])
    if OPIOID_PROJECTION not in projection_endpoints(model):
        raise ParameterError("experiment.model", c["model"], "a pathway model (e.g. 'healthy'): the opioid that "
                             "becomes tolerated is released by its PAG/RVM neurons",
                             hint=f"this model's network.layers is {model.text('network.layers')!r}")
    tolerance_params(model)
    body_site(model, c["test_site"], "experiment.test_site")
    rated_test_window(model, to_si(c["test_duration"], "s", "experiment.test_duration"), "experiment.test_duration",
                      c["test_duration"])  # the model's own transient (a model may read later than 0.5 s)


def _unread_plasticity(table, where: str, allowed: str) -> None:
    """Refuse a ``plasticity.*`` path of ``table`` (the ``[params]`` table, or a ``[protocol]``
    table's ``plasticity`` overrides), named ``<where>.<path>``: a tolerance experiment runs no
    plasticity rule (:mod:`painsim.tolerance` reads only the protocol's device overrides), so the
    value would be accepted and never used."""
    for key, value in (table.items() if isinstance(table, Mapping) else ()):
        if str(key).startswith("plasticity."):
            raise ParameterError(f"{where}.{key}", value, f"{allowed}: a tolerance experiment runs no "
                                 "plasticity rule, so a plasticity.* value would be unused")


def run_tolerance(spec: Mapping[str, Any], seed: int | None = None, n_patients: int | None = None,
                  progress: bool = False) -> xr.Dataset:
    """Run a checked ``kind = "tolerance"`` file (``progress``: say what is simulated before it starts).

    Parameters
    ----------
    spec : dict
        The file, as :func:`painsim.files.load_experiment` returns it.
    seed : int, optional
        The first patient's seed (default: the file's ``seed``).
    n_patients : int, optional
        Patients (default: the file's ``n_patients``).
    progress : bool
        Print one line on what is simulated before the course starts.

    Returns
    -------
    xarray.Dataset
        :func:`painsim.tolerance.tolerance_course` over (``seed``, ``day``), plus
        ``relative_effect`` (each day's acute effect over that of the first test day, per
        patient; nan where the first day's effect is not > 0), ``efficacy_course`` over
        (``seed``, ``course_day``: the efficacy between test days, in closed form, with a point at
        each test day and at the start and end of every session) and the file in the attribute
        ``experiment_spec``.

    Raises
    ------
    painsim.errors.ParameterError
        A ``seed`` that is not a whole number >= 0 and < 2**32, or whose patients' seeds ``seed`` ..
        ``seed + n_patients - 1`` reach 2**32 (``seed``; the file's: ``experiment.seed``), ``n_patients`` < 1 or a bad value of the file (:func:`check_tolerance`),
        before any simulation.
    """
    exp = spec["experiment"]
    c = _config(exp)
    first = checked_seed(c["seed"] if seed is None else seed, "experiment.seed" if seed is None else "seed",
                         allow_float=False)  # 1.7 is no seed (it was truncated to 1)
    n = c["n_patients"] if n_patients is None else whole(n_patients, "n_patients")
    checked_seed_block(first, n, "experiment.seed" if seed is None else "seed")  # seeds first .. first + n - 1
    path = spec.get("_path", "")
    protocol = file_protocol(spec, path)  # the user's [params] and --set win over its overrides
    model = load_model(beside_experiment(c["model"], path), spec.get("params") or None)
    if flag(progress, "progress"):
        print(f"painsim: tolerance: {n} patient{'s' * (n != 1)} of {model.name!r}, {protocol.calendar.n_sessions} "
              f"sessions of {protocol.name!r}, heat tests on days {', '.join(f'{d:g}' for d in c['test_days'])} "
              "(the sessions, then every test, in batches)", flush=True)
    ds = tolerance_course(model, protocol, list(range(first, first + n)), c["test_days"],
                          test_site=c["test_site"], celsius=float(c["test_temperature"]),
                          test_duration=c["test_duration"], batch_size=c["batch_size"])
    ds = ds.merge(_efficacy_course(ds, protocol))
    base = ds["effect"].isel(day=0)
    ds["relative_effect"] = (ds["effect"] / base.where(base > 0)).assign_attrs(
        units="1", long_name="acute PN reduction over that of the first test day (per patient)")
    ds.attrs.update(experiment=exp.get("name", "tolerance"), description=exp.get("description", ""),
                    kind="tolerance", model_name=model.name,
                    protocol_spec=json.dumps(protocol.describe(), default=str),
                    experiment_spec=json.dumps({k: v for k, v in spec.items() if k != "_path"}, default=str))
    return ds


def _efficacy_course(ds: xr.Dataset, protocol: Protocol) -> xr.Dataset:
    """The receptor efficacy of each patient from day 0 to the last test day (or the day after the
    last session): a regular grid, the test days, and the start and end of every session."""
    k, tau = float(ds.attrs["tolerance_rate_hz"]), float(ds.attrs["tolerance_tau_s"])
    cal = protocol.calendar
    end = max(float(ds.day.max()), float(cal.days[-1]) + 1.0)
    edges = [t for d in cal.days if d <= end for t in (d, d + cal.session_duration / DAY)]
    grid = np.unique(np.concatenate([np.linspace(0.0, end, _GRID_POINTS), edges, ds.day.values]))
    T = tolerance_at(grid, ds["excess_occupancy"].values, cal, k, tau)
    return xr.Dataset({"efficacy_course": (("seed", "course_day"), 1.0 - T,
                                           {"units": "1", "long_name": "mu-receptor efficacy 1 - T over the course"})},
                      coords={"seed": ds.seed.values, "course_day": grid})
