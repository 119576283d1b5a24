"""The benchmarks' command lines and the painsim names they use.

Every ``benchmarks/*.py`` answers ``--help`` at once (before any work) and refuses a bad
value in one argparse line (exit status 2, no traceback).  Every painsim name a benchmark
imports (``from painsim... import X``) or reaches through a module alias (``S.course_settings``
with ``from painsim.course import session as S``) exists: a renamed or moved name fails here,
not in the benchmark's run (``bench_plasticity.py --replay`` and ``bench_engine.py
--profile-programs`` crashed on two such names).
"""
from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if not p.name.startswith("_"))


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def _run_all(commands: list[list[str]], timeout: float = 60.0) -> list[subprocess.CompletedProcess]:
    """Run the commands side by side (each must end within ``timeout`` s)."""
    procs = [subprocess.Popen([sys.executable, *c], cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for c in commands]
    done = []
    try:
        for c, p in zip(commands, procs):
            try:
                out, err = p.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                pytest.fail(f"{' '.join(c)} still running after {timeout:g} s (it started the benchmark)")
            done.append(subprocess.CompletedProcess(c, p.returncode, out, err))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return done


def test_every_benchmark_is_here():
    assert len(SCRIPTS) >= 10 and {"bench_course.py", "bench_machine.py"} <= {p.name for p in SCRIPTS}


def test_help_exits_at_once():
    results = _run_all([[str(p.relative_to(ROOT)), "--help"] for p in SCRIPTS])
    for p, r in zip(SCRIPTS, results):
        assert r.returncode == 0, (p.name, r.stderr[-2000:])
        assert r.stdout.startswith("usage:"), (p.name, r.stdout[:300])


#: a bad value per script -> the option argparse names
BAD = {
    "bench_overhead.py": (["--repeat", "0"], "--repeat"),
    "bench_sweep.py": (["--points", "0"], "--points"),
    "bench_engine.py": (["--course-models", "foo"], "--course-models"),
    "bench_network.py": (["abc"], "N"),
    "bench_course.py": (["--sessions", "-1"], "--sessions"),
    "bench_machine.py": (["--seconds", "nan"], "--seconds"),
    "bench_plasticity.py": (["--repeat", "0"], "--repeat"),
    "bench_cohort.py": (["--before-max-points", "100"], "--before-max-points"),   # runtime engine
    "bench_cohort.py --writes-ab": (["--writes-ab"], "--writes-ab"),               # runtime engine
    "bench_fibers.py": (["--quick"], "--quick"),                                   # no such option
}


def test_bad_values_are_refused_in_one_line():
    cases = [(name.split()[0], args, option) for name, (args, option) in BAD.items()]
    results = _run_all([[f"benchmarks/{script}", *args] for script, args, _ in cases])
    for (script, args, option), r in zip(cases, results):
        assert r.returncode == 2, (script, args, r.returncode, r.stderr[-2000:])
        assert "Traceback" not in r.stderr, (script, args, r.stderr[-2000:])
        last = r.stderr.strip().splitlines()[-1]
        assert last.startswith(f"{script}: error:") and option in last, (script, args, last)


def test_a_good_engine_model_list_is_accepted():
    """Negative control of the refusal above: known models pass the same type."""
    sys.path.insert(0, str(BENCH))
    try:
        cli = importlib.import_module("_cli")
    finally:
        sys.path.remove(str(BENCH))
    parse = cli.one_of(("neuropathic", "central_poststroke_ischemic"), "models")
    assert parse("neuropathic") == ("neuropathic",)
    with pytest.raises(Exception, match="among"):
        parse("foo")
    assert cli.positive_int("3") == 3 and cli.nonnegative_int("0") == 0
    for bad in ("0", "-2", "1.5", "x"):
        with pytest.raises(Exception, match="positive integer"):
            cli.positive_int(bad)
    for bad in ("0", "inf", "nan", "-1"):
        with pytest.raises(Exception, match="> 0"):
            cli.positive_float(bad)


# ------------------------------------------------------------------ painsim names
def _resolve(dotted: str):
    """The object named ``a.b.c`` (modules imported as needed); AttributeError/ImportError if none."""
    parts = dotted.split(".")
    obj = importlib.import_module(parts[0])
    for k, part in enumerate(parts[1:], 1):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            obj = importlib.import_module(".".join(parts[:k + 1]))  # a submodule not imported yet
    return obj


def _chain(node: ast.Attribute):
    """``S.a.b`` -> ("S", ["a", "b"]); None if not rooted at a name."""
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    return (node.id, attrs[::-1]) if isinstance(node, ast.Name) else None


def _own_nodes(scope):
    """The nodes of a scope, not descending into the functions and classes defined in it."""
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))


def _bindings(scope) -> tuple[dict, set]:
    """(painsim names imported in the scope: local name -> dotted name, other names bound there)."""
    aliases, bound = {}, set()
    if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        a = scope.args
        bound |= {x.arg for x in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg] if x}
    for node in _own_nodes(scope):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] == "painsim":
            for n in node.names:
                aliases[n.asname or n.name] = f"{node.module}.{n.name}"
        elif isinstance(node, ast.Import):
            for n in node.names:
                if n.name.split(".")[0] == "painsim":
                    aliases[n.asname or n.name.split(".")[0]] = n.name if n.asname else "painsim"
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return aliases, bound - set(aliases)


def missing_painsim_names(source: str, filename: str = "<benchmark>") -> list[str]:
    """Every painsim name the source imports or reaches through a module alias that does not exist.

    Aliases follow Python's scopes: a function sees its own imports and the module's, and a name
    the function binds otherwise (``S = b2.Synapses(...)``) hides the module's alias there.
    """
    missing = []

    def check(dotted: str, line: int):
        try:
            obj = _resolve(dotted)
        except (ImportError, AttributeError) as e:
            missing.append(f"{filename}:{line}: {dotted} ({type(e).__name__})")
            return None
        return obj

    def visit(scope, inherited: dict):
        aliases, bound = _bindings(scope)
        visible = {**{k: v for k, v in inherited.items() if k not in bound}, **aliases}
        for node in _own_nodes(scope):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] == "painsim":
                for n in node.names:
                    check(f"{node.module}.{n.name}", node.lineno)
            elif isinstance(node, ast.Import):
                for n in node.names:
                    if n.name.split(".")[0] == "painsim":
                        check(n.name, node.lineno)
            elif isinstance(node, ast.Attribute) and (c := _chain(node)) and c[0] in visible:
                obj = check(visible[c[0]], node.lineno)
                for attr in c[1]:  # through modules and classes; an instance's attributes are its own
                    if obj is None or not (isinstance(obj, type) or type(obj).__name__ == "module"):
                        break
                    if not hasattr(obj, attr):
                        missing.append(f"{filename}:{node.lineno}: {visible[c[0]]}.{'.'.join(c[1])} "
                                       f"(no {attr!r} on {getattr(obj, '__name__', obj)})")
                        break
                    obj = getattr(obj, attr)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                visit(node, visible)

    visit(ast.parse(source, filename), {})
    return sorted(set(missing))


def test_the_checker_finds_the_two_renamed_names():
    """The two crashes: names moved out of painsim.course.session and made public in painsim.cohort."""
    old = ("def replay():\n    from painsim.course import session as S\n    return S.course_settings\n"
           "def profile():\n    from painsim.cohort.run import _patient_models\n")
    found = missing_painsim_names(old)
    assert len(found) == 2 and "course_settings" in found[0] + found[1] and "_patient_models" in "".join(found)
    new = ("def replay():\n    from painsim.course import session as S\n"
           "    from painsim.course.settings import course_settings\n    return S.replay_chunk, course_settings\n"
           "def profile():\n    from painsim.cohort import patient_models\n")
    assert missing_painsim_names(new) == []


def test_the_checker_follows_scopes():
    """A name bound in another function (brian2's Synapses as ``S``) is not the module's alias."""
    src = ("from painsim.course import session as S\n"
           "def brian():\n    S = object()\n    return S.connect\n"
           "def replay():\n    return S.no_such_name, S.REPLAY\n")
    assert [m.split(": ")[1] for m in missing_painsim_names(src)] == ["painsim.course.session.no_such_name "
                                                                       "(no 'no_such_name' on painsim.course.session)"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_painsim_name_a_benchmark_uses_exists(script):
    assert missing_painsim_names(script.read_text(encoding="utf-8"), script.name) == []
