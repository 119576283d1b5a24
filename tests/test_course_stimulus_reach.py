"""A course whose stimulus no layer of the model receives is refused before any work, by every
entry point (the course files already were): an rTMS or theta-burst course on a model without
cortex ran sessions that acted on nothing and reported relief NaN."""
from __future__ import annotations

import pytest

import painsim as ps
from painsim.cohort import run as run_cohort
from painsim.cohort.sampling import sample
from painsim.course import engine
from refusals import WorkStarted, refused, start_work

TMS = ["rtms_m1_20hz", "itbs"]


@pytest.mark.parametrize("protocol", TMS)
def test_a_tms_course_on_a_spinal_model_is_refused(protocol, no_work):
    err = refused(lambda: ps.run_course("gate_control", protocol, seed=1), "model")  # run_course names its own argument
    assert "pain_pathway" in str(err)  # the error says which model would receive it
    refused(lambda: ps.run_course_batch(["gate_control"] * 2, protocol, [1, 2]), "models")


@pytest.mark.parametrize("protocol", TMS)
def test_one_session_of_tms_on_a_spinal_model_is_refused(protocol, monkeypatch):
    monkeypatch.setattr(engine, "run_session", start_work)
    refused(lambda: engine.one_session("gate_control", protocol, [1]), "models")
    with pytest.raises(WorkStarted):  # negative control: the model with a cortex starts the session
        engine.one_session("pain_pathway", protocol, [1])


def test_a_tms_cohort_on_a_spinal_model_is_refused_by_the_api(no_work):
    table = sample(2, seed=1)
    refused(lambda: run_cohort(table, "rtms_m1_20hz", model="gate_control"), "model")
    with pytest.raises(WorkStarted):  # negative control: the pathway model receives rTMS
        run_cohort(table, "rtms_m1_20hz", model="pain_pathway")


@pytest.mark.parametrize("model, protocol", [("pain_pathway", "rtms_m1_20hz"), ("gate_control", "rtms_m1_20hz_sham"),
                                             ("gate_control", "scs_tonic"), ("pain_pathway", "scs_tonic")])
def test_courses_whose_stimulus_the_model_receives_start(model, protocol, no_work):
    """Negative controls: TMS on a model with cortex, a TMS sham (no stimulus) on a spinal model,
    and spinal stimulation on either model all reach the sessions."""
    with pytest.raises(WorkStarted):
        ps.run_course(model, protocol, seed=1)
