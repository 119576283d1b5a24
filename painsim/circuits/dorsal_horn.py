"""The dorsal-horn gate as brian2 objects.

Neurons are conductance-based leaky integrate-and-fire units with AMPA,
NMDA (voltage-dependent Mg2+ block, Jahr & Stevens 1990, J Neurosci 10:3178),
a slow NK1 (substance P) current and GABA_A/glycine inhibition.  The slow
NK1 depolarisation summed over repeated C volleys relieves the NMDA Mg2+
block, so C-fiber responses grow from volley to volley: wind-up, as in
Aguiar et al. 2010 (J Neurophysiol 104:1155), where NMDA channels with
calcium-activated non-specific cation (CAN) currents are sufficient for
wind-up: here calcium (dimensionless, ``ca``) follows the unblocked NMDA
conductance with a time constant of seconds and opens a CAN conductance in
projection neurons, so blocking NMDA removes the build-up.  Aβ-driven inhibitory
interneurons inhibit the projection neurons: the gate of Melzack & Wall
1965 (Science 150:971), in the circuit of Zhang, Janik & Grill 2014
(J Neurophysiol 112:552).  Aβ fibres also excite the excitatory interneurons
(``abeta_ex``, PKCγ-like), which the same feed-forward inhibition (IN -> EX) holds
silent in health; disinhibition unmasks this polysynaptic route from touch to the
projection neurons, tactile allodynia (Torsney & MacDermott 2006; Lu et al. 2013).
Measured mechanisms and their published counterparts: ``docs/circuits.md``.

Every neuron parameter and time constant is a per-neuron variable and every
conductance a per-synapse variable, so many points with different parameters
share one equation text (one compiled code object) and one network: the
batch dimension of :mod:`painsim.circuits.network`.

The layer is registered as ``"dorsal_horn"`` (:data:`LAYER`, in
:data:`painsim.circuits.layers.LAYERS`): populations ``Abeta, Adelta, C``
(afferent spike generators, :mod:`painsim.fibers`) and ``IN, EX, PN`` per body
site, the afferent input of every site, and the Dataset variables
``site_pn_rate``, ``pn_rate``, ``spinal_pain`` and ``gate_index``.

This module draws a point's circuit (:func:`build`) and inputs (:func:`inputs`) and reads its
results (:func:`results`); the neuron and synapse model and its values are in
:mod:`painsim.circuits.dorsal_horn_dynamics`, the populations, connections and body-site
layout in :mod:`painsim.circuits.dorsal_horn_layout`.  Every name of both stays importable
from here.
"""
from __future__ import annotations

import numpy as np

from .. import readouts
from ..anatomy import FIBER_CLASSES
from ..devices import as_devices
from ..errors import ParameterError
from ..fibers import ASCENDING, AfferentSpikes, afferent_input
from ..rng import rng_for
from .elements import GroupDynamics, Layer, LayerResults, Population, Projection
from .background import BACKGROUND_CONNECTIONS, BACKGROUND_POPULATION, background_projections, background_spikes
from .khz_field import FIELD_BITS, FIELD_CONNECTIONS, FIELD_POPULATION, field_counts, field_projections, field_spikes
# the neuron and synapse model, and the populations, connections and body sites: every name
# importable from here as before (listed in __all__)
from .dorsal_horn_dynamics import (EXC_SYNAPSE, INH_SYNAPSE, NEURON_EQS, NEURON_PARAMS, NON_CONDUCTANCES,
                                   POPULATION_PARAMS, neuron_parameters, presynaptic_gabab_fraction,
                                   presynaptic_opioid_fraction, spinal_baclofen, spinal_morphine,
                                   synaptic_conductances)
from .dorsal_horn_layout import (AFFERENT_POPULATIONS, ASCENDING_POPULATION, CONNECTIONS, DORSAL_HORN_POPULATIONS,
                                 SURROUND_CONNECTIONS, population_sizes, presynaptic_sites, receiving_targets,
                                 site_pathology, site_seed, site_stream, sizes_per_site, stimulus_sites)

__all__ = ["NEURON_EQS", "NEURON_PARAMS", "POPULATION_PARAMS", "EXC_SYNAPSE", "INH_SYNAPSE",
           "AFFERENT_POPULATIONS", "ASCENDING_POPULATION", "DORSAL_HORN_POPULATIONS", "CONNECTIONS", "synaptic_conductances",
           "presynaptic_opioid_fraction", "presynaptic_gabab_fraction", "NON_CONDUCTANCES",
           "site_pathology", "site_stream", "presynaptic_sites", "SURROUND_CONNECTIONS", "site_seed", "sizes_per_site", "population_sizes", "neuron_parameters",
           "spinal_morphine", "spinal_baclofen",
           "build", "inputs", "amplitude_checks", "stimulus_sites", "receiving_targets", "site_pn_rates", "pn_drives", "results", "LAYER"]


# ==========================================================================
# The dorsal horn of a point as a plan (numpy only; network.py builds it)
# ==========================================================================
#: Lowest threshold above the reset potential a drawn threshold may take (V; chosen: an integrate-and-fire
#: neuron whose threshold lies at or below its reset fires at its refractory limit, ~500 Hz, for ever,
#: which no recorded dorsal-horn neuron does: such draws are drawn again).
THRESHOLD_MARGIN = 1e-3


def _thresholds(rng: np.random.Generator, mean: float, spread: float, lowest: float, n: int) -> np.ndarray:
    """``n`` thresholds from N(``mean``, ``spread``) truncated below at ``lowest`` (rejection: the draws
    below it are drawn again from the same generator)."""
    th = rng.normal(mean, spread, n)
    for _ in range(1000):
        low = th <= lowest
        if not low.any():
            return th
        th[low] = rng.normal(mean, spread, int(low.sum()))
    raise ParameterError("dorsal_horn.neuron.threshold_spread", spread,
                         f"a spread that leaves thresholds above the reset + {THRESHOLD_MARGIN * 1e3:g} mV")


#: Entry of the per-neuron threshold draws in the "initial" random stream
#: (``rng_for(seed, "initial", THRESHOLD_STREAM + k, *site_stream(site))``, k = 0, 1, 2 for IN, EX, PN;
#: ``dorsal_horn.neuron.threshold_spread``).
THRESHOLD_STREAM = 990


def build(model, seed: int):
    """Populations and projections of the dorsal horn of every body site.

    Each population holds ``n x n_sites`` neurons (site ``s`` owns the block
    ``[s n, (s+1) n)``), and each connection stays inside its site (but for the surround
    connections, :func:`~painsim.circuits.dorsal_horn_layout.presynaptic_sites`); the
    afferent generators are laid out the same way.  Returns
    ``(populations, projections)`` for :class:`painsim.circuits.plan.Plan`.

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed: connectivity, initial potentials and (with
        ``dorsal_horn.neuron.threshold_spread`` > 0) thresholds draw from its streams, per site.

    Returns
    -------
    populations : list of Population
        The afferent generators, ``IN``, ``EX``, ``PN`` (group ``"spinal"``), the kHz field's
        and the background's generators.
    projections : list of Projection
        One per connection of :data:`~painsim.circuits.dorsal_horn_layout.CONNECTIONS`
        (afferent ones without delay, the others with ``network.synaptic_delay``), then the
        kHz field's and the background's.

    Raises
    ------
    painsim.errors.ParameterError
        ``dorsal_horn.neuron.threshold_spread`` so large that thresholds above the reset +
        :data:`THRESHOLD_MARGIN` cannot be drawn (1000 redraws).
    """
    n_sites = int(model.si("body.n_sites"))
    per_site = sizes_per_site(model)
    pops = [Population(c, per_site[c] * n_sites) for c in AFFERENT_POPULATIONS]
    paths = [site_pathology(model, s) for s in range(n_sites)]
    for k, pop in enumerate(DORSAL_HORN_POPULATIONS):
        n = per_site[pop]
        params = {var: np.full(n * n_sites, v) for var, v in neuron_parameters(model, pop).items()}
        # pathology.anion_shift: a depolarising shift of the GABA_A/glycine (Cl-) reversal of
        # the site's dorsal-horn neurons (KCC2 loss, Coull et al. 2003 Nature 424:938); it
        # acts on every Cl- conductance of the neuron.  Left untouched where 0 (every value
        # and every shared parameter exactly as without it).
        for s in range(n_sites):
            shift = paths[s].get("anion_shift", 0.0)
            if shift != 0.0:
                params["e_inh"][s * n:(s + 1) * n] += shift
        spread = model.si("dorsal_horn.neuron.threshold_spread")
        if spread > 0:  # per-neuron thresholds from their own stream (no other draw changes; 0: none drawn)
            lowest = model.si("dorsal_horn.neuron.reset") + THRESHOLD_MARGIN
            params["v_threshold"] = np.concatenate(
                [_thresholds(rng_for(seed, "initial", THRESHOLD_STREAM + k, *site_stream(s)),
                             model.si("dorsal_horn.neuron.threshold"), spread, lowest, n) for s in range(n_sites)])
        v0 = np.concatenate([model.si("dorsal_horn.neuron.rest")
                             + rng_for(seed, "initial", 3 + k, *site_stream(s)).uniform(0, 2e-3, n)
                             for s in range(n_sites)])
        pops.append(Population(pop, n * n_sites, params, v0, group="spinal"))
    pops.append(Population(FIELD_POPULATION, FIELD_BITS * n_sites))  # kHz field drive (khz_field)
    pops.append(Population(BACKGROUND_POPULATION, per_site[BACKGROUND_POPULATION] * n_sites))  # (background)
    delay = model.si("network.synaptic_delay")
    projs = []
    for k, conn in enumerate(CONNECTIONS):
        p = model.si(f"dorsal_horn.{conn.name}.p")
        n_pre, n_post = per_site[conn.source], per_site[conn.target]
        receiving = receiving_targets(model, conn, n_post)
        pres, posts, g = [], [], {}
        for s in range(n_sites):
            sources = presynaptic_sites(conn, s, n_sites)
            mask = rng_for(seed, "connectivity", k, *site_stream(s)).random((n_pre * len(sources), n_post)) < p
            mask[:, receiving:] = False  # same draws; the targets beyond the receiving ones get none
            if conn.source == conn.target:
                np.fill_diagonal(mask, False)
            pre, post = np.nonzero(mask)
            # row r of the mask is fibre r % n_pre of site sources[r // n_pre] (its own site: r)
            pres.append(np.asarray(sources, dtype=np.int64)[pre // n_pre] * n_pre + pre % n_pre)
            posts.append(post + s * n_post)
            for var, val in synaptic_conductances(model, conn, paths[s]).items():
                g.setdefault(var, []).append(np.full(pre.size, val))
        d = 0.0 if conn.source in AFFERENT_POPULATIONS else delay  # afferent conduction is in the spike times
        projs.append(Projection(conn.name, conn.source, conn.target, conn.kind,
                                np.concatenate(pres).astype(np.int64), np.concatenate(posts).astype(np.int64),
                                {var: np.concatenate(v) for var, v in g.items()}, d))
    return pops, (projs + field_projections(model, seed, per_site, n_sites)
                  + background_projections(model, per_site, n_sites))


# ==========================================================================
# Inputs and readouts of the layer
# ==========================================================================
def inputs(model, stimulus, noxious, touch, seed: int, duration: float) -> dict[str, AfferentSpikes]:
    """Afferent spikes of every body site, site ``s`` on fibers ``[s n, (s+1) n)``.

    Parameters
    ----------
    model : Model
    stimulus : Waveform, sequence of Waveform, or None
        Device pulses (electrical or magnetic), each device delivered at the site(s) of its
        ``site`` (default ``body.painful_site``;
        :func:`~painsim.circuits.dorsal_horn_layout.stimulus_sites`); recruitment as
        ``afferents.recruitment``, each site's fibers from that site's own stream; several
        devices act together (:mod:`painsim.devices`).
    noxious, touch : sequence of NaturalStimulus or physical stimuli
        One natural stimulus per site.
    seed : int
        The point's seed (site ``s`` draws from :func:`~painsim.circuits.dorsal_horn_layout.site_seed`).
    duration : float
        Simulated time, s.

    Returns
    -------
    dict of str to AfferentSpikes
        Spikes of every generator population: ``Abeta``, ``Adelta``, ``C``, the Aβ impulses
        that run up the dorsal columns
        (:data:`~painsim.circuits.dorsal_horn_layout.ASCENDING_POPULATION`), the kHz field
        (``FIELD``) and the background barrage (``BG``).

    Raises
    ------
    painsim.errors.ParameterError
        A device's ``site`` is not a site of the model (:func:`~painsim.circuits.dorsal_horn_layout.stimulus_sites`).
    """
    n_sites = int(model.si("body.n_sites"))
    placed = [(w, stimulus_sites(model, w)) for w in as_devices(stimulus)]
    parts: dict[str, list] = {c: [] for c in FIBER_CLASSES}
    afferent_params = model.section("afferents")
    ascending, collided = [], False   # per site, the Aβ impulses that run up the dorsal columns
    for s in range(n_sites):
        aff = afferent_input(afferent_params, duration, site_seed(seed, s),
                             stimulus=tuple(w for w, sites in placed if s in sites),
                             noxious=noxious[s], touch=touch[s], pathology=site_pathology(model, s), ascending=True)
        ascending.append(aff.pop(ASCENDING))
        collided = collided or ascending[-1] is not aff["Abeta"]   # another set only under a dorsal-column lead
        for c, a in aff.items():
            parts[c].append((a.times, a.fibers + s * a.n))
    sizes = {c: int(model.si(f"afferents.{c}.n")) * n_sites for c in FIBER_CLASSES}
    spikes = {c: AfferentSpikes.merge(parts[c], sizes[c]) for c in FIBER_CLASSES}
    # the generator of the dorsal column nuclei (painsim.circuits.dorsal_column; ignored by stacks
    # without them): the Aβ arrivals themselves unless a dorsal-column lead reaches a site
    up = [(a.times, a.fibers + s * a.n) for s, a in enumerate(ascending)]
    spikes[ASCENDING_POPULATION] = AfferentSpikes.merge(up, sizes["Abeta"]) if collided else spikes["Abeta"]
    # the kHz field on the dorsal-horn neurons of the stimulated site(s) (painsim.circuits.khz_field)
    spikes[FIELD_POPULATION] = field_spikes(model, placed, n_sites, duration)
    # the background barrage of every dorsal-horn neuron (painsim.circuits.background)
    spikes[BACKGROUND_POPULATION] = background_spikes(model, seed, n_sites, sizes_per_site(model), duration,
                                                      site_stream)
    return spikes


def amplitude_checks(model, stimulus, duration: float) -> None:
    """What :func:`inputs` refuses of the devices by their amplitudes, drawing nothing: a site's kHz
    field beyond the field term's range (:func:`painsim.circuits.khz_field.field_counts`).

    Raises
    ------
    painsim.errors.ParameterError
        A site's mean rectified current out of the field term's range (named ``stimulus``), or a
        device's ``site`` not a site of the model.
    """
    field_counts(model, [(w, stimulus_sites(model, w)) for w in as_devices(stimulus)], duration)


def site_pn_rates(model, out, duration: float) -> np.ndarray:
    """Projection-neuron output (Hz) per body site after ``readout.transient``.

    ``out`` is a point's raw :class:`painsim.circuits.PointOutput`.

    Parameters
    ----------
    model : Model
    out : PointOutput
        The point's raw output (its ``PN`` spikes and size are read).
    duration : float
        Simulated time, s.

    Returns
    -------
    numpy.ndarray
        Mean rate per PN neuron of each site (Hz), one per site, over
        ``[readout.transient, duration)`` (from 0 if the run is not longer than the transient).
    """
    t0 = readouts.readout_start(model, duration)
    n_sites = int(model.si("body.n_sites"))
    return readouts.site_rates(*out.spikes["PN"], n_sites, out.sizes["PN"] // n_sites, t0, duration)


def pn_drives(model, out, site: int) -> tuple[float, float]:
    """Time integrals of inhibitory and excitatory conductance delivered to the
    projection neurons of ``site`` (S s), from every connection onto PN
    (``out``: a point's raw :class:`painsim.circuits.PointOutput`).

    Parameters
    ----------
    model : Model
    out : PointOutput
        The point's raw output, with its plan (projections onto ``PN``), spikes and efficacies.
    site : int
        Body site index.

    Returns
    -------
    inhibitory, excitatory : float
        Sum over the site's synapses onto PN of presynaptic spikes x efficacy x conductance x
        the conductance's decay time (``tau_gaba``; ``tau_ampa``, ``tau_nmda_decay``,
        ``tau_nk1_decay``), S s, over the whole run
        (:data:`~painsim.circuits.dorsal_horn_dynamics.NON_CONDUCTANCES` left out).
    """
    inh = exc = 0.0
    tau = {"w_ampa": model.si("dorsal_horn.synapse.tau_ampa"),
           "w_nmda": model.si("dorsal_horn.synapse.tau_nmda_decay"),
           "w_nk1": model.si("dorsal_horn.synapse.tau_nk1_decay"),
           "w_gaba": model.si("dorsal_horn.synapse.tau_gaba")}
    n_pn = out.sizes["PN"] // int(model.si("body.n_sites"))
    for conn in out.plan.projections:
        if conn.target != "PN":
            continue
        at_site = (conn.post >= site * n_pn) & (conn.post < (site + 1) * n_pn)
        n_spikes = np.bincount(out.spikes[conn.source][1], minlength=out.sizes[conn.source])
        w = out.weights[conn.name]
        # spikes x efficacy x conductance x decay time, summed over the site's synapses
        drive = sum(float(np.sum((n_spikes[conn.pre] * w * g)[at_site])) * tau[k]
                    for k, g in conn.conductances.items() if k not in NON_CONDUCTANCES)
        if conn.kind == "inh":
            inh += drive
        else:
            exc += drive
    return inh, exc


def results(model, out, duration: float, pain=None) -> LayerResults:
    """Dataset variables of the dorsal horn: PN output per site and at the painful
    site, the spinal pain score (most active site, :func:`painsim.readouts.model_pain_score`)
    and the gate index at the painful site (:func:`painsim.readouts.gate_index`).

    Parameters
    ----------
    model : Model
    out : PointOutput
        The point's raw output.
    duration : float
        Simulated time, s.
    pain : float, optional
        The pain score of the layers below; ignored (the dorsal horn is the first layer).

    Returns
    -------
    LayerResults
        ``site_pn_rate`` (Hz, dimension ``site``), ``pn_rate`` (Hz), ``spinal_pain`` (NRS 0-10)
        and ``gate_index`` (0-1), the ``site`` coordinate, and ``spinal_pain`` as the pain score.
    """
    n_sites = int(model.si("body.n_sites"))
    painful = int(model.si("body.painful_site"))
    site_rate = site_pn_rates(model, out, duration)
    pn_rate = float(site_rate[painful])
    # the most active site carries the rating (a one-site model: its only site)
    spinal = readouts.model_pain_score(float(site_rate.max()), model)
    gate = readouts.gate_index(*pn_drives(model, out, painful))
    variables = {
        "site_pn_rate": (("site",), site_rate, {"units": "Hz", "long_name": "projection-neuron output per body site after the transient"}),
        "pn_rate": ((), pn_rate, {"units": "Hz", "long_name": "projection-neuron output at the painful site after the transient"}),
        "spinal_pain": ((), spinal, {"units": "1", "long_name": "pain score (NRS 0-10) of the spinal output alone (most active site)"}),
        "gate_index": ((), gate, {"units": "1", "long_name": "inhibitory share of drive onto the painful site's PN"}),
    }
    return LayerResults(variables, {"site": np.arange(n_sites)}, spinal)


#: Every population of the layer, each per site x sites (population_sizes).
_POPULATIONS = tuple(AFFERENT_POPULATIONS) + tuple(DORSAL_HORN_POPULATIONS) + (FIELD_POPULATION, BACKGROUND_POPULATION)
#: The dorsal horn as a registered layer (:data:`painsim.circuits.layers.LAYERS`).
LAYER = Layer(
    name="dorsal_horn",
    populations=_POPULATIONS,
    connections=CONNECTIONS + FIELD_CONNECTIONS + BACKGROUND_CONNECTIONS,
    groups={"spinal": GroupDynamics(NEURON_EQS, EXC_SYNAPSE, INH_SYNAPSE)},
    # pathology.anion_shift sets e_inh of the pathological site(s), morphine and naloxone opioid_exo
    # (spinal_morphine), baclofen and its antagonist gabab_exo (spinal_baclofen): a sweep over one
    # of them stores that variable per neuron (one network)
    neuron_paths=tuple(NEURON_PARAMS.items()) + tuple((var, path) for var, per_pop in POPULATION_PARAMS.items()
                                                      for path in per_pop.values())
                 + (("e_inh", "pathology.anion_shift"), ("opioid_exo", "dorsal_horn.pharmacology.morphine"),
                    ("opioid_exo", "dorsal_horn.pharmacology.opioid_block"),
                    ("gabab_exo", "dorsal_horn.pharmacology.baclofen"),
                    ("gabab_exo", "dorsal_horn.pharmacology.gabab_block")),
    sizes=population_sizes,
    build=build,
    inputs=inputs,
    results=results,
    modalities={"electrical": "", "magnetic": ""},
    site_populations=_POPULATIONS,
    amplitude_checks=amplitude_checks,
)
