"""The dorsal column nuclei and the supraspinal loop of dorsal-column stimulation (numpy plans).

The lemniscal limb of the pathway and the brainstem loop through which
dorsal-column (Aβ) activity recruits descending monoaminergic inhibition; used
when a model has ``network.layers = "pathway"`` (``models/pain_pathway.toml``):

* **Dorsal column nuclei** (``DCN``; gracile/cuneate relay cells), ``n_nucleus``
  per body site, driven by the Aβ afferents of their own site through the
  ascending branches of those afferents in the dorsal columns.  The layer's
  generator population ``ASC`` (drawn with the afferents by
  :func:`painsim.circuits.dorsal_horn.inputs`) holds the impulses of every Aβ fibre
  that run up the dorsal column, timed as they pass the segment (natural touch
  after the peripheral conduction time; a dorsal-column lead's pulses after
  ``afferents.dorsal_column_distance``, as if from below the lead): the dorsal horn's
  Aβ arrivals, except that under a dorsal-column lead the natural impulses that met
  its antidromic ones are missing and all its pulses are present
  (:func:`painsim.fibers.collision.ascending_arrivals`); each synapse onto a DCN neuron adds the
  ascending conduction time of its fibre, ``dorsal_column.column_length`` /
  the fibre's velocity (the velocities the dorsal horn's afferents were drawn
  with, :class:`painsim.fibers.FiberSet`), so an SCS volley reaches the nuclei
  with the dispersion the velocities imply.  Transmission is secure: one
  afferent impulse fires its target cell (cuneate neurons follow single
  hair-follicle afferents with high gain and phase-lock up to ~200 Hz,
  Zachariah et al. 2001 J Neurophysiol 86:900 [checked: abstract]).
* **Brainstem monoaminergic neurons** (``MA``; RVM serotonergic / locus
  coeruleus noradrenergic neurons lumped in one population), driven by the
  DCN of every site (a polysynaptic brainstem route, lumped into one synapse
  and one delay) and inhibiting the projection neurons (``PN``) of every site
  through the dorsolateral funiculus.  The supraspinal component of SCS
  analgesia: effects of 50 Hz SCS and of stimulation over the dorsal column
  nuclei fall by about half after bilateral dorsolateral-funiculus lesions
  (Saadé et al. 2015 Exp Brain Res 233:1041 [checked: abstract]; Barchini et
  al. 2012 Neuroscience 215:196 [recalled]); intrathecal methysergide
  (5-HT1/2) or idazoxan (α2) abolish SCS antinociception in nerve-injured rats
  (Tazawa et al. 2015 Mol Pain 11:36 [checked: abstract]; Song et al. 2009,
  2011, 2013 [recalled]).  The loop is not opioid: naloxone did not reduce
  SCS relief in patients (Freeman, Campbell & Long 1983 Pain 17:189 [checked:
  abstract, 4 SCS patients]), so the projection carries no opioid (``w_mor = 0``)
  and ``dorsal_horn.pharmacology.opioid_block`` does not touch it.

The inhibitory synapse onto PN is the dorsal horn's (:data:`painsim.circuits.
dorsal_horn.INH_SYNAPSE`), its fast conductance only (``w_gaba``, reversal
``e_inhibitory``, decay ``tau_gaba``): a rate-coded stand-in for the
postsynaptic α2-adrenergic / 5-HT1A (GIRK) inhibition and the 5-HT3 / α1-driven
GABA release of descending monoaminergic fibres; their seconds-long
metabotropic kinetics are not modelled.  ``dorsal_column.integrity`` (1 = intact)
scales it: 0 is a dorsolateral-funiculus lesion.

DCN and MA neurons are the supraspinal conductance LIF of
:mod:`painsim.circuits.cortex` (group ``"supraspinal"``, ``[cortex.neuron]``
values, AMPA and GABA_A); MA has a background conductance
``dorsal_column.background`` (0: silent without dorsal-column input, so the
layer adds no inhibition at rest: the resting descending tone is the PAG/RVM
population of :mod:`painsim.circuits.cortex`).

The layer adds ``site_dcn_rate``, ``dcn_rate``, ``ma_rate`` and ``paresthesia``
(synchronous DCN volleys, :func:`painsim.readouts.paresthesia`; Sagalajev et al.
2024 Neuron 112:404: paresthesia needs synchronous dorsal-column spiking;
Rogers, Capogrosso & Lempka 2024 J Neurosci 44:e2199232024 [checked: abstract]:
dorsal-column fibre activation and DCN transmission predict perception
thresholds, high rates desynchronize DCN output) to a simulation Dataset; it
leaves the pain score as the layers below formed it.  Not modelled: conduction
failure of collaterals at high rates (Rogers 2024), DCN inhibitory
interneurons, the postsynaptic dorsal column pathway.

Nothing here creates brian2 objects: :func:`build` returns the populations and
projections that :mod:`painsim.circuits.network` assembles.
"""
from __future__ import annotations

import numpy as np

from .. import readouts
from ..fibers import FiberSet
from ..rng import rng_for
from .cortex import supraspinal_parameters
from .dorsal_horn import ASCENDING_POPULATION, site_seed
from .elements import Connection, Layer, LayerResults, Population, Projection, random_pairs

__all__ = ["DORSAL_COLUMN_POPULATIONS", "CONNECTIONS", "population_sizes", "ascending_delays",
           "connection_probabilities", "build", "results", "LAYER"]

#: Populations of the layer, in network order: the generator of the Aβ impulses that run up
#: the dorsal columns (drawn with the afferents, :data:`painsim.circuits.dorsal_horn.ASCENDING_POPULATION`),
#: then the neurons.
DORSAL_COLUMN_POPULATIONS = (ASCENDING_POPULATION, "DCN", "MA")

CONNECTIONS = (
    Connection("abeta_dcn", ASCENDING_POPULATION, "DCN", "exc"),  # ascending Aβ branches in the dorsal columns
    Connection("dcn_ma", "DCN", "MA", "exc"),        # DCN -> brainstem monoaminergic neurons (lumped)
    Connection("ma_pn", "MA", "PN", "inh"),          # descending, dorsolateral funiculus, non-opioid
)

# random streams of the layer (dorsal horn: connectivity 0-8, initial 3-5; cortex: 100+, 20+;
# medial: 200+, 40+)
_CONNECTIVITY_STREAM = 300
_INITIAL_STREAM = {"DCN": 60, "MA": 61}


def population_sizes(model) -> dict[str, int]:
    """Fibres of the ascending generator (every Aβ fibre of every site), neurons of the DCN
    (``n_nucleus`` per body site) and of the monoaminergic population.

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to int
        Keyed by :data:`DORSAL_COLUMN_POPULATIONS`.
    """
    c = model.section("dorsal_column")
    n_sites = int(model.si("body.n_sites"))
    return {ASCENDING_POPULATION: int(model.si("afferents.Abeta.n")) * n_sites,
            "DCN": int(c["n_nucleus"]) * n_sites, "MA": int(c["n_monoaminergic"])}


def _populations(model, seed: int) -> list[Population]:
    """DCN and MA: the supraspinal LIF with ``[cortex.neuron]`` values; background
    conductance 0 for DCN, ``dorsal_column.background`` for MA."""
    sizes = population_sizes(model)
    rest = model.si("cortex.neuron.rest")
    tonic = {"DCN": 0.0, "MA": model.si("dorsal_column.background")}
    pops = [Population(ASCENDING_POPULATION, sizes[ASCENDING_POPULATION])]
    for name in ("DCN", "MA"):
        n = sizes[name]
        params = supraspinal_parameters(model, n, tonic[name])
        v0 = rest + rng_for(seed, "initial", _INITIAL_STREAM[name]).uniform(0, 2e-3, n)
        pops.append(Population(name, n, params, v0, group="supraspinal"))
    return pops


def ascending_delays(model, seed: int) -> np.ndarray:
    """Conduction time (s) of every Aβ fibre of every site (fibre ``s n + k``) from
    the segment to the dorsal column nuclei: ``dorsal_column.column_length`` /
    velocity, with the velocities the point's afferents were drawn with
    (:class:`painsim.fibers.FiberSet` of :func:`painsim.circuits.dorsal_horn.site_seed`).

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed.

    Returns
    -------
    ndarray (n_sites * n_Abeta,)
        Delays, s.
    """
    n_sites = int(model.si("body.n_sites"))
    length = model.si("dorsal_column.column_length")
    params = model.section("afferents")
    return np.concatenate([length / FiberSet.from_model(params, site_seed(seed, s)).velocity["Abeta"]
                           for s in range(n_sites)])


def connection_probabilities(model) -> dict[str, np.ndarray]:
    """Connection probability (pre x post) of every projection of the layer: Aβ
    fibres to the DCN neurons of their own site (somatotopy of the dorsal
    columns and nuclei); DCN of every site -> MA and MA -> PN of every site uniform.

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to ndarray
        One (n_pre, n_post) array per connection of :data:`CONNECTIONS`.
    """
    c = model.section("dorsal_column")
    n_sites = int(model.si("body.n_sites"))
    n_ab = int(model.si("afferents.Abeta.n"))
    n_pn = int(model.si("dorsal_horn.populations.n_projection"))
    sizes = population_sizes(model)
    ab_site = np.repeat(np.arange(n_sites), n_ab)
    dcn_site = np.repeat(np.arange(n_sites), int(c["n_nucleus"]))
    return {
        "abeta_dcn": c["afferent_p"] * (ab_site[:, None] == dcn_site[None, :]),
        "dcn_ma": np.full((sizes["DCN"], sizes["MA"]), c["monoaminergic_p"]),
        "ma_pn": np.full((sizes["MA"], n_pn * n_sites), c["descending_p"]),
    }


def build(model, seed: int):
    """Populations and projections of the DCN and the monoaminergic loop of one point.

    Returns ``(populations, projections)`` for :class:`painsim.circuits.plan.Plan`;
    the ``Abeta`` generator and the ``PN`` they connect to come from
    :func:`painsim.circuits.dorsal_horn.build`.  Connectivity is drawn from the
    layer's own random streams, so the layers below draw exactly what they drew
    without it.  The MA -> PN synapses carry a GABA_A/glycine-like conductance
    scaled by ``dorsal_column.integrity`` and no opioid (``w_mor = 0``).

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed.

    Returns
    -------
    populations : list of Population
        The ascending generator, ``DCN`` and ``MA``.
    projections : list of Projection
        One per connection of :data:`CONNECTIONS` (conductances, S; delays, s).
    """
    c = model.section("dorsal_column")
    prob = connection_probabilities(model)
    g = {"abeta_dcn": {"w_ampa": c["afferent_weight"]},
         "dcn_ma": {"w_ampa": c["monoaminergic_weight"]},
         "ma_pn": {"w_gaba": c["descending_weight"] * c["integrity"], "w_mor": 0.0}}
    delay = {"dcn_ma": c["monoaminergic_delay"], "ma_pn": c["descending_delay"]}
    ascending = ascending_delays(model, seed)
    projs = []
    for k, conn in enumerate(CONNECTIONS):
        pre, post = random_pairs(rng_for(seed, "connectivity", _CONNECTIVITY_STREAM + k), prob[conn.name])
        cond = {var: np.full(pre.size, val) for var, val in g[conn.name].items()}
        d = ascending[pre] if conn.name == "abeta_dcn" else delay[conn.name]
        projs.append(Projection(conn.name, conn.source, conn.target, conn.kind, pre, post, cond, d))
    return _populations(model, seed), projs


def results(model, out, duration: float, pain=None) -> LayerResults:
    """Dataset variables of the layer after ``readout.transient``: DCN rate per site
    and at the painful site, the monoaminergic rate and ``paresthesia``, the rate of
    synchronous DCN volleys at the site with most of them
    (:func:`painsim.readouts.paresthesia`).  The pain score is left as it is.

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
        ``site_dcn_rate``, ``dcn_rate``, ``ma_rate`` and ``paresthesia`` (Hz), coordinate ``site``.
    """
    t0 = readouts.readout_start(model, duration)
    c = model.section("dorsal_column")
    n_sites = int(model.si("body.n_sites"))
    painful = int(model.si("body.painful_site"))
    n = int(c["n_nucleus"])
    dcn_t, dcn_i = out.spikes["DCN"]
    site = dcn_i // max(n, 1)
    site_rate = readouts.site_rates(dcn_t, dcn_i, n_sites, n, t0, duration)
    volleys = np.array([readouts.paresthesia(dcn_t[site == s], dcn_i[site == s], n, t0, duration,
                                             c["volley_window"], c["volley_fraction"]) for s in range(n_sites)])
    variables = {
        "site_dcn_rate": (("site",), site_rate, {"units": "Hz", "long_name":
                                                 "dorsal column nuclei rate per body site after the transient"}),
        "dcn_rate": ((), float(site_rate[painful]), {"units": "Hz", "long_name":
                                                     "dorsal column nuclei rate of the painful site after the transient"}),
        "ma_rate": ((), readouts.mean_rate(out.spikes["MA"][0], out.sizes["MA"], t0, duration),
                    {"units": "Hz", "long_name": "brainstem monoaminergic (RVM 5-HT / LC NA) rate after the transient"}),
        "paresthesia": ((), float(volleys.max()), {"units": "Hz", "long_name":
                                                   "synchronous DCN volleys per second at the site with most "
                                                   "(readouts.paresthesia; 0 = no paresthesia)"}),
    }
    return LayerResults(variables, {"site": np.arange(n_sites)})


#: The dorsal column nuclei and their monoaminergic loop as a registered layer
#: (:data:`painsim.circuits.layers.LAYERS`); its neurons are in the cortex layer's
#: ``"supraspinal"`` group.
LAYER = Layer(
    name="dorsal_column",
    populations=DORSAL_COLUMN_POPULATIONS,
    connections=CONNECTIONS,
    groups={},
    neuron_paths=(),
    sizes=population_sizes,
    build=build,
    results=results,
    site_populations=(ASCENDING_POPULATION, "DCN"),   # the MA neurons serve every site
)
