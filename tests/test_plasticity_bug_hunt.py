"""Findings of a bug hunt on plasticity in the circuit and its curves (each test fails on the code
before the fix; negative controls beside them).

1. Starting efficacies outside a plastic connection's bounds were clipped silently, and
   condition_and_test measured the change against the unclipped start: a fake conditioning effect.
2. The calcium rule's ``drive`` could not be set from a model file (no word allowed for it).
3. A plasticity curve with one bound put the default w0 on it: half the curve clipped away.
4. The theta-burst rule (additive) got the soft-bound curve defaults [0, 1] from 0.5.
5. SynapticScaling took the same window twice, doubling its change.
6. ``BCM(eta=np.float32(...))`` failed with the dimension tuple as the unit.
7. A plastic connection the network does not have was refused after the conditioning windows.
"""
import math

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim import conditioning as cond
from painsim import plasticity as pl
from painsim.errors import ParameterError, UnitError, UnknownKeyError
from painsim.stimulation import tonic
from refusals import WorkStarted, refused, start_work


def _calcium_model():
    return ps.load_model("gate_control", {"plasticity.c_pn.rule": "calcium"})


def _sham():
    """Sub-threshold Abeta pulses (the bug hunter's sham conditioning)."""
    return tonic("10 Hz", "200 us", 0.5, "0.2 s")


@pytest.fixture
def no_windows(monkeypatch):
    """The conditioning's windows raise WorkStarted instead of simulating."""
    monkeypatch.setattr(cond, "simulate_batch", start_work)


# ---------------------------------------------------------------- 1. starting weights within bounds
@pytest.mark.parametrize("value", [3.0, -0.1, math.nan])
@pytest.mark.parametrize("call", ["condition_and_test", "conditioned_weights"])
def test_conditioning_refuses_start_weights_outside_the_rule_bounds(no_windows, call, value):
    """Weights 3.0 on c_pn ([0, 2]) were clipped to 2 for the rule but the change measured from
    3.0: w_c_pn_change = -0.33 and a PN rate drop with a sham conditioning.  Refused before any
    window, naming the connection's weights, the value and the bounds."""
    m = _calcium_model()
    w = {"c_pn": np.full(162, value)}
    e = refused(lambda: getattr(cond, call)(m, _sham(), weights=w), "weights['c_pn']", allowed=True)
    assert "[0.0, 2.0]" in str(e) and "plasticity.c_pn" in str(e)
    assert (math.isnan(e.value) if math.isnan(value) else e.value == value)
    with pytest.raises(WorkStarted):   # negative control: on the bound, the windows start
        getattr(cond, call)(m, _sham(), weights={"c_pn": np.full(162, 2.0)})


def test_conditioning_refuses_one_bad_entry_and_takes_weights_of_static_connections(no_windows):
    """One entry beyond the bound is named by its index; a static connection's weights (no bounds)
    are not checked against them."""
    w = np.full(162, 1.0)
    w[7] = 2.5
    e = refused(lambda: cond.condition_and_test(_calcium_model(), _sham(), weights={"c_pn": w}), "weights['c_pn']")
    assert e.value == 2.5 and "index 7" in str(e)
    with pytest.raises(WorkStarted):
        cond.condition_and_test(_calcium_model(), _sham(), weights={"c_ex": np.full(10, 3.0)})


def _fake_result(w):
    """A stand-in for a simulate() result with one c_pn synapse of efficacy ``w`` (no spikes)."""
    return xr.Dataset({"w_c_pn": ("s", [w]), "pre_c_pn": ("s", [0]), "post_c_pn": ("s", [0])},
                      attrs={"duration_s": 0.2})


def test_update_weights_refuses_start_weights_outside_the_rule_bounds():
    """update_weights clipped them as well: given ones are named ``weights['c_pn']``, the result's own
    (a window simulated with weights= beyond the bounds) ``result['w_c_pn']``."""
    m = _calcium_model()
    e = refused(lambda: cond.update_weights(m, _fake_result(1.0), {"c_pn": np.array([3.0])}), "weights['c_pn']")
    assert e.value == 3.0 and "[0.0, 2.0]" in str(e)
    e = refused(lambda: cond.update_weights(m, _fake_result(3.0)), "result['w_c_pn']")
    assert e.value == 3.0


@pytest.fixture(scope="module")
def sham_window():
    m = _calcium_model()
    return m, ps.simulate(m, stimulus=_sham(), duration="0.2 s", seed=1)


def test_update_weights_within_the_bounds_runs(sham_window):
    """Negative control on a real window: weights on the bound are updated, and stay within it."""
    m, res = sham_window
    n = res.w_c_pn.size
    new, _ = cond.update_weights(m, res, {"c_pn": np.full(n, 2.0)})
    assert new["c_pn"].shape == (n,) and np.all(new["c_pn"] <= 2.0) and np.all(new["c_pn"] > 1.99)
    refused(lambda: cond.update_weights(m, res, {"c_pn": np.full(n, 2.0 + 1e-9)}), "weights['c_pn']")


# ---------------------------------------------------------------- 2. the calcium rule's drive in a file
@pytest.mark.parametrize("word", ["pre_post", "presynaptic"])
def test_model_file_sets_the_calcium_rule_drive(word, tmp_path):
    """``rule_params.drive`` was refused as "neither a number with a unit nor an allowed word"."""
    m = ps.load_model("gate_control", {"plasticity.c_pn.rule": "calcium", "plasticity.c_pn.rule_params.drive": word})
    assert pl.plastic_connections(m)["c_pn"][0].drive == word
    f = tmp_path / "mine.toml"
    f.write_text('[model]\nname = "mine"\nextends = "gate_control"\n'
                 f'[plasticity.c_pn]\nrule = "calcium"\n[plasticity.c_pn.rule_params]\ndrive = "{word}"\n')
    assert pl.plastic_connections(ps.load_model(f))["c_pn"][0].drive == word


def test_model_file_refuses_an_unknown_drive_naming_the_key():
    with pytest.raises(UnknownKeyError) as e:
        ps.load_model("gate_control", {"plasticity.c_pn.rule": "calcium", "plasticity.c_pn.rule_params.drive": "post"})
    assert "plasticity.c_pn.rule_params.drive" in str(e.value) and "presynaptic" in str(e.value)
    assert set(pl.CalciumRule.DRIVES) == {"pre_post", "presynaptic"}
    refused(lambda: pl.CalciumRule(drive=["pre_post"]), "drive")


# ---------------------------------------------------------------- 3. curves with one bound
def test_curve_with_one_bound_on_the_default_w0_is_refused():
    """w_min = 0 alone put w0 = 0 on it: dw = [0, +0.0028] where unbounded gives [-0.0039, +0.0028]."""
    e = refused(lambda: pl.stdp_window(pl.PairSTDP(), [-0.01, 0.01], w_min=0.0), "w0", allowed=True)
    assert "w_min = 0.0" in str(e)
    refused(lambda: pl.frequency_curve(pl.BCM(), [10.0], n_pulses=3, w_max=0.0), "w0")
    refused(lambda: pl.pairing_frequency_curve(pl.PairSTDP(), [10.0], n_pairs=2, w_min=0.0), "w0")
    # negative control: with w0 given, the user's choice of start is taken
    assert float(pl.stdp_window(pl.PairSTDP(), [-0.01], w_min=0.0, w0=0.0).dw[0]) == 0.0


@pytest.mark.parametrize("bound", [dict(w_min=-1.0), dict(w_max=1.0), dict(w_min=-1.0, w_max=1.0)])
def test_curve_default_w0_lies_strictly_inside_the_bounds(bound):
    """With the rule's w0 = 0 strictly inside, or two finite bounds (their middle), no side is lost."""
    free = pl.stdp_window(pl.PairSTDP(), [-0.01, 0.01]).dw.values
    d = pl.stdp_window(pl.PairSTDP(), [-0.01, 0.01], **bound)
    assert d.attrs["w_min"] < d.attrs["w0"] < d.attrs["w_max"]
    np.testing.assert_allclose(d.dw.values, free)
    assert free[0] < 0 < free[1]


def test_soft_bound_curve_defaults_are_unchanged():
    """Negative control: the calcium rule's curve keeps [0, 1] from 0.5, and its middle with both bounds."""
    r = pl.CalciumRule.preset("spinal_presynaptic")
    d = pl.frequency_curve(r, [1.0], n_pulses=3)
    assert (d.attrs["w0"], d.attrs["w_min"], d.attrs["w_max"]) == (0.5, 0.0, 1.0)
    assert pl.frequency_curve(r, [1.0], n_pulses=3, w_min=0.0, w_max=2.0).attrs["w0"] == 1.0


# ---------------------------------------------------------------- 4. the theta-burst rule is additive
def test_theta_burst_curve_defaults_are_unbounded_from_zero():
    """TBSCalcium moves a weight by gain x Delta(F - I), clipped only at the bounds: [0, 1] from 0.5
    clipped the larger depressions (-0.37 at 15 Hz, -0.26 at 50 Hz for -0.68, -1.22)."""
    r = pl.TBSCalcium()
    d = pl.frequency_curve(r, [1.0, 5.0, 15.0, 50.0], n_pulses=900)
    wide = pl.frequency_curve(r, [1.0, 5.0, 15.0, 50.0], n_pulses=900, w_min=-10.0, w_max=10.0, w0=0.0)
    assert (d.attrs["w0"], d.attrs["w_min"], d.attrs["w_max"]) == (0.0, -np.inf, np.inf)
    np.testing.assert_allclose(d.dw.values, wide.dw.values)
    assert d.dw.values[3] < -1.0 < d.dw.values[2] < -0.5


# ---------------------------------------------------------------- 5. scaling goes forward in time
@pytest.mark.parametrize("method", ["apply", "apply_reference"])
def test_scaling_refuses_a_window_over_integrated_time(method):
    """The same 1-h window twice doubled the change (the state kept only the last spike's time)."""
    r = pl.SynapticScaling()
    run = lambda w, st, t0, t1: getattr(r, method)([], [], [], [], [0], [0], w, st, t0, t1, 0.0, 2.0)  # noqa: E731
    w1, st = run(np.array([1.0]), r.initial_state(1, 1, 1), 0.0, 3600.0)
    assert w1[0] > 1.0 and st["t_done"][0] == 3600.0
    e = refused(lambda: run(w1, st, 0.0, 3600.0), "t_start")
    assert "3600.0" in str(e)
    refused(lambda: run(w1, st, 1800.0, 3600.0), "t_start")
    # negative control: the next window chains, and equals one window over both
    w2, _ = run(w1, st, 3600.0, 7200.0)
    w_once, _ = run(np.array([1.0]), r.initial_state(1, 1, 1), 0.0, 7200.0)
    np.testing.assert_allclose(w2, w_once, rtol=1e-12)


# ---------------------------------------------------------------- 6. BCM's eta
@pytest.mark.parametrize("eta", [np.float32(1e-4), np.float64(1e-4), np.int64(0), "1e-4 s^2", "0.1 ms^2"])
def test_bcm_takes_numpy_scalars_and_eta_with_its_unit(eta):
    expected = {"0.1 ms^2": 1e-7}.get(eta, float(eta) if not isinstance(eta, str) else 1e-4)
    assert pl.BCM(eta=eta).eta == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("eta, error", [("1 Hz", UnitError), ("abc", ParameterError), (-1.0, ParameterError),
                                        (np.float32("nan"), ParameterError), (True, ParameterError),
                                        ([1e-4], ParameterError)])
def test_bcm_refuses_a_bad_eta_readably(eta, error):
    e = refused(lambda: pl.BCM(eta=eta), "eta", error)
    assert "s^2" in str(e) and "(0, 0, 2" not in str(e)


# ---------------------------------------------------------------- 7. a plastic connection the network lacks
def test_conditioning_refuses_a_plastic_connection_the_network_lacks(no_windows):
    """tc_s1 (a pathway connection) plastic on the spinal model ran the conditioning windows, then
    failed as "unknown connection in the result 'tc_s1'"."""
    m = ps.load_model("gate_control", {"plasticity.tc_s1.rule": "triplet_stdp"})
    hfs = tonic("100 Hz", "2 ms", 1.5, "0.2 s", threshold_class="C", target="peripheral_nerve", shape="monophasic")
    e = refused(lambda: cond.condition_and_test(m, hfs, 0.6), "plasticity.tc_s1", allowed=True)
    assert "no connection 'tc_s1'" in str(e) and "c_pn" in str(e)
    refused(lambda: cond.conditioned_weights(m, hfs), "plasticity.tc_s1")
    # negative control: the pathway model has tc_s1, and its windows start
    with pytest.raises(WorkStarted):
        cond.condition_and_test(ps.load_model("pain_pathway", {"plasticity.tc_s1.rule": "triplet_stdp"}), hfs, 0.6)
