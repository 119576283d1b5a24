"""Conditions experiments: named conditions run through one model, in one batch."""
from __future__ import annotations

import json
from typing import Any, Mapping, NamedTuple

import xarray as xr

from ..checks import known_keys, whole
from ..errors import ParameterError
from ..fibers import PHYSICAL_STIMULI, brush
from ..fibers.afferents import intensity_shorthand
from ..io import combine
from ..params import load_model
from ..params.reading import beside_experiment
from ..simulation import Request, body_site, simulate_batch
from ..stimulation import from_table
from ..units import to_si

__all__ = ["run_conditions", "condition_request", "duration_quantity", "natural_stimuli", "heterotopic_stimuli",
           "Heterotopic", "condition_stimulus", "DEFAULT_DURATION", "HETEROTOPIC_KEYS"]

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
#: Keys of a condition's natural stimuli (the intensity shorthand and the physical stimuli).
NATURAL_KEYS = ("noxious", "touch", *_ALLOWED)
#: Keys of a ``heterotopic`` table: its body site and the natural stimuli there.
HETEROTOPIC_KEYS = ("site", *NATURAL_KEYS)


def natural_stimuli(c: Mapping, k: int, where: str | None = None) -> tuple:
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
    where : str, optional
        The table's name in messages (default ``condition[k]``; a ``heterotopic`` table is
        named ``condition[k].heterotopic``).

    Returns
    -------
    tuple
        (noxious, touch): each a number or a natural stimulus; 0.0 where none is given.

    Raises
    ------
    painsim.errors.ParameterError
        A bad value (an intensity shorthand that is not a number in [0, 1]: not true, not text such
        as ``"0.5"``), an unknown key of a table-valued stimulus, or two stimuli on one channel.
    """
    where = f"condition[{k}]" if where is None else where
    for key in ("noxious", "touch"):  # the intensity shorthand: refused here, named as the file names it
        if key in c:
            intensity_shorthand(c[key], f"{where}.{key}")
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
                raise ParameterError(f"{where}.{sub}", err.value, err.allowed, hint=err.hint) from None
            raise ParameterError(f"{where}.{key}", value, allowed, hint=err.hint) from None
    for channel, keys in given.items():
        if len(keys) > 1:
            raise ParameterError(where, " and ".join(keys),
                                 f"one {channel} stimulus per condition (one of {', '.join(keys)})")
    return (out["noxious"] if out["noxious"] is not None else 0.0,
            out["touch"] if out["touch"] is not None else 0.0)


class Heterotopic(NamedTuple):
    """Natural stimuli of a condition at one other body site (a ``heterotopic`` table)."""

    #: The body site (checked against the model when the condition is run).
    site: int
    #: The noxious stimulus there (a number or a natural stimulus; 0.0 if none).
    noxious: Any
    #: The touch stimulus there (likewise).
    touch: Any
    #: The table's name in messages (``condition[k].heterotopic`` or ``condition[k].heterotopic[j]``).
    where: str


def heterotopic_stimuli(c: Mapping, k: int) -> list[Heterotopic]:
    """The natural stimuli condition ``k`` (``c``) applies at other body sites than its own
    (``heterotopic``: one table ``{site = 0, heat = 52.0}`` or an array of them), as in the
    heterotopic noxious conditioning of diffuse noxious inhibitory controls (Le Bars,
    Dickenson & Besson 1979 Pain 6:283) and of conditioned pain modulation in people
    (Yarnitsky 2015 Pain 156:S24): a conditioning stimulus on a remote body part
    while the test stimulus is applied at the condition's own site.

    Parameters
    ----------
    c : mapping
        One ``[[condition]]`` table.
    k : int
        Its index, named in messages.

    Returns
    -------
    list of Heterotopic
        One per table, its stimuli as :func:`natural_stimuli` reads them; empty when the
        condition has no ``heterotopic`` key.  The sites are checked against the model when
        the condition is run (:func:`condition_request`).

    Raises
    ------
    painsim.errors.ParameterError
        Not a table or a non-empty array of tables; a table without a whole-number ``site``,
        without any stimulus, or with a bad stimulus (named ``condition[k].heterotopic[.j].<key>``);
        two tables at one site.
    painsim.errors.UnknownKeyError
        A misspelt key (the nearest valid one suggested).
    """
    spec = c.get("heterotopic")
    if spec is None:
        return []
    tables = spec if isinstance(spec, list) else [spec]
    if not tables or not all(isinstance(t, Mapping) for t in tables):
        raise ParameterError(f"condition[{k}].heterotopic", spec,
                             "a table such as {site = 0, heat = 52.0} or a non-empty array of them")
    out: list[Heterotopic] = []
    for j, table in enumerate(tables):
        where = f"condition[{k}].heterotopic" + (f"[{j}]" if isinstance(spec, list) else "")
        known_keys(table, HETEROTOPIC_KEYS, f"key of {where}")
        site = table.get("site")
        if isinstance(site, bool) or not isinstance(site, int):
            raise ParameterError(f"{where}.site", site, "a body-site index (whole number), required")
        if site in [other.site for other in out]:
            raise ParameterError(f"{where}.site", site, "a site no other heterotopic table of the condition names")
        noxious, touch = natural_stimuli(table, k, where)
        if not any(key in table for key in HETEROTOPIC_KEYS if key != "site"):
            raise ParameterError(where, dict(table), f"a site and a natural stimulus there (one of "
                                 f"{', '.join(key for key in HETEROTOPIC_KEYS if key != 'site')})")
        out.append(Heterotopic(site, noxious, touch, where))
    return out


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


def _check_site_used(c: Mapping, k: int) -> None:
    """Refuse a condition's ``site`` that nothing uses: it places the condition's natural stimuli (and
    names its test site beside ``heterotopic`` stimuli), never a device, whose site is its stimulus
    table's own ``site``.  Without either, the condition ran with the site silently ignored (and
    stored none), as a ``heterotopic`` table refuses a site without a stimulus."""
    if "site" not in c or "heterotopic" in c or any(key in c for key in NATURAL_KEYS):
        return
    table = f"condition[{k}].stimulus{'[j]' if isinstance(c.get('stimulus'), list) else ''}.site"
    device = f" (a device's site is its stimulus table's site: {table})" if "stimulus" in c else ""
    raise ParameterError(f"condition[{k}].site", c["site"], f"a site with a natural stimulus there (one of "
                         f"{', '.join(NATURAL_KEYS)}) or a heterotopic stimulus elsewhere; no site otherwise"
                         + device)


def condition_request(c: Mapping, k: int, model, seed: int) -> Request:
    """The simulation request of condition ``k`` (``c``) on ``model``.

    Parameters
    ----------
    c : mapping
        One ``[[condition]]`` table.
    k : int
        Its index, named in messages.
    model : Model
        The condition's model, its ``params`` already applied.
    seed : int
        The experiment's seed (the condition's own ``seed`` wins).

    Returns
    -------
    Request
        Its stimulus, and its natural stimuli at the painful site, at its ``site``, or per
        site when it has ``heterotopic`` stimuli.

    Raises
    ------
    painsim.errors.ParameterError
        A bad stimulus, a site that is not a whole number, a ``site`` without a natural stimulus
        (at it, or ``heterotopic`` ones elsewhere) that it would place, or (with ``heterotopic``
        stimuli) a site outside the model's body or a remote site equal to the condition's own.
    """
    stim = condition_stimulus(c, k)
    nox, touch = natural_stimuli(c, k)
    site, remote = c.get("site"), heterotopic_stimuli(c, k)
    _check_site_used(c, k)
    if site is not None or remote:  # every site named, and checked against the model before any run
        site = body_site(model, site, f"condition[{k}].site")
    if site is not None:  # natural stimuli at one body site (topographic models)
        nox, touch = {site: nox}, {site: touch}
    for other in remote:
        if body_site(model, other.site, f"{other.where}.site") == site:
            raise ParameterError(f"{other.where}.site", other.site,
                                 f"a body site other than the condition's own ({site})")
        nox[other.site], touch[other.site] = other.noxious, other.touch
    return Request(model, stim, nox, touch, int(c.get("seed", seed)), label=c.get("label", f"condition {k}"))


def run_conditions(spec: Mapping[str, Any], seed: int | None = None) -> xr.Dataset:
    """Run every ``[[condition]]`` of a checked conditions file and return one Dataset.

    Parameters
    ----------
    spec : dict
        A conditions experiment as returned by
        :func:`painsim.files.load_experiment`.
    seed : int, optional
        Overrides the file's seed.  Every condition without a ``seed`` of its
        own uses the same seed, so conditions differ only by what the condition
        changes; a file whose conditions carry their own seeds refuses ``seed``
        (replacing some seeds and not others would mix seeds in one comparison).

    Returns
    -------
    xarray.Dataset
        Over ``condition``, with the experiment's name, description and spec
        (JSON) as attributes.
    """
    exp = spec["experiment"]
    base = load_model(beside_experiment(exp.get("model", "gate_control"), spec.get("_path")))
    duration = to_si(exp.get("duration", DEFAULT_DURATION), "s", "experiment.duration")
    own = [k for k, c in enumerate(spec["condition"]) if "seed" in c]
    if seed is not None and own:
        raise ParameterError("seed", seed, f"no seed override for a file whose conditions carry their own seeds "
                             f"(condition[{own[0]}].seed = {spec['condition'][own[0]]['seed']}): change them in the file")
    seed = int(exp.get("seed", 0) if seed is None else seed)
    requests, labels = [], []
    models = {}
    for k, c in enumerate(spec["condition"]):
        name = c.get("model", exp.get("model", "gate_control"))
        if name not in models:
            models[name] = (base if name == exp.get("model", "gate_control")
                            else load_model(beside_experiment(name, spec.get("_path"))))
        requests.append(condition_request(c, k, models[name].with_params(c.get("params", {})), seed))
        labels.append(c.get("label", f"condition {k}"))
    results = simulate_batch(requests, duration_quantity(duration),
                             batch_size=whole(exp.get("batch_size", 32), "experiment.batch_size", 1))
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
