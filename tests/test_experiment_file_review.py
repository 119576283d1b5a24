"""How experiment files are loaded and run (a review's findings): a relative model path is read beside
the file; the user's [params] and --set win over a protocol's own overrides; a protocol whose
stimulus the model does not receive, a protocol override the model does not have, and a bad
intensity or site of a condition are refused when the file is loaded; a cohort that fails before
its first patient leaves no store that blocks the next run; a course or cohort built as a dict runs.
No test simulates: the first expensive step is replaced (:mod:`refusals`)."""
from __future__ import annotations

import textwrap

import pytest

import painsim as ps
from painsim.errors import ModelFileError, ParameterError, UnknownKeyError
from painsim.files import load_experiment, run_experiment
from refusals import WorkStarted, refused


def _write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def _user_model(folder, file_name: str, name: str):
    """A model file of the user's (a variant of the reference model) called ``name``."""
    return _write(folder / file_name, f"""
        [model]
        name = "{name}"
        extends = "gate_control"
        """)


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """Python runs in another folder than the experiment files' (tmp_path/proj)."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return tmp_path / "proj"


def _first_models(monkeypatch, module: str, attr: str):
    """Replace ``module.attr`` (the first simulating step) by a recorder of the model names it gets."""
    seen: list[str] = []

    def record(models, *args, **kwargs):
        first = models[0] if isinstance(models, list) else models
        seen.append(first.model.name if isinstance(first, ps.Request) else first.name)
        raise WorkStarted

    monkeypatch.setattr(f"{module}.{attr}", record)
    return seen


# ---------------------------------------------------------------- 1. model paths
def test_a_conditions_file_reads_its_model_file_beside_it(elsewhere, monkeypatch):
    _user_model(elsewhere, "mymodel.toml", "users_model")
    exp = _write(elsewhere / "exp.toml", """
        [experiment]
        name = "rel"
        model = "mymodel.toml"
        duration = "0.1 s"
        [[condition]]
        label = "a"
        """)
    seen = _first_models(monkeypatch, "painsim.files.conditions", "simulate_batch")
    with pytest.raises(WorkStarted):
        run_experiment(exp)
    assert seen == ["users_model"]


@pytest.mark.parametrize("given, used", [
    ("neuropathic.toml", "users_neuropathic"),  # a file name: the user's file beside the experiment
    ("neuropathic", "neuropathic"),             # negative control: a bare name stays the built-in
])
def test_a_file_name_reads_the_users_file_and_a_bare_name_the_built_in(elsewhere, monkeypatch, given, used):
    """A built-in of the same file name no longer replaces the user's file beside the experiment; a
    name without .toml or a folder is the built-in, even beside a file of that name."""
    _user_model(elsewhere, "neuropathic.toml", "users_neuropathic")
    exp = _write(elsewhere / "course.toml", f"""
        [experiment]
        name = "c"
        kind = "course"
        model = "{given}"
        protocol = "lfs_1hz"
        """)
    seen = _first_models(monkeypatch, "painsim.course.files", "run_course_batch")
    with pytest.raises(WorkStarted):
        run_experiment(exp)
    assert seen == [used]


def test_cohort_and_tolerance_files_read_their_model_beside_them(elsewhere, monkeypatch):
    _write(elsewhere / "pathway.toml", """
        [model]
        name = "users_pathway"
        extends = "pain_pathway"
        """)
    cohort = _write(elsewhere / "cohort.toml", """
        [experiment]
        name = "coh"
        kind = "cohort"
        model = "pathway.toml"
        protocol = "rtms_m1_20hz"
        """)
    assert ps.cohort.load_cohort_spec(cohort)["model"].name == "users_pathway"
    _write(elsewhere / "healthy_variant.toml", """
        [model]
        name = "users_healthy"
        extends = "healthy"
        """)
    tol = _write(elsewhere / "tol.toml", """
        [experiment]
        name = "tol"
        kind = "tolerance"
        model = "healthy_variant.toml"
        test_days = [0, 1]
        protocol = "tens_conventional"
        """)
    seen = _first_models(monkeypatch, "painsim.files.tolerance", "tolerance_course")
    with pytest.raises(WorkStarted):
        run_experiment(tol)
    assert seen == ["users_healthy"]


def test_a_model_path_found_nowhere_is_still_refused(elsewhere):
    """Negative control: no file beside it, none in the working directory, no built-in: refused."""
    exp = _write(elsewhere / "exp.toml", """
        [experiment]
        name = "rel"
        model = "missing_model.toml"
        [[condition]]
        label = "a"
        """)
    with pytest.raises(ModelFileError, match="missing_model.toml"):
        load_experiment(exp)


# ---------------------------------------------------------------- 2. the user's value wins
_PRECEDENCE = """
    [experiment]
    name = "mine"
    kind = "course"
    model = "post_traumatic_neuropathic"
    protocol = "pns_percutaneous"
    [params]
    "afferents.biophysical.peripheral_nerve_distance_min" = "6 mm"
    "plasticity.c_pn.rule" = "pair_stdp"
    "plasticity.c_pn.preset" = "none"
    """


def _patient_of_course_file(path, monkeypatch):
    """The first patient a course file's run would simulate (its model as the engine builds it)."""
    got = {}

    def record(models, protocol, *args, **kwargs):
        got["patient"] = ps.course.engine.new_patient(models[0], 0, protocol)
        raise WorkStarted

    monkeypatch.setattr("painsim.course.files.run_course_batch", record)
    with pytest.raises(WorkStarted):
        run_experiment(path)
    return got["patient"].model


def test_a_course_files_params_win_over_the_protocols_overrides(tmp_path, monkeypatch):
    model = _patient_of_course_file(_write(tmp_path / "mine.toml", _PRECEDENCE), monkeypatch)
    assert model.si("afferents.biophysical.peripheral_nerve_distance_min") == pytest.approx(6e-3)
    assert model.text("plasticity.c_pn.rule") == "pair_stdp"
    assert model.text("plasticity.c_pn.preset") == "none"
    # negative control: what the user does not set keeps the protocol's value
    assert model.text("plasticity.adelta_pn.rule") == "calcium"
    assert model.text("plasticity.adelta_pn.preset") == "spinal_presynaptic"


def test_without_params_the_protocols_overrides_apply(tmp_path, monkeypatch):
    """Negative control: the same file without [params] runs with the protocol's values."""
    text = _PRECEDENCE.split("[params]")[0]
    model = _patient_of_course_file(_write(tmp_path / "mine.toml", text), monkeypatch)
    assert model.si("afferents.biophysical.peripheral_nerve_distance_min") == pytest.approx(5.5e-3)
    assert model.text("plasticity.c_pn.rule") == "calcium"


def test_set_overrides_win_over_the_protocols_in_the_engine():
    distance = "afferents.biophysical.peripheral_nerve_distance_min"
    with ps.params.overriding({distance: "6 mm"}):
        patient = ps.course.engine.new_patient(ps.load_model("post_traumatic_neuropathic"), 1,
                                               ps.protocols.get("pns_percutaneous"))
    assert patient.model.si(distance) == pytest.approx(6e-3)
    assert patient.model.text("plasticity.c_pn.rule") == "calcium"  # not set: the protocol's
    # negative control: without --set the protocol's value
    plain = ps.course.engine.new_patient(ps.load_model("post_traumatic_neuropathic"), 1,
                                         ps.protocols.get("pns_percutaneous"))
    assert plain.model.si(distance) == pytest.approx(5.5e-3)


def test_a_set_override_the_protocols_device_cannot_run_with_is_refused_before_any_session():
    """``--set afferents.recruitment=fraction`` wins over the mpns protocol's biophysical recruitment,
    and its coil current cannot be read without it: refused by name before the first session (this
    file's precedence tests used that pair before the device check, 2026-12-07, and never ran a session)."""
    with ps.params.overriding({"afferents.recruitment": "fraction"}):
        with pytest.raises(ps.errors.ParameterError) as e:
            ps.course.engine.new_patient(ps.load_model("painful_diabetic_neuropathy"), 1, ps.protocols.get("mpns"))
    assert e.value.name.startswith("protocol.stimulus") and "biophysical" in str(e.value)


def test_a_users_rule_takes_the_protocols_settings_of_that_connection_with_it():
    from painsim.params.reading import yielding_to
    own = yielding_to(ps.protocols.get("mpns").plasticity, {"plasticity.c_pn.rule": "pair_stdp"})
    assert not any(k.startswith("plasticity.c_pn.") for k in own)
    # negative control: the other connections' settings stay
    assert own["plasticity.adelta_pn.preset"] == "spinal_presynaptic"
    assert yielding_to({"a.b": 1}, ()) == {"a.b": 1}


def test_a_users_rule_without_its_preset_is_refused_at_load(tmp_path, no_work):
    """The user's rule against the model file's preset (the protocol no longer masks it): refused at load."""
    text = _PRECEDENCE.replace('"plasticity.c_pn.preset" = "none"\n', "")
    refused(lambda: load_experiment(_write(tmp_path / "mine.toml", text)), "plasticity.c_pn.preset")


def test_no_built_in_experiment_gives_a_path_its_protocol_also_sets():
    """What made the precedence safe to change: no built-in file's [params] meets its protocol's overrides."""
    from painsim.course.files import file_protocol
    from painsim.files import file_kind
    for name in ps.params.builtin_experiments():
        if file_kind(name) not in ("course", "cohort", "tolerance"):
            continue
        spec = load_experiment(name)
        params = spec.get("params", {})
        own = file_protocol({k: v for k, v in spec.items() if k != "params"}, spec["_path"]).plasticity
        assert not [k for k in params if k in own and own[k] != params[k]], name


# ---------------------------------------------------------------- 3. a stimulus the model does not receive
def _course(tmp_path, model: str, protocol: str, kind: str = "course"):
    return _write(tmp_path / f"{kind}_{model}_{protocol}.toml", f"""
        [experiment]
        name = "c"
        kind = "{kind}"
        model = "{model}"
        protocol = "{protocol}"
        """)


@pytest.mark.parametrize("protocol", ["rtms_m1_20hz", "itbs"])
def test_a_tms_course_on_a_spinal_model_is_refused_at_load(tmp_path, protocol, no_work):
    err = refused(lambda: load_experiment(_course(tmp_path, "gate_control", protocol)), "experiment.model")
    assert "pain_pathway" in str(err)


def test_a_tms_cohort_on_a_spinal_model_is_refused_at_load(tmp_path, no_work):
    refused(lambda: load_experiment(_course(tmp_path, "gate_control", "rtms_m1_20hz", "cohort")), "experiment.model")


def test_tms_on_a_pathway_and_spinal_protocols_on_a_spinal_model_still_load(tmp_path):
    """Negative control."""
    load_experiment(_course(tmp_path, "pain_pathway", "rtms_m1_20hz"))
    load_experiment(_course(tmp_path, "gate_control", "lfs_1hz"))
    load_experiment(_course(tmp_path, "gate_control", "rtms_m1_20hz_sham"))


# ---------------------------------------------------------------- 4. protocol overrides of cohort and tolerance files
_COHORT = """
    [experiment]
    name = "coh"
    kind = "cohort"
    model = "pain_pathway"
    preset = "rtms_real_world"
    n_patients = 1
    [protocol]
    base = "rtms_m1_20hz"
    days = [0]
    end_day = 1
    [protocol.plasticity]
    """
_TOLERANCE = """
    [experiment]
    name = "tol"
    kind = "tolerance"
    model = "healthy"
    n_patients = 1
    test_days = [0, 1]
    [protocol]
    base = "tens_conventional"
    days = [0]
    session_duration = "20 min"
    [protocol.plasticity]
    """


@pytest.mark.parametrize("text, line, name, error", [
    (_COHORT, '"plasticity.m1_desc.rulee" = "triplet_stdp"', "plasticity.m1_desc.rulee", UnknownKeyError),
    (_COHORT, '"plasticity.m1_desc.rule" = "nonsense_rule"', "nonsense_rule", UnknownKeyError),
    (_TOLERANCE, '"afferents.recruitmnt" = "biophysical"', "afferents.recruitmnt", UnknownKeyError),
    (_TOLERANCE, '"plasticity.c_pn.rule" = "nonsense_rule"', "protocol.plasticity.plasticity.c_pn.rule",
     ParameterError),
    (_TOLERANCE, '"plasticity.c_pn.rule" = "calcium"', "protocol.plasticity.plasticity.c_pn.rule", ParameterError),
])
def test_cohort_and_tolerance_files_check_the_protocols_overrides_at_load(tmp_path, text, line, name, error, no_work):
    path = _write(tmp_path / "f.toml", text + "    " + line + "\n")
    refused(lambda: load_experiment(path), name, error)


@pytest.mark.parametrize("text, line", [(_COHORT, '"plasticity.m1_desc.rule" = "triplet_stdp"'),
                                        (_TOLERANCE, '"afferents.recruitment" = "biophysical"')])
def test_valid_protocol_overrides_of_cohort_and_tolerance_files_load(tmp_path, text, line):
    """Negative control."""
    load_experiment(_write(tmp_path / "f.toml", text + "    " + line + "\n"))


def test_a_cohort_that_fails_before_its_first_patient_does_not_block_the_next_run(tmp_path, monkeypatch, capsys):
    from painsim.cli import main
    from painsim.course import engine

    calls = []

    def fail(*args, **kwargs):
        calls.append(1)
        raise ParameterError("test", "a failure", "no failure (this test's stand-in for a failed course)")

    monkeypatch.setattr(engine, "run_sessions", fail)
    path = _write(tmp_path / "coh.toml", _COHORT.split("[protocol.plasticity]")[0].replace("n_patients = 1",
                                                                                         "n_patients = 1\nworkers = 1"))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    assert not (out / "patients").exists()
    assert main(["run", str(path), "--out", str(out)]) == 2
    assert len(calls) == 2, capsys.readouterr().err  # the second run got as far as the first


def test_a_store_with_finished_work_is_kept_when_a_run_fails(tmp_path):
    """Negative control: a store holding a finished patient stays (it can be resumed)."""
    from painsim.cli.output import _output_folder
    out = tmp_path / "out"
    (out / "patients").mkdir(parents=True)
    (out / "patients" / "patient_000000.nc").write_bytes(b"")
    with pytest.raises(RuntimeError), _output_folder(out):
        raise RuntimeError("failed")
    assert (out / "patients" / "patient_000000.nc").is_file()


# ---------------------------------------------------------------- 5. dicts built in code
def test_a_course_dict_built_in_code_runs(no_work):
    spec = {"experiment": {"name": "d", "kind": "course", "model": "neuropathic", "protocol": "lfs_1hz"}}
    with pytest.raises(WorkStarted):
        run_experiment(spec)


def test_a_cohort_dict_built_in_code_runs(no_work):
    spec = {"experiment": {"name": "d", "kind": "cohort", "model": "pain_pathway", "protocol": "rtms_m1_20hz"}}
    with pytest.raises(WorkStarted):
        run_experiment(spec)


@pytest.mark.parametrize("kind", ["course", "cohort"])
def test_a_bad_dict_is_still_refused_before_any_work(kind, no_work):
    """Negative control."""
    spec = {"experiment": {"name": "d", "kind": kind, "model": "pain_pathway", "protocol": "rtms_m1_20hz",
                           "n_patients": 0}}
    refused(lambda: run_experiment(spec), "experiment.n_patients")


# ---------------------------------------------------------------- 6. a condition's intensities and sites
def _conditions(tmp_path, lines: str, model: str = "gate_control"):
    return _write(tmp_path / "cond.toml", f"""
        [experiment]
        name = "c"
        model = "{model}"
        duration = "0.3 s"
        [[condition]]
        label = "a"
        """ + textwrap.indent(textwrap.dedent(lines), " " * 8))


@pytest.mark.parametrize("lines, name", [
    ("noxious = true", "condition[0].noxious"),
    ('noxious = "0.5"', "condition[0].noxious"),
    ("noxious = -0.1", "condition[0].noxious"),
    ("touch = 5", "condition[0].touch"),
    ('touch = "1"', "condition[0].touch"),
    ('heterotopic = {site = 1, noxious = "0.5"}', "condition[0].heterotopic.noxious"),
])
def test_a_bad_intensity_is_refused_at_load_by_the_files_name(tmp_path, lines, name):
    model = "pain_pathway" if "heterotopic" in lines else "gate_control"
    refused(lambda: load_experiment(_conditions(tmp_path, lines, model)), name, allowed=True)


def test_a_temperature_given_as_noxious_keeps_the_hint_of_heat(tmp_path):
    err = refused(lambda: load_experiment(_conditions(tmp_path, "noxious = 47")), "condition[0].noxious")
    assert "heat" in str(err)


@pytest.mark.parametrize("lines", ["noxious = 0.5", "noxious = 1", "touch = 0", "noxious = 0.3\ntouch = 0.2"])
def test_intensities_between_0_and_1_load(tmp_path, lines):
    """Negative control."""
    load_experiment(_conditions(tmp_path, lines))


@pytest.mark.parametrize("lines", ["site = true\nnoxious = 0.5", "site = 1.0\nnoxious = 0.5",
                                   "site = 99\nnoxious = 0.5"])
def test_a_bad_site_is_refused_at_load(tmp_path, lines):
    refused(lambda: load_experiment(_conditions(tmp_path, lines, "pain_pathway")), "condition[0].site")


def test_a_tms_condition_on_a_spinal_model_is_refused_at_load(tmp_path):
    lines = ('stimulus = {type = "rtms", intensity = 0.8, rate = "20 Hz", train_duration = "0.1 s", '
             'inter_train_interval = "0 s", n_trains = 1}')
    refused(lambda: load_experiment(_conditions(tmp_path, lines)), "condition[0].stimulus")
    load_experiment(_conditions(tmp_path, lines, "pain_pathway"))  # negative control
    load_experiment(_conditions(tmp_path, "site = 1\nnoxious = 0.5", "pain_pathway"))  # negative control

