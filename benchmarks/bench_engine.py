"""The runtime engine against the opt-in compiled engine (brian2 ``cpp_standalone``)
on a small course-like workload: one 4-window network (3 stimulated windows and
the companion of one neuropathic patient) rerun with new efficacies.

Both engines build the network once; the runtime engine restores its stored
initial state before each rerun, the standalone engine compiles once (C++) and
reruns its program with the efficacies as run-time arguments.  Printed: build
(compile) time, time per rerun, the ratio per rerun, whether every spike of
every rerun is identical, and the reruns after which the compile has paid off.

Run: python benchmarks/bench_engine.py [reruns] [window_s]
     (PAINSIM_TARGET selects the runtime engine's target: numpy (default) or cython)

Measured: see docs/circuits.md ("The compiled engine").
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

import painsim as ps
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


if __name__ == "__main__":
    main(*(int(sys.argv[1]),) if len(sys.argv) > 1 else (),
         **({"window": float(sys.argv[2])} if len(sys.argv) > 2 else {}))
