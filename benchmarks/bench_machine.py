"""How well this machine runs two programs at once (not a test): the ceiling of any
2-worker speed-up measured here.

Issue 17 asks that 2 workers run a cohort at least 1.8x faster than one.  Whether any
program can do that on a given machine depends on the machine: two processes share the
last-level cache and the memory bus, and a virtual machine's cores may share a host's.
This benchmark runs one and the same single-threaded numba loop (leaky integrate-and-fire
updates of ``n`` neurons, the shape of a brian2 state update) alone and as two processes at
once, for state sizes that fit the per-core caches, the shared L3 cache (two of them or
one), and neither, and
prints per size: the time of one job alone, the time of a pair, and the speed-up
2 x alone / pair.  Both sides time the same thing, the loop inside the worker (its state
allocated and the kernel loaded before the clock starts); a pair's two loops start together
(a barrier) and the pair's time runs from the first loop's start to the last one's end (a worker
descheduled after the barrier is charged; ``perf_counter`` is one monotonic clock for every
process on Linux).  Without interference the speed-up
is 2; a speed-up below 2 at a size means that two programs of that size slow each other down
on this machine, whatever they compute.  (Before 2026-12-07 the pair was timed by the parent
around the two jobs, allocation, warm-up and messaging included, against the loop alone: a
ratio biased below 2.)

Rounds alternate alone and pair runs; medians are printed beside the range, because a
shared machine's timings move by tens of per cent between runs.

    python benchmarks/bench_machine.py [--rounds 5] [--seconds 1.5]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import time

import numba
import numpy as np
from _cli import positive_float, positive_int

#: neurons per size: 2 float64 arrays each (16 B per neuron).  On the development machine
#: (AMD EPYC, 2 cores, 1 MB L2 each, 32 MB L3 shared): a pair of 8 MB states fits the L3
#: together, a pair of 20 MB states fits it only one at a time, 128 MB fits nowhere.
SIZES = {"per-core cache (16 KB)": 1_000, "L3, pair fits (8 MB)": 500_000,
         "L3, one fits (20 MB)": 1_250_000, "memory (128 MB)": 8_000_000}


@numba.njit(cache=True)
def _lif(v, drive, steps):
    """``steps`` Euler steps of dv/dt = (drive - v) / 100 steps, reset to 0 above 1."""
    spikes = 0
    for _ in range(steps):
        for k in range(v.size):
            v[k] += 0.01 * (drive[k] - v[k])
            if v[k] > 1.0:
                v[k] = 0.0
                spikes += 1
    return spikes


#: the pool workers' barrier (:func:`_init`): the two loops of a pair start together
_BARRIER = None


def _init(barrier):
    global _BARRIER
    _BARRIER = barrier


def _job(n, steps, together=False):
    """One job: its own state, the loop timed (compiled or loaded from numba's cache first);
    ``together``: the loop waits for the other worker's (one job per worker, started at once) and
    its start and end times are returned instead of its length."""
    v, drive = np.empty(n), np.linspace(0.5, 2.0, n)
    v.fill(0.0)   # every page touched before the clock starts
    _lif(v[:1].copy(), drive[:1], 1)
    if together:
        _BARRIER.wait(timeout=600)
    t = time.perf_counter()
    _lif(v, drive, steps)
    return (t, time.perf_counter()) if together else time.perf_counter() - t


def _steps_for(n, seconds):
    """Steps that take about ``seconds`` alone (calibrated on runs doubled until one lasts 0.2 s)."""
    probe = max(1, 2_000_000 // n)
    while (t := _job(n, probe)) < 0.2:
        probe *= 2
    return max(1, int(probe * seconds / t))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=positive_int, default=5)
    ap.add_argument("--seconds", type=positive_float, default=1.5, help="length of one job alone")
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    print(f"{os.cpu_count()} logical CPUs; load average {os.getloadavg()[0]:.2f} at the start")
    print(f"\n{'state size':24s} {'alone s (median, range)':>26s} {'pair s (median, range)':>25s} "
          f"{'2 x alone / pair':>17s}")
    with ctx.Pool(2, initializer=_init, initargs=(ctx.Barrier(2),)) as pool:
        for label, n in SIZES.items():
            steps = _steps_for(n, a.seconds)
            pool.starmap(_job, [(n, 1, True)] * 2)   # both workers: numba cache loaded
            alone, pair = [], []
            for _ in range(a.rounds):
                alone.append(pool.apply(_job, (n, steps)))
                spans = pool.starmap(_job, [(n, steps, True)] * 2)  # the loops, started together
                pair.append(max(e for _, e in spans) - min(s for s, _ in spans))
            ma, mp_ = float(np.median(alone)), float(np.median(pair))
            print(f"{label:24s} {ma:8.2f} ({min(alone):.2f}-{max(alone):.2f}) {'':5s} "
                  f"{mp_:8.2f} ({min(pair):.2f}-{max(pair):.2f}) {'':3s} {2 * ma / mp_:12.2f}")
    print(f"\nmedians of {a.rounds} rounds, alone and pair alternating; load average "
          f"{os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
