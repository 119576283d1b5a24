"""The lemniscal route: dorsal column nuclei -> medial lemniscus -> VPL -> S1 area 3b (numpy plans).

The tactile limb of the somatosensory thalamocortical system, through which Aβ
("safe" touch) input reaches the S1 map; used when a model has
``network.layers = "pathway_lemniscal"`` (measured, not the default stack):

* **Tactile relay** (``VPL``; lemniscal ventral posterolateral relay cells),
  as many per body site as the spinothalamic relay (``cortex.populations.n_relay``),
  a population of its own beside the
  spinothalamic relay ``TC`` of :mod:`painsim.circuits.cortex`.  Lemniscal and
  spinothalamic terminals in the primate ventral posterior nucleus end largely on
  different relay cells: the spinothalamic ones in clusters among the lemniscal
  territory and in VPI / posterior nuclei (Mehler 1966; Craig, Bushnell, Zhang &
  Blomqvist 1994 Nature 372:770; Willis & Westlund 1997 J Clin Neurophysiol 14:2
  [recalled]), so the route drives its own relay cells and the nociceptive relay is
  left as it is.
* **DCN -> VPL** (``dcn_vpl``, the medial lemniscus): each site's gracile/cuneate
  relay cells (``DCN`` of :mod:`painsim.circuits.dorsal_column`) excite the VPL
  cells of the same site (somatotopy of the lemniscus and of VPL).  Lemniscal
  synapses are thalamic "drivers": few large terminals per relay cell, each
  EPSP large enough to fire it (Sherman & Guillery 1998 PNAS 95:7121 [recalled]);
  the secure relay of the DCN's own afferent synapse is reused
  (``dorsal_column.afferent_weight``'s reasoning).  ``lemniscal.integrity``
  (1 = intact) scales the conductance: 0 is a medial-lemniscus lesion, the
  route's negative control (the VPL cells then never fire, so every other
  population spikes as without the layer).
* **VPL <-> TRN**: the relay cells send collaterals to the shared reticular
  nucleus and receive its inhibition with the values of the spinothalamic relay
  (``cortex.thalamus.relay_reticular_*`` / ``reticular_relay_*``; chosen: one
  class of relay cell, no separate data for the tactile one).
* **VPL -> S1E** (``vpl_s1``, area 3b): the same somatotopic Gaussian
  territories as ``tc_s1`` (``cortex.map.thalamocortical_p`` and ``_spread``,
  the painful site's spread enlarged by ``pathology.map_reorganization``: Flor et
  al. 1995 measured the reorganization with non-painful tactile stimuli), so
  touch at a site drives the same S1 units as that site's nociceptive relay and
  meets the map's own lateral inhibition (``s1_ei``/``s1_ie``).  Its efficacy is
  plastic under ``[plasticity.vpl_s1]`` (static by default; the ``mpns`` protocol
  switches on the rule it applies to ``tc_s1``).

VPL neurons are the supraspinal conductance LIF of :mod:`painsim.circuits.cortex`
(group ``"supraspinal"``, ``[cortex.neuron]`` values, AMPA and GABA_A) without
background conductance (silent without lemniscal input, as ``TC``).

The layer adds ``site_vpl_rate``, ``vpl_rate`` and
``map_overactive_area_nociceptive`` (the S1 overactive area counting only units
whose thalamic drive in the window came more from ``TC`` than from ``VPL``; equal
to ``map_overactive_area`` whenever VPL is silent) to a simulation Dataset; it
leaves the pain score as the cortex layer formed it.  Not modelled: corticothalamic
feedback to VPL, DCN inhibitory interneurons and corticocuneate control, areas
1/2/S2, the tactile relay's own burst mode, and the thalamic pathology: the central
post-stroke parameters (``pathology.thalamic_lesion``, ``thalamic_drive``,
``thalamic_disinhibition``, ``corticothalamic_damage``) act on the spinothalamic
relay ``TC`` and its TRN loop only, so a lesioned patient keeps an intact tactile relay.

Nothing here creates brian2 objects: :func:`build` returns the populations and
projections that :mod:`painsim.circuits.network` assembles.
"""
from __future__ import annotations

import numpy as np

from .. import readouts
from ..errors import PainsimError
from ..rng import rng_for
from . import cortex
from .cortex import supraspinal_parameters
from .elements import Connection, Layer, LayerResults, Population, Projection, random_pairs

__all__ = ["LEMNISCAL_POPULATIONS", "CONNECTIONS", "population_sizes", "connection_probabilities", "build",
           "results", "thalamic_drive", "LAYER"]

#: Populations of the layer, in network order.
LEMNISCAL_POPULATIONS = ("VPL",)

CONNECTIONS = (
    Connection("dcn_vpl", "DCN", "VPL", "exc"),   # medial lemniscus, site to site
    Connection("vpl_trn", "VPL", "TRN", "exc"),   # relay collaterals to the reticular nucleus
    Connection("trn_vpl", "TRN", "VPL", "inh"),   # reticular inhibition of the tactile relay
    Connection("vpl_s1", "VPL", "S1E", "exc"),    # thalamocortical, area 3b, somatotopic
)

# random streams of the layer (dorsal horn 0-8 / 3-5, cortex 100+ / 20+, medial 200+ / 40+,
# dorsal column 300+ / 60+, spino-PAG 400+ / 70; connectivity / initial potentials)
_CONNECTIVITY_STREAM = 500
_INITIAL_STREAM = 80


def population_sizes(model) -> dict[str, int]:
    """Tactile relay neurons: as many per body site as the spinothalamic relay has
    (``cortex.populations.n_relay``; one class of relay cell, no separate count).

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to int
    """
    return {"VPL": int(model.si("cortex.populations.n_relay")) * int(model.si("body.n_sites"))}


def _populations(model, seed: int) -> list[Population]:
    n = population_sizes(model)["VPL"]
    params = supraspinal_parameters(model, n, 0.0)
    v0 = model.si("cortex.neuron.rest") + rng_for(seed, "initial", _INITIAL_STREAM).uniform(0, 2e-3, n)
    return [Population("VPL", n, params, v0, group="supraspinal")]


def connection_probabilities(model) -> dict[str, np.ndarray]:
    """DCN to the VPL cells of their own site; VPL <-> TRN uniform (the spinothalamic
    relay's probabilities); VPL -> S1E the somatotopic Gaussian territories of ``tc_s1``.

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to numpy.ndarray
        Per connection of :data:`CONNECTIONS`, shape (n_pre, n_post).
    """
    c = model.section("lemniscal")
    n_sites = int(model.si("body.n_sites"))
    n_relay = int(model.si("cortex.populations.n_relay"))  # per site, in VPL as in TC
    n_dcn = int(model.si("dorsal_column.n_nucleus"))
    th = model.section("cortex.thalamus")
    n_trn = int(model.si("cortex.populations.n_reticular"))
    vpl_site = np.repeat(np.arange(n_sites), n_relay)
    dcn_site = np.repeat(np.arange(n_sites), n_dcn)
    # each site's row of the spinothalamic relay's territories (every relay cell of a site has the same)
    territory = cortex.connection_probabilities(model)["tc_s1"][np.arange(n_sites) * n_relay]
    n = vpl_site.size
    return {
        "dcn_vpl": c["lemniscal_p"] * (dcn_site[:, None] == vpl_site[None, :]),
        "vpl_trn": np.full((n, n_trn), th["relay_reticular_p"]),
        "trn_vpl": np.full((n_trn, n), th["reticular_relay_p"]),
        "vpl_s1": territory[vpl_site],
    }


def build(model, seed: int):
    """Populations and projections of the lemniscal route of one point.

    Returns ``(populations, projections)`` for :class:`painsim.circuits.plan.Plan`;
    ``DCN`` comes from :func:`painsim.circuits.dorsal_column.build`, ``TRN`` and
    ``S1E`` from :func:`painsim.circuits.cortex.build`.  Connectivity is drawn from
    the layer's own random streams, so the other layers draw exactly what they drew
    without it.  ``lemniscal.integrity`` scales the DCN -> VPL conductance.

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed.

    Returns
    -------
    populations : list of Population
        ``VPL`` (group ``"supraspinal"``).
    projections : list of Projection
        One per connection of :data:`CONNECTIONS`.
    """
    c = model.section("lemniscal")
    th = model.section("cortex.thalamus")
    prob = connection_probabilities(model)
    weight = {"dcn_vpl": c["lemniscal_weight"] * c["integrity"], "vpl_trn": th["relay_reticular_weight"],
              "trn_vpl": th["reticular_relay_weight"], "vpl_s1": model.si("cortex.map.thalamocortical_weight")}
    syn_delay = model.si("network.synaptic_delay")
    delay = {"dcn_vpl": c["lemniscal_delay"]}
    projs = []
    for k, conn in enumerate(CONNECTIONS):
        pre, post = random_pairs(rng_for(seed, "connectivity", _CONNECTIVITY_STREAM + k), prob[conn.name])
        key = "w_gaba" if conn.kind == "inh" else "w_ampa"
        projs.append(Projection(conn.name, conn.source, conn.target, conn.kind, pre, post,
                                {key: np.full(pre.size, weight[conn.name])}, delay.get(conn.name, syn_delay)))
    return _populations(model, seed), projs


def thalamic_drive(out, connection: str, target_size: int, t0: float, duration: float) -> np.ndarray:
    """Conductance delivered by ``connection`` to each target unit after ``t0``.

    Parameters
    ----------
    out : PointOutput
        The point's raw output (spikes, the synapses it ran with and their efficacies).
    connection : str
        An excitatory projection of the plan (``tc_s1``, ``vpl_s1``).
    target_size : int
        Number of units of the target population.
    t0, duration : float
        The window, s.

    Returns
    -------
    numpy.ndarray
        Per target unit, the sum over its synapses of presynaptic spikes x AMPA conductance
        x the synapse's efficacy in the run (S); zeros if the plan has no such synapse.
    """
    proj = next((p for p in out.plan.projections if p.name == connection), None)
    if proj is None or proj.pre.size == 0:
        return np.zeros(target_size)
    pre, post = out.synapses.get(connection, (proj.pre, proj.post))
    g = np.asarray(proj.conductances["w_ampa"], float)
    w = np.asarray(out.weights.get(connection, np.ones(pre.size)), float)
    if not (g.size == w.size == np.size(pre)):
        raise PainsimError(f"{connection}: {np.size(pre)} synapses in the run, {g.size} conductances and "
                           f"{w.size} efficacies in its plan and weights")
    t, i = out.spikes[proj.source]
    counts = np.bincount(i[(t >= t0) & (t < duration)].astype(np.int64), minlength=out.sizes[proj.source])
    return np.bincount(np.asarray(post, np.int64), weights=g * w * counts[np.asarray(pre, np.int64)],
                       minlength=target_size)


def results(model, out, duration: float, pain=None) -> LayerResults:
    """Dataset variables of the layer after ``readout.transient``: the VPL rate per site and
    at the painful site, and the S1 overactive area from nociceptive-driven units only (a
    unit above ``readout.map_overactive_rate`` counts unless its VPL drive exceeded its TC
    drive; a diagnostic beside ``map_overactive_area``: the pain score is left as it is).

    Parameters
    ----------
    model : Model
    out : PointOutput
        The point's raw output.
    duration : float
        Simulated time, s.
    pain : float, optional
        Pain score of the layers below; with it, ``pain_nociceptive_map`` is added.

    Returns
    -------
    LayerResults
        ``site_vpl_rate``, ``vpl_rate`` (Hz), ``map_overactive_area_nociceptive`` (m^2).

    Raises
    ------
    PainsimError
        If a run's synapses, conductances and efficacies disagree in number (:func:`thalamic_drive`).
    """
    t0 = readouts.readout_start(model, duration)
    n_sites = int(model.si("body.n_sites"))
    painful = int(model.si("body.painful_site"))
    n = int(model.si("cortex.populations.n_relay"))
    site_rate = readouts.site_rates(*out.spikes["VPL"], n_sites, n, t0, duration)
    cp = model.section("cortex.populations")
    h = model.si("cortex.map.spacing")
    img = readouts.map_image(*out.spikes["S1E"], cp["n_map_x"], cp["n_map_y"], t0, duration)
    n_s1 = int(cp["n_map_x"] * cp["n_map_y"])
    tactile = (thalamic_drive(out, "vpl_s1", n_s1, t0, duration)
               > thalamic_drive(out, "tc_s1", n_s1, t0, duration)).reshape(img.shape)
    thr = model.si("readout.map_overactive_rate")
    nociceptive = readouts.active_area(np.where(tactile, 0.0, img), thr, h)
    w_map = model.si("readout.map_weight")
    # the cortex layer's score with its map term reading the nociceptive-driven units only:
    # combined_pain is a sum of a spinal and a map term, so swap the map term
    def map_term(image):
        return float(readouts.combined_pain(0.0, readouts.map_score(image, model) / 10.0, w_map))
    pain_noc = None if pain is None else pain - map_term(img) + map_term(np.where(tactile, 0.0, img))
    variables = {
        "site_vpl_rate": (("site",), site_rate, {"units": "Hz", "long_name":
                                                 "lemniscal (tactile) VPL relay rate per body site after the transient"}),
        "vpl_rate": ((), float(site_rate[painful]), {"units": "Hz", "long_name":
                                                     "lemniscal VPL relay rate of the painful site after the transient"}),
        "map_overactive_area_nociceptive": ((), nociceptive, {"units": "m^2", "long_name":
                                            "S1 overactive area of units driven more by the spinothalamic relay "
                                            "(TC) than by the lemniscal one (VPL)"}),
    }
    if pain_noc is not None:
        variables["pain_nociceptive_map"] = ((), pain_noc, {"units": "1", "long_name":
                                             "pain score with the map term (readout.map_measure) read on the units "
                                             "driven more by TC than by VPL (a proposed readout; the pain score is "
                                             "left as it is)"})
    return LayerResults(variables, {"site": np.arange(n_sites)})


#: The lemniscal route as a registered layer (:data:`painsim.circuits.layers.LAYERS`);
#: its neurons are in the cortex layer's ``"supraspinal"`` group.
LAYER = Layer(
    name="lemniscal",
    populations=LEMNISCAL_POPULATIONS,
    connections=CONNECTIONS,
    groups={},
    neuron_paths=(),
    sizes=population_sizes,
    build=build,
    results=results,
    site_populations=LEMNISCAL_POPULATIONS,
)
