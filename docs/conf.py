"""Sphinx configuration of the painsim documentation site.

Build (from the repository root, after ``pip install ".[docs]"``)::

    sphinx-build -W -b html docs docs/_build/html

Offline and deterministic: no intersphinx, notebooks are rendered without
execution.  Two things are made at build time, both git-ignored:

* ``docs/notebooks/``: copies of ``notebooks/*.ipynb`` (Sphinx reads sources
  only inside ``docs/``);
* ``docs/_generated/``: the model-parameter tables, one per file of ``models/``,
  each parameter with its value and the comment on its line (its source).
"""
from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# Document the checkout, not an installed copy.
sys.path.insert(0, str(ROOT))

import painsim  # noqa: E402

# -- project -------------------------------------------------------------------
project = "painsim"
author = "the painsim authors"
copyright = "the painsim authors"
version = release = painsim.__version__

extensions = [
    "myst_nb",                    # Markdown (MyST) pages and notebooks
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinxarg.ext",              # the CLI reference from painsim.cli.build_parser
]

exclude_patterns = ["_build", "_generated", "_templates", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]
root_doc = "index"
nitpicky = False
# Signature annotations name the same class under several public paths (e.g.
# painsim.Model and painsim.params.Model); an ambiguous annotation link is not an error.
suppress_warnings = ["ref.python"]

# -- MyST / notebooks ------------------------------------------------------------
nb_execution_mode = "off"         # notebooks are executed by the test suite, never by the docs build
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "dollarmath"]

# -- API reference ----------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"        # numpydoc docstrings carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set = set()
numpydoc_xref_param_type = False

# -- HTML ------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"painsim {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_last_updated_fmt = None
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {page: [] for page in ("index", "getting_started", "tutorials", "cli", "models", "validation", "references")}


# -- build-time sources ------------------------------------------------------------
def _copy_notebooks() -> None:
    """Copy ``notebooks/*.ipynb`` into ``docs/notebooks/`` (only what changed; stale copies removed).

    The copies are what Sphinx reads; a notebook without kernel metadata gets
    ``language_info = python`` in its copy so that its cells are highlighted.
    """
    dest = DOCS / "notebooks"
    dest.mkdir(exist_ok=True)
    sources = {p.name: p for p in sorted((ROOT / "notebooks").glob("*.ipynb"))}
    for old in dest.glob("*.ipynb"):
        if old.name not in sources:
            old.unlink()
    for name, src in sources.items():
        text = src.read_text(encoding="utf-8")
        nb = json.loads(text)
        meta = nb.setdefault("metadata", {})
        if "kernelspec" not in meta and "language_info" not in meta:
            # a notebook saved without kernel metadata: its cells are Python (for highlighting)
            meta["language_info"] = {"name": "python"}
            text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        _write_if_changed(dest / name, text)


def _split_comment(line: str) -> tuple[str, str]:
    """``code``, ``comment`` of one TOML line: the first ``#`` outside a string."""
    quote = None
    escaped = False
    for i, ch in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _value_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'`"{value}"`' if value else '`""`'
    if isinstance(value, list):
        return "`[" + ", ".join(_value_text(v).strip("`") for v in value) + "]`"
    if isinstance(value, dict):
        return "`{" + ", ".join(f"{k} = {_value_text(v).strip('`')}" for k, v in value.items()) + "}`"
    return f"`{value}`"


def parameter_rows(path: Path) -> list[tuple[str, str, str]]:
    """(parameter path, value, comment) for every table header and key of a model file.

    A table header's row has an empty value and carries the comment on the
    header's line.  Keys whose value spans several lines take the comments of
    those lines, joined.  A block of full-line comments directly above a row
    (no blank line between) is put in front of that row's comment; the file's
    opening comment block and ``# ----- section`` rulers are not.
    """
    rows: list[tuple[str, str, str]] = []
    table = ""
    pending: list[str] = []
    comments: list[str] = []
    notes: list[str] = []    # full-line comments before a row: they belong to it
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines()):
        code, comment = _split_comment(raw)
        if not pending:
            stripped = code.strip()
            if not stripped:
                if comment and not set(comment) <= set("-=#") and not comment.startswith("---"):
                    if number > _header_length(path):
                        notes.append(comment)
                elif not comment:
                    notes = []
                continue
            if stripped.startswith("["):
                table = stripped.strip("[]").strip()
                rows.append((table, "", " ".join(notes + [comment]).strip()))
                notes = []
                continue
        pending.append(code)
        if comment:
            comments.append(comment)
        try:
            parsed = tomllib.loads("\n".join(pending))
        except tomllib.TOMLDecodeError:
            continue
        for key, value in parsed.items():
            rows.append((f"{table}.{key}" if table else key, _value_text(value), " ".join(notes + comments)))
        pending, comments, notes = [], [], []
    if pending:
        raise ValueError(f"{path}: unterminated value {pending!r}")
    return rows


def _header_lines(path: Path) -> list[str]:
    """The comment block at the top of a model file, without the ``# ``."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.startswith("#"):
            break
        lines.append(raw[2:].rstrip() if raw.startswith("# ") else raw[1:].rstrip())
    return lines


def _header_length(path: Path) -> int:
    return len(_header_lines(path))


def _header_comment(path: Path) -> str:
    return "\n".join(_header_lines(path)).strip()


def model_parameters_page(path: Path, level: int = 2) -> str:
    """A MyST section for one model file: its header comment and its parameter table."""
    out = ["#" * level + f" `models/{path.name}`", ""]
    header = _header_comment(path)
    if header:
        out += ["```text", header, "```", ""]
    out += ["| parameter | value | source / comment |", "|---|---|---|"]
    for name, value, comment in parameter_rows(path):
        shown = f"**`[{name}]`**" if value == "" else f"`{name}`"
        out.append(f"| {shown} | {_cell(value)} | {_cell(comment)} |")
    out.append("")
    return "\n".join(out)


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def models_table(paths: list[Path]) -> str:
    """A MyST table of the model files: name, base, description (their ``[model]`` tables)."""
    out = ["| model | extends | description |", "|---|---|---|"]
    for path in paths:
        meta = tomllib.loads(path.read_text(encoding="utf-8")).get("model", {})
        base = meta.get("extends", "")
        out.append(f"| `{meta.get('name', path.stem)}` | {f'`{base}`' if base else ''} "
                   f"| {_cell(meta.get('description', ''))} |")
    return "\n".join(out) + "\n"


def _generate_model_pages() -> None:
    out = DOCS / "_generated"
    out.mkdir(exist_ok=True)
    models = ROOT / "models"
    reference = models / "gate_control.toml"
    others = [p for p in sorted(models.glob("*.toml")) if p != reference]
    _write_if_changed(out / "models_table.md", models_table([reference] + others))
    _write_if_changed(out / "gate_control_parameters.md", model_parameters_page(reference, level=2))
    _write_if_changed(out / "preset_parameters.md", "\n".join(model_parameters_page(p, level=3) for p in others))


def _make_sources(app) -> None:
    _copy_notebooks()
    _generate_model_pages()


def setup(app):
    # before Sphinx looks for source files (and before autosummary writes its stubs)
    app.connect("builder-inited", _make_sources, priority=100)
    return {"parallel_read_safe": True}
