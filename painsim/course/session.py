"""One session of a course: its plan of windows and the replay of their spikes.

A session of duration D is never simulated in full.  It is cut into
``course.n_chunks`` chunks; in each chunk the network is simulated for
representative *windows* of ``course.window`` (plus a ``course.lead_in`` so
that pulses delivered before the window still arrive in it) with the current
weights, and the plasticity rules are applied to the windows' spikes
replayed, one window length at a time on a continuous clock, until the
chunk's share of the session is covered (a fractional last replay applies
the rule to the first part of the window).  Weights are clipped to the rule's
bounds after each replayed window (the rules also keep them within their
bounds spike by spike) and the network sees the new weights at the next chunk.

* Continuous protocols (tonic, burst, 10 kHz, TENS, mPNS): one window per chunk;
  a train whose period does not divide the window (1.5 Hz in 1 s) replays the
  window's first whole periods only (:attr:`Chunk.replay`), so the session
  delivers the train's rate.
* Patterned protocols (an rTMS train + pause, iTBS on/off): the pattern
  period P is cut into ``ceil(P / window)`` segments, each represented by a
  window at its start (identical windows are simulated once), replayed in
  their order within each period, so the duty cycle is represented exactly
  when the pattern's edges fall on segment edges.

The replay of a chunk is one kernel call per plastic connection for the rules
that have one (:meth:`painsim.plasticity.PlasticityRule.replay_windows`: STDP,
calcium, theta-burst calcium), the same arithmetic in the same order as one
``apply_unchecked`` per window and side (:data:`REPLAY`).

Every window is simulated twice: with the protocol and without it (the
*companion*: same seed, same weights).  A window changes the weights by the
rule's change with the protocol minus its change without it, so a session
adds only what its stimulation changes (the ongoing activity's long-run
effect is the pathological set point, :mod:`painsim.course.consolidation`).
The error of this extrapolation is measured in ``docs/courses.md``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..checks import env_choice, flag, number, whole
from ..errors import ParameterError
from ..circuits import stack
from ..protocols import Protocol
from ..params import Model, model_overrides
from ..params.reading import yielding_to
from ..simulation.inputs import refuse_file_devices, route_stimulus
from .consolidation import ConsolidationParams, join_levels, propagate, split_levels

__all__ = ["Chunk", "session_plan", "window_key", "lead_window", "replayed_pulses",
           "ConnSpikes", "Patient", "window_spikes", "same_spikes", "replay_chunk",
           "check_stimulus_received"]


@dataclass
class Chunk:
    """A part of a session: the windows that represent it and the order they are replayed in.

    Parameters
    ----------
    duration : float
        The part of the session the chunk covers, in s.
    windows : list of Waveform
        The distinct protocol windows, each of length lead-in + window.
    schedule : list of tuple
        ``(window index, represented time in s)`` in time order.
    replay : float or None
        The length of one replay, in s: the longest whole number of the train's periods that
        fits in the window, when the window is not itself a whole number of periods (a 1.5 Hz
        train in a 1-s window holds 2 pulses; replayed whole it would deliver 2 per s, not
        1.5).  None: the window length.
    """

    duration: float
    windows: list            # Waveforms of length lead + window (protocol windows, unique)
    schedule: list           # [(window index, represented time in s)] in time order
    replay: float | None = None  # length of one replay in s; None: the window length

    def replay_length(self, L: float) -> float:
        """The length of one replay of a window, in s (``L``, the window length, unless the
        chunk replays a whole number of a train's periods shorter than the window)."""
        return L if self.replay is None else self.replay


def check_stimulus_received(model: Model, protocol: Protocol, parameter: str = "models", value=None) -> None:
    """Refuse a protocol whose stimulus no layer of ``model`` receives, or whose device the model
    refuses, before any work.

    An rTMS or theta-burst course on a model without cortex would run sessions that act on
    nothing and report relief NaN.  ``parameter`` and ``value`` name the model in the error
    (default: the model's name).  A device the model refuses (a ``site`` its body lacks, a pulse
    rate its recruitment model does not take, :func:`painsim.simulation.device_refusal`) failed
    when the first session started, under an internal name (``requests[0].stimulus.site``): it is
    named ``protocol.stimulus.<argument>`` (:func:`painsim.simulation.inputs.refuse_file_devices`).

    Raises
    ------
    painsim.errors.ParameterError
        The stimulus is routed to no layer of the model (:func:`painsim.simulation.inputs.route_stimulus`),
        or its device refused on the model with the protocol's overrides.
    """
    if protocol.stimulus is None:
        return
    duration = min(1.0, protocol.calendar.session_duration)
    waveform = protocol.waveform(0.0, duration)
    try:
        route_stimulus(stack(model), waveform)
    except ParameterError as err:
        raise ParameterError(parameter, model.name if value is None else value,
                             f"a model that receives the stimulus of protocol {protocol.name!r} ({err.value}): "
                             "on this one no session would act and relief would be NaN", hint=err.hint) from None
    # the sessions' model: the protocol's overrides (e.g. its recruitment model), less the user's
    refuse_file_devices(model.with_params(yielding_to(protocol.plasticity, model_overrides())), waveform,
                        protocol.stimulus, "protocol.stimulus", duration)


def session_plan(protocol: Protocol, D: float, L: float, lead: float, n_chunks: int, full: bool) -> list[Chunk]:
    """Chunks of one session: which windows to simulate and how to replay them.

    Parameters
    ----------
    protocol : Protocol
    D, L, lead : float
        Session duration, window length and lead-in, in s.
    n_chunks : int
    full : bool
        Every window of the session in turn (``session="full"``), instead of ``n_chunks`` chunks.

    Returns
    -------
    list of Chunk

    Raises
    ------
    painsim.errors.ParameterError
        ``protocol`` not a Protocol, ``D`` or ``L`` not a finite time > 0 s, ``lead`` not a finite
        time >= 0 s (plain numbers in s), ``n_chunks`` not a whole number >= 1, ``full`` not true/false;
        ``course.n_chunks`` whose chunks end inside a replay, so that the session would deliver other
        pulses than one chunk would (a chunk that ends inside a replay replays a partial window
        from its start, which holds that window's first pulse).
    """
    if not isinstance(protocol, Protocol):
        raise ParameterError("protocol", protocol, "a painsim.protocols.Protocol (painsim.protocols.resolve)")
    D, L = (number(v, k, lo=0.0, lo_open=True, allowed="a time > 0 s (a number in s)") for v, k in ((D, "D"), (L, "L")))
    lead = number(lead, "lead", lo=0.0, allowed="a time >= 0 s (a number in s)")
    n_chunks = whole(n_chunks, "n_chunks", allow_float=True)
    flag(full, "full")
    if full:
        n = max(1, int(round(D / L)))
        step = D / n
        return [Chunk(step, [lead_window(protocol, c * step, L, lead)], [(0, step)]) for c in range(n)]
    plan = _chunked_plan(protocol, D, L, lead, n_chunks)
    if n_chunks > 1:
        _check_chunks(plan, protocol, D, L, lead)
    return plan


def _chunked_plan(protocol: Protocol, D: float, L: float, lead: float, n_chunks: int) -> list[Chunk]:
    """:func:`session_plan`'s ``n_chunks`` chunks (checked arguments)."""
    T = D / n_chunks
    P = protocol.period
    if P is None or P <= L + 1e-9:
        wf = lead_window(protocol, 0.0, L, lead)
        return [Chunk(T, [wf], [(0, T)], _whole_periods(P, L)) for _ in range(n_chunks)]
    n_seg = max(1, int(math.ceil(P / L - 1e-9)))
    seg = P / n_seg  # <= L: segments tile the period; a segment replays the first `seg` of its window
    windows, segment_window = _segment_windows(protocol, n_seg, seg, L, lead)
    return [Chunk(T, windows, _chunk_schedule(c * T, (c + 1) * T, P, seg, n_seg, segment_window))
            for c in range(n_chunks)]


def _check_chunks(plan: list, protocol: Protocol, D: float, L: float, lead: float) -> None:
    """Refuse (``course.n_chunks``) a plan whose session delivers other pulses than one chunk's: its
    chunks end inside replays (1200 pulses of 1 Hz in 7 chunks were 1204); the defaults pass unchanged."""
    def pulses(n):
        return replayed_pulses(_chunked_plan(protocol, D, L, lead, n), L, lead)

    due, got = pulses(1), replayed_pulses(plan, L, lead)
    if got != due:
        ok = [n for n in range(1, 13) if n == 1 or pulses(n) == due]
        raise ParameterError("course.n_chunks", len(plan), f"a number of chunks that cuts the {D:g}-s session of "
                             f"{protocol.name!r} into whole replays of its {L:g}-s windows ({len(plan)} chunks "
                             f"deliver {got} pulses, one chunk {due}): one of {ok} (up to 12)")


def _whole_periods(P: float | None, L: float) -> float | None:
    """The replay length of a train of period ``P`` <= ``L`` in a window of ``L`` s: None when
    ``L`` is a whole number of periods, else the longest whole number of periods in ``L``."""
    if P is None:
        return None
    m = math.floor(L / P + 1e-6)
    return None if abs(m * P - L) <= 1e-6 * L else m * P


def replayed_pulses(plan: list, L: float, lead: float) -> int:
    """The pulses a session plan delivers as the course replays it.

    Each replay of a window of the plan counts the window's pulses in its replayed part
    (from the lead-in to the lead-in plus the replay's length), with the same replay
    lengths the plasticity replay uses.

    Parameters
    ----------
    plan : list of Chunk
        :func:`session_plan`'s chunks.
    L, lead : float
        Window length and lead-in, in s (as given to :func:`session_plan`).

    Returns
    -------
    int
    """
    total = 0
    for chunk in plan:
        window, _, length = _replays(chunk.schedule, 0.0, chunk.replay_length(L))
        # replays of the same window and length hold the same pulses: count each kind once
        kinds, times = np.unique(np.stack([window.astype(np.float64), length], axis=1), axis=0, return_counts=True)
        for (k, r), m in zip(kinds, times):
            on = np.asarray(chunk.windows[int(k)].onsets)
            total += int(m) * int(np.count_nonzero((on >= lead - 1e-9) & (on < lead + r - 1e-9)))
    return total


def _segment_windows(protocol: Protocol, n_seg: int, seg: float, L: float, lead: float):
    """The distinct windows of a pattern's segments, and the window index of each segment."""
    windows, segment_window, keys = [], [], {}
    for k in range(n_seg):
        wf = protocol.waveform(k * seg - lead, k * seg + L)
        key = window_key(wf)
        if key not in keys:
            keys[key] = len(windows)
            windows.append(wf)
        segment_window.append(keys[key])
    return windows, segment_window


def _chunk_schedule(t: float, end: float, P: float, seg: float, n_seg: int, segment_window: list) -> list:
    """[(window index, time)] of the segments in [t, end), consecutive equal windows merged."""
    schedule = []
    while t < end - 1e-9:
        phase = t % P
        k = min(int(math.floor(phase / seg + 1e-9)), n_seg - 1)
        seg_end = t - phase + (k + 1) * seg
        d = min(seg_end, end) - t
        if schedule and schedule[-1][0] == segment_window[k]:
            schedule[-1] = (segment_window[k], schedule[-1][1] + d)
        else:
            schedule.append((segment_window[k], d))
        t += d
    return schedule


def window_key(wf) -> tuple:
    """Identity of a window's pulses up to rounding (windows cut at different phases of a regular train).

    Parameters
    ----------
    wf : Waveform
        A window of the stimulation.

    Returns
    -------
    tuple
        Duration and onsets (s) rounded to 9 decimals, amplitudes and widths to 12.
    """
    return (round(wf.duration, 9), tuple(np.round(wf.onsets, 9)), tuple(np.round(wf.amplitudes, 12)),
            tuple(np.round(wf.widths, 12)))


def lead_window(protocol, start, L, lead):
    """The window [start - lead, start + L) of the session's stimulation (steady before 0).

    Parameters
    ----------
    protocol : Protocol
        The course's protocol (:meth:`painsim.protocols.Protocol.waveform` cuts the window).
    start, L, lead : float
        Window start from the session start, window length and lead-in, in s.

    Returns
    -------
    Waveform
        The window's pulses, re-timed to start at 0.

    Raises
    ------
    painsim.errors.ParameterError
        ``L + lead`` not > 0 s, or longer than an hour.
    """
    return protocol.waveform(start - lead, start + L)


@dataclass
class ConnSpikes:
    """The spikes of one window at one connection's source (pre) and target (post), from 0.

    Parameters
    ----------
    pre_t, pre_i : ndarray
        Times (s, float64, sorted) and neuron indices (int64) of the source population's spikes.
    post_t, post_i : ndarray
        The same for the target population.
    """

    pre_t: np.ndarray
    pre_i: np.ndarray
    post_t: np.ndarray
    post_i: np.ndarray


@dataclass
class Patient:
    """A patient of a course: model, seed and the state of its plastic synapses.

    Parameters
    ----------
    model : Model
        The patient's model.
    seed : int
        The patient's seed.
    plastic : dict
        Connection -> ``(rule, lo, hi)``: its plasticity rule and efficacy bounds.
    endpoints : dict
        Connection -> ``(source, target)`` populations.
    cons : ConsolidationParams
        The between-session chain (:mod:`painsim.course.consolidation`).
    w_set, early, late : dict
        Connection -> set point, early and late change per synapse (``w = w_set + early + late``);
        set by the first :func:`window_spikes`.
    deep : dict
        Connection -> the slower consolidation levels ``u_3..``, shape ``(n_levels - 2, n)``.
    syn : dict
        Connection -> ``(syn_pre, syn_post, n_pre, n_post)``: synapse endpoints and population sizes.
    """

    model: Model
    seed: int
    plastic: dict                       # conn -> (rule, lo, hi)
    endpoints: dict                     # conn -> (source, target)
    cons: ConsolidationParams
    w_set: dict = field(default_factory=dict)
    early: dict = field(default_factory=dict)
    late: dict = field(default_factory=dict)
    deep: dict = field(default_factory=dict)   # conn -> the slower consolidation levels u_3.. (n_levels - 2, n)
    syn: dict = field(default_factory=dict)    # conn -> (syn_pre, syn_post, n_pre, n_post)

    def weights(self) -> dict:
        """Current efficacy of every plastic synapse seen so far, per connection."""
        out = {}
        for conn, (_, lo, hi) in self.plastic.items():
            if conn in self.w_set:
                out[conn] = np.clip(self.w_set[conn] + self.early[conn] + self.late[conn], lo, hi)
        return out

    def evolve(self, T: float):
        """Consolidate (or let fade) the changes over ``T`` s without a session.

        Parameters
        ----------
        T : float
            Time without a session, in s; nothing changes for ``T <= 0``.
        """
        if T <= 0:
            return
        for conn, (_, lo, hi) in self.plastic.items():
            if conn in self.w_set:
                u = join_levels(self.early[conn], self.late[conn], self.deep.get(conn), self.cons)
                self.early[conn], self.late[conn], self.deep[conn] = split_levels(
                    propagate(u, self.w_set[conn], lo, hi, T, self.cons))


def _sorted_spikes(out, pop):
    """A population's spikes of one window in time order (stable): times, indices, size."""
    t, i = out.spikes[pop]
    order = np.argsort(t, kind="stable")
    return np.asarray(t, np.float64)[order], np.asarray(i, np.int64)[order], int(out.sizes[pop])


def window_spikes(out, patient: Patient, lead: float, L: float) -> dict:
    """Per plastic connection, the window's spikes in [lead, lead + L), re-timed to start at 0.

    ``out`` is the window's raw :class:`painsim.circuits.PointOutput`
    (:class:`painsim.simulation.PointsRunner`: no labelled Dataset per window).
    The first window of a patient also sets its synapses and its set point
    (the efficacies the course starts from).

    Parameters
    ----------
    out : PointOutput
        The window's raw output.
    patient : Patient
        Its ``syn``, ``w_set``, ``early`` and ``late`` are set for connections seen first.
    lead, L : float
        Lead-in and window length, in s.

    Returns
    -------
    dict
        Connection -> :class:`ConnSpikes`.
    """
    result = {}
    for conn in patient.plastic:
        src, tgt = patient.endpoints[conn]
        pt, pi, n_pre = _sorted_spikes(out, src)
        qt, qi, n_post = _sorted_spikes(out, tgt)
        a, b = np.searchsorted(pt, [lead, lead + L])
        c, d = np.searchsorted(qt, [lead, lead + L])
        result[conn] = ConnSpikes(pt[a:b] - lead, np.ascontiguousarray(pi[a:b]), qt[c:d] - lead,
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


def _replayed_spikes(sp: ConnSpikes, t: float, length: float):
    """A window's spikes shifted to start at ``t``, cut to its first ``length`` s."""
    a = np.searchsorted(sp.pre_t, length, side="left")
    b = np.searchsorted(sp.post_t, length, side="left")
    return sp.pre_t[:a] + t, sp.pre_i[:a], sp.post_t[:b] + t, sp.post_i[:b]


def same_spikes(a: ConnSpikes, b: ConnSpikes, pre_only: bool) -> bool:
    """True if two windows have the same spikes (presynaptic ones only with ``pre_only``).

    Parameters
    ----------
    a, b : ConnSpikes
        The spikes of two windows at one connection.
    pre_only : bool
        Compare the presynaptic spikes only.

    Returns
    -------
    bool
    """
    same = np.array_equal(a.pre_t, b.pre_t) and np.array_equal(a.pre_i, b.pre_i)
    if not pre_only:
        same = same and np.array_equal(a.post_t, b.post_t) and np.array_equal(a.post_i, b.post_i)
    return same


def _replay_lengths(duration: float, L: float) -> list:
    """The replays covering ``duration`` s with a window of ``L`` s: whole windows, then a fraction."""
    m = duration / L
    n_full = int(math.floor(m + 1e-9))
    parts = [L] * n_full
    if m - n_full > 1e-9:
        parts.append((m - n_full) * L)
    return parts


def _replays(schedule: list, clock: float, L: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The replays of a chunk's ``schedule`` from ``clock``: window index, start and length
    of each (the start accumulated as the replay loop does, so the times are the same floats)."""
    win, start, length = [], [], []
    t = clock
    for k, dur in schedule:
        for part in _replay_lengths(dur, L):
            win.append(k)
            start.append(t)
            length.append(part)
            t += part
    return np.array(win, np.int64), np.array(start, np.float64), np.array(length, np.float64)


def _windows_csr(windows: list) -> tuple:
    """The spikes of ``windows`` (ConnSpikes, the companion last) concatenated, with the
    start of each window's spikes: (pre_ptr, pre_t, pre_i, post_ptr, post_t, post_i)."""
    def cat(arrays, dtype):
        return np.ascontiguousarray(np.concatenate(arrays) if arrays else np.zeros(0), dtype)

    def ptr(arrays):
        return np.concatenate([[0], np.cumsum([a.size for a in arrays])]).astype(np.int64)

    pre_t, pre_i = [w.pre_t for w in windows], [w.pre_i for w in windows]
    post_t, post_i = [w.post_t for w in windows], [w.post_i for w in windows]
    return (ptr(pre_t), cat(pre_t, np.float64), cat(pre_i, np.int64),
            ptr(post_t), cat(post_t, np.float64), cat(post_i, np.int64))


#: How a chunk is replayed: ``"chunk"`` (a rule with a replay kernel,
#: :attr:`painsim.plasticity.PlasticityRule.replay_kernel`, replays the whole chunk in one
#: call; the others window by window) or ``"window"`` (every rule window by window through
#: ``apply_unchecked``, as before the kernels; for tests and benchmarks).  Both give the
#: same efficacies bit for bit (tests/test_replay_kernel.py).  None (the default):
#: ``$PAINSIM_REPLAY`` decides (default ``"chunk"``; worker processes inherit it), read by
#: :func:`replay_mode`; a value set here overrides it.
REPLAY: str | None = None
#: The values :data:`REPLAY` may take.
REPLAY_MODES = ("chunk", "window")


def replay_mode() -> str:
    """:data:`REPLAY` if set, else ``$PAINSIM_REPLAY`` (default ``"chunk"``), checked: a misspelt
    value must not silently pick a path.  Every course checks it before it starts
    (:func:`painsim.course.engine.run_course_batch`), whether or not a rule has a replay kernel.

    Returns
    -------
    str
        One of :data:`REPLAY_MODES`.

    Raises
    ------
    painsim.errors.ParameterError
        The value is not one of :data:`REPLAY_MODES`.
    """
    if REPLAY is None:
        return env_choice("PAINSIM_REPLAY", "chunk", REPLAY_MODES)
    if REPLAY not in REPLAY_MODES:
        raise ParameterError("replay (PAINSIM_REPLAY)", REPLAY, f"one of {REPLAY_MODES}")
    return REPLAY


def replay_chunk(patient: Patient, chunk: Chunk, per_window: list, companion: dict, states: dict, clock: float,
                 L: float) -> None:
    """Apply the rules to the chunk's windows (protocol minus companion), updating the weights in place.

    ``per_window[k]`` and ``companion`` are :func:`window_spikes` of the
    chunk's window ``k`` and of the window without stimulation; ``states``
    holds the rules' states of the session (per connection); ``clock`` is
    the chunk's start in s from the session start.  The change enters the
    early component (the caller consolidates half a chunk before and after).

    Parameters
    ----------
    patient : Patient
        Its ``early`` components are updated in place.
    chunk : Chunk
        The chunk: its windows and schedule.
    per_window : list of dict
        :func:`window_spikes` of each window of the chunk.
    companion : dict
        :func:`window_spikes` of the window without stimulation.
    states : dict
        The rules' states per connection; created and updated in place.
    clock : float
        The chunk's start, in s from the session start.
    L : float
        Window length, in s.

    Raises
    ------
    painsim.errors.ParameterError
        A rule with a replay kernel while :data:`REPLAY` is not in :data:`REPLAY_MODES`.
    """
    w_now = patient.weights()
    R = chunk.replay_length(L)
    for conn, (rule, lo, hi) in patient.plastic.items():
        syn_pre, syn_post, n_pre, n_post = patient.syn[conn]
        if syn_pre.size == 0:
            continue
        # the spikes come from the simulator (sorted, in range): the rule's unchecked path
        lo_arr = np.ascontiguousarray(np.broadcast_to(np.asarray(lo, np.float64), syn_pre.shape))
        hi_arr = np.ascontiguousarray(np.broadcast_to(np.asarray(hi, np.float64), syn_pre.shape))
        pre_only = rule.drive == "presynaptic"
        st = states.setdefault(conn, {"f": rule.initial_state(syn_pre.size, n_pre, n_post),
                                      "g": rule.initial_state(syn_pre.size, n_pre, n_post), "sync": True})
        if st["sync"] and all(same_spikes(per_window[k][conn], companion[conn], pre_only) for k, _ in chunk.schedule):
            continue  # the stimulation adds nothing to this connection's input: no change
        st["sync"] = False
        if rule.replay_kernel and replay_mode() == "chunk":
            # one call for the chunk: the loop below, compiled (the per-call cost was most of it)
            w = np.array(w_now[conn], np.float64)
            rule.replay_windows(*_windows_csr([per_window[k][conn] for k in range(len(per_window))]
                                              + [companion[conn]]),
                                *_replays(chunk.schedule, clock, R), syn_pre, syn_post, w, lo_arr, hi_arr,
                                st["f"], st["g"])
            patient.early[conn] = patient.early[conn] + (w - w_now[conn])
            continue
        w = w_now[conn]
        t = clock
        g_sp = companion[conn]
        for k, dur in chunk.schedule:
            f_sp = per_window[k][conn]
            for length in _replay_lengths(dur, R):
                wf_, st["f"] = rule.apply_unchecked(*_replayed_spikes(f_sp, t, length), syn_pre, syn_post, w,
                                                    st["f"], t, t + length, lo_arr, hi_arr)
                wg_, st["g"] = rule.apply_unchecked(*_replayed_spikes(g_sp, t, length), syn_pre, syn_post, w,
                                                    st["g"], t, t + length, lo_arr, hi_arr)
                w = np.clip(w + (wf_ - wg_), lo, hi)
                t += length
        # the change enters the early component at the middle of the chunk
        delta = w - w_now[conn]
        patient.early[conn] = patient.early[conn] + delta
