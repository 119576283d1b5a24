"""Deprecated: experiment files moved to :mod:`painsim.files`.

A thin re-export of the old module path, kept for one release; nothing in
painsim imports it.  Use ``painsim.files.load_experiment``,
``painsim.files.run_experiment`` and ``painsim.files.duration_quantity``
(or ``painsim.run_experiment``).
"""
from __future__ import annotations

from .files import duration_quantity, load_experiment, run_experiment

__all__ = ["load_experiment", "run_experiment", "duration_quantity"]
