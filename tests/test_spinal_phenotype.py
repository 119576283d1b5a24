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
from painsim.readouts import population_spikes, psychophysics_points, readout_start
from batches import exceeds, spikes_after_transient

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


def _count(res, population="PN"):
    """Spikes of ``population`` in the readout window (after ``readout.transient``), all neurons."""
    return spikes_after_transient([res], population)


def _pn_count(results):
    """PN spikes after the transient, summed over seeds."""
    return sum(_count(r) for r in results)


def _map_zero():
    """The highest PN rate (Hz) the pain map of gate_control rates 0 (flat at 0 up to its points
    rated 0: painsim.readouts.nrs_from_rate); above it a response is rated painful."""
    _, rates, ratings = psychophysics_points(ps.load_model("gate_control"))
    return float(rates[ratings == 0].max())


def test_brush_is_painless_in_health_and_drives_pn_after_disinhibition(allodynia):
    """Allodynia: pain from a stimulus that does not normally provoke it.  Brush is painless in health
    and, with the neuropathic preset's loss of inhibition (the negative control is the same circuits
    and afferent spikes without it), drives the PN more, by more than 3 Poisson sd of the difference
    of the pooled counts, into the range the pain map rates above 0."""
    # painless: the spinal score of brush stays below 1/10 in every seed (the
    # psychophysical map rates PN below its 43 °C point as 0)
    assert max(float(r.pain) for r in allodynia["healthy"]) < 1.0
    healthy, dis = _pn_count(allodynia["healthy"]), _pn_count(allodynia["disinhibited"])
    assert exceeds(dis, healthy), (dis, healthy)
    # painful on average over the circuits: the mean PN rate above the map's zero
    assert _mean_pn(allodynia["disinhibited"]) > _map_zero() > _mean_pn(allodynia["healthy"])


def test_cutting_the_unmasked_pathway_reduces_allodynia_and_is_masked_in_health(allodynia):
    dis, cut = _pn_count(allodynia["disinhibited"]), _pn_count(allodynia["cut"])
    healthy, healthy_cut = _pn_count(allodynia["healthy"]), _pn_count(allodynia["healthy cut"])
    # same seeds, same afferent spikes: the disinhibited circuit loses PN spikes when
    # Aβ -> EX is cut, by more than 3 Poisson sd of the difference of the two counts
    # (sd = sqrt(n1 + n2)); the rest is the direct Aβ -> PN synapse, also disinhibited
    assert all(float(c.pn_rate) < float(d.pn_rate) for c, d in zip(allodynia["cut"], allodynia["disinhibited"]))
    assert exceeds(dis, cut)
    # masked in health (the negative control): there the cut changes PN output by no more than
    # counting noise (3 sd of the difference), and the cut's effect is larger once inhibition is
    # lost, by more than 3 sd of the difference of the two differences (sqrt of all four counts)
    assert abs(healthy - healthy_cut) < 3 * np.sqrt(healthy + healthy_cut), (healthy, healthy_cut)
    assert (dis - cut) - abs(healthy - healthy_cut) > 3 * np.sqrt(dis + cut + healthy + healthy_cut)


# ------------------------------------------------------------------ 1b. allodynia and the gate exclude each other
@pytest.fixture(scope="module")
def gate_by_disinhibition():
    """PN rates (levels x [heat, heat + 50 Hz Aβ-strength stimulation, brush] x seeds) of gate_control
    at disinhibition 0, 0.25 and the neuropathic preset's; 47 °C heat, 1.2 s, one batch.  With the
    spike trains (times, neurons) of IN, EX and PN, same layout, under ``"trains"``."""
    h = ps.load_model("gate_control")
    levels = (0.0, 0.25, float(ps.load_model("neuropathic").si("pathology.disinhibition")))
    scs = ps.stimulation.tonic(50 * Hz, 200 * us, 1.5, 1.2 * second)
    reqs = []
    for d in levels:
        m = h.with_params({"pathology.disinhibition": d})
        reqs += [ps.Request(m, st, nox, touch, seed=s) for st, nox, touch in
                 ((None, heat(47), 0.0), (scs, heat(47), 0.0), (None, 0.0, brush())) for s in SEEDS]
    res = ps.simulate_batch(reqs, 1.2 * second)
    shape = (len(levels), 3, len(SEEDS))
    trains = [{pop: population_spikes(r, pop) for pop in ("IN", "EX", "PN")} for r in res]
    return {"pn": np.array([float(r.pn_rate) for r in res]).reshape(shape),
            "trains": np.array(trains, dtype=object).reshape(shape)}


def _same_spikes(a, b):
    return all(np.array_equal(x, y) for pop in a for x, y in zip(a[pop], b[pop]))


def _reduction(trains):
    """The stimulation's reduction of the heat response at each disinhibition level, 1 - S / H of the
    PN counts after the transient pooled over SEEDS (S with, H without stimulation), and its Poisson sd
    by the delta method: (S / H) sqrt(1 / S + 1 / H).  Two levels share H (the same spikes at every
    level), which makes the sd of a difference of reductions, taken as independent, conservative."""
    start = readout_start(ps.load_model("gate_control"), 1.2)

    def pooled(row):
        return np.array([sum(int(np.count_nonzero(t["PN"][0] >= start)) for t in level) for level in row])
    heat_counts, scs_counts = pooled(trains[:, 0]), pooled(trains[:, 1])
    ratio = scs_counts / heat_counts
    return 1 - ratio, ratio * np.sqrt(1 / scs_counts + 1 / heat_counts)


def test_the_loss_of_inhibition_that_unmasks_allodynia_turns_the_gate_into_excitation(gate_by_disinhibition):
    """The same Aβ routes carry brush and dorsal-column stimulation: as disinhibition grows, the
    stimulation's reduction of the heat response falls and turns into an increase while brush comes
    to drive the PN (docs/circuits.md, "Tonic SCS and the loss of inhibition").  Heat recruits no
    interneuron, so its response is the same at every level (the comparison's control)."""
    pn, trains = gate_by_disinhibition["pn"], gate_by_disinhibition["trains"]
    brushed = pn[:, 2]
    # heat alone: identical circuits but for the inhibitory weights that disinhibition scales, and
    # heat never uses them (no C or Aδ -> IN in the model files, no Aβ drive: the IN stay silent),
    # so every population fires the same spikes at every level, exactly
    assert all(_same_spikes(trains[k, 0, s], trains[0, 0, s]) for k in range(len(pn)) for s in range(len(SEEDS)))
    # negative control: with the stimulation the IN fire, and the same comparison finds the
    # preset's loss a different circuit
    assert not all(_same_spikes(trains[-1, 1, s], trains[0, 1, s]) for s in range(len(SEEDS)))
    reduction, sd = _reduction(trains)
    # each step beyond 3 sd (delta method on the pooled counts, _reduction): the gate closes with
    # inhibition intact, weakens at each larger loss, and the stimulation excites at the preset's
    assert reduction[0] > 3 * sd[0], (reduction, sd)
    assert all(reduction[k] - reduction[k + 1] > 3 * np.hypot(sd[k], sd[k + 1]) for k in range(2)), (reduction, sd)
    assert reduction[2] < -3 * sd[2], (reduction, sd)
    # brush: below the NRS map's zero (the highest rate it rates 0: flat at 0 up to its points rated
    # 0) with inhibition intact, above it at the preset's loss
    _, rates, ratings = psychophysics_points(ps.load_model("gate_control"))
    zero = rates[ratings == 0].max()
    assert brushed[0].mean() < zero < brushed[2].mean(), (brushed.mean(axis=1), zero)


# ------------------------------------------------------------------ 2. gate strength
# Published: 50 Hz dorsal-column stimulation at Aβ strength reduces the C-component of
# rat WDR responses partially: 228 -> 147 action potentials (-35 %, Shechter et al. 2013
# Anesthesiology 119:422, PMC3763697); colorectal-distension responses of lumbosacral
# neurons -29 % and -33 % (Qin et al. 2007 Neurosci Res 58:58, PMC1989111); Guan et al.
# 2010 Anesthesiology 113:1392 and Yang et al. 2015 (PMC4615536): "attenuated", partial.
# Range used: the lowest and highest of these means (29 %, 35 %) widened by their relative
# SEMs of ~15-20 % (as read earlier for this file, not re-checked): 0.29 x (1 - 0.2) = 0.23
# to 0.35 x (1 + 0.2) = 0.42.  These targets concern the C-carried response, so they are
# tested on C-carried input (47 °C contact heat, C-carried: section 4), not on the
# intensity shorthand, whose PN response the model carries by Aδ (tested below).
PUBLISHED_GATE = (0.23, 0.42)


@pytest.fixture(scope="module")
def gate():
    m = ps.load_model("gate_control")
    blocked = m.with_params({"dorsal_horn.pharmacology.gaba_block": 1.0})
    no_ad = m.with_params({"dorsal_horn.adelta_pn.p": 0.0})
    scs = ps.stimulation.tonic(50 * Hz, 200 * us, 1.5, 1.5 * second)
    conditions = [(m, None, 0.6), (m, scs, 0.6), (blocked, None, 0.6), (blocked, scs, 0.6),
                  (no_ad, None, 0.6), (m, None, heat(47)), (m, scs, heat(47))]
    reqs = [ps.Request(mm, st, nox, seed=s) for mm, st, nox in conditions for s in SEEDS]
    r = ps.simulate_batch(reqs, 1.5 * second)
    k = len(SEEDS)
    names = ("noxious", "noxious+SCS", "blocked noxious", "blocked noxious+SCS", "noxious, no Aδ->PN",
             "heat", "heat+SCS")
    return {name: r[i * k:(i + 1) * k] for i, name in enumerate(names)}


def _partial(control, reduced):
    """Whether a count falls by more than 3 Poisson sd of the difference of the two counts
    (sqrt of their sum) and what is left stays more than 3 sd above zero (n > 3 sqrt(n))."""
    return exceeds(control, reduced) and exceeds(reduced, 0)


def test_gate_is_partial_and_needs_inhibition(gate):
    assert _mean_pn(gate["noxious"]) > 5.0
    # pooled PN counts over SEEDS; tolerances from counting noise (_partial), not a fixed fraction
    c, scs = _pn_count(gate["noxious"]), _pn_count(gate["noxious+SCS"])
    assert _partial(c, scs), (c, scs)
    # negative control, inhibition blocked (GABA_A/glycine): the stimulation reduces nothing beyond
    # counting noise (a fall of more than 3 sd of the difference fails)
    b, b_scs = _pn_count(gate["blocked noxious"]), _pn_count(gate["blocked noxious+SCS"])
    assert not exceeds(b, b_scs), (b, b_scs)


def test_gate_partially_reduces_the_adelta_carried_intensity_response(gate):
    """A model property, not a published target: the intensity shorthand (noxious 0.6: every C
    and Aδ fibre at 0.6 x its max_rate) drives the PN through Aδ, and the gate cuts that response
    partly.  Published gate strengths concern the C component (test below)."""
    # what it measures: Aδ -> PN carries most of the response ("most": more than half, the property
    # itself), i.e. cutting it removes more than what is left, c - 2 n > 0 beyond 3 Poisson sd of
    # c - 2 n (sqrt(c + 4 n), the counts taken as independent: conservative, as they share input)
    c, no_ad = _pn_count(gate["noxious"]), _pn_count(gate["noxious, no Aδ->PN"])
    assert c - 2 * no_ad > 3 * np.sqrt(c + 4 * no_ad), (c, no_ad)
    # partial in every circuit (per-seed reductions differ with connectivity): each seed's count
    # falls beyond its counting noise (the gate acts) and what is left is clearly not zero (never
    # abolished), by the Poisson bounds of _partial
    per_seed = [(_count(n), _count(s)) for n, s in zip(gate["noxious"], gate["noxious+SCS"])]
    assert all(_partial(n, s) for n, s in per_seed), per_seed


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="not reproduced: 50 Hz SCS cuts the C-carried PN response to 47 °C contact heat by more "
                   "than the published 23-42 % (Shechter 2013, Qin 2007); measured value: validation row "
                   "gate_on_c_heat (painsim validate, README); docs/circuits.md, 'Gate strength' and 'The published "
                   "gate is a different measurement'")
def test_gate_strength_on_c_carried_heat_within_published_range(gate):
    reduction = 1 - _mean_pn(gate["heat+SCS"]) / _mean_pn(gate["heat"])
    assert PUBLISHED_GATE[0] <= reduction <= PUBLISHED_GATE[1], reduction


# ------------------------------------------------------------------ 3. wind-up vs frequency
def _per_pulse(res, onsets, window=1.0):
    return ps.analysis.spikes_per_pulse(res, onsets, window, "PN")


N_PULSES = 4  # the same number of volleys at both frequencies


@pytest.fixture(scope="module")
def windup_frequency():
    """C-strength pulses (1.5 x C threshold, 2 ms, nerve), 4 at 1 Hz and 4 at 0.1 Hz; per-pulse PN
    spikes (all PN: counts, for Poisson bounds), shape (seed, pulse), in each of SEEDS: "1 Hz", "0.1 Hz",
    "1 Hz, NMDA block" and "1 Hz, no CAN/NK1" (the wind-up current removed, NK1 blocked)."""
    # a train holds floor(duration x rate) pulses: 4 s at 1 Hz = onsets 0-3 s; 40 s at 0.1 Hz = 0, 10, 20, 30 s
    fast = ps.stimulation.tonic(1 * Hz, 2 * ms, 1.5, 4 * second, threshold_class="C",
                                target="peripheral_nerve", shape="monophasic")
    slow = ps.stimulation.tonic(0.1 * Hz, 2 * ms, 1.5, 40 * second, threshold_class="C",
                                target="peripheral_nerve", shape="monophasic")
    assert len(slow.onsets) == len(fast.onsets) == N_PULSES
    m = ps.load_model("gate_control")
    apv = m.with_params({"dorsal_horn.pharmacology.nmda_block": 1.0})
    # as tests/test_gate_control.py's wind-up control: no CAN current (NMDA-gated calcium -> CAN,
    # Aguiar et al. 2010; models/gate_control.toml [dorsal_horn.windup]) and NK1 blocked, AMPA/NMDA kept
    no_slow = m.with_params({"dorsal_horn.windup.can_conductance": 0.0, "dorsal_horn.pharmacology.nk1_block": 1.0})
    # the 4th 1 Hz volley (t = 3 s) is counted until 4 s; the 4th 0.1 Hz one (t = 30 s) until 31 s
    rf = ps.simulate_batch([ps.Request(mm, fast, seed=s) for mm in (m, apv, no_slow) for s in SEEDS], 4.5 * second)
    rs = ps.simulate_batch([ps.Request(m, slow, seed=s) for s in SEEDS], 31.5 * second)

    def per(rr, on):
        return np.array([_per_pulse(r, on) * int(r.population_size.sel(population="PN")) for r in rr])
    k = len(SEEDS)
    return {"1 Hz": per(rf[:k], np.arange(4.0)), "1 Hz, NMDA block": per(rf[k:2 * k], np.arange(4.0)),
            "1 Hz, no CAN/NK1": per(rf[2 * k:], np.arange(4.0)), "0.1 Hz": per(rs, 10.0 * np.arange(4))}


def _ratio(counts):
    """Wind-up pooled over seeds: mean response to the last two volleys / response to the first."""
    return counts[:, -2:].mean(axis=1).sum() / counts[:, 0].sum()


def _jackknife_se(stat, *arrays):
    """Standard error of ``stat(*arrays)`` over seeds (rows) by the leave-one-seed-out jackknife: the
    spread between seeds is that of connectivity (and counting), which is what a test must allow for."""
    n = len(arrays[0])
    th = np.array([stat(*(a[np.arange(n) != i] for a in arrays)) for i in range(n)])
    return float(np.sqrt((n - 1) / n * np.sum((th - th.mean()) ** 2)))


def test_windup_at_1_hz_and_its_frequency_dependence(windup_frequency):
    """Clear wind-up at 1 Hz, more than at 0.1 Hz (Mendell 1966).  Negative control: with the slow
    depolarisation that carries it removed (CAN current off, NK1 blocked; AMPA and NMDA kept) the same
    1 Hz train in the same circuits shows no clear wind-up (not above 1 by the counting bound)."""
    fast, slow = windup_frequency["1 Hz"], windup_frequency["0.1 Hz"]
    assert fast[:, 0].sum() > 0 and slow[:, 0].sum() > 0
    rf, rs = _ratio(fast), _ratio(slow)
    se_f = _jackknife_se(_ratio, fast)
    # "clear" at 1 Hz: above 1 by more than 3 sd of the ratio if every volley drew one Poisson mean
    # (_no_windup_bound: counting noise) and by more than 2 jackknife SE (the circuits' spread)
    bound = _no_windup_bound(fast)
    assert rf - 1 > bound and rf > 1 + 2 * se_f, (rf, bound, se_f)
    # the frequency effect itself: the paired (same seeds, same circuits) difference of the two
    # ratios exceeds 2 of its jackknife SE; pairing removes most of the connectivity spread
    se_d = _jackknife_se(lambda f, s: _ratio(f) - _ratio(s), fast, slow)
    assert rf - rs > 2 * se_d, (rf, rs, se_d)
    no_slow = windup_frequency["1 Hz, no CAN/NK1"]
    assert no_slow[:, 0].sum() > 0, "the control must leave a first response to normalise by"
    assert _ratio(no_slow) - 1 < _no_windup_bound(no_slow), (_ratio(no_slow), _no_windup_bound(no_slow))


def test_little_windup_at_0_1_hz(windup_frequency):
    """Little or no wind-up at 0.1 Hz (Mendell 1966; Herrero et al. 2000).  A kept miss at the C gain
    0.78125 (ratio 1.11, jackknife SE 0.05: just above 2 SE); at the gain recalibrated with the C
    heat adaptation (0.7) the ratio is 0.98, SE 0.13.  tau_calcium was chosen with an older gain,
    not re-chosen."""
    slow = windup_frequency["0.1 Hz"]
    rs, se_s = _ratio(slow), _jackknife_se(_ratio, slow)
    # "little" at 0.1 Hz: within 2 jackknife SE of no wind-up (the tolerance is the seeds' own spread)
    assert rs < 1 + 2 * se_s, (rs, se_s)


def _no_windup_bound(counts):
    """3 sd of :func:`_ratio` if every volley drew a Poisson count of one mean (no wind-up).

    Pooled over seeds, each volley's count is then Poisson with the mean of all volleys' pooled
    counts; by the delta method the ratio's variance is (1 + 1/2) / mean (first volley: variance =
    mean; mean of the last two: mean / 2; ratio 1).  A fixed circuit's responses vary less than
    Poisson counts, so the bound is wide."""
    return 3 * np.sqrt((1 + 1 / 2) / counts.sum(axis=0).mean())


def test_nmda_block_removes_most_of_1_hz_windup(windup_frequency):
    fast, apv = windup_frequency["1 Hz"], windup_frequency["1 Hz, NMDA block"]
    # loose (~2 PN spikes per volley under block: bound ~1.2), and pooling 12 circuits does not help:
    # it halves the bound, but partial blocks' ratios fall with it (a 0.8 block passes either way).
    # The 15-volley version in tests/test_gate_control.py pools 8 circuits and fails at 0.85
    # the ratio (last two volleys / first, pooled), not the growth in spikes: the block also
    # shrinks the first response (xfail below), and a half block that keeps the ratio must fail
    assert apv[:, 0].sum() > 0, "the block must leave a first response to normalise by"
    bound = _no_windup_bound(apv)
    assert abs(_ratio(apv) - 1) < bound, (_ratio(apv), bound)
    assert _ratio(fast) - _ratio(apv) > bound, (_ratio(fast), _ratio(apv), bound)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="not reproduced: full NMDA block removes most of the PN response to the first C volley "
                   "too; measured values: validation rows nmda_block_baseline and nmda_block_c_component (painsim "
                   "validate, README).  The model's C synapses carry their charge mostly by NMDA "
                   "(models/gate_control.toml [dorsal_horn.c_pn]; docs/circuits.md, 'Sustained heat'); published: "
                   "NMDA antagonists prevent wind-up at doses that leave the baseline response unchanged (Woolf & "
                   "Thompson 1991; Dickenson & Sullivan 1987)")
def test_nmda_block_spares_the_first_response(windup_frequency):
    fast, apv = windup_frequency["1 Hz"], windup_frequency["1 Hz, NMDA block"]
    # Woolf & Thompson 1991 Pain 44:293 [checked: abstract]: MK-801 / D-CPP "at doses that did not modify
    # the baseline reflex" prevented wind-up; Dickenson & Sullivan 1987 Neuropharmacology 26:1235 [checked:
    # abstract]: AP5 made "minor changes in A and C fibre inputs" of deep dorsal-horn neurones, reduced wind-up.  "Spared"
    # chosen as at least half of the first response left under full block (the AMPA-carried part).
    assert apv[:, 0].sum() >= 0.5 * fast[:, 0].sum(), (apv[:, 0].sum(), fast[:, 0].sum())


# ------------------------------------------------------------------ 4. heat carried by C
@pytest.fixture(scope="module")
def heat_routes():
    """47 °C contact heat, 1.2 s, SEEDS: the full circuit, C -> PN and C -> EX cut, Aδ -> PN cut."""
    m = ps.load_model("gate_control")
    no_c = m.with_params({"dorsal_horn.c_pn.p": 0.0, "dorsal_horn.c_ex.p": 0.0})
    no_ad = m.with_params({"dorsal_horn.adelta_pn.p": 0.0})
    return _run([m, no_c, no_ad], 1.2 * second, noxious=heat(47))


def test_heat_response_is_carried_by_c_fibres(heat_routes):
    """Contact heat at 47 °C reaches the PN mostly through C fibres (CMH nociceptors, threshold
    ~41.5 °C; the Aδ AMHs' median thresholds are 46 and > 53 °C: painsim.fibers.responses).

    On PN counts pooled over SEEDS: "most" (more than half, the property itself) means cutting the
    C routes removes more than is left, full - 2 no_c > 0, beyond 3 Poisson sd of full - 2 no_c
    (sqrt(full + 4 no_c), the counts taken as independent: conservative, as they share input).  The
    Aδ route carries less: cutting it leaves more than cutting C, by 3 sd of the difference."""
    full, no_c, no_ad = (_pn_count(r) for r in heat_routes)
    assert _mean_pn(heat_routes[0]) > 5.0, "the comparison needs a heat response"
    assert full - 2 * no_c > 3 * np.sqrt(full + 4 * no_c), (full, no_c)
    assert exceeds(no_ad, no_c), (no_ad, no_c)


# ------------------------------------------------------------------ 5. ongoing pain
@pytest.fixture(scope="module")
def at_rest():
    """No stimulus, 2 s, SEEDS: the neuropathic preset, without its ectopic discharge, and without it
    with the C fibres' 0.1 Hz spontaneous firing off too (no afferent spike at all: the reference)."""
    n = ps.load_model("neuropathic")
    no_ectopia = n.with_params({"pathology.ectopic_fraction": 0.0})
    silent = no_ectopia.with_params({"afferents.C.spontaneous_rate": "0 Hz"})
    return _run([n, no_ectopia, silent], 2 * second)


def test_no_ongoing_pn_firing_without_ectopic_discharge(at_rest):
    """Negative control of the ectopia test below: without ectopic discharge the neuropathic circuit
    has no input to fire on (nociceptors silent but for 0.1 Hz spontaneous C firing), so its PN fire
    no more than with no afferent spike at all.  Pooled counts over SEEDS after the transient: the
    excess stays within 3 Poisson sd of the difference (sqrt of the two counts' sum; both 0 passes)."""
    _, no_ectopia, silent = (_pn_count(r) for r in at_rest)
    assert not exceeds(no_ectopia, silent), (no_ectopia, silent)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="not reproduced: the neuropathic preset's ectopic C input (models/neuropathic.toml "
                   "[pathology]) leaves its PN near-silent at rest (docs/circuits.md, 'Ongoing pain from ectopic "
                   "discharge: not reproduced' and 'Ongoing pain in the peripheral presets'; the pathway presets "
                   "miss likewise: validation rows resting_pn_rate_* and ongoing_pain_*)")
def test_ectopic_discharge_gives_ongoing_pn_firing(at_rest):
    # ongoing pain: PN at rest clearly above the ectopia-free control (> 2 Hz)
    ectopic, no_ectopia = _mean_pn(at_rest[0]), _mean_pn(at_rest[1])
    assert ectopic > 2.0 and ectopic > no_ectopia + 2.0, (ectopic, no_ectopia)


@pytest.mark.slow
def test_the_response_to_maintained_heat_adapts_because_the_c_input_does(monkeypatch):
    """Kenshalo et al. 1979 (abstract): primate spinothalamic discharge to maintained heat
    accelerates to a peak, then adapts to a new base-line.  The late plateau (8-10 s) must not
    exceed the early peak (largest 1-s rate of the first 4 s): a ratio <= 1 with 4 circuits'
    pooled counts (hundreds of spikes per bin, Poisson error a few %).

    The mechanism: the C heat nociceptors adapt (CMH peak near onset, Treede et al. 1995;
    painsim.fibers.encoding).  Negative control: with the CMH discharge held constant (the
    same 3-s mean, no adaptation) the same circuits' response grows (ratio > 1: NMDA, NK1 and
    the wind-up CAN current sum a constant C input; docs/circuits.md, "Sustained heat")."""
    from dataclasses import replace

    from painsim.fibers import encoding
    from painsim.validation.measurements import sustained_heat_ratio
    adapting = sustained_heat_ratio(1, "gate_control")
    (cmh,) = encoding.HEAT_RESPONSE["C"]
    monkeypatch.setitem(encoding.HEAT_RESPONSE, "C", (replace(cmh, plateau=1.0),))
    constant = sustained_heat_ratio(1, "gate_control")
    assert adapting <= 1.0 < constant, (adapting, constant)
