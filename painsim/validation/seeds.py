"""One validation table over several seeds: does a verdict survive another draw of the circuits?

A target's model value comes from a few seeded circuits (a seed draws connectivity, fibre
thresholds and input spikes), so it carries sampling noise of its own.  A target reproduced
at one seed and missed at another is not evidence either way; calibrated and held-out targets
alike should be read with that spread beside them.  :func:`across_seeds` sets runs of one code
and one model variant at different seeds side by side (``painsim validate --seeds``), judges
each value against the published figure (:func:`painsim.validation.targets.judge`) and marks
the targets whose verdict depends on the seed; :func:`seed_rows` prints that as a table.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import xarray as xr

from ..errors import ParameterError
from ..version import source_digest
from .comparison import read_result
from .run import _fmt, _published, _range
from .targets import judge

__all__ = ["across_seeds", "seed_rows", "kept_run"]

#: Per-target variables carried over from the first run (the published figures and descriptions).
_CARRIED = ("published", "published_low", "published_high", "published_direction", "published_direction_from",
            "units", "what", "status", "source")
#: Attributes every run must share: a spread over seeds is one model's, measured by one code.
_SAME = ("painsim_source", "model_overrides")


def across_seeds(results: Sequence[xr.Dataset]) -> xr.Dataset:
    """The same validation targets measured at several seeds, judged per seed.

    Parameters
    ----------
    results : sequence of xarray.Dataset
        At least two results of :func:`painsim.validation.validate` (or
        :func:`painsim.validation.read_result`), each at its own seed, of the same code
        (``painsim_source``) and model variant (``model_overrides``).

    Returns
    -------
    xarray.Dataset
        Over ``target`` (the targets every run measured, in the first run's order) and ``seed``:
        ``model`` and ``verdict`` (:func:`painsim.validation.targets.judge` against the first run's
        published figures, which the runs share); over ``target``: ``model_low``/``model_high``
        (the smallest and largest value over seeds, NaN if none), ``reproduced`` (at how many
        seeds the verdict is "yes"), ``agree`` (every seed gives the same verdict), with the
        published figures, units, description, status and source.  Attributes: ``seeds``,
        ``painsim_source``, ``painsim_version``, ``model_overrides`` and ``absent`` (targets some
        run lacks, left out).

    Raises
    ------
    painsim.errors.ParameterError
        Fewer than two runs, two runs at one seed, or runs of different code or model variants.
    """
    results = list(results)
    if len(results) < 2:
        raise ParameterError("results", f"{len(results)} run(s)", "at least two validation runs at different seeds")
    seeds = [int(r.attrs.get("seed", -1)) for r in results]
    twice = sorted({s for s in seeds if seeds.count(s) > 1})
    if twice:
        raise ParameterError("seeds", seeds, f"runs at different seeds (seed {twice[0]} appears twice)")
    for key in _SAME:
        values = {str(r.attrs.get(key, "")) for r in results}
        if len(values) > 1:
            raise ParameterError(key, sorted(values), "runs of one code and one model variant (a spread over "
                                 "seeds must not mix in changes of the model)")
    first = results[0]
    every = [set(map(str, r["target"].values)) for r in results]
    names = [str(n) for n in first["target"].values if all(str(n) in s for s in every)]
    union = set().union(*every)
    model = np.array([[float(r["model"].sel(target=n)) for r in results] for n in names], float).reshape(
        len(names), len(results))
    base = first.sel(target=names)
    verdict = np.array([[_judge(base.sel(target=n), v) for v in row] for n, row in zip(names, model)],
                       dtype=object).reshape(model.shape)
    with np.errstate(all="ignore"):
        finite = np.where(np.isfinite(model), model, np.nan)
        low = np.array([np.nanmin(row) if np.isfinite(row).any() else np.nan for row in finite])
        high = np.array([np.nanmax(row) if np.isfinite(row).any() else np.nan for row in finite])
    data = {
        "model": (("target", "seed"), model, {"units": "1", "long_name": "the model's value at each seed (in the "
                                              "units of its target: variable 'units')"}),
        "verdict": (("target", "seed"), verdict, {"units": "1", "long_name": "model within the published range "
                                                  "at this seed (yes, no, n/a)"}),
        "model_low": (("target",), low, {"units": "1", "long_name": "smallest value over the seeds"}),
        "model_high": (("target",), high, {"units": "1", "long_name": "largest value over the seeds"}),
        "reproduced": (("target",), np.array([(row == "yes").sum() for row in verdict], np.int64),
                       {"units": "1", "long_name": "number of seeds at which the target is reproduced"}),
        "agree": (("target",), np.array([len(set(row)) == 1 for row in verdict], bool),
                  {"units": "1", "long_name": "every seed gives the same verdict"}),
    }
    data.update({k: base[k].variable for k in _CARRIED if k in base})
    attrs = {"seeds": " ".join(map(str, seeds)), "painsim_version": str(first.attrs.get("painsim_version", "")),
             "absent": " ".join(sorted(union - set(names))),
             **{k: str(first.attrs.get(k, "")) for k in _SAME},
             "title": "painsim validation over seeds: model against published figures"}
    return xr.Dataset(data, coords={"target": ("target", names, {"long_name": "validation target"}),
                                    "seed": ("seed", np.array(seeds, np.int64), {"long_name": "seed of the run"})},
                      attrs=attrs)


def _judge(r: xr.Dataset, value: float) -> str:
    """The verdict of ``value`` against the published figure of the row ``r`` (a direction-only
    figure by its side; runs written before the direction variables: the range only)."""
    direction = int(r["published_direction"]) if "published_direction" in r else 0
    origin = float(r["published_direction_from"]) if "published_direction_from" in r else 0.0
    return judge(value, float(r["published_low"]), float(r["published_high"]), direction, origin)


def seed_rows(ds: xr.Dataset) -> list[str]:
    """The spread over seeds as Markdown lines.

    Parameters
    ----------
    ds : xarray.Dataset
        The result of :func:`across_seeds`.

    Returns
    -------
    list of str
        The table (per target: the value at each seed, the range over seeds, the published
        figure and range, the verdict at each seed, whether they agree, the status), then one line
        per status counting the targets reproduced at every seed, at some and at none, and
        naming those whose verdict depends on the seed.
    """
    seeds = [int(s) for s in ds["seed"].values]
    rows = [f"| target | model (seed {', '.join(map(str, seeds))}) | over seeds | published | range | "
            "reproduced | same verdict | status |", "|---|---|---|---|---|---|---|---|"]
    for name in ds["target"].values:
        r = ds.sel(target=name)
        unit = "" if str(r["units"].values) == "1" else f" {r['units'].values}"
        values = ", ".join(_fmt(float(v)) for v in r["model"].values)
        # one number where the seeds agree to the digits shown ("–": no value at any seed)
        low, high = _fmt(float(r["model_low"])), _fmt(float(r["model_high"]))
        spread = low if low == high else f"{low}–{high}"
        rows.append(f"| {name} | {values}{unit} | {spread}{unit} | {_published(r, unit)} | {_range(r)} | "
                    f"{' '.join(map(str, r['verdict'].values))} | {'yes' if bool(r['agree']) else 'no'} | "
                    f"{r['status'].values} |")
    rows.append("")
    status, agree, reproduced = (ds["status"].values.astype(str), ds["agree"].values, ds["reproduced"].values)
    judged = np.array([any(v != "n/a" for v in row) for row in ds["verdict"].values], bool)
    for s, label in (("prediction", "predictions"), ("calibrated", "calibrated targets")):
        mine = (status == s) & judged
        every = int((mine & (reproduced == len(seeds))).sum())
        none = int((mine & agree & (reproduced == 0)).sum())
        changing = [str(n) for n, m, a in zip(ds["target"].values, mine, agree) if m and not a]
        rows.append(f"{label}: {every} reproduced at every seed, {len(changing)} at some seeds only, {none} at none"
                    + (f" (the verdict depends on the seed: {', '.join(changing)})" if changing else ""))
    if ds.attrs.get("absent"):
        rows.append(f"not measured at every seed (left out): {ds.attrs['absent']}")
    return rows


def kept_run(folder, names: Sequence[str], seed: int, overrides: str = "") -> xr.Dataset | None:
    """The finished run in ``folder`` (its ``validation.nc``) if it measured every target of
    ``names`` at ``seed`` with this code (``painsim_source``) and the model variant ``overrides``
    (the text of ``painsim.params.overrides_text``, "" for the model as shipped), else None:
    ``painsim validate --seeds ... --resume`` keeps it instead of measuring it again."""
    if not (Path(folder) / "validation.nc").is_file():
        return None
    ds = read_result(folder)
    same = (int(ds.attrs.get("seed", -1)) == int(seed) and ds.attrs.get("painsim_source") == source_digest()
            and str(ds.attrs.get("model_overrides", "")) == overrides)
    return ds if same and set(names) <= set(map(str, ds["target"].values)) else None
