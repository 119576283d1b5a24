"""Batched vs one-point-per-network throughput of the brian2 network.

For the single-segment gate (``gate_control``) and the whole pathway
(``pain_pathway``), simulates N points (different seeds) once as N separate
networks and once as one block-diagonal network, in the same process, and
prints simulated point-seconds per wall second and their ratio (machines are
noisy: compare ratios, not times).  The brian2 target is PAINSIM_TARGET
(default numpy; try PAINSIM_TARGET=cython for large batches).

Run:  python benchmarks/bench_network.py [N] [duration_s]

Measurements: docs/circuits.md ("Batched networks").
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _cli import positive_float, positive_int  # noqa: E402

import painsim as ps  # noqa: E402
from painsim.circuits import codegen_target  # noqa: E402


def rate(model, n, duration, batch_size):
    reqs = [ps.Request(model, None, 0.6, seed=k) for k in range(n)]
    t0 = time.perf_counter()
    ps.simulate_batch(reqs, f"{duration} s", batch_size=batch_size)
    return n * duration / (time.perf_counter() - t0)


def main(n: int = 8, duration: float = 0.5):
    print(f"{n} points x {duration} s, brian2 target {codegen_target()}")
    for name in ("gate_control", "pain_pathway"):
        model = ps.load_model(name)
        rate(model, 1, 0.05, 1)  # warm-up (imports, first code objects)
        single = rate(model, n, duration, 1)
        batched = rate(model, n, duration, n)
        print(f"{name:14s} one per network {single:6.3f} point-s/s   one network {batched:6.3f} point-s/s"
              f"   ratio {batched / single:5.1f}x")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("N", nargs="?", type=positive_int, default=8, help="points (default 8)")
    ap.add_argument("duration_s", nargs="?", type=positive_float, default=0.5,
                    help="simulated time per point, s (default 0.5)")
    a = ap.parse_args()
    main(a.N, a.duration_s)
