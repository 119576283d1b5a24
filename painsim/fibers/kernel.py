"""The reduced excitable node of every fiber and the loop that runs it.

One reduced excitable node per fiber, in units of the resting threshold
(V = 1 fires a rested node)::

    tau_m dV/dt = -V + u(t) + rho [V]_+^2 / (1 + [V]_+)   (leak + persistent-Na rectification)
    tau_h dh/dt = h_inf(V) - h                           (Na availability / inactivation)
    h_inf(V)    = 1 / (1 + ([V]_+ / V_h)^6)
    xi          : Ornstein-Uhlenbeck threshold noise, sd = RS, correlation tau_xi
    spike when  h * y (1 - y / V_Na) / (1 - 1 / V_Na) >= 1,  y = V + xi
                (regenerative Na drive: availability x depolarisation x driving force),
                with y taken at V_Na / 2 in a step that rises through it (upward crossing)
    then        V -> V_spike (the AP's own depolarisation), h -> h (1 - delta_h)

The drive ``u(t)`` is the source (contact current, or coil-current slope for
magnetic coils) times each fiber's coupling
(:meth:`painsim.fibers.population.FiberPopulation.coupling`; McNeal 1976,
Rattay 1989).  The coil current of a magnetic pulse of phase width ``w`` is a
sine: one full period ``2w`` for biphasic pulses, a half period ``w`` for
"monophasic" ones, so the induced field is a cosine (Barker 1987).

* strength-duration: V integrates the drive with ``tau_m`` (Lapicque 1907);
  the fitted Weiss (1901) chronaxie follows from ``tau_m``;
* refractoriness: each spike inactivates ``h`` (Hodgkin-Huxley h) and leaves
  the node depolarised, which keeps ``h`` low; ``h`` then recovers with
  ``tau_h``.  Because the Na driving force bounds the regenerative drive
  (at most ~1.7 h), no stimulus excites while h < 0.58: absolute, then
  relative refractoriness;
* accommodation: a slow depolarisation lowers ``h_inf``;
* temporal summation: sub-threshold pulses closer than ~tau_m add up in V;
* kHz trains: the rectifying term turns a charge-balanced train into a net
  depolarisation (growing with the voltage swing) that
  partly inactivates ``h``; the node then sits near threshold and fires
  noise-driven, irregular, asynchronous spikes ("pseudospontaneous"
  activity; Rubinstein 1999), and at larger amplitudes ``h`` stays so low
  that it no longer fires after the onset response: conduction block by
  sustained depolarisation and Na inactivation (Kilgore & Bhadra 2014).
  The voltage swing of a kHz square wave falls as ``1/f`` (membrane low
  pass), hence the block threshold rises with frequency.
* upward crossing: the drive falls again above ``y = V_Na / 2``, so the firing
  test is a band of ``y`` that one step of a strong pulse can jump over; testing
  such a step at ``V_Na / 2`` (the highest drive on its path) makes firing grow
  with amplitude and not depend on the step (KERNEL_VERSION 3);
* threshold noise: Verveen 1962 / Verveen & Derksen 1968; the relative
  spread (RS) grows as fibers get thinner.

:func:`node_kernel` (numba) and :func:`node_reference` (numpy) implement the
same equations; :func:`fiber_spikes` runs the kernel over a whole waveform in
bounded time chunks.  All numbers are SI floats (A, s, m, S/m).
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import ParameterError
from ..jit import njit
from ..rng import rng_for
from ..stimulation import Waveform
from ..units import to_si
from .population import FiberPopulation

__all__ = ["node_kernel", "node_reference", "NodeConstants", "run_chunk", "step_drive",
           "fiber_spikes", "check_dt", "KERNEL_VERSION", "DT_MAX", "DT_DEFAULT", "CHUNK"]

#: bump when the equations or their defaults change: invalidates disk caches
KERNEL_VERSION = "3"  # 2: activating function summed over both flanks; 3: upward-crossing firing test
#: largest allowed step (the design's fiber resolution)
DT_MAX = 5e-6
#: chosen: 2 us resolves a 30 us HF10 phase with 15 steps and the ~100 us node time constant
DT_DEFAULT = 2e-6
#: steps per chunk of :func:`fiber_spikes` (chosen: drive + noise stay ~ MBs for 100s of fibers)
CHUNK = 1 << 15


@njit(cache=True, nogil=True)
def node_kernel(drive, coupling, em, eh, inv_v_h, inv_v_na, v_spike, rho, keep_h, na, nb, z, n_sub,
                V, h, xi, sp_step, sp_fib):
    """Advance every fiber's node over ``drive.size`` steps (numba).

    Parameters
    ----------
    drive : (n_steps,) float64
        Source per step (A, or A/s of coil current), step-averaged.
    coupling : (n,) float64
        Drive per unit source of each fiber.
    em, eh : (n,) float64
        ``exp(-dt/tau_m)``, ``exp(-dt/tau_h)``.
    inv_v_h, inv_v_na, v_spike : (n,) float64
        ``1 / V_h`` (half inactivation), ``1 / V_Na`` (Na driving force), the
        depolarisation an action potential leaves (threshold units).
    rho, keep_h : (n,) float64
        Persistent-Na rectification, ``1 - delta_h``.
    na, nb : (n,) float64
        OU noise update ``xi <- na xi + nb z`` applied every ``n_sub`` steps.
    z : (n, n_ticks) float64
        Standard normal numbers, one per fiber per noise tick.
    n_sub : int
        Steps per noise tick.
    V, h, xi : (n,) float64
        State, updated in place.
    sp_step, sp_fib : int64 arrays
        Output buffers for spikes (step index within the chunk, fiber index).

    Returns
    -------
    int
        Number of spikes written, or ``-1 - count`` if the buffers overflowed.
    """
    n_steps = drive.shape[0]
    n = coupling.shape[0]
    cap = sp_step.shape[0]
    count = 0
    overflow = False
    nrm = np.empty(n)
    for i in range(n):
        nrm[i] = 1.0 / (1.0 - inv_v_na[i])
    n_ticks = (n_steps + n_sub - 1) // n_sub
    # time-major loop: fibers are independent, so their updates overlap in the CPU
    for tick in range(n_ticks):
        for i in range(n):
            xi[i] = na[i] * xi[i] + nb[i] * z[i, tick]
        k0 = tick * n_sub
        k1 = min(k0 + n_sub, n_steps)
        for k in range(k0, k1):
            d = drive[k]
            for i in range(n):
                v = V[i]
                hh = h[i]
                y0 = v + xi[i]
                vp = v if v > 0.0 else 0.0
                target = coupling[i] * d + rho[i] * vp * vp / (1.0 + vp)
                v = target + (v - target) * em[i]
                if v > 0.0:
                    q = v * inv_v_h[i]
                    q2 = q * q
                    hinf = 1.0 / (1.0 + q2 * q2 * q2)
                else:
                    hinf = 1.0
                hh = hinf + (hh - hinf) * eh[i]
                y = v + xi[i]
                # upward crossing: a rise through the drive's peak (V_Na / 2) within the step
                # passed the whole firing band, however far it overshot
                yp = 0.5 / inv_v_na[i]
                if y0 < yp < y:
                    y = yp
                if y * (1.0 - y * inv_v_na[i]) * nrm[i] * hh >= 1.0:
                    if count < cap:
                        sp_step[count] = k
                        sp_fib[count] = i
                    else:
                        overflow = True
                    count += 1
                    v = v_spike[i]
                    hh = hh * keep_h[i]
                V[i] = v
                h[i] = hh
    if overflow:
        return -1 - count
    return count


def node_reference(drive, coupling, em, eh, inv_v_h, inv_v_na, v_spike, rho, keep_h, na, nb, z, n_sub,
                   V, h, xi):
    """Pure-numpy reference of :func:`node_kernel`: the same equations,
    vectorised over fibers with a Python loop over time.  Updates ``V, h, xi``
    in place and returns ``(steps, fibers)`` of the spikes (time-major order
    like the kernel).

    Parameters
    ----------
    drive, coupling, em, eh, inv_v_h, inv_v_na, v_spike, rho, keep_h, na, nb, z, n_sub
        As :func:`node_kernel` (``drive`` in A, or A/s of coil current).
    V, h, xi : (n,) float64
        State, updated in place.

    Returns
    -------
    steps, fibers : int arrays
        Step index and fiber index of each spike.
    """
    n_steps = drive.shape[0]
    steps, fibs = [], []
    for k in range(n_steps):
        if k % n_sub == 0:
            xi[:] = na * xi + nb * z[:, k // n_sub]
        y0 = V + xi
        vp = np.maximum(V, 0.0)
        target = coupling * drive[k] + rho * vp * vp / (1.0 + vp)
        V[:] = target + (V - target) * em
        q = np.maximum(V, 0.0) * inv_v_h
        q2 = q * q
        hinf = 1.0 / (1.0 + q2 * q2 * q2)
        h[:] = hinf + (h - hinf) * eh
        y = V + xi
        yp = 0.5 / inv_v_na
        y = np.where((y0 < yp) & (yp < y), yp, y)
        fire = y * (1.0 - y * inv_v_na) * (1.0 / (1.0 - inv_v_na)) * h >= 1.0
        if fire.any():
            idx = np.nonzero(fire)[0]
            steps.append(np.full(idx.size, k))
            fibs.append(idx)
            V[idx] = v_spike[idx]
            h[idx] = h[idx] * keep_h[idx]
    if steps:
        return np.concatenate(steps), np.concatenate(fibs)
    return np.zeros(0, np.int64), np.zeros(0, np.int64)


def check_dt(dt) -> float:
    """The time step in s: ``DT_DEFAULT`` for None, else a value in (0, ``DT_MAX``].

    Parameters
    ----------
    dt : float, str, Quantity or None
        The step: a number in s or a quantity with a time unit.

    Returns
    -------
    float
        The step, s.

    Raises
    ------
    painsim.errors.ParameterError
        A step outside (0, ``DT_MAX``].
    painsim.errors.UnitError
        A quantity that is not a time.
    """
    if dt is None:
        return DT_DEFAULT
    dt = float(to_si(dt, "s", "dt")) if not isinstance(dt, (int, float)) else float(dt)
    if not (0 < dt <= DT_MAX + 1e-15):
        raise ParameterError("dt", dt, f"a time step in (0, {DT_MAX * 1e6:g} us]")
    return dt


class NodeConstants:
    """Per-fiber constants of the kernel for one population and dt.

    Parameters
    ----------
    pop : FiberPopulation
    dt : float
        Time step, s.
    noise : bool
        False sets the threshold noise amplitude ``nb`` to zero.
    """

    def __init__(self, pop: FiberPopulation, dt: float, noise: bool = True):
        self.dt = dt
        p = pop.class_param
        self.em = np.exp(-dt / p("tau_m"))
        self.eh = np.exp(-dt / p("tau_h"))
        self.inv_v_h = 1.0 / p("v_h")
        self.v_spike = p("v_spike")
        self.inv_v_na = 1.0 / p("v_na")
        self.rho = p("rho")
        self.keep_h = 1.0 - p("delta_h")
        # noise ticks every ~10 us (chosen: << tau_xi, cheap)
        self.n_sub = max(1, int(round(10e-6 / dt)))
        dtn = self.n_sub * dt
        tau_x = p("tau_xi")
        self.na = np.exp(-dtn / tau_x)
        self.nb = p("rs") * np.sqrt(1 - self.na ** 2) if noise else np.zeros(pop.n)
        self.n = pop.n

    def args(self):
        """The per-fiber constants in the order :func:`node_kernel` takes them."""
        return (self.em, self.eh, self.inv_v_h, self.inv_v_na, self.v_spike, self.rho, self.keep_h,
                self.na, self.nb)

    def initial_state(self, rng=None):
        """``(V, h, xi)`` at rest; with ``rng`` the noise starts in its stationary distribution.

        Parameters
        ----------
        rng : numpy.random.Generator, optional
            Draws the initial noise ``xi`` (default: ``xi = 0``).

        Returns
        -------
        V, h, xi : (n,) float64
            Depolarisation 0 and noise (threshold units), Na availability 1.
        """
        V = np.zeros(self.n)
        h = np.ones(self.n)
        # start the noise in its stationary distribution
        xi = np.zeros(self.n)
        if rng is not None:
            sd = np.where(self.na < 1, self.nb / np.sqrt(np.maximum(1 - self.na ** 2, 1e-300)), 0)
            xi = sd * rng.standard_normal(self.n)
        return V, h, xi


def run_chunk(drive, coupling, node: NodeConstants, state, z):
    """Run the kernel on one chunk, growing the spike buffer if needed.

    Updates ``state`` (``V, h, xi``) in place and returns ``(steps, fibers)``
    of the spikes, in the kernel's (time-major) order.

    Parameters
    ----------
    drive, coupling, z
        As :func:`node_kernel`.
    node : NodeConstants
        The per-fiber constants.
    state : tuple of (n,) float64
        ``(V, h, xi)``, updated in place.

    Returns
    -------
    steps, fibers : int64 arrays
        Step index within the chunk and fiber index of each spike.
    """
    cap = max(64, 4 * coupling.size + drive.size // 16)
    while True:
        saved = tuple(s.copy() for s in state)
        sp_step = np.empty(cap, np.int64)
        sp_fib = np.empty(cap, np.int64)
        cnt = node_kernel(drive, coupling, *node.args(), z, node.n_sub, *state, sp_step, sp_fib)
        if cnt >= 0:
            return sp_step[:cnt], sp_fib[:cnt]
        for s, s0 in zip(state, saved):
            s[:] = s0
        cap = -1 - cnt + 16


# ---------------------------------------------------------------- waveform -> drive
def source_integral(wf: Waveform, t: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Integral of the drive source at times ``t``: the charge delivered so far
    (electrical, A s) or the coil current (magnetic, A); differences over a
    step / dt give the exact step-averaged source.

    Parameters
    ----------
    wf : Waveform
        The pulses (onsets and widths in s).
    t : numpy.ndarray
        Times, s.
    scale : float or numpy.ndarray
        Multiplies the pulse amplitudes into A (broadcast against them).

    Returns
    -------
    numpy.ndarray
        The integral at each time (A s, or A), shaped as ``t``.
    """
    out = np.zeros(t.shape)
    if wf.n_pulses == 0:
        return out
    on, w, a = wf.onsets, wf.widths, wf.amplitudes * scale
    gap = wf.interphase_gap
    bip = wf.shape == "biphasic"
    idx = np.searchsorted(on, t, side="right") - 1
    ok = idx >= 0
    j = np.clip(idx, 0, None)
    rel = np.where(ok, t - on[j], 0.0)
    wj, aj = w[j], np.where(ok, a[j], 0.0)
    if wf.modality == "electrical":
        net = a * w * (0.0 if bip else 1.0)
        qcum = np.concatenate(([0.0], np.cumsum(net)))[j]
        part = aj * np.clip(rel, 0, wj)
        if bip:
            part -= aj * np.clip(rel - wj - gap, 0, wj)
        out = np.where(ok, qcum + part, 0.0)
    else:
        # coil current: a sine of period 2w; one period (biphasic) or half (monophasic)
        if bip:
            ph = np.where(rel < wj, rel, np.where(rel < wj + gap, wj, rel - gap))
            span = 2 * wj
        else:
            ph = rel
            span = wj
        out = np.where(ok & (ph < span), aj * np.sin(np.pi * ph / wj), 0.0)
    return out


def step_drive(wf: Waveform, step0: int, n_steps: int, dt: float, scale) -> np.ndarray:
    """Step-averaged source of steps ``step0 .. step0 + n_steps - 1`` (amplitudes x ``scale``).

    Parameters
    ----------
    wf : Waveform
        The pulses.
    step0 : int
        First step (it starts at ``step0 * dt``).
    n_steps : int
        Number of steps.
    dt : float
        Time step, s.
    scale : float or numpy.ndarray
        As :func:`source_integral`.

    Returns
    -------
    numpy.ndarray
        ``(n_steps,)``: A (electrical), or A/s of coil current (magnetic).
    """
    t = (step0 + np.arange(n_steps + 1)) * dt
    g = source_integral(wf, t, scale)
    return np.diff(g) / dt


def fiber_spikes(wf: Waveform, population: FiberPopulation, scale: float, seed: int = 0,
                 dt=None, chunk: int = CHUNK, noise: bool = True):
    """Run the kernel over the whole waveform in bounded time chunks (no cache).

    Parameters
    ----------
    wf : Waveform
    population : FiberPopulation
    scale : float
        Multiplies the waveform amplitudes into A.
    seed : int
        Seed of the threshold noise (Verveen 1962); independent of ``chunk``.
    dt : float, optional
        Time step, s (<= ``DT_MAX``).
    chunk : int
        Steps per chunk (memory bound; results do not depend on it).
    noise : bool
        False runs the noise-free node.

    Returns
    -------
    (times_s, fiber_index)
        Sorted by time, then fiber.  Formerly ``painsim.recruitment.simulate``.
    """
    dt = check_dt(dt)
    node = NodeConstants(population, dt, noise=noise)
    chunk = max(node.n_sub, (int(chunk) // node.n_sub) * node.n_sub)
    rng = rng_for(seed, "fiber_noise")
    state = node.initial_state(rng if noise else None)
    coupling = population.coupling(wf.modality)
    n_total = int(math.ceil(wf.duration / dt - 1e-9))
    steps, fibs = [], []
    for s0 in range(0, n_total, chunk):
        n = min(chunk, n_total - s0)
        drive = step_drive(wf, s0, n, dt, scale)
        n_ticks = (n + node.n_sub - 1) // node.n_sub
        # drawn time-major so that the stream does not depend on the chunk size
        z = (np.ascontiguousarray(rng.standard_normal((n_ticks, population.n)).T) if noise
             else np.zeros((population.n, n_ticks)))
        st, fb = run_chunk(drive, coupling, node, state, z)
        steps.append(st + s0)
        fibs.append(fb)
    st = np.concatenate(steps) if steps else np.zeros(0, np.int64)
    fb = np.concatenate(fibs) if fibs else np.zeros(0, np.int64)
    order = np.lexsort((fb, st))
    # a spike is reported at the end of the step in which threshold was crossed
    return (st[order] + 1) * dt, fb[order].astype(np.int64)

