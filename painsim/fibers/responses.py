"""The published stimulus-response functions of the physical natural stimuli, one per fiber class
and modality: contact heat and cold (:data:`HEAT_RESPONSE`, :data:`COLD_RESPONSE`), punctate
force (:data:`FORCE_RESPONSE`) and brush (:data:`BRUSH_RESPONSE`), with the forms they take
(:class:`HeatResponse`, :class:`ForceResponse`, :class:`BrushResponse`).

Formerly part of :mod:`painsim.fibers.encoding`, which re-exports everything below; the sources
of every value are beside it (equations and discussion: ``docs/stimuli.md``).  All numpy, no
brian2.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ..checks import is_number
from ..errors import ParameterError

__all__ = ["HeatResponse", "ForceResponse", "BrushResponse", "HEAT_RESPONSE", "COLD_RESPONSE", "FORCE_RESPONSE",
           "BRUSH_RESPONSE", "RATE_WINDOW"]

#: s; the heat response functions give a fiber's mean discharge over the first RATE_WINDOW
#: seconds of a step: the C slope's source counted impulses per 3-s stimulus (LaMotte &
#: Campbell 1978).  An adapting subtype's time course is scaled to keep that mean.
RATE_WINDOW = 3.0


# ==========================================================================
# Response functions (one per class and modality)
# ==========================================================================
def _check_adaptation(plateau: float, tau: float) -> None:
    if not (is_number(plateau) and 0.0 <= plateau <= 1.0):
        raise ParameterError("plateau", plateau, "a fraction of the initial discharge in [0, 1] (1: no adaptation)")
    if plateau < 1 and not (is_number(tau) and math.isfinite(tau) and tau > 0):
        raise ParameterError("adaptation_tau", tau, "a time constant > 0 s when the discharge adapts (plateau < 1)")


def _check_fraction(fraction) -> None:
    """Refuse a share of a class that is not a finite number in [0, 1] (NaN and 1.5 were kept)."""
    if not (is_number(fraction) and 0.0 <= fraction <= 1.0):
        raise ParameterError("fraction", fraction, "a share of the class's fibers in [0, 1]")


def _check_sd(name: str, sd) -> None:
    """Refuse a standard deviation that is not a finite number > 0 (0 and negative ones were kept)."""
    if not (is_number(sd) and math.isfinite(sd) and sd > 0):
        raise ParameterError(name, sd, "a standard deviation > 0 (a finite number)")


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
    (:func:`adaptation_profile`).

    Parameters
    ----------
    name : str
        The subtype (``"CMH"``, ``"type II AMH"``, ...).
    fraction : float
        Share of the class's fibers of this subtype (0-1).
    threshold_mean, threshold_sd : float
        Mean and standard deviation of the per-fiber threshold ``theta``, °C.
    slope : float
        Hz per °C past the threshold.
    max_rate : float
        Per-fiber ceiling of the rate, Hz.
    plateau : float
        Late over initial discharge during a held step, in [0, 1] (1: no adaptation).
    adaptation_tau : float
        Time constant of the decline to the plateau, s (> 0 when ``plateau < 1``).

    Raises
    ------
    painsim.errors.ParameterError
        ``fraction`` not a number in [0, 1] (NaN included), ``threshold_sd`` not a finite
        number > 0, ``plateau`` outside [0, 1], or ``adaptation_tau`` not finite and > 0 while
        ``plateau < 1``.
    """

    name: str
    fraction: float          # of the class's fibers that are of this subtype
    threshold_mean: float    # °C
    threshold_sd: float      # °C
    slope: float             # Hz per °C above threshold
    max_rate: float          # Hz
    plateau: float = 1.0     # late over initial discharge during a held step (1: no adaptation)
    adaptation_tau: float = 0.0  # s, time constant of the decline to the plateau (> 0 if plateau < 1)

    def __post_init__(self):
        _check_fraction(self.fraction)
        _check_sd("threshold_sd", self.threshold_sd)
        _check_adaptation(self.plateau, self.adaptation_tau)


@dataclass(frozen=True)
class ForceResponse:
    """Punctate-force response of a class:
    ``rate = max_rate * clip(log2(F / theta) / octaves, 0, 1)``,
    ``theta`` lognormal (median ``threshold_median`` N, log-sd ``threshold_log_sd``).

    Parameters
    ----------
    name : str
        The fibers described (``"CMH"``, ...).
    threshold_median : float
        Median per-fiber threshold, N.
    threshold_log_sd : float
        Standard deviation of ``ln(theta)``.
    octaves : float
        Doublings of force from threshold to ``max_rate``.
    max_rate : float
        Per-fiber ceiling of the rate, Hz.

    Raises
    ------
    painsim.errors.ParameterError
        ``threshold_log_sd`` not a finite number > 0.
    """

    name: str
    threshold_median: float  # N
    threshold_log_sd: float  # sd of ln(threshold)
    octaves: float           # doublings of force from threshold to max_rate
    max_rate: float          # Hz

    def __post_init__(self):
        _check_sd("threshold_log_sd", self.threshold_log_sd)


@dataclass(frozen=True)
class BrushResponse:
    """Stroking response of a class:
    ``rate = min(max_rate, g * rate_ref * (v / v_ref) ** exponent)``,
    per-fiber gain ``g`` lognormal with median 1 and log-sd ``gain_log_sd``.

    Parameters
    ----------
    name : str
        The fibers described.
    rate_ref : float
        Rate of a median fiber at ``v_ref``, Hz.
    v_ref : float
        Reference stroking velocity, m/s.
    exponent : float
        Power of the velocity.
    gain_log_sd : float
        Standard deviation of ``ln(g)``.
    max_rate : float
        Per-fiber ceiling of the rate, Hz.

    Raises
    ------
    painsim.errors.ParameterError
        ``gain_log_sd`` not a finite number > 0.
    """

    name: str
    rate_ref: float          # Hz at v_ref
    v_ref: float             # m/s
    exponent: float
    gain_log_sd: float
    max_rate: float          # Hz

    def __post_init__(self):
        _check_sd("gain_log_sd", self.gain_log_sd)


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

