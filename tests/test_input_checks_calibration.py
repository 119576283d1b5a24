"""Input checks of the automatic engine's run hint (expected_runs), of the tolerance-rate
inversion (tolerance_rate_for_efficacy) and of the bisection every calibration runs
(bisect_parameter), and the point the bisection returns.  No simulation: the functions
bisected here are cheap Python functions or the closed-form tolerance ODE."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from painsim.circuits.auto_runs import expected_runs, expected_runs_hint
from painsim.errors import ParameterError
from painsim.protocols import Calendar
from painsim.tolerance import DAY, tolerance_at
from painsim.validation.bisection import bisect_parameter
from painsim.validation.tolerance_calibration import tolerance_rate_for_efficacy


# ------------------------------------------------------------------ expected_runs
@pytest.mark.parametrize("bad", [0, -1, -3.0, 2.5, float("nan"), float("inf"), True, False, np.True_,
                                 None, "3", "a", 2 + 0j, [2]])
def test_expected_runs_refuses_what_is_not_a_whole_number_of_runs(bad):
    """Anything but a whole number >= 1 is refused when the hint is entered, by a ParameterError
    naming ``runs`` and the value, and leaves no hint behind."""
    with pytest.raises(ParameterError) as info:
        with expected_runs(bad):
            pass
    assert info.value.name == "runs" and "'runs'" in str(info.value)
    assert expected_runs_hint() is None


@pytest.mark.parametrize("good, hint", [(1, 1), (40, 40), (40.0, 40), (np.int64(7), 7), (np.float32(3.0), 3)])
def test_expected_runs_takes_whole_numbers_as_ints(good, hint):
    """Negative control: whole numbers >= 1 of any numeric type are accepted, as the int hint."""
    with expected_runs(good):
        assert expected_runs_hint() == hint and type(expected_runs_hint()) is int
    assert expected_runs_hint() is None


# ------------------------------------------------------------------ tolerance_rate_for_efficacy
TAU = 13.2 * DAY / math.log(2.0)
CAL = Calendar((0.0, 1.0, 2.0, 3.0, 4.0), 1200.0)


def _floor(calendar, session, tau):
    """Lowest efficacy reachable before ``session`` (k -> infinity), written independently."""
    gap = calendar.days[session] * DAY - (calendar.days[session - 1] * DAY + calendar.session_duration)
    return 1.0 - math.exp(-gap / tau)


@pytest.mark.parametrize("name, kwargs", [
    ("x", dict(x=0.0)), ("x", dict(x=-0.1)), ("x", dict(x=1.5)), ("x", dict(x=float("nan"))),
    ("x", dict(x=float("inf"))), ("x", dict(x=True)), ("x", dict(x="0.3")),
    ("calendar", dict(calendar=(0.0, 1.0, 2.0))),
    ("session", dict(session=0)), ("session", dict(session=5)), ("session", dict(session=-1)),
    ("session", dict(session=2.0)), ("session", dict(session=True)),
    ("tau", dict(tau=0.0)), ("tau", dict(tau=-TAU)), ("tau", dict(tau=float("nan"))), ("tau", dict(tau=math.inf)),
    ("tau", dict(tau=True)),
    ("efficacy", dict(efficacy=0.0)), ("efficacy", dict(efficacy=1.0)), ("efficacy", dict(efficacy=1.2)),
    ("efficacy", dict(efficacy=-0.5)), ("efficacy", dict(efficacy=float("nan"))), ("efficacy", dict(efficacy=True)),
    ("bounds", dict(bounds=(0.0, 1.0))), ("bounds", dict(bounds=(1.0, 1e-7))), ("bounds", dict(bounds=(1e-7, math.inf))),
    ("bounds", dict(bounds=(1e-3,))),
    ("tol", dict(tol=float("nan"))), ("max_iter", dict(max_iter=0)), ("max_iter", dict(max_iter=2.5)),
])
def test_tolerance_rate_for_efficacy_refuses_out_of_range_arguments(name, kwargs):
    """Each argument outside its range (x in (0, 1], a Calendar, session 1..n-1, tau > 0 finite,
    efficacy in (floor, 1), bounds 0 < lo < hi finite, tol finite, max_iter >= 1) is refused by a
    ParameterError naming it."""
    args = dict(x=0.3, calendar=CAL, session=4, efficacy=0.5, tau=TAU)
    args.update(kwargs)
    with pytest.raises(ParameterError) as info:
        tolerance_rate_for_efficacy(**args)
    assert info.value.name == name, str(info.value)


def test_efficacy_below_the_saturation_floor_is_refused_by_name():
    """The lowest efficacy before a session is the recovery from T = 1 over the gap after the
    previous session (k -> infinity): just below it ``efficacy`` is refused (the message still
    says no bounds bracket it), just above it is accepted with bounds wide enough."""
    floor = _floor(CAL, 4, TAU)
    assert 0 < floor < 1
    with pytest.raises(ParameterError, match="bracket") as info:
        tolerance_rate_for_efficacy(0.3, CAL, 4, floor * 0.999, TAU)
    assert info.value.name == "efficacy"
    target = floor + 0.01
    k, achieved, _ = tolerance_rate_for_efficacy(0.3, CAL, 4, target, TAU, bounds=(1e-7, 1e3))
    assert achieved == pytest.approx(target, abs=1e-8)


@settings(max_examples=60, deadline=None)
@given(x=st.floats(0.01, 1.0), session=st.integers(1, 4), tau_days=st.floats(1.0, 60.0),
       share=st.floats(0.05, 0.95))
def test_the_rate_found_gives_the_requested_efficacy_in_the_forward_ode(x, session, tau_days, share):
    """Property: for any valid call whose efficacy the default bounds bracket, feeding the rate
    found back into the forward closed-form ODE (painsim.tolerance.tolerance_at) leaves the
    receptors at the requested efficacy, within the bisection's tol in T; and the rate is inside
    the bounds searched."""
    tau = tau_days * DAY
    bounds = (1e-7, 1.0)
    # efficacies the bounds reach, from the forward function itself (it falls with k)
    day = CAL.days[session]
    high = 1.0 - float(tolerance_at(day, x, CAL, bounds[0], tau))
    low = 1.0 - float(tolerance_at(day, x, CAL, bounds[1], tau))
    assert _floor(CAL, session, tau) <= low < high < 1.0
    efficacy = low + share * (high - low)
    k, achieved, evals = tolerance_rate_for_efficacy(x, CAL, session, efficacy, tau, bounds=bounds, tol=1e-10)
    assert bounds[0] <= k <= bounds[1]
    forward = 1.0 - float(tolerance_at(day, x, CAL, k, tau))
    assert forward == pytest.approx(achieved, abs=1e-12)
    assert abs(forward - efficacy) <= 1e-10
    assert (k, achieved) in evals


# ------------------------------------------------------------------ bisect_parameter
def _recorder(f):
    """``f`` that records the points it was called at."""
    seen = []

    def g(x):
        seen.append(x)
        return f(x)
    return g, seen


def test_an_unconverged_bisection_returns_the_nearest_evaluation_not_the_last_midpoint():
    """Out of halvings before reaching ``tol``, the point returned is the evaluated one whose
    outcome is nearest the target (here the first midpoint, 0.5, where x**3 = 0.125 vs target
    0.13; the later midpoints 0.75 and 0.625 are farther), with its own outcome."""
    f = lambda x: x ** 3  # noqa: E731
    x, r, evals = bisect_parameter(f, (0.0, 1.0), 0.13, 1e-6, 3, "test interval")
    assert len(evals) == 5 and evals[-1][0] != x          # the last midpoint is not the answer
    best = min(evals, key=lambda e: abs(e[1] - 0.13))
    assert (x, r) == best and r == f(x)
    assert all(abs(r - 0.13) <= abs(o - 0.13) for _, o in evals)


@settings(max_examples=100, deadline=None)
@given(target=st.floats(-0.99, 0.99), max_iter=st.integers(1, 12), tol=st.floats(1e-9, 0.5))
def test_bisection_returns_the_nearest_of_its_evaluations(target, max_iter, tol):
    """Property, on a monotone cubic: the returned outcome is rate(x), no evaluation is nearer the
    target, at most max_iter midpoints are evaluated, and the search stopped early only within tol."""
    f = lambda x: x ** 3 + 0.1 * x  # noqa: E731
    x, r, evals = bisect_parameter(f, (-1.0, 1.0), target, tol, max_iter, "test interval")
    assert r == f(x) and (x, r) in evals
    assert all(abs(r - target) <= abs(o - target) for _, o in evals)
    assert len(evals) <= 2 + max_iter
    if len(evals) < 2 + max_iter:
        assert abs(r - target) <= tol


def test_an_exactly_bracketed_answer_is_found_and_returned():
    """Negative control: a target hit exactly by a midpoint (x = 0.25 for the identity on (0, 1))
    stops the search there, tol 0, and that midpoint is returned; so is an exact bound."""
    f, seen = _recorder(lambda x: x)
    x, r, evals = bisect_parameter(f, (0.0, 1.0), 0.25, 0.0, 50, "test interval")
    assert (x, r) == (0.25, 0.25) and evals[-1] == (0.25, 0.25) and seen == [0.0, 1.0, 0.5, 0.25]
    x, r, evals = bisect_parameter(lambda u: u, (0.0, 1.0), 1.0, 0.0, 50, "test interval")
    assert (x, r) == (1.0, 1.0) and len(evals) == 2


def test_negative_tol_runs_every_halving():
    """tol < 0 (the morphine ED50's use) never stops early: exactly max_iter midpoints, even when
    one hits the target exactly, and the nearest evaluation is still returned."""
    x, r, evals = bisect_parameter(lambda u: u, (0.0, 1.0), 0.5, -1.0, 6, "test interval")
    assert len(evals) == 8 and (x, r) == (0.5, 0.5)


@pytest.mark.parametrize("name, kwargs", [
    ("bounds", dict(bounds=(1.0, 0.0))), ("bounds", dict(bounds=(0.5, 0.5))), ("bounds", dict(bounds=(0.0, math.inf))),
    ("bounds", dict(bounds=(float("nan"), 1.0))), ("bounds", dict(bounds=(0.0,))), ("bounds", dict(bounds=None)),
    ("bounds", dict(bounds=(False, True))),
    ("target", dict(target=float("nan"))), ("target", dict(target=math.inf)), ("target", dict(target=None)),
    ("tol", dict(tol=float("nan"))), ("tol", dict(tol=math.inf)), ("tol", dict(tol="1")),
    ("max_iter", dict(max_iter=0)), ("max_iter", dict(max_iter=-2)), ("max_iter", dict(max_iter=2.0)),
    ("max_iter", dict(max_iter=True)),
])
def test_bisection_refuses_bad_arguments_before_evaluating(name, kwargs):
    """Bounds not finite with lo < hi, a non-finite target or tol, max_iter not a whole number >= 1
    are refused by a ParameterError naming the argument, before ``rate`` is called once."""
    f, seen = _recorder(lambda x: x)
    args = dict(bounds=(0.0, 1.0), target=0.3, tol=1e-3, max_iter=10)
    args.update(kwargs)
    with pytest.raises(ParameterError) as info:
        bisect_parameter(f, args["bounds"], args["target"], args["tol"], args["max_iter"], "test interval")
    assert info.value.name == name, str(info.value)
    assert seen == []


@pytest.mark.parametrize("f, target", [(lambda x: x, 1.5), (lambda x: x, -0.5), (lambda x: -x, -0.5),
                                       (lambda x: float("nan"), 0.5)])
def test_bisection_refuses_an_unbracketed_target(f, target):
    """Bounds whose outcomes do not bracket the target (too high, too low, a falling outcome, NaN)
    are refused naming ``bounds`` and what they are."""
    with pytest.raises(ParameterError, match="bracket") as info:
        bisect_parameter(f, (0.0, 1.0), target, 1e-3, 10, "test interval")
    assert info.value.name == "bounds" and "test interval" in str(info.value)
