"""The first progress line of a cohort file names where it runs as the cohort then runs it.

Before, it printed the ``--workers`` asked for ("1000 worker(s)") although a cohort starts at most one
process per batch, and "1 worker(s)" for a cohort that runs in this process.
"""
from __future__ import annotations

import os

import pytest

from painsim.cohort import run_cohort_file
from refusals import ROOT, WorkStarted

COHORT = ROOT / "experiments" / "rtms_cohort.toml"


def first_line(capsys, **kw) -> str:
    with pytest.raises(WorkStarted):
        run_cohort_file(COHORT, progress=True, **kw)
    return capsys.readouterr().out.splitlines()[0]


@pytest.mark.parametrize("workers", [2, 1000])
def test_many_workers_asked_for_name_the_processes_the_batches_allow(no_work, capsys, workers):
    line = first_line(capsys, n_patients=8, workers=workers)
    cpus = os.cpu_count() or 1
    # 8 patients, batch size 32: one batch per CPU-cut worker, so min(workers, CPUs, 8) processes
    expected = min(workers, cpus, 8)
    word = "process" if expected == 1 else "processes"
    assert line.endswith(f"up to {expected} worker {word}"), line


def test_one_worker_or_one_patient_runs_in_this_process(no_work, capsys):
    assert first_line(capsys, n_patients=8, workers=1).endswith("in this process")
    assert first_line(capsys, n_patients=1, workers=2).endswith("in this process")
