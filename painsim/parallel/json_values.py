"""Values as JSON holds them: the item files of a sweep's store (:mod:`painsim.parallel.store`)."""
from __future__ import annotations

from typing import Mapping

import numpy as np

__all__ = ["jsonable"]


def jsonable(x):
    """``x`` with every value JSON can hold as is, and the rest as text.

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
