"""Two validation runs side by side: is a model variant closer to the published figures?

A researcher who changes the model (``painsim validate --set ...``, a new mechanism, a
refitted parameter) wants to know, target by target, whether it moved toward or away from
each published figure, and whether the targets it moved were held out or calibrated.
:func:`compare` reads two results of :func:`painsim.validation.validate` (a baseline and the
run to judge) and says, for every target of the run, where each value lies against its
published figure (:func:`painsim.analysis.published_deviation`: in units of the published
range, or relative to a single published number) and which one lies closer.  Agreement on a
calibrated target is a check, not evidence (the table keeps the status beside it).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from ..analysis import published_deviation
from ..errors import PathError
from .run import _fmt, _published

__all__ = ["compare", "comparison_rows", "read_result"]

#: Deviations closer than this (in units of the range, or relative) count as equal ("=").
SAME = 1e-9

_NEEDED = ("model", "published", "published_low", "published_high", "verdict", "status", "units")


def read_result(path) -> xr.Dataset:
    """The validation result at ``path`` (a ``validation.nc``, or the folder holding one).

    Raises
    ------
    painsim.errors.PathError
        No such file, or a file that is not a result of ``painsim validate``.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "validation.nc"
    if not path.is_file():
        raise PathError(f"--compare {path}: no such file (a validation.nc of painsim validate, or its folder)")
    try:
        ds = xr.load_dataset(path)
    except (OSError, ValueError) as e:
        raise PathError(f"--compare {path}: not a NetCDF file ({e})") from None
    missing = [v for v in _NEEDED if v not in ds] + ([] if "target" in ds.dims else ["target"])
    if missing:
        raise PathError(f"--compare {path}: not a result of painsim validate (no {', '.join(missing)})")
    return ds


def _closer(d_base: float, d_new: float, v_base: str, v_new: str) -> str:
    """"yes" when the new value lies closer to the published figure than the baseline's, "no"
    when farther, "=" when as close; for a direction-only or unpublished figure only a changed
    verdict decides ("n/a" otherwise)."""
    if np.isfinite(d_base) and np.isfinite(d_new):
        if abs(abs(d_new) - abs(d_base)) <= SAME * max(1.0, abs(d_base)):
            return "="
        return "yes" if abs(d_new) < abs(d_base) else "no"
    if np.isinf(d_base) or np.isinf(d_new):  # a range closed on the model's side (e.g. 0-0)
        return "=" if d_base == d_new else ("yes" if abs(d_new) < abs(d_base) else "no")
    if v_base != v_new and "n/a" not in (v_base, v_new):
        return "yes" if v_new == "yes" else "no"
    return "n/a"


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
        Over ``target`` (``current``'s): ``model_baseline`` (NaN where the baseline did not
        measure the target), ``model``, ``deviation_baseline`` and ``deviation``
        (:func:`painsim.analysis.published_deviation`), ``verdict_baseline`` and ``verdict``,
        ``closer`` ("yes", "no", "=", "n/a"), with ``current``'s published figures, status and
        units; attributes ``seed_baseline``, ``seed``, ``model_overrides_baseline`` and
        ``model_overrides`` (the ``--set`` variant of each run, "" for the model as shipped).
    """
    names = [str(n) for n in current["target"].values]
    known = {str(n) for n in baseline["target"].values}
    m_base = np.array([float(baseline["model"].sel(target=n)) if n in known else np.nan for n in names])
    v_base = np.array([str(baseline["verdict"].sel(target=n).values) if n in known else "n/a" for n in names],
                      object)
    pub = [current[k].values.astype(float) for k in ("published", "published_low", "published_high")]
    d_base, d_new = published_deviation(m_base, *pub), published_deviation(current["model"].values, *pub)
    v_new = current["verdict"].values.astype(str)
    closer = np.array([_closer(a, b, va, vb) if n in known else "n/a"
                       for n, a, b, va, vb in zip(names, d_base, d_new, v_base, v_new)], object)
    one = {"units": "1"}
    out = current[[v for v in current.data_vars if v.startswith("published") or v in ("status", "units", "what")]]
    out = out.assign(
        model_baseline=("target", m_base, {"units": "1", "long_name": "the baseline's model value (in the units "
                                                                     "of its target: variable 'units')"}),
        model=current["model"],
        deviation_baseline=("target", d_base, {**one, "long_name": "the baseline's deviation from the published "
                                                                   "figure (painsim.analysis.published_deviation)"}),
        deviation=("target", d_new, {**one, "long_name": "deviation from the published figure "
                                                         "(painsim.analysis.published_deviation)"}),
        verdict_baseline=("target", v_base, {**one, "long_name": "the baseline's verdict"}),
        verdict=current["verdict"],
        closer=("target", closer, {**one, "long_name": "this run closer to the published figure than the "
                                                       "baseline (yes, no, =, n/a)"}))
    out.attrs = {"title": "painsim validation: two runs against the published figures",
                 "seed_baseline": baseline.attrs.get("seed", ""), "seed": current.attrs.get("seed", ""),
                 "model_overrides_baseline": baseline.attrs.get("model_overrides", ""),
                 "model_overrides": current.attrs.get("model_overrides", "")}
    return out


def comparison_rows(ds: xr.Dataset) -> list[str]:
    """The comparison as Markdown lines, and a last line counting the closer targets by status."""
    rows = ["| target | baseline | this run | published | range | reproduced (baseline → this run) | closer | "
            "status |", "|---|---|---|---|---|---|---|---|"]
    for name in ds["target"].values:
        r = ds.sel(target=name)
        unit = "" if str(r["units"].values) == "1" else f" {r['units'].values}"
        rng = ("–" if not np.isfinite(float(r["published_low"])) else
               f"{_fmt(float(r['published_low']))}–{_fmt(float(r['published_high']))}")
        rows.append(f"| {name} | {_fmt(float(r['model_baseline']))}{unit} | {_fmt(float(r['model']))}{unit} | "
                    f"{_published(r, unit)} | {rng} | {r['verdict_baseline'].values} → {r['verdict'].values} | "
                    f"{r['closer'].values} | {r['status'].values} |")
    closer, status = ds["closer"].values.astype(str), ds["status"].values.astype(str)
    counts = "; ".join(f"{label}: {int(((closer == 'yes') & (status == s)).sum())} closer, "
                       f"{int(((closer == 'no') & (status == s)).sum())} farther, "
                       f"{int(((closer == '=') & (status == s)).sum())} as close"
                       for s, label in (("prediction", "predictions"), ("calibrated", "calibrated targets")))
    return rows + ["", f"this run against the baseline: {counts} (closer on a calibrated target is a check, "
                       "not evidence)"]
