"""Classic protocols as data: the textbook curves of each rule.

:func:`stdp_window` (weight change vs spike timing, Bi & Poo 1998),
:func:`pairing_frequency_curve` (Sjostrom et al. 2001 pairing protocol) and
:func:`frequency_curve` (presynaptic trains of a given frequency) return
xarray Datasets, used by :mod:`painsim.plots`, notebooks and tests.  Every
point of a curve is its own protocol on a fresh synapse, run alone (one kernel
call per point, :func:`_run_each`) from 0 s and read ``tail`` seconds after its
own last spike, so a point does not depend on which other points are asked
for: a rule whose weight moves after the spikes (the calcium rule's drift)
would otherwise be read later for the shorter protocols.  A curve is a function of
its swept variable (``dt``, ``frequency``): its points come in ascending order of
it whatever the order asked, and a value asked twice is refused.
"""
from __future__ import annotations

import numpy as np
import xarray as xr

from ..checks import number, whole
from ..errors import ParameterError
from ..units import brian_dim, to_si
from .base import PlasticityRule
from .bcm import BCM
from .stdp import _TraceSTDP
from .theta_burst import TBSCalcium

__all__ = ["stdp_window", "pairing_frequency_curve", "frequency_curve"]


def _additive(rule) -> bool:
    """Whether ``rule`` changes a weight by amounts that do not depend on it, clipped only at the
    bounds: additive STDP, BCM (``eta x (y - theta)`` per postsynaptic spike) and the theta-burst
    rule (``gain x Delta(F - I)`` per theta tick, :mod:`.theta_burst`).  Their curves default to no
    bounds from ``w0 = 0``: the change in weight units.  The source of the theta-burst rule bounds
    nothing (Huang et al. 2011 and Ma et al. 2022's after-effect F - I has no limit); its bounds in
    the circuit are the model file's clip of the efficacy (``plasticity.<conn>.w_min``, ``w_max``
    of ``models/gate_control.toml``, [0, 2] around 1), a choice of the circuit, not of the rule."""
    return (isinstance(rule, _TraceSTDP) and not rule.multiplicative) or isinstance(rule, (BCM, TBSCalcium))


def _curve_bounds(rule, w0, w_min, w_max):
    """``(w0, lo, hi)`` of a curve.  Defaults (:func:`_additive`): additive rules unbounded from
    w0 = 0 (the change in weight units, no clipping); the calcium rule, scaling and soft-bound
    STDP on [0, 1] from 0.5 (the calcium rule's rho, whose unstable fixed point rho_star is 0.5).

    A default ``w0`` with bounds given lies strictly inside them: the middle of two finite bounds;
    with one finite bound (an additive rule's ``w_min`` or ``w_max`` alone) the rule's own w0 = 0
    if it lies strictly inside, else ``w0`` must be given (refused naming it: on the bound, one
    side of every change was clipped away, silently halving the curve)."""
    lo_d, hi_d, w0_d = (-np.inf, np.inf, 0.0) if _additive(rule) else (0.0, 1.0, 0.5)
    lo = lo_d if w_min is None else _bound(w_min, "w_min")
    hi = hi_d if w_max is None else _bound(w_max, "w_max")
    if not lo < hi:
        raise ParameterError("w_min", w_min, f"a value < w_max = {hi!r}")
    if w0 is None:
        if (lo_d, hi_d) == (lo, hi) or (not (np.isfinite(lo) and np.isfinite(hi)) and lo < w0_d < hi):
            w0 = w0_d
        elif np.isfinite(lo) and np.isfinite(hi):
            w0 = 0.5 * (lo + hi)
        else:
            given = "w_min" if np.isfinite(lo) else "w_max"
            raise ParameterError("w0", None, f"a starting weight given with the one bound {given} = "
                                 f"{lo if np.isfinite(lo) else hi!r}: the default w0 = {w0_d!r} is not strictly "
                                 "inside [w_min, w_max], so the changes towards the bound would be clipped away",
                                 hint="pass w0 inside the bound, or both w_min and w_max (w0 defaults to their middle)")
    w0 = number(w0, "w0", allowed=f"a weight within [w_min, w_max] = [{lo!r}, {hi!r}]")
    if not lo <= w0 <= hi:
        raise ParameterError("w0", w0, f"a weight within [w_min, w_max] = [{lo!r}, {hi!r}]")
    return w0, lo, hi


def _bound(value, name: str) -> float:
    """A weight bound: a number, or an infinity (an unbounded side); NaN, text or a bool refused."""
    if isinstance(value, (bool, str)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or np.isnan(value):
        raise ParameterError(name, value, "a weight bound (a number; inf for no bound)")
    return float(value)


def _check_rule(rule):
    if not isinstance(rule, PlasticityRule):
        raise ParameterError("rule", rule, "a painsim.plasticity rule (PairSTDP(), TripletSTDP.preset(...), ...)")


def _as_1d(values, name, unit, positive=False):
    """A 1-D float array in SI from plain numbers (already SI), strings or quantities."""
    def one(v):
        if isinstance(v, str) or brian_dim(v) is not None:
            return to_si(v, unit, name, allow_array=True)
        if isinstance(v, bool):
            raise ParameterError(name, values, f"numbers in {unit} (SI) or quantities")
        return v
    try:
        if isinstance(values, str) or brian_dim(values) is not None:
            a = np.atleast_1d(np.asarray(one(values), dtype=float))
        else:
            a = np.atleast_1d(np.asarray([one(v) for v in np.atleast_1d(np.asarray(values, dtype=object))],
                                         dtype=float))
    except (TypeError, ValueError) as e:
        if isinstance(e, ParameterError):
            raise
        raise ParameterError(name, values, f"numbers in {unit} (SI) or quantities") from None
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
        raise ParameterError(name, values, f"a non-empty sequence of finite values in {unit}")
    if positive and np.any(a <= 0):
        raise ParameterError(name, values, f"values > 0 {unit}")
    return a


def _swept(values, name, unit, positive=False):
    """The swept variable of a curve (:func:`_as_1d`) in ascending order: a curve is a function of
    it, so its points come sorted whatever the order asked (points appended to a list were drawn,
    and their sign changes found, out of order).  A value asked twice is refused: the Dataset's
    coordinate would repeat, so selecting that point (``.sel``) gives two."""
    a = _as_1d(values, name, unit, positive)
    s = np.sort(a)
    repeated = np.unique(s[1:][s[1:] == s[:-1]])
    if repeated.size:
        raise ParameterError(name, values, f"distinct values in {unit} (each point of the curve once)",
                             hint=f"repeated: {', '.join(f'{x:g}' for x in repeated)}")
    return s


def _run_each(rule, pre, post, w0, lo, hi, tail):
    """:func:`_run_pairs` for each train k alone, read ``tail`` seconds after its own last spike.

    A rule whose weight moves after the spikes (the calcium rule's slow drift) must be read at the
    same delay after every protocol: read at the end of the longest one, a short train's change
    would depend on which other trains share the call.
    """
    return np.array([_run_pairs(rule, [a], [b], w0, lo, hi,
                                max(float(np.max(a, initial=0.0)), float(np.max(b, initial=0.0))) + tail + 1e-9)[0]
                     for a, b in zip(pre, post)])


def _run_pairs(rule, pre, post, w0, lo, hi, t_end):
    """One synapse per train k: pre[k], post[k] (sorted time arrays). Returns dw per synapse."""
    n = len(pre)
    pt = np.concatenate(pre)
    pi = np.concatenate([np.full(len(x), k, np.int64) for k, x in enumerate(pre)])
    qt = np.concatenate(post) if n else np.empty(0)
    qi = np.concatenate([np.full(len(x), k, np.int64) for k, x in enumerate(post)])
    o, q = np.argsort(pt, kind="stable"), np.argsort(qt, kind="stable")
    ids = np.arange(n)
    w, _ = rule.apply(pt[o], pi[o], qt[q], qi[q], ids, ids, np.full(n, w0), rule.initial_state(n, n, n),
                      0.0, t_end, lo, hi)
    return w - w0


def stdp_window(rule, dts, *, w0=None, w_min=None, w_max=None, tail=2.0):
    """Weight change after a single pre/post spike pair, against their timing.

    For each ``dt = t_post - t_pre`` one isolated pair is applied to a fresh
    synapse (zero traces), its first spike at 1 s, its weight read ``tail`` s
    after its second: the STDP window of Bi & Poo (1998, J Neurosci
    18:10464).  For :class:`PairSTDP` the result is ``A_plus exp(-dt/tau_plus)``
    for ``dt >= 0`` and ``-A_minus exp(dt/tau_minus)`` for ``dt < 0``.

    Parameters
    ----------
    rule : PlasticityRule
        Any rule; the window is most meaningful for the STDP rules and the
        ``pre_post`` calcium rule.
    dts : array_like of float (s) or of quantities
        Spike-timing differences ``t_post - t_pre``.
    w0, w_min, w_max : float, optional
        Initial weight and bounds.  Defaults: additive rules (additive STDP, BCM and
        :class:`TBSCalcium`, whose source bounds nothing) unbounded from ``w0 = 0``; calcium
        rule, scaling and soft bounds ``[0, 1]`` from ``w0 = 0.5``.  With bounds given, the
        default ``w0`` lies strictly inside them: their middle if both are finite; with one
        finite bound (an additive rule's ``w_min`` or ``w_max`` alone) ``w0 = 0`` if it lies
        strictly inside, else ``w0`` must be given (on the bound, the changes towards it were
        clipped away: half the curve lost).
    tail : float
        Seconds simulated after each pair's second spike, when its weight is read (matters for
        the calcium rule, whose weight drifts after the spikes; the STDP rules change only at
        spikes).

    Returns
    -------
    xarray.Dataset
        ``dw`` (weight change) over coordinate ``dt`` (s), in ascending order of ``dt`` whatever
        the order of ``dts``.

    Raises
    ------
    painsim.errors.ParameterError
        For a non-rule, empty, non-finite or repeated ``dts``, or bounds or ``w0`` that are not
        numbers (NaN, text or a bool), ``w_min >= w_max`` or ``w0`` outside them, no ``w0`` with
        one finite bound on or beyond the rule's default ``w0`` (named ``w0``), ``tail`` not a
        number >= 0.
    """
    _check_rule(rule)
    d = _swept(dts, "dts", "s")
    tail = number(tail, "tail", lo=0.0)
    w0, lo, hi = _curve_bounds(rule, w0, w_min, w_max)
    # each pair on its own: first spike at 1 s whatever the other dts (read at a shared end time,
    # a pair's change depended on the longest dt asked for)
    pre = [np.array([1.0 + max(-x, 0.0)]) for x in d]
    post = [np.array([1.0 + max(x, 0.0)]) for x in d]
    dw = _run_each(rule, pre, post, w0, lo, hi, tail)
    return xr.Dataset({"dw": (("dt",), dw, {"units": "1", "long_name": "weight change after one pair"})},
                      coords={"dt": ("dt", d, {"units": "s", "long_name": "t_post - t_pre"})},
                      attrs={"rule": type(rule).__name__, "w0": w0, "w_min": lo, "w_max": hi})


def pairing_frequency_curve(rule, freqs, dt=0.010, *, n_pairs=60, w0=None, w_min=None, w_max=None,
                            tail=1.0):
    """Weight change after ``n_pairs`` pre/post pairings repeated at each frequency.

    The protocol of Sjostrom, Turrigiano & Nelson (2001, Neuron 32:1149) as
    modelled by Pfister & Gerstner (2006, J Neurosci 26:9673, Fig. 4): a
    presynaptic spike at ``k / f`` and a postsynaptic spike ``dt`` later,
    ``k = 0 .. n_pairs - 1``.  With the triplet rule, ``dt = -10 ms`` gives
    LTD at low frequency and LTP at high, ``dt = +10 ms`` LTP that grows with
    frequency.

    Parameters
    ----------
    rule : PlasticityRule
    freqs : array_like of float (Hz) or quantities
        Pairing frequencies (> 0).
    dt : float (s), quantity or sequence of them
        ``t_post - t_pre`` of each pair; default +10 ms.
    n_pairs : int
        Pairings per protocol; default 60 (Pfister & Gerstner 2006 [recalled]).
    w0, w_min, w_max : float, optional
        As in :func:`stdp_window`.
    tail : float
        Seconds simulated after each protocol's own last spike, when its weight is read (matters
        for the calcium rule, whose weight drifts after the spikes: every protocol is read at the
        same delay, so its change does not depend on the other frequencies asked for).

    Returns
    -------
    xarray.Dataset
        ``dw`` over ``(dt, frequency)``, each in ascending order whatever the order of ``dt`` and
        ``freqs``.

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`stdp_window`; also ``freqs`` not > 0 or repeated, ``dt`` repeated, ``n_pairs`` not
        a whole number >= 1, ``tail`` not a number >= 0.
    """
    _check_rule(rule)
    f = _swept(freqs, "freqs", "Hz", positive=True)
    d = _swept(dt, "dt", "s")
    n_pairs = whole(n_pairs, "n_pairs", allow_float=True)
    tail = number(tail, "tail", lo=0.0)
    w0, lo, hi = _curve_bounds(rule, w0, w_min, w_max)
    t0 = 1.0 + float(np.max(np.abs(d)))
    pre, post = [], []
    for x in d:
        for fr in f:
            p = t0 + np.arange(int(n_pairs)) / fr
            pre.append(p)
            post.append(np.sort(p + x))
    dw = _run_each(rule, pre, post, w0, lo, hi, tail).reshape(d.size, f.size)
    return xr.Dataset({"dw": (("dt", "frequency"), dw, {"units": "1", "long_name": "weight change"})},
                      coords={"dt": ("dt", d, {"units": "s", "long_name": "t_post - t_pre"}),
                              "frequency": ("frequency", f, {"units": "Hz", "long_name": "pairing frequency"})},
                      attrs={"rule": type(rule).__name__, "n_pairs": int(n_pairs), "w0": w0,
                             "w_min": lo, "w_max": hi})


def frequency_curve(rule, freqs, *, n_pulses=900, w0=None, w_min=None, w_max=None, tail=2.0):
    """Weight change after a presynaptic train of ``n_pulses`` at each frequency.

    No postsynaptic spikes: the rule sees the conditioning train only, as for
    the presynaptically driven calcium rule (``CalciumRule.preset
    ("spinal_presynaptic")``), whose sign then depends on frequency (LTD at
    1 Hz, LTP at 100 Hz; Dudek & Bear 1992 PNAS 89:4363 used 900 pulses at
    1-50 Hz [recalled], the default here).

    Parameters
    ----------
    rule : PlasticityRule
    freqs : array_like of float (Hz) or quantities
    n_pulses : int
        Pulses per train (default 900).
    w0, w_min, w_max : float, optional
        As in :func:`stdp_window` (calcium rule: ``[0, 1]`` from 0.5; :class:`TBSCalcium`, additive:
        unbounded from 0).
    tail : float
        Seconds simulated after each train's own last pulse, when its weight is read (every train
        is read at the same delay, so a frequency's change does not depend on the others asked for).

    Returns
    -------
    xarray.Dataset
        ``dw`` over ``frequency``, in ascending order of frequency whatever the order of ``freqs``
        (frequencies appended to a list take their place on the curve).

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`stdp_window`; also ``freqs`` not > 0 or repeated, ``n_pulses`` not a whole number >= 1,
        ``tail`` not a number >= 0.
    """
    _check_rule(rule)
    f = _swept(freqs, "freqs", "Hz", positive=True)
    n_pulses = whole(n_pulses, "n_pulses", allow_float=True)
    tail = number(tail, "tail", lo=0.0)
    w0, lo, hi = _curve_bounds(rule, w0, w_min, w_max)
    pre = [1.0 + np.arange(int(n_pulses)) / fr for fr in f]
    dw = _run_each(rule, pre, [np.empty(0) for _ in f], w0, lo, hi, tail)
    return xr.Dataset({"dw": (("frequency",), dw, {"units": "1", "long_name": "weight change"})},
                      coords={"frequency": ("frequency", f, {"units": "Hz", "long_name": "stimulation frequency"})},
                      attrs={"rule": type(rule).__name__, "n_pulses": int(n_pulses), "w0": w0,
                             "w_min": lo, "w_max": hi})
