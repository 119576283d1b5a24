"""One executor for sweeps and cohorts: batches of work items in this process, in
local worker processes or on a Dask cluster.

A *batch* is a list of work items (sweep points, patients); a *task* is a
picklable callable (a module-level function or a :func:`functools.partial` of
one) that computes a whole batch: ``task(batch) -> result``.  The caller gets
each result through ``on_result(batch, result)`` as soon as its batch finishes,
in completion order, and persists it there.

Crash isolation (``on_error`` given): a worker process that dies (killed, out
of memory, a crash in compiled code) takes down every batch in flight; their
items are then run one at a time in a one-worker pool to find the culprit,
which is reported through ``on_error([item], error)``; the others complete.  A
batch whose result cannot be delivered (e.g. it cannot be pickled) is reported
through ``on_error(batch, error)``.  On a Dask cluster a failed batch is retried
item by item.  Without ``on_error`` every such error is raised.

Worker processes are started with ``spawn`` and stopped by their process ids
when the caller is interrupted (``KeyboardInterrupt`` is passed on).
"""
from __future__ import annotations

import math
import multiprocessing as mp
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Sequence

from ..errors import ParameterError

__all__ = ["run_batches", "chunks", "balanced_batches", "WORKER_DIED"]

#: Error message of an item whose worker process died while computing it.
WORKER_DIED = "the worker process died while computing this point (killed, out of memory or crashed)"

Batch = Sequence[Any]
OnResult = Callable[[Batch, Any], None]
OnError = Callable[[Batch, BaseException], None]


def chunks(items: Sequence, batch_size: int, workers: int = 1) -> list[list]:
    """Consecutive batches of at most ``batch_size`` items.

    With ``workers > 1`` the batches are also at most ``ceil(len(items) /
    workers)`` long, so that there are enough of them to keep every worker busy.
    """
    size = batch_size
    if workers > 1:
        size = max(1, min(batch_size, math.ceil(len(items) / workers)))
    return [list(items[s:s + size]) for s in range(0, len(items), size)]


def balanced_batches(n: int, batch_size: int, workers: int) -> list[tuple[int, int]]:
    """``(start, size)`` of batches of ``n`` items for ``workers`` processes.

    At most ``batch_size`` items per batch, as many batches as a multiple of
    the workers, sizes differing by at most one, so that the workers finish
    together (200 items, 32 per batch, 2 workers: 8 batches of 25, not
    6 x 32 + 8).
    """
    n_batches = min(n, workers * math.ceil(n / (workers * batch_size)))
    sizes = [n // n_batches + (b < n % n_batches) for b in range(n_batches)]
    starts = [sum(sizes[:b]) for b in range(n_batches)]
    return list(zip(starts, sizes))


def run_batches(task: Callable[[Batch], Any], batches: Sequence[Batch], on_result: OnResult,
                workers: int = 0, scheduler: str | None = None, setup: Callable[[], None] | None = None,
                on_error: OnError | None = None) -> None:
    """Compute every batch and hand each result to ``on_result(batch, result)``.

    Parameters
    ----------
    task : callable
        ``task(batch) -> result``; picklable for worker processes and Dask.
    batches : sequence of lists
        The work, cut into batches by the caller.
    on_result : callable
        Called in this process for each finished batch, in completion order.
    workers : int
        0: run every batch in this process, in order (no ``setup``).  N >= 1:
        N local worker processes; with a ``scheduler``, N Dask workers of a
        ``LocalCluster``.
    scheduler : str, optional
        A Dask scheduler address (``"tcp://host:8786"``) or ``"local"``.
    setup : callable, optional
        Run in a worker before each batch (it must be idempotent per process),
        e.g. a private compilation cache of the worker.
    on_error : callable, optional
        ``on_error(items, error)`` for items whose worker failed (see the
        module docstring); without it such errors are raised.
    """
    if not batches:
        return
    if scheduler is not None:
        _run_dask(task, batches, workers, scheduler, on_result, setup, on_error)
    elif workers == 0:
        for b in batches:
            on_result(b, task(b))
    else:
        _run_processes(task, batches, workers, on_result, setup, on_error)


def _in_worker(setup, task, batch):
    """A batch in a worker (module level: picklable)."""
    if setup is not None:
        setup()
    return task(batch)


def _kill_pool(pool) -> None:
    """Stop the worker processes of a pool we started (by their pids)."""
    procs = list(getattr(pool, "_processes", {}).values()) if pool is not None else []
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.kill()
        except Exception:  # noqa: BLE001 - already gone
            pass


def _deliver(f, b, on_result, on_error) -> bool:
    """Hand a finished future's result on; False if its worker process died."""
    try:
        on_result(b, f.result())
    except BrokenProcessPool:
        if on_error is None:
            raise
        return False
    except Exception as e:  # noqa: BLE001 - e.g. a result that cannot be pickled
        if on_error is None:
            raise
        on_error(b, e)
    return True


def _run_processes(task, batches, workers, on_result, setup, on_error):
    """Local worker processes ('spawn'); survives a worker dying when ``on_error`` is given."""
    ctx = mp.get_context("spawn")
    queue = deque(batches)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    inflight: dict = {}
    try:
        while queue or inflight:
            while queue and len(inflight) < workers + 1:
                b = queue.popleft()
                inflight[pool.submit(_in_worker, setup, task, b)] = b
            done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            broken = []
            for f in done:
                b = inflight.pop(f)
                if not _deliver(f, b, on_result, on_error):
                    broken.append(b)
            if broken:
                # A worker died: every batch in flight is suspect.  Run their items one at a
                # time in a one-worker pool to find the culprit, and go on with a fresh pool.
                suspects = broken + list(inflight.values())
                inflight.clear()
                _kill_pool(pool)
                _run_isolated(task, [it for b in suspects for it in b], ctx, on_result, setup, on_error)
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
    except BaseException:
        _kill_pool(pool)
        raise
    pool.shutdown(wait=True)


def _run_isolated(task, items, ctx, on_result, setup, on_error):
    """Each item alone in a one-worker pool; an item that kills its worker goes to ``on_error``."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
    try:
        for it in items:
            try:
                on_result([it], pool.submit(_in_worker, setup, task, [it]).result())
            except BrokenProcessPool:
                on_error([it], RuntimeError(WORKER_DIED))
                _kill_pool(pool)
                pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
    except BaseException:
        _kill_pool(pool)
        raise
    pool.shutdown(wait=True)


def _dask_client(workers, scheduler):
    """(client, cluster or None) of a scheduler address or a LocalCluster."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ParameterError("scheduler", scheduler, "dask.distributed installed "
                             "(pip install 'painsim[cluster]') to use a Dask scheduler") from None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        return Client(cluster), cluster
    return Client(scheduler), None


def _run_dask(task, batches, workers, scheduler, on_result, setup, on_error):
    """Batches as Dask tasks; a failed batch is retried item by item when ``on_error`` is given."""
    client, cluster = _dask_client(workers, scheduler)
    from dask.distributed import as_completed
    try:
        futures = {client.submit(_in_worker, setup, task, b, pure=False): b for b in batches}
        ac = as_completed(list(futures))
        for f in ac:
            b = futures.pop(f)
            try:
                on_result(b, f.result())
            except Exception as e:  # noqa: BLE001 - KilledWorker and friends
                if on_error is None:
                    raise
                if len(b) > 1:
                    for it in b:
                        g = client.submit(_in_worker, setup, task, [it], pure=False)
                        futures[g] = [it]
                        ac.add(g)
                else:
                    on_error(b, RuntimeError(f"the Dask worker failed on this point: {type(e).__name__}: {e}"))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
