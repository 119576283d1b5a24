"""The compiled engine: a batch network compiled with brian2's ``cpp_standalone``
device, rerun with new efficacies as run-time arguments, its binary cached on disk
by structure; and the automatic choice between it and the runtime engine.

:class:`StandaloneNetwork` has the rerun interface of
:class:`painsim.circuits.network.BatchNetwork` (built once for a list of
:class:`PointInput`, ``run(weights) -> list[PointOutput]``) and creates the same
brian2 objects with the same code (:meth:`BatchNetwork.assemble`), but on a
private ``CPPStandaloneDevice``: the objects become one C++ program, and every
:meth:`StandaloneNetwork.run` starts that program from its initial state with
the efficacies of the plastic synapses given as run-time arguments
(``device.run(run_args=...)``, brian2 >= 2.6): no recompilation, no store/restore.

brian2's device is global state: the standalone device is active only while
the objects are created and the code generated, then the previous device (the
runtime device) is restored, so the runtime engine of the same process is
unaffected.  Every network has its own device object, so several coexist.

**What is compiled, what is data.**  brian2 writes a point's values (initial
potentials, per-neuron parameters, connectivity, conductances, delays, generator
spikes) into ``static_arrays/`` files that the program reads when it starts;
the C++ code holds the equations, the names, the shared (group-uniform)
parameter values, the time step, the duration and the *sizes* of those arrays.
So that networks of one structure but different patients, stimuli or seeds have
the same code, the sizes are padded: the generator spikes with spikes after the
end of the run (never replayed) and every ``Synapses`` object with synapses of
zero conductance from the first neuron of its source group (every ``on_pre``
adds ``w * conductance``, so they add exactly 0.0).  What is computed does not
change.  The sizes are chosen before the objects are created
(:func:`chosen_sizes`): those of a cached binary of the same structure whose
every array holds what the network needs (:func:`needed_sizes`), so batches and
patients whose counts differ share one binary; else each need rounded up to a
power of two (:func:`padded_size`) and raised to the largest size the structure
was compiled with before, so that the new binary holds the earlier batches too.

**Pieces.**  The compiled program's cost is per point, and flat only while the
network's state fits the caches: a network of more than :data:`MAX_POINTS`
points is cut into balanced pieces, one program each (:func:`compiled_network`,
:class:`CompiledPieces`); a point's result does not depend on its companions.

**The binary cache.**  Each network generates its project into a private
directory of its process, ``<root>/build/<structure hash>-<pid>[-n]``
(removed at exit; ``PAINSIM_STANDALONE_KEEP=1`` keeps them), then hashes the
generated sources (:func:`code_hash`: code and makefile, with brian2's
process-dependent object numbering removed, plus the brian2 version).  If
``<root>/bin/<code hash>/main`` exists, that binary is copied in and nothing is
compiled; otherwise the project is compiled in the private directory and its
binary published by an atomic rename of a private temporary directory to
``<root>/bin/<code hash>`` (a worker that loses the race discards its copy), so
workers never write into each other's directories and never see a half-written
binary.  ``<root>/keys/<structure hash>/<code hash>`` notes the array sizes of
each cached binary (written atomically), which :func:`chosen_sizes` and the
automatic engine read.  ``<root>`` is ``$PAINSIM_STANDALONE_DIR`` or
``~/.cache/painsim/standalone``.  :attr:`StandaloneNetwork.builds` counts the
compilations of a process, :attr:`StandaloneNetwork.cache_hits` the binaries
taken from the cache.

**Engine choice** (:func:`painsim.circuits.codegen.engine_choice`):
``"runtime"`` (default), ``"standalone"`` or ``"auto"`` (:class:`AutoNetwork`:
the runtime engine until the runs of one compiled structure in this process have
cost as much runtime as compiling would, then the compiled engine;
:func:`runtime_runs_before_compiling`).  Callers that know their workload say how
many runs are coming (:func:`expected_runs`: the course engine, the cohort runner),
and ``auto`` then compiles at the first run when they pay for it; a binary already
in the disk cache costs no compilation and is used from the first run.  The
generated C++ is compiled with brian2's default flags (``-O3 -ffast-math``) and, with GCC on
x86-64 Linux, :data:`VECTORISE_FLAGS`, which let GCC vectorise the neuron groups' state
updates (:func:`compile_flags`); ``tests/test_standalone.py`` checks that spikes and
efficacies equal the runtime engine's, within :data:`SPIKE_TOLERANCE` with :data:`VECTORISE_FLAGS`.
"""
from __future__ import annotations

import atexit
import contextlib
import contextvars
import hashlib
import json
import math
import os
import re
import shutil
import weakref
from collections import Counter
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..checks import env_choice
from ..errors import PainsimError, ParameterError
from ..processes import run_tied
from .codegen import codegen_target, import_brian2
from . import compiler
from .compiler import SPIKE_TOLERANCE, VECTORISE_FLAGS, bounded_make, compile_flags, skip_result_writes
from .network import NETWORK_CLASSES, BatchNetwork, PointInput, PointOutput
from .plan import neuron_groups

__all__ = ["StandaloneNetwork", "AutoNetwork", "standalone_root", "code_hash", "padded_size", "needed_sizes",
           "chosen_sizes", "compiled_network", "CompiledPieces", "pieces", "MAX_POINTS",
           "runtime_runs_before_compiling", "expected_runs", "expected_runs_hint", "binary_cached", "auto_report",
           "auto_reset", "RUN_COST", "COMPILE_COST", "VECTORISE_FLAGS", "SPIKE_TOLERANCE", "compile_flags"]

#: project directories in use by a live network of this process
_claimed: set[str] = set()
#: project directories created by this process (removed at exit)
_created: set[str] = set()


def standalone_root() -> Path:
    """Where project directories and the binary cache go: ``$PAINSIM_STANDALONE_DIR`` or
    ``~/.cache/painsim/standalone``."""
    root = os.environ.get("PAINSIM_STANDALONE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "painsim" / "standalone"


def padded_size(n: int) -> int:
    """``n`` rounded up to a power of two (at least 16), so that arrays whose sizes vary
    between patients (binomial connectivity, afferent spike counts) give the same code.
    The padding costs little: padded generator spikes fall after the end of the run, and
    padded synapses all leave one presynaptic neuron, so they add events only when it spikes."""
    return max(16, 1 << max(int(n) - 1, 0).bit_length())


#: the name of the generator spikes' array in a network's sizes (:func:`needed_sizes`)
GENERATORS = "generators"


def _array_name(key: tuple) -> str:
    """The name of a ``Synapses`` object's array in a network's sizes: ``source|target|kind``."""
    return "|".join(key)


def needed_sizes(points: Sequence[PointInput], duration: float, dt: float) -> dict[str, int]:
    """The sizes the arrays of a network of ``points`` need, without creating brian2 objects:
    the synapses of each ``Synapses`` object (``"source|target|kind"``, those with synapses)
    and the generator spikes before the end of the run (``"generators"``)."""
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
    sizes of a cohort converge on one binary after a few compilations at most."""
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
    tmp = folder / f".{code}.{os.getpid()}"
    tmp.write_text(json.dumps({"sizes": dict(sizes), "code": code}, sort_keys=True))
    os.replace(tmp, path)  # a reader sees the old note or the new one


class _Delegate:
    """A module seen through one replaced function (the rest delegates to the module)."""

    def __init__(self, module, **replaced):
        self._module, self._replaced = module, replaced

    def __getattr__(self, name):
        return self._replaced[name] if name in self._replaced else getattr(self._module, name)


@contextlib.contextmanager
def _tied_commands():
    """brian2's device compiles with ``os.system("make ...")`` and runs the program with
    ``subprocess.call``; inside this block both go through :func:`painsim.processes.run_tied`,
    so that a worker killed with its parent leaves no compiler or program running.  Only the
    device module's view of ``os`` and ``subprocess`` changes, and only for the block."""
    from brian2.devices.cpp_standalone import device as device_module
    real_os, real_subprocess = device_module.os, device_module.subprocess
    device_module.os = _Delegate(real_os, system=lambda line: run_tied(["sh", "-c", line]))
    device_module.subprocess = _Delegate(real_subprocess, call=lambda args, **kw: run_tied(list(args), **kw))
    try:
        yield
    finally:
        device_module.os, device_module.subprocess = real_os, real_subprocess


def _structure_hash(points: Sequence[PointInput], sharing: tuple, duration: float, dt: float) -> str:
    # the compiler flags too: a binary of the other setting is not this structure's (its notes)
    key = repr((points[0].plan.key(), sharing, len(points), float(duration), float(dt), tuple(compile_flags())))
    return hashlib.sha1(key.encode()).hexdigest()[:16]


#: brian2 numbers code objects and networks per process (``_codeobject_1``, ``network_2``):
#: names only, the same program
_NUMBERING = re.compile(rb"(_codeobject|\bnetwork)_\d+(?!\d)")


def code_hash(directory: Path, files=None) -> str:
    """Hash of the generated project in ``directory``: its ``files`` (names relative to
    ``directory``; default every source, header and makefile outside ``static_arrays/`` and
    ``results/``), not the data, without brian2's per-process object numbering, with the
    brian2 version."""
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
    return h.hexdigest()[:24]


def _claim_directory(digest: str) -> Path:
    """A project directory of this process for ``digest`` that no live network uses."""
    base, n = f"{digest}-{os.getpid()}", 0
    name = base
    while name in _claimed:
        n += 1
        name = f"{base}-{n}"
    _claimed.add(name)
    path = standalone_root() / "build" / name
    _created.add(str(path))
    return path


def _publish(binary: Path, cached: Path) -> None:
    """Put ``binary`` at ``cached/main`` atomically: copied into a private temporary
    directory, which is renamed to ``cached``; if another process was first, ours is dropped."""
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.parent / f".{cached.name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    shutil.copy2(binary, tmp / "main")
    try:
        os.rename(tmp, cached)
    except OSError:  # another worker published the same code first (ENOTEMPTY/EEXIST)
        shutil.rmtree(tmp, ignore_errors=True)


@atexit.register
def _remove_directories() -> None:
    if os.environ.get("PAINSIM_STANDALONE_KEEP") == "1":
        return
    for path in _created:
        shutil.rmtree(path, ignore_errors=True)


class StandaloneNetwork(BatchNetwork):
    """One compiled brian2 program of ``points`` (one structure, the same
    :func:`painsim.circuits.plan.shared_parameters`), built once (compiled, or its
    binary taken from the disk cache) and run any number of times from its
    initial state with new efficacies.

    Parameters
    ----------
    points : sequence of PointInput
    sharing : tuple
        The points' :func:`painsim.circuits.plan.shared_parameters`.
    duration, dt : float
        Simulated time and time step, s.
    """

    #: compilations of this process (a rerun with new efficacies, or a binary from the cache, adds none)
    builds = 0
    #: networks of this process whose binary came from the disk cache
    cache_hits = 0

    def __init__(self, points: Sequence[PointInput], sharing: tuple, duration: float, dt: float,
                 needed: Mapping[str, int] | None = None):
        b2 = import_brian2()
        from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
        from brian2.devices.device import reset_device, set_device
        structure = _structure_hash(points, sharing, duration, dt)
        # the array sizes of the program: a cached binary's that fit, else padded (module docstring)
        self._target, self.fitted = chosen_sizes(structure, needed if needed is not None
                                                 else needed_sizes(points, duration, dt))
        self._directory = _claim_directory(structure)
        weakref.finalize(self, _claimed.discard, self._directory.name)
        device = CPPStandaloneDevice()
        device.extra_compile_args = compile_flags()  # before brian2's own flags; in the makefile, so in the code hash
        set_device(device, build_on_run=False)
        try:
            net, synapses, monitors = self.assemble(points, sharing, duration, dt)
            # profiling adds timers to the generated code (another binary); only when asked
            net.run(duration * b2.second, namespace={}, **({"profile": True} if PROFILE else {}))
            device.build(directory=str(self._directory), compile=False, run=False, with_output=False)
            if not compiler.WRITE_SYNAPSE_ARRAYS:  # before hashing: the binary is keyed by what it writes too
                skip_result_writes(self._directory / "objects.cpp", [S.name for S in synapses.values()])
            written = device.writer.source_files | device.writer.header_files  # not a reused directory's old files
            self._code_hash = code_hash(self._directory, written | {"makefile", "brianlib/spikequeue.h",
                                                                     "brianlib/stdint_compat.h"})
            cached = standalone_root() / "bin" / self._code_hash
            self.from_cache = (cached / "main").is_file()
            if self.from_cache:
                shutil.copy2(cached / "main", self._directory / "main")
                StandaloneNetwork.cache_hits += 1
            else:
                from brian2.devices.cpp_standalone.device import get_compiler_and_args
                with _tied_commands(), bounded_make(b2.prefs):
                    device.compile_source(str(self._directory), get_compiler_and_args()[0], debug=False,
                                          clean=False)
                StandaloneNetwork.builds += 1
                _publish(self._directory / "main", cached)
        finally:
            reset_device()
        # later networks of this structure (any process, any batch whose arrays fit) take this binary
        _note_binary(structure, self._target, self._code_hash)
        self._device, self._standalone_synapses, self._standalone_monitors = device, synapses, monitors

    # Padding (module docstring): sizes that vary a little between patients give the same code.

    def _generator_spikes(self) -> tuple[np.ndarray, np.ndarray]:
        idx, times = super()._generator_spikes()
        pad = self._target[GENERATORS] - idx.size  # spikes of neuron 0 after the end of the run: never replayed
        return (np.concatenate([idx, np.zeros(pad, idx.dtype)]),
                np.concatenate([times, self._duration + self._dt * np.arange(1, pad + 1)]))

    def _merge_projections(self) -> dict:
        merged = super()._merge_projections()
        for key, m in merged.items():
            if m["n"]:  # zero-conductance synapses (no entry in m["cond"]) from neuron 0 onto neuron 0
                pad = self._target[_array_name(key)] - m["n"]
                m["pre"].append(np.zeros(pad, int))
                m["post"].append(np.zeros(pad, int))
                m["delay"].append(np.zeros(pad))
                m["n"] += pad
        return merged

    @property
    def directory(self) -> Path:
        """The project directory of the compiled program."""
        return self._directory

    def profiling_info(self) -> list[tuple[str, float]]:
        """Seconds spent in each code object during the last :meth:`run`, largest first
        (brian2's ``profiling_info.txt``); only for a program built with :data:`PROFILE`.

        Raises
        ------
        PainsimError
            The program was built without profiling, or has not run.
        """
        path = self._directory / "results" / "profiling_info.txt"
        if not path.is_file():
            raise PainsimError(f"no profiling information in {path} (set PAINSIM_STANDALONE_PROFILE=1 "
                             "before building the network, then run it)")
        rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
        return sorted(((name, float(sec)) for name, sec in rows), key=lambda row: -row[1])

    @property
    def code_hash(self) -> str:
        """The key of the program's binary in the cache (:func:`code_hash`)."""
        return self._code_hash

    def run(self, weights: Sequence[Mapping[str, np.ndarray]]) -> list[PointOutput]:
        """Simulate every point from the initial state with ``weights[b]``: the
        efficacies per connection of point ``b`` (a missing connection: 1)."""
        w_all = self.efficacies(weights)
        device = self._device
        run_args = {S.w: w_all[key] for key, S in self._standalone_synapses.items()}
        try:
            with _tied_commands():
                device.run(run_args=run_args, with_output=False)
        finally:  # the efficacy files of this run (one per distinct vector) are not needed again
            for name in device.run_args_arrays:
                for suffix in ("", ".lock"):
                    Path(device.project_dir, "static_arrays", name + suffix).unlink(missing_ok=True)
        recorded = {g: (np.asarray(mon.t_), np.asarray(mon.i)) for g, mon in self._standalone_monitors.items()}
        return self.outputs(recorded, w_all)


#: Build programs that time each code object (brian2's ``profile=True``; another binary, slower
#: by the timers): ``$PAINSIM_STANDALONE_PROFILE=1``, read at import, or set before building.
#: :meth:`StandaloneNetwork.profiling_info` reads the times of the last run.
PROFILE = env_choice("PAINSIM_STANDALONE_PROFILE", "0", ("0", "1")) == "1"

#: The most points one compiled program holds.  The compiled program's cost is almost all
#: per point (state updates), and per point it is flat up to 32 points and 2.4x higher at 128
#: (the whole pathway, 1.3-s windows, user CPU per run on the 2-core development machine: 8
#: points 0.53 s, 16 1.05 s, 32 2.14 s, 128 20.1 s; two programs at once: the same per point):
#: the state of a 128-point network (~7 MB for the spinal group alone, rewritten every step)
#: no longer fits the caches.  Larger networks are cut into balanced pieces of at most this
#: many points, each its own program (:func:`compiled_network`; docs/sweeps_and_cohorts.md).
#: ``$PAINSIM_STANDALONE_MAX_POINTS`` (read at import, so worker processes inherit it) overrides it.
MAX_POINTS = int(os.environ.get("PAINSIM_STANDALONE_MAX_POINTS", "32"))


def pieces(n: int, max_points: int | None = None) -> list[slice]:
    """``n`` points cut into consecutive pieces of at most ``max_points`` (default
    :data:`MAX_POINTS`), as few as possible, sizes within one (largest first)."""
    m = max(1, int(max_points or MAX_POINTS))
    k = max(1, math.ceil(n / m))
    sizes = [n // k + (j < n % k) for j in range(k)]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    return [slice(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:])]


class CompiledPieces:
    """The compiled engine for more than :data:`MAX_POINTS` points: one
    :class:`StandaloneNetwork` per piece (:func:`pieces`), run one after the other; the rerun
    interface of :class:`BatchNetwork`.  A point's result does not depend on its batch
    companions, so it equals one program of all the points (and the runtime engine's)."""

    def __init__(self, points: Sequence[PointInput], sharing: tuple, duration: float, dt: float,
                 needed: Sequence[Mapping[str, int]] | None = None):
        self.slices = pieces(len(points))
        self.networks = [StandaloneNetwork(points[sl], sharing, duration, dt,
                                           needed=None if needed is None else needed[j])
                         for j, sl in enumerate(self.slices)]

    def run(self, weights: Sequence[Mapping[str, np.ndarray]]) -> list[PointOutput]:
        if len(weights) != self.slices[-1].stop:
            raise ParameterError("weights", len(weights), f"one mapping per point ({self.slices[-1].stop})")
        return [out for sl, net in zip(self.slices, self.networks) for out in net.run(weights[sl])]


def compiled_network(points: Sequence[PointInput], sharing: tuple, duration: float, dt: float,
                     needed: Sequence[Mapping[str, int]] | None = None):
    """The compiled engine's network of ``points``: one :class:`StandaloneNetwork` for at most
    :data:`MAX_POINTS` points, else :class:`CompiledPieces`.  ``needed``: the
    :func:`needed_sizes` of each piece, if known."""
    if len(points) <= MAX_POINTS:
        return StandaloneNetwork(points, sharing, duration, dt, needed=None if needed is None else needed[0])
    return CompiledPieces(points, sharing, duration, dt, needed)


# --------------------------------------------------------------------------- automatic choice

#: Cost of one run, s per simulated second of a network of B points: ``F + P * B``
#: (F: the fixed cost per step of the network's code objects, P: per point), per engine,
#: for networks of one neuron group (the spinal stack) and of two or more (the pathway).
#: Measured with ``benchmarks/bench_engine.py`` on the 2-core development machine (spinal:
#: neuropathic, 1 and 4 points, 2 s; pathway: pain_pathway, 1 and 8 points, 1 s); the
#: standalone and Cython values again on 2026-11-30 with the vectorised programs and the
#: spino-PAG layer (fastest of several rounds on a shared machine; every round, the numpy
#: values and the former ones: docs/circuits.md, "Automatic choice").
RUN_COST = {
    "spinal": {"numpy": (0.725, 0.045), "cython": (0.275, 0.011), "standalone": (0.024, 0.004)},
    "pathway": {"numpy": (2.13, 0.17), "cython": (1.08, 0.072), "standalone": (0.055, 0.027)},
}
#: Code generation + compilation of one network structure, s (independent of the batch size:
#: only array sizes change in the code), cold, the fastest of 20-24 compilations in the same
#: runs as :data:`RUN_COST` (spinal 8.4-9.0 s, pathway 25.5-26.6 s; a busy machine slows them
#: up to 3x, so ``auto`` then compiles somewhat early; docs/circuits.md).  A structure whose
#: binary is already in the disk cache costs no compilation: generating its project, copying
#: the binary and the first run cost less than building the runtime network and its first run
#: (pathway, 4 points: 0.7-0.8 s vs 2.1-3.4 s on Cython), so it counts as free.
COMPILE_COST = {"spinal": 8.5, "pathway": 26.0}

#: runs of each compiled structure (structure hash and padded sizes) in this process,
#: and how many of them ran on the compiled engine
_runs: Counter = Counter()
_compiled_runs: Counter = Counter()
#: structures that compile (or take their cached binary) from their next run on, because a
#: hint said enough runs would follow (:func:`expected_runs`)
_committed: set = set()
#: the threshold and the expected runs (None: no hint) of each structure seen by the automatic engine
_thresholds: dict = {}
_expected: dict = {}

#: the enclosing :func:`expected_runs` hints (a context variable: a thread or a task of its own
#: starts without a hint)
_HINTS: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar("painsim_expected_runs", default=())


@contextlib.contextmanager
def expected_runs(runs: int):
    """Tell the automatic engine how many times each network built inside will be run.

    A caller that knows its workload in advance (a course: sessions x chunks of one set of
    windows; a cohort: batches of one size per process) says so; an :class:`AutoNetwork`
    created inside takes ``runs`` as the runs of its compiled structure still to come in this
    process, and compiles (or takes its binary from the disk cache) at its first run when
    they pay for the compilation (``runs >= runtime_runs_before_compiling(...)``).  Below
    the threshold the hint changes nothing: rent-then-buy continues to count, so a hint that
    is too low costs at most the rent-then-buy bound, one that is too high at most one
    compilation.  Hints nest by multiplying: an outer ``expected_runs(R)`` says that the
    work inside is repeated ``R`` times (a cohort worker's ``R`` course batches of one
    size), an inner ``expected_runs(n)`` that each network inside runs ``n`` times per
    repetition (a course's session networks), so each runs ``R * n`` times; networks built
    inside without an inner hint are taken to run once per repetition.  Only ``auto``
    reads it; results never depend on it (either engine gives the same spikes).

    >>> with expected_runs(40):            # doctest: +SKIP
    ...     runner.run(weights)            # the networks built here will run 40 times
    """
    if isinstance(runs, bool) or int(runs) != runs or runs < 1:
        raise ParameterError("expected_runs", runs, "a whole number of runs >= 1")
    token = _HINTS.set(_HINTS.get() + (int(runs),))
    try:
        yield
    finally:
        _HINTS.reset(token)


def expected_runs_hint() -> int | None:
    """The runs the enclosing :func:`expected_runs` hints promise to each network built now
    (their product), or None outside any hint."""
    hints = _HINTS.get()
    return math.prod(hints) if hints else None


def runtime_runs_before_compiling(duration: float, batch: int, target: str | None = None,
                                  cached: bool = False, groups: int = 1) -> int:
    """How many runs of one network structure the automatic engine leaves to the runtime
    engine before it compiles: the smallest ``k`` with ``k * saving >= compile``, where
    ``saving = duration * (runtime cost - standalone cost)`` per run of a ``batch``-point
    network (:data:`RUN_COST`, the runtime target ``target``, default
    :func:`painsim.circuits.codegen.codegen_target`; the spinal row for one neuron group,
    the pathway row for ``groups >= 2``) and ``compile`` is :data:`COMPILE_COST`; 0 if the
    structure's binary is ``cached`` on disk (it costs no compilation: compiled from the first run).

    Rent-or-buy: not knowing how often a structure will be rerun, run it with the runtime
    engine until the time spent equals the compile time, then compile.  A structure run
    ``r`` times costs at most twice what the better engine for ``r`` runs would have cost;
    one-off networks (``r <= k``) never compile.  A caller that knows ``r`` says so
    (:func:`expected_runs`) and the structure compiles at its first run when ``r >= k``.
    It depends on the workload and on whether the binary is cached, not on measured times;
    either engine gives the same results (``tests/test_standalone.py``).
    """
    if cached:
        return 0
    target = target or codegen_target()
    row = RUN_COST["spinal" if groups <= 1 else "pathway"]
    f_rt, p_rt = row["numpy" if target == "numpy" else "cython"]
    f_sa, p_sa = row["standalone"]
    saving = duration * ((f_rt - f_sa) + (p_rt - p_sa) * batch)
    compile_s = COMPILE_COST["spinal" if groups <= 1 else "pathway"]
    return max(1, math.ceil(compile_s / max(saving, 1e-9)))


def auto_report() -> list[dict]:
    """What the automatic engine did in this process, per compiled structure: its
    ``runs``, the ``threshold`` (:func:`runtime_runs_before_compiling`), the ``expected``
    runs a hint promised (:func:`expected_runs`; None: no hint) and how many of the runs were
    on the compiled engine (``compiled_runs``)."""
    return [dict(structure=key[0], runs=n, threshold=_thresholds[key], expected=_expected.get(key),
                 compiled_runs=_compiled_runs[key]) for key, n in _runs.items()]


def auto_reset() -> None:
    """Forget what the automatic engine counted in this process (runs, thresholds, hints
    acted on); the disk cache stays.  For benchmarks and tests that measure a fresh process
    with a warm disk cache."""
    for store in (_runs, _compiled_runs, _committed, _thresholds, _expected):
        store.clear()


def binary_cached(structure: str, needed: Mapping[str, int]) -> bool:
    """Whether the disk cache holds a binary of ``structure`` whose arrays hold ``needed``
    (:func:`needed_sizes`), as noted in ``<root>/keys/`` by whichever engine built it."""
    return _fitting(structure, needed) is not None


class AutoNetwork:
    """The automatic engine: a :class:`BatchNetwork` that becomes the compiled engine's
    network (:func:`compiled_network`) once the runs of its structure (the structure hash)
    in this process exceed
    :func:`runtime_runs_before_compiling`, or from its first run when a hint
    (:func:`expected_runs`) promises enough runs to pay for the compilation.  The runs are
    counted per process, across networks: a course's or a sweep's networks of one structure
    share the count, and the binary, once compiled, comes from the disk cache for the next
    ones.  The notes in ``<root>/keys/`` (a structure's cached binaries and their array
    sizes, written atomically by every engine that compiles or takes a binary) tell later
    networks and processes that a binary holding their arrays is cached (every piece's, for
    more than :data:`MAX_POINTS` points): it costs no compilation, so it is used from the
    first run.  Results equal either engine's (``tests/test_standalone.py``)."""

    def __init__(self, points: Sequence[PointInput], sharing: tuple, duration: float, dt: float):
        self._args = (points, sharing, duration, dt)
        # the compiled engine's programs: one per piece of at most MAX_POINTS points
        parts = [points[sl] for sl in pieces(len(points))]
        self.needed = [needed_sizes(part, duration, dt) for part in parts]
        self.key = (_structure_hash(points, sharing, duration, dt),)
        # a wrong or stale note costs a compilation, never a wrong binary: binaries are found by code hash
        self.cached = all(binary_cached(_structure_hash(part, sharing, duration, dt), need)
                          for part, need in zip(parts, self.needed))
        self.threshold = runtime_runs_before_compiling(duration, len(points), cached=self.cached,
                                                       groups=len(neuron_groups(points[0].plan.populations)))
        self.expected = expected_runs_hint()
        _thresholds[self.key] = self.threshold
        if self.expected is not None:
            _expected[self.key] = self.expected
            if self.expected >= self.threshold:
                _committed.add(self.key)  # enough runs will follow: buy now
        self._net: BatchNetwork | None = None  # built by the first run, on the engine of that run

    @property
    def engine(self) -> str:
        """The engine of the next run: ``"runtime"`` or ``"standalone"``."""
        return "standalone" if self._compiled() else "runtime"

    def _compiled(self) -> bool:
        return self.key in _committed or _runs[self.key] >= self.threshold

    def run(self, weights: Sequence[Mapping[str, np.ndarray]]) -> list[PointOutput]:
        compiled = self._compiled()
        if self._net is None or (compiled and isinstance(self._net, BatchNetwork)
                                 and not isinstance(self._net, StandaloneNetwork)):
            self._net = compiled_network(*self._args, needed=self.needed) if compiled else BatchNetwork(*self._args)
        _runs[self.key] += 1
        _compiled_runs[self.key] += compiled
        return self._net.run(weights)


NETWORK_CLASSES["standalone"] = compiled_network
NETWORK_CLASSES["auto"] = AutoNetwork
