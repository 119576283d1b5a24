"""Calibration of cohort distribution parameters to published targets
(:func:`calibrate`): common random numbers make the simulated statistics a
deterministic function of the parameters, minimised with :func:`scipy.optimize.minimize` in
the unit box of the parameter bounds.  The function is piecewise constant, not smooth: a
responder rate (and an odds ratio of responders) changes only when a patient crosses the
threshold, so it is a step function with plateaus; the fit starts from a wide simplex
(:data:`SIMPLEX_SPAN`) and reports no success unless every target is met within the sampling
error of its statistic (:data:`MISS_Z`).

The published targets are :data:`painsim.cohort.PUBLISHED` (``ps.cohort.PUBLISHED``), defined in
the module :mod:`painsim.cohort.statistics` (``from painsim.cohort.statistics import PUBLISHED``);
``ps.cohort.statistics`` itself is the function :func:`painsim.cohort.statistics`, which has no
such attribute."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
from scipy.optimize import minimize
from scipy.stats import norm

from ..checks import known_keys, number, whole
from ..errors import ParameterError, SpecError
from ..parallel import strict_jsonable
from ..rng import checked_seed
from .distributions import get_parameter, has_parameter, resolve_distributions, set_parameter
from .sampling import sample
from .statistics import PUBLISHED, odds_ratio, responder_flags

__all__ = ["CalibrationResult", "calibrate", "default_weight", "registry_rows", "TARGET_STATISTICS", "SOURCE",
           "SIMPLEX_SPAN", "MISS_Z", "sampling_error"]

#: Span of Nelder-Mead's first simplex, as a share of each parameter's declared range (the unit box
#: of its bounds): each further vertex lies this far from the start along one axis, towards the inside.
#: Chosen: a quarter of the range.  Under common random numbers a responder rate of ``n`` patients is
#: a step function of the parameters; a simplex whose vertices all lie on one plateau sees a flat
#: loss and shrinks onto its start (5 % of the range did, on a rate 0.39 from its target: no patient
#: crossed the threshold between the vertices).  A quarter moves a Beta mean by 0.23 over
#: (0.05, 0.98), enough to move many patients across a threshold, and keeps the first vertices inside
#: the range from any start (half would put them on a bound from a start in the middle).
SIMPLEX_SPAN = 0.25
#: Standard errors within which an achieved statistic counts as meeting its target (chosen: 1.96, a
#: two-sided 95 % band: a miss beyond it is a difference the cohort's sampling error does not explain).
MISS_Z = float(norm.ppf(0.975))

@dataclass
class CalibrationResult:
    """What :func:`calibrate` found.

    Parameters
    ----------
    fitted : dict
        Distribution parameter -> fitted value.
    start : dict
        The starting values.
    targets, achieved : dict
        Target statistics and the values at the fitted parameters.
    mismatch : dict
        ``achieved - target`` per statistic (odds ratios on the log scale); NaN (None in
        :meth:`to_dict`) where the simulated cohort gives no finite statistic (a zero or infinite
        odds ratio, a rate without evaluable patients), as ``message`` says: the loss scores such a
        point with a distance of 10, which is no difference of statistics.
    loss : float
        The objective at the optimum.
    distributions : dict
        The fitted distributions (pass to :func:`sample` via ``distributions``).
    success : bool
        Whether the optimiser (:func:`scipy.optimize.minimize`) converged AND every target of
        weight > 0 is met: each achieved statistic within :data:`MISS_Z` sampling standard errors
        (``standard_errors``, of the simulated cohort at its ``n``) of its target.  A fit that
        converged (e.g. on a plateau of a step function) but misses a target is no success, and
        ``message`` says which target it misses.  The criterion asks whether the optimiser reached
        the target as closely as ``n`` simulated patients can tell, not whether the fit agrees with
        the published cohort (whose own interval is not part of it): a small ``n`` tells little.
    nfev : int
        Evaluations of the objective.
    message : str
        The optimiser's message, then each missed target, each mismatch that is not defined and
        each parameter fitted at a bound of its range.
    weights : dict
        The weight of each target in the loss (given, or :func:`default_weight`).
    fitted_targets : dict
        Each fitted statistic -> the validation registry's row that publishes it
        (:data:`painsim.cohort.PUBLISHED` ``row``; None: no row).  A row named here is
        calibrated by this fit: agreement on it is a check, not a prediction.
    held_out : dict
        The published statistics of the cohort's source (:data:`PUBLISHED`) not fitted -> their
        registry row (or None): what this fit leaves to be predicted.
    standard_errors : dict
        Each fitted statistic -> the sampling standard error of its achieved value at ``n``
        patients (:func:`sampling_error`; odds ratios on the log scale), the scale of its miss.

    :meth:`to_dict` gives all of it but ``distributions`` as JSON-able values, to be saved with
    the fit's result (e.g. ``json.dumps(result.to_dict())`` in a file's attributes).
    """

    fitted: dict
    start: dict
    targets: dict
    achieved: dict
    mismatch: dict
    loss: float
    distributions: dict = field(repr=False)
    success: bool = True
    nfev: int = 0
    message: str = ""
    weights: dict = field(default_factory=dict)
    fitted_targets: dict = field(default_factory=dict)
    held_out: dict = field(default_factory=dict)
    standard_errors: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The result as strict JSON values (numbers, strings, None, lists and dicts of them):
        ``json.dumps(result.to_dict(), allow_nan=False)`` writes it.

        Returns
        -------
        dict
            Every field but ``distributions`` (objects; the fitted parameters are in ``fitted``),
            with ``fitted_targets`` and ``held_out`` (which registry rows this fit calibrated and
            which it left held out) and ``source`` (the published cohort).  A NaN or infinite
            number (an infinite achieved odds ratio, a mismatch that is not defined) is None
            (:func:`painsim.parallel.strict_jsonable`).
        """
        out = {k: getattr(self, k) for k in ("fitted", "start", "targets", "achieved", "mismatch", "loss",
                                              "success", "nfev", "message", "weights", "fitted_targets",
                                              "held_out", "standard_errors")}
        return {**strict_jsonable(out), "source": SOURCE}


#: The published cohort whose statistics :data:`PUBLISHED` holds.
SOURCE = "Eur J Pain 2025;29:e4763"


def calibrate(simulate: Callable, targets: Mapping[str, float] | None = None,
              parameters: Mapping[str, tuple[float, float]] | None = None, n: int = 400, seed: int = 0,
              preset: str | None = "default", distributions: Mapping | None = None,
              weights: Mapping[str, float] | None = None, method: str = "Nelder-Mead",
              maxiter: int = 200) -> CalibrationResult:
    """Fit cohort distribution parameters so that simulated statistics match targets.

    Parameters
    ----------
    simulate : callable
        ``simulate(table) -> table`` with a ``relief`` column (and
        ``responder_*``), e.g. ``lambda t: cohort.run(t, protocol)``, or a
        cheap surrogate.
    targets : dict, optional
        Statistic -> target value; statistics: ``responder_rate_30``,
        ``responder_rate_50``, ``mean_relief``, ``or_central_vs_peripheral``,
        ``or_ischemic_vs_hemorrhagic``.  Default: the published targets
        (:data:`PUBLISHED`).
    parameters : dict, optional
        Distribution parameter -> (low, high) bounds, named
        ``"<attribute>[.<group>].<parameter>"`` (e.g.
        ``"descending_integrity.hemorrhagic.mean"``).  Default: the means of
        descending integrity in peripheral, ischemic and hemorrhagic patients.
    n : int
        Patients per evaluation.  The same uniform numbers are used at every
        evaluation (common random numbers), so the objective is a
        deterministic function of the parameters, but a piecewise-constant
        one: a responder rate changes in steps of ``1 / n`` when a patient
        crosses the threshold, flat in between (zero gradients for a gradient
        method; a plateau a small simplex cannot leave).  ``n`` also sets the
        sampling error within which a target counts as met (``success``).
    seed : int
        Seed of the cohort draw.
    preset : str, optional
        The named cohort whose distributions the fit starts from (:data:`painsim.cohort.PRESETS`,
        as in :func:`painsim.cohort.sample`).
    distributions : dict, optional
        Replacements of the preset's distributions, as :func:`painsim.cohort.sample` takes them.
    weights : dict, optional
        Weight of each statistic in the squared-error loss (odds ratios are
        compared on the log scale).  Default: :func:`default_weight`, the
        inverse variance of the published estimate (so that a miss by one
        standard error costs the same in every target), 1 for a statistic
        without a published uncertainty (give its weight when combining it
        with others).  Only statistics of ``targets``, not all 0.
    method : str
        A bounded method of :func:`scipy.optimize.minimize`.  Nelder-Mead (the default) starts
        from a simplex spanning :data:`SIMPLEX_SPAN` of each parameter's range; with a step
        function a gradient method (L-BFGS-B, TNC, SLSQP) usually stops at its start, which the
        ``success`` check then reports.
    maxiter : int
        Maximum iterations, passed as the method's own limit: ``maxiter``, but for TNC, which has
        no iteration limit, ``maxfun`` (evaluations of the loss and its gradient).

    Returns
    -------
    CalibrationResult
        ``success`` only when the optimiser converged and every achieved statistic lies within
        :data:`MISS_Z` (1.96) sampling standard errors of its target.

    Raises
    ------
    painsim.errors.ParameterError
        Before the first simulation: ``simulate`` not callable; ``n`` not a whole number >= 1;
        ``seed`` not a whole number >= 0; a target out of its range (a responder rate outside
        [0, 1], e.g. 42 for 42 %; a mean relief above 1; an odds ratio not > 0) or not a number;
        a weight not a number >= 0, a weight of a statistic that is not a target, or every
        weight 0 (``weights``); ``maxiter`` not a whole number >= 1;
        ``method`` not a bounded method of :func:`scipy.optimize.minimize`.  At the first
        evaluation: the draw or ``simulate`` refusing the starting point (its own error).
    painsim.errors.SpecError
        Before the first simulation: no target or no parameter to fit, bounds that are not a pair
        ``(low, high)`` of numbers with ``low < high`` (named ``parameters.<name>``), or a bound
        outside the values the parameter's distribution accepts (e.g. a Beta mean of 1.2 or of 0).
    painsim.errors.UnknownKeyError
        An unknown target statistic (of ``targets`` or ``weights``), distribution parameter,
        preset or attribute.

    Warns
    -----
    UserWarning
        A target whose published figure is a held-out prediction of the validation registry
        (:data:`PUBLISHED` ``row`` with status "prediction", e.g. ``responder_rate_30`` of row
        ``rtms_responders``; also with ``targets=None``), naming the row: once fitted, agreement
        on that row is a check of the fit, no longer a held-out prediction.  A warning, not a
        refusal: fitting the trial's figures is this function's purpose (the row's note says the
        cohort is "not yet calibrated"), and a fit is exploration until its distributions are
        shipped; the project rule (calibration declared, the rest held out) is kept by saying
        which rows a fit calibrates, here and in the result's ``fitted_targets`` and ``held_out``
        (:meth:`CalibrationResult.to_dict`, to be saved with it), and by moving a row to
        "calibrated" in :mod:`painsim.validation.targets` when fitted distributions ship.
    UserWarning
        An optimiser that converged on a fit that misses a target (beyond :data:`MISS_Z` standard
        errors, or no finite statistic): ``success`` is False and the warning names the target,
        its achieved value and the distance in standard errors.  (An optimiser that did not
        converge, e.g. at ``maxiter``, reports ``success`` False already; its ``message`` names the
        missed targets too.)

    Notes
    -----
    Each parameter starts at its value in the distributions (``preset`` and ``distributions``);
    a value outside its bounds starts at the nearer bound (reported in ``start``).  The
    optimiser works in the unit box of the bounds (Nelder-Mead unbounded, on the box folded at
    its faces: 1.2 is 0.8), so it proposes only values within them, which
    the checks above make valid; a point whose draw or ``simulate`` still raises a
    :class:`painsim.errors.ParameterError` is scored 1e6 (a barrier the optimiser turns away from)
    instead of ending the fit; the start point's error is raised (a fit that cannot evaluate its
    start, e.g. odds-ratio targets on a preset without those groups, would report 1e6 as its
    optimum).
    """
    targets = _targets(targets)
    weights = _weights(weights, targets)
    _check_run(simulate, n, seed, method, maxiter)
    fitted_targets, held_out = registry_rows(targets)
    if parameters is None:
        parameters = {"descending_integrity.peripheral.mean": (0.05, 0.98),
                      "descending_integrity.ischemic.mean": (0.05, 0.98),
                      "descending_integrity.hemorrhagic.mean": (0.05, 0.98)}
    if not isinstance(parameters, Mapping) or not parameters:
        raise SpecError("parameters", parameters, "at least one distribution parameter to fit, "
                                                  "{name: (low, high)}")
    dists, _ = resolve_distributions(preset, distributions)
    names, x0, lo, hi = _start(dists, parameters)
    objective = _Objective(simulate, dists, names, lo, hi, targets, weights, n, seed)
    z0 = (x0 - lo) / (hi - lo)
    objective(z0, raise_refusal=True)  # a start the simulation refuses is an error, not a 1e6 "optimum"
    # optimise in the unit box of the bounds; Nelder-Mead from a simplex spanning SIMPLEX_SPAN of each
    # range, unbounded on the box folded at its faces (_fold): scipy's bounded Nelder-Mead clips a
    # reflection that overshoots a bound onto it, and the simplex collapsed there (a wide simplex
    # overshoots from a start near a bound), short of an optimum between the start and the bound
    nm = isinstance(method, str) and method.lower() == "nelder-mead"
    res = minimize(lambda w: objective(_fold(w) if nm else w)[0], z0, method=method,
                   bounds=None if nm else [(0, 1)] * len(names), options=_options(method, maxiter, z0))
    z = _fold(res.x) if nm else np.clip(res.x, 0, 1)
    loss, achieved, table = objective(z)
    errors = {} if table is None else {t: sampling_error(table, t, targets[t]) for t in targets}
    x = lo + z * (hi - lo)
    mismatch = {t: _discrepancy(t, achieved.get(t, np.nan), targets[t], barrier=math.nan) for t in targets}
    notes = _misses({t: v for t, v in targets.items() if weights.get(t, 1.0) > 0}, achieved, mismatch, errors, n)
    pinned = [f"{k} is fitted at a bound of its range ({v:g})" for k, v, zk in zip(names, x, z) if zk in (0.0, 1.0)]
    if notes and res.success:
        warnings.warn(f"cohort.calibrate: the optimiser converged ({res.message}) but the fit misses its "
                      f"target: {'; '.join(notes)}; success is False", UserWarning, stacklevel=2)
    return CalibrationResult(
        fitted=dict(zip(names, map(float, x))), start=dict(zip(names, map(float, x0))), targets=dict(targets),
        achieved=achieved, mismatch=mismatch, loss=float(loss), distributions=objective.dists_at(x),
        success=bool(res.success) and not notes, nfev=int(res.nfev),
        message="; ".join([str(res.message), *notes, *pinned]), weights=weights, fitted_targets=fitted_targets,
        held_out=held_out, standard_errors={t: errors.get(t, math.nan) for t in targets})


def _options(method, maxiter: int, z0: np.ndarray) -> dict:
    """The options of :func:`scipy.optimize.minimize` for ``method``: its own limit for ``maxiter``
    (TNC has none of iterations: its ``maxfun`` limits evaluations; scipy only warns of an unknown
    option, and TNC ran to its default limit); for Nelder-Mead the initial simplex (scipy's default
    spans 5 % of the start's value: nothing at all for a start at the lower bound)."""
    if isinstance(method, str) and method.lower() == "nelder-mead":
        return {"maxiter": maxiter, "xatol": 1e-4, "fatol": 1e-10, "initial_simplex": _simplex(z0)}
    if isinstance(method, str) and method.lower() == "tnc":
        return {"maxfun": maxiter}
    return {"maxiter": maxiter}


def sampling_error(table, statistic: str, target: float) -> float:
    """The sampling standard error of a statistic of a simulated cohort of ``len(table)`` patients,
    against which :func:`calibrate` judges whether it meets its target.

    Parameters
    ----------
    table : pandas.DataFrame
        The simulated cohort (a ``relief`` column).
    statistic : str
        One of :data:`TARGET_STATISTICS`.
    target : float
        Its target.

    Returns
    -------
    float
        A responder rate: the binomial SE at the target, ``sqrt(t (1 - t) / n)`` with ``n`` the
        evaluable patients, at least half a step ``1 / (2 n)`` (a share of ``n`` patients comes in
        steps of ``1 / n``: a target between two steps is met by the nearer); a mean relief: its
        SD over ``sqrt(n)``; an odds ratio: the SE of its logarithm (the Wald interval of
        :func:`painsim.cohort.odds_ratio`, the scale of its mismatch).  NaN without one (no
        evaluable patient, a separated odds ratio).
    """
    known_keys({statistic: None}, TARGET_STATISTICS, "calibration target")
    if statistic.startswith("responder_rate"):
        k = responder_flags(table, 0.3 if statistic == "responder_rate_30" else 0.5).size
        return max(math.sqrt(target * (1 - target) / k), 0.5 / k) if k else math.nan
    if statistic == "mean_relief":
        r = np.asarray(table["relief"], float)
        r = r[np.isfinite(r)]
        return float(r.std(ddof=1) / math.sqrt(r.size)) if r.size > 1 else math.nan
    by, lv, ref = _OR_GROUPS[statistic]
    o = odds_ratio(table, by, lv, ref)
    if not (o["ci_low"] > 0 and math.isfinite(o["ci_high"])):
        return math.nan
    return (math.log(o["ci_high"]) - math.log(o["ci_low"])) / (2 * MISS_Z)  # odds_ratio's ci = 0.95


def _misses(targets, achieved, mismatch, errors, n) -> list[str]:
    """What keeps a fit from success: a target without a finite statistic (its mismatch is not
    defined; the loss scored it as 10) or one further than :data:`MISS_Z` standard errors from it."""
    notes = []
    for t, target in targets.items():
        d, se = mismatch[t], errors.get(t, math.nan)
        scale = " on the log scale" if t.startswith("or_") else ""
        if not math.isfinite(d):
            notes.append(f"{t} is not attained: achieved {achieved.get(t, math.nan)!r}, no finite statistic "
                         "(its mismatch is NaN; the loss scored it as a distance of 10)")
        elif d != 0 and not math.isfinite(se):
            notes.append(f"{t} misses its target {target:g}: achieved {achieved[t]:.4g}, and its sampling "
                         f"error at n = {n} patients is not defined (too few evaluable patients)")
        elif not abs(d) <= MISS_Z * se:
            notes.append(f"{t} misses its target {target:g}: achieved {achieved[t]:.4g}, "
                         f"{abs(d) / se if se > 0 else math.inf:.3g} sampling standard errors away "
                         f"(SE {se:.3g}{scale} at n = {n} patients; met within {MISS_Z:.2f})")
    return notes


def registry_rows(targets) -> tuple[dict, dict]:
    """Which rows of the validation registry a fit of ``targets`` calibrates and which it leaves
    held out, warning for each fitted row the registry holds out (status "prediction").

    Parameters
    ----------
    targets : iterable of str
        The fitted statistics (:data:`TARGET_STATISTICS`).

    Returns
    -------
    fitted_targets, held_out : dict
        Fitted statistic -> its registry row (:data:`PUBLISHED` ``row``; None for a statistic
        without one); the published statistics not fitted -> their row (or None).

    Warns
    -----
    UserWarning
        Per fitted statistic whose registry row is a held-out prediction.
    """
    fitted = {t: PUBLISHED.get(t, {}).get("row") for t in targets}
    for t, row in fitted.items():
        if row is not None and PUBLISHED[t].get("status") == "prediction":
            warnings.warn(f"cohort.calibrate: fitting {t}, the statistic of validation row {row!r} "
                          f"(published {PUBLISHED[t]['value']:g}, {SOURCE}), a held-out prediction "
                          "(painsim.validation.targets); once fitted it is no longer a held-out prediction "
                          "but a check of the calibration (the result's fitted_targets names it)",
                          UserWarning, stacklevel=3)
    return fitted, {k: v.get("row") for k, v in PUBLISHED.items() if k not in fitted}


def _fold(w: np.ndarray) -> np.ndarray:
    """``w`` (any real numbers) folded into the unit box: reflected at 0 and 1 as often as needed
    (1.2 -> 0.8, -0.3 -> 0.3, 2.5 -> 0.5): continuous, and the identity inside the box."""
    r = np.mod(np.asarray(w, float), 2.0)
    return np.where(r > 1.0, 2.0 - r, r)


def _simplex(z0: np.ndarray, span: float = SIMPLEX_SPAN) -> np.ndarray:
    """Nelder-Mead's initial simplex in the unit box: ``z0`` and ``z0 ± span`` along each axis
    (towards the box's inside)."""
    vertices = [z0]
    for k in range(z0.size):
        v = z0.copy()
        v[k] = v[k] + span if v[k] + span <= 1 else v[k] - span
        vertices.append(v)
    return np.array(vertices)


def default_weight(statistic: str) -> float:
    """The default weight of a calibration target: the inverse variance of its published estimate
    (:data:`painsim.cohort.PUBLISHED`): a responder rate's binomial variance at the
    published cohort size, an odds ratio's from its 95 % interval on the log scale (the scale its
    discrepancy is taken on); 1 for a statistic without a published uncertainty.

    Parameters
    ----------
    statistic : str
        One of :data:`TARGET_STATISTICS`.

    Returns
    -------
    float
        ``1 / SE**2``, or 1.
    """
    known_keys({statistic: None}, TARGET_STATISTICS, "calibration target")
    pub = PUBLISHED.get(statistic)
    if pub is None:
        return 1.0
    if pub.get("ci"):
        lo, hi = pub["ci"]
        se = (math.log(hi) - math.log(lo)) / (2 * norm.ppf(0.975))
    elif pub.get("n"):
        se = math.sqrt(pub["value"] * (1 - pub["value"]) / pub["n"])
    else:
        return 1.0
    return 1.0 / se ** 2


#: Scipy's methods that take bounds (:func:`scipy.optimize.minimize`), in lower case.
BOUNDED_METHODS = ("nelder-mead", "l-bfgs-b", "tnc", "slsqp", "powell", "trust-constr", "cobyla", "cobyqa")


def _check_run(simulate, n, seed, method, maxiter) -> None:
    """Refuse, before the first simulation, what would fail late or make every evaluation fail
    (``n = 0``: each draw refused and scored as a failure, the optimiser running on a constant)."""
    if not callable(simulate):
        raise ParameterError("simulate", simulate, "a function simulate(table) -> table with a relief column, "
                                                   "e.g. lambda t: cohort.run(t, protocol)")
    whole(n, "n")
    checked_seed(seed)
    whole(maxiter, "maxiter")
    if not (method is None or callable(method) or (isinstance(method, str) and method.lower() in BOUNDED_METHODS)):
        raise ParameterError("method", method, "a bounded method of scipy.optimize.minimize: "
                                               + ", ".join(BOUNDED_METHODS))


def _targets(targets: Mapping[str, float] | None) -> dict:
    """The target statistics (default: the published ones), names and values checked: a responder
    rate in [0, 1] (not a percentage), a mean relief (a fraction) <= 1, an odds ratio > 0."""
    if targets is not None and not isinstance(targets, Mapping):
        raise ParameterError("targets", targets, 'a dict of statistics, e.g. {"responder_rate_30": 0.42}')
    targets = dict(targets) if targets is not None else {k: v["value"] for k, v in PUBLISHED.items()}
    known_keys(targets, TARGET_STATISTICS, "calibration target")
    if not targets:
        raise SpecError("targets", targets, f"at least one target statistic: {', '.join(TARGET_STATISTICS)}")
    for k, v in targets.items():
        if k.startswith("responder_rate"):
            number(v, f"targets.{k}", 0.0, 1.0, allowed="a share of patients in [0, 1] (0.42, not 42)")
        elif k.startswith("or_"):
            number(v, f"targets.{k}", 0.0, lo_open=True, allowed="an odds ratio > 0 (finite)")
        else:
            number(v, f"targets.{k}", hi=1.0, allowed="a mean relief as a fraction <= 1 (0.3, not 30)")
    return targets


def _weights(weights: Mapping[str, float] | None, targets: Mapping[str, float]) -> dict:
    """The weight of each target statistic: the numbers >= 0 given by statistic, else
    :func:`default_weight`.  A misspelt statistic is refused, and so are a weight of a statistic
    that is not among ``targets`` (it was dropped without a word) and weights that are all 0 (a
    loss of 0 everywhere: the fit would stop at its start, reporting success)."""
    if weights is None:
        weights = {}
    if not isinstance(weights, Mapping):
        raise ParameterError("weights", weights, 'a dict of weights by target, e.g. {"responder_rate_30": 2}')
    known_keys(weights, TARGET_STATISTICS, "weight of a calibration target")
    given = {k: number(v, f"weights.{k}", lo=0.0) for k, v in weights.items()}
    if extra := [k for k in given if k not in targets]:
        raise ParameterError("weights", dict(weights), f"weights of the targets only ({', '.join(targets)})",
                             hint=f"{', '.join(extra)} is not a target: add it to targets, or drop its weight")
    out = {t: given.get(t, default_weight(t)) for t in targets}
    if not any(w > 0 for w in out.values()):
        raise ParameterError("weights", dict(weights), "at least one weight > 0 (with every weight 0 the loss "
                                                       "is 0 at any parameters: nothing is fitted)")
    return out


def _start(dists: Mapping, parameters: Mapping) -> tuple[list, np.ndarray, np.ndarray, np.ndarray]:
    """(names, start values within the bounds, low bounds, high bounds) of the fitted parameters.

    A start is the parameter's value in ``dists``; one outside its bounds starts at the nearer bound
    (a fit restricted to a range that excludes the preset's value is allowed).  Bounds are refused
    when inverted or when either lies outside the values the parameter's distribution accepts (points
    past such a bound were scored 1e6 silently; with both out, the fit ended refusing its own result)."""
    names = list(parameters)
    for k, b in parameters.items():  # (low, high): numbers, a pair (a third number is no bound)
        if isinstance(b, (str, bytes, Mapping)) or not hasattr(b, "__len__") or len(b) != 2:
            raise SpecError(f"parameters.{k}", b, "bounds (low, high), e.g. (0.05, 0.98)")
        for v in b:
            number(v, f"parameters.{k}", allowed="bounds (low, high) that are finite numbers")
        if not b[0] < b[1]:
            raise SpecError(f"parameters.{k}", tuple(b), "bounds (low, high) with low < high")
    start = {k: float(get_parameter(dists, k)) if has_parameter(dists, k) else None for k in names}
    for k in names:
        set_parameter(dists, k, start[k] if start[k] is not None else np.mean(parameters[k]))  # validates names
        for v in parameters[k]:  # each distribution checks its parameters one by one: both bounds suffice
            try:
                set_parameter(dists, k, float(v))
            except ParameterError as e:
                raise SpecError(f"parameters.{k}", tuple(parameters[k]), f"bounds within the values {k} "
                                f"accepts: {e.allowed}", hint=f"{float(v)!r} is not") from None
        set_parameter(dists, k, start[k] if start[k] is not None else np.mean(parameters[k]))  # as it was
    x0 = np.array([start[k] if start[k] is not None else np.mean(parameters[k]) for k in names])
    lo = np.array([parameters[k][0] for k in names], float)
    hi = np.array([parameters[k][1] for k in names], float)
    return names, np.clip(x0, lo, hi), lo, hi


class _Objective:
    """The calibration loss at a point of the unit box, cached: (loss, achieved statistics)."""

    def __init__(self, simulate, dists, names, lo, hi, targets, weights, n, seed):
        self.simulate, self.dists, self.names, self.lo, self.hi = simulate, dists, names, lo, hi
        self.targets, self.weights, self.n, self.seed = targets, weights, n, seed
        self.cache: dict = {}

    def dists_at(self, x) -> dict:
        """The distributions with the fitted parameters at ``x``."""
        d = dict(self.dists)
        for k, v in zip(self.names, x):
            d = set_parameter(d, k, float(v))
        return d

    def __call__(self, z, raise_refusal: bool = False):
        """(loss, achieved statistics, the simulated table or None) at ``z``; the sampling errors
        are computed from the table of the fit alone (they cost a second regression per odds ratio)."""
        z = np.clip(z, 0, 1)
        key = tuple(np.round(z, 12))
        if key not in self.cache:
            x = self.lo + z * (self.hi - self.lo)
            targets = self.targets
            try:
                table = self.simulate(sample(self.n, seed=self.seed, _dists=self.dists_at(x)))
                achieved = {t: _stat(table, t) for t in targets}
                loss = sum(self.weights.get(t, 1.0) * _discrepancy(t, achieved[t], targets[t]) ** 2
                           for t in targets)
            except ParameterError:
                if raise_refusal:
                    raise
                achieved, loss, table = {}, 1e6, None
            self.cache[key] = (loss, achieved, table)
        return self.cache[key]


#: Statistics :func:`calibrate` can fit.
TARGET_STATISTICS = ("responder_rate_30", "responder_rate_50", "or_central_vs_peripheral",
                     "or_ischemic_vs_hemorrhagic", "mean_relief")


def _stat(table, name: str) -> float:
    if name in ("responder_rate_30", "responder_rate_50"):
        flags = responder_flags(table, 0.3 if name == "responder_rate_30" else 0.5)
        return float(flags.mean()) if flags.size else math.nan  # no evaluable patient: no rate
    if name == "mean_relief":
        return float(np.nanmean(table["relief"]))
    by, lv, ref = _OR_GROUPS[name]
    r = odds_ratio(table, by, lv, ref)
    return r["odds_ratio"]


#: The compared groups of each odds-ratio statistic: (column, level, reference).
_OR_GROUPS = {"or_central_vs_peripheral": ("etiology", "central", "peripheral"),
              "or_ischemic_vs_hemorrhagic": ("stroke_type", "ischemic", "hemorrhagic")}


def _discrepancy(name: str, achieved: float, target: float, barrier: float = 10.0) -> float:
    """The target's error: on the log scale for an odds ratio; ``barrier`` for a statistic the
    simulated cohort cannot give (a zero or infinite odds ratio, a NaN rate of a cohort without
    evaluable patients): 10 in the loss (far beyond any attainable error, so that the optimiser
    turns away from it), NaN in the reported mismatch (10 is no difference of statistics)."""
    if name.startswith("or_"):
        if not (achieved > 0 and math.isfinite(achieved)):
            return barrier
        return math.log(achieved) - math.log(target)
    if not math.isfinite(achieved):
        return barrier
    return achieved - target
