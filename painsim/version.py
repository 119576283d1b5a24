"""painsim's version, in one place (base layer: imports nothing of painsim)."""
from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import inspect
import json
import os
import sys
import tempfile
import textwrap
import warnings
from importlib import metadata
from pathlib import Path

__version__ = "0.1.0"

#: The package's own folder: the code that :func:`source_digest` fingerprints.
PACKAGE_DIR = Path(__file__).resolve().parent


def source_digest(root: str | Path | None = None) -> str:
    """A fingerprint of the code: SHA-256 (24 hex digits) over every ``*.py`` file under ``root``
    (default: the installed painsim package), of its relative path and its code, in path order
    (hidden files and folders, e.g. an editor's lock files, left out).

    A file's code is its syntax tree without comments and docstrings (:func:`code_digest`): an
    edit of a comment or a docstring does not change what painsim computes, so it leaves the
    digest as it was, while any change of a statement, a name or a constant changes it.

    A development checkout keeps one version number while its code changes; work that is kept
    and resumed (``painsim validate --resume``, sweep and cohort stores) compares this digest
    instead, so that a result is never assembled from computations of two versions of the code.

    Parameters
    ----------
    root : str or Path, optional
        The folder (default: the installed painsim package, digested once per process).

    Returns
    -------
    str
        24 hex digits.
    """
    return _package_digest() if root is None else _digest(Path(root))


@functools.lru_cache(maxsize=1)
def _package_digest() -> str:
    """The installed package's digest, read once per process (its files do not change under it)."""
    return _digest(PACKAGE_DIR)


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    cache = _TreeDigests()
    for path in sorted(root.rglob("*.py")):
        if any(part.startswith(".") for part in path.relative_to(root).parts) or not path.is_file():
            continue  # an editor's lock or backup file (Emacs's ".#name.py" links to nothing), not code
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + cache.get(path.read_bytes()).encode() + b"\0")
    cache.save()
    return h.hexdigest()[:24]


#: Changes when :func:`code_digest` reads code differently (the digests kept on disk are keyed by it).
CODE_DIGEST_SCHEME = 2


def code_digest(source: bytes) -> str:
    """SHA-256 of the code of one Python file, without its comments and docstrings.

    Parameters
    ----------
    source : bytes
        The file's contents.

    Returns
    -------
    str
        64 hex digits: the digest of the file's syntax tree (:func:`ast.dump`) with every
        docstring (the leading string of a module, class or function body) removed; comments are
        not in the tree.  A file that does not parse is fingerprinted by its bytes.  The tree's
        text depends on the Python version, so digests are compared within one Python version
        (:func:`library_versions` records it).
    """
    try:
        with warnings.catch_warnings():  # an invalid escape warns; under -W error it would not parse
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return hashlib.sha256(b"unparsed\0" + source).hexdigest()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree).encode()).hexdigest()


def function_digest(f) -> str | None:
    """A fingerprint of a function's code: :func:`code_digest` of its source (dedented), else of
    its bytecode, constants and names (a function defined where no source is kept).

    Parameters
    ----------
    f : callable

    Returns
    -------
    str or None
        64 hex digits; None for an object without code.
    """
    try:
        source = textwrap.dedent(inspect.getsource(f)).encode()
    except (OSError, TypeError):
        code = getattr(f, "__code__", None)
        if code is None:
            return None
        source = repr((code.co_code, code.co_consts, code.co_names)).encode()
    return code_digest(source)


class _TreeDigests:
    """:func:`code_digest` of file contents, kept on disk (``~/.cache/painsim/code-digests.json``)
    by the digest scheme, the Python version and the SHA-256 of the bytes: parsing the package
    costs ~0.5 s, reading and hashing its bytes a few ms.  A missing home directory, or an
    unreadable, broken or unwritable cache only costs the parsing again."""

    def __init__(self):
        self.known, self.added = {}, {}
        try:
            self.path = Path.home() / ".cache" / "painsim" / "code-digests.json"
        except RuntimeError:  # no home directory: no cache
            self.path = None
            return
        try:
            known = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return
        if isinstance(known, dict):
            self.known = known

    #: A kept entry's key: the digest scheme, the Python version (the tree's text depends on it)
    #: and the SHA-256 of the file's bytes.
    PREFIX = f"{CODE_DIGEST_SCHEME}:{sys.version_info.major}.{sys.version_info.minor}:"

    def get(self, source: bytes) -> str:
        """:func:`code_digest` of ``source``, from the kept entries when there is a valid one."""
        key = self.PREFIX + hashlib.sha256(source).hexdigest()
        found = self.known.get(key)
        if not (isinstance(found, str) and len(found) == 64 and all(c in "0123456789abcdef" for c in found)):
            found = self.added[key] = code_digest(source)
        return found

    def save(self) -> None:
        """Write the digests computed now beside the known ones (atomically: two processes
        writing at once lose at most an entry, which the next one computes again)."""
        if not self.added or self.path is None:
            return
        entries = {**self.known, **self.added}
        if len(entries) > 4096:  # old checkouts' files: keep the newest entries only
            entries = dict(list(entries.items())[-4096:])
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".code-digests-", suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                json.dump(entries, f)
            os.replace(tmp, self.path)
        except OSError:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)


#: The libraries whose versions change what painsim computes (its simulator, arrays, kernels, statistics).
COMPUTING_LIBRARIES = ("brian2", "numpy", "numba", "scipy")


def library_versions() -> dict[str, str]:
    """Versions of :data:`COMPUTING_LIBRARIES` installed now, and of Python (major.minor: the
    source digest reads syntax trees, whose form changes between Python versions); an upgrade
    between a run and its resume makes the kept results another computation's."""
    return {"python": f"{sys.version_info.major}.{sys.version_info.minor}",
            **{name: metadata.version(name) for name in COMPUTING_LIBRARIES}}


def code_fingerprint() -> dict:
    """What computed a result, beyond its inputs: painsim's version, its code
    (:func:`source_digest`) and :func:`library_versions`.  Stores of resumable work
    (:class:`painsim.parallel.store.ResultStore`) keep it and refuse to continue under another,
    so that no sweep, cohort or validation table is assembled from two versions of the code."""
    return {"painsim": __version__, "source": source_digest(), "libraries": library_versions()}


def fingerprint_changes(old: dict, new: dict) -> list[str]:
    """What differs between two :func:`code_fingerprint` records, in words (empty: the same code).

    Parameters
    ----------
    old, new : dict
        The two records.

    Returns
    -------
    list of str
        One entry per difference: painsim's version, its source digest, each library's version.
    """
    changes = []
    if old.get("painsim") != new.get("painsim"):
        changes.append(f"painsim {old.get('painsim')} -> {new.get('painsim')}")
    if old.get("source") != new.get("source"):
        changes.append(f"painsim source {old.get('source')} -> {new.get('source')}")
    before, now = old.get("libraries") or {}, new.get("libraries") or {}
    changes += [f"{name} {before.get(name)} -> {now.get(name)}" for name in sorted(set(before) | set(now))
                if before.get(name) != now.get(name)]
    return changes
