"""The neuron and synapse model of the dorsal horn, and the values it takes.

The brian2 equation texts of the dorsal-horn layer (:data:`NEURON_EQS`, shared by every
spiking neuron of painsim; :data:`EXC_SYNAPSE`, :data:`INH_SYNAPSE`), the model paths of
their per-neuron variables, and the functions that turn a model into per-neuron values
(:func:`neuron_parameters`), receptor conductances of a connection
(:func:`synaptic_conductances`, with pathology and pharmacology applied) and the
spinal drugs (:func:`spinal_morphine`, :func:`spinal_baclofen`).  No brian2 here: the
strings become brian2 objects in :mod:`painsim.circuits.network`.  The mechanisms and their
papers: :mod:`painsim.circuits.dorsal_horn`.

Split from :mod:`painsim.circuits.dorsal_horn`, which re-exports every name
(import them from there or from here).
"""
from __future__ import annotations

from .elements import Connection

__all__ = ["NEURON_EQS", "NEURON_PARAMS", "POPULATION_PARAMS", "EXC_SYNAPSE", "INH_SYNAPSE", "NON_CONDUCTANCES",
           "synaptic_conductances", "presynaptic_opioid_fraction", "presynaptic_gabab_fraction",
           "neuron_parameters", "spinal_morphine", "spinal_baclofen"]

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


def synaptic_conductances(model, conn: Connection, pathology=None) -> dict[str, float]:
    """Receptor conductances of a connection with pathology and pharmacology applied (SI).

    ``pathology`` is the (site's) pathology section; default: the model's.

    Parameters
    ----------
    model : Model
    conn : Connection
        A connection of the dorsal horn (its section ``dorsal_horn.<name>`` gives the weights).
    pathology : mapping, optional
        The pathology section in force (:func:`painsim.circuits.dorsal_horn.site_pathology`);
        its ``disinhibition`` and ``sensitization`` are read.

    Returns
    -------
    dict of str to float
        For an inhibitory connection ``w_gaba`` (S, scaled by ``1 - gaba_block`` and
        ``1 - disinhibition``) and ``w_gabab`` (GABA per spike, units of the receptor's
        dissociation constant).  For an excitatory one ``w_ampa``, ``w_nmda``, ``w_nk1`` (S;
        C synapses times ``dorsal_horn.synapse.c_gain`` x ``sensitization``; NMDA and NK1 times
        one minus their block) and the presynaptic fractions ``mor_share`` and ``gabab_share``.
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
    interneurons and for Aβ fibres).

    Parameters
    ----------
    model : Model
    source : str
        The presynaptic population (``"C"``, ``"Adelta"``, or any other).

    Returns
    -------
    float
        The fraction, 0 for a population other than ``C`` and ``Adelta``.
    """
    key = {"C": "presynaptic_c", "Adelta": "presynaptic_adelta"}.get(source)
    return 0.0 if key is None else float(model.si(f"dorsal_horn.opioid.{key}"))


def presynaptic_gabab_fraction(model, source: str) -> float:
    """Fraction of an afferent's release that GABA_B receptors on its central terminals
    can suppress (``dorsal_horn.gabab.presynaptic_<class>``; 0 for interneurons).

    Parameters
    ----------
    model : Model
    source : str
        The presynaptic population (``"C"``, ``"Adelta"``, ``"Abeta"``, or any other).

    Returns
    -------
    float
        The fraction, 0 for a population that is not an afferent class.
    """
    key = {"C": "presynaptic_c", "Adelta": "presynaptic_adelta", "Abeta": "presynaptic_abeta"}.get(source)
    return 0.0 if key is None else float(model.si(f"dorsal_horn.gabab.{key}"))



def neuron_parameters(model, pop: str) -> dict[str, float]:
    """SI values of the NEURON_EQS variables for a dorsal-horn population.

    Parameters
    ----------
    model : Model
    pop : str
        ``"IN"``, ``"EX"`` or ``"PN"``.

    Returns
    -------
    dict of str to float
        Every parameter of :data:`NEURON_EQS`: those of :data:`NEURON_PARAMS`, those of
        :data:`POPULATION_PARAMS` (0 for a population without an override), ``g_tonic`` = 0,
        ``opioid_exo`` (:func:`spinal_morphine`) and ``gabab_exo`` (:func:`spinal_baclofen`).
    """
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

    Parameters
    ----------
    model : Model

    Returns
    -------
    float
        The concentration, in units of the receptors' dissociation constant.
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
