"""QST files and timed stimuli of conditions files that a bug hunt found accepted silently, refused late
under an internal name, or recorded wrongly (2026-12-07).

Each test asserts the property with its negative control where one makes sense.  No test simulates:
the QST runs below replace :func:`painsim.simulate_batch` and the wind-up trains with synthetic
ratings (a rating per test window from its label), so the QST arithmetic runs as it does on a real
result.

1. a heat ramp cut by the run's end before both its peak and its ``stop`` (``stop = "100 s"`` in a
   0.5-s run) was accepted and silently cut at the run's end; refused naming ``condition[k].heat_ramp`` (heterotopic
   tables too), while a ramp stopped within the run or held at its peak past its end is accepted;
2. the heat pain threshold was read over ``heat_temperatures`` merged with ``heat_suprathreshold``: it
   changed with the suprathreshold temperature, and was censored at it when it was the hottest;
3. a QST result did not record the seed it ran with (an override left ``experiment_spec``'s seed only);
4. a QST seed with ``seed + n_subjects - 1 >= 2**32`` passed the file check and failed in the
   simulation as ``requests[k].seed``;
5. ``run_qst(spec, seed=-1)`` raised a bare numpy error; 2.7 ran as 2 and "3" as 3;
6. heat contacts or a ramp that start after the run passed the file check and were refused later as
   ``requests[k].noxious.start``;
7. ``threshold_criterion`` >= 10 passed: no rating on the 0-10 NRS can exceed it;
8. the ``pinprick`` measure's long name said "8-512 mN" whatever forces were tested.
"""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim.files import qst as qst_file
from painsim.files.validate import check_conditions
from painsim.rng import SEED_LIMIT
from refusals import WorkStarted, refused, start_work


# ------------------------------------------------------------------ 1, 6: timed stimuli of a conditions file
def _conditions(condition: dict, duration: str = "0.5 s", model: str = "gate_control") -> dict:
    return {"experiment": {"name": "hunt", "kind": "conditions", "model": model, "duration": duration},
            "condition": [condition]}


@pytest.mark.parametrize("ramp", [
    {"peak": 47.0, "rate": 1.0, "stop": "100 s"},      # peak at 15 s, stop at 100 s: the run's end cuts it at 32.5 °C
    {"peak": 47.0, "rate": 1.0, "stop": "0.6 s"},      # a stop just after the run's end
    {"peak": 47.0, "rate": 1.0},                       # no stop (refused before too)
])
def test_a_ramp_cut_by_the_runs_end_before_its_peak_and_stop_is_refused(tmp_path, ramp):
    err = refused(lambda: check_conditions(_conditions({"heat_ramp": ramp}), tmp_path / "x.toml"),
                  "condition[0].heat_ramp", allowed=True)
    assert "0.5 s" in err.allowed


@pytest.mark.parametrize("ramp, duration", [
    ({"peak": 50.0, "rate": 1.0, "stop": "0.4 s"}, "0.5 s"),   # stopped within the run, before its peak (the
                                                                # subject stops the thermode): documented use
    ({"peak": 47.0, "rate": 100.0, "stop": "100 s"}, "0.5 s"),  # peak at 0.15 s, held past the run's end
    ({"peak": 47.0, "rate": 100.0}, "0.5 s"),
])
def test_a_ramp_ended_by_its_stop_or_peak_within_the_run_is_accepted(tmp_path, ramp, duration):
    check_conditions(_conditions({"heat_ramp": ramp}, duration), tmp_path / "x.toml")


def test_a_heterotopic_ramp_cut_by_the_runs_end_is_refused_naming_its_table(tmp_path):
    cut = {"heat": 47.0, "heterotopic": {"site": 0, "heat_ramp": {"peak": 47.0, "rate": 1.0, "stop": "100 s"}}}
    refused(lambda: check_conditions(_conditions(cut, model="healthy"), tmp_path / "x.toml"),
            "condition[0].heterotopic.heat_ramp", allowed=True)
    listed = {"heat": 47.0, "heterotopic": [{"site": 1, "heat": 50.0},
                                            {"site": 0, "heat_ramp": {"peak": 47.0, "rate": 1.0, "stop": "100 s"}}]}
    refused(lambda: check_conditions(_conditions(listed, model="healthy"), tmp_path / "x.toml"),
            "condition[0].heterotopic[1].heat_ramp", allowed=True)
    stopped = {"heat": 47.0, "heterotopic": {"site": 0, "heat_ramp": {"peak": 47.0, "rate": 1.0, "stop": "0.3 s"}}}
    check_conditions(_conditions(stopped, model="healthy"), tmp_path / "x.toml")   # the negative control


@pytest.mark.parametrize("key, table", [
    ("heat_contacts", {"celsius": 47.0, "n_contacts": 1, "contact": "0.7 s", "start": "5 s"}),
    ("heat_contacts", {"celsius": 47.0, "n_contacts": 1, "contact": "0.1 s", "start": "0.5 s"}),  # at the end
    ("heat_ramp", {"peak": 47.0, "rate": 100.0, "start": "5 s", "stop": "6 s"}),
])
def test_a_timed_stimulus_that_starts_after_the_run_is_refused_at_load(tmp_path, key, table):
    err = refused(lambda: check_conditions(_conditions({key: table}), tmp_path / "x.toml"),
                  f"condition[0].{key}.start", allowed=True)
    assert "requests" not in str(err)
    remote = {"heat": 47.0, "heterotopic": {"site": 0, key: table}}
    refused(lambda: check_conditions(_conditions(remote, model="healthy"), tmp_path / "x.toml"),
            f"condition[0].heterotopic.{key}.start")


def test_a_contact_that_starts_within_the_run_is_accepted(tmp_path):
    one = {"celsius": 47.0, "n_contacts": 1, "contact": "0.7 s", "start": "0.2 s"}   # outlasts the run: cut, as a step
    check_conditions(_conditions({"heat_contacts": one}), tmp_path / "x.toml")


def test_a_file_with_a_late_contact_is_refused_by_load_experiment(tmp_path):
    path = tmp_path / "late.toml"
    path.write_text('[experiment]\nname = "late"\nmodel = "gate_control"\nduration = "0.5 s"\n[[condition]]\n'
                    'heat_contacts = {celsius = 47.0, n_contacts = 1, contact = "0.7 s", start = "5 s"}\n')
    refused(lambda: ps.files.load_experiment(path), "condition[0].heat_contacts.start")


# ------------------------------------------------------------------ 2: the heat pain threshold
def _synthetic_ratings(temps, forces, supra):
    """{(model, 0, test, level): NRS} of one subject: evoked heat pain max(0, T - 45.5), no rest pain."""
    out = {("m", 0, "rest", 0.0): 0.0, ("m", 0, "brush", 0.0): 0.0}
    for t in sorted(set(temps) | {supra}):
        out[("m", 0, "heat", t)] = max(0.0, t - 45.5)
    for f in forces:
        out[("m", 0, "pinprick", f)] = 0.0
    return out


TEMPS = [38.0, 40.0, 42.0, 44.0, 46.0, 48.0, 50.0]


def _per(temps, supra, criterion=0.1):
    c = {"n_subjects": 1, "heat_temperatures": temps, "heat_suprathreshold": supra, "pinprick_forces": [8.0, 32.0],
         "threshold_criterion": criterion}
    return qst_file._per_subject(c, ["m"], _synthetic_ratings(temps, [8.0, 32.0], supra), {("m", 0): 1.0})


def test_the_heat_pain_threshold_does_not_depend_on_the_suprathreshold_temperature():
    # 0.1 NRS is crossed between 44 °C (0) and 46 °C (0.5): 44 + 2 * 0.1 / 0.5 = 44.4 °C
    hpt = {supra: float(_per(TEMPS, supra)["heat_pain_threshold"].item()) for supra in (45.0, 47.0, 52.0)}
    assert hpt == pytest.approx({45.0: 44.4, 47.0: 44.4, 52.0: 44.4})   # 45 °C (rated 0) moved it to 45.2
    for supra in (45.0, 47.0, 52.0):   # the suprathreshold rating is still its own measure
        per = _per(TEMPS, supra)
        assert float(per["heat"].item()) == pytest.approx(max(0.0, supra - 45.5))
        assert list(per["temperature"].values) == TEMPS          # the series' coordinate: heat_temperatures
        assert per["heat_curve"].sizes["temperature"] == len(TEMPS)


def test_a_never_painful_series_is_censored_at_the_hottest_heat_temperature():
    # criterion 5 NRS: 50 °C evokes 4.5, never above; 52 °C (6.5) is not a level of the series
    for supra in (45.0, 47.0, 52.0):
        assert float(_per(TEMPS, supra, criterion=5.0)["heat_pain_threshold"].item()) == 50.0
    # the negative control: a suprathreshold temperature listed in heat_temperatures stays a level
    hotter = TEMPS + [52.0]
    per = _per(hotter, 52.0, criterion=5.0)
    assert float(per["heat_pain_threshold"].item()) == pytest.approx(50.0 + 2 * (5.0 - 4.5) / 2.0)
    assert list(per["temperature"].values) == hotter


# ------------------------------------------------------------------ QST runs on synthetic ratings
QST = """
[experiment]
name = "qst_stimulus_hunt"
kind = "qst"
models = ["healthy", "peripheral_neuropathic"]
reference = "healthy"
n_subjects = 2
seed = 1
duration = "0.8 s"
heat_temperatures = [42.0, 44.0, 46.0, 48.0]
heat_suprathreshold = 47.0
pinprick_forces = [8.0, 256.0]
windup_pulses = 3
"""


def _qst_path(tmp_path, old: str = "", new: str = ""):
    assert old in QST
    path = tmp_path / "qst_stimulus_hunt.toml"
    path.write_text(QST.replace(old, new, 1))
    return path


class _Seeds(list):
    """The seeds of the requests simulated; ``labels``: the heat temperatures simulated."""

    def __init__(self):
        super().__init__()
        self.labels = set()


@pytest.fixture
def synthetic(monkeypatch):
    """``simulate_batch`` and the wind-up trains of painsim.files.qst replaced: each window's pain from its
    label (heat: max(0, T - 45.5)); returns the seeds of the requests simulated."""
    seeds = _Seeds()

    def batch(requests, duration, batch_size=32):
        out = []
        for r in requests:
            seeds.append(r.seed)
            if r.label.startswith("heat "):
                seeds.labels.add(float(r.label[5:]))
            kind, _, level = r.label.partition(" ")
            pain = max(0.0, float(level) - 45.5) if kind == "heat" else 0.0
            out.append(xr.Dataset({"pain": ((), pain)}))
        return out

    monkeypatch.setattr(qst_file, "simulate_batch", batch)
    monkeypatch.setattr(qst_file, "_windup", lambda c, smodels, seed: {k: 1.0 for k in smodels})
    return seeds


def test_a_qst_result_records_the_seed_it_ran_with(tmp_path, synthetic):
    spec = ps.files.load_experiment(_qst_path(tmp_path))
    ds = ps.run_experiment(spec, seed=5)
    assert ds.attrs["seed"] == 5                         # the override (the file says 1)
    assert set(synthetic) == {5, 6}                      # subject s ran with seed + s
    synthetic.clear()
    assert ps.run_experiment(spec).attrs["seed"] == 1    # the negative control: the file's seed
    assert set(synthetic) == {1, 2}


def test_a_qst_run_reads_the_threshold_over_heat_temperatures(tmp_path, synthetic):
    path = _qst_path(tmp_path, "heat_suprathreshold = 47.0", "heat_suprathreshold = 45.0")
    ds = ps.run_experiment(ps.files.load_experiment(path))
    assert list(ds["temperature"].values) == [42.0, 44.0, 46.0, 48.0]       # 45 °C not in the series
    # 0.1 is crossed between 44 (0) and 46 °C (0.5): 44.4 °C (45 °C merged in, rated 0, made it 45.2)
    assert np.allclose(ds["heat_pain_threshold_subject"].values, 44.4)
    assert np.allclose(ds["nrs"].sel(test="heat").values, 0.0)               # 45 - 45.5, floored at 0
    assert 45.0 in synthetic.labels                                          # still simulated, its own window


def test_a_qst_seed_whose_last_subject_passes_2_to_the_32_is_refused_at_load(tmp_path):
    path = _qst_path(tmp_path, "seed = 1", f"seed = {SEED_LIMIT - 1}")      # n_subjects = 2: seeds seed, seed + 1
    err = refused(lambda: ps.files.load_experiment(path), "experiment.seed", allowed=True)
    assert str(SEED_LIMIT - 2) in err.allowed


def test_the_largest_qst_seed_its_subjects_allow_is_accepted(tmp_path):
    ps.files.load_experiment(_qst_path(tmp_path, "seed = 1", f"seed = {SEED_LIMIT - 2}"))


@pytest.mark.parametrize("seed", [-1, 2.7, "3", True, SEED_LIMIT - 1])
def test_a_bad_qst_seed_override_is_refused_naming_seed(tmp_path, monkeypatch, seed):
    spec = ps.files.load_experiment(_qst_path(tmp_path))
    monkeypatch.setattr(qst_file, "simulate_batch", start_work)
    refused(lambda: qst_file.run_qst(spec, seed=seed), "seed", allowed=True)
    refused(lambda: ps.run_experiment(spec, seed=seed), "seed", allowed=True)
    refused(lambda: qst_file.subject_parameters(spec["experiment"], seed), "seed", allowed=True)


def test_a_good_qst_seed_override_reaches_the_simulation(tmp_path, monkeypatch):
    spec = ps.files.load_experiment(_qst_path(tmp_path))
    monkeypatch.setattr(qst_file, "simulate_batch", start_work)
    for seed in (0, 3, SEED_LIMIT - 2):
        with pytest.raises(WorkStarted):
            qst_file.run_qst(spec, seed=seed)


@pytest.mark.parametrize("value", [10.0, 11.0, 10])
def test_a_threshold_criterion_no_nrs_rating_can_exceed_is_refused(tmp_path, value):
    path = _qst_path(tmp_path, "windup_pulses = 3", f"windup_pulses = 3\nthreshold_criterion = {value}")
    refused(lambda: ps.files.load_experiment(path), "experiment.threshold_criterion", allowed=True)


def test_a_threshold_criterion_below_10_is_accepted(tmp_path):
    ps.files.load_experiment(_qst_path(tmp_path, "windup_pulses = 3", "windup_pulses = 3\nthreshold_criterion = 9.9"))


# ------------------------------------------------------------------ 8: the pinprick measure's name
def test_the_pinprick_measure_names_the_forces_tested(tmp_path, synthetic):
    ds = ps.run_experiment(ps.files.load_experiment(_qst_path(tmp_path)))
    name = ds["pinprick_subject"].attrs["long_name"]
    assert "8, 256 mN" in name and "8-512" not in name, name
    summary = ps.analysis.qst_summary(xr.Dataset(
        {m[0]: (("model", "subject"), [[1.0, 2.0], [1.0, 2.0]]) for m in ps.analysis.QST_MEASURES},
        coords={"model": ["a", "b"], "force": [16.0, 64.0]}), "a")
    assert "16, 64 mN" in summary["pinprick_mean"].attrs["long_name"]
    # the negative control: without forces the name says none, and the other measures keep theirs
    assert "mN" not in ps.analysis.qst_long_name("pinprick")
    assert ps.analysis.qst_long_name("brush", [8.0]) == dict((m[0], m[4]) for m in ps.analysis.QST_MEASURES)["brush"]
