"""The validation tables the documentation shows agree with the registry they were printed from.

The README and docs/validation.md carry the table `painsim validate` prints
(:func:`painsim.validation.run.table_rows`), pasted by hand after a run.  The
model column needs the run, but everything else on a row follows from the
registry (:data:`painsim.validation.targets.TARGETS`) and the row's own model
value: the quantity in words, the published figure and range, the verdict, the
status and the source.  These tests print each row again with the code that
printed it, from the registry and the model value the row shows, so a published
figure, a range or a status changed in the registry, a verdict written by hand,
or a target added without its row fails here instead of misleading a reader.
(The verdict is re-derived from the value as printed, to 3 significant figures:
a value within rounding of a range's edge would need its full precision.)
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from painsim.validation import targets as T
from painsim.validation.run import _dataset, table_rows

ROOT = Path(__file__).resolve().parent.parent
TABLES = {"README.md": False, "docs/validation.md": True}   # file -> whether its table has the source column


def _rows(path: str) -> list[list[str]]:
    """Cells of the validation table in ``path``, row by row."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("| target | what | model |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows


def _model_value(cell: str, t: T.Target) -> float:
    """The number of a model cell ("0.715", "46 degC", "–")."""
    text = cell.removesuffix(f" {t.units}").strip()
    return math.nan if text == "–" else float(text)


def _reprinted(path: str) -> tuple[list[str], list[str]]:
    """(the table's rows as written, the same rows printed by table_rows from the registry)."""
    rows = [r for r in _rows(path) if r[0] in {t.name for t in T.TARGETS}]
    targets = [T.get(r[0]) for r in rows]
    values = np.array([_model_value(r[2], t) for r, t in zip(rows, targets)])
    ds = _dataset(targets, values, np.zeros(len(targets)), seed=1)
    written = ["| " + " | ".join(r) + " |" for r in rows]
    printed = table_rows(ds)[2:]
    if not TABLES[path]:  # the README leaves out the last column, the source
        printed = [line[:line.rstrip(" |").rindex("|") + 1] for line in printed]
    return written, [" ".join(line.split()) for line in printed]


@pytest.mark.parametrize("path", sorted(TABLES))
def test_every_target_has_one_row_and_no_row_is_unknown(path):
    names = [r[0] for r in _rows(path)]
    registered = [t.name for t in T.TARGETS]
    without, unknown = sorted(set(registered) - set(names)), sorted(set(names) - set(registered))
    assert not without, f"{path}: targets without a row: {without}"
    assert not unknown, f"{path}: rows of no registered target: {unknown}"
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"{path}: targets with more than one row: {twice}"


@pytest.mark.parametrize("path", sorted(TABLES))
def test_rows_are_what_validate_prints_for_the_values_shown(path):
    written, printed = _reprinted(path)
    differ = [f"table:    {w}\nregistry: {p}" for w, p in zip(written, printed) if " ".join(w.split()) != p]
    assert not differ, f"{path}:\n" + "\n\n".join(differ)


def test_the_two_tables_show_the_same_model_values():
    readme = {r[0]: r[2] for r in _rows("README.md")}
    docs = {r[0]: r[2] for r in _rows("docs/validation.md")}
    differ = [f"{n}: README {readme[n]}, docs {docs.get(n)}" for n in readme if readme[n] != docs.get(n)]
    assert not differ, "\n".join(differ)


def test_a_changed_figure_or_verdict_is_caught(tmp_path, monkeypatch):
    """Negative controls: a table whose published figure differs from the registry's, or whose
    verdict does not follow from its value, is caught; so is a row given twice."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    t = next(t for t in T.TARGETS if t.low is not None)
    row = next(line for line in text.splitlines() if line.startswith(f"| {t.name} |"))
    cells = row.strip().strip("|").split("|")
    for k, value in ((3, " 12345 "), (5, " maybe ")):
        changed = "|" + "|".join(value if j == k else c for j, c in enumerate(cells)) + "|"
        (tmp_path / "README.md").write_text(text.replace(row, changed), encoding="utf-8")
        monkeypatch.setitem(globals(), "ROOT", tmp_path)
        with pytest.raises(AssertionError, match=t.name):
            test_rows_are_what_validate_prints_for_the_values_shown("README.md")
        monkeypatch.undo()
    (tmp_path / "README.md").write_text(text.replace(row, row + "\n" + row), encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="more than one row"):
        test_every_target_has_one_row_and_no_row_is_unknown("README.md")
