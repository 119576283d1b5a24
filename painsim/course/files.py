"""Course experiment files (``[experiment] kind = "course"``): an active arm and its sham."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

import xarray as xr

from ..checks import flag, known_keys, known_tables, whole
from ..errors import ModelFileError, ParameterError
from ..params import Model, find_builtin, load_model, model_overrides, read_toml
from ..params.reading import beside_experiment, yielding_to
from ..plasticity import plastic_connections
from ..protocols import Protocol, from_spec, resolve
from ..rng import checked_seed, checked_seed_block
from .engine import run_course_batch
from .results import checked_days
from .session import check_stimulus_received

__all__ = ["COURSE_KEYS", "COURSE_TABLES", "run_course_file", "file_protocol", "check_course_keys", "course_arms",
           "file_model", "users_win"]

#: The keys of a course file's ``[experiment]`` table.
COURSE_KEYS = ("name", "kind", "description", "model", "protocol", "seed", "n_patients", "follow_up_days",
               "thresholds", "days", "sham", "opioid_tolerance")
#: The tables a course file may have.
COURSE_TABLES = ("experiment", "protocol", "params")


def run_course_file(path_or_spec, seed: int | None = None, progress: bool = False,
                    n_patients: int | None = None) -> xr.Dataset:
    """Run a course experiment file (``[experiment] kind = "course"``).

    File layout::

        [experiment]
        name = "mpns_course"
        kind = "course"
        model = "neuropathic"          # a built-in name, or a path (from the file's folder first)
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
    ``seed + 1``, ...).  A value ``[params]`` (or ``painsim --set``) gives wins over the
    protocol's own override of that path (:func:`file_protocol`).

    Parameters
    ----------
    path_or_spec : str, Path or mapping
        A built-in experiment name, the path of a TOML file, or the file as a dict (from
        :func:`painsim.files.load_experiment`, or built in code; its ``"_path"``, if any, is
        the file it came from).
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
        (``"active"``, and ``"sham"`` when requested).  The attributes ``protocol``,
        ``protocol_spec`` and ``sham`` (0) are the active arm's; with a sham arm,
        ``sham_protocol`` and ``sham_protocol_spec`` are the sham arm's.

    Raises
    ------
    painsim.errors.ModelFileError
        No such file, invalid TOML, not ``kind = "course"``, or no (or two) protocols.
    painsim.errors.PathError
        ``path_or_name`` is a folder.
    painsim.errors.UnknownKeyError, painsim.errors.ParameterError
        A misspelt table or key, or a bad value (:func:`check_course_keys`); ``sham = true`` with a
        protocol that is a sham (:func:`course_arms`); a ``seed`` that is not a whole number >= 0 (or
        whose patients' seeds ``seed`` .. ``seed + n_patients - 1`` reach 2**32), an ``n_patients`` < 1 or a ``progress`` that is not true/false.
    """
    if isinstance(path_or_spec, Mapping):  # a dict: loaded by load_experiment, or built in code
        spec, path = path_or_spec, Path(path_or_spec.get("_path", "<experiment dict>"))
    else:
        path = find_builtin(path_or_spec, "experiments")
        spec = read_toml(path)
    exp = spec.get("experiment")
    if not isinstance(exp, Mapping) or exp.get("kind") != "course":
        raise ModelFileError(f"{path}: not a course experiment (kind = \"course\" under [experiment])")
    check_course_keys(spec)
    protocol = file_protocol(spec, path)
    arms = course_arms(exp, protocol)
    flag(progress, "progress")
    s = checked_seed(exp.get("seed", 0) if seed is None else seed, "experiment.seed" if seed is None else "seed",
                     allow_float=False)
    n = whole(exp.get("n_patients", 1) if n_patients is None else n_patients, "n_patients")
    checked_seed_block(s, n, "experiment.seed" if seed is None else "seed")  # patients: seeds s .. s + n - 1
    model = file_model(spec, path, protocol)
    kw = dict(follow_up_days=exp.get("follow_up_days", (30, 90)), thresholds=exp.get("thresholds", (0.3, 0.5)),
              days=exp.get("days"), progress=progress, opioid_tolerance=exp.get("opioid_tolerance", False))
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
    out.attrs.update(name=exp.get("name", path.stem if path.is_file() else "course"), source=str(path),
                     protocol=protocol.name,
                     protocol_spec=json.dumps(protocol.describe(), default=str), model_name=model.name,
                     description=exp.get("description", ""))
    if "sham" in arms:  # the sham arm's own protocol beside the active arm's (the file-level attrs above)
        out.attrs.update(sham_protocol=arms["sham"].name,
                         sham_protocol_spec=json.dumps(arms["sham"].describe(), default=str))
    return out


def course_arms(exp: Mapping[str, Any], protocol: Protocol) -> dict:
    """The arms of a course file: ``{"active": protocol}``, and ``"sham"``: its sham when the
    ``[experiment]`` table asks for one (``sham = true``).

    Parameters
    ----------
    exp : mapping
        The file's ``[experiment]`` table (``sham`` checked by :func:`check_course_keys`).
    protocol : painsim.protocols.Protocol
        The file's protocol (:func:`file_protocol`).

    Returns
    -------
    dict
        Arm label -> protocol.

    Raises
    ------
    painsim.errors.ParameterError
        ``sham = true`` with a protocol that is already a sham (``[protocol] sham = true``,
        ``protocol = "lfs_1hz_sham"``): both arms would be the same sham, the first stored as "active".
    """
    if not exp.get("sham", False):
        return {"active": protocol}
    if protocol.is_sham:
        raise ParameterError("experiment.sham", True, f"false with the protocol {protocol.name!r}, which is a sham "
                             "itself (both arms would be the same sham, the first stored as 'active')",
                             hint="to compare a protocol with its sham, name the active protocol and sham = true")
    return {"active": protocol, "sham": protocol.as_sham()}


def check_course_keys(spec: Mapping[str, Any]) -> None:
    """Refuse a misspelt table of a course file or key of its ``[experiment]`` table
    (:class:`painsim.errors.UnknownKeyError`, naming the nearest valid one), and values of
    the wrong kind (:class:`painsim.errors.ParameterError`: ``sham`` and ``opioid_tolerance``
    not true/false, ``seed`` not a whole number >= 0 or with ``seed + n_patients - 1`` >= 2**32 (the
    patients' seeds), ``n_patients`` not >= 1, the day and
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
    first = checked_seed(exp.get("seed", 0), "experiment.seed", allow_float=False)
    checked_seed_block(first, whole(exp.get("n_patients", 1), "experiment.n_patients"), "experiment.seed")
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

    The user's explicit value wins: the protocol's own model overrides (``plasticity``) of the
    paths the file's ``[params]`` table or the overrides in force
    (:func:`painsim.params.model_overrides`: ``painsim --set``) give are left out, so the model
    runs with the user's value (the protocol's would replace it when the course starts); where
    the user sets a connection's rule, so are the protocol's other settings of that connection
    (:func:`painsim.params.reading.yielding_to`).

    Parameters
    ----------
    spec : mapping
        The parsed experiment file.
    path : str or Path
        The file, named in messages.

    Returns
    -------
    painsim.protocols.Protocol
        Its ``plasticity`` without the paths the user sets.

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
        protocol = from_spec(spec["protocol"], "protocol")
    elif "protocol" in exp:
        protocol = resolve(exp["protocol"], "experiment.protocol")
    else:
        raise ModelFileError(f"{path}: no protocol (protocol = \"name\" under [experiment], or a [protocol] table)")
    params = spec.get("params")
    return users_win(protocol, params if isinstance(params, Mapping) else ())


def users_win(protocol: Protocol, paths) -> Protocol:
    """The protocol without its model overrides (``plasticity``) of the paths the user sets: ``paths``
    (a file's ``[params]``, a sweep's fixed ``params`` and swept model parameters) and the overrides
    in force (:func:`painsim.params.model_overrides`: ``painsim --set``); where the user sets a
    connection's rule, without the protocol's other settings of that connection
    (:func:`painsim.params.reading.yielding_to`).  The course would otherwise replace the user's
    value with the protocol's when it starts (:func:`painsim.course.engine.new_patient`).

    Parameters
    ----------
    protocol : painsim.protocols.Protocol
    paths : iterable of str
        The dotted model paths the user sets, besides ``--set``.

    Returns
    -------
    painsim.protocols.Protocol
        ``protocol`` itself when it overrides none of them.
    """
    own = yielding_to(protocol.plasticity, [*paths, *model_overrides()])
    return protocol if own == protocol.plasticity else replace(protocol, plasticity=own)


def file_model(spec: Mapping[str, Any], path, protocol: Protocol, default: str = "gate_control") -> Model:
    """The model of an experiment file with a protocol (course, cohort, tolerance), checked against
    the protocol before any work: its ``model`` (a path from the file's folder first,
    :func:`painsim.params.reading.beside_experiment`) with its ``[params]``; the protocol's
    overrides must be paths and values of that model, and its stimulus must reach a layer of it
    (an rTMS course on a spinal model ran no session and wrote relief NaN).

    Parameters
    ----------
    spec : mapping
        The parsed experiment file.
    path : str or Path
        The file (its folder resolves a relative model path; named in messages).
    protocol : painsim.protocols.Protocol
        The file's protocol (:func:`file_protocol`).
    default : str
        The model of a file that names none.

    Returns
    -------
    painsim.params.Model
        The model with ``[params]`` (the protocol's overrides are applied when the course starts).

    Raises
    ------
    painsim.errors.ParameterError
        ``[params]`` not a table; a protocol stimulus no layer of the model receives
        (``experiment.model``, with the model to use).
    painsim.errors.UnknownKeyError, painsim.errors.ModelFileError, painsim.errors.UnitError
        A model, ``[params]`` path or protocol override the model does not have, or a bad value.
    """
    exp, params = spec.get("experiment", {}), spec.get("params", {})
    if not isinstance(params, Mapping):
        raise ParameterError("params", params, "a table of dotted model paths, e.g. [params]")
    name = exp.get("model", default)
    model = load_model(beside_experiment(name, path), params or None)
    # a misspelt path or bad value of the protocol's overrides, or a preset its rule does not have
    plastic_connections(model.with_params(protocol.plasticity))
    check_stimulus_received(model, protocol, "experiment.model", name)
    return model
