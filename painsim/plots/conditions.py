"""Figures of conditions experiments: rasters, rates and pain per condition; wind-up."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from .. import readouts
from ..analysis import pn_site, result_duration
from ..errors import ParameterError
from .common import COLORS, checked_labels, closes_on_error, experiment_title, raster, require

__all__ = ["conditions_figure", "windup_figure"]


#: Running mean of the rate panels (s): an even number of 10-ms bins averages whole periods of a
#: 50 Hz train (2 bins), so the trace does not zig-zag between the bins with and without a volley.
SMOOTHING = 0.06


def _smooth(r: np.ndarray, bins: int) -> np.ndarray:
    """Running mean over ``bins`` bins, normalised at the edges (no fall-off from zero padding); at
    most over all of ``r``'s bins (:func:`_window`), so the result has ``r``'s length however short."""
    r = np.asarray(r, dtype=float)
    if r.size == 0:
        return r
    kernel = np.ones(_window(bins, r.size))
    return np.convolve(r, kernel, mode="same") / np.convolve(np.ones_like(r), kernel, mode="same")


def _window(bins: int, n: int) -> int:
    """The bins a running mean of ``bins`` bins averages over a trace of ``n`` bins: at most ``n``
    (np.convolve's "same" mode returns the longer of its two inputs: a window longer than a run of
    fewer bins, below 60 ms, gave a trace longer than its time axis)."""
    return max(1, min(bins, n))


def _pn_site(ds: xr.Dataset, k: int) -> tuple[int | None, str]:
    """Condition ``k``'s site where the printed PN rate is read (:func:`painsim.analysis.pn_site`: its
    stimulated site, its test site, else the painful site) and its name; None with one site (or a
    result that does not record its layout)."""
    if ds.sizes.get("site", 1) == 1 or "population_site_neurons" not in ds:
        return None, ""
    return pn_site(ds, k)


def _site_rate(ds: xr.Dataset, k: int, pop: str, site: int | None, width: float | None = None) -> np.ndarray | None:
    """Binned rate of ``pop``'s neurons at ``site`` in condition ``k`` (bins of ``width``, default the
    condition's own); None without a site or for a population not laid out by site."""
    per_site = 0 if site is None else readouts.site_block(ds, pop, condition=k)
    if per_site == 0:
        return None
    width = readouts.own_bins(ds["rates"].isel(condition=k))[1] if width is None else width
    t, i = readouts.population_spikes(ds, pop, k)
    mine = (i >= site * per_site) & (i < (site + 1) * per_site)
    return readouts.binned_rate(t[mine], per_site, result_duration(ds, k), width)[1]


def _rate_panel(ax, ds: xr.Dataset, k: int, legend: bool) -> None:
    """Projection, inhibitory and excitatory rates of condition ``k`` (:data:`SMOOTHING` running
    mean, over the whole run where it is shorter) on its own bins, at the site where the printed PN rate is read (:func:`_pn_site`) where the
    result has several."""
    rates, width = readouts.own_bins(ds["rates"].isel(condition=k))  # conditions of other bins: their own
    bins = max(2, 2 * int(round(SMOOTHING / 2 / width)))
    site, name = _pn_site(ds, k)
    where = "all sites"
    for pop in ("PN", "IN", "EX"):
        if pop not in rates.population.values:   # a model file's empty population (n_inhibitory = 0)
            continue
        r = _site_rate(ds, k, pop, site, width)
        where = name if r is not None else where
        r = rates.sel(population=pop).values if r is None else r
        ax.plot(rates.time.values, _smooth(r, bins), color=COLORS[pop], label=pop)
    ax.set_ylabel(f"rate (Hz){', ' + where if ds.sizes.get('site', 1) > 1 else ''}")
    window = _window(bins, rates.sizes["time"]) * width   # a run shorter than SMOOTHING: its whole length
    ax.set_xlabel(f"time (s; {round(window * 1e3, 6):g} ms running mean)")
    if legend:
        ax.legend(fontsize=8, frameon=False)


#: The result :func:`conditions_figure` draws, in words.
_RESULT = "a conditions result of painsim run (an experiment over condition, with its spikes)"


@closes_on_error
def conditions_figure(ds: xr.Dataset, title: str | None = None):
    """Rasters and projection/interneuron rates per condition (one rate scale for all, so sizes
    compare across conditions), and pain scores (with unpleasantness where the model has the
    medial pathway).

    Parameters
    ----------
    ds : xarray.Dataset
        A conditions result over ``condition`` (spikes, ``rates`` in Hz, ``pain``, ``gate_index``;
        ``unpleasantness`` if any).
    title : str, optional
        Default: :func:`painsim.plots.common.experiment_title`.

    Returns
    -------
    matplotlib.figure.Figure
        Per condition a raster and the rates (Hz) against time (s); below, the scores (NRS 0-10).

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a conditions result (no ``condition`` dimension, rates, scores or spikes).
    """
    require(ds, _RESULT, dims=("condition", "population", "time"),
            variables=("rates", "pain", "gate_index", "population_size", "spike_time", "spike_neuron",
                       "spike_population"))
    conds = list(ds.condition.values)
    n = len(conds)
    fig = plt.figure(figsize=(4.2 * n, 8), constrained_layout=True)
    gs = fig.add_gridspec(3, n, height_ratios=[2.2, 1.2, 1.2])
    first = None
    for k, c in enumerate(conds):
        ax = fig.add_subplot(gs[0, k])
        raster(ax, ds, condition=k)
        ax.set_title(str(c), fontsize=10)
        first = fig.add_subplot(gs[1, k], sharey=first)
        _rate_panel(first, ds, k, legend=k == 0)
    first.set_ylim(bottom=0)   # once every panel's data is in: the shared scale covers them all
    ax3 = fig.add_subplot(gs[2, :])
    scores = [("pain", "#C44E52")] + ([("unpleasantness", "#8172B2")] if "unpleasantness" in ds else [])
    width = 0.8 / len(scores)
    for j, (var, color) in enumerate(scores):
        x = np.arange(n) + (j - (len(scores) - 1) / 2) * width
        values = ds[var].values
        ax3.bar(x, values, width, color=color, label=var)
        for xk, v, g in zip(x, values, ds["gate_index"].values):
            ax3.text(xk, v + 0.15, f"NRS {v:.1f}" + (f"\ngate {g:.2f}" if var == "pain" else ""), ha="center",
                     fontsize=9 if len(scores) == 1 else 7)
    if len(scores) > 1:
        ax3.legend(frameon=False, fontsize=8, loc="upper left")
    ax3.set_xticks(range(n), [str(c) for c in conds], fontsize=9)
    ax3.set_ylim(0, 12.5)   # room for the two-line labels above a bar at 10
    ax3.set_yticks(range(0, 11, 2))
    ax3.set_ylabel("NRS 0-10" if len(scores) > 1 else "pain (NRS 0-10)")
    fig.suptitle(title or experiment_title(ds), fontsize=11)
    return fig


def _windup_counts(counts) -> np.ndarray:
    """``counts`` as a (conditions, stimuli) float array (one row for a single train); a ragged,
    empty, non-numeric or more than 2-D value refused, naming ``counts``."""
    allowed = "spikes per stimulus, one row per condition: a (conditions, stimuli) array of numbers, " \
              "every row as long"
    if counts is None or isinstance(counts, (str, bytes, dict)):
        raise ParameterError("counts", counts, allowed)
    try:
        c = np.atleast_2d(np.asarray(counts, dtype=float))
    except (TypeError, ValueError):
        raise ParameterError("counts", counts, allowed) from None
    if c.ndim != 2 or c.size == 0:
        raise ParameterError("counts", counts, allowed, hint=f"shape {np.shape(c)}")
    return c


@closes_on_error
def windup_figure(counts: np.ndarray, labels, title="Wind-up"):
    """Projection-neuron spikes per stimulus over a train, one line per condition.

    ``counts`` has shape (conditions, stimuli).

    Parameters
    ----------
    counts : array_like
        Spikes per projection neuron after each stimulus; one row per condition (a 1-D array is
        one condition).
    labels : str or sequence of str
        Legend label of each condition, one per row; a single string labels a single condition.
    title : str
        The axis title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    painsim.errors.ParameterError
        ``counts`` is not a non-empty (conditions, stimuli) array of numbers (None, ragged rows,
        text); ``labels`` is not one label per condition (a count mismatch dropped conditions or
        labels silently; a string was read one character per condition).
    """
    rows = _windup_counts(counts)
    labels = checked_labels(labels, rows.shape[0], "condition")
    fig, ax = plt.subplots(figsize=(5, 3.5), constrained_layout=True)
    for c, lab in zip(rows, labels):
        ax.plot(np.arange(1, c.size + 1), c, "o-", label=lab)
    ax.set_xlabel("stimulus number")
    ax.set_ylabel("PN spikes per stimulus (per neuron)")
    ax.set_title(title)
    ax.legend(frameon=False)
    return fig
