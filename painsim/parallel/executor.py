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

A task that calls ``sys.exit()`` fails; it does not end the run (in any mode, also
``workers=0``): its ``SystemExit`` becomes a :class:`TaskExit`, and a batch of several
items is run again item by item, so that ``on_error([item], TaskExit)`` reports only
the item that exits.  ``KeyboardInterrupt`` still stops the run.

Progress within a batch: a task may call :func:`report` (``report(message)``,
any picklable message) while it computes; the caller gets it through
``on_progress(batch, message)`` in this process (from worker processes through
a queue, polled while waiting for results; a batch's messages arrive before its
result).  On Dask ``report`` does nothing.

Process model (local workers).  Worker processes are started with ``spawn``
by the thread that calls :func:`run_batches`, so their parent is this process
(not a fork server: with ``forkserver`` the workers' parent would be the
server, which outlives a killed caller; ``fork`` would copy threads and
brian2/numba state).  Each worker's initializer ties its life to its parent:
on Linux ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (the kernel kills the worker
when the thread that started it ends, even if the caller is killed with
SIGKILL), elsewhere a watchdog thread that exits when ``os.getppid()``
changes; a worker whose parent is already gone when it starts exits at once.
multiprocessing's resource tracker (a child of this process) exits when the
last process holding its pipe (this process and the workers) has ended.  Dask
``LocalCluster`` worker processes (``scheduler="local"``) are children of this
process too and exit when it does (distributed closes a parent-alive pipe);
the scheduler and nannies run inside this process.  On an ordinary error or
``KeyboardInterrupt`` the workers are stopped by their process ids and the
exception is passed on.
"""
from __future__ import annotations

import itertools
import math
import multiprocessing as mp
import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Sequence

from ..errors import ParameterError
from ..processes import parent_death_signal

__all__ = ["run_batches", "chunks", "balanced_batches", "worker_count", "cut_for", "report", "die_with_parent",
           "in_worker", "WORKER_DIED", "TaskExit"]

#: Error message of an item whose worker process died while computing it.
WORKER_DIED = "the worker process died while computing this point (killed, out of memory or crashed)"

Batch = Sequence[Any]
OnResult = Callable[[Batch, Any], None]
OnError = Callable[[Batch, BaseException], None]
OnProgress = Callable[[Batch, Any], None]

#: Seconds between progress polls while waiting for worker results; watchdog period.
POLL_S = 0.25


class TaskExit(RuntimeError):
    """A task called ``sys.exit()``: the failure of the item computed, not the end of the run."""

# per process: where report() sends a message (set around each batch), and a worker's progress queue
_REPORTER: Callable[[Any], None] | None = None
_QUEUE = None
#: ``computing`` is True while this thread computes a batch of run_batches in a worker
#: (:func:`in_worker`); per thread, because a Dask cluster may run tasks in threads of the
#: calling process.
_WORKER_STATE = threading.local()


def chunks(items: Sequence, batch_size: int, workers: int = 1) -> list[list]:
    """Consecutive batches of at most ``batch_size`` items.

    With ``workers > 1`` the batches are also at most ``ceil(len(items) /
    workers)`` long, so that there are enough of them to keep every worker busy.

    Parameters
    ----------
    items : sequence
        The work items, kept in order.
    batch_size : int
        Most items per batch.
    workers : int
        The number of workers the batches are for.

    Returns
    -------
    list of list
        The batches (all but the last of one size).
    """
    size = batch_size
    if workers > 1:
        size = max(1, min(batch_size, math.ceil(len(items) / workers)))
    return [list(items[s:s + size]) for s in range(0, len(items), size)]


def worker_count(n_items: int, batch_size: int, workers: int) -> int:
    """The worker processes a run of ``n_items`` in batches from :func:`chunks` starts.

    Never more processes than batches (there is no work for the others), and the batches are cut
    for at most one worker per CPU (:func:`os.cpu_count`): asking for more workers than CPUs does
    not shrink the batches below ``batch_size`` (which would lose the batching for processes that
    only share the same cores).  Items of one batch group (one network structure) give exactly
    this many batches; several groups give more batches, still on this many processes.

    Parameters
    ----------
    n_items : int
        The work items to compute.
    batch_size : int
        Most items per batch.
    workers : int
        The worker processes asked for (0: this process).

    Returns
    -------
    int
        ``min(workers, number of batches)``; 0 for ``workers = 0`` or no items.
    """
    if workers <= 0 or n_items <= 0:
        return 0
    return min(workers, len(chunks(range(n_items), batch_size, cut_for(workers))))


def cut_for(workers: int) -> int:
    """The workers to cut batches for (:func:`chunks`): ``workers``, at most one per CPU.

    Parameters
    ----------
    workers : int
        The worker processes asked for.

    Returns
    -------
    int
    """
    return max(1, min(workers, os.cpu_count() or 1))


def balanced_batches(n: int, batch_size: int, workers: int) -> list[tuple[int, int]]:
    """``(start, size)`` of batches of ``n`` items for ``workers`` processes.

    At most ``batch_size`` items per batch, as many batches as a multiple of
    the workers, sizes differing by at most one, so that the workers finish
    together (200 items, 32 per batch, 2 workers: 8 batches of 25, not
    6 x 32 + 8).

    Parameters
    ----------
    n : int
        The number of items.
    batch_size : int
        Most items per batch.
    workers : int
        The number of worker processes.

    Returns
    -------
    list of tuple of int
        ``(start, size)`` per batch, consecutive, covering items 0 to ``n - 1``.
    """
    n_batches = min(n, workers * math.ceil(n / (workers * batch_size)))
    sizes = [n // n_batches + (b < n % n_batches) for b in range(n_batches)]
    starts = [sum(sizes[:b]) for b in range(n_batches)]
    return list(zip(starts, sizes))


def run_batches(task: Callable[[Batch], Any], batches: Sequence[Batch], on_result: OnResult,
                workers: int = 0, scheduler: str | None = None, setup: Callable[[], None] | None = None,
                on_error: OnError | None = None, on_progress: OnProgress | None = None) -> None:
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
        N local worker processes; with ``scheduler="local"``, N Dask workers of a
        ``LocalCluster``; never more processes than batches (the others would have
        no work).  Worker processes die with this process (module
        docstring).  Called inside a worker of another :func:`run_batches`
        (:func:`in_worker`) without a ``scheduler``, the batches run in that
        worker, which already holds one of the cores its caller asked for (with
        ``setup`` and ``on_error`` as in a pool).
    scheduler : str, optional
        A Dask scheduler address (``"tcp://host:8786"``) or ``"local"``.
    setup : callable, optional
        Run in a worker before each batch (it must be idempotent per process),
        e.g. a private compilation cache of the worker.
    on_error : callable, optional
        ``on_error(items, error)`` for items whose worker failed (see the
        module docstring); without it such errors are raised.
    on_progress : callable, optional
        ``on_progress(batch, message)`` in this process for each
        :func:`report` the task makes while computing ``batch`` (not on Dask).
    """
    if not batches:
        return
    if scheduler is not None:
        _run_dask(task, batches, workers, scheduler, on_result, setup, on_error)
    elif workers == 0:
        _run_here(task, batches, on_result, on_error, on_progress, hand_on=False)
    elif in_worker():
        _run_nested(task, batches, on_result, setup, on_error, on_progress)
    else:
        _run_processes(task, batches, workers, on_result, setup, on_error, on_progress)


def _run_nested(task, batches, on_result, setup, on_error, on_progress) -> None:
    """The batches of a run asked for worker processes from inside a worker: in this worker,
    one after the other, with their ``setup`` (idempotent per process) and, as in a pool,
    a batch that raises handed to ``on_error`` when given."""
    if setup is not None:
        setup()
    _run_here(task, batches, on_result, on_error, on_progress, hand_on=True)


def _run_here(task, batches, on_result, on_error, on_progress, hand_on: bool) -> None:
    """The batches in this process, one after the other: a batch whose task exits is split so that
    only the exiting item fails (:func:`_exited`); with ``hand_on``, a batch that raises goes to
    ``on_error`` when given, as in a pool (``workers=0`` raises it)."""
    queue = deque(batches)
    while queue:
        b = queue.popleft()
        try:
            result = _reporting(task, b, _progress_of(on_progress, b))
        except TaskExit as e:
            queue.extendleft(reversed(_exited(b, e, on_error)))
            continue
        except Exception as e:  # noqa: BLE001 - the batch's own failure, as _deliver hands it on
            if not hand_on or on_error is None:
                raise
            on_error(b, e)
            continue
        on_result(b, result)


def report(message: Any) -> None:
    """Report progress of the batch being computed (from inside a task).

    ``message`` (picklable) reaches the caller's ``on_progress(batch,
    message)`` of :func:`run_batches`, from this process or a worker process.
    Does nothing outside a batch of :func:`run_batches` and on Dask.

    Parameters
    ----------
    message : object
        What to report (picklable).
    """
    if _REPORTER is not None:
        _REPORTER(message)


def _progress_of(on_progress, batch):
    return None if on_progress is None else (lambda m: on_progress(batch, m))


def _reporting(task, batch, reporter):
    """``task(batch)`` with :func:`report` sent to ``reporter``; its ``SystemExit`` as a :class:`TaskExit`."""
    global _REPORTER
    before, _REPORTER = _REPORTER, reporter
    try:
        return task(batch)
    except SystemExit as e:  # the task's own failure (KeyboardInterrupt still stops the run)
        raise TaskExit(f"the computation called sys.exit({e.code!r})").with_traceback(e.__traceback__) from None
    finally:
        _REPORTER = before


def _exited(batch, e: TaskExit, on_error) -> list:
    """The batches to run again after ``batch`` raised ``e``: its items one by one, or none once
    ``on_error`` has the single item that exits (raised without ``on_error``)."""
    if on_error is None:
        raise e
    if len(batch) > 1:
        return [[it] for it in batch]
    on_error(batch, e)
    return []


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when its parent ``parent_pid`` ends (even by SIGKILL).

    Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; elsewhere (or if prctl
    fails) a daemon thread that exits the process when ``os.getppid()``
    changes.  Exits at once if the parent is already gone.

    Parameters
    ----------
    parent_pid : int
        The process id of the parent this process must not outlive (compared with
        ``os.getppid()``).
    """
    armed = parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)
    if not armed:
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="painsim-watchdog").start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_S)
    os._exit(1)


def _init_worker(parent_pid: int, queue) -> None:
    """Initializer of a local worker process: die with the parent, keep its progress queue."""
    global _QUEUE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops the workers by pid
    die_with_parent(parent_pid)
    _QUEUE = queue


def in_worker() -> bool:
    """Whether this thread is computing a batch of :func:`run_batches` in a worker (a local
    worker process or a Dask worker).  Work that would start workers of its own there (a
    cohort file's ``workers``) runs in the worker instead: its results do not depend on the
    number of processes, and nested pools would ask a machine for more cores than the
    caller's ``workers`` gave."""
    return getattr(_WORKER_STATE, "computing", False)


def _in_worker(setup, task, batch, key=None):
    """A batch in a worker (module level: picklable); ``key`` labels its progress messages."""
    before, _WORKER_STATE.computing = in_worker(), True
    try:
        if setup is not None:
            setup()
        queue = _QUEUE
        reporter = None if queue is None or key is None else (lambda m: queue.put((key, m)))
        return _reporting(task, batch, reporter)
    finally:
        _WORKER_STATE.computing = before


class _Pool:
    """A ProcessPoolExecutor of spawned workers that die with this process, and their progress queue."""

    def __init__(self, workers: int, ctx):
        self.queue = ctx.SimpleQueue()  # a new one per pool: a killed worker may hold the old one's lock
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                            initargs=(os.getpid(), self.queue))
        self.keys = itertools.count()
        self.batches: dict[int, Batch] = {}
        self.key_of: dict = {}

    def submit(self, setup, task, batch):
        key = next(self.keys)
        self.batches[key] = batch
        f = self.executor.submit(_in_worker, setup, task, batch, key)
        self.key_of[f] = key
        return f

    def drain(self, on_progress) -> None:
        """Hand on every progress message received so far."""
        while not self.queue.empty():
            key, message = self.queue.get()
            if on_progress is not None and key in self.batches:
                on_progress(self.batches[key], message)

    def wait(self, futures, on_progress):
        """Wait until one of ``futures`` is done, handing on progress meanwhile; the done ones."""
        while True:
            done, _ = wait(futures, timeout=POLL_S, return_when=FIRST_COMPLETED)
            self.drain(on_progress)
            for f in done:  # a batch's messages arrive before its result: forget it
                self.batches.pop(self.key_of.pop(f, None), None)
            if done:
                return done

    def kill(self) -> None:
        """Stop the worker processes we started (by their pids)."""
        procs = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            try:
                p.kill()
            except Exception:  # noqa: BLE001 - already gone
                pass

    def close(self) -> None:
        self.executor.shutdown(wait=True)


def _deliver(f, b, on_result, on_error, requeue) -> bool:
    """Hand a finished future's result on; False if its worker process died.

    Only the batch's own failure goes to ``on_error``; an exception raised by
    ``on_result`` itself (e.g. a full disk) is passed on.  A batch whose task
    exited goes to ``requeue`` item by item (:func:`_exited`).
    """
    try:
        result = f.result()
    except BrokenProcessPool:
        if on_error is None:
            raise
        return False
    except TaskExit as e:
        requeue(_exited(b, e, on_error))
        return True
    except Exception as e:  # noqa: BLE001 - e.g. a result that cannot be pickled
        if on_error is None:
            raise
        on_error(b, e)
        return True
    on_result(b, result)
    return True


def _run_processes(task, batches, workers, on_result, setup, on_error, on_progress):
    """Local worker processes ('spawn'); survives a worker dying when ``on_error`` is given."""
    ctx = mp.get_context("spawn")
    queue = deque(batches)
    workers = min(workers, len(batches))  # never a process without work
    pool = _Pool(workers, ctx)
    inflight: dict = {}
    try:
        while queue or inflight:
            while queue and len(inflight) < workers + 1:
                b = queue.popleft()
                inflight[pool.submit(setup, task, b)] = b
            done = pool.wait(list(inflight), on_progress)
            broken = []
            for f in done:
                b = inflight.pop(f)
                if not _deliver(f, b, on_result, on_error, lambda again: queue.extendleft(reversed(again))):
                    broken.append(b)
            if broken:
                # A worker died: every batch in flight is suspect.  Run their items one at a
                # time in a one-worker pool to find the culprit, and go on with a fresh pool.
                suspects = broken + list(inflight.values())
                inflight.clear()
                pool.kill()
                _run_isolated(task, [it for b in suspects for it in b], ctx, on_result, setup, on_error,
                              on_progress)
                pool = _Pool(workers, ctx)
    except BaseException:
        pool.kill()
        raise
    pool.close()


def _run_isolated(task, items, ctx, on_result, setup, on_error, on_progress):
    """Each item alone in a one-worker pool; an item that kills its worker goes to ``on_error``."""
    pool = _Pool(1, ctx)
    try:
        for it in items:
            f = pool.submit(setup, task, [it])
            pool.wait([f], on_progress)
            try:
                result = f.result()
            except BrokenProcessPool:
                on_error([it], RuntimeError(WORKER_DIED))
                pool.kill()
                pool = _Pool(1, ctx)
                continue
            except Exception as e:  # noqa: BLE001 - the task failed or its result cannot be pickled
                on_error([it], e)
                continue
            on_result([it], result)
    except BaseException:
        pool.kill()
        raise
    pool.close()


def _dask_client(workers, scheduler, n_batches):
    """(client, cluster or None) of a scheduler address or a LocalCluster of at most ``n_batches`` workers."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ParameterError("scheduler", scheduler, "dask.distributed installed "
                             "(pip install 'painsim[cluster]') to use a Dask scheduler") from None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(min(workers, n_batches), 1), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        try:
            return Client(cluster), cluster
        except BaseException:
            cluster.close()
            raise
    return Client(scheduler), None


def _run_dask(task, batches, workers, scheduler, on_result, setup, on_error):
    """Batches as Dask tasks; a failed batch is retried item by item when ``on_error`` is given."""
    client, cluster = _dask_client(workers, scheduler, len(batches))
    from dask.distributed import as_completed
    try:
        futures = {client.submit(_in_worker, setup, task, b, pure=False): b for b in batches}
        ac = as_completed(list(futures))
        for f in ac:
            b = futures.pop(f)
            try:
                result = f.result()
            except Exception as e:  # noqa: BLE001 - KilledWorker and friends
                if on_error is None:
                    raise
                if len(b) > 1:
                    for it in b:
                        g = client.submit(_in_worker, setup, task, [it], pure=False)
                        futures[g] = [it]
                        ac.add(g)
                elif isinstance(e, TaskExit):
                    on_error(b, e)
                else:
                    on_error(b, RuntimeError(f"the Dask worker failed on this point: {type(e).__name__}: {e}"))
                continue
            on_result(b, result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
