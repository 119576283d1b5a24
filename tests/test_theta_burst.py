"""Theta-burst stimulation of M1: pattern and dose of the after-effect (issue 15).

Published (docs/circuits.md, "Theta burst of M1"): 600-pulse iTBS facilitates and
cTBS inhibits MEPs (Huang et al. 2005 Neuron 45:201); doubling the pulses to 1200
reverses both (Gamboa et al. 2010 Exp Brain Res 204:181); iTBS in blocks of
600 raises MEPs further after 1800 pulses (Nettekoven et al. 2014 J Neurosci
34:6849).

What is measured here: one session (the course engine: windows, replay through the
plasticity rules, :mod:`painsim.course`) of the library's cortical rule (triplet STDP
at M1 -> PAG/RVM and M1 -> reticular thalamus, ``painsim.protocols``) on the healthy
pathway with one body site, seeds 1-3; then

* the change of the mean efficacy of the plastic M1 outputs, and
* the MEP proxy: the PAG/RVM response evoked by single test pulses at 75 % RMT
  (spikes in the 50 ms after each pulse, minus those of the same windows without the
  pulses, per neuron and pulse).  In the model a TMS pulse fires M1 neurons by a fixed threshold, so M1's
  own response cannot change; the after-effect can only show where M1's plastic
  outputs land.

Tolerances come from the model: an effect counts when the mean over seeds is more
than two standard errors (seed spread / sqrt(n)) from zero (for comparisons: of the
paired per-seed differences).  Where the model does not produce the published
effect, the test is a strict expected failure whose reason gives the measured value
(numbers from docs/circuits.md: the model's own settings, seeds 1-4; the tests run the
faster settings of the other course tests, seeds 1-3).
"""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim.course.engine import ChunkSimulator, new_patient, run_session, shared_settings
from painsim.course.session import session_plan
from painsim.simulation import PointsRunner

SEEDS = (1, 2, 3)
CONDITIONS = (("iTBS", 600), ("cTBS", 600), ("iTBS", 1200), ("cTBS", 1200), ("iTBS", 1800))
#: the speed settings of the other course tests (tests/test_course.py); docs/circuits.md has the
#: same measurements at the model's own settings (0.1 ms, 2 chunks)
FAST = {"network.dt": "0.2 ms", "course.window": "1 s", "course.n_chunks": 1}
OUTPUTS = ("m1_desc", "m1_trn")
#: single test pulses at 75 % RMT, chosen: the middle of the model's PAG/RVM recruitment curve
#: (no response at 50-60 % RMT, 1.5-1.8 spikes per neuron and pulse, near the ceiling, at 120 %;
#: seeds 1-3), where a change of the M1 outputs can show in either direction, as MEP studies
#: set the test pulse to a mid-size MEP
TEST_INTENSITY = 0.75
TEST_PULSES = 0.125 + 0.25 * np.arange(10)
TEST_DURATION = 2.5


@pytest.fixture(scope="module")
def model():
    return ps.load_model("healthy").with_params({"body.n_sites": 1, "body.painful_site": 0, **FAST})


def _session(model, protocol, seeds):
    """One session of ``protocol`` for each seed through the course engine; the patients after it."""
    patients = [new_patient(model, s, protocol) for s in seeds]
    st = shared_settings(patients)
    D = protocol.calendar.session_duration
    plan = session_plan(protocol, D, st.window, st.lead_in, st.n_chunks, False)
    if any(p.plastic for p in patients):
        run_session(patients, plan, ChunkSimulator(patients, st.lead_in + st.window, 128, frozenset()), st, D)
    return patients


def _evoked(model, points):
    """MEP proxy of each (seed, efficacies) point: PAG/RVM spikes per neuron and test pulse in the
    50 ms after each pulse, minus those in the same windows of the same point without the pulses
    (same seed and efficacies: the same background activity)."""
    test = ps.stimulation.Waveform(TEST_PULSES, 150e-6, TEST_INTENSITY, TEST_DURATION, amplitude_kind="rmt",
                                   modality="tms", target="m1")
    reqs = [ps.Request(model, stim, 0.0, 0.0, s, w) for s, w in points for stim in (test, None)]
    outs = PointsRunner(reqs, TEST_DURATION, 64, keep=False).run()

    def count(out):
        t = np.asarray(out.spikes["DESC"][0])
        return sum(np.count_nonzero((t >= p) & (t < p + 0.05)) for p in TEST_PULSES)

    return np.array([(count(a) - count(b)) / (a.sizes["DESC"] * TEST_PULSES.size)
                     for a, b in zip(outs[::2], outs[1::2])])


@pytest.fixture(scope="module")
def tbs(model):
    """Per condition: per-seed change of the mean efficacy of each M1 output, and of the MEP proxy."""
    sessions = {c: _session(model, ps.protocols.theta_burst(*c), SEEDS) for c in CONDITIONS}
    baseline = [(s, p.w_set) for s, p in zip(SEEDS, sessions[CONDITIONS[0]])]
    points = baseline + [(s, p.weights()) for c in CONDITIONS for s, p in zip(SEEDS, sessions[c])]
    ev = _evoked(model, points).reshape(len(CONDITIONS) + 1, len(SEEDS))
    out = {}
    for k, c in enumerate(CONDITIONS):
        pats = sessions[c]
        out[c] = {conn: np.array([p.weights()[conn].mean() - p.w_set[conn].mean() for p in pats])
                  for conn in OUTPUTS}
        out[c]["mep"] = ev[k + 1] / ev[0] - 1
        out[c]["patients"] = pats
    return out


def _beyond_noise(x) -> float:
    """Mean over seeds in units of its standard error (the seed spread / sqrt(n))."""
    x = np.asarray(x, float)
    se = x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean() / se) if se > 0 else float(np.sign(x.mean()) * np.inf)


def _report(tbs, cond):
    return {k: np.round(v, 3).tolist() for k, v in tbs[cond].items() if k != "patients"}


# ------------------------------------------------------------------ controls
def test_zero_intensity_tbs_changes_nothing(model):
    """Pulses at 0 % RMT fire no M1 neuron: every window equals its companion and the session
    leaves every plastic synapse exactly at its set point."""
    (p,) = _session(model, ps.protocols.theta_burst("cTBS", 600, 0.0), SEEDS[:1])
    assert set(p.weights()) == set(OUTPUTS)
    for conn in OUTPUTS:
        assert np.array_equal(p.weights()[conn], p.w_set[conn]), conn


def test_without_the_plasticity_rule_tbs_leaves_no_after_effect(model, tbs):
    """The after-effect lives in the rule: the same session with the M1 outputs static changes no
    synapse, while with the rule every output moves by more than one pairing's worth of the rule
    (its pair-depression amplitude A2_minus)."""
    static = {f"plasticity.{c}.rule": "none" for c in OUTPUTS}
    (p,) = _session(model, ps.protocols.theta_burst("cTBS", 600, plasticity=static), SEEDS[:1])
    assert p.plastic == {} and p.weights() == {}
    active = tbs[("cTBS", 600)]["patients"][0]
    for conn in OUTPUTS:
        rule = active.plastic[conn][0]
        change = np.abs(active.weights()[conn] - active.w_set[conn]).mean()
        assert change > rule.A2_minus, (conn, change)


def test_the_session_delivers_the_dose():
    """The protocol's session delivers exactly its pulses (the engine takes the pattern as periodic)."""
    for pattern, n in (*CONDITIONS, ("iTBS", 1800)):
        p = ps.protocols.theta_burst(pattern, n)
        D, lead, L = p.calendar.session_duration, 0.3, 1.0
        total = 0.0
        for chunk in session_plan(p, D, L, lead, 2, False):
            for k, dur in chunk.schedule:
                on = chunk.windows[k].onsets
                on = on[(on >= lead - 1e-9) & (on < lead + L - 1e-9)]
                reps, frac = divmod(dur / L, 1.0)
                total += reps * on.size + np.sum(on < lead + frac * L - 1e-9)
        assert total == pytest.approx(n, abs=1e-6), (pattern, n)


# ------------------------------------------------------------------ the published effects
# Measured values in the reasons: docs/circuits.md, "Theta burst of M1" (model settings, seeds 1-4).
@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "iTBS600 raises the mean efficacy of the M1 outputs, but not beyond the seed spread "
    "(measured M1 -> PAG/RVM +0.21 +- 0.27, seed 1 -0.13; M1 -> TRN +0.44 +- 0.23): the sign at "
    "M1 -> PAG/RVM depends on the circuit drawn; published: iTBS600 facilitates (Huang 2005)"))
def test_itbs600_potentiates_the_m1_outputs(tbs):
    for conn in OUTPUTS:
        assert _beyond_noise(tbs[("iTBS", 600)][conn]) > 2, _report(tbs, ("iTBS", 600))


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "iTBS600 lowers the MEP proxy (measured -31 % +- 17 %): the potentiated M1 outputs raise the "
    "resting PAG/RVM rate several-fold and the evoked part shrinks; published: MEPs up (Huang 2005)"))
def test_itbs600_raises_the_mep_proxy(tbs):
    assert _beyond_noise(tbs[("iTBS", 600)]["mep"]) > 2, _report(tbs, ("iTBS", 600))


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "no pattern specificity: cTBS600 raises the mean efficacy of the M1 outputs like iTBS600 "
    "(measured M1 -> PAG/RVM +0.27 +- 0.28, M1 -> TRN +0.48 +- 0.27; iTBS600 +0.21, +0.44): the "
    "triplet rule's traces (<= 114 ms) forget the 8-s pauses of iTBS, so every burst changes the "
    "synapses alike; published: cTBS600 inhibits (Huang 2005)"))
def test_ctbs600_depresses_the_m1_outputs(tbs):
    for conn in OUTPUTS:
        assert _beyond_noise(tbs[("cTBS", 600)][conn]) < -2, _report(tbs, ("cTBS", 600))


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "no pattern specificity: the MEP proxy falls after iTBS600 (-31 %) as after cTBS600 (-26 %); "
    "published: iTBS facilitates, cTBS inhibits (Huang 2005)"))
def test_itbs600_and_ctbs600_act_in_opposite_directions(tbs):
    d = tbs[("iTBS", 600)]["mep"] - tbs[("cTBS", 600)]["mep"]   # paired by seed
    assert _beyond_noise(d) > 2, (_report(tbs, ("iTBS", 600)), _report(tbs, ("cTBS", 600)))


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "no dose reversal: iTBS1200 lowers the MEP proxy like iTBS600 (measured -34 % vs -31 %) and "
    "leaves the mean M1 -> PAG/RVM efficacy where iTBS600 does (+0.18 vs +0.21, seed spread 0.3): "
    "additive STDP with hard bounds drives the synapses to their bounds within ~100 s of iTBS "
    "(the after-effect saturates) and the rule has no sliding threshold; published: iTBS1200 "
    "inhibits (Gamboa 2010)"))
def test_doubling_itbs_reverses_its_after_effect(tbs):
    x600, x1200 = tbs[("iTBS", 600)]["mep"], tbs[("iTBS", 1200)]["mep"]
    assert np.sign(x1200.mean()) == -np.sign(x600.mean()) and abs(_beyond_noise(x1200)) > 2, \
        (_report(tbs, ("iTBS", 600)), _report(tbs, ("iTBS", 1200)))


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "no dose reversal: cTBS1200 lowers the MEP proxy like cTBS600 (measured -29 % vs -26 %) and "
    "leaves the mean M1 -> PAG/RVM efficacy where cTBS600 does (+0.26 vs +0.27); published: "
    "cTBS1200 facilitates (Gamboa 2010)"))
def test_doubling_ctbs_reverses_its_after_effect(tbs):
    x600, x1200 = tbs[("cTBS", 600)]["mep"], tbs[("cTBS", 1200)]["mep"]
    assert np.sign(x1200.mean()) == -np.sign(x600.mean()) and abs(_beyond_noise(x1200)) > 2, \
        (_report(tbs, ("cTBS", 600)), _report(tbs, ("cTBS", 1200)))


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "no dose dependence: after iTBS1800 the MEP proxy is where iTBS600 leaves it (measured -30 % "
    "vs -31 %) and so are the M1 outputs (M1 -> PAG/RVM +0.19 vs +0.21, M1 -> TRN +0.40 vs "
    "+0.44): the after-effect saturates within the first 600 pulses; published: MEPs rise further "
    "after 1800 pulses of iTBS in blocks of 600 (Nettekoven 2014)"))
def test_more_itbs_raises_the_mep_proxy_further(tbs):
    d = tbs[("iTBS", 1800)]["mep"] - tbs[("iTBS", 600)]["mep"]   # paired by seed
    assert _beyond_noise(d) > 2, (_report(tbs, ("iTBS", 600)), _report(tbs, ("iTBS", 1800)))
