"""Fiber populations near a stimulation contact: classes, geometry and coupling.

A :class:`FiberPopulation` holds per-fiber arrays (class, diameter, distance to
the contact, myelination, conduction velocity) and the conductivity of the
medium; :data:`CLASS_PARAMS` holds the reduced node of each fiber class (used
by :mod:`painsim.fibers.kernel`) and :data:`GEOMETRIES` the conductivity and
fiber distances of each stimulation target.

Field and coupling
------------------
*Electrical* contacts are point sources in a homogeneous medium of
conductivity ``sigma`` (McNeal 1976): the potential is
``Ve = I / (4 pi sigma r)``.  The activating function (Rattay 1989) of a
straight fiber at distance ``r``, the second difference
``Ve[n-1] - 2 Ve[n] + Ve[n+1]``, summed over the nodes of the depolarised
region (``|x| < r/sqrt 2``, internodal length ``L``) telescopes to the
difference of the first differences at its two edges, i.e. a net depolarising
drive ``2 L |dVe/dx|_{x=r/sqrt2} = 2 * 0.385 L I / (4 pi sigma r^2)`` (one
``0.385`` per flank) on an *equivalent node* (a reduction of the cable to its
depolarised region).  With ``L = 100 D`` (Rattay 1989; McNeal 1976) the drive is

    u(t) = c_i I(t),   c_i = 0.770 * 100 D_i / (4 pi sigma r_i^2 V_th)

in units of the node's resting threshold depolarisation ``V_th``, so the
threshold current scales as ``r^2 / D`` (the far-field scaling of
myelinated-fiber thresholds; McNeal 1976, Rattay 1989).  The same length
scaling is used for unmyelinated C fibers (chosen: keeps one formulation;
cable theory would give ``sqrt(D)`` for continuous fibers, which makes C
thresholds even higher).

A contact on an insulating boundary (the back of an SCS lead in low-
conductivity epidural fat and bone; a skin electrode under air) sends all
its current into one half space, which doubles ``Ve`` (method of images);
callers model it with an effective ``sigma / 2`` (see
:func:`painsim.fibers.biophysical.population_for`,
``afferents.biophysical.*_image_factor``).  The calibration of this choice
against clinical thresholds is in ``docs/fibers.md``.

*Magnetic* stimulation (mPNS, rPMS, TMS): the coil current ``I_c(t)`` induces
``E = kappa(r) dI_c/dt`` along the fiber (Faraday; Barker 1987); the drive is
``u = E L / V_th`` (activation at fiber bends, terminations and field
gradients, where the axial field acts over ~L; Maccabee 1993).
``kappa(r) = kappa_s / (1 + r / r_c)^2`` is the peak induced field at depth ``r``
below a standard round coil (MagVenture C-100): ``KAPPA_SURFACE`` and
``KAPPA_DEPTH`` are a fit to its validated dipole model (Drakaki et al. 2022,
Brain Stimul; distributed with SimNIBS) in tissue filling the half space
under a flat coil, where ``E = -dA/dt`` exactly (a planar boundary parallel to the
windings carries no surface charge).  The fit is within 2 % of that field at
5-30 mm and 6 % at 40 mm; the field halves 13 mm below the coil (the half-value
depths of 50 TMS coils in a head: 0.9-3.5 cm, Deng, Lisanby & Peterchev 2013).
The same coil model gives the peak magnetic field at the coil's surface per
ampere (``COIL_FIELD_PER_AMP``), which converts a device's stated peak field
(tesla) into the model's coil current.  Derivation: ``docs/fibers.md``.

All numbers are SI floats (A, s, m, S/m).  Every default value carries its
source or "chosen: why".
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np

from ..anatomy import FIBER_CLASSES
from ..checks import is_number, known_keys, whole
from ..errors import ParameterError, UnknownKeyError
from ..rng import rng_for
from .rates import _checked_seed

__all__ = ["FiberPopulation", "ClassParams", "CLASS_PARAMS", "CLASSES", "CHRONAXIE_RANGES",
           "GEOMETRIES", "L_PER_D", "HURSH_FACTOR", "C_VELOCITY_COEF", "KAPPA_SURFACE",
           "KAPPA_DEPTH", "COIL_FIELD_PER_AMP", "RMT_COIL_CURRENT", "check_class",
           "MAGNETIC_DISTANCE", "biophysical_distances"]

#: the fiber classes of :mod:`painsim.anatomy` (one definition), under their old name
CLASSES = FIBER_CLASSES

# ---------------------------------------------------------------- parameters
#: published chronaxie ranges (s) the model is checked against
CHRONAXIE_RANGES = {
    # Ranck 1975 (Brain Res 98:417): myelinated axons 30-200 us (extracellular);
    # Mogyoros, Kiernan & Burke 1996 (Brain 119:439): human cutaneous afferents,
    # strength-duration time constant ~0.5-0.7 ms [checked: abstract, 665 +/- 182 us for compound sensory potentials].
    "Abeta": (30e-6, 700e-6),
    # thin myelinated fibers: a few hundred us (Li & Bak 1976, Exp Neurol 50:67) [recalled]
    "Adelta": (100e-6, 1000e-6),
    # unmyelinated C fibers: ~1-4 ms (Koslow, Bak & Li 1973; Li & Bak 1976) [recalled]
    "C": (500e-6, 5000e-6),
}


@dataclass(frozen=True)
class ClassParams:
    """Node parameters of one fiber class (normalised to the rested threshold).

    Parameters
    ----------
    tau_m : float
        Membrane integration time constant, s (sets the chronaxie).
    tau_h : float
        Time constant of the recovery of Na availability, s (sets the refractory period).
    v_h : float
        Half-inactivation depolarisation (threshold units).
    v_na : float
        Na reversal above rest (threshold units): no regeneration beyond it.
    v_spike : float
        Depolarisation the action potential leaves at the node (threshold units).
    rho : float
        Persistent-Na rectification: inward current ``rho V^2 / (1 + V)``.
    delta_h : float
        Fraction of Na availability lost in one action potential.
    rs : float
        Relative spread of threshold (sd of ``xi``, threshold units).
    tau_xi : float
        Correlation time of the threshold noise, s.
    v_th : float
        Node depolarisation at threshold, V (sets the coupling).
    diameter_range : tuple of float
        ``(low, high)`` of sampled diameters, m.
    myelinated : bool
        Whether the class is myelinated.
    """
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
        diameter_range=(6e-6, 12e-6),  # textbook: Abeta 6-12 um
        myelinated=True),
    "Adelta": ClassParams(
        tau_m=400e-6,    # chosen: chronaxie ~ 200 us (thin myelinated, Li & Bak 1976 [recalled])
        tau_h=0.8e-3,    # chosen: longer refractory period of thin myelinated fibers [recalled]
        v_h=0.6, v_na=6.0, v_spike=2.0, rho=0.5, delta_h=0.95,
        rs=0.08,         # Verveen 1962: thinner -> larger RS
        tau_xi=100e-6, v_th=0.02,
        diameter_range=(1e-6, 5e-6),   # textbook: Adelta 1-5 um
        myelinated=True),
    "C": ClassParams(
        tau_m=2.5e-3,    # chosen: C-fiber chronaxie ~1 ms (Koslow 1973 / Li & Bak 1976 [recalled])
        tau_h=5e-3,      # chosen: C-fiber refractory period of several ms [recalled]; slower
                         # than tau_m so that accommodation does not hide the chronaxie
        v_h=0.6, v_na=6.0, v_spike=2.0, rho=0.5, delta_h=0.95,
        rs=0.12,         # Verveen 1962: thinnest fibers have the largest RS
        tau_xi=200e-6, v_th=0.02,
        diameter_range=(0.2e-6, 1.5e-6),  # textbook: C 0.2-1.5 um
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

#: magnetic coupling kappa_s (V s / (A m)) and its decay depth r_c (m): least-squares fit (of
#: log E) of kappa_s / (1 + r / r_c)^2 to the peak |E| per dI/dt at depth r = 5-30 mm below the
#: MagVenture C-100 round coil, computed from its validated dipole model (Drakaki et al. 2022, Brain
#: Stimul; SimNIBS coil_models/Drakaki_BrainStim_2022/MagVenture_C-100.ccd [checked: file]) as
#: E = -dA/dt in the half space under the coil:
#: 2.65 / 2.12 / 1.70 / 1.39 / 1.14 / 0.95 / 0.68 V/m per A/us at 5 / 10 / 15 / 20 / 25 / 30 / 40 mm
#: (fit 3.60 V/m per A/us and 32.3 mm; within 2 % at 5-30 mm, +6 % at 40 mm).  The Axon Therapy
#: coil is not published [not found]; chosen: a round coil, the usual coil of peripheral magnetic
#: stimulation (small round coils reached maximal CMAPs at the lowest intensity in a four-coil
#: comparison, Electroencephalogr Clin Neurophysiol 1995, doi 10.1016/0924-980X(95)00146-C
#: [checked: abstract]).  A smaller round coil (MagVenture MCF-75) gives 0.48-0.57x this field per
#: tesla at 10-30 mm; the Magstim 70-mm figure-8 (D70) 1.2-1.3x per A/us (docs/fibers.md).
KAPPA_SURFACE = 3.6e-6
KAPPA_DEPTH = 0.032
#: peak magnetic field (T) at the centre of the coil's surface per ampere of coil current, from the
#: same C-100 dipole model (on the axis, radially smoothed): 0.32 mT/A.  Check: the full output of
#: the stimulator of that model (MagPro X100, dI/dt 168.28 A/us, peak current 42 us x dI/dt = 7.1 kA
#: for its biphasic pulse) is then 2.3 T, within the 0.5-3.5 T that stimulators state at 100 %
#: output (Magstim Rapid2 spec sheet, RRID SCR_026437 [checked: earlier literature check]).
COIL_FIELD_PER_AMP = 0.32e-3
#: chosen: peak coil current at 100 % resting motor threshold (typical stimulator,
#: 150 us phase -> ~60 A/us; 42 % of the 7.1 kA full output of the coil model above, within the
#: usual 35-50 % of TMS motor thresholds [recalled]); used when amplitude_kind == "rmt"
RMT_COIL_CURRENT = 3.0e3

GEOMETRIES = {
    # Dorsal columns under an epidural contact: dorsal CSF 1.5-4.0 mm at C4-C6, 4.0-8.5 mm at
    # T5-T6, 2.0-6.0 mm at T11 and 1.5-4.5 mm at T12 (supine; Holsheimer, den Boer, Struijk &
    # Rozeboom 1994 AJNR Am J Neuroradiol 15:951 [checked: abstract]) plus the fiber's depth in the
    # cord.  The distances below (2-4 mm with the depth) are those of a thin dorsal CSF layer:
    # cervical or low-thoracic leads, not mid-thoracic ones, where the CSF alone is thicker.  Dorsal
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
    # Dorsal root ganglion under a DRGS lead (the lead lies on the ganglion in the
    # foramen; Deer et al. 2017 ACCURATE [recalled]): the stem axons and T-junctions of
    # every class, 0.5-3 mm from the contact (chosen: a human lumbar DRG is ~5-7 mm across
    # [recalled]; somata and stems lie beneath its capsule).  sigma chosen as the nerve's
    # (0.3 S/m); the lead's insulating body sends the current into one half space, so the
    # default image factor is 2 (as for SCS, docs/fibers.md).  With these, 300-us biphasic
    # pulses recruit Aβ stems from ~0.03 mA (median ~0.45 mA, 90 % by ~1 mA), the clinical
    # DRGS range 0.2-1 mA [recalled], and no C stem below ~1 mA (median tens of mA):
    # Graham et al. 2019 Clin Neurophysiol 130:941 (clinical DRGS drives Aβ, not C) [checked].
    "drg": {
        "sigma": 0.3,
        "image_factor": 2.0,
        "distance": {"Abeta": (0.5e-3, 3.0e-3), "Adelta": (0.5e-3, 3.0e-3), "C": (0.5e-3, 3.0e-3)},
    },
    # Skin surface electrode (TENS) over a superficial nerve 5-15 mm deep (chosen:
    # median/ulnar/peroneal nerves lie ~0.5-1.5 cm under the skin [recalled]).
    "skin": {
        "sigma": 0.2,  # S/m, chosen: skin, fat (0.04) and muscle (0.2-0.5) in series/parallel
        "distance": {"Abeta": (5e-3, 15e-3), "Adelta": (5e-3, 15e-3), "C": (5e-3, 15e-3)},
    },
}

#: coil-to-fibre distances (m) of peripheral magnetic stimulation when the model gives none (chosen:
#: ~1-3 cm, as the model file's afferents.biophysical.magnetic_distance_min/_max)
MAGNETIC_DISTANCE = (10e-3, 30e-3)


def biophysical_distances(settings: Mapping, prefix: str, classes=FIBER_CLASSES) -> dict:
    """The ``(low, high)`` contact-to-fibre distances (m) of each class: the ``biophysical`` table's
    ``<prefix>_distance_min`` / ``_max`` (SI), else the geometry's defaults (:data:`GEOMETRIES`, or
    :data:`MAGNETIC_DISTANCE` for ``prefix = "magnetic"``).

    Parameters
    ----------
    settings : mapping
        The model's ``afferents.biophysical`` table, in SI units (keys absent: the defaults).
    prefix : str
        A geometry of :data:`GEOMETRIES`, or ``"magnetic"``.
    classes : iterable of str
        The classes wanted.

    Raises
    ------
    painsim.errors.ParameterError
        A low end above the high end, naming ``afferents.biophysical.<prefix>_distance_min``
        (``_max`` when only the max is given, below the default min).
    """
    defaults = GEOMETRIES[prefix]["distance"] if prefix != "magnetic" else dict.fromkeys(CLASSES, MAGNETIC_DISTANCE)
    lo_key, hi_key = f"{prefix}_distance_min", f"{prefix}_distance_max"
    out = {}
    for c in classes:
        lo, hi = settings.get(lo_key, defaults[c][0]), settings.get(hi_key, defaults[c][1])
        if is_number(lo) and is_number(hi) and lo > hi:
            if lo_key in settings:
                given = "" if hi_key in settings else f" (its default for {c})"
                raise ParameterError(f"afferents.biophysical.{lo_key}", f"{lo * 1e3:g} mm", f"a distance <= "
                                     f"afferents.biophysical.{hi_key}{given}, {hi * 1e3:g} mm",
                                     hint="to move the whole range, set both in one with_params call")
            raise ParameterError(f"afferents.biophysical.{hi_key}", f"{hi * 1e3:g} mm", f"a distance >= "
                                 f"afferents.biophysical.{lo_key} (its default for {c}), {lo * 1e3:g} mm",
                                 hint="to move the whole range, set both in one with_params call")
        out[c] = (lo, hi)
    return out


def check_class(name: str) -> str:
    """``name`` if it is a fiber class, else an :class:`UnknownKeyError` with a suggestion.

    Parameters
    ----------
    name : str
        A fiber class name.

    Returns
    -------
    str
        ``name``.

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``name`` is not one of :data:`CLASSES`.
    """
    if name not in CLASSES:
        raise UnknownKeyError(str(name), CLASSES, what="fiber class")
    return name


# ---------------------------------------------------------------- population
def _counts(counts) -> dict:
    """``counts`` (class -> number of fibers, a mapping or pairs) as a dict."""
    try:
        return dict(counts)
    except (TypeError, ValueError):
        raise ParameterError("counts", counts, 'a mapping of fiber class -> number of fibers, e.g. {"C": 30}') from None


def _pair(value, name: str) -> tuple:
    """``value`` as a ``(low, high)`` tuple, or a ParameterError naming ``name``."""
    try:
        return tuple(value)
    except TypeError:
        raise ParameterError(name, value, "(low, high) in m, finite, 0 < low <= high") from None


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

    Raises
    ------
    painsim.errors.ParameterError
        An array without one value per fiber, a diameter or distance not finite and > 0, a
        velocity not finite and > 0 (NaN and inf were kept), or ``sigma`` not a finite number > 0.
    painsim.errors.UnknownKeyError
        A label that is not a fiber class.
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
        # every instance memoises its own key: a copy by dataclasses.replace would share the dict
        object.__setattr__(self, "_cache", {})
        labels = np.atleast_1d(np.asarray(self.labels, dtype=str))
        n = labels.size
        for lab in np.unique(labels):
            check_class(str(lab))
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
        if isinstance(self.sigma, bool) or not isinstance(self.sigma, (int, float, np.integer, np.floating)) \
                or not (np.isfinite(self.sigma) and self.sigma > 0):
            raise ParameterError("sigma", self.sigma, "a conductivity > 0 S/m (a finite number)")
        my = (np.array([CLASS_PARAMS[str(l)].myelinated for l in labels], dtype=bool)
              if self.myelinated is None else np.atleast_1d(np.asarray(self.myelinated, bool)))
        if my.shape != (n,):
            raise ParameterError("myelinated", my.shape, f"one flag per fiber ({n})")
        if self.velocity is None:
            v = np.where(my, HURSH_FACTOR * d, C_VELOCITY_COEF * np.sqrt(d / 1e-6))
        else:
            v = np.atleast_1d(np.asarray(self.velocity, dtype=float))
            if v.shape != (n,) or not np.all(np.isfinite(v) & (v > 0)):
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
        geometry : {"dorsal_column", "peripheral_nerve", "drg", "skin"}
            Sets the conductivity and per-class distance ranges (see
            ``GEOMETRIES``).
        seed : int
            Random seed.
        **overrides
            ``sigma`` (S/m), ``distance_range`` (m, (lo, hi) for every class or a
            dict class -> (lo, hi)), ``diameter_range`` (same forms).

        Raises
        ------
        painsim.errors.ParameterError
            A count not a whole number >= 0, ``counts`` not a mapping, ``seed`` not a whole number
            >= 0 (was a bare ValueError, or truncated), ``sigma`` not a number > 0 (text was a bare
            ValueError, True read as 1), or a range not a pair of finite numbers 0 < low <= high
            (inf was an OverflowError, a single number a TypeError).
        painsim.errors.UnknownKeyError
            An unknown class, geometry or override.

        Notes
        -----
        Diameters are log-uniform within each class range (chosen: covers the
        range evenly on the scale thresholds depend on); distances are uniform
        within the geometry's range.
        """
        counts = {"Abeta": 15, "Adelta": 15, "C": 30} if counts is None else _counts(counts)
        if not isinstance(geometry, str) or geometry not in GEOMETRIES:
            raise UnknownKeyError(str(geometry), GEOMETRIES, what="geometry")
        allowed = {"sigma", "distance_range", "diameter_range"}
        known_keys(overrides, allowed, "override")
        seed = _checked_seed(seed)
        geo = GEOMETRIES[geometry]
        sigma = overrides.get("sigma", geo["sigma"])
        if isinstance(sigma, (bool, str)) or not isinstance(sigma, (int, float, np.integer, np.floating)):
            raise ParameterError("sigma", sigma, "a conductivity > 0 S/m (a number, in S/m)")
        sigma = float(sigma)

        def per_class(name, default):
            val = overrides.get(name)
            if val is None:
                return default
            if isinstance(val, Mapping):
                for k in val:
                    check_class(k)
                return {c: _pair(val.get(c, default[c]), name) for c in CLASSES}
            return {c: _pair(val, name) for c in CLASSES}

        dist = per_class("distance_range", geo["distance"])
        diam = per_class("diameter_range", {c: CLASS_PARAMS[c].diameter_range for c in CLASSES})
        for name, rng_map in (("distance_range", dist), ("diameter_range", diam)):
            for c, pair in rng_map.items():
                if not (len(pair) == 2 and all(is_number(x) for x in pair) and 0 < pair[0] <= pair[1]):
                    raise ParameterError(name, pair, "(low, high) in m, finite, 0 < low <= high")
        rng = rng_for(seed, "fiber_population")
        labels, d, r = [], [], []
        for c, n in counts.items():
            check_class(c)
            n = whole(n, f"counts.{c}", 0, allow_float=True)
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
        """Indices of the fibers of class ``cls``.

        Parameters
        ----------
        cls : str
            A fiber class.

        Returns
        -------
        numpy.ndarray
            The indices, increasing.

        Raises
        ------
        painsim.errors.UnknownKeyError
            ``cls`` is not a fiber class.
        """
        return np.nonzero(self.labels == check_class(cls))[0]

    def subset(self, idx) -> "FiberPopulation":
        """The fibers at ``idx`` (an index array or boolean mask).

        Parameters
        ----------
        idx : array of int or bool
            The fibers kept.

        Returns
        -------
        FiberPopulation
            Their arrays, with this population's ``sigma`` and ``geometry``.
        """
        idx = np.asarray(idx)
        return FiberPopulation(self.labels[idx], self.diameter[idx], self.distance[idx],
                               self.myelinated[idx], self.velocity[idx], self.sigma,
                               self.geometry)

    def with_(self, **changes) -> "FiberPopulation":
        """A copy with arrays replaced (e.g. ``distance=...``); velocity recomputed
        from the diameter unless given.

        Parameters
        ----------
        **changes
            Fields of :class:`FiberPopulation` and their new values (SI units).

        Returns
        -------
        FiberPopulation
            The copy (this population is unchanged).

        Raises
        ------
        painsim.errors.ParameterError
            A new value the constructor refuses.
        TypeError
            A name that is not a field.
        """
        if "diameter" in changes and "velocity" not in changes:
            changes["velocity"] = None
        return replace(self, _cache={}, **changes)

    def key(self) -> str:
        """Content hash: equal populations have equal keys, and so do the node parameters their
        spike trains and thresholds depend on (:data:`CLASS_PARAMS`, :data:`L_PER_D`, the coil
        calibration).  Those are module-level and can be changed, so they are read at every
        call (a cached key reused trains computed with the old ones)."""
        if "key" not in self._cache:
            h = hashlib.sha256()
            h.update("|".join(self.labels.tolist()).encode())
            for a in (self.diameter, self.distance, self.velocity):
                h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
            h.update(self.myelinated.astype(np.uint8).tobytes())
            h.update(repr(self.sigma).encode())
            self._cache["key"] = h.hexdigest()
        h = hashlib.sha256(self._cache["key"].encode())
        # the node and the coil calibration decide the spike trains: new ones invalidate cached trains
        h.update(repr((sorted(CLASS_PARAMS.items()), L_PER_D, KAPPA_SURFACE, KAPPA_DEPTH)).encode())
        return h.hexdigest()[:24]

    # ------------------------------------------------------------- coupling
    def class_param(self, name: str) -> np.ndarray:
        """Per-fiber value of the :class:`ClassParams` field ``name`` (e.g. ``"tau_m"``).

        Parameters
        ----------
        name : str
            A numeric field of :class:`ClassParams`.

        Returns
        -------
        numpy.ndarray
            One float per fiber, in the field's unit.
        """
        return np.array([getattr(CLASS_PARAMS[str(l)], name) for l in self.labels], dtype=float)

    def coupling(self, modality: str = "electrical") -> np.ndarray:
        """Drive per unit source (threshold units per A for electrical contacts,
        per A/s of coil-current slope for magnetic coils) of every fiber.

        Parameters
        ----------
        modality : {"electrical", "magnetic", "tms"}
            The source: a contact current, or a coil (both magnetic modalities).

        Returns
        -------
        numpy.ndarray
            One coupling per fiber.

        Raises
        ------
        painsim.errors.UnknownKeyError
            Another ``modality``.
        """
        L = L_PER_D * self.diameter
        vth = self.class_param("v_th")
        r = self.distance
        if modality == "electrical":
            return _GRAD_FACTOR * L / (4 * np.pi * self.sigma * r ** 2 * vth)
        if modality in ("magnetic", "tms"):
            kappa = KAPPA_SURFACE / (1 + r / KAPPA_DEPTH) ** 2
            return kappa * L / vth
        raise UnknownKeyError(str(modality), ("electrical", "magnetic", "tms"), what="modality")


