"""Bad input in experiment files is refused when the file is loaded, by a painsim error naming the
parameter (or table), the value and what is allowed: never a Python traceback, never after the
simulation.  Each bad file is a built-in file with one edit; the built-in files, unchanged, load
(the negative controls).  Nothing here runs a simulation."""
import pytest

import painsim as ps
from painsim.cli import main
from painsim.errors import ParameterError, UnknownKeyError
from painsim.files import KINDS, FIGURE_NAMES, check_command, file_kind, load_experiment
from painsim.stimulation import from_spec
from refusals import edited_builtin as _edited

#: One built-in file of each kind touched here.
BUILTINS = {"conditions": "gate_control", "conditioning": "spinal_ltp_ltd", "qst": "qst_profile"}


def _refused(path, error=ParameterError) -> Exception:
    with pytest.raises(error) as err:
        load_experiment(path)
    return err.value


# ------------------------------------------------------------------ negative controls
@pytest.mark.parametrize("kind", sorted(BUILTINS))
def test_the_builtin_file_of_each_kind_loads_unchanged(kind):
    spec = load_experiment(BUILTINS[kind])
    assert spec["experiment"].get("kind", "conditions") == kind


def test_an_unchanged_copy_loads(tmp_path):
    """The edit helper itself changes nothing when the replacement is the line itself."""
    path = _edited(tmp_path, "gate_control", r"^seed = 1$", "seed = 1")
    assert load_experiment(path)["experiment"]["seed"] == 1


# ------------------------------------------------------------------ 1. the seed
@pytest.mark.parametrize("kind", sorted(BUILTINS))
@pytest.mark.parametrize("seed", ['"abc"', "1.7", "-4", "true"])
def test_a_bad_seed_is_refused_at_load_naming_experiment_seed(tmp_path, kind, seed):
    """Was: a traceback (``int('abc')``, numpy's "expected non-negative integer") or 1.7 saved as 1."""
    err = _refused(_edited(tmp_path, BUILTINS[kind], r"^seed = 1$", f"seed = {seed}"))
    assert err.name == "experiment.seed"
    assert "whole number >= 0" in str(err)


def test_a_bad_seed_of_one_condition_is_refused_at_load(tmp_path):
    path = _edited(tmp_path, "gate_control", r"^heat = 47.0$", 'heat = 47.0\nseed = "x"')
    assert _refused(path).name == "condition[0].seed"


def test_a_bad_seed_is_refused_by_the_command_before_any_output(tmp_path, capsys):
    path = _edited(tmp_path, "qst_profile", r"^seed = 1$", "seed = -4")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "experiment.seed" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ 2. figures of the wrong kind
@pytest.mark.parametrize("kind, pattern, replacement, bad", [
    ("conditions", r"^seed = 1$", 'seed = 1\nfigure = "qst"', "qst"),
    ("conditions", r"^seed = 1$", 'seed = 1\nfigure = ["conditions", "tolerance"]', "tolerance"),
    ("qst", r'^figure = "qst"$', 'figure = "tolerance"', "tolerance"),
    ("conditioning", r'^figure = "ltp_ltd".*$', 'figure = "conditions"', "conditions"),
])
def test_a_figure_of_another_kind_is_refused_at_load(tmp_path, kind, pattern, replacement, bad):
    """Was: accepted (the name is in painsim.plots.FIGURES), then AttributeError after the simulation."""
    err = _refused(_edited(tmp_path, BUILTINS[kind], pattern, replacement))
    assert err.name == "experiment.figure" and err.value == bad
    assert all(name in str(err) for name in KINDS[kind].figures)  # lists what the kind allows


def test_every_kind_allows_its_default_figure_and_only_known_names():
    for kind in KINDS.values():
        assert set(kind.figures) <= set(FIGURE_NAMES)
        assert kind.figure is None or kind.figure in kind.figures
    assert set().union(*(k.figures for k in KINDS.values())) == set(FIGURE_NAMES)


def test_a_figure_of_the_right_kind_loads(tmp_path):
    path = _edited(tmp_path, "gate_control", r"^seed = 1$", 'seed = 1\nfigure = ["scs_modes", "conditions"]')
    assert load_experiment(path)["experiment"]["figure"] == ["scs_modes", "conditions"]


@pytest.mark.parametrize("figure", ["pain_map", "rtms"])
def test_a_figure_the_model_cannot_give_is_refused_at_load(tmp_path, figure, capsys):
    """Was: the whole simulation ran, then the figure failed on a spinal model's result.  The S1 map
    and M1 figures need the cortex layer; the negative control is the same figure on the shipped
    pathway experiment that draws it (it loads), and the command leaves no output folder."""
    path = _edited(tmp_path, "gate_control", r"^seed = 1$", f'seed = 1\nfigure = "{figure}"')
    err = _refused(path)
    assert err.name == "experiment.figure" and err.value == figure and "pathway" in str(err)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "experiment.figure" in capsys.readouterr().err and not (tmp_path / "out").exists()
    shipped = {"pain_map": "pain_map", "rtms": "rtms_single_session"}[figure]
    assert load_experiment(ps.files.experiment_path(shipped))["experiment"]["figure"] == figure


def test_a_misspelt_figure_still_names_the_nearest(tmp_path):
    err = _refused(_edited(tmp_path, "qst_profile", r'^figure = "qst"$', 'figure = "qsst"'), UnknownKeyError)
    assert err.suggestion == "qst"


# ------------------------------------------------------------------ 3. misspelt top-level tables
@pytest.mark.parametrize("kind, pattern, replacement, table, nearest", [
    ("conditions", r"^\[\[condition\]\]$", "[[conditon]]", "conditon", "condition"),
    ("qst", r"^\[published\]$", "[publshed]", "publshed", "published"),
    ("conditioning", r"^\[test\]$", "[tests]", "tests", "test"),
])
def test_a_misspelt_table_is_refused_naming_the_nearest(tmp_path, kind, pattern, replacement, table, nearest):
    """Was: silently ignored (a condition not run, published prevalences not stored)."""
    err = _refused(_edited(tmp_path, BUILTINS[kind], pattern, replacement), UnknownKeyError)
    assert err.name == table and err.suggestion == nearest
    assert "table" in str(err)


# ------------------------------------------------------------------ 4. stimulus tables
_STIM = r"^stimulus = \{.*\}$"
_TONIC = 'type = "tonic", rate = "50 Hz", width = "200 us"'


def test_a_missing_stimulus_argument_is_named(tmp_path):
    """Was: the whole table and the list of arguments, without saying which one is missing."""
    path = _edited(tmp_path, "gate_control", _STIM, f"stimulus = {{ {_TONIC}, amplitude = 1.5 }}")
    err = _refused(path)
    assert err.name == "condition[1].stimulus.duration"
    assert "missing" in str(err) and "duration" in str(err)


def test_a_stimulus_that_is_not_a_table_is_refused(tmp_path):
    """Was: ``ValueError: dictionary update sequence element #0 ...``."""
    err = _refused(_edited(tmp_path, "gate_control", _STIM, 'stimulus = "tonic"'))
    assert err.name == "condition[1].stimulus" and err.value == "tonic"
    assert "table" in str(err)


def test_a_nan_amplitude_is_reported_as_nan(tmp_path):
    """Was: ``= array([], dtype=float64)``."""
    path = _edited(tmp_path, "gate_control", _STIM, f'stimulus = {{ {_TONIC}, amplitude = nan, duration = "2 s" }}')
    err = _refused(path)
    assert err.name == "condition[1].stimulus.amplitude"
    assert "= nan" in str(err) and "array" not in str(err)


def test_a_bad_protocol_stimulus_is_refused_at_load_naming_the_protocol(tmp_path):
    path = _edited(tmp_path, "spinal_ltp_ltd", r', duration = "1 s"', "")
    err = _refused(path)
    assert err.name == "protocol[0].stimulus.duration"


def test_from_spec_names_what_is_wrong():
    with pytest.raises(ParameterError) as err:
        from_spec({"type": "tonic", "rate": "50 Hz", "width": "200 us", "amplitude": 1.5})
    assert err.value.name == "duration"
    with pytest.raises(ParameterError) as err:
        from_spec("tonic")
    assert "table" in str(err.value)
    with pytest.raises(ParameterError) as err:
        from_spec({"type": "tonic", "rate": "50 Hz", "width": "200 us", "amplitude": float("inf"),
                   "duration": "1 s"})
    assert err.value.name == "amplitude" and "inf" in str(err.value)
    with pytest.raises(UnknownKeyError) as err:  # an unknown argument is still named with the nearest
        from_spec({"type": "tonic", "rate": "50 Hz", "width": "200 us", "amplitude": 1.5, "duraton": "1 s"})
    assert err.value.suggestion == "duration"
    wf = from_spec({"type": "tonic", "rate": "50 Hz", "width": "200 us", "amplitude": 1.5, "duration": "0.2 s"})
    assert wf.n_pulses == 10  # the negative control


def test_a_waveform_shows_its_nan_values():
    nan = float("nan")
    with pytest.raises(ParameterError, match=r"array\(\[nan\]\)"):
        ps.stimulation.Waveform([0.1], [1e-4], [nan], 1.0)
    with pytest.raises(ParameterError, match=r"array\(\[nan\]\)"):
        ps.stimulation.Waveform([0.1], [nan], [1.0], 1.0)


# ------------------------------------------------------------------ 5. duplicate labels
def test_duplicate_condition_labels_are_refused_at_load(tmp_path):
    """Was: both run and saved under one ``condition`` coordinate value."""
    path = _edited(tmp_path, "gate_control", r'^label = "47 °C heat \+ Aβ stimulation"$',
                   'label = "47 °C heat alone"')
    err = _refused(path)
    assert err.name == "condition[1].label" and err.value == "47 °C heat alone"


def test_a_label_that_is_not_text_is_refused(tmp_path):
    path = _edited(tmp_path, "gate_control", r'^label = "47 °C heat alone"$', "label = [1, 2]")
    assert _refused(path).name == "condition[0].label"


def test_distinct_default_labels_load(tmp_path):
    path = _edited(tmp_path, "gate_control", r'^label = "47 °C heat alone"$', "")
    assert len(load_experiment(path)["condition"]) == 3


# ------------------------------------------------------------------ 6. kind = "sweep"
def test_kind_sweep_under_experiment_says_what_a_sweep_file_needs(tmp_path, capsys):
    """Was: "run it with 'painsim sweep …'", which then said ``missing [sweep] table``."""
    path = _edited(tmp_path, "gate_control", r"^seed = 1$", 'seed = 1\nkind = "sweep"')
    for check in (file_kind, lambda p: check_command(p, "run"), lambda p: check_command(p, "sweep"),
                  load_experiment):
        with pytest.raises(ParameterError) as err:
            check(path)
        assert err.value.name == "experiment.kind" and "[sweep] table" in str(err.value)
    for command in ("run", "sweep"):
        assert main([command, str(path), "--out", str(tmp_path / "out")]) == 2
        assert "[sweep] table" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_real_sweep_file_is_still_a_sweep():
    assert file_kind("scs_frequency_sweep") == "sweep"
    assert check_command("scs_frequency_sweep", "sweep") == "sweep"
    assert check_command("gate_control", "run") == "conditions"


# ------------------------------------------------------------------ names, flags and dict specs
@pytest.mark.parametrize("name", ['"../../escape"', '"heat/v2"', '""', "42"])
def test_an_experiment_name_that_is_not_a_file_name_is_refused(tmp_path, name):
    """Was: a name with '..' or '/' put figures outside --out (or in a subfolder), "" wrote into painsim-out/."""
    err = _refused(_edited(tmp_path, "gate_control", r'^name = "gate_control"$', f"name = {name}"))
    assert err.name == "experiment.name"


def test_a_plain_experiment_name_loads(tmp_path):  # the negative control of the name check
    path = _edited(tmp_path, "gate_control", r'^name = "gate_control"$', 'name = "gate_control.v2-b"')
    assert load_experiment(path)["experiment"]["name"] == "gate_control.v2-b"


def test_a_dict_spec_gets_the_checks_a_file_gets():
    """Was: a misspelt condition key in a dict ran silently with no stimulus."""
    spec = {"experiment": {"name": "x", "duration": "0.2 s"}, "condition": [{"haet": 47}]}
    with pytest.raises(UnknownKeyError, match="haet"):
        ps.run_experiment(spec)


def test_a_protocol_sham_flag_must_be_true_or_false():
    """Was: sham = "false" (a string) made the active arm a sham (bool("false") is True)."""
    from painsim.protocols import from_spec as protocol_from_spec
    with pytest.raises(ParameterError) as err:
        protocol_from_spec({"base": "tens_conventional", "days": [0], "sham": "false"})
    assert err.value.name == "protocol.sham"
    assert protocol_from_spec({"base": "tens_conventional", "days": [0], "sham": False}).stimulus is not None


def test_a_sweep_flag_must_be_true_or_false():
    """Was: paired_seeds = "no" was read as true."""
    from painsim.errors import SpecError
    from painsim.sweep import make_spec
    spec = {"kind": "function", "function": lambda params, seed: {"y": params["a"]}, "seeds": 2,
            "parameters": {"a": {"values": [0.0, 1.0]}}}
    with pytest.raises(SpecError, match="paired_seeds"):
        make_spec({**spec, "paired_seeds": "no"})
    assert make_spec({**spec, "paired_seeds": False}).paired_seeds is False


# ------------------------------------------------------------------ the longest simulated stretch
@pytest.mark.parametrize("kind", ["conditions", "conditioning"])
def test_a_duration_past_an_hour_is_refused_before_anything_is_drawn(tmp_path, kind, capsys):
    """Was: "1e9 s" drew its input spikes first and ended in numpy's MemoryError traceback."""
    path = _edited(tmp_path, BUILTINS[kind], r'^duration = "[0-9.]+ s"', 'duration = "1e9 s"')
    assert _refused(path).name == "experiment.duration"
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "experiment.duration" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_duration_bound_is_an_hour_of_simulated_time():
    """The bound is on time, not on pulses: an hour passes at 10 kHz; a second more is refused, and
    the same by the API (``simulate``, a waveform, an rTMS course of trains)."""
    from painsim.checks import MAX_SIMULATED_DURATION, simulated_duration
    assert simulated_duration("1 h", "duration") == MAX_SIMULATED_DURATION == 3600.0
    assert ps.stimulation.tonic("10 kHz", "30 us", 1.5, "60 min").duration == MAX_SIMULATED_DURATION
    with pytest.raises(ParameterError, match="3600"):
        ps.stimulation.tonic("50 Hz", "200 us", 1.5, "3601 s")
    assert ps.stimulation.rtms(n_trains=60).duration <= MAX_SIMULATED_DURATION  # 60 x 10 s + 59 x 50 s
    with pytest.raises(ParameterError) as err:
        ps.stimulation.rtms(n_trains=61)
    assert err.value.name == "n_trains"
    with pytest.raises(ParameterError) as err:
        ps.simulate("healthy", noxious=1.0, duration="2 h")
    assert err.value.name == "duration"
    with pytest.raises(ParameterError) as err:  # a protocol's window is simulated too
        ps.protocols.get("scs_tonic").waveform(0, 16 * 3600)
    assert err.value.name == "stop"
    assert ps.stimulation.none("0 s").duration == 0.0  # an empty sham of no time is no simulation


def test_simulate_without_a_duration_runs_for_the_stimulus():
    """The regression of the hour's bound (a device's duration, plain seconds, was read as a quantity
    without a unit): with no ``duration`` a point lasts as long as its longest device."""
    scs = ps.stimulation.tonic("50 Hz", "200 us", 1.5, "0.2 s")
    tens = ps.stimulation.tens(duration="0.3 s", site=0)
    assert ps.simulate("gate_control", stimulus=scs, noxious=0.6, seed=1).attrs["duration_s"] == 0.2
    assert ps.simulate("gate_control", stimulus=[scs, tens], noxious=0.6, seed=1).attrs["duration_s"] == 0.3


def test_a_protocol_table_checks_what_it_inherits():
    """Was: plasticity = "calcium" ended in a TypeError and name = 5 made Protocol(5: ...)."""
    with pytest.raises(ParameterError) as err:
        ps.protocols.from_spec({"base": "tens_conventional", "plasticity": "calcium"})
    assert err.value.name == "protocol.plasticity"
    with pytest.raises(ParameterError) as err:
        ps.protocols.from_spec({"base": "tens_conventional", "name": 5})
    assert err.value.name == "protocol.name"
    p = ps.protocols.from_spec({"base": "tens_conventional", "name": "mine", "plasticity": {"a.b": 1}})
    base = ps.protocols.get("tens_conventional")
    assert p.name == "mine" and p.plasticity == {**base.plasticity, "a.b": 1} and p.citation == base.citation
