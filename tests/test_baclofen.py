"""Intrathecal baclofen (``dorsal_horn.pharmacology.baclofen``): an exogenous GABA_B agonist on the
dorsal-horn GABA_B receptors (painsim.circuits.dorsal_horn.spinal_baclofen).

Published: topical baclofen abolished the C-fibre-evoked responses of rat dorsal-horn neurones and
left their A-fibre and tactile responses little changed (Dickenson et al. 1985 [checked: abstract]);
in mononeuropathic rats in which tonic SCS did not relieve tactile allodynia, GABA or baclofen at
doses without effect of their own made SCS relieve it (Cui, Linderoth & Meyerson 1996 Pain 66:287
[checked: abstract]).  Properties here: selectivity for the C component, a dose-graded effect, the
GABA_B antagonist keeping the drug off (spike for spike), and the SCS combination (a reported miss).
"""
import numpy as np
import pytest
from brian2 import Hz, mA, second, us
from scipy import stats

import painsim as ps
from painsim.circuits.dorsal_horn import neuron_parameters, spinal_baclofen
from painsim.errors import ParameterError
from painsim.fibers import brush, heat
from batches import exceeds, simulate_by_label

#: chosen: 1 K_d, half of the receptors occupied, so that the C terminals' release is cut by
#: presynaptic_c x 1/2 = 45 % (dorsal_horn.gabab.presynaptic_c = 0.9)
DOSE = 1.0
GABAB_BLOCK = {"dorsal_horn.pharmacology.gabab_block": 1.0}
SEEDS = (1, 2, 3, 4)
#: circuits of the touch checks: a brush stroke drives few PN spikes in gate_control (~150 over 8
#: circuits), and 4 circuits cannot resolve even the ~40 % drop of the negative control below
BRUSH_SEEDS = SEEDS + (5, 6, 7, 8)
#: negative controls of the selectivity: no GABA_B on the C terminals; postsynaptic GABA_B (GIRK) on
#: the projection neurons as strong as on the excitatory interneurons (dorsal_horn.gabab.girk_ex)
NO_C_ACTION = {"dorsal_horn.gabab.presynaptic_c": 0.0}
PN_GIRK = {"dorsal_horn.gabab.girk_pn": "1 nS"}
#: one-sided level of the tests on spike counts (as the t-tests of tests/test_theta_burst.py)
ALPHA = 0.025


def _dosed(model, dose):
    return model.with_params({"dorsal_horn.pharmacology.baclofen": dose})


def test_the_drug_concentration_is_the_dose_left_by_the_antagonist():
    m = ps.load_model("gate_control")
    assert spinal_baclofen(m) == 0.0 and neuron_parameters(m, "EX")["gabab_exo"] == 0.0
    assert spinal_baclofen(_dosed(m, 0.6)) == pytest.approx(0.6)
    assert spinal_baclofen(_dosed(m, 0.6).with_params({"dorsal_horn.pharmacology.gabab_block": 0.5})) == \
        pytest.approx(0.3)
    with pytest.raises(ParameterError, match="baclofen"):
        _dosed(m, -0.1)


@pytest.fixture(scope="module")
def pn():
    """PN spikes per seed (gate_control, healthy, 1 s) to 47 °C contact heat (C-carried, :data:`SEEDS`)
    and to a brush stroke (Aβ-carried, :data:`BRUSH_SEEDS`), without baclofen, at 0.1, 0.3 and
    1 K_d, and at 1 K_d under the GABA_B antagonist; at 1 K_d also without a stimulus (``1|rest``),
    heat without the C-terminal action (``no C action|heat``) and brush with GIRK on the projection
    neurons (``PN GIRK|brush``)."""
    m = ps.load_model("gate_control")
    cases = {"none": m, "0.1": _dosed(m, 0.1), "0.3": _dosed(m, 0.3), "1": _dosed(m, DOSE),
             "blocked": _dosed(m, DOSE).with_params(GABAB_BLOCK)}
    tests = {"heat": (heat(47), 0.0, SEEDS), "brush": (0.0, brush(), BRUSH_SEEDS), "rest": (0.0, 0.0, SEEDS)}
    runs = [(name, mm, t) for name, mm in cases.items() for t in ("heat", "brush")]
    runs += [("1", cases["1"], "rest"), ("no C action", _dosed(m.with_params(NO_C_ACTION), DOSE), "heat"),
             ("PN GIRK", _dosed(m.with_params(PN_GIRK), DOSE), "brush")]
    reqs = [ps.Request(mm, None, *tests[t][:2], s, label=f"{name}|{t}") for name, mm, t in runs for s in tests[t][2]]
    return {k: np.array([ps.readouts.population_spikes(r, "PN")[0].size for r in v])
            for k, v in simulate_by_label(reqs, 1.0 * second).items()}


def test_baclofen_abolishes_the_heat_response_and_spares_touch(pn):
    """Dickenson et al. 1985: baclofen inhibited the C-evoked responses "markedly or completely" and
    left the A-fibre and tactile ones "little changed".  On PN spikes pooled over the circuits
    (:func:`batches.exceeds`, 3 Poisson sd of the difference): at 1 K_d the heat response is not
    above the PN output at rest under the same dose (abolished: the C release is cut by 45 % on a
    supralinear response), and the brush response is not below the one without the drug (Aβ
    terminals and projection neurons carry no GABA_B; touch is reached only through the excitatory
    interneurons' GIRK).  Negative controls, each mechanism removed: without the C-terminal action
    (:data:`NO_C_ACTION`) the dosed heat response stays above rest; with GIRK on the projection
    neurons (:data:`PN_GIRK`) the dosed brush response falls below the undrugged one.  Without the
    drug the variants are the model (gate_control supplies no GABA to GABA_B), so ``none`` serves."""
    heat0, brush0 = pn["none|heat"].sum(), pn["none|brush"].sum()
    rest = pn["1|rest"].sum()
    assert exceeds(heat0, rest) and brush0 > 0
    assert not exceeds(pn["1|heat"].sum(), rest), (pn["1|heat"], pn["1|rest"])
    assert not exceeds(brush0, pn["1|brush"].sum()), (pn["none|brush"], pn["1|brush"])
    assert exceeds(pn["no C action|heat"].sum(), rest), (pn["no C action|heat"], pn["1|rest"])
    assert exceeds(brush0, pn["PN GIRK|brush"].sum()), (pn["none|brush"], pn["PN GIRK|brush"])


def test_the_effect_grows_with_the_dose(pn):
    """A dose-graded effect, on the heat-evoked PN spikes pooled over the circuits at 0, 0.1, 0.3
    and 1 K_d (:func:`batches.exceeds`, 3 Poisson sd of the difference): no step up the doses
    raises the count beyond counting noise, and the two lower doses are partial effects, each
    below the next lower dose's count and above the next higher dose's beyond counting noise (the
    old strict chain accepted ``heat[2] >= heat[3]``, met by 0 = 0 had 0.3 K_d already abolished
    the response, and its strict steps could be met by a single spike).  Negative controls
    (mutation-tested): an all-or-none drug (any dose fully occupying the receptors) leaves 0.1 and
    0.3 K_d indistinguishable from 1 K_d; without any action of the drug the counts do not fall."""
    heat = [int(pn[f"{k}|heat"].sum()) for k in ("none", "0.1", "0.3", "1")]
    assert not any(exceeds(higher, lower) for lower, higher in zip(heat, heat[1:])), heat
    assert exceeds(heat[0], heat[1]) and exceeds(heat[1], heat[2]) and exceeds(heat[2], heat[3]), heat


def test_the_antagonist_keeps_the_drug_off_spike_for_spike(pn):
    # gate_control supplies no GABA to GABA_B (dorsal_horn.gabab.release = 0): blocked, the drug binds nothing
    for t in ("heat", "brush"):
        np.testing.assert_array_equal(pn[f"blocked|{t}"], pn[f"none|{t}"])


def test_baclofen_eases_allodynia_through_the_excitatory_interneurons_only():
    """In the spinal neuropathic preset a brush stroke drives the PN through their monosynaptic Aβ input
    and through Aβ -> EX -> PN (the disinhibited route); GABA_B sits on the excitatory interneurons, not
    on Aβ terminals or the PN.  Baclofen near saturation lowers the allodynic response, and lowers it by
    a larger fraction than with Aβ -> EX removed (the negative control; what it still lowers there: the
    C and Aδ terminals of the preset's ectopic input).

    Both checks are exact tests on the PN spikes pooled over the seeds, taken as Poisson counts, at the
    one-sided level ALPHA: lowered, the count with the drug given the sum of the two is binomial with
    p = 1/2 without an effect; a larger fraction, the 2x2 table (route or not, drug or not) is
    hypergeometric given its margins when the drug scales both responses alike (Fisher's test).  Spikes
    are not independent (the PN share their input; a seed with and without the drug shares it too):
    when this was written, over seeds 1-8, the per-seed log ratio of the counts with and without the
    drug spread ~1.3x the Poisson value with the route and far less than it without, so the tests are
    near their nominal level, not far from it."""
    m = ps.load_model("neuropathic")
    no_route = m.with_params({"dorsal_horn.abeta_ex.p": 0.0})
    models = [m, _dosed(m, 10.0), no_route, _dosed(no_route, 10.0)]
    seeds = (1, 2)
    reqs = [ps.Request(mm, None, 0.0, brush(), s) for mm in models for s in seeds]
    n = np.array([ps.readouts.population_spikes(r, "PN")[0].size
                  for r in ps.simulate_batch(reqs, 1.0 * second)]).reshape(4, len(seeds)).sum(1)
    assert stats.binomtest(int(n[1]), int(n[0] + n[1]), 0.5, alternative="less").pvalue < ALPHA, n
    assert stats.fisher_exact([[n[1], n[0]], [n[3], n[2]]], alternative="less")[1] < ALPHA, n


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "measured (spinal neuropathic preset, biophysical recruitment, seeds 1-4, 1.5 s, PN Hz): brush 24.1, "
    "brush + tonic SCS (50 Hz, 300 us, 2.5 mA) 31.6; baclofen 0.3 K_d 20.2 alone, 28.1 with SCS (36.9 and "
    "33.3 before the lead's antidromic impulses collided with the brush's, 2026-12-05): SCS adds ~8 Hz, "
    "because its Aβ volleys excite the output neurons directly (SCS alone 23.5 Hz at rest) and GABA_B, as "
    "parameterised from Dickenson 1985, spares Aβ terminals and the projection neurons; with GABA supplied "
    "to GABA_B (release 0.02) the same before the collisions (brush 15.6 -> 26.1 with SCS).  Published: SCS "
    "with a dose of no effect of its own relieves allodynia that SCS alone does not (Cui 1996); validation "
    "row scs_relief_with_baclofen"))
def test_scs_with_a_low_baclofen_dose_relieves_allodynia():
    # 0.3 K_d: the experiment's dose, lowering the brush response by about a sixth on its own (the
    # rats' doses had no effect of their own); seeds and duration as the reason's measurement
    dosed = _dosed(ps.load_model("neuropathic").with_params({"afferents.recruitment": "biophysical"}), 0.3)
    d = 1.5 * second
    scs = ps.stimulation.tonic(rate=50 * Hz, width=300 * us, amplitude=2.5 * mA, duration=d)
    reqs = [ps.Request(dosed, st, 0.0, brush(), s) for st in (None, scs) for s in SEEDS]
    pn = np.array([float(r.pn_rate) for r in ps.simulate_batch(reqs, d)]).reshape(2, len(SEEDS))
    assert pn[1].mean() < pn[0].mean(), pn   # baclofen + SCS below baclofen alone
