"""Shared validators: each returns the checked value or raises a
:class:`painsim.errors.ParameterError` naming the parameter, the value and what is
allowed.  Base layer (errors and units only)."""
from __future__ import annotations

import math
import numbers
import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np

from .errors import ParameterError, UnknownKeyError
from .units import to_si

__all__ = ["known_keys", "known_tables", "distinct_labels", "flag", "whole", "is_number", "number", "floats", "positive_time", "nonnegative_time", "simulated_duration", "MAX_SIMULATED_DURATION", "file_name", "positive_rate", "env_choice", "env_switch", "env_whole", "store_folder"]


def flag(value, name: str, error: type[ParameterError] = ParameterError) -> bool:
    """``true`` or ``false`` (a string such as "false" or "no" is refused: ``bool("false")`` is True);
    ``error`` is the ParameterError subclass to raise (a sweep's SpecError).

    Parameters
    ----------
    value : object
        The value to check; only a ``bool`` is accepted.
    name : str
        The parameter, named in the error.
    error : type
        The :class:`painsim.errors.ParameterError` subclass to raise.

    Returns
    -------
    bool
        ``value``.

    Raises
    ------
    painsim.errors.ParameterError
        ``value`` is not a ``bool`` (raised as ``error``).
    """
    if not isinstance(value, bool):
        raise error(name, value, "true or false")
    return value


def whole(value, name: str, lo: int = 1, *, allow_float: bool = False) -> int:
    """A whole number ``>= lo``; with ``allow_float`` also a float equal to one (``3.0``).

    Parameters
    ----------
    value : int or float
        The value to check (a ``bool`` is refused).
    name : str
        The parameter, named in the error.
    lo : int
        The smallest value allowed (default 1).
    allow_float : bool
        Also accept a finite float with a whole value.

    Returns
    -------
    int

    Raises
    ------
    painsim.errors.ParameterError
        ``value`` is not a whole number, or is below ``lo``.
    """
    kinds = (int, np.integer, float, np.floating) if allow_float else (int, np.integer)
    # integers are whole whatever their size (float(2**60 + 1) != 2**60 + 1); only floats are tested
    is_float = isinstance(value, (float, np.floating))
    if (isinstance(value, (bool, np.bool_)) or not isinstance(value, kinds)
            or (is_float and (not math.isfinite(value) or float(value) != int(value)))
            or value < lo):
        raise ParameterError(name, value, f"a whole number >= {lo}")
    return int(value)


def is_number(value) -> bool:
    """Whether ``value`` is a finite real number (Python or numpy), not a bool.

    The predicate behind checks whose error names a field rather than an argument (a dataclass
    field, a key of a table); :func:`number` raises the error itself.

    Parameters
    ----------
    value : object

    Returns
    -------
    bool
    """
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
            and math.isfinite(value))


def floats(value, name: str, allowed: str) -> np.ndarray:
    """``value`` (a number or an array of them) as a float array, refused naming ``name`` otherwise.

    Parameters
    ----------
    value : object
        A number, a sequence or an array of numbers.  A string, a boolean or None is no number here
        (``np.asarray("3", float)`` would accept the first, ``True`` would count as 1 and None as NaN).
    name : str
        The parameter, named in the error.
    allowed : str
        What is allowed, said in the error.

    Returns
    -------
    numpy.ndarray
        ``value`` as floats (NaN passes through; range checks are the caller's).

    Raises
    ------
    painsim.errors.ParameterError
        ``value`` is a string, a boolean, None or not convertible to floats.
    """
    if isinstance(value, (bool, str, bytes)) or value is None:
        raise ParameterError(name, value, allowed)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(name, value, allowed) from None


def number(value, name: str, lo=None, hi=None, lo_open: bool = False, allowed: str | None = None) -> float:
    """A finite dimensionless number within ``[lo, hi]`` (``(lo, hi]`` with ``lo_open``).

    Parameters
    ----------
    value : float
        A plain number (int, float, numpy scalar, or a brian2 quantity without a
        unit); a ``str`` or ``bool`` is refused.
    name : str
        The parameter, named in the error.
    lo, hi : float, optional
        The bounds; None (the default) for no bound.
    lo_open : bool
        Exclude ``lo`` itself.
    allowed : str, optional
        What is allowed, in words, for the error (default: said from the bounds).

    Returns
    -------
    float

    Raises
    ------
    painsim.errors.UnitError
        ``value`` has a unit.
    painsim.errors.ParameterError
        ``value`` is a string or a bool, or not a finite number within the bounds.
    """
    if isinstance(value, (bool, str)):
        raise ParameterError(name, value, allowed or "a real number")
    v = float(to_si(value, "1", name))
    ok = math.isfinite(v)
    if ok and lo is not None:
        ok = v > lo if lo_open else v >= lo
    if ok and hi is not None:
        ok = v <= hi
    if not ok:
        if allowed is None:
            parts = []
            if lo is not None:
                parts.append(("> " if lo_open else ">= ") + repr(lo))
            if hi is not None:
                parts.append("<= " + repr(hi))
            allowed = "a finite number " + " and ".join(parts)
        raise ParameterError(name, value, allowed)
    return v


def _si(value, unit: str, name: str, plain_si: bool):
    """``value`` in SI: with ``plain_si`` a plain real number (not a bool, not text) is taken as the
    value in ``unit`` itself; otherwise (and for text or a brian2 quantity) :func:`to_si` reads it."""
    if plain_si and isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    return to_si(value, unit, name)


def positive_time(value, name: str, *, plain_si: bool = False) -> float:
    """A finite time constant > 0 s, in seconds.

    Parameters
    ----------
    value : str, brian2 Quantity or float
        The time, with its unit (``"20 ms"``, ``20*ms``); with ``plain_si`` also a plain number of
        seconds (``0.02``).
    name : str
        The parameter, named in the error.
    plain_si : bool
        Take a plain number as the value in s (a Python API whose object stores SI floats, e.g. a
        plasticity rule, so that it can be copied); without it a plain number is refused.

    Returns
    -------
    float

    Raises
    ------
    painsim.errors.UnitError
        ``value`` is not a time (without ``plain_si``, a plain number has no unit).
    painsim.errors.ParameterError
        ``value`` cannot be read (a bool included), or is not finite and > 0 s.
    """
    v = _si(value, "s", name, plain_si)
    if not (math.isfinite(v) and v > 0):
        raise ParameterError(name, value, "a time constant > 0 s (finite)")
    return float(v)


def nonnegative_time(value, name: str, *, plain_si: bool = False) -> float:
    """A finite time >= 0 s, in seconds.

    Parameters
    ----------
    value : str, brian2 Quantity or float
        The time, with its unit (``"20 ms"``, ``20*ms``); with ``plain_si`` also a plain number of
        seconds.
    name : str
        The parameter, named in the error.
    plain_si : bool
        Take a plain number as the value in s (as :func:`positive_time`).

    Returns
    -------
    float

    Raises
    ------
    painsim.errors.UnitError
        ``value`` is not a time (without ``plain_si``, a plain number has no unit).
    painsim.errors.ParameterError
        ``value`` cannot be read (a bool included), or is not finite and >= 0 s.
    """
    v = _si(value, "s", name, plain_si)
    if not (math.isfinite(v) and v >= 0):
        raise ParameterError(name, value, "a time >= 0 s (finite)")
    return float(v)


#: The longest stretch one point may simulate, in s.  Chosen: painsim simulates sessions in
#: windows of seconds to minutes at 0.1 ms steps (an hour is 36 million steps of every neuron,
#: and its input spikes are drawn before the run); the sessions it models last 20-30 min
#: (rTMS, TENS).  Days and months are a course's (:mod:`painsim.course`), which
#: replays them through the plasticity rules instead of simulating them.
MAX_SIMULATED_DURATION = 3600.0


def simulated_duration(value, name: str, error: type[ParameterError] = ParameterError,
                       hint: str = "days and months of treatment are a course's: painsim.course") -> float:
    """A simulated duration in s: finite, > 0 and at most :data:`MAX_SIMULATED_DURATION` (a longer
    one would exhaust memory drawing its input spikes, before the run starts).

    Parameters
    ----------
    value : str or brian2 Quantity
        The duration, with its unit (``"2 s"``, ``2*second``).
    name : str
        The parameter, named in the error.
    error : type
        The :class:`painsim.errors.ParameterError` subclass to raise for a
        duration out of range.
    hint : str
        Advice added to the error of a duration out of range (default: where longer times belong).

    Returns
    -------
    float

    Raises
    ------
    painsim.errors.UnitError
        ``value`` is not a time (a plain number has no unit).
    painsim.errors.ParameterError
        ``value`` cannot be read, or is out of range (raised as ``error``).
    """
    v = to_si(value, "s", name)
    if not (math.isfinite(v) and 0 < v <= MAX_SIMULATED_DURATION):
        raise error(name, value, f"a duration > 0 s and <= {MAX_SIMULATED_DURATION:g} s (1 hour)",
                    hint=hint)
    return float(v)


def file_name(value, name: str, error: type[ParameterError] = ParameterError) -> str:
    """A plain file name (letters, digits, ``_``, ``-`` and ``.``, starting with a letter or digit): an
    experiment's or sweep's ``name`` names its output folder (``painsim-out/<name>``) and its figures'
    files, which must stay inside ``--out`` (no ``/``, no ``..``, not empty).

    Parameters
    ----------
    value : str
        The name to check.
    name : str
        The parameter, named in the error.
    error : type
        The :class:`painsim.errors.ParameterError` subclass to raise.

    Returns
    -------
    str
        ``value``.

    Raises
    ------
    painsim.errors.ParameterError
        ``value`` is not such a file name (raised as ``error``).
    """
    if not (isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", value)):
        raise error(name, value, "a file name: letters, digits, '_', '-' and '.', starting with a letter or "
                    "digit (no '/', no '..', not empty)")
    return value


def positive_rate(value, name: str, *, plain_si: bool = False) -> float:
    """A finite rate > 0 Hz, in Hz.

    Parameters
    ----------
    value : str, brian2 Quantity or float
        The rate, with its unit (``"50 Hz"``, ``50*Hz``); with ``plain_si`` also a plain number of Hz.
    name : str
        The parameter, named in the error.
    plain_si : bool
        Take a plain number as the value in Hz (as :func:`positive_time`).

    Returns
    -------
    float

    Raises
    ------
    painsim.errors.UnitError
        ``value`` is not a rate (without ``plain_si``, a plain number has no unit).
    painsim.errors.ParameterError
        ``value`` cannot be read (a bool included), or is not finite and > 0 Hz.
    """
    v = _si(value, "Hz", name, plain_si)
    if not (math.isfinite(v) and v > 0):
        raise ParameterError(name, value, "a rate > 0 Hz (finite)")
    return float(v)


def known_keys(table, allowed, what: str) -> None:
    """Refuse a key of ``table`` (a mapping, or any iterable of keys) not in
    ``allowed``: :class:`painsim.errors.UnknownKeyError` names the nearest valid key.

    Parameters
    ----------
    table : mapping or iterable of str
        The keys to check.
    allowed : collection of str
        The valid keys.
    what : str
        The kind of key, in words, for the error (``"sweep key"``).

    Raises
    ------
    painsim.errors.UnknownKeyError
        The first key of ``table`` not in ``allowed``.
    """
    for key in table:
        if key not in allowed:
            raise UnknownKeyError(key, allowed, what=what)


def known_tables(spec, allowed, what: str) -> None:
    """:func:`known_keys` for the top-level tables of an experiment file; the ``_path`` key that
    loading adds (the file it came from) is not a table.  A misspelt table (``[publshed]``) would
    otherwise be silently ignored.

    Parameters
    ----------
    spec : mapping
        The experiment file's contents, as loaded.
    allowed, what
        As :func:`known_keys`.

    Raises
    ------
    painsim.errors.UnknownKeyError
        A top-level table not in ``allowed``.
    """
    known_keys([k for k in spec if k != "_path"], allowed, what)


def distinct_labels(labels, table: str) -> None:
    """Refuse a label of the repeated ``table`` (``"condition"``, ``"protocol"``) that is not text
    or repeats an earlier one: a result's coordinate must tell the tables apart.  The error names
    the entry (``condition[1].label``).

    Parameters
    ----------
    labels : iterable
        The tables' labels, in the file's order.
    table : str
        The name of the repeated table, used in the error.

    Raises
    ------
    painsim.errors.ParameterError
        A label that is not a string, is empty or blank (``""``, ``" "``), or repeats an earlier one.
    """
    seen = set()
    for n, label in enumerate(labels):
        if not isinstance(label, str):
            raise ParameterError(f"{table}[{n}].label", label, 'a text label, e.g. label = "47 °C heat alone"')
        if not label.strip():  # a nameless row in the summary and the figure
            raise ParameterError(f"{table}[{n}].label", label, 'a label with a visible character, e.g. '
                                 'label = "47 °C heat alone"')
        if label in seen:
            raise ParameterError(f"{table}[{n}].label", label, f"labels that differ between the {table}s")
        seen.add(label)


def env_choice(variable: str, default: str, allowed: Sequence[str]) -> str:
    """The value of the environment variable ``variable`` (``default`` when unset), which
    must be one of ``allowed``: a misspelt setting is refused by name, never silently taken
    for the default.

    Parameters
    ----------
    variable : str
        The environment variable's name.
    default : str
        The value when the variable is unset.
    allowed : sequence of str
        The values allowed.

    Returns
    -------
    str

    Raises
    ------
    painsim.errors.ParameterError
        The value is not one of ``allowed``.
    """
    value = os.environ.get(variable, default)
    if value not in allowed:
        raise ParameterError(variable, value, f"one of {', '.join(allowed)}")
    return value


def env_switch(variable: str, default: bool, override: bool | None = None) -> bool:
    """An on/off setting: ``override`` when it is not None (a module value set by tests or
    benchmarks), else the environment variable ``variable``, ``0`` or ``1`` (:func:`env_choice`;
    ``default`` when unset), read at each call.

    Raises
    ------
    painsim.errors.ParameterError
        The variable is neither ``0`` nor ``1``.
    """
    if override is not None:
        return bool(override)
    return env_choice(variable, "1" if default else "0", ("0", "1")) == "1"


def env_whole(variable: str, default: int, lo: int = 1) -> int:
    """The value of the environment variable ``variable`` (``default`` when unset or blank) as a
    whole number ``>= lo``: a value that is not one is refused by name, never a bare ``int()`` error.

    Parameters
    ----------
    variable : str
        The environment variable's name.
    default : int
        The value when the variable is unset or blank.
    lo : int
        The smallest value allowed (default 1).

    Returns
    -------
    int

    Raises
    ------
    painsim.errors.ParameterError
        The value is not a whole number (decimal digits), or is below ``lo``.
    """
    value = os.environ.get(variable, "")
    if not value.strip():
        return default
    if not re.fullmatch(r"\s*\+?\d+\s*", value) or int(value) < lo:
        raise ParameterError(variable, value, f"a whole number >= {lo} (unset: {default})")
    return int(value)


def store_folder(store, allowed: str) -> None:
    """Refuse a run's ``store`` that is not a path, or is (or lies under) an existing file, before
    anything runs (the OS raised a bare FileExistsError or NotADirectoryError when the store's
    folder was made), in the words ``--out`` is refused in; None (no store) passes.

    Parameters
    ----------
    store : str, path-like or None
        The folder of a sweep's or cohort's resumable store.
    allowed : str
        What the folder is for, in the message (e.g. "a folder for the sweep's results").

    Raises
    ------
    painsim.errors.ParameterError
        Named ``store``.
    """
    if store is None:
        return
    if not isinstance(store, (str, os.PathLike)):
        raise ParameterError("store", store, f"{allowed}: a path")
    there = next((p for p in (Path(store), *Path(store).parents) if p.exists()), None)  # the nearest that is
    if there is not None and not there.is_dir():
        raise ParameterError("store", str(store), f"{allowed}: {there} is a file, not a folder")
