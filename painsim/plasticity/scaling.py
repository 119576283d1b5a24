"""Multiplicative homeostatic synaptic scaling (Turrigiano 2008).

Numba kernel (:func:`_scaling_kernel`, exact solution per segment between
postsynaptic spikes: :func:`_scale_segment`) and plain-numpy reference
(:meth:`SynapticScaling._run_reference`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..checks import positive_rate, positive_time
from ..jit import njit
from .base import PlasticityRule, _csr, _groups, _set, _start_clock

__all__ = ["SynapticScaling"]


@njit(cache=True)
def _scale_segment(w, lo, hi, y_a, length, tau_y, tau_s, r_t):
    """Exact solution of dw/dt = w (1 - y/r_t)/tau_s with y = y_a e^{-t/tau_y},
    clipped to [lo, hi].  The growth rate increases monotonically while y
    decays, so the clipped solution first (g < 0) can only stick at lo, then
    (g > 0) only at hi: no root finding needed."""
    if length <= 0.0:
        return w
    k = y_a * tau_y / (r_t * tau_s)
    ts = tau_y * math.log(y_a / r_t) if y_a > r_t else 0.0   # g changes sign at ts
    if length <= ts:
        G = length / tau_s + k * math.expm1(-length / tau_y)
        v = w * math.exp(G)
        return lo if v < lo else (hi if v > hi else v)
    if ts > 0.0:
        Gs = ts / tau_s + k * math.expm1(-ts / tau_y)
        w = w * math.exp(Gs)
        if w < lo:
            w = lo
    else:
        Gs = 0.0
    GL = length / tau_s + k * math.expm1(-length / tau_y)
    v = w * math.exp(GL - Gs)
    return lo if v < lo else (hi if v > hi else v)


@njit(cache=True)
def _scaling_kernel(post_t, post_i, syn_post, n_post, w, wlo, whi, y, ty, t_start, t_end,
                    tau_y, tau_s, r_t):
    post_ptr, post_syn = _csr(syn_post, n_post)
    ev_ptr, ev = _csr(post_i, n_post)
    updates = 0
    for j in range(n_post):
        tcur = t_start
        for e in range(ev_ptr[j], ev_ptr[j + 1] + 1):
            te = post_t[ev[e]] if e < ev_ptr[j + 1] else t_end
            ya = y[j] * math.exp(-(tcur - ty[j]) / tau_y)
            for k in range(post_ptr[j], post_ptr[j + 1]):
                s = post_syn[k]
                w[s] = _scale_segment(w[s], wlo[s], whi[s], ya, te - tcur, tau_y, tau_s, r_t)
            updates += post_ptr[j + 1] - post_ptr[j]
            if e < ev_ptr[j + 1]:
                y[j] = y[j] * math.exp(-(te - ty[j]) / tau_y) + 1.0 / tau_y
                ty[j] = te
            tcur = te
    return updates


@dataclass(frozen=True)
class SynapticScaling(PlasticityRule):
    """Multiplicative homeostatic synaptic scaling (Turrigiano 2008, Cell 135:422;
    Turrigiano et al. 1998 Nature 391:892).

    Every synapse onto a neuron is scaled by the same factor, faster the
    further the neuron's rate is from its target::

        dw/dt = w (1 - y / target_rate) / tau_scaling

    where y is the postsynaptic rate estimated by an exponential trace (Hz,
    time constant ``tau_rate``).  Integrated exactly (closed form, with the
    bounds) between postsynaptic spikes; presynaptic spikes are not used.

    Times and rates (the keys of ``UNITS``) are text with a unit (``"20 ms"``), brian2
    quantities, or plain numbers in SI units (s, Hz), as the rule stores them, so that
    ``dataclasses.replace(rule, ...)`` and ``eval(repr(rule))`` give an equal rule; a model
    file writes them with their unit.

    Parameters
    ----------
    target_rate : quantity, str or float (Hz)
        Default 5 Hz (chosen).
    tau_scaling : quantity, str or float (s)
        Default 24 h (chosen: scaling develops over 24-48 h in culture,
        Turrigiano et al. 1998).
    tau_rate : quantity, str or float (s)
        Rate-estimation time constant, default 10 s (chosen).
    """

    target_rate: Any = "5 Hz"
    tau_scaling: Any = "24 h"
    tau_rate: Any = "10 s"

    name = "synaptic_scaling"
    UNITS = {"target_rate": "Hz", "tau_scaling": "s", "tau_rate": "s"}

    def __post_init__(self):
        _set(self, "target_rate", positive_rate(self.target_rate, "target_rate", plain_si=True))
        _set(self, "tau_scaling", positive_time(self.tau_scaling, "tau_scaling", plain_si=True))
        _set(self, "tau_rate", positive_time(self.tau_rate, "tau_rate", plain_si=True))

    def _state_layout(self):
        # t_done, a "first" time, is the clock apply checks a window's start against: the rule
        # integrates between spikes too, so a window again over integrated time would count twice
        return {"y_post": ("post", "trace"), "t_post": ("post", "first"), "t_done": ("post", "first")}

    def _sizes(self, st):
        return None, st["y_post"].size

    def _fresh_state(self, n_synapses, n_pre, n_post):
        """Rate estimate starts at the target (neutral).  Keys: ``y_post, t_post``
        (rate estimate and the time it refers to; NaN = the first window's start) and
        ``t_done`` (the end of the time integrated so far, NaN = none: a window must not start
        before it, or its scaling would be applied twice).
        """
        return {"y_post": np.full(n_post, self.target_rate), "t_post": np.full(n_post, np.nan),
                "t_done": np.full(n_post, np.nan)}

    def _run_kernel(self, p):
        _start_clock(p)
        s = p.state
        n = _scaling_kernel(p.post_t, p.post_i, p.syn_post, p.n_post, p.w, p.wlo, p.whi,
                            s["y_post"], s["t_post"], p.t_start, p.t_end,
                            self.tau_rate, self.tau_scaling, self.target_rate)
        s["t_done"][:] = p.t_end  # every neuron's synapses were integrated up to the window's end
        return n

    def _run_reference(self, p):
        _start_clock(p)
        st = p.state
        w, lo, hi = p.w, p.wlo, p.whi
        tau_y, tau_s, rt = self.tau_rate, self.tau_scaling, self.target_rate
        for j, syn in enumerate(_groups(p.syn_post, p.n_post)):
            spikes = p.post_t[p.post_i == j]
            edges = [p.t_start, *spikes, p.t_end]
            y0, t0 = st["y_post"][j], st["t_post"][j]
            for k in range(len(edges) - 1):
                a, b = edges[k], edges[k + 1]
                # rate estimate at a: explicit sum over this window's spikes before a
                ya = y0 * math.exp(-(a - t0) / tau_y) + \
                    float(np.sum(np.exp(-(a - spikes[:k]) / tau_y))) / tau_y
                L = b - a
                if L <= 0 or syn.size == 0:
                    continue
                G = lambda u: u / tau_s - ya * tau_y / (rt * tau_s) * (1 - math.exp(-u / tau_y))
                ts = tau_y * math.log(ya / rt) if ya > rt else 0.0
                v = w[syn]
                if L <= ts:
                    v = np.clip(v * math.exp(G(L)), lo[syn], hi[syn])
                else:
                    if ts > 0:
                        v = np.maximum(v * math.exp(G(ts)), lo[syn])
                    v = np.clip(v * math.exp(G(L) - G(ts)), lo[syn], hi[syn])
                w[syn] = v
            if spikes.size:
                tl = spikes[-1]
                st["y_post"][j] = y0 * math.exp(-(tl - t0) / tau_y) + \
                    float(np.sum(np.exp(-(tl - spikes) / tau_y))) / tau_y
                st["t_post"][j] = tl
        st["t_done"][:] = p.t_end
        return w, st
