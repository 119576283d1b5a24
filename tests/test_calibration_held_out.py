"""Calibration only on declared targets, the rest held out (a review of 2026-12-07).

* ``cohort.calibrate`` fitted the published responder rate of the rTMS cohort, the registry's
  held-out row ``rtms_responders``, without a word, and its result did not say which published
  figures it had fitted: it now warns, naming the row, and records ``fitted_targets`` and
  ``held_out`` (JSON-able with the result, ``to_dict``).  The cohort layer may not import the
  registry (painsim.validation lies above it), so the cohort's one copy of the published figures
  (``PUBLISHED``) names each row and its status, and the first tests here hold it to the registry.
* ``validation.compare`` counted a target calibrated in the baseline and a prediction in this run
  among the predictions; a status change now redefines the target and is counted apart.
* the declared procedures' targets (``GATE_TARGET``, ``ALLODYNIA_TARGET``) are their registry
  rows' published figures.

Stand-in simulations only (a relief computed from the drawn attributes): no network is run.
"""
import json
import math
import warnings

import numpy as np
import pytest

from painsim import cohort, validation
from painsim.cohort import calibration as cohort_calibration
from painsim.cohort.statistics import PUBLISHED
from painsim.validation import get, TARGETS
from painsim.validation.prevalence import ALLODYNIA_TARGET
from painsim.validation.run import _dataset
from painsim.validation.spinal_calibration import GATE_TARGET
from painsim.validation.verdict import Target

#: What the registry's rows of the rTMS cohort cite (Thomas et al. 2025 Eur J Pain 29:e4763).
COHORT_SOURCE = "e4763"
MEAN = "descending_integrity.peripheral.mean"
FIT = dict(parameters={MEAN: (0.05, 0.98)}, preset="peripheral", n=50, maxiter=3)


def _relief(table):
    """A stand-in simulation: relief grows with descending integrity (no network)."""
    return table.assign(relief=table["descending_integrity"].values * 0.6)


# ---------------------------------------------------------------- the cohort's figures and the registry
def test_each_published_cohort_figure_names_its_registry_row_with_the_same_value_and_status():
    """PUBLISHED is the cohort layer's copy; the registry (a higher layer) holds the same figure in
    the named row, with the status PUBLISHED records (which decides calibrate's warning)."""
    named = {}
    for statistic, pub in PUBLISHED.items():
        if pub["row"] is None:
            assert pub["status"] is None, statistic  # no row: no registry status to mirror
            continue
        row = get(pub["row"])
        assert row.published == pub["value"], (statistic, row.published, pub["value"])
        assert row.status == pub["status"], (statistic, row.status, pub["status"])
        named[pub["row"]] = statistic
    # every registry row of that source is named by a cohort statistic (none escapes the record),
    # but the resting-pain rows, which cite the cohort's baseline pain among other trials' (a figure
    # calibrate has no statistic for: TARGET_STATISTICS are outcomes of the trial)
    of_source = {t.name for t in TARGETS if COHORT_SOURCE in t.source and not t.name.startswith("ongoing_pain")}
    assert of_source and of_source <= set(named), of_source - set(named)
    assert named["rtms_responders"] == "responder_rate_30"


def test_the_declared_procedures_targets_are_their_rows_published_figures():
    """The gate and allodynia calibrations keep their declared target as a constant (the registry
    imports the modules that hold them); both are their rows' published figures, and both rows say
    they are calibrated (the procedures fit them)."""
    for value, name in ((GATE_TARGET, "gate_on_c_heat"), (ALLODYNIA_TARGET, "allodynia_prevalence_cohort")):
        row = get(name)
        assert value == row.published, (name, value, row.published)
        assert row.status == "calibrated", name


# ---------------------------------------------------------------- calibrate: the warning and the record
def test_fitting_a_held_out_figure_warns_naming_its_row_and_records_it():
    with pytest.warns(UserWarning, match=r"'rtms_responders'.*no longer a held-out prediction"):
        res = cohort.calibrate(_relief, targets={"responder_rate_30": 0.42}, **FIT)
    assert res.fitted_targets == {"responder_rate_30": "rtms_responders"}
    # the published odds ratios were not fitted: they stay held out (no registry row of their own)
    assert res.held_out == {"or_central_vs_peripheral": None, "or_ischemic_vs_hemorrhagic": None}


def test_a_fit_of_no_published_figure_does_not_warn_and_holds_every_row_out():
    """Negative control: mean relief is published nowhere; the trial's row stays a prediction."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        res = cohort.calibrate(_relief, targets={"mean_relief": 0.3}, **FIT)
    assert res.fitted_targets == {"mean_relief": None}
    assert res.held_out["responder_rate_30"] == "rtms_responders"
    assert set(res.held_out) == set(PUBLISHED)


def test_the_default_targets_fit_every_published_figure_and_hold_none_out():
    with pytest.warns(UserWarning, match="rtms_responders"):
        res = cohort.calibrate(_relief, n=100, maxiter=2)  # the default preset has both OR groups
    assert set(res.fitted_targets) == set(PUBLISHED) and res.held_out == {}


def test_the_warning_follows_the_rows_status(monkeypatch):
    """Control on what drives the warning: a row recorded as calibrated (the registry moved it) is
    fitted without one, and still recorded as fitted."""
    calibrated = {**PUBLISHED["responder_rate_30"], "status": "calibrated"}
    monkeypatch.setitem(PUBLISHED, "responder_rate_30", calibrated)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted, held_out = cohort_calibration.registry_rows(["responder_rate_30"])
    assert fitted == {"responder_rate_30": "rtms_responders"} and "responder_rate_30" not in held_out


def test_the_result_is_saved_as_json_with_its_record():
    with pytest.warns(UserWarning):
        res = cohort.calibrate(_relief, targets={"responder_rate_30": 0.42}, **FIT)
    saved = json.loads(json.dumps(res.to_dict()))
    assert saved["fitted_targets"] == {"responder_rate_30": "rtms_responders"}
    assert saved["held_out"] == {"or_central_vs_peripheral": None, "or_ischemic_vs_hemorrhagic": None}
    assert COHORT_SOURCE in saved["source"]
    assert saved["fitted"].keys() == res.fitted.keys()
    assert math.isclose(saved["fitted"][MEAN], res.fitted[MEAN]) and saved["loss"] == res.loss
    assert "distributions" not in saved  # objects; the fitted parameters are in "fitted"


# ---------------------------------------------------------------- compare: a status change
def _target(status):
    return Target("ranged", "stand-in ranged", 1.0, 0.5, 1.5, "1", "none", status, "fast", lambda seed: 0.0)


def _run(status, value):
    return _dataset([_target(status)], np.array([value]), np.ones(1), seed=1)


def test_a_status_change_is_a_redefinition_counted_apart():
    """Was: calibrated in the baseline, a prediction in this run, and the move toward the figure was
    counted as 'predictions: 1 closer' (evidence) though the baseline's agreement was a check."""
    cmp = validation.compare(_run("calibrated", 2.0), _run("prediction", 1.2))
    assert str(cmp["closer"].values[0]) == "yes"  # closer it is; what it is evidence of changed
    assert bool(cmp["redefined"].values[0]) and bool(cmp["status_changed"].values[0])
    assert str(cmp["status_baseline"].values[0]) == "calibrated"
    rows = validation.comparison_rows(cmp)
    assert rows[2].startswith("| ranged † |") and rows[2].endswith("| yes | calibrated → prediction |")
    assert any(r.startswith("predictions: 0 closer") for r in rows)
    assert any(r.startswith("calibrated targets: 0 closer") for r in rows)
    assert "status changed since the baseline (counted in neither): ranged (calibrated → prediction)" in rows


def test_the_same_status_is_counted_under_it():
    """Negative control: the same status in both runs is no redefinition and counts as before."""
    cmp = validation.compare(_run("prediction", 2.0), _run("prediction", 1.2))
    assert not bool(cmp["redefined"].values[0]) and not bool(cmp["status_changed"].values[0])
    rows = validation.comparison_rows(cmp)
    assert any(r.startswith("predictions: 1 closer") for r in rows)
    assert not any(r.startswith("status changed") for r in rows)
