"""Figures of parameter sweeps: a heat map over two swept parameters, a curve over one, a scatter
(sampled designs), or the runs of each seed (a sweep of repeated seeds without swept parameters)."""
from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from ..errors import ParameterError, UnknownKeyError
from ..units import UNITS
from .common import closes_on_error, require

__all__ = ["sweep_figure", "sweep_figures", "axis_label"]


#: Units as people write them on an axis ("1": no unit shown).
_SHOWN_UNITS = {"degC": "°C", "1": ""}


def axis_label(ds: xr.Dataset, name: str) -> tuple[str, float]:
    """Axis label and scale factor for a swept coordinate, in the unit the spec used.

    Parameters
    ----------
    ds : xarray.Dataset
        A sweep result.
    name : str
        The swept coordinate (its ``display_unit`` attribute is read; without one, its ``units``).

    Returns
    -------
    label : str
        ``"name (unit)"``, or ``name`` without a unit.
    scale : float
        The unit in SI units (1.0 if none): SI values divided by it are in that unit.
    """
    unit = ds[name].attrs.get("display_unit", "") or ""
    scale = UNITS[unit][0] if unit in UNITS else 1.0
    if not unit:  # no unit of the spec's: the values are shown as stored, in their "units"
        unit = str(ds[name].attrs.get("units", "1"))
    shown = _SHOWN_UNITS.get(unit, unit)
    return (f"{name} ({shown})" if shown else name), scale


def quantity_label(outcome: str, units: str) -> str:
    """An outcome as an axis or colour-bar label: its unit as people write it ("°C", no "(1)"),
    pain and unpleasantness scores on their NRS.

    Parameters
    ----------
    outcome : str
        The outcome's name.
    units : str
        Its ``units`` attribute.

    Returns
    -------
    str
    """
    shown = _SHOWN_UNITS.get(units, units)
    if outcome in ("pain", "unpleasantness", "spinal_pain", "map_pain"):
        shown = "NRS 0-10"
    return f"{outcome} ({shown})" if shown else outcome


def _repeats_figure(ds: xr.Dataset, da: xr.DataArray, outcome: str, title):
    """A sweep without swept parameters (one point, repeated seeds): the outcome of each seed and their mean."""
    v = da.values.reshape(-1)
    seeds = ds["seed"].values.reshape(-1) if "seed" in ds and ds["seed"].size == v.size else np.arange(v.size)
    fig, ax = plt.subplots(figsize=(5.5, 3.8), constrained_layout=True)
    ax.plot(np.arange(v.size), v, "o", color="#C44E52")
    if np.isfinite(v).any():
        ax.axhline(np.nanmean(v), color="0.4", lw=1, ls="--", label=f"mean {np.nanmean(v):.3g}")
        ax.legend(frameon=False)
    ax.set_xticks(np.arange(v.size), [str(s) for s in seeds], rotation=45 if v.size > 8 else 0)
    ax.set_xlabel("seed")
    ax.set_ylabel(quantity_label(outcome, da.attrs.get("units", "")))
    ax.set_title(title or f"{ds.attrs.get('sweep', '')}: {outcome} (no swept parameters)")
    return fig


def _chosen_axes(names: list, x, y) -> tuple:
    """``(x, y)`` among the swept parameters ``names``: x defaults to the first that is not y, y
    (with two or more) to the first that is not x; y stays None with one parameter."""
    for name in (x, y):
        if name is not None and name not in names:
            raise UnknownKeyError(name, names, what="swept parameter")
    x = x or next((n for n in names if n != y), None)
    if x is None or x == y:  # one parameter cannot be drawn against itself
        raise ParameterError("y" if y is not None else "x", y, "a swept parameter other than x"
                             + (f" = {x!r}" if x else "") + f"; the sweep varies {', '.join(names) or 'none'} "
                             "(leave y unset for a curve over x)")
    if y is None and len(names) > 1:
        y = next(n for n in names if n != x)
    return x, y


def _sampled_figure(ds: xr.Dataset, da: xr.DataArray, outcome: str, x, y, title):
    """A sampled design (``point`` dimension): the outcome at each point, coloured over two parameters."""
    params = [c for c in ds.coords if ds[c].dims == ("point",) and c != "point"]
    if not params:  # a grid without swept parameters keeps its one point
        return _repeats_figure(ds, da, outcome, title)
    x, y = _chosen_axes(params, x, y)
    fig, ax = plt.subplots(figsize=(5.5, 4), constrained_layout=True)
    m = da.mean("repeat") if "repeat" in da.dims else da
    xl, xs = axis_label(ds, x)
    label = quantity_label(outcome, da.attrs.get("units", ""))
    if y is not None:
        yl, ys = axis_label(ds, y)
        sc = ax.scatter(ds[x].values / xs, ds[y].values / ys, c=m.values, cmap="magma", s=25)
        fig.colorbar(sc, ax=ax, label=label)
        ax.set_ylabel(yl)
    else:
        ax.plot(ds[x].values / xs, m.values, "o")
        ax.set_ylabel(label)
    ax.set_xlabel(xl)
    ax.set_title(title or ds.attrs.get("sweep", ""))
    return fig


def _curve(ds: xr.Dataset, x: str, m, sd, outcome: str, units: str):
    """The outcome (mean +- SD over seeds) against one swept parameter."""
    xl, xs = axis_label(ds, x)
    log_x = ds[x].attrs.get("scale") == "log" or (ds[x].dtype.kind == "f" and ds[x].size > 2 and
                                                   float(ds[x].min()) > 0 and
                                                   float(ds[x].max()) / float(ds[x].min()) >= 50)
    fig, ax = plt.subplots(figsize=(5.5, 3.8), constrained_layout=True)
    xv = ds[x].values / xs if ds[x].dtype.kind == "f" else np.arange(ds[x].size)
    ax.errorbar(xv, m.values, yerr=None if sd is None else sd.values, fmt="o-", capsize=3, color="#C44E52")
    if ds[x].dtype.kind != "f":
        ax.set_xticks(xv, [str(v) for v in ds[x].values])
    elif log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xl)
    ax.set_ylabel(quantity_label(outcome, units))
    return fig, ax


def _heatmap(ds: xr.Dataset, x: str, y: str, m, outcome: str, units: str, panels=()):
    """The outcome over two swept parameters (values written in the cells of small grids); one
    panel per combination of the ``panels`` dimensions (:func:`_panels`), on one colour scale."""
    cases = _panels(ds, panels)
    fig, axes = plt.subplots(1, len(cases), figsize=(6.2 + 4.2 * (len(cases) - 1), 4.4), squeeze=False,
                             sharey=True, constrained_layout=True)
    m = m.transpose(*panels, y, x)
    finite = m.values[np.isfinite(m.values)]   # one colour scale for every panel (none if nothing finished)
    lo, hi = (0, 10) if outcome == "pain" else (finite.min(), finite.max()) if finite.size else (None, None)
    xl, yl = axis_label(ds, x)[0], axis_label(ds, y)[0]

    def ticks(name):
        return [_value_text(ds, name, v) for v in ds[name].values]
    for ax, (label, where) in zip(axes[0], cases):
        cell = m.sel(where).values
        im = ax.imshow(cell, origin="lower", aspect="auto", cmap="magma", vmin=lo, vmax=hi)
        ax.set_xticks(range(ds[x].size), ticks(x), rotation=45 if ds[x].size > 6 else 0)
        ax.set_xlabel(xl)
        if label:
            ax.set_title(label, fontsize=9)
        for (j, i), v in np.ndenumerate(cell):
            if cell.size <= 80 and np.isfinite(v):
                ax.text(i, j, f"{v:.1f}" if abs(v) < 100 else f"{v:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if v < (lo + hi) / 2 else "black")
    axes[0][0].set_yticks(range(ds[y].size), ticks(y))
    axes[0][0].set_ylabel(yl)
    fig.colorbar(im, ax=axes[0].tolist(), label=quantity_label(outcome, units))
    return fig, axes[0][0]


#: Swept parameters beyond a heat map's two are drawn as one panel per combination of their
#: values when they make at most this many combinations, else averaged (chosen: a readable width).
MAX_PANELS = 6


def _panels(ds: xr.Dataset, dims) -> list[tuple[str, dict]]:
    """``(label, selection)`` for every combination of the swept ``dims`` (one unlabelled case
    when there are none), values written in the unit the spec used."""
    cases = [("", {})]
    for d in dims:
        cases = [(", ".join(filter(None, [label, f"{d} = {_value_text(ds, d, v, unit=True)}"])), {**where, d: v})
                 for label, where in cases for v in ds[d].values]
    return cases


def _value_text(ds: xr.Dataset, name: str, value, unit: bool = False) -> str:
    """A swept value as the spec wrote it (in its unit; with the unit's name if ``unit``)."""
    if ds[name].dtype.kind != "f":
        return str(value)
    shown = ds[name].attrs.get("display_unit", "") or ""
    return f"{value / axis_label(ds, name)[1]:.4g}" + (f" {shown}" if unit and shown else "")


@closes_on_error
def sweep_figure(ds: xr.Dataset, outcome: str = "pain", x: str | None = None, y: str | None = None,
                 title: str | None = None):
    """An outcome of a sweep: heat map over two swept parameters, or curve over one.

    Parameters
    ----------
    ds : xarray.Dataset
        The result of :func:`painsim.run_sweep`; the outcome is averaged over
        repeated seeds (the curve shows mean +- SD).  A sampled design gives a
        scatter of its points; a sweep without swept parameters, the outcome
        of each seed.
    outcome : str
        A scalar outcome of the sweep.
    x, y : str, optional
        Swept parameters for the horizontal and vertical axes (default: the
        first two swept dimensions; each other than the one given for the other axis).  Further swept parameters are drawn as one
        heat-map panel per combination of their values, up to
        :data:`MAX_PANELS` combinations; beyond that they are averaged, and the title says over which.
    title : str, optional
        Default: the sweep's name and the outcome; an "averaged over" note is added to either.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a sweep result, ``y`` is the only swept parameter or ``x`` and ``y`` are one.
    painsim.errors.UnknownKeyError
        An ``outcome`` the sweep does not have, or an ``x`` or ``y`` it does not sweep.
    """
    require(ds, "a sweep result (painsim.run_sweep, painsim sweep)", dims=("repeat",), variables=("seed",))
    if outcome not in ds:
        raise UnknownKeyError(outcome, [v for v in ds.data_vars if v not in ("seed", "status", "error")],
                              what="outcome")
    da = ds[outcome]
    swept = [d for d in da.dims if d not in ("repeat", "point")]
    if "point" in da.dims:  # a sampled design: scatter of the points
        return _sampled_figure(ds, da, outcome, x, y, title)
    x, y = _chosen_axes(swept, x, y)
    others = [d for d in swept if d not in (x, y)]
    # further swept parameters: a heat-map panel per combination while there are few, else averaged
    panels = others if int(np.prod([da.sizes[d] for d in others])) <= MAX_PANELS else []
    averaged = [d for d in others if d not in panels] + (["repeat"] if "repeat" in da.dims else [])
    m = da.mean(averaged) if averaged else da
    sd = da.std(averaged) if "repeat" in da.dims else None
    units = da.attrs.get("units", "")
    if y is None:
        fig, ax = _curve(ds, x, m, sd, outcome, units)
    else:
        fig, ax = _heatmap(ds, x, y, m, outcome, units, panels)
    n_seeds = da.sizes.get("repeat", 1)
    title = title or (f"{ds.attrs.get('sweep', '')}: {outcome}"
                      + (f" (mean of {n_seeds} seeds)" if n_seeds > 1 and y is not None else ""))
    over = [d for d in averaged if d != "repeat"]  # too many combinations for panels: say what is averaged
    title += f" (averaged over {', '.join(over)})" if over else ""
    if panels:  # each panel is titled with its values; the sweep's title goes above them
        fig.suptitle(title)
    else:
        ax.set_title(title)
    return fig


@closes_on_error
def sweep_figures(ds: xr.Dataset) -> dict:
    """The figures of a sweep as {name: Figure}: its spec's ``figure`` table, else one per outcome.

    A spec may ask for ``figure = {outcomes = ["pain"], x = "stimulus.rate", y = "stimulus.amplitude"}``.

    Parameters
    ----------
    ds : xarray.Dataset
        The result of :func:`painsim.run_sweep` (its ``spec`` and ``outcomes`` attributes are read).

    Returns
    -------
    dict of str -> matplotlib.figure.Figure
        ``"sweep_<outcome>"`` -> :func:`sweep_figure`.  An outcome over further dimensions (the days
        of a course sweep) is drawn over them as one more axis on a grid design, and at their last
        value on a sampled one.
    """
    spec = json.loads(ds.attrs.get("spec", "{}") or "{}")
    fig_spec = spec.get("figure") or {}
    outcomes = fig_spec.get("outcomes") or [o for o in json.loads(ds.attrs.get("outcomes", "[]"))
                                            if o in ds and ds[o].ndim <= len([d for d in ds.dims
                                                                               if d != "repeat"]) + 1]
    out = {}
    for o in outcomes:
        if o in ds and all(d in ds.dims for d in ds[o].dims):
            extra = [d for d in ds[o].dims if d not in ds["seed"].dims]   # a course sweep's days
            view, title = ds, None
            if extra and "point" in ds[o].dims:   # a sampled design's scatter has no axis for them: the last
                last = {d: ds[d].values[-1] for d in extra}
                view = ds.assign({o: ds[o].sel(last)})
                title = f"{ds.attrs.get('sweep', 'sweep')}: {o} at " + ", ".join(f"{d} {v:g}" for d, v in last.items())
            # on a grid they are one more axis (e.g. the swept parameter against the day)
            out[f"sweep_{o}"] = sweep_figure(view, o, x=fig_spec.get("x"), y=fig_spec.get("y"), title=title)
    return out
