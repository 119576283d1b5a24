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
modality, :data:`MODALITY_CODE`), so for a given class size ``n`` they depend only on the
point's seed and stay the same whichever temperature or force is applied; Poisson spikes
come from the caller's ``natural`` stream.  They are not all stable under ``n``: pinprick
and brush draw ``n`` normals, so fiber ``i`` keeps its threshold when the class grows, but
heat and cold draw ``n`` uniforms (subtypes) before the ``n`` normals (thresholds), so a
fiber keeps its subtype and gets a new threshold whenever ``n`` changes (measured: C heat
thresholds of fibers 0-3 at n = 30 are those of fibers 1-4 at n = 31).  A sweep over
``afferents.<class>.n`` is therefore not a fiber-loss experiment for heat or cold (the
remaining fibers are redrawn).  Not fixed: changing the draw moves every heat and cold
number of the validation table (docs/stimuli.md, "Randomness and class size").  All numpy, no brian2.

The module is split by responsibility; everything named here stays importable from it:
:mod:`painsim.fibers.responses` holds the response functions (:data:`HEAT_RESPONSE`,
:data:`COLD_RESPONSE`, :data:`FORCE_RESPONSE`, :data:`BRUSH_RESPONSE`, :data:`RATE_WINDOW`),
:mod:`painsim.fibers.rates` the per-fiber draws, class means and spike trains
(:func:`threshold_rng`, :func:`thermal_draw`, :func:`poisson_trains`, :func:`adapting_trains`,
...) and the contact temperatures accepted (:data:`SKIN_BASELINE`, :data:`MIN_TEMPERATURE`,
:data:`MAX_TEMPERATURE`, shared with :func:`expected_heat_rate`); this module keeps
:class:`PhysicalStimulus`, its constructors and their other accepted ranges.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..anatomy import FIBER_CLASSES
from ..checks import is_number, whole
from ..errors import ParameterError
from ..rng import rng_for
from ..units import to_celsius, to_si
from .rates import (MAX_TEMPERATURE, MIN_TEMPERATURE, MODALITY_CODE, SKIN_BASELINE, _brush_rates, _checked_class,
                    _checked_seed, _force_rates, adaptation_profile, adapting_trains, expected_cold_rate,
                    expected_heat_rate, poisson_trains, thermal_draw, threshold_rng)
from .responses import (BRUSH_RESPONSE, COLD_RESPONSE, FORCE_RESPONSE, HEAT_RESPONSE, RATE_WINDOW, BrushResponse,
                        ForceResponse, HeatResponse)

__all__ = ["PhysicalStimulus", "heat", "pinprick", "brush", "cold", "HeatResponse", "ForceResponse",
           "BrushResponse", "HEAT_RESPONSE", "COLD_RESPONSE", "FORCE_RESPONSE", "BRUSH_RESPONSE",
           "MODALITY_CODE", "SKIN_BASELINE", "MAX_TEMPERATURE", "MIN_TEMPERATURE", "MAX_FORCE", "MAX_VELOCITY",
           "BRUSH_VELOCITY", "RATE_WINDOW", "poisson_trains",
           "adapting_trains", "adaptation_profile", "threshold_rng", "thermal_draw", "expected_heat_rate",
           "expected_cold_rate"]

# SKIN_BASELINE, MAX_TEMPERATURE and MIN_TEMPERATURE, the contact temperatures heat() and cold() accept,
# live in painsim.fibers.rates (imported above), whose expected_heat_rate checks the same range.

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

#: The encoder of heat ramps, ``(stimulus, class, n, duration, seed, rng) -> (times, ids)``, registered
#: by :mod:`painsim.fibers.thermal` (which builds on this module) when ``painsim.fibers`` is imported.
RAMP_ENCODER: list = [None]


# ==========================================================================
# The stimulus
# ==========================================================================
_UNIT = {"heat": "degC", "pinprick": "N", "brush": "m/s", "cold": "degC"}
#: The values each kind accepts, in its unit (the constructors' ranges).
_RANGE = {"heat": (MIN_TEMPERATURE, MAX_TEMPERATURE), "cold": (MIN_TEMPERATURE, MAX_TEMPERATURE),
          "pinprick": (0.0, MAX_FORCE), "brush": (0.0, MAX_VELOCITY)}


def _check_fields(stim) -> None:
    """Refuse a kind, value or window a constructor would not make (were accepted, and failed at first
    use with a bare KeyError, or drew spikes at NaN °C or from a negative onset)."""
    if not isinstance(stim.kind, str) or stim.kind not in _UNIT:
        raise ParameterError("kind", stim.kind, f"one of {tuple(_UNIT)}",
                             hint="build a stimulus with heat(), cold(), pinprick() or brush()")
    lo, hi = _RANGE[stim.kind]
    if not (is_number(stim.value) and lo <= stim.value <= hi):
        raise ParameterError("value", stim.value, f"a number from {lo:g} to {hi:g} {_UNIT[stim.kind]}")
    if not (is_number(stim.start) and stim.start >= 0):
        raise ParameterError("start", stim.start, "a time >= 0 s (a finite number)")
    if stim.stop is not None and not (is_number(stim.stop) and stim.stop > stim.start):
        # stop = start was accepted: an empty stimulus that never acts (the constructors refuse it)
        raise ParameterError("stop", stim.stop, "None or a time in s after start (start < stop, a finite number)")
    if not (is_number(stim.interval) and stim.interval >= 0):
        raise ParameterError("interval", stim.interval, "a time >= 0 s (a finite number)")


def _duration(duration) -> float:
    """A run's ``duration`` in s (a number, or a quantity such as ``"2 s"``), finite and > 0."""
    value = duration
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        value = to_si(value, "s", "duration")
    if not (math.isfinite(value) and value > 0):
        raise ParameterError("duration", duration, "a time > 0 s (finite)")
    return float(value)


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

    Parameters
    ----------
    kind : {"heat", "cold", "pinprick", "brush"}
        The modality.
    value : float
        °C for heat and cold, N for pinprick, m/s for brush.
    start : float
        Onset of the (first) application, s.
    stop : float or None
        End of the (first) application, s; None: the end of the run.
    repeat : int
        Number of applications (>= 1).
    interval : float
        Onset to onset of repeated applications, s (at least ``stop - start`` when ``repeat > 1``).
    ramp : float
        Heat only: rate of rise from the baseline to ``value``, °C/s (0: a step).

    Raises
    ------
    painsim.errors.ParameterError
        ``kind`` not one of the four; ``value`` not a finite number within the range its
        constructor accepts; ``start`` not finite and >= 0; ``stop`` not None or a finite time
        after ``start`` (``stop = start``, an empty stimulus, as the constructors refuse it);
        ``interval`` not finite and >= 0; ``repeat`` not a whole number >= 1; a
        non-zero ``ramp`` that is not finite and > 0 or not of one heat application;
        ``repeat > 1`` without a ``stop`` or with an ``interval`` shorter than one application.
    """

    kind: str
    value: float
    start: float = 0.0
    stop: float | None = None
    repeat: int = 1
    interval: float = 0.0
    ramp: float = 0.0        # °C/s from the baseline to ``value`` (heat only; 0: a step), painsim.fibers.thermal

    def __post_init__(self):
        _check_fields(self)
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
        """``(start, stop)`` of the first application, ``stop`` clipped to ``duration`` (s).

        Raises
        ------
        painsim.errors.ParameterError
            ``duration`` not a finite time > 0 s (NaN was returned as the stop).
        """
        duration = _duration(duration)
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

        Raises
        ------
        painsim.errors.ParameterError
            ``class_name`` not a fiber class, ``n_fibres`` not a whole number >= 0 (was truncated,
            or a bare ValueError), or ``rng`` not a numpy Generator.
        """
        _checked_class(class_name)
        n = whole(n_fibres, "n_fibres", 0, allow_float=True)
        if not isinstance(rng, np.random.Generator):
            raise ParameterError("rng", rng, "a numpy.random.Generator (e.g. threshold_rng(seed, class_name, kind))")
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
        (``rng`` unused).

        Raises
        ------
        painsim.errors.ParameterError
            ``class_name`` not a fiber class, ``n_fibres`` or ``seed`` not a whole number >= 0,
            ``duration`` not a finite time > 0 s (was an empty train, or a bare ValueError for
            NaN), or ``rng`` neither None nor a numpy Generator; all before any spike is drawn.
        painsim.errors.UnitError
            ``duration`` with a unit other than time.
        """
        _checked_class(class_name)
        n_fibres = whole(n_fibres, "n_fibres", 0, allow_float=True)
        duration = _duration(duration)
        seed = _checked_seed(seed)
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise ParameterError("rng", rng, "None or a numpy.random.Generator (the caller's natural stream)")
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

# ==========================================================================
# Constructors
# ==========================================================================
def _window(start, stop) -> tuple[float, float | None]:
    t0 = to_si(start, "s", "start") if start else 0.0
    t1 = to_si(stop, "s", "stop") if stop is not None else None
    if not math.isfinite(t0) or t0 < 0:
        raise ParameterError("start", start, "a time >= 0 s")
    if t1 is not None and not t1 > t0:  # stop = start was an empty window: a stimulus that never acts
        raise ParameterError("stop", stop, "None or a time after start (0 <= start < stop)")
    return t0, t1


def _baseline(baseline) -> float:
    """A resting skin temperature in °C, within the encoding's range (:data:`MIN_TEMPERATURE` to
    :data:`MAX_TEMPERATURE`)."""
    base = to_celsius(baseline, "baseline")
    if not MIN_TEMPERATURE <= base <= MAX_TEMPERATURE:
        raise ParameterError("baseline", baseline, f"a skin temperature from {MIN_TEMPERATURE:g} to "
                                                   f"{MAX_TEMPERATURE:g} °C (32 °C: DFNS)")
    return base


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
        Resting skin temperature, °C (cooling is :func:`cold`): it sets the range ``celsius`` is
        accepted in, not the encoding (each fibre's threshold is an absolute temperature).

    Drives C (CMH) and Aδ (type I/II AMH) nociceptors; Aβ not at all.

    Returns
    -------
    PhysicalStimulus
        Kind ``"heat"``, ``value`` in °C, ``start`` and ``stop`` in s.

    Raises
    ------
    painsim.errors.UnitError
        ``celsius`` or ``baseline`` not a temperature, or a non-zero ``start`` or a ``stop``
        without a time unit (a plain number).
    painsim.errors.ParameterError
        ``celsius`` outside ``baseline`` to :data:`MAX_TEMPERATURE` (below it, with the hint
        that cooling is :func:`cold`), ``baseline`` outside :data:`MIN_TEMPERATURE` to
        :data:`MAX_TEMPERATURE`, ``start`` not finite and >= 0, ``stop`` not after ``start``, or a
        value that cannot be read.
    """
    t = to_celsius(celsius, "celsius")
    base = _baseline(baseline)
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
        Resting skin temperature, °C (warming is :func:`heat`): it sets the range ``celsius`` is
        accepted in, not the encoding (each fibre's threshold is an absolute temperature).

    Drives the cold-sensitive C (CMH) nociceptors (40 %, Campero et al. 1996) and Aδ
    nociceptors (Simone & Kajander 1996); Aβ not at all.  Innocuous-cold fibres are not
    modelled (docs/stimuli.md, "Contact cold").

    Returns
    -------
    PhysicalStimulus
        Kind ``"cold"``, ``value`` in °C, ``start`` and ``stop`` in s.

    Raises
    ------
    painsim.errors.UnitError
        ``celsius`` or ``baseline`` not a temperature, or a non-zero ``start`` or a ``stop``
        without a time unit (a plain number).
    painsim.errors.ParameterError
        ``celsius`` outside :data:`MIN_TEMPERATURE` to ``baseline`` (above it, with the hint
        that warming is :func:`heat`), ``baseline`` outside :data:`MIN_TEMPERATURE` to
        :data:`MAX_TEMPERATURE`, ``start`` not finite and >= 0, ``stop`` not after ``start``, or a
        value that cannot be read.
    """
    t = to_celsius(celsius, "celsius")
    base = _baseline(baseline)
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

    Returns
    -------
    PhysicalStimulus
        Kind ``"pinprick"``, ``value`` in N, ``start`` and ``stop`` in s.

    Raises
    ------
    painsim.errors.UnitError
        ``force_mN`` with a unit other than a force, or a non-zero ``start`` or a ``stop``
        without a time unit.
    painsim.errors.ParameterError
        ``force_mN`` a bool, not finite, or outside 0 to :data:`MAX_FORCE`; ``start`` not
        finite and >= 0; ``stop`` not after ``start``; a value that cannot be read.
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
        When the skin is stroked; default: the whole simulation.

    Drives Aβ only.

    Returns
    -------
    PhysicalStimulus
        Kind ``"brush"``, ``value`` in m/s, ``start`` and ``stop`` in s.

    Raises
    ------
    painsim.errors.UnitError
        ``velocity`` not a velocity (a plain number included), or a non-zero ``start`` or a
        ``stop`` without a time unit.
    painsim.errors.ParameterError
        ``velocity`` False, not finite, or outside 0 to :data:`MAX_VELOCITY`; ``start`` not
        finite and >= 0; ``stop`` not after ``start``; a value that cannot be read.
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
