"""What every figure shares: colours, the spike raster, saving, axis helpers."""
from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg") if matplotlib.get_backend().lower() in ("", "agg") else None
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ..io import atomic_path  # noqa: E402
from ..readouts import population_spikes  # noqa: E402

__all__ = ["COLORS", "raster", "save_figure", "datasets_and_labels", "figure_and_axes", "pct",
           "experiment_title"]

COLORS = {"Abeta": "#4C72B0", "Adelta": "#8172B3", "C": "#C44E52", "IN": "#55A868",
          "EX": "#DD8452", "PN": "#222222"}


def raster(ax, ds: xr.Dataset, populations=("C", "Adelta", "Abeta", "IN", "EX", "PN"), condition=None):
    """Spike raster of several populations stacked on one axis (afferents C, Aδ, Aβ, then dorsal-horn neurons).

    A population the result does not have (a model with none of those neurons or fibres, e.g.
    ``afferents.C.n = 0``) is left out of the raster."""
    offset, ticks, names = 0, [], []
    sizes = dict(zip(ds.population.values, np.atleast_2d(ds["population_size"].values)[0]))
    for pop in populations:
        if pop not in sizes:
            continue
        t, i = population_spikes(ds, pop, condition)
        ax.scatter(t, i + offset, s=1.5, color=COLORS.get(pop, "k"), linewidths=0)
        ticks.append(offset + sizes[pop] / 2)
        names.append({"Abeta": "Aβ", "Adelta": "Aδ"}.get(pop, pop))
        offset += sizes[pop] + 2
    ax.set_yticks(ticks, names)
    ax.set_xlim(0, float(ds.attrs.get("duration_s", ds.time.values[-1])))
    ax.set_xlabel("time (s)")


def save_figure(fig, path) -> str:
    """Save a figure as PNG atomically and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return str(path)


def datasets_and_labels(ds, labels=None) -> tuple[list, list]:
    """One Dataset or a list of them, and their legend labels (default: each one's ``rule`` attribute)."""
    dss = [ds] if isinstance(ds, xr.Dataset) else list(ds)
    return dss, labels or [d.attrs.get("rule", "") for d in dss]


def figure_and_axes(ax=None, figsize=(5, 3.6)):
    """``(figure, axes)``: of ``ax`` if given, else of a new constrained-layout figure."""
    return plt.subplots(figsize=figsize, constrained_layout=True) if ax is None else (ax.figure, ax)


def pct(x):
    """Fractions as percent (float array)."""
    return 100.0 * np.asarray(x, float)


def experiment_title(ds: xr.Dataset, fallback: str = "") -> str:
    """A figure's title for the result ``ds``: the experiment's name (attribute ``experiment``, else
    ``name``, else ``fallback``) and, wrapped below it, what the file says it does (``description``),
    so a figure shown on its own says what was simulated."""
    name = ds.attrs.get("experiment") or ds.attrs.get("name") or fallback
    description = str(ds.attrs.get("description", "")).strip()
    return f"{name}\n{textwrap.fill(description, 100)}" if description else name
