"""The validation registry's labels say honestly which agreements are evidence.

A target is ``"calibrated"`` when a model parameter was fitted or chosen with it in view
(painsim.validation.targets): its note must name that parameter, as a dotted path of the
reference model (``painsim.load_model("gate_control").leaves``, or a section of it) or one of
the few documented parameters outside the model files
(:data:`painsim.validation.verdict.NON_MODEL_PARAMETERS`).  A ``"prediction"`` whose note says
it was fitted to its own row is mislabelled; one whose range was written after the model's value
was seen must carry ``range_after_measurement`` (and the documentation must list it).  Later
virtual trials, calibrated on some rows and validated on others, rely on these labels.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import painsim
from painsim.errors import ParameterError
from painsim.validation import targets as T
from painsim.validation.verdict import NON_MODEL_PARAMETERS, Target

ROOT = Path(__file__).resolve().parent.parent
#: A dotted name (``dorsal_horn.synapse.c_gain``, ``medial.readout.acc_rate_*``); file names are cut below.
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+\*?")
#: Phrases that claim a fit to the row itself; a prediction's note must not make them (unless negated).
FIT_CLAIMS = ("fitted to this row", "fitted to this target", "calibrated on this", "calibrated to this",
              "chosen with this row in view", "chosen with this target in view", "tuned to this", "set by this row")
_NEGATIONS = re.compile(r"\b(not|no|none|never|nothing)\b")
#: Phrases saying a row is not a blind prediction: a prediction may carry them only when its range was
#: written after the measurement (then the flag says so); otherwise the row is calibrated.
NOT_BLIND = ("this row motivated", "not a blind prediction", "not blind")
#: Phrases saying a range or reading was written after the model's value was seen.
POST_HOC = ("written after the measurement", "after a first look")


def _model():
    """Leaves and sections of the reference model (loaded once per test run)."""
    leaves = set(painsim.load_model("gate_control").leaves)
    sections = {".".join(k.split(".")[:n]) for k in leaves for n in range(1, k.count(".") + 1)}
    return leaves, sections


LEAVES, SECTIONS = _model()
TOP = {k.split(".")[0] for k in LEAVES}


def named_parameters(note: str) -> tuple[list[str], list[str]]:
    """(the model or documented parameters a note names, the model-looking names that do not exist).

    A name counts as model-looking when its first part is a top-level section of the model
    (``dorsal_horn``, ``readout``, ...); a name ending in ``*`` matches any leaf it starts; a
    section (``dorsal_horn.field``) exists but is not a parameter, so it is neither."""
    found, missing = [], []
    for name in _DOTTED.findall(note):
        if name.endswith((".md", ".py", ".toml", ".nc")):
            continue
        if name in NON_MODEL_PARAMETERS:
            found.append(name)
        elif name.split(".")[0] in TOP and name not in SECTIONS:  # a section exists but names no parameter
            hit = any(k.startswith(name[:-1]) for k in LEAVES) if name.endswith("*") else name in LEAVES
            (found if hit else missing).append(name)
    return found, missing


def fit_claims(note: str) -> list[str]:
    """The phrases of :data:`FIT_CLAIMS` in ``note`` not preceded by a negation in their clause."""
    text = note.lower()
    claims = []
    for phrase in FIT_CLAIMS:
        for m in re.finditer(re.escape(phrase), text):
            before = re.split(r"[;,.:()]", text[max(0, m.start() - 40):m.start()])[-1]  # the same clause
            if not _NEGATIONS.search(before):
                claims.append(phrase)
    return claims


@pytest.mark.parametrize("t", [t for t in T.TARGETS if t.status == "calibrated"], ids=lambda t: t.name)
def test_a_calibrated_target_names_an_existing_parameter(t):
    """The note of a calibrated row names at least one parameter that exists, and no
    model-looking path that does not (a renamed parameter would leave a stale label)."""
    found, missing = named_parameters(t.note)
    assert found, f"{t.name}: its note names no model parameter path (or NON_MODEL_PARAMETERS entry)"
    assert not missing, f"{t.name}: its note names parameters the model does not have: {missing}"


@pytest.mark.parametrize("t", T.TARGETS, ids=lambda t: t.name)
def test_no_note_names_a_parameter_the_model_lacks(t):
    """Every row (predictions too) names only parameters that exist, so a note stays true
    when the model is refactored."""
    assert not named_parameters(t.note)[1], t.name


@pytest.mark.parametrize("t", [t for t in T.TARGETS if t.status == "prediction"], ids=lambda t: t.name)
def test_a_prediction_does_not_say_it_was_fitted_to_its_row(t):
    assert not fit_claims(t.note), f"{t.name} is a prediction, its note says: {fit_claims(t.note)}"


@pytest.mark.parametrize("t", [t for t in T.TARGETS if t.status == "prediction"], ids=lambda t: t.name)
def test_a_prediction_that_is_not_blind_says_why(t):
    """A prediction whose note says it is not blind (a parameter re-derived because the row missed,
    as remote_touch_inhibition's was until 2026-12-07) must be relabelled calibrated, unless only its
    range came after the measurement (``range_after_measurement``)."""
    said = [p for p in NOT_BLIND if p in t.note.lower()]
    assert not said or t.range_after_measurement, f"{t.name}: a prediction whose note says {said}"


@pytest.mark.parametrize("t", T.TARGETS, ids=lambda t: t.name)
def test_a_range_written_after_the_measurement_is_flagged(t):
    """Source or note saying the range came after the model's value <=> the flag, and the
    flag stays on predictions' notes in words."""
    said = any(p in (t.source + " " + t.note) for p in POST_HOC)
    assert said == t.range_after_measurement, t.name
    assert not t.range_after_measurement or "range_after_measurement" in t.note, t.name


def test_the_documentation_lists_the_post_hoc_ranges():
    """README.md and docs/validation.md name every flagged row (and only those) in the first
    sentence of their paragraph 'Ranges written after the measurement'."""
    flagged = sorted(t.name for t in T.TARGETS if t.range_after_measurement)
    assert flagged, "the registry flags no row: this test would check nothing"
    for path in ("README.md", "docs/validation.md"):
        text = (ROOT / path).read_text(encoding="utf-8")
        start = text.find("\nRanges written after the measurement")
        sentence = text[start:].split("\n\n")[0].split(".  ")[0] if start >= 0 else ""
        assert sorted(re.findall(r"`([a-z0-9_]+)`", sentence)) == flagged, path


def test_the_checks_refuse_mislabelled_rows():
    """Negative controls: a calibrated note naming no parameter, or a path the model lacks, and a
    prediction claiming a fit to its row are caught; a negated claim is not."""
    assert named_parameters("chosen by hand with this row in view")[0] == []
    assert named_parameters("dorsal_horn.synapse.no_such_gain was fitted")[1] == ["dorsal_horn.synapse.no_such_gain"]
    assert named_parameters("see docs/circuits.md and painsim.validation.calibration") == ([], [])
    assert named_parameters("medial.readout.acc_rate_* anchors")[0] == ["medial.readout.acc_rate_*"]
    assert named_parameters("dorsal_horn.field was built for it") == ([], [])
    assert fit_claims("dorsal_horn.x was fitted to this row") == ["fitted to this row"]
    assert fit_claims("no parameter was calibrated on this row") == []
    assert fit_claims("not held out; the gain was fitted to this row") == ["fitted to this row"]
    # remote_touch_inhibition's note while it was labelled a prediction (until 2026-12-07)
    old = ("dorsal_column.monoaminergic_weight, set by the MA rate under SCS over every site, not by this row; "
           "this row motivated that re-derivation, so it is not a blind prediction")
    assert fit_claims(old) == [] and [p for p in NOT_BLIND if p in old] == ["this row motivated",
                                                                               "not a blind prediction"]


def test_the_flag_needs_a_range_or_a_direction():
    kw = dict(name="x", what="x", published=float("nan"), low=None, high=None, units="1", source="s",
              status="prediction", cost="fast", measure=lambda s: 0.0)
    with pytest.raises(ParameterError, match="range_after_measurement"):
        Target(**kw, range_after_measurement=True)
    Target(**kw, direction=1, range_after_measurement=True)
