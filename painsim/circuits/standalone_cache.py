"""The binary cache of the compiled engine, and the array sizes its programs are compiled with.

Each network generates its project into a private directory of its process,
``<root>/build/<structure hash>-<host>-<pid>-<token>[-n]`` (removed at exit; ``PAINSIM_STANDALONE_KEEP=1``
keeps them; those of processes of this host that died without their exit clean-up, such as workers
killed by their pool, are removed when a process first uses ``<root>``: :func:`remove_stale_builds`), then hashes the generated sources (:func:`code_hash`:
code and makefile, with brian2's process-dependent object numbering removed, plus the brian2
version).  If ``<root>/bin/<code hash>/main`` exists, that binary is copied in and nothing is
compiled; otherwise the project is compiled in the private directory and its binary published
by an atomic rename of a private temporary directory to ``<root>/bin/<code hash>`` (a worker
that loses the race discards its copy), so workers never write into each other's directories
and never see a half-written binary.  Private and temporary names hold the host name and a
random token of the process besides its pid (:func:`_process_tag`): processes of other hosts or
containers sharing ``<root>`` (a network file system) may have the same pid.  Published names
(``bin/<code hash>``, ``keys/<structure hash>/<code hash>``) hold neither, so caches stay valid across
hosts of one CPU: brian2 compiles with ``-march=native``, so both hashes include the CPU
(:func:`cpu_identity`) and a host of another CPU compiles its own binary instead of taking one that
dies of an illegal instruction.  A binary that dies of a signal a bad binary gives (SIGILL, SIGSEGV,
SIGBUS, ...) is evicted from ``bin/`` (:func:`evict_binary`), so the next network compiles anew.  ``<root>/keys/<structure hash>/<code hash>`` notes the
array sizes of each cached binary (written atomically), which :func:`chosen_sizes` and the
automatic engine read.  ``<root>`` is ``$PAINSIM_STANDALONE_DIR`` or
``~/.cache/painsim/standalone``.  :attr:`~painsim.circuits.standalone.StandaloneNetwork.builds`
counts the compilations of a process,
:attr:`~painsim.circuits.standalone.StandaloneNetwork.cache_hits` the binaries taken from the
cache.

Here: the sizes a network's arrays need (:func:`needed_sizes`), padded (:func:`padded_size`)
or those of a cached binary that holds them (:func:`chosen_sizes`, :func:`binary_cached`),
the notes, the private directories and the publication of binaries.  The cache is keyed by
the generated C++, the brian2 version and, for ``-march=native``, the CPU (the notes by a hash of
the plan's structure, the batch, the duration, the time step, the compiler flags and the CPU),
never by painsim's own source files.

Split from :mod:`painsim.circuits.standalone`, which re-exports every public name.
"""
from __future__ import annotations

import atexit
import filecmp
import functools
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import tempfile
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from ..checks import env_switch
from ..errors import ParameterError
from ..processes import remove_dead_folders
from .codegen import import_brian2
from .compiler import compile_flags
from .network import BatchNetwork, PointInput

__all__ = ["standalone_root", "check_standalone_root", "remove_stale_builds", "keep_folders", "padded_size", "GENERATORS", "needed_sizes", "chosen_sizes", "binary_cached", "cpu_identity", "binary_flags", "evict_binary", "code_hash"]

#: project directories in use by a live network of this process
_claimed: set[str] = set()
#: project directories created by this process (removed at exit)
_created: set[str] = set()
#: (pid, random token) of this process; drawn anew in a forked child
_token: tuple[int, str] | None = None
#: roots whose stale folders this process has removed (:func:`check_standalone_root`)
_swept: set[str] = set()


def _process_tag() -> str:
    """``<host>-<pid>-<token>``: names this process's private and temporary files apart from
    those of any other process, also one of another host or PID namespace with the same pid."""
    global _token
    pid = os.getpid()
    if _token is None or _token[0] != pid:
        _token = (pid, secrets.token_hex(4))
    return f"{host_label()}-{pid}-{_token[1]}"


def host_label() -> str:
    """This host's name as written into file names (characters a file name cannot hold become ``_``),
    with the id of this process's PID namespace where the system has one (Linux: ``.ns<inode>``):
    containers that share a host name (``--uts=host``) but not their process ids see each other's
    pids as dead, so the clean-up of dead processes' folders
    (:func:`painsim.processes.remove_dead_folders`) must not take their names for this host's."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname()) or "host"
    try:
        return f"{name}.ns{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:  # no PID namespaces (not Linux): the host name alone
        return name


_ROOT_ALLOWED = ("unset or empty (~/.cache/painsim/standalone), or a folder in which this process can create "
                 "folders (it is created if missing)")


@functools.lru_cache(maxsize=None)
def _absolute_root(text: str) -> Path:
    """``text`` made absolute once per value: against the working directory of the first call, which a
    later call made while another thread's program runs (brian2 has changed the directory) would not share."""
    return Path(os.path.abspath(text))


def standalone_root() -> Path:
    """Where project directories and the binary cache go: ``$PAINSIM_STANDALONE_DIR`` or
    ``~/.cache/painsim/standalone``.

    Returns
    -------
    pathlib.Path
        The root directory, read from the environment at each call (it need not exist), made
        absolute against the working directory of the first call with that value: a project folder under a relative
        root would be lost when the working directory changes (brian2 runs the program from its
        folder, and the exit clean-up removes it).

    Raises
    ------
    painsim.errors.ParameterError
        Named ``PAINSIM_STANDALONE_DIR``: the root is, or lies under, a file (the OS's bare
        NotADirectoryError named no variable).
    """
    root = _absolute_root(os.environ.get("PAINSIM_STANDALONE_DIR") or str(Path.home() / ".cache" / "painsim" / "standalone"))
    there = next((p for p in (root, *root.parents) if p.exists()), None)  # the nearest that is
    if there is not None and not there.is_dir():
        raise ParameterError("PAINSIM_STANDALONE_DIR", str(root), _ROOT_ALLOWED,
                             hint=f"{there} is a file, not a folder")
    return root


def check_standalone_root() -> Path:
    """The root (:func:`standalone_root`), created if missing, refused by name if it cannot be
    used; the first time in this process for a root, also the folders that processes of this host
    killed before their exit clean-up left in it are removed (:func:`remove_stale_builds`).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    painsim.errors.ParameterError
        Named ``PAINSIM_STANDALONE_DIR``: the root cannot be created or written (it is a file,
        lies under a file, is read-only).
    """
    root = standalone_root()
    try:
        (root / "build").mkdir(parents=True, exist_ok=True)
        os.rmdir(tempfile.mkdtemp(dir=root / "build", prefix=".probe-"))
    except OSError as e:
        raise ParameterError("PAINSIM_STANDALONE_DIR", str(root), _ROOT_ALLOWED,
                             hint=f"{type(e).__name__}: {e}") from None
    if str(root) not in _swept:
        _swept.add(str(root))
        remove_stale_builds(root)
    return root


def remove_stale_builds(root: Path) -> list[str]:
    """Remove the private folders of ``root`` left by processes of this host that no longer exist:
    project folders ``build/<structure hash>-<host>-<pid>-<token>[-n]`` and unpublished binaries
    ``bin/.<code hash>.<host>-<pid>-<token>.tmp``.  A process removes its own at exit, which a
    worker killed by its pool (SIGKILL) never reaches.  Folders of live processes, of other hosts
    or PID namespaces (:func:`host_label`) and this process's are kept
    (:func:`painsim.processes.remove_dead_folders`), and so are the folders a process with
    ``PAINSIM_STANDALONE_KEEP=1`` made (``...-kept``); with ``PAINSIM_STANDALONE_KEEP=1`` nothing is removed.

    Parameters
    ----------
    root : pathlib.Path
        A root of the compiled engine (:func:`standalone_root`).

    Returns
    -------
    list of str
        The names removed (relative to ``root``).
    """
    if keep_folders():
        return []
    # hashes and the token have fixed lengths: a longer host name sharing ours as a prefix never matches
    tag = rf"{re.escape(host_label())}-(?P<pid>\d+)-[0-9a-f]{{8}}"
    return ([f"build/{n}" for n in remove_dead_folders(root / "build", rf"[0-9a-f]{{16}}-{tag}(-\d+)?")]
            + [f"bin/{n}" for n in remove_dead_folders(root / "bin", rf"\.[0-9a-f]{{24}}\.{tag}\.tmp")])


def keep_folders() -> bool:
    """Whether project folders are kept at exit: ``$PAINSIM_STANDALONE_KEEP`` (``0``, the default,
    or ``1``).

    Returns
    -------
    bool

    Raises
    ------
    painsim.errors.ParameterError
        The variable is neither ``0`` nor ``1``.
    """
    return env_switch("PAINSIM_STANDALONE_KEEP", False)


def padded_size(n: int) -> int:
    """``n`` rounded up to a power of two (at least 16), so that arrays whose sizes vary
    between patients (binomial connectivity, afferent spike counts) give the same code.
    The padding costs little: padded generator spikes fall after the end of the run, and
    padded synapses all leave one presynaptic neuron, so they add events only when it spikes.

    Parameters
    ----------
    n : int
        The size an array needs (a count of synapses or spikes; taken with ``int``).

    Returns
    -------
    int
        The smallest power of two >= ``n``, and at least 16 (also for ``n <= 0``).
    """
    return max(16, 1 << max(int(n) - 1, 0).bit_length())


#: the name of the generator spikes' array in a network's sizes (:func:`needed_sizes`)
GENERATORS = "generators"


def _array_name(key: tuple) -> str:
    """The name of a ``Synapses`` object's array in a network's sizes: ``source|target|kind``."""
    return "|".join(key)


def needed_sizes(points: Sequence[PointInput], duration: float, dt: float) -> dict[str, int]:
    """The sizes the arrays of a network of ``points`` need, without creating brian2 objects:
    the synapses of each ``Synapses`` object (``"source|target|kind"``, those with synapses)
    and the generator spikes before the end of the run (``"generators"``).

    Parameters
    ----------
    points : sequence of PointInput
        The points of one network (one structure).
    duration, dt : float
        Simulated time and time step, s.

    Returns
    -------
    dict of str to int
        Synapses per ``"source|target|kind"`` (source group, target group, synapse kind) and
        the generator spikes under :data:`GENERATORS`.

    Raises
    ------
    painsim.errors.ParameterError
        From :meth:`painsim.circuits.network.BatchNetwork.array_sizes`: a projection carries a
        conductance its target group's synapse model lacks.
    """
    synapses, n_gen = BatchNetwork.array_sizes(points, duration, dt)
    return {**{_array_name(k): int(n) for k, n in synapses.items()}, GENERATORS: int(n_gen)}


def _fits(sizes: Mapping[str, int], needed: Mapping[str, int]) -> bool:
    return sizes.keys() == needed.keys() and all(sizes[k] >= n for k, n in needed.items())


def _noted(structure: str) -> list[tuple[dict, str]]:
    """The (sizes, code hash) of every binary noted for ``structure`` in ``<root>/keys/<structure>/``."""
    out = []
    for path in (standalone_root() / "keys" / structure).glob("[!.]*"):
        try:
            note = json.loads(path.read_text())
            out.append(({k: int(v) for k, v in note["sizes"].items()}, str(note["code"])))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # a note being replaced or damaged: as if absent (a binary is found by code hash)
    return out


def _fitting(structure: str, needed: Mapping[str, int]) -> dict | None:
    """The sizes of the smallest cached binary of ``structure`` whose arrays hold ``needed``."""
    best = None
    for sizes, code in _noted(structure):
        if _fits(sizes, needed) and (standalone_root() / "bin" / code / "main").is_file():
            if best is None or sum(sizes.values()) < sum(best.values()):
                best = sizes
    return best


def chosen_sizes(structure: str, needed: Mapping[str, int]) -> tuple[dict, bool]:
    """The array sizes of the program of a network of ``structure`` that needs ``needed``
    (:func:`needed_sizes`), and whether a cached binary has them.

    A cached binary of the structure whose every array is at least as large as needed is
    taken (the smallest such): the padding holds the difference, so batches and patients
    whose counts differ (connectivity, afferent spikes) share one binary.  Otherwise each
    size is :func:`padded_size` of the need, raised to the largest size any binary of the
    structure was compiled with, so the new binary holds every earlier batch too and the
    sizes of a cohort converge on one binary after a few compilations at most.

    Parameters
    ----------
    structure : str
        The structure hash of the network (the name of its folder in ``<root>/keys/``).
    needed : mapping of str to int
        The array sizes the network needs (:func:`needed_sizes`).

    Returns
    -------
    sizes : dict of str to int
        The array sizes to compile or to take, one per key of ``needed``.
    fitted : bool
        True if a cached binary (noted and present in ``<root>/bin/``) has these sizes.
    """
    fit = _fitting(structure, needed)
    if fit is not None:
        return fit, True
    sizes = {k: padded_size(n) for k, n in needed.items()}
    for known, _ in _noted(structure):
        if known.keys() == sizes.keys():
            sizes = {k: max(v, known[k]) for k, v in sizes.items()}
    return sizes, False


def _note_binary(structure: str, sizes: Mapping[str, int], code: str) -> None:
    """Note (atomically) that the binary of ``structure`` with array ``sizes`` is cached as ``code``."""
    folder = standalone_root() / "keys" / structure
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / code
    tmp = folder / f".{code}.{_process_tag()}"
    tmp.write_text(json.dumps({"sizes": dict(sizes), "code": code}, sort_keys=True))
    os.replace(tmp, path)  # a reader sees the old note or the new one


def _structure_hash(points: Sequence[PointInput], sharing: tuple, duration: float, dt: float) -> str:
    # the compiler flags and the CPU too: a binary of the other setting or CPU is not this structure's (its notes)
    cpu = cpu_identity(binary_flags())
    key = repr((points[0].plan.key(), sharing, len(points), float(duration), float(dt), tuple(compile_flags()))
               + ((cpu,) if cpu else ()))
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _claim_directory(digest: str) -> Path:
    """A project directory of this process for ``digest`` that no live network uses."""
    # a folder kept on purpose (PAINSIM_STANDALONE_KEEP=1) is named apart: the clean-up of dead
    # processes' folders (remove_stale_builds) would take it for a killed worker's
    base, n = f"{digest}-{_process_tag()}" + ("-kept" if keep_folders() else ""), 0
    name = base
    while name in _claimed:
        n += 1
        name = f"{base}-{n}"
    path = check_standalone_root() / "build" / name  # refused by name, stale folders removed (once)
    _claimed.add(name)
    _created.add(str(path))
    return path


def _publish(binary: Path, cached: Path) -> None:
    """Put ``binary`` at ``cached/main`` atomically: copied into a private temporary
    directory, which is renamed to ``cached``; if another process was first, ours is dropped."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.parent / f".{cached.name}.{_process_tag()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    shutil.copy2(binary, tmp / "main")
    try:
        os.rename(tmp, cached)
    except OSError:  # another worker published the same code first (ENOTEMPTY/EEXIST)
        shutil.rmtree(tmp, ignore_errors=True)


@atexit.register
def _remove_directories() -> None:
    try:
        if keep_folders():
            return
    except ParameterError:  # refused when the folders were made; removed as by default
        pass
    for path in _created:
        shutil.rmtree(path, ignore_errors=True)


def binary_cached(structure: str, needed: Mapping[str, int]) -> bool:
    """Whether the disk cache holds a binary of ``structure`` whose arrays hold ``needed``
    (:func:`needed_sizes`), as noted in ``<root>/keys/`` by whichever engine built it.

    Parameters
    ----------
    structure : str
        The structure hash of the network.
    needed : mapping of str to int
        The array sizes the network needs (:func:`needed_sizes`).

    Returns
    -------
    bool
        True if a noted binary of ``structure`` with the same arrays, each at least as large
        as needed, is present in ``<root>/bin/``; damaged or unreadable notes count as absent.
    """
    return _fitting(structure, needed) is not None


#: a flag that makes the compiler generate code for the CPU it runs on
_NATIVE = re.compile(r"-m(arch|cpu|tune)=native\b")


def binary_flags() -> list[str]:
    """The compiler flags a compiled program asks for: :func:`compile_flags` then brian2's own
    (``codegen.cpp.extra_compile_args``, else its defaults; ``-march=native`` among them).  brian2
    drops the flags its compiler refuses, which it learns by compiling a test file per flag (seconds
    at the first call of a process): not asked here, so a refused ``-march=native`` still keys the
    notes by the CPU (a note per CPU, never a wrong binary).

    Returns
    -------
    list of str
    """
    prefs = import_brian2().prefs
    own = prefs["codegen.cpp.extra_compile_args"]
    if own is None:
        own = prefs["codegen.cpp.extra_compile_args_msvc" if os.name == "nt" else "codegen.cpp.extra_compile_args_gcc"]
    return [*compile_flags(), *own]


def cpu_identity(flags: Iterable[str]) -> str:
    """The CPU a binary compiled with ``flags`` is bound to: ``""`` when no flag asks for this CPU's
    instructions (``-march=``, ``-mcpu=`` or ``-mtune=native``), else ``platform.machine()`` and a
    digest of the instruction-set features of this host's CPUs (the ``flags``/``Features`` lines of
    ``/proc/cpuinfo``; without that file, the host name: a binary per host, never a wrong one).

    Parameters
    ----------
    flags : iterable of str
        Compiler flags, or texts holding them (a makefile).

    Returns
    -------
    str
        Part of the keys of the binary cache: two hosts share binaries only if it is equal.
    """
    return _this_cpu() if any(_NATIVE.search(f) for f in flags) else ""


@functools.lru_cache(maxsize=None)
def _this_cpu() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text(errors="replace").splitlines()
        features = sorted({" ".join(sorted(line.split(":", 1)[1].split())) for line in lines
                           if re.match(r"(flags|Features)\s*:", line)})
    except OSError:
        features = []
    what = "\n".join(features) if features else f"host {socket.gethostname()}"
    return f"{platform.machine()} {hashlib.sha256(what.encode()).hexdigest()[:16]}"


def evict_binary(binary: Path, cached: Path) -> bool:
    """Remove ``cached`` (``<root>/bin/<code hash>``) from the cache if its ``main`` is ``binary``'s
    content (a binary that failed to run; another process may have replaced it meanwhile): renamed
    to a private temporary name first (a process copying it keeps its open file; one about to copy
    it finds none and compiles), then removed.

    Parameters
    ----------
    binary : pathlib.Path
        The program that failed (a network's copy).
    cached : pathlib.Path
        Its folder in the cache.

    Returns
    -------
    bool
        Whether it was removed.
    """
    try:
        if not filecmp.cmp(binary, cached / "main", shallow=False):
            return False
        tmp = cached.parent / f".{cached.name}.{_process_tag()}.tmp"
        os.rename(cached, tmp)
    except OSError:  # gone already (another process evicted it), or no copy of ours to compare
        return False
    shutil.rmtree(tmp, ignore_errors=True)
    return True


#: brian2 numbers code objects and networks per process (``_codeobject_1``, ``network_2``):
#: names only, the same program
_NUMBERING = re.compile(rb"(_codeobject|\bnetwork)_\d+(?!\d)")


def code_hash(directory: Path, files=None) -> str:
    """Hash of the generated project in ``directory``: its ``files`` (names relative to
    ``directory``; default every source, header and makefile outside ``static_arrays/`` and
    ``results/``), not the data, without brian2's per-process object numbering, with the
    brian2 version.

    Parameters
    ----------
    directory : str or pathlib.Path
        The project directory brian2 generated.
    files : iterable of str, optional
        The files to hash, relative to ``directory``; default: every ``.cpp``, ``.h``,
        ``.hpp``, ``.c`` and ``makefile`` outside ``static_arrays/`` and ``results/``.

    Returns
    -------
    str
        24 hexadecimal digits of a SHA-256: the key of the binary in ``<root>/bin/``.
    """
    b2 = import_brian2()
    h = hashlib.sha256(f"brian2 {b2.__version__}\n".encode())
    directory = Path(directory)
    if files is None:
        files = [str(f.relative_to(directory)) for f in directory.rglob("*") if f.is_file()
                 and f.parts[len(directory.parts)] not in ("static_arrays", "results")
                 and (f.suffix in (".cpp", ".h", ".hpp", ".c") or f.name == "makefile")]
    for name in sorted(files, key=lambda f: _NUMBERING.sub(rb"\1", f.encode())):
        h.update(_NUMBERING.sub(rb"\1", name.encode()) + b"\0")
        h.update(_NUMBERING.sub(rb"\1", (directory / name).read_bytes()) + b"\0")
    if (directory / "makefile").is_file():  # -march=native: a binary of this CPU (standalone_cache.cpu_identity)
        h.update(cpu_identity([(directory / "makefile").read_text(errors="replace")]).encode())
    return h.hexdigest()[:24]


#: exit statuses of a program that a bad binary gives (not one killed from outside, SIGKILL or
#: SIGTERM, or short of memory): killed by SIGILL (built for another CPU), SIGBUS, SIGSEGV or SIGSYS,
#: or 127 (not found, or the loader missed a library it was linked against: a binary of another
#: environment); as :func:`~painsim.processes.run_tied` (128 + n) or :func:`subprocess.call` (-n)
_BAD_BINARY = {127} | {f(s) for s in (signal.SIGILL, signal.SIGBUS, signal.SIGSEGV, signal.SIGSYS)
                       for f in (lambda n: 128 + n, lambda n: -n)}
#: the shell's "cannot execute" (126): a root on a noexec mount, permissions; not evicted, since a
#: good binary would be recompiled at every run
_NOT_EXECUTED = {126}


def exit_description(status: int) -> str:
    """A program's exit status in words: the signal that killed it, or the status.

    Parameters
    ----------
    status : int
        As :func:`painsim.processes.run_tied` (128 + n for signal n) or :func:`subprocess.call` (-n).

    Returns
    -------
    str
        ``"was killed by SIGILL"``, ``"exited with status 3"``.
    """
    n = -status if status < 0 else status - 128
    if n in {int(s) for s in signal.Signals} and (status < 0 or status > 128):
        return f"was killed by {signal.Signals(n).name}"
    return f"exited with status {status}"
