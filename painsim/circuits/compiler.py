"""Compiler options of the compiled engine (:mod:`painsim.circuits.standalone`), and the one edit
made to the generated code before it is compiled (:func:`skip_result_writes`).

brian2 compiles a standalone program with its own flags (``-w -O3 -ffast-math
-fno-finite-math-only -march=native``); :func:`compile_flags` adds the ones that let GCC
vectorise the neuron groups' state updates (issue 17: 60 % of a program's time was the
spinal group's scalar update loop).  The equations stay brian2's; only how the generated
C++ is compiled changes.
"""
from __future__ import annotations

import contextlib
import functools
import os
import platform
import re
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

from ..checks import env_switch
from ..processes import run_tied

__all__ = ["VECTORISE_FLAGS", "VECTORISE", "vectorise", "SPIKE_TOLERANCE", "compile_flags", "make_jobs", "bounded_make",
           "skip_result_writes", "WRITE_SYNAPSE_ARRAYS"]

#: Compiler flags added to brian2's (``-w -O3 -ffast-math -fno-finite-math-only -march=native``) so
#: that GCC vectorises the neuron groups' state updates (issue 17), which it otherwise compiles as
#: scalar loops, for two reasons (``-fopt-info-vec-missed``): brian2 reads each array through a
#: local ``__restrict`` pointer, which GCC ignores, so a loop over a group's 15-40 arrays needs more
#: run-time alias checks than GCC's limit of 10 (raised by the ``--param``); and brian2's
#: ``-fno-finite-math-only`` leaves ``__FAST_MATH__`` undefined, so glibc does not declare its
#: vector ``exp`` (libmvec) and the NMDA Mg2+ block's ``exp`` stops the loop
#: (``-D__FAST_MATH__`` declares it; the arithmetic flags stay brian2's).  Measured on the
#: 2-core development machine (AVX-512), child CPU per run, same process: the spinal state
#: update 2.5x faster, the whole program 2.05x (1.71x with brian2's profiling timers; a cohort
#: batch's session network, 32 points) and
#: 1.24x (healthy pathway, 5 points).  libmvec's ``exp`` differs from glibc's scalar ``exp`` by
#: up to 3 ulp (43 % of arguments), so the states may differ from the runtime engine's in their
#: last bits: spikes are compared within :data:`SPIKE_TOLERANCE` (they were bit-identical in
#: every measured run).  ``$PAINSIM_STANDALONE_VECTORISE=0`` compiles without them (:func:`vectorise`).
VECTORISE_FLAGS = ("--param=vect-max-version-for-alias-checks=1000", "-D__FAST_MATH__")
#: Whether :data:`VECTORISE_FLAGS` may be used: None (the default) lets
#: ``$PAINSIM_STANDALONE_VECTORISE`` decide when a program is compiled (:func:`vectorise`); True or
#: False set here overrides it (tests, benchmarks).  Not read at import: a misspelt value must not
#: break ``import painsim`` (and every command) when the compiled engine is not used.
VECTORISE: bool | None = None
#: The agreement the compiled engine promises with :data:`VECTORISE_FLAGS`: per point and
#: population, spike counts within this fraction of the runtime engine's (at least 1 spike),
#: most spikes identical (tests/test_standalone.py).
SPIKE_TOLERANCE = 0.01


def vectorise() -> bool:
    """Whether the compiled engine may add :data:`VECTORISE_FLAGS`: :data:`VECTORISE` if set, else
    ``$PAINSIM_STANDALONE_VECTORISE`` (``1``, the default, or ``0``), read at each call.

    Returns
    -------
    bool

    Raises
    ------
    painsim.errors.ParameterError
        ``$PAINSIM_STANDALONE_VECTORISE`` is neither ``0`` nor ``1``.
    """
    return env_switch("PAINSIM_STANDALONE_VECTORISE", True, VECTORISE)


def compile_flags() -> list[str]:
    """The flags the compiled engine adds to brian2's: :data:`VECTORISE_FLAGS` with GCC on
    x86-64 Linux (glibc's libmvec) unless ``$PAINSIM_STANDALONE_VECTORISE=0`` (:func:`vectorise`),
    else none.

    Returns
    -------
    list of str

    Raises
    ------
    painsim.errors.ParameterError
        A misspelt ``$PAINSIM_STANDALONE_VECTORISE`` (:func:`vectorise`).
    """
    if vectorise() and platform.system() == "Linux" and platform.machine() == "x86_64" and _compiler_is_gcc():
        return list(VECTORISE_FLAGS)
    return []


@functools.lru_cache(maxsize=None)
def _compiler_is_gcc() -> bool:
    """Whether the C++ compiler brian2's makefile calls (``$CXX``, else make's ``g++``) is GCC:
    asked once, by its ``--version`` (clang, which also answers to ``g++`` on some systems,
    does not know the ``--param``)."""
    with tempfile.TemporaryFile("w+") as out:  # make splits $CXX into words ("ccache g++"): so do we
        status = run_tied([*shlex.split(os.environ.get("CXX") or "g++"), "--version"], stdout=out,
                          stderr=subprocess.DEVNULL)
        out.seek(0)
        text = out.read()
    return status == 0 and "Free Software Foundation" in text and "clang" not in text.lower()


def make_jobs() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def bounded_make(prefs):
    """brian2's default make argument ``-j`` (no limit) starts one compiler per source file at
    once, 30-40 for a pathway program: on a 2-core machine that put the load average at ~58 and
    slowed every other process.  While compiling, its default is replaced by ``-j N`` with N
    from :func:`make_jobs`; a user's own ``extra_make_args_unix`` is kept.  Make's arguments
    are not in the makefile, so the binary and its code hash do not change.

    Parameters
    ----------
    prefs : brian2 preferences
        brian2's ``prefs``; ``devices.cpp_standalone.extra_make_args_unix`` is
        restored on exit.
    """
    setting = prefs.devices.cpp_standalone
    own = list(setting.extra_make_args_unix)
    if own == ["-j"]:
        setting.extra_make_args_unix = ["-j", str(make_jobs())]
    try:
        yield
    finally:
        setting.extra_make_args_unix = own


#: Whether the compiled program writes the ``Synapses`` objects' arrays when a run ends, as brian2's
#: does (~37 of ~40 MB of a 32-point pathway run); nothing reads them back (painsim reads the spike
#: monitors, brian2 the neuron state), so by default they are not written
#: (:func:`skip_result_writes`, applied by :class:`painsim.circuits.standalone.StandaloneNetwork`;
#: ``benchmarks/bench_cohort.py --writes-ab`` compares both).
WRITE_SYNAPSE_ARRAYS = False

_WRITE_BLOCK = re.compile(r"(?m)^    ofstream outfile_")
_RESULT_FILE = re.compile(r'results_dir \+ "([^"]+)"')


def skip_result_writes(objects_cpp: Path, owners: Sequence[str]) -> int:
    """Remove from a generated ``objects.cpp`` the writing of every array of ``owners`` (brian2
    object names) in ``_write_arrays()``, the function the program calls when a run ends; returns
    the number of arrays no longer written.

    brian2 names an array file ``_array_<owner>_<variable>_<crc>`` or
    ``_dynamic_array_<owner>_<variable>_<crc>`` and writes each in one block starting
    ``ofstream outfile_...``; blocks of other arrays, the profiling and the last-run information are
    kept.  If the function is not found in the expected form (another brian2 template), nothing
    is changed: the program then writes every array, as brian2 intends.

    Parameters
    ----------
    objects_cpp : pathlib.Path
        The generated ``objects.cpp``, rewritten in place.
    owners : sequence of str
        brian2 object names whose arrays are no longer written.

    Returns
    -------
    int
    """
    text = objects_cpp.read_text()
    start = text.find("void _write_arrays()")
    end = text.find("    // Write last run info to disk", start)
    if start < 0 or end < 0:
        return 0
    body = text[start:end]
    cuts = [m.start() for m in _WRITE_BLOCK.finditer(body)]
    if not cuts:
        return 0
    prefixes = tuple(f"{kind}_{name}_" for name in owners for kind in ("_array", "_dynamic_array"))
    kept, removed = [body[:cuts[0]]], 0
    for a, b in zip(cuts, cuts[1:] + [len(body)]):
        block = body[a:b]
        found = _RESULT_FILE.search(block)
        if found and found.group(1).startswith(prefixes):
            removed += 1
            # a block that also holds the next section's comment keeps it (the profiling block's)
            tail = block.find("    //")
            if tail > 0:
                kept.append(block[tail:])
            continue
        kept.append(block)
    objects_cpp.write_text(text[:start] + "".join(kept) + text[end:])
    return removed
