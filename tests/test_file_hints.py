"""What an experiment file is told when it writes a temperature as an intensity.

``noxious = 47`` in a conditions file was refused with the hint of the Python call
(``condition[0].noxious=heat(47), painsim.fibers.heat``), which cannot be written in a file; the
file's way is a ``heat`` key of the condition.
"""
from __future__ import annotations

import pytest

from painsim.files import load_experiment
from refusals import refused

FILE = '''
[experiment]
name = "hint"
model = "gate_control"
duration = "0.2 s"
[[condition]]
label = "a"
{line}
'''


@pytest.mark.parametrize("line, key, hint", [("noxious = 47", "condition[0].noxious", "heat = 47 in condition[0]"),
                                             ("touch = 45", "condition[0].touch", "heat = 45 in condition[0]"),
                                             ('heterotopic = {site = 0, noxious = 50}',
                                              "condition[0].heterotopic.noxious", "heat = 50 in condition[0].heterotopic")])
def test_a_temperature_as_an_intensity_gets_the_files_hint(tmp_path, line, key, hint):
    """Refused by its key, the hint written as the file writes it (no Python call).  Negative
    control: the intensity 0.5 and the heat key load."""
    path = tmp_path / "hint.toml"
    path.write_text(FILE.format(line=line))
    err = refused(lambda: load_experiment(path), key)
    assert hint in str(err) and "painsim.fibers" not in str(err)
    for ok in ("noxious = 0.5", "heat = 47.0"):
        path.write_text(FILE.format(line=ok))
        load_experiment(path)
