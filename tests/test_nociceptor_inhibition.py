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
- on: heat drives the interneurons, lowers the heat response, and disinhibition raises it;
- on, with the interneurons' GABA_A/glycine and GABA_B receptors blocked: every projection-neuron
  and excitatory-interneuron spike equals the circuit without the connection, i.e. it acts only
  through the interneurons' inhibition.

Aδ -> IN (glycinergic neurons receive input mainly from myelinated afferents, Foster et al. 2015
Neuron 85:1289), on the Aδ-carried shorthand (noxious 0.6): off in every model file with its own
stream; on, the Aδ input recruits the interneurons and inhibits its own response; with GABA_A/glycine
blocked, every PN and EX spike as without it.

Each "drives", "lowers" and "raises" is a difference of spike counts pooled over SEEDS beyond 3
Poisson sd of the difference (``exceeds``, tests/batches.py), and each has a negative control through ``with_params``:
the connection drawn (p 0.4) with its conductances 0 (``BROKEN``, ``ADELTA_BROKEN``), where the
same comparison must not hold.
"""
import numpy as np
import pytest

import painsim as ps
from painsim.circuits.plan import build_plan
from painsim.fibers import heat
from painsim.params import builtin_models
from painsim.readouts import population_spikes
from batches import exceeds, simulate_by_label

SEEDS = (1, 2)
DURATION = "1 s"
VARIANT = {"dorsal_horn.c_in.p": 0.4}
#: the negative control: the same synapses drawn, carrying nothing (the mechanism removed)
BROKEN = {**VARIANT, "dorsal_horn.c_in.weight": "0 nS", "dorsal_horn.c_in.nmda": "0 nS",
          "dorsal_horn.c_in.nk1": "0 nS"}
BLOCK = {"dorsal_horn.pharmacology.gaba_block": 1.0, "dorsal_horn.pharmacology.gabab_block": 1.0}


@pytest.fixture(scope="module")
def runs():
    m = ps.load_model("gate_control")
    loss = {"pathology.disinhibition": ps.load_model("neuropathic").si("pathology.disinhibition")}
    conditions = {"off": m, "off, disinhibited": m.with_params(loss), "on": m.with_params(VARIANT),
                  "on, disinhibited": m.with_params({**VARIANT, **loss}), "off, blocked": m.with_params(BLOCK),
                  "on, blocked": m.with_params({**VARIANT, **BLOCK}), "broken": m.with_params(BROKEN),
                  "broken, disinhibited": m.with_params({**BROKEN, **loss})}
    reqs = [ps.Request(mm, None, heat(47), seed=s, label=name) for name, mm in conditions.items() for s in SEEDS]
    return simulate_by_label(reqs, DURATION)


def _same(a, b, population):
    return all(np.array_equal(x, y) for x, y in zip(population_spikes(a, population), population_spikes(b, population)))


def _rate(results, population):
    return float(np.mean([float(r.rates.sel(population=population).mean()) for r in results]))


def _count(results, population):
    """The population's spikes over the whole run, summed over the results (circuits)."""
    return sum(population_spikes(r, population)[0].size for r in results)



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
    """Pooled over SEEDS, each beyond 3 Poisson sd (``exceeds``, tests/batches.py): with C -> IN, 47 °C drives the IN
    (against none without it), the PN fire less than without the connection (feed-forward
    inhibition), and the neuropathic presets' loss of inhibition raises the PN count again.
    Negative control: the connection drawn with conductances 0 (``BROKEN``) shows none of the
    three, and disinhibition there changes no spike (the PN count is the circuit's without it)."""
    off, on, lost = (_count(runs[k], "PN") for k in ("off", "on", "on, disinhibited"))
    assert exceeds(_count(runs["on"], "IN"), _count(runs["off"], "IN"))
    assert exceeds(off, on), (off, on)
    assert exceeds(lost, on), (lost, on)
    broken, broken_lost = _count(runs["broken"], "PN"), _count(runs["broken, disinhibited"], "PN")
    assert _count(runs["broken"], "IN") == 0
    assert not exceeds(off, broken) and not exceeds(broken_lost, broken), (off, broken, broken_lost)


def test_the_connection_acts_only_through_gaba_a_glycine(runs):
    for a, b in zip(runs["off, blocked"], runs["on, blocked"]):
        assert _same(a, b, "PN") and _same(a, b, "EX")
    assert _rate(runs["on, blocked"], "IN") > 0.0


# ---------------------------------------------------------------- Aδ -> IN (dorsal_horn.adelta_in)
#: Aδ -> IN on, as measured in docs/circuits.md (p as Aδ -> PN).
ADELTA_VARIANT = {"dorsal_horn.adelta_in.p": 0.4}
#: its negative control: the same synapses drawn, carrying nothing
ADELTA_BROKEN = {**ADELTA_VARIANT, "dorsal_horn.adelta_in.weight": "0 nS", "dorsal_horn.adelta_in.nmda": "0 nS"}


@pytest.fixture(scope="module")
def adelta_runs():
    """The Aδ-carried intensity shorthand (noxious 0.6: the PN response to it is carried by Aδ fibres)
    with and without Aδ -> IN (and drawn with conductances 0), with inhibition intact and blocked."""
    m = ps.load_model("gate_control")
    conditions = {"off": m, "on": m.with_params(ADELTA_VARIANT), "broken": m.with_params(ADELTA_BROKEN),
                  "off, blocked": m.with_params(BLOCK),
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
    """Pooled over SEEDS, beyond 3 Poisson sd (``exceeds``, tests/batches.py): with Aδ -> IN the Aδ-carried input drives
    the IN (none without it) and the PN fire less (measured 42.8 -> 14.0 Hz, 2 s, seed 1;
    docs/circuits.md).  Negative control: drawn with conductances 0 (``ADELTA_BROKEN``), no IN
    spike and no fall of the PN count."""
    assert _count(adelta_runs["off"], "IN") == 0            # Aδ input alone drives no interneuron
    assert exceeds(_count(adelta_runs["on"], "IN"), 0)
    off, on, broken = (_count(adelta_runs[k], "PN") for k in ("off", "on", "broken"))
    assert exceeds(off, on), (off, on)
    assert _count(adelta_runs["broken"], "IN") == 0 and not exceeds(off, broken), (off, broken)


def test_adelta_in_acts_only_through_gaba_a_glycine(adelta_runs):
    for a, b in zip(adelta_runs["off, blocked"], adelta_runs["on, blocked"]):
        assert _same(a, b, "PN") and _same(a, b, "EX")
    assert _rate(adelta_runs["on, blocked"], "IN") > 0.0   # the connection is there and drives IN


def test_the_held_out_row_reads_no_change_in_the_reference_and_a_rise_with_c_in():
    """Validation row disinhibited_heat_healthy: with heat leaving the interneurons silent, blocking their
    receptors changes no PN spike, so the ratio is exactly 1; with C -> IN the interneurons fire under
    heat and the block raises the response (measured 2.77 at p 0.3 with its refitted gain).  The bound
    1.5 from counting alone: the row pools 4 circuits x 1.2 s read x 10 PN, with the variant here
    2-8 Hz intact (~240 spikes), so at a ratio of 1.5 the log ratio's Poisson sd is
    sqrt(1/240 + 1/360) ~ 0.08, and log 1.5 ~ 0.41 is ~5 sd from no change.

    Negative control: the connection drawn with conductances 0 (``BROKEN``).  Heat then drives no
    interneuron (the ``broken`` runs above: no IN spike), so the block removes an inhibition that is
    never released and the row reads exactly 1, as in the reference: the bound is exact, not
    statistical (the same circuits and afferent spikes with and without the block)."""
    from painsim.params import overriding
    from painsim.validation.measurements import disinhibited_heat_ratio
    assert disinhibited_heat_ratio(1) == 1.0
    with overriding(VARIANT):
        assert disinhibited_heat_ratio(1) > 1.5
    with overriding(BROKEN):
        assert disinhibited_heat_ratio(1) == 1.0
