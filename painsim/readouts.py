"""Readouts: population rates, projection-neuron output, gate index, pain score.

Pure numpy; nothing here runs a simulation.

Pain score
    The numeric rating scale (NRS, 0-10) is a monotone, saturating Hill
    function of the mean firing rate ``r`` of the projection neurons::

        NRS = 10 * r**h / (r**h + r50**h)

    with ``r50 = readout.pain_half_rate`` (the rate rated 5/10) and
    ``h = readout.pain_hill``.  Projection-neuron output is the spinal signal
    that reaches the brain, so a monotone map is the minimal assumption; the
    constants are chosen (see ``models/gate_control.toml``), not fitted to
    patients.  With a cortex in the model, the score also weighs the
    overactive area of the pain map (:func:`combined_pain`).

Gate index
    The share of inhibitory synaptic drive among all synaptic drive that the
    projection neurons receive, each drive being the summed conductance
    jumps times their decay time constant (i.e. the time integral of the
    conductance): 0 = open gate (no inhibition), 1 = fully closed.
"""
from __future__ import annotations

import numpy as np

from .errors import ParameterError

__all__ = ["binned_rate", "mean_rate", "pain_score", "gate_index", "relief", "combined_pain"]


def binned_rate(times: np.ndarray, n_neurons: int, duration: float, bin: float) -> tuple[np.ndarray, np.ndarray]:
    """Population rate (Hz per neuron) in bins of ``bin`` s; returns (bin centres, rates)."""
    if bin <= 0:
        raise ParameterError("bin", bin, "a bin width > 0 s")
    n_bins = max(int(np.ceil(duration / bin - 1e-9)), 1)
    edges = np.arange(n_bins + 1) * bin
    counts, _ = np.histogram(times, edges)
    widths = np.diff(np.minimum(edges, duration))
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(widths > 0, counts / (max(n_neurons, 1) * widths), 0.0)
    return edges[:-1] + bin / 2, rates


def mean_rate(times: np.ndarray, n_neurons: int, start: float, stop: float) -> float:
    """Mean rate per neuron (Hz) of the spikes in [start, stop)."""
    if stop <= start:
        raise ParameterError("stop", stop, f"a window end after its start ({start} s)")
    k = np.count_nonzero((times >= start) & (times < stop))
    return k / (max(n_neurons, 1) * (stop - start))


def pain_score(rate, half_rate: float, hill: float):
    """NRS 0-10 from projection-neuron rate (Hz); monotone increasing, 5 at ``half_rate``."""
    if half_rate <= 0 or hill <= 0:
        raise ParameterError("pain_half_rate/pain_hill", (half_rate, hill), "both > 0")
    r = np.maximum(np.asarray(rate, float), 0.0)
    score = 10.0 * r ** hill / (r ** hill + half_rate ** hill)
    return float(score) if np.ndim(score) == 0 else score


def gate_index(inhibitory_drive: float, excitatory_drive: float) -> float:
    """Inhibitory share of the synaptic drive onto projection neurons (0 open - 1 closed)."""
    total = inhibitory_drive + excitatory_drive
    return float(inhibitory_drive / total) if total > 0 else 0.0


def relief(baseline, value):
    """Percent relief from a baseline pain score (positive = less pain)."""
    baseline = np.asarray(baseline, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(baseline > 0, 100.0 * (baseline - np.asarray(value, float)) / baseline, 0.0)
    return float(out) if out.ndim == 0 else out


def combined_pain(spinal_score, overactive_fraction, weight_map: float):
    """Pain from spinal output and pain-map overactivity: a convex mix
    ``(1 - weight_map) * spinal + weight_map * 10 * overactive_fraction``."""
    if not 0 <= weight_map <= 1:
        raise ParameterError("weight_map", weight_map, "a weight in [0, 1]")
    return (1 - weight_map) * np.asarray(spinal_score) + weight_map * 10.0 * np.clip(overactive_fraction, 0, 1)
