"""Helpers of the input-check tests: the error a refused call raises, and a stand-in for the first
expensive step (reaching it means every check passed)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from painsim.errors import ParameterError


class WorkStarted(Exception):
    """Raised in place of the first expensive step: reaching it means every check passed."""


def start_work(*args, **kwargs):
    """The stand-in to monkeypatch over the first expensive step: raises :class:`WorkStarted`."""
    raise WorkStarted


def refused(call, name, error=ParameterError, *, allowed: bool = False):
    """The error ``call()`` raises: of class ``error``, about parameter ``name``, named in its
    message; with ``allowed``, also saying what is allowed."""
    with pytest.raises(error) as e:
        call()
    assert e.value.name == name, str(e.value)
    assert str(name) in str(e.value)
    if allowed:
        assert e.value.allowed, str(e.value)
    return e.value


#: The repository's root (the built-in experiment files are under ``experiments/``).
ROOT = Path(__file__).resolve().parents[1]


def edited_builtin(tmp_path, name: str, pattern: str, replacement: str) -> Path:
    """The built-in experiment ``name`` with the first line matching ``pattern`` replaced, in ``tmp_path``."""
    text = (ROOT / "experiments" / f"{name}.toml").read_text()
    new, n = re.subn(pattern, replacement, text, count=1, flags=re.M)
    assert n == 1, f"{pattern!r} not in {name}.toml"
    path = tmp_path / f"{name}_edited.toml"
    path.write_text(new)
    return path
