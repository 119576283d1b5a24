"""The validation tables the documentation shows agree with the registry they were printed from.

The README and docs/validation.md carry the table `painsim validate` prints
(:func:`painsim.validation.run.table_rows`), pasted by hand after a run.  The
model column needs the run, but everything else on a row follows from the
registry (:data:`painsim.validation.targets.TARGETS`) and the row's own model
value: the quantity in words, the published figure and range, the status
(calibrated or prediction) and the verdict (the model value inside the range,
or on the published side of no change).  These tests re-derive them, so a published figure,
a range or a status changed in the registry, a verdict written by hand, or a
target added without its row fails here instead of misleading a reader.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from painsim.validation import targets as T
from painsim.validation.run import _fmt

ROOT = Path(__file__).resolve().parent.parent
TABLES = {"README.md": 7, "docs/validation.md": 8}   # file -> columns of its table


def _rows(path: str) -> dict[str, list[str]]:
    """Cells of the validation table in ``path``, by target name."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("| target | what | model |"))
    rows = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0]] = cells
    return rows


def _expected(t: T.Target) -> tuple[str, str]:
    """The published and range cells of ``t``, as table_rows writes them."""
    unit = "" if t.units == "1" else f" {t.units}"
    if t.direction and not math.isfinite(t.published):
        published = f"{'>' if t.direction > 0 else '<'} {_fmt(t.direction_from)}"
    else:
        published = f"{_fmt(t.published)}{unit}"
    rng = "–" if t.low is None else f"{_fmt(t.low)}–{_fmt(t.high)}"
    return published, rng


def _model_value(cell: str, t: T.Target) -> float:
    """The number of a model cell ("0.715", "46 degC", "–")."""
    text = cell.removesuffix(f" {t.units}").strip()
    return math.nan if text == "–" else float(text)


@pytest.mark.parametrize("path", sorted(TABLES))
def test_every_target_has_one_row_and_no_row_is_unknown(path):
    rows = _rows(path)
    names = [t.name for t in T.TARGETS]
    assert not set(names) - set(rows), f"{path}: targets without a row: {sorted(set(names) - set(rows))}"
    assert not set(rows) - set(names), f"{path}: rows of no registered target: {sorted(set(rows) - set(names))}"


@pytest.mark.parametrize("path", sorted(TABLES))
def test_rows_say_what_the_registry_says(path):
    bad = []
    for name, cells in _rows(path).items():
        assert len(cells) == TABLES[path], (path, name, cells)
        t = T.get(name)
        published, rng = _expected(t)
        expected = {"what": t.what, "published": published, "range": rng, "status": t.status}
        got = {"what": cells[1], "published": cells[3], "range": cells[4], "status": cells[6]}
        if len(cells) == 8:
            expected["source"], got["source"] = t.source, cells[7]
        bad += [f"{name}.{k}: table {got[k]!r}, registry {v!r}" for k, v in expected.items() if got[k] != v]
    assert not bad, f"{path}:\n" + "\n".join(bad)


@pytest.mark.parametrize("path", sorted(TABLES))
def test_verdicts_follow_from_the_model_values_shown(path):
    bad = []
    for name, cells in _rows(path).items():
        t = T.get(name)
        verdict = t.verdict(_model_value(cells[2], t))
        if cells[5] != verdict:
            bad.append(f"{name}: model {cells[2]}, range {cells[4]}: table says {cells[5]!r}, "
                       f"the registry's verdict is {verdict!r}")
    assert not bad, f"{path}:\n" + "\n".join(bad)


def test_the_two_tables_show_the_same_model_values():
    readme, docs = _rows("README.md"), _rows("docs/validation.md")
    differ = [f"{n}: README {readme[n][2]}, docs {docs[n][2]}" for n in readme if readme[n][2] != docs[n][2]]
    assert not differ, "\n".join(differ)


def test_the_parser_sees_a_changed_figure(tmp_path, monkeypatch):
    """Negative control: a table whose published figure differs from the registry's is caught."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    t = T.TARGETS[0]
    published, _ = _expected(t)
    row = next(line for line in text.splitlines() if line.startswith(f"| {t.name} |"))
    changed = row.replace(f"| {published} |", "| 12345 |", 1)
    assert changed != row
    (tmp_path / "README.md").write_text(text.replace(row, changed), encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="published"):
        test_rows_say_what_the_registry_says("README.md")
