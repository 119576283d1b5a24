"""``painsim sweep`` refuses how the sweep would be run (engine settings, workers) before its first
line and before any folder is made (it printed "painsim: sweep ...: N runs ... on ...; store ..."
and created ``--out`` before refusing a misspelt ``$PAINSIM_ENGINE``, 2026-12-07)."""
from __future__ import annotations

import pytest

from painsim import cli
from refusals import ROOT, WorkStarted, start_work

SWEEP = str(ROOT / "experiments" / "heat_response_sweep.toml")


@pytest.mark.parametrize("env, extra", [({"PAINSIM_ENGINE": "fast"}, []), ({"PAINSIM_TARGET": "fortran"}, [])])
def test_a_sweep_run_setting_is_refused_before_the_first_line(env, extra, tmp_path, monkeypatch, capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(cli, "run_sweep", start_work)
    out = tmp_path / "out"
    assert cli.main(["sweep", SWEEP, "--out", str(out), *extra]) != 0
    captured = capsys.readouterr()
    assert "painsim: sweep" not in captured.out and "error" in captured.err
    assert not out.exists()


def test_negative_control_good_settings_reach_the_first_line_and_the_run(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PAINSIM_ENGINE", raising=False)
    monkeypatch.setattr(cli, "run_sweep", start_work)
    with pytest.raises(WorkStarted):
        cli.main(["sweep", SWEEP, "--out", str(tmp_path / "out"), "--workers", "0"])
    assert "painsim: sweep 'heat_response_sweep'" in capsys.readouterr().out
