"""Bisection of one model parameter on a monotonic outcome: the search every declared
calibration runs (:mod:`painsim.validation.calibration`) and the measurements that invert a
dose-response (:mod:`painsim.validation.prevalence`, :mod:`painsim.validation.opioids`).

Split from :mod:`painsim.validation.calibration`, which re-exports :func:`bisect_parameter`.
"""
from __future__ import annotations

from ..errors import ParameterError

__all__ = ["bisect_parameter"]


def bisect_parameter(rate, bounds: tuple[float, float], target: float, tol: float, max_iter: int, what: str,
            measured: str = "PN rates", units: str = " Hz"):
    """Bisect a parameter whose outcome ``rate(x)`` (a PN rate unless ``measured`` says otherwise)
    rises with it until the outcome is within ``tol`` of ``target``, or for ``max_iter`` halvings.

    Returns ``(x, outcome, evaluations)``.  The outcomes at ``bounds`` must bracket the target
    (else a ParameterError naming ``what``).  After ``max_iter`` halvings the last midpoint is
    returned, within ``tol`` or not.

    Parameters
    ----------
    rate : callable
        ``rate(x) -> float``: the outcome at parameter value ``x``; it must rise with ``x``.
    bounds : (float, float)
        ``(lo, hi)``: the parameter interval; both ends are evaluated first.
    target : float
        The outcome sought, in the outcome's units.
    tol : float
        Stop when ``abs(outcome - target) <= tol``.
    max_iter : int
        Most halvings after the two bounds.
    what : str
        What the bounds are (e.g. ``"a gain interval"``), named in the error.
    measured : str
        What the outcomes are, named in the error (default ``"PN rates"``).
    units : str
        Unit written after the outcomes in the error, with its leading space (default ``" Hz"``).

    Returns
    -------
    x : float
        The parameter at the stop: the last midpoint evaluated, or the bound whose outcome is
        nearer the target if no midpoint was evaluated.
    outcome : float
        ``rate(x)``.
    evaluations : tuple
        ``(x, outcome)`` of every evaluation in order: ``lo``, ``hi``, then each midpoint.

    Raises
    ------
    painsim.errors.ParameterError
        ``rate(lo) <= target <= rate(hi)`` does not hold (the bounds do not bracket the target,
        the outcome falls with the parameter, or an outcome is NaN).
    """
    lo, hi = bounds
    r_lo, r_hi = rate(lo), rate(hi)
    evals = [(lo, r_lo), (hi, r_hi)]
    if not r_lo <= target <= r_hi:
        raise ParameterError("bounds", bounds, f"{what} whose {measured} ({r_lo:.3g}, {r_hi:.3g}{units}) "
                                               f"bracket the target {target:.3g}{units}")
    x, r = (lo, r_lo) if abs(r_lo - target) < abs(r_hi - target) else (hi, r_hi)
    for _ in range(max_iter):
        if abs(r - target) <= tol:
            break
        x = 0.5 * (lo + hi)
        r = rate(x)
        evals.append((x, r))
        lo, hi = (x, hi) if r < target else (lo, x)
    return float(x), float(r), tuple(evals)
