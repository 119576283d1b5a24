"""Declared calibration of opioid tolerance: the rate ``dorsal_horn.opioid.tolerance_rate``
(:mod:`painsim.tolerance`) fitted so daily 20-min TENS loses its opioid effect by the 5th session
(Sato et al. 2012 J Pain 13:884, Liebano et al. 2011 Pain 152:335, Chandran & Sluka 2003 Pain
102:195).

Two steps: :func:`undetectable_efficacy` (the receptor efficacy at which the naloxone-sensitive
part of the acute remote TENS effect is no longer detectable, :data:`TOLERANCE_EFFICACY`), then
:func:`calibrate_tolerance_rate` (the rate that brings the efficacy there before the 5th session).
Split from :mod:`painsim.validation.calibration`, which re-exports every public name here and
describes the procedure, its target and what stays held out.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..checks import is_number
from ..errors import ParameterError
from ..params import load_model
from ..protocols import Calendar, get as get_protocol
from ..tolerance import (DAY, NALOXONE, acute_tens_effect, excess_occupancy, tolerance_at, tolerance_params,
                         tolerant_model)
from .bisection import bisect_parameter

__all__ = ["ToleranceCalibration", "calibrate_tolerance_rate", "tolerance_rate_for_efficacy", "TOLERANCE_SEEDS",
           "TOLERANCE_PROTOCOL", "TOLERANCE_SESSION", "TOLERANCE_EFFICACY", "TOLERANCE_SESSION_S", "tolerance_calendar",
           "TOLERANCE_OPIOID_RATIO", "opioid_ratio", "undetectable_efficacy", "remote_tens_effects"]

# ---------------------------------------------------------------- opioid tolerance
#: The declared tolerance calibration: protocol (its waveform; x does not depend on the session's
#: length), seeds, the daily session length of the animal and human studies (20 min: Chandran &
#: Sluka 2003, Sato et al. 2012, DeSantana et al. 2008), the session (0-based: the 5th) at whose
#: start the receptor efficacy is fitted, the fraction of the naive opioid effect that stands for
#: "no detectable opioid effect" (chosen), and the efficacy that leaves it (measured by
#: :func:`undetectable_efficacy` on the healthy pathway, seeds 1-4, 2026-12-01;
#: tests/test_calibration.py checks it still does).
TOLERANCE_PROTOCOL = "tens_conventional"
TOLERANCE_SEEDS = (1, 2, 3, 4)
TOLERANCE_SESSION_S = 1200.0
TOLERANCE_SESSION = 4
TOLERANCE_OPIOID_RATIO = 0.1
TOLERANCE_EFFICACY = 0.541


def tolerance_calendar(session: int = TOLERANCE_SESSION) -> Calendar:
    """Daily sessions of :data:`TOLERANCE_SESSION_S` on days 0..``session`` (the studies' calendar).

    Parameters
    ----------
    session : int
        0-based index of the last session (default :data:`TOLERANCE_SESSION`, 4: days 0-4).

    Returns
    -------
    painsim.protocols.Calendar
        One 1200-s session on each of days ``0, 1, ..., session``.

    Raises
    ------
    painsim.errors.ParameterError
        ``session`` not a whole number >= 0 (a float such as 2.5 or 2.0, a bool, a negative
        index), named ``session``, as :func:`tolerance_rate_for_efficacy` refuses its ``session``.
    """
    _check_session(session, 0)
    return Calendar(tuple(float(d) for d in range(int(session) + 1)), TOLERANCE_SESSION_S)


@dataclass(frozen=True)
class ToleranceCalibration:
    """Result of :func:`calibrate_tolerance_rate`: the rate ``k`` (1/s per unit occupancy), the
    excess occupancy per seed and their mean, the target and achieved efficacy at the start of
    the fitted session, and the bisection's evaluations ``(k, efficacy)``.

    Parameters
    ----------
    rate_hz : float
        The fitted ``dorsal_horn.opioid.tolerance_rate`` ``k``, 1/s per unit occupancy.
    x : float
        Mean excess occupancy of a session (dimensionless).
    x_per_seed : tuple of float
        The excess occupancy of each seed (the given ``x`` alone when it was passed).
    target_efficacy, achieved_efficacy : float
        Receptor efficacy ``1 - T`` sought and reached at ``rate_hz``, before the fitted session.
    evaluations : tuple
        ``(k, efficacy)`` of every evaluation, in order.
    """

    rate_hz: float
    x: float
    x_per_seed: tuple
    target_efficacy: float
    achieved_efficacy: float
    evaluations: tuple


def tolerance_rate_for_efficacy(x: float, calendar: Calendar, session: int, efficacy: float, tau: float,
                                bounds: tuple[float, float] = (1e-7, 1.0), tol: float = 1e-9,
                                max_iter: int = 100) -> tuple[float, float, tuple]:
    """The rate ``k`` at which the receptor efficacy before session ``session`` of ``calendar``
    equals ``efficacy`` within ``tol``, for an excess occupancy ``x`` (the tolerance ODE in closed
    form only; the efficacy falls monotonically with ``k``, bisected on ``log k`` by
    :func:`~painsim.validation.bisection.bisect_parameter`).

    Parameters
    ----------
    x : float
        Excess occupancy during a session (dimensionless, in (0, 1]: a difference of receptor
        occupancies ``c / (1 + c)``; 0 drives no tolerance).
    calendar : painsim.protocols.Calendar
        Session days and duration.
    session : int
        0-based index of the session before which the efficacy is read, 1 to
        ``len(calendar.days) - 1``.
    efficacy : float
        Target receptor efficacy ``1 - T``, in ``(floor, 1)`` where ``floor = 1 - exp(-gap / tau)``
        and ``gap`` is the time from the end of session ``session - 1`` to the start of ``session``.
    tau : float
        Recovery time constant of tolerance, s, finite and > 0
        (:func:`painsim.tolerance.tolerance_params`).
    bounds : (float, float)
        Interval of ``k`` searched, 1/s per unit occupancy (both > 0: bisected on their logs).
    tol : float
        Stop when the tolerance state ``T`` is within ``tol`` of ``1 - efficacy``.
    max_iter : int
        Most halvings.

    Returns
    -------
    k : float
        The rate, 1/s per unit occupancy.
    achieved : float
        The efficacy before ``session`` at ``k``.
    evaluations : tuple
        ``(k, efficacy)`` of every evaluation, in order.

    Raises
    ------
    painsim.errors.ParameterError
        Each named: ``x`` not a number in (0, 1]; ``calendar`` not a
        :class:`~painsim.protocols.Calendar`; ``session`` not a whole number 1 ..
        ``len(calendar.days) - 1`` (before session 0, or one the calendar does not have, ``T`` is 0
        for every ``k``); ``tau`` not a finite number > 0; ``efficacy`` not a number in
        ``(floor, 1)`` (the ODE gives ``T > 0`` for every ``k > 0``, and with ``k -> infinity``
        each session saturates ``T`` at 1, which then recovers over ``gap`` to
        ``exp(-gap / tau)``: the lowest efficacy reachable is that recovery); ``bounds`` not two
        finite rates ``0 < lo < hi``, or whose efficacies do not bracket ``efficacy``, and ``tol``,
        ``max_iter`` out of range (:func:`~painsim.validation.bisection.bisect_parameter`).
    """
    _check_efficacy_inputs(x, calendar, session, efficacy, tau, bounds)
    day = calendar.days[session]

    def tolerance(log_k: float) -> float:  # T before the session: rises with k
        return float(tolerance_at(day, float(x), calendar, float(np.exp(log_k)), float(tau)))

    log_k, T, evals = bisect_parameter(tolerance, (float(np.log(bounds[0])), float(np.log(bounds[1]))),
                                       1.0 - efficacy, tol, max_iter, "tolerance rates", measured="tolerance states",
                                       units="")
    return float(np.exp(log_k)), 1.0 - T, tuple((float(np.exp(u)), 1.0 - t) for u, t in evals)


def _check_session(session, first: int, last: int | None = None) -> None:
    """Refuse a ``session`` that is not a whole number (an int or numpy integer, not a bool) from
    ``first`` to ``last`` (no upper limit when None), naming ``session``."""
    if (isinstance(session, bool) or not isinstance(session, (int, np.integer)) or session < first
            or (last is not None and session > last)):
        allowed = (f"a session index {first}..{last} (0-based)" if last is not None
                   else f"a 0-based session index, a whole number >= {first}")
        raise ParameterError("session", session, allowed)


def _check_efficacy_inputs(x, calendar, session, efficacy, tau, bounds) -> None:
    """The refusals of :func:`tolerance_rate_for_efficacy` (its Raises), before any evaluation."""
    if not (is_number(x) and 0 < x <= 1):
        raise ParameterError("x", x, "an excess occupancy in (0, 1] (a session that occupies receptors)")
    if not isinstance(calendar, Calendar):
        raise ParameterError("calendar", calendar, "a painsim.protocols.Calendar")
    _check_session(session, 1, len(calendar.days) - 1)
    if not (is_number(tau) and tau > 0):
        raise ParameterError("tau", tau, "a recovery time constant > 0 s (finite)")
    gap = max(0.0, (calendar.days[session] - calendar.days[session - 1]) * DAY - calendar.session_duration)
    floor = float(-np.expm1(-gap / tau))   # 1 - T with k -> infinity: T = 1 at the end of the session before
    if not (is_number(efficacy) and floor < efficacy < 1):
        raise ParameterError("efficacy", efficacy, f"a receptor efficacy in ({floor:.4g}, 1): with k -> infinity "
                             f"each session saturates T at 1 and it recovers to an efficacy of {floor:.4g} before "
                             f"session {session}, so no rate bounds bracket a lower one; efficacy 1 is k = 0")
    try:
        lo, hi = bounds
    except (TypeError, ValueError):
        lo = hi = None
    if not (is_number(lo) and is_number(hi) and 0 < lo < hi):
        raise ParameterError("bounds", bounds, "two finite tolerance rates 0 < lo < hi (1/s per unit occupancy)")


def opioid_ratio(model, efficacies: Sequence[float], seeds: Sequence[int] = TOLERANCE_SEEDS,
                 protocol: str = TOLERANCE_PROTOCOL) -> np.ndarray:
    """The naloxone-sensitive part of the acute remote TENS effect (47 °C at the painful site,
    ``protocol``'s stimulation at site 0, 1.5 s: the measurement of ``tens_naloxone_share``) with the
    mu receptors at each efficacy (:func:`painsim.tolerance.tolerant_model`), over that part at
    efficacy 1; means over ``seeds``, one batch.

    Parameters
    ----------
    model : str or Model
        The pathway (a name is loaded).
    efficacies : sequence of float
        Receptor efficacies in [0, 1].
    seeds : sequence of int
        Circuits averaged (default 1-4).
    protocol : str or Protocol
        The stimulation (default ``tens_conventional``).

    Returns
    -------
    ndarray
        One ratio per efficacy, in order.

    Raises
    ------
    painsim.errors.ParameterError
        An efficacy outside [0, 1] (:func:`painsim.tolerance.tolerant_model`); a model whose TENS
        effect has no naloxone-sensitive part (named ``model``); an unknown model or protocol name
        (UnknownKeyError), a sham protocol or no seeds (:func:`painsim.tolerance.acute_tens_effect`).
    """
    m = load_model(model) if isinstance(model, str) else model
    effect = remote_tens_effects(_opioid_references(m) + [tolerant_model(m, 1.0 - float(e)) for e in efficacies],
                           seeds, protocol)
    return _opioid_share(effect[2:], effect[:2], m)


def _opioid_references(m) -> list:
    """The naive model and the model under naloxone: the two ends of the opioid part."""
    return [m, m.with_params(NALOXONE)]


def remote_tens_effects(models, seeds, protocol) -> np.ndarray:
    """Mean PN reduction (Hz) over ``seeds`` by ``protocol``'s stimulation at site 0 of the response to
    47 °C heat at the painful site, 1.5 s, per model (the measurement of ``tens_naloxone_share``).

    Parameters
    ----------
    models : sequence of Model
        Loaded pathway models; each is run with every seed.
    seeds : sequence of int
        Circuits averaged.
    protocol : str or Protocol
        The stimulation (library name or :class:`painsim.protocols.Protocol`).

    Returns
    -------
    ndarray
        Per model, the mean PN rate with heat alone minus that with heat and stimulation, Hz.

    Raises
    ------
    painsim.errors.ParameterError
        An unknown protocol (UnknownKeyError), a sham or no seeds
        (:func:`painsim.tolerance.acute_tens_effect`).
    """
    pn = acute_tens_effect(models, protocol, seeds, test_site=0, celsius=47.0, test_duration="1.5 s").mean(axis=1)
    return pn[:, 0] - pn[:, 1]


def _opioid_share(effects, references, m) -> np.ndarray:
    """Opioid part of ``effects`` over the naive one, ``references`` = (naive, naloxone) effects."""
    naive, blocked = references
    if not naive - blocked > 0:
        raise ParameterError("model", m.name, "a model whose TENS effect has a naloxone-sensitive part")
    return (np.asarray(effects) - blocked) / (naive - blocked)


def undetectable_efficacy(model="healthy", seeds: Sequence[int] = TOLERANCE_SEEDS,
                          ratio: float = TOLERANCE_OPIOID_RATIO, bounds: tuple[float, float] = (0.3, 1.0),
                          tol: float = 0.02, max_iter: int = 8) -> tuple[float, float, tuple]:
    """The receptor efficacy at which the opioid part of the acute remote TENS effect is ``ratio``
    of the naive one (:func:`opioid_ratio`, which rises with the efficacy), by bisection within
    ``tol`` of ``ratio``: step 1 of the tolerance calibration (:data:`TOLERANCE_EFFICACY`).

    The stimulation is always :data:`TOLERANCE_PROTOCOL`'s.

    Parameters
    ----------
    model : str or Model
        The pathway (default ``"healthy"``; a name is loaded).
    seeds : sequence of int
        Circuits averaged (default 1-4).
    ratio : float
        Target share of the naive opioid part (default :data:`TOLERANCE_OPIOID_RATIO`, 0.1).
    bounds : (float, float)
        Efficacies, in [0, 1], whose ratios must bracket ``ratio``.
    tol, max_iter : float, int
        Stop within ``tol`` of ``ratio``, or after ``max_iter`` halvings.

    Returns
    -------
    efficacy : float
        The receptor efficacy found.
    achieved : float
        Its ratio.
    evaluations : tuple
        ``(efficacy, ratio)`` of every evaluation, in order.

    Raises
    ------
    painsim.errors.ParameterError
        The ratios at ``bounds`` do not bracket ``ratio``, or one at a midpoint is NaN
        (:func:`~painsim.validation.bisection.bisect_parameter`);
        a bound outside [0, 1]; a model whose TENS effect has no naloxone-sensitive part; an unknown model name
        (UnknownKeyError).
    """
    m = load_model(model) if isinstance(model, str) else model
    references = remote_tens_effects(_opioid_references(m), seeds, TOLERANCE_PROTOCOL)   # once, not per evaluation

    def share(e: float) -> float:
        return float(_opioid_share(remote_tens_effects([tolerant_model(m, 1.0 - e)], seeds, TOLERANCE_PROTOCOL),
                                   references, m)[0])

    return bisect_parameter(share, bounds, ratio, tol, max_iter, "receptor efficacies", measured="opioid ratios",
                            units="")


def calibrate_tolerance_rate(model="healthy", protocol: str = TOLERANCE_PROTOCOL,
                             seeds: Sequence[int] = TOLERANCE_SEEDS, session: int = TOLERANCE_SESSION,
                             efficacy: float = TOLERANCE_EFFICACY, x: float | None = None) -> ToleranceCalibration:
    """Fit ``dorsal_horn.opioid.tolerance_rate`` so the receptor efficacy before the 5th daily
    20-min session of ``protocol``'s stimulation is ``efficacy``: repeated daily TENS (20 min)
    reverses hyperalgesia on days 1-4 and not on day 5 in rats (Sato, Sanada, Rakel & Sluka 2012
    J Pain 13:884 [checked: abstract]; "a diminution in its effectiveness ... by the fourth day",
    Chandran & Sluka 2003 Pain 102:195 [checked: abstract]), and in healthy humans its effect on
    pressure pain thresholds is no longer different from placebo by day 5 (Liebano et al. 2011
    Pain 152:335 [checked: abstract]).

    Parameters
    ----------
    model : str or Model
        The model (default the healthy pathway, as ``naloxone_share_of_tens``).
    protocol : str or Protocol
        The session's stimulation (default ``tens_conventional``), given daily for
        :data:`TOLERANCE_SESSION_S` (the calendar of the studies, not the protocol's own).
    seeds : sequence of int
        Circuits whose excess occupancies are averaged (default 1-4).
    session : int
        0-based index of the daily session before which the efficacy is fitted (default 4: the 5th).
    efficacy : float
        Target efficacy in (0, 1) (default :data:`TOLERANCE_EFFICACY`: where the opioid effect is
        no longer detectable, :func:`undetectable_efficacy`).
    x : float, optional
        The mean excess occupancy, if already measured (skips the simulations).

    Returns
    -------
    ToleranceCalibration

    Raises
    ------
    painsim.errors.ParameterError
        ``efficacy`` outside (0, 1); an unknown model or protocol name (UnknownKeyError); a mean
        excess occupancy <= 0 (e.g. a sham protocol), ``session`` 0, or an efficacy the rate
        bounds do not bracket (:func:`tolerance_rate_for_efficacy`).
    painsim.errors.CalendarError
        ``session`` < 0.
    """
    m = load_model(model) if isinstance(model, str) else model
    if not 0 < efficacy < 1:
        raise ParameterError("efficacy", efficacy, "a receptor efficacy in (0, 1)")
    proto = get_protocol(protocol)
    per_seed = (float(x),) if x is not None else tuple(float(v) for v in excess_occupancy(m, proto, seeds))
    xm = float(np.mean(per_seed))
    _, tau = tolerance_params(m)
    k, achieved, evals = tolerance_rate_for_efficacy(xm, tolerance_calendar(session), session, efficacy, tau)
    return ToleranceCalibration(k, xm, per_seed, efficacy, achieved, evals)
