"""Declared readout calibrations: the anchors of the unpleasantness score
(``medial.readout.acc_rate_<k>``, :func:`calibrate_unpleasantness_anchors`) and of the S1 map
term's excess rate (``readout.map_excess_rate_<k>``, :func:`calibrate_map_anchors`).

Calibrations on the model, not on data (no published ACC-rate or S1-rate curve): the rate rated
like each heat temperature is the healthy pathway's rate when its projection neurons fire at that
temperature's spinothalamic rate (Kenshalo et al. 1979, :func:`painsim.readouts.psychophysics_points`).
Split from :mod:`painsim.validation.calibration`, which re-exports every name here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .. import readouts
from ..errors import ParameterError
from ..fibers import heat
from ..params import load_model
from ..simulation import Request, simulate_batch

__all__ = ["AnchorCalibration", "calibrate_unpleasantness_anchors", "calibrate_map_anchors", "heat_anchor_fits",
           "ACC_FIT_CELSIUS", "ACC_FIT_SEEDS"]

#: Temperatures (°C) and seeds of the declared unpleasantness-anchor fit.
ACC_FIT_CELSIUS = (45.0, 45.5, 46.0, 46.5, 47.0)
ACC_FIT_SEEDS = (1, 2, 3, 4)


@dataclass(frozen=True)
class AnchorCalibration:
    """Result of :func:`calibrate_unpleasantness_anchors` (or :func:`calibrate_map_anchors`): the
    line ``rate = slope * pn + intercept`` (Hz) through the healthy pathway's (PN, ACC rate) points
    (or (PN, map excess rate)), and the rate at each rated temperature's STT rate
    (``medial.readout.acc_rate_<k>``, ``readout.map_excess_rate_<k>``).

    Parameters
    ----------
    slope : float
        Slope of the line, Hz per Hz of PN rate.
    intercept : float
        Its intercept, Hz.
    anchors : tuple of float
        The fitted rate at the spinothalamic rate of each ``readout.heat_rating_<k>``
        (k = 1, 2, ...), Hz, clipped at 0.
    points : tuple
        The ``(pn_rate, rate)`` pairs fitted, Hz.
    """

    slope: float
    intercept: float
    anchors: tuple
    points: tuple


def calibrate_unpleasantness_anchors(model="healthy", celsius: Sequence[float] = ACC_FIT_CELSIUS,
                                     seeds: Sequence[int] = ACC_FIT_SEEDS,
                                     duration: str = "1.5 s") -> AnchorCalibration:
    """Fit the anchors of the unpleasantness readout (:func:`painsim.readouts.unpleasantness_score`).

    A readout calibration on the model, not on data (no published ACC-rate-to-rating curve
    was found; docs/readouts.md): the ACC rate that is rated like temperature ``k`` is the
    healthy pathway's ACC rate when its PN fire at that temperature's spinothalamic rate
    (:func:`painsim.readouts.psychophysics_points`), read off a least-squares line through
    the (PN, ACC) pairs of contact heat at ``celsius`` at the painful site (points with
    PN > 0), one per seed and temperature.  In health the intensity and unpleasantness
    scores then agree; a preset's unpleasantness differs from its intensity only through
    the medial pathway.

    Parameters
    ----------
    model : str or Model
        The healthy pathway (default ``"healthy"``; a name is loaded).
    celsius : sequence of float
        Contact-heat temperatures at the painful site, °C (default 45-47 °C in 0.5 °C steps).
    seeds : sequence of int
        Circuits (default 1-4); one run per temperature and seed.
    duration : str
        Simulated time of each run (default ``"1.5 s"``).

    Returns
    -------
    AnchorCalibration
        The line of the ACC rate against the PN rate; its ``anchors`` are the values of
        ``medial.readout.acc_rate_<k>``, Hz.

    Raises
    ------
    painsim.errors.ParameterError
        Fewer than 3 runs in which the PN fire (named ``celsius``); an unknown model name
        (UnknownKeyError).
    """
    return heat_anchor_fits(model, ("acc_rate",), celsius, seeds, duration)["acc_rate"]


def calibrate_map_anchors(model="healthy", celsius: Sequence[float] = ACC_FIT_CELSIUS,
                          seeds: Sequence[int] = ACC_FIT_SEEDS, duration: str = "1.5 s") -> AnchorCalibration:
    """Fit the anchors of the S1 map term's ``"excess_rate"`` measure
    (``readout.map_excess_rate_<k>``, :func:`painsim.readouts.map_points`).

    The procedure of :func:`calibrate_unpleasantness_anchors` on the map's excess rate
    (:func:`painsim.readouts.map_excess_rate`, the Dataset's ``map_excess_rate``) instead of
    the ACC rate: a least-squares line through the healthy pathway's (PN, excess rate) points
    under contact heat at ``celsius`` (points with PN > 0), read at each rated temperature's
    spinothalamic rate.  In health the spinal and map terms then rate heat alike; a preset's
    map term differs from its spinal term only through the thalamus and S1 (e.g. a
    reorganized map).  Declared in docs/readouts.md before it was first run.

    Parameters
    ----------
    model : str or Model
        The healthy pathway (default ``"healthy"``; a name is loaded).
    celsius : sequence of float
        Contact-heat temperatures at the painful site, °C (default 45-47 °C in 0.5 °C steps).
    seeds : sequence of int
        Circuits (default 1-4); one run per temperature and seed.
    duration : str
        Simulated time of each run (default ``"1.5 s"``).

    Returns
    -------
    AnchorCalibration
        The line of the map excess rate against the PN rate; its ``anchors`` are the values of
        ``readout.map_excess_rate_<k>``, Hz.

    Raises
    ------
    painsim.errors.ParameterError
        Fewer than 3 runs in which the PN fire (named ``celsius``); an unknown model name
        (UnknownKeyError).
    """
    return heat_anchor_fits(model, ("map_excess_rate",), celsius, seeds, duration)["map_excess_rate"]


def heat_anchor_fits(model="healthy", variables: Sequence[str] = ("acc_rate", "map_excess_rate"),
                     celsius: Sequence[float] = ACC_FIT_CELSIUS, seeds: Sequence[int] = ACC_FIT_SEEDS,
                     duration: str = "1.5 s") -> dict[str, AnchorCalibration]:
    """The anchor fit of :func:`calibrate_unpleasantness_anchors` for each Dataset variable in
    ``variables`` (one simulation of the heat runs for all): the line of the variable against
    the PN rate (points with PN > 0), read at the psychophysical points' spinothalamic rates
    (anchors clipped at 0).

    Parameters
    ----------
    model : str or Model
        The healthy pathway (default ``"healthy"``).
    variables : sequence of str
        Scalar Dataset variables of a pathway result (``"acc_rate"``, ``"map_excess_rate"``).
    celsius, seeds, duration : sequence of float, sequence of int, str
        Contact-heat temperatures (°C), circuits and window of the runs.

    Returns
    -------
    dict
        Variable -> :class:`AnchorCalibration`.

    Raises
    ------
    painsim.errors.ParameterError
        Fewer than 3 runs in which the PN fire (named ``celsius``); an unknown model name
        (UnknownKeyError).
    """
    m = load_model(model) if isinstance(model, str) else model
    res = simulate_batch([Request(m, None, heat(t), seed=s) for t in celsius for s in seeds], duration)
    _, rates, _ = readouts.psychophysics_points(m)
    fits = {}
    for variable in variables:
        pts = [(float(r.pn_rate), float(r[variable])) for r in res if float(r.pn_rate) > 0]
        if len(pts) < 3:
            raise ParameterError("celsius", tuple(celsius), "temperatures at which the PN fire in at least 3 runs")
        pn, value = np.array(pts).T
        slope, intercept = np.polyfit(pn, value, 1)
        anchors = tuple(float(max(slope * r + intercept, 0.0)) for r in rates)
        fits[variable] = AnchorCalibration(float(slope), float(intercept), anchors, tuple(pts))
    return fits
