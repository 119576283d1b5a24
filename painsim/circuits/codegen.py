"""brian2 code generation: the target, a private compilation cache, a thread-safe import.

brian2 turns every group's equations into code objects.  The ``numpy`` target
compiles nothing (best for one-off small networks: the package's default); ``cython``
compiles each code object once (seconds each, cached under ``~/.cython``) and then runs
faster: large batches, long runs, and the test suite (``tests/conftest.py``), whose ~100
code objects compile once per machine.  The generated code depends only on the equations,
the names of the brian2 objects and clocks and which parameters are shared
(:mod:`painsim.circuits.network`), so the cache is reused across calls.

brian2 is imported lazily (it is heavy): ``import painsim`` loads no brian2.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

from ..checks import env_choice
from ..errors import PainsimError, ParameterError

__all__ = ["TARGETS", "ENGINES", "codegen_target", "engine_choice", "import_brian2", "use_private_cache"]

#: brian2 code-generation targets PAINSIM_TARGET may name.
TARGETS = ("numpy", "cython", "auto")

#: Simulation engines PAINSIM_ENGINE may name: ``runtime`` (brian2's runtime device,
#: :class:`painsim.circuits.network.BatchNetwork`), ``standalone`` (one compiled C++
#: program per network structure, rerun with new efficacies as run-time arguments, its
#: binary cached on disk: :class:`painsim.circuits.standalone.StandaloneNetwork`) or
#: ``auto`` (runtime until the reruns of one structure have cost as much as compiling it,
#: then compiled: :class:`painsim.circuits.standalone.AutoNetwork`).
ENGINES = ("runtime", "standalone", "auto")


def codegen_target() -> str:
    """The brian2 target of this process: ``$PAINSIM_TARGET`` (default ``"numpy"``)."""
    return env_choice("PAINSIM_TARGET", "numpy", TARGETS)


def engine_choice(engine: str | None = None) -> str:
    """The engine ``engine`` names, by default ``$PAINSIM_ENGINE`` (default ``"runtime"``).

    ``"auto"`` chooses per network structure (the rule:
    :func:`painsim.circuits.standalone.runtime_runs_before_compiling`).  It is opt-in,
    not the default: with it, the test suite's courses would compile (~10-15 s per
    structure, on CI's 2 cores) and their results would rest on the C++ program's
    arithmetic (``-ffast-math``) equalling the runtime engine's, which
    ``tests/test_standalone.py`` checks on its networks, not on every model.

    Parameters
    ----------
    engine : str, optional
        One of :data:`ENGINES`; default ``$PAINSIM_ENGINE``.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        If the engine is not one of :data:`ENGINES`.
    """
    e = os.environ.get("PAINSIM_ENGINE", "runtime") if engine is None else engine
    if e not in ENGINES:
        raise ParameterError("engine (PAINSIM_ENGINE)", e, f"one of {ENGINES}")
    return e


def import_brian2():
    """Import brian2, also from a worker thread (Dask runs tasks in threads).

    brian2 installs a SIGINT handler when imported, which Python allows only in
    the main thread; in a worker thread the handler is skipped (the worker's
    own process management handles interrupts).

    Ctrl-C interrupts: by default brian2 turns the first Ctrl-C during a run into a
    graceful stop (the run ends early and returns normally), so a cut-short window
    would be read, saved and marked finished like a whole one (a sweep's resume would
    never redo it).  painsim switches that off (``core.stop_on_keyboard_interrupt``)
    and puts back the handler brian2 replaced (Python's, which raises
    ``KeyboardInterrupt``, or a worker process's ``SIG_IGN``: its parent stops it), so
    nothing of an interrupted run is kept.
    """
    if "brian2" in sys.modules or threading.current_thread() is threading.main_thread():
        import brian2
    else:
        original = signal.signal
        signal.signal = lambda *args, **kwargs: None
        try:
            import brian2
        finally:
            signal.signal = original
    brian2.prefs["core.stop_on_keyboard_interrupt"] = False
    _compile_without_debug_info(brian2.prefs)
    if getattr(sys.excepthook, "__name__", "") == "brian_excepthook":
        sys.excepthook = _painsim_errors_as_they_are(sys.excepthook)
    installed = getattr(brian2, "_int_handler", None)  # brian2's module-level handler (private; may change)
    if (installed is not None and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is installed):
        signal.signal(signal.SIGINT, installed.previous_handler)
    return brian2


def _painsim_errors_as_they_are(brian_hook):
    """brian2's hook for uncaught exceptions, except for painsim's own errors (bad input, a path):
    brian2 reports every uncaught exception as a possible bug of brian2 and writes debug files,
    which would send a user who mistyped a parameter to the wrong project."""
    def hook(kind, value, traceback):
        if isinstance(value, PainsimError):
            return sys.__excepthook__(kind, value, traceback)
        return brian_hook(kind, value, traceback)
    return hook


#: appended to brian2's GCC/Clang flags: no debug information in compiled code objects
NO_DEBUG_INFO = "-g0"


def _compile_without_debug_info(prefs) -> None:
    """Compile brian2's code objects without debug information (``-g0``), unless the user
    chose a ``-g`` flag or brian2's compiler-independent flags.

    setuptools compiles each Cython code object with Python's own ``CFLAGS``, which carry
    ``-g``: on brian2's ~1.3 MB C++ files the debug information is ~40 % of GCC's time
    (measured on one synaptic code object of gate_control, 2-core AMD EPYC, 2026-12-04:
    8.4 s with ``-g -O3``, 5.1 s with ``-O3``), and nobody debugs generated code.  ``-g``
    does not change the generated code (GCC's rule, checked by its ``-fcompare-debug``),
    so the spikes stay those of the cached modules compiled with it; the Cython cache key
    holds the code, not the flags, so those modules are reused as they are.
    """
    if prefs["codegen.cpp.extra_compile_args"] is not None:
        return
    args = list(prefs["codegen.cpp.extra_compile_args_gcc"])
    if not any(a.startswith("-g") for a in args):
        prefs["codegen.cpp.extra_compile_args_gcc"] = args + [NO_DEBUG_INFO]


def use_private_cache(directory) -> Path:
    """Compile this process's Cython code objects into ``directory/cython``.

    Sweep workers call it with a folder of their own when ``$PAINSIM_WORKER_CACHE`` asks
    for private caches (by default they share brian2's, which locks each module while it
    compiles); ``$PAINSIM_BRIAN2_CACHE`` records the folder.
    Returns the cache folder.

    Parameters
    ----------
    directory : str or path-like
        The worker's own folder.

    Returns
    -------
    pathlib.Path
        ``directory/cython``.
    """
    directory = Path(directory)
    os.environ["PAINSIM_BRIAN2_CACHE"] = str(directory)
    brian2 = import_brian2()
    cache = directory / "cython"
    brian2.prefs["codegen.runtime.cython.cache_dir"] = str(cache)
    return cache
