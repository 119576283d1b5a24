"""Per-neuron threshold heterogeneity of the dorsal horn (``dorsal_horn.neuron.threshold_spread``).

Off by default (identical neurons); with a spread every IN, EX and PN draws its own threshold from
a stream of its own, so nothing else a circuit draws changes (docs/circuits.md, "Three probes").
"""
import numpy as np
import pytest

import painsim as ps
from painsim.circuits import dorsal_horn
from painsim.errors import PainsimError
from painsim.fibers import heat

SPREAD = {"dorsal_horn.neuron.threshold_spread": "3 mV"}


def _plan(model, seed=1):
    pops, projs = dorsal_horn.build(model, seed)
    return {p.name: p for p in pops}, {c.name: c for c in projs}


def test_a_spread_draws_per_neuron_thresholds_and_nothing_else():
    base = ps.load_model("gate_control")
    pops0, projs0 = _plan(base)
    pops1, projs1 = _plan(base.with_params(SPREAD))
    th = np.concatenate([pops1[p].params["v_threshold"] for p in ("IN", "EX", "PN")])
    n = th.size
    # the sample mean and SD of n draws from N(-50 mV, 3 mV): within 4 standard errors
    assert abs(th.mean() - (-0.050)) < 4 * 0.003 / np.sqrt(n)
    assert abs(th.std(ddof=1) - 0.003) < 4 * 0.003 / np.sqrt(2 * (n - 1))
    for p in ("IN", "EX", "PN"):
        assert np.all(pops0[p].params["v_threshold"] == -0.050)       # negative control: no spread, no draw
        np.testing.assert_array_equal(pops0[p].v0, pops1[p].v0)       # the other draws are unchanged
        for var in pops0[p].params:
            if var != "v_threshold":
                np.testing.assert_array_equal(pops0[p].params[var], pops1[p].params[var])
    for name in projs0:
        np.testing.assert_array_equal(projs0[name].pre, projs1[name].pre)
        np.testing.assert_array_equal(projs0[name].post, projs1[name].post)


def test_the_draws_differ_between_populations_and_circuits():
    m = ps.load_model("gate_control").with_params(SPREAD)
    a, b = _plan(m, 1)[0], _plan(m, 2)[0]
    assert not np.array_equal(a["PN"].params["v_threshold"], b["PN"].params["v_threshold"])
    assert not np.array_equal(a["IN"].params["v_threshold"][:10], a["EX"].params["v_threshold"][:10])


def test_a_spread_changes_spikes_and_zero_is_the_default():
    base = ps.load_model("gate_control")
    runs = [ps.simulate(m, noxious=heat(47), duration="0.6 s", seed=3) for m in
            (base, base.with_params({"dorsal_horn.neuron.threshold_spread": "0 mV"}), base.with_params(SPREAD))]
    spikes = [r["spike_time"].values for r in runs]
    np.testing.assert_array_equal(spikes[0], spikes[1])
    assert spikes[2].size != spikes[0].size or not np.array_equal(spikes[2], spikes[0])


def test_a_negative_spread_is_refused():
    with pytest.raises(PainsimError) as err:
        ps.load_model("gate_control").with_params({"dorsal_horn.neuron.threshold_spread": "-1 mV"})
    assert "threshold_spread" in str(err.value)


def test_no_threshold_is_drawn_at_or_below_the_reset():
    """A threshold at or below the reset would fire at the refractory limit for ever (an
    integrate-and-fire artefact): the draws are truncated above reset + THRESHOLD_MARGIN."""
    m = ps.load_model("gate_control").with_params({"dorsal_horn.neuron.threshold_spread": "6 mV"})
    lowest = m.si("dorsal_horn.neuron.reset") + dorsal_horn.THRESHOLD_MARGIN
    th = np.concatenate([_plan(m, seed)[0][p].params["v_threshold"] for seed in range(1, 9) for p in ("IN", "EX", "PN")])
    # with SD 6 mV about 5 % of untruncated draws would lie below it: the truncation is exercised
    assert th.size * 0.05 > 5 and th.min() > lowest
