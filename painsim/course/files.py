"""Course experiment files (``[experiment] kind = "course"``): an active arm and its sham."""
from __future__ import annotations

import json
from typing import Any, Mapping

import xarray as xr

from ..checks import flag, known_keys, known_tables, whole
from ..errors import ModelFileError, ParameterError
from ..params import find_builtin, load_model, read_toml
from ..protocols import Protocol, from_spec, resolve
from .engine import run_course_batch
from .results import checked_days

__all__ = ["COURSE_KEYS", "COURSE_TABLES", "run_course_file", "file_protocol", "check_course_keys"]

#: The keys of a course file's ``[experiment]`` table.
COURSE_KEYS = ("name", "kind", "description", "model", "protocol", "seed", "n_patients", "follow_up_days",
               "thresholds", "days", "sham", "opioid_tolerance")
#: The tables a course file may have.
COURSE_TABLES = ("experiment", "protocol", "params")


def run_course_file(path_or_name, seed: int | None = None, progress: bool = False,
                    n_patients: int | None = None) -> xr.Dataset:
    """Run a course experiment file (``[experiment] kind = "course"``).

    File layout::

        [experiment]
        name = "mpns_course"
        kind = "course"
        model = "neuropathic"          # a built-in name or a path
        protocol = "mpns"              # a library name, or a [protocol] table (protocols.from_spec)
        seed = 1
        n_patients = 1                 # seeds seed, seed+1, ...
        follow_up_days = [30, 90]
        thresholds = [0.3, 0.5]
        days = [...]                   # optional extra test days
        sham = true                    # also run the sham arm
        opioid_tolerance = false       # analgesic opioid tolerance over the sessions (run_course)
        [params]                       # dotted model overrides

    ``seed`` and ``n_patients``, when given, override the file's (patients are seeds ``seed``,
    ``seed + 1``, ...).

    Parameters
    ----------
    path_or_name : str or Path
        A built-in experiment name or the path of a TOML file.
    seed : int, optional
        Seed of the first patient (default: the file's).
    progress : bool
        Print each arm before it runs; passed on to :func:`run_course_batch`.
    n_patients : int, optional
        Number of patients (default: the file's, else 1).

    Returns
    -------
    xarray.Dataset
        :func:`run_course_batch` results along a new ``arm`` dimension
        (``"active"``, and ``"sham"`` when requested).

    Raises
    ------
    painsim.errors.ModelFileError
        No such file, invalid TOML, not ``kind = "course"``, or no (or two) protocols.
    painsim.errors.PathError
        ``path_or_name`` is a folder.
    painsim.errors.UnknownKeyError, painsim.errors.ParameterError
        A misspelt table or key, or a bad value (:func:`check_course_keys`); a ``seed`` that is
        not a whole number >= 0, an ``n_patients`` < 1 or a ``progress`` that is not true/false.
    """
    path = find_builtin(path_or_name, "experiments")
    spec = read_toml(path)
    exp = spec.get("experiment", {})
    if exp.get("kind") != "course":
        raise ModelFileError(f"{path}: not a course experiment (kind = \"course\" under [experiment])")
    check_course_keys(spec)
    protocol = file_protocol(spec, path)
    flag(progress, "progress")
    s = whole(exp.get("seed", 0) if seed is None else seed, "experiment.seed" if seed is None else "seed", 0)
    n = whole(exp.get("n_patients", 1) if n_patients is None else n_patients, "n_patients")
    model = load_model(exp.get("model", "gate_control"), spec.get("params") or None)
    kw = dict(follow_up_days=exp.get("follow_up_days", (30, 90)), thresholds=exp.get("thresholds", (0.3, 0.5)),
              days=exp.get("days"), progress=progress, opioid_tolerance=exp.get("opioid_tolerance", False))
    arms = {"active": protocol}
    if exp.get("sham", False):
        arms["sham"] = protocol.as_sham()
    outs, provenance = [], {}
    for label, prot in arms.items():
        if progress:
            print(f"painsim: {label} arm: {prot!r}", flush=True)
        ds = run_course_batch([model] * n, prot, list(range(s, s + n)), **kw)
        provenance = provenance or dict(ds.attrs)   # the active arm's (plastic connections, version, ...)
        outs.append(ds.drop_attrs(deep=False))      # arms differ in their protocol attrs; labels stay
    out = xr.concat(outs, dim="arm", coords="minimal", compat="override")
    out = out.assign_coords(arm=list(arms))
    out.attrs.update(provenance)
    out.attrs.update(name=exp.get("name", path.stem), source=str(path), protocol=protocol.name,
                     protocol_spec=json.dumps(protocol.describe(), default=str), model_name=model.name,
                     description=exp.get("description", ""))
    return out


def check_course_keys(spec: Mapping[str, Any]) -> None:
    """Refuse a misspelt table of a course file or key of its ``[experiment]`` table
    (:class:`painsim.errors.UnknownKeyError`, naming the nearest valid one), and values of
    the wrong kind (:class:`painsim.errors.ParameterError`: ``sham`` and ``opioid_tolerance``
    not true/false, ``seed`` not a whole number >= 0, ``n_patients`` not >= 1, the day and
    threshold lists not lists of numbers, a day negative or not finite, a threshold outside
    (0, 1]), before any simulation.

    Parameters
    ----------
    spec : mapping
        The parsed course file.

    Raises
    ------
    painsim.errors.UnknownKeyError
        A misspelt table or ``[experiment]`` key.
    painsim.errors.ParameterError
        A value of the wrong kind or out of its range.
    """
    known_tables(spec, COURSE_TABLES, "table of a course file")
    exp = spec.get("experiment", {})
    known_keys(exp, COURSE_KEYS, "key of [experiment] in a course file")
    for key in ("sham", "opioid_tolerance"):
        flag(exp.get(key, False), f"experiment.{key}")
    whole(exp.get("seed", 0), "experiment.seed", 0)
    whole(exp.get("n_patients", 1), "experiment.n_patients")
    for key, allowed in (("follow_up_days", "days >= 0"), ("days", "days >= 0"),
                         ("thresholds", "fractions of relief in (0, 1]")):
        values = exp.get(key, [])
        if not isinstance(values, list) or any(isinstance(v, bool) or not isinstance(v, (int, float))
                                               for v in values):
            raise ParameterError(f"experiment.{key}", values, f"a list of numbers ({allowed})")
    checked_days(exp.get("follow_up_days"), exp.get("thresholds"), exp.get("days"), prefix="experiment.")


def file_protocol(spec: Mapping[str, Any], path="") -> Protocol:
    """The protocol of an experiment file (course, cohort, tolerance): a ``[protocol]`` table
    (:func:`painsim.protocols.from_spec`), else ``protocol = "name"`` under ``[experiment]``
    (:func:`painsim.protocols.get`); not both.

    Parameters
    ----------
    spec : mapping
        The parsed experiment file.
    path : str or Path
        The file, named in messages.

    Returns
    -------
    painsim.protocols.Protocol

    Raises
    ------
    painsim.errors.ModelFileError
        Neither or both given.
    painsim.errors.ParameterError
        A ``protocol`` that is not a table at the top level.
    painsim.errors.UnknownKeyError, painsim.errors.CalendarError
        A protocol that :func:`painsim.protocols.resolve` refuses.
    """
    exp = spec.get("experiment", {})
    if "protocol" in spec and "protocol" in exp:
        raise ModelFileError(f"{path}: a protocol under [experiment] and a [protocol] table: give one")
    if "protocol" in spec:
        if not isinstance(spec["protocol"], Mapping):
            raise ParameterError("protocol", spec["protocol"], "a [protocol] table (painsim.protocols.from_spec)")
        return from_spec(spec["protocol"], "protocol")
    if "protocol" in exp:
        return resolve(exp["protocol"], "experiment.protocol")
    raise ModelFileError(f"{path}: no protocol (protocol = \"name\" under [experiment], or a [protocol] table)")
