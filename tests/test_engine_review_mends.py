"""Mends of the review of the engine's stale-folder clean-up and of the sweep's device-error names.

* A build folder kept on purpose (``PAINSIM_STANDALONE_KEEP=1``) looked like a killed worker's, and
  the next ordinary run removed it: such folders are now named ``...-kept`` and never removed.
* Containers sharing the host name but not their PID namespace took each other's live folders for
  dead ones: the host label carries the PID namespace where there is one.
* A sweep named any refusal of a whole device by its one swept argument (rTMS on a model without
  cortex was blamed on ``stimulus.intensity``): only the kHz field's range is.
"""
from __future__ import annotations

import os

import pytest

from painsim.circuits import standalone_cache as sc
from painsim.sweep import load_spec
from refusals import refused

DEAD_PID = 2 ** 22 + 12345  # above Linux's default pid_max (4194304): no such process


def _dead_folder(root, suffix=""):
    name = f"{'0' * 16}-{sc.host_label()}-{DEAD_PID}-{'a' * 8}{suffix}"
    (root / "build" / name).mkdir(parents=True)
    return name


def test_a_folder_kept_on_purpose_survives_a_later_clean_up(tmp_path, monkeypatch):
    monkeypatch.setenv("PAINSIM_STANDALONE_DIR", str(tmp_path))
    monkeypatch.setenv("PAINSIM_STANDALONE_KEEP", "1")
    kept = sc._claim_directory("0" * 16).name
    assert kept.endswith("-kept")
    monkeypatch.setenv("PAINSIM_STANDALONE_KEEP", "0")
    # a kept folder of a process that has ended, and (control) one of a killed worker
    kept_dead = _dead_folder(tmp_path, "-kept")
    killed = _dead_folder(tmp_path)
    removed = sc.remove_stale_builds(tmp_path)
    assert removed == [f"build/{killed}"]
    assert (tmp_path / "build" / kept_dead).is_dir()


@pytest.mark.skipif(not os.path.exists("/proc/self/ns/pid"), reason="no PID namespaces here")
def test_the_host_label_names_the_pid_namespace(tmp_path):
    label = sc.host_label()
    assert label.endswith(f".ns{os.stat('/proc/self/ns/pid').st_ino}")
    # a folder of the same host name in another PID namespace is not this host's: kept
    other = f"{'0' * 16}-{label.rsplit('.ns', 1)[0]}.ns1-{DEAD_PID}-{'a' * 8}"
    (tmp_path / "build" / other).mkdir(parents=True)
    mine = _dead_folder(tmp_path)
    assert sc.remove_stale_builds(tmp_path) == [f"build/{mine}"]
    assert (tmp_path / "build" / other).is_dir()


RTMS_SWEEP = """[sweep]
kind = "simulate"
model = "gate_control"
duration = "0.2 s"
seed = 1
outcomes = ["pain"]

[stimulus]
type = "rtms"

[parameters]
"stimulus.intensity" = { values = [0.8, 0.9] }
"""


def test_a_device_refused_as_a_whole_is_not_blamed_on_its_swept_argument(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(RTMS_SWEEP)
    err = refused(lambda: load_spec(path), "stimulus")
    assert "cortex" in str(err)
    # the kHz field's range keeps its swept name: tests/test_device_sweep_bug_hunt.py (the control)
