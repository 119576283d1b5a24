"""Bad input to course and tolerance experiments (files and API) found by a bug hunt is refused
before any simulation, by an error of painsim.errors naming the parameter as the user wrote it
(the file's key, the model's ``course.*`` path, the argument) and saying what is allowed.

Each of these used to be accepted silently, or refused late (after a whole course had run) under
an internal name.  The expensive steps are replaced by :class:`refusals.WorkStarted` (the
``no_work`` fixture, or a monkeypatch): a refusal must come before them, and each negative
control (valid input next to the refused one) reaches them, or is accepted by the file check.
"""
from __future__ import annotations

import signal

import pytest

import painsim as ps
from painsim import course
from painsim.course.settings import course_settings
from painsim.files import load_experiment
from painsim.params import overriding
from refusals import WorkStarted, refused, start_work

COURSE = '''
[experiment]
name = "c"
kind = "course"
model = "neuropathic"
seed = 1
n_patients = 1
{experiment}
[protocol]
base = "lfs_1hz"
days = [0, 1]
session_duration = "1 min"
end_day = 10
{protocol}
'''

TOLERANCE = '''
[experiment]
name = "tv"
kind = "tolerance"
model = "healthy"
n_patients = 1
{experiment}
[protocol]
base = "tens_conventional"
days = [0, 1]
session_duration = "2 min"
{protocol}
'''


def _file(tmp_path, template: str, experiment: str = "", protocol: str = "", name: str = "f.toml"):
    """A course or tolerance file with extra lines in ``[experiment]`` and ``[protocol]``."""
    path = tmp_path / name
    path.write_text(template.format(experiment=experiment, protocol=protocol))
    return path


def _tolerance(tmp_path, experiment='test_days = [0, 5]\ntest_duration = "0.6 s"', protocol="", after=""):
    path = _file(tmp_path, TOLERANCE, experiment, protocol)
    path.write_text(path.read_text() + after)
    return path


# ---------------------------------------------------------------- 1. a test window over an hour
@pytest.mark.parametrize("key", ["course.test_duration", "course.window"])
def test_a_course_window_over_an_hour_is_refused_when_the_file_is_read(tmp_path, key):
    """``--set course.test_duration=2h`` was refused only after the whole course had run (under the
    name ``duration``), ``course.window=2h`` under ``stop``: both name the model's key and the limit
    (an hour, painsim.checks.MAX_SIMULATED_DURATION) when the file is read."""
    path = _file(tmp_path, COURSE, "follow_up_days = [3]")
    with overriding({key: "2 h"}):
        err = refused(lambda: load_experiment(path), key, allowed=True)
    assert "3600 s" in str(err)


def test_a_course_window_and_its_lead_in_over_an_hour_are_refused_as_the_window():
    """The window is simulated after ``course.lead_in`` (0.3 s): a 3600-s window is 3600.3 s of one
    point (it was refused as ``stop``); negative control: 3599 s is accepted."""
    model = ps.load_model("neuropathic")
    refused(lambda: course_settings(model.with_params({"course.window": "3600 s"})), "course.window", allowed=True)
    assert course_settings(model.with_params({"course.window": "3599 s"})).window == 3599.0
    # a lead-in of an hour leaves no room for any window: named itself (it read "a window <= -0 s")
    err = refused(lambda: course_settings(model.with_params({"course.lead_in": "1 h"})), "course.lead_in",
                  allowed=True)
    assert "1 hour" in str(err)


def test_a_course_test_of_an_hour_is_accepted_and_one_over_it_refused_before_the_sessions(no_work):
    """The API (run_course) refuses a 2-h pain test before the first session; negative control: a
    1-h test reaches the sessions (the limit itself is allowed)."""
    model = ps.load_model("neuropathic")
    refused(lambda: course.run_course(model.with_params({"course.test_duration": "2 h"}), "lfs_1hz"),
            "course.test_duration", allowed=True)
    with pytest.raises(WorkStarted):
        course.run_course(model.with_params({"course.test_duration": "1 h"}), "lfs_1hz")


def test_a_tolerance_test_window_over_an_hour_is_refused_naming_the_file_key(tmp_path, monkeypatch):
    """A tolerance file's ``test_duration = "2 h"`` is refused when read, as
    ``experiment.test_duration``; tolerance_course refuses it as ``test_duration`` before the sessions'
    simulations (painsim.tolerance.excess_occupancy)."""
    path = _tolerance(tmp_path, 'test_days = [0, 5]\ntest_duration = "2 h"')
    assert "3600 s" in str(refused(lambda: load_experiment(path), "experiment.test_duration", allowed=True))
    monkeypatch.setattr(ps.tolerance, "excess_occupancy", start_work)
    healthy = ps.load_model("healthy")
    refused(lambda: ps.tolerance.tolerance_course(healthy, "tens_conventional", [1], [0], test_duration="2 h"),
            "test_duration", allowed=True)
    with pytest.raises(WorkStarted):  # negative control: an hour is allowed
        ps.tolerance.tolerance_course(healthy, "tens_conventional", [1], [0], test_duration="1 h")


# ---------------------------------------------------------------- 2. a test window within the readout transient
@pytest.mark.parametrize("duration", ["0.3 s", "0.2 s"])
def test_a_course_test_not_longer_than_the_readout_transient_is_refused(tmp_path, duration):
    """A course test of <= readout.transient (0.3 s) was read whole, before the C-fibre spikes of the
    heat arrive: pain 0 for every patient, silently.  It is refused naming course.test_duration and
    the reason; negative control: 0.4 s (the transient plus the shortest readout window) is accepted."""
    model = ps.load_model("neuropathic")
    err = refused(lambda: course_settings(model.with_params({"course.test_duration": duration})),
                  "course.test_duration", allowed=True)
    assert "readout.transient" in err.allowed and "C fibres arrive late" in err.allowed
    with overriding({"course.test_duration": duration}):
        refused(lambda: load_experiment(_file(tmp_path, COURSE, "follow_up_days = [3]")), "course.test_duration")
    assert course_settings(model.with_params({"course.test_duration": "0.4 s"})).test_duration == pytest.approx(0.4)


def test_a_tolerance_test_within_the_model_transient_is_refused_by_the_same_rule(tmp_path):
    """A tolerance file refuses a test window <= 0.5 s (C fibres arrive late); a model whose
    ``readout.transient`` is longer (0.8 s) made a 0.6-s window pass that rule and be read before
    the C fibres arrive.  It is refused naming experiment.test_duration and the model's transient;
    negative control: the same file with the built-in transient (0.3 s) is accepted."""
    path = _tolerance(tmp_path)
    load_experiment(path)
    late = _tolerance(tmp_path, after='[params]\n"readout.transient" = "0.8 s"\n')
    err = refused(lambda: load_experiment(late), "experiment.test_duration", allowed=True)
    assert "readout.transient (0.8 s)" in err.allowed


# ---------------------------------------------------------------- 3. thresholds naming the same variable
@pytest.mark.parametrize("thresholds", ["[0.3, 0.304]", "[0.3, 0.3]", "[0.5, 0.3, 0.499]"])
def test_responder_thresholds_of_the_same_percentage_are_refused(tmp_path, no_work, thresholds):
    """Thresholds that round to one percentage name one variable (``responder_30``): the second
    overwrote the first.  Refused naming the thresholds, in a file (experiment.thresholds) and in
    run_course (thresholds) before the sessions; negative control: 0.3 and 0.31 reach the sessions."""
    path = _file(tmp_path, COURSE, f"follow_up_days = [3]\nthresholds = {thresholds}")
    err = refused(lambda: load_experiment(path), "experiment.thresholds", allowed=True)
    assert "responder_30" in err.allowed or "responder_50" in err.allowed
    values = [float(x) for x in thresholds.strip("[]").split(",")]
    refused(lambda: course.run_course("neuropathic", "lfs_1hz", follow_up_days=(3,), thresholds=values),
            "thresholds", allowed=True)
    with pytest.raises(WorkStarted):
        course.run_course("neuropathic", "lfs_1hz", follow_up_days=(3,), thresholds=(0.3, 0.31))


# ---------------------------------------------------------------- 7. a follow-up day given twice
def test_a_follow_up_day_given_twice_is_refused(tmp_path, no_work):
    """``follow_up_days = [3, 3]`` gave the coordinate follow_up = [3, 3]; refused naming the key, in a
    file and in run_course, before the sessions; negative control: [3, 10] reaches the sessions."""
    refused(lambda: load_experiment(_file(tmp_path, COURSE, "follow_up_days = [3, 3]")),
            "experiment.follow_up_days", allowed=True)
    refused(lambda: course.run_course("neuropathic", "lfs_1hz", follow_up_days=(3, 3)), "follow_up_days", allowed=True)
    with pytest.raises(WorkStarted):
        course.run_course("neuropathic", "lfs_1hz", follow_up_days=(3, 10))


# ---------------------------------------------------------------- 4. a tolerance experiment's seed
@pytest.mark.parametrize("seed", [1.7, True, -1, 2**32, "1"])
def test_a_tolerance_seed_that_is_no_seed_is_refused_by_name(tmp_path, monkeypatch, seed):
    """run_experiment(tolerance file, seed=1.7) ran seed 1 (truncated), seed=True seed 1, and a
    negative seed was refused as ``requests[0].seed``: refused as ``seed``, as course files do, before
    any simulation; in the file, as ``experiment.seed``.  Negative control: seed=2 reaches the run."""
    monkeypatch.setattr(ps.files.tolerance, "tolerance_course", start_work)
    path = _tolerance(tmp_path)
    refused(lambda: ps.run_experiment(path, seed=seed), "seed", allowed=True)
    with pytest.raises(WorkStarted):
        ps.run_experiment(path, seed=2)
    bad = _tolerance(tmp_path, f'test_days = [0, 5]\ntest_duration = "0.6 s"\nseed = {seed!r}'.replace("True", "true"))
    refused(lambda: load_experiment(bad), "experiment.seed", allowed=True)


# ---------------------------------------------------------------- 5. a huge schedule count
class TookTooLong(Exception):
    """A refusal that should be immediate was still working after its time."""


def _in_time(call, seconds: int = 2):
    """``call()``, interrupted by :class:`TookTooLong` after ``seconds`` (building 10**12 days never ends;
    2 s of it hold ~10**8 floats)."""
    def stop(signum, frame):
        raise TookTooLong
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        return call()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("count", [10**7, 10**12])
@pytest.mark.parametrize("end_day", [10, None])
def test_a_huge_schedule_count_is_refused_before_its_days_are_built(count, end_day):
    """``count = 10**7`` built 10**7 days (700 MB) before the end_day refusal, 10**12 never finished:
    refused at once naming the block's count, with or without an end_day (the bound is
    painsim.protocols.protocol.MAX_SESSIONS).  Negative control: 5 daily sessions by day 10 are a
    calendar, 11 (the last starting on day 10, ending after it) are refused as before."""
    spec = {"base": "lfs_1hz", "schedule": [{"start": 0, "every": 1, "count": count}]}
    spec.update({} if end_day is None else {"end_day": end_day})
    refused(lambda: _in_time(lambda: ps.protocols.from_spec(spec)), "protocol.schedule[0].count", allowed=True)
    ok = {"base": "lfs_1hz", "end_day": 10, "schedule": [{"start": 0, "every": 1, "count": 5}]}
    assert ps.protocols.from_spec(ok).calendar.days == (0.0, 1.0, 2.0, 3.0, 4.0)
    late = {**ok, "schedule": [{"start": 0, "every": 1, "count": 11}]}
    refused(lambda: ps.protocols.from_spec(late), "protocol.end_day")


# ---------------------------------------------------------------- 6. a sham arm of a sham
#: A course of the library's sham protocol, named under [experiment] (no [protocol] table)
LIBRARY_SHAM = '''
[experiment]
name = "c"
kind = "course"
model = "neuropathic"
protocol = "lfs_1hz_sham"
follow_up_days = [3]
{experiment}
'''


@pytest.mark.parametrize("text", [COURSE.format(experiment="follow_up_days = [3]\nsham = true", protocol="sham = true"),
                                  LIBRARY_SHAM.format(experiment="sham = true")], ids=["table", "library"])
def test_a_sham_arm_of_a_protocol_that_is_a_sham_is_refused(tmp_path, no_work, text):
    """``sham = true`` with a sham protocol ([protocol] sham = true, or protocol = "lfs_1hz_sham") ran
    two identical sham arms, the first stored as "active".  Refused naming experiment.sham, when the
    file is read and by run_course_file before any session.  Negative controls: the sham protocol
    alone (one arm), and sham = true with an active protocol, are accepted and reach the sessions."""
    path = tmp_path / "sham.toml"
    path.write_text(text)
    refused(lambda: load_experiment(path), "experiment.sham", allowed=True)
    refused(lambda: course.run_course_file(str(path)), "experiment.sham", allowed=True)
    path.write_text(text.replace("sham = true\n", "", 1))       # [experiment]'s: the sham arm alone
    load_experiment(path)
    with pytest.raises(WorkStarted):
        course.run_course_file(str(path))
    active = _file(tmp_path, COURSE, "follow_up_days = [3]\nsham = true", name="active.toml")
    load_experiment(active)
    with pytest.raises(WorkStarted):
        course.run_course_file(str(active))


# ---------------------------------------------------------------- 8. tolerance files: unused [params], days in a session
def test_a_tolerance_file_refuses_a_plasticity_path_in_params_as_in_its_protocol(tmp_path):
    """A tolerance experiment runs no plasticity rule (painsim.tolerance simulates acute windows with
    the protocol's device overrides only): ``[params] "plasticity.c_pn.rule"`` was accepted and
    unused, while the same under [protocol.plasticity] was refused as unused.  Refused naming the
    [params] key, with the same reason; negative control: a tolerance parameter in [params] is read."""
    bad = _tolerance(tmp_path, after='[params]\n"plasticity.c_pn.rule" = "calcium"\n')
    err = refused(lambda: load_experiment(bad), "params.plasticity.c_pn.rule", allowed=True)
    assert "unused" in err.allowed
    table = _tolerance(tmp_path, protocol='[protocol.plasticity]\n"plasticity.c_pn.rule" = "calcium"\n')
    assert "unused" in refused(lambda: load_experiment(table), "protocol.plasticity.plasticity.c_pn.rule").allowed
    load_experiment(_tolerance(tmp_path, after='[params]\n"dorsal_horn.opioid.tolerance_half_time" = "10 days"\n'))


@pytest.mark.parametrize("days", ["[0, 0.001]", "[0, 1.0005]"])
def test_a_tolerance_test_day_inside_a_session_is_refused_as_course_files_do(tmp_path, days):
    """Tests are taken before that day's session; a day inside a 2-min session (0.001 d = 86 s) was
    accepted and read the state after the whole session.  Refused naming experiment.test_days, as a
    course file's days are; negative control: the day a session starts, and a day after it ends
    (0.002 d = 173 s), are accepted."""
    bad = _tolerance(tmp_path, f'test_days = {days}\ntest_duration = "0.6 s"')
    refused(lambda: load_experiment(bad), "experiment.test_days", allowed=True)
    load_experiment(_tolerance(tmp_path, 'test_days = [0, 1, 1.002]\ntest_duration = "0.6 s"'))
