"""Throughput of a virtual cohort of 4-session rTMS test courses (patients per minute).

Three configurations of :func:`painsim.cohort.run` on the same patients
(``rtms_real_world`` preset on the whole pathway, the 4-session test course
of experiments/rtms_cohort.toml: days 0-3, relief at day 4):

* one patient per course batch (``batch_size = 1``; that patient's windows
  of a chunk, ~4, share one network), one process;
* all patients in one course batch (``batch_size = B``: the windows of all
  patients of a chunk share networks of up to 32 windows), one process;
* the same, ``workers = 2`` processes.

It reports patients per minute, seconds per patient, the ratios batched / one
patient per batch and 2 workers / 1 worker, checks that every patient's relief
is the same in all three (a patient's result must not depend on batch
companions or worker count), and extrapolates (linearly, from the measured
seconds per patient: an extrapolation, not a measurement) the wall time of a
cohort of ``--extrapolate`` patients (issue 17's target: 1000 patients in < 10 min
on 2 workers, 2 workers >= 1.8x one).  Each configuration also prints the CPU
seconds it used (this process, its workers and the compiled programs): on a
shared machine the wall time depends on the other processes, the CPU time less so.

``--before-max-points N`` (compiled engine: refused with ``--engine runtime``) first runs the batched configuration
with programs of up to N points (e.g. 100000: one program per network, the
engine before networks were cut into pieces of ``MAX_POINTS``) and prints the
after / before ratio measured in the same run.  Compilation (Cython) is excluded by a
warm-up course of one patient first.

``--engine standalone`` (or ``auto``) runs the compiled engine
(``PAINSIM_ENGINE``, inherited by the workers): the warm-up is then a cohort of
``--batch`` patients in one batch, which compiles the binaries of the measured
batches' structures (their size; choose ``--patients`` a multiple of 2 x ``--batch``
so that every batch of every configuration has that size) into a private binary
cache, so the measured runs take them from the disk cache (compilation excluded,
as for Cython).

Run:
    PAINSIM_TARGET=cython python benchmarks/bench_cohort.py [--patients 16] [--batch 16]
    PAINSIM_TARGET=cython python benchmarks/bench_cohort.py --patients 32 --skip-single   # worker scaling
    PAINSIM_TARGET=cython python benchmarks/bench_cohort.py --engine standalone --patients 64 --batch 16 \
        --skip-single                                        # issue 17: the compiled engine, 1 vs 2 workers
    PAINSIM_TARGET=cython python benchmarks/bench_cohort.py --engine standalone --patients 32 --batch 32 \
        --skip-single --before-max-points 100000             # pieces of 32 points vs one program per network
    python benchmarks/bench_cohort.py --engine standalone --patients 32 --batch 32 --replay-ab
                                        # the replay window by window vs a chunk per kernel call

``--replay-ab`` runs only the batched configuration, twice in this process: the
replay of spikes through the plasticity rules window by window (one numba call per
window and side, as before the replay kernels) and a chunk per call; it prints the CPU
seconds of each (total and in the replay), the ratios and whether every patient's
relief is identical.  ``--writes-ab`` (compiled engine: refused with ``--engine runtime``,
where the programs' writes do not exist) runs the batched configuration with programs that
write every array and with programs that skip the synapse arrays.

Measurements and where the time goes: docs/sweeps_and_cohorts.md ("Cohort throughput");
on the compiled engine: docs/circuits.md ("Courses and cohorts with the hint").
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
import warnings

import numpy as np
from _cli import positive_int

import painsim as ps


def test_course():
    return ps.protocols.from_spec({"base": "rtms_m1_20hz", "name": "rtms_m1_20hz_test", "days": [0, 1, 2, 3],
                                   "end_day": 4})


def _binaries() -> int:
    """Binaries in the compiled engine's disk cache (each compilation of any process publishes one)."""
    from painsim.circuits.standalone import standalone_root
    return len(list((standalone_root() / "bin").glob("*/main")))


def _cpu() -> float:
    """CPU seconds of this process and its finished descendants (worker processes, compiled programs)."""
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


class ReplayClock:
    """CPU seconds spent in the course engine's replay of spikes through the plasticity rules
    (:func:`painsim.course.session.replay_chunk`) in this process (not in worker processes)."""

    def __init__(self):
        self.cpu, self.calls = 0.0, 0

    def __enter__(self):
        from painsim.course import engine
        self._engine, self._real = engine, engine.replay_chunk

        def timed_replay(*args, **kw):
            c = time.process_time()
            try:
                return self._real(*args, **kw)
            finally:
                self.cpu += time.process_time() - c
                self.calls += 1
        engine.replay_chunk = timed_replay
        return self

    def __exit__(self, *exc):
        self._engine.replay_chunk = self._real


def timed(table, prot, **kw):
    before, cpu = _binaries(), _cpu()
    t = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ps.cohort.run(table, prot, model="pain_pathway", **kw)
    dt = time.time() - t
    cpu = _cpu() - cpu
    CPU[id(res)] = cpu
    # CPU time: the work done, whatever share of the cores other processes took meanwhile
    print(f"    ({cpu:.1f} CPU s in this process, its workers and programs: {cpu / len(table):.2f} CPU s per "
          f"patient; wall {dt:.1f} s)", flush=True)
    if os.environ.get("PAINSIM_ENGINE", "runtime") != "runtime":
        print(f"    (compiled engine: {_binaries() - before} new binaries compiled during this run)", flush=True)
    return dt, res


#: CPU seconds of each timed configuration (by id of its result table)
CPU: dict = {}


def replay_ab(table, prot, batch: int) -> dict:
    """The batched configuration twice in this process, the replay window by window
    (``painsim.course.session.REPLAY = "window"``, as before the replay kernels) and a chunk
    per call (``"chunk"``): CPU s in total and in the replay, the ratios, and whether every
    patient's relief and baseline pain are identical (``--replay-ab``)."""
    from painsim.course import session
    out = {}
    for mode in ("chunk", "window"):  # the new path first: a compilation left over would count against it
        session.REPLAY = mode
        with ReplayClock() as clock:
            dt, res = timed(table, prot, batch_size=batch)
        out[mode] = (dt, CPU[id(res)], clock.cpu, clock.calls, res)
        print(f"  replay {mode:6s}: wall {dt:7.1f} s, {CPU[id(res)]:7.1f} CPU s, of which replay {clock.cpu:6.2f} CPU s "
              f"({clock.calls} chunk replays; {clock.cpu / len(table):.3f} CPU s per patient) ({_load()})", flush=True)
    session.REPLAY = None  # $PAINSIM_REPLAY decides again
    (w_dt, w_cpu, w_rep, _, w_res), (c_dt, c_cpu, c_rep, _, c_res) = out["window"], out["chunk"]
    same = all(np.array_equal(w_res[v].to_numpy(), c_res[v].to_numpy(), equal_nan=True)
               for v in ("relief", "baseline_pain"))
    print(f"  => replay window / chunk: {w_rep / max(c_rep, 1e-9):.1f}x less replay CPU; whole cohort "
          f"{w_cpu / c_cpu:.3f}x less CPU, {w_dt / c_dt:.3f}x wall; CPU s per patient {w_cpu / len(table):.2f} -> "
          f"{c_cpu / len(table):.2f}; relief and baseline pain identical: {same}", flush=True)
    return out


def writes_ab(prot, table, batch: int) -> dict:
    """The batched configuration in this process with programs that write every array when a run
    ends (brian2's own programs, ``compiler.WRITE_SYNAPSE_ARRAYS = True``) and with programs that
    skip the synapse arrays (the default), each after a warm-up that compiles its binaries: CPU
    seconds of each, the ratio, and whether every patient's relief is identical (``--writes-ab``)."""
    from painsim.circuits import compiler
    out = {}
    for write_all in (True, False):
        compiler.WRITE_SYNAPSE_ARRAYS = write_all
        timed(ps.cohort.sample(batch, preset="rtms_real_world", seed=99), prot, batch_size=batch)  # compiles
        dt, res = timed(table, prot, batch_size=batch)
        out[write_all] = (dt, CPU[id(res)], res)
        label = "every array written" if write_all else "synapse arrays skipped"
        print(f"  {label:24s}: wall {dt:7.1f} s, {CPU[id(res)]:7.1f} CPU s ({CPU[id(res)] / len(table):.2f} per "
              f"patient) ({_load()})", flush=True)
    compiler.WRITE_SYNAPSE_ARRAYS = False
    (a_dt, a_cpu, a_res), (b_dt, b_cpu, b_res) = out[True], out[False]
    same = all(np.array_equal(a_res[v].to_numpy(), b_res[v].to_numpy(), equal_nan=True)
               for v in ("relief", "baseline_pain"))
    print(f"  => every array / synapse arrays skipped: {a_cpu / b_cpu:.3f}x CPU, {a_dt / b_dt:.3f}x wall; "
          f"relief and baseline pain identical: {same}", flush=True)
    return out


def _load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def _max_points(n: int | None) -> None:
    """The compiled engine's largest program (points) in this process and its future workers."""
    from painsim.circuits import standalone
    value = standalone.max_program_points() if n is None else int(n)
    os.environ["PAINSIM_STANDALONE_MAX_POINTS"] = str(value)
    standalone.MAX_POINTS = value


def main(n: int = 16, batch: int = 16, skip_single: bool = False, skip_workers: bool = False,
         engine: str = "runtime", extrapolate: int = 1000, before_max_points: int | None = None,
         replay: bool = False, writes: bool = False):
    os.environ["PAINSIM_ENGINE"] = engine  # inherited by the worker processes
    cache = None
    if engine != "runtime" and "PAINSIM_STANDALONE_DIR" not in os.environ:
        cache = tempfile.mkdtemp(prefix="painsim_bench_cohort_")  # a private binary cache, removed at the end
        os.environ["PAINSIM_STANDALONE_DIR"] = cache
    try:
        return _main(n, batch, skip_single, skip_workers, engine, extrapolate, before_max_points, replay, writes)
    finally:
        if cache:
            shutil.rmtree(cache, ignore_errors=True)


def _main(n, batch, skip_single, skip_workers, engine, extrapolate, before_max_points, replay=False, writes=False):
    target = os.environ.get("PAINSIM_TARGET", "numpy")
    prot = test_course()
    table = ps.cohort.sample(n, preset="rtms_real_world", seed=1)
    from painsim.circuits import standalone
    after_max_points = standalone.max_program_points()
    rows = {}
    if before_max_points is not None and engine != "runtime":
        # "before": the same configuration with programs of up to `before_max_points` points (the
        # engine before networks were cut into pieces: one program per network), in this run
        _max_points(before_max_points)
        t_warm, _ = timed(ps.cohort.sample(batch, preset="rtms_real_world", seed=99), prot, batch_size=batch)
        print(f"before (programs of up to {before_max_points} points): warm-up {t_warm:.1f} s ({_load()})",
              flush=True)
        name = f"before: batched ({batch}), max {before_max_points} points"
        rows[name] = timed(table, prot, batch_size=batch)
        print(f"  {name}: {rows[name][0]:7.1f} s ({_load()})", flush=True)
        _max_points(after_max_points)
    if engine == "runtime":
        t_warm, _ = timed(ps.cohort.sample(1, preset="rtms_real_world", seed=99), prot, batch_size=1)
        what = "1 patient"
    else:  # the structures of the measured batches: `batch` patients in one batch
        if n % (2 * batch):
            print(f"warning: {n} patients are not a multiple of 2 x {batch}: some batches have another size "
                  f"(another structure, compiled during the measurement)")
        t_warm, _ = timed(ps.cohort.sample(batch, preset="rtms_real_world", seed=99), prot, batch_size=batch)
        what = f"{batch} patients in one batch"
    print(f"target {target}, engine {engine}: warm-up ({what}, includes compilation) {t_warm:.1f} s ({_load()})",
          flush=True)
    if replay:
        return replay_ab(table, prot, batch)
    if writes:
        return writes_ab(prot, table, batch)
    if not skip_single:
        rows["one patient per batch"] = timed(table, prot, batch_size=1)
        print(f"  one patient per batch : {rows['one patient per batch'][0]:7.1f} s", flush=True)
    rows[f"batched ({batch})"] = timed(table, prot, batch_size=batch)
    print(f"  batched ({batch})     : {rows[f'batched ({batch})'][0]:7.1f} s ({_load()})", flush=True)
    if not skip_workers:
        rows[f"batched ({batch}), 2 workers"] = timed(table, prot, batch_size=batch, workers=2)
        print(f"  2 workers       : {rows[f'batched ({batch}), 2 workers'][0]:7.1f} s ({_load()})", flush=True)
    ref = None
    print(f"\n{n} patients, 4-session rTMS test course, target {target}, engine {engine}, {os.cpu_count()} CPUs; "
          f"{extrapolate} patients: extrapolated linearly from these {n}")
    for name, (dt, res) in rows.items():
        ppm = 60 * n / dt
        print(f"  {name:28s} {dt:8.1f} s   {dt / n:6.2f} s/patient   {ppm:6.2f} patients/min   "
              f"{extrapolate} patients (extrapolated): {extrapolate / ppm:6.1f} min")
        if ref is None:
            ref = res
        else:
            same = np.allclose(res.relief.to_numpy(), ref.relief.to_numpy(), rtol=0, atol=1e-12, equal_nan=True)
            print(f"  {'':28s} same relief per patient as the first configuration: {same}")
    names = list(rows)
    b = f"batched ({batch})"
    before = f"before: batched ({batch}), max {before_max_points} points"
    if before in rows:
        print(f"  after (programs of at most {after_max_points} points) / before, 1 process: "
              f"{rows[before][0] / rows[b][0]:.2f} x")
        if f"{b}, 2 workers" in rows:
            print(f"  after, 2 workers / before, 1 process: {rows[before][0] / rows[f'{b}, 2 workers'][0]:.2f} x")
    if "one patient per batch" in rows:
        print(f"  batched / one patient per batch: {rows['one patient per batch'][0] / rows[b][0]:.2f} x")
    if f"{b}, 2 workers" in rows:
        print(f"  2 workers / 1 worker:      {rows[b][0] / rows[f'{b}, 2 workers'][0]:.2f} x")
    best = min(dt for dt, _ in rows.values())
    print(f"  best: {60 * n / best:.2f} patients/min -> a {extrapolate}-patient cohort in "
          f"{extrapolate * best / n / 60:.1f} min (extrapolated; target: 1000 in < 10 min); configurations: {names}")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=positive_int, default=16)
    ap.add_argument("--batch", type=positive_int, default=16)
    ap.add_argument("--skip-single", action="store_true", help="skip the one-patient-per-batch run")
    ap.add_argument("--skip-workers", action="store_true", help="skip the 2-worker run")
    ap.add_argument("--engine", default="runtime", choices=("runtime", "auto", "standalone"),
                    help="PAINSIM_ENGINE of this process and its workers")
    ap.add_argument("--extrapolate", type=positive_int, default=1000, help="cohort size of the extrapolated wall time")
    ap.add_argument("--before-max-points", type=positive_int, default=None,
                    help="compiled engine: also run the batched configuration first with programs of up to this "
                         "many points (e.g. 100000: one program per network, the engine before pieces) and print "
                         "the ratio")
    ap.add_argument("--replay-ab", action="store_true",
                    help="only the batched configuration, in this process, with the replay window by window and "
                         "a chunk per call (the replay kernels): CPU ratios, identical relief")
    ap.add_argument("--writes-ab", action="store_true",
                    help="compiled engine: only the batched configuration, in this process, with programs that "
                         "write every array when a run ends and with programs that skip the synapse arrays (the "
                         "default): CPU ratio, identical relief")
    a = ap.parse_args()
    if a.engine == "runtime" and a.before_max_points is not None:
        ap.error("--before-max-points sets the compiled engine's largest program: use it with --engine "
                 "standalone or auto (the runtime engine has no programs)")
    if a.engine == "runtime" and a.writes_ab:
        ap.error("--writes-ab compares the compiled engine's programs (WRITE_SYNAPSE_ARRAYS): use it with "
                 "--engine standalone or auto")
    if a.replay_ab and a.writes_ab:
        ap.error("--replay-ab and --writes-ab are two separate runs: choose one")
    main(a.patients, a.batch, a.skip_single, a.skip_workers, a.engine, a.extrapolate, a.before_max_points,
         a.replay_ab, a.writes_ab)
