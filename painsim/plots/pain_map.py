"""Figures of S1 pain maps and of rTMS experiments."""
from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from ..analysis import pain_map_metrics
from ..errors import ParameterError
from ..readouts import active_units
from ..units import parse
from .common import closes_on_error, experiment_title, require

__all__ = ["pain_map_figure", "rtms_figure", "map_figure"]


def _map_extent(x_m, y_m, spacing_m: float) -> list:
    """imshow extent (mm) of a map sampled at ``x_m``, ``y_m`` (m) on a grid of ``spacing_m`` (m), rows top
    to bottom: each unit's pixel spans half the spacing either side of its position."""
    x_mm, y_mm, half = x_m * 1e3, y_m * 1e3, spacing_m * 1e3 / 2
    return [x_mm[0] - half, x_mm[-1] + half, y_mm[-1] + half, y_mm[0] - half]


def _result_spacing(ds: xr.Dataset) -> float:
    """The grid spacing (m) of one result's S1 map: the step of its ``map_x`` or ``map_y`` positions, or,
    for a one-unit map, ``cortex.map.spacing`` of its stored ``parameters`` (an attribute, or the
    variable of one condition taken from a conditions result).

    Raises
    ------
    painsim.errors.ParameterError
        A one-unit map without stored parameters (nothing gives its spacing).
    """
    for axis in ("map_x", "map_y"):
        if ds[axis].size > 1:
            return float(np.diff(ds[axis].values)[0])
    raw = ds.attrs.get("parameters")
    if raw is None and "parameters" in ds and ds["parameters"].size == 1:  # one condition of a conditions result
        raw = str(ds["parameters"].values.item())
    try:
        spacing = json.loads(raw)["cortex"]["map"]["spacing"]
    except (KeyError, TypeError, ValueError):
        raise ParameterError("ds", "a one-unit S1 map without its parameters", "a map of two units or more "
                             "along an axis, or a result holding its parameters (cortex.map.spacing)") from None
    return parse(spacing, "cortex.map.spacing")[0] if isinstance(spacing, str) else float(spacing)


def _model_row(fig, axes, met: xr.Dataset, g: int, name, ext, vmax, cmap) -> None:
    """One model's row: response to the painful site, site territories, site areas."""
    x_mm, y_mm = met["map_x"].values * 1e3, met["map_y"].values * 1e3
    p = int(met["painful_site"].values[g])
    ax = axes[g, 0]
    image = np.nan_to_num(met["site_maps"].values[g, p])
    im = ax.imshow(image, extent=ext, cmap="inferno", vmin=0, vmax=vmax)
    outlined = min(image.shape) >= 2  # a contour needs a 2 x 2 grid: a one-row or one-column sheet has none
    if outlined:  # the units the overactive area counts (readouts.active_units: its tie rule)
        ax.contour(x_mm, y_mm, active_units(image, met.attrs["threshold_hz"]).astype(float),
                   levels=[0.5], colors="cyan", linewidths=1)
    ax.set_title(f"{name}: response to\npainful site {p}, overactive{' (cyan)' if outlined else ''} "
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
    ax.set_title("site territories (strongest response > threshold;\nwhite: no site above it)", fontsize=9)
    ax.set_xlabel("x (mm)")
    ax = axes[g, 2]
    ax.bar(met.site.values, met["site_area"].values[g] * 1e6,
           color=[cmap(s) for s in met.site.values])
    ax.set_xlabel("body site")
    ax.set_ylabel("area (mm²)")
    ax.set_title("area each site occupies", fontsize=9)


@closes_on_error
def pain_map_figure(ds: xr.Dataset, title: str | None = None):
    """S1 pain map per model: response to the painful site, site territories, site areas.

    Parameters
    ----------
    ds : xarray.Dataset
        A result read by :func:`painsim.analysis.pain_map_metrics` (one row per model).
    title : str, optional
        Default: :func:`painsim.plots.common.experiment_title`.

    Returns
    -------
    matplotlib.figure.Figure
        Per model: rates (Hz) and territories over the map (mm), and each site's area (mm²).
    """
    met = pain_map_metrics(ds)
    n = met.sizes["model"]
    fig, axes = plt.subplots(n, 3, figsize=(12, 2.8 * n + 0.6), squeeze=False)
    ext = _map_extent(met["map_x"].values, met["map_y"].values, met.attrs["spacing_m"])
    vmax = np.nanmax(met["site_maps"].values) if np.isfinite(met["site_maps"].values).any() else 1.0
    cmap = plt.get_cmap("tab10")
    for g, name in enumerate(met.model.values):
        _model_row(fig, axes, met, g, name, ext, vmax, cmap)
    fig.suptitle(title or experiment_title(ds, "S1 pain map"), fontsize=11)
    fig.tight_layout()
    return fig


@closes_on_error
def rtms_figure(ds: xr.Dataset, title: str | None = None):
    """Per condition: M1 and descending rates, PN output, map overactive area and pain.

    Parameters
    ----------
    ds : xarray.Dataset
        A conditions result over ``condition`` with ``m1_rate``, ``descending_rate``, ``pn_rate``
        (Hz), ``map_overactive_area`` (m², drawn in mm²) and ``pain`` (NRS 0-10).
    title : str, optional
        Default: :func:`painsim.plots.common.experiment_title`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not such a result (e.g. an experiment of a model without the descending pathway).
    """
    require(ds, "an rTMS conditions result of painsim run (over condition, of a model with M1, the descending "
            "pathway and an S1 map)", dims=("condition",),
            variables=("m1_rate", "descending_rate", "pn_rate", "map_overactive_area", "pain"))
    labels = [str(c) for c in ds.condition.values]
    y = np.arange(len(labels))
    panels = [("m1_rate", "M1 (Hz)", 1.0), ("descending_rate", "PAG/RVM (Hz)", 1.0),
              ("pn_rate", "PN at painful site (Hz)", 1.0), ("map_overactive_area", "overactive S1 (mm²)", 1e6),
              ("pain", "pain (NRS 0-10)", 1.0)]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.0 * len(panels), 0.5 * len(labels) + 1.8), sharey=True)
    for ax, (var, name, scale) in zip(axes, panels):
        values = ds[var].values * scale
        ax.barh(y, values, color="#4C72B0")
        for yk, v in zip(y, values):   # a bar of 0 is invisible: its value says it is 0
            ax.text(v, yk, f" {v:.3g}", va="center", fontsize=7)
        ax.set_xlabel(name)
        ax.grid(axis="x", alpha=0.3)
        top = float(np.nanmax(values)) if np.isfinite(values).any() else 0.0
        ax.set_xlim(0, 11.5 if var == "pain" else max(top * 1.2, 1e-9))   # room for the printed values
    axes[0].set_yticks(y, labels, fontsize=8)
    axes[0].invert_yaxis()
    fig.suptitle(title or experiment_title(ds, "rTMS"), fontsize=11)
    fig.tight_layout()
    return fig


@closes_on_error
def map_figure(ds: xr.Dataset, ax=None, title: str | None = None):
    """Heat map of one pathway result's S1 rates (``map_rate``).

    Parameters
    ----------
    ds : xarray.Dataset
        A result with ``map_rate`` (Hz) and ``map_x``, ``map_y`` (m, drawn in mm; each unit's pixel
        one grid spacing wide).
    ax : matplotlib.axes.Axes, optional
        The axis drawn on (default: a new figure).
    title : str, optional
        Default: "S1 map".

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or the one ``ax`` belongs to.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` has no S1 map, or holds several (a result combined over conditions); a one-unit
        map without its stored parameters (its grid spacing, ``cortex.map.spacing``, unknown).
    """
    require(ds, "a result of a model with an S1 map (network.layers = 'pathway')",
            variables=("map_rate", "map_x", "map_y"))
    if ds["map_rate"].ndim != 2:  # a result combined over conditions holds one map per point
        raise ParameterError("ds", f"map_rate over {ds['map_rate'].dims}", "one result's map (map_y, map_x)",
                             hint="select one point first, e.g. painsim.io.point(ds, 'condition', k)")
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 2.6))
    im = ax.imshow(ds["map_rate"].values, cmap="inferno", vmin=0,
                   extent=_map_extent(ds["map_x"].values, ds["map_y"].values, _result_spacing(ds)))
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    ax.set_title(title or "S1 map", fontsize=9)
    (fig or ax.figure).colorbar(im, ax=ax, label="rate (Hz)")
    return fig or ax.figure
