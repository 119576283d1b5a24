"""The result of a course: a Dataset over patients, days, sessions and follow-up days."""
from __future__ import annotations

import json
import math
import numbers
import warnings

import numpy as np
import xarray as xr

from ..errors import ParameterError
from ..params import model_overrides, overrides_text
from ..protocols import DAY_SLACK, Protocol, outside_sessions
from ..readouts import relief, responders
from ..version import __version__

__all__ = ["course_dataset", "per_patient", "checked_days", "course_days", "outside_sessions",
           "DAY_SLACK"]

#: :data:`painsim.protocols.DAY_SLACK` and :func:`painsim.protocols.outside_sessions` are imported here
#: (their names of earlier versions): the check is the calendar's, shared with painsim.tolerance


def _numbers(values, name: str, allowed: str, ok) -> tuple:
    """``values`` (None: none; a number or a sequence of numbers) as floats that pass ``ok``; a
    string, a boolean or another object where a number belongs is refused by ``name``
    (``float("30")`` would take a text, and a text ``"30"`` iterated would be the days 3 and 0)."""
    if values is None:
        return ()
    as_array = np.asarray(values, dtype=object)  # a ragged list too: its inner lists are refused below
    items = [values] if as_array.ndim == 0 else list(as_array.ravel())
    for v in items:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or not ok(float(v)):
            raise ParameterError(name, values, allowed)
    return tuple(float(v) for v in items)


def checked_days(follow_up_days, thresholds, days=None, prefix: str = "",
                 calendar=None) -> tuple[tuple, tuple, tuple]:
    """Follow-up days and extra test days (finite, >= 0, outside the sessions) and responder
    thresholds (fractions in (0, 1]) as tuples of float, each a number or a sequence of numbers
    (None: none).

    Parameters
    ----------
    follow_up_days, thresholds, days : float or sequence of float
        Days from the start of the course; fractions of relief; extra test days.
    prefix : str
        Put before the names in errors (``"experiment."`` for a course file's keys).
    calendar : painsim.protocols.Calendar, optional
        The course's sessions: a test day strictly inside one is refused (the course tests
        between sessions; such a day would read the efficacies after the whole session).

    Returns
    -------
    tuple
        ``(follow_up_days, thresholds, days)``, each a tuple of float.

    Raises
    ------
    painsim.errors.ParameterError
        A day that is negative, not finite or not a number (a text, a boolean), or inside a
        session of ``calendar``; a follow-up day given twice; a threshold outside (0, 1] or not a
        number; two thresholds of the same whole percentage (0.3 and 0.304: one variable ``responder_30``).
    """
    def day(d):
        return math.isfinite(d) and d >= 0

    fu = _numbers(follow_up_days, prefix + "follow_up_days", "days >= 0 from the start of the course (numbers)", day)
    th = _numbers(thresholds, prefix + "thresholds", "fractions of relief in (0, 1], e.g. (0.3, 0.5)",
                  lambda x: 0 < x <= 1)
    extra = _numbers(days, prefix + "days", "days >= 0 from the start of the course (numbers), e.g. range(0, 91, 7)",
                     day)
    if len(set(fu)) < len(fu):  # the follow_up coordinate: a repeated day would hold two copies of one test
        raise ParameterError(prefix + "follow_up_days", follow_up_days, "follow-up days that differ (each is one "
                             "entry of the follow_up coordinate)")
    names = [responder_name(x) for x in th]
    if len(set(names)) < len(names):  # 0.3 and 0.304 are both responder_30: one would overwrite the other
        raise ParameterError(prefix + "thresholds", thresholds, "thresholds of different whole percentages (each "
                             f"names a variable responder_<percent>; these name {', '.join(names)})")
    if calendar is not None:
        for name, values in (("follow_up_days", fu), ("days", extra)):
            outside_sessions(values, prefix + name, calendar)
    return fu, th, extra


def responder_name(threshold: float) -> str:
    """The variable of a responder threshold: ``responder_<whole percent>`` (0.3: ``responder_30``)."""
    return f"responder_{int(round(100 * threshold))}"


def course_days(calendar, follow_up, days) -> list:
    """The ``day`` coordinate of a course: day 0, the session days, ``follow_up`` and ``days``, sorted.

    A session day within :data:`DAY_SLACK` of an asked day (0, a follow-up or extra day) is that
    day: one entry, under the asked value (``sel(day=2.1)`` finds it), tested before the session.

    Parameters
    ----------
    calendar : painsim.protocols.Calendar
    follow_up, days : sequence of float
        Checked days (:func:`checked_days`).

    Returns
    -------
    list of float
    """
    asked = {0.0, *follow_up, *days}
    sessions = [s for s in calendar.days if not any(abs(s - d) <= DAY_SLACK for d in asked)]
    return sorted({*asked, *sessions})


def _scores(tests: list, var: str) -> np.ndarray:
    """``var`` of each test (patients x tests), NaN where not tested."""
    return np.array([[float(r[var]) if r is not None and var in r else np.nan for r in row] for row in tests])


def _relief(base: np.ndarray, pain: np.ndarray) -> np.ndarray:
    """Percent relief of each patient's scores from its baseline; NaN without baseline pain."""
    return np.where(base[:, None] > 0, relief(base[:, None], pain), np.nan)


#: NRS; a baseline at or above this is at the top of the score's saturating curve, where relief
#: under-reads a fall of the test's PN output (chosen: the top 5 % of the 0-10 scale)
SATURATED_BASELINE = 9.5


def _warn_if_saturated(base: np.ndarray) -> None:
    """Warn when patients start at the top of the pain score: their relief cannot show what the
    course did to the circuit (e.g. the neuropathic spinal preset's 45 °C test in some circuits)."""
    at_top = np.flatnonzero(base >= SATURATED_BASELINE)
    if at_top.size:
        warnings.warn(f"baseline pain >= {SATURATED_BASELINE:g} of 10 for patient(s) {at_top.tolist()} "
                      "(positions in the course): the test saturates the score, so relief under-reads a "
                      "lower PN output; read pn_rate beside relief, or test at a lower course.test_heat_celsius",
                      RuntimeWarning, stacklevel=4)


def _pain_variables(day_tests: list, session_tests: list, session_pn: np.ndarray, session_days) -> dict:
    pain_d, pain_s = _scores(day_tests, "pain"), _scores(session_tests, "pain")
    pn_d, pn_s = _scores(day_tests, "pn_rate"), _scores(session_tests, "pn_rate")
    base = pain_d[:, 0]
    _warn_if_saturated(base)
    return {
        "pain": (("patient", "day"), pain_d, {"units": "1", "long_name": "pain score (NRS 0-10) of the standard "
                                              "test before that day's session"}),
        "relief": (("patient", "day"), _relief(base, pain_d), {"units": "%",
                                                               "long_name": "percent relief from baseline"}),
        "pn_rate": (("patient", "day"), pn_d, {"units": "Hz", "long_name": "projection-neuron output in the test"}),
        "pain_after_session": (("patient", "session"), pain_s, {"units": "1",
                                                                "long_name": "pain score (NRS 0-10) right after the session"}),
        "relief_after_session": (("patient", "session"), _relief(base, pain_s), {"units": "%"}),
        "pn_rate_after_session": (("patient", "session"), pn_s, {"units": "Hz"}),
        "session_pn_rate": (("patient", "session"), session_pn,
                            {"units": "Hz", "long_name": "projection-neuron output during stimulation (acute "
                                                         "effect; NaN when the session is not simulated, or for "
                                                         "a patient without plastic synapses)"}),
        "session_day": (("session",), np.asarray(session_days, float), {"units": "day"}),
        "baseline_pain": (("patient",), base, {"units": "1", "long_name": "pain (NRS 0-10) before treatment (day 0)"}),
        "baseline_pn_rate": (("patient",), pn_d[:, 0], {"units": "Hz"}),
    }


def _map_variables(day_tests: list, session_tests: list) -> dict:
    """The S1 map's overactive area (and its rate images on day 0 and the last tested day)."""
    first_test = day_tests[0][0]
    if "map_overactive_area" not in first_test:
        return {}
    data = {
        "map_overactive_area": (("patient", "day"), _scores(day_tests, "map_overactive_area"),
                                {"units": "m^2", "long_name": "S1 overactive area in the test"}),
        "map_overactive_area_after_session": (("patient", "session"),
                                              _scores(session_tests, "map_overactive_area"), {"units": "m^2"}),
    }
    if "map_rate" in first_test:
        first = np.array([row[0]["map_rate"].values for row in day_tests])
        last_day = max(j for j, r in enumerate(day_tests[0]) if r is not None)  # the last tested day
        last = np.array([row[last_day]["map_rate"].values for row in day_tests])
        my, mx = first_test["map_rate"].dims
        data["map_rate_baseline"] = (("patient", my, mx), first, {"units": "Hz"})
        data["map_rate_final"] = (("patient", my, mx), last, {"units": "Hz",
                                                              "long_name": "S1 map on the last tested day"})
    return data


def _mean_efficacy(tests: list, recorded: list, conn: str) -> np.ndarray:
    """Mean efficacy of ``conn`` at each test entry (patients x entries): from the efficacies recorded
    there (``recorded[k][j]``, the set the pain test runs with, tested or not), else from the test's
    result; NaN where neither holds the connection."""
    out = []
    for k, row in enumerate(tests):
        means = []
        for j, r in enumerate(row):
            w = recorded[k][j] if k < len(recorded) and j < len(recorded[k]) else None
            if w and conn in w:
                v = np.asarray(w[conn])
            else:
                v = r[f"w_{conn}"].values if r is not None and f"w_{conn}" in r else np.array([])
            means.append(float(np.mean(v)) if v.size else np.nan)
        out.append(means)
    return np.array(out)


def _weight_variables(conns: list, day_tests: list, session_tests: list, late_on_day: list,
                      weights_on_day: list, weights_after_session: list) -> dict:
    data = {}
    for c in conns:
        data[f"w_{c}"] = (("patient", "day"), _mean_efficacy(day_tests, weights_on_day, c),
                          {"units": "1", "long_name": f"mean efficacy of {c} synapses"})
        data[f"w_{c}_after_session"] = (("patient", "session"),
                                        _mean_efficacy(session_tests, weights_after_session, c), {"units": "1"})
        data[f"w_{c}_late"] = (("patient", "day"),
                               np.array([[float(np.mean(d[c])) if c in d and d[c].size else 0.0 for d in late]
                                         for late in late_on_day]),
                               {"units": "1", "long_name": f"mean consolidated change of {c} efficacy"})
    return data


def _responder_variables(relief_on_day: np.ndarray, day_coord, follow_up, thresholds) -> dict:
    """``responder_<30|50>``: relief at least the threshold on each follow-up day (False when not tested)."""
    day_index = {d: i for i, d in enumerate(day_coord)}
    at_follow_up = relief_on_day[:, np.asarray([day_index[f] for f in follow_up], dtype=int)]
    data = {}
    for x in thresholds:
        flags = responders(at_follow_up / 100.0, x).reshape(relief_on_day.shape[0], len(follow_up))
        data[responder_name(x)] = (("patient", "follow_up"), flags,
                                   {"units": "1", "long_name": f"relief >= {100 * x:g} % at the follow-up day"})
    return data


def course_dataset(protocol: Protocol, patients: list, day_tests: list, session_tests: list, day_coord,
                   follow_up, thresholds, session_pn: np.ndarray, late_on_day: list, meta: dict,
                   weights_on_day: list = (), weights_after_session: list = ()) -> xr.Dataset:
    """The course Dataset of :func:`painsim.course.run_course_batch`.

    ``day_tests[k][j]`` / ``session_tests[k][s]``: patient ``k``'s pain test
    (a :func:`painsim.simulate_batch` result, None where not tested) on day
    ``day_coord[j]`` / after session ``s``; ``late_on_day[k][j]``: its late
    components per connection on that day; ``meta``: engine settings (attrs).

    Parameters
    ----------
    protocol : Protocol
        The protocol run (calendar, name, sham).
    patients : list of Patient
        The patients (model, seed, plastic connections).
    day_tests, session_tests : list of list
        Test results per patient, per day / per session (None where not tested).
    day_coord : sequence of float
        The test days, in days from the start of the course.
    follow_up : sequence of float
        The follow-up days (each one of ``day_coord``).
    thresholds : sequence of float
        Responder thresholds, fractions of relief in (0, 1].
    session_pn : numpy.ndarray
        Patients x sessions: projection-neuron output during stimulation, in Hz; stored NaN for
        a patient without plastic synapses (alone in its batch its sessions are not simulated:
        the NaN keeps its numbers independent of its batch companions).
    late_on_day : list of list of dict
        Per patient, per test day: connection -> late components.
    meta : dict
        Engine settings, added to the attributes.
    weights_on_day, weights_after_session : list of list of dict, optional
        Per patient, per test day / per session: connection -> the efficacies recorded there
        (:class:`painsim.course.engine.CourseHistory`), from which the mean efficacies are read
        whether or not that entry was tested; without them, from the tests' results (NaN where not
        tested).

    Returns
    -------
    xarray.Dataset
        Over ``patient``, ``day``, ``session`` and ``follow_up``: pain (NRS 0-10), relief (%),
        projection-neuron rates (Hz), mean efficacies and ``responder_<30|50>`` flags; in the
        attributes, among others, ``model`` (each patient's model name, JSON list) and ``parameters``
        (each patient's parameters as run, a JSON list of what a simulation's ``parameters`` holds:
        a ``with_params`` variant and the protocol's plasticity overrides included).
    """
    session_pn = np.where(np.array([bool(p.plastic) for p in patients])[:, None], session_pn, np.nan)
    data = _pain_variables(day_tests, session_tests, session_pn, protocol.calendar.days)
    data.update(_map_variables(day_tests, session_tests))
    conns = list(dict.fromkeys(c for p in patients for c in p.plastic))
    data.update(_weight_variables(conns, day_tests, session_tests, late_on_day, weights_on_day,
                                  weights_after_session))
    data.update(_responder_variables(data["relief"][1], day_coord, follow_up, thresholds))
    ds = xr.Dataset(data, coords={"patient": np.arange(len(patients)),
                                  "day": ("day", np.asarray(day_coord), {"units": "day"}),
                                  "session": np.arange(protocol.calendar.n_sessions),
                                  "follow_up": ("follow_up", np.asarray(follow_up, float), {"units": "day"}),
                                  "seed": ("patient", np.array([p.seed for p in patients]))})
    ds.attrs.update({"painsim_version": __version__, "protocol": protocol.name,
                     "protocol_spec": json.dumps(protocol.describe(), default=str),
                     "sham": int(protocol.is_sham), "model": json.dumps([p.model.name for p in patients]),
                     "plastic_connections": " ".join(conns), "thresholds": json.dumps(list(thresholds)),
                     # each patient's parameters, as a simulation's "parameters" (with_params overrides too)
                     "parameters": "[" + ", ".join(p.model.to_json() for p in patients) + "]", **meta})
    variant = model_overrides()
    if variant:   # a model variant in force (--set): each course file, a cohort's patients' too, says so
        ds.attrs["model_overrides"] = overrides_text(variant)
    return ds


def per_patient(results) -> list:
    """A course-batch result as one Dataset per patient.

    Accepts a list of Datasets or one Dataset with a ``patient`` dimension
    (what :func:`painsim.course.run_course_batch` returns).

    Parameters
    ----------
    results : xarray.Dataset or list of xarray.Dataset
        A Dataset without a ``patient`` dimension is returned as the only element.

    Returns
    -------
    list of xarray.Dataset
        One per patient; split from a Dataset, each has its seed and model name in the attributes.

    Raises
    ------
    painsim.errors.ParameterError
        ``results`` is neither a Dataset nor a sequence of Datasets.
    """
    if isinstance(results, xr.Dataset):
        if "patient" not in results.dims:
            return [results]
        models = json.loads(results.attrs.get("model", "[]"))
        params = json.loads(results.attrs.get("parameters", "[]"))
        return [_one_patient(results, k, models, params) for k in range(results.sizes["patient"])]
    out = list(results) if isinstance(results, (list, tuple)) else None
    if out is None or not all(isinstance(ds, xr.Dataset) for ds in out):
        raise ParameterError("results", results if out is None else [type(ds).__name__ for ds in out],
                             "a course result (xarray.Dataset, painsim.course.run_course_batch) or a list of them")
    return out


def _one_patient(results: xr.Dataset, k: int, models: list, params: list) -> xr.Dataset:
    """Patient ``k`` of a course batch: its model's name and parameters (of ``models`` and ``params``,
    the batch's ``model`` and ``parameters`` attributes, which list every patient's) and its seed in
    the attributes (a file of one patient must not depend on which patients shared its batch)."""
    ds = results.isel(patient=k)
    own = {}
    if "seed" in ds.coords:
        own["seed"] = int(ds["seed"])
    if k < len(models):
        own["model"] = models[k]
    if k < len(params):
        own["parameters"] = json.dumps(params[k], sort_keys=True)
    ds = ds.drop_vars(["patient", "seed"], errors="ignore")
    ds.attrs = {**ds.attrs, **own}
    return ds
