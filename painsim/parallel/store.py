"""One resumable store for sweeps and cohorts: a folder of finished work items.

Every item (a sweep's (point, repeat), a cohort's patient) is written to its own file atomically
(a temporary name renamed into place) before it counts as done, so that an interrupted run (Ctrl-C,
``kill -9``, a dead worker) loses only the items that were being computed, and a resumed run
recomputes nothing that is on disk.  Two layouts, both read and written by :class:`ResultStore`:

:data:`SWEEP_LAYOUT` (:func:`painsim.sweep.run_sweep`)::

    spec.json        the validated spec, its fingerprint ("key"), the painsim version and
                     the code that computes it ("code": :func:`painsim.version.code_fingerprint`);
                     a resumed run (same key) writes its spec there, with its own name,
                     description and figure, which the key leaves out
    parts/           one file per finished (point, repeat): p0000012_r0003.json, the outcomes as
                     xarray's dict form in JSON (exact float round trip, no code on load, ~0.3 ms per point)
    failed/          one JSON file per failed (point, repeat): the error message
    events.jsonl     one line per persisted item: run id, worker pid, time (a line a kill cut
                     off is written again by the resumed run, "recovered"); "corrupt" lines
    corrupt/         item files that could not be read when the store was opened (kept)
    .lock            held (``flock``) by the run using the store, removed when it ends
    result.nc        the gathered Dataset (or result.zarr), written by the sweep

:data:`PATIENT_LAYOUT` (:func:`painsim.cohort.run`, ``store``)::

    patient_000012.nc   one netCDF file per patient, whose ``cohort_patient_key`` attribute is the
                        fingerprint of the patient (full parameter set, seed, protocol, relief day)
    code.json           the code that computed them (:func:`painsim.version.code_fingerprint`),
                        written with the first patient
    .lock               as a sweep's

Resume semantics: a store with a fingerprint for the whole run (sweeps) is continued only with
``resume=True`` and the same fingerprint; a store with a fingerprint per item (cohorts) only with
``resume=True``, no item beyond the run's and every stored item's fingerprint the expected one.  In
both, the code must be the same too: painsim's version, its source (a development checkout keeps its
version number while its code changes) and the versions of the computing libraries, so that no result
is assembled from items computed by two versions of the code.  Anything else raises, naming what differs.

One run at a time: :meth:`ResultStore.open` and :meth:`ResultStore.open_items` hold an exclusive
``flock`` on ``.lock`` (never waiting) until :meth:`ResultStore.close`, refusing a store another
process holds before reading or removing anything; the kernel releases the lock of a process that
dies (even by SIGKILL).  In one process the stores open on a folder share its lock (workers, spawned,
never hold it).  An item file that cannot be read (cut short, empty, or JSON that is no stored result
such as ``{}``: :meth:`painsim.parallel.records.Layout.unreadable`) is not done: ``open`` and
``open_items`` move it into ``corrupt/``, warning, and it is computed again.  A damaged code record
(``code.json``, or ``spec.json``'s ``code``) refuses the store, naming the file.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Mapping, Sequence

import xarray as xr

from ..errors import ParameterError, SpecError
from ..io import as_saved, atomic_path, load, save
from ..version import __version__, code_fingerprint, fingerprint_changes
from .json_values import jsonable
from .records import PATIENT_LAYOUT, SWEEP_LAYOUT, Layout, brief, code_record

try:
    import fcntl
except ImportError:
    fcntl = None

__all__ = ["ResultStore", "Layout", "SWEEP_LAYOUT", "PATIENT_LAYOUT", "jsonable"]

#: The file a run holds locked (``flock``) while it uses a store.
LOCK_NAME = ".lock"
#: Folder (in the store) of item files that could not be read.
CORRUPT_FOLDER = "corrupt"
#: Errors of reading an item file that is cut short or damaged.
_UNREADABLE = (OSError, ValueError, KeyError, TypeError, RuntimeError)

#: The stores this process holds locked: real path -> [file descriptor, open ResultStores holding it]
_HELD: dict[str, list] = {}
_HELD_GUARD = threading.Lock()


class ResultStore:
    """The on-disk state of a sweep or cohort (a directory; see the module docstring).

    Parameters
    ----------
    path : path
        The folder (created by :meth:`open` / :meth:`open_items`).
    layout : Layout
        :data:`SWEEP_LAYOUT` (default) or :data:`PATIENT_LAYOUT`.
    """

    def __init__(self, path: str | os.PathLike, layout: Layout = SWEEP_LAYOUT):
        self.path = Path(path)
        self.layout = layout
        self.parts = self.path / layout.folder if layout.folder else self.path
        self.failed = self.path / "failed"
        self.events = self.path / "events.jsonl"
        self.meta = self.path / "spec.json"
        self.code = self.path / "code.json"
        self._locked: str | None = None  # the real path of the store while this holds its lock

    def __del__(self):
        with contextlib.suppress(Exception):  # at interpreter exit the kernel releases the lock anyway
            self.close()

    # ------------------------------------------------------------- names
    def name(self, *key: int) -> str:
        """File name (without suffix) of the item ``key``.

        Parameters
        ----------
        *key : int
            The item's key numbers (a sweep's point and repeat, a cohort's patient).

        Returns
        -------
        str
        """
        return self.layout.stem.format(*key)

    def file(self, *key: int) -> Path:
        """File of the item ``key``.

        Parameters
        ----------
        *key : int
            As :meth:`name`.

        Returns
        -------
        pathlib.Path
        """
        return self.parts / f"{self.name(*key)}{self.layout.suffix}"

    @staticmethod
    def _key(path: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", path.stem))

    # ------------------------------------------------------------- opening
    def open(self, key: str, meta: Mapping, resume: bool, what: str = "sweep") -> None:
        """Create the store of a run with one fingerprint ``key``, or continue it, holding its
        lock until :meth:`close` (see the module docstring).  Temporaries of a killed writer are
        removed, and item files that cannot be read are moved into ``corrupt/`` (a warning names
        each, and an event logs it): their items are not done.

        Parameters
        ----------
        key : str
            The run's fingerprint, kept in ``spec.json``.
        meta : mapping
            Further entries of ``spec.json`` (written when the store is created).
        resume : bool
            Continue a store that already has a ``spec.json``.
        what : str
            The kind of run, in error messages.

        Raises
        ------
        SpecError
            A store of a finished or interrupted run without ``resume``, of
            another run (another ``key``), or a folder holding other files;
            also a store computed by other code (:func:`painsim.version.fingerprint_changes`),
            or one another run (of another process) is using.
        """
        if self.path.is_dir():  # a store another run is using is refused before anything else
            self._lock(what)
        try:
            self._refuse(key, resume, what)
            self.parts.mkdir(parents=True, exist_ok=True)
            self.failed.mkdir(parents=True, exist_ok=True)
            self._lock(what)  # a new folder
            if not self.meta.exists():
                self._write_meta({"key": key, "painsim_version": __version__, "code": code_fingerprint(), **meta})
            elif meta:  # resumed under the same key: presentation (a sweep's name, description, figure) as now
                saved = json.loads(self.meta.read_text())
                self._write_meta({k: saved[k] for k in ("key", "painsim_version", "code") if k in saved} | dict(meta))
            # only while holding the lock: a temporary of a live run is not stale
            for stale in self.path.glob("**/.*.tmp"):  # temporaries of a killed writer (a zarr one is a folder)
                shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)
            for f in self._items():
                error = self.layout.unreadable(f)
                if error is not None:
                    self._set_aside(f, error, what)
        except BaseException:
            self.close()
            raise

    def _write_meta(self, meta: Mapping) -> None:
        with atomic_path(self.meta) as tmp:
            tmp.write_text(json.dumps(dict(meta), indent=1, default=str))

    def _refuse(self, key: str, resume: bool, what: str) -> None:
        """Raise the SpecError of :meth:`open` if :meth:`refusal` refuses the store."""
        if (refused := self.refusal(key, resume)) is not None:
            reason, detail = refused
            allowed = {"foreign": "an empty or new folder (this one holds other files)",
                       "unreadable": f"a folder whose spec.json can be read ({detail}); use a new folder",
                       "other": f"the same spec as the stored {what} to resume it (the spec or seed changed); "
                                "use a new store",
                       "resume": f"a new folder, or resume=True (--resume) to continue the {what} stored there",
                       "code": f"the code that computed the {what} stored there to resume it ({detail}); "
                               "use a new folder"}[reason]
            raise SpecError("store", str(self.path), allowed)

    # ------------------------------------------------------------- the lock
    def _lock(self, what: str) -> None:
        """Hold the store's lock until :meth:`close` (shared in this process; module docstring).

        Raises
        ------
        SpecError
            Another process holds it: another run is using the store.
        """
        if self._locked is not None or fcntl is None:  # fcntl: POSIX only
            return
        where = os.path.realpath(self.path)
        with _HELD_GUARD:
            if where not in _HELD:
                fd = self._flock(Path(where) / LOCK_NAME, what)
                if fd is None:
                    return
                _HELD[where] = [fd, 0]
            _HELD[where][1] += 1
            self._locked = where

    def _flock(self, path: Path, what: str) -> int | None:
        """A descriptor of ``path`` holding its exclusive lock; None if it cannot be locked."""
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError:  # a read-only store: the run fails on its first write, as without a lock
                return None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                os.close(fd)
                if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise SpecError("store", str(self.path), f"a store no other run is using (another {what} is "
                                    f"using this one now, holding {path}): wait until it ends, or use a new "
                                    "folder") from None
                warnings.warn(f"painsim: cannot lock the store {self.path} ({e.strerror}): a second run on it "
                              "at the same time is not detected", RuntimeWarning, stacklevel=4)
                return None
            with contextlib.suppress(FileNotFoundError):  # a run that ended meanwhile removed the file
                if os.path.samestat(os.fstat(fd), os.stat(path)):  # locked here: lock the file there now
                    return fd
            os.close(fd)

    def in_use(self) -> bool:
        """Whether another process's run holds the store's lock now (:meth:`open`), without taking it
        or writing anything: callers refuse such a store first, before judging what it holds.

        Returns
        -------
        bool
            False also where locks are not available (not POSIX) and for this process's own stores.
        """
        lock = self.path / LOCK_NAME
        if fcntl is None or not lock.is_file():
            return False
        with _HELD_GUARD:
            if os.path.realpath(self.path) in _HELD:  # held by this process: not another run
                return False
        try:
            fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            return e.errno in (errno.EWOULDBLOCK, errno.EAGAIN)
        finally:
            os.close(fd)  # releases the lock it may have taken
        return False

    def close(self) -> None:
        """Release the lock :meth:`open` or :meth:`open_items` took (the last store of this process
        open on the folder removes ``.lock``); nothing to do for a store not opened, or closed."""
        where, self._locked = self._locked, None
        if where is None:
            return
        with _HELD_GUARD:
            held = _HELD[where]  # there while a store holds it (_lock)
            held[1] -= 1
            if held[1] == 0:  # the last store of this process open on the folder
                del _HELD[where]
                with contextlib.suppress(OSError):  # while still locked: a run waiting on it locks a new file
                    os.unlink(Path(where) / LOCK_NAME)
                os.close(held[0])

    def refusal(self, key: str, resume: bool) -> tuple[str, str] | None:
        """Why :meth:`open` would refuse this folder for a run with fingerprint ``key``, without
        writing anything (callers such as the command line say it in their own words first).

        Parameters
        ----------
        key : str
            The run's fingerprint.
        resume : bool
            Whether the run continues a stored one.

        Returns
        -------
        tuple of str or None
            None if :meth:`open` would go ahead, else ``(reason, detail)``: ``"foreign"`` (the
            folder holds other files), ``"unreadable"`` (its ``spec.json`` cannot be read; detail:
            the error), ``"other"`` (a store of another run), ``"resume"`` (a store, and no
            ``resume``) or ``"code"`` (computed by other code; detail: what changed), checked in
            that order.
        """
        if not self.meta.exists():
            foreign = self.path.exists() and any(p.name != LOCK_NAME for p in self.path.iterdir())
            return ("foreign", "") if foreign else None
        try:
            old = json.loads(self.meta.read_text())
            stored_key, code = old.get("key"), old.get("code")
        except (OSError, ValueError, AttributeError) as e:
            return "unreadable", f"{self.meta}: {e}"
        if stored_key != key:
            return "other", ""
        if not resume:
            return "resume", ""
        if code is not None and not isinstance(code, dict):
            return "unreadable", f"{self.meta}: its code record is {type(code).__name__}, not a JSON object"
        changes = ["no record of it: an older painsim"] if code is None else fingerprint_changes(code, code_fingerprint())
        return ("code", "; ".join(changes)) if changes else None

    def open_items(self, fingerprints: Sequence[str], resume: bool, what: str = "cohort", item: str = "patient",
                   differs: str = "another run", count: str = "the run's",
                   names: Sequence[str] | None = None) -> dict[int, xr.Dataset]:
        """Create a store of items with one fingerprint each, or continue it, holding its lock
        until :meth:`close` (see the module docstring).

        Parameters
        ----------
        fingerprints : sequence of str
            The expected fingerprint of item ``k``.
        resume : bool
            Continue a store that already holds items.
        what, item, count : str
            The kind of run and of item, and what sets the number of items, in error messages.
        differs : str
            What a different fingerprint means, in error messages (a cohort passes its own).
        names : sequence of str, optional
            What to call item ``k`` in error messages, instead of its number.

        Returns
        -------
        dict
            Item number -> stored Dataset, for every item already there (an item file that
            cannot be read is moved into ``corrupt/`` with a warning, and is not there).

        Raises
        ------
        ParameterError
            Stored items without ``resume``, an item numbered beyond ``fingerprints`` (a run of more
            items), or a stored item whose fingerprint is not ``fingerprints[k]``; also items computed
            by other code (:func:`painsim.version.fingerprint_changes`), or (a SpecError) a store
            another process's run is using.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock(what)  # another run using the store is refused before anything is read or removed
        try:
            files = self._items()
            for stale in [*self.parts.glob(f".{self.layout.pattern}.*.tmp"), *self.path.glob(".code.json.*.tmp")]:
                stale.unlink(missing_ok=True)  # a killed writer's (not a live one's: the lock is held)
            if files and not resume:
                raise ParameterError("store", str(self.path), f"a new folder, or resume=True (--resume) to "
                                     f"continue the {what} stored there")
            if files:
                self._check_code(code_record(self.code, self.path), what, ParameterError)
            else:  # a new store, or one whose run stopped before its first item: no code to keep
                self.code.unlink(missing_ok=True)
            if (last := max((self._key(f)[0] for f in files), default=-1)) >= (n := len(fingerprints)):
                raise ParameterError("store", str(self.path), f"at most {n} stored {item}s to resume with {n}: it "
                                     f"holds {last + 1} {item}s or more (up to number {last}), more than {n} ({count})"
                                     f"; resume with {last + 1} or more, or use a new folder")
            found, unreadable = {}, {}
            for f in files:
                k = self._key(f)[0]
                try:
                    ds = self._load(f)
                except _UNREADABLE as e:  # cut short or damaged: set aside below, computed again
                    unreadable[f] = brief(e)
                    continue
                if ds.attrs.get(self.layout.fingerprint_attr) != fingerprints[k]:
                    called = repr(names[k]) if names is not None and k < len(names) else k
                    raise ParameterError("store", str(self.path), f"the {what} stored there to resume it ({item} "
                                         f"{called} differs: {differs}); use a new folder")
                found[k] = ds
            for f, error in unreadable.items():
                self._set_aside(f, error, what)
        except BaseException:
            self.close()
            raise
        return found

    def remove_if_empty(self) -> bool:
        """Remove the store's folder if it keeps no item and no other process's run is using it (its
        code record goes with it, any other file keeps it); closes this store.  Returns whether it
        was removed."""
        if not self.path.is_dir():
            return False
        try:
            self._lock("run")  # a run using it may be writing its first item (code record first)
            if self._items():
                return False
            self.code.unlink(missing_ok=True)
        except SpecError:  # another process's run is using it
            return False
        finally:
            self.close()  # .lock goes before the folder does
        with contextlib.suppress(OSError):  # other files keep it
            self.path.rmdir()
            return True
        return False

    def remove(self, what: str = "run") -> None:
        """Remove the store's folder and all it holds, holding its lock meanwhile: a store another
        process's run is using is refused before anything is removed (``painsim run`` starting
        afresh where a finished run's store is).  Closes this store.

        Parameters
        ----------
        what : str
            The kind of run, in the refusal.

        Raises
        ------
        SpecError
            Another process's run is using the store.
        """
        if not self.path.is_dir():
            return
        try:
            self._lock(what)
            for child in self.path.iterdir():
                if child.name != LOCK_NAME:  # it goes with close, while still locked
                    shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        finally:
            self.close()
        with contextlib.suppress(OSError):  # a run that has locked it since keeps it
            self.path.rmdir()

    def _check_code(self, stored: Mapping | None, what: str, error: type) -> None:
        """Raise ``error`` unless ``stored`` (the store's code record) is the code running now."""
        if stored is None:
            raise error("store", str(self.path), f"a {what} stored with a record of the code that computed it "
                        "(this one has none: an older painsim); use a new folder")
        changes = fingerprint_changes(stored, code_fingerprint())
        if changes:
            raise error("store", str(self.path), f"the code that computed the {what} stored there to resume it "
                        f"({'; '.join(changes)}); use a new folder")

    # ------------------------------------------------------------- items
    def _items(self) -> list[Path]:
        """Every item file, sorted (a stray file that matches the pattern without digits is not one)."""
        if not self.parts.exists():
            return []
        return sorted(p for p in self.parts.glob(self.layout.pattern) if self.layout.is_item(p.name))

    def done(self) -> set[tuple[int, ...]]:
        """Keys of every finished item (a file of it is there: :meth:`open` has set aside the
        files that cannot be read)."""
        return {self._key(p) for p in self._items()}

    def _set_aside(self, f: Path, error: str, what: str) -> Path:
        """Move the unreadable item file ``f`` into ``corrupt/`` (kept, never deleted), log it and
        warn naming it; its item is no longer done.  Returns where it went."""
        folder = self.path / CORRUPT_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        dest, n = folder / f.name, 0
        while dest.exists():  # an item damaged again keeps the earlier copy
            n += 1
            dest = folder / f"{f.name}.{n}"
        os.replace(f, dest)
        self.log({"event": "corrupt", "item": list(self._key(f)), "file": str(f.relative_to(self.path)),
                  "moved_to": str(dest.relative_to(self.path)), "error": error, "pid": os.getpid(),
                  "time": time.time()})
        warnings.warn(f"painsim: {what} store {self.path}: {f.name} cannot be read ({error}); moved to {dest}, "
                      "its item is computed again", RuntimeWarning, stacklevel=3)
        return dest

    def readable(self, keys) -> dict[tuple[int, ...], xr.Dataset]:
        """The stored result of every item of ``keys`` that can be read (an unreadable file is left
        out with a warning naming it, and not moved: :meth:`open` does that, holding the lock).

        Parameters
        ----------
        keys : iterable of tuple of int
            As :meth:`name`.

        Returns
        -------
        dict
            Key -> Dataset.
        """
        out = {}
        for key in keys:
            try:
                out[tuple(key)] = self.read(*key)
            except _UNREADABLE as e:
                warnings.warn(f"painsim: store {self.path}: {self.file(*key).name} cannot be read ({brief(e)}); "
                              "left out (a resumed run computes it again)", RuntimeWarning, stacklevel=2)
        return out

    def read(self, *key: int) -> xr.Dataset:
        """The stored result of one item.

        Parameters
        ----------
        *key : int
            As :meth:`name`.

        Returns
        -------
        xarray.Dataset
        """
        return self._load(self.file(*key))

    read_part = read

    def _load(self, f: Path) -> xr.Dataset:
        if self.layout.suffix == ".json":
            return xr.Dataset.from_dict(json.loads(f.read_text()))
        return load(f)

    def write(self, key: Sequence[int], ds: xr.Dataset, fingerprint: str | None = None) -> xr.Dataset:
        """Persist one finished item atomically (with its fingerprint); returns what was written.
        The first item of a store of items also records the code that computed it (``code.json``).

        Parameters
        ----------
        key : sequence of int
            As :meth:`name`.
        ds : xarray.Dataset
            The item's result.
        fingerprint : str, optional
            Stored as the attribute ``layout.fingerprint_attr``.

        Returns
        -------
        xarray.Dataset
            ``ds`` with the fingerprint (netCDF items: as saved, :func:`painsim.io.as_saved`).
        """
        if fingerprint is not None:
            ds = ds.assign_attrs({self.layout.fingerprint_attr: fingerprint})
        if self.layout.fingerprint_attr is not None and not self.code.is_file():
            with atomic_path(self.code) as tmp:
                tmp.write_text(json.dumps(code_fingerprint(), indent=1))
        if self.layout.suffix == ".json":
            with atomic_path(self.file(*key)) as tmp:
                tmp.write_text(json.dumps(ds.to_dict(data="list"), default=jsonable))
        else:  # what is on disk (as a resumed run reads it): CF labels, painsim version and code
            ds = as_saved(ds)
            save(ds, self.file(*key))
        return ds

    # ------------------------------------------------------------- failures and events
    def write_failure(self, key: Sequence[int], record: Mapping[str, Any]) -> None:
        """Record a failed item (atomically).

        Parameters
        ----------
        key : sequence of int
            As :meth:`name`.
        record : mapping
            Written as JSON to ``failed/<name>.json``.
        """
        with atomic_path(self.failed / f"{self.name(*key)}.json") as tmp:
            tmp.write_text(json.dumps(dict(record)))

    def clear_failure(self, key: Sequence[int]) -> None:
        """Forget the failure of an item that has now finished.

        Parameters
        ----------
        key : sequence of int
            As :meth:`name`.
        """
        (self.failed / f"{self.name(*key)}.json").unlink(missing_ok=True)

    def failures(self) -> dict[tuple[int, ...], dict]:
        """Key -> failure record of every failed item."""
        out = {}
        for p in self.failed.glob(re.sub(r"\{[^}]*\}", "*", self.layout.stem) + ".json"):
            with contextlib.suppress(OSError, ValueError):
                out[self._key(p)] = json.loads(p.read_text())
        return out

    def log(self, event: Mapping[str, Any]) -> None:
        """Append one event to ``events.jsonl``.

        Parameters
        ----------
        event : mapping
            Written as one line of JSON (after a newline ending a last line a kill cut short).
        """
        with open(self.events, "a+b") as f:  # appends wherever it reads
            if f.seek(0, os.SEEK_END) > 0:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":  # a line a kill cut short ends there, not in this event
                    f.write(b"\n")
            f.write((json.dumps(dict(event)) + "\n").encode())
            f.flush()

    def read_events(self) -> list[dict]:
        """Every logged event (a line cut short by a kill is skipped)."""
        out = []
        if self.events.exists():
            for line in self.events.read_text().splitlines():
                with contextlib.suppress(ValueError):  # a line cut short
                    out.append(json.loads(line))
        return out

