"""Figures of spinal cord stimulation experiments (recruitment, paresthesia proxy, frequency)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from ..analysis import scs_frequency_curves, scs_metrics, sep_metrics
from ..errors import ParameterError
from .common import COLORS, closes_on_error, experiment_title, require

__all__ = ["scs_modes_figure", "scs_frequency_figure", "sep_collision_figure"]


@closes_on_error
def scs_modes_figure(ds: xr.Dataset, title: str | None = None):
    """Recruitment per class, paresthesia proxy, PN output and pain per SCS mode.

    Parameters
    ----------
    ds : xarray.Dataset
        A conditions experiment result (read by :func:`painsim.analysis.scs_metrics`).
    title : str, optional
        Default: :func:`painsim.plots.common.experiment_title`.

    Returns
    -------
    matplotlib.figure.Figure
        Four panels: fraction recruited, synchronous Aβ volleys per pulse (above each bar: volleys/s beyond
        chance, "n/i" where chance cannot be told apart), PN rate (Hz), pain (NRS).

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a conditions result with spikes.
    """
    require(ds, "a conditions result of painsim run (an experiment over condition, with its spikes)",
            dims=("condition", "population"),
            variables=("population_size", "spike_time", "spike_neuron", "spike_population", "pn_rate", "pain",
                       "gate_index"))
    m = scs_metrics(ds)
    conds = [str(c) for c in m.condition.values]
    x = np.arange(len(conds))
    fig, axes = plt.subplots(4, 1, figsize=(max(6, 1.6 * len(conds)), 10), sharex=True,
                             constrained_layout=True)
    for j, cls in enumerate(m.fiber_class.values):
        axes[0].bar(x + (j - 1) * 0.25, m["recruited"].sel(fiber_class=cls), 0.25,
                    color=COLORS[str(cls)], label=str(cls))
    axes[0].set_ylabel("fraction recruited")
    axes[0].set_ylim(0, 1.05)
    axes[0].legend(frameon=False, fontsize=8, ncol=3)
    axes[1].bar(x, m["volleys_per_pulse"], color="#4C72B0")
    for xi, r in zip(x, m["volley_rate_beyond_chance"].values):  # chance-corrected; "n/i": not identified
        axes[1].text(xi, 1.02, "n/i" if np.isnan(r) else f"{r:.0f}/s", ha="center", fontsize=8)
    axes[1].set_ylim(0, 1.2)
    axes[1].set_ylabel(f"sync. Aβ volleys\nper pulse (≥{m['volleys_per_pulse'].attrs['k']} fibers/1 ms)")
    axes[2].bar(x, m["pn_rate"], color=COLORS["PN"])
    axes[2].set_ylabel("PN rate (Hz)")
    axes[3].bar(x, m["pain"], color="#C44E52")
    axes[3].set_ylim(0, 10.5)
    axes[3].set_ylabel("pain (NRS)")
    axes[3].set_xticks(x, conds, rotation=20, ha="right", fontsize=8)
    fig.suptitle(title or experiment_title(ds, "SCS modes"), fontsize=11)
    return fig


@closes_on_error
def scs_frequency_figure(ds: xr.Dataset, title: str | None = None):
    """PN output against tonic SCS frequency, spinal inhibition intact vs blocked
    (cf. Zhang, Janik & Grill 2014); dashed lines: the matching no-SCS condition.

    Parameters
    ----------
    ds : xarray.Dataset
        A conditions experiment result (read by :func:`painsim.analysis.scs_frequency_curves`).
    title : str, optional
        Default: the ``experiment`` attribute.

    Returns
    -------
    matplotlib.figure.Figure
        PN rate (Hz) against SCS frequency (Hz, log axis).

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a conditions result over ``condition`` with ``pn_rate``, or none of its
        conditions has a stimulus (its ``experiment_spec`` lists no SCS condition: no curve to draw).
    """
    what = "a conditions result of SCS frequencies (conditions with a stimulus table in its experiment_spec)"
    require(ds, what, dims=("condition",), variables=("pn_rate",))
    groups = scs_frequency_curves(ds)
    if not any(g["f"] for g in groups.values()):
        raise ParameterError("ds", f"a result of {ds.sizes['condition']} conditions, none with a stimulus", what)
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    colors = {0.0: "#55A868", 1.0: "#C44E52"}
    for gb, g in sorted(groups.items()):
        order = np.argsort(g["f"])
        lab = "GABA_A intact" if gb == 0 else ("GABA_A blocked" if gb == 1 else f"GABA_A {gb:.0%} blocked")
        col = colors.get(gb, None)
        line, = ax.plot(np.asarray(g["f"])[order], np.asarray(g["pn"])[order], "o-", color=col, label=lab)
        if g["base"] is not None:
            ax.axhline(g["base"], ls="--", color=line.get_color(), lw=1, label=f"{lab}, no SCS")
    ax.set_xscale("log")
    ax.set_xlabel("SCS frequency (Hz)")
    ax.set_ylabel("PN rate (Hz)")
    ax.legend(frameon=False)
    ax.set_title(title or ds.attrs.get("experiment", "SCS frequency"))
    return fig


@closes_on_error
def sep_collision_figure(ds: xr.Dataset, title: str | None = None):
    """The SEP collision test: the dorsal column nuclei's spikes around the test electrode's
    pulses per condition (peri-stimulus time histogram), and their evoked response relative to
    the first condition with one (the test pulses alone in ``experiments/sep_collision.toml``;
    :func:`painsim.analysis.sep_metrics`).

    Parameters
    ----------
    ds : xarray.Dataset
        A conditions experiment result with a test electrode.
    title : str, optional
        Default: :func:`painsim.plots.common.experiment_title`.

    Returns
    -------
    matplotlib.figure.Figure
        Top: DCN spikes per neuron and pulse against time from the test pulse (ms); bottom: the
        evoked response relative to the first.
    """
    m = sep_metrics(ds)
    conds = [str(c) for c in m.condition.values]
    x = np.arange(len(conds))
    sep = m["sep"].values
    ref = next((v for v in sep if np.isfinite(v) and v > 0), np.nan)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(max(6, 1.6 * len(conds)), 7), constrained_layout=True)
    lag_ms = 1e3 * m["lag"].values
    styles = ("-", "--", ":", "-.")
    for k, c in enumerate(conds):   # line styles differ so that identical histograms stay visible
        if np.isfinite(m["psth"].values[k]).all():
            top.step(lag_ms, m["psth"].values[k], where="mid", label=c, ls=styles[k % len(styles)])
    top.axvline(0, color="0.5", lw=0.8)
    top.set_xlabel("time from the test pulse (ms)")
    top.set_ylabel("DCN spikes per neuron\nand pulse (1-ms bins)")
    top.legend(frameon=False, fontsize=8)
    bottom.bar(x, np.nan_to_num(sep / ref), color=COLORS["Abeta"])
    for xi, v in zip(x, sep):
        bottom.text(xi, 0.02 if not np.isfinite(v) else np.nan_to_num(v / ref) + 0.02,
                    "no test pulses" if not np.isfinite(v) else f"{v / ref:.2f}\n({v:.2f} spikes)", ha="center",
                    fontsize=8)
    bottom.set_ylabel("evoked DCN response\n(relative to the first)")
    bottom.set_xticks(x, conds, rotation=20, ha="right", fontsize=8)
    fig.suptitle(title or experiment_title(ds, "SEP collision test"), fontsize=11)
    return fig
