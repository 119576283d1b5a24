"""Sensitivity indices as a researcher reads them (a review of 2026-12-06): the same seed gives the
same intervals (seed 0 included) and leaves numpy's global generator alone; an outcome that never
varies, a design of the wrong size, an unknown ``repeat`` or outcome, and runs that did not finish
are refused instead of read as indices.  Each test has its negative control; nothing simulates
(function sweeps and hand-made samples)."""
import warnings

import numpy as np
import pytest

from painsim.errors import ParameterError, SpecError, UnknownKeyError
from painsim.sensitivity import salib_indices
from painsim.sweep import make_spec, run_sweep, sensitivity

pytest.importorskip("SALib")

PROBLEM = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0]] * 2}


def _linear_samples(n=200, seed=3):
    X = np.random.default_rng(seed).random((n, 2))
    return X, 4 * X[:, 0] + X[:, 1]


@pytest.mark.parametrize("method", ["delta"])
def test_seed_zero_gives_the_same_intervals_twice(method):
    """SALib reads seed 0 as "no seed": the default seed gave other intervals on every call."""
    X, Y = _linear_samples()
    first = salib_indices(method, PROBLEM, X, Y, seed=0)
    assert salib_indices(method, PROBLEM, X, Y, seed=0).equals(first)
    # the seed still matters: another seed draws another bootstrap
    assert not salib_indices(method, PROBLEM, X, Y, seed=5).equals(first)


def test_the_callers_global_generator_is_left_alone():
    """SALib's delta reseeded numpy's global generator: a caller's later draws depended on the call."""
    X, Y = _linear_samples()
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    salib_indices("delta", PROBLEM, X, Y, seed=7)
    assert np.array_equal(np.random.random(3), expected)


def test_an_outcome_that_never_varies_is_refused():
    """A constant outcome (pain 0 at every point) read as S1 = ST = 0 with a zero interval."""
    X, Y = _linear_samples()
    with pytest.raises(ParameterError, match="varies"):
        salib_indices("rbd_fast", PROBLEM, X, np.ones_like(Y), seed=1)
    # Saltelli: the variance comes from the A and B samples only (one varying AB row is not enough)
    N, D = 64, 2
    Ys = np.zeros((N, D + 2))
    Ys[0, 1] = 1.0
    with pytest.raises(ParameterError, match="A and B"):
        salib_indices("sobol", PROBLEM, None, Ys.ravel(), seed=1)
    Ys[0, 0] = 1.0  # negative control: the A samples vary
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(salib_indices("sobol", PROBLEM, None, Ys.ravel(), seed=1)) == 2


def test_a_design_of_the_wrong_size_is_refused():
    """A Saltelli outcome that is not N * (D + 2) values failed deep inside SALib; N = 1 gave indices
    outside [0, 1] with a zero interval."""
    Y = np.random.default_rng(0).random(4 * 8)
    for bad in (Y[:-1], Y[:4]):
        with pytest.raises(ParameterError, match="Saltelli"):
            salib_indices("sobol", PROBLEM, None, bad, seed=1)
    assert len(salib_indices("sobol", PROBLEM, None, Y, seed=1)) == 2      # 8 * (2 + 2): accepted
    X = np.random.default_rng(0).random((10, 2))
    with pytest.raises(ParameterError, match="Morris"):
        salib_indices("morris", PROBLEM, X[:8], X[:8, 0], seed=1, levels=4)   # not whole trajectories of 3


def _f(params, seed):
    if seed == 12 and params["x1"] > 0.5:
        raise RuntimeError("diverged")
    return {"y": 4 * params["x1"] + 2 * params["x2"] + np.random.default_rng(seed).normal(scale=0.1)}


def _sweep(design="saltelli", n=16, seeds=(11, 12)):
    axes = {k: {"min": 0.0, "max": 1.0} for k in ("x1", "x2")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_sweep({"kind": "function", "function": _f, "design": design, "n": n, "seeds": list(seeds),
                          "parameters": axes, "outcomes": ["y"]}, workers=0, progress=False)


def test_sobol_refuses_points_whose_repeats_partly_failed():
    """A mean over the repeats that happened to finish passed the 'no failed points' check: Sobol
    indices of a design with 1 run in 4 failed came back without a word."""
    ds = _sweep()
    assert (ds["status"].values == "failed").any() and not (ds["status"].values == "failed").all(axis=1).any()
    with pytest.raises(SpecError, match="failed or pending"):
        sensitivity(ds, "y")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(sensitivity(_sweep(seeds=(11, 13)), "y")) == 2          # every run finished: indices


def test_repeat_and_outcome_are_checked():
    """repeat="bogus" behaved as "all"; 'seed' was accepted as an outcome (indices of the seeds)."""
    ds = _sweep(design="lhs", n=60, seeds=(11, 13))
    with pytest.raises(UnknownKeyError, match="repeat"):
        sensitivity(ds, "y", method="rbd_fast", repeat="bogus")
    for name in ("seed", "status", "x1"):
        with pytest.raises(UnknownKeyError, match="outcome"):
            sensitivity(ds, name, method="rbd_fast")
    assert len(sensitivity(ds, "y", method="rbd_fast", repeat="all")) == 2


def test_a_saltelli_sweep_needs_a_power_of_two():
    spec = {"kind": "function", "function": _f, "design": "saltelli", "parameters": {"x1": {"min": 0.0, "max": 1.0}}}
    with pytest.raises(SpecError, match="power of 2"):
        make_spec({**spec, "n": 10})
    assert make_spec({**spec, "n": 16}).n == 16
