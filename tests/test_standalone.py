"""The opt-in compiled engine (brian2 ``cpp_standalone``) equals the runtime engine.

ONE small network is compiled (2 gate_control points, 0.2 s, dt 0.1 ms; ~15-20 s
of C++ compilation), then rerun with new efficacies as run-time arguments.

Spikes are compared exactly (same neurons, same times): every drive is drawn in
numpy and replayed, brian2 draws nothing, and the Euler updates of the C++
program (``-O3 -ffast-math``) and of the numpy target gave the same spikes on
this network.  Should a compiler reorder arithmetic enough to move a threshold
crossing by one step, this test is where it shows.
"""
import os

import numpy as np
import pytest
from brian2 import Hz, us

import painsim as ps
from painsim.circuits import StandaloneNetwork, engine_choice
from painsim.errors import ParameterError
from painsim.simulation import PointsRunner

DURATION = 0.2  # s


def _requests():
    m = ps.load_model("gate_control")
    scs = ps.stimulation.tonic(50 * Hz, 200 * us, 1.5, "0.2 s")
    return [ps.Request(m, None, 0.6, seed=1), ps.Request(m, scs, 0.6, touch=0.5, seed=2)]


def _changed(outputs):
    """Efficacies of every point: A-delta -> PN x 1.6, inhibition x 0.3 (a different run)."""
    return [{"adelta_pn": 1.6 * out.weights["adelta_pn"], "inhibition": 0.3 * out.weights["inhibition"]}
            for out in outputs]


def _same_spikes(a, b):
    return all(a.spikes.keys() == b.spikes.keys()
               and np.array_equal(a.spikes[p][0], b.spikes[p][0]) and np.array_equal(a.spikes[p][1], b.spikes[p][1])
               for p in a.spikes)


def _binaries(root):
    return sorted(root.glob(f"*-{os.getpid()}*/main"))


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    root = tmp_path_factory.mktemp("standalone")
    old = os.environ.get("PAINSIM_STANDALONE_DIR")
    os.environ["PAINSIM_STANDALONE_DIR"] = str(root)
    try:
        runtime = PointsRunner(_requests(), DURATION, batch_size=2, engine="runtime")
        builds = StandaloneNetwork.builds
        standalone = PointsRunner(_requests(), DURATION, batch_size=2, engine="standalone")
        first = (runtime.run(), standalone.run())
    finally:
        if old is None:
            del os.environ["PAINSIM_STANDALONE_DIR"]
        else:
            os.environ["PAINSIM_STANDALONE_DIR"] = old
    return dict(runtime=runtime, standalone=standalone, first=first, root=root, builds=builds)


def test_standalone_spikes_equal_runtime(engines):
    rt, sa = engines["first"]
    assert StandaloneNetwork.builds == engines["builds"] + 1
    assert sum(len(o.spikes["PN"][0]) for o in rt) > 10, "the comparison needs spiking projection neurons"
    for a, b in zip(rt, sa):
        assert _same_spikes(a, b)
        assert all(np.array_equal(a.weights[c], b.weights[c]) for c in a.weights)


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
    assert sum(len(o.spikes["PN"][0]) for o in sa1) != sum(len(o.spikes["PN"][0]) for o in sa0)


def test_runtime_engine_unaffected_after_a_standalone_run(engines):
    """brian2's device is global: after the standalone runs a new runtime network
    still runs on the runtime device and gives the first run's spikes."""
    again = PointsRunner(_requests(), DURATION, batch_size=2).run()
    for a, b in zip(engines["first"][0], again):
        assert _same_spikes(a, b)


def test_engine_is_opt_in(monkeypatch):
    monkeypatch.delenv("PAINSIM_ENGINE", raising=False)
    assert engine_choice() == "runtime"
    monkeypatch.setenv("PAINSIM_ENGINE", "standalone")
    assert engine_choice() == "standalone" and engine_choice("runtime") == "runtime"
    with pytest.raises(ParameterError):
        engine_choice("gpu")
