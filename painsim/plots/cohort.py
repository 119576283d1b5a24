"""Figures of virtual cohorts: relief per patient and the comparison with published numbers."""
from __future__ import annotations

import matplotlib.pyplot as plt
import matplotlib.transforms as mtransforms
import numpy as np
import xarray as xr

from ..analysis import cohort_groups
from .common import closes_on_error, require

__all__ = ["cohort_relief_figure", "cohort_comparison_figure", "cohort_figures"]

_GROUP_COLORS = {"all": "#222222", "peripheral": "#4C72B0", "central": "#C44E52", "ischemic": "#DD8452",
                 "hemorrhagic": "#8172B3", "central, other": "#937860"}
_COHORT = "a cohort result (painsim.cohort.to_dataset, or painsim run on a cohort file)"
_OR_LABELS = {"or_central_vs_peripheral": "central vs\nperipheral",
              "or_ischemic_vs_hemorrhagic": "ischemic vs\nhemorrhagic"}


@closes_on_error
def cohort_relief_figure(ds: xr.Dataset, ax=None, threshold: float = 0.3, title: str | None = None):
    """Relief of every patient by etiology (points, box), with the responder threshold.

    Takes a cohort Dataset (:func:`painsim.cohort.to_dataset`, or the
    result of a ``kind = "cohort"`` experiment).

    Parameters
    ----------
    ds : xarray.Dataset
        A cohort Dataset; ``relief`` is a fraction of the baseline pain, drawn in %.
    ax : matplotlib.axes.Axes, optional
        The axis drawn on (default: a new figure).
    threshold : float
        The responder threshold, a fraction of relief (drawn as a dashed line).
    title : str, optional
        Default: "Relief after the test course, by etiology".

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or the one ``ax`` belongs to; under each group, the number of its
        patients drawn (with a relief) and of those without one.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a cohort result (``relief`` over ``patient`` only: a course result's is over days).
    """
    require(ds, _COHORT, dims=("patient",), variables={"relief": ("patient",)})
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    relief = 100 * ds["relief"].values
    groups = cohort_groups(ds)
    rng = np.random.default_rng(0)  # jitter only (display)
    for k, (g, m) in enumerate(groups):
        y = relief[m]
        ax.boxplot([y[~np.isnan(y)]], positions=[k], widths=0.5, showfliers=False,
                   medianprops={"color": "k"}, boxprops={"color": "0.5"})
        ax.scatter(k + rng.uniform(-0.15, 0.15, y.size), y, s=14, color=_GROUP_COLORS.get(g, "k"), alpha=0.8,
                   zorder=3)
    ax.axhline(100 * threshold, color="k", ls="--", lw=1)
    ax.text(len(groups) - 0.5, 100 * threshold, f" {100 * threshold:g} %", va="bottom", ha="right", fontsize=8)
    ax.axhline(0, color="0.7", lw=0.8)
    drawn = [(g, int(np.isfinite(relief[m]).sum()), int(np.isnan(relief[m]).sum())) for g, m in groups]
    ax.set_xticks(range(len(groups)), [f"{g}\n(n = {n})" + (f"\n{nan} without relief" if nan else "")
                                       for g, n, nan in drawn])
    ax.set_ylabel("relief (% of baseline pain)")
    ax.set_title(title or "Relief after the test course, by etiology", fontsize=10)
    return fig if fig is not None else ax.figure


def _responder_panel(a1, ds: xr.Dataset) -> None:
    """Responder rate overall and per group (95 % Wilson CI) beside the published overall rate."""
    rr = ds.sel(threshold=0.3)
    groups = [g for g in ds.group.values if float(rr.responder_n.sel(group=g)) > 0]
    x = np.arange(len(groups))
    rate = 100 * rr.responder_rate.sel(group=groups).values
    lo = 100 * rr.responder_ci_low.sel(group=groups).values
    hi = 100 * rr.responder_ci_high.sel(group=groups).values
    a1.bar(x, rate, color=[_GROUP_COLORS.get(str(g), "0.5") for g in groups], alpha=0.8, label="simulated")
    a1.errorbar(x, rate, yerr=[np.clip(rate - lo, 0, None), np.clip(hi - rate, 0, None)], fmt="none", color="k",
                capsize=4)
    for xk, r in zip(x, rate):   # the value, also where the bar is too short to see
        a1.text(xk + 0.08, r + 1.5, f"{r:.0f} %", fontsize=8, ha="left")
    if "responder_rate_30" in ds.statistic.values:
        pub = 100 * float(ds["published"].sel(statistic="responder_rate_30"))
        # beside the simulated "all" bar, not on its interval (which it would read as an estimate of)
        a1.scatter([-0.3], [pub], marker="D", s=60, color="#2ca02c", zorder=4, label="published (all, n = 193)")
        a1.axhline(pub, color="#2ca02c", ls=":", lw=1)
    a1.set_xticks(x, [f"{g}\n(n = {int(rr.responder_n.sel(group=g))})" for g in groups], fontsize=8)
    a1.set_ylabel("responders, relief ≥ 30 % (%)")  # the simulated responders' (readouts.responders)
    a1.set_ylim(0, 100)
    a1.legend(frameon=False, fontsize=8)
    a1.set_title("Responder rate (95 % Wilson CI)", fontsize=10)


def _odds_ratio_panel(a2, ds: xr.Dataset) -> None:
    """Odds ratios of response, simulated (Wald interval) beside published, on a log axis."""
    stats = [s for s in ds.statistic.values if str(s).startswith("or_")]
    for k, s in enumerate(stats):
        d = ds.sel(statistic=s)
        for off, (v, l, h, c, lab) in enumerate(((d.simulated, d.sim_ci_low, d.sim_ci_high, "k", "simulated"),
                                                 (d.published, d.pub_ci_low, d.pub_ci_high, "#2ca02c", "published"))):
            v, l, h = float(v), float(l), float(h)
            y = k + (0.15 if off else -0.15)
            if not (np.isfinite(v) and v > 0):
                a2.text(0.5, y, f"{lab}: not estimable (a zero cell)", va="center", ha="center", fontsize=7,
                        color=c, transform=mtransforms.blended_transform_factory(a2.transAxes, a2.transData))
                continue
            xerr = [[max(v - l, 0)], [max(h - v, 0)]] if np.isfinite(l) and np.isfinite(h) else None
            a2.errorbar([v], [y], xerr=xerr, fmt="o" if off == 0 else "D", color=c, capsize=4,
                        label=lab if k == 0 else None)
    a2.axvline(1, color="0.6", lw=0.8)
    a2.set_xscale("log")
    a2.set_yticks(range(len(stats)), [_OR_LABELS.get(str(s), str(s)) for s in stats], fontsize=8)
    a2.set_ylim(-0.6, len(stats) - 0.4)
    a2.invert_yaxis()
    a2.set_xlabel("odds ratio of response (95 % CI, log scale)")
    a2.legend(frameon=False, fontsize=8)
    a2.set_title("Odds ratios", fontsize=10)


@closes_on_error
def cohort_comparison_figure(ds: xr.Dataset, title: str | None = None):
    """Simulated vs published: responder rates (>= 30 % relief) with Wilson CIs, and odds ratios with CIs.

    Left: responder rate overall and per group (simulated, 95 % Wilson
    interval) beside the published overall rate.  Right: the odds ratios of
    response (central vs peripheral, ischemic vs hemorrhagic), simulated
    (logistic regression, Wald interval) beside the published ones, on a
    log axis.

    Parameters
    ----------
    ds : xarray.Dataset
        A cohort Dataset (:func:`painsim.cohort.to_dataset`).
    title : str, optional
        Default: the cohort size and the published source.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a cohort result with its statistics.
    """
    require(ds, _COHORT, dims=("patient", "statistic", "group", "threshold"),
            variables=("responder_rate", "responder_ci_low", "responder_ci_high", "responder_n", "simulated",
                       "sim_ci_low", "sim_ci_high", "published", "pub_ci_low", "pub_ci_high"))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True,
                                 gridspec_kw={"width_ratios": [1.4, 1]})
    _responder_panel(a1, ds)
    _odds_ratio_panel(a2, ds)
    n = ds.sizes["patient"]
    fig.suptitle(title or f"Virtual cohort (n = {n}) vs published (Eur J Pain 2025;29:e4763)", fontsize=11)
    return fig


@closes_on_error
def cohort_figures(ds: xr.Dataset) -> dict:
    """The figures of a cohort result: {"relief": ..., "comparison": ...}.

    Parameters
    ----------
    ds : xarray.Dataset
        A cohort Dataset (:func:`painsim.cohort.to_dataset`).

    Returns
    -------
    dict of str -> matplotlib.figure.Figure
        :func:`cohort_relief_figure` and :func:`cohort_comparison_figure`.
    """
    return {"relief": cohort_relief_figure(ds), "comparison": cohort_comparison_figure(ds)}
