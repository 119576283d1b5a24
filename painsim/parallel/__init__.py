"""Running many independent work items, resumably: one executor and one store,
shared by :mod:`painsim.sweep` and :mod:`painsim.cohort`.

:func:`run_batches` computes batches of items in this process, in local worker
processes or on a Dask cluster, isolating a batch whose worker crashes (worker
processes die with the process that started them; tasks :func:`report` progress);
:class:`ResultStore` persists each finished item atomically so that an
interrupted run can be resumed.  This layer knows nothing of models or
brian2: the callers bring the task, the batches and the worker set-up.
"""
from .executor import (WORKER_DIED, balanced_batches, chunks, cut_for, die_with_parent, in_worker, report,  # noqa: F401
                       run_batches, worker_count)
from .json_values import strict_jsonable  # noqa: F401
from .store import PATIENT_LAYOUT, SWEEP_LAYOUT, Layout, ResultStore, jsonable  # noqa: F401

__all__ = ["run_batches", "report", "die_with_parent", "chunks", "balanced_batches", "worker_count", "cut_for", "in_worker", "WORKER_DIED",
           "ResultStore", "Layout", "SWEEP_LAYOUT", "PATIENT_LAYOUT", "jsonable",
           "strict_jsonable"]
