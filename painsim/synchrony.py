"""Synchronous volleys of a population and the chance level of their count.

The paresthesia readout (:func:`paresthesia`, also ``painsim.readouts.paresthesia``):
volleys of dorsal-column-nucleus neurons beyond those that independent firing at the
population's asynchronous (background) rate makes by chance, each neuron keeping its own
inter-spike intervals (a renewal null).  Paresthesia needs
synchronous dorsal-column volleys (Sagalajev et al. 2024 Neuron 112:404; Rogers,
Capogrosso & Lempka 2024 J Neurosci); the derivation of the chance level and its limits
are in :func:`paresthesia`'s docstring.  :func:`volley_starts` is the volley definition
alone (``painsim.analysis.synchronous_volleys`` uses it for afferent volleys).
"""
from __future__ import annotations

import numpy as np

from .checks import number, whole
from .errors import ParameterError
from .rng import checked_seed

__all__ = ["paresthesia", "volley_starts"]

#: z-score of the test that independent firing at each neuron's whole rate explains
#: the data's spikes outside volleys (:func:`paresthesia`, step 1 of the chance level).
_CONSISTENT_Z = 2.0
#: Most iterations of the background search (:func:`paresthesia`, step 2); from the
#: whole rate it stopped after 1-12 (measured: volleys on 25-150 Hz backgrounds, the
#: seed-2 DCN train).  Not stopping within the cap means the background is not
#: identified: the readout is NaN.
_BACKGROUND_ITERATIONS = 40
#: Least slope of the null's outside-volley spike count (rescaled to the data's
#: uncovered time) in the background count, near the solution, for the background to
#: count as identified (:func:`paresthesia`); below it, chance volleys hold so many
#: spikes that a background error of one spike moves the outside count by less than
#: this, and sampling noise of the data decides the background.
_MIN_SLOPE = 0.25


def _volleys(t: np.ndarray, i: np.ndarray, k: int, window: float) -> tuple[np.ndarray, np.ndarray]:
    """Greedy, non-overlapping volleys of a spike train sorted by time.

    From the earliest spike, the spikes in ``[t_a, t_a + window]`` (spike ``a``
    and those after it) make a volley when they hold ``>= k`` distinct neurons;
    the search then resumes after the volley's last spike, otherwise at the next
    spike.  Returns the indices of the volleys' first spikes and, per spike,
    whether it lies in one.  Volley ``a`` covers ``[t_a, t_a + window]`` and
    holds exactly the spikes in it; covered intervals do not overlap.
    """
    n = t.size
    member = np.zeros(n, bool)
    if n == 0:
        return np.zeros(0, np.int64), member
    idx = np.arange(n)
    end = np.searchsorted(t, t + window, side="right")     # spikes a..end[a]-1 are in a's window
    by_neuron = np.lexsort((idx, i))
    prev = np.full(n, -1)                                   # previous spike of the same neuron
    same = i[by_neuron[1:]] == i[by_neuron[:-1]]
    prev[by_neuron[1:][same]] = by_neuron[:-1][same]
    distinct = np.zeros(n, np.int64)                        # distinct neurons in a's window
    for lag in range(int((end - idx).max())):
        a = idx[: n - lag]
        inside = a + lag < end[: n - lag]
        a = a[inside]
        distinct[a] += prev[a + lag] < a                    # first spike of its neuron in the window
    starts = np.where(distinct >= k, idx, n)
    next_start = np.minimum.accumulate(starts[::-1])[::-1].tolist() + [n]
    end = end.tolist()
    edges = np.zeros(n + 1, np.int64)
    first = []
    a = next_start[0]
    while a < n:
        first.append(a)
        edges[a] += 1
        edges[end[a]] -= 1
        a = next_start[end[a]]
    return np.asarray(first, np.int64), np.cumsum(edges[:n]) > 0


def _uncovered(t_first: np.ndarray, start: float, stop: float, window: float) -> float:
    """Time of ``[start, stop)`` outside the volleys starting at ``t_first`` (s)."""
    return float((stop - start) - np.minimum(window, stop - t_first).sum())


def _surrogates(t: np.ndarray, i: np.ndarray, start: float, stop: float, n_surrogates: int, seed: int) -> list:
    """Surrogate trains of the chance level: each neuron a renewal train with its own intervals
    (its inter-spike intervals on ``[start, stop)`` taken as a ring, the gap across the ends
    included, in random order from a uniformly random phase: the neuron's count, rate and
    interval distribution kept, its timing against the other neurons lost; Grün 2009), sorted,
    with a uniform mark per spike that thins them to a lower rate (the same marks at every
    evaluation of the null: common random numbers)."""
    rng = np.random.default_rng(seed)
    span = stop - start
    neurons = np.unique(i)
    trains = [t[i == j] for j in neurons]  # t is sorted by time (paresthesia sorts it): so is each train
    labels = np.concatenate([np.full(tr.size, j) for j, tr in zip(neurons, trains)]) if trains else i
    gaps = [np.diff(np.concatenate([tr, [tr[0] + span]])) for tr in trains]  # n intervals summing to span
    out = []
    for _ in range(n_surrogates):
        ts = np.concatenate([start + (np.cumsum(rng.permutation(g)) + rng.uniform(0.0, span)) % span
                             for g in gaps]) if gaps else t
        marks = rng.uniform(0.0, 1.0, ts.size)
        order = np.argsort(ts, kind="stable")
        out.append((ts[order], labels[order], marks[order]))
    return out


def _null(surrogates: list, background: np.ndarray, total: np.ndarray, k: int, window: float, start: float,
          stop: float, uncovered: float) -> tuple[float, np.ndarray, float]:
    """Independent firing at ``background`` spikes per neuron: the surrogates' mean volley
    count, their mean spikes outside volleys per neuron rescaled to the data's uncovered
    time ``uncovered``, and the variance of that count summed over neurons."""
    size = total.size
    keep_p = np.divide(background, total, out=np.zeros(size), where=total > 0)
    count, rests = 0, []
    for ts, js, marks in surrogates:
        keep = marks < keep_p[js]
        ts_k, js_k = ts[keep], js[keep]
        f, mem = _volleys(ts_k, js_k, k, window)
        count += f.size
        free = _uncovered(ts_k[f], start, stop, window)
        # outside spikes per uncovered second, times the data's uncovered time: the data's
        # volleys that are not chance cover time whose background spikes they absorb; the
        # null has no such volleys, so densities compare
        rests.append(np.bincount(js_k[~mem], minlength=size) * (uncovered / free if free > 0 else 0.0))
    rests = np.array(rests)
    return count / len(surrogates), rests.mean(axis=0), float(rests.sum(axis=1).var())


def _chance_volleys(t: np.ndarray, i: np.ndarray, first: np.ndarray, member: np.ndarray, start: float,
                    stop: float, k: int, window: float, n_surrogates: int, seed: int) -> float:
    """Volleys expected from the asynchronous background of a sorted spike train
    (:func:`paresthesia`): the mean count of ``n_surrogates`` independent-Poisson
    surrogates at the background rates; NaN where the background is not
    identified."""
    size = int(i.max()) + 1
    total = np.bincount(i, minlength=size).astype(float)
    outside = np.bincount(i[~member], minlength=size).astype(float)
    surrogates = _surrogates(t, i, start, stop, n_surrogates, seed)
    uncovered = _uncovered(t[first], start, stop, window)

    def null(background):
        return _null(surrogates, background, total, k, window, start, stop, uncovered)

    def noise(var):
        """Standard error of the data's outside count against the null's mean: the
        null's sampling spread (that of the data under the null) and the error of a
        mean of ``n_surrogates``; at least one spike."""
        return float(np.sqrt(var * (1.0 + 1.0 / n_surrogates) + 1.0))

    def identified(background, chance, rest):
        """Whether the outside count grows with the background at ``background``:
        when chance volleys hold most spikes it is flat (or falls), and a range of
        backgrounds (or two) leave as many spikes outside volleys as the data.
        Checked where the background makes at least one chance volley (else it
        cannot move the readout by one volley)."""
        if chance < 1.0:
            return True
        lower = 0.9 * background
        _, rest_lower, _ = null(lower)
        return rest.sum() - rest_lower.sum() >= _MIN_SLOPE * (background.sum() - lower.sum())

    # 1. Independent firing at the whole rates (background = every spike): consistent
    #    if the data leave at least as many spikes outside volleys, up to their
    #    sampling noise.  Then the readout is the observed minus that null's volleys,
    #    noise about 0 (asynchronous firing at any identifiable rate).
    chance, rest, var = null(total)
    if rest.sum() - outside.sum() <= _CONSISTENT_Z * noise(var):
        return chance if identified(total, chance, rest) else float("nan")
    # 2. Significantly fewer spikes outside volleys than independent firing leaves:
    #    synchrony beyond chance.  From the whole rates downwards,
    #    b <- b - (outside_null(b) - outside), the null's outside counts rescaled to the
    #    data's uncovered time and each background kept within [0, whole count], until
    #    the mismatch is within the data's sampling noise (half a standard error pooled
    #    over neurons, and a Poisson standard deviation per neuron).  The steps shrink
    #    while the null's outside count grows with the background at a slope in
    #    (0, 2); where it does not (chance volleys holding most spikes), the search
    #    may not settle, and the result is checked (3).
    # A neuron with no spike outside volleys has background 0 (the only solution:
    # any background leaves some outside, in expectation).
    background = np.where(outside > 0, total, 0.0)
    if np.any(outside == 0):
        chance, rest, var = null(background)
    for _ in range(_BACKGROUND_ITERATIONS):
        error = rest - outside
        # a neuron at a bound that the step would push beyond it is settled (e.g. one
        # firing no spike in volleys: even its whole rate leaves fewer outside)
        error[((background >= total) & (error < 0)) | ((background <= 0) & (error > 0))] = 0.0
        if abs(error.sum()) <= 0.5 * noise(var) and np.all(np.abs(error) <= np.sqrt(outside) + 1.0):
            break
        background = np.clip(background - error, 0.0, total)
        chance, rest, var = null(background)
    else:
        return float("nan")                 # no background leaves the data's outside spikes
    # 3. The background found must be identified there.
    if not identified(background, chance, rest):
        return float("nan")
    return chance


def paresthesia(times, neurons, n_neurons: int, start: float, stop: float, window: float, fraction: float,
                n_surrogates: int = 16, seed: int = 0) -> float:
    """Rate of synchronous volleys of a relay population beyond chance, a
    paresthesia readout (Hz).

    A volley is at least ``k = ceil(fraction * n_neurons)`` distinct neurons
    firing within ``window`` s; windows are taken greedily from the earliest spike
    in ``[start, stop)`` and do not overlap.  The readout is the observed volley
    rate minus the rate of chance volleys, floored at 0.  Chance volleys are those
    of the population's *asynchronous background*: neurons firing independently,
    each a renewal train with its own inter-spike intervals (surrogates: the
    neuron's intervals on ``[start, stop)``, taken as a ring, in random order from a
    random phase, then thinned), at the background rate of each
    neuron that leaves as many of its spikes outside volleys, per second of time
    outside volleys, as the data leave.  If the whole rates already do (within
    the data's sampling noise), the background is the whole rate; otherwise it
    is searched from there downwards.  Where the background cannot be identified
    the readout is NaN (Notes).  Applied to the dorsal column nuclei
    (:mod:`painsim.circuits.dorsal_column`).

    Parameters
    ----------
    times, neurons : array_like
        Spike times (s, finite) and integer neuron indices of the population, of
        equal length: 0..n_neurons-1, or any labels >= 0 of at most ``n_neurons``
        neurons (one site's slice of a population's indices).
    n_neurons : int
        Neurons in the population (>= 0; 0 gives 0 Hz).
    start, stop : float
        Counting window, s (finite, ``stop >= start``; ``stop == start`` gives 0 Hz).
    window : float
        Coincidence window, s (> 0).
    fraction : float
        Fraction of the population that makes a volley, in (0, 1], with
        ``k = ceil(fraction * n_neurons) >= 2`` (synchrony needs two neurons).
    n_surrogates : int
        Surrogates averaged for the chance level (>= 0; 0: no correction, the
        observed volley rate).
    seed : int
        Seed of the surrogates (a whole number >= 0; the readout is deterministic
        for given spikes).

    Returns
    -------
    float
        Synchronous volleys per second beyond chance (>= 0), or NaN: the
        asynchronous background is not identified (chance volleys hold most
        spikes), so synchrony cannot be told from chance at these rates.  NaN
        propagates through a maximum or mean over sites or seeds (a layer's
        ``paresthesia`` is then NaN too), so it is not silently read as a number.

    Raises
    ------
    ParameterError
        A value outside what is allowed above (named with the value).

    Notes
    -----
    What is measured, and why.  Paresthesia is the percept of synchronous
    dorsal-column volleys: asynchronous dorsal-column spiking at comparable rates
    evokes none (Sagalajev et al. 2024 Neuron 112:404 [checked: abstract of the
    bioRxiv version]), and high-rate SCS desynchronizes dorsal-column fibres and
    DCN output, which may explain its different sensation (Rogers, Capogrosso &
    Lempka 2024 J Neurosci 44:e2199232024 [checked: abstract]).  What matters is
    thus synchrony across the population, whatever the regularity of the train:
    coincidences caused by a common stimulus (every SCS pulse) must count, and
    only those that independent neurons make at their own rates are discounted,
    the null of unitary-event analysis (Grün, Diesmann & Aertsen 2002 Neural
    Comput 14:43 [recalled]).

    Three chance levels fail this and are not used:

    * a shift predictor (each neuron's train shifted in time, the earlier
      readout) estimates the coincidences that a common stimulus produces, which
      is what it was designed for (Perkel, Gerstein & Moore 1967 Biophys J
      7:419 [recalled]).  Shifted copies of a strictly periodic train are
      periodic: every neuron keeps firing at one phase of the pulse period, so a
      surrogate meets the volley criterion on every pulse or on none, according
      to the shifts alone.  With DCN firing one or two spikes per pulse, the
      surrogates met it on every pulse and the readout fell to 0 while every
      neuron fired locked to 50 Hz SCS (``pain_pathway`` reduced to one site,
      1.5x threshold, seed 2; likewise biophysical recruitment at 4 mA);
    * independent Poisson neurons at each neuron's *whole* rate count the spikes
      that volleys hold once more as asynchronous firing.  For ten neurons,
      ``fraction = 0.5`` and a 2 ms window, such neurons make ~2.5, 12, 31 and
      96 volleys/s at 50, 75, 100 and 150 Hz each (measured, 2 s), so a train
      of perfect volleys at 150 Hz would read ~54 of its 150 volleys/s, and at
      higher rates less still;
    * independent *Poisson* neurons (the null until 2026-12-06) ignore how regularly
      each neuron fires, while regular trains make more chance coincidences than
      Poisson ones of the same rate: ten independent gamma-renewal neurons at 100 Hz
      (interval CV 0.1-0.3; ``fraction = 0.5``, 2 ms) make ~50 volleys/s where Poisson
      ones make ~32, and read 9-38 volleys/s of "synchrony" (at 150 Hz, 95-126 where
      chance holds most spikes).  Surrogates that keep each train's intervals are the
      remedy of unitary-event analysis for non-Poisson firing (Grün 2009 J Neurophysiol
      101:1126 [checked: abstract]: "a spike train structure deviating from Poisson"
      generates false positives unless the null includes it; Louis, Gerstein, Grün &
      Diesmann 2010 Front Comput Neurosci 4:127 [checked: abstract]).  Shuffling the
      intervals (not shifting the train) keeps a neuron's rate and regularity and gives
      each surrogate its own phase, so the shift predictor's failure above does not
      return: a locked neuron's surrogate is periodic at a random phase, not at the
      phase the stimulus gave it.  The price: where the period of locked firing
      approaches the window (strictly periodic neurons at 200 Hz, 5 ms against 2 ms),
      independent neurons at random phases would make a volley on most periods, and
      the readout is NaN instead of the pulse rate.

    With the background estimated from the spikes outside volleys instead, a
    train of volleys with no spike outside them reads its volley rate exactly
    (background 0); independent firing reads near 0; and volleys on top of
    asynchronous firing read about the volley rate.  Zero spikes read 0.

    The chance level, step by step (``n_surrogates`` surrogates, common random
    numbers throughout):

    1. Null at each neuron's whole rate.  If the data leave at least as many
       spikes outside volleys as it does, less ``2`` standard errors (the
       surrogates' own spread, plus that of their mean), the data are consistent
       with independent firing: the background is the whole rate and the readout
       the observed minus that null's volleys (for independent firing, noise
       about 0, at any rate that passes step 3).
    2. Otherwise (synchrony beyond chance), each neuron's background is searched
       from its whole count downwards (a neuron with no spike outside volleys has
       background 0): ``b <- b - (outside_null(b) - outside)`` within
       ``[0, whole count]``, until the mismatch is within the data's sampling
       noise (half a standard error pooled over neurons, and ``sqrt(outside) + 1``
       per neuron).  The null's outside counts are taken per second outside its
       volleys and scaled to the data's time outside volleys: the data's own
       volleys cover time in which they absorb background spikes, which a null at
       the true background would otherwise leave outside, biasing the background
       low (50 Hz volleys on a 100 Hz background read ~80 volleys/s without the
       scaling).  A search that does not settle within
       ``_BACKGROUND_ITERATIONS`` gives NaN.
    3. The background is identified only if the null's outside count grows with
       it, by at least ``_MIN_SLOPE`` spike per background spike between 0.9 and
       1 times it (checked where it makes at least one chance volley).  When chance
       volleys hold most spikes the outside count is flat in the background or
       falls with it, and two backgrounds (the whole rate and ~0.4 of it, for
       independent neurons at 200 Hz) leave as many spikes outside: the readout
       is NaN rather than a number.

    Assumptions and limits: perception is read from population synchrony alone
    (a volley either counts or does not; its size does not grade the sensation;
    a cell's second spike to one impulse can make a second volley, and
    background spikes just before a volley can start a window that splits it in
    two); the window is shorter than the interval between stimulus pulses; the
    background is stationary over ``[start, stop)`` (slow common modulation of
    the rates is counted as synchrony where it raises coincidences).  For
    independent firing, the readout is the positive part of the chance count's
    sampling noise, of order ``sqrt(chance volleys) / (stop - start)``.  Range
    (ten neurons, ``fraction = 0.5``, 2 ms, 2 s, measured 2026-12-06): independent
    Poisson firing reads 0-4.3 volleys/s up to 150 Hz per neuron and NaN from 200 Hz;
    independent regular firing (CV 0.1) 0-19 at 100 Hz and NaN at 150 Hz; 50 Hz
    volleys read 47-55 on a 50-100 Hz Poisson background when each volley's spikes
    coincide and 55-67 when they spread over 1 ms (split volleys), 31-74 on
    125-150 Hz, and NaN on 200 Hz.
    """
    n_neurons = whole(n_neurons, "n_neurons", 0)
    start = number(start, "start", allowed="a finite start time (s)")
    stop = number(stop, "stop", lo=start, allowed=f"a finite stop time (s) >= start = {start!r}")
    window = number(window, "window", lo=0.0, lo_open=True, allowed="a coincidence window > 0 s (finite)")
    fraction = number(fraction, "fraction", lo=0.0, hi=1.0, lo_open=True, allowed="a fraction in (0, 1]")
    n_surrogates = whole(n_surrogates, "n_surrogates", 0)
    seed = checked_seed(seed, allow_float=False)
    t = _spike_times(times).ravel()
    i = np.asarray(neurons).ravel()
    if i.size and not np.issubdtype(i.dtype, np.integer):
        raise ParameterError("neurons", i.dtype, "integer neuron indices")
    if i.size != t.size:
        raise ParameterError("neurons", f"{i.size} indices", f"one neuron index per spike time ({t.size} times)")
    if not np.all(np.isfinite(t)):
        raise ParameterError("times", t[~np.isfinite(t)][0], "finite spike times (s)")
    if i.size and i.min() < 0:
        raise ParameterError("neurons", int(i.min()), "neuron indices >= 0")
    if i.size and (i.max() >= n_neurons and np.unique(i).size > n_neurons):
        # labels of a slice of a larger population (e.g. one site's DCN) are accepted,
        # but not more distinct neurons than n_neurons, which sets k
        raise ParameterError("neurons", f"{np.unique(i).size} distinct neurons",
                             f"at most n_neurons = {n_neurons} distinct neuron indices "
                             f"(0..{n_neurons - 1}, or any {n_neurons} labels >= 0)")
    if n_neurons == 0 or stop == start:
        return 0.0
    k = int(np.ceil(fraction * n_neurons - 1e-9))
    if k < 2:
        raise ParameterError("fraction", fraction, f"a fraction that needs at least 2 of the n_neurons = "
                             f"{n_neurons} neurons (ceil(fraction * n_neurons) >= 2; synchrony needs two)")
    i = i.astype(np.int64)
    keep = (t >= start) & (t < stop)
    t, i = t[keep], i[keep]
    span = stop - start
    order = np.argsort(t, kind="stable")
    t, i = t[order], i[order]
    first, member = _volleys(t, i, k, window)
    observed = first.size
    if observed == 0:
        return 0.0
    chance = (_chance_volleys(t, i, first, member, start, stop, k, window, n_surrogates, seed)
              if n_surrogates > 0 else 0.0)
    if np.isnan(chance):
        return float("nan")
    return max(observed - chance, 0.0) / span


def _spike_times(times) -> np.ndarray:
    """``times`` as floats (s), refused by name if they are not numbers (text, None, bools)."""
    try:
        t = np.asarray(times, float) if not isinstance(times, (bool, str, bytes)) else None
    except (TypeError, ValueError):
        t = None
    if t is None or np.asarray(times).dtype == bool:
        raise ParameterError("times", times, "spike times in s (numbers)")
    return t


def volley_starts(times, neurons, k: int, window: float) -> np.ndarray:
    """Start times of synchronous volleys: ``>= k`` distinct neurons spiking within a closed
    ``window`` (s) from a volley's first spike; volleys are taken greedily from the earliest
    spike and do not overlap (the definition :func:`paresthesia` counts).

    Parameters
    ----------
    times, neurons : array_like
        Spike times (s; any order) and neuron (or fibre) indices, of equal length.
    k : int
        Least number of distinct neurons in a volley (>= 1).
    window : float
        Volley window, s (> 0).

    Returns
    -------
    numpy.ndarray
        The volleys' start times, s, in increasing order.

    Raises
    ------
    painsim.errors.ParameterError
        ``times`` not finite numbers, ``neurons`` not whole numbers >= 0 or not one per spike
        time, ``k`` not a whole number >= 1, ``window`` not a finite number > 0.
    """
    t = _spike_times(times)
    if not np.all(np.isfinite(t)):
        raise ParameterError("times", t[~np.isfinite(t)][0], "finite spike times (s)")
    i = np.asarray(neurons)
    if i.size and not np.issubdtype(i.dtype, np.integer):   # whole numbers stored as floats are taken
        f = i.astype(float) if np.issubdtype(i.dtype, np.floating) else None
        if f is None or not np.all(np.isfinite(f) & (f == np.round(f))):
            raise ParameterError("neurons", i.dtype if f is None else f[~(np.isfinite(f) & (f == np.round(f)))][0],
                                 "whole-number neuron indices")
    if t.shape != i.shape:
        raise ParameterError("neurons", f"{i.size} indices", f"one per spike time ({t.size})")
    if i.size and i.min() < 0:
        raise ParameterError("neurons", int(i.min()), "neuron indices >= 0")
    i = i.astype(np.int64)
    k = whole(k, "k", 1)
    window = number(window, "window", lo=0.0, lo_open=True, allowed="a window > 0 s")
    order = np.argsort(t, kind="stable")
    t, i = t[order], i[order]
    first, _ = _volleys(t, i, k, window)
    return t[first]
