"""The runs of the automatic engine: the callers' hints of runs to come, and the runs counted.

A caller that knows its workload says how many runs each network it builds will have
(:func:`expected_runs`, read with :func:`expected_runs_hint`); the automatic engine
(:class:`painsim.circuits.standalone.AutoNetwork`) counts the runs of each compiled
structure in this process, and on which engine they ran, in this module's counters
(:func:`auto_report` reads them, :func:`auto_reset` clears them).  Whether those runs pay
for a compilation is :func:`painsim.circuits.standalone.runtime_runs_before_compiling`.

Split from :mod:`painsim.circuits.standalone`, which re-exports every name.
"""
from __future__ import annotations

import contextlib
import contextvars
import math
import numbers
from collections import Counter

from ..errors import ParameterError

__all__ = ["expected_runs", "expected_runs_hint", "auto_report", "auto_reset"]

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
    windows; a cohort: batches of one size per process) says so; an
    :class:`~painsim.circuits.standalone.AutoNetwork` created inside takes ``runs`` as the runs
    of its compiled structure still to come in this process, and compiles (or takes its binary
    from the disk cache) at its first run when they pay for the compilation
    (``runs >= runtime_runs_before_compiling(...)``,
    :func:`painsim.circuits.standalone.runtime_runs_before_compiling`).  Below
    the threshold the hint changes nothing: rent-then-buy continues to count, so a hint that
    is too low costs at most the rent-then-buy bound, one that is too high at most one
    compilation.  Hints nest by multiplying: an outer ``expected_runs(R)`` says that the
    work inside is repeated ``R`` times (a cohort worker's ``R`` course batches of one
    size), an inner ``expected_runs(n)`` that each network inside runs ``n`` times per
    repetition (a course's session networks), so each runs ``R * n`` times; networks built
    inside without an inner hint are taken to run once per repetition.  Only ``auto``
    reads it; results never depend on it (either engine gives the same spikes).

    Parameters
    ----------
    runs : int
        Runs of each network built inside the block (per repetition of any enclosing hint);
        a whole number >= 1 (a float such as ``40.0`` is taken as ``40``).

    Yields
    ------
    None
        The hint holds inside the ``with`` block (in this context: thread or task) and is
        removed when it ends.

    Raises
    ------
    painsim.errors.ParameterError
        ``runs`` (named) is not a real number (``None``, a string, a complex number), is a bool
        (also numpy's), is NaN or infinite, is not a whole number (``2.5``), or is below 1.

    Examples
    --------
    >>> with expected_runs(40):            # doctest: +SKIP
    ...     runner.run(weights)            # the networks built here will run 40 times
    """
    token = _HINTS.set(_HINTS.get() + (_checked_runs(runs),))
    try:
        yield
    finally:
        _HINTS.reset(token)


def _checked_runs(runs) -> int:
    """``runs`` of :func:`expected_runs` as an int, or a ParameterError naming ``runs``."""
    # numpy's bool is not a numbers.Real, Python's is (refused by name)
    if (isinstance(runs, bool) or not isinstance(runs, numbers.Real) or not math.isfinite(runs)
            or runs != int(runs) or runs < 1):
        raise ParameterError("runs", runs, "a whole number of runs >= 1 (e.g. 40; 40.0 is taken as 40)")
    return int(runs)


def expected_runs_hint() -> int | None:
    """The runs the enclosing :func:`expected_runs` hints promise to each network built now
    (their product), or None outside any hint.

    Returns
    -------
    int or None
        The product of the enclosing hints' ``runs``; None outside any :func:`expected_runs` block.
    """
    hints = _HINTS.get()
    return math.prod(hints) if hints else None


def auto_report() -> list[dict]:
    """What the automatic engine did in this process, per compiled structure: its
    ``runs``, the ``threshold`` (:func:`~painsim.circuits.standalone.runtime_runs_before_compiling`), the ``expected``
    runs a hint promised (:func:`expected_runs`; None: no hint) and how many of the runs were
    on the compiled engine (``compiled_runs``).

    Returns
    -------
    list of dict
        One dict per structure run in this process since the last :func:`auto_reset`, in the
        order of their first run, with keys ``structure`` (str, the structure hash), ``runs``,
        ``threshold``, ``expected`` (int or None) and ``compiled_runs``.
    """
    return [dict(structure=key[0], runs=n, threshold=_thresholds[key], expected=_expected.get(key),
                 compiled_runs=_compiled_runs[key]) for key, n in _runs.items()]


def auto_reset() -> None:
    """Forget what the automatic engine counted in this process (runs, thresholds, hints
    acted on); the disk cache stays.  For benchmarks and tests that measure a fresh process
    with a warm disk cache."""
    for store in (_runs, _compiled_runs, _committed, _thresholds, _expected):
        store.clear()
