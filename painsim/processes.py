"""Processes that end with the process that started them.

painsim's rule is that no process outlives its parent: worker processes arm
the kernel's parent-death signal (:func:`painsim.parallel.die_with_parent`).
That signal is not inherited, so the commands a worker starts in turn (brian2's
standalone device compiles with ``make`` and runs the compiled program as a
child process) would survive a worker killed with its parent.
:func:`run_tied` runs such a command so that it, and everything it starts,
ends when the calling process ends, even by SIGKILL.

Linux only (``prctl(PR_SET_PDEATHSIG)``); elsewhere the functions fall back
to plain behaviour.

The signal is armed by util-linux's ``setpriv --pdeathsig`` where the machine has it, so
that Python can start the command with ``vfork``: arming it in a ``preexec_fn`` (the
fallback) makes Python ``fork`` the whole calling process, which costs ~10-25 ms for a
process holding a brian2 network (measured: 11.9 against 2.2 ms per command, 380 MB
process), paid on every run of a compiled program.
"""
from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
from typing import Sequence

__all__ = ["USE_SETPRIV", "parent_death_signal", "run_tied", "setpriv_path", "remove_dead_folders"]

#: Linux prctl option: the signal a process gets when its parent (thread) ends.
PR_SET_PDEATHSIG = 1

#: The shell between the caller and a tied command.  It leads its own process group, runs the
#: command in the background (same group) and waits for it; when the caller dies the kernel sends
#: it SIGTERM, and its trap sends SIGTERM to the whole group (the command and its children: make,
#: the compiler, ...).  Its exit status is the command's.
_TIED_SHELL = 'trap "trap - TERM; kill 0" TERM; "$@" & wait $!'


def parent_death_signal(sig: int) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent (thread) ends.

    Parameters
    ----------
    sig : int
        The signal (e.g. ``signal.SIGKILL``).

    Returns
    -------
    bool
        Whether it is armed (``False`` off Linux or if ``prctl`` failed).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _arm_shell() -> None:  # runs in the shell's process before exec
    parent_death_signal(signal.SIGTERM)


#: Whether :func:`run_tied` arms the signal with ``setpriv`` where :func:`setpriv_path` finds
#: it (False: always in a ``preexec_fn``, the fallback; tests/test_orphans.py runs both).
USE_SETPRIV = True


@functools.lru_cache(maxsize=None)
def setpriv_path() -> str | None:
    """The path of util-linux's ``setpriv`` if its ``--pdeathsig`` works here (util-linux >= 2.33),
    else None (checked once per process)."""
    path = shutil.which("setpriv")
    if path is None:
        return None
    try:
        done = subprocess.run([path, "--pdeathsig", "TERM", "true"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return path if done.returncode == 0 else None


def run_tied(argv: Sequence[str], **popen_kwargs) -> int:
    """Run ``argv``, wait for it and return its exit status, like :func:`subprocess.call`;
    if the calling process dies meanwhile, the command and every process it started end too.

    Parameters
    ----------
    argv : sequence of str
        The command (a program and its arguments; for a shell command line use
        ``["sh", "-c", line]``).
    **popen_kwargs
        Passed to :class:`subprocess.Popen` (e.g. ``stdout``, ``cwd``).

    Returns
    -------
    int
        The command's exit status (128 + n if signal n ended it).
    """
    if not sys.platform.startswith("linux"):
        return subprocess.call(list(argv), **popen_kwargs)
    shell = ["sh", "-c", _TIED_SHELL, "sh", *argv]
    armer = setpriv_path() if USE_SETPRIV else None
    if armer is not None:  # setpriv arms the signal in the process, then execs the shell
        proc = subprocess.Popen([armer, "--pdeathsig", "TERM", *shell], start_new_session=True, **popen_kwargs)
    else:
        proc = subprocess.Popen(shell, start_new_session=True, preexec_fn=_arm_shell, **popen_kwargs)
    try:
        return proc.wait()
    except BaseException:  # interrupted here (e.g. KeyboardInterrupt): do not leave the group running
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except OSError:
            pass
        proc.wait()
        raise


def remove_dead_folders(base, pattern: str) -> list[str]:
    """Remove the entries of ``base`` left by processes of this host that no longer exist: a
    process killed with SIGKILL (a worker its pool stops) never runs its exit clean-up.

    An entry is removed when its whole name matches ``pattern`` (a regular expression whose
    group ``pid`` is the creating process's id; the caller puts this host's name in it, since
    other hosts' processes cannot be seen from here) and no process of that pid exists.
    Entries of this process, of live processes, of processes of other users (which cannot be
    signalled) and names that do not match are kept.  Nothing is done off POSIX, where
    ``os.kill(pid, 0)`` does not probe, nor when ``base`` cannot be listed.

    Parameters
    ----------
    base : str or path-like
        The folder whose entries are examined (not recursively).
    pattern : str
        The regular expression an entry's whole name must match, with a group named ``pid``.

    Returns
    -------
    list of str
        The names removed.
    """
    if os.name != "posix":
        return []
    try:
        names = os.listdir(base)
    except OSError:
        return []
    removed = []
    for name in names:
        m = re.fullmatch(pattern, name)
        if m is None or int(m.group("pid")) == os.getpid():
            continue
        try:
            os.kill(int(m.group("pid")), 0)
        except ProcessLookupError:
            path = os.path.join(base, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(path)
            removed.append(name)
        except (OSError, OverflowError):  # alive under another user, or no such pid at all
            continue
    return removed
