"""Review of ``[protocol]`` tables (painsim.protocols.from_spec): a changed dose, a period that cuts
the pattern, a sham with a stimulus, a bare-number period, and the package's protocol docs."""
from __future__ import annotations

import re
import tomllib

import pytest

import painsim.protocols as P
from painsim import stimulation
from painsim.course.session import replayed_pulses, session_plan
from painsim.errors import ParameterError, UnitError
from refusals import ROOT, refused

L, LEAD = 1.0, 0.3


def _table(text: str) -> dict:
    return tomllib.loads(text)


def _delivered(p: P.Protocol) -> int:
    """The pulses one session of ``p`` delivers as the course engine replays it."""
    plan = session_plan(p, p.calendar.session_duration, L, LEAD, 2, False)
    return replayed_pulses(plan, L, LEAD)


def _stated(p: P.Protocol) -> int:
    """The pulses the protocol's stimulus spec states (n_trains x train, n_pulses)."""
    return stimulation.from_spec(dict(p.stimulus)).n_pulses


# ------------------------------------------------------------------ 1. the dose of a changed stimulus
@pytest.mark.parametrize("text", ['base = "itbs"\nstimulus = {n_pulses = 1200}',
                                  'base = "ctbs"\nstimulus = {n_pulses = 300}',
                                  'base = "itbs"\nstimulus = {pattern = "cTBS"}',
                                  'base = "itbs"\nstimulus = {train_off = "18 s"}'])
def test_a_theta_burst_table_that_changes_the_dose_gets_the_session_that_delivers_it(text):
    """Was: the base's session (192 s) ran whatever n_pulses said: 600 pulses for 1200.  Now the
    session is derived as theta_burst() derives it."""
    p = P.from_spec(_table(text))
    assert _delivered(p) == _stated(p)
    spec = {k: v for k, v in p.stimulus.items() if k not in ("type", "intensity")}
    assert p.calendar.session_duration == pytest.approx(P.theta_burst(**spec).calendar.session_duration)
    assert "session of" in p.description  # the derived session is said


def test_an_unchanged_theta_burst_keeps_its_session():
    """Negative control: the library's itbs, and a table changing only its intensity, keep 192 s."""
    base = P.get("itbs")
    assert _delivered(base) == _stated(base)
    same = P.from_spec(_table('base = "itbs"\nstimulus = {intensity = 0.5}'))
    assert same.calendar.session_duration == base.calendar.session_duration


@pytest.mark.parametrize("text, key", [('base = "rtms_m1_20hz"\nstimulus = {n_trains = 20}', "n_trains"),
                                       ('base = "rtms_m1_20hz"\nstimulus = {n_trains = 5}', "n_trains"),
                                       ('base = "rtms_m1_20hz"\nstimulus = {inter_train_interval = "20 s"}',
                                        "inter_train_interval")])
def test_an_rtms_table_that_changes_the_dose_without_a_session_is_refused(text, key):
    """Was: n_trains = 20 over rtms_m1_20hz still gave 2000 pulses a session.  The library does not
    derive rTMS sessions: the key is refused, and the message says to give session_duration."""
    err = refused(lambda: P.from_spec(_table(text)), f"protocol.stimulus.{key}", allowed=True)
    assert "session_duration" in str(err)


@pytest.mark.parametrize("text", ['base = "rtms_m1_20hz"\nstimulus = {n_trains = 20}\nsession_duration = "20 min"',
                                  'base = "rtms_m1_20hz"\nstimulus = {n_trains = 5}\nsession_duration = "5 min"',
                                  'base = "itbs"\nstimulus = {n_pulses = 1200}\nsession_duration = "392 s"',
                                  'base = "rtms_m1_20hz"\nstimulus = {rate = "10 Hz"}',
                                  'base = "rtms_m1_20hz"\nstimulus = {n_trains = 10, intensity = 0.5}',
                                  'session_duration = "20 min"\ndays = [0]\nstimulus = {type = "rtms", n_trains = 20}'])
def test_a_table_with_a_consistent_session_keeps_working(text):
    """Negative control: the key with a session_duration that delivers it (or a change the base's
    session delivers) is accepted, and the engine delivers the stated pulses."""
    p = P.from_spec(_table(text))
    assert _delivered(p) == _stated(p)


@pytest.mark.parametrize("text", ['base = "itbs"\nstimulus = {n_pulses = 1200}\nsession_duration = "192 s"',
                                  'base = "rtms_m1_20hz"\nstimulus = {n_trains = 20}\nsession_duration = "10 min"',
                                  'session_duration = "10 min"\ndays = [0]\nstimulus = {type = "rtms", n_trains = 20}'])
def test_a_session_duration_that_contradicts_the_stated_dose_is_refused(text):
    """A session_duration given with the key that delivers another dose is refused by name."""
    refused(lambda: P.from_spec(_table(text)), "protocol.session_duration", allowed=True)


def test_a_session_duration_alone_still_sets_the_dose():
    """Negative control: a table changing only the session (no dose key) is taken as before."""
    p = P.from_spec(_table('base = "rtms_m1_20hz"\nsession_duration = "20 min"'))
    assert p.calendar.session_duration == 1200.0 and _delivered(p) == 2 * _delivered(P.get("rtms_m1_20hz"))


# ------------------------------------------------------------------ 2. a period that cuts the pattern
@pytest.mark.parametrize("text, value", [('base = "rtms_m1_20hz"\nperiod = "30 s"', "30 s"),
                                         ('base = "rtms_m1_20hz"\nperiod = "45 s"', "45 s"),
                                         ('base = "lfs_1hz"\nperiod = "1.5 s"', "1.5 s"),
                                         ('base = "pnt_alternating"\nperiod = "3 s"', "3 s"),
                                         ('base = "scs_tonic"\nperiod = "7 ms"', "7 ms")])
def test_a_period_that_is_not_a_whole_multiple_of_the_pattern_is_refused(text, value):
    """Was: rtms_m1_20hz with period = "30 s" delivered 3600 pulses (neither 2000 nor its rate)."""
    err = refused(lambda: P.from_spec(_table(text)), "protocol.period", allowed=True)
    assert err.value == value and "multiple" in err.allowed


@pytest.mark.parametrize("text", ['base = "rtms_m1_20hz"\nperiod = "120 s"', 'base = "lfs_1hz"\nperiod = "2 s"',
                                  'base = "rtms_m1_20hz"\nperiod = "60 s"', 'base = "pnt_alternating"\nperiod = "12 s"'])
def test_a_whole_multiple_period_delivers_the_base_dose(text):
    """Negative control: whole multiples of the pattern period are accepted and change nothing."""
    p = P.from_spec(_table(text))
    assert _delivered(p) == _delivered(P.get(p.name.removesuffix("_custom")))


def test_protocol_refuses_a_period_that_cuts_its_stimulus_pattern():
    """The same check for protocols built in Python (named ``period``); a sham has no pattern."""
    base = P.get("rtms_m1_20hz")
    refused(lambda: P.Protocol("x", base.calendar, base.stimulus, 30.0), "period")
    assert P.Protocol("x", base.calendar, base.stimulus, 120.0).period == 120.0
    assert P.Protocol("x", base.calendar, None, 30.0).period == 30.0


# ------------------------------------------------------------------ 3. a sham with a stimulus
@pytest.mark.parametrize("text, name", [('base = "mpns"\nsham = true\nstimulus = {rate = "5 Hz"}', "protocol.stimulus"),
                                        ('base = "mpns"\nsham = true\nperiod = "4 s"', "protocol.period"),
                                        ('session_duration = "1 min"\ndays = [0]\nsham = true\n'
                                         'stimulus = {type = "tonic", rate = "1 Hz", width = "150 us", amplitude = 1.2}',
                                         "protocol.stimulus")])
def test_a_sham_with_a_stimulus_or_period_is_refused(text, name):
    """Was: the stimulus was dropped without a word while the description said the table changed it."""
    err = refused(lambda: P.from_spec(_table(text)), name, allowed=True)
    assert "sham" in str(err)


def test_a_sham_without_a_stimulus_still_works():
    """Negative control: sham = true alone, or with {type = "none"}, is a sham."""
    assert P.from_spec(_table('base = "mpns"\nsham = true')).is_sham
    assert P.from_spec(_table('base = "mpns"\nsham = true\nstimulus = {type = "none"}')).is_sham
    assert P.from_spec(_table('session_duration = "1 min"\ndays = [0]\nsham = true')).is_sham


# ------------------------------------------------------------------ 4. a bare number as period
@pytest.mark.parametrize("value, error", [(60, UnitError), (60.0, UnitError), ("60", UnitError),
                                          (True, ParameterError)])
def test_a_period_without_a_unit_is_refused_as_session_duration_is(value, error):
    """Was: period = 60 was read as 60 s while session_duration = 900 was refused; errors named
    ``period``, not the table's key."""
    refused(lambda: P.from_spec({"base": "rtms_m1_20hz", "period": value}), "protocol.period", error)
    refused(lambda: P.from_spec({"base": "mpns", "session_duration": 900}), "protocol.session_duration", UnitError)


def test_a_period_with_its_unit_is_taken():
    """Negative control: a time with its unit (text), converted to s."""
    assert P.from_spec({"base": "rtms_m1_20hz", "period": "1 min"}).period == 60.0


def test_the_builtin_experiments_protocol_tables_still_load():
    """No built-in experiment passes a bare-number period or an inconsistent dose."""
    tables = [tomllib.loads(f.read_text()).get("protocol") for f in sorted((ROOT / "experiments").glob("*.toml"))]
    tables = [t for t in tables if isinstance(t, dict)]
    assert tables
    for t in tables:
        P.from_spec(t)


# ------------------------------------------------------------------ 5. docs
def _row(doc: str, name: str) -> str:
    """The text of the package table's row ``name`` (its first line and continuation lines)."""
    lines = doc.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith(name + " "))
    end = next(k for k in range(start + 1, len(lines)) if lines[k][:1].strip())
    return " ".join(lines[start:end])


def test_the_package_table_describes_pnt_as_the_library_builds_it():
    """Was: pnt was "alternating 15/30 Hz"; the library's pnt is tonic 15 Hz (pnt_alternating alternates)."""
    pnt, alternating = _row(P.__doc__, "pnt"), _row(P.__doc__, "pnt_alternating")
    assert P.get("pnt").stimulus["type"] == "tonic" and "tonic 15 Hz" in pnt and "alternating" not in pnt
    assert P.get("pnt_alternating").stimulus["type"] == "alternating" and "alternating" in alternating


def test_gilmore_2020_is_cited_as_the_library_cites_it():
    """Was: docs/stimulation.md cited Gilmore et al. 2020 as Neuromodulation."""
    journal = "Reg Anesth Pain Med 45:44"
    assert f"Gilmore et al. 2020 {journal}" in P.get("pns_percutaneous").citation
    text = re.sub(r"\s+", " ", (ROOT / "docs" / "stimulation.md").read_text())
    cites = re.findall(r"Gilmore et al\. 2020 \(([^,)]*)", text)
    assert cites and all(c == journal for c in cites)
