"""Figures of conditions experiments: rasters, rates and pain per condition; wind-up."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from .common import COLORS, raster

__all__ = ["conditions_figure", "windup_figure"]


def _rate_panel(ax, ds: xr.Dataset, k: int, legend: bool) -> None:
    """Projection, inhibitory and excitatory rates of condition ``k`` (50 ms running mean)."""
    for pop in ("PN", "IN", "EX"):
        r = ds["rates"].isel(condition=k).sel(population=pop).values
        w = max(1, int(round(0.05 / float(ds.time.values[1] - ds.time.values[0])))) if ds.time.size > 1 else 1
        smooth = np.convolve(r, np.ones(w) / w, mode="same")
        ax.plot(ds.time.values, smooth, color=COLORS[pop], label=pop)
    ax.set_ylabel("rate (Hz)")
    ax.set_xlabel("time (s)")
    if legend:
        ax.legend(fontsize=8, frameon=False)


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
        _rate_panel(fig.add_subplot(gs[1, k]), ds, k, legend=k == 0)
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
