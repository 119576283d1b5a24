"""The engine's environment settings and the compiled path (bug hunt): a misspelt
``$PAINSIM_ENGINE``/``$PAINSIM_TARGET`` refused before a sweep's store exists, the compiled
engine's ``$PAINSIM_STANDALONE_*`` read when it is used (not at import, which broke every
command), stale build folders of killed workers removed, a failed compilation reported as
painsim's error, an unusable ``$PAINSIM_STANDALONE_DIR`` and misspelt ``_KEEP``/``$PAINSIM_REPLAY``
refused by name, and validation fingerprints of resolved (not raw) engine settings."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from painsim import checks
from painsim.circuits import check_engine_settings, compiler, standalone
from painsim.circuits.engine_settings import check_compiled_engine_settings
from painsim.circuits import standalone_cache as sc
from painsim.course import engine as course_engine
from painsim.course import session
from painsim.errors import EngineError
from painsim.sweep import run_sweep
from painsim.sweep import run as sweep_run
from painsim.validation import run as validation_run
from refusals import refused

ROOT = Path(__file__).resolve().parents[1]

STANDALONE_VARIABLES = ("PAINSIM_STANDALONE_MAX_POINTS", "PAINSIM_STANDALONE_VECTORISE",
                        "PAINSIM_STANDALONE_PROFILE", "PAINSIM_STANDALONE_KEEP", "PAINSIM_STANDALONE_DIR")


@pytest.fixture
def clean_env(monkeypatch):
    """No engine setting of the caller's environment (the suite sets PAINSIM_TARGET=cython)."""
    for name in ("PAINSIM_ENGINE", "PAINSIM_TARGET", "PAINSIM_REPLAY", *STANDALONE_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    for module, name in ((standalone, "MAX_POINTS"), (standalone, "PROFILE"), (compiler, "VECTORISE"),
                         (session, "REPLAY")):
        monkeypatch.setattr(module, name, None)
    return monkeypatch


# -- 1. a misspelt engine or target: refused before the sweep's store exists -----------------------

def _sweep_spec():
    return {"sweep": {"name": "env", "model": "gate_control", "duration": "0.1 s", "seed": 1,
                      "outcomes": ["pain"]},
            "params": {"afferents.C.n": 4, "afferents.Abeta.n": 4, "afferents.Adelta.n": 4},
            "parameters": {"noxious": [0.3, 0.6]}}


def _no_work(*args, **kwargs):
    raise AssertionError("a refused sweep must not start")


@pytest.mark.parametrize("variable, name, value", [
    ("PAINSIM_ENGINE", "engine (PAINSIM_ENGINE)", "bogus"), ("PAINSIM_TARGET", "PAINSIM_TARGET", "numpyy"),
    ("PAINSIM_STANDALONE_MAX_POINTS", "PAINSIM_STANDALONE_MAX_POINTS", "abc")])
def test_a_misspelt_engine_setting_is_refused_before_the_store(clean_env, tmp_path, variable, name, value):
    """Every point used to fail on the setting and a store of failures (and a figure) was written,
    which a corrected rerun then refused without --resume.  (The compiled engine's settings are
    checked when it is chosen.)"""
    clean_env.setattr(sweep_run, "run_batches", _no_work)
    clean_env.setattr(sweep_run, "_execute", _no_work)
    if variable.startswith("PAINSIM_STANDALONE"):
        clean_env.setenv("PAINSIM_ENGINE", "standalone")
    clean_env.setenv(variable, value)
    store = tmp_path / "store"
    e = refused(lambda: run_sweep(_sweep_spec(), store=store, workers=0, progress=False), name)
    assert value in str(e) and e.allowed
    assert not store.exists()


def test_good_engine_settings_pass_the_up_front_check(clean_env):
    """Negative control: unset, the defaults, the other choices; the compiled engine's settings are
    not read for the runtime engine (a bad one does not stop a runtime run)."""
    assert check_engine_settings() == "runtime"
    clean_env.setenv("PAINSIM_TARGET", "cython")
    clean_env.setenv("PAINSIM_STANDALONE_MAX_POINTS", "abc")
    assert check_engine_settings() == "runtime"
    clean_env.setenv("PAINSIM_ENGINE", "standalone")
    refused(check_engine_settings, "PAINSIM_STANDALONE_MAX_POINTS", allowed=True)


def test_a_function_sweep_does_not_check_the_engine(clean_env):
    """Negative control: a function sweep builds no network, so an engine setting does not concern it."""
    clean_env.setenv("PAINSIM_ENGINE", "bogus")
    ds = run_sweep({"kind": "function", "function": _square, "parameters": {"x": [1.0, 2.0]}, "outcomes": ["y"]},
                   workers=0, progress=False)
    assert (ds["status"].values == "done").all()


def _square(params, seed):
    return {"y": float(params["x"]) ** 2}


# -- 2. the compiled engine's settings: read when it is used, not at import ------------------------

@pytest.mark.parametrize("variable, value", [("PAINSIM_STANDALONE_MAX_POINTS", "abc"),
                                             ("PAINSIM_STANDALONE_VECTORISE", "yes"),
                                             ("PAINSIM_STANDALONE_PROFILE", "true"),
                                             ("PAINSIM_STANDALONE_KEEP", "yes"),
                                             ("PAINSIM_REPLAY", "windows")])
def test_a_bad_setting_does_not_break_import_or_help(variable, value):
    """``import painsim`` and ``painsim --help`` used to end in a traceback (a bare ValueError of
    int(), or a ParameterError raised at import)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), variable: value}
    done = subprocess.run([sys.executable, "-m", "painsim", "--help"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "usage" in done.stdout.lower()


@pytest.mark.parametrize("read, variable, value", [
    (lambda: standalone.max_program_points(), "PAINSIM_STANDALONE_MAX_POINTS", "abc"),
    (lambda: standalone.max_program_points(), "PAINSIM_STANDALONE_MAX_POINTS", "0"),
    (lambda: standalone.max_program_points(), "PAINSIM_STANDALONE_MAX_POINTS", "2.5"),
    (lambda: compiler.compile_flags(), "PAINSIM_STANDALONE_VECTORISE", "yes"),
    (lambda: standalone.profiling(), "PAINSIM_STANDALONE_PROFILE", "true"),
    (lambda: check_compiled_engine_settings(), "PAINSIM_STANDALONE_PROFILE", "true"),
])
def test_a_bad_compiled_engine_setting_is_refused_by_name_when_used(clean_env, read, variable, value):
    clean_env.setenv(variable, value)
    e = refused(read, variable, allowed=True)
    assert repr(value) in str(e)


def test_compiled_engine_settings_read_at_each_use(clean_env):
    """Negative control: defaults when unset, a good value taken at the next use (no import-time
    copy), and a value set on the module (tests, benchmarks) overrides the variable."""
    assert standalone.max_program_points() == standalone.DEFAULT_MAX_POINTS == 32
    assert compiler.vectorise() is True and standalone.profiling() is False
    clean_env.setenv("PAINSIM_STANDALONE_MAX_POINTS", " 8 ")
    clean_env.setenv("PAINSIM_STANDALONE_VECTORISE", "0")
    clean_env.setenv("PAINSIM_STANDALONE_PROFILE", "1")
    assert standalone.max_program_points() == 8 and standalone.pieces(9) == [slice(0, 5), slice(5, 9)]
    assert compiler.vectorise() is False and compiler.compile_flags() == [] and standalone.profiling() is True
    clean_env.setattr(standalone, "MAX_POINTS", 3)
    clean_env.setenv("PAINSIM_STANDALONE_MAX_POINTS", "abc")  # not read: the module's value is set
    assert standalone.max_program_points() == 3
    assert checks.env_whole("PAINSIM_UNSET_FOR_TEST", 5) == 5


# -- 3. build folders of killed processes ----------------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_build_folders_of_dead_processes_are_removed(clean_env, tmp_path):
    """A worker killed by its pool (SIGKILL) never ran the exit clean-up of its build folder; the
    next process to use the root removes those of dead processes of this host and keeps its own,
    those of live processes, of other hosts and names it does not know."""
    clean_env.setenv("PAINSIM_STANDALONE_DIR", str(tmp_path))
    clean_env.setattr(sc, "_swept", set())
    clean_env.setattr(sc, "_created", set())
    host, dead, token = sc.host_label(), _dead_pid(), "0123abcd"
    names = {"dead": f"abcdef0123456789-{host}-{dead}-{token}",
             "dead numbered": f"abcdef0123456789-{host}-{dead}-{token}-2",
             "live": f"abcdef0123456789-{host}-{os.getpid()}-{token}",
             "other host": f"abcdef0123456789-{host}x-{dead}-{token}",
             "longer host": f"abcdef0123456789-{host}-{dead}-{dead}-{token}",
             "unknown": f"something-{dead}"}
    for name in names.values():
        (tmp_path / "build" / name / "static_arrays").mkdir(parents=True)
    binary_tmp = f".{'c' * 24}.{host}-{dead}-{token}.tmp"
    (tmp_path / "bin" / binary_tmp).mkdir(parents=True)
    mine = sc._claim_directory("fedcba9876543210")  # the root is used: stale folders go
    left = {p.name for p in (tmp_path / "build").iterdir()}
    assert names["dead"] not in left and names["dead numbered"] not in left
    assert {names[k] for k in ("live", "other host", "longer host", "unknown")} <= left
    assert not (tmp_path / "bin" / binary_tmp).exists()
    assert mine.parent == tmp_path / "build" and not mine.name.startswith(".probe")
    assert not [n for n in left if n.startswith(".probe")]


def test_stale_build_folders_are_kept_with_keep(clean_env, tmp_path):
    """Negative control: PAINSIM_STANDALONE_KEEP=1 keeps every folder (one asks to look at them)."""
    clean_env.setenv("PAINSIM_STANDALONE_KEEP", "1")
    name = f"abcdef0123456789-{sc.host_label()}-{_dead_pid()}-0123abcd"
    (tmp_path / "build" / name).mkdir(parents=True)
    assert sc.remove_stale_builds(tmp_path) == []
    assert (tmp_path / "build" / name).is_dir()


# -- 4. a compiler that fails --------------------------------------------------------------------

def test_a_failed_compilation_is_an_engine_error(clean_env, tmp_path):
    """brian2's RuntimeError ("Project compilation failed") went out through brian2's hook as a
    possible bug of brian2; it is painsim's EngineError saying which engine, where the project is,
    and how to run without compiling."""
    class Device:
        def compile_source(self, *args, **kwargs):
            raise RuntimeError("Project compilation failed (error code: 512).")

    clean_env.setenv("CXX", "no-such-cxx")
    with pytest.raises(EngineError) as e:
        standalone._compile(Device(), tmp_path / "project", standalone.import_brian2().prefs)
    text = str(e.value)
    assert isinstance(e.value, RuntimeError) and "Project compilation failed" in text
    assert "compiled engine" in text and "PAINSIM_ENGINE=runtime" in text
    assert "no-such-cxx" in text and str(tmp_path / "project") in text


def test_a_successful_compilation_passes(clean_env, tmp_path):
    """Negative control: a compilation that succeeds raises nothing."""
    calls = []

    class Device:
        def compile_source(self, *args, **kwargs):
            calls.append(args)

    standalone._compile(Device(), tmp_path, standalone.import_brian2().prefs)
    assert len(calls) == 1


# -- 5. an unusable $PAINSIM_STANDALONE_DIR ------------------------------------------------------

def test_standalone_dir_that_is_a_file_is_refused_by_name(clean_env, tmp_path):
    """A raw NotADirectoryError named no variable; now a ParameterError naming the variable, the
    value and what is allowed (also for a folder under a file).  A folder passes and is created."""
    a_file = tmp_path / "a_file"
    a_file.write_text("not a folder")
    for bad in (a_file, a_file / "under"):
        clean_env.setenv("PAINSIM_STANDALONE_DIR", str(bad))
        for call in (sc.standalone_root, sc.check_standalone_root, lambda: sc._claim_directory("ab" * 8)):
            e = refused(call, "PAINSIM_STANDALONE_DIR", allowed=True)
            assert str(bad) in str(e) and "a file" in str(e)
    good = tmp_path / "new" / "root"
    clean_env.setenv("PAINSIM_STANDALONE_DIR", str(good))
    assert sc.check_standalone_root() == good and (good / "build").is_dir() and not any((good / "build").iterdir())


# -- 6. PAINSIM_STANDALONE_KEEP and PAINSIM_REPLAY: refused by name ------------------------------

def test_keep_is_checked(clean_env):
    """Any value was taken silently (only "1" honoured)."""
    assert sc.keep_folders() is False
    clean_env.setenv("PAINSIM_STANDALONE_KEEP", "1")
    assert sc.keep_folders() is True
    clean_env.setenv("PAINSIM_STANDALONE_KEEP", "yes")
    e = refused(sc.keep_folders, "PAINSIM_STANDALONE_KEEP", allowed=True)
    assert "'yes'" in str(e) and "0, 1" in e.allowed


def test_replay_is_checked_when_any_course_runs(clean_env, no_work):
    """$PAINSIM_REPLAY was read at import and checked only when a rule with a replay kernel replayed
    a chunk; now a course refuses a misspelt value before it starts, whatever its rules."""
    clean_env.setenv("PAINSIM_REPLAY", "windows")
    e = refused(lambda: course_engine.run_course_batch("gate_control", "itbs", seeds=[0]),
                "PAINSIM_REPLAY", allowed=True)
    assert "'windows'" in str(e) and "chunk" in e.allowed
    for ok in ("chunk", "window"):  # negative control: read at each use
        clean_env.setenv("PAINSIM_REPLAY", ok)
        assert session.replay_mode() == ok
    clean_env.delenv("PAINSIM_REPLAY")
    assert session.replay_mode() == "chunk"


# -- 7. the validation fingerprint: resolved settings, not raw strings ---------------------------

def test_inputs_fingerprint_records_the_resolved_engine(clean_env):
    """Unset and set to the default recorded different raw strings (["", ""] against ["numpy",
    "runtime"]), so a kept run was not recognised; a different target still differs."""
    clean_env.setattr(validation_run, "builtin_models", lambda: [])
    clean_env.setattr(validation_run, "builtin_experiments", lambda: [])
    unset = validation_run.inputs_fingerprint()
    clean_env.setenv("PAINSIM_TARGET", "numpy")
    clean_env.setenv("PAINSIM_ENGINE", "runtime")
    assert validation_run.inputs_fingerprint() == unset
    clean_env.setenv("PAINSIM_TARGET", "cython")
    assert validation_run.inputs_fingerprint() != unset
    clean_env.setenv("PAINSIM_TARGET", "numpy")
    clean_env.setenv("PAINSIM_ENGINE", "standalone")
    assert validation_run.inputs_fingerprint() != unset
    clean_env.setenv("PAINSIM_ENGINE", "bogus")
    refused(validation_run.inputs_fingerprint, "engine (PAINSIM_ENGINE)", allowed=True)
