"""Mends after review of the cohort-statistics fixes (2026-12-07):

* a target given weight 0 is listed, not fitted: it no longer decides ``success``;
* a parameter fitted at a bound of its range is said so in the message;
* ``cohort.sensitivity()`` with its default attributes leaves out an attribute constant among the
  patients evaluated (it raised on an attribute the caller never named).
"""
from __future__ import annotations

import warnings

import numpy as np

from painsim import cohort

MEAN = "descending_integrity.peripheral.mean"


def _relief(table):
    return table.assign(relief=np.clip(table["descending_integrity"] - 0.4, -1, 1))


def _fit(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cohort.calibrate(_relief, preset="peripheral", n=100, **kwargs)


def test_a_target_of_weight_zero_does_not_decide_success():
    fit = _fit(targets={"responder_rate_30": 0.42, "mean_relief": 0.5},
               weights={"responder_rate_30": 1.0, "mean_relief": 0.0}, parameters={MEAN: (0.3, 0.98)})
    assert abs(fit.achieved["responder_rate_30"] - 0.42) <= cohort.calibration.MISS_Z * fit.standard_errors["responder_rate_30"]
    assert fit.success, fit.message
    # negative control: weighted, the unreachable-with-the-other mean relief decides it
    both = _fit(targets={"responder_rate_30": 0.42, "mean_relief": 0.5}, parameters={MEAN: (0.3, 0.98)})
    assert not both.success and "mean_relief" in both.message


def test_a_parameter_fitted_at_a_bound_is_named_in_the_message():
    pinned = _fit(targets={"responder_rate_30": 0.9}, parameters={MEAN: (0.3, 0.5)})
    assert pinned.fitted[MEAN] == 0.5 and "at a bound" in pinned.message
    inside = _fit(targets={"responder_rate_30": 0.42}, parameters={MEAN: (0.3, 0.98)})  # control
    assert "at a bound" not in inside.message


def test_default_attributes_leave_out_one_constant_among_the_patients_evaluated():
    t = cohort.sample(200, seed=3)
    t["relief"] = np.random.default_rng(0).uniform(-0.2, 0.8, len(t))
    t.loc[t["etiology"] == "central", "relief"] = np.nan
    out = cohort.sensitivity(t)
    names = set(out.index) if "attribute" not in out else set(out["attribute"])
    assert "thalamic_lesion" not in names and "descending_integrity" in names
    # control: over every patient thalamic_lesion varies, and the defaults keep it
    t2 = t.assign(relief=np.random.default_rng(1).uniform(-0.2, 0.8, len(t)))
    out2 = cohort.sensitivity(t2)
    assert "thalamic_lesion" in (set(out2.index) if "attribute" not in out2 else set(out2["attribute"]))
