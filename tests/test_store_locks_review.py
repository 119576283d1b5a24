"""Stores of items under contention and kills (a review, /tmp/rev_resume): cohort and validation
stores take the store's lock as sweeps do (a second run on one store at the same time is refused
before any work; the lock goes when the run ends, however it ends), a cohort store of another model
variant is refused naming ``--set``, and a replaced ``result.zarr`` leaves only temporaries the
store's clean-up removes, whatever moment a kill picks.

Courses and validation targets are cheap stand-ins; "another process" is a small subprocess that
holds the store (always killed at the end of its test)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from painsim import cohort, io, validation
from painsim.cli import main
from painsim.errors import SpecError
from painsim.params import overriding
from painsim.parallel import PATIENT_LAYOUT, ResultStore
from painsim.sweep import results as sweep_results
from painsim.sweep import run_sweep
from painsim.validation import run as validation_run
from painsim.validation import targets as validation_targets
from painsim.validation.targets import Target
from refusals import WorkStarted, refused

RUN = sys.modules["painsim.cohort.run"]
PROTOCOL = "rtms_m1_20hz"
#: The relief day of the stand-in courses (_course).
DAY = 4


# ------------------------------------------------------------------ stand-ins and other processes
def _course(relief=10.0):
    """A course result as course_task returns it: relief (%) on days 0 and 4."""
    return xr.Dataset({"relief": (("day",), [0.0, relief], {"units": "%"}), "baseline_pain": 5.0},
                      coords={"day": [0.0, 4.0]})


@pytest.fixture
def courses(monkeypatch):
    """course_task replaced (no simulation): records each batch's seeds; a seed in ``stop`` raises
    KeyboardInterrupt (Ctrl-C in the middle of its batch)."""
    calls, stop = [], set()

    def fake(models, protocol, seeds, kw):
        if stop & set(seeds):
            raise KeyboardInterrupt
        calls.append(list(seeds))
        return [_course() for _ in models]

    monkeypatch.setattr(RUN, "course_task", fake)
    return types.SimpleNamespace(calls=calls, stop=stop)


@pytest.fixture
def targets(monkeypatch):
    """Two stand-in validation targets; ``calls`` counts measurements, a name in ``stop`` raises
    KeyboardInterrupt when it is measured."""
    calls, stop = {"A": 0, "B": 0}, set()

    def measuring(name, value):
        def measure(seed):
            if name in stop:
                raise KeyboardInterrupt
            calls[name] += 1
            return value + seed
        return measure

    made = tuple(Target(n, f"stand-in {n}", 1.0, None, None, "1", "none", "prediction", "fast", measuring(n, v))
                 for n, v in (("A", 10.0), ("B", 20.0)))
    monkeypatch.setattr(validation_targets, "TARGETS", made)
    monkeypatch.setattr(validation_run, "TARGETS", made)
    return types.SimpleNamespace(calls=calls, stop=stop)


#: Another process's run on a store of items: it opens (resumes) whatever the store keeps, holding
#: it, and says so; with "once" it exits at once (0: it could open the store).  It runs the code of
#: this process, whose source digest was read once, at its start: the store's code record stands for
#: it (a source file edited since would otherwise make it refuse the store for its code).
_HOLDER = textwrap.dedent("""
    import json, sys, time
    from painsim.parallel import PATIENT_LAYOUT, ResultStore, store
    from painsim.validation.run import TARGET_LAYOUT
    folder, kind, mode = sys.argv[1:4]
    layout = {"patients": PATIENT_LAYOUT, "targets": TARGET_LAYOUT}[kind]
    st = ResultStore(folder, layout)
    if st.code.is_file():
        store.code_fingerprint = lambda: json.loads(st.code.read_text())
    kept = {key[0]: st.read(*key).attrs[layout.fingerprint_attr] for key in st.done()}
    st.open_items([kept.get(k, "") for k in range(max(kept, default=-1) + 1)], resume=True)
    if mode == "hold":
        print("holding", flush=True)
        time.sleep(600)
""")


@pytest.fixture
def holder():
    """``holder(store, kind)`` starts another process that holds the store (``kind``: "patients"
    or "targets") and returns when it does; every one is killed at the end of the test."""
    procs = []

    def start(store, kind):
        proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(store), kind, "hold"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        line = proc.stdout.readline()
        assert line.strip() == "holding", proc.stderr.read()
        return proc

    yield start
    for proc in procs:
        _crash(proc)


def _crash(proc) -> None:
    """Kill ``proc`` as a crash would (SIGKILL: the kernel releases its lock) and reap it."""
    proc.kill()
    proc.communicate()


def _other_process_opens(store, kind) -> bool:
    """Whether another process can open the store now (no run holds it)."""
    return subprocess.run([sys.executable, "-c", _HOLDER, str(store), kind, "once"],
                          capture_output=True).returncode == 0


def _cohort(n, seed=1):
    return cohort.sample(n, seed=seed)


# ------------------------------------------------------------------ 1. one run per store of items
@pytest.mark.parametrize("case", ["a second cohort with another seed", "a resume of the same cohort"])
def test_a_cohort_store_another_process_uses_is_refused_before_any_work(tmp_path, courses, holder, case):
    store, table = tmp_path / "patients", _cohort(3)
    resume = case.startswith("a resume")
    if resume:
        cohort.run(table.iloc[:2], PROTOCOL, day=DAY, store=store)
        courses.calls.clear()
    other = holder(store, "patients")
    live = store / ".patient_000002.nc.a1b2c3.tmp"  # the other run's patient being written
    live.write_text("half written")
    seeds = None if resume else [7, 8, 9]
    error = refused(lambda: cohort.run(table, PROTOCOL, day=DAY, seeds=seeds, store=store, resume=resume),
                    "store", SpecError)
    assert str(store) in str(error) and "another cohort is using this one now" in str(error)
    assert courses.calls == []  # no course ran
    assert live.is_file()  # nothing of the other run's is removed
    assert sorted(p.name for p in store.glob("patient_*.nc")) == [f"patient_00000{k}.nc" for k in range(2 * resume)]
    # negative control: once the other run died (a crash), the store is this run's
    _crash(other)
    out = cohort.run(table, PROTOCOL, day=DAY, seeds=seeds, store=store, resume=resume)
    assert len(out) == 3 and sum(courses.calls, []) == (table.seed.tolist()[2:] if resume else [7, 8, 9])
    assert not live.exists() and not (store / ".lock").exists()


def test_a_validation_store_another_process_uses_is_refused_before_any_measurement(tmp_path, targets, holder):
    """`painsim validate ... --resume` beside a running one on the same --out measured every target
    twice (the reviewer's concurrent_validate.sh)."""
    store = tmp_path / "targets"
    validation.validate(["A"], seed=1, store=store)
    other = holder(store, "targets")
    error = refused(lambda: validation.validate(["A", "B"], seed=1, store=store, resume=True), "store", SpecError)
    assert str(store) in str(error) and "another validation run is using this one now" in str(error)
    assert targets.calls == {"A": 1, "B": 0}
    assert validation.kept_targets(store) == 1 and (store / "code.json").is_file()  # the kept work stays
    _crash(other)
    ds = validation.validate(["A", "B"], seed=1, store=store, resume=True)  # negative control
    assert targets.calls == {"A": 1, "B": 1} and list(ds["model"].values) == [11.0, 21.0]


def test_the_lock_of_a_cohort_goes_when_it_ends_however_it_ends(tmp_path, courses):
    table = _cohort(4)
    done = tmp_path / "done"
    cohort.run(table, PROTOCOL, day=DAY, store=done, batch_size=2)
    assert _other_process_opens(done, "patients") and not (done / ".lock").exists()
    stopped = tmp_path / "stopped"
    courses.stop.add(int(table.seed.iloc[3]))
    with pytest.raises(KeyboardInterrupt):
        cohort.run(table, PROTOCOL, day=DAY, store=stopped, batch_size=2)
    assert _other_process_opens(stopped, "patients") and not (stopped / ".lock").exists()
    refused(lambda: cohort.run(table, PROTOCOL, day=5, store=stopped, resume=True), "store")  # another cohort
    assert _other_process_opens(stopped, "patients")  # a refusal releases it too
    courses.stop.clear()
    courses.calls.clear()
    out = cohort.run(table, PROTOCOL, day=DAY, store=stopped, resume=True, batch_size=2)  # --resume, in this process
    assert len(out) == 4 and sum(courses.calls, []) == table.seed.tolist()[2:]


def test_the_lock_of_a_validation_run_goes_when_it_ends_however_it_ends(tmp_path, targets):
    store = tmp_path / "targets"
    targets.stop.add("B")
    with pytest.raises(KeyboardInterrupt):
        validation.validate(["A", "B"], seed=1, store=store)
    assert _other_process_opens(store, "targets") and not (store / ".lock").exists()
    targets.stop.clear()
    ds = validation.validate(["A", "B"], seed=1, store=store, resume=True)  # --resume, in this process
    assert targets.calls == {"A": 1, "B": 1} and list(ds["model"].values) == [11.0, 21.0]
    assert _other_process_opens(store, "targets") and not (store / ".lock").exists()


def test_stores_of_items_open_on_one_folder_in_one_process_share_its_lock(tmp_path):
    """Negative control of the refusal: this process reopening its own store is not refused."""
    first = ResultStore(tmp_path / "s", PATIENT_LAYOUT)
    first.open_items(["a"], resume=False)
    second = ResultStore(tmp_path / "s", PATIENT_LAYOUT)
    second.open_items(["a"], resume=True)
    assert not _other_process_opens(tmp_path / "s", "patients")
    first.close()
    assert not _other_process_opens(tmp_path / "s", "patients")
    second.close()
    assert _other_process_opens(tmp_path / "s", "patients") and not (tmp_path / "s" / ".lock").exists()


def test_an_empty_store_another_process_uses_is_not_removed_under_it(tmp_path, holder):
    """A refused run's clean-up (kept_targets, remove_if_empty) removed the code record that the run
    using the store writes before its first item."""
    store = tmp_path / "targets"
    other = holder(store, "targets")
    (store / "code.json").write_text("{}")  # the other run's first target is on its way
    assert validation.kept_targets(store) == 0
    assert (store / "code.json").is_file()
    _crash(other)
    assert validation.kept_targets(store) == 0 and not store.exists()  # negative control: removed now


# ------------------------------------------------------------------ 2. a cohort of another model variant
def test_a_cohort_store_of_another_model_variant_is_refused_naming_it(tmp_path, courses):
    table, store = _cohort(2), tmp_path / "patients"
    cohort.run(table, PROTOCOL, day=DAY, store=store)
    with overriding({"dorsal_horn.synapse.c_gain": 0.5}):
        error = refused(lambda: cohort.run(table, PROTOCOL, day=DAY, store=store, resume=True), "store")
    assert "patient 0 differs" in str(error) and "model variant (--set)" in str(error)
    courses.calls.clear()
    out = cohort.run(table, PROTOCOL, day=DAY, store=store, resume=True)  # negative control: the same cohort resumes
    assert len(out) == 2 and courses.calls == []


# ------------------------------------------------------------------ 3. result.zarr replaced, killed
class Killed(BaseException):
    """Stands for SIGKILL at one moment of writing the result."""


def linear(params, seed):
    return {"y": 2.0 * params["x"] + seed % 7}


@pytest.fixture
def fake_zarr(monkeypatch):
    """zarr is optional: the sweep's check finds a module, and Dataset.to_zarr writes a folder
    holding what was written (its n_done)."""
    monkeypatch.setitem(sys.modules, "zarr", types.ModuleType("zarr"))

    def to_zarr(self, path, mode="w", **kw):
        Path(path).mkdir(parents=True)
        (Path(path) / "zarr.json").write_text(json.dumps({"n_done": int(self.attrs["n_done"])}))

    monkeypatch.setattr(xr.Dataset, "to_zarr", to_zarr, raising=False)


def _zarr_sweep(store, resume):
    spec = {"kind": "function", "function": linear, "parameters": {"x": [1, 2, 3, 4]}, "outcomes": ["y"]}
    return run_sweep(spec, store=store, workers=0, resume=resume, progress=False, format="zarr")


def _leftovers(store: Path) -> list[str]:
    return sorted(p.name for p in store.iterdir() if p.name.startswith(".") and p.name != ".lock")


@pytest.mark.parametrize("moment", ["between the renames", "while the old result is removed"])
def test_a_kill_while_result_zarr_is_replaced_leaves_only_temporaries(tmp_path, monkeypatch, fake_zarr, moment):
    store = tmp_path / "s"
    _zarr_sweep(store, resume=False)
    # negative control: an uninterrupted replacement leaves the new result and nothing else
    _zarr_sweep(store, resume=True)
    assert _leftovers(store) == [] and (store / "result.zarr" / "zarr.json").is_file()
    with monkeypatch.context() as m:
        if moment == "between the renames":  # the old result moved aside, the new one not yet in place
            rename = Path.rename

            def killed_rename(self, target):
                if Path(target).name == "result.zarr":
                    raise Killed
                return rename(self, target)
            m.setattr(Path, "rename", killed_rename)
        else:
            def killed_rmtree(path, *args, **kw):
                raise Killed
            m.setattr(sweep_results.shutil, "rmtree", killed_rmtree)
        with pytest.raises(Killed):
            _zarr_sweep(store, resume=True)
    left = _leftovers(store)
    assert left and all(name.startswith(".result.zarr.") and name.endswith(".tmp") for name in left), left
    assert list(store.glob("**/.*.tmp"))  # what the store's opening removes (ResultStore.open)
    ds = _zarr_sweep(store, resume=True)
    assert _leftovers(store) == []
    assert json.loads((store / "result.zarr" / "zarr.json").read_text()) == {"n_done": 4}
    assert (ds["status"].values == "done").all() and np.isfinite(ds["y"].values).all()



# ------------------------------------------------------------------ 4. a rerun afresh on a store in use
def _finished_cohort_folder(out, n=2):
    """A finished cohort's folder: its results.nc and the ``n`` patients it kept (readable, each with
    its fingerprint), written before the result (so that a plain rerun starts afresh)."""
    store = out / "patients"
    store.mkdir(parents=True)
    (store / "code.json").write_text("{}")
    for k in range(n):
        io.save(xr.Dataset(attrs={PATIENT_LAYOUT.fingerprint_attr: f"patient {k}"}),
                ResultStore(store, PATIENT_LAYOUT).file(k))
    io.save(xr.Dataset({"x": ("i", [1.0])}, attrs={"seed": 1, "experiment_name": "rtms_cohort"}), out / "results.nc")
    later = (out / "results.nc").stat().st_mtime_ns + 10**10
    os.utime(out / "results.nc", ns=(later, later))
    return store


def test_a_rerun_afresh_does_not_remove_a_store_another_process_uses(tmp_path, holder, no_work, capsys):
    """Was: ``painsim run`` without --resume removed a finished run's store while another process (a
    --resume of the same folder) held it; now the removal takes the store's lock and is refused."""
    out = tmp_path / "out"
    store = _finished_cohort_folder(out)
    before = sorted(p.name for p in store.iterdir())
    other = holder(store, "patients")
    run = ["run", "rtms_cohort", "--n-patients", "2", "--seed", "2", "--out", str(out)]
    assert main(run) != 0
    got = capsys.readouterr()
    assert "using this one now" in got.err and "starting afresh" not in got.out
    assert sorted(p.name for p in store.iterdir() if p.name != ".lock") == before
    _crash(other)
    with pytest.raises(WorkStarted):  # negative control: with no run on it, the rerun starts afresh
        main(run)
    assert "starting afresh" in capsys.readouterr().out and not list(store.glob("patient_*.nc"))
