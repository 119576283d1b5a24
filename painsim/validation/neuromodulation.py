"""Validation measurements of neuromodulation: spinal cord stimulation (paresthesia of tonic
and 10 kHz SCS, the kHz field on the dorsal horn, relief by tonic and burst SCS, SCS with
intrathecal baclofen, the dorsolateral funiculus's share), baclofen's anti-allodynia, C-fibre
filtering at the T-junction under DRG stimulation, PNS responders, and the relief and responders
of the built-in course and cohort experiments.

Split from :mod:`painsim.validation.measurements` (which re-exports every name); each
``measure(seed)`` averages the circuits ``seed`` .. ``seed + N_SEEDS - 1`` unless it says
otherwise.  The built-in experiments they read are run once per seed
(:mod:`painsim.validation.shared_runs`).
"""
from __future__ import annotations

import copy
from typing import Callable

import numpy as np

from ..fibers import brush, heat
from ..fibers.tjunction import junction_params, regular_train, transmit
from ..files import load_experiment, run_experiment
from ..params import load_model
from ..protocols import get as get_protocol
from ..simulation import Request, simulate_batch
from ..stimulation import tonic
from .shared_runs import N_SEEDS, _experiment, _experiment_mean, _experiment_scalars, _mean_pn

__all__ = ["PARESTHESIA_TONIC", "PARESTHESIA_KHZ_MA", "paresthesia_tonic", "paresthesia_10khz",
           "khz_dorsal_horn_reduction", "TONIC_SCS", "BURST_SCS", "scs_relief", "BACLOFEN_ALONE",
           "BACLOFEN_WITH_SCS", "scs_relief_with_baclofen", "BACLOFEN_SATURATING", "BRUSH_TEST_S",
           "baclofen_antiallodynia", "DRG_TRAIN_HZ", "DRG_TRAIN_S", "DRG_READ_S", "drg_c_filtering",
           "pns_responders", "scs_sites", "dlf_share_of_scs", "course_relief", "cohort_responders"]


#: Clinical tonic SCS of ``experiments/scs_modes.toml`` on the neuropathic pathway, over every site's
#: dorsal columns, paresthesia read at the site with most volleys (the readout needs the
#: dorsal-column layer of the pathway stack).
PARESTHESIA_TONIC = "pathway: tonic 50 Hz 2.5 mA"
#: 10 kHz SCS (30 us) amplitudes of the paresthesia-free target: the clinical HF10 range's lower part.
PARESTHESIA_KHZ_MA = (1.0, 3.0)


def _has_paresthesia(volleys_per_s: float) -> float:
    """1 if the paresthesia readout (volleys/s beyond chance, ``readouts.paresthesia``) is above
    0, 0 if it is 0, NaN where the readout is undetermined (NaN)."""
    return float(volleys_per_s > 0) if np.isfinite(volleys_per_s) else float("nan")


def paresthesia_tonic(seed: int) -> float:
    """Fraction of N_SEEDS circuits with paresthesia (readout > 0) during tonic 50 Hz SCS at
    2.5 mA, 300 us (``scs_modes``: peripheral_neuropathic pathway at its painful site, biophysical
    recruitment, noxious 0.5, 1.5 s).

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        The fraction (0 to 1) over the circuits where the readout is determined; ``nan`` if it is
        undetermined in all.  Reads the condition :data:`PARESTHESIA_TONIC` of the whole
        ``scs_modes`` experiment, run once per seed (cached).
    """
    flags = [_has_paresthesia(_experiment_scalars("scs_modes", s)[PARESTHESIA_TONIC]["paresthesia"])
             for s in range(seed, seed + N_SEEDS)]
    return float(np.nanmean(flags)) if np.isfinite(flags).any() else float("nan")


def _khz_pathway_spec(seed: int) -> dict:
    """The pathway conditions of ``scs_modes`` (model, parameters, noxious drive, duration) with
    10 kHz / 30 us SCS at each amplitude of :data:`PARESTHESIA_KHZ_MA` over the dorsal columns the
    tonic condition reaches (:data:`PARESTHESIA_TONIC`: every site), and no other condition."""
    spec = load_experiment("scs_modes")
    exp = {k: v for k, v in spec["experiment"].items() if k != "figure"}
    base = next(c for c in spec["condition"] if c["label"] == "pathway: no SCS")
    sites = {k: v for k, v in next(c for c in spec["condition"] if c["label"] == PARESTHESIA_TONIC)["stimulus"].items()
             if k == "site"}
    conds = [dict(copy.deepcopy(base), label=f"pathway: 10 kHz {ma:g} mA",
                  stimulus={"type": "high_frequency", "amplitude": f"{ma:g} mA", "duration": exp["duration"], **sites})
             for ma in PARESTHESIA_KHZ_MA]
    return {"experiment": dict(exp, name="validate_paresthesia_10khz", seed=seed), "condition": conds}


def paresthesia_10khz(seed: int) -> float:
    """Fraction of N_SEEDS circuits x the amplitudes of :data:`PARESTHESIA_KHZ_MA` with
    paresthesia (readout > 0) during 10 kHz SCS, 30 us, on the model of the tonic target
    (:func:`paresthesia_tonic`; the same pathway conditions of ``scs_modes``).

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        The fraction (0 to 1) over the runs where the readout is determined; ``nan`` if it is
        undetermined in all.
    """
    flags = []
    for s in range(seed, seed + N_SEEDS):
        ds = run_experiment(_khz_pathway_spec(s), seed=s)
        flags += [_has_paresthesia(float(v)) for v in ds["paresthesia"].values]
    return float(np.nanmean(flags)) if np.isfinite(flags).any() else float("nan")


def khz_dorsal_horn_reduction(seed: int) -> float:
    """Fractional reduction of the PN response (noxious 0.5, neuropathic, biophysical recruitment,
    1.5 s) by 10 kHz SCS, 30 us, 1 mA (no Aβ fibre fires: the kHz field on dorsal-horn neurons,
    ``experiments/scs_10khz.toml``), means over N_SEEDS circuits.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        1 - (mean PN rate with 10 kHz SCS) / (without); ``nan`` if the rate without SCS is 0.
    """
    none = _experiment_mean("scs_10khz", "no SCS", "pn_rate", seed)
    khz = _experiment_mean("scs_10khz", "10 kHz 1 mA", "pn_rate", seed)
    return 1.0 - khz / none if none > 0 else float("nan")


#: The clinical SCS settings of ``experiments/burst_scs.toml`` compared with the pooled VAS.
TONIC_SCS, BURST_SCS = "tonic 50 Hz 2.5 mA", "burst 1.0 mA (subperception)"


def scs_relief(condition: str, variable: str = "pain") -> Callable[[int], float]:
    """Relief of ``variable`` (``"pain"``: the NRS of intensity; ``"unpleasantness"``: the medial
    pathway's readout) by one SCS condition of ``experiments/burst_scs.toml`` (peripheral_neuropathic
    pathway, noxious 0.5 at the painful site, 1.5 s): ``1 - with / without`` SCS, means over
    N_SEEDS circuits (negative: SCS raises it).

    Parameters
    ----------
    condition : str
        A condition label of ``burst_scs.toml`` (e.g. :data:`TONIC_SCS`, :data:`BURST_SCS`).
    variable : str
        A scalar result variable of the experiment (default ``"pain"``).

    Returns
    -------
    callable
        ``measure(seed) -> float``: the relief over the circuits ``seed`` .. ``seed + N_SEEDS - 1``
        (each the whole experiment, run once per seed and cached); ``nan`` if ``variable``
        without SCS is not > 0.  Neither argument is checked here: an unknown label or variable raises
        ``KeyError`` when the measurement runs.
    """
    def measure(seed: int) -> float:
        none = _experiment_mean("burst_scs", "no SCS", variable, seed)
        return 1.0 - _experiment_mean("burst_scs", condition, variable, seed) / none if none > 0 else float("nan")
    measure.__doc__ = f"Relief of {variable} by {condition} (burst_scs.toml), 1 - with / without SCS."
    return measure


#: The conditions of experiments/scs_baclofen.toml that :func:`scs_relief_with_baclofen` reads.
BACLOFEN_ALONE, BACLOFEN_WITH_SCS = "brush, baclofen 0.3", "brush + SCS, baclofen 0.3"


def scs_relief_with_baclofen(seed: int) -> float:
    """Relief of the allodynic (brush-evoked) PN response by tonic SCS in the presence of intrathecal
    baclofen at 0.3 K_d (``experiments/scs_baclofen.toml``: spinal neuropathic preset, biophysical
    recruitment, 1.5 s): ``1 - (SCS + baclofen) / baclofen alone``, means over N_SEEDS circuits
    (negative: SCS raises the response).

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        The relief of the mean PN rate; ``nan`` if the rate with baclofen alone is 0.
    """
    alone = _experiment_mean("scs_baclofen", BACLOFEN_ALONE, "pn_rate", seed)
    both = _experiment_mean("scs_baclofen", BACLOFEN_WITH_SCS, "pn_rate", seed)
    return 1.0 - both / alone if alone > 0 else float("nan")


#: Baclofen near saturation (occupancy 10/11 = 91 %; chosen: the most the receptors can do, so that no
#: dose conversion from the rats' nmol is assumed), and the brush test of :func:`baclofen_antiallodynia`.
BACLOFEN_SATURATING, BRUSH_TEST_S = 10.0, 1.5


def baclofen_antiallodynia(seed: int) -> float:
    """Share of the allodynic excess of the spinal ``neuropathic`` preset's brush-evoked PN response
    over the healthy circuit's (``gate_control``) that intrathecal baclofen near saturation
    (``BACLOFEN_SATURATING`` K_d) removes: ``(N - N_baclofen) / (N - H)``, means over N_SEEDS
    circuits, 1.5-s brush strokes (1: allodynia reversed to the healthy response).

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        The share (mean PN rates, one batch); ``nan`` if the neuropathic response does not exceed
        the healthy one.
    """
    neuro = load_model("neuropathic")
    models = [load_model("gate_control"), neuro,
              neuro.with_params({"dorsal_horn.pharmacology.baclofen": BACLOFEN_SATURATING})]
    healthy, allodynic, dosed = _mean_pn([Request(m, None, 0.0, brush(), s) for m in models
                                          for s in range(seed, seed + N_SEEDS)], f"{BRUSH_TEST_S} s")
    excess = allodynic - healthy
    return (allodynic - dosed) / excess if excess > 0 else float("nan")


#: DRG filtering: rate and length of the train of C stem spikes (Chao et al. 2020: 20 Hz ganglionic
#: field stimulation; C transmission blocked "within 20 s"), and the last stretch read (s).
DRG_TRAIN_HZ, DRG_TRAIN_S, DRG_READ_S = 20.0, 20.0, 1.0


def drg_c_filtering(seed: int) -> float:
    """Fraction of a regular 20 Hz train of C-fibre stem spikes (a DRG lead firing a C stem at every
    pulse) that passes a rested C T-junction in the train's last second (19-20 s), with the
    junction of the gate_control model file (``[afferents.tjunction.C]``,
    :mod:`painsim.fibers.tjunction`).  Deterministic: ``seed`` is not used.

    Parameters
    ----------
    seed : int
        Ignored (the signature of every measurement).

    Returns
    -------
    float
        The fraction (0 to 1) of the stem spikes in the last :data:`DRG_READ_S` s that pass.
    """
    junction = junction_params(load_model("gate_control").section("afferents"), "C")
    t = regular_train(DRG_TRAIN_HZ, int(round(DRG_TRAIN_HZ * DRG_TRAIN_S)))
    passed, _ = transmit(t, np.ones(t.size, np.int64), np.zeros(t.size, np.int64), np.zeros(1), junction)
    late = t >= DRG_TRAIN_S - DRG_READ_S
    return float(passed[late].mean())


#: Virtual patients of :func:`pns_responders` (circuits ``seed`` .. ``seed + 7``).
PNS_RESPONDER_PATIENTS = 8


def pns_responders(seed: int) -> float:
    """Share of 8 virtual patients (post_traumatic_neuropathic, circuits ``seed``..``seed + 7``)
    whose PN response to 45 °C heat at the painful site falls by >= 50 % during percutaneous PNS
    (the ``pns_percutaneous`` protocol's waveform and lead geometry, 1 s).

    Parameters
    ----------
    seed : int
        First patient's circuit (8 circuits, not N_SEEDS).

    Returns
    -------
    float
        The share (0 to 1) of the evaluable patients (a PN response without PNS: relief is a
        fraction of it) whose PN rate during PNS is at most half of that without; NaN if none is
        evaluable.
    """
    protocol = get_protocol("pns_percutaneous")
    m = load_model("post_traumatic_neuropathic").with_params(protocol.device_overrides)
    painful = int(m.si("body.painful_site"))
    pns = protocol.waveform(0.0, 1.0)
    seeds = range(seed, seed + PNS_RESPONDER_PATIENTS)
    res = simulate_batch([Request(m, st, {painful: heat(45)}, seed=s) for st in (None, pns) for s in seeds], "1 s")
    alone = np.array([float(r.pn_rate) for r in res[:PNS_RESPONDER_PATIENTS]])
    during = np.array([float(r.pn_rate) for r in res[PNS_RESPONDER_PATIENTS:]])
    evaluable = alone > 0   # as trials count responders among patients with pain
    return float(np.mean(during[evaluable] <= 0.5 * alone[evaluable])) if evaluable.any() else float("nan")


def scs_sites(model) -> list[int]:
    """The body sites a clinical SCS lead reaches in ``model``: every site (chosen: the lead's
    dorsal-column field covers the fibres of several dermatomes, a foot, a leg or a hand, and the
    pathway's sites are neighbouring regions such as digits; docs/stimulation.md).

    Parameters
    ----------
    model : Model
        A loaded model (its ``body.n_sites``).

    Returns
    -------
    list of int
        ``0`` .. ``n_sites - 1``.
    """
    return list(range(int(model.si("body.n_sites"))))


def dlf_share_of_scs(seed: int) -> float:
    """Fraction of the PN reduction by tonic 50 Hz SCS (1.5 x Aβ threshold, 200 µs, over the
    dorsal columns of every site: :func:`scs_sites`) that a dorsolateral-funiculus lesion
    (``dorsal_column.integrity = 0``) removes: healthy pathway, noxious 0.5 at the painful site,
    over 4 circuits.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        (PN rate with SCS after the lesion - with SCS intact) / (without SCS - with SCS), mean
        rates of one batch; ``nan`` if SCS does not reduce the PN rate.
    """
    m = load_model("pain_pathway")
    lesion = m.with_params({"dorsal_column.integrity": 0.0})
    scs = tonic("50 Hz", "200 us", 1.5, "1.5 s", site=scs_sites(m))
    seeds = range(seed, seed + N_SEEDS)
    none, with_scs, lesioned = _mean_pn([Request(mm, st, 0.5, seed=s) for mm, st in ((m, None), (m, scs), (lesion, scs))
                                         for s in seeds], "1.5 s")
    effect = none - with_scs
    return (lesioned - with_scs) / effect if effect > 0 else float("nan")


def course_relief(experiment: str, day: float) -> Callable[[int], float]:
    """Mean percent relief / 100 of the active arm of a built-in course experiment on ``day``.

    Parameters
    ----------
    experiment : str
        A built-in experiment whose result has ``relief`` (percent) over ``day`` (and over ``arm``,
        of which ``"active"`` is read, where it has arms).
    day : float
        A day of the result's ``day`` coordinate.

    Returns
    -------
    callable
        ``measure(seed) -> float``: the mean relief (fraction, 1 = full relief) over the other
        dimensions (the file's patients: one in ``mpns_course``, so its rows rest on one circuit)
        of one run of ``experiment`` at ``seed`` (cached per seed).
        Nothing is checked here: an unknown experiment or day raises when the measurement runs.
    """
    def measure(seed: int) -> float:
        ds = _experiment(experiment, seed)
        rel = ds["relief"]
        if "arm" in rel.dims:
            rel = rel.sel(arm="active")
        return float(rel.sel(day=day).mean()) / 100.0
    measure.__doc__ = f"relief on day {day:g} of {experiment} (active arm)."
    return measure


def cohort_responders(seed: int) -> float:
    """Share of responders (> 30 % relief) of the built-in 20 Hz M1 rTMS cohort.

    Parameters
    ----------
    seed : int
        Seed of the ``rtms_cohort`` experiment (one run, cached per seed).

    Returns
    -------
    float
        The experiment's ``responder_rate`` of group ``"all"`` at the 0.3 threshold (0 to 1).
    """
    ds = _experiment("rtms_cohort", seed)
    return float(ds["responder_rate"].sel(group="all", threshold=0.3))
