"""Analgesic tolerance over a course (``kind = "tolerance"`` files, :mod:`painsim.tolerance`)."""
from __future__ import annotations

import json

import xarray as xr

from .common import closes_on_error, plt, require

__all__ = ["tolerance_figure"]


def _session_days(ds: xr.Dataset) -> list[float]:
    """The protocol's session days, from the result's ``protocol_spec`` (none if absent)."""
    spec = json.loads(ds.attrs.get("protocol_spec", "{}") or "{}")
    days = spec.get("calendar", {}).get("days", []) if isinstance(spec.get("calendar"), dict) else []
    return [float(d) for d in days]


@closes_on_error
def tolerance_figure(ds: xr.Dataset):
    """Left: the mu-receptor efficacy over the course, one thin line per patient and their mean,
    dots before each test day's session; the protocol's session days marked.  Right: the acute PN reduction by the
    stimulation and its naloxone-sensitive (opioid) part, means over patients with their range.

    Parameters
    ----------
    ds : xarray.Dataset
        A tolerance result (:func:`painsim.files.run_tolerance`): ``efficacy``, ``effect`` and
        ``opioid_effect`` (Hz) over (``seed``, ``day``; days), ``efficacy_course`` over
        ``course_day`` (days) if present, and the attributes ``protocol_spec``, ``protocol`` and
        ``test_celsius`` (°C).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a tolerance result.
    """
    require(ds, "a tolerance result (painsim.files.run_tolerance, painsim run on a kind = \"tolerance\" file)",
            dims=("seed", "day"), variables=("efficacy", "effect", "opioid_effect"))
    days = ds.day.values.astype(float)
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    for d in _session_days(ds):
        ax.axvline(d, color="0.85", lw=3, zorder=0)
    course = ds["efficacy_course"] if "efficacy_course" in ds else None
    for s in ds.seed.values:
        if course is not None:
            ax.plot(course.course_day, course.sel(seed=s), color="C0", lw=0.8, alpha=0.4)
    if course is not None:
        ax.plot(course.course_day, course.mean("seed"), color="C0", lw=1.5, label="mean over patients")
    ax.plot(days, ds["efficacy"].mean("seed"), "o", color="C0", label="before each test day's session")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("day of the course (grey: sessions)")
    ax.set_ylabel("mu-receptor efficacy 1 - T")
    ax.set_title(f"Tolerance: {ds.attrs.get('protocol', '')}")
    ax.legend(fontsize=8)
    for name, color, label in (("effect", "C1", "whole effect"), ("opioid_effect", "C2", "opioid part (naloxone-sensitive)")):
        v = ds[name]
        bx.fill_between(days, v.min("seed"), v.max("seed"), color=color, alpha=0.2, lw=0)
        bx.plot(days, v.mean("seed"), "o-", color=color, label=label)
    bx.axhline(0, color="0.5", lw=0.8)
    bx.set_xlabel("day of the course")
    bx.set_ylabel("PN reduction by the stimulation (Hz)")
    bx.set_title(f"Acute effect on {ds.attrs.get('test_celsius', '?')} °C heat (range over patients)")
    bx.legend(fontsize=8)
    fig.tight_layout()
    return fig
