"""What figures and the command line select from saved results (formerly part of :mod:`painsim.analysis`).

The ``[[condition]]`` tables of an experiment result and the devices of each
(:func:`experiment_conditions`, :func:`condition_devices`), a result's
simulated time (:func:`result_duration`), the plastic connections of a
conditioning summary (:func:`changed_connections`), the arms of a course
(:func:`course_arms`) and the groups of a cohort (:func:`cohort_groups`).
"""
from __future__ import annotations

import json

import numpy as np
import xarray as xr

from ..errors import ParameterError
from ..stimulation import from_spec

__all__ = ["experiment_conditions", "matched_conditions", "conditions_result", "result_duration", "condition_devices",
           "changed_connections", "course_arms", "cohort_groups", "is_cohort_result"]

#: What a per-condition analysis reads, for its refusals.
CONDITIONS_RESULT = ("a result over 'condition': a `painsim run` conditions result, or "
                     "painsim.io.combine(results, 'condition', labels) of painsim.simulate results")


# ---------------------------------------------------------------- experiment results
def experiment_conditions(ds: xr.Dataset) -> list:
    """The ``[[condition]]`` tables of the experiment behind ``ds`` (one per condition).

    Read from the ``experiment_spec`` attribute and matched to the result's conditions by their
    labels (a table's ``label``, else ``"condition <k>"``, as :func:`painsim.files.run_conditions`
    names them), so that conditions selected or reordered from a result get their own tables;
    empty tables if the labels do not match and the Dataset does not carry one table per condition.

    Parameters
    ----------
    ds : xarray.Dataset
        An experiment result (over ``condition``), with the experiment file as JSON in its
        ``experiment_spec`` attribute.

    Returns
    -------
    list of dict
        One table per condition of ``ds``, in its order (``{}`` each when the attribute is
        missing, or its labels do not match and it lists another number of conditions; ``[]``
        without a ``condition`` dim).
    """
    conds = matched_conditions(ds)
    return [{} for _ in range(ds.sizes.get("condition", 0))] if conds is None else conds


def matched_conditions(ds: xr.Dataset) -> list | None:
    """The ``[[condition]]`` tables of ``ds`` as :func:`experiment_conditions` matches them, or
    None when ``ds`` does not carry them (no ``experiment_spec`` attribute, or tables that match
    neither the labels nor the number of its conditions).

    Parameters
    ----------
    ds : xarray.Dataset
        An experiment result.

    Returns
    -------
    list of dict or None
    """
    spec = json.loads(ds.attrs.get("experiment_spec", "{}") or "{}")
    if "condition" not in spec:
        return None
    conds = spec.get("condition", [])
    by_label = {c.get("label", f"condition {k}"): c for k, c in enumerate(conds)}
    labels = [str(v) for v in ds["condition"].values] if "condition" in ds.coords else []
    if labels and len(by_label) == len(conds) and all(label in by_label for label in labels):
        return [by_label[label] for label in labels]  # a subset or reordering keeps its own tables
    return conds if len(conds) == ds.sizes.get("condition", 0) else None


def conditions_result(ds, what: str) -> None:
    """Refuse, by name, what is not a result over ``condition`` (a single :func:`painsim.simulate`
    result has none: it raised a bare KeyError 'condition').

    Parameters
    ----------
    ds : object
        The argument of the analysis ``what``.
    what : str
        The analysis, for the message (``"scs_metrics"``).

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` not an xarray.Dataset with a ``condition`` dimension (named ``ds``).
    """
    if not isinstance(ds, xr.Dataset) or "condition" not in ds.dims:
        got = type(ds).__name__ if not isinstance(ds, xr.Dataset) else "a Dataset without a 'condition' dimension"
        raise ParameterError("ds", got, f"{CONDITIONS_RESULT} (what {what} reads)",
                             hint="a single painsim.simulate result has no conditions to compare" if
                             isinstance(ds, xr.Dataset) else None)


def result_duration(ds: xr.Dataset, condition: int | None = None) -> float:
    """Simulated time of a result (s): its ``duration_s`` attribute, else the end of its last rate bin.

    Parameters
    ----------
    ds : xarray.Dataset
        A result; without ``duration_s`` it needs a ``time`` coordinate of at least two
        equally spaced rate-bin centres (a result with ``duration_s`` needs none).
    condition : int, optional
        A point of a result combined over ``condition`` whose points differ in duration: its own
        (the ``duration_s`` variable :func:`painsim.io.combine` makes of them; without
        ``condition`` such a result's duration is its longest point's).

    Returns
    -------
    float
        The duration, s.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` has neither a ``duration_s`` attribute nor a ``time`` coordinate of at least two
        bin centres.
    """
    if "duration_s" in ds.attrs:
        return float(ds.attrs["duration_s"])
    if condition is not None and "duration_s" in ds.data_vars and ds["duration_s"].dims == ("condition",):
        return float(ds["duration_s"].values[condition])
    time = np.asarray(ds["time"].values, float) if "time" in ds else np.array([])
    if time.ndim != 1 or time.size < 2:
        raise ParameterError("ds", f"a Dataset without 'duration_s' and with {time.size} time bins",
                             "a result with a 'duration_s' attribute or a 'time' coordinate of at least "
                             "two rate-bin centres (s)")
    return float(time[-1] + (time[1] - time[0]) / 2)  # the centre of the last bin plus half a bin


def condition_devices(condition) -> tuple:
    """The waveforms of a ``[[condition]]`` table: none, its stimulus table's, or one per table
    of a stimulus array (devices at the same time, :mod:`painsim.devices`).

    Parameters
    ----------
    condition : dict
        One ``[[condition]]`` table (:func:`experiment_conditions`); its ``stimulus`` is a
        waveform table or a list of them.

    Returns
    -------
    tuple of painsim.stimulation.Waveform
        Empty without a ``stimulus``.

    Raises
    ------
    painsim.errors.UnknownKeyError, painsim.errors.ParameterError
        A stimulus table that :func:`painsim.stimulation.from_spec` refuses (unknown ``type``
        or argument, a missing or refused value).
    """
    stim = condition.get("stimulus")
    if stim is None:
        return ()
    return tuple(from_spec(t) for t in (stim if isinstance(stim, list) else [stim]))


def changed_connections(ds: xr.Dataset) -> list:
    """Plastic connections of a conditioning summary (its ``w_<conn>_change`` variables), in order.

    Parameters
    ----------
    ds : xarray.Dataset
        A conditioning summary.

    Returns
    -------
    list of str
        The ``<conn>`` of each ``w_<conn>_change`` variable, in the Dataset's order.
    """
    return [k[2:-7] for k in ds.data_vars if k.startswith("w_") and k.endswith("_change")]


# ---------------------------------------------------------------- courses and cohorts
def course_arms(ds: xr.Dataset) -> list:
    """(label, Dataset) per arm of a course result (``arm`` dim from run_course_file, or one arm).

    Parameters
    ----------
    ds : xarray.Dataset
        A course result, with or without an ``arm`` dim.

    Returns
    -------
    list of (str, xarray.Dataset)
        Per arm its label and its slice; without an ``arm`` dim one pair: the ``protocol``
        attribute (default ``"course"``) and ``ds`` itself.
    """
    if "arm" in ds.dims:
        return [(str(a), ds.sel(arm=a)) for a in ds.arm.values]
    return [(str(ds.attrs.get("protocol", "course")), ds)]


def is_cohort_result(ds: xr.Dataset) -> bool:
    """Whether ``ds`` is a virtual cohort's result (:func:`painsim.cohort.to_dataset`): over ``patient``
    and ``statistic``, with ``relief``, and not a sweep's (whose attributes hold its spec and outcomes).
    How :func:`painsim.plots.figures_for` and ``painsim figures`` tell it."""
    sweep = "spec" in ds.attrs and "outcomes" in ds.attrs
    return "patient" in ds.dims and "statistic" in ds.dims and "relief" in ds and not sweep


def cohort_groups(ds: xr.Dataset) -> list:
    """(label, boolean mask over patients): peripheral, central post-stroke by type, other central.

    Parameters
    ----------
    ds : xarray.Dataset
        A cohort result over ``patient``, optionally with ``etiology`` (``"peripheral"`` or
        ``"central"``) and ``stroke_type`` (``"ischemic"``, ``"hemorrhagic"`` or ``"none"``).

    Returns
    -------
    list of (str, numpy.ndarray)
        The groups ``"peripheral"``, ``"ischemic"``, ``"hemorrhagic"``, ``"central, other"``
        that have patients, each with its boolean mask over ``patient``; ``[("all", all
        True)]`` when none has (e.g. no ``etiology``).
    """
    et = ds["etiology"].values.astype(str) if "etiology" in ds else np.full(ds.sizes["patient"], "all")
    st = ds["stroke_type"].values.astype(str) if "stroke_type" in ds else np.full(et.shape, "none")
    out = [("peripheral", et == "peripheral"), ("ischemic", (et == "central") & (st == "ischemic")),
           ("hemorrhagic", (et == "central") & (st == "hemorrhagic")),
           ("central, other", (et == "central") & (st == "none"))]
    return [(g, m) for g, m in out if m.any()] or [("all", np.ones(et.shape, bool))]
