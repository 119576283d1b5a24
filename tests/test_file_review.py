"""Experiment files as a researcher writes them (a review of the command line and its files,
2026-12-06): each bad file is a built-in file with one edit and is refused by name when it is
loaded, before any simulation; the built-in files, unchanged, load (the negative controls).
Nothing here runs a simulation."""
import pytest

from painsim.errors import CalendarError, UnknownKeyError
from painsim.files import load_experiment, run_conditions
from painsim.protocols import Calendar, from_spec, get
from refusals import WorkStarted, edited_builtin as _edited, refused, start_work


@pytest.mark.parametrize("name", ["gate_control", "spinal_ltp_ltd", "tens_course", "rtms_course"])
def test_the_builtin_files_load(name):
    assert load_experiment(name)


# ------------------------------------------------------------------ conditions: batch size and seeds
@pytest.mark.parametrize("value", ['"abc"', "2.5", "0", "true"])
def test_a_conditions_batch_size_is_checked_when_loaded(tmp_path, value):
    """It was read by int() at the run: "abc" a traceback, 2.5 silently 2, 0 refused after the start."""
    path = _edited(tmp_path, "gate_control", r"^seed = 1$", f"seed = 1\nbatch_size = {value}")
    refused(lambda: load_experiment(path), "experiment.batch_size")


def test_a_whole_batch_size_loads(tmp_path):
    assert load_experiment(_edited(tmp_path, "gate_control", r"^seed = 1$", "seed = 1\nbatch_size = 4"))


def test_a_seed_override_is_refused_where_conditions_carry_their_own(tmp_path, monkeypatch):
    """--seed replaced the seed of the conditions without one and kept the others: two identical
    conditions compared across seeds (pain 4.1 against 0.0).  Refused; without own seeds it is
    taken, and without --seed the file's own seeds are."""
    import painsim.files.conditions as conditions
    monkeypatch.setattr(conditions, "simulate_batch", start_work)
    own = load_experiment(_edited(tmp_path, "gate_control", r'^label = "47 °C heat alone"$',
                                  'label = "47 °C heat alone"\nseed = 3'))
    refused(lambda: run_conditions(own, seed=7), "seed", allowed=True)
    for spec, seed in ((own, None), (load_experiment("gate_control"), 7)):
        with pytest.raises(WorkStarted):
            run_conditions(spec, seed=seed)


# ------------------------------------------------------------------ names and paths checked when loaded
@pytest.mark.parametrize("name, pattern, replacement, error", [
    ("gate_control", r'^model = "gate_control"$', 'model = "gate_contrl"', UnknownKeyError),
    ("gate_control", r"^heat = 47.0$", 'heat = 47.0\nparams = {"dorsal_horn.synapse.c_gian" = 0.5}', UnknownKeyError),
    ("spinal_ltp_ltd", r'^"plasticity.c_pn.rule" = "calcium"$', '"plasticity.c_pn.rul" = "calcium"', UnknownKeyError),
    ("spinal_ltp_ltd", r'^model = "gate_control"$', 'model = "gate_contrl"', UnknownKeyError),
    ("tens_course", r'^model = "peripheral_neuropathic"$', 'model = "peripheral_neuropathc"', UnknownKeyError),
    ("tens_course", r'^base = "tens_conventional"$',
     'base = "tens_conventional"\nplasticity = {"plasticity.c_pn.rul" = "calcium"}', UnknownKeyError),
])
def test_a_misspelt_model_or_path_is_refused_when_the_file_is_loaded(tmp_path, name, pattern, replacement, error):
    """Conditions, conditioning and course files named their model and override paths only at the
    run; sweep, cohort, tolerance and QST files were already checked when read."""
    with pytest.raises(error):
        load_experiment(_edited(tmp_path, name, pattern, replacement))


# ------------------------------------------------------------------ [protocol] tables
def test_a_protocol_table_without_a_stimulus_is_not_a_silent_sham():
    """A table that forgot its stimulus was a sham: 'treatment vs sham' compared two shams."""
    table = {"name": "my_tens", "session_duration": "20 min", "days": [0, 1]}
    refused(lambda: from_spec(table), "protocol.stimulus", allowed=True)
    assert from_spec({**table, "sham": True}).is_sham
    assert from_spec({**table, "stimulus": {"type": "none"}}).is_sham
    assert not from_spec({**table, "base": "tens_conventional"}).is_sham


def test_a_changed_base_is_not_saved_under_the_base_name():
    """A table over a base that changes it kept the base's name and description ("100 Hz" for a
    4 Hz stimulus); an unchanged base keeps them, and a name of its own is kept."""
    base = get("tens_conventional")
    assert from_spec({"base": base.name}).name == base.name
    assert from_spec({"base": base.name}).description == base.description
    changed = from_spec({"base": base.name, "stimulus": {"rate": "4 Hz"}})
    assert changed.name == "tens_conventional_custom" and "stimulus" in changed.description
    assert from_spec({"base": base.name, "days": [0, 1]}).name == "tens_conventional_custom"
    assert from_spec({"base": base.name, "sham": True}).name == "tens_conventional_sham"
    assert from_spec({"base": base.name, "days": [0], "name": "mine"}).name == "mine"


def test_calendar_days_take_weeks_and_d():
    assert Calendar([0], 60, "2 weeks").end_day == 14.0
    assert Calendar(["0 d", "7 d"], 60, "90 d").days == (0.0, 7.0)


def test_unordered_days_are_not_called_overlapping():
    with pytest.raises(CalendarError) as e:
        Calendar([1, 0], 60)
    assert "increasing order" in str(e.value) and "overlapping" not in str(e.value)
    with pytest.raises(CalendarError, match="overlapping"):
        Calendar([0, 0.0001], 60)



def test_the_validation_rows_that_seed_their_conditions_reach_the_simulation(monkeypatch):
    """sep_collision_ratio seeds each condition with its circuit: it must not also pass a seed
    override (refused since conditions with their own seeds refuse one), or its row fails."""
    import painsim.files.conditions as conditions
    from painsim.validation.evoked import sep_collision_ratio
    monkeypatch.setattr(conditions, "simulate_batch", start_work)
    with pytest.raises(WorkStarted):
        sep_collision_ratio(1)
