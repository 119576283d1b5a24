"""Plasticity in the circuit: weight updates from simulated windows, and the
spinal conditioning protocol (test, condition, test again).

A layer above :mod:`painsim.simulation`: the rules themselves
(:mod:`painsim.plasticity`) know nothing of simulations; here the spikes of a
:func:`painsim.simulate` result drive them.

* :func:`update_weights` -- efficacies for the next window from the spikes of
  one window (windows chain through the returned rule states).
* :func:`condition_and_test` -- spinal LTP/LTD: a test window before, the
  conditioning windows (plastic), a test window after.
* :func:`run_conditioning_experiment` -- a ``kind = "conditioning"``
  experiment file (``painsim run``); its structure is checked by
  :func:`check_conditioning_spec`.

Measured effects of the spinal configuration: docs/plasticity.md.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import xarray as xr

from .checks import distinct_labels, floats, is_number, known_keys, known_tables, simulated_duration, whole
from .circuits import projection_endpoints
from .errors import ModelFileError, ParameterError, UnknownKeyError
from .devices import describe_devices
from .params import find_builtin, load_model, model_overrides, overrides_text, read_toml
from .params.reading import beside_experiment
from .plasticity import plastic_connections
from .readouts import population_spikes
from .fibers.afferents import intensity_shorthand
from .rng import checked_seed
from .simulation import Request, simulate_batch
from .simulation.inputs import check_file_devices, natural_attr, per_site
from .stimulation import Waveform, from_spec, from_table

__all__ = ["update_weights", "condition_and_test", "conditioned_weights", "run_conditioning_experiment",
           "load_conditioning_spec", "check_conditioning_spec", "EXPERIMENT_KEYS", "CONDITIONING_TABLES",
           "TEST_KEYS", "PROTOCOL_KEYS"]


# ==========================================================================
# weight updates from a simulated window
# ==========================================================================
def _window_weights(conn, result, given, w_min, w_max):
    """Efficacies a window of ``conn`` ran with (``given`` or the result's), within the plastic range."""
    if f"w_{conn}" not in result:
        raise UnknownKeyError(conn, [k[2:] for k in result.data_vars if k.startswith("w_")],
                              what="connection in the result")
    w = np.array(given[conn] if conn in given else result[f"w_{conn}"].values, float)
    syn_pre = np.asarray(result[f"pre_{conn}"].values, np.int64)
    syn_post = np.asarray(result[f"post_{conn}"].values, np.int64)
    if w.size != syn_pre.size:
        raise ParameterError(f"weights[{conn!r}]", w.size, f"{syn_pre.size} values (one per synapse)")
    if conn not in given:  # the result's own: simulated with weights= outside the plastic range
        _within_bounds(w, f"result['w_{conn}']", conn, w_min, w_max)
    return w, syn_pre, syn_post


def _within_bounds(w, name, conn, w_min, w_max) -> np.ndarray:
    """``w`` (the efficacies a plastic connection starts from) as floats, refused naming ``name``
    unless every entry lies within the rule's bounds ``[w_min, w_max]`` of ``plasticity.<conn>``
    (clipped silently to them, the change was measured against the unclipped start: a fake effect)."""
    allowed = f"efficacies within [w_min, w_max] = [{w_min!r}, {w_max!r}] (the bounds of plasticity.{conn})"
    w = floats(w, name, allowed)
    bad = ~((w >= w_min) & (w <= w_max))
    if bad.any():
        k = np.flatnonzero(bad.ravel())
        raise ParameterError(name, float(w.ravel()[k[0]]), allowed,
                             hint=f"{k.size} of {w.size} entries outside, the first at index {int(k[0])}")
    return w


def _checked_start(plastic, weights) -> None:
    """The starting efficacies given for the plastic connections, each within its rule's bounds
    (:func:`_within_bounds`), checked before any window is simulated or updated."""
    for conn, (_, w_min, w_max) in plastic.items():
        if weights and conn in weights:
            _within_bounds(weights[conn], f"weights[{conn!r}]", conn, w_min, w_max)


def _clock(states) -> float:
    """``states["time"]``: a finite number of s, required once ``states`` holds anything (without it the
    window was placed at 0 s, before the events the rule states had seen, and the weights ran to a bound)."""
    if not states:
        return 0.0
    if "time" not in states:
        raise ParameterError('states["time"]', "missing", "the time in s the next window starts at (the states "
                             "a previous update_weights call returned carry it)")
    if not is_number(states["time"]):
        raise ParameterError('states["time"]', states["time"], "a finite number of s")
    return float(states["time"])


def _from_states(error, conn):
    """A rule's refusal of its window start or state, named as the part of ``states`` it came from."""
    name = str(error.name)
    if name == "t_start":
        return error.renamed('states["time"]')
    if name.startswith("state"):
        return error.renamed(f"states[{conn!r}]" + name[len("state"):])
    return error


def update_weights(model, result, weights=None, states=None, *, replay: int = 1):
    """Turn the spikes of one ``simulate()`` window into efficacies for the next.

    Parameters
    ----------
    model : painsim Model
        Its ``[plasticity.*]`` sections say which connections are plastic.
    result : xarray.Dataset
        A :func:`painsim.simulate` result (spikes, ``pre_/post_/w_<conn>``).
    weights : dict, optional
        Efficacies the window ran with (default: ``w_<conn>`` of ``result``), a plastic
        connection's within its rule's bounds (``plasticity.<conn>.w_min``, ``w_max``).
        Connections that are not plastic are passed through unchanged.
    states : dict, optional
        From a previous call: ``{"time": s, conn: rule state}``.  The window is
        placed at ``states["time"]`` on a continuous clock, so windows chain
        (``"time"`` is required once ``states`` holds anything; None or ``{}``: a
        first window at 0 s).
    replay : int
        Apply the rule to this window's spikes ``replay`` times in succession
        (time-shifted by the window length): a cheap extrapolation of a long
        conditioning train from one representative window.  Exact when the
        rule's input does not depend on the weights (presynaptic-driven
        calcium rule); otherwise it neglects the feedback of the weight change
        on the postsynaptic spikes.

    Returns
    -------
    new_weights : dict of ndarray
    new_states : dict

    Raises
    ------
    painsim.errors.ParameterError
        ``replay`` not a whole number >= 1, ``result`` not a simulate() result (a Dataset with
        ``duration_s``), or ``weights`` or ``states`` not mappings (were bare AttributeError,
        KeyError or TypeError); ``states["time"]`` missing from states that hold anything, not a
        finite number, or before the last event a connection's rule state has seen (named
        ``states["time"]``); a rule state the rule refuses (named ``states['<conn>'][...]``);
        starting efficacies of a plastic connection outside its rule's bounds ``[w_min, w_max]``
        (``plasticity.<conn>``), named ``weights['<conn>']`` (checked before any update) or, taken
        from the result, ``result['w_<conn>']`` (were clipped to the bounds silently).
    painsim.errors.UnknownKeyError
        A plastic connection missing from ``result``.
    """
    replay = whole(replay, "replay", allow_float=True)
    if not isinstance(result, xr.Dataset) or "duration_s" not in result.attrs:
        raise ParameterError("result", type(result).__name__, "a painsim.simulate() result (an xarray Dataset)")
    for name, value in (("weights", weights), ("states", states)):
        if value is not None and not isinstance(value, Mapping):
            raise ParameterError(name, value, "None or a mapping (connection -> array; states: from a previous call)")
    plastic = plastic_connections(model)
    _checked_start(plastic, weights)
    src = projection_endpoints(model)
    duration = float(result.attrs["duration_s"])
    states = dict(states or {})
    t0 = _clock(states)
    new_w = {k: np.array(v, float) for k, v in (weights or {}).items()}
    for conn, (rule, w_min, w_max) in plastic.items():
        w, syn_pre, syn_post = _window_weights(conn, result, new_w, w_min, w_max)
        source, target = src[conn]
        pt, pi, n_pre = population_spikes(result, source, sort=True)
        qt, qi, n_post = population_spikes(result, target, sort=True)
        st = states.get(conn)
        if st is None:
            st = rule.initial_state(w.size, n_pre, n_post)
        for k in range(replay):
            # window k ends exactly where k + 1 starts (off + duration may be an ulp later, and the
            # calcium and scaling rules refuse a window that starts before the time they integrated to)
            off, end = t0 + k * duration, t0 + (k + 1) * duration
            try:
                w, st = rule.apply(pt + off, pi, qt + off, qi, syn_pre, syn_post, w, st,
                                   off, end, w_min, w_max)
            except ParameterError as e:
                raise _from_states(e, conn) from None
        new_w[conn] = w
        states[conn] = st
    states["time"] = t0 + replay * duration
    return new_w, states


# ==========================================================================
# the conditioning protocol
# ==========================================================================
def _simulate_conditioning(model, conditioning, seed, weights, batch_size):
    """One conditioning window per label (no natural stimulus), batched by duration."""
    by_d = {}
    for lab, wf in conditioning.items():
        by_d.setdefault(wf.duration, []).append(lab)
    results = {}
    for d, labs in by_d.items():
        outs = simulate_batch([Request(model, conditioning[l], 0.0, 0.0, seed, weights) for l in labs],
                              f"{d!r} s", batch_size=batch_size)
        results.update(zip(labs, outs))
    return results


def _labelled(conditioning, replay) -> tuple[dict, dict]:
    """The conditioning waveforms by label (a single waveform is labelled "conditioning") and the
    replay count of each label."""
    if not isinstance(conditioning, dict):
        conditioning = {"conditioning": conditioning}
    return conditioning, (replay if isinstance(replay, dict) else {k: replay for k in conditioning})


def _seed(seed, name: str) -> int:
    """A seed: a whole number >= 0, an int of any size or a float with a whole value (int() truncated
    1.5 and read True as 1)."""
    return checked_seed(seed, name)


def _checked_protocol(model, conditioning, replay, seed, weights, batch_size) -> tuple[dict, dict]:
    """:func:`_labelled`, every argument of the conditioning checked before a window is simulated (a
    replay count was refused after the conditioning windows had run, a label without one was a bare
    KeyError there, a waveform that is none an AttributeError)."""
    single = not isinstance(conditioning, dict)
    conditioning, reps = _labelled(conditioning, replay)
    if not conditioning:
        raise ParameterError("conditioning", conditioning, "at least one waveform")
    for lab, wf in conditioning.items():
        if not isinstance(wf, Waveform):
            raise ParameterError("conditioning" if single else f"conditioning[{lab!r}]", wf,
                                 "a painsim Waveform (painsim.stimulation), or a dict of label -> Waveform")
    if isinstance(replay, dict):
        known_keys(replay, conditioning, "label of replay")
    for lab in conditioning:
        name = f"replay[{lab!r}]" if isinstance(replay, dict) else "replay"
        whole(reps.get(lab), name, 1, allow_float=True)
    _seed(seed, "seed")
    if weights is not None and not isinstance(weights, Mapping):
        raise ParameterError("weights", weights, "None or a mapping of connection -> efficacies")
    whole(batch_size, "batch_size", 1, allow_float=True)
    plastic = plastic_connections(model)
    if not plastic:
        raise ParameterError("model", model.name, "a model with a plastic connection",
                             hint="set e.g. plasticity.c_pn.rule = 'calcium'")
    _in_network(model, plastic)
    _checked_start(plastic, weights)
    return conditioning, reps


def _in_network(model, plastic) -> None:
    """Every plastic connection of ``model`` is one of its network's (was refused after the
    conditioning windows had run, as a connection missing from their result)."""
    have = projection_endpoints(model)
    for conn in plastic:
        if conn not in have:
            raise ParameterError(f"plasticity.{conn}", conn, "a connection of the model's network (network.layers "
                                 f"= {model.text('network.layers')!r} has no connection {conn!r}; it has: "
                                 f"{', '.join(have)})", hint=f"set plasticity.{conn}.rule = 'none'")


def conditioned_weights(model, conditioning, *, replay=1, seed: int = 0, weights=None, batch_size: int = 32):
    """Efficacies of the plastic connections after each conditioning waveform (no test window).

    The conditioning half of :func:`condition_and_test` (same arguments): one window per
    label with no natural stimulus, its spikes replayed ``replay`` times through the rules.

    Parameters
    ----------
    model : Model
        Needs at least one plastic connection (``[plasticity.*]``).
    conditioning : Waveform or dict of label -> Waveform
        A single waveform is labelled ``"conditioning"``.
    replay : int or dict of label -> int
        Repetitions of each conditioning window (:func:`update_weights`).
    seed : int
        Seed of the conditioning windows.
    weights : dict, optional
        Efficacies per connection the windows start from; a plastic connection's within its
        rule's bounds (``plasticity.<conn>.w_min``, ``w_max``).
    batch_size : int
        Windows per brian2 network (:func:`painsim.simulate_batch`).

    Returns
    -------
    new : dict
        label -> {connection: efficacy array}.
    conditioned : dict
        label -> the conditioning window's result Dataset.

    Raises
    ------
    painsim.errors.ParameterError
        Before any window is simulated: no conditioning waveform or one that is not a Waveform, a
        replay count that is not a whole number >= 1 (or a label without one), a seed that is not a
        whole number >= 0, ``weights`` not a mapping, ``batch_size`` not a whole number >= 1, a
        model with no plastic connection, a plastic connection its network does not have (named
        ``plasticity.<conn>``), or starting efficacies ``weights['<conn>']`` of a plastic connection
        outside its rule's bounds ``[w_min, w_max]`` (were clipped to them silently, so
        :func:`condition_and_test` reported the clipping as a conditioning effect).
    painsim.errors.UnknownKeyError
        A ``replay`` label that is not a conditioning label.
    """
    conditioning, reps = _checked_protocol(model, conditioning, replay, seed, weights, batch_size)
    w0 = dict(weights or {})
    conditioned = _simulate_conditioning(model, conditioning, seed, w0, batch_size)
    new = {lab: update_weights(model, conditioned[lab], w0, None, replay=reps[lab])[0] for lab in conditioning}
    return new, conditioned


def _summary(model, plastic, labels, base, after, conditioned, new, attrs):
    """The Dataset of :func:`condition_and_test` over ``protocol``."""
    data = {
        "pain_before": (("protocol",), np.full(len(labels), float(base.pain)),
                        {"units": "1", "long_name": "test pain score before conditioning (NRS 0-10)"}),
        "pain_after": (("protocol",), np.array([float(a.pain) for a in after]),
                       {"units": "1", "long_name": "test pain score after conditioning (NRS 0-10)"}),
        "pn_rate_before": (("protocol",), np.full(len(labels), float(base.pn_rate)), {"units": "Hz"}),
        "pn_rate_after": (("protocol",), np.array([float(a.pn_rate) for a in after]), {"units": "Hz"}),
        "conditioning_pain": (("protocol",), np.array([float(conditioned[l].pain) for l in labels]),
                              {"units": "1", "long_name": "pain score during conditioning (NRS 0-10)"}),
    }
    for conn in plastic:
        w_before = np.asarray(base[f"w_{conn}"].values, float)
        m0 = float(w_before.mean()) if w_before.size else 1.0
        m1 = np.array([float(np.mean(new[l][conn])) if new[l][conn].size else m0 for l in labels])
        data[f"w_{conn}"] = (("protocol",), m1, {"units": "1", "long_name": f"mean {conn} efficacy after"})
        data[f"w_{conn}_change"] = (("protocol",), m1 / m0 - 1.0,
                                    {"units": "1", "long_name": f"relative change of mean {conn} efficacy"})
    return xr.Dataset(data, coords={"protocol": labels}, attrs={"model": model.name, **attrs})


def condition_and_test(model, conditioning, test_noxious=0.6, *, test_duration=None,
                       replay=1, seed: int = 0, test_seed=None, weights=None, batch_size=32):
    """Spinal LTP/LTD protocol: test, condition (plastic), test again.

    For each conditioning waveform, the model is simulated once with the
    conditioning stimulus (no natural stimulus) and the plastic connections
    (``[plasticity.*]``) are updated from its spikes (``replay`` times, see
    :func:`update_weights`); a test window with a noxious stimulus is run
    before (shared baseline) and after, with the same ``test_seed``, so the
    only difference between the two test windows is the efficacies.

    Parameters
    ----------
    model : Model
    conditioning : Waveform or dict of label -> Waveform
    test_noxious : float or NaturalStimulus
    test_duration : Quantity, optional
        Default 1 s.
    replay : int or dict of label -> int
        Repetitions of each conditioning window (1 Hz x 1200 pulses =
        a 20-pulse window replayed 60 times).
    seed, test_seed : int
        Seeds of the conditioning and test windows (test_seed default: seed).
    weights : dict, optional
        Efficacies per connection the conditioning and the baseline test start from (e.g. a
        previous conditioning's), as :func:`painsim.simulate` takes them; default: the model's.
        A plastic connection's within its rule's bounds (``plasticity.<conn>.w_min``, ``w_max``).
    batch_size : int
        Windows per brian2 network (:func:`painsim.simulate_batch`).

    Returns
    -------
    summary : xarray.Dataset
        Over ``protocol``: ``pain_before``, ``pain_after``, ``pn_rate_before``,
        ``pn_rate_after``, ``conditioning_pain`` and per plastic connection
        ``w_<conn>`` (mean efficacy after) and ``w_<conn>_change`` (relative
        change of the mean efficacy); attributes: ``model``, ``parameters`` (the model's, as a
        simulation's result holds them), ``conditioning`` (each label's stimulus) and
        ``test_noxious`` (JSON, as a simulation's ``stimulus`` and ``noxious``), the seeds, the test
        window and the replays.
    weights : dict
        label -> {connection: efficacy array} after conditioning (pass as
        ``weights=`` to :func:`painsim.simulate`).

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`conditioned_weights`, and ``test_noxious`` (as :func:`painsim.simulate` takes
        ``noxious``), ``test_duration`` (a time in (0, 3600] s) or ``test_seed`` (a whole number
        >= 0) refused: all before any window is simulated (were refused after the conditioning
        windows had run).
    painsim.errors.UnitError
        ``test_duration`` without a time unit.
    """
    conditioning, reps = _checked_protocol(model, conditioning, replay, seed, weights, batch_size)
    tseed = seed if test_seed is None else test_seed
    _seed(tseed, "test_seed")
    td = 1.0 if test_duration is None else simulated_duration(test_duration, "test_duration")
    per_site(model, test_noxious, "test_noxious")
    labels = list(conditioning)
    w0 = dict(weights or {})
    # 1. conditioning windows and weight updates (bad input refused before any test), 2. baseline
    # test window, 3. test windows after
    new, conditioned = conditioned_weights(model, conditioning, replay=reps, seed=seed, weights=w0,
                                           batch_size=batch_size)
    plastic = plastic_connections(model)
    base = simulate_batch([Request(model, None, test_noxious, 0.0, tseed, w0)], f"{td!r} s")[0]
    after = simulate_batch([Request(model, None, test_noxious, 0.0, tseed, new[l]) for l in labels], f"{td!r} s",
                           batch_size=batch_size)
    ds = _summary(model, plastic, labels, base, after, conditioned, new,
                  {"seed": seed, "test_seed": tseed, "test_duration_s": td, "replay": str(reps),
                   **_run_attrs(model, conditioning, test_noxious, td)})
    return ds, new


def _run_attrs(model, conditioning, test_noxious, duration) -> dict:
    """What :func:`condition_and_test` ran, as a simulation's result records it (JSON text): the
    model's ``parameters``, the ``conditioning`` stimuli by label, the ``test_noxious`` stimulus,
    and ``model_overrides`` when a model variant is in force (as a course result)."""
    out = {"parameters": model.to_json(),
           "conditioning": json.dumps({lab: describe_devices(w) for lab, w in conditioning.items()}),
           "test_noxious": json.dumps(natural_attr(model, test_noxious, "test_noxious"))}
    variant = model_overrides()
    if variant:
        out["model_overrides"] = overrides_text(variant)
    return out


# ==========================================================================
# conditioning experiment files
# ==========================================================================
#: Keys of ``[experiment]`` in a conditioning file.
EXPERIMENT_KEYS = {"name", "description", "kind", "model", "duration", "seed", "batch_size", "figure"}
#: Tables of a conditioning file.
CONDITIONING_TABLES = {"experiment", "params", "test", "protocol"}
#: Keys of the ``[test]`` table of a conditioning file.
TEST_KEYS = {"noxious"}
#: Keys of a ``[[protocol]]`` table of a conditioning file.
PROTOCOL_KEYS = {"label", "stimulus", "replay"}


def _check_protocols(protos, path) -> list[Waveform]:
    """The ``[[protocol]]`` tables: keys, stimulus table, replay, distinct labels; their stimuli."""
    if isinstance(protos, Mapping):  # [protocol] (one table) where [[protocol]] (a list of them) belongs
        raise ParameterError("protocol", dict(protos), "a list of [[protocol]] tables (label, stimulus, replay), "
                                                       "e.g. [[protocol]] in a file, a list of dicts in a mapping")
    if not isinstance(protos, list) or not protos:
        raise ModelFileError(f"{path}: no [[protocol]] tables (a conditioning experiment needs at least one, "
                             f"with label, stimulus and replay)")
    labels, stimuli = [], []
    for n, p in enumerate(protos):
        if not isinstance(p, Mapping):
            raise ParameterError(f"protocol[{n}]", p, "a [[protocol]] table (label, stimulus, replay)")
        known_keys(p, PROTOCOL_KEYS, "protocol key")
        stimuli.append(from_table(p.get("stimulus"), f"protocol[{n}].stimulus"))  # refused at load, by its key
        r = p.get("replay", 1)
        if isinstance(r, bool) or not isinstance(r, int) or r < 1:
            raise ParameterError(f"protocol[{n}].replay", r, "a whole number >= 1")
        labels.append(p.get("label", f"protocol {n}"))
    distinct_labels(labels, "protocol")
    return stimuli


def check_conditioning_spec(spec: Mapping, path) -> None:
    """Check the structure of a parsed ``kind = "conditioning"`` file (values are checked where used).

    Tables ``[experiment]`` (keys :data:`EXPERIMENT_KEYS`), ``[params]``,
    ``[test]`` (``noxious``) and ``[[protocol]]`` (``label``, ``stimulus``,
    ``replay``); ``path`` names the file in messages.

    Parameters
    ----------
    spec : mapping
        The parsed file.
    path : str or Path
        The file, named in messages.

    Raises
    ------
    painsim.errors.ModelFileError
        No ``[experiment]`` table, or no ``[[protocol]]`` tables.
    painsim.errors.UnknownKeyError
        A misspelt table or key (the message names the nearest valid one), a model that is not
        built in, or a ``[params]`` path the model does not have.
    painsim.errors.ParameterError
        A bad value (seed, params or test not a table, replay, stimulus, duplicate labels), a
        ``[test]`` noxious that is not a number in [0, 1] (not text such as ``"0.6"``), a stimulus
        the model refuses (:func:`painsim.simulation.inputs.check_file_devices`: a site its body
        lacks, ``protocol[n].stimulus.site``; a modality none of its layers receives, such as rTMS
        on a spinal model, ``protocol[n].stimulus``).
    """
    exp = spec.get("experiment")
    if not isinstance(exp, Mapping):
        raise ModelFileError(f"{path}: missing [experiment] table")
    known_keys(exp, EXPERIMENT_KEYS, "experiment key")
    checked_seed(exp.get("seed", 0), "experiment.seed", allow_float=False)  # numpy seeds are whole numbers >= 0 (not "abc", not 1.7)
    known_tables(spec, CONDITIONING_TABLES, "table of a conditioning experiment")
    if not isinstance(spec.get("params", {}), Mapping):
        raise ParameterError("params", spec.get("params"), "a table of dotted model paths, e.g. [params]")
    test = spec.get("test", {})
    if not isinstance(test, Mapping):
        raise ParameterError("test", test, "a table, e.g. [test] noxious = 0.6")
    known_keys(test, TEST_KEYS, "key of [test]")
    if "noxious" in test:  # text ("0.6") ran as a number: checked as a condition's noxious is
        intensity_shorthand(test["noxious"], "test.noxious")
    stimuli = _check_protocols(spec.get("protocol", []), path)
    model = load_model(beside_experiment(exp.get("model", "gate_control"), spec.get("_path", path)),  # a misspelt
                       spec.get("params") or None)                                                 # name or path
    for n, (p, wf) in enumerate(zip(spec["protocol"], stimuli)):  # a device the model refuses: by its key, at load
        check_file_devices(model, wf, p["stimulus"], f"protocol[{n}].stimulus", wf.duration)


def load_conditioning_spec(path_or_name) -> dict:
    """Read and check a conditioning experiment file (built-in name or path); ``"_path"`` added.

    Parameters
    ----------
    path_or_name : str or Path
        A built-in experiment name or the path of a TOML file.

    Returns
    -------
    dict
        The parsed file, checked by :func:`check_conditioning_spec`, with
        ``"_path"`` (the file it was read from).

    Raises
    ------
    painsim.errors.ModelFileError
        No such file, invalid TOML, not ``kind = "conditioning"``, or a
        structure :func:`check_conditioning_spec` refuses.
    painsim.errors.PathError
        ``path_or_name`` is a folder.
    painsim.errors.UnknownKeyError, painsim.errors.ParameterError
        No such built-in, a misspelt key, or a bad value.
    """
    path = find_builtin(path_or_name, "experiments")
    spec = read_toml(path)
    exp = spec.get("experiment")
    if isinstance(exp, Mapping) and exp.get("kind") != "conditioning":
        raise ModelFileError(f"{path}: not a conditioning experiment (kind = \"conditioning\" under [experiment])")
    check_conditioning_spec(spec, path)
    spec["_path"] = str(path)
    return spec


def run_conditioning_experiment(path_or_spec, seed=None):
    """Run a ``kind = "conditioning"`` experiment file (e.g. ``experiments/spinal_ltp_ltd.toml``).

    File layout: ``[experiment]`` (name, model, ``kind = "conditioning"``,
    duration = test window, seed, figure), ``[params]`` (dotted model
    overrides, e.g. which connections are plastic), ``[test]``
    (``noxious``) and ``[[protocol]]`` tables (``label``, ``stimulus`` as in
    experiment files, ``replay``).  A file is checked by
    :func:`load_conditioning_spec`; ``painsim run FILE`` and
    :func:`painsim.run_experiment` call this function.

    Parameters
    ----------
    path_or_spec : str, Path or mapping
        Built-in experiment name, path, or a spec as a file holds it (a mapping is checked by
        :func:`check_conditioning_spec`, as a file is).
    seed : int, optional
        Overrides the file's seed.

    Returns
    -------
    summary : xarray.Dataset
        As :func:`condition_and_test`, over ``protocol``.
    weights : dict
        label -> {connection: efficacy array} after conditioning.

    Raises
    ------
    painsim.errors.ModelFileError, painsim.errors.ParameterError
        For a file or mapping that is not a valid conditioning experiment (:func:`check_conditioning_spec`:
        a misspelt key, two protocols of one label, a protocol without a stimulus); ``seed``, ``experiment.seed``,
        ``experiment.batch_size``, ``experiment.duration``, ``test.noxious`` or a replay refused by
        its key before any window is simulated.
    """
    spec = path_or_spec if isinstance(path_or_spec, Mapping) else load_conditioning_spec(path_or_spec)
    exp = spec.get("experiment", {})
    src = spec.get("_path", "experiment")
    if not isinstance(exp, Mapping) or exp.get("kind") != "conditioning":
        raise ModelFileError(f"{src}: not a conditioning experiment (kind = \"conditioning\" under [experiment])")
    if isinstance(path_or_spec, Mapping):  # a mapping is checked as a file is (misspelt keys, duplicate labels)
        check_conditioning_spec(spec, src)
    protos = spec["protocol"]
    # the file's values checked by their keys before anything runs (int() truncated a seed of 1.5, took
    # True as 1 and gave bare errors for text; a bad duration or noxious was refused after conditioning)
    s = checked_seed(exp.get("seed", 0), "experiment.seed", allow_float=False) if seed is None else _seed(seed, "seed")
    batch_size = whole(exp.get("batch_size", 32), "experiment.batch_size", 1, allow_float=True)
    simulated_duration(exp.get("duration", "1 s"), "experiment.duration")
    model = load_model(beside_experiment(exp.get("model", "gate_control"), spec.get("_path")), spec.get("params") or None)
    noxious = spec.get("test", {}).get("noxious", 0.6)
    per_site(model, noxious, "test.noxious")
    labels = [p.get("label", f"protocol {k}") for k, p in enumerate(protos)]
    cond = {lab: from_spec(p["stimulus"]) for lab, p in zip(labels, protos)}
    reps = {lab: whole(p.get("replay", 1), f"protocol[{k}].replay", 1)
            for k, (lab, p) in enumerate(zip(labels, protos))}
    ds, w = condition_and_test(model, cond, noxious, test_duration=exp.get("duration", "1 s"), replay=reps, seed=s,
                               batch_size=batch_size)
    name = exp.get("name", Path(src).stem)
    ds.attrs.update(name=name, experiment=name,
                    description=exp.get("description", ""), kind="conditioning", source=str(src),
                    plastic_connections=" ".join(plastic_connections(model)),
                    experiment_spec=json.dumps({k: v for k, v in spec.items() if k != "_path"}, default=str))
    return ds, w
