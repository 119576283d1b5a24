"""The plasticity review's reproduced bugs, each with a negative control.

* windows that went back in time were accepted (traces decayed over a negative time grew:
  w = -749.9 or +14510), also through ``update_weights``' ``states["time"]``;
* a state whose per-neuron arrays had the wrong lengths let the numba kernel read and write
  out of bounds;
* NaN, infinite or negative traces in a state were accepted (NaN weights came out);
* BCM's threshold tracked <y^2> / r_target of a shot-noise rate estimate, so the rule was
  neutral near 5 Hz, not at its target rate as its docstring said;
* ``stdp_window`` read every pair at one shared end time (a pair's change depended on the
  other dts asked for);
* bare Python errors or silent readings: ``make_rule(["pair_stdp"])``, numpy window times
  refused as "no unit", bool ids taken as 0/1, 2-D arrays flattened, numeric text read as s;
* the theta-burst tick clock put 0.6 and 3 * 0.2 into different ticks.
"""
import math

import numpy as np
import pytest

import painsim as ps
from painsim import conditioning as cond
from painsim import plasticity as pl
from painsim.errors import UnknownKeyError
from refusals import refused

INF, NAN = math.inf, math.nan

RULES = {
    "pair": pl.PairSTDP,
    "triplet": pl.TripletSTDP,
    "calcium": lambda: pl.CalciumRule.preset("DP"),   # pre and post calcium, a 13.7-ms delay queue
    "bcm": pl.BCM,
    "scaling": pl.SynapticScaling,
    "tbs": pl.TBSCalcium,
}
PRE, POST = [0.1, 0.5], [0.3, 0.9]


def _apply(rule, state, t0, t1, pre=PRE, post=POST, w=(0.5,)):
    return rule.apply(pre, np.zeros(len(pre), int), post, np.zeros(len(post), int), [0], [0], list(w), state,
                      t0, t1, 0.0, 1.0)


# ------------------------------------------------------------------ 1. windows go forward
@pytest.mark.parametrize("name", sorted(RULES))
def test_a_window_before_the_states_last_event_is_refused(name):
    """After [0, 1) with spikes up to 0.9 s (theta-burst: ticks up to 0.8 s), a window from 0.2 s
    (or the same window again) is refused by ``t_start``; it was accepted and decayed the traces
    over a negative time.  Negative control: the next window [1, 2) is accepted."""
    rule = RULES[name]()
    w, st = _apply(rule, rule.initial_state(1, 1, 1), 0.0, 1.0)
    for t0 in (0.0, 0.2):
        err = refused(lambda: _apply(rule, st, t0, 1.5, w=w), "t_start")
        assert "last event time" in str(err)
    w2, st2 = _apply(rule, st, 1.0, 2.0, pre=[1.1], post=[1.2], w=w)
    assert np.all(np.isfinite(w2)) and 0.0 <= w2[0] <= 1.0


def test_the_reviewers_repeated_window_no_longer_runs_away():
    """The review's case: re-applying [0, 1) gave w = -749.9 and [0.2, 0.3) w = +14510 (no bounds).
    Negative control: a window starting at the last event itself (0.9 s) is accepted."""
    r = pl.PairSTDP()
    w, st = r.apply([0.5], [0], [0.9], [0], [0], [0], [0.0], r.initial_state(1, 1, 1), 0.0, 1.0, -INF, INF)
    refused(lambda: r.apply([0.5], [0], [0.9], [0], [0], [0], w, st, 0.0, 1.0, -INF, INF), "t_start")
    refused(lambda: r.apply([], [], [0.25], [0], [0], [0], w, st, 0.2, 0.3, -INF, INF), "t_start")
    w2, _ = r.apply([], [], [0.95], [0], [0], [0], w, st, 0.9, 1.0, -INF, INF)
    assert 0.0 < w2[0] < 0.02   # one more causal pair at 450 ms: a small potentiation


@pytest.fixture(scope="module")
def window():
    """A short simulated window of gate_control with pair STDP at C -> PN, and its first update."""
    m = ps.load_model("gate_control", {"plasticity.c_pn.rule": "pair_stdp", "plasticity.c_pn.preset": "none"})
    res = ps.simulate(m, noxious=0.6, duration="0.3 s", seed=1)
    w, st = cond.update_weights(m, res)
    return m, res, w, st


@pytest.mark.parametrize("time", ["abc", [1, 2], NAN, INF, None, "missing", -5.0, 0.1])
def test_update_weights_refuses_a_bad_clock_by_name(window, time):
    """``states["time"]`` that is not a finite number ("abc", a list: bare ValueError/TypeError; NaN:
    refused as ``t_end``), missing from states that hold rule states (was taken as 0 s) or before
    the events those states have seen (-5 s, 0.1 s: the weights ran to their bounds) is refused by
    its name."""
    m, res, w, st = window
    states = {k: v for k, v in st.items() if k != "time"}
    if time != "missing":
        states["time"] = time
    refused(lambda: cond.update_weights(m, res, w, states), 'states["time"]')


def test_update_weights_chains_from_its_own_clock(window):
    """Negative control: the returned states chain (also with a numpy time), and no states or an
    empty dict start a first window at 0 s."""
    m, res, w, st = window
    w2, st2 = cond.update_weights(m, res, w, st)
    assert st2["time"] == pytest.approx(2 * st["time"])
    w3, _ = cond.update_weights(m, res, w, {**st, "time": np.float64(st["time"])})
    np.testing.assert_array_equal(w2["c_pn"], w3["c_pn"])
    w4, st4 = cond.update_weights(m, res, None, {})
    assert st4["time"] == pytest.approx(st["time"])
    np.testing.assert_array_equal(w4["c_pn"], w["c_pn"])


def test_update_weights_names_a_bad_rule_state_by_connection(window):
    """A connection's rule state the rule refuses is named as part of ``states``."""
    m, res, w, st = window
    bad = {k: v.copy() for k, v in st["c_pn"].items()}
    bad["r1"] = bad["r1"][:-1]
    refused(lambda: cond.update_weights(m, res, w, {**st, "c_pn": bad}), "states['c_pn']['r1']")


# ------------------------------------------------------------------ 2. state array lengths
def _keys_with_company(rule):
    """Keys of the rule's state on a side with at least 3 arrays (the odd length is then clear)."""
    st = rule.initial_state(2, 3, 4)
    side = {k: ("pre" if v.shape[0] == 3 else "post") for k, v in st.items()}
    return [k for k in st if sum(s == side[k] for s in side.values()) >= 3]


CASES = [(n, k) for n in sorted(RULES) for k in _keys_with_company(RULES[n]())]


@pytest.mark.parametrize("name, key", CASES)
def test_a_state_array_of_the_wrong_length_is_refused_by_its_key(name, key):
    """One per-neuron array (or the delay queue's rows) two entries longer or one shorter than
    its side's others: the kernel indexed past it.  Refused naming the key."""
    rule = RULES[name]()
    for extra in (2, -1):
        st = rule.initial_state(2, 3, 4)
        a = st[key]
        st[key] = np.resize(a, (a.shape[0] + extra,) + a.shape[1:])   # valid entries, wrong length
        refused(lambda: _apply_sized(rule, st), f"state[{key!r}]")


def _apply_sized(rule, st):
    return rule.apply([0.1], [2], [0.2], [3], [2, 0], [3, 1], [0.5, 0.5], st, 0.0, 1.0, 0.0, 1.0)


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_state_of_consistent_sizes_is_accepted(name):
    """Negative control: the state of initial_state (and one with no neurons) is accepted."""
    rule = RULES[name]()
    w, _ = _apply_sized(rule, rule.initial_state(2, 3, 4))
    assert w.shape == (2,) and np.all(np.isfinite(w))
    w0, _ = rule.apply([], [], [], [], [], [], [], rule.initial_state(0, 0, 0), 0.0, 1.0, 0.0, 1.0)
    assert w0.size == 0


def test_the_reviewers_mismatched_stdp_state_is_refused():
    """The review's case: r1 of length 1 and o2 of 7 beside t_pre of 3 and t_post of 1 (the kernel
    ran and returned; the reference raised IndexError)."""
    r = pl.PairSTDP()
    st = r.initial_state(1, 3, 1)
    st["r1"], st["o2"] = np.zeros(1), np.zeros(7)
    args = ([0.1], [2], [0.2], [0], [2], [0], [0.0], st, 0.0, 1.0, -INF, INF)
    refused(lambda: r.apply(*args), "state['r1']")
    refused(lambda: r.apply_reference(*args), "state['r1']")
    st["r1"] = np.zeros(3)
    refused(lambda: r.apply(*args), "state['o2']")
    refused(lambda: r.apply(*args[:7], {**st, "r2": np.zeros((3, 1))}, *args[8:]), "state['r2']")  # not 1-D


# ------------------------------------------------------------------ 3. values in the state
BAD_VALUES = [
    ("pair", "r1", NAN), ("pair", "r2", -1.0), ("triplet", "o1", INF), ("pair", "t_pre", NAN),
    ("pair", "t_post", INF),
    ("calcium", "c_pre", NAN), ("calcium", "u_nmda", -0.5), ("calcium", "c_post", INF),
    ("calcium", "t_c_pre", NAN), ("calcium", "t_u_nmda", INF),
    ("bcm", "x_pre", NAN), ("bcm", "y_post", -1.0), ("bcm", "theta", NAN), ("bcm", "theta", -1.0),
    ("bcm", "t_pre", INF), ("bcm", "t_post", -INF),
    ("scaling", "y_post", NAN), ("scaling", "y_post", -1.0), ("scaling", "t_post", INF),
    ("tbs", "ca", NAN), ("tbs", "ca", -1.0), ("tbs", "ca_tick", -1.0), ("tbs", "F", NAN), ("tbs", "I", -1.0),
    ("tbs", "F_res", INF), ("tbs", "active", 0.5), ("tbs", "tick", 1.5), ("tbs", "tick", INF), ("tbs", "t_ca", NAN),
]


@pytest.mark.parametrize("name, key, value", BAD_VALUES)
def test_a_state_value_that_is_no_trace_or_marker_is_refused(name, key, value):
    """NaN, infinite or negative traces (the review: a NaN trace gave NaN weights), NaN or +inf
    last-event times (-inf means never, NaN the first window's start where documented),
    a fractional tick or a flag that is neither 0 nor 1: refused naming the key."""
    rule = RULES[name]()
    st = rule.initial_state(1, 1, 1)
    st[key] = np.full_like(st[key], value)
    refused(lambda: _apply(rule, st, 0.0, 1.0), f"state[{key!r}]")


@pytest.mark.parametrize("queue", [[INF], [0.5, NAN, 0.7], [0.7, 0.5], [-1.0]])
def test_a_delay_queue_out_of_order_is_refused(queue):
    """The calcium rule's queue holds its arrivals first (sorted, after the last transient), NaN
    after them: the kernel stops at the first NaN (an arrival behind one was dropped, while the
    reference used it); an arrival before the last transient decayed calcium backwards."""
    rule = pl.CalciumRule.preset("DP")
    st = rule.initial_state(1, 1, 1)
    st["pending"][0, :len(queue)] = queue
    st["t_c_pre"][0] = -0.5
    refused(lambda: _apply(rule, st, 0.0, 1.0), "state['pending']")


@pytest.mark.parametrize("name", sorted(RULES))
def test_documented_markers_and_a_carried_state_are_accepted(name):
    """Negative control: the fresh state's markers (-inf: never; NaN: the first window's start;
    NaN queue slots), a queue with arrivals in flight and a state carried from a window are
    accepted, and chaining still equals one window."""
    rule = RULES[name]()
    w1, st1 = _apply(rule, rule.initial_state(1, 1, 1), 0.0, 1.0)
    w2, st2 = _apply(rule, st1, 1.0, 2.0, pre=[1.1], post=[1.3], w=w1)
    wa, sa = _apply(rule, rule.initial_state(1, 1, 1), 0.0, 2.0, pre=PRE + [1.1], post=POST + [1.3])
    np.testing.assert_allclose(w2, wa, rtol=0, atol=1e-12)
    if name == "calcium":   # a pre spike within one delay of the window end leaves an arrival in flight
        _, st = _apply(rule, rule.initial_state(1, 1, 1), 0.0, 1.0, pre=[0.995], post=[])
        assert np.isfinite(st["pending"][0, 0])
        _apply(rule, st, 1.0, 2.0)


# ------------------------------------------------------------------ 4. BCM's neutral rate
def _bcm_drift(rule, rate, T, seed, burn=10.0):
    """The mean of (y - theta) over the postsynaptic spikes of a Poisson train at ``rate`` (after
    ``burn`` s): with one presynaptic spike at 0 and tau_pre = eta (1e9 s), eta * x = 1 to 1e-5, so
    the weight's change over the spikes is the sum of (y - theta)."""
    rng = np.random.default_rng(seed)
    qt = np.cumsum(rng.exponential(1 / rate, int(1.2 * rate * T) + 100))
    qt = qt[qt < T]
    qi = np.zeros(qt.size, int)
    w1, st = rule.apply([0.0], [0], qt, qi, [0], [0], [0.0], rule.initial_state(1, 1, 1), 0.0, burn, -INF, INF)
    w2, _ = rule.apply([0.0], [0], qt, qi, [0], [0], w1, st, burn, T, -INF, INF)
    return (w2[0] - w1[0]) / np.count_nonzero(qt >= burn)


def _bcm_se(rate, mean, r0, tau_y, tau_th, T, frozen=False):
    """Standard error of :func:`_bcm_drift`'s mean, from the traces' variances and the run length.

    The sum over spikes of f = y - theta is a stochastic integral against the Poisson counting
    process; an increment dM at s enters with weight g = f(s) + c, c = rate (1 - 2 rate / r0) (its
    own f, plus its later effect on y and, linearised, on theta = y_bar^2 / r0; both filters have
    unit area), so Var(sum) = rate T E[g^2], E[g^2] = (E[f] + c)^2 + Var(f) <= (mean + c)^2 +
    (sd_y + sd_theta)^2 with ``mean`` the measured E[f], Var(y) = rate / (2 tau_y), Var(y_bar) =
    rate / (2 (tau_y + tau_th)) and sd_theta = (2 rate / r0) sd_ybar.  A frozen threshold (held)
    has c = rate and Var(f) = Var(y)."""
    sd_y = math.sqrt(rate / (2 * tau_y))
    if frozen:
        eg2 = (mean + rate) ** 2 + sd_y ** 2
    else:
        sd_th = 2 * rate / r0 * math.sqrt(rate / (2 * (tau_y + tau_th)))
        eg2 = (mean + rate * (1 - 2 * rate / r0)) ** 2 + (sd_y + sd_th) ** 2
    return math.sqrt(eg2 / (rate * T))


def test_bcm_is_neutral_where_its_docstring_says():
    """The docstring: for Poisson firing the mean change is zero at target_rate - 1 / (2 (tau_theta
    + tau_post)), potentiation below, depression above.  Measured: E[(y - theta)] / rate is linear
    in the rate (1 - (rate + b) / r0), so the zero crossing between two rates 1 Hz either side is
    read off exactly; the tolerance is 5 standard errors of that crossing (:func:`_bcm_se`).  The
    old threshold (<y^2> / r0) was neutral at r0 - 1 / (2 tau_post) = 5 Hz."""
    tau_y, tau_th, r0, T, big = 0.1, 0.4, 10.0, 5000.0, 1e9
    rule = pl.BCM(eta=big, tau_pre=f"{big} s", tau_post=f"{tau_y} s", tau_theta=f"{tau_th} s",
                  target_rate=f"{r0} Hz")
    expected = r0 - 1 / (2 * (tau_th + tau_y))                   # 9 Hz
    rates = (expected - 1.0, expected + 1.0)
    d = [_bcm_drift(rule, r, T, seed) for seed, r in enumerate(rates)]
    g = [x / r for x, r in zip(d, rates)]
    se_g = max(_bcm_se(r, x, r0, tau_y, tau_th, T - 10.0) / r for x, r in zip(d, rates))
    tol = 5 * r0 * se_g                                          # d(neutral)/dg <= r0 (slope of g: -1/r0)
    assert tol < 0.5 * min(abs(expected - r0), abs(expected - (r0 - 1 / (2 * tau_y))))  # the test discriminates
    assert g[0] > 0 > g[1]                                       # potentiation below, depression above
    neutral = rates[0] + g[0] * (rates[1] - rates[0]) / (g[0] - g[1])
    assert neutral == pytest.approx(expected, abs=tol)


def test_bcm_measurement_with_a_frozen_threshold_reads_the_rate():
    """Negative control of the measurement: with the threshold held at theta0 (tau_theta 1e9 s), the
    mean of (y - theta) is rate - theta0 within 5 standard errors (y is an unbiased rate estimate)."""
    tau_y, r0, T, big = 0.1, 10.0, 3000.0, 1e9
    rule = pl.BCM(eta=big, tau_pre=f"{big} s", tau_post=f"{tau_y} s", tau_theta=f"{big} s",
                  target_rate=f"{r0} Hz", theta0=f"{r0} Hz")
    for seed, rate in enumerate((8.0, 12.0)):
        d = _bcm_drift(rule, rate, T, seed + 7)
        assert d == pytest.approx(rate - r0, abs=5 * _bcm_se(rate, d, r0, tau_y, big, T - 10.0, frozen=True))


# ------------------------------------------------------------------ 5. stdp_window points alone
def test_an_stdp_window_point_does_not_depend_on_the_others():
    """The calcium DP rule at +10 ms: 0.003574 alone, 0.003604 with dt = 5 s also asked, 0.003885 with
    50 s (read at one shared end time).  Now each pair runs alone.  Negative control: the weight
    does drift after the pair, so reading it later (a longer tail) changes it."""
    r = pl.CalciumRule.preset("DP")
    alone = float(pl.stdp_window(r, [0.01]).dw.values[0])
    for other in (5.0, 50.0, -50.0):
        beside = pl.stdp_window(r, [0.01, other]).dw.sel(dt=0.01).values
        assert float(beside) == pytest.approx(alone, rel=1e-12)
    assert abs(float(pl.stdp_window(r, [0.01], tail=600.0).dw.values[0]) - alone) > 1e-3


def test_every_curve_point_is_its_own_kernel_call(monkeypatch):
    """The module said every protocol ran as ONE kernel call; each point now runs alone."""
    calls = []
    original = pl.PairSTDP.apply
    monkeypatch.setattr(pl.PairSTDP, "apply", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    pl.stdp_window(pl.PairSTDP(), [-0.01, 0.0, 0.01])
    assert len(calls) == 3
    assert "ONE kernel call" not in pl.curves.__doc__
    refused(lambda: pl.stdp_window(pl.PairSTDP(), [0.01], tail=-1.0), "tail")


# ------------------------------------------------------------------ 7. named refusals
def test_make_rule_refuses_a_name_that_is_not_text():
    """``make_rule(["pair_stdp"])`` was a bare TypeError (unhashable).  Negative control: the name works."""
    refused(lambda: pl.make_rule(["pair_stdp"]), ["pair_stdp"], UnknownKeyError)
    assert isinstance(pl.make_rule("pair_stdp"), pl.PairSTDP)


def _pair(**kw):
    r = pl.PairSTDP()
    args = dict(pre_times=[0.1], pre_ids=[0], post_times=[0.11], post_ids=[0], syn_pre=[0], syn_post=[0],
                weights=[0.5], state=r.initial_state(1, 2, 1), t_start=0.0, t_end=1.0, w_min=0.0, w_max=1.0)
    return r.apply(**{**args, **kw})[0]


def test_numpy_window_times_are_numbers():
    """``np.float32(0)`` and ``np.int64(1)`` were refused as "expected a quantity in s" while 0.0 and 1
    were taken.  Negative control: the same weights as with plain numbers and with a unit."""
    w = _pair()
    for kw in (dict(t_start=np.float32(0.0)), dict(t_end=np.int64(1)), dict(t_start=0, t_end=1),
               dict(t_end="1 s"), dict(t_start=np.float64(0.0), t_end=np.array(1.0))):
        np.testing.assert_array_equal(_pair(**kw), w)
    refused(lambda: _pair(t_start=np.bool_(False)), "t_start")


@pytest.mark.parametrize("kw, name", [
    (dict(pre_ids=[True]), "pre_ids"), (dict(post_ids=np.array([False])), "post_ids"),
    (dict(syn_pre=[True]), "syn_pre"), (dict(syn_post=np.array([[0]])), "syn_post"),
    (dict(weights=[[0.5]]), "weights"), (dict(pre_times=["0.1"]), "pre_times"),
    (dict(post_times=np.array(["0.11"])), "post_times"), (dict(pre_times=[True]), "pre_times"),
    (dict(pre_ids=[0.5]), "pre_ids"), (dict(pre_ids=[np.inf]), "pre_ids"),
])
def test_bool_ids_2d_arrays_and_numeric_text_are_refused_by_name(kw, name):
    """Bool ids were read as 0/1, 2-D arrays silently flattened, spike times given as numeric text
    read as seconds."""
    refused(lambda: _pair(**kw), name)


def test_ids_and_times_as_plain_numbers_are_unchanged():
    """Negative control: lists, numpy arrays, whole floats as ids and a scalar spike time give the same weights."""
    w = _pair()
    for kw in (dict(pre_ids=np.array([0])), dict(pre_ids=[0.0]), dict(pre_times=np.array([0.1])),
               dict(pre_times=0.1, pre_ids=0), dict(weights=np.array([0.5])), dict(syn_pre=(0,))):
        np.testing.assert_array_equal(_pair(**kw), w)


# ------------------------------------------------------------------ 8. theta-burst tick clock
def _tbs(spike, t_end=2.0, ref=False):
    r = pl.TBSCalcium()
    f = r.apply_reference if ref else r.apply
    return f([spike], [0], [], [], [0], [0], [1.0], r.initial_state(1, 1, 1), 0.0, t_end, 0.0, 2.0)


def test_a_tick_instant_computed_with_rounding_is_the_tick():
    """A spike at 3 * 0.2 = 0.6000000000000001 went to tick 4, one at 0.6 to tick 3 (a different
    weight); a window ending at 3 * 0.2 ran tick 3, one ending at 0.6 did not.  Now both are tick 3's
    instant.  Negative control: a spike 1 us after the instant belongs to tick 4 and gives another
    weight; kernel and reference agree."""
    w_a, s_a = _tbs(0.6)
    w_b, s_b = _tbs(3 * 0.2)
    assert 3 * 0.2 != 0.6
    np.testing.assert_allclose(w_b, w_a, rtol=1e-12)
    np.testing.assert_allclose(s_b["ca_tick"], s_a["ca_tick"], rtol=1e-12)
    w_r, _ = _tbs(3 * 0.2, ref=True)
    np.testing.assert_allclose(w_r, w_b, rtol=1e-12)
    assert _tbs(0.6, t_end=3 * 0.2)[1]["tick"][0] == _tbs(0.6, t_end=0.6)[1]["tick"][0] == 2
    w_late, _ = _tbs(0.6 + 1e-6)
    assert abs(w_late[0] - w_a[0]) > 1e-4


# ------------------------------------------------------------------ minor: docstrings
def test_triplet_presets_are_said_to_come_from_tables_3_and_4():
    """``TripletSTDP.preset`` said all its sets were from Table 4 (visual cortex: Table 3).
    Negative control: every name the docstring's patterns give is a preset."""
    doc = pl.TripletSTDP.preset.__doc__
    assert "Tables 3 and 4" in doc and "(Table 4)." not in doc
    for area in ("visual_cortex", "hippocampal"):
        for suffix in ("all_to_all", "minimal_all_to_all", "nearest", "minimal_nearest"):
            assert f"{area}_{suffix}" in pl.TripletSTDP.PRESETS
