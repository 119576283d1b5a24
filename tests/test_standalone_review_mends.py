"""Review of the compiled engine's fixes (2026-12-07, a ninth session): no compile in this file."""
import os
import signal
import threading

import pytest

from painsim.circuits import standalone, standalone_cache
from painsim.circuits.standalone import StandaloneNetwork


def _network_with_binary(tmp_path):
    """A StandaloneNetwork shell (no brian2 project) whose program and cached binary are the same bytes."""
    net = object.__new__(StandaloneNetwork)
    net._directory = tmp_path / "project"
    net._directory.mkdir()
    (net._directory / "main").write_bytes(b"binary")
    net._cached = tmp_path / "bin" / "abc"   # the cache folder bin/<code hash>, holding main
    net._cached.mkdir(parents=True)
    (net._cached / "main").write_bytes(b"binary")
    net._recompile, net.from_cache = False, True
    return net


def test_a_program_the_system_cannot_execute_keeps_its_binary(tmp_path):
    """126 evicted the binary and recompiled at every run (a noexec root: forever); now kept and said."""
    net = _network_with_binary(tmp_path)
    e = net._failed(126)
    assert (net._cached / "main").exists() and not net._recompile and net.from_cache
    assert "could not execute" in str(e) and "noexec" in str(e)


@pytest.mark.parametrize("status", [128 + signal.SIGILL, 127])
def test_a_bad_binary_is_still_evicted_and_not_from_the_cache(tmp_path, status):
    """Negative control: SIGILL, and 127 (the loader could not find a library the binary was linked
    against, e.g. one cached from another environment), evict: the network recompiles."""
    net = _network_with_binary(tmp_path)
    net._failed(status)
    assert not net._cached.exists() and net._recompile and not net.from_cache


def test_a_forked_child_gets_a_lock_of_its_own():
    """A child forked while another thread held the device lock waited forever for it."""
    held, release = threading.Event(), threading.Event()

    def hold():
        with standalone._DEVICE_LOCK:
            held.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(10)
    try:
        pid = os.fork()
        if pid == 0:  # the child: exit 0 if the lock can be taken
            os._exit(0 if standalone._DEVICE_LOCK.acquire(timeout=5) else 1)
        _, status = os.waitpid(pid, 0)
    finally:
        release.set()
        t.join()
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_relative_root_is_resolved_once(tmp_path, monkeypatch):
    """The root was made absolute against the working directory of each call: a call made while another
    thread's program ran (brian2 in its project folder) put the root inside that folder."""
    standalone_cache._absolute_root.cache_clear()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.setenv("PAINSIM_STANDALONE_DIR", "relroot")
    monkeypatch.chdir(tmp_path / "a")
    first = standalone_cache.standalone_root()
    monkeypatch.chdir(tmp_path / "b")
    assert standalone_cache.standalone_root() == first == tmp_path / "a" / "relroot"
    monkeypatch.setenv("PAINSIM_STANDALONE_DIR", str(tmp_path / "abs"))  # negative control: a new value
    assert standalone_cache.standalone_root() == tmp_path / "abs"
    standalone_cache._absolute_root.cache_clear()  # "relroot" here is this test's
