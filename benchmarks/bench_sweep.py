"""Throughput of the sweep engine (not a test).

Points per minute of the reference gate circuit (``gate_control``, full size,
1 s with noxious input and 50 Hz tonic stimulation, numpy codegen target),
all measured in this process and reported as ratios:

* batched (``batch_size`` points in ONE brian2 network) vs one point per
  network -- target >= 5x;
* 2 local worker processes vs 1 (both batched) -- target >= 1.7x on 2 free
  cores (worker start-up is included: it is part of what a user waits for),
  and the same in the steady state: each worker's points after its first batch,
  over the time from that batch's return to its last batch's (from the saved
  events: worker pid and time of each point; ``steady_rate``).

    python benchmarks/bench_sweep.py [--points 32] [--batch 16] [--duration 1]

Measurements: docs/sweeps_and_cohorts.md ("Sweep throughput").
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time

os.environ.setdefault("PAINSIM_TARGET", "numpy")

from _cli import positive_float, positive_int  # noqa: E402

from painsim.sweep import SweepStore, run_sweep  # noqa: E402


def spec(n_points: int, duration: float) -> dict:
    return {"name": "bench", "model": "gate_control", "duration": f"{duration} s", "noxious": 0.6,
            "seed": 1, "outcomes": ["pain", "pn_rate"],
            "stimulus": {"type": "tonic", "width": "200 us", "amplitude": 1.5, "rate": "50 Hz"},
            "parameters": {"pathology.disinhibition": {"min": 0.0, "max": 1.0, "n": n_points}}}


def batches_of(events) -> list[tuple[int, list[float]]]:
    """The persisted batches, in the order they were saved: ``(worker pid, [time of each point])``.

    The sweep saves a batch's points one after the other in the parent process when the batch
    comes back from its worker; each event records the worker's pid and the batch's computing
    time shared equally among its points (``compute_s``), so a new batch starts where either
    changes.
    """
    out, key = [], None
    for e in events:
        if e.get("event") != "done":
            continue
        k = (e["pid"], e["compute_s"])
        if k != key:
            out.append((e["pid"], []))
            key = k
        out[-1][1].append(e["time"])
    return out


def steady_rate(events) -> float:
    """Points per minute without each worker's first batch (worker start-up: imports, numba and
    brian2 warm-up in a fresh process, which a long sweep amortises).

    Per worker: the points of its later batches over the time from the first saved point of
    its first batch (that batch's computation had ended) to the last saved point of its last
    batch, so that every counted point was computed inside its window; the workers' rates are
    summed (they run side by side).  NaN if no worker computed more than one batch.
    """
    per_worker: dict = {}
    for pid, times in batches_of(events):
        per_worker.setdefault(pid, []).append(times)
    rate = 0.0
    counted = False
    for batches in per_worker.values():
        if len(batches) < 2:
            continue
        start, end = batches[0][0], batches[-1][-1]
        rate += sum(len(b) for b in batches[1:]) / (end - start) * 60.0
        counted = True
    return rate if counted else float("nan")


def timed(n_points, duration, **kw) -> tuple[float, float]:
    """Points per minute over the wall time of :func:`run_sweep`, and in the steady state
    (:func:`steady_rate`, from the same run's saved events)."""
    tmp = tempfile.mkdtemp(prefix="painsim-bench-")
    try:
        t = time.perf_counter()
        ds = run_sweep(spec(n_points, duration), store=os.path.join(tmp, "s"), progress=False, **kw)
        elapsed = time.perf_counter() - t
        assert ds.attrs["n_done"] == n_points, ds.attrs
        return n_points / elapsed * 60.0, steady_rate(SweepStore(os.path.join(tmp, "s")).read_events())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=positive_int, default=32)
    ap.add_argument("--batch", type=positive_int, default=16)
    ap.add_argument("--duration", type=positive_float, default=1.0, help="simulated time per point, s")
    args = ap.parse_args(argv)
    n, d = args.points, args.duration
    timed(2, 0.1, workers=0, batch_size=2)  # warm-up: imports, brian2 initialisation
    single, _ = timed(max(n // 4, 4), d, workers=0, batch_size=1)
    batched, _ = timed(n, d, workers=0, batch_size=args.batch)
    b = max(args.batch // 4, 1)
    one_worker, one_steady = timed(n, d, workers=1, batch_size=b)
    two_workers, two_steady = timed(n, d, workers=2, batch_size=b)
    print(f"gate circuit, {d:g} s per point, numpy target, {os.cpu_count()} CPUs")
    print(f"  one point per network        {single:8.1f} points/min")
    print(f"  {args.batch:2d} points per network       {batched:8.1f} points/min")
    print(f"  1 worker process, {b} per network   {one_worker:8.1f} points/min (steady state {one_steady:.1f})")
    print(f"  2 worker processes, {b} per network {two_workers:8.1f} points/min (steady state {two_steady:.1f})")
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"batched / single     = {batched / single:5.2f}x  (target >= 5)")
    print(f"2 workers / 1 worker = {two_workers / one_worker:5.2f}x wall, {two_steady / one_steady:5.2f}x steady state"
          f"  (target >= 1.7; 1-min load average during the run {load:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
