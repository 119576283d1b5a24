"""Metrics of the S1 pain map (formerly part of :mod:`painsim.readouts`).

The map image of a window (:func:`map_image`), its active area, excess rate
and centroid above a rate threshold (:func:`active_area`,
:func:`map_excess_rate`, :func:`map_centroid`), the map term of the pain score
(:func:`map_score`, :func:`map_points`) and the winner-take-all territories of
the sites (:func:`site_territories`, :func:`site_areas`).  The definitions are
in the docstring of :mod:`painsim.readouts` ("Map metrics").
"""
from __future__ import annotations

import numpy as np

from ..checks import floats, number, whole
from ..errors import ParameterError
from ..params import register_relation_check
from .pain import _anchor_points, _check_anchor_rates, _checked_model, nrs_from_rate

__all__ = ["map_image", "active_units", "active_area", "map_excess_rate", "map_points", "MAP_MEASURES", "map_score", "map_centroid",
           "site_territories", "site_areas", "TIE_RTOL"]

#: Relative tolerance of a tie with a rate threshold (:func:`active_units`, :func:`active_area`, :func:`map_centroid`,
#: :func:`site_territories`).  A unit's rate is its spike count over the window, so a unit firing
#: exactly ``threshold x window`` spikes has a rate that rounding puts just above or just below
#: the threshold, depending on how the duration was typed (0.7 s: 6 spikes in 0.4 s read
#: 15.000000000000002 Hz).  A rate within this relative distance of the threshold is a tie and
#: does not count as above it.  Chosen: 1e-9, far above the rounding of count / window (~1e-15)
#: and far below the relative step between two spike counts in any window of the model (one
#: spike in 15 Hz x 3600 s is ~2e-5).
TIE_RTOL = 1e-9


# ------------------------------------------------------------------ map metrics
def map_image(times: np.ndarray, neurons: np.ndarray, n_x: int, n_y: int, start: float, stop: float) -> np.ndarray:
    """Mean rate (Hz) of each S1 unit in [start, stop) as an (n_y, n_x) image.

    Unit ``k`` is at column ``k % n_x`` and row ``k // n_x``.

    Parameters
    ----------
    times : numpy.ndarray
        Spike times of the S1 units, s.
    neurons : numpy.ndarray
        Unit index of each spike (>= 0; indices beyond the sheet are left out).
    n_x, n_y : int
        Columns and rows of the sheet.
    start, stop : float
        The window, s (``stop > start``).

    Returns
    -------
    numpy.ndarray
        Rates, Hz, shape (n_y, n_x).

    Raises
    ------
    painsim.errors.ParameterError
        ``stop <= start`` or either not a finite number; ``n_x`` or ``n_y`` not a whole number >= 0;
        ``times`` not numbers, ``neurons`` not whole numbers >= 0 or not one per spike time.
    """
    start = number(start, "start", allowed="a finite window start (s)")
    stop = number(stop, "stop", allowed=f"a finite window end after its start ({start} s)")
    if stop <= start:
        raise ParameterError("stop", stop, f"a window end after its start ({start} s)")
    n_x, n_y = whole(n_x, "n_x", 0, allow_float=True), whole(n_y, "n_y", 0, allow_float=True)
    times = floats(times, "times", "spike times in s (numbers)").reshape(-1)
    ids = floats(neurons, "neurons", "unit indices (whole numbers >= 0)").reshape(-1)
    if ids.size != times.size:
        raise ParameterError("neurons", f"{ids.size} indices", f"one unit index per spike time ({times.size})")
    if np.any(~np.isfinite(ids) | (ids < 0) | (ids != np.round(ids))):
        raise ParameterError("neurons", ids[~np.isfinite(ids) | (ids < 0) | (ids != np.round(ids))][0],
                             "unit indices (whole numbers >= 0)")
    sel = (times >= start) & (times < stop)
    counts = np.bincount(ids[sel].astype(np.int64), minlength=n_x * n_y)[:n_x * n_y]
    return (counts / (stop - start)).reshape(n_y, n_x)


def _check_map(rates) -> np.ndarray:
    r = floats(rates, "rates", "a 2-D map image of rates in Hz (rows y, columns x)")
    if r.ndim != 2:
        raise ParameterError("rates", r.shape, "a 2-D map image (rows y, columns x)")
    bad = ~np.isfinite(r) | (r < 0)  # NaN compared as "not active" and was counted silently as 0
    if bad.any():
        raise ParameterError("rates", float(r[bad][0]), "a map image of rates in Hz: finite numbers >= 0")
    return r


def _threshold(threshold) -> float:
    """A rate threshold: a finite number (Hz); NaN would silently count no unit."""
    return number(threshold, "threshold", allowed="a rate threshold in Hz (a finite number)")


def _above(rates: np.ndarray, threshold: float) -> np.ndarray:
    """Where ``rates`` exceed ``threshold`` by more than a tie (:data:`TIE_RTOL`): spike count >
    ``threshold x window``, strictly, whatever the rounding of the window."""
    return rates > threshold + TIE_RTOL * abs(threshold)


def _nonempty(r: np.ndarray) -> np.ndarray:
    """``r``, refused when it has no unit: an empty S1 sheet has no mean excess rate (NaN) and no
    overactive area to score (0 would read as "no pain")."""
    if r.size == 0:
        raise ParameterError("rates", f"an empty map image of shape {r.shape}",
                             "a map image with at least one unit (cortex.populations.n_map_x and n_map_y >= 1)")
    return r


def _spacing(spacing) -> float:
    return number(spacing, "spacing", lo=0.0, lo_open=True, allowed="a grid spacing > 0 (finite), e.g. m")


def active_units(rates, threshold: float) -> np.ndarray:
    """Which units of a map image count as above ``threshold``: the units :func:`active_area`
    counts (and figures outline), by one rule.

    Parameters
    ----------
    rates : array_like
        A map image (rows y, columns x), Hz.
    threshold : float
        Rate threshold, Hz (a unit at it does not count, nor one within a relative
        :data:`TIE_RTOL` above it).

    Returns
    -------
    numpy.ndarray
        Booleans, the shape of ``rates``.

    Raises
    ------
    painsim.errors.ParameterError
        ``rates`` not a 2-D map of finite rates >= 0, or ``threshold`` not a finite number.
    """
    return _above(_check_map(rates), _threshold(threshold))


def active_area(rates, threshold: float, spacing: float) -> float:
    """Area (spacing units squared) of the units whose rate exceeds ``threshold``.

    Parameters
    ----------
    rates : array_like
        A map image (rows y, columns x), Hz.
    threshold : float
        Rate threshold, Hz (a unit at it does not count, nor one within a relative
        :data:`TIE_RTOL` above it: a spike count of exactly ``threshold x window`` is a tie
        however the window rounds).
    spacing : float
        Grid spacing (> 0), e.g. m (``cortex.map.spacing``).

    Returns
    -------
    float
        ``spacing**2`` times the number of units above ``threshold`` (0 for an empty map).

    Raises
    ------
    painsim.errors.ParameterError
        ``rates`` not a 2-D map of finite rates >= 0, ``threshold`` not a finite number, or
        ``spacing`` not > 0 (NaN, text or a bool refused).
    """
    units, spacing = active_units(rates, threshold), _spacing(spacing)
    return float(np.count_nonzero(units)) * spacing ** 2


def map_excess_rate(rates, threshold: float) -> float:
    """Mean over the map's units of the rate above ``threshold`` (Hz; units at or below it
    count 0): graded in both the rate and the extent of the response, where
    :func:`active_area` counts units and stops growing once a territory is active.

    Parameters
    ----------
    rates : array_like
        A map image (rows y, columns x), Hz.
    threshold : float
        Rate threshold, Hz.

    Returns
    -------
    float
        The mean excess rate, Hz.

    Raises
    ------
    painsim.errors.ParameterError
        ``rates`` not a 2-D map of finite rates >= 0 or without a unit (its mean would be NaN),
        or ``threshold`` not a finite number.
    """
    return float(np.mean(np.clip(_nonempty(_check_map(rates)) - _threshold(threshold), 0.0, None)))


def map_points(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The anchor points of the S1 map term's ``"excess_rate"`` measure (:func:`map_score`):
    (temperatures °C, map excess rates Hz, NRS), one per ``readout.map_excess_rate_<k>``, the
    excess rate the healthy pathway's map has at temperature ``k`` of the intensity map
    (:func:`psychophysics_points`; a calibration of the readout on the model, as the
    unpleasantness anchors).

    Parameters
    ----------
    model : painsim.params.Model
        Holds ``readout.map_excess_rate_<k>`` and the ``[readout]`` section of the intensity map.

    Returns
    -------
    temperatures, rates, ratings : numpy.ndarray
        One value per rated temperature: °C, the map's excess rate there (Hz), the rating (NRS).

    Raises
    ------
    painsim.errors.ParameterError
        ``model`` not a Model; no excess rate for a rated temperature.  (Fewer than two points are refused where the
        points are used, by :func:`nrs_from_rate`.)
    painsim.errors.UnknownKeyError
        A ``readout.stt_*`` parameter is missing (:func:`psychophysics_points`).
    """
    return _anchor_points(model, _EXCESS_ANCHOR, "the S1 map excess rate (Hz)")


_EXCESS_ANCHOR = "readout.map_excess_rate_{k}"
#: What :func:`nrs_from_rate` names when it refuses the anchors of :func:`map_points`.
S1_MAP = "the S1 map term's points (readout.map_excess_rate_<k>)"


def _check_excess_anchors(model) -> None:
    """Refuse at load, naming the key, an anchor of :func:`map_points` that is not a finite rate > 0 Hz above
    the one before it, while ``readout.map_measure`` is ``"excess_rate"`` (the anchors are read only then):
    :func:`nrs_from_rate` refused them after every pathway simulation.  Registered with
    :func:`painsim.params.register_relation_check`; keys absent from ``model`` are not checked."""
    if "readout.map_measure" not in model or model.si("readout.map_measure") != "excess_rate" \
            or "readout.heat_rating_1" not in model:
        return
    n = 1  # the rated temperatures of psychophysics_points, each with an anchor
    while f"readout.heat_rating_{n + 1}" in model and f"readout.heat_rating_{n + 1}_celsius" in model:
        n += 1
    _check_anchor_rates(model, _EXCESS_ANCHOR, n)


register_relation_check(_check_excess_anchors)


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

    Parameters
    ----------
    rates : array_like
        The S1 map image (rows y, columns x), Hz.
    model : painsim.params.Model
        Holds ``readout.map_measure``, ``readout.map_overactive_rate`` and, by measure,
        ``cortex.map.spacing`` and ``readout.map_pain_area`` or the anchors of :func:`map_points`.

    Returns
    -------
    float
        NRS 0-10.

    Raises
    ------
    painsim.errors.ParameterError
        ``model`` not a Model; an unknown measure, or (``"excess_rate"``) a missing anchor or
        anchors refused by :func:`nrs_from_rate` (named as the S1 map term's); ``rates`` not 2-D, or a
        rate that is negative or not finite (NaN would be read as a silent unit, scoring 0); an empty map (no unit:
        no map term to score, whatever the measure).
    KeyError
        ``model`` has no ``readout.map_measure``.
    painsim.errors.UnknownKeyError
        ``model`` lacks another parameter read.
    """
    measure = _checked_model(model).text("readout.map_measure")
    _nonempty(_check_map(rates))
    threshold = model.si("readout.map_overactive_rate")
    if measure == "area":
        area = active_area(rates, threshold, model.si("cortex.map.spacing"))
        return float(10.0 * np.clip(area / model.si("readout.map_pain_area"), 0.0, 1.0))
    if measure == "excess_rate":
        _, anchors, ratings = map_points(model)
        return float(nrs_from_rate(map_excess_rate(rates, threshold), anchors, ratings, what=S1_MAP))
    raise ParameterError("readout.map_measure", measure, f"one of {MAP_MEASURES}")


def map_centroid(rates, threshold: float, spacing: float) -> tuple[float, float]:
    """Rate-weighted centroid (x, y) of the units above ``threshold``; (nan, nan) if none.

    Parameters
    ----------
    rates : array_like
        A map image (rows y, columns x), Hz.
    threshold : float
        Rate threshold, Hz (a unit at it, or within a relative :data:`TIE_RTOL` above it,
        is not counted, as in :func:`active_area`).
    spacing : float
        Grid spacing (> 0), e.g. m; unit 0 is at (0, 0).

    Returns
    -------
    x, y : float
        The centroid, in the units of ``spacing``.

    Raises
    ------
    painsim.errors.ParameterError
        ``rates`` not a 2-D map of finite rates >= 0, ``threshold`` not a finite number, or
        ``spacing`` not > 0.
    """
    r, threshold, spacing = _check_map(rates), _threshold(threshold), _spacing(spacing)
    w = np.where(_above(r, threshold), r, 0.0)
    total = w.sum()
    if total <= 0:
        return float("nan"), float("nan")
    ys, xs = np.indices(r.shape)
    return float((w * xs).sum() / total * spacing), float((w * ys).sum() / total * spacing)


def site_territories(site_maps, threshold: float) -> np.ndarray:
    """Label image: for each unit, the site (index along axis 0 of ``site_maps``,
    shape (n_sites, n_y, n_x)) that drives it most, or -1 where no site drives
    it above ``threshold`` (a rate at it, or within a relative :data:`TIE_RTOL` above it,
    is not above, as in :func:`active_area`).  Ties between sites go to the lower site index.

    Parameters
    ----------
    site_maps : array_like
        One map image per site (the response to that site's stimulus), Hz.
    threshold : float
        Rate threshold, Hz.

    Returns
    -------
    numpy.ndarray
        Integer labels, shape (n_y, n_x).

    Raises
    ------
    painsim.errors.ParameterError
        ``site_maps`` not 3-D, without a site or holding a NaN, infinite or negative rate, or
        ``threshold`` not a finite number.
    """
    m = floats(site_maps, "site_maps", "an array (n_sites, n_y, n_x) of map images in Hz")
    if m.ndim != 3 or m.shape[0] == 0:
        raise ParameterError("site_maps", m.shape, "an array (n_sites >= 1, n_y, n_x) of map images")
    bad = ~np.isfinite(m) | (m < 0)  # argmax picks a NaN: a missing map would erase a real territory
    if bad.any():
        raise ParameterError("site_maps", float(m[bad][0]), "map images of rates in Hz: finite numbers >= 0")
    threshold = _threshold(threshold)
    best = np.argmax(m, axis=0)
    return np.where(_above(m.max(axis=0), threshold), best, -1)


def site_areas(site_maps, threshold: float, spacing: float) -> np.ndarray:
    """Area each site occupies (winner-take-all territories, see :func:`site_territories`).

    Parameters
    ----------
    site_maps : array_like
        One map image per site, shape (n_sites, n_y, n_x), Hz.
    threshold : float
        Rate threshold, Hz.
    spacing : float
        Grid spacing (> 0), e.g. m.

    Returns
    -------
    numpy.ndarray
        Area of each site's territory, ``spacing**2`` per unit (``n_sites`` values).

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`site_territories`; ``spacing`` not > 0.
    """
    spacing = _spacing(spacing)
    lab = site_territories(site_maps, threshold)
    n = np.asarray(site_maps).shape[0]
    return np.array([np.count_nonzero(lab == s) for s in range(n)], float) * spacing ** 2
