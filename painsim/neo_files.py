"""Neo blocks written to files (NWB, NIX, Neo's pickle): atomically, under names NWB accepts, and
leaving nothing behind when a writer fails (:func:`painsim.io.write_neo` converts a result first).
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import uuid
import warnings
from datetime import datetime, timezone
from pathlib import Path

from .atomic import atomic_path
from .errors import PainsimError, ParameterError, PathError
from .netcdf_files import writable_file

__all__ = ["NEO_PACKAGES", "missing_neo_packages", "nwb_names", "checked_path", "write_block"]

#: The packages each of Neo's writers needs, by file extension (:func:`write_block`).
NEO_PACKAGES = {".nwb": ("neo", "pynwb"), ".nix": ("neo", "nixio"), ".pkl": ("neo",)}

#: Characters NWB (hdmf) refuses in the name of an object: Neo's NWB writer names a segment's signals
#: and events ``"<segment name> <name> <i>"``, so a segment (condition) named ``"fibromyalgia: test"``
#: could not be written.
_NWB_FORBIDDEN = re.compile(r"[/:]")


def missing_neo_packages(suffix: str) -> list[str]:
    """The packages :func:`write_block` needs for a file ending in ``suffix`` that are not installed
    (none for an unknown extension: :func:`write_block` refuses it), so that a caller can refuse
    before it creates anything."""
    return [m for m in NEO_PACKAGES.get(suffix, ()) if importlib.util.find_spec(m) is None]


def nwb_names(names) -> list:
    """Names NWB accepts for ``names`` (segments of one block): ``'/'`` and ``':'`` become ``'_'``,
    and a name so changed that meets another name gets `` (2)``, `` (3)`` ... (NWB and Neo's reader
    match segments by name).  Names NWB accepts, and ``None``, are kept as they are.

    Parameters
    ----------
    names : sequence of str or None

    Returns
    -------
    list
    """
    names = list(names)
    out: list = []
    for name in names:
        if name is None or not _NWB_FORBIDDEN.search(str(name)):
            out.append(name)
            continue
        base = candidate = _NWB_FORBIDDEN.sub("_", str(name))
        n = 2
        while candidate in out or candidate in names:
            candidate, n = f"{base} ({n})", n + 1
        out.append(candidate)
    return out


def _nwb_ready(block) -> list:
    """Rename, for NWB, the segments (and the signals and events, whose NWB names Neo's writer builds
    from them) of ``block`` whose names NWB refuses; record each renamed segment's exact name in the
    file's ``notes``.  Returns ``(object, name)`` of everything renamed, to restore after writing."""
    renamed, exact = [], {}
    for seg, name in zip(block.segments, nwb_names([s.name for s in block.segments])):
        if name != seg.name:
            renamed.append((seg, seg.name))
            exact[name] = seg.name
            seg.name = name
        for obj in (*seg.analogsignals, *seg.irregularlysampledsignals, *seg.events):
            renamed.append((obj, obj.name))  # Neo's writer renames them all; restored after writing
            if obj.name is not None:
                obj.name = _NWB_FORBIDDEN.sub("_", str(obj.name))
    if exact:  # NWB keeps no segment annotation: the exact labels go in the file's notes
        note = f"painsim: segments renamed for NWB (no '/' or ':' in its names), their labels: {json.dumps(exact, ensure_ascii=False)}"
        block.annotations["notes"] = "\n".join(filter(None, [block.annotations.get("notes"), note]))
    return renamed


def checked_path(path: str | os.PathLike) -> Path:
    """``path`` as a :class:`~pathlib.Path` if :func:`write_block` can write a Neo file there (checked
    before a result is converted, so that nothing is done for a file that cannot be written).

    Raises
    ------
    painsim.errors.ParameterError
        An extension not in :data:`NEO_PACKAGES`, or a package the file kind needs is not installed.
    painsim.errors.PathError
        ``path`` is a folder or lies under a file.
    """
    path = Path(path)
    if path.suffix not in NEO_PACKAGES:
        raise ParameterError("path", str(path), f"a file name ending in one of {sorted(NEO_PACKAGES)}")
    missing = missing_neo_packages(path.suffix)
    if missing:
        raise ParameterError("path", str(path), f"a {path.suffix} file with {' and '.join(missing)} installed "
                             "(pip install 'painsim[interchange]')")
    return writable_file(path)


def write_block(block, path: str | os.PathLike) -> Path:
    """Write a :class:`neo.Block` with Neo's writer for ``path``'s extension, atomically: nothing of
    ``path``, and no folder this call created, is left when writing fails.  ``block`` is left as it
    was given (names and annotations the NWB writer changes are restored).

    Parameters
    ----------
    block : neo.Block
    path : str or path-like
        ``.nwb`` (needs ``pynwb``), ``.nix`` (needs ``nixio``) or ``.pkl``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    painsim.errors.ParameterError
        Another extension, or a package the file kind needs is not installed.
    painsim.errors.PathError
        ``path`` is a folder or lies under a file (refused before anything is written), or Neo's
        writer failed (its error named; nothing is left).
    OSError
        The file or its folder cannot be written.
    """
    path = checked_path(path)
    absolute = path.absolute()
    created = [p for p in absolute.parents if not p.exists()]  # innermost first
    annotations, renamed = dict(block.annotations), []
    try:
        if path.suffix == ".nwb":  # NWB files must say when and what was recorded
            block.annotations.setdefault("session_start_time", datetime.now(timezone.utc))
            block.annotations.setdefault("session_description", f"painsim simulation: {block.name} ({path.name})")
            block.annotations.setdefault("identifier", str(uuid.uuid4()))  # NWB: unique to each file written
            renamed = _nwb_ready(block)
        with atomic_path(path, suffix=f".tmp{path.suffix}") as tmp:  # writers check the extension
            tmp.unlink()  # the writers create the file themselves
            _write(block, tmp, path)
    except BaseException:
        for folder in created:
            try:
                folder.rmdir()  # only if empty
            except OSError:
                break
        raise
    finally:
        for obj, name in renamed:
            obj.name = name
        block.annotations.clear()
        block.annotations.update(annotations)
    return path


def _write(block, tmp: Path, path: Path) -> None:
    """Write ``block`` to ``tmp`` (the temporary of ``path``) with the writer of its extension; an error of the writer that is not
    an :class:`OSError` is a :class:`~painsim.errors.PathError` naming it (a line, not a traceback)."""
    import neo

    if tmp.suffix == ".pkl":
        writer = neo.io.PickleIO(str(tmp))
    elif tmp.suffix == ".nix":
        writer = neo.io.NixIO(str(tmp), mode="ow")
    else:
        writer = neo.io.NWBIO(str(tmp), mode="w")
    quiet = _NeoRenameNotice()
    logging.getLogger().addFilter(quiet)
    try:
        with warnings.catch_warnings():  # Neo's NWB validation calls pynwb the old way (not ours to fix)
            warnings.filterwarnings("ignore", category=FutureWarning, module="neo.io.nwbio")
            writer.write_block(block)
    except (OSError, PainsimError):
        raise
    except Exception as e:  # the writer refused something of the block: one line, and no file
        raise PathError(f"Neo's {type(writer).__name__} cannot write {path}: {type(e).__name__}: {e}") from e
    finally:
        logging.getLogger().removeFilter(quiet)
        if hasattr(writer, "close"):
            writer.close()


class _NeoRenameNotice(logging.Filter):
    """Drops the notice Neo's NWB writer logs for every named signal it prefixes with its
    segment's name (``Warning signal name exists``): it renames them all, one line per segment."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Warning signal name exists")
