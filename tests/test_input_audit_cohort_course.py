"""Bad input to the public API of painsim.cohort and painsim.course (an audit of how a researcher
misuses it) is refused by an error of painsim.errors that names the parameter, before any work.

Every refusal below used to be a bare Python error from deep inside (ValueError from ``int("a")``,
IndexError from an empty batch, ZeroDivisionError from ``n_chunks = 0``, "math domain error" from
a negative count), a silent acceptance of nonsense (``seed=1.5`` truncated to 1, ``days="30"`` read
as the days 3 and 0, a 95 % level given as ``95`` giving the interval [0, 1], a relief fitted as a
0/1 outcome, ``calibrate(n=0)`` scoring every evaluation as a failure and returning a "result"),
or a failure after work had started.  The expensive steps (the course's sessions, a cohort's
batches, the opioid-tolerance windows) are replaced by :class:`WorkStarted`: a refusal must come
before them, and each negative control reaches them with valid input.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import painsim as ps
from painsim import cohort, course
from painsim.course import consolidation
from painsim.course.consolidation import ConsolidationParams
from painsim.errors import ParameterError, SpecError, UnknownKeyError
from refusals import WorkStarted, refused

NAN, INF = float("nan"), float("inf")
MODEL = "neuropathic"


def _refused(call, error, name):
    """``call()`` raises ``error`` (a painsim error) naming ``name`` and saying what is allowed."""
    return refused(call, name, error, allowed=True)


# ---------------------------------------------------------------- course: run_course, run_course_batch, one_session
@pytest.mark.parametrize("kwargs, name", [
    (dict(seed=-1), "seed"), (dict(seed=1.5), "seed"), (dict(seed="a"), "seed"), (dict(seed=True), "seed"),
    (dict(seed=None), "seed"), (dict(seed=NAN), "seed"),
    (dict(follow_up_days=("30",)), "follow_up_days"), (dict(follow_up_days=(True,)), "follow_up_days"),
    (dict(follow_up_days="30 days"), "follow_up_days"), (dict(follow_up_days=(-1,)), "follow_up_days"),
    (dict(thresholds=("0.3",)), "thresholds"), (dict(thresholds=(30, 50)), "thresholds"),
    (dict(thresholds=(True,)), "thresholds"),
    (dict(days=(-1,)), "days"), (dict(days=(NAN,)), "days"), (dict(days=(INF,)), "days"), (dict(days="30"), "days"),
    (dict(days=("3",)), "days"), (dict(days=(True,)), "days"),
    (dict(batch_size=0), "batch_size"), (dict(batch_size=1.5), "batch_size"), (dict(batch_size=True), "batch_size"),
    (dict(batch_size="8"), "batch_size"),
    (dict(progress="no"), "progress"), (dict(progress=None), "progress"),
])
def test_run_course_refuses_bad_arguments_before_the_sessions(no_work, kwargs, name):
    """A seed that is not a whole number >= 0, a day or threshold that is a text, a boolean, negative or
    not finite (the text "30" is not the days 3 and 0), a batch size < 1 and a progress that is neither
    true/false nor callable are refused by name before the first session."""
    _refused(lambda: course.run_course(MODEL, "mpns", **kwargs), ParameterError, name)


# mpns: 15-min sessions on days 0, 2, 4, 7, ...; 0.005 d = 7.2 min, 0.0104 d = 15 min
@pytest.mark.parametrize("kwargs, name", [(dict(days=(0.005,)), "days"), (dict(follow_up_days=(2.005,)), "follow_up_days"),
                                          (dict(days=(7.01,)), "days")])
def test_a_test_day_inside_a_session_is_refused(no_work, kwargs, name):
    """A test 7 minutes into a 15-minute session would read the efficacies after the whole session
    (the course tests between sessions): refused by name before the first session."""
    _refused(lambda: course.run_course(MODEL, "mpns", **kwargs), ParameterError, name)


@pytest.mark.parametrize("kwargs", [dict(days=(2.0,)), dict(days=(0.011,)), dict(follow_up_days=(6.99,))])
def test_test_days_at_or_after_a_session_pass(no_work, kwargs):
    """Negative control: a test on a session's day (before it) or after its end (0.011 d > 15 min) passes."""
    with pytest.raises(WorkStarted):
        course.run_course(MODEL, "mpns", **kwargs)


@pytest.mark.parametrize("kwargs", [dict(), dict(seed=3.0, days=5), dict(days=range(0, 91, 7), batch_size=16.0),
                                    dict(follow_up_days=30, thresholds=(0.5,), progress=print),
                                    dict(seed=np.int64(2), follow_up_days=np.array([7.0, 30.0]), thresholds=())])
def test_valid_course_arguments_reach_the_sessions(no_work, kwargs):
    """Negative control: whole seeds (3.0, numpy), a single extra day, a range of days, a whole float batch
    size, a callable progress and no thresholds all pass the checks and reach the sessions."""
    with pytest.raises(WorkStarted):
        course.run_course(MODEL, "mpns", **kwargs)


@pytest.mark.parametrize("models, seeds, name", [
    ([], None, "models"), (MODEL, [], "seeds"), ([], [], "seeds"), (None, None, "models"),
    (MODEL, 3, "seeds"), (MODEL, "12", "seeds"), (MODEL, [1, -2], "seeds[1]"), (MODEL, ["a"], "seeds[0]"),
    (MODEL, [1.7], "seeds[0]"), (MODEL, [True], "seeds[0]"),
])
def test_a_course_batch_needs_patients_with_whole_seeds(no_work, models, seeds, name):
    """An empty batch (was an IndexError) and seeds that are not whole numbers >= 0 (a text was a bare
    ValueError, 1.7 was truncated to 1) are refused by name, the bad entry by its index."""
    _refused(lambda: course.run_course_batch(models, "mpns", seeds), ParameterError, name)


def test_a_course_batch_refuses_per_neuron_as_a_text(no_work):
    """``per_neuron="g_L"`` would be the set of its letters: refused by name."""
    _refused(lambda: course.run_course_batch(MODEL, "mpns", [1], per_neuron="g_L"), ParameterError, "per_neuron")


@pytest.mark.parametrize("seeds, kwargs, name", [([], {}, "seeds"), ([-1], {}, "seeds[0]"),
                                                 ([1], dict(batch_size=0), "batch_size")])
def test_one_session_checks_its_seeds_and_batch_size(seeds, kwargs, name):
    """One session refuses no seed (was an IndexError), a negative seed (was named ``requests[0].seed``) and
    a batch size < 1 (a sham accepted it silently)."""
    _refused(lambda: course.one_session(MODEL, "mpns_sham", seeds, **kwargs), ParameterError, name)


def test_one_session_of_a_sham_with_valid_seeds_returns_one_patient_per_seed():
    """Negative control: a sham session of two patients (no simulation) gives two unchanged patients."""
    patients = course.one_session(MODEL, "mpns_sham", [1, 2.0], batch_size=8)
    assert [p.seed for p in patients] == [1, 2]


# ---------------------------------------------------------------- course: session plan and consolidation
RTMS = ps.protocols.get("rtms_m1_20hz")


@pytest.mark.parametrize("args, name", [
    (("rtms_m1_20hz", 600.0, 1.0, 0.3, 3, False), "protocol"),
    ((RTMS, 600.0, 1.0, 0.3, 0, False), "n_chunks"), ((RTMS, 600.0, 1.0, 0.3, 1.5, False), "n_chunks"),
    ((RTMS, 600.0, 1.0, 0.3, True, False), "n_chunks"), ((RTMS, 600.0, 1.0, 0.3, -1, False), "n_chunks"),
    ((RTMS, 0.0, 1.0, 0.3, 3, False), "D"), ((RTMS, -10.0, 1.0, 0.3, 3, False), "D"),
    ((RTMS, NAN, 1.0, 0.3, 3, False), "D"), ((RTMS, "10 min", 1.0, 0.3, 3, False), "D"),
    ((RTMS, 600.0, 0.0, 0.3, 3, False), "L"), ((RTMS, 600.0, 0.0, 0.3, 3, True), "L"),
    ((RTMS, 600.0, NAN, 0.3, 3, False), "L"), ((RTMS, 600.0, 1.0, -0.1, 3, False), "lead"),
    ((RTMS, 600.0, 1.0, "0.3 s", 3, False), "lead"), ((RTMS, 600.0, 1.0, 0.3, 3, "no"), "full"),
])
def test_session_plan_refuses_impossible_arguments(args, name):
    """``n_chunks = 0`` and ``L = 0`` (were ZeroDivisionError), a negative or NaN duration (was a silent
    plan), texts (were TypeError) and a protocol name instead of a Protocol are refused by name."""
    _refused(lambda: course.session_plan(*args), ParameterError, name)


@pytest.mark.parametrize("n_chunks, full", [(3, False), (2.0, False), (1, True)])
def test_a_valid_session_plan_covers_the_session(n_chunks, full):
    """Negative control: the chunks of a valid plan cover the session's duration exactly."""
    D = RTMS.calendar.session_duration
    plan = course.session_plan(RTMS, D, 1.0, 0.3, n_chunks, full)
    assert sum(c.duration for c in plan) == pytest.approx(D)


@pytest.mark.parametrize("args, name", [
    (((1, 4), (1e-4, 1e-6), "a"), "consolidation.relapse"), (((1, 4), (1e-4, 1e-6), True), "consolidation.relapse"),
    (((1, 4), (1e-4, 1e-6), "1e-6 Hz"), "consolidation.relapse"),
    ((("a", 4), (1e-4, 1e-6), 0.0), "consolidation.capacity"),
    (((True, 4), (1e-4, 1e-6), 0.0), "consolidation.capacity"),
    (([[1, 4]], [[1e-4, 1e-6]], 0.0), "consolidation.capacity"),
])
def test_consolidation_params_refuse_texts_and_booleans(args, name):
    """A capacity or relapse given as a text (was a bare ValueError), a boolean (was read as 1) or a
    nested list (was a TypeError) is refused by name."""
    _refused(lambda: ConsolidationParams(*args), ParameterError, name)


CHAIN = ConsolidationParams((1.0, 4.0), (1e-4, 1e-6), 0.0)
STATE = dict(early=[0.1, 0.0], late=[0.0, 0.05], w_set=0.5, w_min=0.0, w_max=1.0, duration=3600.0, params=CHAIN)


@pytest.mark.parametrize("change, name", [
    (dict(duration="1 h"), "duration"), (dict(duration="3600"), "duration"), (dict(duration=True), "duration"),
    (dict(duration=None), "duration"), (dict(duration=-1.0), "duration"),
    (dict(w_set=2.0), "w_set"), (dict(w_set=NAN), "w_set"), (dict(w_set="a"), "w_set"),
    (dict(w_set=[0.5, 0.5, 0.5]), "w_set"), (dict(w_min=1.0, w_max=0.0), "w_max"),
    (dict(w_min=NAN), "w_min"), (dict(w_max=NAN), "w_max"),
    (dict(early=["a", 0.0]), "early"), (dict(params=None), "params"), (dict(params={"capacity": (1, 4)}), "params"),
])
@pytest.mark.parametrize("function", [course.consolidate, course.consolidate_reference])
def test_consolidate_refuses_a_bad_state(function, change, name):
    """A duration that is a text (``"3600"`` was read as seconds) or a boolean, a set point outside its
    bounds or NaN (were silently consolidated), reversed or NaN bounds, texts and a ``params`` that is
    not a ConsolidationParams (was an AttributeError) are refused by name."""
    kw = {**STATE, **change}
    _refused(lambda: function(**kw), ParameterError, name)


@pytest.mark.parametrize("function", [course.consolidate, course.consolidate_reference])
def test_consolidating_for_no_time_keeps_a_valid_state(function):
    """Negative control: a valid state passes the checks, and 0 s of consolidation leaves it as it is."""
    early, late = function(**{**STATE, "duration": 0})
    np.testing.assert_allclose(early, STATE["early"], atol=1e-12)
    np.testing.assert_allclose(late, STATE["late"], atol=1e-12)


def test_split_levels_refuses_a_single_level():
    """A chain of one level (was an IndexError) is refused by name."""
    _refused(lambda: consolidation.split_levels([0.1, 0.2]), ParameterError, "levels")


@pytest.mark.parametrize("results", ["abc", None, 3, [1, 2]])
def test_per_patient_refuses_what_is_not_a_course_result(results):
    """A text (was split into its letters), None or numbers are refused by name."""
    _refused(lambda: course.per_patient(results), ParameterError, "results")


# ---------------------------------------------------------------- course files
@pytest.mark.parametrize("kwargs, name", [(dict(seed=-1), "seed"), (dict(seed="a"), "seed"), (dict(seed=1.5), "seed"),
                                          (dict(seed=True), "seed"), (dict(progress="no"), "progress")])
def test_run_course_file_checks_its_arguments_before_running(no_work, kwargs, name):
    """The seed argument (``int("a")`` was a bare ValueError, 1.5 truncated) and progress are refused by
    name before any arm runs."""
    _refused(lambda: course.run_course_file("mpns_course", **kwargs), ParameterError, name)


def test_run_course_file_with_valid_arguments_reaches_the_sessions(no_work):
    """Negative control: a valid seed and number of patients reach the active arm's sessions."""
    with pytest.raises(WorkStarted):
        course.run_course_file("mpns_course", seed=2, n_patients=1)


@pytest.mark.parametrize("key, value", [("follow_up_days", [-1]), ("follow_up_days", [NAN]), ("days", [-3]),
                                        ("days", [INF]), ("thresholds", [30]), ("thresholds", [0])])
def test_course_file_days_and_thresholds_are_checked_by_their_key(key, value):
    """A negative or non-finite day and a threshold outside (0, 1] of a course file are refused, named by
    the file's key (extra test days were not checked at all: day -3 was tested)."""
    spec = {"experiment": {"kind": "course", "protocol": "mpns", key: value}}
    _refused(lambda: course.check_course_keys(spec), ParameterError, f"experiment.{key}")


def test_a_valid_course_file_passes_its_checks():
    """Negative control: valid days and thresholds pass."""
    course.check_course_keys({"experiment": {"kind": "course", "protocol": "mpns", "follow_up_days": [30, 90],
                                             "days": [0, 7.5], "thresholds": [0.3, 0.5]}})


# ---------------------------------------------------------------- cohort: sample and patients
@pytest.mark.parametrize("seed", [-1, 1.5, "a", True, None, NAN])
def test_sample_refuses_a_seed_that_is_not_a_whole_number(seed):
    """``sample(seed=1.5)`` was the cohort of seed 1, a negative seed numpy's bare ValueError."""
    _refused(lambda: cohort.sample(3, seed=seed), ParameterError, "seed")


def test_a_whole_seed_of_any_type_draws_the_same_cohort():
    """Negative control: seeds 5, 5.0 and numpy's 5 pass the check and draw the same patients."""
    a = cohort.sample(4, seed=5)
    for seed in (5.0, np.int64(5)):
        pd.testing.assert_frame_equal(cohort.sample(4, seed=seed), a)


@pytest.mark.parametrize("value", ["high", INF, True])
def test_patient_overrides_refuse_an_attribute_that_is_not_a_finite_number(value):
    """A text (was a bare ValueError), an infinity or a boolean (were written into the model) is
    refused, named by the attribute."""
    row = dict(cohort.sample(1, seed=1).iloc[0])
    row["disinhibition"] = value
    _refused(lambda: cohort.patient_overrides(row), ParameterError, "disinhibition")


@pytest.mark.parametrize("row, mapping, name", [(None, None, "row"), ([1, 2], None, "row"), ({}, ["a"], "mapping")])
def test_patient_overrides_refuse_what_is_not_a_mapping(row, mapping, name):
    """A row or mapping that is not a mapping (was a TypeError or AttributeError) is refused by name."""
    _refused(lambda: cohort.patient_overrides(row, mapping=mapping), ParameterError, name)


def test_patient_overrides_of_a_sampled_patient_cover_the_mapped_paths():
    """Negative control: a sampled patient passes, NaN attributes left out, each value a number or a quantity."""
    row = cohort.sample(1, seed=1).iloc[0].copy()
    row["thalamic_lesion"] = np.nan
    out, skipped = cohort.patient_overrides(row)
    assert not skipped and cohort.PATIENT_TO_MODEL["thalamic_lesion"] not in out
    assert cohort.PATIENT_TO_MODEL["disinhibition"] in out


@pytest.mark.parametrize("table, base, name", [([1, 2], "model", "table"), ("empty", "model", "table"),
                                               ("table", "pain_pathway", "base")])
def test_patient_models_need_a_table_of_patients_and_a_model(table, base, name):
    """A list (was an AttributeError), an empty table (was an empty cohort) or a model name instead of a
    Model are refused by name."""
    model, sampled = ps.load_model("pain_pathway"), cohort.sample(2, seed=1)
    table = {"empty": sampled.iloc[:0], "table": sampled}.get(table, table) if isinstance(table, str) else table
    _refused(lambda: cohort.patient_models(table, model if base == "model" else base), ParameterError, name)


# ---------------------------------------------------------------- cohort: run
def _with(table, column, value):
    out = table.copy()
    out[column] = value
    return out


@pytest.mark.parametrize("make, kwargs, name", [
    (lambda t: [1, 2], {}, "table"), (lambda t: t.iloc[:0], {}, "table"),
    (None, dict(day=-1), "day"), (None, dict(day="4"), "day"), (None, dict(day=True), "day"),
    (None, dict(day=NAN), "day"), (None, dict(day=[4]), "day"),
    (None, dict(seeds=[-1, 1]), "seeds[0]"), (None, dict(seeds=["a", 1]), "seeds[0]"),
    (None, dict(seeds=[1.5, 2]), "seeds[0]"), (None, dict(seeds=5), "seeds"),
    (lambda t: _with(t, "seed", -1), {}, "seed[0]"),
    (None, dict(strict="no"), "strict"), (None, dict(progress="no"), "progress"),
    (None, dict(return_datasets="no"), "return_datasets"), (None, dict(resume="no"), "resume"),
    (None, dict(resume=True), "resume"), (None, dict(protocol=3), "protocol"),
    (lambda t: _with(t, "disinhibition", "x"), {}, "disinhibition"),
])
def test_cohort_run_refuses_bad_arguments_before_any_course(no_work, make, kwargs, name):
    """A table that is not a DataFrame of patients, a relief day that is negative, a text or a boolean
    (``"four"`` was a bare ValueError, ``"4"`` accepted), seeds that are not whole numbers >= 0 (were
    truncated, or refused inside a batch as ``requests[0].seed``), flags given as texts ("no" counted as
    true), resume without a store and a protocol that is no protocol (refused only inside each batch)
    are refused by name before any course."""
    table = cohort.sample(2, seed=1)
    table = make(table) if make else table
    kwargs = {"protocol": "rtms_m1_20hz", **kwargs}
    _refused(lambda: cohort.run(table, kwargs.pop("protocol"), **kwargs), ParameterError, name)


@pytest.mark.parametrize("protocol, error, name", [
    ({"bas": "rtms_m1_20hz"}, UnknownKeyError, "bas"),
    ({"base": "rtms_m1_20hz", "days": [-1]}, ps.errors.CalendarError, "protocol.days"),
    (None, ParameterError, "protocol"),
])
def test_cohort_run_checks_a_protocol_table_before_any_course(no_work, protocol, error, name):
    """A ``[protocol]`` table with a misspelt key or an impossible day, or None, was passed on unchecked
    and refused only inside each batch (a worker process): now before any course."""
    _refused(lambda: cohort.run(cohort.sample(2, seed=1), protocol), error, name)


@pytest.mark.parametrize("kwargs", [dict(), dict(day=4), dict(day=4.5, seeds=[3, 4.0], strict=False, progress=False),
                                    dict(protocol={"base": "rtms_m1_20hz"})])
def test_cohort_run_with_valid_arguments_reaches_the_courses(no_work, kwargs):
    """Negative control: a sampled table with valid options reaches the courses."""
    kwargs = {"protocol": "rtms_m1_20hz", **kwargs}
    with pytest.raises(WorkStarted):
        cohort.run(cohort.sample(2, seed=1), kwargs.pop("protocol"), **kwargs)


# ---------------------------------------------------------------- cohort: statistics
@pytest.mark.parametrize("args, name", [
    ((3, -1), "n"), ((3, 10.5), "n"), ((3, NAN), "n"), ((0, -5), "n"), ((2.5, 10), "k"), ((True, 10), "k"),
    (("3", 10), "k"), ((11, 10), "k"), ((3, 10, 95), "level"), ((3, 10, 0), "level"), ((3, 10, 1), "level"),
    ((3, 10, NAN), "level"), ((3, 10, "0.95"), "level"),
])
def test_wilson_interval_refuses_bad_counts_and_levels(args, name):
    """A level of 95 (for 95 %) was the interval [0, 1], fractional or boolean counts were used as they
    were, a negative ``n`` was blamed on ``k``: all refused by name."""
    _refused(lambda: cohort.wilson_interval(*args), ParameterError, name)


def test_wilson_interval_takes_whole_counts_of_any_type():
    """Negative control: 3 of 10 as ints, floats or numpy integers is the same interval inside [0, 1]."""
    lo, hi = cohort.wilson_interval(3, 10)
    assert 0 <= lo < 0.3 < hi <= 1
    assert cohort.wilson_interval(3.0, np.int64(10), 0.95) == (lo, hi)


TABLE = pd.DataFrame({"relief": [0.1, 0.4, 0.6, -0.2, 0.35, 0.05],
                      "etiology": ["central", "peripheral", "central", "peripheral", "central", "peripheral"],
                      "stroke_type": ["ischemic", "none", "hemorrhagic", "none", "ischemic", "none"],
                      "age": [50.0, 61.0, 45.0, 70.0, 58.0, 66.0]})


@pytest.mark.parametrize("call, name", [
    (lambda: cohort.responder_flags(TABLE, NAN), "threshold"),
    (lambda: cohort.responder_flags(TABLE, "0.3"), "threshold"),
    (lambda: cohort.responder_flags(TABLE, None), "threshold"),
    (lambda: cohort.responder_flags([0.1, 0.5], 0.3), "table"),
    (lambda: cohort.responder_rates(TABLE, ()), "thresholds"),
    (lambda: cohort.responder_rates(TABLE, 0.3), "thresholds"),
    (lambda: cohort.responder_rates(TABLE, (NAN,)), "threshold"),
    (lambda: cohort.responder_rates(TABLE, level=95), "level"),
    (lambda: cohort.relief_summary([1, 2]), "table"),
    (lambda: cohort.statistics([1]), "table"),
    (lambda: cohort.format_estimate(0.5, 0.1, 0.9, digits=-1), "digits"),
    (lambda: cohort.format_estimate(0.5, 0.1, 0.9, digits=2.5), "digits"),
    (lambda: cohort.format_estimate(0.5, digits=True), "digits"),
])
def test_responder_statistics_refuse_bad_thresholds_levels_and_tables(call, name):
    """A NaN, text or missing threshold (bare ValueError/TypeError), an empty or single threshold list
    (a KeyError, a TypeError), a 95 % level given as 95 (silently [0, 1]), a table that is a list and a
    negative or fractional number of digits are refused by name."""
    _refused(call, ParameterError, name)


Y = np.array([0, 1, 0, 1, 1, 0.0])
X = np.column_stack([np.ones(6), [0, 1, 1, 0, 1, 0]])


@pytest.mark.parametrize("kwargs, name", [
    (dict(y=np.array([0.1, 0.4, 0.6, -0.2, 0.3, 0.2])), "y"), (dict(y=np.array([0, 1, NAN, 1, 1, 0])), "y"),
    (dict(y=np.array(["a"] * 6)), "y"), (dict(y=Y[:, None]), "y"), (dict(y=np.array([]), X=np.zeros((0, 2))), "y"),
    (dict(X=np.column_stack([np.ones(6), [0, 1, NAN, 0, 1, 0]])), "X"), (dict(names=["a"]), "names"),
    (dict(names="ab"), "names"), (dict(level=95), "level"), (dict(max_iter=0), "max_iter"),
    (dict(max_iter=2.5), "max_iter"), (dict(tol=NAN), "tol"),
])
def test_logistic_regression_refuses_what_is_not_a_binary_outcome_model(kwargs, name):
    """A relief as the outcome (was fitted as if it were 0/1), NaN outcomes or covariates (were an all-NaN
    fit), a level of 95 (NaN intervals), zero iterations (an unfitted "result") and mismatched names (a
    pandas ValueError) are refused by name."""
    kw = {"y": Y, "X": X, **kwargs}
    _refused(lambda: cohort.logistic_regression(**kw), ParameterError, name)


def test_logistic_regression_of_a_binary_outcome_fits():
    """Negative control: 0/1 outcomes (booleans too) pass and give finite coefficients."""
    fit = cohort.logistic_regression(Y.astype(bool), X, names=["intercept", "x"], level=0.9, max_iter=50)
    assert np.isfinite(fit["coef"]).all() and list(fit.index) == ["intercept", "x"]


@pytest.mark.parametrize("args, name", [((-1, 4, 5, 6), "a"), ((3, 4, 5, NAN), "d"), ((3.5, 4, 5, 6), "a"),
                                        (("3", 4, 5, 6), "a"), ((True, 4, 5, 6), "a"), ((3, 4, 5, INF), "d"),
                                        ((3, 4, 5, 6, 95), "level")])
def test_odds_ratio_2x2_refuses_what_is_not_a_count(args, name):
    """A negative count (was "math domain error"), NaN or infinite counts (NaN or infinite "estimates"),
    texts and booleans (were converted) and a level of 95 are refused by name."""
    _refused(lambda: cohort.odds_ratio_2x2(*args), ParameterError, name)


def test_odds_ratio_2x2_of_whole_counts_is_the_cross_product_ratio():
    """Negative control: whole counts (floats too) give (a d) / (b c)."""
    assert cohort.odds_ratio_2x2(3, 4.0, 5, 6)["odds_ratio"] == pytest.approx(3 * 6 / (4 * 5))


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(outcome=None), ParameterError, "outcome"), (dict(outcome="responder_xx"), UnknownKeyError, "responder_xx"),
    (dict(outcome="relief"), ParameterError, "outcome"), (dict(ci=95), ParameterError, "ci"),
    (dict(reference="central"), ParameterError, "reference"), (dict(adjust="age"), ParameterError, "adjust"),
    (dict(adjust=["stroke_type"]), ParameterError, "adjust"), (dict(threshold=30), ParameterError, "threshold"),
])
def test_odds_ratio_refuses_bad_outcomes_levels_and_covariates(kwargs, error, name):
    """An outcome that is None or ``responder_xx`` (AttributeError, ValueError) or a relief (fitted as a
    yes/no), a 95 % level given as 95 (NaN interval), a group compared with itself (NaN), a text as the
    list of covariates (its letters were looked up) and a text covariate are refused by name."""
    kw = {"by": "etiology", "level": "central", "reference": "peripheral", **kwargs}
    _refused(lambda: cohort.odds_ratio(TABLE, **kw), error, name)


def test_odds_ratio_with_valid_arguments_reports_its_table():
    """Negative control: the computed 30 % responder outcome, adjusted for a numeric column, passes."""
    r = cohort.odds_ratio(TABLE, "etiology", "central", "peripheral", adjust=["age"], ci=0.9)
    assert r["n"] == 6 and sum(r["table_2x2"]) == 6


def test_statistics_refuse_an_unknown_outcome():
    """An unknown outcome was caught as a missing group: both odds ratios silently None."""
    _refused(lambda: cohort.statistics(TABLE, outcome="responder"), UnknownKeyError, "responder")


def test_statistics_of_a_valid_table_give_the_odds_ratios():
    """Negative control: the default outcome passes and gives the central-vs-peripheral odds ratio."""
    out = cohort.statistics(TABLE)
    assert out["or_central_vs_peripheral"] is not None and out["or_central_vs_peripheral"]["n"] == 6


@pytest.mark.parametrize("kwargs, name", [(dict(attributes=[]), "attributes"), (dict(attributes="age"), "attributes"),
                                          (dict(attributes=["age"], seed=-1), "seed"),
                                          (dict(attributes=["stroke_type"]), "attributes")])
def test_sensitivity_refuses_no_attributes_and_bad_seeds(kwargs, name):
    """No attribute (a numpy ValueError), a text as the list of attributes, a negative seed (numpy's bare
    error) and a text column are refused by name before SALib runs."""
    _refused(lambda: cohort.sensitivity(TABLE, **kwargs), ParameterError, name)


# ---------------------------------------------------------------- cohort: calibrate
class Surrogate:
    """A cheap ``simulate``: every patient relieved by 30 %; counts its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, table):
        self.calls += 1
        return table.assign(relief=0.3)


CALIBRATE = dict(targets={"responder_rate_30": 0.4}, parameters={"descending_integrity.peripheral.mean": (0.05, 0.98)},
                 n=8, maxiter=2)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(n=0), ParameterError, "n"), (dict(n=2.5), ParameterError, "n"), (dict(n="10"), ParameterError, "n"),
    (dict(seed=-1), ParameterError, "seed"), (dict(seed=1.5), ParameterError, "seed"),
    (dict(targets={"responder_rate_30": 42}), ParameterError, "targets.responder_rate_30"),
    (dict(targets={"responder_rate_30": "0.4"}), ParameterError, "targets.responder_rate_30"),
    (dict(targets={"or_central_vs_peripheral": 0}), ParameterError, "targets.or_central_vs_peripheral"),
    (dict(targets={"mean_relief": INF}), ParameterError, "targets.mean_relief"),
    (dict(targets={}), SpecError, "targets"), (dict(targets=[0.4]), ParameterError, "targets"),
    (dict(weights={"responder_rate30": 2}), UnknownKeyError, "responder_rate30"),
    (dict(weights={"responder_rate_30": -1}), ParameterError, "weights.responder_rate_30"),
    (dict(weights={"responder_rate_30": "2"}), ParameterError, "weights.responder_rate_30"),
    (dict(parameters={"descending_integrity.peripheral.mean": 0.5}), SpecError,
     "parameters.descending_integrity.peripheral.mean"),
    (dict(parameters={"descending_integrity.peripheral.mean": (0.1, 0.5, 0.9)}), SpecError,
     "parameters.descending_integrity.peripheral.mean"),
    (dict(parameters={"descending_integrity.peripheral.mean": ("a", "b")}), ParameterError,
     "parameters.descending_integrity.peripheral.mean"),
    (dict(method="Nelder_Mead"), ParameterError, "method"), (dict(method="BFGS"), ParameterError, "method"),
    (dict(maxiter=0), ParameterError, "maxiter"), (dict(maxiter=True), ParameterError, "maxiter"),
])
def test_calibrate_refuses_bad_arguments_before_the_first_simulation(kwargs, error, name):
    """``n = 0`` (every draw refused and scored 1e6: a constant objective and a "result"), a responder
    rate of 42 (for 42 %), a text target or weight (a TypeError after the first simulation), a misspelt
    weight (silently unused), bounds that are not a pair, an unknown or unbounded method and zero
    iterations are refused by name, and ``simulate`` is never called."""
    simulate = Surrogate()
    _refused(lambda: cohort.calibrate(simulate, **{**CALIBRATE, **kwargs}), error, name)
    assert simulate.calls == 0


@pytest.mark.parametrize("simulate", [None, "run"])
def test_calibrate_needs_a_callable_simulate(simulate):
    """A ``simulate`` that cannot be called was a bare TypeError at the first evaluation."""
    _refused(lambda: cohort.calibrate(simulate, **CALIBRATE), ParameterError, "simulate")


def test_calibrate_with_valid_arguments_simulates():
    """Negative control: valid arguments pass the checks and the surrogate is evaluated (a weight of a
    statistic not fitted is refused: tests/test_cohort_qst_bug_hunt.py)."""
    simulate = Surrogate()
    res = cohort.calibrate(simulate, **CALIBRATE, seed=2.0, weights={"responder_rate_30": 2}, method="nelder-mead")
    assert simulate.calls >= 1 and math.isfinite(res.loss)


# ---------------------------------------------------------------- cohort files
@pytest.mark.parametrize("kwargs, name", [(dict(seed=-1), "seed"), (dict(seed="a"), "seed"), (dict(seed=1.5), "seed"),
                                          (dict(seed=NAN), "seed"), (dict(progress="no"), "progress"),
                                          (dict(resume="no"), "resume")])
def test_run_cohort_file_checks_its_arguments_before_any_course(no_work, kwargs, name):
    """The seed argument (``int("a")``, numpy's error for -1, 1.5 truncated) and the flags (a text counted
    as true and printed the progress line) are refused by name before any course."""
    _refused(lambda: cohort.run_cohort_file("rtms_cohort", n_patients=2, **kwargs), ParameterError, name)


def test_run_cohort_file_with_valid_arguments_reaches_the_courses(no_work):
    """Negative control: a valid seed and size reach the courses."""
    with pytest.raises(WorkStarted):
        cohort.run_cohort_file("rtms_cohort", n_patients=2, seed=3, workers=1)


@pytest.mark.parametrize("day", [INF, NAN, "4"])
def test_a_cohort_file_relief_day_must_be_a_finite_day(day):
    """An infinite relief day was accepted by the file check and refused later, inside each batch, as
    ``follow_up_days``."""
    spec = {"experiment": {"kind": "cohort", "protocol": "rtms_m1_20hz", "relief_day": day}}
    _refused(lambda: cohort.load_cohort_spec(spec), ParameterError, "experiment.relief_day")
