"""`painsim validate --compare`: two validation runs side by side, target by target.

The comparison's logic on stand-in targets whose values are known (closer, farther, as
close, a direction-only figure judged by its verdict, a target the baseline lacks), and the
command line with stand-in targets (no simulation): the file it writes, what it prints, and
a bad baseline refused before any work.
"""
import numpy as np
import pytest
import xarray as xr

from painsim import validation
from painsim.cli import main
from painsim.errors import PathError
from painsim.validation import run as validation_run
from painsim.validation import targets as validation_targets
from painsim.validation.run import _dataset
from painsim.validation.targets import Target


def _target(name, published, low=None, high=None, **kw):
    return Target(name, f"stand-in {name}", published, low, high, "1", "none", kw.pop("status", "prediction"),
                  "fast", lambda seed: 0.0, **kw)


RANGED = _target("ranged", 1.0, 0.5, 1.5)
POINT = _target("point", 10.0)
SIGN = _target("sign", float("nan"), direction=1)
NONE = _target("none", float("nan"), status="calibrated")


def _run(targets, values, seed=1):
    return _dataset(list(targets), np.asarray(values, float), np.ones(len(values)), seed=seed)


def test_closer_follows_the_distance_to_the_published_figure():
    base = _run([RANGED, POINT, SIGN, NONE], [2.0, 12.0, -1.0, 3.0])
    new = _run([RANGED, POINT, SIGN, NONE], [1.2, 15.0, 1.0, 4.0])
    cmp = validation.compare(base, new)
    closer = dict(zip(cmp["target"].values, cmp["closer"].values))
    # 2.0 is 2 half-ranges above 1, 1.2 is 0.4; 12 is 20 % above 10, 15 is 50 %
    assert closer["ranged"] == "yes" and closer["point"] == "no"
    np.testing.assert_allclose(cmp["deviation_baseline"].values[:2], [2.0, 0.2])
    np.testing.assert_allclose(cmp["deviation"].values[:2], [0.4, 0.5])
    # a direction-only figure: only the verdict can decide (no -> yes); no figure at all: n/a
    assert closer["sign"] == "yes" and closer["none"] == "n/a"
    # negative controls: the same values are as close; moving the other way is farther
    same = validation.compare(base, base)
    assert set(same["closer"].values) <= {"=", "n/a"}
    assert dict(zip(same["target"].values, same["closer"].values))["ranged"] == "="
    back = dict(zip(cmp["target"].values, validation.compare(new, base)["closer"].values))
    assert back["ranged"] == "no" and back["point"] == "yes" and back["sign"] == "no"


def test_a_value_on_the_other_side_at_the_same_distance_is_as_close():
    base, new = _run([RANGED], [1.25]), _run([RANGED], [0.75])  # +0.5 and -0.5 half-ranges
    assert str(validation.compare(base, new)["closer"].values[0]) == "="


def test_a_target_the_baseline_did_not_measure_has_no_baseline_value():
    cmp = validation.compare(_run([RANGED], [2.0]), _run([RANGED, POINT], [1.2, 11.0]))
    assert list(cmp["target"].values) == ["ranged", "point"]  # the run's targets, in its order
    assert np.isnan(float(cmp["model_baseline"].sel(target="point")))
    assert str(cmp["closer"].sel(target="point").values) == "n/a"
    assert str(cmp["verdict_baseline"].sel(target="point").values) == "n/a"


CLOSED = _target("closed", 1.0, 0.5, 1.0)   # a range closed above: every value above 1 is infinitely far
ZERO = _target("zero", 0.0)                  # a single published 0: no relative deviation exists
RATIO = _target("ratio", float("nan"), direction=-1, direction_from=1.0)


def test_missing_values_are_lost_or_gained_and_counted():
    base, new = _run([RANGED, POINT], [1.2, np.nan]), _run([RANGED, POINT], [np.nan, 11.0])
    cmp = validation.compare(base, new)
    assert list(cmp["closer"].values) == ["lost", "gained"]
    rows = validation.comparison_rows(cmp)
    assert "predictions: 0 closer, 0 farther, 0 as close, 1 lost their value, 1 gained one" in rows


def test_infinite_and_zero_published_distances_are_ordered_by_the_distance_itself():
    base = _run([CLOSED, ZERO], [3.0, 0.5])
    new = _run([CLOSED, ZERO], [1.01, -0.2])
    closer = list(validation.compare(base, new)["closer"].values)
    assert closer == ["yes", "yes"]  # 1.01 nearer 1 than 3.0 (both beyond the closed edge); |-0.2| < 0.5
    assert list(validation.compare(new, base)["closer"].values) == ["no", "no"]


def test_a_ratio_published_as_a_direction_is_judged_by_its_side_of_one():
    cmp = validation.compare(_run([RATIO], [1.3]), _run([RATIO], [1.1]))
    assert str(cmp["closer"].values[0]) == "yes"  # both on the wrong side, the second nearer
    cmp = validation.compare(_run([RATIO], [0.9]), _run([RATIO], [0.5]))
    assert str(cmp["closer"].values[0]) == "="    # both on the published side
    assert list(cmp["verdict_baseline"].values) == ["yes"]


def test_the_baseline_is_judged_by_this_runs_registry_and_a_changed_figure_is_marked():
    old_registry = _target("ranged", 1.0, 0.5, 2.0)
    cmp = validation.compare(_run([old_registry], [1.8]), _run([RANGED], [1.8]))
    assert str(cmp["verdict_baseline"].values[0]) == "no"  # 1.8 outside this run's 0.5-1.5
    assert bool(cmp["redefined"].values[0]) and str(cmp["closer"].values[0]) == "="
    rows = validation.comparison_rows(cmp)
    assert rows[2].startswith("| ranged † |") and any(r.startswith("†") for r in rows)
    assert not validation.compare(_run([RANGED], [1.8]), _run([RANGED], [1.8]))["redefined"].values[0]


def test_a_baseline_written_before_the_direction_variables_is_read(tmp_path):
    base = _run([SIGN, RANGED], [-1.0, 2.0]).drop_vars(["published_direction", "published_direction_from"])
    base.to_netcdf(tmp_path / "validation.nc")
    cmp = validation.compare(validation.read_result(tmp_path), _run([SIGN, RANGED], [1.0, 1.2]))
    assert list(cmp["closer"].values) == ["yes", "yes"]
    assert list(cmp["verdict_baseline"].values) == ["no", "no"]


def test_the_header_names_both_runs_and_warns_when_seeds_differ():
    base, new = _run([RANGED], [2.0], seed=2), _run([RANGED], [1.2], seed=1)
    new.attrs["model_overrides"] = '{"dorsal_horn.synapse.c_gain": 0.5}'
    header = validation.comparison_header(validation.compare(base, new), "base")
    assert "baseline: seed 2, the model as shipped" in header[1]
    assert 'this run: seed 1, {"dorsal_horn.synapse.c_gain": 0.5}' in header[2]
    assert any("different seeds" in line for line in header)
    same = validation.comparison_header(validation.compare(new, new), "base")
    assert not any(line.startswith("warning") for line in same)  # negative control


def test_rows_count_closer_targets_by_status():
    base = _run([RANGED, POINT, NONE], [2.0, 12.0, 1.0])
    rows = validation.comparison_rows(validation.compare(base, _run([RANGED, POINT, NONE], [1.2, 15.0, 1.0])))
    assert rows[2].startswith("| ranged | 2 | 1.2 | 1 | 0.5–1.5 | no → yes | yes | prediction |")
    assert any(r.startswith("predictions: 1 closer, 1 farther, 0 as close") for r in rows)
    assert any(r.startswith("calibrated targets: 0 closer, 0 farther, 0 as close") for r in rows)


@pytest.fixture
def stand_ins(monkeypatch):
    """Two stand-in targets measuring ``seed`` (A, range 0.5-1.5) and ``10 * seed`` (B, published 10)."""
    made = (Target("A", "stand-in A", 1.0, 0.5, 1.5, "1", "none", "prediction", "fast", lambda seed: float(seed)),
            Target("B", "stand-in B", 10.0, None, None, "1", "none", "calibrated", "fast", lambda seed: 10.0 * seed))
    monkeypatch.setattr(validation_targets, "TARGETS", made)
    monkeypatch.setattr(validation_run, "TARGETS", made)


def test_the_command_writes_and_prints_the_comparison(stand_ins, tmp_path, capsys):
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["validate", "--only", "A", "B", "--seed", "2", "--out", str(first)]) == 0
    capsys.readouterr()
    assert main(["validate", "--only", "A", "B", "--seed", "1", "--out", str(second), "--compare", str(first)]) == 0
    printed = capsys.readouterr().out
    written = (second / "comparison.md").read_text()
    row_a = "| A | 2 | 1 | 1 | 0.5–1.5 | no → yes | yes | prediction |"
    row_b = "| B | 20 | 10 | 10 | – | n/a → n/a | yes | calibrated |"
    for text in (printed, written):
        assert row_a in text and row_b in text
        assert "baseline: seed 2" in text and "this run: seed 1" in text
    assert "predictions: 1 closer" in written and "calibrated targets: 1 closer" in written
    assert "different seeds" in written
    assert "compared" in printed and str((second / "comparison.md").resolve()) in printed
    # the baseline may be named by its file as well as by its folder; B, not measured, is named
    assert main(["validate", "--only", "A", "--out", str(second), "--compare", str(first / "validation.nc")]) == 0
    assert "in the baseline only (not measured by this run): B" in (second / "comparison.md").read_text()
    # a later run into the same folder without --compare leaves no stale comparison behind
    assert main(["validate", "--only", "A", "--out", str(second)]) == 0
    assert not (second / "comparison.md").exists()


@pytest.mark.parametrize("kind", ["missing", "not a result"])
def test_a_bad_baseline_is_refused_before_any_work(stand_ins, tmp_path, capsys, kind):
    baseline = tmp_path / "baseline.nc"
    if kind == "not a result":
        xr.Dataset({"x": ("t", [1.0])}).to_netcdf(baseline)
    out = tmp_path / "out"
    assert main(["validate", "--only", "A", "--out", str(out), "--compare", str(baseline)]) == 2
    err = capsys.readouterr().err
    assert "--compare" in err and str(baseline) in err
    assert not out.exists()  # nothing measured, no folder left
    with pytest.raises(PathError):
        validation.read_result(baseline)
