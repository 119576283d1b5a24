"""numba kernels compiled on first use, so that ``import painsim`` does not load numba.

Importing numba and loading a cached kernel costs ~0.3-0.5 s of a process (numba's own
import, LLVM's start-up, the type system), more than a small simulation that needs no
kernel at all (issue 17, goal 3: painsim's whole-process overhead over a plain brian2
script).  :func:`njit` is ``numba.njit`` deferred: the decorated function stays a plain
Python function until its first call, which imports numba and compiles it (from numba's
on-disk cache when ``cache=True``, as before: the same function, file and line).

Kernels call kernels.  numba resolves a kernel's globals when it compiles it, so before
compiling, every deferred kernel among the function's globals is compiled first and its
global name rebound to the compiled dispatcher: numba then sees exactly what an eager
``@numba.njit`` would have given it (inlining included), and the compiled code is the same.

Base layer: imports nothing from painsim.
"""
from __future__ import annotations

import functools
import importlib
import sys
import threading

__all__ = ["njit", "LazyKernel", "numba_loaded"]

_LOCK = threading.RLock()


def numba_loaded() -> bool:
    """Whether numba is already imported in this process (a kernel ran, or the caller
    imported it): then a kernel's first call costs only its compilation or cache load.

    Returns
    -------
    bool
    """
    return "numba" in sys.modules


class LazyKernel:
    """A Python function that becomes ``numba.njit(**options)(function)`` at its first call.

    ``py_func`` is the Python function (as on a numba dispatcher); :meth:`compiled` returns
    the dispatcher, compiling it (and the deferred kernels it calls) if needed.  Compiling a
    kernel rebinds the global names under which it calls deferred kernels to their
    dispatchers (in the module that defines it).

    Parameters
    ----------
    py_func : callable
        The kernel's Python function.
    options : dict
        numba.njit's options, passed at the first call.
    """

    def __init__(self, py_func, options: dict):
        self.py_func = py_func
        self.options = dict(options)
        self._dispatcher = None
        functools.update_wrapper(self, py_func)

    def compiled(self):
        """The numba dispatcher of this kernel (imports numba on first use).

        Returns
        -------
        numba.core.registry.CPUDispatcher
        """
        if self._dispatcher is None:
            with _LOCK:
                if self._dispatcher is None:
                    import numba

                    _register_type()
                    _bind_callees(self.py_func)
                    self._dispatcher = numba.njit(**self.options)(self.py_func)
        return self._dispatcher

    def __call__(self, *args):
        return self.compiled()(*args)

    def __reduce__(self):
        # pickled by reference, like a function: unpickling finds the module's object again
        return _resolve, (self.py_func.__module__, self.py_func.__qualname__)

    def __repr__(self) -> str:
        state = "compiled" if self._dispatcher is not None else "not yet compiled"
        return f"<painsim.jit.LazyKernel {self.py_func.__module__}.{self.py_func.__qualname__} ({state})>"


def _resolve(module: str, qualname: str):
    """The object a module holds under ``qualname`` (a deferred kernel, or its dispatcher
    once a caller has been compiled): what a pickled kernel becomes."""
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


@functools.lru_cache(maxsize=None)
def _register_type() -> None:
    """Let numba type a deferred kernel as its dispatcher, so that a kernel numba compiles
    by itself (``@numba.njit`` outside painsim, or a reference other than a plain global
    name) can call a deferred kernel too.  Done once (cached), when painsim first imports
    numba."""
    from numba.core.typing.typeof import typeof_impl

    @typeof_impl.register(LazyKernel)
    def _typeof_lazy(value, context):
        return typeof_impl(value.compiled(), context)


def _global_names(code) -> set[str]:
    """The global names a function's code (and any code nested in it) refers to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _global_names(const)
    return names


def _bind_callees(py_func) -> None:
    """Rebind the deferred kernels a function calls (its globals) to their dispatchers, so
    that numba, compiling the function, finds dispatchers where it calls kernels."""
    namespace = py_func.__globals__
    for name in _global_names(py_func.__code__):
        value = namespace.get(name)
        if isinstance(value, LazyKernel):
            namespace[name] = value.compiled()


def njit(function=None, **options):
    """``numba.njit`` compiled at first call: ``@njit``, ``@njit(cache=True, nogil=True)``.

    Parameters
    ----------
    function : callable, optional
        The kernel (when used as a bare decorator).
    **options
        numba.njit's options (``cache``, ``nogil``, ``fastmath``, ``inline``, ...), passed
        unchanged at the first call.

    Returns
    -------
    LazyKernel, or a decorator returning one
    """
    if function is not None:
        return LazyKernel(function, options)
    return lambda f: LazyKernel(f, options)


if numba_loaded():  # numba came first (a script's own kernels): let them call painsim's from the start
    _register_type()
