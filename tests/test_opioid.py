"""Endogenous opioids: descending PAG/RVM control releases them in the dorsal horn, where mu-opioid
receptors act presynaptically on C and Aδ terminals and postsynaptically (GIRK); the excitation of the
PAG/RVM neurons is itself relayed through opioid disinhibition inside the PAG/RVM
(``descending.opioid_relay_fraction``), so naloxone (``dorsal_horn.pharmacology.opioid_block``)
abolishes motor-cortex rTMS analgesia (de Andrade et al. 2011 Pain 152:320); motor-cortex activity
also releases opioid in the anterior cingulate (Maarrawi et al. 2007 Neurology 69:827).  Conditions
run in one batched network, seeded."""
import numpy as np
import pytest
from scipy import stats

import painsim as ps

SEEDS = (1, 2, 3)
DURATION = "1.5 s"
NALOXONE = {"dorsal_horn.pharmacology.opioid_block": 1.0}
NO_RELAY = {"descending.opioid_relay_fraction": 0.0}


def _pn(results):
    return float(np.mean([float(r.pn_rate) for r in results]))


@pytest.fixture(scope="module")
def rtms():
    m = ps.load_model("peripheral_neuropathic")
    naloxone = m.with_params(NALOXONE)
    no_girk = m.with_params({"dorsal_horn.opioid.girk_conductance": "0 nS"})
    no_presynaptic = {"dorsal_horn.opioid.presynaptic_c": 0.0, "dorsal_horn.opioid.presynaptic_adelta": 0.0}
    no_pre, no_spinal = m.with_params(no_presynaptic), no_girk.with_params(no_presynaptic)
    no_relay_naloxone = m.with_params({**NALOXONE, **NO_RELAY})
    sham = ps.stimulation.rtms(intensity=0.0, n_trains=1, train_duration=DURATION)
    real = ps.stimulation.rtms(intensity=0.8, n_trains=1, train_duration=DURATION)
    conds = {"sham": (m, sham), "rTMS": (m, real), "naloxone sham": (naloxone, sham),
             "naloxone rTMS": (naloxone, real), "rTMS, no GIRK": (no_girk, real), "rTMS, no presynaptic": (no_pre, real),
             "rTMS, no spinal opioid": (no_spinal, real),
             "no relay, naloxone sham": (no_relay_naloxone, sham), "no relay, naloxone rTMS": (no_relay_naloxone, real)}
    reqs = [ps.Request(mm, st, 0.6, seed=s) for mm, st in conds.values() for s in SEEDS]
    res = ps.simulate_batch(reqs, DURATION)
    k = len(SEEDS)
    return {name: res[i * k:(i + 1) * k] for i, name in enumerate(conds)}


def _spikes(result, population):
    return ps.readouts.population_spikes(result, population, sort=True)[:2]


def test_rtms_raises_descending_activity_and_lowers_pn(rtms):
    desc = lambda rr: float(np.mean([float(r.descending_rate) for r in rr]))  # noqa: E731
    assert desc(rtms["rTMS"]) > 3 * desc(rtms["sham"])
    # the painful site's 10 PN x 1.2 s x 3 seeds at ~80 Hz ~ 2900 spikes:
    # Poisson sd ~2 %, so a 10 % drop is far beyond counting noise
    assert _pn(rtms["rTMS"]) < 0.9 * _pn(rtms["sham"])


def test_naloxone_abolishes_rtms_analgesia_through_the_pag_rvm_relay(rtms):
    """de Andrade 2011: naloxone abolished the analgesia.  M1 reaches the projection neurons only
    through the PAG/RVM, whose excitation naloxone withdraws with the relay's receptors: under
    naloxone the train changes no descending and no PN spike, in every circuit (exact: the M1 -> PAG/RVM
    conductance is 0)."""
    for real, sham in zip(rtms["naloxone rTMS"], rtms["naloxone sham"]):
        for population in ("DESC", "PN"):
            for a, b in zip(_spikes(real, population), _spikes(sham, population)):
                np.testing.assert_array_equal(a, b)
    # naloxone alone (at rest, sham) changes PN output by far less than the rTMS effect: the resting
    # opioid tone is small (~5 % occupancy) and M1 adds little to the descending neurons at rest
    effect = _pn(rtms["sham"]) - _pn(rtms["rTMS"])
    assert abs(_pn(rtms["naloxone sham"]) - _pn(rtms["sham"])) < 0.25 * effect


def test_without_the_relay_naloxone_leaves_the_gaba_glycine_part(rtms):
    """The negative control of the relay: with the PAG/RVM excitation not opioid-relayed, naloxone blocks
    only the spinal receptors, and the train still drives the descending neurons and lowers PN output
    through their GABA/glycine, in every circuit; by less than without naloxone (the opioid part)."""
    desc = lambda rr: np.array([float(r.descending_rate) for r in rr])  # noqa: E731
    pn = lambda rr: np.array([float(r.pn_rate) for r in rr])  # noqa: E731
    assert np.all(desc(rtms["no relay, naloxone rTMS"]) > 3 * desc(rtms["no relay, naloxone sham"]))
    left = pn(rtms["no relay, naloxone sham"]) - pn(rtms["no relay, naloxone rTMS"])
    assert np.all(left > 0), left
    assert left.mean() < (_pn(rtms["sham"]) - _pn(rtms["rTMS"]))


def test_opioid_acts_presynaptically_and_postsynaptically(rtms):
    """Removing either spinal route leaves part of the spinal opioid effect: each is a mechanism of its own."""
    full = _pn(rtms["rTMS, no spinal opioid"]) - _pn(rtms["rTMS"])  # the spinal opioid part of the effect
    assert full > 0
    for cond in ("rTMS, no GIRK", "rTMS, no presynaptic"):
        part = _pn(rtms["rTMS, no spinal opioid"]) - _pn(rtms[cond])
        assert 0 < part < full, cond


def test_no_opioid_without_its_source():
    """The spinal-only model has no descending neurons: naloxone changes no spike there."""
    m = ps.load_model("gate_control")
    a, b = ps.simulate_batch([ps.Request(m, None, 0.6, seed=1),
                              ps.Request(m.with_params(NALOXONE), None, 0.6,
                                         seed=1)], "0.5 s")
    np.testing.assert_array_equal(a.spike_time.values, b.spike_time.values)


# ------------------------------------------------------------------ the cingulate route
#: Circuits and window of the cingulate test: the route's effect on the ACC rate (a few tenths of a
#: Hz) is of the size of the divergence of two paired runs, so it is read as a paired mean over
#: circuits, on a 1-s window (cheaper than the 1.5 s of the tests above).
CINGULATE_SEEDS = tuple(range(1, 7))
CINGULATE_DURATION = "1 s"


@pytest.fixture(scope="module")
def cingulate():
    """rTMS or sham during 45 °C heat, with the M1 -> anterior cingulate opioid route and with
    it cut (``medial.opioid.m1_p = 0``), peripheral_neuropathic, :data:`CINGULATE_SEEDS`, one batch."""
    m = ps.load_model("peripheral_neuropathic")
    painful = int(m.si("body.painful_site"))
    cut = m.with_params({"medial.opioid.m1_p": 0.0})
    sham = ps.stimulation.rtms(intensity=0.0, n_trains=1, train_duration=CINGULATE_DURATION)
    real = ps.stimulation.rtms(intensity=0.8, n_trains=1, train_duration=CINGULATE_DURATION)
    conds = {"sham": (m, sham), "rTMS": (m, real), "cut sham": (cut, sham), "cut rTMS": (cut, real)}
    reqs = [ps.Request(mm, st, {painful: ps.fibers.heat(45)}, seed=s) for mm, st in conds.values()
            for s in CINGULATE_SEEDS]
    res = ps.simulate_batch(reqs, CINGULATE_DURATION)
    k = len(CINGULATE_SEEDS)
    return {name: res[i * k:(i + 1) * k] for i, name in enumerate(conds)}


def _per_seed(results, var):
    return np.array([float(r[var]) for r in results])


def test_cutting_the_cingulate_route_leaves_the_layers_below_unchanged(cingulate):
    for stim in ("sham", "rTMS"):
        for var in ("pn_rate", "m1_rate", "descending_rate"):
            np.testing.assert_array_equal(_per_seed(cingulate[stim], var), _per_seed(cingulate[f"cut {stim}"], var))


def test_rtms_releases_opioid_in_the_cingulate(cingulate):
    """Maarrawi et al. 2007: motor cortex stimulation releases opioids in the anterior midcingulate
    cortex.  With the route, rTMS leaves the ACC quieter than without it: the paired difference
    (route cut minus intact, same circuit and spikes below the ACC) is positive on average by a
    one-sided paired t-test at 2.5 % (mean over its standard error above the t quantile for
    n - 1 degrees of freedom: 2.57 for 6 circuits; two standard errors would be ~5 %).
    The effect is small, a few % of the ACC rate, and of the size of the chaotic divergence of two
    paired runs, so single circuits may show none (seed 1 at 45 °C since the C gain 0.7125); the
    route also acts at rest, where M1 fires little (the sham difference is not pure noise)."""
    effect = _per_seed(cingulate["cut rTMS"], "acc_rate") - _per_seed(cingulate["rTMS"], "acc_rate")
    standard_error = effect.std(ddof=1) / np.sqrt(effect.size)
    assert effect.mean() > stats.t.ppf(1 - 0.025, effect.size - 1) * standard_error, effect


def test_naloxone_blocks_the_cingulate_release():
    m = ps.load_model("peripheral_neuropathic")
    assert ps.circuits.medial.cingulate_opioid(m) > 0
    assert ps.circuits.medial.cingulate_opioid(m.with_params({"dorsal_horn.pharmacology.opioid_block": 1.0})) == 0
