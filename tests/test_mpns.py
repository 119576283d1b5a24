"""mPNS (issue 15 part 6): coil-field recruitment at the device's field, and the reconditioning
hypothesis (spinal LTD + thalamocortical LTD shrinking the painful site's S1 zone).

Recruitment checks use the noise-free thresholds of the coil-field model
(:func:`painsim.fibers.recruitment_curve`), which are deterministic: no statistical
tolerance.  The coil model (``painsim.fibers.population``: ``KAPPA_SURFACE``, ``KAPPA_DEPTH``,
``COIL_FIELD_PER_AMP``) is a round MagVenture C-100; its held-out check is the clinical
picture of magnetic nerve stimulation at a standard stimulator's full output (superficial
nerves: maximal responses; deep nerves: submaximal; Electroencephalogr Clin Neurophysiol 1995,
doi 10.1016/0924-980X(95)00146-C [checked: abstract]), which the calibration did not use.
Courses are small and fast as in ``tests/test_course.py`` (dt = 0.2 ms, 1 s windows, one
chunk per session, 0.6 s tests, 3 sessions) on the smallest model with the S1 map (the
diabetic-neuropathy preset of the 5-site pathway).
"""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim.fibers import FiberPopulation
import painsim.fibers.population as population_module
from painsim.protocols import MPNS_COIL_CURRENT, from_spec

FAST = {"network.dt": "0.2 ms", "course.window": "1 s", "course.n_chunks": 1, "course.test_duration": "0.6 s"}
MODEL = "painful_diabetic_neuropathy"
SEEDS = (1, 2, 3)
#: a supraclinical probe (~25 x the device's 1.3 T): the coil model recruits every Aβ and Aδ fibre
#: and no C fibre there (checked in the tests that use it), so a course registers Aδ recruitment
PROBE = "100 kA"
#: the protocol's pulse: biphasic, 150 us per phase; the coil current is a sine of period 2 w
WIDTH = 150e-6
#: full output of a standard stimulator with the coil of the model: MagPro X100 with the C-100,
#: peak dI/dt 168.28 A/us (header of SimNIBS's Drakaki_BrainStim_2022/MagVenture_C-100.ccd),
#: as the peak current of the model's pulse with that slope (I pi / w = dI/dt): 8.0 kA in the
#: model's 150-us phase (the stimulator's own shorter pulse reaches 7.1 kA at the same slope;
#: the coupling acts on the slope)
FULL_OUTPUT = 168.28e6 * WIDTH / np.pi
CLASSES = ("Abeta", "Adelta", "C")


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


def nerve_at(depth, n=30, seed=3):
    """A nerve of ``n`` fibres per class, all at ``depth`` (m) from the coil."""
    return FiberPopulation.sample({c: n for c in CLASSES}, geometry="peripheral_nerve", seed=seed,
                                  distance_range=(depth, depth))


def full_output_recruitment(depths):
    """class -> fraction firing at the standard stimulator's full output, per depth."""
    out = {c: [] for c in CLASSES}
    for d in depths:
        rc = ps.fibers.recruitment_curve(nerve_at(d), [FULL_OUTPUT], WIDTH, shape="biphasic",
                                         modality="magnetic")
        for c in CLASSES:
            out[c].append(float(rc[c][0]))
    return {c: np.array(v) for c, v in out.items()}


# ---------------------------------------------------------------- the coil
def test_protocol_states_a_coil_current_and_uses_the_coil_field_model():
    p = ps.protocols.get("mpns")
    wf = p.waveform(0.0, 4.0)
    assert wf.modality == "magnetic" and wf.amplitude_kind == "current"  # amperes, no threshold multiple
    assert "threshold_class" not in p.stimulus
    assert np.allclose(wf.amplitudes, MPNS_COIL_CURRENT)
    assert p.plasticity["afferents.recruitment"] == "biophysical"
    assert p.as_sham().plasticity == p.plasticity  # the sham differs only in the pulses


def half_value_depth():
    """Depth (m) at which the induced field falls to half its value at the coil, from the model's
    magnetic coupling of one fibre moved away from the coil (bisection)."""
    def field(r):
        return float(FiberPopulation(["Abeta"], [10e-6], [r]).coupling("magnetic")[0])
    e0, lo, hi = field(1e-9), 1e-9, 0.2
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if field(mid) > e0 / 2 else (lo, mid)
    return lo


def test_coil_field_halves_at_a_depth_real_coils_have(monkeypatch):
    """The depth law's half-value depth lies in the range of 50 simulated TMS coils, 0.9-3.5 cm
    (Deng, Lisanby & Peterchev 2013 Brain Stimul 6:1 [checked: abstract]).  Control: the same
    measurement with the coil constants this version replaced (1.5e-6, 2 cm) halves at 8.3 mm and
    fails the check."""
    assert 0.009 <= half_value_depth() <= 0.035
    monkeypatch.setattr(population_module, "KAPPA_SURFACE", 1.5e-6)
    monkeypatch.setattr(population_module, "KAPPA_DEPTH", 0.02)
    assert not 0.009 <= half_value_depth() <= 0.035


def test_held_out_full_output_recruits_superficial_abeta_deep_fewer_and_never_c():
    """Held out from the calibration: at a standard stimulator's full output, a superficial nerve
    (10-20 mm from the coil) has most of its Aβ fibres recruited, a deep one (40-45 mm) fewer and
    submaximally, and no C fibre fires at any depth (magnetic C thresholds are far above A).
    Recruitment never rises with depth; at each depth Aβ >= Aδ >= C."""
    depths = np.array([5, 10, 15, 20, 30, 40, 45]) * 1e-3
    rec = full_output_recruitment(depths)
    superficial = (depths >= 0.01) & (depths <= 0.02)
    deep = depths >= 0.04
    assert np.all(rec["Abeta"][superficial] > 0.5)                   # most Aβ of a superficial nerve
    assert np.all(rec["Abeta"][deep] < rec["Abeta"][superficial].min())
    assert np.all(rec["Abeta"][deep] < 1.0)                          # submaximal when deep
    assert np.all(rec["C"] == 0.0)
    for c in CLASSES:
        assert np.all(np.diff(rec[c]) <= 0)                          # falls (never rises) with depth
    assert np.all(rec["Abeta"] >= rec["Adelta"]) and np.all(rec["Adelta"] >= rec["C"])


@pytest.mark.parametrize("depth", [0.005, 0.015, 0.03, 0.045])
def test_class_order_and_zero_current_at_any_depth(depth):
    """At any depth the first fibre to fire as the coil current rises is an Aβ, then Aδ, then C
    (thresholds ~ 1/D and the slower membranes of thin fibres); zero current fires nothing."""
    pop = nerve_at(depth)
    th = ps.fibers.threshold(pop, WIDTH, shape="biphasic", modality="magnetic")
    first = {c: th[pop.indices(c)].min() for c in CLASSES}
    assert first["Abeta"] < first["Adelta"] < first["C"]
    rc = ps.fibers.recruitment_curve(pop, [0.0], WIDTH, shape="biphasic", modality="magnetic")
    assert all(rc[c][0] == 0.0 for c in CLASSES)


@pytest.mark.parametrize("seed", SEEDS)
def test_coil_at_the_protocol_setting_recruits_abeta_only(seed):
    """At 1.3 T (4.06 kA of coil current) some Aβ fibres fire at the model's 10-30 mm coil-nerve
    distance, and no Aδ or C fibre (the patients' "tapping", not pain); recruitment is
    non-decreasing in the coil current, large fibres first; zero current fires nothing.  The probe
    is the control of "no Aδ": the same population's Aδ fibres do fire there, its C fibres not."""
    amps = np.array([0.0, MPNS_COIL_CURRENT, 1e4, 3e4, ps.units.to_si(PROBE, "A", "probe"), 1e6, 1e7])
    rc = coil_recruitment(amps, seed)
    for c in CLASSES:
        f = rc[c]
        assert f[0] == 0.0                       # control: zero current fires nothing
        assert np.all(np.diff(f) >= 0)           # recruitment rises with coil current
        assert f[-1] > 0                         # control: the population can be excited
    assert rc["Abeta"][1] > 0                    # the reported answer at the clinical setting
    assert rc["Adelta"][1] == 0.0 and rc["C"][1] == 0.0
    assert rc["Adelta"][4] == 1.0 and rc["C"][4] == 0.0     # the probe: every Aδ, no C
    first = {c: amps[np.argmax(rc[c] > 0)] for c in CLASSES}
    assert first["Abeta"] <= first["Adelta"] <= first["C"]   # Aβ first


def test_protocol_pulses_add_abeta_spikes_only():
    """End to end through the model's recruitment setting: the protocol's session adds Aβ spikes
    and leaves the Aδ and C spike trains exactly as without it; control: the probe current adds
    Aδ spikes through the same path."""
    m = ps.load_model(MODEL).with_params({"afferents.recruitment": "biophysical"})
    aff, path = m.section("afferents"), m.section("pathology")
    base = ps.fibers.afferent_input(aff, 4.0, 1, pathology=path)
    clinical = ps.fibers.afferent_input(aff, 4.0, 1, stimulus=mpns_waveform(f"{MPNS_COIL_CURRENT!r} A"),
                                        pathology=path)
    probe = ps.fibers.afferent_input(aff, 4.0, 1, stimulus=mpns_waveform(PROBE), pathology=path)
    assert clinical["Abeta"].times.size > base["Abeta"].times.size
    for c in ("Adelta", "C"):
        np.testing.assert_array_equal(clinical[c].times, base[c].times)
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
    """Consistent with the recruitment answer: at 4.06 kA the coil recruits Aβ only, and the course
    leaves every plastic synapse, the S1 overactive area and pain exactly as sham does.  Exact, and
    why the model guarantees it: the spinal rule (calcium, preset ``spinal_presynaptic``: c_post =
    0) moves c_pn and adelta_pn by their presynaptic C and Aδ trains alone, which the coil leaves
    spike for spike as without it (test_protocol_pulses_add_abeta_spikes_only); tc_s1's triplet rule
    changes a synapse only through its presynaptic (TC) spikes, and in this stack the Aβ volleys
    reach the dorsal column nuclei, which project to the brainstem, not the thalamic relay.  That
    part is not structural (PN drive TC): it holds because the preset's relay is silent between
    heat tests, TC firing no spike in a session window with the coil (checked here; the DCN do fire,
    the volleys arrive); equal efficacies then give equal heat tests (same seed, same input), hence
    equal pain and area.
    It is the model's miss of the published relief, carried by the validation rows
    ``mpns_pdn_30d`` and ``mpns_pdn_90d`` (Brown et al. 2025: -57.8 % / -75.7 %; the model's 0 %).
    Control: at the probe current the recruited Aδ fibres depress Aδ -> PN (spinal LTD, calcium
    rule), so the course would see Aδ recruitment."""
    a, s, p = courses["clinical"], courses["sham"], courses["probe"]
    conns = a.attrs["plastic_connections"].split()
    assert set(conns) >= {"c_pn", "adelta_pn", "tc_s1"}
    assert "vpl_s1" not in conns and "w_vpl_s1" not in a   # the default stack has no lemniscal route
    for v in ["pain", "map_overactive_area"] + [f"w_{c}" for c in conns]:
        np.testing.assert_array_equal(a[v].values, s[v].values)
    assert float(p.w_adelta_pn.sel(day=5)) < float(s.w_adelta_pn.sel(day=5))
    # the relay's silence in a session (a 0.5-Hz waveform of 2 s holds one pulse, at its start)
    m = ps.load_model(MODEL).with_params({**FAST, "afferents.recruitment": "biophysical"})
    session = ps.simulate(m, stimulus=mpns_waveform(f"{MPNS_COIL_CURRENT!r} A", "2 s"), duration="1 s", seed=1)
    assert ps.readouts.population_spikes(session, "DCN")[0].size > 0
    assert ps.readouts.population_spikes(session, "TC")[0].size == 0


class AreaNotShrunk(AssertionError):
    """The probe course's overactive S1 area does not shrink below sham's: the xfail's stated reason."""


@pytest.mark.xfail(strict=True, raises=AreaNotShrunk,
                   reason="validation rows mpns_pdn_30d / mpns_pdn_90d: the default pathway has no lemniscal "
                   "route to S1 (its dorsal column nuclei project to the brainstem only), so even at the "
                   "100-kA probe (Aβ and Aδ) the painful site's overactive S1 area does not shrink below "
                   "sham's; with the route (network.layers = 'pathway_lemniscal') tc_s1 and the area show "
                   "no consistent shrinkage over seeds either; docs/courses.md 'mPNS'")
def test_probe_course_shrinks_the_painful_sites_s1_zone_through_tc_s1(courses):
    """The hypothesis, at a current that recruits fibres: thalamocortical efficacy falls and the
    painful site's overactive S1 area shrinks with active mPNS, not with sham.  Tolerance: one map
    unit (the area's resolution, cortex.map.spacing squared) and 1e-3 of efficacy (any real LTD of
    the course is >> 1e-3).  Only the area's miss is expected (:class:`AreaNotShrunk`, the strict
    xfail's ``raises``): a tc_s1 that does not fall is a plain AssertionError, a failure of this
    test, not the expected miss, and both met is a strict XPASS (fails)."""
    p, s = courses["probe"], courses["sham"]
    unit = ps.load_model(MODEL).si("cortex.map.spacing") ** 2
    assert float(p.w_tc_s1.sel(day=5)) < 1.0 - 1e-3
    area, sham_area = (float(d.map_overactive_area.sel(day=5)) for d in (p, s))
    if not area <= sham_area - unit:
        raise AreaNotShrunk(f"overactive area {area} m^2 at the probe, sham {sham_area} m^2 (one unit {unit} m^2)")


LEMNISCAL = {**FAST, "network.layers": "pathway_lemniscal"}


@pytest.fixture(scope="module")
def lemniscal_courses():
    """The clinical course with the lemniscal route (DCN -> VPL -> S1), with the route cut
    (medial-lemniscus lesion), and at the probe current (Aβ and Aδ).  Its sham is the stack's
    without the route (no pulse, no Aβ: VPL is silent in the heat tests, checked in
    tests/test_lemniscal.py)."""
    m = ps.load_model(MODEL).with_params(LEMNISCAL)
    kw = dict(seed=1, follow_up_days=(5,), days=[30])
    return {"clinical": ps.run_course(m, short_mpns(), **kw),
            "cut": ps.run_course(m.with_params({"lemniscal.integrity": 0.0}), short_mpns(), **kw),
            "probe": ps.run_course(m, short_mpns(PROBE), **kw)}


def test_with_the_lemniscal_route_the_sessions_reach_s1_but_not_the_nociceptive_synapse(courses, lemniscal_courses):
    """With the route the coil's Aβ volleys reach S1 through VPL, and the tactile thalamocortical
    synapse (vpl_s1, the protocol's triplet rule) depresses below the cut route's (exactly 1).  In a
    session the nociceptive relay (TC) fires no spike (this preset has no ongoing PN output), so
    tc_s1, whose rule (triplet STDP) needs presynaptic spikes, stays at 1 and the heat-tested
    overactive area and pain equal sham.  Positive control: at the probe current the recruited Aδ
    fibres make TC fire, and there the route does change tc_s1 (against the stack without it).
    Negative control: cutting the medial lemniscus gives the course of the stack without the route."""
    a, s, cut = lemniscal_courses["clinical"], courses["sham"], lemniscal_courses["cut"]
    assert "vpl_s1" in a.attrs["plastic_connections"].split()
    np.testing.assert_array_equal(cut.w_vpl_s1.values, 1.0)
    assert float(a.w_vpl_s1.sel(day=5)) < float(cut.w_vpl_s1.sel(day=5))
    # the stated reason: in a session window the coil drives VPL and no TC spike
    m = ps.load_model(MODEL).with_params({**LEMNISCAL, "afferents.recruitment": "biophysical"})
    # (a 0.5-Hz waveform of 2 s holds one pulse, at its start; a 1-s window covers its volley)
    session = ps.simulate(m, stimulus=mpns_waveform(f"{MPNS_COIL_CURRENT!r} A", "2 s"), duration="1 s", seed=1)
    assert ps.readouts.population_spikes(session, "VPL")[0].size > 0
    assert ps.readouts.population_spikes(session, "TC")[0].size == 0
    for v in ("pain", "map_overactive_area", "w_tc_s1", "w_c_pn", "w_adelta_pn"):
        np.testing.assert_array_equal(a[v].values, s[v].values)
    assert float(lemniscal_courses["probe"].w_tc_s1.sel(day=5)) != float(courses["probe"].w_tc_s1.sel(day=5))
    for v in ("pain", "map_overactive_area", "w_tc_s1", "w_c_pn", "w_adelta_pn"):
        np.testing.assert_array_equal(cut[v].values, courses["clinical"][v].values)


def test_protocol_runs_on_a_spinal_model_without_the_s1_connection():
    """The S1 override names a connection a spinal model does not have: the course leaves it
    out (control: the pathway patients above list tc_s1)."""
    m = ps.load_model("neuropathic").with_params(FAST)
    p = from_spec({"base": "mpns", "days": [0], "session_duration": "1 min", "end_day": 5})
    ds = ps.run_course(m, p, seed=1, follow_up_days=(2,))
    assert ds.attrs["plastic_connections"].split() == ["c_pn", "adelta_pn"]
