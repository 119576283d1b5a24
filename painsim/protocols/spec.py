"""Protocols that users write: a ``[protocol]`` table (:func:`from_spec`) or any value (:func:`resolve`).

A table starts from a library protocol (``base``) or from nothing, and sets
the calendar, the session stimulus and the plasticity overrides; the
stimulus and overrides over a base are merged by
:func:`painsim.protocol_stimulus.inherited`..
"""
from __future__ import annotations

from typing import Any, Mapping

from ..checks import flag, known_keys
from ..errors import CalendarError, ParameterError, UnknownKeyError
from ..protocol_stimulus import inherited
from ..units import to_si
from .library import get
from .protocol import Calendar, Protocol, _day_list, _days

__all__ = ["from_spec", "resolve"]


def from_spec(spec: Mapping[str, Any], where: str = "protocol") -> Protocol:
    """A protocol from a ``[protocol]`` table of a TOML file.

    Keys: ``name``; ``base`` (a library protocol to start from: keys not given are the base's) and/or
    ``stimulus`` (a stimulus spec table; over a base, one without ``type`` or with the base's changes only
    the keys it gives; ``type = "none"`` for a sham); ``session_duration`` ("15 min"); the calendar as
    ``days`` (session days: a list, or one day for one session; each a number of days or a time such as
    ``"2 days"`` or ``"36 h"``, as :class:`Calendar` reads them) or ``schedule`` (list of
    ``{start, every, count}`` blocks); optional ``end_day`` (a day, a number or a time), ``period``
    ("60 s"), ``citation``, ``description``, ``sham`` (bool) and a ``plasticity`` table of dotted model
    overrides.  A table without ``base`` needs a ``stimulus`` (or ``sham = true``).  A table over a
    base without a ``name`` of its own is named ``<base>_custom`` when it changes what or when the
    base stimulates (its description says which keys), ``<base>_sham`` with ``sham = true``.

    Example::

        [protocol]
        name = "my_mpns"
        session_duration = "15 min"
        schedule = [{start = 0, every = 2, count = 3}, {start = 7, every = 7, count = 4}]
        end_day = 90
        stimulus = {type = "tonic", rate = "1 Hz", width = "150 us", amplitude = 1.2, threshold_class = "Adelta", target = "peripheral_nerve"}
        [protocol.plasticity]
        "plasticity.adelta_pn.rule" = "calcium"

    Parameters
    ----------
    spec : mapping
        The ``[protocol]`` table (keys above).
    where : str
        The table's name in error messages (``"protocol"`` names
        ``protocol.session_duration`` etc.).

    Returns
    -------
    Protocol
        The table's protocol; with ``sham = true`` its stimulus is None.

    Raises
    ------
    painsim.errors.UnknownKeyError
        A key not listed above, a ``base`` that is not a library protocol
        (the nearest name is given), a key of a ``schedule`` block other
        than ``start``, ``every``, ``count``, or a stimulus key its generator
        does not take.
    painsim.errors.CalendarError
        ``end_day`` or a day of ``days`` that is not a day (a boolean, a
        nested list, a table), both ``days`` and ``schedule``, neither
        calendar nor base, or an impossible calendar (:class:`Calendar`);
        named by the table's key (``protocol.days``, ``protocol.end_day``,
        ``protocol.schedule`` for sessions of a schedule that overlap).
    painsim.errors.ParameterError
        No ``session_duration`` and no base; no ``stimulus``, no base and no
        ``sham = true`` (a forgotten stimulus is not a sham); a ``sham`` that is not a
        boolean, a bad ``stimulus`` or ``plasticity`` table, ``name``,
        ``citation`` or ``description`` not text, or a ``period`` not > 0 s.
    painsim.errors.UnitError
        ``session_duration`` or ``period`` not a time; a day of ``days``,
        ``end_day`` or a schedule's ``start`` or ``every`` with a unit that
        is not a time (named by its key).
    """
    allowed = ("name", "base", "stimulus", "session_duration", "days", "schedule", "end_day", "period",
               "citation", "description", "sham", "plasticity")
    known_keys(spec, allowed, f"key of [{where}]")
    base = get(spec["base"]) if "base" in spec else None
    if base is None and "session_duration" not in spec:
        raise ParameterError(f"{where}.session_duration", None, 'a session duration ("15 min") or a base protocol')
    dur = (to_si(spec["session_duration"], "s", f"{where}.session_duration") if "session_duration" in spec
           else base.calendar.session_duration)
    cal = _calendar(spec, base, dur, where)
    own = inherited(spec, base, where)  # stimulus and plasticity over the base's (painsim.protocol_stimulus)
    sham = flag(spec.get("sham", False), f"{where}.sham")
    if base is None and "stimulus" not in spec and not sham:  # a forgotten stimulus is not a sham
        raise ParameterError(f"{where}.stimulus", None, 'a stimulus table (e.g. {type = "tonic", rate = "100 Hz", '
                             '...}), a base protocol, or sham = true for a protocol that stimulates nothing')
    if base is not None:
        own.update(_derived_labels(spec, base, sham))
    period = spec.get("period", base.period if base and "stimulus" not in spec else None)
    return Protocol(own["name"], cal, None if sham else own["stimulus"], period, own["plasticity"],
                    own["citation"], own["description"], sham)


#: Keys of a [protocol] table that change what its base delivers or when
_CHANGES = ("stimulus", "session_duration", "days", "schedule", "end_day", "period", "plasticity")


def _derived_labels(spec: Mapping[str, Any], base: Protocol, sham: bool) -> dict:
    """The name and description of a table over ``base``, where the table gives none: the base's,
    marked when the table changes it (``<base>_custom``; a sham ``<name>_sham`` as the library
    names them), so that a modified protocol is never saved under its base's name."""
    changed = [k for k in _CHANGES if k in spec]
    out = {}
    if "name" not in spec:
        out["name"] = base.name + ("_custom" if changed else "") + ("_sham" if sham and not base.is_sham else "")
    if "description" not in spec and changed:
        out["description"] = f"{base.description} (changed by the table: {', '.join(changed)})"
    return out


def _calendar(spec: Mapping[str, Any], base: Protocol | None, dur: float, where: str) -> Calendar:
    """The calendar of a ``[protocol]`` table: its ``days`` or ``schedule`` (else the base's days),
    its ``end_day`` (else the base's), read as :class:`Calendar` reads them (a day or a sequence of
    days, numbers of days or times); an error names the table's key (``protocol.days``)."""
    if "days" in spec and "schedule" in spec:
        raise CalendarError(f"{where}.days", spec["days"], "either days or schedule, not both")
    end = spec.get("end_day", base.calendar.end_day if base else None)
    end = None if end is None else _days(end, f"{where}.end_day")
    if "days" in spec:
        days, key = _day_list(spec["days"], f"{where}.days"), "days"
    elif "schedule" in spec:
        days, key = None, "schedule"
    elif base is not None:
        days, key = base.calendar.days, "days"
    else:
        raise CalendarError(f"{where}.days", None, "a calendar: days = [...] or schedule = [{start, every, count}]")
    try:
        return Calendar(days, dur, end) if days is not None else Calendar.blocks(spec["schedule"], dur, end)
    except UnknownKeyError:  # a schedule block's key: named by the key itself
        raise
    except ParameterError as error:  # Calendar's names (days, end_day, schedule[k].count) as the table's keys
        if error.name in ("days", "end_day", "session_duration") or str(error.name).startswith("schedule["):
            name = key if error.name == "days" else error.name
            raise error.renamed(f"{where}.{name}") from None
        raise


def resolve(value, where: str = "protocol") -> Protocol:
    """A protocol from what a user may write for one.

    ``value`` is a library name (see :func:`get`), a ``[protocol]`` table
    (see :func:`from_spec`, including its ``base`` key) or a
    :class:`Protocol` (returned as is).  ``where`` names the value in error
    messages (e.g. ``"protocol"`` for a ``[protocol]`` table of a file).

    Parameters
    ----------
    value : str, mapping or Protocol
        A library name, a ``[protocol]`` table or a protocol.
    where : str
        The value's name in error messages.

    Returns
    -------
    Protocol
        The library's protocol, the table's, or ``value`` itself.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown library name (the nearest one is named) or an unknown key
        of a table.
    painsim.errors.ParameterError
        Any other kind of value.
    painsim.errors.CalendarError
        An impossible calendar in a table.
    """
    if isinstance(value, Protocol):
        return value
    if isinstance(value, str):
        return get(value)
    if isinstance(value, Mapping):
        return from_spec(value, where)
    raise ParameterError(where, value, "a protocol name (painsim.protocols.names()), a [protocol] table "
                                       "(painsim.protocols.from_spec) or a painsim.protocols.Protocol")
