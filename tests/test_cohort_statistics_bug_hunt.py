"""Bug hunt of the cohort statistics (calibration, odds ratios, sensitivity, cohort files): each test
asserts what failed before the fix, with a control where it makes sense.  Stand-in simulations only
(tables of at most 100 sampled patients, no network run)."""
from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from painsim import cohort
from painsim.cohort import calibration
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
    span = _source_of_span().split("SIMPLEX_SPAN =")[0].rsplit("\n\n", 1)[-1]  # the comment above the constant
    assert "chosen:" in span.lower()


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


# ------------------------------------------------------------------ 2. adjustments that cannot be fitted
def _stroke_table():
    t = cohort.sample(60, preset="central_post_stroke", seed=3)
    return t.assign(relief=np.clip(np.random.default_rng(0).normal(0.25, 0.3, 60), -1, 1))


def test_a_constant_adjustment_is_refused_naming_it():
    """Was: OR 1.86 with interval [0, inf] and p = 1, silently (a singular Hessian)."""
    t = _stroke_table()
    assert (t["disinhibition"] == 0).all()
    err = refused(lambda: cohort.odds_ratio(t, "stroke_type", "ischemic", "hemorrhagic", adjust=["disinhibition"]),
                  "adjust", allowed=True)
    assert "disinhibition" in str(err) and "varies" in str(err)
    # the same for a non-zero constant (collinear with the intercept)
    refused(lambda: cohort.odds_ratio(t.assign(c=3.0), "stroke_type", "ischemic", "hemorrhagic", adjust=["c"]),
            "adjust")


def test_a_collinear_adjustment_is_refused_and_an_independent_one_is_fitted():
    t = _stroke_table()
    t["twice"] = 2 * t["descending_integrity"] + 1
    t["is_ischemic"] = (t["stroke_type"] == "ischemic").astype(float)
    for cols, bad in ((["descending_integrity", "twice"], "twice"), (["is_ischemic"], "is_ischemic")):
        err = refused(lambda: cohort.odds_ratio(t, "stroke_type", "ischemic", "hemorrhagic", adjust=cols), "adjust")
        assert repr(bad) in str(err) and "linear combination" in str(err)
    r = cohort.odds_ratio(t, "stroke_type", "ischemic", "hemorrhagic", adjust=["descending_integrity"])  # control
    assert 0 < r["ci_low"] < r["odds_ratio"] < r["ci_high"] < math.inf and 0 < r["p"] < 1


# ------------------------------------------------------------------ 3., 4. sensitivity
def _peripheral_table():
    t = cohort.sample(80, preset="peripheral", seed=3)
    return t.assign(relief=np.random.default_rng(0).normal(0.25, 0.3, 80))


@pytest.mark.parametrize("method", ["rbd_fast", "delta"])
def test_a_constant_attribute_given_is_refused_naming_it(method):
    """Was: thalamic_lesion (0 for every peripheral patient) got an RBD-FAST index of 0.10; delta
    printed SALib's "Unhandled exception" and gave NaN."""
    pytest.importorskip("SALib")
    t = _peripheral_table()
    err = refused(lambda: cohort.sensitivity(t, attributes=["thalamic_lesion", "descending_integrity"],
                                             method=method), "attributes", allowed=True)
    assert "thalamic_lesion" in str(err)


def test_attributes_that_vary_are_ranked():
    pytest.importorskip("SALib")
    s = cohort.sensitivity(_peripheral_table(), attributes=["disinhibition", "descending_integrity"])
    assert set(s.index) == {"disinhibition", "descending_integrity"}


def test_a_text_outcome_is_refused_naming_outcome():
    """Was: numpy's bare ValueError "could not convert string to float: 'central'"."""
    err = refused(lambda: cohort.sensitivity(_peripheral_table(), outcome="etiology"), "outcome", allowed=True)
    assert "numeric column" in str(err)


# ------------------------------------------------------------------ 5. errors name what the user wrote
def test_a_nan_adjustment_is_refused_naming_adjust_and_the_column():
    """Was: "parameter 'X' = 'non-finite entries'" (logistic_regression's internal name)."""
    t = _stroke_table()
    t.loc[3, "descending_integrity"] = np.nan
    err = refused(lambda: cohort.odds_ratio(t, "stroke_type", "ischemic", "hemorrhagic",
                                            adjust=["descending_integrity"]), "adjust", allowed=True)
    assert "descending_integrity" in str(err) and "1 of 60" in str(err) and "'X'" not in str(err)


def test_a_nan_adjustment_of_a_patient_without_relief_is_not_counted():
    """Control: the patient is left out already (no relief), so the column is complete for the rest."""
    t = _stroke_table()
    t.loc[3, ["descending_integrity", "relief"]] = np.nan
    r = cohort.odds_ratio(t, "stroke_type", "ischemic", "hemorrhagic", adjust=["descending_integrity"])
    assert r["n"] == 59 and r["unevaluable"] == 1 and math.isfinite(r["ci_high"])


def _cohort_file(**edits):
    from painsim.params import read_toml
    from refusals import ROOT
    spec = read_toml(ROOT / "experiments" / "rtms_cohort.toml")
    spec["_path"] = "edited.toml"
    spec["experiment"].update(edits.pop("experiment", {}))
    spec.setdefault("distributions", {}).update(edits.pop("distributions", {}))
    return spec


def test_a_relief_day_inside_a_session_is_refused_at_load_as_the_files_key():
    """Was: refused at the first batch as "parameter 'follow_up_days' = 3.003"."""
    err = refused(lambda: cohort.load_cohort_spec(_cohort_file(experiment={"relief_day": 3.003})),
                  "experiment.relief_day", allowed=True)
    assert "inside the session of day 3" in str(err)
    cohort.load_cohort_spec(_cohort_file(experiment={"relief_day": 4}))  # control: the file's own day


def test_a_relief_day_inside_a_session_is_refused_by_run_naming_day(no_work):
    table = cohort.sample(2, seed=1)
    refused(lambda: cohort.run(table, "rtms_m1_20hz", day=3.003), "day")


def test_a_distribution_whose_draws_leave_the_attributes_range_is_refused_at_load():
    """Was: loaded, then "parameter 'pathology.ectopic_fraction' = 3.9" at a patient's draw."""
    bad = {"ectopic_activity": {"peripheral": {"type": "lognormal", "median": 2.0, "sigma": 0.5}}}
    err = refused(lambda: cohort.load_cohort_spec(_cohort_file(distributions=bad)),
                  "distributions.ectopic_activity.peripheral", allowed=True)
    assert "pathology.ectopic_fraction" in str(err) and "[0.0, 1.0]" in str(err)
    # controls: a log-normal whose draws stay within [0, 1], and one on an unbounded attribute
    for ok in ({"ectopic_activity": {"peripheral": {"type": "lognormal", "median": 0.1, "sigma": 0.1}}},
               {"sensitization": {"peripheral": {"type": "lognormal", "median": 1.5, "sigma": 0.3}}},
               {"ectopic_activity": {"peripheral": {"type": "beta", "mean": 0.3, "concentration": 8}}}):
        cohort.load_cohort_spec(_cohort_file(distributions=ok))


def test_draw_range_is_the_log_normals_quantiles_at_the_clipped_uniforms():
    """What the load-time check reads: the median times exp(+-sigma z) at the clip of the uniform
    numbers (scipy's normal quantile, computed here independently), so an accepted log-normal of
    ectopic activity (a fraction) stays below 1 and one a little wider is refused."""
    from scipy.stats import norm

    from painsim.cohort.sampling import U_CLIP, draw_range
    z = norm.ppf(1 - U_CLIP)
    low, high = draw_range(cohort.LogNormal(0.1, 0.1))
    assert low == pytest.approx(0.1 * np.exp(-0.1 * z)) and high == pytest.approx(0.1 * np.exp(0.1 * z))
    assert high < 1
    wider = draw_range(cohort.LogNormal(0.1, 0.4))[1]
    assert wider == pytest.approx(0.1 * np.exp(0.4 * z)) and wider > 1


# ------------------------------------------------------------------ 8. the docs name what works
def test_the_published_targets_are_named_by_a_path_that_works():
    """Was: ``painsim.cohort.statistics.PUBLISHED``, an AttributeError (``ps.cohort.statistics`` is
    the function)."""
    import re

    import painsim as ps
    from painsim.cohort.statistics import PUBLISHED
    from refusals import ROOT
    assert ps.cohort.PUBLISHED is PUBLISHED and not hasattr(ps.cohort.statistics, "PUBLISHED")
    docs = (ROOT / "docs" / "sweeps_and_cohorts.md").read_text() + calibration.__doc__ + _source_of_span()
    assert "cohort.statistics.PUBLISHED" not in docs
    assert "from painsim.cohort.statistics import PUBLISHED" in docs and ":data:`painsim.cohort.PUBLISHED`" in docs
    assert re.search(r"`ps\.cohort\.PUBLISHED`", docs)


def test_the_readme_lists_the_cohort_sensitivity_methods_there_are():
    from refusals import ROOT
    row = next(line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| cohorts |"))
    assert "Sobol" not in row and "Morris" not in row
    assert "RBD-FAST" in row and "delta" in row
    with pytest.raises(Exception, match="rbd_fast"):  # the methods cohort.sensitivity takes
        cohort.sensitivity(cohort.sample(5, seed=1).assign(relief=0.1), method="sobol")
