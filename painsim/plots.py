"""Figures from results.  Takes Datasets, returns matplotlib Figures; runs nothing."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg") if matplotlib.get_backend().lower() in ("", "agg") else None
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

__all__ = ["conditions_figure", "raster", "windup_figure", "save_figure", "FIGURES", "experiment_figures",
           "pain_map_metrics", "pain_map_figure", "rtms_figure", "map_figure"]

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


# ---------------------------------------------------------------- SCS figures (issue 3)
def _experiment_conditions(ds: xr.Dataset) -> list:
    import json
    spec = json.loads(ds.attrs.get("experiment_spec", "{}") or "{}")
    conds = spec.get("condition", [])
    if len(conds) != ds.sizes.get("condition", 0):
        return [{} for _ in range(ds.sizes.get("condition", 0))]
    return conds


def scs_metrics(ds: xr.Dataset, k: int = 5, window: float = 1e-3) -> xr.Dataset:
    """Per-condition SCS readouts of an experiment Dataset (analysis only, no simulation).

    * ``recruited`` (condition, fiber_class): fraction of a class's fibers that fire
      more than in the matching no-stimulation condition (same parameters and
      seed, hence the same natural spike trains);
    * ``evoked_rate`` (condition, fiber_class): extra spikes per fiber per second;
    * ``volleys_per_pulse`` and ``volley_rate``: synchronous Aβ volleys (``>= k``
      distinct Aβ fibers within ``window``; :func:`painsim.recruitment.synchronous_volleys`),
      the paresthesia proxy (Sagalajev et al. 2024: paresthesia needs synchrony);
    * ``pn_rate``, ``pain``, ``gate_index`` copied from the Dataset.
    """
    import json
    from .recruitment import synchronous_volleys
    from .stimulation import from_spec
    conds = _experiment_conditions(ds)
    n = ds.sizes["condition"]
    duration = float(ds.attrs.get("duration_s", ds.time.values[-1] + (ds.time.values[1] - ds.time.values[0])))
    classes = ["Abeta", "Adelta", "C"]
    sizes = {p: int(np.atleast_1d(ds["population_size"].sel(population=p).values)[0]) for p in classes}

    def counts(c, pop):
        _, i = _spikes(ds, pop, c)
        return np.bincount(i, minlength=sizes[pop])

    def base_of(c):
        key = json.dumps(conds[c].get("params", {}), sort_keys=True)
        for b, cb in enumerate(conds):
            if "stimulus" not in cb and json.dumps(cb.get("params", {}), sort_keys=True) == key \
                    and cb.get("seed") == conds[c].get("seed"):
                return b
        return None

    rec = np.zeros((n, 3))
    evo = np.zeros((n, 3))
    vpp = np.zeros(n)
    vrate = np.zeros(n)
    for c in range(n):
        b = base_of(c)
        for j, pop in enumerate(classes):
            if "stimulus" not in conds[c]:
                break  # no device: nothing recruited
            now = counts(c, pop)
            ref = counts(b, pop) if b is not None and b != c else np.zeros_like(now)
            extra = now - ref
            rec[c, j] = np.mean(extra > 0) if now.size else 0.0
            evo[c, j] = max(extra.sum(), 0) / max(now.size, 1) / duration
        t, i = _spikes(ds, "Abeta", c)
        v = synchronous_volleys(t, i, k, window)
        vrate[c] = v.size / duration
        stim = conds[c].get("stimulus")
        n_pulses = 0
        if stim:
            wf = from_spec(stim)
            n_pulses = int(np.sum(wf.onsets < duration))
        vpp[c] = min(v.size / n_pulses, 1.0) if n_pulses else 0.0
    out = xr.Dataset(
        {"recruited": (("condition", "fiber_class"), rec, {"units": "1"}),
         "evoked_rate": (("condition", "fiber_class"), evo, {"units": "Hz"}),
         "volleys_per_pulse": (("condition",), vpp, {"units": "1", "k": k, "window_s": window}),
         "volley_rate": (("condition",), vrate, {"units": "Hz"}),
         "pn_rate": ds["pn_rate"], "pain": ds["pain"], "gate_index": ds["gate_index"]},
        coords={"condition": ds.condition.values, "fiber_class": classes})
    return out


def scs_modes_figure(ds: xr.Dataset, title: str | None = None):
    """Recruitment per class, paresthesia proxy, PN output and pain per SCS mode."""
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
    for xi, r in zip(x, m["volley_rate"].values):
        axes[1].text(xi, 1.02, f"{r:.0f}/s", ha="center", fontsize=8)
    axes[1].set_ylim(0, 1.2)
    axes[1].set_ylabel(f"sync. Aβ volleys\nper pulse (≥{m['volleys_per_pulse'].attrs['k']} fibers/1 ms)")
    axes[2].bar(x, m["pn_rate"], color=COLORS["PN"])
    axes[2].set_ylabel("PN rate (Hz)")
    axes[3].bar(x, m["pain"], color="#C44E52")
    axes[3].set_ylim(0, 10.5)
    axes[3].set_ylabel("pain (NRS)")
    axes[3].set_xticks(x, conds, rotation=20, ha="right", fontsize=8)
    fig.suptitle(title or ds.attrs.get("experiment", "SCS modes"))
    return fig


def scs_frequency_figure(ds: xr.Dataset, title: str | None = None):
    """PN output against tonic SCS frequency, spinal inhibition intact vs blocked
    (cf. Zhang, Janik & Grill 2014); dashed lines: the matching no-SCS condition."""
    from .stimulation import from_spec
    conds = _experiment_conditions(ds)
    pn = ds["pn_rate"].values
    groups: dict = {}
    for c, spec in enumerate(conds):
        gb = float(spec.get("params", {}).get("dorsal_horn.pharmacology.gaba_block", 0.0))
        g = groups.setdefault(gb, {"f": [], "pn": [], "base": None})
        if "stimulus" in spec:
            g["f"].append(from_spec(spec["stimulus"]).mean_rate)
            g["pn"].append(pn[c])
        else:
            g["base"] = pn[c]
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    colors = {0.0: "#55A868", 1.0: "#C44E52"}
    for gb, g in sorted(groups.items()):
        order = np.argsort(g["f"])
        lab = "GABA_A intact" if gb == 0 else f"GABA_A blocked ({gb:g})"
        col = colors.get(gb, None)
        line, = ax.plot(np.asarray(g["f"])[order], np.asarray(g["pn"])[order], "o-", color=col, label=lab)
        if g["base"] is not None:
            ax.axhline(g["base"], ls="--", color=line.get_color(), lw=1)
    ax.set_xscale("log")
    ax.set_xlabel("SCS frequency (Hz)")
    ax.set_ylabel("PN rate (Hz)")
    ax.legend(frameon=False)
    ax.set_title(title or ds.attrs.get("experiment", "SCS frequency"))
    return fig


FIGURES["scs_modes"] = scs_modes_figure
FIGURES["scs_frequency"] = scs_frequency_figure
__all__ += ["scs_metrics", "scs_modes_figure", "scs_frequency_figure"]


# ---------------------------------------------------------------- plasticity figures (issue 4)
def _pct(x):
    return 100.0 * np.asarray(x, float)


def ltp_ltd_figure(ds: xr.Dataset, title: str | None = None):
    """Spinal LTP/LTD of a conditioning experiment: pain and efficacy per protocol.

    Parameters
    ----------
    ds : xarray.Dataset
        Summary over ``protocol`` from
        :func:`painsim.plasticity.run_conditioning_experiment` (or
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
    from .errors import ParameterError
    need = ("pain_before", "pain_after", "pn_rate_before", "pn_rate_after")
    missing = [k for k in need if k not in ds]
    if "protocol" not in ds.dims or missing:
        raise ParameterError("ds", f"Dataset missing {missing or ['protocol']}",
                             "a conditioning summary (plasticity.run_conditioning_experiment)")
    labels = [str(p) for p in ds.protocol.values]
    x = np.arange(len(labels))
    conns = [k[2:-7] for k in ds.data_vars if k.startswith("w_") and k.endswith("_change")]
    fig, axes = plt.subplots(1, 3, figsize=(max(10, 3.3 * len(labels) + 5), 3.8), constrained_layout=True)
    for ax, key, unit, ylab in ((axes[0], "pain", "", "pain to test stimulus (NRS)"),
                                (axes[1], "pn_rate", " Hz", "PN rate to test stimulus (Hz)")):
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
    ax = axes[2]
    width = 0.8 / max(len(conns), 1)
    for k, c in enumerate(conns):
        ch = _pct(ds[f"w_{c}_change"].values)
        bars = ax.bar(x + (k - (len(conns) - 1) / 2) * width, ch, width,
                      color=np.where(ch >= 0, "#C44E52", "#4C72B0"), edgecolor="k", linewidth=0.5,
                      label=c if len(conns) > 1 else None)
        for bar, v in zip(bars, ch):
            ax.text(bar.get_x() + bar.get_width() / 2, v, f"{v:+.0f}%", ha="center",
                    va="bottom" if v >= 0 else "top", fontsize=8)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(x, labels, fontsize=9)
    ax.set_ylabel("mean efficacy change (%)" + (f"\n{conns[0]}" if len(conns) == 1 else ""))
    lim = max(10.0, float(np.nanmax(np.abs([_pct(ds[f"w_{c}_change"].values) for c in conns]))) * 1.25) \
        if conns else 10.0
    ax.set_ylim(-lim, lim)
    if len(conns) > 1:
        ax.legend(frameon=False, fontsize=8)
    fig.suptitle(title or ds.attrs.get("experiment", ds.attrs.get("name", "spinal LTP/LTD")))
    return fig


def stdp_window_figure(ds, labels=None, title: str = "STDP window", ax=None):
    """Weight change against spike timing (Bi & Poo 1998 style).

    Parameters
    ----------
    ds : xarray.Dataset or list of them
        From :func:`painsim.plasticity.stdp_window` (``dw`` over ``dt`` in s).
    labels : list of str, optional
        Legend entries (default: each Dataset's ``rule`` attribute).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    dss = [ds] if isinstance(ds, xr.Dataset) else list(ds)
    labels = labels or [d.attrs.get("rule", "") for d in dss]
    fig, ax = (plt.subplots(figsize=(5, 3.6), constrained_layout=True) if ax is None else (ax.figure, ax))
    for d, lab in zip(dss, labels):
        dt = d["dt"].values * 1e3
        o = np.argsort(dt)
        ax.plot(dt[o], d["dw"].values[o], "o-", ms=3, label=lab)
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(0, color="k", lw=0.8, ls=":")
    ax.set_xlabel("Δt = t_post − t_pre (ms)")
    ax.set_ylabel("Δw per pair (weight units)")
    ax.set_title(title)
    if any(labels):
        ax.legend(frameon=False, fontsize=8)
    return fig


def pairing_frequency_figure(ds, labels=None, title: str = "Triplet STDP: pairing frequency", ax=None):
    """Weight change against pairing frequency, one line per Δt (Sjöström 2001; Pfister & Gerstner 2006 Fig. 4).

    Parameters
    ----------
    ds : xarray.Dataset or list of them
        From :func:`painsim.plasticity.pairing_frequency_curve` (``dw`` over ``(dt, frequency)``).
    labels : list of str, optional
        One per Dataset (e.g. the preset names), combined with Δt in the legend.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    dss = [ds] if isinstance(ds, xr.Dataset) else list(ds)
    labels = labels or [d.attrs.get("rule", "") for d in dss]
    fig, ax = (plt.subplots(figsize=(5.5, 3.8), constrained_layout=True) if ax is None else (ax.figure, ax))
    styles = ["-", "--", ":", "-."]
    for k, (d, lab) in enumerate(zip(dss, labels)):
        for dt in d["dt"].values:
            col = "#C44E52" if dt > 0 else "#4C72B0"
            ax.plot(d["frequency"].values, d["dw"].sel(dt=dt).values, styles[k % 4], marker="o", ms=3,
                    color=col, label=f"{lab} Δt = {dt * 1e3:+.0f} ms".strip())
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("pairing frequency (Hz)")
    n = dss[0].attrs.get("n_pairs")
    ax.set_ylabel(f"Δw after {n} pairings" if n else "Δw")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=7)
    return fig


def frequency_curve_figure(ds, labels=None, title: str = "Calcium rule: sign vs stimulation frequency", ax=None):
    """Weight change after a presynaptic train against its frequency (LTD low, LTP high).

    Parameters
    ----------
    ds : xarray.Dataset or list of them
        From :func:`painsim.plasticity.frequency_curve` (``dw`` over ``frequency``).
    labels : list of str, optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        The zero crossing (if any) is marked.
    """
    dss = [ds] if isinstance(ds, xr.Dataset) else list(ds)
    labels = labels or [d.attrs.get("rule", "") for d in dss]
    fig, ax = (plt.subplots(figsize=(5.5, 3.8), constrained_layout=True) if ax is None else (ax.figure, ax))
    for d, lab in zip(dss, labels):
        f, dw = d["frequency"].values, d["dw"].values
        line, = ax.plot(f, dw, "o-", ms=4, label=lab)
        s = np.sign(dw)
        for k in np.nonzero((s[:-1] < 0) & (s[1:] > 0))[0]:
            ax.axvspan(f[k], f[k + 1], color=line.get_color(), alpha=0.12, lw=0)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("presynaptic stimulation frequency (Hz)")
    n = dss[0].attrs.get("n_pulses")
    ax.set_ylabel(f"Δw after {n} pulses" if n else "Δw")
    ax.set_title(title)
    if any(labels):
        ax.legend(frameon=False, fontsize=8)
    return fig


FIGURES["ltp_ltd"] = ltp_ltd_figure
__all__ += ["ltp_ltd_figure", "stdp_window_figure", "pairing_frequency_figure", "frequency_curve_figure"]


# ---------------------------------------------------------------- sweep figures (issue 7)
def _axis_label(ds: xr.Dataset, name: str) -> tuple[str, float]:
    """Axis label and scale factor for a swept coordinate, in the unit the spec used."""
    from .units import UNITS
    unit = ds[name].attrs.get("display_unit", "") or ""
    scale = UNITS[unit][0] if unit in UNITS else 1.0
    return (f"{name} ({unit})" if unit else name), scale


def sweep_figure(ds: xr.Dataset, outcome: str = "pain", x: str | None = None, y: str | None = None,
                 title: str | None = None):
    """An outcome of a sweep: heat map over two swept parameters, or curve over one.

    Parameters
    ----------
    ds : xarray.Dataset
        The result of :func:`painsim.run_sweep` (a grid design); the outcome
        is averaged over repeated seeds (the curve shows mean +- SD).
    outcome : str
        A scalar outcome of the sweep.
    x, y : str, optional
        Swept parameters for the horizontal and vertical axes (default: the
        first two swept dimensions).  Other swept dimensions are averaged.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .errors import UnknownKeyError
    if outcome not in ds:
        raise UnknownKeyError(outcome, [v for v in ds.data_vars if v not in ("seed", "status", "error")],
                              what="outcome")
    da = ds[outcome]
    swept = [d for d in da.dims if d not in ("repeat", "point")]
    if "point" in da.dims:  # a sampled design: scatter of the points
        params = [c for c in ds.coords if ds[c].dims == ("point",) and c != "point"]
        x = x or params[0]
        fig, ax = plt.subplots(figsize=(5.5, 4), constrained_layout=True)
        m = da.mean("repeat") if "repeat" in da.dims else da
        xl, xs = _axis_label(ds, x)
        if len(params) > 1:
            y = y or params[1]
            yl, ys = _axis_label(ds, y)
            sc = ax.scatter(ds[x].values / xs, ds[y].values / ys, c=m.values, cmap="magma", s=25)
            fig.colorbar(sc, ax=ax, label=f"{outcome} ({da.attrs.get('units', '')})")
            ax.set_ylabel(yl)
        else:
            ax.plot(ds[x].values / xs, m.values, "o")
            ax.set_ylabel(outcome)
        ax.set_xlabel(xl)
        ax.set_title(title or ds.attrs.get("sweep", ""))
        return fig
    x = x or swept[0]
    for name in (x, y):
        if name is not None and name not in swept:
            raise UnknownKeyError(name, swept, what="swept parameter")
    others = [d for d in swept if d not in (x, y)]
    m = da.mean(["repeat"] + others) if "repeat" in da.dims else da.mean(others)
    sd = da.std(["repeat"] + others) if "repeat" in da.dims else None
    xl, xs = _axis_label(ds, x)
    log_x = ds[x].attrs.get("scale") == "log" or (ds[x].dtype.kind == "f" and ds[x].size > 2 and
                                                   float(ds[x].min()) > 0 and
                                                   float(ds[x].max()) / float(ds[x].min()) >= 50)
    units = da.attrs.get("units", "")
    if y is None and len(swept) >= 2:
        y = [d for d in swept if d != x][0]
        m = da.mean([d for d in da.dims if d not in (x, y)])
    if y is None:
        fig, ax = plt.subplots(figsize=(5.5, 3.8), constrained_layout=True)
        xv = ds[x].values / xs if ds[x].dtype.kind == "f" else np.arange(ds[x].size)
        ax.errorbar(xv, m.values, yerr=None if sd is None else sd.values, fmt="o-", capsize=3, color="#C44E52")
        if ds[x].dtype.kind != "f":
            ax.set_xticks(xv, [str(v) for v in ds[x].values])
        elif log_x:
            ax.set_xscale("log")
        ax.set_xlabel(xl)
        ax.set_ylabel(f"{outcome} ({units})" if units else outcome)
    else:
        fig, ax = plt.subplots(figsize=(6.2, 4.4), constrained_layout=True)
        m = m.transpose(y, x)
        im = ax.imshow(m.values, origin="lower", aspect="auto", cmap="magma",
                       vmin=0 if outcome == "pain" else None, vmax=10 if outcome == "pain" else None)
        fig.colorbar(im, ax=ax, label=f"{outcome} ({units})" if units else outcome)
        yl, ys = _axis_label(ds, y)

        def ticks(name, scale):
            v = ds[name].values
            return [f"{val / scale:.4g}" if ds[name].dtype.kind == "f" else str(val) for val in v]
        ax.set_xticks(range(ds[x].size), ticks(x, xs), rotation=45 if ds[x].size > 6 else 0)
        ax.set_yticks(range(ds[y].size), ticks(y, ys))
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        for (j, i), v in np.ndenumerate(m.values):
            if m.size <= 80 and np.isfinite(v):
                ax.text(i, j, f"{v:.1f}" if abs(v) < 100 else f"{v:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if v < np.nanmean(m.values) else "black")
    ax.set_title(title or f"{ds.attrs.get('sweep', '')}: {outcome}")
    return fig


def sweep_figures(ds: xr.Dataset) -> dict:
    """The figures of a sweep as {name: Figure}: its spec's ``figure`` table, else one per outcome.

    A spec may ask for ``figure = {outcomes = ["pain"], x = "stimulus.rate", y = "stimulus.amplitude"}``.
    """
    import json
    spec = json.loads(ds.attrs.get("spec", "{}") or "{}")
    fig_spec = spec.get("figure") or {}
    outcomes = fig_spec.get("outcomes") or [o for o in json.loads(ds.attrs.get("outcomes", "[]"))
                                            if o in ds and ds[o].ndim <= len([d for d in ds.dims
                                                                               if d != "repeat"]) + 1]
    out = {}
    for o in outcomes:
        if o in ds and all(d in ds.dims for d in ds[o].dims):
            extra = [d for d in ds[o].dims if d not in ds["seed"].dims]
            if extra:  # outcomes over days etc.: not a sweep heat map
                continue
            out[f"sweep_{o}"] = sweep_figure(ds, o, x=fig_spec.get("x"), y=fig_spec.get("y"))
    return out


__all__ += ["sweep_figure", "sweep_figures"]


# ---------------------------------------------------------------- pain map and rTMS (issue 5)
def _condition_param(ds: xr.Dataset, k: int, path: str) -> float:
    """A model parameter (SI) of condition ``k`` from the stored parameter JSON."""
    import json
    from .units import parse
    node = json.loads(str(ds["parameters"].values[k]))
    for part in path.split("."):
        node = node[part]
    return parse(node, path)[0] if isinstance(node, str) else float(node)


def _stimulated_site(ds: xr.Dataset, k: int) -> int | None:
    """The one body site that received natural stimulation in condition ``k`` (None if not one)."""
    import json
    sites = set()
    for key in ("noxious", "touch"):
        if key not in ds:
            continue
        val = json.loads(str(ds[key].values[k]))
        if "intensity" in val:  # one-site model
            sites.add(0) if val["intensity"] > 0 else None
        else:
            sites.update(int(s) for s, v in val.items() if v["intensity"] > 0)
    return sites.pop() if len(sites) == 1 else None


def pain_map_metrics(ds: xr.Dataset) -> xr.Dataset:
    """Site areas, painful-site overactive area and centroid per model (analysis only).

    ``ds`` is a ``pain_map``-style experiment result: conditions that each
    give noxious input to one body site of a pathway model.  Conditions are
    grouped by model; within a model, the map responses to the sites give the
    winner-take-all territories (:func:`painsim.readouts.site_territories`).

    Returns
    -------
    xarray.Dataset
        Over ``model`` and ``site``: ``site_area`` (m^2), ``site_centroid_x``
        (m), ``painful_overactive_area`` (m^2), ``painful_pain``;
        ``site_maps`` (model, site, map_y, map_x) and ``territory`` (model,
        map_y, map_x; -1 = no site).
    """
    from . import readouts
    from .errors import ParameterError
    if "map_rate" not in ds:
        raise ParameterError("ds", "no map_rate", "results of a model with network.layers = 'pathway'")
    models = [str(m) for m in ds["model"].values] if "model" in ds else ["model"] * ds.sizes["condition"]
    names = list(dict.fromkeys(models))
    n_sites = ds.sizes["site"]
    ny, nx = ds.sizes["map_y"], ds.sizes["map_x"]
    maps = np.full((len(names), n_sites, ny, nx), np.nan)
    pains = np.full((len(names), n_sites), np.nan)
    thr = _condition_param(ds, 0, "readout.map_overactive_rate")
    h = _condition_param(ds, 0, "cortex.map.spacing")
    painful = [0] * len(names)
    for k, m in enumerate(models):
        s = _stimulated_site(ds, k)
        if s is None:
            continue
        g = names.index(m)
        maps[g, s] = ds["map_rate"].values[k]
        pains[g, s] = float(ds["pain"].values[k])
        painful[g] = int(_condition_param(ds, k, "body.painful_site"))
    area = np.zeros((len(names), n_sites))
    cx = np.full((len(names), n_sites), np.nan)
    terr = np.full((len(names), ny, nx), -1)
    over = np.zeros(len(names))
    for g in range(len(names)):
        filled = np.nan_to_num(maps[g], nan=0.0)
        area[g] = readouts.site_areas(filled, thr, h)
        terr[g] = readouts.site_territories(filled, thr)
        for s in range(n_sites):
            cx[g, s] = readouts.map_centroid(filled[s], thr, h)[0]
        over[g] = readouts.active_area(filled[painful[g]], thr, h)
    return xr.Dataset(
        {"site_area": (("model", "site"), area, {"units": "m^2"}),
         "site_centroid_x": (("model", "site"), cx, {"units": "m"}),
         "site_pain": (("model", "site"), pains, {"units": "NRS 0-10"}),
         "painful_overactive_area": (("model",), over, {"units": "m^2"}),
         "painful_site": (("model",), np.array(painful)),
         "site_maps": (("model", "site", "map_y", "map_x"), maps, {"units": "Hz"}),
         "territory": (("model", "map_y", "map_x"), terr)},
        coords={"model": names, "site": np.arange(n_sites), "map_x": ds["map_x"].values,
                "map_y": ds["map_y"].values},
        attrs={"threshold_hz": thr, "spacing_m": h})


def pain_map_figure(ds: xr.Dataset, title: str | None = None):
    """S1 pain map per model: response to the painful site, site territories, site areas."""
    met = pain_map_metrics(ds)
    n = met.sizes["model"]
    fig, axes = plt.subplots(n, 3, figsize=(12, 2.8 * n + 0.6), squeeze=False)
    x_mm, y_mm = met["map_x"].values * 1e3, met["map_y"].values * 1e3
    ext = [x_mm[0] - 0.5, x_mm[-1] + 0.5, y_mm[-1] + 0.5, y_mm[0] - 0.5]
    vmax = np.nanmax(met["site_maps"].values) if np.isfinite(met["site_maps"].values).any() else 1.0
    cmap = plt.get_cmap("tab10")
    for g, name in enumerate(met.model.values):
        p = int(met["painful_site"].values[g])
        ax = axes[g, 0]
        im = ax.imshow(np.nan_to_num(met["site_maps"].values[g, p]), extent=ext, cmap="inferno", vmin=0, vmax=vmax)
        ax.contour(x_mm, y_mm, np.nan_to_num(met["site_maps"].values[g, p]) > met.attrs["threshold_hz"],
                   levels=[0.5], colors="cyan", linewidths=1)
        ax.set_title(f"{name}: response to painful site {p}\noveractive area "
                     f"{float(met['painful_overactive_area'].values[g]) * 1e6:.0f} mm²", fontsize=9)
        ax.set_xlabel("x (mm)")
        ax.set_ylabel("y (mm)")
        fig.colorbar(im, ax=ax, label="rate (Hz)")
        ax = axes[g, 1]
        lab = met["territory"].values[g].astype(float)
        rgb = np.ones(lab.shape + (3,))
        for s in range(met.sizes["site"]):
            rgb[lab == s] = cmap(s)[:3]
        ax.imshow(rgb, extent=ext)
        ax.set_title("site territories (strongest response > threshold)", fontsize=9)
        ax.set_xlabel("x (mm)")
        ax = axes[g, 2]
        ax.bar(met.site.values, met["site_area"].values[g] * 1e6,
               color=[cmap(s) for s in met.site.values])
        ax.set_xlabel("body site")
        ax.set_ylabel("area (mm²)")
        ax.set_title("area each site occupies", fontsize=9)
    fig.suptitle(title or ds.attrs.get("experiment", "S1 pain map"))
    fig.tight_layout()
    return fig


def rtms_figure(ds: xr.Dataset, title: str | None = None):
    """Per condition: M1 and descending rates, PN output, map overactive area and pain."""
    labels = [str(c) for c in ds.condition.values]
    y = np.arange(len(labels))
    panels = [("m1_rate", "M1 (Hz)", 1.0), ("descending_rate", "PAG/RVM (Hz)", 1.0),
              ("pn_rate", "PN at painful site (Hz)", 1.0), ("map_overactive_area", "overactive S1 (mm²)", 1e6),
              ("pain", "pain (NRS)", 1.0)]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.0 * len(panels), 0.5 * len(labels) + 1.8), sharey=True)
    for ax, (var, name, scale) in zip(axes, panels):
        ax.barh(y, ds[var].values * scale, color="#4C72B0")
        ax.set_xlabel(name)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, labels, fontsize=8)
    axes[0].invert_yaxis()
    fig.suptitle(title or ds.attrs.get("experiment", "rTMS"))
    fig.tight_layout()
    return fig


def map_figure(ds: xr.Dataset, ax=None, title: str | None = None):
    """Heat map of one pathway result's S1 rates (``map_rate``)."""
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 2.6))
    x_mm, y_mm = ds["map_x"].values * 1e3, ds["map_y"].values * 1e3
    im = ax.imshow(ds["map_rate"].values, cmap="inferno", vmin=0,
                   extent=[x_mm[0] - 0.5, x_mm[-1] + 0.5, y_mm[-1] + 0.5, y_mm[0] - 0.5])
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.set_title(title or "S1 map", fontsize=9)
    (fig or ax.figure).colorbar(im, ax=ax, label="rate (Hz)")
    return fig or ax.figure


FIGURES["pain_map"] = pain_map_figure
FIGURES["rtms"] = rtms_figure


# ----------------------------------------------------------------- treatment courses
def _course_arms(ds: xr.Dataset):
    """(label, Dataset) per arm of a course result (``arm`` dim from run_course_file, or one arm)."""
    if "arm" in ds.dims:
        return [(str(a), ds.sel(arm=a)) for a in ds.arm.values]
    return [(str(ds.attrs.get("protocol", "course")), ds)]


def course_figure(ds: xr.Dataset, title: str | None = None):
    """Pain trajectory with session marks (top) and plastic weights over the course (bottom).

    Takes a :func:`painsim.run_course`, :func:`painsim.run_course_batch` or
    course-file result (several patients: mean and range; several arms: one
    line each).
    """
    arms = _course_arms(ds)
    conns = ds.attrs.get("plastic_connections", "").split()
    fig, axes = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True, constrained_layout=True)
    colors = ["#C44E52", "#4C72B0", "#55A868", "#8172B3"]
    for k, (label, a) in enumerate(arms):
        c = colors[k % len(colors)]
        pain = a["pain"]
        mean = pain.mean("patient") if "patient" in pain.dims else pain
        axes[0].plot(a.day.values, mean.values, "-o", ms=3, color=c, label=label)
        if "patient" in pain.dims and pain.sizes["patient"] > 1:
            axes[0].fill_between(a.day.values, pain.min("patient").values, pain.max("patient").values,
                                 color=c, alpha=0.15, lw=0)
        ps_ = a["pain_after_session"]
        ps_m = ps_.mean("patient") if "patient" in ps_.dims else ps_
        axes[0].plot(a.session_day.values + float(a.attrs.get("session_duration_days", 0)), ps_m.values, "v",
                     ms=4, color=c, alpha=0.6)
        for j, conn in enumerate(conns):
            if f"w_{conn}" not in a:
                continue
            w = a[f"w_{conn}"]
            wm = w.mean("patient") if "patient" in w.dims else w
            axes[1].plot(a.day.values, wm.values, ["-", "--", ":", "-."][j % 4], color=c,
                         label=f"{conn} ({label})")
    for d in arms[0][1].session_day.values:
        for ax in axes:
            ax.axvline(float(d), color="0.6", lw=0.6, alpha=0.6, zorder=0)
    for f in np.atleast_1d(arms[0][1].follow_up.values) if "follow_up" in arms[0][1].coords else []:
        axes[0].axvline(float(f), color="k", ls=":", lw=1)
    axes[0].set_ylabel("pain (NRS 0-10)")
    axes[0].set_ylim(0, 10)
    axes[0].legend(frameon=False, fontsize=8, title="test before session (o), after session (v)",
                   title_fontsize=7)
    axes[1].set_ylabel("mean efficacy")
    axes[1].set_xlabel("day (grey: sessions, dotted: follow-up)")
    if conns:
        axes[1].legend(frameon=False, fontsize=7, ncol=2)
    fig.suptitle(title or f"Treatment course: {ds.attrs.get('protocol', '')}")
    return fig


def course_map_figure(ds: xr.Dataset, title: str | None = None):
    """S1 map before treatment and on the last day (models with a cortical map only)."""
    if "map_rate_baseline" not in ds:
        raise ValueError("the course result has no S1 map (a model with network.layers = 'pathway' makes one)")
    arms = _course_arms(ds)
    fig, axes = plt.subplots(len(arms), 2, figsize=(7, 3 * len(arms)), squeeze=False, constrained_layout=True)
    for k, (label, a) in enumerate(arms):
        for j, (var, name) in enumerate((("map_rate_baseline", "before"), ("map_rate_final", "last day"))):
            img = a[var]
            img = img.mean("patient") if "patient" in img.dims else img
            im = axes[k, j].imshow(img.values, origin="lower", cmap="magma", aspect="auto")
            axes[k, j].set_title(f"{label}: {name}", fontsize=9)
            fig.colorbar(im, ax=axes[k, j], label="rate (Hz)")
    fig.suptitle(title or "S1 map")
    return fig


def course_figures(ds: xr.Dataset) -> dict:
    """The figures of a course result: {"course": ..., and "map" when the model has a map}."""
    out = {"course": course_figure(ds)}
    if "map_rate_baseline" in ds:
        out["map"] = course_map_figure(ds)
    return out


__all__ += ["course_figure", "course_map_figure", "course_figures"]


# ---------------------------------------------------------------- virtual cohorts
_GROUP_COLORS = {"all": "#222222", "peripheral": "#4C72B0", "central": "#C44E52", "ischemic": "#DD8452",
                 "hemorrhagic": "#8172B3", "central, other": "#937860"}


def _cohort_groups(ds: xr.Dataset) -> list:
    """(label, boolean mask over patients): peripheral, central post-stroke by type, other central."""
    et = ds["etiology"].values.astype(str) if "etiology" in ds else np.full(ds.sizes["patient"], "all")
    st = ds["stroke_type"].values.astype(str) if "stroke_type" in ds else np.full(et.shape, "none")
    out = [("peripheral", et == "peripheral"), ("ischemic", (et == "central") & (st == "ischemic")),
           ("hemorrhagic", (et == "central") & (st == "hemorrhagic")),
           ("central, other", (et == "central") & (st == "none"))]
    return [(g, m) for g, m in out if m.any()] or [("all", np.ones(et.shape, bool))]


def cohort_relief_figure(ds: xr.Dataset, ax=None, threshold: float = 0.3, title: str | None = None):
    """Relief of every patient by etiology (points, box), with the responder threshold.

    Takes a cohort Dataset (:func:`painsim.cohort.to_dataset`, or the
    result of a ``kind = "cohort"`` experiment).
    """
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    relief = 100 * ds["relief"].values
    groups = _cohort_groups(ds)
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
    ax.set_xticks(range(len(groups)), [f"{g}\n(n = {int(m.sum())})" for g, m in groups])
    ax.set_ylabel("relief (% of baseline pain)")
    ax.set_title(title or "Relief after the test course, by etiology", fontsize=10)
    return fig if fig is not None else ax.figure


def cohort_comparison_figure(ds: xr.Dataset, title: str | None = None):
    """Simulated vs published: responder rates (> 30 % relief) with Wilson CIs, and odds ratios with CIs.

    Left: responder rate overall and per group (simulated, 95 % Wilson
    interval) beside the published overall rate.  Right: the odds ratios of
    response (central vs peripheral, ischemic vs hemorrhagic), simulated
    (logistic regression, Wald interval) beside the published ones, on a
    log axis.
    """
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True,
                                 gridspec_kw={"width_ratios": [1.4, 1]})
    rr = ds.sel(threshold=0.3)
    groups = [g for g in ds.group.values if float(rr.responder_n.sel(group=g)) > 0]
    x = np.arange(len(groups))
    rate = 100 * rr.responder_rate.sel(group=groups).values
    lo = 100 * rr.responder_ci_low.sel(group=groups).values
    hi = 100 * rr.responder_ci_high.sel(group=groups).values
    a1.bar(x, rate, color=[_GROUP_COLORS.get(str(g), "0.5") for g in groups], alpha=0.8, label="simulated")
    a1.errorbar(x, rate, yerr=[np.clip(rate - lo, 0, None), np.clip(hi - rate, 0, None)], fmt="none", color="k",
                capsize=4)
    if "responder_rate_30" in ds.statistic.values:
        pub = 100 * float(ds["published"].sel(statistic="responder_rate_30"))
        a1.scatter([0], [pub], marker="D", s=60, color="#2ca02c", zorder=4, label="published (all, n = 193)")
        a1.axhline(pub, color="#2ca02c", ls=":", lw=1)
    a1.set_xticks(x, [f"{g}\n(n = {int(rr.responder_n.sel(group=g))})" for g in groups], fontsize=8)
    a1.set_ylabel("responders, relief > 30 % (%)")
    a1.set_ylim(0, 100)
    a1.legend(frameon=False, fontsize=8)
    a1.set_title("Responder rate (95 % Wilson CI)", fontsize=10)
    stats = [s for s in ds.statistic.values if str(s).startswith("or_")]
    labels = {"or_central_vs_peripheral": "central vs\nperipheral", "or_ischemic_vs_hemorrhagic": "ischemic vs\nhemorrhagic"}
    for k, s in enumerate(stats):
        d = ds.sel(statistic=s)
        for off, (v, l, h, c, lab) in enumerate(((d.simulated, d.sim_ci_low, d.sim_ci_high, "k", "simulated"),
                                                 (d.published, d.pub_ci_low, d.pub_ci_high, "#2ca02c", "published"))):
            v, l, h = float(v), float(l), float(h)
            y = k + (0.15 if off else -0.15)
            if not (np.isfinite(v) and v > 0):
                import matplotlib.transforms as mtransforms
                a2.text(0.5, y, f"{lab}: not estimable (a zero cell)", va="center", ha="center", fontsize=7,
                        color=c, transform=mtransforms.blended_transform_factory(a2.transAxes, a2.transData))
                continue
            xerr = [[max(v - l, 0)], [max(h - v, 0)]] if np.isfinite(l) and np.isfinite(h) else None
            a2.errorbar([v], [y], xerr=xerr, fmt="o" if off == 0 else "D", color=c, capsize=4,
                        label=lab if k == 0 else None)
    a2.axvline(1, color="0.6", lw=0.8)
    a2.set_xscale("log")
    a2.set_yticks(range(len(stats)), [labels.get(str(s), str(s)) for s in stats], fontsize=8)
    a2.set_ylim(-0.6, len(stats) - 0.4)
    a2.invert_yaxis()
    a2.set_xlabel("odds ratio of response (95 % CI, log scale)")
    a2.legend(frameon=False, fontsize=8)
    a2.set_title("Odds ratios", fontsize=10)
    n = ds.sizes["patient"]
    fig.suptitle(title or f"Virtual cohort (n = {n}) vs published (Eur J Pain 2025;29:e4763)", fontsize=11)
    return fig


def cohort_figures(ds: xr.Dataset) -> dict:
    """The figures of a cohort result: {"relief": ..., "comparison": ...}."""
    return {"relief": cohort_relief_figure(ds), "comparison": cohort_comparison_figure(ds)}


__all__ += ["cohort_relief_figure", "cohort_comparison_figure", "cohort_figures"]


# ---------------------------------------------------------------- figures of any saved result
def figures_for(ds: xr.Dataset) -> dict:
    """The standard figures of a saved result, chosen by what it is.

    Experiment results (``painsim run``) use their spec's ``figure`` names;
    conditioning summaries get the LTP/LTD figure; cohorts
    :func:`cohort_figures`; courses
    :func:`course_figures`; sweeps :func:`sweep_figures`.  Used by
    ``painsim figures RESULTS``.
    """
    import json
    from .errors import ParameterError
    if "spec" in ds.attrs and "outcomes" in ds.attrs:
        return sweep_figures(ds)
    if "patient" in ds.dims and "statistic" in ds.dims and "relief" in ds:  # a virtual cohort
        return cohort_figures(ds)
    if "session" in ds.dims and "relief" in ds:
        return course_figures(ds)
    if "protocol" in ds.dims and "pain_before" in ds:
        return {"ltp_ltd": ltp_ltd_figure(ds)}
    if "experiment_spec" in ds.attrs:
        spec = json.loads(ds.attrs["experiment_spec"])
        return experiment_figures(ds, spec.get("experiment", {}).get("figure", "conditions"))
    if "condition" in ds.dims:
        return {"conditions": conditions_figure(ds)}
    raise ParameterError("results", sorted(ds.dims), "a result of painsim run, course or sweep "
                         "(an experiment, conditioning, course or sweep Dataset)")


__all__ += ["figures_for"]
