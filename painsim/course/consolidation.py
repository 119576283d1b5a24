"""Graded consolidation and relapse between the sessions of a course.

Per plastic synapse the efficacy is ``w = w_set + u_1``: ``w_set`` is the
pathological set point (the efficacies the course starts from) and
``u_1, ..., u_m`` a chain of coupled variables, the synaptic model of Benna
& Fusi 2016 (Nat Neurosci 19:1697): a change enters the fast variable
``u_1`` and flows, in both directions, into ever slower ones ("communicating
vessels" of growing capacity joined by ever narrower tubes).  Between
sessions (``[consolidation]``)::

    C_k du_k/dt = g_{k-1,k} (u_{k-1} - u_k) + g_{k,k+1} (u_{k+1} - u_k) - C_k r u_k,   k = 1..m

with ``g_{0,1} = 0`` and ``u_{m+1} = 0`` (the last variable leaks to the set
point), capacities ``C_k = q**(k-1)`` and couplings ``g_{k,k+1} = q**-(k-1) /
early_time`` (Benna & Fusi's geometric choice with ``q = level_ratio = 2``),
so that the time scale ``C_k / g_{k,k+1} = q**(2(k-1)) * early_time`` grows
by ``q**2`` from level to level, from the early-LTP time of Frey & Morris
1997 (Nature 385:533) to the months of stable LTP (Abraham et al. 2002,
J Neurosci 22:9626); ``m = n_levels``.  ``r = (ectopic_fraction *
ectopic_rate / relapse_reference_rate) / relapse_time`` is the pathological
drive, which pulls every variable back to the set point (as in the rule this
one replaces).

The rule is graded and linear: there is no capture threshold, a change half
as large leaves exactly half the trace; a change that has flowed into slow
variables is still there at the next session, so repeated sessions
accumulate, and the relapse drive erases the trace without them.  The
system is solved exactly: ``A = -C^-1 K - r`` (``K`` the symmetric
tridiagonal coupling matrix) is similar to the symmetric ``-C^-1/2 K C^-1/2 -
r``, whose eigen-decomposition (:class:`ConsolidationParams`) gives
``exp(A T)``; :func:`propagate` applies it per synapse in a numba kernel,
:func:`propagate_reference` with scipy's matrix exponential.  The
propagator is non-negative and a contraction in the largest component, so
a state within the rule's bounds stays within them and a change never
overshoots the set point; every variable is still clipped to the bounds.

Courses store the state as ``early = u_1 - u_2`` (the part of the change
not yet backed by the slow variables, gone within hours), ``late = u_2``
(the consolidated change) and ``deep = u_3..u_m`` (:func:`join_levels`,
:func:`split_levels`), so that ``w = w_set + early + late``.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from ..checks import number, whole
from ..errors import ParameterError
from ..jit import njit
from ..params import Model

__all__ = ["ConsolidationParams", "propagate", "propagate_reference", "join_levels", "split_levels",
           "consolidate", "consolidate_reference"]

MAX_LEVELS = 12   # q**2 = 4: 3 h x 4**11 is ~1400 years; beyond, the eigen-solution loses digits for nothing


def _finite_nonnegative(values, name: str) -> tuple:
    """One finite number >= 0 per level (a text or a boolean refused by ``name``, not by float())."""
    items = np.asarray(values, dtype=object)
    items = [values] if items.ndim == 0 else list(items) if items.ndim == 1 else [None]
    if not items or any(isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real)
                        or not math.isfinite(v) or v < 0 for v in items):
        raise ParameterError(name, values, "finite numbers >= 0, one per level")
    return tuple(float(v) for v in items)


@dataclass(frozen=True)
class ConsolidationParams:
    """The between-session chain (Benna & Fusi 2016, Nat Neurosci 19:1697), SI units.

    Parameters
    ----------
    capacity : sequence of float
        ``C_1..C_m`` (> 0, dimensionless).
    coupling : sequence of float
        ``g_{1,2}..g_{m,m+1}`` in 1/s (>= 0); the last one is the leak of
        ``u_m`` to the set point.
    relapse : float
        The pathological drive ``r`` (1/s, >= 0), on every variable.

    Raises
    ------
    painsim.errors.ParameterError
        A capacity, coupling or relapse that is not a finite number >= 0 (a text or a boolean
        included), a capacity of 0, or not one coupling per level (2 to 12 levels).

    Attributes
    ----------
    n_levels : int
        ``m``.
    rates : ndarray
        Eigen-rates of the chain without relapse (1/s), slowest first; the
        time constants of the rule are ``1 / (rates + relapse)``.
    """

    capacity: tuple
    coupling: tuple
    relapse: float
    rates: np.ndarray = field(init=False, repr=False, compare=False)
    modes: np.ndarray = field(init=False, repr=False, compare=False)      # C^-1/2 Q: state = modes @ amplitudes
    inverse: np.ndarray = field(init=False, repr=False, compare=False)    # Q^T C^1/2: amplitudes = inverse @ state

    def __post_init__(self):
        C = _finite_nonnegative(self.capacity, "consolidation.capacity")
        g = _finite_nonnegative(self.coupling, "consolidation.coupling")
        if any(c <= 0 for c in C):
            raise ParameterError("consolidation.capacity", self.capacity, "capacities > 0")
        if len(g) != len(C) or not 2 <= len(C) <= MAX_LEVELS:
            raise ParameterError("consolidation.coupling", self.coupling,
                                 f"one coupling per level, 2 to {MAX_LEVELS} levels ({len(C)} capacities)")
        r = number(self.relapse, "consolidation.relapse", lo=0.0, allowed="a rate >= 0 1/s (a number)")
        object.__setattr__(self, "capacity", C)
        object.__setattr__(self, "coupling", g)
        object.__setattr__(self, "relapse", r)
        K = self.coupling_matrix()
        s = 1.0 / np.sqrt(np.asarray(C))
        scale = max(g) if max(g) > 0 else 1.0       # eigh on a dimensionless matrix
        lam, Q = np.linalg.eigh((s[:, None] * K * s[None, :]) / scale)
        order = np.argsort(lam)
        lam, Q = np.clip(lam[order], 0.0, None) * scale, Q[:, order]
        object.__setattr__(self, "rates", lam)
        object.__setattr__(self, "modes", np.ascontiguousarray(s[:, None] * Q))
        object.__setattr__(self, "inverse", np.ascontiguousarray(Q.T / s[None, :]))

    @property
    def n_levels(self) -> int:
        return len(self.capacity)

    def coupling_matrix(self) -> np.ndarray:
        """``K`` (1/s): ``C du/dt = -K u - C r u``; symmetric, tridiagonal, with the leak on the last level."""
        m, g = self.n_levels, self.coupling
        K = np.zeros((m, m))
        for k in range(m):
            K[k, k] += g[k]
            if k + 1 < m:
                K[k + 1, k + 1] += g[k]
                K[k, k + 1] = K[k + 1, k] = -g[k]
        return K

    def matrix(self) -> np.ndarray:
        """The system matrix ``A`` (1/s) of ``du/dt = A u``."""
        return -self.coupling_matrix() / np.asarray(self.capacity)[:, None] - self.relapse * np.eye(self.n_levels)

    @classmethod
    def from_model(cls, model: Model) -> "ConsolidationParams":
        """The chain of a model's ``[consolidation]`` section and its pathological drive.

        Parameters
        ----------
        model : Model
            Its ``[consolidation]`` section (SI: ``early_time`` and ``relapse_time`` in s,
            ``relapse_reference_rate`` in Hz, ``n_levels``, ``level_ratio``) and
            ``pathology.ectopic_fraction`` and ``pathology.ectopic_rate`` (Hz; 0 if absent).

        Returns
        -------
        ConsolidationParams
            Capacities ``q**(k-1)``, couplings ``q**-(k-1) / early_time`` (1/s) and relapse
            ``ectopic_fraction * ectopic_rate / relapse_reference_rate / relapse_time``
            (1/s), ``q = level_ratio`` (module docstring).

        Raises
        ------
        painsim.errors.ParameterError
            A time <= 0, ``n_levels`` outside 2..12, ``level_ratio`` < 1,
            ``relapse_reference_rate`` <= 0.
        painsim.errors.UnknownKeyError
            The model has no ``[consolidation]`` or ``[pathology]`` section.
        painsim.errors.ParameterError
            ``model`` is not a loaded Model.
        """
        if not isinstance(model, Model):
            raise ParameterError("model", model, "a loaded painsim Model (painsim.load_model)")
        c = model.section("consolidation")
        path = model.section("pathology")
        for k in ("early_time", "relapse_time"):
            if not (isinstance(c[k], (int, float)) and math.isfinite(c[k]) and c[k] > 0):
                raise ParameterError(f"consolidation.{k}", c[k], "a time > 0 s (finite)")
        m = whole(c["n_levels"], "consolidation.n_levels", lo=2, allow_float=True)
        if m > MAX_LEVELS:
            raise ParameterError("consolidation.n_levels", m, f"a whole number from 2 to {MAX_LEVELS}")
        q = number(c["level_ratio"], "consolidation.level_ratio", lo=1.0)
        ref = c["relapse_reference_rate"]
        if not ref > 0:
            raise ParameterError("consolidation.relapse_reference_rate", ref, "a rate > 0 Hz")
        drive = path.get("ectopic_fraction", 0.0) * path.get("ectopic_rate", 0.0)
        k = np.arange(m, dtype=float)
        return cls(tuple(q ** k), tuple(q ** -k / c["early_time"]), drive / ref / c["relapse_time"])


@njit(cache=True)
def _propagate_kernel(u, w_set, lo, hi, decay, modes, inverse):
    """In place: u[:, s] <- clip(modes @ (decay * (inverse @ u[:, s]))) for every synapse s."""
    m, n = u.shape
    amp = np.empty(m)
    for s in range(n):
        for j in range(m):
            acc = 0.0
            for k in range(m):
                acc += inverse[j, k] * u[k, s]
            amp[j] = acc * decay[j]
        llo = lo[s] - w_set[s]
        lhi = hi[s] - w_set[s]
        for k in range(m):
            acc = 0.0
            for j in range(m):
                acc += modes[k, j] * amp[j]
            if acc < llo:
                acc = llo
            elif acc > lhi:
                acc = lhi
            u[k, s] = acc


def _checked_params(params) -> ConsolidationParams:
    if not isinstance(params, ConsolidationParams):
        raise ParameterError("params", params, "a ConsolidationParams (e.g. ConsolidationParams.from_model(model))")
    return params


def _efficacies(values, name: str, n: int | None = None) -> np.ndarray:
    """``values`` as floats (broadcast to ``n`` synapses when given); a text, a boolean or a wrong
    shape refused by ``name``, not by numpy's bare errors."""
    if isinstance(values, (str, bytes, bool, np.bool_)):
        raise ParameterError(name, values, "numbers (efficacies), one per synapse or one for all")
    try:
        out = np.asarray(values, dtype=np.float64)
        return out if n is None else np.ascontiguousarray(np.broadcast_to(out, (n,)).copy())
    except (TypeError, ValueError):
        shape = "" if n is None else f" ({n})"
        raise ParameterError(name, values, f"numbers (efficacies), one per synapse{shape} or one for all") from None


def _shown(value, bad: np.ndarray):
    """``value`` for an error message: itself when a number, else how many synapses are wrong."""
    return value if np.ndim(value) == 0 else f"wrong at {int(bad.sum())} of {bad.size} synapses"


def _check_state(levels, w_set, w_min, w_max, duration, params: ConsolidationParams):
    params = _checked_params(params)
    u = _efficacies(levels, "levels").copy()
    if u.ndim != 2 or u.shape[0] != params.n_levels:
        raise ParameterError("levels", u.shape, f"an array of shape (n_levels={params.n_levels}, n_synapses)")
    n = u.shape[1]
    ws, lo, hi = (_efficacies(x, k, n) for x, k in ((w_set, "w_set"), (w_min, "w_min"), (w_max, "w_max")))
    for name, value, bound in (("w_min", w_min, lo), ("w_max", w_max, hi)):
        if np.isnan(bound).any():
            raise ParameterError(name, _shown(value, np.isnan(bound)), "a bound that is a number, not NaN")
    bad = lo > hi
    if bad.any():
        raise ParameterError("w_max", _shown(w_max, bad), "bounds with w_min <= w_max")
    bad = ~(np.isfinite(ws) & (ws >= lo) & (ws <= hi))  # the set point is where the chain relaxes to
    if bad.any():
        raise ParameterError("w_set", _shown(w_set, bad), "finite set points within [w_min, w_max]")
    if not np.all(np.isfinite(u)):
        raise ParameterError("levels", "non-finite values", "finite efficacy changes")
    return np.ascontiguousarray(u), ws, lo, hi, _duration(duration)


def _duration(value) -> float:
    """A time >= 0 s as a float (a text or a boolean refused by name, not read by float())."""
    try:
        T = math.nan if isinstance(value, (bool, np.bool_, str, bytes)) or np.ndim(value) else float(value)
    except (TypeError, ValueError):
        T = math.nan
    if not (math.isfinite(T) and T >= 0):
        raise ParameterError("duration", value, "a time >= 0 s (a number in s)")
    return T


def propagate(levels, w_set, w_min, w_max, duration, params: ConsolidationParams) -> np.ndarray:
    """Evolve the chain of every synapse over ``duration`` s without a session (exact).

    Parameters
    ----------
    levels : array of shape (n_levels, n_synapses)
        ``u_1..u_m`` per synapse (efficacy changes from the set point).
    w_set : array or float
        The pathological set point.
    w_min, w_max : float or array
        Bounds of the efficacy; every ``w_set + u_k`` is kept within.
    duration : float
        Time in s.
    params : ConsolidationParams

    Returns
    -------
    ndarray
        The new levels (the input is not modified).

    Raises
    ------
    painsim.errors.ParameterError
        ``levels`` not of shape (n_levels, n_synapses) or not finite; ``w_min > w_max`` or a NaN
        bound; a set point outside the bounds; ``duration`` not a number >= 0 (s); ``params`` not a
        :class:`ConsolidationParams`; a text where numbers belong.

    Notes
    -----
    ``u(T) = modes @ diag(exp(-(rates + r) T)) @ inverse @ u(0)``, the
    eigen-solution of Benna & Fusi's linear chain (module docstring); numba
    kernel over synapses.
    """
    u, ws, lo, hi, T = _check_state(levels, w_set, w_min, w_max, duration, params)
    decay = np.exp(-(params.rates + params.relapse) * T)
    _propagate_kernel(u, ws, lo, hi, decay, params.modes, params.inverse)
    return u


def propagate_reference(levels, w_set, w_min, w_max, duration, params: ConsolidationParams) -> np.ndarray:
    """Reference of :func:`propagate`: scipy's matrix exponential of ``A T`` (Padé), then the same clipping.

    Parameters
    ----------
    levels, w_set, w_min, w_max, duration, params
        As :func:`propagate` (``duration`` in s).

    Returns
    -------
    ndarray
        The new levels (the input is not modified).

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`propagate`.
    """
    from scipy.linalg import expm  # heavy, and only for checking: loaded on first use
    u, ws, lo, hi, T = _check_state(levels, w_set, w_min, w_max, duration, params)
    out = expm(params.matrix() * T) @ u
    return np.clip(out, (lo - ws)[None, :], (hi - ws)[None, :])


def join_levels(early, late, deep, params: ConsolidationParams) -> np.ndarray:
    """The chain ``u`` from a course's components: ``u_1 = early + late``, ``u_2 = late``,
    ``u_3.. = deep`` (``None``: zeros, a change without deeper history).

    Parameters
    ----------
    early, late : array
        The early and late efficacy changes (dimensionless), one per synapse (flattened).
    deep : array of shape (n_levels - 2, n_synapses) or None
        ``u_3..u_m``.
    params : ConsolidationParams
        The chain (its ``n_levels``).

    Returns
    -------
    ndarray of shape (n_levels, n_synapses)
        ``u``.

    Raises
    ------
    painsim.errors.ParameterError
        ``late`` not of the size of ``early``, ``deep`` of another shape, a text where numbers
        belong, or ``params`` not a :class:`ConsolidationParams`.
    """
    params = _checked_params(params)
    e, l = _efficacies(early, "early").ravel(), _efficacies(late, "late").ravel()
    if l.size != e.size:
        raise ParameterError("late", l.size, f"one value per synapse ({e.size})")
    u = np.zeros((params.n_levels, e.size))
    u[0], u[1] = e + l, l
    if deep is not None:
        d = np.asarray(deep, dtype=np.float64)
        if d.shape != (params.n_levels - 2, e.size):
            raise ParameterError("deep", d.shape, f"shape (n_levels - 2, n_synapses) = {(params.n_levels - 2, e.size)}")
        u[2:] = d
    return u


def split_levels(levels) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(early, late, deep) = (u_1 - u_2, u_2, u_3..u_m)``: the inverse of :func:`join_levels`.

    Parameters
    ----------
    levels : array of shape (n_levels, n_synapses)
        ``u_1..u_m`` per synapse.

    Returns
    -------
    early, late : ndarray
        One value per synapse (new arrays).
    deep : ndarray of shape (n_levels - 2, n_synapses)
        A copy of ``u_3..u_m``.

    Raises
    ------
    painsim.errors.ParameterError
        ``levels`` not numbers of shape (n_levels >= 2, n_synapses).
    """
    u = _efficacies(levels, "levels")
    if u.ndim != 2 or u.shape[0] < 2:
        raise ParameterError("levels", u.shape, "an array of shape (n_levels >= 2, n_synapses)")
    return u[0] - u[1], u[1].copy(), u[2:].copy()


def consolidate(early, late, w_set, w_min, w_max, duration, params: ConsolidationParams):
    """Early and late components after ``duration`` s, from a state whose deeper levels are 0.

    A convenience for one change followed in time (a figure); a course keeps
    the deeper levels too (:func:`join_levels`, :func:`propagate`).

    Parameters
    ----------
    early, late : array
        The efficacy changes (dimensionless), one per synapse.
    w_set, w_min, w_max : float or array
        Set point and bounds of the efficacy, as :func:`propagate`.
    duration : float
        Time in s.
    params : ConsolidationParams
        The chain.

    Returns
    -------
    early, late : ndarray
        New arrays (the inputs are not modified).

    Raises
    ------
    painsim.errors.ParameterError
        ``late`` not of the size of ``early``, non-finite changes, or as :func:`propagate`
        (bounds, set point, ``duration`` not a number >= 0 s, ``params``).
    """
    u = propagate(join_levels(early, late, None, params), w_set, w_min, w_max, duration, params)
    return split_levels(u)[:2]


def consolidate_reference(early, late, w_set, w_min, w_max, duration, params: ConsolidationParams):
    """Reference of :func:`consolidate` (:func:`propagate_reference`).

    Parameters
    ----------
    early, late, w_set, w_min, w_max, duration, params
        As :func:`consolidate` (``duration`` in s).

    Returns
    -------
    early, late : ndarray
        New arrays (the inputs are not modified).

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`consolidate`.
    """
    u = propagate_reference(join_levels(early, late, None, params), w_set, w_min, w_max, duration, params)
    return split_levels(u)[:2]
