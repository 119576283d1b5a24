"""How painsim measures each target of the validation table (:mod:`painsim.validation.targets`).

Each public function is a target's ``measure(seed)`` (or builds one): it runs the smallest
simulation that gives the model's number, seeded (the same seed gives the same number), and
says in its docstring which model, stimulus, circuits and readout it uses.  Simulations that
several targets read (rest, built-in experiments) are run once per seed and cached;
:func:`clear_measurements` forgets them.
"""
from __future__ import annotations

import copy
import functools
from typing import Callable

import numpy as np

from .. import analysis
from ..conditioning import conditioned_weights, load_conditioning_spec
from ..errors import ParameterError
from ..fibers import brush, cold, heat, heat_ramp
from ..fibers.encoding import PhysicalStimulus
from ..fibers.thermal import ramp_end, ramp_temperature
from ..fibers.tjunction import junction_params, regular_train, transmit
from ..files import load_experiment, run_experiment, run_qst
from ..params import load_model
from ..simulation import Request, simulate_batch
from ..protocols import get as get_protocol
from ..readouts import model_pain_score
from ..stimulation import from_spec, tonic
from .calibration import REST_DURATION, gate_reduction, gate_stimulation, rest_readouts

__all__ = ["TONIC_SCS", "BURST_SCS", "BACLOFEN_ALONE", "BACLOFEN_WITH_SCS", "scs_relief_with_baclofen",
           "BACLOFEN_SATURATING", "BRUSH_TEST_S", "baclofen_antiallodynia", "N_SEEDS", "PARESTHESIA_KHZ_MA", "PARESTHESIA_TONIC",
           "clear_measurements", "C_TEST_PULSES", "C_TEST_RATE_HZ", "ADELTA_LFS_PULSES", "ADELTA_TEST_PULSES",
           "ADELTA_TEST_RATE_HZ", "adelta_lfs_change",
           "c_arrival", "c_fibre_response_change", "c_volleys", "nmda_block_c_component",
           "cohort_responders", "course_relief", "dlf_share_of_scs", "disinhibited_heat_ratio", "drg_c_filtering",
           "gate_on_heat",
           "DRIVEN_MIN_SPIKES", "SHARED_CACHES", "gate_share_decreased", "REMOTE_SITE", "DNIC_CELSIUS",
           "heterotopic_inhibition", "heterotopic_requests", "dnic_heat", "remote_touch_inhibition",
           "healthy_hpt_sd", "cold_3c_rating", "heat_47_rating", "heat_49_rating", "heat_pain_threshold",
           "heat_pain_threshold_ramp", "RAMP_HPT_RATE", "RAMP_HPT_PEAK", "RAMP_HPT_BIN",
           "khz_dorsal_horn_reduction", "nmda_block_baseline", "paresthesia_10khz", "paresthesia_tonic", "pn_rate_50c",
           "pns_responders",
           "rest_rating", "resting_pn_rate", "scs_relief",
           "sustained_heat_ratio", "tonic_heat_summation", "windup_slow"]

#: Seeds averaged by the spinal measurements (the tests' convention, 4 circuits).
N_SEEDS = 4


def _mean_pn(requests, duration) -> list[float]:
    """Mean PN rate of each group of N_SEEDS consecutive requests (one batch)."""
    res = simulate_batch(requests, duration)
    return [float(np.mean([float(r.pn_rate) for r in res[i:i + N_SEEDS]])) for i in range(0, len(res), N_SEEDS)]


def gate_on_heat(seed: int) -> float:
    """Reduction of the PN response to 47 °C contact heat by 50 Hz Aβ-strength stimulation
    (1.5 x Aβ threshold, 200 µs), gate_control, averaged over 4 circuits (the measurement of
    the declared gate calibration, :func:`painsim.validation.calibration.gate_reduction`)."""
    return gate_reduction("gate_control", range(seed, seed + N_SEEDS))


#: Projection neurons counted by :func:`gate_share_decreased`: those that fire at least this many
#: spikes to the heat alone (chosen: a noxiously driven cell, as the source selected them).
DRIVEN_MIN_SPIKES = 5


def gate_share_decreased(seed: int) -> float:
    """Share of the noxiously driven projection neurons (>= :data:`DRIVEN_MIN_SPIKES` spikes to 47 °C
    heat alone, 1.5 s) that fire fewer spikes when 50 Hz Aβ-strength stimulation is added (the
    requests of :func:`gate_on_heat`), pooled over 4 circuits: the gate read per neuron, as
    Garrison & Foreman 1994 counted cells, where :func:`gate_on_heat` reads the population mean."""
    m = load_model("gate_control")
    scs = gate_stimulation()
    seeds = list(range(seed, seed + N_SEEDS))
    res = simulate_batch([Request(m, st, heat(47), seed=s) for st in (None, scs) for s in seeds], "1.5 s")
    driven = decreased = 0
    for alone, with_scs in zip(res[:N_SEEDS], res[N_SEEDS:]):
        c0, c1 = analysis.neuron_spike_counts(alone), analysis.neuron_spike_counts(with_scs)
        counted = c0 >= DRIVEN_MIN_SPIKES
        driven += int(counted.sum())
        decreased += int((c1[counted] < c0[counted]).sum())
    return decreased / driven if driven else float("nan")


def c_volleys(rate_hz: float, n_pulses: int, threshold_class: str = "C"):
    """``n_pulses`` electrical volleys at ``rate_hz`` of the strength of ``threshold_class`` (1.5 x its
    threshold, 2 ms, nerve: every class of lower threshold fires too); C strength by default."""
    return tonic(f"{rate_hz} Hz", "2 ms", 1.5, f"{n_pulses / rate_hz} s", threshold_class=threshold_class,
                 target="peripheral_nerve", shape="monophasic")


def _windup_ratio(rate_hz: float, n_pulses: int, seed: int) -> float:
    """PN spikes to the last of ``n_pulses`` C-strength volleys over those to the first (gate_control)."""
    duration = n_pulses / rate_hz
    train = c_volleys(rate_hz, n_pulses)
    m = load_model("gate_control")
    res = simulate_batch([Request(m, train, seed=s) for s in range(seed, seed + N_SEEDS)],
                         f"{duration - 1 / rate_hz + 1.0} s")
    per_pulse = np.sum([analysis.spikes_per_pulse(r, train.onsets, 1.0, "PN") for r in res], axis=0)
    first, last = per_pulse[0], per_pulse[-1]
    return float(last / first) if first else float("nan")


def windup_slow(seed: int) -> float:
    """Wind-up ratio over 4 C-strength volleys at 0.1 Hz."""
    return _windup_ratio(0.1, 4, seed)


def _nmda_block_spikes(seed: int, start: float) -> tuple[float, float]:
    """PN spikes from ``start`` to 1 s after a single C-strength volley, without and with full NMDA
    block (gate_control, pooled over N_SEEDS circuits; the runs of :func:`_nmda_block_runs`)."""
    without, with_block = _nmda_block_runs(seed)
    return tuple(float(sum(analysis.spikes_per_pulse(r, [start], 1.0 - start, "PN")[0] for r in part))
                 for part in (without, with_block))


@functools.lru_cache(maxsize=2)
def _nmda_block_runs(seed: int):
    """The results of one C-strength volley, without and with full NMDA block (gate_control, N_SEEDS
    circuits from ``seed``), run once for both NMDA-block targets."""
    m = load_model("gate_control")
    res = simulate_batch([Request(mm, c_volleys(1.0, 1), seed=s) for mm in (m, m.with_params(
        {"dorsal_horn.pharmacology.nmda_block": 1.0})) for s in range(seed, seed + N_SEEDS)], "1 s")
    return res[:N_SEEDS], res[N_SEEDS:]


#: The remote (heterotopic) site of the DNIC rows: site 0, two sites from the painful site of the
#: 5-site body (no segmental connection links sites, so only supraspinal routes reach across).
REMOTE_SITE = 0
#: Noxious conditioning heat of :func:`dnic_heat` (chosen: clearly noxious; Le Bars et al. 1979 used
#: noxious heat on the tail, their abstract gives no temperature).
DNIC_CELSIUS = 52.0


def heterotopic_inhibition(conditioning: Callable[[], object]) -> Callable[[int], float]:
    """``measure(seed)``: reduction (1 - with / without) of the painful site's PN response to 47 °C
    contact heat when ``conditioning()`` (a natural stimulus) is applied at :data:`REMOTE_SITE`,
    healthy pathway, 1.5 s, 4 circuits (Le Bars, Dickenson & Besson 1979's design: a conditioning
    stimulus on a remote body part during the test response)."""
    def measure(seed: int) -> float:
        alone, conditioned = _mean_pn(heterotopic_requests(load_model("healthy"), conditioning, seed), "1.5 s")
        return 1.0 - conditioned / alone if alone > 0 else float("nan")
    return measure


def heterotopic_requests(model, conditioning: Callable[[], object], seed: int) -> list:
    """The requests of :func:`heterotopic_inhibition` in ``model``: 47 °C heat at the painful site
    alone, then with ``conditioning()`` at :data:`REMOTE_SITE`, each over N_SEEDS circuits."""
    painful = int(model.si("body.painful_site"))
    stimuli = ({painful: heat(47.0)}, {painful: heat(47.0), REMOTE_SITE: conditioning()})
    return [Request(model, None, st, seed=s) for st in stimuli for s in range(seed, seed + N_SEEDS)]


def dnic_heat(seed: int) -> float:
    """:func:`heterotopic_inhibition` by noxious heat (:data:`DNIC_CELSIUS`) at the remote site."""
    return heterotopic_inhibition(lambda: heat(DNIC_CELSIUS))(seed)


def remote_touch_inhibition(seed: int) -> float:
    """:func:`heterotopic_inhibition` by a brush stroke (innocuous) at the remote site."""
    return heterotopic_inhibition(brush)(seed)


def nmda_block_baseline(seed: int) -> float:
    """PN response to a single C-strength volley with NMDA receptors fully blocked over the response
    without block (gate_control, spikes pooled over 4 circuits; 1 means NMDA carries none of it)."""
    without, with_block = _nmda_block_spikes(seed, 0.0)
    return with_block / without if without > 0 else float("nan")


def c_arrival(model) -> float:
    """Earliest arrival (s) of C-fibre spikes after an electrical pulse at the nerve: the
    conduction distance over the fastest C velocity.  PN spikes from then on are the C-fibre
    component of a response (the A-fibre components arrive before)."""
    return float(model.si("afferents.conduction_distance") / model.si("afferents.C.velocity_max"))


def nmda_block_c_component(seed: int) -> float:
    """The C-fibre component (PN spikes from :func:`c_arrival` to 1 s) of the response to a single
    C-strength volley with NMDA receptors fully blocked over that without block (gate_control,
    spikes pooled over 4 circuits; the runs of :func:`nmda_block_baseline`)."""
    without, with_block = _nmda_block_spikes(seed, c_arrival(load_model("gate_control")))
    return with_block / without if without > 0 else float("nan")


def _ratings(model_name: str, stimuli, seed: int, duration: str = "1.5 s") -> list[float]:
    """Mean pain score (NRS) of a model for each stimulus (``None`` = rest), over N_SEEDS circuits."""
    m = load_model(model_name)
    seeds = range(seed, seed + N_SEEDS)
    # a physical stimulus drives the fiber classes its encoding names, whichever keyword carries it
    res = simulate_batch([Request(m, noxious=st or 0.0, seed=s) for st in stimuli for s in seeds], duration)
    return [float(np.mean([float(r.pain) for r in res[i:i + N_SEEDS]])) for i in range(0, len(res), N_SEEDS)]


def heat_47_rating(seed: int) -> float:
    """NRS of 47 °C contact heat in the healthy pathway."""
    return _ratings("healthy", [heat(47)], seed)[0]


def cold_3c_rating(seed: int) -> float:
    """NRS of 3 °C contact cold in the healthy pathway (the 1.5 s of the heat ratings)."""
    return _ratings("healthy", [cold(3)], seed)[0]


def heat_49_rating(seed: int) -> float:
    """NRS of 49 °C contact heat in the healthy pathway."""
    return _ratings("healthy", [heat(49)], seed)[0]


def pn_rate_50c(seed: int) -> float:
    """PN rate (Hz) at the painful site during 50 °C contact heat, healthy pathway, over 4 circuits."""
    m = load_model("healthy")
    return _mean_pn([Request(m, None, heat(50), seed=s) for s in range(seed, seed + N_SEEDS)], "1.5 s")[0]


def disinhibited_heat_ratio(seed: int) -> float:
    """PN response to 47 °C contact heat with GABA_A and glycine receptors fully blocked over the
    response with inhibition intact (gate_control, 1.5 s, means over 4 circuits): what removing
    the spinal inhibition does to a heat response in health."""
    m = load_model("gate_control")
    blocked = m.with_params({"dorsal_horn.pharmacology.gaba_block": 1.0})
    intact, without = _mean_pn([Request(mm, None, heat(47), seed=s) for mm in (m, blocked)
                                for s in range(seed, seed + N_SEEDS)], "1.5 s")
    return without / intact if intact > 0 else float("nan")


#: Maintained heat: length (s) and the 1-s bins read as the early peak and the late plateau.
SUSTAINED_HEAT_S, SUSTAINED_EARLY_BINS, SUSTAINED_LATE_BINS = 10, range(0, 4), range(8, 10)


def _held_heat_pn_rates(m, celsius, duration_s: float, bin_s: float, seed: int) -> np.ndarray:
    """Mean PN rate (Hz) at the painful site (one-site models: the only site) in consecutive bins of
    ``bin_s`` while contact heat at ``celsius`` (or a heat stimulus, e.g. a ramp) is applied for
    ``duration_s``, over N_SEEDS circuits."""
    n_sites = int(m.si("body.n_sites"))
    site = int(m.si("body.painful_site")) if n_sites > 1 else None
    stim = celsius if isinstance(celsius, PhysicalStimulus) else heat(celsius)
    res = simulate_batch([Request(m, None, {site: stim} if site is not None else stim, seed=s)
                          for s in range(seed, seed + N_SEEDS)], f"{duration_s} s")
    starts = np.arange(0.0, duration_s, bin_s)
    return np.mean([analysis.spikes_per_pulse(r, starts, bin_s, "PN", site, n_sites) for r in res], axis=0) / bin_s


def sustained_heat_ratio(seed: int, model_name: str = "healthy", celsius: float = 47.0) -> float:
    """PN rate at the painful site 8-10 s into maintained contact heat over its peak 1-s rate in
    the first 4 s (> 1: the response grows; < 1: it adapts, as primate STT cells do, Kenshalo et
    al. 1979).

    Parameters
    ----------
    seed : int
        First of the N_SEEDS circuits (seeds ``seed`` to ``seed + N_SEEDS - 1``), spikes pooled.
    model_name : str
        Model file; the heat is applied at its painful site (one-site models: the only site).
    celsius : float
        Contact temperature held for SUSTAINED_HEAT_S seconds.

    Returns
    -------
    float
        The ratio, ``nan`` if the first 4 s hold no PN spike.
    """
    per_s = _held_heat_pn_rates(load_model(model_name), celsius, SUSTAINED_HEAT_S, 1.0, seed)
    early = per_s[list(SUSTAINED_EARLY_BINS)].max()
    return float(per_s[list(SUSTAINED_LATE_BINS)].mean() / early) if early > 0 else float("nan")


#: Tonic heat of :func:`tonic_heat_summation`: Suzan et al. 2015's 46.5 °C for 2 min, rated in 10-s bins.
TONIC_HEAT_CELSIUS, TONIC_HEAT_S, TONIC_BIN_S = 46.5, 120, 10.0


def tonic_heat_summation(seed: int) -> float:
    """Rating of the last 10 s of 2 min of 46.5 °C contact heat over the rating of the first 10 s
    (healthy pathway, painful site, 4 circuits): each bin's mean PN rate over the circuits rated by
    the NRS map (:func:`painsim.readouts.model_pain_score`).  > 1: the pain of tonic heat sums, as
    people report (Granot et al. 2006); ``nan`` if the first bin is rated 0."""
    m = load_model("healthy")
    rate = _held_heat_pn_rates(m, TONIC_HEAT_CELSIUS, TONIC_HEAT_S, TONIC_BIN_S, seed)
    first, last = (model_pain_score(float(rate[k]), m) for k in (0, -1))
    return float(last / first) if first > 0 else float("nan")


def heat_pain_threshold(seed: int) -> float:
    """Lowest contact temperature (°C, 1 °C steps from 40 °C) rated above 0.1 NRS by the healthy pathway."""
    temps = np.arange(40.0, 51.0)
    ratings = _ratings("healthy", [heat(t) for t in temps], seed)
    above = [t for t, r in zip(temps, ratings) if r > 0.1]
    return float(above[0]) if above else float("nan")


#: The DFNS heat ramp (1 °C/s from 32 °C) up to its 50 °C cut-off (Rolke et al. 2006 [recalled]), rated in
#: 0.5-s bins (chosen: a 0.5 °C resolution at 1 °C/s, half the step rows' 1 °C).
RAMP_HPT_RATE, RAMP_HPT_PEAK, RAMP_HPT_BIN = 1.0, 50.0, 0.5


def heat_pain_threshold_ramp(seed: int) -> float:
    """Skin temperature (°C) at the end of the first 0.5-s bin rated above 0.1 NRS while the skin
    warms at 1 °C/s from 32 °C (healthy pathway, painful site; each bin's mean PN rate over 4
    circuits through the NRS map, :func:`painsim.readouts.model_pain_score`): the DFNS threshold
    without a reaction time; ``nan`` if no bin up to 50 °C is painful."""
    m = load_model("healthy")
    ramp = heat_ramp(RAMP_HPT_PEAK, RAMP_HPT_RATE)
    rates = _held_heat_pn_rates(m, ramp, ramp_end(ramp), RAMP_HPT_BIN, seed)
    painful = [k for k, r in enumerate(rates) if model_pain_score(float(r), m) > 0.1]
    return float(ramp_temperature(ramp, RAMP_HPT_BIN * (painful[0] + 1))) if painful else float("nan")


def healthy_hpt_sd(seed: int) -> float:
    """SD (°C) of the heat pain threshold over 12 virtual healthy subjects of the QST battery
    (subject variability on, 1 °C steps 40-50 °C; ``painsim.files.qst``)."""
    spec = {"experiment": {"name": "validate_hpt_sd", "kind": "qst", "models": ["healthy"], "n_subjects": 12,
                           "seed": seed, "heat_temperatures": [float(t) for t in range(40, 51)],
                           "pinprick_forces": [8.0], "windup_pulses": 2}}
    hpt = run_qst(spec)["heat_pain_threshold_subject"].sel(model="healthy").values
    return float(np.std(hpt, ddof=1))


#: Rest is a steady state: recorded resting rates and ongoing pain are averages over long
#: stretches, while the model's slow currents (NK1, the CAN current) build resting firing up
#: over seconds where the PN fire at rest at all (measured with the background barrage fitted
#: to 4.2 Hz, healthy pathway, seeds 1-4: 2.35 Hz over 0-1.5 s, 3.98 Hz over 0-8 s, 5.8 Hz over
#: 10-20 s; docs/circuits.md, "Ongoing pain in the peripheral presets" (5)).  Rest is read over
#: the second half of a 12-s run (:data:`painsim.validation.calibration.REST_DURATION`, the
#: background calibration's window too).  Chosen: most of the build-up lies in the first ~6 s,
#: and 12 s of four circuits per preset keeps the slow validation set to minutes.
@functools.lru_cache(maxsize=8)
def _rest(model_name: str, seed: int) -> tuple[float, float]:
    """(PN rate in Hz at the painful site, NRS) at rest, steady state, means over N_SEEDS circuits."""
    return rest_readouts(load_model(model_name), range(seed, seed + N_SEEDS), REST_DURATION)


def rest_rating(model_name: str) -> Callable[[int], float]:
    """NRS at rest (no stimulus) of a preset, steady state (:data:`REST_DURATION`)."""
    def measure(seed: int) -> float:
        return _rest(model_name, seed)[1]
    measure.__doc__ = f"NRS at rest of {model_name} (last 6 s of 12 s)."
    return measure


def resting_pn_rate(model_name: str) -> Callable[[int], float]:
    """PN rate (Hz) at the painful site with no stimulus, steady state, over 4 circuits."""
    def measure(seed: int) -> float:
        return _rest(model_name, seed)[0]
    measure.__doc__ = f"PN rate at rest of {model_name} (last 6 s of 12 s)."
    return measure


@functools.lru_cache(maxsize=4)
def _experiment(name: str, seed: int):
    """A built-in experiment's result, run once per (name, seed) for all targets that read it."""
    return run_experiment(name, seed=seed)


@functools.lru_cache(maxsize=32)
def _experiment_scalars(name: str, seed: int) -> dict[str, dict[str, float]]:
    """Label -> {variable: value} of the scalar results of a built-in experiment (one circuit,
    ``seed``): its conditions (``kind = "conditions"``) or protocols (``"conditioning"``).  Kept
    instead of the Datasets, so that targets averaging N_SEEDS circuits of several experiments
    share one run of each."""
    ds = _experiment(name, seed)
    dim = "condition" if "condition" in ds.dims else "protocol"
    names = [v for v in ds.data_vars if ds[v].dims == (dim,) and np.issubdtype(ds[v].dtype, np.number)]
    return {str(lab): {v: float(ds[v].values[i]) for v in names} for i, lab in enumerate(ds[dim].values)}


def _experiment_mean(name: str, label: str, variable: str, seed: int) -> float:
    """Mean of ``variable`` in condition/protocol ``label`` of a built-in experiment over the
    N_SEEDS circuits ``seed`` .. ``seed + N_SEEDS - 1`` (each run once, see :func:`_experiment_scalars`)."""
    return float(np.mean([_experiment_scalars(name, s)[label][variable] for s in range(seed, seed + N_SEEDS)]))


#: Test pulses of :func:`c_fibre_response_change`: C-strength pulses at 0.1 Hz, where the model
#: has no wind-up (target windup_0p1hz), so each is a single-pulse response (Svendsen et al. 1997
#: tested single pulses; several only to count more spikes).
C_TEST_PULSES, C_TEST_RATE_HZ = 4, 0.1


def _conditioned_response_change(model, conditioning, replay: int, test, onsets, start: float,
                                 seed: int) -> float:
    """PN spikes from ``start`` to 1 s after each test pulse at ``onsets``, after the plastic
    connections of ``model`` were conditioned by ``conditioning`` (one window replayed ``replay``
    times), over those before, minus 1; spikes pooled over the pulses and N_SEEDS circuits."""
    counts = np.zeros(2)
    for s in range(seed, seed + N_SEEDS):
        new, _ = conditioned_weights(model, {"conditioning": conditioning}, replay=replay, seed=s)
        res = simulate_batch([Request(model, test, seed=s, weights=w) for w in (None, new["conditioning"])],
                             f"{onsets[-1] + 1.0} s")
        counts += [analysis.spikes_per_pulse(r, onsets + start, 1.0 - start, "PN").sum() for r in res]
    return float(counts[1] / counts[0] - 1.0) if counts[0] > 0 else float("nan")


def c_fibre_response_change(protocol: str) -> Callable[[int], float]:
    """Relative change of the C-fibre-evoked PN response to single C-strength pulses after a
    conditioning protocol of ``experiments/spinal_ltp_ltd.toml`` (its model and plastic
    connections): PN spikes from the earliest C arrival (:func:`c_arrival`) to 1 s after each of
    :data:`C_TEST_PULSES` pulses at :data:`C_TEST_RATE_HZ`, pooled over the pulses and N_SEEDS
    circuits, after over before, minus 1.  Svendsen, Tjølsen & Hole 1997's measure (C-fibre-mediated
    firing of single WDR neurons to single pulses); the A-fibre components arrive before the window
    opens."""
    def measure(seed: int) -> float:
        spec = load_conditioning_spec("spinal_ltp_ltd")
        proto = next((p for p in spec["protocol"] if p.get("label") == protocol), None)
        if proto is None:
            raise ParameterError("protocol", protocol, "a protocol label of experiments/spinal_ltp_ltd.toml")
        model = load_model(spec["experiment"].get("model", "gate_control"), spec.get("params") or None)
        return _conditioned_response_change(model, from_spec(proto["stimulus"]), int(proto.get("replay", 1)),
                                            c_volleys(C_TEST_RATE_HZ, C_TEST_PULSES),
                                            np.arange(C_TEST_PULSES) / C_TEST_RATE_HZ, c_arrival(model), seed)
    measure.__doc__ = (f"Relative change of the C-fibre-evoked PN response to single C-strength pulses after "
                       f"{protocol} (spinal_ltp_ltd).")
    return measure


#: Rottmann, Jung & Ellrich 2008's protocol (Clin Neurophysiol 119:1895): conditioning of nociceptive
#: Aδ afferents at 1 Hz x 1200 and test pulses through the same electrode at 0.125 Hz.
ADELTA_LFS_PULSES, ADELTA_TEST_RATE_HZ, ADELTA_TEST_PULSES = 1200, 0.125, 4


def adelta_lfs_change(seed: int) -> float:
    """Relative change of the PN response to single Aδ-strength pulses after 1 Hz x 1200 Aδ-strength
    conditioning, Aδ -> PN plastic (the ``spinal_presynaptic`` calcium rule of C -> PN), gate_control:
    PN spikes in 1 s after each of :data:`ADELTA_TEST_PULSES` pulses at :data:`ADELTA_TEST_RATE_HZ`,
    pooled over them and N_SEEDS circuits, after over before, minus 1.  Rottmann et al. 2008's
    homotopic design (the same electrode conditions and tests); the PN response stands for the
    evoked vertex potential, the output of the dorsal horn to the same volley."""
    model = load_model("gate_control", {"plasticity.adelta_pn.rule": "calcium",
                                        "plasticity.adelta_pn.preset": "spinal_presynaptic"})
    return _conditioned_response_change(model, c_volleys(1.0, 1, "Adelta"), ADELTA_LFS_PULSES,
                                        c_volleys(ADELTA_TEST_RATE_HZ, ADELTA_TEST_PULSES, "Adelta"),
                                        np.arange(ADELTA_TEST_PULSES) / ADELTA_TEST_RATE_HZ, 0.0, seed)


#: Clinical tonic SCS of ``experiments/scs_modes.toml`` on the neuropathic pathway reduced to its
#: painful site (the paresthesia readout needs the dorsal-column layer of the pathway stack).
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
    recruitment, noxious 0.5, 1.5 s)."""
    flags = [_has_paresthesia(_experiment_scalars("scs_modes", s)[PARESTHESIA_TONIC]["paresthesia"])
             for s in range(seed, seed + N_SEEDS)]
    return float(np.nanmean(flags)) if np.isfinite(flags).any() else float("nan")


def _khz_pathway_spec(seed: int) -> dict:
    """The pathway conditions of ``scs_modes`` (model, parameters, noxious drive, duration) with
    10 kHz / 30 us SCS at each amplitude of :data:`PARESTHESIA_KHZ_MA`, and no other condition."""
    spec = load_experiment("scs_modes")
    exp = {k: v for k, v in spec["experiment"].items() if k != "figure"}
    base = next(c for c in spec["condition"] if c["label"] == "pathway: no SCS")
    conds = [dict(copy.deepcopy(base), label=f"pathway: 10 kHz {ma:g} mA",
                  stimulus={"type": "high_frequency", "amplitude": f"{ma:g} mA", "duration": exp["duration"]})
             for ma in PARESTHESIA_KHZ_MA]
    return {"experiment": dict(exp, name="validate_paresthesia_10khz", seed=seed), "condition": conds}


def paresthesia_10khz(seed: int) -> float:
    """Fraction of N_SEEDS circuits x the amplitudes of :data:`PARESTHESIA_KHZ_MA` with
    paresthesia (readout > 0) during 10 kHz SCS, 30 us, on the model of the tonic target
    (:func:`paresthesia_tonic`; the same pathway conditions of ``scs_modes``)."""
    flags = []
    for s in range(seed, seed + N_SEEDS):
        ds = run_experiment(_khz_pathway_spec(s), seed=s)
        flags += [_has_paresthesia(float(v)) for v in ds["paresthesia"].values]
    return float(np.nanmean(flags)) if np.isfinite(flags).any() else float("nan")


def khz_dorsal_horn_reduction(seed: int) -> float:
    """Fractional reduction of the PN response (noxious 0.5, neuropathic, biophysical recruitment,
    1.5 s) by 10 kHz SCS, 30 us, 1 mA (no Aβ fibre fires: the kHz field on dorsal-horn neurons,
    ``experiments/scs_10khz.toml``), means over N_SEEDS circuits."""
    none = _experiment_mean("scs_10khz", "no SCS", "pn_rate", seed)
    khz = _experiment_mean("scs_10khz", "10 kHz 1 mA", "pn_rate", seed)
    return 1.0 - khz / none if none > 0 else float("nan")


#: The clinical SCS settings of ``experiments/burst_scs.toml`` compared with the pooled VAS.
TONIC_SCS, BURST_SCS = "tonic 50 Hz 2.5 mA", "burst 1.0 mA (subperception)"


def scs_relief(condition: str, variable: str = "pain") -> Callable[[int], float]:
    """Relief of ``variable`` (``"pain"``: the NRS of intensity; ``"unpleasantness"``: the medial
    pathway's readout) by one SCS condition of ``experiments/burst_scs.toml`` (peripheral_neuropathic
    pathway, noxious 0.5 at the painful site, 1.5 s): ``1 - with / without`` SCS, means over
    N_SEEDS circuits (negative: SCS raises it)."""
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
    (negative: SCS raises the response)."""
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
    circuits, 1.5-s brush strokes (1: allodynia reversed to the healthy response)."""
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
    :mod:`painsim.fibers.tjunction`).  Deterministic: ``seed`` is not used."""
    junction = junction_params(load_model("gate_control").section("afferents"), "C")
    t = regular_train(DRG_TRAIN_HZ, int(round(DRG_TRAIN_HZ * DRG_TRAIN_S)))
    passed, _ = transmit(t, np.ones(t.size, np.int64), np.zeros(t.size, np.int64), np.zeros(1), junction)
    late = t >= DRG_TRAIN_S - DRG_READ_S
    return float(passed[late].mean())


def pns_responders(seed: int) -> float:
    """Share of 8 virtual patients (post_traumatic_neuropathic, circuits ``seed``..``seed + 7``)
    whose PN response to 45 °C heat at the painful site falls by >= 50 % during percutaneous PNS
    (the ``pns_percutaneous`` protocol's waveform and lead geometry, 1 s)."""
    protocol = get_protocol("pns_percutaneous")
    m = load_model("post_traumatic_neuropathic").with_params(protocol.device_overrides)
    painful = int(m.si("body.painful_site"))
    pns = protocol.waveform(0.0, 1.0)
    seeds = range(seed, seed + 8)
    res = simulate_batch([Request(m, st, {painful: heat(45)}, seed=s) for st in (None, pns) for s in seeds], "1 s")
    alone = np.array([float(r.pn_rate) for r in res[:8]])
    during = np.array([float(r.pn_rate) for r in res[8:]])
    return float(np.mean(during <= 0.5 * alone))


def scs_sites(model) -> list[int]:
    """The body sites a clinical SCS lead reaches in ``model``: every site (chosen: the lead's
    dorsal-column field covers the fibres of several dermatomes, a foot, a leg or a hand, and the
    pathway's sites are neighbouring regions such as digits; docs/stimulation.md)."""
    return list(range(int(model.si("body.n_sites"))))


def dlf_share_of_scs(seed: int) -> float:
    """Fraction of the PN reduction by tonic 50 Hz SCS (1.5 x Aβ threshold, 200 µs, over the
    dorsal columns of every site: :func:`scs_sites`) that a dorsolateral-funiculus lesion
    (``dorsal_column.integrity = 0``) removes: healthy pathway, noxious 0.5 at the painful site,
    over 4 circuits."""
    m = load_model("pain_pathway")
    lesion = m.with_params({"dorsal_column.integrity": 0.0})
    scs = tonic("50 Hz", "200 us", 1.5, "1.5 s", site=scs_sites(m))
    seeds = range(seed, seed + N_SEEDS)
    none, with_scs, lesioned = _mean_pn([Request(mm, st, 0.5, seed=s) for mm, st in ((m, None), (m, scs), (lesion, scs))
                                         for s in seeds], "1.5 s")
    effect = none - with_scs
    return (lesioned - with_scs) / effect if effect > 0 else float("nan")


def course_relief(experiment: str, day: float) -> Callable[[int], float]:
    """Mean percent relief / 100 of the active arm of a built-in course experiment on ``day``."""
    def measure(seed: int) -> float:
        ds = _experiment(experiment, seed)
        rel = ds["relief"]
        if "arm" in rel.dims:
            rel = rel.sel(arm="active")
        return float(rel.sel(day=day).mean()) / 100.0
    measure.__doc__ = f"relief on day {day:g} of {experiment} (active arm)."
    return measure


def cohort_responders(seed: int) -> float:
    """Share of responders (> 30 % relief) of the built-in 20 Hz M1 rTMS cohort."""
    ds = _experiment("rtms_cohort", seed)
    return float(ds["responder_rate"].sel(group="all", threshold=0.3))


# ---------------------------------------------------------------- the table


#: Caches of simulations shared between targets in other modules (:mod:`.phenotype`), cleared with these.
SHARED_CACHES: list = []


def clear_measurements() -> None:
    """Forget the simulations shared between targets (rest, built-in experiments, NMDA block, the
    per-neuron recordings), so that a new validation run measures the model as it is now (model
    files, engine, settings)."""
    for cache in SHARED_CACHES:
        cache.cache_clear()
    _rest.cache_clear()
    _experiment.cache_clear()
    _experiment_scalars.cache_clear()
    _nmda_block_runs.cache_clear()
