"""The runtime engine against the opt-in compiled engine (brian2 ``cpp_standalone``)
on a small course-like workload: one 4-window network (3 stimulated windows and
the companion of one neuropathic patient) rerun with new efficacies.

Both engines build the network once; the runtime engine restores its stored
initial state before each rerun, the standalone engine compiles once (C++) and
reruns its program with the efficacies as run-time arguments.  Printed: build
(compile) time, time per rerun, the ratio per rerun, whether every spike of
every rerun is identical, and the reruns after which the compile has paid off.

Then the automatic engine (``PAINSIM_ENGINE=auto``) against the runtime engine
on a small course (neuropathic patient, ``lfs_1hz`` on ``sessions`` days) and a
small cohort (``patients`` pain_pathway patients, the 4-session rTMS test course
of benchmarks/bench_cohort.py), each in the same process: wall times, the ratio,
whether the results are identical (every data variable: relief, pain, efficacies),
and what auto chose (runs per compiled structure, the threshold of the rule,
runs on the compiled engine).  "auto, cold" starts from an empty binary cache
and counts (compilation included); "auto, warm" repeats the workload in the
same process (the structures already amortised: compiled from the start, the
binaries from the disk cache).

Run: python benchmarks/bench_engine.py [reruns] [window_s] [sessions] [patients]
     (PAINSIM_TARGET selects the runtime engine's target: numpy (default) or cython;
      reruns 0 skips the first part, sessions 0 / patients 0 skip the course / cohort)

Measured: see docs/circuits.md ("The compiled engine"): per rerun 22.9x (numpy); auto on a
12-session course 1.20x cold, 7.76x warm; on a 4-patient 4-session pathway cohort 0.70x cold
(compiled with 2 runs left), 3.45x warm; results identical.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import warnings

import numpy as np

import painsim as ps
from painsim.circuits import StandaloneNetwork
from painsim.circuits.standalone import auto_report
from painsim.simulation import PointsRunner


def _requests(window: float):
    m = ps.load_model("neuropathic")
    reqs = []
    for rate in ("1 Hz", "2 Hz", "5 Hz"):  # three C-strength conditioning windows
        pulses = ps.stimulation.tonic(rate, "2 ms", 1.5, f"{window} s", shape="monophasic", threshold_class="C",
                                      target="peripheral_nerve")
        reqs.append(ps.Request(m, pulses, 0.0, 0.0, seed=1))
    reqs.append(ps.Request(m, None, 0.0, 0.0, seed=1))  # the companion
    return reqs


def _efficacies(outputs, rng):
    """New efficacies of every plastic connection, as a course's chunk would bring."""
    return [{c: w * rng.lognormal(0.0, 0.2, w.size) for c, w in out.weights.items()} for out in outputs]


def _timed_runs(runner, weights):
    times, results = [], []
    for w in weights:
        t = time.perf_counter()
        results.append(runner.run(w))
        times.append(time.perf_counter() - t)
    return times, results


def _same(a, b):
    return all(np.array_equal(x.spikes[p][k], y.spikes[p][k]) for x, y in zip(a, b) for p in x.spikes for k in (0, 1))


def main(reruns: int = 5, window: float = 2.0):
    reqs = _requests(window)
    t = time.perf_counter()
    runtime = PointsRunner(reqs, window, batch_size=len(reqs), engine="runtime")
    first = runtime.run()
    rt_build = time.perf_counter() - t
    rng = np.random.default_rng(0)
    weights = [_efficacies(first, rng) for _ in range(reruns)]
    rt_times, rt_results = _timed_runs(runtime, weights)

    t = time.perf_counter()
    standalone = PointsRunner(reqs, window, batch_size=len(reqs), engine="standalone")
    sa_first = standalone.run()
    sa_build = time.perf_counter() - t
    sa_times, sa_results = _timed_runs(standalone, weights)

    rt, sa = float(np.median(rt_times)), float(np.median(sa_times))
    identical = _same(first, sa_first) and all(_same(a, b) for a, b in zip(rt_results, sa_results))
    counts = [sum(len(o.spikes["PN"][0]) for o in res) for res in rt_results]
    print(f"{len(reqs)}-window network, {window:g} s, {reruns} reruns with new efficacies; "
          f"runtime target {os.environ.get('PAINSIM_TARGET', 'numpy')}")
    print(f"runtime:    build + first run {rt_build:6.2f} s, per rerun {rt:.3f} s (median)")
    print(f"standalone: compile + first run {sa_build:6.2f} s, per rerun {sa:.3f} s (median)")
    print(f"ratio per rerun {rt / sa:.1f}x; compile paid off after {sa_build / max(rt - sa, 1e-9):.0f} reruns")
    print(f"identical spikes in every run: {identical} (PN spikes per rerun {counts})")
    return rt / sa, identical


def _identical(a, b) -> bool:
    """Every numeric data variable of two result Datasets equal (NaN equal to NaN); tables: ``equals``."""
    if hasattr(a, "equals") and not hasattr(a, "data_vars"):
        return bool(a.equals(b))
    names = [v for v in a.data_vars if np.issubdtype(a[v].dtype, np.number)]
    return set(names) <= set(b.data_vars) and all(
        np.array_equal(a[v].values, b[v].values, equal_nan=np.issubdtype(a[v].dtype, np.floating)) for v in names)


def _with_engine(engine: str, work):
    old = os.environ.get("PAINSIM_ENGINE")
    os.environ["PAINSIM_ENGINE"] = engine
    try:
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = work()
        return time.perf_counter() - t, res
    finally:
        if old is None:
            del os.environ["PAINSIM_ENGINE"]
        else:
            os.environ["PAINSIM_ENGINE"] = old


def _auto_choice() -> str:
    rows = auto_report()
    return "; ".join(f"{r['runs']} runs, threshold {r['threshold']}, {r['compiled_runs']} compiled" for r in rows)


def compare_auto(name: str, work):
    """``work`` under the runtime engine, then twice under auto (cold cache, then warm)."""
    t_rt, res_rt = _with_engine("runtime", work)
    builds = StandaloneNetwork.builds
    t_cold, res_cold = _with_engine("auto", work)
    cold_choice, cold_builds = _auto_choice(), StandaloneNetwork.builds - builds
    t_warm, res_warm = _with_engine("auto", work)
    print(f"{name}: runtime {t_rt:.1f} s; auto, cold {t_cold:.1f} s ({t_rt / t_cold:.2f}x, "
          f"{cold_builds} compilations); auto, warm {t_warm:.1f} s ({t_rt / t_warm:.2f}x, "
          f"{StandaloneNetwork.builds - builds - cold_builds} compilations); identical results: "
          f"{_identical(res_rt, res_cold) and _identical(res_rt, res_warm)}")
    print(f"  auto's choice per compiled structure (cumulative): cold: {cold_choice} | after warm: {_auto_choice()}")
    return t_rt / t_cold, t_rt / t_warm


def main_auto(sessions: int = 12, patients: int = 4):
    """The automatic engine on a small course and a small cohort, against the runtime engine."""
    cache = tempfile.mkdtemp(prefix="painsim_bench_engine_")  # an empty binary cache, removed at the end
    os.environ["PAINSIM_STANDALONE_DIR"] = cache
    try:
        return _auto_workloads(sessions, patients)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _auto_workloads(sessions: int, patients: int) -> dict:
    ratios = {}
    if sessions:
        m = ps.load_model("neuropathic")
        ps.simulate(m, noxious=0.6, duration="0.5 s", seed=1)  # warm-up (imports, numba caches)
        prot = ps.protocols.get("lfs_1hz").with_calendar(list(range(sessions)), 20 * 60.0)
        ratios["course"] = compare_auto(f"course (neuropathic, lfs_1hz, {sessions} sessions)",
                                        lambda: ps.run_course(m, prot, seed=1, follow_up_days=(30,)))
    if patients:
        prot = ps.protocols.from_spec({"base": "rtms_m1_20hz", "name": "rtms_m1_20hz_test", "days": [0, 1, 2, 3],
                                       "end_day": 4})
        table = ps.cohort.sample(patients, preset="rtms_real_world", seed=1)
        ps.simulate(ps.load_model("pain_pathway"), noxious=0.6, duration="0.2 s", seed=1)  # warm-up
        ratios["cohort"] = compare_auto(
            f"cohort ({patients} pain_pathway patients, 4-session rTMS, one batch)",
            lambda: ps.cohort.run(table, prot, model="pain_pathway", batch_size=patients))
    return ratios


if __name__ == "__main__":
    args = [float(a) for a in sys.argv[1:]]
    reruns, window = int(args[0]) if args else 5, args[1] if len(args) > 1 else 2.0
    if reruns:
        main(reruns, window)
    main_auto(*(int(a) for a in args[2:4]))
