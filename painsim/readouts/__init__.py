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
    over the readout window, whichever site is stimulated (or none); a unit
    at the threshold, within a relative ``maps.TIE_RTOL``, does not count
    (a tie does not depend on the rounding of the window); the *centroid*
    is the rate-weighted mean position of the units above threshold; the
    area a site *occupies* is that of the units above threshold whose
    strongest response, among the sites stimulated one at a time, is to
    that site (a winner-take-all partition of the map).

Gate index
    The share of inhibitory synaptic drive among all synaptic drive that the
    projection neurons receive, each drive being the summed conductance
    jumps times their decay time constant (i.e. the time integral of the
    conductance): 0 = open gate (no inhibition), 1 = fully closed.

The package is split by responsibility:

============================  ==============================================================
module                        contents
============================  ==============================================================
:mod:`.rates`                 population rates (in a window, per body site, in bins), the
                              readout window, the gate index, one population's spikes
:mod:`.pain`                  the psychophysical pain map (Kenshalo et al. 1979), the Hill
                              score, the unpleasantness map (Rainville et al. 1997)
:mod:`.scores`                relief, responders and the combined spinal and map score, on
                              the NRS 0-10
:mod:`.maps`                  metrics of the S1 pain map: active area, excess rate, centroid,
                              the map term of the score, site territories and areas
============================  ==============================================================

``bin_width`` (the inverse of :func:`binned_rate`'s layout) and ``own_bins`` (one point's
bins of a combined result) are implemented in :mod:`painsim.io`, ``paresthesia`` in
:mod:`painsim.synchrony`; all are re-exported here.
"""
from __future__ import annotations

from ..io import bin_width, own_bins  # the inverse of binned_rate's layout, kept where saved results are read
from ..synchrony import paresthesia
from .maps import (MAP_MEASURES, active_area, active_units, map_centroid, map_excess_rate, map_image, map_points,
                   map_score, site_areas, site_territories)
from .pain import (model_pain_score, nrs_from_rate, pain_score, psychophysics_points, stt_heat_rate,
                   unpleasantness_points, unpleasantness_score)
from .rates import binned_rate, gate_index, mean_rate, population_spikes, readout_start, site_block, site_rates, window_start
from .scores import combined_pain, relief, responders

__all__ = ["readout_start", "window_start", "site_rates", "binned_rate", "bin_width", "own_bins", "site_block", "mean_rate", "pain_score", "stt_heat_rate", "psychophysics_points", "nrs_from_rate",
           "model_pain_score", "unpleasantness_points", "unpleasantness_score", "gate_index", "relief", "responders", "combined_pain",
           "map_image", "active_units", "active_area", "map_excess_rate", "map_points", "MAP_MEASURES", "map_score", "map_centroid",
           "site_territories", "site_areas",
           "population_spikes"]

__all__ += ["paresthesia"]  # implemented in painsim.synchrony (synchronous volleys and their chance level)
