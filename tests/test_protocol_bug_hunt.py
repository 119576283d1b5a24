"""Findings of a bug hunt over protocols and the files that run them: a patterned protocol whose
pattern is shorter than its period repeats one period (its pause included), a course sweep's
model parameters win over the protocol's overrides, an edited experiment dict is checked before
it runs, a conditioning file's devices are checked on its model at load, a ``[protocol]`` table's
stimulus is refused by its key, and ``sham`` over a base is the base's sham."""
from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim.course.engine import new_patient
from painsim.course.session import replayed_pulses, session_plan
from painsim.errors import UnknownKeyError
from painsim.files import dispatch
from painsim.sweep.points import build_point, point_protocol, validate_points
from painsim.sweep.spec import make_spec
from refusals import refused

#: Types whose spec states a session's dose (painsim.protocols.spec._DOSE)
COUNTED = ("rtms", "theta_burst")


def delivered(protocol) -> int:
    """The pulses one session of ``protocol`` replays, as the course engine plans it."""
    plan = session_plan(protocol, protocol.calendar.session_duration, 1.0, 0.3, 2, False)
    return replayed_pulses(plan, 1.0, 0.3)


# ------------------------------------------------------------------ 1. one-period patterns
def test_one_train_rtms_repeats_its_period_with_the_pause():
    """One 10-s train every 60 s: the 50-s pause is silent and a 1-min session delivers the
    spec's 200 pulses (the pattern was tiled at its 10-s length: 1200)."""
    one = ps.protocols.from_spec({"name": "one_train", "days": [0], "session_duration": "1 min",
                                  "stimulus": {"type": "rtms", "intensity": 0.8, "n_trains": 1}})
    assert one.waveform(20, 21).n_pulses == 0
    assert one.waveform(0, 1).n_pulses == 20          # the train itself (negative control)
    assert one.waveform(60, 61).n_pulses == 20        # the next period starts a train again
    assert delivered(one) == 200 == ps.stimulation.from_spec(one.stimulus).n_pulses


def test_short_theta_burst_session_delivers_its_pulses():
    itbs = ps.protocols.theta_burst("iTBS", 30)
    assert delivered(itbs) == 30


def test_a_pattern_shorter_than_its_period_is_padded_not_wrapped():
    """pnt_alternating with 7-s segments: a 14-s period of which 12 s are generated; 12-14 s is a
    pause (the 15 Hz segment came back at 12 s), the next period starts at 15 Hz."""
    alt = ps.protocols.from_spec({"base": "pnt_alternating", "stimulus": {"segment": "7 s"}})
    counts = [alt.waveform(a, a + 1).n_pulses for a in (0, 7, 12, 13, 14)]
    assert counts == [15, 30, 0, 0, 15]


@pytest.mark.parametrize("name", ps.protocols.names())
def test_library_protocols_deliver_their_declared_dose(name):
    """Every library protocol with a counted stimulus replays its dose; every patterned one sees
    its generated pattern where a window lies within it (the tiling changes nothing else)."""
    p = ps.protocols.get(name)
    if p.stimulus is None:
        return
    if p.stimulus.get("type") in COUNTED:
        assert delivered(p) == ps.stimulation.from_spec(p.stimulus).n_pulses
    if p.stimulus.get("type") in COUNTED + ("alternating",):
        pattern = p._pattern()
        for start in (0.0, 0.5, 0.9 * p.period):
            stop = min(start + 1.0, pattern.duration)
            if stop > start:
                got, want = p.waveform(start, stop), pattern.window(f"{start!r} s", f"{stop!r} s")
                assert got.n_pulses == want.n_pulses and got.duration == pytest.approx(want.duration)
                assert np.allclose(got.onsets, want.onsets) and np.array_equal(got.amplitudes, want.amplitudes)


# ------------------------------------------------------------------ 2. course sweeps
def _nerve_sweep(**extra):
    return make_spec({"kind": "course", "model": "neuropathic", "protocol": "pns_percutaneous", "seeds": [1],
                      "outcomes": ["relief"], **extra,
                      "parameters": {"afferents.biophysical.peripheral_nerve_distance_max": ["9 mm", "20 mm"]}})


def test_a_course_sweeps_axis_wins_over_the_protocol():
    key, other = ("afferents.biophysical.peripheral_nerve_distance_max",
                  "afferents.biophysical.peripheral_nerve_distance_min")
    spec = _nerve_sweep()
    validate_points(spec)
    protocol_value = ps.protocols.get("pns_percutaneous").plasticity[other]
    for point, want in zip(spec.points(), ("9 mm", "20 mm")):
        m = new_patient(build_point(spec, point)[0], 1, point_protocol(spec, point)).model
        assert m.text(key) == want
        assert m.text(other) == protocol_value          # not set by the sweep: the protocol's (control)


def test_a_course_sweeps_fixed_params_win_over_the_protocol():
    key = "afferents.biophysical.peripheral_nerve_distance_min"
    spec = _nerve_sweep(params={key: "3 mm"})
    point = spec.points()[0]
    protocol = point_protocol(spec, point)
    assert key not in protocol.plasticity and "afferents.recruitment" in protocol.plasticity
    assert new_patient(build_point(spec, point)[0], 1, protocol).model.text(key) == "3 mm"


# ------------------------------------------------------------------ 3. edited experiment dicts
CONTACTS = """[experiment]
name = "contacts"
model = "gate_control"
duration = "3 s"
[[condition]]
label = "contacts"
heat_contacts = {celsius = 50.0, n_contacts = 3, interval = "1 s", contact = "0.5 s"}
"""


def test_an_edited_loaded_experiment_is_checked_before_it_runs(tmp_path, monkeypatch):
    path = tmp_path / "contacts.toml"
    path.write_text(CONTACTS)
    spec = ps.files.load_experiment(path)
    ran = []
    kind = dispatch.KINDS["conditions"]
    monkeypatch.setitem(dispatch.KINDS, "conditions",
                        dataclasses.replace(kind, run=lambda s, **kw: ran.append(s) or xr.Dataset()))
    edited = copy.deepcopy(spec)
    edited["experiment"]["duration"] = "1.2 s"                     # 2 of the 3 contacts fit
    refused(lambda: ps.run_experiment(edited), "condition[0].heat_contacts")
    assert not ran
    ps.run_experiment(spec)                                        # the file as loaded reaches the run
    assert ran == [spec]


# ------------------------------------------------------------------ 4. conditioning devices
def _conditioning(stimulus):
    spec = copy.deepcopy(ps.files.load_experiment("spinal_ltp_ltd"))
    del spec["_path"]
    spec["protocol"][0]["stimulus"] = stimulus
    return spec


def test_a_conditioning_device_the_model_refuses_is_refused_at_load():
    spec = ps.files.load_experiment("spinal_ltp_ltd")
    dispatch.check_experiment(_conditioning(spec["protocol"][0]["stimulus"]))   # as it is: loads
    site = dict(spec["protocol"][0]["stimulus"], site=3)                       # gate_control: one site
    refused(lambda: dispatch.check_experiment(_conditioning(site)), "protocol[0].stimulus.site")
    refused(lambda: dispatch.check_experiment(_conditioning({"type": "rtms", "intensity": 0.8})),
            "protocol[0].stimulus")


# ------------------------------------------------------------------ 5. [protocol] stimulus names
@pytest.mark.parametrize("change, name", [({"width": "-1 us"}, "protocol.stimulus.width"),
                                          ({"width": "5 Hz"}, "protocol.stimulus.width"),
                                          ({"rate": "5 s"}, "protocol.stimulus.rate")])
def test_a_protocol_tables_stimulus_is_refused_by_its_key(change, name):
    refused(lambda: ps.protocols.from_spec({"base": "scs_tonic", "stimulus": change}, "protocol"), name)


def test_a_course_files_protocol_stimulus_is_refused_by_its_key():
    spec = {"experiment": {"kind": "course", "model": "gate_control"},
            "protocol": {"base": "rtms_m1_20hz", "stimulus": {"train_duration": "-1 s"}}}
    refused(lambda: dispatch.check_experiment(spec), "protocol.stimulus.train_duration")
    with pytest.raises(UnknownKeyError, match="protocol.stimulus"):
        ps.protocols.from_spec({"base": "scs_tonic", "stimulus": {"widht": "1 us"}})
    assert ps.protocols.from_spec({"base": "scs_tonic", "stimulus": {"rate": "40 Hz"}}).period == 0.025


# ------------------------------------------------------------------ 6. sham over a base
def test_sham_over_a_base_is_the_bases_sham():
    sham = ps.protocols.from_spec({"base": "lfs_1hz", "sham": True})
    assert sham == ps.protocols.get("lfs_1hz_sham") == ps.protocols.get("lfs_1hz").as_sham()
    assert sham.describe()["period_s"] is None
    changed = ps.protocols.from_spec({"base": "lfs_1hz", "sham": True, "days": [0, 3]})
    assert (changed.name, changed.calendar.days, changed.sham) == ("lfs_1hz_custom_sham", (0.0, 3.0), True)
    assert ps.protocols.from_spec({"base": "lfs_1hz", "sham": True, "name": "mine"}).name == "mine"


def test_sham_false_over_a_sham_base_is_refused():
    refused(lambda: ps.protocols.from_spec({"base": "mpns_sham", "sham": False}), "protocol.sham")
    assert ps.protocols.from_spec({"base": "mpns_sham", "sham": True}) == ps.protocols.get("mpns_sham")
    assert ps.protocols.from_spec({"base": "mpns_sham", "days": [0, 3]}).sham   # a table over a sham is one
