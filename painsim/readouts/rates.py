"""Population rates, the gate index and spike selection (formerly part of :mod:`painsim.readouts`).

Rates per neuron over a window (:func:`mean_rate`), per body site
(:func:`site_rates`, :func:`site_block`) and in bins (:func:`binned_rate`);
the start of the readout window (:func:`readout_start`); the inhibitory share
of the projection neurons' synaptic drive (:func:`gate_index`); one
population's spikes from a result (:func:`population_spikes`).  Pure numpy.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ..checks import floats, number, whole
from ..units import to_si
from ..errors import ParameterError, UnknownKeyError
from ..io import check_whole, combined_dims

__all__ = ["readout_start", "window_start", "site_rates", "binned_rate", "site_block", "mean_rate", "gate_index", "population_spikes",
           "MIN_READOUT_WINDOW"]

#: Shortest readout window after ``readout.transient`` (s) that :func:`readout_start` takes
#: without a warning.  Chosen: 100 ms, the shortest window of the built-in experiments, the
#: validation and the tests (0.4 s runs after the 300 ms transient); in it one spike moves a
#: neuron's rate by 10 Hz, already coarse beside the 15 Hz S1 overactivity threshold
#: (``readout.map_overactive_rate``), and a run just longer than the transient would be scored
#: on a sliver of it (0.3001 s: 0.1 ms, where a neuron reads 0 or 10 kHz).
MIN_READOUT_WINDOW = 0.1


def binned_rate(times: np.ndarray, n_neurons: int, duration: float, bin: float) -> tuple[np.ndarray, np.ndarray]:
    """Population rate (Hz per neuron) in bins of ``bin`` s; returns (bin centres, rates).

    Parameters
    ----------
    times : numpy.ndarray
        Spike times of the population, s.
    n_neurons : int
        Neurons in the population (a whole number >= 0; a population of 0 neurons has no spikes
        and reads 0 Hz in every bin).
    duration : float
        Length of the run, s (finite, > 0): bins start at 0 and the last one ends at
        ``duration`` (a shorter last bin is divided by its own width).
    bin : float
        Bin width, s (finite, > 0).

    Returns
    -------
    centres : numpy.ndarray
        Bin centres, s (of full-width bins, also for a shorter last one).
    rates : numpy.ndarray
        Rate per neuron in each bin, Hz.

    Raises
    ------
    painsim.errors.ParameterError
        ``bin`` or ``duration`` not a finite number > 0; ``n_neurons`` not a whole number >= 0,
        or 0 with spikes in [0, ``duration``) (as :func:`mean_rate`).
    """
    if not (_finite(bin) and bin > 0):
        raise ParameterError("bin", bin, "a bin width > 0 s (finite)")
    if not (_finite(duration) and duration > 0):
        raise ParameterError("duration", duration, "a run length > 0 s (finite)")
    n_neurons = whole(n_neurons, "n_neurons", 0, allow_float=True)
    if n_neurons == 0 and np.any(np.asarray(times, float) < duration):
        k = int(np.count_nonzero(np.asarray(times, float) < duration))
        raise ParameterError("n_neurons", 0, f"the size of the population that fired these {k} spikes")
    n_bins = max(int(np.ceil(duration / bin - 1e-9)), 1)
    edges = np.arange(n_bins + 1) * bin
    times = np.asarray(times, float)
    counts, _ = np.histogram(times[times < duration], edges)  # histogram closes its last bin: [0, duration)
    widths = np.diff(np.minimum(edges, duration))
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(widths > 0, counts / (max(n_neurons, 1) * widths), 0.0)
    return edges[:-1] + bin / 2, rates


def site_block(result, population: str, n_sites: int = 1, condition: int | None = None) -> int:
    """Neurons per body site of ``population`` in ``result``: neuron ``i`` is at site
    ``i // site_block``; 0 for a population not laid out by site (the S1 sheet, the PAG/RVM).
    Read from the result's ``population_site_neurons``; a result written before it had them is
    taken as ``n_sites`` equal blocks of its ``population_size``.

    Parameters
    ----------
    result : xarray.Dataset
        A result with spikes and ``population_size``; a combined result
        (:func:`painsim.io.combine`) over ``condition`` and/or other dimensions (``batch``, ...).
    population : str
        Population name.
    n_sites : int
        Body sites, for a result without ``population_site_neurons`` (default 1).
    condition : int, optional
        Of a result combined over ``condition``, the condition whose layout is read (0 to its
        number of conditions - 1); without it, the block every condition shares.  Refused for a
        result combined over other dimensions only, and, unless 0, for a single result (as
        :func:`population_spikes`).

    Returns
    -------
    int
        Neurons per site (>= 1 for a result without ``population_site_neurons``): of
        ``condition``, or the one all points of a combined result share.

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``population`` is not in ``result``.
    painsim.errors.ParameterError
        ``condition`` is not a condition index of a result combined over ``condition`` (or is
        given for a result combined over other dimensions only, or is not 0 for a single
        result); without ``condition``, the conditions differ in the block of ``population`` (naming
        ``condition``); ``condition`` lacks ``population`` (another model's condition); the
        points along another stacked dimension (``batch``, ...) differ in it (naming ``result``:
        read one point, e.g. ``result.isel(batch=0)``).
    """
    if "population_site_neurons" not in result:
        size = _population_size(result, population, _condition_index(result, condition))
        return max(size // max(int(n_sites), 1), 1)
    var = result["population_site_neurons"]
    names = [str(p) for p in var["population"].values]
    if population not in names:
        raise UnknownKeyError(population, names, what="population")
    return _shared(var.sel(population=population), population, _condition_index(result, condition),
                   "neurons per site")


def mean_rate(times: np.ndarray, n_neurons: int, start: float, stop: float) -> float:
    """Mean rate per neuron (Hz) of the spikes in [start, stop) of ``n_neurons`` (a whole number >= 0;
    a population of 0 neurons, which model files allow, e.g. ``cortex.populations.n_m1 = 0``, has no
    spikes and reads 0 Hz).

    Parameters
    ----------
    times : array_like
        Spike times of the population, s (a 1-D sequence of finite numbers).
    n_neurons : int
        Neurons in the population (a whole number >= 0; a whole float is accepted).
    start, stop : float
        The window, s (finite numbers, ``stop > start``).

    Returns
    -------
    float
        Spikes per neuron and second, Hz (0 for 0 neurons).

    Raises
    ------
    painsim.errors.ParameterError
        ``times`` not a 1-D sequence of finite numbers, ``n_neurons`` not a whole number >= 0,
        ``start`` or ``stop`` not a finite number (NaN read NaN and an infinite end 0 Hz),
        ``stop <= start``, or spikes in the window of a population of 0 neurons.
    """
    return _window_rate(_spike_times(times), whole(n_neurons, "n_neurons", 0, allow_float=True), start, stop)


def _window_rate(times: np.ndarray, n_neurons: int, start, stop) -> float:
    """:func:`mean_rate` of spike times and a neuron count already checked (``site_rates`` checks
    them once for all its sites)."""
    if not _finite(start):
        raise ParameterError("start", start, "a finite window start (s)")
    if not _finite(stop):
        raise ParameterError("stop", stop, f"a finite window end after its start ({start} s)")
    if stop <= start:
        raise ParameterError("stop", stop, f"a window end after its start ({start} s)")
    k = np.count_nonzero((times >= start) & (times < stop))
    if n_neurons == 0 and k:
        raise ParameterError("n_neurons", 0, f"the size of the population that fired these {k} spikes")
    return k / (n_neurons * (stop - start)) if n_neurons else 0.0


def readout_start(model, duration: float) -> float:
    """Start of a simulation's readout window: ``readout.transient``, or 0 when the run is
    not longer than the transient.

    A run longer than the transient by less than :data:`MIN_READOUT_WINDOW` (100 ms) is still
    read after the transient, but with a ``UserWarning`` naming the window: its rates rest on a
    few spikes at most (a 0.3001 s run is read over 0.1 ms).  Runs not longer than the transient,
    or longer by at least the minimum, are read as before, without a warning.

    Parameters
    ----------
    model : painsim.params.Model
        The model (``readout.transient``).
    duration : float
        Length of the run, s.

    Returns
    -------
    float
        Start of the window, s.

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``model`` has no ``readout.transient``.
    painsim.errors.ParameterError
        ``duration`` not a length > 0 s (a number in s, or a time such as ``"0.5 s"``).

    Warns
    -----
    UserWarning
        The window after the transient is shorter than :data:`MIN_READOUT_WINDOW`.
    """
    duration = _run_length(duration)
    t0 = model.si("readout.transient")
    if t0 < duration and duration - t0 < MIN_READOUT_WINDOW * (1 - 1e-9):  # 0.4 - 0.3 s is 0.1 s, not less
        # stacklevel 1: one warning per window, not one per layer that reads it
        warnings.warn(f"painsim: a run of {duration:g} s is read over its last {(duration - t0) * 1e3:.3g} ms only, "
                      f"after readout.transient = {t0:g} s; rates over less than {MIN_READOUT_WINDOW * 1e3:g} ms rest "
                      f"on a few spikes (run at least {t0 + MIN_READOUT_WINDOW:g} s, or at most {t0:g} s to read it "
                      "whole)", UserWarning, stacklevel=1)
    return window_start(model, duration)


def window_start(model, duration: float) -> float:
    """Start of a simulation's readout window, s: ``readout.transient`` of ``model`` when the run of
    ``duration`` s is longer than it, else 0 (the run is read whole).  :func:`readout_start` without
    its warning (its parameters and errors), for the record a result keeps:
    ``attrs["readout_start_s"]``."""
    t0 = model.si("readout.transient")
    duration = _run_length(duration)
    return t0 if t0 < duration else 0.0


def _run_length(duration) -> float:
    """A run's length in s: a number in s or a time quantity (``"0.5 s"``, ``0.5*second``), > 0."""
    value = float(duration) if isinstance(duration, numbers.Real) and not isinstance(duration, bool) else \
        to_si(duration, "s", "duration")
    if not (math.isfinite(value) and value > 0):
        raise ParameterError("duration", duration, "a run's length > 0 s (a number in s, or a time)")
    return value


def site_rates(times: np.ndarray, neurons: np.ndarray, n_sites: int, per_site: int,
               start: float, stop: float) -> np.ndarray:
    """Mean rate per neuron (Hz) in [start, stop) of each body site's block of ``per_site``
    neurons (neuron ``i`` belongs to site ``i // per_site``).

    Parameters
    ----------
    times : array_like
        Spike times of the population, s (a 1-D sequence of finite numbers).
    neurons : array_like
        Neuron index of each spike (whole numbers 0 to ``n_sites * per_site - 1``, one per spike).
    n_sites : int
        Body sites (a whole number >= 1).
    per_site : int
        Neurons per site (a whole number >= 0).
    start, stop : float
        The window, s (``stop > start``).

    Returns
    -------
    numpy.ndarray
        Rate of each site, Hz (``n_sites`` values).

    Raises
    ------
    painsim.errors.ParameterError
        ``times`` not a 1-D sequence of finite numbers; ``neurons`` not whole numbers, not one per
        spike, or an index outside the ``n_sites * per_site`` neurons; ``n_sites`` not a whole
        number >= 1; as :func:`mean_rate`: ``stop <= start``, or ``per_site`` not a whole number
        >= 0 (or 0 with spikes in the window).
    """
    times = _spike_times(times)
    n_sites = whole(n_sites, "n_sites", 1, allow_float=True)
    per_site = whole(per_site, "per_site", 0, allow_float=True)
    allowed = f"neuron indices of the spikes: whole numbers 0 to {n_sites * per_site - 1}, one per spike time"
    neurons = floats(neurons, "neurons", allowed)
    if neurons.shape != times.shape:
        raise ParameterError("neurons", f"{neurons.size} indices (shape {neurons.shape}) for {times.size} spike times",
                             allowed)
    wrong = neurons[~np.isfinite(neurons) | (neurons != np.round(neurons)) | (neurons < 0)
                    | ((neurons >= n_sites * per_site) if per_site else False)]
    if wrong.size:
        raise ParameterError("neurons", f"{wrong[0]:g} ({wrong.size} of {neurons.size})", allowed)
    site = neurons.astype(np.int64) // max(per_site, 1)
    return np.array([_window_rate(times[site == s], per_site, start, stop) for s in range(n_sites)])


def _spike_times(times) -> np.ndarray:
    """``times`` as a 1-D float array of finite spike times (s), refused naming ``times`` otherwise."""
    allowed = "spike times in s: a 1-D sequence of finite numbers"
    out = floats(times, "times", allowed)
    if out.ndim != 1:
        raise ParameterError("times", f"an array of shape {out.shape}", allowed)
    if not np.all(np.isfinite(out)):
        raise ParameterError("times", f"{out[~np.isfinite(out)][0]} ({np.count_nonzero(~np.isfinite(out))} "
                                      f"of {out.size})", allowed)
    return out


def gate_index(inhibitory_drive: float, excitatory_drive: float) -> float:
    """Inhibitory share of the synaptic drive onto projection neurons (0 open - 1 closed).

    Parameters
    ----------
    inhibitory_drive, excitatory_drive : float
        Time integrals of conductance (S s, :func:`painsim.circuits.dorsal_horn.pn_drives`),
        each >= 0 (a negative one would put the share outside 0-1); both 0 gives 0.

    Returns
    -------
    float
        ``inhibitory / (inhibitory + excitatory)``, 0-1.

    Raises
    ------
    painsim.errors.ParameterError
        A drive that is not a finite number >= 0 (a string, a bool, a quantity with a unit).
    """
    allowed = "a synaptic drive >= 0 (a time integral of conductance, S s)"
    inhibitory_drive = number(inhibitory_drive, "inhibitory_drive", lo=0, allowed=allowed)
    excitatory_drive = number(excitatory_drive, "excitatory_drive", lo=0, allowed=allowed)
    total = inhibitory_drive + excitatory_drive
    return float(inhibitory_drive / total) if total > 0 else 0.0


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
        For combined experiment results (over ``condition``, with ``spike_condition``): keep
        only this condition's spikes, and with ``sort=True`` give this condition's population
        size.  A result combined over another dimension (``batch``, ``dose``, ...) has no
        condition to select (select its point with :func:`painsim.io.point`); a single result is
        condition 0.  Without it, the spikes of every point of a combined result.
    sort : bool
        Return the spikes in time order (stable) as float64 times and int64
        indices, with the population size as a third element.

    Returns
    -------
    times, neurons : numpy.ndarray
        Spike times (s) and neuron indices within the population; with
        ``sort=True`` also the population size (of ``condition`` in a combined result; without
        ``condition``, the size all its conditions share).

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``population`` is not among the result's populations.
    painsim.errors.ParameterError
        ``condition`` is not a condition index of a combined result (0 to its number of
        conditions - 1), is given for a result combined over another dimension (alone or besides
        ``condition``), or is not 0
        for a single result; or, with ``sort=True`` and no ``condition``, the conditions of a
        combined result differ in the size of ``population`` (naming ``condition``); with
        ``sort=True``, ``condition`` lacks ``population`` (another model's condition), or the
        points along another stacked dimension (``batch``, ...) differ in its size (naming
        ``result``); ``result`` is one point selected with ``.sel``/``.isel`` from a combined
        result, whose spikes are still every point's (:func:`painsim.io.point` selects one with
        its own spikes; naming ``result``).
    """
    # one point sliced from a combined result keeps every point's spikes
    check_whole(result, instead={"condition": "pass the combined result with condition=k"})
    names = result["spike_population"].attrs["flag_meanings"].split()
    if population not in names:
        raise UnknownKeyError(population, names, what="population")
    combined = "spike_condition" in result
    condition = _condition_index(result, condition)
    others = [d for d in combined_dims(result) if d != "condition"]
    if combined and condition is not None and others:  # spike_condition alone: that condition of every point
        raise ParameterError("condition", condition, f"None: this result is combined over {others[0]!r} as well as "
                             f"'condition' (the condition's spikes of every {others[0]} would be read together)",
                             hint=f"select its point k with painsim.io.point(result, {others[0]!r}, k), then read "
                             "its condition")
    sel = result["spike_population"].values == names.index(population)
    if combined and condition is not None:
        sel &= result["spike_condition"].values == condition
    t = result["spike_time"].values[sel]
    i = result["spike_neuron"].values[sel]
    if not sort:
        return t, i
    t = np.asarray(t, float)
    i = np.asarray(i, np.int64)
    order = np.argsort(t, kind="stable")
    return t[order], i[order], _population_size(result, population, condition if combined else None)


def _finite(value) -> bool:
    """Whether ``value`` is a finite real number (a numpy scalar or 0-d array too), not a bool."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    return isinstance(value, numbers.Real) and math.isfinite(value)


def _condition_index(result, condition: int | None) -> int | None:
    """``condition`` checked against a result combined over ``condition`` (a whole number 0 to its
    number of conditions - 1); None stays None.  Refused for a result combined over other dimensions
    only (a condition does not select a batch or dose point: its spikes would be every point's), and,
    for a single result, unless 0 (its one point; None is returned: nothing to select)."""
    if condition is None:
        return None
    condition = whole(condition, "condition", 0)
    if "condition" not in result.dims:
        others = combined_dims(result)
        if others:
            raise ParameterError("condition", condition, f"None: this result is combined over {others[0]!r}, "
                                 "not over 'condition'", hint=f"select its point k with painsim.io.point(result, "
                                 f"{others[0]!r}, k), then read it without a condition")
        if condition != 0:
            raise ParameterError("condition", condition, "0 or None: a single result is one point (not "
                                 "combined over 'condition')")
        return None
    n_conditions = result.sizes["condition"]
    if condition >= n_conditions:
        raise ParameterError("condition", condition, f"a condition index 0 to {n_conditions - 1}")
    return condition


def _population_size(result, population: str, condition: int | None) -> int:
    """Neurons of ``population``: of ``condition`` in a result combined over ``condition``; without
    it, the size every point of the result shares (one point: its size)."""
    size = result["population_size"]
    if "population" in size.coords:
        names = [str(p) for p in size["population"].values]
        if population not in names:
            raise UnknownKeyError(population, names, what="population")
        size = size.sel(population=population)
    else:  # positions as in spike_population's flag_meanings
        names = result["spike_population"].attrs["flag_meanings"].split()
        if population not in names:
            raise UnknownKeyError(population, names, what="population")
        size = size.isel(population=names.index(population))
    return _shared(size, population, condition, "the size")


def _shared(var, population: str, condition: int | None, what: str) -> int:
    """The one value of ``var`` (``population``'s entry of a per-point variable): of ``condition``
    where ``var`` is over ``condition``, else the value every point shares.  Refused, naming
    ``condition``, when the conditions differ (no ``condition`` given) or ``condition`` lacks the
    population (NaN: another model's condition), naming ``result`` when the points along another
    stacked dimension differ."""
    if condition is not None and "condition" in var.dims:
        var = var.isel(condition=condition)
    values = np.asarray(var.values, float)
    distinct = np.unique(values.ravel())
    if distinct.size == 1 and np.isfinite(distinct[0]):
        return int(distinct[0])
    if condition is not None and not np.isfinite(values).any():
        raise ParameterError("condition", condition, f"a condition that has population {population!r}")
    varying = [d for axis, d in enumerate(var.dims)
               if not np.array_equal(values, np.take(values, [0] * values.shape[axis], axis), equal_nan=True)]
    shown = distinct.tolist()
    if not varying:  # one point, without the population (not written by painsim)
        raise ParameterError("population", population, "a population that this result has neurons of")
    if "condition" in varying:
        raise ParameterError("condition", condition, f"a condition index: the conditions of this result differ "
                             f"in {what} of population {population!r} ({shown})")
    dims = tuple(varying)
    raise ParameterError("result", f"a result stacked along {dims}", f"one point, or points that share {what} "
                         f"of population {population!r} (these have {shown})",
                         hint=f"select one point first, e.g. result.isel({dims[0]}=0)")
