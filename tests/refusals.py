"""Helpers of the input-check tests: the error a refused call raises, and a stand-in for the first
expensive step (reaching it means every check passed)."""
from __future__ import annotations

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
