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
    import json
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
