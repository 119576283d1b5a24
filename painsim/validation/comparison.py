"""Two validation runs side by side: is a model variant closer to the published figures?

A researcher who changes the model (``painsim validate --set ...``, a new mechanism, a
refitted parameter) wants to know, target by target, whether it moved toward or away from
each published figure, and whether the targets it moved were held out or calibrated.
:func:`compare` reads two results of :func:`painsim.validation.validate` (a baseline and the
run to judge) and says, for every target of the run, which value lies closer to its
published figure, by this run's registry (the baseline's verdicts are recomputed against it,
and a target whose figure, definition or status differs in the baseline is flagged).  Agreement
on a calibrated target is a check, not evidence, so the table keeps the status beside it, and a
target whose status changed between the runs (a prediction that was calibrated, or the reverse)
is counted apart from both; "closer" is not significance: two seeds of one model differ too.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from .. import io
from ..analysis import published_deviation
from ..errors import PathError
from .run import _fmt, _published, _range
from .targets import judge

__all__ = ["compare", "comparison_rows", "comparison_header", "read_result"]

#: Distances closer than this (relative) count as equal ("=").
SAME = 1e-9
#: What a run's "closer" can say.
OUTCOMES = ("yes", "no", "=", "lost", "gained", "n/a")

_NEEDED = ("model", "published", "published_low", "published_high", "verdict", "status", "units", "what")
_FIGURES = ("published", "published_low", "published_high", "published_direction", "published_direction_from")


def read_result(path, label: str = "baseline") -> xr.Dataset:
    """The validation result at ``path``.

    Parameters
    ----------
    path : str or path-like
        A ``validation.nc`` written by ``painsim validate``, or the folder holding one.
    label : str
        What the messages call it (the command line says ``--compare``).

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    painsim.errors.PathError
        No such file, a file that is not NetCDF, or not a result of ``painsim validate``
        (variables missing, ``model`` or a published figure not numbers, or a target named
        twice), or a summary over seeds (``--seeds``).
    """
    path = Path(path)
    if path.is_dir():
        path = path / "validation.nc"
    if not path.is_file():
        raise PathError(f"{label} {path}: no such file (expected the validation.nc of painsim validate, "
                        "or its folder)")
    try:
        ds = io.load(path)
    except (OSError, ValueError) as e:
        raise PathError(f"{label} {path}: cannot be read as NetCDF ({e})") from None
    missing = [v for v in _NEEDED if v not in ds] + ([] if "target" in ds.dims else ["target"])
    if missing:
        raise PathError(f"{label} {path}: not a result of painsim validate (no {', '.join(missing)})")
    if ds["model"].dims != ("target",):  # a --seeds summary: one value per target and seed
        raise PathError(f"{label} {path}: a summary over seeds (painsim validate --seeds), not one run's "
                        "result; give one seed's, e.g. <folder>/seed_1/validation.nc")
    wrong = [v for v in ("model",) + _FIGURES if v in ds and not _numeric(ds[v])]
    if wrong:  # read as floats by compare and across_seeds: refused now, not after the whole run
        raise PathError(f"{label} {path}: not a result of painsim validate (variable {wrong[0]!r} holds "
                        f"{ds[wrong[0]].dtype} values; expected numbers, one per target, in "
                        f"{', '.join(v for v in ('model',) + _FIGURES if v in ds)})")
    names = [str(n) for n in ds["target"].values]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise PathError(f"{label} {path}: target {twice[0]!r} appears more than once (expected one row each)")
    return ds


def _numeric(var: xr.DataArray) -> bool:
    """Whether ``var`` holds numbers (integers or floats; not text, objects, dates or booleans)."""
    return np.issubdtype(var.dtype, np.integer) or np.issubdtype(var.dtype, np.floating)


def _figures(ds: xr.Dataset, names) -> np.ndarray:
    """Per target of ``names`` (rows), its published figure, range, direction and the direction's
    origin in ``ds`` (columns, :data:`_FIGURES`; 0 for a variable an older file lacks, NaN for a
    target it lacks)."""
    return np.column_stack([ds[k].reindex(target=names).values.astype(float) if k in ds else np.zeros(len(names))
                            for k in _FIGURES])


def _distance(m: float, p: float, lo: float, hi: float, direction: float, origin: float):
    """How far ``m`` lies from the published figure, as a key that orders "closer": ``None`` for
    a missing value, ``()`` when nothing is published.  With a range, the distance in units of the
    range (:func:`painsim.analysis.published_deviation`), ties of a range closed on that side
    (infinite) broken by the distance itself; with one number, the distance in the target's units
    (also where the number is 0); with a direction only, 0 on the published side and 1 + the
    distance from its origin elsewhere."""
    if not np.isfinite(m):
        return None
    if np.isfinite(p):
        if np.isfinite(lo) and np.isfinite(hi):
            d = abs(float(published_deviation(m, p, lo, hi)))
            return (d, abs(m - p) if np.isinf(d) else 0.0)
        return (abs(m - p), 0.0)
    if direction:
        return (0.0 if np.sign(m - origin) == direction else 1.0 + abs(m - origin), 0.0)
    return ()


def _same(x: float, y: float) -> bool:
    return x == y or abs(x - y) <= SAME * max(1.0, abs(x), abs(y))


def _closer(base, new) -> str:
    """One of :data:`OUTCOMES` from two :func:`_distance` keys."""
    if base == () or new == () or (base is None and new is None):
        return "n/a"
    if base is None or new is None:
        return "gained" if base is None else "lost"
    for b, n in zip(base, new):
        if not _same(b, n):
            return "yes" if n < b else "no"
    return "="


def _status_baseline(baseline: xr.Dataset, names) -> np.ndarray:
    """The baseline's status of each target of ``names`` ("" where it lacks the target or records
    no status)."""
    if "status" not in baseline:
        return np.array([""] * len(names), object)
    status = dict(zip(baseline["target"].values.astype(str), baseline["status"].values.astype(str)))
    return np.array([status.get(n, "") for n in names], object)


def _status_changed(before: np.ndarray, current: xr.Dataset, names) -> np.ndarray:
    """Per target of ``names``: a status ("calibrated", "prediction") in the baseline (``before``,
    :func:`_status_baseline`) other than in ``current``; False where either records none."""
    if "status" not in current:
        return np.zeros(len(names), bool)
    now = current["status"].reindex(target=names).values.astype(str)
    return np.array([b != "" and b != n for b, n in zip(before, now)], bool)


def _redefined(baseline: xr.Dataset, current: xr.Dataset, names, figures: np.ndarray,
               status_changed: np.ndarray | None = None) -> np.ndarray:
    """Per target of ``names``: another published figure, range, direction, description, units or
    status in ``baseline`` than in ``current`` (whose :func:`_figures` are ``figures``); False where
    the baseline lacks the target.  A figure the baseline's file has no column for (an older file) is
    not compared.  A changed status (``status_changed``, :func:`_status_changed`) redefines the target's claim: its agreement was a check of a
    calibration in one run and a held-out prediction in the other."""
    known = np.isin(names, baseline["target"].values.astype(str))
    # only the figures the baseline records: a file older than a column cannot have redefined it
    recorded = [j for j, k in enumerate(_FIGURES) if k in baseline]
    changed = ~np.isclose(_figures(baseline, names)[:, recorded], figures[:, recorded], equal_nan=True).all(axis=1)
    for k in ("what", "units"):
        changed |= baseline[k].reindex(target=names).values.astype(str) != current[k].values.astype(str)
    if status_changed is None:  # compare() passes the one it reports
        status_changed = _status_changed(_status_baseline(baseline, names), current, names)
    return known & (changed | status_changed)


def compare(baseline: xr.Dataset, current: xr.Dataset) -> xr.Dataset:
    """Every target of ``current`` beside its value in ``baseline``.

    Parameters
    ----------
    baseline, current : xarray.Dataset
        Results of :func:`painsim.validation.validate` (or :func:`read_result`).  The published
        figures are ``current``'s (the registry of the code that ran it).

    Returns
    -------
    xarray.Dataset
        Over ``target`` (``current``'s, in its order): ``model_baseline`` (NaN where the baseline
        did not measure the target), ``model``, ``deviation_baseline`` and ``deviation`` (where each
        lies against the published figure: :func:`painsim.analysis.published_deviation`, the
        validation figure's x), ``verdict_baseline`` (the baseline's value judged
        against ``current``'s published figures) and ``verdict``, ``closer`` (one of
        :data:`OUTCOMES`: closer, farther, as close, a value lost or gained, or no published
        figure or no baseline value to compare), ``redefined`` (the baseline's published figure,
        range, direction, description, units or status differ), ``status_baseline`` (the
        baseline's status; "" where it lacks the target) and ``status_changed`` (it differs from
        ``current``'s: the target is counted apart by :func:`comparison_rows`), with ``current``'s
        published figures, status and units.  Attributes: each run's ``seed``, ``model_overrides``,
        ``painsim_version``, ``painsim_source`` and ``inputs_digest`` (the model and experiment
        files, variant and engine it read: :func:`painsim.validation.run.inputs_fingerprint`; ""
        where a file does not record it), suffix ``_baseline`` for the baseline's, and ``absent``
        (the baseline's targets this run did not measure).
    """
    names = [str(n) for n in current["target"].values]
    known = {str(n) for n in baseline["target"].values}
    m_base = baseline["model"].reindex(target=names).values.astype(float)
    m_new = current["model"].values.astype(float)
    figures = _figures(current, names)
    v_base = np.array([judge(m, lo, hi, int(d), o) for m, (_, lo, hi, d, o) in zip(m_base, figures)], object)
    closer = np.array([_closer(_distance(b, *f), _distance(m, *f)) if n in known else "n/a"
                       for n, b, m, f in zip(names, m_base, m_new, figures)], object)
    status_before = _status_baseline(baseline, names)
    status_changed = _status_changed(status_before, current, names)
    redefined = _redefined(baseline, current, names, figures, status_changed)
    pub = figures[:, :3].T
    one = {"units": "1"}
    out = current[[v for v in current.data_vars if v.startswith("published") or v in ("status", "units", "what")]]
    out = out.assign(
        model_baseline=("target", m_base, {"units": "1", "long_name": "the baseline's model value (in the units "
                                                                     "of its target: variable 'units')"}),
        model=current["model"],
        deviation_baseline=("target", published_deviation(m_base, *pub),
                            {**one, "long_name": "the baseline's deviation from the published figure "
                                                 "(painsim.analysis.published_deviation)"}),
        deviation=("target", published_deviation(m_new, *pub),
                   {**one, "long_name": "deviation from the published figure (painsim.analysis.published_deviation)"}),
        verdict_baseline=("target", v_base, {**one, "long_name": "the baseline's value judged against this run's "
                                                                 "published figures"}),
        verdict=current["verdict"],
        closer=("target", closer, {**one, "long_name": "this run closer to the published figure than the baseline "
                                                       "(yes, no, =, lost, gained, n/a)"}),
        redefined=("target", redefined, {**one, "long_name": "published figure, definition or status differs "
                                                             "in the baseline"}),
        status_baseline=("target", status_before,
                         {**one, "long_name": "the baseline's status of the target (calibrated, prediction; "
                                              "empty where it lacks the target)"}),
        status_changed=("target", status_changed,
                        {**one, "long_name": "the target's status differs in the baseline (counted apart)"}))
    attrs = ("seed", "model_overrides", "painsim_version", "painsim_source", "inputs_digest")
    out.attrs = {"title": "painsim validation: two runs against the published figures",
                 **{f"{k}_baseline": str(baseline.attrs.get(k, "")) for k in attrs},
                 **{k: str(current.attrs.get(k, "")) for k in attrs},
                 "absent": " ".join(sorted(known - set(names)))}
    return out


def comparison_header(ds: xr.Dataset, baseline_path) -> list[str]:
    """Lines naming both runs (seed, model variant, version), with a warning where their seeds, code
    or inputs differ (then "closer" mixes the model's change with seed noise, code changes or changed
    model or experiment files).

    The inputs (``inputs_digest``) cover the model variant too, so between two variants they always
    differ: the header then says that it cannot tell whether the files changed as well.  A baseline
    that does not record them is said to be unknown on that point.

    Parameters
    ----------
    ds : xarray.Dataset
        The result of :func:`compare` (its attributes are read).
    baseline_path : str or Path
        The baseline's file, named in the first line.

    Returns
    -------
    list of str
    """
    def run(label, suffix):
        a = ds.attrs
        variant = a.get(f"model_overrides{suffix}") or "the model as shipped"
        return (f"{label}: seed {a.get(f'seed{suffix}') or '?'}, {variant}, painsim "
                f"{a.get(f'painsim_version{suffix}') or '?'}")
    lines = [f"{Path(baseline_path).resolve()} against this run", run("baseline", "_baseline"), run("this run", "")]
    if ds.attrs.get("seed_baseline") != ds.attrs.get("seed"):
        lines.append("warning: the two runs have different seeds, so seed noise alone moves values")
    if ds.attrs.get("painsim_source_baseline") != ds.attrs.get("painsim_source"):
        lines.append("warning: the two runs were computed by different code (painsim_source differs)")
    return lines + _inputs_lines(ds.attrs)


def _inputs_lines(attrs) -> list[str]:
    """The header's line on the two runs' inputs (``inputs_digest``), if they differ or one is unknown."""
    base, new = attrs.get("inputs_digest_baseline") or "", attrs.get("inputs_digest") or ""
    if not (base and new):
        which = [label for label, d in (("the baseline", base), ("this run", new)) if not d]
        return [f"note: {' and '.join(which)} {'do' if len(which) > 1 else 'does'} not record inputs_digest (an "
                "older painsim), so whether both runs read the same model and experiment files is unknown"]
    if base == new:
        return []
    if str(attrs.get("model_overrides_baseline", "")) == str(attrs.get("model_overrides", "")):
        return ["warning: the two runs read different model or experiment files, or ran on another simulation "
                "target or engine (inputs_digest differs), so those changes move values too"]
    return ["note: inputs_digest differs, as it does between model variants; it cannot tell whether the model "
            "or experiment files or the engine changed as well"]


def _changed(row) -> bool:
    """Whether a row of :func:`compare`'s result changed its status (False for a result without the
    variable, written before it)."""
    return "status_changed" in row and bool(row["status_changed"])


def comparison_rows(ds: xr.Dataset) -> list[str]:
    """The comparison as Markdown lines.

    Parameters
    ----------
    ds : xarray.Dataset
        The result of :func:`compare`.

    Returns
    -------
    list of str
        The table (a target marked "†" has another published figure, definition or status in the
        baseline; a changed status reads "baseline → this run"), then lines counting the outcomes
        among predictions and calibrated targets apart (a target whose status changed in neither,
        but on a line of its own: its closeness is neither evidence nor a check), and naming the
        baseline's targets this run did not measure.
    """
    rows = ["| target | baseline | this run | published | range | reproduced (baseline → this run) | closer | "
            "status |", "|---|---|---|---|---|---|---|---|"]
    for name in ds["target"].values:
        r = ds.sel(target=name)
        unit = "" if str(r["units"].values) == "1" else f" {r['units'].values}"
        mark = " †" if bool(r["redefined"]) else ""
        shown = f"{r['status_baseline'].values} → {r['status'].values}" if _changed(r) else r["status"].values
        rows.append(f"| {name}{mark} | {_fmt(float(r['model_baseline']))}{unit} | {_fmt(float(r['model']))}{unit} | "
                    f"{_published(r, unit)} | {_range(r)} | {r['verdict_baseline'].values} → {r['verdict'].values} | "
                    f"{r['closer'].values} | {shown} |")
    closer, status = ds["closer"].values.astype(str), ds["status"].values.astype(str)
    moved = ds["status_changed"].values.astype(bool) if "status_changed" in ds else np.zeros(len(status), bool)
    status = np.where(moved, "", status)  # neither a prediction's evidence nor a calibration's check
    words = {"yes": "closer", "no": "farther", "=": "as close", "lost": "lost their value",
             "gained": "gained one"}
    rows.append("")
    for s, label in (("prediction", "predictions"), ("calibrated", "calibrated targets")):
        counts = ", ".join(f"{int(((closer == k) & (status == s)).sum())} {w}" for k, w in words.items())
        rows.append(f"{label}: {counts}" + (" (a check, not evidence)" if s == "calibrated" else ""))
    if moved.any():
        rows.append("status changed since the baseline (counted in neither): " + ", ".join(
            f"{n} ({b} → {c})" for n, b, c in zip(ds["target"].values[moved], ds["status_baseline"].values[moved],
                                                    ds["status"].values[moved])))
    if ds["redefined"].values.any():
        rows.append("† the baseline's registry gives another published figure, definition or status: its value "
                    "is judged against this run's")
    if ds.attrs.get("absent"):
        rows.append(f"in the baseline only (not measured by this run): {ds.attrs['absent']}")
    return rows
