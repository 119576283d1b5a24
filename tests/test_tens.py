"""TENS in the circuit (issue 15 part 5): what the model carries and what it lacks.

Conventional (high-frequency, Aβ-strength) TENS reduces dorsal-horn responses through spinal
GABA_A receptors: it raises GABA in the dorsal horn and its antihyperalgesia is prevented by
spinal bicuculline (Maeda et al. 2007 Brain Res 1136:43 [checked: abstract, PMC2746639]).  In the
model this is the segmental gate (Aβ -> inhibitory interneurons -> projection neurons).  The
published segmental gate is partial; the model's closes almost completely on C-carried heat at the
stimulated site (the miss carried by the validation row gate_on_c_heat; strict expected failure
below).  Published and missing (strict expected failures): most of the opioid part of
TENS (Sluka et al. 1999 JPET 289:840: spinal naloxone/naltrindole block low/high-frequency TENS; the
route runs through the ventrolateral PAG and the RVM, DeSantana et al. 2009 [checked: abstract,
PMC3955259]; the route itself is tested in tests/test_spino_pag.py) and the bicuculline-sensitive relief by low-frequency (acupuncture-like) TENS (Maeda
2007).  47 °C contact heat at the stimulated site, 1.5 s, seeds 1-3, one batch per fixture.
"""
import numpy as np
import pytest

import painsim as ps
from painsim.fibers import heat
from batches import exceeds

SEEDS = (1, 2, 3)
DURATION = "1.5 s"
GABA_BLOCK = {"dorsal_horn.pharmacology.gaba_block": 1.0, "dorsal_horn.pharmacology.gabab_block": 1.0}
NALOXONE = {"dorsal_horn.pharmacology.opioid_block": 1.0}


def _run(conditions):
    """{name: PN rate per seed} for {name: (model, stimulus)}, 47 °C heat at the painful site."""
    reqs = []
    for m, st in conditions.values():
        painful = int(m.si("body.painful_site"))
        reqs += [ps.Request(m, st, {painful: heat(47)}, seed=s) for s in SEEDS]
    res = ps.simulate_batch(reqs, DURATION)
    k = len(SEEDS)
    return {name: np.array([float(r.pn_rate) for r in res[i * k:(i + 1) * k]]) for i, name in enumerate(conditions)}


def _count(rates):
    """PN spikes behind ``rates`` (Hz per seed of ``gate_control``), pooled over the seeds: rate x the
    painful site's PN x the window after the transient, a whole number."""
    model = ps.load_model("gate_control")
    d = ps.units.to_si(DURATION, "s")
    counts = np.asarray(rates, float) * model.si("dorsal_horn.populations.n_projection") * (
        d - ps.readouts.readout_start(model, d))
    assert np.allclose(counts, np.rint(counts), rtol=0, atol=1e-6), counts
    return int(np.rint(counts).sum())



@pytest.fixture(scope="module")
def spinal():
    m = ps.load_model("gate_control")
    blocked = m.with_params(GABA_BLOCK)
    conv, sham = ps.stimulation.tens("conventional", 1.5, DURATION), ps.stimulation.tens("conventional", 0.0, DURATION)
    acu = ps.stimulation.tens("acupuncture", 4.0, DURATION)
    return _run({"none": (m, None), "sham": (m, sham), "conventional": (m, conv), "acupuncture": (m, acu),
                 "blocked": (blocked, None), "blocked conventional": (blocked, conv)})


@pytest.fixture(scope="module")
def pathway():
    m = ps.load_model("healthy")
    conv = ps.stimulation.tens("conventional", 1.5, DURATION)
    return _run({"none": (m, None), "conventional": (m, conv), "naloxone": (m.with_params(NALOXONE), None),
                 "naloxone conventional": (m.with_params(NALOXONE), conv)})


def test_sham_tens_changes_nothing(spinal):
    np.testing.assert_array_equal(spinal["sham"], spinal["none"])


def test_conventional_tens_gates_the_heat_response(spinal):
    """The heat drives the PN (every seed's count is more than 3 Poisson sd above 0), TENS lowers it
    in every seed, and the pooled count falls by more than 3 Poisson sd of the difference.  Only a
    reduction is checked: that it stays partial, as published, is the known miss below."""
    for rate in spinal["none"]:
        assert _count([rate]) > 3 * np.sqrt(_count([rate])), spinal
    assert np.all(spinal["conventional"] < spinal["none"]), spinal
    assert exceeds(_count(spinal["none"]), _count(spinal["conventional"])), spinal


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="the published segmental gate is partial (validation row gate_on_c_heat: the reduction of C-carried "
                          "responses by 50 Hz Aβ-strength stimulation, published range); at the stimulated site the "
                          "model's gate closes almost completely on 47 °C heat during conventional TENS, further than "
                          "that range, as during 50 Hz dorsal-column stimulation: the same miss (docs/validation.md, "
                          "tens_placebo_smd_nociceptive)")
def test_conventional_tens_gate_stays_partial(spinal):
    high = ps.validation.get("gate_on_c_heat").high  # largest published reduction
    assert _count(spinal["conventional"]) >= (1 - high) * _count(spinal["none"]), spinal


def test_blocking_spinal_inhibition_removes_the_tens_effect(spinal):
    """Maeda 2007: spinal bicuculline prevents TENS antihyperalgesia.  With inhibition blocked, TENS's
    Aβ input only excites: the response is not lower than without TENS (it is far higher)."""
    assert np.all(spinal["blocked conventional"] >= spinal["blocked"])


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="acupuncture-like TENS (2 Hz, 4x Aβ threshold, Aδ recruited) raises the PN response to "
                          "47 °C heat at the stimulated site in every circuit; published: "
                          "low-frequency TENS reduces hyperalgesia through spinal GABA_A (Maeda 2007) and mu-opioid "
                          "receptors (Sluka 1999), routes the model does not have for Aδ input; at a remote site "
                          "4-Hz TENS gives 0.036 of the 100-Hz effect (validation row tens_low_frequency_ratio): "
                          "the spino-PAG route is linear in the number of pulses")
def test_acupuncture_like_tens_relieves(spinal):
    assert np.all(spinal["acupuncture"] < spinal["none"])


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="TENS drives the PAG/RVM through deep afferents and spino-PAG neurons (tests/test_spino_pag.py), "
                          "but at the stimulated site the segmental gate leaves the PN all but silent with and without "
                          "naloxone, so naloxone leaves the TENS effect there whole: the segmental, naloxone-insensitive part is all "
                          "of it (at a remote site naloxone removes most of it since the PAG/RVM relay: validation row "
                          "tens_naloxone_share); published: TENS analgesia is opioid-mediated through vlPAG -> RVM "
                          "(Sluka 1999; Kalra et al. 2001; DeSantana 2009)")
def test_naloxone_reduces_tens_analgesia(pathway):
    effect = pathway["none"] - pathway["conventional"]
    under_naloxone = pathway["naloxone"] - pathway["naloxone conventional"]
    assert np.all(effect > 0)
    assert under_naloxone.mean() < 0.8 * effect.mean()
