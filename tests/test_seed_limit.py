"""Seeds are refused where they are read when they reach 2**32 (painsim.rng.SEED_LIMIT): numpy
splits a larger seed into 32-bit words, so it would share random streams with other seeds.  The
command line refused them already; files and API arguments were refused only when a point started
(or never, where the seed is hashed first).  2**32 - 1 is the negative control: it is taken."""
from __future__ import annotations

import pytest

import painsim as ps
from painsim import cohort
from painsim.experiment import load_experiment
from painsim.params import find_builtin, read_toml
from painsim.rng import SEED_LIMIT, checked_seed
from painsim.sweep.spec import load_spec, make_spec
from refusals import WorkStarted, edited_builtin, refused

TOO_BIG, LARGEST = SEED_LIMIT, SEED_LIMIT - 1


@pytest.mark.parametrize("name, key", [("rtms_cohort", "experiment.seed"), ("rtms_course", "experiment.seed"),
                                       ("qst_profile", "experiment.seed"), ("gate_control", "experiment.seed"),
                                       ("spinal_ltp_ltd", "experiment.seed"), ("heat_response_sweep", "seed")])
def test_an_experiment_file_seed_of_2_to_the_32_is_refused_at_load(tmp_path, name, key):
    load = load_spec if name.endswith("_sweep") else load_experiment
    err = refused(lambda: load(edited_builtin(tmp_path, name, r"^seed = .*", f"seed = {TOO_BIG}")), key)
    assert "2**32" in str(err)
    # negative control: the largest seed whose derived seeds stay below 2**32 (a QST file's subject s
    # runs with seed + s, so its largest is smaller by its subjects less one)
    block = read_toml(find_builtin(name, "experiments"))["experiment"].get("n_subjects", 1) if name == "qst_profile" else 1
    load(edited_builtin(tmp_path, name, r"^seed = .*", f"seed = {SEED_LIMIT - block}"))


def test_explicit_sweep_seeds_are_capped():
    base = {"kind": "simulate", "parameters": {"noxious": [0.0, 1.0]}, "duration": "0.2 s"}
    refused(lambda: make_spec({**base, "seeds": [1, TOO_BIG]}), "seeds")
    assert make_spec({**base, "seeds": [1, LARGEST]}).seeds == [1, LARGEST]
    refused(lambda: make_spec(base, seed=TOO_BIG), "seed")
    assert make_spec(base, seed=LARGEST).seed == LARGEST


def test_api_seeds_are_capped_before_any_work(no_work):
    refused(lambda: cohort.sample(2, seed=TOO_BIG), "seed")
    assert len(cohort.sample(2, seed=LARGEST)) == 2
    refused(lambda: ps.run_course("gate_control", "scs_tonic", seed=TOO_BIG), "seed")
    refused(lambda: ps.run_course_batch("gate_control", "scs_tonic", [0, TOO_BIG]), "seeds[1]")
    with pytest.raises(WorkStarted):
        ps.run_course("gate_control", "scs_tonic", seed=LARGEST)


@pytest.mark.parametrize("value", [True, -1, 1.5, "1", float("nan"), TOO_BIG, float(TOO_BIG)])
def test_checked_seed_refuses_what_is_not_a_seed(value):
    refused(lambda: checked_seed(value, "s"), "s")


def test_checked_seed_takes_seeds_and_whole_floats_only_when_asked():
    assert checked_seed(0) == 0 and checked_seed(LARGEST) == LARGEST and checked_seed(3.0) == 3
    refused(lambda: checked_seed(3.0, "s", allow_float=False), "s")
