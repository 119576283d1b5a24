"""What the validation measurements share: the number of circuits each averages
(:data:`N_SEEDS`), the mean PN rate of a batch, and the built-in experiments several targets
read, run once per (experiment, seed) and cached.

Split from :mod:`painsim.validation.measurements` (which re-exports these names, and whose
:func:`~painsim.validation.measurements.clear_measurements` empties the caches); every other
measurement module imports from here.
"""
from __future__ import annotations

import functools

import numpy as np

from ..files import run_experiment
from ..simulation import simulate_batch

__all__ = ["N_SEEDS"]


#: Seeds averaged by the spinal measurements (the tests' convention, 4 circuits).
N_SEEDS = 4


def _mean_pn(requests, duration) -> list[float]:
    """Mean PN rate of each group of N_SEEDS consecutive requests (one batch)."""
    res = simulate_batch(requests, duration)
    return [float(np.mean([float(r.pn_rate) for r in res[i:i + N_SEEDS]])) for i in range(0, len(res), N_SEEDS)]


@functools.lru_cache(maxsize=4)
def _experiment(name: str, seed: int):
    """A built-in experiment's result, run once per (name, seed) for all targets that read it."""
    return run_experiment(name, seed=seed)


@functools.lru_cache(maxsize=32)
def _experiment_scalars(name: str, seed: int) -> dict[str, dict[str, float]]:
    """Label -> {variable: value} of the scalar results of a built-in experiment (one circuit,
    ``seed``): its conditions (``kind = "conditions"``) or protocols (``"conditioning"``).  Kept
    instead of the Datasets, so that targets averaging N_SEEDS circuits of several experiments
    share one run of each."""
    ds = _experiment(name, seed)
    dim = "condition" if "condition" in ds.dims else "protocol"
    names = [v for v in ds.data_vars if ds[v].dims == (dim,) and np.issubdtype(ds[v].dtype, np.number)]
    return {str(lab): {v: float(ds[v].values[i]) for v in names} for i, lab in enumerate(ds[dim].values)}


def _experiment_mean(name: str, label: str, variable: str, seed: int) -> float:
    """Mean of ``variable`` in condition/protocol ``label`` of a built-in experiment over the
    N_SEEDS circuits ``seed`` .. ``seed + N_SEEDS - 1`` (each run once, see :func:`_experiment_scalars`)."""
    return float(np.mean([_experiment_scalars(name, s)[label][variable] for s in range(seed, seed + N_SEEDS)]))
