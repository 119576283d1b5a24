"""Trial statistics of a cohort, pure functions of a patient table (tested on
synthetic tables with known answers): responder rates with Wilson intervals,
relief summaries, odds ratios from a logistic regression (IRLS, Wald
intervals) or a 2x2 table (Woolf), the comparison with the published cohort,
and how much of an outcome's variance each attribute accounts for
(:func:`sensitivity`: associations, not causes).

Responder: relief >= threshold (IMMPACT: >= 30 % moderately, >= 50 %
substantially important; Dworkin 2008 J Pain 9:105), through
:func:`painsim.readouts.responders`.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..checks import number, whole
from ..errors import ParameterError, UnknownKeyError
from ..readouts import responders
from ..rng import checked_seed
from ..sensitivity import salib_indices
from .regression import _adjusted_design, _level, logistic_regression
from .sampling import PATIENT_TO_MODEL, checked_table

__all__ = ["format_estimate", "PUBLISHED", "wilson_interval", "responder_flags", "responder_rates", "relief_summary",
           "logistic_regression", "odds_ratio_2x2", "odds_ratio", "statistics", "sensitivity"]

#: Published targets of the real-world 20 Hz M1 rTMS cohort (docs/references.md:
#: Eur J Pain 2025;29:e4763, n = 193, 4-session test period): the one copy of these figures in the
#: cohort layer.  ``row`` names the row of the validation registry (:mod:`painsim.validation.targets`)
#: that holds the same published figure (None: the registry has no row for it), ``status`` that row's
#: status there ("prediction": held out; None without a row): :func:`painsim.cohort.calibrate` warns
#: when it fits a statistic whose row is a prediction.  The registry lies in a higher layer, which
#: the cohort may not import, so tests/test_calibration_held_out.py asserts that each named row has
#: this value and this status (moving a row to "calibrated" there fails it until it is moved here).
PUBLISHED: dict[str, dict] = {
    "responder_rate_30": {"value": 0.42, "ci": None, "n": 193,
                          "source": "Eur J Pain 2025;29:e4763: 42 % report > 30 % relief after 4 sessions",
                          "row": "rtms_responders", "status": "prediction"},
    "or_central_vs_peripheral": {"value": 2.03, "ci": (1.04, 4.00),
                                 "source": "Eur J Pain 2025;29:e4763", "row": None, "status": None},
    "or_ischemic_vs_hemorrhagic": {"value": 3.36, "ci": (1.17, 10.05),
                                   "source": "Eur J Pain 2025;29:e4763 (post-stroke pain)", "row": None,
                                   "status": None},
}


def _threshold(threshold, name: str = "threshold") -> float:
    """A relief threshold: a fraction in (0, 1] (a text, a boolean or NaN refused by name)."""
    return number(threshold, name, lo=0.0, hi=1.0, lo_open=True,
                  allowed="a fraction of relief in (0, 1], e.g. 0.3 for 30 %")


def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n`` (Newcombe 1998, method 3).

    Returns (nan, nan) for ``n = 0``.

    Parameters
    ----------
    k, n : int
        Successes (responders) and trials (patients).
    level : float
        Confidence level.

    Returns
    -------
    tuple of float
        ``(low, high)``, within [0, 1]; ``low`` exactly 0 for ``k = 0`` and ``high`` exactly 1
        for ``k = n``.

    Raises
    ------
    painsim.errors.ParameterError
        ``n`` or ``k`` not a whole number >= 0, ``k`` above ``n``, or ``level`` not strictly
        between 0 and 1.
    """
    n = whole(n, "n", 0, allow_float=True)
    k = whole(k, "k", 0, allow_float=True)
    level = _level(level)
    if not 0 <= k <= n:  # before n = 0's NaN: k = 5 of n = 0 is a mistake, not an empty cohort
        raise ParameterError("k", k, f"a count between 0 and n = {n}")
    if n == 0:
        return float("nan"), float("nan")
    z = norm.ppf(0.5 + level / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # exact at the ends (centre - half is 0 for k = 0 only up to rounding: 5.55e-17 for 0 of 3)
    low = 0.0 if k == 0 else float(min(max(0.0, centre - half), 1.0))
    high = 1.0 if k == n else float(max(min(1.0, centre + half), 0.0))
    return low, high


def responder_flags(table, threshold: float, relief: str = "relief") -> np.ndarray:
    """Responder flags of a table's patients: from its ``relief`` column (patients
    without a relief left out), else from its ``responder_<pct>`` column, which
    answers only its own threshold (``<pct>`` / 100).

    Parameters
    ----------
    table : pandas.DataFrame
        With a ``relief`` column (fraction, 0.3 = 30 %) or a ``responder_<pct>`` column.
    threshold : float
        Relief threshold (fraction).  Without a relief column it must be the
        threshold of a stored ``responder_<pct>`` column (0.3 for
        ``responder_30``; 0.304 is refused, not answered by ``responder_30``).
    relief : str
        The relief column.

    Returns
    -------
    numpy.ndarray of bool
        One flag per patient (with a relief, if from ``relief``).

    Raises
    ------
    painsim.errors.UnknownKeyError
        The table has neither column.
    painsim.errors.ParameterError
        ``table`` not a DataFrame, ``threshold`` not a fraction in (0, 1], or (without a relief
        column) not exactly the threshold of the stored ``responder_<pct>`` column.
    """
    checked_table(table, empty=True)
    t = _threshold(threshold)
    pct = int(round(t * 100))
    col = f"responder_{pct}"
    if relief in table:
        r = np.asarray(table[relief], float)
        keep = ~np.isnan(r)
        return responders(r[keep], t)
    if col in table:
        if not math.isclose(t, pct / 100, rel_tol=0.0, abs_tol=1e-9):  # only float noise, e.g. 0.1 + 0.2
            raise ParameterError("threshold", threshold, f"the threshold of a stored responder column ({pct / 100:g} "
                                 f"for {col!r}): the table has no {relief!r} column to compute others from")
        return np.asarray(table[col], bool)
    raise UnknownKeyError(relief, list(table.columns), what="relief column")


def responder_rates(table, thresholds: Sequence[float] = (0.3, 0.5), relief: str = "relief",
                    level: float = 0.95):
    """Share of responders (relief >= threshold) with Wilson confidence intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        With a ``relief`` column (fraction, 0.3 = 30 %) or ``responder_<pct>`` columns.
    thresholds : sequence of float
        Relief thresholds.
    relief : str
        Name of the relief column (fractions).
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Index ``threshold``; columns ``n``, ``responders``, ``rate``, ``ci_low``, ``ci_high``.

    Raises
    ------
    painsim.errors.ParameterError
        ``thresholds`` not a non-empty sequence of fractions in (0, 1], ``level`` not strictly
        between 0 and 1, or ``table`` not a DataFrame.
    painsim.errors.UnknownKeyError
        As :func:`responder_flags`.
    """
    given = thresholds
    thresholds = [] if isinstance(given, (str, bytes)) or not hasattr(given, "__iter__") else list(given)
    if not thresholds:  # a single number would be iterated, an empty one is an empty table with no index
        raise ParameterError("thresholds", given, "a non-empty sequence of relief fractions in (0, 1], e.g. (0.3, 0.5)")
    _level(level)
    rows = []
    for t in thresholds:
        r = responder_flags(table, t, relief)
        k, n = int(r.sum()), int(r.size)
        lo, hi = wilson_interval(k, n, level)
        rows.append({"threshold": t, "n": n, "responders": k, "rate": k / n if n else float("nan"),
                     "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows).set_index("threshold")


def relief_summary(table, relief: str = "relief", by: str | None = None):
    """Distribution of relief: mean, SD, quartiles, and the share with worse pain.

    Parameters
    ----------
    table : pandas.DataFrame
        With a relief column (fraction); NaN values are left out.
    relief : str
        The relief column.
    by : str, optional
        A column to group by (``"etiology"``).

    Returns
    -------
    pandas.DataFrame
        One row (``all``) or one per level of ``by``; columns ``n``, ``mean``,
        ``sd``, ``p10``, ``q1``, ``median``, ``q3``, ``p90``, ``worse`` (relief < 0).

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``table`` has no column ``relief`` (or ``by``).
    painsim.errors.ParameterError
        ``table`` is not a DataFrame.
    """
    checked_table(table, empty=True)
    for column in (relief,) + ((by,) if by is not None else ()):
        if column not in table:
            raise UnknownKeyError(column, list(table.columns), what="column of the cohort table")

    def summary(x):
        x = np.asarray(x, float)
        x = x[~np.isnan(x)]
        q = np.quantile(x, [0.1, 0.25, 0.5, 0.75, 0.9]) if x.size else [np.nan] * 5
        return {"n": x.size, "mean": x.mean() if x.size else np.nan,
                "sd": x.std(ddof=1) if x.size > 1 else np.nan, "p10": q[0], "q1": q[1], "median": q[2],
                "q3": q[3], "p90": q[4], "worse": float((x < 0).mean()) if x.size else np.nan}

    if by is None:
        return pd.DataFrame([summary(table[relief])], index=pd.Index(["all"], name="group"))
    rows = {g: summary(sub[relief]) for g, sub in table.groupby(by)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(by)


def odds_ratio_2x2(a: int, b: int, c: int, d: int, level: float = 0.95) -> dict:
    """Odds ratio of a 2x2 table with Woolf's (log) interval.

    ``a``/``b``: responders / non-responders in the exposed group, ``c``/``d``
    in the reference group.  A zero cell adds 0.5 to every cell (Haldane).

    Parameters
    ----------
    a, b : int
        Responders and non-responders in the exposed group.
    c, d : int
        Responders and non-responders in the reference group.
    level : float
        Confidence level.

    Returns
    -------
    dict
        ``odds_ratio``, ``log_or``, ``se`` (of the log odds ratio),
        ``ci_low``, ``ci_high``.

    Raises
    ------
    painsim.errors.ParameterError
        A count that is not a whole number >= 0 (named ``a`` ... ``d``), or ``level`` not
        strictly between 0 and 1.
    """
    counts = {"a": a, "b": b, "c": c, "d": d}
    cells = np.array([whole(v, k, 0, allow_float=True) for k, v in counts.items()], float)
    level = _level(level)
    if (cells == 0).any():
        cells = cells + 0.5
    a, b, c, d = cells
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = norm.ppf(0.5 + level / 2)
    return {"odds_ratio": math.exp(log_or), "log_or": log_or, "se": se,
            "ci_low": math.exp(log_or - z * se), "ci_high": math.exp(log_or + z * se)}


def _outcome_threshold(table, outcome, threshold) -> float | None:
    """The relief threshold of a ``"responder_<pct>"`` outcome computed from the ``relief``
    column (``threshold`` if given, else ``<pct>`` / 100); None when ``outcome`` is a stored
    column read as it is (no ``threshold`` given).  A ``threshold`` is always checked, and refused
    when there is no relief column to apply it to or the outcome is no ``responder_<pct>``."""
    if not isinstance(outcome, str):
        raise ParameterError("outcome", outcome, "a column name, e.g. 'responder_30'")
    pct = outcome[len("responder_"):]
    responder = outcome.startswith("responder_") and pct.isdigit()
    if threshold is not None:
        t = _threshold(threshold)
        if not (responder and "relief" in table):  # a stored column answers its own threshold only
            raise ParameterError("threshold", threshold, "None: a threshold applies to a 'responder_<pct>' outcome "
                                 f"computed from a 'relief' column (outcome {outcome!r}"
                                 f"{'' if 'relief' in table else ', and the table has no relief column'})")
        return t
    if outcome in table:
        return None
    if not (responder and "relief" in table):
        raise UnknownKeyError(outcome, list(table.columns), what="outcome column")
    return int(pct) / 100


def _numeric(table, column: str, name: str) -> np.ndarray:
    """``table[column]`` as floats; a column of texts is refused by ``name``."""
    try:
        return np.asarray(table[column], float)
    except (TypeError, ValueError):
        raise ParameterError(name, column, "numeric columns") from None


def odds_ratio(table, by: str, level: str, reference: str, outcome: str = "responder_30",
               adjust: Sequence[str] = (), threshold: float | None = None, ci: float = 0.95) -> dict:
    """Odds ratio of response for ``by == level`` versus ``by == reference``.

    Parameters
    ----------
    table : pandas.DataFrame
    by : str
        A categorical column (``"etiology"``, ``"stroke_type"``).
    level, reference : str
        The compared group and the reference group; other rows are left out.
    outcome : str
        A boolean column, or ``"responder_<pct>"`` computed from ``relief``.
    adjust : sequence of str
        Numeric columns to adjust for (added to the logistic model).
    threshold : float, optional
        Relief threshold (a fraction in (0, 1]) of a ``"responder_<pct>"``
        outcome: responders are then computed from the ``relief`` column at this
        threshold (in place of ``<pct>`` / 100), even when the table stores the
        outcome column.  Refused without a ``relief`` column or for another
        outcome.  Default: a stored outcome column as it is, else ``<pct>`` / 100.
    ci : float
        Confidence level.

    Returns
    -------
    dict
        ``odds_ratio``, ``ci_low``, ``ci_high``, ``p``, ``n`` (rows used),
        ``n_level``, ``n_reference``, ``separated`` (a zero cell or a
        diverging fit: the estimate is 0 or infinite and the interval NaN;
        :func:`odds_ratio_2x2` gives the Haldane-corrected estimate),
        ``table_2x2`` = (responders, non-responders in ``level``,
        responders, non-responders in ``reference``) and ``unevaluable``:
        the patients of the two groups left out because their ``relief`` is
        NaN (no baseline pain, or not tested), as :func:`responder_rates`
        leaves them out; only for a ``responder_<pct>`` outcome of a table
        with a ``relief`` column.  When a group has no evaluable patient
        left (none at all: ``n`` = 0) nothing is fitted: the odds ratio, its
        interval and ``p`` are NaN and ``separated`` is True.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown column (``by``, ``adjust``, ``outcome``) or level.
    painsim.errors.ParameterError
        ``level`` equal to ``reference``, ``adjust`` a text (not a list of columns) or naming a
        column that is not numeric, has a NaN or infinite entry among the patients compared (refused,
        not dropped: drop those rows or leave the column out), is constant among them, or is a
        linear combination of the group and the adjustments before it (each named), an ``outcome`` column that is not yes/no, a ``threshold``
        not in (0, 1] or given without a ``relief`` column (or for an outcome other than
        ``responder_<pct>``), or ``ci`` not strictly between 0 and 1.
    """
    checked_table(table, empty=True)
    if isinstance(adjust, str):
        raise ParameterError("adjust", adjust, f"a list of numeric columns, e.g. [{adjust!r}]")
    ci = _level(ci, "ci")
    for col in [by, *adjust]:
        if col not in table:
            raise UnknownKeyError(col, list(table.columns), what="column")
    levels = set(table[by].unique())
    for lv in (level, reference):
        if lv not in levels:
            raise UnknownKeyError(str(lv), sorted(map(str, levels)), what=f"level of {by!r}")
    if level == reference:
        raise ParameterError("reference", reference, f"a level of {by!r} other than level = {level!r}")
    sub = table[table[by].isin([level, reference])]
    t = _outcome_threshold(table, outcome, threshold)
    unevaluable = 0
    if "relief" in sub and outcome.startswith("responder_"):  # stored or computed from relief
        # a patient without relief (no baseline pain, or not tested) is no non-responder: the
        # responder rates leave such patients out (responder_flags), and so must their odds
        has_relief = ~np.isnan(_numeric(sub, "relief", "relief"))
        unevaluable, sub = int((~has_relief).sum()), sub[has_relief]
    y = np.asarray(sub[outcome], float) if t is None else responders(np.asarray(sub["relief"], float), t).astype(float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ParameterError("outcome", outcome, "a yes/no column (True/False or 0/1, no NaN), or 'responder_<pct>'")
    x = (sub[by] == level).to_numpy(float)
    # the 2x2 table: responders / non-responders in the level (a, b) and the reference group (c, d)
    a, b = int(((x == 1) & (y == 1)).sum()), int(((x == 1) & (y == 0)).sum())
    c, d = int(((x == 0) & (y == 1)).sum()), int(((x == 0) & (y == 0)).sum())
    out = {"odds_ratio": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p": math.nan, "n": int(y.size),
           "n_level": int(x.sum()), "n_reference": int((1 - x).sum()), "separated": True,
           "table_2x2": (a, b, c, d), "unevaluable": unevaluable}
    if not (x.any() and not x.all()):  # a group without an evaluable patient (or none at all): nothing to fit
        return out
    design = _adjusted_design(sub, x, adjust)  # refused: a constant, collinear, NaN or text adjustment
    fit = logistic_regression(y, design, ["intercept", f"{by}={level}", *adjust], level=ci)
    row = fit.iloc[1]
    out.update(odds_ratio=float(row.odds_ratio), ci_low=float(row.ci_low), ci_high=float(row.ci_high),
               p=float(row.p), separated=bool(fit.attrs["separated"]))
    if not adjust and min(a, b, c, d) == 0:
        # a zero cell: the maximum-likelihood odds ratio is 0 or infinite (IRLS only drifts towards it)
        num, den = a * d, b * c
        est = math.nan if num == den == 0 else (math.inf if den == 0 else 0.0)
        out.update(odds_ratio=est, ci_low=math.nan, ci_high=math.nan, p=math.nan, separated=True)
    return out


def statistics(table, outcome: str = "responder_30") -> dict:
    """Trial statistics of a cohort, beside the published numbers.

    Parameters
    ----------
    table : pandas.DataFrame
        A cohort result (:func:`run`), with a ``relief`` column.
    outcome : str
        The outcome of the odds ratios (as :func:`odds_ratio`).

    Returns
    -------
    dict
        ``responder_rates`` (DataFrame), ``relief`` (summary DataFrame over
        all patients), ``relief_by_etiology`` (one row per etiology; only with
        an ``etiology`` column), ``or_central_vs_peripheral`` and
        ``or_ischemic_vs_hemorrhagic`` (dicts, or None if a group is
        missing; NaN odds ratios if a group has no evaluable patient), and
        ``comparison``: a DataFrame of simulated vs published.

    Raises
    ------
    painsim.errors.UnknownKeyError
        The table has no ``relief`` column (:func:`relief_summary`), or neither
        it nor ``responder_30`` and ``responder_50`` (:func:`responder_rates`), or
        ``outcome`` is neither a column nor ``"responder_<pct>"`` with a ``relief`` column.
    painsim.errors.ParameterError
        ``table`` is not a DataFrame, or ``outcome`` not a text.
    """
    checked_table(table, empty=True)
    out: dict[str, Any] = {"responder_rates": responder_rates(table), "relief": relief_summary(table)}
    _outcome_threshold(table, outcome, None)  # an unknown outcome is an error, not "no odds ratio"
    if "etiology" in table:
        out["relief_by_etiology"] = relief_summary(table, by="etiology")
    for key, by, lv, ref in (("or_central_vs_peripheral", "etiology", "central", "peripheral"),
                             ("or_ischemic_vs_hemorrhagic", "stroke_type", "ischemic", "hemorrhagic")):
        try:
            out[key] = odds_ratio(table, by, lv, ref, outcome=outcome)
        except UnknownKeyError:
            out[key] = None
    rr = out["responder_rates"].loc[0.3]
    rows = [{"statistic": "responder_rate_30", "simulated": rr.rate, "sim_ci_low": rr.ci_low,
             "sim_ci_high": rr.ci_high, "published": PUBLISHED["responder_rate_30"]["value"],
             "pub_ci_low": np.nan, "pub_ci_high": np.nan}]
    for key in ("or_central_vs_peripheral", "or_ischemic_vs_hemorrhagic"):
        r = out[key] or {"odds_ratio": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        pub = PUBLISHED[key]
        rows.append({"statistic": key, "simulated": r["odds_ratio"], "sim_ci_low": r["ci_low"],
                     "sim_ci_high": r["ci_high"], "published": pub["value"],
                     "pub_ci_low": pub["ci"][0], "pub_ci_high": pub["ci"][1]})
    out["comparison"] = pd.DataFrame(rows).set_index("statistic")
    return out


def sensitivity(table, outcome: str = "relief", attributes: Sequence[str] | None = None,
                method: str = "rbd_fast", seed: int = 0):
    """How much of an outcome's variance goes with each patient attribute (SALib, given-data methods).

    The indices are estimated from the cohort as drawn, not from a design that
    varies one attribute with the others held: an attribute correlated with
    another (e.g. ``thalamic_lesion`` and ``central``, both set by the stroke
    type) shares that attribute's effect, so an index measures association
    with the outcome, including through correlated attributes, not what
    drives it causally.

    Parameters
    ----------
    table : pandas.DataFrame
        A cohort result (:func:`run`).
    outcome : str
        A numeric column (``"relief"``).
    attributes : sequence of str, optional
        Numeric columns to rank (default: the attributes of
        :data:`PATIENT_TO_MODEL` that vary in the table, and ``central``).
    method : {"rbd_fast", "delta"}
        RBD-FAST first-order indices, or Borgonovo's delta (with first-order
        Sobol estimates; slower); both work on a random sample such as a cohort.
        RBD-FAST needs at least :data:`painsim.sensitivity.RBD_FAST_MIN_SAMPLES` (44)
        patients with the outcome and every attribute (with fewer its indices read
        1 whatever the data); delta worked on 40 in one test.

    seed : int
        Seed of the estimators' resampling (a whole number >= 0).

    Returns
    -------
    pandas.DataFrame
        One row per attribute.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown method, outcome column or attribute column.
    painsim.errors.ParameterError
        ``table`` not a DataFrame of patients, ``attributes`` a text or empty (or no attribute
        that varies), an attribute (given or default) with one value for every patient evaluated
        (named: it has no index to estimate), ``outcome`` a column that is not numeric (e.g.
        ``etiology``), or ``seed`` not a whole number >= 0.  ``outcome`` (or ``attributes``)
        with no patient that has a number in it; ``table`` with fewer than
        :data:`painsim.sensitivity.RBD_FAST_MIN_SAMPLES` patients that have a number in the
        outcome and every attribute, for ``rbd_fast``.
    """
    if method not in ("delta", "rbd_fast"):
        raise UnknownKeyError(method, ("delta", "rbd_fast"), what="sensitivity method for a cohort")
    checked_table(table)
    seed = checked_seed(seed)
    if isinstance(attributes, str):
        raise ParameterError("attributes", attributes, f"a list of columns, e.g. [{attributes!r}]")
    if outcome not in table:
        raise UnknownKeyError(outcome, list(table.columns), what="outcome column")
    Y = _numeric_outcome(table, outcome)
    data = table.copy()
    if "etiology" in data:
        data["central"] = (data["etiology"] == "central").astype(float)
    if attributes is None:  # those that vary among the patients with an outcome (the others have no index)
        evaluated = ~np.isnan(Y)
        attributes = [a for a in list(PATIENT_TO_MODEL) + ["central"]
                      if a in data and np.nanstd(np.asarray(data[a], float)[evaluated]) > 0]
    attributes = list(attributes)
    if not attributes:
        raise ParameterError("attributes", attributes, "at least one numeric column that varies between patients")
    for a in attributes:
        if a not in data:
            raise UnknownKeyError(a, list(data.columns), what="attribute column")
    X = np.column_stack([_numeric(data, a, "attributes") for a in attributes])
    keep = ~np.isnan(Y) & ~np.isnan(X).any(axis=1)
    if not keep.any():  # no bounds to read, no index to estimate (SALib: a zero-size array)
        if np.isnan(Y).all():
            raise ParameterError("outcome", outcome, f"a column with a number for at least one patient (it is "
                                                     f"NaN for all {Y.size}: no patient can be evaluated)")
        raise ParameterError("attributes", attributes, "columns with a number for at least one patient whose "
                                                       "outcome is a number")
    X, Y = X[keep], Y[keep]
    for j, a in enumerate(attributes):  # SALib gave a constant one an index (RBD-FAST) or failed (delta)
        if np.ptp(X[:, j]) == 0:
            raise ParameterError("attributes", a, f"columns that vary between the patients evaluated ({a!r} is "
                                                  f"{X[0, j]:g} for all {Y.size}: no variance of {outcome!r} "
                                                  "goes with it); leave it out")
    problem = {"num_vars": len(attributes), "names": list(attributes),
               "bounds": [[float(X[:, j].min()), float(X[:, j].max()) + 1e-12] for j in range(X.shape[1])]}
    try:  # too few patients for RBD-FAST (its indices read 1 whatever the data) is the table's fault
        table = salib_indices("delta" if method == "delta" else "rbd_fast", problem, X, Y, seed,
                              index_name="attribute", samples=f"patients with {outcome!r} and every attribute")
    except ParameterError as e:
        raise (e.renamed("table") if e.name == "Y" else e) from None
    return table.sort_values(table.columns[0], ascending=False)


def _numeric_outcome(table, outcome: str) -> np.ndarray:
    """The outcome column as floats; a column of texts (``etiology``) refused naming ``outcome``."""
    try:
        return np.asarray(table[outcome], float)
    except (TypeError, ValueError):
        raise ParameterError("outcome", outcome, "a numeric column, e.g. 'relief' (this one holds text: "
                                                 f"{table[outcome].iloc[0]!r})") from None


def format_estimate(value, low=None, high=None, digits: int = 2, scale: float = 1.0) -> str:
    """An estimate with its interval as printed: ``"0.70 [0.06; 7.86]"``.

    ``"not estimable"`` when the estimate or a bound of its interval is not
    a finite number (an odds ratio of a table with a zero cell: 0 or
    infinite, no interval; an empty group), instead of ``"0.00 [nan; nan]"``.
    Without ``low`` and ``high`` only the value.  ``scale`` multiplies every
    number (100 for percentages).

    Parameters
    ----------
    value : float
        The estimate.
    low, high : float, optional
        The bounds of its interval.
    digits : int
        Decimals printed.
    scale : float
        Factor applied to every number.

    Returns
    -------
    str

    Raises
    ------
    painsim.errors.ParameterError
        ``digits`` not a whole number >= 0.
    """
    digits = whole(digits, "digits", 0)
    nums = [value] if low is None and high is None else [value, low, high]
    try:
        nums = [float(x) * scale for x in nums]
    except (TypeError, ValueError):
        return "not estimable"
    if not all(math.isfinite(x) for x in nums):
        return "not estimable"
    if len(nums) == 1:
        return f"{nums[0]:.{digits}f}"
    return f"{nums[0]:.{digits}f} [{nums[1]:.{digits}f}; {nums[2]:.{digits}f}]"
