"""Helpers shared by the circuit tests (not a test module)."""
from __future__ import annotations

import numpy as np

import painsim as ps


def simulate_by_label(requests, duration) -> dict[str, list]:
    """:func:`painsim.simulate_batch` of ``requests``, the results grouped by request label
    (within a label, in the order of the requests: e.g. one per seed)."""
    out: dict[str, list] = {}
    for q, r in zip(requests, ps.simulate_batch(requests, duration)):
        out.setdefault(q.label, []).append(r)
    return out


def exceeds(larger, smaller) -> bool:
    """Whether the pooled spike count ``larger`` exceeds ``smaller`` by more than 3 Poisson standard
    deviations of their difference.  For two independent Poisson counts the difference has the
    variance of their sum, estimated by the sum of the counts; 3 sd leaves a one-sided false
    positive below 0.2 % per comparison when the two conditions do not differ."""
    return larger - smaller > 3 * (larger + smaller) ** 0.5


# ------------------------------------------------------------------ the paresthesia readout's bounds
# (painsim.readouts.paresthesia; derived in tests/test_paresthesia_readout.py, also used by
# tests/test_dorsal_column.py): the readout values of the tests, their defaults
N, WINDOW, FRACTION = 10, 2e-3, 0.5      # the model's DCN per site and readout values
K = 5                                    # ceil(0.5 * 10)
START, STOP = 0.3, 2.3                   # 2 s counted, as after readout.transient
SPAN = STOP - START


def chance_bound(rates, k=K, window=WINDOW):
    """Bound ``B`` (volleys/s) on the mean chance volley rate of independent Poisson neurons."""
    rates = np.asarray(rates, float)
    p = 1.0 - np.exp(-rates * window)
    total = 0.0
    for j, r in enumerate(rates):
        others = np.delete(p, j)
        dist = np.array([1.0])                      # Poisson-binomial distribution of the others
        for q in others:
            dist = np.append(dist * (1 - q), 0.0) + np.append(0.0, dist * q)
        total += r * dist[k - 1:].sum()
    return total


def renewal_bound(rates, k=K, window=WINDOW, n_surrogates=16):
    """Bound (volleys/s) on the chance level of the renewal null (:func:`paresthesia`'s surrogates:
    each neuron independent and stationary with its own intervals, e.g. strictly periodic at a
    random phase) for neurons at ``rates``: the mean chance count is at most the expected number of
    spikes whose window holds spikes of ``k - 1`` other neurons, ``sum_j r_j e_{k-1}(r_l w, l != j)``
    (independent stationary trains: joint spike densities are products of the rates, whatever the
    interval distribution); the mean of ``n_surrogates`` counts in ``[0, V]`` (``V``: every spike
    in a volley of ``k``) has a standard deviation at most ``sqrt(mean V / n_surrogates)``
    (Bhatia-Davis); the bound adds 4 of them.  Per second of any counting span ``s``: mean and
    ``V`` are ``s`` times their rates, so the standard deviation of the count is ``s`` times
    ``sqrt(rate of mean x rate of V / n_surrogates)`` and ``s`` cancels from the rate (no span
    argument)."""
    rates = np.asarray(rates, float)
    mean = 0.0
    for j, r in enumerate(rates):
        e = np.array([1.0])                                  # elementary symmetric polynomials
        for x in np.delete(rates, j) * window:
            e = np.append(e, 0.0) + np.append(0.0, e * x)
        mean += r * (e[k - 1] if e.size >= k else 0.0)
    most = rates.sum() / k
    return mean + 4 * np.sqrt(mean * most / n_surrogates)


def noise_bound(observed_counts, n_surrogates=16, span=SPAN):
    """Bound on the mean over seeds of ``max(X, 0)``, ``X`` zero-mean with standard
    deviation ``sigma = sqrt(observed count (1 + 1/n_surrogates))`` (volleys): half-normal
    mean ``0.40 sigma`` plus 4 standard errors of a mean of ``len(counts)`` values of
    standard deviation ``0.58 sigma``; in volleys/s over the counting ``span`` (s)."""
    sigma = np.mean(np.sqrt(np.asarray(observed_counts, float) * (1.0 + 1.0 / n_surrogates)))
    return (0.40 + 4 * 0.58 / np.sqrt(len(observed_counts))) * sigma / span


def spikes_after_transient(results, population="PN", site=None, condition=None) -> int:
    """Spikes of ``population`` in each result's readout window (from ``attrs["readout_start_s"]`` to
    the end: the spikes behind its rates), pooled over ``results``; with ``site``, only that body
    site's neurons (:func:`painsim.readouts.site_block`); ``condition``: of a result combined over
    conditions, that condition's spikes."""
    total = 0
    for r in results:
        t, i = ps.readouts.population_spikes(r, population, condition)[:2]
        keep = t >= float(r.attrs["readout_start_s"])
        if site is not None:
            keep &= i // ps.readouts.site_block(r, population, condition=condition) == site
        total += int(np.count_nonzero(keep))
    return total
