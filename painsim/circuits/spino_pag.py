"""Deep-tissue afferents and the spino-PAG route of peripheral electrical stimulation (numpy plans).

The ascending limb of the endogenous-opioid analgesia of TENS, percutaneous
electrical nerve stimulation and peripheral nerve stimulation; used when a
model has ``network.layers = "pathway"`` (``models/pain_pathway.toml``):

* **Deep-tissue afferents** (``DEEP``; muscle and joint afferents of groups II
  and III), ``spino_pag.n_group_ii + n_group_iii`` per body site.  TENS relieves
  hyperalgesia through large-diameter afferents **from deep tissue, not from the
  skin**: blocking the knee joint's afferents prevents it, anaesthetising the
  skin does not (Radhakrishnan & Sluka 2005 J Pain 6:673 [checked: abstract]);
  muscle A fibres carry electroacupuncture relief, which demyelinating them
  removes (Chen et al. 2021 Front Neurosci 15:695152 [checked: abstract]).  So
  they fire only when a device's pulses reach them: an electrode on the skin or
  at a peripheral nerve or root excites the nerve trunks beneath it, which
  carry muscle and joint afferents beside the cutaneous ones.  They are recruited
  by the model's own recruitment (``afferents.recruitment``), group II as fibres
  of the Aβ class and group III as the Aδ class (thresholds, velocities and, in
  the biophysical model, distances of those classes: chosen, the deep afferents'
  own depth under the electrode is not modelled).  A dorsal-column or DRG lead
  and every natural stimulus (brush, pinprick, heat: cutaneous) leave them
  silent, so this layer changes nothing without peripheral electrical or
  magnetic stimulation (a magnetic coil over a nerve, mPNS, fires the deep
  afferents its field reaches, as it fires the cutaneous ones).
* **Spino-PAG neurons** (``SPAG``; deep-lamina V-VII spino-periaqueductal and
  spinoreticular neurons), ``spino_pag.n_neurons`` per site, excited by the deep
  afferents of their own site.  Most spinal neurons projecting to the PAG lie
  outside lamina I, in laminae V-VII and X (Mouton & Holstege 2000 J Comp Neurol
  428:389; Mouton, Klop & Holstege 2001 Brain Res Bull 54:167 [checked:
  abstracts]).  They are not part of the segmental gate (no interneuron inhibits
  them), so Aβ-strength stimulation that silences the projection neurons still
  drives them: a lamina I -> PAG loop tried earlier failed exactly there
  (docs/circuits.md).
* **SPAG -> PAG/RVM** (``DESC`` of :mod:`painsim.circuits.cortex`, every site's
  SPAG): a lumped excitatory projection; the descending neurons then release
  endogenous opioid (``descending.opioid``, mu receptors) and GABA/glycine onto
  the projection neurons of every site.  The route through the ventrolateral PAG
  and the RVM is what the TENS literature tests: inactivating vlPAG prevents
  low- and high-frequency TENS (DeSantana et al. 2009 [checked: abstract]); RVM
  naloxone blocks 4 Hz TENS (Kalra, Urban & Sluka 2001 JPET 298:257 [checked:
  abstract]); spinal naloxone blocks low-frequency TENS (Sluka, Deacon, Chandran
  & Walsh 1999 JPET 289:840 [checked: abstract]).  The excitation reaches the
  descending neurons through the opioid relay of the PAG/RVM
  (:func:`painsim.circuits.cortex.descending_relay`), so naloxone removes the
  route's whole effect, its opioid and its GABA/glycine part, as the RVM
  antagonist does in rats.  ``spino_pag.integrity`` (1 = intact) scales it: 0
  cuts the route (the mechanism's negative control).

Not modelled: the delta-opioid receptors of high-frequency TENS (Sluka 1999:
naltrindole blocks 100 Hz; here every descending opioid binds the one mu pool),
the serotonergic part of low-frequency TENS (Radhakrishnan et al. 2003), group IV
(C) deep afferents, and any nociceptive input to SPAG (heat and pinprick
do not drive the route here; endogenous opioid tone during acute pain in naive
animals is near zero, Kayser & Guilbaud 1981 [checked: abstract]).

SPAG neurons are the supraspinal conductance LIF of :mod:`painsim.circuits.cortex`
(group ``"supraspinal"``, ``[cortex.neuron]`` values, AMPA and GABA_A) with a
background conductance ``spino_pag.background``.  The layer needs the cortex layer
below it in its stack (``DESC``, the ``"supraspinal"`` group, ``[cortex.neuron]``):
it is part of the ``"pathway"`` stack only.  Nothing here creates brian2
objects: :func:`build` returns the populations and projections that
:mod:`painsim.circuits.network` assembles.
"""
from __future__ import annotations

import numpy as np

from .. import readouts
from ..devices import as_devices
from ..fibers import AfferentSpikes, afferent_input
from ..rng import rng_for
from .cortex import descending_relay, supraspinal_parameters
from .dorsal_horn import stimulus_sites
from .elements import Connection, Layer, LayerResults, Population, Projection, random_pairs

__all__ = ["SPINO_PAG_POPULATIONS", "CONNECTIONS", "DEEP_TARGETS", "population_sizes", "deep_seed",
           "deep_afferent_params", "connection_probabilities", "build", "inputs", "results", "LAYER"]

#: Populations of the layer, in network order (``DEEP`` is a spike generator).
SPINO_PAG_POPULATIONS = ("DEEP", "SPAG")

CONNECTIONS = (
    Connection("deep_spag", "DEEP", "SPAG", "exc"),  # group II/III afferents -> deep-lamina spino-PAG neurons
    Connection("spag_desc", "SPAG", "DESC", "exc"),  # spino-PAG tract -> PAG/RVM (lumped)
)

#: Device targets whose pulses reach deep-tissue afferents: electrodes outside the
#: cord that excite nerve trunks (mixed nerves carry muscle and joint afferents).
#: A dorsal-column lead reaches Aβ collaterals only (painsim.anatomy); a DRG lead
#: is excluded (chosen: its effect on the ganglion's deep afferents is not modelled).
#: Every one of these targets holds Aβ- and Aδ-class fibres (painsim.anatomy.TARGET_CLASSES).
DEEP_TARGETS = ("skin", "peripheral_nerve", "dorsal_root")

# random streams of the layer (dorsal horn 0-8 / 3-5, cortex 100+ / 20+, medial 200+ / 40+,
# dorsal column 300+ / 60+)
_CONNECTIVITY_STREAM = 400
_INITIAL_STREAM = 70


def population_sizes(model) -> dict[str, int]:
    """Deep afferents (groups II + III) and spino-PAG neurons, per site times sites.

    Parameters
    ----------
    model : Model
        Its ``spino_pag`` section and ``body.n_sites`` are read.

    Returns
    -------
    dict of str to int
        ``{"DEEP": fibres, "SPAG": neurons}``.
    """
    c = model.section("spino_pag")
    n_sites = int(model.si("body.n_sites"))
    return {"DEEP": (int(c["n_group_ii"]) + int(c["n_group_iii"])) * n_sites,
            "SPAG": int(c["n_neurons"]) * n_sites}


def deep_seed(seed: int, site: int) -> int:
    """Seed of one site's deep afferents (their own stream: independent of the
    cutaneous fibres the dorsal horn draws from :func:`painsim.circuits.dorsal_horn.site_seed`).

    Parameters
    ----------
    seed : int
        The point's seed.
    site : int
        Body site index.

    Returns
    -------
    int
    """
    return int(rng_for(seed, "deep_afferents", site).integers(2 ** 62))


def deep_afferent_params(model) -> dict:
    """The ``afferents`` section as the deep afferents use it: group II drawn as the
    Aβ class and group III as the Aδ class (``spino_pag.n_group_ii/iii`` fibres), no
    C fibres, and no spontaneous firing (chosen: deep afferents at rest are left
    out, as every natural stimulus is).

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict
        A copy of ``model.section("afferents")`` (SI values) with those changes.
    """
    params = {k: (dict(v) if isinstance(v, dict) else v) for k, v in model.section("afferents").items()}
    c = model.section("spino_pag")
    for cls, n in (("Abeta", c["n_group_ii"]), ("Adelta", c["n_group_iii"]), ("C", 0)):
        params[cls] = {**params[cls], "n": int(n), "spontaneous_rate": 0.0}
    return params


def _populations(model, seed: int) -> list[Population]:
    sizes = population_sizes(model)
    n = sizes["SPAG"]
    params = supraspinal_parameters(model, n, model.si("spino_pag.background"))
    v0 = model.si("cortex.neuron.rest") + rng_for(seed, "initial", _INITIAL_STREAM).uniform(0, 2e-3, n)
    return [Population("DEEP", sizes["DEEP"]), Population("SPAG", n, params, v0, group="supraspinal")]


def connection_probabilities(model) -> dict[str, np.ndarray]:
    """Deep afferents to the spino-PAG neurons of their own site; SPAG of every site
    to the PAG/RVM population uniformly.

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to ndarray
        Connection probability (pre x post) of ``deep_spag`` and ``spag_desc``.
    """
    c = model.section("spino_pag")
    n_sites = int(model.si("body.n_sites"))
    sizes = population_sizes(model)
    deep_site = np.repeat(np.arange(n_sites), sizes["DEEP"] // n_sites)
    spag_site = np.repeat(np.arange(n_sites), int(c["n_neurons"]))
    n_desc = int(model.si("cortex.populations.n_descending"))
    return {"deep_spag": c["afferent_p"] * (deep_site[:, None] == spag_site[None, :]),
            "spag_desc": np.full((sizes["SPAG"], n_desc), c["descending_p"])}


def build(model, seed: int):
    """Populations and projections of the deep afferents and the spino-PAG route of one point.

    Returns ``(populations, projections)`` for :class:`painsim.circuits.plan.Plan`;
    ``DESC`` comes from :func:`painsim.circuits.cortex.build`.  Connectivity is drawn
    from the layer's own random streams, so the other layers draw exactly what they
    drew without it.  ``spino_pag.integrity`` scales the SPAG -> DESC conductance, and so does the opioid
    relay inside the PAG/RVM (:func:`painsim.circuits.cortex.descending_relay`: naloxone removes it).

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed.

    Returns
    -------
    populations : list of Population
        ``DEEP`` (a generator) and ``SPAG``.
    projections : list of Projection
        ``deep_spag`` and ``spag_desc`` (AMPA conductances, S; delays, s).
    """
    c = model.section("spino_pag")
    prob = connection_probabilities(model)
    weight = {"deep_spag": c["afferent_weight"],
              "spag_desc": c["descending_weight"] * c["integrity"] * descending_relay(model)}
    delay = {"deep_spag": model.si("network.synaptic_delay"), "spag_desc": c["ascending_delay"]}
    projs = []
    for k, conn in enumerate(CONNECTIONS):
        pre, post = random_pairs(rng_for(seed, "connectivity", _CONNECTIVITY_STREAM + k), prob[conn.name])
        projs.append(Projection(conn.name, conn.source, conn.target, conn.kind, pre, post,
                                {"w_ampa": np.full(pre.size, weight[conn.name])}, delay[conn.name]))
    return _populations(model, seed), projs


def inputs(model, stimulus, noxious, touch, seed: int, duration: float) -> dict[str, AfferentSpikes]:
    """Spikes of the deep afferents, site ``s`` on ``[s m, (s+1) m)`` (``m`` fibres
    per site, group II first): recruited at each site by the devices of ``stimulus`` (one
    waveform or several, :mod:`painsim.devices`) whose target is one of :data:`DEEP_TARGETS`
    and which reach that site; none otherwise (natural stimuli are cutaneous).

    Parameters
    ----------
    model : Model
    stimulus : Waveform, sequence of Waveform, or None
        The request's device waveforms.
    noxious, touch : sequence of NaturalStimulus or physical stimuli
        Natural stimuli per site; ignored.
    seed : int
        The point's seed (site ``s`` draws from :func:`deep_seed`).
    duration : float
        Simulated time, s.

    Returns
    -------
    dict of str to AfferentSpikes
        ``{"DEEP": spikes}``.

    Raises
    ------
    painsim.errors.ParameterError
        ``stimulus`` is not a waveform or a list of them, or names a site the model lacks.
    """
    sizes = population_sizes(model)
    n_sites = int(model.si("body.n_sites"))
    per_site = sizes["DEEP"] // n_sites
    # every device's sites are checked, even those of a target that reaches no deep afferent
    placed = [(w, stimulus_sites(model, w)) for w in as_devices(stimulus)]
    placed = [(w, sites) for w, sites in placed if w.target in DEEP_TARGETS]
    if not placed:
        return {"DEEP": AfferentSpikes.merge([], sizes["DEEP"])}
    params = deep_afferent_params(model)
    n_ii = int(params["Abeta"]["n"])
    parts = []
    for site in sorted({s for _, sites in placed for s in sites}):
        here = tuple(w for w, sites in placed if site in sites)
        spikes = afferent_input(params, duration, deep_seed(seed, site), stimulus=here)
        offset = site * per_site
        parts += [(spikes["Abeta"].times, spikes["Abeta"].fibers + offset),
                  (spikes["Adelta"].times, spikes["Adelta"].fibers + offset + n_ii)]
    return {"DEEP": AfferentSpikes.merge(parts, sizes["DEEP"])}


def results(model, out, duration: float, pain=None) -> LayerResults:
    """Dataset variables of the layer after ``readout.transient``: the spino-PAG rate
    per site and over all sites (the route's drive to the PAG/RVM), and the deep
    afferents' mean rate.  The pain score is left as it is.

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
        ``site_spag_rate``, ``spag_rate`` and ``deep_afferent_rate`` (Hz), coordinate ``site``.
    """
    t0 = readouts.readout_start(model, duration)
    n_sites = int(model.si("body.n_sites"))
    n = int(model.si("spino_pag.n_neurons"))
    spag_t, spag_i = out.spikes["SPAG"]
    site = spag_i // max(n, 1)
    site_rate = np.array([readouts.mean_rate(spag_t[site == s], n, t0, duration) for s in range(n_sites)])
    variables = {
        "site_spag_rate": (("site",), site_rate, {"units": "Hz", "long_name":
                                                  "spino-PAG (deep-lamina) neuron rate per body site after the transient"}),
        "spag_rate": ((), float(site_rate.mean()), {"units": "Hz", "long_name":
                                                    "spino-PAG neuron rate over all sites after the transient"}),
        "deep_afferent_rate": ((), readouts.mean_rate(out.spikes["DEEP"][0], out.sizes["DEEP"], t0, duration),
                               {"units": "Hz", "long_name": "deep-tissue (group II/III) afferent rate over all "
                                                            "sites after the transient"}),
    }
    return LayerResults(variables, {"site": np.arange(n_sites)})


#: Deep-tissue afferents and the spino-PAG route as a registered layer
#: (:data:`painsim.circuits.layers.LAYERS`): it receives electrical and magnetic
#: device waveforms beside the dorsal horn; its neurons are in the cortex layer's
#: ``"supraspinal"`` group.
LAYER = Layer(
    name="spino_pag",
    populations=SPINO_PAG_POPULATIONS,
    connections=CONNECTIONS,
    groups={},
    neuron_paths=(),
    sizes=population_sizes,
    build=build,
    inputs=inputs,
    results=results,
    modalities={"electrical": "", "magnetic": ""},
    site_populations=SPINO_PAG_POPULATIONS,
)
