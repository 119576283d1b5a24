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


def test_gate_closes_with_abeta_stimulation(gate_results):
    c, scs = float(gate_results["C"].pn_rate), float(gate_results["C+SCS"].pn_rate)
    # ~10 PN x 1.7 s x tens of Hz gives hundreds of spikes: Poisson noise on the
    # count is a few %, so a 20 % reduction is a clear, non-chance effect.  (Was
    # "halving": issue "Neuropathic pain as patients have it" part 3 makes the gate
    # partial, as published (-15 to -55 %, tests/test_spinal_phenotype.py).)
    assert c > 5.0, "noxious input must drive the projection neurons"
    assert scs < 0.8 * c
    assert float(gate_results["C+SCS"].pain) < float(gate_results["C"].pain)
    assert float(gate_results["C+SCS"].gate_index) > float(gate_results["C"].gate_index)


def test_reduction_vanishes_when_inhibition_blocked(gate_results):
    c, scs = float(gate_results["blocked C"].pn_rate), float(gate_results["blocked C+SCS"].pn_rate)
    # without GABA_A/glycine, Aβ input can only add excitation (WDR neurons receive Aβ)
    assert scs >= 0.9 * c
    assert float(gate_results["blocked C+SCS"].gate_index) == 0.0


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
    return ps.analysis.spikes_per_pulse(res, np.arange(n_pulses) * period, period, "PN")


@pytest.fixture(scope="module")
def windup():
    # 15 C-strength (1.5 x C threshold) 2 ms pulses at 1 Hz to the nerve (Aguiar 2010 protocol)
    wf = ps.stimulation.tonic(1 * Hz, 2 * ms, 1.5, 15 * second, threshold_class="C",
                              target="peripheral_nerve", shape="monophasic")
    m = ps.load_model("gate_control")
    apv = m.with_params({"dorsal_horn.pharmacology.nmda_block": 1.0})
    res = ps.simulate_batch([ps.Request(m, wf, seed=2), ps.Request(apv, wf, seed=2)], 15 * second)
    return [_pn_spikes_per_pulse(r, 15) for r in res]


def test_windup_grows_over_15_pulses(windup):
    control, _ = windup
    first, last = control[0], control[-3:].mean()
    assert first > 0
    assert last > 1.5 * first
    # growth is progressive: the second half of the train exceeds the first half
    assert control[8:].mean() > control[:7].mean()


def test_nmda_block_removes_most_of_windup(windup):
    control, apv = windup
    growth = lambda x: x[-3:].mean() - x[0]
    assert growth(apv) < 0.5 * growth(control)


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
