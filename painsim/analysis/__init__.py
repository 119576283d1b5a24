"""Metrics computed from results: a layer above simulation, below figures.

Takes result Datasets (of :func:`painsim.simulate`, experiment files, courses,
cohorts) and returns numbers or Datasets; runs no simulation and draws
nothing.  :mod:`painsim.plots` draws what these functions compute.

Contents
    * SCS readouts per condition (:func:`scs_metrics`,
      :func:`scs_frequency_curves`), the paresthesia proxy
      (:func:`synchronous_volleys`) and the evoked response to a test electrode's
      pulses (:func:`sep_metrics`, the SEP collision test);
    * S1 pain-map metrics per model (:func:`pain_map_metrics`) and what
      they read from a result (:func:`condition_param`,
      :func:`stimulated_site`);
    * selections used by several figures and the command line:
      :func:`experiment_conditions`, :func:`changed_connections`,
      :func:`course_arms`, :func:`cohort_groups`, :func:`is_cohort_result`;
    * the virtual QST profile (DFNS battery, Rolke et al. 2006 Pain 123:231):
      :func:`first_crossing` (heat and mechanical pain thresholds),
      :func:`dfns_mps` (mechanical pain sensitivity), :func:`windup_ratio`,
      :func:`dfns_zscores` (z-scores against a reference group, gain of
      function positive) and :func:`qst_summary` (the profile Dataset).

The package is split by responsibility:

============================  ==============================================================
module                        contents
============================  ==============================================================
:mod:`.selections`            what figures and the command line select from results: the
                              ``[[condition]]`` tables and their devices, a result's duration,
                              changed connections, course arms, cohort groups
:mod:`.scs`                   SCS readouts per condition, synchronous Aβ volleys (the
                              paresthesia proxy, Sagalajev et al. 2024), PN rate against
                              tonic SCS frequency
:mod:`.evoked`                the evoked response to a test electrode's pulses (the SEP
                              collision test, Urasaki et al. 2014)
:mod:`.pain_maps`             S1 pain-map metrics per model and the parameter and stimulated
                              site of a condition
:mod:`.counts`                spikes per pulse and per neuron of one population (wind-up,
                              ``painsim validate``)
:mod:`.qst`                   the virtual QST profile (DFNS battery, Rolke et al. 2006)
:mod:`.deviation`             where model values lie against their published figures (the
                              validation figure)
============================  ==============================================================
"""
from __future__ import annotations

from .counts import neuron_spike_counts, spikes_per_pulse
from .deviation import published_deviation
from .evoked import (PSTH_EDGES, RELAY_MARGIN, TEST_TARGETS, evoked_response, point_evoked, sep_electrode,
                     sep_metrics, sep_min_interval, sep_window)
from .pain_maps import condition_param, pain_map_metrics, pn_site, stimulated_site
from .qst import (HPT_SD_FLOOR, LOG_SD_FLOOR, QST_MEASURES, dfns_mps, dfns_zscores, first_crossing, qst_long_name,
                  qst_summary, windup_ratio)
from .scs import scs_frequency_curves, scs_metrics, synchronous_volleys
from .selections import (changed_connections, cohort_groups, is_cohort_result, condition_devices, course_arms, experiment_conditions,
                         result_duration)

__all__ = ["published_deviation", "neuron_spike_counts", "synchronous_volleys", "experiment_conditions", "scs_metrics",
           "scs_frequency_curves", "result_duration", "condition_devices", "evoked_response", "sep_window",
           "sep_min_interval", "sep_metrics", "sep_electrode", "point_evoked", "PSTH_EDGES", "TEST_TARGETS", "RELAY_MARGIN",
           "condition_param", "stimulated_site", "pain_map_metrics", "changed_connections", "course_arms",
           "cohort_groups", "is_cohort_result", "first_crossing", "dfns_mps", "windup_ratio", "dfns_zscores", "qst_summary",
           "QST_MEASURES", "LOG_SD_FLOOR", "HPT_SD_FLOOR", "qst_long_name"]
__all__ += ["spikes_per_pulse", "pn_site"]  # public and imported by painsim.files.qst and painsim.validation
