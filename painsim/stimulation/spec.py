"""Waveforms from the stimulus tables of experiment, conditions and sweep files.

Formerly the last part of the module ``painsim.stimulation`` (now a package that re-exports
everything below): :func:`from_spec` builds a waveform from a table whose ``type`` names a
generator, :func:`from_table` does the same and names the file's table in every refusal.
"""
from __future__ import annotations

import inspect
from typing import Mapping

from ..errors import ParameterError, UnknownKeyError
from .generators import alternating, burst, high_frequency, none, tens, tonic
from .tms import rtms, theta_burst
from .waveform import Waveform

__all__ = ["from_spec", "from_table", "TABLE_EXAMPLE", "pulse_rate_argument", "device_key", "PULSE_RATE_NAME"]


_GENERATORS = {"tonic": tonic, "burst": burst, "high_frequency": high_frequency, "rtms": rtms,
               "theta_burst": theta_burst, "tens": tens, "none": none, "alternating": alternating}


#: What a stimulus table looks like (the messages that refuse something else show it).
TABLE_EXAMPLE = 'a stimulus table, e.g. {type = "tonic", rate = "50 Hz", width = "200 us", amplitude = 1.5, duration = "2 s"}'


#: What a recruitment model's refusal of a train's pulse rate is named (a file names it by the argument of
#: the device's table that sets that rate: :func:`device_key`).
PULSE_RATE_NAME = "stimulus pulse rate"


def pulse_rate_argument(kind) -> str | None:
    """The argument of the generator of waveform type ``kind`` that sets its fastest pulse rate, by which a
    file or a sweep names a pulse rate the model refuses (:data:`PULSE_RATE_NAME`): a burst's
    ``intraburst_rate``, ``alternating``'s ``rates``, else ``rate``; None for a type without any of
    them or an unknown one.

    Parameters
    ----------
    kind : object
        A stimulus table's ``type``.

    Returns
    -------
    str or None
    """
    generator = _GENERATORS.get(kind) if isinstance(kind, str) else None
    arguments = inspect.signature(generator).parameters if generator is not None else {}
    return next((a for a in ("intraburst_rate", "rate", "rates") if a in arguments), None)


def device_key(name, kind, device: str = "stimulus") -> str:
    """The key of a file's stimulus table that an error about a device names.

    The model refuses a device under the names of its :class:`Waveform`: ``stimulus.site``,
    ``stimulus`` (the whole device), :data:`PULSE_RATE_NAME`, ``stimulus.amplitude_kind`` (a coil
    current the recruitment model cannot take).  In a file they are keys of the device's table under
    ``device`` (``protocol.stimulus``, ``condition[2].stimulus[1]``): the pulse rate is the argument
    that sets it (:func:`pulse_rate_argument`), the amplitude kind is the table's ``amplitude`` (its
    unit sets the kind).  A name not about the device is returned as it is.

    Parameters
    ----------
    name : str
        The refused name (``painsim.errors.ParameterError.name``).
    kind : object
        The table's ``type``.
    device : str
        The table's key in the file.

    Returns
    -------
    str
    """
    name = str(name)
    if not name.startswith("stimulus"):
        return name
    if name == PULSE_RATE_NAME:
        argument = pulse_rate_argument(kind)
        return device + ("." + argument if argument else "")
    if name == "stimulus.amplitude_kind":
        return device + ".amplitude"
    return device + name[len("stimulus"):]


def from_spec(spec: Mapping) -> Waveform:
    """Build a waveform from a dict as written in experiment files::

        {type = "tonic", rate = "50 Hz", width = "200 us", amplitude = 1.5, duration = "2 s"}

    Quantities are strings with units; ``type`` names a generator.

    Parameters
    ----------
    spec : Mapping
        ``type``, one of ``tonic``, ``burst``, ``high_frequency``, ``rtms``, ``theta_burst``,
        ``tens``, ``alternating`` and ``none`` (:func:`custom` has no table form), and the
        generator's arguments by name; ``spec`` itself is not changed.

    Returns
    -------
    Waveform
        What the generator returns.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown ``type``, or an argument the generator does not take.
    painsim.errors.ParameterError
        ``spec`` is not a table, a required argument is missing (named), or a value is refused.
    """
    if not isinstance(spec, Mapping):
        raise ParameterError("stimulus", spec, TABLE_EXAMPLE)
    spec = dict(spec)
    kind = spec.pop("type", None)
    if not isinstance(kind, str) or kind not in _GENERATORS:  # no type at all is missing, not an unknown 'None'
        raise UnknownKeyError(str(kind), _GENERATORS, what="waveform type") if kind is not None else ParameterError(
            "type", None, f"one of: {', '.join(sorted(_GENERATORS))}", hint="missing from the stimulus table: type")
    try:
        return _GENERATORS[kind](**spec)
    except TypeError as e:
        params = inspect.signature(_GENERATORS[kind]).parameters
        named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        allowed = [k for k, p in params.items() if p.kind in named]
        bad = [k for k in spec if k not in allowed]
        required = [k for k in allowed if params[k].default is inspect.Parameter.empty]
        missing = [k for k in required if k not in spec]
        passes_on = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params.values())
        # an unknown argument first (its nearest valid name is the likely fix), unless the generator
        # passes extra arguments on (high_frequency -> tonic): then the missing one is the error
        if bad and not (passes_on and missing):
            raise UnknownKeyError(bad[0], allowed, what=f"argument of {kind}") from None
        if missing:  # name the argument to add, not just the table
            raise ParameterError(missing[0], None, f"a value: a {kind} stimulus requires {', '.join(required)}",
                                 hint=f"missing from the stimulus table: {', '.join(missing)}") from None
        raise ParameterError(kind, spec, f"arguments {allowed}") from e


def from_table(spec, where: str) -> Waveform:
    """:func:`from_spec` for the stimulus table of a file at ``where`` (e.g. ``"condition[2].stimulus"``):
    every refusal names the table (``where`` itself when it is not a table, ``<where>.<argument>``
    for a bad or missing argument; an unknown one keeps the nearest valid suggestion).

    Parameters
    ----------
    spec : Mapping
        The stimulus table, as :func:`from_spec` takes it.
    where : str
        Where the table is in its file, put into every error.

    Returns
    -------
    Waveform

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown ``type`` or argument; the message starts with ``where``.
    painsim.errors.ParameterError
        ``spec`` is not a table (named ``where``), or an argument is missing or refused (named
        ``<where>.<argument>``; raised as a plain :class:`~painsim.errors.ParameterError`,
        whatever the generator raised).
    """
    if not isinstance(spec, Mapping):
        raise ParameterError(where, spec, TABLE_EXAMPLE)
    try:
        return from_spec(spec)
    except UnknownKeyError as err:  # a subclass of ParameterError: keep its suggestion, prefix the table
        err.args = (f"{where}: {err.args[0]}",)
        raise
    except ParameterError as err:
        raise ParameterError(f"{where}.{err.name}", err.value, err.allowed, hint=err.hint) from None
