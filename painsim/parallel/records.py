"""The files of a :class:`painsim.parallel.ResultStore`: how its items are laid out, and the
checks of what it reads back (an item file, the record of the code that computed the items).

A file that a kill cut short, that is empty or that holds something else than what the store
writes is never taken for finished work: :meth:`Layout.unreadable` and :func:`code_record` say
why, and the store sets the item aside (computed again) or refuses the store, naming the file.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import xarray as xr

from ..errors import ParameterError
from ..io import is_netcdf

__all__ = ["Layout", "SWEEP_LAYOUT", "PATIENT_LAYOUT", "code_record", "brief"]

#: The entries of xarray's dict form (:meth:`xarray.Dataset.to_dict`) that a JSON item holds.
JSON_ITEM_KEYS = ("coords", "attrs", "dims", "data_vars")


@dataclass(frozen=True)
class Layout:
    """Where and how a :class:`ResultStore` keeps its items.

    Parameters
    ----------
    folder : str
        Sub-folder of the item files (``""``: the store folder itself).
    stem : str
        Format of an item's file name (without suffix) from its key numbers.
    suffix : {".json", ".nc"}
        ``.json``: xarray's dict form in JSON; ``.nc``: netCDF.
    fingerprint_attr : str or None
        Attribute of each item holding its fingerprint (per-item resume checks).
    """

    folder: str
    stem: str
    suffix: str
    fingerprint_attr: str | None = None

    @property
    def pattern(self) -> str:
        """Glob pattern of the item files."""
        return re.sub(r"\{[^}]*\}", "*", self.stem) + self.suffix

    def is_item(self, name: str) -> bool:
        """Whether the file name ``name`` is an item's (digits where the key numbers go).

        Parameters
        ----------
        name : str
            A file name (without folder).

        Returns
        -------
        bool
        """
        parts = re.split(r"\{[^}]*\}", self.stem)
        return re.fullmatch(r"\d+".join(map(re.escape, parts)) + re.escape(self.suffix), name) is not None

    def unreadable(self, f: Path) -> str | None:
        """Why the item file ``f`` is no finished item, or None.

        A JSON item must be a Dataset in xarray's dict form (:data:`JSON_ITEM_KEYS`, each a table,
        and readable by :meth:`xarray.Dataset.from_dict`): ``{}`` or ``[]`` is valid JSON but no
        result (read as one it would give NaN).  A netCDF item is checked for its first bytes (an
        empty file has none).

        Parameters
        ----------
        f : pathlib.Path
            An item file of this layout.

        Returns
        -------
        str or None
            The reason, in a few words.
        """
        try:
            if self.suffix != ".json":
                return None if is_netcdf(f) else "empty, or not a netCDF file"
            content = json.loads(f.read_text())
            if not isinstance(content, dict):
                return "not a JSON object"
            missing = [k for k in JSON_ITEM_KEYS if not isinstance(content.get(k), dict)]
            if missing:
                return f"not a stored result: no {', '.join(missing)} table{'s' * (len(missing) > 1)}"
            xr.Dataset.from_dict(content)
        except (OSError, ValueError, KeyError, TypeError) as e:
            return brief(e)
        return None


SWEEP_LAYOUT = Layout("parts", "p{0:07d}_r{1:04d}", ".json")
PATIENT_LAYOUT = Layout("", "patient_{0:06d}", ".nc", fingerprint_attr="cohort_patient_key")


def code_record(path: Path, store: Path) -> dict | None:
    """The record of the code that computed a store's items (``code.json``), or None if there is none.

    Parameters
    ----------
    path : pathlib.Path
        The record's file.
    store : pathlib.Path
        The store's folder, named in the error.

    Returns
    -------
    dict or None

    Raises
    ------
    ParameterError
        The file is there but cannot be read, or holds no JSON object (empty, cut short, ``[]``):
        whether the items were computed by this code cannot be told.
    """
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        record, why = None, brief(e)
    else:
        why = None if isinstance(record, dict) else f"{type(record).__name__}, not a JSON object"
    if why is not None:
        raise ParameterError("store", str(store), f"a store whose {path.name} can be read ({path}: {why}): the "
                             "code that computed its items cannot be told; use a new folder")
    return record


def brief(e: BaseException) -> str:
    """An error's type and the first line of its message.

    Parameters
    ----------
    e : BaseException

    Returns
    -------
    str
    """
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__
