"""The validation table as one figure: every target's model value against its published figure."""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..analysis import published_deviation
from .common import closes_on_error, plt, require

__all__ = ["validation_figure", "DEVIATION_LIMIT"]

#: Deviations beyond this are drawn at the axis edge as arrows (both panels).
DEVIATION_LIMIT = 4.0
_STATUS_COLORS = {"prediction": "#C44E52", "calibrated": "0.55"}


def _panel(ax, ds: xr.Dataset, names: list, deviation: np.ndarray, ranged: bool) -> None:
    y = np.arange(len(names))[::-1]
    if ranged:
        ax.axvspan(-1, 1, color="0.9", zorder=0, label="published range")
    ax.axvline(0, color="0.4", lw=0.8)
    lim = DEVIATION_LIMIT
    for yk, name, d in zip(y, names, deviation):
        r = ds.sel(target=name)
        status, verdict = str(r["status"].values), str(r["verdict"].values)
        color = _STATUS_COLORS.get(status, "k")
        if not np.isfinite(d):
            why = ("the model gave no value" if not np.isfinite(float(r["model"])) else
                   f"model {float(r['model']):.3g}, published 0: no relative scale")
            ax.text(0, yk, why, ha="center", va="center", fontsize=6, color="0.4")
            continue
        x, marker = (np.clip(d, -lim, lim), "o") if abs(d) <= lim else (np.sign(d) * lim, ">" if d > 0 else "<")
        filled = verdict == "yes" or not ranged
        ax.plot([x], [yk], marker, ms=6, color=color, mfc=color if filled else "white", mew=1.3)
        ax.text(lim * 1.04, yk, f"{float(r['model']):.3g} / {float(r['published']):.3g}", fontsize=6,
                va="center", ha="left", clip_on=False)
    ax.set_yticks(y, names, fontsize=7)
    ax.set_xlim(-lim * 1.02, lim * 1.02)
    ax.set_xlabel("(model - published) in units of the range: 0 = published, ±1 = the range's edges" if ranged
                  else "(model - published) / |published|", fontsize=7)
    if ranged:
        ax.legend(loc="lower right", fontsize=7, frameon=False)
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.grid(axis="x", color="0.92", lw=0.6)


@closes_on_error
def validation_figure(ds: xr.Dataset):
    """Every target of a validation result (``painsim validate``) in one figure.

    Left: targets with a published range, placed by :func:`painsim.analysis.published_deviation`
    (0 = the published value, ±1 = the range's edges, grey band = inside the range: "reproduced").
    Right: targets published as one number, placed by the relative difference
    ``(model - published) / abs(published)``.  Red = prediction (held out), grey = calibrated
    (agreement is a check, not evidence); an open marker is a miss; arrows = beyond
    ±:data:`DEVIATION_LIMIT`.  The model's and the published values are printed beside each row.
    Targets with no published figure are not drawn; the title counts them, and names those
    whose source gives a direction with their verdict (``published_direction``).

    Parameters
    ----------
    ds : xarray.Dataset
        A validation result (:func:`painsim.validation.validate`): over ``target``, ``model``,
        ``published``, ``published_low``, ``published_high``, ``status``, ``verdict`` and, if
        present, ``published_direction``; the attribute ``seed``.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a validation result.
    """
    require(ds, "a validation result (painsim.validation.validate, painsim validate)", dims=("target",),
            variables=("model", "published", "published_low", "published_high", "status", "verdict"))
    dev = published_deviation(ds["model"].values, ds["published"].values, ds["published_low"].values,
                              ds["published_high"].values)
    names = [str(n) for n in ds["target"].values]
    published = np.isfinite(ds["published"].values.astype(float))
    ranged = np.isfinite(ds["published_low"].values.astype(float))
    panels = [(ranged & published, True, "with a published range: (model - published) in units of the range"),
              (~ranged & published, False, "one published number: (model - published) / |published|")]
    rows = max(max(int(mask.sum()), 1) for mask, _, _ in panels)
    fig, axes = plt.subplots(1, 2, figsize=(13, 1.2 + 0.22 * rows), constrained_layout=True)
    for ax, (mask, with_range, title) in zip(axes, panels):
        if mask.any():
            _panel(ax, ds, [n for n, keep in zip(names, mask) if keep], dev[mask], with_range)
            ax.set_title(title, fontsize=8)
        else:
            ax.axis("off")
    verdicts = list(ds["verdict"].values)
    direction = (ds["published_direction"].values.astype(int) if "published_direction" in ds
                 else np.zeros(len(names), int))
    signs = [f"{n} {verdicts[k]}" for k, n in enumerate(names) if direction[k] and not published[k]]
    undrawn = int((~published).sum()) - len(signs)
    fig.suptitle(f"painsim validation (seed {ds.attrs.get('seed', '?')}): {verdicts.count('yes')} reproduced, "
                 f"{verdicts.count('no')} not, {verdicts.count('n/a')} without a range"
                 + (f" ({undrawn} with no published figure, not drawn)" if undrawn else "")
                 + (f"; published direction only, not drawn: {', '.join(signs)}" if signs else "")
                 + "\nred = prediction, grey = calibrated, open = miss; beside each row: model / published",
                 fontsize=9)
    return fig
