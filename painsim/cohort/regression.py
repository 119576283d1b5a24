"""Logistic regression of cohort outcomes (:func:`logistic_regression`; formerly part of
:mod:`painsim.cohort.statistics`, which re-exports it): maximum likelihood by Newton (IRLS) on
standardised covariates, Wald intervals, and separation reported rather than hidden.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..checks import number, whole
from ..errors import ParameterError

__all__ = ["logistic_regression"]


def _level(level, name: str = "level") -> float:
    """A confidence level strictly between 0 and 1 (95 for 95 % is refused, not read as a level
    above 1 whose interval is NaN or all of [0, 1])."""
    v = number(level, name, allowed="a confidence level strictly between 0 and 1, e.g. 0.95 (not 95)")
    if not 0 < v < 1:
        raise ParameterError(name, level, "a confidence level strictly between 0 and 1, e.g. 0.95 (not 95)")
    return v


def _design(y, X, names) -> tuple[np.ndarray, np.ndarray, list]:
    """The checked outcomes (0/1), design matrix (finite, one row per outcome) and column names."""
    arrays = {}
    for name, value in (("y", y), ("X", X)):
        try:
            arrays[name] = np.asarray(value, float)
        except (TypeError, ValueError):
            raise ParameterError(name, "not numbers", "numbers (0/1 outcomes, a numeric design matrix)") from None
    y, X = arrays["y"], arrays["X"]
    if y.ndim != 1 or not y.size or not np.isin(y, (0.0, 1.0)).all():
        raise ParameterError("y", f"shape {y.shape}, values {np.unique(y)[:6].tolist()}",
                             "a non-empty vector of 0/1 outcomes (responder flags), not a relief or NaN")
    if X.ndim != 2 or X.shape[0] != y.size:
        raise ParameterError("X", X.shape, f"a matrix with {y.size} rows")
    if not np.isfinite(X).all():
        raise ParameterError("X", "non-finite entries", "finite covariates (leave out the rows with NaN)")
    given = names
    names = [f"x{j}" for j in range(X.shape[1])] if names is None else [] if isinstance(names, str) else list(names)
    if len(names) != X.shape[1]:
        raise ParameterError("names", given, f"one name per column of X ({X.shape[1]})")
    return y, X, names


def _adjusted_design(sub, x: np.ndarray, adjust) -> np.ndarray:
    """The design matrix of an adjusted odds ratio: intercept, the group indicator ``x`` and each
    column of ``adjust`` (of the compared patients ``sub``), each adjustment refused naming
    ``adjust`` and the column before any fit: one of text, with a NaN or infinite entry, constant,
    or a linear combination of the columns before it (the design matrix must have full rank: a
    singular one gave every term an infinite SE, each interval [0, inf] and p = 1, silently).
    A NaN is refused, not dropped: the unadjusted odds ratio of the same call uses those patients,
    and a silently smaller sample would change both; drop the rows or leave the column out."""
    cols = [np.ones_like(x), x]
    for c in adjust:
        try:
            v = np.asarray(sub[c], float)
        except (TypeError, ValueError):
            raise ParameterError("adjust", c, "numeric columns") from None
        if (bad := int((~np.isfinite(v)).sum())):
            raise ParameterError("adjust", c, f"a column with a finite number for every patient compared ({bad} of "
                                              f"{v.size} are NaN or infinite)",
                                 hint="drop those patients' rows, or leave the column out of adjust")
        if np.ptp(v) == 0:
            raise ParameterError("adjust", c, f"a column that varies among the patients compared (it is {v[0]:g} for "
                                              f"all {v.size}: nothing to adjust for, and the fit would be singular)")
        trial = np.column_stack(cols + [v])
        if np.linalg.matrix_rank(trial / np.linalg.norm(trial, axis=0)) < trial.shape[1]:
            raise ParameterError("adjust", c, "a column that is no linear combination of the group indicator and "
                                              "the adjustments before it (collinear: the design matrix would be "
                                              "singular, every interval [0, inf])")
        cols.append(v)
    return np.column_stack(cols)


#: Log odds (per SD of a covariate, or at the covariates' means) beyond which a fit is diverging:
#: an odds ratio of e^30 ~ 1e13 per SD exists only under (quasi-)complete separation.
_DIVERGED = 30.0
#: Standard error of a log odds ratio per SD of its covariate (per unit of a constant column) beyond
#: which an unconverged fit is creeping along a flat likelihood (quasi-complete separation): an
#: estimable term of any cohort has an SE of a few units at most.
_HUGE_SE = 1e3
#: Fitted probability this close to 0 or 1: an unconverged fit is pushing some patients' outcomes
#: to certainty, which only (quasi-)complete separation makes the maximum of the likelihood.
_CERTAIN = 1e-10


def _standardising(X: np.ndarray) -> np.ndarray:
    """The matrix ``T`` with ``X @ T`` the standardised design: each non-constant column divided by
    its SD and, if a column is constant (an intercept), centred on its mean (the constant column
    divided by its value); coefficients fitted on ``X @ T`` are ``T @ beta_z`` on ``X``."""
    p = X.shape[1]
    sd, mean = X.std(axis=0), X.mean(axis=0)
    constant = sd == 0
    scale = np.where(constant, np.where(mean != 0, mean, 1.0), sd)
    T = np.diag(1.0 / scale)
    intercept = np.flatnonzero(constant & (mean != 0))
    if intercept.size:  # centring: x_j -> (x_j - m_j) / s_j, the shift carried by the intercept column
        i = intercept[0]
        for j in range(p):
            if not constant[j]:
                T[i, j] = -mean[j] / (sd[j] * mean[i])
    return T


def _newton(y: np.ndarray, X: np.ndarray, max_iter: int, tol: float) -> tuple[np.ndarray, bool, bool]:
    """Newton (IRLS) maximum likelihood of a logistic model: (coefficients, converged, separated);
    stops as diverging once a coefficient passes :data:`_DIVERGED`."""
    beta = np.zeros(X.shape[1])
    ll_old = -np.inf
    for _ in range(max_iter):
        p = 1 / (1 + np.exp(-(X @ beta)))
        w = np.clip(p * (1 - p), 1e-12, None)
        H = X.T @ (X * w[:, None])
        g = X.T @ (y - p)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        beta = beta + step
        eta = X @ beta
        ll = float(np.sum(y * eta - np.logaddexp(0, eta)))
        if np.max(np.abs(beta)) > _DIVERGED:
            return beta, False, True
        if abs(ll - ll_old) < tol and np.max(np.abs(step)) < 1e-8:
            return beta, True, False
        ll_old = ll
    return beta, False, False


def logistic_regression(y: np.ndarray, X: np.ndarray, names: Sequence[str] | None = None,
                        level: float = 0.95, max_iter: int = 100, tol: float = 1e-10):
    """Maximum-likelihood logistic regression (IRLS / Newton) with Wald intervals.

    Parameters
    ----------
    y : array of 0/1, shape (n,)
    X : array, shape (n, p)
        Design matrix; include a column of ones for the intercept.
    names : sequence of str, optional
        Column names.
    level : float
        Confidence level of the intervals, strictly between 0 and 1.
    max_iter : int
        Newton iterations, at most (>= 1).
    tol : float
        Convergence tolerance on the log-likelihood (>= 0).

    Returns
    -------
    pandas.DataFrame
        Per coefficient: ``coef`` (log odds), ``se``, ``z``, ``p``,
        ``odds_ratio``, ``ci_low``, ``ci_high`` (of the odds ratio);
        ``attrs["converged"]``, ``attrs["separated"]``.

    Raises
    ------
    painsim.errors.ParameterError
        ``y`` not 0/1 outcomes (a relief, a NaN) or empty, ``X`` not a finite matrix with one
        row per outcome, ``names`` not one per column, ``level`` not strictly between 0 and 1,
        ``max_iter`` not a whole number >= 1, or ``tol`` not a finite number >= 0.

    Notes
    -----
    With complete or quasi-complete separation the maximum likelihood
    estimate does not exist; the fit reports ``separated = True`` and, for
    each term that diverges (log odds beyond 30 per SD of its covariate) or
    whose standard error per SD is huge (above 1000), an odds ratio of 0 or
    infinity with NaN interval and p.  It is separated when the coefficients
    diverge, or when the fit does not converge and either some fitted
    probability comes within 1e-10 of 0 or 1 or a standard error per SD is
    huge (quasi-complete separation: the coefficients only creep towards
    infinity, and an odds ratio such as 1e-14 with interval [0, inf] would
    be no estimate).  The fit runs on
    standardised covariates (each divided by its SD, centred if the model has
    an intercept) and its coefficients and covariance are transformed back, so
    that divergence is judged per SD of a covariate, not per unit.
    """
    y, X, names = _design(y, X, names)
    level, tol = _level(level), number(tol, "tol", lo=0.0)
    # fit on standardised covariates (centred when the model has an intercept), so that the
    # divergence test below reads log odds per SD, whatever a covariate's units: a per-unit
    # log odds of 40 for a covariate of SD 0.05 is an ordinary effect, not separation
    to_original = _standardising(X)
    Z = X @ to_original
    beta_z, converged, separated = _newton(y, Z, whole(max_iter, "max_iter"), tol)
    with np.errstate(over="ignore"):
        p = 1 / (1 + np.exp(-(Z @ beta_z)))
    H = Z.T @ (Z * np.clip(p * (1 - p), 1e-300, None)[:, None])
    beta = to_original @ beta_z
    try:
        cov = to_original @ np.linalg.inv(H) @ to_original.T
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se = np.full(beta.size, np.inf)
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        zstat = beta / se
        out = pd.DataFrame({"coef": beta, "se": se, "z": zstat, "p": 2 * norm.sf(np.abs(zstat)),
                            "odds_ratio": np.exp(beta), "ci_low": np.exp(beta - z * se),
                            "ci_high": np.exp(beta + z * se)}, index=pd.Index(names, name="term"))
    # per SD of each covariate (per unit of a constant column: the intercept is not centred here,
    # so a reference group's log odds that is finite is not taken for a diverging term)
    scale = np.where(X.std(axis=0) > 0, X.std(axis=0), np.abs(X.mean(axis=0)))
    with np.errstate(invalid="ignore"):  # an infinite SE of an all-zero column: NaN, not huge
        huge = se * scale > _HUGE_SE
    if not converged and not separated:
        # quasi-complete separation: the coefficients creep (the weights of the certain patients
        # vanish) without passing _DIVERGED before max_iter; the fit is certain or flat, not estimated
        separated = bool(huge.any() or (np.minimum(p, 1 - p) < _CERTAIN).any())
    if separated:
        big = (np.abs(beta * scale) > _DIVERGED) | huge
        out.loc[big, "odds_ratio"] = np.where(beta[big] > 0, np.inf, 0.0)
        out.loc[big, ["ci_low", "ci_high", "p"]] = np.nan
    out.attrs.update(converged=converged, separated=separated, n=int(y.size))
    return out
