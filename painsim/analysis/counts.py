"""Spike counts of one population of a result, per pulse or per neuron (formerly part of :mod:`painsim.analysis`).

Spikes per neuron after each pulse onset (:func:`spikes_per_pulse`: the
per-pulse responses of wind-up, ``painsim validate`` and the QST wind-up test)
and spikes of each neuron over the whole result (:func:`neuron_spike_counts`),
optionally of one body site's block of neurons.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..checks import floats, number, whole
from ..errors import ParameterError
from ..io import combined_dims
from ..readouts import population_spikes, site_block
from .selections import result_duration

__all__ = ["spikes_per_pulse", "neuron_spike_counts"]


def spikes_per_pulse(result: xr.Dataset, onsets, window: float, population: str = "PN",
                     site: int | None = None, n_sites: int = 1) -> np.ndarray:
    """Spikes per neuron of ``population`` in ``[onset, onset + window)`` after each pulse onset (s).

    With ``site``, only the neurons of that body site count (:func:`painsim.readouts.site_block`;
    ``n_sites`` equal blocks for a result that does not record its layout); per neuron of the
    counted block.  The per-pulse responses of wind-up (:func:`windup_ratio`; ``painsim validate``;
    the QST wind-up test) are counted here.

    Parameters
    ----------
    result : xarray.Dataset
        A result of :func:`painsim.simulate` with spikes and ``population_size`` and a duration
        (:func:`painsim.analysis.result_duration`): one point (a combined result holding several
        is refused: select one with :func:`painsim.io.point`).
    onsets : array_like
        Pulse onsets, s: a 1-D sequence, each in ``[0, duration)`` of the run.
    window : float
        Counting window after each onset, s; ``onset + window`` must not pass the end of the run.
        Unlike :func:`painsim.analysis.evoked_response`, which averages a train and leaves out
        its pulses whose windows pass the run's ends, each onset here gives its own count, so one
        outside the recording (an onset in ms, a later protocol's) is refused rather than read as 0.
    population : str
        Population name (default ``"PN"``, the projection neurons).
    site : int, optional
        Body site whose block of neurons is counted (default all neurons).
    n_sites : int
        Body sites, for a result that does not record its layout (default 1).

    Returns
    -------
    numpy.ndarray
        Spikes per neuron in each window, one value per onset.

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``population`` is not in ``result``.
    painsim.errors.ParameterError
        ``site`` given for a population not laid out by body site, or not one of its sites (a whole
        number from 0); ``n_sites`` not a whole number >= 1; ``window`` not a finite number > 0 s,
        or passing the end of the run from the last onset; ``onsets`` not a 1-D sequence of finite
        numbers, or outside ``[0, duration)`` of the run; ``result`` without a duration, or holding
        several points (a result combined over ``condition``, ``batch``, ...: naming ``result``).
    """
    window = number(window, "window", lo=0.0, lo_open=True, allowed="a counting window > 0 s (finite)")
    allowed = "pulse onsets in s: a 1-D sequence of finite numbers (one onset: [t])"
    onsets = floats(onsets, "onsets", allowed)
    if onsets.ndim != 1:
        raise ParameterError("onsets", f"an array of shape {onsets.shape}", allowed)
    if not np.all(np.isfinite(onsets)):
        raise ParameterError("onsets", "entries that are not finite numbers", allowed)
    _one_point(result)
    _within_run(result, onsets, window)
    t, i, size = population_spikes(result, population, sort=True)
    if site is not None:
        n, site = _site_block(result, population, n_sites, site, size)
        t = t[(i // n) == site]
    else:
        n = max(size, 1)
    return np.array([np.count_nonzero((t >= o) & (t < o + window)) for o in onsets], float) / n


#: Rounding allowed at the ends of the run (s): an onset plus a window computed as the run's length.
_END_SLACK = 1e-9


def _within_run(result: xr.Dataset, onsets: np.ndarray, window: float) -> None:
    """Refuse onsets outside ``[0, duration)`` of ``result`` (:func:`result_duration`) and a window that
    runs past its end from the last onset: their spikes were never recorded, so they would count as 0."""
    try:
        duration = result_duration(result)
    except ParameterError as e:
        raise e.renamed("result") from None
    outside = onsets[(onsets < -_END_SLACK) | (onsets >= duration)]
    if outside.size:
        raise ParameterError("onsets", f"{outside[0]:g} s ({outside.size} of {onsets.size} outside the run)",
                             f"onsets in s within the recording: 0 <= onset < {duration:g} s (its duration)")
    if onsets.size and onsets.max() + window > duration + _END_SLACK:
        raise ParameterError("window", window, f"a window > 0 s that ends within the recording ({duration:g} s) "
                                               f"from the last onset ({onsets.max():g} s): at most "
                                               f"{duration - onsets.max():g} s")


def neuron_spike_counts(result: xr.Dataset, population: str = "PN", site: int | None = None,
                        n_sites: int = 1) -> np.ndarray:
    """Spikes of each neuron of ``population`` over the whole result; with ``site``, only that body
    site's block of neurons (as :func:`spikes_per_pulse` reads them).

    Parameters
    ----------
    result : xarray.Dataset
        A result of :func:`painsim.simulate` with spikes and ``population_size``: one point (a
        combined result holding several is refused: select one with :func:`painsim.io.point`).
    population : str
        Population name (default ``"PN"``).
    site : int, optional
        Body site whose block of neurons is counted (default all neurons).
    n_sites : int
        Body sites, for a result that does not record its layout (default 1).

    Returns
    -------
    numpy.ndarray
        Spike count of each neuron (int), indexed within the population, or within the
        site's block with ``site``.

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``population`` is not in ``result``.
    painsim.errors.ParameterError
        ``site`` given for a population not laid out by body site, or not one of its sites (a whole
        number from 0); ``n_sites`` not a whole number >= 1; ``result`` holds several points.
    """
    _one_point(result)
    _, i, size = population_spikes(result, population, sort=True)
    if site is None:
        return np.bincount(i, minlength=size)
    n, site = _site_block(result, population, n_sites, site, size)
    return np.bincount(i[i // n == site] - site * n, minlength=n)


def _one_point(result: xr.Dataset) -> None:
    """Refuse a result holding several points (:func:`painsim.io.combine`), naming ``result``: counts
    per neuron of their pooled spikes would add up the points (a point sliced with ``.sel`` is
    population_spikes' to refuse, check_whole)."""
    several = [d for d in combined_dims(result) if result.sizes[d] > 1]
    if several:
        dim = several[0]
        raise ParameterError("result", f"a result combined over {dim!r} ({result.sizes[dim]} points)",
                             "one point (the counts are per neuron of one run)",
                             hint=f"select point k with painsim.io.point(result, {dim!r}, k)")


def _site_block(result: xr.Dataset, population: str, n_sites: int, site, size: int) -> tuple[int, int]:
    """Neurons per site of ``population`` (:func:`painsim.readouts.site_block`) and ``site`` checked
    against its sites (``size`` neurons); a population that is not laid out by site has no ``site`` to
    select, and a site beyond its blocks would count no spike."""
    n_sites = whole(n_sites, "n_sites", 1, allow_float=True)
    site = whole(site, "site", 0, allow_float=True)
    n = site_block(result, population, n_sites)
    if n == 0:
        raise ParameterError("site", site, f"None: {population} is not laid out by body site")
    if site >= max(size // n, 1):
        raise ParameterError("site", site, f"a body site of {population}: 0 to {max(size // n, 1) - 1}")
    return n, site
