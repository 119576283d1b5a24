"""Deep-tissue afferents and the spino-PAG route (painsim.circuits.spino_pag; issue 15 part 5).

Properties: the route is inert without peripheral electrical stimulation (natural stimuli are
cutaneous, a dorsal-column lead reaches no deep afferent: Radhakrishnan & Sluka 2005, Freeman et
al. 1983); TENS at one site recruits the deep afferents of that site only, drives the spino-PAG
neurons and the PAG/RVM; cutting the route (``spino_pag.integrity = 0``) removes exactly that
(the negative control); the opioid the PAG/RVM then releases is a naloxone-sensitive part of
TENS's effect at a remote site that exists only with the route; and the PAG/RVM's excitation by the
route passes through their opioid relay, which naloxone blocks (Kalra, Urban & Sluka 2001).  Magnitudes against the
published naloxone reversal are in the validation table (``tens_naloxone_share``), not here.
"""
import numpy as np
import pytest

import painsim as ps
from painsim.circuits import STACKS, dorsal_horn, spino_pag, stack
from painsim.errors import ParameterError
from painsim.fibers import brush, heat
from painsim.simulation.inputs import route_stimulus

SEEDS = (1, 2, 3)
DURATION = "1 s"
NALOXONE = {"dorsal_horn.pharmacology.opioid_block": 1.0}
CUT = {"spino_pag.integrity": 0.0}
NO_RELAY = {"descending.opioid_relay_fraction": 0.0}
REMOTE = 0      # TENS at site 0, heat at the painful site (2): the remote test of Sluka's secondary hyperalgesia


def _spikes(ds, population):
    return ps.readouts.population_spikes(ds, population, sort=True)[:2]


@pytest.fixture(scope="module")
def model():
    return ps.load_model("healthy")


def test_electrical_waveforms_reach_the_dorsal_horn_and_the_deep_afferents(model):
    routed = route_stimulus(stack(model), ps.stimulation.tens("conventional", 1.5, "0.1 s"))
    assert set(routed) == {"dorsal_horn", "spino_pag"}
    assert set(route_stimulus(stack(ps.load_model("gate_control")),
                              ps.stimulation.tens("conventional", 1.5, "0.1 s"))) == {"dorsal_horn"}
    assert set(route_stimulus(stack(model), ps.stimulation.rtms(intensity=0.8, n_trains=1,
                                                                 train_duration="0.1 s"))) == {"cortex"}


@pytest.mark.parametrize("target", ["skin", "peripheral_nerve", "dorsal_root", "dorsal_column", "drg"])
def test_deep_afferents_fire_only_for_electrodes_outside_the_cord(model, target):
    wf = ps.stimulation.tonic("100 Hz", "200 us", 1.5, "0.5 s", target=target, site=REMOTE)
    deep = spino_pag.inputs(model, wf, None, None, 1, 0.5)["DEEP"]
    per_site = spino_pag.population_sizes(model)["DEEP"] // int(model.si("body.n_sites"))
    if target in spino_pag.DEEP_TARGETS:
        # 1.5x the Aβ threshold: group II (the Aβ-sized part, the first of the site's fibres) follows
        # every pulse, group III (Aδ-sized, threshold 3x) stays silent
        n_ii = int(model.si("spino_pag.n_group_ii"))
        assert deep.fibers.size > 0
        assert np.all(deep.fibers // per_site == REMOTE)
        assert np.all(deep.fibers % per_site < n_ii)
    else:
        assert deep.fibers.size == 0
    none = spino_pag.inputs(model, None, None, None, 1, 0.5)["DEEP"]
    assert none.fibers.size == 0 and none.n == spino_pag.population_sizes(model)["DEEP"]


def test_deep_afferents_are_drawn_independently_of_the_cutaneous_ones(model):
    site = int(model.si("body.painful_site"))
    a = ps.fibers.FiberSet.from_model(spino_pag.deep_afferent_params(model), spino_pag.deep_seed(1, site))
    b = ps.fibers.FiberSet.from_model(model.section("afferents"), dorsal_horn.site_seed(1, site))
    assert a.counts["C"] == 0 and a.counts["Abeta"] == int(model.si("spino_pag.n_group_ii"))
    assert not np.allclose(a.threshold["Abeta"], b.threshold["Abeta"][:a.counts["Abeta"]])


def test_a_bad_stimulus_site_is_refused_by_the_layer_itself(model):
    """A site the model lacks is refused by the layer (it knows the body); a site that is no
    site index at all is refused when the waveform is made."""
    for site in (7, [1, 7]):
        wf = ps.stimulation.tens("conventional", 1.5, "0.1 s", site=site)
        with pytest.raises(ParameterError, match="stimulus.site"):
            spino_pag.inputs(model, wf, None, None, 1, 0.1)
    for site in (-1, 2.0):
        with pytest.raises(ParameterError, match="site"):
            ps.stimulation.tens("conventional", 1.5, "0.1 s", site=site)


def test_a_magnetic_coil_over_a_nerve_reaches_the_deep_afferents(model):
    """The mPNS coil's field fires the deep afferents it reaches, as it fires cutaneous ones
    (magnetic waveforms are routed to both layers)."""
    protocol = ps.protocols.get("mpns")
    coil = protocol.waveform(0.0, 4.0)
    assert set(route_stimulus(stack(model), coil)) == {"dorsal_horn", "spino_pag"}
    m = model.with_params(protocol.device_overrides) if protocol.device_overrides else model
    deep = spino_pag.inputs(m, coil, None, None, 1, 4.0)["DEEP"]
    cutaneous = dorsal_horn.inputs(m, coil, [0.0] * 5, [0.0] * 5, 1, 4.0)["Abeta"]
    assert cutaneous.fibers.size > 0
    assert deep.fibers.size > 0


def _without_layer(monkeypatch):
    monkeypatch.setitem(STACKS, "pathway", tuple(name for name in STACKS["pathway"] if name != "spino_pag"))


@pytest.fixture(scope="module")
def inert(model):
    """Heat, brush, dorsal-column SCS and M1 rTMS (seed 1): with the layer (route intact and cut)
    and with the layer removed from the stack."""
    painful = int(model.si("body.painful_site"))
    scs = ps.stimulation.tonic("50 Hz", "200 us", 1.5, DURATION)
    tms = ps.stimulation.rtms(intensity=0.8, n_trains=1, train_duration=DURATION)
    conditions = [(None, {painful: heat(47)}, 0.0), (None, 0.0, {painful: brush()}), (scs, 0.5, 0.0),
                  (tms, 0.6, 0.0)]
    k = len(conditions)
    reqs = [ps.Request(m, st, nox, touch, seed=1) for m in (model, model.with_params(CUT))
            for st, nox, touch in conditions]
    res = ps.simulate_batch(reqs, DURATION)
    with pytest.MonkeyPatch.context() as mp:
        _without_layer(mp)
        # a parameter only the layer reads, so the plan cache cannot hand back a plan with the layer
        bare = model.with_params({"spino_pag.afferent_weight": "5 nS"})
        without = ps.simulate_batch([ps.Request(bare, st, nox, touch, seed=1) for st, nox, touch in conditions],
                                    DURATION)
    return res[:k], res[k:], without


def test_the_route_is_silent_without_peripheral_electrical_stimulation(inert):
    for ds in inert[0]:
        assert _spikes(ds, "DEEP")[0].size == 0 and _spikes(ds, "SPAG")[0].size == 0


def test_cutting_the_route_changes_no_spike_without_peripheral_stimulation(inert):
    """Heat, brush and dorsal-column SCS (Freeman 1983: SCS relief is naloxone-insensitive) never
    engage the route, so the circuit is the same with it cut."""
    for intact, cut in zip(inert[0], inert[1]):
        np.testing.assert_array_equal(intact.spike_time.values, cut.spike_time.values)
        np.testing.assert_array_equal(intact.spike_neuron.values, cut.spike_neuron.values)


def test_adding_the_layer_changes_no_spike_of_the_other_layers(inert):
    """Its own random streams and an input that is silent here: every population of the other
    layers fires exactly as in the stack without it (heat, brush, SCS, rTMS)."""
    for with_layer, without in zip(inert[0], inert[2]):
        names = without["spike_population"].attrs["flag_meanings"].split()
        assert "SPAG" not in names
        for population in names:
            for a, b in zip(_spikes(with_layer, population), _spikes(without, population)):
                np.testing.assert_array_equal(a, b)


@pytest.fixture(scope="module")
def remote(model):
    """PN at the painful site under 49 °C heat, with and without conventional TENS at a remote
    site, route intact or cut, with and without naloxone; seeds 1-3 in one batch.  49 °C (not 47)
    keeps PN well above zero under remote TENS, which the monoaminergic loop (Aβ -> DCN -> MA) and
    the descending GABA/glycine already lower to a few Hz at 47 °C, so that the opioid part shows."""
    painful = int(model.si("body.painful_site"))
    conv = ps.stimulation.tens("conventional", 1.5, DURATION, site=REMOTE)
    models = {"intact": model, "naloxone": model.with_params(NALOXONE), "cut": model.with_params(CUT),
              "cut naloxone": model.with_params({**NALOXONE, **CUT}),
              "no relay naloxone": model.with_params({**NALOXONE, **NO_RELAY})}
    labels = [(name, st) for name in models for st in ("none", "tens")]
    reqs = [ps.Request(models[name], conv if st == "tens" else None, {painful: heat(49)}, seed=s)
            for name, st in labels for s in SEEDS]
    res = ps.simulate_batch(reqs, DURATION)
    k = len(SEEDS)
    return {label: res[i * k:(i + 1) * k] for i, label in enumerate(labels)}


def _rate(results, var):
    return np.array([float(r[var]) for r in results])


def test_remote_tens_drives_the_spino_pag_neurons_and_the_pag(remote):
    assert np.all(_rate(remote["intact", "tens"], "spag_rate") > 0)
    assert np.all(_rate(remote["intact", "none"], "spag_rate") == 0)
    # the PAG/RVM fire more in every circuit (that the rise is the route's alone: the route-cut test)
    assert np.all(_rate(remote["intact", "tens"], "descending_rate") > _rate(remote["intact", "none"], "descending_rate"))


def test_cutting_the_route_removes_the_pag_response_exactly(remote):
    for with_tens, without in zip(remote["cut", "tens"], remote["cut", "none"]):
        t1, i1 = _spikes(with_tens, "DESC")
        t0, i0 = _spikes(without, "DESC")
        np.testing.assert_array_equal(t1, t0)
        np.testing.assert_array_equal(i1, i0)


def test_the_route_adds_to_the_remote_tens_effect(remote):
    """With the route, remote TENS lowers PN output further than with it cut, in every circuit."""
    assert np.all(_rate(remote["intact", "tens"], "pn_rate") < _rate(remote["cut", "tens"], "pn_rate"))


def test_naloxone_sensitive_part_of_remote_tens_needs_the_route(remote):
    """The opioid the route makes the PAG/RVM release: naloxone raises PN output under remote TENS by
    more with the route than with it cut (where it removes only the resting opioid tone), in every
    circuit.  Paired within a circuit: the same seed draws the same afferent spikes and connectivity
    in all four conditions, so the difference is the opioid's, not sampling noise."""
    def naloxone_rise(intact, blocked):
        return _rate(remote[blocked, "tens"], "pn_rate") - _rate(remote[intact, "tens"], "pn_rate")
    with_route = naloxone_rise("intact", "naloxone")
    without = naloxone_rise("cut", "cut naloxone")
    assert np.all(with_route > 0), with_route
    assert np.all(with_route > without), (with_route, without)


def test_naloxone_withdraws_the_pag_response_through_the_relay(remote):
    """Kalra, Urban & Sluka 2001: an opioid antagonist in the RVM prevents TENS antihyperalgesia (an
    opiate-mediated activation of descending inhibition).  Under naloxone remote TENS changes no
    descending spike, in every circuit (exact: the relayed SPAG -> PAG/RVM conductance is 0); the
    negative control: with the excitation not relayed (``descending.opioid_relay_fraction = 0``)
    naloxone leaves the PAG/RVM response to TENS in every circuit."""
    for with_tens, without in zip(remote["naloxone", "tens"], remote["naloxone", "none"]):
        for a, b in zip(_spikes(with_tens, "DESC"), _spikes(without, "DESC")):
            np.testing.assert_array_equal(a, b)
    assert np.all(_rate(remote["no relay naloxone", "tens"], "descending_rate")
                  > _rate(remote["no relay naloxone", "none"], "descending_rate"))
