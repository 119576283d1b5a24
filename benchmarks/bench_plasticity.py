"""Throughput of the plasticity kernels (not a test).

An "update" is one synapse visited for one spike event (for the calcium rule
and scaling, also the end-of-window visit of each synapse), as counted by the
kernels.  Printed: updates/s of the numba kernel (one core: the kernels are
serial), of the plain-numpy reference, and of brian2's own online pair STDP
(``Synapses`` with ``on_pre``/``on_post``, event-driven traces, numpy
codegen target) on the same spikes, all measured in this process.

The calcium rule is also timed against ``baseline``: a frozen copy of its
numba kernel before issue 17 (4 lanes, step lists of (h, c0, c1)), on the same
network in the same run, with the ratio, the largest difference of the weights
and whether the rule states are bit-identical.  The weights differ by rounding
only: the kernel now carries each synapse's calcium scaled (one exponential per
neuron and event instead of one per synapse and event), which rounds calcium
differently in its last bits; the states are computed as before.

    python benchmarks/bench_plasticity.py [--quick] [--repeat 3]
    python benchmarks/bench_plasticity.py --replay    # the course engine's replay: per window vs per chunk
"""
from __future__ import annotations

import argparse
import time

import math

import numba
import numpy as np
from _cli import positive_int

from painsim import plasticity as pl
from painsim.plasticity.base import _csr  # unchanged by issue 17: the baseline shares it (numba types it: painsim.jit)

TARGET = 1.5e7


# --------------------------------------------------------------------------
# baseline: the calcium kernel as it was before issue 17 (git b9b35fb,
# painsim/plasticity/calcium.py), renamed; not used by painsim (its grouping
# helper base._csr is unchanged and shared)
# --------------------------------------------------------------------------
_BL_FM = {"contract"}   # fused multiply-add only (changes rounding, not the arithmetic)
_BL_LANES = 4           # synapses integrated side by side (independent dependency chains)


@numba.njit(cache=False, fastmath=_BL_FM, inline="always")
def _bl_rk4_step(r, h, c0, c1, c2, c3):
    """One classical RK4 step of drho/dt = c0 + c1 rho + c2 rho^2 + c3 rho^3, clipped to [0, 1]."""
    k1 = ((c3 * r + c2) * r + c1) * r + c0
    y = r + 0.5 * h * k1
    k2 = ((c3 * y + c2) * y + c1) * y + c0
    y = r + 0.5 * h * k2
    k3 = ((c3 * y + c2) * y + c1) * y + c0
    y = r + h * k3
    k4 = ((c3 * y + c2) * y + c1) * y + c0
    r = r + (h * (1.0 / 6.0)) * ((k1 + k4) + 2.0 * (k2 + k3))
    return min(max(r, 0.0), 1.0)


@numba.njit(cache=False, fastmath=_BL_FM)
def _bl_push_phase(bh, b0, b1, used, typ, length, C, hfrac):
    """Append the RK4 steps (h, c0, c1) of one phase of constant Heaviside factors."""
    n = int(math.ceil(length * C[typ, 2] / hfrac))
    if n < 1:
        n = 1
    h = length / n
    for q in range(used, used + n):
        bh[q] = h
        b0[q] = C[typ, 0]
        b1[q] = C[typ, 1]
    return used + n


@numba.njit(cache=False, fastmath=_BL_FM)
def _bl_calcium_steps(bh, b0, b1, used, c, t_start, t_end, arr, amp, a, ea, post_sorted, b, eb, c_post,
                   tau_ca, th_lo, lth_hi, lth_lo, C, hfrac):
    """Phases of one synapse's calcium trace -> RK4 steps appended to (bh, b0, b1).

    Calcium is monotone between events, so each inter-event segment splits at
    the exact threshold crossings into at most three phases (type 2: above
    both thresholds, 1: above the lower only, 0: below both).  Consecutive
    phases of the same type -- also across events and within a segment --
    are one phase (the flow of an autonomous ODE composes), and each phase
    gets ceil(length * lambda / hfrac) equal RK4 steps.  Returns the new fill.
    """
    tc = t_start
    cur = 0
    clen = 0.0
    while True:
        if a < ea or b < eb:
            if b >= eb or (a < ea and arr[a] <= post_sorted[b]):   # pre first at ties
                te = arr[a]
                inc = amp[a]
                a += 1
            else:
                te = post_sorted[b]
                inc = c_post
                b += 1
            fin = False
        else:
            te = t_end
            inc = 0.0
            fin = True
        length = te - tc
        if length > 0.0:
            l1 = 0.0   # end of the type-2 phase
            e2 = 0.0   # end of the type-1 phase
            if c > th_lo:
                lc = tau_ca * math.log(c)   # crossing of th after tau_ca ln(c / th)
                t_hi = lc - lth_hi
                t_lo = lc - lth_lo
                if t_hi > 0.0:
                    l1 = t_hi if t_hi < length else length
                if t_lo > 0.0:
                    e2 = t_lo if t_lo < length else length
            if e2 < l1:
                e2 = l1
            for typ in range(2, -1, -1):
                if typ == 2:
                    pl_ = l1
                elif typ == 1:
                    pl_ = e2 - l1
                else:
                    pl_ = length - e2
                if pl_ > 0.0:
                    if typ == cur:
                        clen += pl_
                    else:
                        if clen > 0.0:
                            used = _bl_push_phase(bh, b0, b1, used, cur, clen, C, hfrac)
                        cur = typ
                        clen = pl_
            c = c * math.exp(-length / tau_ca)
        c += inc
        tc = te
        if fin:
            break
    if clen > 0.0:
        used = _bl_push_phase(bh, b0, b1, used, cur, clen, C, hfrac)
    return used


@numba.njit(cache=False, fastmath=_BL_FM)
def _bl_rk4_lanes(r, off, cnt, bh, b0, b1, c2, c3):
    """Integrate _BL_LANES synapses through their step lists side by side.

    Lanes are independent; a lane past its last step takes the zero step at
    index 0 (h = 0: the identity), so each lane computes exactly what it
    would alone."""
    m_max = 0
    for l in range(_BL_LANES):
        if cnt[l] > m_max:
            m_max = cnt[l]
    for m in range(m_max):
        for l in range(_BL_LANES):
            q = off[l] + m if m < cnt[l] else 0
            r[l] = _bl_rk4_step(r[l], bh[q], b0[q], b1[q], c2, c3)


@numba.njit(cache=False)
def _bl_calcium_arrivals(pre_t, pre_i, n_pre, cpre, tcpre, v, tv, pending, t_start, t_end, tau_ca, c_pre,
                      delay, nmda_gain, tau_nmda):
    """Per presynaptic neuron: arrival times and amplitudes of its calcium transients
    (CSR by neuron), calcium at t_start, the in-window range, the new delay queue."""
    npend = pending.shape[1]
    cnt = np.zeros(n_pre, np.int64)
    for k in range(pre_t.size):
        cnt[pre_i[k]] += 1
    for i in range(n_pre):
        for q in range(npend):
            if not math.isnan(pending[i, q]):
                cnt[i] += 1
    ptr = np.zeros(n_pre + 1, np.int64)
    for i in range(n_pre):
        ptr[i + 1] = ptr[i] + cnt[i]
    arr = np.empty(ptr[n_pre], np.float64)
    fill = ptr[:-1].copy()
    for i in range(n_pre):  # pending arrivals come first (they are earlier)
        for q in range(npend):
            if not math.isnan(pending[i, q]):
                arr[fill[i]] = pending[i, q]
                fill[i] += 1
    for k in range(pre_t.size):
        i = pre_i[k]
        arr[fill[i]] = pre_t[k] + delay
        fill[i] += 1
    amp = np.empty(arr.size, np.float64)
    c_at_start = np.empty(n_pre, np.float64)
    first = np.empty(n_pre, np.int64)   # first in-window arrival
    last = np.empty(n_pre, np.int64)    # one past the last arrival < t_end
    ok = True
    for i in range(n_pre):
        first[i] = ptr[i + 1]
        last[i] = ptr[i]
        for k in range(ptr[i], ptr[i + 1]):
            ta = arr[k]
            if ta >= t_end:
                break
            vb = v[i] * math.exp(-(ta - tv[i]) / tau_nmda)  # NMDA-like boost before this arrival
            amp[k] = c_pre * (1.0 + nmda_gain * vb)
            v[i] = vb + 1.0
            tv[i] = ta
            if ta < t_start:  # an arrival owed from before this window
                cpre[i] = cpre[i] * math.exp(-(ta - tcpre[i]) / tau_ca) + amp[k]
                tcpre[i] = ta
            elif first[i] == ptr[i + 1]:
                first[i] = k
            last[i] = k + 1
        if first[i] > last[i]:
            first[i] = last[i]
        c_at_start[i] = cpre[i] * math.exp(-(t_start - tcpre[i]) / tau_ca)
        # new pending queue
        q = 0
        for k in range(last[i], ptr[i + 1]):
            if q >= npend:
                ok = False  # queue too short
                break
            pending[i, q] = arr[k]
            q += 1
        for qq in range(q, npend):
            pending[i, qq] = np.nan
    return ok, arr, amp, c_at_start, first, last


@numba.njit(cache=False)
def _bl_grow3(x, y, z, need):
    cap = x.size
    while cap < need:
        cap *= 2
    nx, ny, nz = np.empty(cap), np.empty(cap), np.empty(cap)
    nx[:x.size] = x
    ny[:y.size] = y
    nz[:z.size] = z
    return nx, ny, nz


@numba.njit(cache=False)
def baseline(pre_t, pre_i, post_t, post_i, syn_pre, syn_post, n_pre, n_post,
                    w, wlo, whi, cpre, tcpre, v, tv, pending, cpost, tcpost,
                    t_start, t_end, tau_ca, c_pre, c_post, delay, th_d, th_p, gp, gd, rs, tau,
                    hfrac, nmda_gain, tau_nmda):
    ok, arr, amp, c_at_start, first, last = _bl_calcium_arrivals(
        pre_t, pre_i, n_pre, cpre, tcpre, v, tv, pending, t_start, t_end, tau_ca, c_pre, delay,
        nmda_gain, tau_nmda)
    if not ok:
        return -1
    # ---- per postsynaptic neuron: its spikes (grouped), calcium at t_start
    post_ptr, post_ord = _csr(post_i, n_post)
    post_sorted = np.empty(post_t.size, np.float64)
    for k in range(post_t.size):
        post_sorted[k] = post_t[post_ord[k]]
    cq_start = np.empty(n_post, np.float64)
    for j in range(n_post):
        cq_start[j] = cpost[j] * math.exp(-(t_start - tcpost[j]) / tau_ca)
    # ---- drift tau drho/dt = gp H_p (1 - rho) - gd H_d rho - rho (1 - rho)(rs - rho) as a cubic
    # c0 + c1 rho + c2 rho^2 + c3 rho^3 per phase type; C[type] = (c0, c1, lambda)
    C = np.empty((3, 3))
    for typ in range(3):
        ip = 1.0 if (typ == 2 or (typ == 1 and th_p < th_d)) else 0.0
        idd = 1.0 if (typ == 2 or (typ == 1 and th_p >= th_d)) else 0.0
        C[typ, 0] = gp * ip / tau
        C[typ, 1] = -(rs + gp * ip + gd * idd) / tau
        C[typ, 2] = (1.0 + gp * ip + gd * idd) / tau
    c2 = (1.0 + rs) / tau
    c3 = -1.0 / tau
    lam_max = C[2, 2]
    th_hi = th_p if th_p >= th_d else th_d
    th_lo = th_d if th_p >= th_d else th_p
    lth_hi = tau_ca * math.log(th_hi)
    lth_lo = tau_ca * math.log(th_lo)
    # ---- synapses with the same calcium trace (same pre neuron, same post neuron or any
    # post neuron without calcium in this window) share one list of RK4 steps
    nsyn = w.size
    key = np.empty(nsyn, np.int64)
    for s in range(nsyn):
        j = syn_post[s]
        jj = j if (post_ptr[j + 1] > post_ptr[j] or cq_start[j] != 0.0) else -1
        key[s] = syn_pre[s] * (n_post + 1) + (jj + 1)
    order = np.argsort(key)
    bh = np.empty(4096)
    b0 = np.empty(4096)
    b1 = np.empty(4096)
    bh[0] = 0.0  # index 0: the zero step (padding of finished lanes)
    b0[0] = 0.0
    b1[0] = 0.0
    used = 1
    r = np.zeros(_BL_LANES)
    off = np.zeros(_BL_LANES, np.int64)
    cnt = np.zeros(_BL_LANES, np.int64)
    lsyn = np.zeros(_BL_LANES, np.int64)
    nl = 0
    prev = -1     # key of the last step list built, at [poff, poff + pcnt)
    poff = 0
    pcnt = 0
    updates = 0
    k = -1
    s = 0
    for idx in range(nsyn + 1):
        if idx < nsyn:
            s = order[idx]
            k = key[s]
        if nl == _BL_LANES or idx == nsyn:
            if nl > 0:
                _bl_rk4_lanes(r, off, cnt, bh, b0, b1, c2, c3)
                for l in range(nl):
                    ss = lsyn[l]
                    ws = wlo[ss] + r[l] * (whi[ss] - wlo[ss])
                    if ws < wlo[ss]:
                        ws = wlo[ss]
                    elif ws > whi[ss]:
                        ws = whi[ss]
                    w[ss] = ws
            if idx == nsyn:
                break
            if k == prev:  # the next synapse reuses the last list: keep it
                for q in range(pcnt):
                    bh[1 + q] = bh[poff + q]
                    b0[1 + q] = b0[poff + q]
                    b1[1 + q] = b1[poff + q]
                poff = 1
                used = 1 + pcnt
            else:
                used = 1
            nl = 0
            for l in range(_BL_LANES):
                cnt[l] = 0
                off[l] = 0
        i = syn_pre[s]
        j = syn_post[s]
        nev = (last[i] - first[i]) + (post_ptr[j + 1] - post_ptr[j])
        if k != prev:
            # at most ceil(T lambda_max / hfrac) + (number of phases) steps
            need = used + int(math.ceil((t_end - t_start) * lam_max / hfrac)) + 3 * (nev + 1) + 1
            if need > bh.size:
                bh, b0, b1 = _bl_grow3(bh, b0, b1, need)
            new = _bl_calcium_steps(bh, b0, b1, used, c_at_start[i] + cq_start[j], t_start, t_end,
                                 arr, amp, first[i], last[i], post_sorted, post_ptr[j], post_ptr[j + 1],
                                 c_post, tau_ca, th_lo, lth_hi, lth_lo, C, hfrac)
            poff = used
            pcnt = new - used
            used = new
            prev = k
        off[nl] = poff
        cnt[nl] = pcnt
        lsyn[nl] = s
        r[nl] = (w[s] - wlo[s]) / (whi[s] - wlo[s])
        nl += 1
        updates += nev + 1
    # ---- carry neuron-level calcium to the next window
    for i in range(n_pre):
        for kk in range(first[i], last[i]):
            cpre[i] = cpre[i] * math.exp(-(arr[kk] - tcpre[i]) / tau_ca) + amp[kk]
            tcpre[i] = arr[kk]
    for kk in range(post_t.size):
        j = post_i[kk]
        cpost[j] = cpost[j] * math.exp(-(post_t[kk] - tcpost[j]) / tau_ca) + c_post
        tcpost[j] = post_t[kk]
    return updates


def baseline_apply(rule, pt, pi, qt, qi, sp, sq, w0, state, t_start, t_end, w_min, w_max):
    """The baseline kernel on the inputs of ``rule.apply_counted`` (copies like ``apply``)."""
    st = {k: np.array(v, dtype=np.float64, copy=True) for k, v in state.items()}
    w = np.array(w0, dtype=np.float64, copy=True)
    lo, hi = np.full(w.size, float(w_min)), np.full(w.size, float(w_max))
    if rule.drive == "presynaptic":
        qt, qi = np.empty(0), np.empty(0, np.int64)
    sel_p, sel_q = (pt >= t_start) & (pt < t_end), (qt >= t_start) & (qt < t_end)
    n = baseline(pt[sel_p], pi[sel_p], qt[sel_q], qi[sel_q], sp, sq, st["c_pre"].size, st["c_post"].size,
                 w, lo, hi, st["c_pre"], st["t_c_pre"], st["u_nmda"], st["t_u_nmda"], st["pending"],
                 st["c_post"], st["t_c_post"], float(t_start), float(t_end), rule.tau_ca, rule.c_pre,
                 0.0 if rule.drive == "presynaptic" else rule.c_post, rule.delay, rule.theta_d, rule.theta_p,
                 rule.gamma_p, rule.gamma_d, rule.rho_star, rule.tau_rho, rule.rk_step, rule.nmda_gain,
                 rule.tau_nmda)
    return w, st, n


def compare(a, b):
    """(largest |difference| of the weights, whether the rule states are bit-identical)."""
    (wa, sa, _), (wb, sb, _) = a, b
    return float(np.max(np.abs(wa - wb))), all(np.array_equal(sa[k], sb[k], equal_nan=True) for k in sa)


def bench_calcium_baseline(net, T, repeat):
    """Calcium kernel now vs the baseline, alternating, on the benchmark network (cortical-slice
    default) and with the spinal preset (presynaptic drive); medians of ``repeat`` runs."""
    rows = []
    for label, rule in (("calcium (cortical slices)", pl.CalciumRule()),
                        ("calcium (spinal_presynaptic)", pl.CalciumRule.preset("spinal_presynaptic"))):
        baseline_apply(rule, *args_for(rule, net, 0.01))  # compile
        rule.apply_counted(*args_for(rule, net, 0.01))
        t_new, t_old = [], []
        for _ in range(repeat):
            t, new = best_of(lambda: rule.apply_counted(*args_for(rule, net, T)), repeat=1)
            t_new.append(t)
            t, old = best_of(lambda: baseline_apply(rule, *args_for(rule, net, T)), repeat=1)
            t_old.append(t)
        n = new[2]
        assert n == old[2]
        rows.append((label, n / np.median(t_old), n / np.median(t_new), *compare(new, old)))
    return rows


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


def bench_replay(repeat: int = 3, n_pre: int = 100, n_post: int = 40, n_syn: int = 1000, rate: float = 20.0):
    """The course engine's replay of one chunk (:func:`painsim.course.session.replay_chunk`),
    window by window (one ``apply_unchecked`` per window and side, as before the replay
    kernels) against one kernel call per chunk, in this run, on synthetic spikes of
    ``rate`` Hz per neuron: the first chunk of a 20 Hz rTMS session on the whole pathway
    (``rtms_m1_20hz``, pain_pathway's [course]: 300 replays of 1-s windows) and of a 1 Hz
    spinal session (``lfs_1hz``, neuropathic).  Printed: ms per chunk each way (median of
    ``repeat``), the ratio, and whether efficacies and rule states are bit-identical."""
    import copy
    import painsim as ps
    from painsim.course import session as S
    from painsim.course.settings import course_settings
    rng = np.random.default_rng(0)
    sp, sq = rng.integers(0, n_pre, n_syn).astype(np.int64), rng.integers(0, n_post, n_syn).astype(np.int64)

    def spikes(r, L):
        out = []
        for n in (n_pre, n_post):
            k = rng.poisson(r * n * L)
            out += [np.sort(rng.uniform(0.0, L, k)), rng.integers(0, n, k).astype(np.int64)]
        return S.ConnSpikes(*out)

    cases = {"triplet_stdp, rtms_m1_20hz chunk": (pl.TripletSTDP(), "pain_pathway", "rtms_m1_20hz"),
             "tbs_calcium, rtms_m1_20hz chunk": (pl.TBSCalcium(), "pain_pathway", "rtms_m1_20hz"),
             "calcium (spinal), lfs_1hz chunk": (pl.CalciumRule.preset("spinal_presynaptic"), "neuropathic",
                                                 "lfs_1hz")}
    print(f"\n{'replay of one chunk, same run':34s} {'replays':>8s} {'window ms':>10s} {'chunk ms':>9s} "
          f"{'ratio':>6s} {'bit-identical':>14s}   ({n_pre} pre, {n_post} post, {n_syn} synapses, {rate:g} Hz)")
    for name, (rule, model, protocol) in cases.items():
        st = course_settings(ps.load_model(model))
        prot = ps.protocols.get(protocol)
        chunk = S.session_plan(prot, prot.calendar.session_duration, st.window, st.lead_in, st.n_chunks, False)[0]
        companion = {"c": spikes(rate / 4, st.window)}
        per_window = [{"c": spikes(rate, st.window)} if len(wf.onsets) else companion for wf in chunk.windows]
        patient = S.Patient(None, 0, {"c": (rule, 0.0, 2.0)}, {"c": ("A", "B")}, None)
        patient.syn["c"] = (sp, sq, n_pre, n_post)
        patient.w_set["c"] = rng.uniform(0.5, 1.5, n_syn)
        patient.early["c"], patient.late["c"] = np.zeros(n_syn), np.zeros(n_syn)
        times, results = {"window": [], "chunk": []}, {}
        for _ in range(repeat + 1):  # the first round compiles / loads the numba caches
            for mode in ("window", "chunk"):
                S.REPLAY = mode
                p, states = copy.deepcopy(patient), {}
                t = time.perf_counter()
                S.replay_chunk(p, chunk, per_window, companion, states, 0.0, st.window)
                times[mode].append(time.perf_counter() - t)
                results[mode] = (p.early["c"], states["c"])
        S.REPLAY = None  # $PAINSIM_REPLAY decides again
        (ea, sa), (eb, sb) = results["window"], results["chunk"]
        def bits(x):
            return np.ascontiguousarray(x, np.float64).view(np.uint64)
        same = np.array_equal(bits(ea), bits(eb)) and all(np.array_equal(bits(sa[x][k]), bits(sb[x][k]))
                                                          for x in "fg" for k in sa[x])
        tw, tc = (float(np.median(times[m][1:])) for m in ("window", "chunk"))
        n_rep = len(S._replays(chunk.schedule, 0.0, st.window)[0])
        print(f"{name:34s} {n_rep:8d} {tw * 1e3:10.2f} {tc * 1e3:9.2f} {tw / tc:6.1f} {'yes' if same else 'NO':>14s}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="time the kernels over 1 s of spikes, not 4 s")
    ap.add_argument("--repeat", type=positive_int, default=3, help="timed runs of each (default 3)")
    ap.add_argument("--replay", action="store_true", help="only the course engine's replay: window by window "
                                                          "vs one kernel call per chunk")
    a = ap.parse_args()
    if a.replay:
        return bench_replay(a.repeat)
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
        "tbs_calcium (per theta cycle)": pl.TBSCalcium(),
    }
    print(f"network: {net['n_pre']} pre, {net['n_post']} post, {net['sp'].size} synapses, "
          f"{net['pt'].size} pre + {net['qt'].size} post spikes over {T} s")
    rows = []
    for name, rule in rules.items():
        rule.apply_counted(*args_for(rule, net, 0.01))  # compile / load the cache
        t_k, (_, _, n_k) = best_of(lambda: rule.apply_counted(*args_for(rule, net, T)))
        rate_k = n_k / t_k
        ref_T = n_ref_T   # long enough for one update: tbs_calcium updates once per theta cycle (0.2 s)
        while (n_r := rule.apply_counted(*args_for(rule, net, ref_T))[2]) == 0 and ref_T < T:
            ref_T = min(2 * ref_T, T)
        t_r, _ = best_of(lambda: rule.apply_reference(*args_for(rule, net, ref_T)), repeat=1)
        rate_r = n_r / t_r if n_r else float("nan")
        rows.append((name, rate_k, rate_k / rate_r))
    rate_b2 = bench_brian2(net, T, rules["pair_stdp (all-to-all, additive)"])
    print(f"\n{'rule':38s} {'kernel upd/s':>14s} {'x numpy ref':>12s} {'x brian2':>10s} {'>= 1.5e7':>9s}")
    for name, rk, ratio_ref in rows:
        vs_b2 = f"{rk / rate_b2:10.1f}" if name.startswith("pair_stdp (all") else f"{'':>10s}"
        print(f"{name:38s} {rk:14.3e} {ratio_ref:12.0f} {vs_b2} {'yes' if rk >= TARGET else 'NO':>9s}")
    print(f"\nbrian2 online pair STDP (numpy target, dt = 0.1 ms): {rate_b2:.3e} updates/s")
    print("kernel = numba, single thread; references timed on the first "
          f"{n_ref_T * 1e3:.0f} ms of the same spikes (longer where that holds no update).")
    print(f"\n{'calcium kernel, same run':30s} {'baseline upd/s':>15s} {'now upd/s':>12s} {'ratio':>6s} "
          f"{'max |dw|':>9s} {'states identical':>17s}")
    for name, r_old, r_new, dw, same in bench_calcium_baseline(net, T, a.repeat):
        print(f"{name:30s} {r_old:15.3e} {r_new:12.3e} {r_new / r_old:6.2f} {dw:9.1e} "
              f"{'yes' if same else 'NO':>17s}")
    print(f"medians of {a.repeat} alternating runs; one core (the kernel is serial)")


if __name__ == "__main__":
    main()
