"""The interface every plasticity rule shares, and the input preparation behind it.

:class:`PlasticityRule` defines ``initial_state`` / ``apply`` /
``apply_reference`` / ``apply_unchecked`` (and, for the course engine, ``replay_windows``:
a chunk of replayed windows in one kernel call); a rule module (:mod:`.stdp`,
:mod:`.calcium`, :mod:`.bcm`, :mod:`.scaling`) subclasses it and supplies its
numba kernel and its numpy reference.  :func:`_prepare` checks and windows
the inputs of :meth:`PlasticityRule.apply`; :func:`_csr` (numba) and
:func:`_groups` (numpy, for the references) group synapses or spikes by
neuron.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import fields

import numpy as np

from ..checks import known_keys, whole
from ..errors import ParameterError, UnknownKeyError
from ..jit import njit
from ..units import to_si

__all__ = ["PlasticityRule"]

#: What is not a number in an array of numbers (``np.asarray`` reads "0.1" as text, True as 1)
_NOT_NUMBERS = (str, bytes, bool, np.bool_)


def _set(obj, name, value):
    """Set a field of a frozen dataclass (used by the rules' ``__post_init__``)."""
    object.__setattr__(obj, name, value)


# --------------------------------------------------------------------------
# input preparation shared by all rules
# --------------------------------------------------------------------------
class _Prepared:
    __slots__ = ("pre_t", "pre_i", "post_t", "post_i", "syn_pre", "syn_post", "w",
                 "wlo", "whi", "state", "t_start", "t_end", "n_pre", "n_post")


def _neuron_counts(n_synapses, n_pre, n_post) -> tuple[int, int, int]:
    """The sizes given to ``initial_state``, each a whole number >= 0 (a float such as 3.0 is
    taken; 2.7, NaN, text or a bool is refused by name, before any array is made)."""
    return (whole(n_synapses, "n_synapses", 0, allow_float=True), whole(n_pre, "n_pre", 0, allow_float=True),
            whole(n_post, "n_post", 0, allow_float=True))


def _from_preset(cls, presets: dict, name, overrides: dict, what: str):
    """``cls`` built from the preset ``name`` of ``presets`` with ``overrides`` on top; an unknown
    preset or an override that is not a field of ``cls`` is refused by name (UnknownKeyError)."""
    if not isinstance(name, str) or name not in presets:
        raise UnknownKeyError(name, presets, what=what)
    known_keys(overrides, [f.name for f in fields(cls)], f"parameter of {cls.__name__}")
    return cls(**{**presets[name], **overrides})


def _numbers(x, name, allowed, max_ndim=1):
    """``x`` as a float64 array of at most ``max_ndim`` dimensions, refused naming ``name`` if it is
    not numbers: text (also numeric text such as "0.1", which is not a time in s), bools (not 0/1),
    None, or an array of more dimensions (a 2-D array was silently flattened)."""
    if isinstance(x, (str, bytes)) or (isinstance(x, (list, tuple)) and any(isinstance(v, _NOT_NUMBERS) for v in x)):
        raise ParameterError(name, x if isinstance(x, (str, bytes)) else "text or bool entries", allowed)
    try:
        raw = np.asarray(x)
    except (TypeError, ValueError):   # ragged nesting
        raise ParameterError(name, "entries that are not numbers", allowed) from None
    if raw.dtype.kind in "USb" or (raw.dtype.kind == "O" and any(isinstance(v, _NOT_NUMBERS) for v in raw.flat)):
        raise ParameterError(name, "text or bool entries", allowed)
    if raw.ndim > max_ndim:
        raise ParameterError(name, f"an array of shape {raw.shape}",
                             f"{allowed}, as a {max_ndim}-D array" if max_ndim > 1 else f"{allowed}, as a 1-D array")
    try:
        return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(name, "entries that are not numbers", allowed) from None


def _as_times(x, name):
    a = np.ascontiguousarray(_numbers(x, name, "spike times in s (numbers)").ravel())
    if a.size and not np.all(np.isfinite(a)):
        raise ParameterError(name, "non-finite entries", "finite spike times in s")
    if a.size > 1 and np.any(np.diff(a) < 0):
        raise ParameterError(name, "unsorted array", "spike times sorted in increasing order")
    return a


def _as_ids(x, name, n):
    allowed = "integer neuron indices"
    a = np.asarray(x) if not isinstance(x, (str, bytes)) else x
    if isinstance(a, (str, bytes)) or isinstance(x, (list, tuple)) or a.dtype.kind in "bO" or a.ndim > 1 \
            or (a.size and not np.issubdtype(a.dtype, np.integer)):
        f = _numbers(x, name, allowed)   # text, bools and 2-D arrays refused by name
        if not np.all(np.isfinite(f) & (f == np.round(f))):
            raise ParameterError(name, "non-integer entries", allowed)
        a = f
    a = np.ascontiguousarray(a.astype(np.int64).ravel())
    if n is not None and a.size and (a.min() < 0 or a.max() >= n):
        raise ParameterError(name, f"indices in [{a.min()}, {a.max()}]",
                             f"indices in [0, {n - 1}] (the sizes given to initial_state)")
    return a


def _window_time(value, name):
    """A window end in s: a real number (Python or numpy: 0, 0.0, np.float32(0), np.int64(1)) or a
    quantity ("2 s"); a bool is refused (it would read as 0 or 1 s)."""
    if isinstance(value, (bool, np.bool_)):
        raise ParameterError(name, value, "a time in s (a number, or a quantity such as \"2 s\")")
    if isinstance(value, numbers.Real) or (isinstance(value, np.ndarray) and value.ndim == 0
                                           and value.dtype.kind in "iuf" and type(value) is np.ndarray):
        return float(value)
    return float(to_si(value, "s", name))


def _prepare_spikes(p, pre_times, pre_ids, post_times, post_ids):
    """Check the spike trains and keep those in ``[p.t_start, p.t_end)``."""
    pre_t = _as_times(pre_times, "pre_times")
    post_t = _as_times(post_times, "post_times")
    pre_i = _as_ids(pre_ids, "pre_ids", p.n_pre)
    post_i = _as_ids(post_ids, "post_ids", p.n_post)
    if pre_t.size != pre_i.size:
        raise ParameterError("pre_ids", f"length {pre_i.size}", f"length {pre_t.size} (as pre_times)")
    if post_t.size != post_i.size:
        raise ParameterError("post_ids", f"length {post_i.size}", f"length {post_t.size} (as post_times)")
    a, b = np.searchsorted(pre_t, [p.t_start, p.t_end], side="left")
    p.pre_t, p.pre_i = pre_t[a:b].copy(), pre_i[a:b].copy()
    a, b = np.searchsorted(post_t, [p.t_start, p.t_end], side="left")
    p.post_t, p.post_i = post_t[a:b].copy(), post_i[a:b].copy()


def _prepare_weights(rule, p, weights, w_min, w_max, need_finite_bounds):
    """Check weights and bounds against the synapse list; set ``p.w, p.wlo, p.whi``."""
    w = np.array(_numbers(weights, "weights", "weights (numbers)"), dtype=np.float64, copy=True).ravel()
    n = w.size
    if p.syn_pre.size != n or p.syn_post.size != n:
        raise ParameterError("syn_pre/syn_post", f"lengths {p.syn_pre.size}/{p.syn_post.size}",
                             f"one entry per weight ({n})")
    n_syn_state = rule._n_syn(p.state)
    if n_syn_state is not None and n_syn_state != n:
        raise ParameterError("weights", f"{n} synapses", f"{n_syn_state} synapses (as in state)")
    for k, v in (("w_min", w_min), ("w_max", w_max)):
        if isinstance(v, bool):
            raise ParameterError(k, v, "a weight bound (a number, or one per synapse)")
        _numbers(v, k, "a weight bound (a number, or one per synapse)")
    try:
        lo = np.ascontiguousarray(np.broadcast_to(np.asarray(w_min, dtype=np.float64), (n,)).copy())
        hi = np.ascontiguousarray(np.broadcast_to(np.asarray(w_max, dtype=np.float64), (n,)).copy())
    except ValueError:
        raise ParameterError("w_min/w_max", "shape mismatch", f"scalars or arrays of length {n}") from None
    if np.any(np.isnan(lo)) or np.any(np.isnan(hi)):
        raise ParameterError("w_min/w_max", "NaN", "numbers")
    if np.any(lo >= hi):
        raise ParameterError("w_min", w_min, f"w_min < w_max (w_max = {w_max!r})")
    if need_finite_bounds and not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        raise ParameterError("w_min/w_max", (w_min, w_max), f"finite bounds for {type(rule).__name__}")
    if np.any(~np.isfinite(w)):
        raise ParameterError("weights", "non-finite entries", "finite weights")
    if np.any(w < lo) or np.any(w > hi):
        raise ParameterError("weights", f"range [{w.min()}, {w.max()}]",
                             "weights within [w_min, w_max]")
    p.w, p.wlo, p.whi = w, lo, hi


#: What each kind of state array holds (the rules' ``_state_layout``), for the checks and errors.
_STATE_KINDS = {
    "trace": "finite values >= 0",
    "value": "finite values",
    "never": "finite times in s, or -inf (never)",
    "first": "finite times in s, or NaN (the first window's start)",
    "tick": "whole tick indices, or NaN (the first window's start)",
    "flag": "0 or 1",
    "queue": "arrival times in s, sorted, after the row's last transient, then NaN (empty slots)",
    "size": "numbers (only its length is used)",
}


def _valid_entries(a, kind):
    """Element-wise: whether the entries of the state array ``a`` are allowed for ``kind``."""
    fin = np.isfinite(a)
    if kind == "trace":
        return fin & (a >= 0.0)
    if kind == "value":
        return fin
    if kind == "never":
        return fin | (a == -np.inf)
    if kind in ("first", "tick"):
        return np.isnan(a) | (fin & ((a == np.round(a)) if kind == "tick" else True))
    if kind == "flag":
        return (a == 0.0) | (a == 1.0)
    return ~np.isinf(a) if kind == "queue" else np.ones(a.shape, bool)


def _check_queue(a, after, name):
    """A delay queue (one row per neuron): its arrivals first (sorted, not before ``after``, the
    row's last transient), NaN after them, as the kernels write it (a scan stops at the first NaN)."""
    empty = np.isnan(a)
    d = np.diff(a, axis=1)
    ok = (np.all(empty[:, 1:] >= empty[:, :-1]) and np.all(empty[:, 1:] | (d >= 0.0))
          and (after is None or np.all(empty | (a >= after[:, None]))))
    if not ok:
        raise ParameterError(name, "a queue out of order", _STATE_KINDS["queue"])


def _prepare_state(rule, state):
    """``state`` checked against ``rule._state_layout()`` and copied to float64 arrays: the keys,
    each array's shape (per-neuron arrays as long as the sizes the state implies, so the kernel
    never reads past an array) and values (no NaN, infinity or negative trace except the
    documented markers).  Returns ``(state, n_pre, n_post)``."""
    layout = rule._state_layout()
    if not isinstance(state, Mapping):
        raise ParameterError("state", type(state).__name__, f"a dict with keys {tuple(layout)}",
                             hint="create it with rule.initial_state(n_synapses, n_pre, n_post)")
    if any(k not in state for k in layout):
        raise ParameterError("state", sorted(map(str, state)), f"a dict with keys {tuple(layout)}",
                             hint="create it with rule.initial_state(n_synapses, n_pre, n_post)")
    st = {}
    for k, v in state.items():
        spec = layout.get(k, (None, "size"))   # a key the rule does not use is carried along
        st[k] = np.array(_numbers(v, f"state[{k!r}]", f"an array of {_STATE_KINDS[spec[1]]}",
                                  max_ndim=2 if spec[1] == "queue" else (1 if k in layout else 32)),
                         dtype=np.float64, copy=True)
        if k in layout and st[k].ndim != (2 if spec[1] == "queue" else 1):
            raise ParameterError(f"state[{k!r}]", f"an array of shape {st[k].shape}",
                                 "a 2-D array (a row per neuron)" if spec[1] == "queue" else "a 1-D array")
    sizes = dict(zip(("pre", "post"), rule._sizes(st)))
    for side in sizes:   # the length most of a side's arrays share (the rule's own on a tie): the odd one is named
        lengths = [st[k].shape[0] for k, sp in layout.items() if sp[0] == side]
        if lengths:
            sizes[side] = max(set(lengths), key=lambda m: (lengths.count(m), m == sizes[side]))
    for k, (side, kind, *after) in layout.items():
        a, n, name = st[k], sizes[side], f"state[{k!r}]"
        if a.shape[0] != n:   # the kernels index these arrays by neuron, unchecked
            src = next(x for x, sp in layout.items() if sp[0] == side and st[x].shape[0] == n)
            size = (lambda m: f"{m} rows") if a.ndim == 2 else (lambda m: f"length {m}")
            raise ParameterError(name, size(a.shape[0]),
                                 f"{size(n)} (one per {side}synaptic neuron, as state[{src!r}])")
        ok = _valid_entries(a, kind)
        if not np.all(ok):
            bad = ", ".join(repr(float(x)) for x in np.unique(a[~ok])[:3])
            raise ParameterError(name, f"entries {bad}", _STATE_KINDS[kind])
        if kind == "queue":
            _check_queue(a, st[after[0]] if after else None, name)
    return st, sizes["pre"], sizes["post"]


def _last_event(rule, st) -> float:
    """The latest finite time of an event the state has processed (its ``never``/``first`` times and
    what ``rule._state_clock`` adds); -inf for a state that has seen none."""
    last = [float(np.max(st[k][np.isfinite(st[k])])) for k, spec in rule._state_layout().items()
            if spec[1] in ("never", "first") and np.isfinite(st[k]).any()]
    return max([*last, rule._state_clock(st)])


def _prepare(rule, pre_times, pre_ids, post_times, post_ids, syn_pre, syn_post, weights,
             state, t_start, t_end, w_min, w_max, need_finite_bounds=False):
    """Check the inputs of :meth:`PlasticityRule.apply` and copy them into a :class:`_Prepared`."""
    p = _Prepared()
    t0 = _window_time(t_start, "t_start")
    t1 = _window_time(t_end, "t_end")
    if not (math.isfinite(t0) and math.isfinite(t1) and t1 >= t0):
        raise ParameterError("t_end", t_end, f"a finite time >= t_start ({t_start!r})")
    p.t_start, p.t_end = t0, t1
    p.state, p.n_pre, p.n_post = _prepare_state(rule, state)
    last = _last_event(rule, p.state)
    if t0 < last:  # the traces would be decayed over a negative time: they would grow
        raise ParameterError("t_start", t_start, f">= the state's last event time {last!r} s",
                             hint="apply windows in time order, each with the state the previous one returned")
    _prepare_spikes(p, pre_times, pre_ids, post_times, post_ids)
    p.syn_pre = _as_ids(syn_pre, "syn_pre", p.n_pre)
    p.syn_post = _as_ids(syn_post, "syn_post", p.n_post)
    _prepare_weights(rule, p, weights, w_min, w_max, need_finite_bounds)
    return p


# --------------------------------------------------------------------------
# grouping by neuron: numba (kernels) and numpy (references)
# --------------------------------------------------------------------------
@njit(cache=True)
def _csr(ids, n):
    """Group indices 0..len(ids)-1 by ids (counting sort, stable)."""
    ptr = np.zeros(n + 1, np.int64)
    for k in range(ids.size):
        ptr[ids[k] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    order = np.empty(ids.size, np.int64)
    fill = ptr[:-1].copy()
    for k in range(ids.size):
        order[fill[ids[k]]] = k
        fill[ids[k]] += 1
    return ptr, order


# --------------------------------------------------------------------------
# the course engine's replay kernels (PlasticityRule.replay_windows) share these
# --------------------------------------------------------------------------
@njit(cache=True)
def _replay_cut(t_all, i_all, lo, hi, length, t0, out_t, out_i):
    """The spikes ``t_all[lo:hi]`` before ``length`` (s from the window start), shifted by
    ``t0``, into ``out_t``/``out_i``; returns their number (the course engine's
    ``_replayed_spikes``: ``searchsorted(side="left")`` then ``+ t0``)."""
    n = 0
    for k in range(lo, hi):
        if not t_all[k] < length:
            break
        out_t[n] = t_all[k] + t0
        out_i[n] = i_all[k]
        n += 1
    return n


@njit(cache=True)
def _most_per_window(ptr):
    """The most spikes any window of a CSR spike table holds (``ptr``: window offsets),
    the size of the replay kernels' cut buffers."""
    most = 0
    for k in range(ptr.size - 1):
        most = max(most, ptr[k + 1] - ptr[k])
    return most


@njit(cache=True, inline="always")
def _replay_clip(x, lo, hi):
    """``np.clip(x, lo, hi)`` of one float (NaN kept; at a bound, the bound).  Equal to it bit for
    bit except that ``x = -0.0`` with ``lo = 0.0`` gives +0.0 here (np.clip keeps -0.0); the replay
    never holds -0.0 (its efficacies are sums from non-negative values, and +0.0 + -0.0 = +0.0)."""
    if x != x:
        return x
    x = x if x > lo else lo
    return x if x < hi else hi


def _start_clock(p):
    """Start the clock of a postsynaptic state that evolves without spikes (BCM
    threshold, scaling rate estimate): ``t_post`` NaN = the first window's start."""
    tp = p.state["t_post"]
    tp[np.isnan(tp)] = p.t_start


def _groups(ids, n):
    """Reference version of _csr: list of index arrays per neuron."""
    order = np.argsort(ids, kind="stable")
    bounds = np.searchsorted(ids[order], np.arange(n + 1))
    return [order[bounds[i]:bounds[i + 1]] for i in range(n)]


# --------------------------------------------------------------------------
# the interface
# --------------------------------------------------------------------------
class PlasticityRule:
    """Base class: the common ``initial_state`` / ``apply`` / ``apply_reference`` interface.

    Subclasses define ``_state_layout``, ``_sizes``, ``_run_kernel``,
    ``_run_reference`` and ``_fresh_state`` (the arrays of :meth:`initial_state`,
    whose keys its docstring lists; and ``_n_syn`` if the state is per synapse).
    ``_state_layout`` maps each key of the state to ``(side, kind)``: ``side`` ``"pre"`` or
    ``"post"`` (one entry, or for ``kind = "queue"`` one row, per neuron of that side) and
    ``kind`` what its entries may be (``_STATE_KINDS``: ``"trace"`` finite and >= 0,
    ``"never"`` a last-event time or -inf, ``"first"`` a time or NaN for the first window's
    start, ...); :meth:`apply` refuses a state that does not fit it, and a window that starts
    before the state's last event (``"never"``/``"first"`` times and ``_state_clock``).

    Attributes
    ----------
    name : str
        The rule's key in :data:`painsim.plasticity.RULES`.
    drive : str
        What drives the rule: ``"presynaptic"`` for a rule whose input is the
        presynaptic spikes alone (its result does not depend on the
        postsynaptic spikes, so a replay of a window is exact; the course
        engine reads this), ``"pre_post"`` otherwise.  ``"presynaptic"``:
        :class:`~painsim.plasticity.CalciumRule` with ``drive="presynaptic"``, and
        the theta-burst calcium rule (``TBSCalcium``).
    UNITS : dict
        The rule's dimensioned parameters and the SI unit each is stored in (``{"tau_plus":
        "s"}``).  The constructor reads each from text with its unit (``"20 ms"``), a brian2
        quantity, or a plain number taken as the value in that SI unit (``0.02`` is 20 ms): the
        rule stores SI floats, so ``dataclasses.replace(rule, A_plus=0.01)``, ``eval(repr(rule))``
        and a preset's overrides (``CalciumRule.preset("DP", tau_ca=0.03)``) work.  A model file
        writes them with their unit (:func:`~painsim.plasticity.plastic_connections` refuses a
        bare number there, as every time and rate of a file).
    """

    name = "rule"
    drive = "pre_post"
    UNITS: dict = {}
    #: Whether :meth:`replay_windows` has a kernel (a whole chunk of a course's replay per call)
    replay_kernel = False

    _finite_bounds = False

    def initial_state(self, n_synapses, n_pre, n_post) -> dict:
        """The rule's state before any spike, for ``n_synapses`` synapses between ``n_pre`` and
        ``n_post`` neurons (its arrays and their meaning: the rule's ``_fresh_state``).

        Parameters
        ----------
        n_synapses, n_pre, n_post : int
            Synapses, presynaptic and postsynaptic neurons (whole numbers >= 0).

        Returns
        -------
        dict of ndarray

        Raises
        ------
        painsim.errors.ParameterError
            A size that is not a whole number >= 0 (a fraction, NaN, text or a bool).
        """
        return self._fresh_state(*_neuron_counts(n_synapses, n_pre, n_post))

    def apply(self, pre_times, pre_ids, post_times, post_ids, syn_pre, syn_post, weights,
              state, t_start, t_end, w_min, w_max):
        """Apply the rule to the spikes of the window ``[t_start, t_end)`` (numba kernel).

        Parameters
        ----------
        pre_times, post_times : array of float
            Spike times in s, sorted; spikes outside the window are ignored.
        pre_ids, post_ids : array of int
            Neuron index of each spike (global over the batch).
        syn_pre, syn_post : array of int
            Presynaptic and postsynaptic neuron of each synapse.
        weights : array of float
            Weights at ``t_start``, within ``[w_min, w_max]``.
        state : dict of arrays
            From :meth:`initial_state` or a previous call.
        t_start, t_end : float
            Window in s.
        w_min, w_max : float or array
            Weight bounds (scalars or one per synapse).

        Returns
        -------
        new_weights : ndarray
        new_state : dict of ndarray

        Raises
        ------
        painsim.errors.ParameterError
            Spike times, indices or weights that are not numbers (text, also numeric text, or
            bools) or not 1-D; unsorted or non-finite spike times, indices outside the sizes of
            ``state``, mismatched lengths, weights outside their bounds, ``t_end`` before
            ``t_start`` (or either a bool), a ``state`` that is not a dict with the rule's keys,
            whose per-neuron arrays differ in length (``state['<key>']``), or that holds NaN,
            infinities or negative traces where they are no documented marker; ``t_start``
            before the last event the state has processed (windows go forward in time).
        """
        p = _prepare(self, pre_times, pre_ids, post_times, post_ids, syn_pre, syn_post, weights,
                     state, t_start, t_end, w_min, w_max, self._finite_bounds)
        self._run_kernel(p)
        return p.w, p.state

    def apply_unchecked(self, pre_t, pre_i, post_t, post_i, syn_pre, syn_post, weights, state, t_start, t_end,
                        w_lo, w_hi):
        """:meth:`apply` without input checks, for the course engine's replay.

        The caller guarantees what :meth:`apply` checks: float64/int64
        contiguous arrays, spikes sorted and inside ``[t_start, t_end)``,
        ``w_lo``/``w_hi`` arrays of one bound per synapse, weights within
        them, a state :meth:`apply` would accept and ``t_start`` not before
        its last event.  ``state`` is updated in place (not copied); ``weights`` is
        copied.  Replaying a 10-minute session calls the rule thousands of
        times on short windows, where the checks of :meth:`apply` cost more
        than the kernel.

        Parameters
        ----------
        pre_t, post_t : float64 array
            Spike times, s, sorted, inside ``[t_start, t_end)``.
        pre_i, post_i : int64 array
            Neuron index of each spike.
        syn_pre, syn_post : int64 array
            Presynaptic and postsynaptic neuron of each synapse.
        weights : array of float
            Weights at ``t_start``, within ``[w_lo, w_hi]`` (copied).
        state : dict of float64 arrays
            From :meth:`initial_state` or a previous call; updated in place.
        t_start, t_end : float
            Window, s.
        w_lo, w_hi : float64 array
            Weight bounds, one per synapse.

        Returns
        -------
        new_weights : ndarray
        new_state : dict of ndarray
            ``state`` itself.
        """
        p = _Prepared()
        p.pre_t, p.pre_i, p.post_t, p.post_i = pre_t, pre_i, post_t, post_i
        p.syn_pre, p.syn_post = syn_pre, syn_post
        p.w = np.array(weights, dtype=np.float64, copy=True)
        p.wlo, p.whi = w_lo, w_hi
        p.state = state
        p.n_pre, p.n_post = self._sizes(state)
        p.t_start, p.t_end = float(t_start), float(t_end)
        self._run_kernel(p)
        return p.w, p.state

    def replay_windows(self, pre_ptr, pre_t, pre_i, post_ptr, post_t, post_i, seg_win, seg_t, seg_len,
                       syn_pre, syn_post, weights, w_lo, w_hi, state_f, state_g):
        """A course chunk's replay in one call (rules with :attr:`replay_kernel`).

        Equal, bit for bit, to this loop of :meth:`apply_unchecked` (the course engine's
        replay, :func:`painsim.course.session.replay_chunk`)::

            for k, t, length in zip(seg_win, seg_t, seg_len):
                w_f, state_f = rule.apply_unchecked(*window(k, t, length), ..., w, state_f, t, t + length, ...)
                w_g, state_g = rule.apply_unchecked(*window(last, t, length), ..., w, state_g, t, t + length, ...)
                w = np.clip(w + (w_f - w_g), w_lo, w_hi)

        where ``window(k, t, length)`` is window ``k``'s spikes before ``length`` (s from its
        start) shifted by ``t``, and ``last`` the last window (the companion).

        Parameters
        ----------
        pre_ptr, post_ptr : array of int64
            Window ``k``'s presynaptic spikes are ``pre_t[pre_ptr[k]:pre_ptr[k + 1]]`` (s from
            the window start, sorted) and ``pre_i[...]`` (same for ``post``); the last window is
            the companion.
        seg_win, seg_t, seg_len : arrays
            Per replay: the window (int64), its start on the session clock and its length (s).
        syn_pre, syn_post, w_lo, w_hi, state_f, state_g
            As :meth:`apply_unchecked` (bounds one per synapse; the states updated in place).
        weights : array of float
            The efficacies before the replay, updated in place.

        Returns
        -------
        int
            Synapse updates made.
        """
        raise NotImplementedError(f"{type(self).__name__} has no replay kernel (replay_kernel is False)")

    def apply_counted(self, pre_times, pre_ids, post_times, post_ids, syn_pre, syn_post, weights,
                      state, t_start, t_end, w_min, w_max):
        """:meth:`apply` that also returns the number of synapse updates (for benchmarks).

        Parameters
        ----------
        pre_times, pre_ids, post_times, post_ids, syn_pre, syn_post, weights, state, t_start, t_end, w_min, w_max
            As :meth:`apply` (times in s).

        Returns
        -------
        new_weights, new_state
            As :meth:`apply`.
        updates : int
            Synapse updates the kernel made.

        Raises
        ------
        painsim.errors.ParameterError
            Inputs that :meth:`apply` refuses (see there).
        """
        p = _prepare(self, pre_times, pre_ids, post_times, post_ids, syn_pre, syn_post, weights,
                     state, t_start, t_end, w_min, w_max, self._finite_bounds)
        n = int(self._run_kernel(p))
        return p.w, p.state, n

    def apply_reference(self, pre_times, pre_ids, post_times, post_ids, syn_pre, syn_post,
                        weights, state, t_start, t_end, w_min, w_max):
        """Same as :meth:`apply`, computed by the plain Python/numpy reference.

        Parameters
        ----------
        pre_times, pre_ids, post_times, post_ids, syn_pre, syn_post, weights, state, t_start, t_end, w_min, w_max
            As :meth:`apply` (times in s).

        Returns
        -------
        new_weights, new_state
            As :meth:`apply`.

        Raises
        ------
        painsim.errors.ParameterError
            As :meth:`apply_counted`.
        """
        p = _prepare(self, pre_times, pre_ids, post_times, post_ids, syn_pre, syn_post, weights,
                     state, t_start, t_end, w_min, w_max, self._finite_bounds)
        return self._run_reference(p)

    def _n_syn(self, state):
        return None

    def _state_clock(self, state) -> float:
        """A last-event time the state holds other than its ``"never"``/``"first"`` times (-inf: none)."""
        return -math.inf
