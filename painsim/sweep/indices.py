"""Which swept parameters drive an outcome: sensitivity indices of a sweep (SALib)."""
from __future__ import annotations

import json

import numpy as np
import xarray as xr

from ..errors import SpecError, UnknownKeyError
from ..sensitivity import METHODS, salib_indices
from .designs import salib_problem, unit_samples
from .spec import spec_from_saved

__all__ = ["sensitivity"]


def sensitivity(data: xr.Dataset, outcome: str, method: str | None = None, repeat: str = "mean",
                seed: int = 0):
    """Which swept parameters drive an outcome (SALib).

    Parameters
    ----------
    data : xarray.Dataset
        The result of :func:`run_sweep`.
    outcome : str
        A scalar outcome of the sweep (``"pain"``).
    method : {"sobol", "morris", "delta", "rbd_fast"}, optional
        ``sobol`` needs a sweep with ``design = "saltelli"``, ``morris`` one
        with ``design = "morris"``; ``delta`` (Borgonovo's moment-independent
        measure, with first-order Sobol estimates; slow: minutes for a few
        hundred points) and ``rbd_fast`` work on any design ("given data").
        Default: the one that fits the design, ``rbd_fast`` for others.
    repeat : {"mean", "all"}
        Average the outcome over repeated seeds (default) or, for given-data
        methods, use every run as a sample.  With ``"mean"`` a point counts only
        if every repeat of it finished (a mean over the runs that happened to
        finish would weigh points by their failures); Sobol and Morris indices
        need every run of the design.
    seed : int
        Seed of SALib's bootstrap (:func:`painsim.sensitivity.salib_indices`).

    Returns
    -------
    pandas.DataFrame
        One row per parameter: the indices and their confidence intervals
        (Sobol: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; Morris: ``mu_star``,
        ``mu_star_conf``, ``sigma``; delta: ``delta``, ``delta_conf``, ``S1``,
        ``S1_conf``; RBD-FAST: ``S1``, ``S1_conf``).
    """
    spec = spec_from_saved(json.loads(data.attrs["spec"]))
    method = _check(spec, data, outcome, method)
    if repeat not in ("mean", "all"):
        raise UnknownKeyError(str(repeat), ("mean", "all"), what="repeat")
    X, Yr = _samples(spec, data[outcome])
    if Yr.ndim != 2:
        raise SpecError("outcome", outcome, "a scalar outcome per run")
    if method in ("sobol", "morris") or repeat == "mean":
        Y = np.where(np.isnan(Yr).any(axis=1), np.nan, Yr.mean(axis=1))
    else:
        X, Y = np.repeat(X, Yr.shape[1], axis=0), Yr.ravel()
    if np.isnan(Y).any():
        if method in ("sobol", "morris"):
            raise SpecError(outcome, f"{int(np.isnan(Yr).sum())} of {Yr.size} runs failed or pending",
                            "every run of the design finished for Sobol/Morris indices (--resume the sweep)")
        keep = ~np.isnan(Y)
        X, Y = X[keep], Y[keep]
    return salib_indices(method, salib_problem(spec), X, Y, seed, levels=spec.levels, index_name="parameter")


def _check(spec, data: xr.Dataset, outcome: str, method: str | None) -> str:
    """The method (default: the design's), after checking it fits the design, outcome and axes."""
    design = spec.design
    method = method or {"saltelli": "sobol", "morris": "morris"}.get(design, "rbd_fast")
    if method not in METHODS:
        raise UnknownKeyError(str(method), METHODS, what="sensitivity method")
    if method in ("sobol", "morris") and design != {"sobol": "saltelli", "morris": "morris"}[method]:
        raise SpecError("design", design, f"design = {'saltelli' if method == 'sobol' else 'morris'!r} "
                                          f"for {method} indices (or method='delta' for any design)")
    outcomes = [v for v in data.data_vars if v not in ("seed", "status", "error")]
    if outcome not in outcomes:
        raise UnknownKeyError(outcome, outcomes, what="outcome")
    if any(a.categorical for a in spec.axes):
        raise SpecError("parameters", [a.path for a in spec.axes if a.categorical],
                        "numeric parameters for a sensitivity analysis")
    return method


def _samples(spec, y: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    """(points in the unit cube, outcome per point and repeat)."""
    if "point" not in y.dims:  # a grid: flatten back to points
        y = y.stack(point=[a.path for a in spec.axes])
        X = np.column_stack([a.to_unit(np.asarray(y[a.path].values, float)) for a in spec.axes])
    else:  # a sampled design: its points in the unit cube, exactly as drawn
        X = unit_samples(spec)
    return X, np.asarray(y.transpose("point", "repeat", ...).values, float)
