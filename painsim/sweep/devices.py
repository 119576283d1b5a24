"""The devices of a sweep's points: its stimulus tables, the axes that change them
(``stimulus.<argument>``, ``stimulus[k].<argument>``), each device's waveform, and the checks
:func:`painsim.simulate` makes of the devices against a point's model, made before a sweep starts."""
from __future__ import annotations

import inspect
import re

from .. import stimulation
from ..circuits.khz_field import FIELD_RANGE
from ..errors import SpecError
from ..simulation import amplitude_refusal, device_refusal
from ..stimulation import from_spec as stimulus_from_spec
from ..stimulation import from_table
from ..stimulation.spec import device_key

__all__ = ["stimulus_tables", "device_argument", "check_devices"]


def stimulus_tables(spec) -> list[dict]:
    """The sweep's devices as tables: none, its ``[stimulus]`` table, or one per ``[[stimulus]]``
    table (devices at the same time, :mod:`painsim.devices`).

    Parameters
    ----------
    spec : SweepSpec
        The sweep.

    Returns
    -------
    list of dict
        Copies of the tables, one per device.
    """
    if spec.stimulus is None:
        return []
    return [dict(t) for t in spec.stimulus] if isinstance(spec.stimulus, list) else [dict(spec.stimulus)]


_DEVICE_PATH = re.compile(r"stimulus(?:\[(\d+)\])?\.(.+)")


def device_argument(path: str, n_devices: int) -> tuple[int, str]:
    """(device index, argument) of a ``stimulus.<argument>`` or ``stimulus[k].<argument>`` axis.

    ``stimulus.<argument>`` names the sweep's one device (or, without a ``[stimulus]`` table, the
    device the axes alone describe); with several devices each axis names its device by index.

    Parameters
    ----------
    path : str
        The axis path.
    n_devices : int
        The sweep's devices (:func:`stimulus_tables`; 0 without a stimulus table).

    Returns
    -------
    k : int
        The device index.
    argument : str
        The argument of the device.

    Raises
    ------
    painsim.errors.SpecError
        A path of neither form, an index written with a leading zero (``stimulus[01]``: a second
        name of ``stimulus[1]``), ``stimulus.<argument>`` in a sweep of several devices, or an
        index without a device.
    """
    m = _DEVICE_PATH.fullmatch(path)
    if m is None:
        raise SpecError(path, path, "stimulus.<argument> or stimulus[k].<argument>")
    if m.group(1) is not None and m.group(1) != str(int(m.group(1))):
        raise SpecError(path, path, f"a device index without leading zeros: stimulus[{int(m.group(1))}].{m.group(2)}")
    if m.group(1) is None:
        if n_devices > 1:
            raise SpecError(path, path, f"stimulus[k].{m.group(2)} with k = 0..{n_devices - 1}: the sweep has "
                            f"{n_devices} devices ([[stimulus]] tables)")
        return 0, m.group(2)
    k = int(m.group(1))
    if k >= max(n_devices, 1):
        raise SpecError(path, path, f"a device index 0..{max(n_devices, 1) - 1} (the sweep's [[stimulus]] tables)")
    return k, m.group(2)


def _is_device_path(path: str) -> bool:
    return path.startswith("stimulus.") or path.startswith("stimulus[")


def _device(spec, table: dict, k: int):
    """The waveform of device ``k`` from its table (the sweep's duration unless it gives one, for a
    generator that takes a ``duration``: :func:`painsim.stimulation.rtms` and
    :func:`~painsim.stimulation.theta_burst` last as long as their trains); the errors of a device
    of an array name it (``stimulus[k].<argument>``)."""
    if _takes_duration(table.get("type")):
        table = {"duration": f"{spec.duration!r} s", **table}
    return from_table(table, f"stimulus[{k}]") if isinstance(spec.stimulus, list) else stimulus_from_spec(table)


def _takes_duration(kind) -> bool:
    """The generator of the waveform type ``kind`` has a ``duration`` argument (an unknown type
    is left to :func:`painsim.stimulation.from_spec` to refuse)."""
    return "duration" in _arguments(kind)


def _arguments(kind) -> dict:
    """The arguments of the generator of waveform type ``kind`` ({} for an unknown type)."""
    generator = getattr(stimulation, kind, None) if isinstance(kind, str) and kind in stimulation.__all__ else None
    return dict(inspect.signature(generator).parameters) if callable(generator) else {}


def check_devices(spec, point, model, stimulus, amplitudes_only: bool = False) -> None:
    """The checks :func:`painsim.simulate` makes of a point's devices against its model before it
    simulates (:func:`painsim.simulation.inputs.point_input`: each device's body sites, one central
    lead per site, a modality the model receives, a pulse rate its recruitment model takes, the kHz
    field's range), made for a sweep before it starts; a device's error is named by its sweep key.

    Parameters
    ----------
    spec : SweepSpec
        A simulate sweep (its duration; its devices' tables).
    point : mapping
        The point: {axis path: value} (a device's swept ``type``).
    model : Model
        The point's model.
    stimulus : Waveform, list of Waveform or None
        The point's devices (:func:`painsim.sweep.points.build_point`).
    amplitudes_only : bool
        Only the checks that depend on the devices' amplitudes and draw nothing
        (:func:`painsim.simulation.amplitude_refusal`), for devices that differ from ones already
        checked only in their amplitudes; False: every check (:func:`painsim.simulation.device_refusal`,
        which draws the devices' input spikes).

    Raises
    ------
    painsim.errors.ParameterError
        A device the model refuses, named ``stimulus.<argument>`` (``stimulus[k].<argument>`` for a
        device of ``[[stimulus]]`` tables), e.g. ``stimulus.site`` for a site the body does not
        have, ``stimulus.rate`` for a kHz rate under ``afferents.recruitment = "fraction"``
        (``stimulus.intraburst_rate`` for a burst's), ``stimulus.amplitude`` for a kHz field beyond
        its range at a point whose device only its amplitude axis changes; devices refused together
        (two dorsal-column leads at one site) are named ``stimulus``.
    """
    refusal = amplitude_refusal if amplitudes_only else device_refusal
    refused = refusal(model, stimulus, spec.duration)
    if refused is None:
        return
    k, err = refused
    if k is None:  # devices refused together
        raise err.renamed("stimulus") from None
    raise err.renamed(_device_key(spec, point, k, err.name, field=FIELD_RANGE in str(err.allowed))) from None


def _device_key(spec, point, k: int, name, field: bool = False) -> str:
    """The sweep key of what an error of device ``k`` names (``stimulus.site``, ``stimulus pulse
    rate``, ``stimulus``): ``stimulus[k].site`` for a device of an array; a pulse rate is the
    argument of its generator that sets it (:func:`painsim.stimulation.spec.pulse_rate_argument`:
    ``rate``, a burst's ``intraburst_rate``); the whole device refused for its kHz field's range
    (``field``) is the one argument of it that the point's axes set, if one does (any other refusal
    of the whole device, e.g. rTMS on a model without cortex, stays the device's)."""
    device = f"stimulus[{k}]" if isinstance(spec.stimulus, list) else "stimulus"
    n = len(stimulus_tables(spec))
    swept = [device_argument(path, n)[1] for path in point if _is_device_path(path) and device_argument(path, n)[0] == k]
    if field and str(name) == "stimulus" and len(swept) == 1:
        return f"{device}.{swept[0]}"
    return device_key(name, _device_type(spec, point, k), device)


def _device_type(spec, point, k: int):
    """The waveform type of device ``k`` at ``point`` (its ``type`` axis's value, else its table's)."""
    n = len(stimulus_tables(spec))
    swept = [v for path, v in point.items() if _is_device_path(path) and device_argument(path, n) == (k, "type")]
    return swept[0] if swept else (stimulus_tables(spec)[k].get("type") if n else None)


def _check_device_axis(spec, path: str) -> None:
    """A ``stimulus.<argument>`` axis changes a device the sweep describes: its ``[stimulus]`` table, or
    the axes alone when one of them gives its ``type``.  Without either, the device would have no
    type: refused here, by the axis, not later as an unknown waveform type.  No other axis sets the
    same argument (one would override the other: ``stimulus.rate`` and ``stimulus[0].rate``)."""
    n = len(stimulus_tables(spec))
    k, arg = device_argument(path, n)
    same = [b.path for b in spec.axes if _is_device_path(b.path) and device_argument(b.path, n) == (k, arg)]
    if len(same) > 1:
        raise SpecError(path, same, f"one axis per device argument: these set argument {arg!r} of device {k}")
    if n == 0 and not any(_is_device_path(b.path) and device_argument(b.path, n) == (k, "type") for b in spec.axes):
        raise SpecError(path, path, 'a [stimulus] table, with its type (e.g. type = "tonic"), for the axis to '
                        "change: the sweep has none", hint="or a stimulus.type axis")


def _whole_argument(spec, path: str) -> bool:
    """The device argument of the axis ``path`` takes whole numbers under a type the device may have
    (its table's, or a value of its ``type`` axis): a body-site index (``site``) or an argument whose
    default is a whole number (``pulses_per_burst``, ``n_trains``, ``n_pulses``)."""
    n = len(stimulus_tables(spec))
    k, arg = device_argument(path, n)
    types = [stimulus_tables(spec)[k].get("type")] if n else []
    types += [v for b in spec.axes if _is_device_path(b.path) and device_argument(b.path, n) == (k, "type")
              for v in (b.values or ())]
    given = [_arguments(kind).get(arg) for kind in types]
    return any(p is not None and (arg == "site" or type(p.default) is int) for p in given)
