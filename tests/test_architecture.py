"""The package's layers (docs/architecture.md) are enforced, not just written down.

The contracts live in pyproject.toml ([tool.importlinter]): imports go only
downward through the layers, brian2 is imported by painsim.circuits alone and
matplotlib by painsim.plots alone.  Function-level imports are kept for optional
or heavy dependencies; module size and function length stay readable.
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "painsim"

#: Imports a function may make lazily: optional dependencies (installed with an
#: extra) and heavy ones loaded on first use (brian2, matplotlib, numba-cached
#: kernels) so that ``import painsim`` stays cheap.
LAZY_ALLOWED = {"dask", "distributed", "zarr", "SALib", "brian2", "matplotlib", "neo", "elephant",
                "pynwb", "quantities", "cython", "Cython", "tqdm", "scipy", "numba"}

#: Modules allowed over the size limit: numba kernels with their numpy references.
LONG_MODULES_ALLOWED = {"plasticity/calcium.py", "fibers/kernel.py"}
MAX_MODULE_LINES = 650
MAX_FUNCTION_LINES = 80


def _run_linter(root: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed (pip install '.[test]')")
    env = {"PYTHONPATH": str(root), "PATH": str(Path(sys.executable).parent)}
    return subprocess.run([exe, "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300)


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def test_layer_contracts_hold():
    res = _run_linter(ROOT)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "BROKEN" not in res.stdout


def _lint_copy_with(tmp_path, module: str, code: str) -> subprocess.CompletedProcess:
    """Run the linter on a copy of the package where ``module`` gains ``code``."""
    copy = tmp_path / "repo"
    shutil.copytree(PACKAGE, copy / "painsim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    path = copy / "painsim" / module
    path.write_text(path.read_text() + "\n\n" + code)
    return _run_linter(copy)


def test_an_upward_import_breaks_the_layer_contract(tmp_path):
    """Negative control: the same linter fails on a copy of the package in which a
    base module (units) imports the command line (the top layer)."""
    res = _lint_copy_with(tmp_path, "units.py", "def _upward():\n    from . import cli  # deliberately wrong\n")
    assert res.returncode != 0
    assert "painsim.units -> painsim.cli" in res.stdout


def test_brian2_outside_circuits_breaks_a_contract(tmp_path):
    """Negative control: brian2 imported by a pure-numpy layer (readouts) is refused."""
    res = _lint_copy_with(tmp_path, "readouts/__init__.py", "def _wrong():\n    import brian2\n    return brian2\n")
    assert res.returncode != 0
    assert "painsim.readouts -> brian2" in res.stdout


def test_function_level_imports_only_for_optional_or_heavy_dependencies():
    wrong = []
    for path, tree in _modules():
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom):
                    top = "." if node.level else (node.module or "").split(".")[0]
                elif isinstance(node, ast.Import):
                    top = node.names[0].name.split(".")[0]
                else:
                    continue
                if top not in LAZY_ALLOWED:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    assert not wrong, "imports inside functions:\n" + "\n".join(wrong)


def _is_kernel(fn: ast.AST) -> bool:
    """numba kernels (and their numpy references) are long by nature: one loop."""
    for dec in getattr(fn, "decorator_list", []):
        text = ast.unparse(dec)
        if "njit" in text or "jit" in text:
            return True
    return fn.name.endswith(("_kernel", "_reference"))


def test_modules_and_functions_stay_readable():
    long_modules, long_functions = [], []
    for path, tree in _modules():
        rel = path.relative_to(PACKAGE).as_posix()
        n = len(path.read_text().splitlines())
        if n > MAX_MODULE_LINES and rel not in LONG_MODULES_ALLOWED:
            long_modules.append(f"{rel}: {n} lines")
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and not _is_kernel(fn):
                body = fn.body[1:] if ast.get_docstring(fn) else fn.body
                if not body:
                    continue
                length = fn.end_lineno - body[0].lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{rel}:{fn.lineno} {fn.name}: {length} lines")
    assert not long_modules, "modules over the limit:\n" + "\n".join(long_modules)
    assert not long_functions, "functions over the limit (docstring excluded):\n" + "\n".join(long_functions)


def _subpackage(parts: tuple) -> str:
    """The subpackage a module path (relative to painsim, without ``.py``) belongs to: its first
    component (``readouts/pain`` -> readouts; a module at the top, ``checks``, is its own)."""
    return parts[0] if parts else ""


def _private_imports_across_subpackages(rel: str, tree: ast.AST) -> list[str]:
    """``from X import _name`` in module ``rel`` (``readouts/pain.py``) where X lies outside its
    subpackage: private names are shared by the modules of one subpackage only."""
    own = tuple(Path(rel).with_suffix("").parts)
    package = own[:-1]   # the package relative imports start from (also for an __init__)
    wrong = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
            target = base + tuple((node.module or "").split(".")) if node.module else base
        elif (node.module or "").split(".")[0] == "painsim":
            target = tuple(node.module.split(".")[1:])
        else:
            continue
        private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
        if private and _subpackage(tuple(p for p in target if p)) != _subpackage(own):
            wrong.append(f"{rel}:{node.lineno} imports {', '.join(private)} from {'.'.join(target)}")
    return wrong


def test_private_names_stay_inside_their_subpackage():
    """docs/architecture.md: a private name (leading underscore) is shared by the modules of one
    subpackage; what another needs is public.  Negative control: the checker flags a crossing."""
    wrong = [w for path, tree in _modules()
             for w in _private_imports_across_subpackages(path.relative_to(PACKAGE).as_posix(), tree)]
    assert not wrong, "private names imported across subpackages:\n" + "\n".join(wrong)
    crossing = ast.parse("from ..readouts.pain import _anchor_points\nfrom painsim.fibers.rates import _checked_seed")
    assert len(_private_imports_across_subpackages("analysis/qst.py", crossing)) == 2
    inside = ast.parse("from .pain import _anchor_points\nfrom ..checks import floats")
    assert not _private_imports_across_subpackages("readouts/maps.py", inside)


def test_import_painsim_loads_no_heavy_optional_layer():
    """``import painsim`` stays cheap: matplotlib, brian2, scipy.stats/optimize (cohorts,
    sweep designs), tqdm and numba (kernels: painsim.jit) load on first use; the lazy
    names still resolve."""
    heavy = ("matplotlib", "brian2", "scipy.stats", "scipy.optimize", "tqdm", "SALib", "numba")
    code = ("import sys, painsim as ps; print(sorted(m for m in %r if m in sys.modules)); "
            "from painsim import run_sweep, run_experiment, cohort; print(callable(run_sweep), "
            "callable(run_experiment), cohort.__name__)" % (heavy,))
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:2] == ["[]", "True True painsim.cohort"]


def test_every_subpackage_is_installed():
    """pyproject.toml lists the packages explicitly (models/ and experiments/ ship
    under other names): a new sub-package missing there would be absent from a
    wheel or a non-editable install."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
