"""Intrathecal morphine (``dorsal_horn.pharmacology.morphine``): an exogenous mu agonist on the
dorsal-horn receptors the endogenous opioid binds (painsim.circuits.dorsal_horn.spinal_morphine).

Published (Dickenson & Sullivan 1986 Pain 24:211 [checked: abstract]): intrathecal morphine
selectively reduces the C-fibre-evoked activity of dorsal-horn nociceptive neurones,
naloxone-reversibly, and reduces their A-fibre-evoked responses only slightly.  The size of the
sparing at the model's own ED50 is the validation row ``morphine_a_fibre_share``; here the
properties: selectivity, naloxone reversal, and no effect with the receptors' actions removed.
"""
import numpy as np
import pytest
from scipy import stats

import painsim as ps
from painsim.analysis import spikes_per_pulse
from painsim.circuits.dorsal_horn import spinal_morphine
from painsim.errors import ParameterError
from painsim.tolerance import NALOXONE
from painsim.validation.nerve_volleys import c_arrival, c_volleys
from painsim.validation.opioids import MORPHINE_CIRCUITS
from painsim.validation.opioids import morphine_overrides as morphine_at

#: chosen: ~4x the model's ED50 of the C-fibre component (0.025, painsim validate), a dose at which
#: the published selectivity (C-fibre activity reduced, A-fibre responses "only slightly") should show
DOSE = 0.1
#: the receptors' actions: presynaptic suppression of C and Aδ release, postsynaptic GIRK
NO_RECEPTOR_ACTIONS = {"dorsal_horn.opioid.presynaptic_c": 0.0, "dorsal_horn.opioid.presynaptic_adelta": 0.0,
                       "dorsal_horn.opioid.girk_conductance": "0 nS"}
#: circuits of the selectivity test: those of the validation rows (MORPHINE_CIRCUITS, 16: the C
#: component is ~2 PN spikes per circuit, tens over 16); the spike-for-spike controls need no
#: statistics and use the first 4
CIRCUITS = tuple(range(1, 1 + MORPHINE_CIRCUITS))
CONTROL_CIRCUITS = CIRCUITS[:4]
#: one-sided level of a paired t-test over circuits, as in tests/test_theta_burst.py
ALPHA = 0.025
T_CRIT = float(stats.t.ppf(1 - ALPHA, len(CIRCUITS) - 1))


@pytest.fixture(scope="module")
def components():
    """Per circuit, A- and C-fibre components of the PN response to one C-strength volley
    (gate_control; PN spikes per neuron before and from the earliest C arrival, the measurement of
    painsim.validation.opioids.volley_components, kept per circuit): without morphine and with it on
    CIRCUITS, with it under naloxone and with it and the receptors' actions removed on CONTROL_CIRCUITS;
    one batch.  Values: arrays (circuit, [A, C])."""
    m = ps.load_model("gate_control")
    dosed = m.with_params(morphine_at(DOSE))
    cases = {"none": (m, CIRCUITS), "morphine": (dosed, CIRCUITS),
             "naloxone": (dosed.with_params(NALOXONE), CONTROL_CIRCUITS),
             "no actions": (dosed.with_params(NO_RECEPTOR_ACTIONS), CONTROL_CIRCUITS)}
    reqs = [ps.Request(mm, c_volleys(1.0, 1), seed=s) for mm, seeds in cases.values() for s in seeds]
    res, split = ps.simulate_batch(reqs, "1 s"), c_arrival(m)
    per = np.array([(spikes_per_pulse(r, [0.0], split, "PN")[0], spikes_per_pulse(r, [split], 1.0 - split, "PN")[0])
                    for r in res])
    ends = np.cumsum([len(seeds) for _, seeds in cases.values()])
    return dict(zip(cases, np.split(per, ends[:-1])))


def _paired_t(d) -> float:
    """Mean of per-circuit values over its standard error (their spread / sqrt(n))."""
    d = np.asarray(d, float)
    se = d.std(ddof=1) / np.sqrt(d.size)
    return float(d.mean() / se) if se > 0 else float(np.sign(d.mean()) * np.inf)


def test_morphine_removes_most_of_the_c_component_and_leaves_most_of_the_a_component(components):
    """Pooled over the circuits, morphine leaves less than half of the C component and more than
    half of the A component, so relatively more of C than of A is gone (the published selectivity;
    1/2 is the plainest reading of C "reduced" against A reduced "only slightly", not a fit).

    Each half is a paired one-sided t-test over circuits at ALPHA on a difference linear in the
    spikes: C_after - C_before / 2 < 0 and A_after - A_before / 2 > 0 (pooled ratio below / above
    1/2 beyond the circuits' spread).  The circuit is the unit because a circuit's spikes do not
    come independently: a few circuits carry most of the C component, so a Poisson test on the
    pooled counts would understate the spread.  No receptor action is credited with the
    selectivity: the presynaptic suppression alone and the GIRK conductance alone each pass this
    test too (measured when it was written)."""
    (a0, c0), (a1, c1) = components["none"].T, components["morphine"].T
    assert c0.sum() > 0 and a0.sum() > 0
    assert _paired_t(c1 - c0 / 2) < -T_CRIT, (c0.round(2).tolist(), c1.round(2).tolist())
    assert _paired_t(a1 - a0 / 2) > T_CRIT, (a0.round(2).tolist(), a1.round(2).tolist())


def test_naloxone_and_removing_the_receptor_actions_leave_the_response_untouched(components):
    # gate_control has no endogenous opioid (no PAG/RVM), so both controls are the undrugged circuit
    # spike for spike: naloxone keeps the drug off the receptors; without their actions it binds to no effect
    none = components["none"][:len(CONTROL_CIRCUITS)]
    np.testing.assert_array_equal(components["naloxone"], none)
    np.testing.assert_array_equal(components["no actions"], none)


def test_the_concentration_at_the_receptors_and_its_bounds():
    m = ps.load_model("gate_control")
    assert spinal_morphine(m) == 0.0
    assert spinal_morphine(m.with_params({**morphine_at(0.2), "dorsal_horn.pharmacology.opioid_block": 0.5})) \
        == pytest.approx(0.1)
    with pytest.raises(ParameterError, match="morphine"):
        m.with_params(morphine_at(-0.1))


def test_cross_tolerance_without_a_naive_ed50_is_nan_and_runs_no_course(monkeypatch):
    """A model in which no concentration of the bracket halves the C-fibre component has a NaN ED50;
    the cross-tolerance row then reads NaN without running its course (it used to set morphine to NaN,
    which the model refuses, and a validation run stopped there).  Negative control: with a finite
    ED50 the measurement goes on to the course."""
    from painsim.validation import opioids
    from refusals import WorkStarted, start_work

    monkeypatch.setattr(opioids, "healthy_occupancy", start_work)  # the course: reaching it raises
    measure = opioids.morphine_cross_tolerance(opioids.conventional_tens)
    monkeypatch.setattr(opioids, "spinal_morphine_ed50", lambda seed: float("nan"))
    assert np.isnan(measure(1))
    monkeypatch.setattr(opioids, "spinal_morphine_ed50", lambda seed: 1.0)
    with pytest.raises(WorkStarted):
        measure(1)
