"""Spike-based BCM rule with a sliding threshold (Bienenstock, Cooper & Munro 1982).

Numba kernel (:func:`_bcm_kernel`) and plain-numpy reference
(:meth:`BCM._run_reference`); the slow rate average behind the threshold is
integrated exactly between postsynaptic spikes (:func:`_ybar_at`, reference
:func:`_ybar_ref`).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..checks import is_number, number, positive_rate, positive_time
from ..errors import ParameterError, UnitError
from ..jit import njit
from ..units import to_si
from .base import PlasticityRule, _csr, _groups, _set, _start_clock

__all__ = ["BCM"]

#: The unit of the BCM learning rate (weight x s^2), a unit painsim.units parses ("1e-4 s^2")
_S2 = "s^2"
#: What ``eta`` may be, for its errors
_ETA_ALLOWED = 'a learning rate >= 0 in s^2 (a number taken in s^2, text such as "1e-4 s^2" or a brian2 quantity)'


@njit(cache=True)
def _ybar_at(yb_a, y_a, u, tau_y, tau_th):
    """ybar after time u of  tau_th dybar/dt = y - ybar,  y = y_a exp(-u/tau_y)."""
    eb = math.exp(-u / tau_th)
    d = 1.0 / tau_y - 1.0 / tau_th
    if d == 0.0:
        g = u * eb
    else:
        g = eb * (-math.expm1(-d * u)) / d   # = (e^{-u/tau_th} - e^{-u/tau_y}) / d
    return yb_a * eb + y_a / tau_th * g


@njit(cache=True)
def _bcm_kernel(pre_t, pre_i, post_t, post_i, syn_pre, syn_post, n_pre, n_post, w, wlo, whi,
                x, tx, y, ty, th, eta, tau_x, tau_y, tau_th, r0):
    post_ptr, post_syn = _csr(syn_post, n_post)
    na = pre_t.size
    nb = post_t.size
    a = 0
    b = 0
    updates = 0
    while a < na or b < nb:
        if b >= nb or (a < na and pre_t[a] <= post_t[b]):
            t = pre_t[a]
            i = pre_i[a]
            a += 1
            x[i] = x[i] * math.exp(-(t - tx[i]) / tau_x) + 1.0 / tau_x
            tx[i] = t
        else:
            t = post_t[b]
            j = post_i[b]
            b += 1
            u = t - ty[j]
            yv = y[j] * math.exp(-u / tau_y)          # rate estimate just before the spike
            ybv = _ybar_at(math.sqrt(th[j] * r0), y[j], u, tau_y, tau_th)   # its slow average
            thv = ybv * ybv / r0
            for k in range(post_ptr[j], post_ptr[j + 1]):
                s = post_syn[k]
                i = syn_pre[s]
                xv = x[i] * math.exp(-(t - tx[i]) / tau_x)
                ws = w[s] + eta * xv * (yv - thv)
                if ws < wlo[s]:
                    ws = wlo[s]
                elif ws > whi[s]:
                    ws = whi[s]
                w[s] = ws
            updates += post_ptr[j + 1] - post_ptr[j]
            y[j] = yv + 1.0 / tau_y
            th[j] = thv
            ty[j] = t
    return updates


@dataclass(frozen=True)
class BCM(PlasticityRule):
    """Spike-based BCM rule with a sliding threshold.

    Bienenstock, Cooper & Munro (1982, J Neurosci 2:32): the threshold is a
    function of the time-averaged postsynaptic activity, theta_M = (c_bar /
    c0)^p c_bar [recalled: the form as reviews give it, the paper not read here];
    here p = 1 and c0 = r_target, so theta = y_bar^2 / r_target.  Rates are
    estimated by exponential traces (in Hz): x for each presynaptic neuron
    (time constant ``tau_pre``), y for each postsynaptic neuron
    (``tau_post``), and y_bar, the slow average of y::

        tau_theta dy_bar/dt = y - y_bar,        theta = y_bar^2 / r_target

    integrated exactly between spikes (y is exponential there).  At each
    postsynaptic spike every synapse onto that neuron changes by::

        dw = eta * x * (y - theta)

    with y and theta taken just before the spike, so that averaged over
    postsynaptic spikes ``dw/dt = eta r_pre r_post (r_post - theta)``, the BCM
    form.  With a steady rate r the threshold settles at r^2 / r_target, and the
    rule is neutral at r = r_target, up to the shot noise of y_bar: for Poisson
    firing E[y_bar^2] = r^2 + r / (2 (tau_theta + tau_post)), so the mean change
    is zero at r = r_target - 1 / (2 (tau_theta + tau_post)) (9.95 Hz at the
    defaults), potentiation below that rate and depression above it (the
    homeostasis of BCM: the threshold slides to bring the rate back).
    (Intrator & Cooper 1992 (Neural Netw 5:3), whom this rule followed before,
    average the square instead, theta = E[c^2] (here it was <y^2> / r_target),
    the same as y_bar^2 / r_target for a steady rate c = r; averaging the square
    of a spike-count estimate such as y would add its shot noise r / (2
    tau_post): the rule would be neutral at r_target - 1 / (2 tau_post), 5 Hz
    at the defaults.)

    Times and rates (the keys of ``UNITS``) are text with a unit (``"20 ms"``), brian2
    quantities, or plain numbers in SI units (s, Hz), as the rule stores them, so that
    ``dataclasses.replace(rule, ...)`` and ``eval(repr(rule))`` give an equal rule; a model
    file writes them with their unit.

    Parameters
    ----------
    eta : float, str or quantity in s^2
        Learning rate (weight units x s^2): a real number (Python or numpy) taken in s^2, text
        with its unit (``"1e-4 s^2"``) or a brian2 quantity.
    tau_pre, tau_post : quantity, str or float (s)
        Rate-estimation time constants (defaults 100 ms, chosen).
    tau_theta : quantity, str or float (s)
        Time constant of the slow rate average y_bar (default 10 s, chosen:
        slower than the rate estimate, as stability requires).
    target_rate : quantity, str or float (Hz)
        r_target: the rate at which the rule is neutral (see above).
    theta0 : quantity, str or float (Hz), optional
        Initial threshold (default: target_rate, i.e. y_bar starts at
        target_rate).

    Notes
    -----
    ``state["theta"]`` holds the threshold y_bar^2 / r_target at the state's
    time (``t_post``); the kernel and the reference take y_bar as
    sqrt(theta r_target) from it.
    """

    eta: Any = 1e-4
    tau_pre: Any = "100 ms"
    tau_post: Any = "100 ms"
    tau_theta: Any = "10 s"
    target_rate: Any = "10 Hz"
    theta0: Any = None

    name = "bcm"
    UNITS = {"tau_pre": "s", "tau_post": "s", "tau_theta": "s", "target_rate": "Hz", "theta0": "Hz"}

    def __post_init__(self):
        _set(self, "eta", _learning_rate(self.eta))
        for k in ("tau_pre", "tau_post", "tau_theta"):
            _set(self, k, positive_time(getattr(self, k), k, plain_si=True))
        _set(self, "target_rate", positive_rate(self.target_rate, "target_rate", plain_si=True))
        if self.theta0 is None:
            _set(self, "theta0", self.target_rate)
        else:
            v = self.theta0  # a plain number is a rate in Hz (SI), as the rule stores it
            v = float(v) if is_number(v) else to_si(v, "Hz", "theta0")
            if not (math.isfinite(v) and v >= 0):
                raise ParameterError("theta0", self.theta0, "a rate >= 0 Hz")
            _set(self, "theta0", float(v))

    def _state_layout(self):
        return {"x_pre": ("pre", "trace"), "t_pre": ("pre", "never"), "y_post": ("post", "trace"),
                "theta": ("post", "trace"), "t_post": ("post", "first")}

    def _sizes(self, st):
        return st["x_pre"].size, st["y_post"].size

    def _fresh_state(self, n_synapses, n_pre, n_post):
        """Zero rate traces; theta = theta0.  Keys: ``x_pre, t_pre, y_post,
        theta, t_post`` (values just after each neuron's last spike).
        """
        return {"x_pre": np.zeros(n_pre), "t_pre": np.full(n_pre, -np.inf),
                "y_post": np.zeros(n_post), "theta": np.full(n_post, self.theta0),
                "t_post": np.full(n_post, np.nan)}

    def _run_kernel(self, p):
        _start_clock(p)
        s = p.state
        return _bcm_kernel(p.pre_t, p.pre_i, p.post_t, p.post_i, p.syn_pre, p.syn_post,
                           p.n_pre, p.n_post, p.w, p.wlo, p.whi, s["x_pre"], s["t_pre"],
                           s["y_post"], s["t_post"], s["theta"], self.eta, self.tau_pre,
                           self.tau_post, self.tau_theta, self.target_rate)

    def _run_reference(self, p):
        _start_clock(p)
        st = p.state
        w = p.w
        by_post = _groups(p.syn_post, p.n_post)
        hp = [[] for _ in range(p.n_pre)]
        hq = [[] for _ in range(p.n_post)]
        tx_, ty_ = self.tau_pre, self.tau_post

        def rate(v0, t0, hist, t, tau):
            val = v0 * math.exp(-(t - t0) / tau)
            if hist:
                val += float(np.sum(np.exp(-(t - np.asarray(hist)) / tau))) / tau
            return val

        def theta(j, t):
            # the slow average from its value at the state time, segment by segment between
            # the postsynaptic spikes already processed (y is exponential there); theta = its square / r0
            r0 = self.target_rate
            yb, t0, y0 = math.sqrt(st["theta"][j] * r0), st["t_post"][j], st["y_post"][j]
            for ts in hq[j]:
                u = ts - t0
                yb = _ybar_ref(yb, y0, u, ty_, self.tau_theta)
                y0 = y0 * math.exp(-u / ty_) + 1.0 / ty_
                t0 = ts
            yb = _ybar_ref(yb, y0, t - t0, ty_, self.tau_theta)
            return yb * yb / r0

        times = np.concatenate([p.pre_t, p.post_t])
        kind = np.concatenate([np.zeros(p.pre_t.size, int), np.ones(p.post_t.size, int)])
        who = np.concatenate([p.pre_i, p.post_i])
        for e in np.lexsort((kind, times)):
            t, n = times[e], who[e]
            if kind[e] == 0:
                hp[n].append(t)
                continue
            yv = rate(st["y_post"][n], st["t_post"][n], hq[n], t, ty_)
            thv = theta(n, t)
            syn = by_post[n]
            if syn.size:
                pre = p.syn_pre[syn]
                xv = np.array([rate(st["x_pre"][i], st["t_pre"][i], hp[i], t, tx_) for i in pre])
                w[syn] = np.clip(w[syn] + self.eta * xv * (yv - thv), p.wlo[syn], p.whi[syn])
            hq[n].append(t)
        for i, h in enumerate(hp):
            if h:
                st["x_pre"][i] = rate(st["x_pre"][i], st["t_pre"][i], h, h[-1], tx_)
                st["t_pre"][i] = h[-1]
        for j, h in enumerate(hq):
            if h:
                tl = h[-1]
                th = theta(j, tl)
                st["y_post"][j] = rate(st["y_post"][j], st["t_post"][j], h, tl, ty_)
                st["theta"][j] = th
                st["t_post"][j] = tl
        return w, st


def _learning_rate(eta) -> float:
    """``eta`` in s^2 as a float >= 0: a real number (Python or numpy, taken in s^2), text with its
    unit or a brian2 quantity; refused naming ``eta`` and its unit (a numpy float was read as a
    quantity and refused with the dimension tuple as its unit)."""
    if isinstance(eta, (bool, np.bool_)):
        raise ParameterError("eta", eta, _ETA_ALLOWED)
    if not isinstance(eta, numbers.Real):
        try:
            eta = to_si(eta, _S2, "eta")
        except UnitError:
            raise UnitError("eta", eta, _S2, hint='write it with its unit, e.g. "1e-4 s^2", or as a plain '
                            'number taken in s^2') from None
        except ParameterError:
            raise ParameterError("eta", eta, _ETA_ALLOWED) from None
    return number(eta, "eta", lo=0.0, allowed=_ETA_ALLOWED)


def _ybar_ref(yb_a, y_a, u, tau_y, tau_th):
    """Reference of :func:`_ybar_at`: the slow average after u, as a difference of exponentials."""
    a, b = 1.0 / tau_y, 1.0 / tau_th
    if a == b:
        g = u * math.exp(-b * u)
    else:
        g = (math.exp(-b * u) - math.exp(-a * u)) / (a - b)
    return yb_a * math.exp(-b * u) + y_a * b * g
