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
"""
from __future__ import annotations

import numpy as np

from .. import readouts
from ..anatomy import FIBER_CLASSES
from ..devices import as_devices
from ..errors import ParameterError
from ..fibers import ASCENDING, AfferentSpikes, afferent_input
from ..rng import rng_for
from .elements import Connection, GroupDynamics, Layer, LayerResults, Population, Projection
from .background import (BACKGROUND_CONNECTIONS, BACKGROUND_POPULATION, background_projections,
                         background_spikes, background_units)
from .khz_field import FIELD_BITS, FIELD_CONNECTIONS, FIELD_POPULATION, field_projections, field_spikes

__all__ = ["NEURON_EQS", "NEURON_PARAMS", "POPULATION_PARAMS", "EXC_SYNAPSE", "INH_SYNAPSE",
           "AFFERENT_POPULATIONS", "ASCENDING_POPULATION", "DORSAL_HORN_POPULATIONS", "CONNECTIONS", "synaptic_conductances",
           "presynaptic_opioid_fraction", "presynaptic_gabab_fraction", "NON_CONDUCTANCES",
           "site_pathology", "site_stream", "presynaptic_sites", "SURROUND_CONNECTIONS", "site_seed", "sizes_per_site", "population_sizes", "neuron_parameters",
           "spinal_morphine", "spinal_baclofen",
           "build", "inputs", "stimulus_sites", "receiving_targets", "site_pn_rates", "pn_drives", "results", "LAYER"]

#: Shared membrane equations (brian2 syntax) of every spiking neuron in
#: painsim, spinal and supraspinal (one equation text = one compiled code
#: object).  ``g_tonic`` is a constant excitatory background conductance
#: (zero in the dorsal horn; the lumped background drive of supraspinal units).
NEURON_EQS = """
dv/dt = (g_leak*(e_rest - v) + g_ampa*(e_exc - v) + g_nmda*mg_block*(e_exc - v)
         + g_nk1*(e_exc - v) + g_gaba*(e_inh - v) + g_can*(e_can - v) + g_tonic*(e_exc - v)
         + g_mor_max*(opioid + opioid_exo)/(1 + opioid + opioid_exo)*(e_k - v) + g_gabab_max*occ_gabab*(e_k - v)) / c_m : volt (unless refractory)
dopioid/dt = -opioid / tau_opioid : 1
dgabab/dt = (x_gabab - gabab) / tau_gabab : 1
occ_gabab = (gabab**2 + gabab_exo) / (1 + gabab**2 + gabab_exo) : 1
dx_gabab/dt = -x_gabab / tau_gabab_rise : 1
mg_block = 1 / (1 + mg * exp(-0.062 * v / mV) / 3.57) : 1
g_can = g_can_max * ca / (1 + ca) : siemens
dca/dt = (g_nmda * mg_block / g_ca_half - ca) / tau_ca : 1
dg_ampa/dt = -g_ampa / tau_ampa : siemens
dg_nmda/dt = (x_nmda - g_nmda) / tau_nmda_decay : siemens
dx_nmda/dt = -x_nmda / tau_nmda_rise : siemens
dg_nk1/dt = (x_nk1 - g_nk1) / tau_nk1_decay : siemens
dx_nk1/dt = -x_nk1 / tau_nk1_rise : siemens
dg_gaba/dt = -g_gaba / tau_gaba : siemens
c_m : farad (constant)
g_leak : siemens (constant)
e_rest : volt (constant)
v_threshold : volt (constant)
v_reset : volt (constant)
t_refractory : second (constant)
e_exc : volt (constant)
e_inh : volt (constant)
mg : 1 (constant)
tau_ampa : second (constant)
tau_nmda_rise : second (constant)
tau_nmda_decay : second (constant)
tau_nk1_rise : second (constant)
tau_nk1_decay : second (constant)
tau_gaba : second (constant)
g_can_max : siemens (constant)
e_can : volt (constant)
g_ca_half : siemens (constant)
tau_ca : second (constant)
g_tonic : siemens (constant)
g_mor_max : siemens (constant)
e_k : volt (constant)
tau_opioid : second (constant)
opioid_exo : 1 (constant)
g_gabab_max : siemens (constant)
tau_gabab : second (constant)
tau_gabab_rise : second (constant)
gabab_exo : 1 (constant)
"""

#: Per-neuron variables and the model paths they come from (SI values).
NEURON_PARAMS = {
    "c_m": "dorsal_horn.neuron.capacitance",
    "g_leak": "dorsal_horn.neuron.leak_conductance",
    "e_rest": "dorsal_horn.neuron.rest",
    "v_threshold": "dorsal_horn.neuron.threshold",
    "v_reset": "dorsal_horn.neuron.reset",
    "t_refractory": "dorsal_horn.neuron.refractory",
    "e_exc": "dorsal_horn.synapse.e_excitatory",
    "e_inh": "dorsal_horn.synapse.e_inhibitory",
    "mg": "dorsal_horn.synapse.mg",
    "tau_ampa": "dorsal_horn.synapse.tau_ampa",
    "tau_nmda_rise": "dorsal_horn.synapse.tau_nmda_rise",
    "tau_nmda_decay": "dorsal_horn.synapse.tau_nmda_decay",
    "tau_nk1_rise": "dorsal_horn.synapse.tau_nk1_rise",
    "tau_nk1_decay": "dorsal_horn.synapse.tau_nk1_decay",
    "tau_gaba": "dorsal_horn.synapse.tau_gaba",
    "e_can": "dorsal_horn.windup.e_can",
    "g_ca_half": "dorsal_horn.windup.nmda_calcium_half",
    "tau_ca": "dorsal_horn.windup.tau_calcium",
    "g_mor_max": "dorsal_horn.opioid.girk_conductance",
    "e_k": "dorsal_horn.opioid.e_potassium",
    "tau_opioid": "dorsal_horn.opioid.tau",
    "tau_gabab": "dorsal_horn.gabab.tau",
    "tau_gabab_rise": "dorsal_horn.gabab.tau_rise",
}
#: Per-population overrides: only WDR projection neurons carry the CAN current;
#: postsynaptic GABA_B (GIRK) conductances differ between lamina II interneurons
#: and deep WDR neurons (``[dorsal_horn.gabab]``).
POPULATION_PARAMS = {"g_can_max": {"PN": "dorsal_horn.windup.can_conductance"},
                     "g_gabab_max": {"EX": "dorsal_horn.gabab.girk_ex", "PN": "dorsal_horn.gabab.girk_pn"}}

#: Excitatory synapse: ``w`` is a dimensionless efficacy (1 = as in the model
#: file) that plasticity rules change; the receptor conductances are fixed.
#: ``mor_share`` is the fraction of the synapse's release that presynaptic
#: mu-opioid receptors can suppress (C and Aδ terminals, Heinke, Gingl &
#: Sandkühler 2011 J Neurosci 31:1313): with ``opioid`` the opioid concentration
#: near the postsynaptic neuron (in units of the receptor's dissociation constant)
#: and ``opioid_exo`` that of an exogenous agonist (:func:`spinal_morphine`), the
#: receptor occupancy is ``(opioid + opioid_exo)/(1 + opioid + opioid_exo)`` (one-site
#: binding, both agonists on the same site) and release scales by
#: ``1 - mor_share*occupancy`` (exactly 1 without either).  ``gabab_share``
#: is the same for presynaptic GABA_B receptors (activation ``occ_gabab``, a Hill
#: function of the GABA released by the inhibitory interneurons; ``[dorsal_horn.gabab]``).
EXC_SYNAPSE = dict(model=("w : 1\nw_ampa : siemens (constant)\nw_nmda : siemens (constant)\n"
                          "w_nk1 : siemens (constant)\nmor_share : 1 (constant)\ngabab_share : 1 (constant)"),
                   # x jumps by w*tau_decay/tau_rise so that the conductance peaks near w
                   # and its integral is w*tau_decay, as for a single exponential
                   on_pre=("release = w*(1 - mor_share*(opioid_post + opioid_exo_post)/(1 + opioid_post + opioid_exo_post))"
                           "*(1 - gabab_share*occ_gabab_post)\n"
                           "g_ampa_post += release*w_ampa\n"
                           "x_nmda_post += release*w_nmda*tau_nmda_decay_post/tau_nmda_rise_post\n"
                           "x_nk1_post += release*w_nk1*tau_nk1_decay_post/tau_nk1_rise_post"))
#: Inhibitory synapse: GABA_A/glycine conductance, and for opioid-releasing
#: projections (descending PAG/RVM control) ``w_mor``, the opioid released per
#: spike (units of the receptor's dissociation constant; occupancy saturates
#: through binding, so the update stays linear and order-independent).  ``w_gabab``
#: is the GABA reaching GABA_B receptors per spike of an inhibitory interneuron
#: (units of the receptor's dissociation constant, as ``w_mor``), delivered through
#: a rise (G-protein activation) so that its integral is ``w_gabab*tau_gabab``.
INH_SYNAPSE = dict(model="w : 1\nw_gaba : siemens (constant)\nw_mor : 1 (constant)\nw_gabab : 1 (constant)",
                   on_pre=("g_gaba_post += w*w_gaba\nopioid_post += w*w_mor\n"
                           "x_gabab_post += w*w_gabab*tau_gabab_post/tau_gabab_rise_post"))
#: Conductance-like keys of a projection that are not conductances (no decay time).
NON_CONDUCTANCES = ("mor_share", "w_mor", "gabab_share", "w_gabab")


#: Generator of the Aβ impulses that run up the dorsal columns (:func:`inputs` draws them with
#: the afferents; the dorsal column nuclei of :mod:`painsim.circuits.dorsal_column` read them).
ASCENDING_POPULATION = "ASC"
#: Populations: afferent classes (spike generators, :data:`painsim.anatomy.FIBER_CLASSES`)
#: and dorsal-horn neurons.
AFFERENT_POPULATIONS = FIBER_CLASSES
DORSAL_HORN_POPULATIONS = {"IN": "dorsal_horn.populations.n_inhibitory",
                           "EX": "dorsal_horn.populations.n_excitatory",
                           "PN": "dorsal_horn.populations.n_projection"}

CONNECTIONS = (
    Connection("abeta_in", "Abeta", "IN", "exc"),
    Connection("abeta_pn", "Abeta", "PN", "exc"),
    Connection("adelta_pn", "Adelta", "PN", "exc"),
    Connection("c_pn", "C", "PN", "exc"),
    Connection("c_ex", "C", "EX", "exc"),
    Connection("ex_pn", "EX", "PN", "exc"),
    Connection("inhibition", "IN", "PN", "inh"),
    Connection("inhibition_ex", "IN", "EX", "inh"),
    # Aβ -> excitatory (PKCγ-like) interneurons, held silent by IN -> EX feed-forward
    # inhibition in health and unmasked by disinhibition: the polysynaptic Aβ route to
    # nociceptive output of tactile allodynia (Torsney & MacDermott 2006; Lu et al. 2013;
    # Duan et al. 2014; Petitjean et al. 2015).  Last in the tuple so the connectivity
    # streams (rng_for(seed, "connectivity", k)) of the older connections are unchanged.
    Connection("abeta_ex", "Abeta", "EX", "exc"),
    # C -> inhibitory interneurons: feed-forward inhibition of nociceptive input (islet
    # cells with monosynaptic C input inhibiting central cells, Lu & Perl 2003; most
    # Aβ-driven GABAergic neurons also receive high-threshold input, Daniele & MacDermott
    # 2009).  Off in the model files (``dorsal_horn.c_in.p = 0``: no synapses, the circuit
    # without it spike for spike); appended last so the older streams are unchanged.
    Connection("c_in", "C", "IN", "exc"),
    # Aδ -> inhibitory interneurons: glycinergic dorsal-horn neurons receive sensory input
    # mainly from myelinated afferents (Foster et al. 2015), and most Aβ-driven GABAergic
    # neurons also receive high-threshold (Aδ/C) input (Daniele & MacDermott 2009).  Off in
    # the model files (``dorsal_horn.adelta_in.p = 0``); appended last, as ``c_in``.
    Connection("adelta_in", "Adelta", "IN", "exc"),
    # Aβ of the neighbouring sites -> inhibitory interneurons: the inhibitory surround of a
    # dorsal-horn neuron's receptive field (Zhang, Janik & Grill 2014's "surround" cell, driven
    # by Aβ fibres other than its local cell's; Gilbert et al. 2022 eNeuro 9:ENEURO.0058-22.2022:
    # low-amplitude SCS inhibits dorsal-horn neurons through surround inhibition, shifted by
    # bicuculline).  Its fibres come from the sites of :data:`SURROUND_CONNECTIONS`.  Off in the
    # model files (``dorsal_horn.abeta_in_surround.p = 0``); appended last, as ``c_in``.
    Connection("abeta_in_surround", "Abeta", "IN", "exc"),
)

#: Connections whose presynaptic fibres are those of the neighbouring body sites (``s - 1``
#: and ``s + 1``, where they exist) rather than the target's own site.
SURROUND_CONNECTIONS = frozenset({"abeta_in_surround"})


def presynaptic_sites(conn: Connection, site: int, n_sites: int) -> tuple[int, ...]:
    """The body sites whose neurons or fibres a connection onto ``site`` draws from: the site
    itself, or for a surround connection (:data:`SURROUND_CONNECTIONS`) its neighbours."""
    if conn.name in SURROUND_CONNECTIONS:
        return tuple(s for s in (site - 1, site + 1) if 0 <= s < n_sites)
    return (site,)


def synaptic_conductances(model, conn: Connection, pathology=None) -> dict[str, float]:
    """Receptor conductances of a connection with pathology and pharmacology applied (SI).

    ``pathology`` is the (site's) pathology section; default: the model's.
    """
    sec = model.section(f"dorsal_horn.{conn.name}")
    pharm = model.section("dorsal_horn.pharmacology")
    path = model.section("pathology") if pathology is None else pathology
    if conn.kind == "inh":
        # disinhibition (a loss of inhibitory efficacy; the chloride shift of KCC2 loss is
        # pathology.anion_shift, applied to e_inh in build) weakens GABA_A/glycine, not the
        # K+-coupled GABA_B receptors (Coull et al. 2003 Nature 424:938)
        scale = (1 - pharm["gaba_block"]) * (1 - path["disinhibition"])
        return {"w_gaba": sec["weight"] * scale,
                "w_gabab": model.si("dorsal_horn.gabab.release") * (1 - pharm["gabab_block"])}
    # C synapses: the calibrated gain of the healthy circuit (dorsal_horn.synapse.c_gain,
    # painsim.validation.calibration) times the pathology's central sensitization
    sens = model.si("dorsal_horn.synapse.c_gain") * path["sensitization"] if conn.source == "C" else 1.0
    return {"w_ampa": sec["weight"] * sens,
            "w_nmda": sec["nmda"] * sens * (1 - pharm["nmda_block"]),
            "w_nk1": sec["nk1"] * sens * (1 - pharm["nk1_block"]),
            "mor_share": presynaptic_opioid_fraction(model, conn.source),
            "gabab_share": presynaptic_gabab_fraction(model, conn.source)}


def presynaptic_opioid_fraction(model, source: str) -> float:
    """Fraction of a primary afferent's release that mu-opioid receptors on its central
    terminals can suppress (``dorsal_horn.opioid.presynaptic_<class>``; 0 for
    interneurons and for Aβ fibres)."""
    key = {"C": "presynaptic_c", "Adelta": "presynaptic_adelta"}.get(source)
    return 0.0 if key is None else float(model.si(f"dorsal_horn.opioid.{key}"))


def presynaptic_gabab_fraction(model, source: str) -> float:
    """Fraction of an afferent's release that GABA_B receptors on its central terminals
    can suppress (``dorsal_horn.gabab.presynaptic_<class>``; 0 for interneurons)."""
    key = {"C": "presynaptic_c", "Adelta": "presynaptic_adelta", "Abeta": "presynaptic_abeta"}.get(source)
    return 0.0 if key is None else float(model.si(f"dorsal_horn.gabab.{key}"))


def receiving_targets(model, conn: Connection, n_post: int) -> int:
    """How many of a site's target neurons a connection may reach: all of them, or, where the model
    gives ``dorsal_horn.<name>.target_fraction``, the first ``fraction x n_post`` of them, rounded half
    up (neurons are interchangeable but for their draws, so the first ones are a random subset).

    ``dorsal_horn.abeta_pn.target_fraction`` makes two classes of projection neuron: lamina I
    neurons, which receive no monosynaptic Aβ input (it appears, polysynaptic, only when
    inhibition is blocked: Torsney & MacDermott 2006 J Neurosci 26:1833), and deeper neurons,
    which do.

    Parameters
    ----------
    model : Model
    conn : Connection
        One of :data:`CONNECTIONS`.
    n_post : int
        Target neurons per site.

    Returns
    -------
    int
        The number of a site's target neurons, counted from its first, that the connection may
        reach.  (The model refuses a fraction outside [0, 1] when it is set, :mod:`painsim.params`.)
    """
    path = f"dorsal_horn.{conn.name}.target_fraction"
    return int(np.floor(model.si(path) * n_post + 0.5)) if path in model.leaves else n_post


# ==========================================================================
# The dorsal horn of a point as a plan (numpy only; network.py builds it)
# ==========================================================================
def site_pathology(model, site: int) -> dict:
    """The pathology section as it acts at one body site.

    With ``pathology.extent = "site"`` the peripheral and spinal pathology
    (ectopic C activity, disinhibition, anion shift, sensitization) acts at
    ``body.painful_site`` only; ``"widespread"`` puts it at every site.
    """
    path = dict(model.section("pathology"))
    if path["extent"] == "site" and site != int(model.si("body.painful_site")):
        path.update(ectopic_fraction=0.0, disinhibition=0.0, sensitization=1.0, anion_shift=0.0)
    return path


def site_stream(site: int) -> tuple:
    """Extra seed entries of a site's random streams (none for site 0, so a
    one-site model draws exactly what the single-site foundation drew)."""
    return () if site == 0 else (1000 + int(site),)


def stimulus_sites(model, stimulus) -> tuple[int, ...]:
    """The body sites a device waveform is delivered at: ``stimulus.site`` (one index or
    several), or ``(body.painful_site,)`` when it names none (or there is no stimulus).

    Raises
    ------
    painsim.errors.ParameterError
        A site of ``stimulus.site`` is not a site index of the model (0 .. n_sites - 1).
    """
    n_sites = int(model.si("body.n_sites"))
    if stimulus is None or stimulus.site is None:
        return (int(model.si("body.painful_site")),)
    # the waveform already holds whole indices >= 0 (painsim.stimulation): only the body can be too small
    sites = stimulus.site if isinstance(stimulus.site, tuple) else (stimulus.site,)
    if max(sites) >= n_sites:
        raise ParameterError("stimulus.site", stimulus.site, f"site indices in 0..{n_sites - 1}")
    return sites


def site_seed(seed: int, site: int) -> int:
    """Seed of one site's afferents (site 0 keeps the point's seed)."""
    if site == 0:
        return seed
    return int(rng_for(seed, "site", site).integers(2 ** 62))


def sizes_per_site(model) -> dict[str, int]:
    """Fibers or neurons per body site of every afferent and dorsal-horn population."""
    sizes = {c: int(model.si(f"afferents.{c}.n")) for c in AFFERENT_POPULATIONS}
    sizes.update({p: int(model.si(path)) for p, path in DORSAL_HORN_POPULATIONS.items()})
    sizes[FIELD_POPULATION] = FIELD_BITS  # the kHz field's generator units (painsim.circuits.khz_field)
    sizes[BACKGROUND_POPULATION] = background_units(model, sizes)  # background barrage (painsim.circuits.background)
    return sizes


def population_sizes(model) -> dict[str, int]:
    """Fibers or neurons per afferent and dorsal-horn population of one point (all sites)."""
    n_sites = int(model.si("body.n_sites"))
    return {p: n * n_sites for p, n in sizes_per_site(model).items()}


def neuron_parameters(model, pop: str) -> dict[str, float]:
    """SI values of the NEURON_EQS variables for a dorsal-horn population."""
    vals = {var: model.si(path) for var, path in NEURON_PARAMS.items()}
    for var, per_pop in POPULATION_PARAMS.items():
        vals[var] = model.si(per_pop[pop]) if pop in per_pop else 0.0
    vals["g_tonic"] = 0.0
    vals["opioid_exo"] = spinal_morphine(model)
    vals["gabab_exo"] = spinal_baclofen(model)
    return vals


def spinal_morphine(model) -> float:
    """Concentration of exogenous mu agonist at the dorsal-horn mu receptors (units of their
    dissociation constant): ``dorsal_horn.pharmacology.morphine`` x (1 - naloxone block,
    ``dorsal_horn.pharmacology.opioid_block``), the competitive antagonist keeping the drug off the
    receptors as it keeps the endogenous opioid off them (:func:`painsim.circuits.cortex.descending_opioid`).

    It adds to the endogenous opioid of every dorsal-horn neuron (``opioid_exo`` in
    :data:`NEURON_EQS`): the postsynaptic GIRK conductance (``dorsal_horn.opioid.girk_conductance``)
    and the presynaptic suppression of C and Aδ release onto it
    (``dorsal_horn.opioid.presynaptic_*``).  Intrathecal morphine acts there: it reduces the
    C-fibre-evoked activity of dorsal-horn nociceptive neurones dose-dependently and
    naloxone-reversibly, their A-fibre-evoked responses only slightly (Dickenson & Sullivan 1986
    Pain 24:211).  0 (the default) leaves every spike as without the term.
    """
    return model.si("dorsal_horn.pharmacology.morphine") * (1 - model.si("dorsal_horn.pharmacology.opioid_block"))


def spinal_baclofen(model) -> float:
    """Concentration of exogenous GABA_B agonist at the dorsal-horn GABA_B receptors.

    Parameters
    ----------
    model : Model

    Returns
    -------
    float
        ``dorsal_horn.pharmacology.baclofen`` x (1 - ``dorsal_horn.pharmacology.gabab_block``),
        in units of the receptors' dissociation constant: the antagonist keeps the drug off.

    Notes
    -----
    It enters the receptors' activation of every dorsal-horn neuron (``gabab_exo`` in
    :data:`NEURON_EQS`) as one-site binding beside the interneurons' GABA,
    ``occ_gabab = (gabab² + gabab_exo) / (1 + gabab² + gabab_exo)``: a steady drug needs no
    spillover, so its own term is hyperbolic, not the Hill term of the released GABA.  Through
    ``occ_gabab`` it acts where the receptors are (``[dorsal_horn.gabab]``): presynaptic
    suppression of C (and less of Aδ) release and the GIRK conductance of the excitatory
    interneurons.  Intrathecal baclofen acts there: topical baclofen abolished C-fibre-evoked
    and spared tactile WDR responses (Dickenson et al. 1985, "Effects of topical baclofen on C
    fibre-evoked neuronal activity in the rat dorsal horn" [checked: abstract]), and at doses
    without effect of their own GABA or baclofen made tonic SCS relieve tactile allodynia in
    mononeuropathic rats in which SCS alone had failed (Cui, Linderoth & Meyerson 1996 Pain
    66:287 [checked: abstract]); a pilot study tried it for patients responding poorly to SCS
    (Lind, Meyerson, Winter & Linderoth 2004 Eur J Pain 8:377 [checked: abstract]).  0 (the
    default) leaves every spike as without the term.
    """
    return model.si("dorsal_horn.pharmacology.baclofen") * (1 - model.si("dorsal_horn.pharmacology.gabab_block"))


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
    connections, :func:`presynaptic_sites`); the
    afferent generators are laid out the same way.  Returns
    ``(populations, projections)`` for :class:`painsim.circuits.plan.Plan`.
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
        ``site`` (default ``body.painful_site``; :func:`stimulus_sites`); recruitment as
        ``afferents.recruitment``, each site's fibers from that site's own stream; several
        devices act together (:mod:`painsim.devices`).
    noxious, touch : sequence of NaturalStimulus or physical stimuli
        One natural stimulus per site.
    seed : int
        The point's seed (site ``s`` draws from :func:`site_seed`).
    duration : float
        Simulated time, s.
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


def site_pn_rates(model, out, duration: float) -> np.ndarray:
    """Projection-neuron output (Hz) per body site after ``readout.transient``.

    ``out`` is a point's raw :class:`painsim.circuits.PointOutput`.
    """
    t0 = readouts.readout_start(model, duration)
    n_sites = int(model.si("body.n_sites"))
    return readouts.site_rates(*out.spikes["PN"], n_sites, out.sizes["PN"] // n_sites, t0, duration)


def pn_drives(model, out, site: int) -> tuple[float, float]:
    """Time integrals of inhibitory and excitatory conductance delivered to the
    projection neurons of ``site`` (S s), from every connection onto PN
    (``out``: a point's raw :class:`painsim.circuits.PointOutput`)."""
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
    and the gate index at the painful site (:func:`painsim.readouts.gate_index`)."""
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
)
