"""Files written all or nothing, also when Ctrl-C arrives during the write.

A file is written to a temporary name in its folder and renamed into place (an atomic
operation on POSIX file systems), so nothing half-written is ever found under its name.

Ctrl-C (SIGINT) is held while the main thread writes: a ``KeyboardInterrupt`` raised inside
xarray's NetCDF writer can leave one of its locks held, and the writer's ``close`` then waits
for that lock forever (the process hangs, leaving its temporary file).  The first SIGINT is
remembered, the write ends (committed, or cleaned up if it failed) and the interrupt is
delivered as the ``with`` block ends (the outermost one, if blocks nest); a second SIGINT is
delivered at once, the way out of a write that itself hangs (the temporary file is still
removed).
"""
from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from pathlib import Path

__all__ = ["atomic_path", "ctrl_c_held", "file_mode"]


def file_mode() -> int:
    """The mode of a new file under the process's umask (``0o666 & ~umask``, e.g. 0o644)."""
    try:  # Linux: read it without changing it (no window in which another thread sees umask 0)
        with open("/proc/self/status") as f:
            mask = next((int(line.split()[1], 8) for line in f if line.startswith("Umask:")), None)
    except OSError:
        mask = None
    if mask is None:
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


class _HeldInterrupt:
    """SIGINT held in the main thread while :class:`atomic_path` blocks are open.

    One state for the process: the outermost block installs the handler and restores the one it
    replaced; blocks inside it leave the handler alone, so a held SIGINT is delivered when the
    outermost ends and a second one is a second one whichever block it arrives in.
    """

    def __init__(self):
        self.previous = None  # the handler the outermost block replaced
        self.count = 0  # SIGINTs received while held
        self.frame = None  # where the first one arrived, for the handler it is delivered to
        self.escaped = False  # a second SIGINT was delivered at once
        self.closing = False  # the outermost block is ending: SIGINTs are only counted
        self.handler = self._received  # one object: what signal.getsignal returns while held

    def hold(self) -> bool:
        """Hold SIGINT until :meth:`release`; whether this block holds it (the outermost one in the
        main thread: no handler can be set in another thread, and SIG_IGN, SIG_DFL or a handler
        set outside Python are left as they are)."""
        if threading.current_thread() is not threading.main_thread():
            return False
        previous = signal.getsignal(signal.SIGINT)
        if previous is self.handler or not callable(previous):  # inside another block, or not Python's
            return False
        self.previous, self.count, self.frame, self.escaped, self.closing = previous, 0, None, False, False
        try:
            signal.signal(signal.SIGINT, self.handler)
        except ValueError:  # not the main interpreter
            return False
        return True

    def _received(self, signum, frame) -> None:
        self.count += 1
        if self.count == 1:
            self.frame = frame
        elif not self.closing:  # a second Ctrl-C: at once (a write that hangs can be left)
            self.escaped = True
            signal.signal(signal.SIGINT, self.previous)  # later ones go straight to it
            self.previous(signum, frame)

    def release(self) -> None:
        """End the hold: restore the handler, then deliver a SIGINT held meanwhile to it (Python's
        raises ``KeyboardInterrupt``)."""
        self.closing = True
        if signal.getsignal(signal.SIGINT) is self.handler:  # not if a second SIGINT restored it already
            signal.signal(signal.SIGINT, self.previous)
        frame, self.frame = self.frame, None
        if self.count and not self.escaped:
            self.previous(signal.SIGINT, frame)


_HELD = _HeldInterrupt()


@contextlib.contextmanager
def ctrl_c_held():
    """Hold Ctrl-C (SIGINT) while the block runs, as :class:`atomic_path` does for a write: in the
    main thread, the first SIGINT is delivered as the block ends, a second one at once (for reads
    through xarray, which can hang on an interrupt as its writer does)."""
    held = _HELD.hold()
    try:
        yield
    finally:
        if held:
            _HELD.release()


class atomic_path:
    """Context manager yielding a temporary path that replaces ``path`` on success.

    The file gets the mode of any new file under the process's umask (:func:`file_mode`),
    not the 0600 of a temporary file.

    In the main thread, Ctrl-C (SIGINT) is held while the block runs: the file is written (or
    the block fails and its temporary is removed), the SIGINT handler is restored and the
    interrupt delivered to it as the block ends (Python's default handler raises
    ``KeyboardInterrupt``; inside another ``atomic_path`` block, as the outer block ends); a
    second Ctrl-C is delivered at once, leaving no temporary.  Other threads, and a handler
    that is not a Python function (SIG_IGN, SIG_DFL), are not affected.

    Parameters
    ----------
    path : str or path-like
        The file to write; its folder is created if missing.
    suffix : str
        Suffix of the temporary file (default ``".tmp"``), made in the same
        folder; it is removed if the ``with`` block raises.
    """

    def __init__(self, path: str | os.PathLike, suffix: str = ".tmp"):
        self.path = Path(path)
        self.suffix = suffix
        self.tmp: Path | None = None
        self._held = False

    def __enter__(self) -> Path:
        self.tmp = None
        self._held = _HELD.hold()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=self.suffix, dir=self.path.parent)
            self.tmp = Path(tmp)
            os.close(fd)
        except BaseException:
            self.__exit__(*_FAILED)
            raise
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._commit()
            elif self.tmp is not None:
                self.tmp.unlink(missing_ok=True)
        finally:
            if self._held:
                self._held = False
                _HELD.release()
        return False

    def _commit(self) -> None:
        try:
            if self.tmp.is_file():
                _fsync(self.tmp)  # on disk before the rename: a crash cannot leave an empty file
                os.chmod(self.tmp, file_mode())
            os.replace(self.tmp, self.path)
        except BaseException:
            self.tmp.unlink(missing_ok=True)
            raise


#: ``__exit__`` arguments of an ``__enter__`` that failed (the temporary is removed).
_FAILED = (BaseException, None, None)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
