"""The virtual QST profile (DFNS battery; formerly part of :mod:`painsim.analysis`).

Thresholds by the method of levels (:func:`first_crossing`: heat and
mechanical pain thresholds), mechanical pain sensitivity (:func:`dfns_mps`),
the wind-up ratio (:func:`windup_ratio`), z-scores against a reference group
with gain of function positive (:func:`dfns_zscores`) and the profile Dataset
(:func:`qst_summary`), after the DFNS protocol (Rolke et al. 2006 Pain
123:231).
"""
from __future__ import annotations

import warnings

import numpy as np
import xarray as xr

from ..checks import floats, number
from ..errors import ParameterError, UnknownKeyError

__all__ = ["first_crossing", "dfns_mps", "windup_ratio", "dfns_zscores", "qst_summary", "QST_MEASURES",
           "LOG_SD_FLOOR", "HPT_SD_FLOOR", "qst_long_name"]


#: Floor of the reference SD of the log10-transformed measures (log10 units).  Chosen: virtual
#: healthy subjects can all rate 0, which would give an SD of 0 and infinite z-scores.
LOG_SD_FLOOR = 0.1
#: Floor of the reference SD of the heat pain threshold (°C).  Chosen: 1 °C, below the SD of the
#: DFNS healthy reference HPT (a few °C, Rolke et al. 2006 Pain 123:231, Magerl et al. 2010 Pain
#: 151:598 [recalled]) so that it only guards against a degenerate virtual reference (all seeds
#: at one threshold); the 0.1 floor of the log10 measures would mean 0.1 °C and inflate z-scores.
HPT_SD_FLOOR = 1.0
#: The measures of the virtual QST profile: (name, DFNS sign of a gain of function, log10 transform, units,
#: long name, floor of the reference SD in the units the z-score is taken in: log10 units where transformed,
#: else the measure's own units).  DFNS z-scores are signed so that positive = gain (hyperalgesia, allodynia),
#: negative = loss (Rolke et al. 2006 Pain 123:231; Maier et al. 2010 Pain 150:439); ratings, thresholds in mN
#: and the wind-up ratio are log10-transformed before z-scoring (DFNS secondary normalization), heat thresholds not.
QST_MEASURES = (
    ("rest", +1, True, "1", "pain at rest (NRS, no stimulus)", LOG_SD_FLOOR),
    ("brush", +1, True, "1", "dynamic mechanical allodynia: pain to a brush stroke (NRS)", LOG_SD_FLOOR),
    ("pinprick", +1, True, "1", "mechanical pain sensitivity: geometric mean pinprick rating over the forces "
     "tested (NRS)", LOG_SD_FLOOR),
    ("heat", +1, True, "1", "suprathreshold heat pain (NRS)", LOG_SD_FLOOR),
    ("heat_pain_threshold", -1, False, "degC", "heat pain threshold", HPT_SD_FLOOR),
    ("mechanical_pain_threshold", -1, True, "mN", "mechanical (pinprick) pain threshold", LOG_SD_FLOOR),
    ("windup_ratio", +1, True, "1", "wind-up ratio", LOG_SD_FLOOR),
)


def qst_long_name(name: str, forces=None) -> str:
    """The long name of the QST measure ``name`` (:data:`QST_MEASURES`), the ``pinprick`` one naming
    the ``forces`` (mN) it was measured over when given (a fixed "8-512 mN" named the DFNS series
    whatever forces were used).

    Parameters
    ----------
    name : str
        A :data:`QST_MEASURES` name.
    forces : array_like, optional
        The pinprick forces (mN) of the measure; ignored for the other measures.

    Returns
    -------
    str

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``name`` is not a QST measure.
    painsim.errors.ParameterError
        ``forces`` not numbers.
    """
    names = {m[0]: m[4] for m in QST_MEASURES}
    if name not in names:
        raise UnknownKeyError(str(name), list(names), what="QST measure")
    if name != "pinprick" or forces is None:
        return names[name]
    at = ", ".join(f"{f:g}" for f in floats(forces, "forces", "pinprick forces (mN, numbers)").reshape(-1))
    return f"mechanical pain sensitivity: geometric mean pinprick rating at {at} mN (NRS)"


# ------------------------------------------------------------------ virtual QST (DFNS battery)
def first_crossing(levels, ratings, criterion: float, log: bool = False, ceiling: float = float("nan")) -> float:
    """The stimulus level at which ``ratings`` first exceed ``criterion`` (a threshold by the method of
    levels), linearly interpolated between the last level below and the first above (in log units with
    ``log=True``, e.g. forces).  ``ceiling`` if no level exceeds it (a threshold censored at the cut-off,
    as the DFNS does; default ``nan``); the lowest level if the first does.

    Parameters
    ----------
    levels : array_like
        Stimulus levels, finite and strictly increasing (e.g. °C, or mN with ``log=True``: then > 0).
    ratings : array_like
        The rating at each level (NRS; finite numbers, one per level).
    criterion : float
        The rating to exceed (NRS, a finite number).
    log : bool
        Interpolate in the logarithm of the levels (default False).
    ceiling : float
        The value returned when no rating exceeds ``criterion``.

    Returns
    -------
    float
        The threshold, in the units of ``levels``.

    Raises
    ------
    painsim.errors.ParameterError
        ``levels`` empty, not finite or not strictly increasing, or (``log``) not all > 0;
        ``ratings`` not one finite number per level; ``criterion`` not a finite number;
        ``log`` not a bool.
    """
    levels, y = _first_crossing_inputs(levels, ratings, log)
    criterion = number(criterion, "criterion", allowed="a rating to exceed (NRS, a finite number)")
    x = np.log(levels) if log else levels
    above = np.flatnonzero(y > criterion)
    if above.size == 0:
        return float(ceiling)
    k = int(above[0])
    if k == 0:
        value = x[0]
    else:
        value = x[k - 1] + (criterion - y[k - 1]) * (x[k] - x[k - 1]) / (y[k] - y[k - 1])
    return float(np.exp(value) if log else value)


def _first_crossing_inputs(levels, ratings, log) -> tuple[np.ndarray, np.ndarray]:
    """``levels`` and ``ratings`` of :func:`first_crossing` as float arrays, refused unless the levels
    are finite, strictly increasing (descending ones interpolated a threshold outside the series) and,
    with ``log``, > 0 (log 0 is -inf), and the ratings one finite number per level."""
    _flag(log)
    x = floats(levels, "levels", "stimulus levels (numbers)").reshape(-1)
    if x.size == 0 or not np.all(np.isfinite(x)) or np.any(np.diff(x) <= 0):
        raise ParameterError("levels", x.tolist(), "one or more finite stimulus levels in strictly increasing order")
    if log and x[0] <= 0:
        raise ParameterError("levels", x.tolist(), "levels > 0 (log=True interpolates in their logarithm, e.g. mN)")
    y = floats(ratings, "ratings", "ratings (NRS numbers)").reshape(-1)
    if y.size != x.size or not np.all(np.isfinite(y)):
        raise ParameterError("ratings", y.tolist(), f"one finite rating (NRS) per level ({x.size})")
    return x, y


def _flag(log) -> None:
    """Refuse a ``log`` that is not a bool (the string "false" would be true)."""
    if not isinstance(log, (bool, np.bool_)):
        raise ParameterError("log", log, "true or false (take the logarithm or not)")


def dfns_mps(ratings) -> float:
    """Mechanical pain sensitivity as the DFNS computes it: the geometric mean of the pinprick ratings,
    with 0.1 added to each so that ratings of 0 count (Rolke et al. 2006), minus that 0.1 again (NRS).

    The DFNS adds 0.1 to ratings of 0-100, i.e. 0.01 on this 0-10 scale; chosen ten times larger:
    the model's ratings are continuous and go far below the smallest rating a patient gives (1 of
    100), so 0.01 would turn an imperceptible 0.06 NRS into a large sign (the same 0.1 enters the
    log10 transform of the ratings in :func:`dfns_zscores`).

    Parameters
    ----------
    ratings : array_like
        Pinprick ratings, NRS 0-10 (one or more finite numbers >= 0).

    Returns
    -------
    float
        The mechanical pain sensitivity, NRS.

    Raises
    ------
    painsim.errors.ParameterError
        No rating, or a rating that is negative or not finite (its logarithm would be NaN).
    """
    r = floats(ratings, "ratings", "pinprick ratings (NRS numbers)").reshape(-1)
    if r.size == 0 or not np.all(np.isfinite(r)) or np.any(r < 0):
        raise ParameterError("ratings", r.tolist(), "one or more pinprick ratings, finite numbers >= 0 (NRS)")
    return float(np.exp(np.mean(np.log(r + 0.1))) - 0.1)


def windup_ratio(counts_per_pulse) -> float:
    """Wind-up ratio of a train: mean response per stimulus over the train / response to its first
    stimulus (the DFNS ratio of the rating of a 10-stimulus train to that of a single stimulus,
    Rolke 2006, here on projection-neuron spikes).  ``nan`` when the first stimulus evokes nothing.

    Parameters
    ----------
    counts_per_pulse : array_like
        The response to each stimulus of the train, in order (e.g. :func:`spikes_per_pulse`).

    Returns
    -------
    float
        The ratio (dimensionless); ``nan`` for an empty train or a first response <= 0.

    Raises
    ------
    painsim.errors.ParameterError
        ``counts_per_pulse`` (named) not a 1-D sequence of numbers (text, a 2-D array, a scalar:
        numpy's ValueError or IndexError before).
    """
    allowed = "a 1-D sequence of the responses to the stimuli of one train (numbers), in order"
    c = floats(counts_per_pulse, "counts_per_pulse", allowed)
    if c.ndim != 1:
        raise ParameterError("counts_per_pulse", counts_per_pulse, allowed)
    return float(c.mean() / c[0]) if c.size and c[0] > 0 else float("nan")


def dfns_zscores(values, reference, sign: int, log: bool, sd_floor: float) -> np.ndarray:
    """DFNS z-scores of ``values`` against the ``reference`` group: ``sign * (x - mean) / sd`` after a
    log10 transform (``log``; 0.1 added as for ratings), positive = gain of function.  ``sd_floor``
    bounds the reference SD from below (virtual healthy subjects may all rate 0), in the units the
    z-score is taken in: log10 units with ``log``, else the measure's own units (°C for HPT).

    Parameters
    ----------
    values : array_like
        The measure of the subjects to score.
    reference : array_like
        The measure of the reference group (non-finite values are left out).
    sign : int
        +1 where a higher value is a gain of function (ratings), -1 where a lower one is
        (thresholds).
    log : bool
        Take ``log10(max(x, 0) + 0.1)`` of both first.
    sd_floor : float
        Least reference SD, in the units the z-score is taken in (a finite number > 0: with 0, a
        reference of equal values would give infinite z-scores).

    Returns
    -------
    numpy.ndarray
        The z-scores (the shape of ``values``); all nan when the reference has no finite value.
        The reference SD is the sample SD (``ddof=1``; 0 for one value), at least ``sd_floor``.

    Raises
    ------
    painsim.errors.ParameterError
        ``sign`` not +1 or -1 (0 would score every subject 0), ``log`` not a bool, ``sd_floor``
        not a finite number > 0, or ``values`` or ``reference`` not numbers.
    """
    if isinstance(sign, (bool, np.bool_)) or sign not in (1, -1):
        raise ParameterError("sign", sign, "+1 (a higher value is a gain of function) or -1 (a lower one is)")
    sd_floor = number(sd_floor, "sd_floor", lo=0.0, lo_open=True, allowed="a floor of the reference SD > 0 (finite)")
    ref = _transformed(floats(reference, "reference", "the reference group's values (numbers)"), log)
    values = floats(values, "values", "the subjects' values (numbers)")
    ref = ref[np.isfinite(ref)]
    if ref.size == 0:
        return np.full(np.shape(values), np.nan)
    sd = max(float(np.std(ref, ddof=1)) if ref.size > 1 else 0.0, sd_floor)
    return sign * (_transformed(values, log) - float(np.mean(ref))) / sd


def _transformed(v: np.ndarray, log) -> np.ndarray:
    """The values a z-score is taken of: ``log10(max(v, 0) + 0.1)`` with ``log``, else ``v``."""
    _flag(log)
    return np.log10(np.maximum(v, 0.0) + 0.1) if log else v


def qst_summary(per_subject: xr.Dataset, reference: str, sd_floor: float | None = None,
                abnormal: float = 1.96) -> xr.Dataset:
    """The profile of a virtual QST: means over subjects, z-scores against the ``reference`` model and the
    fraction of subjects with a gain of function beyond ``abnormal`` (one-sided, z > ``abnormal``; DFNS: 95 % of
    healthy subjects lie within ±1.96, and a loss of function, z < -1.96, is not counted here).

    Each measure's reference SD is floored by its own floor in its own units (the last field of
    :data:`QST_MEASURES`); ``sd_floor``, if given, replaces the floor of the log10-transformed measures
    only (log10 units), never that of the heat pain threshold (°C).

    ``per_subject`` holds one variable per :data:`QST_MEASURES` name over (``model``, ``subject``); returns
    ``zscore`` and ``abnormal_fraction`` over (``model``, ``measure``) and ``<name>_mean`` over ``model``
    (the ``pinprick`` one's long name names the forces of a ``force`` coordinate of ``per_subject``).

    Parameters
    ----------
    per_subject : xarray.Dataset
        One variable per :data:`QST_MEASURES` name, dims (``model``, ``subject``) in that order,
        in the units of :data:`QST_MEASURES`.
    reference : str
        The ``model`` whose subjects are the reference group.
    sd_floor : float, optional
        Floor of the reference SD of the log10-transformed measures, log10 units (default: each
        measure's own).
    abnormal : float
        The z-score above which a subject counts as abnormal (default 1.96; one-sided: only a
        gain of function counts).

    Returns
    -------
    xarray.Dataset
        ``zscore`` (model, measure): mean z-score over the subjects with a finite one;
        ``abnormal_fraction`` (model, measure): fraction of all subjects with z > ``abnormal``
        (a subject without a z-score counts as normal; NaN for every model where the reference
        model has no finite value of the measure, so that no subject has a z-score; its
        ``long_name`` names the threshold and its ``abnormal`` attribute holds it);
        ``<name>_mean`` (model): the mean of the measure over subjects, ignoring nan.

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``per_subject`` lacks a measure, or ``reference`` is not one of its models.
    painsim.errors.ParameterError
        ``per_subject`` not a Dataset, a measure not over (``model``, ``subject``) in that order;
        ``sd_floor`` not None or a finite number > 0; ``abnormal`` not a finite number.
    """
    names = [m[0] for m in QST_MEASURES]
    _check_summary_inputs(per_subject, reference, names)
    if sd_floor is not None:
        sd_floor = number(sd_floor, "sd_floor", lo=0.0, lo_open=True,
                          allowed="None or a floor of the reference SD > 0 (log10 units, finite)")
    abnormal = number(abnormal, "abnormal", allowed="a z-score threshold (a finite number, e.g. 1.96)")
    z = np.full((per_subject.sizes["model"], len(names)), np.nan)
    frac = np.full_like(z, np.nan)
    out = {}
    forces = per_subject["force"].values if "force" in per_subject.coords else None
    for j, (name, sign, log, units, _, floor) in enumerate(QST_MEASURES):
        if log and sd_floor is not None:
            floor = sd_floor
        v = per_subject[name]
        ref = v.sel(model=reference).values
        zs = np.stack([dfns_zscores(v.sel(model=m).values, ref, sign, log, floor) for m in v.model.values])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-nan rows: a threshold never reached
            z[:, j] = np.nanmean(np.where(np.isfinite(zs), zs, np.nan), axis=1)
            frac[:, j] = np.mean(np.nan_to_num(zs, nan=0.0) > abnormal, axis=1)
            if not np.isfinite(_transformed(np.asarray(ref, float), log)).any():
                frac[:, j] = np.nan  # no z-score at all: not "no subject abnormal"
            mean = np.nanmean(v.values, axis=1)
        out[f"{name}_mean"] = (("model",), mean, {"units": units, "long_name": f"{qst_long_name(name, forces)}, "
                                                                               "mean over virtual subjects"})
    out["zscore"] = (("model", "measure"), z, {"units": "1", "long_name": "DFNS z-score against the reference "
                                               "model, mean over virtual subjects (positive = gain of function)"})
    out["abnormal_fraction"] = (("model", "measure"), frac, {"units": "1", "long_name":
                                f"fraction of virtual subjects with a gain of function (z > {abnormal:g})",
                                "abnormal": abnormal})
    return xr.Dataset(out, coords={"model": per_subject.model.values, "measure": names})


def _check_summary_inputs(per_subject, reference, names) -> None:
    """Refuse, naming what is wrong, what :func:`qst_summary` would otherwise meet as a bare
    KeyError or read along the wrong axis."""
    if not isinstance(per_subject, xr.Dataset):
        raise ParameterError("per_subject", type(per_subject).__name__,
                             "an xarray Dataset with one variable per QST measure over (model, subject)")
    for name in names:
        if name not in per_subject:
            raise UnknownKeyError(name, names, what="QST measure (per_subject lacks it)")
        if per_subject[name].dims != ("model", "subject"):
            raise ParameterError(f"per_subject.{name}", per_subject[name].dims, "dims ('model', 'subject') in that order")
    if "model" not in per_subject.coords or reference not in list(per_subject["model"].values):
        models = [str(m) for m in per_subject["model"].values] if "model" in per_subject.coords else []
        raise UnknownKeyError(str(reference), models, what="reference model")
