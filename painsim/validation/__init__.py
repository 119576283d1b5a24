"""Validation: the model against published figures (``painsim validate``).

:data:`TARGETS` lists every published figure the model is compared with, its
source, and whether a model parameter was calibrated on it ("calibrated") or it
is held out ("prediction"); :func:`validate` measures the model's values and
returns them beside the published ones as a Dataset; :func:`table_rows` formats
it as the Markdown table of ``docs/validation.md``; a run keeps each finished target
(``store``) so that an interrupted run resumes, and can measure in worker processes.  :mod:`.calibration` holds the
declared calibrations (procedure, target, what stays held out), :mod:`.prevalence` the cohorts'
disinhibition fitted to the published prevalence of allodynia; :func:`compare` sets two
runs side by side (is a model variant closer to the published figures?); :func:`across_seeds`
sets runs at several seeds side by side (which verdicts depend on the seed?).
"""
from __future__ import annotations

from .calibration import GainCalibration, calibrate_c_gain
from .comparison import compare, comparison_header, comparison_rows, read_result
from .seeds import across_seeds, finished_targets, kept_run, refuse_interrupted, seed_header, seed_rows
from .run import (MAX_SEED, SEED_BLOCK, checked_validation_seed, forget_measured, kept_target_names, kept_targets,
                  select, table_rows, validate)
from .targets import COSTS, STATUSES, TARGETS, Target, get

__all__ = ["GainCalibration", "calibrate_c_gain", "Target", "TARGETS", "STATUSES", "COSTS", "get", "select", "validate", "table_rows",
           "forget_measured", "kept_targets", "kept_target_names", "compare", "comparison_header", "comparison_rows",
           "read_result", "across_seeds", "seed_header", "seed_rows", "kept_run", "finished_targets",
           "refuse_interrupted", "MAX_SEED", "SEED_BLOCK", "checked_validation_seed"]
