"""NetCDF result files: how they are recognised and found, and where a file can be written.

The paths :mod:`painsim.io` reads and writes (re-exported there): a folder or a file that is not
NetCDF is refused by name before it is opened, a folder or a path under a file before anything is
written.
"""
from __future__ import annotations

from pathlib import Path

from .errors import PathError

__all__ = ["RESULT_FILES", "ZARR_RESULTS", "is_netcdf", "netcdf_file", "refuse_zarr", "writable_file"]


def writable_file(path) -> Path:
    """``path`` as a :class:`~pathlib.Path` if a file can be written there: refused, before anything is
    written, if it is a folder or lies under a file (the OS refused it only when the finished file was
    renamed into place, or when its folder was made).

    Parameters
    ----------
    path : str or path-like
        The file to write.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    painsim.errors.PathError
        ``path`` is a folder or lies under a file.
    """
    path = Path(path)
    if path.is_dir():
        raise PathError(f"path {path} is a folder: expected a file name to write")
    there = next((p for p in path.parents if p.exists()), None)  # the nearest that is
    if there is not None and not there.is_dir():
        raise PathError(f"path {path} lies under {there}, a file, not a folder: expected a file name in a folder")
    return path


#: First bytes of NetCDF files: classic / 64-bit offset / CDF-5, and NetCDF-4 (HDF5).
_NETCDF_MAGIC = (b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF\r\n\x1a\n")
#: Where a folder holds its result: ``results.nc`` (painsim run/course, of every kind of experiment),
#: ``result.nc`` (a sweep store), ``store/result.nc`` (a sweep's output folder), ``validation.nc``
#: (painsim validate) and ``seeds.nc`` (painsim validate --seeds; each seed's run in ``seed_<s>/``).
#: Every command's output folder holds one kind only (:func:`painsim.files.held_results`).
RESULT_FILES = ("results.nc", "result.nc", "store/result.nc", "validation.nc", "seeds.nc")
#: Where a sweep store written with ``format="zarr"`` keeps its result (a folder; not read by painsim's
#: commands, which read NetCDF).
ZARR_RESULTS = ("result.zarr", "store/result.zarr")


def is_netcdf(path) -> bool:
    """Whether ``path`` starts like a NetCDF file (classic or NetCDF-4/HDF5).

    Parameters
    ----------
    path : str or path-like
        The file; its first 8 bytes are read.

    Returns
    -------
    bool

    Raises
    ------
    OSError
        The file cannot be opened.
    """
    with open(path, "rb") as f:
        return f.read(8).startswith(_NETCDF_MAGIC)
_EXPECTED = ("expected a NetCDF result written by painsim (results.nc of painsim run/course, result.nc of a sweep store, "
             "validation.nc or seeds.nc of painsim validate)")


def netcdf_file(path) -> Path:
    """``path`` if it is a NetCDF file; otherwise a PathError saying what it is (a folder holding a
    result is named, for :func:`painsim.io.load`; ``painsim.files.results_file`` resolves folders first).

    Parameters
    ----------
    path : str or path-like
        The file to check.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    painsim.errors.PathError
        ``path`` is a folder (a zarr result: named, :func:`refuse_zarr`), is missing, cannot be read
        or is not a NetCDF file.
    """
    path = Path(path)
    if path.is_dir():
        inside = [c for c in RESULT_FILES if (path / c).is_file()]
        if not inside:
            refuse_zarr(path)
        found = f"; load {path / inside[0]}" if inside else ""
        raise PathError(f"{path} is a folder, not a file: {_EXPECTED}{found}")
    if not path.exists():
        raise PathError(f"file not found: {path} ({_EXPECTED})")
    try:
        netcdf = is_netcdf(path)
    except OSError as e:
        raise PathError(f"cannot read {path}: {e.strerror}") from None
    if not netcdf:
        raise PathError(f"{path} is not a NetCDF file ({_EXPECTED})")
    return path


def refuse_zarr(path) -> None:
    """Refuse a zarr result (``result.zarr`` of a sweep store written with ``format="zarr"``), or a
    folder holding one, by name: painsim's readers (:func:`painsim.io.load`, ``painsim figures`` and
    ``export``) read NetCDF.  Anything else passes.

    Parameters
    ----------
    path : str or path-like
        A folder given as a result.

    Raises
    ------
    painsim.errors.PathError
        ``path`` is a zarr store (``.zarr``) or holds one of :data:`ZARR_RESULTS`.
    """
    path = Path(path)
    found = path if path.suffix == ".zarr" and path.is_dir() else next(
        (path / z for z in ZARR_RESULTS if (path / z).is_dir()), None)
    if found is not None:
        raise PathError(f"{found} is a zarr result: painsim reads NetCDF results only; convert it with "
                        f"xarray.open_zarr({str(found)!r}).load() and painsim.io.save(ds, 'result.nc')")
