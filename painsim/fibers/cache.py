"""On-disk cache of the biophysical spike trains.

:func:`painsim.fibers.biophysical.afferent_spikes` is deterministic in the
waveform, the fiber population, the seed, the time step, the amplitude
reference, the kernel version (:data:`painsim.fibers.kernel.KERNEL_VERSION`) and the
module-level node parameters (``CLASS_PARAMS``, ``L_PER_D``, the coil constants),
so its result is stored under a hash of exactly these (one ``.npz`` file per
call) and reused by later calls, processes and workers.  Files are written to
a temporary name and renamed, so a reader never sees half a file; a corrupt
file is recomputed.  A folder that cannot be written (read-only, under a file,
a full disk) costs only the reuse: the result is returned, with one warning per
folder, and no temporary file is left.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

from ..atomic import file_mode
from ..stimulation import Waveform
from .kernel import KERNEL_VERSION
from . import population as population_module
from .population import FiberPopulation

__all__ = ["cache_info", "cache_directory", "spike_key", "cached_spikes"]

#: counters of the disk cache of ``afferent_spikes`` (hits, misses) and the last call
cache_info = {"hits": 0, "misses": 0, "last_hit": None, "last_path": None}
#: folders found unwritable in this process (each warned about once)
_unwritable: set[str] = set()


def cache_directory(cache_dir) -> Path | None:
    """The cache folder: ``cache_dir``, else ``$PAINSIM_CACHE``, else
    ``~/.cache/painsim/fibers``; None when ``cache_dir`` is False (no cache).

    Parameters
    ----------
    cache_dir : path, None or False
        The folder; None or ``""`` for the default (an empty ``$PAINSIM_CACHE`` is the default
        too; ``""`` was the working directory), False for no cache.

    Returns
    -------
    pathlib.Path or None
        The folder (not created here).
    """
    if cache_dir is False:
        return None
    if cache_dir is None or (isinstance(cache_dir, str) and cache_dir == ""):
        cache_dir = os.environ.get("PAINSIM_CACHE") or os.path.join(
            os.path.expanduser("~"), ".cache", "painsim", "fibers")
    return Path(cache_dir)


def spike_key(waveform: Waveform, population: FiberPopulation, seed: int, dt: float,
              reference: float | None) -> str:
    """Hash of everything the spike trains depend on (including ``KERNEL_VERSION``, the node
    parameters through :meth:`FiberPopulation.key` and the resting-motor-threshold coil current
    ``painsim.fibers.biophysical.RMT_COIL_CURRENT``).

    Parameters
    ----------
    waveform : Waveform
        The stimulus (its :meth:`~painsim.stimulation.Waveform.key`).
    population : FiberPopulation
        The fibers (its :meth:`~painsim.fibers.population.FiberPopulation.key`).
    seed : int
        Seed of the threshold noise.
    dt : float
        Time step, s.
    reference : float or None
        The amplitude reference, A (None: none given).

    Returns
    -------
    str
        32 hex digits of a SHA-256.
    """
    key_src = json.dumps({"wf": waveform.key(), "pop": population.key(), "seed": int(seed),
                          "dt": dt, "kernel": KERNEL_VERSION, "ref": reference,
                          "rmt": repr(_coil_current())}, sort_keys=True)
    return hashlib.sha256(key_src.encode()).hexdigest()[:32]


def _coil_current() -> float:
    """The coil current of 1 x resting motor threshold (A) that scales "rmt" amplitudes, as
    :mod:`painsim.fibers.biophysical` reads it: under its own module-level name, bound at its
    import from :data:`~painsim.fibers.population.RMT_COIL_CURRENT`.  Looked up, not imported
    (biophysical imports this module); before biophysical is loaded, population's value."""
    bio = sys.modules.get(__name__.rsplit(".", 1)[0] + ".biophysical")
    return getattr(bio, "RMT_COIL_CURRENT", population_module.RMT_COIL_CURRENT)


def cached_spikes(key: str, cache_dir, compute: Callable[[], tuple[np.ndarray, np.ndarray]]):
    """``(times, fiber)`` stored under ``key``, or ``compute()`` stored there.

    Parameters
    ----------
    key : str
        From :func:`spike_key`.
    cache_dir : path, None or False
        See :func:`cache_directory`.
    compute : callable
        Returns ``(times, fiber)``; called only on a miss.

    Returns
    -------
    times, fiber : numpy.ndarray
        The stored or computed spike trains.  If the folder cannot be written the computed
        ones are returned all the same (``cache_info["last_path"]`` is then None) and a
        ``UserWarning`` naming the folder is issued, once per folder and process.
    """
    cdir = cache_directory(cache_dir)
    path = cdir / f"spikes_{key}.npz" if cdir is not None else None
    if path is not None and path.exists():
        try:
            with np.load(path) as f:
                t, i = f["times"], f["fiber"]
            cache_info["hits"] += 1
            cache_info["last_hit"] = True
            cache_info["last_path"] = str(path)
            return t, i
        except Exception:  # a corrupt file is recomputed
            pass
    t, i = compute()
    cache_info["misses"] += 1
    cache_info["last_hit"] = False
    cache_info["last_path"] = str(path) if path else None
    if path is not None:
        try:
            _write(cdir, path, t, i)
        except OSError as e:  # a cache that cannot be kept must not lose the computed result
            cache_info["last_path"] = None
            _warn_unwritable(cdir, e)
    return t, i


def _warn_unwritable(cdir: Path, e: OSError) -> None:
    if str(cdir) in _unwritable:
        return
    _unwritable.add(str(cdir))
    warnings.warn(f"painsim: the fibre spike cache {cdir} cannot be written ({type(e).__name__}: {e}); "
                  "the spike trains are computed but not kept. Set $PAINSIM_CACHE (or cache_dir) to a "
                  "writable folder, or pass cache_dir=False", stacklevel=4)


def _write(cdir: Path, path: Path, t: np.ndarray, i: np.ndarray) -> None:
    """Write atomically: a temporary file in ``cdir``, then a rename.  The file gets the mode of
    any new file under the process's umask (:func:`painsim.atomic.file_mode`, e.g. 0o644), not
    mkstemp's 0o600: another user sharing the folder can read it (they rewrote it)."""
    cdir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cdir, prefix=".tmp_", suffix=".npz")
    try:
        os.chmod(tmp, file_mode())
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, times=t, fiber=i)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
