"""Nociceptor-driven feed-forward inhibition: C and Aδ fibres -> inhibitory interneurons
(``dorsal_horn.c_in``, ``dorsal_horn.adelta_in``).

Islet (GABAergic) cells of lamina II receive monosynaptic C input and inhibit neurons driven by
other C fibres (Lu & Perl 2003 J Neurosci 23:8752); most Aβ-driven GABAergic neurons also receive
high-threshold input (Daniele & MacDermott 2009 J Neurosci 29:686).  The model files keep the
connection off (p = 0); ``VARIANT`` switches it on as measured in docs/circuits.md.

Properties (gate_control, 47 °C contact heat, seeds 1-2, 1 s), each against its control:
- off in every model file, where it draws no synapse, and switching it on leaves every other
  projection's synapses as they were (its own random stream);
- off (the default): heat leaves the inhibitory interneurons silent, so the loss of inhibition of
  the neuropathic presets changes no heat-evoked spike (the miss the connection addresses);
- on: heat drives the interneurons, and disinhibition raises the heat response;
- on, with the interneurons' GABA_A/glycine and GABA_B receptors blocked: every projection-neuron
  and excitatory-interneuron spike equals the circuit without the connection, i.e. it acts only
  through the interneurons' inhibition.

Aδ -> IN (glycinergic neurons receive input mainly from myelinated afferents, Foster et al. 2015
Neuron 85:1289), on the Aδ-carried shorthand (noxious 0.6): off in every model file with its own
stream; on, the Aδ input recruits the interneurons and inhibits its own response; with GABA_A/glycine
blocked, every PN and EX spike as without it.
"""
import numpy as np
import pytest

import painsim as ps
from painsim.circuits.plan import build_plan
from painsim.fibers import heat
from painsim.params import builtin_models
from painsim.readouts import population_spikes
from batches import simulate_by_label

SEEDS = (1, 2)
DURATION = "1 s"
VARIANT = {"dorsal_horn.c_in.p": 0.4}
BLOCK = {"dorsal_horn.pharmacology.gaba_block": 1.0, "dorsal_horn.pharmacology.gabab_block": 1.0}


@pytest.fixture(scope="module")
def runs():
    m = ps.load_model("gate_control")
    loss = {"pathology.disinhibition": ps.load_model("neuropathic").si("pathology.disinhibition")}
    conditions = {"off": m, "off, disinhibited": m.with_params(loss), "on": m.with_params(VARIANT),
                  "on, disinhibited": m.with_params({**VARIANT, **loss}), "off, blocked": m.with_params(BLOCK),
                  "on, blocked": m.with_params({**VARIANT, **BLOCK})}
    reqs = [ps.Request(mm, None, heat(47), seed=s, label=name) for name, mm in conditions.items() for s in SEEDS]
    return simulate_by_label(reqs, DURATION)


def _same(a, b, population):
    return all(np.array_equal(x, y) for x, y in zip(population_spikes(a, population), population_spikes(b, population)))


def _rate(results, population):
    return float(np.mean([float(r.rates.sel(population=population).mean()) for r in results]))


def test_off_in_every_model_file_and_on_it_leaves_the_other_synapses_as_they_were():
    for name in builtin_models():
        assert ps.load_model(name).si("dorsal_horn.c_in.p") == 0.0, name
    m = ps.load_model("gate_control")
    off, on = build_plan(m, 1), build_plan(m.with_params(VARIANT), 1)
    by_name = lambda plan: {p.name: p for p in plan.projections}  # noqa: E731
    off, on = by_name(off), by_name(on)
    assert off["c_in"].pre.size == 0 and on["c_in"].pre.size > 0
    assert off.keys() == on.keys()
    for name in off:
        if name != "c_in":
            assert np.array_equal(off[name].pre, on[name].pre) and np.array_equal(off[name].post, on[name].post)


def test_off_by_default_heat_leaves_the_interneurons_silent_and_disinhibition_changes_nothing(runs):
    assert _rate(runs["off"], "IN") == 0.0
    assert _rate(runs["off"], "PN") > 5.0, "the comparison needs a heat response"
    for a, b in zip(runs["off"], runs["off, disinhibited"]):
        assert _same(a, b, "PN")


def test_with_the_connection_heat_drives_interneurons_and_disinhibition_raises_the_heat_response(runs):
    # measured 6-7 Hz of IN firing under 47 °C; > 1 Hz is ~ 10 spikes per interneuron over 2 circuits
    assert _rate(runs["on"], "IN") > 1.0
    on, lost = _rate(runs["on"], "PN"), _rate(runs["on, disinhibited"], "PN")
    # ~10 PN x 1 s x 2 circuits: ~50 spikes at the variant's ~2.4 Hz; the ratio's spread from
    # counting alone is ~20 %, so 1.5x is ~2.5 sd from no change; measured 2.7x here and over 4
    # circuits (docs/circuits.md)
    assert lost > 1.5 * on and lost > 2.0


def test_the_connection_acts_only_through_gaba_a_glycine(runs):
    for a, b in zip(runs["off, blocked"], runs["on, blocked"]):
        assert _same(a, b, "PN") and _same(a, b, "EX")
    assert _rate(runs["on, blocked"], "IN") > 0.0


# ---------------------------------------------------------------- Aδ -> IN (dorsal_horn.adelta_in)
#: Aδ -> IN on, as measured in docs/circuits.md (p as Aδ -> PN).
ADELTA_VARIANT = {"dorsal_horn.adelta_in.p": 0.4}


@pytest.fixture(scope="module")
def adelta_runs():
    """The Aδ-carried intensity shorthand (noxious 0.6: the PN response to it is carried by Aδ fibres)
    with and without Aδ -> IN, with inhibition intact and blocked."""
    m = ps.load_model("gate_control")
    conditions = {"off": m, "on": m.with_params(ADELTA_VARIANT), "off, blocked": m.with_params(BLOCK),
                  "on, blocked": m.with_params({**ADELTA_VARIANT, **BLOCK})}
    reqs = [ps.Request(mm, None, 0.6, seed=s, label=name) for name, mm in conditions.items() for s in SEEDS]
    return simulate_by_label(reqs, DURATION)


def test_adelta_in_is_off_in_every_model_file_and_on_it_leaves_the_other_synapses_as_they_were():
    for name in builtin_models():
        assert ps.load_model(name).si("dorsal_horn.adelta_in.p") == 0.0, name
    m = ps.load_model("gate_control")
    off = {p.name: p for p in build_plan(m, 1).projections}
    on = {p.name: p for p in build_plan(m.with_params(ADELTA_VARIANT), 1).projections}
    assert off["adelta_in"].pre.size == 0 and on["adelta_in"].pre.size > 0
    for name in off:
        if name != "adelta_in":
            assert np.array_equal(off[name].pre, on[name].pre) and np.array_equal(off[name].post, on[name].post)


def test_with_adelta_in_the_adelta_carried_input_recruits_interneurons_and_inhibits_itself(adelta_runs):
    assert _rate(adelta_runs["off"], "IN") == 0.0            # Aδ input alone drives no interneuron
    assert _rate(adelta_runs["on"], "IN") > 1.0
    off, on = _rate(adelta_runs["off"], "PN"), _rate(adelta_runs["on"], "PN")
    # measured 42.8 -> 14.0 Hz (2 s, seed 1; docs/circuits.md); hundreds of spikes per condition here,
    # so a drop to 0.7 of the response is far beyond counting noise
    assert off > 10.0 and on < 0.7 * off


def test_adelta_in_acts_only_through_gaba_a_glycine(adelta_runs):
    for a, b in zip(adelta_runs["off, blocked"], adelta_runs["on, blocked"]):
        assert _same(a, b, "PN") and _same(a, b, "EX")
    assert _rate(adelta_runs["on, blocked"], "IN") > 0.0   # the connection is there and drives IN


def test_the_held_out_row_reads_no_change_in_the_reference_and_a_rise_with_c_in():
    """Validation row disinhibited_heat_healthy: with heat leaving the interneurons silent, blocking their
    receptors changes no PN spike, so the ratio is exactly 1; with C -> IN the interneurons fire under
    heat and the block raises the response (measured 2.77 at p 0.3 with its refitted gain; > 1.5 here,
    the bound the disinhibition test above derives)."""
    from painsim.params import overriding
    from painsim.validation.measurements import disinhibited_heat_ratio
    assert disinhibited_heat_ratio(1) == 1.0
    with overriding(VARIANT):
        assert disinhibited_heat_ratio(1) > 1.5
