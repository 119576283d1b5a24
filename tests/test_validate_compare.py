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


def test_rows_count_closer_targets_by_status():
    base = _run([RANGED, POINT, NONE], [2.0, 12.0, 1.0])
    rows = validation.comparison_rows(validation.compare(base, _run([RANGED, POINT, NONE], [1.2, 15.0, 1.0])))
    assert rows[2].startswith("| ranged | 2 | 1.2 | 1 | 0.5–1.5 | no → yes | yes | prediction |")
    assert "predictions: 1 closer, 1 farther, 0 as close" in rows[-1]
    assert "calibrated targets: 0 closer, 0 farther, 0 as close" in rows[-1]


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
    assert "compared" in printed and str((second / "comparison.md").resolve()) in printed
    # the baseline may be named by its file as well as by its folder
    assert main(["validate", "--only", "A", "--out", str(tmp_path / "third"),
                 "--compare", str(first / "validation.nc")]) == 0


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
