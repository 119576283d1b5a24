"""Plasticity wired into the circuit: marked synapses learn from a window's spikes.

Shortened protocols (stated): HFS = one 1 s train of 100 Hz C-fiber pulses
replayed 2x; LFS = a 1 s window with one 1 Hz pulse replayed 1200x (Rottmann's
1200 pulses; replays cost only rule updates, no simulation).  Tests are paired: the test window before and
after uses the same seed, so only the efficacies differ.
"""
import numpy as np
import pytest
from brian2 import Hz, ms, second

import painsim as ps
from painsim import conditioning as cond
from painsim import plasticity as pl
from painsim.errors import ParameterError

DUR = 1 * second


def _model(**extra):
    return ps.load_model("gate_control").with_params({"plasticity.c_pn.rule": "calcium", **extra})


def _train(rate, dur=1 * second):
    return ps.stimulation.tonic(rate, 2 * ms, 1.5, dur, threshold_class="C", target="peripheral_nerve",
                                shape="monophasic")


@pytest.fixture(scope="module")
def protocol():
    m = _model()
    ds, w = cond.condition_and_test(m, {"hfs": _train(100 * Hz), "lfs": _train(1 * Hz)}, 0.6,
                                  test_duration=DUR, replay={"hfs": 2, "lfs": 1200}, seed=3)
    return m, ds, w


def test_reference_model_is_static():
    assert pl.plastic_connections(ps.load_model("gate_control")) == {}
    plastic = pl.plastic_connections(_model())
    assert list(plastic) == ["c_pn"]
    rule, lo, hi = plastic["c_pn"]
    assert isinstance(rule, pl.CalciumRule) and rule.drive == "presynaptic" and lo < 1.0 < hi


def test_window_updates_marked_weights_and_next_window_uses_them():
    m = _model()
    res = ps.simulate(m, stimulus=_train(100 * Hz), duration=DUR, seed=5)
    w1, st = cond.update_weights(m, res)
    assert set(w1) == {"c_pn"} and st["time"] == pytest.approx(1.0)
    assert w1["c_pn"].shape == res.w_c_pn.shape
    # HFS potentiates: from rho_star (the rule's unstable fixed point) the weights do not move
    # without plasticity, so the sign is the property (floating-point floor; see below)
    assert np.mean(w1["c_pn"]) - np.mean(res.w_c_pn.values) > 1e-12
    lo, hi = m.si("plasticity.c_pn.w_min"), m.si("plasticity.c_pn.w_max")
    assert np.all((w1["c_pn"] >= lo) & (w1["c_pn"] <= hi))
    # the next window runs with them: same seed, only the efficacies differ
    nxt = ps.simulate(m, noxious=0.6, duration=DUR, seed=5, weights=w1)
    ref = ps.simulate(m, noxious=0.6, duration=DUR, seed=5)
    np.testing.assert_allclose(nxt.w_c_pn.values, w1["c_pn"])
    np.testing.assert_array_equal(nxt.w_abeta_pn.values, ref.w_abeta_pn.values)
    pn = ref.spike_population.attrs["flag_meanings"].split().index("PN")
    n_after = int(np.sum(nxt.spike_population.values == pn))
    n_before = int(np.sum(ref.spike_population.values == pn))
    assert n_after > n_before                                           # stronger C->PN: more PN spikes
    # chaining: states carry the clock and the calcium state
    w2, st2 = cond.update_weights(m, nxt, w1, st)
    assert st2["time"] == pytest.approx(2.0)
    assert np.all((w2["c_pn"] >= lo) & (w2["c_pn"] <= hi))


def test_hfs_potentiates_and_raises_pain(protocol):
    """HFS potentiates C -> PN and the PN rate and pain follow (Liu & Sandkuhler 1997).  The
    efficacies start at w = 1, rho = rho_star, the unstable fixed point of the calcium rule's
    drift: without calcium above a threshold they do not move, so the change is exactly 0 without
    plasticity and the sign is the property, with a floating-point floor (with the rule's
    potentiation amplitude gamma_p = 0 HFS depresses instead: the change is negative)."""
    _, ds, w = protocol
    h = ds.sel(protocol="hfs")
    assert float(h.w_c_pn_change) > 1e-12
    assert float(h.pain_after) > float(h.pain_before)
    assert float(h.pn_rate_after) > float(h.pn_rate_before)


def test_lfs_depresses_and_lowers_pain(protocol):
    """LFS depresses C -> PN and the PN rate and pain follow (Rottmann 2008).  As for HFS, the sign
    from the rule's fixed point is the property, with a floating-point floor (with the depression
    amplitude gamma_d = 0 the change is exactly 0: 1 Hz calcium never reaches theta_p)."""
    _, ds, w = protocol
    lf = ds.sel(protocol="lfs")
    assert float(lf.w_c_pn_change) < -1e-12
    assert float(lf.pain_after) < float(lf.pain_before)
    assert float(lf.pn_rate_after) < float(lf.pn_rate_before)


def test_only_marked_connections_change_and_bounds_hold(protocol):
    m, ds, w = protocol
    lo, hi = m.si("plasticity.c_pn.w_min"), m.si("plasticity.c_pn.w_max")
    for lab, ws in w.items():
        assert set(ws) == {"c_pn"}                                    # nothing else returned/changed
        assert np.all((ws["c_pn"] >= lo) & (ws["c_pn"] <= hi))
    # unmarked connections passed in are returned unchanged
    res = ps.simulate(m, stimulus=_train(100 * Hz), duration=0.3 * second, seed=2)
    given = {"c_ex": np.full(res.w_c_ex.size, 1.3), "c_pn": res.w_c_pn.values.copy()}
    new, _ = cond.update_weights(m, res, given)
    np.testing.assert_array_equal(new["c_ex"], given["c_ex"])


def test_bad_plasticity_settings_raise():
    from painsim.errors import ParameterError, UnknownKeyError
    with pytest.raises((ParameterError, UnknownKeyError)):
        ps.load_model("gate_control").with_params({"plasticity.c_pn.rule": "hebb"})
    with pytest.raises(ParameterError, match="w_max"):
        pl.plastic_connections(_model(**{"plasticity.c_pn.w_max": 0.0}))
    with pytest.raises(ParameterError, match="preset"):
        pl.plastic_connections(ps.load_model("gate_control").with_params(
            {"plasticity.c_pn.rule": "pair_stdp"}))


@pytest.mark.parametrize("bounds, name", [((0.0, 0.8), "w_max"), ((1.2, 2.0), "w_min")])
def test_bounds_must_contain_the_starting_efficacy(bounds, name):
    """Every synapse starts at efficacy 1: bounds beyond it would move the synapse at its first
    spike (in a course, the active arm's first session), a step that would read as relief."""
    lo, hi = bounds
    with pytest.raises(ParameterError, match=rf"plasticity\.c_pn\.{name}"):
        pl.plastic_connections(_model(**{"plasticity.c_pn.w_min": lo, "plasticity.c_pn.w_max": hi}))
    # a bound at 1 itself is allowed (a synapse that can only depress, or only potentiate)
    for lo, hi in ((1.0, 2.0), (0.0, 1.0)):
        rule, w_min, w_max = pl.plastic_connections(_model(**{"plasticity.c_pn.w_min": lo,
                                                               "plasticity.c_pn.w_max": hi}))["c_pn"]
        assert (w_min, w_max) == (lo, hi)
