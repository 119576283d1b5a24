"""Validation measurements of spinal and heterotopic inhibition of the PN response to heat:
the segmental gate (50 Hz Aβ-strength stimulation, as a population mean and per neuron), diffuse
noxious inhibitory control and remote touch (a conditioning stimulus at a remote site, Le Bars,
Dickenson & Besson 1979's design), and what blocking GABA_A/glycine receptors does to the
response.

Split from :mod:`painsim.validation.measurements` (which re-exports every name); each
``measure(seed)`` averages the circuits ``seed`` .. ``seed + N_SEEDS - 1``.
"""
from __future__ import annotations

from typing import Callable

from .. import analysis
from ..fibers import brush, heat
from ..params import load_model
from ..simulation import Request, simulate_batch
from .calibration import gate_reduction, gate_stimulation
from .shared_runs import N_SEEDS, _mean_pn

__all__ = ["gate_on_heat", "DRIVEN_MIN_SPIKES", "gate_share_decreased", "REMOTE_SITE", "DNIC_CELSIUS",
           "heterotopic_inhibition", "heterotopic_requests", "dnic_heat", "remote_touch_inhibition",
           "disinhibited_heat_ratio"]


def gate_on_heat(seed: int) -> float:
    """Reduction of the PN response to 47 °C contact heat by 50 Hz Aβ-strength stimulation
    (1.5 x Aβ threshold, 200 µs), gate_control, averaged over 4 circuits (the measurement of
    the declared gate calibration, :func:`painsim.validation.calibration.gate_reduction`).

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        1 - (mean PN rate with the stimulation) / (without), 1.5 s each, one batch; ``nan`` if
        heat alone drives no PN.
    """
    return gate_reduction("gate_control", range(seed, seed + N_SEEDS))


#: Projection neurons counted by :func:`gate_share_decreased`: those that fire at least this many
#: spikes to the heat alone (chosen: a noxiously driven cell, as the source selected them).
DRIVEN_MIN_SPIKES = 5


def gate_share_decreased(seed: int) -> float:
    """Share of the noxiously driven projection neurons (>= :data:`DRIVEN_MIN_SPIKES` spikes to 47 °C
    heat alone, 1.5 s) that fire fewer spikes when 50 Hz Aβ-strength stimulation is added (the
    requests of :func:`gate_on_heat`), pooled over 4 circuits: the gate read per neuron, as
    Garrison & Foreman 1994 counted cells, where :func:`gate_on_heat` reads the population mean.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        Decreased neurons over driven neurons, pooled over the circuits (0 to 1); ``nan`` if no
        neuron is driven.
    """
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
    stimulus on a remote body part during the test response).

    Parameters
    ----------
    conditioning : callable
        Called without arguments at each measurement; returns the natural stimulus applied at
        :data:`REMOTE_SITE` (e.g. ``lambda: heat(52.0)``, :func:`painsim.fibers.brush`).

    Returns
    -------
    callable
        ``measure(seed) -> float``: the reduction of the mean PN rate over the circuits ``seed`` ..
        ``seed + N_SEEDS - 1`` (the requests of :func:`heterotopic_requests`, one batch); ``nan``
        if the heat alone drives no PN.
    """
    def measure(seed: int) -> float:
        alone, conditioned = _mean_pn(heterotopic_requests(load_model("healthy"), conditioning, seed), "1.5 s")
        return 1.0 - conditioned / alone if alone > 0 else float("nan")
    return measure


def heterotopic_requests(model, conditioning: Callable[[], object], seed: int) -> list:
    """The requests of :func:`heterotopic_inhibition` in ``model``: 47 °C heat at the painful site
    alone, then with ``conditioning()`` at :data:`REMOTE_SITE`, each over N_SEEDS circuits.

    Parameters
    ----------
    model : Model
        A loaded multi-site model (its ``body.painful_site`` receives the heat).
    conditioning : callable
        Called once without arguments; returns the natural stimulus at :data:`REMOTE_SITE`.
    seed : int
        First circuit: seeds ``seed`` .. ``seed + N_SEEDS - 1``.

    Returns
    -------
    list of painsim.simulation.Request
        ``2 * N_SEEDS`` requests, no device: the N_SEEDS of the heat alone, then the N_SEEDS with
        the conditioning stimulus.
    """
    painful = int(model.si("body.painful_site"))
    stimuli = ({painful: heat(47.0)}, {painful: heat(47.0), REMOTE_SITE: conditioning()})
    return [Request(model, None, st, seed=s) for st in stimuli for s in range(seed, seed + N_SEEDS)]


def dnic_heat(seed: int) -> float:
    """:func:`heterotopic_inhibition` by noxious heat (:data:`DNIC_CELSIUS`) at the remote site.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        1 - with / without of the mean PN rate at the painful site; ``nan`` if the heat alone
        drives no PN.
    """
    return heterotopic_inhibition(lambda: heat(DNIC_CELSIUS))(seed)


def remote_touch_inhibition(seed: int) -> float:
    """:func:`heterotopic_inhibition` by a brush stroke (innocuous) at the remote site.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        1 - with / without of the mean PN rate at the painful site; ``nan`` if the heat alone
        drives no PN.
    """
    return heterotopic_inhibition(brush)(seed)


def disinhibited_heat_ratio(seed: int) -> float:
    """PN response to 47 °C contact heat with GABA_A and glycine receptors fully blocked over the
    response with inhibition intact (gate_control, 1.5 s, means over 4 circuits): what removing
    the spinal inhibition does to a heat response in health.

    Parameters
    ----------
    seed : int
        First circuit: circuits ``seed`` .. ``seed + N_SEEDS - 1`` are averaged.

    Returns
    -------
    float
        Mean PN rate with ``dorsal_horn.pharmacology.gaba_block = 1`` over that without (one
        batch); ``nan`` if the intact response is 0.
    """
    m = load_model("gate_control")
    blocked = m.with_params({"dorsal_horn.pharmacology.gaba_block": 1.0})
    intact, without = _mean_pn([Request(mm, None, heat(47), seed=s) for mm in (m, blocked)
                                for s in range(seed, seed + N_SEEDS)], "1.5 s")
    return without / intact if intact > 0 else float("nan")
