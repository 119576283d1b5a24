"""The virtual QST profile (DFNS style): z-scores per test and model, the healthy band (±1.96 unless the
summary names another threshold)."""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..checks import number
from .common import closes_on_error, plt, require

__all__ = ["qst_figure"]

_LABELS = {"rest": "pain at rest", "brush": "DMA (brush)", "pinprick": "MPS (pinprick)", "heat": "heat pain",
           "heat_pain_threshold": "HPT", "mechanical_pain_threshold": "MPT", "windup_ratio": "WUR"}


@closes_on_error
def qst_figure(ds: xr.Dataset):
    """Left: the DFNS-style profile, z-score of each measure (x) per model (a line each), positive = gain
    of function, grey band = ± the summary's abnormality threshold (``abnormal_fraction.attrs["abnormal"]``
    of :func:`painsim.analysis.qst_summary`; 1.96 for a summary saved before it was recorded: the band
    of 95 % of the DFNS healthy reference; the few virtual reference subjects, each scored against a
    reference that includes it, always lie within it).  Right: the fraction of virtual subjects with a
    gain above that threshold beside the published prevalence of the sign over all patients (Maier et
    al. 2010): illustrative, since a preset is one mechanism, not a mixed population of patients.

    Parameters
    ----------
    ds : xarray.Dataset
        A QST result (:func:`painsim.files.run_qst`): ``zscore`` and ``abnormal_fraction``
        (a fraction) over (``model``, ``measure``), ``published_prevalence`` (a fraction, NaN
        where none is published) over ``measure``, and the attribute ``reference_model``;
        ``abnormal_fraction``'s attribute ``abnormal`` is the threshold (default 1.96).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a QST result, or ``abnormal_fraction``'s ``abnormal`` attribute is not a finite number.
    """
    require(ds, "a QST result (painsim.files.run_qst, painsim run on a kind = \"qst\" file)",
            dims=("model", "measure"), variables=("zscore", "abnormal_fraction", "published_prevalence"))
    threshold = number(ds["abnormal_fraction"].attrs.get("abnormal", 1.96), 'abnormal_fraction.attrs["abnormal"]',
                       allowed="the z-score threshold of qst_summary, a finite number (default 1.96)")
    measures = [str(m) for m in ds.measure.values]
    x = np.arange(len(measures))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    ax.axhspan(-threshold, threshold, color="0.88", zorder=0, label=f"reference ±{threshold:g}")
    ax.axhline(0, color="0.5", lw=0.8)
    ref = ds.attrs.get("reference_model", "")
    for k, m in enumerate(ds.model.values):
        z = np.clip(ds["zscore"].sel(model=m).values.astype(float), -10, 10)
        ax.plot(x, z, "o-", lw=1.4, ms=5, label=str(m), color=f"C{k}", alpha=0.5 if str(m) == ref else 1.0)
    ax.set_xticks(x, [_LABELS.get(m, m) for m in measures], rotation=30, ha="right")
    ax.set_ylabel("z-score (gain of function > 0, clipped at ±10)")
    ax.set_title(f"Virtual QST profile against '{ref}'")
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    n = ds.sizes["model"]
    w = 0.8 / (n + 1)
    for k, m in enumerate(ds.model.values):
        bx.bar(x + k * w, 100 * ds["abnormal_fraction"].sel(model=m).values, w, color=f"C{k}")
    pub = 100 * ds["published_prevalence"].values.astype(float)
    has = np.isfinite(pub)  # no bar where nothing is published (not a bar at 0 %)
    if has.any():
        bx.bar((x + n * w)[has], pub[has], w, color="k", label="published (Maier 2010, all etiologies)")
        bx.legend(fontsize=7)  # the only labelled bars
    # under the middle of each measure's n + 1 bars (at x + k * w, k = 0 .. n)
    bx.set_xticks(x + n * w / 2, [_LABELS.get(m, m) for m in measures], rotation=30, ha="right")
    bx.set_ylabel(f"subjects with a gain, z > {threshold:g} (%)")
    bx.set_ylim(0, 105)
    bx.set_title("Prevalence of each sign")
    fig.tight_layout()
    return fig
