"""Run the validation table: measure each target, compare with its published figure."""
from __future__ import annotations

import time
from typing import Callable, Iterable, Sequence

import numpy as np
import xarray as xr

from ..version import __version__
from .targets import TARGETS, Target, clear_measurements, get

__all__ = ["select", "validate", "table_rows"]


def select(names: Sequence[str] | None = None, slow: bool = False) -> list[Target]:
    """Targets by name (any cost), or every fast target (and the slow ones with ``slow``)."""
    if names:
        return [get(n) for n in dict.fromkeys(names)]
    return [t for t in TARGETS if slow or t.cost == "fast"]


def validate(names: Sequence[str] | None = None, slow: bool = False, seed: int = 1,
             progress: Callable[[str], None] | None = None) -> xr.Dataset:
    """Measure the model's value of each selected target beside the published one.

    Parameters
    ----------
    names : sequence of str, optional
        Targets to run (:data:`painsim.validation.TARGETS` names); default all fast ones.
    slow : bool
        Also run the slow targets (courses, cohorts, resting steady states) when ``names``
        is not given.
    seed : int
        Seed of every measurement.
    progress : callable, optional
        Called with a line before each target.

    Returns
    -------
    xarray.Dataset
        Over dimension ``target``: ``model``, ``published``, ``published_low``,
        ``published_high`` (NaN without a published range), ``published_direction``
        (the sign a direction-only source reports, else 0), ``verdict`` ("yes",
        "no", "n/a"), ``status``, ``units``, ``what``, ``source``, ``note`` and
        ``seconds`` (wall time of the measurement).
    """
    chosen = select(names, slow)
    clear_measurements()
    values, seconds = [], []
    for t in chosen:
        if progress:
            progress(f"painsim: validating {t.name} ({t.what})")
        t0 = time.time()
        values.append(float(t.measure(seed)))
        seconds.append(time.time() - t0)
    return _dataset(chosen, np.array(values), np.array(seconds), seed)


def _dataset(targets: Iterable[Target], values: np.ndarray, seconds: np.ndarray, seed: int) -> xr.Dataset:
    targets = list(targets)
    nan = float("nan")
    # the values of different targets are in different units, named per target by the variable
    # "units"; CF has no per-element unit, so those variables say "1" and their long_name says so
    per_target = " (in the units of its target: variable 'units')"
    text = {"status": "calibrated (a parameter was fitted or chosen with the target in view) or prediction",
            "units": "units of the target's values (UDUNITS)", "what": "what the target measures",
            "source": "published source of the target", "note": "what the comparison assumes"}
    data = {
        "model": (("target",), values, {"units": "1", "long_name": "the model's value" + per_target}),
        "published": (("target",), np.array([t.published for t in targets], float),
                      {"units": "1", "long_name": "the published value" + per_target}),
        "published_low": (("target",), np.array([nan if t.low is None else t.low for t in targets], float),
                          {"units": "1", "long_name": "lower end of the published range" + per_target}),
        "published_high": (("target",), np.array([nan if t.high is None else t.high for t in targets], float),
                           {"units": "1", "long_name": "upper end of the published range" + per_target}),
        "published_direction": (("target",), np.array([t.direction for t in targets], np.int8),
                                {"units": "1", "long_name": "sign of the published effect where the source "
                                 "gives only its direction (+1, -1; 0 otherwise)"}),
        "verdict": (("target",), np.array([t.verdict(v) for t, v in zip(targets, values)], dtype=object),
                    {"units": "1", "long_name": "model within the published range, or of the published sign "
                     "(yes, no, n/a without either)"}),
        "seconds": (("target",), seconds, {"units": "s", "long_name": "wall time of the measurement"}),
    }
    data.update({k: (("target",), np.array([getattr(t, k) for t in targets], dtype=object),
                     {"units": "1", "long_name": long_name}) for k, long_name in text.items()})
    return xr.Dataset(data, coords={"target": ("target", [t.name for t in targets],
                                               {"units": "1", "long_name": "validation target"})},
                      attrs={"seed": seed, "painsim_version": __version__,
                             "title": "painsim validation: model against published figures"})


def _fmt(x: float) -> str:
    return "–" if not np.isfinite(x) else f"{x:.3g}"


def _published(r: xr.Dataset, unit: str) -> str:
    """The published column: the figure, or the sign of a direction-only source."""
    direction = int(r["published_direction"]) if "published_direction" in r else 0
    if direction and not np.isfinite(float(r["published"])):
        return "> 0" if direction > 0 else "< 0"
    return f"{_fmt(float(r['published']))}{unit}"


def table_rows(ds: xr.Dataset, sources: bool = True) -> list[str]:
    """The validation table as Markdown lines (one row per target; ``sources=False``
    leaves out the description and source columns, for a terminal)."""
    rows = ["| target | what | model | published | range | reproduced | status | source |",
            "|---|---|---|---|---|---|---|---|"]
    for name in ds["target"].values:
        r = ds.sel(target=name)
        units = str(r["units"].values)
        unit = "" if units == "1" else f" {units}"
        rng = ("–" if not np.isfinite(float(r["published_low"])) else
               f"{_fmt(float(r['published_low']))}–{_fmt(float(r['published_high']))}")
        rows.append(f"| {name} | {r['what'].values} | {_fmt(float(r['model']))}{unit} | "
                    f"{_published(r, unit)} | {rng} | {r['verdict'].values} | "
                    f"{r['status'].values} | {r['source'].values} |")
    if not sources:  # drop the 'what' and 'source' columns
        rows = ["|" + "|".join(c for k, c in enumerate(row.split("|")[1:-1]) if k not in (1, 7)) + "|"
                for row in rows]
    return rows
