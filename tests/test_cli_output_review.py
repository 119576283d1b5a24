"""What an output folder shows after an interruption, a rerun or a kill (a review of `painsim run`,
`sweep` and `validate` on resumed and interrupted runs).

1. A plain rerun into a folder whose cohort store holds patients written after its ``results.nc``
   (a later run, interrupted) is refused; the store of the finished run itself still starts afresh.
2. Ctrl-C after a new result is written but before its figures and tables: no figure or table of
   the earlier run stays beside the new result; an uninterrupted run leaves its own.
3. A store interrupted while its first item was written (only its code record, or a killed
   writer's temporaries) keeps nothing: it is removed, not called kept work, and refuses no rerun.
4. The temporaries a killed writer left of a command's own outputs go when it writes them again;
   every other file stays.
5. Refusals of a store name what differs, in the command line's words.

The simulations are stand-ins (the folder's files are the subject): each test takes well under a
second of work.
"""
import json
import os

import matplotlib
import pytest
import xarray as xr
from refusals import WorkStarted, start_work

import painsim.files
import painsim.plots
from painsim import io, validation
from painsim.cli import main
from painsim.cli import output as cli_output
from painsim.params import overriding
from painsim.parallel import PATIENT_LAYOUT, ResultStore
from painsim.parallel import store as store_module
from painsim.sweep import load_spec
from painsim.validation import run as validation_run
from painsim.validation import targets as validation_targets
from painsim.validation.targets import Target

matplotlib.use("Agg")


def _result(seed: int, name: str) -> xr.Dataset:
    return xr.Dataset({"x": ("i", [float(seed)])}, attrs={"seed": seed, "experiment_name": name})


def _earlier_run(out, name, seed=1, tables=()):
    """A finished run's folder: its results.nc (of ``seed``), a figure and ``tables``."""
    io.save(_result(seed, name), out / "results.nc")
    (out / f"{name}_conditions.png").write_bytes(b"figure of the earlier run")
    for table in tables:
        (out / table).write_text("table of the earlier run")


def _seed_of(path) -> int:
    with xr.open_dataset(path) as ds:
        return int(ds.attrs["seed"])


@pytest.fixture
def simulated(monkeypatch):
    """``painsim run`` of a conditions or cohort file returns a stand-in result of ``--seed`` at once;
    its summary prints nothing (the figures are the test's)."""
    monkeypatch.setattr(painsim.files, "run_experiment",
                        lambda spec, seed=None, **kw: _result(seed or 1, spec["experiment"]["name"]))
    monkeypatch.setitem(cli_output._SUMMARIES, "conditions", lambda ds, out: {})


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def _one_figure(*args, **kwargs):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    return {"conditions": fig}


# ---------------------------------------------------------------- 1. a later run's patients
def _patients(store, n, mtime=None):
    """``n`` finished patients (and the code record) in ``store``, modified at ``mtime`` if given."""
    store.mkdir(parents=True, exist_ok=True)
    (store / "code.json").write_text("{}")
    for k in range(n):
        f = ResultStore(store, PATIENT_LAYOUT).file(k)
        f.write_bytes(b"patient")
        if mtime is not None:
            os.utime(f, ns=(mtime, mtime))
    return store


def _finished_cohort(out):
    """A finished `rtms_cohort` folder: results.nc, its figures and table (its own patients added by
    the caller)."""
    _earlier_run(out, "rtms_cohort", tables=("patients.csv",))
    return (out / "results.nc").stat().st_mtime_ns


_COHORT = ["run", "rtms_cohort", "--n-patients", "2"]


def test_a_plain_rerun_keeps_the_patients_of_a_later_interrupted_run(tmp_path, capsys, no_work):
    """Was: the folder's results.nc (of an earlier, finished run) made the store look finished, and a
    plain rerun removed the 2 patients a later, interrupted run had finished."""
    out = tmp_path / "out"
    written = _finished_cohort(out)
    store = _patients(out / "patients", 2, mtime=written + 10**10)  # written after the result
    before = sorted(p.name for p in store.iterdir())
    assert main([*_COHORT, "--seed", "2", "--out", str(out)]) == 2
    got = capsys.readouterr()
    err = got.err.strip()
    assert len(err.splitlines()) == 1 and f"--out {out} holds an interrupted run's 2 finished patients" in err
    assert "--resume" in err and got.out == ""  # before the run's first line, and before "replaced"
    assert sorted(p.name for p in store.iterdir()) == before
    with pytest.raises(WorkStarted):  # --resume continues them
        main([*_COHORT, "--seed", "2", "--resume", "--out", str(out)])


def test_the_finished_runs_own_patients_still_start_afresh(tmp_path, capsys, no_work):
    """Negative control: patients written before the folder's results.nc are that finished run's; a
    plain rerun removes them and starts, as before."""
    out = tmp_path / "out"
    written = _finished_cohort(out)
    _patients(out / "patients", 2, mtime=written - 10**10)
    with pytest.raises(WorkStarted):
        main([*_COHORT, "--seed", "2", "--out", str(out)])
    assert "starting afresh" in capsys.readouterr().out
    assert not list(out.glob("patients/patient_*.nc"))


def test_patients_without_a_result_are_still_refused(tmp_path, capsys, no_work):
    """Negative control: an interrupted first run (no results.nc) is refused as before."""
    out = tmp_path / "out"
    _patients(out / "patients", 1)
    assert main([*_COHORT, "--out", str(out)]) == 2
    assert f"--out {out} holds an interrupted run's" in capsys.readouterr().err
    assert (out / "patients" / "patient_000000.nc").is_file()


# ---------------------------------------------------------------- 2. no earlier figure beside a new result
def test_ctrl_c_before_the_figures_leaves_no_earlier_figure_beside_the_new_result(tmp_path, tiny, simulated,
                                                                                   monkeypatch):
    """Was: a seed-2 results.nc beside the seed-1 run's tiny_conditions.png."""
    out = tmp_path / "out"
    out.mkdir()
    _earlier_run(out, "tiny")
    (out / "notes.txt").write_text("mine")
    monkeypatch.setattr(painsim.plots, "experiment_figures", _interrupt)
    assert main(["run", str(tiny), "--seed", "2", "--out", str(out)]) == 130
    assert _seed_of(out / "results.nc") == 2
    assert not list(out.glob("tiny_*.png"))  # missing, not stale
    assert (out / "notes.txt").read_text() == "mine"


def test_an_interruption_before_the_result_keeps_the_earlier_run_whole(tmp_path, tiny, simulated, monkeypatch):
    """Negative control: Ctrl-C while simulating changes nothing: the earlier result keeps its figures."""
    out = tmp_path / "out"
    out.mkdir()
    _earlier_run(out, "tiny")
    monkeypatch.setattr(painsim.files, "run_experiment", _interrupt)
    assert main(["run", str(tiny), "--seed", "2", "--out", str(out)]) == 130
    assert _seed_of(out / "results.nc") == 1
    assert (out / "tiny_conditions.png").read_bytes() == b"figure of the earlier run"


def test_an_uninterrupted_rerun_leaves_its_own_figures(tmp_path, tiny, simulated, monkeypatch):
    """Negative control: the rerun's figure replaces the earlier one."""
    out = tmp_path / "out"
    out.mkdir()
    _earlier_run(out, "tiny")
    monkeypatch.setattr(painsim.plots, "experiment_figures", _one_figure)
    assert main(["run", str(tiny), "--seed", "2", "--out", str(out)]) == 0
    assert _seed_of(out / "results.nc") == 2
    assert (out / "tiny_conditions.png").read_bytes().startswith(b"\x89PNG")


@pytest.fixture
def cohort_summary(monkeypatch):
    """The cohort summary without a cohort: its patient table from the stand-in result."""
    import pandas as pd
    monkeypatch.setattr(cli_output, "from_dataset", lambda ds: pd.DataFrame({"seed": [ds.attrs["seed"]]}))
    monkeypatch.setattr(painsim.files, "cohort_rows", lambda ds: [])


def test_ctrl_c_before_a_cohorts_table_leaves_no_earlier_table(tmp_path, simulated, cohort_summary, monkeypatch):
    """Was: patients.csv, written after the figures, stayed the earlier run's beside the new result."""
    out = tmp_path / "out"
    out.mkdir()
    _finished_cohort(out)
    monkeypatch.setattr(painsim.plots, "cohort_figures", _interrupt)
    assert main([*_COHORT, "--seed", "2", "--out", str(out)]) == 130
    assert _seed_of(out / "results.nc") == 2
    assert not (out / "patients.csv").exists() and not list(out.glob("rtms_cohort_*.png"))
    # negative control: a run that ends writes its own table
    monkeypatch.setattr(painsim.plots, "cohort_figures", lambda ds: {})
    assert main([*_COHORT, "--seed", "3", "--out", str(out)]) == 0
    assert "3" in (out / "patients.csv").read_text()


@pytest.fixture
def targets(monkeypatch):
    """Two stand-in validation targets, measured at once (their value is the seed)."""
    made = tuple(Target(n, f"stand-in {n}", 1.0, None, None, "1", "none", "prediction", "fast",
                        lambda seed: float(seed)) for n in ("A", "B"))
    monkeypatch.setattr(validation_targets, "TARGETS", made)
    monkeypatch.setattr(validation_run, "TARGETS", made)


_VALIDATE = ["validate", "--only", "A", "B"]
_WRITTEN = ("validation.md", "validation.png", "comparison.md")


def test_ctrl_c_before_validations_figure_leaves_no_earlier_table_or_figure(tmp_path, targets, monkeypatch):
    """Was: validation.nc of seed 2 beside the seed-1 run's validation.png (and comparison.md)."""
    out = tmp_path / "v"
    assert main([*_VALIDATE, "--out", str(out)]) == 0
    (out / "comparison.md").write_text("comparison of the earlier run")
    assert all((out / n).is_file() for n in _WRITTEN)
    drawing = painsim.plots.validation_figure
    monkeypatch.setattr(painsim.plots, "validation_figure", _interrupt)
    assert main([*_VALIDATE, "--seed", "2", "--out", str(out)]) == 130
    assert _seed_of(out / "validation.nc") == 2
    assert not (out / "validation.png").exists() and not (out / "comparison.md").exists()
    assert "seed 2" in (out / "validation.md").read_text().splitlines()[0]  # this run's own table
    monkeypatch.setattr(painsim.plots, "validation_figure", drawing)  # negative control: a run that ends
    assert main([*_VALIDATE, "--seed", "3", "--out", str(out)]) == 0
    assert (out / "validation.png").is_file() and "seed 3" in (out / "validation.md").read_text()


# ---------------------------------------------------------------- 3. a store that keeps nothing
def _first_patient_interrupted(spec, seed=None, progress=False, store=None, **kwargs):
    """A cohort interrupted while its first patient is written, by the store's own code: its code
    record is on disk, the patient is not."""
    def cut(ds, path):
        raise KeyboardInterrupt
    st = ResultStore(store, PATIENT_LAYOUT)
    st.open_items(["key"], resume=False)
    store_module.save, real = cut, store_module.save
    try:
        st.write((0,), xr.Dataset({"x": 1.0}), fingerprint="key")
    finally:  # as the cohort run does when it stops
        store_module.save = real
        st.close()


def test_a_store_interrupted_in_its_first_patient_keeps_nothing(tmp_path, capsys, no_work, monkeypatch):
    """Was: patients/ with only code.json was kept, the run said finished patients were kept, and a
    plain rerun was refused as an interrupted run's."""
    out, running = tmp_path / "out", painsim.files.run_experiment
    monkeypatch.setattr(painsim.files, "run_experiment", _first_patient_interrupted)
    assert main([*_COHORT, "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert "kept" not in err and "--resume" not in err and err.count("painsim: interrupted") == 1
    assert not (out / "patients").exists() and not out.exists()
    monkeypatch.setattr(painsim.files, "run_experiment", running)
    with pytest.raises(WorkStarted):  # a plain rerun is not refused
        main([*_COHORT, "--out", str(out)])


@pytest.mark.parametrize("leftovers", [(), (".patient_000000.nc.k1ll3d_x.tmp", ".code.json.abcd1234.tmp")])
def test_a_killed_writers_store_of_no_patient_refuses_no_rerun(tmp_path, capsys, no_work, leftovers):
    """After a kill (nothing cleaned up): the code record, and the temporaries of the first patient
    and of the code record; a plain rerun starts (no patients are said to be removed)."""
    store = tmp_path / "out" / "patients"
    store.mkdir(parents=True)
    for name in ("code.json", *leftovers):
        (store / name).write_text("")
    with pytest.raises(WorkStarted):
        main([*_COHORT, "--out", str(tmp_path / "out")])
    assert "starting afresh" not in capsys.readouterr().out
    assert not (store / "code.json").exists()
    if not leftovers:  # (a killed writer's temporaries go when the cohort opens its store, under its lock)
        assert not store.exists()


def test_a_store_with_a_finished_patient_is_kept_and_said(tmp_path, capsys, no_work, monkeypatch):
    """Negative control: an interrupted store holding a finished patient stays, is said to be kept
    (with how many), and refuses a plain rerun."""
    out = tmp_path / "out"

    def one_then_interrupted(spec, store=None, **kwargs):
        _patients(store, 1)
        raise KeyboardInterrupt
    monkeypatch.setattr(painsim.files, "run_experiment", one_then_interrupted)
    assert main([*_COHORT, "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert f"kept in {out / 'patients'}; continue with --resume" in err and "finished patient" in err
    assert err.count("interrupted") == 1
    assert (out / "patients" / "patient_000000.nc").is_file()
    assert main([*_COHORT, "--out", str(out)]) == 2


# ---------------------------------------------------------------- 4. temporaries of a killed writer
_OTHERS = (".notes.txt.abcd1234.tmp", ".other_conditions.png.abcd1234.tmp", ".results.nc.abcd1234.tmp.png",
           "results.nc.abcd1234.tmp", ".results.nc.backup", "notes.txt")


def _leftovers(out, own):
    out.mkdir(parents=True, exist_ok=True)
    for name in (*own, *_OTHERS):
        (out / name).write_bytes(b"")


def _hidden(out):
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def test_a_run_removes_the_temporaries_of_its_own_outputs(tmp_path, tiny, simulated, monkeypatch):
    """Was: .results.nc.<random>.tmp and .tiny_conditions.png.<random>.tmp stayed after later runs."""
    out = tmp_path / "out"
    _leftovers(out, (".results.nc.xyz12345.tmp", ".tiny_conditions.png.abc_1234.tmp",
                     ".tiny_pain_map.png.q1w2e3r4.tmp.png"))
    monkeypatch.setattr(painsim.plots, "experiment_figures", _one_figure)
    assert main(["run", str(tiny), "--out", str(out)]) == 0
    assert _hidden(out) == sorted(n for n in _OTHERS if n.startswith("."))  # every other file stays
    assert all((out / n).exists() for n in _OTHERS)


def test_a_sweep_removes_the_temporaries_of_its_figures(tmp_path, monkeypatch):
    """The reviewer's case: a figure's temporary after a kill, then a resumed sweep that ends."""
    import painsim.cli as cli
    out = tmp_path / "out"
    _leftovers(out, (".tiny_sweep_sweep_pain.png.29j8he76.tmp",))
    spec = tmp_path / "tiny_sweep.toml"
    spec.write_text('[sweep]\nname = "tiny_sweep"\nkind = "simulate"\nmodel = "gate_control"\nduration = "0.2 s"\n'
                    'outcomes = ["pn_rate"]\n[parameters]\nheat = { values = [44.0, 48.0] }\n')
    monkeypatch.setattr(cli, "run_sweep", lambda *a, **k: xr.Dataset(attrs={"n_done": 2, "n_failed": 0}))
    monkeypatch.setattr(painsim.plots, "sweep_figures", lambda ds: {})
    assert main(["sweep", str(spec), "--workers", "0", "--out", str(out)]) == 0
    assert _hidden(out) == sorted(n for n in _OTHERS if n.startswith("."))


def test_validate_removes_the_temporaries_of_its_own_outputs(tmp_path, targets):
    out = tmp_path / "v"
    _leftovers(out, (".validation.nc.abcd1234.tmp", ".validation.png.abcd1234.tmp", ".validation.md.zz_z9999.tmp"))
    assert main([*_VALIDATE, "--out", str(out)]) == 0
    assert _hidden(out) == sorted(n for n in _OTHERS if n.startswith("."))


def test_a_run_stopped_before_writing_leaves_the_folder_as_it_was(tmp_path, tiny, simulated, monkeypatch):
    """Negative control: a run that writes nothing (interrupted while simulating) removes nothing."""
    out = tmp_path / "out"
    own = (".results.nc.xyz12345.tmp",)
    _leftovers(out, own)
    monkeypatch.setattr(painsim.files, "run_experiment", _interrupt)
    assert main(["run", str(tiny), "--out", str(out)]) == 130
    assert all((out / n).exists() for n in (*own, *_OTHERS))


# ---------------------------------------------------------------- 5. refusals name what differs
_HS = ["sweep", "heat_response_sweep", "--workers", "2"]


def _sweep_store(path, seed=None, variant=None):
    """A store as painsim.run_sweep opens it (under ``variant``: ``--set``)."""
    with overriding(variant or {}):
        spec = load_spec("heat_response_sweep", seed=seed)
        meta = {"spec": spec.to_dict(), **({"model_overrides": variant} if variant else {})}
        ResultStore(path).open(spec.key(), meta, resume=False)
    return path


@pytest.mark.parametrize("stored, options, said", [
    ({"seed": 5}, ["--seed", "2"], "its seed 5 vs --seed 2"),
    ({"seed": 5}, [], "its seed 5 vs "),
    ({"variant": {"dorsal_horn.synapse.c_gain": 0.5}}, ["--resume"],
     "its --set dorsal_horn.synapse.c_gain=0.5 vs none"),
    ({}, ["--set", "dorsal_horn.synapse.c_gain=0.5"], "its --set none vs dorsal_horn.synapse.c_gain=0.5"),
])
def test_a_sweep_store_of_another_run_names_what_differs(tmp_path, capsys, stored, options, said, monkeypatch):
    """Was: "with another spec or seed" only, whatever differed."""
    monkeypatch.setattr("painsim.sweep.run.run_batches", start_work)
    _sweep_store(tmp_path / "store", stored.get("seed"), stored.get("variant"))
    assert main([*_HS, *options, "--out", str(tmp_path)]) == 2
    got = capsys.readouterr()
    errors = [line for line in got.err.splitlines() if line.startswith("painsim: error")]
    err = errors[0] if len(errors) == 1 else got.err
    assert got.out == "" and len(errors) == 1 and said in err and "another --out" in err
    if "seed" in stored and "--seed" not in options:
        assert "(the file's)" in err


def test_a_sweep_store_differing_in_nothing_it_records_keeps_the_general_words(tmp_path, capsys, monkeypatch):
    """Negative control: a store whose spec and variant are this sweep's, but whose key differs (its
    model file was edited): nothing named, the earlier text."""
    store = _sweep_store(tmp_path / "store")
    meta = json.loads((store / "spec.json").read_text())
    meta["key"] = "another model file"
    (store / "spec.json").write_text(json.dumps(meta))
    assert main([*_HS, "--resume", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "with another spec or seed" in err and "its " not in err


def test_validate_without_resume_refuses_kept_targets_in_cli_words(tmp_path, capsys, targets):
    """Was: the banner, then "parameter 'store' ... expected a new folder, or resume=True (--resume)"."""
    out = tmp_path / "v"
    (out / "targets").mkdir(parents=True)
    (out / "targets" / "target_000.json").write_text("{}")
    assert main([*_VALIDATE, "--out", str(out)]) == 2
    got = capsys.readouterr()
    err = got.err.strip()
    assert got.out == "" and len(err.splitlines()) == 1
    assert f"--out {out} holds an interrupted validation run's 1 measured target(s)" in err and "--resume" in err
    assert "resume=True" not in err and "parameter 'store'" not in err
    assert (out / "targets" / "target_000.json").read_text() == "{}"


def test_validate_into_a_store_that_keeps_nothing_is_not_refused(tmp_path, monkeypatch):
    """Negative control: a targets/ folder with only its code record is no run's work; with --resume
    kept targets are continued."""
    monkeypatch.setattr(validation, "validate", start_work)
    out = tmp_path / "v"
    (out / "targets").mkdir(parents=True)
    (out / "targets" / "code.json").write_text("{}")
    with pytest.raises(WorkStarted):
        main(["validate", "--only", "drg_c_filtering", "--out", str(out)])
    (out / "targets").mkdir(parents=True, exist_ok=True)
    (out / "targets" / "target_000.json").write_text("{}")
    with pytest.raises(WorkStarted):
        main(["validate", "--only", "drg_c_filtering", "--resume", "--out", str(out)])
