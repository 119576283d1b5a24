"""Figures of treatment courses: pain trajectory, plastic weights, S1 map before and after."""
from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from ..analysis import course_arms
from .common import closes_on_error, require

__all__ = ["course_figure", "course_map_figure", "course_tolerance_figure", "course_figures"]

_ARM_COLORS = ["#C44E52", "#4C72B0", "#55A868", "#8172B3"]
_COURSE = "a course result (painsim.run_course_batch, or painsim run on a course file)"


def _patient_mean(da: xr.DataArray) -> xr.DataArray:
    """Mean over patients (if the result has several)."""
    return da.mean("patient") if "patient" in da.dims else da


def _session_length_days(ds: xr.Dataset) -> float:
    """A session's length in days, from the protocol the result records (``protocol_spec``); 0 when
    it records none (the after-session tests are then marked at the session's day)."""
    try:
        calendar = json.loads(ds.attrs.get("protocol_spec", "{}") or "{}").get("calendar", {})
        return float(calendar.get("session_duration_s", 0.0)) / 86400.0
    except (ValueError, TypeError, AttributeError):   # an unreadable record: mark at the session's day
        return 0.0


def _arm_lines(axes, a: xr.Dataset, label: str, c: str, conns: list) -> None:
    """One arm: pain (mean and range over patients, marks after sessions) and plastic weights."""
    pain = a["pain"]
    sham = bool(a.attrs.get("sham", 0)) or "sham" in label   # dashed: an identical active arm stays visible
    axes[0].plot(a.day.values, _patient_mean(pain).values, "--o" if sham else "-o", ms=3, color=c, label=label)
    if "patient" in pain.dims and pain.sizes["patient"] > 1:
        axes[0].fill_between(a.day.values, pain.min("patient").values, pain.max("patient").values,
                             color=c, alpha=0.15, lw=0)
    ps_m = _patient_mean(a["pain_after_session"])
    # the after-session test is taken when the session ends
    axes[0].plot(a.session_day.values + _session_length_days(a), ps_m.values, "v", ms=4, color=c, alpha=0.6)
    for j, conn in enumerate(conns):
        if f"w_{conn}" not in a:
            continue
        axes[1].plot(a.day.values, _patient_mean(a[f"w_{conn}"]).values, ["-", "--", ":", "-."][j % 4], color=c,
                     label=f"{conn} ({label})")


@closes_on_error
def course_figure(ds: xr.Dataset, title: str | None = None):
    """Pain trajectory with session marks (top) and plastic weights over the course (bottom).

    Takes a :func:`painsim.run_course`, :func:`painsim.run_course_batch` or
    course-file result (several patients: mean and range; several arms: one
    line each).

    Parameters
    ----------
    ds : xarray.Dataset
        The course result.
    title : str, optional
        Default: "Treatment course: " and the protocol.

    Returns
    -------
    matplotlib.figure.Figure
        Top: pain (NRS 0-10) against day; bottom: mean efficacy of each plastic connection.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a course result.
    """
    require(ds, _COURSE, dims=("day", "session"), variables=("pain", "pain_after_session", "session_day"))
    arms = course_arms(ds)
    conns = ds.attrs.get("plastic_connections", "").split()
    fig, axes = plt.subplots(2, 1, figsize=(8, 6.5), sharex=True, constrained_layout=True)
    for k, (label, a) in enumerate(arms):
        _arm_lines(axes, a, label, _ARM_COLORS[k % len(_ARM_COLORS)], conns)
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


@closes_on_error
def course_map_figure(ds: xr.Dataset, title: str | None = None):
    """S1 map before treatment and on the last day (models with a cortical map only).

    Parameters
    ----------
    ds : xarray.Dataset
        A course result with ``map_rate_baseline`` and ``map_rate_final`` (Hz).
    title : str, optional
        Default: "S1 map during the pain test (mean over patients)".

    Returns
    -------
    matplotlib.figure.Figure
        One row per arm.

    Raises
    ------
    painsim.errors.ParameterError
        The result is not a course result with an S1 map (a ValueError, as before).
    """
    require(ds, f"{_COURSE} with an S1 map (a model with network.layers = 'pathway' makes one)",
            variables=("map_rate_baseline", "map_rate_final"))
    arms = course_arms(ds)
    fig, axes = plt.subplots(len(arms), 2, figsize=(7, 3 * len(arms)), squeeze=False, constrained_layout=True)
    images = {(k, var): _patient_mean(a[var]).values for k, (_, a) in enumerate(arms)
              for var in ("map_rate_baseline", "map_rate_final")}
    vmax = max(float(np.nanmax(v)) for v in images.values()) or 1.0   # one colour scale for every panel
    last = f"day {float(ds['day'].values[-1]):g}" if "day" in ds else "the last test day"
    for k, (label, a) in enumerate(arms):
        for j, (var, name) in enumerate((("map_rate_baseline", "before the first session"), ("map_rate_final", last))):
            # row 0 at the top, as the pain map draws it (painsim.plots.pain_map); one unit per map cell
            im = axes[k, j].imshow(images[k, var], cmap="magma", vmin=0, vmax=vmax)
            axes[k, j].set_title(f"{label}: {name}", fontsize=9)
            axes[k, j].set_xlabel("map column")
            axes[k, j].set_ylabel("map row")
            fig.colorbar(im, ax=axes[k, j], label="rate (Hz)")
    fig.suptitle(title or "S1 map during the pain test (mean over patients)")
    return fig


@closes_on_error
def course_tolerance_figure(ds: xr.Dataset, title: str | None = None):
    """Opioid tolerance over a course run with ``opioid_tolerance`` (:mod:`painsim.course.opioid_tolerance`):
    the receptors' efficacy ``1 - T`` before each test day and during each session (top), and the
    projection neurons' output during each session (bottom, the acute effect).

    Parameters
    ----------
    ds : xarray.Dataset
        A course result with ``opioid_tolerance``, ``opioid_tolerance_session`` and
        ``session_pn_rate`` (Hz).
    title : str, optional
        Default: "Opioid tolerance over the course: " and the protocol.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    painsim.errors.ParameterError
        The result is not a course run with ``opioid_tolerance`` (a ValueError, as before).
    """
    require(ds, f"{_COURSE} run with opioid_tolerance (run_course(..., opioid_tolerance=True))",
            dims=("day", "session"),
            variables=("opioid_tolerance", "opioid_tolerance_session", "session_pn_rate", "session_day"))
    arms = course_arms(ds)
    fig, axes = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True, constrained_layout=True)
    for k, (label, a) in enumerate(arms):
        c = _ARM_COLORS[k % len(_ARM_COLORS)]
        axes[0].plot(a.day.values, 1 - _patient_mean(a["opioid_tolerance"]).values, "-o", ms=3, color=c, label=label)
        axes[0].plot(a.session_day.values, 1 - _patient_mean(a["opioid_tolerance_session"]).values, "s", ms=4,
                     color=c, alpha=0.6)
        axes[1].plot(a.session_day.values, _patient_mean(a["session_pn_rate"]).values, "-s", ms=4, color=c,
                     label=label)
    axes[0].set_ylabel("mu-receptor efficacy 1 - T")
    axes[0].set_ylim(0, 1.05)
    axes[0].legend(frameon=False, fontsize=8, title="before the day's session (o), during it (s)", title_fontsize=7)
    axes[1].set_ylabel("PN during the session (Hz)")
    axes[1].set_xlabel("day")
    fig.suptitle(title or f"Opioid tolerance over the course: {ds.attrs.get('protocol', '')}")
    return fig


@closes_on_error
def course_figures(ds: xr.Dataset) -> dict:
    """The figures of a course result: {"course": ..., "map" when the model has a map, "tolerance"
    when the course was run with ``opioid_tolerance``}.

    Parameters
    ----------
    ds : xarray.Dataset
        A course result.

    Returns
    -------
    dict of str -> matplotlib.figure.Figure
        :func:`course_figure`, :func:`course_map_figure`, :func:`course_tolerance_figure`.
    """
    out = {"course": course_figure(ds)}
    if "map_rate_baseline" in ds:
        out["map"] = course_map_figure(ds)
    if "opioid_tolerance" in ds:
        out["tolerance"] = course_tolerance_figure(ds)
    return out
