"""The dorsal-horn gate: science properties of the foundation circuit.

All conditions of a test run in one batched network (``simulate_batch``);
the batch-independence test below is what makes that legitimate.
"""
import numpy as np
import pytest
from brian2 import Hz, ms, second, us

import painsim as ps
from painsim.circuits import build_networks, build_plan, shared_parameters
from painsim.simulation import PointsRunner, point_input
from batches import exceeds, spikes_after_transient

DURATION = 2 * second
NOXIOUS = 0.6  # moderate noxious heat: C fibers at 0.6 x max_rate


@pytest.fixture(scope="module")
def gate_results():
    m = ps.load_model("gate_control")
    blocked = m.with_params({"dorsal_horn.pharmacology.gaba_block": 1.0})
    scs = ps.stimulation.tonic(50 * Hz, 200 * us, 1.5, DURATION)  # Aβ-strength, dorsal column
    reqs = [ps.Request(m, None, NOXIOUS, seed=3), ps.Request(m, scs, NOXIOUS, seed=3),
            ps.Request(blocked, None, NOXIOUS, seed=3), ps.Request(blocked, scs, NOXIOUS, seed=3),
            ps.Request(ps.load_model("neuropathic"), None, NOXIOUS, seed=3)]
    return dict(zip(["C", "C+SCS", "blocked C", "blocked C+SCS", "neuropathic C"],
                    ps.simulate_batch(reqs, DURATION)))


def _count(res, population="PN"):
    """Spikes of ``population`` in the readout window (after ``readout.transient``), all neurons."""
    return spikes_after_transient([res], population)


def test_gate_closes_partially_with_abeta_stimulation(gate_results):
    c, scs = _count(gate_results["C"]), _count(gate_results["C+SCS"])
    assert float(gate_results["C"].pn_rate) > 5.0, "noxious input must drive the projection neurons"
    # Tolerances from Poisson counting noise (sd of a count n ~ sqrt(n)): the gate closes when
    # the PN count falls by more than 3 sd of the difference of two counts (sqrt(c + scs)), and
    # partially when what is left stays more than 3 sd above zero (scs > 3 sqrt(scs)), as the
    # published gate is partial (issue "Neuropathic pain as patients have it" part 3; the
    # published size, on C-carried heat, is a strict xfail in tests/test_spinal_phenotype.py)
    assert exceeds(c, scs), (c, scs)
    assert scs > 3 * np.sqrt(scs), (c, scs)
    assert float(gate_results["C+SCS"].pain) < float(gate_results["C"].pain)
    assert float(gate_results["C+SCS"].gate_index) > float(gate_results["C"].gate_index)


def test_reduction_vanishes_when_inhibition_blocked(gate_results):
    c, scs = _count(gate_results["blocked C"]), _count(gate_results["blocked C+SCS"])
    # without GABA_A/glycine, Aβ input can only add excitation (WDR neurons receive Aβ): the PN count
    # falls by no more than counting noise (3 Poisson sd of the difference, sqrt(c + scs))
    assert not exceeds(c, scs), (c, scs)
    # the block removes the inhibition, not the interneurons' drive: the stimulation still makes
    # the IN fire, by more than 3 Poisson sd of the difference of the two counts (a block that
    # silenced the interneurons instead would pass the PN check above and fail here)
    in_scs, in_c = _count(gate_results["blocked C+SCS"], "IN"), _count(gate_results["blocked C"], "IN")
    assert exceeds(in_scs, in_c), (in_scs, in_c)


def test_neuropathic_preset_hurts_more_than_healthy(gate_results):
    assert float(gate_results["neuropathic C"].pain) > float(gate_results["C"].pain)
    assert float(gate_results["neuropathic C"].pn_rate) > float(gate_results["C"].pn_rate)


def test_result_is_labelled(gate_results):
    r = gate_results["C"]
    assert r["rates"].dims == ("population", "time")
    assert set(r.population.values) >= {"Abeta", "Adelta", "C", "IN", "EX", "PN"}
    assert r["rates"].attrs["units"] == "Hz" and r["pain"].attrs["units"] == "1" and "NRS" in r["pain"].attrs["long_name"]
    assert r.attrs["seed"] == 3 and r.attrs["painsim_version"] == ps.__version__
    assert "dorsal_horn" in r.attrs["parameters"]
    assert 0.0 <= float(r.pain) <= 10.0


def _pn_spikes_per_pulse(res, n_pulses, period=1.0):
    """PN spikes (all neurons, not per neuron: counts, for Poisson bounds) after each pulse."""
    n_pn = int(res.population_size.sel(population="PN"))
    return ps.analysis.spikes_per_pulse(res, np.arange(n_pulses) * period, period, "PN") * n_pn


#: circuits pooled for the NMDA-block comparison: the block leaves ~2 PN spikes per volley in one
#: circuit, where the no-wind-up bound (_no_windup_bound) is ~2.4 on the ratio and a 0.85 block (ratio
#: 1.5) passes for a full one; 8 circuits pooled make it ~0.7
NMDA_SEEDS = tuple(range(2, 10))


@pytest.fixture(scope="module")
def windup():
    # 15 C-strength (1.5 x C threshold) 2 ms pulses at 1 Hz to the nerve (Aguiar 2010 protocol)
    wf = ps.stimulation.tonic(1 * Hz, 2 * ms, 1.5, 15 * second, threshold_class="C",
                              target="peripheral_nerve", shape="monophasic")
    m = ps.load_model("gate_control")
    apv = m.with_params({"dorsal_horn.pharmacology.nmda_block": 1.0})
    # the slow carriers of wind-up removed, NMDA and AMPA kept: no CAN current (NMDA-gated calcium ->
    # CAN, Aguiar et al. 2010; models/gate_control.toml [dorsal_horn.windup]) and NK1 blocked
    no_slow = m.with_params({"dorsal_horn.windup.can_conductance": 0.0, "dorsal_horn.pharmacology.nk1_block": 1.0})
    runs = [(m, NMDA_SEEDS), (apv, NMDA_SEEDS), (no_slow, NMDA_SEEDS[:1])]
    res = ps.simulate_batch([ps.Request(mm, wf, seed=s) for mm, seeds in runs for s in seeds], 15 * second)
    counts = np.array([_pn_spikes_per_pulse(r, 15) for r in res])
    k = len(NMDA_SEEDS)
    # control and CAN/NK1 control in circuit 2 (the first of NMDA_SEEDS); the NMDA comparison pooled
    return {"control": counts[0], "no slow": counts[-1], "control, pooled": counts[:k].sum(axis=0),
            "NMDA block, pooled": counts[k:2 * k].sum(axis=0)}


def _growth(counts, k=5):
    """Pooled PN spikes of the last ``k`` volleys minus the first ``k``, and 3 Poisson sd of that
    difference (sqrt of the two counts' sum: each pooled count's variance is its mean if it is
    Poisson-like; a fixed circuit varies less, so the bound is conservative)."""
    first, last = counts[:k].sum(), counts[-k:].sum()
    return last - first, 3 * np.sqrt(first + last)


def test_windup_grows_over_15_pulses(windup):
    """Wind-up (Mendell 1966; Aguiar et al. 2010 protocol): the PN response to 1 Hz C-strength volleys
    grows over the train.  The last third's pooled count exceeds the first third's by more than 3 sd
    of their difference; growth is progressive (the second half beyond the first by 3 sd too).
    Negative control: with the slow depolarisation that carries it removed (CAN current off, NK1
    blocked; AMPA and NMDA kept) the same train in the same circuit shows no growth within the same
    bound (a fixed 1.5x was met with the CAN current alone removed: 5 -> 9.3 spikes)."""
    control, no_slow = windup["control"], windup["no slow"]
    assert control[0] > 0 and no_slow[0] > 0
    growth, bound = _growth(control)
    assert growth > bound, (control, growth, bound)
    second, first = control[8:].sum(), control[:7].sum()
    assert exceeds(second, first), (control, second, first)
    growth, bound = _growth(no_slow)
    assert abs(growth) < bound, (no_slow, growth, bound)


def _windup_ratio(counts):
    """Wind-up normalised by the response: mean of the last three volleys' counts / the first's."""
    return counts[-3:].mean() / counts[0]


def _no_windup_bound(counts):
    """3 sd of :func:`_windup_ratio` if every volley drew a Poisson count of one mean (no wind-up).

    The mean is that of all volleys' counts; by the delta method the ratio's variance is then
    (1 + 1/3) / mean (first count: variance = mean; mean of three: mean / 3; ratio 1).  The
    circuit's responses vary less than Poisson counts (a fixed network), so the bound is wide."""
    return 3 * np.sqrt((1 + 1 / 3) / counts.mean())


def test_nmda_block_removes_most_of_windup(windup):
    # pooled over NMDA_SEEDS (the same circuits with and without the block)
    control, apv = windup["control, pooled"], windup["NMDA block, pooled"]
    # the ratio, not the growth in spikes: a block that shrinks every response but keeps their
    # growth (half block: the ratio stays high) must not pass for one that removes wind-up
    assert apv[0] > 0, "the block must leave a first response to normalise by"
    bound = _no_windup_bound(apv)
    assert abs(_windup_ratio(apv) - 1) < bound, (_windup_ratio(apv), bound)
    assert _windup_ratio(control) - _windup_ratio(apv) > bound, (_windup_ratio(control), _windup_ratio(apv), bound)


def test_same_seed_same_result_different_seed_different_spikes():
    m = ps.load_model("gate_control")
    a = ps.simulate(m, noxious=0.6, duration=0.6 * second, seed=7)
    b = ps.simulate(m, noxious=0.6, duration=0.6 * second, seed=7)
    c = ps.simulate(m, noxious=0.6, duration=0.6 * second, seed=8)
    assert np.array_equal(a.spike_time.values, b.spike_time.values)
    assert np.array_equal(a.rates.values, b.rates.values)
    assert not (a.spike_time.size == c.spike_time.size and np.array_equal(a.spike_time.values, c.spike_time.values))


def test_point_result_does_not_depend_on_batch_companions():
    m = ps.load_model("gate_control")
    other = ps.load_model("neuropathic")
    alone = ps.simulate_batch([ps.Request(m, None, 0.6, seed=5)], 0.6 * second)[0]
    mixed = ps.simulate_batch([ps.Request(other, None, 1.0, seed=9), ps.Request(m, None, 0.6, seed=5),
                               ps.Request(m, None, 0.2, seed=1)], 0.6 * second, batch_size=3)[1]
    assert np.array_equal(alone.spike_time.values, mixed.spike_time.values)
    assert np.array_equal(alone.spike_neuron.values, mixed.spike_neuron.values)


def test_generated_code_is_the_same_for_every_batch(monkeypatch):
    """brian2 compiles (Cython target) each distinct generated source once per machine.
    The sources must not depend on the call or the batch size (an auto-numbered
    clock name once made every call compile anew), so two runs generate the same code."""
    from brian2.devices.device import RuntimeDevice
    original = RuntimeDevice.code_object
    sources: list[set] = []

    def recording(self, *args, **kwargs):
        obj = original(self, *args, **kwargs)
        sources[-1].add(str(obj.code))
        return obj

    monkeypatch.setattr(RuntimeDevice, "code_object", recording)
    m = ps.load_model("gate_control")
    for seeds in ([1], [2, 3, 4]):
        sources.append(set())
        ps.simulate_batch([ps.Request(m, None, 0.6, seed=s) for s in seeds], 5 * ms, batch_size=len(seeds))
    assert sources[0] and sources[0] == sources[1]


def test_uniform_neuron_parameters_are_shared_and_differing_ones_are_not():
    m = ps.load_model("gate_control")
    shared = {(g, var): val for g, var, val in shared_parameters(build_plan(m, 1))}
    # every dorsal-horn neuron has the model's capacitance: one value for the group
    assert shared[("spinal", "c_m")] == pytest.approx(m.si("dorsal_horn.neuron.capacitance"))
    # only the projection neurons carry the wind-up CAN current: a per-neuron array
    assert shared[("spinal", "g_can_max")] is None
    assert all(g == "spinal" for g, _ in shared)


def test_points_that_disagree_on_a_shared_parameter_run_in_their_own_network(network_sizes):
    """A parameter that is uniform within each point but differs between points
    cannot be one shared scalar: those points run in separate networks, and
    each point's spikes are those it has when simulated alone."""
    sizes = network_sizes
    m = ps.load_model("gate_control")
    slow = m.with_params({"dorsal_horn.synapse.tau_ampa": "8 ms"})
    reqs = [ps.Request(m, None, 0.6, seed=5), ps.Request(slow, None, 0.6, seed=5), ps.Request(m, None, 0.6, seed=6)]
    mixed = ps.simulate_batch(reqs, 0.4 * second, batch_size=3)
    assert sorted(sizes) == [1, 2]
    sizes.clear()
    for req, res in zip(reqs, mixed):
        alone = ps.simulate_batch([req], 0.4 * second)[0]
        assert np.array_equal(alone.spike_time.values, res.spike_time.values)
        assert np.array_equal(alone.spike_neuron.values, res.spike_neuron.values)
    # a slower AMPA decay makes the same input a different circuit
    assert not np.array_equal(mixed[0].spike_time.values, mixed[1].spike_time.values)


def test_a_reused_network_equals_a_fresh_one_for_every_set_of_efficacies():
    """BatchNetwork restores its initial state before each run (potentials,
    clock, generator and spike-queue positions, monitors): rerunning it with
    new efficacies gives exactly what a newly built network gives."""
    m = ps.load_model("gate_control")
    reqs = [ps.Request(m, None, 0.6, seed=s) for s in (2, 3)]
    points = [point_input(r, 0.3) for r in reqs]
    n_c_pn = [out.synapses["c_pn"][0].size for out in PointsRunner(reqs, 0.3, 2, keep=False).run()]
    weak = [{"c_pn": np.full(n, 0.3)} for n in n_c_pn]
    strong = [{"c_pn": np.full(n, 2.0)} for n in n_c_pn]
    (ks, net), = build_networks(points, 0.3, m.si("network.dt"))
    settings = [[weak[0], strong[1]], [strong[0], {}], [weak[0], strong[1]]]
    runs = [net.run(weights) for weights in settings]
    for weights, outs in zip(settings, runs):
        fresh = PointsRunner(reqs, 0.3, 2, keep=False).run(weights)  # newly built networks
        for a, b in zip(fresh, outs):
            for pop in ("IN", "EX", "PN"):
                assert np.array_equal(a.spikes[pop][0], b.spikes[pop][0])
                assert np.array_equal(a.spikes[pop][1], b.spikes[pop][1])
    # the efficacies matter: a weaker C->PN drive gives fewer PN spikes than a stronger one
    assert runs[0][0].spikes["PN"][0].size < runs[1][0].spikes["PN"][0].size
