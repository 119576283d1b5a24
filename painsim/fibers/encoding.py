"""Natural stimuli in physical units and their afferent encoding.

The unitless ``noxious`` / ``touch`` intensities (0-1, :func:`painsim.fibers.natural`)
scale one rate per fiber class.  The stimuli here are written in the units of a
sensory-testing bench instead, and each fiber of a class gets its **own**
threshold, drawn from a published distribution, and its own rate from a published
stimulus-response function:

=====================  =====================  =========================================
constructor            physical quantity      fibers driven
=====================  =====================  =========================================
:func:`heat`           contact temperature    C (CMH) and Aδ (type I / type II AMH)
                       (°C, from 32 °C)
:func:`pinprick`       punctate force (mN,    Aβ (SA/RA, saturating at a few mN), Aδ
                       von Frey / pinprick)   (graded 8-512 mN), C (plateau)
:func:`brush`          stroking velocity      Aβ only
:func:`cold`           contact temperature    C (the cold-sensitive CMHs) and Aδ
                       (°C, 0-32 °C)          nociceptors
=====================  =====================  =========================================

Each returns a :class:`PhysicalStimulus`; ``stimulus.rates(class_name, n, rng)``
gives per-fiber Poisson rates (Hz; for heat the mean over the first :data:`RATE_WINDOW` s of
a step, around which the C fibers adapt) and ``stimulus.spikes(...)`` the spike trains
that :func:`painsim.fibers.afferent_input` adds to a class.  Equations, parameter
values and their sources are in ``docs/stimuli.md``; every value below carries its
source or "chosen: why" beside it.

Caps and the intensity shorthand: ``max_rate`` of a response function here is a
per-fiber ceiling of a stimulus-response curve, not the class's discharge.  The C heat
ceiling (20 Hz) therefore differs from ``afferents.C.max_rate`` = 3 Hz of the unitless
shorthand (models/gate_control.toml), which is the rate of *every* C fiber at
``noxious = 1`` ("a few Hz" class-mean discharge to strong heat).  They are not
reconciled: the class mean of the heat encoding (:func:`expected_heat_rate`, ~1 Hz/°C
above a 41.5 °C mean threshold) is ~2.5 Hz at 44 °C, ~5.5 Hz at 47 °C and ~8.5 Hz at
50 °C, so contact heat above ~44.5 °C drives C fibers harder than the shorthand's
maximum, as the microneurography behind the C slope implies (LaMotte & Campbell 1978;
Yarnitsky et al. 1992; sources below).  The 20 Hz ceiling binds only 20 °C above a
fiber's threshold: at :data:`MAX_TEMPERATURE` (60 °C), for fibers with thresholds below 40 °C.
The Aδ heat ceiling equals the shorthand's ``afferents.Adelta.max_rate`` (20 Hz).

Randomness: a fiber's thresholds come from ``rng_for(seed, "threshold", k, code)``
(``k`` the class index in :data:`painsim.anatomy.FIBER_CLASSES`, ``code`` one per
modality, :data:`MODALITY_CODE`), so they depend only on the point's seed and stay
the same whichever temperature or force is applied; Poisson spikes come from the
caller's ``natural`` stream.  All numpy, no brian2.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..anatomy import FIBER_CLASSES
from ..errors import ParameterError
from ..rng import rng_for
from ..units import to_celsius, to_si

__all__ = ["PhysicalStimulus", "heat", "pinprick", "brush", "cold", "HeatResponse", "ForceResponse",
           "BrushResponse", "HEAT_RESPONSE", "COLD_RESPONSE", "FORCE_RESPONSE", "BRUSH_RESPONSE",
           "MODALITY_CODE", "SKIN_BASELINE", "MAX_TEMPERATURE", "MIN_TEMPERATURE", "MAX_FORCE", "MAX_VELOCITY",
           "BRUSH_VELOCITY", "RATE_WINDOW", "poisson_trains",
           "adapting_trains", "adaptation_profile", "threshold_rng", "thermal_draw", "expected_heat_rate",
           "expected_cold_rate"]

#: °C; resting skin temperature of contact-heat testing (DFNS baseline 32 °C, Rolke et al.
#: 2006 Pain 123:231)
SKIN_BASELINE = 32.0
#: °C; hottest contact accepted: the response functions below are measured up to 49-53 °C
#: (LaMotte & Campbell 1978; Treede et al. 1995); chosen: 60 °C leaves room above them, hotter
#: contact burns the skin within seconds
MAX_TEMPERATURE = 60.0
#: °C; coldest contact accepted: the DFNS thermode's cut-off (Rolke et al. 2006 Pain 123:231
#: [recalled]); chosen as the floor because the cold response functions below come from stimuli
#: of 19-0 °C (Campero et al. 1996) and colder contact risks freezing injury
MIN_TEMPERATURE = 0.0

#: N; heaviest punctate force accepted.  The response functions below are built on the DFNS pinprick
#: series, 8-512 mN (Rolke et al. 2006 Pain 123:231), and thresholds of at most ~150 mN.  Chosen:
#: 4096 mN = 512 mN x 2^3, above the heaviest monofilament of human testing (Sorri-Bauru set
#: 0.5-3000 mN, Pfau et al. 2020 Pain Rep 5:e865 [checked: abstract]) and above the 2.9 N
#: (45 mN x 2^6) at which the median Aδ fiber saturates; past it the encoding is an extrapolation
#: of more than three doublings beyond its data
MAX_FORCE = 4.096
#: m/s; fastest brush stroke accepted.  The brush response is read from strokes of up to 30 cm/s
#: (Löken et al. 2009 Nat Neurosci 12:547, Fig. 2 [recalled]; the 0.3-30 cm/s series of Ackerley et
#: al. 2014 Front Behav Neurosci 8:54 [checked: abstract]).  Chosen: 1 m/s, where 99.7 % of the Aβ
#: fibers (a gain above -2.8 SD) are at their 100 Hz ceiling, so a faster stroke changes little
MAX_VELOCITY = 1.0

#: The default brush stroke (:func:`brush`, ``brush = true`` in a conditions file).
BRUSH_VELOCITY = "30 mm/s"

#: s; the heat response functions give a fiber's mean discharge over the first RATE_WINDOW
#: seconds of a step: the C slope's source counted impulses per 3-s stimulus (LaMotte &
#: Campbell 1978).  An adapting subtype's time course is scaled to keep that mean.
RATE_WINDOW = 3.0

#: The encoder of heat ramps, ``(stimulus, class, n, duration, seed, rng) -> (times, ids)``, registered
#: by :mod:`painsim.fibers.thermal` (which builds on this module) when ``painsim.fibers`` is imported.
RAMP_ENCODER: list = [None]

#: extra integer of the "threshold" stream per modality (fixed; never renumber)
MODALITY_CODE = {"heat": 1, "pinprick": 2, "brush": 3, "cold": 4}


# ==========================================================================
# Response functions (one per class and modality)
# ==========================================================================
def _check_adaptation(plateau: float, tau: float) -> None:
    if not 0.0 <= plateau <= 1.0:
        raise ParameterError("plateau", plateau, "a fraction of the initial discharge in [0, 1] (1: no adaptation)")
    if plateau < 1 and not (math.isfinite(tau) and tau > 0):
        raise ParameterError("adaptation_tau", tau, "a time constant > 0 s when the discharge adapts (plateau < 1)")


@dataclass(frozen=True)
class HeatResponse:
    """Heat response of one subtype of a class:
    ``rate = min(max_rate, slope * (T - theta))`` for ``T > theta``, else 0,
    with ``theta ~ Normal(threshold_mean, threshold_sd)`` per fiber.  A cold response
    (:data:`COLD_RESPONSE`) mirrors it: ``slope * (theta - T)`` for ``T < theta``.

    ``rate`` is the mean discharge over the first :data:`RATE_WINDOW` seconds of a
    step.  An adapting subtype (``plateau < 1``) fires at ``rate * s * g(t)`` at time
    ``t`` after the onset, ``g(t) = plateau + (1 - plateau) exp(-t / adaptation_tau)``,
    with ``s`` such that its mean over :data:`RATE_WINDOW` is ``rate``
    (:func:`adaptation_profile`)."""

    name: str
    fraction: float          # of the class's fibers that are of this subtype
    threshold_mean: float    # °C
    threshold_sd: float      # °C
    slope: float             # Hz per °C above threshold
    max_rate: float          # Hz
    plateau: float = 1.0     # late over initial discharge during a held step (1: no adaptation)
    adaptation_tau: float = 0.0  # s, time constant of the decline to the plateau (> 0 if plateau < 1)

    def __post_init__(self):
        _check_adaptation(self.plateau, self.adaptation_tau)


@dataclass(frozen=True)
class ForceResponse:
    """Punctate-force response of a class:
    ``rate = max_rate * clip(log2(F / theta) / octaves, 0, 1)``,
    ``theta`` lognormal (median ``threshold_median`` N, log-sd ``threshold_log_sd``)."""

    name: str
    threshold_median: float  # N
    threshold_log_sd: float  # sd of ln(threshold)
    octaves: float           # doublings of force from threshold to max_rate
    max_rate: float          # Hz


@dataclass(frozen=True)
class BrushResponse:
    """Stroking response of a class:
    ``rate = min(max_rate, g * rate_ref * (v / v_ref) ** exponent)``,
    per-fiber gain ``g`` lognormal with median 1 and log-sd ``gain_log_sd``."""

    name: str
    rate_ref: float          # Hz at v_ref
    v_ref: float             # m/s
    exponent: float
    gain_log_sd: float
    max_rate: float          # Hz


#: Contact heat, per class (subtypes in order; their fractions sum to 1 or to less:
#: the rest of the class does not respond to heat).
HEAT_RESPONSE: dict[str, tuple[HeatResponse, ...]] = {
    # Aβ low-threshold mechanoreceptors do not respond to heat (they are mechanoreceptors;
    # heat-sensitive afferents are C/Aδ, Treede et al. 1995; Hensel & Iggo 1971 warm
    # fibres are C).  The touch of a thermode is a separate `touch` stimulus if wanted.
    "Abeta": (),
    "Adelta": (
        # Treede et al. 1995 J Physiol 483:747 (abstract): hairy skin 13 of 46 AMHs type II,
        # median heat threshold 46 °C, peak discharge within 1-3 s; 33 of 46 type I, median
        # threshold > 53 °C.  threshold_sd chosen: 1.5 °C (like C, a little wider).
        # slope chosen: 2 Hz/°C, twice the C slope: A-fibre nociceptors discharge more than
        # C fibres (Slugg et al. 2000 for force; Treede 1995 peak within 1-3 s); gives
        # ~10-14 Hz at 51-53 °C.  max_rate chosen: 20 Hz, the model's Aδ max_rate (afferents.Adelta
        # in models/gate_control.toml, "tens of Hz at most"), so no heat drives Aδ beyond the
        # intensity shorthand's ceiling; reached 10 °C above a fibre's threshold (~56 °C for the
        # median type II fibre), so it shapes little in the DFNS range (up to 50 °C).  (Was 30 Hz, against this comment.)
        HeatResponse("type II AMH", 13 / 46, 46.0, 1.5, 2.0, 20.0),
        # type I: median > 53 °C (Treede 1995); chosen: mean 54 °C, sd 2 °C; same slope and cap.
        HeatResponse("type I AMH", 33 / 46, 54.0, 2.0, 2.0, 20.0),
    ),
    "C": (
        # CMH (polymodal) nociceptors.  Threshold mean 41.5 °C: human microneurography,
        # Yarnitsky et al. 1992 J Physiol [450:581 recalled] (41.5 +/- 0.57 °C at 0.3 °C/s, n = 10);
        # Treede 1995 (monkey, median 41 °C); Torebjörk et al. 1984 J Neurophysiol 51:325
        # (12 of 14 human CMHs at 41 °C, 2 at 43 °C).  threshold_sd chosen: 1.0 °C, between
        # Torebjörk 1984 (SD ~0.7 °C at 2 °C resolution) and Yarnitsky 1992 read as SEM
        # (0.57 x sqrt(10) = 1.8 °C).
        # slope 1 Hz/°C [recalled]: LaMotte & Campbell 1978 J Neurophysiol 41:509, mean CMH
        # response rising to ~20-25 impulses per 3-s stimulus at 49 °C (~7-8 Hz over a
        # 41-42 °C threshold); max_rate chosen 20 Hz (C discharge rarely exceeds ~10-20 Hz;
        # 13.5 Hz during 6 °C/s ramps, Yarnitsky 1992).
        # Adaptation during a held step: CMHs have "a peak discharge near stimulus onset"
        # (Treede et al. 1995, 30-s steps at 53 °C [checked: abstract]), and primate
        # spinothalamic cells adapt to maintained heat "with time constants faster than those
        # of C polymodal nociceptors" (Kenshalo et al. 1979 J Neurophysiol 42:1370 [checked:
        # abstract]).  Neither abstract gives a number: plateau chosen 0.3, the upper end of
        # a late/peak ratio of ~0.1-0.3 recalled from Treede 1995's mean CMH record (figure
        # not re-read); adaptation_tau chosen 3 s ("a few seconds", same record, recalled).
        # How much the model's outcomes depend on both: docs/stimuli.md ("Adaptation").
        HeatResponse("CMH", 1.0, 41.5, 1.0, 1.0, 20.0, plateau=0.3, adaptation_tau=3.0),
    ),
}

#: Contact cold, per class: a fiber fires ``min(max_rate, slope * (theta - T))`` below its
#: threshold ``theta`` (°C).  Innocuous-cold (Aδ "cool") fibres and their central inhibition of
#: cold pain are not in the model (docs/stimuli.md, "Contact cold").
COLD_RESPONSE: dict[str, tuple[HeatResponse, ...]] = {
    "Abeta": (),  # chosen: low-threshold mechanoreceptors taken as cold-insensitive (not modelled)
    # Simone & Kajander 1996 Neurosci Lett (pp. 53-56) [checked: abstract] (rat hairy skin, 20 to -12 °C): every
    # Aδ nociceptor sampled was excited by noxious cold, with thresholds colder than the C fibres'
    # ("many" below 0 °C) and responses rising as the temperature fell.  No human figure found.
    # Chosen: all Aδ; threshold mean 0 °C (half of them below 0 °C, "many"), sd 5 °C (thresholds spread
    # over ~-10 to 10 °C, the "wide range" of the abstract); slope twice the C fibres' cold slope, as for
    # heat; the heat ceiling; no adaptation (none reported for Aδ cold responses in the abstract).
    "Adelta": (HeatResponse("cold-sensitive AMH", 1.0, 0.0, 5.0, 0.14, 20.0),),
    # Campero, Serra & Ochoa 1996 J Physiol 497:565 [checked: abstract] (human microneurography): 22 of
    # 55 CMHs (40 %) also responded to low temperature, "between 19 and 0 °C", at low discharge
    # frequency, 0.4 +/- 0.22 Hz (mean +/- SEM), with "a tendency to decrease their discharge after a
    # few seconds".  Chosen: threshold mean 10 °C, sd 4.5 °C (19-1 °C as +/- 2 sd); slope 0.07 Hz/°C,
    # so that the mean discharge of responding fibres over stimuli spread evenly over 0-19 °C is
    # 0.4 Hz (docs/stimuli.md); the same fibres' heat ceiling and adaptation (they are CMHs).
    "C": (HeatResponse("CMHC", 22 / 55, 10.0, 4.5, 0.07, 20.0, plateau=0.3, adaptation_tau=3.0),),
}

#: Punctate force (von Frey / pinprick), per class.
FORCE_RESPONSE: dict[str, ForceResponse] = {
    # Aβ SA/RA: hairy skin of the human hand, thresholds RA 0.3-1.7 g (2.9-17 mN), SA < 0.1 to
    # 1.7 g (< 1-17 mN) (Järvilehto et al. 1976 Exp Brain Res 25:45, abstract); glabrous skin
    # lower (medians ~0.5-1.3 mN, Johansson, Vallbo & Westling 1980 Brain Res 184:343
    # [recalled: values and reference]).  chosen: median 3 mN, log-sd 0.7 (±2 sd = 0.7-12 mN).
    # Saturation within 2 doublings (chosen: SA intensity functions are compressive, power exponents 0.31-1.23,
    # Järvilehto 1976); max_rate 30 Hz chosen: sustained SA discharge of tens of Hz, RA
    # silent during a held force, averaged over the class.
    "Abeta": ForceResponse("SA/RA LTMR", 3e-3, 0.7, 2.0, 30.0),
    # Aδ mechanonociceptors (AMH/HTM): response rises monotonically with force over the whole
    # range, steeper than C (Slugg, Meyer & Campbell 2000 J Neurophysiol 83:2179, abstract).
    # chosen: median threshold 45 mN, log-sd 0.6 (±2 sd = 14-150 mN), near the human
    # pinprick pain threshold of the DFNS reference data (tens of mN, Rolke et al. 2006
    # Pain 123:231 [recalled]); graded over 6 doublings (8 -> 512 mN, the DFNS series);
    # 4 Hz per doubling (chosen: 24 Hz max, the tens of Hz of the model's Aδ max_rate).
    "Adelta": ForceResponse("A-fibre mechanonociceptor", 45e-3, 0.6, 6.0, 24.0),
    # C (CMH): human von Frey thresholds 2.3-13.1 g = 23-128 mN (Van Hees & Gybels 1981
    # J Neurol Neurosurg Psychiatry [44:600 recalled], abstract): median = geometric midpoint 54 mN,
    # log-sd = ln(128/23)/4 = 0.43 (the range taken as ±2 sd).  The response plateaus at
    # low forces (Slugg et al. 2000): chosen 1 doubling to max.  max_rate chosen 5 Hz:
    # sustained, below the "more than 10 spikes/s" peaks of Van Hees & Gybels 1981.
    "C": ForceResponse("CMH", 53.8e-3, 0.43, 1.0, 5.0),
}

#: Dynamic brush, per class: Aβ only.  C-tactile afferents, which do respond to gentle
#: stroking (Löken et al. 2009 Nat Neurosci 12:547), are not part of the model's C class
#: (nociceptors); C and Aδ nociceptors do not respond to a soft brush.
BRUSH_RESPONSE: dict[str, BrushResponse] = {
    # Myelinated afferents fire more the faster the stroke, without the 1-10 cm/s optimum of
    # C-tactile units (Löken et al. 2009, abstract and Fig. 2).  rate_ref 40 Hz at 3 cm/s and
    # exponent 0.5 [recalled from Löken 2009 Fig. 2: tens of Hz at 1-10 cm/s, ~100 Hz at
    # 30 cm/s for hair/field units]; gain log-sd 0.3 chosen (unit-to-unit spread);
    # max_rate 100 Hz chosen.
    "Abeta": BrushResponse("hair/field/SA units", 40.0, 0.03, 0.5, 0.3, 100.0),
}


# ==========================================================================
# The stimulus
# ==========================================================================
_UNIT = {"heat": "degC", "pinprick": "N", "brush": "m/s", "cold": "degC"}
#: The thermal kinds and their response tables.
_THERMAL = {"heat": HEAT_RESPONSE, "cold": COLD_RESPONSE}


@dataclass(frozen=True)
class PhysicalStimulus:
    """A natural stimulus in physical units, constant during ``[start, stop)`` (a ramp,
    ``ramp > 0``, rises to ``value`` first: :func:`painsim.fibers.heat_ramp`).

    ``kind`` is ``"heat"`` or ``"cold"`` (``value`` in °C), ``"pinprick"`` (N) or ``"brush"``
    (stroking velocity, m/s).  Build it with :func:`heat`, :func:`cold`, :func:`pinprick` or
    :func:`brush`; :func:`painsim.fibers.thermal.heat_contacts` repeats a brief contact: ``repeat``
    contacts, each ``[start, stop)`` shifted by ``k * interval`` (``repeat = 1``:
    one application, ``interval`` unused).
    """

    kind: str
    value: float
    start: float = 0.0
    stop: float | None = None
    repeat: int = 1
    interval: float = 0.0
    ramp: float = 0.0        # °C/s from the baseline to ``value`` (heat only; 0: a step), painsim.fibers.thermal

    def __post_init__(self):
        if isinstance(self.repeat, bool) or not isinstance(self.repeat, (int, np.integer)) or self.repeat < 1:
            raise ParameterError("repeat", self.repeat, "a whole number of applications >= 1")
        if self.ramp and (self.kind != "heat" or self.repeat > 1 or not (math.isfinite(self.ramp) and self.ramp > 0)):
            raise ParameterError("ramp", self.ramp, "a rate of rise > 0 °C/s of one heat application (heat_ramp)")
        if self.repeat > 1 and (self.stop is None or not self.interval >= self.stop - self.start):
            raise ParameterError("interval", self.interval, "repeated applications with a stop, each interval "
                                                            "(onset to onset) at least one application long")

    @property
    def unit(self) -> str:
        return _UNIT[self.kind]

    def classes(self) -> tuple[str, ...]:
        """The fiber classes this stimulus can drive (the others get rate 0)."""
        table = {"pinprick": FORCE_RESPONSE, "brush": BRUSH_RESPONSE, **_THERMAL}[self.kind]
        return tuple(c for c in FIBER_CLASSES if table.get(c))

    def window(self, duration: float) -> tuple[float, float]:
        """``(start, stop)`` of the first application, ``stop`` clipped to ``duration`` (s)."""
        stop = duration if self.stop is None else min(self.stop, duration)
        return self.start, stop

    def onsets(self) -> np.ndarray:
        """The onset (s) of each application (one unless the stimulus repeats a contact)."""
        return self.start + self.interval * np.arange(self.repeat)

    def rates(self, class_name: str, n_fibres: int, rng: np.random.Generator) -> np.ndarray:
        """Per-fiber rates (Hz) of ``n_fibres`` fibers of ``class_name``.

        For heat, each rate is the fiber's mean over the first :data:`RATE_WINDOW` s of a
        step; adapting subtypes (the C fibers' CMH) fire at a decaying rate around it in
        :meth:`spikes`.  ``rng`` draws the fibers' thresholds (or gains): pass
        :func:`threshold_rng` so that a fiber keeps its threshold across stimuli.
        The number of draws does not depend on the stimulus value.
        """
        if class_name not in FIBER_CLASSES:
            raise ParameterError("class_name", class_name, f"one of {FIBER_CLASSES}")
        n = int(n_fibres)
        if self.kind in _THERMAL:
            return thermal_draw(self.value, _THERMAL[self.kind][class_name], n, rng, self.kind == "cold")[0]
        if self.kind == "pinprick":
            return _force_rates(self.value, FORCE_RESPONSE.get(class_name), n, rng)
        return _brush_rates(self.value, BRUSH_RESPONSE.get(class_name), n, rng)

    def fibre_rates(self, class_name: str, n_fibres: int, seed: int) -> np.ndarray:
        """:meth:`rates` with the fibers' own thresholds of a point's ``seed``."""
        return self.rates(class_name, n_fibres, threshold_rng(seed, class_name, self.kind))

    def spikes(self, class_name: str, n_fibres: int, duration: float, seed: int,
               rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Poisson spikes ``(times, fiber ids)`` at the fibers' origin, in the
        stimulus window clipped to ``duration`` (s: a number, or a quantity such as
        ``"2 s"`` or ``2*second``); ``rng`` is the caller's ``natural`` stream (default:
        its own).  Repeated contacts draw each contact's spikes from a stream of its own
        (``rng`` unused)."""
        if isinstance(duration, bool) or not isinstance(duration, (int, float, np.integer, np.floating)):
            duration = to_si(duration, "s", "duration")
        key = (FIBER_CLASSES.index(class_name), 100 + MODALITY_CODE[self.kind])
        if self.repeat > 1:
            # each contact as its own application: the same fibres (thresholds), its own onset, and fresh
            # spikes from its own stream, keyed by the contact's number, so that contact k fires the same
            # spikes whatever the interval or the run's length (paired comparisons between intervals)
            one = replace(self, start=0.0, stop=self.stop - self.start, repeat=1, interval=0.0)
            parts = [one.spikes(class_name, n_fibres, duration - on, seed, rng_for(seed, "natural", *key, k))
                     for k, on in enumerate(self.onsets()) if on < duration]
            if not parts:  # every contact after the run's end, as a late single stimulus: no spikes
                return np.zeros(0), np.zeros(0, dtype=np.int64)
            return (np.concatenate([t + on for (t, _), on in zip(parts, self.onsets())]),
                    np.concatenate([i for _, i in parts]).astype(np.int64))
        if rng is None:
            rng = rng_for(seed, "natural", *key)
        if self.ramp > 0:  # a ramp's rates change with its temperature (painsim.fibers.thermal)
            return RAMP_ENCODER[0](self, class_name, int(n_fibres), float(duration), seed, rng)
        t0, t1 = self.window(duration)
        subtypes = _THERMAL[self.kind][class_name] if self.kind in _THERMAL else ()
        if not any(s.plateau < 1 for s in subtypes):
            return poisson_trains(self.fibre_rates(class_name, n_fibres, seed), t0, t1, rng)
        # adapting subtypes: each subtype's fibers with its own time course from the onset
        rates, subtype, _ = thermal_draw(self.value, subtypes, int(n_fibres),
                                         threshold_rng(seed, class_name, self.kind), self.kind == "cold")
        times, ids = [], []
        for j, s in enumerate(subtypes):
            members = np.flatnonzero(subtype == j)
            t, i = (poisson_trains(rates[members], t0, t1, rng) if s.plateau == 1 else
                    adapting_trains(rates[members], t0, t1, s.plateau, s.adaptation_tau, rng))
            times.append(t)
            ids.append(members[i])
        return np.concatenate(times), np.concatenate(ids).astype(np.int64)

    def describe(self) -> dict[str, Any]:
        """JSON-able description (for result attributes)."""
        out = {"kind": self.kind, "value": self.value, "unit": self.unit, "start_s": self.start, "stop_s": self.stop}
        if self.repeat > 1:
            out.update(repeat=self.repeat, interval_s=self.interval)
        if self.ramp > 0:
            out.update(ramp_degC_per_s=self.ramp)
        return out


def threshold_rng(seed: int, class_name: str, kind: str) -> np.random.Generator:
    """The generator of one point's fiber thresholds of ``class_name`` for ``kind``."""
    return rng_for(seed, "threshold", FIBER_CLASSES.index(class_name), MODALITY_CODE[kind])


def poisson_trains(rates: np.ndarray, start: float, stop: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Homogeneous Poisson spikes of independent fibers, fiber ``i`` at ``rates[i]`` (Hz),
    in ``[start, stop)``; returns ``(times, ids)`` (unsorted)."""
    rates = np.asarray(rates, dtype=float)
    if stop <= start or rates.size == 0 or not np.any(rates > 0):
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    counts = rng.poisson(np.clip(rates, 0.0, None) * (stop - start))
    ids = np.repeat(np.arange(rates.size, dtype=np.int64), counts)
    return rng.uniform(start, stop, ids.size), ids


def adaptation_profile(t, plateau: float, tau: float) -> tuple[np.ndarray, np.ndarray]:
    """Relative rate ``s g(t)`` of an adapting fiber at ``t`` s after the onset of a step,
    and its integral ``s G(t)`` (s), where ``g(t) = plateau + (1 - plateau) exp(-t / tau)``
    and ``s = RATE_WINDOW / G(RATE_WINDOW)``, so that the mean over the first
    :data:`RATE_WINDOW` seconds is 1 (``plateau = 1``: 1 at every ``t``)."""
    _check_adaptation(plateau, tau)
    t = np.asarray(t, dtype=float)
    if plateau == 1:
        return np.ones_like(t), t.copy()
    G = lambda u: plateau * u + (1 - plateau) * tau * -np.expm1(-u / tau)  # noqa: E731
    s = RATE_WINDOW / G(RATE_WINDOW)
    return s * (plateau + (1 - plateau) * np.exp(-t / tau)), s * G(t)


def adapting_trains(rates: np.ndarray, start: float, stop: float, plateau: float, tau: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Inhomogeneous Poisson spikes of independent fibers whose rate adapts from the onset
    ``start``: fiber ``i`` at ``rates[i] * s g(t - start)`` (:func:`adaptation_profile`) in
    ``[start, stop)``; returns ``(times, ids)`` (unsorted).  ``plateau = 1`` is a homogeneous
    train (drawn like :func:`poisson_trains` here, not with its random numbers).  Times by
    inverting the integrated rate (time rescaling), on a grid of 1 ms while the rate changes
    (20 time constants) and a coarse one after it, where the integral is linear."""
    rates = np.asarray(rates, dtype=float)
    if stop <= start or rates.size == 0 or not np.any(rates > 0):
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    span = stop - start
    fine = min(span, 20.0 * tau) if plateau < 1 else span
    grid = np.linspace(0.0, fine, max(2, int(math.ceil(min(fine, 60.0) / 1e-3)) + 1))
    if span > fine:
        grid = np.concatenate([grid, np.linspace(fine, span, 1001)[1:]])
    _, cumulative = adaptation_profile(grid, plateau, tau)
    counts = rng.poisson(np.clip(rates, 0.0, None) * cumulative[-1])
    ids = np.repeat(np.arange(rates.size, dtype=np.int64), counts)
    return start + np.interp(rng.uniform(0.0, cumulative[-1], ids.size), cumulative, grid), ids


# ==========================================================================
# Encodings
# ==========================================================================
def thermal_draw(celsius: float, subtypes: tuple[HeatResponse, ...], n: int, rng,
                 cooling: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-fiber rates at ``celsius``, subtype index (-1: not sensitive) and threshold (°C, nan for
    -1), from ``rng`` (:func:`threshold_rng`); ``cooling``: fibers fire below their threshold."""
    u = rng.random(n)                  # subtype of each fiber
    z = rng.standard_normal(n)         # its threshold, in sd of its subtype
    rates, subtype, thresholds = np.zeros(n), np.full(n, -1), np.full(n, np.nan)
    lo = 0.0
    for j, s in enumerate(subtypes):
        member = (u >= lo) & (u < lo + s.fraction)
        lo += s.fraction
        subtype[member] = j
        theta = thresholds[member] = s.threshold_mean + s.threshold_sd * z[member]
        rates[member] = np.clip(s.slope * ((theta - celsius) if cooling else (celsius - theta)), 0.0, s.max_rate)
    return rates, subtype, thresholds


def _force_rates(force: float, r: ForceResponse | None, n: int, rng) -> np.ndarray:
    z = rng.standard_normal(n)
    if r is None or force <= 0:
        return np.zeros(n)
    theta = r.threshold_median * np.exp(r.threshold_log_sd * z)
    return r.max_rate * np.clip(np.log2(force / theta) / r.octaves, 0.0, 1.0)


def _brush_rates(velocity: float, r: BrushResponse | None, n: int, rng) -> np.ndarray:
    z = rng.standard_normal(n)
    if r is None or velocity <= 0:
        return np.zeros(n)
    gain = np.exp(r.gain_log_sd * z)
    return np.minimum(r.max_rate, gain * r.rate_ref * (velocity / r.v_ref) ** r.exponent)


def expected_heat_rate(celsius: float, class_name: str) -> float:
    """Mean rate (Hz) over a class's fibers at ``celsius``, from the threshold
    distribution (no sampling): for a subtype with threshold ``N(mu, sd)`` and
    slope ``k``, ``E[k (T - theta)+] = k (sd phi(z) + (T - mu) Phi(z))``,
    ``z = (T - mu) / sd`` (the ``max_rate`` cap ignored: check ``T`` below it).  For heat,
    the mean over the first :data:`RATE_WINDOW` s of a step (C fibers adapt around it)."""
    return _expected_rate(celsius, HEAT_RESPONSE[class_name], +1)


def expected_cold_rate(celsius: float, class_name: str) -> float:
    """Mean rate (Hz) over a class's fibers at ``celsius`` of contact cold, as
    :func:`expected_heat_rate` with the excess below threshold, ``E[k (theta - T)+]``."""
    return _expected_rate(celsius, COLD_RESPONSE[class_name], -1)


def _expected_rate(celsius: float, subtypes: tuple[HeatResponse, ...], sign: int) -> float:
    total = 0.0
    for s in subtypes:
        excess = sign * (celsius - s.threshold_mean)  # mean distance past the threshold
        z = excess / s.threshold_sd
        pdf = math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
        cdf = 0.5 * (1 + math.erf(z / math.sqrt(2)))
        total += s.fraction * s.slope * (s.threshold_sd * pdf + excess * cdf)
    return total


# ==========================================================================
# Constructors
# ==========================================================================
def _window(start, stop) -> tuple[float, float | None]:
    t0 = to_si(start, "s", "start") if start else 0.0
    t1 = to_si(stop, "s", "stop") if stop is not None else None
    if not math.isfinite(t0) or t0 < 0:
        raise ParameterError("start", start, "a time >= 0 s")
    if t1 is not None and not t1 >= t0:
        raise ParameterError("stop", stop, "0 <= start <= stop")
    return t0, t1


def heat(celsius, start=0.0, stop=None, baseline=SKIN_BASELINE) -> PhysicalStimulus:
    """Contact heat at ``celsius`` from a ``baseline`` skin temperature (32 °C).

    Parameters
    ----------
    celsius : float, str or Quantity
        The thermode temperature: a number in °C, ``"47 °C"``, ``"320 K"`` or a
        brian2 quantity in kelvin; from ``baseline`` to 60 °C.
    start, stop : Quantity (s), optional
        When the heat is on; default: the whole simulation.
    baseline : float
        Resting skin temperature, °C (cooling is :func:`cold`).

    Drives C (CMH) and Aδ (type I/II AMH) nociceptors; Aβ not at all.
    """
    t = to_celsius(celsius, "celsius")
    base = to_celsius(baseline, "baseline")
    if not base <= t <= MAX_TEMPERATURE:
        raise ParameterError("celsius", celsius, f"a temperature from the {base:g} °C baseline to "
                                                     f"{MAX_TEMPERATURE:g} °C",
                             hint="cooling is cold()" if t < base else None)
    t0, t1 = _window(start, stop)
    return PhysicalStimulus("heat", t, t0, t1)


def cold(celsius, start=0.0, stop=None, baseline=SKIN_BASELINE) -> PhysicalStimulus:
    """Contact cold at ``celsius`` from a ``baseline`` skin temperature (32 °C).

    Parameters
    ----------
    celsius : float, str or Quantity
        The thermode temperature: a number in °C, ``"5 °C"``, ``"278 K"`` or a brian2 quantity
        in kelvin; from :data:`MIN_TEMPERATURE` (0 °C) to ``baseline``.
    start, stop : Quantity (s), optional
        When the cold is on; default: the whole simulation.
    baseline : float
        Resting skin temperature, °C (warming is :func:`heat`).

    Drives the cold-sensitive C (CMH) nociceptors (40 %, Campero et al. 1996) and Aδ
    nociceptors (Simone & Kajander 1996); Aβ not at all.  Innocuous-cold fibres are not
    modelled (docs/stimuli.md, "Contact cold").
    """
    t = to_celsius(celsius, "celsius")
    base = to_celsius(baseline, "baseline")
    if not MIN_TEMPERATURE <= t <= base:
        raise ParameterError("celsius", celsius, f"a temperature from {MIN_TEMPERATURE:g} °C to the "
                                                     f"{base:g} °C baseline",
                             hint="warming is heat()" if t > base else None)
    t0, t1 = _window(start, stop)
    return PhysicalStimulus("cold", t, t0, t1)


def pinprick(force_mN, start=0.0, stop=None) -> PhysicalStimulus:
    """A punctate force (von Frey filament or pinprick), held during ``[start, stop)``.

    Parameters
    ----------
    force_mN : float, str or Quantity
        A number in mN (the DFNS pinprick series is 8-512 mN), ``"128 mN"`` or
        ``"0.128 N"``; from 0 to :data:`MAX_FORCE` (4096 mN).
    start, stop : Quantity (s), optional
        When the force is applied; default: the whole simulation.

    Drives Aβ (saturating at a few mN), Aδ (graded over 8-512 mN) and C (plateau).
    """
    if isinstance(force_mN, bool):
        raise ParameterError("force_mN", force_mN, "a force in mN (a number) or N")
    if isinstance(force_mN, str) or hasattr(force_mN, "dim"):
        f = float(to_si(force_mN, "N", "force_mN"))
    else:
        f = float(to_si(force_mN, "1", "force_mN")) * 1e-3
    if not (math.isfinite(f) and 0 <= f <= MAX_FORCE):
        raise ParameterError("force_mN", force_mN, f"a force from 0 to {MAX_FORCE * 1e3:g} mN",
                             hint="the encoding is built on the DFNS pinprick series, 8-512 mN" if f > 0 else None)
    t0, t1 = _window(start, stop)
    return PhysicalStimulus("pinprick", f, t0, t1)


def brush(velocity=BRUSH_VELOCITY, start=0.0, stop=None) -> PhysicalStimulus:
    """Dynamic brush: stroking the skin at ``velocity`` during ``[start, stop)``.

    Parameters
    ----------
    velocity : str, Quantity or True
        Stroking velocity (``"30 mm/s"``, ``3*cm/second``); default 3 cm/s
        (chosen: the middle of the 1-10 cm/s of gentle stroking, Löken et al. 2009);
        from 0 to :data:`MAX_VELOCITY` (1 m/s).  ``True`` means the default stroke, as
        ``brush = true`` does in a conditions file.
    start, stop : Quantity (s), optional

    Drives Aβ only.
    """
    if velocity is True:  # the conditions files' ``brush = true``: the default stroke
        velocity = BRUSH_VELOCITY
    elif velocity is False:  # not a velocity of 0 (that would be a stroke that does not move)
        raise ParameterError("velocity", velocity, 'a brush-stroke velocity (e.g. "30 mm/s"), or True for '
                             f"{BRUSH_VELOCITY}", hint="for no brush, leave touch unset")
    v = float(to_si(velocity, "m/s", "velocity"))
    if not (math.isfinite(v) and 0 <= v <= MAX_VELOCITY):
        raise ParameterError("velocity", velocity, f"a stroking velocity from 0 to {MAX_VELOCITY:g} m/s",
                             hint="the encoding is read from strokes of up to 30 cm/s" if v > 0 else None)
    t0, t1 = _window(start, stop)
    return PhysicalStimulus("brush", v, t0, t1)
