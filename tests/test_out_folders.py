"""An ``--out`` folder holds one result: every command that writes refuses a folder holding a result
of another kind (a run's ``results.nc``, a sweep's ``store/``, a store written by ``ps.run_sweep``,
a validation run's ``validation.nc`` or kept ``targets/``) before any work, and ``painsim sweep``
refuses its own store (no ``--resume``; another spec or seed) before it prints its first line, in
the command line's words.

Each refusal has its negative control: the same command into an empty folder, or into its own
kind's folder where that is allowed, reaches the work (a :class:`refusals.WorkStarted` stand-in).
"""
import json

import pytest
import xarray as xr
from refusals import WorkStarted, start_work

import painsim.files
from painsim import io, validation
from painsim.cli import main
from painsim.files.paths import held_results
from painsim.parallel import ResultStore
from painsim.sweep import load_spec
from painsim.sweep import run as sweep_run

_RUN = ["run", "gate_control"]
_VALIDATE = ["validate", "--only", "gate_on_c_heat"]
_SWEEP = ["sweep", "scs_frequency_sweep"]


@pytest.fixture
def stand_ins(monkeypatch):
    """A run's experiment, a validation's measurement and a sweep's batches raise WorkStarted."""
    monkeypatch.setattr(painsim.files, "run_experiment", start_work)
    monkeypatch.setattr(validation, "validate", start_work)
    monkeypatch.setattr(sweep_run, "run_batches", start_work)


def _listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _sweep_store(path, name="scs_frequency_sweep", seed=None):
    """A sweep's store as :func:`painsim.run_sweep` opens it before its first point (spec.json, parts/)."""
    spec = load_spec(name, seed=seed)
    ResultStore(path).open(spec.key(), {"spec": spec.to_dict()}, resume=False)
    return path


def _api_store(out):
    """What ``ps.run_sweep(spec, store=out)`` leaves: a bare store, and its result.nc."""
    _sweep_store(out)
    io.save(xr.Dataset({"x": ("i", [1.0])}, attrs={"sweep": "scs_frequency_sweep"}), out / "result.nc")
    return out


def _run_result(out, name="gate_control"):
    io.save(xr.Dataset({"x": ("i", [1.0])}, attrs={"experiment_name": name}), out / "results.nc")
    return out


def _validation_result(out):
    io.save(xr.Dataset({"x": ("i", [1.0])}), out / "validation.nc")
    return out


def _kept_targets(out):
    """An interrupted validation run: its targets/ and nothing else."""
    (out / "targets").mkdir(parents=True)
    (out / "targets" / "target_000.json").write_text("{}")
    return out


def _seed_runs(out):
    """A ``painsim validate --seeds`` run stopped after its first seed."""
    _validation_result(out / "seed_1")
    return out


def _cli_sweep(out):
    return _sweep_store(out / "store").parent


HOLDERS = {"api store": (_api_store, "a sweep store written by ps.run_sweep"), "run": (_run_result, "a run's result"),
           "validation": (_validation_result, "a validation run's result"),
           "kept targets": (_kept_targets, "a validation run's result"),
           "seed runs": (_seed_runs, "a validation run's result"), "cli sweep": (_cli_sweep, "a sweep's result")}
#: Each command and the kinds of folder that are another command's.
REFUSED = [(command, holder) for command, own in ((_RUN, ("run",)), (_VALIDATE, ("validation", "kept targets",
                                                                                 "seed runs")),
                                                   (_SWEEP, ("cli sweep",)))
           for holder in HOLDERS if holder not in own]


@pytest.mark.parametrize("command, holder", REFUSED, ids=[f"{c[0]}-into-{h}" for c, h in REFUSED])
def test_an_out_holding_another_kind_of_result_is_refused_before_work(tmp_path, capsys, stand_ins, command,
                                                                      holder):
    """Gaps 1-3: a run beside a bare store or a validation run, a validation beside a run or a sweep,
    each was accepted and wrote its files beside the other result."""
    make, what = HOLDERS[holder]
    out = tmp_path / "out"
    out.mkdir()
    make(out)
    before, contents = _listing(out), {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert main([*command, "--out", str(out)]) == 2
    said = capsys.readouterr()
    err = said.err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("painsim: error: ")
    assert f"--out {out} holds {what}" in err and "another --out" in err
    assert str(out) in err.split(" holds ", 1)[1]  # the file or folder that shows what it holds
    assert _listing(out) == before and {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == contents
    assert "painsim: running" not in said.out and "validating" not in said.out and "sweep '" not in said.out


@pytest.mark.parametrize("command", [_RUN, _VALIDATE, _SWEEP], ids=lambda c: c[0])
def test_an_empty_out_is_not_refused(tmp_path, stand_ins, command):
    """Negative control: each command into a new and into an empty folder reaches its work."""
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "new", tmp_path / "empty"):
        with pytest.raises(WorkStarted):
            main([*command, "--out", str(out)])


@pytest.mark.parametrize("holder, options", [("validation", []), ("validation", ["--resume"]),
                                             ("kept targets", ["--resume"]),
                                             ("seed runs", ["--seeds", "1", "2", "--resume"])])
def test_validate_into_its_own_folder_is_not_refused(tmp_path, stand_ins, holder, options):
    """Negative control: a finished validation folder is measured again or resumed, an interrupted
    one resumed, as before (a stopped ``--seeds`` run by a ``--seeds`` run: a single run into it is
    refused, tests/test_validate_review.py)."""
    out = tmp_path / "out"
    out.mkdir()
    HOLDERS[holder][0](out)
    with pytest.raises(WorkStarted):
        main([*_VALIDATE, *options, "--out", str(out)])


def test_a_run_into_its_own_result_replaces_it(tmp_path, capsys, stand_ins):
    """Negative control: the same experiment again is not refused (it says it replaces the result)."""
    out = _run_result(tmp_path)
    with pytest.raises(WorkStarted):
        main([*_RUN, "--out", str(out)])
    assert "the earlier result of 'gate_control'" in capsys.readouterr().out


@pytest.mark.parametrize("holder, kind", [("api store", "store"), ("run", "run"), ("validation", "validation"),
                                          ("kept targets", "validation"), ("seed runs", "validation"),
                                          ("cli sweep", "sweep")])
def test_what_a_folder_holds(tmp_path, holder, kind):
    """Each kind is told by its files; a new or empty folder, or one of the user's files, holds none."""
    assert held_results(tmp_path / "new") == {} and held_results(tmp_path) == {}
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    assert held_results(tmp_path / "mine") == {}
    (tmp_path / "out").mkdir()
    HOLDERS[holder][0](tmp_path / "out")
    assert list(held_results(tmp_path / "out")) == [kind]


# ---------------------------------------------------------------- gap 4: painsim sweep's own store
_HS = ["sweep", "heat_response_sweep", "--workers", "2"]


@pytest.mark.parametrize("stored, options, said", [
    ({}, [], "continue it with --resume"),
    ({"seed": 5}, [], "another spec or seed"),
    ({}, ["--resume", "--seed", "5"], "another spec or seed"),
    ({"name": "scs_frequency_sweep"}, ["--resume"], "another spec or seed"),
])
def test_a_sweep_refuses_its_store_before_its_first_line_in_cli_words(tmp_path, capsys, stand_ins, stored,
                                                                       options, said):
    """Was: the banner ("28 runs ... store ...") and then run_sweep's "parameter 'store' ... expected a
    new folder, or resume=True (--resume)"."""
    out = tmp_path / "hs2"
    _sweep_store(out / "store", stored.get("name", "heat_response_sweep"), stored.get("seed"))
    before = _listing(out)
    assert main([*_HS, *options, "--out", str(out)]) == 2
    got = capsys.readouterr()
    assert got.out == ""  # refused before the sweep's first line
    err = got.err.strip()
    assert len(err.splitlines()) == 1 and f"--out {out}" in err and said in err
    assert "parameter 'store'" not in err and "resume=True" not in err
    assert _listing(out) == before


def test_a_sweep_store_of_other_code_is_refused_before_its_first_line(tmp_path, capsys, stand_ins):
    store = _sweep_store(tmp_path / "store")
    meta = json.loads((store / "spec.json").read_text())
    meta["code"]["source"] = "other code"
    (store / "spec.json").write_text(json.dumps(meta))
    assert main([*_SWEEP, "--resume", "--out", str(tmp_path)]) == 2
    got = capsys.readouterr()
    assert got.out == "" and "other code" in got.err and f"--out {tmp_path}" in got.err


def test_a_store_folder_holding_other_files_is_refused_before_its_first_line(tmp_path, capsys, stand_ins):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "notes.txt").write_text("mine")
    assert main([*_SWEEP, "--out", str(tmp_path)]) == 2
    got = capsys.readouterr()
    assert got.out == "" and "holds other files" in got.err


@pytest.mark.parametrize("options", [["--resume"], ["--resume", "--seed", "5"]])
def test_a_sweep_resumes_its_own_store(tmp_path, capsys, stand_ins, options):
    """Negative control: --resume with the same file and seed passes the CLI's check and the store's
    own (run_sweep opens it and starts its batches)."""
    seed = 5 if "--seed" in options else None
    _sweep_store(tmp_path / "store", "heat_response_sweep", seed)
    with pytest.raises(WorkStarted):
        main([*_HS, *options, "--out", str(tmp_path)])
    assert "sweep 'heat_response_sweep'" in capsys.readouterr().out  # the banner, then the work
