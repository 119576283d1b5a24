"""Consolidation and relapse between the sessions of a course.

Per plastic synapse the efficacy is ``w = w_set + e + l``: ``w_set`` is the
pathological set point (the efficacies the course starts from), ``e`` the
early and ``l`` the late (consolidated) component of the change.  A
session's change enters ``e``.  Between sessions (``[consolidation]``)::

    de/dt = -(1/early_time + r) e - k H(|e| - theta) e
    dl/dt =                       + k H(|e| - theta) e - (1/late_time + r) l

with ``k = 1/capture_time``, ``theta = capture_threshold`` and the
pathological drive ``r = (ectopic_fraction * ectopic_rate /
relapse_reference_rate) / relapse_time``.  This is synaptic tagging and
capture in the form of Frey & Morris 1997 (Nature 385:533; an early change
decays within hours unless captured) with a per-synapse tag threshold, a
reduction of the tag/trigger/consolidation model of Clopath et al. 2008
(PLoS Comput Biol 4:e1000248).  The equations are linear between threshold
crossings and are solved exactly (:func:`consolidate`, a numba kernel over
synapses; :func:`consolidate_reference`, a matrix-exponential version); the
weight is clipped to the rule's bounds.  Without maintenance, relief fades
toward the pathological set point with the time constants above.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from ..errors import ParameterError
from ..params import Model

__all__ = ["ConsolidationParams", "consolidate", "consolidate_reference"]


@dataclass(frozen=True)
class ConsolidationParams:
    """Rates of the between-session model (SI: 1/s), from a model.

    Attributes
    ----------
    decay_early : float
        1/early_time + relapse rate.
    capture : float
        1/capture_time.
    threshold : float
        capture_threshold (efficacy units).
    decay_late : float
        1/late_time + relapse rate.
    relapse : float
        The pathological drive's rate r.
    """

    decay_early: float
    capture: float
    threshold: float
    decay_late: float
    relapse: float

    @classmethod
    def from_model(cls, model: Model) -> "ConsolidationParams":
        c = model.section("consolidation")
        path = model.section("pathology")
        for k in ("early_time", "capture_time", "late_time", "relapse_time"):
            if not c[k] > 0:
                raise ParameterError(f"consolidation.{k}", c[k], "a time > 0 s")
        if not c["capture_threshold"] >= 0:
            raise ParameterError("consolidation.capture_threshold", c["capture_threshold"], "a number >= 0")
        drive = path.get("ectopic_fraction", 0.0) * path.get("ectopic_rate", 0.0)
        ref = c["relapse_reference_rate"]
        if not ref > 0:
            raise ParameterError("consolidation.relapse_reference_rate", ref, "a rate > 0 Hz")
        r = drive / ref / c["relapse_time"]
        return cls(1.0 / c["early_time"] + r, 1.0 / c["capture_time"], float(c["capture_threshold"]),
                   1.0 / c["late_time"] + r, r)


@numba.njit(cache=True)
def _exp_diff(a, b, t):
    """(exp(-a t) - exp(-b t)) / (b - a), stable when a ~ b."""
    x = (b - a) * t
    if abs(x) < 1e-8:
        f = 1.0 - 0.5 * x
    else:
        f = -math.expm1(-x) / x
    return math.exp(-a * t) * t * f


@numba.njit(cache=True)
def _consolidate_kernel(e, l, w_set, lo, hi, T, a_e, k, theta, lam):
    for s in range(e.size):
        e0 = e[s]
        l0 = l[s]
        t1 = 0.0
        e1 = e0
        l1 = l0
        if k > 0.0 and abs(e0) > theta:
            a1 = a_e + k
            tc = math.log(abs(e0) / theta) / a1 if theta > 0.0 else np.inf
            t1 = tc if tc < T else T
            e1 = e0 * math.exp(-a1 * t1)
            l1 = l0 * math.exp(-lam * t1) + k * e0 * _exp_diff(a1, lam, t1)
        t2 = T - t1
        e2 = e1 * math.exp(-a_e * t2)
        l2 = l1 * math.exp(-lam * t2)
        # bounds: the late part alone and the total within [lo, hi]
        llo = lo[s] - w_set[s]
        lhi = hi[s] - w_set[s]
        if l2 < llo:
            l2 = llo
        elif l2 > lhi:
            l2 = lhi
        if e2 < llo - l2:
            e2 = llo - l2
        elif e2 > lhi - l2:
            e2 = lhi - l2
        e[s] = e2
        l[s] = l2


def _check_consolidation_args(early, late, w_set, lo, hi, duration):
    e = np.array(early, dtype=np.float64, copy=True).ravel()
    l = np.array(late, dtype=np.float64, copy=True).ravel()
    n = e.size
    if l.size != n:
        raise ParameterError("late", l.size, f"one value per synapse ({n})")
    ws = np.ascontiguousarray(np.broadcast_to(np.asarray(w_set, float), (n,)).copy())
    lo = np.ascontiguousarray(np.broadcast_to(np.asarray(lo, float), (n,)).copy())
    hi = np.ascontiguousarray(np.broadcast_to(np.asarray(hi, float), (n,)).copy())
    T = float(duration)
    if not (math.isfinite(T) and T >= 0):
        raise ParameterError("duration", duration, "a time >= 0 s")
    return e, l, ws, lo, hi, T


def consolidate(early, late, w_set, w_min, w_max, duration, params: ConsolidationParams):
    """Evolve the early and late components of every synapse over ``duration`` s.

    Parameters
    ----------
    early, late : array
        Components of the efficacy change from the set point, per synapse.
    w_set : array or float
        The pathological set point.
    w_min, w_max : float or array
        Bounds of the efficacy (``w_set + early + late`` is kept within).
    duration : float
        Time in s (no session in between).
    params : ConsolidationParams

    Returns
    -------
    early, late : ndarray
        New arrays (the inputs are not modified).

    Notes
    -----
    Exact solution of the linear equations of the module docstring, piecewise
    between the capture threshold crossing; numba kernel over synapses.
    """
    e, l, ws, lo, hi, T = _check_consolidation_args(early, late, w_set, w_min, w_max, duration)
    p = params
    _consolidate_kernel(e, l, ws, lo, hi, T, p.decay_early, p.capture, p.threshold, p.decay_late)
    return e, l


def consolidate_reference(early, late, w_set, w_min, w_max, duration, params: ConsolidationParams):
    """Pure-numpy/scipy reference of :func:`consolidate` (matrix exponentials per synapse)."""
    from scipy.linalg import expm  # heavy, and only for checking: loaded on first use
    e, l, ws, lo, hi, T = _check_consolidation_args(early, late, w_set, w_min, w_max, duration)
    p = params
    A_capture = np.array([[-(p.decay_early + p.capture), 0.0], [p.capture, -p.decay_late]])
    A_free = np.array([[-p.decay_early, 0.0], [0.0, -p.decay_late]])
    for s in range(e.size):
        x = np.array([e[s], l[s]])
        t1 = 0.0
        if p.capture > 0 and abs(x[0]) > p.threshold:
            rate = p.decay_early + p.capture
            t1 = min(T, np.log(abs(x[0]) / p.threshold) / rate) if p.threshold > 0 else T
            x = expm(A_capture * t1) @ x
        x = expm(A_free * (T - t1)) @ x
        lo_l, hi_l = lo[s] - ws[s], hi[s] - ws[s]
        l2 = float(np.clip(x[1], lo_l, hi_l))
        e2 = float(np.clip(x[0], lo_l - l2, hi_l - l2))
        e[s], l[s] = e2, l2
    return e, l
