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

Then (``--course N``) a course of one patient on N session days (issue 17: 20), per model
(``--course-models``; default the spinal ``neuropathic`` with ``lfs_1hz`` and the whole
pathway ``central_poststroke_ischemic`` with ``rtms_m1_20hz``), each in the same process:
the runtime engine, then ``auto`` from an empty binary cache (the course engine's hint,
:func:`painsim.circuits.standalone.expected_runs`, lets it compile at the first run when the
course's runs pay for it: compilation included), then ``auto`` with that warm disk cache
and the process's counts forgotten (:func:`painsim.circuits.standalone.auto_reset`: a new
process, a warm cache), alternating with the runtime engine (``--rounds`` times each; the
fastest of each is compared, the machine being shared).  Printed: wall times, ratios,
compilations, what auto chose, whether every data variable of the results is identical,
and the load average.

Run: python benchmarks/bench_engine.py [reruns] [window_s] [sessions] [patients] [--course N]
     (PAINSIM_TARGET selects the runtime engine's target: numpy (default) or cython;
      reruns 0 skips the first part, sessions 0 / patients 0 skip the course / cohort)
     PAINSIM_TARGET=cython python benchmarks/bench_engine.py 0 2 0 0 --course 20   # issue 17's course
     PAINSIM_TARGET=cython python benchmarks/bench_engine.py 0 2 0 0 --pathway-cost # RUN_COST's pathway row
     python benchmarks/bench_engine.py 0 2 0 0 --pieces 128    # one 128-point program vs 4 pieces of 32
     python benchmarks/bench_engine.py 0 2 0 0 --profile-programs 8   # time per code object of a cohort
                                           # batch's session network (8 patients, 32 points), compiled twice

Measured: see docs/circuits.md ("The compiled engine"): per rerun 22.9x (numpy); auto on a
12-session course 1.20x cold, 7.76x warm; on a 4-patient 4-session pathway cohort 0.70x cold
(compiled with 2 runs left), 3.45x warm; results identical; the 20-session courses against
warm Cython: docs/circuits.md ("Courses with the hint").
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
import warnings

import numpy as np
from _cli import nonnegative_int, one_of, positive_float, positive_int

import painsim as ps
from painsim.circuits import StandaloneNetwork
from painsim.circuits.standalone import auto_report, auto_reset
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

    t = time.perf_counter()  # the same structure again: the binary from the disk cache (no compilation)
    PointsRunner(reqs, window, batch_size=len(reqs), engine="standalone").run()
    sa_cached = time.perf_counter() - t

    rt, sa = float(np.median(rt_times)), float(np.median(sa_times))
    identical = _same(first, sa_first) and all(_same(a, b) for a, b in zip(rt_results, sa_results))
    counts = [sum(len(o.spikes["PN"][0]) for o in res) for res in rt_results]
    print(f"{len(reqs)}-window network, {window:g} s, {reruns} reruns with new efficacies; "
          f"runtime target {os.environ.get('PAINSIM_TARGET', 'numpy')}")
    print(f"runtime:    build + first run {rt_build:6.2f} s, per rerun {rt:.3f} s (median)")
    print(f"standalone: compile + first run {sa_build:6.2f} s, per rerun {sa:.3f} s (median); "
          f"from the disk cache: generate + copy + first run {sa_cached:.2f} s")
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


def pathway_cost(sizes=(4, 64), duration: float = 1.3, reruns: int = 3) -> dict:
    """Cost per run of pain_pathway networks of B points (no stimulus), runtime engine and
    compiled engine in this process (each twice, alternating; a private binary cache):
    s per simulated second, fastest of ``reruns`` reruns, and build + first run (for the
    compiled engine's second network: a binary from the disk cache).  The values behind the
    pathway row of ``RUN_COST`` (``--pathway-cost``)."""
    cache = tempfile.mkdtemp(prefix="painsim_bench_engine_")
    os.environ["PAINSIM_STANDALONE_DIR"] = cache
    m = ps.load_model("pain_pathway")
    out = {}
    try:
        for B in sizes:
            reqs = [ps.Request(m, None, 0.0, 0.0, seed=s) for s in range(B)]
            for engine in ("runtime", "standalone") * 2:
                t = time.perf_counter()
                runner = PointsRunner(reqs, duration, batch_size=B, engine=engine)
                runner.run()
                build = time.perf_counter() - t
                per = min(_timed_runs(runner, [None] * reruns)[0]) / duration
                out.setdefault((B, engine), []).append(per)
                print(f"pain_pathway, {B} points, {duration:g} s, {engine}: build + first run {build:.1f} s, "
                      f"{per:.3f} s per simulated s ({_load()})", flush=True)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    for engine in ("runtime", "standalone"):
        lo, hi = (min(out[(B, engine)]) for B in (sizes[0], sizes[-1]))
        p = (hi - lo) / (sizes[-1] - sizes[0])
        print(f"{engine} ({os.environ.get('PAINSIM_TARGET', 'numpy') if engine == 'runtime' else 'C++'}): "
              f"F = {lo - p * sizes[0]:.3f}, P = {p:.4f} s per simulated s")
    return out


def pieces_cost(points: int = 128, duration: float = 1.3, reruns: int = 2) -> dict:
    """The compiled engine on one network of ``points`` pain_pathway points (no stimulus): one
    program of all of them (``MAX_POINTS`` raised: the engine before pieces) against pieces of
    at most ``MAX_POINTS`` (32), alternating, in this process and a private binary cache.
    Printed: CPU s of the programs per run (they are child processes: ``RUSAGE_CHILDREN``) and
    wall s per run, the fastest of ``reruns``, the ratio, and whether every spike is identical
    (``--pieces``; docs/sweeps_and_cohorts.md)."""
    import resource
    from painsim.circuits import standalone
    cache = tempfile.mkdtemp(prefix="painsim_bench_engine_")
    os.environ["PAINSIM_STANDALONE_DIR"] = cache
    m = ps.load_model("pain_pathway")
    reqs = [ps.Request(m, None, 0.0, 0.0, seed=s) for s in range(points)]
    before, after, out, spikes = standalone.MAX_POINTS, standalone.max_program_points(), {}, {}
    try:
        for name, max_points in [("one program", 10 ** 6), (f"pieces of {after}", after)] * 2:
            standalone.MAX_POINTS = max_points
            runner = PointsRunner(reqs, duration, batch_size=points, engine="standalone")
            spikes.setdefault(name, runner.run())  # builds (compiles the first time)
            for _ in range(reruns):
                cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
                t = time.perf_counter()
                runner.run()
                wall = time.perf_counter() - t
                cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu
                out.setdefault(name, []).append((cpu, wall))
            this = out[name][-reruns:]  # this round's reruns
            print(f"pain_pathway, {points} points, {duration:g} s, {name}: fastest run {min(this)[0]:.2f} CPU s, "
                  f"{min(w for _, w in this):.2f} s wall ({_load()})", flush=True)
    finally:
        standalone.MAX_POINTS = before
        shutil.rmtree(cache, ignore_errors=True)
    one, cut = (min(c for c, _ in out[n]) for n in out)
    same = _same(*spikes.values())
    print(f"  => pieces / one program: {one / cut:.2f}x less CPU per run; identical spikes: {same}")
    return out


def cohort_session_requests(patients: int = 8, seed: int = 1):
    """The requests of one chunk of a cohort batch's session (``patients`` rtms_real_world
    patients on the whole pathway, the 4-session rTMS test course of
    benchmarks/bench_cohort.py: each patient's stimulated windows and its companion), as
    :class:`painsim.course.engine.ChunkSimulator` makes them, and their duration (s)."""
    from painsim.cohort import patient_models
    from painsim.course.engine import ChunkSimulator, _prepare
    prot = ps.protocols.from_spec({"base": "rtms_m1_20hz", "name": "rtms_m1_20hz_test", "days": [0, 1, 2, 3],
                                   "end_day": 4})
    table = ps.cohort.sample(patients, preset="rtms_real_world", seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models, _ = patient_models(table, ps.load_model("pain_pathway"), False)
    course_patients, settings, plan = _prepare(models, [int(s) for s in table["seed"]], prot)
    chunk = plan[0]
    stimulated = [j for j, wf in enumerate(chunk.windows) if len(wf.onsets)]
    duration = settings.lead_in + settings.window
    sim = ChunkSimulator(course_patients, duration, 10 ** 6, frozenset())
    return sim._requests(chunk, stimulated), duration


def profile_programs(patients: int = 8, reruns: int = 2) -> dict:
    """Where the compiled program's time goes, per code object (``--profile-programs``):
    the session networks of a cohort batch of ``patients`` (one chunk:
    :func:`cohort_session_requests`), compiled with brian2's profiling timers
    (:data:`painsim.circuits.standalone.PROFILE`; a private binary cache), run ``reruns``
    times; printed per code object: seconds of the last run, share, and the same per point
    and simulated second.  The timers add a little per call; the program's CPU time without
    them is printed for scale (an unprofiled build of the same networks)."""
    import resource
    from painsim.circuits import standalone, standalone_cache
    cache = tempfile.mkdtemp(prefix="painsim_bench_engine_")
    os.environ["PAINSIM_STANDALONE_DIR"] = cache
    reqs, duration = cohort_session_requests(patients)
    table, before = {}, standalone.PROFILE
    try:
        for profiled in (False, True):
            standalone.PROFILE = profiled
            runner = PointsRunner(reqs, duration, batch_size=len(reqs), engine="standalone")
            runner.run()  # builds (compiles)
            cpu = []
            for _ in range(reruns):
                c0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
                runner.run()
                cpu.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - c0)
            nets = [net for nets in runner._networks.values() for _, net in nets]
            points = sum(len(net._points) for net in nets)
            print(f"{len(nets)} program(s), {points} points ({patients} patients), {duration:g} s, "
                  f"profiling {'on' if profiled else 'off'}: fastest run {min(cpu):.2f} CPU s "
                  f"({min(cpu) / points / duration * 1e3:.1f} ms per point and simulated s; {_load()})", flush=True)
            if profiled:
                for net in nets:
                    for name, sec in net.profiling_info():
                        name = standalone_cache._NUMBERING.sub(rb"\1", name.encode()).decode()
                        table[name] = table.get(name, 0.0) + sec
        total = sum(table.values())
        print(f"per code object (last profiled run, all programs; total {total:.2f} s):")
        for name, sec in sorted(table.items(), key=lambda kv: -kv[1]):
            print(f"  {name:60s} {sec:7.3f} s {100 * sec / total:5.1f} %  "
                  f"{sec / points / duration * 1e3:6.2f} ms per point-s")
    finally:
        standalone.PROFILE = before
        shutil.rmtree(cache, ignore_errors=True)
    return table


#: issue 17's courses of one patient: model -> protocol
COURSES = {"neuropathic": "lfs_1hz", "central_poststroke_ischemic": "rtms_m1_20hz"}


def _load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def course_with_hint(model: str, protocol: str, sessions: int, rounds: int = 2, fill: bool = False) -> dict:
    """One patient's ``sessions``-day course: ``auto`` from an empty cache (compilation included),
    then ``rounds`` x (runtime, auto with the warm cache) alternating, so that both engines
    see the same load; the ratio of the fastest of each (the machine is shared).  ``fill``:
    then one course on the ``standalone`` engine (it compiles the pain test's network too,
    as a calibration loop of many courses would) and ``rounds`` x (runtime, auto with every
    structure cached)."""
    m = ps.load_model(model)
    prot = ps.protocols.get(protocol)
    prot = prot.with_calendar(list(range(sessions)), prot.calendar.session_duration)

    def work():
        return ps.run_course(m, prot, seed=1, follow_up_days=(30,))

    warm_up = prot.with_calendar([0], prot.calendar.session_duration)  # imports, numba, the Cython cache
    _with_engine("runtime", lambda: ps.run_course(m, warm_up, seed=1, follow_up_days=(1,)))
    print(f"{model}, {protocol}, {sessions} sessions ({_load()}):", flush=True)
    times: dict[str, list] = {"runtime": [], "auto, cold": [], "auto, warm": []}
    results = {}
    plan = ["auto, cold"] + ["runtime", "auto, warm"] * rounds
    if fill:
        plan += ["standalone, fills the cache"] + ["runtime", "auto, all cached"] * rounds
        times["auto, all cached"] = []
    for name in plan:
        auto_reset()  # a new process: only the disk cache is warm
        builds, hits = StandaloneNetwork.builds, StandaloneNetwork.cache_hits
        t, res = _with_engine(name.split(",")[0] if name[0] in "rs" else "auto", work)
        times.setdefault(name, []).append(t)
        results.setdefault(name, res)
        same = name == "runtime" or "runtime" not in results or _identical(results["runtime"], res)
        print(f"  {name}: {t:.1f} s; {StandaloneNetwork.builds - builds} compilations, "
              f"{StandaloneNetwork.cache_hits - hits} binaries from the cache"
              + ("" if name == "runtime" else f"; auto: {_auto_choice()}") + f" ({_load()})", flush=True)
        if not same:
            diff = {v: float(np.nanmax(np.abs(results["runtime"][v].values - res[v].values)))
                    for v in res.data_vars if np.issubdtype(res[v].dtype, np.number)}
            print(f"    NOT identical; largest differences: {sorted(diff.items(), key=lambda x: -x[1])[:4]}")
    identical = all(_identical(results["runtime"], results[n]) for n in ("auto, cold", "auto, warm"))
    rt, cold, warm = min(times["runtime"]), times["auto, cold"][0], min(times["auto, warm"])
    per_round = [f"{a / b:.2f}x" for a, b in zip(times["runtime"], times["auto, warm"])]
    print(f"  => runtime {rt:.1f} s, auto cold {cold:.1f} s ({rt / cold:.2f}x), auto warm {warm:.1f} s "
          f"({rt / warm:.2f}x; per round {', '.join(per_round)}); fastest of {rounds}; identical results: {identical}",
          flush=True)
    if fill:
        every = min(times["auto, all cached"])
        print(f"  => every structure cached: auto {every:.1f} s ({rt / every:.2f}x the fastest runtime); identical: "
              f"{_identical(results['runtime'], results['auto, all cached'])}", flush=True)
    return dict(runtime=rt, cold=cold, warm=warm, identical=identical)


def main_course(sessions: int = 20, models=tuple(COURSES), rounds: int = 2, fill: bool = False) -> dict:
    """Issue 17's course of one patient, per model, in an empty private binary cache (removed at the end)."""
    cache = tempfile.mkdtemp(prefix="painsim_bench_engine_")
    os.environ["PAINSIM_STANDALONE_DIR"] = cache
    print(f"runtime target {os.environ.get('PAINSIM_TARGET', 'numpy')}, {os.cpu_count()} CPUs", flush=True)
    try:
        return {m: course_with_hint(m, COURSES[m], sessions, rounds, fill) for m in models}
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def parse_args(argv=None):
    """The command line (``--help``); a value out of range is refused before any work."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reruns", nargs="?", type=nonnegative_int, default=5,
                    help="reruns of the 4-window network (default 5; 0 skips the first part)")
    ap.add_argument("window_s", nargs="?", type=positive_float, default=2.0, help="window length, s (default 2)")
    ap.add_argument("sessions", nargs="?", type=nonnegative_int, default=12,
                    help="session days of the auto-engine course (default 12; 0 skips it)")
    ap.add_argument("patients", nargs="?", type=nonnegative_int, default=4,
                    help="patients of the auto-engine cohort (default 4; 0 skips it)")
    ap.add_argument("--course", type=nonnegative_int, default=0,
                    help="session days of the one-patient course (0: skip)")
    ap.add_argument("--course-models", type=one_of(tuple(COURSES), "models"), default=tuple(COURSES),
                    help=f"comma-separated models among {', '.join(COURSES)} (default: both)")
    ap.add_argument("--rounds", type=positive_int, default=2, help="runtime / auto-warm repetitions of the course")
    ap.add_argument("--fill-cache", action="store_true", help="also: every structure cached (standalone first)")
    ap.add_argument("--pathway-cost", action="store_true", help="cost per run of 4- and 64-point pathway networks")
    ap.add_argument("--pieces", type=nonnegative_int, default=0,
                    help="compiled engine: a network of this many pathway points as one program vs pieces")
    ap.add_argument("--profile-programs", type=nonnegative_int, default=0,
                    help="compiled engine: time per code object of a cohort batch's session networks "
                         "(this many patients)")
    return ap.parse_args(argv)


if __name__ == "__main__":
    a = parse_args()
    if a.reruns:
        main(a.reruns, a.window_s)
    main_auto(a.sessions, a.patients)
    if a.pathway_cost:
        pathway_cost()
    if a.pieces:
        pieces_cost(a.pieces)
    if a.profile_programs:
        profile_programs(a.profile_programs)
    if a.course:
        main_course(a.course, a.course_models, a.rounds, a.fill_cache)
