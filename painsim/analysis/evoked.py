"""The evoked response to a test electrode's pulses: the SEP collision test (formerly part of :mod:`painsim.analysis`).

The time-locked response of a population with its pre-pulse baseline removed
(:func:`evoked_response`), in the window of the slowest Aβ conduction to the
dorsal column nuclei (:func:`sep_window`), at one point (:func:`point_evoked`)
or per condition of an experiment (:func:`sep_metrics`; Urasaki et al. 2014
Neuromodulation 17:746: the SEP to peripheral nerve pulses falls when SCS
impulses collide with them).
"""
from __future__ import annotations

import json
from typing import Iterable

import numpy as np
import xarray as xr

from ..checks import number
from ..circuits.dorsal_horn import stimulus_sites
from ..errors import ParameterError
from ..params import Model, load_model
from ..readouts import population_spikes
from ..stimulation import Waveform
from .selections import condition_devices, conditions_result, experiment_conditions, result_duration

__all__ = ["evoked_response", "sep_window", "sep_min_interval", "sep_metrics", "sep_electrode", "point_evoked", "PSTH_EDGES",
           "TEST_TARGETS", "RELAY_MARGIN"]


#: Targets of a test electrode whose pulses :func:`sep_metrics` locks to (the posterior tibial
#: nerve of the SEP collision test: an electrode at the receptive field in the model).
TEST_TARGETS = ("peripheral_nerve", "skin")
#: Chosen: time added to the slowest Aβ fibre's conduction to the dorsal column nuclei for the
#: synapse and the relay cells' response (a volley fires them within ~1-2 ms; 5 ms is generous).
RELAY_MARGIN = 5e-3


def evoked_response(times, onsets, window: float, n_neurons: int, duration: float) -> float:
    """Time-locked response of a population to pulses: its spikes per neuron and pulse in
    ``[o, o + window)`` minus those in ``[o - window, o)``, the activity the pulses do not
    lock (another device's, spontaneous), averaged over the pulses whose two windows lie in
    ``[0, duration]``; nan without such a pulse or neuron.  An evoked potential is this
    average over stimuli with its pre-stimulus baseline removed.

    The window may be at most half the shortest interval between pulses: a longer baseline
    window reaches back into the previous pulse's response window and removes it (a 20-ms
    window at 50 Hz reads a locked response as ~0).  Pulses whose windows pass the run's ends
    are left out of the average (a train's last pulses; :func:`painsim.analysis.spikes_per_pulse`,
    which gives one count per onset, refuses them instead).

    Parameters
    ----------
    times : array_like
        Spike times of the population, s (any order).
    onsets : array_like
        Pulse onsets, s.
    window : float
        Response window after each onset (and baseline window before it), s: > 0 and at most
        half the shortest interval between two of ``onsets``.
    n_neurons : int
        Neurons in the population, >= 0 (the spikes are counted per neuron).
    duration : float
        Length of the run, s: a pulse counts only if ``[o - window, o + window]`` lies in
        ``[0, duration]``.

    Returns
    -------
    float
        Spikes per neuron and pulse above the baseline (negative if the pulses suppress
        firing); nan without a counted pulse or with ``n_neurons == 0``.

    Raises
    ------
    painsim.errors.ParameterError
        ``window`` not a finite number > 0 s or longer than half the shortest interval between
        pulses, ``duration`` not a finite number >= 0 s,
        ``n_neurons`` not a whole number >= 0, ``times`` or ``onsets`` not numbers (text, bools).
    """
    window = number(window, "window", lo=0.0, lo_open=True, allowed="a response window > 0 s (finite)")
    duration = number(duration, "duration", lo=0.0, allowed="a run length >= 0 s (finite)")
    if isinstance(n_neurons, bool) or not isinstance(n_neurons, (int, np.integer)) or n_neurons < 0:
        raise ParameterError("n_neurons", n_neurons, "a whole number of neurons >= 0")
    o = _times(onsets, "onsets")
    gaps = np.diff(np.unique(o))
    if gaps.size and window > gaps.min() / 2 + 1e-9:  # 1e-9 s: rounding of onsets (0.05 + k * 0.02)
        raise ParameterError("window", window, f"a response window of at most half the shortest interval between "
                                               f"pulses ({gaps.min():g} s): <= {gaps.min() / 2:g} s (a longer one "
                                               "puts the previous pulse's response in the baseline)")
    o = o[(o - window >= 0) & (o + window <= duration)]
    if o.size == 0 or n_neurons == 0:
        return float("nan")
    t = np.sort(_times(times, "times"))
    at = np.searchsorted(t, o)
    after = np.searchsorted(t, o + window) - at
    before = at - np.searchsorted(t, o - window)
    return float(np.mean(after - before)) / n_neurons


def _times(value, name: str) -> np.ndarray:
    """``value`` as a 1-D float array of times (s), refused naming ``name`` if it is not numbers."""
    try:
        a = np.asarray(value, float).reshape(-1) if not isinstance(value, (bool, str, bytes)) else None
    except (TypeError, ValueError):
        a = None
    if a is None:
        raise ParameterError(name, value, "times in s (numbers)")
    return a


def sep_window(model) -> float:
    """Response window of the dorsal column nuclei to a test volley (s): the slowest Aβ fibre's
    conduction from the receptive field to the nuclei (``afferents.conduction_distance`` +
    ``dorsal_column.column_length`` at ``afferents.Abeta.velocity_min``) + :data:`RELAY_MARGIN`.

    Parameters
    ----------
    model : painsim.params.Model
        A model with the dorsal column (``afferents.conduction_distance``,
        ``dorsal_column.column_length``, ``afferents.Abeta.velocity_min``).

    Returns
    -------
    float
        The window, s.

    Raises
    ------
    painsim.errors.ParameterError
        ``model`` not a painsim Model (e.g. a model's name).
    painsim.errors.UnknownKeyError
        ``model`` lacks one of these parameters.
    """
    if not isinstance(model, Model):  # a name would fail on a missing attribute
        raise ParameterError("model", model, "a painsim Model (painsim.load_model(...))")
    path = model.si("afferents.conduction_distance") + model.si("dorsal_column.column_length")
    return path / model.si("afferents.Abeta.velocity_min") + RELAY_MARGIN


#: Bins of the peri-stimulus histogram of :func:`point_evoked` (s): 1 ms from -20 to +40 ms.
PSTH_EDGES = np.arange(-20, 41) * 1e-3  # from integers: the edge at 0 is exactly 0


def sep_electrode(devices, model=None):
    """The one device of ``devices`` with a target in :data:`TEST_TARGETS`, or None (none or several,
    or, given ``model``, one whose pulses come faster than :func:`sep_min_interval`).

    An evoked response is read between pulses: a nerve or skin stimulator at TENS or PNS rates
    (30-100 Hz) is a therapy, not a test electrode (clinical SEPs use a few pulses per second).

    Parameters
    ----------
    devices : iterable of painsim.stimulation.Waveform
        A condition's devices (:func:`painsim.analysis.condition_devices`).
    model : painsim.params.Model, optional
        The point's model: the window its evoked response is read in (:func:`sep_window`).

    Returns
    -------
    painsim.stimulation.Waveform or None
        The test electrode.

    Raises
    ------
    painsim.errors.ParameterError
        ``devices`` not an iterable of waveforms (None, a single waveform, text).
    """
    if isinstance(devices, (str, bytes, Waveform)) or not isinstance(devices, Iterable):
        raise ParameterError("devices", devices, "an iterable of painsim.stimulation.Waveform (a condition's "
                                                 "devices, e.g. [waveform])")
    devices = list(devices)
    for k, w in enumerate(devices):
        if not isinstance(w, Waveform):
            raise ParameterError(f"devices[{k}]", w, "a painsim.stimulation.Waveform")
    tests = [w for w in devices if w.target in TEST_TARGETS]
    if len(tests) != 1:
        return None
    gaps = np.diff(np.unique(tests[0].onsets))
    if model is not None and gaps.size and gaps.min() < sep_min_interval(model) - 1e-9:  # as evoked_response
        return None
    return tests[0]


def sep_min_interval(model) -> float:
    """The shortest interval between test pulses whose evoked response :func:`evoked_response` reads
    (s): two :func:`sep_window` (a window before each pulse, the baseline, and one after it).

    Parameters
    ----------
    model : painsim.params.Model
        As :func:`sep_window`.

    Returns
    -------
    float
        The interval, s (~36 ms in the built-in models: at most ~28 pulses per second).
    """
    return 2 * sep_window(model)


def point_evoked(result: xr.Dataset, model, test, population: str = "DCN", condition: int | None = None,
                 duration: float | None = None) -> tuple[float, float, np.ndarray]:
    """The evoked response of one point (one condition of a combined result) to its test electrode.

    :func:`evoked_response` of ``population`` at the test electrode's body site (of several, the
    painful one if it is among them) to the pulses of ``test`` (a waveform), in the window of
    :func:`sep_window`.

    Parameters
    ----------
    result : xarray.Dataset
        A result with spikes (:func:`painsim.readouts.population_spikes`) and
        ``population_size``; ``population`` is taken as ``body.n_sites`` equal blocks of
        neurons, one per site (the size of the first condition).
    model : painsim.params.Model
        The point's model (``body.n_sites``, ``body.painful_site`` and the parameters of
        :func:`sep_window`).
    test : painsim.stimulation.Waveform
        The test electrode (:func:`sep_electrode`); its ``site`` (default the painful site)
        and ``onsets`` (s) are read.
    population : str
        The responding population (default ``"DCN"``, the dorsal column nuclei).
    condition : int, optional
        Of a combined result, the condition whose spikes are read (default all spikes).
    duration : float, optional
        Length of the run, s (default :func:`painsim.analysis.result_duration`).

    Returns
    -------
    sep : float
        Spikes per neuron and test pulse above the pre-pulse baseline (nan without a pulse whose
        two windows lie inside the run).
    window : float
        The response window (s).
    psth : numpy.ndarray
        Spikes per neuron and test pulse in the bins of :data:`PSTH_EDGES` (nan without a pulse).

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``population`` is not in ``result``, or ``model`` lacks a parameter read.
    painsim.errors.ParameterError
        A site of ``test`` outside the model's body sites.
    """
    duration = result_duration(result) if duration is None else duration
    n_sites = int(model.si("body.n_sites"))
    painful = int(model.si("body.painful_site"))
    sites = stimulus_sites(model, test)
    site = painful if painful in sites else sites[0]
    t, i = population_spikes(result, population, condition)
    per_site = int(np.atleast_1d(result["population_size"].sel(population=population).values)[0]) // n_sites
    window = sep_window(model)
    here = t[i // per_site == site]
    sep = evoked_response(here, test.onsets, window, per_site, duration)
    edges = PSTH_EDGES
    psth = np.full(edges.size - 1, np.nan)
    onsets = test.onsets[(test.onsets + edges[0] >= 0) & (test.onsets + edges[-1] <= duration)]
    if onsets.size:
        lags = (here[None, :] - onsets[:, None]).ravel()
        psth = np.histogram(lags, edges)[0] / (onsets.size * per_site)
    return sep, window, psth


def sep_metrics(ds: xr.Dataset, population: str = "DCN") -> xr.Dataset:
    """The evoked response to each condition's test electrode (analysis only, no simulation).

    The somatosensory evoked potential of a peripheral nerve's pulses, as the SEP collision
    test of spinal cord stimulation reads it (Urasaki et al. 2014 Neuromodulation 17:746
    [checked: abstract]: the cortical SEP to posterior tibial nerve pulses falls when SCS
    impulses collide with the test impulses): per condition, :func:`point_evoked` of
    ``population`` (default the dorsal column nuclei, the first relay of the SEP) to the
    condition's one device with a target in :data:`TEST_TARGETS`.

    Parameters
    ----------
    ds : xarray.Dataset
        A combined experiment result over ``condition`` with spikes; its ``experiment_spec``
        gives each condition's devices, model (default the experiment's ``model``, else
        ``"gate_control"``) and ``params``.
    population : str
        The responding population (default ``"DCN"``).

    Returns
    -------
    xarray.Dataset
        ``sep`` (condition): spikes per neuron and test pulse above the pre-pulse baseline, nan
        for a condition without exactly one test electrode (:func:`sep_electrode`: a nerve or skin
        stimulator faster than :func:`sep_min_interval` is none); ``window`` (condition, s); ``psth``
        (condition, lag): the peri-stimulus time histogram around the test pulses that
        :func:`evoked_response` reads (spikes per neuron and pulse in 1-ms bins from -20 to +40 ms).

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``population`` is not in ``ds``, or a condition names an unknown model or parameter.
    painsim.errors.ParameterError
        ``ds`` (named) not a result over ``condition``; a condition's stimulus, parameters or test
        site refused (:func:`condition_devices`, :meth:`painsim.params.Model.with_params`,
        :func:`point_evoked`).
    painsim.errors.ModelFileError
        A condition's model file cannot be read (:func:`painsim.params.load_model`).
    """
    conditions_result(ds, "sep_metrics")  # a single simulate result raised an AttributeError
    spec = json.loads(ds.attrs.get("experiment_spec", "{}") or "{}")
    conds = experiment_conditions(ds)
    duration = result_duration(ds)
    default_model = spec.get("experiment", {}).get("model", "gate_control")
    sep, windows = np.full(len(conds), np.nan), np.full(len(conds), np.nan)
    edges = PSTH_EDGES
    psth = np.full((len(conds), edges.size - 1), np.nan)
    models: dict = {}   # conditions usually share their model
    for c, cond in enumerate(conds):
        devices = condition_devices(cond)
        if sep_electrode(devices) is None:
            continue
        key = (cond.get("model", default_model), json.dumps(cond.get("params", {}), sort_keys=True))
        if key not in models:
            models[key] = load_model(key[0]).with_params(cond.get("params", {}))
        test = sep_electrode(devices, models[key])  # None: a stimulator too fast for a test (a TENS device)
        if test is not None:
            sep[c], windows[c], psth[c] = point_evoked(ds, models[key], test, population, c, duration)
    return xr.Dataset({"sep": (("condition",), sep, {"units": "1", "long_name": f"evoked {population} spikes per "
                                                      "neuron and test pulse (above the pre-pulse baseline)"}),
                       "window": (("condition",), windows, {"units": "s"}),
                       "psth": (("condition", "lag"), psth, {"units": "1", "long_name": f"{population} spikes per "
                                                             "neuron and test pulse in 1-ms bins"})},
                      coords={"condition": ds.condition.values,
                              "lag": ("lag", 0.5 * (edges[:-1] + edges[1:]), {"units": "s"})})
