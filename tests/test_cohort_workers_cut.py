"""A cohort's batches are cut for at most one worker per CPU, as a sweep's are.

Found by a robustness review: ``--workers`` beyond the CPUs split a cohort's patients into batches as
small as one patient (8 patients on ``--workers 8``: 8 single-patient courses on 2 cores), losing the
batching of courses into one network for processes that only share the same cores.  Negative
control: with as many CPUs as workers the batches are cut for every worker, as before.
"""
from __future__ import annotations

import importlib

import pytest

cohort_run = importlib.import_module("painsim.cohort.run")  # painsim.cohort.run is also the package's function


@pytest.fixture
def captured(monkeypatch):
    """The batches and workers run_patient_batches hands to run_batches (nothing runs)."""
    seen = {}

    def fake_run_batches(task, batches, on_result, workers=0, on_progress=None):
        seen.update(batches=[len(b) for b in batches], workers=workers)
        for b in batches:
            on_result(b, [None] * len(b))

    monkeypatch.setattr(cohort_run, "run_batches", fake_run_batches)
    return seen


@pytest.mark.parametrize("cpus, expected_batches", [(2, [4, 4]), (8, [1] * 8)])
def test_batches_are_cut_for_the_cpus_not_for_more_workers(monkeypatch, captured, cpus, expected_batches):
    monkeypatch.setattr("painsim.parallel.executor.os.cpu_count", lambda: cpus)
    models, seeds = [object()] * 8, list(range(8))
    out = cohort_run.run_patient_batches(models, protocol=None, seeds=seeds, batch_size=32, workers=8, kw={})
    assert captured["batches"] == expected_batches
    assert len(out) == 8  # every patient still has its result, in order
