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

import painsim as ps
from painsim.circuits.dorsal_horn import spinal_morphine
from painsim.errors import ParameterError
from painsim.tolerance import NALOXONE
from painsim.validation.opioids import morphine_overrides as morphine_at
from painsim.validation.opioids import volley_components

#: chosen: ~4x the model's ED50 of the C-fibre component (0.025, painsim validate), where the C
#: component of circuits 1-4 (~8 spikes) is gone and about half the A component (~19 spikes) is left
DOSE = 0.1
#: the receptors' actions: presynaptic suppression of C and Aδ release, postsynaptic GIRK
NO_RECEPTOR_ACTIONS = {"dorsal_horn.opioid.presynaptic_c": 0.0, "dorsal_horn.opioid.presynaptic_adelta": 0.0,
                       "dorsal_horn.opioid.girk_conductance": "0 nS"}


@pytest.fixture(scope="module")
def components():
    """A- and C-fibre components of the PN response to one C-strength volley (gate_control, circuits
    1-4): without morphine, with it, with it under naloxone, with it and the receptors' actions removed."""
    m = ps.load_model("gate_control")
    dosed = m.with_params(morphine_at(DOSE))
    models = [m, dosed, dosed.with_params(NALOXONE), dosed.with_params(NO_RECEPTOR_ACTIONS)]
    return dict(zip(("none", "morphine", "naloxone", "no actions"), volley_components(models, 1, n_circuits=4)))


def test_morphine_reduces_the_c_component_more_than_the_a_component(components):
    (a0, c0), (a1, c1) = components["none"], components["morphine"]
    assert a0 > 0 and c0 > 0
    # most of the C component gone, and relatively more of it than of the A component
    assert c1 < 0.5 * c0
    assert c1 / c0 < a1 / a0


def test_naloxone_and_removing_the_receptor_actions_leave_the_response_untouched(components):
    # gate_control has no endogenous opioid (no PAG/RVM), so both controls are the undrugged circuit
    # spike for spike: naloxone keeps the drug off the receptors; without their actions it binds to no effect
    np.testing.assert_array_equal(components["naloxone"], components["none"])
    np.testing.assert_array_equal(components["no actions"], components["none"])


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
