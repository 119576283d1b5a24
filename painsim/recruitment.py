"""Deprecated alias of :mod:`painsim.fibers` (biophysical recruitment), kept for one release.

The biophysical recruitment model now lives in the package :mod:`painsim.fibers`
(:mod:`painsim.fibers.population`, :mod:`painsim.fibers.kernel`,
:mod:`painsim.fibers.biophysical`, :mod:`painsim.fibers.cache`).  This module
only re-exports the names it used to define; import them from
:mod:`painsim.fibers` instead.  Nothing inside painsim imports it.

Changed names: ``target_classes(waveform)`` is
:func:`painsim.fibers.waveform_classes` (``painsim.fibers.target_classes`` is
:func:`painsim.anatomy.target_classes`, which takes a target and a modality);
``synchronous_volleys`` moved to :mod:`painsim.analysis`; the private
``simulate``, ``_Node``, ``_run``, ``_drive`` and ``_amplitude_scale`` are
:func:`painsim.fibers.fiber_spikes`, :class:`painsim.fibers.NodeConstants`,
:func:`painsim.fibers.run_chunk`, :func:`painsim.fibers.step_drive` and
:func:`painsim.fibers.amplitude_scale`.
"""
from __future__ import annotations

from .fibers import (CHRONAXIE_RANGES, CLASS_PARAMS, CLASSES, DT_DEFAULT, DT_MAX, KERNEL_VERSION,
                     TARGET_GEOMETRY, Biophysical, ClassParams, FiberPopulation, afferent_spikes,
                     cache_info, class_threshold, fit_weiss, node_kernel, node_reference,
                     population_for, recruitment_curve, strength_duration, threshold)
from .fibers import waveform_classes as target_classes

__all__ = ["FiberPopulation", "ClassParams", "CLASS_PARAMS", "CLASSES", "afferent_spikes",
           "recruitment_curve", "threshold", "strength_duration", "fit_weiss",
           "node_kernel", "node_reference", "cache_info", "KERNEL_VERSION", "DT_MAX",
           "DT_DEFAULT", "CHRONAXIE_RANGES", "Biophysical", "population_for", "target_classes",
           "TARGET_GEOMETRY", "class_threshold"]
