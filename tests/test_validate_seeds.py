"""`painsim validate --seeds`: the validation table over several seeds, and which verdicts depend on the seed.

The logic on stand-in targets whose values are known (a verdict that holds at every seed,
one that changes, a direction-only figure, a target without a range), the refusals (one
seed, a seed twice, runs of different code or model variants), and the command line with
stand-in targets (no simulation): one folder per seed, the table it writes and prints,
``--resume`` keeping a finished seed, bad combinations refused before any work.
"""
import numpy as np
import pytest
import xarray as xr

from painsim import validation
from painsim.cli import main
from painsim.errors import ParameterError
from painsim.validation import run as validation_run
from painsim.validation import targets as validation_targets
from painsim.validation.run import _dataset
from painsim.validation.targets import Target


def _target(name, published, low=None, high=None, **kw):
    return Target(name, f"stand-in {name}", published, low, high, "1", "none", kw.pop("status", "prediction"),
                  "fast", lambda seed: 0.0, **kw)


RANGED = _target("ranged", 1.0, 0.5, 1.5)
SIGN = _target("sign", float("nan"), direction=-1, direction_from=1.0)
POINT = _target("point", 10.0, status="calibrated")


def _run(targets, values, seed):
    return _dataset(list(targets), np.asarray(values, float), np.ones(len(values)), seed=seed)


def test_a_verdict_that_changes_with_the_seed_is_marked():
    runs = [_run([RANGED, SIGN, POINT], values, seed) for seed, values in
            ((1, [1.2, 0.9, 12.0]), (2, [1.7, 0.5, 9.0]), (3, [0.6, 0.8, 11.0]))]
    ds = validation.across_seeds(runs)
    assert list(ds["seed"].values) == [1, 2, 3]
    assert [list(v) for v in ds["verdict"].values] == [["yes", "no", "yes"], ["yes"] * 3, ["n/a"] * 3]
    assert list(ds["agree"].values) == [False, True, True]
    assert list(ds["reproduced"].values) == [2, 3, 0]
    np.testing.assert_allclose(ds["model_low"].values, [0.6, 0.5, 9.0])
    np.testing.assert_allclose(ds["model_high"].values, [1.7, 0.9, 12.0])
    rows = validation.seed_rows(ds)
    assert rows[0].startswith("| target | model (seed 1, 2, 3) |")
    assert rows[2] == "| ranged | 1.2, 1.7, 0.6 | 0.6–1.7 | 1 | 0.5–1.5 | yes no yes | no | prediction |"
    assert rows[3].startswith("| sign | 0.9, 0.5, 0.8 | 0.5–0.9 | < 1 | – | yes yes yes | yes |")
    assert ("predictions: 1 reproduced at every seed, 1 at some seeds only, 0 at none "
            "(verdicts differ between seeds: ranged)") in rows
    # a calibrated target without a range is judged at no seed: counted nowhere
    assert "calibrated targets: 0 reproduced at every seed, 0 at some seeds only, 0 at none" in rows


def test_seeds_that_share_circuits_are_said_to_be_no_independent_draws():
    close = validation.seed_rows(validation.across_seeds([_run([RANGED], [1.0], 1), _run([RANGED], [1.1], 2)]))
    assert any(r.startswith("warning: seeds less than 100 apart share circuits") for r in close)
    far = validation.seed_rows(validation.across_seeds([_run([RANGED], [1.0], 1), _run([RANGED], [1.1], 101)]))
    assert not any(r.startswith("warning") for r in far)  # negative control


def test_the_same_values_at_every_seed_agree():  # negative control of the mark above
    ds = validation.across_seeds([_run([RANGED], [2.0], 1), _run([RANGED], [2.0], 5)])
    assert bool(ds["agree"].values[0]) and int(ds["reproduced"].values[0]) == 0
    assert "predictions: 0 reproduced at every seed, 0 at some seeds only, 1 at none" in validation.seed_rows(ds)


def test_a_value_missing_at_one_seed_is_not_a_reproduction():
    ds = validation.across_seeds([_run([RANGED], [1.0], 1), _run([RANGED], [np.nan], 2)])
    assert list(ds["verdict"].values[0]) == ["yes", "n/a"] and not bool(ds["agree"].values[0])
    np.testing.assert_allclose([float(ds["model_low"][0]), float(ds["model_high"][0])], [1.0, 1.0])
    # the table's "over seeds" column says a seed had no value (it read "1", as if the seeds agreed)
    row = next(r for r in validation.seed_rows(ds) if r.startswith(f"| {RANGED.name} "))
    assert "(no value at 1 of 2 seeds)" in row
    agreeing = validation.seed_rows(validation.across_seeds([_run([RANGED], [1.0], 1), _run([RANGED], [1.0], 2)]))
    assert not any("no value at" in r for r in agreeing)  # negative control: every seed has a value


def test_a_target_never_reproduced_counts_as_none_and_a_target_without_values_is_named():
    runs = [_run([RANGED, SIGN], values, seed) for seed, values in ((1, [2.0, np.nan]), (2, [np.nan, np.nan]))]
    ds = validation.across_seeds(runs)
    assert [list(v) for v in ds["verdict"].values] == [["no", "n/a"], ["n/a", "n/a"]]
    rows = validation.seed_rows(ds)
    # "no" then no value: reproduced at no seed (and its verdicts differ); SIGN has a published
    # direction but no value at any seed: judged nowhere, named
    assert ("predictions: 0 reproduced at every seed, 0 at some seeds only, 1 at none "
            "(verdicts differ between seeds: ranged)") in rows
    assert "no value at any seed: sign" in rows
    assert not any(r.startswith("no value") for r in validation.seed_rows(validation.across_seeds(
        [_run([RANGED], [1.0], 1), _run([RANGED], [2.0], 2)])))  # negative control


def test_targets_not_measured_at_every_seed_are_left_out_and_named():
    ds = validation.across_seeds([_run([RANGED, POINT], [1.0, 9.0], 1), _run([RANGED], [1.1], 2)])
    assert list(ds["target"].values) == ["ranged"]
    assert ds.attrs["absent"] == "point"
    assert "not measured at every seed (left out): point" in validation.seed_rows(ds)


@pytest.mark.parametrize("case, match", [("one run", "at least two"), ("a seed twice", "appears twice"),
                                         ("no seed", "without a seed"), ("other code", "painsim_source"),
                                         ("other files", "inputs_digest"), ("other variant", "model_overrides")])
def test_runs_that_are_not_one_model_at_different_seeds_are_refused(case, match):
    a, b = _run([RANGED], [1.0], 1), _run([RANGED], [1.1], 2)
    runs = [a, b]
    if case == "one run":
        runs = [a]
    elif case == "a seed twice":
        runs = [a, _run([RANGED], [1.1], 1)]
    elif case == "no seed":
        del b.attrs["seed"]
    elif case == "other code":
        b.attrs["painsim_source"] = "0" * 24
    elif case == "other files":
        b.attrs["inputs_digest"] = "0" * 24
    else:
        b.attrs["model_overrides"] = '{"dorsal_horn.synapse.c_gain": 0.5}'
    with pytest.raises(ParameterError, match=match):
        validation.across_seeds(runs)


@pytest.mark.parametrize("change", [None, "seed", "code", "inputs", "variant", "targets", "unreadable"])
def test_a_finished_run_is_kept_only_if_it_is_this_models_at_that_seed(tmp_path, change):
    ds = _run([RANGED, POINT], [1.0, 9.0], 3)
    ds.attrs["inputs_digest"] = validation_run.inputs_fingerprint()
    names, seed, variant = ["ranged", "point"], 3, ""
    if change == "seed":
        seed = 4
    elif change == "code":
        ds.attrs["painsim_source"] = "0" * 24
    elif change == "inputs":
        ds.attrs["inputs_digest"] = "0" * 24
    elif change == "variant":
        variant = '{"dorsal_horn.synapse.c_gain": 0.5}'
    elif change == "targets":
        names = ["ranged", "point", "sign"]
    ds.to_netcdf(tmp_path / "validation.nc")
    if change == "unreadable":
        (tmp_path / "validation.nc").write_text("not NetCDF")
    kept = validation.kept_run(tmp_path, names, seed, variant)
    assert (kept is not None) == (change is None)
    assert validation.kept_run(tmp_path / "nowhere", names, seed, variant) is None


@pytest.fixture
def stand_ins(monkeypatch):
    """Stand-in targets: A measures ``seed`` (range 0.5-1.5: reproduced at seed 1 only), B ``0.9``
    at every seed (range 0.5-1.5), with a counter of A's measurements."""
    calls = []

    def measure_a(seed):
        calls.append(seed)
        return float(seed)
    made = (Target("A", "stand-in A", 1.0, 0.5, 1.5, "1", "none", "prediction", "fast", measure_a),
            Target("B", "stand-in B", 1.0, 0.5, 1.5, "1", "none", "prediction", "fast", lambda seed: 0.9))
    monkeypatch.setattr(validation_targets, "TARGETS", made)
    monkeypatch.setattr(validation_run, "TARGETS", made)
    return calls


def test_the_command_runs_each_seed_and_writes_the_spread(stand_ins, tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["validate", "--only", "A", "B", "--seeds", "1", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for seed in (1, 2):  # each seed a run of its own
        assert int(validation.read_result(out / f"seed_{seed}").attrs["seed"]) == seed
    written = (out / "seeds.md").read_text()
    row_a = "| A | 1, 2 | 1–2 | 1 | 0.5–1.5 | yes no | no | prediction |"
    for text in (printed, written):
        assert row_a in text and "| B | 0.9, 0.9 | 0.9 | 1 | 0.5–1.5 | yes yes | yes | prediction |" in text
        assert "verdicts differ between seeds: A" in text
    assert written.startswith("painsim ") and "seeds 1 2" in written.splitlines()[0]
    ds = validation.read_result(out / "seed_1")  # a per-seed folder is an ordinary validation result
    assert list(ds["target"].values) == ["A", "B"]
    spread = xr.open_dataset(out / "seeds.nc")  # the table's data, read back
    assert "--seeds 1 2" in spread.attrs["command"] and list(spread["seed"].values) == [1, 2]
    assert list(spread["reproduced"].values) == [1, 2] and list(spread["agree"].values) == [False, True]
    # --resume keeps both finished seeds (A not measured again) and adds the third
    stand_ins.clear()
    assert main(["validate", "--only", "A", "B", "--seeds", "1", "2", "3", "--out", str(out), "--resume"]) == 0
    assert stand_ins == [3]
    assert "| A | 1, 2, 3 | 1–3 |" in (out / "seeds.md").read_text()
    # without --resume every seed is measured again
    stand_ins.clear()
    assert main(["validate", "--only", "A", "--seeds", "1", "2", "--out", str(out)]) == 0
    assert stand_ins == [1, 2]


def test_an_interrupted_seed_is_resumed_and_never_measured_twice(stand_ins, monkeypatch, tmp_path, capsys):
    out = tmp_path / "v"
    real = validation_targets.TARGETS

    def interrupted_at_seed_2(seed):
        if seed == 2:
            raise KeyboardInterrupt
        return 0.9
    broken = (real[0], Target("B", "stand-in B", 1.0, 0.5, 1.5, "1", "none", "prediction", "fast",
                              interrupted_at_seed_2))
    monkeypatch.setattr(validation_targets, "TARGETS", broken)
    monkeypatch.setattr(validation_run, "TARGETS", broken)
    assert main(["validate", "--only", "A", "B", "--seeds", "1", "2", "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert "seed(s) 1 finished" in err and "--resume" in err
    assert stand_ins == [1, 2]  # A measured at both seeds; seed 2's A is kept in its store
    # without --resume: refused before any seed is measured again
    stand_ins.clear()
    assert main(["validate", "--only", "A", "B", "--seeds", "1", "2", "--out", str(out)]) == 2
    assert "--resume" in capsys.readouterr().err and stand_ins == []
    # with --resume: seed 1 kept whole, seed 2's A kept, only its B measured
    monkeypatch.setattr(validation_targets, "TARGETS", real)
    monkeypatch.setattr(validation_run, "TARGETS", real)
    assert main(["validate", "--only", "A", "B", "--seeds", "1", "2", "--out", str(out), "--resume"]) == 0
    assert stand_ins == [] and "| B | 0.9, 0.9 |" in (out / "seeds.md").read_text()


@pytest.mark.parametrize("extra", [["--seeds", "1"], ["--seeds", "1", "1"], ["--seeds", "1", "2", "--seed", "3"],
                                   ["--seeds", "1", "2", "--compare", "somewhere"]])
def test_bad_seed_lists_are_refused_before_any_work(stand_ins, tmp_path, capsys, extra):
    out = tmp_path / "out"
    assert main(["validate", "--only", "A", "--out", str(out)] + extra) == 2
    assert "--seeds" in capsys.readouterr().err
    assert not out.exists() and stand_ins == []


def test_a_summary_over_seeds_is_no_baseline_but_draws_each_seeds_figure(stand_ins, tmp_path, capsys):
    """``--compare <folder>/seeds.nc`` was accepted, then raised a numpy error after every target was
    measured (no comparison written); ``painsim figures seeds.nc`` raised the same.  ``--compare`` is
    refused by name before any work; ``painsim figures`` draws each seed's run's figure (was refused
    too, before tests/test_figures_bug_hunt.py); negative control: a seed's own run is a baseline and
    draws its figure."""
    out = tmp_path / "v"
    assert main(["validate", "--only", "A", "B", "--seeds", "1", "2", "--out", str(out)]) == 0
    stand_ins.clear()
    other = tmp_path / "other"
    assert main(["validate", "--only", "A", "--out", str(other), "--compare", str(out / "seeds.nc")]) == 2
    err = capsys.readouterr().err
    assert "--seeds" in err and "seed_1" in err and stand_ins == [] and not other.exists()
    # painsim figures on the summary draws each seed's run's figure (tests/test_figures_bug_hunt.py)
    assert main(["figures", str(out / "seeds.nc"), "--out", str(tmp_path / "figs")]) == 0
    assert all((tmp_path / "figs" / f"seed_{s}" / "validation.png").is_file() for s in (1, 2))
    assert main(["validate", "--only", "A", "--out", str(other), "--compare", str(out / "seed_1")]) == 0
    assert (other / "comparison.md").is_file()
    assert main(["figures", str(out / "seed_1" / "validation.nc"), "--out", str(tmp_path / "figs")]) == 0
