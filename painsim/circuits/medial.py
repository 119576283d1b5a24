"""The medial pain pathway: medial thalamus -> anterior cingulate cortex (numpy plans).

The affective-motivational limb of the pain system, beside the lateral,
sensory-discriminative one of :mod:`painsim.circuits.cortex` (relay -> S1).  Used
when a model has ``network.layers = "pathway"`` (``models/pain_pathway.toml``):

* **Medial thalamus** (``MT``; mediodorsal, centrolateral and parafascicular nuclei,
  one population): excitatory neurons driven by the projection neurons (``PN``)
  of *every* body site with the same probability.  Medial thalamic nociceptive
  neurons respond to noxious stimuli only, from large, often bilateral receptive
  fields, for the whole of a maintained stimulus (Dostrovsky & Guilbaud 1990 Pain
  40:93), with step-like stimulus-response functions (rat MD: heat threshold
  ~46 °C, Wang et al. 2019 J Physiol Sci 69:387); their spinal input is the
  lamina I spinothalamic tract (Craig 2003 Annu Rev Neurosci 26:1 [recalled]).
  The model's ``PN`` stand for that input (the dorsal horn has one projection
  population; a separate lamina I class is not modelled).
* **Anterior cingulate cortex** (``ACC`` excitatory, ``ACCI`` inhibitory units):
  medial thalamus -> ACC (Vogt 2005 Nat Rev Neurosci 6:533 [recalled]), recurrent
  excitation and feedback inhibition.  Every excitatory synapse onto ACC and MT
  neurons carries AMPA and NMDA conductances (ACC -> ACCI is AMPA only) (Mg2+ block, Jahr & Stevens 1990): ACC
  excitatory transmission is NMDA-rich and central to its role in chronic pain
  (Zhuo 2008 Trends Neurosci 31:199 [recalled]).  With a 100-ms NMDA decay,
  inputs that arrive within ~100 ms summate (temporal summation), and the
  voltage-dependent Mg2+ block makes that summation supralinear.

Every neuron is the conductance LIF of :data:`painsim.circuits.cortex.NEURON_EQS`
(cortical values, ``[cortex.neuron]``) with an NMDA conductance added
(:data:`NEURON_EQS`; NMDA time constants and Mg2+ are ``[cortex.synapse]``'s),
in its own neuron group ``"medial"``.

The layer adds the medial-thalamus and ACC rates and the affective readout
``unpleasantness`` (NRS 0-10, :func:`painsim.readouts.unpleasantness_score`) to
a simulation Dataset (:func:`results`); it leaves the intensity score (``pain``)
as the layers below formed it.  Its purpose in painsim is to let therapies that
are proposed to act on the medial pathway (burst SCS: De Ridder et al. 2013
World Neurosurg 80:642; Yearwood et al. 2020 Neuromodulation 23:56) be tested
through circuit responses; nothing in it refers to a therapy.

Nothing here creates brian2 objects: :func:`build` returns the populations and
projections that :mod:`painsim.circuits.network` assembles.
"""
from __future__ import annotations

import numpy as np

from .. import readouts
from ..rng import rng_for
from .elements import Connection, GroupDynamics, Layer, LayerResults, Population, Projection, random_pairs

__all__ = ["MEDIAL_POPULATIONS", "CONNECTIONS", "NEURON_EQS", "NEURON_PARAMS", "EXC_SYNAPSE", "INH_SYNAPSE",
           "OPIOID_GIRK", "population_sizes", "connection_probabilities", "connection_conductances",
           "cingulate_opioid", "build",
           "results", "LAYER"]

#: Populations of the medial pathway, in network order.
MEDIAL_POPULATIONS = ("MT", "ACC", "ACCI")

CONNECTIONS = (
    Connection("pn_mt", "PN", "MT", "exc"),        # (lamina I) spinothalamic tract to the medial thalamus
    Connection("mt_acc", "MT", "ACC", "exc"),      # medial thalamus -> anterior cingulate
    Connection("acc_acc", "ACC", "ACC", "exc"),    # recurrent excitation in ACC
    Connection("acc_acci", "ACC", "ACCI", "exc"),
    Connection("acci_acc", "ACCI", "ACC", "inh"),  # feedback inhibition
    # opioid released in the anterior midcingulate cortex when M1 is active (motor cortex
    # stimulation lowers [11C]diprenorphine binding there, in proportion to relief: Maarrawi
    # et al. 2007 Neurology 69:827); opioid only (w_gaba = 0), last so older streams are unchanged
    Connection("m1_acc_opioid", "M1", "ACC", "inh"),
)

#: Neuron-equation parameters and their model paths (SI): the cortical LIF values
#: (Vogels & Abbott 2005) and the NMDA receptor's (``[cortex.synapse]``).
NEURON_PARAMS = {
    "c_m": "cortex.neuron.capacitance", "g_leak": "cortex.neuron.leak_conductance",
    "e_rest": "cortex.neuron.rest", "v_threshold": "cortex.neuron.threshold",
    "v_reset": "cortex.neuron.reset", "t_refractory": "cortex.neuron.refractory",
    "e_exc": "cortex.synapse.e_excitatory", "e_inh": "cortex.synapse.e_inhibitory",
    "tau_ampa": "cortex.synapse.tau_ampa", "tau_gaba": "cortex.synapse.tau_gaba",
    "tau_nmda_rise": "cortex.synapse.tau_nmda_rise", "tau_nmda_decay": "cortex.synapse.tau_nmda_decay",
    "mg": "cortex.synapse.mg",
    "e_k": "dorsal_horn.opioid.e_potassium", "tau_opioid": "dorsal_horn.opioid.tau",
}
#: Per-population mu-opioid (GIRK) conductance at full occupancy (0 elsewhere).
OPIOID_GIRK = {"ACC": "medial.opioid.girk_acc"}

_UNITS = {"c_m": "farad", "g_leak": "siemens", "e_rest": "volt", "v_threshold": "volt", "v_reset": "volt",
          "t_refractory": "second", "e_exc": "volt", "e_inh": "volt", "tau_ampa": "second", "tau_gaba": "second",
          "tau_nmda_rise": "second", "tau_nmda_decay": "second", "mg": "1", "g_tonic": "siemens",
          "e_k": "volt", "tau_opioid": "second", "g_mor_max": "siemens"}

#: Medial-pathway neurons: the supraspinal conductance LIF (AMPA, GABA_A, a constant
#: background conductance ``g_tonic``; Vogels & Abbott 2005 J Neurosci 25:10786) with
#: an NMDA conductance (rise and decay, Mg2+ block of Jahr & Stevens 1990 J Neurosci
#: 10:3178, as in the dorsal horn), and mu-opioid receptors opening a K+ (GIRK)
#: conductance (occupancy ``opioid/(1 + opioid)``, as in the dorsal horn).
NEURON_EQS = """
dv/dt = (g_leak*(e_rest - v) + g_ampa*(e_exc - v) + g_nmda*mg_block*(e_exc - v) + g_gaba*(e_inh - v) + g_tonic*(e_exc - v)
         + g_mor_max*opioid/(1 + opioid)*(e_k - v)) / c_m : volt (unless refractory)
dopioid/dt = -opioid / tau_opioid : 1
mg_block = 1 / (1 + mg * exp(-0.062 * v / mV) / 3.57) : 1
dg_ampa/dt = -g_ampa / tau_ampa : siemens
dg_nmda/dt = (x_nmda - g_nmda) / tau_nmda_decay : siemens
dx_nmda/dt = -x_nmda / tau_nmda_rise : siemens
dg_gaba/dt = -g_gaba / tau_gaba : siemens
""" + "".join(f"{var} : {unit} (constant)\n" for var, unit in _UNITS.items())

#: Excitatory synapses onto medial neurons: AMPA and NMDA (the NMDA jump scaled, as in
#: the dorsal horn, so that the conductance's integral is ``w * w_nmda * tau_nmda_decay``).
EXC_SYNAPSE = dict(model="w : 1\nw_ampa : siemens (constant)\nw_nmda : siemens (constant)",
                   on_pre=("g_ampa_post += w*w_ampa\n"
                           "x_nmda_post += w*w_nmda*tau_nmda_decay_post/tau_nmda_rise_post"))
#: Inhibitory and opioid-releasing synapses (``w_mor``: opioid per spike, units of the
#: receptor's dissociation constant, as in the dorsal horn).
INH_SYNAPSE = dict(model="w : 1\nw_gaba : siemens (constant)\nw_mor : 1 (constant)",
                   on_pre="g_gaba_post += w*w_gaba\nopioid_post += w*w_mor")

# random streams of the layer (dorsal horn: connectivity 0-8, initial 3-5; cortex: 100+, 20+)
_CONNECTIVITY_STREAM = 200
_INITIAL_STREAM = {name: 40 + k for k, name in enumerate(MEDIAL_POPULATIONS)}


def population_sizes(model) -> dict[str, int]:
    """Neurons per medial population of one point (``[medial.populations]``).

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to int
        ``{"MT": ..., "ACC": ..., "ACCI": ...}``.
    """
    c = model.section("medial.populations")
    return {"MT": c["n_thalamus"], "ACC": c["n_acc"], "ACCI": c["n_acc_inhibitory"]}


def _tonic(model, seed: int, sizes: dict) -> dict[str, np.ndarray]:
    """Background conductance (S): medial thalamus ``medial.thalamus.background``,
    ACC units ``medial.acc.background`` scaled 0.8-1.0 per unit (as S1, just below
    threshold), ACC interneurons none."""
    th, acc = model.section("medial.thalamus"), model.section("medial.acc")
    jitter = rng_for(seed, "initial", _INITIAL_STREAM["ACC"], 1).uniform(0.8, 1.0, sizes["ACC"])
    return {"MT": np.full(sizes["MT"], th["background"]), "ACC": acc["background"] * jitter,
            "ACCI": np.zeros(sizes["ACCI"])}


def _populations(model, seed: int) -> list[Population]:
    sizes = population_sizes(model)
    tonic = _tonic(model, seed, sizes)
    rest = model.si("cortex.neuron.rest")
    pops = []
    for name in MEDIAL_POPULATIONS:
        n = sizes[name]
        params = {var: np.full(n, model.si(path)) for var, path in NEURON_PARAMS.items()}
        params["g_tonic"] = tonic[name]
        params["g_mor_max"] = np.full(n, model.si(OPIOID_GIRK[name]) if name in OPIOID_GIRK else 0.0)
        v0 = rest + rng_for(seed, "initial", _INITIAL_STREAM[name]).uniform(0, 2e-3, n)
        pops.append(Population(name, n, params, v0, group="medial"))
    return pops


def connection_probabilities(model) -> dict[str, np.ndarray]:
    """Connection probability (pre x post) of every medial projection: the PN of
    every body site converge on the medial thalamus with the same probability
    (large receptive fields, Dostrovsky & Guilbaud 1990); uniform elsewhere.

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to ndarray
        One (n_pre, n_post) array per connection of :data:`CONNECTIONS`.
    """
    sizes = population_sizes(model)
    n_pn = int(model.si("dorsal_horn.populations.n_projection")) * int(model.si("body.n_sites"))
    th, acc = model.section("medial.thalamus"), model.section("medial.acc")
    return {
        "pn_mt": np.full((n_pn, sizes["MT"]), th["spinothalamic_p"]),
        "mt_acc": np.full((sizes["MT"], sizes["ACC"]), acc["thalamocortical_p"]),
        "acc_acc": np.full((sizes["ACC"], sizes["ACC"]), acc["recurrent_p"]),
        "acc_acci": np.full((sizes["ACC"], sizes["ACCI"]), acc["excitation_inhibitory_p"]),
        "acci_acc": np.full((sizes["ACCI"], sizes["ACC"]), acc["inhibition_p"]),
        "m1_acc_opioid": np.full((int(model.si("cortex.populations.n_m1")), sizes["ACC"]),
                                 model.si("medial.opioid.m1_p")),
    }


def connection_conductances(model) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Receptor conductances per synapse (S) of every medial projection and the
    delays (s) that differ from ``network.synaptic_delay``.

    Parameters
    ----------
    model : Model

    Returns
    -------
    conductances : dict of str to dict of str to float
        Per connection, ``{synapse variable: value}`` (S; ``w_mor``: :func:`cingulate_opioid`).
    delays : dict of str to float
        ``{"pn_mt": medial.thalamus.spinothalamic_delay}``, s.
    """
    th, acc = model.section("medial.thalamus"), model.section("medial.acc")
    g = {
        "pn_mt": {"w_ampa": th["spinothalamic_weight"], "w_nmda": th["spinothalamic_nmda"]},
        "mt_acc": {"w_ampa": acc["thalamocortical_weight"], "w_nmda": acc["thalamocortical_nmda"]},
        "acc_acc": {"w_ampa": acc["recurrent_weight"], "w_nmda": acc["recurrent_nmda"]},
        "acc_acci": {"w_ampa": acc["excitation_inhibitory_weight"], "w_nmda": 0.0},
        "acci_acc": {"w_gaba": acc["inhibition_weight"]},
        "m1_acc_opioid": {"w_gaba": 0.0, "w_mor": cingulate_opioid(model)},
    }
    return g, {"pn_mt": th["spinothalamic_delay"]}


def cingulate_opioid(model) -> float:
    """Opioid per M1 spike at an ACC neuron (``medial.opioid.release`` x (1 - naloxone block,
    ``dorsal_horn.pharmacology.opioid_block``: systemic naloxone blocks every opioid receptor
    of the model)): the cingulate part of motor-cortex stimulation analgesia (Maarrawi et al.
    2007 Neurology 69:827).

    Parameters
    ----------
    model : Model

    Returns
    -------
    float
        In units of the receptor's dissociation constant.
    """
    return model.si("medial.opioid.release") * (1 - model.si("dorsal_horn.pharmacology.opioid_block"))


def build(model, seed: int):
    """Populations and projections of the medial thalamus and ACC of one point.

    Returns ``(populations, projections)`` for :class:`painsim.circuits.plan.Plan`;
    the ``PN`` they receive come from :func:`painsim.circuits.dorsal_horn.build`.
    Connectivity is drawn from the layer's own random streams, so the layers
    below draw exactly what they drew without it.

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed.

    Returns
    -------
    populations : list of Population
        ``MT``, ``ACC`` and ``ACCI`` (group ``"medial"``).
    projections : list of Projection
        One per connection of :data:`CONNECTIONS`.
    """
    prob = connection_probabilities(model)
    cond, delay = connection_conductances(model)
    syn_delay = model.si("network.synaptic_delay")
    projs = []
    for k, conn in enumerate(CONNECTIONS):
        pre, post = random_pairs(rng_for(seed, "connectivity", _CONNECTIVITY_STREAM + k), prob[conn.name],
                                 no_self=conn.source == conn.target)
        g = {var: np.full(pre.size, val) for var, val in cond[conn.name].items()}
        projs.append(Projection(conn.name, conn.source, conn.target, conn.kind, pre, post, g,
                                delay.get(conn.name, syn_delay)))
    return _populations(model, seed), projs


def results(model, out, duration: float, pain=None) -> LayerResults:
    """Dataset variables of the medial pathway: medial-thalamus and ACC rates after
    ``readout.transient``, and ``unpleasantness`` (NRS 0-10) of the ACC rate
    (:func:`painsim.readouts.unpleasantness_score`).  The intensity score
    ``pain`` of the layers below is left as it is (``LayerResults.pain = None``).

    Parameters
    ----------
    model : Model
    out : PointOutput
        The point's raw output (:class:`painsim.circuits.PointOutput`).
    duration : float
        Simulated time, s.
    pain : float, optional
        Pain score of the layers below; unused.

    Returns
    -------
    LayerResults
        ``medial_thalamus_rate`` and ``acc_rate`` (Hz), ``unpleasantness`` (NRS 0-10).
    """
    t0 = readouts.readout_start(model, duration)
    mt = readouts.mean_rate(out.spikes["MT"][0], out.sizes["MT"], t0, duration)
    acc = readouts.mean_rate(out.spikes["ACC"][0], out.sizes["ACC"], t0, duration)
    variables = {
        "medial_thalamus_rate": ((), mt, {"units": "Hz", "long_name":
                                          "medial thalamus (MD/CL/Pf) rate after the transient"}),
        "acc_rate": ((), acc, {"units": "Hz", "long_name": "anterior cingulate (excitatory) rate after the transient"}),
        "unpleasantness": ((), float(readouts.unpleasantness_score(acc, model)),
                           {"units": "1", "long_name": "pain unpleasantness (NRS 0-10) of the ACC rate "
                                                       "(readouts.unpleasantness_score)"}),
    }
    return LayerResults(variables, {})


#: The medial pain pathway as a registered layer (:data:`painsim.circuits.layers.LAYERS`).
LAYER = Layer(
    name="medial",
    populations=MEDIAL_POPULATIONS,
    connections=CONNECTIONS,
    groups={"medial": GroupDynamics(NEURON_EQS, EXC_SYNAPSE, INH_SYNAPSE)},
    neuron_paths=tuple(NEURON_PARAMS.items()),
    sizes=population_sizes,
    build=build,
    results=results,
)
