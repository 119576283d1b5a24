"""Robustness of resumable stores and sweeps against damaged files, changed presentation fields and
oversized worker counts (bugs found by a review hunt).  Each test has a negative control: the same
path with an intact file, or the same sweep without the change, behaves as before."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from painsim.errors import ParameterError, SpecError
from painsim.parallel.store import PATIENT_LAYOUT, SWEEP_LAYOUT, ResultStore


def _patient(k: int) -> xr.Dataset:
    return xr.Dataset({"relief": (("day",), np.arange(3.0) + k)}, coords={"day": [0, 1, 2]})


def _stored_cohort(tmp_path):
    st = ResultStore(tmp_path, PATIENT_LAYOUT)
    st.open_items(["a", "b"], resume=False)
    st.write((0,), _patient(0), fingerprint="a")
    st.close()


@pytest.mark.parametrize("damage", ["", "[]", "{\"painsim\": ", "\"text\""])
def test_a_damaged_cohort_code_record_is_a_store_error_naming_it(tmp_path, damage):
    """An empty, cut-short or non-object code.json refuses the resume with a ParameterError that names
    the store and the file (not a JSONDecodeError / AttributeError); intact, it resumes (control)."""
    _stored_cohort(tmp_path)
    assert list(ResultStore(tmp_path, PATIENT_LAYOUT).open_items(["a", "b"], resume=True)) == [0]
    (tmp_path / "code.json").write_text(damage)
    with pytest.raises(ParameterError, match=r"parameter 'store'.*code\.json can be read") as info:
        ResultStore(tmp_path, PATIENT_LAYOUT).open_items(["a", "b"], resume=True)
    assert str(tmp_path) in str(info.value)


@pytest.mark.parametrize("code", ["abc", [1, 2], 3])
def test_a_sweep_spec_whose_code_record_is_no_object_is_refused_as_unreadable(tmp_path, code):
    """spec.json whose ``code`` is a string (list, number) is an unreadable store, refused with a
    SpecError naming spec.json; the intact record resumes (control)."""
    ResultStore(tmp_path, SWEEP_LAYOUT).open("k", {}, resume=False)
    ResultStore(tmp_path, SWEEP_LAYOUT).open("k", {}, resume=True)
    meta = tmp_path / "spec.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "code": code}))
    assert ResultStore(tmp_path, SWEEP_LAYOUT).refusal("k", True)[0] == "unreadable"
    with pytest.raises(SpecError, match=r"spec\.json can be read.*not a JSON object"):
        ResultStore(tmp_path, SWEEP_LAYOUT).open("k", {}, resume=True)


@pytest.mark.parametrize("content", ["{}", "[]", '{"data_vars": {}}',
                                     '{"coords": {}, "attrs": {}, "dims": {}, "data_vars": {"x": {"dims": []}}}'])
def test_a_part_that_is_valid_json_but_no_result_is_set_aside(tmp_path, content):
    """A sweep part holding ``{}`` (or another JSON value that is no stored Dataset) is not done: open()
    moves it into corrupt/ with a warning, so the point is computed again instead of read as NaN.
    Control: an intact part next to it stays done."""
    st = ResultStore(tmp_path, SWEEP_LAYOUT)
    st.open("k", {}, resume=False)
    good = xr.Dataset({"pain": ((), 1.5)}, attrs={"point": 0, "repeat": 0})
    st.write((0, 0), good)
    st.write((1, 0), good)
    st.close()
    (tmp_path / "parts" / "p0000001_r0000.json").write_text(content)
    st = ResultStore(tmp_path, SWEEP_LAYOUT)
    with pytest.warns(RuntimeWarning, match="p0000001_r0000.json cannot be read"):
        st.open("k", {}, resume=True)
    assert st.done() == {(0, 0)}
    assert (tmp_path / "corrupt" / "p0000001_r0000.json").read_text() == content
    xr.testing.assert_identical(st.read(0, 0), good)
    st.close()


# ---------------------------------------------------------------- sweeps: what the store's key covers
_SMALL = """[sweep]
name = "{name}"
description = "{description}"
kind = "simulate"
model = "gate_control"
duration = "{duration}"
noxious = 0.6
seed = 1
seeds = 2
outcomes = ["pain"]
batch_size = 2

[stimulus]
type = "tonic"
rate = "50 Hz"
width = "300 us"
amplitude = "2.5 mA"

[parameters]
"stimulus.rate" = {{ values = [{rates}] }}
{figure}"""
_RATES = '"10 Hz", "50 Hz", "100 Hz", "200 Hz"'


def _small(tmp_path, file="s.toml", name="small", description="", duration="0.2 s", rates=_RATES, figure=""):
    path = tmp_path / file
    path.write_text(_SMALL.format(name=name, description=description, duration=duration, rates=rates,
                                  figure=figure))
    return path


def _stored(tmp_path, path):
    """The store painsim.run_sweep opens for the sweep file ``path`` (no point computed)."""
    from painsim.sweep import load_spec
    spec = load_spec(path)
    store = tmp_path / "out" / "store"
    ResultStore(store).open(spec.key(), {"spec": spec.to_dict()}, resume=False)
    return store


@pytest.mark.parametrize("change", [{"figure": '\n[figure]\noutcomes = ["pain"]\n'},
                                    {"description": "another text"}, {"name": "renamed"}])
def test_presentation_fields_do_not_change_the_sweep_key(tmp_path, change):
    """Name, description and figure decide no point's run: a store resumes under a file that changes only
    them; a changed duration (control) is another sweep, refused."""
    from painsim.sweep import load_spec
    store = _stored(tmp_path, _small(tmp_path))
    same = load_spec(_small(tmp_path, "b.toml", **change))
    assert ResultStore(store).refusal(same.key(), True) is None
    other = load_spec(_small(tmp_path, "c.toml", duration="0.3 s", **change))
    assert ResultStore(store).refusal(other.key(), True) == ("other", "")


def test_a_refused_resume_shows_the_first_differing_part_of_an_axis(tmp_path, capsys, monkeypatch):
    """Was: ``its axes [{"path": "stimulus.rate", ... vs [{"path": "stimulus.rate", ...`` (both cut at 60
    characters, identical).  Now the differing value is named with its axis; a changed name (presentation)
    is not listed as a difference."""
    from refusals import start_work

    from painsim.cli import main
    monkeypatch.setattr("painsim.sweep.run.run_batches", start_work)
    _stored(tmp_path, _small(tmp_path))
    changed = _small(tmp_path, "c.toml", name="renamed", rates=_RATES.replace("200 Hz", "300 Hz"))
    assert main(["sweep", str(changed), "--workers", "0", "--resume", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "its axes[stimulus.rate].values[3] 200.0 vs 300.0" in err, err  # SI values, as stored
    assert "its name" not in err


# ---------------------------------------------------------------- workers beyond the work and the CPUs
def test_worker_count_is_bounded_by_the_batches_and_keeps_the_batch_size(monkeypatch):
    """8 runs in batches of 2: 1000 workers asked on 2 CPUs start 4 processes (one per batch of 2), not
    one per run; with as many workers as CPUs (control) the batches are cut as before."""
    from painsim.parallel import chunks, cut_for, worker_count
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert cut_for(1000) == 2 and [len(b) for b in chunks(range(8), 2, cut_for(1000))] == [2, 2, 2, 2]
    assert worker_count(8, 2, 1000) == 4
    assert worker_count(8, 8, 1000) == 2  # cut for 2 CPUs: 2 batches of 4
    assert worker_count(8, 2, 2) == 2 and worker_count(8, 2, 0) == 0 and worker_count(0, 2, 5) == 0
    assert [len(b) for b in chunks(range(8), 8, cut_for(2))] == [4, 4]  # control: unchanged


def _record_run_batches(seen):
    def fake(task, batches, on_result, workers=0, scheduler=None, **kw):
        seen.update(sizes=[len(b) for b in batches], workers=workers)
    return fake


def test_a_sweep_with_more_workers_than_cpus_keeps_its_batches_and_warns(tmp_path, monkeypatch):
    """Was: 1000 workers cut 8 runs into 8 batches of 1 on 8 processes (batching lost), silently."""
    from painsim.sweep import run_sweep
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    seen = {}
    monkeypatch.setattr("painsim.sweep.run.run_batches", _record_run_batches(seen))
    with pytest.warns(RuntimeWarning, match="workers=1000 is more than the 2 CPUs"):
        run_sweep(_small(tmp_path), store=tmp_path / "a", workers=1000, progress=False)
    assert seen == {"sizes": [2, 2, 2, 2], "workers": 4}
    seen.clear()  # control: as many workers as CPUs, as before (and no warning)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        run_sweep(_small(tmp_path), store=tmp_path / "b", workers=2, progress=False)
    assert seen == {"sizes": [2, 2, 2, 2], "workers": 2}


def test_the_sweep_command_says_the_processes_it_starts(tmp_path, capsys, monkeypatch):
    """Was: "on 1000 worker processes"; now the number started, with the warning."""
    from refusals import WorkStarted, start_work

    from painsim.cli import main
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.setattr("painsim.sweep.run.run_batches", start_work)
    with pytest.raises(WorkStarted), pytest.warns(RuntimeWarning, match="workers=1000 is more than the 2 CPUs"):
        main(["sweep", str(_small(tmp_path)), "--workers", "1000", "--out", str(tmp_path / "o")])
    assert "8 runs (4 points x 2 seeds) on 4 worker processes" in capsys.readouterr().out
    with pytest.raises(WorkStarted), warnings.catch_warnings():  # control: 2 workers on 2 CPUs
        warnings.simplefilter("error", RuntimeWarning)
        main(["sweep", str(_small(tmp_path, "b.toml")), "--workers", "2", "--out", str(tmp_path / "p")])
    assert "on 2 worker processes" in capsys.readouterr().out


def test_a_local_dask_cluster_starts_no_worker_without_a_batch(monkeypatch):
    """Was: LocalCluster(n_workers=1000) for 2 batches."""
    from refusals import WorkStarted

    from painsim.parallel import run_batches
    asked = []

    def cluster(n_workers, **kw):
        asked.append(n_workers)
        raise WorkStarted
    monkeypatch.setattr("dask.distributed.LocalCluster", cluster)
    for workers, expected in [(1000, 2), (1, 1)]:  # control: fewer workers than batches, as asked
        with pytest.raises(WorkStarted):
            run_batches(len, [[1], [2]], lambda b, r: None, workers=workers, scheduler="local")
    assert asked == [2, 1]


# ---------------------------------------------------------------- command-line wording
def test_an_empty_out_is_refused_naming_it(tmp_path, capsys, monkeypatch):
    """Was: ``--out ""`` silently meant painsim-out/<name>.  Control: a named folder goes ahead."""
    from refusals import WorkStarted, start_work

    from painsim.cli import main
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("painsim.sweep.run.run_batches", start_work)
    spec = str(_small(tmp_path))
    for empty in ("", " "):
        assert main(["sweep", spec, "--workers", "0", "--out", empty]) == 2
        err = capsys.readouterr().err
        assert f"argument --out: {empty!r} is not allowed: expected a folder name" in err, err
    assert not (tmp_path / "painsim-out").exists()
    with pytest.raises(WorkStarted):
        main(["sweep", spec, "--workers", "0", "--out", "named"])


def _held(lock_path):
    """A descriptor holding ``lock_path``'s flock as another run would (its own open file description)."""
    import fcntl
    import os
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def test_in_use_tells_a_store_another_run_holds(tmp_path):
    import os
    store = tmp_path / "patients"
    assert not ResultStore(store, PATIENT_LAYOUT).in_use()  # no folder
    _stored_cohort(store)
    assert not ResultStore(store, PATIENT_LAYOUT).in_use()  # closed: no lock held (control)
    fd = _held(store / ".lock")
    try:
        assert ResultStore(store, PATIENT_LAYOUT).in_use()
    finally:
        os.close(fd)
    assert not ResultStore(store, PATIENT_LAYOUT).in_use()
    mine = ResultStore(store, PATIENT_LAYOUT)
    mine.open_items(["a", "b"], resume=True)
    assert not mine.in_use()  # this process's own lock is no other run
    mine.close()


def test_a_run_into_a_folder_another_run_computes_into_is_refused_for_that_first(tmp_path, capsys):
    """Was: "holds an interrupted run's 1 finished patient ... remove D/patients to start afresh" while
    a live run computes into D.  Control: the same folder without the lock held gets that message."""
    import os

    from refusals import ROOT

    from painsim.cli import main
    out = tmp_path / "D"
    _stored_cohort(out / "patients")
    cohort = str(ROOT / "experiments" / "rtms_cohort.toml")
    fd = _held(out / "patients" / ".lock")
    try:
        assert main(["run", cohort, "--out", str(out)]) == 2
    finally:
        os.close(fd)
    err = capsys.readouterr().err
    assert "another run is using this one now, computing into" in err and "interrupted" not in err, err
    assert main(["run", cohort, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "interrupted run's 1 finished patient" in err and "computing into" not in err, err


def test_starting_afresh_does_not_promise_that_resume_continues_another_seed(tmp_path, capsys):
    """Was: "... are removed; --resume continues them instead", untrue for a run with another --seed."""
    import argparse
    import os

    from painsim.cli.options import _store_options
    store = tmp_path / "D" / "patients"
    _stored_cohort(store)
    result = tmp_path / "D" / "results.nc"
    result.write_text("a finished run's result")
    os.utime(store / "patient_000000.nc", ns=(1, 1))  # written before the result: a finished run's
    _store_options(argparse.Namespace(resume=False), store)
    said = capsys.readouterr().out
    assert "starting afresh" in said and "continues them instead" not in said
    assert "with the same file, --seed and --set, --resume would have reused them" in said
    assert not store.exists()


# ---------------------------------------------------------------- a quick double Ctrl-C
_DOUBLE_CTRL_C = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal (a test runner may ignore it)
sys.argv = ["painsim", "sweep", {spec!r}, "--workers", "2", "--out", {out!r}]
from painsim.cli import main
sys.exit(main())
"""


def _marked(mark: str) -> list[str]:
    """Processes whose environment holds ``mark`` (the program and every worker it started)."""
    import os
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if mark.encode() in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


@pytest.mark.skipif(not __import__("os").path.isdir("/proc"), reason="needs /proc to find the workers")
def test_a_quick_double_ctrl_c_stops_quietly_and_leaves_no_process(tmp_path):
    """Was: the second SIGINT, 10 ms after the first, interrupted the orderly stop (joining the pool's
    thread at exit): "Exception ignored in: <module 'threading'> ... KeyboardInterrupt".  Now the
    program says it was interrupted, exits 130 without a traceback, and no worker outlives it."""
    import os
    import signal
    import subprocess
    import sys
    import time
    spec = _small(tmp_path, duration="1 s", rates='"10 Hz", "20 Hz", "50 Hz", "100 Hz", "150 Hz", "200 Hz"')
    spec.write_text(spec.read_text().replace("batch_size = 2", "batch_size = 1"))
    mark = f"PAINSIM_DOUBLE_CTRL_C_{os.getpid()}_{time.time_ns()}"
    env = {**os.environ, "PAINSIM_TARGET": "numpy", "PAINSIM_TEST_MARK": mark,
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    script = _DOUBLE_CTRL_C.format(spec=str(spec), out=str(tmp_path / "out"))
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert "painsim: sweep 'small'" in proc.stdout.readline()  # the sweep has started
        deadline = time.time() + 60  # the workers are computing: the first points are being written
        while time.time() < deadline and len(_marked(mark)) < 3:
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted; finished points are kept" in err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    deadline = time.time() + 10
    while time.time() < deadline and _marked(mark):
        time.sleep(0.1)
    assert _marked(mark) == []


def test_main_called_with_arguments_keeps_the_callers_sigint_handler(tmp_path, monkeypatch):
    """The quiet second Ctrl-C is the program's (argv None): a caller's ``main([...])`` (interrupted or
    not) leaves its own SIGINT handler as it was; the program's handler is restored after a command
    that was not interrupted."""
    import signal

    from painsim.cli import main
    before = signal.getsignal(signal.SIGINT)
    assert main(["models"]) == 0
    assert signal.getsignal(signal.SIGINT) is before
    monkeypatch.setattr("sys.argv", ["painsim", "models"])
    monkeypatch.setattr(signal, "getsignal", lambda s: signal.default_int_handler)  # as in the program
    installed = []
    real = signal.signal
    monkeypatch.setattr(signal, "signal", lambda s, h: installed.append(h) or real(s, before))
    assert main() == 0
    assert installed[0].__name__ == "_stop_once" and installed[-1] is before


_UNUSED_OBJECT = """
import gc, sys
import brian2 as b2
import painsim.cli as cli
held = []
def command(args):
    held.append(b2.NeuronGroup(1, "dv/dt = -v / (10*ms) : 1"))  # built, never run (a stopped course)
    if {interrupt}:
        raise KeyboardInterrupt
    return 0
cli.cmd_models = command
sys.argv = ["painsim", "models"]
rc = cli.main()
held.clear()
gc.collect()
sys.exit(rc)
"""


@pytest.mark.parametrize("interrupt, warned", [(True, False), (False, True)])
def test_an_interrupted_program_does_not_warn_of_the_brian_objects_it_left_unused(interrupt, warned):
    """Was: ~45 lines of brian2 ``unused_brian_object`` warnings after a cohort's "interrupted" line.
    Control: a command that ends normally still gets brian2's warning (only the interrupt path is quiet)."""
    import os
    import subprocess
    import sys
    env = {**os.environ, "PAINSIM_TARGET": "numpy",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", _UNUSED_OBJECT.format(interrupt=interrupt)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == (130 if interrupt else 0), proc.stderr
    assert ("unused_brian_object" in proc.stderr) == warned, proc.stderr
