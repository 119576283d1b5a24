"""Figures of synaptic plasticity: spinal LTP/LTD experiments and the classic protocol curves."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from ..analysis import changed_connections
from .common import closes_on_error, datasets_and_labels, experiment_title, figure_and_axes, pct, require

__all__ = ["ltp_ltd_figure", "stdp_window_figure", "pairing_frequency_figure", "frequency_curve_figure"]


def _before_after_panels(axes, ds: xr.Dataset, x, labels) -> None:
    """Pain and PN rate to the test stimulus before and after each protocol (two axes)."""
    for ax, key, ylab in ((axes[0], "pain", "pain to test stimulus (NRS)"),
                          (axes[1], "pn_rate", "PN rate to test stimulus (Hz)")):
        b, a = ds[f"{key}_before"].values, ds[f"{key}_after"].values
        ax.bar(x - 0.18, b, 0.36, color="#999999", label="before")
        ax.bar(x + 0.18, a, 0.36, color="#C44E52", label="after")
        for xi, bi, ai in zip(x, b, a):
            ch = (ai / bi - 1) * 100 if bi > 0 else np.nan
            ax.text(xi + 0.18, ai, f"{ch:+.0f}%", ha="center", va="bottom", fontsize=8)
        ax.set_xticks(x, labels, fontsize=9)
        ax.set_ylabel(ylab)
        ax.legend(frameon=False, fontsize=8)
    axes[0].set_ylim(0, 10.5)


def _efficacy_panel(ax, ds: xr.Dataset, x, labels) -> None:
    """Relative change of the mean efficacy of each plastic connection (%)."""
    conns = changed_connections(ds)
    width = 0.8 / max(len(conns), 1)
    for k, c in enumerate(conns):
        ch = pct(ds[f"w_{c}_change"].values)
        bars = ax.bar(x + (k - (len(conns) - 1) / 2) * width, ch, width,
                      color=np.where(ch >= 0, "#C44E52", "#4C72B0"), edgecolor="k", linewidth=0.5,
                      label=c if len(conns) > 1 else None)
        for bar, v in zip(bars, ch):
            ax.text(bar.get_x() + bar.get_width() / 2, v, f"{v:+.0f}%", ha="center",
                    va="bottom" if v >= 0 else "top", fontsize=8)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(x, labels, fontsize=9)
    ax.set_ylabel("mean efficacy change (%)" + (f"\n{conns[0]}" if len(conns) == 1 else ""))
    lim = max(10.0, float(np.nanmax(np.abs([pct(ds[f"w_{c}_change"].values) for c in conns]))) * 1.25) \
        if conns else 10.0
    ax.set_ylim(-lim, lim)
    if len(conns) > 1:
        ax.legend(frameon=False, fontsize=8)


@closes_on_error
def ltp_ltd_figure(ds: xr.Dataset, title: str | None = None):
    """Spinal LTP/LTD of a conditioning experiment: pain and efficacy per protocol.

    Parameters
    ----------
    ds : xarray.Dataset
        Summary over ``protocol`` from
        :func:`painsim.conditioning.run_conditioning_experiment` (or
        ``condition_and_test``): ``pain_before``, ``pain_after``,
        ``pn_rate_before``, ``pn_rate_after`` and ``w_<conn>_change``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Left: pain (NRS) to the test stimulus before and after each protocol;
        middle: PN rate before/after; right: relative change of the mean
        efficacy of each plastic connection (%).
    """
    require(ds, "a conditioning summary (plasticity.run_conditioning_experiment)", dims=("protocol",),
            variables=("pain_before", "pain_after", "pn_rate_before", "pn_rate_after"))
    labels = [str(p) for p in ds.protocol.values]
    x = np.arange(len(labels))
    fig, axes = plt.subplots(1, 3, figsize=(max(10, 3.3 * len(labels) + 5), 3.8), constrained_layout=True)
    _before_after_panels(axes, ds, x, labels)
    _efficacy_panel(axes[2], ds, x, labels)
    fig.suptitle(title or experiment_title(ds, "spinal LTP/LTD"), fontsize=11)
    return fig


#: What each curve figure draws, in words (the error's "expected ...").
_WINDOW = "an STDP window (painsim.plasticity.stdp_window: dw over dt)"
_PAIRING = "a pairing-frequency curve (painsim.plasticity.pairing_frequency_curve: dw over dt and frequency)"
_FREQUENCY = "a frequency curve (painsim.plasticity.frequency_curve: dw over frequency)"


def _curves(ds, labels, what: str, dw_dims: tuple) -> tuple[list, list]:
    """The Datasets and their labels (:func:`painsim.plots.common.datasets_and_labels`), each
    Dataset refused unless it holds ``dw`` over ``dw_dims`` (a wrong result raised a KeyError)."""
    dss, labels = datasets_and_labels(ds, labels)
    for d in dss:
        require(d, what, dims=dw_dims, variables={"dw": dw_dims})
    return dss, labels


def _count_labels(dss, labels, attr: str, unit: str) -> tuple[str, list]:
    """The y label and the legend labels of curves after ``attr`` (``n_pulses``, ``n_pairs``) events.

    Curves that share one count: ``"Δw after {n} {unit}"`` on the axis, the labels as given.  Curves
    that differ (or one without the count): ``"Δw"`` on the axis and each curve's count in its legend
    label (added unless the label already says it): the axis named the first curve's count for all.
    """
    counts = [d.attrs.get(attr) for d in dss]
    if len(set(counts)) == 1:
        return (f"Δw after {counts[0]} {unit}" if counts[0] else "Δw"), labels
    said = [lab if n is None or f"{n} {unit}" in lab else ", ".join(filter(None, (lab, f"{n} {unit}")))
            for lab, n in zip(labels, counts)]
    return f"Δw (after each curve's {unit}, in the legend)", said


@closes_on_error
def stdp_window_figure(ds, labels=None, title: str = "STDP window", ax=None):
    """Weight change against spike timing (Bi & Poo 1998 style).

    Parameters
    ----------
    ds : xarray.Dataset or list of them
        From :func:`painsim.plasticity.stdp_window` (``dw`` over ``dt`` in s); drawn in order of
        ``dt`` whatever the order of the Dataset.
    labels : str or list of str, optional
        Legend entries, one per Dataset (a single string for a single Dataset; default: each
        Dataset's ``rule`` attribute).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not an STDP window or a list of them (naming ``ds``); ``labels`` is not one per
        Dataset (naming ``labels``).
    """
    dss, labels = _curves(ds, labels, _WINDOW, ("dt",))
    fig, ax = figure_and_axes(ax, (5, 3.6))
    for d, lab in zip(dss, labels):
        d = d.sortby("dt")
        ax.plot(d["dt"].values * 1e3, d["dw"].values, "o-", ms=3, label=lab)
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(0, color="k", lw=0.8, ls=":")
    ax.set_xlabel("Δt = t_post − t_pre (ms)")
    ax.set_ylabel("Δw per pair (weight units)")
    ax.set_title(title)
    if any(labels):
        ax.legend(frameon=False, fontsize=8)
    return fig


@closes_on_error
def pairing_frequency_figure(ds, labels=None, title: str = "Triplet STDP: pairing frequency", ax=None):
    """Weight change against pairing frequency, one line per Δt (Sjöström 2001; Pfister & Gerstner 2006 Fig. 4).

    Parameters
    ----------
    ds : xarray.Dataset or list of them
        From :func:`painsim.plasticity.pairing_frequency_curve` (``dw`` over ``(dt, frequency)``);
        drawn in order of frequency whatever the order of the Dataset.
    labels : str or list of str, optional
        One per Dataset (e.g. the preset names; a single string for a single Dataset), combined
        with Δt in the legend.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        The y axis names the number of pairings when every curve has the same; otherwise each
        curve's count is in its legend entry.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a pairing-frequency curve or a list of them (naming ``ds``); ``labels`` is not
        one per Dataset (naming ``labels``).
    """
    dss, labels = _curves(ds, labels, _PAIRING, ("dt", "frequency"))
    ylabel, labels = _count_labels(dss, labels, "n_pairs", "pairings")
    fig, ax = figure_and_axes(ax, (5.5, 3.8))
    styles = ["-", "--", ":", "-."]
    for k, (d, lab) in enumerate(zip(dss, labels)):
        d = d.sortby(["dt", "frequency"])
        dw = d["dw"].transpose("dt", "frequency").values
        for dt, row in zip(d["dt"].values, dw):   # by position: a repeated dt selected both rows
            col = "#C44E52" if dt > 0 else "#4C72B0"
            ax.plot(d["frequency"].values, row, styles[k % 4], marker="o", ms=3,
                    color=col, label=f"{lab} Δt = {dt * 1e3:+.0f} ms".strip())
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("pairing frequency (Hz)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=7)
    return fig


@closes_on_error
def frequency_curve_figure(ds, labels=None, title: str = "Calcium rule: sign vs stimulation frequency", ax=None):
    """Weight change after a presynaptic train against its frequency (LTD low, LTP high).

    Parameters
    ----------
    ds : xarray.Dataset or list of them
        From :func:`painsim.plasticity.frequency_curve` (``dw`` over ``frequency``); drawn in order
        of frequency whatever the order of the Dataset.
    labels : str or list of str, optional
        One per Dataset (a single string for a single Dataset; default: each one's ``rule``).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Each change of sign from LTD to LTP between neighbouring sampled frequencies is shaded.  The
        y axis names the number of pulses when every curve has the same; otherwise each curve's
        count is in its legend entry.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a frequency curve or a list of them (naming ``ds``); ``labels`` is not one per
        Dataset (naming ``labels``).
    """
    dss, labels = _curves(ds, labels, _FREQUENCY, ("frequency",))
    ylabel, labels = _count_labels(dss, labels, "n_pulses", "pulses")
    fig, ax = figure_and_axes(ax, (5.5, 3.8))
    for d, lab in zip(dss, labels):
        d = d.sortby("frequency")   # sign changes between neighbours in frequency, not in the list
        f, dw = d["frequency"].values, d["dw"].values
        line, = ax.plot(f, dw, "o-", ms=4, label=lab)
        s = np.sign(dw)
        for k in np.nonzero((s[:-1] < 0) & (s[1:] > 0))[0]:
            ax.axvspan(f[k], f[k + 1], color=line.get_color(), alpha=0.12, lw=0)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("presynaptic stimulation frequency (Hz)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if any(labels):
        ax.legend(frameon=False, fontsize=8)
    return fig
