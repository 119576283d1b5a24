"""Sweep specifications: swept axes, the validated spec, and reading one from a dict or a TOML
file (the format: the package docstring and ``docs/sweeps_and_cohorts.md``)."""
from __future__ import annotations

import copy
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from ..checks import file_name, flag, known_keys, simulated_duration, whole
from ..errors import ModelFileError, SpecError, UnknownKeyError
from ..params import beside_experiment, find_builtin, load_model, model_overrides, read_toml
from ..parallel import jsonable
from ..rng import checked_seed
from ..version import function_digest
from .axes import Axis, axes_of
from .designs import DESIGNS, design_points
from .points import check_kind_keys, validate_points

__all__ = ["Axis", "SweepSpec", "KINDS", "load_spec", "make_spec", "spec_from_saved"]

KINDS = ("simulate", "course", "function")

_SWEEP_KEYS = {"name", "description", "kind", "model", "duration", "noxious", "touch", "seed", "seeds",
               "paired_seeds", "design", "n", "levels", "outcomes", "batch_size", "figure", "protocol",
               "function", "params", "stimulus", "parameters", "workers"}
_FIGURE_KEYS = {"outcomes", "x", "y"}
#: Keys of :meth:`SweepSpec.to_dict` that only present the results: no point's run (its model,
#: stimulus, seed) depends on them, so they are not part of :meth:`SweepSpec.key` and a sweep
#: resumed with another name, description or figure continues its store (the new ones go into
#: the result; the name also gives the default output folder, and so usually a new store).
PRESENTATION = ("name", "description", "figure")


def _whole(x, name, lo) -> int:
    return whole(x, name, lo, allow_float=True)


@dataclass
class SweepSpec:
    """A validated sweep specification (see the package docstring).

    Make one with :func:`load_spec` (TOML file) or :func:`make_spec` (dict);
    both check every key, path, unit and range and build every point's model
    and stimulus, so that a bad spec fails before any work starts.  ``workers``
    and ``batch_size`` are execution options: results do not depend on them
    and they are not part of :meth:`key`; nor are ``name``, ``description`` and
    ``figure`` (:data:`PRESENTATION`).

    Parameters
    ----------
    name, kind, model : str
        A file name; one of :data:`KINDS`; the model's name or path.
    axes : list of Axis
    design : str
        One of :data:`painsim.sweep.designs.DESIGNS`.
    n, levels : int
        Samples of a sampled design (saltelli: a power of 2, run as n * (axes + 2) points; morris:
        n * (axes + 1)); Morris grid levels.
    duration : float
        Simulated time of every point, in s.
    noxious, touch : float or stimulus
        Natural stimuli of every point.
    seed, seeds
        The spec seed (int); repeats per point (int) or explicit seeds (list of int); :meth:`seed_for`.
    paired_seeds : bool
    outcomes : list of str
    batch_size, workers : int
        Points per brian2 network; worker processes (0: this process; None: the default).
    params : dict
        Fixed model overrides of every point.
    stimulus : dict, list of dict or None
    protocol : optional
        The protocol of a course sweep.
    function : callable, optional
        ``function(params, seed) -> dict`` of a ``kind = "function"`` sweep.
    figure : dict
    description, source : str
        Free text; the file read (:func:`load_spec`).
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
    workers: int | None = None
    params: dict = field(default_factory=dict)
    stimulus: dict | list[dict] | None = None
    protocol: Any = None
    function: Callable | None = None
    figure: dict = field(default_factory=dict)
    description: str = ""
    source: str = ""
    _points: list | None = field(default=None, repr=False)

    def __post_init__(self):
        self._points = None  # a copy by dataclasses.replace draws its own design, not the original's

    @property
    def n_repeats(self) -> int:
        """Runs per point (repeated seeds)."""
        return len(self.seeds) if isinstance(self.seeds, list) else int(self.seeds)

    def points(self) -> list[dict]:
        """Every point of the design: {axis path: value} (values in SI or words)."""
        if self._points is None:
            self._points = design_points(self)
        return self._points

    def seed_for(self, point: int, repeat: int) -> int:
        """The seed of one run: derived from the spec seed, the point and the repeat.

        An explicit list of seeds (``seeds = [11, 12]``) or ``paired_seeds``
        gives every point the same seed for a given repeat (common random
        numbers); otherwise each (point, repeat) gets its own.

        Parameters
        ----------
        point, repeat : int
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
                "noxious": jsonable(self.noxious), "touch": jsonable(self.touch), "seed": self.seed,
                "seeds": self.seeds, "paired_seeds": self.paired_seeds, "outcomes": list(self.outcomes),
                "params": jsonable(self.params), "stimulus": jsonable(self.stimulus),
                "protocol": jsonable(self.protocol),
                "function": _qualname(self.function) if self.function is not None else None,
                "axes": [a.describe() for a in self.axes], "figure": jsonable(self.figure)}

    def key(self) -> str:
        """Hash of everything that determines the results (not the execution options, nor the
        presentation: :data:`PRESENTATION`), with the
        model variant in force if any (:func:`painsim.params.overriding`): a store of one variant
        is never resumed under another.  The model enters by its content as loaded now (a model
        file edited between two runs changes the key), a function by its code."""
        content = {k: v for k, v in self.to_dict().items() if k not in PRESENTATION}
        variant = model_overrides()
        if variant:
            content = {**content, "model_overrides": variant}
        if self.kind == "function":
            content["function_code"] = function_digest(self.function)
        else:
            content["model_key"] = load_model(self.model).key()
        return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:24]


def _qualname(f) -> str:
    return f"{getattr(f, '__module__', '?')}:{getattr(f, '__qualname__', repr(f))}"


def spec_from_saved(d: dict) -> SweepSpec:
    """Rebuild a SweepSpec from its ``to_dict()`` form (kind 'function' loses its callable).

    Parameters
    ----------
    d : dict
    """
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


# ====================================================================== reading a spec
def load_spec(path: str | os.PathLike, seed: int | None = None) -> SweepSpec:
    """Read and validate a sweep spec from a TOML file.

    Parameters
    ----------
    path : str or Path
        A TOML file with a ``[sweep]`` table (see the package docstring), or the name of a built-in
        experiment; a relative model path in it names a file beside it (as in every experiment file).
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
    raw = read_toml(p := find_builtin(path, "experiments"))
    if "sweep" not in raw or not isinstance(raw["sweep"], Mapping):
        raise ModelFileError(f"{p}: missing [sweep] table")
    if "function" in raw["sweep"]:
        raise SpecError("sweep.function", raw["sweep"]["function"],
                        "no 'function' in a spec file (files hold numbers, never code); "
                        "pass a Python callable to make_spec/run_sweep instead")
    if "model" in raw["sweep"]:  # a model file beside the sweep file, wherever Python runs
        raw["sweep"]["model"] = beside_experiment(raw["sweep"]["model"], p)
    spec = make_spec(raw, seed=seed)
    spec.source = str(p)
    return spec


def make_spec(spec: Mapping[str, Any] | SweepSpec, seed: int | None = None,
              batch_size: int | None = None) -> SweepSpec:
    """Validate a sweep spec given as a dict and build every point.

    Parameters
    ----------
    spec : dict or SweepSpec
        Either ``{"sweep": {...}, "params": {...}, "stimulus": {...}, "parameters": {...}}`` as in
        a TOML file, or the same keys flat in one dict.  ``kind = "function"`` sweeps a Python
        callable ``function(params: dict, seed: int) -> dict`` (SI values in, scalar or array
        outcomes out).
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
        Empty or reversed ranges, bad counts, a value out of range, a key another kind or design reads
        (:func:`~painsim.sweep.points.check_kind_keys`), an outcome named like a swept parameter or a
        variable of the sweep's own (``seed``, ``status``, ``error``, ``point``, ``repeat``).
    """
    if isinstance(spec, SweepSpec):
        return _respec(spec, seed, batch_size)
    if not isinstance(spec, Mapping):
        raise SpecError("spec", type(spec).__name__, "a dict, a SweepSpec or the path of a TOML file")
    sw = _sweep_table(spec)
    file_name(sw.get("name", "sweep"), "sweep.name", SpecError)  # a plain file name
    kind, design, function = _kind_design_function(sw)
    check_kind_keys(sw, kind, design)
    duration = simulated_duration(sw.get("duration", "1 s"), "sweep.duration", SpecError)
    seeds = _seeds(sw.get("seeds", 1))
    axes = axes_of(sw.get("parameters", {}), kind)
    n = sw.get("n")
    if not (isinstance(sw.get("outcomes", []), list) and all(isinstance(o, str) for o in sw.get("outcomes", []))
            and all(isinstance(sw.get(k) or {}, Mapping) for k in ("params", "figure"))):
        raise SpecError("sweep", {k: sw.get(k) for k in ("outcomes", "params", "figure") if k in sw},
                        "outcomes = a list of names; params and figure = tables")
    out = SweepSpec(
        name=str(sw.get("name", "sweep")), kind=kind, model=str(sw.get("model", "gate_control")),
        axes=axes, design=design, n=_whole(0 if n is None else n, "sweep.n", 0), levels=_whole(sw.get("levels", 4), "levels", 2),
        duration=float(duration), noxious=sw.get("noxious", 0.0), touch=sw.get("touch", 0.0),
        seed=checked_seed(sw.get("seed", 0) if seed is None else seed), seeds=seeds,
        paired_seeds=flag(sw.get("paired_seeds", False), "sweep.paired_seeds", SpecError), outcomes=list(sw.get("outcomes", [])),
        batch_size=_whole(sw.get("batch_size", 8) if batch_size is None else batch_size, "batch_size", 1),
        params=dict(sw.get("params", {})), stimulus=_stimulus(sw.get("stimulus")),
        protocol=sw.get("protocol"), function=function, figure=dict(sw.get("figure", {}) or {}),
        description=str(sw.get("description", "")),
        workers=None if sw.get("workers") is None else _whole(sw["workers"], "workers", 0))
    _check_design(out, n)
    validate_points(out)
    _check_figure(out)
    return out


def _respec(spec: SweepSpec, seed, batch_size) -> SweepSpec:
    """A validated copy of a SweepSpec with a new seed or batch size."""
    out = copy.copy(spec)
    out.axes, out.outcomes, out._points = list(spec.axes), list(spec.outcomes), None
    file_name(out.name, "sweep.name", SpecError)
    if seed is not None:
        out.seed = checked_seed(seed)
    if batch_size is not None:
        out.batch_size = _whole(batch_size, "batch_size", 1)
    validate_points(out)
    _check_figure(out)
    return out


def _sweep_table(spec: Mapping) -> dict:
    """The ``[sweep]`` keys and the other tables of a spec in one dict (keys checked)."""
    raw = dict(spec)
    sw = dict(raw.pop("sweep", {}))
    for k in list(raw):  # params, stimulus, parameters ... beside [sweep]
        sw.setdefault(k, raw.pop(k))
    known_keys(sw, _SWEEP_KEYS, "sweep key")
    return sw


def _kind_design_function(sw: Mapping) -> tuple[str, str, Callable | None]:
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
    return kind, design, function


def _seeds(seeds) -> list[int] | int:
    if isinstance(seeds, (list, tuple)):
        if not seeds:
            raise SpecError("seeds", seeds, "a count >= 1 or a non-empty list of seeds")
        out = [checked_seed(s, "seeds") for s in seeds]
        if len(set(out)) != len(out):  # a repeated seed repeats a run: the spread would read smaller
            raise SpecError("seeds", list(seeds), "distinct seeds")
        return out
    return _whole(seeds, "seeds", 1)


def _stimulus(given) -> dict | list[dict] | None:
    """The spec's devices: None, one ``[stimulus]`` table, or a non-empty array of ``[[stimulus]]``
    tables (devices at the same time; an array of one stays an array)."""
    if not given:
        if isinstance(given, list):
            raise SpecError("stimulus", given, "a [stimulus] table or a non-empty array of [[stimulus]] tables")
        return None
    if isinstance(given, Mapping):
        return dict(given)
    if isinstance(given, list):
        for k, t in enumerate(given):
            if not isinstance(t, Mapping):
                raise SpecError(f"stimulus[{k}]", t, "a stimulus table (painsim.stimulation.from_spec)")
        return [dict(t) for t in given]
    raise SpecError("stimulus", given, "a [stimulus] table or an array of [[stimulus]] tables")


def _check_design(out: SweepSpec, n) -> None:
    if out.design != "grid" and out.n < 1:
        raise SpecError("sweep.n", n, f"a number of samples >= 1 for design {out.design!r}",
                        hint="missing from [sweep]" if n is None else None)
    if out.design == "saltelli" and out.n & (out.n - 1):  # Sobol' points keep their balance in powers of 2
        raise SpecError("sweep.n", n, "a power of 2 for design 'saltelli' (it runs n * (parameters + 2) points)")
    if not out.axes and out.design != "grid":
        raise SpecError("parameters", {}, f"at least one swept parameter for design {out.design!r}")
    if out.design != "grid" and any(a.values is not None and not a.values for a in out.axes):
        raise SpecError("parameters", [a.path for a in out.axes], "non-empty values")


def _check_figure(spec: SweepSpec) -> None:
    """The ``figure`` table names outcomes the sweep records and its swept parameters: checked
    here, not when the figures are drawn after the last point has run."""
    fig = spec.figure
    known_keys(fig, _FIGURE_KEYS, "figure key")
    outcomes = fig.get("outcomes", [])
    if not isinstance(outcomes, list) or not all(isinstance(o, str) for o in outcomes):
        raise SpecError("figure.outcomes", outcomes, "a list of outcome names")
    if spec.outcomes:  # a function sweep that declares none records whatever its function returns
        for o in outcomes:
            if o not in spec.outcomes:
                raise UnknownKeyError(o, spec.outcomes, what="figure.outcomes entry (an outcome of the sweep)")
    paths = [a.path for a in spec.axes]
    for k in ("x", "y"):
        v = fig.get(k)
        if v is not None and not paths:
            raise SpecError(f"figure.{k}", v, "no figure.x or figure.y: this sweep has no swept parameters")
        if v is not None and v not in paths:
            raise UnknownKeyError(str(v), paths, what=f"figure.{k} (a swept parameter)")
    if fig.get("y") is not None and fig["y"] == (fig.get("x") or paths[0]):
        raise SpecError("figure.y", fig["y"], f"a swept parameter other than figure.x ({fig.get('x') or paths[0]!r}"
                        f"{'' if fig.get('x') else ', the first one'})")


# ====================================================================== axes
