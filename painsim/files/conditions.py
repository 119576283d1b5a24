"""Conditions experiments: named conditions run through one model, in one batch."""
from __future__ import annotations

import json
from typing import Any, Mapping

import xarray as xr

from ..errors import ParameterError
from ..fibers import PHYSICAL_STIMULI, brush
from ..io import combine
from ..params import load_model
from ..simulation import Request, simulate_batch
from ..stimulation import from_table
from ..units import to_si

__all__ = ["run_conditions", "duration_quantity", "natural_stimuli", "condition_stimulus", "DEFAULT_DURATION"]

#: What a condition may give for each physical natural stimulus (docs/stimuli.md).
_ALLOWED = {"heat": 'a contact temperature in °C (a number or "47 degC"), 32-60 °C',
            "cold": 'a contact temperature in °C (a number or "3 degC"), 0-32 °C',
            "pinprick": 'a punctate force in mN (a number or "64 mN")',
            "brush": 'a brush-stroke velocity (e.g. "30 mm/s"), or true for 30 mm/s',
            "heat_contacts": "a table of repeated brief contacts: celsius (required), n_contacts, interval, "
                             "contact, start (painsim.fibers.heat_contacts)",
            "heat_ramp": "a table of a heat ramp: peak (°C, required), rate (°C/s), start, stop "
                         "(painsim.fibers.heat_ramp)"}
#: Physical natural stimuli a condition can name: key -> (channel, maker, what is allowed).
PHYSICAL = {k: (*PHYSICAL_STIMULI[k], allowed) for k, allowed in _ALLOWED.items()}
#: Simulated time of a conditions file that names no ``duration``.
DEFAULT_DURATION = "2 s"
#: Keys of a ``heat_contacts`` table (the arguments of :func:`painsim.fibers.heat_contacts`).
HEAT_CONTACT_KEYS = ("celsius", "n_contacts", "interval", "contact", "start")
#: The table-valued stimuli: key -> (the table's keys, the one it requires).
TABLES = {"heat_contacts": (HEAT_CONTACT_KEYS, "celsius"), "heat_ramp": (("peak", "rate", "start", "stop"), "peak")}


def natural_stimuli(c: Mapping, k: int) -> tuple:
    """The (noxious, touch) natural stimuli of condition ``k`` (``c``): the intensity shorthand
    (``noxious``, ``touch``, 0-1) or a physical stimulus (``heat`` or ``cold`` in °C, ``pinprick`` in mN,
    ``brush``, a ``heat_contacts`` or ``heat_ramp`` table), at most one per channel.  Bad values raise :class:`painsim.errors.ParameterError`
    naming ``condition[k].<key>``.

    Parameters
    ----------
    c : mapping
        One ``[[condition]]`` table.
    k : int
        Its index, named in messages.

    Returns
    -------
    tuple
        (noxious, touch): each a number or a natural stimulus; 0.0 where none is given.

    Raises
    ------
    painsim.errors.ParameterError
        A bad value, an unknown key of a table-valued stimulus, or two stimuli on one channel.
    """
    out = {"noxious": c.get("noxious"), "touch": c.get("touch")}
    given = {"noxious": ["noxious"] if "noxious" in c else [], "touch": ["touch"] if "touch" in c else []}
    for key, (channel, make, allowed) in PHYSICAL.items():
        if key not in c:
            continue
        given[channel].append(key)
        value = c[key]
        try:
            if key == "brush":
                if value is False or (isinstance(value, (int, float)) and not isinstance(value, bool)):
                    raise ParameterError(key, value, allowed)
                out[channel] = brush() if value is True else brush(value)
            elif key in TABLES:
                keys, required = TABLES[key]
                if not isinstance(value, Mapping) or required not in value:
                    raise ParameterError(key, value, allowed)
                unknown = sorted(set(value) - set(keys))
                if unknown:
                    raise ParameterError(f"{key}.{unknown[0]}", value[unknown[0]], f"one of {keys}")
                out[channel] = make(**value)
            else:
                if isinstance(value, bool):
                    raise ParameterError(key, value, allowed)
                out[channel] = make(value)
        except ParameterError as err:
            if key in TABLES and err.name != key:  # one argument of the table: name it
                sub = err.name if err.name.startswith(key) else f"{key}.{err.name}"
                raise ParameterError(f"condition[{k}].{sub}", err.value, err.allowed, hint=err.hint) from None
            raise ParameterError(f"condition[{k}].{key}", value, allowed, hint=err.hint) from None
    for channel, keys in given.items():
        if len(keys) > 1:
            raise ParameterError(f"condition[{k}]", " and ".join(keys),
                                 f"one {channel} stimulus per condition (one of {', '.join(keys)})")
    return (out["noxious"] if out["noxious"] is not None else 0.0,
            out["touch"] if out["touch"] is not None else 0.0)


def condition_stimulus(c: Mapping, k: int):
    """The stimulus of condition ``k`` (``c``): one waveform (a table), a tuple of waveforms
    (an array of tables: devices at the same time, :mod:`painsim.devices`), or None; errors
    name ``condition[k].stimulus`` (``condition[k].stimulus[j]`` for a device of an array).

    Parameters
    ----------
    c : mapping
        One ``[[condition]]`` table.
    k : int
        Its index, named in messages.

    Returns
    -------
    Waveform, tuple of Waveform or None
        None when the condition has no ``stimulus``.

    Raises
    ------
    painsim.errors.ParameterError
        The stimulus is not a table or an array of tables, misses a required argument (named)
        or has a bad value.
    painsim.errors.UnknownKeyError
        An unknown waveform type or argument (the nearest valid one suggested).
    """
    if "stimulus" not in c:
        return None
    where = f"condition[{k}].stimulus"
    spec = c["stimulus"]
    if isinstance(spec, list):
        if not spec:
            raise ParameterError(where, spec, "a stimulus table or a non-empty array of them (one per device)")
        return tuple(from_table(t, f"{where}[{j}]") for j, t in enumerate(spec))
    return from_table(spec, where)


def _request(c: Mapping, k: int, model, seed: int) -> Request:
    """The simulation request of condition ``k`` (``c``) on ``model`` (its parameters already applied)."""
    stim = condition_stimulus(c, k)
    nox, touch = natural_stimuli(c, k)
    if "site" in c:  # natural stimuli at one body site (topographic models)
        site = c["site"]
        if isinstance(site, bool) or not isinstance(site, int):
            raise ParameterError(f"condition[{k}].site", site, "a body-site index (whole number)")
        nox, touch = {site: nox}, {site: touch}
    return Request(model, stim, nox, touch, int(c.get("seed", seed)), label=c.get("label", f"condition {k}"))


def run_conditions(spec: Mapping[str, Any], seed: int | None = None) -> xr.Dataset:
    """Run every ``[[condition]]`` of a checked conditions file and return one Dataset.

    Parameters
    ----------
    spec : dict
        A conditions experiment as returned by
        :func:`painsim.files.load_experiment`.
    seed : int, optional
        Overrides the file's seed.  Every condition uses the same seed, so
        conditions differ only by what the condition changes.

    Returns
    -------
    xarray.Dataset
        Over ``condition``, with the experiment's name, description and spec
        (JSON) as attributes.
    """
    exp = spec["experiment"]
    base = load_model(exp.get("model", "gate_control"))
    duration = to_si(exp.get("duration", DEFAULT_DURATION), "s", "experiment.duration")
    seed = int(exp.get("seed", 0) if seed is None else seed)
    requests, labels = [], []
    models = {}
    for k, c in enumerate(spec["condition"]):
        name = c.get("model", exp.get("model", "gate_control"))
        if name not in models:
            models[name] = base if name == exp.get("model", "gate_control") else load_model(name)
        requests.append(_request(c, k, models[name].with_params(c.get("params", {})), seed))
        labels.append(c.get("label", f"condition {k}"))
    results = simulate_batch(requests, duration_quantity(duration),
                             batch_size=int(exp.get("batch_size", 32)))
    ds = combine(results, "condition", labels)
    ds.attrs.update({"experiment": exp.get("name", ""), "description": exp.get("description", ""),
                     "experiment_spec": json.dumps({k: v for k, v in spec.items() if k != "_path"},
                                                   default=str)})
    return ds


def duration_quantity(seconds: float) -> str:
    """A duration in seconds written as a unit string (accepted by every API entry).

    Parameters
    ----------
    seconds : float
        The duration (s).

    Returns
    -------
    str
        E.g. ``"2.0 s"``.

    Raises
    ------
    painsim.errors.ParameterError
        ``seconds`` <= 0.
    """
    if seconds <= 0:
        raise ParameterError("duration", seconds, "a duration > 0 s")
    return f"{seconds!r} s"
