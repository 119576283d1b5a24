"""Virtual quantitative sensory testing (``kind = "qst"``): the DFNS battery on every preset.

The DFNS protocol (Rolke et al. 2006 Pain 123:231) tested on virtual subjects
(one seed each) of several models, all simulations through
:func:`painsim.simulate_batch`:

* ``rest``: no stimulus; the pain rating is ongoing pain;
* ``brush``: a brush stroke (:func:`painsim.fibers.brush`): dynamic mechanical allodynia;
* ``pinprick``: forces 8-512 mN (:func:`painsim.fibers.pinprick`): the mechanical pain
  threshold (first force rated above ``threshold_criterion``; twice the strongest force if none is)
  and sensitivity (DFNS geometric mean);
* ``heat``: contact heat (:func:`painsim.fibers.heat`) over ``heat_temperatures``: the heat pain
  threshold (first temperature rated above ``threshold_criterion``; the hottest if none is) and the
  rating at ``heat_suprathreshold`` °C;
* wind-up: a 1 Hz train of ``windup_pulses`` C-strength electrical pulses to the nerve (the
  protocol of the wind-up tests, Aguiar et al. 2010); ratio of the mean projection-neuron
  response per pulse to the response to the first (:func:`painsim.analysis.windup_ratio`).

Each rating is the model's own ``pain`` (NRS).  The profile (z-scores against the
``reference`` model, DFNS sign convention) is :func:`painsim.analysis.qst_summary`;
published prevalences of each sign (``[published]`` table) are stored beside it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import xarray as xr

from ..analysis import QST_MEASURES, dfns_mps, first_crossing, qst_summary, windup_ratio
from ..checks import known_keys
from ..errors import ModelFileError, ParameterError, UnknownKeyError
from ..fibers import brush, heat, pinprick
from ..params import load_model
from ..readouts import population_spikes
from ..simulation import Request, simulate_batch
from ..stimulation import tonic
from ..units import to_si

__all__ = ["QST_KEYS", "QST_TESTS", "check_qst", "run_qst"]

#: Keys of ``[experiment]`` in a ``kind = "qst"`` file.
QST_KEYS = {"name", "description", "kind", "models", "reference", "n_subjects", "seed", "duration",
            "heat_temperatures", "heat_suprathreshold", "pinprick_forces", "brush_velocity", "windup_pulses",
            "threshold_criterion", "sd_floor", "batch_size", "figure"}
#: The tests rated on the NRS (the ``test`` dimension of ``nrs``).
QST_TESTS = ("rest", "brush", "pinprick", "heat")
_DEFAULTS = {"reference": "healthy", "n_subjects": 3, "seed": 0, "duration": "1.3 s",
             "heat_temperatures": [40.0, 42.0, 44.0, 46.0, 48.0, 50.0], "heat_suprathreshold": 47.0,
             "pinprick_forces": [8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0], "brush_velocity": "30 mm/s",
             "windup_pulses": 10, "threshold_criterion": 0.1, "sd_floor": 0.1, "batch_size": 16}


def _numbers(value, key: str) -> list[float]:
    if (not isinstance(value, list) or not value
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        raise ParameterError(f"experiment.{key}", value, "a non-empty list of numbers")
    if any(b <= a for a, b in zip(value, value[1:])):
        raise ParameterError(f"experiment.{key}", value, "increasing values")
    return [float(v) for v in value]


def _config(exp: Mapping) -> dict:
    """The ``[experiment]`` table of a qst file with defaults, its values checked."""
    known_keys(exp, QST_KEYS, "experiment key")
    c = {**_DEFAULTS, **exp}
    models = c.get("models")
    if not isinstance(models, list) or not models or not all(isinstance(m, str) for m in models):
        raise ParameterError("experiment.models", models, "a non-empty list of model names")
    if len(set(models)) != len(models):
        raise ParameterError("experiment.models", models, "distinct model names")
    if c["reference"] not in models:
        raise ParameterError("experiment.reference", c["reference"], f"one of the models {models}")
    for key, low in (("n_subjects", 2), ("windup_pulses", 2), ("batch_size", 1)):
        v = c[key]
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ParameterError(f"experiment.{key}", v, f"a whole number >= {low}")
    for key in ("heat_temperatures", "pinprick_forces"):
        c[key] = _numbers(c[key], key)
    for key in ("heat_suprathreshold", "threshold_criterion", "sd_floor"):
        if isinstance(c[key], bool) or not isinstance(c[key], (int, float)) or c[key] <= 0:
            raise ParameterError(f"experiment.{key}", c[key], "a number > 0")
    if to_si(c["duration"], "s", "experiment.duration") <= 0.5:
        raise ParameterError("experiment.duration", c["duration"], "a test window > 0.5 s (C fibres arrive late)")
    heat(c["heat_suprathreshold"]), brush(c["brush_velocity"])  # refuse bad stimuli now, naming the value
    for t in c["heat_temperatures"]:
        heat(t)
    for f in c["pinprick_forces"]:
        pinprick(f)
    return c


def check_qst(spec: Mapping, path: Path) -> None:
    """A ``kind = "qst"`` file: known ``[experiment]`` keys and values, the models exist, a ``[published]``
    table (optional) of prevalences in [0, 1] keyed by QST measure.

    Raises
    ------
    painsim.errors.UnknownKeyError, painsim.errors.ParameterError, painsim.errors.ModelFileError
    """
    c = _config(spec["experiment"])
    for m in c["models"]:
        load_model(m)
    pub = spec.get("published", {})
    if not isinstance(pub, Mapping):
        raise ModelFileError(f"{path}: [published] must be a table of prevalences")
    names = {m[0] for m in QST_MEASURES}
    for k, v in pub.items():
        if k not in names:
            raise UnknownKeyError(k, names, what="QST measure")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            raise ParameterError(f"published.{k}", v, "a prevalence (fraction in [0, 1])")


def _short_requests(c: dict, models: dict, seed: int) -> list[tuple[tuple, Request]]:
    """(key, request) of every test window: key = (model, subject, test, level)."""
    out = []
    for name, model in models.items():
        for s in range(c["n_subjects"]):
            sd = seed + s
            out.append(((name, s, "rest", 0.0), Request(model, None, 0.0, 0.0, sd, label="rest")))
            out.append(((name, s, "brush", 0.0), Request(model, None, 0.0, brush(c["brush_velocity"]), sd,
                                                         label="brush")))
            for t in sorted(set(c["heat_temperatures"]) | {float(c["heat_suprathreshold"])}):
                out.append(((name, s, "heat", t), Request(model, None, heat(t), 0.0, sd, label=f"heat {t:g}")))
            for f in c["pinprick_forces"]:
                out.append(((name, s, "pinprick", f), Request(model, None, pinprick(f), 0.0, sd,
                                                              label=f"pinprick {f:g}")))
    return out


def _windup_counts(result: xr.Dataset, model, n_pulses: int) -> np.ndarray:
    """Spikes per projection neuron of the painful site after each pulse of a 1 Hz train."""
    t, i, size = population_spikes(result, "PN", sort=True)
    n_sites = int(model.si("body.n_sites"))
    n_pn = max(size // n_sites, 1)
    at = (i // n_pn) == int(model.si("body.painful_site"))
    return np.histogram(t[at], np.arange(n_pulses + 1, dtype=float))[0] / n_pn


def _windup(c: dict, models: dict, seed: int) -> dict:
    """{(model, subject): wind-up ratio} from one batch of 1 Hz C-strength trains (1.5 x C threshold,
    2 ms monophasic pulses to the nerve: the protocol of ``tests/test_gate_control.py``)."""
    n = c["windup_pulses"]
    wf = tonic("1 Hz", "2 ms", 1.5, f"{n} s", threshold_class="C", target="peripheral_nerve", shape="monophasic")
    keys = [(name, s) for name in models for s in range(c["n_subjects"])]
    reqs = [Request(models[name], wf, 0.0, 0.0, seed + s, label="wind-up") for name, s in keys]
    res = simulate_batch(reqs, f"{n} s", batch_size=c["batch_size"])
    return {k: windup_ratio(_windup_counts(r, models[k[0]], n)) for k, r in zip(keys, res)}


def _per_subject(c: dict, names: list, ratings: dict, wur: dict) -> xr.Dataset:
    """Ratings and measures per (model, subject) from {(model, subject, test, level): NRS}."""
    n = c["n_subjects"]
    temps = sorted(set(c["heat_temperatures"]) | {float(c["heat_suprathreshold"])})
    forces = c["pinprick_forces"]
    shape = (len(names), n)
    heat_c = np.array([[[ratings[(m, s, "heat", t)] for t in temps] for s in range(n)] for m in names])
    pin_c = np.array([[[ratings[(m, s, "pinprick", f)] for f in forces] for s in range(n)] for m in names])
    crit = float(c["threshold_criterion"])
    # never painful: censored at the hottest temperature (the DFNS cut-off) / one doubling above the
    # strongest force (chosen: the next force of the series)
    hpt = np.array([[first_crossing(temps, heat_c[a, s], crit, ceiling=max(temps)) for s in range(n)]
                    for a in range(len(names))])
    mpt = np.array([[first_crossing(forces, pin_c[a, s], crit, log=True, ceiling=2 * max(forces))
                     for s in range(n)] for a in range(len(names))])
    supra = temps.index(float(c["heat_suprathreshold"]))
    nrs = np.zeros(shape + (len(QST_TESTS),))
    for a, m in enumerate(names):
        for s in range(n):
            nrs[a, s] = [ratings[(m, s, "rest", 0.0)], ratings[(m, s, "brush", 0.0)], dfns_mps(pin_c[a, s]),
                         heat_c[a, s, supra]]
    wr = np.array([[wur[(m, s)] for s in range(n)] for m in names])
    ms = ("model", "subject")
    return xr.Dataset(
        {"nrs_subject": (ms + ("test",), nrs, {"units": "1", "long_name": "pain rating per virtual subject (NRS 0-10)"}),
         "heat_curve": (ms + ("temperature",), heat_c, {"units": "1", "long_name": "heat pain rating (NRS 0-10)"}),
         "pinprick_curve": (ms + ("force",), pin_c, {"units": "1", "long_name": "pinprick pain rating (NRS 0-10)"}),
         **{t: (ms, nrs[..., k], {}) for k, t in enumerate(QST_TESTS)},
         "heat_pain_threshold": (ms, hpt, {}), "mechanical_pain_threshold": (ms, mpt, {}),
         "windup_ratio": (ms, wr, {})},
        coords={"model": names, "subject": np.arange(n), "test": list(QST_TESTS),
                "temperature": ("temperature", temps, {"units": "degC", "long_name": "contact heat temperature"}),
                "force": ("force", forces, {"units": "mN", "long_name": "pinprick force"})})


def run_qst(spec: Mapping[str, Any], seed: int | None = None) -> xr.Dataset:
    """Run a checked ``kind = "qst"`` file: every test on every model and virtual subject.

    Returns
    -------
    xarray.Dataset
        ``nrs`` (model, test: rest, brush, pinprick, heat; mean over subjects), ``windup_ratio``,
        ``heat_pain_threshold`` (°C) and ``mechanical_pain_threshold`` (mN) over ``model``; per
        subject ``nrs_subject``, ``heat_curve``, ``pinprick_curve``, ``*_subject`` measures;
        ``zscore`` and ``abnormal_fraction`` over (model, measure) against the reference model;
        ``published_prevalence`` over ``measure`` (nan where none is given).
    """
    exp = spec["experiment"]
    c = _config(exp)
    seed = int(c["seed"] if seed is None else seed)
    models = {m: load_model(m) for m in c["models"]}
    keyed = _short_requests(c, models, seed)
    res = simulate_batch([r for _, r in keyed], f"{to_si(c['duration'], 's', 'experiment.duration')!r} s",
                         batch_size=c["batch_size"])
    ratings = {k: float(r["pain"]) for (k, _), r in zip(keyed, res)}
    per = _per_subject(c, list(models), ratings, _windup(c, models, seed))
    # sd_floor: the floor of the log10 measures only; HPT keeps its own floor in °C (QST_MEASURES)
    summary = qst_summary(per, c["reference"], float(c["sd_floor"]))
    units = {m[0]: (m[3], m[4]) for m in QST_MEASURES}
    ds = xr.Dataset(coords={"model": list(models)})
    ds["nrs"] = per["nrs_subject"].mean("subject").assign_attrs(units="1", long_name="pain rating (NRS 0-10), "
                                                                "mean over virtual subjects")
    for name in ("windup_ratio", "heat_pain_threshold", "mechanical_pain_threshold"):
        ds[name] = summary[f"{name}_mean"]
    for name, (u, ln) in units.items():
        ds[f"{name}_subject"] = per[name].assign_attrs(units=u, long_name=f"{ln}, per virtual subject")
    for v in ("nrs_subject", "heat_curve", "pinprick_curve"):
        ds[v] = per[v]
    ds["zscore"], ds["abnormal_fraction"] = summary["zscore"], summary["abnormal_fraction"]
    pub = spec.get("published", {})
    ds["published_prevalence"] = (("measure",), [float(pub.get(m, np.nan)) for m in ds.measure.values],
                                  {"units": "1", "long_name": "published prevalence of the sign in neuropathic-pain "
                                   "patients (gain of function)"})
    ds["subject"].attrs.update(units="1", long_name="virtual subject (seed offset)")
    ds.attrs.update({"experiment": exp.get("name", ""), "description": exp.get("description", ""),
                     "reference_model": c["reference"], "kind": "qst",
                     "experiment_spec": json.dumps({k: v for k, v in spec.items() if k != "_path"}, default=str)})
    return ds
