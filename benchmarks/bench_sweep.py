"""Throughput of the sweep engine (not a test).

Points per minute of the reference gate circuit (``gate_control``, full size,
1 s with noxious input and 50 Hz tonic stimulation, numpy codegen target),
all measured in this process and reported as ratios:

* batched (``batch_size`` points in ONE brian2 network) vs one point per
  network -- target >= 5x;
* 2 local worker processes vs 1 (both batched) -- target >= 1.7x on 2 free
  cores (worker start-up is included: it is part of what a user waits for).

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

from painsim.sweep import SweepStore, run_sweep  # noqa: E402


def spec(n_points: int, duration: float) -> dict:
    return {"name": "bench", "model": "gate_control", "duration": f"{duration} s", "noxious": 0.6,
            "seed": 1, "outcomes": ["pain", "pn_rate"],
            "stimulus": {"type": "tonic", "width": "200 us", "amplitude": 1.5, "rate": "50 Hz"},
            "parameters": {"pathology.disinhibition": {"min": 0.0, "max": 1.0, "n": n_points}}}


def timed(n_points, duration, steady=False, **kw) -> float:
    """Points per minute: over the wall time, or (steady) between the first and last persisted batch.

    The steady-state rate leaves out worker start-up (imports, numba and brian2 warm-up in a
    fresh process), a fixed cost that a long sweep amortises.
    """
    tmp = tempfile.mkdtemp(prefix="painsim-bench-")
    try:
        t = time.perf_counter()
        ds = run_sweep(spec(n_points, duration), store=os.path.join(tmp, "s"), progress=False, **kw)
        elapsed = time.perf_counter() - t
        assert ds.attrs["n_done"] == n_points, ds.attrs
        if not steady:
            return n_points / elapsed * 60.0
        ev = SweepStore(os.path.join(tmp, "s")).read_events()
        times = sorted(e["time"] for e in ev)
        first = times[0]
        later = [x for x in times if x > first + 1e-3]
        return len(later) / (times[-1] - first) * 60.0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=32)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--duration", type=float, default=1.0)
    args = ap.parse_args(argv)
    n, d = args.points, args.duration
    timed(2, 0.1, workers=0, batch_size=2)  # warm-up: imports, brian2 initialisation
    single = timed(max(n // 4, 4), d, workers=0, batch_size=1)
    batched = timed(n, d, workers=0, batch_size=args.batch)
    b = max(args.batch // 4, 1)
    one_worker = timed(n, d, workers=1, batch_size=b)
    two_workers = timed(n, d, workers=2, batch_size=b)
    one_steady = timed(n, d, steady=True, workers=1, batch_size=b)
    two_steady = timed(n, d, steady=True, workers=2, batch_size=b)
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
