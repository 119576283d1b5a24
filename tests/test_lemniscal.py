"""The lemniscal route, DCN -> medial lemniscus -> tactile VPL relay -> S1 area 3b
(painsim.circuits.lemniscal; issue 15 part 6).

Properties: touch at one site drives that site's DCN, its VPL relay cells and the S1 units of
its own territory, and no other site's relay; heat alone (no Aβ fires) leaves the route silent,
so every population of the other layers spikes exactly as in the stack without the route; cutting
the medial lemniscus (``lemniscal.integrity = 0``) silences VPL and returns every other spike to
the stack without the route (the negative control).  The readout diagnostic
``map_overactive_area_nociceptive`` equals ``map_overactive_area`` whenever VPL is silent and
leaves out the units that touch drove.  Healthy pathway, seeds 1-2, 0.6-s windows.
"""
import numpy as np
import pytest

import painsim as ps
from painsim.circuits import STACKS, lemniscal
from painsim.circuits.cortex import map_positions, site_centres
from painsim.fibers import brush, heat

SEEDS = (1, 2)
DURATION = "0.6 s"
LEM = {"network.layers": "pathway_lemniscal"}
CUT = {**LEM, "lemniscal.integrity": 0.0}
TOUCHED = 0     # brush at an edge site: its territory is far from most others


def _spikes(ds, population):
    return ps.readouts.population_spikes(ds, population, sort=True)[:2]


@pytest.fixture(scope="module")
def model():
    return ps.load_model("healthy")


def test_the_layer_is_registered_in_its_own_stack_only():
    assert "lemniscal" in STACKS["pathway_lemniscal"] and "lemniscal" not in STACKS["pathway"]
    assert STACKS["pathway_lemniscal"][:-1] == STACKS["pathway"]


def test_medial_lemniscus_is_somatotopic_and_the_cut_removes_its_conductance(model):
    m = model.with_params(LEM)
    prob = lemniscal.connection_probabilities(m)["dcn_vpl"]
    n_dcn, n_vpl = int(m.si("dorsal_column.n_nucleus")), int(m.si("cortex.populations.n_relay"))
    pre_site = np.arange(prob.shape[0]) // n_dcn
    post_site = np.arange(prob.shape[1]) // n_vpl
    assert np.all(prob[pre_site[:, None] != post_site[None, :]] == 0)
    assert np.all(prob[pre_site[:, None] == post_site[None, :]] > 0)
    # VPL -> S1 uses the spinothalamic relay's territories (same probabilities, site for site)
    from painsim.circuits import cortex
    np.testing.assert_array_equal(lemniscal.connection_probabilities(m)["vpl_s1"],
                                  cortex.connection_probabilities(m)["tc_s1"])
    _, projs = lemniscal.build(m.with_params(CUT), 1)
    cut = next(p for p in projs if p.name == "dcn_vpl")
    assert cut.pre.size > 0 and np.all(cut.conductances["w_ampa"] == 0)


@pytest.fixture(scope="module")
def runs(model):
    """Brush at site 0 and 47 °C heat at the painful site, seeds 1-2: the pathway without the
    route, with it, and with it cut."""
    painful = int(model.si("body.painful_site"))
    conditions = {"brush": (0.0, {TOUCHED: brush()}), "heat": ({painful: heat(47)}, 0.0)}
    variants = {"without": model, "route": model.with_params(LEM), "cut": model.with_params(CUT)}
    labels = [(v, c, s) for v in variants for c in conditions for s in SEEDS]
    res = ps.simulate_batch([ps.Request(variants[v], None, *conditions[c], seed=s) for v, c, s in labels],
                            DURATION)
    return dict(zip(labels, res))


def test_touch_reaches_vpl_and_s1_at_the_touched_sites_territory(model, runs):
    m = model.with_params(LEM)
    exc, _ = map_positions(m)
    centres = site_centres(m)
    n_vpl = int(m.si("cortex.populations.n_relay"))
    for s in SEEDS:
        ds = runs["route", "brush", s]
        rates = ds.site_vpl_rate.values
        assert rates[TOUCHED] > 0 and np.all(np.delete(rates, TOUCHED) == 0), rates
        t, i = _spikes(ds, "VPL")
        assert np.all(i // n_vpl == TOUCHED)
        # S1: the units nearest the touched site's centre gain more spikes than those of any other site
        base = np.bincount(_spikes(runs["without", "brush", s], "S1E")[1], minlength=len(exc))
        gained = np.bincount(_spikes(ds, "S1E")[1], minlength=len(exc)) - base
        nearest = np.argmin(((exc[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
        per_site = np.bincount(nearest, weights=gained, minlength=len(centres))
        assert per_site[TOUCHED] > 0 and per_site[TOUCHED] == per_site.max(), per_site
        assert np.all(np.delete(per_site, TOUCHED) < per_site[TOUCHED])


def test_heat_alone_leaves_the_route_silent_and_every_other_spike_unchanged(runs):
    for s in SEEDS:
        ds, without = runs["route", "heat", s], runs["without", "heat", s]
        assert _spikes(ds, "DCN")[0].size == 0 and _spikes(ds, "VPL")[0].size == 0
        names = without["spike_population"].attrs["flag_meanings"].split()
        assert "VPL" not in names
        for population in names:
            for a, b in zip(_spikes(ds, population), _spikes(without, population)):
                np.testing.assert_array_equal(a, b)
        assert float(ds.pain) == float(without.pain)
        assert float(ds.map_overactive_area_nociceptive) == float(ds.map_overactive_area)


def test_cutting_the_medial_lemniscus_returns_every_spike_to_the_stack_without_it(runs):
    """The negative control: under touch (DCN firing) the cut route's VPL stays silent, and S1,
    TC, TRN and every other population spike as without the layer."""
    for c in ("brush", "heat"):
        for s in SEEDS:
            cut, without = runs["cut", c, s], runs["without", c, s]
            assert _spikes(cut, "VPL")[0].size == 0
            if c == "brush":
                assert _spikes(cut, "DCN")[0].size > 0
            for population in without["spike_population"].attrs["flag_meanings"].split():
                for a, b in zip(_spikes(cut, population), _spikes(without, population)):
                    np.testing.assert_array_equal(a, b)


def test_the_nociceptive_map_readout_leaves_out_what_touch_drove(runs):
    """Touch makes S1 units overactive through the route (the map readout would call it pain:
    measured in the report); the diagnostic counts only units driven more by TC than by VPL, so
    the pain it reads is at most the stack's without the route (where the touched site's PN may
    drive TC a little: brush at site 0 fires them at ~1-7 Hz), and equal to it where touch
    makes no S1 unit overactive through TC alone."""
    for s in SEEDS:
        ds, without = runs["route", "brush", s], runs["without", "brush", s]
        assert float(ds.map_overactive_area) > 0
        assert float(ds.map_overactive_area_nociceptive) == 0.0
        assert float(ds.pain_nociceptive_map) <= float(without.pain) + 1e-12
        if float(without.map_overactive_area) == 0.0:
            np.testing.assert_allclose(float(ds.pain_nociceptive_map), float(without.pain), rtol=1e-12, atol=1e-12)
