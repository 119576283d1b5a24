"""Bisection of one model parameter on a monotonic outcome: the search every declared
calibration runs (:mod:`painsim.validation.calibration`) and the measurements that invert a
dose-response (:mod:`painsim.validation.prevalence`, :mod:`painsim.validation.opioids`).

Split from :mod:`painsim.validation.calibration`, which re-exports :func:`bisect_parameter`.
"""
from __future__ import annotations

import math
import numbers

from ..checks import is_number
from ..errors import ParameterError

__all__ = ["bisect_parameter"]


def _check_search(bounds, target, tol, max_iter) -> tuple[float, float]:
    """``(lo, hi)`` of :func:`bisect_parameter`'s ``bounds``, its other arguments checked first."""
    try:
        lo, hi = bounds
    except (TypeError, ValueError):
        raise ParameterError("bounds", bounds, "a pair (lo, hi) of finite numbers with lo < hi") from None
    if not (is_number(lo) and is_number(hi) and math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ParameterError("bounds", bounds, "a pair (lo, hi) of finite numbers with lo < hi")
    if not (is_number(target) and math.isfinite(target)):
        raise ParameterError("target", target, "a finite number (the outcome sought)")
    if not (is_number(tol) and math.isfinite(tol)):
        raise ParameterError("tol", tol, "a finite number (> 0: stop within it of the target; "
                                         "<= 0: every halving, as the morphine ED50 does)")
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral) or max_iter < 1:
        raise ParameterError("max_iter", max_iter, "a whole number of halvings >= 1")
    return float(lo), float(hi)


def bisect_parameter(rate, bounds: tuple[float, float], target: float, tol: float, max_iter: int, what: str,
            measured: str = "PN rates", units: str = " Hz"):
    """Bisect a parameter whose outcome ``rate(x)`` (a PN rate unless ``measured`` says otherwise)
    rises with it until the outcome is within ``tol`` of ``target``, or for ``max_iter`` halvings.

    Returns ``(x, outcome, evaluations)``.  The outcomes at ``bounds`` must bracket the target
    (else a ParameterError naming ``bounds`` and ``what``).  The point returned is the evaluated
    one whose outcome is nearest the target: the one within ``tol`` when the search stops there,
    else (``max_iter`` halvings without reaching ``tol``) the best of every evaluation, bounds
    included, not the last midpoint.  A NaN outcome at a midpoint stops the search with a
    ParameterError (it is neither above nor below the target).

    Parameters
    ----------
    rate : callable
        ``rate(x) -> float``: the outcome at parameter value ``x``; it must rise with ``x``.
    bounds : (float, float)
        ``(lo, hi)``: the parameter interval, finite, ``lo < hi``; both ends are evaluated first.
    target : float
        The outcome sought, in the outcome's units (finite).
    tol : float
        Stop when ``abs(outcome - target) <= tol``.  Finite; ``tol < 0`` never stops early (every
        halving is run: :func:`painsim.validation.opioids.spinal_morphine_ed50` reads the
        evaluations), ``tol = 0`` only on an exact hit.
    max_iter : int
        Most halvings after the two bounds (>= 1).
    what : str
        What the bounds are (e.g. ``"a gain interval"``), named in the error.
    measured : str
        What the outcomes are, named in the error (default ``"PN rates"``).
    units : str
        Unit written after the outcomes in the error, with its leading space (default ``" Hz"``).

    Returns
    -------
    x : float
        The evaluated parameter whose outcome is nearest ``target`` (ties go to the later
        evaluation).  Within ``tol`` if the search converged.
    outcome : float
        ``rate(x)``.
    evaluations : tuple
        ``(x, outcome)`` of every evaluation in order: ``lo``, ``hi``, then each midpoint.

    Raises
    ------
    painsim.errors.ParameterError
        Checked before ``rate`` is called: ``bounds`` not a pair of finite numbers with
        ``lo < hi``; ``target`` or ``tol`` not a finite number (NaN, infinite, a bool); ``max_iter``
        not a whole number >= 1.  Then ``rate(lo) <= target <= rate(hi)`` does not hold (the bounds
        do not bracket the target, the outcome falls with the parameter, or an outcome is NaN),
        named ``bounds``.  Then the outcome at a midpoint is NaN: the search cannot tell on which
        side of the target it is, so it stops rather than guess; named ``bounds`` too, with
        ``what`` and the midpoint in the message (the evaluations so far are not returned).
    """
    lo, hi = _check_search(bounds, target, tol, max_iter)
    r_lo, r_hi = rate(lo), rate(hi)
    evals = [(lo, r_lo), (hi, r_hi)]
    if not r_lo <= target <= r_hi:
        raise ParameterError("bounds", bounds, f"{what} whose {measured} ({r_lo:.3g}, {r_hi:.3g}{units}) "
                                               f"bracket the target {target:.3g}{units}")
    r = r_lo if abs(r_lo - target) < abs(r_hi - target) else r_hi
    for _ in range(max_iter):
        if abs(r - target) <= tol:
            break
        x = 0.5 * (lo + hi)
        r = rate(x)
        if math.isnan(r):  # neither above nor below the target: no side to keep
            raise ParameterError("bounds", bounds, f"{what} on which the {measured} are defined at every point "
                                                   f"bisected: the outcome at the midpoint {x!r} is NaN, so the "
                                                   f"search cannot tell on which side of the target "
                                                   f"{target:.3g}{units} it is")
        evals.append((x, r))
        lo, hi = (x, hi) if r < target else (lo, x)
    # the nearest outcome; the last evaluation on a tie (a converged search's last point is the only
    # one within tol, so it is the one returned)
    x, r = min(reversed(evals), key=lambda e: abs(e[1] - target))
    return float(x), float(r), tuple(evals)
