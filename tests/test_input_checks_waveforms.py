"""Input checks of the waveform generators (an explicit ``label=None``, the rates of
``alternating``, every refusal of ``custom``) and of the protocol builders (a boolean
``Protocol.period``; the session days of ``theta_burst``, ``Calendar``, ``from_spec`` and
``with_calendar``, read alike).  No simulation."""
from __future__ import annotations

import numpy as np
import pytest
from brian2 import Hz, mA, ms, second, us

import painsim.stimulation as S
from painsim.errors import CalendarError, ParameterError, UnitError, WaveformError
from painsim.protocols import Calendar, Protocol, from_spec, get, theta_burst

DAY = 86400.0


# ------------------------------------------------------------------ label=None
def test_high_frequency_label_none_is_the_default_label():
    """``label=None`` gives high_frequency's own default, naming the rate in kHz (it gave
    tonic's "tonic <rate> Hz" label); a label given is kept."""
    for rate in ("10 kHz", "5 kHz"):
        default = S.high_frequency(2 * mA, 10 * ms, rate=rate).label
        assert S.high_frequency(2 * mA, 10 * ms, rate=rate, label=None).label == default
        assert default.startswith("high-frequency") and rate in default
    assert S.high_frequency(2 * mA, 10 * ms, label="mine").label == "mine"


def test_high_frequency_still_refuses_a_zero_rate_by_name():
    """The rate read for the default label is refused as tonic refuses it, by name."""
    with pytest.raises(WaveformError) as info:
        S.high_frequency(2 * mA, 10 * ms, rate="0 Hz")
    assert info.value.name == "rate"


@pytest.mark.parametrize("make", [
    lambda **k: S.tonic(50 * Hz, 200 * us, 1.5, 0.2 * second, **k),
    lambda **k: S.burst(1.2, 0.2 * second, **k),
    lambda **k: S.high_frequency(2 * mA, 10 * ms, **k),
    lambda **k: S.tens("conventional", duration="0.2 s", **k),
    lambda **k: S.alternating(["15 Hz", "30 Hz"], "0.2 s", "500 us", 1.2, "0.4 s", **k),
    lambda **k: S.rtms(0.8, n_trains=1, train_duration="1 s", **k),
    lambda **k: S.theta_burst("cTBS", n_pulses=30, **k),
    lambda **k: S.custom([0.0, 0.1] * second, 100 * us, 1.0, 0.2 * second, **k),
], ids=["tonic", "burst", "high_frequency", "tens", "alternating", "rtms", "theta_burst", "custom"])
def test_every_generator_takes_label_none_as_its_default(make):
    """For every generator, an explicit ``label=None`` gives the label given by leaving it out,
    and a label is always text (custom gave a None label)."""
    assert make(label=None).label == make().label
    assert isinstance(make(label=None).label, str)


# ------------------------------------------------------------------ alternating rates
def _tonic_refusal(rate):
    """The class of the error tonic raises for ``rate``."""
    with pytest.raises(ParameterError) as info:
        S.tonic(rate, "500 us", 1.2, "1 s")
    assert info.value.name == "rate"
    return type(info.value)


@pytest.mark.parametrize("bad", ["0 Hz", "-5 Hz", "abc", "30 ms", 30, True, None, float("nan") * Hz,
                                 float("inf") * Hz])
@pytest.mark.parametrize("where", [0, 1, 2])
def test_a_bad_rate_in_alternating_is_named_by_its_place_in_rates(bad, where):
    """A rate tonic refuses is refused by alternating with the error class tonic raises, named
    ``rates[i]`` (not tonic's ``rate``), wherever it is in the list."""
    rates = ["15 Hz", "30 Hz", "20 Hz"]
    rates[where] = bad
    with pytest.raises(_tonic_refusal(bad)) as info:
        S.alternating(rates, "1 s", "500 us", 1.2, "6 s")
    assert type(info.value) is _tonic_refusal(bad)
    assert info.value.name == f"rates[{where}]" and f"'rates[{where}]'" in str(info.value)


def test_a_bad_rate_of_a_segment_never_reached_is_refused_too():
    """Every rate is checked up front, also one whose segment lies past ``duration``."""
    with pytest.raises(WaveformError) as info:
        S.alternating(["15 Hz", "30 Hz", "0 Hz"], "3 s", "500 us", 1.2, "6 s")
    assert info.value.name == "rates[2]"


@pytest.mark.parametrize("bad", ["15 Hz", [], (), {"15 Hz": 1}, {"15 Hz", "30 Hz"}, 15 * Hz, 3])
def test_alternating_refuses_rates_that_are_not_a_list(bad):
    """``rates`` that is not a non-empty sequence (a string, a mapping, a set, a scalar) is
    refused by name, not by a KeyError or TypeError from its indexing."""
    with pytest.raises(WaveformError) as info:
        S.alternating(bad, "3 s", "500 us", 1.2, "6 s")
    assert info.value.name == "rates"


def test_alternating_takes_good_rates_as_before():
    """Negative control: good rates (strings or a brian2 array) give segments at those rates."""
    for rates in (["15 Hz", "30 Hz"], [15, 30] * Hz):
        wf = S.alternating(rates, "2 s", "500 us", 1.2, "4 s")
        first, second_ = wf.window("0 s", "2 s"), wf.window("2 s", "4 s")
        assert second_.n_pulses == 2 * first.n_pulses > 0
        assert "15/30" in wf.label


# ------------------------------------------------------------------ custom
def _custom(onsets=(0.0, 0.1), widths=100 * us, amplitudes=1.0, duration=0.5 * second, **kwargs):
    on = np.asarray(onsets, dtype=float) * second if not isinstance(onsets, str) else onsets
    return S.custom(on, widths, amplitudes, duration, **kwargs)


@pytest.mark.parametrize("kwargs, name", [
    ({"onsets": (0.0, np.nan)}, "onsets"),
    ({"onsets": (-0.1, 0.1)}, "onsets"),
    ({"onsets": (0.0, np.inf)}, "onsets"),
    ({"onsets": (0.2, 0.1)}, "onsets"),                               # not sorted
    ({"widths": -100 * us}, "widths"),
    ({"widths": 0 * us}, "widths"),
    ({"widths": [100, np.nan] * us}, "widths"),
    ({"widths": [100, np.inf] * us}, "widths"),
    ({"widths": [100, 100, 100] * us}, "widths"),                    # 3 widths for 2 onsets
    ({"widths": [] * us}, "widths"),                                  # no width for 2 onsets
    ({"onsets": (), "widths": [100, 200] * us}, "widths"),            # 2 widths for no onset
    ({"amplitudes": -1.0}, "amplitudes"),
    ({"amplitudes": [1.0, np.nan]}, "amplitudes"),
    ({"amplitudes": np.inf}, "amplitudes"),
    ({"amplitudes": [-1, 1] * mA}, "amplitudes"),
    ({"amplitudes": [1.0, 1.0, 1.0]}, "amplitudes"),                 # 3 amplitudes for 2 onsets
    ({"amplitudes": [1, 1, 1] * mA}, "amplitudes"),
    ({"duration": -1 * second}, "duration"),
    ({"duration": np.nan * second}, "duration"),
    ({"duration": 0.05 * second}, "duration"),                        # before the last pulse
    ({"duration": 2 * 3600 * second}, "duration"),
    ({"onsets": (0.0, 0.0001), "widths": 300 * us}, "width"),         # overlapping pulses (Waveform's name)
])
def test_custom_refuses_an_impossible_train_by_parameter_name(kwargs, name):
    """Each impossible train is refused by a WaveformError naming the parameter at fault; it is
    a ValueError too, so code that caught the bare ValueError of mismatched lengths still does."""
    with pytest.raises(WaveformError) as info:
        _custom(**kwargs)
    assert info.value.name == name and f"'{name}'" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("kwargs, name, error", [
    ({"onsets": [[0.0, 0.1]]}, "onsets", ParameterError),            # not 1-D
    ({"widths": [[100, 100]] * us}, "widths", ParameterError),
    ({"amplitudes": [[1.0, 1.0]]}, "amplitudes", ParameterError),
    ({"onsets": [0.0, 0.1], "widths": 100 * us, "amplitudes": 1.0, "duration": 0.5}, "duration", UnitError),
    ({"widths": 100}, "widths", UnitError),                           # no unit
    ({"amplitudes": 1 * second}, "amplitudes", UnitError),            # not a current
    ({"amplitudes": True}, "amplitudes", ParameterError),
])
def test_custom_refuses_unreadable_arrays_by_parameter_name(kwargs, name, error):
    """Arrays that are not 1-D, values without their unit and booleans are refused by a painsim
    error naming the parameter."""
    with pytest.raises(error) as info:
        _custom(**kwargs)
    assert info.value.name == name


def test_custom_refuses_onsets_without_a_unit():
    """Plain numbers as onsets are refused as a UnitError naming ``onsets``."""
    with pytest.raises(UnitError) as info:
        S.custom([0.0, 0.1], 100 * us, 1.0, 0.5 * second)
    assert info.value.name == "onsets"


def test_custom_takes_good_trains_as_before():
    """Negative control: one width or amplitude for every pulse or one per onset, current or
    threshold amplitudes, and an empty train (no pulses) are accepted with the values given."""
    wf = _custom(onsets=(0.0, 0.1, 0.2), widths=[100, 200, 300] * us, amplitudes=[1, 2, 3] * mA)
    np.testing.assert_allclose(wf.widths, [100e-6, 200e-6, 300e-6])
    np.testing.assert_allclose(wf.amplitudes, [1e-3, 2e-3, 3e-3])
    assert wf.amplitude_kind == "current"
    wf = _custom(amplitudes=1.5)
    assert wf.amplitude_kind == "threshold" and np.all(wf.amplitudes == 1.5) and wf.n_pulses == 2
    assert _custom(onsets=(), widths=[] * us, amplitudes=[]).n_pulses == 0
    assert _custom(onsets=(), duration=0 * second).n_pulses == 0


# ------------------------------------------------------------------ Protocol.period
CAL = Calendar((0,), 60.0)


@pytest.mark.parametrize("bad", [True, False, np.True_, np.False_])
def test_protocol_refuses_a_boolean_period(bad):
    """A boolean period (an int to Python: True was read as 1 s) is refused by a ParameterError
    naming ``period`` and showing the boolean given."""
    with pytest.raises(ParameterError) as info:
        Protocol("x", CAL, None, bad)
    assert info.value.name == "period" and info.value.value is bad
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize("bad", [[1], (1,), {"s": 1}, object(), "abc", "2", 2 * Hz, 0, -1.0, float("nan"),
                                 float("inf")])
def test_protocol_refuses_a_period_that_is_not_a_time(bad):
    """A period that is not a number of s or a time > 0 s is refused by a painsim error naming
    ``period``."""
    with pytest.raises(ParameterError) as info:
        Protocol("x", CAL, None, bad)
    assert info.value.name == "period"


@pytest.mark.parametrize("good", [2, 2.0, np.int64(2), np.float32(2.0), "2 s", 2 * second, "2000 ms"])
def test_protocol_takes_a_period_as_a_number_of_seconds_or_a_time(good):
    """Negative control: numbers of any numeric type are seconds, quantities are converted."""
    assert Protocol("x", CAL, None, good).period == pytest.approx(2.0)
    assert Protocol("x", CAL, None, None).period is None


# ------------------------------------------------------------------ days of protocol builders
ACCEPTED_DAYS = [
    (3, (3.0,)),
    (2.5, (2.5,)),
    ("3 day", (3.0,)),                                  # one session, as Calendar(3) is
    ((0, 2), (0.0, 2.0)),
    (["0 day", "2 days"], (0.0, 2.0)),                  # as a [protocol] table's days
    ([0, "36 h"], (0.0, 1.5)),
    ([0, 2 * DAY] * second, (0.0, 2.0)),                # a brian2 time: days, not seconds as days
    (np.arange(3), (0.0, 1.0, 2.0)),
    (range(2), (0.0, 1.0)),
]


@pytest.mark.parametrize("days, expected", ACCEPTED_DAYS)
def test_theta_burst_reads_days_as_calendar_does(days, expected):
    """theta_burst, Calendar and Protocol.with_calendar read the same days alike: one day or a
    sequence, numbers of days or times converted to days (theta_burst refused a single day and
    read "3 day" character by character; Calendar refused day quantities and read a brian2 time
    in seconds as a number of days)."""
    assert Calendar(days, 60.0).days == pytest.approx(expected)
    assert theta_burst("cTBS", 30, days=days).calendar.days == pytest.approx(expected)
    assert get("lfs_1hz").with_calendar(days, 60.0).calendar.days == pytest.approx(expected)


@pytest.mark.parametrize("days", [["0 day", "2 days"], [0, "36 h"], [0, 2]])
def test_a_protocol_table_and_theta_burst_agree_on_days(days):
    """A ``[protocol]`` table's days list and theta_burst's days give the same calendar."""
    table = from_spec({"name": "x", "sham": True, "session_duration": "1 min", "days": days})
    assert theta_burst("cTBS", 30, days=days).calendar.days == table.calendar.days


@pytest.mark.parametrize("bad, error", [
    ([True], CalendarError), (True, CalendarError), ([0, np.True_], CalendarError), (None, CalendarError),
    ([0, None], CalendarError), ([[0], [1]], CalendarError), ({"a": 1}, CalendarError),
    ("2 Hz", UnitError), ([0, "1 V"], UnitError), ("abc", ParameterError), ([0, 2 * Hz], UnitError),
])
def test_days_that_are_not_days_are_refused_by_name_everywhere(bad, error):
    """A boolean, None, a nested list, a mapping or a quantity that is not a time is refused as a
    day by Calendar and theta_burst alike, naming ``days`` (True was read as day 1)."""
    for build in (lambda: Calendar(bad, 60.0), lambda: theta_burst("cTBS", 30, days=bad)):
        with pytest.raises(error) as info:
            build()
        assert info.value.name == "days"


def test_end_day_is_read_as_a_day_too():
    """``end_day`` takes a time as a day does and refuses a boolean by name."""
    assert theta_burst("cTBS", 30, days=[0, 1], end_day="5 days").calendar.end_day == pytest.approx(5.0)
    assert Calendar((0, 1), 60.0, "36 h").end_day == pytest.approx(1.5)
    for bad, error in ((True, CalendarError), ("5 Hz", UnitError)):
        with pytest.raises(error) as info:
            theta_burst("cTBS", 30, days=[0, 1], end_day=bad)
        assert info.value.name == "end_day"
