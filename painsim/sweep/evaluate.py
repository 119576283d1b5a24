"""Computing the points of a sweep: batches of points that share network
structure, each batch in ONE brian2 network (:func:`painsim.simulate_batch`) or
one course batch (:func:`painsim.course.run_course_batch`), and a batch's
failures isolated point by point."""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import xarray as xr

from .. import course, simulation
from ..analysis import point_evoked, sep_electrode
from ..circuits import neuron_variables, structure_key, use_private_cache
from ..circuits.standalone_cache import host_label
from ..devices import as_devices
from ..errors import ParameterError, SpecError
from ..parallel import chunks
from ..processes import remove_dead_folders
from .points import build_point, check_outcome_names, point_protocol, protocol_overrides

__all__ = ["evaluate_batch", "prepare_worker", "check_worker_cache", "make_batches", "failed_result"]

#: this process's private compilation folder (``$PAINSIM_WORKER_CACHE``), once created
_WORKER_DIR: Path | None = None

_WORKER_CACHE_ALLOWED = ("unset or empty (workers share brian2's cache), or a folder in which this process "
                         "can create folders (it is created if missing)")


def _host() -> str:
    """This host's name as written into folder names (:func:`painsim.circuits.standalone_cache.host_label`)."""
    return host_label()


def _worker_cache(kind: str) -> Path | None:
    base = os.environ.get("PAINSIM_WORKER_CACHE")
    return None if kind == "function" or not base else Path(base)


def _new_folder(base: Path, label: str) -> Path:
    """A new folder ``<base>/<label>-<host>-<pid>-<random>``; an unusable ``base`` is refused by name."""
    try:
        base.mkdir(parents=True, exist_ok=True)
        return Path(os.path.abspath(tempfile.mkdtemp(dir=base, prefix=f"{label}-{_host()}-{os.getpid()}-")))
    except OSError as e:
        raise ParameterError("PAINSIM_WORKER_CACHE", str(base), _WORKER_CACHE_ALLOWED,
                             hint=f"{type(e).__name__}: {e}") from None


def check_worker_cache(kind: str = "network") -> Path | None:
    """Refuse an unusable ``$PAINSIM_WORKER_CACHE`` before any work starts.

    Call it in the coordinating process before handing :func:`prepare_worker` to workers:
    otherwise the workers fail batch after batch on the folder, while ``workers=0`` (which never
    runs :func:`prepare_worker`) succeeds, so results would depend on the number of workers.
    The folder is created if missing and a folder is created in it and removed again.

    Parameters
    ----------
    kind : str
        As for :func:`prepare_worker`; for ``"function"`` nothing is checked.

    Returns
    -------
    pathlib.Path or None
        The folder, or None when the variable is unset or empty (or ``kind`` is ``"function"``).

    Raises
    ------
    painsim.errors.ParameterError
        The folder cannot be created or written (it is a file, lies under a file, is read-only).
    """
    base = _worker_cache(kind)
    if base is not None:
        with contextlib.suppress(OSError):
            os.rmdir(_new_folder(base, ".probe"))
    return base


def _remove_stale(base: Path) -> None:
    """Remove the worker folders of this host (``worker-<host>-<pid>-*``) whose process no longer
    exists: workers killed by the pool (SIGKILL) never run their exit clean-up.  Folders of other
    hosts, of live (or foreign, unsignalable) processes and of this process are kept
    (:func:`painsim.processes.remove_dead_folders`)."""
    # the random part of mkdtemp holds no "-": a longer host name sharing our prefix never matches
    remove_dead_folders(base, rf"worker-{re.escape(_host())}-(?P<pid>\d+)-[^-]+")


def prepare_worker(kind: str) -> None:
    """Per-process set-up of a worker: where it compiles brian2 code.

    Runs once per process (worker processes and Dask workers alike, not the coordinating
    process).  By default nothing changes: workers share brian2's Cython cache (``~/.cython``),
    where brian2 locks each module while it compiles it, as cohort workers do, so a code object
    compiles once for every run and every ``--resume``.  With ``$PAINSIM_WORKER_CACHE`` set
    (e.g. a home folder on a network file system whose locks cannot be trusted) each worker
    compiles into a private folder of its own, ``$PAINSIM_WORKER_CACHE/worker-<host>-<pid>-<random>``
    (unique also among hosts and containers sharing the folder), removed at exit, and pays the
    compilation on every run.  A worker killed by its pool never reaches its exit clean-up, so
    each new worker first removes the folders of this host whose process no longer exists
    (never those of another host: their processes cannot be seen from here; hosts sharing the
    folder must therefore have distinct host names, as containers have by default).  Folders
    named ``worker-<pid>`` by earlier versions are left alone.

    Parameters
    ----------
    kind : str
        The sweep's kind (:data:`painsim.sweep.spec.KINDS`), or another label of brian2 work
        (``"network"``); for ``"function"`` nothing is set up.

    Raises
    ------
    painsim.errors.ParameterError
        ``$PAINSIM_WORKER_CACHE`` cannot be used (:func:`check_worker_cache`, which the
        coordinating process calls first); raised again at each batch, never falling back to
        the shared cache.
    """
    global _WORKER_DIR
    base = _worker_cache(kind)
    if _WORKER_DIR is not None or base is None:
        return
    _remove_stale(base)
    folder = _new_folder(base, "worker")
    atexit.register(shutil.rmtree, folder, True)
    use_private_cache(folder)
    _WORKER_DIR = folder  # only once set up: a failure above is raised again at the next batch


def make_batches(spec, todo: list[tuple], batch_size: int, workers: int) -> list[list]:
    """Group pending (point, repeat, seed, values) items by network structure and cut them into batches.

    Parameters
    ----------
    spec : SweepSpec
        The sweep; for ``kind = "function"`` every item is in one group.
    todo : list of tuple
        The pending ``(point, repeat, seed, values)`` items.  Items whose models share the
        network structure (:func:`painsim.circuits.structure_key`) and time step form a group.
    batch_size : int
        At most this many items per batch.
    workers : int
        The workers; each group is cut by :func:`painsim.parallel.chunks`.

    Returns
    -------
    list of list
        The batches, group after group.
    """
    groups: dict = {}
    if spec.kind == "function":
        groups[None] = todo
    else:
        keys = {}
        for it in todo:
            i = it[0]
            if i not in keys:
                model = build_point(spec, it[3])[0]
                keys[i] = (repr(structure_key(model)), model.si("network.dt"))
            groups.setdefault(keys[i], []).append(it)
    return [b for members in groups.values() for b in chunks(members, batch_size, workers)]


def evaluate_batch(spec, items: Sequence[tuple[int, int, int, dict]]) -> list[dict]:
    """Compute one batch of (point, repeat, seed, values) items; never raises for a point's error.

    Returns one result per item: ``{"i", "r", "seed", "ok", "data", "error",
    "pid", "compute_s"}`` (and ``"traceback"`` for a failure).  If the batch
    fails, its points are computed one at a time to isolate the failing ones.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    items : sequence of tuple
        ``(point, repeat, seed, values)``: ``values`` maps each axis path to the point's value.

    Returns
    -------
    list of dict
        One per item, in order: ``data`` the outcomes Dataset (None for a failure),
        ``compute_s`` the computing time in s (a batch that succeeds shares its time equally
        among its items; 0 for a failure).
    """
    t0 = time.time()
    try:
        outs = _evaluate(spec, items)
        dt = (time.time() - t0) / max(len(items), 1)
        return [_ok(it, ds, dt) for it, ds in zip(items, outs)]
    except Exception:
        if len(items) == 1:
            return [failed_result(items[0], sys.exc_info()[1])]
    results = []  # a batch failed: isolate the failing point(s)
    for it in items:
        t0 = time.time()
        try:
            results.append(_ok(it, _evaluate(spec, [it])[0], time.time() - t0))
        except Exception as e:  # noqa: BLE001 - recorded with its message
            results.append(failed_result(it, e))
    return results


def _ok(item, ds, dt) -> dict:
    return {"i": item[0], "r": item[1], "seed": item[2], "ok": True, "data": ds, "error": "",
            "pid": os.getpid(), "compute_s": dt}


def failed_result(item, e: BaseException) -> dict:
    """The result of an item that failed with ``e``.

    Parameters
    ----------
    item : tuple
        ``(point, repeat, seed, values)``.
    e : BaseException
        The error.

    Returns
    -------
    dict
        As a result of :func:`evaluate_batch`: ``ok`` False, ``data`` None, ``error`` the
        error's type and message, ``traceback`` the last lines of its traceback,
        ``compute_s`` 0.
    """
    tb = "".join(traceback.format_exception(type(e), e, e.__traceback__)[-6:])
    return {"i": item[0], "r": item[1], "seed": item[2], "ok": False, "data": None,
            "error": f"{type(e).__name__}: {e}", "traceback": tb, "pid": os.getpid(), "compute_s": 0.0}


def _evaluate(spec, items: Sequence[tuple]) -> list[xr.Dataset]:
    if spec.kind == "function":
        return [_function_outcomes(spec, point, seed) for _, _, seed, point in items]
    if spec.kind == "simulate":
        return _simulate(spec, items)
    return _courses(spec, items)


def _simulate(spec, items) -> list[xr.Dataset]:
    reqs, per_neuron = [], _swept_neuron_parameters(spec)
    for _, _, seed, point in items:
        model, stim, nox, tou = build_point(spec, point)
        reqs.append(simulation.Request(model, stim, nox, tou, seed, per_neuron=per_neuron))
    results = simulation.simulate_batch(reqs, f"{spec.duration!r} s", batch_size=max(len(reqs), 1))
    return [_simulate_outcomes(spec, ds, req) for ds, req in zip(results, reqs)]


def _courses(spec, items) -> list[xr.Dataset]:
    """Points of one protocol run as one course batch."""
    groups: dict[str, list[int]] = {}
    for k, (_, _, _, point) in enumerate(items):
        groups.setdefault(json.dumps(protocol_overrides(point, spec), sort_keys=True), []).append(k)
    out: list = [None] * len(items)
    for members in groups.values():
        protocol = point_protocol(spec, items[members[0]][3])
        models = [build_point(spec, items[k][3])[0] for k in members]
        results = course.run_course_batch(models, protocol, seeds=[items[k][2] for k in members],
                                          per_neuron=_swept_neuron_parameters(spec))
        for k, ds in zip(members, course.per_patient(results)):
            out[k] = _pick(ds, spec.outcomes)
    return out


def _swept_neuron_parameters(spec) -> frozenset:
    """Neuron parameters the sweep's axes set: stored per neuron in every point, so
    that points differing in them still share networks (the same for every batch)."""
    return neuron_variables(a.path for a in spec.axes)


def _simulate_outcomes(spec, ds: xr.Dataset, request) -> xr.Dataset:
    out = xr.Dataset()
    for o in spec.outcomes:
        if o in ds:
            out[o] = ds[o]
        elif o == "sep":   # checked before any work: every point has one test electrode
            test = sep_electrode(as_devices(request.stimulus), request.model)
            sep = point_evoked(ds, request.model, test, duration=spec.duration)[0]
            out[o] = ((), sep, {"units": "1", "long_name": "evoked DCN spikes per neuron and test pulse "
                                "(above the pre-pulse baseline)"})
        elif o.startswith("rate_"):
            r = ds["rates"].sel(population=o[5:])
            t0 = float(ds.attrs["readout_start_s"])  # the point's own window (readout.transient may be swept)
            r = r.where(r.time >= t0, drop=True) if float(r.time.max()) > t0 else r
            out[o] = ((), float(r.mean()), {"units": "Hz", "long_name": f"mean {o[5:]} rate after the transient"})
        else:  # checked before any work (points.point_outcomes): a layer that left out its readout
            raise _missing(o, ds)
    return out.drop_vars([c for c in out.coords if c not in out.dims], errors="ignore")


def _pick(ds: xr.Dataset, outcomes: Sequence[str]) -> xr.Dataset:
    missing = [o for o in outcomes if o not in ds]
    if missing:
        raise _missing(missing[0], ds)
    return ds[list(outcomes)]


def _missing(outcome: str, ds: xr.Dataset) -> SpecError:
    """The error of a point whose result lacks ``outcome`` (it fails with this message)."""
    return SpecError("outcomes", outcome, "an outcome this point's result has: "
                     + ", ".join(str(v) for v in ds.data_vars if ds[v].ndim <= 2 and not str(v).startswith(
                         ("pre_", "post_", "spike_"))))


def _function_outcomes(spec, point: Mapping, seed: int) -> xr.Dataset:
    res = spec.function(dict(point), seed)
    if isinstance(res, xr.Dataset):
        ds = res
    elif isinstance(res, Mapping):
        ds = xr.Dataset({k: (tuple(f"{k}_dim{j}" for j in range(np.ndim(v))), np.asarray(v))
                         for k, v in res.items()})
    else:
        raise ParameterError("function result", type(res).__name__, "a dict of outcomes or an xarray.Dataset")
    if not spec.outcomes:  # the declared ones are checked with the spec, before any point runs
        check_outcome_names(spec, [str(v) for v in ds.data_vars], "function result outcome")
    return _pick(ds, spec.outcomes) if spec.outcomes else ds
