"""Validation measurements of thermal pain in the healthy pathway: ratings of contact heat and
cold, the PN rate during noxious heat, the response to maintained and tonic heat (adaptation,
temporal summation), and the heat pain threshold (step series, DFNS ramp, spread over virtual
subjects of the QST battery).

Split from :mod:`painsim.validation.measurements` (which re-exports every name); each
``measure(seed)`` averages the circuits ``seed`` .. ``seed + N_SEEDS - 1`` unless it says
otherwise.
"""
from __future__ import annotations

import numpy as np

from .. import analysis
from ..fibers import cold, heat, heat_ramp
from ..fibers.encoding import PhysicalStimulus
from ..fibers.thermal import ramp_end, ramp_temperature
from ..files import run_qst
from ..params import load_model
from ..readouts import combined_pain, map_image, map_score, model_pain_score, population_spikes
from ..simulation import Request, simulate_batch
from .shared_runs import N_SEEDS, _mean_pn

__all__ = ["heat_47_rating", "cold_3c_rating", "heat_49_rating", "pn_rate_50c", "SUSTAINED_HEAT_S",
           "SUSTAINED_EARLY_BINS", "SUSTAINED_LATE_BINS", "sustained_heat_ratio", "TONIC_HEAT_CELSIUS",
           "TONIC_HEAT_S", "TONIC_BIN_S", "tonic_heat_summation", "heat_pain_threshold", "RAMP_HPT_RATE",
           "RAMP_HPT_PEAK", "RAMP_HPT_BIN", "heat_pain_threshold_ramp", "healthy_hpt_sd"]


def _ratings(model_name: str, stimuli, seed: int, duration: str = "1.5 s") -> list[float]:
    """Mean pain score (NRS) of a model for each stimulus (``None`` = rest), over N_SEEDS circuits."""
    m = load_model(model_name)
    seeds = range(seed, seed + N_SEEDS)
    # a physical stimulus drives the fiber classes its encoding names, whichever keyword carries it
    res = simulate_batch([Request(m, noxious=st or 0.0, seed=s) for st in stimuli for s in seeds], duration)
    return [float(np.mean([float(r.pain) for r in res[i:i + N_SEEDS]])) for i in range(0, len(res), N_SEEDS)]


def heat_47_rating(seed: int) -> float:
    """NRS of 47 °C contact heat in the healthy pathway.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        Mean pain score (NRS 0-10) over the circuits, 1.5 s.
    """
    return _ratings("healthy", [heat(47)], seed)[0]


def cold_3c_rating(seed: int) -> float:
    """NRS of 3 °C contact cold in the healthy pathway (the 1.5 s of the heat ratings).

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        Mean pain score (NRS 0-10) over the circuits.
    """
    return _ratings("healthy", [cold(3)], seed)[0]


def heat_49_rating(seed: int) -> float:
    """NRS of 49 °C contact heat in the healthy pathway.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        Mean pain score (NRS 0-10) over the circuits, 1.5 s.
    """
    return _ratings("healthy", [heat(49)], seed)[0]


def pn_rate_50c(seed: int) -> float:
    """PN rate (Hz) at the painful site during 50 °C contact heat, healthy pathway, over 4 circuits.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        Mean PN rate (Hz) over the circuits, 1.5 s.
    """
    m = load_model("healthy")
    return _mean_pn([Request(m, None, heat(50), seed=s) for s in range(seed, seed + N_SEEDS)], "1.5 s")[0]


#: Maintained heat: length (s) and the 1-s bins read as the early peak and the late plateau.
SUSTAINED_HEAT_S, SUSTAINED_EARLY_BINS, SUSTAINED_LATE_BINS = 10, range(0, 4), range(8, 10)


def _held_heat_pn_rates(m, celsius, duration_s: float, bin_s: float, seed: int) -> np.ndarray:
    """Mean PN rate (Hz) at the painful site (one-site models: the only site) in consecutive bins of
    ``bin_s`` while contact heat at ``celsius`` (or a heat stimulus, e.g. a ramp) is applied for
    ``duration_s``, over N_SEEDS circuits."""
    n_sites = int(m.si("body.n_sites"))
    site = int(m.si("body.painful_site")) if n_sites > 1 else None
    stim = celsius if isinstance(celsius, PhysicalStimulus) else heat(celsius)
    res = simulate_batch([Request(m, None, {site: stim} if site is not None else stim, seed=s)
                          for s in range(seed, seed + N_SEEDS)], f"{duration_s} s")
    starts = np.arange(0.0, duration_s, bin_s)
    return np.mean([analysis.spikes_per_pulse(r, starts, bin_s, "PN", site, n_sites) for r in res], axis=0) / bin_s


def sustained_heat_ratio(seed: int, model_name: str = "healthy", celsius: float = 47.0) -> float:
    """PN rate at the painful site 8-10 s into maintained contact heat over its peak 1-s rate in
    the first 4 s (> 1: the response grows; < 1: it adapts, as primate STT cells do, Kenshalo et
    al. 1979).

    Parameters
    ----------
    seed : int
        First of the N_SEEDS circuits (seeds ``seed`` to ``seed + N_SEEDS - 1``), spikes pooled.
    model_name : str
        Model file; the heat is applied at its painful site (one-site models: the only site).
    celsius : float
        Contact temperature held for SUSTAINED_HEAT_S seconds.

    Returns
    -------
    float
        The ratio, ``nan`` if the first 4 s hold no PN spike.

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``model_name`` is no built-in model (:func:`painsim.params.load_model`).
    """
    per_s = _held_heat_pn_rates(load_model(model_name), celsius, SUSTAINED_HEAT_S, 1.0, seed)
    early = per_s[list(SUSTAINED_EARLY_BINS)].max()
    return float(per_s[list(SUSTAINED_LATE_BINS)].mean() / early) if early > 0 else float("nan")


#: Tonic heat of :func:`tonic_heat_summation`: Suzan et al. 2015's 46.5 °C for 2 min, rated in 10-s bins.
TONIC_HEAT_CELSIUS, TONIC_HEAT_S, TONIC_BIN_S = 46.5, 120, 10.0


def tonic_heat_summation(seed: int) -> float:
    """Rating of the last 10 s of 2 min of 46.5 °C contact heat over the rating of the first 10 s
    (healthy pathway, painful site, 4 circuits): each bin's mean PN rate over the circuits rated by
    the NRS map (:func:`painsim.readouts.model_pain_score`).  > 1: the pain of tonic heat sums, as
    people report (Granot et al. 2006); ``nan`` if the first bin is rated 0.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        NRS of the last :data:`TONIC_BIN_S` bin over NRS of the first; ``nan`` if the first is 0.
    """
    m = load_model("healthy")
    rate = _held_heat_pn_rates(m, TONIC_HEAT_CELSIUS, TONIC_HEAT_S, TONIC_BIN_S, seed)
    first, last = (model_pain_score(float(rate[k]), m) for k in (0, -1))
    return float(last / first) if first > 0 else float("nan")


def heat_pain_threshold(seed: int) -> float:
    """Lowest contact temperature (°C, 1 °C steps from 40 °C) rated above 0.1 NRS by the healthy pathway.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        The temperature (°C, 40 to 50) whose mean rating over the circuits (1.5 s) first exceeds
        0.1; ``nan`` if none up to 50 °C does.
    """
    temps = np.arange(40.0, 51.0)
    ratings = _ratings("healthy", [heat(t) for t in temps], seed)
    above = [t for t, r in zip(temps, ratings) if r > 0.1]
    return float(above[0]) if above else float("nan")


#: The DFNS heat ramp (1 °C/s from 32 °C) up to its 50 °C cut-off (Rolke et al. 2006 [recalled]), rated in
#: 0.5-s bins (chosen: a 0.5 °C resolution at 1 °C/s, half the step rows' 1 °C).
RAMP_HPT_RATE, RAMP_HPT_PEAK, RAMP_HPT_BIN = 1.0, 50.0, 0.5


def heat_pain_threshold_ramp(seed: int) -> float:
    """Skin temperature (°C) at the end of the first 0.5-s bin rated above 0.1 NRS while the skin
    warms at 1 °C/s from 32 °C (healthy pathway, painful site): each bin rated as the pathway rates
    a run (:func:`painsim.readouts.combined_pain` of the spinal score of the painful site's PN rate,
    :func:`painsim.readouts.model_pain_score`, and the S1 map's term of the bin,
    :func:`painsim.readouts.map_score`), averaged over 4 circuits: the DFNS threshold without a
    reaction time; ``nan`` if no bin up to 50 °C is painful.  (Until 2026-12-06 the bins were
    rated by the spinal term alone, which the step row's rating is not.)

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        The ramp's temperature (°C) at the end of that bin; ``nan`` if no bin is painful.
    """
    m = load_model("healthy")
    ramp = heat_ramp(RAMP_HPT_PEAK, RAMP_HPT_RATE)
    duration = ramp_end(ramp)
    site, n_sites = int(m.si("body.painful_site")), int(m.si("body.n_sites"))
    res = simulate_batch([Request(m, None, {site: ramp}, seed=s) for s in range(seed, seed + N_SEEDS)],
                         f"{duration} s")
    starts = np.arange(0.0, duration, RAMP_HPT_BIN)
    sheet = m.section("cortex.populations")
    ratings = []
    for r in res:
        pn = analysis.spikes_per_pulse(r, starts, RAMP_HPT_BIN, "PN", site, n_sites) / RAMP_HPT_BIN
        t, i = population_spikes(r, "S1E")
        maps = [map_score(map_image(t, i, sheet["n_map_x"], sheet["n_map_y"], a, a + RAMP_HPT_BIN), m) for a in starts]
        ratings.append([combined_pain(model_pain_score(float(rate), m), score / 10.0, m.si("readout.map_weight"))
                        for rate, score in zip(pn, maps)])
    painful = np.flatnonzero(np.mean(ratings, axis=0) > 0.1)
    return float(ramp_temperature(ramp, RAMP_HPT_BIN * (painful[0] + 1))) if painful.size else float("nan")


#: Virtual healthy subjects of :func:`healthy_hpt_sd` (seeds ``seed`` .. ``seed + 11``).
HPT_SD_SUBJECTS = 12


def healthy_hpt_sd(seed: int) -> float:
    """SD (°C) of the heat pain threshold over 12 virtual healthy subjects of the QST battery
    (subject variability on, 1 °C steps 40-50 °C; ``painsim.files.qst``).

    Parameters
    ----------
    seed : int
        Seed of the battery's subject 0 (subject ``k`` has ``seed + k``).

    Returns
    -------
    float
        Sample SD (°C, ``ddof=1``) of the 12 thresholds (a subject never rated painful counts at
        the 50 °C cut-off).
    """
    spec = {"experiment": {"name": "validate_hpt_sd", "kind": "qst", "models": ["healthy"], "n_subjects": HPT_SD_SUBJECTS,
                           "seed": seed, "heat_temperatures": [float(t) for t in range(40, 51)],
                           "pinprick_forces": [8.0], "windup_pulses": 2}}
    hpt = run_qst(spec)["heat_pain_threshold_subject"].sel(model="healthy").values
    return float(np.std(hpt, ddof=1))
