"""Collision of a dorsal-column lead's antidromic impulses with natural ones
(painsim.fibers.collision): the rule against an independent simulation of impulses
moving on an axon, what it conserves, where it acts and where it does not, and its
consequence in the circuit.  Every property has a negative control (the switch
``afferents.antidromic_collision = false``, or a peripheral electrode)."""
import numpy as np
import pytest
from brian2 import Hz, second, us

import painsim as ps
from painsim.fibers import DEAD_TIME, afferent_input
from painsim.errors import ParameterError
from painsim.fibers.collision import ascending_arrivals, collide, collision_kernel, lead_arrivals, lead_geometry
from painsim.fibers.encoding import brush
from painsim.stimulation import tonic

D_P, D_S = 0.3, 0.03        # the reference model's conduction and dorsal-column distances (m)


def _moving_impulses(n_start, a_start, v, x_entry, x_lead, dt):
    """Which impulses reach the entry, by moving them along one axon in steps of ``dt``.

    Natural impulses start at the skin (x = 0) and move up at ``v``, antidromic ones at
    the lead (x = x_lead) and move down; a natural impulse is delivered when it passes the
    entry (x = x_entry); a pulse is delivered when its antidromic impulse passes the entry
    (a lead above it) or always (a lead below it: its orthodromic impulse meets nothing
    coming down); a natural and an antidromic impulse that cross annihilate.  A brute-force
    check of the kernel's front-by-front rule, sharing none of its code.  Also returns the
    natural impulses that pass the lead alive (for a dorsal-column lead: those that reach the
    dorsal column nuclei)."""
    length = max(x_lead, x_entry) + 2 * v * dt   # natural impulses leave past the lead or the entry
    alive_n, alive_a = set(range(n_start.size)), set(range(a_start.size))
    got_n, got_up = set(), set()
    got_a = set() if x_lead > x_entry else set(range(a_start.size))
    t_end = max(n_start.max(initial=0), a_start.max(initial=0)) + length / v + 10 * dt
    for t in np.arange(0.0, t_end, dt):
        xn = {k: (t - n_start[k]) * v for k in alive_n if n_start[k] <= t}
        xa = {k: x_lead - (t - a_start[k]) * v for k in alive_a if a_start[k] <= t}
        xn = {k: x for k, x in xn.items() if x <= length}
        xa = {k: x for k, x in xa.items() if x >= 0.0}
        alive_n -= {k for k in alive_n if n_start[k] <= t and k not in xn}   # left at the lead
        alive_a -= {k for k in alive_a if a_start[k] <= t and k not in xa}   # left at the skin
        got_n |= {k for k, x in xn.items() if x >= x_entry}
        got_up |= {k for k, x in xn.items() if x >= x_lead}
        if x_lead > x_entry:
            got_a |= {k for k, x in xa.items() if x <= x_entry}
        # the lowest antidromic impulse and the highest natural one still below the lead are the
        # fronts (a natural impulse past a root lead runs on to the entry and meets nothing)
        xn = {k: x for k, x in xn.items() if x <= x_lead}
        while xn and xa:
            kn = max(xn, key=xn.get)
            ka = min(xa, key=xa.get)
            if xn[kn] < xa[ka]:
                break
            alive_n.discard(kn)
            alive_a.discard(ka)
            del xn[kn], xa[ka]
    return got_n, got_a, got_up


@pytest.mark.parametrize("target", ["dorsal_column", "dorsal_root"])
def test_rule_equals_impulses_moving_on_the_axon(target):
    v, dt = 50.0, 5e-6
    params = {"conduction_distance": D_P, "dorsal_column_distance": D_S, "drg_distance": 0.1}
    to_entry, to_skin = lead_geometry(target, params)
    x_lead = D_P + to_entry if target == "dorsal_column" else D_P - to_entry
    window = to_skin / v                          # no dead time: the pure geometry
    rng = np.random.default_rng(7)
    checked = collided = 0
    for _ in range(12):
        n_start = np.sort(rng.uniform(0, 0.2, rng.integers(3, 9)))
        a_start = np.arange(rng.uniform(0, 0.02), 0.2, 0.02)          # a 50 Hz lead
        n_entry, a_entry = n_start + D_P / v, a_start + to_entry / v
        # skip draws within a few steps of a tie, where the stepped simulation cannot decide
        gaps = np.abs(np.abs(n_start[:, None] - a_start[None, :]) - window)
        ties = np.abs(n_entry[:, None] - a_entry[None, :])
        if min(gaps.min(), ties.min()) < 4 * dt:
            continue
        nk, ak, partner = collide(np.zeros(n_start.size), n_start, n_entry, np.zeros(a_start.size), a_start,
                                  a_entry, np.array([window]), partners=True)
        got_n, got_a, got_up = _moving_impulses(n_start, a_start, v, D_P, x_lead, dt)
        assert set(np.flatnonzero(nk)) == got_n
        assert set(np.flatnonzero(ak)) == got_a
        if target == "dorsal_column":   # what runs on up the column to the nuclei
            n_up, a_up = ascending_arrivals(n_start, np.zeros(n_start.size, np.int64), a_start, partner,
                                            np.array([window]))
            assert set(np.flatnonzero(n_up)) == got_up and a_up.all()
        checked += 1
        collided += (~nk).sum() + (~ak).sum()
    assert checked >= 6 and collided > 0          # the rule was exercised, not only passed


def test_kernel_equals_its_python_form():
    rng = np.random.default_rng(11)
    n, m, k = 5, 400, 300
    nf, af = np.sort(rng.integers(0, n, m)), np.sort(rng.integers(0, n, k))
    ns = np.concatenate([np.sort(rng.uniform(0, 1, (nf == f).sum())) for f in range(n)])
    as_ = np.concatenate([np.sort(rng.uniform(0, 1, (af == f).sum())) for f in range(n)])
    ne, ae = ns + rng.uniform(0, 0.01, m), as_ + rng.uniform(0, 0.01, k)
    window = rng.uniform(0.002, 0.02, n)
    out = []
    for run in (collision_kernel, collision_kernel.py_func):
        nk, ak, partner = np.ones(m, bool), np.ones(k, bool), np.full(m, -1, np.int64)
        run(nf, ns, ne, af, as_, ae, window, nk, ak, partner)
        out.append((nk, ak, partner))
    for a, b in zip(out[0], out[1]):
        np.testing.assert_array_equal(a, b)
    # every impulse that lost at the entry met one; a partner is met once
    assert np.all(out[0][2][~out[0][0]] >= 0)
    met = out[0][2][out[0][2] >= 0]
    assert met.size == np.unique(met).size >= (~out[0][1]).sum()
    assert 0 < (~out[0][0]).sum() < m


def test_each_collision_removes_exactly_one_impulse_of_a_pair_that_met():
    rng = np.random.default_rng(5)
    n = 15
    v = rng.uniform(35, 75, n)
    ids = rng.integers(0, n, 600)
    origin = rng.uniform(0, 1, 600)
    lead_i = np.repeat(np.arange(n), 50)
    lead_t = np.tile(np.arange(50) / 50.0, n)
    params = {"conduction_distance": D_P, "dorsal_column_distance": D_S}
    n_entry, a_entry = origin + D_P / v[ids], lead_t + D_S / v[lead_i]
    window = (D_P + D_S) / v + DEAD_TIME
    nk, ak = collide(ids, origin, n_entry, lead_i, lead_t, a_entry, window)
    assert (~nk).sum() + (~ak).sum() > 0
    # every annihilated natural impulse met a pulse of its own fibre within the window ...
    for k in np.flatnonzero(~nk):
        assert np.any(np.abs(lead_t[lead_i == ids[k]] - origin[k]) < window[ids[k]])
    # ... and the arrivals are the survivors, each at its own entry time
    times, fib = lead_arrivals(origin, ids, lead_t, lead_i, v, params, "dorsal_column", DEAD_TIME)
    assert times.size == nk.sum() + ak.sum() == 600 + lead_t.size - (~nk).sum() - (~ak).sum()
    np.testing.assert_allclose(np.sort(times), np.sort(np.concatenate([n_entry[nk], a_entry[ak]])))
    # the switch off: both trains arrive whole
    t_off, _ = lead_arrivals(origin, ids, lead_t, lead_i, v, dict(params, antidromic_collision=False),
                             "dorsal_column", DEAD_TIME)
    assert t_off.size == 600 + lead_t.size


def _abeta(model, seed, stimulus, touch, **params):
    aff = dict(model.section("afferents"), **params)
    return afferent_input(aff, 1.0, seed, stimulus=stimulus, touch=touch)["Abeta"]


@pytest.fixture(scope="module")
def neuropathic():
    return ps.load_model("neuropathic")


def test_the_lead_removes_touch_impulses_only_where_both_run(neuropathic):
    scs = tonic(rate=50 * Hz, width=300 * us, amplitude=1.5, duration=1 * second)
    for seed in (1, 2):
        touch_only = _abeta(neuropathic, seed, None, brush())
        lead_only = _abeta(neuropathic, seed, scs, None)
        both = _abeta(neuropathic, seed, scs, brush())
        union = _abeta(neuropathic, seed, scs, brush(), antidromic_collision=False)
        # alone, neither train changes: nothing to collide with
        lead_off = _abeta(neuropathic, seed, scs, None, antidromic_collision=False)
        np.testing.assert_array_equal(lead_only.times, lead_off.times)
        assert union.times.size > both.times.size >= lead_only.times.size
        # Each collision removes one impulse.  A pulse collides whenever a touch impulse
        # of its fibre starts within W_min = T_min + dead of it (T_min = 0.33 m / 75 m/s;
        # such windows of pulses 20 ms apart are disjoint, and no earlier pulse can have
        # taken that impulse, being more than W_max = 10.4 ms from it), so with Poisson
        # touch impulses at r per fibre the collisions are at least
        # sum_f 50 (1 - exp(-2 W_min r_f)); the union lost at most 2 ms x 50 Hz = 10 % of
        # the touch impulses to its dead time, which the collided arrivals do not count.
        w_min = (D_P + D_S) / 75.0 + DEAD_TIME
        r = np.bincount(touch_only.fibers, minlength=touch_only.n) / 1.0
        expected = float(np.sum(50 * (1 - np.exp(-2 * w_min * r))))
        lost = union.times.size - both.times.size
        assert lost >= expected - 3 * np.sqrt(expected) - 0.1 * touch_only.times.size
        assert lost <= min(lead_only.times.size, touch_only.times.size)


def test_a_peripheral_electrode_or_a_slow_lead_collides_little(neuropathic):
    seed = 3
    tens = tonic(rate=50 * Hz, width=300 * us, amplitude=1.5, duration=1 * second, target="skin")
    a = _abeta(neuropathic, seed, tens, brush())
    b = _abeta(neuropathic, seed, tens, brush(), antidromic_collision=False)
    np.testing.assert_array_equal(a.times, b.times)          # the electrode sits at the receptive field
    slow = tonic(rate=2 * Hz, width=300 * us, amplitude=1.5, duration=1 * second)
    touch_only = _abeta(neuropathic, seed, None, brush())
    both = _abeta(neuropathic, seed, slow, brush())
    # 2 Hz: a window of 2 x 10.4 ms per 500 ms, at most ~4 % of the touch impulses
    assert both.times.size >= touch_only.times.size * (1 - 2 * 10.4e-3 * 2 - 0.02)


def test_a_longer_path_widens_the_window(neuropathic):
    scs = tonic(rate=50 * Hz, width=300 * us, amplitude=1.5, duration=1 * second)
    counts = [_abeta(neuropathic, 4, scs, brush(), dorsal_column_distance=d).times.size
              for d in (0.0, 0.03, 0.1, 0.3)]
    assert counts[0] > counts[-1] and all(x >= y for x, y in zip(counts, counts[1:]))


def test_the_lead_lowers_the_allodynic_response_to_brush_through_collision():
    """Brush during tonic SCS in the disinhibited spinal preset: fewer Aβ impulses
    reach the dorsal horn, so the projection neurons fire less than with both trains
    whole; SCS alone, with no natural impulse to meet, gives identical spikes."""
    model = ps.load_model("neuropathic")
    off = model.with_params({"afferents.antidromic_collision": False})
    scs = tonic(rate=50 * Hz, width=300 * us, amplitude=1.5, duration=0.8 * second)
    reqs = [ps.Request(m, scs, 0.0, brush(), seed) for seed in (2, 3) for m in (model, off)]
    reqs += [ps.Request(m, scs, 0.0, 0.0, 2) for m in (model, off)]
    res = ps.simulate_batch(reqs, 0.8 * second)
    pn = [float(r.pn_rate) for r in res]
    assert pn[0] + pn[2] < pn[1] + pn[3]
    assert pn[4] == pn[5]


def test_a_root_lead_sends_its_impulses_from_the_root_and_loses_none_to_touch(neuropathic):
    """A dorsal-root lead sits drg_distance from the cord: its impulses arrive that much after each
    pulse (not after the skin's conduction time), and the impulses that meet are always lost on
    the touch's side (the pulse's orthodromic impulse goes on), except a pulse falling in the
    refractory wake of a touch impulse that just passed the lead (within the dead time)."""
    aff = dict(neuropathic.section("afferents"))
    root = tonic(rate=50 * Hz, width=300 * us, amplitude=1.5, duration=1 * second, target="dorsal_root")
    seed = 2
    alone = afferent_input(aff, 1.0, seed, stimulus=root)["Abeta"]
    fibers = ps.fibers.FiberSet.from_model(aff, seed)
    lag = np.sort(alone.times - np.floor(alone.times * 50) / 50)           # from the pulse before
    expected = np.sort((aff["drg_distance"] / fibers.velocity["Abeta"])[alone.fibers])
    np.testing.assert_allclose(lag, expected, atol=1e-6)
    touch_only = afferent_input(aff, 1.0, seed, touch=brush())["Abeta"]
    both = afferent_input(aff, 1.0, seed, stimulus=root, touch=brush())["Abeta"]
    whole = afferent_input(dict(aff, antidromic_collision=False), 1.0, seed, stimulus=root, touch=brush())["Abeta"]
    lost = whole.times.size - both.times.size
    assert lost > 0
    # pulses are lost only to refractoriness: where a touch impulse passed the lead within the dead
    # time before the pulse, or reached the cord within it before the pulse's impulse; with touch
    # impulses at r per fibre that is about 2 x dead x r of the pulses (a rule that let the touch
    # impulse win a collision would lose pulses wherever one started within the window, ~30 %)
    from_lead = np.isin(np.round(both.times - (aff["drg_distance"] / fibers.velocity["Abeta"])[both.fibers], 9),
                        np.round(np.arange(50) / 50, 9))
    expected = 2 * DEAD_TIME * (touch_only.times.size / touch_only.n) * alone.times.size
    assert alone.times.size - from_lead.sum() <= expected + 3 * np.sqrt(expected)
    with pytest.raises(ParameterError, match="drg_distance"):
        lead_geometry("dorsal_root", dict(aff, drg_distance=aff["conduction_distance"]))
