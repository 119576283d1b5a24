"""Private caches of workers and processes sharing a folder (review): an unusable
``$PAINSIM_WORKER_CACHE`` refused by name and never half-used, folders that other hosts and
containers (same pid) cannot collide with, stale folders of killed workers removed (of this host
only), and a fibre cache that cannot be written costing only its reuse."""
from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import warnings

import numpy as np
import pytest

from painsim.circuits import standalone_cache as sc
from painsim.fibers import cache as fcache
from painsim.sweep import evaluate
from refusals import refused


@pytest.fixture
def worker(monkeypatch):
    """A fresh worker process: no folder set up yet, brian2's preferences left alone (the
    folders handed to ``use_private_cache`` are recorded instead)."""
    used = []
    monkeypatch.setattr(evaluate, "_WORKER_DIR", None)
    monkeypatch.setattr(evaluate, "use_private_cache", used.append)
    return used


def _host(monkeypatch, name: str) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: name)


def _under_a_file(tmp_path):
    (tmp_path / "a_file").write_text("not a folder")
    return tmp_path / "a_file" / "cache"


# -- 2. an unusable $PAINSIM_WORKER_CACHE ---------------------------------------------------------

def test_unusable_worker_cache_is_refused_before_any_work(monkeypatch, tmp_path):
    """The parent's check names the variable, its value and what is allowed; a usable folder
    (created if missing) passes and is left empty, and a function sweep does not use it."""
    bad = _under_a_file(tmp_path)
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(bad))
    e = refused(lambda: evaluate.check_worker_cache("simulate"), "PAINSIM_WORKER_CACHE", allowed=True)
    assert e.value == str(bad) and str(bad) in str(e) and "unset" in e.allowed
    assert evaluate.check_worker_cache("function") is None  # function sweeps compile nothing
    good = tmp_path / "new" / "cache"
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(good))
    assert evaluate.check_worker_cache("simulate") == good and good.is_dir() and not any(good.iterdir())
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", "")
    assert evaluate.check_worker_cache("simulate") is None


def test_unusable_worker_cache_fails_every_batch_not_only_the_first(monkeypatch, tmp_path, worker):
    """A worker whose folder cannot be made fails at each batch (never falling back to the shared
    cache for later ones, which made results depend on the worker count); a usable folder is
    set up once and kept."""
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(_under_a_file(tmp_path)))
    for _ in range(2):
        refused(lambda: evaluate.prepare_worker("simulate"), "PAINSIM_WORKER_CACHE", allowed=True)
        assert evaluate._WORKER_DIR is None and worker == []
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(tmp_path / "ok"))
    evaluate.prepare_worker("simulate")
    first = evaluate._WORKER_DIR
    evaluate.prepare_worker("simulate")  # idempotent per process
    assert first is not None and first.parent == tmp_path / "ok" and first.is_dir()
    assert evaluate._WORKER_DIR == first and worker == [first]


# -- 3. names that other hosts and containers with the same pid cannot take -----------------------

def test_worker_folders_differ_between_hosts_and_namespaces_with_the_same_pid(monkeypatch, tmp_path, worker):
    """Workers with the same pid on two hosts, or in two PID namespaces of one host, get folders
    of their own; each name says its host and pid, and lies in the shared folder."""
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(tmp_path))
    monkeypatch.setattr(os, "getpid", lambda: 4242)
    folders = []
    for host in ("node-a", "node-b", "node-b"):
        _host(monkeypatch, host)
        monkeypatch.setattr(evaluate, "_WORKER_DIR", None)
        evaluate.prepare_worker("simulate")
        folders.append(evaluate._WORKER_DIR)
        assert evaluate._WORKER_DIR.name.startswith(f"worker-{sc.host_label()}-4242-")  # host (and PID namespace)
    assert len(set(folders)) == 3 and all(f.is_dir() and f.parent == tmp_path for f in folders)
    assert worker == folders


def test_standalone_private_and_temporary_names_differ_between_hosts(monkeypatch, tmp_path):
    """Project folders and the temporary names of a published binary and of a note hold the
    host and a token of the process besides the pid; the published names stay as before (so
    existing caches stay valid) and no temporary is left."""
    monkeypatch.setenv("PAINSIM_STANDALONE_DIR", str(tmp_path))
    monkeypatch.setattr(os, "getpid", lambda: 4242)
    monkeypatch.setattr(sc, "_created", set())
    names = []
    for host in ("node-a", "node-b", "node-b"):  # the last: another PID namespace of node-b
        _host(monkeypatch, host)
        monkeypatch.setattr(sc, "_claimed", set())  # another process
        monkeypatch.setattr(sc, "_token", None, raising=False)
        names.append(sc._claim_directory("abcdef0123456789").name)
        assert names[-1].startswith(f"abcdef0123456789-{sc.host_label()}-4242-")
    assert len(set(names)) == 3
    assert sc._claim_directory("abcdef0123456789").name == names[-1] + "-1"  # same process: numbered

    moved = []
    real_rename, real_replace = os.rename, os.replace
    monkeypatch.setattr(os, "rename", lambda a, b: (moved.append(str(a)), real_rename(a, b))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (moved.append(str(a)), real_replace(a, b))[1])
    binary = tmp_path / "main"
    binary.write_text("binary")
    sc._publish(binary, tmp_path / "bin" / "c0de")
    sc._note_binary("abcdef0123456789", {"generators": 16}, "c0de")
    assert len(moved) == 2 and all(f"{sc.host_label()}-4242-" in m for m in moved)
    assert [p.name for p in (tmp_path / "bin").iterdir()] == ["c0de"]
    assert (tmp_path / "bin" / "c0de" / "main").read_text() == "binary"
    assert [p.name for p in (tmp_path / "keys" / "abcdef0123456789").iterdir()] == ["c0de"]
    assert sc._noted("abcdef0123456789") == [({"generators": 16}, "c0de")]


# -- 4. stale folders of killed workers ------------------------------------------------------------

def test_stale_worker_folders_of_this_host_are_removed_and_no_others(monkeypatch, tmp_path, worker):
    """A new worker removes the folders of this host whose process is gone (killed workers never
    run their exit clean-up); folders of live processes, of other hosts (also one whose name
    extends this host's) and of earlier versions are kept."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _host(monkeypatch, "node")
        node = sc.host_label()  # "node", with this PID namespace where there is one
        ns = node[len("node"):]
        names = {"dead": f"worker-{node}-{dead.pid}-abc_12", "live": f"worker-{node}-{live.pid}-abc_12",
                 "other host": f"worker-node2{ns}-{dead.pid}-abc_12",
                 "longer host": f"worker-node-{dead.pid}{ns}-{dead.pid}-abc_12",  # host "node-<pid>"
                 "old style": f"worker-{dead.pid}"}
        for name in names.values():
            (tmp_path / name / "cython").mkdir(parents=True)
        monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(tmp_path))
        evaluate.prepare_worker("simulate")
    finally:
        live.kill()
        live.wait()
    left = {p.name for p in tmp_path.iterdir()}
    assert names["dead"] not in left
    assert {names[k] for k in ("live", "other host", "longer host", "old style")} <= left
    assert evaluate._WORKER_DIR.name in left


# -- 5. a fibre cache that cannot be written --------------------------------------------------------

def _spikes():
    return np.arange(5.0), np.arange(5)


def test_unwritable_fibre_cache_returns_the_result_and_warns_once(monkeypatch, tmp_path):
    """A cache folder under a regular file: the computed spikes are returned, with one warning
    naming the folder and $PAINSIM_CACHE; a writable folder keeps the file without a warning."""
    monkeypatch.setattr(fcache, "_unwritable", set(), raising=False)
    bad = _under_a_file(tmp_path)
    monkeypatch.setenv("PAINSIM_CACHE", str(bad))
    with pytest.warns(UserWarning) as rec:
        t, i = fcache.cached_spikes("a" * 32, None, _spikes)
    assert len(rec) == 1 and str(bad) in str(rec[0].message) and "PAINSIM_CACHE" in str(rec[0].message)
    assert np.array_equal(t, _spikes()[0]) and np.array_equal(i, _spikes()[1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fcache.cached_spikes("b" * 32, None, _spikes)  # the same folder: warned once
        good = tmp_path / "fibers"
        fcache.cached_spikes("a" * 32, good, _spikes)
    assert [p.name for p in good.iterdir()] == [f"spikes_{'a' * 32}.npz"]
    fcache.cached_spikes("a" * 32, good, lambda: pytest.fail("recomputed"))
    assert fcache.cache_info["last_hit"] is True


def test_full_disk_leaves_no_temporary_file(monkeypatch, tmp_path):
    """Writing fails with ENOSPC: the computed spikes are returned with a warning and the folder
    holds no temporary file; once writing works again the file is stored."""
    monkeypatch.setattr(fcache, "_unwritable", set(), raising=False)
    real = np.savez

    def full(fh, **arrays):
        fh.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez", full)
    with pytest.warns(UserWarning, match="No space left"):
        t, _ = fcache.cached_spikes("c" * 32, tmp_path, _spikes)
    assert np.array_equal(t, _spikes()[0]) and list(tmp_path.iterdir()) == []
    assert fcache.cache_info["last_path"] is None
    monkeypatch.setattr(np, "savez", real)
    fcache.cached_spikes("c" * 32, tmp_path, _spikes)
    assert [p.name for p in tmp_path.iterdir()] == [f"spikes_{'c' * 32}.npz"]


def test_other_errors_of_the_computation_still_raise(tmp_path):
    """Only writing is forgiven: an error of the computation itself reaches the caller."""
    def broken():
        raise OSError(errno.EIO, "input/output error of the computation")

    with pytest.raises(OSError, match="computation"):
        fcache.cached_spikes("d" * 32, tmp_path, broken)
    assert list(tmp_path.iterdir()) == []


def test_an_unusable_worker_cache_is_refused_before_a_sweep_or_validation_starts(tmp_path, monkeypatch):
    """The parent did not check $PAINSIM_WORKER_CACHE: with workers every batch failed on it while
    workers=0 (which never prepares a worker) succeeded, so results depended on the worker count."""
    from painsim import validation
    from painsim.errors import ParameterError
    from painsim.sweep import run_sweep

    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    spec = {"name": "s", "duration": "0.1 s", "outcomes": ["pn_rate"], "parameters": {"noxious": [0.1, 0.2]}}
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(blocker / "cache"))
    monkeypatch.setattr("painsim.sweep.run.run_batches", lambda *a, **k: pytest.fail("work started"))
    for call in (lambda: run_sweep(spec, workers=0, store=tmp_path / "store", progress=False),
                 lambda: validation.validate(["gate_on_c_heat"], store=tmp_path / "v")):
        with pytest.raises(ParameterError, match="PAINSIM_WORKER_CACHE"):
            call()
    # negative control: a usable folder passes the check and the sweep reaches its work
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(tmp_path / "usable"))
    with pytest.raises(pytest.fail.Exception, match="work started"):
        run_sweep(spec, workers=0, store=tmp_path / "store2", progress=False)
