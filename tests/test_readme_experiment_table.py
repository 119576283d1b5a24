"""The README's table of experiment files names every built-in experiment file, and only files
that exist (a docs review found five files only in the command blocks)."""
from __future__ import annotations

import re

from refusals import ROOT


def _table_files() -> set[str]:
    rows = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("| `experiments/")]
    return {name for row in rows for name in re.findall(r"`experiments/([\w.-]+\.toml)`", row.split(" | ")[0])}


def test_every_experiment_file_has_a_row_and_every_row_a_file():
    on_disk = {path.name for path in (ROOT / "experiments").glob("*.toml")}
    named = _table_files()
    assert on_disk, "no experiment files found: the test reads nothing"
    assert sorted(on_disk - named) == [], "experiment files without a row in the README's table"
    assert sorted(named - on_disk) == [], "rows of the README's table naming no file"
