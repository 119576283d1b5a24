"""mPNS (issue 15 part 6): coil-field recruitment at the device's field, and the reconditioning
hypothesis (spinal LTD + thalamocortical LTD shrinking the painful site's S1 zone).

Recruitment checks use the noise-free thresholds of the coil-field model
(:func:`painsim.fibers.recruitment_curve`), which are deterministic: no statistical
tolerance.  Courses are small and fast as in ``tests/test_course.py`` (dt = 0.2 ms,
1 s windows, one chunk per session, 0.6 s tests, 3 sessions) on the smallest model
with the S1 map (the diabetic-neuropathy preset of the 5-site pathway).
"""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim.protocols import MPNS_COIL_CURRENT, from_spec

FAST = {"network.dt": "0.2 ms", "course.window": "1 s", "course.n_chunks": 1, "course.test_duration": "0.6 s"}
MODEL = "painful_diabetic_neuropathy"
SEEDS = (1, 2, 3)
#: a supraclinical probe (~51 x the device's 1.3 T): the coil model recruits Aβ and Aδ
#: there (Aδ thresholds 28-390 kA at 10-30 mm), so a course registers the recruitment
PROBE = "200 kA"


def mpns_waveform(amplitude, duration="4 s"):
    """The library protocol's session pulses with another coil current."""
    spec = dict(ps.protocols.get("mpns").stimulus, amplitude=amplitude, duration=duration)
    return ps.stimulation.from_spec(spec)


def coil_recruitment(amps, seed):
    """Fraction of each class firing on one protocol pulse at coil currents ``amps`` (A), in
    the fibres one patient of the preset has under the coil."""
    aff = ps.load_model(MODEL).section("afferents")
    wf = mpns_waveform("1 A")
    pop = ps.fibers.population_for(wf, aff, seed)
    return ps.fibers.recruitment_curve(pop, np.asarray(amps, float), float(wf.widths[0]), shape=wf.shape,
                                       modality=wf.modality)


# ---------------------------------------------------------------- the coil
def test_protocol_states_a_coil_current_and_uses_the_coil_field_model():
    p = ps.protocols.get("mpns")
    wf = p.waveform(0.0, 4.0)
    assert wf.modality == "magnetic" and wf.amplitude_kind == "current"  # amperes, no threshold multiple
    assert "threshold_class" not in p.stimulus
    assert np.allclose(wf.amplitudes, MPNS_COIL_CURRENT)
    assert p.plasticity["afferents.recruitment"] == "biophysical"
    assert p.as_sham().plasticity == p.plasticity  # the sham differs only in the pulses


@pytest.mark.parametrize("seed", SEEDS)
def test_coil_at_the_protocol_setting_fires_no_fibre_and_recruitment_rises_with_current(seed):
    """At 1.3 T (3.9 kA) no class fires at the model's 10-30 mm coil-nerve distance; recruitment
    is non-decreasing in the coil current, large fibres first; zero current fires nothing.
    The probe currents are the negative control of "nothing fires": the same population does fire."""
    amps = np.array([0.0, MPNS_COIL_CURRENT, 1e4, 3e4, 1e5, 3e5, 1e6, 1e7])
    rc = coil_recruitment(amps, seed)
    for c in ("Abeta", "Adelta", "C"):
        f = rc[c]
        assert f[0] == 0.0                       # control: zero current fires nothing
        assert f[1] == 0.0                       # the reported answer at the clinical setting
        assert np.all(np.diff(f) >= 0)           # recruitment rises with coil current
        assert f[-1] > 0                         # control: the population can be excited
    first = {c: amps[np.argmax(rc[c] > 0)] for c in ("Abeta", "Adelta", "C")}
    assert first["Abeta"] <= first["Adelta"] <= first["C"]   # thresholds ~ r^2 / D: Aβ first


def test_protocol_pulses_add_no_afferent_spike_unless_the_coil_recruits():
    """End to end through the model's recruitment setting: the protocol's session adds no spike
    to any class (so active and sham drive the circuit identically); control: the probe current
    adds spikes (Aβ and Aδ) through the same path."""
    m = ps.load_model(MODEL).with_params({"afferents.recruitment": "biophysical"})
    aff, path = m.section("afferents"), m.section("pathology")
    base = ps.fibers.afferent_input(aff, 4.0, 1, pathology=path)
    clinical = ps.fibers.afferent_input(aff, 4.0, 1, stimulus=mpns_waveform(f"{MPNS_COIL_CURRENT!r} A"),
                                        pathology=path)
    probe = ps.fibers.afferent_input(aff, 4.0, 1, stimulus=mpns_waveform(PROBE), pathology=path)
    for c in ("Abeta", "Adelta", "C"):
        np.testing.assert_array_equal(clinical[c].times, base[c].times)
    assert probe["Abeta"].times.size > base["Abeta"].times.size
    assert probe["Adelta"].times.size > base["Adelta"].times.size


# ---------------------------------------------------------------- the reconditioning hypothesis
def short_mpns(amplitude=None, tc_s1=True):
    """The library protocol on 3 sessions (days 0, 2, 4), optionally at another coil current or
    with the thalamocortical rule switched off."""
    base = ps.protocols.get("mpns")
    spec = {"base": "mpns", "days": [0, 2, 4], "end_day": 90}
    if amplitude is not None:
        spec["stimulus"] = dict(base.stimulus, amplitude=amplitude)
    if not tc_s1:
        spec["plasticity"] = {"plasticity.tc_s1.rule": "none"}
    return from_spec(spec)


@pytest.fixture(scope="module")
def courses():
    m = ps.load_model(MODEL).with_params(FAST)
    kw = dict(seed=1, follow_up_days=(5,), days=[30])
    return {"clinical": ps.run_course(m, short_mpns(), **kw),
            "probe": ps.run_course(m, short_mpns(PROBE), **kw),
            "sham": ps.run_course(m, short_mpns().as_sham(), **kw)}


def test_course_at_the_protocol_setting_equals_sham_and_the_probe_does_not(courses):
    """Consistent with the recruitment answer: at 3.9 kA the course leaves every plastic synapse,
    the S1 overactive area and pain exactly as sham does.  Control: at the probe current the
    recruited Aδ fibres depress Aδ -> PN (spinal LTD, calcium rule), so the course would see
    recruitment if there were any."""
    a, s, p = courses["clinical"], courses["sham"], courses["probe"]
    conns = a.attrs["plastic_connections"].split()
    assert set(conns) >= {"c_pn", "adelta_pn", "tc_s1"}
    for v in ["pain", "map_overactive_area"] + [f"w_{c}" for c in conns]:
        np.testing.assert_array_equal(a[v].values, s[v].values)
    assert float(p.w_adelta_pn.sel(day=5)) < float(s.w_adelta_pn.sel(day=5))


@pytest.mark.xfail(strict=True, reason="the model has no lemniscal route (Aβ -> dorsal column nuclei -> VPL): "
                   "Aβ-dominated coil volleys reach S1 only through spinal WDR neurons, too sparsely to "
                   "change tc_s1 (measured < 1e-9 per course at 200 kA); see docs/courses.md 'mPNS'")
def test_probe_course_shrinks_the_painful_sites_s1_zone_through_tc_s1(courses):
    """The hypothesis, at a current that recruits fibres: thalamocortical efficacy falls and the
    painful site's overactive S1 area shrinks with active mPNS, not with sham.  Tolerance: one map
    unit (the area's resolution, cortex.map.spacing squared) and 1e-3 of efficacy (ten times the
    chunking error of post-dependent rules is larger; any real LTD of the course is >> 1e-3)."""
    p, s = courses["probe"], courses["sham"]
    unit = ps.load_model(MODEL).si("cortex.map.spacing") ** 2
    assert float(p.w_tc_s1.sel(day=5)) < 1.0 - 1e-3
    assert float(p.map_overactive_area.sel(day=5)) <= float(s.map_overactive_area.sel(day=5)) - unit


def test_protocol_runs_on_a_spinal_model_without_the_s1_connection():
    """The S1 override names a connection a spinal model does not have: the course leaves it
    out (control: the pathway patients above list tc_s1)."""
    m = ps.load_model("neuropathic").with_params(FAST)
    p = from_spec({"base": "mpns", "days": [0], "session_duration": "1 min", "end_day": 5})
    ds = ps.run_course(m, p, seed=1, follow_up_days=(2,))
    assert ds.attrs["plastic_connections"].split() == ["c_pn", "adelta_pn"]
