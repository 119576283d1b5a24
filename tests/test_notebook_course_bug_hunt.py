"""Findings of a student's pass through notebooks 05-08 (2026-12-07, a ninth session)."""
import painsim as ps
from refusals import refused


def test_run_course_names_its_model_argument_when_the_model_receives_no_stimulus(no_work):
    """An rTMS course on a model without cortex was refused naming ``models`` (run_course_batch's
    argument), not the ``model`` the caller gave; run_course_batch keeps its own name."""
    prot = ps.protocols.get("rtms_m1_20hz").with_calendar([0], end_day=None)
    e = refused(lambda: ps.run_course(ps.load_model("neuropathic"), prot, seed=1), "model")
    assert "'models'" not in str(e)
    refused(lambda: ps.run_course_batch([ps.load_model("neuropathic")], prot, [1]), "models")
