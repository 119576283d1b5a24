"""A validation run that resumes and measures in worker processes (`painsim validate --resume --workers`).

Stand-in targets (their measurement counts its calls) check that a finished target is kept
on disk and never measured again on ``--resume``, that an interrupted target is measured
on resume, that a run of another seed is refused, and that a store with finished targets
is refused without ``--resume`` (the negative control).  Two real, cheap targets check that
worker processes give exactly the values measured in this process.
"""
import json

import numpy as np
import pytest

from painsim import validation, version
from painsim.cli import main
from painsim.errors import ParameterError
from painsim.validation import run as validation_run
from painsim.validation import targets as validation_targets
from painsim.validation.targets import Target


class Interrupted(Exception):
    """Stands for Ctrl-C or a kill in the middle of a target."""


@pytest.fixture
def stand_ins(monkeypatch):
    """Three stand-in targets (B shares a simulation with C); ``calls`` counts measurements and
    ``interrupt`` names a target whose next measurement is interrupted."""
    calls = {"A": 0, "B": 0, "C": 0}
    interrupt = set()

    def measuring(name, value):
        def measure(seed):
            if name in interrupt:
                interrupt.discard(name)
                raise Interrupted(name)
            calls[name] += 1
            return value + seed
        return measure

    made = tuple(Target(n, f"stand-in {n}", 1.0, None, None, "1", "none", "prediction", "fast",
                        measuring(n, v), shares="BC" if n in "BC" else "")
                 for n, v in (("A", 10.0), ("B", 20.0), ("C", 30.0)))
    monkeypatch.setattr(validation_targets, "TARGETS", made)
    monkeypatch.setattr(validation_run, "TARGETS", made)
    return calls, interrupt


def test_an_interrupted_run_resumes_without_measuring_a_finished_target_again(stand_ins, tmp_path):
    calls, interrupt = stand_ins
    store = tmp_path / "targets"
    interrupt.add("C")
    with pytest.raises(Interrupted):
        validation.validate(["A", "B", "C"], seed=1, store=store)
    assert calls == {"A": 1, "B": 1, "C": 0}
    kept = sorted(p.name for p in store.iterdir())
    assert kept == ["code.json", "target_000.json", "target_001.json"]  # A and B, each written when it finished
    with pytest.raises(ParameterError, match="--resume"):  # negative control: kept work is not overwritten
        validation.validate(["A", "B", "C"], seed=1, store=store)
    with pytest.raises(ParameterError, match="another seed"):
        validation.validate(["A", "B", "C"], seed=2, store=store, resume=True)
    ds = validation.validate(["A", "B", "C"], seed=1, store=store, resume=True)
    assert calls == {"A": 1, "B": 1, "C": 1}  # only the interrupted target was measured
    np.testing.assert_array_equal(ds["model"].values, [11.0, 21.0, 31.0])
    assert list(ds["target"].values) == ["A", "B", "C"]


def test_a_store_of_a_model_variant_is_not_resumed_with_another_model(stand_ins, tmp_path, monkeypatch):
    """The fingerprint holds every built-in model as loaded: a changed model file or ``--set``
    variant makes the kept values someone else's."""
    store = tmp_path / "targets"
    validation.validate(["A"], seed=1, store=store)
    monkeypatch.setattr(validation_run, "inputs_digest", lambda: {"models": {"healthy": "another model"}})
    with pytest.raises(ParameterError, match="target 'A' differs.*model variant"):
        validation.validate(["A"], seed=1, store=store, resume=True)


def test_an_engine_or_experiment_file_is_part_of_the_fingerprint(monkeypatch):
    target = validation.TARGETS[0]
    key = validation_run.target_key(target, 1)
    assert validation_run.target_key(target, 1) == key  # negative control: same inputs, same key
    assert validation_run.target_key(target, 2) != key
    monkeypatch.setenv("PAINSIM_ENGINE", "standalone")  # a misspelt engine is refused (test_engine_env_bug_hunt.py)
    assert validation_run.target_key(target, 1) != key


def test_kept_targets_of_other_code_are_not_resumed(stand_ins, tmp_path, monkeypatch):
    """A development checkout keeps its version number while its code changes: the digest of
    the package's source is in the store's code record, so a table never mixes two versions of the code."""
    store = tmp_path / "targets"
    validation.validate(["A"], seed=1, store=store)
    monkeypatch.setattr(version, "source_digest", lambda: "other code")
    with pytest.raises(ParameterError, match="painsim source .* -> other code"):
        validation.validate(["A"], seed=1, store=store, resume=True)


def test_the_source_digest_follows_the_code_and_nothing_else(tmp_path, monkeypatch):
    from painsim.version import source_digest
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name, text in (("a.py", "x = 1\n"), ("sub/b.py", "y = 2\n"), ("notes.txt", "not code")):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    before = source_digest(tmp_path)
    (tmp_path / "notes.txt").write_text("changed, but not code")
    (tmp_path / ".#a.py").symlink_to(tmp_path / "nowhere")  # an editor's lock file: no target, not code
    assert source_digest(tmp_path) == before  # negative control: only the *.py files of the code count
    (tmp_path / "sub" / "b.py").write_text("y = 3\n")
    assert source_digest(tmp_path) != before
    assert len(source_digest()) == 24 and source_digest() != before


CODE = '''"""A module."""
import math

UNIT = "mm"


class Disc:
    """A disc."""

    def area(self, r):
        """The area."""
        return math.pi * r ** 2  # of a disc
'''


@pytest.fixture
def code(tmp_path, monkeypatch):
    """A folder of code holding CODE as ``m.py``, with a home of its own (the digests' cache)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    folder = tmp_path / "code"
    folder.mkdir()
    (folder / "m.py").write_text(CODE)
    return folder


@pytest.mark.parametrize("edit, same", [
    (lambda t: t.replace("The area.", "The area of a disc of radius r."), True),      # a docstring
    (lambda t: t.replace("# of a disc", "# pi r squared"), True),                      # a comment
    (lambda t: t.replace('"""A module."""', '"""A module, documented anew."""'), True),
    (lambda t: t.replace('    """A disc."""\n', ""), True),                          # a class docstring removed
    (lambda t: t.replace("r ** 2", "r * r"), False),                                    # the code
    (lambda t: t.replace('UNIT = "mm"', 'UNIT = "m"'), False),                       # a string that is not a docstring
])
def test_the_source_digest_ignores_comments_and_docstrings_only(code, edit, same):
    from painsim.version import source_digest
    before = source_digest(code)
    (code / "m.py").write_text(edit(CODE))
    assert (source_digest(code) == before) is same


def test_the_code_digests_are_kept_on_disk_and_a_bad_cache_is_recomputed(code, tmp_path, monkeypatch):
    from painsim import version
    first = version.source_digest(code)
    cache = tmp_path / "home" / ".cache" / "painsim" / "code-digests.json"
    kept = json.loads(cache.read_text())
    assert len(kept) == 1
    with monkeypatch.context() as m:  # kept: no file is parsed again
        m.setattr(version, "code_digest", lambda source: pytest.fail("parsed again"))
        assert version.source_digest(code) == first
    # negative controls: a broken cache, or an entry that is not a digest, is recomputed, not trusted
    cache.write_text("{not json")
    assert version.source_digest(code) == first
    cache.write_text(json.dumps({key: "not a digest" for key in kept}))
    assert version.source_digest(code) == first
    assert json.loads(cache.read_text()) == kept


def test_no_home_directory_means_no_cache_and_the_same_digest(code, tmp_path, monkeypatch):
    from pathlib import Path
    from painsim import version
    first = version.source_digest(code)
    (tmp_path / "home" / ".cache" / "painsim" / "code-digests.json").unlink()

    def no_home():
        raise RuntimeError("Could not determine home directory.")
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert version.source_digest(code) == first
    assert not (tmp_path / "home" / ".cache" / "painsim" / "code-digests.json").exists()


def test_a_file_that_warns_while_parsing_gets_the_same_digest_under_warnings_as_errors():
    import warnings
    from painsim.version import code_digest
    source = b'PATTERN = "\\d+"\n'  # the file holds the invalid escape sequence backslash-d
    plain = code_digest(source)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert code_digest(source) == plain


def test_a_resumed_run_of_another_selection_keeps_the_rest(stand_ins, tmp_path):
    calls, _ = stand_ins
    store = tmp_path / "targets"
    validation.validate(["A", "B"], seed=1, store=store)
    ds = validation.validate(["B", "C"], seed=1, store=store, resume=True)
    assert calls == {"A": 1, "B": 1, "C": 1} and list(ds["model"].values) == [21.0, 31.0]
    assert validation.kept_targets(store) == 3


def test_forgetting_the_written_targets_keeps_those_of_another_selection(stand_ins, tmp_path):
    store = tmp_path / "targets"
    validation.validate(["A", "B"], seed=1, store=store)
    validation.forget_measured(store, ["A"])
    assert sorted(p.name for p in store.iterdir()) == ["code.json", "target_001.json"]
    validation.forget_measured(store, ["B"])
    assert not store.exists()


def test_targets_sharing_a_simulation_are_one_batch_and_slow_batches_go_first():
    by_name = {t.name: t for t in validation.TARGETS}
    for group, names in validation_targets.SHARED_SIMULATIONS.items():
        assert all(by_name[n].shares == group for n in names)
    chosen = [by_name[n] for n in ("gate_on_c_heat", "nmda_block_baseline", "rtms_responders",
                                   "nmda_block_c_component")]
    assert validation_run._batches(chosen, 0) == [["gate_on_c_heat"], ["nmda_block_baseline", "nmda_block_c_component"],
                                                  ["rtms_responders"]]
    assert validation_run._batches(chosen, 2)[0] == ["rtms_responders"]


def test_worker_processes_measure_what_this_process_measures(tmp_path, monkeypatch):
    """Two cheap real targets (the T-junction filter: no network; the disinhibited heat ratio: a
    small gate network) in two worker processes and here: identical, finite values, and each
    kept in the store by the worker run."""
    names = ["drg_c_filtering", "disinhibited_heat_healthy"]
    here = validation.validate(names, seed=3)
    asked = []
    executor = validation_run.run_batches
    monkeypatch.setattr(validation_run, "run_batches", lambda *a, **kw: asked.append(kw["workers"]) or executor(*a, **kw))
    there = validation.validate(names, seed=3, workers=2, store=tmp_path / "targets")
    assert asked == [2]
    assert np.all(np.isfinite(here["model"].values))
    np.testing.assert_array_equal(here["model"].values, there["model"].values)
    assert validation.kept_targets(tmp_path / "targets") == 2


@pytest.mark.parametrize("workers", [-1, 1.5, True])
def test_a_bad_number_of_workers_is_refused(workers):
    with pytest.raises(ParameterError, match="'workers'"):
        validation.validate(["drg_c_filtering"], workers=workers)


def test_the_cli_resumes_and_leaves_no_store_after_the_table(tmp_path, capsys):
    out = tmp_path / "validation"
    assert main(["validate", "--only", "drg_c_filtering", "--out", str(out), "--workers", "0"]) == 0
    assert (out / "validation.nc").exists() and not (out / "targets").exists()
    # a second run into the same folder needs no --resume: the finished run kept nothing
    assert main(["validate", "--only", "drg_c_filtering", "--out", str(out), "--resume"]) == 0
    assert main(["validate", "--only", "drg_c_filtering", "--out", str(out), "--workers", "-1"]) == 2
    assert "--workers" in capsys.readouterr().err


@pytest.mark.parametrize("error, code, said", [(KeyboardInterrupt, 130, "interrupted"),
                                               (ParameterError("x", 1, "2"), 2, "stopped")])
def test_a_stopped_cli_run_says_where_its_targets_are_kept(monkeypatch, tmp_path, capsys, error, code, said):
    """Ctrl-C or an error after a target was measured: one line naming the store and --resume (as an
    interrupted sweep); before any target was measured (the negative control): nothing is said to
    be kept, and no empty store is left."""
    def stopped(*args, store, **kwargs):
        if calls:
            store.mkdir(parents=True)
            (store / "target_000.json").write_text("{}")
        raise error
    monkeypatch.setattr(validation, "validate", stopped)
    for calls in ([], [1]):
        out = tmp_path / f"v{len(calls)}"
        assert main(["validate", "--only", "drg_c_filtering", "--out", str(out)]) == code
        err = capsys.readouterr().err
        assert ("--resume" in err) == bool(calls) and (str(out / "targets") in err) == bool(calls)
        if calls:
            assert err.count(f"painsim: {said}") == 1 and "1 measured target(s)" in err
        else:
            assert not (out / "targets").exists()


def test_a_finished_run_resumed_with_more_targets_measures_only_those(stand_ins, tmp_path):
    """``--resume`` into the folder of a finished run of this code and seed keeps its targets (e.g. a
    fast run resumed with ``--slow``); without ``--resume``, or at another seed, every target is
    measured again (the negative controls)."""
    calls, _ = stand_ins
    out = str(tmp_path / "validation")
    assert main(["validate", "--only", "A", "B", "--out", out]) == 0
    assert calls == {"A": 1, "B": 1, "C": 0}
    assert main(["validate", "--only", "A", "B", "C", "--out", out, "--resume"]) == 0
    assert calls == {"A": 1, "B": 1, "C": 1}
    ds = validation.read_result(out, "the run")
    np.testing.assert_array_equal(ds["model"].values, [11.0, 21.0, 31.0])
    assert validation.finished_targets(out, 1) == {n: (v, pytest.approx(s)) for n, v, s in
                                                   zip("ABC", (11.0, 21.0, 31.0), ds["seconds"].values)}
    assert main(["validate", "--only", "A", "B", "C", "--out", out]) == 0
    assert calls == {"A": 2, "B": 2, "C": 2}
    assert main(["validate", "--only", "A", "B", "--out", out, "--set", "readout.map_weight=0.4", "--resume"]) == 0
    assert calls == {"A": 3, "B": 3, "C": 2}  # a model variant measures again
    assert main(["validate", "--only", "A", "C", "--out", out, "--seed", "2", "--resume"]) == 0
    assert calls == {"A": 4, "B": 3, "C": 3}
    assert validation.finished_targets(out, 1) == {}  # the folder now holds the run of seed 2
    assert validation.finished_targets(tmp_path / "nowhere", 1) == {}


def test_a_narrower_resume_keeps_the_interrupted_runs_measured_targets_in_the_table(stand_ins, tmp_path, capsys):
    """An interrupted run of A, B, C kept A; ``--resume --only C`` wrote a table of C alone and left
    A stranded in ``targets/`` (a later run into the folder was then refused as interrupted).  Now A
    joins the table (not measured again) and the store is gone.  Negative control: without
    ``--resume`` the folder is refused, naming the kept target."""
    calls, interrupt = stand_ins
    out = tmp_path / "v"
    interrupt.add("B")
    with pytest.raises(Interrupted):
        validation.validate(["A", "B", "C"], seed=1, store=out / "targets")
    assert main(["validate", "--only", "C", "--out", str(out)]) == 2  # the negative control
    assert "interrupted" in capsys.readouterr().err
    assert main(["validate", "--only", "C", "--out", str(out), "--resume"]) == 0
    assert "beside this selection: A" in capsys.readouterr().out
    assert list(validation.read_result(out)["target"].values) == ["A", "C"]
    assert calls == {"A": 1, "B": 0, "C": 1} and not (out / "targets").exists()
    assert main(["validate", "--only", "B", "--out", str(out)]) == 0  # no stranded store refuses it
