"""Parameter sweeps: many points of one model, on disk, resumable, in parallel.

A sweep varies model parameters (dotted paths, ``"pathology.disinhibition"``),
stimulus parameters (``"stimulus.rate"``, the arguments of a stimulus spec as
in experiment files), the natural inputs (``"noxious"``, ``"touch"``) and, for
course sweeps (``kind = "course"``), the protocol (``"protocol.stimulus.rate"``,
``"protocol.session_duration"``, ``"protocol.period"``, ``"protocol.end_day"``) over
a design -- a grid, random points, a Latin hypercube, a Sobol sequence, or the
Saltelli/Morris samples of a sensitivity analysis -- with repeated seeds, and
keeps the scalar outcomes of every run.

A spec is a TOML file or a dict::

    [sweep]
    name = "disinhibition"
    model = "gate_control"
    duration = "1 s"
    noxious = 0.6
    seed = 1
    seeds = 3                      # repeats (derived seeds), or a list [11, 12, 13]
    design = "grid"                # grid | random | lhs | sobol | saltelli | morris
    outcomes = ["pain", "pn_rate", "gate_index"]
    batch_size = 8

    [params]                       # fixed overrides of every point
    "afferents.C.n" = 20

    [stimulus]                     # a stimulus spec (painsim.stimulation.from_spec)
    type = "tonic"
    rate = "50 Hz"
    width = "200 us"
    amplitude = 1.5

    [parameters]                   # the swept axes
    "pathology.disinhibition" = {min = 0.0, max = 1.0, n = 5}
    "stimulus.rate" = {values = ["10 Hz", "50 Hz", "200 Hz"]}
    "noxious" = [0.3, 0.6]         # a bare list: explicit values

Every point of every repeat gets its own seed, derived from the spec seed and
(point, repeat) -- or, with ``paired_seeds = true`` or an explicit list of
seeds, the same seeds at every point (common random numbers).  A point's
result depends only on its parameters and seed, never on the batch size,
the number of workers or the backend.

Execution: points that share network structure run together in ONE brian2
network through :func:`painsim.simulate_batch`; batches go to local worker
processes (``workers=N``, the default), to this process (``workers=0``), or to
a Dask cluster (``scheduler="tcp://host:8786"``, or ``"local"`` for a
``LocalCluster``).

Store: a directory.  Each finished point is written atomically to
``parts/`` before it counts as done, failures to ``failed/`` with their error
message; ``events.jsonl`` logs every persisted point (run id, worker pid,
compute time) and ``result.nc`` (or ``result.zarr``) holds the consolidated
Dataset.  ``resume=True`` recomputes nothing that is in ``parts/``.

Sensitivity: :func:`sensitivity` turns a sweep with the ``saltelli`` or
``morris`` design into Sobol or Morris indices (SALib), and a sweep of any
other design into moment-independent (delta) or RBD-FAST indices.
"""
from __future__ import annotations

import atexit
import copy
import hashlib
import itertools
import json
import math
import os
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import xarray as xr

from .errors import ModelFileError, ParameterError, SpecError, UnitError, UnknownKeyError
from .io import atomic_path
from .params import find_builtin, load_model, read_toml
from .units import DIMENSIONLESS, UNITS, format_si, parse, unit_name

__all__ = ["SweepSpec", "Axis", "load_spec", "make_spec", "run_sweep", "load_sweep", "sensitivity",
           "DESIGNS", "KINDS", "SIMULATE_OUTCOMES", "COURSE_OUTCOMES"]

KINDS = ("simulate", "course", "function")
DESIGNS = ("grid", "random", "lhs", "sobol", "saltelli", "morris")
#: Scalar outcomes of :func:`painsim.simulate` a sweep can keep; ``rate_<population>``
#: (mean rate after the transient) is accepted too.
SIMULATE_OUTCOMES = ("pain", "pn_rate", "gate_index")
#: Outcomes of :func:`painsim.course.run_course_batch` (its contract).
COURSE_OUTCOMES = ("baseline_pain", "relief", "responder_30", "responder_50", "pain", "pn_rate",
                   "baseline_pn_rate", "pain_after_session", "relief_after_session")

_SWEEP_KEYS = {"name", "description", "kind", "model", "duration", "noxious", "touch", "seed", "seeds",
               "paired_seeds", "design", "n", "levels", "outcomes", "batch_size", "figure", "protocol",
               "function", "params", "stimulus", "parameters", "workers"}
_AXIS_KEYS = {"values", "min", "max", "n", "scale"}
_NATURAL = ("noxious", "touch")


# ====================================================================== spec
@dataclass(frozen=True)
class Axis:
    """One swept parameter.

    Attributes
    ----------
    path : str
        Dotted path: a model parameter, ``stimulus.<argument>``, ``noxious``
        or ``touch``, ``protocol.stimulus.<argument>`` or
        ``protocol.<field>`` (courses; :data:`PROTOCOL_FIELDS`), or any name
        for ``kind = "function"``.
    values : tuple or None
        Explicit values (SI floats, or words/booleans); None for a range.
    low, high : float
        Range in SI units (for range axes).
    n : int
        Grid levels of a range axis.
    scale : str
        ``"linear"`` or ``"log"``.
    unit : str
        The unit the spec wrote the values in (``"mA"``), ``""`` if none.
    dim : tuple
        Physical dimension of the values (None for words and booleans).
    """

    path: str
    values: tuple | None
    low: float = float("nan")
    high: float = float("nan")
    n: int = 0
    scale: str = "linear"
    unit: str = ""
    dim: tuple | None = DIMENSIONLESS
    integer: bool = False

    @property
    def categorical(self) -> bool:
        return self.dim is None

    def grid(self) -> list:
        """The grid levels of this axis."""
        if self.values is not None:
            return list(self.values)
        if self.n == 1:
            return [self._round(self.low)]
        if self.scale == "log":
            return [self._round(v) for v in np.geomspace(self.low, self.high, self.n)]
        return [self._round(v) for v in np.linspace(self.low, self.high, self.n)]

    def _round(self, v):
        return float(round(v)) if self.integer else float(v)

    def from_unit(self, u: float):
        """Map a number in [0, 1) to a value of this axis (for sampled designs)."""
        if self.values is not None:
            k = len(self.values)
            return self.values[min(int(u * k), k - 1)]
        if self.scale == "log":
            return self._round(self.low * (self.high / self.low) ** u)
        return self._round(self.low + u * (self.high - self.low))

    def text(self, value):
        """The value as a model/stimulus override accepts it (``"0.0025 A"`` -> ``"2.5 mA"``)."""
        if self.dim is None or not self.unit:
            return value
        return format_si(float(value), self.unit)

    def describe(self) -> dict:
        d = {"path": self.path, "scale": self.scale, "unit": self.unit, "integer": self.integer,
             "dim": list(self.dim) if self.dim is not None else None,
             "si_unit": unit_name(self.dim) if self.dim is not None else ""}
        if self.values is not None:
            d["values"] = list(self.values)
        else:
            d.update(min=self.low, max=self.high, n=self.n)
        return d


@dataclass
class SweepSpec:
    """A validated sweep specification (see the module docstring).

    Make one with :func:`load_spec` (TOML file) or :func:`make_spec` (dict);
    both check every key, path, unit and range and build every point's model
    and stimulus, so that a bad spec fails before any work starts.
    """

    name: str
    kind: str
    model: str
    axes: list[Axis]
    design: str = "grid"
    n: int = 0
    levels: int = 4
    duration: float = 1.0
    noxious: Any = 0.0
    touch: Any = 0.0
    seed: int = 0
    seeds: list[int] | int = 1
    paired_seeds: bool = False
    outcomes: list[str] = field(default_factory=list)
    batch_size: int = 8
    params: dict = field(default_factory=dict)
    stimulus: dict | None = None
    protocol: Any = None
    function: Callable | None = None
    figure: dict = field(default_factory=dict)
    description: str = ""
    source: str = ""
    _points: list | None = field(default=None, repr=False)
    _design_u: Any = field(default=None, repr=False)

    # ------------------------------------------------------------- points
    @property
    def n_repeats(self) -> int:
        return len(self.seeds) if isinstance(self.seeds, list) else int(self.seeds)

    def points(self) -> list[dict]:
        """Every point of the design: {axis path: value} (values in SI or words)."""
        if self._points is None:
            self._points = _design_points(self)
        return self._points

    def seed_for(self, point: int, repeat: int) -> int:
        """The seed of one run: derived from the spec seed, the point and the repeat.

        An explicit list of seeds (``seeds = [11, 12]``) or ``paired_seeds``
        gives every point the same seed for a given repeat (common random
        numbers); otherwise each (point, repeat) gets its own.
        """
        if isinstance(self.seeds, list):
            return int(self.seeds[repeat])
        key = [self.seed, repeat] if self.paired_seeds else [self.seed, point, repeat]
        return int(np.random.SeedSequence(key).generate_state(1, np.uint32)[0] & 0x7FFFFFFF)

    def __getstate__(self):  # workers get their points with each batch, not the whole design
        state = dict(self.__dict__)
        state["_points"] = None
        return state

    def to_dict(self) -> dict:
        """JSON-able description (stored in the result's attrs and in the store)."""
        return {"name": self.name, "description": self.description, "kind": self.kind, "model": self.model,
                "design": self.design, "n": self.n, "levels": self.levels, "duration_s": self.duration,
                "noxious": _jsonable(self.noxious), "touch": _jsonable(self.touch), "seed": self.seed,
                "seeds": self.seeds, "paired_seeds": self.paired_seeds, "outcomes": list(self.outcomes),
                "params": _jsonable(self.params), "stimulus": _jsonable(self.stimulus),
                "protocol": _jsonable(self.protocol),
                "function": _qualname(self.function) if self.function is not None else None,
                "axes": [a.describe() for a in self.axes], "figure": _jsonable(self.figure)}

    def key(self) -> str:
        """Hash of everything that determines the results (not the execution options)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True, default=str).encode()).hexdigest()[:24]


def _qualname(f) -> str:
    return f"{getattr(f, '__module__', '?')}:{getattr(f, '__qualname__', repr(f))}"


def _jsonable(x):
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (str, bool, int, float)) or x is None:
        return x
    if isinstance(x, np.generic):
        return x.item()
    return str(x)


def load_spec(path: str | os.PathLike, seed: int | None = None) -> SweepSpec:
    """Read and validate a sweep spec from a TOML file.

    Parameters
    ----------
    path : str or Path
        A TOML file with a ``[sweep]`` table (see the module docstring), or
        the name of a built-in experiment.
    seed : int, optional
        Overrides the file's seed.

    Returns
    -------
    SweepSpec

    Raises
    ------
    ModelFileError
        Missing file, invalid TOML or no ``[sweep]`` table.
    UnknownKeyError, UnitError, ParameterError, SpecError
        Any bad key, path, unit or range (see :func:`make_spec`).
    """
    p = find_builtin(path, "experiments")
    raw = read_toml(p)
    if "sweep" not in raw or not isinstance(raw["sweep"], Mapping):
        raise ModelFileError(f"{p}: missing [sweep] table")
    if "function" in raw["sweep"]:
        raise SpecError("sweep.function", raw["sweep"]["function"],
                        "no 'function' in a spec file (files hold numbers, never code); "
                        "pass a Python callable to make_spec/run_sweep instead")
    spec = make_spec(raw, seed=seed)
    spec.source = str(p)
    return spec


def make_spec(spec: Mapping[str, Any] | SweepSpec, seed: int | None = None,
              batch_size: int | None = None) -> SweepSpec:
    """Validate a sweep spec given as a dict and build every point.

    Parameters
    ----------
    spec : dict or SweepSpec
        Either ``{"sweep": {...}, "params": {...}, "stimulus": {...},
        "parameters": {...}}`` as in a TOML file, or the same keys flat in
        one dict.  ``kind = "function"`` sweeps a Python callable
        ``function(params: dict, seed: int) -> dict`` (SI values in, scalar
        or array outcomes out).
    seed : int, optional
        Overrides the spec's seed.
    batch_size : int, optional
        Overrides the spec's batch size.

    Returns
    -------
    SweepSpec

    Raises
    ------
    UnknownKeyError
        An unknown spec key, design, kind, outcome, stimulus argument or
        model parameter path (with the nearest valid one).
    UnitError
        A value whose unit does not fit its parameter.
    ParameterError, SpecError
        Empty or reversed ranges, bad counts, a value out of range.
    """
    if isinstance(spec, SweepSpec):
        out = copy.copy(spec)
        out.axes, out.outcomes, out._points = list(spec.axes), list(spec.outcomes), None
        if seed is not None:
            out.seed = _whole(seed, "seed", 0)
        if batch_size is not None:
            out.batch_size = _whole(batch_size, "batch_size", 1)
        _validate_points(out)
        return out
    if not isinstance(spec, Mapping):
        raise SpecError("spec", type(spec).__name__, "a dict, a SweepSpec or the path of a TOML file")
    raw = dict(spec)
    sw = dict(raw.pop("sweep", {}))
    for k in ("params", "stimulus", "parameters"):
        if k in raw:
            sw.setdefault(k, raw.pop(k))
    for k in list(raw):
        sw.setdefault(k, raw.pop(k))
    for k in sw:
        if k not in _SWEEP_KEYS:
            raise UnknownKeyError(k, _SWEEP_KEYS, what="sweep key")
    kind = sw.get("kind", "simulate")
    if kind not in KINDS:
        raise UnknownKeyError(str(kind), KINDS, what="sweep kind")
    design = sw.get("design", "grid")
    if design not in DESIGNS:
        raise UnknownKeyError(str(design), DESIGNS, what="sweep design")
    function = sw.get("function")
    if kind == "function" and not callable(function):
        raise SpecError("function", function, "a callable function(params, seed) -> dict for kind = 'function'")
    if kind != "function" and function is not None:
        raise SpecError("function", function, "no function unless kind = 'function'")

    from .units import to_si
    duration = to_si(sw.get("duration", "1 s"), "s", "sweep.duration")
    if duration <= 0:
        raise ParameterError("sweep.duration", sw.get("duration"), "a duration > 0 s")
    seeds = sw.get("seeds", 1)
    if isinstance(seeds, (list, tuple)):
        if not seeds:
            raise SpecError("seeds", seeds, "a count >= 1 or a non-empty list of seeds")
        seeds = [_whole(s, "seeds", 0) for s in seeds]
    else:
        seeds = _whole(seeds, "seeds", 1)
    parameters = sw.get("parameters", {})
    if isinstance(parameters, Mapping):
        items = list(parameters.items())
    elif isinstance(parameters, (list, tuple)):  # [[parameter]] tables with a 'path'
        items = []
        for t in parameters:
            t = dict(t)
            if "path" not in t:
                raise SpecError("parameters", t, "a table with a 'path'")
            items.append((t.pop("path"), t))
    else:
        raise SpecError("parameters", parameters, "a table {path = {values = [...]} or {min, max, n}}")
    axes = [_axis(str(path), ax) for path, ax in items]
    if len({a.path for a in axes}) != len(axes):
        raise SpecError("parameters", [a.path for a in axes], "each path once")
    n = sw.get("n", 0)
    out = SweepSpec(
        name=str(sw.get("name", "sweep")), kind=kind, model=str(sw.get("model", "gate_control")),
        axes=axes, design=design, n=_whole(n, "n", 0), levels=_whole(sw.get("levels", 4), "levels", 2),
        duration=float(duration), noxious=sw.get("noxious", 0.0), touch=sw.get("touch", 0.0),
        seed=_whole(sw.get("seed", 0) if seed is None else seed, "seed", 0), seeds=seeds,
        paired_seeds=bool(sw.get("paired_seeds", False)), outcomes=list(sw.get("outcomes", [])),
        batch_size=_whole(sw.get("batch_size", 8) if batch_size is None else batch_size, "batch_size", 1),
        params=dict(sw.get("params", {})), stimulus=dict(sw["stimulus"]) if sw.get("stimulus") else None,
        protocol=sw.get("protocol"), function=function, figure=dict(sw.get("figure", {}) or {}),
        description=str(sw.get("description", "")))
    if design != "grid" and out.n < 1:
        raise SpecError("n", n, f"a number of samples >= 1 for design {design!r}")
    if not axes and design != "grid":
        raise SpecError("parameters", {}, f"at least one swept parameter for design {design!r}")
    if design != "grid" and any(a.values is not None and not a.values for a in axes):
        raise SpecError("parameters", [a.path for a in axes], "non-empty values")
    _validate_points(out)
    return out


def _whole(x, name, lo) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer, float)) or float(x) != int(x) or x < lo:
        raise ParameterError(name, x, f"a whole number >= {lo}")
    return int(x)


def _parse_value(path: str, v):
    """(SI value or word, dimension or None, unit symbol) of one spec value."""
    if isinstance(v, bool):
        return v, None, ""
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v), DIMENSIONLESS, ""
    if hasattr(v, "dim"):  # brian2 quantity
        from .units import _brian_dim
        dim = tuple(_brian_dim(v))
        name = unit_name(dim)
        return float(np.asarray(v)), dim, name if name in UNITS else ""
    if isinstance(v, str):
        try:
            value, dim = parse(v, path)
        except ParameterError:
            if any(ch.isdigit() for ch in v[:1]):
                raise
            return v, None, ""  # a word (a choice such as "biophysical")
        unit = v.strip()[len(v.strip().split()[0]):].strip() if " " in v.strip() else ""
        if not unit:  # "50Hz": unit glued to the number
            import re
            m = re.match(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*(.*)$", v)
            unit = m.group(1).strip() if m else ""
        return value, tuple(dim), unit.replace(" ", "")
    raise ParameterError(path, v, "a number, a quantity string such as \"50 Hz\", a word or a boolean")


def _axis(path: str, ax) -> Axis:
    if isinstance(ax, (list, tuple)):
        ax = {"values": list(ax)}
    if not isinstance(ax, Mapping):
        raise SpecError(path, ax, "a list of values or a table {values = [...]} / {min, max, n, scale}")
    for k in ax:
        if k not in _AXIS_KEYS:
            raise UnknownKeyError(k, _AXIS_KEYS, what=f"key of parameter {path!r}")
    scale = ax.get("scale", "linear")
    if scale not in ("linear", "log"):
        raise UnknownKeyError(str(scale), ("linear", "log"), what=f"scale of {path!r}")
    if "values" in ax:
        if set(ax) - {"values"}:
            raise SpecError(path, dict(ax), "either 'values' or 'min'/'max'/'n', not both")
        vals = list(ax["values"])
        if not vals:
            raise SpecError(path, vals, "a non-empty list of values (empty range)")
        parsed = [_parse_value(path, v) for v in vals]
        dims = {p[1] for p in parsed}
        if len(dims) > 1:
            shown = [unit_name(d) if d is not None else "a word" for d in dims]
            raise UnitError(path, vals, f"one unit for all values (found {', '.join(map(str, shown))})")
        dim = dims.pop()
        values = tuple(p[0] for p in parsed)
        if len(set(values)) != len(values):
            raise SpecError(path, vals, "distinct values")
        unit = next((p[2] for p in parsed if p[2]), "")
        return Axis(path, values, scale="linear", unit=unit, dim=dim)
    missing = [k for k in ("min", "max") if k not in ax]
    if missing:
        raise SpecError(path, dict(ax), "'values = [...]' or both 'min' and 'max'")
    lo, dlo, ulo = _parse_value(path, ax["min"])
    hi, dhi, uhi = _parse_value(path, ax["max"])
    if dlo is None or dhi is None:
        raise SpecError(path, dict(ax), "numbers or quantities for 'min' and 'max'")
    if dlo != dhi:
        raise UnitError(path, ax["max"], unit_name(dlo))
    if not hi > lo:
        if hi == lo and int(ax.get("n", 1)) == 1:
            pass
        else:
            raise SpecError(path, f"[{ax['min']}, {ax['max']}]", "min < max (empty range)")
    if scale == "log" and lo <= 0:
        raise SpecError(path, ax["min"], "min > 0 for a log scale")
    n = ax.get("n", 0)
    n = _whole(n, f"{path}.n", 0)
    return Axis(path, None, float(lo), float(hi), n, scale, ulo or uhi, dlo)


# ------------------------------------------------------------- designs
def _design_points(spec: SweepSpec) -> list[dict]:
    axes = spec.axes
    if spec.design == "grid":
        for a in axes:
            if a.values is None and a.n < 1:
                raise SpecError(f"{a.path}.n", a.n, "a number of grid levels >= 1 (empty range)")
        levels = [a.grid() for a in axes]
        return [dict(zip([a.path for a in axes], combo)) for combo in itertools.product(*levels)]
    u = np.clip(_unit_samples(spec), 0.0, np.nextafter(1.0, 0.0))
    return [{a.path: a.from_unit(float(x)) for a, x in zip(axes, row)} for row in u]


def _unit_samples(spec: SweepSpec) -> np.ndarray:
    """Design points in the unit cube, shape (points, axes)."""
    from scipy.stats import qmc

    d, n = len(spec.axes), spec.n
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, 0x5EED]))
    if spec.design == "random":
        return rng.random((n, d))
    if spec.design == "lhs":
        return qmc.LatinHypercube(d, seed=rng).random(n)
    if spec.design == "sobol":
        s = qmc.Sobol(d, scramble=True, seed=rng)
        m = int(math.log2(n))
        return s.random_base2(m) if 2 ** m == n else s.random(n)
    problem = _problem(spec)
    if spec.design == "saltelli":
        from SALib.sample import sobol as salib_sobol
        u = salib_sobol.sample(problem, n, calc_second_order=False, seed=spec.seed)
    else:  # morris
        from SALib.sample import morris as salib_morris
        u = salib_morris.sample(problem, n, num_levels=spec.levels, seed=spec.seed)
    return u


def _problem(spec: SweepSpec) -> dict:
    """SALib's problem: the swept axes in the unit cube (designs map it to values)."""
    return {"num_vars": len(spec.axes), "names": [a.path for a in spec.axes],
            "bounds": [[0.0, 1.0] for _ in spec.axes]}


# ------------------------------------------------------------- building points
_BASE_MODELS: dict = {}


def _base_model(spec: SweepSpec):
    key = (spec.model, json.dumps(_jsonable(spec.params), sort_keys=True))
    if key not in _BASE_MODELS:
        _BASE_MODELS[key] = load_model(spec.model).with_params(spec.params)
    return _BASE_MODELS[key]


def _split(point: Mapping[str, Any], spec: SweepSpec) -> tuple[dict, dict, dict]:
    """Point values -> (model overrides, stimulus overrides, natural inputs), as override texts
    (``protocol.*`` values are taken by :func:`_point_protocol`)."""
    model_o, stim_o, nat = {}, {}, {}
    by_path = {a.path: a for a in spec.axes}
    for path, v in point.items():
        t = by_path[path].text(v)
        if path.startswith("stimulus."):
            stim_o[path[len("stimulus."):]] = t
        elif path in _NATURAL:
            nat[path] = v
        elif not path.startswith(_PROTOCOL):
            model_o[path] = t
    return model_o, stim_o, nat


_PROTOCOL = "protocol."
#: protocol fields a course sweep can vary (besides ``protocol.stimulus.<argument>``)
PROTOCOL_FIELDS = ("session_duration", "period", "end_day")


def _protocol_overrides(point: Mapping[str, Any], spec: SweepSpec) -> dict:
    by_path = {a.path: a for a in spec.axes}
    return {p[len(_PROTOCOL):]: by_path[p].text(v) for p, v in point.items() if p.startswith(_PROTOCOL)}


def _point_protocol(spec: SweepSpec, point: Mapping[str, Any]):
    """The protocol of one point of a course sweep: the spec's protocol with the
    point's ``protocol.*`` values (``protocol.stimulus.rate``,
    ``protocol.session_duration`` ...) through :func:`painsim.protocols.from_spec`."""
    over = _protocol_overrides(point, spec)
    if not over:
        return _protocol(spec.protocol)
    from . import protocols
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
    return protocols.from_spec(table, where="protocol")


def _build(spec: SweepSpec, point: Mapping[str, Any]):
    """(model, stimulus waveform or None, noxious, touch) of one point."""
    from .stimulation import from_spec
    model_o, stim_o, nat = _split(point, spec)
    model = _base_model(spec).with_params(model_o) if model_o else _base_model(spec)
    stim = None
    if spec.stimulus is not None or stim_o:
        s = dict(spec.stimulus or {})
        s.update(stim_o)
        s.setdefault("duration", f"{spec.duration!r} s")
        stim = from_spec(s)
    return model, stim, nat.get("noxious", spec.noxious), nat.get("touch", spec.touch)


def _validate_points(spec: SweepSpec) -> None:
    """Check everything that can be checked without simulating (raises on the first problem)."""
    if spec.kind == "function":
        spec.outcomes = list(spec.outcomes)
        spec.points()
        return
    import dataclasses
    model = _base_model(spec)  # unknown model / fixed params raise here
    for k, a in enumerate(spec.axes):
        if a.path.startswith(_PROTOCOL):
            if spec.kind != "course":
                raise SpecError(a.path, a.path, "model, stimulus or natural-stimulus parameters for kind = "
                                f"{spec.kind!r} (protocol.* parameters need kind = 'course')")
            continue
        if a.path.startswith("stimulus."):
            if spec.kind == "course":
                raise SpecError(a.path, a.path, "model parameters for kind = 'course' (the protocol sets the stimulus)")
            continue
        if a.path in _NATURAL:
            if spec.kind == "course":
                raise SpecError(a.path, a.path, "model parameters for kind = 'course'")
            if a.dim != DIMENSIONLESS:
                raise UnitError(a.path, list(a.values or [a.low, a.high]), "1 (an intensity 0-1)")
            continue
        if a.path not in model.leaves:
            raise UnknownKeyError(a.path, [p for p in model.leaves if not p.startswith("model.")])
        ref = model.leaves[a.path].si
        if isinstance(ref, int) and not isinstance(ref, bool) and not a.integer:
            spec.axes[k] = dataclasses.replace(a, integer=True)  # counts: sampled values are rounded
            spec._points = None
    known = _known_outcomes(spec)
    if not spec.outcomes:
        spec.outcomes = list(SIMULATE_OUTCOMES if spec.kind == "simulate" else COURSE_OUTCOMES[:4])
    for o in spec.outcomes:
        if o not in known and not (spec.kind == "simulate" and o.startswith("rate_") and o[5:] in _populations()):
            raise UnknownKeyError(o, list(known) + [f"rate_{p}" for p in _populations()] if spec.kind == "simulate"
                                  else known, what="outcome")
    if spec.kind == "course" and spec.protocol is None:
        raise SpecError("protocol", None, "a protocol name for kind = 'course' (painsim.protocols)")
    if spec.kind == "simulate" and spec.stimulus is not None:
        from .stimulation import from_spec
        s = dict(spec.stimulus)
        s.setdefault("duration", f"{spec.duration!r} s")
        from_spec(s)
    from .fibers import natural
    for name in _NATURAL:
        natural(getattr(spec, name), name=name)
    points = spec.points()
    if not points:
        raise SpecError("parameters", [a.path for a in spec.axes], "at least one point (empty range)")
    for p in points:  # every model, waveform and protocol is built once: errors before any work
        if spec.kind == "course":
            _point_protocol(spec, p)
        _, _, nox, tou = _build(spec, p)
        natural(nox, name="noxious")
        natural(tou, name="touch")


def _populations() -> list[str]:
    from .circuits import dorsal_horn as dh
    from .fibers import FIBER_CLASSES
    return list(FIBER_CLASSES) + list(dh.DORSAL_HORN_POPULATIONS)


def _known_outcomes(spec: SweepSpec) -> tuple:
    if spec.kind == "simulate":
        from . import simulation
        return tuple(SIMULATE_OUTCOMES) + tuple(getattr(simulation, "SCALAR_OUTCOMES", ()))
    try:
        from . import course
        extra = tuple(getattr(course, "OUTCOMES", ()))
    except ImportError:
        extra = ()
    return tuple(COURSE_OUTCOMES) + extra


# ====================================================================== worker side
_WORKER_DIR: Path | None = None


def _ensure_worker(kind: str) -> None:
    """Per-process setup of a worker: its own brian2 compilation cache directory.

    Runs once per process (worker processes and Dask workers alike, not the
    coordinating process): Cython code objects are compiled into a folder of
    this process only, so that workers never race on a shared cache.
    """
    global _WORKER_DIR
    if _WORKER_DIR is not None or kind == "function":
        return
    base = Path(os.environ.get("PAINSIM_WORKER_CACHE", Path(tempfile.gettempdir()) / "painsim-brian2"))
    _WORKER_DIR = base / f"worker-{os.getpid()}"
    _WORKER_DIR.mkdir(parents=True, exist_ok=True)
    atexit.register(shutil.rmtree, _WORKER_DIR, True)
    os.environ["PAINSIM_BRIAN2_CACHE"] = str(_WORKER_DIR)
    brian2 = _import_brian2()
    brian2.prefs["codegen.runtime.cython.cache_dir"] = str(_WORKER_DIR / "cython")


def _import_brian2():
    """Import brian2, also from a worker thread (Dask runs tasks in threads).

    brian2 installs a SIGINT handler when imported, which Python allows only in
    the main thread; in a worker thread the handler is skipped (the worker's
    own process management handles interrupts).
    """
    import signal
    import threading
    if "brian2" in sys.modules or threading.current_thread() is threading.main_thread():
        import brian2
        return brian2
    original = signal.signal
    signal.signal = lambda *args, **kwargs: None
    try:
        import brian2
    finally:
        signal.signal = original
    return brian2


def _run_task(spec: SweepSpec, items: Sequence[tuple[int, int, int]], worker: bool = True) -> list[dict]:
    """Compute one batch of (point, repeat, seed) items; never raises for a point's error."""
    if worker:
        _ensure_worker(spec.kind)
    t0 = time.time()
    try:
        outs = _evaluate(spec, items)
        dt = (time.time() - t0) / max(len(items), 1)
        return [_ok(it, ds, dt) for it, ds in zip(items, outs)]
    except Exception:
        if len(items) == 1:
            return [_fail(items[0], sys.exc_info()[1])]
    results = []  # a batch failed: isolate the failing point(s)
    for it in items:
        t0 = time.time()
        try:
            results.append(_ok(it, _evaluate(spec, [it])[0], time.time() - t0))
        except Exception as e:  # noqa: BLE001 - recorded with its message
            results.append(_fail(it, e))
    return results


def _ok(item, ds, dt) -> dict:
    return {"i": item[0], "r": item[1], "seed": item[2], "ok": True, "data": ds, "error": "",
            "pid": os.getpid(), "compute_s": dt}


def _fail(item, e: BaseException) -> dict:
    tb = "".join(traceback.format_exception(type(e), e, e.__traceback__)[-6:])
    return {"i": item[0], "r": item[1], "seed": item[2], "ok": False, "data": None,
            "error": f"{type(e).__name__}: {e}", "traceback": tb, "pid": os.getpid(), "compute_s": 0.0}


def _evaluate(spec: SweepSpec, items: Sequence[tuple[int, int, int]]) -> list[xr.Dataset]:
    if spec.kind == "function":
        return [_function_outcomes(spec, point, seed) for _, _, seed, point in items]
    if spec.kind == "simulate":
        from .experiment import duration_quantity
        from .simulation import Request, simulate_batch
        reqs, per_neuron = [], _swept_neuron_parameters(spec)
        for _, _, seed, point in items:
            model, stim, nox, tou = _build(spec, point)
            reqs.append(Request(model, stim, nox, tou, seed, per_neuron=per_neuron))
        results = simulate_batch(reqs, duration_quantity(spec.duration), batch_size=max(len(reqs), 1))
        return [_simulate_outcomes(spec, ds) for ds in results]
    from .cohort import per_patient
    from .course import run_course_batch  # kind == "course"
    # points of one protocol run as one course batch
    groups: dict[str, list[int]] = {}
    for k, (_, _, _, point) in enumerate(items):
        groups.setdefault(json.dumps(_protocol_overrides(point, spec), sort_keys=True), []).append(k)
    out: list = [None] * len(items)
    for members in groups.values():
        protocol = _point_protocol(spec, items[members[0]][3])
        models = [_build(spec, items[k][3])[0] for k in members]
        results = run_course_batch(models, protocol, seeds=[items[k][2] for k in members],
                                   per_neuron=_swept_neuron_parameters(spec))
        for k, ds in zip(members, per_patient(results)):
            out[k] = _pick(ds, spec.outcomes)
    return out


def _swept_neuron_parameters(spec: SweepSpec) -> frozenset:
    """Neuron parameters the sweep's axes set: stored per neuron in every point, so
    that points differing in them still share networks (the same for every batch)."""
    from .circuits.network import neuron_variables
    return neuron_variables(a.path for a in spec.axes)


def _protocol(p):
    if isinstance(p, str):
        from . import protocols
        return protocols.get(p)
    return p


def _simulate_outcomes(spec: SweepSpec, ds: xr.Dataset) -> xr.Dataset:
    out = xr.Dataset()
    for o in spec.outcomes:
        if o in ds:
            out[o] = ds[o]
        elif o.startswith("rate_"):
            r = ds["rates"].sel(population=o[5:])
            t0 = _transient(spec)
            r = r.where(r.time >= t0, drop=True) if float(r.time.max()) > t0 else r
            out[o] = ((), float(r.mean()), {"units": "Hz", "long_name": f"mean {o[5:]} rate after the transient"})
        else:
            raise UnknownKeyError(o, list(ds.data_vars), what="outcome")
    return out.drop_vars([c for c in out.coords if c not in out.dims], errors="ignore")


def _transient(spec: SweepSpec) -> float:
    t = _base_model(spec).si("readout.transient")
    return t if t < spec.duration else 0.0


def _pick(ds: xr.Dataset, outcomes: Sequence[str]) -> xr.Dataset:
    missing = [o for o in outcomes if o not in ds]
    if missing:
        raise UnknownKeyError(missing[0], list(ds.data_vars), what="outcome")
    return ds[list(outcomes)]


def _function_outcomes(spec: SweepSpec, point: Mapping, seed: int) -> xr.Dataset:
    res = spec.function(dict(point), seed)
    if isinstance(res, xr.Dataset):
        ds = res
    elif isinstance(res, Mapping):
        ds = xr.Dataset({k: (tuple(f"{k}_dim{j}" for j in range(np.ndim(v))), np.asarray(v))
                         for k, v in res.items()})
    else:
        raise ParameterError("function result", type(res).__name__, "a dict of outcomes or an xarray.Dataset")
    return _pick(ds, spec.outcomes) if spec.outcomes else ds


# ====================================================================== store
class SweepStore:
    """The on-disk state of a sweep (a directory).

    Layout::

        spec.json        the validated spec, its hash and the painsim version
        parts/           one file per finished (point, repeat), written atomically: the
                         outcomes as xarray's dict form in JSON (exact float round trip,
                         no code on load, ~0.3 ms per point)
        failed/          one JSON file per failed (point, repeat): the error message
        events.jsonl     one line per persisted point: run id, worker pid, time
        result.nc        the consolidated Dataset (or result.zarr)
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.parts = self.path / "parts"
        self.failed = self.path / "failed"
        self.events = self.path / "events.jsonl"

    @staticmethod
    def name(i: int, r: int) -> str:
        return f"p{i:07d}_r{r:04d}"

    def open(self, spec: SweepSpec, resume: bool) -> None:
        meta = self.path / "spec.json"
        if meta.exists():
            old = json.loads(meta.read_text())
            if not resume:
                raise SpecError("store", str(self.path),
                                "a new folder, or resume=True (--resume) to continue the sweep stored there")
            if old.get("key") != spec.key():
                raise SpecError("store", str(self.path),
                                "the same spec as the stored sweep to resume it (the spec or seed changed); "
                                "use a new store")
        elif self.path.exists() and any(self.path.iterdir()):
            raise SpecError("store", str(self.path), "an empty or new folder (this one holds other files)")
        self.parts.mkdir(parents=True, exist_ok=True)
        self.failed.mkdir(parents=True, exist_ok=True)
        if not meta.exists():
            with atomic_path(meta) as tmp:
                tmp.write_text(json.dumps({"key": spec.key(), "painsim_version": _version(),
                                           "spec": spec.to_dict()}, indent=1, default=str))
        for stale in self.path.glob("**/.*.tmp"):  # temporaries of a killed writer
            stale.unlink(missing_ok=True)

    def done(self) -> set[tuple[int, int]]:
        out = set()
        for p in self.parts.glob("p*_r*.json"):
            i, r = p.stem[1:].split("_r")
            out.add((int(i), int(r)))
        return out

    def read_part(self, i: int, r: int) -> xr.Dataset:
        """The stored result of one (point, repeat)."""
        return xr.Dataset.from_dict(json.loads((self.parts / f"{self.name(i, r)}.json").read_text()))

    def failures(self) -> dict[tuple[int, int], dict]:
        out = {}
        for p in self.failed.glob("p*_r*.json"):
            i, r = p.stem[1:].split("_r")
            try:
                out[(int(i), int(r))] = json.loads(p.read_text())
            except (OSError, ValueError):
                continue
        return out

    def write(self, res: dict, run_id: str) -> None:
        """Persist one point (atomically) and log it; only then is it done."""
        stem = self.name(res["i"], res["r"])
        now = time.time()
        info = {"event": "done" if res["ok"] else "failed", "point": res["i"], "repeat": res["r"],
                "seed": res["seed"], "run": run_id, "pid": res["pid"], "time": now,
                "compute_s": res["compute_s"]}
        if res["ok"]:
            ds = res["data"].copy()
            ds.attrs = {**ds.attrs, "point": res["i"], "repeat": res["r"], "seed": res["seed"],
                        "run": run_id, "pid": res["pid"], "computed_at": now, "compute_s": res["compute_s"]}
            with atomic_path(self.parts / f"{stem}.json") as tmp:
                tmp.write_text(json.dumps(ds.to_dict(data="list"), default=_jsonable))
            (self.failed / f"{stem}.json").unlink(missing_ok=True)
        else:
            info["error"] = res["error"]
            with atomic_path(self.failed / f"{stem}.json") as tmp:
                tmp.write_text(json.dumps({**info, "traceback": res.get("traceback", "")}))
        with open(self.events, "a") as f:
            f.write(json.dumps(info) + "\n")
            f.flush()

    def read_events(self) -> list[dict]:
        """Every logged event (a line cut short by a kill is skipped)."""
        out = []
        if self.events.exists():
            for line in self.events.read_text().splitlines():
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
        return out


def _version() -> str:
    from . import __version__
    return __version__


# ====================================================================== execution
def _batches(spec: SweepSpec, todo: list[tuple[int, int, int]], batch_size: int, workers: int) -> list[list]:
    """Group pending items by network structure and cut them into batches."""
    groups: dict = {}
    if spec.kind == "function":
        groups[None] = todo
    else:
        from .circuits.network import structure_key
        keys = {}
        for it in todo:
            i = it[0]
            if i not in keys:
                model = _build(spec, it[3])[0]
                keys[i] = (repr(structure_key(model)), model.si("network.dt"))
            groups.setdefault(keys[i], []).append(it)
    out = []
    for members in groups.values():
        size = batch_size
        if workers > 1:  # enough batches to keep every worker busy
            size = max(1, min(batch_size, math.ceil(len(members) / workers)))
        out += [members[s:s + size] for s in range(0, len(members), size)]
    return out


def _run_serial(spec, batches, on_result):
    for b in batches:
        on_result(_run_task(spec, b, worker=False))


def _kill_pool(pool) -> None:
    """Stop the worker processes of a pool this sweep started (by their pids)."""
    procs = list(getattr(pool, "_processes", {}) .values()) if pool is not None else []
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.kill()
        except Exception:  # noqa: BLE001 - already gone
            pass


def _run_processes(spec, batches, workers, on_result):
    """Local worker processes ('spawn'); survives a worker dying (its points are retried alone)."""
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("spawn")
    queue = deque(batches)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    inflight: dict = {}
    try:
        while queue or inflight:
            while queue and len(inflight) < workers + 1:
                b = queue.popleft()
                inflight[pool.submit(_run_task, spec, b)] = b
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            broken = []
            for f in done:
                b = inflight.pop(f)
                try:
                    on_result(f.result())
                except BrokenProcessPool:
                    broken.append(b)
                except Exception as e:  # noqa: BLE001 - e.g. a result that cannot be pickled
                    on_result([_fail(it, e) for it in b])
            if broken:
                # A worker died (killed, out of memory, a crash in compiled code).  Every batch in
                # flight is suspect: run its points one at a time in a one-worker pool to find the
                # culprit, record it as failed, and go on with a fresh pool.
                suspects = broken + list(inflight.values())
                inflight.clear()
                _kill_pool(pool)
                _run_isolated(spec, [it for b in suspects for it in b], ctx, on_result)
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    except BaseException:
        _kill_pool(pool)
        raise
    pool.shutdown(wait=True)


def _run_isolated(spec, items, ctx, on_result):
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
    try:
        for it in items:
            try:
                on_result(pool.submit(_run_task, spec, [it]).result())
            except BrokenProcessPool:
                on_result([_fail(it, RuntimeError("the worker process died while computing this point "
                                                  "(killed, out of memory or crashed)"))])
                _kill_pool(pool)
                pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
    except BaseException:
        _kill_pool(pool)
        raise
    pool.shutdown(wait=True)


def _run_dask(spec, batches, workers, scheduler, on_result):
    """Batches as Dask tasks, on a cluster at ``scheduler`` or on a LocalCluster."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ParameterError("scheduler", scheduler, "dask.distributed installed "
                             "(pip install 'painsim[cluster]') to use a Dask scheduler") from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = {client.submit(_run_task, spec, b, pure=False): b for b in batches}
        ac = as_completed(list(futures))
        for f in ac:
            b = futures.pop(f)
            try:
                on_result(f.result())
            except Exception as e:  # noqa: BLE001 - KilledWorker and friends
                if len(b) > 1:  # retry its points one by one
                    for it in b:
                        g = client.submit(_run_task, spec, [it], pure=False)
                        futures[g] = [it]
                        ac.add(g)
                else:
                    on_result([_fail(b[0], RuntimeError(f"the Dask worker failed on this point: "
                                                        f"{type(e).__name__}: {e}"))])
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ====================================================================== results
def _consolidate(spec: SweepSpec, store: SweepStore) -> xr.Dataset:
    pts = spec.points()
    P, R = len(pts), spec.n_repeats
    parts: dict = {}
    for i, r in sorted(store.done()):
        if i < P and r < R:
            parts[(i, r)] = store.read_part(i, r)
    fails = store.failures()
    status = np.full((P, R), "pending", dtype=object)
    error = np.full((P, R), "", dtype=object)
    for (i, r), f in fails.items():
        if i < P and r < R:
            status[i, r], error[i, r] = "failed", f.get("error", "")
    for (i, r) in parts:
        status[i, r], error[i, r] = "done", ""
    seeds = np.array([[spec.seed_for(i, r) for r in range(R)] for i in range(P)], dtype=np.int64)
    data_vars: dict = {}
    template = next(iter(parts.values()), None)
    outcomes = list(template.data_vars) if template is not None else list(spec.outcomes)
    for o in outcomes:
        if template is not None and o in template:
            v = template[o]
            shape = (P, R) + v.shape
            dtype = np.float64 if v.dtype.kind in "biuf" else object
            arr = np.full(shape, np.nan if dtype is np.float64 else "", dtype=dtype)
            for (i, r), ds in parts.items():
                if o in ds and ds[o].shape == v.shape:
                    arr[i, r] = ds[o].values
            attrs = dict(v.attrs)
            data_vars[o] = (("point", "repeat") + v.dims, arr, attrs)
        else:
            data_vars[o] = (("point", "repeat"), np.full((P, R), np.nan))
    coords: dict = {"point": np.arange(P), "repeat": np.arange(R)}
    if template is not None:
        for c in template.coords:
            if c in template.dims:
                coords[c] = template[c]
    for a in spec.axes:
        vals = [p[a.path] for p in pts]
        arr = np.array(vals, dtype=object if a.categorical else float)
        if a.categorical and all(isinstance(v, bool) for v in vals):
            arr = np.array(vals, dtype=bool)
        elif a.categorical:
            arr = np.array([str(v) for v in vals], dtype=object)
        attrs = {"units": unit_name(a.dim) if a.dim not in (None, DIMENSIONLESS) else "1",
                 "display_unit": a.unit, "scale": a.scale, "long_name": a.path}
        coords[a.path] = ("point", arr, attrs)
    ds = xr.Dataset(data_vars, coords=coords)
    ds["seed"] = (("point", "repeat"), seeds, {"long_name": "seed of each run"})
    ds["status"] = (("point", "repeat"), status.astype(str), {"flag_meanings": "done failed pending"})
    ds["error"] = (("point", "repeat"), error.astype(str), {"long_name": "error message of a failed run"})
    if spec.design == "grid" and spec.axes:
        names = [a.path for a in spec.axes]
        if len(names) == 1:
            ds = ds.swap_dims(point=names[0]).drop_vars("point")
        else:
            ds = ds.set_index(point=names).unstack("point")
        ds = ds.transpose(*names, "repeat", ...)
        for a in spec.axes:
            ds[a.path].attrs.update(coords[a.path][2])
    ds.attrs.update({
        "painsim_version": _version(), "sweep": spec.name, "description": spec.description,
        "kind": spec.kind, "design": spec.design, "model": spec.model, "spec": json.dumps(spec.to_dict(),
                                                                                         default=str),
        "spec_key": spec.key(), "seed": spec.seed, "seeds": json.dumps(spec.seeds),
        "paired_seeds": int(spec.paired_seeds), "outcomes": json.dumps(list(spec.outcomes)),
        "n_done": int((status == "done").sum()), "n_failed": int((status == "failed").sum()),
        "n_pending": int((status == "pending").sum()), "store": str(store.path)})
    return ds


def _write_result(ds: xr.Dataset, store: SweepStore, fmt: str) -> Path:
    if fmt == "zarr":
        target = store.path / "result.zarr"
        tmp = store.path / f".result.zarr.{uuid.uuid4().hex[:8]}.tmp"
        ds.to_zarr(tmp, mode="w")
        old = store.path / f".result.zarr.old.{uuid.uuid4().hex[:8]}"
        if target.exists():
            target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return target
    target = store.path / "result.nc"
    with atomic_path(target) as tmp:
        ds.to_netcdf(tmp, engine="netcdf4")
    return target


def load_sweep(store: str | os.PathLike) -> xr.Dataset:
    """Read a sweep store (also one interrupted mid-way) as a Dataset.

    Parameters
    ----------
    store : path
        The directory given to :func:`run_sweep`.

    Returns
    -------
    xarray.Dataset
        Consolidated from the per-point files, so it includes every point
        finished so far (``status`` tells done / failed / pending).
    """
    st = SweepStore(store)
    meta = st.path / "spec.json"
    if not meta.exists():
        raise ParameterError("store", str(store), "a folder written by run_sweep (it has no spec.json)")
    saved = json.loads(meta.read_text())
    spec = _spec_from_saved(saved["spec"])
    return _consolidate(spec, st)


def _spec_from_saved(d: dict) -> SweepSpec:
    """Rebuild a SweepSpec from its to_dict() form (kind 'function' loses its callable)."""
    axes = []
    for a in d["axes"]:
        dim = tuple(a["dim"]) if a.get("dim") is not None else None
        vals = tuple(a["values"]) if a.get("values") is not None else None
        axes.append(Axis(a["path"], vals, a.get("min", float("nan")), a.get("max", float("nan")),
                         a.get("n", 0), a.get("scale", "linear"), a.get("unit", ""), dim,
                         a.get("integer", False)))
    return SweepSpec(name=d["name"], kind=d["kind"], model=d["model"], axes=axes, design=d["design"],
                     n=d["n"], levels=d.get("levels", 4), duration=d["duration_s"], noxious=d["noxious"],
                     touch=d["touch"], seed=d["seed"], seeds=d["seeds"], paired_seeds=d["paired_seeds"],
                     outcomes=d["outcomes"], params=d["params"], stimulus=d["stimulus"],
                     protocol=d["protocol"], figure=d.get("figure") or {}, description=d.get("description", ""))


def run_sweep(spec: str | os.PathLike | Mapping[str, Any] | SweepSpec, store: str | os.PathLike | None = None,
              workers: int | None = None, scheduler: str | None = None, resume: bool = False,
              batch_size: int | None = None, seed: int | None = None, progress: bool = True,
              format: str = "netcdf") -> xr.Dataset:
    """Run a parameter sweep, persisting each point, and return its results.

    Parameters
    ----------
    spec : path, dict or SweepSpec
        A TOML file (see the module docstring), a dict with the same keys, or
        a :class:`SweepSpec`.  Validated completely before anything runs.
    store : path, optional
        Folder of the sweep's results (created).  Each finished point is
        written there atomically before it counts as done.  Default: a
        temporary folder, removed at the end (nothing persists).
    workers : int, optional
        0: run in this process.  N >= 1: N local worker processes (default:
        the number of CPUs).  With ``scheduler="local"``: the number of Dask
        workers (default 2).
    scheduler : str, optional
        A Dask scheduler address (``"tcp://host:8786"``) or ``"local"`` for a
        ``LocalCluster`` of ``workers`` processes.
    resume : bool
        Continue the sweep stored in ``store``: points already there are not
        recomputed; failed ones are tried again.  The spec must be the same.
    batch_size : int, optional
        Points per brian2 network (default: the spec's, else 8).  Results do
        not depend on it.
    seed : int, optional
        Overrides the spec's seed.
    progress : bool
        Show a progress bar (points done, failed, ETA) on stderr.
    format : {"netcdf", "zarr"}
        Format of the consolidated ``result`` in the store (Zarr needs the
        ``cluster`` extra).

    Returns
    -------
    xarray.Dataset
        One variable per outcome over the sweep dimensions (for a grid: one
        dimension per swept parameter, named by its path, values in SI units
        with ``units`` and ``display_unit`` attrs; otherwise ``point`` with
        the parameters as coordinates) and ``repeat``; ``seed``, ``status``
        (done / failed / pending) and ``error`` per run; the spec, its hash,
        the seeds and the painsim version in attrs.

    Raises
    ------
    UnknownKeyError, UnitError, ParameterError, SpecError
        A bad spec, before any work starts; a store holding another sweep.
    KeyboardInterrupt
        Passed on after stopping the workers; every point persisted so far
        stays in the store (``resume=True`` continues).
    """
    if format not in ("netcdf", "zarr"):
        raise UnknownKeyError(str(format), ("netcdf", "zarr"), what="store format")
    if format == "zarr":
        try:
            import zarr  # noqa: F401
        except ImportError:
            raise ParameterError("format", format, "netcdf, or install zarr (pip install 'painsim[cluster]')") from None
    if isinstance(spec, (str, os.PathLike)):
        spec = load_spec(spec, seed=seed)
        if batch_size is not None:
            spec = make_spec(spec, batch_size=batch_size)
    else:
        spec = make_spec(spec, seed=seed, batch_size=batch_size)
    if workers is not None:
        workers = _whole(workers, "workers", 0)
    if scheduler is not None and not isinstance(scheduler, str):
        raise ParameterError("scheduler", scheduler, "a Dask scheduler address ('tcp://host:8786') or 'local'")
    if scheduler is not None and workers == 0:
        raise ParameterError("workers", 0, "at least 1 Dask worker with a scheduler")
    tmpdir = None
    if store is None:
        tmpdir = tempfile.mkdtemp(prefix="painsim-sweep-")
        store = Path(tmpdir) / "store"
    st = SweepStore(store)
    st.open(spec, resume)
    try:
        return _execute(spec, st, workers, scheduler, progress, format)
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _execute(spec: SweepSpec, st: SweepStore, workers, scheduler, progress, fmt) -> xr.Dataset:
    P, R = len(spec.points()), spec.n_repeats
    done = st.done()
    pts = spec.points()
    todo = [(i, r, spec.seed_for(i, r), pts[i]) for i in range(P) for r in range(R) if (i, r) not in done]
    if scheduler is None:
        n_workers = (os.cpu_count() or 1) if workers is None else workers
    else:
        n_workers = 2 if workers is None else workers
    batches = _batches(spec, todo, spec.batch_size, max(n_workers, 1))
    run_id = uuid.uuid4().hex[:12]
    counts = {"done": 0, "failed": 0}
    bar = None
    if progress and todo:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(todo), desc=f"sweep {spec.name}", unit="pt", file=sys.stderr,
                   dynamic_ncols=True)
        if done:
            bar.set_description(f"sweep {spec.name} ({len(done)} already done)")

    def on_result(results: list[dict]):
        for res in results:
            st.write(res, run_id)  # persisted before it counts
            counts["done" if res["ok"] else "failed"] += 1
        if bar is not None:
            bar.update(len(results))
            bar.set_postfix(done=counts["done"], failed=counts["failed"], refresh=False)

    try:
        if not batches:
            pass
        elif scheduler is not None:
            _run_dask(spec, batches, n_workers, scheduler, on_result)
        elif n_workers == 0 or len(batches) == 1:
            _run_serial(spec, batches, on_result)
        else:
            _run_processes(spec, batches, n_workers, on_result)
    finally:
        if bar is not None:
            bar.close()
    ds = _consolidate(spec, st)
    _write_result(ds, st, fmt)
    return ds


# ====================================================================== sensitivity
def sensitivity(data: xr.Dataset, outcome: str, method: str | None = None, repeat: str = "mean",
                seed: int = 0):
    """Which swept parameters drive an outcome (SALib).

    Parameters
    ----------
    data : xarray.Dataset
        The result of :func:`run_sweep`.
    outcome : str
        A scalar outcome of the sweep (``"pain"``).
    method : {"sobol", "morris", "delta", "rbd_fast"}, optional
        ``sobol`` needs a sweep with ``design = "saltelli"``, ``morris`` one
        with ``design = "morris"``; ``delta`` (Borgonovo's moment-independent
        measure, with first-order Sobol estimates; slow: minutes for a few
        hundred points) and ``rbd_fast`` work on any design ("given data").
        Default: the one that fits the design, ``rbd_fast`` for others.
    repeat : {"mean", "all"}
        Average the outcome over repeated seeds (default) or, for given-data
        methods, use every run as a sample.
    seed : int
        Seed of SALib's bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: the indices and their confidence intervals
        (Sobol: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; Morris: ``mu_star``,
        ``mu_star_conf``, ``sigma``; delta: ``delta``, ``delta_conf``, ``S1``,
        ``S1_conf``; RBD-FAST: ``S1``, ``S1_conf``).
    """
    spec = _spec_from_saved(json.loads(data.attrs["spec"]))
    design = spec.design
    method = method or {"saltelli": "sobol", "morris": "morris"}.get(design, "rbd_fast")
    if method not in ("sobol", "morris", "delta", "rbd_fast"):
        raise UnknownKeyError(str(method), ("sobol", "morris", "delta", "rbd_fast"), what="sensitivity method")
    if method in ("sobol", "morris") and design != {"sobol": "saltelli", "morris": "morris"}[method]:
        raise SpecError("design", design, f"design = {'saltelli' if method == 'sobol' else 'morris'!r} "
                                          f"for {method} indices (or method='delta' for any design)")
    if outcome not in data:
        raise UnknownKeyError(outcome, [v for v in data.data_vars if v not in ("seed", "status", "error")],
                              what="outcome")
    if any(a.categorical for a in spec.axes):
        raise SpecError("parameters", [a.path for a in spec.axes if a.categorical],
                        "numeric parameters for a sensitivity analysis")
    y = data[outcome]
    if "point" not in y.dims:  # a grid: flatten back to points
        y = y.stack(point=[a.path for a in spec.axes])
        X = np.column_stack([_unit_of(a, np.asarray(y[a.path].values, float)) for a in spec.axes])
    else:  # a sampled design: its points in the unit cube, exactly as drawn
        X = _unit_samples(spec)
    Yr = np.asarray(y.transpose("point", "repeat", ...).values, float)
    if Yr.ndim != 2:
        raise SpecError("outcome", outcome, "a scalar outcome per run")
    problem = _problem(spec)
    if method in ("sobol", "morris") or repeat == "mean":
        Y = np.nanmean(Yr, axis=1)
    else:
        X, Y = np.repeat(X, Yr.shape[1], axis=0), Yr.ravel()
    if np.isnan(Y).any():
        if method in ("sobol", "morris"):
            raise SpecError(outcome, int(np.isnan(Y).sum()), "no failed or pending points for Sobol/Morris indices")
        keep = ~np.isnan(Y)
        X, Y = X[keep], Y[keep]
    return salib_indices(method, problem, X, Y, seed, levels=spec.levels, index_name="parameter")


def salib_indices(method: str, problem: Mapping, X, Y, seed, levels=None, index_name="parameter"):
    """Sensitivity indices of one SALib method as a table (one row per input).

    ``method``: "sobol" (Saltelli samples), "morris" (trajectories, ``levels``),
    "delta" or "rbd_fast" (any samples).  Shared by sweeps and cohorts.
    """
    import pandas as pd
    from SALib.analyze import delta as sa_delta, morris as sa_morris, rbd_fast as sa_rbd, sobol as sa_sobol
    if method == "sobol":
        r = sa_sobol.analyze(problem, Y, calc_second_order=False, seed=seed)
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    elif method == "morris":
        r = sa_morris.analyze(problem, X, Y, num_levels=levels, seed=seed)
        cols = ["mu", "mu_star", "mu_star_conf", "sigma"]
    elif method == "delta":
        r = _delta_result(sa_delta.analyze(problem, X, Y, seed=seed))
        cols = ["delta", "delta_conf", "S1", "S1_conf"]
    else:
        r = sa_rbd.analyze(problem, X, Y, seed=seed)
        cols = ["S1", "S1_conf"]
    return pd.DataFrame({c: np.asarray(r[c], float) for c in cols},
                        index=pd.Index(problem["names"], name=index_name))


def _delta_result(r) -> dict:
    """SALib's delta result with a ``delta`` key (SALib >= 1.5 names it ``delta_raw``)."""
    r = dict(r)
    if "delta" not in r and "delta_raw" in r:
        r["delta"], r["delta_conf"] = r["delta_raw"], r["delta_raw_conf"]
    return r


def _unit_of(a: Axis, v: np.ndarray) -> np.ndarray:
    """Axis values back to the unit cube (the inverse of Axis.from_unit)."""
    if a.values is not None:
        lo, hi = float(np.min(a.values)), float(np.max(a.values))
        return (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
    if a.scale == "log":
        return np.log(v / a.low) / np.log(a.high / a.low)
    return (v - a.low) / (a.high - a.low) if a.high > a.low else np.zeros_like(v)
