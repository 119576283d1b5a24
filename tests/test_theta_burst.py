"""Theta-burst stimulation of M1: pattern and dose of the after-effect (issue 15).

Published (docs/circuits.md, "Theta burst of M1"): 600-pulse iTBS facilitates and
cTBS inhibits MEPs (Huang et al. 2005 Neuron 45:201); doubling the pulses to 1200
reverses both (Gamboa et al. 2010 Exp Brain Res 204:181); iTBS in blocks of
600 raises MEPs further after 1800 pulses (Nettekoven et al. 2014 J Neurosci
34:6849).

The rule: :class:`painsim.plasticity.TBSCalcium`, the calcium model of TBS
after-effects (Huang et al. 2011 Clin Neurophysiol 122:1011; equation fix and
stage-II re-fit, Ma, Rothwell & Goetz 2022), which the itbs/ctbs/theta_burst
protocols switch on at M1 -> PAG/RVM and M1 -> reticular thalamus.  The source
model was *fitted* to Huang 2005's iTBS600/cTBS600 time courses (and to
cTBS300, imTBS600 and Gentner 2008's cTBS300/600): those effects are calibrated by the source, and what the
tests below check for them is that they survive the network (spikes of the
directly fired and recurrently driven M1 neurons, background activity, the
companion subtraction of the course engine, the MEP proxy).  The dose effects
at 1200/1800 pulses were not fitted: the source model's own closed form
predicts none of them (checked below), and the network follows it.

What is measured here: one session (the course engine: windows, replay through the
plasticity rules, :mod:`painsim.course`) on the healthy pathway with one body
site, seeds 1-3; then

* the change of the mean efficacy of the plastic M1 outputs, and
* the MEP proxy: the PAG/RVM response evoked by single test pulses at 75 % RMT
  (spikes in the 50 ms after each pulse, minus those of the same windows without the
  pulses, per neuron and pulse).  In the model a TMS pulse fires M1 neurons by a fixed threshold, so M1's
  own response cannot change; the after-effect can only show where M1's plastic
  outputs land.

Tolerances come from the model: an effect counts when the mean over seeds is beyond zero
by a one-sided t-test at 2.5 % (mean / standard error, the seed spread / sqrt(n), above the
t quantile for n - 1 degrees of freedom: 4.30 for 3 seeds; for comparisons: of the paired
per-seed differences); the kernel's agreement with the source's equations is
checked to rounding (or to the residual calcium the source neglects between trains).
Where the model does not produce the published effect, the test is a strict expected
failure whose reason gives the measured value (numbers from docs/circuits.md: the
model's own settings, seeds 1-4; the tests run the faster settings of the other
course tests, seeds 1-3).
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import painsim as ps
from painsim.errors import ParameterError
from painsim.plasticity import TBSCalcium
from painsim.plasticity.registry import plastic_connections
from painsim.course import one_session, session_plan
from painsim.course.session import replayed_pulses
from painsim.validation.theta_burst import mep_changes, one_site_healthy

SEEDS = (1, 2, 3)
CONDITIONS = (("iTBS", 600), ("cTBS", 600), ("iTBS", 1200), ("cTBS", 1200), ("iTBS", 1800))
#: the speed settings of the other course tests (tests/test_course.py); docs/circuits.md has the
#: same measurements at the model's own settings (0.1 ms, 2 chunks)
FAST = {"network.dt": "0.2 ms", "course.window": "1 s", "course.n_chunks": 1}
OUTPUTS = ("m1_desc", "m1_trn")
#: one-sided level of "beyond the seed spread": the mean over SEEDS in standard errors is a t statistic
#: with len(SEEDS) - 1 degrees of freedom (two standard errors would be ~9 % with 3 seeds)
ALPHA = 0.025
T_CRIT = float(stats.t.ppf(1 - ALPHA, len(SEEDS) - 1))
#: the rule stays at both outputs (model-wide [plasticity.tbs_calcium], which the protocols' rule
#: takes) with no efficacy change per unit of F - I (TBSCalcium.gain): the control without learning
NO_LEARNING = {"plasticity.tbs_calcium.gain": 0.0}


@pytest.fixture(scope="module")
def model():
    return one_site_healthy(FAST)


@pytest.fixture(scope="module")
def tbs(model):
    """Per condition: per-seed change of the mean efficacy of each M1 output, and of the MEP proxy
    (painsim.validation.theta_burst, the measurement of the validation rows)."""
    out = mep_changes(model, CONDITIONS, SEEDS)
    for c in CONDITIONS:
        pats = out[c]["patients"]
        out[c].update({conn: np.array([p.weights()[conn].mean() - p.w_set[conn].mean() for p in pats])
                       for conn in OUTPUTS})
    return out


def _beyond_noise(x) -> float:
    """Mean over seeds in units of its standard error (the seed spread / sqrt(n))."""
    x = np.asarray(x, float)
    se = x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean() / se) if se > 0 else float(np.sign(x.mean()) * np.inf)


def _report(tbs, cond):
    return {k: np.round(v, 3).tolist() for k, v in tbs[cond].items() if k != "patients"}


# ------------------------------------------------------------------ the rule alone
def _random_trains(seed, n_pre=6, T=3.0):
    """Presynaptic spikes of ``n_pre`` neurons: theta bursts with jittered timing for some, Poisson
    background for others (spikes on and off the theta clock), sorted; 2 synapses per neuron."""
    rng = np.random.default_rng(seed)
    t, i = [], []
    for n in range(n_pre):
        if n % 2 == 0:   # bursts of 3 at 50 Hz every 0.2 s in trains of 2 s, jittered by up to 5 ms
            on = np.array([b * 0.2 + k * 0.02 for b in range(int(T / 0.2)) if (b * 0.2) % 2.5 < 2.0 for k in range(3)])
            on = on + rng.uniform(0, 0.005, on.size)
        else:            # Poisson background at 5-20 Hz
            on = np.cumsum(rng.exponential(1 / rng.uniform(5, 20), 80))
        on = on[on < T]
        t.append(on)
        i.append(np.full(on.size, n))
    t, i = np.concatenate(t), np.concatenate(i)
    o = np.argsort(t, kind="stable")
    syn_pre = np.repeat(np.arange(n_pre), 2)
    return t[o], i[o], syn_pre, np.arange(syn_pre.size) % 3, rng.uniform(0.5, 1.5, syn_pre.size)


@pytest.mark.parametrize("seed", [0, 1])
def test_kernel_matches_reference_and_windows_chain(seed):
    """The numba kernel equals the numpy reference (explicit calcium sums), and windows cut anywhere
    (on a theta tick, between ticks, empty) chain to the one long window, to rounding."""
    rule = TBSCalcium()
    t, i, sp, sq, w0 = _random_trains(seed)
    args = (t, i, [], [], sp, sq)
    st0 = rule.initial_state(sp.size, 6, 3)
    wk, sk = rule.apply(*args, w0, st0, 0.0, 3.0, 0.0, 2.0)
    wr, sr = rule.apply_reference(*args, w0, st0, 0.0, 3.0, 0.0, 2.0)
    assert np.max(np.abs(wk - wr)) <= 1e-9 and np.any(wk != w0)
    for k in sk:
        np.testing.assert_allclose(sk[k], sr[k], rtol=1e-9, atol=1e-12, err_msg=k)
    w, st = w0, st0
    for a, b in [(0.0, 0.4), (0.4, 0.4), (0.4, 1.7321), (1.7321, 3.0)]:
        w, st = rule.apply(*args, w, st, a, b, 0.0, 2.0)
    assert np.max(np.abs(w - wk)) <= 1e-12


def _source(bursts, trains, gap, C=1.0, k=1.2, tbi=0.16, bk=0.1, Rf=1.44, fk=0.005, Ri=0.127, ik=0.07):
    """The source model's stage I and II at the end of stimulation (Ma et al. 2022, Functions/peakM.m:
    Huang 2011's equations; per burst Ca_n = C (1 - e^{-n k tbi}) / (1 - e^{-k tbi}) e^{-k tbi},
    F_n = (F_{n-1} + Rf (Ca_n - Ca_{n-1})) e^{-fk/C}, I_n = (I_{n-1} + Ri/C^2 Ca_n) e^{-ik/C^2},
    trains superposed with e^{-bk gap} between them)."""
    F = I = ca0 = 0.0
    for n in range(1, bursts + 1):
        ca = C * (1 - np.exp(-n * k * tbi)) / (1 - np.exp(-k * tbi)) * np.exp(-k * tbi)
        F = (F + Rf * (ca - ca0)) * np.exp(-fk / C)
        I = (I + Ri / C ** 2 * ca) * np.exp(-ik / C ** 2)
        ca0 = ca
    g = np.exp(-bk * gap)
    s = (1 - g ** trains) / (1 - g) if trains > 1 else 1.0
    return F * s, I * s


@pytest.mark.parametrize("pattern, n, bursts, trains", [("cTBS", 300, 100, 1), ("cTBS", 600, 200, 1),
                                                        ("cTBS", 1200, 400, 1), ("iTBS", 600, 10, 20),
                                                        ("iTBS", 1200, 10, 40)])
def test_the_kernel_is_the_source_model(pattern, n, bursts, trains):
    """On the protocol's pulses (one neuron fired by each, 3 ms latency) the kernel's facilitation and
    inhibition are the source model's times one factor g on every calcium value (F and I are linear
    in calcium): g = the calcium a burst leaves at the next tick over the source's C e^{-k tbi}.
    cTBS: exact to rounding; iTBS: up to the calcium left from the previous train, which the source
    drops (relative size <= e^{-k' 8 s} times the calcium plateau over one burst's calcium)."""
    rule = TBSCalcium(gain=1.0)
    on = np.asarray(ps.stimulation.from_spec({"type": "theta_burst", "pattern": pattern, "intensity": 0.8,
                                              "n_pulses": n}).onsets) + 0.003
    _, st = rule.apply(on, np.zeros(on.size, int), [], [], [0], [0], [0.0], rule.initial_state(1, 1, 1),
                       0.0, on[-1] + 0.2, -1e9, 1e9)
    k = rule.k_continuous
    g = sum(np.exp(-k * (0.2 - 0.003 - d)) for d in (0.0, 0.02, 0.04)) / 3 / np.exp(-1.2 * 0.16)
    F, I = _source(bursts, trains, 8.0)
    plateau = 1 / (1 - np.exp(-k * 0.2))
    tol = 1e-9 if trains == 1 else 2 * plateau * np.exp(-k * 8.0)
    assert (st["F"] + st["F_res"])[0] == pytest.approx(g * F, rel=tol)
    assert (st["I"] + st["I_res"])[0] == pytest.approx(g * I, rel=tol)


def test_what_the_source_model_predicts():
    """The source's own closed form (Ma 2022 constants, C = 1): iTBS600 facilitates and cTBS600
    inhibits (fitted to Huang 2005); not fitted: iTBS gives the same net after 600, 1200 and 1800
    pulses (the recursion over trains reaches its fixed point within ~5 trains) and cTBS1200 inhibits
    more than cTBS600 - the source does not predict Gamboa's reversals or Nettekoven's growth."""
    net = {c: np.subtract(*_source(*p, 8.0)) for c, p in {"i600": (10, 20), "i1200": (10, 40), "i1800": (10, 60),
                                                          "c600": (200, 1), "c1200": (400, 1)}.items()}
    assert net["i600"] > 0 > net["c600"]
    assert net["i1200"] == pytest.approx(net["i600"], rel=1e-6) and net["i1800"] == pytest.approx(net["i600"], rel=1e-6)
    assert net["c1200"] < net["c600"]


def test_bad_rule_parameters_are_refused_by_name():
    for name, bad in (("spikes_per_burst", 2.5), ("ca_burst", 0.0), ("k_ca", "-1 Hz"), ("theta_period", "0 s")):
        with pytest.raises(ParameterError, match=name):
            TBSCalcium(**{name: bad})


def test_model_wide_rule_section_under_each_connections_own_parameters():
    """[plasticity.tbs_calcium] holds the rule's model-wide values; a connection's own rule_params win;
    a bad model-wide value is refused naming the section's key."""
    m = ps.load_model("healthy").with_params({
        "plasticity.m1_desc.rule": "tbs_calcium", "plasticity.m1_trn.rule": "tbs_calcium",
        "plasticity.tbs_calcium.gain": 0.2, "plasticity.m1_trn.rule_params.gain": 0.05})
    conns = plastic_connections(m)
    assert conns["m1_desc"][0].gain == 0.2 and conns["m1_trn"][0].gain == 0.05
    with pytest.raises(ParameterError, match="plasticity.tbs_calcium.gain"):
        plastic_connections(m.with_params({"plasticity.tbs_calcium.gain": -1.0}))


def test_rtms_keeps_its_own_rule():
    """Theta burst has its own rule; 20 Hz rTMS keeps triplet STDP at the same synapses."""
    for name in ("itbs", "ctbs"):
        assert ps.protocols.get(name).plasticity["plasticity.m1_desc.rule"] == "tbs_calcium"
    assert ps.protocols.theta_burst("cTBS", 1200).plasticity["plasticity.m1_trn.rule"] == "tbs_calcium"
    rtms = ps.protocols.get("rtms_m1_20hz").plasticity
    assert rtms["plasticity.m1_desc.rule"] == "triplet_stdp" == rtms["plasticity.m1_trn.rule"]


# ------------------------------------------------------------------ controls
def test_zero_intensity_tbs_changes_nothing(model):
    """Pulses at 0 % RMT fire no M1 neuron: every window equals its companion and the session
    leaves every plastic synapse exactly at its set point."""
    (p,) = one_session(model, ps.protocols.theta_burst("cTBS", 600, 0.0), SEEDS[:1])
    assert set(p.weights()) == set(OUTPUTS)
    for conn in OUTPUTS:
        assert np.array_equal(p.weights()[conn], p.w_set[conn]), conn


def test_without_learning_tbs_leaves_no_after_effect(model, tbs):
    """The after-effect lives in the rule's learning: the same cTBS600 sessions with the rule kept at
    both M1 outputs but its gain 0 (NO_LEARNING) leave every plastic synapse at its set point and the
    MEP proxy unchanged (its mean change within T_CRIT standard errors of 0, the seed spread / sqrt(n)),
    while with the gain the MEP proxy falls below the gain-0 sessions' (paired by seed, beyond the
    spread) and every output moves, on average, by more than the rule can move a synapse in one theta
    cycle of one burst (gain (R_f + R_i / C^2) C)."""
    still = mep_changes(model.with_params(NO_LEARNING), [("cTBS", 600)], SEEDS)[("cTBS", 600)]
    for p in still["patients"]:
        assert set(p.weights()) == set(OUTPUTS)   # the synapses are plastic and were seen by the session
        for conn in OUTPUTS:
            assert p.plastic[conn][0].gain == 0.0
            assert np.array_equal(p.weights()[conn], p.w_set[conn]), conn
    x = still["mep"]
    assert abs(x.mean()) <= T_CRIT * x.std(ddof=1) / np.sqrt(x.size), np.round(x, 3)
    assert _beyond_noise(tbs[("cTBS", 600)]["mep"] - x) < -T_CRIT, (_report(tbs, ("cTBS", 600)), np.round(x, 3))
    active = tbs[("cTBS", 600)]["patients"][0]
    for conn in OUTPUTS:
        r = active.plastic[conn][0]
        one_cycle = r.gain * (r.rise_factor + r.level_factor / r.ca_burst ** 2) * r.ca_burst
        change = np.abs(active.weights()[conn] - active.w_set[conn]).mean()
        assert change > one_cycle, (conn, change, one_cycle)


def test_without_the_inhibitory_process_ctbs_no_longer_depresses(model, tbs):
    """The mechanism: cTBS depresses because the cumulative inhibitory process outgrows the
    facilitation.  With it removed (R_i = 0) the same sessions potentiate both outputs (beyond the
    seed spread), while with it they depress."""
    off = {**ps.protocols.theta_burst("cTBS", 600).plasticity,
           **{f"plasticity.{c}.rule_params.level_factor": 0.0 for c in OUTPUTS}}
    pats = one_session(model, ps.protocols.theta_burst("cTBS", 600, plasticity=off), SEEDS)
    for conn in OUTPUTS:
        d = [p.weights()[conn].mean() - p.w_set[conn].mean() for p in pats]
        assert _beyond_noise(d) > T_CRIT and _beyond_noise(tbs[("cTBS", 600)][conn]) < -T_CRIT, (conn, np.round(d, 3))


def test_the_session_delivers_the_dose():
    """The protocol's session delivers exactly its pulses (the engine takes the pattern as periodic)."""
    for pattern, n in (*CONDITIONS, ("iTBS", 1800)):
        p = ps.protocols.theta_burst(pattern, n)
        D, lead, L = p.calendar.session_duration, 0.3, 1.0
        assert replayed_pulses(session_plan(p, D, L, lead, 2, False), L, lead) == n, (pattern, n)


# ------------------------------------------------------------------ the published effects
# Fitted by the source model (Huang 2005's iTBS600/cTBS600): these check that the effect survives the
# network.  Measured (docs/circuits.md, model settings, seeds 1-4): iTBS600 M1 -> PAG/RVM +0.15 +- 0.07,
# M1 -> TRN +0.19 +- 0.07, MEP proxy +19 +- 7 %; cTBS600 -0.33 +- 0.09, -0.36 +- 0.12, -72 +- 9 %.
def test_itbs600_potentiates_the_m1_outputs(tbs):
    for conn in OUTPUTS:
        assert _beyond_noise(tbs[("iTBS", 600)][conn]) > T_CRIT, _report(tbs, ("iTBS", 600))


def test_itbs600_raises_the_mep_proxy(tbs):
    assert _beyond_noise(tbs[("iTBS", 600)]["mep"]) > T_CRIT, _report(tbs, ("iTBS", 600))


def test_ctbs600_depresses_the_m1_outputs(tbs):
    for conn in OUTPUTS:
        assert _beyond_noise(tbs[("cTBS", 600)][conn]) < -T_CRIT, _report(tbs, ("cTBS", 600))


def test_itbs600_and_ctbs600_act_in_opposite_directions(tbs):
    d = tbs[("iTBS", 600)]["mep"] - tbs[("cTBS", 600)]["mep"]   # paired by seed
    assert _beyond_noise(d) > T_CRIT, (_report(tbs, ("iTBS", 600)), _report(tbs, ("cTBS", 600)))


# Not fitted by the source, whose closed form predicts none of them (test_what_the_source_model_predicts).
@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "no dose reversal (validation row itbs1200_mep_change): iTBS1200 raises the MEP proxy like iTBS600 "
    "(measured +18 +- 6 % vs +19 +- 7 %; M1 -> PAG/RVM +0.15 vs +0.15): the source model's recursion over "
    "trains reaches its fixed point within ~5 trains, so 20 more trains change nothing (its own "
    "prediction); published: iTBS1200 inhibits (Gamboa 2010)"))
def test_doubling_itbs_reverses_its_after_effect(tbs):
    x600, x1200 = tbs[("iTBS", 600)]["mep"], tbs[("iTBS", 1200)]["mep"]
    assert np.sign(x1200.mean()) == -np.sign(x600.mean()) and abs(_beyond_noise(x1200)) > T_CRIT, \
        (_report(tbs, ("iTBS", 600)), _report(tbs, ("iTBS", 1200)))


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "no dose reversal (validation row ctbs1200_mep_change): cTBS1200 lowers the MEP proxy more than "
    "cTBS600 (measured -79 +- 11 % vs -72 +- 9 %; M1 -> PAG/RVM -0.36 vs -0.33): the cumulative "
    "inhibitory process keeps growing while the facilitation fades (the source model's own prediction); "
    "published: cTBS1200 facilitates (Gamboa 2010)"))
def test_doubling_ctbs_reverses_its_after_effect(tbs):
    x600, x1200 = tbs[("cTBS", 600)]["mep"], tbs[("cTBS", 1200)]["mep"]
    assert np.sign(x1200.mean()) == -np.sign(x600.mean()) and abs(_beyond_noise(x1200)) > T_CRIT, \
        (_report(tbs, ("cTBS", 600)), _report(tbs, ("cTBS", 1200)))


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "no dose growth: after iTBS1800 the MEP proxy is where iTBS600 leaves it (measured +18 +- 5 % vs "
    "+19 +- 7 %; M1 -> PAG/RVM +0.15 vs +0.15, M1 -> TRN +0.18 vs +0.19): the source model's fixed "
    "point over trains (its own prediction); no validation row; published: MEPs rise further after 1800 "
    "pulses of iTBS in blocks of 600 (Nettekoven 2014)"))
def test_more_itbs_raises_the_mep_proxy_further(tbs):
    d = tbs[("iTBS", 1800)]["mep"] - tbs[("iTBS", 600)]["mep"]   # paired by seed
    assert _beyond_noise(d) > T_CRIT, (_report(tbs, ("iTBS", 600)), _report(tbs, ("iTBS", 1800)))


def test_each_theta_burst_row_reads_its_own_session(monkeypatch):
    """The four validation rows share one measurement (cached per seed): each row reads the mean over
    circuits of its own (pattern, pulses) session, never a neighbour's, and the measurement runs once."""
    from painsim.validation import theta_burst as tb
    runs = []

    def fake_changes(model, conditions, seeds):
        runs.append((tuple(conditions), tuple(seeds)))
        return {c: {"mep": np.arange(len(seeds)) + 10.0 * k} for k, c in enumerate(conditions)}

    monkeypatch.setattr(tb, "mep_changes", fake_changes)
    tb._row_changes.cache_clear()
    try:
        means = [tb.tbs_mep_change(*c)(1) for c in tb.ROW_CONDITIONS]
    finally:
        tb._row_changes.cache_clear()
    offset = np.mean(np.arange(tb.N_SEEDS))
    assert means == pytest.approx([offset + 10.0 * k for k in range(len(tb.ROW_CONDITIONS))])
    assert runs == [(tb.ROW_CONDITIONS, tuple(range(1, 1 + tb.N_SEEDS)))]
