"""Pain intensity and unpleasantness on the NRS from rates (formerly part of :mod:`painsim.readouts`).

The psychophysical pain map of the projection neurons' rate
(:func:`psychophysics_points`, :func:`nrs_from_rate`, :func:`model_pain_score`;
the spinothalamic heat response of Kenshalo et al. 1979 J Neurophysiol 42:1370,
:func:`stt_heat_rate`), the generic Hill score (:func:`pain_score`) and the
unpleasantness map of the ACC rate (:func:`unpleasantness_points`,
:func:`unpleasantness_score`; Rainville et al. 1997 Science 277:968).  The
derivation is in the docstring of :mod:`painsim.readouts`.
"""
from __future__ import annotations

import numpy as np

from ..checks import floats, number
from ..errors import ParameterError, UnknownKeyError
from ..params import register_relation_check
from ..units import to_si

__all__ = ["pain_score", "stt_heat_rate", "psychophysics_points", "nrs_from_rate", "model_pain_score",
           "unpleasantness_points", "unpleasantness_score", "check_map_points"]

#: What :func:`nrs_from_rate` names in its errors unless told (the intensity map's points).
PAIN_MAP = "the pain map's points"
#: The unpleasantness map's anchors (:func:`unpleasantness_points`).
UNPLEASANTNESS_MAP = "the unpleasantness map's points (medial.readout.acc_rate_<k>)"


def pain_score(rate, half_rate: float, hill: float):
    """NRS 0-10 from projection-neuron rate (Hz); monotone increasing, 5 at ``half_rate``.

    Parameters
    ----------
    rate : float or array_like
        Projection-neuron rate, Hz (a negative rate counts as 0).
    half_rate : float
        The rate scored 5, Hz (> 0).
    hill : float
        Hill exponent (> 0).

    Returns
    -------
    float or numpy.ndarray
        ``10 * r**hill / (r**hill + half_rate**hill)``, NRS 0-10 (a float for a scalar ``rate``;
        NaN for NaN).  Where the powers overflow or underflow (an infinite rate, ``1e3**120``,
        ``1e-200**2``) and the formula gives 0/0 or inf/inf, its limit: 10 above ``half_rate``,
        0 below it (and at rate 0), 5 at it.

    Raises
    ------
    painsim.errors.ParameterError
        ``half_rate`` or ``hill`` not a finite number > 0 (NaN, text or a bool), or ``rate`` not numbers.
    """
    half_rate = number(half_rate, "half_rate", lo=0.0, lo_open=True, allowed="a rate > 0 Hz (finite), scored 5")
    hill = number(hill, "hill", lo=0.0, lo_open=True, allowed="a Hill exponent > 0 (finite)")
    r = np.maximum(floats(rate, "rate", "a rate in Hz (a number or an array of numbers)"), 0.0)
    try:
        half_power = half_rate ** hill
    except OverflowError:  # Python floats raise where numpy's give inf (40 ** 400)
        half_power = float("inf")
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        score = 10.0 * r ** hill / (r ** hill + half_power)
    # the formula stays as it was (finite results keep their bits); only its 0/0 and inf/inf get the limit
    limit = np.where(r > half_rate, 10.0, np.where(r < half_rate, 0.0, 5.0))
    score = np.where(np.isnan(score) & ~np.isnan(r), limit, score)
    return float(score) if np.ndim(score) == 0 else score


def stt_heat_rate(celsius, rate_50: float, exponent: float, base: float = 35.0):
    """Spinothalamic (WDR) response (Hz) to contact heat at ``celsius`` °C: ``rate_50 * ((T - base) / (50 - base))
    ** exponent`` above the adapting temperature ``base``, 0 at or below it (Kenshalo et al. 1979).

    Parameters
    ----------
    celsius : float or array_like
        Contact temperature, °C.
    rate_50 : float
        The response at 50 °C, Hz (> 0; ``readout.stt_rate_50c``).
    exponent : float
        Power-function exponent (> 0; ``readout.stt_exponent``).
    base : float
        Adapting temperature, °C (< 50; default 35).

    Returns
    -------
    float or numpy.ndarray
        The rate, Hz (a float for a scalar ``celsius``).

    Raises
    ------
    painsim.errors.ParameterError
        ``rate_50`` or ``exponent`` not a finite number > 0, or ``base`` not < 50 °C (NaN, text or a
        bool refused), or ``celsius`` not numbers.
    """
    rate_50 = number(rate_50, "rate_50", lo=0.0, lo_open=True, allowed="a rate > 0 Hz (finite), the response at 50 °C")
    exponent = number(exponent, "exponent", lo=0.0, lo_open=True, allowed="a power-function exponent > 0 (finite)")
    base = number(base, "base", allowed="an adapting temperature < 50 °C (finite)")
    if not base < 50.0:
        raise ParameterError("base", base, "an adapting temperature < 50 °C (finite)")
    x = np.clip((floats(celsius, "celsius", "temperatures in °C (numbers)") - base) / (50.0 - base), 0.0, None)
    out = rate_50 * x ** exponent
    return float(out) if np.ndim(out) == 0 else out


def psychophysics_points(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cited points of the pain map of ``model`` (anything with ``.si(path)``):
    (temperatures °C, spinothalamic rates Hz, NRS), one per ``readout.heat_rating_<k>``, k = 1, 2, ...

    Parameters
    ----------
    model : painsim.params.Model
        Holds ``readout.heat_rating_<k>`` and ``readout.heat_rating_<k>_celsius`` (read up to the
        first ``k`` missing either) and ``readout.stt_rate_50c``, ``readout.stt_exponent``,
        ``readout.stt_base_celsius`` (:func:`stt_heat_rate`).

    Returns
    -------
    temperatures, rates, ratings : numpy.ndarray
        One value per rated temperature: °C, the spinothalamic rate there (Hz), the rating (NRS).

    Raises
    ------
    painsim.errors.UnknownKeyError
        A ``readout.stt_*`` parameter is missing.
    painsim.errors.ParameterError
        ``model`` not a Model; the ``readout.stt_*`` parameters refused by :func:`stt_heat_rate`
        (named by their keys).
    """
    _checked_model(model)
    temps, ratings = [], []
    k = 1
    # a Model answers `path in model` cheaply; looking a missing key up raises an error whose
    # "did you mean" search costs ~50 ms per call (measured, benchmarks/bench_overhead.py)
    contains = hasattr(model, "__contains__")
    while not contains or f"readout.heat_rating_{k}" in model:
        try:
            temps.append(float(model.si(f"readout.heat_rating_{k}_celsius")))
            ratings.append(float(model.si(f"readout.heat_rating_{k}")))
        except (KeyError, UnknownKeyError):
            break
        k += 1
    temps, ratings = np.array(temps[:len(ratings)]), np.array(ratings)
    keys = {"rate_50": "readout.stt_rate_50c", "exponent": "readout.stt_exponent", "base": "readout.stt_base_celsius"}
    try:
        rates = np.asarray(stt_heat_rate(temps, *(model.si(k) for k in keys.values())), float).reshape(-1)
    except ParameterError as e:
        raise e.renamed(keys.get(e.name, e.name)) from None
    return temps, rates, ratings


def nrs_from_rate(rate, rates, ratings, what: str = PAIN_MAP):
    """NRS 0-10 from projection-neuron rate (Hz) through cited points (``rates`` Hz, ``ratings`` NRS).

    Piecewise linear through (0, 0) and the points (flat at 0 up to the first
    point when it is rated 0), the last slope beyond the last point,
    clipped to [0, 10].  Monotone non-decreasing whenever the points are.

    Parameters
    ----------
    rate : float or array_like
        The rate to score, Hz (a negative rate counts as 0; NaN gives NaN; an infinite rate
        the limit: 10, or the last rating where the last segment is flat).
    rates : array_like
        The points' rates, Hz.
    ratings : array_like
        The points' ratings, NRS (as many as ``rates``).
    what : str
        Which map the points are, named in the errors (default: the pain map's,
        :func:`psychophysics_points`; the unpleasantness and S1 maps name theirs).

    Returns
    -------
    float or numpy.ndarray
        NRS 0-10 (a float for a scalar ``rate``).

    Raises
    ------
    painsim.errors.ParameterError
        Fewer than two points, rates not strictly increasing, finite and > 0, ratings
        not as many, decreasing, NaN or outside [0, 10]; ``rate`` not numbers.
    """
    x = floats(rates, "rates", "the points' rates (numbers)").reshape(-1)
    y = floats(ratings, "ratings", "the points' ratings (numbers)").reshape(-1)
    if x.size < 2 or not _rising_rates(x):
        raise ParameterError("rates", x.tolist(), "two or more rates, finite, > 0 and strictly increasing", hint=what)
    if y.size != x.size or not np.all(np.isfinite(y)) or np.any(np.diff(y) < 0) or y.min() < 0 or y.max() > 10:
        raise ParameterError("ratings", y.tolist(), f"one rating per rate ({x.size}), non-decreasing within 0-10",
                             hint=what)
    r = np.maximum(floats(rate, "rate", "a rate in Hz (a number or an array of numbers)"), 0.0)
    xs, ys = np.concatenate([[0.0], x]), np.concatenate([[0.0], y])
    slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
    with np.errstate(invalid="ignore"):  # 0 x inf of a flat last segment: set to its limit below
        beyond = y[-1] + slope * (r - x[-1])
    beyond = np.where(np.isposinf(r), 10.0 if slope > 0 else y[-1], beyond)
    score = np.where(r <= x[-1], np.interp(r, xs, ys), beyond)
    score = np.clip(score, 0.0, 10.0)
    return float(score) if np.ndim(score) == 0 else score


def _rising_rates(x) -> bool:
    """Whether the rates ``x`` (Hz) are finite, > 0 and strictly increasing, as :func:`nrs_from_rate` needs."""
    x = np.asarray(x, float).reshape(-1)
    return bool(np.all(np.isfinite(x)) and (x.size == 0 or x[0] > 0) and np.all(np.diff(x) > 0))


def _checked_rates(rate, name: str):
    """``rate`` in Hz as floats (a number, an array or a DataArray of them in Hz, or a quantity such as
    ``"50 Hz"``), refused naming ``name`` unless every value is a finite rate >= 0 (NaN, a missing value,
    passes through).  Spike counts per time are never negative: a negative rate is a difference of
    rates or a wrong argument, which the map's clip at 0 would otherwise turn silently into "no pain"."""
    allowed = "a rate in Hz >= 0 (a number or an array of numbers)"
    if isinstance(rate, str) or hasattr(rate, "dim"):
        rate = to_si(rate, "Hz", name, allow_array=True)
    r = floats(rate, name, allowed)
    if np.any(r < 0) or np.any(np.isinf(r)):
        bad = r[(r < 0) | np.isinf(r)]
        raise ParameterError(name, float(bad.reshape(-1)[0]), allowed)
    return r


def _checked_model(model, name: str = "model"):
    """``model`` if it reads parameters by path (a :class:`painsim.params.Model`)."""
    if isinstance(model, str) or not callable(getattr(model, "si", None)):
        raise ParameterError(name, model, "a painsim Model (painsim.load_model) holding a [readout] section")
    return model


def model_pain_score(rate, model):
    """NRS 0-10 of a projection-neuron rate (Hz) by the psychophysical map of ``model``'s ``[readout]``
    (:func:`psychophysics_points`, :func:`nrs_from_rate`).

    Parameters
    ----------
    rate : float, array_like or str
        Projection-neuron rate, Hz (a number, an array of numbers, or a quantity such as
        ``"50 Hz"``).
    model : painsim.params.Model
        Holds the ``[readout]`` section of the pain map.

    Returns
    -------
    float or numpy.ndarray
        NRS 0-10 (a float for a scalar ``rate``; NaN for NaN).

    Raises
    ------
    painsim.errors.ParameterError
        ``rate`` not a rate >= 0 Hz (a number or an array; NaN passes through), or ``model`` not a Model.
        Also the map's points refused (:func:`psychophysics_points`, :func:`nrs_from_rate`: fewer than
        two, or not increasing).
    painsim.errors.UnitError
        ``rate`` a quantity in a unit other than Hz.
    painsim.errors.UnknownKeyError
        A ``readout.stt_*`` parameter is missing from ``model``.
    """
    r = _checked_rates(rate, "rate")
    _, rates, ratings = psychophysics_points(_checked_model(model))
    return nrs_from_rate(r, rates, ratings)


def unpleasantness_points(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The anchor points of the unpleasantness map of ``model`` (anything with ``.si(path)``):
    (temperatures °C, ACC rates Hz, NRS), one per ``medial.readout.acc_rate_<k>``.

    Temperature ``k`` and its rating are the intensity map's
    (``readout.heat_rating_<k>_celsius``, ``readout.heat_rating_<k>``,
    :func:`psychophysics_points`); the rate is the ACC's at that temperature.

    Parameters
    ----------
    model : painsim.params.Model
        Holds ``medial.readout.acc_rate_<k>`` and the ``[readout]`` section of the intensity map.

    Returns
    -------
    temperatures, rates, ratings : numpy.ndarray
        One value per rated temperature: °C, the ACC rate there (Hz), the rating (NRS).

    Raises
    ------
    painsim.errors.ParameterError
        ``model`` not a Model; no ACC rate for a rated temperature.  (Fewer than two points are refused where the
        points are used, by :func:`nrs_from_rate`.)
    painsim.errors.UnknownKeyError
        A ``readout.stt_*`` parameter is missing (:func:`psychophysics_points`).
    """
    return _anchor_points(model, "medial.readout.acc_rate_{k}", "the ACC rate (Hz)")


def _anchor_points(model, key: str, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(temperatures, the rates at ``key`` (``{k}`` = 1, 2, ...), ratings) of the intensity map's points."""
    temps, _, ratings = psychophysics_points(model)
    rates = []
    for k in range(1, temps.size + 1):
        try:
            rates.append(float(model.si(key.format(k=k))))
        except (KeyError, UnknownKeyError):
            raise ParameterError(key.format(k=k), None, f"{what} at readout.heat_rating_{k}_celsius") from None
    return temps, np.array(rates), ratings


def unpleasantness_score(acc_rate, model):
    """Pain unpleasantness, NRS 0-10, of an anterior-cingulate rate (Hz).

    Piecewise linear through the points of :func:`unpleasantness_points` (and
    (0 Hz, 0)), by :func:`nrs_from_rate`: monotone non-decreasing in the ACC
    rate, 0 at or below the rate of the hottest painless temperature, clipped
    to [0, 10].  ACC activity encodes perceived unpleasantness (Rainville et
    al. 1997 Science 277:968: hypnotic suggestions changed unpleasantness and
    ACC activity, not intensity or S1 activity); the anchoring to heat
    ratings is a calibration, not data on ACC rates (module docstring).

    Parameters
    ----------
    acc_rate : float or array_like
        Mean rate of the ACC excitatory units, Hz.
    model : Model
        Holds ``medial.readout`` and ``readout`` (the pathway models).

    Returns
    -------
    float or numpy.ndarray
        NRS 0-10.

    Raises
    ------
    painsim.errors.ParameterError
        ``acc_rate`` not a rate >= 0 Hz, or ``model`` not a Model; no ACC rate for a rated
        temperature, or anchor points refused by :func:`nrs_from_rate` (fewer than two, or not
        increasing; named as the unpleasantness map's).
    """
    r = _checked_rates(acc_rate, "acc_rate")
    _, rates, ratings = unpleasantness_points(_checked_model(model))
    return nrs_from_rate(r, rates, ratings, what=UNPLEASANTNESS_MAP)


def check_map_points(model) -> None:
    """Refuse, naming the key, a model whose pain maps :func:`nrs_from_rate` would refuse after a
    simulation: the intensity map's spinothalamic rates (:func:`psychophysics_points`) and the
    unpleasantness anchors (``medial.readout.acc_rate_<k>``) must be finite, > 0 Hz and strictly
    increasing.  Registered with :func:`painsim.params.register_relation_check`, so every load and
    every :meth:`~painsim.params.Model.with_params` runs it; keys absent from ``model`` are not checked.

    Parameters
    ----------
    model : painsim.params.Model
        Or anything answering ``path in model`` and ``model.si(path)``, ``model.text(path)``.

    Raises
    ------
    painsim.errors.ParameterError
        ``readout.stt_base_celsius`` not below the lowest rated temperature (the rate there is 0);
        ``readout.stt_exponent`` or ``readout.stt_rate_50c`` whose rates at the rated temperatures
        underflow to 0, overflow or tie; an unpleasantness anchor that is not a finite rate > 0 Hz
        above the one before it.
    """
    stt = ("readout.stt_rate_50c", "readout.stt_exponent", "readout.stt_base_celsius")
    if not all(k in model for k in stt) or "readout.heat_rating_1" not in model:
        return
    temps, rates, _ = psychophysics_points(model)
    base = "readout.stt_base_celsius"
    if temps.size and not temps[0] > model.si(base):
        raise ParameterError(base, model.text(base), f"an adapting temperature below readout.heat_rating_1_celsius "
                             f"({temps[0]:g} °C), the lowest rated temperature: the spinothalamic rate is 0 at or below "
                             f"it (stt_heat_rate), and the pain map's points need rates > 0",
                             hint="or raise readout.heat_rating_1_celsius; to change both, set them in one with_params call")
    if not _rising_rates(rates):
        powers = stt_heat_rate(temps, 1.0, model.si("readout.stt_exponent"), model.si(base))
        key = "readout.stt_exponent" if not _rising_rates(powers) else "readout.stt_rate_50c"
        at = ", ".join(f"{t:g}" for t in temps)
        raise ParameterError(key, model.text(key), f"a value whose spinothalamic rates at the rated temperatures "
                             f"({at} °C) are finite, > 0 and strictly increasing (the pain map's points); they are "
                             f"{rates.tolist()} Hz", hint="stt_heat_rate under- or overflows")
    _check_anchor_rates(model, "medial.readout.acc_rate_{k}", temps.size)


def _check_anchor_rates(model, key: str, n: int) -> None:
    """Refuse, naming it, an anchor ``key`` (``{k}`` = 1 .. ``n``, up to the first missing) that is not a
    finite rate > 0 Hz above the anchor before it: :func:`nrs_from_rate` needs its points rising."""
    previous = None
    for k in range(1, n + 1):
        path = key.format(k=k)
        if path not in model:
            return  # a missing anchor is refused where the points are read (_anchor_points)
        rate = float(model.si(path))
        if not (np.isfinite(rate) and rate > 0):
            raise ParameterError(path, model.text(path), "a rate > 0 Hz (finite): the map runs from (0 Hz, NRS 0) "
                                 "through its anchors, which rise")
        if previous is not None and not rate > previous[1]:
            raise ParameterError(path, model.text(path), f"a rate above {previous[0]} ({model.text(previous[0])}): "
                                 f"the anchors rise with the rated temperatures (readout.heat_rating_<k>_celsius)",
                                 hint="to change both, set them in one with_params call")
        previous = (path, rate)


register_relation_check(check_map_points)
