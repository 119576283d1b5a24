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
from ..readouts import population_spikes
from ..synchrony import paresthesia, volley_starts
from ..units import to_si
from .selections import condition_devices, experiment_conditions, result_duration

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


def _baseline_condition(ds: xr.Dataset, conds: list, c: int) -> int:
    """The first condition without a stimulus whose natural spike trains are those of condition
    ``c`` (same model, parameters, natural stimuli, sites and seed: :func:`_natural_inputs`);
    -1 for none, and for a condition ``c`` without a stimulus."""
    if "stimulus" not in conds[c]:
        return -1
    key = _natural_inputs(ds, conds, c)
    return next((b for b, cb in enumerate(conds) if "stimulus" not in cb and _natural_inputs(ds, conds, b) == key),
                -1)


def scs_metrics(ds: xr.Dataset, k: int = 5, window: float = 1e-3) -> xr.Dataset:
    """Per-condition SCS readouts of an experiment Dataset (analysis only, no simulation).

    * ``recruited`` (condition, fiber_class): fraction of a class's fibers that fire
      more than in the matching no-stimulation condition (the first with the same model,
      parameters, natural stimuli, sites and seed, hence the same natural spike trains);
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
        device (:func:`experiment_conditions`).
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
        ``k`` or ``window`` refused by :func:`synchronous_volleys`, or a condition's stimulus
        table refused by :func:`condition_devices`.
    """
    conds = experiment_conditions(ds)
    n = ds.sizes["condition"]
    duration = result_duration(ds)
    classes = list(FIBER_CLASSES)
    def counts(c, pop):  # spikes per fiber; conditions may differ in their number of body sites
        size = np.atleast_1d(ds["population_size"].sel(population=pop).values)
        _, i = population_spikes(ds, pop, c)
        return np.bincount(i, minlength=int(size[c] if size.size == n else size[0]))

    rec, evo = np.zeros((n, len(classes))), np.zeros((n, len(classes)))
    abeta_sizes = np.atleast_1d(ds["population_size"].sel(population="Abeta").values)
    vpp, vrate, beyond = np.zeros(n), np.zeros(n), np.zeros(n)
    base = np.array([_baseline_condition(ds, conds, c) for c in range(n)], int)
    for c in range(n):
        for j, pop in enumerate(classes):
            if "stimulus" not in conds[c]:
                break  # no device: nothing recruited
            now = counts(c, pop)
            ref = counts(base[c], pop) if base[c] >= 0 else np.zeros_like(now)
            extra = now - ref
            rec[c, j] = np.mean(extra > 0) if now.size else 0.0
            evo[c, j] = max(extra.sum(), 0) / max(now.size, 1) / duration
        t, i = population_spikes(ds, "Abeta", c)
        v = synchronous_volleys(t, i, k, window)
        vrate[c] = v.size / duration
        n_abeta = int(abeta_sizes[c if abeta_sizes.size == n else 0])
        beyond[c] = (paresthesia(t, i, n_abeta, 0.0, duration, window, k / n_abeta)
                     if v.size and 2 <= k <= n_abeta else 0.0)
        n_pulses = max([int(np.sum(w.onsets < duration)) for w in condition_devices(conds[c])], default=0)
        vpp[c] = min(v.size / n_pulses, 1.0) if n_pulses else 0.0
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


def _gaba_block(spec: dict, c: int) -> float:
    """Condition ``c``'s spinal GABA_A block, read as the model reads a dimensionless parameter
    (``0.5``, ``"0.5"`` and ``"50 %"`` alike: :func:`painsim.units.to_si`); 0 when not set."""
    value = spec.get("params", {}).get(_GABA_BLOCK, 0.0)
    return float(to_si(value, "1", f"condition[{c}].params.{_GABA_BLOCK}"))


def scs_frequency_curves(ds: xr.Dataset) -> dict:
    """PN rate against tonic SCS frequency, per level of spinal GABA_A block.

    Parameters
    ----------
    ds : xarray.Dataset
        An experiment result over ``condition`` with ``pn_rate`` (Hz); each condition's
        ``params`` may set ``dorsal_horn.pharmacology.gaba_block`` (default 0; a number or a
        fraction such as ``"50 %"``, read as the model reads it) and its
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
        a plain number or fraction (``0.5``, ``"50 %"``), named ``condition[<k>].params.<path>``.
    """
    conds = experiment_conditions(ds)
    pn = ds["pn_rate"].values
    groups: dict = {}
    for c, spec in enumerate(conds):
        gb = _gaba_block(spec, c)
        g = groups.setdefault(gb, {"f": [], "pn": [], "base": None})
        if "stimulus" in spec:   # the rate of the dorsal-column lead among several devices
            devices = condition_devices(spec)
            g["f"].append(next((w for w in devices if w.target == "dorsal_column"), devices[0]).mean_rate)
            g["pn"].append(pn[c])
        else:
            g["base"] = pn[c]
    return groups
