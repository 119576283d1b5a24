"""KCC2 loss as a shift of the anion reversal (``pathology.anion_shift``; Coull et al. 2003).

The shift moves the GABA_A/glycine reversal of the dorsal-horn neurons of the pathological
site(s) only; at 0 nothing changes.  In the circuit, a reversal moved above the firing threshold
turns the Aβ-driven feed-forward "inhibition" of brush into excitation, and with GABA_A/glycine
blocked the shift has nothing to act on (the negative control).  What it does to ongoing firing
at rest, with and without the background barrage, is measured in docs/circuits.md.
"""
import numpy as np
import pytest

import painsim as ps
from painsim.circuits import build_plan
from painsim.fibers import brush

SHIFT = "25 mV"   # E_inh -70 -> -45 mV, above the dorsal-horn threshold (the measured variant, docs/circuits.md)
SPINAL = ("IN", "EX", "PN")


def _e_inh(model, seed=1):
    return {p.name: np.asarray(p.params["e_inh"]) for p in build_plan(model, seed).populations
            if p.name in SPINAL}


def test_default_leaves_every_reversal_at_the_model_value():
    m = ps.load_model("healthy")
    e = m.si("dorsal_horn.synapse.e_inhibitory")
    assert m.si("pathology.anion_shift") == 0.0
    for values in _e_inh(m).values():
        assert np.all(values == e)


@pytest.mark.parametrize("extent", ["site", "widespread"])
def test_shift_acts_on_the_pathological_sites_only(extent):
    m = ps.load_model("healthy").with_params({"pathology.anion_shift": SHIFT, "pathology.extent": extent})
    e = m.si("dorsal_horn.synapse.e_inhibitory")
    n_sites, painful = int(m.si("body.n_sites")), int(m.si("body.painful_site"))
    for name, values in _e_inh(m).items():
        site = np.repeat(np.arange(n_sites), values.size // n_sites)
        shifted = np.ones(site.size, bool) if extent == "widespread" else site == painful
        np.testing.assert_allclose(values[shifted], e + 25e-3)
        assert np.all(values[~shifted] == e), name


@pytest.fixture(scope="module")
def brushed():
    """gate_control under brush: shift 0 / 25 mV, inhibition intact / blocked (seeds 1-2, 0.8 s)."""
    m = ps.load_model("gate_control")
    blocked = {"dorsal_horn.pharmacology.gaba_block": 1.0}
    variants = {"none": {}, "shift": {"pathology.anion_shift": SHIFT}, "blocked": blocked,
                "blocked shift": {**blocked, "pathology.anion_shift": SHIFT}}
    reqs = [ps.Request(m.with_params(v), None, 0.0, brush(), seed=s) for v in variants.values() for s in (1, 2)]
    res = ps.simulate_batch(reqs, "0.8 s")
    return {name: res[2 * k:2 * k + 2] for k, name in enumerate(variants)}


def test_shift_above_threshold_turns_brush_inhibition_into_excitation(brushed):
    none = np.array([float(r.pn_rate) for r in brushed["none"]])
    shifted = np.array([float(r.pn_rate) for r in brushed["shift"]])
    assert np.all(shifted > none + 5), (none, shifted)     # several Hz: far beyond one spike in 0.5 s


def test_shift_has_nothing_to_act_on_with_inhibition_blocked(brushed):
    for a, b in zip(brushed["blocked"], brushed["blocked shift"]):
        np.testing.assert_array_equal(a.spike_time.values, b.spike_time.values)
        np.testing.assert_array_equal(a.spike_neuron.values, b.spike_neuron.values)
