"""Bug hunt: readout maps and validation inputs refused at load, by name, before any work.

1. Pain-map parameters whose spinothalamic anchor rates are 0 (or underflow) were accepted at load;
   every run failed after simulating, naming the readout's internal ``rates``.
2. Unpleasantness (``medial.readout.acc_rate_<k>``) and S1-map (``readout.map_excess_rate_<k>``)
   anchors that do not rise, or are 0, likewise; the runtime error named "the pain map's points".
3. ``painsim validate --seed 4294967295`` (and ``--seeds``) was taken, then failed partway at the
   first target whose circuits' seeds reached 2**32; course and tolerance files likewise with
   ``seed + n_patients - 1`` >= 2**32.
4. ``--compare`` against a ``validation.nc`` whose ``model`` holds text crashed after the whole run.
"""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim import validation
from painsim.cli import main
from painsim.errors import ParameterError, PathError
from painsim.experiment import load_experiment
from painsim.readouts import map_score, model_pain_score, unpleasantness_score
from painsim.rng import SEED_LIMIT
from painsim.validation import run as validation_run
from painsim.validation import targets as validation_targets
from painsim.validation.run import _dataset
from painsim.validation.targets import Target
from refusals import WorkStarted, edited_builtin, refused


@pytest.fixture(scope="module")
def gate():
    return ps.load_model("gate_control")


# --- 1. the intensity map's anchor rates ----------------------------------------------------------

@pytest.mark.parametrize("override, key", [
    ({"readout.stt_base_celsius": 44.0}, "readout.stt_base_celsius"),        # above 43 °C, rated 0 Hz
    ({"readout.heat_rating_1_celsius": 34.0}, "readout.stt_base_celsius"),   # below the adapting 35 °C
    ({"readout.stt_exponent": 2000}, "readout.stt_exponent"),                # 43 °C underflows to 0 Hz
])
def test_pain_map_rates_that_are_zero_are_refused_at_load(gate, override, key):
    err = refused(lambda: gate.with_params(override), key, allowed=True)
    assert "pain map" in str(err)
    with pytest.raises(ParameterError):
        ps.load_model("gate_control", override)  # a load with overrides too, not only with_params


@pytest.mark.parametrize("override", [{"readout.stt_base_celsius": 42.9}, {"readout.heat_rating_1_celsius": 35.5},
                                      {"readout.stt_exponent": 100}])
def test_neighbouring_pain_map_parameters_still_load_and_score(gate, override):
    m = gate.with_params(override)  # negative control: rates > 0 and rising
    assert 0.0 <= model_pain_score(30.0, m) <= 10.0


def test_a_pain_map_set_on_every_model_is_refused_before_any_work(stand_ins, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["validate", "--only", "A", "--out", str(out), "--set", "readout.stt_base_celsius=44"]) == 2
    err = capsys.readouterr().err
    assert "readout.stt_base_celsius" in err and "'rates'" not in err
    assert stand_ins == [] and not out.exists()


# --- 2. the unpleasantness and S1-map anchors -----------------------------------------------------

@pytest.mark.parametrize("model, override, key", [
    ("healthy", {"medial.readout.acc_rate_1": "20 Hz"}, "medial.readout.acc_rate_2"),
    ("healthy", {"medial.readout.acc_rate_2": "1 Hz"}, "medial.readout.acc_rate_2"),
    ("healthy", {"medial.readout.acc_rate_1": "0 Hz"}, "medial.readout.acc_rate_1"),
    ("gate_control", {"readout.map_measure": "excess_rate", "readout.map_excess_rate_2": "0.5 Hz"},
     "readout.map_excess_rate_2"),
    ("gate_control", {"readout.map_measure": "excess_rate", "readout.map_excess_rate_1": "0 Hz"},
     "readout.map_excess_rate_1"),
])
def test_anchors_that_do_not_rise_are_refused_at_load_naming_the_key(model, override, key):
    refused(lambda: ps.load_model(model).with_params(override), key, allowed=True)


def test_neighbouring_anchors_still_load(gate):
    healthy = ps.load_model("healthy")
    healthy.with_params({"medial.readout.acc_rate_2": "10 Hz"})  # rising: taken
    healthy.with_params({"medial.readout.acc_rate_1": "0.5 Hz"})
    gate.with_params({"readout.map_measure": "excess_rate", "readout.map_excess_rate_2": "2 Hz"})
    # the excess-rate anchors are read only with map_measure = "excess_rate": not checked under "area"
    gate.with_params({"readout.map_excess_rate_2": "0.5 Hz"})


class _Unchecked:
    """A model read by path with some values replaced past the load checks (a runtime failure)."""

    def __init__(self, model, replaced):
        self.model, self.replaced = model, replaced

    def __contains__(self, path):
        return path in self.replaced or path in self.model

    def si(self, path):
        return self.replaced[path] if path in self.replaced else self.model.si(path)

    def text(self, path):
        return self.replaced[path] if path in self.replaced else self.model.text(path)


def test_a_runtime_refusal_names_the_map_whose_points_fail():
    healthy = ps.load_model("healthy")
    err = refused(lambda: unpleasantness_score(5.0, _Unchecked(healthy, {"medial.readout.acc_rate_2": 1.0})), "rates")
    assert "unpleasantness" in str(err) and "pain map's" not in str(err)
    s1 = _Unchecked(healthy, {"readout.map_measure": "excess_rate", "readout.map_excess_rate_2": 0.5})
    err = refused(lambda: map_score(np.full((3, 3), 50.0), s1), "rates")
    assert "S1 map" in str(err) and "map_excess_rate" in str(err)
    # negative control: the intensity map keeps its name, and valid anchors score
    assert "pain map" in str(refused(lambda: ps.readouts.nrs_from_rate(1.0, [2.0, 1.0], [0.0, 5.0]), "rates"))
    assert 0.0 <= unpleasantness_score(5.0, healthy) <= 10.0


# --- 3. seeds whose derived seeds reach 2**32 -----------------------------------------------------

@pytest.fixture
def stand_ins(monkeypatch):
    """Stand-in targets (no simulation): A measures ``seed``, with a list of the seeds measured."""
    calls = []

    def measure_a(seed):
        calls.append(seed)
        return float(seed)
    made = (Target("A", "stand-in A", 1.0, 0.5, 1.5, "1", "none", "prediction", "fast", measure_a),)
    monkeypatch.setattr(validation_targets, "TARGETS", made)
    monkeypatch.setattr(validation_run, "TARGETS", made)
    return calls


def test_the_validation_seed_limit_is_the_largest_block_of_circuits():
    # the morphine targets (MORPHINE_CIRCUITS) and the trials (TRIAL_PATIENTS) simulate 16 circuits
    assert validation.SEED_BLOCK == 16 and validation.MAX_SEED == SEED_LIMIT - 16


@pytest.mark.parametrize("flags", [["--seed", str(SEED_LIMIT - 1)], ["--seed", str(SEED_LIMIT - 15)],
                                   ["--seeds", "1", str(SEED_LIMIT - 1)]])
def test_a_validate_seed_whose_circuits_reach_2_to_the_32_is_refused_before_any_work(stand_ins, tmp_path, capsys,
                                                                                      flags):
    out = tmp_path / "out"
    assert main(["validate", "--only", "A", "--out", str(out)] + flags) == 2
    err = capsys.readouterr().err
    assert flags[0] in err and str(validation.MAX_SEED) in err
    assert stand_ins == [] and not out.exists()


def test_the_largest_validate_seed_runs(stand_ins, tmp_path):
    assert main(["validate", "--only", "A", "--out", str(tmp_path / "a"), "--seed", str(validation.MAX_SEED)]) == 0
    assert stand_ins == [validation.MAX_SEED]  # negative control
    refused(lambda: validation.validate(["A"], seed=validation.MAX_SEED + 1), "seed")  # the API too
    assert stand_ins == [validation.MAX_SEED]


def test_a_course_whose_patients_seeds_reach_2_to_the_32_is_refused_before_any_work(no_work, tmp_path):
    from painsim.course.files import run_course_file
    spec = load_experiment("rtms_course")
    refused(lambda: run_course_file(spec, seed=SEED_LIMIT - 1, n_patients=2), "seed")
    with pytest.raises(WorkStarted):  # negative control: the last patient's seed is 2**32 - 1
        run_course_file(spec, seed=SEED_LIMIT - 2, n_patients=2)
    path = edited_builtin(tmp_path, "rtms_course", r"^n_patients = .*", "n_patients = 2")
    path.write_text(path.read_text().replace("seed = 1\n", f"seed = {SEED_LIMIT - 1}\n"))
    refused(lambda: load_experiment(path), "experiment.seed")
    path.write_text(path.read_text().replace(f"seed = {SEED_LIMIT - 1}\n", f"seed = {SEED_LIMIT - 2}\n"))
    load_experiment(path)


def test_a_tolerance_file_whose_patients_seeds_reach_2_to_the_32_is_refused_at_load(tmp_path):
    # tens_tolerance: 4 patients, seeds seed .. seed + 3
    path = edited_builtin(tmp_path, "tens_tolerance", r"^seed = .*", f"seed = {SEED_LIMIT - 3}")
    refused(lambda: load_experiment(path), "experiment.seed")
    load_experiment(edited_builtin(tmp_path, "tens_tolerance", r"^seed = .*", f"seed = {SEED_LIMIT - 4}"))


# --- 4. a baseline whose variables have the wrong types -------------------------------------------

def test_a_baseline_whose_model_holds_text_is_refused_before_any_work(stand_ins, tmp_path, capsys):
    target = Target("A", "stand-in A", 1.0, 0.5, 1.5, "1", "none", "prediction", "fast", lambda seed: 1.0)
    good = _dataset([target], np.array([1.0]), np.ones(1), seed=1)
    good.to_netcdf(tmp_path / "good.nc")
    assert validation.read_result(tmp_path / "good.nc")["model"].dtype.kind == "f"  # negative control
    bad = tmp_path / "validation.nc"
    good.assign(model=("target", np.array(["x"], object))).to_netcdf(bad)
    with pytest.raises(PathError, match="'model'"):
        validation.read_result(bad)
    out = tmp_path / "out"
    assert main(["validate", "--only", "A", "--out", str(out), "--compare", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "'model'" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert stand_ins == [] and not out.exists()
