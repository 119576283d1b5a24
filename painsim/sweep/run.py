"""Running a sweep into its store (:func:`run_sweep`) and reading a store back
(:func:`load_sweep`)."""
from __future__ import annotations

import functools
import importlib.util
import json
import os
import pickle
import shutil
import socket
import sys
import tempfile
import uuid
import warnings
from pathlib import Path
from typing import Any, Mapping

import xarray as xr
from tqdm.auto import tqdm

from ..checks import store_folder, whole
from ..circuits import check_engine_settings
from ..errors import ParameterError, UnknownKeyError
from ..params import OVERRIDES_ENV, model_overrides, overrides_text
from ..parallel import ResultStore, cut_for, run_batches, worker_count
from .evaluate import check_worker_cache, evaluate_batch, failed_result, make_batches, prepare_worker
from .results import gather_results, log_unlogged, persist, write_result
from .spec import SweepSpec, load_spec, make_spec, spec_from_saved

__all__ = ["run_sweep", "load_sweep", "SweepStore", "requested_workers", "check_run_settings"]

#: The store of a sweep (:class:`painsim.parallel.ResultStore` with the sweep layout).
SweepStore = ResultStore

#: Protocols of a Dask scheduler address (``"tcp://host:8786"``; a bare ``"host:8786"`` is tcp).
SCHEDULER_PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")
#: Seconds to wait for a scheduler address to accept a connection before the sweep starts (chosen: a
#: running scheduler accepts within milliseconds on a LAN and well under a second across sites, and a
#: refused address should not keep the user waiting long).
SCHEDULER_TIMEOUT = 5.0
_SCHEDULER = "'local' or a Dask scheduler address 'tcp://host:port' or 'host:port' (also tls, ws, wss, ucx)"


def run_sweep(spec: str | os.PathLike | Mapping[str, Any] | SweepSpec, store: str | os.PathLike | None = None,
              workers: int | None = None, scheduler: str | None = None, resume: bool = False,
              batch_size: int | None = None, seed: int | None = None, progress: bool = True,
              format: str = "netcdf", attrs: Mapping[str, str] | None = None) -> xr.Dataset:
    """Run a parameter sweep, persisting each point, and return its results.

    Parameters
    ----------
    spec : path, dict or SweepSpec
        A TOML file (see the package docstring), a dict with the same keys, or
        a :class:`SweepSpec`.  Validated completely before anything runs.
    store : path, optional
        Folder of the sweep's results (created).  Each finished point is
        written there atomically before it counts as done.  Default: a
        temporary folder, removed at the end (nothing persists).
    workers : int, optional
        0: run in this process.  N >= 1: N local worker processes.  With
        ``scheduler="local"``: the number of Dask workers.  Default: the
        spec's ``workers`` key, else the number of CPUs (2 Dask workers).
    scheduler : str, optional
        A Dask scheduler address (``"tcp://host:8786"`` or ``"host:8786"``;
        :data:`SCHEDULER_PROTOCOLS`) or ``"local"`` for a ``LocalCluster`` of
        ``workers`` processes.  Checked before the store is created: the
        address's form, and that something accepts a connection there.
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
        Format of the gathered ``result`` in the store (Zarr needs the
        ``cluster`` extra).
    attrs : mapping, optional
        Attributes added to the written result (the command line ``painsim sweep`` ran).

    Returns
    -------
    xarray.Dataset
        One variable per outcome over the sweep dimensions (for a grid: one
        dimension per swept parameter, named by its path, values in SI units
        with ``units`` and ``display_unit`` attrs; otherwise ``point`` with
        the parameters as coordinates) and ``repeat``; ``seed``, ``status``
        (done / failed / pending) and ``error`` per run; the spec, its hash,
        the seeds, the painsim version and code digest (``painsim_source``) and the model
        overrides in force (``model_overrides``, when there are any) in attrs.

    Raises
    ------
    UnknownKeyError, UnitError, ParameterError, SpecError
        A bad spec, ``workers`` or ``scheduler``, before any work starts and
        before the store is created; a store holding another sweep; a function
        sweep's function that cannot be pickled (a lambda, a local function)
        with worker processes (``workers`` not 0 and no ``scheduler``); an unusable
        ``$PAINSIM_WORKER_CACHE`` (:func:`painsim.sweep.evaluate.check_worker_cache`); a misspelt
        ``$PAINSIM_ENGINE`` or ``$PAINSIM_TARGET``, or an unusable setting of the compiled engine
        (:func:`painsim.circuits.check_engine_settings`).
    KeyboardInterrupt
        Passed on after stopping the workers; every point persisted so far
        stays in the store (``resume=True`` continues).
    """
    _check_format(format)
    store_folder(store, "a folder for the sweep's results (new or empty, or one to resume)")
    if isinstance(spec, (str, os.PathLike)):
        spec = load_spec(spec, seed=seed)
        if batch_size is not None:
            spec = make_spec(spec, batch_size=batch_size)
    else:
        spec = make_spec(spec, seed=seed, batch_size=batch_size)
    workers = check_run_settings(spec, workers, scheduler)
    _warn_workers(workers, scheduler)
    _reach_scheduler(scheduler)  # last: the only check that waits
    tmpdir = None
    if store is None:
        tmpdir = tempfile.mkdtemp(prefix="painsim-sweep-")
        store = Path(tmpdir) / "store"
    st = SweepStore(store)
    variant = model_overrides()
    st.open(spec.key(), {"spec": spec.to_dict(), **({"model_overrides": variant} if variant else {})}, resume)
    try:
        return _execute(spec, st, workers, scheduler, progress, format, attrs or {})
    finally:
        st.close()  # the store's lock, also on an error or Ctrl-C (a resume in this process may follow)
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


def check_run_settings(spec: SweepSpec, workers=None, scheduler: str | None = None) -> int | None:
    """Refuse, before any work, what :func:`run_sweep` would refuse of how ``spec`` is run (not of the
    spec itself, which :func:`painsim.sweep.make_spec` checked): ``workers`` and ``scheduler``, a
    function that cannot be pickled for worker processes, an unusable ``$PAINSIM_WORKER_CACHE``,
    the engine settings of the environment (:func:`painsim.circuits.check_engine_settings`), a model
    variant with a Dask scheduler.  Waits for nothing (a scheduler's address is reached by
    :func:`run_sweep` only); ``painsim sweep`` calls it before its first line.

    Parameters
    ----------
    spec : SweepSpec
    workers : int, optional
        As :func:`run_sweep`'s (default: the spec's).
    scheduler : str, optional
        As :func:`run_sweep`'s.

    Returns
    -------
    int or None
        The workers asked for (``workers``, else the spec's), checked.

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`run_sweep`.
    """
    if workers is None:  # the command line's --workers (or the caller's) wins over the file's
        workers = spec.workers
    if workers is not None:
        workers = whole(workers, "workers", 0, allow_float=True)
    _check_scheduler(scheduler)
    _check_picklable(spec, workers, scheduler)
    check_worker_cache(spec.kind)  # with any number of workers: results never depend on it
    if spec.kind != "function":  # a misspelt engine or target would fail every point, after the store is made
        check_engine_settings()
    if scheduler is not None and workers == 0:
        raise ParameterError("workers", 0, "at least 1 Dask worker with a scheduler")
    if scheduler is not None and model_overrides():
        # the variant travels in this process's environment, which Dask workers need not share
        raise ParameterError("scheduler", scheduler, "no Dask scheduler while a model variant is in force "
                             f"({OVERRIDES_ENV}={overrides_text()}): run the "
                             "sweep in local worker processes (workers=N), which inherit it")
    return workers


def _scheduler_address(scheduler: str) -> tuple[str, str, str]:
    """(protocol, host, port) of a scheduler address; a bare ``"host:port"`` is tcp, ``[::1]`` loses
    its brackets.  Not checked here (:func:`_check_scheduler` does)."""
    protocol, sep, location = scheduler.partition("://")
    if not sep:
        protocol, location = "tcp", scheduler
    host, _, port = location.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host  # [::1]:8786
    return protocol, host, port


def _check_scheduler(scheduler) -> None:
    """Refuse a scheduler Dask cannot use (``"bogus"``, a missing port, no dask installed) before
    the store exists: a refused run must leave nothing a rerun without --resume would trip on."""
    if scheduler is None:
        return
    if not isinstance(scheduler, str):
        raise ParameterError("scheduler", scheduler, _SCHEDULER)
    if scheduler != "local":
        protocol, host, port = _scheduler_address(scheduler)
        # without a colon the host comes out empty ("bogus" -> host "", port "bogus")
        if (protocol not in SCHEDULER_PROTOCOLS or not host or any(c in host for c in "/ []")
                or not port.isdigit() or not 0 < int(port) < 65536):
            raise ParameterError("scheduler", scheduler, _SCHEDULER)
    if importlib.util.find_spec("distributed") is None:
        raise ParameterError("scheduler", scheduler, "dask.distributed installed "
                             "(pip install 'painsim[cluster]') to use a Dask scheduler")


def _reach_scheduler(scheduler, timeout: float = SCHEDULER_TIMEOUT) -> None:
    """Refuse a well-formed scheduler address where nothing accepts a connection, before the
    store exists (Dask's client would fail only after the store was written, and a rerun
    without --resume would then be refused).  A TCP connection is tried for the TCP-based
    protocols (``timeout`` per address the host name resolves to); ``ucx`` is left to Dask."""
    if scheduler in (None, "local"):
        return
    protocol, host, port = _scheduler_address(scheduler)
    if protocol == "ucx":
        return
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as e:
        raise ParameterError("scheduler", scheduler, f"a running Dask scheduler at that address (no connection "
                             f"within {timeout:g} s: {e.strerror or e}); start one with `dask scheduler`, "
                             "or use 'local'") from None


def _check_picklable(spec: SweepSpec, workers, scheduler) -> None:
    """Refuse a function sweep's function that worker processes cannot receive (a lambda, a local
    function) before any work: the pool pickles it with each batch, and every run would fail.
    ``workers = 0`` calls it in this process; a Dask scheduler sends it with cloudpickle, which
    takes lambdas and local functions."""
    if spec.kind != "function" or workers == 0 or scheduler is not None:
        return
    try:
        pickle.dumps(spec.function)
    except Exception as e:  # noqa: BLE001 - pickle raises PicklingError, AttributeError or TypeError
        n = (os.cpu_count() or 1) if workers is None else workers
        raise ParameterError("function", getattr(spec.function, "__qualname__", repr(spec.function)),
                             f"a module-level function (importable by name) for {n} worker processes, or "
                             "workers=0 (run in this process)", hint=f"it cannot be pickled: {e}") from None


def _check_format(fmt: str) -> None:
    if fmt not in ("netcdf", "zarr"):
        raise UnknownKeyError(str(fmt), ("netcdf", "zarr"), what="store format")
    if fmt == "zarr":
        try:
            import zarr  # noqa: F401
        except ImportError:
            raise ParameterError("format", fmt, "netcdf, or install zarr (pip install 'painsim[cluster]')") from None


def _execute(spec: SweepSpec, st: ResultStore, workers, scheduler, progress, fmt, attrs: Mapping) -> xr.Dataset:
    """Compute every point not yet in the store, persisting each, then gather and write the result."""
    log_unlogged(st)  # items a kill left on disk without their event (a resumed run)
    done, pts = st.done(), spec.points()
    todo = [(i, r, spec.seed_for(i, r), pts[i]) for i in range(len(pts)) for r in range(spec.n_repeats)
            if (i, r) not in done]
    n_workers = requested_workers(workers, scheduler)
    here = scheduler in (None, "local")  # a Dask scheduler's address: its workers' CPUs are not ours to count
    batches = make_batches(spec, todo, spec.batch_size, cut_for(n_workers) if here else max(n_workers, 1))
    if here:  # the number the command line says (worker_count), also when the points form several groups
        n_workers = min(n_workers, max(worker_count(len(todo), spec.batch_size, n_workers), 1))
    run_id = uuid.uuid4().hex[:12]
    counts = {"done": 0, "failed": 0}
    bar = _progress_bar(spec, len(todo), len(done)) if progress and todo else None

    def on_result(batch, results: list[dict]):
        for res in results:
            persist(st, res, run_id)  # persisted before it counts
            counts["done" if res["ok"] else "failed"] += 1
        if bar is not None:
            _advance(bar, counts["done"], counts["failed"])

    def on_error(items, e):
        on_result(items, [failed_result(it, e) for it in items])

    serial = scheduler is None and (n_workers == 0 or len(batches) == 1)
    try:
        run_batches(functools.partial(evaluate_batch, spec), batches, on_result,
                    workers=0 if serial else n_workers, scheduler=scheduler,
                    setup=functools.partial(prepare_worker, spec.kind), on_error=on_error)
    finally:
        if bar is not None:
            bar.close()
    ds = gather_results(spec, st)
    ds.attrs.update(attrs)
    write_result(ds, st, fmt)
    return ds


def requested_workers(workers: int | None, scheduler: str | None) -> int:
    """The workers asked for: ``workers``, else one per CPU (2 Dask workers with a scheduler); the
    command line's count of processes reads it too."""
    if workers is not None:
        return workers
    return (os.cpu_count() or 1) if scheduler is None else 2


def _warn_workers(workers: int | None, scheduler: str | None) -> None:
    """Warn when more local worker processes than CPUs are asked for: they share the cores, and the
    batches are cut for one worker per CPU (:func:`painsim.parallel.worker_count`)."""
    cpus = os.cpu_count() or 1
    if workers is not None and workers > cpus and scheduler in (None, "local"):
        warnings.warn(f"painsim: workers={workers} is more than the {cpus} CPUs of this machine: at most one "
                      "process per batch is started, batches are cut for one worker per CPU, and processes "
                      "beyond the CPUs only share them", RuntimeWarning, stacklevel=3)


def _advance(bar, n_done: int, n_failed: int) -> None:
    """Show ``n_done`` + ``n_failed`` persisted runs: the bar's position and its ``done=`` /
    ``failed=`` counts change together (the counts first, then one refresh)."""
    bar.set_postfix(done=n_done, failed=n_failed, refresh=False)
    bar.update(n_done + n_failed - bar.n)


def _progress_bar(spec: SweepSpec, total: int, n_done: int):
    bar = tqdm(total=total, desc=f"sweep {spec.name}", unit="pt", file=sys.stderr, dynamic_ncols=True)
    if n_done:
        bar.set_description(f"sweep {spec.name} ({n_done} already done)")
    return bar


def load_sweep(store: str | os.PathLike) -> xr.Dataset:
    """Read a sweep store (also one interrupted mid-way) as a Dataset.

    Parameters
    ----------
    store : path
        The directory given to :func:`run_sweep`.

    Returns
    -------
    xarray.Dataset
        Gathered from the per-point files, so it includes every point
        finished so far (``status`` tells done / failed / pending).
    """
    st = SweepStore(store)
    if not st.meta.exists():
        raise ParameterError("store", str(store), "a folder written by run_sweep (it has no spec.json)")
    saved = json.loads(st.meta.read_text())
    return gather_results(spec_from_saved(saved["spec"]), st)
