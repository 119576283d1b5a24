"""Refusals of QST files, cohort statistics, cohort stores and calibration that a review found late,
raw or silent (2026-12-07), and the cohort figure's responder label.

Each test asserts the property with its negative control where one makes sense: the refused input is
refused by name (before any work, where it was refused after the work or not at all), and the valid
input next to it still works.  No test simulates.

* a QST file's pinprick forces must be > 0 mN (the threshold is read in log force), refused at load;
  a bad temperature, force or velocity of the file is named by its key, not the stimulus argument;
"""
from __future__ import annotations

import pytest

import painsim as ps
from refusals import refused

# ------------------------------------------------------------------ 3. QST file: stimulus lists
QST = """
[experiment]
name = "qst_hunt"
kind = "qst"
models = ["healthy", "peripheral_neuropathic"]
reference = "healthy"
n_subjects = 2
duration = "0.8 s"
heat_temperatures = [42.0, 46.0, 50.0]
heat_suprathreshold = 47.0
pinprick_forces = [8.0, 256.0]
windup_pulses = 3
"""


def _qst_file(tmp_path, old: str = "", new: str = ""):
    """The small QST file above with ``old`` replaced by ``new``, written to ``tmp_path``."""
    assert old in QST
    path = tmp_path / "qst_hunt.toml"
    path.write_text(QST.replace(old, new, 1))
    return path


def test_qst_file_refuses_a_pinprick_force_of_zero_at_load(tmp_path):
    """A force of 0 mN has no logarithm, and the mechanical pain threshold is interpolated in log
    force: the file check refuses it naming the key (it passed, and every simulation ran before
    ``levels > 0`` was refused); the same file with forces > 0 loads (the negative control)."""
    load = ps.files.load_experiment
    err = refused(lambda: load(_qst_file(tmp_path, "[8.0, 256.0]", "[0.0, 256.0]")),
                  "experiment.pinprick_forces", allowed=True)
    assert "> 0 mN" in str(err)
    refused(lambda: load(_qst_file(tmp_path, "[8.0, 256.0]", "[-8.0, 8.0]")), "experiment.pinprick_forces")
    assert load(_qst_file(tmp_path))["experiment"]["pinprick_forces"] == [8.0, 256.0]


@pytest.mark.parametrize("old, new, key", [
    ("[42.0, 46.0, 50.0]", "[30.0, 46.0]", "experiment.heat_temperatures"),     # below the skin baseline
    ("[8.0, 256.0]", "[8.0, 5000.0]", "experiment.pinprick_forces"),             # above 4096 mN
    ("heat_suprathreshold = 47.0", "heat_suprathreshold = 70.0", "experiment.heat_suprathreshold"),
    ("duration", 'brush_velocity = "5 m/s"\nduration', "experiment.brush_velocity"),
])
def test_qst_file_names_its_key_for_a_stimulus_the_encoding_refuses(tmp_path, old, new, key):
    """The sibling values of the forces, refused at load already, name the file's key and the value
    (they named the stimulus function's argument, ``celsius``, ``force_mN``, ``velocity``)."""
    refused(lambda: ps.files.load_experiment(_qst_file(tmp_path, old, new)), key, allowed=True)
