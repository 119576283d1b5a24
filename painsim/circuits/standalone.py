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
unaffected.  Every network has its own device object, so several coexist.  brian2
compiles and runs the program from its project folder by changing the process's
working directory: building and running hold one lock of the module (``_DEVICE_LOCK``),
so networks used from several threads run one at a time, each with its own inputs.
A program that fails is an :class:`~painsim.errors.EngineError`; one that dies of a
signal a bad binary gives leaves the cache and is compiled anew at the next run.

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
network's state fits the caches: a network of more than :func:`max_program_points`
points is cut into balanced pieces, one program each (:func:`compiled_network`,
:class:`CompiledPieces`); a point's result does not depend on its companions.

**The binary cache** (:mod:`painsim.circuits.standalone_cache`, which describes it): private
project directories, binaries in ``<root>/bin/<code hash>`` (:func:`code_hash`), notes of
their array sizes in ``<root>/keys/``; keyed by the generated C++, not by painsim's sources.

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

The hints and run counts of the automatic engine are in :mod:`painsim.circuits.auto_runs`;
every name of both modules stays importable from here.
"""
from __future__ import annotations

import contextlib
import math
import os
import shutil
import threading
import weakref
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ..checks import env_switch, env_whole
from ..errors import EngineError, PainsimError, ParameterError
from ..processes import run_tied
from .codegen import codegen_target, import_brian2
from . import compiler
from .compiler import SPIKE_TOLERANCE, VECTORISE_FLAGS, bounded_make, compile_flags, skip_result_writes
from .network import NETWORK_CLASSES, BatchNetwork, PointInput, PointOutput
from .plan import neuron_groups
# the binary cache and the array sizes (standalone_cache), the hints and counts of the automatic
# engine (auto_runs): every name importable from here as before
from .standalone_cache import (_BAD_BINARY, _NOT_EXECUTED, GENERATORS, _array_name, _claim_directory, _claimed,
                               _note_binary, _publish, _structure_hash, binary_cached, check_standalone_root,
                               chosen_sizes, code_hash, evict_binary, exit_description, keep_folders, needed_sizes,
                               padded_size, standalone_root)
from .auto_runs import (_committed, _compiled_runs, _expected, _runs, _thresholds, auto_report, auto_reset,
                        expected_runs, expected_runs_hint)

__all__ = ["StandaloneNetwork", "AutoNetwork", "standalone_root", "code_hash", "padded_size", "needed_sizes",
           "chosen_sizes", "compiled_network", "CompiledPieces", "pieces", "MAX_POINTS", "DEFAULT_MAX_POINTS",
           "max_program_points", "profiling", "check_standalone_root", "keep_folders",
           "runtime_runs_before_compiling", "expected_runs", "expected_runs_hint", "binary_cached", "auto_report",
           "auto_reset", "RUN_COST", "COMPILE_COST", "VECTORISE_FLAGS", "SPIKE_TOLERANCE", "compile_flags"]


class _Delegate:
    """A module seen through one replaced function (the rest delegates to the module)."""

    def __init__(self, module, **replaced):
        self._module, self._replaced = module, replaced

    def __getattr__(self, name):
        return self._replaced[name] if name in self._replaced else getattr(self._module, name)


#: held while brian2 switches the global device, compiles or runs a program (both change the
#: process's working directory) and while a network claims its folder: threads take turns
_DEVICE_LOCK = threading.RLock()
# a new one in a forked child: one forked while another thread held it would wait forever
os.register_at_fork(after_in_child=lambda: globals().update(_DEVICE_LOCK=threading.RLock()))


@contextlib.contextmanager
def _tied_commands():
    """brian2's device compiles with ``os.system("make ...")`` and runs the program with
    ``subprocess.call``; inside this block both go through :func:`painsim.processes.run_tied`,
    so that a worker killed with its parent leaves no compiler or program running.  Only the
    device module's view of ``os`` and ``subprocess`` changes, and only for the block, which
    yields the list of the exit statuses of the programs it ran."""
    from brian2.devices.cpp_standalone import device as device_module
    real_os, real_subprocess = device_module.os, device_module.subprocess
    statuses: list[int] = []

    def call(args, **kw):
        statuses.append(run_tied(list(args), **kw))
        return statuses[-1]
    device_module.os = _Delegate(real_os, system=lambda line: run_tied(["sh", "-c", line]))
    device_module.subprocess = _Delegate(real_subprocess, call=call)
    try:
        yield statuses
    finally:
        device_module.os, device_module.subprocess = real_os, real_subprocess


def _compile(device, directory: Path, prefs) -> None:
    """Compile the project brian2 generated in ``directory`` (``make``, bounded and tied to this
    process).  brian2 reports a failed compilation (no C++ compiler, ``$CXX`` naming none) as a
    RuntimeError that its exception hook calls a possible bug of brian2: here it is an
    :class:`~painsim.errors.EngineError` that says which engine failed, where the compiler's
    output went and how to run without compiling."""
    from brian2.devices.cpp_standalone.device import get_compiler_and_args
    try:
        with _tied_commands(), bounded_make(prefs):
            device.compile_source(str(directory), get_compiler_and_args()[0], debug=False, clean=False)
    except RuntimeError as e:
        raise EngineError(
            "the compiled engine (PAINSIM_ENGINE=standalone or auto) could not compile the network: "
            f"{str(e).split(' Consider running with')[0]} "  # brian2's advice on its own call is not the user's
            f"(C++ compiler: {os.environ.get('CXX') or 'g++'}, from $CXX; {_compiler_output(directory)}); "
            "check the compiler, or set PAINSIM_ENGINE=runtime to run without compiling") from e


def _compiler_output(directory: Path) -> str:
    """Where the messages of a failed compilation are: brian2 writes what it held back to standard
    output and error, and keeps it in a log file when it redirects to one and keeps its logs
    (``logging.delete_log_on_exit`` off); the project folder."""
    from brian2 import prefs
    from brian2.utils.logger import std_silent
    log = getattr(std_silent, "dest_fname_stderr", None)
    kept_log = log and os.path.isfile(log) and not prefs["logging.delete_log_on_exit"]
    where = f"the compiler's messages were printed above{f' and are in {log}' if kept_log else ''}"
    kept = "kept" if keep_folders() else "removed at exit; PAINSIM_STANDALONE_KEEP=1 keeps it"
    return f"{where}; the project is in {directory} ({kept})"


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
    needed : mapping of str to int, optional
        The array sizes the network needs
        (:func:`~painsim.circuits.standalone_cache.needed_sizes`), if already known; default:
        computed from ``points``.
    """

    #: compilations of this process (a rerun with new efficacies, or a binary from the cache, adds none)
    builds = 0
    #: networks of this process whose binary came from the disk cache
    cache_hits = 0

    def __init__(self, points: Sequence[PointInput], sharing: tuple, duration: float, dt: float,
                 needed: Mapping[str, int] | None = None):
        with _DEVICE_LOCK:  # the global device, brian2's chdir while compiling, the claimed folders
            self._build(points, sharing, duration, dt, needed)

    def _build(self, points, sharing, duration, dt, needed) -> None:
        """Generate the project and compile it, or take its binary from the cache (under the lock)."""
        b2 = import_brian2()
        from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
        from brian2.devices.device import reset_device, set_device
        structure = _structure_hash(points, sharing, duration, dt)
        # the array sizes of the program: a cached binary's that fit, else padded (module docstring)
        self._target, self.fitted = chosen_sizes(structure, needed if needed is not None
                                                 else needed_sizes(points, duration, dt))
        self._directory = _claim_directory(structure)
        weakref.finalize(self, _claimed.discard, self._directory.name)
        device = self._device = CPPStandaloneDevice()
        device.extra_compile_args = compile_flags()  # before brian2's own flags; in the makefile, so in the code hash
        set_device(device, build_on_run=False)
        try:
            net, synapses, monitors = self.assemble(points, sharing, duration, dt)
            # profiling adds timers to the generated code (another binary); only when asked
            net.run(duration * b2.second, namespace={}, **({"profile": True} if profiling() else {}))
            device.build(directory=str(self._directory), compile=False, run=False, with_output=False)
            if not compiler.WRITE_SYNAPSE_ARRAYS:  # before hashing: the binary is keyed by what it writes too
                skip_result_writes(self._directory / "objects.cpp", [S.name for S in synapses.values()])
            written = device.writer.source_files | device.writer.header_files  # not a reused directory's old files
            self._code_hash = code_hash(self._directory, written | {"makefile", "brianlib/spikequeue.h",
                                                                     "brianlib/stdint_compat.h"})
            self._cached, self._recompile = standalone_root() / "bin" / self._code_hash, False
            try:
                shutil.copy2(self._cached / "main", self._directory / "main")
                self.from_cache = True
                StandaloneNetwork.cache_hits += 1
            except FileNotFoundError:  # not cached, or evicted since (evict_binary)
                self.from_cache = False
                self._compile()
        finally:
            reset_device()
        # later networks of this structure (any process, any batch whose arrays fit) take this binary
        _note_binary(structure, self._target, self._code_hash)
        self._standalone_synapses, self._standalone_monitors = synapses, monitors

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
        (brian2's ``profiling_info.txt``); only for a program built with :func:`profiling`.

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
        efficacies per connection of point ``b`` (a missing connection: 1).

        Parameters
        ----------
        weights : sequence of mapping of str to numpy.ndarray
            One mapping per point: the efficacy of each synapse per connection name (a
            missing connection: 1; names that are not connections are ignored).

        Returns
        -------
        list of PointOutput
            One per point, in order.

        Raises
        ------
        painsim.errors.ParameterError
            ``weights`` has not one mapping per point, or a connection's array not one
            efficacy per synapse of that point (:meth:`BatchNetwork.efficacies`).
        """
        w_all = self.efficacies(weights)
        device = self._device
        run_args = {S.w: w_all[key] for key, S in self._standalone_synapses.items()}
        with _DEVICE_LOCK:  # brian2 runs the program from its folder, reading its inputs relative to it
            if self._recompile:  # its binary failed (_failed)
                self._compile()
            try:
                with _tied_commands() as statuses:
                    device.run(run_args=run_args, with_output=False)
            except RuntimeError as e:  # brian2's "Project run failed", which calls for a bug report of brian2
                if not (statuses and statuses[-1]):
                    raise
                raise self._failed(statuses[-1]) from e
            finally:  # the efficacy files of this run (one per distinct vector) are not needed again
                for name in device.run_args_arrays:
                    for suffix in ("", ".lock"):
                        Path(device.project_dir, "static_arrays", name + suffix).unlink(missing_ok=True)
            recorded = {g: (np.asarray(mon.t_), np.asarray(mon.i)) for g, mon in self._standalone_monitors.items()}
        return self.outputs(recorded, w_all)

    def _compile(self) -> None:
        """Compile the project and publish its binary in the cache."""
        _compile(self._device, self._directory, import_brian2().prefs)
        StandaloneNetwork.builds += 1
        _publish(self._directory / "main", self._cached)
        self._recompile = False

    def _failed(self, status: int) -> EngineError:
        """The error of a program that ended with ``status``; a bad binary (:data:`_BAD_BINARY`)
        leaves the cache (if it is still this one) and this network compiles at its next run."""
        binary, how = self._directory / "main", exit_description(status)
        if status in _BAD_BINARY:
            evicted = evict_binary(binary, self._cached)
            binary.unlink(missing_ok=True)
            self._recompile, self.from_cache = True, False
            done = (f"{'removed it from the cache' if evicted else 'found no copy of it in the cache'} "
                    f"({self._cached}) and will compile the network anew at its next run")
        elif status in _NOT_EXECUTED:  # a noexec mount, permissions: compiling again would not help
            done = (f"kept its binary ({self._cached}): the system could not execute it (is {standalone_root()} "
                    "on a noexec mount, or not executable by you? PAINSIM_STANDALONE_DIR moves it)")
        else:  # killed from outside, short of memory...: the binary is kept
            done = f"kept its binary in the cache ({self._cached}); if it fails again, delete that folder"
        return EngineError(
            f"the compiled engine (PAINSIM_ENGINE=standalone or auto) could not run the network: its program "
            f"{binary} {how} (project {self._directory}); painsim {done}, or set PAINSIM_ENGINE=runtime to run "
            "without compiling")


#: Build programs that time each code object (brian2's ``profile=True``; another binary, slower
#: by the timers): ``$PAINSIM_STANDALONE_PROFILE=1``, read when a network is built
#: (:func:`profiling`), or True here (None, the default, lets the variable decide).
#: :meth:`StandaloneNetwork.profiling_info` reads the times of the last run.
PROFILE: bool | None = None

#: The most points one compiled program holds by default.  The compiled program's cost is almost all
#: per point (state updates), and per point it is flat up to 32 points and 2.4x higher at 128
#: (the whole pathway, 1.3-s windows, user CPU per run on the 2-core development machine: 8
#: points 0.53 s, 16 1.05 s, 32 2.14 s, 128 20.1 s; two programs at once: the same per point):
#: the state of a 128-point network (~7 MB for the spinal group alone, rewritten every step)
#: no longer fits the caches.  Larger networks are cut into balanced pieces of at most this
#: many points, each its own program (:func:`compiled_network`; docs/sweeps_and_cohorts.md).
DEFAULT_MAX_POINTS = 32
#: The most points one compiled program holds (:func:`max_program_points`): None (the default) reads
#: ``$PAINSIM_STANDALONE_MAX_POINTS`` (default :data:`DEFAULT_MAX_POINTS`) at each use, so
#: worker processes inherit it; a number set here overrides it (tests, benchmarks).
MAX_POINTS: int | None = None


def profiling() -> bool:
    """Whether networks are built with brian2's profiling timers: :data:`PROFILE` if set, else
    ``$PAINSIM_STANDALONE_PROFILE`` (``0``, the default, or ``1``), read at each call.

    Returns
    -------
    bool

    Raises
    ------
    painsim.errors.ParameterError
        ``$PAINSIM_STANDALONE_PROFILE`` is neither ``0`` nor ``1``.
    """
    return env_switch("PAINSIM_STANDALONE_PROFILE", False, PROFILE)


def max_program_points() -> int:
    """The most points of one compiled program: :data:`MAX_POINTS` if set, else
    ``$PAINSIM_STANDALONE_MAX_POINTS`` (default :data:`DEFAULT_MAX_POINTS`), read at each call.

    Returns
    -------
    int
        At least 1.

    Raises
    ------
    painsim.errors.ParameterError
        ``$PAINSIM_STANDALONE_MAX_POINTS`` is not a whole number >= 1.
    """
    if MAX_POINTS is not None:
        return max(1, int(MAX_POINTS))
    return env_whole("PAINSIM_STANDALONE_MAX_POINTS", DEFAULT_MAX_POINTS)


def pieces(n: int, max_points: int | None = None) -> list[slice]:
    """``n`` points cut into consecutive pieces of at most ``max_points`` (default
    :func:`max_program_points`), as few as possible, sizes within one (largest first).

    Parameters
    ----------
    n : int
        Number of points.
    max_points : int, optional
        Most points per piece; None or 0: :func:`max_program_points` (read at each call); values
        below 1 count as 1.

    Returns
    -------
    list of slice
        Consecutive slices covering ``0 .. n``; one empty slice for ``n = 0``.
    """
    m = max(1, int(max_points or max_program_points()))
    k = max(1, math.ceil(n / m))
    sizes = [n // k + (j < n % k) for j in range(k)]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    return [slice(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:])]


class CompiledPieces:
    """The compiled engine for more than :func:`max_program_points` points: one
    :class:`StandaloneNetwork` per piece (:func:`pieces`), run one after the other; the rerun
    interface of :class:`BatchNetwork`.  A point's result does not depend on its batch
    companions, so it equals one program of all the points (and the runtime engine's).

    Parameters
    ----------
    points, sharing, duration, dt, needed
        As :func:`compiled_network`; the points are cut by :func:`pieces`.
    """

    def __init__(self, points: Sequence[PointInput], sharing: tuple, duration: float, dt: float,
                 needed: Sequence[Mapping[str, int]] | None = None):
        self.slices = pieces(len(points))
        self.networks = [StandaloneNetwork(points[sl], sharing, duration, dt,
                                           needed=None if needed is None else needed[j])
                         for j, sl in enumerate(self.slices)]

    def run(self, weights: Sequence[Mapping[str, np.ndarray]]) -> list[PointOutput]:
        """Run every piece with its points' efficacies, one after the other.

        Parameters
        ----------
        weights : sequence of mapping of str to numpy.ndarray
            One mapping per point of all the pieces, as :meth:`StandaloneNetwork.run`.

        Returns
        -------
        list of PointOutput
            One per point, in order.

        Raises
        ------
        painsim.errors.ParameterError
            ``weights`` has not one mapping per point, or as :meth:`StandaloneNetwork.run`.
        """
        if len(weights) != self.slices[-1].stop:
            raise ParameterError("weights", len(weights), f"one mapping per point ({self.slices[-1].stop})")
        return [out for sl, net in zip(self.slices, self.networks) for out in net.run(weights[sl])]


def compiled_network(points: Sequence[PointInput], sharing: tuple, duration: float, dt: float,
                     needed: Sequence[Mapping[str, int]] | None = None):
    """The compiled engine's network of ``points``: one :class:`StandaloneNetwork` for at most
    :func:`max_program_points` points, else :class:`CompiledPieces`.  ``needed``: the
    :func:`~painsim.circuits.standalone_cache.needed_sizes` of each piece, if known.

    Parameters
    ----------
    points : sequence of PointInput
        The points of one structure.
    sharing : tuple
        The points' :func:`painsim.circuits.plan.shared_parameters`.
    duration, dt : float
        Simulated time and time step, s.
    needed : sequence of mapping of str to int, optional
        The :func:`~painsim.circuits.standalone_cache.needed_sizes` of each piece of
        :func:`pieces`, in order (one entry for at most :func:`max_program_points` points).

    Returns
    -------
    StandaloneNetwork or CompiledPieces
        Built (compiled, or the binary taken from the cache) before it returns.
    """
    if len(points) <= max_program_points():
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
    (:func:`~painsim.circuits.auto_runs.expected_runs`) and the structure compiles at its first run when ``r >= k``.
    It depends on the workload and on whether the binary is cached, not on measured times;
    either engine gives the same results (``tests/test_standalone.py``).

    Parameters
    ----------
    duration : float
        Simulated time of one run, s.
    batch : int
        Points in the network.
    target : str, optional
        The runtime engine's code-generation target: ``"numpy"`` reads the numpy costs, any
        other the Cython costs; default :func:`painsim.circuits.codegen.codegen_target`.
    cached : bool
        Whether the structure's binary is in the disk cache.
    groups : int
        Neuron groups of the network (1: the spinal costs; 2 or more: the pathway costs).

    Returns
    -------
    int
        0 if ``cached``, else the number of runtime runs (at least 1) after which it compiles.
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


class AutoNetwork:
    """The automatic engine: a :class:`BatchNetwork` that becomes the compiled engine's
    network (:func:`compiled_network`) once the runs of its structure (the structure hash)
    in this process exceed
    :func:`runtime_runs_before_compiling`, or from its first run when a hint
    (:func:`~painsim.circuits.auto_runs.expected_runs`) promises enough runs to pay for the compilation.  The runs are
    counted per process, across networks: a course's or a sweep's networks of one structure
    share the count, and the binary, once compiled, comes from the disk cache for the next
    ones.  The notes in ``<root>/keys/`` (a structure's cached binaries and their array
    sizes, written atomically by every engine that compiles or takes a binary) tell later
    networks and processes that a binary holding their arrays is cached (every piece's, for
    more than :func:`max_program_points` points): it costs no compilation, so it is used from the
    first run.  Results equal either engine's (``tests/test_standalone.py``).

    Parameters
    ----------
    points, sharing, duration, dt
        As :class:`StandaloneNetwork`.
    """

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
        """Run on the engine of this run (:attr:`engine`), building its network first if needed,
        and count the run for the structure.  Parameters, returns and errors as
        :meth:`StandaloneNetwork.run`.

        Parameters
        ----------
        weights : sequence of mapping of str to numpy.ndarray
            One mapping per point.

        Returns
        -------
        list of PointOutput
            One per point, in order.
        """
        compiled = self._compiled()
        if self._net is None or (compiled and isinstance(self._net, BatchNetwork)
                                 and not isinstance(self._net, StandaloneNetwork)):
            self._net = compiled_network(*self._args, needed=self.needed) if compiled else BatchNetwork(*self._args)
        _runs[self.key] += 1
        _compiled_runs[self.key] += compiled
        return self._net.run(weights)


NETWORK_CLASSES["standalone"] = compiled_network
NETWORK_CLASSES["auto"] = AutoNetwork
