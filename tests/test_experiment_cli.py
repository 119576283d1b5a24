"""The main job end to end: `painsim run experiments/gate_control.toml`."""
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import painsim as ps
from painsim import io
from painsim.cli import main
from painsim.errors import ParameterError, UnknownKeyError
from painsim.sweep import load_spec
from painsim.sweep.points import validate_points

ROOT = Path(__file__).resolve().parents[1]


def test_gate_control_experiment_runs_and_writes_results(tmp_path, capsys):
    code = main(["run", str(ROOT / "experiments" / "gate_control.toml"), "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "results.nc" in out and ".png" in out
    ds = io.load(tmp_path / "results.nc")
    assert list(ds.condition.values) == ["47 °C heat alone", "47 °C heat + Aβ stimulation",
                                         "47 °C heat + Aβ stimulation, inhibition blocked"]
    alone, scs, blocked = ds["pn_rate"].values
    assert scs < 0.8 * alone and blocked >= 0.9 * alone  # the (partial) gate, as in test_gate_control
    pngs = list(tmp_path.glob("*.png"))
    assert pngs and all(p.stat().st_size > 10_000 for p in pngs)
    assert not list(tmp_path.glob(".*.tmp"))  # nothing half-written left behind
    # the figures can be redrawn from the saved results alone
    redraw = tmp_path / "redrawn"
    assert main(["figures", str(tmp_path / "results.nc"), "--out", str(redraw)]) == 0
    assert sorted(p.name for p in redraw.glob("*.png")) == sorted(p.name for p in pngs)
    assert main(["figures", str(tmp_path / "missing.nc")]) == 2


def test_cli_reports_bad_input_clearly(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[experiment]\nname = "x"\nmodel = "gate_control"\nduraton = "1 s"\n[[condition]]\nnoxious = 0.5\n')
    assert main(["run", str(bad), "--out", str(tmp_path)]) == 2
    assert "did you mean 'duration'" in capsys.readouterr().err


def test_models_command_lists_builtins(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "gate_control" in out and "neuropathic" in out


def test_console_script_is_installed():
    r = subprocess.run([sys.executable, "-m", "painsim.cli", "models"], capture_output=True, text=True)
    assert r.returncode == 0 and "gate_control" in r.stdout


def test_unknown_experiment_name():
    with pytest.raises(UnknownKeyError, match="gate_control"):
        ps.files.load_experiment("gate_contrl")


def test_one_dispatch_loads_every_kind_of_file():
    kinds = {name: ps.files.kind_of(ps.files.load_experiment(name))
             for name in ("gate_control", "spinal_ltp_ltd", "rtms_course", "rtms_cohort", "qst_profile",
                          "tens_tolerance")}
    assert kinds == {"gate_control": "conditions", "spinal_ltp_ltd": "conditioning", "rtms_course": "course",
                     "rtms_cohort": "cohort", "qst_profile": "qst", "tens_tolerance": "tolerance"}
    assert set(ps.files.KINDS) == set(kinds.values())
    with pytest.raises(ParameterError):  # store options belong to cohort files; refused before running
        ps.run_experiment("gate_control", workers=2)



def test_a_dict_of_an_unknown_kind_is_refused_not_run_as_conditions():
    spec = dict(ps.files.load_experiment("gate_control"))
    spec["experiment"] = {**spec["experiment"], "kind": "condition"}
    with pytest.raises(ParameterError, match="conditioning"):  # the message names the kinds
        ps.run_experiment(spec)


def test_a_lazy_module_that_cannot_be_imported_is_a_missing_attribute():
    code = ("import sys; sys.modules['matplotlib'] = None; import painsim as ps; "
            "print(hasattr(ps, 'plots'))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


def test_old_experiment_module_reexports_files():
    import painsim.experiment as old
    assert old.load_experiment is ps.files.load_experiment and old.run_experiment is ps.run_experiment
    assert old.duration_quantity(1.5) == "1.5 s"


PHYSICAL = """
[experiment]
name = "physical"
model = "gate_control"
duration = "0.5 s"
seed = 2
[[condition]]
label = "heat"
heat = 47.0
[[condition]]
label = "heat as a quantity"
heat = "47 degC"
[[condition]]
label = "pinprick and brush"
pinprick = "128 mN"
brush = true
[[condition]]
label = "repeated contacts"
heat_contacts = {celsius = 47.0, n_contacts = 2, interval = "0.25 s", contact = "0.1 s"}
"""


def test_conditions_take_physical_stimuli(tmp_path):
    """A condition's ``heat``/``pinprick``/``brush`` is the stimulus ``simulate`` gets from
    painsim.fibers (the same PN output for the same seed); a number and a quantity are one heat."""
    path = tmp_path / "physical.toml"
    path.write_text(PHYSICAL)
    ds = ps.run_experiment(ps.files.load_experiment(path))
    pn = dict(zip(ds.condition.values, ds["pn_rate"].values))
    direct = [ps.simulate("gate_control", noxious=ps.fibers.heat(47), duration="0.5 s", seed=2),
              ps.simulate("gate_control", noxious=ps.fibers.pinprick(128), touch=ps.fibers.brush(),
                          duration="0.5 s", seed=2),
              ps.simulate("gate_control", noxious=ps.fibers.heat_contacts(47, 2, "0.25 s", "0.1 s"),
                          duration="0.5 s", seed=2)]
    assert pn["heat"] == pn["heat as a quantity"] == pytest.approx(float(direct[0].pn_rate))
    assert pn["pinprick and brush"] == pytest.approx(float(direct[1].pn_rate))
    assert pn["repeated contacts"] == pytest.approx(float(direct[2].pn_rate))
    assert pn["heat"] > 0                                  # 47 °C drives the PN (not a vacuous equality)


@pytest.mark.parametrize("condition, name", [
    ("heat = 75.0", "condition[0].heat"),                  # above the 60 °C the encoding takes
    ('heat = "47 m"', "condition[0].heat"),                # not a temperature
    ("pinprick = -5.0", "condition[0].pinprick"),
    ("brush = 3", "condition[0].brush"),
    ("heat = 45.0\nnoxious = 0.5", "condition[0]"),       # two noxious stimuli
    ("brush = true\ntouch = 0.5", "condition[0]"),        # two touch stimuli
    ("heat_contacts = 47.0", "condition[0].heat_contacts"),                           # not a table
    ("heat_contacts = {n_contacts = 3}", "condition[0].heat_contacts"),              # no temperature
    ('heat_contacts = {celsius = 47.0, isi = "3 s"}', "condition[0].heat_contacts.isi"),   # unknown key
    ('heat_contacts = {celsius = 47.0, interval = "0.1 s"}', "condition[0].heat_contacts.interval"),
    ("heat_contacts = {celsius = 47.0}\nheat = 45.0", "condition[0]"),                # two noxious stimuli
    ('heat_contacts = {celsius = 47.0, n_contacts = 3, interval = "1 s"}',            # the last contact would
     "condition[0].heat_contacts"),                                                  # end after the 2-s run
])
def test_bad_physical_stimuli_are_refused_before_any_work(tmp_path, condition, name):
    path = tmp_path / "bad.toml"
    path.write_text(f'[experiment]\nname = "x"\nmodel = "gate_control"\n[[condition]]\n{condition}\n')
    with pytest.raises(ParameterError) as err:
        ps.files.load_experiment(path)
    assert err.value.name == name


@pytest.mark.parametrize("duration", ['"-2 s"', '"0 s"', '"inf s"', '"2 Hz"'])
@pytest.mark.parametrize("kind", ["conditions", "conditioning"])
def test_a_bad_duration_is_refused_when_the_file_is_loaded(tmp_path, duration, kind):
    """Any kind of file: a duration that is not a finite time > 0 s is refused at load, naming it;
    the built-in file of the kind, unchanged, loads (the negative control)."""
    name = {"conditions": "gate_control", "conditioning": "spinal_ltp_ltd"}[kind]
    text = (ROOT / "experiments" / f"{name}.toml").read_text()
    assert ps.files.load_experiment(name)
    path = tmp_path / "bad.toml"
    path.write_text(text.replace('duration = "', f'duration = {duration}  # was "', 1))
    with pytest.raises(ParameterError) as err:
        ps.files.load_experiment(path)
    assert err.value.name == "experiment.duration"


def test_figure_names_are_checked_when_the_file_is_loaded(tmp_path):
    """The names a file may ask for are the figures painsim.plots can draw; a misspelt one is refused
    at load (before any simulation), naming the nearest; the built-in files' names all pass."""
    import painsim.plots
    assert set(ps.files.FIGURE_NAMES) == set(painsim.plots.FIGURES)
    text = (ROOT / "experiments" / "gate_control.toml").read_text()
    bad = tmp_path / "bad_figure.toml"
    bad.write_text(text.replace('[experiment]\n', '[experiment]\nfigure = "condition"\n', 1))
    with pytest.raises(UnknownKeyError, match="conditions"):
        ps.files.load_experiment(bad)
    bad.write_text(text.replace('[experiment]\n', '[experiment]\nfigure = 3\n', 1))
    with pytest.raises(ParameterError, match="figure"):
        ps.files.load_experiment(bad)
    good = tmp_path / "good_figure.toml"
    good.write_text(text.replace('[experiment]\n', '[experiment]\nfigure = ["conditions"]\n', 1))
    assert ps.files.load_experiment(good)["experiment"]["figure"] == ["conditions"]


def test_a_bad_stimulus_names_its_condition(tmp_path, capsys):
    """A wrong unit or an unknown argument in a condition's stimulus table is refused naming the
    condition and the table, before anything runs (no output folder)."""
    head = '[experiment]\nname = "x"\nmodel = "gate_control"\nduration = "0.2 s"\n[[condition]]\nnoxious = 0.5\n'
    for table, expected in (('rate = "50 mA"', "condition[0].stimulus.rate"),
                            ('rte = "50 Hz"', "condition[0].stimulus: unknown argument of tonic 'rte'")):
        f = tmp_path / "bad.toml"
        f.write_text(head + f'stimulus = {{type = "tonic", {table}, width = "200 us", amplitude = 1.5, '
                            'duration = "0.2 s"}\n')
        assert main(["run", str(f), "--out", str(tmp_path / "out")]) == 2
        assert expected in capsys.readouterr().err
        assert not (tmp_path / "out").exists()


def test_a_model_without_c_fibres_runs_and_draws_its_raster():
    """`afferents.C.n = 0` (C fibres ablated) is a valid model: the result has no C population and
    the conditions figure leaves it out of the raster instead of failing after the simulation
    (its negative control: the default model's raster draws the C fibres)."""
    import painsim.plots
    model = ps.load_model("gate_control")
    results = ps.simulate_batch([ps.Request(model.with_params({"afferents.C.n": 0}), None, 0.6, 0.0, 1),
                                 ps.Request(model, None, 0.6, 0.0, 1)], "0.2 s")
    for r, has_c in zip(results, (False, True)):
        fig = painsim.plots.conditions_figure(io.combine([r], "condition", ["a"]))
        labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
        assert ("C" in labels) == has_c and "PN" in labels


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.toml")),
                         ids=lambda p: p.name)
def test_every_shipped_experiment_file_passes_its_checks(path):
    """Each file in experiments/ loads and passes the checks its command makes before any work
    (sweeps: every point's model, waveform and natural stimuli are built)."""
    if "sweep" in tomllib.loads(path.read_text(encoding="utf-8")):
        spec = load_spec(path)
        validate_points(spec)
        assert spec.points()
    else:
        assert ps.files.kind_of(ps.files.load_experiment(str(path))) in ps.files.KINDS
