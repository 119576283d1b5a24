"""The command line behaves like a tool a scientist can trust: --version, --help with examples,
`painsim models` with commands and protocols, one-line errors before any work starts, file modes
that follow the umask, rows that print what they claim, Neo export."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim import io
from painsim.cli import main
from painsim.files import cohort_rows, condition_rows, results_file

ROOT = Path(__file__).resolve().parents[1]
EXP = ROOT / "experiments"


def test_version_prints_the_package_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"painsim {ps.__version__}"


def test_help_shows_examples_of_every_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    for command in ("painsim run ", "painsim course ", "painsim sweep ", "painsim figures ", "painsim models",
                    "painsim export "):
        assert command in out, command


def test_models_lists_kinds_commands_and_protocols(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    for line in ("painsim run gate_control", "painsim run spinal_ltp_ltd", "painsim run rtms_cohort",
                 "painsim course rtms_course", "painsim sweep scs_frequency_sweep"):
        assert line in out, line
    for kind in ("conditions", "conditioning", "course", "cohort", "sweep"):
        assert f" {kind} " in out, kind
    assert "S1 map territories" in out  # an experiment's description
    for name in ps.protocols.names():
        assert name in out and ps.protocols.get(name).description in out


# ------------------------------------------------------------------ bad paths and arguments
def _bad_cases(tmp: Path) -> dict:
    (tmp / "empty_dir").mkdir()
    no_spikes = tmp / "course_result.nc"
    io.save(xr.Dataset({"relief": (("day",), np.array([10.0, 20.0]))}, coords={"day": [30, 90]}), no_spikes)
    bad_stim = tmp / "bad_stimulus.toml"
    bad_stim.write_text('[experiment]\nname = "x"\nmodel = "gate_control"\nduration = "0.1 s"\n'
                        '[[condition]]\nnoxious = 0.5\nstimulus = {type = "tonik"}\n')
    binary = tmp / "binary.toml"
    binary.write_bytes(b"\x89HDF\r\n\x1a\n\xff\xfe\x00")
    out = ["--out", str(tmp / "out")]
    return {
        "folder as file": ["run", str(tmp)] + out,
        "sweep file to run": ["run", str(EXP / "scs_frequency_sweep.toml")] + out,
        "course file to sweep": ["sweep", str(EXP / "rtms_course.toml")] + out,
        "conditions file to course": ["course", str(EXP / "gate_control.toml")] + out,
        "cohort file to sweep": ["sweep", "rtms_cohort"] + out,
        "missing file": ["run", str(tmp / "nope.toml")] + out,
        "binary toml": ["run", str(binary)] + out,
        "non-netcdf to figures": ["figures", str(EXP / "gate_control.toml")] + out,
        "folder without results to figures": ["figures", str(tmp / "empty_dir")] + out,
        "negative seed run": ["run", "gate_control", "--seed", "-3"] + out,
        "negative seed course": ["course", "rtms_course", "--seed", "-3"] + out,
        "seed not a number": ["sweep", "scs_frequency_sweep", "--seed", "x"] + out,
        "zero workers cohort": ["run", "rtms_cohort", "--workers", "0"] + out,
        "negative workers sweep": ["sweep", "scs_frequency_sweep", "--workers", "-1"] + out,
        "zero batch size": ["sweep", "scs_frequency_sweep", "--batch-size", "0"] + out,
        "zero patients": ["run", "rtms_cohort", "--n-patients", "0"] + out,
        "cohort option on conditions file": ["run", "gate_control", "--n-patients", "3"] + out,
        "export without spikes": ["export", str(no_spikes), "--neo", str(tmp / "out" / "s.pkl")],
        "export of a toml": ["export", str(EXP / "gate_control.toml"), "--neo", str(tmp / "out" / "s.pkl")],
        "export to unknown format": ["export", str(no_spikes), "--neo", str(tmp / "out" / "s.txt")],
        "bad stimulus found while running": ["run", str(bad_stim)] + out,
        "unknown command": ["simulate"],
        "misspelt --set path run": ["run", "gate_control", "--set", "dorsal_horn.synapse.c_gian=1"] + out,
        "--set value out of range course": ["course", "rtms_course", "--set", "pathology.disinhibition=2"] + out,
        "--set path twice sweep": ["sweep", "scs_frequency_sweep", "--set", "dorsal_horn.synapse.c_gain=1",
                                   "--set", "dorsal_horn.synapse.c_gain=0.5"] + out,
        "--set without a value run": ["run", "gate_control", "--set", "dorsal_horn.synapse.c_gain="] + out,
    }


CASES = ["folder as file", "sweep file to run", "course file to sweep", "conditions file to course",
         "cohort file to sweep", "missing file", "binary toml", "non-netcdf to figures",
         "folder without results to figures", "negative seed run", "negative seed course", "seed not a number",
         "zero workers cohort", "negative workers sweep", "zero batch size", "zero patients",
         "cohort option on conditions file", "export without spikes", "export of a toml",
         "export to unknown format", "bad stimulus found while running", "unknown command",
         "misspelt --set path run", "--set value out of range course", "--set path twice sweep",
         "--set without a value run"]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_exit_2_and_leaves_no_output(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = _bad_cases(tmp_path)[case]
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("painsim: error: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "painsim-out").exists()


def test_messages_name_the_right_command(tmp_path, capsys):
    assert main(["run", str(EXP / "scs_frequency_sweep.toml")]) == 2
    assert "painsim sweep" in capsys.readouterr().err
    assert main(["run", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["export", str(EXP / "gate_control.toml"), "--neo", str(tmp_path / "x.pkl")]) == 2
    assert "not a NetCDF file" in capsys.readouterr().err


def test_real_process_exit_code_and_no_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "painsim.cli", "run", "gate_control", "--seed", "-3",
                        "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("painsim: error: ") and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr and not (tmp_path / "out").exists()
    for module in ("painsim.cli", "painsim"):   # python -m painsim is the command too
        r = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True)
        assert r.returncode == 0 and r.stdout.strip() == f"painsim {ps.__version__}", module


def test_an_unwritable_out_is_one_line_exit_1_and_no_traceback(tmp_path):
    (tmp_path / "a_file").write_text("")
    r = subprocess.run([sys.executable, "-m", "painsim.cli", "run", "gate_control",
                        "--out", str(tmp_path / "a_file" / "out")], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("painsim: error: ")]
    assert errors == r.stderr.strip().splitlines()[-1:] and len(errors) == 1
    assert f"--out {tmp_path / 'a_file' / 'out'}" in errors[0]


def test_a_course_with_an_unwritable_out_fails_before_it_runs(tmp_path, monkeypatch, capsys):
    """The output folder of `painsim course` is made (or refused) before the course runs, as for
    `painsim run`: an unwritable --out costs no simulation (a stand-in engine would fail the test)."""
    def must_not_run(*args, **kwargs):
        raise AssertionError("the course ran although its output folder cannot be made")
    monkeypatch.setattr("painsim.cli.run_course_file", must_not_run)
    (tmp_path / "a_file").write_text("")
    assert main(["course", "mpns_course", "--out", str(tmp_path / "a_file" / "out")]) == 1
    assert "painsim: error: " in capsys.readouterr().err


def test_a_sweep_output_folder_designates_its_result(tmp_path):
    store = tmp_path / "sweep-out" / "store"
    store.mkdir(parents=True)
    io.save(xr.Dataset({"x": (("point",), np.arange(3.0))}), store / "result.nc")
    assert results_file(tmp_path / "sweep-out") == store / "result.nc"
    assert results_file(store) == store / "result.nc"


# ------------------------------------------------------------------ file modes
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = io.save(xr.Dataset({"x": (("t",), np.arange(3.0))}), tmp_path / "r.nc")
        with io.atomic_path(tmp_path / "t.csv") as tmp:
            tmp.write_text("a,b\n")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == mode
    assert (tmp_path / "t.csv").stat().st_mode & 0o777 == mode


def test_a_failed_rename_leaves_no_temporary(tmp_path):
    (tmp_path / "t.csv").mkdir()  # the target is a non-empty folder: os.replace fails
    (tmp_path / "t.csv" / "keep").write_text("")
    with pytest.raises(OSError):
        with io.atomic_path(tmp_path / "t.csv") as tmp:
            tmp.write_text("a,b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_the_temporary_is_synced_before_the_rename(tmp_path, monkeypatch):
    synced = []
    real = os.fsync

    def spy(fd):
        synced.append(fd)
        return real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    with io.atomic_path(tmp_path / "t.csv") as tmp:
        tmp.write_text("a,b\n")
    assert synced and (tmp_path / "t.csv").read_text() == "a,b\n"


# ------------------------------------------------------------------ printed rows
def _pain_map_like() -> xr.Dataset:
    """Two conditions of a five-site pathway model: heat at site 4 (healthy), no input (post-stroke)."""
    site_rate = np.array([[0.0, 0.0, 0.0, 0.0, 41.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    noxious = [json.dumps({"4": {"intensity": 0.6, "start_s": 0.0, "stop_s": 1.0}}), json.dumps({})]
    return xr.Dataset(
        {"site_pn_rate": (("condition", "site"), site_rate), "pn_rate": (("condition",), site_rate[:, 2]),
         "pain": (("condition",), [3.0, 6.2]), "gate_index": (("condition",), [0.1, 0.0]),
         "spinal_pain": (("condition",), [2.9, 0.0]), "map_overactive_area": (("condition",), [17e-6, 25e-6]),
         "noxious": (("condition",), noxious), "touch": (("condition",), [json.dumps({}), json.dumps({})])},
        coords={"condition": ["healthy, site 4", "post-stroke (ischemic), sham"], "site": np.arange(5)})


def test_rows_print_the_pn_rate_of_the_stimulated_site():
    healthy, stroke = condition_rows(_pain_map_like())
    assert "PN  41.0 Hz (site 4)" in healthy
    assert "painful site" in stroke and "S1 overactive  25.0 mm²" in stroke  # where the pain comes from
    assert "spinal  0.0" in stroke
    # with the map's term recorded (every pathway result now), the row names it beside the area
    with_term = _pain_map_like().assign(map_pain=(("condition",), [3.1, 6.9]))
    assert "spinal  0.0 + map  6.9 (S1 overactive  25.0 mm²)" in condition_rows(with_term)[1]


def test_rows_find_the_site_of_a_physical_stimulus():
    """Heat in degC is stored as {"kind": "heat", ...}, without an intensity: the row still finds its site
    (a stored shorthand of intensity 0 is no stimulus, as before)."""
    ds = _pain_map_like()
    ds["noxious"] = ("condition",), [json.dumps({"4": {"kind": "heat", "value": 45.0, "unit": "degC",
                                                       "start_s": 0.0, "stop_s": None}}),
                                     json.dumps({"4": {"intensity": 0.0, "start_s": 0.0, "stop_s": 1.0}})]
    heated, unstimulated = condition_rows(ds)
    assert "PN  41.0 Hz (site 4)" in heated
    assert "(site 4)" not in unstimulated


def test_a_one_site_physical_stimulus_marks_site_0():
    from painsim.analysis import stimulated_site
    heat = json.dumps({"kind": "heat", "value": 47.0, "unit": "degC", "start_s": 0.0, "stop_s": None})
    ds = xr.Dataset({"noxious": (("condition",), [heat, json.dumps({"intensity": 0.0})])})
    assert stimulated_site(ds, 0) == 0 and stimulated_site(ds, 1) is None


def test_rows_of_one_site_models_are_unchanged():
    ds = xr.Dataset({"pn_rate": (("condition",), [37.4]), "pain": (("condition",), [4.7]),
                     "gate_index": (("condition",), [0.0])}, coords={"condition": ["noxious input alone"]})
    (row,) = condition_rows(ds)
    assert "pain  4.7 / 10" in row and "PN  37.4 Hz" in row and "site" not in row


def test_odds_ratios_that_are_not_estimable_say_so():
    ds = xr.Dataset(
        {"simulated": (("statistic",), [0.0, 0.4]), "sim_ci_low": (("statistic",), [np.nan, 0.3]),
         "sim_ci_high": (("statistic",), [np.nan, 0.5]), "published": (("statistic",), [2.1, 0.42]),
         "pub_ci_low": (("statistic",), [1.1, np.nan]), "pub_ci_high": (("statistic",), [4.0, np.nan]),
         "responder_n": (("group", "threshold"), [[10]]), "responder_rate": (("group", "threshold"), [[0.4]]),
         "responder_ci_low": (("group", "threshold"), [[0.2]]),
         "responder_ci_high": (("group", "threshold"), [[0.6]])},
        coords={"statistic": ["OR hemorrhagic", "responder rate"], "group": ["all"], "threshold": [0.3]})
    rows = cohort_rows(ds)
    assert "not estimable" in rows[1] and "nan" not in rows[1]
    assert "0.40 [0.30; 0.50]" in rows[2]


# ------------------------------------------------------------------ Neo export
@pytest.fixture(scope="module")
def short_result(tmp_path_factory):
    res = ps.simulate(ps.load_model("gate_control"), noxious=0.6, duration="0.3 s", seed=1)
    return io.save(res, tmp_path_factory.mktemp("neo") / "results.nc"), res.sizes["spike"]


@pytest.mark.parametrize("per", ["neuron", "population"])
def test_export_writes_a_neo_file_with_every_spike(short_result, tmp_path, capsys, per):
    neo = pytest.importorskip("neo")
    path, n_spikes = short_result
    assert n_spikes > 0
    out = tmp_path / "spikes" / "s.pkl"
    assert main(["export", str(path), "--neo", str(out), "--per", per]) == 0
    assert str(out.resolve()) in capsys.readouterr().out
    block = neo.io.PickleIO(str(out)).read_block()
    assert sum(len(st) for seg in block.segments for st in seg.spiketrains) == n_spikes


def test_export_writes_a_relative_name_into_out(short_result, tmp_path, capsys):
    """--out is the folder of a relative --neo name, as every command's output folder; --seed is accepted."""
    pytest.importorskip("neo")
    path, _ = short_result
    assert main(["export", str(path), "--neo", "s.pkl", "--out", str(tmp_path / "o"), "--seed", "1"]) == 0
    assert (tmp_path / "o" / "s.pkl").is_file()
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    assert main(["export", str(path), "--neo", "s.pkl", "--out", str(a_file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert main(["export", str(path), "--neo", str(tmp_path / "abs.pkl"), "--out", str(tmp_path / "o2")]) == 2
    assert "absolute path" in capsys.readouterr().err and not (tmp_path / "o2").exists()


def test_every_command_takes_seed_and_out():
    """The README's promise, read from the parser: each sub-command has --seed and --out."""
    import argparse
    from painsim.cli import build_parser
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in sub.choices.items():
        options = {o for a in parser._actions for o in a.option_strings}
        assert {"--seed", "--out"} <= options, name


def test_environment_switches_refuse_a_misspelt_value_by_name(monkeypatch):
    """painsim.checks.env_choice (PAINSIM_TARGET, PAINSIM_STANDALONE_PROFILE / _VECTORISE): an
    allowed value or the default when unset is taken; a misspelt one is refused, naming the
    variable, the value and what is allowed, never silently read as the default."""
    from painsim.checks import env_choice
    from painsim.errors import ParameterError

    monkeypatch.delenv("PAINSIM_TEST_SWITCH", raising=False)
    assert env_choice("PAINSIM_TEST_SWITCH", "1", ("0", "1")) == "1"
    monkeypatch.setenv("PAINSIM_TEST_SWITCH", "0")
    assert env_choice("PAINSIM_TEST_SWITCH", "1", ("0", "1")) == "0"
    monkeypatch.setenv("PAINSIM_TEST_SWITCH", "yes")
    with pytest.raises(ParameterError) as err:
        env_choice("PAINSIM_TEST_SWITCH", "1", ("0", "1"))
    assert "PAINSIM_TEST_SWITCH" in str(err.value) and "yes" in str(err.value) and "0, 1" in str(err.value)


def test_a_variant_in_the_environment_is_announced(monkeypatch, capsys):
    """Models loaded by any command carry a variant set in the environment
    (painsim.params.OVERRIDES_ENV); the command says so on stderr before working."""
    from painsim.cli import main
    from painsim.params import OVERRIDES_ENV
    monkeypatch.setenv(OVERRIDES_ENV, '{"dorsal_horn.synapse.c_gain": 0.5}')
    assert main(["models"]) == 0
    assert OVERRIDES_ENV in capsys.readouterr().err
    monkeypatch.delenv(OVERRIDES_ENV)
    assert main(["models"]) == 0
    assert OVERRIDES_ENV not in capsys.readouterr().err  # negative control


def test_run_with_set_computes_and_records_the_variant(tmp_path, capsys, monkeypatch):
    """``painsim run --set`` runs a model variant: with GABA_A/glycine blocked in every model, the
    gate experiment's stimulated condition equals its own "inhibition blocked" condition spike for
    spike, and the file records the variant; without --set (negative control) stimulation is gated
    and nothing is recorded.  The variant does not outlive the command."""
    from painsim.params import OVERRIDES_ENV
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    runs = {}
    for name, extra in (("variant", ["--set", "dorsal_horn.pharmacology.gaba_block=1"]), ("default", [])):
        assert main(["run", "gate_control", "--out", str(tmp_path / name)] + extra) == 0
        runs[name] = xr.load_dataset(tmp_path / name / "results.nc")
    assert OVERRIDES_ENV in capsys.readouterr().err  # the variant is announced
    assert OVERRIDES_ENV not in os.environ
    pn = {k: ds["pn_rate"].values for k, ds in runs.items()}
    assert pn["variant"][1] == pn["variant"][2] and pn["variant"][1] > pn["variant"][0]
    assert pn["default"][1] < pn["default"][2]
    assert json.loads(runs["variant"].attrs["model_overrides"]) == {"dorsal_horn.pharmacology.gaba_block": 1}
    assert "model_overrides" not in runs["default"].attrs


def test_an_interrupted_sweep_says_so_once_and_where_its_points_are(monkeypatch, tmp_path, capsys):
    """Ctrl-C: one line naming the store and --resume, exit code 130 (the generic "interrupted"
    line of other commands is not printed a second time)."""
    import painsim.cli as cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "run_sweep", interrupted)
    code = main(["sweep", str(EXP / "scs_frequency_sweep.toml"), "--out", str(tmp_path / "sw")])
    err = capsys.readouterr().err
    assert code == 130
    assert err.count("painsim: interrupted") == 1 and "--resume" in err


@pytest.mark.parametrize("workers, scheduler, said", [
    (0, None, "this process"), (1, None, "1 worker process"), (2, None, "2 worker processes"),
    (None, None, "all CPU worker processes"), (2, "tcp://host:8786", "Dask scheduler tcp://host:8786")])
def test_a_sweep_says_where_its_runs_go_in_plain_words(workers, scheduler, said):
    from painsim.cli import sweep_destination
    assert sweep_destination(workers, scheduler) == said


# ------------------------------------------------------------------ an output folder holds one result


def test_a_rerun_replaces_its_result_and_the_figures_it_no_longer_draws(tmp_path, tiny, capsys):
    """Was: the new results.nc sat beside the figures of the run it replaced.  A figure named like the
    experiment's that this run does not draw goes; the user's other files stay."""
    path, out = tiny, tmp_path / "out"
    out.mkdir()
    (out / "tiny_mine.png").write_bytes(b"the user's")  # no earlier result: nothing is removed
    assert main(["run", str(path), "--out", str(out)]) == 0
    assert (out / "tiny_mine.png").read_bytes() == b"the user's"
    (out / "tiny_mine.png").unlink()
    drawn = sorted(p.name for p in out.glob("*.png"))
    assert drawn and "replaced" not in capsys.readouterr().out
    (out / "tiny_gone.png").write_bytes(b"an earlier run's figure")
    (out / "notes.txt").write_text("mine")
    assert main(["run", str(path), "--out", str(out)]) == 0
    assert "the earlier result of 'tiny'" in capsys.readouterr().out
    assert sorted(p.name for p in out.glob("*.png")) == drawn
    assert (out / "notes.txt").read_text() == "mine"
    assert xr.load_dataset(out / "results.nc").attrs["experiment_name"] == "tiny"


@pytest.mark.parametrize("attrs", [{"experiment": "other"}, {}])
def test_an_out_holding_another_experiments_result_is_refused_before_it_runs(tmp_path, tiny, capsys, attrs):
    path, out = tiny, tmp_path / "out"
    io.save(xr.Dataset({"x": ("i", [1.0])}, attrs=attrs), out / "results.nc")
    before = (out / "results.nc").read_bytes()
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"--out {out}" in err and ("'other'" in err if attrs else "does not name" in err)
    assert (out / "results.nc").read_bytes() == before and not list(out.glob("*.png"))


def test_a_run_and_a_sweep_never_share_an_output_folder(tmp_path, tiny, capsys):
    """A sweep's store/ beside a run's results.nc (either way round) is refused before any work; the
    folder of a finished sweep is not mistaken for a run's (the negative control: an empty folder)."""
    path, swept, ran = tiny, tmp_path / "swept", tmp_path / "ran"
    (swept / "store").mkdir(parents=True)
    assert main(["run", str(path), "--out", str(swept)]) == 2
    assert f"--out {swept} holds a sweep's result" in capsys.readouterr().err
    io.save(xr.Dataset({"x": ("i", [1.0])}, attrs={"experiment_name": "tiny"}), ran / "results.nc")
    assert main(["sweep", "scs_frequency_sweep", "--out", str(ran)]) == 2
    assert f"--out {ran} holds a run's result" in capsys.readouterr().err
    assert sorted(p.name for p in ran.iterdir()) == ["results.nc"]
    from painsim.files import earlier_result
    assert earlier_result(tmp_path / "empty", "tiny") is False
    assert earlier_result(tmp_path / "empty", "x", kind="sweep") is False


def test_a_misspelt_kind_is_named_whichever_command_gets_the_file(tmp_path, capsys):
    """Was: 'painsim course' called a kind = "courses" file "a courses" and sent it to 'painsim run'."""
    text = (EXP / "tens_course.toml").read_text().replace('kind = "course"', 'kind = "courses"', 1)
    (tmp_path / "k.toml").write_text(text)
    for command in ("course", "run"):
        assert main([command, str(tmp_path / "k.toml")]) == 2
        assert "unknown experiment.kind 'courses'; did you mean 'course'?" in capsys.readouterr().err


@pytest.mark.parametrize("only", [",", ""])
def test_validate_only_with_no_name_is_refused_not_read_as_every_target(only, capsys):
    assert main(["validate", "--only", only]) == 2
    assert "parameter 'only'" in capsys.readouterr().err


@pytest.mark.parametrize("error, brian_banner", [("ps.load_model('nope')", False), ("1 / 0", True)])
def test_an_uncaught_painsim_error_is_not_reported_as_a_brian2_bug(tmp_path, error, brian_banner):
    """brian2's hook calls every uncaught exception a possible brian2 bug; painsim's own errors (bad
    input) print as Python prints them, anything else still gets brian2's message."""
    script = ("import painsim as ps; ps.simulate('gate_control', noxious=0.6, duration='0.05 s'); " + error)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                       env={**os.environ, "HOME": str(tmp_path), "PAINSIM_TARGET": "numpy"})
    assert r.returncode == 1
    assert ("UnknownKeyError" in r.stderr) != brian_banner
    assert ("Brian 2 encountered an unexpected error" in r.stderr) == brian_banner


def test_a_sweep_result_records_its_variant_code_and_command(tmp_path, monkeypatch):
    """``painsim sweep --set``: the gathered result says which model variant and which code computed
    it, and by which command, as run and course files do; read back by another process without the
    variant (load_sweep) it still names the stored one; a sweep without --set records none."""
    from painsim.params import OVERRIDES_ENV
    from painsim.sweep import load_sweep
    monkeypatch.delenv(OVERRIDES_ENV, raising=False)
    spec = tmp_path / "tiny.toml"
    spec.write_text('[sweep]\nname = "tiny"\nkind = "simulate"\nmodel = "gate_control"\nduration = "0.2 s"\n'
                    'outcomes = ["pn_rate"]\n[parameters]\nheat = { values = [44.0, 48.0] }\n')
    files = {}
    for name, extra in (("variant", ["--set", "dorsal_horn.synapse.c_gain=0.5"]), ("default", [])):
        assert main(["sweep", str(spec), "--workers", "0", "--out", str(tmp_path / name)] + extra) == 0
        files[name] = xr.load_dataset(tmp_path / name / "store" / "result.nc")
    variant, default = files["variant"].attrs, files["default"].attrs
    assert json.loads(variant["model_overrides"]) == {"dorsal_horn.synapse.c_gain": 0.5}
    assert "model_overrides" not in default
    assert variant["painsim_source"] == default["painsim_source"] != ""
    assert variant["command"].startswith("painsim sweep") and "--set" in variant["command"]
    assert json.loads(load_sweep(tmp_path / "variant" / "store").attrs["model_overrides"]) == \
        {"dorsal_horn.synapse.c_gain": 0.5}


def test_an_interrupted_cohorts_kept_patients_are_not_buried_under_another_run(tmp_path, tiny, capsys, no_work):
    """Was: a conditions or course run into a folder holding only an interrupted cohort's patients/
    wrote its results.nc beside them, and the cohort could no longer be resumed there (its folder
    then held another experiment's result).  Refused before any work, the patients untouched; the
    cohort itself still reaches its work there (the negative control: its own kept work)."""
    from refusals import WorkStarted
    path, held = tiny, tmp_path / "held"
    (held / "patients" / "parts").mkdir(parents=True)
    (held / "patients" / "parts" / "patient_000000.nc").write_bytes(b"kept")
    for command in (["run", str(path)], ["course", "tens_course"]):
        assert main(command + ["--out", str(held)]) == 2
        err = capsys.readouterr().err
        assert f"--out {held} holds the finished patients of an interrupted run" in err, err
        assert "--resume" in err
    assert sorted(p.relative_to(held).as_posix() for p in held.rglob("*")) == [
        "patients", "patients/parts", "patients/parts/patient_000000.nc"]
    with pytest.raises(WorkStarted):
        main(["run", "rtms_cohort", "--n-patients", "2", "--resume", "--out", str(held)])
