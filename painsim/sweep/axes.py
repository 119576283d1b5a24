"""Swept axes of a sweep: the :class:`Axis` and reading the ``[parameters]`` table into axes
(values with units, ranges, temperatures in degrees Celsius), for :mod:`painsim.sweep.spec`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..checks import known_keys, whole
from ..errors import ParameterError, SpecError, UnitError, UnknownKeyError
from ..units import DIMENSIONLESS, UNITS, brian_dim, format_si, parse, to_celsius, unit_name
from .points import PHYSICAL

__all__ = ["Axis", "axes_of"]

_AXIS_KEYS = {"values", "min", "max", "n", "scale"}


def _whole(x, name, lo) -> int:
    return whole(x, name, lo, allow_float=True)


@dataclass(frozen=True)
class Axis:
    """One swept parameter.

    Parameters
    ----------
    path : str
        Dotted path: a model parameter, ``stimulus.<argument>``, ``noxious``
        or ``touch``, a physical stimulus (``heat``, ``cold``, ``pinprick``, ``brush``;
        :data:`painsim.sweep.points.PHYSICAL`), ``protocol.stimulus.<argument>`` or
        ``protocol.<field>`` (courses; :data:`PROTOCOL_FIELDS`), or any name for ``kind = "function"``.
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
    integer : bool
        Values are counts or indices: sampled values are rounded, whole ones given as ints.
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
        """Words or booleans rather than numbers."""
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
        """Map a number in [0, 1) to a value of this axis (for sampled designs).

        Parameters
        ----------
        u : float
        """
        if self.values is not None:
            k = len(self.values)
            return self.values[min(int(u * k), k - 1)]
        if self.scale == "log":
            return self._round(self.low * (self.high / self.low) ** u)
        return self._round(self.low + u * (self.high - self.low))

    def to_unit(self, v: np.ndarray) -> np.ndarray:
        """Axis values back to the unit cube (the inverse of :meth:`from_unit`).

        Parameters
        ----------
        v : numpy.ndarray
            Values in SI units.
        """
        if self.values is not None:
            lo, hi = float(np.min(self.values)), float(np.max(self.values))
            return (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
        if self.scale == "log":
            return np.log(v / self.low) / np.log(self.high / self.low)
        return (v - self.low) / (self.high - self.low) if self.high > self.low else np.zeros_like(v)

    def text(self, value):
        """The value as an override accepts it (``"0.0025 A"`` -> ``"2.5 mA"``; ``4.0`` -> ``4`` on an integer axis).

        Parameters
        ----------
        value : float or str
            In SI units; words, booleans and values of an axis without a unit are returned unchanged.
        """
        if self.integer and isinstance(value, float) and value.is_integer():
            return int(value)  # a count or index ("site" refuses 0.0); a fraction is left to be refused
        if self.dim is None or not self.unit:
            return value
        return format_si(float(value), self.unit)

    def describe(self) -> dict:
        """JSON-able description (stored with the sweep)."""
        d = {"path": self.path, "scale": self.scale, "unit": self.unit, "integer": self.integer,
             "dim": list(self.dim) if self.dim is not None else None,
             "si_unit": unit_name(self.dim) if self.dim is not None else ""}
        if self.values is not None:
            d["values"] = list(self.values)
        else:
            d.update(min=self.low, max=self.high, n=self.n)
        return d


def axes_of(parameters, kind: str = "simulate") -> list[Axis]:
    """The swept axes of a ``[parameters]`` table (or a list of ``[[parameter]]`` tables); ``kind``
    is the sweep's (a function sweep's names are its own: ``heat`` is then no temperature)."""
    if isinstance(parameters, Mapping):
        items = list(parameters.items())
    elif isinstance(parameters, (list, tuple)):  # [[parameter]] tables with a 'path'
        items = []
        for t in parameters:
            if not isinstance(t, Mapping):
                raise SpecError("parameters", t, "a table with a 'path'")
            t = dict(t)
            if "path" not in t:
                raise SpecError("parameters", t, "a table with a 'path'")
            items.append((t.pop("path"), t))
    else:
        raise SpecError("parameters", parameters, "a table {path = {values = [...]} or {min, max, n}}")
    axes = [_axis(str(path), ax, kind) for path, ax in items]
    if len({a.path for a in axes}) != len(axes):
        raise SpecError("parameters", [a.path for a in axes], "each path once")
    return axes


def _parse_value(path: str, v):
    """(SI value or word, dimension or None, unit symbol) of one spec value."""
    if isinstance(v, bool):
        return v, None, ""
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v), DIMENSIONLESS, ""
    if hasattr(v, "dim"):  # brian2 quantity
        dim = tuple(brian_dim(v))
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
            m = re.match(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*(.*)$", v)
            unit = m.group(1).strip() if m else ""
        return value, tuple(dim), unit.replace(" ", "")
    raise ParameterError(path, v, "a number, a quantity string such as \"50 Hz\", a word or a boolean")


def _axis(path: str, ax, kind: str = "simulate") -> Axis:
    """One axis from a list of values or a table ``{values}`` / ``{min, max, n, scale}``."""
    if isinstance(ax, (list, tuple)):
        ax = {"values": list(ax)}
    if not isinstance(ax, Mapping):
        raise SpecError(path, ax, "a list of values or a table {values = [...]} / {min, max, n, scale}")
    known_keys(ax, _AXIS_KEYS, f"key of parameter {path!r}")
    scale = ax.get("scale", "linear")
    if scale not in ("linear", "log"):
        raise UnknownKeyError(str(scale), ("linear", "log"), what=f"scale of {path!r}")
    if kind != "function" and PHYSICAL.get(path, (None,) * 3)[2] == "degC":
        ax = _temperatures(path, ax)
    if "values" in ax:
        return _values_axis(path, ax)
    return _range_axis(path, ax, scale)


def _temperatures(path: str, ax: Mapping) -> dict:
    """A ``heat`` or ``cold`` axis with its values in °C, read as a conditions file reads the same
    key (:func:`painsim.units.to_celsius`: ``47``, ``"47 degC"``, ``"47 °C"``, ``"320.15 K"``)."""
    out = dict(ax)
    if isinstance(out.get("values"), (list, tuple)):
        out["values"] = [_celsius(path, v) for v in out["values"]]
    for key in ("min", "max"):
        if key in out:
            out[key] = _celsius(path, out[key])
    return out


def _celsius(path: str, value) -> float:
    """One temperature of a ``heat`` or ``cold`` axis in °C (errors name the axis)."""
    try:
        return to_celsius(value, path)
    except ParameterError as err:
        if isinstance(err, UnitError) or "temperature" in err.allowed:
            raise  # already says what a temperature takes (a unit, °F, a boolean, absolute zero)
        # a word or an unknown unit: the parser's words are about quantities in general
        raise SpecError(path, value, 'a temperature in °C: a number, "47 degC", "47 °C" or "320.15 K"',
                        hint=err.hint) from None


def _values_axis(path: str, ax: Mapping) -> Axis:
    if set(ax) - {"values"}:
        raise SpecError(path, dict(ax), "either 'values' or 'min'/'max'/'n', not both")
    if not isinstance(ax["values"], (list, tuple)):
        raise SpecError(path, ax["values"], "a list of values")
    vals = list(ax["values"])
    if not vals:
        raise SpecError(path, vals, "a non-empty list of values (empty range)")
    parsed = [_parse_value(path, v) for v in vals]
    dims = {p[1] for p in parsed}
    if len(dims) > 1:
        raise _mixed_values(path, vals, parsed)
    dim = dims.pop()
    values = tuple(p[0] for p in parsed)
    if len(set(values)) != len(values) or any(isinstance(v, float) and not np.isfinite(v) for v in values):
        raise SpecError(path, vals, "distinct values (finite, if numbers)")
    unit = next((p[2] for p in parsed if p[2]), "")
    return Axis(path, values, scale="linear", unit=unit, dim=dim)


def _mixed_values(path: str, vals: list, parsed: list) -> ParameterError:
    """The error of a values list that mixes units, plain numbers and words (``["5 Hz", 10]``)."""
    found: list[str] = []
    for v, dim, unit in parsed:
        kind = ("a boolean" if isinstance(v, bool) else "a word" if dim is None else
                "a plain number" if dim == DIMENSIONLESS else (unit or unit_name(dim)))
        if kind not in found:
            found.append(kind)
    found_text = " and ".join(filter(None, [", ".join(found[:-1]), found[-1]]))
    unit = next((u or unit_name(d) for _, d, u in parsed if d not in (None, DIMENSIONLESS)), None)
    if unit is None:  # numbers, words and booleans
        return SpecError(path, vals, f"values of one kind: all numbers, all words or all booleans (found {found_text})")
    number = next((v for v, d, _ in parsed if d == DIMENSIONLESS), 1.0)
    return UnitError(path, vals, unit, hint=f'one unit for all values, found {found_text}; '
                     f'write each with its unit, e.g. "{number:g} {unit}"')


def _range_axis(path: str, ax: Mapping, scale: str) -> Axis:
    if any(k not in ax for k in ("min", "max")):
        raise SpecError(path, dict(ax), "'values = [...]' or both 'min' and 'max'")
    lo, dlo, ulo = _parse_value(path, ax["min"])
    hi, dhi, uhi = _parse_value(path, ax["max"])
    if dlo is None or dhi is None:
        raise SpecError(path, dict(ax), "numbers or quantities for 'min' and 'max'")
    if dlo != dhi:   # which of the two is wrong is the model's to say (points.py): name both
        found = " and ".join("a plain number" if d == DIMENSIONLESS else (u or unit_name(d))
                             for d, u in ((dlo, ulo), (dhi, uhi)))
        raise SpecError(path, f"[{ax['min']}, {ax['max']}]", f"'min' and 'max' in one unit (found {found})")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise SpecError(path, f"[{ax['min']}, {ax['max']}]", "finite numbers for 'min' and 'max'")
    n = _whole(ax.get("n", 0), f"{path}.n", 0)
    if not hi > lo and not (hi == lo and ax.get("n", 1) == 1):
        raise SpecError(path, f"[{ax['min']}, {ax['max']}]", "min < max (empty range)")
    if scale == "log" and lo <= 0:
        raise SpecError(path, ax["min"], "min > 0 for a log scale")
    return Axis(path, None, float(lo), float(hi), n, scale, ulo or uhi, dlo)
