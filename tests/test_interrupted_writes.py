"""Ctrl-C during a write: the file is whole or absent, no temporary stays, the process ends.

A ``KeyboardInterrupt`` raised inside xarray's NetCDF writer can leave one of its locks held,
and the writer's close then waits for that lock forever: processes interrupted while saving
hung, each leaving a hidden temporary.  :class:`painsim.atomic.atomic_path` (every atomic write
of painsim) holds SIGINT in the main thread while its block runs: the first Ctrl-C is delivered
as the block ends, after the file is committed (or the failed write cleaned up); a second one
at once.  Handlers other than Python functions, and other threads, are left alone.
:func:`painsim.io.load` holds it the same way while xarray reads (its reader hangs alike).
"""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from painsim import io
from painsim.atomic import atomic_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def ctrl_c():
    """Python's own SIGINT handler with SIGINT unblocked, as in an interactive process (a test
    runner's worker may ignore or block it); what the process had is put back after."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers are set in the main thread only")
    handler = signal.getsignal(signal.SIGINT)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, handler if handler is not None else signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def press_ctrl_c() -> None:
    """SIGINT to this process, its handler run before this returns (``os.kill`` to self leaves
    that to the interpreter's next check)."""
    signal.raise_signal(signal.SIGINT)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _ctrl_c_at_close(monkeypatch, pressed: bool) -> list:
    """xarray's NetCDF reader presses Ctrl-C (if ``pressed``) as it closes a file; the returned
    list gets an entry each time a close has finished."""
    real, closed = xr.backends.NetCDF4DataStore.close, []

    def close(store, *args, **kwargs):
        if pressed:
            press_ctrl_c()
        out = real(store, *args, **kwargs)
        closed.append(True)
        return out

    monkeypatch.setattr(xr.backends.NetCDF4DataStore, "close", close)
    return closed


def _dataset() -> xr.Dataset:
    return xr.Dataset({"x": (("t",), np.arange(5.0))})


# ------------------------------------------------------------------ one Ctrl-C: the write ends first
@pytest.mark.parametrize("pressed", [True, False])
def test_ctrl_c_during_a_save_is_raised_once_the_file_is_whole(ctrl_c, tmp_path, monkeypatch, pressed):
    """Negative control: the same save without Ctrl-C returns normally with the same file."""
    real, written = xr.Dataset.to_netcdf, []

    def interrupted_write(ds, *args, **kwargs):
        if pressed:
            press_ctrl_c()
        out = real(ds, *args, **kwargs)
        written.append(True)  # the writer ran to its end
        return out

    monkeypatch.setattr(xr.Dataset, "to_netcdf", interrupted_write)
    path = tmp_path / "r.nc"
    if pressed:
        with pytest.raises(KeyboardInterrupt):
            io.save(_dataset(), path)
    else:
        assert io.save(_dataset(), path) == path
    assert written == [True]
    np.testing.assert_array_equal(io.load(path)["x"].values, _dataset()["x"].values)
    assert leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_inside_a_block_is_raised_as_it_ends(ctrl_c, tmp_path):
    path, after = tmp_path / "t.csv", []
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(path) as tmp:
            tmp.write_text("a,b\n")
            press_ctrl_c()
            assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler  # held meanwhile
            with open(tmp, "a") as f:
                f.write("1,2\n")
            after.append(True)
    assert after == [True] and path.read_text() == "a,b\n1,2\n"
    assert leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_failed_write_is_cleaned_up_before_a_held_ctrl_c(ctrl_c, tmp_path):
    with pytest.raises(KeyboardInterrupt) as caught:
        with atomic_path(tmp_path / "t.csv") as tmp:
            tmp.write_text("a,b\n")
            press_ctrl_c()
            raise ValueError("the write failed")
    assert isinstance(caught.value.__context__, ValueError)  # the failure is kept beside it
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("pressed", [True, False])
def test_ctrl_c_during_a_load_is_raised_once_the_file_is_closed(ctrl_c, tmp_path, monkeypatch, pressed):
    """Reads through xarray hang on an interrupt as writes do.  Negative control: no Ctrl-C, the
    Dataset is returned."""
    path = io.save(_dataset(), tmp_path / "r.nc")
    closed = _ctrl_c_at_close(monkeypatch, pressed)
    if pressed:
        with pytest.raises(KeyboardInterrupt):
            io.load(path)
    else:
        np.testing.assert_array_equal(io.load(path)["x"].values, _dataset()["x"].values)
    assert closed and all(closed)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ------------------------------------------------------------------ a second Ctrl-C: at once
def test_a_second_ctrl_c_interrupts_the_write_at_once(ctrl_c, tmp_path):
    """The way out of a write that hangs; one Ctrl-C (above) lets the block finish."""
    reached = []
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(tmp_path / "t.csv") as tmp:
            tmp.write_text("a,b\n")
            press_ctrl_c()
            press_ctrl_c()
            reached.append(True)
    assert reached == []
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ------------------------------------------------------------------ the handler the process had
def test_a_custom_handler_gets_the_held_ctrl_c_after_the_write_and_stays(ctrl_c, tmp_path):
    calls = []

    def mine(signum, frame):
        calls.append(signum)

    signal.signal(signal.SIGINT, mine)
    with atomic_path(tmp_path / "t.csv") as tmp:
        tmp.write_text("a,b\n")
        press_ctrl_c()
        assert calls == []  # held
    assert calls == [signal.SIGINT]  # delivered once, after the write; it does not raise
    assert (tmp_path / "t.csv").read_text() == "a,b\n"
    assert signal.getsignal(signal.SIGINT) is mine


def test_an_ignored_ctrl_c_stays_ignored(ctrl_c, tmp_path):
    """SIG_IGN (painsim's worker processes) is not replaced during the write, nor after it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with atomic_path(tmp_path / "t.csv") as tmp:
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        tmp.write_text("a,b\n")
        press_ctrl_c()
    assert (tmp_path / "t.csv").read_text() == "a,b\n"
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_a_write_without_ctrl_c_behaves_as_before(ctrl_c, tmp_path):
    """Its own failure propagates as it is (not as an interrupt), its temporary removed."""
    with atomic_path(tmp_path / "t.csv") as tmp:
        tmp.write_text("a,b\n")
    assert (tmp_path / "t.csv").read_text() == "a,b\n"
    with pytest.raises(ValueError, match="the write failed"):
        with atomic_path(tmp_path / "u.csv") as tmp:
            tmp.write_text("a,b\n")
            raise ValueError("the write failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ------------------------------------------------------------------ nested writes
@pytest.mark.parametrize("presses", [1, 2])
def test_nested_writes_hold_ctrl_c_until_the_outer_one_ends(ctrl_c, tmp_path, presses):
    """One Ctrl-C in the inner write: both files are written, then the interrupt; two: at once,
    no file and no temporary of either."""
    done = []
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(tmp_path / "outer.csv") as outer:
            outer.write_text("outer\n")
            with atomic_path(tmp_path / "inner.csv") as inner:
                inner.write_text("inner\n")
                for _ in range(presses):
                    press_ctrl_c()
            done.append("inner")
            with open(outer, "a") as f:
                f.write("more\n")
            done.append("outer")
    if presses == 1:
        assert done == ["inner", "outer"]
        assert (tmp_path / "inner.csv").read_text() == "inner\n"
        assert (tmp_path / "outer.csv").read_text() == "outer\nmore\n"
        assert leftovers(tmp_path) == []
    else:
        assert done == [] and list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ------------------------------------------------------------------ other threads
def test_writes_in_other_threads_leave_the_handler_alone(ctrl_c, tmp_path):
    """Negative control: a write in the main thread holds SIGINT (another handler meanwhile)."""
    seen = {}

    def write(name):
        with atomic_path(tmp_path / f"{name}.csv") as tmp:
            tmp.write_text("a,b\n")
            seen[name] = signal.getsignal(signal.SIGINT)

    thread = threading.Thread(target=write, args=("thread",))
    thread.start()
    thread.join()
    write("main")
    assert seen["thread"] is signal.default_int_handler
    assert seen["main"] is not signal.default_int_handler
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.csv", "thread.csv"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ------------------------------------------------------------------ a real Ctrl-C from outside
SAVER = textwrap.dedent("""
    import signal, sys, time
    signal.signal(signal.SIGINT, signal.default_int_handler)  # as an interactive process has it
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
    import numpy as np, xarray as xr
    from painsim import io
    real = xr.Dataset.to_netcdf
    def slow(ds, *args, **kwargs):  # a write long enough to be interrupted in its middle
        print("writing", flush=True)
        time.sleep(float(sys.argv[2]))
        return real(ds, *args, **kwargs)
    xr.Dataset.to_netcdf = slow
    io.save(xr.Dataset({"x": (("t",), np.arange(5.0))}), sys.argv[1])
    print("returned", flush=True)
""")


@pytest.mark.parametrize("presses", [1, 2])
def test_a_process_interrupted_while_saving_ends_with_a_whole_file_or_none(tmp_path, presses):
    """SIGINT sent by another process during a save: once, the process finishes the file and then
    ends by KeyboardInterrupt; twice, it ends at once (long before its write would have ended)
    with no file and no temporary."""
    path = tmp_path / "out" / "r.nc"
    env = dict(os.environ, PYTHONPATH=str(ROOT), HOME=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path), "2" if presses == 1 else "60"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "writing"
        for _ in range(presses):
            proc.send_signal(signal.SIGINT)
            time.sleep(0.5)  # two presses, not one: signals pending together arrive as one
        out, err = proc.communicate(timeout=45)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "returned" not in out and err.strip().splitlines()[-1] == "KeyboardInterrupt", err[-2000:]
    assert leftovers(path.parent) == []
    if presses == 1:
        np.testing.assert_array_equal(io.load(path)["x"].values, np.arange(5.0))
    else:
        assert not path.exists()


@pytest.mark.parametrize("pressed", [True, False])
def test_ctrl_c_while_an_output_folder_names_its_result_is_raised_once_the_file_is_closed(
        ctrl_c, tmp_path, monkeypatch, pressed):
    """The read that names the experiment of a folder's results.nc (before a run replaces it) held
    no Ctrl-C.  Negative control: no Ctrl-C, the name is read."""
    from painsim.files import paths
    path = io.save(_dataset().assign_attrs(experiment="tiny"), tmp_path / "results.nc")
    closed = _ctrl_c_at_close(monkeypatch, pressed)
    if pressed:
        with pytest.raises(KeyboardInterrupt):
            paths._owner(path)
    else:
        assert paths._owner(path) == "tiny"
    assert closed == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
