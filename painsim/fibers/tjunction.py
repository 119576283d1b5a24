"""The T-junction of dorsal-root-ganglion neurons: a use-dependent low-pass filter
of afferent spikes, and what dorsal root ganglion stimulation (DRGS) does to it.

A primary afferent is pseudo-unipolar: its peripheral and central axons and the
stem axon of its soma meet at a T-junction inside the dorsal root ganglion.  The
junction's impedance mismatch leaves spikes a small safety factor there, so
trains fail to pass it: it is a low-pass filter of afferent impulse traffic,
strongest in C-type neurons, and the failure is *cumulative* (the maximal rate
at which all of 20 spikes pass is lower than for 2; failure grows with
Ca2+-activated K+ currents) (Gemes et al. 2013, J Physiol 591:1111 [checked:
abstract]; branch-point failure in cultured DRG neurons, Lüscher et al. 1994,
J Neurophysiol 72:622 [checked: abstract]).  After axotomy the C-type filter weakens, so
ectopic activity reaches the cord (Gemes 2013 [checked: abstract]).

DRG stimulation is hypothesised to act here (Kent, Min, Hogan & Kramer 2018,
Neuromodulation 21:234, computational [recalled: not found in the reference
store]; review: Graham, Sankarasubramanian & Lempka 2022 J Pain 23:196 [checked: abstract]): 20 Hz ganglionic field
stimulation makes C-type units fire from the ganglion, and their transmission
"progressively abated over 20 s", while peripherally evoked C activity was
"fully blocked ... within 20 s" and Aβ units were "minimally affected" -- a
use-dependent block consistent with enhanced T-junction filtering (Chao et al.
2020, Pain 161:2872, PMC7669706 [checked: abstract]; field stimulation lowers the
peak rate of propagation, Koopmeiners et al. 2013, Neuromodulation 16:304
[checked: abstract]).  A computational population of C neurons found the same
augmented filtering only at *suprathreshold* DRGS (Graham, Jhand & Lempka 2022,
Front Pain Res 3:1017344 [checked: abstract]), and clinical DRGS amplitudes drive
Aβ but not C somata/axons (Graham, Bruns, Duan & Lempka 2019, Clin Neurophysiol
130:941 [checked: abstract]).  The model keeps both: DRGS acts on a junction
only through the spikes it evokes in that fiber's stem (recruitment by
:mod:`painsim.fibers.biophysical` with the ``"drg"`` geometry); a subthreshold
polarisation of the junction is **not** modelled.

Model (per fiber, events in time order at the junction)
-------------------------------------------------------
Events are peripheral spikes (natural, ectopic; they reach the junction
``(conduction_distance - drg_distance) / v`` after their origin) and stem spikes
(evoked by a DRGS pulse at the ganglion).  With ``t_last`` the last spike that
passed and ``L`` the junction's load::

    L      <- L exp(-(t - t_prev) / tau_load)                 (load decays)
    r      = 0                                      if t - t_last <= t_abs
           = 1 - exp(-(t - t_last - t_abs) / tau_rec)  otherwise (recovery)
    passes iff  S r >= 1 + L        (S: safety factor of the rested junction)
    then   L <- L + dL  for every spike that reaches the junction; t_last <- t if it passed

``r`` is the recovery of excitability after a spike (refractoriness); ``L`` is a
slow shunt that every spike invading the junction adds to (Ca2+-activated K+
current and K+ accumulation, the cumulative process of Gemes 2013) and that
lowers the junction's effective safety factor ``S r / (1 + L)``.  A sustained
train at rate ``f`` loads the junction to ``L ~ dL f tau_load``, so trains
faster than :attr:`JunctionParams.block_rate` ``= (S - 1) / (dL tau_load)``
are blocked at steady state, slower ones pass: a low-pass filter.

Collision: a stem spike that passes the junction also runs antidromically into
the peripheral axon; it annihilates the first orthodromic spike it meets, i.e.
a peripheral spike whose origin time lies within the peripheral conduction time
``T`` of the stem spike (it arrives at the junction within ``2 T`` after it).

:func:`junction_kernel` (numba) and :func:`junction_reference` (numpy) implement
the same rule; :func:`transmit` runs it, :func:`drg_arrivals` turns the spikes of
one fiber class into arrivals at the dorsal horn.  No brian2 here.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from typing import Any, Mapping

import numpy as np

from ..checks import known_keys, whole
from ..errors import ParameterError
from ..jit import njit
from .collision import _checked_spikes, _checked_velocity

__all__ = ["JunctionParams", "JUNCTION", "DRG_DISTANCE", "WARMUP", "MAX_WARMUP_REPEATS", "junction_kernel",
           "junction_reference", "transmit", "junction_params", "drg_arrivals",
           "following_frequency", "regular_train"]

#: chosen: distance from the ganglion to the dorsal-horn entry of its root (cervical
#: and thoracic roots run a few cm, lumbosacral roots 10-20 cm [recalled]); it only
#: splits the existing conduction delay into a peripheral and a central part
DRG_DISTANCE = 0.1
#: chosen: DRGS runs continuously in the clinic, so a simulated window is taken at the
#: junction's steady state: the junction first sees ``WARMUP`` s of the window's own
#: arrivals repeated (5 load time constants of :data:`JUNCTION`)
WARMUP = 10.0
#: :func:`transmit` materialises the warm-up: the window's events repeated ``ceil(warmup / period)``
#: times.  More repetitions than this are refused (a 1 ms window with the default warm-up needs
#: 10 000; ``warmup = 1e3`` s over a 1 µs period needed 1e9 copies and ran out of memory).
MAX_WARMUP_REPEATS = 10_000


@dataclass(frozen=True)
class JunctionParams:
    """T-junction of one fiber class (see the module docstring).

    Parameters
    ----------
    safety : float
        Safety factor of the rested junction, ``S >= 1``.
    refractory : float
        Absolute refractory period of the junction, s (>= 0).
    tau_recovery : float
        Time constant of the recovery of excitability after it, s (>= 0; 0 =
        instant).
    load : float
        Shunt ``dL`` each spike reaching the junction adds (>= 0).
    tau_load : float
        Decay time constant of the shunt, s (> 0).
    name : str
        Prefix of parameter names in error messages.
    """

    safety: float
    refractory: float
    tau_recovery: float
    load: float
    tau_load: float
    name: str = "afferents.tjunction"

    def __post_init__(self):
        # each value's type is checked before it is compared (text was a bare TypeError from >=)
        checks = {"safety": (1, False, "a safety factor >= 1"), "refractory": (0, False, "a time >= 0 s"),
                  "tau_recovery": (0, False, "a time constant >= 0 s"), "load": (0, False, "a load per spike >= 0"),
                  "tau_load": (0, True, "a time constant > 0 s")}
        for key, (lo, strict, allowed) in checks.items():
            value = getattr(self, key)
            if isinstance(value, bool) or not (isinstance(value, (int, float)) and math.isfinite(value)
                                               and (value > lo if strict else value >= lo)):
                raise ParameterError(f"{self.name}.{key}", value, f"{allowed} (finite)")

    @property
    def block_rate(self) -> float:
        """Rate (Hz) above which a sustained regular train is blocked at steady state,
        ``(S - 1) / (dL tau_load)`` (large-``f tau_load`` limit; inf without load)."""
        return math.inf if self.load == 0 else (self.safety - 1.0) / (self.load * self.tau_load)

    def ideal(self) -> "JunctionParams":
        """A junction that passes every spike (no refractoriness, no load): the
        negative control of the filter."""
        return replace(self, safety=1.0, refractory=0.0, tau_recovery=0.0, load=0.0)


#: Junction of each class.  Every value is chosen (no per-parameter measurement is
#: published) so that the junction reproduces what is published qualitatively:
#:
#: * C: the lowest following frequency, cumulative failure (2-spike following
#:   ~70 Hz, 20-spike ~30 Hz), ectopic rates of 1-10 Hz (around the 1.8 Hz of Djouhri et al. 2006) pass, 20 Hz
#:   stem trains are blocked (block_rate 10 Hz; Chao 2020: C transmission at 20 Hz
#:   abates; in the model within ~1.5 s, faster than the ~20 s measured: a known
#:   deviation), refractory period of a few ms (C fibers; CLASS_PARAMS);
#: * Aβ: highest following frequency (Gemes 2013: non-inflected A units), 20 Hz
#:   passes unabated (Chao 2020), block_rate 200 Hz, sub-ms refractoriness;
#: * Aδ: intermediate (Chao 2020: a subpopulation blocked at 20 Hz): block_rate 25 Hz.
JUNCTION: dict[str, JunctionParams] = {
    "Abeta": JunctionParams(safety=3.0, refractory=0.7e-3, tau_recovery=1e-3, load=0.005, tau_load=2.0),
    "Adelta": JunctionParams(safety=2.0, refractory=1e-3, tau_recovery=4e-3, load=0.02, tau_load=2.0),
    "C": JunctionParams(safety=1.5, refractory=2e-3, tau_recovery=10e-3, load=0.025, tau_load=2.0),
}
_KEYS = ("safety", "refractory", "tau_recovery", "load", "tau_load")


# ----------------------------------------------------------------- the rule
@njit(cache=True, nogil=True)
def junction_kernel(t, kind, fiber, window, safety, t_abs, tau_rec, load, tau_load, passed, collided):
    """Pass or fail every spike at the junction (numba).

    Parameters
    ----------
    t : (m,) float64
        Time each spike reaches the junction, s; events sorted by fiber, then
        time, then kind.
    kind : (m,) int64
        0 = peripheral (orthodromic) spike, 1 = stem spike (DRGS-evoked).
    fiber : (m,) int64
        Fiber index of each event.
    window : (n,) float64
        Per fiber, ``2 T``: a peripheral spike collides with an antidromic stem
        spike that passed the junction less than ``2 T`` before it arrives.
    safety, t_abs, tau_rec, load, tau_load : float
        :class:`JunctionParams` of the class.
    passed, collided : (m,) bool
        Outputs, written in place.
    """
    m = t.shape[0]
    anti = np.empty(m)
    k = 0
    while k < m:
        f = fiber[k]
        t_last = -np.inf
        t_prev = -np.inf
        L = 0.0
        head = 0
        tail = 0
        while k < m and fiber[k] == f:
            tk = t[k]
            if kind[k] == 0:
                lo = tk - window[f]
                while head < tail and anti[head] <= lo:
                    head += 1   # reached the periphery without meeting an orthodromic spike
                if head < tail:
                    collided[k] = True
                    head += 1
                    k += 1
                    continue
            L = L * math.exp(-(tk - t_prev) / tau_load)
            t_prev = tk
            gap = tk - t_last
            if gap <= t_abs:
                r = 0.0
            elif tau_rec > 0.0:
                r = 1.0 - math.exp(-(gap - t_abs) / tau_rec)
            else:
                r = 1.0
            if safety * r >= 1.0 + L:
                passed[k] = True
                t_last = tk
                if kind[k] == 1:
                    anti[tail] = tk
                    tail += 1
            L = L + load
            k += 1


def junction_reference(t, kind, fiber, window, safety, t_abs, tau_rec, load, tau_load, passed, collided):
    """Pure-numpy reference of :func:`junction_kernel`: the same rule, taking the
    events in global time order (not fiber by fiber) with per-fiber state arrays
    and antidromic queues.  Same arguments; events need not be sorted by fiber.

    Parameters
    ----------
    t, kind, fiber : (m,) arrays
        Junction times (s), kinds (0 peripheral, 1 stem) and fiber indices, any order.
    window : (n,) float64
        ``2 T`` per fiber, s, as :func:`junction_kernel`.
    safety, t_abs, tau_rec, load, tau_load : float
        :class:`JunctionParams` of the class (times in s).
    passed, collided : (m,) bool
        Outputs, written in place.
    """
    n = window.shape[0]
    t_last = np.full(n, -np.inf)
    t_prev = np.full(n, -np.inf)
    L = np.zeros(n)
    queues = [[] for _ in range(n)]
    for k in np.lexsort((kind, fiber, t)):
        f, tk = fiber[k], t[k]
        if kind[k] == 0:
            q = queues[f]
            while q and q[0] <= tk - window[f]:
                q.pop(0)
            if q:
                q.pop(0)
                collided[k] = True
                continue
        L[f] = L[f] * math.exp(-(tk - t_prev[f]) / tau_load)
        t_prev[f] = tk
        gap = tk - t_last[f]
        r = 0.0 if gap <= t_abs else (1.0 - math.exp(-(gap - t_abs) / tau_rec) if tau_rec > 0.0 else 1.0)
        if safety * r >= 1.0 + L[f]:
            passed[k] = True
            t_last[f] = tk
            if kind[k] == 1:
                queues[f].append(tk)
        L[f] = L[f] + load


def transmit(t, kind, fiber, window, junction: JunctionParams, warmup: float = 0.0,
             period: float | None = None, reference: bool = False):
    """Which spikes pass the junction.

    Parameters
    ----------
    t, kind, fiber : arrays
        Junction times (s), kinds (0 peripheral, 1 stem) and fiber indices, any order.
    window : (n,) array
        ``2 T`` per fiber (s), see :func:`junction_kernel`.
    junction : JunctionParams
    warmup : float
        Seconds of the same activity, repeated with ``period``, that the junction
        sees before the events (steady state; 0 = a rested junction).
    period : float, optional
        Length of the window the events were drawn in (s); needed with ``warmup``.  The warm-up
        copies the events ``ceil(warmup / period)`` times, at most :data:`MAX_WARMUP_REPEATS`.
    reference : bool
        Use the numpy reference instead of the numba kernel.

    Returns
    -------
    passed, collided : bool arrays, aligned with ``t``

    Raises
    ------
    painsim.errors.ParameterError
        ``junction`` not a :class:`JunctionParams`, arrays of different shapes, a time that is not
        finite, a kind other than 0 or 1 (2 was read as a stem spike that starts no collision), a
        fiber index outside ``window``, a ``warmup`` or ``period`` refused, or a ``warmup`` longer
        than :data:`MAX_WARMUP_REPEATS` periods (named ``afferents.tjunction.warmup``).
    """
    if not isinstance(junction, JunctionParams):
        raise ParameterError("junction", junction, "a JunctionParams (e.g. JUNCTION['C'])")
    t = np.asarray(t, dtype=float)
    kind = np.asarray(kind, dtype=np.int64)
    fiber = np.asarray(fiber, dtype=np.int64)
    window = np.asarray(window, dtype=float)
    if not (t.shape == kind.shape == fiber.shape):
        raise ParameterError("t/kind/fiber", (t.shape, kind.shape, fiber.shape), "arrays of one shape")
    if not np.all(np.isfinite(t)):
        raise ParameterError("t", t[~np.isfinite(t)][:3], "finite junction times, s")
    if kind.size and not np.all((kind == 0) | (kind == 1)):
        raise ParameterError("kind", np.unique(kind[(kind != 0) & (kind != 1)]).tolist(), "0 (peripheral) or 1 (stem)")
    if fiber.size and (fiber.min() < 0 or fiber.max() >= window.size):
        raise ParameterError("fiber", int(fiber.max()), f"fiber indices in 0..{window.size - 1}")
    if isinstance(warmup, bool) or not isinstance(warmup, numbers.Real) or not (math.isfinite(warmup) and warmup >= 0):
        raise ParameterError("afferents.tjunction.warmup", warmup, "a time >= 0 s (finite)")
    copies = 0
    if warmup > 0 and t.size:
        if (period is None or isinstance(period, bool) or not isinstance(period, numbers.Real)
                or not (math.isfinite(period) and period > 0)):
            raise ParameterError("period", period, "the window length (s > 0, finite) when warmup > 0")
        if warmup / period > MAX_WARMUP_REPEATS:  # checked before ceil: 1e3 / 1e-300 is inf
            raise ParameterError("afferents.tjunction.warmup", warmup,
                                 f"a warm-up of at most {MAX_WARMUP_REPEATS} periods ({MAX_WARMUP_REPEATS * period:g} s "
                                 f"for a window of {period:g} s)",
                                 hint="each period of the warm-up is a copy of the window's events; "
                                      "shorten the warm-up or lengthen the window")
        copies = int(math.ceil(warmup / period))
    shift = np.repeat(np.arange(copies, -1, -1, dtype=float) * (period or 0.0), t.size)
    tt = np.tile(t, copies + 1) - shift
    kk, ff = np.tile(kind, copies + 1), np.tile(fiber, copies + 1)
    order = np.lexsort((kk, tt, ff))
    passed = np.zeros(tt.size, np.bool_)
    collided = np.zeros(tt.size, np.bool_)
    run = junction_reference if reference else junction_kernel
    j = junction
    run(tt[order], kk[order], ff[order], window, float(j.safety), float(j.refractory),
        float(j.tau_recovery), float(j.load), float(j.tau_load), passed, collided)
    p, c = np.empty_like(passed), np.empty_like(collided)
    p[order], c[order] = passed, collided
    return p[copies * t.size:], c[copies * t.size:]


# ----------------------------------------------------------------- model parameters
def junction_params(params: Mapping[str, Any], fiber_class: str) -> JunctionParams:
    """The junction of ``fiber_class``: :data:`JUNCTION` updated by the model's
    ``afferents.tjunction.<class>`` table (SI values), if any.

    Parameters
    ----------
    params : mapping
        The model's ``afferents`` section (SI); its ``tjunction`` table is read.
    fiber_class : str
        ``"Abeta"``, ``"Adelta"`` or ``"C"``.

    Returns
    -------
    JunctionParams
        Named ``afferents.tjunction.<class>`` in error messages.

    Raises
    ------
    painsim.errors.ParameterError
        An unknown ``fiber_class``, or a value :class:`JunctionParams` refuses.
    painsim.errors.UnknownKeyError
        A key of the table other than ``safety``, ``refractory``, ``tau_recovery``,
        ``load`` and ``tau_load``.
    """
    if fiber_class not in JUNCTION:
        raise ParameterError("fiber_class", fiber_class, f"one of {tuple(JUNCTION)}")
    table = dict(params.get("tjunction", {}).get(fiber_class, {}))
    known_keys(table, _KEYS, f"key of [afferents.tjunction.{fiber_class}]")
    values = {k: float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
              for k, v in table.items()}
    return replace(JUNCTION[fiber_class], name=f"afferents.tjunction.{fiber_class}", **values)


def drg_arrivals(origin, ids, stem_t, stem_i, fiber_class: str, velocity, params: Mapping[str, Any],
                 duration: float) -> tuple[np.ndarray, np.ndarray]:
    """Spikes of one class that reach the dorsal horn through their T-junctions.

    Parameters
    ----------
    origin, ids : arrays
        Peripheral (natural, ectopic) spikes: time at their origin, ``conduction_distance``
        from the cord (s), and fiber index.
    stem_t, stem_i : arrays
        Spikes a DRG stimulus evoked in the stem axons (time at the ganglion, fiber).
    fiber_class : str
    velocity : (n,) array
        Conduction velocity of each fiber, m/s.
    params : mapping
        The ``afferents`` section (SI): ``conduction_distance``, optional
        ``drg_distance`` (default :data:`DRG_DISTANCE`) and ``tjunction`` table
        (``warmup``, default :data:`WARMUP`; per class, see :func:`junction_params`).
    duration : float
        Length of the simulated window (s): the period of the warm-up.

    Returns
    -------
    times, fibers : arrays
        Arrival times at the dorsal horn and fiber indices of the spikes that passed.

    Raises
    ------
    painsim.errors.ParameterError
        ``drg_distance`` not between 0 and ``conduction_distance``; a ``velocity`` not finite and
        > 0 m/s; ``origin`` and ``ids`` (or ``stem_t`` and ``stem_i``) of different shapes, a time
        not finite, or a fiber index outside ``0 .. velocity.size - 1`` (was a bare IndexError);
        or as :func:`junction_params` and :func:`transmit`.
    """
    cd = float(params["conduction_distance"])
    dd = float(params.get("drg_distance", DRG_DISTANCE))
    if not 0 < dd < cd:
        raise ParameterError("afferents.drg_distance", dd,
                             f"a distance > 0 m and < conduction_distance ({cd} m)")
    warmup = float(params.get("tjunction", {}).get("warmup", WARMUP))
    v = _checked_velocity(velocity)
    origin, ids = _checked_spikes(origin, ids, v.size, ("origin", "ids"))
    stem_t, stem_i = _checked_spikes(stem_t, stem_i, v.size, ("stem_t", "stem_i"))
    peripheral = (cd - dd) / v                    # origin -> junction, s
    t = np.concatenate([origin + peripheral[ids], stem_t])
    kind = np.concatenate([np.zeros(ids.size, np.int64), np.ones(stem_i.size, np.int64)])
    fib = np.concatenate([ids, stem_i])
    passed, _ = transmit(t, kind, fib, 2.0 * peripheral, junction_params(params, fiber_class),
                         warmup=warmup, period=duration)
    return t[passed] + (dd / v)[fib[passed]], fib[passed]


# ----------------------------------------------------------------- measurements
def regular_train(rate: float, n_spikes: int, start: float = 0.0) -> np.ndarray:
    """``n_spikes`` spike times at ``rate`` (Hz) from ``start`` (s).

    Parameters
    ----------
    rate : float
        Rate, Hz (> 0).
    n_spikes : int
        Number of spikes.
    start : float
        Time of the first spike, s.

    Returns
    -------
    numpy.ndarray
        Spike times, s.

    Raises
    ------
    painsim.errors.ParameterError
        ``rate`` is not a finite rate > 0 Hz (a bool was read as 1 Hz, text was a bare TypeError),
        ``n_spikes`` not a whole number >= 0 (was truncated, or an empty train for a negative
        one), or ``start`` not a finite time.
    """
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.integer, np.floating)) \
            or not (math.isfinite(rate) and rate > 0):
        raise ParameterError("rate", rate, "a rate > 0 Hz (a finite number)")
    n_spikes = whole(n_spikes, "n_spikes", 0, allow_float=True)
    if isinstance(start, bool) or not isinstance(start, (int, float, np.integer, np.floating)) \
            or not math.isfinite(start):
        raise ParameterError("start", start, "a finite time in s (a number)")
    return start + np.arange(n_spikes) / rate


def following_frequency(junction: JunctionParams, n_spikes: int, rates=None) -> float:
    """Highest rate (Hz) at which all ``n_spikes`` of a regular train pass a rested
    junction: the *following frequency* of Gemes et al. 2013 (their trains: 2 and
    20 spikes).  ``rates``: the rates tried (default 1-1000 Hz, 1 % steps).

    Parameters
    ----------
    junction : JunctionParams
        The junction, rested before each train.
    n_spikes : int
        Spikes per regular train.
    rates : array of float, optional
        Rates tried, Hz, in increasing order (default 1-1000 Hz, 1 % steps).

    Returns
    -------
    float
        The highest rate tried below the lowest one at which a spike fails, Hz (0.0 if
        the lowest fails).

    Raises
    ------
    painsim.errors.ParameterError
        ``junction`` not a :class:`JunctionParams`, ``n_spikes`` not a whole number >= 1 (0 or a
        negative number answered the highest rate tried), no rate to try, or a rate tried not
        > 0 Hz (:func:`regular_train`).
    """
    if not isinstance(junction, JunctionParams):
        raise ParameterError("junction", junction, "a JunctionParams (e.g. JUNCTION['C'])")
    n_spikes = whole(n_spikes, "n_spikes", 1, allow_float=True)
    rates = np.exp(np.arange(np.log(1.0), np.log(1000.0), 0.01)) if rates is None else np.asarray(rates)
    if rates.size == 0:
        raise ParameterError("rates", rates.tolist(), "one or more rates to try, Hz")
    best = 0.0
    for f in np.sort(rates):
        t = regular_train(float(f), n_spikes)
        passed, _ = transmit(t, np.zeros(t.size, np.int64), np.zeros(t.size, np.int64),
                             np.zeros(1), junction)
        if not passed.all():
            break
        best = float(f)
    return best
