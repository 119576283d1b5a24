"""Thalamus, the S1 pain map, M1 and descending control (numpy plans).

The supraspinal half of the pipeline in ``DESIGN.md``, used when a model
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
and projections that :mod:`painsim.circuits.network` assembles.
"""
from __future__ import annotations

import numpy as np

from ..fibers import AfferentSpikes, rng_for
from .dorsal_horn import INH_SYNAPSE as DH_INH_SYNAPSE
from .dorsal_horn import NEURON_EQS as DH_NEURON_EQS
from .dorsal_horn import Connection

__all__ = ["SUPRASPINAL_POPULATIONS", "CONNECTIONS", "NEURON_EQS", "NEURON_PARAMS", "EXC_SYNAPSE", "INH_SYNAPSE",
           "population_sizes", "map_positions",
           "site_centres", "build", "tms_input", "tms_thresholds"]

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
INH_SYNAPSE = DH_INH_SYNAPSE

# initial-potential streams of supraspinal populations (dorsal horn uses 3-5)
_INITIAL_STREAM = {name: 20 + k for k, name in enumerate(SUPRASPINAL_POPULATIONS)}


def population_sizes(model) -> dict[str, int]:
    """Neurons per supraspinal population of one point."""
    n_sites = int(model.si("body.n_sites"))
    c = model.section("cortex.populations")
    return {"TC": c["n_relay"] * n_sites, "TRN": c["n_reticular"], "S1E": c["n_map_x"] * c["n_map_y"],
            "S1I": c["n_map_inhibitory"], "TMS": c["n_m1"], "M1": c["n_m1"], "DESC": c["n_descending"]}


def map_positions(model) -> tuple[np.ndarray, np.ndarray]:
    """Positions (m) of the S1 excitatory and inhibitory units, shape (n, 2).

    Excitatory unit ``k`` sits at column ``k % n_map_x``, row ``k // n_map_x``
    (so ``rates.reshape(n_map_y, n_map_x)`` is the map image); inhibitory
    units tile the same sheet on the coarsest grid that holds them.
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
    sites lie in a row along x, evenly spaced over the sheet, at mid-height."""
    c = model.section("cortex.populations")
    h = model.si("cortex.map.spacing")
    n_sites = int(model.si("body.n_sites"))
    width = c["n_map_x"] * h
    x = (np.arange(n_sites) + 0.5) * width / n_sites - h / 2
    return np.column_stack([x, np.full(n_sites, (c["n_map_y"] - 1) * h / 2)])


def _neuron_params(model, n: int, g_tonic: np.ndarray) -> dict[str, np.ndarray]:
    vals = {var: np.full(n, model.si(path)) for var, path in NEURON_PARAMS.items()}
    vals["g_tonic"] = np.asarray(g_tonic, float)
    return vals


def _random_pairs(rng, prob: np.ndarray, no_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Draw a connection per (pre, post) pair with probability ``prob[pre, post]``."""
    mask = rng.random(prob.shape) < prob
    if no_self:
        np.fill_diagonal(mask, False)
    pre, post = np.nonzero(mask)
    return pre.astype(np.int64), post.astype(np.int64)


def _gauss(d2: np.ndarray, spread: float) -> np.ndarray:
    spread = np.asarray(spread, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.exp(-d2 / (2 * spread ** 2))
    return np.where(spread > 0, g, (d2 == 0).astype(float))


def _sq_dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)


def tms_thresholds(model, seed: int) -> np.ndarray:
    """Per-M1-neuron TMS activation thresholds (multiples of RMT), lognormal."""
    m1 = model.section("cortex.m1")
    n = int(model.si("cortex.populations.n_m1"))
    z = rng_for(seed, "tms").standard_normal(n)
    return m1["tms_threshold"] * np.exp(m1["tms_threshold_spread"] * z)


def tms_input(model, stimulus, seed: int, duration: float) -> AfferentSpikes:
    """Spikes of the TMS generator: each pulse fires every M1 input whose
    threshold is at or below the pulse intensity (a fraction of RMT).

    A sham waveform (intensity 0) fires nothing.
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


def build(model, seed: int):
    """Populations and projections of thalamus, S1, M1 and descending control.

    Returns ``(populations, projections)`` for
    :class:`painsim.circuits.network.Plan`; the dorsal-horn populations
    (``PN``) they connect to come from :func:`painsim.circuits.dorsal_horn.build`.
    """
    from .network import Population, Projection

    sizes = population_sizes(model)
    n_sites = int(model.si("body.n_sites"))
    painful = int(model.si("body.painful_site"))
    path = model.section("pathology")
    cx = model.section("cortex")
    th, mp, m1, desc = cx["thalamus"], cx["map"], cx["m1"], model.section("descending")
    n_relay = int(cx["populations"]["n_relay"])
    n_pn = int(model.si("dorsal_horn.populations.n_projection"))
    rest = model.si("cortex.neuron.rest")

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
    painful_tc = np.arange(painful * n_relay, (painful + 1) * n_relay)
    tonic["TC"][painful_tc] += path["thalamic_drive"]
    n_lesioned = int(round(path["thalamic_lesion"] * n_relay))
    lesioned = painful_tc[:n_lesioned]

    pops = []
    for name in SUPRASPINAL_POPULATIONS:
        n = sizes[name]
        if name == "TMS":
            pops.append(Population(name, n))
            continue
        v0 = rest + rng_for(seed, "initial", _INITIAL_STREAM[name]).uniform(0, 2e-3, n)
        pops.append(Population(name, n, _neuron_params(model, n, tonic[name]), v0, group="supraspinal"))

    exc_pos, inh_pos = map_positions(model)
    centres = site_centres(model)
    spread = np.full(n_sites, mp["thalamocortical_spread"])
    spread[painful] *= 1 + path["map_reorganization"]
    tc_site = np.repeat(np.arange(n_sites), n_relay)
    pn_site = np.repeat(np.arange(n_sites), n_pn)

    # connection probabilities (pre x post), conductances and delays
    prob = {
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
    trn_scale = np.where(np.isin(np.arange(sizes["TC"]), painful_tc), 1 - path["thalamic_disinhibition"], 1.0)
    weight = {
        "pn_tc": th["spinothalamic_weight"], "tc_trn": th["relay_reticular_weight"],
        "trn_tc": th["reticular_relay_weight"], "tc_s1": mp["thalamocortical_weight"],
        "s1_ee": mp["lateral_excitation_weight"], "s1_ei": mp["excitation_inhibitory_weight"],
        "s1_ie": mp["lateral_inhibition_weight"] * (1 - path["cortical_disinhibition"]),
        "tms_m1": m1["tms_weight"], "m1_m1": m1["recurrent_weight"],
        "m1_desc": m1["m1_descending_weight"],
        "m1_trn": m1["m1_reticular_weight"] * (1 - path["corticothalamic_damage"]),
        "desc_pn": desc["descending_weight"] * desc["integrity"],
    }
    delay = {"pn_tc": th["spinothalamic_delay"], "m1_desc": m1["m1_descending_delay"],
             "desc_pn": desc["descending_delay"]}
    syn_delay = model.si("network.synaptic_delay")

    projs = []
    for k, conn in enumerate(CONNECTIONS):
        rng = rng_for(seed, "connectivity", 100 + k)
        pre, post = _random_pairs(rng, prob[conn.name], no_self=conn.source == conn.target)
        if n_lesioned and "TC" in (conn.source, conn.target):  # lesioned relay neurons lose all synapses
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
        d = 0.0 if conn.source == "TMS" else delay.get(conn.name, syn_delay)
        projs.append(Projection(conn.name, conn.source, conn.target, conn.kind, pre, post, g, d))
    return pops, projs
