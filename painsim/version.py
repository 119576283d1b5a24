"""painsim's version, in one place (base layer: imports nothing of painsim)."""
from __future__ import annotations

import functools
import hashlib
from importlib import metadata
from pathlib import Path

__version__ = "0.1.0"

#: The package's own folder: the code that :func:`source_digest` fingerprints.
PACKAGE_DIR = Path(__file__).resolve().parent


def source_digest(root: str | Path | None = None) -> str:
    """A fingerprint of the code: SHA-256 (24 hex digits) of every ``*.py`` file under ``root``
    (default: the installed painsim package), their relative paths and contents, in path order
    (hidden files and folders, e.g. an editor's lock files, left out).

    A development checkout keeps one version number while its code changes; work that is kept
    and resumed (``painsim validate --resume``) compares this digest instead, so that a table
    is never assembled from measurements of two versions of the code.
    """
    return _package_digest() if root is None else _digest(Path(root))


@functools.lru_cache(maxsize=1)
def _package_digest() -> str:
    """The installed package's digest, read once per process (its files do not change under it)."""
    return _digest(PACKAGE_DIR)


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if any(part.startswith(".") for part in path.relative_to(root).parts) or not path.is_file():
            continue  # an editor's lock or backup file (Emacs's ".#name.py" links to nothing), not code
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:24]


#: The libraries whose versions change what painsim computes (its simulator, arrays, kernels, statistics).
COMPUTING_LIBRARIES = ("brian2", "numpy", "numba", "scipy")


def library_versions() -> dict[str, str]:
    """Versions of :data:`COMPUTING_LIBRARIES` installed now (an upgrade between a run and its
    resume makes the kept results another computation's)."""
    return {name: metadata.version(name) for name in COMPUTING_LIBRARIES}


def code_fingerprint() -> dict:
    """What computed a result, beyond its inputs: painsim's version, its code
    (:func:`source_digest`) and :func:`library_versions`.  Stores of resumable work
    (:class:`painsim.parallel.store.ResultStore`) keep it and refuse to continue under another,
    so that no sweep, cohort or validation table is assembled from two versions of the code."""
    return {"painsim": __version__, "source": source_digest(), "libraries": library_versions()}


def fingerprint_changes(old: dict, new: dict) -> list[str]:
    """What differs between two :func:`code_fingerprint` records, in words (empty: the same code)."""
    changes = []
    if old.get("painsim") != new.get("painsim"):
        changes.append(f"painsim {old.get('painsim')} -> {new.get('painsim')}")
    if old.get("source") != new.get("source"):
        changes.append(f"painsim source {old.get('source')} -> {new.get('source')}")
    before, now = old.get("libraries") or {}, new.get("libraries") or {}
    changes += [f"{name} {before.get(name)} -> {now.get(name)}" for name in sorted(set(before) | set(now))
                if before.get(name) != now.get(name)]
    return changes
