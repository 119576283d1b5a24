"""Convergence of the session engine: chunked extrapolation vs full simulation.

A short session (40 s) of 1 Hz conditioning at C-fibre strength on the
neuropathic preset is simulated (a) in full: every 1 s window simulated with
the weights left by the previous one, and (b) chunked, for several window
lengths and chunk counts.  Reported: the relative error of the mean efficacy
change of each plastic connection (chunked vs full), for the presynaptically
driven calcium rule (the library default for spinal protocols) and for pair
STDP (post-dependent: the weight change feeds back on the firing it learns
from).  The numbers and their reading are in docs/courses.md ("Chunking
error study").

Measured (numpy target, seed 3; full run: calcium c_pn -0.0090, adelta_pn
-0.0088; pair STDP c_pn -0.0278, adelta_pn +0.0218), largest relative error
of the mean efficacy change / |pain difference|:

    calcium, spinal_presynaptic  1 s    n_chunks 1     3.5e-6    0.000 NRS
                                 1 s    n_chunks 2     8.8e-7    0.000 NRS
                                 1 s    n_chunks 4     2.3e-7    0.000 NRS
                                 2 s    n_chunks 1, 2  0.24      0.025 NRS
                                 0.5 s  n_chunks 2     1.04      0.025 NRS
    pair STDP                    1 s    n_chunks 1     0.24      0.012 NRS
                                 1 s    n_chunks 2     0.16      0.000 NRS
                                 1 s    n_chunks 4     0.055     0.000 NRS
                                 2 s    n_chunks 1, 2  2.8-2.9   0.195 NRS
                                 0.5 s  n_chunks 2     1.8       0.060 NRS

Run: PAINSIM_TARGET=numpy python benchmarks/course_convergence.py [--seed 3]
"""
from __future__ import annotations

import argparse
import time

from _cli import nonnegative_int

import painsim as ps

SESSION_S = 40.0
RULES = {
    "calcium/spinal_presynaptic": {},
    "pair_stdp": {"plasticity.c_pn.rule": "pair_stdp", "plasticity.c_pn.preset": "none",
                  "plasticity.adelta_pn.rule": "pair_stdp", "plasticity.adelta_pn.preset": "none"},
}


def change(ds, conn):
    return float(ds[f"w_{conn}_after_session"][0]) - 1.0


def main(seed=3):
    base = ps.load_model("neuropathic")
    prot = ps.protocols.get("lfs_1hz").with_calendar([0], SESSION_S)
    rows = []
    for rule, over in RULES.items():
        prot_r = prot if not over else ps.protocols.Protocol(
            prot.name, prot.calendar, prot.stimulus, prot.period, {**prot.plasticity, **over}, prot.citation)
        m = base.with_params({"course.window": "1 s"})
        t = time.time()
        full = ps.run_course(m, prot_r, seed=seed, follow_up_days=(), session="full")
        t_full = time.time() - t
        conns = full.attrs["plastic_connections"].split()
        ref = {c: change(full, c) for c in conns}
        print(f"{rule}: full run ({int(SESSION_S)} windows of 1 s) {t_full:.0f} s; "
              + ", ".join(f"{c} {ref[c]:+.4f}" for c in conns), flush=True)
        for window, n_chunks in (("1 s", 1), ("1 s", 2), ("1 s", 4), ("2 s", 1), ("2 s", 2), ("0.5 s", 2)):
            mm = base.with_params({"course.window": window, "course.n_chunks": n_chunks})
            t = time.time()
            ch = ps.run_course(mm, prot_r, seed=seed, follow_up_days=())
            dt = time.time() - t
            err = max(abs(change(ch, c) - ref[c]) / max(abs(ref[c]), 1e-12) for c in conns)
            pain_err = abs(float(ch.pain_after_session[0]) - float(full.pain_after_session[0]))
            rows.append((rule, window, n_chunks, err, pain_err, dt))
            print(f"  window {window:6s} n_chunks {n_chunks}: rel. error of mean efficacy change {err:.2e}, "
                  f"|pain difference| {pain_err:.3f} NRS, {dt:.0f} s", flush=True)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=nonnegative_int, default=3, help="seed of every run (default 3)")
    main(ap.parse_args().seed)
