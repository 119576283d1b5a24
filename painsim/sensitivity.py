"""Sensitivity indices (SALib) of sampled inputs and an outcome, shared by sweeps
(:func:`painsim.sweep.sensitivity`) and cohorts (:func:`painsim.cohort.sensitivity`).

SALib is an optional dependency (``pip install 'painsim[analysis]'``), imported
when indices are computed.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .checks import whole
from .errors import ParameterError, UnknownKeyError
from .rng import checked_seed

__all__ = ["salib_indices", "METHODS", "RBD_FAST_MIN_SAMPLES"]

#: The SALib methods :func:`salib_indices` dispatches to.
METHODS = ("sobol", "morris", "delta", "rbd_fast")
#: The harmonics RBD-FAST sums (SALib's ``M``, its default, passed by :func:`salib_indices`).
RBD_FAST_HARMONICS = 10
#: The fewest samples RBD-FAST estimates from.  Its index is the share of the periodogram of the
#: outcome (reordered along an input) in harmonics 1..M, of n // 2 harmonics in all: with n // 2 <= M
#: it is 1 for every input whatever the data (a cohort of 3, 5, 10 or 21 patients); its bias
#: correction divides by 1 - 2M/n (n = 20: a division by zero).  So n >= 2M + 2, and its bootstrap,
#: which estimates from int(n / 2) samples, needs int(n / 2) >= 2M + 2 (at 40 it divided by zero, at
#: 42-43 every resample read 1, an interval of 0): n >= 2 (2M + 2) = 44.
RBD_FAST_MIN_SAMPLES = 2 * (2 * RBD_FAST_HARMONICS + 2)


def salib_indices(method: str, problem: Mapping, X, Y, seed, levels=None, index_name="parameter",
                  samples: str = "points"):
    """Sensitivity indices of one SALib method as a table (one row per input).

    Parameters
    ----------
    method : {"sobol", "morris", "delta", "rbd_fast"}
        ``sobol`` (Saltelli samples, first-order and total indices),
        ``morris`` (trajectories of ``levels`` levels), ``delta`` or
        ``rbd_fast`` (any samples, "given data").
    problem : dict
        SALib's problem: ``num_vars``, ``names``, ``bounds``.
    X : array, shape (samples, inputs)
        The inputs (not used by ``sobol``).
    Y : array, shape (samples,)
        The outcome.
    seed : int
        Seed of SALib's bootstrap: the same seed gives the same intervals (SALib reads 0 as "no
        seed", so it is given ``seed + 1``); numpy's global generator is left as it was.
    levels : int, optional
        Grid levels of a Morris design.
    index_name : str
        Name of the table's index.
    samples : str
        What one sample is, in the error for too few of them (``"points"``, ``"patients"``).

    Returns
    -------
    pandas.DataFrame
        Sobol: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; Morris: ``mu``,
        ``mu_star``, ``mu_star_conf``, ``sigma``; delta: ``delta``,
        ``delta_conf``, ``S1``, ``S1_conf``; RBD-FAST: ``S1``, ``S1_conf``.

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``method`` not one of :data:`METHODS`.
    painsim.errors.ParameterError
        ``problem`` without ``num_vars``, ``names`` and ``bounds`` (one name and bound per input);
        ``Y`` not finite numbers, or (but for ``sobol``) not one per row of ``X``; ``X`` not one
        column per input; ``seed`` not a whole number >= 0; ``levels`` (``morris``) not a whole
        number >= 2.  Fewer than :data:`RBD_FAST_MIN_SAMPLES` (44) samples for ``rbd_fast`` (its
        indices would be 1 whatever the data, or SALib would divide by zero).  A ``Y`` that is not
        N * (inputs + 2) values, N >= 2 (``sobol``), or an ``X`` that is not whole trajectories of
        inputs + 1 rows (``morris``).  An outcome with the
        same value in every sample (for ``sobol``, in its A and B samples).
    """
    X, Y = _checked(method, problem, X, Y, seed, levels)
    caller_state = np.random.get_state()  # SALib's delta reseeds numpy's global generator
    try:
        r, cols = _analyze(method, problem, X, Y, seed + 1, levels, samples)  # SALib reads seed 0 as "no seed"
    finally:
        np.random.set_state(caller_state)
    return pd.DataFrame({c: np.asarray(r[c], float) for c in cols},
                        index=pd.Index(problem["names"], name=index_name))


def _analyze(method, problem, X, Y, seed, levels, samples):
    """SALib's result of one method and the columns kept from it."""
    from SALib.analyze import delta as sa_delta, morris as sa_morris, rbd_fast as sa_rbd, sobol as sa_sobol
    if method == "sobol":
        r = sa_sobol.analyze(problem, Y, calc_second_order=False, seed=seed)
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
    elif method == "morris":
        r = sa_morris.analyze(problem, X, Y, num_levels=levels, seed=seed)
        cols = ["mu", "mu_star", "mu_star_conf", "sigma"]
    elif method == "delta":
        r = _delta_result(sa_delta.analyze(problem, X, Y, seed=seed))
        cols = ["delta", "delta_conf", "S1", "S1_conf"]
    else:
        if len(Y) < RBD_FAST_MIN_SAMPLES:  # fewer: indices of 1 whatever the data, or a division by zero
            raise ParameterError("Y", f"{len(Y)} {samples}", f"at least {RBD_FAST_MIN_SAMPLES} {samples} for "
                                 f"method 'rbd_fast' (RBD_FAST_MIN_SAMPLES), or method 'delta'")
        r = sa_rbd.analyze(problem, X, Y, M=RBD_FAST_HARMONICS, seed=seed)
        cols = ["S1", "S1_conf"]
    return r, cols


def _checked(method, problem, X, Y, seed, levels):
    """The inputs of :func:`salib_indices` checked before SALib sees them (it would run an unknown
    method as RBD-FAST, return NaN indices for a NaN outcome, or fail deep inside): ``(X, Y)``."""
    if not isinstance(method, str) or method not in METHODS:
        raise UnknownKeyError(method, METHODS, what="sensitivity method")
    if not isinstance(problem, Mapping) or any(k not in problem for k in ("num_vars", "names", "bounds")) \
            or not len(problem["names"]) == len(problem["bounds"]) == problem["num_vars"]:
        raise ParameterError("problem", problem, "SALib's problem: a dict with num_vars, names and bounds "
                                                 "(one name and one bound per input)")
    try:
        Y = np.asarray(Y, float).reshape(-1)
    except (TypeError, ValueError):
        raise ParameterError("Y", "entries that are not numbers", "the outcome, a finite number per sample") from None
    if Y.size == 0 or not np.all(np.isfinite(Y)):
        raise ParameterError("Y", f"{Y.size} samples, {int(np.sum(~np.isfinite(Y)))} not finite", "the outcome, a "
                             "finite number per sample, at least one (drop failed samples first)")
    if method != "sobol":
        X = np.asarray(X, float)
        if X.ndim != 2 or X.shape[1] != problem["num_vars"] or X.shape[0] != Y.size:
            raise ParameterError("X", f"shape {X.shape}", f"one row per outcome ({Y.size}) and one column per "
                                                          f"input ({problem['num_vars']})")
    checked_seed(seed, allow_float=False)
    if method == "morris":
        whole(levels, "levels", 2)
    _check_design_size(method, problem["num_vars"], X, Y)
    varied = np.r_[Y.reshape(-1, problem["num_vars"] + 2)[:, 0], Y.reshape(-1, problem["num_vars"] + 2)[:, -1]] \
        if method == "sobol" else Y  # Saltelli's variance is read from its A and B samples only
    if np.ptp(varied) == 0:
        raise ParameterError("Y", f"the same value ({varied[0]:g}) in every sample"
                             f"{' of the A and B matrices' if method == 'sobol' else ''}",
                             "an outcome that varies (an outcome that never changes has no sensitivity to "
                             "report: indices would read 0 or nan)")
    return X, Y


def _check_design_size(method, d, X, Y) -> None:
    """A Saltelli outcome is N * (D + 2) values with N >= 2 (SALib fails deep inside, or with N = 1
    returns indices outside [0, 1] with a zero interval); a Morris design N trajectories of D + 1 rows."""
    if method == "sobol" and (Y.size % (d + 2) or Y.size // (d + 2) < 2):
        raise ParameterError("Y", f"{Y.size} samples", f"N * (inputs + 2) = N * {d + 2} samples of a Saltelli "
                                                       "design (calc_second_order=False), N >= 2")
    if method == "morris" and X.shape[0] % (d + 1):
        raise ParameterError("X", f"{X.shape[0]} rows", f"a Morris design: trajectories of inputs + 1 = {d + 1} rows")


def _delta_result(r) -> dict:
    """SALib's delta result with a ``delta`` key (SALib >= 1.5 names it ``delta_raw``)."""
    r = dict(r)
    if "delta" not in r and "delta_raw" in r:
        r["delta"], r["delta_conf"] = r["delta_raw"], r["delta_raw_conf"]
    return r
