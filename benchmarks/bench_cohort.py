"""Throughput of a virtual cohort of 4-session rTMS test courses (patients per minute).

Three configurations of :func:`painsim.cohort.run` on the same patients
(``rtms_real_world`` preset on the whole pathway, the 4-session test course
of experiments/rtms_cohort.toml: days 0-3, relief at day 4):

* one patient per brian2 network (``batch_size = 1``), one process;
* batched (``batch_size = B``), one process;
* batched, ``workers = 2`` processes.

It reports patients per minute, the ratios batched / one-per-network and
2 workers / 1 worker, checks that every patient's relief is the same in all
three (a patient's result must not depend on batch companions or worker
count), and extrapolates the wall time of a 200-patient cohort (the issue's
target: < 10 min on a 2-core machine).  Compilation (Cython) is excluded by a
warm-up course of one patient first.

Run:
    PAINSIM_TARGET=cython python benchmarks/bench_cohort.py [--patients 8] [--batch 4]

Measured (2-core development machine shared with other jobs, Cython target, warm
cache, rtms_real_world patients of seed 1; full runs of this script did not fit
the session, so from the runs that did):

=====================================  =========  ================  ==============
configuration                          patients   wall              patients/min
=====================================  =========  ================  ==============
1 process, 2 patients per network      2          659 s (*)         0.18
2 workers, 2 patients per network      4          588 s             0.41
=====================================  =========  ================  ==============

(*) includes the compilation of ~30 remaining Cython modules.  2 workers / 1
worker: 2.2x as measured, ~1.7-2x without that compilation.  Batched / one per
network was not measured for courses; for single windows of the pathway network
benchmarks/bench_network.py measured 6.2x at 8 points (numpy target).  A
200-patient cohort at 0.41 patients/min takes ~8 h: the issue's target
(< 10 min, i.e. 20 patients/min) is missed by ~50x.  The cost is in brian2
running the pathway network for the session windows (py-spy: ~50 % in the
Cython code objects, ~25 % in brian2's Python run loop and code-object set-up);
larger batches per network and fewer distinct windows per session are where
the time is.
"""
from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

import painsim as ps


def test_course():
    return ps.protocols.from_spec({"base": "rtms_m1_20hz", "name": "rtms_m1_20hz_test", "days": [0, 1, 2, 3],
                                   "end_day": 4})


def timed(table, prot, **kw):
    t = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ps.cohort.run(table, prot, model="pain_pathway", **kw)
    return time.time() - t, res


def main(n: int = 8, batch: int = 4, skip_single: bool = False, skip_workers: bool = False):
    target = os.environ.get("PAINSIM_TARGET", "numpy")
    prot = test_course()
    table = ps.cohort.sample(n, preset="rtms_real_world", seed=1)
    t_warm, _ = timed(ps.cohort.sample(1, preset="rtms_real_world", seed=99), prot, batch_size=1)
    print(f"target {target}: warm-up course (1 patient, includes compilation) {t_warm:.1f} s", flush=True)
    rows = {}
    if not skip_single:
        rows["one per network"] = timed(table, prot, batch_size=1)
        print(f"  one per network : {rows['one per network'][0]:7.1f} s", flush=True)
    rows[f"batched ({batch})"] = timed(table, prot, batch_size=batch)
    print(f"  batched ({batch})     : {rows[f'batched ({batch})'][0]:7.1f} s", flush=True)
    if not skip_workers:
        rows[f"batched ({batch}), 2 workers"] = timed(table, prot, batch_size=batch, workers=2)
        print(f"  2 workers       : {rows[f'batched ({batch}), 2 workers'][0]:7.1f} s", flush=True)
    ref = None
    print(f"\n{n} patients, 4-session rTMS test course, target {target}, {os.cpu_count()} CPUs")
    for name, (dt, res) in rows.items():
        ppm = 60 * n / dt
        print(f"  {name:28s} {dt:8.1f} s   {ppm:6.2f} patients/min   200 patients: {200 / ppm:6.1f} min")
        if ref is None:
            ref = res
        else:
            same = np.allclose(res.relief.to_numpy(), ref.relief.to_numpy(), rtol=0, atol=1e-12, equal_nan=True)
            print(f"  {'':28s} same relief per patient as the first configuration: {same}")
    names = list(rows)
    b = f"batched ({batch})"
    if "one per network" in rows:
        print(f"  batched / one per network: {rows['one per network'][0] / rows[b][0]:.2f} x")
    if f"{b}, 2 workers" in rows:
        print(f"  2 workers / 1 worker:      {rows[b][0] / rows[f'{b}, 2 workers'][0]:.2f} x")
    best = min(dt for dt, _ in rows.values())
    print(f"  best: {60 * n / best:.2f} patients/min -> a 200-patient cohort in {200 * best / n / 60:.1f} min "
          f"(target < 10 min); configurations: {names}")
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=8)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--skip-single", action="store_true", help="skip the one-patient-per-network run")
    ap.add_argument("--skip-workers", action="store_true", help="skip the 2-worker run")
    a = ap.parse_args()
    main(a.patients, a.batch, a.skip_single, a.skip_workers)
