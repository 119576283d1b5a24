"""What is made of pain scores on the NRS: relief, responders, the combined score (formerly part of :mod:`painsim.readouts`).

Percent relief from a baseline (:func:`relief`), responder flags at a relief
fraction (:func:`responders`) and the pathway models' mix of the spinal score
with the pain map's term (:func:`combined_pain`); each refuses scores off the
0-10 NRS rather than clipping them.
"""
from __future__ import annotations

import numpy as np

from ..checks import floats, number
from ..errors import ParameterError

__all__ = ["relief", "responders", "combined_pain"]


#: Rounding tolerated at the ends of the NRS (a mix of scores, :func:`combined_pain`, may land a
#: rounding error past 10).
_NRS_SLACK = 1e-9


def _within(value, name: str, hi: float, allowed: str) -> np.ndarray:
    """``value`` as floats, refused naming ``name`` unless every value is within 0-``hi`` (NaN, a
    patient not tested, passes through)."""
    s = floats(value, name, allowed)
    outside = (s < -_NRS_SLACK) | (s > hi + _NRS_SLACK)
    if np.any(outside):
        raise ParameterError(name, float(s[outside].reshape(-1)[0]), allowed)
    return s


def _nrs(score, name: str) -> np.ndarray:
    """``score`` as floats, refused naming ``name`` unless every value is on the 0-10 NRS."""
    return _within(score, name, 10.0, "pain scores on the 0-10 NRS (numbers, or arrays of them)")


def _paired(a: np.ndarray, b: np.ndarray, name: str, other: str) -> None:
    """Refuse ``b`` (named ``name``) unless its shape broadcasts against ``a``'s (``other``): one
    value per patient on both sides, or a scalar."""
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ParameterError(name, f"shape {b.shape}", f"one value per {other} value (shape {a.shape}) or "
                                                       "a single value") from None


def relief(baseline, value):
    """Percent relief from a baseline pain score (positive = less pain): ``100 (baseline - value) /
    baseline``, NaN where the baseline is 0 (no pain to relieve: relief is undefined, and a
    patient without baseline pain is no evaluable non-responder).  A percent, as the course datasets store it (units
    ``"%"``); :func:`responders` takes a fraction (divide by 100).

    Parameters
    ----------
    baseline, value : float or array_like
        Pain scores before and after (NRS 0-10, as :func:`model_pain_score` gives them).  A
        ``value`` of NaN (not tested) gives NaN; so does a baseline of 0 or NaN.

    Returns
    -------
    float or numpy.ndarray
        Relief, % (negative = more pain; a float for scalar scores).

    Raises
    ------
    painsim.errors.ParameterError
        A score that is not a number within 0-10 (e.g. a rate in Hz or a percent passed by mistake),
        or ``value`` of a shape that does not match ``baseline``'s.
    """
    baseline, value = _nrs(baseline, "baseline"), _nrs(value, "value")
    _paired(baseline, value, "value", "baseline")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(baseline > 0, 100.0 * (baseline - value) / baseline, np.nan)
    return float(out) if out.ndim == 0 else out


def responders(relief_fraction, threshold: float) -> np.ndarray:
    """Responder flags: relief (a fraction, 0.3 = 30 %) at least ``threshold`` (a fraction too).

    :func:`relief` and the course datasets' ``relief`` are percents: divide them by 100.  A
    relief fraction cannot exceed 1 (all the pain gone), so a value above 1, a percent passed
    by mistake, is refused rather than read as a responder.  The comparison tolerates rounding
    (``>= threshold - 1e-12``), so that a relief of exactly 30 % counts as a 30 % responder
    (IMMPACT's ">= 30 %").

    Parameters
    ----------
    relief_fraction : float or array_like
        Relief as a fraction (<= 1; negative = more pain).
    threshold : float
        Least relief of a responder, a fraction in (0, 1] (e.g. 0.3 for IMMPACT's 30 %).

    Returns
    -------
    numpy.ndarray
        Boolean flags, the shape of ``relief_fraction`` (a NaN relief is not a responder).

    Raises
    ------
    painsim.errors.ParameterError
        ``threshold`` not a fraction in (0, 1] (e.g. 30 given for 30 %), or a relief above 1 or
        not numbers (text or a bool).
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)) \
            or not 0 < threshold <= 1:
        raise ParameterError("threshold", threshold, "a fraction of relief in (0, 1], e.g. 0.3 for 30 %")
    fraction = floats(relief_fraction, "relief_fraction", "fractions of relief (numbers <= 1)")
    if np.any(fraction > 1 + 1e-12):
        raise ParameterError("relief_fraction", float(np.nanmax(fraction)),
                             "fractions of relief <= 1 (a percent, such as readouts.relief's, divided by 100)")
    return fraction >= threshold - 1e-12


def combined_pain(spinal_score, overactive_fraction, weight_map: float):
    """Pain from spinal output and pain-map overactivity: a convex mix
    ``(1 - weight_map) * spinal + weight_map * 10 * overactive_fraction``, on the NRS 0-10.

    Parameters
    ----------
    spinal_score : float or array_like
        The spinal pain score, NRS 0-10 (the pathway models': :func:`model_pain_score` of the
        projection-neuron rate).
    overactive_fraction : float or array_like
        The map term on a 0-1 scale (:func:`map_score` / 10).
    weight_map : float
        The map term's weight, 0-1 (``readout.map_weight``).

    Returns
    -------
    numpy.float64 or numpy.ndarray
        The combined score, NRS 0-10 (clipped at both ends against rounding; NaN where an input
        is NaN).

    Raises
    ------
    painsim.errors.ParameterError
        An argument outside its range (refused, not clipped: a fraction of 2 is a mistake
        upstream, e.g. a map score not divided by 10), or ``overactive_fraction`` of a shape that
        does not match ``spinal_score``'s.  NaN (not tested) passes through.
    """
    weight_map = number(weight_map, "weight_map", 0, 1, allowed="a weight in [0, 1]")
    spinal = _nrs(spinal_score, "spinal_score")
    fraction = _within(overactive_fraction, "overactive_fraction", 1.0,
                       "fractions from 0 to 1 (the map term: map_score / 10)")
    _paired(spinal, fraction, "overactive_fraction", "spinal_score")
    # ends of the NRS held against rounding (_NRS_SLACK)
    return np.clip((1 - weight_map) * spinal + weight_map * 10.0 * fraction, 0.0, 10.0)
