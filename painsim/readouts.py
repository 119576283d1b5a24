"""Readouts: population rates, projection-neuron output, gate index, pain score.

Pure numpy; nothing here runs a simulation.

Pain score
    The numeric rating scale (NRS, 0-10) of the projection neurons' rate is the
    psychophysical pain map below (:func:`model_pain_score`; the dorsal horn
    rates its most active site with it).  :func:`pain_score` is a generic
    monotone Hill function ``10 * r**h / (r**h + r50**h)`` kept for callers
    that want one.  With a cortex in the model, the score also weighs the
    pain map's activity (:func:`combined_pain` of the term :func:`map_score`:
    its overactive area by default, or its excess rate).

Psychophysical pain map (:func:`nrs_from_rate`, :func:`model_pain_score`)
    The NRS grounded in published data, composed of two measured curves
    over contact-heat temperature ``T`` (°C, from a 35 °C adapting
    temperature): the primate spinothalamic (WDR) response
    ``r(T) = r_50 * ((T - 35) / 15) ** a`` (Kenshalo et al. 1979 J
    Neurophysiol 42:1370: peak rate a power function of temperature,
    exponent ``a`` = 2.1 for 30-s stimuli; ``r_50`` the rate at 50 °C), and
    human ratings of the same temperatures (``readout.heat_rating_<k>`` at
    ``readout.heat_rating_<k>_celsius``).  Each rated temperature gives one
    point (``r(T_k)``, ``NRS_k``); the map is piecewise linear through
    (0 Hz, 0) and these points, flat at 0 up to the first point (a rate
    rated painless), continued beyond the last point with the last slope and
    clipped at 10.  Sources and the derivation: ``models/gate_control.toml``
    ``[readout]`` and ``docs/phenotypes.md``.

Unpleasantness (:func:`unpleasantness_points`, :func:`unpleasantness_score`)
    The affective dimension of pain, rated on its own NRS (0-10) from the
    anterior cingulate (ACC) rate of the medial pathway
    (:mod:`painsim.circuits.medial`): ACC activity tracks perceived
    unpleasantness when intensity is held constant (Rainville et al. 1997
    Science 277:968).  No published ACC rate-to-rating curve was found, so
    the map is kept simple and anchored to the same heat data as the
    intensity map: the ACC rate the healthy model produces at each rated
    heat temperature (``medial.readout.acc_rate_<k>``, a calibration of
    the readout on the model) is given the rating of that temperature
    (``readout.heat_rating_<k>``), and :func:`nrs_from_rate` interpolates.
    So in health, unpleasantness equals intensity for brief heat, a
    simplification: affective ratings of contact heat grow more steeply
    with temperature than sensory ones (power-function exponents 3.8 vs 2.1,
    Price et al. 1983 Pain 17:45).  Any dissociation of the two scores
    comes from the circuit (the lateral and medial pathways responding
    differently), never from the map.

Map metrics
    On the S1 sheet (rates of the excitatory units as an image, rows = y,
    columns = x, grid spacing ``h``): the *active area* above a rate
    threshold is ``h**2`` times the number of units above it; the
    *overactive area* is the active area above ``readout.map_overactive_rate``
    while the painful site receives its nociceptive input; the *centroid*
    is the rate-weighted mean position of the units above threshold; the
    area a site *occupies* is that of the units above threshold whose
    strongest response, among the sites stimulated one at a time, is to
    that site (a winner-take-all partition of the map).

Gate index
    The share of inhibitory synaptic drive among all synaptic drive that the
    projection neurons receive, each drive being the summed conductance
    jumps times their decay time constant (i.e. the time integral of the
    conductance): 0 = open gate (no inhibition), 1 = fully closed.
"""
from __future__ import annotations

import numpy as np

from .checks import number, whole
from .errors import ParameterError, UnknownKeyError
from .io import bin_width  # the inverse of binned_rate's layout, kept where saved results are read
from .synchrony import paresthesia
from .units import to_si

__all__ = ["readout_start", "site_rates", "binned_rate", "bin_width", "site_block", "mean_rate", "pain_score", "stt_heat_rate", "psychophysics_points", "nrs_from_rate",
           "model_pain_score", "unpleasantness_points", "unpleasantness_score", "gate_index", "relief", "responders", "combined_pain",
           "map_image", "active_area", "map_excess_rate", "map_points", "MAP_MEASURES", "map_score", "map_centroid",
           "site_territories", "site_areas",
           "population_spikes"]


def binned_rate(times: np.ndarray, n_neurons: int, duration: float, bin: float) -> tuple[np.ndarray, np.ndarray]:
    """Population rate (Hz per neuron) in bins of ``bin`` s; returns (bin centres, rates)."""
    if bin <= 0:
        raise ParameterError("bin", bin, "a bin width > 0 s")
    n_bins = max(int(np.ceil(duration / bin - 1e-9)), 1)
    edges = np.arange(n_bins + 1) * bin
    counts, _ = np.histogram(times, edges)
    widths = np.diff(np.minimum(edges, duration))
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(widths > 0, counts / (max(n_neurons, 1) * widths), 0.0)
    return edges[:-1] + bin / 2, rates


def site_block(result, population: str, n_sites: int = 1, condition: int | None = None) -> int:
    """Neurons per body site of ``population`` in ``result``: neuron ``i`` is at site
    ``i // site_block``; 0 for a population not laid out by site (the S1 sheet, the PAG/RVM).
    Read from the result's ``population_site_neurons``; a result written before it had them is
    taken as ``n_sites`` equal blocks."""
    if "population_site_neurons" in result:
        var = result["population_site_neurons"]
        if condition is not None and "condition" in var.dims:
            var = var.isel(condition=condition)
        return int(var.sel(population=population))
    names = result["spike_population"].attrs["flag_meanings"].split()
    size = int(np.atleast_2d(result["population_size"].values)[0][names.index(population)])
    return max(size // max(int(n_sites), 1), 1)


def mean_rate(times: np.ndarray, n_neurons: int, start: float, stop: float) -> float:
    """Mean rate per neuron (Hz) of the spikes in [start, stop) of ``n_neurons`` (a whole number >= 0;
    a population of 0 neurons, which model files allow, e.g. ``cortex.populations.n_m1 = 0``, has no
    spikes and reads 0 Hz)."""
    n_neurons = whole(n_neurons, "n_neurons", 0, allow_float=True)
    if stop <= start:
        raise ParameterError("stop", stop, f"a window end after its start ({start} s)")
    k = np.count_nonzero((times >= start) & (times < stop))
    if n_neurons == 0 and k:
        raise ParameterError("n_neurons", 0, f"the size of the population that fired these {k} spikes")
    return k / (n_neurons * (stop - start)) if n_neurons else 0.0


def readout_start(model, duration: float) -> float:
    """Start of a simulation's readout window: ``readout.transient``, or 0 when the run is
    not longer than the transient."""
    t0 = model.si("readout.transient")
    return t0 if t0 < duration else 0.0


def site_rates(times: np.ndarray, neurons: np.ndarray, n_sites: int, per_site: int,
               start: float, stop: float) -> np.ndarray:
    """Mean rate per neuron (Hz) in [start, stop) of each body site's block of ``per_site``
    neurons (neuron ``i`` belongs to site ``i // per_site``)."""
    site = np.asarray(neurons) // max(per_site, 1)
    return np.array([mean_rate(times[site == s], per_site, start, stop) for s in range(n_sites)])


def pain_score(rate, half_rate: float, hill: float):
    """NRS 0-10 from projection-neuron rate (Hz); monotone increasing, 5 at ``half_rate``."""
    if half_rate <= 0 or hill <= 0:
        raise ParameterError("pain_half_rate/pain_hill", (half_rate, hill), "both > 0")
    r = np.maximum(np.asarray(rate, float), 0.0)
    score = 10.0 * r ** hill / (r ** hill + half_rate ** hill)
    return float(score) if np.ndim(score) == 0 else score


def stt_heat_rate(celsius, rate_50: float, exponent: float, base: float = 35.0):
    """Spinothalamic (WDR) response (Hz) to contact heat at ``celsius`` °C: ``rate_50 * ((T - base) / (50 - base))
    ** exponent`` above the adapting temperature ``base``, 0 at or below it (Kenshalo et al. 1979)."""
    if rate_50 <= 0 or exponent <= 0 or not base < 50.0:
        raise ParameterError("stt_rate_50c/stt_exponent", (rate_50, exponent, base), "rate and exponent > 0, base < 50 °C")
    x = np.clip((np.asarray(celsius, float) - base) / (50.0 - base), 0.0, None)
    out = rate_50 * x ** exponent
    return float(out) if np.ndim(out) == 0 else out


def psychophysics_points(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cited points of the pain map of ``model`` (anything with ``.si(path)``):
    (temperatures °C, spinothalamic rates Hz, NRS), one per ``readout.heat_rating_<k>``, k = 1, 2, ..."""
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
    rates = np.asarray(stt_heat_rate(temps, model.si("readout.stt_rate_50c"), model.si("readout.stt_exponent"),
                                     model.si("readout.stt_base_celsius")), float).reshape(-1)
    return temps, rates, ratings


def nrs_from_rate(rate, rates, ratings):
    """NRS 0-10 from projection-neuron rate (Hz) through cited points (``rates`` Hz, ``ratings`` NRS).

    Piecewise linear through (0, 0) and the points (flat at 0 up to the first
    point when it is rated 0), the last slope beyond the last point,
    clipped to [0, 10].  Monotone non-decreasing whenever the points are.

    Raises
    ------
    painsim.errors.ParameterError
        Fewer than two points, rates not strictly increasing and > 0, ratings
        decreasing or outside [0, 10].
    """
    x, y = np.asarray(rates, float).reshape(-1), np.asarray(ratings, float).reshape(-1)
    if x.size < 2 or x.size != y.size or x[0] <= 0 or np.any(np.diff(x) <= 0):
        raise ParameterError("pain map rates", x.tolist(), "two or more rates, > 0 and strictly increasing")
    if np.any(np.diff(y) < 0) or y.min() < 0 or y.max() > 10:
        raise ParameterError("pain map ratings", y.tolist(), "non-decreasing ratings within 0-10")
    r = np.maximum(np.asarray(rate, float), 0.0)
    xs, ys = np.concatenate([[0.0], x]), np.concatenate([[0.0], y])
    slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
    score = np.where(r <= x[-1], np.interp(r, xs, ys), y[-1] + slope * (r - x[-1]))
    score = np.clip(score, 0.0, 10.0)
    return float(score) if np.ndim(score) == 0 else score


def _floats(value, name: str, allowed: str) -> np.ndarray:
    """``value`` (a number or an array of them) as floats, refused naming ``name`` otherwise (a
    string or a boolean is no number here)."""
    if isinstance(value, (bool, str, bytes)):
        raise ParameterError(name, value, allowed)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(name, value, allowed) from None


def _checked_rates(rate, name: str):
    """``rate`` in Hz as floats (a number, an array or a DataArray of them in Hz, or a quantity such as
    ``"50 Hz"``), refused naming ``name`` unless every value is a finite rate >= 0 (NaN, a missing value,
    passes through).  Spike counts per time are never negative: a negative rate is a difference of
    rates or a wrong argument, which the map's clip at 0 would otherwise turn silently into "no pain"."""
    allowed = "a rate in Hz >= 0 (a number or an array of numbers)"
    if isinstance(rate, str) or hasattr(rate, "dim"):
        rate = to_si(rate, "Hz", name, allow_array=True)
    r = _floats(rate, name, allowed)
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

    Raises
    ------
    painsim.errors.ParameterError
        ``rate`` not a rate >= 0 Hz (a number or an array; NaN passes through), or ``model`` not a Model.
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

    Raises
    ------
    painsim.errors.ParameterError
        No ACC rate for a rated temperature, or fewer than two points.
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
        ``acc_rate`` not a rate >= 0 Hz, or ``model`` not a Model.
    """
    r = _checked_rates(acc_rate, "acc_rate")
    _, rates, ratings = unpleasantness_points(_checked_model(model))
    return nrs_from_rate(r, rates, ratings)


def gate_index(inhibitory_drive: float, excitatory_drive: float) -> float:
    """Inhibitory share of the synaptic drive onto projection neurons (0 open - 1 closed).

    Parameters
    ----------
    inhibitory_drive, excitatory_drive : float
        Time integrals of conductance (S s, :func:`painsim.circuits.dorsal_horn.pn_drives`),
        each >= 0 (a negative one would put the share outside 0-1); both 0 gives 0.
    """
    allowed = "a synaptic drive >= 0 (a time integral of conductance, S s)"
    inhibitory_drive = number(inhibitory_drive, "inhibitory_drive", lo=0, allowed=allowed)
    excitatory_drive = number(excitatory_drive, "excitatory_drive", lo=0, allowed=allowed)
    total = inhibitory_drive + excitatory_drive
    return float(inhibitory_drive / total) if total > 0 else 0.0


#: Rounding tolerated at the ends of the NRS (a mix of scores, :func:`combined_pain`, may land a
#: rounding error past 10).
_NRS_SLACK = 1e-9


def _within(value, name: str, hi: float, allowed: str) -> np.ndarray:
    """``value`` as floats, refused naming ``name`` unless every value is within 0-``hi`` (NaN, a
    patient not tested, passes through)."""
    s = _floats(value, name, allowed)
    outside = (s < -_NRS_SLACK) | (s > hi + _NRS_SLACK)
    if np.any(outside):
        raise ParameterError(name, float(s[outside].reshape(-1)[0]), allowed)
    return s


def _nrs(score, name: str) -> np.ndarray:
    """``score`` as floats, refused naming ``name`` unless every value is on the 0-10 NRS."""
    return _within(score, name, 10.0, "pain scores on the 0-10 NRS (numbers, or arrays of them)")


def relief(baseline, value):
    """Percent relief from a baseline pain score (positive = less pain): ``100 (baseline - value) /
    baseline``, 0 where the baseline is 0.  A percent, as the course datasets store it (units
    ``"%"``); :func:`responders` takes a fraction (divide by 100).

    Parameters
    ----------
    baseline, value : float or array_like
        Pain scores before and after (NRS 0-10, as :func:`model_pain_score` gives them).  A
        ``value`` of NaN (not tested) gives NaN; a baseline of 0 or NaN gives 0.

    Raises
    ------
    painsim.errors.ParameterError
        A score that is not a number within 0-10 (e.g. a rate in Hz or a percent passed by mistake).
    """
    baseline, value = _nrs(baseline, "baseline"), _nrs(value, "value")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(baseline > 0, 100.0 * (baseline - value) / baseline, 0.0)
    return float(out) if out.ndim == 0 else out


def responders(relief_fraction, threshold: float) -> np.ndarray:
    """Responder flags: relief (a fraction, 0.3 = 30 %) at least ``threshold`` (a fraction too).

    :func:`relief` and the course datasets' ``relief`` are percents: divide them by 100.  A
    relief fraction cannot exceed 1 (all the pain gone), so a value above 1, a percent passed
    by mistake, is refused rather than read as a responder.  The comparison tolerates rounding
    (``>= threshold - 1e-12``), so that a relief of exactly 30 % counts as a 30 % responder
    (IMMPACT's ">= 30 %").

    Raises
    ------
    painsim.errors.ParameterError
        ``threshold`` not a fraction in (0, 1] (e.g. 30 given for 30 %), or a relief above 1.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)) \
            or not 0 < threshold <= 1:
        raise ParameterError("threshold", threshold, "a fraction of relief in (0, 1], e.g. 0.3 for 30 %")
    fraction = np.asarray(relief_fraction, float)
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
        The spinal pain score, NRS 0-10 (:func:`pain_score`).
    overactive_fraction : float or array_like
        The map term on a 0-1 scale (:func:`map_score` / 10).
    weight_map : float
        The map term's weight, 0-1 (``readout.map_weight``).

    Raises
    ------
    painsim.errors.ParameterError
        An argument outside its range (refused, not clipped: a fraction of 2 is a mistake
        upstream, e.g. a map score not divided by 10).  NaN (not tested) passes through.
    """
    weight_map = number(weight_map, "weight_map", 0, 1, allowed="a weight in [0, 1]")
    spinal = _nrs(spinal_score, "spinal_score")
    fraction = _within(overactive_fraction, "overactive_fraction", 1.0,
                       "fractions from 0 to 1 (the map term: map_score / 10)")
    # ends of the NRS held against rounding (_NRS_SLACK)
    return np.clip((1 - weight_map) * spinal + weight_map * 10.0 * fraction, 0.0, 10.0)


# ------------------------------------------------------------------ map metrics
def map_image(times: np.ndarray, neurons: np.ndarray, n_x: int, n_y: int, start: float, stop: float) -> np.ndarray:
    """Mean rate (Hz) of each S1 unit in [start, stop) as an (n_y, n_x) image.

    Unit ``k`` is at column ``k % n_x`` and row ``k // n_x``.
    """
    if stop <= start:
        raise ParameterError("stop", stop, f"a window end after its start ({start} s)")
    sel = (times >= start) & (times < stop)
    counts = np.bincount(np.asarray(neurons)[sel].astype(np.int64), minlength=n_x * n_y)[:n_x * n_y]
    return (counts / (stop - start)).reshape(n_y, n_x)


def _check_map(rates) -> np.ndarray:
    r = np.asarray(rates, float)
    if r.ndim != 2:
        raise ParameterError("rates", r.shape, "a 2-D map image (rows y, columns x)")
    return r


def active_area(rates, threshold: float, spacing: float) -> float:
    """Area (spacing units squared) of the units whose rate exceeds ``threshold``."""
    r = _check_map(rates)
    if spacing <= 0:
        raise ParameterError("spacing", spacing, "a grid spacing > 0")
    return float(np.count_nonzero(r > threshold)) * spacing ** 2


def map_excess_rate(rates, threshold: float) -> float:
    """Mean over the map's units of the rate above ``threshold`` (Hz; units at or below it
    count 0): graded in both the rate and the extent of the response, where
    :func:`active_area` counts units and stops growing once a territory is active."""
    return float(np.mean(np.clip(_check_map(rates) - threshold, 0.0, None)))


def map_points(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The anchor points of the S1 map term's ``"excess_rate"`` measure (:func:`map_score`):
    (temperatures °C, map excess rates Hz, NRS), one per ``readout.map_excess_rate_<k>``, the
    excess rate the healthy pathway's map has at temperature ``k`` of the intensity map
    (:func:`psychophysics_points`; a calibration of the readout on the model, as the
    unpleasantness anchors).

    Raises
    ------
    painsim.errors.ParameterError
        No excess rate for a rated temperature, or fewer than two points.
    """
    return _anchor_points(model, "readout.map_excess_rate_{k}", "the S1 map excess rate (Hz)")


#: The measures of S1 map activity that :func:`map_score` rates (``readout.map_measure``).
MAP_MEASURES = ("area", "excess_rate")


def map_score(rates, model) -> float:
    """The NRS (0-10) of the pain map's term in the pathway models' pain score (:func:`combined_pain`).

    ``readout.map_measure`` chooses the measure of the S1 map image ``rates`` (Hz, rows y):

    * ``"area"``: ``10 x`` the overactive area (units above ``readout.map_overactive_rate``)
      over ``readout.map_pain_area``, clipped at 10 (the chosen default);
    * ``"excess_rate"``: :func:`map_excess_rate` above the same threshold, rated through the
      anchors of :func:`map_points` by :func:`nrs_from_rate`.  S1 nociceptive neurons grade
      their discharge with noxious heat (Kenshalo et al. 2000 J Neurophysiol 84:719) and
      contralateral S1 activation grows with perceived pain intensity (Coghill et al. 1999
      J Neurophysiol 82:1934), while the overactive area stops growing once the painful
      site's territory is active (docs/readouts.md).

    Raises
    ------
    painsim.errors.ParameterError
        An unknown measure, or (``"excess_rate"``) a missing anchor.
    """
    measure = model.text("readout.map_measure")
    threshold = model.si("readout.map_overactive_rate")
    if measure == "area":
        area = active_area(rates, threshold, model.si("cortex.map.spacing"))
        return float(10.0 * np.clip(area / model.si("readout.map_pain_area"), 0.0, 1.0))
    if measure == "excess_rate":
        _, anchors, ratings = map_points(model)
        return float(nrs_from_rate(map_excess_rate(rates, threshold), anchors, ratings))
    raise ParameterError("readout.map_measure", measure, f"one of {MAP_MEASURES}")


def map_centroid(rates, threshold: float, spacing: float) -> tuple[float, float]:
    """Rate-weighted centroid (x, y) of the units above ``threshold``; (nan, nan) if none."""
    r = _check_map(rates)
    w = np.where(r > threshold, r, 0.0)
    total = w.sum()
    if total <= 0:
        return float("nan"), float("nan")
    ys, xs = np.indices(r.shape)
    return float((w * xs).sum() / total * spacing), float((w * ys).sum() / total * spacing)


def site_territories(site_maps, threshold: float) -> np.ndarray:
    """Label image: for each unit, the site (index along axis 0 of ``site_maps``,
    shape (n_sites, n_y, n_x)) that drives it most, or -1 where no site drives
    it above ``threshold``.  Ties go to the lower site index."""
    m = np.asarray(site_maps, float)
    if m.ndim != 3:
        raise ParameterError("site_maps", m.shape, "an array (n_sites, n_y, n_x) of map images")
    best = np.argmax(m, axis=0)
    return np.where(m.max(axis=0) > threshold, best, -1)


def site_areas(site_maps, threshold: float, spacing: float) -> np.ndarray:
    """Area each site occupies (winner-take-all territories, see :func:`site_territories`)."""
    lab = site_territories(site_maps, threshold)
    n = np.asarray(site_maps).shape[0]
    return np.array([np.count_nonzero(lab == s) for s in range(n)], float) * spacing ** 2


# ------------------------------------------------------------------ spike selection
def population_spikes(result, population: str, condition: int | None = None, *, sort: bool = False):
    """One population's spikes from a result Dataset (ragged ``spike_*`` variables).

    Parameters
    ----------
    result : xarray.Dataset
        A result of :func:`painsim.simulate` (or a combined experiment result).
    population : str
        Population name as listed in ``spike_population``'s ``flag_meanings``.
    condition : int, optional
        For combined experiment results: keep only this condition's spikes.
    sort : bool
        Return the spikes in time order (stable) as float64 times and int64
        indices, with the population size as a third element.

    Returns
    -------
    times, neurons : numpy.ndarray
        Spike times (s) and neuron indices within the population; with
        ``sort=True`` also the population size.
    """
    names = result["spike_population"].attrs["flag_meanings"].split()
    if population not in names:
        raise UnknownKeyError(population, names, what="population")
    sel = result["spike_population"].values == names.index(population)
    if condition is not None and "spike_condition" in result:
        sel &= result["spike_condition"].values == condition
    t = result["spike_time"].values[sel]
    i = result["spike_neuron"].values[sel]
    if not sort:
        return t, i
    t = np.asarray(t, float)
    i = np.asarray(i, np.int64)
    order = np.argsort(t, kind="stable")
    return t[order], i[order], int(result["population_size"].values[names.index(population)])

__all__ += ["paresthesia"]  # implemented in painsim.synchrony (synchronous volleys and their chance level)
