"""Worker processes die with the command that started them.

Each test starts the real CLI (``python -m painsim.cli``) with two workers,
waits until its worker processes run, kills the CLI with SIGKILL (no clean-up
code of painsim runs) and asserts that none of its descendants (workers, the
multiprocessing resource tracker, Dask's worker processes) is alive 10 s
later.  Survivors are killed in a ``finally`` block, so that a failing test
leaves nothing running.  Linux only (``/proc`` and ``prctl``).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import painsim.processes

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux: /proc and prctl")

ROOT = Path(__file__).resolve().parents[1]


def _stats() -> dict[int, list[str]]:
    """{pid: fields of /proc/<pid>/stat after the command name} of every process:
    state, parent pid, process group, ..."""
    out = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            out[int(d.name)] = stat[stat.rindex(")") + 2:].split()
    return out


def _parents() -> dict[int, int]:
    """{pid: parent pid} of every process (from /proc)."""
    return {pid: int(fields[1]) for pid, fields in _stats().items()}


def _descendants(pid: int) -> set[int]:
    parents, found, todo = _parents(), set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p} - found
        found |= kids
        todo += list(kids)
    return found


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie)."""
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _group(pgid: int) -> set[int]:
    """Running processes whose process group is ``pgid`` (from /proc)."""
    return {pid for pid, fields in _stats().items() if int(fields[2]) == pgid and fields[0] != "Z"}


def _assert_all_ended(seen: set[int], pgid: int) -> None:
    """Every process of the snapshot ``seen`` and of the killed CLI's process group has ended."""
    deadline = time.time() + 10
    while time.time() < deadline and (any(_alive(p) for p in seen) or _group(pgid)):
        time.sleep(0.2)
    survivors = {p: _cmdline(p) for p in seen | _group(pgid) if _alive(p)}
    assert not survivors, f"children of the killed CLI still run: {survivors}"


def _workers(pid: int) -> set[int]:
    """Descendants of ``pid`` that are workers (not the resource tracker)."""
    return {c for c in _descendants(pid) if "resource_tracker" not in _cmdline(c)}


def _kill_cli_and_check(args: list[str], tmp_path: Path, n_workers: int, settle: float = 3.0):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PAINSIM_TARGET": "numpy",
           "PAINSIM_WORKER_CACHE": str(tmp_path / "cache")}
    log = open(tmp_path / "cli.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "painsim.cli", *args], cwd=tmp_path, env=env,
                            start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    seen: set[int] = set()
    try:
        deadline = time.time() + 180
        while len(_workers(proc.pid)) < n_workers:
            assert proc.poll() is None, (tmp_path / "cli.log").read_text()
            assert time.time() < deadline, "the workers did not start"
            time.sleep(0.2)
        time.sleep(settle)  # the workers are busy now
        seen = _descendants(proc.pid)
        assert proc.poll() is None, (tmp_path / "cli.log").read_text()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        _assert_all_ended(seen, proc.pid)  # the CLI leads its own session: its pid is the group id
    finally:
        _kill_survivors(proc, seen | _descendants(proc.pid))
        log.close()



def _kill_survivors(proc, pids) -> None:
    """Clean-up, so that a failing test leaves nothing running: the given processes
    (only those of the CLI this test started) and the session the test started."""
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.wait()

SWEEP = textwrap.dedent("""
    [sweep]
    name = "orphans"
    model = "gate_control"
    duration = "3 s"
    noxious = 0.6
    seed = 1
    batch_size = 1
    outcomes = ["pain"]
    [parameters]
    "pathology.disinhibition" = {min = 0.0, max = 1.0, n = 8}
    """)


def test_sweep_workers_die_with_the_cli(tmp_path):
    (tmp_path / "spec.toml").write_text(SWEEP)
    _kill_cli_and_check(["sweep", "spec.toml", "--workers", "2", "--out", "out"], tmp_path, 2)


def test_dask_local_workers_die_with_the_cli(tmp_path):
    pytest.importorskip("distributed")
    (tmp_path / "spec.toml").write_text(SWEEP)
    _kill_cli_and_check(["sweep", "spec.toml", "--workers", "2", "--scheduler", "local", "--out", "out"],
                        tmp_path, 2, settle=5.0)


def test_cohort_workers_die_with_the_cli(tmp_path):
    cohort = (ROOT / "experiments" / "rtms_cohort.toml").read_text()
    (tmp_path / "cohort.toml").write_text(cohort)
    _kill_cli_and_check(["run", "cohort.toml", "--n-patients", "4", "--workers", "2", "--out", "out"],
                        tmp_path, 2)


WATCHDOG = textwrap.dedent("""
    import multiprocessing as mp, os, sys, time

    def child(ppid):
        from painsim.parallel import die_with_parent
        sys.platform = "other"  # no prctl: the portable watchdog thread
        die_with_parent(ppid)
        sys.platform = "linux"
        print("armed", flush=True)
        time.sleep(120)

    if __name__ == "__main__":
        mp.get_context("spawn").Process(target=child, args=(os.getpid(),)).start()
        time.sleep(120)
    """)


def test_the_portable_watchdog_ends_a_worker_whose_parent_died(tmp_path):
    (tmp_path / "watchdog.py").write_text(WATCHDOG)
    _kill_cli_and_check_script(tmp_path / "watchdog.py", tmp_path)


def _kill_cli_and_check_script(script: Path, tmp_path: Path):
    """As :func:`_kill_cli_and_check` for a script that starts one worker."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = tmp_path / "script.log"
    out = open(log, "wb")
    proc = subprocess.Popen([sys.executable, str(script)], cwd=tmp_path, env=env, start_new_session=True,
                            stdout=out, stderr=subprocess.STDOUT)
    seen: set[int] = set()
    try:
        deadline = time.time() + 60
        while "armed" not in log.read_text():  # the worker is up and has armed its watchdog
            assert proc.poll() is None and time.time() < deadline, log.read_text()
            time.sleep(0.1)
        assert _workers(proc.pid), log.read_text()
        seen = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        _assert_all_ended(seen, proc.pid)
    finally:
        _kill_survivors(proc, seen)
        out.close()


TIED = textwrap.dedent("""
    import multiprocessing as mp, os, subprocess, sys, time

    def child(ppid, tied, armer):
        from painsim.parallel import die_with_parent
        from painsim import processes
        die_with_parent(ppid)
        if armer == "preexec":  # the fallback where setpriv is missing: the signal armed in a preexec_fn
            processes.USE_SETPRIV = False
        else:
            assert processes.setpriv_path() is not None, "setpriv --pdeathsig is not available here"
        # a command that starts grandchildren, as make starts the compiler
        line = "sleep 120 & sleep 120 & wait"
        print("armed", flush=True)
        processes.run_tied(["sh", "-c", line]) if tied else subprocess.call(["sh", "-c", line])

    if __name__ == "__main__":
        mp.get_context("spawn").Process(target=child, args=(os.getpid(), sys.argv[1] == "tied", sys.argv[2])).start()
        time.sleep(120)
    """)


@pytest.mark.parametrize("tied, armer", [(True, "setpriv"), (True, "preexec"), (False, "-")],
                         ids=["run_tied (setpriv)", "run_tied (preexec_fn fallback)", "plain call (control)"])
def test_commands_a_worker_starts_end_with_it(tmp_path, tied, armer):
    """A worker's own commands (the standalone engine's make and compiled program run through
    painsim.processes.run_tied) end when the worker is killed with its parent, whether the
    signal is armed by ``setpriv --pdeathsig`` or, where that is missing, in a ``preexec_fn``;
    the control, a plain subprocess.call, leaves its grandchildren running (they are killed
    afterwards)."""
    if armer == "setpriv" and painsim.processes.setpriv_path() is None:
        pytest.skip("this machine has no setpriv with --pdeathsig (util-linux >= 2.33)")
    (tmp_path / "tied.py").write_text(TIED)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = tmp_path / "script.log"
    out = open(log, "wb")
    proc = subprocess.Popen([sys.executable, str(tmp_path / "tied.py"), "tied" if tied else "plain", armer],
                            cwd=tmp_path, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT)
    seen: set[int] = set()
    try:
        deadline = time.time() + 60
        # both sleeps running: `sh -c "sleep 120 & ..."` itself names "sleep 120" before it forks them
        while sum(_cmdline(p).startswith("sleep 120") for p in _descendants(proc.pid)) < 2:
            assert proc.poll() is None and time.time() < deadline, log.read_text()
            time.sleep(0.1)
        seen = _descendants(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        if tied:
            _assert_all_ended(seen, proc.pid)
        else:
            time.sleep(2.0)
            assert any(_alive(p) and _cmdline(p).startswith("sleep") for p in seen)
    finally:
        _kill_survivors(proc, seen)
        out.close()
