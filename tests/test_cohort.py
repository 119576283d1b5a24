"""Virtual cohorts: sampling, patient -> model mapping, statistics with known answers, calibration."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import painsim as ps
from painsim import cohort
from painsim.errors import ParameterError, UnknownKeyError


# ------------------------------------------------------------------ statistics on synthetic tables
def test_wilson_interval_known_values():
    # Newcombe 1998 (Stat Med 17:857) Table I: 81/263 -> 0.2553 to 0.3662 (method 3, Wilson score)
    lo, hi = cohort.wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=5e-4) and hi == pytest.approx(0.3662, abs=5e-4)
    # 0/10 -> 0 to 0.2775 (Newcombe 1998, Table I)
    lo, hi = cohort.wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=5e-4)
    assert all(math.isnan(x) for x in cohort.wilson_interval(0, 0))
    with pytest.raises(ParameterError):
        cohort.wilson_interval(11, 10)


def _table(counts: dict) -> pd.DataFrame:
    """Patients with exact responder counts: {(etiology, stroke): (responders, non-responders)}."""
    rows = []
    for (etiology, stroke), (yes, no) in counts.items():
        rows += [{"etiology": etiology, "stroke_type": stroke, "relief": 0.6}] * yes
        rows += [{"etiology": etiology, "stroke_type": stroke, "relief": 0.1}] * no
    return pd.DataFrame(rows)


def test_responder_rates_on_a_known_table():
    t = pd.DataFrame({"relief": [0.6] * 20 + [0.35] * 22 + [0.3] * 0 + [0.1] * 58})
    rr = cohort.responder_rates(t)
    assert rr.loc[0.3, "responders"] == 42 and rr.loc[0.3, "rate"] == pytest.approx(0.42)
    assert rr.loc[0.5, "responders"] == 20
    lo, hi = cohort.wilson_interval(42, 100)
    assert rr.loc[0.3, "ci_low"] == pytest.approx(lo) and rr.loc[0.3, "ci_high"] == pytest.approx(hi)
    # exactly at the threshold counts as a responder (>= 30 %, IMMPACT)
    assert cohort.responder_rates(pd.DataFrame({"relief": [0.3, 0.29]})).loc[0.3, "responders"] == 1
    s = cohort.relief_summary(t)
    assert s.loc["all", "n"] == 100 and s.loc["all", "median"] == pytest.approx(0.1)


def test_logistic_odds_ratio_equals_the_2x2_formula():
    # central: 30 responders / 20 not; peripheral: 40 / 60  -> OR = (30*60)/(20*40) = 2.25
    t = _table({("central", "ischemic"): (30, 20), ("peripheral", "none"): (40, 60)})
    r = cohort.odds_ratio(t, "etiology", "central", "peripheral")
    ref = cohort.odds_ratio_2x2(30, 20, 40, 60)
    assert r["odds_ratio"] == pytest.approx(2.25, rel=1e-8) == ref["odds_ratio"]
    se = math.sqrt(1 / 30 + 1 / 20 + 1 / 40 + 1 / 60)  # Woolf
    assert ref["se"] == pytest.approx(se)
    assert r["ci_low"] == pytest.approx(math.exp(math.log(2.25) - 1.959964 * se), rel=1e-5)
    assert r["ci_high"] == pytest.approx(math.exp(math.log(2.25) + 1.959964 * se), rel=1e-5)
    assert r["n_level"] == 50 and r["n_reference"] == 100


def test_odds_ratio_by_stroke_type_ignores_other_rows():
    t = _table({("central", "ischemic"): (21, 9), ("central", "hemorrhagic"): (8, 12),
                ("peripheral", "none"): (50, 50)})
    r = cohort.odds_ratio(t, "stroke_type", "ischemic", "hemorrhagic")
    assert r["odds_ratio"] == pytest.approx((21 * 12) / (9 * 8), rel=1e-8) and r["n"] == 50
    with pytest.raises(UnknownKeyError, match="hemorrhagic"):
        cohort.odds_ratio(t, "stroke_type", "ischemic", "hemorrhagik")


def test_logistic_regression_recovers_known_coefficients():
    # Assumption: y ~ Bernoulli(logistic(-0.5 + 1.2 x1 - 0.8 x2)), 20 000 draws; the MLE lies
    # within 4 standard errors of the truth (probability of failure < 1e-4 per coefficient).
    rng = np.random.default_rng(7)
    x = rng.normal(size=(20000, 2))
    beta = np.array([-0.5, 1.2, -0.8])
    X = np.column_stack([np.ones(len(x)), x])
    y = rng.random(len(x)) < 1 / (1 + np.exp(-X @ beta))
    fit = cohort.logistic_regression(y, X, ["b0", "b1", "b2"])
    assert fit.attrs["converged"]
    assert (np.abs(fit["coef"].values - beta) < 4 * fit["se"].values).all()


def test_separation_is_reported_not_hidden():
    t = _table({("central", "ischemic"): (10, 0), ("peripheral", "none"): (5, 5)})
    r = cohort.odds_ratio(t, "etiology", "central", "peripheral")
    assert r["separated"] and r["odds_ratio"] == math.inf and math.isnan(r["ci_low"])
    assert cohort.odds_ratio_2x2(10, 0, 5, 5)["odds_ratio"] == pytest.approx((10.5 * 5.5) / (0.5 * 5.5))


def test_statistics_side_by_side_with_published():
    t = _table({("central", "ischemic"): (21, 9), ("central", "hemorrhagic"): (8, 12),
                ("peripheral", "none"): (40, 60)})
    s = cohort.statistics(t)
    c = s["comparison"]
    assert c.loc["responder_rate_30", "published"] == 0.42
    assert c.loc["or_central_vs_peripheral", "published"] == 2.03
    assert c.loc["or_ischemic_vs_hemorrhagic", "pub_ci_high"] == 10.05
    assert c.loc["responder_rate_30", "simulated"] == pytest.approx(69 / 150)
    assert c.loc["or_central_vs_peripheral", "simulated"] == pytest.approx((29 * 60) / (21 * 40))


# ------------------------------------------------------------------ sampling
def test_sample_is_reproducible_and_structured():
    t = cohort.sample(3000, seed=4)
    assert t.equals(cohort.sample(3000, seed=4)) and not t.equals(cohort.sample(3000, seed=5))
    assert set(t.etiology) == {"central", "peripheral"}
    assert (t.loc[t.etiology == "peripheral", "stroke_type"] == "none").all()
    assert set(t.loc[t.etiology == "central", "stroke_type"]) == {"ischemic", "hemorrhagic", "none"}
    assert (t.loc[t.stroke_type == "none", "thalamic_lesion"] == 0).all()
    # Beta(mean 0.5, concentration 6): SD = sqrt(0.25 / 7) = 0.189; the sample mean of 3000 lies
    # within 4 standard errors (0.014) of 0.5
    assert abs(t.disinhibition.mean() - 0.5) < 4 * 0.189 / math.sqrt(3000)
    # share of central patients: Bernoulli(0.4), binomial SE 0.009
    assert abs((t.etiology == "central").mean() - 0.4) < 4 * math.sqrt(0.24 / 3000)
    assert t.loc[t.etiology == "central", "descending_integrity"].mean() < \
        t.loc[t.etiology == "peripheral", "descending_integrity"].mean()
    assert t.seed.nunique() == 3000


def test_sample_options_and_errors():
    t = cohort.sample(50, preset="peripheral", seed=1, distributions={"disinhibition": 0.2})
    assert (t.etiology == "peripheral").all() and (t.disinhibition == 0.2).all()
    assert t.attrs["explicit"] == ["disinhibition"]
    with pytest.raises(UnknownKeyError, match="disinhibition"):
        cohort.sample(5, distributions={"disinhibtion": 0.2})
    with pytest.raises(UnknownKeyError, match="central"):
        cohort.sample(5, preset="centrall")
    with pytest.raises(ParameterError):
        cohort.sample(0)


# ------------------------------------------------------------------ patients -> models
def test_patient_overrides_map_to_model_paths():
    model = ps.load_model("gate_control")
    row = cohort.sample(1, seed=2).iloc[0]
    ov, skipped = cohort.patient_overrides(row, model)
    assert ov["pathology.disinhibition"] == pytest.approx(row.disinhibition)
    assert ov["afferents.Abeta.threshold_current"] == f"{float(row.stimulation_threshold)!r} mA"
    assert set(ov) | {cohort.PATIENT_TO_MODEL[a] for a in skipped} == set(cohort.PATIENT_TO_MODEL.values())
    m = model.with_params(ov)  # every override is valid
    assert m.si("pathology.sensitization") == pytest.approx(row.sensitization)
    # an attribute whose path the model lacks: skipped by default, an error when used
    mapping = {**cohort.PATIENT_TO_MODEL, "disinhibition": "pathology.disinhibition_not_yet"}
    ov, skipped = cohort.patient_overrides(row, model, mapping=mapping)
    assert skipped == ["disinhibition"] and "pathology.disinhibition_not_yet" not in ov
    with pytest.raises(UnknownKeyError, match="pathology.disinhibition"):
        cohort.patient_overrides(row, model, mapping=mapping, explicit=["disinhibition"])
    with pytest.raises(UnknownKeyError):
        cohort.patient_overrides(row, model, mapping=mapping, strict=True)


@pytest.mark.parametrize("as_dataset", [False, True])
def test_run_calls_run_course_batch(monkeypatch, as_dataset):
    seen = {}

    def fake_run_course_batch(models, protocol, seeds=None, batch_size=16, **kw):
        seen.update(n=len(models), protocol=protocol, seeds=list(seeds), batch_size=batch_size)
        out = []
        for m in models:  # relief grows with descending integrity (a stand-in for the course engine)
            relief = 100 * (m.si("descending.integrity") - 0.4) if "descending.integrity" in m.leaves else 50.0
            out.append(xr.Dataset({"baseline_pain": ((), 6.0),
                                   "relief": (("day",), [0.0, relief / 2, relief], {"units": "%"})},
                                  coords={"day": [0, 7, 28]}))
        if as_dataset:
            return xr.concat(out, "patient").assign_coords(patient=np.arange(len(out)),
                                                           seed=("patient", list(seeds)))
        return out

    monkeypatch.setattr("painsim.course.run_course_batch", fake_run_course_batch)
    table = cohort.sample(40, seed=3)
    res = cohort.run(table, protocol=object(), model="neuropathic", batch_size=4)
    assert seen["n"] == 40 and seen["seeds"] == list(table.seed) and seen["batch_size"] == 4
    np.testing.assert_allclose(res.relief, (table.descending_integrity - 0.4)
                               if "descending.integrity" in ps.load_model("neuropathic").leaves else 0.5)
    assert (res.responder_30 == (res.relief >= 0.3)).all() and (res.responder_50 == (res.relief >= 0.5)).all()
    early = cohort.run(table, protocol=object(), day=7)
    np.testing.assert_allclose(early.relief, res.relief / 2)
    stats = cohort.statistics(res)
    assert stats["responder_rates"].loc[0.3, "n"] == 40


# ------------------------------------------------------------------ calibration
def _synthetic(table):
    """A cheap stand-in for the course: relief = descending integrity - 0.45 (deterministic)."""
    out = table.copy()
    out["relief"] = out["descending_integrity"] - 0.45
    return out


def test_calibration_finds_the_known_optimum():
    from scipy.optimize import brentq
    from scipy.stats import beta
    # peripheral patients, integrity ~ Beta(mean m, concentration 12): responders (relief >= 0.3)
    # are those with integrity >= 0.75; the m that gives 42 % responders solves P(X >= 0.75) = 0.42
    m_true = brentq(lambda m: beta.sf(0.75, 12 * m, 12 * (1 - m)) - 0.42, 0.3, 0.95)
    res = cohort.calibrate(_synthetic, targets={"responder_rate_30": 0.42}, preset="peripheral",
                           parameters={"descending_integrity.peripheral.mean": (0.3, 0.95)}, n=4000, seed=1)
    assert res.fitted["descending_integrity.peripheral.mean"] == pytest.approx(m_true, abs=0.01)
    assert abs(res.mismatch["responder_rate_30"]) < 0.003 and res.achieved["responder_rate_30"] > 0.41
    # an unreachable target: the remaining mismatch is reported, not hidden
    res = cohort.calibrate(_synthetic, targets={"responder_rate_30": 0.42}, preset="peripheral",
                           parameters={"descending_integrity.peripheral.mean": (0.2, 0.4)}, n=1000)
    assert res.mismatch["responder_rate_30"] < -0.3
    with pytest.raises(UnknownKeyError, match="responder_rate_30"):
        cohort.calibrate(_synthetic, targets={"responder_rate30": 0.4})


def test_calibration_of_an_odds_ratio():
    # relief depends on integrity; integrity means differ by stroke type -> OR of response
    def sim(table):
        out = table.copy()
        out["relief"] = out["descending_integrity"] - 0.4
        return out
    res = cohort.calibrate(sim, targets={"or_ischemic_vs_hemorrhagic": 3.36}, preset="central_post_stroke",
                           parameters={"descending_integrity.hemorrhagic.mean": (0.3, 0.9)}, n=3000, seed=2)
    assert abs(res.mismatch["or_ischemic_vs_hemorrhagic"]) < 0.05  # log scale
    assert res.achieved["or_ischemic_vs_hemorrhagic"] == pytest.approx(3.36, rel=0.06)


# ------------------------------------------------------------------ sensitivity
def test_cohort_sensitivity_ranks_the_driving_attribute():
    pytest.importorskip("SALib")
    t = _synthetic(cohort.sample(1500, seed=6))
    s = cohort.sensitivity(t, "relief")
    assert s.index[0] == "descending_integrity" and s["S1"].iloc[0] > 0.8
