"""The points of a sweep: each point's model, stimulus, natural inputs and (for
course sweeps) protocol, and the checks that build every one of them before
any work starts."""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Mapping

from .. import protocols
from ..analysis import TEST_TARGETS, sep_electrode, sep_min_interval
from ..circuits import LAYERS, population_names, population_sizes, stack
from ..course.engine import new_patient
from ..course.files import users_win
from ..devices import as_devices
from ..errors import ParameterError, SpecError, UnitError, UnknownKeyError
from ..fibers import PHYSICAL_STIMULI, natural
from ..fibers.afferents import temperature_meant
from ..parallel import jsonable
from ..params import load_model, model_file_versions, model_overrides
from ..units import DIMENSIONLESS
from .devices import (_check_device_axis, _device, _is_device_path, _whole_argument, check_devices, device_argument,
                      stimulus_tables)

__all__ = ["SIMULATE_OUTCOMES", "COURSE_OUTCOMES", "LAYER_OUTCOMES", "COURSE_EFFICACY", "PROTOCOL_FIELDS", "NATURAL", "PHYSICAL", "base_model", "build_point",
           "point_protocol", "protocol_overrides", "validate_points", "populations", "stimulus_tables", "device_argument",
           "point_outcomes", "RESERVED_OUTCOMES", "check_outcome_names",
           "check_kind_keys"]

#: The scalar variables each layer of a model's stack (:data:`painsim.circuits.STACKS`) adds to a
#: :func:`painsim.simulate` result (docs/readouts.md; the layers' ``results``, which declare them only
#: when they run, so the table is kept by hand and ``tests/test_sweep_outcomes.py`` checks it both ways against a
#: result of the stack holding every layer): what a sweep can keep of them.  ``srd_rate`` needs DNIC neurons
#: (``dnic.n_neurons > 0``).
LAYER_OUTCOMES: dict[str, tuple[str, ...]] = {
    "dorsal_horn": ("pn_rate", "gate_index", "spinal_pain"),
    "cortex": ("map_overactive_area", "map_excess_rate", "map_pain", "relay_rate", "m1_rate", "descending_rate"),
    "medial": ("medial_thalamus_rate", "acc_rate", "unpleasantness"),
    "dorsal_column": ("dcn_rate", "ma_rate", "paresthesia"),
    "spino_pag": ("spag_rate", "deep_afferent_rate"),
    "dnic": ("srd_rate",),
    "lemniscal": ("vpl_rate", "map_overactive_area_nociceptive", "pain_nociceptive_map"),
}
#: Scalar outcomes of :func:`painsim.simulate` a sweep can keep: ``pain`` (every model), the variables
#: of :data:`LAYER_OUTCOMES` (those of the model's layers), and ``sep``, the evoked response of the
#: dorsal column nuclei to the point's one test electrode (:func:`painsim.analysis.point_evoked`);
#: ``rate_<population>`` (mean rate after the transient) is accepted too.
SIMULATE_OUTCOMES = ("pain", "pn_rate", "gate_index", "sep",
                     *(o for outs in LAYER_OUTCOMES.values() for o in outs if o not in ("pn_rate", "gate_index")))
#: Outcomes of :func:`painsim.course.run_course_batch` (its contract); the ``map_*`` ones need a model
#: with a cortex (``network.layers = "pathway"``).  ``w_<connection>``, ``w_<connection>_after_session``
#: and ``w_<connection>_late`` (:data:`COURSE_EFFICACY`) are accepted too, for the connections the
#: point's protocol makes plastic in its model.
COURSE_OUTCOMES = ("baseline_pain", "relief", "responder_30", "responder_50", "pain", "pn_rate",
                   "baseline_pn_rate", "pain_after_session", "relief_after_session", "pn_rate_after_session",
                   "session_pn_rate", "map_overactive_area", "map_overactive_area_after_session")
#: The efficacy outcomes of a course per plastic connection ``<c>`` (``w_<c>`` + suffix).
COURSE_EFFICACY = ("", "_after_session", "_late")
_MAP_COURSE_OUTCOMES = ("map_overactive_area", "map_overactive_area_after_session")
#: Names a sweep's result gives its own variables and dimensions (:func:`painsim.sweep.results.gather_results`):
#: no outcome may take one (nor the name of a swept parameter, a coordinate of the result).
RESERVED_OUTCOMES = ("seed", "status", "error", "point", "repeat")
#: protocol fields a course sweep can vary (besides ``protocol.stimulus.<argument>``)
PROTOCOL_FIELDS = ("session_duration", "period", "end_day")
#: The natural inputs a sweep can vary.
NATURAL = ("noxious", "touch")
#: Physical natural stimuli a simulate sweep can vary (docs/stimuli.md): axis path -> (input it
#: replaces, constructor, unit of a plain number).  Temperatures are read as conditions files read them
#: (numbers in °C, "47 degC", "320.15 K": the spec keeps °C), a force a plain number in mN or a force,
#: a brush stroke a velocity.
PHYSICAL = {k: (*PHYSICAL_STIMULI[k], unit) for k, unit in
            (("heat", "degC"), ("cold", "degC"), ("pinprick", "mN"), ("brush", None))}
_PROTOCOL = "protocol."

_BASE_MODELS: dict = {}


def base_model(spec):
    """The spec's model with its fixed ``params`` (cached per process, per model variant in force,
    :func:`painsim.params.overriding`, and, for a model file, per version of the file).

    Parameters
    ----------
    spec : SweepSpec
        The sweep (its ``model`` and ``params``).

    Returns
    -------
    Model

    Raises
    ------
    painsim.errors.UnknownKeyError, painsim.errors.ModelFileError
        An unknown model (:func:`painsim.params.load_model`).
    painsim.errors.ParameterError
        A fixed parameter the model does not have or does not allow.
    """
    key = (spec.model, model_file_versions(spec.model),  # a model file or a base it extends edited since
           json.dumps(jsonable(spec.params), sort_keys=True), json.dumps(model_overrides(), sort_keys=True))
    if key not in _BASE_MODELS:
        _BASE_MODELS[key] = load_model(spec.model).with_params(spec.params)
    return _BASE_MODELS[key]


def populations(spec) -> list[str]:
    """Populations whose mean rate a ``simulate`` sweep can keep (``rate_<population>``).

    Parameters
    ----------
    spec : SweepSpec
        The sweep.

    Returns
    -------
    list of str
        The population names of the sweep's model (:func:`base_model`).
    """
    return population_names(base_model(spec))


def _split(point: Mapping[str, Any], spec) -> tuple[dict, dict, dict]:
    """Point values -> (model overrides, stimulus overrides per device index, natural inputs), as
    override texts (``protocol.*`` values are taken by :func:`point_protocol`)."""
    model_o, stim_o, nat = {}, {}, {}
    by_path = {a.path: a for a in spec.axes}
    n_devices = len(stimulus_tables(spec))
    for path, v in point.items():
        t = by_path[path].text(v)
        if _is_device_path(path):
            k, arg = device_argument(path, n_devices)
            stim_o.setdefault(k, {})[arg] = t
        elif path in NATURAL or path in PHYSICAL:
            nat[path] = v
        elif _is_model_path(path):
            model_o[path] = t
    return model_o, stim_o, nat


def _is_model_path(path: str) -> bool:
    """Whether a sweep path is a model parameter: not a device's argument, a natural stimulus or a
    ``protocol.*`` value (:func:`_split` and :func:`point_protocol` sort paths by it)."""
    return not (_is_device_path(path) or path in NATURAL or path in PHYSICAL or path.startswith(_PROTOCOL))


def protocol_overrides(point: Mapping[str, Any], spec) -> dict:
    """The point's ``protocol.*`` values as override texts, without the prefix.

    Parameters
    ----------
    point : mapping
        One point: {axis path: value}.
    spec : SweepSpec
        The sweep (its axes write the values as texts).

    Returns
    -------
    dict
        ``{field: text}``, e.g. with the key ``"stimulus.rate"`` for ``protocol.stimulus.rate``.
    """
    by_path = {a.path: a for a in spec.axes}
    return {p[len(_PROTOCOL):]: by_path[p].text(v) for p, v in point.items() if p.startswith(_PROTOCOL)}


def point_protocol(spec, point: Mapping[str, Any]):
    """The protocol of one point of a course sweep: the spec's protocol with the
    point's ``protocol.*`` values (``protocol.stimulus.rate``,
    ``protocol.session_duration`` ...) through :func:`painsim.protocols.from_spec`,
    without the protocol's model overrides of the paths the sweep sets (its fixed ``params`` and
    swept model parameters) or ``--set`` sets: the user's value wins, as in a course file
    (:func:`painsim.course.files.users_win`).

    Parameters
    ----------
    spec : SweepSpec
        A course sweep.
    point : mapping
        One point: {axis path: value}.

    Returns
    -------
    Protocol

    Raises
    ------
    painsim.errors.SpecError
        ``protocol.*`` values for a protocol that is neither a name nor a table,
        or ``protocol.stimulus.*`` values for a protocol without a stimulus.
    painsim.errors.UnknownKeyError
        A ``protocol.<field>`` not in :data:`PROTOCOL_FIELDS`.
    painsim.errors.ParameterError
        A protocol value that is not allowed (:func:`painsim.protocols.from_spec`).
    """
    # the sweep's fixed params and swept model parameters win over the protocol's own overrides
    users = [*spec.params, *(a.path for a in spec.axes if _is_model_path(a.path))]
    over = protocol_overrides(point, spec)
    if not over:
        return users_win(protocols.resolve(spec.protocol), users)
    if isinstance(spec.protocol, str):
        base = protocols.get(spec.protocol)
        table: dict = {"base": spec.protocol}
    elif isinstance(spec.protocol, Mapping):
        table = dict(spec.protocol)
        base = protocols.from_spec(table)
    else:
        raise SpecError("protocol", type(spec.protocol).__name__,
                        "a protocol name or [protocol] table when protocol.* parameters are swept")
    stim = {k[len("stimulus."):]: v for k, v in over.items() if k.startswith("stimulus.")}
    for k, v in over.items():
        if k.startswith("stimulus."):
            continue
        if k not in PROTOCOL_FIELDS:
            raise UnknownKeyError(_PROTOCOL + k, [_PROTOCOL + f for f in PROTOCOL_FIELDS] + [_PROTOCOL + "stimulus.<argument>"])
        table[k] = v
    if stim:
        if base.stimulus is None:
            raise SpecError(_PROTOCOL + "stimulus", sorted(stim), "a protocol with a stimulus (not a sham)")
        table["stimulus"] = {**base.stimulus, **stim}
    return users_win(protocols.from_spec(table, where="protocol"), users)


def build_point(spec, point: Mapping[str, Any]):
    """(model, stimulus, noxious, touch) of one point; the stimulus is None, one waveform, or a
    list of waveforms for a sweep of several devices (``[[stimulus]]`` tables).

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    point : mapping
        One point: {axis path: value}.

    Returns
    -------
    model : Model
        The sweep's model with the point's model parameters.
    stimulus : Waveform, list of Waveform or None
        The point's devices.
    noxious, touch : object
        The natural inputs: the sweep's, the point's intensity, or the
        physical stimulus of a :data:`PHYSICAL` axis (:func:`physical_stimulus`).

    Raises
    ------
    painsim.errors.ParameterError
        A point value the model, a device or a physical stimulus does not
        allow (also its subclasses UnknownKeyError and UnitError).
    """
    model_o, stim_o, nat = _split(point, spec)
    model = base_model(spec).with_params(model_o) if model_o else base_model(spec)
    tables = stimulus_tables(spec) or ([{}] if stim_o else [])
    devices = [_device(spec, {**table, **stim_o.get(k, {})}, k) for k, table in enumerate(tables)]
    stim = devices if isinstance(spec.stimulus, list) else (devices[0] if devices else None)
    inputs = {"noxious": nat.get("noxious", spec.noxious), "touch": nat.get("touch", spec.touch)}
    for a in spec.axes:
        if a.path in PHYSICAL and a.path in nat:
            inputs[PHYSICAL[a.path][0]] = physical_stimulus(a, nat[a.path])
    return model, stim, inputs["noxious"], inputs["touch"]


def physical_stimulus(axis, value):
    """The physical stimulus of a ``heat``, ``cold``, ``pinprick`` or ``brush`` axis at ``value``
    (errors name the axis).

    Parameters
    ----------
    axis : Axis
        A ``heat``, ``cold``, ``pinprick`` or ``brush`` axis.
    value : float
        A value of the axis; given as text in the axis's unit if it has a dimension.

    Returns
    -------
    PhysicalStimulus

    Raises
    ------
    painsim.errors.UnitError
        A value of the wrong unit, named by the axis path.
    painsim.errors.ParameterError
        A value that is not allowed, named by the axis path.
    """
    _, make, _ = PHYSICAL[axis.path]
    given = value if axis.dim == DIMENSIONLESS else axis.text(value)
    try:
        return make(given)
    except UnitError as err:
        raise UnitError(axis.path, given, err.expected_unit, hint=err.hint) from None
    except ParameterError as err:
        raise ParameterError(axis.path, given, err.allowed, hint=err.hint) from None


def validate_points(spec) -> None:
    """Check everything that can be checked without simulating (raises on the first problem).

    Parameters
    ----------
    spec : SweepSpec
        The sweep.  Completed in place (simulate and course sweeps): default
        outcomes of its kind, and integer axes for integer model parameters.

    Raises
    ------
    painsim.errors.SpecError
        An axis that does not fit the kind, a course without a protocol, no
        points, the outcome ``sep`` without its one test electrode or DCN, or an outcome
        named like a swept parameter or a variable of the sweep's own
        (:func:`check_outcome_names`).
    painsim.errors.UnknownKeyError
        An unknown model, model parameter or outcome.
    painsim.errors.UnitError
        A ``noxious`` or ``touch`` axis with a unit.
    painsim.errors.ParameterError
        A value that is not allowed, or a device the point's model refuses (:func:`check_devices`);
        at a point, its hint names the point.
    """
    check_outcome_names(spec, spec.outcomes)
    if spec.kind == "function":
        spec.outcomes = list(spec.outcomes)
        spec.points()
        return
    _check_axes(spec, base_model(spec))  # unknown model / fixed params raise here
    _check_one_stimulus_per_input(spec)
    _check_outcomes(spec)
    if spec.kind == "course" and spec.protocol is None:
        raise SpecError("protocol", None, "a protocol name for kind = 'course' (painsim.protocols)")
    if spec.kind == "simulate":
        for k, table in enumerate(stimulus_tables(spec)):
            _device(spec, table, k)
    for name in NATURAL:
        _natural(getattr(spec, name), name)
    points = spec.points()
    if not points:
        raise SpecError("parameters", [a.path for a in spec.axes], "at least one point (empty range)")
    checked: set = set()
    for p in points:  # every model, waveform and protocol is built once: errors before any work
        try:
            protocol = point_protocol(spec, p) if spec.kind == "course" else None
            model, stim, nox, tou = build_point(spec, p)
            _natural(nox, "noxious")
            _natural(tou, "touch")
            _check_point_outcomes(spec, model, protocol)
            if spec.kind == "simulate":
                _check_distinct_devices(spec, p, model, stim, checked)
        except ParameterError as e:  # a value fine alone may clash with a swept one: say where
            if not p:
                raise
            raise e.renamed(hint=_at(p)) from None
        if "sep" in spec.outcomes:
            _check_sep_electrode(as_devices(stim), model, p)


def _check_distinct_devices(spec, point, model, stim, checked: set) -> None:
    """:func:`check_devices` of a point whose model and devices no point before had.  A device is
    identified by everything a refusal can depend on (:meth:`Waveform.key`: pulse timing, widths,
    amplitudes, shape, gap, site, target ...; the label aside): a summary without them let a swept
    burst ``intraburst_rate`` or a kHz amplitude fail mid-sweep.  The checks that draw the devices'
    input spikes run once per model and devices but their amplitudes (the drawing refuses an
    amplitude only through the kHz field's range; a waveform refuses its own on building); for
    devices that differ only in amplitudes the amplitude checks alone run, which draw nothing
    (:func:`painsim.simulation.amplitude_refusal`), so an amplitude axis of many points stays cheap."""
    devices = as_devices(stim)
    drawn = json.dumps([model.key(), [w.key(amplitudes=False) for w in devices]])
    full = json.dumps([model.key(), [w.key() for w in devices]])
    if drawn not in checked:
        check_devices(spec, point, model, stim)
    elif full not in checked:
        check_devices(spec, point, model, stim, amplitudes_only=True)
    checked.update((drawn, full))


def _at(point) -> str | None:
    """The hint naming a sweep point, None for the only point of a sweep without axes."""
    return ("at the point " + ", ".join(f"{k} = {v!r}" for k, v in point.items())) if point else None


def _check_sep_electrode(devices, model, point) -> None:
    """A point of a sweep with the outcome ``sep`` has one test electrode, slow enough for its evoked
    response to be read between pulses (:func:`painsim.analysis.sep_electrode`: not a TENS-rate one)."""
    if sep_electrode(devices) is None:
        raise SpecError("outcomes", "sep", "a sweep whose every point has exactly one test electrode (a "
                        f"device with a target in {TEST_TARGETS}) for the outcome 'sep'")
    if sep_electrode(devices, model) is None:
        raise SpecError("outcomes", "sep", "a test electrode whose pulses are at least "
                        f"{sep_min_interval(model) * 1e3:.3g} ms apart (two response windows, "
                        "painsim.analysis.sep_min_interval) for the outcome 'sep'", hint=_at(point))


def _natural(value, name: str) -> None:
    """:func:`painsim.fibers.natural` of a sweep's ``noxious`` or ``touch``; a temperature given as an
    intensity (:func:`painsim.fibers.afferents.temperature_meant`) gets the hint of a sweep's way, a
    ``heat`` or ``cold`` axis, instead of the Python call's (``noxious=heat(47)``)."""
    try:
        natural(value, name=name)
    except ParameterError as err:
        meant = temperature_meant(value, name)
        if meant is None:
            raise
        make, celsius = meant
        hint = (f"an intensity is a fraction of the maximal rate; a temperature is a physical stimulus, in a "
                f"sweep a {make} axis: [parameters] {make} = [{celsius:g}] (°C), with {name} = 0")
        raise ParameterError(err.name, err.value, err.allowed, hint=hint) from None


def _check_axes(spec, model) -> None:
    """Each axis fits the sweep's kind and the model; integer model parameters get integer axes."""
    for k, a in enumerate(spec.axes):
        if a.path.startswith(_PROTOCOL):
            if spec.kind != "course":
                raise SpecError(a.path, a.path, "model, stimulus or natural-stimulus parameters for kind = "
                                f"{spec.kind!r} (protocol.* parameters need kind = 'course')")
            continue
        if _is_device_path(a.path):
            if spec.kind == "course":
                raise SpecError(a.path, a.path, "model parameters for kind = 'course' (the protocol sets the stimulus)")
            _check_device_axis(spec, a.path)
            if not a.integer and a.dim == DIMENSIONLESS and _whole_argument(spec, a.path):
                spec.axes[k] = dataclasses.replace(a, integer=True)  # counts and sites: sampled values rounded
                spec._points = None
            continue
        if a.path in NATURAL or a.path in PHYSICAL:
            if spec.kind == "course":
                raise SpecError(a.path, a.path, "model parameters for kind = 'course'")
            if a.dim != DIMENSIONLESS and a.path in NATURAL:  # (temperatures are °C numbers by now: spec.py)
                raise UnitError(a.path, list(a.values or [a.low, a.high]), "1", hint="an intensity 0-1")
            continue
        if a.path not in model.leaves:
            raise UnknownKeyError(a.path, [p for p in model.leaves if not p.startswith("model.")])
        ref = model.leaves[a.path].si
        if isinstance(ref, int) and not isinstance(ref, bool) and not a.integer:
            spec.axes[k] = dataclasses.replace(a, integer=True)  # counts: sampled values are rounded
            spec._points = None
    for a in spec.axes:  # a grid of whole numbers whose levels round together would repeat points
        levels = a.grid() if spec.design == "grid" and a.integer and a.values is None else []
        if len(set(levels)) < len(levels):
            raise SpecError(a.path, levels, f"distinct whole-number levels ({a.n} levels from {a.low:g} to "
                            f"{a.high:g} round to repeated counts: fewer levels or a wider range)")


def _check_one_stimulus_per_input(spec) -> None:
    """At most one noxious and one touch stimulus per point: a physical axis replaces the
    sweep's intensity of its input only where that intensity is 0."""
    for channel in NATURAL:
        axes = [a.path for a in spec.axes if a.path == channel or PHYSICAL.get(a.path, ("",))[0] == channel]
        if getattr(spec, channel) not in (0, 0.0, None):
            axes.append(f"{channel} = {getattr(spec, channel)!r}")
        if len(axes) > 1 and any(p in PHYSICAL for p in axes):
            raise SpecError("parameters", axes,
                            f"one {channel} stimulus per point (a physical axis, or the {channel} intensity)")


#: Sweep keys read by one kind only (any other kind would ignore them): key -> that kind.
KIND_KEYS = {"protocol": "course", "stimulus": "simulate", "noxious": "simulate", "touch": "simulate"}
#: Sweep keys read by some designs only: key -> (its name in errors, the designs that read it).
DESIGN_KEYS = {"n": ("sweep.n", ("random", "lhs", "sobol", "saltelli", "morris")), "levels": ("levels", ("morris",))}


def check_kind_keys(given, kind: str, design: str) -> None:
    """No key of another kind or design: it would be ignored without a word (a ``protocol`` in a
    simulate sweep ran without stimulation).

    Parameters
    ----------
    given : mapping
        The spec's keys and values (its ``[sweep]`` table and the tables beside it); a None value
        is no value.
    kind, design : str
        The sweep's kind and design.

    Raises
    ------
    painsim.errors.SpecError
        A key of :data:`KIND_KEYS` in a sweep of another kind, or one of :data:`DESIGN_KEYS` with a
        design that does not read it; named as written, saying what reads it.
    """
    for key in (k for k, v in given.items() if v is not None):
        if KIND_KEYS.get(key, kind) != kind:
            raise SpecError(key, key, f"no {key!r} in a kind = {kind!r} sweep: only kind = {KIND_KEYS[key]!r} "
                            "reads it (remove it, or change the kind)")
        name, designs = DESIGN_KEYS.get(key, (key, (design,)))
        if design not in designs:
            raise SpecError(name, key, f"no {key!r} with design = {design!r}: only design "
                            + " or ".join(repr(d) for d in designs) + " reads it")


def check_outcome_names(spec, names, where: str = "outcomes") -> None:
    """No outcome takes a name the sweep's result already gives a variable of its own.

    Parameters
    ----------
    spec : SweepSpec
        The sweep (its swept parameters are coordinates of the result).
    names : iterable of str
        The outcomes: the spec's (checked before any point runs), or those a function
        returned (a function sweep that declares none).
    where : str
        What ``names`` are, for the message.

    Raises
    ------
    painsim.errors.SpecError
        A name in :data:`RESERVED_OUTCOMES` (the result's ``seed``, ``status``, ``error`` and its
        dimensions) or the path of a swept parameter: it would be overwritten by that variable,
        or collide with that coordinate when the result is gathered, after every point ran.
    """
    paths = [a.path for a in spec.axes]
    for o in names:
        if o in RESERVED_OUTCOMES or o in paths:
            raise SpecError(where, o, "an outcome name that is neither a variable of the sweep's own ("
                            + ", ".join(RESERVED_OUTCOMES) + ") nor a swept parameter"
                            + (" (" + ", ".join(paths) + ")" if paths else ""))


def _check_outcomes(spec) -> None:
    """Default outcomes of the kind; every outcome is one the kind can produce with some model
    (a misspelt name is refused with the nearest; whether the sweep's model produces it is
    checked point by point: :func:`_check_point_outcomes`)."""
    if not spec.outcomes:
        spec.outcomes = list(SIMULATE_OUTCOMES[:3] if spec.kind == "simulate" else COURSE_OUTCOMES[:4])
    if "sep" in spec.outcomes and spec.kind == "simulate" and "DCN" not in populations(spec):
        raise SpecError("outcomes", "sep", "a model with dorsal column nuclei (population DCN) for the outcome 'sep'")
    if spec.kind == "simulate":
        known = [*SIMULATE_OUTCOMES, *(f"rate_{p}" for p in populations(spec))]
    else:
        known = [*COURSE_OUTCOMES, *(f"w_{c.name}{end}" for layer in LAYERS.values() for c in layer.connections
                                     for end in COURSE_EFFICACY)]
    for o in spec.outcomes:
        if o not in known:
            raise UnknownKeyError(o, known, what="outcome")


def point_outcomes(kind: str, model, protocol=None) -> tuple[str, ...]:
    """The outcomes a point of a ``simulate`` or ``course`` sweep produces with ``model``.

    Parameters
    ----------
    kind : {"simulate", "course"}
        The sweep's kind.
    model : Model
        The point's model (:func:`build_point`).
    protocol : Protocol, optional
        The point's protocol (a course sweep: :func:`point_protocol`); it says which
        connections are plastic (their ``w_<connection>`` outcomes; none without it).

    Returns
    -------
    tuple of str
        Those of :data:`SIMULATE_OUTCOMES` the model's layers produce (``sep`` with a DCN; the
        ``rate_<population>`` outcomes are not listed), or those of :data:`COURSE_OUTCOMES` with
        the ``w_<connection>`` outcomes of its plastic connections.
    """
    layers = [layer.name for layer in stack(model)]
    if kind == "course":
        plastic = new_patient(model, 0, protocol).plastic if protocol is not None else {}
        return (*(o for o in COURSE_OUTCOMES if "cortex" in layers or o not in _MAP_COURSE_OUTCOMES),
                *(f"w_{c}{end}" for c in plastic for end in COURSE_EFFICACY))
    sizes = population_sizes(model)
    out = ["pain", *(o for layer in layers for o in LAYER_OUTCOMES.get(layer, ()))]
    if sizes.get("SRD", 0) == 0 and "srd_rate" in out:
        out.remove("srd_rate")  # dnic.n_neurons = 0 removes the layer's neurons and its readout
    if sizes.get("DCN", 0) > 0:
        out.append("sep")
    return tuple(out)


def _check_point_outcomes(spec, model, protocol) -> None:
    """Every outcome (but ``rate_<population>``, checked by :func:`_check_outcomes`) is one the
    point's model produces: refused before any work, not a failed point."""
    efficacies = any(o.startswith("w_") for o in spec.outcomes)  # only then the plastic connections
    have = point_outcomes(spec.kind, model, protocol if efficacies else None)
    for o in spec.outcomes:
        if o in have or (spec.kind == "simulate" and o.startswith("rate_")):
            continue
        if o.startswith("w_"):
            raise SpecError("outcomes", o, f"an efficacy of a connection the protocol makes plastic in model "
                            f"{spec.model!r}: " + (", ".join(x for x in have if x.startswith("w_")) or "none is"))
        hint = ("a pathway model (network.layers = 'pathway', e.g. 'healthy') has the supraspinal readouts"
                if "cortex" not in [layer.name for layer in stack(model)] else
                "srd_rate needs DNIC neurons (dnic.n_neurons > 0)" if o == "srd_rate" else None)
        raise SpecError("outcomes", o, f"an outcome model {spec.model!r} produces (network.layers = "
                        f"{model.text('network.layers')!r}): {', '.join(x for x in have if not x.startswith('w_'))}",
                        hint=hint)
