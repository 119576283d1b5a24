"""Values as JSON holds them: the item files of a sweep's store (:mod:`painsim.parallel.store`,
:func:`jsonable`), and strict JSON without NaN or infinities for results saved as attributes
(:func:`strict_jsonable`: a cohort Dataset's odds ratios, a calibration's record)."""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np

__all__ = ["jsonable", "strict_jsonable"]


def jsonable(x):
    """``x`` with every value JSON can hold as is, and the rest as text.

    Sweep points hash their parameters through it (:mod:`painsim.sweep.points`): its output must
    not change, NaN and infinite floats included (kept as they are).

    Parameters
    ----------
    x : object
        A value, mapping or list/tuple (converted recursively).

    Returns
    -------
    object
        Mappings as dicts with str keys, lists and tuples as lists, numpy scalars as Python
        values, anything else JSON cannot hold as ``str(x)``.
    """
    if isinstance(x, Mapping):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, (str, bool, int, float)) or x is None:
        return x
    if isinstance(x, np.generic):
        return x.item()
    return str(x)


def strict_jsonable(value):
    """``value`` (dicts, lists, tuples, arrays, numpy numbers) as plain Python for strict JSON
    (``json.dumps(..., allow_nan=False)``): a NaN or infinite number becomes None (null, as pandas
    writes NaN), not the JSON-invalid ``NaN`` or ``Infinity`` that :func:`json.dumps` writes by default.

    Parameters
    ----------
    value : object
        A value, mapping or sequence (converted recursively).

    Returns
    -------
    object
        Mappings as dicts with str keys; lists, tuples and arrays as lists; numpy booleans,
        integers and floats as Python ones, a non-finite float as None; anything else as it is.
    """
    if isinstance(value, Mapping):
        return {str(k): strict_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [strict_jsonable(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value
