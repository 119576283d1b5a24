"""Speed of a treatment course, as a ratio to one simulated second of the same network.

A 20-session course (the library's 1 Hz conditioning protocol, 20 minutes a
day for 20 days, default [course] engine settings) of the neuropathic preset,
against ``simulate`` of 1 s of the same network.  The ratio is what a course
costs in units of simulated network seconds, and is roughly independent of
the machine; the issue's target is a course in under a minute of one core.

Run: PAINSIM_TARGET=numpy python benchmarks/bench_course.py [--sessions 20]    (or =cython)

Measured (2-core development machine, nothing else running): numpy target
119.8 s (68x one simulated second, 1.76 s); Cython target, warm cache, 50.0 s
(54x, 0.93 s): under the one-minute target.  Relief at day 30: 18.2 % in both.
Before the one-group network and the fixed clock name: 658 s (numpy, 79x).
With shared group parameters and reused networks (session 4): Cython 55.7 s
(51x one simulated second, 1.09 s: the machine was slower that day; the
ratio is the comparable number), relief at day 30 18.2 % unchanged.
Where the time goes and what a course costs in general: docs/courses.md ("Speed").
"""
from __future__ import annotations

import argparse
import os
import time

from _cli import positive_int

import painsim as ps


def main(n_sessions: int = 20):
    m = ps.load_model("neuropathic")
    ps.simulate(m, noxious=0.6, duration="1 s", seed=1)  # warm-up (imports, code generation, numba caches)
    t = time.time()
    ps.simulate(m, noxious=0.6, duration="1 s", seed=1)
    one = time.time() - t
    prot = ps.protocols.get("lfs_1hz").with_calendar(list(range(n_sessions)), 20 * 60.0)
    t = time.time()
    out = ps.run_course(m, prot, seed=1, follow_up_days=(30, 90))
    course = time.time() - t
    print(f"target {os.environ.get('PAINSIM_TARGET', 'numpy')}: 1 s of network {one:.2f} s wall; "
          f"{n_sessions}-session course {course:.1f} s wall = {course / one:.1f} x one simulated second; "
          f"relief at day 30 {float(out.relief.sel(day=30)):.1f} %")
    return course / one


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=positive_int, default=20, help="session days of the course (default 20)")
    main(ap.parse_args().sessions)
