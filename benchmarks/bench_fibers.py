"""Throughput of the fiber recruitment kernel (painsim.fibers.kernel).

Measures node-steps per second of the numba kernel on one core (target >= 1e8)
and of the pure-numpy reference, in the same process, and prints their ratio.
Run:  python benchmarks/bench_fibers.py     (no options)
"""
import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from painsim import fibers as F  # noqa: E402
from painsim.stimulation import Waveform  # noqa: E402


def main():
    pop = F.FiberPopulation.sample({"Abeta": 100, "Adelta": 100, "C": 200},
                                   geometry="peripheral_nerve", seed=0)
    dt = 2e-6
    node = F.NodeConstants(pop, dt)
    # a 10 kHz, 30 us biphasic train at 2 mA as drive
    wf = Waveform(np.arange(0, 0.2, 1e-4), 30e-6, 2e-3, 0.2, amplitude_kind="current")
    n_steps = 50_000
    drive = F.step_drive(wf, 0, n_steps, dt, 1.0)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((pop.n, (n_steps + node.n_sub - 1) // node.n_sub))
    c = pop.coupling()

    state = node.initial_state(rng)
    F.run_chunk(drive[:100], c, node, tuple(s.copy() for s in state), z)  # compile
    best = np.inf
    for _ in range(3):
        s = tuple(a.copy() for a in state)
        t0 = time.perf_counter()
        F.run_chunk(drive, c, node, s, z)
        best = min(best, time.perf_counter() - t0)
    nb_rate = pop.n * n_steps / best

    n_ref = 2_000
    s = tuple(a.copy() for a in state)
    t0 = time.perf_counter()
    F.node_reference(drive[:n_ref], c, *node.args(), z, node.n_sub, *s)
    ref_rate = pop.n * n_ref / (time.perf_counter() - t0)

    # end to end: waveform sampling, noise generation and kernel
    t0 = time.perf_counter()
    F.fiber_spikes(wf.cropped(0, 0.1) if hasattr(wf, "cropped") else wf, pop, 1.0, seed=0, dt=dt)
    e2e = time.perf_counter() - t0
    e2e_steps = pop.n * int(np.ceil((wf.duration if not hasattr(wf, "cropped") else 0.1) / dt))

    print(f"fibers: {pop.n}, dt = {dt * 1e6:g} us")
    print(f"numba kernel      : {nb_rate:.3e} node-steps/s (one core; target >= 1e8)")
    print(f"numpy reference   : {ref_rate:.3e} node-steps/s")
    print(f"ratio numba/numpy : {nb_rate / ref_rate:.1f}x")
    print(f"end to end (drive + noise + kernel): {e2e_steps / e2e:.3e} node-steps/s")


if __name__ == "__main__":
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    main()
