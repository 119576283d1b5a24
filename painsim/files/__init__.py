"""Experiment files of every kind: load and check them, run them (one dispatch for the CLI and the API).

An experiment file (TOML) names a model, a duration, a seed and a list of
conditions; each condition may name its own model (``model = ...``),
override model parameters, and give a stimulus waveform and natural stimuli
(at the painful site, or at body site ``site = k`` of a topographic model)::

    [experiment]
    name = "gate_control"
    model = "gate_control"
    duration = "2 s"
    seed = 1

    [[condition]]
    label = "47 °C heat alone"
    heat = 47.0

    [[condition]]
    label = "47 °C heat + Aβ stimulation"
    heat = 47.0
    stimulus = {type = "tonic", rate = "50 Hz", width = "200 us", amplitude = 1.5, duration = "2 s"}
    params = {"dorsal_horn.pharmacology.gaba_block" = 0.0}

All conditions that share structure run in one brian2 network.  The result
is one Dataset with a ``condition`` dimension.

A file with ``kind = "conditioning"`` under ``[experiment]`` instead holds
``[[protocol]]`` tables (conditioning stimulus and ``replay``), a ``[test]``
table and ``[params]``; it runs a test window before and after each
conditioning protocol with plastic synapses
(:func:`painsim.conditioning.run_conditioning_experiment`), e.g.
``experiments/spinal_ltp_ltd.toml``.

Files with ``kind = "course"`` (a treatment course, :func:`painsim.course.run_course_file`)
and ``kind = "cohort"`` (a virtual cohort, :func:`painsim.cohort.run_cohort_file`,
e.g. ``experiments/rtms_cohort.toml``) are checked by their own loaders and run
through the same :func:`run_experiment` and ``painsim run FILE``; so are files
with ``kind = "qst"`` (a virtual QST profile of several models, :mod:`.qst`,
e.g. ``experiments/qst_profile.toml``) and ``kind = "tolerance"`` (analgesic tolerance
to a repeated therapy, :mod:`.tolerance`, e.g. ``experiments/tens_tolerance.toml``).

Modules
    :mod:`.dispatch` (the :data:`KINDS` registry, :func:`load_experiment`,
    :func:`run_experiment`), :mod:`.validate` (checks per kind),
    :mod:`.conditions` (running conditions files), :mod:`.qst` and :mod:`.tolerance`
    (QST and tolerance files), :mod:`.paths` (which file is
    which, the command that runs it, and what an output folder already holds), :mod:`.summaries` (the lines printed
    about a result).
"""
from __future__ import annotations

from .conditions import duration_quantity, run_conditions
from .dispatch import FIGURE_NAMES, KINDS, Kind, describe, kind_of, load_experiment, run_experiment
from .paths import (COMMANDS, RESULT_OF, catalog, check_command, command_for, earlier_result, experiment_path, file_kind,
                    remove_stale_figures, result_name, results_file)
from .qst import check_qst, run_qst
from .summaries import condition_rows, cohort_rows, conditioning_rows, course_rows, qst_rows, tolerance_rows
from .tolerance import check_tolerance, run_tolerance
from .validate import check_cohort, check_conditioning, check_conditions, check_course

__all__ = ["load_experiment", "run_experiment", "run_conditions", "duration_quantity", "KINDS", "Kind", "FIGURE_NAMES",
           "kind_of", "describe", "check_conditions", "check_conditioning", "check_course", "check_cohort",
           "COMMANDS", "catalog", "check_command", "command_for", "experiment_path", "file_kind", "results_file",
           "condition_rows", "conditioning_rows", "cohort_rows", "course_rows", "qst_rows", "check_qst", "run_qst",
           "tolerance_rows", "check_tolerance", "run_tolerance", "RESULT_OF", "earlier_result", "remove_stale_figures",
           "result_name"]
