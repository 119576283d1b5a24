"""Cohort bugs a reviewer reproduced (/tmp/rev_cohort, 2026-12): yes/no shares from non-Bernoulli
distributions, a relief threshold ignored or answered from the wrong column, quasi-complete
separation missed, statistics of groups without an evaluable patient, the seed column of a run
with seeds=..., the relief day's form in store fingerprints, repeated patient seeds, and the
sensitivity indices' meaning.  Courses are replaced by a cheap stand-in (no simulation)."""
import hashlib
import json
import math
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from painsim import cohort
from painsim.cohort import sampling
from painsim.errors import UnknownKeyError
from painsim.rng import seed_state
from refusals import refused

RUN = sys.modules["painsim.cohort.run"]


def _course(relief=10.0, baseline=5.0):
    """A course result as course_task returns it: relief (%) on days 0 and 4."""
    return xr.Dataset({"relief": (("day",), [0.0, relief], {"units": "%"}), "baseline_pain": baseline},
                      coords={"day": [0.0, 4.0]})


@pytest.fixture
def fake_courses(monkeypatch):
    """course_task replaced: every patient 10 % relief; records the batches (their seeds)."""
    calls = []

    def fake(models, protocol, seeds, kw):
        calls.append(list(seeds))
        return [_course() for _ in models]

    monkeypatch.setattr(RUN, "course_task", fake)
    return calls


# 1. a yes/no share is a probability ---------------------------------------------------------

@pytest.mark.parametrize("attr", ["central", "stroke", "ischemic"])
@pytest.mark.parametrize("dist", [cohort.Beta(0.4, 10), cohort.Fixed(0.4), cohort.LogNormal(0.4, 0.2)],
                         ids=repr)
def test_a_yes_no_share_refuses_a_distribution_of_values(attr, dist):
    """Was: ppf(u).astype(bool) made every patient 'yes' (share central 1.0 for Beta(0.4, 10))."""
    e = refused(lambda: cohort.sample(20, seed=1, distributions={attr: dist}), f"distributions.{attr}",
                allowed=True)
    assert "a probability or a Bernoulli" in str(e) and type(dist).__name__ in str(e)
    # the internal path of calibrate() (distributions already resolved) is checked too
    dists, _ = cohort.distributions.resolve_distributions("default", None)
    refused(lambda: cohort.sample(20, seed=1, _dists={**dists, attr: dist}), f"distributions.{attr}")


def test_a_yes_no_share_as_a_probability_or_a_certain_fixed_value_is_kept():
    """Control: a number and a Bernoulli draw shares; Fixed(0) / Fixed(1) are no / yes for everyone."""
    for share in (0.4, cohort.Bernoulli(0.4)):
        t = cohort.sample(200, seed=1, distributions={"central": share})
        assert 0 < (t.etiology == "central").mean() < 1
    assert (cohort.sample(30, seed=1, distributions={"central": cohort.Fixed(1.0)}).etiology == "central").all()
    assert (cohort.sample(30, seed=1, distributions={"central": cohort.Fixed(0)}).etiology == "peripheral").all()
    assert cohort.sample(5, seed=1, distributions={"disinhibition": cohort.Fixed(0.4)}).disinhibition.eq(0.4).all()


def test_a_cohort_file_refuses_a_beta_share(tmp_path):
    text = ('[experiment]\nname = "x"\nkind = "cohort"\nn_patients = 4\n[protocol]\nbase = "rtms_m1_20hz"\n'
            '[distributions]\ncentral = {type = "%s", %s}\n')
    bad = tmp_path / "bad.toml"
    bad.write_text(text % ("beta", "mean = 0.4, concentration = 10"))
    refused(lambda: cohort.load_cohort_spec(str(bad)), "distributions.central", allowed=True)
    good = tmp_path / "good.toml"  # control: the same share as a Bernoulli
    good.write_text(text % ("bernoulli", "p = 0.4"))
    assert cohort.load_cohort_spec(str(good))["distributions"]["central"].p == 0.4


# 2. a relief threshold is applied or refused ------------------------------------------------

def _stored(n=400, seed=0):
    """Relief with the stored responder columns, as run() writes them; central does better."""
    rng = np.random.default_rng(seed)
    t = pd.DataFrame({"etiology": np.where(rng.random(n) < .4, "central", "peripheral"),
                      "relief": rng.uniform(0, 0.8, n)})
    t.loc[t.etiology == "central", "relief"] += 0.1
    return t.assign(responder_30=t.relief >= 0.3, responder_50=t.relief >= 0.5)


def test_a_threshold_is_applied_to_the_relief_even_with_a_stored_outcome_column():
    """Was: with responder_30 stored, threshold=0.5 (and 0.9, 'junk', -3) gave the 30 % odds ratio."""
    t = _stored()
    at_50 = cohort.odds_ratio(t, "etiology", "central", "peripheral", threshold=0.5)
    computed = cohort.odds_ratio(t.drop(columns=["responder_30", "responder_50"]), "etiology", "central",
                                 "peripheral", threshold=0.5)
    stored_50 = cohort.odds_ratio(t, "etiology", "central", "peripheral", outcome="responder_50")
    assert at_50["table_2x2"] == computed["table_2x2"] == stored_50["table_2x2"]
    assert at_50["odds_ratio"] == pytest.approx(stored_50["odds_ratio"])
    # control: without a threshold the stored 30 % column is read, which differs
    assert cohort.odds_ratio(t, "etiology", "central", "peripheral")["table_2x2"] != at_50["table_2x2"]


@pytest.mark.parametrize("threshold", ["junk", -3, 0.0, 1.5, math.nan, True])
def test_a_bad_threshold_is_refused_with_a_stored_outcome_column(threshold):
    refused(lambda: cohort.odds_ratio(_stored(), "etiology", "central", "peripheral", threshold=threshold),
            "threshold", allowed=True)


def test_a_threshold_without_a_relief_column_or_for_another_outcome_is_refused():
    t = _stored().drop(columns=["relief"])
    e = refused(lambda: cohort.odds_ratio(t, "etiology", "central", "peripheral", threshold=0.5), "threshold",
                allowed=True)
    assert "relief" in str(e)
    t2 = _stored().assign(worse=lambda d: d.relief < 0.1)
    refused(lambda: cohort.odds_ratio(t2, "etiology", "central", "peripheral", outcome="worse", threshold=0.3),
            "threshold")
    # controls: the stored columns without a threshold, and the other outcome without one
    assert cohort.odds_ratio(t, "etiology", "central", "peripheral")["n"] == len(t)
    assert cohort.odds_ratio(t2, "etiology", "central", "peripheral", outcome="worse")["n"] == len(t2)


def test_responder_flags_without_relief_answer_only_the_stored_threshold():
    """Was: 0.304 (and 0.296) rounded to 30 % and were answered from responder_30."""
    t = _stored().drop(columns=["relief"])
    for threshold in (0.304, 0.296):
        refused(lambda: cohort.responder_flags(t, threshold), "threshold", allowed=True)
    refused(lambda: cohort.responder_flags(t, 0.35), "relief", UnknownKeyError)  # no column at all: as before
    refused(lambda: cohort.responder_rates(t, thresholds=(0.3, 0.304)), "threshold")
    # controls: the stored thresholds (0.1 + 0.2 is 0.3 up to float noise), and any threshold with relief
    for threshold in (0.3, 0.1 + 0.2, 0.5):
        assert (cohort.responder_flags(t, threshold) == t[f"responder_{round(threshold * 100)}"]).all()
    assert cohort.responder_flags(_stored(), 0.304).size == len(t)


# 3. quasi-complete separation ---------------------------------------------------------------

def _quasi_separated(n=200, seed=1):
    """No central responder (a zero cell), age unrelated to response."""
    rng = np.random.default_rng(seed)
    et = np.where(rng.random(n) < .4, "central", "peripheral")
    relief = rng.uniform(0, 0.6, n)
    relief[et == "central"] = rng.uniform(0, 0.25, (et == "central").sum())
    return pd.DataFrame({"etiology": et, "relief": relief, "age": rng.normal(60, 10, n)})


def test_quasi_complete_separation_of_a_group_is_reported_with_and_without_covariates():
    """Was: OR 1.5e-14 with interval [0, inf], separated=False (the fit crept without diverging)."""
    t = _quasi_separated()
    y = (t.relief >= 0.3).to_numpy(float)
    x = (t.etiology == "central").to_numpy(float)
    for X, names in ((np.column_stack([np.ones(len(t)), x]), ["i", "central"]),
                     (np.column_stack([np.ones(len(t)), x, t.age]), ["i", "central", "age"])):
        fit = cohort.logistic_regression(y, X, names)
        assert fit.attrs["separated"] and not fit.attrs["converged"]
        assert fit.loc["central", "odds_ratio"] == 0.0
        assert fit.loc["central", ["ci_low", "ci_high", "p"]].isna().all()
        # control: the other terms keep their estimates
        others = fit.drop(index="central")
        assert np.isfinite(others[["odds_ratio", "ci_low", "ci_high", "p"]].to_numpy()).all()
        assert (others.odds_ratio > 0).all()
    r = cohort.odds_ratio(t, "etiology", "central", "peripheral", adjust=["age"])
    assert r["separated"] and r["odds_ratio"] == 0.0 and math.isnan(r["ci_low"]) and math.isnan(r["p"])


def test_an_estimable_fit_is_not_called_separated_even_unconverged():
    """Controls: a responder in each cell converges unseparated; stopping an ordinary fit after
    one Newton step leaves it unconverged, not separated."""
    t = _quasi_separated()
    t.loc[t.index[t.etiology == "central"][:5], "relief"] = 0.5
    r = cohort.odds_ratio(t, "etiology", "central", "peripheral", adjust=["age"])
    assert not r["separated"] and 0 < r["odds_ratio"] < math.inf and r["ci_low"] > 0
    y = (t.relief >= 0.3).to_numpy(float)
    X = np.column_stack([np.ones(len(t)), (t.etiology == "central").to_numpy(float), t.age])
    early = cohort.logistic_regression(y, X, max_iter=1)
    assert not early.attrs["converged"] and not early.attrs["separated"]
    assert np.isfinite(early.odds_ratio).all()


# 4. groups without an evaluable patient -----------------------------------------------------

def _unevaluable_strokes():
    t = pd.DataFrame({"etiology": ["peripheral"] * 6 + ["central"] * 4,
                      "stroke_type": ["none"] * 6 + ["ischemic", "ischemic", "hemorrhagic", "none"],
                      "relief": [0.1, 0.4, 0.0, 0.35, 0.2, 0.6, np.nan, np.nan, np.nan, 0.5]})
    return t.assign(responder_30=t.relief >= 0.3, responder_50=t.relief >= 0.5)


def test_statistics_of_groups_without_an_evaluable_patient_are_nan_not_an_error():
    """Was: ParameterError 'y' shape (0,) from statistics(), to_dataset() and run_cohort_file()."""
    t = _unevaluable_strokes()
    r = cohort.odds_ratio(t, "stroke_type", "ischemic", "hemorrhagic")
    assert r["n"] == 0 and r["separated"] and r["table_2x2"] == (0, 0, 0, 0) and r["unevaluable"] == 3
    assert all(math.isnan(r[k]) for k in ("odds_ratio", "ci_low", "ci_high", "p"))
    adjusted = cohort.odds_ratio(t.assign(age=1.0 + np.arange(10)), "stroke_type", "ischemic", "hemorrhagic",
                                 adjust=["age"])
    assert adjusted["n"] == 0 and math.isnan(adjusted["odds_ratio"])
    s = cohort.statistics(t)
    assert math.isnan(s["comparison"].loc["or_ischemic_vs_hemorrhagic", "simulated"])
    ds = cohort.to_dataset(t)
    assert json.loads(ds.attrs["odds_ratios"])["or_ischemic_vs_hemorrhagic"]["n"] == 0
    # control: the evaluable groups keep their estimate
    assert s["or_central_vs_peripheral"]["n"] == 7 and s["comparison"].loc["responder_rate_30", "simulated"] > 0


def test_a_cohort_file_whose_patients_are_all_unevaluable_ends_with_statistics(monkeypatch):
    def fake(models, protocol, seeds, kw):  # no baseline pain: relief NaN for everyone
        return [_course(relief=math.nan, baseline=0.0) for _ in models]

    monkeypatch.setattr(RUN, "course_task", fake)
    ds = cohort.run_cohort_file("rtms_cohort", n_patients=6, workers=1)
    ors = json.loads(ds.attrs["odds_ratios"])
    assert all(v is None or v["n"] == 0 for v in ors.values()) and ds.sizes["patient"] == 6
    # control: with relief the same file gives counted groups
    monkeypatch.setattr(RUN, "course_task", lambda models, protocol, seeds, kw: [_course() for _ in models])
    ors = json.loads(cohort.run_cohort_file("rtms_cohort", n_patients=6, workers=1).attrs["odds_ratios"])
    assert ors["or_central_vs_peripheral"]["n"] == 6


# 5. the seeds simulated are the seeds recorded ----------------------------------------------

def test_the_seed_column_holds_the_seeds_simulated(fake_courses):
    """Was: run(table, p, seeds=[11, 12, 13, 14]) simulated them but kept the table's seeds."""
    t = cohort.sample(4, seed=1)
    out = cohort.run(t, "rtms_m1_20hz", seeds=[11, 12, 13, 14], day=4.0)
    assert sum(fake_courses, []) == [11, 12, 13, 14] == out.seed.tolist()
    assert t.seed.tolist() != [11, 12, 13, 14]  # the caller's table is not changed
    fake_courses.clear()  # control: without seeds=... the table's own seeds, simulated and recorded
    out = cohort.run(t, "rtms_m1_20hz", day=4.0)
    assert sum(fake_courses, []) == t.seed.tolist() == out.seed.tolist()


# 6. the relief day counts by its value ------------------------------------------------------

def _old_fingerprints(models, seeds, protocol, day, opioid_tolerance=False):
    """patient_fingerprints before the fix (painsim up to 2026-12): the day written as it was given."""
    describe = getattr(protocol, "describe", None)
    prot = json.dumps(describe() if describe else str(protocol), sort_keys=True, default=str)
    extra = ["opioid_tolerance"] if opioid_tolerance else []
    return [hashlib.sha256(json.dumps([m.to_json(), int(s), prot, day, *extra], default=str).encode()).hexdigest()
            for m, s in zip(models, seeds)]


def test_a_day_fingerprints_by_its_value():
    base = cohort.load_cohort_spec("rtms_cohort")["model"]
    models, _ = cohort.patient_models(cohort.sample(2, seed=1), base)
    f = [cohort.patient_fingerprints(models, [1, 2], "p", d) for d in (4, 4.0, np.int64(4), np.float64(4))]
    assert f[0] == f[1] == f[2] == f[3]
    assert f[1] == _old_fingerprints(models, [1, 2], "p", 4.0)  # a float day keeps its old fingerprint
    for other in (4.5, 5, None):  # control: another day is another course
        assert cohort.patient_fingerprints(models, [1, 2], "p", other) != f[0]


@pytest.mark.parametrize("old", [False, True], ids=["new store", "store of the old code"])
def test_a_store_resumes_with_the_day_in_any_form(tmp_path, monkeypatch, fake_courses, old):
    """Was: a store made with day=4 refused day=4.0 and numpy.int64(4).  A store made by the old
    code with the whole day as an int (a file's relief_day = 4) is continued in its own form."""
    t = cohort.sample(5, seed=1)
    store = tmp_path / "store"
    new_fingerprints = RUN.patient_fingerprints
    if old:
        monkeypatch.setattr(RUN, "patient_fingerprints", _old_fingerprints)
    cohort.run(t.iloc[:3], "rtms_m1_20hz", day=4, store=store)
    monkeypatch.setattr(RUN, "patient_fingerprints", new_fingerprints)
    fake_courses.clear()
    for day in (4.0, np.int64(4), 4):
        out = cohort.run(t.iloc[:3], "rtms_m1_20hz", day=day, store=store, resume=True)
        assert fake_courses == [] and len(out) == 3
    cohort.run(t, "rtms_m1_20hz", day=4.0, store=store, resume=True)  # two more patients, then all stored
    assert sum(fake_courses, []) == t.seed.tolist()[3:]
    fake_courses.clear()
    cohort.run(t, "rtms_m1_20hz", day=np.int64(4), store=store, resume=True)
    assert fake_courses == []
    # control: another day is another cohort
    refused(lambda: cohort.run(t, "rtms_m1_20hz", day=5, store=store, resume=True), "store")


# 7. no two patients share a seed ------------------------------------------------------------

def test_patient_seeds_are_distinct_and_only_repeats_are_drawn_again():
    """Was: sample(2000, seed=0) gave two patients one seed (seed_state's 31-bit words repeat
    ~35 times more often than chance)."""
    n = 2000
    raw = seed_state(0, "patient_seeds", n)
    repeats = np.flatnonzero(pd.Series(raw).duplicated().to_numpy())
    assert repeats.size  # the case of the report
    seeds = cohort.sample(n, seed=0).seed.to_numpy()
    assert np.unique(seeds).size == n
    changed = np.flatnonzero(seeds != raw)
    assert set(changed) == set(repeats)  # only the later patient of a repeated seed draws again
    # control: a cohort that stops before the first repeat keeps every seed it always had
    first = repeats.min()
    assert (cohort.sample(int(first), seed=0).seed.to_numpy() == raw[:first]).all()
    assert (cohort.sample(int(first) + 1, seed=0).seed.to_numpy() == seeds[:first + 1]).all()


def test_a_patients_seed_does_not_depend_on_the_cohort_size(monkeypatch):
    """With a stream full of repeats: the earlier patient keeps its seed, a redraw that hits a later
    patient's seed makes that later one draw again, and every prefix is the longer cohort's."""
    words = np.array([5, 5, 7, 5, 9, 7, 9, 11], np.int64)
    monkeypatch.setattr(sampling, "seed_state", lambda seed, stream, n: words[:n].copy())

    def seeds(n, seed=3):
        return cohort.sample(n, seed=seed).seed.to_numpy()

    full = seeds(len(words))
    assert np.unique(full).size == len(words)
    assert full[0] == 5 and full[2] == 7 and full[4] == 9 and full[7] == 11  # first occurrences kept
    for n in range(1, len(words)):
        assert (seeds(n) == full[:n]).all()
    assert not (seeds(len(words), seed=4) == full).all()  # control: another seed, other redraws


# 8. what the sensitivity indices say --------------------------------------------------------

def test_sensitivity_says_its_indices_are_associations_not_causes():
    doc = " ".join(cohort.sensitivity.__doc__.split())
    assert "correlated with another" in doc and "not what drives it causally" in doc
    assert "Which patient attributes drive" not in doc  # the old claim, also in the module's docstring
    assert "drive an outcome" not in " ".join(sys.modules["painsim.cohort.statistics"].__doc__.split())
