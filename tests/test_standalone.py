"""The compiled engine (brian2 ``cpp_standalone``) equals the runtime engine, and its
binaries are compiled once per structure and cached on disk.

ONE small network is compiled (2 gate_control points, 0.2 s, dt 0.1 ms; ~15 s of C++
compilation) by the module fixture, into a private cache root shared by every test here
(``$PAINSIM_STANDALONE_DIR``); the other tests take that binary from the cache: new
efficacies (run-time arguments), other patients and a changed model parameter (data, not
code), a second process.  The test of two workers compiling at once replaces ``make``
by a copy of the fixture's binary (the collision it tests is in the directories and the
publication of the binary, not in the compiler).

Spikes are compared exactly (same neurons, same times): every drive is drawn in
numpy and replayed, brian2 draws nothing, and the Euler updates of the C++
program (``-O3 -ffast-math``) and of the numpy target gave the same spikes on
this network.  Should a compiler reorder arithmetic enough to move a threshold
crossing by one step, this test is where it shows.
"""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from brian2 import Hz, us

import painsim as ps
from painsim.circuits import StandaloneNetwork, build_networks, engine_choice
from painsim.circuits import standalone
from painsim.errors import ParameterError
from painsim.simulation import PointsRunner
from painsim.simulation.inputs import point_input

DURATION = 0.2  # s


def _requests(seed=1, model=None):
    m = model or ps.load_model("gate_control")
    scs = ps.stimulation.tonic(50 * Hz, 200 * us, 1.5, "0.2 s")
    return [ps.Request(m, None, 0.6, seed=seed), ps.Request(m, scs, 0.6, touch=0.5, seed=seed + 1)]


def _changed(outputs):
    """Efficacies of every point: A-delta -> PN x 1.6, inhibition x 0.3 (a different run)."""
    return [{"adelta_pn": 1.6 * out.weights["adelta_pn"], "inhibition": 0.3 * out.weights["inhibition"]}
            for out in outputs]


def _same_spikes(a, b):
    return all(a.spikes.keys() == b.spikes.keys()
               and np.array_equal(a.spikes[p][0], b.spikes[p][0]) and np.array_equal(a.spikes[p][1], b.spikes[p][1])
               for p in a.spikes)


def _pn(outputs):
    return [len(o.spikes["PN"][0]) for o in outputs]


def _binaries(root):
    return sorted((root / "bin").glob("*/main"))


#: a worker process: the fixture's requests on the standalone engine; prints what it did
WORKER = textwrap.dedent("""
    import json, sys
    import brian2
    if len(sys.argv) > 1:  # "compile" by copying a known binary, slowly enough that two workers overlap
        brian2.prefs.devices.cpp_standalone.make_cmd_unix = f"sh -c 'sleep 2; cp {sys.argv[1]} main' sh"
    import painsim as ps
    from brian2 import Hz, us
    from painsim.circuits import StandaloneNetwork
    from painsim.simulation import PointsRunner
    m = ps.load_model("gate_control")
    scs = ps.stimulation.tonic(50 * Hz, 200 * us, 1.5, "0.2 s")
    reqs = [ps.Request(m, None, 0.6, seed=1), ps.Request(m, scs, 0.6, touch=0.5, seed=2)]
    out = PointsRunner(reqs, 0.2, batch_size=2, engine="standalone").run()
    print(json.dumps(dict(builds=StandaloneNetwork.builds, hits=StandaloneNetwork.cache_hits,
                          pn=[o.spikes["PN"][0].tolist() for o in out])))
""")


def _worker(root, *args):
    env = dict(os.environ, PAINSIM_STANDALONE_DIR=str(root), PAINSIM_TARGET="numpy")
    return subprocess.Popen([sys.executable, "-c", WORKER, *map(str, args)], env=env, stdout=subprocess.PIPE,
                            text=True)


def _report(proc):
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    root = tmp_path_factory.mktemp("standalone")
    old = os.environ.get("PAINSIM_STANDALONE_DIR")
    os.environ["PAINSIM_STANDALONE_DIR"] = str(root)
    try:
        runtime = PointsRunner(_requests(), DURATION, batch_size=2, engine="runtime")
        builds, hits = StandaloneNetwork.builds, StandaloneNetwork.cache_hits
        standalone_runner = PointsRunner(_requests(), DURATION, batch_size=2, engine="standalone")
        first = (runtime.run(), standalone_runner.run())
        yield dict(runtime=runtime, standalone=standalone_runner, first=first, root=root, builds=builds, hits=hits)
    finally:
        if old is None:
            del os.environ["PAINSIM_STANDALONE_DIR"]
        else:
            os.environ["PAINSIM_STANDALONE_DIR"] = old


def test_standalone_spikes_equal_runtime(engines):
    rt, sa = engines["first"]
    assert StandaloneNetwork.builds == engines["builds"] + 1
    assert sum(_pn(rt)) > 10, "the comparison needs spiking projection neurons"
    for a, b in zip(rt, sa):
        assert _same_spikes(a, b)
        assert all(np.array_equal(a.weights[c], b.weights[c]) for c in a.weights)
    assert len(_binaries(engines["root"])) == 1  # published to the cache


def test_new_efficacies_rerun_without_recompiling(engines):
    rt0, sa0 = engines["first"]
    [binary] = _binaries(engines["root"])
    built_at = binary.stat().st_mtime_ns
    weights = _changed(rt0)
    rt1, sa1 = engines["runtime"].run(weights), engines["standalone"].run(weights)
    assert StandaloneNetwork.builds == engines["builds"] + 1      # no new compilation
    assert binary.stat().st_mtime_ns == built_at and _binaries(engines["root"]) == [binary]
    for a, b in zip(rt1, sa1):
        assert _same_spikes(a, b)
        assert np.array_equal(b.weights["adelta_pn"], a.weights["adelta_pn"])
    # negative control: the new efficacies change the spikes of the compiled program
    assert not all(_same_spikes(a, b) for a, b in zip(sa0, sa1))
    assert sum(_pn(sa1)) != sum(_pn(sa0))


def test_other_patients_and_a_changed_parameter_take_the_cached_binary(engines):
    """Other seeds (other connectivity and afferent spikes, padded to the same sizes) and
    another synaptic conductance are data of the program, not code: no compilation."""
    model = ps.load_model("gate_control").with_params({"dorsal_horn.adelta_pn.weight": "3 nS"})
    for reqs in (_requests(seed=5), _requests(seed=1, model=model)):
        hits = StandaloneNetwork.cache_hits
        sa = PointsRunner(reqs, DURATION, batch_size=2, engine="standalone").run()
        rt = PointsRunner(reqs, DURATION, batch_size=2, engine="runtime").run()
        assert StandaloneNetwork.builds == engines["builds"] + 1 and StandaloneNetwork.cache_hits == hits + 1
        assert all(_same_spikes(a, b) for a, b in zip(rt, sa))
        assert not all(_same_spikes(a, b) for a, b in zip(engines["first"][0], sa))  # a different run
    assert len(_binaries(engines["root"])) == 1


def test_a_second_process_reuses_the_cached_binary(engines):
    report = _report(_worker(engines["root"]))
    assert report["builds"] == 0 and report["hits"] == 1
    assert report["pn"] == [o.spikes["PN"][0].tolist() for o in engines["first"][0]]
    assert len(_binaries(engines["root"])) == 1


def test_two_workers_compiling_at_once_do_not_collide(engines, tmp_path):
    """Two processes, an empty cache, the same structure: each compiles in its own
    directory, one binary is published, no temporary or build directory is left."""
    [binary] = _binaries(engines["root"])
    root = tmp_path / "cache"
    reports = [_report(p) for p in [_worker(root, binary), _worker(root, binary)]]
    assert [r["builds"] for r in reports] == [1, 1]
    expected = [o.spikes["PN"][0].tolist() for o in engines["first"][0]]
    assert all(r["pn"] == expected for r in reports)
    assert len(_binaries(root)) == 1
    assert [p.name for p in (root / "bin").iterdir()] == [_binaries(root)[0].parent.name]  # no .tmp left
    assert not any((root / "build").iterdir())  # each worker removed its private directories


def test_auto_engine_compiles_once_reruns_pay_for_it(engines, monkeypatch):
    """The automatic engine runs the runtime engine until the structure's runs reach the
    threshold (here lowered to 2), then the compiled program (from the cache); every run
    equals the runtime engine's."""
    monkeypatch.setattr(standalone, "COMPILE_COST", {"spinal": 0.2, "pathway": 0.2})
    points = [point_input(r, DURATION) for r in _requests(seed=5)]
    [(_, net)] = build_networks(points, DURATION, engine="auto")
    assert net.threshold == 2
    runtime = PointsRunner(_requests(seed=5), DURATION, batch_size=2, engine="runtime")
    doubled = [{"adelta_pn": 2.0 * o.weights["adelta_pn"]} for o in runtime.run()]
    engines_used = []
    for w in ([{}, {}], [{}, {}], doubled):
        engines_used.append(net.engine)
        out = net.run(w)
        assert all(_same_spikes(a, b) for a, b in zip(runtime.run(w), out))
    assert engines_used == ["runtime", "runtime", "standalone"]
    assert StandaloneNetwork.builds == engines["builds"] + 1  # the binary came from the cache
    # the next network of this structure (in any process) knows the binary is cached
    monkeypatch.undo()
    [(_, again)] = build_networks(points, DURATION, engine="auto")
    k = standalone.runtime_runs_before_compiling
    assert again.threshold == k(DURATION, 2, cached=True) < k(DURATION, 2)


def test_auto_rule_keeps_one_off_networks_on_the_runtime_engine():
    k = standalone.runtime_runs_before_compiling
    assert k(0.2, 2, "numpy") > 1                       # a single small run never compiles
    assert k(2.0, 4, "numpy") < k(2.0, 4, "cython")     # a faster runtime takes longer to amortise
    assert k(20.0, 4, "numpy") <= k(2.0, 4, "numpy") == 7  # 4 two-second windows: 7 runs (docs/circuits.md)
    assert k(2.0, 4, "numpy", cached=True) == 1           # a cached binary is used from the first run
    assert k(1.0, 8, "numpy", groups=2) == 10             # the pathway: 8 one-second points


def test_engine_default_and_override(monkeypatch):
    monkeypatch.delenv("PAINSIM_ENGINE", raising=False)
    assert engine_choice() == "runtime"
    monkeypatch.setenv("PAINSIM_ENGINE", "auto")
    assert engine_choice() == "auto" and engine_choice("runtime") == "runtime"
    monkeypatch.setenv("PAINSIM_ENGINE", "standalone")
    assert engine_choice() == "standalone" and engine_choice("auto") == "auto"
    with pytest.raises(ParameterError):
        engine_choice("gpu")
