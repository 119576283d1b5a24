"""Virtual placebo-controlled trials (painsim.validation.trials).

* Hedges' g agrees with an independent route to the same number (the two-sample t statistic,
  scipy), has the sign of the difference, and refuses samples it cannot standardise;
* a placebo arm against itself is no effect, exactly;
* TENS at the painful site lowers pain in every patient of the healthy spinal circuit (the
  segmental gate), and raises it once GABA_A/glycine is blocked: the effect is the gate's;
* the trial rows are held-out predictions against their meta-analyses' pooled effects.
"""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import painsim as ps
from painsim.errors import ParameterError
from painsim.stimulation import tens
from painsim.validation import get
from painsim.validation.trials import hedges_g, placebo_controlled_pain

PATIENTS = range(1, 5)
WINDOW = 1.0


@pytest.mark.parametrize("shift", [-2.0, 0.5, 3.0])
def test_hedges_g_is_the_t_statistic_rescaled(shift):
    rng = np.random.default_rng(7)
    active, placebo = rng.normal(shift, 1.3, 9), rng.normal(0.0, 1.0, 12)
    t = stats.ttest_ind(active, placebo).statistic           # pooled-variance t
    correction = 1 - 3 / (4 * (9 + 12) - 9)
    assert hedges_g(active, placebo) == pytest.approx(correction * t * np.sqrt(1 / 9 + 1 / 12), rel=1e-12)
    assert np.sign(hedges_g(active, placebo)) == np.sign(active.mean() - placebo.mean())


def test_hedges_g_refuses_what_it_cannot_standardise():
    assert np.isnan(hedges_g([2.0, 2.0], [3.0, 3.0]))        # no spread: no standard deviation
    with pytest.raises(ParameterError, match="active"):
        hedges_g([1.0], [1.0, 2.0])
    with pytest.raises(ParameterError, match="placebo"):
        hedges_g([1.0, 2.0], [1.0, float("nan")])


@pytest.fixture(scope="module")
def devices():
    return tens("conventional", 1.5, f"{WINDOW} s"), tens("conventional", 0.0, f"{WINDOW} s")


def test_placebo_against_itself_is_no_effect(devices):
    _, placebo = devices
    pain = placebo_controlled_pain(ps.load_model("gate_control"), placebo, placebo, PATIENTS, duration=WINDOW)
    assert np.array_equal(pain[:, 0], pain[:, 1])
    assert pain[:, 1].std() > 0 and hedges_g(pain[:, 0], pain[:, 1]) == 0.0


def test_tens_relieves_through_the_gate_and_not_without_it(devices):
    active, placebo = devices
    model = ps.load_model("gate_control")
    gated = placebo_controlled_pain(model, active, placebo, PATIENTS, duration=WINDOW)
    blocked = placebo_controlled_pain(model.with_params({"dorsal_horn.pharmacology.gaba_block": 1.0}),
                                      active, placebo, PATIENTS, duration=WINDOW)
    assert (gated[:, 1] > 0).all()                              # the test stimulus hurts under placebo
    assert (gated[:, 0] < gated[:, 1]).all() and hedges_g(gated[:, 0], gated[:, 1]) < 0
    assert (blocked[:, 0] > blocked[:, 1]).all() and hedges_g(blocked[:, 0], blocked[:, 1]) > 0


@pytest.mark.parametrize("name, source", [("tens_placebo_smd_nociceptive", "Johnson"),
                                          ("tens_placebo_smd_neuropathic", "Johnson"),
                                          ("rtms_sham_smd", "34826512")])
def test_the_trial_rows_are_held_out_against_their_meta_analyses(name, source):
    row = get(name)
    assert row.status == "prediction" and row.low < row.published < row.high < 0
    assert source in row.source and "[checked" in row.source
