"""Virtual cohorts: patients drawn from distributions, their courses, and trial statistics.

A virtual patient is a row of a pandas table: etiology (central or
peripheral), stroke type (ischemic / hemorrhagic for central post-stroke
pain, ``"none"`` otherwise) and pathology attributes (ectopic activity,
disinhibition, sensitization, map reorganization, descending integrity,
thalamic lesion, stimulation threshold).  :data:`PATIENT_TO_MODEL` maps each
attribute to ONE dotted model path, and :func:`patient_overrides` turns a row
into model overrides.

Typical use::

    import painsim as ps
    table = ps.cohort.sample(200, preset="rtms_real_world", seed=1)
    result = ps.cohort.run(table, "rtms_m1_20hz")          # on the whole pathway (pain_pathway)
    stats = ps.cohort.statistics(result)         # responder rates, relief, odds ratios

Cohort experiment files (``[experiment] kind = "cohort"``, e.g.
``experiments/rtms_cohort.toml``) run with ``painsim run FILE``
(:func:`run_cohort_file`): sample, run the course for every patient
(batched, on ``workers`` processes), statistics beside the published
numbers, saved as a Dataset (:func:`to_dataset`) and a CSV patient table.

The statistics are pure functions of a table and are tested on synthetic
tables with known answers:

* responder rates at 30 % and 50 % relief with Wilson score intervals
  (Wilson 1927; Newcombe 1998 Stat Med 17:857, method 3);
* odds ratios of response by etiology and by stroke type from a logistic
  regression fitted by iteratively reweighted least squares, with Wald
  intervals; for one binary factor this equals the 2x2-table log odds ratio
  and Woolf's standard error (checked in the tests);
* calibration of the distribution parameters to published targets with
  ``scipy.optimize`` (:func:`calibrate`).

Responder: relief >= threshold (IMMPACT: >= 30 % moderately, >= 50 %
substantially important; Dworkin 2008 J Pain 9:105).  Relief = (baseline -
pain) / baseline.

Modules: :mod:`.distributions` (distributions, defaults, presets),
:mod:`.sampling` (:func:`sample`, :func:`patient_overrides`), :mod:`.run`
(:func:`run`), :mod:`.statistics`, :mod:`.calibration` and :mod:`.files`
(cohort experiment files and Datasets).  Execution and the per-patient store
are :mod:`painsim.parallel`'s, shared with :mod:`painsim.sweep`;
measurements are in ``docs/sweeps_and_cohorts.md``.
"""
from ..course import per_patient
from .calibration import TARGET_STATISTICS, CalibrationResult, calibrate, default_weight
from .distributions import (CATEGORICAL, GROUPS, PRESETS, Bernoulli, Beta, Distribution, Fixed, LogNormal,
                            default_distributions)
from .files import COHORT_KEYS, COHORT_TABLES, from_dataset, load_cohort_spec, run_cohort_file, to_dataset
from .run import CohortProgress, course_task, patient_fingerprints, report_session, run, run_patient_batches
from .sampling import (ATTRIBUTE_UNITS, PATIENT_LABELS, PATIENT_TO_MODEL, patient_models, patient_overrides,
                       pinned_attributes, sample)
from .statistics import (PUBLISHED, format_estimate, logistic_regression, odds_ratio, odds_ratio_2x2, relief_summary,
                         responder_flags, responder_rates, sensitivity, statistics, wilson_interval)

__all__ = ["PATIENT_TO_MODEL", "PATIENT_LABELS", "ATTRIBUTE_UNITS", "PUBLISHED", "PRESETS", "Beta", "LogNormal",
           "Bernoulli", "Fixed", "default_distributions", "sample", "patient_overrides", "patient_models", "pinned_attributes", "run", "statistics",
           "wilson_interval", "responder_rates", "relief_summary", "logistic_regression",
           "odds_ratio", "odds_ratio_2x2", "calibrate", "default_weight", "CalibrationResult", "sensitivity", "per_patient",
           "load_cohort_spec", "run_cohort_file", "to_dataset", "from_dataset",
           "Distribution", "GROUPS", "CATEGORICAL", "COHORT_KEYS", "COHORT_TABLES", "TARGET_STATISTICS",
           "run_patient_batches", "course_task", "patient_fingerprints", "responder_flags", "report_session",
           "CohortProgress", "format_estimate"]
