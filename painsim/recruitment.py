"""Biophysical recruitment of afferent fibers by a stimulation waveform.

Which Aβ, Aδ and C fibers does a device waveform make fire, and when?  This
module answers at the stimulation site (conduction delays to the spinal cord
are added by the network).  It never imports brian2.

Model
-----
**Field and coupling.**  *Electrical* contacts are point sources in a
homogeneous medium of conductivity ``sigma`` (McNeal 1976): the potential is
``Ve = I / (4 pi sigma r)``.  The activating function (Rattay 1989) of a
straight fiber at distance ``r``, the second difference
``Ve[n-1] - 2 Ve[n] + Ve[n+1]``, summed over the nodes of the depolarised
region (``|x| < r/sqrt 2``, internodal length ``L``) telescopes to the
difference of the first differences at its two edges, i.e. a net depolarising
drive ``2 L |dVe/dx|_{x=r/sqrt2} = 2 * 0.385 L I / (4 pi sigma r^2)`` (one
``0.385`` per flank) on an *equivalent node* (a reduction of the cable to its
depolarised region).  With ``L = 100 D`` (Rattay 1989; McNeal 1976) the drive is

    u(t) = c_i I(t),   c_i = 0.770 * 100 D_i / (4 pi sigma r_i^2 V_th)

A contact on an insulating boundary (the back of an SCS lead in low-
conductivity epidural fat and bone; a skin electrode under air) sends all
its current into one half space, which doubles ``Ve`` (method of images);
callers model it with an effective ``sigma / 2`` (see
:func:`population_for`, ``afferents.biophysical.*_image_factor``).
Calibration (KERNEL_VERSION 2): with the flank factor and the half-space
image, dorsal-column Abeta fibers 2-4 mm from an epidural contact have
thresholds of ~1.4-8 mA (median ~3 mA) for 300-us biphasic pulses, the
clinical paresthesia range of tonic SCS (1-5 mA; PMC8229652), and 10 kHz /
30 us trains excite them only near or above the top of the clinical HF10
range (Lempka et al. 2015, Anesthesiology 122:1362).

in units of the node's resting threshold depolarisation ``V_th``, so the
threshold current scales as ``r^2 / D`` (the far-field scaling of
myelinated-fiber thresholds; McNeal 1976, Rattay 1989).  The same length
scaling is used for unmyelinated C fibers (chosen: keeps one formulation;
cable theory would give ``sqrt(D)`` for continuous fibers, which makes C
thresholds even higher).  *Magnetic* stimulation (mPNS, rPMS, TMS): the coil
current ``I_c(t)`` induces ``E = kappa(r) dI_c/dt`` along the fiber (Faraday;
Barker 1987); the drive is ``u = E L / V_th`` (activation at fiber bends,
terminations and field gradients, where the axial field acts over ~L;
Maccabee 1993).  ``kappa(r) = kappa_s / (1 + r / r_c)^2`` (chosen: a smooth
decay, E halves ~0.8 cm below a 70-mm figure-8 coil; Deng 2013 depth-focality
[recalled]).  The coil current of a pulse of phase width ``w`` is a sine:
one full period ``2w`` for biphasic pulses, a half period ``w`` for
"monophasic" ones, so the induced field is a cosine.

**Node.**  One reduced excitable node per fiber, in units of the resting
threshold (V = 1 fires a rested node)::

    tau_m dV/dt = -V + u(t) + rho [V]_+^2 / (1 + [V]_+)   (leak + persistent-Na rectification)
    tau_h dh/dt = h_inf(V) - h                           (Na availability / inactivation)
    h_inf(V)    = 1 / (1 + ([V]_+ / V_h)^6)
    xi          : Ornstein-Uhlenbeck threshold noise, sd = RS, correlation tau_xi
    spike when  h * y (1 - y / V_Na) / (1 - 1 / V_Na) >= 1,  y = V + xi
                (regenerative Na drive: availability x depolarisation x driving force)
    then        V -> V_spike (the AP's own depolarisation), h -> h (1 - delta_h)

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
* threshold noise: Verveen 1962 / Verveen & Derksen 1968; the relative
  spread (RS) grows as fibers get thinner.

All numbers are SI floats (A, s, m, S/m).  Every default value carries its
source or "chosen: why".
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

import numba
import numpy as np

from .errors import ParameterError, UnknownKeyError
from .stimulation import Waveform
from .units import to_si

__all__ = ["FiberPopulation", "ClassParams", "CLASS_PARAMS", "CLASSES", "afferent_spikes",
           "recruitment_curve", "threshold", "strength_duration", "fit_weiss",
           "node_kernel", "node_reference", "cache_info", "KERNEL_VERSION", "DT_MAX",
           "DT_DEFAULT", "CHRONAXIE_RANGES"]

#: bump when the equations or their defaults change: invalidates disk caches
KERNEL_VERSION = "2"  # 2: activating function summed over both flanks
CLASSES = ("Abeta", "Adelta", "C")
#: largest allowed step (the design's fiber resolution)
DT_MAX = 5e-6
#: chosen: 2 us resolves a 30 us HF10 phase with 15 steps and the ~100 us node time constant
DT_DEFAULT = 2e-6

# ---------------------------------------------------------------- parameters
#: published chronaxie ranges (s) the model is checked against
CHRONAXIE_RANGES = {
    # Ranck 1975 (Brain Res 98:417): myelinated axons 30-200 us (extracellular);
    # Mogyoros, Kiernan & Burke 1996 (Brain 119:439): human cutaneous afferents,
    # strength-duration time constant ~0.5-0.7 ms [recalled].
    "Abeta": (30e-6, 700e-6),
    # thin myelinated fibers: a few hundred us (Li & Bak 1976, Exp Neurol 50:67) [recalled]
    "Adelta": (100e-6, 1000e-6),
    # unmyelinated C fibers: ~1-4 ms (Koslow, Bak & Li 1973; Li & Bak 1976) [recalled]
    "C": (500e-6, 5000e-6),
}


@dataclass(frozen=True)
class ClassParams:
    """Node parameters of one fiber class (normalised to the rested threshold)."""
    tau_m: float      # s, membrane integration time constant -> chronaxie
    tau_h: float      # s, recovery of Na availability -> refractory period
    v_h: float        # half-inactivation depolarisation (threshold units)
    v_na: float       # Na reversal above rest (threshold units): no regeneration beyond it
    v_spike: float    # depolarisation the action potential leaves at the node (threshold units)
    rho: float        # persistent-Na rectification: inward current rho V^2 / (1 + V)
    delta_h: float    # fraction of Na availability lost in one action potential
    rs: float         # relative spread of threshold (sd of xi)
    tau_xi: float     # s, correlation time of the threshold noise
    v_th: float       # V, node depolarisation at threshold (sets the coupling)
    diameter_range: tuple  # m, (low, high) of sampled diameters
    myelinated: bool


CLASS_PARAMS: dict[str, ClassParams] = {
    "Abeta": ClassParams(
        tau_m=150e-6,    # chosen: with accommodation gives a Weiss chronaxie ~60 us (Ranck 1975: 30-200 us)
        tau_h=0.3e-3,    # chosen: with the AP depolarisation (~2 tau_m) gives an absolute
                         # refractory period ~0.6 ms (mammalian myelinated: 0.5-1 ms [recalled])
        v_h=0.6,         # chosen: half inactivation at 60 % of the threshold depolarisation
        v_na=6.0,        # E_Na ~115 mV above rest (Hodgkin & Huxley 1952) / ~20 mV threshold
        v_spike=2.0,     # chosen: depolarisation left at the node on the falling phase of the
                         # AP (~40 mV); decaying with tau_m it keeps h inactivated (absolute
                         # refractoriness emerges from it)
        rho=0.5,         # chosen: persistent Na (~1-2 % of Na; Bostock & Rothwell 1997 [recalled]),
                         # < 1 so the node cannot run away without a spike
        delta_h=0.95,    # chosen: AP inactivates ~95 % of Na channels (HH h after a spike) 
        rs=0.05,         # Verveen 1962: RS ~0.01-0.1, larger in thin fibers [recalled]
        tau_xi=100e-6,   # chosen: ~Na channel gating time scale
        v_th=0.02,       # chosen: ~20 mV depolarisation at a node at threshold (McNeal 1976 ~ 15-25 mV)
        diameter_range=(6e-6, 12e-6),  # REFERENCES.md: Abeta 6-12 um
        myelinated=True),
    "Adelta": ClassParams(
        tau_m=400e-6,    # chosen: chronaxie ~ 200 us (thin myelinated, Li & Bak 1976 [recalled])
        tau_h=0.8e-3,    # chosen: longer refractory period of thin myelinated fibers [recalled]
        v_h=0.6, v_na=6.0, v_spike=2.0, rho=0.5, delta_h=0.95,
        rs=0.08,         # Verveen 1962: thinner -> larger RS
        tau_xi=100e-6, v_th=0.02,
        diameter_range=(1e-6, 5e-6),   # REFERENCES.md: Adelta 1-5 um
        myelinated=True),
    "C": ClassParams(
        tau_m=2.5e-3,    # chosen: C-fiber chronaxie ~1 ms (Koslow 1973 / Li & Bak 1976 [recalled])
        tau_h=5e-3,      # chosen: C-fiber refractory period of several ms [recalled]; slower
                         # than tau_m so that accommodation does not hide the chronaxie
        v_h=0.6, v_na=6.0, v_spike=2.0, rho=0.5, delta_h=0.95,
        rs=0.12,         # Verveen 1962: thinnest fibers have the largest RS
        tau_xi=200e-6, v_th=0.02,
        diameter_range=(0.2e-6, 1.5e-6),  # REFERENCES.md: C 0.2-1.5 um
        myelinated=False),
}

#: internodal length / fiber diameter (Rattay 1989; McNeal 1976: L = 100 D)
L_PER_D = 100.0
#: |dVe/dx| at x = +-r/sqrt(2) relative to I/(4 pi sigma r^2) is 2^-0.5 / 1.5^1.5 = 0.385;
#: the summed activating function of the depolarised region takes it at both
#: flanks (telescoping second differences), hence the factor 2
_GRAD_FACTOR = 2 * 2 ** -0.5 / 1.5 ** 1.5
#: Hursh 1939: myelinated conduction velocity ~ 6 m/s per um of diameter
HURSH_FACTOR = 6.0 / 1e-6
#: unmyelinated: v ~ sqrt(D) (Rushton 1951); coefficient chosen so that 0.2-1.5 um -> 0.7-2 m/s
C_VELOCITY_COEF = 1.6

#: magnetic coupling kappa_s (V s / (A m)) and its decay depth r_c (m).
#: chosen: 100 A/us (1e8 A/s) gives ~150 V/m at the coil surface and ~38 V/m 2 cm deep
#: (TMS cortex fields of 50-150 V/m at ~100 A/us; Deng 2013 [recalled])
KAPPA_SURFACE = 1.5e-6
KAPPA_DEPTH = 0.02
#: chosen: peak coil current at 100 % resting motor threshold (typical stimulator,
#: 150 us phase -> ~60 A/us); used when amplitude_kind == "rmt"
RMT_COIL_CURRENT = 3.0e3

GEOMETRIES = {
    # Dorsal columns under an epidural contact: dorsal CSF 2-4 mm thick at mid-thoracic
    # levels (Holsheimer 1994 [recalled]) plus the fiber's depth in the cord.  Dorsal
    # column Abeta fibers lie superficially (0-1 mm into the cord); Adelta and C
    # fibers run in Lissauer's tract / dorsal rootlets / dorsal horn, deeper.
    "dorsal_column": {
        "sigma": 0.6,  # S/m, chosen: homogeneous equivalent of CSF (1.7) and white matter (0.08-0.6)
        "distance": {"Abeta": (2.0e-3, 4.0e-3), "Adelta": (3.0e-3, 5.0e-3),
                     "C": (3.0e-3, 5.0e-3)},
    },
    # Peripheral nerve near a percutaneous lead / needle (PNS, PNT) or in a cuff:
    # contact 0.5-3 mm from the fibers (chosen: percutaneous PNS leads are placed
    # 0.5-3 cm from the nerve but only the nearest mm matters; a cuff is ~0.5-1 mm).
    "peripheral_nerve": {
        "sigma": 0.3,  # S/m, chosen: perineurium/endoneurium average (endoneurium ~0.57 longitudinal)
        "distance": {"Abeta": (0.5e-3, 3.0e-3), "Adelta": (0.5e-3, 3.0e-3),
                     "C": (0.5e-3, 3.0e-3)},
    },
    # Skin surface electrode (TENS) over a superficial nerve 5-15 mm deep (chosen:
    # median/ulnar/peroneal nerves lie ~0.5-1.5 cm under the skin [recalled]).
    "skin": {
        "sigma": 0.2,  # S/m, chosen: skin, fat (0.04) and muscle (0.2-0.5) in series/parallel
        "distance": {"Abeta": (5e-3, 15e-3), "Adelta": (5e-3, 15e-3), "C": (5e-3, 15e-3)},
    },
}


def _check_class(name: str) -> str:
    if name not in CLASSES:
        raise UnknownKeyError(str(name), CLASSES, what="fiber class")
    return name


# ---------------------------------------------------------------- population
def _frozen(a, dtype) -> np.ndarray:
    a = np.array(a, dtype=dtype, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class FiberPopulation:
    """Fibers near one stimulation contact (per-fiber arrays, SI units).

    Parameters
    ----------
    labels : array of str
        Fiber class of each fiber: "Abeta", "Adelta" or "C".
    diameter : array of float
        Fiber (outer) diameter, m.
    distance : array of float
        Electrode (or coil) to fiber distance, m (> 0).
    myelinated : array of bool, optional
        Default: from the class.
    velocity : array of float, optional
        Conduction velocity, m/s.  Default: Hursh 1939 (6 m/s per um) for
        myelinated fibers, ``1.6 sqrt(D / um)`` m/s for C fibers (Rushton 1951
        scaling; chosen coefficient gives the textbook 0.5-2 m/s).
    sigma : float
        Conductivity of the homogeneous medium, S/m.
    geometry : str
        Label of the geometry it was sampled from.
    """

    labels: np.ndarray
    diameter: np.ndarray
    distance: np.ndarray
    myelinated: np.ndarray | None = None
    velocity: np.ndarray | None = None
    sigma: float = 0.6
    geometry: str = "custom"
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        labels = np.atleast_1d(np.asarray(self.labels, dtype=str))
        n = labels.size
        for lab in np.unique(labels):
            _check_class(str(lab))
        d = np.atleast_1d(np.asarray(self.diameter, dtype=float))
        r = np.atleast_1d(np.asarray(self.distance, dtype=float))
        if d.shape != (n,):
            raise ParameterError("diameter", d.shape, f"one diameter per fiber ({n})")
        if r.shape != (n,):
            raise ParameterError("distance", r.shape, f"one distance per fiber ({n})")
        if np.any(~np.isfinite(d)) or np.any(d <= 0):
            raise ParameterError("diameter", d[~(d > 0)][:3], "diameters > 0 m")
        if np.any(~np.isfinite(r)) or np.any(r <= 0):
            raise ParameterError("distance", r[~(r > 0)][:3], "electrode-fiber distances > 0 m")
        if not (np.isfinite(self.sigma) and self.sigma > 0):
            raise ParameterError("sigma", self.sigma, "a conductivity > 0 S/m")
        my = (np.array([CLASS_PARAMS[str(l)].myelinated for l in labels], dtype=bool)
              if self.myelinated is None else np.atleast_1d(np.asarray(self.myelinated, bool)))
        if my.shape != (n,):
            raise ParameterError("myelinated", my.shape, f"one flag per fiber ({n})")
        if self.velocity is None:
            v = np.where(my, HURSH_FACTOR * d, C_VELOCITY_COEF * np.sqrt(d / 1e-6))
        else:
            v = np.atleast_1d(np.asarray(self.velocity, dtype=float))
            if v.shape != (n,) or np.any(v <= 0):
                raise ParameterError("velocity", v[:3], f"{n} conduction velocities > 0 m/s")
        object.__setattr__(self, "labels", _frozen(labels, str))
        object.__setattr__(self, "diameter", _frozen(d, float))
        object.__setattr__(self, "distance", _frozen(r, float))
        object.__setattr__(self, "myelinated", _frozen(my, bool))
        object.__setattr__(self, "velocity", _frozen(v, float))
        object.__setattr__(self, "sigma", float(self.sigma))

    # ---------------------------------------------------------- constructor
    @classmethod
    def sample(cls, counts: Mapping[str, int] | None = None, geometry: str = "dorsal_column",
               seed: int = 0, **overrides) -> "FiberPopulation":
        """Draw a population of fibers.

        Parameters
        ----------
        counts : dict class -> int
            Default ``{"Abeta": 15, "Adelta": 15, "C": 30}`` (the inputs of the
            dorsal horn model of Zhang, Janik & Grill 2014).
        geometry : {"dorsal_column", "peripheral_nerve"}
            Sets the conductivity and per-class distance ranges (see
            ``GEOMETRIES``).
        seed : int
            Random seed.
        **overrides
            ``sigma`` (S/m), ``distance_range`` (m, (lo, hi) for every class or a
            dict class -> (lo, hi)), ``diameter_range`` (same forms).

        Notes
        -----
        Diameters are log-uniform within each class range (chosen: covers the
        range evenly on the scale thresholds depend on); distances are uniform
        within the geometry's range.
        """
        counts = {"Abeta": 15, "Adelta": 15, "C": 30} if counts is None else dict(counts)
        if geometry not in GEOMETRIES:
            raise UnknownKeyError(str(geometry), GEOMETRIES, what="geometry")
        allowed = {"sigma", "distance_range", "diameter_range"}
        for k in overrides:
            if k not in allowed:
                raise UnknownKeyError(k, allowed, what="override")
        geo = GEOMETRIES[geometry]
        sigma = overrides.get("sigma", geo["sigma"])
        sigma = float(sigma)

        def per_class(name, default):
            val = overrides.get(name)
            if val is None:
                return default
            if isinstance(val, Mapping):
                for k in val:
                    _check_class(k)
                return {c: tuple(val.get(c, default[c])) for c in CLASSES}
            return {c: tuple(val) for c in CLASSES}

        dist = per_class("distance_range", geo["distance"])
        diam = per_class("diameter_range", {c: CLASS_PARAMS[c].diameter_range for c in CLASSES})
        for name, rng_map in (("distance_range", dist), ("diameter_range", diam)):
            for c, (lo, hi) in rng_map.items():
                if not (0 < lo <= hi):
                    raise ParameterError(name, (lo, hi), "0 < low <= high (m)")
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xF1BE5]))
        labels, d, r = [], [], []
        for c, n in counts.items():
            _check_class(c)
            if isinstance(n, bool) or int(n) != n or n < 0:
                raise ParameterError(f"counts.{c}", n, "a whole number >= 0")
            n = int(n)
            lo, hi = diam[c]
            d.append(np.exp(rng.uniform(np.log(lo), np.log(hi), n)))
            lo, hi = dist[c]
            r.append(rng.uniform(lo, hi, n))
            labels += [c] * n
        return cls(np.array(labels, dtype=str), np.concatenate(d) if d else np.zeros(0),
                   np.concatenate(r) if r else np.zeros(0), sigma=sigma, geometry=geometry)

    # ---------------------------------------------------------------- views
    @property
    def n(self) -> int:
        return int(self.labels.size)

    def __len__(self):
        return self.n

    def indices(self, cls: str) -> np.ndarray:
        """Indices of the fibers of class ``cls``."""
        return np.nonzero(self.labels == _check_class(cls))[0]

    def subset(self, idx) -> "FiberPopulation":
        """The fibers at ``idx`` (an index array or boolean mask)."""
        idx = np.asarray(idx)
        return FiberPopulation(self.labels[idx], self.diameter[idx], self.distance[idx],
                               self.myelinated[idx], self.velocity[idx], self.sigma,
                               self.geometry)

    def with_(self, **changes) -> "FiberPopulation":
        """A copy with arrays replaced (e.g. ``distance=...``); velocity recomputed
        from the diameter unless given."""
        if "diameter" in changes and "velocity" not in changes:
            changes["velocity"] = None
        return replace(self, _cache={}, **changes)

    def key(self) -> str:
        """Content hash (equal populations have equal keys)."""
        if "key" not in self._cache:
            h = hashlib.sha256()
            h.update("|".join(self.labels.tolist()).encode())
            for a in (self.diameter, self.distance, self.velocity):
                h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
            h.update(self.myelinated.astype(np.uint8).tobytes())
            h.update(repr(self.sigma).encode())
            self._cache["key"] = h.hexdigest()[:24]
        return self._cache["key"]

    # ------------------------------------------------------------- coupling
    def _params(self, name: str) -> np.ndarray:
        return np.array([getattr(CLASS_PARAMS[str(l)], name) for l in self.labels], dtype=float)

    def coupling(self, modality: str = "electrical") -> np.ndarray:
        """Drive per unit source (threshold units per A for electrical contacts,
        per A/s of coil-current slope for magnetic coils) of every fiber."""
        L = L_PER_D * self.diameter
        vth = self._params("v_th")
        r = self.distance
        if modality == "electrical":
            return _GRAD_FACTOR * L / (4 * np.pi * self.sigma * r ** 2 * vth)
        if modality in ("magnetic", "tms"):
            kappa = KAPPA_SURFACE / (1 + r / KAPPA_DEPTH) ** 2
            return kappa * L / vth
        raise UnknownKeyError(str(modality), ("electrical", "magnetic", "tms"), what="modality")


# ---------------------------------------------------------------- kernel
@numba.njit(cache=True, nogil=True)
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
    v_h, inv_k_h, rho, keep_h : (n,) float64
        Half-inactivation, 1/slope, rectification, ``1 - delta_h``.
    na, nb : (n,) float64
        OU noise update ``xi <- na xi + nb z`` applied every ``n_sub`` steps.
    z : (n, n_ticks) float64
        Standard normal numbers, one per fiber per noise tick.
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
    like the kernel)."""
    n_steps = drive.shape[0]
    steps, fibs = [], []
    for k in range(n_steps):
        if k % n_sub == 0:
            xi[:] = na * xi + nb * z[:, k // n_sub]
        vp = np.maximum(V, 0.0)
        target = coupling * drive[k] + rho * vp * vp / (1.0 + vp)
        V[:] = target + (V - target) * em
        q = np.maximum(V, 0.0) * inv_v_h
        q2 = q * q
        hinf = 1.0 / (1.0 + q2 * q2 * q2)
        h[:] = hinf + (h - hinf) * eh
        y = V + xi
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


def _check_dt(dt) -> float:
    if dt is None:
        return DT_DEFAULT
    dt = float(to_si(dt, "s", "dt")) if not isinstance(dt, (int, float)) else float(dt)
    if not (0 < dt <= DT_MAX + 1e-15):
        raise ParameterError("dt", dt, f"a time step in (0, {DT_MAX * 1e6:g} us]")
    return dt


class _Node:
    """Per-fiber constants of the kernel for one population and dt."""

    def __init__(self, pop: FiberPopulation, dt: float, noise: bool = True):
        self.dt = dt
        p = pop._params
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
        return (self.em, self.eh, self.inv_v_h, self.inv_v_na, self.v_spike, self.rho, self.keep_h, self.na, self.nb)

    def initial_state(self, rng=None):
        V = np.zeros(self.n)
        h = np.ones(self.n)
        # start the noise in its stationary distribution
        xi = np.zeros(self.n)
        if rng is not None:
            sd = np.where(self.na < 1, self.nb / np.sqrt(np.maximum(1 - self.na ** 2, 1e-300)), 0)
            xi = sd * rng.standard_normal(self.n)
        return V, h, xi


def _run(drive, coupling, node: _Node, state, z):
    """Run the kernel on one chunk, growing the spike buffer if needed."""
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
def _source_integral(wf: Waveform, t: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Integral of the drive source at times ``t``: the charge delivered so far
    (electrical, A s) or the coil current (magnetic, A); differences over a
    step / dt give the exact step-averaged source."""
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


def _drive(wf: Waveform, step0: int, n_steps: int, dt: float, scale) -> np.ndarray:
    t = (step0 + np.arange(n_steps + 1)) * dt
    g = _source_integral(wf, t, scale)
    return np.diff(g) / dt


# ---------------------------------------------------------------- thresholds
_THRESH_CACHE: dict = {}


def _single_pulse(width, shape, modality, gap, pre=20e-6):
    return Waveform(np.array([pre]), np.array([width]), np.array([1.0]), pre + 2 * width + gap,
                    amplitude_kind="current", shape=shape, modality=modality,
                    interphase_gap=gap, target="threshold")


def _fires(pop, wf, amps, dt, window):
    """Does each fiber fire (noise-free) with its own amplitude ``amps[i]``?"""
    node = _Node(pop, dt, noise=False)
    n_steps = int(math.ceil((wf.duration + window) / dt))
    drive = _drive(wf, 0, n_steps, dt, 1.0)
    coupling = pop.coupling(wf.modality) * amps
    state = node.initial_state()
    node.n_sub = n_steps + 1
    z = np.zeros((pop.n, 1))
    _, fib = _run(drive, coupling, node, state, z)
    fired = np.zeros(pop.n, bool)
    fired[fib] = True
    return fired


def threshold(population: FiberPopulation, width, shape: str = "monophasic",
              modality: str = "electrical", interphase_gap=0.0, dt=None,
              rtol: float = 1e-4) -> np.ndarray:
    """Per-fiber threshold of one pulse, by bisection on the (noise-free) kernel.

    Parameters
    ----------
    population : FiberPopulation
    width : float or Quantity
        Phase width (s).
    shape : {"monophasic", "biphasic"}
    modality : {"electrical", "magnetic", "tms"}
    interphase_gap : float or Quantity
    dt : float, optional
        Time step (s), <= 5 us.
    rtol : float
        Relative precision of the bisection.

    Returns
    -------
    ndarray
        Threshold current per fiber: contact current in A (electrical) or peak
        coil current in A (magnetic).

    Notes
    -----
    The threshold is that of the noise-free node (the 50 % point of the
    noisy node's firing probability).  Strength-duration behaviour follows
    Lapicque 1907 / Weiss 1901 through the node's integration time.
    """
    w = _positive_si(width, "s", "width")
    gap = float(to_si(interphase_gap, "s", "interphase_gap")) if not isinstance(
        interphase_gap, (int, float)) else float(interphase_gap)
    dt = _check_dt(dt)
    key = (population.key(), w, shape, modality, gap, dt, rtol)
    if key in _THRESH_CACHE:
        return _THRESH_CACHE[key].copy()
    wf = _single_pulse(w, shape, modality, gap)
    window = 5 * max(CLASS_PARAMS[str(c)].tau_m for c in np.unique(population.labels)) \
        if population.n else 0.0
    # bracket: start from the linear-integrator estimate, expand until every fiber fires
    c = population.coupling(modality)
    if modality == "electrical":
        est = (1.0 / c) * (1 + population._params("tau_m") / w)
    else:
        est = (w / np.pi) / c * (1 + population._params("tau_m") / w)
    hi = est.copy()
    for _ in range(60):
        f = _fires(population, wf, hi, dt, window)
        if f.all():
            break
        hi = np.where(f, hi, hi * 4)
    else:
        raise ParameterError("width", w, "a pulse that can excite every fiber")
    lo = np.zeros_like(hi)
    f = _fires(population, wf, hi / 4, dt, window)
    lo = np.where(f, 0.0, hi / 4)
    hi = np.where(f, hi / 4, hi)
    while np.any(hi - lo > rtol * hi):
        mid = 0.5 * (lo + hi)
        f = _fires(population, wf, mid, dt, window)
        hi = np.where(f, mid, hi)
        lo = np.where(f, lo, mid)
    _THRESH_CACHE[key] = hi
    return hi.copy()


def _positive_si(value, unit, name) -> float:
    v = float(value) if isinstance(value, (int, float)) else float(to_si(value, unit, name))
    if not (np.isfinite(v) and v > 0):
        raise ParameterError(name, value, f"a value > 0 {unit}")
    return v


def strength_duration(population_or_fiber, widths, **kwargs) -> np.ndarray:
    """Thresholds over pulse widths: array ``(len(widths), n_fibers)`` in A.

    ``population_or_fiber`` is a :class:`FiberPopulation` (or a one-fiber
    population).  Keywords as :func:`threshold`.  Compare with
    :func:`fit_weiss` (Weiss 1901; Lapicque 1907)."""
    pop = population_or_fiber
    ws = np.atleast_1d(np.asarray(to_si(widths, "s", "widths", allow_array=True)
                                  if not isinstance(widths, (list, tuple, np.ndarray)) else widths,
                                  dtype=float))
    return np.array([threshold(pop, float(w), **kwargs) for w in ws])


def fit_weiss(widths, thresholds) -> tuple[float, float]:
    """Fit Weiss's law ``I = I_rh (1 + c / w)`` (Weiss 1901), i.e. charge
    ``Q = I w = I_rh (w + c)``, by least squares on the relative error.

    Returns
    -------
    (rheobase, chronaxie) : (A, s)
    """
    w = np.asarray(widths, dtype=float)
    i = np.asarray(thresholds, dtype=float)
    if w.shape != i.shape or w.size < 2:
        raise ParameterError("thresholds", i.shape, "one threshold per width (>= 2)")
    # minimise sum ((I_rh (1 + c/w) - I) / I)^2: linear in (I_rh, I_rh c)
    A = np.stack([1 / i, 1 / (w * i)], axis=1)
    (p0, p1), *_ = np.linalg.lstsq(A, np.ones_like(i), rcond=None)
    return float(p0), float(p1 / p0)


def recruitment_curve(population: FiberPopulation, amplitudes, width, shape: str = "biphasic",
                      modality: str = "electrical", interphase_gap=0.0, dt=None) -> dict:
    """Fraction of each class that fires on one pulse, per amplitude.

    Parameters
    ----------
    amplitudes : array of float (A) or Quantity
        Contact current (or peak coil current for magnetic stimulation).

    Returns
    -------
    dict
        class -> array of fractions (len(amplitudes)); "all" for every fiber.
        Classes absent from the population are omitted.
    """
    amps = np.atleast_1d(np.asarray(
        amplitudes if isinstance(amplitudes, (list, tuple, np.ndarray, float, int))
        else to_si(amplitudes, "A", "amplitudes", allow_array=True), dtype=float))
    if np.any(amps < 0):
        raise ParameterError("amplitudes", amps[amps < 0][:3], "amplitudes >= 0 A")
    th = threshold(population, width, shape=shape, modality=modality,
                   interphase_gap=interphase_gap, dt=dt)
    out = {}
    for c in CLASSES:
        idx = population.indices(c)
        if idx.size:
            out[c] = (th[idx][None, :] <= amps[:, None]).mean(axis=1)
    out["all"] = (th[None, :] <= amps[:, None]).mean(axis=1)
    return out


def class_threshold(population: FiberPopulation, cls: str, width, shape="monophasic",
                    modality="electrical", interphase_gap=0.0, dt=None) -> float:
    """Median threshold (A) of class ``cls`` in ``population`` for one pulse."""
    idx = population.indices(cls)
    if idx.size == 0:
        raise ParameterError("threshold_class", cls, "a class present in the population")
    th = threshold(population.subset(idx), width, shape=shape, modality=modality,
                   interphase_gap=interphase_gap, dt=dt)
    return float(np.median(th))


# ---------------------------------------------------------------- spikes
#: counters of the disk cache of :func:`afferent_spikes` (hits, misses) and the last call
cache_info = {"hits": 0, "misses": 0, "last_hit": None, "last_path": None}

_CHUNK = 1 << 15  # steps per chunk (chosen: drive + noise stay ~ MBs for 100s of fibers)


def _cache_dir(cache_dir):
    if cache_dir is False:
        return None
    if cache_dir is None:
        cache_dir = os.environ.get("PAINSIM_CACHE") or os.path.join(
            os.path.expanduser("~"), ".cache", "painsim", "fibers")
    return Path(cache_dir)


def _amplitude_scale(wf: Waveform, pop: FiberPopulation, dt, amplitude_reference):
    if wf.amplitude_kind == "current":
        return 1.0
    if amplitude_reference is not None:
        ref = _positive_si(amplitude_reference, "A", "amplitude_reference")
        return ref
    if wf.amplitude_kind == "rmt":
        return RMT_COIL_CURRENT
    if wf.n_pulses == 0:
        return 1.0
    modality = wf.modality
    return class_threshold(pop, wf.threshold_class, float(wf.widths[0]), shape=wf.shape,
                           modality=modality, interphase_gap=wf.interphase_gap, dt=dt)


def simulate(wf: Waveform, population: FiberPopulation, scale: float, seed: int = 0,
             dt=None, chunk: int = _CHUNK, noise: bool = True):
    """Run the kernel over the whole waveform in bounded time chunks.

    ``scale`` multiplies the waveform amplitudes into A.  Returns
    ``(times_s, fiber_index)`` sorted by time, then fiber."""
    dt = _check_dt(dt)
    node = _Node(population, dt, noise=noise)
    chunk = max(node.n_sub, (int(chunk) // node.n_sub) * node.n_sub)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0xAFFE]))
    state = node.initial_state(rng if noise else None)
    coupling = population.coupling(wf.modality)
    n_total = int(math.ceil(wf.duration / dt - 1e-9))
    steps, fibs = [], []
    for s0 in range(0, n_total, chunk):
        n = min(chunk, n_total - s0)
        drive = _drive(wf, s0, n, dt, scale)
        n_ticks = (n + node.n_sub - 1) // node.n_sub
        # drawn time-major so that the stream does not depend on the chunk size
        z = (np.ascontiguousarray(rng.standard_normal((n_ticks, population.n)).T) if noise
             else np.zeros((population.n, n_ticks)))
        st, fb = _run(drive, coupling, node, state, z)
        steps.append(st + s0)
        fibs.append(fb)
    st = np.concatenate(steps) if steps else np.zeros(0, np.int64)
    fb = np.concatenate(fibs) if fibs else np.zeros(0, np.int64)
    order = np.lexsort((fb, st))
    # a spike is reported at the end of the step in which threshold was crossed
    return (st[order] + 1) * dt, fb[order].astype(np.int64)


def afferent_spikes(waveform: Waveform, population: FiberPopulation, seed: int = 0, dt=None,
                    cache_dir=None, amplitude_reference=None):
    """Spike times of every fiber at the stimulation site.

    Parameters
    ----------
    waveform : Waveform
        Amplitudes in A ("current"), multiples of the median single-pulse
        threshold of ``waveform.threshold_class`` in this population for this
        pulse width, shape and modality ("threshold"), or fractions of the
        resting motor threshold coil current ("rmt").
    population : FiberPopulation
    seed : int
        Seed of the threshold noise (Verveen 1962).
    dt : float, optional
        Time step in s (<= 5 us; default 2 us).
    cache_dir : path, optional
        Disk cache (default ``$PAINSIM_CACHE`` or ``~/.cache/painsim/fibers``);
        ``False`` disables it.
    amplitude_reference : Quantity or float (A), optional
        Overrides the current that one unit of a "threshold" (or "rmt")
        amplitude stands for.

    Returns
    -------
    times_s : float64 array
        Spike times (s, end of the step of threshold crossing), sorted.
    fiber_index : int64 array
        Index of the fiber of each spike.

    Notes
    -----
    The reduced node (see the module docstring) follows McNeal 1976 and
    Rattay 1989 for the field, Weiss 1901 / Lapicque 1907 for
    strength-duration, Hodgkin & Huxley 1952 for Na inactivation and
    Kilgore & Bhadra 2014 for kHz block.  ``cache_info["last_hit"]`` tells
    whether the last call was served from the disk cache.
    """
    if not isinstance(waveform, Waveform):
        raise ParameterError("waveform", type(waveform).__name__, "a painsim Waveform")
    if not isinstance(population, FiberPopulation):
        raise ParameterError("population", type(population).__name__, "a FiberPopulation")
    dt = _check_dt(dt)
    if isinstance(seed, bool) or int(seed) != seed:
        raise ParameterError("seed", seed, "an integer")
    ref = None if amplitude_reference is None else _positive_si(
        amplitude_reference, "A", "amplitude_reference")
    key_src = json.dumps({"wf": waveform.key(), "pop": population.key(), "seed": int(seed),
                          "dt": dt, "kernel": KERNEL_VERSION, "ref": ref}, sort_keys=True)
    key = hashlib.sha256(key_src.encode()).hexdigest()[:32]
    cdir = _cache_dir(cache_dir)
    path = cdir / f"spikes_{key}.npz" if cdir is not None else None
    if path is not None and path.exists():
        try:
            with np.load(path) as f:
                t, i = f["times"], f["fiber"]
            cache_info["hits"] += 1
            cache_info["last_hit"] = True
            cache_info["last_path"] = str(path)
            return t, i
        except Exception:  # a corrupt file is recomputed
            pass
    scale = _amplitude_scale(waveform, population, dt, ref)
    t, i = simulate(waveform, population, scale, seed=seed, dt=dt)
    cache_info["misses"] += 1
    cache_info["last_hit"] = False
    cache_info["last_path"] = str(path) if path else None
    if path is not None:
        cdir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cdir, prefix=".tmp_", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, times=t, fiber=i)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    return t, i


# ---------------------------------------------------------------- adapter for painsim.fibers
#: Fiber geometry a device at each target acts on ("dorsal_root": chosen, a root in
#: its sleeve is treated like a peripheral nerve).  Other targets (m1, ...) recruit
#: no afferents.
TARGET_GEOMETRY = {"dorsal_column": "dorsal_column", "peripheral_nerve": "peripheral_nerve",
                   "skin": "skin", "dorsal_root": "peripheral_nerve"}


def target_classes(waveform: Waveform) -> tuple:
    """Fiber classes a waveform can reach: the dorsal columns carry the ascending
    collaterals of Abeta afferents only (Aδ and C fibers end in the dorsal horn
    and Lissauer's tract); a nerve or the skin holds every class; TMS and other
    central targets reach none."""
    if waveform.modality == "tms" or waveform.target not in TARGET_GEOMETRY:
        return ()
    return ("Abeta",) if waveform.target == "dorsal_column" else CLASSES


def _bp(params: Mapping, key: str, default):
    return params.get("biophysical", {}).get(key, default)


def population_for(waveform: Waveform, params: Mapping, seed: int) -> FiberPopulation | None:
    """The fibers of one simulated point under ``waveform``.

    Parameters
    ----------
    waveform : Waveform
        Its ``target`` picks the geometry and the classes
        (:func:`target_classes`), its ``modality`` the coupling.
    params : mapping
        The model's ``afferents`` section in SI units: class counts
        ``<class>.n`` and ``biophysical.*`` (geometry: resistivity, distance
        range and image factor per target; coil distances).
    seed : int
        The point's seed (diameters and distances are drawn from it).

    Returns
    -------
    FiberPopulation, or None when the waveform reaches no afferents.
    """
    classes = target_classes(waveform)
    if not classes:
        return None
    geometry = TARGET_GEOMETRY[waveform.target]
    geo = GEOMETRIES[geometry]
    counts = {c: int(params[c]["n"]) for c in classes}
    if waveform.modality == "magnetic":
        lo = _bp(params, "magnetic_distance_min", 10e-3)
        hi = _bp(params, "magnetic_distance_max", 30e-3)
        return FiberPopulation.sample(counts, geometry=geometry, seed=seed, distance_range=(lo, hi))
    rho = _bp(params, f"{geometry}_resistivity", 1.0 / geo["sigma"])
    image = _bp(params, f"{geometry}_image_factor", 1.0)
    if not (rho > 0 and image > 0):
        raise ParameterError(f"afferents.biophysical.{geometry}_resistivity/_image_factor",
                             (rho, image), "values > 0")
    dist = {}
    for c in classes:
        lo = _bp(params, f"{geometry}_distance_min", geo["distance"][c][0])
        hi = _bp(params, f"{geometry}_distance_max", geo["distance"][c][1])
        dist[c] = (lo, hi)
    # a source on an insulating boundary: Ve doubles (images) <=> sigma / image_factor
    return FiberPopulation.sample(counts, geometry=geometry, seed=seed,
                                  sigma=1.0 / (rho * image), distance_range=dist)


class Biophysical:
    """Recruitment model ``afferents.recruitment = "biophysical"``: the numba
    node kernel of this module on a fiber population drawn per point (from
    the point's seed and ``afferents.biophysical``), with the spike trains
    cached on disk (:func:`afferent_spikes`).  Spike times are at the
    stimulation site; :func:`painsim.fibers.afferent_input` adds conduction
    delays."""

    def fire(self, waveform, fibers, fiber_class, params, seed):
        empty = (np.zeros(0), np.zeros(0, dtype=np.int64))
        if waveform.n_pulses == 0 or fiber_class not in target_classes(waveform):
            return empty
        if waveform.amplitude_kind == "rmt" and waveform.modality == "tms":
            return empty
        pop = population_for(waveform, params, seed)
        if pop is None or pop.indices(fiber_class).size == 0:
            return empty
        dt = _bp(params, "dt", None)
        t, i = afferent_spikes(waveform, pop, seed=seed, dt=dt)
        idx = pop.indices(fiber_class)
        local = np.full(pop.n, -1, np.int64)
        local[idx] = np.arange(idx.size)
        li = local[i]
        keep = li >= 0
        return t[keep], li[keep]


def synchronous_volleys(times, fibers, k: int, window: float = 1e-3) -> np.ndarray:
    """Start times of synchronous volleys: ``>= k`` distinct fibers spiking within
    ``window`` s (a paresthesia proxy: paresthesia needs synchronous Abeta
    volleys, Sagalajev et al. 2024, Neuron 112:404).  Windows are taken
    greedily from the earliest spike and do not overlap."""
    t = np.asarray(times, float)
    f = np.asarray(fibers)
    order = np.argsort(t, kind="stable")
    t, f = t[order], f[order]
    out, a = [], 0
    while a < t.size:
        b = np.searchsorted(t, t[a] + window, side="right")
        if np.unique(f[a:b]).size >= k:
            out.append(t[a])
            a = b
        else:
            a += 1
    return np.asarray(out)


from . import fibers as _fibers  # noqa: E402  (fibers imports this module lazily)

_fibers.register_recruitment("biophysical", Biophysical())
__all__ += ["Biophysical", "population_for", "target_classes", "synchronous_volleys",
            "TARGET_GEOMETRY", "class_threshold"]
