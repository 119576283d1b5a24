"""Cohort experiment files (``[experiment] kind = "cohort"``): reading and
checking one (:func:`load_cohort_spec`), running it (:func:`run_cohort_file`),
and the result as a labelled Dataset (:func:`to_dataset`, :func:`from_dataset`)."""
from __future__ import annotations

import json
import math
import time
from typing import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from ..checks import file_name, flag, known_keys, known_tables, whole
from ..circuits import codegen_target
from ..errors import ModelFileError, ParameterError, UnknownKeyError
from ..params import find_builtin, read_toml
from ..protocols import outside_sessions
from ..course import file_protocol
from ..course.files import file_model
from ..parallel import balanced_batches, cut_for, in_worker, strict_jsonable
from ..rng import checked_seed
from ..version import __version__
from .distributions import PRESETS, Bernoulli, Beta, Fixed, LogNormal, built, replacement, resolve_distributions
from .run import run
from .sampling import PATIENT_TO_MODEL, draw_range, patient_overrides, sample
from .statistics import PUBLISHED, responder_rates, statistics

__all__ = ["COHORT_KEYS", "COHORT_TABLES", "load_cohort_spec", "run_cohort_file", "to_dataset", "from_dataset"]

#: Keys of ``[experiment]`` in a ``kind = "cohort"`` file.
COHORT_KEYS = ("name", "description", "kind", "model", "preset", "n_patients", "seed", "batch_size", "workers",
               "relief_day", "protocol", "figure", "opioid_tolerance")
#: Tables of a cohort file.
COHORT_TABLES = ("experiment", "protocol", "distributions", "params")
_DIST_TYPES = {"beta": Beta, "lognormal": LogNormal, "bernoulli": Bernoulli, "fixed": Fixed}


def load_cohort_spec(path_or_spec) -> dict:
    """Read and check a cohort experiment file (``kind = "cohort"``) before any work.

    File layout (see ``experiments/rtms_cohort.toml``)::

        [experiment]
        name = "rtms_cohort"
        kind = "cohort"
        model = "pain_pathway"          # the base model every patient modifies (a path: from the file's folder first)
        preset = "rtms_real_world"      # cohort.PRESETS
        n_patients = 24
        seed = 1
        batch_size = 32                 # patients whose courses run together
        workers = 1                     # processes
        relief_day = 4                  # optional; default the protocol's end_day
        opioid_tolerance = false        # optional; the opioid receptors' tolerance over the sessions
        protocol = "rtms_m1_20hz"       # or a [protocol] table (painsim.protocols.from_spec)

        [distributions]                 # optional replacements of cohort.default_distributions()
        descending_integrity = {hemorrhagic = {type = "beta", mean = 0.5, concentration = 12}}

        [params]                        # optional dotted overrides of the base model (they win over the protocol's)

    Parameters
    ----------
    path_or_spec : str, Path or mapping
        A built-in experiment name, a path, or an already parsed file (its ``"_path"``,
        if any, names it in messages).

    Returns
    -------
    dict
        ``experiment`` (the table), ``protocol`` (a Protocol), ``model``
        (the base Model), ``distributions`` (parsed), ``_path``.

    Raises
    ------
    painsim.errors.UnknownKeyError
        A misspelt key, table, preset, attribute, group or distribution
        type (the nearest valid one is named), or a protocol override (``[protocol.plasticity]``)
        the model does not have.
    painsim.errors.ParameterError
        A bad value (n_patients, batch_size, workers, relief_day (also one inside a session of the
        protocol), a protocol override ...), a
        protocol whose stimulus the model does not receive
        (:func:`painsim.course.files.file_model`); a ``name`` that is not a
        plain file name (:func:`painsim.checks.file_name`), a ``description`` that is not a text,
        or a ``figure`` other than an empty list (a cohort draws its own figures); a ``[params]``
        path that a patient attribute sets (``params.<path>``: each patient would replace it; pin
        the attribute in ``[distributions]``), or a ``[distributions]`` value every patient has
        that the model refuses, or a distribution whose draws reach a value the model refuses (a
        log-normal for a fraction in [0, 1]; ``distributions.<attribute>[.<group>]``).
    painsim.errors.ModelFileError
        No protocol, no ``[experiment]`` table, or no such file / invalid TOML.
    painsim.errors.PathError
        ``path_or_spec`` is a folder.
    """
    if isinstance(path_or_spec, Mapping):
        spec, path = dict(path_or_spec), path_or_spec.get("_path", "<dict>")
    else:
        path = find_builtin(path_or_spec, "experiments")
        spec = read_toml(path)
    known_tables(spec, COHORT_TABLES, "table of a cohort experiment")
    exp = _experiment_table(spec, path)
    protocol = file_protocol(spec, path)  # the user's [params] and --set win over its overrides
    if "relief_day" in exp and getattr(protocol, "calendar", None) is not None:  # not a course's follow_up_days
        outside_sessions((float(exp["relief_day"]),), "experiment.relief_day", protocol.calendar)
    # the model (a path from the file's folder first) with [params], checked against the protocol
    model = file_model(spec, path, protocol, "pain_pathway")
    dists = spec.get("distributions", {})
    if not isinstance(dists, Mapping):
        raise ParameterError("distributions", dists, "a table of patient attributes, e.g. [distributions]")
    parsed = _distributions_from_spec(dists, exp.get("preset", "default"))
    for attr, path_ in PATIENT_TO_MODEL.items():  # every sampled patient must be a valid model
        if path_ not in model.leaves:
            raise UnknownKeyError(path_, [k for k in model.leaves if not k.startswith("model.")],
                                  what=f"model parameter for patient attribute {attr!r} "
                                       f"(model {model.name!r})")
        if path_ in spec.get("params", {}):  # each patient's draw would replace it, silently
            raise ParameterError(f"params.{path_}", spec["params"][path_],
                                 f"a parameter no patient attribute sets (each patient draws {attr!r})",
                                 hint=f"give every patient one value in [distributions]: {attr} = <value>")
    _draws_fit(parsed, model)
    return {"experiment": dict(exp), "protocol": protocol, "model": model, "distributions": parsed,
            "_path": str(path)}


def _experiment_table(spec: Mapping, path) -> Mapping:
    """The checked ``[experiment]`` table of a cohort file."""
    exp = spec.get("experiment")
    if not isinstance(exp, Mapping):
        raise ModelFileError(f"{path}: missing [experiment] table")
    if exp.get("kind") != "cohort":
        raise ParameterError("experiment.kind", exp.get("kind"), '"cohort" for a cohort file')
    known_keys(exp, COHORT_KEYS, "key of [experiment] in a cohort file")
    if "name" in exp:  # it names the output folder (painsim-out/<name>), as any experiment's
        file_name(exp["name"], "experiment.name")
    if not isinstance(exp.get("description", ""), str):
        raise ParameterError("experiment.description", exp["description"], "a text")
    if not (isinstance(exp.get("figure", []), list) and not exp.get("figure", [])):
        # painsim.files.dispatch: a cohort has no figure names (painsim.plots.cohort_figures draws its own)
        raise ParameterError("experiment.figure", exp["figure"], "no figure name: a kind = 'cohort' file draws its "
                             "own figures (leave figure out, or an empty list)")
    whole(exp.get("n_patients", 1), "experiment.n_patients")
    whole(exp.get("batch_size", 32), "experiment.batch_size")
    whole(exp.get("workers", 1), "experiment.workers")
    checked_seed(exp.get("seed", 0), "experiment.seed", allow_float=False)  # numpy seeds are whole numbers >= 0
    preset = exp.get("preset", "default")
    if not isinstance(preset, str) or preset not in PRESETS:
        raise UnknownKeyError(str(preset), PRESETS, what="cohort preset (experiment.preset)")
    if not isinstance(exp.get("opioid_tolerance", False), bool):
        raise ParameterError("experiment.opioid_tolerance", exp["opioid_tolerance"], "true or false")
    if "relief_day" in exp:
        d = exp["relief_day"]
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not (d >= 0 and math.isfinite(d)):
            raise ParameterError("experiment.relief_day", d, "a day >= 0 from the first session")
    return exp


def _dist_from_spec(spec, where: str):
    """A distribution from a TOML value: a number or ``{type = "beta", mean = .., concentration = ..}``."""
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return spec
    if not isinstance(spec, Mapping) or "type" not in spec:
        raise ParameterError(where, spec, 'a number or a table {type = "beta" | "lognormal" | "bernoulli" | "fixed", '
                                          '<its parameters>}, or a table of those by group')
    kind = spec["type"]
    if kind not in _DIST_TYPES:
        raise UnknownKeyError(str(kind), _DIST_TYPES, what=f"distribution type of {where}")
    cls = _DIST_TYPES[kind]
    for k in spec:
        if k != "type" and k not in cls.params:
            raise UnknownKeyError(k, cls.params, what=f"parameter of {kind} ({where})")
    try:  # an error about a parameter names the file's key (distributions.central.p), not Bernoulli.p
        return built(cls, {k: v for k, v in spec.items() if k != "type"}, where)
    except TypeError as e:
        raise ParameterError(where, dict(spec), f"the parameters {list(cls.params)} of {kind}") from e


def _distributions_from_spec(table: Mapping, preset) -> dict:
    """The ``[distributions]`` table: attribute -> distribution, or {group: distribution}, every
    value checked now (a number too: a share of patients must be a probability), errors naming
    the file's key (``distributions.<attribute>[.<group>][.<parameter>]``)."""
    dists, _ = resolve_distributions(preset, None)
    out = {}
    for attr, v in table.items():
        where = f"distributions.{attr}"
        if attr not in dists:
            raise UnknownKeyError(attr, dists, what="patient attribute of [distributions]")
        if isinstance(v, Mapping) and "type" not in v:   # groups: replacement() checks their names
            v = {g: _dist_from_spec(d, f"{where}.{g}") for g, d in v.items()}
        else:
            v = _dist_from_spec(v, where)
        out[attr] = replacement(attr, v, where)
    return out


def _draws_fit(parsed: Mapping, model) -> None:
    """Refuse a ``[distributions]`` distribution (also per group) whose draws reach a value the model
    refuses at the attribute's path, naming the file's key: the lowest and the highest value
    :func:`painsim.cohort.sample` can draw (:func:`painsim.cohort.sampling.draw_range`; a Fixed
    value's itself) are tried on the model.  A log-normal ectopic activity (a fraction in [0, 1])
    loaded and was refused under ``pathology.ectopic_fraction`` only at the draw of a patient."""
    for attr, dist in parsed.items():
        if attr not in PATIENT_TO_MODEL:  # the yes/no draws (central, stroke, ischemic): no model value
            continue
        for group, d in (dist.items() if isinstance(dist, Mapping) else [(None, dist)]):
            if not hasattr(d, "ppf"):
                continue
            where = f"distributions.{attr}" + (f".{group}" if group else "")
            for value in dict.fromkeys(draw_range(d)):
                try:
                    model.with_params(patient_overrides({attr: value}, model, labels=False)[0])
                except ParameterError as e:
                    if isinstance(d, Fixed):
                        raise e.renamed(where) from None
                    raise ParameterError(where, repr(d), f"a distribution whose draws {PATIENT_TO_MODEL[attr]} "
                                         f"accepts ({e.allowed})", hint=f"its draws reach {value:.4g}") from None


def to_dataset(table, stats: Mapping | None = None, attrs: Mapping | None = None):
    """A cohort result table (and its :func:`statistics`) as a labelled Dataset.

    Dimensions: ``patient`` (every column of the table), ``statistic``
    (simulated vs published: ``simulated``, ``sim_ci_low``, ``sim_ci_high``,
    ``published``, ``pub_ci_low``, ``pub_ci_high``), and ``group`` x
    ``threshold`` (responder rates with Wilson intervals, overall and by
    etiology / stroke type).  Attrs: the comparison as JSON, the patient
    attributes, painsim version, and ``attrs``.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per patient (:func:`painsim.cohort.run`), with a ``relief`` column
        (relief from baseline, ``(baseline - pain) / baseline``, a fraction).
    stats : mapping, optional
        Its :func:`statistics` (default: computed from ``table``).
    attrs : mapping, optional
        Extra attributes of the Dataset.

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    painsim.errors.ParameterError
        ``stats`` not a mapping with a ``"comparison"`` table (a :func:`statistics` result),
        or ``attrs`` not a mapping, or ``table`` not a DataFrame with a ``relief`` column; all
        before any work.
    """
    if not isinstance(table, pd.DataFrame) or "relief" not in table.columns:
        raise ParameterError("table", type(table).__name__ if not isinstance(table, pd.DataFrame)
                             else sorted(map(str, table.columns)),
                             "a cohort result table (a DataFrame with a 'relief' column, from cohort.run)")
    if stats is not None and not (isinstance(stats, Mapping) and isinstance(stats.get("comparison"), pd.DataFrame)):
        raise ParameterError("stats", stats if not isinstance(stats, Mapping) else sorted(map(str, stats)),
                             "the dict of cohort.statistics(table), with its 'comparison' table")
    if attrs is not None and not isinstance(attrs, Mapping):
        raise ParameterError("attrs", attrs, "a mapping of extra Dataset attributes, e.g. {'name': 'rtms'}")
    stats = dict(stats) if stats is not None else statistics(table)
    data = {}
    for c in table.columns:
        v = table[c].to_numpy()
        data[c] = (("patient",), v.astype(str) if v.dtype == object else v)
    data["relief"] = (("patient",), table["relief"].to_numpy(float),
                      {"units": "1", "long_name": "relief from baseline at the response day (fraction)"})
    if "baseline_pain" in table:
        data["baseline_pain"] = (("patient",), table["baseline_pain"].to_numpy(float), {"units": "1", "long_name": "pain score (NRS 0-10)"})
    comp = stats["comparison"]
    for col in comp.columns:
        data[col] = (("statistic",), comp[col].to_numpy(float))
    groups = {"all": table}
    if "etiology" in table:
        for g in ("peripheral", "central"):
            groups[g] = table[table["etiology"] == g]
    if "stroke_type" in table:
        for g in ("ischemic", "hemorrhagic"):
            groups[g] = table[table["stroke_type"] == g]
    thresholds = (0.3, 0.5)
    rr = {k: np.full((len(groups), len(thresholds)), np.nan) for k in ("rate", "ci_low", "ci_high", "n")}
    for i, sub in enumerate(groups.values()):
        if len(sub):
            r = responder_rates(sub, thresholds)
            for j, t in enumerate(thresholds):
                for k in rr:
                    rr[k][i, j] = r.loc[t, k]
    for k, v in rr.items():
        data[f"responder_{k}"] = (("group", "threshold"), v)
    ds = xr.Dataset(data, coords={"patient": np.arange(len(table)), "statistic": list(comp.index),
                                  "group": list(groups), "threshold": list(thresholds)})
    ds["threshold"].attrs["long_name"] = "relief threshold of a responder (fraction)"
    ors = {k: stats.get(k) for k in ("or_central_vs_peripheral", "or_ischemic_vs_hemorrhagic")}
    ds.attrs.update({"painsim_version": __version__,
                     "comparison": comp.reset_index().to_json(orient="records"),
                     "odds_ratios": json.dumps(strict_jsonable(ors), allow_nan=False),  # NaN/inf: null, as comparison
                     "published": json.dumps(PUBLISHED, default=list),
                     "attributes": " ".join(a for a in PATIENT_TO_MODEL if a in table),
                     **{k: v for k, v in table.attrs.items() if isinstance(v, (str, int, float))},
                     **dict(attrs or {})})
    return ds


def from_dataset(ds):
    """The patient table of a Dataset written by :func:`to_dataset` (pandas).

    Parameters
    ----------
    ds : xarray.Dataset
        A :func:`to_dataset` result.

    Returns
    -------
    pandas.DataFrame
        Every variable over ``patient`` alone, one row per patient.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` not an xarray Dataset, or without a ``patient`` dimension.
    """
    if not isinstance(ds, xr.Dataset):
        raise ParameterError("ds", type(ds).__name__, "an xarray.Dataset of cohort.to_dataset (a patient table is "
                                                       "already a DataFrame)")
    if "patient" not in ds.dims:
        raise ParameterError("ds", sorted(map(str, ds.dims)), "a Dataset of cohort.to_dataset, with a 'patient' "
                                                             "dimension")
    cols = {k: ds[k].values for k in ds.data_vars if ds[k].dims == ("patient",)}
    return pd.DataFrame(cols, index=pd.RangeIndex(ds.sizes["patient"], name="patient"))


def _processes(n: int, batch_size: int, workers: int) -> str:
    """Where a cohort of ``n`` patients runs, as :func:`painsim.cohort.run` starts it: in this process
    (one worker asked for, one patient, or inside another run's worker), else one worker process per
    batch at most (the batches cut for one worker per CPU); fewer when ``--resume`` finds patients."""
    if workers == 1 or n <= 1 or in_worker():
        return "in this process"
    k = min(workers, len(balanced_batches(n, batch_size, cut_for(workers))))
    return f"up to {k} worker process{'es' * (k != 1)}"


def run_cohort_file(path_or_spec, seed: int | None = None, n_patients: int | None = None,
                    workers: int | None = None, progress: bool = False, store=None, resume: bool = False):
    """Run a cohort experiment file (``kind = "cohort"``): sample, run the course, statistics.

    Parameters
    ----------
    path_or_spec : path, built-in name or dict
        The file (:func:`load_cohort_spec`).
    seed, n_patients, workers : int, optional
        Override the file's values.
    progress : bool
        Print progress.
    store, resume
        Per-patient results on disk and continuing an interrupted cohort
        (:func:`run`).

    Returns
    -------
    xarray.Dataset
        :func:`to_dataset` of the result table, with ``attrs`` recording
        the file, the protocol, the base model and the wall time.

    Raises
    ------
    painsim.errors.ParameterError, painsim.errors.UnknownKeyError
        A bad file (:func:`load_cohort_spec`); a ``seed`` that is not a whole number >= 0, an
        ``n_patients`` or ``workers`` < 1, ``progress`` or ``resume`` not true/false, or a bad
        option of :func:`painsim.cohort.run`; all before any course runs.
    """
    flag(progress, "progress")
    flag(resume, "resume")
    spec = load_cohort_spec(path_or_spec)
    exp = spec["experiment"]
    n = whole(n_patients if n_patients is not None else exp.get("n_patients", 1), "n_patients")
    w = whole(workers if workers is not None else exp.get("workers", 1), "workers")
    w = 1 if in_worker() else w  # inside another run's worker: that worker's process (painsim.parallel.in_worker)
    s = checked_seed(exp.get("seed", 0) if seed is None else seed, "experiment.seed" if seed is None else "seed",
                     allow_float=False)
    table = sample(n, preset=exp.get("preset", "default"), seed=s, distributions=spec["distributions"])
    prot = spec["protocol"]
    batch_size = whole(exp.get("batch_size", 32), "batch_size")
    if progress:
        print(f"painsim: cohort of {n} patient{'s' * (n != 1)} on {spec['model'].name!r}, protocol {prot.name!r} "
              f"({prot.calendar.n_sessions} sessions), {_processes(n, batch_size, w)}", flush=True)
    t0 = time.time()
    res = run(table, prot, model=spec["model"], batch_size=batch_size,
              day=exp.get("relief_day"), workers=w, progress=progress, store=store, resume=resume,
              opioid_tolerance=exp.get("opioid_tolerance", False))
    wall = time.time() - t0
    return to_dataset(res, attrs={"name": exp.get("name", ""), "description": exp.get("description", ""),
                                  "source": spec["_path"], "protocol_spec": json.dumps(prot.describe(), default=str),
                                  "n_patients": n, "seed": s, "workers": w, "wall_time_s": wall,
                                  "codegen_target": codegen_target()})
