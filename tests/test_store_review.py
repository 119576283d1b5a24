"""The sweep and cohort store under damage and contention (review fixes): item files cut short
or emptied after they were written, two runs on one store, a cut-off last event line, and a
sweep function that calls ``sys.exit()``.

Cheap ``kind = "function"`` sweeps, in this process (``workers=0``) unless a worker process is
the point."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import xarray as xr

from painsim.errors import ParameterError, SpecError
from painsim.parallel import PATIENT_LAYOUT, ResultStore, run_batches
from painsim.parallel.executor import TaskExit
from painsim.sweep import load_sweep, make_spec, run_sweep
from refusals import refused

#: Points at which :func:`linear` misbehaves: {"interrupt": x} raises KeyboardInterrupt there.
TRAPS: dict = {}


def linear(params, seed):
    """A toy model (module level: worker processes import it)."""
    if params["x"] == TRAPS.get("interrupt"):
        raise KeyboardInterrupt
    return {"y": 2.0 * params["x"] + seed % 7}


def exits(params, seed):
    """Calls sys.exit() at x = 3 (a script's habit), else as :func:`linear`."""
    if params["x"] == 3:
        sys.exit(3)
    return {"y": 2.0 * params["x"] + seed % 7}


def ragged(params, seed):
    """An outcome of another shape at every point: the sweep raises when it gathers them."""
    return {"y": np.zeros(int(params["x"]))}


def _spec(function=linear, xs=(1, 2, 3, 4)):
    return {"kind": "function", "function": function, "parameters": {"x": list(xs)}, "outcomes": ["y"]}


def _sweep(store, function=linear, resume=False, workers=0, **kw):
    return run_sweep(_spec(function, **kw), store=store, workers=workers, batch_size=8, resume=resume,
                     progress=False)


def _events(store, kind):
    return [e for e in ResultStore(store).read_events() if e.get("event") == kind]


# ------------------------------------------------------------------ 1. unreadable item files
@pytest.mark.parametrize("damage", ["cut in half", "emptied"])
def test_an_unreadable_part_is_set_aside_and_computed_again(tmp_path, damage):
    store = tmp_path / "s"
    first = _sweep(store)
    with warnings.catch_warnings():  # negative control: an intact store resumes without a word
        warnings.simplefilter("error")
        xr.testing.assert_identical(_sweep(store, resume=True)["y"], first["y"])
    assert not (store / "corrupt").exists()
    part = sorted((store / "parts").glob("*.json"))[1]
    text = part.read_text()
    part.write_text(text[: len(text) // 2] if damage == "cut in half" else "")
    with pytest.warns(RuntimeWarning, match=part.name):
        again = _sweep(store, resume=True)
    assert (again["status"].values == "done").all()
    xr.testing.assert_identical(again["y"], first["y"])  # recomputed, the same values
    assert (store / "corrupt" / part.name).is_file()  # kept for inspection, not deleted
    assert json.loads(part.read_text())["attrs"]["point"] == 1  # a readable part in its place
    [event] = _events(store, "corrupt")
    assert event["item"] == [1, 0] and event["moved_to"] == f"corrupt/{part.name}"


def test_a_store_read_back_leaves_an_unreadable_part_pending(tmp_path):
    """load_sweep reads (it moves nothing): the unreadable point is pending, the others done."""
    store = tmp_path / "s"
    _sweep(store)
    part = sorted((store / "parts").glob("*.json"))[2]
    part.write_text("")
    with pytest.warns(RuntimeWarning, match=part.name):
        ds = load_sweep(store)
    assert list(ds["status"].values.ravel()) == ["done", "done", "pending", "done"]
    assert part.is_file() and not (store / "corrupt").exists()


@pytest.mark.parametrize("keep", [1 / 3, 0.0])
def test_an_unreadable_patient_is_set_aside_and_not_resumed(tmp_path, keep):
    st = ResultStore(tmp_path, PATIENT_LAYOUT)
    st.open_items(["a", "b", "c"], resume=False)
    for k, fp in enumerate(["a", "b", "c"]):
        st.write([k], xr.Dataset({"y": ("t", np.arange(3.0) + k)}), fingerprint=fp)
    damaged = st.file(1)
    damaged.write_bytes(damaged.read_bytes()[: int(damaged.stat().st_size * keep)])
    with pytest.warns(RuntimeWarning, match=damaged.name):
        found = ResultStore(tmp_path, PATIENT_LAYOUT).open_items(["a", "b", "c"], resume=True)
    assert sorted(found) == [0, 2] and float(found[2]["y"][0]) == 2.0  # the intact ones, as stored
    assert (tmp_path / "corrupt" / damaged.name).is_file() and not damaged.exists()
    assert st.done() == {(0,), (2,)}
    # negative control: an intact patient of another fingerprint is still refused, not set aside
    with pytest.raises(ParameterError, match="patient 2"):
        ResultStore(tmp_path, PATIENT_LAYOUT).open_items(["a", "b", "other"], resume=True)
    assert st.file(2).is_file()


# ------------------------------------------------------------------ 6. one run per store
def _holder(store, key):
    """Another process that opens the store ``store`` (a sweep of fingerprint ``key``) and keeps it
    open until killed; returns when it holds it."""
    script = textwrap.dedent(f"""
        import sys, time
        from painsim.parallel import ResultStore
        store = ResultStore({str(store)!r})
        store.open({key!r}, {{}}, resume=True)
        print("holding", flush=True)
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    line = proc.stdout.readline()
    assert line.strip() == "holding", proc.stderr.read()
    return proc


def _other_process_opens(store, key) -> bool:
    """Whether another process can open the store now (its lock is free)."""
    script = f"from painsim.parallel import ResultStore; ResultStore({str(store)!r}).open({key!r}, {{}}, resume=True)"
    return subprocess.run([sys.executable, "-c", script], capture_output=True).returncode == 0


def test_a_store_another_run_is_using_is_refused_until_that_run_dies(tmp_path):
    store, key = tmp_path / "s", make_spec(_spec()).key()
    holder = _holder(store, key)
    try:
        live = store / "parts" / ".p0000000_r0000.json.x1y2.tmp"
        live.write_text("being written by the other run")
        error = refused(lambda: _sweep(store, resume=True), "store", SpecError)
        assert str(store) in str(error) and "another sweep is using" in str(error)
        assert live.is_file()  # the other run's temporary is left alone
        assert not list((store / "parts").glob("*.json"))  # nothing computed
    finally:
        holder.send_signal(signal.SIGKILL)  # a crash: the kernel releases its lock
        holder.wait()
    ds = _sweep(store, resume=True)  # negative control: the resume after the crash runs
    assert (ds["status"].values == "done").all()
    assert not live.exists() and not (store / ".lock").exists()


def test_the_lock_is_released_when_a_run_ends_however_it_ends(tmp_path, monkeypatch):
    key = make_spec(_spec()).key()
    done = tmp_path / "done"
    _sweep(done)
    assert _other_process_opens(done, key) and not (done / ".lock").exists()
    failing = tmp_path / "raised"
    with pytest.raises(SpecError, match="shape"):
        _sweep(failing, function=ragged)
    assert _other_process_opens(failing, make_spec(_spec(ragged)).key())
    stopped = tmp_path / "interrupted"
    monkeypatch.setitem(TRAPS, "interrupt", 3)
    with pytest.raises(KeyboardInterrupt):
        _sweep(stopped)
    assert _other_process_opens(stopped, key)
    monkeypatch.delitem(TRAPS, "interrupt")
    ds = _sweep(stopped, resume=True)  # --resume in the same process
    assert (ds["status"].values == "done").all()


def test_stores_open_on_one_folder_in_one_process_share_its_lock(tmp_path):
    """The lock keeps other processes out; in one process a store opened again shares it, and
    the last one closed releases it."""
    first = ResultStore(tmp_path / "s")
    first.open("key", {}, resume=False)
    second = ResultStore(tmp_path / "s")
    second.open("key", {}, resume=True)
    assert not _other_process_opens(tmp_path / "s", "key")
    first.close()
    assert not _other_process_opens(tmp_path / "s", "key")
    second.close()
    assert _other_process_opens(tmp_path / "s", "key") and not (tmp_path / "s" / ".lock").exists()


# ------------------------------------------------------------------ 7. a cut-off last event line
def test_an_event_after_a_cut_off_line_is_not_lost(tmp_path):
    store = tmp_path / "s"
    _sweep(store)
    events = store / "events.jsonl"
    lines = events.read_text().splitlines()
    events.write_text("\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2])  # killed mid-line
    _sweep(store, resume=True)  # logs the cut-off event again ("recovered")
    done = _events(store, "done")
    assert sorted((e["point"], e["repeat"]) for e in done) == [(i, 0) for i in range(4)]
    assert sum(bool(e.get("recovered")) for e in done) == 1
    # negative control: a complete log gains its events and no blank line
    n = len(events.read_text().splitlines())
    ResultStore(store).log({"event": "note"})
    assert len(events.read_text().splitlines()) == n + 1 and "\n\n" not in events.read_text()


# ------------------------------------------------------------------ 8. sys.exit() in a sweep function
@pytest.mark.parametrize("workers", [0, 2])
def test_sys_exit_in_a_sweep_function_fails_that_point_only(tmp_path, workers):
    ds = _sweep(tmp_path / "s", function=exits, workers=workers, xs=(1, 2, 3, 4, 5))
    status = ds["status"].values.ravel()
    assert list(status) == ["done", "done", "failed", "done", "done"]  # x = 3 only
    assert "sys.exit(3)" in str(ds["error"].values.ravel()[2])
    assert np.isnan(ds["y"].values.ravel()[2]) and not np.isnan(np.delete(ds["y"].values.ravel(), 2)).any()


def _exits_at_two(batch):
    if 2 in batch:
        sys.exit(0)
    return [b * 10 for b in batch]


def test_an_executor_task_that_exits_fails_its_item_not_the_run():
    results, errors = {}, {}
    run_batches(_exits_at_two, [[1, 2, 3], [4]], lambda b, r: results.update(zip(b, r)), workers=0,
                on_error=lambda b, e: errors.update({it: e for it in b}))
    assert results == {1: 10, 3: 30, 4: 40}  # the other items of the exiting batch complete
    assert list(errors) == [2] and isinstance(errors[2], TaskExit)
    with pytest.raises(TaskExit):  # without on_error, raised as an error (the run does not exit)
        run_batches(_exits_at_two, [[2]], lambda b, r: None, workers=0)
