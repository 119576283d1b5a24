"""The :class:`Calendar` and :class:`Protocol` classes of :mod:`painsim.protocols`.

A :class:`Calendar` says when the sessions of a course take place, a
:class:`Protocol` what each delivers (a stimulus spec, its pattern period, the
plasticity overrides) and where the numbers come from; the session waveform
(:meth:`Protocol.waveform`) takes the stimulation as periodic.  The built-in protocols are in
:mod:`painsim.protocols.library`.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np

from .. import stimulation
from ..checks import MAX_SIMULATED_DURATION, flag, is_number
from ..errors import CalendarError, ParameterError, UnknownKeyError
from ..protocol_stimulus import overrides_table, stimulus_table, text_field
from ..units import to_si

__all__ = ["Calendar", "Protocol", "pattern_period", "MAX_SESSIONS", "DAY_SLACK", "outside_sessions",
           "checked_test_days"]

_DAY = 86400.0
#: days; a test day this close to a session's day is that day (tested before the session): the
#: calendar's days are sums of floats (``start + j * every``: 0.7 x 3 is 2.0999999999999996)
DAY_SLACK = 1e-12
#: Most sessions a schedule may hold.  Chosen: far beyond any treatment course (daily sessions for
#: 270 years; the course engine simulates each), so that a mistyped ``count`` (10**7, 10**12) is
#: refused before its days are built (they exhausted memory, or never finished).
MAX_SESSIONS = 100_000
_KEEP = object()  # with_calendar: keep the protocol's end_day


def _days(value, name) -> float:
    """A day count: a plain number of days, or a time quantity ("2 days", 3*day, a brian2 time)."""
    if value is None or isinstance(value, (bool, np.bool_, dict, list, tuple)):
        raise CalendarError(name, value, 'a number of days, or a time such as "2 days"')
    if type(value) is np.ndarray and value.ndim == 0:  # a 0-d plain array: its number (not a brian2 time)
        value = value.item()
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return to_si(value, "s", name) / _DAY


def _day_list(days, name) -> tuple:
    """Session days as a tuple of floats: one day (a number or a time) or a sequence of them,
    each read by :func:`_days` (a time quantity in days, a boolean refused)."""
    single = (isinstance(days, (str, bytes, Mapping)) or not hasattr(days, "__iter__")
              or getattr(days, "ndim", 1) == 0)
    return tuple(_days(d, name) for d in ([days] if single else list(days)))


@dataclass(frozen=True)
class Calendar:
    """When the sessions of a course take place.

    Parameters
    ----------
    days : float, str or Quantity, or a sequence of them
        Start of each session in days from the start of the course (day 0),
        increasing: plain numbers of days, or times (``"2 days"``, ``"36 h"``,
        a brian2 time, converted to days), as in a ``[protocol]`` table's
        ``days``; a single value is one session.  Fractions place a session
        within a day (0.5 = noon).
    session_duration : float or Quantity
        Length of one session in s (> 0).
    end_day : float, str or Quantity, optional
        Last day of the treatment period (read as a day of ``days``);
        sessions must end by then.

    Raises
    ------
    painsim.errors.CalendarError
        Negative or non-finite days, a boolean or a nested list as a day, a
        duration <= 0, sessions that overlap (a session starting before the
        previous one ends, or two on the same time), or sessions ending after
        ``end_day``.
    painsim.errors.UnitError
        A day or ``end_day`` with a unit that is not a time, or a
        ``session_duration`` that is not a time.
    painsim.errors.ParameterError
        A day that cannot be read as a number or a quantity.
    """

    days: tuple
    session_duration: float
    end_day: float | None = None

    def __post_init__(self):
        days = _day_list(self.days, "days")  # numbers of days or times, as a [protocol] table's days
        object.__setattr__(self, "days", days)
        d = self.session_duration
        if not isinstance(d, (int, float, np.floating, np.integer)) or isinstance(d, bool):
            d = to_si(d, "s", "session_duration")
        d = float(d)
        object.__setattr__(self, "session_duration", d)
        if not (math.isfinite(d) and d > 0):
            raise CalendarError("session_duration", d, "a session duration > 0 s")
        if not days:
            raise CalendarError("days", days, "at least one session day")
        bad = [x for x in days if not math.isfinite(x) or x < 0]
        if bad:
            raise CalendarError("days", bad[0], "session days >= 0 (day 0 = start of the course)")
        for k in range(1, len(days)):
            gap = (days[k] - days[k - 1]) * _DAY
            if gap < d - 1e-6:
                what = ("sessions in increasing order" if gap < 0 else
                        f"session {k} (day {days[k]:g}) to start after session {k - 1} ends "
                        f"(day {days[k - 1]:g} + {d:g} s)")
                raise CalendarError("days", list(days), what, hint=None if gap < 0 else "overlapping sessions")
        if self.end_day is not None:
            end = _days(self.end_day, "end_day")
            object.__setattr__(self, "end_day", end)
            last_end = days[-1] + d / _DAY
            if not math.isfinite(end) or last_end > end + 1e-9:
                raise CalendarError("end_day", end, f"a day >= the end of the last session (day {last_end:g})",
                                    hint="session after the end of the calendar")

    @property
    def n_sessions(self) -> int:
        return len(self.days)

    @classmethod
    def blocks(cls, blocks: Sequence[Mapping[str, Any]], session_duration, end_day=None) -> "Calendar":
        """A calendar from blocks of regular sessions.

        Each block is ``{"start": day, "every": days, "count": n}`` (``every``
        may be a quantity, ``"7 days"``); e.g. three sessions in week 1 and
        then weekly: ``[{"start": 0, "every": 2, "count": 3}, {"start": 7,
        "every": 7, "count": 4}]``.

        Parameters
        ----------
        blocks : sequence of mapping
            The blocks, each with keys ``start`` (day, default 0), ``every``
            (days or a time, default 1) and ``count`` (sessions, default 1).
        session_duration, end_day
            As :class:`Calendar`.

        Returns
        -------
        Calendar

        Raises
        ------
        painsim.errors.UnknownKeyError
            A block key other than ``start``, ``every``, ``count``.
        painsim.errors.CalendarError
            ``blocks`` not a sequence of blocks (``schedule``) or a block not a mapping
            (``schedule[k]``); ``count`` not a whole number >= 1, more than :data:`MAX_SESSIONS` sessions in all, or
            sessions of a block starting after ``end_day`` (refused before the days are built);
            ``every`` <= 0 with more than one session, or anything :class:`Calendar` refuses.
        """
        days, end = [], None if end_day is None else _days(end_day, "end_day")
        if isinstance(blocks, (str, bytes, Mapping)) or not hasattr(blocks, "__iter__"):
            raise CalendarError("schedule", blocks, "a list of blocks {start, every, count}")
        for k, b in enumerate(blocks):
            if not isinstance(b, Mapping):
                raise CalendarError(f"schedule[{k}]", b, 'a block {"start": day, "every": days, "count": n}')
            unknown = [x for x in b if x not in ("start", "every", "count")]
            if unknown:
                raise UnknownKeyError(unknown[0], ["start", "every", "count"], what=f"key of schedule block {k}")
            n = b.get("count", 1)
            if (isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Real) or not math.isfinite(n)
                    or int(n) != n or n < 1):
                raise CalendarError(f"schedule[{k}].count", n, "a whole number of sessions >= 1")
            start = _days(b.get("start", 0), f"schedule[{k}].start")
            every = _days(b.get("every", 1), f"schedule[{k}].every")
            if int(n) > 1 and every <= 0:
                raise CalendarError(f"schedule[{k}].every", b.get("every"), "an interval > 0 days")
            # before the days are built (a count of 10**12 would never finish building them)
            if len(days) + int(n) > MAX_SESSIONS:
                raise CalendarError(f"schedule[{k}].count", n, f"at most {MAX_SESSIONS} sessions in all "
                                    f"({len(days)} before this block)", hint="a course simulates every session")
            if end is not None and math.isfinite(end) and (last := start + (int(n) - 1) * every) > end:
                raise CalendarError(f"schedule[{k}].count", n, f"sessions that end by end_day (day {end:g}); the "
                                    f"last of this block would start on day {last:g}")
            days += [start + j * every for j in range(int(n))]
        return cls(tuple(days), session_duration, end_day)

    def describe(self) -> dict:
        return {"days": list(self.days), "session_duration_s": self.session_duration, "end_day": self.end_day}


def outside_sessions(days, name: str, calendar: Calendar) -> None:
    """Refuse a test day strictly inside a session of ``calendar`` (a test at a session's day is
    taken before it; one inside it would read the state after the whole session).

    Parameters
    ----------
    days : sequence of float
        Checked days from the start of the course.
    name : str
        The parameter, as the user wrote it (``experiment.days``, ``experiment.test_days``).
    calendar : Calendar
        The sessions.

    Raises
    ------
    painsim.errors.ParameterError
        A day inside a session (more than :data:`DAY_SLACK` after its start and before its end).
    """
    length = calendar.session_duration / _DAY  # days
    for d in days:
        inside = [s for s in calendar.days if s + DAY_SLACK < d < s + length - DAY_SLACK]
        if inside:
            raise ParameterError(name, d, f"days outside the sessions (day {d:g} falls inside the session of day "
                                 f"{inside[0]:g}, which lasts {calendar.session_duration:g} s): a test at a "
                                 "session's day is taken before it")


def checked_test_days(days, name: str, calendar: Calendar | None = None) -> tuple:
    """Test days of a course as floats: a non-empty, increasing sequence of finite numbers >= 0,
    outside the sessions of ``calendar`` (the check of a tolerance file's ``test_days`` and of
    :func:`painsim.tolerance.tolerance_course`'s ``days``).

    Parameters
    ----------
    days : sequence of float
        Days from the start of the course (day 0 = the first session).
    name : str
        The parameter, as the user wrote it (``days``, ``experiment.test_days``).
    calendar : Calendar, optional
        The sessions: a day strictly inside one is refused (:func:`outside_sessions`).

    Returns
    -------
    tuple of float

    Raises
    ------
    painsim.errors.ParameterError
        ``days`` not a sequence (a single number, a text), empty, or holding an item that is not
        a number (a text such as ``"3"``, a boolean: True is no day 1), not finite or negative;
        days that do not increase (repeated or unsorted); a day inside a session.
    """
    allowed = "a non-empty increasing list of finite days >= 0 (day 0 = the first session)"
    seq = isinstance(days, (list, tuple, range)) or (isinstance(days, np.ndarray) and days.ndim == 1)
    if not seq or len(days) == 0 or not all(is_number(d) and d >= 0 for d in days) \
            or any(b <= a for a, b in zip(days, list(days)[1:])):
        raise ParameterError(name, days, allowed)
    out = tuple(float(d) for d in days)
    if calendar is not None:
        outside_sessions(out, name, calendar)
    return out


@dataclass(frozen=True)
class Protocol:
    """A treatment protocol: calendar, session stimulus, plasticity overrides, citation.

    Parameters
    ----------
    name : str
        The protocol's name (a library key such as ``"mpns"``, or a user's).
    calendar : Calendar
        When the sessions take place and how long each lasts.
    stimulus : dict or None
        Stimulus spec of a session, as in experiment files
        (``{"type": "tonic", "rate": "50 Hz", ...}``); None = no stimulation
        (sham).  For continuous protocols the spec's ``duration`` is set by
        the session engine; for patterned ones (``period`` set) the spec
        describes at least two periods of the pattern.
    period : float or Quantity, optional
        Period of the stimulation pattern: a number of s or a time (e.g. an
        rTMS train + pause, ``"60 s"``; a boolean is refused, not read as
        1 s).  None = the period the stimulus' pattern implies (pulse, burst
        or train period: inferred for ``tonic``, ``burst``, ``tens``, ``rtms``,
        ``theta_burst`` ... specs), else continuous stimulation.  A period
        given for such a stimulus must be a whole multiple of its own.
    plasticity : dict
        Dotted model overrides applied before the course (e.g.
        ``{"plasticity.c_pn.rule": "calcium"}``).
    citation : str
        The sources of the protocol's numbers (free text).
    description : str
        The protocol in words (free text).
    sham : bool
        True for a sham protocol (same calendar, no effective stimulation).

    Notes
    -----
    The fields are checked whichever way the protocol is built (:func:`painsim.protocols.from_spec`,
    the constructor, ``dataclasses.replace``), with the checks of a ``[protocol]`` table.  A protocol
    is hashable (it can be a dict key or be cached): its hash is that of its name, calendar, period
    and ``sham``, so that equal protocols hash alike though their stimulus and plasticity are dicts.

    Raises
    ------
    painsim.errors.ParameterError
        ``name``, ``citation`` or ``description`` not text; ``sham`` not a boolean (``"false"``
        would read as true); ``stimulus`` neither a table nor None; ``plasticity`` not a table
        (None is an empty one); ``calendar`` is not a :class:`Calendar`, or ``period`` is a boolean,
        a value that is neither a number nor a quantity, not a finite
        time > 0 s, or not a whole multiple of the stimulus' own pattern
        period (:func:`pattern_period`).
    painsim.errors.UnitError
        ``period`` (or a rate or time of the spec it is inferred from) in
        another unit.
    painsim.errors.UnknownKeyError, painsim.errors.WaveformError
        A stimulus spec that :func:`painsim.stimulation.from_spec` refuses
        (checked at construction, on the first second of a session).
    """

    name: str
    calendar: Calendar
    stimulus: Mapping[str, Any] | None
    period: float | None = None
    plasticity: Mapping[str, Any] = field(default_factory=dict)
    citation: str = ""
    description: str = ""
    sham: bool = False

    def __post_init__(self):
        for key in ("name", "citation", "description"):  # as a [protocol] table's (from_spec)
            text_field(getattr(self, key), key)
        flag(self.sham, "sham")
        if not isinstance(self.calendar, Calendar):
            raise ParameterError("calendar", self.calendar, "a painsim.protocols.Calendar")
        stim = dict(stimulus_table(self.stimulus, "stimulus")) if self.stimulus is not None else None
        if stim is not None and stim.get("type") == "none":
            stim = None
        object.__setattr__(self, "stimulus", stim)
        plasticity = {} if self.plasticity is None else overrides_table(self.plasticity, "plasticity")
        object.__setattr__(self, "plasticity", dict(plasticity))
        if self.period is None:
            period = _infer_period(stim) if stim is not None else None
            if period is not None and not (math.isfinite(period) and period > 0):
                raise ParameterError("period", period, "a pattern period > 0 s")
        else:
            period = pattern_period(self.period, stim, "period")
        object.__setattr__(self, "period", period)
        if stim is not None:
            self.waveform(0.0, min(1.0, self.calendar.session_duration))  # fail early on a bad spec

    def __hash__(self):
        # equal protocols have equal names, calendars, periods and sham flags (the dicts are left out)
        return hash((self.name, self.calendar, self.period, self.sham))

    # ------------------------------------------------------------------ waveforms
    def waveform(self, start: float, stop: float):
        """The session's pulses in [start, stop) (s from the session start), re-timed to 0.

        The stimulation is periodic (``period``): a window starting before 0
        or beyond the generated pattern is taken at the same phase of the
        pattern, i.e. the stimulation is taken as running steadily.  A pattern
        shorter than two periods repeats its first period, padded with its
        pause to ``period`` s (a train without its final pause is not run back
        to back).
        """
        length = float(stop) - float(start)
        if not 0 < length <= MAX_SIMULATED_DURATION:  # a window is simulated: an hour at most
            raise ParameterError("stop", stop, f"a time > start ({start}), <= start + {MAX_SIMULATED_DURATION:g} s")
        if self.stimulus is None:
            return stimulation.none(f"{length!r} s")
        P = self.period
        s = float(start) % P if P else max(float(start), 0.0)
        if self.stimulus.get("type") in _CONTINUOUS:  # generate the needed length directly
            # generators place floor(duration x rate) pulses: one period more covers the window
            spec = dict(self.stimulus, duration=f"{s + length + (P or 0.0)!r} s")
            return stimulation.from_spec(spec).window(f"{s!r} s", f"{s + length!r} s")
        wf = self._pattern()
        if P and wf.duration + 1e-9 < 2 * P:
            # a one-period spec: its first period, padded with its pause to P, repeats every P s
            # (a pattern without its last pause, or cut short, is not tiled at its own length)
            wf = self._one_period()
            if s + length > P + 1e-9:
                wf = wf.repeat(int(math.ceil((s + length) / P - 1e-9)))
        # a window running past a longer generated pattern sees the pause that follows it
        return wf.window(f"{s!r} s", f"{s + length!r} s")

    def _pattern(self):
        key = "_pattern_wf"
        if key not in self.__dict__:
            object.__setattr__(self, key, stimulation.from_spec(dict(self.stimulus)))
        return self.__dict__[key]

    def _one_period(self):
        """The first ``period`` s of the pattern, lasting exactly the period (its pause included):
        the unit a one-period spec repeats, as the dose check of a ``[protocol]`` table counts it."""
        key = "_period_wf"
        if key not in self.__dict__:
            first = self._pattern().window("0 s", f"{self.period!r} s")
            object.__setattr__(self, key, replace(first, duration=self.period, _cache={}))
        return self.__dict__[key]

    @property
    def is_sham(self) -> bool:
        return self.sham or self.stimulus is None

    @property
    def device_overrides(self) -> dict:
        """The protocol's model overrides that are not plasticity rules (recruitment mode, lead or
        needle geometry): what a single acute session needs to deliver the device as the course does."""
        return {k: v for k, v in self.plasticity.items() if not k.startswith("plasticity.")}

    def as_sham(self) -> "Protocol":
        """The sham of this protocol: same calendar and plasticity, no stimulation."""
        if self.is_sham:
            return self
        return replace(self, name=f"{self.name}_sham", stimulus=None, period=None, sham=True,
                       description=f"sham of {self.name}: same calendar, no effective stimulation")

    def with_calendar(self, calendar: Calendar | Sequence[float], session_duration=None,
                      end_day=_KEEP) -> "Protocol":
        """The same protocol on another calendar.

        Named and described as a ``[protocol]`` table over this protocol that changes its calendar
        (:func:`painsim.protocols.from_spec`): ``<name>_custom`` (a name that already ends so is
        kept), the description followed by ``(changed by with_calendar: days, ...)`` naming what
        changed (``days``, ``session_duration``, ``end_day``), so that the result is not taken for
        this protocol.  A calendar equal to the protocol's returns the protocol itself.

        Parameters
        ----------
        calendar : Calendar or sequence of float
            A :class:`Calendar` (taken as it is, its ``end_day`` included), or session days as
            :class:`Calendar` reads them (numbers of days or times such as ``"2 days"``).
        session_duration : float or Quantity, optional
            With days: the length of one session, in s as a plain number (``600.0`` is 10 min) or a
            brian2 time; default the protocol's own.  Ignored when ``calendar`` is a Calendar.
        end_day : float, str or Quantity, optional
            With days: the last day of the treatment period (:class:`Calendar`'s ``end_day``; it is
            :func:`painsim.cohort.run`'s default relief day); default the protocol's own, kept as
            a ``[protocol]`` table over it keeps it; None for none.  Ignored when ``calendar`` is
            a Calendar.

        Returns
        -------
        Protocol

        Raises
        ------
        painsim.errors.CalendarError, painsim.errors.UnitError, painsim.errors.ParameterError
            Days or a duration :class:`Calendar` refuses; sessions that end after the kept
            ``end_day`` (named ``end_day``: give ``end_day=None`` or a later day), as a table's.
        """
        if not isinstance(calendar, Calendar):
            d = self.calendar.session_duration if session_duration is None else session_duration
            end = self.calendar.end_day if end_day is _KEEP else end_day
            try:
                calendar = Calendar(calendar, d, end)
            except CalendarError as error:
                if error.name != "end_day" or end_day is not _KEEP:
                    raise
                raise error.renamed(hint=f"{self.name}'s end_day, kept by with_calendar: pass "
                                    "end_day=None or a later day") from None
        changed = [k for k in ("days", "session_duration", "end_day")
                   if getattr(calendar, k) != getattr(self.calendar, k)]
        if not changed:
            return self
        return replace(self, calendar=calendar, **_changed_labels(self, changed, "with_calendar"))

    def describe(self) -> dict:
        return {"name": self.name, "calendar": self.calendar.describe(), "stimulus": self.stimulus,
                "period_s": self.period, "plasticity": self.plasticity, "citation": self.citation,
                "description": self.description, "sham": self.is_sham}

    def __repr__(self):
        n, span, d = self.calendar.n_sessions, self.calendar.days[-1], self.calendar.session_duration
        length = f"{d / 60:g} min" if d >= 60 else f"{d:g} s"   # a 10-s session, not "0.166667 min"
        return (f"Protocol({self.name!r}: {n} session{'s' * (n != 1)} of {length} "
                + (f"over {span:g} day{'s' * (span != 1)})" if n > 1 else f"on day {self.calendar.days[0]:g})"))


_CONTINUOUS = ("tonic", "burst", "high_frequency", "tens")


def _changed_labels(base: Protocol, changed: Sequence[str], by: str, note: str = "", sham: bool = False) -> dict:
    """The name and description of a protocol derived from ``base`` that changes the keys
    ``changed`` (none: the base's): ``<base>_custom`` (kept as it is when it already ends so) and
    ``_sham`` for a sham of a stimulating base, the base's description followed by ``(changed by
    <by>: <keys>; <note>)``, so that a modified protocol is never saved under its base's name."""
    name = base.name + ("_custom" if changed and not base.name.endswith("_custom") else "")
    description = base.description
    if changed:
        description += f" (changed by {by}: {', '.join(changed)}" + (f"; {note})" if note else ")")
    return {"name": name + ("_sham" if sham and not base.is_sham else ""), "description": description}


def pattern_period(value, stimulus: Mapping[str, Any] | None, name: str = "period") -> float:
    """A protocol's ``period`` (s) checked against its stimulus.

    Parameters
    ----------
    value : float or Quantity
        A number of s or a time (``"60 s"``).
    stimulus : dict or None
        The protocol's stimulus spec (None: a sham, nothing to check against).
    name : str
        The period in error messages (``"protocol.period"`` for a ``[protocol]`` table).

    Returns
    -------
    float
        The period in s.

    Raises
    ------
    painsim.errors.ParameterError
        A boolean, a value that is neither a number nor a quantity, a period not finite and
        > 0 s, or one that is not a whole multiple of the period the stimulus' own pattern
        implies (its pulse, burst or train period): the course engine repeats the stimulus
        every ``period``, so another period delivers neither the stimulus' dose nor its rate.
    painsim.errors.UnitError
        A quantity that is not a time (or a rate or time of the stimulus in another unit).
    """
    if isinstance(value, (bool, np.bool_)):  # a bool is an int: True would be read as 1 s
        raise ParameterError(name, value, 'a pattern period > 0 s (e.g. "60 s"), or None for continuous stimulation')
    period = float(value if isinstance(value, numbers.Real) else to_si(value, "s", name))
    if not (math.isfinite(period) and period > 0):
        raise ParameterError(name, value, "a pattern period > 0 s")
    own = _infer_period(stimulus) if stimulus is not None else None
    if own is not None:
        m = round(period / own)
        if m < 1 or abs(period - m * own) > 1e-6 * period:
            raise ParameterError(name, value, f"a whole multiple of {own:g} s, the period of the {stimulus.get('type')} "
                                 "stimulus' own pattern (or no period: that one)",
                                 hint="a period that cuts the pattern delivers neither its dose nor its rate")
    return period


def _infer_period(stim: Mapping[str, Any]) -> float | None:
    """Period of a stimulus pattern (s): the pulse or burst period of continuous trains,
    train + pause of rTMS and iTBS."""
    kind = stim.get("type")
    if kind in ("tonic", "high_frequency"):
        return 1.0 / to_si(stim.get("rate", "10 kHz"), "Hz", "rate")
    if kind == "tens":
        rate = stim.get("rate") or {"conventional": "100 Hz", "acupuncture": "2 Hz"}.get(stim.get("mode", "conventional"))
        return 1.0 / to_si(rate, "Hz", "rate") if rate else None
    if kind == "burst":
        return 1.0 / to_si(stim.get("burst_rate", "40 Hz"), "Hz", "burst_rate")
    if kind == "rtms":
        td = to_si(stim.get("train_duration", "10 s"), "s", "train_duration")
        iti = to_si(stim.get("inter_train_interval", "50 s"), "s", "inter_train_interval")
        return td + iti if iti > 0 else 1.0 / to_si(stim.get("rate", "20 Hz"), "Hz", "rate")
    if kind == "theta_burst":
        if stim.get("pattern", "iTBS") == "iTBS":
            return to_si(stim.get("train_on", "2 s"), "s", "train_on") + \
                to_si(stim.get("train_off", "8 s"), "s", "train_off")
        return 1.0 / to_si(stim.get("burst_rate", "5 Hz"), "Hz", "burst_rate")
    if kind == "alternating" and isinstance(stim.get("rates"), (list, tuple)) and "segment" in stim:
        return len(stim["rates"]) * to_si(stim["segment"], "s", "segment")  # every rate's segment once
    return None
