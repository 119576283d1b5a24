"""Bug hunt of the compiled engine (2026-12-07): threads, a binary that fails to run, the CPU in the
cache's keys, a relative ``$PAINSIM_STANDALONE_DIR``.

ONE small network structure is compiled (gate_control, 1 point, 0.2 s; ~15 s of C++ compilation)
by the module fixture into a private cache root; two runners of that structure (other seeds and
inputs) share its binary.  One test compiles it a second time: the binary it evicts from the cache
(a fake that dies of SIGILL) is compiled anew.  The others take the binary from the cache or
compile nothing (two compilations in all).
"""
import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import painsim as ps
from painsim.circuits import StandaloneNetwork, standalone, standalone_cache
from painsim.errors import EngineError
from painsim.simulation import PointsRunner
from painsim.simulation.inputs import point_input

DURATION = 0.2  # s


def _runner(seed, noxious, touch=0.0):
    m = ps.load_model("gate_control")
    return PointsRunner([ps.Request(m, None, noxious, touch, seed=seed)], DURATION, batch_size=1,
                        engine="standalone")


def _same(a, b):
    return a.spikes.keys() == b.spikes.keys() and all(
        np.array_equal(a.spikes[p][0], b.spikes[p][0]) and np.array_equal(a.spikes[p][1], b.spikes[p][1])
        for p in a.spikes)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    root = tmp_path_factory.mktemp("standalone_hunt")
    patch = pytest.MonkeyPatch()
    patch.setenv("PAINSIM_STANDALONE_DIR", str(root))
    try:
        builds = StandaloneNetwork.builds
        runners = {"a": _runner(1, 0.6), "b": _runner(2, 0.3)}  # b's arrays fit a's binary
        solo = {name: r.run()[0] for name, r in runners.items()}
        assert StandaloneNetwork.builds == builds + 1  # one structure, one binary
        assert not _same(solo["a"], solo["b"])  # a mix-up would show
        assert len(solo["a"].spikes["PN"][0]) > 5
        yield dict(root=root, runners=runners, solo=solo)
    finally:
        patch.undo()


def test_two_threads_each_get_their_own_networks_spikes(compiled, monkeypatch):
    """Two networks of one structure run at once from two threads: each returns what it returns
    alone, and the working directory is the caller's after.  brian2 runs the program from its
    project folder (a chdir of the whole process); here every program starts 0.3 s late, so the
    other thread's chdir falls in between (the hunter saw the mix-up in 2 of 8 trials unaided)."""
    real = standalone.run_tied

    def late(argv, **kw):
        if str(argv[0]).endswith("main"):
            time.sleep(0.3)
        return real(argv, **kw)
    monkeypatch.setattr(standalone, "run_tied", late)
    monkeypatch.chdir(os.getcwd())  # restored whatever happens
    cwd, barrier, results = os.getcwd(), threading.Barrier(2), {}

    def go(name):
        barrier.wait()
        results[name] = compiled["runners"][name].run()[0]
    threads = [threading.Thread(target=go, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.keys() == {"a", "b"}
    assert _same(results["a"], compiled["solo"]["a"]) and _same(results["b"], compiled["solo"]["b"])
    assert os.getcwd() == cwd


def _fake(path, line):
    path.write_text(f"#!/bin/sh\n{line}\n")
    path.chmod(0o755)


def test_a_binary_that_dies_of_sigill_is_an_engine_error_and_is_compiled_anew(compiled, tmp_path):
    """The cached binary replaced by one that kills itself with SIGILL (as a binary of another CPU
    does): the run is an EngineError naming the binary, the cache folder and PAINSIM_ENGINE=runtime
    (not brian2's RuntimeError), the binary leaves the cache, and the next run compiles anew and
    gives the spikes of the real binary.  Negative control: a program killed from outside (SIGKILL)
    is an EngineError too, but its binary stays cached."""
    [cached] = (compiled["root"] / "bin").glob("*/main")
    _fake(cached, "kill -KILL $$")
    with pytest.raises(EngineError, match="SIGKILL") as killed:
        _runner(1, 0.6).run()
    assert str(cached.parent) in str(killed.value) and "PAINSIM_ENGINE=runtime" in str(killed.value)
    assert "kill -KILL" in cached.read_text()  # kept

    _fake(cached, "kill -ILL $$")
    runner = _runner(1, 0.6)
    with pytest.raises(EngineError, match="SIGILL") as ill:
        runner.run()
    assert str(cached.parent) in str(ill.value) and "PAINSIM_ENGINE=runtime" in str(ill.value)
    assert not cached.parent.exists()  # evicted: no later network takes it
    builds = StandaloneNetwork.builds
    out = runner.run()[0]
    assert StandaloneNetwork.builds == builds + 1
    assert _same(out, compiled["solo"]["a"])
    assert cached.read_bytes()[:4] == b"\x7fELF"  # the new binary is published


def test_the_cpu_is_part_of_both_cache_keys_when_compiling_for_this_cpu(tmp_path, monkeypatch):
    """brian2 compiles with -march=native: the code hash of a project whose makefile says so, and
    the structure hash of the notes, change with the CPU (another host's binaries are not taken);
    without a -march=native the code hash does not depend on the CPU."""
    (tmp_path / "main.cpp").write_text("int main() { return 0; }\n")
    points = [point_input(ps.Request(ps.load_model("gate_control"), None, 0.6, seed=1), DURATION)]
    if not standalone_cache.cpu_identity(standalone_cache.binary_flags()):
        pytest.skip("brian2's compiler flags here do not compile for this CPU (no -march/-mcpu=native)")
    assert standalone_cache.cpu_identity(["-O3"]) == ""
    for flags, bound in (("-O3 -march=native", True), ("-O3", False)):
        (tmp_path / "makefile").write_text(f"CXXFLAGS = {flags}\n")
        here = (standalone.code_hash(tmp_path), standalone_cache._structure_hash(points, (), DURATION, 1e-4))
        with monkeypatch.context() as m:
            m.setattr(standalone_cache, "_this_cpu", lambda: "x86_64 another-cpu")
            there = (standalone.code_hash(tmp_path), standalone_cache._structure_hash(points, (), DURATION, 1e-4))
        assert (here[0] != there[0]) == bound
        assert here[1] != there[1]  # brian2's flags hold -march=native


#: a process with a relative root: runs, changes its working directory, runs again; prints what it saw
RELATIVE = textwrap.dedent("""
    import json, os, sys
    import painsim as ps
    from painsim.circuits import StandaloneNetwork
    from painsim.simulation import PointsRunner
    m = ps.load_model("gate_control")
    r = PointsRunner([ps.Request(m, None, 0.6, 0.0, seed=1)], 0.2, batch_size=1, engine="standalone")
    first = r.run()[0].spikes["PN"][0].tolist()
    os.chdir(sys.argv[1])
    second = r.run()[0].spikes["PN"][0].tolist()
    mine = [n for n in os.listdir(sys.argv[2]) if f"-{os.getpid()}-" in n]
    print(json.dumps(dict(pid=os.getpid(), builds=StandaloneNetwork.builds, hits=StandaloneNetwork.cache_hits,
                          first=first, second=second, folders=mine)))
""")


def test_a_relative_root_survives_a_change_of_directory_and_is_cleaned_up(compiled, tmp_path):
    """``PAINSIM_STANDALONE_DIR`` relative to the working directory (the fixture's root, so its
    binary is taken): a network built there runs again after the process changes directory, with
    the same spikes, and its build folder is removed at exit."""
    root = compiled["root"]
    env = dict(os.environ, PAINSIM_STANDALONE_DIR=root.name, PAINSIM_TARGET="numpy")
    proc = subprocess.run([sys.executable, "-c", RELATIVE, str(tmp_path), str(root / "build")], cwd=root.parent,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (seen["builds"], seen["hits"]) == (0, 1)
    assert seen["first"] == seen["second"] == compiled["solo"]["a"].spikes["PN"][0].tolist()
    assert len(seen["folders"]) == 1  # its build folder existed...
    assert not [n for n in os.listdir(root / "build") if re.search(rf"-{seen['pid']}-", n)]  # ...and is gone
    assert not (tmp_path / root.name).exists()
