"""Refusals of QST files, cohort statistics, cohort stores and calibration that a review found late,
raw or silent (2026-12-07), and the cohort figure's responder label.

Each test asserts the property with its negative control where one makes sense: the refused input is
refused by name (before any work, where it was refused after the work or not at all), and the valid
input next to it still works.  No test simulates.

* a QST file's pinprick forces must be > 0 mN (the threshold is read in log force), refused at load;
  a bad temperature, force or velocity of the file is named by its key, not the stimulus argument;
* cohort sensitivity (RBD-FAST) of fewer patients than the method needs (every index read 1 for
  3-21 patients, a division by zero at 20 and 40), and of an outcome no patient has a number in;
* a cohort ``store`` that is a file, lies under one, or is not a path (bare OS / type errors);
* resuming a cohort store with fewer patients than it holds ("patient 2 differs: another table ...");
* calibration weights of a statistic that is not a target (dropped silently), or all 0 (a loss of 0);
* the cohort comparison figure's responder axis says the definition the responders are counted by.
"""
from __future__ import annotations

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

import painsim as ps  # noqa: E402
from painsim import cohort, plots  # noqa: E402
from painsim.cohort.files import to_dataset  # noqa: E402
from painsim.sensitivity import RBD_FAST_MIN_SAMPLES, salib_indices  # noqa: E402
from refusals import WorkStarted, refused, start_work  # noqa: E402

# ------------------------------------------------------------------ 3. QST file: stimulus lists
QST = """
[experiment]
name = "qst_hunt"
kind = "qst"
models = ["healthy", "peripheral_neuropathic"]
reference = "healthy"
n_subjects = 2
duration = "0.8 s"
heat_temperatures = [42.0, 46.0, 50.0]
heat_suprathreshold = 47.0
pinprick_forces = [8.0, 256.0]
windup_pulses = 3
"""


def _qst_file(tmp_path, old: str = "", new: str = ""):
    """The small QST file above with ``old`` replaced by ``new``, written to ``tmp_path``."""
    assert old in QST
    path = tmp_path / "qst_hunt.toml"
    path.write_text(QST.replace(old, new, 1))
    return path


def test_qst_file_refuses_a_pinprick_force_of_zero_at_load(tmp_path):
    """A force of 0 mN has no logarithm, and the mechanical pain threshold is interpolated in log
    force: the file check refuses it naming the key (it passed, and every simulation ran before
    ``levels > 0`` was refused); the same file with forces > 0 loads (the negative control)."""
    load = ps.files.load_experiment
    err = refused(lambda: load(_qst_file(tmp_path, "[8.0, 256.0]", "[0.0, 256.0]")),
                  "experiment.pinprick_forces", allowed=True)
    assert "> 0 mN" in str(err)
    refused(lambda: load(_qst_file(tmp_path, "[8.0, 256.0]", "[-8.0, 8.0]")), "experiment.pinprick_forces")
    assert load(_qst_file(tmp_path))["experiment"]["pinprick_forces"] == [8.0, 256.0]


@pytest.mark.parametrize("old, new, key", [
    ("[42.0, 46.0, 50.0]", "[30.0, 46.0]", "experiment.heat_temperatures"),     # below the skin baseline
    ("[8.0, 256.0]", "[8.0, 5000.0]", "experiment.pinprick_forces"),             # above 4096 mN
    ("heat_suprathreshold = 47.0", "heat_suprathreshold = 70.0", "experiment.heat_suprathreshold"),
    ("duration", 'brush_velocity = "5 m/s"\nduration', "experiment.brush_velocity"),
])
def test_qst_file_names_its_key_for_a_stimulus_the_encoding_refuses(tmp_path, old, new, key):
    """The sibling values of the forces, refused at load already, name the file's key and the value
    (they named the stimulus function's argument, ``celsius``, ``force_mN``, ``velocity``)."""
    refused(lambda: ps.files.load_experiment(_qst_file(tmp_path, old, new)), key, allowed=True)


# ------------------------------------------------------------------ 4. cohort sensitivity: too few patients
ATTRS = ["descending_integrity", "stimulation_threshold", "afferent_threshold"]


def _cohort(n: int):
    """``n`` patients whose relief is driven by their descending integrity (plus a little noise)."""
    t = cohort.sample(n, preset="rtms_real_world", seed=3)
    t["relief"] = 0.5 * t["descending_integrity"] + np.random.default_rng(0).normal(0, 0.01, n)
    return t


@pytest.mark.parametrize("n", [3, 10, 20, 40, RBD_FAST_MIN_SAMPLES - 1])
def test_cohort_sensitivity_refuses_too_few_patients_for_rbd_fast(n):
    """3-21 patients gave S1 = 1 for every attribute (nonsense), 20 and 40 a refusal "more
    patients" without the number: each is refused naming the table and the minimum."""
    pytest.importorskip("SALib")
    err = refused(lambda: cohort.sensitivity(_cohort(n), attributes=ATTRS), "table", allowed=True)
    assert f"{n} patients" in str(err) and str(RBD_FAST_MIN_SAMPLES) in str(err)


def test_cohort_sensitivity_at_the_minimum_estimates_indices():
    """Negative control: at the minimum the indices are estimated, not 1 for all: the attribute that
    drives relief ranks first and another is far below it (1 - S1 of the driver is only noise)."""
    pytest.importorskip("SALib")
    s = cohort.sensitivity(_cohort(RBD_FAST_MIN_SAMPLES), attributes=ATTRS)
    assert s.index[0] == "descending_integrity"
    assert s["S1"].min() < 0.5 and np.isfinite(s["S1_conf"]).all() and (s["S1_conf"] > 0).all()


def test_salib_indices_refuse_too_few_points_for_rbd_fast():
    """The shared layer (sweeps) refuses 30 points naming the minimum (SALib gave indices from a
    bootstrap with a negative bias correction); 44 points are estimated (the negative control)."""
    pytest.importorskip("SALib")
    X = np.random.default_rng(1).uniform(size=(RBD_FAST_MIN_SAMPLES, 2))
    Y = X[:, 0] + 0.1 * X[:, 1]
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    err = refused(lambda: salib_indices("rbd_fast", problem, X[:30], Y[:30], 1), "Y")
    assert "30 points" in str(err) and str(RBD_FAST_MIN_SAMPLES) in str(err)
    assert salib_indices("rbd_fast", problem, X, Y, 1)["S1"].idxmax() == "a"


@pytest.mark.parametrize("method", ["rbd_fast", "delta"])
def test_cohort_sensitivity_refuses_an_outcome_no_patient_has(method):
    """An outcome NaN for every patient (a cohort whose patients had no baseline pain) raised
    numpy's "zero-size array": refused naming ``outcome``, for either method."""
    pytest.importorskip("SALib")
    t = _cohort(RBD_FAST_MIN_SAMPLES).assign(relief=np.nan)
    err = refused(lambda: cohort.sensitivity(t, attributes=ATTRS, method=method), "outcome", allowed=True)
    assert "relief" in str(err)


# ------------------------------------------------------------------ 8. cohort store: a file
RUN = sys.modules["painsim.cohort.run"]


@pytest.mark.parametrize("where", ["afile", "afile/sub"])
def test_a_cohort_store_that_is_a_file_is_refused_by_name(tmp_path, where):
    """A store that is a file (or lies under one) raised FileExistsError / NotADirectoryError from
    creating its folder: refused naming ``store``, saying which path is a file, not a folder."""
    (tmp_path / "afile").write_text("not a folder")
    t = cohort.sample(2, seed=1)
    err = refused(lambda: cohort.run(t, "rtms_m1_20hz", store=tmp_path / where), "store", allowed=True)
    assert f"{tmp_path / 'afile'} is a file, not a folder" in str(err)
    refused(lambda: cohort.run(t, "rtms_m1_20hz", store=5), "store")  # a number: a bare TypeError


def test_a_new_cohort_store_folder_passes_the_checks(tmp_path, monkeypatch):
    """Negative control: a folder that does not exist yet (beside the file) reaches the courses."""
    (tmp_path / "afile").write_text("not a folder")
    monkeypatch.setattr(RUN, "course_task", start_work)
    with pytest.raises(WorkStarted):
        cohort.run(cohort.sample(2, seed=1), "rtms_m1_20hz", store=tmp_path / "new")


# ------------------------------------------------------------------ 6. resuming with fewer patients
@pytest.fixture
def fake_courses(monkeypatch):
    """course_task replaced by a stand-in (10 % relief on day 4); records the seeds of each batch."""
    calls = []

    def fake(models, protocol, seeds, kw):
        calls.append(list(seeds))
        return [xr.Dataset({"relief": (("day",), [0.0, 10.0], {"units": "%"}), "baseline_pain": 5.0},
                           coords={"day": [0.0, 4.0]}) for _ in models]

    monkeypatch.setattr(RUN, "course_task", fake)
    return calls


def test_resuming_with_fewer_patients_than_stored_says_so(tmp_path, fake_courses):
    """A store of 4 patients resumed with 2 said "patient 2 differs: another table, model, ...": it
    says the store holds 4 or more, more than 2 (--n-patients, the table's rows), and what to do.
    Controls: resuming with all 4 loads them (no course), with 5 runs only the fifth (a cohort's
    prefix is its own), and another cohort of 5 still "differs"."""
    t = cohort.sample(5, seed=1)
    store = tmp_path / "store"
    cohort.run(t.iloc[:4], "rtms_m1_20hz", day=4.0, store=store)
    err = refused(lambda: cohort.run(t.iloc[:2], "rtms_m1_20hz", day=4.0, store=store, resume=True), "store")
    assert "holds 4 patients or more" in str(err) and "more than 2 (--n-patients" in str(err)
    assert "resume with 4 or more" in str(err) and "differs" not in str(err)
    fake_courses.clear()
    assert len(cohort.run(t.iloc[:4], "rtms_m1_20hz", day=4.0, store=store, resume=True)) == 4
    assert fake_courses == []
    cohort.run(t, "rtms_m1_20hz", day=4.0, store=store, resume=True)
    assert sum(fake_courses, []) == [int(t.seed.iloc[4])]
    # another cohort of as many patients is still "another table, ..." (not a count)
    other = cohort.sample(5, seed=2)
    assert "differs" in str(refused(lambda: cohort.run(other, "rtms_m1_20hz", day=4.0, store=store, resume=True),
                                    "store"))


# ------------------------------------------------------------------ 10. calibration weights
class _Relief:
    """A cheap stand-in for a cohort simulation: relief = descending integrity - 0.1; counts calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, table):
        self.calls += 1
        return table.assign(relief=table["descending_integrity"] - 0.1)


FIT = dict(parameters={"descending_integrity.peripheral.mean": (0.1, 0.9)}, n=50, maxiter=3)


@pytest.mark.parametrize("targets, weights, why", [
    ({"mean_relief": 0.2}, {"responder_rate_30": 1.0}, "is not a target"),         # dropped without a word
    ({"mean_relief": 0.2}, {"mean_relief": 1.0, "responder_rate_30": 1.0}, "is not a target"),
    ({"mean_relief": 0.2}, {"mean_relief": 0.0}, "weight > 0"),                    # loss identically 0
    ({"mean_relief": 0.2, "responder_rate_30": 0.4}, {"mean_relief": 0, "responder_rate_30": 0}, "weight > 0"),
])
def test_calibrate_refuses_weights_that_fit_nothing(targets, weights, why):
    """A weight of a statistic that is not a target was dropped, and all-zero weights gave a loss of 0
    at every point (the fit stopped at its start, "successful"): refused naming ``weights`` before
    the first simulation."""
    sim = _Relief()
    err = refused(lambda: cohort.calibrate(sim, targets=targets, weights=weights, **FIT), "weights", allowed=True)
    assert why in str(err) and sim.calls == 0


def test_calibrate_takes_weights_of_its_targets():
    """Negative control: a weight of each target (one of them 0) passes and the loss is weighted:
    the reported weights are the given ones, and the loss is the weighted squared mismatch."""
    sim = _Relief()
    targets = {"mean_relief": 0.2, "responder_rate_30": 0.4}
    res = cohort.calibrate(sim, targets=targets, weights={"mean_relief": 2.0, "responder_rate_30": 0.0}, **FIT)
    assert sim.calls >= 1 and res.weights == {"mean_relief": 2.0, "responder_rate_30": 0.0}
    assert res.loss == pytest.approx(2.0 * res.mismatch["mean_relief"] ** 2)


# ------------------------------------------------------------------ 11. the responder axis
def test_the_comparison_figure_labels_responders_as_they_are_counted():
    """A patient with exactly 30 % relief counts as a responder (painsim.readouts.responders, >= the
    threshold, IMMPACT): the axis said "relief > 30 %"; it says ">= 30 %" (as the threshold line of
    the relief figure draws it), and the rate it plots counts that patient (the control: at 29 %
    the patient is not counted)."""
    def drawn(relief):
        ds = to_dataset(pd.DataFrame({"relief": relief, "baseline_pain": 6.0, "etiology": "peripheral",
                                      "stroke_type": "none"}))  # responders counted from the relief
        fig = plots.cohort_comparison_figure(ds)
        ylabel = fig.axes[0].get_ylabel()
        plt.close(fig)
        return ylabel, float(ds["responder_rate"].sel(threshold=0.3, group="all"))

    ylabel, rate = drawn([0.3, 0.1])
    assert "≥ 30 %" in ylabel and "> 30" not in ylabel
    assert rate == pytest.approx(0.5)                        # the 30 % patient is a responder
    assert drawn([0.29, 0.1])[1] == pytest.approx(0.0)       # control: below the threshold, not one
