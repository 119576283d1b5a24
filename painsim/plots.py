"""Figures from results.  Takes Datasets, returns matplotlib Figures; runs nothing."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg") if matplotlib.get_backend().lower() in ("", "agg") else None
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

__all__ = ["conditions_figure", "raster", "windup_figure", "save_figure", "FIGURES", "experiment_figures"]

COLORS = {"Abeta": "#4C72B0", "Adelta": "#8172B3", "C": "#C44E52", "IN": "#55A868",
          "EX": "#DD8452", "PN": "#222222"}


def _spikes(ds: xr.Dataset, population: str, condition: int | None = None):
    pops = ds["spike_population"].attrs["flag_meanings"].split()
    sel = ds["spike_population"].values == pops.index(population)
    if condition is not None and "spike_condition" in ds:
        sel &= ds["spike_condition"].values == condition
    return ds["spike_time"].values[sel], ds["spike_neuron"].values[sel]


def raster(ax, ds: xr.Dataset, populations=("C", "Abeta", "IN", "EX", "PN"), condition=None):
    """Spike raster of several populations stacked on one axis."""
    offset, ticks, names = 0, [], []
    sizes = dict(zip(ds.population.values, np.atleast_2d(ds["population_size"].values)[0]))
    for pop in populations:
        t, i = _spikes(ds, pop, condition)
        ax.scatter(t, i + offset, s=1.5, color=COLORS.get(pop, "k"), linewidths=0)
        ticks.append(offset + sizes[pop] / 2)
        names.append(pop)
        offset += sizes[pop] + 2
    ax.set_yticks(ticks, names)
    ax.set_xlim(0, float(ds.attrs.get("duration_s", ds.time.values[-1])))
    ax.set_xlabel("time (s)")


def conditions_figure(ds: xr.Dataset, title: str | None = None):
    """Rasters and projection/interneuron rates per condition, and pain scores."""
    conds = list(ds.condition.values)
    n = len(conds)
    fig = plt.figure(figsize=(4.2 * n, 8), constrained_layout=True)
    gs = fig.add_gridspec(3, n, height_ratios=[2.2, 1.2, 1.2])
    for k, c in enumerate(conds):
        ax = fig.add_subplot(gs[0, k])
        raster(ax, ds, condition=k)
        ax.set_title(str(c), fontsize=10)
        ax2 = fig.add_subplot(gs[1, k])
        for pop in ("PN", "IN", "EX"):
            r = ds["rates"].isel(condition=k).sel(population=pop).values
            w = max(1, int(round(0.05 / float(ds.time.values[1] - ds.time.values[0])))) if ds.time.size > 1 else 1
            smooth = np.convolve(r, np.ones(w) / w, mode="same")
            ax2.plot(ds.time.values, smooth, color=COLORS[pop], label=pop)
        ax2.set_ylabel("rate (Hz)")
        ax2.set_xlabel("time (s)")
        if k == 0:
            ax2.legend(fontsize=8, frameon=False)
    ax3 = fig.add_subplot(gs[2, :])
    pain = ds["pain"].values
    bars = ax3.bar(range(n), pain, color="#C44E52")
    for b, p, g in zip(bars, pain, ds["gate_index"].values):
        ax3.text(b.get_x() + b.get_width() / 2, p + 0.15, f"NRS {p:.1f}\ngate {g:.2f}", ha="center", fontsize=9)
    ax3.set_xticks(range(n), [str(c) for c in conds], fontsize=9)
    ax3.set_ylim(0, 11)
    ax3.set_ylabel("pain (NRS 0-10)")
    fig.suptitle(title or ds.attrs.get("experiment", ""), fontsize=12)
    return fig


def windup_figure(counts: np.ndarray, labels, title="Wind-up"):
    """Projection-neuron spikes per stimulus over a train, one line per condition.

    ``counts`` has shape (conditions, stimuli)."""
    fig, ax = plt.subplots(figsize=(5, 3.5), constrained_layout=True)
    for c, lab in zip(np.atleast_2d(counts), labels):
        ax.plot(np.arange(1, c.size + 1), c, "o-", label=lab)
    ax.set_xlabel("stimulus number")
    ax.set_ylabel("PN spikes per stimulus (per neuron)")
    ax.set_title(title)
    ax.legend(frameon=False)
    return fig


def save_figure(fig, path) -> str:
    """Save a figure as PNG atomically and close it."""
    from .io import atomic_path
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return str(path)


#: Figures an experiment file can ask for with ``figure = "<name>"`` (or a list of names).
#: Each takes the experiment's Dataset and returns a Figure.
FIGURES = {"conditions": conditions_figure}


def experiment_figures(ds: xr.Dataset, names) -> dict:
    """The figures named by an experiment, as {name: Figure}."""
    from .errors import UnknownKeyError
    names = [names] if isinstance(names, str) else list(names)
    out = {}
    for n in names:
        if n not in FIGURES:
            raise UnknownKeyError(n, FIGURES, what="figure")
        out[n] = FIGURES[n](ds)
    return out
