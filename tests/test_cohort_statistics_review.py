"""Cohort statistics as a statistician checks them (a review, 2026-12-06): patients without relief
are left out of odds ratios as they are of responder rates, separation is judged per SD of a
covariate and not per unit, the calibration's simplex and default weights do what their
documentation says, and a fit that cannot evaluate its start says so."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.stats import norm

from painsim import cohort
from painsim.errors import ParameterError, UnknownKeyError


def _groups(central, peripheral, unevaluable_central=0):
    """A table of (responders, non-responders) per etiology, plus central patients without relief
    (NaN: no baseline pain) stored as the cohort stores them (responder flags False)."""
    rows = []
    for etiology, (yes, no) in (("central", central), ("peripheral", peripheral)):
        rows += [{"etiology": etiology, "relief": 0.5, "responder_30": True}] * yes
        rows += [{"etiology": etiology, "relief": 0.0, "responder_30": False}] * no
    rows += [{"etiology": "central", "relief": math.nan, "responder_30": False}] * unevaluable_central
    return pd.DataFrame(rows)


@pytest.mark.parametrize("outcome", ["responder_30", "responder_40"])
def test_patients_without_relief_are_not_counted_as_non_responders(outcome):
    """Was: the stored flag (False for NaN relief) made two unevaluable central patients two
    non-responders, OR 1.0 where the evaluable patients give 1.5 (responder rates left them out)."""
    t = _groups((4, 4), (4, 6), unevaluable_central=2)
    r = cohort.odds_ratio(t, "etiology", "central", "peripheral", outcome=outcome)
    assert r["odds_ratio"] == pytest.approx((4 * 6) / (4 * 4), rel=1e-8)
    assert r["table_2x2"] == (4, 4, 4, 6) and r["n"] == 18 and r["unevaluable"] == 2
    assert cohort.responder_rates(t).loc[0.3, "n"] == r["n"]  # the same patients as the rates
    clean = cohort.odds_ratio(_groups((4, 4), (4, 6)), "etiology", "central", "peripheral", outcome=outcome)
    assert clean["unevaluable"] == 0 and clean["odds_ratio"] == pytest.approx(r["odds_ratio"])  # control


def test_a_yes_no_column_other_than_a_responder_keeps_every_row():
    t = _groups((4, 4), (4, 6), unevaluable_central=2).assign(worse=lambda d: d.relief.fillna(0) < 0.1)
    r = cohort.odds_ratio(t, "etiology", "central", "peripheral", outcome="worse")
    assert r["n"] == 20 and r["unevaluable"] == 0


def _mle(y, X):
    f = lambda b: -np.sum(y * (X @ b) - np.logaddexp(0, X @ b))  # noqa: E731
    return minimize(f, np.zeros(X.shape[1]), method="BFGS", options={"gtol": 1e-9}).x


def test_a_strong_per_unit_effect_of_a_narrow_covariate_is_not_separation():
    """Was: |coefficient| > 30 in the covariate's own units ended the fit as 'separated' (a 0-1
    integrity with SD 0.05 and 2 log odds per SD has ~40 per unit); the fit now equals the maximum
    likelihood of a general optimiser, and its group odds ratio too."""
    rng = np.random.default_rng(3)
    n = 400
    integrity, group = rng.normal(0.9, 0.05, n), rng.integers(0, 2, n).astype(float)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-36 + 40 * integrity + 0.7 * group)))).astype(float)
    X = np.column_stack([np.ones(n), group, integrity])
    fit = cohort.logistic_regression(y, X, ["intercept", "group", "integrity"])
    assert not fit.attrs["separated"] and fit.attrs["converged"]
    assert fit["coef"].values == pytest.approx(_mle(y, X), rel=1e-4, abs=1e-4)
    assert abs(fit.loc["integrity", "coef"]) > 30  # the case the old per-unit rule refused
    # the control: the same covariate separating the outcomes is still reported as separation
    separated = cohort.logistic_regression((integrity > 0.9).astype(float), X, ["intercept", "group", "integrity"])
    assert separated.attrs["separated"] and separated.loc["integrity", "odds_ratio"] == math.inf


def test_standard_errors_transform_back_with_the_coefficients():
    """Wald intervals on the original units: the same fit on a covariate in other units (x 100)
    gives the coefficient and its SE divided by 100, the intercept unchanged."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=2000)
    y = (rng.random(2000) < 1 / (1 + np.exp(-(0.3 + 0.8 * x)))).astype(float)
    a = cohort.logistic_regression(y, np.column_stack([np.ones_like(x), x]))
    b = cohort.logistic_regression(y, np.column_stack([np.ones_like(x), 100 * x]))
    assert b["coef"].iloc[1] == pytest.approx(a["coef"].iloc[1] / 100, rel=1e-8)
    assert b["se"].iloc[1] == pytest.approx(a["se"].iloc[1] / 100, rel=1e-6)
    assert b["coef"].iloc[0] == pytest.approx(a["coef"].iloc[0], rel=1e-8)
    assert b["se"].iloc[0] == pytest.approx(a["se"].iloc[0], rel=1e-6)


def _integrity_relief(table):
    out = table.copy()
    out["relief"] = out["descending_integrity"] - 0.6
    return out


@pytest.mark.parametrize("bounds", [(0.9, 0.98), (0.05, 0.98)])
def test_a_start_at_the_lower_bound_still_moves(bounds):
    """Was: a start at the lower bound (z0 = 0) got scipy's simplex of 0.00025 of the range, and the
    fit stopped there, 'successful', with 60 % responders for a target of 90 %."""
    res = cohort.calibrate(_integrity_relief, targets={"responder_rate_30": 0.9}, preset="peripheral",
                           parameters={"descending_integrity.peripheral.mean": bounds}, n=1000, seed=1)
    assert abs(res.mismatch["responder_rate_30"]) < 0.02, res


def test_default_weights_are_the_published_inverse_variances():
    pub = cohort.PUBLISHED
    lo, hi = pub["or_central_vs_peripheral"]["ci"]
    se_log_or = (math.log(hi) - math.log(lo)) / (2 * norm.ppf(0.975))
    assert cohort.default_weight("or_central_vs_peripheral") == pytest.approx(1 / se_log_or ** 2)
    p, n = pub["responder_rate_30"]["value"], pub["responder_rate_30"]["n"]
    assert cohort.default_weight("responder_rate_30") == pytest.approx(n / (p * (1 - p)))
    assert cohort.default_weight("mean_relief") == 1.0  # no published uncertainty
    with pytest.raises(UnknownKeyError):
        cohort.default_weight("responder_rate30")
    res = cohort.calibrate(_integrity_relief, targets={"responder_rate_30": 0.42}, preset="peripheral",
                           parameters={"descending_integrity.peripheral.mean": (0.5, 0.98)}, n=200, maxiter=5)
    assert res.weights == {"responder_rate_30": cohort.default_weight("responder_rate_30")}
    given = cohort.calibrate(_integrity_relief, targets={"responder_rate_30": 0.42}, preset="peripheral",
                             parameters={"descending_integrity.peripheral.mean": (0.5, 0.98)}, n=200, maxiter=5,
                             weights={"responder_rate_30": 2.0})
    assert given.weights == {"responder_rate_30": 2.0}


def test_a_start_the_simulation_refuses_is_an_error_not_a_1e6_optimum():
    """Was: odds-ratio targets on a preset without those groups scored every point 1e6 and
    returned it as a successful fit."""
    with pytest.raises(ParameterError):
        cohort.calibrate(_integrity_relief, targets={"or_ischemic_vs_hemorrhagic": 3.36}, preset="peripheral",
                         parameters={"descending_integrity.peripheral.mean": (0.5, 0.98)}, n=100, maxiter=3)


def test_a_cohort_without_evaluable_patients_is_a_barrier_not_nan():
    def no_relief(table):
        return table.assign(relief=np.nan)
    res = cohort.calibrate(no_relief, targets={"responder_rate_30": 0.42}, preset="peripheral",
                           parameters={"descending_integrity.peripheral.mean": (0.5, 0.98)}, n=100, maxiter=3)
    assert math.isfinite(res.loss) and res.loss > 0


def test_wilson_refuses_more_successes_than_trials_even_of_none():
    with pytest.raises(ParameterError, match="'k'"):
        cohort.wilson_interval(5, 0)
    assert all(math.isnan(v) for v in cohort.wilson_interval(0, 0))  # the control: an empty cohort
