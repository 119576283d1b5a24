"""Metrics computed from results: a layer above simulation, below figures.

Takes result Datasets (of :func:`painsim.simulate`, experiment files, courses,
cohorts) and returns numbers or Datasets; runs no simulation and draws
nothing.  :mod:`painsim.plots` draws what these functions compute.

Contents
    * SCS readouts per condition (:func:`scs_metrics`,
      :func:`scs_frequency_curves`), the paresthesia proxy
      (:func:`synchronous_volleys`) and the evoked response to a test electrode's
      pulses (:func:`sep_metrics`, the SEP collision test);
    * S1 pain-map metrics per model (:func:`pain_map_metrics`) and what
      they read from a result (:func:`condition_param`,
      :func:`stimulated_site`);
    * selections used by several figures and the command line:
      :func:`experiment_conditions`, :func:`changed_connections`,
      :func:`course_arms`, :func:`cohort_groups`;
    * the virtual QST profile (DFNS battery, Rolke et al. 2006 Pain 123:231):
      :func:`first_crossing` (heat and mechanical pain thresholds),
      :func:`dfns_mps` (mechanical pain sensitivity), :func:`windup_ratio`,
      :func:`dfns_zscores` (z-scores against a reference group, gain of
      function positive) and :func:`qst_summary` (the profile Dataset).
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import xarray as xr

from . import readouts
from .anatomy import FIBER_CLASSES
from .circuits.dorsal_horn import stimulus_sites
from .errors import ParameterError
from .params import load_model
from .readouts import population_spikes, site_block
from .stimulation import from_spec
from .synchrony import volley_starts
from .units import parse

__all__ = ["published_deviation", "neuron_spike_counts", "synchronous_volleys", "experiment_conditions", "scs_metrics",
           "scs_frequency_curves", "result_duration", "condition_devices", "evoked_response", "sep_window",
           "sep_metrics", "sep_electrode", "point_evoked", "PSTH_EDGES", "TEST_TARGETS", "RELAY_MARGIN",
           "condition_param", "stimulated_site", "pain_map_metrics", "changed_connections", "course_arms",
           "cohort_groups", "first_crossing", "dfns_mps", "windup_ratio", "dfns_zscores", "qst_summary",
           "QST_MEASURES", "LOG_SD_FLOOR", "HPT_SD_FLOOR"]

#: Floor of the reference SD of the log10-transformed measures (log10 units).  Chosen: virtual
#: healthy subjects can all rate 0, which would give an SD of 0 and infinite z-scores.
LOG_SD_FLOOR = 0.1
#: Floor of the reference SD of the heat pain threshold (°C).  Chosen: 1 °C, below the SD of the
#: DFNS healthy reference HPT (a few °C, Rolke et al. 2006 Pain 123:231, Magerl et al. 2010 Pain
#: 151:598 [recalled]) so that it only guards against a degenerate virtual reference (all seeds
#: at one threshold); the 0.1 floor of the log10 measures would mean 0.1 °C and inflate z-scores.
HPT_SD_FLOOR = 1.0
#: The measures of the virtual QST profile: (name, DFNS sign of a gain of function, log10 transform, units,
#: long name, floor of the reference SD in the units the z-score is taken in: log10 units where transformed,
#: else the measure's own units).  DFNS z-scores are signed so that positive = gain (hyperalgesia, allodynia),
#: negative = loss (Rolke et al. 2006 Pain 123:231; Maier et al. 2010 Pain 150:439); ratings, thresholds in mN
#: and the wind-up ratio are log10-transformed before z-scoring (DFNS secondary normalization), heat thresholds not.
QST_MEASURES = (
    ("rest", +1, True, "1", "pain at rest (NRS, no stimulus)", LOG_SD_FLOOR),
    ("brush", +1, True, "1", "dynamic mechanical allodynia: pain to a brush stroke (NRS)", LOG_SD_FLOOR),
    ("pinprick", +1, True, "1", "mechanical pain sensitivity: geometric mean pinprick rating 8-512 mN (NRS)",
     LOG_SD_FLOOR),
    ("heat", +1, True, "1", "suprathreshold heat pain (NRS)", LOG_SD_FLOOR),
    ("heat_pain_threshold", -1, False, "degC", "heat pain threshold", HPT_SD_FLOOR),
    ("mechanical_pain_threshold", -1, True, "mN", "mechanical (pinprick) pain threshold", LOG_SD_FLOOR),
    ("windup_ratio", +1, True, "1", "wind-up ratio", LOG_SD_FLOOR),
)


def synchronous_volleys(times, fibers, k: int, window: float = 1e-3) -> np.ndarray:
    """Start times of synchronous volleys: ``>= k`` distinct fibers spiking within
    ``window`` s (a paresthesia proxy: paresthesia needs synchronous Abeta
    volleys, Sagalajev et al. 2024, Neuron 112:404).  Windows are taken
    greedily from the earliest spike and do not overlap
    (:func:`painsim.synchrony.volley_starts`, the definition the paresthesia readout counts)."""
    return volley_starts(times, fibers, k, window)


# ---------------------------------------------------------------- experiment results
def experiment_conditions(ds: xr.Dataset) -> list:
    """The ``[[condition]]`` tables of the experiment behind ``ds`` (one per condition).

    Read from the ``experiment_spec`` attribute; empty tables if the
    Dataset does not carry one table per condition.
    """
    spec = json.loads(ds.attrs.get("experiment_spec", "{}") or "{}")
    conds = spec.get("condition", [])
    if len(conds) != ds.sizes.get("condition", 0):
        return [{} for _ in range(ds.sizes.get("condition", 0))]
    return conds


def result_duration(ds: xr.Dataset) -> float:
    """Simulated time of a result (s): its ``duration_s`` attribute, else the end of its last rate bin."""
    return float(ds.attrs.get("duration_s", ds.time.values[-1] + (ds.time.values[1] - ds.time.values[0])))


def _baseline_condition(conds: list, c: int) -> int | None:
    """The condition without a stimulus that has the parameters and seed of condition ``c``."""
    key = json.dumps(conds[c].get("params", {}), sort_keys=True)
    for b, cb in enumerate(conds):
        if "stimulus" not in cb and json.dumps(cb.get("params", {}), sort_keys=True) == key \
                and cb.get("seed") == conds[c].get("seed"):
            return b
    return None


def scs_metrics(ds: xr.Dataset, k: int = 5, window: float = 1e-3) -> xr.Dataset:
    """Per-condition SCS readouts of an experiment Dataset (analysis only, no simulation).

    * ``recruited`` (condition, fiber_class): fraction of a class's fibers that fire
      more than in the matching no-stimulation condition (same parameters and
      seed, hence the same natural spike trains);
    * ``evoked_rate`` (condition, fiber_class): extra spikes per fiber per second;
    * ``volleys_per_pulse`` and ``volley_rate``: synchronous Aβ volleys (``>= k``
      distinct Aβ fibers within ``window``; :func:`synchronous_volleys`),
      the paresthesia proxy (Sagalajev et al. 2024: paresthesia needs synchrony);
    * ``pn_rate``, ``pain``, ``gate_index`` copied from the Dataset.
    """
    conds = experiment_conditions(ds)
    n = ds.sizes["condition"]
    duration = result_duration(ds)
    classes = list(FIBER_CLASSES)
    def counts(c, pop):  # spikes per fiber; conditions may differ in their number of body sites
        size = np.atleast_1d(ds["population_size"].sel(population=pop).values)
        _, i = population_spikes(ds, pop, c)
        return np.bincount(i, minlength=int(size[c] if size.size == n else size[0]))

    rec = np.zeros((n, len(classes)))
    evo = np.zeros((n, len(classes)))
    vpp = np.zeros(n)
    vrate = np.zeros(n)
    for c in range(n):
        b = _baseline_condition(conds, c)
        for j, pop in enumerate(classes):
            if "stimulus" not in conds[c]:
                break  # no device: nothing recruited
            now = counts(c, pop)
            ref = counts(b, pop) if b is not None and b != c else np.zeros_like(now)
            extra = now - ref
            rec[c, j] = np.mean(extra > 0) if now.size else 0.0
            evo[c, j] = max(extra.sum(), 0) / max(now.size, 1) / duration
        t, i = population_spikes(ds, "Abeta", c)
        v = synchronous_volleys(t, i, k, window)
        vrate[c] = v.size / duration
        n_pulses = max([int(np.sum(w.onsets < duration)) for w in condition_devices(conds[c])], default=0)
        vpp[c] = min(v.size / n_pulses, 1.0) if n_pulses else 0.0
    return xr.Dataset(
        {"recruited": (("condition", "fiber_class"), rec, {"units": "1"}),
         "evoked_rate": (("condition", "fiber_class"), evo, {"units": "Hz"}),
         "volleys_per_pulse": (("condition",), vpp, {"units": "1", "k": k, "window_s": window}),
         "volley_rate": (("condition",), vrate, {"units": "Hz"}),
         "pn_rate": ds["pn_rate"], "pain": ds["pain"], "gate_index": ds["gate_index"]},
        coords={"condition": ds.condition.values, "fiber_class": classes})


def condition_devices(condition) -> tuple:
    """The waveforms of a ``[[condition]]`` table: none, its stimulus table's, or one per table
    of a stimulus array (devices at the same time, :mod:`painsim.devices`)."""
    stim = condition.get("stimulus")
    if stim is None:
        return ()
    return tuple(from_spec(t) for t in (stim if isinstance(stim, list) else [stim]))


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
    average over stimuli with its pre-stimulus baseline removed."""
    o = np.asarray(onsets, float)
    o = o[(o - window >= 0) & (o + window <= duration)]
    if o.size == 0 or n_neurons <= 0:
        return float("nan")
    t = np.sort(np.asarray(times, float))
    at = np.searchsorted(t, o)
    after = np.searchsorted(t, o + window) - at
    before = at - np.searchsorted(t, o - window)
    return float(np.mean(after - before)) / n_neurons


def sep_window(model) -> float:
    """Response window of the dorsal column nuclei to a test volley (s): the slowest Aβ fibre's
    conduction from the receptive field to the nuclei (``afferents.conduction_distance`` +
    ``dorsal_column.column_length`` at ``afferents.Abeta.velocity_min``) + :data:`RELAY_MARGIN`."""
    path = model.si("afferents.conduction_distance") + model.si("dorsal_column.column_length")
    return path / model.si("afferents.Abeta.velocity_min") + RELAY_MARGIN


#: Bins of the peri-stimulus histogram of :func:`point_evoked` (s): 1 ms from -20 to +40 ms.
PSTH_EDGES = np.arange(-0.020, 0.0405, 0.001)


def sep_electrode(devices):
    """The one device of ``devices`` with a target in :data:`TEST_TARGETS`, or None (none or several)."""
    tests = [w for w in devices if w.target in TEST_TARGETS]
    return tests[0] if len(tests) == 1 else None


def point_evoked(result: xr.Dataset, model, test, population: str = "DCN", condition: int | None = None,
                 duration: float | None = None) -> tuple[float, float, np.ndarray]:
    """The evoked response of one point (one condition of a combined result) to its test electrode.

    :func:`evoked_response` of ``population`` at the test electrode's body site (of several, the
    painful one if it is among them) to the pulses of ``test`` (a waveform), in the window of
    :func:`sep_window`.

    Returns
    -------
    sep : float
        Spikes per neuron and test pulse above the pre-pulse baseline (nan without a pulse whose
        two windows lie inside the run).
    window : float
        The response window (s).
    psth : numpy.ndarray
        Spikes per neuron and test pulse in the bins of :data:`PSTH_EDGES` (nan without a pulse).
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

    Returns
    -------
    xarray.Dataset
        ``sep`` (condition): spikes per neuron and test pulse above the pre-pulse baseline, nan
        for a condition without exactly one test electrode; ``window`` (condition, s); ``psth``
        (condition, lag): the peri-stimulus time histogram around the test pulses that
        :func:`evoked_response` reads (spikes per neuron and pulse in 1-ms bins from -20 to +40 ms).
    """
    spec = json.loads(ds.attrs.get("experiment_spec", "{}") or "{}")
    conds = experiment_conditions(ds)
    duration = result_duration(ds)
    default_model = spec.get("experiment", {}).get("model", "gate_control")
    sep, windows = np.full(len(conds), np.nan), np.full(len(conds), np.nan)
    edges = PSTH_EDGES
    psth = np.full((len(conds), edges.size - 1), np.nan)
    models: dict = {}   # conditions usually share their model
    for c, cond in enumerate(conds):
        test = sep_electrode(condition_devices(cond))
        if test is None:
            continue
        key = (cond.get("model", default_model), json.dumps(cond.get("params", {}), sort_keys=True))
        if key not in models:
            models[key] = load_model(key[0]).with_params(cond.get("params", {}))
        sep[c], windows[c], psth[c] = point_evoked(ds, models[key], test, population, c, duration)
    return xr.Dataset({"sep": (("condition",), sep, {"units": "1", "long_name": f"evoked {population} spikes per "
                                                      "neuron and test pulse (above the pre-pulse baseline)"}),
                       "window": (("condition",), windows, {"units": "s"}),
                       "psth": (("condition", "lag"), psth, {"units": "1", "long_name": f"{population} spikes per "
                                                             "neuron and test pulse in 1-ms bins"})},
                      coords={"condition": ds.condition.values,
                              "lag": ("lag", 0.5 * (edges[:-1] + edges[1:]), {"units": "s"})})


def scs_frequency_curves(ds: xr.Dataset) -> dict:
    """PN rate against tonic SCS frequency, per level of spinal GABA_A block.

    Returns
    -------
    dict
        ``gaba_block -> {"f": [Hz], "pn": [Hz], "base": PN rate of the
        condition without stimulus (or None)}``, conditions in file order.
    """
    conds = experiment_conditions(ds)
    pn = ds["pn_rate"].values
    groups: dict = {}
    for c, spec in enumerate(conds):
        gb = float(spec.get("params", {}).get("dorsal_horn.pharmacology.gaba_block", 0.0))
        g = groups.setdefault(gb, {"f": [], "pn": [], "base": None})
        if "stimulus" in spec:   # the rate of the dorsal-column lead among several devices
            devices = condition_devices(spec)
            g["f"].append(next((w for w in devices if w.target == "dorsal_column"), devices[0]).mean_rate)
            g["pn"].append(pn[c])
        else:
            g["base"] = pn[c]
    return groups


def changed_connections(ds: xr.Dataset) -> list:
    """Plastic connections of a conditioning summary (its ``w_<conn>_change`` variables), in order."""
    return [k[2:-7] for k in ds.data_vars if k.startswith("w_") and k.endswith("_change")]


# ---------------------------------------------------------------- pain maps
def condition_param(ds: xr.Dataset, k: int, path: str) -> float:
    """A model parameter (SI) of condition ``k`` from the stored parameter JSON."""
    node = json.loads(str(ds["parameters"].values[k]))
    for part in path.split("."):
        node = node[part]
    return parse(node, path)[0] if isinstance(node, str) else float(node)


def stimulated_site(ds: xr.Dataset, k: int) -> int | None:
    """The one body site that received natural stimulation in condition ``k`` (None if not one)."""
    sites = set()
    for key in ("noxious", "touch"):
        if key not in ds:
            continue
        val = json.loads(str(ds[key].values[k]))
        if "intensity" in val or "kind" in val:  # one-site model
            sites.add(0) if _stimulus_given(val) else None
        else:
            sites.update(int(s) for s, v in val.items() if _stimulus_given(v))
    return sites.pop() if len(sites) == 1 else None


def _stimulus_given(stored: dict) -> bool:
    """Whether one site's stored natural stimulus is a stimulus: an intensity shorthand above 0,
    or a physical stimulus (``{"kind": "heat", "value": 45.0, ...}``; stored only when given)."""
    return stored["intensity"] > 0 if "intensity" in stored else "kind" in stored


def pain_map_metrics(ds: xr.Dataset) -> xr.Dataset:
    """Site areas, painful-site overactive area and centroid per model (analysis only).

    ``ds`` is a ``pain_map``-style experiment result: conditions that each
    give noxious input to one body site of a pathway model.  Conditions are
    grouped by model; within a model, the map responses to the sites give the
    winner-take-all territories (:func:`painsim.readouts.site_territories`).

    Returns
    -------
    xarray.Dataset
        Over ``model`` and ``site``: ``site_area`` (m^2), ``site_centroid_x``
        (m), ``painful_overactive_area`` (m^2), ``painful_pain``;
        ``site_maps`` (model, site, map_y, map_x) and ``territory`` (model,
        map_y, map_x; -1 = no site).
    """
    if "map_rate" not in ds:
        raise ParameterError("ds", "no map_rate", "results of a model with network.layers = 'pathway'")
    models = [str(m) for m in ds["model"].values] if "model" in ds else ["model"] * ds.sizes["condition"]
    names = list(dict.fromkeys(models))
    n_sites = ds.sizes["site"]
    ny, nx = ds.sizes["map_y"], ds.sizes["map_x"]
    maps = np.full((len(names), n_sites, ny, nx), np.nan)
    pains = np.full((len(names), n_sites), np.nan)
    thr = condition_param(ds, 0, "readout.map_overactive_rate")
    h = condition_param(ds, 0, "cortex.map.spacing")
    painful = [0] * len(names)
    for k, m in enumerate(models):
        s = stimulated_site(ds, k)
        if s is None:
            continue
        g = names.index(m)
        maps[g, s] = ds["map_rate"].values[k]
        pains[g, s] = float(ds["pain"].values[k])
        painful[g] = int(condition_param(ds, k, "body.painful_site"))
    area = np.zeros((len(names), n_sites))
    cx = np.full((len(names), n_sites), np.nan)
    terr = np.full((len(names), ny, nx), -1)
    over = np.zeros(len(names))
    for g in range(len(names)):
        filled = np.nan_to_num(maps[g], nan=0.0)
        area[g] = readouts.site_areas(filled, thr, h)
        terr[g] = readouts.site_territories(filled, thr)
        for s in range(n_sites):
            cx[g, s] = readouts.map_centroid(filled[s], thr, h)[0]
        over[g] = readouts.active_area(filled[painful[g]], thr, h)
    return xr.Dataset(
        {"site_area": (("model", "site"), area, {"units": "m^2"}),
         "site_centroid_x": (("model", "site"), cx, {"units": "m"}),
         "site_pain": (("model", "site"), pains, {"units": "1", "long_name": "pain score (NRS 0-10)"}),
         "painful_overactive_area": (("model",), over, {"units": "m^2"}),
         "painful_site": (("model",), np.array(painful)),
         "site_maps": (("model", "site", "map_y", "map_x"), maps, {"units": "Hz"}),
         "territory": (("model", "map_y", "map_x"), terr)},
        coords={"model": names, "site": np.arange(n_sites), "map_x": ds["map_x"].values,
                "map_y": ds["map_y"].values},
        attrs={"threshold_hz": thr, "spacing_m": h})


# ---------------------------------------------------------------- courses and cohorts
def course_arms(ds: xr.Dataset) -> list:
    """(label, Dataset) per arm of a course result (``arm`` dim from run_course_file, or one arm)."""
    if "arm" in ds.dims:
        return [(str(a), ds.sel(arm=a)) for a in ds.arm.values]
    return [(str(ds.attrs.get("protocol", "course")), ds)]


def cohort_groups(ds: xr.Dataset) -> list:
    """(label, boolean mask over patients): peripheral, central post-stroke by type, other central."""
    et = ds["etiology"].values.astype(str) if "etiology" in ds else np.full(ds.sizes["patient"], "all")
    st = ds["stroke_type"].values.astype(str) if "stroke_type" in ds else np.full(et.shape, "none")
    out = [("peripheral", et == "peripheral"), ("ischemic", (et == "central") & (st == "ischemic")),
           ("hemorrhagic", (et == "central") & (st == "hemorrhagic")),
           ("central, other", (et == "central") & (st == "none"))]
    return [(g, m) for g, m in out if m.any()] or [("all", np.ones(et.shape, bool))]


# ------------------------------------------------------------------ virtual QST (DFNS battery)
def first_crossing(levels, ratings, criterion: float, log: bool = False, ceiling: float = float("nan")) -> float:
    """The stimulus level at which ``ratings`` first exceed ``criterion`` (a threshold by the method of
    levels), linearly interpolated between the last level below and the first above (in log units with
    ``log=True``, e.g. forces).  ``ceiling`` if no level exceeds it (a threshold censored at the cut-off,
    as the DFNS does; default ``nan``); the lowest level if the first does."""
    x = np.log(np.asarray(levels, float)) if log else np.asarray(levels, float)
    y = np.asarray(ratings, float)
    above = np.flatnonzero(y > criterion)
    if above.size == 0:
        return float(ceiling)
    k = int(above[0])
    if k == 0:
        value = x[0]
    else:
        value = x[k - 1] + (criterion - y[k - 1]) * (x[k] - x[k - 1]) / (y[k] - y[k - 1])
    return float(np.exp(value) if log else value)


def dfns_mps(ratings) -> float:
    """Mechanical pain sensitivity as the DFNS computes it: the geometric mean of the pinprick ratings,
    with 0.1 added to each so that ratings of 0 count (Rolke et al. 2006), minus that 0.1 again (NRS)."""
    r = np.asarray(ratings, float)
    return float(np.exp(np.mean(np.log(r + 0.1))) - 0.1)


def spikes_per_pulse(result: xr.Dataset, onsets, window: float, population: str = "PN",
                     site: int | None = None, n_sites: int = 1) -> np.ndarray:
    """Spikes per neuron of ``population`` in ``[onset, onset + window)`` after each pulse onset (s).

    With ``site``, only the neurons of that body site count (:func:`painsim.readouts.site_block`;
    ``n_sites`` equal blocks for a result that does not record its layout); per neuron of the
    counted block.  The per-pulse responses of wind-up (:func:`windup_ratio`; ``painsim validate``;
    the QST wind-up test) are counted here.
    """
    t, i, size = population_spikes(result, population, sort=True)
    if site is not None:
        n = _site_block(result, population, n_sites, site)
        t = t[(i // n) == int(site)]
    else:
        n = max(size, 1)
    onsets = np.asarray(onsets, float)
    return np.array([np.count_nonzero((t >= o) & (t < o + window)) for o in onsets], float) / n


def neuron_spike_counts(result: xr.Dataset, population: str = "PN", site: int | None = None,
                        n_sites: int = 1) -> np.ndarray:
    """Spikes of each neuron of ``population`` over the whole result; with ``site``, only that body
    site's block of neurons (as :func:`spikes_per_pulse` reads them)."""
    _, i, size = population_spikes(result, population, sort=True)
    if site is None:
        return np.bincount(i, minlength=size)
    n = _site_block(result, population, n_sites, site)
    return np.bincount(i[i // n == int(site)] - int(site) * n, minlength=n)


def _site_block(result: xr.Dataset, population: str, n_sites: int, site) -> int:
    """Neurons per site of ``population`` (:func:`painsim.readouts.site_block`); a population that is
    not laid out by site has no ``site`` to select."""
    n = site_block(result, population, n_sites)
    if n == 0:
        raise ParameterError("site", site, f"None: {population} is not laid out by body site")
    return n


def windup_ratio(counts_per_pulse) -> float:
    """Wind-up ratio of a train: mean response per stimulus over the train / response to its first
    stimulus (the DFNS ratio of the rating of a 10-stimulus train to that of a single stimulus,
    Rolke 2006, here on projection-neuron spikes).  ``nan`` when the first stimulus evokes nothing."""
    c = np.asarray(counts_per_pulse, float)
    return float(c.mean() / c[0]) if c.size and c[0] > 0 else float("nan")


def dfns_zscores(values, reference, sign: int, log: bool, sd_floor: float) -> np.ndarray:
    """DFNS z-scores of ``values`` against the ``reference`` group: ``sign * (x - mean) / sd`` after a
    log10 transform (``log``; 0.1 added as for ratings), positive = gain of function.  ``sd_floor``
    bounds the reference SD from below (virtual healthy subjects may all rate 0), in the units the
    z-score is taken in: log10 units with ``log``, else the measure's own units (°C for HPT)."""
    def t(v):
        v = np.asarray(v, float)
        return np.log10(np.maximum(v, 0.0) + 0.1) if log else v
    ref = t(reference)
    ref = ref[np.isfinite(ref)]
    if ref.size == 0:
        return np.full(np.shape(values), np.nan)
    sd = max(float(np.std(ref, ddof=1)) if ref.size > 1 else 0.0, sd_floor)
    return sign * (t(values) - float(np.mean(ref))) / sd


def qst_summary(per_subject: xr.Dataset, reference: str, sd_floor: float | None = None,
                abnormal: float = 1.96) -> xr.Dataset:
    """The profile of a virtual QST: means over subjects, z-scores against the ``reference`` model and the
    fraction of subjects outside ``abnormal`` (DFNS: 95 % of healthy subjects within ±1.96).

    Each measure's reference SD is floored by its own floor in its own units (the last field of
    :data:`QST_MEASURES`); ``sd_floor``, if given, replaces the floor of the log10-transformed measures
    only (log10 units), never that of the heat pain threshold (°C).

    ``per_subject`` holds one variable per :data:`QST_MEASURES` name over (``model``, ``subject``); returns
    ``zscore`` and ``abnormal_fraction`` over (``model``, ``measure``) and ``<name>_mean`` over ``model``.
    """
    names = [m[0] for m in QST_MEASURES]
    z = np.full((per_subject.sizes["model"], len(names)), np.nan)
    frac = np.full_like(z, np.nan)
    out = {}
    for j, (name, sign, log, units, long_name, floor) in enumerate(QST_MEASURES):
        if log and sd_floor is not None:
            floor = sd_floor
        v = per_subject[name]
        ref = v.sel(model=reference).values
        zs = np.stack([dfns_zscores(v.sel(model=m).values, ref, sign, log, floor) for m in v.model.values])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-nan rows: a threshold never reached
            z[:, j] = np.nanmean(np.where(np.isfinite(zs), zs, np.nan), axis=1)
            frac[:, j] = np.mean(np.nan_to_num(zs, nan=0.0) > abnormal, axis=1)
            mean = np.nanmean(v.values, axis=1)
        out[f"{name}_mean"] = (("model",), mean, {"units": units,
                                                  "long_name": f"{long_name}, mean over virtual subjects"})
    out["zscore"] = (("model", "measure"), z, {"units": "1", "long_name": "DFNS z-score against the reference "
                                               "model, mean over virtual subjects (positive = gain of function)"})
    out["abnormal_fraction"] = (("model", "measure"), frac, {"units": "1", "long_name":
                                "fraction of virtual subjects with a gain of function (z > 1.96)"})
    return xr.Dataset(out, coords={"model": per_subject.model.values, "measure": names})


def published_deviation(model, published, low, high) -> np.ndarray:
    """Where each model value lies against its published figure (the validation figure's x).

    With a published range, the distance from the published value in units of the range's
    half on the model's side: ``(model - published) / (high - published)`` above it,
    ``/ (published - low)`` below, so that ``|d| <= 1`` is exactly inside the range (the
    table's "yes"); a range closed on that side (e.g. 0-0) gives 0 at the published value and
    ``±inf`` elsewhere.  Without a range, the relative difference
    ``(model - published) / |published|`` (NaN when the published value is 0 or NaN).

    Parameters
    ----------
    model, published, low, high : array_like
        Per target; ``low``/``high`` NaN where no range is published.

    Returns
    -------
    numpy.ndarray
        The deviations (NaN where the model value or the published value is NaN).
    """
    m, p, lo, hi = (np.asarray(a, float) for a in (model, published, low, high))
    ranged = np.isfinite(lo) & np.isfinite(hi)
    half = np.where(m >= p, hi - p, p - lo)
    diff = m - p
    with np.errstate(divide="ignore", invalid="ignore"):
        in_units = np.where(half > 0, diff / half, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
        relative = np.where((p != 0) & np.isfinite(p), diff / np.abs(p), np.nan)
    out = np.where(ranged, in_units, relative)
    return np.where(np.isfinite(m) & np.isfinite(p), out, np.nan)

