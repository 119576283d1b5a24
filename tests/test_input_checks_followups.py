"""Follow-ups of the input checks: a NaN outcome at a midpoint of bisect_parameter (and the
morphine ED50 that catches its errors), tolerance_calendar's ``session``, and a ``[protocol]``
table's ``days`` and ``end_day`` read as Calendar reads them.  No simulation: the functions
bisected are cheap Python functions, the ED50's volley is replaced by a closed form."""
from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import painsim as ps
from painsim.errors import CalendarError, ParameterError, UnitError
from painsim.protocols import Calendar, from_spec
from painsim.validation import opioids
from painsim.validation.bisection import bisect_parameter
from painsim.validation.tolerance_calibration import (TOLERANCE_SESSION_S, tolerance_calendar,
                                                      tolerance_rate_for_efficacy)

from test_input_checks_calibration import _recorder  # noqa: E402


# ------------------------------------------------------------------ bisect_parameter: NaN midpoints
def test_a_nan_midpoint_stops_the_search_naming_bounds_what_and_the_midpoint():
    """A NaN outcome at a midpoint is neither above nor below the target: the search stops there
    with a ParameterError naming ``bounds``, saying what the bounds are and the midpoint, and
    ``rate`` is not called again (it used to be read as "above" and the search went on towards lo)."""
    f, seen = _recorder(lambda x: float("nan") if 0.4 < x < 0.6 else x)
    with pytest.raises(ParameterError) as info:
        bisect_parameter(f, (0.0, 1.0), 0.3, 1e-3, 10, "test interval", "test outcomes", "")
    assert seen == [0.0, 1.0, 0.5]
    assert info.value.name == "bounds" and info.value.value == (0.0, 1.0)
    message = str(info.value)
    assert "test interval" in message and "test outcomes" in message and repr(0.5) in message
    assert "NaN" in message


@settings(max_examples=100, deadline=None)
@given(a=st.floats(-1.0, 1.0), width=st.floats(1e-4, 0.5), target=st.floats(-0.9, 0.9),
       max_iter=st.integers(1, 20))
def test_a_search_that_meets_a_nan_stops_at_it_and_one_that_does_not_is_unchanged(a, width, target, max_iter):
    """Property, on a rising cubic that is NaN on (a, a + width) inside the bounds: either a
    midpoint fell in that window, and the search raised there at its first such point (the last
    point evaluated, named in the message), or none did and the answer is the nearest of the
    evaluations, as without a window."""
    b = a + width
    cubic = lambda x: x ** 3 + 0.1 * x  # noqa: E731
    f, seen = _recorder(lambda x: float("nan") if a < x < b else cubic(x))
    if math.isnan(f(-1.0)) or math.isnan(f(1.0)):
        return                                          # a NaN bound: the bracket refusal, tested elsewhere
    seen.clear()
    try:
        x, r, evals = bisect_parameter(f, (-1.0, 1.0), target, 1e-6, max_iter, "test interval")
    except ParameterError as error:
        assert a < seen[-1] < b and all(not a < u < b for u in seen[:-1])
        assert error.name == "bounds" and repr(seen[-1]) in str(error)
    else:
        assert all(not a < u < b for u in seen)
        assert r == cubic(x) and all(abs(r - target) <= abs(o - target) for _, o in evals)


def test_a_search_without_nan_is_unchanged():
    """Negative control: with no NaN anywhere the search runs to its answer as before (the
    identity on (0, 1) finds 0.25 exactly, tol 0)."""
    x, r, evals = bisect_parameter(lambda u: u, (0.0, 1.0), 0.25, 0.0, 50, "test interval")
    assert (x, r) == (0.25, 0.25) and not any(math.isnan(o) for _, o in evals)


# ------------------------------------------------------------------ spinal_morphine_ed50 over a NaN
@pytest.fixture
def fake_volley(monkeypatch):
    """Replace the ED50's simulated volley by a closed form: the C component falls as
    ``1 / (1 + c / K)`` (halved at ``K``), NaN where ``nan_at(c)`` says; the ED50 cache is emptied
    before and after so no real value is shadowed."""
    state = {"K": 0.3, "nan_at": lambda c: False}

    def volley(seed, concentration):
        if state["nan_at"](concentration):
            return 1.0, float("nan")
        return 1.0, 10.0 / (1.0 + concentration / state["K"])
    monkeypatch.setattr(opioids, "_gate_volley", volley)
    opioids.spinal_morphine_ed50.cache_clear()
    yield state
    opioids.spinal_morphine_ed50.cache_clear()


def test_the_morphine_ed50_is_found_on_a_defined_curve(fake_volley):
    """Negative control: on a curve defined everywhere the ED50 is a concentration in the bracket
    that halves the C component, no farther from ``K`` than one step of the bisection."""
    ed50 = opioids.spinal_morphine_ed50(-7)
    lo, hi = np.log10(opioids.MORPHINE_BRACKET)
    step = (hi - lo) / 2 ** opioids.MORPHINE_STEPS
    assert ed50 >= fake_volley["K"] * (1 - 1e-12)
    assert abs(np.log10(ed50) - np.log10(fake_volley["K"])) <= step + 1e-12


def test_the_morphine_ed50_is_nan_when_a_midpoint_gives_nan(fake_volley):
    """A NaN C component at a midpoint stops the bisection (ParameterError), which the ED50 catches
    as it catches an unbracketed one: the ED50 is NaN (no concentration is claimed from a search
    that could not tell its side), and morphine_a_fibre_share follows it."""
    mid = 10.0 ** np.mean(np.log10(opioids.MORPHINE_BRACKET))  # the first midpoint
    fake_volley["nan_at"] = lambda c: c > 0 and abs(np.log10(c) - np.log10(mid)) < 1e-9
    assert math.isnan(opioids.spinal_morphine_ed50(-8))
    assert math.isnan(opioids.morphine_a_fibre_share(-8))


# ------------------------------------------------------------------ tolerance_calendar's session
@pytest.mark.parametrize("bad", [2.5, 2.0, float("nan"), math.inf, 1e300, True, False, np.True_, -1,
                                 np.int64(-3), "3", None, [2]])
def test_tolerance_calendar_refuses_a_session_that_is_not_a_whole_index(bad):
    """A float (even a whole one, as tolerance_rate_for_efficacy refuses), a bool, a negative
    index or a non-number is refused by a ParameterError naming ``session`` and its value,
    before any calendar is built (2.5 was truncated to 2, True read as 1)."""
    with pytest.raises(ParameterError) as info:
        tolerance_calendar(bad)
    assert info.value.name == "session" and "'session'" in str(info.value)
    assert ">= 0" in str(info.value)


@pytest.mark.parametrize("good", [0, 1, 4, np.int64(3), np.uint8(2)])
def test_tolerance_calendar_takes_whole_indices(good):
    """Negative control: a whole number >= 0 of any integer type gives one session of
    TOLERANCE_SESSION_S on each of days 0..session."""
    cal = tolerance_calendar(good)
    assert cal.days == tuple(float(d) for d in range(int(good) + 1))
    assert cal.session_duration == TOLERANCE_SESSION_S


def test_tolerance_calendar_and_the_efficacy_inversion_refuse_session_alike():
    """The two functions share the check: a float session is refused by both, naming
    ``session``; a session the calendar has is accepted by both."""
    cal = tolerance_calendar(4)
    for f in (lambda s: tolerance_calendar(s), lambda s: tolerance_rate_for_efficacy(0.3, cal, s, 0.5, 1.6e6)):
        with pytest.raises(ParameterError) as info:
            f(2.5)
        assert info.value.name == "session"
    tolerance_rate_for_efficacy(0.3, cal, 4, 0.5, 1.6e6, bounds=(1e-7, 1e3))


# ------------------------------------------------------------------ [protocol] days and end_day
def _table(text: str) -> dict:
    """A ``[protocol]`` table of TOML text (a sham session of one minute unless given)."""
    return tomllib.loads('[protocol]\nname = "x"\nsham = true\nsession_duration = "1 min"\n' + text)["protocol"]


@pytest.mark.parametrize("text, days, end", [
    ('days = ["0 day", "2 days"]\nend_day = "90 days"\n', ["0 day", "2 days"], "90 days"),
    ('days = [0, "36 h"]\nend_day = "2160 h"\n', [0, "36 h"], "2160 h"),
    ('days = "3 days"\n', "3 days", None),                      # one day: one session, as Calendar("3 days")
    ('days = 3\nend_day = 4\n', 3, 4),
    ('days = [0, 2]\nend_day = 90\n', [0, 2], 90),              # plain numbers, as before
])
def test_a_protocol_table_reads_days_and_end_day_as_calendar_does(text, days, end):
    """A ``[protocol]`` table's ``days`` (a list or one day; numbers of days or times) and
    ``end_day`` (a number or a time) give the calendar Calendar gives for the same values
    (a time ``end_day`` and a single day were refused)."""
    cal = from_spec(_table(text)).calendar
    assert cal == Calendar(days, 60.0, end)


def test_a_protocol_table_over_a_base_takes_a_time_end_day():
    """Over a library base, ``end_day = "100 days"`` replaces the base's end day (in days)."""
    p = from_spec({"base": "mpns", "end_day": "100 days"})
    assert p.calendar.end_day == pytest.approx(100.0)
    assert p.calendar.days == ps.protocols.get("mpns").calendar.days


@pytest.mark.parametrize("text, error, key", [
    ("days = [0, true]\n", CalendarError, "protocol.days"),
    ("days = true\n", CalendarError, "protocol.days"),
    ("days = [[0], [1]]\n", CalendarError, "protocol.days"),
    ("days = {a = 1}\n", CalendarError, "protocol.days"),
    ('days = [0, "2 Hz"]\n', UnitError, "protocol.days"),
    ('days = ["abc"]\n', ParameterError, "protocol.days"),
    ("days = []\n", CalendarError, "protocol.days"),
    ("days = [2, 0]\n", CalendarError, "protocol.days"),         # Calendar's own refusal, named by the key
    ("days = [0, -1]\n", CalendarError, "protocol.days"),
    ("days = [0]\nend_day = true\n", CalendarError, "protocol.end_day"),
    ('days = [0]\nend_day = "5 Hz"\n', UnitError, "protocol.end_day"),
    ('days = [0, 1]\nend_day = "12 h"\n', CalendarError, "protocol.end_day"),   # before the last session ends
    ("days = [0, 1]\nschedule = [{start = 0, count = 2}]\n", CalendarError, "protocol.days"),
    ('schedule = [{start = 0, every = "30 s", count = 2}]\n', CalendarError, "protocol.schedule"),
    ('schedule = [{start = "1 V", count = 2}]\n', UnitError, "protocol.schedule[0].start"),
])
def test_a_bad_day_of_a_protocol_table_is_refused_by_its_key(text, error, key):
    """A day or end day that is not one (a boolean, a nested list, a table, a quantity that is not
    a time, text that is no number) or an impossible calendar is refused naming the table's key
    (``protocol.days``, ``protocol.end_day``, ``protocol.schedule``), not Calendar's argument."""
    with pytest.raises(error) as info:
        from_spec(_table(text))
    assert info.value.name == key, str(info.value)
    assert f"'{key}'" in str(info.value)


def test_a_course_file_checks_its_protocol_days_before_running(tmp_path):
    """A course file whose ``[protocol]`` has ``days = ["0 day", "2 days"]`` and
    ``end_day = "10 days"`` is accepted by the file check (no simulation); the same file with
    ``end_day = true`` is refused naming ``protocol.end_day``."""
    body = ('[experiment]\nname = "t"\nkind = "course"\nmodel = "neuropathic"\nseed = 1\n'
            'follow_up_days = [5]\n[protocol]\nbase = "mpns_sham"\ndays = ["0 day", "2 days"]\n')  # one (sham) arm
    f = tmp_path / "course.toml"
    f.write_text(body + 'end_day = "10 days"\n')
    assert ps.files.load_experiment(f)["protocol"]["end_day"] == "10 days"
    f.write_text(body + "end_day = true\n")
    with pytest.raises(CalendarError) as info:
        ps.files.load_experiment(f)
    assert info.value.name == "protocol.end_day"


@pytest.mark.parametrize("count", ["a", None, float("nan"), 2.5, True, 0, -1])
def test_schedule_block_count_refused_by_name(count):
    """A schedule block's ``count`` that is not a whole number >= 1 (text, None, NaN, a fraction,
    a boolean, 0) is refused as a CalendarError naming ``schedule[k].count``, not a bare
    ValueError/TypeError from int()."""
    with pytest.raises(CalendarError) as info:
        Calendar.blocks([{"count": 2}, {"start": 10, "count": count}], 60.0)
    assert info.value.name == "schedule[1].count"


def test_schedule_block_whole_float_count_accepted():
    """The negative control: a whole count written as a float gives that many sessions."""
    assert Calendar.blocks([{"count": 3.0, "every": "2 days"}], 60.0).days == (0.0, 2.0, 4.0)


@pytest.mark.parametrize("value", [0, -3, 2.5, np.int64(7), np.float32(0.5), 10**30])
def test_is_number_takes_finite_real_numbers(value):
    """The predicate behind the field checks: finite real numbers, Python or numpy."""
    from painsim.checks import is_number
    assert is_number(value)


@pytest.mark.parametrize("value", [True, np.bool_(False), float("nan"), -math.inf, "1", None, [1.0], np.array(1.0)])
def test_is_number_refuses_bools_non_finite_and_non_numbers(value):
    """Booleans (ints to Python), NaN and infinities, text, None and arrays are not numbers here."""
    from painsim.checks import is_number
    assert not is_number(value)
