"""Validation measurements of PN responses to electrical volleys at the nerve: wind-up to
repeated C-strength volleys, the NMDA share of the response to one volley (whole and C-fibre
component, :func:`c_arrival`), and spinal LTP/LTD of the C- and Aδ-evoked responses after a
conditioning protocol (Svendsen, Tjølsen & Hole 1997; Rottmann, Jung & Ellrich 2008).

Split from :mod:`painsim.validation.measurements` (which re-exports every name; its
:func:`~painsim.validation.measurements.clear_measurements` empties the NMDA-block cache); each
``measure(seed)`` averages the circuits ``seed`` .. ``seed + N_SEEDS - 1``.
"""
from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from .. import analysis
from ..conditioning import conditioned_weights, load_conditioning_spec
from ..errors import ParameterError
from ..params import load_model
from ..simulation import Request, simulate_batch
from ..stimulation import from_spec, tonic
from .shared_runs import N_SEEDS

__all__ = ["c_volleys", "windup_slow", "nmda_block_baseline", "c_arrival", "nmda_block_c_component",
           "C_TEST_PULSES", "C_TEST_RATE_HZ", "c_fibre_response_change", "ADELTA_LFS_PULSES",
           "ADELTA_TEST_RATE_HZ", "ADELTA_TEST_PULSES", "adelta_lfs_change"]


def c_volleys(rate_hz: float, n_pulses: int, threshold_class: str = "C"):
    """``n_pulses`` electrical volleys at ``rate_hz`` of the strength of ``threshold_class`` (1.5 x its
    threshold, 2 ms, nerve: every class of lower threshold fires too); C strength by default.

    Parameters
    ----------
    rate_hz : float
        Volley rate (Hz); at most 500 Hz (a 2-ms pulse must fit in the period).
    n_pulses : int
        Number of volleys; the train lasts ``n_pulses / rate_hz`` s.
    threshold_class : {"C", "Adelta", "Abeta"}
        Fibre class whose threshold sets the strength.

    Returns
    -------
    painsim.stimulation.Waveform
        A monophasic tonic train at the peripheral nerve, pulses at ``k / rate_hz`` s.

    Raises
    ------
    painsim.errors.WaveformError
        ``rate_hz`` not > 0 or above 500 Hz, a train duration out of range (``n_pulses`` < 1,
        or over 1 h), or an unknown ``threshold_class``.
    ZeroDivisionError
        ``rate_hz`` is 0.
    """
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
    """Wind-up ratio over 4 C-strength volleys at 0.1 Hz.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        PN spikes in 1 s after the last volley over those after the first, pooled over the
        circuits (gate_control); ``nan`` if the first volley evokes none.
    """
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


def nmda_block_baseline(seed: int) -> float:
    """PN response to a single C-strength volley with NMDA receptors fully blocked over the response
    without block (gate_control, spikes pooled over 4 circuits; 1 means NMDA carries none of it).

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        PN spikes in 1 s after the volley with ``dorsal_horn.pharmacology.nmda_block = 1`` over
        those without; ``nan`` if there are none without.  The runs are cached per ``seed`` and
        shared with :func:`nmda_block_c_component`.
    """
    without, with_block = _nmda_block_spikes(seed, 0.0)
    return with_block / without if without > 0 else float("nan")


def c_arrival(model) -> float:
    """Earliest arrival (s) of C-fibre spikes after an electrical pulse at the nerve: the
    conduction distance over the fastest C velocity.  PN spikes from then on are the C-fibre
    component of a response (the A-fibre components arrive before).

    Parameters
    ----------
    model : Model
        A loaded model (its ``afferents.conduction_distance`` and ``afferents.C.velocity_max``).

    Returns
    -------
    float
        The arrival time (s).
    """
    return float(model.si("afferents.conduction_distance") / model.si("afferents.C.velocity_max"))


def nmda_block_c_component(seed: int) -> float:
    """The C-fibre component (PN spikes from :func:`c_arrival` to 1 s) of the response to a single
    C-strength volley with NMDA receptors fully blocked over that without block (gate_control,
    spikes pooled over 4 circuits; the runs of :func:`nmda_block_baseline`).

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        The ratio with block over without; ``nan`` if the C-fibre window holds no PN spike
        without block.
    """
    without, with_block = _nmda_block_spikes(seed, c_arrival(load_model("gate_control")))
    return with_block / without if without > 0 else float("nan")


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
    opens.

    Parameters
    ----------
    protocol : str
        The ``label`` of a ``[[protocol]]`` of ``experiments/spinal_ltp_ltd.toml``: its stimulus,
        replayed ``replay`` times (default 1), conditions the plastic connections.

    Returns
    -------
    callable
        ``measure(seed) -> float``: the relative change (circuits ``seed`` .. ``seed + N_SEEDS - 1``,
        each conditioned and tested on its own seed); ``nan`` if no PN spike before conditioning.
        It raises :class:`painsim.errors.ParameterError` when called if ``protocol`` is not a label
        of the file (the label is not checked here).
    """
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
    evoked vertex potential, the output of the dorsal horn to the same volley.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        The relative change (negative: depression); ``nan`` if no PN spike before conditioning.
    """
    model = load_model("gate_control", {"plasticity.adelta_pn.rule": "calcium",
                                        "plasticity.adelta_pn.preset": "spinal_presynaptic"})
    return _conditioned_response_change(model, c_volleys(1.0, 1, "Adelta"), ADELTA_LFS_PULSES,
                                        c_volleys(ADELTA_TEST_RATE_HZ, ADELTA_TEST_PULSES, "Adelta"),
                                        np.arange(ADELTA_TEST_PULSES) / ADELTA_TEST_RATE_HZ, 0.0, seed)
