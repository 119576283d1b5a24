"""``painsim validate --list`` measures nothing: options only a measurement uses are refused, not ignored
(a benchmark and CLI pass, 2026-12-07, a ninth session)."""
import pytest

from painsim import validation
from painsim.cli import main


@pytest.mark.parametrize("argv, flag", [(["--compare", "earlier"], "--compare"), (["--workers", "2"], "--workers"),
                                        (["--seeds", "1", "2"], "--seeds"), (["--resume"], "--resume"),
                                        (["--set", "dorsal_horn.synapse.c_gain=0.1"], "--set")])
def test_list_refuses_an_option_of_a_measurement(capsys, argv, flag):
    assert main(["validate", "--list", *argv]) == 2
    err = capsys.readouterr()
    assert flag in err.err and "--list" in err.err and not err.out  # refused before listing


@pytest.mark.parametrize("argv", [[], ["--seed", "3"], ["--out", "anywhere"], ["--slow"], ["--workers", "0"]])
def test_list_accepts_the_options_every_command_takes(capsys, argv, tmp_path, monkeypatch):
    """Negative control: --seed and --out (accepted by every command), --slow, and --workers 0 (the default)."""
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--list", *argv]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(validation.TARGETS)
    assert not any(tmp_path.iterdir())  # nothing written
