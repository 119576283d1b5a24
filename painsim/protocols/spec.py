"""Protocols that users write: a ``[protocol]`` table (:func:`from_spec`) or any value (:func:`resolve`).

A table starts from a library protocol (``base``) or from nothing, and sets
the calendar, the session stimulus and the plasticity overrides; the
stimulus and overrides over a base are merged by
:func:`painsim.protocol_stimulus.inherited`..
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Mapping

import numpy as np

from .. import stimulation
from ..checks import flag, known_keys
from ..errors import CalendarError, ParameterError, UnknownKeyError
from ..protocol_stimulus import inherited
from ..units import to_si
from .library import get, theta_burst
from .protocol import _CONTINUOUS, Calendar, Protocol, _changed_labels, _day_list, _days, _infer_period, pattern_period

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
    base stimulates (its description says which keys), ``<base>_sham`` with ``sham = true``; a sham
    table takes no ``stimulus`` (but ``{type = "none"}``) and no ``period``.  ``sham = true`` over a
    stimulating base is the sham (:meth:`Protocol.as_sham`) of the table without it: over ``lfs_1hz``
    alone, the library's ``lfs_1hz_sham``.  A table over a sham base is a sham; ``sham = false``
    over one without a ``stimulus`` is refused (it would stay a sham).

    The course engine repeats a session's stimulus every ``period`` for the whole session, so the
    session duration sets the dose.  ``period`` is a time (``"60 s"``, not ``60``) and a whole
    multiple of the period of the stimulus' own pattern (pulse, burst or train period).  A
    ``stimulus`` that gives the dose of an ``rtms`` or ``theta_burst`` stimulus (``n_trains``,
    ``n_pulses``), or over a base of that type changes it or its timing (``pattern``, ``rate``,
    ``train_duration``, ``inter_train_interval``, ``pulses_per_burst``, ``burst_rate``,
    ``train_on``, ``train_off`` ...), gets sessions that deliver its pulses: a ``session_duration``
    given with it must deliver them; without one a theta burst's session is derived as
    :func:`painsim.protocols.theta_burst` derives it (``base = "itbs"``, ``stimulus = {n_pulses =
    1200}``: 392 s), and an rTMS change that the base's session does not deliver is refused (give
    ``session_duration``: ``n_trains`` x (``train_duration`` + ``inter_train_interval``)).

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
        boolean, ``sham = true`` with a ``stimulus`` or a ``period``, a bad ``stimulus`` or
        ``plasticity`` table, ``name``, ``citation`` or ``description`` not text; a ``period``
        (``protocol.period``) not > 0 s or not a whole multiple of the stimulus' pattern period;
        a ``session_duration`` that does not deliver the pulses of an rTMS or theta-burst
        stimulus whose dose or timing the table gives, or (no ``session_duration``) an rTMS
        change the base's session does not deliver (named ``protocol.stimulus.<key>``).
    painsim.errors.UnitError
        ``session_duration`` or ``period`` not a time (a bare number too); a day of ``days``,
        ``end_day`` or a schedule's ``start`` or ``every`` with a unit that
        is not a time (named by its key).
    """
    allowed = ("name", "base", "stimulus", "session_duration", "days", "schedule", "end_day", "period",
               "citation", "description", "sham", "plasticity")
    known_keys(spec, allowed, f"key of [{where}]")
    base = get(spec["base"]) if "base" in spec else None
    if base is None and "session_duration" not in spec:
        raise ParameterError(f"{where}.session_duration", None, 'a session duration ("15 min") or a base protocol')
    sham = flag(spec.get("sham", False), f"{where}.sham")
    if sham:
        _sham_delivers_nothing(spec, where)
        if base is not None and not base.is_sham:
            return _sham_of(spec, where)
    elif "sham" in spec and base is not None and base.is_sham and "stimulus" not in spec:
        raise ParameterError(f"{where}.sham", spec["sham"], f"true or left out over the sham base {base.name!r}, "
                             "which delivers no stimulus (the table would stay a sham)",
                             hint="an active protocol: its stimulating base or a stimulus table")
    own = inherited(spec, base, where)  # stimulus and plasticity over the base's (painsim.protocol_stimulus)
    if base is None and "stimulus" not in spec and not sham:  # a forgotten stimulus is not a sham
        raise ParameterError(f"{where}.stimulus", None, 'a stimulus table (e.g. {type = "tonic", rate = "100 Hz", '
                             '...}), a base protocol, or sham = true for a protocol that stimulates nothing')
    stim = None if sham else own["stimulus"]
    if stim is not None:
        _check_stimulus(stim, where)
    period = _period(spec, base, stim, where)
    dur, note = _session_duration(spec, base, stim, period, where)
    cal = _calendar(spec, base, dur, where)
    if base is not None:
        own.update(_derived_labels(spec, base, sham, note))
    sham = sham or (stim is None and base is not None and base.sham)  # over a sham base: a sham, as it
    return Protocol(own["name"], cal, stim, period, own["plasticity"], own["citation"], own["description"], sham)


def _sham_of(spec: Mapping[str, Any], where: str) -> Protocol:
    """A table with ``sham = true`` over a stimulating base: the sham (:meth:`Protocol.as_sham`: no
    stimulus, no period, ``<name>_sham``, ``sham of <name>``) of the table without ``sham`` (and
    without its ``stimulus = {type = "none"}``), under the table's own name and description where
    it gives them."""
    active = from_spec({k: v for k, v in spec.items() if k not in ("sham", "stimulus", "name", "description")},
                       where)
    labels = {k: spec[k] for k in ("name", "description") if k in spec}
    try:
        return replace(active.as_sham(), **labels) if labels else active.as_sham()
    except ParameterError as err:  # a bad name or description, named as the file's key
        raise err.renamed(f"{where}.{err.name}") if err.name in labels else err from None


def _check_stimulus(stim: Mapping[str, Any], where: str) -> None:
    """Refuse a bad stimulus of the table by its key (``protocol.stimulus.width``, not the bare
    ``width`` that :class:`Protocol` would name), as :func:`painsim.stimulation.from_table` names a
    file's stimulus table.  A continuous stimulus has no duration of its own (each window of a
    session is generated at its length, :meth:`Protocol.waveform`): it is checked over a second and
    one period of its pattern, the first window the protocol generates at most."""
    table = dict(stim)
    if table.get("type") == "none":  # no stimulation: Protocol takes it as None
        return
    if table.get("type") in _CONTINUOUS:
        try:
            own = _infer_period(table) or 0.0
        except ParameterError as err:  # a rate in another unit: the key of the table
            raise err.renamed(f"{where}.stimulus.{err.name}") from None
        table["duration"] = f"{1.0 + own!r} s"
    stimulation.from_table(table, f"{where}.stimulus")


def _sham_delivers_nothing(spec: Mapping[str, Any], where: str) -> None:
    """Refuse a ``stimulus`` (other than ``{type = "none"}``) or a ``period`` in a table with
    ``sham = true``: the sham drops them, while the table reads as a changed stimulus."""
    given = spec.get("stimulus")
    if "stimulus" in spec and not (isinstance(given, Mapping) and given.get("type") == "none"):
        raise ParameterError(f"{where}.stimulus", given, "no stimulus table with sham = true (a sham delivers "
                             "nothing): leave out the stimulus, or sham = false to deliver it")
    if "period" in spec:
        raise ParameterError(f"{where}.period", spec["period"], "no period with sham = true (a sham delivers "
                             "nothing): leave out the period, or sham = false")


def _period(spec: Mapping[str, Any], base: Protocol | None, stim, where: str) -> float | None:
    """The table's ``period`` in s: a time (a bare number is refused, as for ``session_duration``),
    a whole multiple of the pattern period of ``stim`` (:func:`pattern_period`); without one the
    base's when the table keeps its stimulus, else None (the stimulus' own, inferred)."""
    if "period" not in spec:
        return base.period if base is not None and "stimulus" not in spec else None
    name = f"{where}.period"
    to_si(spec["period"], "s", name)  # a time with its unit: 60 is not read as 60 s
    return pattern_period(spec["period"], stim, name)


#: Per counted stimulus type: the key that states a session's dose, and the keys that time its
#: pattern (over a base of that type, changing either changes the session that delivers the dose)
_DOSE = {"rtms": ("n_trains", ("rate", "train_duration", "inter_train_interval")),
         "theta_burst": ("n_pulses", ("pattern", "pulses_per_burst", "intraburst_rate", "burst_rate",
                                      "train_on", "train_off"))}
_UNSET = object()


def _session_duration(spec: Mapping[str, Any], base: Protocol | None, stim, period: float | None,
                      where: str) -> tuple[float, str]:
    """The table's session duration (s) and a note for its description.

    The course engine repeats the stimulus every period for the whole session, so the session
    duration sets the dose.  A table that changes the dose or the timing of an ``rtms`` or
    ``theta_burst`` stimulus (:data:`_DOSE`) gets a session that delivers the stimulus' pulses:
    a ``session_duration`` it gives must deliver them; without one, a theta burst's is derived
    as :func:`painsim.protocols.theta_burst` derives it, and an rTMS change that the base's
    session does not deliver is refused (the library gives rTMS sessions, it does not derive them).
    """
    name = f"{where}.session_duration"
    given = "session_duration" in spec
    dur = to_si(spec["session_duration"], "s", name) if given else base.calendar.session_duration
    changed = _dose_changes(spec, base, stim)
    if not changed:
        return dur, ""
    wf = stimulation.from_spec(dict(stim))
    period = period if period is not None else _infer_period(stim)
    dose, kind = wf.n_pulses, stim["type"]
    own = _infer_period(stim)  # rTMS: the library's session is its trains' periods (10 x 60 s)
    fit = _tbs_session(stim) if kind == "theta_burst" else math.ceil(wf.duration / own - 1e-9) * own
    example = (f' (e.g. session_duration = "{fit:g} s")' if _session_pulses(wf, period, fit) == dose else "")
    delivered = _session_pulses(wf, period, dur)
    hint = f"the session duration sets the dose: {dur:g} s sessions deliver {delivered} pulses"
    if given:
        if delivered != dose:
            raise ParameterError(name, spec["session_duration"], f"a session that delivers the {dose} pulses of "
                                 f"the stimulus ({', '.join(changed)} given){example}", hint=hint)
        return dur, ""
    if kind == "theta_burst":
        return fit, f"session of {fit:g} s for its {dose} pulses"
    if delivered != dose:
        key = changed[0]
        raise ParameterError(f"{where}.stimulus.{key}", spec["stimulus"][key], f"{key} given with a "
                             f"session_duration that delivers the stimulus' {dose} pulses{example}", hint=hint)
    return dur, ""


def _dose_changes(spec: Mapping[str, Any], base: Protocol | None, stim) -> list[str]:
    """The keys of the table's ``stimulus`` that change the pulses a session of ``stim`` is to
    deliver: over a base stimulus of its type, the count or timing keys it changes; else (a
    stimulus of its own) the count key it gives."""
    if stim is None or "stimulus" not in spec or stim.get("type") not in _DOSE:
        return []
    given = spec["stimulus"]
    count, timing = _DOSE[stim["type"]]
    old = base.stimulus if base is not None else None
    if not old or old.get("type") != stim["type"]:
        return [count] if count in given else []
    return [k for k in (count, *timing) if k in given and given[k] != old.get(k, _UNSET)]


def _tbs_session(stim: Mapping[str, Any]) -> float:
    """The session (s) of a theta-burst stimulus as :func:`painsim.protocols.theta_burst` derives
    it (the last burst's start plus one burst period); its intensity does not time it."""
    timing = {k: v for k, v in stim.items() if k not in ("type", "intensity")}
    return theta_burst(**timing).calendar.session_duration


def _session_pulses(wf, period: float, duration: float) -> int:
    """The pulses of a session of ``duration`` s that repeats the first ``period`` s of the pattern
    ``wf`` (a waveform), as the course engine takes a patterned stimulus (Protocol.waveform)."""
    onsets = np.asarray(wf.onsets, dtype=float)
    first = onsets[onsets < period - 1e-9]
    whole = math.floor(duration / period + 1e-9)
    rest = duration - whole * period
    return whole * first.size + int(np.count_nonzero(first < rest - 1e-9))


#: Keys of a [protocol] table that change what its base delivers or when
_CHANGES = ("stimulus", "session_duration", "days", "schedule", "end_day", "period", "plasticity")


def _derived_labels(spec: Mapping[str, Any], base: Protocol, sham: bool, note: str = "") -> dict:
    """The name and description of a table over ``base``, where the table gives none: the base's,
    marked when the table changes it (``<base>_custom``; a sham ``<name>_sham`` as the library
    names them), so that a modified protocol is never saved under its base's name; ``note`` (a
    derived session) is added to the description.  The labels are those of
    :meth:`Protocol.with_calendar` (``_changed_labels``): a base already named ``..._custom`` keeps
    its name."""
    labels = _changed_labels(base, [k for k in _CHANGES if k in spec], "the table", note, sham)
    return {k: v for k, v in labels.items() if k not in spec}


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
        if error.name in ("days", "end_day", "session_duration", "schedule") or str(error.name).startswith("schedule["):
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
