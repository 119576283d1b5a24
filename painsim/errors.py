"""Exceptions raised by painsim.

Every error names the parameter, the value it was given and what is allowed,
so that a user can correct a model file, an experiment or a call without
reading painsim's source. All derive from :class:`PainsimError`; the ones
about bad input also derive from :class:`ValueError` so that generic
``except ValueError`` code keeps working.
"""
from __future__ import annotations

import copy
import difflib
from typing import Iterable

__all__ = [
    "PainsimError",
    "ParameterError",
    "UnknownKeyError",
    "UnitError",
    "ModelFileError",
    "WaveformError",
    "CalendarError",
    "SpecError",
    "PathError",
    "UsageError",
    "EngineError",
    "nearest",
]


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to ``name`` (difflib ratio), or None.

    Parameters
    ----------
    name : str
        The misspelt name (a dotted path's last component is also compared
        with the candidates' last components).
    candidates : iterable of str
        The valid names.

    Returns
    -------
    str or None
        The closest candidate, or None if none is close enough.
    """
    name = str(name)
    candidates = [str(c) for c in candidates]
    match = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
    if match:
        return match[0]
    # A misspelt last component of a dotted path: compare leaves too.
    leaf = name.rsplit(".", 1)[-1]
    by_leaf = {c.rsplit(".", 1)[-1]: c for c in candidates}
    match = difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.6)
    return by_leaf[match[0]] if match else None


def _rebuilt(cls, args: tuple, state: dict) -> "PainsimError":
    """An error of class ``cls`` with its message ``args`` and attributes ``state``, made
    without calling its constructor (whose arguments are not its message)."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class PainsimError(Exception):
    """Base class of all painsim errors.

    Errors pickle with their message and attributes, so that one raised in a worker
    process reaches the caller as itself (named parameter, value and what is allowed),
    not as a broken process pool.

    Parameters
    ----------
    message : str
        The error message (subclasses such as :class:`ParameterError` build
        theirs from their own arguments).
    """

    def __reduce__(self):
        return _rebuilt, (type(self), self.args, dict(self.__dict__))


class ParameterError(PainsimError, ValueError):
    """A parameter has a value that is not allowed.

    Parameters
    ----------
    name : str
        The parameter (a dotted path for model parameters).
    value : object
        The value that was given.
    allowed : str
        What is allowed, in words ("a rate >= 0 Hz", "one of ...").
    hint : str, optional
        Extra advice appended to the message.
    """

    def __init__(self, name: str, value, allowed: str, hint: str | None = None):
        self.name = name
        self.value = value
        self.allowed = allowed
        self.hint = hint
        msg = f"parameter {name!r} = {value!r} is not allowed: expected {allowed}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)

    def renamed(self, name: str | None = None, hint: str | None = None) -> "ParameterError":
        """This error (its class, value and what is allowed kept) about ``name`` and/or with ``hint``
        added, for a caller that knows where the value came from: the key of a file
        (``distributions.central.p``, not ``Bernoulli.p``), the entry of a batch (``requests[2].seed``),
        the point of a sweep.

        Parameters
        ----------
        name : str, optional
            The parameter's new name, replacing the old one in the message.
        hint : str, optional
            Advice put before any hint the error already has.

        Returns
        -------
        ParameterError
            A copy of this error, of the same class; this one is unchanged.
        """
        new = copy.copy(self)  # painsim errors copy as themselves (PainsimError.__reduce__)
        msg = str(self)
        if name is not None:
            new.name, msg = name, msg.replace(repr(self.name), repr(name), 1)
        if hint:
            new.hint = "; ".join(filter(None, [hint, self.hint]))
            msg = msg[:-len(f" ({self.hint})")] if self.hint and msg.endswith(f" ({self.hint})") else msg
            msg += f" ({new.hint})"
        new.args = (msg,)
        return new


class UnknownKeyError(ParameterError):
    """A key (parameter path, protocol, model name ...) does not exist.

    Parameters
    ----------
    name : str
        The unknown key.
    candidates : iterable of str
        The valid keys: the message lists up to 12 of them and suggests the
        nearest (:func:`nearest`, kept as the ``suggestion`` attribute).
    what : str
        The kind of key, in words (default ``"parameter"``).
    """

    def __init__(self, name: str, candidates: Iterable[str], what: str = "parameter"):
        candidates = sorted(candidates)
        self.suggestion = nearest(name, candidates)
        hint = f"did you mean {self.suggestion!r}?" if self.suggestion else None
        shown = ", ".join(candidates[:12]) + (" ..." if len(candidates) > 12 else "")
        PainsimError.__init__(self)
        self.name, self.value, self.hint = name, name, hint
        self.allowed = f"one of: {shown}"
        msg = f"unknown {what} {name!r}"
        if hint:
            msg += f"; {hint}"
        msg += f" (valid: {shown})"
        self.args = (msg,)


class UnitError(ParameterError):
    """A quantity has the wrong physical dimension, or no unit where one is needed.

    Parameters
    ----------
    name : str
        The parameter.
    value : object
        The value that was given.
    expected_unit : str
        The unit the value must have; ``"1"`` for a plain number.
    hint : str, optional
        Extra advice (default: write the value with its unit, e.g.
        ``"1 Hz"``; none for a plain number).
    """

    def __init__(self, name: str, value, expected_unit: str, hint: str | None = None):
        self.expected_unit = expected_unit
        if expected_unit == "1":  # dimensionless: a ratio, a fraction or a count
            super().__init__(name, value, "a plain number without a unit (e.g. 0.5)", hint=hint)
        else:
            super().__init__(name, value, f"a quantity in {expected_unit}",
                             hint=hint or f'write it with its unit, e.g. "1 {expected_unit}"')


class ModelFileError(PainsimError, ValueError):
    """A model or experiment file cannot be read (syntax, forbidden content).

    Parameters
    ----------
    message : str
        What is wrong, naming the file.
    """


class WaveformError(ParameterError):
    """A stimulation waveform is impossible (pulse wider than its period, ...).

    Parameters
    ----------
    name, value, allowed, hint
        As :class:`ParameterError`.
    """


class CalendarError(ParameterError):
    """A treatment calendar is impossible (overlapping sessions, ...).

    Parameters
    ----------
    name, value, allowed, hint
        As :class:`ParameterError`.
    """


class SpecError(ParameterError):
    """A sweep or cohort specification is invalid.

    Parameters
    ----------
    name, value, allowed, hint
        As :class:`ParameterError`.
    """


class PathError(PainsimError, ValueError):
    """A path names the wrong thing: a folder given as a file, a file of the wrong kind for a
    command (a sweep file to ``painsim run``), a file that is not a painsim result.

    Parameters
    ----------
    message : str
        What is wrong, naming the path.
    """


class UsageError(PainsimError, ValueError):
    """A command-line argument is missing or not allowed (``--seed -3``, ``--workers 0``, ...).

    Parameters
    ----------
    message : str
        What is wrong, naming the argument.
    """


class EngineError(PainsimError, RuntimeError):
    """A simulation engine cannot work on this machine: the compiled engine
    (``PAINSIM_ENGINE=standalone`` or ``auto``) could not compile a network (no working C++
    compiler, ``$CXX`` naming none) or its compiled program failed to run (killed by a signal, not
    executable).  The message says what failed and how to run without it
    (``PAINSIM_ENGINE=runtime``).  A :class:`RuntimeError` too, as brian2's own error was.

    Parameters
    ----------
    message : str
        What failed and what to do.
    """
