"""Graded consolidation between sessions (painsim.course.consolidation; Benna & Fusi 2016).

No brian2: the rule is a linear chain per synapse, tested on its own.  Every
tolerance is written beside its check: "floating point" where the property
is exact in the equations (linearity, superposition, the relapse factor,
conservation), or a bound derived from them.  Negative controls: the
all-or-none tag-and-capture rule this one replaced (its closed form, below)
fails the graded and accumulation properties; sessions spaced far beyond the
slowest time constant do not accumulate; no relapse drive, no relapse.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import painsim as ps
from painsim.course.consolidation import (ConsolidationParams, consolidate, consolidate_reference, join_levels,
                                          propagate, propagate_reference, split_levels)
from painsim.course.session import Patient
from painsim.errors import ParameterError

HOUR, DAY = 3600.0, 86400.0
FP = 1e-12          # relative floating-point tolerance of exact identities (measured errors ~1e-15)


@pytest.fixture(scope="module")
def neuropathic():
    """The neuropathic preset's chain: 6 levels, relapse drive at the reference (r = 1/60 days)."""
    return ConsolidationParams.from_model(ps.load_model("neuropathic"))


def without_relapse(p: ConsolidationParams, leak: bool = True) -> ConsolidationParams:
    g = p.coupling if leak else p.coupling[:-1] + (0.0,)
    return ConsolidationParams(p.capacity, g, 0.0)


def course(p, days, delta, until):
    """The chain of one synapse (set point 1, bounds [0, 2]) after sessions that each add
    ``delta`` to u_1 on ``days``, at ``until`` (days; just before a session that day)."""
    u, t = np.zeros((p.n_levels, 1)), 0.0
    for d in (d for d in days if d < until):
        u = propagate(u, 1.0, 0.0, 2.0, d * DAY - t, p)
        u[0] += delta
        t = d * DAY
    return propagate(u, 1.0, 0.0, 2.0, until * DAY - t, p)[:, 0]


def all_or_none_late(e0: float, t: float) -> float:
    """The replaced rule's late component t s after an early change e0 (closed form; its model-file
    values: early 3 h, capture 6 h, threshold 0.1, late 28 days, no relapse)."""
    a1, k, lam, theta = 1 / (3 * HOUR) + 1 / (6 * HOUR), 1 / (6 * HOUR), 1 / (28 * DAY), 0.1
    if abs(e0) <= theta:
        return 0.0
    ts = min(t, math.log(abs(e0) / theta) / a1)
    return k * e0 * (math.exp(-a1 * ts) - math.exp(-lam * ts)) / (lam - a1) * math.exp(-lam * (t - ts))


def below_spacing(p: ConsolidationParams, spacing: float) -> ConsolidationParams:
    """``p`` cut after its levels faster than ``spacing`` (s): the levels k whose time scale
    C_k / g_{k,k+1} is below it, the last one leaking to the set point as before (the chain of a
    model with fewer ``n_levels``)."""
    m = int(np.sum(np.asarray(p.capacity) / np.asarray(p.coupling) < spacing))
    return ConsolidationParams(p.capacity[:m], p.coupling[:m], p.relapse)


def c_norm_bound(p, u, t):
    """|u_k(t)| <= exp(-(slowest rate + r) t) ||C^1/2 u(0)|| / sqrt(C_k) for every k: the
    symmetrized system matrix is negative definite with largest eigenvalue -(rates[0] + r)."""
    return math.exp(-(p.rates[0] + p.relapse) * t) * float(np.sqrt(np.sum(np.asarray(p.capacity) * u ** 2)))


# ---------------------------------------------------------------- (a) graded
@pytest.mark.parametrize("delta", [-0.016, -0.15])
def test_a_change_half_as_large_consolidates_half_as_much(neuropathic, delta):
    for t in (1 * DAY, 7 * DAY, 30 * DAY):
        full = course(neuropathic, [0], delta, t / DAY)
        half = course(neuropathic, [0], delta / 2, t / DAY)
        assert full[1] < 0                                        # a small change consolidates too (no threshold)
        np.testing.assert_allclose(half, full / 2, rtol=FP, atol=0)   # linear: floating point
    # the same fraction consolidates at every size (-1.6 % as -15 %): graded, not all-or-none
    small, large = course(neuropathic, [0], -0.016, 7), course(neuropathic, [0], -0.15, 7)
    assert small[1] / -0.016 == pytest.approx(large[1] / -0.15, rel=FP)
    # negative control: the all-or-none rule fails this test (-7.5 % is below its threshold, -15 % above)
    big, half_big = all_or_none_late(-0.15, 7 * DAY), all_or_none_late(-0.075, 7 * DAY)
    assert big < 0 and half_big == 0.0 and not half_big == pytest.approx(big / 2, rel=0.1)
    assert all_or_none_late(-0.016, 7 * DAY) == 0.0              # nothing of a -1.6 % session consolidated


# ---------------------------------------------------------------- (b) repeated sessions accumulate
def test_repeated_sessions_accumulate_and_widely_spaced_ones_do_not(neuropathic):
    p, delta = neuropathic, -0.016
    weekly = [course(p, [7 * j for j in range(n)], delta, 7 * (n - 1) + 1) for n in (1, 2, 3)]
    single = [course(p, [0], delta, 1 + 7 * j) for j in range(3)]     # one session, seen 1, 8, 15 days later
    for n in (1, 2, 3):
        # superposition (the rule is linear): N sessions leave the sum of their single traces; floating point
        np.testing.assert_allclose(weekly[n - 1], np.sum(single[:n], axis=0), rtol=FP, atol=1e-18)
    late = [w[1] for w in weekly]
    # grows with N: each earlier session still contributes (the chain's propagator is positive), and
    # the growth is carried by the levels slower than the week between sessions: it exceeds the growth
    # of the same chain cut after its levels faster than a week (C_k/g_k = 3 h, 12 h, 2 d), by
    # more than floating point (each side: differences of sums of single traces <= |delta|, exact to FP)
    fast = below_spacing(p, 7 * DAY)
    late_fast = [course(fast, [7 * j for j in range(n)], delta, 7 * (n - 1) + 1)[1] for n in (1, 2, 3)]
    assert late[0] < 0 and late_fast[0] < 0
    for n in (1, 2):
        assert late[n] - late[n - 1] < late_fast[n] - late_fast[n - 1] - 6 * FP * abs(delta)
    # negative control: sessions 30 slowest time constants apart do not accumulate; the earlier
    # sessions' share is bounded by the contraction of the chain (c_norm_bound), ~1e-13 |delta|
    S = 30.0 / (p.rates[0] + p.relapse) / DAY
    spaced = [course(p, [S * j for j in range(n)], delta, S * (n - 1) + 1) for n in (1, 2, 3)]
    one = np.zeros(p.n_levels)
    one[0] = delta
    bound = sum(c_norm_bound(p, one, j * S * DAY) for j in (1, 2))
    assert bound < 1e-10 * abs(delta)
    for s in spaced[1:]:
        np.testing.assert_allclose(s, spaced[0], rtol=0, atol=bound + FP * abs(delta))
    # three weekly sessions vs three isolated ones: more, by more than the overlap bound of the isolated
    # ones, and by more than the chain without its slower-than-a-week levels gains in the same comparison
    extra = abs(late[2]) - abs(spaced[2][1])
    assert extra > bound + FP * abs(delta)
    S_fast = 30.0 / (fast.rates[0] + fast.relapse) / DAY
    spaced_fast = course(fast, [S_fast * j for j in range(3)], delta, 2 * S_fast + 1)
    assert extra > abs(late_fast[2]) - abs(spaced_fast[1]) + 6 * FP * abs(delta)
    # negative control: the all-or-none rule never accumulates a -1.6 % session
    assert all_or_none_late(delta, 15 * DAY) == 0.0


# ---------------------------------------------------------------- (c) maintenance, relapse
INDUCTION = [0, 2, 4]
MAINTENANCE = INDUCTION + list(range(11, 89, 7))     # weekly from day 11; last session day 88


def test_maintenance_keeps_relief_and_without_it_relief_fades_to_the_set_point(neuropathic):
    p, delta = neuropathic, -0.016
    kept = course(p, MAINTENANCE, delta, 88.0)[0]          # just before the last maintenance session
    first_gap = course(p, MAINTENANCE, delta, 11.0)[0]     # just before the first one
    faded = course(p, INDUCTION, delta, 88.0)[0]
    assert kept < 0 and abs(kept) >= abs(first_gap)       # maintained: no loss between the gaps' troughs
    # without maintenance most of what the induction left is gone by day 88 ("most": more than half,
    # the property itself).  Derived bound: without the drive the chain is a contraction in its largest
    # component (positive propagator, A 1 <= 0) and the drive multiplies it by exp(-r T), so from day 11
    # (the same state with or without maintenance) the relapse drive alone removes at least
    # 1 - exp(-r 77 d) of the largest level: 72 % at r = 1/60 d, more than half as r 77 d > ln 2
    gap = course(p, INDUCTION, delta, 11.0)
    relapse_bound = math.exp(-p.relapse * (88 - 11) * DAY) * float(np.abs(gap).max())
    assert abs(faded) <= relapse_bound * (1 + FP)
    assert relapse_bound < 0.5 * abs(gap[0])
    # fades toward the set point, never beyond it (the propagator is positive)...
    after = course(p, INDUCTION, delta, 4.0 + 1e-9)
    trace = [course(p, INDUCTION, delta, d)[0] for d in (5, 10, 30, 60, 88, 200, 400)]
    assert all(delta <= a < b <= 0 for a, b in zip(trace, trace[1:]))
    # ... at least as fast as the slowest time constant with the relapse drive (c_norm_bound)
    assert abs(faded) <= c_norm_bound(p, after, (88 - 4) * DAY) * (1 + FP)


def test_without_relapse_drive_relief_fades_only_by_the_intrinsic_decay(neuropathic):
    p, q = neuropathic, without_relapse(neuropathic)
    after = course(p, INDUCTION, -0.016, 4.0 + 1e-9)[:, None]
    T = (88 - 4) * DAY
    with_drive, without = propagate(after, 1.0, 0.0, 2.0, T, p), propagate(after, 1.0, 0.0, 2.0, T, q)
    # the drive acts on every level alike: it multiplies the intrinsic solution by exp(-r T); floating point
    np.testing.assert_allclose(with_drive, math.exp(-p.relapse * T) * without, rtol=FP, atol=1e-18)
    assert abs(without[0, 0]) > abs(with_drive[0, 0]) > 0
    # the intrinsic decay is the leak of the slowest level: without it (and no drive) nothing is lost,
    # the total sum(C_k u_k) is conserved and spreads evenly over the levels; floating point
    closed = without_relapse(p, leak=False)
    C = np.asarray(p.capacity)
    for t in (1 * DAY, 30 * DAY, 3650 * DAY):
        u = propagate(after, 1.0, 0.0, 2.0, t, closed)
        assert float(C @ u[:, 0]) == pytest.approx(float(C @ after[:, 0]), rel=1e-10)
    np.testing.assert_allclose(u[:, 0], float(C @ after[:, 0]) / C.sum(), rtol=1e-6)  # 10 y >> slowest 1/rate
    # healthy model (no ectopia): no relapse drive
    assert ConsolidationParams.from_model(ps.load_model("gate_control")).relapse == 0.0
    assert p.relapse == pytest.approx(1 / (60 * DAY))              # neuropathic = the reference drive


# ---------------------------------------------------------------- (d) kernel == reference
@pytest.mark.parametrize("closed", [False, True])
def test_numba_kernel_matches_numpy_reference(neuropathic, closed):
    p = without_relapse(neuropathic, leak=False) if closed else neuropathic
    rng = np.random.default_rng(5)
    u = rng.normal(0, 0.3, (p.n_levels, 150))
    u[:, :5] = 1.5                                         # out of bounds: the clipping is compared too
    w_set = rng.uniform(0.8, 1.2, 150)
    for T in (0.0, 60.0, 3 * HOUR, 5 * DAY, 90 * DAY, 3650 * DAY):
        a = propagate(u, w_set, 0.0, 2.0, T, p)
        b = propagate_reference(u, w_set, 0.0, 2.0, T, p)
        # expm (Pade, scaling and squaring) and the eigen-solution agree to ~1e-15; ||A T|| reaches ~1e4
        np.testing.assert_allclose(a, b, rtol=0, atol=FP * np.abs(u).max())
        w = w_set + a
        assert np.all(w >= -1e-12) and np.all(w <= 2 + 1e-12)     # bounds hold on every level
    e, l = rng.normal(0, 0.2, 40), rng.normal(0, 0.2, 40)
    for x, y in zip(consolidate(e, l, 1.0, 0.0, 2.0, DAY, p), consolidate_reference(e, l, 1.0, 0.0, 2.0, DAY, p)):
        np.testing.assert_allclose(x, y, rtol=0, atol=FP)


def test_patient_keeps_the_deep_levels_between_evolutions(neuropathic):
    """A course's patient carries u_3.. between evolutions: two steps equal one; dropping them would not."""
    def patient():
        pt = Patient(None, 0, {"c_pn": (None, 0.0, 2.0)}, {}, neuropathic)
        pt.w_set["c_pn"], pt.early["c_pn"], pt.late["c_pn"] = np.ones(3), np.array([-0.1, -0.02, 0.0]), np.zeros(3)
        return pt
    one, two = patient(), patient()
    one.evolve(10 * DAY)
    two.evolve(2 * DAY)
    two.evolve(8 * DAY)
    for part in ("early", "late"):
        np.testing.assert_allclose(getattr(two, part)["c_pn"], getattr(one, part)["c_pn"], rtol=1e-10, atol=1e-18)
    np.testing.assert_allclose(two.weights()["c_pn"], one.weights()["c_pn"], rtol=1e-12)
    e, l = consolidate(*consolidate(patient().early["c_pn"], np.zeros(3), 1.0, 0.0, 2.0, 2 * DAY, neuropathic),
                       1.0, 0.0, 2.0, 8 * DAY, neuropathic)            # the deep levels dropped after 2 days
    assert not np.allclose(l, one.late["c_pn"], rtol=1e-3)


# ---------------------------------------------------------------- parameters
def test_time_constants_span_early_ltp_to_stable_ltp(neuropathic):
    p = without_relapse(neuropathic)
    np.testing.assert_allclose(p.capacity, 2.0 ** np.arange(6))
    tau = 1 / p.rates                      # slowest first
    assert tau[-1] < 3 * HOUR              # early LTP gone within 3 h (Frey & Morris 1997)
    assert 100 * DAY < tau[0] < 2 * 365 * DAY    # stable LTP: months to a year (Abraham et al. 2002)
    assert np.all(np.diff(np.log(tau)) < 0)
    u = split_levels(join_levels([-0.3], [0.1], None, p))
    assert u[0] == pytest.approx(-0.3) and u[1] == pytest.approx(0.1) and u[2].shape == (4, 1)


@pytest.mark.parametrize("key, value, name", [
    ("consolidation.n_levels", 1, "n_levels"), ("consolidation.n_levels", 13, "n_levels"),
    ("consolidation.level_ratio", 0.5, "level_ratio"), ("consolidation.early_time", "-1 h", "early_time"),
    ("consolidation.relapse_reference_rate", "0 Hz", "relapse_reference_rate")])
def test_bad_parameters_are_refused_by_name(key, value, name):
    with pytest.raises(ParameterError, match=name):
        ConsolidationParams.from_model(ps.load_model("neuropathic").with_params({key: value}))


def test_bad_state_is_refused(neuropathic):
    with pytest.raises(ParameterError, match="levels"):
        propagate(np.zeros((3, 4)), 1.0, 0.0, 2.0, DAY, neuropathic)
    with pytest.raises(ParameterError, match="duration"):
        propagate(np.zeros((6, 4)), 1.0, 0.0, 2.0, -1.0, neuropathic)
    with pytest.raises(ParameterError, match="coupling"):
        ConsolidationParams((1.0, 2.0), (1e-4,), 0.0)
    with pytest.raises(ParameterError, match="deep"):
        join_levels([0.0], [0.0], np.zeros((2, 1)), neuropathic)
