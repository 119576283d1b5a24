"""SCS readouts per condition and the paresthesia proxy (formerly part of :mod:`painsim.analysis`).

Recruitment and evoked rate per fiber class against the matching condition
without a device (:func:`scs_metrics`), synchronous Aβ volleys as the
paresthesia proxy (:func:`synchronous_volleys`; Sagalajev et al. 2024,
Neuron 112:404) and the projection-neuron rate against tonic SCS frequency
(:func:`scs_frequency_curves`).
"""
from __future__ import annotations

import json

import numpy as np
import xarray as xr

from ..anatomy import FIBER_CLASSES
from ..errors import ParameterError, UnknownKeyError
from ..io import POINT_VARIABLES
from ..readouts import population_spikes
from ..synchrony import paresthesia, volley_starts
from ..units import to_si
from .pain_maps import condition_param
from .selections import (CONDITIONS_RESULT, condition_devices, conditions_result,
                         matched_conditions, result_duration)

__all__ = ["synchronous_volleys", "scs_metrics", "scs_frequency_curves"]


def synchronous_volleys(times, fibers, k: int, window: float = 1e-3) -> np.ndarray:
    """Start times of synchronous volleys: ``>= k`` distinct fibers spiking within
    ``window`` s (a paresthesia proxy: paresthesia needs synchronous Abeta
    volleys, Sagalajev et al. 2024, Neuron 112:404).  Windows are taken
    greedily from the earliest spike and do not overlap
    (:func:`painsim.synchrony.volley_starts`, the definition the paresthesia readout counts).

    Parameters
    ----------
    times, fibers : array_like
        Spike times (s, any order) and fiber indices, of equal length.
    k : int
        Least number of distinct fibers in a volley (>= 1).
    window : float
        Volley window, s (> 0; default 1 ms).

    Returns
    -------
    numpy.ndarray
        Start time of each volley (s, ascending).

    Raises
    ------
    painsim.errors.ParameterError
        ``times`` and ``fibers`` of different lengths, ``k`` not a whole number >= 1, or
        ``window`` not > 0.
    """
    return volley_starts(times, fibers, k, window)


#: Keys of a ``[[condition]]`` table that do not change its natural spike trains.
_DEVICE_KEYS = ("label", "stimulus")


def _natural_inputs(ds: xr.Dataset, conds: list, c: int) -> str:
    """What sets the natural spike trains of condition ``c``: its table without its device and
    label, the model written out (the experiment's, when the condition names none), a natural
    stimulus of 0 left out (the default), and the seed it ran with (``ds["seed"]``, else its own)."""
    experiment = json.loads(ds.attrs.get("experiment_spec", "{}") or "{}").get("experiment", {})
    table = {key: value for key, value in conds[c].items() if key not in _DEVICE_KEYS}
    table.setdefault("model", experiment.get("model"))
    table.setdefault("params", {})
    for channel in ("noxious", "touch"):
        if channel in table and not isinstance(table[channel], bool) and table[channel] == 0:
            del table[channel]
    if "seed" in ds and ds["seed"].dims == ("condition",):
        table["seed"] = int(ds["seed"].values[c])
    return json.dumps(table, sort_keys=True, default=str)


def _baselines(ds: xr.Dataset, has: list, keys: list) -> np.ndarray:
    """Per condition, the first condition without a device whose natural spike trains are its own:
    the same natural inputs (``keys``: model, parameters, natural stimuli, sites and seed) and the
    same number of neurons in every population (``population_size``; another count cannot give the
    same trains, and its spike counts cannot be compared fiber by fiber); -1 for none, and for a
    condition without a device."""
    n = len(has)
    sizes = ds["population_size"].values if "population_size" in ds else None
    per = sizes is not None and ds["population_size"].dims[0] == "condition"
    same = [json.dumps([keys[c], np.asarray(sizes[c]).tolist() if per else None]) for c in range(n)]
    return np.array([next((b for b in range(n) if not has[b] and same[b] == same[c]), -1) if has[c] else -1
                     for c in range(n)], int)


#: The per-condition variables :func:`painsim.io.combine` makes of a simulate result's attributes
#: (:data:`painsim.io.POINT_VARIABLES`) that set its natural spike trains: all but the device and label.
_NATURAL_VARIABLES = tuple(v for v in POINT_VARIABLES if v not in ("stimulus", "label"))


def _stored_devices(ds: xr.Dataset) -> list:
    """Each condition's device summaries (:func:`painsim.devices.describe_devices`: a list, empty
    without a device) from the ``stimulus`` variable :func:`painsim.io.combine` stores."""
    out = []
    for text in np.atleast_1d(ds["stimulus"].values):
        stored = json.loads(str(text)) if str(text) not in ("", "None") else None
        out.append([] if stored is None else stored if isinstance(stored, list) else [stored])
    return out


def _stored_pulses(device: dict, duration: float) -> int:
    """Pulses of a stored device before the end of a run of ``duration`` s: the count the run
    recorded (``n_pulses_simulated``); in results written before it was recorded, all of them
    when the device ends with the run, else its pulses spread evenly over its duration, those of
    the part the run covered (rounded up: the first pulse is at 0)."""
    if "n_pulses_simulated" in device:
        return int(device["n_pulses_simulated"])
    n, length = int(device.get("n_pulses", 0)), float(device.get("duration_s", 0.0))
    if length <= duration + 1e-9 or n == 0:
        return n
    return int(np.ceil(n * duration / length - 1e-9))


def _devices_and_baselines(ds: xr.Dataset, durations) -> tuple[list, list, np.ndarray]:
    """Per condition: has it a device, the most pulses of one of its devices before the end of the
    run, and its baseline (:func:`_baselines`).  From the ``[[condition]]`` tables when ``ds``
    carries them (a ``painsim run`` result), else from the variables :func:`painsim.io.combine`
    makes of simulate results' attributes (``stimulus``; ``parameters``, ``noxious``, ``touch``,
    ``seed`` for the natural inputs); refused when it carries neither."""
    conds = matched_conditions(ds)
    n = ds.sizes["condition"]
    if conds is not None:
        has = ["stimulus" in c for c in conds]
        pulses = [max([int(np.sum(w.onsets < d)) for w in condition_devices(c)], default=0)
                  for c, d in zip(conds, durations)]
        return has, pulses, _baselines(ds, has, [_natural_inputs(ds, conds, c) for c in range(n)])
    if "stimulus" not in ds or ds["stimulus"].dims != ("condition",):
        raise ParameterError("ds", "a result without its conditions' devices (no experiment_spec attribute "
                             "matching its conditions, no 'stimulus' variable over condition)", CONDITIONS_RESULT)
    devices = _stored_devices(ds)
    has = [bool(d) for d in devices]
    pulses = [max([_stored_pulses(d, t) for d in devs], default=0) for devs, t in zip(devices, durations)]
    per = [v for v in _NATURAL_VARIABLES if v in ds and ds[v].dims == ("condition",)]
    return has, pulses, _baselines(ds, has, [json.dumps([str(ds[v].values[c]) for v in per]) for c in range(n)])


def scs_metrics(ds: xr.Dataset, k: int = 5, window: float = 1e-3) -> xr.Dataset:
    """Per-condition SCS readouts of an experiment Dataset (analysis only, no simulation).

    * ``recruited`` (condition, fiber_class): fraction of a class's fibers that fire
      more than in the matching no-stimulation condition (the first with the same model,
      parameters, natural stimuli, sites, seed and population sizes, hence the same natural
      spike trains);
    * ``evoked_rate`` (condition, fiber_class): extra spikes per fiber per second;
    * ``volleys_per_pulse`` and ``volley_rate``: synchronous Aβ volleys (``>= k``
      distinct Aβ fibers within ``window``; :func:`synchronous_volleys`),
      the paresthesia proxy (Sagalajev et al. 2024: paresthesia needs synchrony),
      counted without a chance correction; ``volley_rate_beyond_chance``: the same
      volleys beyond those that the fibers, firing independently with their own
      intervals, make by chance (:func:`painsim.synchrony.paresthesia`'s renewal null,
      ``k`` of the Aβ fibers of every site; NaN where chance volleys hold most spikes:
      fibres firing asynchronously at hundreds of Hz under 10 kHz SCS make ~100
      volleys/s by chance alone);
    * ``pn_rate``, ``pain``, ``gate_index`` copied from the Dataset.

    Parameters
    ----------
    ds : xarray.Dataset
        An experiment result over ``condition`` with the spikes of the fiber classes
        (:func:`painsim.readouts.population_spikes`), ``population_size``, ``pn_rate``,
        ``pain`` and ``gate_index``; its ``experiment_spec`` says which conditions have a
        device (:func:`experiment_conditions`; a ``painsim run`` result), else its ``stimulus``
        variable over ``condition`` (:func:`painsim.io.combine` of :func:`painsim.simulate`
        results: the conditions are matched by their ``model``, ``parameters``, ``noxious``,
        ``touch`` and ``seed`` variables, and a device lasting longer than the run is taken to
        deliver its pulses evenly over its duration, the summary holding no onsets).
    k : int
        Least number of distinct Aβ fibers in a volley (>= 1; default 5).
    window : float
        Volley window, s (> 0; default 1 ms).

    Returns
    -------
    xarray.Dataset
        Over ``condition`` and ``fiber_class`` (:data:`painsim.anatomy.FIBER_CLASSES`):
        ``recruited`` (fraction, 0 for a condition without a device; a condition without a
        matching no-stimulation condition is compared with no spikes, its natural ones counting
        as evoked), ``baseline`` (index of the matching one; -1: none, or no device), ``evoked_rate`` (Hz,
        floored at 0), ``volleys_per_pulse`` (volleys over the most pulses of one of the
        condition's devices before the end of the run, capped at 1; 0 without pulses;
        attributes ``k`` and ``window_s``), ``volley_rate`` (Hz, every condition, uncorrected),
        ``volley_rate_beyond_chance`` (Hz) and the copied variables.

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``ds`` has no spikes of a fiber class (a population it does not list).
    painsim.errors.ParameterError
        ``k`` or ``window`` refused by :func:`synchronous_volleys`, a condition's stimulus
        table refused by :func:`condition_devices`, or ``ds`` (named) not a result over
        ``condition`` (a single :func:`painsim.simulate` result) or without its conditions'
        devices (neither ``experiment_spec`` tables nor a ``stimulus`` variable).
    """
    conditions_result(ds, "scs_metrics")
    n = ds.sizes["condition"]
    durations = [result_duration(ds, c) for c in range(n)]  # combined points may differ
    has, pulses, base = _devices_and_baselines(ds, durations)
    classes = list(FIBER_CLASSES)
    def counts(c, pop):  # spikes per fiber; conditions may differ in their number of body sites
        size = np.atleast_1d(ds["population_size"].sel(population=pop).values)
        _, i = population_spikes(ds, pop, c)
        return np.bincount(i, minlength=int(size[c] if size.size == n else size[0]))

    rec, evo = np.zeros((n, len(classes))), np.zeros((n, len(classes)))
    abeta_sizes = np.atleast_1d(ds["population_size"].sel(population="Abeta").values)
    vpp, vrate, beyond = np.zeros(n), np.zeros(n), np.zeros(n)
    for c in range(n):
        for j, pop in enumerate(classes):
            if not has[c]:
                break  # no device: nothing recruited
            now = counts(c, pop)
            ref = counts(base[c], pop) if base[c] >= 0 else np.zeros_like(now)
            extra = now - ref
            rec[c, j] = np.mean(extra > 0) if now.size else 0.0
            evo[c, j] = max(extra.sum(), 0) / max(now.size, 1) / durations[c]
        t, i = population_spikes(ds, "Abeta", c)
        v = synchronous_volleys(t, i, k, window)
        vrate[c] = v.size / durations[c]
        n_abeta = int(abeta_sizes[c if abeta_sizes.size == n else 0])
        beyond[c] = (paresthesia(t, i, n_abeta, 0.0, durations[c], window, k / n_abeta)
                     if v.size and 2 <= k <= n_abeta else 0.0)
        vpp[c] = min(v.size / pulses[c], 1.0) if pulses[c] else 0.0
    return xr.Dataset(
        {"recruited": (("condition", "fiber_class"), rec, {"units": "1"}),
         "baseline": (("condition",), base, {"units": "1", "long_name": "index of the no-stimulation "
                      "condition compared with (-1: none, compared with no spikes; or no device)"}),
         "evoked_rate": (("condition", "fiber_class"), evo, {"units": "Hz"}),
         "volleys_per_pulse": (("condition",), vpp, {"units": "1", "k": k, "window_s": window}),
         "volley_rate": (("condition",), vrate, {"units": "Hz", "long_name": "synchronous Aβ volleys "
                         "per second, no chance correction"}),
         "volley_rate_beyond_chance": (("condition",), beyond, {"units": "Hz", "long_name": "synchronous Aβ "
                                       "volleys per second beyond the fibers' chance coincidences (NaN: not "
                                       "identified)"}),
         "pn_rate": ds["pn_rate"], "pain": ds["pain"], "gate_index": ds["gate_index"]},
        coords={"condition": ds.condition.values, "fiber_class": classes})


_GABA_BLOCK = "dorsal_horn.pharmacology.gaba_block"


def _gaba_block(ds: xr.Dataset, spec: dict, c: int) -> float:
    """Condition ``c``'s spinal GABA_A block as the model ran it: from the result's stored parameters
    (:func:`~painsim.analysis.pain_maps.condition_param`), which hold a value given by ``--set``
    (the result's ``model_overrides``) or the condition's model file as well as its ``params``
    (read from ``params`` alone, a blocked run was labelled "GABA_A intact").  A result without
    stored parameters falls back on the condition's ``params``, read as the model reads a
    dimensionless parameter (``0.5``, ``"0.5"`` and ``"50 %"`` alike: :func:`painsim.units.to_si`);
    0 when not set."""
    if "parameters" in ds:
        try:
            return float(condition_param(ds, c, _GABA_BLOCK))
        except UnknownKeyError:  # a model without the parameter: its params (none: no block)
            pass
    value = spec.get("params", {}).get(_GABA_BLOCK, 0.0)
    return float(to_si(value, "1", f"condition[{c}].params.{_GABA_BLOCK}"))


def scs_frequency_curves(ds: xr.Dataset) -> dict:
    """PN rate against tonic SCS frequency, per level of spinal GABA_A block.

    Parameters
    ----------
    ds : xarray.Dataset
        An experiment result over ``condition`` with ``pn_rate`` (Hz); each condition's
        ``dorsal_horn.pharmacology.gaba_block`` is the value its model ran with (the stored
        ``parameters``: a condition's ``params``, ``--set`` or its model file; without them, its
        ``params``, default 0) and its
        frequency ``f`` is the mean rate of its dorsal-column device (else of its first).

    Returns
    -------
    dict
        ``gaba_block -> {"f": [Hz], "pn": [Hz], "base": PN rate of the
        condition without stimulus (or None)}``, conditions in file order.

    Raises
    ------
    painsim.errors.UnknownKeyError, painsim.errors.ParameterError
        A condition's stimulus table refused by :func:`condition_devices`, or its ``gaba_block`` not
        a plain number or fraction (``0.5``, ``"50 %"``), named ``condition[<k>].params.<path>``;
        ``ds`` without conditions, or without the experiment's condition tables (a result combined
        in Python: every condition read as the baseline before), named ``ds``.
    """
    conditions_result(ds, "scs_frequency_curves")
    conds = matched_conditions(ds)
    if conds is None:
        raise ParameterError("ds", "a result without its experiment's [[condition]] tables",
                             "a `painsim run` conditions result (scs_frequency_curves reads each condition's "
                             "stimulus and params from its experiment's tables)")
    pn = ds["pn_rate"].values
    groups: dict = {}
    for c, spec in enumerate(conds):
        gb = _gaba_block(ds, spec, c)
        g = groups.setdefault(gb, {"f": [], "pn": [], "base": None})
        if "stimulus" in spec:   # the rate of the dorsal-column lead among several devices
            devices = condition_devices(spec)
            g["f"].append(next((w for w in devices if w.target == "dorsal_column"), devices[0]).mean_rate)
            g["pn"].append(pn[c])
        else:
            g["base"] = pn[c]
    return groups
