"""Course engine review: a test day at a session's day up to rounding, one_session's consolidation,
chunk counts that would add pulses, and the sham arm of a course file's attributes."""
from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

import painsim as ps
import painsim.cohort.run  # noqa: F401  (the no_work fixture patches it)
from painsim.course import engine, files, session as S
from painsim.course.engine import CourseHistory
from painsim.course.session import replayed_pulses, session_plan
from painsim.protocols import from_spec
from refusals import WorkStarted, refused

FAST = {"network.dt": "0.2 ms", "course.window": "1 s", "course.n_chunks": 1, "course.test_duration": "0.6 s"}
DAY = 86400.0
# sessions every 0.7 day: the fourth is on day 0 + 3 * 0.7 = 2.0999999999999996, not 2.1
EVERY_07 = {"base": "lfs_1hz", "session_duration": "4 s", "schedule": [{"start": 0, "every": 0.7, "count": 4}]}


@pytest.fixture(scope="module")
def model():
    return ps.load_model("neuropathic").with_params(FAST)


# ---------------------------------------------------------------- 1. a test day at a session's day up to rounding
class _Clock:
    """A stand-in patient that records the times it is consolidated to."""

    def __init__(self):
        self.t, self.late = 0.0, {}

    def evolve(self, T):
        self.t += max(T, 0.0)

    def weights(self):
        return {"t": self.t}


def test_a_day_just_after_a_session_start_is_recorded_before_the_session():
    """Was: day 2.1 (after the session starting at 2.0999999999999996 by rounding) was recorded after it."""
    session = from_spec(EVERY_07).calendar.days[3]
    assert session != 2.1 and abs(session - 2.1) < 1e-12
    p = _Clock()
    history = CourseHistory([p], [2.1], 4)
    history.record_days(session * DAY, inclusive=True)
    assert history.weights_on_day[0] == [{"t": session * DAY}]   # recorded, at the session's start
    # negative control: a day clearly after the session's start waits for the session
    later = CourseHistory([_Clock()], [2.1 + 1e-6], 4)
    later.record_days(session * DAY, inclusive=True)
    assert later.weights_on_day[0] == []


@pytest.fixture(scope="module")
def float_days(model):
    prot = from_spec(EVERY_07)
    near = ps.run_course(model, prot, seed=1, follow_up_days=(2.1,), days=(2.2,), tests="follow_up")
    exact = ps.run_course(model, prot, seed=1, follow_up_days=(prot.calendar.days[3],), tests="follow_up")
    return prot, near, exact


def test_a_follow_up_day_at_a_session_day_up_to_rounding_is_tested_before_it(float_days):
    """One day entry (under the asked 2.1), with the efficacies before the fourth session, as a
    follow-up day equal to the session's day exactly."""
    prot, near, exact = float_days
    assert near.day.values.tolist() == [0.0, 0.7, 1.4, 2.1, 2.2]
    assert near.follow_up.values.tolist() == [2.1]
    np.testing.assert_array_equal(near.w_c_pn.sel(day=2.1), exact.w_c_pn.sel(day=prot.calendar.days[3]))
    np.testing.assert_array_equal(near.pain.sel(day=2.1), exact.pain.sel(day=prot.calendar.days[3]))
    assert float(near.w_c_pn.sel(day=2.1)) != float(near.w_c_pn_after_session[3])
    # negative control: a day after the session reads the efficacies after it, not those before
    assert float(near.w_c_pn.sel(day=2.2)) != float(near.w_c_pn.sel(day=2.1))
    np.testing.assert_array_equal(near.w_c_pn.sel(day=[0.0, 0.7, 1.4]), exact.w_c_pn.sel(day=[0.0, 0.7, 1.4]))


# ---------------------------------------------------------------- 2. one_session's consolidation
def test_one_session_returns_the_weights_consolidated_within_the_session(model, monkeypatch):
    """The docstring said 'before any consolidation'; the weights are consolidated within the session."""
    assert "before any consolidation\n" not in engine.one_session.__doc__
    assert "consolidated" in engine.one_session.__doc__
    prot = ps.protocols.get("lfs_1hz").with_calendar([0], 4.0)
    m = model.with_params({"course.n_chunks": 2})

    def change(protocol):
        p = engine.one_session(m, protocol, [1])[0]
        return {c: p.weights()[c] - p.w_set[c] for c in p.plastic if c in p.w_set}

    with_consolidation = change(prot)
    sham = change(prot.as_sham())
    monkeypatch.setattr(S.Patient, "evolve", lambda self, T: None)
    assert any(not np.array_equal(with_consolidation[c], v) for c, v in change(prot).items())
    # negative control: a sham changes nothing, consolidated or not
    for c, v in change(prot.as_sham()).items():
        np.testing.assert_array_equal(v, sham[c])
        assert not np.any(v)


# ---------------------------------------------------------------- 3. chunk counts that would add pulses
@pytest.mark.parametrize("name, n_chunks", [("lfs_1hz", 7), ("lfs_1hz", 9), ("itbs", 9), ("mpns", 7)])
def test_a_chunk_count_that_adds_pulses_is_refused(name, n_chunks):
    """Was: 1200 pulses of lfs_1hz replayed as 1204 in 7 chunks, 1206 in 9 (itbs 600 -> 606, mpns 450 -> 453)."""
    p = ps.protocols.get(name)
    err = refused(lambda: session_plan(p, p.calendar.session_duration, 1.0, 0.3, n_chunks, False),
                  "course.n_chunks", allowed=True)
    assert "1, 2" in str(err) and str(n_chunks) in str(err)


@pytest.mark.parametrize("name", ["lfs_1hz", "itbs", "mpns", "rtms_m1_20hz", "tens_acupuncture"])
@pytest.mark.parametrize("n_chunks", [1, 2, 3, 4])
def test_chunk_counts_of_whole_replays_deliver_the_train(name, n_chunks):
    """Negative control: the defaults (and 4 chunks, docs/courses.md) deliver the train's pulses."""
    p = ps.protocols.get(name)
    D = p.calendar.session_duration
    plan = session_plan(p, D, 1.0, 0.3, n_chunks, False)
    assert replayed_pulses(plan, 1.0, 0.3) == round(len(p.waveform(0.0, min(D, 3600.0)).onsets) * D / min(D, 3600.0))


def test_a_course_refuses_such_a_chunk_count_before_any_work(model, no_work):
    refused(lambda: ps.run_course(model.with_params({"course.n_chunks": 7}), "lfs_1hz"), "course.n_chunks")
    with pytest.raises(WorkStarted):   # negative control
        ps.run_course(model.with_params({"course.n_chunks": 2}), "lfs_1hz")


# ---------------------------------------------------------------- 4. a course file's sham arm
COURSE_FILE = """[experiment]
name = "tiny"
kind = "course"
model = "neuropathic"
follow_up_days = [2.1]
{sham}
[params]
"course.n_chunks" = 1
[protocol]
base = "lfs_1hz"
session_duration = "4 s"
"""


def _stub_batch(models, protocol, seeds, **kw):
    """A stand-in course: the attributes :func:`run_course_batch` writes about its protocol."""
    return xr.Dataset({"pain": ("day", [0.0])}, attrs={"protocol": protocol.name, "sham": int(protocol.is_sham),
                                                         "protocol_spec": json.dumps(protocol.describe(), default=str)})


@pytest.mark.parametrize("sham", [True, False])
def test_a_course_file_records_both_arms_protocols(tmp_path, monkeypatch, sham):
    """Was: a file with a sham arm held only the active arm's protocol (sham = 0).  The existing
    attributes stay the active arm's; the sham arm's are added (none without a sham arm)."""
    path = tmp_path / "c.toml"
    path.write_text(COURSE_FILE.format(sham=f"sham = {str(sham).lower()}"))
    monkeypatch.setattr(files, "run_course_batch", _stub_batch)
    out = files.run_course_file(path)
    active = files.file_protocol(files.read_toml(path), path)
    assert out.attrs["sham"] == 0 and out.attrs["protocol"] == active.name
    assert json.loads(out.attrs["protocol_spec"]) == json.loads(json.dumps(active.describe(), default=str))
    if sham:
        assert out.attrs["sham_protocol"] == active.as_sham().name
        spec = json.loads(out.attrs["sham_protocol_spec"])
        assert spec["sham"] is True and spec["calendar"] == json.loads(out.attrs["protocol_spec"])["calendar"]
    else:   # negative control
        assert "sham_protocol" not in out.attrs and "sham_protocol_spec" not in out.attrs
