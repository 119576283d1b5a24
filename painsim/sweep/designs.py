"""Designs of a sweep: the grid, random points, a Latin hypercube, a Sobol
sequence, and the Saltelli / Morris samples of a sensitivity analysis (SALib).

Sampled designs draw points in the unit cube (one column per axis) from a
generator seeded by the spec seed, and each axis maps them to its values
(:meth:`painsim.sweep.Axis.from_unit`)."""
from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.stats import qmc

from ..errors import SpecError
from ..rng import rng_for

__all__ = ["DESIGNS", "design_points", "unit_samples", "salib_problem"]

DESIGNS = ("grid", "random", "lhs", "sobol", "saltelli", "morris")


def design_points(spec) -> list[dict]:
    """Every point of a spec's design: {axis path: value}.

    Parameters
    ----------
    spec : SweepSpec
        Its ``axes`` and ``design`` (sampled designs: ``n`` and ``seed`` too).

    Returns
    -------
    list of dict

    Raises
    ------
    painsim.errors.SpecError
        A grid axis with fewer than one level.
    """
    axes = spec.axes
    if spec.design == "grid":
        for a in axes:
            if a.values is None and a.n < 1:
                raise SpecError(f"{a.path}.n", a.n, "a number of grid levels >= 1 (empty range)")
        levels = [a.grid() for a in axes]
        return [dict(zip([a.path for a in axes], combo)) for combo in itertools.product(*levels)]
    u = np.clip(unit_samples(spec), 0.0, np.nextafter(1.0, 0.0))
    return [{a.path: a.from_unit(float(x)) for a, x in zip(axes, row)} for row in u]


def unit_samples(spec) -> np.ndarray:
    """The points of a sampled design in the unit cube, shape (points, axes).

    Parameters
    ----------
    spec : SweepSpec
        A sampled design (not ``"grid"``): ``axes``, ``design``, ``n``, ``seed``
        (and ``levels`` for ``"morris"``).

    Returns
    -------
    numpy.ndarray
    """
    d, n = len(spec.axes), spec.n
    rng = rng_for(spec.seed, "design")
    if spec.design == "random":
        return rng.random((n, d))
    if spec.design == "lhs":
        return qmc.LatinHypercube(d, seed=rng).random(n)
    if spec.design == "sobol":
        s = qmc.Sobol(d, scramble=True, seed=rng)
        m = int(math.log2(n))
        return s.random_base2(m) if 2 ** m == n else s.random(n)
    problem = salib_problem(spec)
    if spec.design == "saltelli":
        from SALib.sample import sobol as salib_sobol
        return salib_sobol.sample(problem, n, calc_second_order=False, seed=spec.seed)
    from SALib.sample import morris as salib_morris
    return salib_morris.sample(problem, n, num_levels=spec.levels, seed=spec.seed)


def salib_problem(spec) -> dict:
    """SALib's problem: the swept axes in the unit cube (designs map it to values).

    Parameters
    ----------
    spec : SweepSpec

    Returns
    -------
    dict
        ``num_vars``, ``names`` (the axis paths) and ``bounds`` ([0, 1] per axis).
    """
    return {"num_vars": len(spec.axes), "names": [a.path for a in spec.axes],
            "bounds": [[0.0, 1.0] for _ in spec.axes]}
