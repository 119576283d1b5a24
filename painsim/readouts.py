"""Readouts: population rates, projection-neuron output, gate index, pain score.

Pure numpy; nothing here runs a simulation.

Pain score
    The numeric rating scale (NRS, 0-10) of the projection neurons' rate is the
    psychophysical pain map below (:func:`model_pain_score`; the dorsal horn
    rates its most active site with it).  :func:`pain_score` is a generic
    monotone Hill function ``10 * r**h / (r**h + r50**h)`` kept for callers
    that want one.  With a cortex in the model, the score also weighs the
    overactive area of the pain map (:func:`combined_pain`).

Psychophysical pain map (:func:`nrs_from_rate`, :func:`model_pain_score`)
    The NRS grounded in published data, composed of two measured curves
    over contact-heat temperature ``T`` (°C, from a 35 °C adapting
    temperature): the primate spinothalamic (WDR) response
    ``r(T) = r_50 * ((T - 35) / 15) ** a`` (Kenshalo et al. 1979 J
    Neurophysiol 42:1370: peak rate a power function of temperature,
    exponent ``a`` = 2.1 for 30-s stimuli; ``r_50`` the rate at 50 °C), and
    human ratings of the same temperatures (``readout.heat_rating_<k>`` at
    ``readout.heat_rating_<k>_celsius``).  Each rated temperature gives one
    point (``r(T_k)``, ``NRS_k``); the map is piecewise linear through
    (0 Hz, 0) and these points, flat at 0 up to the first point (a rate
    rated painless), continued beyond the last point with the last slope and
    clipped at 10.  Sources and the derivation: ``models/gate_control.toml``
    ``[readout]`` and ``docs/phenotypes.md``.

Unpleasantness (:func:`unpleasantness_points`, :func:`unpleasantness_score`)
    The affective dimension of pain, rated on its own NRS (0-10) from the
    anterior cingulate (ACC) rate of the medial pathway
    (:mod:`painsim.circuits.medial`): ACC activity tracks perceived
    unpleasantness when intensity is held constant (Rainville et al. 1997
    Science 277:968).  No published ACC rate-to-rating curve was found, so
    the map is kept simple and anchored to the same heat data as the
    intensity map: the ACC rate the healthy model produces at each rated
    heat temperature (``medial.readout.acc_rate_<k>``, a calibration of
    the readout on the model) is given the rating of that temperature
    (``readout.heat_rating_<k>``), and :func:`nrs_from_rate` interpolates.
    So in health, unpleasantness equals intensity for brief heat, a
    simplification: affective ratings of contact heat grow more steeply
    with temperature than sensory ones (power-function exponents 3.8 vs 2.1,
    Price et al. 1983 Pain 17:45).  Any dissociation of the two scores
    comes from the circuit (the lateral and medial pathways responding
    differently), never from the map.

Map metrics
    On the S1 sheet (rates of the excitatory units as an image, rows = y,
    columns = x, grid spacing ``h``): the *active area* above a rate
    threshold is ``h**2`` times the number of units above it; the
    *overactive area* is the active area above ``readout.map_overactive_rate``
    while the painful site receives its nociceptive input; the *centroid*
    is the rate-weighted mean position of the units above threshold; the
    area a site *occupies* is that of the units above threshold whose
    strongest response, among the sites stimulated one at a time, is to
    that site (a winner-take-all partition of the map).

Gate index
    The share of inhibitory synaptic drive among all synaptic drive that the
    projection neurons receive, each drive being the summed conductance
    jumps times their decay time constant (i.e. the time integral of the
    conductance): 0 = open gate (no inhibition), 1 = fully closed.
"""
from __future__ import annotations

import numpy as np

from .checks import number, whole
from .errors import ParameterError, UnknownKeyError

__all__ = ["binned_rate", "mean_rate", "pain_score", "stt_heat_rate", "psychophysics_points", "nrs_from_rate",
           "model_pain_score", "unpleasantness_points", "unpleasantness_score", "gate_index", "relief", "responders", "combined_pain",
           "map_image", "active_area", "map_centroid", "site_territories", "site_areas",
           "population_spikes"]


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


def stt_heat_rate(celsius, rate_50: float, exponent: float, base: float = 35.0):
    """Spinothalamic (WDR) response (Hz) to contact heat at ``celsius`` °C: ``rate_50 * ((T - base) / (50 - base))
    ** exponent`` above the adapting temperature ``base``, 0 at or below it (Kenshalo et al. 1979)."""
    if rate_50 <= 0 or exponent <= 0 or not base < 50.0:
        raise ParameterError("stt_rate_50c/stt_exponent", (rate_50, exponent, base), "rate and exponent > 0, base < 50 °C")
    x = np.clip((np.asarray(celsius, float) - base) / (50.0 - base), 0.0, None)
    out = rate_50 * x ** exponent
    return float(out) if np.ndim(out) == 0 else out


def psychophysics_points(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cited points of the pain map of ``model`` (anything with ``.si(path)``):
    (temperatures °C, spinothalamic rates Hz, NRS), one per ``readout.heat_rating_<k>``, k = 1, 2, ..."""
    temps, ratings = [], []
    k = 1
    # a Model answers `path in model` cheaply; looking a missing key up raises an error whose
    # "did you mean" search costs ~50 ms per call (measured, benchmarks/bench_overhead.py)
    contains = hasattr(model, "__contains__")
    while not contains or f"readout.heat_rating_{k}" in model:
        try:
            temps.append(float(model.si(f"readout.heat_rating_{k}_celsius")))
            ratings.append(float(model.si(f"readout.heat_rating_{k}")))
        except (KeyError, UnknownKeyError):
            break
        k += 1
    temps, ratings = np.array(temps[:len(ratings)]), np.array(ratings)
    rates = np.asarray(stt_heat_rate(temps, model.si("readout.stt_rate_50c"), model.si("readout.stt_exponent"),
                                     model.si("readout.stt_base_celsius")), float).reshape(-1)
    return temps, rates, ratings


def nrs_from_rate(rate, rates, ratings):
    """NRS 0-10 from projection-neuron rate (Hz) through cited points (``rates`` Hz, ``ratings`` NRS).

    Piecewise linear through (0, 0) and the points (flat at 0 up to the first
    point when it is rated 0), the last slope beyond the last point,
    clipped to [0, 10].  Monotone non-decreasing whenever the points are.

    Raises
    ------
    painsim.errors.ParameterError
        Fewer than two points, rates not strictly increasing and > 0, ratings
        decreasing or outside [0, 10].
    """
    x, y = np.asarray(rates, float).reshape(-1), np.asarray(ratings, float).reshape(-1)
    if x.size < 2 or x.size != y.size or x[0] <= 0 or np.any(np.diff(x) <= 0):
        raise ParameterError("pain map rates", x.tolist(), "two or more rates, > 0 and strictly increasing")
    if np.any(np.diff(y) < 0) or y.min() < 0 or y.max() > 10:
        raise ParameterError("pain map ratings", y.tolist(), "non-decreasing ratings within 0-10")
    r = np.maximum(np.asarray(rate, float), 0.0)
    xs, ys = np.concatenate([[0.0], x]), np.concatenate([[0.0], y])
    slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
    score = np.where(r <= x[-1], np.interp(r, xs, ys), y[-1] + slope * (r - x[-1]))
    score = np.clip(score, 0.0, 10.0)
    return float(score) if np.ndim(score) == 0 else score


def model_pain_score(rate, model):
    """NRS 0-10 of a projection-neuron rate (Hz) by the psychophysical map of ``model``'s ``[readout]``
    (:func:`psychophysics_points`, :func:`nrs_from_rate`)."""
    _, rates, ratings = psychophysics_points(model)
    return nrs_from_rate(rate, rates, ratings)


def unpleasantness_points(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The anchor points of the unpleasantness map of ``model`` (anything with ``.si(path)``):
    (temperatures °C, ACC rates Hz, NRS), one per ``medial.readout.acc_rate_<k>``.

    Temperature ``k`` and its rating are the intensity map's
    (``readout.heat_rating_<k>_celsius``, ``readout.heat_rating_<k>``,
    :func:`psychophysics_points`); the rate is the ACC's at that temperature.

    Raises
    ------
    painsim.errors.ParameterError
        No ACC rate for a rated temperature, or fewer than two points.
    """
    temps, _, ratings = psychophysics_points(model)
    rates = []
    for k in range(1, temps.size + 1):
        try:
            rates.append(float(model.si(f"medial.readout.acc_rate_{k}")))
        except (KeyError, UnknownKeyError):
            raise ParameterError(f"medial.readout.acc_rate_{k}", None,
                                 f"the ACC rate (Hz) at readout.heat_rating_{k}_celsius") from None
    return temps, np.array(rates), ratings


def unpleasantness_score(acc_rate, model):
    """Pain unpleasantness, NRS 0-10, of an anterior-cingulate rate (Hz).

    Piecewise linear through the points of :func:`unpleasantness_points` (and
    (0 Hz, 0)), by :func:`nrs_from_rate`: monotone non-decreasing in the ACC
    rate, 0 at or below the rate of the hottest painless temperature, clipped
    to [0, 10].  ACC activity encodes perceived unpleasantness (Rainville et
    al. 1997 Science 277:968: hypnotic suggestions changed unpleasantness and
    ACC activity, not intensity or S1 activity); the anchoring to heat
    ratings is a calibration, not data on ACC rates (module docstring).

    Parameters
    ----------
    acc_rate : float or array_like
        Mean rate of the ACC excitatory units, Hz.
    model : Model
        Holds ``medial.readout`` and ``readout`` (the pathway models).

    Returns
    -------
    float or numpy.ndarray
        NRS 0-10.
    """
    _, rates, ratings = unpleasantness_points(model)
    return nrs_from_rate(acc_rate, rates, ratings)


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


def responders(relief_fraction, threshold: float) -> np.ndarray:
    """Responder flags: relief (a fraction, 0.3 = 30 %) at least ``threshold``.

    The comparison tolerates rounding (``>= threshold - 1e-12``), so that a relief
    of exactly 30 % counts as a 30 % responder (IMMPACT's ">= 30 %")."""
    return np.asarray(relief_fraction, float) >= threshold - 1e-12


def combined_pain(spinal_score, overactive_fraction, weight_map: float):
    """Pain from spinal output and pain-map overactivity: a convex mix
    ``(1 - weight_map) * spinal + weight_map * 10 * overactive_fraction``."""
    if not 0 <= weight_map <= 1:
        raise ParameterError("weight_map", weight_map, "a weight in [0, 1]")
    return (1 - weight_map) * np.asarray(spinal_score) + weight_map * 10.0 * np.clip(overactive_fraction, 0, 1)


# ------------------------------------------------------------------ map metrics
def map_image(times: np.ndarray, neurons: np.ndarray, n_x: int, n_y: int, start: float, stop: float) -> np.ndarray:
    """Mean rate (Hz) of each S1 unit in [start, stop) as an (n_y, n_x) image.

    Unit ``k`` is at column ``k % n_x`` and row ``k // n_x``.
    """
    if stop <= start:
        raise ParameterError("stop", stop, f"a window end after its start ({start} s)")
    sel = (times >= start) & (times < stop)
    counts = np.bincount(np.asarray(neurons)[sel].astype(np.int64), minlength=n_x * n_y)[:n_x * n_y]
    return (counts / (stop - start)).reshape(n_y, n_x)


def _check_map(rates) -> np.ndarray:
    r = np.asarray(rates, float)
    if r.ndim != 2:
        raise ParameterError("rates", r.shape, "a 2-D map image (rows y, columns x)")
    return r


def active_area(rates, threshold: float, spacing: float) -> float:
    """Area (spacing units squared) of the units whose rate exceeds ``threshold``."""
    r = _check_map(rates)
    if spacing <= 0:
        raise ParameterError("spacing", spacing, "a grid spacing > 0")
    return float(np.count_nonzero(r > threshold)) * spacing ** 2


def map_centroid(rates, threshold: float, spacing: float) -> tuple[float, float]:
    """Rate-weighted centroid (x, y) of the units above ``threshold``; (nan, nan) if none."""
    r = _check_map(rates)
    w = np.where(r > threshold, r, 0.0)
    total = w.sum()
    if total <= 0:
        return float("nan"), float("nan")
    ys, xs = np.indices(r.shape)
    return float((w * xs).sum() / total * spacing), float((w * ys).sum() / total * spacing)


def site_territories(site_maps, threshold: float) -> np.ndarray:
    """Label image: for each unit, the site (index along axis 0 of ``site_maps``,
    shape (n_sites, n_y, n_x)) that drives it most, or -1 where no site drives
    it above ``threshold``.  Ties go to the lower site index."""
    m = np.asarray(site_maps, float)
    if m.ndim != 3:
        raise ParameterError("site_maps", m.shape, "an array (n_sites, n_y, n_x) of map images")
    best = np.argmax(m, axis=0)
    return np.where(m.max(axis=0) > threshold, best, -1)


def site_areas(site_maps, threshold: float, spacing: float) -> np.ndarray:
    """Area each site occupies (winner-take-all territories, see :func:`site_territories`)."""
    lab = site_territories(site_maps, threshold)
    n = np.asarray(site_maps).shape[0]
    return np.array([np.count_nonzero(lab == s) for s in range(n)], float) * spacing ** 2


# ------------------------------------------------------------------ spike selection
def population_spikes(result, population: str, condition: int | None = None, *, sort: bool = False):
    """One population's spikes from a result Dataset (ragged ``spike_*`` variables).

    Parameters
    ----------
    result : xarray.Dataset
        A result of :func:`painsim.simulate` (or a combined experiment result).
    population : str
        Population name as listed in ``spike_population``'s ``flag_meanings``.
    condition : int, optional
        For combined experiment results: keep only this condition's spikes.
    sort : bool
        Return the spikes in time order (stable) as float64 times and int64
        indices, with the population size as a third element.

    Returns
    -------
    times, neurons : numpy.ndarray
        Spike times (s) and neuron indices within the population; with
        ``sort=True`` also the population size.
    """
    names = result["spike_population"].attrs["flag_meanings"].split()
    if population not in names:
        raise UnknownKeyError(population, names, what="population")
    sel = result["spike_population"].values == names.index(population)
    if condition is not None and "spike_condition" in result:
        sel &= result["spike_condition"].values == condition
    t = result["spike_time"].values[sel]
    i = result["spike_neuron"].values[sel]
    if not sort:
        return t, i
    t = np.asarray(t, float)
    i = np.asarray(i, np.int64)
    order = np.argsort(t, kind="stable")
    return t[order], i[order], int(result["population_size"].values[names.index(population)])


# ------------------------------------------------------------------ paresthesia
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


def _chance_volleys(t: np.ndarray, i: np.ndarray, first: np.ndarray, member: np.ndarray, start: float,
                    stop: float, k: int, window: float, n_surrogates: int, seed: int) -> float:
    """Volleys expected from the asynchronous background of a sorted spike train
    (:func:`paresthesia`): the mean count of ``n_surrogates`` independent-Poisson
    surrogates at the background rates; NaN where the background is not
    identified."""
    size = int(i.max()) + 1
    total = np.bincount(i, minlength=size).astype(float)
    outside = np.bincount(i[~member], minlength=size).astype(float)
    uncovered = _uncovered(t[first], start, stop, window)
    rng = np.random.default_rng(seed)
    surrogates = []
    for _ in range(n_surrogates):
        # each neuron's spikes placed independently and uniformly in [start, stop)
        # (homogeneous Poisson given the count); marks thin them to a lower rate,
        # the same marks at every evaluation (common random numbers)
        ts = rng.uniform(start, stop, i.size)
        marks = rng.uniform(0.0, 1.0, i.size)
        order = np.argsort(ts, kind="stable")
        surrogates.append((ts[order], i[order], marks[order]))

    def null(background):
        """Mean volley count of the surrogates, their mean spikes outside volleys per
        neuron rescaled to the data's uncovered time, and the variance of that count
        summed over neurons."""
        keep_p = np.divide(background, total, out=np.zeros(size), where=total > 0)
        count, rests = 0, []
        for ts, js, marks in surrogates:
            keep = marks < keep_p[js]
            ts_k, js_k = ts[keep], js[keep]
            f, mem = _volleys(ts_k, js_k, k, window)
            count += f.size
            free = _uncovered(ts_k[f], start, stop, window)
            # outside spikes per uncovered second, times the data's uncovered time:
            # the data's volleys that are not chance cover time whose background
            # spikes they absorb; the null has no such volleys, so densities compare
            rests.append(np.bincount(js_k[~mem], minlength=size) * (uncovered / free if free > 0 else 0.0))
        rests = np.array(rests)
        return count / n_surrogates, rests.mean(axis=0), float(rests.sum(axis=1).var())

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
    each as a homogeneous Poisson process (surrogates: the neuron's spikes placed
    uniformly in ``[start, stop)``, then thinned), at the background rate of each
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

    Two chance levels fail this and are not used:

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
      higher rates less still.

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
    (ten neurons, ``fraction = 0.5``, 2 ms, 2 s, measured): independent firing
    reads 0-5 volleys/s up to 150 Hz per neuron and NaN from 200 Hz; 50 Hz
    volleys read 46-61 on a 50-100 Hz background when each volley's spikes
    coincide and 53-77 when they spread over 1 ms (split volleys), ~35-53 on
    125-150 Hz, and NaN on 200 Hz and above.
    """
    n_neurons = whole(n_neurons, "n_neurons", 0)
    start = number(start, "start", allowed="a finite start time (s)")
    stop = number(stop, "stop", lo=start, allowed=f"a finite stop time (s) >= start = {start!r}")
    window = number(window, "window", lo=0.0, lo_open=True, allowed="a coincidence window > 0 s (finite)")
    fraction = number(fraction, "fraction", lo=0.0, hi=1.0, lo_open=True, allowed="a fraction in (0, 1]")
    n_surrogates = whole(n_surrogates, "n_surrogates", 0)
    seed = whole(seed, "seed", 0)
    t = np.asarray(times, float).ravel()
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


__all__ += ["paresthesia"]
