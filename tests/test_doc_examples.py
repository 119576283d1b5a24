"""The Python examples of the documentation run as written.

The ```python blocks of each page (README.md, docs/*.md) are executed in order in one
namespace, as a reader would paste them into one session (a block may use what an earlier
one on its page defined), starting with ``ps`` imported and ``__name__ == "__main__"`` (the
sweep and cohort examples guard their work with it).  Constructing models, stimuli,
protocols and requests runs for real; the few calls that simulate (seconds to minutes each)
or read a simulated result are replaced by stand-ins that first bind the call's arguments to
the real function's signature, so a renamed function, a misspelt keyword or a wrong number
of arguments in an example still fails, and then return a mock whose attributes the rest of
the page can read.  What the simulations return is tested elsewhere; this file
keeps the pages' code from drifting away from the package.

The ``painsim`` command lines of the pages' shell blocks, and of ``painsim --help``, are read
by the command's own parser (no command runs): every option must exist, every experiment file
or built-in experiment they name must exist, every ``validate --only`` target must be in the
registry, and every ``--set`` path and value must be accepted by the reference model.
"""
from __future__ import annotations

import inspect
import re
import shlex
from pathlib import Path
from unittest import mock

import pytest

import painsim
from painsim.cli import build_parser
from painsim.cli.options import EXAMPLES as HELP_EXAMPLES
from painsim.params import find_builtin, overriding
from painsim.validation import TARGETS

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
SHELL = re.compile(r"^```(?:bash|sh|shell|console)?\n(.*?)^```", re.S | re.M)

# (module, name): the calls of the examples that simulate, or read what a simulation returned
SIMULATING = [(painsim, "simulate"), (painsim, "simulate_batch"), (painsim, "run_course"),
              (painsim, "run_sweep"), (painsim.cohort, "run"), (painsim.cohort, "statistics"),
              (painsim.tolerance, "tolerance_course"), (painsim.io, "to_neo"), (painsim.io, "write_neo")]


def _pages() -> dict[str, list[tuple[str, str]]]:
    """{page: [(page:line, code) of each Python example, in order]} for pages with examples."""
    found = {}
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        blocks = [(f"{page.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}", m.group(1))
                  for m in BLOCK.finditer(text)]
        if blocks:
            found[str(page.relative_to(ROOT))] = blocks
    return found


def _stand_in(real, calls: list):
    """A replacement for ``real`` that checks the call against its signature, records it and
    returns a mock (one per request for ``simulate_batch``, which examples unpack)."""
    signature = inspect.signature(real)

    def call(*args, **kwargs):
        signature.bind(*args, **kwargs)         # TypeError for a wrong keyword or arity
        calls.append(real.__name__)
        if real.__name__ == "simulate_batch":
            return [mock.MagicMock() for _ in args[0]]
        return mock.MagicMock()
    return call


def _run(blocks: list[tuple[str, str]], monkeypatch) -> list[str]:
    """Execute one page's examples in one namespace with the simulating calls stood in for;
    the names of those called.  A failure's traceback names the page and line."""
    calls: list[str] = []
    for module, name in SIMULATING:
        monkeypatch.setattr(module, name, _stand_in(getattr(module, name), calls))
    namespace = {"__name__": "__main__", "ps": painsim}
    for where, code in blocks:
        exec(compile(code, where, "exec"), namespace)
    return calls


EXAMPLES = _pages()


def test_the_pages_have_examples():
    # the collector must find the pages' blocks, or every test below passes vacuously
    assert sum(map(len, EXAMPLES.values())) >= 10 and "README.md" in EXAMPLES, list(EXAMPLES)


@pytest.mark.parametrize("page", list(EXAMPLES))
def test_examples_run(page, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)                 # an example that writes does so here
    _run(EXAMPLES[page], monkeypatch)


# ------------------------------------------------------------------ the checker can fail
def test_a_misspelt_function_fails(monkeypatch):
    with pytest.raises(AttributeError, match="tonik"):
        _run([("example", 'ps.stimulation.tonik(rate="50 Hz", width="200 us", amplitude=1.5, duration="1 s")')],
             monkeypatch)


def test_a_misspelt_keyword_of_a_simulating_call_fails(monkeypatch):
    with pytest.raises(TypeError, match="nxious"):
        _run([("example", 'ps.simulate("gate_control", nxious=0.6, seed=1)')], monkeypatch)


def test_a_correct_simulating_call_is_stood_in_for(monkeypatch):
    # negative control of the two above: the same call, spelt right, runs without simulating
    # (and a later block sees what an earlier one defined)
    calls = _run([("a", 'r = ps.simulate("gate_control", noxious=0.6, seed=1)'), ("b", "float(r.pn_rate)")],
                 monkeypatch)
    assert calls == ["simulate"]


# ------------------------------------------------------------------ command lines
def _command_lines() -> list[tuple[str, str]]:
    """(where, command line) of every ``painsim ...`` line of the pages' shell blocks and of
    ``painsim --help``'s examples; a leading ``... &&`` chain and a trailing comment are cut."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in SHELL.finditer(text):
            first = text.count("\n", 0, m.start()) + 2
            for k, line in enumerate(m.group(1).splitlines()):
                command = line.split(" #")[0].split("&&")[-1].strip()
                if command.startswith("painsim "):
                    found.append((f"{page.relative_to(ROOT)}:{first + k}", command))
    for line in HELP_EXAMPLES.splitlines():
        if line.strip().startswith("painsim "):     # the help's descriptions follow two spaces
            command = re.split(r"\s{2,}", line.strip())[0].replace("[", "").replace("]", "")
            found.append(("painsim --help", command))
    return found


def _check_command(command: str) -> None:
    """Parse one command line and check what it names; raises on the first problem."""
    args = build_parser().parse_args(shlex.split(command)[1:])
    named = getattr(args, "file", None) if args.command in ("run", "course") else getattr(args, "spec", None)
    placeholder = named is not None and Path(named).stem.isupper()     # e.g. SPEC.toml: the reader's own file
    if named is not None and not placeholder:
        if named.endswith(".toml"):
            assert (ROOT / named).is_file(), f"no file {named}"
        else:
            find_builtin(named, "experiments")          # raises for no such built-in
    for target in getattr(args, "only", None) or []:
        for name in target.split(","):
            assert name in {t.name for t in TARGETS}, f"no validation target {name!r}"
    if getattr(args, "set", None):
        with overriding(dict(args.set)):                  # checked against the reference model
            pass


COMMANDS = _command_lines()


def test_the_pages_have_command_lines():
    # the collector must find the README's and the help's commands, or the test below is vacuous
    wheres = {w.split(":")[0] for w, _ in COMMANDS}
    assert len(COMMANDS) >= 15 and {"README.md", "painsim --help"} <= wheres, COMMANDS


@pytest.mark.parametrize("where,command", COMMANDS, ids=[f"{w} {c}" for w, c in COMMANDS])
def test_command_line_is_accepted(where, command):
    _check_command(command)


@pytest.mark.parametrize("command, error", [
    ("painsim run experiments/gate_contrl.toml", AssertionError),                       # no such file
    ("painsim run gate_contrl", painsim.errors.PainsimError),                           # no such built-in
    ("painsim sweep experiments/scs_frequency_sweep.toml --wrkers 2", painsim.errors.UsageError),
    ("painsim validate --only gate_on_c_heet", AssertionError),
    ("painsim run gate_control --set dorsal_horn.synapse.c_gainn=0.5", painsim.errors.PainsimError),
])
def test_a_wrong_command_line_is_caught(command, error):
    # negative controls: each differs from a documented command by one misspelling
    with pytest.raises(error):
        _check_command(command)


# ------------------------------------------------------------------ the protocol library as documented
def _protocols_section() -> str:
    text = (ROOT / "docs" / "stimulation.md").read_text(encoding="utf-8")
    return text.split("## Protocols", 1)[1].split("\n## ", 1)[0]


def test_the_protocols_page_names_every_protocol_of_the_library():
    """docs/stimulation.md lists the library by name (each with a ``<name>_sham``); a protocol added to
    the library without a line there fails (cTBS was missing)."""
    section = _protocols_section()
    missing = [n for n in painsim.protocols.names() if not n.endswith("_sham") and f"`{n}`" not in section]
    assert not missing, missing
    assert all(f"{n}_sham" in painsim.protocols.names() for n in painsim.protocols.names() if not n.endswith("_sham"))


def test_the_protocol_check_reads_the_section():
    # negative control: the section exists and a name that is not in the library is not in it either
    section = _protocols_section()
    assert "`rtms_m1_20hz`" in section and "`no_such_protocol`" not in section
