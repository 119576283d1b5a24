"""The calcium model of theta-burst after-effects (Huang et al. 2011; Ma et al. 2022).

Huang, Rothwell, Chen, Lu & Chuang 2011 (Clin Neurophysiol 122:1011, "The
theoretical model of theta burst form of repetitive transcranial magnetic
stimulation") explain the pattern dependence of theta-burst stimulation (TBS)
by a postsynaptic calcium-like quantity that each burst raises and that sets
off two processes: a facilitatory one, driven by the *rise* of calcium, and an
inhibitory one, driven by its *level*, which builds up more slowly and
cumulatively.  Their difference at the end of stimulation is the sign and size
of the after-effect.  Ma, Rothwell & Goetz 2022 (bioRxiv
10.1101/2022.04.15.488478, "A revised calcium-dependent model of theta-burst
transcranial magnetic stimulation") found that Huang's published code indexes
the calcium rise two bursts back instead of one (not the paper's equation),
fixed it and re-fitted the four stage-II constants; their code
(github.com/BIOMAKE/Revised_Huang_Model, ``HuangModel_Revised.m``,
``Functions/peakM.m``) is the source of the equations and constants here
[checked: read].

The source model, per burst n of a train (bursts every 0.2 s; calcium read
at its trough, just before the next burst)::

    Ca_n = (Ca_{n-1} + C) exp(-k tbi)                      stage I,  k = 1.2 /s, tbi = 0.16 s
    F_n  = (F_{n-1} + R_f (Ca_n - Ca_{n-1})) exp(-f_k / C)       stage II: facilitation
    I_n  = (I_{n-1} + R_i / C^2  Ca_n)      exp(-i_k / C^2)     stage II: inhibition
    between trains (iTBS gaps): F, I decay as exp(-b_k t), b_k = 0.1 /s
    after-effect ~ F - I at the end of stimulation                    (stage III: its time course)

with C = 1 when a voluntary contraction preceded TBS (Huang et al. 2005's
experiments; the contraction is the metaplastic factor of the model) and C = 3
without.  The stage-II constants are Ma 2022's re-fit (R_f = 1.44, f_k =
0.005, R_i = 0.127, i_k = 0.07; Huang 2011's own, fitted with the index slip:
1, 0.01, 0.14, 0.055).

**Fitted by the source** (so "calibrated by the source" here, not
predictions): MEP time courses after iTBS600, cTBS600, imTBS600 and cTBS300
(Huang et al. 2005 Neuron 45:201), cTBS300/600 without a preceding
contraction (Gentner et al. 2008 Cereb Cortex 18:2046) and iTBS600/cTBS300
with a contraction after TBS: the eight data sets of the revised-model
repository, digitised from Huang 2005, Gentner 2008 and Huang 2011.  **Not fitted,
predictions of the model** (in its own closed form, before any network):
doubling iTBS (1200 pulses in one run) changes nothing (the train-to-train
recursion has reached its fixed point after ~5 trains, F - I = +5.4 after 600,
1200 and 1800 pulses with C = 1), doubling cTBS deepens the inhibition (-5.7
-> -7.3); so the source model does *not* predict Gamboa et al. 2010's
reversals at 1200 pulses nor Nettekoven et al. 2014's growth after 1800.

In spikes (this module, chosen where the source is silent)
----------------------------------------------------------
The source works on bursts of the stimulation pattern, not on spikes.  Here:

* calcium is per presynaptic neuron (``drive = "presynaptic"``: the source's
  calcium is set by the stimulation pattern alone, and the TMS-fired M1
  neurons are this model's presynaptic side); each presynaptic spike adds
  ``ca_burst / spikes_per_burst`` (a burst of 3 pulses adds C).  The source
  lets calcium decay at k only over the tbi = 0.16 s between bursts (a
  retention exp(-k tbi) per 0.2-s cycle); in continuous time calcium decays
  at k tbi / theta_period = 0.96 /s, the same retention per cycle (chosen);
* the source's burst index becomes a clock of *theta cycles* of length
  ``theta_period`` (0.2 s) on the session clock, tick n at n * theta_period;
  the spikes in ((n-1) T, n T] belong to tick n: a spike at a tick's instant
  belongs to that tick (its calcium is read there), and the tick instant itself
  belongs to the window [t_start, t_end) that contains it (a tick at t_end runs
  in the next window).  Instants are compared with a tolerance of 1e-9 T
  (``_TICK_TOL``), so that a spike or window end computed as n * T with rounding
  (3 * 0.2 = 0.6000000000000001) belongs where n T does.  At a tick with spikes the
  stage-II step above runs with Ca_n = calcium at the tick (a trough, when
  bursts follow the ticks) on the current train's F and I; a tick without
  spikes ends the train: its F and I join a residual pool that decays by
  exp(-b_k T) in every silent theta cycle and is held during later trains
  (the source superposes trains so: each train's processes decay per burst
  only within it, then only in the pauses; for iTBS's 8-s gaps exactly the
  source's; chosen: a single silent cycle also ends a train);
* the efficacy follows the net: at every tick each synapse of the neuron
  changes by ``gain * Delta(F - I)`` (clipped to [w_min, w_max]), so after a
  session it has moved by ``gain * (F - I)`` at its end (stage III's peak
  amplitude is F - I times 0.97-0.99: the after-effect amplitude; its time
  course after the session is left to the course engine's consolidation).
  ``gain`` is chosen (see the model file).

On a TBS train the kernel reproduces the source's recursion up to one
constant factor g on every Ca_n, hence on F and I alike (F and I are linear
in calcium): g = the calcium a burst's 3 spikes leave at the next tick over
the source's C exp(-k tbi).  The protocols' bursts start on the session clock
(ticks at the burst onsets), so for a neuron that fires once, ~1 ms after each
pulse, g = 1.02 (tests/test_theta_burst.py checks the kernel against the
source to rounding on such trains); the M1 neurons that the network's 80 %
pulses fire directly fire twice per pulse, g ~ 2 (docs/circuits.md);
for a burst ending just before a tick g = 1.19, and a tick inside a burst
splits it over two cycles, which the source does not have.  The sign of the
after-effect never depends on g.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..checks import number, positive_rate, positive_time
from ..errors import ParameterError
from ..jit import njit
from .base import (PlasticityRule, _csr, _from_preset, _groups, _most_per_window, _replay_clip,
                   _replay_cut, _set)

__all__ = ["TBSCalcium", "TBS_PRESETS"]

#: Published parameter sets (values in the units of the class fields).
TBS_PRESETS = {
    # Ma, Rothwell & Goetz 2022 revised model, HuangModel_Revised.m [checked: read]: stage I
    # (C, k, tbi, b_k) from Huang 2011 unchanged; stage II re-fitted.  C = 1: a contraction
    # preceded TBS (Huang 2005's experiments, whose iTBS/cTBS600 effects the tests check).
    "ma2022": dict(ca_burst=1.0, k_ca="1.2 Hz", rise_factor=1.44, rise_decay=0.005,
                   level_factor=0.127, level_decay=0.07, k_gap="0.1 Hz"),
    # the same without a preceding contraction (C = 3; Gentner 2008's experiments)
    "ma2022_no_contraction": dict(ca_burst=3.0, k_ca="1.2 Hz", rise_factor=1.44, rise_decay=0.005,
                                  level_factor=0.127, level_decay=0.07, k_gap="0.1 Hz"),
    # Huang et al. 2011's own stage-II constants (fitted with the index slip of their code, so in
    # the paper's equation, implemented here, they are not a fit of anything; for comparison)
    "huang2011_constants": dict(ca_burst=1.0, k_ca="1.2 Hz", rise_factor=1.0, rise_decay=0.01,
                                level_factor=0.14, level_decay=0.055, k_gap="0.1 Hz"),
}


#: Tolerance of the tick clock, in theta periods: a time within it after a tick instant n * period
#: counts as at the instant (3 * 0.2 = 0.6000000000000001 is tick 3's instant, as 0.6 is).  Far
#: below any spike spacing (0.2 ns at 0.2 s), far above the rounding of t / period while
#: t / period < 1e6 (over 2 days of 0.2-s cycles; a session clock restarts every session).
_TICK_TOL = 1e-9


@njit(cache=True)
def _tick_index(t, period):
    """Index of the first tick at or after ``t`` (ticks at n * period, within ``_TICK_TOL``)."""
    return math.ceil(t / period - _TICK_TOL)


def _tick_of(t, period):
    """:func:`_tick_index` for the reference (plain Python)."""
    return math.ceil(t / period - _TICK_TOL)


@njit(cache=True)
def _tick(i, n, period, ca, t_ca, ca_tick, F, I, Fr, Ir, active, k_ca, rf, ef, ri, ei, eg):
    """Stage II at tick n for neuron i; returns the change of the net (F + Fr) - (I + Ir)."""
    net0 = (F[i] + Fr[i]) - (I[i] + Ir[i])
    c = ca[i] * math.exp(-k_ca * (n * period - t_ca[i])) if ca[i] != 0.0 else 0.0
    if active[i] != 0.0:      # a theta cycle of the current train: the residual is held
        F[i] = (F[i] + rf * (c - ca_tick[i])) * ef
        I[i] = (I[i] + ri * c) * ei
    else:                     # a silent cycle: the train ends, its processes join the residual
        Fr[i] = (Fr[i] + F[i]) * eg
        Ir[i] = (Ir[i] + I[i]) * eg
        F[i] = 0.0
        I[i] = 0.0
    ca_tick[i] = c
    active[i] = 0.0
    return ((F[i] + Fr[i]) - (I[i] + Ir[i])) - net0


@njit(cache=True)
def _express(i, d, syn_ptr, syn_ord, w, wlo, whi):
    for k in range(syn_ptr[i], syn_ptr[i + 1]):
        s = syn_ord[k]
        ws = w[s] + d
        if ws < wlo[s]:
            ws = wlo[s]
        elif ws > whi[s]:
            ws = whi[s]
        w[s] = ws
    return syn_ptr[i + 1] - syn_ptr[i]


@njit(cache=True)
def _tbs_kernel(pre_t, pre_i, syn_pre, n_pre, w, wlo, whi, ca, t_ca, ca_tick, F, I, Fr, Ir, active, last,
                t_start, t_end, period, c_spike, k_ca, rf, ef, ri, ei, eg, gain):
    syn_ptr, syn_ord = _csr(syn_pre, n_pre)
    spk_ptr, spk_ord = _csr(pre_i, n_pre)
    n_end = _tick_index(t_end, period)      # ticks < n_end belong to this window
    n_first = _tick_index(t_start, period)
    updates = 0
    for i in range(n_pre):
        if math.isnan(last[i]):
            last[i] = n_first - 1
        for q in range(spk_ptr[i], spk_ptr[i + 1] + 1):
            if q < spk_ptr[i + 1]:
                t = pre_t[spk_ord[q]]
                upto = _tick_index(t, period)     # ticks before the spike's own tick run first
            else:
                t = 0.0
                upto = n_end
            n = int(last[i]) + 1
            while n < upto:
                if F[i] == 0.0 and I[i] == 0.0 and Fr[i] == 0.0 and Ir[i] == 0.0 and ca[i] == 0.0 \
                        and active[i] == 0.0:
                    n = upto                      # nothing to do until the next spike
                    break
                d = _tick(i, n, period, ca, t_ca, ca_tick, F, I, Fr, Ir, active, k_ca, rf, ef, ri, ei, eg)
                if d != 0.0:
                    updates += _express(i, gain * d, syn_ptr, syn_ord, w, wlo, whi)
                n += 1
            last[i] = upto - 1
            if q < spk_ptr[i + 1]:
                ca[i] = (ca[i] * math.exp(-k_ca * (t - t_ca[i])) if ca[i] != 0.0 else 0.0) + c_spike
                t_ca[i] = t
                active[i] = 1.0
    return updates


@njit(cache=True)
def _tbs_replay(pre_ptr_w, pre_t_w, pre_i_w, seg_win, seg_t, seg_len, syn_pre, n_pre, w, wlo, whi,
                f_ca, f_t_ca, f_ca_tick, f_F, f_I, f_Fr, f_Ir, f_active, f_last,
                g_ca, g_t_ca, g_ca_tick, g_F, g_I, g_Fr, g_Ir, g_active, g_last,
                period, c_spike, k_ca, rf, ef, ri, ei, eg, gain):
    """A whole replay of windows in one call (as ``stdp._stdp_replay``; presynaptic spikes
    only): per replay, the kernel on window ``seg_win[s]`` (state f) and on the companion
    (the last window; state g), both from ``w``, then ``w = clip(w + (w_f - w_g), wlo, whi)``."""
    comp = pre_ptr_w.size - 2
    most = _most_per_window(pre_ptr_w)
    bt, bi = np.empty(most), np.empty(most, np.int64)
    wf, wg = np.empty_like(w), np.empty_like(w)
    updates = 0
    for s in range(seg_win.size):
        t0, length = seg_t[s], seg_len[s]
        for side in range(2):
            k = seg_win[s] if side == 0 else comp
            na = _replay_cut(pre_t_w, pre_i_w, pre_ptr_w[k], pre_ptr_w[k + 1], length, t0, bt, bi)
            if side == 0:
                wf[:] = w
                updates += _tbs_kernel(bt[:na], bi[:na], syn_pre, n_pre, wf, wlo, whi, f_ca, f_t_ca, f_ca_tick, f_F,
                                       f_I, f_Fr, f_Ir, f_active, f_last, t0, t0 + length, period, c_spike, k_ca,
                                       rf, ef, ri, ei, eg, gain)
            else:
                wg[:] = w
                updates += _tbs_kernel(bt[:na], bi[:na], syn_pre, n_pre, wg, wlo, whi, g_ca, g_t_ca, g_ca_tick, g_F,
                                       g_I, g_Fr, g_Ir, g_active, g_last, t0, t0 + length, period, c_spike, k_ca,
                                       rf, ef, ri, ei, eg, gain)
        for q in range(w.size):
            w[q] = _replay_clip(w[q] + (wf[q] - wg[q]), wlo[q], whi[q])
    return updates


@dataclass(frozen=True)
class TBSCalcium(PlasticityRule):
    """Theta-burst after-effects from a calcium-driven facilitatory and inhibitory process.

    Huang et al. 2011 (Clin Neurophysiol 122:1011) with the equation fix and
    stage-II re-fit of Ma, Rothwell & Goetz 2022 (bioRxiv
    10.1101/2022.04.15.488478); equations, the spike-level formulation and
    what the source was fitted to: the module docstring.  Driven by the
    presynaptic spikes only (``drive = "presynaptic"``).

    Times and rates (the keys of ``UNITS``) are text with a unit (``"20 ms"``), brian2
    quantities, or plain numbers in SI units (s, Hz), as the rule stores them, so that
    ``dataclasses.replace(rule, ...)`` and ``eval(repr(rule))`` give an equal rule; a model
    file writes them with their unit.

    Parameters
    ----------
    ca_burst : float
        C, calcium added by one burst (1 after a voluntary contraction, 3 at
        rest; Huang 2011).  Also scales the stage-II constants as in the
        source: f_k / C, R_i / C^2, i_k / C^2.
    spikes_per_burst : int
        Spikes of a burst (3 in TBS, Huang et al. 2005); each adds
        ``ca_burst / spikes_per_burst``.
    k_ca : quantity, str or float (Hz)
        Huang 2011's k (1.2 /s), the calcium decay between bursts.
    tbi : quantity, str or float (s)
        The source's interval between bursts over which calcium decays (0.16
        s); calcium decays continuously at ``k_ca * tbi / theta_period``.
    theta_period : quantity, str or float (s)
        Length of a theta cycle, the clock of stage II (0.2 s: bursts at 5 Hz).
    rise_factor, rise_decay : float
        R_f and f_k (facilitation per unit calcium rise; decay per active theta cycle).
    level_factor, level_decay : float
        R_i and i_k (inhibition per unit calcium level; decay per active cycle).
    k_gap : quantity, str or float (Hz)
        b_k, decay of F and I in theta cycles without spikes (0.1 /s).
    gain : float
        Efficacy change per unit of F - I (chosen, see ``models/gate_control.toml``).
    """

    ca_burst: float = 1.0
    spikes_per_burst: int = 3
    k_ca: Any = "1.2 Hz"
    tbi: Any = "160 ms"
    theta_period: Any = "200 ms"
    rise_factor: float = 1.44
    rise_decay: float = 0.005
    level_factor: float = 0.127
    level_decay: float = 0.07
    k_gap: Any = "0.1 Hz"
    gain: float = 0.1

    name = "tbs_calcium"
    UNITS = {"k_ca": "Hz", "tbi": "s", "theta_period": "s", "k_gap": "Hz"}
    drive = "presynaptic"
    PRESETS = TBS_PRESETS

    def __post_init__(self):
        _set(self, "ca_burst", number(self.ca_burst, "ca_burst", lo=0.0, lo_open=True))
        if not (isinstance(self.spikes_per_burst, (int, np.integer)) and not isinstance(self.spikes_per_burst, bool)
                and self.spikes_per_burst >= 1):
            raise ParameterError("spikes_per_burst", self.spikes_per_burst, "an integer >= 1")
        for k in ("k_ca", "k_gap"):
            _set(self, k, positive_rate(getattr(self, k), k, plain_si=True))
        for k in ("tbi", "theta_period"):
            _set(self, k, positive_time(getattr(self, k), k, plain_si=True))
        for k in ("rise_factor", "rise_decay", "level_factor", "level_decay", "gain"):
            _set(self, k, number(getattr(self, k), k, lo=0.0))

    @classmethod
    def preset(cls, name: str, **overrides) -> "TBSCalcium":
        """Named parameter set: ``"ma2022"`` (default values), ``"ma2022_no_contraction"``
        (C = 3), ``"huang2011_constants"`` (Huang 2011's stage-II constants, for comparison).

        Parameters
        ----------
        name : str
            The preset.
        **overrides
            Parameters of the rule that replace the preset's.

        Returns
        -------
        TBSCalcium

        Raises
        ------
        painsim.errors.UnknownKeyError
            An unknown preset, or an override that is not a parameter of the rule.
        painsim.errors.ParameterError
            A value the rule refuses.
        """
        return _from_preset(cls, TBS_PRESETS, name, overrides, "tbs_calcium preset")

    @property
    def k_continuous(self) -> float:
        """Calcium decay rate in continuous time (1/s): k tbi / theta_period."""
        return self.k_ca * self.tbi / self.theta_period

    # the source's constants with its calcium scaling
    def _constants(self):
        C = self.ca_burst
        return (C / self.spikes_per_burst, self.rise_factor, math.exp(-self.rise_decay / C),
                self.level_factor / C ** 2, math.exp(-self.level_decay / C ** 2),
                math.exp(-self.k_gap * self.theta_period))

    def _state_layout(self):
        return {"ca": ("pre", "trace"), "t_ca": ("pre", "never"), "ca_tick": ("pre", "trace"),
                "F": ("pre", "value"), "I": ("pre", "trace"), "F_res": ("pre", "value"),
                "I_res": ("pre", "trace"), "active": ("pre", "flag"), "tick": ("pre", "tick"),
                "post": ("post", "size")}

    def _state_clock(self, state) -> float:
        """The last tick run (``tick`` x ``theta_period``): a window must not start before it."""
        tick = state["tick"][np.isfinite(state["tick"])]
        return float(tick.max()) * self.theta_period if tick.size else -math.inf

    def _sizes(self, st):
        return st["ca"].size, st["post"].size

    def _fresh_state(self, n_synapses, n_pre, n_post):
        """No calcium, no facilitation or inhibition.

        Keys, per presynaptic neuron: ``ca, t_ca`` (calcium just after its
        last spike and that time), ``ca_tick`` (calcium at the last tick),
        ``F, I`` (the two processes of the current train), ``F_res, I_res``
        (those of earlier trains), ``active`` (1 if a spike awaits its
        tick), ``tick`` (index of the last tick run; NaN = the first
        window's start); ``post`` only sizes the postsynaptic side (unused).
        """
        z = np.zeros(n_pre)
        return {"ca": z.copy(), "t_ca": np.full(n_pre, -np.inf), "ca_tick": z.copy(), "F": z.copy(),
                "I": z.copy(), "F_res": z.copy(), "I_res": z.copy(), "active": z.copy(), "tick": np.full(n_pre, np.nan), "post": np.zeros(n_post)}

    def _run_kernel(self, p):
        s = p.state
        c_spike, rf, ef, ri, ei, eg = self._constants()
        return _tbs_kernel(p.pre_t, p.pre_i, p.syn_pre, p.n_pre, p.w, p.wlo, p.whi, s["ca"], s["t_ca"],
                           s["ca_tick"], s["F"], s["I"], s["F_res"], s["I_res"], s["active"], s["tick"], p.t_start, p.t_end,
                           self.theta_period, c_spike, self.k_continuous, rf, ef, ri, ei, eg, self.gain)

    replay_kernel = True

    def replay_windows(self, pre_ptr, pre_t, pre_i, post_ptr, post_t, post_i, seg_win, seg_t, seg_len,
                       syn_pre, syn_post, weights, w_lo, w_hi, state_f, state_g):
        c_spike, rf, ef, ri, ei, eg = self._constants()
        keys = ("ca", "t_ca", "ca_tick", "F", "I", "F_res", "I_res", "active", "tick")
        return int(_tbs_replay(pre_ptr, pre_t, pre_i, seg_win, seg_t, seg_len, syn_pre, state_f["ca"].size,
                               weights, w_lo, w_hi, *(state_f[k] for k in keys), *(state_g[k] for k in keys),
                               self.theta_period, c_spike, self.k_continuous, rf, ef, ri, ei, eg, self.gain))

    replay_windows.__doc__ = PlasticityRule.replay_windows.__doc__

    # ---------------- reference ----------------
    def _run_reference(self, p):
        """Tick by tick for each neuron, calcium as an explicit sum over its spikes."""
        st = p.state
        c_spike, rf, ef, ri, ei, eg = self._constants()
        T, k = self.theta_period, self.k_continuous
        w = p.w
        syn_of = _groups(p.syn_pre, p.n_pre)
        n_first, n_end = _tick_of(p.t_start, T), _tick_of(p.t_end, T)
        for i in range(p.n_pre):
            spikes = p.pre_t[p.pre_i == i]
            c0, t0 = st["ca"][i], st["t_ca"][i]
            last = n_first - 1 if math.isnan(st["tick"][i]) else int(st["tick"][i])

            def calcium(t, done):
                val = c0 * math.exp(-k * (t - t0)) if c0 != 0.0 else 0.0
                return val + sum(c_spike * math.exp(-k * (t - x)) for x in done)

            ticks = [_tick_of(x, T) for x in spikes]
            active = st["active"][i] != 0.0
            for n in range(last + 1, n_end):
                done = [x for x, m in zip(spikes, ticks) if m <= n]
                active = active or any(m == n for m in ticks)
                c = calcium(n * T, done)
                F, I, Fr, Ir = (st[x][i] for x in ("F", "I", "F_res", "I_res"))
                if active:
                    F, I = (F + rf * (c - st["ca_tick"][i])) * ef, (I + ri * c) * ei
                else:
                    F, I, Fr, Ir = 0.0, 0.0, (Fr + F) * eg, (Ir + I) * eg
                d = (F + Fr - I - Ir) - (st["F"][i] + st["F_res"][i] - st["I"][i] - st["I_res"][i])
                st["F"][i], st["I"][i], st["F_res"][i], st["I_res"][i] = F, I, Fr, Ir
                st["ca_tick"][i] = c
                active = False
                for s in syn_of[i]:   # one clip per tick, as the kernel
                    w[s] = min(max(w[s] + self.gain * d, p.wlo[s]), p.whi[s])
            st["tick"][i] = max(last, n_end - 1)
            if spikes.size:
                st["ca"][i] = calcium(spikes[-1], list(spikes))
                st["t_ca"][i] = spikes[-1]
                st["active"][i] = 1.0 if ticks[-1] >= n_end else 0.0
            else:
                st["active"][i] = 1.0 if active else 0.0
        return w, st
