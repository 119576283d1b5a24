"""Bug hunt of the cohort statistics (calibration, odds ratios, sensitivity, cohort files): each test
asserts what failed before the fix, with a control where it makes sense.  Stand-in simulations only
(tables of at most 100 sampled patients, no network run)."""
from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from painsim import cohort
from painsim.cohort import calibration
from painsim.errors import ParameterError
from refusals import refused

MEAN = "descending_integrity.peripheral.mean"


def _relief_above_04(table):
    """Relief = integrity - 0.4: responders (>= 30 %) are the patients with integrity >= 0.7."""
    return table.assign(relief=np.clip(table["descending_integrity"] - 0.4, -1, 1))


def _fit(**kw):
    args = dict(targets={"responder_rate_30": 0.42}, parameters={MEAN: (0.3, 0.98)}, n=100)
    args.update(kw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = cohort.calibrate(_relief_above_04, **args)
    return res, [str(w.message) for w in caught]


# ------------------------------------------------------------------ 1. a step-function objective
def test_a_rate_on_a_plateau_of_the_start_is_fitted_not_returned_as_the_start():
    """Was: every vertex of the 5 % simplex on the start's plateau (0.81 responders); Nelder-Mead
    shrank onto the start and returned it, success=True, 0.81 for a target of 0.42."""
    res, _ = _fit()
    assert res.fitted[MEAN] != pytest.approx(0.9, abs=0.02)
    assert abs(res.mismatch["responder_rate_30"]) <= calibration.MISS_Z * res.standard_errors["responder_rate_30"]
    assert res.success


def test_a_fit_that_stops_far_from_its_target_is_no_success_and_warns():
    """L-BFGS-B sees a zero gradient on the plateau and stops at its start, 'converged': success was
    True with 0.81 achieved for 0.42; now False, the message and a warning name the miss."""
    res, caught = _fit(method="L-BFGS-B")
    assert res.fitted[MEAN] == pytest.approx(0.9)  # it did stop at the start
    assert res.success is False
    assert "responder_rate_30 misses its target 0.42" in res.message and "standard errors" in res.message
    assert any("misses its target" in w and "success is False" in w for w in caught)


def test_the_standard_error_is_the_binomial_one_at_the_target():
    res, _ = _fit(maxiter=1)
    assert res.standard_errors["responder_rate_30"] == pytest.approx(math.sqrt(0.42 * 0.58 / 100))


def test_a_start_next_to_a_bound_with_the_optimum_between_still_moves():
    """The wide simplex overshoots the upper bound at its first reflection; scipy's bounded
    Nelder-Mead clipped the simplex onto the bound (0.98, 97 % for a target of 90 %)."""
    def relief(table):
        return table.assign(relief=table["descending_integrity"] - 0.6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cohort.calibrate(relief, targets={"responder_rate_30": 0.9}, preset="peripheral",
                               parameters={MEAN: (0.05, 0.98)}, n=100, seed=1)
    assert res.success and res.fitted[MEAN] < 0.975
    assert abs(res.mismatch["responder_rate_30"]) <= calibration.MISS_Z * res.standard_errors["responder_rate_30"]


def test_the_docstrings_no_longer_call_the_objective_smooth():
    assert "nearly smooth" not in calibration.__doc__ and "nearly smooth" not in cohort.calibrate.__doc__
    assert "piecewise" in calibration.__doc__ and "piecewise" in cohort.calibrate.__doc__
    assert "chosen:" in calibration.__doc__ or "Chosen:" in _source_of_span()


def _source_of_span():
    import inspect
    return inspect.getsource(calibration)


# ------------------------------------------------------------------ 6. the iteration limit per method
def _smooth(table):
    return table.assign(relief=table["descending_integrity"] * 0.6)


@pytest.mark.parametrize("method", ["TNC", "L-BFGS-B", "Nelder-Mead"])
def test_maxiter_reaches_every_method_as_its_own_option(method):
    """Was: TNC got ``maxiter`` (scipy: "Unknown solver options: maxiter") and ran to its own limit."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        short = cohort.calibrate(_smooth, targets={"mean_relief": 0.3}, parameters={MEAN: (0.3, 0.98)},
                                 preset="peripheral", n=50, method=method, maxiter=1)
    assert not [w for w in caught if "Unknown solver options" in str(w.message)]
    long = cohort.calibrate(_smooth, targets={"mean_relief": 0.3}, parameters={MEAN: (0.3, 0.98)},
                            preset="peripheral", n=50, method=method, maxiter=100)
    assert short.nfev < long.nfev  # the limit acts (control: more iterations allowed, more used)


# ------------------------------------------------------------------ 7. strict JSON
def _all_central_respond(table):
    return table.assign(relief=np.where(table["etiology"] == "central", 0.8, 0.0))


def test_an_infinite_achieved_odds_ratio_is_strict_json_and_its_mismatch_is_not_the_barrier():
    """Was: ``Infinity`` in to_dict's JSON and a mismatch of 10.0 (the loss's barrier) reported as a
    log-scale difference."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cohort.calibrate(_all_central_respond, targets={"or_central_vs_peripheral": 2.03},
                               parameters={"descending_integrity.central.mean": (0.3, 0.9)}, n=100, maxiter=3)
    assert res.achieved["or_central_vs_peripheral"] == math.inf
    assert math.isnan(res.mismatch["or_central_vs_peripheral"])
    assert "not attained" in res.message and "10" in res.message and res.success is False
    saved = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert saved["achieved"]["or_central_vs_peripheral"] is None
    assert saved["mismatch"]["or_central_vs_peripheral"] is None
    assert res.loss == pytest.approx(res.weights["or_central_vs_peripheral"] * 100)  # the loss keeps the barrier


def test_one_strict_json_function_and_jsonable_unchanged():
    from painsim.parallel import jsonable, strict_jsonable
    from painsim.cohort import files
    assert not hasattr(files, "_strict_json")
    value = {"a": np.float64("nan"), "b": [np.inf, np.int64(3), np.bool_(True)], 4: (1.5, "x")}
    assert strict_jsonable(value) == {"a": None, "b": [None, 3, True], "4": [1.5, "x"]}
    # jsonable (sweep keys hash with it) keeps NaN and infinities as they were
    kept = jsonable(value)
    assert math.isnan(kept["a"]) and kept["b"][0] == math.inf and kept["4"] == [1.5, "x"]
