"""Two classes of projection neuron by their Aβ input (``dorsal_horn.abeta_pn.target_fraction``).

Lamina I NK1R+ projection neurons receive monosynaptic Aδ/C input and no monosynaptic Aβ
input; blocking GABA_A/glycine inhibition unmasks a polysynaptic, NMDA-dependent Aβ input to
them (Torsney & MacDermott 2006 J Neurosci 26:1833).  With a fraction q < 1 only the first
round(q n) PN of each site receive the Aβ -> PN synapse (from the same draws: nothing else a
circuit draws changes); 1 (the default) is the model as before.  docs/circuits.md, "Lamina I
projection neurons without monosynaptic Aβ input".
"""
import numpy as np
import pytest

import painsim as ps
from painsim.circuits import dorsal_horn
from painsim.errors import PainsimError

HALF = {"dorsal_horn.abeta_pn.target_fraction": 0.5}


def _projections(model, seed=1):
    return {c.name: c for c in dorsal_horn.build(model, seed)[1]}


@pytest.fixture(scope="module")
def pathway():
    return ps.load_model("pain_pathway")   # 5 sites: the subset is per site


def test_a_fraction_keeps_the_synapses_onto_the_first_pn_of_each_site_and_nothing_else(pathway):
    n_pn = int(pathway.si("dorsal_horn.populations.n_projection"))
    full, half = _projections(pathway), _projections(pathway.with_params(HALF))
    local = full["abeta_pn"].post % n_pn
    keep = local < round(0.5 * n_pn)
    assert 0 < keep.sum() < keep.size                       # both classes exist at every draw
    np.testing.assert_array_equal(half["abeta_pn"].pre, full["abeta_pn"].pre[keep])
    np.testing.assert_array_equal(half["abeta_pn"].post, full["abeta_pn"].post[keep])
    assert np.all(half["abeta_pn"].post % n_pn < round(0.5 * n_pn))
    sites = np.unique(half["abeta_pn"].post // n_pn)
    assert sites.size == int(pathway.si("body.n_sites"))    # every site has its receiving PN
    for name in full:                                       # negative control: no other synapse moves
        if name != "abeta_pn":
            np.testing.assert_array_equal(half[name].pre, full[name].pre)
            np.testing.assert_array_equal(half[name].post, full[name].post)


def test_fraction_one_is_the_default_and_zero_removes_the_synapse(pathway):
    full = _projections(pathway)
    one = _projections(pathway.with_params({"dorsal_horn.abeta_pn.target_fraction": 1.0}))
    np.testing.assert_array_equal(one["abeta_pn"].post, full["abeta_pn"].post)
    zero = _projections(pathway.with_params({"dorsal_horn.abeta_pn.target_fraction": 0.0}))
    assert zero["abeta_pn"].post.size == 0 and full["abeta_pn"].post.size > 0


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_a_fraction_outside_zero_one_is_refused(bad):
    with pytest.raises(PainsimError, match="target_fraction"):
        ps.load_model("gate_control").with_params({"dorsal_horn.abeta_pn.target_fraction": bad})


@pytest.fixture(scope="module")
def brushed():
    """gate_control with half the PN lamina I-like, brushed (0.8 s, circuits 1-2): PN spikes of the
    receiving and of the lamina I-like PN, inhibition intact / blocked / blocked with Aβ -> EX cut /
    blocked under NMDA block."""
    base = ps.load_model("gate_control").with_params(HALF)
    half = round(0.5 * int(base.si("dorsal_horn.populations.n_projection")))
    blocked = {"dorsal_horn.pharmacology.gaba_block": 1.0}
    variants = {"intact": {}, "blocked": blocked,
                "cut_ex": {**blocked, "dorsal_horn.abeta_ex.weight": "0 nS", "dorsal_horn.abeta_ex.nmda": "0 nS"},
                "nmda_block": {**blocked, "dorsal_horn.pharmacology.nmda_block": 1.0}}
    reqs = [ps.Request(base.with_params(v), None, 0.0, ps.fibers.brush(), seed=s) for v in variants.values()
            for s in (1, 2)]
    res = ps.simulate_batch(reqs, "0.8 s")
    out = {}
    for k, name in enumerate(variants):
        neurons = [ps.readouts.population_spikes(r, "PN")[1] for r in res[2 * k:2 * k + 2]]
        out[name] = (np.array([np.sum(i < half) for i in neurons]), np.array([np.sum(i >= half) for i in neurons]))
    return out


def test_lamina_i_like_pn_get_touch_only_when_inhibition_is_blocked_through_ex_and_nmda(brushed):
    """Torsney & MacDermott 2006: disinhibition reveals an Aβ input to lamina I NK1R+ neurons that is
    polysynaptic and needs NMDA receptors.  Here: brush drives the PN without monosynaptic Aβ only
    once inhibition is blocked (> 10x their firing with it intact, + 1 spike); cutting Aβ -> EX, their
    only Aβ route, silences them exactly; NMDA block removes more than half of it (the route
    "required NMDA receptor activity"); the PN with the direct synapse keep firing when Aβ -> EX is
    cut (the negative control: the cut removes one route, not Aβ input)."""
    intact, blocked = brushed["intact"][1], brushed["blocked"][1]
    assert np.all(blocked > 10 * (intact + 1))
    assert np.all(brushed["cut_ex"][1] == 0)
    assert np.all(brushed["nmda_block"][1] < 0.5 * blocked)
    assert np.all(brushed["cut_ex"][0] > 0)
