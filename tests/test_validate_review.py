"""`painsim validate`: defects found in review, each with its negative control (no simulation).

Five stand-in targets (as the reviewer's script: a ranged prediction, a ranged prediction whose
value is NaN, a calibrated target reproduced at odd seeds only, a value on the range's edge, a
single published number) check that a targeted ``--resume`` keeps the finished rows outside its
selection and a rerun says it replaces the earlier result; that ``--compare`` records and warns
about changed inputs (``inputs_digest``); that the summary line counts predictions and calibrated
targets apart and says why a target has no verdict; that a folder holds either a single run's
result or a ``--seeds`` run's; that ``--seeds`` prints no per-seed table; and the words of two
refusals (a seed named twice; a resume refused by the store).
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

NAMES = ["plain", "nan_ranged", "seedy", "edge", "single"]


@pytest.fixture
def fake(monkeypatch):
    """The five stand-in targets; returns the list of (name, seed) measured, and a set naming targets
    whose next measurement is interrupted (Ctrl-C; a name in it prefixed "fail:" raises a
    ParameterError of the measurement instead)."""
    calls, interrupt = [], set()

    def measuring(name):
        def measure(seed):
            if name in interrupt:
                interrupt.discard(name)
                raise KeyboardInterrupt
            if f"fail:{name}" in interrupt:
                interrupt.discard(f"fail:{name}")
                raise ParameterError("stand-in", seed, "a measurement that does not fail")
            calls.append((name, seed))
            if name == "nan_ranged":
                return float("nan")
            if name == "seedy":  # reproduced at odd seeds only
                return 0.5 if seed % 2 else 5.0
            if name == "edge":
                return 1.0
            return 0.5 + 0.001 * seed
        return measure

    status = {"seedy": "calibrated"}
    made = tuple(Target(n, f"stand-in {n}", 0.5, None if n == "single" else 0.0, None if n == "single" else 1.0,
                        "1", "src", status.get(n, "prediction"), "fast", measuring(n)) for n in NAMES)
    monkeypatch.setattr(validation_targets, "TARGETS", made)
    monkeypatch.setattr(validation_run, "TARGETS", made)
    return calls, interrupt


def _targets(folder):
    with xr.open_dataset(folder / "validation.nc") as ds:
        return [str(n) for n in ds["target"].values]


def _said(capsys):
    said = capsys.readouterr()
    return said.out, said.err


# ---------------------------------------------------------------- 1: a targeted resume keeps finished rows
def test_a_targeted_resume_keeps_the_finished_rows_outside_its_selection(fake, tmp_path, capsys):
    calls, _ = fake
    out = tmp_path / "o6"
    assert main(["validate", "--out", str(out)]) == 0
    printed, _ = _said(capsys)
    assert "replaced" not in printed  # negative control: nothing to replace in a new folder
    calls.clear()
    assert main(["validate", "--out", str(out), "--only", "plain", "--resume"]) == 0
    printed, _ = _said(capsys)
    assert calls == []  # every row kept, none measured again
    assert _targets(out) == NAMES
    table = (out / "validation.md").read_text()
    assert all(f"| {n} |" in table for n in NAMES)
    kept = next(line for line in printed.splitlines() if "kept from the earlier run" in line)
    assert all(n in kept for n in NAMES[1:]) and "plain" not in kept.split(":", 2)[-1]
    assert "replaced" not in printed


def test_a_rerun_without_resume_says_it_replaces_the_earlier_result(fake, tmp_path, capsys):
    out = tmp_path / "o6"
    assert main(["validate", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["validate", "--out", str(out), "--only", "plain"]) == 0  # replacement by design: said
    printed, _ = _said(capsys)
    assert f"the earlier result in {out} is replaced" in printed
    assert _targets(out) == ["plain"] and "kept from the earlier run" not in printed
    # a resume that cannot keep the earlier run (another seed) says so too, and keeps nothing of it
    assert main(["validate", "--out", str(out), "--only", "plain", "--seed", "2", "--resume"]) == 0
    printed, _ = _said(capsys)
    assert "--resume cannot keep it" in printed and "replaced" in printed
    with xr.open_dataset(out / "validation.nc") as ds:
        assert int(ds.attrs["seed"]) == 2 and list(ds["target"].values) == ["plain"]


# ---------------------------------------------------------------- 2: --compare and the inputs
def _run(values, seed=1, inputs="a" * 24, overrides=None):
    ds = _dataset(list(validation_targets.TARGETS), np.asarray(values, float), np.ones(len(values)), seed=seed,
                  inputs=inputs)
    if overrides:
        ds.attrs["model_overrides"] = overrides
    return ds


def test_the_comparison_records_the_inputs_and_warns_when_they_differ(fake):
    values = [0.5, np.nan, 0.5, 1.0, 0.5]
    base, new = _run(values, inputs="a" * 24), _run(values, inputs="b" * 24)
    cmp = validation.compare(base, new)
    assert cmp.attrs["inputs_digest_baseline"] == "a" * 24 and cmp.attrs["inputs_digest"] == "b" * 24
    header = validation.comparison_header(cmp, "base")
    assert any(line.startswith("warning") and "inputs_digest differs" in line for line in header)
    # negative control: the same inputs, no word on them
    same = validation.comparison_header(validation.compare(base, base), "base")
    assert not any("inputs_digest" in line for line in same)
    # between two model variants the digest always differs: said, but not as a warning
    variant = _run(values, inputs="b" * 24, overrides='{"dorsal_horn.synapse.c_gain": 0.5}')
    header = validation.comparison_header(validation.compare(base, variant), "base")
    words = [line for line in header if "inputs_digest" in line]
    assert len(words) == 1 and words[0].startswith("note") and "model variants" in words[0]
    # an older baseline that does not record them: unknown, said
    old = _run(values, inputs="")
    header = validation.comparison_header(validation.compare(old, base), "base")
    assert any(line.startswith("note: the baseline does not record inputs_digest") for line in header)


def test_the_command_warns_when_the_baseline_read_other_files(fake, tmp_path, capsys, monkeypatch):
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["validate", "--only", "plain", "--out", str(first)]) == 0
    assert main(["validate", "--only", "plain", "--out", str(second), "--compare", str(first)]) == 0
    assert "inputs_digest" not in (second / "comparison.md").read_text()  # negative control
    real = validation_run.inputs_digest
    monkeypatch.setattr(validation_run, "inputs_digest", lambda: {**real(), "models": {"healthy": "edited"}})
    assert main(["validate", "--only", "plain", "--out", str(second), "--compare", str(first)]) == 0
    assert "warning: the two runs read different model or experiment files" in (second / "comparison.md").read_text()
    with xr.open_dataset(second / "validation.nc") as ds, xr.open_dataset(first / "validation.nc") as base:
        assert ds.attrs["inputs_digest"] != base.attrs["inputs_digest"]


# ---------------------------------------------------------------- 3: the summary line
def _summary(printed):
    return next(line for line in printed.splitlines() if line.startswith("painsim: predictions"))


def test_the_summary_counts_predictions_and_calibrated_targets_apart_and_says_why_none(fake, tmp_path, capsys):
    assert main(["validate", "--out", str(tmp_path / "a")]) == 0
    line = _summary(_said(capsys)[0])
    # plain and edge are reproduced predictions; seedy (calibrated, reproduced at seed 1) is not among them
    assert "predictions: 2 reproduced, 0 not" in line
    assert "calibrated targets: 1 reproduced, 0 not" in line
    # nan_ranged has a range but no value; single has a value but no range
    assert "1 without a published range or direction" in line
    assert "1 without a model value (nan_ranged)" in line
    # negative control: at seed 2 only the calibrated target turns, the predictions stay as they were
    assert main(["validate", "--out", str(tmp_path / "b"), "--seed", "2"]) == 0
    line = _summary(_said(capsys)[0])
    assert "predictions: 2 reproduced, 0 not" in line and "calibrated targets: 0 reproduced, 1 not" in line


# ---------------------------------------------------------------- 4: a folder holds one result
@pytest.mark.parametrize("first, then, holds", [
    (["--only", "plain"], ["--seeds", "1", "2"], "validation.nc"),
    (["--seeds", "1", "2"], [], "seeds.nc"),
])
def test_a_single_run_and_a_run_over_seeds_do_not_share_a_folder(fake, tmp_path, capsys, first, then, holds):
    calls, _ = fake
    out = tmp_path / "out"
    assert main(["validate", "--out", str(out), *first]) == 0
    capsys.readouterr()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    calls.clear()
    for resume in ([], ["--resume"]):
        assert main(["validate", "--out", str(out), *then, *resume]) == 2
        printed, err = _said(capsys)
        assert f"--out {out} holds" in err and str(out / holds) in err and "another --out" in err
        assert calls == [] and "validating" not in printed
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # negative control: the same form again replaces (or resumes) the result in its folder
    assert main(["validate", "--out", str(out), *first]) == 0


def test_an_interrupted_single_run_is_not_continued_by_a_run_over_seeds(fake, tmp_path, capsys):
    calls, interrupt = fake
    out = tmp_path / "out"
    interrupt.add("seedy")
    assert main(["validate", "--out", str(out)]) == 130
    capsys.readouterr()
    calls.clear()
    assert main(["validate", "--out", str(out), "--seeds", "1", "2", "--resume"]) == 2
    assert str(out / "targets") in _said(capsys)[1] and calls == []
    assert main(["validate", "--out", str(out), "--resume"]) == 0  # negative control: the single run resumes
    assert _targets(out) == NAMES


# ---------------------------------------------------------------- 5: --seeds prints the table over seeds only
def test_a_run_over_seeds_prints_no_table_of_each_seed(fake, tmp_path, capsys):
    single_header = "| target | model | published |"
    assert main(["validate", "--out", str(tmp_path / "s"), "--seeds", "1", "2"]) == 0
    printed = _said(capsys)[0]
    assert single_header not in printed and printed.count("| target | model (seed 1, 2) |") == 1
    assert main(["validate", "--out", str(tmp_path / "one")]) == 0  # negative control: one run prints its table
    assert single_header in _said(capsys)[0]


# ---------------------------------------------------------------- 7: the words of two refusals
@pytest.mark.parametrize("seeds, said, not_said", [
    (["1", "1", "2"], ["seed 1 is named twice"], ["at least two different"]),
    (["1", "1"], ["seed 1 is named twice", "at least two different"], []),
    (["1"], ["at least two different"], ["named"]),
])
def test_a_seed_named_twice_is_called_so(fake, tmp_path, capsys, seeds, said, not_said):
    calls, _ = fake
    assert main(["validate", "--out", str(tmp_path / "o"), "--seeds", *seeds]) == 2
    err = _said(capsys)[1]
    assert all(s in err for s in said) and not any(s in err for s in not_said)
    assert calls == [] and not (tmp_path / "o").exists()


def test_a_resume_refused_by_the_store_gives_no_advice_to_resume(fake, tmp_path, capsys):
    calls, interrupt = fake
    out = tmp_path / "o5"
    interrupt.add("edge")
    assert main(["validate", "--out", str(out)]) == 130
    err = _said(capsys)[1]
    assert "kept in" in err and "continue with --resume" in err  # negative control: an interruption advises it
    for options in (["--resume", "--seed", "2"], []):  # the store refuses another seed, and a run without --resume
        assert main(["validate", "--out", str(out), *options]) == 2
        err = _said(capsys)[1]
        assert "error:" in err and str(out / "targets") in err
        assert "continue with --resume" not in err and "kept in" not in err
    # negative control: a measurement's own error, after targets were kept, still says how to continue
    interrupt.add("fail:single")
    assert main(["validate", "--out", str(out), "--resume"]) == 2
    err = _said(capsys)[1]
    assert "stand-in" in err and f"kept in {out / 'targets'}; continue with --resume" in err
