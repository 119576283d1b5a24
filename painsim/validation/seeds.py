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

from ..errors import ParameterError, PathError, UsageError
from ..labels import UNITS_FROM
from ..version import source_digest
from .comparison import _figures, read_result
from .run import _fmt, _published, _range, inputs_fingerprint, kept_targets
from .targets import judge

__all__ = ["across_seeds", "seed_header", "seed_rows", "kept_run", "finished_targets", "refuse_interrupted",
           "INDEPENDENT_SPACING"]

#: A target measured at seed ``s`` averages the circuits (or patients) ``s``, ``s + 1``, ... (4 to
#: 16 of them in the registry), so runs at seeds closer than that share circuits and their values
#: are not independent draws.  Seeds this far apart share none (chosen: well above the largest
#: block of circuits a target uses).
INDEPENDENT_SPACING = 100

#: Per-target variables carried over from the first run (the published figures and descriptions).
_CARRIED = ("published", "published_low", "published_high", "published_direction", "published_direction_from",
            "units", "what", "status", "source")
#: Attributes every run must share: a spread over seeds is one model's (model and experiment files,
#: variant, engine: ``inputs_digest``), measured by one code.
_SAME = ("painsim_source", "inputs_digest", "model_overrides")


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
    if any("seed" not in r.attrs for r in results):
        raise ParameterError("results", "a run without a seed attribute", "results of painsim validate (each "
                             "records its seed)")
    seeds = [int(r.attrs["seed"]) for r in results]
    twice = sorted({s for s in seeds if seeds.count(s) > 1})
    if twice:
        raise ParameterError("seeds", seeds, f"runs at different seeds (seed {twice[0]} appears twice)")
    for key in _SAME:
        values = {str(r.attrs.get(key, "")) for r in results}
        if len(values) > 1:
            raise ParameterError(key, sorted(values), "runs of one code, one set of model and experiment files and "
                                 "one model variant (a spread over seeds must not mix in changes of the model)")
    first = results[0]
    every = [set(map(str, r["target"].values)) for r in results]
    names = [str(n) for n in first["target"].values if all(str(n) in s for s in every)]
    union = set().union(*every)
    model = np.array([[float(r["model"].sel(target=n)) for r in results] for n in names], float).reshape(
        len(names), len(results))
    base = first.sel(target=names)
    figures = _figures(first, names)  # published, low, high, direction, its origin (older files: no direction)
    verdict = np.array([[judge(v, lo, hi, int(d), origin) for v in row]
                        for row, (_, lo, hi, d, origin) in zip(model, figures)], dtype=object).reshape(model.shape)
    finite = np.where(np.isfinite(model), model, np.nan)
    low = np.array([np.nanmin(row) if np.isfinite(row).any() else np.nan for row in finite])
    high = np.array([np.nanmax(row) if np.isfinite(row).any() else np.nan for row in finite])
    data = {
        "model": (("target", "seed"), model, {UNITS_FROM: "units", "long_name": "the model's value at each seed (in the "
                                              "units of its target: variable 'units')"}),
        "verdict": (("target", "seed"), verdict, {"units": "1", "long_name": "model within the published range "
                                                  "at this seed (yes, no, n/a)"}),
        "model_low": (("target",), low, {UNITS_FROM: "units", "long_name": "smallest value over the seeds (in the "
                                         "units of its target: variable 'units')"}),
        "model_high": (("target",), high, {UNITS_FROM: "units", "long_name": "largest value over the seeds (in the "
                                           "units of its target: variable 'units')"}),
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
    return xr.Dataset(data, coords={"target": ("target", names, {"units": "1", "long_name": "validation target"}),
                                    "seed": ("seed", np.array(seeds, np.int64), {"units": "1",
                                                                                 "long_name": "seed of the run"})},
                      attrs=attrs)


def seed_header(ds: xr.Dataset) -> str:
    """One line naming what :func:`across_seeds` set side by side: version, seeds, model variant.

    Parameters
    ----------
    ds : xarray.Dataset
        The result of :func:`across_seeds` (its attributes are read; "?" for one that is missing).

    Returns
    -------
    str
    """
    variant = ds.attrs.get("model_overrides")
    return (f"painsim {ds.attrs.get('painsim_version') or '?'}, seeds {ds.attrs.get('seeds', '?')}"
            + (f", every model with {variant}" if variant else ""))


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
        missing = int((~np.isfinite(r["model"].values.astype(float))).sum())
        if 0 < missing < r["model"].size:  # the spread of the others must not read as agreement
            spread += f" (no value at {missing} of {r['model'].size} seeds)"
        rows.append(f"| {name} | {values}{unit} | {spread}{unit} | {_published(r, unit)} | {_range(r)} | "
                    f"{' '.join(map(str, r['verdict'].values))} | {'yes' if bool(r['agree']) else 'no'} | "
                    f"{r['status'].values} |")
    rows.append("")
    names, status = ds["target"].values.astype(str), ds["status"].values.astype(str)
    agree, reproduced = ds["agree"].values, ds["reproduced"].values
    # judged: a verdict at some seed; a published figure with no value at any seed is named apart
    judged = np.array([any(v != "n/a" for v in row) for row in ds["verdict"].values], bool)
    figures = _figures(ds, list(names))
    published = np.isfinite(figures[:, 1]) | (figures[:, 3] != 0)
    valueless = published & ~np.isfinite(ds["model"].values).any(axis=1)
    for s, label in (("prediction", "predictions"), ("calibrated", "calibrated targets")):
        mine = (status == s) & judged
        every = int((mine & (reproduced == len(seeds))).sum())
        some = int((mine & (reproduced > 0) & (reproduced < len(seeds))).sum())
        none = int((mine & (reproduced == 0)).sum())
        differ = [n for n, m, a in zip(names, mine, agree) if m and not a]
        rows.append(f"{label}: {every} reproduced at every seed, {some} at some seeds only, {none} at none"
                    + (f" (verdicts differ between seeds: {', '.join(differ)})" if differ else ""))
    if valueless.any():
        rows.append(f"no value at any seed: {', '.join(names[valueless])}")
    if np.diff(sorted(seeds)).min() < INDEPENDENT_SPACING:  # across_seeds holds two seeds or more
        rows.append(f"warning: seeds less than {INDEPENDENT_SPACING} apart share circuits (a target at seed s "
                    f"averages circuits s, s + 1, ...), so these are not independent draws; e.g. --seeds 1 "
                    f"{1 + INDEPENDENT_SPACING} {1 + 2 * INDEPENDENT_SPACING}")
    if ds.attrs.get("absent"):
        rows.append(f"not measured at every seed (left out): {ds.attrs['absent']}")
    return rows


def kept_run(folder, names: Sequence[str], seed: int, overrides: str = "") -> xr.Dataset | None:
    """A finished validation run that ``painsim validate --seeds ... --resume`` may keep.

    Parameters
    ----------
    folder : path-like
        The run's folder (its ``validation.nc``).
    names : sequence of str
        Targets the run must hold.
    seed : int
        The seed it must have been measured at.
    overrides : str
        The model variant in force (the text of :func:`painsim.params.overrides_text`, "" for the
        model as shipped), which the run must record.

    Returns
    -------
    xarray.Dataset or None
        The run, if it measured every target of ``names`` at ``seed`` with this code
        (``painsim_source``), these model and experiment files, variant and engine
        (``inputs_digest``: :func:`painsim.validation.run.inputs_fingerprint`); None otherwise, also
        for a missing or unreadable file (the seed is then measured again).
    """
    ds = _same_run(folder, seed, overrides)
    return ds if ds is not None and set(names) <= set(map(str, ds["target"].values)) else None


def finished_targets(folder, seed: int, overrides: str = "") -> dict[str, tuple[float, float]]:
    """The targets of a finished validation run in ``folder`` that ``painsim validate --resume`` keeps.

    So a finished fast run, resumed with ``--slow``, measures only the slow targets.

    Parameters
    ----------
    folder : path-like
        The run's folder (its ``validation.nc``).
    seed : int
        The seed the run must have been measured at.
    overrides : str
        The model variant in force, as :func:`kept_run` takes it.

    Returns
    -------
    dict
        Target name -> (the model's value, seconds), if the run was measured at ``seed`` with this
        code, these model and experiment files, variant and engine (as :func:`kept_run`); empty
        otherwise, also for a missing or unreadable file.
    """
    ds = _same_run(folder, seed, overrides)
    if ds is None:
        return {}
    return {str(name): (float(value), float(seconds))
            for name, value, seconds in zip(ds["target"].values, ds["model"].values, ds["seconds"].values)}


def _same_run(folder, seed: int, overrides: str) -> xr.Dataset | None:
    """The run in ``folder`` if it is of ``seed``, this code, these inputs and this variant."""
    try:
        ds = read_result(folder, f"the run of seed {seed}")
    except PathError:
        return None
    same = (int(ds.attrs.get("seed", -1)) == int(seed) and ds.attrs.get("painsim_source") == source_digest()
            and ds.attrs.get("inputs_digest") == inputs_fingerprint()
            and str(ds.attrs.get("model_overrides", "")) == overrides)
    return ds if same else None


def refuse_interrupted(out, seeds: Sequence[int]) -> None:
    """Refuse a ``--seeds`` run without ``--resume`` into ``out`` when one of its seeds' folders
    (``<out>/seed_<s>``) holds the kept targets of an interrupted run (measuring the seeds before it
    again, only to be refused there, would waste their work).

    Parameters
    ----------
    out : path-like
        The ``--out`` folder.
    seeds : sequence of int
        The run's seeds.

    Raises
    ------
    painsim.errors.UsageError
        Naming the folder and the way on (``--resume``, or another ``--out``).
    """
    for seed in seeds:
        folder = Path(out) / f"seed_{seed}"
        if kept_targets(folder / "targets"):
            raise UsageError(f"{folder} holds an interrupted run's targets: continue it with --resume, "
                             "or choose another --out")
