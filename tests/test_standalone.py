"""The compiled engine (brian2 ``cpp_standalone``) equals the runtime engine, and its
binaries are compiled once per structure and cached on disk.

ONE small network is compiled (2 gate_control points, 0.2 s, dt 0.1 ms; ~15 s of C++
compilation) by the module fixture, into a private cache root shared by every test here
(``$PAINSIM_STANDALONE_DIR``); the other tests take that binary from the cache: new
efficacies (run-time arguments), other patients and a changed model parameter (data, not
code), a second process.  The test of two workers compiling at once replaces ``make``
by a copy of the fixture's binary (the collision it tests is in the directories and the
publication of the binary, not in the compiler).  Two tests compile their own programs: the
flags-off program, and the whole pathway (every layer of the pathway stack, ~30 s more).

Spikes are compared exactly (same neurons, same times) when the program is compiled with
brian2's flags alone: every drive is drawn in numpy and replayed, brian2 draws nothing,
and the Euler updates of the C++ program (``-O3 -ffast-math``) and of the runtime engine
(numpy and Cython targets alike) gave the same spikes on this network.  With :data:`painsim.circuits.standalone.VECTORISE_FLAGS`
(GCC on x86-64 Linux) the NMDA Mg2+ block's ``exp`` is glibc's vector ``exp`` (up to 3 ulp
from the scalar one), so the compiled engine promises spike counts per point and population
within :data:`painsim.circuits.standalone.SPIKE_TOLERANCE` (``_engines_agree``; they were
bit-identical in every measured run); reruns of one binary are compared exactly.
"""
import dataclasses
import importlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from brian2 import Hz, us

import painsim as ps
from painsim.circuits import StandaloneNetwork, build_networks, codegen_target, engine_choice
from painsim.circuits import compiler, standalone
from painsim.circuits.standalone import expected_runs, expected_runs_hint
from painsim.errors import ParameterError
from painsim.simulation import PointsRunner
from painsim.simulation.inputs import point_input

cohort_run = importlib.import_module("painsim.cohort.run")  # the module (painsim.cohort.run is also a function)

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


#: Share of spikes (neuron, time) two vectorised results must have in common.  Chosen: a
#: threshold crossing moved by one step can shift that neuron's later spikes, which a few
#: per cent cover; a bug of timing or indexing (a delay, a dt offset, wrong neuron ids) changes
#: nearly all of them and fails.
SHARED_SPIKES = 0.95


def _agree(a, b, tolerance=standalone.SPIKE_TOLERANCE):
    """Every population's spike count within ``tolerance`` of ``a``'s (at least 1 spike: the
    documented promise) and at least SHARED_SPIKES of the spikes identical (neuron and time)."""
    if a.spikes.keys() != b.spikes.keys():
        return False
    for p in a.spikes:
        na, nb = len(a.spikes[p][0]), len(b.spikes[p][0])
        if abs(nb - na) > max(1, tolerance * na):
            return False
        common = set(zip(a.spikes[p][0].tolist(), a.spikes[p][1].tolist())) & set(
            zip(b.spikes[p][0].tolist(), b.spikes[p][1].tolist()))
        if len(common) < SHARED_SPIKES * max(na, nb):
            return False
    return True


def _engines_agree(rt, sa):
    """The compiled engine's result ``sa`` equals the runtime engine's ``rt``: exactly when
    compiled with brian2's flags alone, within the documented tolerance when vectorised."""
    return _agree(rt, sa) if standalone.compile_flags() else _same_spikes(rt, sa)


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
        assert _engines_agree(a, b)
        assert all(np.allclose(a.weights[c], b.weights[c], rtol=standalone.SPIKE_TOLERANCE, atol=0)
                   if standalone.compile_flags() else np.array_equal(a.weights[c], b.weights[c]) for c in a.weights)
    assert len(_binaries(engines["root"])) == 1  # published to the cache


def test_the_program_writes_back_only_what_is_read(engines):
    """The program ends without writing the synapses' arrays (~90 % of what brian2 writes), while
    the spike monitors painsim reads and the neuron state brian2 checks for invalid values are
    written: the spikes above equal the runtime engine's, so nothing read back is missing."""
    nets = [net for chunk in engines["standalone"]._networks.values() for _, net in chunk]
    assert nets and all(isinstance(n, StandaloneNetwork) for n in nets)
    for net in nets:
        written = {p.name for p in (net.directory / "results").iterdir()}
        synapse_names = [S.name for S in net._standalone_synapses.values()]
        assert synapse_names
        assert not [f for f in written for name in synapse_names
                    if f.startswith((f"_array_{name}_", f"_dynamic_array_{name}_"))]
        monitors = [m.name for m in net._standalone_monitors.values()]
        assert all(any(f.startswith(f"_dynamic_array_{m}_t_") for f in written) for m in monitors)
        # negative control: the generated code does declare the synapse arrays it no longer writes
        source = (net.directory / "objects.cpp").read_text()
        assert all(f"_dynamic_array_{name}_" in source for name in synapse_names)


def test_skipping_result_writes_keeps_other_blocks_and_leaves_unknown_code_alone(tmp_path):
    block = ('    ofstream outfile_{v};\n    outfile_{v}.open(results_dir + "{v}_123", ios::binary | ios::out);\n'
             '    if(outfile_{v}.is_open())\n    {{\n        outfile_{v}.close();\n    }}\n')
    body = "".join(block.format(v=v) for v in ("_array_syn_a_w", "_array_grp_v", "_dynamic_array_syn_a_delay",
                                                   "_dynamic_array_syn_ab_w", "_dynamic_array_mon_t"))
    code = ("void _write_arrays()\n{\n" + body + "    // Write last run info to disk\n    ofstream outfile_last_run_info;\n"
            "}\n")
    path = tmp_path / "objects.cpp"
    path.write_text(code)
    assert compiler.skip_result_writes(path, ["syn_a"]) == 2
    left = path.read_text()
    assert "syn_a_w_123" not in left and "syn_a_delay_123" not in left
    assert all(f"{v}_123" in left for v in ("_array_grp_v", "_dynamic_array_syn_ab_w", "_dynamic_array_mon_t"))
    assert left.endswith("    // Write last run info to disk\n    ofstream outfile_last_run_info;\n}\n")
    # another template: nothing is changed
    path.write_text(code.replace("void _write_arrays()", "void _save_everything()"))
    assert compiler.skip_result_writes(path, ["syn_a"]) == 0
    assert "syn_a_w_123" in path.read_text()


def test_new_efficacies_rerun_without_recompiling(engines):
    rt0, sa0 = engines["first"]
    [binary] = _binaries(engines["root"])
    built_at = binary.stat().st_mtime_ns
    weights = _changed(rt0)
    rt1, sa1 = engines["runtime"].run(weights), engines["standalone"].run(weights)
    assert StandaloneNetwork.builds == engines["builds"] + 1      # no new compilation
    assert binary.stat().st_mtime_ns == built_at and _binaries(engines["root"]) == [binary]
    for a, b in zip(rt1, sa1):
        assert _engines_agree(a, b)
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
        assert all(_engines_agree(a, b) for a, b in zip(rt, sa))
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
    threshold (here lowered to 2), then the compiled program (from the cache, which it had no
    note of); every run equals the runtime engine's."""
    standalone.auto_reset()
    shutil.rmtree(engines["root"] / "keys", ignore_errors=True)  # the binary is cached, but not noted
    # a compile cost of 1.5 runs' saving on this runtime target (numpy or Cython: RUN_COST) gives k = 2
    runtime_cost = standalone.RUN_COST["spinal"]["numpy" if codegen_target() == "numpy" else "cython"]
    compiled_cost = standalone.RUN_COST["spinal"]["standalone"]
    saving = DURATION * ((runtime_cost[0] - compiled_cost[0]) + (runtime_cost[1] - compiled_cost[1]) * 2)
    monkeypatch.setattr(standalone, "COMPILE_COST", {"spinal": 1.5 * saving, "pathway": 1.5 * saving})
    points = [point_input(r, DURATION) for r in _requests(seed=5)]
    [(_, net)] = build_networks(points, DURATION, engine="auto")
    assert net.threshold == 2
    runtime = PointsRunner(_requests(seed=5), DURATION, batch_size=2, engine="runtime")
    doubled = [{"adelta_pn": 2.0 * o.weights["adelta_pn"]} for o in runtime.run()]
    engines_used = []
    for w in ([{}, {}], [{}, {}], doubled):
        engines_used.append(net.engine)
        out = net.run(w)
        assert all(_engines_agree(a, b) for a, b in zip(runtime.run(w), out))
    assert engines_used == ["runtime", "runtime", "standalone"]
    assert StandaloneNetwork.builds == engines["builds"] + 1  # the binary came from the cache
    # the next network of this structure (in any process) knows the binary is cached
    monkeypatch.undo()
    [(_, again)] = build_networks(points, DURATION, engine="auto")
    k = standalone.runtime_runs_before_compiling
    assert again.threshold == k(DURATION, 2, cached=True) == 0 < k(DURATION, 2)
    assert again.engine == "standalone"  # from the first run


def _auto_net(points):
    [(_, net)] = build_networks(points, DURATION, engine="auto")
    return net


def _doubled(outputs):
    return [{"adelta_pn": 2.0 * o.weights["adelta_pn"]} for o in outputs]


def test_hint_compiles_at_the_first_run_when_the_expected_runs_pay(engines, tmp_path, monkeypatch):
    """An empty cache: a hint of k runs (k, the rent-then-buy threshold) makes auto compile at
    the first run, k - 1 runs (the negative control) leaves it on the runtime engine and
    compiles nothing; every run equals the runtime engine's.  ``make`` copies the fixture's
    binary (the program this code compiles to) instead of compiling."""
    import brian2
    [binary] = _binaries(engines["root"])
    monkeypatch.setenv("PAINSIM_STANDALONE_DIR", str(tmp_path))
    monkeypatch.setitem(brian2.prefs, "devices.cpp_standalone.make_cmd_unix", f"sh -c 'cp {binary} main' sh")
    standalone.auto_reset()
    points = [point_input(r, DURATION) for r in _requests(seed=5)]
    k = standalone.runtime_runs_before_compiling(DURATION, 2)
    assert k > 2
    runtime = PointsRunner(_requests(seed=5), DURATION, batch_size=2, engine="runtime")
    weights = [[{}, {}], _doubled(runtime.run())]
    builds = StandaloneNetwork.builds

    with expected_runs(k - 1):
        low = _auto_net(points)
    assert (low.threshold, low.expected, low.cached) == (k, k - 1, False)
    for w in weights:
        assert low.engine == "runtime"
        assert all(_engines_agree(a, b) for a, b in zip(runtime.run(w), low.run(w)))
    assert StandaloneNetwork.builds == builds and not _binaries(tmp_path)

    standalone.auto_reset()
    with expected_runs(2), expected_runs(math.ceil(k / 2)):  # nested: a cohort's repeats x a course's runs
        high = _auto_net(points)
    assert high.expected >= k and high.engine == "standalone"
    for w in weights:
        assert all(_engines_agree(a, b) for a, b in zip(runtime.run(w), high.run(w)))
    assert StandaloneNetwork.builds == builds + 1 and len(_binaries(tmp_path)) == 1
    [row] = standalone.auto_report()
    assert row["compiled_runs"] == row["runs"] == 2 and row["threshold"] == k


def test_a_cached_binary_is_used_from_the_first_run_without_compiling(engines):
    """The fixture's binary (compiled by the ``standalone`` engine, which notes it in
    ``keys/``) costs no compilation: auto runs it from the first run, without a hint, and
    its spikes equal the runtime engine's.  Negative control: without the note auto cannot
    know the binary is there and rents the runtime engine."""
    standalone.auto_reset()
    points = [point_input(r, DURATION) for r in _requests(seed=5)]
    build_networks(points, DURATION, engine="standalone")  # a cache hit; notes the structure's key
    net = _auto_net(points)
    assert net.cached and net.threshold == 0 and net.expected is None and net.engine == "standalone"
    builds, hits = StandaloneNetwork.builds, StandaloneNetwork.cache_hits
    runtime = PointsRunner(_requests(seed=5), DURATION, batch_size=2, engine="runtime")
    for w in ([{}, {}], _doubled(runtime.run())):
        assert all(_engines_agree(a, b) for a, b in zip(runtime.run(w), net.run(w)))
    assert StandaloneNetwork.builds == builds and StandaloneNetwork.cache_hits == hits + 1
    shutil.rmtree(engines["root"] / "keys")
    standalone.auto_reset()
    blind = _auto_net(points)
    assert not blind.cached and blind.engine == "runtime" and blind.threshold > 1


def test_expected_runs_nest_and_check_their_argument():
    assert expected_runs_hint() is None
    with expected_runs(3):
        assert expected_runs_hint() == 3
        with expected_runs(4):
            assert expected_runs_hint() == 12
        assert expected_runs_hint() == 3
    assert expected_runs_hint() is None
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ParameterError):
            with expected_runs(bad):
                pass


def test_the_course_engine_tells_auto_how_often_each_network_runs(engines, monkeypatch):
    """A 1-session course (2 chunks): its session network is promised 2 runs and its test
    network 1 (below the threshold: nothing compiles, runtime engine); an enclosing hint of
    a cohort's repeats multiplies both."""
    monkeypatch.setenv("PAINSIM_ENGINE", "auto")
    m = ps.load_model("neuropathic")
    prot = ps.protocols.get("lfs_1hz").with_calendar([0], 20 * 60.0)
    builds = StandaloneNetwork.builds
    for repeats in (1, 3):
        standalone.auto_reset()
        with expected_runs(repeats):
            ps.run_course(m, prot, seed=1, follow_up_days=(1,), tests="follow_up")
        rows = standalone.auto_report()
        assert sorted(r["expected"] for r in rows) == [repeats, 2 * repeats]
        assert all(r["compiled_runs"] == 0 and r["expected"] < r["threshold"] for r in rows)
    assert StandaloneNetwork.builds == builds


def test_the_cohort_tells_each_process_how_many_batches_of_a_size_it_runs(monkeypatch):
    assert cohort_run.batch_repeats([25] * 8, 2) == {25: 4}
    assert cohort_run.batch_repeats([32] * 8 + [31] * 24, 2) == {32: 4, 31: 12}
    assert cohort_run.batch_repeats([5, 5, 4], 1) == {5: 2, 4: 1}
    seen = []

    def fake_course(models, protocol, seeds, kw):
        import xarray as xr
        seen.append((len(models), expected_runs_hint()))
        return [xr.Dataset({"relief": 0.1, "baseline_pain": 5.0}) for _ in models]

    monkeypatch.setattr(cohort_run, "course_task", fake_course)
    table = ps.cohort.sample(5, preset="rtms_real_world", seed=1)
    out = ps.cohort.run(table, "rtms_m1_20hz", model="pain_pathway", batch_size=2)
    assert seen == [(2, 2), (2, 2), (1, 1)] and len(out) == 5
    assert expected_runs_hint() is None


def test_auto_rule_keeps_one_off_networks_on_the_runtime_engine():
    k = standalone.runtime_runs_before_compiling
    assert k(0.2, 2, "numpy") > 1                       # a single small run never compiles
    assert k(2.0, 4, "numpy") < k(2.0, 4, "cython")     # a faster runtime takes longer to amortise
    assert k(20.0, 4, "numpy") <= k(2.0, 4, "numpy")     # longer runs amortise sooner
    assert k(2.0, 4, "numpy", cached=True) == 0           # a cached binary is used from the first run

    # rent-or-buy (docs/circuits.md): the first k whose k runs' saving pays for one compile
    for duration, points, row, groups in ((2.0, 4, "spinal", 1), (1.0, 8, "pathway", 2)):
        (f_rt, p_rt), (f_sa, p_sa) = standalone.RUN_COST[row]["numpy"], standalone.RUN_COST[row]["standalone"]
        saving = duration * ((f_rt - f_sa) + (p_rt - p_sa) * points)
        runs = k(duration, points, "numpy", groups=groups)
        assert runs * saving >= standalone.COMPILE_COST[row] > (runs - 1) * saving


def test_engine_default_and_override(monkeypatch):
    monkeypatch.delenv("PAINSIM_ENGINE", raising=False)
    assert engine_choice() == "runtime"
    monkeypatch.setenv("PAINSIM_ENGINE", "auto")
    assert engine_choice() == "auto" and engine_choice("runtime") == "runtime"
    monkeypatch.setenv("PAINSIM_ENGINE", "standalone")
    assert engine_choice() == "standalone" and engine_choice("auto") == "auto"
    with pytest.raises(ParameterError):
        engine_choice("gpu")


def test_batches_whose_arrays_fit_a_cached_binary_share_it(engines):
    """Other patients whose arrays need fewer elements than the fixture's binary holds (no
    noxious input and a 20 Hz train instead of 50 Hz: fewer generator spikes, padded alone to
    a smaller power of two than the fixture's) take that binary instead of compiling their own
    (counted builds); spikes equal the runtime engine's.  Arrays that need more than any cached
    binary holds choose larger sizes (a new binary), raised to the cached ones so that the new
    binary holds both."""
    from painsim.circuits.standalone import chosen_sizes, needed_sizes, padded_size
    m = ps.load_model("gate_control")
    scs = ps.stimulation.tonic(20 * Hz, 200 * us, 1.5, "0.2 s")
    reqs = [ps.Request(m, None, 0.0, seed=7), ps.Request(m, scs, 0.0, touch=0.5, seed=8)]
    points = [point_input(r, DURATION) for r in reqs]
    fixture = needed_sizes([point_input(r, DURATION) for r in _requests()], DURATION, 1e-4)
    needed = needed_sizes(points, DURATION, 1e-4)
    assert any(padded_size(n) < padded_size(fixture[k]) for k, n in needed.items())  # the old padding: new code
    build_networks([point_input(r, DURATION) for r in _requests()], DURATION, engine="standalone")  # notes it
    builds, hits = StandaloneNetwork.builds, StandaloneNetwork.cache_hits
    [(_, net)] = build_networks(points, DURATION, engine="standalone")
    assert net.fitted and StandaloneNetwork.builds == builds and StandaloneNetwork.cache_hits == hits + 1
    runtime = PointsRunner(reqs, DURATION, batch_size=2, engine="runtime")
    for w in ([{}, {}], _doubled(runtime.run())):
        assert all(_engines_agree(a, b) for a, b in zip(runtime.run(w), net.run(w)))
    assert len(_binaries(engines["root"])) == 1
    # negative control: a need beyond the cached binary's arrays gets a new, larger program
    structure = net.directory.name.split("-")[0]
    bigger = {**needed, "generators": 4 * padded_size(fixture["generators"])}
    sizes, fitted = chosen_sizes(structure, bigger)
    assert not fitted and sizes["generators"] == padded_size(bigger["generators"])
    assert all(sizes[k] >= padded_size(fixture[k]) for k in fixture)  # holds the fixture's batch too


def test_networks_larger_than_max_points_run_as_pieces_with_the_same_spikes(engines, monkeypatch):
    """More points than ``MAX_POINTS`` (here lowered to 1): one compiled program per piece,
    the points' spikes and efficacies equal the runtime engine's one network of all of them;
    the automatic engine then finds every piece's binary cached and runs them from the first run."""
    monkeypatch.setattr(standalone, "MAX_POINTS", 1)
    reqs = _requests(seed=5)
    points = [point_input(r, DURATION) for r in reqs]
    [(_, net)] = build_networks(points, DURATION, engine="standalone")
    assert isinstance(net, standalone.CompiledPieces) and len(net.networks) == 2
    runtime = PointsRunner(reqs, DURATION, batch_size=2, engine="runtime")
    weights = ([{}, {}], _doubled(runtime.run()))
    for w in weights:
        rt = runtime.run(w)
        out = net.run(w)
        assert all(_engines_agree(a, b) for a, b in zip(rt, out))
        assert all(np.array_equal(a.weights[c], b.weights[c]) for a, b in zip(rt, out) for c in a.weights)
    standalone.auto_reset()
    auto = _auto_net(points)
    assert auto.cached and auto.engine == "standalone"
    builds = StandaloneNetwork.builds
    assert all(_engines_agree(a, b) for a, b in zip(runtime.run(weights[1]), auto.run(weights[1])))
    assert StandaloneNetwork.builds == builds
    assert [sl.stop - sl.start for sl in standalone.pieces(124, 32)] == [31] * 4


def _cpu_flags() -> set[str]:
    """The CPU's feature flags (Linux /proc/cpuinfo), empty where unreadable."""
    try:
        with open("/proc/cpuinfo") as info:
            return next((set(line.split(":", 1)[1].split()) for line in info if line.startswith("flags")), set())
    except OSError:
        return set()


def test_state_updates_are_vectorised_with_the_vector_exp(engines):
    """With GCC on x86-64 Linux the program is compiled with VECTORISE_FLAGS (in its
    makefile, so in its code hash) and calls glibc's vector exp (libmvec: _ZGV<isa>N<lanes>v_exp),
    which it does only where GCC vectorised a state update with the Mg2+ block.  The spinal state
    update also converts brian2's refractory time to an int64 timestep, which GCC vectorises only
    with AVX-512DQ (vcvttpd2qq; on an AVX2-only CPU it reports "relevant stmt not supported:
    (long int)" and leaves the loop scalar: measured on an AMD EPYC, znver2, GCC 12), so the
    vector exp is asserted only where the CPU has it; the flags are in the makefile everywhere."""
    if not standalone.compile_flags():
        pytest.skip("vectorisation flags only with GCC on x86-64 Linux")
    [net] = [net for nets in engines["standalone"]._networks.values() for _, net in nets]
    assert all(flag in (net.directory / "makefile").read_text() for flag in standalone.VECTORISE_FLAGS)
    if "avx512dq" not in _cpu_flags():
        pytest.skip("GCC vectorises the state update (double -> int64 timestep) only with AVX-512DQ")
    binary = engines["root"] / "bin" / net.code_hash / "main"
    assert re.search(rb"_ZGV[bcde]N[248]v_exp", binary.read_bytes())


def test_vectorised_program_agrees_within_tolerance(tmp_path, monkeypatch):
    """The documented tolerance on a longer run than the fixture's: gate_control, seeds 1-5,
    noxious 0.6 and touch 0.5, 1 s (~250 projection-neuron spikes per point): every
    population's spike count per point within SPIKE_TOLERANCE of the runtime engine's, the
    projection-neuron rate too (it was bit-identical when measured: issue 17)."""
    if not standalone.compile_flags():
        pytest.skip("vectorisation flags only with GCC on x86-64 Linux")
    monkeypatch.setenv("PAINSIM_STANDALONE_DIR", str(tmp_path))
    m = ps.load_model("gate_control")
    reqs = [ps.Request(m, None, 0.6, 0.5, seed=s) for s in range(1, 6)]
    rt = PointsRunner(reqs, 1.0, batch_size=5, engine="runtime").run()
    sa = PointsRunner(reqs, 1.0, batch_size=5, engine="standalone").run()
    assert min(_pn(rt)) > 100, "the comparison needs spiking projection neurons"
    assert all(_agree(a, b) for a, b in zip(rt, sa))
    assert max(abs(x - y) / x for x, y in zip(_pn(rt), _pn(sa))) <= standalone.SPIKE_TOLERANCE


def test_the_tolerance_still_fails_a_timing_or_indexing_error(engines):
    """Negative controls of ``_agree``: the compiled result agrees with itself, but not with a
    copy whose spikes are one time step late or whose neuron ids are rotated (same counts)."""
    out = engines["first"][0][0]
    assert _agree(out, out)
    step = out.dt or 1e-4
    late = dataclasses.replace(out, spikes={p: (t + step, i) for p, (t, i) in out.spikes.items()})
    rotated = dataclasses.replace(out, spikes={p: (t, (i + 1) % (int(i.max()) + 2) if i.size else i)
                                               for p, (t, i) in out.spikes.items()})
    assert sum(len(t) for t, _ in out.spikes.values()) > 20
    assert not _agree(out, late) and not _agree(out, rotated)


def test_without_the_flags_the_compiled_program_equals_the_runtime_engine(tmp_path, monkeypatch):
    """``PAINSIM_STANDALONE_VECTORISE=0`` (here: the module switch it sets): brian2's flags
    alone, every spike identical to the runtime engine's (gate_control, seeds 1-3, 0.5 s)."""
    monkeypatch.setenv("PAINSIM_STANDALONE_DIR", str(tmp_path))
    monkeypatch.setattr(compiler, "VECTORISE", False)
    assert standalone.compile_flags() == []
    m = ps.load_model("gate_control")
    reqs = [ps.Request(m, None, 0.6, 0.5, seed=s) for s in range(1, 4)]
    rt = PointsRunner(reqs, 0.5, batch_size=3, engine="runtime").run()
    sa = PointsRunner(reqs, 0.5, batch_size=3, engine="standalone").run()
    assert min(_pn(rt)) > 20
    assert all(_same_spikes(a, b) for a, b in zip(rt, sa))


def test_the_whole_pathway_agrees_with_the_runtime_engine(tmp_path, monkeypatch):
    """Every layer of the pathway stack through the compiled engine (one pathway compile, ~30 s):
    conventional TENS at the remote sites with noxious input at the painful site (deep afferents,
    spino-PAG neurons, the PAG/RVM and its opioid, the dorsal column nuclei and their loop, the
    relay and S1; the medial layer is compared too, though 0.3 s of this input may leave it
    silent; the opt-in lemniscal layer's VPL is in the same neuron
    group, not run here) and a 20 Hz M1 train (TMS, M1, descending control); healthy
    pathway, 0.3 s.  The populations each request exists to drive must fire (otherwise the
    comparison would prove nothing), and every point agrees as the engine promises."""
    monkeypatch.setenv("PAINSIM_STANDALONE_DIR", str(tmp_path))
    m = ps.load_model("healthy")
    # TENS at every site but the painful one: one site's dorsal columns leave the brainstem (MA)
    # neurons silent (they need several dermatomes' DCN, tests/test_dorsal_column.py)
    painful = int(m.si("body.painful_site"))
    tens = ps.stimulation.tens("conventional", 1.5, "0.3 s",
                               site=[s for s in range(int(m.si("body.n_sites"))) if s != painful])
    rtms = ps.stimulation.rtms(intensity=0.8, n_trains=1, train_duration="0.3 s")
    reqs = [ps.Request(m, tens, 0.6, seed=1), ps.Request(m, rtms, 0.6, seed=2)]
    rt = PointsRunner(reqs, 0.3, batch_size=2, engine="runtime").run()
    sa = PointsRunner(reqs, 0.3, batch_size=2, engine="standalone").run()
    driven = ({"DEEP", "SPAG", "DESC", "DCN", "MA", "TC", "S1E", "PN"}, {"TMS", "M1", "DESC"})
    for out, populations in zip(rt, driven):
        assert all(len(out.spikes[p][0]) > 0 for p in populations), \
            {p: len(out.spikes[p][0]) for p in populations}
    assert all(_engines_agree(a, b) for a, b in zip(rt, sa))


def test_make_is_given_a_job_limit_of_the_cpus_and_keeps_a_users_setting():
    """brian2's ``-j`` (no limit) is bounded to the CPUs while painsim compiles, and restored after;
    a user's own make arguments are left as they are."""
    from brian2 import prefs
    setting = prefs.devices.cpp_standalone
    assert list(setting.extra_make_args_unix) == ["-j"]  # brian2's default
    with compiler.bounded_make(prefs):
        assert list(setting.extra_make_args_unix) == ["-j", str(compiler.make_jobs())]
    assert list(setting.extra_make_args_unix) == ["-j"]
    setting.extra_make_args_unix = ["-j", "7"]
    try:
        with compiler.bounded_make(prefs):
            assert list(setting.extra_make_args_unix) == ["-j", "7"]
    finally:
        setting.extra_make_args_unix = ["-j"]
    assert 1 <= compiler.make_jobs() <= (os.cpu_count() or 1)
