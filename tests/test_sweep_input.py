"""Bad sweep input is refused by name before any point runs, and leaves nothing on disk.

No test here simulates: the specs are only loaded (models are built, never run), the
sweeps that do run are cheap ``kind = "function"`` sweeps in this process, and the
command line is run with its sweep runner replaced where it would start work.
"""
from __future__ import annotations

import os
import socket
import textwrap
from pathlib import Path

import numpy as np
import pytest

from painsim import cli
from painsim.errors import ParameterError, SpecError, UnitError, UnknownKeyError
from painsim.plots import sweep_figure, sweep_figures
from painsim.sweep import load_spec, load_sweep, make_spec, run_sweep
from painsim.sweep import run as sweep_run

TINY = {"afferents.C.n": 10, "afferents.Abeta.n": 8, "afferents.Adelta.n": 5,
        "dorsal_horn.populations.n_inhibitory": 8, "dorsal_horn.populations.n_excitatory": 8,
        "dorsal_horn.populations.n_projection": 4}


def sweep_file(tmp_path: Path, sweep_extra: str = "", parameters: str | None = None) -> Path:
    """A tiny simulate sweep file (never run here): ``sweep_extra`` lines go into [sweep]."""
    params = "\n".join(f'"{k}" = {v}' for k, v in TINY.items())
    if parameters is None:
        parameters = '[parameters]\n"stimulus.rate" = ["10 Hz", "80 Hz"]\n"noxious" = [0.3, 0.6]\n'
    text = textwrap.dedent("""
        [sweep]
        name = "qa"
        model = "gate_control"
        duration = "0.2 s"
        noxious = 0.6
        seed = 1
        outcomes = ["pain", "pn_rate"]
        """) + sweep_extra + "\n[params]\n" + params + textwrap.dedent("""

        [stimulus]
        type = "tonic"
        rate = "50 Hz"
        width = "200 us"
        amplitude = 1.5

        """) + parameters
    path = tmp_path / "sw.toml"
    path.write_text(text)
    return path


def no_work(*args, **kwargs):
    raise AssertionError("a refused sweep must not start")


def y(params, seed):
    return {"y": float(params.get("x", 0.0)) + seed % 7}


# ------------------------------------------------------------------ 1. the figure table
@pytest.mark.parametrize("figure, error, words", [
    ('{outcomes = ["pain"], x = "stimulus.rat"}', UnknownKeyError, ["figure.x", "stimulus.rat", "stimulus.rate"]),
    ('{outcomes = ["painn"]}', UnknownKeyError, ["figure.outcomes", "painn", "pain, pn_rate"]),
    ('{outcomes = ["gate_index"]}', UnknownKeyError, ["figure.outcomes", "gate_index", "pain, pn_rate"]),
    ('{y = "stimulus.amplitude"}', UnknownKeyError, ["figure.y", "stimulus.amplitude", "noxious"]),
    ('{x = "noxious", y = "noxious"}', SpecError, ["figure.y", "noxious", "other than figure.x"]),
    ('{y = "stimulus.rate"}', SpecError, ["figure.y", "stimulus.rate", "the first one"]),
    ('{outcomes = "pain"}', SpecError, ["figure.outcomes", "a list of outcome names"]),
    ('{outcome = ["pain"]}', UnknownKeyError, ["figure key", "outcome", "outcomes"]),
])
def test_a_bad_figure_table_is_refused_when_the_file_is_loaded(tmp_path, figure, error, words):
    path = sweep_file(tmp_path, f"figure = {figure}\n")
    with pytest.raises(error) as e:
        load_spec(path)
    for w in words:
        assert w in str(e.value)


def test_a_bad_figure_table_is_refused_before_the_cli_starts_the_sweep(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "run_sweep", no_work)
    path = sweep_file(tmp_path, 'figure = {outcomes = ["painn"]}\n')
    assert cli.main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "0"]) == 2
    assert "figure.outcomes" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_good_figure_table_loads(tmp_path):
    """Negative control: the same file with the figure table spelt right."""
    spec = load_spec(sweep_file(tmp_path, 'figure = {outcomes = ["pain"], x = "stimulus.rate", y = "noxious"}\n'))
    assert spec.figure == {"outcomes": ["pain"], "x": "stimulus.rate", "y": "noxious"}
    assert load_spec(sweep_file(tmp_path, 'figure = {outcomes = ["pn_rate"], y = "noxious"}\n')).figure


def test_figure_outcomes_of_a_function_sweep_are_checked_when_it_declares_outcomes(tmp_path):
    spec = {"kind": "function", "function": y, "parameters": {"x": [1.0, 2.0]}, "outcomes": ["y"],
            "figure": {"outcomes": ["yy"]}}
    with pytest.raises(UnknownKeyError, match="figure.outcomes"):
        run_sweep(spec, store=tmp_path / "store", workers=0, progress=False)
    assert not (tmp_path / "store").exists()
    make_spec({**spec, "figure": {"outcomes": ["y"], "x": "x"}})  # control


# ------------------------------------------------------------------ 2. the scheduler address
@pytest.mark.parametrize("scheduler", ["bogus", "tcp://bogus", "bogus:port", "bogus:99999", "http://host:8786",
                                       "tcp://host:8786/x", "", 8786])
def test_a_bad_scheduler_is_refused_before_the_store_is_created(tmp_path, monkeypatch, scheduler):
    monkeypatch.setattr(sweep_run, "run_batches", no_work)
    spec = {"kind": "function", "function": y, "parameters": {"x": [1.0, 2.0]}, "outcomes": ["y"]}
    with pytest.raises(ParameterError) as e:
        run_sweep(spec, store=tmp_path / "store", scheduler=scheduler, progress=False)
    assert "'scheduler'" in str(e.value) and repr(scheduler) in str(e.value) and "tcp://host:port" in str(e.value)
    assert not (tmp_path / "store").exists()


def test_the_cli_refuses_a_bad_scheduler_and_a_rerun_is_not_blocked(tmp_path, capsys):
    path = sweep_file(tmp_path)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(path), "--out", str(out), "--scheduler", "bogus"]) == 2
    err = capsys.readouterr().err
    assert "'scheduler' = 'bogus'" in err and "Traceback" not in err
    assert not out.exists()  # no store/spec.json: a rerun without --resume is not refused


def test_a_missing_dask_is_refused_before_the_store_is_created(tmp_path, monkeypatch):
    find_spec = sweep_run.importlib.util.find_spec
    monkeypatch.setattr(sweep_run.importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else find_spec(name, *a))
    spec = {"kind": "function", "function": y, "parameters": {"x": [1.0]}, "outcomes": ["y"]}
    with pytest.raises(ParameterError, match="scheduler.*dask.distributed installed"):
        run_sweep(spec, store=tmp_path / "store", scheduler="local", progress=False)
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("scheduler", [None, "local", "tcp://127.0.0.1:8786", "scheduler.example.org:8786",
                                       "tls://10.0.0.5:8786", "[::1]:8786"])
def test_good_scheduler_addresses_pass_the_check(scheduler):
    """Negative control: the addresses the docs name (and IPv6, tls) are accepted."""
    sweep_run._check_scheduler(scheduler)


def test_a_scheduler_address_where_nothing_listens_is_refused_before_the_store_is_created(tmp_path, monkeypatch):
    monkeypatch.setattr(sweep_run, "run_batches", no_work)
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = {"kind": "function", "function": y, "parameters": {"x": [1.0, 2.0]}, "outcomes": ["y"]}
    address = f"tcp://127.0.0.1:{port}"
    with pytest.raises(ParameterError) as e:
        run_sweep(spec, store=tmp_path / "store", scheduler=address, progress=False)
    assert repr(address) in str(e.value) and "running Dask scheduler" in str(e.value)
    assert not (tmp_path / "store").exists()  # a rerun without --resume is not refused


def test_a_listening_scheduler_address_passes_the_connection_check():
    """Negative control: an address that accepts connections (a bare listening socket) passes."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        sweep_run._reach_scheduler(f"tcp://127.0.0.1:{port}")
        sweep_run._reach_scheduler(f"127.0.0.1:{port}")


def test_a_listening_ipv6_scheduler_address_in_brackets_passes_the_connection_check():
    try:
        s = socket.socket(socket.AF_INET6)
        s.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with s:
        s.listen()
        sweep_run._reach_scheduler(f"tcp://[::1]:{s.getsockname()[1]}")


# ------------------------------------------------------------------ 3. the file's workers key
def _workers_used(monkeypatch, tmp_path, spec, **kw) -> int:
    """The worker count run_sweep hands the executor (the batches then run here, serially)."""
    seen = []

    def serial(task, batches, on_result, workers=0, **rest):
        seen.append(workers)
        for b in batches:
            on_result(b, task(b))
    monkeypatch.setattr(sweep_run, "run_batches", serial)
    ds = run_sweep(spec, store=tmp_path / f"store{len(list(tmp_path.iterdir()))}", progress=False, **kw)
    assert ds.attrs["n_done"] == 4
    return seen[0]


def test_the_files_workers_key_is_used_unless_the_caller_gives_workers(monkeypatch, tmp_path):
    spec = {"kind": "function", "function": y, "parameters": {"x": [1.0, 2.0, 3.0, 4.0]}, "outcomes": ["y"],
            "batch_size": 1}
    assert _workers_used(monkeypatch, tmp_path, {**spec, "workers": 0}) == 0
    assert _workers_used(monkeypatch, tmp_path, {**spec, "workers": 3}) == 3
    assert _workers_used(monkeypatch, tmp_path, {**spec, "workers": 0}, workers=2) == 2  # --workers wins
    assert _workers_used(monkeypatch, tmp_path, spec) == (os.cpu_count() or 1)  # control: no key


def test_the_cli_leaves_workers_to_the_file_when_workers_is_not_given(tmp_path, monkeypatch):
    """`painsim sweep` without --workers passes None, so run_sweep takes the file's key."""
    seen = {}

    def fake(spec, **kw):
        seen.update(kw, spec_workers=spec.workers)
        raise KeyboardInterrupt
    monkeypatch.setattr(cli, "run_sweep", fake)
    cli.main(["sweep", str(sweep_file(tmp_path, "workers = 0\n")), "--out", str(tmp_path / "out")])
    assert seen["workers"] is None and seen["spec_workers"] == 0


@pytest.mark.parametrize("value", ["-1", "1.5", '"two"', "true"])
def test_a_bad_workers_key_is_refused_at_load(tmp_path, value):
    with pytest.raises(ParameterError) as e:
        load_spec(sweep_file(tmp_path, f"workers = {value}\n"))
    assert "'workers'" in str(e.value) and "whole number >= 0" in str(e.value)


def test_workers_is_an_execution_option_not_part_of_the_key(tmp_path):
    assert load_spec(sweep_file(tmp_path, "workers = 2\n")).key() == load_spec(sweep_file(tmp_path)).key()


# ------------------------------------------------------------------ 4. no [parameters] table
def test_a_sweep_without_parameters_draws_one_figure_per_outcome(tmp_path):
    """Repeated seeds of one point are a sweep a researcher runs on purpose (seed variability):
    its figures show each seed's outcome, from the run and from the store (`painsim figures`)."""
    spec = {"name": "seeds_only", "kind": "function", "function": y, "outcomes": ["y"], "seeds": 3}
    ds = run_sweep(spec, store=tmp_path / "out" / "store", workers=0, progress=False)
    assert ds["y"].dims == ("point", "repeat") and ds.sizes["point"] == 1
    assert set(sweep_figures(ds)) == {"sweep_y"}
    assert set(sweep_figures(load_sweep(tmp_path / "out" / "store"))) == {"sweep_y"}
    assert cli.main(["figures", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "seeds_only_sweep_y.png").exists()


def test_a_sweep_file_without_parameters_loads_but_a_figure_axis_is_refused(tmp_path):
    spec = load_spec(sweep_file(tmp_path, parameters=""))
    assert spec.axes == [] and spec.points() == [{}]
    with pytest.raises(SpecError, match="figure.x.*no swept parameters"):
        load_spec(sweep_file(tmp_path, 'figure = {x = "stimulus.rate"}\n', parameters=""))


# ------------------------------------------------------------------ 5. mixed values of an axis
def test_mixed_units_of_an_axis_read_cleanly(tmp_path):
    path = sweep_file(tmp_path, parameters='[parameters]\n"stimulus.rate" = ["5 Hz", 10]\n')
    with pytest.raises(UnitError) as e:
        load_spec(path)
    msg = str(e.value)
    assert "'stimulus.rate'" in msg and "['5 Hz', 10]" in msg and "a quantity in Hz" in msg
    assert "found Hz and a plain number" in msg and 'e.g. "10 Hz"' in msg
    assert "1 one unit" not in msg and "(dimensionless)" not in msg


@pytest.mark.parametrize("values, error, words", [
    (["5 Hz", "2 mA"], UnitError, ["a quantity in Hz", "found Hz and mA"]),
    ([0.5, "fast"], SpecError, ["all numbers, all words or all booleans", "found a plain number and a word"]),
    ([True, 0.5], SpecError, ["found a boolean and a plain number"]),
])
def test_other_mixed_values_name_what_was_found(values, error, words):
    with pytest.raises(error) as e:
        make_spec({"kind": "function", "function": y, "parameters": {"x": values}})
    assert "'x'" in str(e.value) and all(w in str(e.value) for w in words)


def test_values_in_one_unit_load(tmp_path):
    """Negative control: the same axis in one unit (two spellings of it)."""
    spec = load_spec(sweep_file(tmp_path, parameters='[parameters]\n"stimulus.rate" = ["5 Hz", "0.01 kHz"]\n'))
    assert spec.axes[0].values == (5.0, 10.0)


# ------------------------------------------------------------------ 5. figures of more than two swept parameters
def additive(params, seed):
    return {"y": params["a"] + 10 * params["b"] + 100 * params["c"] + 1000 * params.get("d", 0.0)}


@pytest.mark.parametrize("d_values, panels", [(None, 2), ([0.0, 1.0, 2.0, 3.0], 1)])
def test_further_swept_parameters_are_panels_until_there_are_too_many(tmp_path, d_values, panels):
    """A heat map over (a, b) of a sweep that also varies c shows one panel per value of c, each
    holding that value's outcomes (not their average over c); with more combinations than
    MAX_PANELS (c x d = 8) the further parameters are averaged in one panel, as before."""
    from painsim.plots.sweep import MAX_PANELS
    parameters = {"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0], "c": [0.0, 1.0]}
    if d_values is not None:
        parameters["d"] = d_values
        assert 2 * len(d_values) > MAX_PANELS
    ds = run_sweep({"name": "panels", "kind": "function", "function": additive, "outcomes": ["y"],
                    "parameters": parameters, "seeds": 2}, store=tmp_path / "store", workers=0, progress=False)
    fig = sweep_figure(ds, "y", x="a", y="b")
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == panels
    a, b = np.meshgrid([1.0, 2.0, 3.0], [0.0, 1.0])  # rows b, columns a, as drawn
    d_mean = 0.0 if d_values is None else 1000 * float(np.mean(d_values))
    expected = ([a + 10 * b + 100 * c for c in (0.0, 1.0)] if panels == 2
                else [a + 10 * b + 50 + d_mean])
    for ax, want in zip(images, expected):
        np.testing.assert_allclose(np.asarray(ax.images[0].get_array()), want)
    if panels == 2:
        assert [ax.get_title() for ax in images] == ["c = 0", "c = 1"]


# ------------------------------------------------------------------ 6. stimulus tables without a type
def without_stimulus_table(path: Path) -> Path:
    """The sweep file at ``path`` with its [stimulus] table taken out."""
    text = path.read_text()
    start = text.index("[stimulus]")
    path.write_text(text[:start] + text[text.index("[parameters]"):])
    return path


@pytest.mark.parametrize("axis", ["stimulus.rate", "stimulus[0].rate"])
def test_a_stimulus_axis_without_a_stimulus_table_is_refused_by_its_axis(tmp_path, axis):
    """Was: "unknown waveform type 'None'" (the device had only the axis's argument)."""
    path = without_stimulus_table(sweep_file(tmp_path, parameters=f'[parameters]\n"{axis}" = ["10 Hz", "80 Hz"]\n'))
    with pytest.raises(SpecError) as e:
        load_spec(path)
    assert e.value.name == axis
    assert "[stimulus] table" in str(e.value) and 'type = "tonic"' in str(e.value)
    assert "None" not in str(e.value)


def test_the_cli_refuses_a_stimulus_axis_without_a_stimulus_table_before_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "run_sweep", no_work)
    path = without_stimulus_table(sweep_file(tmp_path))
    assert cli.main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "0"]) == 2
    assert "'stimulus.rate'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_axes_that_give_the_type_describe_a_device_without_a_table(tmp_path):
    """Negative control: a stimulus.type axis with the other arguments as axes is a device."""
    parameters = ('[parameters]\n"stimulus.type" = ["tonic"]\n"stimulus.rate" = ["10 Hz", "80 Hz"]\n'
                  '"stimulus.width" = ["200 us"]\n"stimulus.amplitude" = [1.5]\n')
    spec = load_spec(without_stimulus_table(sweep_file(tmp_path, parameters=parameters)))
    assert spec.stimulus is None and len(spec.points()) == 2


def test_a_stimulus_table_without_a_type_names_the_missing_type(tmp_path):
    path = sweep_file(tmp_path)
    path.write_text(path.read_text().replace('type = "tonic"\n', ""))
    with pytest.raises(ParameterError) as e:
        load_spec(path)
    assert e.value.name == "type" and e.value.value is None
    assert "missing from the stimulus table: type" in str(e.value) and "tonic" in str(e.value)
    assert "unknown waveform type" not in str(e.value)


def test_a_waveform_table_without_a_type_is_named_missing_not_unknown():
    from painsim.stimulation import from_spec, from_table
    with pytest.raises(ParameterError) as e:
        from_table({"rate": "50 Hz"}, "condition[0].stimulus")
    assert e.value.name == "condition[0].stimulus.type" and "missing" in str(e.value)
    assert "'None'" not in str(e.value) and "theta_burst" in str(e.value)
    with pytest.raises(UnknownKeyError, match="did you mean 'tonic'"):  # control: a misspelt type is unknown
        from_spec({"type": "tonik"})


# ------------------------------------------------------------------ 7. partial stimulus tables of protocols
def test_a_partial_stimulus_table_changes_the_base_protocols_stimulus():
    """Was: the table replaced the base's stimulus and failed as "unknown waveform type 'None'"."""
    from painsim import protocols
    base = protocols.get("scs_tonic")
    p = protocols.from_spec({"base": "scs_tonic", "stimulus": {"rate": "20 Hz"}})
    assert p.stimulus == {**base.stimulus, "rate": "20 Hz"}
    assert p.period == pytest.approx(1 / 20) and base.period == pytest.approx(1 / 50)
    same_type = protocols.from_spec({"base": "scs_tonic", "stimulus": {"type": "tonic", "amplitude": 2.0}})
    assert same_type.stimulus == {**base.stimulus, "amplitude": 2.0}
    other = protocols.from_spec({"base": "scs_tonic", "stimulus": {"type": "burst", "amplitude": 1.3}})
    assert other.stimulus == {"type": "burst", "amplitude": 1.3}  # another type: a stimulus of its own
    assert protocols.from_spec({"base": "scs_tonic", "stimulus": {"type": "none"}}).is_sham


def test_a_changed_alternating_stimulus_keeps_running_for_the_whole_session():
    """pnt_alternating declares its 6 s period; a table changing its amplitude keeps a periodic pattern
    (the period of 15/30 Hz segments of 3 s), not one 12 s pattern followed by a pause."""
    from painsim import protocols
    p = protocols.from_spec({"base": "pnt_alternating", "stimulus": {"amplitude": 1.5}})
    assert p.period == pytest.approx(6.0) and p.stimulus["amplitude"] == 1.5
    late = p.waveform(600.0, 606.0)
    assert late.n_pulses == protocols.get("pnt_alternating").waveform(600.0, 606.0).n_pulses == 135
    assert set(late.amplitudes) == {1.5}


@pytest.mark.parametrize("table, hint", [
    ({"session_duration": "10 min", "days": [0]}, 'base = "<name>"'),
    ({"base": "scs_tonic_sham"}, "'scs_tonic_sham' is a sham"),
])
def test_a_partial_stimulus_table_with_nothing_to_change_needs_a_type(table, hint):
    from painsim import protocols
    with pytest.raises(ParameterError) as e:
        protocols.from_spec({**table, "stimulus": {"rate": "20 Hz"}})
    assert e.value.name == "protocol.stimulus.type" and e.value.value is None
    assert "tonic" in str(e.value) and hint in str(e.value) and "unknown waveform type" not in str(e.value)


def test_a_course_sweep_over_a_protocol_with_a_partial_stimulus_table():
    from painsim.sweep.points import point_protocol
    spec = make_spec({"kind": "course", "protocol": {"base": "scs_tonic", "stimulus": {"rate": "20 Hz"}},
                      "parameters": {"protocol.stimulus.amplitude": [1.0, 2.0]}})
    stimuli = [point_protocol(spec, p).stimulus for p in spec.points()]
    assert [(s["rate"], s["amplitude"], s["width"]) for s in stimuli] == [("20 Hz", 1.0, "300 us"),
                                                                         ("20 Hz", 2.0, "300 us")]


def test_a_course_file_whose_protocol_changes_one_stimulus_argument_loads(tmp_path):
    from painsim import protocols
    from painsim.files import load_experiment
    from painsim.params import find_builtin
    text = find_builtin("tens_course", "experiments").read_text()
    edited = text.replace('base = "tens_conventional"\n', 'base = "tens_conventional"\nstimulus = {amplitude = 2.0}\n')
    assert edited != text
    (tmp_path / "course.toml").write_text(edited)
    spec = load_experiment(tmp_path / "course.toml")
    assert protocols.resolve(spec["protocol"]).stimulus == {"type": "tens", "mode": "conventional", "amplitude": 2.0}


# ------------------------------------------------------------------ 8. temperatures with their unit
@pytest.mark.parametrize("value", [47, 47.0, "47 degC", "47 °C", "47 C", "320.15 K"])
def test_a_heat_axis_takes_every_form_a_conditions_file_takes(value):
    """Was: "47 degC" was refused on a sweep axis but accepted as ``heat`` in a conditions file."""
    from painsim.files.conditions import natural_stimuli
    from painsim.sweep.points import build_point
    spec = make_spec({"noxious": 0.0, "params": TINY, "duration": "0.2 s", "parameters": {"heat": [value]}})
    assert spec.axes[0].values == (pytest.approx(47.0),)
    swept = build_point(spec, spec.points()[0])[2]
    in_a_condition = natural_stimuli({"heat": value}, 0)[0]
    assert swept.kind == in_a_condition.kind == "heat"
    assert swept.value == pytest.approx(in_a_condition.value) == pytest.approx(47.0)


def cold_sweep(tmp_path: Path, axis: str):
    """The sweep file with a ``cold`` axis (and no noxious intensity: one noxious stimulus a point)."""
    path = sweep_file(tmp_path, parameters=f'[parameters]\n"cold" = {axis}\n')
    path.write_text(path.read_text().replace("noxious = 0.6", "noxious = 0.0"))
    return load_spec(path)


def test_temperatures_with_units_are_the_same_sweep_as_plain_numbers(tmp_path):
    plain = cold_sweep(tmp_path, "{min = 5.0, max = 15.0, n = 3}")
    with_units = cold_sweep(tmp_path, '{min = "5 degC", max = "288.15 K", n = 3}')
    assert with_units.axes[0].grid() == pytest.approx(plain.axes[0].grid()) and plain.axes[0].grid() == [5.0, 10.0, 15.0]
    assert with_units.axes[0].unit == plain.axes[0].unit == "" and with_units.axes[0].dim == plain.axes[0].dim
    mixed = cold_sweep(tmp_path, '[5, "10 degC", "15 °C"]')  # forms mixed as conditions may mix them
    assert mixed.axes[0].values == (5.0, 10.0, 15.0)


@pytest.mark.parametrize("value, error, words", [
    ("hot", ParameterError, ["'heat'", "'hot'", '"47 degC"']),
    ("47 °F", ParameterError, ["'heat'", "°F is not read"]),
    ("47 Hz", UnitError, ["'heat'", "°C or K"]),
    ("20 degC", ParameterError, ["'heat'", "32 °C baseline", "cold()"]),
])
def test_a_temperature_axis_still_refuses_what_a_conditions_file_refuses(value, error, words):
    with pytest.raises(error) as e:
        make_spec({"noxious": 0.0, "params": TINY, "duration": "0.2 s", "parameters": {"heat": [value]}})
    assert all(w in str(e.value) for w in words), str(e.value)


def test_a_function_sweeps_heat_is_its_own_name():
    """Names of a function sweep are the function's: ``heat`` may hold words there."""
    spec = make_spec({"kind": "function", "function": y, "parameters": {"heat": ["low", "high"]}})
    assert spec.axes[0].values == ("low", "high")


# ------------------------------------------------------------------ 9. the sweep's name and store
@pytest.mark.parametrize("name", ['"../../escape"', '"heat/v2"', '""', "42", '".hidden"'])
def test_a_sweep_name_that_is_not_a_file_name_is_refused_as_an_experiment_name_is(tmp_path, name):
    """Was: the name made the output folder (painsim-out/<name>) and the figures' file names unchecked."""
    from painsim.files.dispatch import check_experiment
    path = sweep_file(tmp_path)
    path.write_text(path.read_text().replace('name = "qa"', f"name = {name}"))
    with pytest.raises(SpecError) as e:
        load_spec(path)
    assert e.value.name == "sweep.name" and "a file name" in str(e.value)
    with pytest.raises(ParameterError, match="experiment.name"):  # the rule of experiment names
        check_experiment({"experiment": {"name": e.value.value}, "condition": [{"label": "a"}]})


def test_the_cli_refuses_a_sweep_name_outside_the_output_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "run_sweep", no_work)
    monkeypatch.chdir(tmp_path)
    path = sweep_file(tmp_path)
    path.write_text(path.read_text().replace('name = "qa"', 'name = "../escape"'))
    assert cli.main(["sweep", str(path), "--workers", "0"]) == 2
    assert "sweep.name" in capsys.readouterr().err
    assert not (tmp_path / "escape").exists() and not (tmp_path / "painsim-out").exists()


def test_a_plain_sweep_name_loads(tmp_path):  # the negative control of the name check
    path = sweep_file(tmp_path)
    path.write_text(path.read_text().replace('name = "qa"', 'name = "qa.v2-b"'))
    assert load_spec(path).name == "qa.v2-b"


def test_a_store_that_is_a_file_is_refused_by_name(tmp_path, monkeypatch):
    """Was: NotADirectoryError from inside the store's checks."""
    monkeypatch.setattr(sweep_run, "run_batches", no_work)
    store = tmp_path / "results.txt"
    store.write_text("keep me")
    spec = {"kind": "function", "function": y, "parameters": {"x": [1.0]}, "outcomes": ["y"]}
    for resume in (False, True):
        with pytest.raises(ParameterError) as e:
            run_sweep(spec, store=store, workers=0, progress=False, resume=resume)
        assert e.value.name == "store" and str(store) in str(e.value) and "is a file" in str(e.value)
    assert store.read_text() == "keep me"


def test_a_waveform_error_at_one_point_names_the_point(tmp_path):
    """Was: "'width' = '200 us' ... no longer than the period" with no word of the swept rate that made
    the width too long; the 80 Hz control point of the same file loads."""
    load_spec(sweep_file(tmp_path, parameters='[parameters]\n"stimulus.rate" = ["10 Hz", "80 Hz"]\n'))
    path = sweep_file(tmp_path, parameters='[parameters]\n"stimulus.rate" = ["10 Hz", "5000 Hz"]\n')
    with pytest.raises(ParameterError) as err:
        load_spec(path)
    assert err.value.name == "width" and "at the point stimulus.rate = 5000.0" in str(err.value)
