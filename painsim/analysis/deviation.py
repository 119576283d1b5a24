"""Where model values lie against their published figures (formerly part of :mod:`painsim.analysis`).

:func:`published_deviation`, the x of the validation figure
(:func:`painsim.plots.validation_figure`) and a column of the validation table.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError

__all__ = ["published_deviation"]


def published_deviation(model, published, low, high) -> np.ndarray:
    """Where each model value lies against its published figure (the validation figure's x).

    With a published range, the distance from the published value in units of the range's
    half on the model's side: ``(model - published) / (high - published)`` above it,
    ``/ (published - low)`` below, so that ``|d| <= 1`` is exactly inside the range (the
    table's "yes"); a range closed on that side (e.g. 0-0) gives 0 at the published value and
    ``±inf`` elsewhere.  Without a range, the relative difference
    ``(model - published) / |published|`` (NaN when the published value is 0 or NaN).

    Parameters
    ----------
    model, published, low, high : array_like
        Per target; ``low``/``high`` NaN where no range is published.

    Returns
    -------
    numpy.ndarray
        The deviations (NaN where the model value or the published value is NaN).

    Raises
    ------
    painsim.errors.ParameterError
        An argument that is not numbers (text or bools), or one whose shape does not match the
        others' (one value per target, or a single value); a range with ``low > high``, or a
        published value outside its range ``[low, high]``.
    """
    m, p, lo, hi = (_values(a, name) for a, name in ((model, "model"), (published, "published"), (low, "low"),
                                                      (high, "high")))
    for a, name in ((p, "published"), (lo, "low"), (hi, "high")):
        try:
            np.broadcast_shapes(m.shape, a.shape)
        except ValueError:
            raise ParameterError(name, f"shape {a.shape}", f"one value per target, as model (shape {m.shape}), "
                                                           "or a single value") from None
    ranged = np.isfinite(lo) & np.isfinite(hi)
    _check_ranges(*np.broadcast_arrays(p, lo, hi, ranged))
    half = np.where(m >= p, hi - p, p - lo)
    diff = m - p
    with np.errstate(divide="ignore", invalid="ignore"):
        in_units = np.where(half > 0, diff / half, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
        relative = np.where((p != 0) & np.isfinite(p), diff / np.abs(p), np.nan)
    out = np.where(ranged, in_units, relative)
    return np.where(np.isfinite(m) & np.isfinite(p), out, np.nan)


def _check_ranges(p: np.ndarray, lo: np.ndarray, hi: np.ndarray, ranged: np.ndarray) -> None:
    """Refuse a range with ``low > high`` (naming ``low``), or a finite published value outside its
    range (naming ``published``): the deviation's units would be a negative half-range."""
    bad = np.flatnonzero(ranged & (lo > hi))
    if bad.size:
        k = bad[0]
        raise ParameterError("low", float(lo.flat[k]), f"a range's low <= its high ({float(hi.flat[k])})",
                             hint=f"target {k}" if lo.ndim else None)
    with np.errstate(invalid="ignore"):
        outside = ranged & np.isfinite(p) & ((p < lo) | (p > hi))
    bad = np.flatnonzero(outside)
    if bad.size:
        k = bad[0]
        raise ParameterError("published", float(p.flat[k]), f"a value inside its range "
                             f"[{float(lo.flat[k])}, {float(hi.flat[k])}]", hint=f"target {k}" if p.ndim else None)


def _values(value, name: str) -> np.ndarray:
    """``value`` as floats (NaN allowed: a missing value), refused naming ``name`` if it is not numbers."""
    try:
        a = np.asarray(value, float) if not isinstance(value, (bool, str, bytes)) else None
    except (TypeError, ValueError):
        a = None
    if a is None or np.asarray(value).dtype == bool:
        raise ParameterError(name, value, "numbers, one per target (NaN where there is none)")
    return a
