"""Spinal mechanisms of the neuropathic phenotype (issue "Neuropathic pain as patients
have it", part 3): allodynia through an unmasked Aβ route, a gate of partial strength,
wind-up that needs >= ~1 Hz stimulation, C-carried heat, ongoing pain from ectopia.

Each property has its negative control; conditions of a test run in one batched
network (``simulate_batch``), seeded.  Tolerances are written beside each assertion.
"""
import numpy as np
import pytest
from brian2 import Hz, ms, second, us

import painsim as ps
from painsim.fibers import brush, heat
from painsim.readouts import population_spikes

SEEDS = (1, 2, 3, 4)


def _mean_pn(results):
    return float(np.mean([float(r.pn_rate) for r in results]))


def _run(models, duration, stimulus=None, noxious=0.0, touch=0.0):
    """PN rate of each model averaged over SEEDS (one batch for all)."""
    reqs = [ps.Request(m, stimulus, noxious, touch, seed=s) for m in models for s in SEEDS]
    res = ps.simulate_batch(reqs, duration)
    k = len(SEEDS)
    return [res[i * k:(i + 1) * k] for i in range(len(models))]


# ------------------------------------------------------------------ 1. allodynia
@pytest.fixture(scope="module")
def allodynia():
    h = ps.load_model("gate_control")
    dis = h.with_params({"pathology.disinhibition": ps.load_model("neuropathic").si("pathology.disinhibition")})
    cut = dis.with_params({"dorsal_horn.abeta_ex.p": 0.0})
    healthy_cut = h.with_params({"dorsal_horn.abeta_ex.p": 0.0})
    out = _run([h, dis, cut, healthy_cut], 1.2 * second, touch=brush())
    return {k: v for k, v in zip(("healthy", "disinhibited", "cut", "healthy cut"), out)}


def _pn_count(results):
    """PN spikes after the transient, summed over seeds."""
    return sum(float(r.pn_rate) * int(r.population_size.sel(population="PN")) * 0.9 for r in results)


def test_brush_is_painless_in_health_and_drives_pn_after_disinhibition(allodynia):
    healthy, dis = _mean_pn(allodynia["healthy"]), _mean_pn(allodynia["disinhibited"])
    # painless: the spinal score of brush stays below 1/10 in every seed (the
    # psychophysical map rates PN below ~10.7 Hz, the 43 °C point, as 0)
    assert max(float(r.pain) for r in allodynia["healthy"]) < 1.0
    # 10 PN x 0.9 s x 4 seeds: at >= 5 Hz >= 180 spikes, Poisson sd <= 8 %, so a 2x
    # contrast is far beyond counting noise
    assert dis > 5.0 and dis > 2.0 * healthy


def test_cutting_the_unmasked_pathway_reduces_allodynia_and_is_masked_in_health(allodynia):
    dis, cut = _pn_count(allodynia["disinhibited"]), _pn_count(allodynia["cut"])
    healthy, healthy_cut = _pn_count(allodynia["healthy"]), _pn_count(allodynia["healthy cut"])
    # same seeds, same afferent spikes: the disinhibited circuit loses PN spikes when
    # Aβ -> EX is cut, by more than 3 Poisson sd of the difference of the two counts
    # (sd = sqrt(n1 + n2)); the rest is the direct Aβ -> PN synapse, also disinhibited
    assert all(float(c.pn_rate) < float(d.pn_rate) for c, d in zip(allodynia["cut"], allodynia["disinhibited"]))
    assert dis - cut > 3 * np.sqrt(dis + cut)
    # masked in health: cutting the route there changes PN output by less than a
    # quarter of what it changes once inhibition is lost
    assert abs(healthy - healthy_cut) < 0.25 * (dis - cut)


# ------------------------------------------------------------------ 2. gate strength
# Published: 50 Hz dorsal-column stimulation at Aβ strength reduces the C-component of
# rat WDR responses partially: 228 -> 147 action potentials (-35 %, Shechter et al. 2013
# Anesthesiology 119:422, PMC3763697); colorectal-distension responses of lumbosacral
# neurons -29 % and -33 % (Qin et al. 2007 Neurosci Res 58:58, PMC1989111); Guan et al.
# 2010 Anesthesiology 113:1392 and Yang et al. 2015 (PMC4615536): "attenuated", partial.
# Range used: 15-55 % (the means, widened by their ~15-20 % relative SEMs).
PUBLISHED_GATE = (0.15, 0.55)


@pytest.fixture(scope="module")
def gate():
    m = ps.load_model("gate_control")
    blocked = m.with_params({"dorsal_horn.pharmacology.gaba_block": 1.0})
    scs = ps.stimulation.tonic(50 * Hz, 200 * us, 1.5, 1.5 * second)
    conditions = [(m, None, 0.6), (m, scs, 0.6), (blocked, None, 0.6), (blocked, scs, 0.6),
                  (m, None, heat(47)), (m, scs, heat(47))]
    reqs = [ps.Request(mm, st, nox, seed=s) for mm, st, nox in conditions for s in SEEDS]
    r = ps.simulate_batch(reqs, 1.5 * second)
    k = len(SEEDS)
    names = ("C", "C+SCS", "blocked C", "blocked C+SCS", "heat", "heat+SCS")
    return {name: r[i * k:(i + 1) * k] for i, name in enumerate(names)}


def test_gate_is_partial_and_needs_inhibition(gate):
    c, scs = _mean_pn(gate["C"]), _mean_pn(gate["C+SCS"])
    # ~10 PN x 1.2 s x 4 seeds x ~40 Hz ~ 2000 spikes: a count still >= 5 % of control
    # (~100 spikes) is far from zero; a reduction > 20 % is far beyond Poisson sd (~2 %)
    assert c > 5.0
    assert 0.05 * c < scs < 0.8 * c
    assert _mean_pn(gate["blocked C+SCS"]) >= 0.9 * _mean_pn(gate["blocked C"])


def test_gate_strength_within_published_range(gate):
    # the C drive alone (noxious 0.6: every C and Aδ fibre at 0.6 x max_rate), pooled over
    # 4 seeds; per-seed reductions spread ~0.3-0.7 (connectivity), so one seed is no test
    reduction = 1 - _mean_pn(gate["C+SCS"]) / _mean_pn(gate["C"])
    assert PUBLISHED_GATE[0] <= reduction <= PUBLISHED_GATE[1]


@pytest.mark.xfail(strict=True, reason="measured: 50 Hz SCS cuts the PN response to 47 °C contact heat by "
                   "~78 % (4 seeds), published 15-55 % (for electrical C volleys): not reproduced (docs/circuits.md)")
def test_gate_strength_on_heat_within_published_range(gate):
    reduction = 1 - _mean_pn(gate["heat+SCS"]) / _mean_pn(gate["heat"])
    assert PUBLISHED_GATE[0] <= reduction <= PUBLISHED_GATE[1]


# ------------------------------------------------------------------ 3. wind-up vs frequency
def _per_pulse(res, onsets, window=1.0):
    t, _ = population_spikes(res, "PN")
    n_pn = int(res.population_size.sel(population="PN"))
    return np.array([np.sum((t >= t0) & (t < t0 + window)) for t0 in onsets]) / n_pn


@pytest.fixture(scope="module")
def windup_frequency():
    """C-strength pulses (1.5 x C threshold, 2 ms, nerve) at 1 Hz (8 pulses) and 0.1 Hz (4)."""
    dur = 31.5 * second  # the 4th 0.1 Hz volley (t = 30 s) reaches the PN by ~30.3 s
    fast = ps.stimulation.tonic(1 * Hz, 2 * ms, 1.5, 8 * second, threshold_class="C",
                                target="peripheral_nerve", shape="monophasic")
    # a train holds floor(duration x rate) pulses: 40 s at 0.1 Hz = onsets 0, 10, 20, 30 s
    slow = ps.stimulation.tonic(0.1 * Hz, 2 * ms, 1.5, 40 * second, threshold_class="C",
                                target="peripheral_nerve", shape="monophasic")
    assert len(slow.onsets) == 4 and len(fast.onsets) == 8
    m = ps.load_model("gate_control")
    apv = m.with_params({"dorsal_horn.pharmacology.nmda_block": 1.0})
    res = ps.simulate_batch([ps.Request(m, fast, seed=2), ps.Request(apv, fast, seed=2),
                             ps.Request(m, slow, seed=2)], dur)
    return (_per_pulse(res[0], np.arange(8.0)), _per_pulse(res[1], np.arange(8.0)),
            _per_pulse(res[2], 10.0 * np.arange(4)))


def test_windup_at_1_hz_not_at_0_1_hz(windup_frequency):
    fast, _, slow = windup_frequency
    assert fast[0] > 0 and slow[0] > 0
    # ~3-5 PN spikes per neuron per volley x 10 PN: counts of ~40, Poisson sd ~16 %
    # each, so a ratio of two of them has sd ~22 %: "little" = below +30 % at 0.1 Hz,
    # "clear" = above +50 % at 1 Hz
    assert fast[-2:].mean() > 1.5 * fast[0]
    assert slow[-2:].mean() < 1.3 * slow[0]


def test_nmda_block_removes_most_of_1_hz_windup(windup_frequency):
    fast, apv, _ = windup_frequency
    assert apv[-2:].mean() - apv[0] < 0.5 * (fast[-2:].mean() - fast[0])


# ------------------------------------------------------------------ 4. heat carried by C
@pytest.fixture(scope="module")
def heat_routes():
    m = ps.load_model("gate_control")
    no_c = m.with_params({"dorsal_horn.c_pn.p": 0.0, "dorsal_horn.c_ex.p": 0.0})
    no_ad = m.with_params({"dorsal_horn.adelta_pn.p": 0.0})
    return [_mean_pn(r) for r in _run([m, no_c, no_ad], 1.2 * second, noxious=heat(47))]


def test_heat_response_is_carried_by_c_fibres(heat_routes):
    full, no_c, no_ad = heat_routes
    assert full > 5.0
    # "most": silencing C removes more than half; silencing Aδ removes less than silencing C
    # (~10 PN x 0.9 s x 4 seeds x tens of Hz: >1000 spikes, Poisson sd ~3 %)
    assert no_c < 0.5 * full
    assert full - no_ad < full - no_c


# ------------------------------------------------------------------ 5. ongoing pain
@pytest.fixture(scope="module")
def at_rest():
    n = ps.load_model("neuropathic")
    return [_mean_pn(r) for r in _run([n, n.with_params({"pathology.ectopic_fraction": 0.0})], 2 * second)]


def test_no_ongoing_pn_firing_without_ectopic_discharge(at_rest):
    # negative control: with nociceptors silent but for 0.1 Hz spontaneous firing,
    # the neuropathic circuit has no input to fire on (< 0.5 Hz: ~ 1 spike per PN per 2 s)
    assert at_rest[1] < 0.5


@pytest.mark.xfail(strict=True, reason="measured: the neuropathic preset's PN fire ~0-0.1 Hz at rest "
                   "(ectopic 0.3 x 2 Hz, sensitization 1.5); ongoing pain not reproduced (docs/circuits.md)")
def test_ectopic_discharge_gives_ongoing_pn_firing(at_rest):
    # ongoing pain: PN at rest clearly above the ectopia-free control (> 2 Hz)
    assert at_rest[0] > 2.0 and at_rest[0] > at_rest[1] + 2.0
