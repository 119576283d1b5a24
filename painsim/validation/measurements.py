"""How painsim measures each target of the validation table (:mod:`painsim.validation.targets`).

Each public function is a target's ``measure(seed)`` (or builds one): it runs the smallest
simulation that gives the model's number, seeded (the same seed gives the same number), and
says in its docstring which model, stimulus, circuits and readout it uses.  Simulations that
several targets read (rest, built-in experiments) are run once per seed and cached;
:func:`clear_measurements` forgets them.

The measurements live in modules by subject, and every name is re-exported here (the targets,
the other measurement modules and the tests import them from this module):

* :mod:`.shared_runs`: :data:`N_SEEDS`, the batch mean PN rate, the cached built-in experiments;
* :mod:`.inhibition`: the segmental gate, heterotopic inhibition (DNIC, remote touch), spinal
  disinhibition;
* :mod:`.nerve_volleys`: electrical volleys at the nerve: wind-up, NMDA block, spinal LTP/LTD;
* :mod:`.thermal_pain`: heat and cold ratings, maintained and tonic heat, heat pain thresholds;
* :mod:`.rest`: ongoing pain and resting PN rate;
* :mod:`.neuromodulation`: SCS, baclofen, DRG filtering, PNS, course and cohort relief.

This module keeps :func:`clear_measurements` and :data:`SHARED_CACHES` (the caches of other
modules: :mod:`.phenotype`, :mod:`.courses`, ...).
"""
from __future__ import annotations

from .inhibition import (DNIC_CELSIUS, DRIVEN_MIN_SPIKES, REMOTE_SITE, disinhibited_heat_ratio, dnic_heat,
                         gate_on_heat, gate_share_decreased, heterotopic_inhibition, heterotopic_requests,
                         remote_touch_inhibition)
from .nerve_volleys import (ADELTA_LFS_PULSES, ADELTA_TEST_PULSES, ADELTA_TEST_RATE_HZ, C_TEST_PULSES,
                            C_TEST_RATE_HZ, _nmda_block_runs, adelta_lfs_change, c_arrival, c_fibre_response_change,
                            c_volleys, nmda_block_baseline, nmda_block_c_component, windup_slow)
from .neuromodulation import (BACLOFEN_ALONE, BACLOFEN_SATURATING, BACLOFEN_WITH_SCS, BRUSH_TEST_S, BURST_SCS,
                              PARESTHESIA_KHZ_MA, PARESTHESIA_TONIC, TONIC_SCS, baclofen_antiallodynia,
                              cohort_responders, course_relief, dlf_share_of_scs, drg_c_filtering,
                              khz_dorsal_horn_reduction, paresthesia_10khz, paresthesia_tonic, pns_responders,
                              scs_relief, scs_relief_with_baclofen)
from .neuromodulation import DRG_READ_S, DRG_TRAIN_HZ, DRG_TRAIN_S, _has_paresthesia, scs_sites
from .rest import _rest, rest_rating, resting_pn_rate
from .shared_runs import N_SEEDS, _experiment, _experiment_scalars, _mean_pn
from .thermal_pain import (RAMP_HPT_BIN, RAMP_HPT_PEAK, RAMP_HPT_RATE, cold_3c_rating, healthy_hpt_sd,
                           heat_47_rating, heat_49_rating, heat_pain_threshold, heat_pain_threshold_ramp, pn_rate_50c,
                           sustained_heat_ratio, tonic_heat_summation)
from .thermal_pain import (SUSTAINED_EARLY_BINS, SUSTAINED_HEAT_S, SUSTAINED_LATE_BINS, TONIC_BIN_S,
                           TONIC_HEAT_CELSIUS, TONIC_HEAT_S)

__all__ = ["TONIC_SCS", "BURST_SCS", "BACLOFEN_ALONE", "BACLOFEN_WITH_SCS", "scs_relief_with_baclofen",
           "BACLOFEN_SATURATING", "BRUSH_TEST_S", "baclofen_antiallodynia", "N_SEEDS", "PARESTHESIA_KHZ_MA", "PARESTHESIA_TONIC",
           "clear_measurements", "C_TEST_PULSES", "C_TEST_RATE_HZ", "ADELTA_LFS_PULSES", "ADELTA_TEST_PULSES",
           "ADELTA_TEST_RATE_HZ", "adelta_lfs_change",
           "c_arrival", "c_fibre_response_change", "c_volleys", "nmda_block_c_component",
           "cohort_responders", "course_relief", "dlf_share_of_scs", "disinhibited_heat_ratio", "drg_c_filtering",
           "gate_on_heat",
           "DRIVEN_MIN_SPIKES", "SHARED_CACHES", "gate_share_decreased", "REMOTE_SITE", "DNIC_CELSIUS",
           "heterotopic_inhibition", "heterotopic_requests", "dnic_heat", "remote_touch_inhibition",
           "healthy_hpt_sd", "cold_3c_rating", "heat_47_rating", "heat_49_rating", "heat_pain_threshold",
           "heat_pain_threshold_ramp", "RAMP_HPT_RATE", "RAMP_HPT_PEAK", "RAMP_HPT_BIN",
           "khz_dorsal_horn_reduction", "nmda_block_baseline", "paresthesia_10khz", "paresthesia_tonic", "pn_rate_50c",
           "pns_responders",
           "rest_rating", "resting_pn_rate", "scs_relief",
           "sustained_heat_ratio", "tonic_heat_summation", "windup_slow"]
# defined here before the split, outside __all__: still importable from here (the private ones are
# imported by painsim.validation.opioids and tests/test_validate.py)
__all__ += ["SUSTAINED_HEAT_S", "SUSTAINED_EARLY_BINS", "SUSTAINED_LATE_BINS", "TONIC_HEAT_CELSIUS", "TONIC_HEAT_S",
            "TONIC_BIN_S", "DRG_TRAIN_HZ", "DRG_TRAIN_S", "DRG_READ_S", "scs_sites", "_mean_pn", "_has_paresthesia"]


# ---------------------------------------------------------------- the table


#: Caches of simulations shared between targets in other modules (:mod:`.phenotype`), cleared with these.
SHARED_CACHES: list = []


def clear_measurements() -> None:
    """Forget the simulations shared between targets (rest, built-in experiments, NMDA block, the
    per-neuron recordings), so that a new validation run measures the model as it is now (model
    files, engine, settings)."""
    for cache in SHARED_CACHES:
        cache.cache_clear()
    _rest.cache_clear()
    _experiment.cache_clear()
    _experiment_scalars.cache_clear()
    _nmda_block_runs.cache_clear()
