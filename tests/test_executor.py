"""The executor's error routing (run_batches with local worker processes)."""
from __future__ import annotations

import multiprocessing as mp
import os
import signal

import pytest

from painsim.errors import ParameterError, UnknownKeyError
from painsim.parallel.executor import WORKER_DIED, _Pool, in_worker, run_batches


def _square(batch):
    return [x * x for x in batch]


def _die_or_fail(batch):
    for x in batch:
        if x == "die":
            os._exit(3)
        if x == "boom":
            raise ValueError("boom")
    return list(batch)


def _refuse(batch):
    raise UnknownKeyError(batch[0], ["c_gain", "tau_gaba"])


def _sigint_ignored(batch):
    return [signal.getsignal(signal.SIGINT) == signal.SIG_IGN for _ in batch]


def test_an_error_of_on_result_is_raised_not_reported_as_the_batch_failing():
    errors = []

    def on_result(batch, result):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        run_batches(_square, [[1, 2]], on_result, workers=1, on_error=lambda b, e: errors.append(b))
    assert errors == []


def test_a_failing_item_of_an_isolated_batch_goes_to_on_error():
    results, errors = {}, {}
    run_batches(_die_or_fail, [[1, "die", "boom", 2]], lambda b, r: results.update(zip(b, r)),
                workers=1, on_error=lambda b, e: errors.update({x: e for x in b}))
    assert results == {1: 1, 2: 2}
    assert str(errors["die"]) == WORKER_DIED
    assert isinstance(errors["boom"], ValueError)


def test_a_painsim_error_in_a_worker_reaches_the_caller_as_itself():
    """Its constructor's arguments are not its message, so it did not unpickle: the caller got
    "a process in the pool was terminated abruptly" instead of the named parameter."""
    with pytest.raises(ParameterError, match="did you mean 'c_gain'") as err:
        run_batches(_refuse, [["c_gian"]], lambda b, r: None, workers=1)
    assert isinstance(err.value, UnknownKeyError) and err.value.suggestion == "c_gain"
    assert err.value.name == "c_gian"


def test_workers_ignore_sigint():
    out = []
    run_batches(_sigint_ignored, [[0]], lambda b, r: out.extend(r), workers=1)
    assert out == [True]


def test_the_pool_forgets_finished_batches():
    pool = _Pool(1, mp.get_context("spawn"))
    try:
        f = pool.submit(None, _square, [3])
        pool.wait([f], None)
        assert f.result() == [9]
        assert pool.batches == {}
    finally:
        pool.close()


def _pids(batch):
    return [(os.getpid(), in_worker()) for _ in batch]


def _nested(batch):
    """In a worker: run_batches asked for 2 workers of its own."""
    inner = []
    run_batches(_pids, [[1], [2], [3]], lambda b, r: inner.extend(r), workers=2)
    return [(os.getpid(), inner) for _ in batch]


def test_workers_inside_a_worker_run_in_that_worker():
    """A run_batches inside a worker (a validation row that runs a cohort file with 2 workers)
    starts no pool of its own: every inner batch runs in the outer worker's process.  Negative
    control: at the top level the same call runs in 2 other processes."""
    assert not in_worker()
    top = []
    run_batches(_pids, [[1], [2], [3]], lambda b, r: top.extend(r), workers=2)
    assert all(pid != os.getpid() and flag for pid, flag in top), top
    out = []
    run_batches(_nested, [[0]], lambda b, r: out.extend(r), workers=1)
    (outer_pid, inner), = out
    assert outer_pid != os.getpid() and len(inner) == 3
    assert all(pid == outer_pid and flag for pid, flag in inner), (outer_pid, inner)


def _nested_failing(batch):
    """In a worker: an inner run whose second batch raises, with on_error as a pool would call it."""
    done, failed = [], []
    run_batches(_die_or_fail, [["a"], ["boom"], ["c"]], lambda b, r: done.extend(r), workers=2,
                on_error=lambda b, e: failed.append((list(b), str(e))))
    return [(done, failed) for _ in batch]


def test_a_failing_inner_batch_goes_to_on_error_and_the_flag_ends_with_the_batch():
    out = []
    run_batches(_nested_failing, [[0]], lambda b, r: out.extend(r), workers=1)
    (done, failed), = out
    assert done == ["a", "c"] and failed == [(["boom"], "boom")]
    assert not in_worker()  # in this process, before and after a run with workers
