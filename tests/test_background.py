"""The background barrage of dorsal-horn neurons (painsim.circuits.background), off by default.

Every dorsal-horn neuron can receive a Poisson train of unitary AMPA events standing for the
spontaneous input of the synapses the model does not resolve (docs/circuits.md, "Ongoing pain
in the peripheral presets": measured, not adopted).  Tested here: off means no trace of it
(no units, no synapses, no events); the generator delivers the process its docstring states,
reproducibly and independently per site; with the measured setting (rate fitted by
calibrate_background_rate, C gain refitted after it) healthy neurons fire spontaneously where
they are silent without it, and the extra resting output of a neuropathic circuit comes from
its ectopic input (removing that input removes it), the property the docs report.
"""
import numpy as np
import pytest

import painsim as ps
from painsim.circuits.background import (BACKGROUND_POPULATION, BACKGROUND_TARGETS, background_projections,
                                         background_spikes, background_units)
from painsim.circuits.dorsal_horn import site_stream, sizes_per_site
from painsim.errors import ParameterError
from painsim.validation import calibration
from batches import exceeds

#: the measured setting of docs/circuits.md (both fitted by their declared procedures)
MEASURED = {"dorsal_horn.background.rate": "1028 Hz", "dorsal_horn.synapse.c_gain": 0.1634375}


def _on(model, rate="1000 Hz"):
    return model.with_params({"dorsal_horn.background.rate": rate})


def _events(model, seed=1, duration=2.0, n_sites=1):
    return background_spikes(model, seed, n_sites, sizes_per_site(model), duration, site_stream)


def test_off_by_default_leaves_no_trace():
    """The model file's rate is 0: no generator units, no synapses, no events (so every other
    result is the circuit without this module)."""
    m = ps.load_model("gate_control")
    per = sizes_per_site(m)
    assert per[BACKGROUND_POPULATION] == 0 == background_units(m, per)
    assert all(p.pre.size == 0 for p in background_projections(m, per, n_sites=2))
    assert _events(m).times.size == 0
    assert BACKGROUND_POPULATION not in ps.simulate_batch([ps.Request(m, seed=1)], "0.05 s")[0]["rates"].population
    # control: switched on, every dorsal-horn neuron gets one unit
    assert sizes_per_site(_on(m))[BACKGROUND_POPULATION] == sum(per[p] for p in BACKGROUND_TARGETS)


def test_the_generator_delivers_its_stated_rate():
    """(1 - exp(-r dt)) / dt per unit: at most one event per unit and step, Poisson otherwise."""
    m = _on(ps.load_model("gate_control"))
    dur, dt = 4.0, m.si("network.dt")
    ev = _events(m, duration=dur)
    units = background_units(m, sizes_per_site(m))
    expected = (1 - np.exp(-1000 * dt)) / dt * dur * units
    # Poisson counting error of ~2e5 events is ~0.2 %: 1 % is 5 sd
    assert abs(ev.times.size - expected) < 0.01 * expected, (ev.times.size, expected)
    # on the step grid, one event per unit and step, inside the window
    steps = np.round(ev.times / dt)
    assert np.allclose(steps * dt, ev.times) and ev.times.max() < dur
    key = ev.fibers * (int(dur / dt) + 2) + steps.astype(np.int64)
    assert np.unique(key).size == key.size


def test_events_are_reproducible_and_differ_between_seeds_and_sites():
    m = _on(ps.load_model("gate_control"), "500 Hz")
    a, b, c = _events(m, 1), _events(m, 1), _events(m, 2)
    np.testing.assert_array_equal(a.times, b.times)
    assert a.times.size != c.times.size or not np.array_equal(a.times, c.times)
    two = _events(m, 1, n_sites=2)
    u = background_units(m, sizes_per_site(m))
    first, second = two.fibers < u, two.fibers >= u
    # site 0 draws what a one-site model draws; site 1 its own stream
    np.testing.assert_array_equal(two.times[first], a.times)
    assert not np.array_equal(np.sort(two.times[second]), np.sort(two.times[first]))


def test_projections_are_one_to_one_within_each_site():
    m = _on(ps.load_model("gate_control"))
    per = sizes_per_site(m)
    projs = background_projections(m, per, n_sites=3)
    pres = np.concatenate([p.pre for p in projs])
    assert np.unique(pres).size == pres.size == 3 * background_units(m, per)
    for p in projs:
        n_post = per[p.target]
        assert np.array_equal(np.sort(p.post), np.arange(3 * n_post))
        # unit and neuron belong to the same site
        assert np.array_equal(p.pre // background_units(m, per), p.post // n_post)
        assert np.all(p.conductances["w_nmda"] == 0) and np.all(p.conductances["w_ampa"] > 0)
    assert [p.target for p in projs] == list(BACKGROUND_TARGETS)


@pytest.fixture(scope="module")
def rest():
    """PN and interneuron rates at rest (seeds 1-3, 3 s): healthy (gate_control) with the measured
    setting and without the barrage; the neuropathic circuit with the measured setting, with and
    without its ectopic input.  Per model: {population: rates per seed}."""
    healthy, neuro = ps.load_model("gate_control"), ps.load_model("neuropathic")
    models = {"on": healthy.with_params(MEASURED), "off": healthy.with_params({"dorsal_horn.synapse.c_gain": 0.1634375}),
              "neuropathic": neuro.with_params(MEASURED),
              "nerve block": neuro.with_params({**MEASURED, "pathology.ectopic_fraction": 0.0})}
    res = ps.simulate_batch([ps.Request(m, seed=s) for m in models.values() for s in (1, 2, 3)], "3 s")
    # a population without neurons (the barrage switched off) is not in the result: rate 0
    rates = lambda rr, p: np.array([float(r["rates"].sel(population=p).mean()) if p in r["rates"].population  # noqa: E731
                                    else 0.0 for r in rr])
    return {k: {p: rates(res[3 * j:3 * j + 3], p) for p in ("IN", "EX", "PN", BACKGROUND_POPULATION)}
            for j, k in enumerate(models)}


def test_without_the_barrage_the_dorsal_horn_is_silent_at_rest(rest):
    """Negative control: rate 0 removes every event, and the healthy circuit (C fibres at 0.1 Hz,
    Aβ and Aδ silent) then has nothing to fire on."""
    assert np.all(rest["off"][BACKGROUND_POPULATION] == 0)   # not in the result at all (see the fixture)
    assert np.all(rest["off"]["PN"] < 0.1) and np.all(rest["off"]["EX"] < 0.1)


def test_with_the_barrage_dorsal_horn_neurons_fire_spontaneously(rest):
    assert np.all(rest["on"][BACKGROUND_POPULATION] > 900)      # ~(1 - exp(-r dt)) / dt = 977 Hz
    assert rest["on"]["PN"].mean() > 0.1 and rest["on"]["EX"].mean() > 0.0


def test_the_extra_resting_output_of_a_neuropathic_circuit_is_its_ectopic_input(rest):
    """With the barrage, ectopic C discharge raises the resting PN output and removing it (a nerve
    block) takes the output back down.  Pooled spikes (10 PN x 2.7 s after the transient x 3
    circuits): the difference must exceed 3 Poisson SD of the two counts."""
    n = 10 * 2.7 * 3
    neuro, block = rest["neuropathic"]["PN"].sum() / 3 * n, rest["nerve block"]["PN"].sum() / 3 * n
    assert exceeds(neuro, block), (neuro, block)


def test_calibration_refuses_rates_that_do_not_bracket_its_target():
    with pytest.raises(ParameterError, match="bracket"):
        calibration.calibrate_background_rate("gate_control", seeds=(1,), duration="0.6 s", bounds=(1.0, 2.0))
