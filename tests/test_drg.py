"""Dorsal root ganglion stimulation (painsim.fibers.tjunction): the T-junction is a
use-dependent low-pass filter (Gemes et al. 2013), DRGS acts on it through the stem
spikes it evokes (Kent et al. 2018; Chao et al. 2020), and clinical DRGS amplitudes
recruit Aβ but not C stems (Graham et al. 2019).  Every property has a negative
control; tolerances are derived from the junction's own parameters."""
import math
from dataclasses import replace

import numpy as np
import pytest

import painsim as ps
from painsim.errors import ParameterError, UnknownKeyError
from painsim.fibers import FiberSet, afferent_input, population_for, recruitment_model, threshold
from painsim.fibers.tjunction import (JUNCTION, JunctionParams, following_frequency, junction_params,
                                      regular_train, transmit)
from painsim.rng import rng_for
from painsim.stimulation import tonic

C = JUNCTION["C"]


def _steady_load(j: JunctionParams, rate: float) -> float:
    """Load just before a spike of a regular train at ``rate`` that has loaded the
    junction for ever (every spike adds ``load``; it decays with ``tau_load``)."""
    q = math.exp(-1.0 / (rate * j.tau_load))
    return j.load * q / (1 - q)


def _rest_failures(j: JunctionParams, rate: float, n: int) -> float:
    """Upper bound on how many of ``n`` Poisson spikes of fibers firing at most at ``rate`` fail at a
    junction that no stem spike loads.  A spike fails only if it comes sooner after the last passed
    one than the recovery needs, ``S r < 1 + L``: within ``t_min = refractory + tau_recovery
    ln(1 / (1 - (1 + L) / S))``; the interval to the spike before it is shorter still, so
    ``p <= 1 - exp(-rate t_min)``.  The load ``L`` is the shot noise of the fiber's own spikes: mean
    ``load rate tau_load``, sd ``load sqrt(rate tau_load / 2)``; taken at mean + 4 sd.  The failures
    are at most binomial(n, p): bound ``n p + 4 sd``."""
    load = j.load * (rate * j.tau_load + 4 * math.sqrt(rate * j.tau_load / 2))
    need = (1 + load) / j.safety
    if need >= 1:
        return float(n)
    p = 1 - math.exp(-rate * (j.refractory + j.tau_recovery * math.log(1 / (1 - need))))
    return n * p + 4 * math.sqrt(n * p * (1 - p))


def _one_fiber(times, j, window=0.0, kinds=None):
    kinds = np.zeros(times.size, np.int64) if kinds is None else kinds
    return transmit(times, kinds, np.zeros(times.size, np.int64), np.array([window]), j)


@pytest.fixture(scope="module")
def neuropathic():
    m = ps.load_model("neuropathic")
    return m, dict(m.section("afferents")), dict(m.section("pathology"))


# ----------------------------------------------------------------- the junction
def test_kernel_equals_numpy_reference():
    rng = np.random.default_rng(3)
    n, m = 6, 600
    t = rng.uniform(0.0, 2.0, m)
    kind = (rng.random(m) < 0.4).astype(np.int64)
    fiber = rng.integers(0, n, m)
    window = rng.uniform(0.0, 0.3, n)
    seen = {"pass": 0, "fail": 0, "collide": 0}
    for j in (JUNCTION["C"], JUNCTION["Adelta"], JUNCTION["Abeta"], C.ideal()):
        for warm in (0.0, 3.0):
            p1, c1 = transmit(t, kind, fiber, window, j, warmup=warm, period=2.0)
            p2, c2 = transmit(t, kind, fiber, window, j, warmup=warm, period=2.0, reference=True)
            np.testing.assert_array_equal(p1, p2)
            np.testing.assert_array_equal(c1, c2)
            seen["pass"] += p1.sum()
            seen["collide"] += c1.sum()
            seen["fail"] += (~p1 & ~c1).sum()
    assert min(seen.values()) > 0   # every branch of the rule was exercised


def test_junction_passes_low_rates_and_blocks_high_rates():
    # 2 Hz (ectopic-like) regular train: the steady load stays below the safety margin
    assert _steady_load(C, 2.0) < C.safety - 1
    slow = regular_train(2.0, 40)
    assert _one_fiber(slow, C)[0].all()
    # 50 Hz: the steady load exceeds the margin, so once loaded nothing passes
    assert _steady_load(C, 50.0) > C.safety - 1
    fast = regular_train(50.0, 1000)                      # 20 s
    passed = _one_fiber(fast, C)[0]
    assert passed[:5].all()                               # a rested junction passes the onset
    assert passed[fast >= 10.0].sum() == 0
    # negative control: without refractoriness and load every spike passes
    assert _one_fiber(fast, C.ideal())[0].all()


def test_filtering_is_cumulative_and_strongest_in_c():
    """Gemes 2013: the 20-spike following frequency is below the 2-spike one, lowest in C."""
    ff = {c: (following_frequency(j, 2), following_frequency(j, 20)) for c, j in JUNCTION.items()}
    for c, (ff2, ff20) in ff.items():
        assert ff20 < ff2 * 0.99, c                       # 0.99: the 1 % rate grid
    assert ff["C"][1] < ff["Adelta"][1] < ff["Abeta"][1]
    # control: without the load (refractoriness only) 20 spikes follow as fast as 2
    no_load = replace(C, load=0.0)
    assert following_frequency(no_load, 20) == following_frequency(no_load, 2)


def test_antidromic_stem_spike_collides_with_peripheral_spike():
    T = 0.2                                               # peripheral conduction time, s
    t = np.array([0.10, 0.25])                            # stem spike, then a peripheral arrival
    kinds = np.array([1, 0])
    passed, collided = _one_fiber(t, JUNCTION["Abeta"], window=2 * T, kinds=kinds)
    assert passed[0] and collided[1] and not passed[1]
    # control: the peripheral spike arrives after 2 T (the antidromic spike left the axon)
    t_late = np.array([0.10, 0.10 + 2 * T + 0.01])
    passed, collided = _one_fiber(t_late, JUNCTION["Abeta"], window=2 * T, kinds=kinds)
    assert passed.all() and not collided.any()


# ----------------------------------------------------------------- DRGS on the cord's input
def _c_at_cord(aff, path, stimulus, seed=1):
    return afferent_input(aff, 2.0, seed, stimulus=stimulus, pathology=path)["C"].times.size


def test_drgs_reduces_c_spikes_reaching_the_cord(neuropathic):
    _, aff, path = neuropathic
    aff = dict(aff, recruitment="fraction")
    on = tonic("20 Hz", "300 us", 1.5, "2 s", target="drg", threshold_class="C")   # every C stem
    off = on.scaled(0.0)                                                               # lead at 0 mA
    n_off, n_on = _c_at_cord(aff, path, off), _c_at_cord(aff, path, on)
    assert n_off >= 20
    # 20 Hz stem trains load every C junction beyond its margin: nothing passes at steady state
    assert _steady_load(C, 20.0) > C.safety - 1
    # "fully blocked" (Chao et al. 2020), read as at most the validation row's published bound
    # (drg_c_filtering: < 10 % passing) of the C traffic that reaches the cord with the lead at 0 mA
    assert n_on <= ps.validation.get("drg_c_filtering").high * n_off, (n_on, n_off)
    # control 1: DRGS off passes the low-rate ectopic traffic (the junction at rest): no more spikes
    # fail than the junction's recovery lets fail at the fibers' highest rate (ectopic + spontaneous)
    n_rest = _c_at_cord(aff, path, None)
    rate = float(path["ectopic_rate"]) + float(aff["C"]["spontaneous_rate"])
    assert n_rest - n_off <= _rest_failures(C, rate, n_rest), (n_rest, n_off)
    # control 2: junction filtering removed -> the 20 Hz stem spikes pass: no reduction
    ideal = {k: getattr(C.ideal(), k) for k in ("safety", "refractory", "tau_recovery", "load", "tau_load")}
    aff_ideal = dict(aff, tjunction={"C": ideal})
    assert _c_at_cord(aff_ideal, path, on) > n_off


def test_drgs_blocks_ectopic_spikes_of_recruited_fibers_only(neuropathic):
    """Ectopic spikes fail (collision or junction) in fibers whose stems the lead fires; in the
    other fibers they pass as at rest: no more fail than the junction's own recovery lets fail
    (``_rest_failures`` at the ectopic rate, derived from the junction's parameters), not a fixed
    90 % passing.  10 s of ectopic traffic (~80 spikes in the unstimulated fibers): in 2 s (~18)
    the bound's 4 binomial sd allowed 4 failures, ~22 %; here ~10, ~12 %."""
    _, aff, path = neuropathic
    span = 10.0                                           # s of ectopic traffic
    fs = FiberSet.from_model(aff, 1)
    n_ect = int(round(path["ectopic_fraction"] * fs.counts["C"]))
    origin, ids = ps.fibers.poisson_train(path["ectopic_rate"], 0.0, span, n_ect, rng_for(1, "ectopic"))
    v = fs.velocity["C"]
    T = (aff["conduction_distance"] - 0.1) / v
    stem_fibers = np.arange(0, n_ect, 2)                  # the lead fires every other ectopic fiber
    st = np.tile(regular_train(20.0, int(20 * span)), stem_fibers.size)
    si = np.repeat(stem_fibers, int(20 * span))
    t = np.concatenate([origin + T[ids], st])
    kind = np.concatenate([np.zeros(ids.size, np.int64), np.ones(si.size, np.int64)])
    fib = np.concatenate([ids, si])
    passed, _ = transmit(t, kind, fib, 2 * T, C, warmup=10.0, period=span)
    ect = kind == 0
    stimulated = np.isin(fib, stem_fibers) & ect
    assert stimulated.sum() > 0 and (ect & ~stimulated).sum() > 0
    assert passed[stimulated].sum() == 0
    # unstimulated fibers: low-rate traffic passes, not fewer than the junction at rest lets pass
    rest = ect & ~stimulated
    failed = int(rest.sum() - passed[rest].sum())
    assert failed <= _rest_failures(C, float(path["ectopic_rate"]), int(rest.sum())), (failed, int(rest.sum()))


# ----------------------------------------------------------------- recruitment at the ganglion
def test_clinical_drgs_recruits_abeta_not_c(neuropathic):
    """Graham et al. 2019: clinical DRGS amplitudes (top of the range: 1 mA) drive Aβ, not C."""
    _, aff, _ = neuropathic
    aff = dict(aff, recruitment="biophysical")
    fs = FiberSet.from_model(aff, 1)
    model = recruitment_model("biophysical")
    clinical = tonic("20 Hz", "300 us", "1.0 mA", "0.25 s", target="drg")
    assert model.fire(clinical, fs, "C", aff, 1)[0].size == 0
    assert model.fire(clinical, fs, "Abeta", aff, 1)[0].size > 0
    pop = population_for(clinical, aff, 1)
    th = threshold(pop, 300e-6, shape="biphasic")
    assert th[pop.indices("C")].min() > 1e-3
    # control: the same lead far above the clinical range does fire C stems
    strong = tonic("20 Hz", "300 us", 3.0, "0.25 s", target="drg", threshold_class="C")
    assert model.fire(strong, fs, "C", aff, 1)[0].size > 0


def test_clinical_drgs_drives_the_projection_neurons_locked_to_its_pulses_through_the_direct_abeta_synapse():
    """Why the drgs_tonic protocol raises pain in drawn patients (docs/circuits.md, "Why DRG
    stimulation raises pain"): its pulses fire every Aβ fibre of the segment (20 Hz) and the
    projection neurons follow them through the monosynaptic Aβ -> PN (WDR) synapse.  Locked:
    the vector strength at 20 Hz of the pooled PN spikes exceeds 0.8 (a 20 Hz lock with < 5 ms
    jitter, VS = exp(-(2 pi f sigma)^2 / 2)); spikes at random phases give ~1/sqrt(n) < 0.2 for the
    n > 25 spikes required.  Control: without the Aβ -> PN synapse the same volleys fire no PN."""
    drg = ps.protocols.get("drgs_tonic")
    base = ps.load_model("gate_control").with_params(drg.device_overrides)
    variants = {"intact": base, "no Abeta->PN": base.with_params({"dorsal_horn.abeta_pn.p": 0.0})}
    res = ps.simulate_batch([ps.Request(m, drg.waveform(0.0, 1.0), seed=s, label=k)
                             for k, m in variants.items() for s in (1, 2)], "1 s")
    spikes = {k: [] for k in variants}
    for r in res:
        assert float(r.rates.sel(population="Abeta").mean()) == pytest.approx(20.0, abs=0.5)
        pops = r.spike_population.attrs["flag_meanings"].split()
        t = r.spike_time.values[r.spike_population.values == pops.index("PN")]
        spikes[r.attrs["label"]].append(t[t >= base.si("readout.transient")])
    locked = np.concatenate(spikes["intact"])
    assert locked.size > 25
    assert abs(np.mean(np.exp(2j * np.pi * 20.0 * locked))) > 0.8
    assert np.concatenate(spikes["no Abeta->PN"]).size == 0


def test_drg_target_has_its_own_geometry(neuropathic):
    _, aff, _ = neuropathic
    drg = population_for(tonic("20 Hz", "300 us", "1 mA", "0.1 s", target="drg"), aff, 1)
    nerve = population_for(tonic("20 Hz", "300 us", "1 mA", "0.1 s", target="peripheral_nerve"), aff, 1)
    assert drg.geometry == "drg" and nerve.geometry == "peripheral_nerve"
    assert drg.sigma != nerve.sigma
    assert set(drg.labels) == {"Abeta", "Adelta", "C"}


def test_without_a_drg_lead_the_junction_is_not_applied(neuropathic):
    """Bit-for-bit: a junction that would block everything changes nothing for other targets."""
    _, aff, path = neuropathic
    blocking = dict(aff, tjunction={c: {"safety": 1.0, "refractory": 10.0} for c in JUNCTION})
    for stim in (None, tonic("20 Hz", "300 us", 1.5, "1 s", target="peripheral_nerve")):
        a = afferent_input(aff, 1.0, 2, stimulus=stim, noxious=ps.fibers.natural(0.5), pathology=path)
        b = afferent_input(blocking, 1.0, 2, stimulus=stim, noxious=ps.fibers.natural(0.5), pathology=path)
        for c in a:
            np.testing.assert_array_equal(a[c].times, b[c].times)
            np.testing.assert_array_equal(a[c].fibers, b[c].fibers)
    # ... and it is applied with a DRG lead (the override is read)
    drg = tonic("20 Hz", "300 us", "0 mA", "1 s", target="drg")
    assert afferent_input(blocking, 1.0, 2, stimulus=drg, pathology=path)["C"].times.size == 0


def test_bad_junction_parameters_are_refused(neuropathic):
    _, aff, path = neuropathic
    with pytest.raises(ParameterError, match=r"afferents\.tjunction\.C\.safety"):
        junction_params({"tjunction": {"C": {"safety": 0.5}}}, "C")
    with pytest.raises(ParameterError, match=r"afferents\.tjunction\.C\.tau_load"):
        junction_params({"tjunction": {"C": {"tau_load": 0.0}}}, "C")
    with pytest.raises(UnknownKeyError):
        junction_params({"tjunction": {"C": {"safty": 2.0}}}, "C")
    with pytest.raises(ParameterError, match="drg_distance"):
        afferent_input(dict(aff, drg_distance=1.0), 0.5, 1,
                       stimulus=tonic("20 Hz", "300 us", "0 mA", "0.5 s", target="drg"), pathology=path)


def test_drgs_protocol_is_in_the_library():
    p = ps.protocols.get("drgs_tonic")
    wf = p.waveform(0.0, 1.0)
    assert wf.target == "drg" and wf.n_pulses == 20 and wf.amplitude_kind == "current"
    assert ps.protocols.get("drgs_tonic_sham").is_sham


# ----------------------------------------------------------------- one tiny network
def test_clinical_drgs_reaches_the_gate_but_not_the_c_input(neuropathic):
    model, _, _ = neuropathic
    model = model.with_params({"afferents.recruitment": "biophysical"})
    lead = tonic("20 Hz", "300 us", "0.6 mA", "0.4 s", target="drg")
    on, off = (ps.simulate(model, stimulus=w, duration="0.4 s", seed=1) for w in (lead, lead.scaled(0.0)))
    rate = lambda ds, p: float(ds.rates.sel(population=p).mean())   # noqa: E731
    assert rate(on, "Abeta") > 0 and rate(off, "Abeta") == 0
    assert rate(on, "IN") > rate(off, "IN")               # the Aβ -> IN gate receives the lead's volleys
    assert rate(on, "C") == rate(off, "C")                # no C stem fires: the C input is unchanged
