"""Percutaneous PNS and PNT (issue 15 part 5): a percutaneous lead recruits the nerve's
fibres through the biophysical field model at the lead's distance (Gilmore et al. 2019,
2020; Rauck et al. 2014: leads 0.5-3 cm from the femoral/sciatic nerve), and the
recruited Aβ drive the segmental Aβ -> inhibitory-interneuron gate; PNT (Ghoname et al.
1999) alternates 15/30 Hz through needles in deep tissue at Aδ strength.

Properties with negative controls; tolerances come from the model's own structure or the
published range they stand for (the strict expected failures name the misses and where they
are measured; the tables are in docs/stimulation.md)."""
import numpy as np
import pytest

import painsim as ps
from painsim.errors import WaveformError
from painsim.fibers import heat, population_for, recruitment_curve, threshold
from painsim.stimulation import alternating, from_spec, tonic

DUR = 0.8
SEEDS = (1, 2)
PNS = ps.protocols.get("pns_percutaneous")
PNT = ps.protocols.get("pnt_alternating")
BLOCK = {"dorsal_horn.pharmacology.gaba_block": 1.0, "dorsal_horn.pharmacology.gabab_block": 1.0}
ONE_SITE = {"body.n_sites": 1, "body.painful_site": 0}
#: published reduction of the C-carried PN response by Aβ-strength stimulation (docs/validation.md,
#: gate_on_c_heat: Shechter et al. 2013, Qin et al. 2007, widened by their spread)
GATE_RANGE = (0.23, 0.42)


def _lead(mm: float) -> dict:
    """A PNS lead ``mm`` from the nerve (fibres 0.5-3 mm deep in it, as the protocol)."""
    return {"afferents.recruitment": "biophysical",
            "afferents.biophysical.peripheral_nerve_distance_min": f"{mm + 0.5:g} mm",
            "afferents.biophysical.peripheral_nerve_distance_max": f"{mm + 3.0:g} mm"}


def _population(overrides: dict, seed: int, wf=None):
    model = ps.load_model("gate_control").with_params(overrides)
    wf = wf or tonic("100 Hz", "200 us", "1 mA", "0.1 s", target="peripheral_nerve")
    return population_for(wf, dict(model.section("afferents")), seed)


def _fractions(overrides: dict, amps_ma, width=200e-6) -> dict:
    """Fraction of each class that one pulse recruits, pooled over SEEDS."""
    out = {c: [] for c in ("Abeta", "Adelta", "C")}
    for seed in SEEDS:
        rc = recruitment_curve(_population(overrides, seed), np.asarray(amps_ma) * 1e-3, width)
        for c in out:
            out[c].append(rc[c])
    return {c: np.mean(v, axis=0) for c, v in out.items()}


# ----------------------------------------------------------------- recruitment by the lead
def test_protocol_places_the_lead_at_a_distance_and_recruits_biophysically():
    g = PNS.device_overrides
    assert g["afferents.recruitment"] == "biophysical"
    model = ps.load_model("gate_control").with_params(g)
    lo = model.si("afferents.biophysical.peripheral_nerve_distance_min")
    assert lo >= 5e-3 > ps.load_model("gate_control").si("afferents.biophysical.peripheral_nerve_distance_max")
    assert PNS.stimulus["target"] == "peripheral_nerve" and PNS.stimulus["amplitude"].endswith("mA")


def test_lead_recruits_abeta_before_adelta_and_c_as_amplitude_rises():
    amps = [2, 5, 10, 15, 20, 30, 50, 100, 300]
    f = _fractions(_lead(5.0), amps)
    for c in f:
        assert np.all(np.diff(f[c]) >= 0)                    # recruitment only grows with amplitude
    first = {c: next((a for a, x in zip(amps, f[c]) if x > 0), np.inf) for c in f}
    assert first["Abeta"] < first["Adelta"] < first["C"]
    # at the protocol's current: most Aβ (paresthesia), no C
    at = _fractions(_lead(5.0), [20])
    assert at["Abeta"][0] >= 0.5 and at["C"][0] == 0.0 and at["Adelta"][0] < at["Abeta"][0]


def test_a_distant_lead_is_more_class_selective_than_a_contact_on_the_nerve():
    """Thresholds go as r^2 / D: a distant lead sees every fibre at about the same distance,
    so the diameter orders recruitment; a contact on the nerve mixes classes by distance."""
    def adelta_at_half_abeta(overrides):
        th_ab, th_ad = [], []
        for seed in SEEDS:
            pop = _population(overrides, seed)
            th = threshold(pop, 200e-6, shape="biphasic")
            th_ab.append(th[pop.indices("Abeta")])
            th_ad.append(th[pop.indices("Adelta")])
        i50 = np.median(np.concatenate(th_ab))
        return np.mean(np.concatenate(th_ad) <= i50)
    assert adelta_at_half_abeta(_lead(5.0)) == 0.0
    assert adelta_at_half_abeta(_lead(0.0)) > 0.0             # negative control: contact on the nerve


def test_recruitment_falls_with_lead_distance():
    distances = [0.0, 2.0, 5.0, 10.0, 20.0]
    ab = [_fractions(_lead(d), [20])["Abeta"][0] for d in distances]
    assert all(a >= b for a, b in zip(ab, ab[1:])) and ab[0] > ab[-1]
    assert ab[-1] == 0.0
    # 2 cm from the nerve nothing fires even at the device's 30 mA [recalled maximum]
    far = _fractions(_lead(20.0), [30])
    assert all(far[c][0] == 0.0 for c in far)


# ----------------------------------------------------------------- PNT waveform and needles
def test_alternating_waveform_switches_rate_every_segment():
    wf = alternating(["15 Hz", "30 Hz"], "3 s", "500 us", 1.2, "12 s", target="peripheral_nerve")
    counts = [wf.window(f"{t} s", f"{t + 3} s").n_pulses for t in (0, 3, 6, 9)]
    assert counts == [45, 90, 45, 90]
    assert wf.target == "peripheral_nerve" and wf.amplitude_kind == "threshold"
    # one rate is a tonic train; an empty list is refused
    same = alternating(["15 Hz"], "3 s", "500 us", 1.2, "6 s")
    np.testing.assert_allclose(same.onsets, tonic("15 Hz", "500 us", 1.2, "6 s").onsets, atol=1e-12)
    with pytest.raises(WaveformError):
        alternating([], "3 s", "500 us", 1.2, "6 s")
    assert from_spec(dict(PNT.stimulus)).n_pulses == wf.n_pulses


def test_pnt_protocol_delivers_15_and_30_hz_segments_in_sessions():
    assert PNT.period == pytest.approx(6.0)
    assert PNT.waveform(0.0, 1.0).n_pulses == 15 and PNT.waveform(3.0, 4.0).n_pulses == 30
    assert PNT.waveform(6.0, 7.0).n_pulses == 15             # the pattern repeats
    assert len(PNT.calendar.days) == 9                       # 3 a week for 3 weeks (Ghoname 1999)


def test_deep_tissue_needles_recruit_more_c_than_a_contact_at_the_nerve():
    """Needles among nerve branches 0.5-10 mm away: the distance spread outweighs the
    diameter, so at 1.2x the Aδ threshold C fibres near the tip fire too."""
    wf = from_spec({**PNT.stimulus, "duration": "0.2 s"})

    def c_fraction(overrides):
        fr = []
        for seed in SEEDS:
            pop = _population(overrides, seed, wf)
            th = threshold(pop, 500e-6, shape="biphasic")
            ref = np.median(th[pop.indices("Adelta")])
            fr.append(np.mean(th[pop.indices("C")] <= 1.2 * ref))
        return np.mean(fr)
    nerve = {"afferents.recruitment": "biophysical"}
    assert c_fraction(PNT.device_overrides) > c_fraction(nerve)


# ----------------------------------------------------------------- the circuit
def _rate(ds, pop, t0=0.3):
    k = list(ds.population.values).index(pop)
    sel = (ds.spike_population.values == k) & (ds.spike_time.values >= t0)
    return sel.sum() / int(ds.population_size.values[k]) / (DUR - t0)


@pytest.fixture(scope="module")
def runs():
    pns = PNS.waveform(0.0, DUR)
    sham = PNS.as_sham().waveform(0.0, DUR)
    healthy = ps.load_model("gate_control").with_params(PNS.device_overrides)
    neuro = ps.load_model("post_traumatic_neuropathic").with_params({**PNS.device_overrides, **ONE_SITE})
    pnt_h = ps.load_model("gate_control").with_params(PNT.device_overrides)
    h47, h45 = heat(47), heat(45)
    conds = {
        "h_none": (healthy, None, h47), "h_pns": (healthy, pns, h47), "h_sham": (healthy, sham, h47),
        "h_far": (healthy.with_params(_lead(20.0)), pns, h47),
        "h_block_none": (healthy.with_params(BLOCK), None, h47),
        "h_block_pns": (healthy.with_params(BLOCK), pns, h47),
        "n_none": (neuro, None, h45), "n_pns": (neuro, pns, h45),
        "n_pns_cut": (neuro.with_params({"dorsal_horn.abeta_ex.p": 0.0}), pns, h45),
        "h_rest_pns": (healthy, pns, 0.0), "n_rest_pns": (neuro, pns, 0.0),
        "t_none": (pnt_h, None, h47), "t_pnt": (pnt_h, PNT.waveform(3.0, 3.0 + DUR), h47),
    }
    reqs = [ps.Request(m, st, nox, 0.0, seed) for seed in SEEDS for m, st, nox in conds.values()]
    res = ps.simulate_batch(reqs, f"{DUR} s", batch_size=len(conds))
    out = {}
    for k, name in enumerate(conds):
        ds = res[k::len(conds)]
        out[name] = {"PN": [float(d.pn_rate) for d in ds], "pain": [float(d.pain) for d in ds],
                     "IN": [_rate(d, "IN") for d in ds], "EX": [_rate(d, "EX") for d in ds],
                     "spikes": [(d.spike_time.values, d.spike_neuron.values, d.spike_population.values)
                                for d in ds]}
    return out


def _same_spikes(a, b):
    return all(all(np.array_equal(x, y) for x, y in zip(sa, sb)) for sa, sb in zip(a["spikes"], b["spikes"]))


def test_sham_and_a_lead_too_far_change_no_spike(runs):
    assert PNS.as_sham().is_sham and PNS.as_sham().calendar == PNS.calendar
    assert _same_spikes(runs["h_sham"], runs["h_none"])
    assert _same_spikes(runs["h_far"], runs["h_none"])
    assert not _same_spikes(runs["h_pns"], runs["h_none"])     # the lead at 5 mm does change them


def test_pns_drives_interneurons_and_reduces_the_healthy_heat_response(runs):
    for k in range(len(SEEDS)):
        assert runs["h_pns"]["IN"][k] > runs["h_none"]["IN"][k]
        assert runs["h_pns"]["PN"][k] < runs["h_none"]["PN"][k]
    # checks only that the gate closes by at least the low end of the published partial gate
    # (GATE_RANGE); that it stays partial is the known miss below
    assert sum(runs["h_pns"]["PN"]) <= (1 - GATE_RANGE[0]) * sum(runs["h_none"]["PN"])


@pytest.mark.xfail(strict=True, raises=AssertionError, reason="the published segmental gate is partial (-23 to "
                   "-42 %); the model's closes further on C-carried heat, during PNS as during 50 Hz Aβ-strength "
                   "stimulation: the known miss of issue 14 (docs/validation.md row gate_on_c_heat; "
                   "docs/stimulation.md 'Percutaneous PNS and PNT')")
def test_pns_gate_on_healthy_heat_stays_partial(runs):
    assert sum(runs["h_pns"]["PN"]) >= (1 - GATE_RANGE[1]) * sum(runs["h_none"]["PN"])


def test_blocking_inhibition_removes_the_reduction(runs):
    """GABA_A/glycine and GABA_B blocked: PNS only adds excitation (Aβ -> PN, Aβ -> EX)."""
    for k in range(len(SEEDS)):
        assert runs["h_block_pns"]["PN"][k] > runs["h_block_none"]["PN"][k]


def test_disinhibition_unmasks_the_abeta_ex_route_under_pns(runs):
    """Known model finding (docs/circuits.md): in the disinhibited preset Aβ stimulation
    drives the excitatory interneurons, which healthy inhibition keeps silent, and cutting
    Aβ -> EX lowers the PN output under stimulation."""
    for k in range(len(SEEDS)):
        assert runs["n_rest_pns"]["EX"][k] > runs["h_rest_pns"]["EX"][k]
        assert runs["n_pns_cut"]["PN"][k] < runs["n_pns"]["PN"][k]


@pytest.mark.xfail(strict=True, raises=AssertionError, reason="Gilmore 2019: >= 50 % pain reduction in a "
                   "majority of PNS patients (7/12 vs 2/14 placebo).  In post_traumatic_neuropathic PNS raises the "
                   "PN output at 45 °C through the disinhibited Aβ -> EX -> PN route instead: a miss, not tuned "
                   "(docs/validation.md row pns_responders; docs/stimulation.md 'Percutaneous PNS and PNT')")
def test_pns_halves_the_neuropathic_heat_response_in_most_patients(runs):
    halved = [s < 0.5 * n for s, n in zip(runs["n_pns"]["PN"], runs["n_none"]["PN"])]
    assert sum(halved) > len(SEEDS) / 2


@pytest.mark.xfail(strict=True, raises=AssertionError, reason="Ghoname 1999: PENS lowers pain.  In the "
                   "spinal model (gate_control, 47 °C) the needles' Aδ (and, near them, C) fibres excite PN "
                   "directly and nothing descends, so PNT raises the PN output; in the pathway the spino-PAG "
                   "route they drive is weak at 15/30 Hz (docs/validation.md row pnt_relief_over_sham; "
                   "docs/stimulation.md 'Percutaneous PNS and PNT')")
def test_pnt_lowers_the_heat_response(runs):
    assert sum(runs["t_pnt"]["PN"]) < sum(runs["t_none"]["PN"])
