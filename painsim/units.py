"""Physical quantities at painsim's boundaries, without importing brian2.

painsim's numerical core (stimulation, fibers, plasticity, readouts) works in
SI floats.  Users write quantities either as brian2 ``Quantity`` objects
(``50*Hz``) or, in model and experiment files, as strings (``"50 Hz"``).
:func:`to_si` turns both into an SI float after checking the dimension, so a
wrong unit is caught where it is written and the message names the expected
unit.

Dimensions are 7-tuples of exponents in the SI base order used by brian2
(m, kg, s, A, K, mol, cd); this lets us read ``Quantity.dim`` without brian2.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from .errors import ParameterError, UnitError, nearest

Dim = tuple  # (m, kg, s, A, K, mol, cd)

DIMENSIONLESS: Dim = (0, 0, 0, 0, 0, 0, 0)
_S = (0, 0, 1, 0, 0, 0, 0)
_HZ = (0, 0, -1, 0, 0, 0, 0)
_M = (1, 0, 0, 0, 0, 0, 0)
_A = (0, 0, 0, 1, 0, 0, 0)
_V = (2, 1, -3, -1, 0, 0, 0)
_SIEMENS = (-2, -1, 3, 2, 0, 0, 0)
_F = (-2, -1, 4, 2, 0, 0, 0)
_OHM = (2, 1, -3, -2, 0, 0, 0)
_VELOCITY = (1, 0, -1, 0, 0, 0, 0)
_T = (0, 1, -2, -1, 0, 0, 0)  # tesla
_AS = (0, 0, 1, 1, 0, 0, 0)  # coulomb (charge per pulse)
_OHM_M = (3, 1, -3, -2, 0, 0, 0)  # resistivity
_A_PER_S = (0, 0, -1, 1, 0, 0, 0)  # dI/dt of a coil current
_AREA = (2, 0, 0, 0, 0, 0, 0)  # cortical map areas
_S2 = (0, 0, 2, 0, 0, 0, 0)  # s^2: the BCM rule's learning rate (weight x s^2, painsim.plasticity.BCM)

_PREFIX = {"": 1.0, "k": 1e3, "M": 1e6, "m": 1e-3, "u": 1e-6, "µ": 1e-6, "μ": 1e-6,
           "n": 1e-9, "p": 1e-12, "c": 1e-2}

# base symbol -> dimension; prefixed forms are generated below
_BASE = {"s": _S, "Hz": _HZ, "m": _M, "A": _A, "V": _V, "S": _SIEMENS, "F": _F,
         "ohm": _OHM, "Ω": _OHM, "T": _T, "C": _AS}

UNITS: dict[str, tuple[float, Dim]] = {}
for _sym, _dim in _BASE.items():
    for _p, _f in _PREFIX.items():
        if _p == "c" and _sym != "m":
            continue
        UNITS[_p + _sym] = (_f, _dim)
UNITS.update({
    "m/s": (1.0, _VELOCITY), "cm/s": (1e-2, _VELOCITY), "mm/s": (1e-3, _VELOCITY),  # brushing: cm/s
    "ohm*m": (1.0, _OHM_M), "ohm*cm": (1e-2, _OHM_M),
    "A/s": (1.0, _A_PER_S), "A/us": (1e6, _A_PER_S), "kA/s": (1e3, _A_PER_S),
    "min": (60.0, _S), "h": (3600.0, _S), "day": (86400.0, _S), "days": (86400.0, _S),
    "d": (86400.0, _S), "week": (604800.0, _S), "weeks": (604800.0, _S),  # calendars: "90 d", "2 weeks"
    "%": (0.01, DIMENSIONLESS),
    "m^2": (1.0, _AREA), "mm^2": (1e-6, _AREA), "cm^2": (1e-4, _AREA),
    "s^2": (1.0, _S2), "ms^2": (1e-6, _S2),
})
UNITS.pop("ms", None)
UNITS["ms"] = (1e-3, _S)  # milli-second, not a metre-second (m + s)
UNITS.pop("mS", None)
UNITS["mS"] = (1e-3, _SIEMENS)

# The unit that error messages name for each dimension.
UNIT_NAMES: dict[Dim, str] = {
    DIMENSIONLESS: "1 (dimensionless)", _S: "s", _HZ: "Hz", _M: "m", _A: "A", _V: "V",
    _SIEMENS: "S", _F: "F", _OHM: "ohm", _VELOCITY: "m/s", _T: "T", _AS: "C",
    _OHM_M: "ohm*m", _A_PER_S: "A/s", _AREA: "m^2", _S2: "s^2",
}

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)?\s*$")


def dim_of(unit: str) -> Dim:
    """Dimension of a unit symbol (``"Hz"`` -> (0,0,-1,0,0,0,0)).

    Parameters
    ----------
    unit : str
        A symbol of ``UNITS`` (``"Hz"``, ``"ms"``, ``"cm/s"``).

    Returns
    -------
    tuple
        Exponents of (m, kg, s, A, K, mol, cd).

    Raises
    ------
    KeyError
        ``unit`` is not a known symbol.
    """
    return UNITS[unit][1]


def unit_name(dim: Dim) -> str:
    """The unit that error messages name for a dimension (``UNIT_NAMES``).

    Parameters
    ----------
    dim : tuple
        Exponents of (m, kg, s, A, K, mol, cd).

    Returns
    -------
    str
        The unit's name (``"Hz"``), or the tuple written out for a dimension
        without one.
    """
    return UNIT_NAMES.get(tuple(dim), str(tuple(dim)))


def parse(text: str, name: str = "value") -> tuple[float, Dim]:
    """Parse ``"50 Hz"`` into (50.0, dim of Hz); a bare number is dimensionless.

    Parameters
    ----------
    text : str
        A number, optionally followed by a unit symbol of ``UNITS``.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    value : float
        The number in SI units (``"300 us"`` -> 3e-4).
    dim : tuple
        The unit's dimension.

    Raises
    ------
    ParameterError
        ``text`` is not a number (optionally followed by a unit), or the unit
        is unknown (the nearest known one is suggested).
    """
    m = _QUANTITY.match(text)
    if not m:
        raise ParameterError(name, text, 'a number with a unit such as "50 Hz" or "300 us"')
    number, unit = float(m.group(1)), (m.group(2) or "").strip()
    if not unit:
        return number, DIMENSIONLESS
    unit = unit.replace(" ", "")
    if unit not in UNITS:
        guess = nearest(unit, UNITS)
        raise ParameterError(name, text, "a known unit (" + ", ".join(sorted(set(
            u for u in UNITS if len(u) <= 3))[:30]) + " ...)",
            hint=f"did you mean {guess!r}?" if guess else None)
    scale, dim = UNITS[unit]
    return number * scale, dim


def brian_dim(q: Any) -> Dim | None:
    """Dimension of a brian2 quantity, read from its ``dim`` without importing brian2.

    Parameters
    ----------
    q : object
        A brian2 ``Quantity``, or anything else.

    Returns
    -------
    tuple or None
        Exponents of (m, kg, s, A, K, mol, cd) (whole ones as int), or None
        if ``q`` has no brian2 dimension (a plain number, a string).
    """
    dim = getattr(q, "dim", None)
    dims = getattr(dim, "_dims", None)
    if dims is None:
        return None
    return tuple(int(round(d)) if float(d).is_integer() else float(d) for d in dims)


def to_si(value: Any, unit: str | Dim, name: str = "value", allow_array: bool = False):
    """Convert ``value`` to an SI float (or array) after checking its dimension.

    Parameters
    ----------
    value : str, brian2 Quantity, number or array
        ``"50 Hz"``, ``50*Hz``; a plain number only where ``unit`` is
        dimensionless (``"1"``).
    unit : str or tuple
        The expected unit symbol (``"Hz"``), ``"1"`` for dimensionless, or a
        dimension tuple.
    name : str
        Parameter name used in error messages.
    allow_array : bool
        Accept array-valued quantities.

    Raises
    ------
    UnitError
        If the dimension does not match or a unit is missing.
    """
    expected = DIMENSIONLESS if unit in ("1", "") else (dim_of(unit) if isinstance(unit, str) else tuple(unit))
    expected_name = unit_name(expected) if not isinstance(unit, str) or unit in ("1", "") else unit
    if isinstance(value, str):
        number, dim = parse(value, name)
    elif isinstance(value, bool):
        raise ParameterError(name, value, f"a quantity in {expected_name}")
    else:
        bdim = brian_dim(value)
        if bdim is not None:
            dim = bdim
            number = np.asarray(value, dtype=float)  # brian2 stores SI values
        else:
            dim = DIMENSIONLESS
            try:
                number = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise ParameterError(name, value, f"a quantity in {expected_name}") from None
        if number.ndim == 0:
            number = float(number)
        elif not allow_array:
            raise ParameterError(name, value, f"a single quantity in {expected_name}")
    if tuple(dim) != tuple(expected):  # a dimensionless one is said as a plain number (UnitError's "1")
        raise UnitError(name, value, "1" if tuple(expected) == tuple(DIMENSIONLESS) else expected_name)
    return number


def format_si(value: float, unit: str) -> str:
    """Write an SI float back as a string in ``unit`` (``0.05, "ms"`` -> ``"50 ms"``).

    Parameters
    ----------
    value : float
        The value in SI units.
    unit : str
        A symbol of ``UNITS``, or ``"1"`` (or ``""``) for a plain number.

    Returns
    -------
    str
        The value (12 significant digits) and its unit.

    Raises
    ------
    KeyError
        ``unit`` is not a known symbol.
    """
    scale = UNITS[unit][0] if unit not in ("1", "") else 1.0
    return f"{value / scale:.12g} {unit}".strip() if unit not in ("1", "") else f"{value:.12g}"


# ---------------------------------------------------------------- force and temperature
# Added for natural stimuli in physical units (painsim.fibers.encoding): punctate
# forces in N (von Frey / pinprick, "128 mN") and absolute temperatures in K.
# Celsius is an offset scale, not a multiple of K, so it is not a UNITS entry:
# :func:`to_celsius` reads it.
_FORCE = (1, 1, -2, 0, 0, 0, 0)
_KELVIN = (0, 0, 0, 0, 1, 0, 0)
for _p, _f in _PREFIX.items():
    if _p != "c":
        UNITS.setdefault(_p + "N", (_f, _FORCE))
UNITS.setdefault("K", (1.0, _KELVIN))
UNIT_NAMES.setdefault(_FORCE, "N")
UNIT_NAMES.setdefault(_KELVIN, "K")

ABSOLUTE_ZERO_C = -273.15  # °C
_CELSIUS = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(°C|degC|deg C|celsius|C°|C)\s*$")
#: Fahrenheit, refused by name (a bare "F" would otherwise be read as farad).
_FAHRENHEIT = re.compile(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*(°F|degF|deg F|fahrenheit|F)\s*$",
                         re.IGNORECASE)


def to_celsius(value: Any, name: str = "temperature") -> float:
    """A temperature in °C.

    Accepts a plain number (read as °C), a string in °C (``"47 °C"``,
    ``"47 degC"``, ``"47 C"``: in a temperature "C" is Celsius, not coulomb) or K
    (``"320 K"``), or a brian2 quantity in kelvin (absolute).  Another dimension, or
    Fahrenheit, raises :class:`ParameterError` naming ``name``; a temperature below
    absolute zero too.

    Parameters
    ----------
    value : float, str or brian2 Quantity
        The temperature (a ``bool`` is refused).
    name : str
        Parameter name used in error messages.

    Returns
    -------
    float
        The temperature in °C.

    Raises
    ------
    UnitError
        A dimension other than temperature.
    ParameterError
        Fahrenheit, a value that cannot be read, or one that is not finite or
        below absolute zero.
    """
    expected = '°C (a plain number or "47 °C") or K'
    if isinstance(value, str) and _FAHRENHEIT.match(value):
        raise ParameterError(name, value, "a temperature in " + expected + " (°F is not read: convert it)")
    try:
        if isinstance(value, str):
            m = _CELSIUS.match(value)
            c = float(m.group(1)) if m else to_si(value, "K", name) + ABSOLUTE_ZERO_C
        elif isinstance(value, bool):
            raise ParameterError(name, value, "a temperature in " + expected)
        elif brian_dim(value) is not None:
            c = float(to_si(value, "K", name)) + ABSOLUTE_ZERO_C
        else:
            c = float(to_si(value, "1", name))
    except UnitError:
        raise UnitError(name, value, "°C or K", hint='a number (°C), or a string with its unit, e.g. "47 °C", '
                        '"47 degC", "47 C" or "320.15 K"') from None
    if not np.isfinite(c) or c < ABSOLUTE_ZERO_C:
        raise ParameterError(name, value, f"a finite temperature above absolute zero ({ABSOLUTE_ZERO_C} °C)")
    return c
