"""What a point receives: :class:`Request` and the network input built from it.

A request names a model, a device waveform, natural stimuli (per body site), a
seed and carried-over efficacies.  :func:`point_input` routes the waveform to
the layer of the model's stack that receives its modality (dorsal horn:
electrical and magnetic; cortex: TMS) and asks every layer for its generator
spikes (:attr:`painsim.circuits.Layer.inputs`): afferents of every site, TMS
inputs of M1.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..checks import MAX_SIMULATED_DURATION, simulated_duration
from ..circuits import LAYERS, Layer, PointInput, stack
from ..devices import as_devices, devices_duration
from ..errors import ParameterError, UnknownKeyError
from ..fibers import PhysicalStimulus, natural
from ..params import Model
from ..rng import checked_seed as seed_in_range
from ..stimulation import Waveform
from ..stimulation.spec import device_key

__all__ = ["Request", "point_input", "device_refusal", "amplitude_refusal", "per_site", "body_site", "natural_attr", "seconds", "checked_seed", "route_stimulus",
           "refuse_modality", "check_efficacies", "check_file_devices", "refuse_file_devices"]


@dataclass
class Request:
    """One point of a batch: a model, what it receives and its seed.

    Parameters
    ----------
    model : Model
        The point's model (:func:`painsim.load_model`; a name is refused).
    stimulus : Waveform, sequence of Waveform, or None
        One device's waveform, several devices' (:mod:`painsim.devices`), or none.
    noxious, touch : float, NaturalStimulus, PhysicalStimulus, or mapping
        Natural stimuli as :func:`painsim.simulate` takes them (``heat(47)``, a
        ``{site: stimulus}`` mapping on the pathway).
    seed : int
        The point's seed: its result depends on it and its parameters only.
    weights : mapping, optional
        Synaptic efficacies per connection (``{"c_pn": array}``), e.g. a course's.
    label : str
        A name for the point in the combined result.
    per_neuron : frozenset
        Neuron parameters stored per neuron even where uniform (a sweep's).
    """

    model: Model
    #: one device's waveform, several devices' (a list: :mod:`painsim.devices`) or None
    stimulus: Waveform | Sequence[Waveform] | None = None
    noxious: Any = 0.0
    touch: Any = 0.0
    seed: int = 0
    weights: Mapping[str, np.ndarray] | None = None
    label: str = ""
    #: neuron parameters to store per neuron even where uniform: the ones a sweep
    #: varies (:func:`painsim.circuits.shared_parameters`)
    per_neuron: frozenset = frozenset()


def _request_init(init):
    """``init`` (the dataclass's) refusing an unknown or repeated field, too many arguments or no
    model with a painsim error naming the allowed fields (these were bare TypeErrors)."""
    names = [f for f in Request.__dataclass_fields__]

    def __init__(self, *args, **kwargs):
        allowed = ", ".join(names)
        for key in kwargs:
            if key not in names:
                raise UnknownKeyError(str(key), names, what="field of painsim.Request")
        if len(args) > len(names):
            raise ParameterError("Request", f"{len(args)} arguments", f"at most {len(names)}: {allowed}")
        for key in names[:len(args)]:
            if key in kwargs:
                raise ParameterError(f"Request.{key}", kwargs[key], "one value (it was also given by position)")
        if not args and "model" not in kwargs:
            raise ParameterError("Request.model", None, f"a painsim Model (fields: {allowed})")
        init(self, *args, **kwargs)

    __init__.__doc__, __init__.__wrapped__ = init.__doc__, init
    return __init__


Request.__init__ = _request_init(Request.__init__)


def seconds(duration, stimulus) -> float:
    """A simulated duration in s (default: the stimulus duration, the longest device's for
    several), checked by :func:`painsim.checks.simulated_duration`.

    Parameters
    ----------
    duration : Quantity, str or None
        The duration (``2*second``, ``"2 s"``); None for the stimulus duration.
    stimulus : Waveform, sequence of Waveform, or None
        The point's devices (:mod:`painsim.devices`).

    Returns
    -------
    float
        The duration in s.

    Raises
    ------
    painsim.errors.ParameterError
        No duration and no stimulus, a duration not in (0, 3600] s or not a time, or a
        stimulus that is not waveforms.
    """
    if duration is None:
        longest = devices_duration(stimulus)
        if longest is None:
            raise ParameterError("duration", None, "a duration (e.g. 2*second) when there is no stimulus")
        return longest  # each waveform's duration is already bounded (painsim.stimulation.Waveform)
    return simulated_duration(duration, "duration")


def checked_seed(seed) -> int:
    """A point's seed, checked to be a whole number >= 0 and < 2**32
    (:data:`painsim.rng.SEED_LIMIT`: a larger one shares random streams with other seeds).

    Parameters
    ----------
    seed : int
        The seed (a Python or numpy integer).

    Returns
    -------
    int

    Raises
    ------
    painsim.errors.ParameterError
        A bool, a non-integer, a negative number or one >= 2**32.
    """
    return seed_in_range(seed, "seed", allow_float=False)  # the one seed check (painsim.rng)


def per_site(model: Model, value, name: str) -> list:
    """A natural stimulus for each body site.

    ``value`` is a number or NaturalStimulus (at ``body.painful_site``), a
    sequence with one entry per site, or a dict ``{site: value}``.

    Parameters
    ----------
    model : Model
        Its ``body.n_sites`` and ``body.painful_site`` are read.
    value : float, NaturalStimulus, PhysicalStimulus, sequence or mapping
        The stimulus, as above.
    name : str
        The stimulus's name (``"noxious"``, ``"touch"``) in error messages.

    Returns
    -------
    list
        One stimulus per site (:func:`painsim.fibers.natural`), intensity 0 where none is given.

    Raises
    ------
    painsim.errors.ParameterError
        A sequence without one entry per site, a site index outside 0..n_sites - 1, or a
        value :func:`painsim.fibers.natural` refuses.
    """
    n_sites = int(model.si("body.n_sites"))
    painful = int(model.si("body.painful_site"))
    out = [natural(0.0, name=name)] * n_sites
    if isinstance(value, Mapping):
        items = value.items()
    elif isinstance(value, (list, tuple)) or (isinstance(value, np.ndarray) and value.ndim > 0):  # 0-d: a number
        if len(value) != n_sites:
            raise ParameterError(name, list(value), f"one value per body site ({n_sites} sites)")
        items = enumerate(value)
    else:
        items = [(painful, value)]
    for site, v in items:
        if isinstance(site, bool) or not isinstance(site, (int, np.integer)) or not 0 <= site < n_sites:
            raise ParameterError(f"{name} site", site, f"a site index in 0..{n_sites - 1}")
        out[int(site)] = natural(v, name=name)
    return out


def body_site(model: Model, site, key: str = "site") -> int:
    """``site`` checked against the model's body (``None``: its painful site); a bad one is refused
    naming ``key`` (the parameter or file key it came from).

    Parameters
    ----------
    model : Model
        Its ``body.n_sites`` and ``body.painful_site`` are read.
    site : int or None
        A body site index, or None for the painful site.
    key : str
        The name of ``site`` in the error message.

    Returns
    -------
    int

    Raises
    ------
    painsim.errors.ParameterError
        ``site`` is not a whole number in 0..n_sites - 1.
    """
    n_sites = int(model.si("body.n_sites"))
    s = int(model.si("body.painful_site")) if site is None else site
    if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or not 0 <= s < n_sites:
        model_name = model.text("model.name") if "model.name" in model.leaves else "the model"
        raise ParameterError(key, site, f"a body site of {model_name}: a whole number in 0..{n_sites - 1}",
                             hint="None: its painful site" if key == "site" else None)
    return int(s)


def natural_attr(model: Model, x, name: str):
    """A natural stimulus as JSON-able data: one dict for a one-site model,
    else ``{site: dict}`` for the sites that receive it.

    Parameters
    ----------
    model : Model
        The point's model (its body sites).
    x : float, NaturalStimulus, PhysicalStimulus, sequence or mapping
        The stimulus, as :func:`per_site` takes it.
    name : str
        The stimulus's name in error messages.

    Returns
    -------
    dict
        A physical stimulus's ``describe()``, else ``intensity``, ``start_s`` and ``stop_s``;
        keyed by site as a string for several sites.

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`per_site`.
    """
    sites = per_site(model, x, name)
    as_dict = [n.describe() if isinstance(n, PhysicalStimulus) else
               {"intensity": n.intensity, "start_s": n.start, "stop_s": n.stop} for n in sites]
    if len(sites) == 1:
        return as_dict[0]
    return {str(s): d for s, d in enumerate(as_dict)
            if isinstance(sites[s], PhysicalStimulus) or sites[s].intensity > 0}


def route_stimulus(layers: list[Layer], stimulus) -> dict[str, tuple[Waveform, ...]]:
    """``{layer name: devices}``: the devices of ``stimulus`` (one waveform, several or None;
    :mod:`painsim.devices`) that each layer of ``layers`` receives, by modality (none for no
    stimulus; e.g. an electrical waveform reaches the dorsal horn's afferents and, in the
    pathway, the deep afferents of :mod:`painsim.circuits.spino_pag`); a modality no layer of
    the stack receives is refused with the hint of the registered layer that would.

    Parameters
    ----------
    layers : list of Layer
        The model's stack (:func:`painsim.circuits.stack`).
    stimulus : Waveform, sequence of Waveform, or None
        The point's devices.

    Returns
    -------
    dict
        Layer name -> tuple of the waveforms it receives; a layer that receives none is absent.

    Raises
    ------
    painsim.errors.ParameterError
        A waveform no layer receives (:func:`refuse_modality`), or a stimulus that is not
        waveforms (:func:`painsim.devices.as_devices`).
    """
    routed: dict[str, tuple[Waveform, ...]] = {}
    for w in as_devices(stimulus):
        receiving = [layer.name for layer in layers if w.modality in layer.modalities]
        if not receiving:
            refuse_modality(layers, w)
        for name in receiving:
            routed[name] = routed.get(name, ()) + (w,)
    return routed


def refuse_modality(layers: list[Layer], stimulus: Waveform):
    """Raise the error for a waveform no layer of ``layers`` receives, with the hint of the
    registered layer that would.

    Parameters
    ----------
    layers : list of Layer
        The model's stack.
    stimulus : Waveform
        The waveform no layer of ``layers`` receives.

    Raises
    ------
    painsim.errors.ParameterError
        Always; with the hint of the registered layer of its modality, if there is one.
    """
    owner = next((layer for layer in LAYERS.values() if stimulus.modality in layer.modalities), None)
    if owner is None:
        raise ParameterError("stimulus", stimulus.label, f"a waveform a layer of {[layer.name for layer in layers]} "
                                                         "receives")
    raise ParameterError("stimulus", stimulus.label, f"a peripheral or spinal waveform for a model without {owner.name}",
                         hint=owner.modalities[stimulus.modality] or None)


def _check_within(naturals: Mapping[str, list], devices, duration: float) -> None:
    """Refuse a stimulus that begins at or after the end of the simulated ``duration``: none of it
    would be simulated, and the point would read as a response to nothing.  (One that begins
    inside and outlasts it is cut at the end, as a test window is meant to.)"""
    for name, sites in naturals.items():
        for n in sites:
            if (isinstance(n, PhysicalStimulus) or n.intensity > 0) and n.start >= duration:
                raise ParameterError(f"{name}.start", n.start, f"a stimulus that starts before the end of the "
                                     f"simulated {duration:g} s")
    for k, w in enumerate(devices):
        if w.n_pulses and w.onsets[0] >= duration:
            raise ParameterError("stimulus" if len(devices) == 1 else f"stimulus[{k}]", w.label or "a waveform",
                                 f"a waveform whose first pulse comes before the end of the simulated "
                                 f"{duration:g} s (it comes at {w.onsets[0]:g} s)")


def check_efficacies(plan, weights, name: str = "weights", known_only: bool = False) -> None:
    """Refuse efficacies (``{connection: array}``) that are not one finite number >= 0 per synapse
    of the point's circuit ``plan``: NaN or inf simulated and then failed in the readouts, a
    negative one turned the synapse's sign, and a wrong length failed only when the point's
    network was built, after other networks had run.

    Parameters
    ----------
    plan : painsim.circuits.Plan or None
        The point's circuit (its projections' synapses); None: check the values only.
    weights : mapping of str to array, or None
        The efficacies.
    name : str
        Their name in errors: ``weights`` -> ``weights['c_pn']``.
    known_only : bool
        Skip names that are not connections of ``plan`` (the network ignores them) instead of
        refusing them.

    Raises
    ------
    painsim.errors.ParameterError
        An array that is not numbers, not one value per synapse, or not finite and >= 0.
    painsim.errors.UnknownKeyError
        A name that is not a connection of ``plan`` (unless ``known_only``).
    """
    synapses = None if plan is None else {c.name: c.pre.size for c in plan.projections}
    for conn, vals in (weights or {}).items():
        key = f"{name}[{conn!r}]"
        if synapses is not None and conn not in synapses:
            if known_only:
                continue
            raise UnknownKeyError(str(conn), synapses, what="connection").renamed(key)
        try:
            w = np.asarray(vals, float)
        except (TypeError, ValueError):
            raise ParameterError(key, vals, "an array of efficacies (numbers)") from None
        if synapses is not None and w.shape != (synapses[conn],):
            raise ParameterError(key, f"shape {w.shape}", f"{synapses[conn]} efficacies (one per synapse of "
                                                          f"this point's {conn})")
        bad = ~(np.isfinite(w) & (w >= 0))
        if bad.any():
            raise ParameterError(key, f"{int(bad.sum())} values such as {float(w[bad][0])!r}",
                                 "finite efficacies >= 0 (multipliers of the model's conductances; "
                                 "1: as in the model file)")


def _point_duration(duration) -> float:
    """A point's simulated time in s: a number (s) or a quantity, finite, > 0 and at most
    :data:`painsim.checks.MAX_SIMULATED_DURATION`."""
    if isinstance(duration, bool) or not isinstance(duration, (int, float, np.integer, np.floating)):
        return simulated_duration(duration, "duration")
    if not (np.isfinite(duration) and 0 < duration <= MAX_SIMULATED_DURATION):
        raise ParameterError("duration", duration, f"a duration > 0 s and <= {MAX_SIMULATED_DURATION:g} s (1 hour)")
    return float(duration)


def point_input(request: Request, duration: float) -> PointInput:
    """Generator spikes (afferents of every site, TMS inputs) of one request,
    for ``duration`` seconds: each layer of the model's stack adds its inputs.

    Parameters
    ----------
    request : Request
        The point.
    duration : float or Quantity
        Simulated time, in s (a number, or a quantity such as ``"2 s"``).

    Returns
    -------
    PointInput
        The model, seed, generator spikes, carried-over efficacies and ``per_neuron``.

    Raises
    ------
    painsim.errors.ParameterError
        ``request`` not a :class:`Request`; ``duration`` not a time in (0, 3600] s (a negative one
        was refused as a stimulus starting after the run, NaN and text were bare errors, a huge
        one exhausted memory drawing spikes); ``weights`` not a mapping or ``per_neuron`` not
        names (bare TypeErrors); an efficacy array that is not finite numbers >= 0
        (:func:`check_efficacies`; its length is checked by :class:`PointsRunner`); ``label`` not text; a refused seed (:func:`checked_seed`),
        natural stimulus or body site, a stimulus that begins at or after ``duration``, an unknown
        ``network.layers`` or a modality no layer receives.
    painsim.errors.UnknownKeyError
        A name in ``weights`` that is not a connection of the model's circuit (a misspelt one
        was silently ignored).
    """
    if not isinstance(request, Request):
        raise ParameterError("request", request, "a painsim.Request (model, stimulus, noxious, touch, seed, ...)")
    duration = _point_duration(duration)
    if request.weights is not None and not isinstance(request.weights, Mapping):
        raise ParameterError("weights", request.weights, "None or a mapping of connection -> efficacies, e.g. "
                                                         "{'c_pn': array}")
    per_neuron = request.per_neuron
    if isinstance(per_neuron, (str, bytes)) or not isinstance(per_neuron, (set, frozenset, list, tuple)) \
            or not all(isinstance(p, str) for p in per_neuron):
        raise ParameterError("per_neuron", per_neuron, "a set of neuron parameter names")
    model = request.model
    if not isinstance(request.label, str):
        raise ParameterError("label", request.label, "text: the point's name in the combined result")
    seed = checked_seed(request.seed)
    noxious = per_site(model, request.noxious, "noxious")
    touch = per_site(model, request.touch, "touch")
    _check_within({"noxious": noxious, "touch": touch}, as_devices(request.stimulus), duration)
    layers = stack(model)
    # a misspelt connection ("c_pnn") would otherwise be ignored by the network, silently leaving
    # the connection at efficacy 1
    connections = {c.name for layer in layers for c in layer.connections}
    for name in (request.weights or {}):
        if name not in connections:
            raise UnknownKeyError(str(name), connections, what=f"connection of {model.name!r} in weights")
    check_efficacies(None, request.weights)  # values; their lengths against the plan: PointsRunner
    routed = route_stimulus(layers, request.stimulus)
    spikes = {}
    for layer in layers:
        spikes.update(layer.inputs(model, routed.get(layer.name), noxious, touch, seed, duration))
    return PointInput(model, seed, spikes, dict(request.weights or {}), per_neuron=frozenset(request.per_neuron))


def device_refusal(model: Model, stimulus, duration) -> tuple[int | None, ParameterError] | None:
    """What :func:`point_input` refuses of a point's devices alone (no natural input): each device's
    body sites, one central lead per site, a modality the model receives, a pulse rate its
    recruitment model takes, a kHz field within the field term's range at each site (the part that
    depends on amplitudes: :func:`amplitude_refusal`).  For a file's or a sweep's check before
    anything runs, which names the error by its own key; the devices' inputs are drawn once (twice
    for a refused device).

    Parameters
    ----------
    model : Model
        The point's model.
    stimulus : Waveform, sequence of Waveform or None
        The point's devices.
    duration : float or Quantity
        Simulated time, in s.

    Returns
    -------
    tuple or None
        None when the model takes the devices; else (k, error): ``k`` the index of a device the
        model refuses alone (its error names ``stimulus...``), or None for devices refused only
        together (two dorsal-column leads at one site).
    """
    return _first_refused(lambda devices: point_input(Request(model, devices), duration), stimulus)


def check_file_devices(model: Model, stimulus, tables, where: str, duration) -> None:
    """Refuse, naming a file's keys, the devices of a file's stimulus table(s) that ``model``
    refuses: a stimulus no layer of the model receives (TMS on a spinal model; named ``where``)
    and what :func:`device_refusal` refuses (a site the body lacks: ``<where>.site``; a pulse rate:
    the argument that sets it, :func:`painsim.stimulation.spec.device_key`; devices refused
    together: ``where``).  For a file's check when it is loaded: the simulation would refuse them
    only when it starts, under an internal name (``requests[0].stimulus.site``).

    Parameters
    ----------
    model : Model
        The model the devices are run on.
    stimulus : Waveform, sequence of Waveform or None
        The devices, made from ``tables``.
    tables : mapping or list of mappings
        The file's stimulus table (``stimulus = {...}``) or tables (a list: one per device).
    where : str
        The key of the table(s) in the file (``condition[2].stimulus``, ``protocol[0].stimulus``).
    duration : float or Quantity
        Simulated time, in s.

    Raises
    ------
    painsim.errors.ParameterError
        A device the model refuses, named by its file key.
    """
    try:
        route_stimulus(stack(model), stimulus)
    except ParameterError as err:
        raise ParameterError(where, err.value, err.allowed, hint=err.hint) from None
    if stimulus is not None:
        refuse_file_devices(model, stimulus, tables, where, duration)


def refuse_file_devices(model: Model, stimulus, tables, where: str, duration) -> None:
    """Refuse what :func:`device_refusal` refuses of a file's devices, named by the file's keys (the
    part of :func:`check_file_devices` after routing; a course's protocol routes on its own terms).

    Parameters
    ----------
    model, stimulus, tables, where, duration
        As :func:`check_file_devices` (``stimulus`` not None).

    Raises
    ------
    painsim.errors.ParameterError
        A device the model refuses: ``<where>.site``, the argument setting a refused pulse rate
        (:func:`painsim.stimulation.spec.device_key`), ``where`` for devices refused together.
    """
    refused = device_refusal(model, stimulus, duration)
    if refused is None:
        return
    k, err = refused
    if k is None:  # devices refused together
        raise err.renamed(where) from None
    table = tables[k] if isinstance(tables, list) else tables
    device = f"{where}[{k}]" if isinstance(tables, list) else where
    raise err.renamed(device_key(err.name, table.get("type") if isinstance(table, Mapping) else None,
                                 device)) from None


def amplitude_refusal(model: Model, stimulus, duration) -> tuple[int | None, ParameterError] | None:
    """What :func:`point_input` refuses of a point's devices by their amplitudes alone, drawing
    nothing: each layer's ``amplitude_checks`` (the dorsal horn's: the kHz field's range at a site,
    :func:`painsim.circuits.khz_field.field_counts`).  The cheap complement of
    :func:`device_refusal` for a sweep whose devices differ from one already checked only in their
    amplitudes (the drawing refuses no amplitude otherwise: a waveform refuses its own on building).

    Parameters
    ----------
    model : Model
        The point's model.
    stimulus : Waveform, sequence of Waveform or None
        The point's devices.
    duration : float or Quantity
        Simulated time, in s.

    Returns
    -------
    tuple or None
        As :func:`device_refusal`: None, or (k, error) with ``k`` the device refused alone, or
        None for devices refused only together.
    """
    duration = _point_duration(duration)
    layers = stack(model)

    def check(devices):
        routed = route_stimulus(layers, devices)
        for layer in layers:
            if layer.amplitude_checks is not None and layer.name in routed:
                layer.amplitude_checks(model, routed[layer.name], duration)

    return _first_refused(check, stimulus)


def _first_refused(check, stimulus) -> tuple[int | None, ParameterError] | None:
    """None if ``check(stimulus)`` passes; else ``(k, error)`` of the first device ``k`` that
    ``check`` refuses alone (named by its caller's key), or ``(None, error)`` for devices refused only
    together (two dorsal-column leads at one site)."""
    try:
        check(stimulus)
    except ParameterError as err:
        for k, w in enumerate(as_devices(stimulus)):
            try:
                check(w)
            except ParameterError as alone:
                return k, alone
        return None, err
    return None
