"""The neuropathic phenotype measured as recordings and psychophysics measure it.

Two kinds of target of :mod:`painsim.validation.targets` (each function a target's
``measure(seed)`` or builds one, as in :mod:`.measurements`):

* **per projection neuron**, as single-unit recordings of lamina I neurons read a circuit
  (Andrew 2009; Keller et al. 2007): each neuron's heat threshold and whether it answers a
  brush stroke (:func:`single_neuron_counts`);
* **temporal summation of second pain** to repeated brief contacts of a preheated thermode
  (:func:`painsim.fibers.heat_contacts`; Craig & Andrew 2002 in lamina I spinothalamic neurons,
  Staud et al. 2007 in people): :func:`contact_summation`;
* **C-nociceptor discharge during heat ramps**, as microneurography reads it (Yarnitsky et al.
  1992): :func:`c_ramp_discharge` (the encoding alone, no circuit).
"""
from __future__ import annotations

import functools
from typing import Callable

import numpy as np

from ..analysis import neuron_spike_counts, spikes_per_pulse, windup_ratio
from ..fibers import brush, heat, heat_contacts, heat_ramp
from ..fibers.encoding import HEAT_RESPONSE, thermal_draw, threshold_rng
from ..fibers.thermal import ramp_end
from ..params import load_model
from ..simulation import Request, body_site, simulate_batch
from .measurements import DRIVEN_MIN_SPIKES, N_SEEDS, SHARED_CACHES

__all__ = ["NEURON_TEMPERATURES", "single_neuron_counts", "single_neuron_counts_of", "heat_thresholds",
           "innocuous_share",
           "pn_heat_threshold", "pn_heat_threshold_shift", "pn_share_innocuous",
           "CONTACTS", "CONTACT_WINDOW", "contact_responses", "contact_summation", "RAMP_PEAK", "RAMP_FIBRES",
           "c_ramp_discharge"]


#: Recordings of single projection neurons against which :func:`pn_heat_threshold` and
#: :func:`pn_share_innocuous` are read: contact heat in 1 °C steps (40-52 °C, each 1.5 s from 32 °C),
#: a brush stroke and rest, at the painful site.  A neuron *responds* to a stimulus when it fires at
#: least :data:`DRIVEN_MIN_SPIKES` more spikes in the 1.5 s than the same neuron at rest (same circuit,
#: same window): chosen, the criterion :func:`gate_share_decreased` uses for a noxiously driven cell,
#: fixed before these rows were measured; the sources' own criteria were not read.  The steps are
#: chosen: 1 °C from 40 °C (a neuron that already responds there is given 40 °C: a censored value,
#: none of the presets' PN does) to 52 °C (above the published thresholds and the model's C
#: nociceptors' range of thresholds), each held 1.5 s as in the other heat rows.
NEURON_TEMPERATURES = tuple(float(t) for t in range(40, 53))


def single_neuron_counts(model, seeds, temperatures=NEURON_TEMPERATURES) -> tuple[np.ndarray, np.ndarray]:
    """Evoked spikes of every projection neuron of a model's painful site, rest subtracted.

    Parameters
    ----------
    model : painsim.params.Model
        The circuit (one-site models: the only site).
    seeds : iterable of int
        Circuits; their neurons are pooled (columns in seed order).
    temperatures : sequence of float
        Contact heat steps (°C), each 1.5 s from 32 °C.

    Returns
    -------
    heat_counts : numpy.ndarray
        (temperature, neuron) spikes in 1.5 s minus the same neuron's at rest.
    brush_counts : numpy.ndarray
        (neuron,) the same for a brush stroke (:func:`painsim.fibers.brush`, its default velocity).
    """
    return single_neuron_counts_of({"model": model}, seeds, temperatures)["model"]


def single_neuron_counts_of(models, seeds, temperatures=NEURON_TEMPERATURES,
                            batch_size: int = 32) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`single_neuron_counts` of several circuits in one batch.

    Parameters
    ----------
    models : mapping of str to painsim.params.Model
        Circuits by name.
    seeds, temperatures
        As :func:`single_neuron_counts`.
    batch_size : int
        Points per brian2 network (points of one network structure share networks); the results do
        not depend on it, larger batches amortise the per-step cost of small networks.

    Returns
    -------
    dict
        name -> ``(heat_counts, brush_counts)`` of :func:`single_neuron_counts`.
    """
    seeds, models = list(seeds), dict(models)
    stimuli = [(0.0, 0.0), (0.0, brush())] + [(heat(t), 0.0) for t in temperatures]
    res = simulate_batch([Request(m, None, nox, touch, seed=s) for m in models.values() for nox, touch in stimuli
                          for s in seeds], "1.5 s", batch_size=batch_size)
    out, per_model = {}, len(stimuli) * len(seeds)
    for k, (name, model) in enumerate(models.items()):
        n_sites, site = int(model.si("body.n_sites")), body_site(model, None)
        counts = np.asarray([neuron_spike_counts(r, "PN", site, n_sites)
                             for r in res[k * per_model:(k + 1) * per_model]], float).reshape(len(stimuli), -1)
        evoked = counts[1:] - counts[0]  # rows: stimuli (rest subtracted); the seeds' neurons side by side
        out[name] = (evoked[1:], evoked[0])
    return out


def heat_thresholds(heat_counts, temperatures=NEURON_TEMPERATURES) -> np.ndarray:
    """Each neuron's lowest temperature it responds to (:data:`DRIVEN_MIN_SPIKES`), NaN if none.

    Parameters
    ----------
    heat_counts : array_like
        (temperature, neuron) evoked spikes, as :func:`single_neuron_counts` returns them.
    temperatures : sequence of float
        The steps of ``heat_counts``' rows (°C), in rising order.

    Returns
    -------
    numpy.ndarray
        (neuron,) thresholds (°C).
    """
    responds = np.asarray(heat_counts) >= DRIVEN_MIN_SPIKES
    first = np.asarray(temperatures, float)[np.argmax(responds, axis=0)]
    return np.where(responds.any(axis=0), first, np.nan)


def innocuous_share(heat_counts, brush_counts) -> float:
    """Share of the nociceptive neurons (responding to the hottest step) that also respond to brush.

    Parameters
    ----------
    heat_counts, brush_counts : array_like
        (temperature, neuron) and (neuron,) evoked spikes, as :func:`single_neuron_counts` returns them.

    Returns
    -------
    float
        The share (0 to 1); NaN without a nociceptive neuron.
    """
    nociceptive = np.asarray(heat_counts)[-1] >= DRIVEN_MIN_SPIKES
    if not nociceptive.any():
        return float("nan")
    return float(np.mean(np.asarray(brush_counts)[nociceptive] >= DRIVEN_MIN_SPIKES))


@functools.lru_cache(maxsize=4)
def _preset_neuron_counts(model_name: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`single_neuron_counts` of a preset over N_SEEDS circuits, run once for every row reading it."""
    return single_neuron_counts(load_model(model_name), range(seed, seed + N_SEEDS))


SHARED_CACHES.append(_preset_neuron_counts)  # cleared with the other shared simulations


def pn_heat_threshold(model_name: str) -> Callable[[int], float]:
    """Mean heat threshold (°C) of a preset's heat-responsive projection neurons (painful site,
    :func:`heat_thresholds` over :data:`NEURON_TEMPERATURES`; neurons that respond to no step are
    left out, as recordings select heat-responsive cells), pooled over N_SEEDS circuits.

    Parameters
    ----------
    model_name : str
        The preset (:func:`painsim.params.load_model`).

    Returns
    -------
    callable
        ``measure(seed) -> float``: the mean threshold (°C) of circuits ``seed`` ..
        ``seed + N_SEEDS - 1``; NaN when no neuron responds to any step.
    """
    def measure(seed: int) -> float:
        thresholds = heat_thresholds(_preset_neuron_counts(model_name, seed)[0])
        return float(np.nanmean(thresholds)) if np.isfinite(thresholds).any() else float("nan")
    measure.__doc__ = f"mean PN heat threshold of {model_name} (1 °C steps 40-52 °C)."
    return measure


def pn_heat_threshold_shift(seed: int) -> float:
    """Heat threshold of the peripheral_neuropathic pathway's projection neurons minus that of the
    healthy pathway's (°C; negative: sensitized), :func:`pn_heat_threshold` of each.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` of each pathway.

    Returns
    -------
    float
        The difference (°C).
    """
    return pn_heat_threshold("peripheral_neuropathic")(seed) - pn_heat_threshold("healthy")(seed)


def pn_share_innocuous(model_name: str) -> Callable[[int], float]:
    """Share of a preset's nociceptive projection neurons (responding to 52 °C heat) that also
    respond to a brush stroke (:func:`innocuous_share`), pooled over N_SEEDS circuits.

    Parameters
    ----------
    model_name : str
        The preset (:func:`painsim.params.load_model`).

    Returns
    -------
    callable
        ``measure(seed) -> float``: the share (0 to 1) in circuits ``seed`` .. ``seed + N_SEEDS - 1``;
        NaN without a nociceptive neuron.
    """
    def measure(seed: int) -> float:
        return innocuous_share(*_preset_neuron_counts(model_name, seed))
    measure.__doc__ = f"share of {model_name}'s nociceptive PN that respond to brush."
    return measure


#: Repeated brief contact heat of :func:`contact_summation`: 10 contacts of 0.7 s (Craig & Andrew 2002's
#: dwell; they gave 15: chosen 10, by which their summation had grown most) at 47 °C (chosen: the healthy
#: pathway's moderate pain, NRS ~4, as Staud et al. 2007 set each subject's temperature for moderate pain).
CONTACTS = {"celsius": 47.0, "n_contacts": 10, "contact": "0.7 s"}
#: s; each contact's response is counted from its onset for this long (chosen: Craig & Andrew's shortest
#: interval, so that the responses at every interval are counted over the same time).
CONTACT_WINDOW = 2.0


def contact_responses(model, interval_s: float, seeds, celsius: float = CONTACTS["celsius"],
                      n_contacts: int = CONTACTS["n_contacts"], contact=CONTACTS["contact"]) -> np.ndarray:
    """Spikes per projection neuron of the painful site after each contact of repeated brief contact heat
    (:func:`painsim.fibers.heat_contacts`), counted over :data:`CONTACT_WINDOW` from each onset, summed
    over ``seeds``.

    Parameters
    ----------
    model : painsim.params.Model
        The circuit; the contacts are at its painful site (one-site models: the only site).
    interval_s : float
        Onset-to-onset interval (s).
    seeds : iterable of int
        Circuits.
    celsius, n_contacts, contact
        As :func:`painsim.fibers.heat_contacts`.
    """
    interval_s = float(interval_s)
    window = min(CONTACT_WINDOW, interval_s)
    contacts = heat_contacts(celsius, n_contacts, f"{interval_s!r} s", contact)
    n_sites, site = int(model.si("body.n_sites")), body_site(model, None)
    duration = (n_contacts - 1) * interval_s + window
    res = simulate_batch([Request(model, None, contacts, seed=s) for s in seeds], f"{duration!r} s")
    return np.sum([spikes_per_pulse(r, contacts.onsets(), window, "PN", site, n_sites) for r in res], axis=0)


def contact_summation(interval_s: float, model_name: str = "gate_control") -> Callable[[int], float]:
    """Temporal summation of repeated brief contact heat (:data:`CONTACTS`) at ``interval_s`` from onset to
    onset: the mean PN response per contact over the response to the first
    (:func:`painsim.analysis.windup_ratio`), painful site, pooled over N_SEEDS circuits.

    Parameters
    ----------
    interval_s : float
        Onset-to-onset interval (s).
    model_name : str
        The model (:func:`painsim.params.load_model`; default gate_control).

    Returns
    -------
    callable
        ``measure(seed) -> float``: the ratio (dimensionless) over circuits ``seed`` ..
        ``seed + N_SEEDS - 1`` (:func:`contact_responses`); NaN when the first contact evokes nothing.
    """
    def measure(seed: int) -> float:
        return windup_ratio(contact_responses(load_model(model_name), interval_s, range(seed, seed + N_SEEDS)))
    measure.__doc__ = f"summation of repeated brief contact heat every {interval_s:g} s ({model_name})."
    return measure


#: °C; end of the ramps of :func:`c_ramp_discharge`: Yarnitsky et al. 1992 ramped from 32 to 45 or
#: 47 °C (chosen: the middle)
RAMP_PEAK = 46.0
#: C fibres pooled per measurement (chosen: the class mean to ~1 %)
RAMP_FIBRES = 2000


def c_ramp_discharge(rate: float) -> Callable[[int], float]:
    """Mean discharge (Hz) of the C nociceptors that reach their heat threshold during a ramp from
    32 °C to :data:`RAMP_PEAK` at ``rate`` °C/s: each fibre's spikes from its threshold crossing to the
    ramp's end over that time, averaged over the fibres (microneurography of single units, Yarnitsky
    et al. 1992).  The encoding alone (:func:`painsim.fibers.heat_ramp`), :data:`RAMP_FIBRES` fibres
    of the ``seed``'s thresholds.

    Parameters
    ----------
    rate : float
        Ramp rate (°C/s).

    Returns
    -------
    callable
        ``measure(seed) -> float``: the mean discharge (Hz); NaN when no fibre reaches its threshold
        below :data:`RAMP_PEAK`.
    """
    def measure(seed: int) -> float:
        ramp = heat_ramp(RAMP_PEAK, rate)
        end = ramp_end(ramp)
        _, _, theta = thermal_draw(RAMP_PEAK, HEAT_RESPONSE["C"], RAMP_FIBRES, threshold_rng(seed, "C", "heat"))
        times, ids = ramp.spikes("C", RAMP_FIBRES, end, seed)
        crossing = ramp_end(ramp, theta)
        after = np.bincount(ids[times >= crossing[ids]], minlength=RAMP_FIBRES)   # spikes past each threshold
        responding = theta < RAMP_PEAK - 1e-9
        rates = after[responding] / (end - crossing[responding])
        return float(np.mean(rates)) if rates.size else float("nan")
    measure.__doc__ = f"Mean C discharge from threshold to the end of a {rate:g} °C/s ramp to {RAMP_PEAK:g} °C."
    return measure
