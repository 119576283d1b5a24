"""Diffuse noxious inhibitory controls: the subnucleus reticularis dorsalis loop (numpy plans).

A noxious stimulus anywhere on the body inhibits the convergent (WDR) neurons of
the whole dorsal horn: Le Bars, Dickenson & Besson 1979 (Pain 6:283 [checked:
abstract]) found 67 of 68 lumbar convergent neurones of anaesthetized rats
"powerfully inhibited" by noxious pinch, heat or transcutaneous electrical
stimulation of remote body parts (responses to noxious radiant heat depressed by
60-100 %), while "non-noxious stimuli were ineffective"; the inhibition is absent
in spinal animals, so its substrate is supraspinal (part II, Pain 6:305 [checked:
summary]).  The human counterpart is conditioned pain modulation (CPM).  Used when
a model has ``network.layers = "pathway"`` (or ``"pathway_lemniscal"``) and ``dnic.n_neurons > 0``:

* **SRD neurons** (``SRD``; the subnucleus reticularis dorsalis of the caudal
  medulla), ``dnic.n_neurons`` in one population, driven by the projection
  neurons (``PN``) of every body site with one probability (total nociceptive
  convergence: SRD neurons respond to noxious stimuli from any part of the body
  and hardly to innocuous ones: 84 % have no spontaneous activity and 88 % ignore
  innocuous skin stimuli, Villanueva, Bouhassira, Bing & Le Bars 1988 J Neurophysiol
  60:980 [checked: abstract]; SRD lesions reduce DNIC by 40-45 %, Bouhassira et al. 1992
  Brain Res 595:353 [checked: abstract]).  The spinoreticular input is lumped into the PN -> SRD synapse
  (the model's PN stand for lamina I and deep nociceptive output neurons alike).
* **SRD -> PN of every site** through the dorsolateral funiculus (DLF lesions
  abolish DNIC, Villanueva, Chitour & Le Bars 1986 J Neurophysiol 56:1185
  [recalled]): the dorsal horn's inhibitory synapse with its fast conductance
  only (``w_gaba``, a rate-coded stand-in for the descending transmitters, as
  the monoaminergic loop of :mod:`painsim.circuits.dorsal_column`), no opioid;
  ``dnic.integrity`` (1 = intact) scales it, 0 is the mechanism's negative control.
* **An opioid step inside the SRD** (:func:`srd_opioid_relay`): a share
  ``dnic.opioid_relay_fraction`` of the SRD neurons' spinoreticular excitation is relayed
  through opioid receptors there, so systemic naloxone (``dorsal_horn.pharmacology.opioid_block``)
  removes it, as the PAG/RVM's excitation (:func:`painsim.circuits.cortex.descending_relay`);
  0 in the model files (measured at 1 and not adopted: docs/circuits.md).
  Naloxone blocks DNIC in humans (Willer, Le Bars & De Broucker 1990 Eur J Pharmacol [checked:
  abstract]); in rats with muscle inflammation naloxone in the SRD (medullary reticularis
  nucleus dorsalis), not in the RVM, prevented DNIC analgesia (de Resende et al. 2011 J Pain
  [checked: abstract; authors and year recalled]).

Innocuous input reaches the loop only through the PN it drives, so touch in a
healthy circuit (where the gate keeps the PN near silent) hardly recruits it.
Every PN is inhibited, including those of the conditioned site; there its own
afferent excitation dominates (Le Bars' "contrast" between the segmental pool
and the rest).  ``dnic.n_neurons = 0`` builds no neuron and no synapse: the
circuit is exactly the one without this layer (the model files set 20).

SRD neurons are the supraspinal conductance LIF of :mod:`painsim.circuits.cortex`
(group ``"supraspinal"``, ``[cortex.neuron]`` values) with a background
conductance ``dnic.background``.  Nothing here creates brian2 objects: :func:`build`
returns the populations and projections that :mod:`painsim.circuits.network`
assembles.
"""
from __future__ import annotations

import numpy as np

from .. import readouts
from ..rng import rng_for
from .cortex import opioid_relay, supraspinal_parameters
from .elements import Connection, Layer, LayerResults, Population, Projection, random_pairs

__all__ = ["DNIC_POPULATIONS", "CONNECTIONS", "population_sizes", "connection_probabilities", "srd_opioid_relay", "build",
           "results", "LAYER"]

#: Populations of the layer, in network order.
DNIC_POPULATIONS = ("SRD",)

CONNECTIONS = (
    Connection("pn_srd", "PN", "SRD", "exc"),  # spinoreticular input from every site (lumped)
    Connection("srd_pn", "SRD", "PN", "inh"),  # descending through the DLF onto every site's PN
)

# random streams of the layer (dorsal horn 0-8 / 3-5, cortex 100+ / 20+, medial 200+ / 40+,
# dorsal column 300+ / 60+, spino-PAG 400+ / 70, lemniscal 500+ / 80)
_CONNECTIVITY_STREAM = 600
_INITIAL_STREAM = 90


def population_sizes(model) -> dict[str, int]:
    """SRD neurons of one point (``dnic.n_neurons``; 0 = the layer is off).

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to int
    """
    return {"SRD": int(model.si("dnic.n_neurons"))}


def connection_probabilities(model) -> dict[str, np.ndarray]:
    """PN of every site -> SRD, and SRD -> PN of every site, each with one probability.

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to numpy.ndarray
        ``pn_srd`` and ``srd_pn``, shape (n_pre, n_post).
    """
    c = model.section("dnic")
    n_pn = int(model.si("dorsal_horn.populations.n_projection")) * int(model.si("body.n_sites"))
    n = population_sizes(model)["SRD"]
    return {"pn_srd": np.full((n_pn, n), c["spinoreticular_p"]),
            "srd_pn": np.full((n, n_pn), c["descending_p"])}


def srd_opioid_relay(model) -> float:
    """Factor on the SRD neurons' spinoreticular excitation left by the opioid receptors of the
    SRD: ``(1 - f) + f (1 - b)``, ``f`` = ``dnic.opioid_relay_fraction``, ``b`` =
    ``dorsal_horn.pharmacology.opioid_block`` (systemic naloxone).  Exactly 1 without naloxone,
    so the loop is then the one without this step, spike for spike.

    Parameters
    ----------
    model : Model

    Returns
    -------
    float
    """
    return opioid_relay(model, model.si("dnic.opioid_relay_fraction"))


def build(model, seed: int):
    """Populations and projections of the SRD loop of one point.

    Returns ``(populations, projections)`` for :class:`painsim.circuits.plan.Plan`;
    ``PN`` comes from :func:`painsim.circuits.dorsal_horn.build`.  Connectivity is
    drawn from the layer's own random streams, so the other layers draw exactly
    what they drew without it.  The SRD -> PN conductance is scaled by
    ``dnic.integrity`` and carries no opioid (``w_mor = 0``); the PN -> SRD conductance is
    scaled by :func:`srd_opioid_relay` (1 without naloxone).

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed.

    Returns
    -------
    populations : list of Population
        ``SRD`` (group ``"supraspinal"``; empty when ``dnic.n_neurons = 0``).
    projections : list of Projection
        One per connection of :data:`CONNECTIONS`.
    """
    c = model.section("dnic")
    n = population_sizes(model)["SRD"]
    params = supraspinal_parameters(model, n, c["background"])
    v0 = model.si("cortex.neuron.rest") + rng_for(seed, "initial", _INITIAL_STREAM).uniform(0, 2e-3, n)
    prob = connection_probabilities(model)
    g = {"pn_srd": {"w_ampa": c["spinoreticular_weight"] * srd_opioid_relay(model)},
         "srd_pn": {"w_gaba": c["descending_weight"] * c["integrity"], "w_mor": 0.0}}
    delay = {"pn_srd": c["spinoreticular_delay"], "srd_pn": c["descending_delay"]}
    projs = []
    for k, conn in enumerate(CONNECTIONS):
        pre, post = random_pairs(rng_for(seed, "connectivity", _CONNECTIVITY_STREAM + k), prob[conn.name])
        cond = {var: np.full(pre.size, val) for var, val in g[conn.name].items()}
        projs.append(Projection(conn.name, conn.source, conn.target, conn.kind, pre, post, cond, delay[conn.name]))
    return [Population("SRD", n, params, v0, group="supraspinal")], projs


def results(model, out, duration: float, pain=None) -> LayerResults:
    """``srd_rate`` (Hz, after ``readout.transient``) when the layer is on; nothing when
    ``dnic.n_neurons = 0``.  The pain score is left as it is.

    Parameters
    ----------
    model : Model
    out : PointOutput
        The point's raw output.
    duration : float
        Simulated time, s.
    pain : float, optional
        Pain score of the layers below; unused.

    Returns
    -------
    LayerResults
    """
    n = population_sizes(model)["SRD"]
    if n == 0:
        return LayerResults({}, {})
    t0 = readouts.readout_start(model, duration)
    rate = readouts.mean_rate(out.spikes["SRD"][0], n, t0, duration)
    return LayerResults({"srd_rate": ((), rate, {"units": "Hz", "long_name":
                                                "subnucleus reticularis dorsalis (DNIC) rate after the transient"})}, {})


#: The DNIC loop as a registered layer (:data:`painsim.circuits.layers.LAYERS`); its neurons
#: are in the cortex layer's ``"supraspinal"`` group.
LAYER = Layer(
    name="dnic",
    populations=DNIC_POPULATIONS,
    connections=CONNECTIONS,
    groups={},
    neuron_paths=(),
    sizes=population_sizes,
    build=build,
    results=results,
)
