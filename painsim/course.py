"""Treatment courses: sessions on a calendar, consolidation and relapse between them.

A course (:func:`run_course`) applies a :class:`painsim.protocols.Protocol`
to a model: on each session day the protocol's stimulation reconditions the
plastic synapses (the model's ``[plasticity.*]`` sections, with the
protocol's overrides); between sessions the changes consolidate or fade while
the pathology pulls the weights back to where it holds them; a standard
pain test on each day gives the pain trajectory.

Session engine (DESIGN.md, "session" scale)
-------------------------------------------
A session of duration D is never simulated in full.  It is cut into
``course.n_chunks`` chunks; in each chunk the network is simulated for
representative *windows* of ``course.window`` (plus a ``course.lead_in`` so
that pulses delivered before the window still arrive in it) with the current
weights, and the plasticity rules are applied to the windows' spikes
replayed, one window length at a time on a continuous clock, until the
chunk's share of the session is covered (a fractional last replay applies
the rule to the first part of the window).  Weights are clipped to the rule's
bounds at every spike (the rules clip) and the network sees the new weights
at the next chunk.

* Continuous protocols (tonic, burst, 10 kHz, TENS, mPNS at 0.5 Hz): one
  window per chunk.
* Patterned protocols (an rTMS train + pause, iTBS on/off): the pattern
  period P is cut into ``floor(P / window)`` segments, each represented by a
  window at its start (identical windows are simulated once), and the
  segments are replayed in their order within each period, so the duty cycle
  is represented exactly when the pattern's edges fall on segment edges
  (rTMS 10 s on / 50 s off with 1 s windows: 10 train and 50 pause segments).

*Background subtraction.*  Every window is simulated twice in the same
batch: with the protocol and without it (same seed, same weights).  The
change a window makes is the rule's change with the protocol minus its
change without it (``w <- clip(w + f(w) - g(w))`` at every replay step).  The
patient's ongoing activity (spontaneous and ectopic firing) is present all day
long; its long-run effect on the weights is the pathological set point itself
(see below), so a session only adds what its stimulation changes.  Without
this, the presynaptic calcium rule would depress the synapses of ectopic C
fibres during any 15 minutes, sham or not.  A sham session (no pulses) adds
exactly nothing and is not simulated.

Convergence study (``benchmarks/course_convergence.py``, numpy target): a
40 s session of 1 Hz conditioning at C-fibre strength (``lfs_1hz``) on the
neuropathic preset (seed 3), chunked runs compared with the full run (all 40
windows of 1 s simulated in turn, each with the weights left by the previous
one).  Error = largest relative error, over the plastic connections, of the
mean efficacy change (full run, calcium: c_pn -0.0090, adelta_pn -0.0088;
pair STDP: c_pn -0.0278, adelta_pn +0.0218):

============================  ===========  ========  ===================  ===========
rule                          window       n_chunks  rel. error           pain diff.
============================  ===========  ========  ===================  ===========
calcium, spinal_presynaptic   1 s          1         3.5e-6               0.000 NRS
calcium, spinal_presynaptic   1 s          2         8.8e-7               0.000 NRS
calcium, spinal_presynaptic   1 s          4         2.3e-7               0.000 NRS
calcium, spinal_presynaptic   2 s          1, 2      0.24                 0.025 NRS
calcium, spinal_presynaptic   0.5 s        2         1.04                 0.025 NRS
pair STDP (post-dependent)    1 s          1         0.24                 0.012 NRS
pair STDP                     1 s          2         0.16                 0.000 NRS
pair STDP                     1 s          4         0.055                0.000 NRS
pair STDP                     2 s          1, 2      2.8-2.9              0.195 NRS
pair STDP                     0.5 s        2         1.8                  0.060 NRS
============================  ===========  ========  ===================  ===========

Reading: at a fixed window length, for the presynaptically driven rule (the
one the library's spinal protocols use), the chunked extrapolation
reproduces the window-by-window run to < 1e-5 (the remaining difference is
where the consolidation step is taken; tests/test_course.py checks < 1e-3).
For a rule that sees postsynaptic spikes the error is the neglected feedback
of the weight change on the firing within a chunk and falls with the chunk
count (24 %, 16 %, 5.5 % for 1, 2, 4 chunks); use ``n_chunks >= 4`` for
such rules.  Changing the window length changes the answer by tens of
percent (calcium) up to three-fold (STDP) of these small changes: every window of a patient is simulated with the patient's seed
(connectivity is drawn from it), so one realisation of the ongoing
spontaneous and ectopic activity is replayed throughout the session, and its
chance coincidences with evoked spikes (the rule's NMDA-like boost) are
replayed with it.  This is a sampling error of the frozen background, not
of the chunking; removing it needs a separate noise seed per window
(``Request(noise_seed=...)``, a change to painsim.simulation/fibers).  The
defaults (``window = 1 s``, ``n_chunks = 2``) are the cheapest setting
whose chunking error is negligible for the library's rules; two chunks let
post-dependent rules see their weight change once per session.

Speed.  A session costs ``n_chunks`` x (its distinct stimulated windows +
the companion) windows of ``lead_in + window``, whatever its length; a
window without pulses (the pause of a patterned protocol) is the companion
itself and is not simulated again.  The windows of all patients of a batch
in a chunk run together in brian2 networks of up to ``batch_size`` windows;
the chunks of a course simulate the same windows of the same patients with
new efficacies, so these networks are built once per course and rerun
(:class:`painsim.simulation.PointsRunner`), and the windows are read as raw
spikes, without a labelled Dataset each.  The 4-session rTMS test course of
a pathway patient (4 windows per chunk) costs ~6 s of one core in batches of
16-32 patients; 200 patients ran in 9.6 min on 2 workers
(``benchmarks/bench_cohort.py``).  A 20-session course of the spinal
neuropathic preset (``benchmarks/bench_course.py``) takes 50-56 s with the
Cython target (51-54 x one simulated second of the same network) and 120 s
with numpy.

Between sessions (DESIGN.md, "course" scale)
--------------------------------------------
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

Pain test
---------
On each day of the ``day`` coordinate (before that day's session) and after
each session, a test window of ``course.test_duration`` with a noxious
stimulus of ``course.test_noxious`` is simulated with the patient's seed, so
that the tests of a patient differ only in the efficacies.  All test windows
of all patients run in one batch at the end.
"""
from __future__ import annotations

import json
import math
import time as _time
from dataclasses import dataclass, field
from typing import Sequence

import numba
import numpy as np
import xarray as xr

from . import plasticity as _pl
from .errors import ParameterError
from .params import Model, load_model
from .protocols import Protocol, get as get_protocol

__all__ = ["run_course", "run_course_batch", "consolidate", "consolidate_reference", "ConsolidationParams",
           "session_weights", "run_course_file"]

_DAY = 86400.0


# ==========================================================================
# consolidation between sessions
# ==========================================================================
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
    from scipy.linalg import expm
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


# ==========================================================================
# session engine
# ==========================================================================
def _course_params(model: Model) -> dict:
    c = model.section("course")
    for k in ("window", "test_duration"):
        if not c[k] > 0:
            raise ParameterError(f"course.{k}", c[k], "a time > 0 s")
    if int(c["n_chunks"]) < 1:
        raise ParameterError("course.n_chunks", c["n_chunks"], "a whole number >= 1")
    if not 0 <= c["test_noxious"] <= 1:
        raise ParameterError("course.test_noxious", c["test_noxious"], "an intensity in [0, 1]")
    return c


@dataclass
class _Chunk:
    duration: float
    windows: list            # Waveforms of length lead + window (protocol windows, unique)
    schedule: list           # [(window index, represented time in s)] in time order


def _session_plan(protocol: Protocol, D: float, L: float, lead: float, n_chunks: int, full: bool) -> list[_Chunk]:
    """Chunks of one session: which windows to simulate and how to replay them."""
    if full:
        n = max(1, int(round(D / L)))
        step = D / n
        return [_Chunk(step, [_lead_window(protocol, c * step, L, lead)], [(0, step)]) for c in range(n)]
    T = D / n_chunks
    P = protocol.period
    if P is None or P <= L + 1e-9:
        wf = _lead_window(protocol, 0.0, L, lead)
        return [_Chunk(T, [wf], [(0, T)]) for _ in range(n_chunks)]
    n_seg = max(1, int(math.ceil(P / L - 1e-9)))
    seg = P / n_seg  # <= L: segments tile the period; a segment replays the first `seg` of its window
    windows, index, keys = [], [], {}
    for k in range(n_seg):
        wf = protocol.waveform(k * seg - lead, k * seg + L)
        key = _wf_key(wf)
        if key not in keys:
            keys[key] = len(windows)
            windows.append(wf)
        index.append(keys[key])
    chunks = []
    for c in range(n_chunks):
        t, end = c * T, (c + 1) * T
        sched = []
        while t < end - 1e-9:
            phase = t % P
            k = min(int(math.floor(phase / seg + 1e-9)), n_seg - 1)
            seg_end = t - phase + (k + 1) * seg
            d = min(seg_end, end) - t
            if sched and sched[-1][0] == index[k]:
                sched[-1] = (index[k], sched[-1][1] + d)
            else:
                sched.append((index[k], d))
            t += d
        chunks.append(_Chunk(T, windows, sched))
    return chunks


def _wf_key(wf) -> tuple:
    """Identity of a window's pulses up to rounding (windows cut at different phases of a regular train)."""
    return (round(wf.duration, 9), tuple(np.round(wf.onsets, 9)), tuple(np.round(wf.amplitudes, 12)),
            tuple(np.round(wf.widths, 12)))


def _lead_window(protocol, start, L, lead):
    """The window [start - lead, start + L) of the session's stimulation (steady before 0)."""
    return protocol.waveform(start - lead, start + L)


@dataclass
class _ConnSpikes:
    pre_t: np.ndarray
    pre_i: np.ndarray
    post_t: np.ndarray
    post_i: np.ndarray


@dataclass
class _Patient:
    model: Model
    seed: int
    plastic: dict                       # conn -> (rule, lo, hi)
    endpoints: dict                     # conn -> (source, target)
    cons: ConsolidationParams
    w_set: dict = field(default_factory=dict)
    early: dict = field(default_factory=dict)
    late: dict = field(default_factory=dict)
    syn: dict = field(default_factory=dict)    # conn -> (syn_pre, syn_post, n_pre, n_post)

    def weights(self) -> dict:
        out = {}
        for conn, (_, lo, hi) in self.plastic.items():
            if conn in self.w_set:
                out[conn] = np.clip(self.w_set[conn] + self.early[conn] + self.late[conn], lo, hi)
        return out

    def evolve(self, T: float):
        if T <= 0:
            return
        for conn, (_, lo, hi) in self.plastic.items():
            if conn in self.w_set:
                self.early[conn], self.late[conn] = consolidate(self.early[conn], self.late[conn], self.w_set[conn],
                                                                lo, hi, T, self.cons)


def _endpoints(model):
    try:
        return _pl._conn_sources(model)
    except TypeError:  # older signature without the model
        return _pl._conn_sources()


def _sorted_spikes(out, pop):
    """A population's spikes of one window in time order (stable): times, indices, size."""
    t, i = out.spikes[pop]
    order = np.argsort(t, kind="stable")
    return np.asarray(t, np.float64)[order], np.asarray(i, np.int64)[order], int(out.sizes[pop])


def _extract(out, patient: _Patient, lead: float, L: float) -> dict:
    """Per plastic connection, the window's spikes in [lead, lead + L), re-timed to start at 0.

    ``out`` is the window's raw :class:`painsim.circuits.network.PointOutput`
    (:func:`painsim.simulation.run_points`: no labelled Dataset per window)."""
    result = {}
    for conn in patient.plastic:
        src, tgt = patient.endpoints[conn]
        pt, pi, n_pre = _sorted_spikes(out, src)
        qt, qi, n_post = _sorted_spikes(out, tgt)
        a, b = np.searchsorted(pt, [lead, lead + L])
        c, d = np.searchsorted(qt, [lead, lead + L])
        result[conn] = _ConnSpikes(pt[a:b] - lead, np.ascontiguousarray(pi[a:b]), qt[c:d] - lead,
                                   np.ascontiguousarray(qi[c:d]))
        if conn not in patient.syn:
            pre, post = out.synapses[conn]
            patient.syn[conn] = (np.asarray(pre, np.int64), np.asarray(post, np.int64), n_pre, n_post)
        if conn not in patient.w_set:
            rule, lo, hi = patient.plastic[conn]
            w0 = np.clip(np.asarray(out.weights[conn], float), lo, hi)
            patient.w_set[conn] = w0
            patient.early[conn] = np.zeros_like(w0)
            patient.late[conn] = np.zeros_like(w0)
    return result


def _in_window(sp: _ConnSpikes, t: float, length: float):
    """A window's spikes shifted to start at ``t``, cut to its first ``length`` s."""
    a = np.searchsorted(sp.pre_t, length, side="left")
    b = np.searchsorted(sp.post_t, length, side="left")
    return sp.pre_t[:a] + t, sp.pre_i[:a], sp.post_t[:b] + t, sp.post_i[:b]


def _same(a: _ConnSpikes, b: _ConnSpikes, pre_only: bool) -> bool:
    same = np.array_equal(a.pre_t, b.pre_t) and np.array_equal(a.pre_i, b.pre_i)
    if not pre_only:
        same = same and np.array_equal(a.post_t, b.post_t) and np.array_equal(a.post_i, b.post_i)
    return same


def _replay_chunk(patient: _Patient, chunk: _Chunk, prot: list, sham: dict, states: dict, clock: float,
                  L: float) -> None:
    """Apply the rules to the chunk's windows (protocol minus sham), updating the weights in place."""
    w_now = patient.weights()
    for conn, (rule, lo, hi) in patient.plastic.items():
        syn_pre, syn_post, n_pre, n_post = patient.syn[conn]
        if syn_pre.size == 0:
            continue
        # the spikes come from the simulator (sorted, in range): the rule's unchecked path
        lo_arr = np.ascontiguousarray(np.broadcast_to(np.asarray(lo, np.float64), syn_pre.shape))
        hi_arr = np.ascontiguousarray(np.broadcast_to(np.asarray(hi, np.float64), syn_pre.shape))
        pre_only = getattr(rule, "drive", None) == "presynaptic"
        st = states.setdefault(conn, {"f": rule.initial_state(syn_pre.size, n_pre, n_post),
                                      "g": rule.initial_state(syn_pre.size, n_pre, n_post), "sync": True})
        if st["sync"] and all(_same(prot[k][conn], sham[conn], pre_only) for k, _ in chunk.schedule):
            continue  # the stimulation adds nothing to this connection's input: no change
        st["sync"] = False
        w = w_now[conn]
        t = clock
        g_sp = sham[conn]
        for k, dur in chunk.schedule:
            f_sp = prot[k][conn]
            m = dur / L
            n_full = int(math.floor(m + 1e-9))
            parts = [L] * n_full
            if m - n_full > 1e-9:
                parts.append((m - n_full) * L)
            for length in parts:
                wf_, st["f"] = rule.apply_unchecked(*_in_window(f_sp, t, length), syn_pre, syn_post, w, st["f"],
                                                   t, t + length, lo_arr, hi_arr)
                wg_, st["g"] = rule.apply_unchecked(*_in_window(g_sp, t, length), syn_pre, syn_post, w, st["g"],
                                                   t, t + length, lo_arr, hi_arr)
                w = np.clip(w + (wf_ - wg_), lo, hi)
                t += length
        # the change enters the early component at the middle of the chunk
        delta = w - w_now[conn]
        patient.early[conn] = patient.early[conn] + delta


def _check_follow_up(follow_up_days, thresholds):
    fu = tuple(float(d) for d in np.atleast_1d(np.asarray(follow_up_days if follow_up_days is not None else (),
                                                          dtype=float)))
    if any(not math.isfinite(d) or d < 0 for d in fu):
        raise ParameterError("follow_up_days", follow_up_days, "days >= 0 from the start of the course")
    th = tuple(float(x) for x in np.atleast_1d(np.asarray(thresholds, dtype=float)))
    if any(not (0 < x <= 1) for x in th):
        raise ParameterError("thresholds", thresholds, "fractions of relief in (0, 1], e.g. (0.3, 0.5)")
    return fu, th


def run_course_batch(models, protocol, seeds: Sequence[int] | None = None, *, follow_up_days=(30, 90),
                     thresholds=(0.3, 0.5), days: Sequence[float] | None = None, batch_size: int = 128,
                     session: str = "chunked", tests: str = "all", progress: bool = False,
                     per_neuron=frozenset()) -> xr.Dataset:
    """Run one protocol on many patients; their sessions are simulated together.

    Parameters
    ----------
    models : Model, str or sequence of them
        One model per patient, or one model for all (then ``seeds`` says how
        many patients).
    protocol : Protocol or str
        A :class:`painsim.protocols.Protocol` or a library name
        (:func:`painsim.protocols.names`).
    seeds : sequence of int, optional
        One seed per patient (default: 0, 1, ...).  A patient's result
        depends only on its model, seed and the protocol, never on its batch
        companions (:func:`painsim.simulate_batch` guarantees this per window).
    follow_up_days, thresholds, days, session, progress
        As :func:`run_course`.
    per_neuron : set of str
        Neuron parameters that differ between the patients (a sweep over
        them): stored per neuron so that the patients share networks
        (:func:`painsim.circuits.network.shared_parameters`).
    tests : {"all", "follow_up"}
        ``"all"``: the pain test on every day of the ``day`` coordinate and
        after every session.  ``"follow_up"``: only on day 0 (the baseline),
        the follow-up days and ``days``; the other entries of the
        test-derived variables are NaN (a cohort needs one relief day).
    batch_size : int
        Windows per brian2 network.  All windows of one chunk of all
        patients (each protocol window and its companion) and all test
        windows are simulated together, in networks of up to this many
        points; each network is built once per course and rerun with the
        new efficacies in every chunk.  A network's cost per step is a
        fixed part (~24 brian2 code objects) plus a part per neuron; on the
        pathway the cost per window falls by ~10-15 % from 32 to 64 windows
        per network and is the same within noise at 128 (measured: 158-172
        vs 135-157 ms per 1.3-s window, Cython), so 128 is the default: the
        4 windows per chunk of the 32 patients of a cohort batch.

    Returns
    -------
    xarray.Dataset
        As :func:`run_course`, with a leading ``patient`` dimension.
    """
    from .simulation import PointsRunner, Request, simulate_batch, site_pn_rates

    protocol = get_protocol(protocol)
    if isinstance(models, (Model, str)) or hasattr(models, "__fspath__"):
        models = [models] * (len(seeds) if seeds is not None else 1)
    models = [load_model(m) if not isinstance(m, Model) else m for m in models]
    if seeds is None:
        seeds = list(range(len(models)))
    seeds = [int(s) for s in seeds]
    if len(seeds) != len(models):
        raise ParameterError("seeds", len(seeds), f"one seed per model ({len(models)})")
    if session not in ("chunked", "full"):
        raise ParameterError("session", session, "'chunked' or 'full'")
    if tests not in ("all", "follow_up"):
        raise ParameterError("tests", tests, "'all' or 'follow_up'")
    fu, th = _check_follow_up(follow_up_days, thresholds)
    cal = protocol.calendar
    patients = []
    for m, s in zip(models, seeds):
        mp = m.with_params(protocol.plasticity) if protocol.plasticity else m
        patients.append(_Patient(mp, s, _pl.plastic_connections(mp), _endpoints(mp),
                                 ConsolidationParams.from_model(mp)))
    cp = [_course_params(p.model) for p in patients]
    L, lead, n_chunks = cp[0]["window"], cp[0]["lead_in"], int(cp[0]["n_chunks"])
    t_dur, t_nox = cp[0]["test_duration"], cp[0]["test_noxious"]
    for c in cp[1:]:
        if (c["window"], c["lead_in"], int(c["n_chunks"]), c["test_duration"], c["test_noxious"]) != \
                (L, lead, n_chunks, t_dur, t_nox):
            raise ParameterError("course", "differs between patients", "the same [course] parameters for "
                                 "every patient of a batch")
    D = cal.session_duration
    plan = _session_plan(protocol, D, L, lead, n_chunks, session == "full")
    day_coord = sorted({0.0, *cal.days, *fu, *(float(d) for d in (days or ()))})
    # ------------------------------------------------------------ sessions
    tests_day: list[list[dict]] = [[] for _ in patients]      # weights at each day (pre-session)
    tests_session: list[list[dict]] = [[] for _ in patients]  # weights after each session
    late_day: list[list[dict]] = [[] for _ in patients]
    session_pn = np.full((len(patients), cal.n_sessions), np.nan)
    now = 0.0
    day_times = [d * _DAY for d in day_coord]
    di = 0
    wall = _time.time()
    active = not protocol.is_sham and any(p.plastic for p in patients)

    def record_days(until, inclusive):
        nonlocal di, now
        while di < len(day_times) and (day_times[di] < until or (inclusive and day_times[di] <= until)):
            for k, p in enumerate(patients):
                p.evolve(day_times[di] - now)
            now = max(now, day_times[di])
            for k, p in enumerate(patients):
                tests_day[k].append(p.weights())
                late_day[k].append({c: v.copy() for c, v in p.late.items()})
            di += 1

    runner, runner_key = None, None
    for s_idx, day in enumerate(cal.days):
        t_s = day * _DAY
        record_days(t_s, inclusive=True)
        for p in patients:
            p.evolve(t_s - now)
        now = t_s
        if active:
            states = [dict() for _ in patients]
            clock = 0.0
            pn_acc = np.zeros(len(patients))
            for chunk in plan:
                # a window without pulses (the pause of a patterned protocol) is the companion itself
                stimulated = [j for j, wf in enumerate(chunk.windows) if len(wf.onsets)]
                per = len(stimulated) + 1
                key = tuple(_wf_key(chunk.windows[j]) for j in stimulated)
                if key != runner_key:
                    # the same windows of the same patients in every chunk and session:
                    # their networks are built once and rerun with the new efficacies
                    reqs = []
                    for p in patients:
                        reqs += [Request(p.model, chunk.windows[j], 0.0, 0.0, p.seed, per_neuron=per_neuron)
                                 for j in stimulated]
                        reqs.append(Request(p.model, None, 0.0, 0.0, p.seed, per_neuron=per_neuron))
                    runner, runner_key = PointsRunner(reqs, lead + L, batch_size), key
                current = [p.weights() or None for p in patients]
                res = runner.run([w for w in current for _ in range(per)])
                for k, p in enumerate(patients):
                    mine = res[k * per:(k + 1) * per]
                    # each window's simulated result: its own, or the companion (no pulses)
                    of = dict(zip(stimulated, range(len(stimulated))))
                    which = [of.get(j, per - 1) for j in range(len(chunk.windows))]
                    sham = _extract(mine[-1], p, lead, L)
                    spikes = [_extract(r, p, lead, L) for r in mine[:-1]] + [sham]
                    prot = [spikes[i] for i in which]
                    # acute spinal output during stimulation: time-weighted over the schedule
                    painful = int(p.model.si("body.painful_site"))
                    pn = [float(site_pn_rates(p.model, r, lead + L)[painful]) for r in mine]
                    pn_acc[k] += sum(pn[which[i]] * d for i, d in chunk.schedule)
                    p.evolve(chunk.duration / 2)
                    _replay_chunk(p, chunk, prot, sham, states[k], clock, L)
                    p.evolve(chunk.duration / 2)
                clock += chunk.duration
            session_pn[:, s_idx] = pn_acc / D
        else:
            for p in patients:
                p.evolve(D)
        now = t_s + D
        for k, p in enumerate(patients):
            tests_session[k].append(p.weights())
        if progress:
            print(f"painsim: session {s_idx + 1}/{cal.n_sessions} (day {day:g}) done "
                  f"[{_time.time() - wall:.1f} s]", flush=True)
    record_days(np.inf, inclusive=True)
    # ------------------------------------------------------------ tests
    wanted = {0.0, *fu, *(float(d) for d in (days or ()))}
    tested = [tests == "all" or d in wanted for d in day_coord] + [tests == "all"] * cal.n_sessions
    reqs, where = [], []
    for k, p in enumerate(patients):
        for j, w in enumerate(tests_day[k] + tests_session[k]):
            if tested[j]:
                reqs.append(Request(p.model, None, t_nox, 0.0, p.seed, w or None, per_neuron=per_neuron))
                where.append(k * len(tested) + j)
    res: list = [None] * (len(patients) * len(tested))
    for at, r in zip(where, simulate_batch(reqs, f"{t_dur!r} s", batch_size=batch_size)):
        res[at] = r
    n_d, n_s = len(day_coord), cal.n_sessions
    per = n_d + n_s
    return _dataset(protocol, patients, res, per, n_d, n_s, day_coord, fu, th, session_pn, late_day,
                    dict(window_s=L, lead_in_s=lead, n_chunks=n_chunks, session_mode=session,
                         test_duration_s=t_dur, test_noxious=t_nox))


def _dataset(protocol, patients, res, per, n_d, n_s, day_coord, fu, th, session_pn, late_day, meta) -> xr.Dataset:
    P = len(patients)
    cal = protocol.calendar

    def grab(var, k, sl):
        return np.array([float(r[var]) if r is not None and var in r else np.nan
                         for r in res[k * per:(k + 1) * per][sl]])

    pain_d = np.array([grab("pain", k, slice(0, n_d)) for k in range(P)])
    pain_s = np.array([grab("pain", k, slice(n_d, per)) for k in range(P)])
    pn_d = np.array([grab("pn_rate", k, slice(0, n_d)) for k in range(P)])
    pn_s = np.array([grab("pn_rate", k, slice(n_d, per)) for k in range(P)])
    base = pain_d[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        relief_d = np.where(base[:, None] > 0, 100.0 * (base[:, None] - pain_d) / base[:, None], np.nan)
        relief_s = np.where(base[:, None] > 0, 100.0 * (base[:, None] - pain_s) / base[:, None], np.nan)
    data = {
        "pain": (("patient", "day"), pain_d, {"units": "NRS 0-10", "long_name": "pain score of the standard test "
                                              "(before that day's session)"}),
        "relief": (("patient", "day"), relief_d, {"units": "%", "long_name": "percent relief from baseline"}),
        "pn_rate": (("patient", "day"), pn_d, {"units": "Hz", "long_name": "projection-neuron output in the test"}),
        "pain_after_session": (("patient", "session"), pain_s, {"units": "NRS 0-10",
                                                                "long_name": "pain score right after the session"}),
        "relief_after_session": (("patient", "session"), relief_s, {"units": "%"}),
        "pn_rate_after_session": (("patient", "session"), pn_s, {"units": "Hz"}),
        "session_pn_rate": (("patient", "session"), session_pn,
                            {"units": "Hz", "long_name": "projection-neuron output during stimulation (acute "
                                                         "effect; NaN when the session is not simulated)"}),
        "session_day": (("session",), np.asarray(cal.days, float), {"units": "day"}),
        "baseline_pain": (("patient",), base, {"units": "NRS 0-10", "long_name": "pain before treatment (day 0)"}),
        "baseline_pn_rate": (("patient",), pn_d[:, 0], {"units": "Hz"}),
    }
    if "map_overactive_area" in res[0]:
        data["map_overactive_area"] = (("patient", "day"),
                                       np.array([grab("map_overactive_area", k, slice(0, n_d)) for k in range(P)]),
                                       {"units": "m^2", "long_name": "S1 overactive area in the test"})
        data["map_overactive_area_after_session"] = (
            ("patient", "session"), np.array([grab("map_overactive_area", k, slice(n_d, per)) for k in range(P)]),
            {"units": "m^2"})
        if "map_rate" in res[0]:
            first = np.array([res[k * per]["map_rate"].values for k in range(P)])
            last_day = max(j for j in range(n_d) if res[j] is not None)  # the last tested day
            last = np.array([res[k * per + last_day]["map_rate"].values for k in range(P)])
            my, mx = res[0]["map_rate"].dims
            data["map_rate_baseline"] = (("patient", my, mx), first, {"units": "Hz"})
            data["map_rate_final"] = (("patient", my, mx), last, {"units": "Hz",
                                                                  "long_name": "S1 map on the last tested day"})
    # weights per plastic connection
    conns = list(dict.fromkeys(c for p in patients for c in p.plastic))
    for c in conns:
        def mean_w(k, sl):
            out = []
            for r in res[k * per:(k + 1) * per][sl]:
                v = r[f"w_{c}"].values if r is not None and f"w_{c}" in r else np.array([])
                out.append(float(np.mean(v)) if v.size else np.nan)
            return out
        data[f"w_{c}"] = (("patient", "day"), np.array([mean_w(k, slice(0, n_d)) for k in range(P)]),
                          {"units": "1", "long_name": f"mean efficacy of {c} synapses"})
        data[f"w_{c}_after_session"] = (("patient", "session"), np.array([mean_w(k, slice(n_d, per))
                                                                         for k in range(P)]), {"units": "1"})
        data[f"w_{c}_late"] = (("patient", "day"),
                               np.array([[float(np.mean(d[c])) if c in d and d[c].size else 0.0
                                          for d in late_day[k]] for k in range(P)]),
                               {"units": "1", "long_name": f"mean consolidated change of {c} efficacy"})
    dayi = {d: i for i, d in enumerate(day_coord)}
    for x in th:
        name = f"responder_{int(round(100 * x))}"
        flags = np.array([[bool(relief_d[k, dayi[f]] >= 100 * x) if not np.isnan(relief_d[k, dayi[f]]) else False
                           for f in fu] for k in range(P)], dtype=bool).reshape(P, len(fu))
        data[name] = (("patient", "follow_up"), flags,
                      {"long_name": f"relief >= {100 * x:g} % at the follow-up day"})
    ds = xr.Dataset(data, coords={"patient": np.arange(P), "day": ("day", np.asarray(day_coord), {"units": "day"}),
                                  "session": np.arange(cal.n_sessions),
                                  "follow_up": ("follow_up", np.asarray(fu, float), {"units": "day"}),
                                  "seed": ("patient", np.array([p.seed for p in patients]))})
    from . import __version__
    ds.attrs.update({"painsim_version": __version__, "protocol": protocol.name,
                     "protocol_spec": json.dumps(protocol.describe(), default=str),
                     "sham": int(protocol.is_sham), "model": json.dumps([p.model.name for p in patients]),
                     "plastic_connections": " ".join(conns), "thresholds": json.dumps(list(th)), **meta})
    return ds


def run_course(model, protocol, *, seed: int = 0, follow_up_days=(30, 90), thresholds=(0.3, 0.5),
               days: Sequence[float] | None = None, session: str = "chunked", batch_size: int = 128,
               tests: str = "all", progress: bool = False) -> xr.Dataset:
    """Run a treatment course on one patient (a model and a seed).

    Parameters
    ----------
    model : Model or str
        The patient (e.g. ``ps.load_model("neuropathic")``).  Its
        ``[plasticity.*]`` sections, with the protocol's overrides, say which
        synapses recondition; ``[course]`` sets the session engine and the
        test, ``[consolidation]`` the between-session model.
    protocol : Protocol or str
        A protocol or a library name (``"mpns"``, ``"mpns_sham"`` ...).
    seed : int
        The patient's seed (connectivity, fibres, ongoing activity); all
        windows and tests of the course use it.
    follow_up_days : sequence of float
        Days (from day 0, the first session day) at which responder flags
        are evaluated; they are added to the ``day`` coordinate.
    thresholds : sequence of float
        Relief fractions of the responder flags (``responder_30``,
        ``responder_50`` for the default).
    days : sequence of float, optional
        Extra days at which to test pain (e.g. ``range(0, 91, 7)``).
    session : {"chunked", "full"}
        ``"full"`` simulates every window of every session with the weights
        of the previous one (slow; for checking the chunked extrapolation).
    batch_size : int
        Windows per brian2 network (as :func:`run_course_batch`).
    tests : {"all", "follow_up"}
        Which pain tests to run (as :func:`run_course_batch`).
    progress : bool
        Print a line per session.

    Returns
    -------
    xarray.Dataset
        Over ``day`` (0, the session days, follow-up days, ``days``):
        ``pain`` (NRS, tested before that day's session), ``relief`` (% of
        ``baseline_pain``), ``pn_rate`` (Hz), ``w_<conn>`` (mean efficacy)
        and ``w_<conn>_late`` (mean consolidated change) per plastic
        connection, ``map_overactive_area`` (m^2) when the model has an S1
        map.  Over ``session``: ``session_day``, ``pain_after_session``,
        ``relief_after_session``, ``pn_rate_after_session``,
        ``w_<conn>_after_session``, ``session_pn_rate`` (during stimulation).
        Over ``follow_up``: ``responder_<30|50>``.  Scalars:
        ``baseline_pain``, ``baseline_pn_rate``.  Attrs: protocol spec,
        engine settings, painsim version.

    Raises
    ------
    painsim.errors.UnknownKeyError
        Unknown protocol name (the nearest is named) or a protocol override
        the model does not have.
    painsim.errors.CalendarError, ParameterError

    Examples
    --------
    >>> import painsim as ps
    >>> m = ps.load_model("neuropathic")
    >>> out = ps.run_course(m, "mpns", seed=1)              # doctest: +SKIP
    >>> float(out.relief.sel(day=90))                         # doctest: +SKIP
    """
    ds = run_course_batch([model], protocol, [seed], follow_up_days=follow_up_days, thresholds=thresholds,
                          days=days, batch_size=batch_size, session=session, tests=tests, progress=progress)
    return ds.isel(patient=0)


def session_weights(ds: xr.Dataset) -> list[str]:
    """Names of the plastic connections of a course result."""
    return ds.attrs.get("plastic_connections", "").split()


# ==========================================================================
# course files
# ==========================================================================
def run_course_file(path_or_name, seed: int | None = None, progress: bool = False) -> xr.Dataset:
    """Run a course experiment file (``[experiment] kind = "course"``).

    File layout::

        [experiment]
        name = "mpns_course"
        kind = "course"
        model = "neuropathic"          # a built-in name or a path
        protocol = "mpns"              # a library name, or a [protocol] table (protocols.from_spec)
        seed = 1
        n_patients = 1                 # seeds seed, seed+1, ...
        follow_up_days = [30, 90]
        thresholds = [0.3, 0.5]
        days = [...]                   # optional extra test days
        sham = true                    # also run the sham arm
        [params]                       # dotted model overrides

    Returns
    -------
    xarray.Dataset
        :func:`run_course_batch` results along a new ``arm`` dimension
        (``"active"``, and ``"sham"`` when requested).
    """
    from .errors import ModelFileError
    from .params import find_builtin, read_toml
    from .protocols import from_spec
    path = find_builtin(path_or_name, "experiments")
    spec = read_toml(path)
    exp = spec.get("experiment", {})
    if exp.get("kind") != "course":
        raise ModelFileError(f"{path}: not a course experiment (kind = \"course\" under [experiment])")
    if "protocol" in spec:
        protocol = from_spec(spec["protocol"])
    elif "protocol" in exp:
        protocol = get_protocol(exp["protocol"])
    else:
        raise ModelFileError(f"{path}: no protocol (protocol = \"name\" under [experiment], or a [protocol] table)")
    model = load_model(exp.get("model", "gate_control"), spec.get("params") or None)
    s = int(exp.get("seed", 0) if seed is None else seed)
    n = int(exp.get("n_patients", 1))
    if n < 1:
        raise ParameterError("n_patients", n, "a whole number >= 1")
    kw = dict(follow_up_days=exp.get("follow_up_days", (30, 90)), thresholds=exp.get("thresholds", (0.3, 0.5)),
              days=exp.get("days"), progress=progress)
    arms = {"active": protocol}
    if exp.get("sham", False):
        arms["sham"] = protocol.as_sham()
    outs = []
    for label, prot in arms.items():
        if progress:
            print(f"painsim: {label} arm: {prot!r}", flush=True)
        ds = run_course_batch([model] * n, prot, list(range(s, s + n)), **kw)
        outs.append(ds.drop_attrs() if hasattr(ds, "drop_attrs") else ds)
    out = xr.concat(outs, dim="arm", coords="minimal", compat="override")
    out = out.assign_coords(arm=list(arms))
    out.attrs.update({k: v for k, v in outs[0].attrs.items()})
    out.attrs.update(name=exp.get("name", path.stem), source=str(path), protocol=protocol.name,
                     protocol_spec=json.dumps(protocol.describe(), default=str), model_name=model.name,
                     description=exp.get("description", ""))
    return out


def per_patient(results) -> list:
    """A course-batch result as one Dataset per patient.

    Accepts a list of Datasets or one Dataset with a ``patient`` dimension
    (what :func:`run_course_batch` returns).
    """
    if isinstance(results, xr.Dataset):
        if "patient" not in results.dims:
            return [results]
        return [results.isel(patient=k).drop_vars(["patient", "seed"], errors="ignore")
                for k in range(results.sizes["patient"])]
    return list(results)
