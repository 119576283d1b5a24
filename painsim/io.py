"""Results on disk: atomic NetCDF writes and combining per-point Datasets.

Nothing half-written is ever left on disk: files are written to a temporary
name in the target folder and renamed into place (an atomic operation on
POSIX file systems).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
import xarray as xr

from .errors import ParameterError

__all__ = ["save", "load", "combine", "atomic_path", "RAGGED_PREFIXES"]

#: Dimensions whose length differs between points (spikes, synapse lists).
RAGGED_PREFIXES = ("spike", "synapse_")


class atomic_path:
    """Context manager yielding a temporary path that replaces ``path`` on success."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def __enter__(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        self.tmp = Path(tmp)
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
        return False


def save(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write a Dataset to NetCDF (``.nc``) atomically; returns the path."""
    path = Path(path)
    if path.suffix != ".nc":
        raise ParameterError("path", str(path), "a file name ending in .nc")
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, engine="netcdf4")
    return path


def load(path: str | os.PathLike) -> xr.Dataset:
    """Read a Dataset written by :func:`save` (fully loaded, file closed)."""
    with xr.open_dataset(path, engine="netcdf4") as ds:
        return ds.load()


def _is_ragged(dim: str) -> bool:
    return dim.startswith(RAGGED_PREFIXES)


def combine(results: Sequence[xr.Dataset], dim: str, labels: Sequence) -> xr.Dataset:
    """Stack per-point Datasets along a new dimension ``dim``.

    Fixed-shape variables gain the dimension ``dim``.  Ragged variables
    (spikes, synapse lists) are concatenated along their own dimension and an
    index variable ``<ragged dim>_<dim>`` tells which point each entry
    belongs to.  Per-point attrs (seed, parameters, stimulus) become
    variables along ``dim``.
    """
    if len(results) != len(labels) or not results:
        raise ParameterError("labels", len(labels), f"one label per result ({len(results)})")
    fixed, ragged = [], {}
    for ds in results:
        keep = [v for v in ds.data_vars if not any(_is_ragged(d) for d in ds[v].dims)]
        fixed.append(ds[keep].drop_attrs() if hasattr(ds, "drop_attrs") else ds[keep])
    out = xr.concat(fixed, dim=dim, coords="minimal", compat="override", join="outer")
    out = out.assign_coords({dim: list(labels)})
    ragged_vars = [v for v in results[0].data_vars if any(_is_ragged(d) for d in results[0][v].dims)]
    for v in ragged_vars:
        rdim = results[0][v].dims[0]
        arrays = [ds[v].values for ds in results]
        out[v] = ((rdim,), np.concatenate(arrays), results[0][v].attrs)
        idx_name = f"{rdim}_{dim}"
        if idx_name not in out:
            out[idx_name] = ((rdim,), np.repeat(np.arange(len(results)), [a.size for a in arrays]),
                             {"long_name": f"index along {dim!r} of each entry"})
    for key in ("seed", "parameters", "stimulus", "noxious", "touch", "label", "model"):
        if key in results[0].attrs:
            vals = [ds.attrs.get(key) for ds in results]
            out[f"{key}"] = ((dim,), np.asarray(vals))
    shared = {k: v for k, v in results[0].attrs.items()
              if all(ds.attrs.get(k) == v for ds in results)}
    out.attrs.update(shared)
    return out
