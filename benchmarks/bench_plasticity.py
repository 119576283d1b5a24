"""Throughput of the plasticity kernels (not a test).

An "update" is one synapse visited for one spike event (for the calcium rule
and scaling, also the end-of-window visit of each synapse), as counted by the
kernels.  Printed: updates/s of the numba kernel (one core: the kernels are
serial), of the plain-numpy reference, and of brian2's own online pair STDP
(``Synapses`` with ``on_pre``/``on_post``, event-driven traces, numpy
codegen target) on the same spikes, all measured in this process.

    python benchmarks/bench_plasticity.py [--quick]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from painsim import plasticity as pl

TARGET = 1.5e7


def network(n_pre, n_post, fan_in, rate, T, seed=0):
    rng = np.random.default_rng(seed)

    def trains(n):
        k = rng.poisson(rate * T, n)
        t = rng.uniform(0, T, k.sum())
        i = np.repeat(np.arange(n), k)
        o = np.argsort(t, kind="stable")
        return t[o], i[o]
    pt, pi = trains(n_pre)
    qt, qi = trains(n_post)
    sq = np.repeat(np.arange(n_post), fan_in)
    sp = rng.integers(0, n_pre, sq.size)
    w0 = rng.uniform(0.2, 0.8, sq.size)
    return dict(pt=pt, pi=pi, qt=qt, qi=qi, sp=sp, sq=sq, w0=w0, n_pre=n_pre, n_post=n_post, T=T)


def args_for(rule, net, T):
    st = rule.initial_state(net["sp"].size, net["n_pre"], net["n_post"])
    return (net["pt"], net["pi"], net["qt"], net["qi"], net["sp"], net["sq"], net["w0"], st,
            0.0, T, 0.0, 1.0)


def best_of(f, repeat=3):
    best = np.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_brian2(net, T, rule):
    import brian2 as b2
    b2.prefs.codegen.target = "numpy"
    b2.start_scope()
    b2.defaultclock.dt = 0.1 * b2.ms
    dt = 1e-4
    # brian2 needs one spike per neuron per step: round to the grid and drop duplicates
    def grid(t, i):
        k = np.round(t / dt).astype(np.int64)
        key = np.unique(k * (i.max() + 1) + i)
        return (key // (i.max() + 1)) * dt, key % (i.max() + 1)
    pt, pi = grid(net["pt"], net["pi"])
    qt, qi = grid(net["qt"], net["qi"])
    P = b2.SpikeGeneratorGroup(net["n_pre"], pi, pt * b2.second)
    Q = b2.SpikeGeneratorGroup(net["n_post"], qi, qt * b2.second)
    S = b2.Synapses(P, Q, """w : 1
        dapre/dt = -apre/taup : 1 (event-driven)
        dapost/dt = -apost/taum : 1 (event-driven)""",
                    on_pre="w = clip(w - Am*apost, 0, 1)\napre += 1",
                    on_post="w = clip(w + Ap*apre, 0, 1)\napost += 1",
                    namespace=dict(taup=rule.tau_plus * b2.second, taum=rule.tau_minus * b2.second,
                                   Ap=rule.A_plus, Am=rule.A_minus))
    S.connect(i=net["sp"], j=net["sq"])
    S.w = net["w0"]
    nw = b2.Network(P, Q, S)
    warm = 0.05
    nw.run(warm * b2.second)  # code generation and setup happen here
    t0 = time.perf_counter()
    nw.run((T - warm) * b2.second)
    elapsed = time.perf_counter() - t0
    fan_out = np.bincount(net["sp"], minlength=net["n_pre"])
    fan_in = np.bincount(net["sq"], minlength=net["n_post"])
    sel_p = pt >= warm - 1e-12
    sel_q = qt >= warm - 1e-12
    updates = fan_out[pi[sel_p]].sum() + fan_in[qi[sel_q]].sum()
    return updates / elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    T = 1.0 if a.quick else 4.0
    net = network(n_pre=2000, n_post=200, fan_in=500, rate=10.0, T=T)
    n_ref_T = 0.02   # the references are slow: time them on a short stretch of the same spikes
    rules = {
        "pair_stdp (all-to-all, additive)": pl.PairSTDP(),
        "pair_stdp (nearest, multiplicative)": pl.PairSTDP(interaction="nearest", update="multiplicative"),
        "triplet_stdp (visual, full)": pl.TripletSTDP.preset("visual_cortex_all_to_all"),
        "calcium (cortical slices)": pl.CalciumRule(),
        "bcm": pl.BCM(),
        "synaptic_scaling": pl.SynapticScaling(),
    }
    print(f"network: {net['n_pre']} pre, {net['n_post']} post, {net['sp'].size} synapses, "
          f"{net['pt'].size} pre + {net['qt'].size} post spikes over {T} s")
    rows = []
    for name, rule in rules.items():
        rule.apply_counted(*args_for(rule, net, 0.01))  # compile / load the cache
        t_k, (_, _, n_k) = best_of(lambda: rule.apply_counted(*args_for(rule, net, T)))
        rate_k = n_k / t_k
        _, _, n_r = rule.apply_counted(*args_for(rule, net, n_ref_T))
        t_r, _ = best_of(lambda: rule.apply_reference(*args_for(rule, net, n_ref_T)), repeat=1)
        rate_r = n_r / t_r
        rows.append((name, rate_k, rate_k / rate_r))
    rate_b2 = bench_brian2(net, T, rules["pair_stdp (all-to-all, additive)"])
    print(f"\n{'rule':38s} {'kernel upd/s':>14s} {'x numpy ref':>12s} {'x brian2':>10s} {'>= 1.5e7':>9s}")
    for name, rk, ratio_ref in rows:
        vs_b2 = f"{rk / rate_b2:10.1f}" if name.startswith("pair_stdp (all") else f"{'':>10s}"
        print(f"{name:38s} {rk:14.3e} {ratio_ref:12.0f} {vs_b2} {'yes' if rk >= TARGET else 'NO':>9s}")
    print(f"\nbrian2 online pair STDP (numpy target, dt = 0.1 ms): {rate_b2:.3e} updates/s")
    print("kernel = numba, single thread; references timed on the first "
          f"{n_ref_T * 1e3:.0f} ms of the same spikes.")


if __name__ == "__main__":
    main()
