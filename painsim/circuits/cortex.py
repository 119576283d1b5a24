"""Thalamus, the S1 pain map, M1 and descending control (numpy plans).

The supraspinal half of the pipeline (``docs/architecture.md``), used when a model
has ``network.layers = "pathway"`` (``models/pain_pathway.toml``):

* **Thalamic relay** (VPL-like): ``n_relay`` excitatory relay neurons per
  body site, driven by that site's projection neurons (spinothalamic tract),
  with a shared thalamic reticular nucleus (TRN) that inhibits them (relay ->
  TRN -> relay feedback inhibition).
* **S1 pain map**: a 2-D sheet of ``n_map_x x n_map_y`` excitatory units and
  ``n_map_inhibitory`` inhibitory units on a coarser grid.  Body sites lie in
  a row along x; site ``s`` projects to the territory around its centre with
  a Gaussian connection probability of spread ``thalamocortical_spread``, so
  neighbouring sites map to neighbouring, overlapping territories
  (somatotopy, Penfield & Boldrey 1937).  Local recurrent excitation and
  broader lateral inhibition (a "Mexican hat") shape the territories.
* **M1** excitatory neurons that TMS drives: each pulse directly fires the
  M1 neurons whose activation threshold (lognormal around the resting motor
  threshold, RMT) is below the pulse intensity, so the fraction of M1 that a
  pulse excites is set by intensity as a fraction of RMT.
* **Descending control**: a PAG/RVM population driven by M1 (the route of
  motor-cortex stimulation analgesia, Garcia-Larrea et al. 1999, Pain 83:259)
  and, in the pathway stack, by spino-PAG neurons (:mod:`painsim.circuits.spino_pag`)
  that inhibits the projection neurons of every site; its strength is
  multiplied by ``descending.integrity`` (a patient parameter).  M1 also
  excites the TRN (corticothalamic modulation of the relay).

Every supraspinal neuron is the conductance LIF of
:data:`painsim.circuits.dorsal_horn.NEURON_EQS` with AMPA and GABA_A
synapses only (:data:`NEURON_EQS`) and the cortical values of
``[cortex.neuron]``/``[cortex.synapse]``, plus a constant background
conductance (``g_tonic``) that stands for the background synaptic drive.

Pathology acts here through ``pathology.thalamic_drive`` (a central pain
generator in the painful site's relay), ``thalamic_lesion`` (relay neurons
lost), ``thalamic_disinhibition``, ``cortical_disinhibition``,
``map_reorganization`` (the painful site's territory enlarged, after Flor et
al. 1995) and ``corticothalamic_damage``.

Nothing here creates brian2 objects: :func:`build` returns the populations
and projections that :mod:`painsim.circuits.network` assembles.  The layer is
registered as ``"cortex"`` (:data:`LAYER`): it receives TMS waveforms (the
``TMS`` generator, :func:`tms_input`) and adds the S1 map, relay, M1 and
descending rates to a simulation Dataset (:func:`results`), where the pain
score combines the spinal output with the map's overactive area.
"""
from __future__ import annotations

import numpy as np

from .. import readouts
from ..devices import as_devices
from ..fibers import DEAD_TIME, AfferentSpikes, apply_dead_time
from ..rng import rng_for
from .dorsal_horn import NEURON_EQS as DH_NEURON_EQS
from .elements import Connection, GroupDynamics, Layer, LayerResults, Population, Projection, random_pairs

__all__ = ["SUPRASPINAL_POPULATIONS", "CONNECTIONS", "NEURON_EQS", "NEURON_PARAMS", "EXC_SYNAPSE", "INH_SYNAPSE",
           "population_sizes", "map_positions", "site_centres", "tonic_drive", "supraspinal_parameters", "populations",
           "connection_probabilities", "connection_weights", "descending_relay", "opioid_relay", "projections", "build", "tms_input", "tms_thresholds",
           "inputs", "results", "LAYER"]

#: Supraspinal populations, in network order ("TMS" is a spike generator).
SUPRASPINAL_POPULATIONS = ("TC", "TRN", "S1E", "S1I", "TMS", "M1", "DESC")

CONNECTIONS = (
    Connection("pn_tc", "PN", "TC", "exc"),        # spinothalamic tract, site to site
    Connection("tc_trn", "TC", "TRN", "exc"),
    Connection("trn_tc", "TRN", "TC", "inh"),
    Connection("tc_s1", "TC", "S1E", "exc"),       # thalamocortical, somatotopic
    Connection("s1_ee", "S1E", "S1E", "exc"),
    Connection("s1_ei", "S1E", "S1I", "exc"),
    Connection("s1_ie", "S1I", "S1E", "inh"),
    Connection("tms_m1", "TMS", "M1", "exc"),      # direct activation by each TMS pulse
    Connection("m1_m1", "M1", "M1", "exc"),
    Connection("m1_desc", "M1", "DESC", "exc"),
    Connection("m1_trn", "M1", "TRN", "exc"),
    Connection("desc_pn", "DESC", "PN", "inh"),    # descending inhibition of every site
)

#: NEURON_EQS parameters of supraspinal neurons: model paths (SI)
NEURON_PARAMS = {
    "c_m": "cortex.neuron.capacitance", "g_leak": "cortex.neuron.leak_conductance",
    "e_rest": "cortex.neuron.rest", "v_threshold": "cortex.neuron.threshold",
    "v_reset": "cortex.neuron.reset", "t_refractory": "cortex.neuron.refractory",
    "e_exc": "cortex.synapse.e_excitatory", "e_inh": "cortex.synapse.e_inhibitory",
    "tau_ampa": "cortex.synapse.tau_ampa", "tau_gaba": "cortex.synapse.tau_gaba",
}

#: Supraspinal neurons: the conductance LIF of
#: :data:`painsim.circuits.dorsal_horn.NEURON_EQS` with the receptors their
#: projections carry, AMPA and GABA_A (the conductance-based network of
#: Vogels & Abbott 2005, J Neurosci 25:10786), plus a constant background
#: conductance ``g_tonic``.  No NMDA, NK1 or CAN terms: they are exactly zero
#: for neurons without such input, and skipping them halves the cost per neuron.
#: The parameter declarations (units) are the dorsal horn's.
NEURON_EQS = """
dv/dt = (g_leak*(e_rest - v) + g_ampa*(e_exc - v) + g_gaba*(e_inh - v) + g_tonic*(e_exc - v)) / c_m : volt (unless refractory)
dg_ampa/dt = -g_ampa / tau_ampa : siemens
dg_gaba/dt = -g_gaba / tau_gaba : siemens
""" + "\n".join(line for line in DH_NEURON_EQS.splitlines()
                if line.split(":")[0].strip() in (*NEURON_PARAMS, "g_tonic")) + "\n"

#: Synapses onto supraspinal neurons (``w``: dimensionless efficacy, as in the
#: dorsal horn; inhibition is the dorsal horn's GABA_A synapse).
EXC_SYNAPSE = dict(model="w : 1\nw_ampa : siemens (constant)", on_pre="g_ampa_post += w*w_ampa")
INH_SYNAPSE = dict(model="w : 1\nw_gaba : siemens (constant)", on_pre="g_gaba_post += w*w_gaba")

# initial-potential streams of supraspinal populations (dorsal horn uses 3-5)
_INITIAL_STREAM = {name: 20 + k for k, name in enumerate(SUPRASPINAL_POPULATIONS)}


def population_sizes(model) -> dict[str, int]:
    """Neurons per supraspinal population of one point.

    Parameters
    ----------
    model : Model
    """
    n_sites = int(model.si("body.n_sites"))
    c = model.section("cortex.populations")
    return {"TC": c["n_relay"] * n_sites, "TRN": c["n_reticular"], "S1E": c["n_map_x"] * c["n_map_y"],
            "S1I": c["n_map_inhibitory"], "TMS": c["n_m1"], "M1": c["n_m1"], "DESC": c["n_descending"]}


def map_positions(model) -> tuple[np.ndarray, np.ndarray]:
    """Positions (m) of the S1 excitatory and inhibitory units, shape (n, 2).

    Excitatory unit ``k`` sits at column ``k % n_map_x``, row ``k // n_map_x``
    (so ``rates.reshape(n_map_y, n_map_x)`` is the map image); inhibitory
    units tile the same sheet on the coarsest grid that holds them.

    Parameters
    ----------
    model : Model

    Returns
    -------
    exc, inh : numpy.ndarray
        Excitatory and inhibitory unit positions, m.
    """
    c = model.section("cortex.populations")
    h = model.si("cortex.map.spacing")
    nx, ny, ni = c["n_map_x"], c["n_map_y"], c["n_map_inhibitory"]
    k = np.arange(nx * ny)
    exc = np.column_stack([(k % nx) * h, (k // nx) * h]).astype(float)
    if ni == 0:
        return exc, np.zeros((0, 2))
    # inhibitory grid with the sheet's aspect ratio
    cols = max(int(round(np.sqrt(ni * nx / max(ny, 1)))), 1)
    rows = int(np.ceil(ni / cols))
    j = np.arange(ni)
    inh = np.column_stack([(j % cols + 0.5) * nx * h / cols - h / 2,
                           (j // cols + 0.5) * ny * h / rows - h / 2])
    return exc, inh


def site_centres(model) -> np.ndarray:
    """Centre (m) of each body site's S1 territory, shape (n_sites, 2): the
    sites lie in a row along x, evenly spaced over the sheet, at mid-height.

    Parameters
    ----------
    model : Model
    """
    c = model.section("cortex.populations")
    h = model.si("cortex.map.spacing")
    n_sites = int(model.si("body.n_sites"))
    width = c["n_map_x"] * h
    x = (np.arange(n_sites) + 0.5) * width / n_sites - h / 2
    return np.column_stack([x, np.full(n_sites, (c["n_map_y"] - 1) * h / 2)])


def supraspinal_parameters(model, n: int, g_tonic) -> dict[str, np.ndarray]:
    """Per-neuron values of ``n`` supraspinal LIF neurons (``[cortex.neuron]``, :data:`NEURON_PARAMS`)
    with the background conductance ``g_tonic`` (S; a scalar or one value per neuron).

    Parameters
    ----------
    model : Model
    n : int
        Number of neurons.
    g_tonic : float or array_like
        Background conductance, S.

    Returns
    -------
    dict of str to numpy.ndarray
        ``n`` values (SI) per :data:`NEURON_PARAMS` variable and ``g_tonic``.
    """
    vals = {var: np.full(n, model.si(path)) for var, path in NEURON_PARAMS.items()}
    vals["g_tonic"] = np.broadcast_to(np.asarray(g_tonic, float), (n,)).copy()
    return vals


def _gauss(d2: np.ndarray, spread: float) -> np.ndarray:
    spread = np.asarray(spread, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.exp(-d2 / (2 * spread ** 2))
    return np.where(spread > 0, g, (d2 == 0).astype(float))


def _sq_dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)


def tms_thresholds(model, seed: int) -> np.ndarray:
    """Per-M1-neuron TMS activation thresholds (multiples of RMT), lognormal.

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed (stream ``"tms"``).
    """
    m1 = model.section("cortex.m1")
    n = int(model.si("cortex.populations.n_m1"))
    z = rng_for(seed, "tms").standard_normal(n)
    return m1["tms_threshold"] * np.exp(m1["tms_threshold_spread"] * z)


def tms_input(model, stimulus, seed: int, duration: float) -> AfferentSpikes:
    """Spikes of the TMS generator: each pulse fires every M1 input whose
    threshold is at or below the pulse intensity (a fraction of RMT).

    A sham waveform (intensity 0) fires nothing.  The coil's target is M1: a
    :class:`painsim.stimulation.Waveform` refuses other cortical targets
    (:data:`painsim.anatomy.TMS_TARGETS`).

    Parameters
    ----------
    model : Model
    stimulus : Waveform or None
        The TMS waveform (pulse amplitudes in multiples of RMT).
    seed : int
        The point's seed (:func:`tms_thresholds`).
    duration : float
        Simulated time, s; pulses from ``duration`` on are ignored.

    Returns
    -------
    AfferentSpikes
        One input per M1 neuron.
    """
    n = int(model.si("cortex.populations.n_m1"))
    if stimulus is None:
        return AfferentSpikes.merge([], n)
    theta = tms_thresholds(model, seed)
    amps = np.broadcast_to(np.asarray(stimulus.amplitudes, float), np.shape(stimulus.onsets))
    on = np.asarray(stimulus.onsets, float)
    keep = on < duration
    fired = amps[keep, None] >= theta[None, :]
    k, j = np.nonzero(fired)
    return AfferentSpikes.merge([(on[keep][k], j)], n)


def _painful_relay(model) -> np.ndarray:
    """Indices of the painful site's thalamic relay neurons."""
    n_relay = int(model.section("cortex.populations")["n_relay"])
    painful = int(model.si("body.painful_site"))
    return np.arange(painful * n_relay, (painful + 1) * n_relay)


def _lesioned_relay(model) -> np.ndarray:
    """Relay neurons of the painful site lost to ``pathology.thalamic_lesion``."""
    n_relay = int(model.section("cortex.populations")["n_relay"])
    n_lesioned = int(round(model.section("pathology")["thalamic_lesion"] * n_relay))
    return _painful_relay(model)[:n_lesioned]


def tonic_drive(model, seed: int) -> dict[str, np.ndarray]:
    """Background conductance ``g_tonic`` (S) of every supraspinal neuron.

    Relay neurons get ``cortex.thalamus.background`` (plus
    ``pathology.thalamic_drive`` at the painful site: a central pain
    generator; none for the relay neurons ``pathology.thalamic_lesion`` destroyed); S1, M1 and descending units a background scaled per unit
    (S1 0.8-1.0, just below threshold; M1 and PAG/RVM 0.9-1.1); TRN none.

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed (per-unit scaling).
    """
    sizes = population_sizes(model)
    cx = model.section("cortex")
    th, mp, m1, desc = cx["thalamus"], cx["map"], cx["m1"], model.section("descending")

    def jitter(name, lo, hi):
        return rng_for(seed, "initial", _INITIAL_STREAM[name], 1).uniform(lo, hi, sizes[name])

    tonic = {
        "TC": np.full(sizes["TC"], th["background"]),
        "TRN": np.zeros(sizes["TRN"]),
        # S1 units sit just below threshold (background scaled 0.8-1.0 per unit)
        "S1E": mp["background"] * jitter("S1E", 0.8, 1.0),
        "S1I": mp["background"] * jitter("S1I", 0.8, 1.0),
        "M1": m1["background"] * jitter("M1", 0.9, 1.1),
        "DESC": desc["background"] * jitter("DESC", 0.9, 1.1),
    }
    tonic["TC"][_painful_relay(model)] += model.section("pathology")["thalamic_drive"]
    tonic["TC"][_lesioned_relay(model)] = 0.0  # destroyed cells: the drive is for the survivors
    return tonic


def populations(model, seed: int) -> list[Population]:
    """The supraspinal populations of one point, in network order: conductance
    LIF neurons of group ``"supraspinal"`` with initial potentials 0-2 mV above
    rest, and the ``TMS`` spike generator.

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed (initial potentials, :func:`tonic_drive`).
    """
    sizes = population_sizes(model)
    rest = model.si("cortex.neuron.rest")
    tonic = tonic_drive(model, seed)
    pops = []
    for name in SUPRASPINAL_POPULATIONS:
        n = sizes[name]
        if name == "TMS":
            pops.append(Population(name, n))
            continue
        v0 = rest + rng_for(seed, "initial", _INITIAL_STREAM[name]).uniform(0, 2e-3, n)
        pops.append(Population(name, n, supraspinal_parameters(model, n, tonic[name]), v0, group="supraspinal"))
    return pops


def connection_probabilities(model) -> dict[str, np.ndarray]:
    """Connection probability (pre x post) of every supraspinal projection.

    Site to site for the spinothalamic tract; somatotopic Gaussian territories
    for thalamocortical input (the painful site's spread enlarged by
    ``pathology.map_reorganization``, Flor et al. 1995); Gaussian lateral
    excitation and inhibition in S1; uniform elsewhere; one TMS input per M1 neuron.

    Parameters
    ----------
    model : Model
    """
    sizes = population_sizes(model)
    n_sites = int(model.si("body.n_sites"))
    painful = int(model.si("body.painful_site"))
    cx = model.section("cortex")
    th, mp, m1, desc = cx["thalamus"], cx["map"], cx["m1"], model.section("descending")
    n_relay = int(cx["populations"]["n_relay"])
    n_pn = int(model.si("dorsal_horn.populations.n_projection"))
    exc_pos, inh_pos = map_positions(model)
    centres = site_centres(model)
    spread = np.full(n_sites, mp["thalamocortical_spread"])
    spread[painful] *= 1 + model.section("pathology")["map_reorganization"]
    tc_site = np.repeat(np.arange(n_sites), n_relay)
    pn_site = np.repeat(np.arange(n_sites), n_pn)
    return {
        "pn_tc": th["spinothalamic_p"] * (pn_site[:, None] == tc_site[None, :]),
        "tc_trn": np.full((sizes["TC"], sizes["TRN"]), th["relay_reticular_p"]),
        "trn_tc": np.full((sizes["TRN"], sizes["TC"]), th["reticular_relay_p"]),
        "tc_s1": mp["thalamocortical_p"] * _gauss(_sq_dist(centres[tc_site], exc_pos), spread[tc_site][:, None]),
        "s1_ee": mp["lateral_excitation_p"] * _gauss(_sq_dist(exc_pos, exc_pos), mp["lateral_excitation_spread"]),
        "s1_ei": mp["excitation_inhibitory_p"] * _gauss(_sq_dist(exc_pos, inh_pos), mp["excitation_inhibitory_spread"]),
        "s1_ie": mp["lateral_inhibition_p"] * _gauss(_sq_dist(inh_pos, exc_pos), mp["lateral_inhibition_spread"]),
        "tms_m1": np.eye(sizes["TMS"]),
        "m1_m1": np.full((sizes["M1"], sizes["M1"]), m1["recurrent_p"]),
        "m1_desc": np.full((sizes["M1"], sizes["DESC"]), m1["m1_descending_p"]),
        "m1_trn": np.full((sizes["M1"], sizes["TRN"]), m1["m1_reticular_p"]),
        "desc_pn": np.full((sizes["DESC"], n_pn * n_sites), desc["descending_p"]),
    }


def connection_weights(model) -> tuple[dict[str, float], dict[str, float]]:
    """Conductance per synapse (S) and delay (s, where not
    ``network.synaptic_delay``) of every supraspinal projection, with pathology
    applied (cortical disinhibition, corticothalamic damage) and descending
    inhibition scaled by ``descending.integrity``.

    Parameters
    ----------
    model : Model

    Returns
    -------
    weight : dict of str to float
        Per connection of :data:`CONNECTIONS`, S.
    delay : dict of str to float
        Only the connections with their own delay, s.
    """
    cx = model.section("cortex")
    th, mp, m1, desc = cx["thalamus"], cx["map"], cx["m1"], model.section("descending")
    path = model.section("pathology")
    weight = {
        "pn_tc": th["spinothalamic_weight"], "tc_trn": th["relay_reticular_weight"],
        "trn_tc": th["reticular_relay_weight"], "tc_s1": mp["thalamocortical_weight"],
        "s1_ee": mp["lateral_excitation_weight"], "s1_ei": mp["excitation_inhibitory_weight"],
        "s1_ie": mp["lateral_inhibition_weight"] * (1 - path["cortical_disinhibition"]),
        "tms_m1": m1["tms_weight"], "m1_m1": m1["recurrent_weight"],
        "m1_desc": m1["m1_descending_weight"] * descending_relay(model),
        "m1_trn": m1["m1_reticular_weight"] * (1 - path["corticothalamic_damage"]),
        # GABA/glycine of the PAG/RVM: spinal bicuculline + strychnine block it as they block the local
        # interneurons' (dorsal_horn.pharmacology.gaba_block; the monoaminergic and SRD stand-ins are not GABA)
        "desc_pn": desc["descending_weight"] * desc["integrity"] * (1 - model.si("dorsal_horn.pharmacology.gaba_block")),
    }
    delay = {"pn_tc": th["spinothalamic_delay"], "m1_desc": m1["m1_descending_delay"],
             "desc_pn": desc["descending_delay"]}
    return weight, delay


def descending_opioid(model) -> float:
    """Step of mu-opioid receptor occupancy per descending spike at a projection neuron
    (``descending.opioid`` x ``descending.integrity`` x (1 - naloxone block,
    ``dorsal_horn.pharmacology.opioid_block``)): the endogenous-opioid part of
    PAG/RVM control (Basbaum & Fields 1984 Annu Rev Neurosci 7:309), through which
    motor-cortex stimulation relieves pain (naloxone abolishes it: de Andrade et
    al. 2011 Pain 152:320).

    Parameters
    ----------
    model : Model

    Returns
    -------
    float
        In units of the receptor's dissociation constant.
    """
    return (model.si("descending.opioid") * model.si("descending.integrity")
            * (1 - model.si("dorsal_horn.pharmacology.opioid_block")))


def descending_relay(model) -> float:
    """Factor on the synaptic excitation of the PAG/RVM neurons (from M1 and the spino-PAG
    tract) left by the opioid receptors of the relay inside the PAG/RVM.

    Opioids released in the PAG/RVM inhibit the GABAergic neurons that hold the output
    neurons in check, so their excitation is relayed through opioid disinhibition
    (Basbaum & Fields 1984 Annu Rev Neurosci 7:309): an antagonist in the RVM prevents
    TENS analgesia (Kalra, Urban & Sluka 2001 JPET 298:257), naloxone abolishes that of
    M1 rTMS (de Andrade et al. 2011 Pain 152:320).  With ``f`` =
    ``descending.opioid_relay_fraction`` the share of the excitation so relayed, ``e`` =
    ``descending.relay_efficacy`` its receptors' efficacy (tolerance,
    :func:`painsim.tolerance.tolerant_model`) and ``b`` =
    ``dorsal_horn.pharmacology.opioid_block`` (systemic naloxone)::

        factor = (1 - f) + f e (1 - b)

    1 in an opioid-naive, untreated model (every weight then exactly as without the
    relay).  The tonic background of the descending neurons (``descending.background``)
    is not relayed: naloxone alone leaves them at their resting drive less M1's share.
    A lumped stage: the GABAergic PAG/RVM neurons are not simulated.

    Parameters
    ----------
    model : Model
    """
    return opioid_relay(model, model.si("descending.opioid_relay_fraction"), model.si("descending.relay_efficacy"))


def opioid_relay(model, fraction: float, efficacy: float = 1.0) -> float:
    """``(1 - f) + f e (1 - b)``: the factor left on an excitation of which a share ``fraction``
    (``f``) is relayed through opioid disinhibition by receptors of efficacy ``efficacy`` (``e``),
    under systemic naloxone ``b`` = ``dorsal_horn.pharmacology.opioid_block``; exactly 1 when
    ``f`` is 0 or when ``e`` is 1 and ``b`` is 0 (the PAG/RVM relay, :func:`descending_relay`,
    and the SRD's, :func:`painsim.circuits.dnic.srd_opioid_relay`).

    Parameters
    ----------
    model : Model
    fraction : float
        ``f``, the share of the excitation relayed (0-1).
    efficacy : float
        ``e``, the receptors' efficacy (1: opioid-naive).
    """
    return (1.0 - fraction) + fraction * efficacy * (1.0 - model.si("dorsal_horn.pharmacology.opioid_block"))


def projections(model, seed: int) -> list[Projection]:
    """Draw every supraspinal projection of one point (:func:`connection_probabilities`,
    :func:`connection_weights`): lesioned relay neurons lose all synapses, and
    ``pathology.thalamic_disinhibition`` weakens TRN inhibition of the painful
    site's relay.

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed (connectivity streams).

    Returns
    -------
    list of Projection
        One per connection of :data:`CONNECTIONS`.
    """
    sizes = population_sizes(model)
    prob = connection_probabilities(model)
    weight, delay = connection_weights(model)
    painful_tc, lesioned = _painful_relay(model), _lesioned_relay(model)
    trn_scale = np.where(np.isin(np.arange(sizes["TC"]), painful_tc),
                         1 - model.section("pathology")["thalamic_disinhibition"], 1.0)
    syn_delay = model.si("network.synaptic_delay")
    projs = []
    for k, conn in enumerate(CONNECTIONS):
        rng = rng_for(seed, "connectivity", 100 + k)
        pre, post = random_pairs(rng, prob[conn.name], no_self=conn.source == conn.target)
        if lesioned.size and "TC" in (conn.source, conn.target):  # lesioned relay neurons lose all synapses
            idx = pre if conn.source == "TC" else post
            keep = ~np.isin(idx, lesioned)
            pre, post = pre[keep], post[keep]
        w = np.full(pre.size, weight[conn.name])
        if conn.name == "trn_tc":
            w = w * trn_scale[post]
        if conn.kind == "inh":
            g = {"w_gaba": w}
        else:
            g = {"w_ampa": w}
        if conn.name == "desc_pn":  # PAG/RVM control co-releases endogenous opioids
            g["w_mor"] = np.full(pre.size, descending_opioid(model))
        d = 0.0 if conn.source == "TMS" else delay.get(conn.name, syn_delay)
        projs.append(Projection(conn.name, conn.source, conn.target, conn.kind, pre, post, g, d))
    return projs


def build(model, seed: int):
    """Populations and projections of thalamus, S1, M1 and descending control.

    Returns ``(populations, projections)`` for
    :class:`painsim.circuits.plan.Plan`; the dorsal-horn populations
    (``PN``) they connect to come from :func:`painsim.circuits.dorsal_horn.build`.

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed.
    """
    return populations(model, seed), projections(model, seed)


# ==========================================================================
# Inputs and readouts of the layer
# ==========================================================================
def inputs(model, stimulus, noxious, touch, seed: int, duration: float) -> dict[str, AfferentSpikes]:
    """Spikes of the ``TMS`` generator (:func:`tms_input`); ``stimulus`` is the
    request's TMS waveform, several (their pulses together, :mod:`painsim.devices`) or
    ``None``.  Natural stimuli act on the dorsal horn only.

    Parameters
    ----------
    model : Model
    stimulus : Waveform, sequence of Waveform, or None
        The request's TMS waveform(s).
    noxious, touch : sequence of NaturalStimulus or physical stimuli
        Natural stimuli per site; ignored.
    seed : int
        The point's seed.
    duration : float
        Simulated time, s.

    Returns
    -------
    dict of str to AfferentSpikes
        ``{"TMS": ...}``, one input per M1 neuron.
    """
    coils = as_devices(stimulus) or (None,)
    trains = [tms_input(model, w, seed, duration) for w in coils]
    # an input fired by two coils within its dead time fires once (and a generator takes one
    # spike per neuron and step)
    t, i = apply_dead_time(np.concatenate([a.times for a in trains]), np.concatenate([a.fibers for a in trains]),
                           DEAD_TIME)
    return {"TMS": AfferentSpikes.merge([(t, i)], trains[0].n)}


def results(model, out, duration: float, pain=None) -> LayerResults:
    """Dataset variables of the supraspinal layers: the S1 rate map and its
    overactive area and centroid (:mod:`painsim.readouts`), the painful site's
    relay rate, M1 and PAG/RVM rates; the pain score combines ``pain`` (the
    spinal score) with the map's term (:func:`painsim.readouts.map_score`, by
    ``readout.map_measure``; :func:`painsim.readouts.combined_pain`).

    Parameters
    ----------
    model : Model
    out : PointOutput
        The point's raw output.
    duration : float
        Simulated time, s.
    pain : float, optional
        Spinal pain score (NRS 0-10) of the layers below.

    Returns
    -------
    LayerResults
        Variables, coordinates and the combined pain score.
    """
    t0 = readouts.readout_start(model, duration)
    painful = int(model.si("body.painful_site"))
    c = model.section("cortex.populations")
    h = model.si("cortex.map.spacing")
    img = readouts.map_image(*out.spikes["S1E"], c["n_map_x"], c["n_map_y"], t0, duration)
    thr = model.si("readout.map_overactive_rate")
    area = readouts.active_area(img, thr, h)
    cx, cy = readouts.map_centroid(img, thr, h)
    map_nrs = readouts.map_score(img, model)
    combined = float(readouts.combined_pain(pain, map_nrs / 10.0, model.si("readout.map_weight")))
    n_relay, lost = c["n_relay"], _lesioned_relay(model).size  # lesioned relay cells are silent
    tc_t, tc_i = out.spikes["TC"]
    variables = {
        "map_rate": (("map_y", "map_x"), img, {"units": "Hz", "long_name": "S1 unit rates after the transient"}),
        "map_overactive_area": ((), area, {"units": "m^2", "long_name":
                                           "S1 area with rates above readout.map_overactive_rate"}),
        "map_excess_rate": ((), readouts.map_excess_rate(img, thr), {"units": "Hz", "long_name":
                            "mean S1 unit rate above readout.map_overactive_rate over the map"}),
        "map_pain": ((), map_nrs, {"units": "1", "long_name":
                                   "the pain map's term of the pain score, NRS 0-10 (readout.map_measure)"}),
        "map_centroid": (("axis",), np.array([cx, cy]), {"units": "m", "long_name": "rate-weighted centroid of the overactive area"}),
        "relay_rate": ((), readouts.mean_rate(tc_t[tc_i // n_relay == painful], max(n_relay - lost, 1), t0, duration),
                       {"units": "Hz", "long_name": "thalamic relay rate of the painful site's surviving neurons"}),
        "m1_rate": ((), readouts.mean_rate(out.spikes["M1"][0], out.sizes["M1"], t0, duration), {"units": "Hz"}),
        "descending_rate": ((), readouts.mean_rate(out.spikes["DESC"][0], out.sizes["DESC"], t0, duration),
                            {"units": "Hz", "long_name": "PAG/RVM descending-control rate"}),
    }
    coords = {"map_x": ("map_x", np.arange(c["n_map_x"]) * h, {"units": "m"}),
              "map_y": ("map_y", np.arange(c["n_map_y"]) * h, {"units": "m"}), "axis": ["x", "y"]}
    return LayerResults(variables, coords, combined,
                        " (spinal output and map overactivity, readouts.combined_pain)")


#: Thalamus, S1, M1 and descending control as a registered layer
#: (:data:`painsim.circuits.layers.LAYERS`).
LAYER = Layer(
    name="cortex",
    populations=SUPRASPINAL_POPULATIONS,
    connections=CONNECTIONS,
    groups={"supraspinal": GroupDynamics(NEURON_EQS, EXC_SYNAPSE, INH_SYNAPSE)},
    neuron_paths=tuple(NEURON_PARAMS.items()),
    sizes=population_sizes,
    build=build,
    inputs=inputs,
    results=results,
    modalities={"tms": "TMS acts on M1: use a model with network.layers = 'pathway' (e.g. 'pain_pathway')"},
    site_populations=("TC",),   # one relay per site (connection_probabilities: tc_site); S1 is a sheet
)
