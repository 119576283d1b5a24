"""Virtual cohorts: sampling, patient -> model mapping, statistics with known answers, calibration."""
from __future__ import annotations

import math
import sys

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


def test_statistics_without_a_relief_column_name_it():
    flags = pd.DataFrame({"responder_30": [True, False], "responder_50": [False, False]})
    assert cohort.responder_rates(flags).loc[0.3, "responders"] == 1     # the flags alone give the rates
    with pytest.raises(UnknownKeyError, match="relief"):
        cohort.statistics(flags)                                          # the relief summary needs relief
    with pytest.raises(UnknownKeyError, match="etiology"):
        cohort.relief_summary(pd.DataFrame({"relief": [0.1]}), by="etiology")


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
    # peripheral patients: Beta(mean m, concentration c), SD = sqrt(m (1 - m) / (c + 1)); the sample
    # mean of the ~1800 peripheral patients lies within 4 standard errors of m
    d = cohort.default_distributions()["disinhibition"]["peripheral"]
    per = t.loc[t.etiology == "peripheral", "disinhibition"]
    sd = math.sqrt(d.mean * (1 - d.mean) / (d.concentration + 1))
    assert abs(per.mean() - d.mean) < 4 * sd / math.sqrt(len(per))
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
    assert ov["afferents.Abeta.threshold_current"] == f"{float(row.afferent_threshold)!r} mA"
    assert ov["pathology.thalamic_drive"] == f"{float(row.thalamic_drive)!r} nS"
    assert ov["pathology.etiology"] == row.etiology and ov["pathology.stroke"] == row.stroke_type
    assert set(ov) | {cohort.PATIENT_TO_MODEL[a] for a in skipped} == \
        set(cohort.PATIENT_TO_MODEL.values()) | set(cohort.PATIENT_LABELS.values())
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
        seen.update(n=len(models), protocol=protocol, seeds=list(seeds))
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
    res = cohort.run(table, protocol=object(), model="neuropathic", batch_size=40)
    assert seen["n"] == 40 and seen["seeds"] == list(table.seed)  # one batch of 40 courses run together
    np.testing.assert_allclose(res.relief, (table.descending_integrity - 0.4)
                               if "descending.integrity" in ps.load_model("neuropathic").leaves else 0.5)
    assert (res.responder_30 == (res.relief >= 0.3)).all() and (res.responder_50 == (res.relief >= 0.5)).all()
    early = cohort.run(table, protocol=object(), day=7)
    np.testing.assert_allclose(early.relief, res.relief / 2)
    stats = cohort.statistics(res)
    assert stats["responder_rates"].loc[0.3, "n"] == 40


def test_opioid_tolerance_reaches_the_course_engine_and_the_fingerprint(monkeypatch):
    """A cohort's opioid_tolerance is passed to every course and enters each patient's stored
    fingerprint only when on (stores written without it stay valid); off is the default."""
    seen = []

    def fake_run_course_batch(models, protocol, seeds=None, batch_size=16, **kw):
        seen.append(kw.get("opioid_tolerance", False))
        return [xr.Dataset({"baseline_pain": ((), 6.0), "relief": (("day",), [0.0, 10.0], {"units": "%"})},
                           coords={"day": [0, 4]}) for _ in models]

    monkeypatch.setattr("painsim.course.run_course_batch", fake_run_course_batch)
    table = cohort.sample(3, seed=3)
    assert cohort.run(table, protocol=object()).attrs["opioid_tolerance"] == 0
    assert cohort.run(table, protocol=object(), opioid_tolerance=True).attrs["opioid_tolerance"] == 1
    assert seen == [False, True]
    with pytest.raises(ParameterError, match="opioid_tolerance"):
        cohort.run(table, protocol=object(), opioid_tolerance="yes")
    m = [ps.load_model("neuropathic")]
    off, default, on = (cohort.patient_fingerprints(m, [1], "rtms_m1_20hz", 4.0, *flag)
                        for flag in ((False,), (), (True,)))
    assert off == default and on != off


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
                           parameters={"descending_integrity.peripheral.mean": (0.3, 0.95)}, n=4000, seed=1,
                           distributions={"descending_integrity": {"peripheral": cohort.Beta(0.85, 12.0)}})
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
                           parameters={"descending_integrity.hemorrhagic.mean": (0.3, 0.9)}, n=3000, seed=2,
                           distributions={"descending_integrity": {"ischemic": cohort.Beta(0.7, 12.0),
                                                                   "hemorrhagic": cohort.Beta(0.5, 12.0)}})
    assert abs(res.mismatch["or_ischemic_vs_hemorrhagic"]) < 0.05  # log scale
    assert res.achieved["or_ischemic_vs_hemorrhagic"] == pytest.approx(3.36, rel=0.06)


# ------------------------------------------------------------------ sensitivity
def test_cohort_sensitivity_ranks_the_driving_attribute():
    pytest.importorskip("SALib")
    t = _synthetic(cohort.sample(1500, seed=6))
    s = cohort.sensitivity(t, "relief")
    assert s.index[0] == "descending_integrity" and s["S1"].iloc[0] > 0.8


def test_a_cohort_too_small_for_rbd_fast_is_named_and_delta_still_works():
    """SALib's RBD-FAST bootstrap divides by zero on 40 patients: a painsim error naming the table's
    size and the way out, not a bare ZeroDivisionError; the delta method ranks the same table."""
    pytest.importorskip("SALib")
    t = cohort.sample(40, seed=1)
    t["relief"] = np.random.default_rng(0).uniform(-0.2, 0.9, 40)
    with pytest.raises(ParameterError, match="40 patients"):
        cohort.sensitivity(t, "relief")
    assert len(cohort.sensitivity(t, "relief", method="delta")) > 0


# ------------------------------------------------------------------ patients are valid pathway models
def test_patient_paths_exist_in_the_reference_model():
    ref = ps.load_model("gate_control")  # the reference defines every key
    for attr, path in {**cohort.PATIENT_TO_MODEL, **cohort.PATIENT_LABELS}.items():
        assert path in ref.leaves, f"{attr} -> {path} is not a parameter of models/gate_control.toml"
    for attr, unit in cohort.ATTRIBUTE_UNITS.items():
        assert ref.leaves[cohort.PATIENT_TO_MODEL[attr]].dim is not None, f"{attr} is a quantity ({unit})"
    assert set(cohort.default_distributions()) == {"central", "stroke", "ischemic", *cohort.PATIENT_TO_MODEL}


@pytest.mark.parametrize("preset", sorted(cohort.PRESETS))
def test_every_sampled_patient_builds_a_valid_pathway_model(preset):
    base = ps.load_model("pain_pathway")
    t = cohort.sample(300, preset=preset, seed=7)
    for _, row in t.iterrows():
        ov, skipped = cohort.patient_overrides(row, base, strict=True)
        assert not skipped
        base.with_params(ov)  # raises for a bad path, unit or value
    fractions = ["ectopic_activity", "disinhibition", "map_reorganization", "thalamic_lesion",
                 "thalamic_disinhibition", "cortical_disinhibition", "corticothalamic_damage", "descending_integrity"]
    assert ((t[fractions] >= 0) & (t[fractions] <= 1)).all().all()
    # the stroke types differ in what the presets differ in
    isch, hem = t[t.stroke_type == "ischemic"], t[t.stroke_type == "hemorrhagic"]
    if len(isch) > 10 and len(hem) > 10:
        assert hem.thalamic_lesion.mean() > isch.thalamic_lesion.mean()
        assert hem.corticothalamic_damage.mean() > isch.corticothalamic_damage.mean()
        assert hem.descending_integrity.mean() < isch.descending_integrity.mean()
    # thalamic generator only after a stroke, ectopic discharge only in peripheral pain
    assert (t.loc[t.stroke_type == "none", "thalamic_drive"] == 0).all()
    assert (t.loc[t.etiology == "central", "ectopic_activity"] == 0).all()


# ------------------------------------------------------------------ cohort files
def _fake_course(monkeypatch):
    """A stand-in for the course engine: relief from descending integrity and the patient's seed."""
    calls = []

    def fake(models, protocol, seeds=None, batch_size=16, follow_up_days=(30, 90), **kw):
        calls.append(len(models))
        out = []
        for m, s in zip(models, seeds):
            noise = np.random.default_rng(s).normal(0, 10)  # depends on the patient's seed only
            relief = 100 * (m.si("descending.integrity") - 0.6) + noise
            day = float(follow_up_days[0]) if follow_up_days else 28.0
            out.append(xr.Dataset({"baseline_pain": ((), 6.0),
                                   "relief": (("day",), [0.0, relief], {"units": "%"})}, coords={"day": [0.0, day]}))
        return out

    monkeypatch.setattr("painsim.course.run_course_batch", fake)
    return calls


def test_an_interrupted_cohort_resumes_from_its_store(monkeypatch, tmp_path):
    """Each finished batch is on disk before the next starts; resume runs only the rest
    and gives the table of an uninterrupted run; a different cohort is refused."""
    calls = _fake_course(monkeypatch)
    table = cohort.sample(10, seed=4)
    clean = cohort.run(table, "rtms_m1_20hz", model="pain_pathway", batch_size=4, day=4)
    calls.clear()
    fake = ps.course.run_course_batch

    def dies_on_second_batch(models, *a, **kw):
        if len(calls) == 1:
            raise KeyboardInterrupt  # the user pressed Ctrl-C during batch 2
        return fake(models, *a, **kw)

    monkeypatch.setattr("painsim.course.run_course_batch", dies_on_second_batch)
    store = tmp_path / "patients"
    with pytest.raises(KeyboardInterrupt):
        cohort.run(table, "rtms_m1_20hz", model="pain_pathway", batch_size=4, day=4, store=store)
    assert sorted(p.name for p in store.glob("patient_*.nc")) == [f"patient_{k:06d}.nc" for k in range(4)]
    with pytest.raises(ParameterError, match="resume"):  # a store with patients needs resume=True
        cohort.run(table, "rtms_m1_20hz", model="pain_pathway", batch_size=4, day=4, store=store)
    monkeypatch.setattr("painsim.course.run_course_batch", fake)
    calls.clear()
    resumed = cohort.run(table, "rtms_m1_20hz", model="pain_pathway", batch_size=4, day=4, store=store, resume=True)
    assert calls == [4, 2]  # patients 4-9 only
    pd.testing.assert_frame_equal(resumed, clean)
    calls.clear()
    again = cohort.run(table, "rtms_m1_20hz", model="pain_pathway", batch_size=4, day=4, store=store, resume=True)
    assert calls == [] and again.relief.equals(clean.relief)  # all on disk: nothing recomputed
    other = cohort.sample(10, seed=5)
    with pytest.raises(ParameterError, match="differs"):
        cohort.run(other, "rtms_m1_20hz", model="pain_pathway", batch_size=4, day=4, store=store, resume=True)


def test_rtms_cohort_file_loads():
    spec = cohort.load_cohort_spec("rtms_cohort")
    prot = spec["protocol"]
    assert prot.calendar.days == (0.0, 1.0, 2.0, 3.0) and prot.calendar.end_day == 4.0  # the 4-session test
    assert "plasticity.m1_desc.rule" in prot.plasticity  # rTMS reconditions M1 outputs
    assert spec["model"].si("network.layers") == "pathway"
    exp = spec["experiment"]
    assert exp["kind"] == "cohort" and exp["n_patients"] >= 1 and exp["preset"] in cohort.PRESETS
    assert ps.files.load_experiment("rtms_cohort")["experiment"]["kind"] == "cohort"


_GOOD = '''[experiment]
name = "c"
kind = "cohort"
model = "pain_pathway"
preset = "rtms_real_world"
n_patients = 12
seed = 3
batch_size = 4
protocol = "rtms_m1_20hz"
'''


@pytest.mark.parametrize("edit, error, match", [
    (("n_patients = 12", "n_patient = 12"), UnknownKeyError, "n_patients"),
    (("n_patients = 12", "n_patients = 0"), ParameterError, "n_patients"),
    (("batch_size = 4", "batch_size = 2.5"), ParameterError, "batch_size"),
    (("preset = \"rtms_real_world\"", "preset = \"rtms_realworld\""), UnknownKeyError, "rtms_real_world"),
    (("protocol = \"rtms_m1_20hz\"", "protocol = \"rtms_m1_20\""), UnknownKeyError, "rtms_m1_20hz"),
    (("protocol = \"rtms_m1_20hz\"\n", "protocol = \"rtms_m1_20hz\"\n[distributions]\ndescending_integrty = 0.5\n"),
     UnknownKeyError, "descending_integrity"),
    (("protocol = \"rtms_m1_20hz\"\n", "protocol = \"rtms_m1_20hz\"\n[distributions]\n"
      "descending_integrity = {hemorhagic = {type = \"beta\", mean = 0.5}}\n"), UnknownKeyError, "hemorrhagic"),
    (("protocol = \"rtms_m1_20hz\"\n", "protocol = \"rtms_m1_20hz\"\n[distributions]\n"
      "descending_integrity = {type = \"betta\", mean = 0.5}\n"), UnknownKeyError, "beta"),
    (("protocol = \"rtms_m1_20hz\"\n", "protocol = \"rtms_m1_20hz\"\n[distributions]\n"
      "descending_integrity = {type = \"beta\", mean = 1.5}\n"), ParameterError,
     "distributions.descending_integrity.mean"),
    (("protocol = \"rtms_m1_20hz\"\n", "protocol = \"rtms_m1_20hz\"\n[distribution]\n"), UnknownKeyError,
     "distributions"),
    (("protocol = \"rtms_m1_20hz\"\n", ""), ps.errors.ModelFileError, "protocol"),
    (("protocol = \"rtms_m1_20hz\"\n", "protocol = \"rtms_m1_20hz\"\nopioid_tolerance = \"yes\"\n"),
     ParameterError, "opioid_tolerance"),
    (("seed = 3\n", "seed = -1\n"), ParameterError, "experiment.seed"),
])
def test_bad_cohort_specs_raise_clear_errors(tmp_path, edit, error, match):
    f = tmp_path / "c.toml"
    f.write_text(_GOOD.replace(*edit))
    with pytest.raises(error, match=match):
        cohort.load_cohort_spec(f)
    with pytest.raises(error, match=match):  # before any work, through the experiment loader too
        ps.files.load_experiment(f)


def test_cohort_file_runs_through_the_cli(tmp_path, monkeypatch, capsys):
    from painsim.cli import main
    calls = _fake_course(monkeypatch)
    f = tmp_path / "c.toml"
    f.write_text(_GOOD + "relief_day = 4\n[distributions]\ndescending_integrity = "
                         "{peripheral = {type = \"beta\", mean = 0.8, concentration = 20}}\n")
    assert main(["run", str(f), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "or_central_vs_peripheral" in out and "2.03" in out and "responders >= 30 %" in out
    assert sum(calls) == 12 and max(calls) <= 4
    ds = io_load(tmp_path / "out" / "results.nc")
    table = pd.read_csv(tmp_path / "out" / "patients.csv", index_col=0)
    assert len(table) == 12 and ds.sizes["patient"] == 12
    np.testing.assert_allclose(table.relief, ds.relief.values)
    assert set(ds.statistic.values) == {"responder_rate_30", "or_central_vs_peripheral", "or_ischemic_vs_hemorrhagic"}
    assert float(ds.published.sel(statistic="or_ischemic_vs_hemorrhagic")) == 3.36
    rate = float(ds.responder_rate.sel(group="all", threshold=0.3))
    assert rate == pytest.approx((table.relief >= 0.3).mean())
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == ["c_comparison.png", "c_relief.png"]
    assert not list((tmp_path / "out").glob(".*.tmp"))
    # the peripheral distribution of the file was used, the others are the preset's
    per = table[table.etiology == "peripheral"]
    assert abs(per.descending_integrity.mean() - 0.8) < 0.15
    # the figures can be redrawn from the saved results
    assert sorted(ps.plots.figures_for(ds)) == ["comparison", "relief"]
    # every patient was persisted; --resume finds them all and runs nothing
    assert len(list((tmp_path / "out" / "patients").glob("patient_*.nc"))) == 12
    calls.clear()
    assert main(["run", str(f), "--out", str(tmp_path / "out"), "--resume"]) == 0 and calls == []
    resumed = pd.read_csv(tmp_path / "out" / "patients.csv", index_col=0)
    pd.testing.assert_series_equal(resumed.relief, table.relief)
    assert main(["run", str(f), "--out", str(tmp_path / "out")]) == 0 and sum(calls) == 12  # afresh
    # an interrupted run's patients (no result yet) are refused without --resume, not deleted
    (tmp_path / "out" / "results.nc").unlink()
    calls.clear()
    assert main(["run", str(f), "--out", str(tmp_path / "out")]) == 2 and calls == []
    assert "--resume continues them" in capsys.readouterr().err
    assert len(list((tmp_path / "out" / "patients").glob("patient_*.nc"))) == 12
    assert main(["run", str(f), "--out", str(tmp_path / "out"), "--resume"]) == 0 and calls == []


def io_load(path):
    return ps.io.load(path)


def test_cohort_results_do_not_depend_on_batch_size(monkeypatch):
    _fake_course(monkeypatch)
    table = cohort.sample(11, preset="rtms_real_world", seed=5)
    ref = cohort.run(table, "rtms_m1_20hz", batch_size=1, day=4)
    for b in (3, 8, 11):
        pd.testing.assert_frame_equal(cohort.run(table, "rtms_m1_20hz", batch_size=b, day=4), ref)
    with pytest.raises(ParameterError, match="workers"):
        cohort.run(table, "rtms_m1_20hz", workers=0)


def _fake_task(models, protocol, seeds, kw):
    """Module level (picklable): what a worker process returns for a batch, from model and seed only."""
    import os
    out = []
    for m, s in zip(models, seeds):
        relief = 100 * (m.si("descending.integrity") - 0.6) + np.random.default_rng(s).normal(0, 10)
        out.append(xr.Dataset({"baseline_pain": ((), 6.0), "relief": (("day",), [0.0, relief], {"units": "%"}),
                               "pid": ((), os.getpid())}, coords={"day": [0.0, 4.0]}))
    return out


def test_worker_processes_return_patients_in_order():
    # two spawned worker processes; each patient's result must come back in its row, whatever the worker
    table = cohort.sample(7, preset="rtms_real_world", seed=8)
    base = ps.load_model("pain_pathway")
    models = [base.with_params(cohort.patient_overrides(r, base)[0]) for _, r in table.iterrows()]
    seeds = list(table.seed)
    serial = _fake_task(models, None, seeds, {})
    reported = []  # cohort.run persists each batch through on_batch as it arrives
    par = cohort.run_patient_batches(models, None, seeds, batch_size=3, workers=2, kw={}, task=_fake_task,
                                     on_batch=lambda start, ds: reported.append((start, [float(d.relief[-1]) for d in ds])))
    assert [float(d.relief[-1]) for d in par] == [float(d.relief[-1]) for d in serial]
    # 7 patients, at most 3 per batch, 2 workers: 4 balanced batches (2, 2, 2, 1), each reported once
    assert sorted(start for start, _ in reported) == [0, 2, 4, 6]
    assert [r for _, rs in sorted(reported) for r in rs] == [float(d.relief[-1]) for d in serial]
    assert len({int(d.pid) for d in par}) >= 1 and all(int(d.pid) != __import__("os").getpid() for d in par)


ENGINE_PAUSE = 0.3  # seconds per session of the fake engine (twice that for its tests)


def _fake_engine(models, protocol, seeds=None, progress=False, **kw):
    """A stand-in for the course engine that takes time: 4 sessions, each reported, then the tests."""
    import time
    for s in range(1, 5):
        time.sleep(ENGINE_PAUSE)
        if callable(progress):
            progress(s, 4, float(s - 1))
    time.sleep(2 * ENGINE_PAUSE)
    return _fake_task(models, protocol, seeds, {})


def _engine_task(models, protocol, seeds, kw):
    """Module level (picklable): the cohort's course task with the fake engine, in a worker process."""
    ps.course.run_course_batch = _fake_engine  # this worker process only
    return cohort.course_task(models, protocol, seeds, kw)


def test_worker_batches_report_their_sessions_while_they_run():
    import time
    table = cohort.sample(7, preset="rtms_real_world", seed=8)
    base = ps.load_model("pain_pathway")
    models = [base.with_params(cohort.patient_overrides(r, base)[0]) for _, r in table.iterrows()]
    events, t0 = [], time.time()
    par = cohort.run_patient_batches(
        models, None, list(table.seed), batch_size=3, workers=2, kw={}, task=_engine_task,
        on_batch=lambda start, ds: events.append((time.time() - t0, start, "done")),
        on_progress=lambda start, m: events.append((time.time() - t0, start, m)))
    assert len(par) == 7
    for start in (0, 2, 4, 6):  # 4 balanced batches (2, 2, 2, 1)
        mine = [(t, m) for t, s, m in events if s == start]
        assert [m for _, m in mine] == [("session", k, 4) for k in (1, 2, 3, 4)] + ["done"]
        # reported during the batch, not with its result: the result comes >= 0.6 s after session 4
        assert mine[-1][0] - mine[0][0] > 0.6


def test_cohort_progress_lines_count_what_is_done(monkeypatch, capsys):
    monkeypatch.setattr("painsim.course.run_course_batch", _fake_engine)
    monkeypatch.setattr(sys.modules[__name__], "ENGINE_PAUSE", 0.0)
    table = cohort.sample(10, preset="rtms_real_world", seed=8)
    cohort.run(table, "rtms_m1_20hz", batch_size=4, day=4, progress=True)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("painsim: cohort:")]
    sessions = [tuple(map(int, m)) for ln in lines
                for m in __import__("re").findall(r"batch (\d+)/3 \((\d+) patients\): session (\d+)/4 done; (\d+)/10", ln)]
    patients = [int(ln.split()[2].split("/")[0]) for ln in lines if "patients done," in ln and "session" not in ln]
    assert patients == [4, 8, 10]
    assert [(b, k) for b, _, k, _ in sessions] == [(b, k) for b in (1, 2, 3) for k in (1, 2, 3, 4)]
    assert [n for _, n, _, _ in sessions] == [4] * 4 + [4] * 4 + [2] * 4
    assert [d for *_, d in sessions] == [0] * 4 + [4] * 4 + [8] * 4  # patients persisted at that moment
    # the order: a batch's sessions, then its patients
    assert [ln.split(":")[2].split()[0] for ln in lines][:6] == ["batch"] * 4 + ["4/10", "batch"]


def test_cohort_progress_ignores_late_messages():
    out = []
    p = cohort.CohortProgress(6, 0, [3, 3], echo=lambda line, flush=True: out.append(line))
    for b, k in ((0, 1), (1, 1), (0, 3), (0, 2), (1, 2), (1, 2)):
        p.message(b, ("session", k, 3))
    p.message(0, "something else")
    p.patients(3)
    assert [ln.split(": session ")[1][:3] for ln in out[:-1]] == ["1/3", "1/3", "3/3", "2/3"]
    assert "3/6 patients done" in out[-1]


def test_not_estimable_instead_of_nan():
    nan, inf = float("nan"), float("inf")
    assert cohort.format_estimate(0.0, nan, nan) == "not estimable"
    assert cohort.format_estimate(inf, nan, nan) == "not estimable"
    assert cohort.format_estimate(nan) == "not estimable"
    assert cohort.format_estimate(0.7, 0.06, 7.86) == "0.70 [0.06; 7.86]"
    assert cohort.format_estimate(0.015, 0.005, 0.043, digits=1, scale=100) == "1.5 [0.5; 4.3]"
    t = _table({("central", "ischemic"): (0, 10), ("central", "hemorrhagic"): (0, 9),
                ("peripheral", "none"): (3, 30)})
    d = cohort.to_dataset(t).sel(statistic="or_ischemic_vs_hemorrhagic")  # 0/10 vs 0/9 responders
    assert cohort.format_estimate(d.simulated, d.sim_ci_low, d.sim_ci_high) == "not estimable"
    assert cohort.format_estimate(d.published, d.pub_ci_low, d.pub_ci_high) == "3.36 [1.17; 10.05]"


def test_painsim_run_dispatches_course_files(monkeypatch):
    from painsim import cli
    seen = []
    monkeypatch.setattr(cli, "cmd_course", lambda args: seen.append(args.file) or 0)
    assert cli.main(["run", "rtms_course"]) == 0 and seen == ["rtms_course"]
    assert ps.files.load_experiment("rtms_course")["experiment"]["kind"] == "course"


_COURSES_HERE: list = []  # (pid, patients) of each course batch the recording engine ran in this process


def _recording_engine(models, protocol, seeds=None, progress=False, **kw):
    """The fake course task, noting the process it runs in (installed in one process only)."""
    import os
    _COURSES_HERE.append((os.getpid(), len(models)))
    return _fake_task(models, protocol, seeds, {})


def _cohort_in_a_worker(batch):
    """Module level (picklable): in a worker of another run, a cohort asked for 2 workers."""
    import os
    ps.course.run_course_batch = _recording_engine  # this worker process only
    table = cohort.sample(5, preset="rtms_real_world", seed=8)
    res = cohort.run(table, protocol=object(), model="pain_pathway", batch_size=2, workers=2)
    return [(os.getpid(), list(_COURSES_HERE), [float(x) for x in res.relief])]


def test_a_cohort_inside_another_runs_worker_runs_in_that_worker(monkeypatch):
    """A validation row runs a cohort file with 2 workers inside a validation worker: every batch
    runs in that worker (the recording engine is installed there only; a nested pool's processes
    would run the real engine on a stand-in protocol and fail), with the results of a cohort run
    here on one process (negative control of the equality: another seed differs)."""
    import os

    from painsim.parallel import run_batches
    out = []
    run_batches(_cohort_in_a_worker, [[0]], lambda b, r: out.extend(r), workers=1)
    (pid, courses, relief), = out
    assert pid != os.getpid() and {p for p, _ in courses} == {pid} and sum(n for _, n in courses) == 5
    monkeypatch.setattr("painsim.course.run_course_batch", _recording_engine)
    here = cohort.run(cohort.sample(5, preset="rtms_real_world", seed=8), protocol=object(), model="pain_pathway",
                      batch_size=2, workers=1)
    np.testing.assert_array_equal(relief, here.relief)
    other = cohort.run(cohort.sample(5, preset="rtms_real_world", seed=9), protocol=object(), model="pain_pathway",
                       batch_size=2, workers=1)
    assert not np.array_equal(relief, other.relief)


def test_each_patients_file_names_its_own_model_and_seed_whatever_its_batch():
    """A cohort's patient files come from course batches (painsim.course.per_patient): each names
    its own model and seed, and a patient run in a batch of one gets the same attributes as in a
    batch of two (the batch's model list made the file depend on its companions)."""
    import json
    from painsim.course import per_patient
    batch = xr.Dataset({"pain": (("patient", "day"), np.zeros((2, 1)))},
                       coords={"patient": [0, 1], "day": [0.0], "seed": ("patient", [5, 9])},
                       attrs={"model": json.dumps(["healthy", "peripheral_neuropathic"]), "protocol": "tens"})
    first, second = per_patient(batch)
    assert (first.attrs["model"], first.attrs["seed"]) == ("healthy", 5)
    assert (second.attrs["model"], second.attrs["seed"]) == ("peripheral_neuropathic", 9)
    assert "seed" not in second.variables and second.attrs["protocol"] == "tens"
    (alone,) = per_patient(batch.isel(patient=[1]).assign_attrs(model=json.dumps(["peripheral_neuropathic"])))
    assert alone.attrs == second.attrs
