"""painsim's version, in one place (base layer: imports nothing of painsim)."""
from __future__ import annotations

import functools
import hashlib
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
