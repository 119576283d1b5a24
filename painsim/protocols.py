"""Named therapy protocols: a calendar of sessions, a session waveform, a citation.

A :class:`Protocol` says *when* (a :class:`Calendar` of session days and a
session duration) and *what* (a stimulus spec, as in experiment files, see
:func:`painsim.stimulation.from_spec`) a treatment course delivers.  Which
synapses a protocol reconditions is set by the model's ``[plasticity.*]``
sections; a protocol may carry ``plasticity`` overrides (dotted model
parameters) that switch the relevant ones on.  :func:`painsim.run_course`
runs a protocol on a model.

Library (``painsim.protocols.names()``; each has a ``<name>_sham``: the same
calendar with no effective stimulation):

=================== ========================================================= ==========================================
name                calendar and stimulus                                     source
=================== ========================================================= ==========================================
scs_tonic           daily use (16 h/day, 90 days); 50 Hz, 300 us, Aβ 1.3x      PMC8229652 (seed); Kapural 2015
scs_burst           daily use; 40 Hz bursts of 5 at 500 Hz, 1 ms               De Ridder 2010; Chakravarthy 2019
scs_hf10            daily use; 10 kHz, 30 us                                  Kapural 2015 (SENZA-RCT)
mpns                15 min; days 0, 2, 4, weekly to day 28, biweekly,         seed article (MSK Direct), Kapural 2024
                    then monthly (day 86); 0.5 Hz magnetic pulses, 4.06 kA    (SEAT), Brown 2025; coil: Axon 1.3 T
                    coil current (1.3 T), coil-field recruitment              [checked]
pnt                 30 min; 4 sessions, 2 per week; alternating 15/30 Hz      seed article (Pain and Spine Clinics);
                    through needle electrodes                                 Ghoname 1999 (PENS) [recalled]
rtms_m1_20hz        4-session test (days 0-3) then monthly maintenance;       Khedr 2005; Eur J Pain 2025;29:e4763
                    20 Hz, 10 x 10 s trains, 80 % RMT (2000 pulses)
itbs                5 daily sessions; 600 pulses, 2 s on / 8 s off (192 s)    Huang 2005
ctbs                5 daily sessions; 600 pulses continuous (40 s)            Huang 2005
tens_conventional   daily 30 min for 4 weeks; 100 Hz, 100 us                  Johnson 2022 (review)
tens_acupuncture    daily 30 min for 4 weeks; 2 Hz, 250 us, high intensity    Johnson 2022 (review)
lfs_1hz             one session of 1200 pulses at 1 Hz (20 min)               Rottmann 2008; Sandkühler 1997
drgs_tonic          daily use (16 h/day, 90 days); 20 Hz, 300 us, 0.6 mA at   Deer 2017 (ACCURATE); Liem 2013
                    the dorsal root ganglion (target "drg")                   [parameters recalled]
pns_percutaneous    8 h/day for 60 days; 100 Hz, 200 us, 20 mA, lead 5 mm     Gilmore 2019, 2020; Rauck 2014
                    from the nerve (biophysical recruitment)                  [parameters recalled]
pnt_alternating     30 min, 3 per week for 3 weeks; 15/30 Hz alternating,     Ghoname 1999 (JAMA; Anesth Analg)
                    1.2x Adelta, needles in deep tissue (0.5-10 mm)
=================== ========================================================= ==========================================

Spinal and peripheral protocols switch on calcium-rule plasticity
(``spinal_presynaptic`` preset) at the primary-afferent synapses onto
projection neurons (``plasticity.c_pn``, ``plasticity.adelta_pn``): low-frequency
activity of the stimulated Aδ/C fibres depresses them (homosynaptic LTD,
Sandkühler et al. 1997 Nature 390:604; Liu et al. 1998 Eur J Neurosci
10:3069; Rottmann et al. 2008 in humans).  Protocols that recruit only Aβ
fibres (SCS, conventional TENS, DRGS at clinical amplitudes) add no spikes to those synapses, so the model
gives them no lasting effect (their effect is acute; see
:func:`painsim.run_course`'s ``session_pn_rate``).  rTMS switches on
triplet STDP, iTBS and cTBS the theta-burst calcium rule
(:class:`painsim.plasticity.TBSCalcium`, Huang et al. 2011 as revised by Ma et
al. 2022; parameters ``[plasticity.tbs_calcium]``), at M1 -> PAG/RVM and M1 ->
reticular thalamus (``plasticity.m1_desc``, ``plasticity.m1_trn``), which exist
only in models with the cortical layer (``network.layers = "pathway"``, e.g. the
``central_poststroke_*`` presets); a spinal model cannot receive TMS.
:func:`theta_burst` builds an iTBS/cTBS protocol of any dose (pulses per
session); measured pattern and dose dependence: docs/circuits.md, "Theta
burst of M1".

Users write their own protocol in a TOML file (a ``[protocol]`` table, see
:func:`from_spec`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np

from . import stimulation
from .checks import MAX_SIMULATED_DURATION, flag, known_keys
from .errors import CalendarError, ParameterError, UnknownKeyError
from .fibers.population import COIL_FIELD_PER_AMP
from .protocol_stimulus import inherited
from .units import to_si

__all__ = ["Calendar", "Protocol", "get", "names", "from_spec", "resolve", "theta_burst", "LIBRARY",
           "MPNS_COIL_CURRENT"]

_DAY = 86400.0


def _days(value, name) -> float:
    """A day count: a plain number of days, or a time quantity ("2 days", 3*day)."""
    if isinstance(value, (bool, dict, list)):
        raise CalendarError(name, value, "a number of days")
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return to_si(value, "s", name) / _DAY


@dataclass(frozen=True)
class Calendar:
    """When the sessions of a course take place.

    Parameters
    ----------
    days : sequence of float
        Start of each session in days from the start of the course (day 0),
        increasing.  Fractions place a session within a day (0.5 = noon).
    session_duration : float
        Length of one session in s (> 0).
    end_day : float, optional
        Last day of the treatment period; sessions must end by then.

    Raises
    ------
    painsim.errors.CalendarError
        Negative or non-finite days, a duration <= 0, sessions that overlap
        (a session starting before the previous one ends, or two on the same
        time), or sessions ending after ``end_day``.
    """

    days: tuple
    session_duration: float
    end_day: float | None = None

    def __post_init__(self):
        days = tuple(float(d) for d in np.atleast_1d(np.asarray(self.days, dtype=float)))
        object.__setattr__(self, "days", days)
        d = self.session_duration
        if not isinstance(d, (int, float, np.floating, np.integer)) or isinstance(d, bool):
            d = to_si(d, "s", "session_duration")
        d = float(d)
        object.__setattr__(self, "session_duration", d)
        if not (math.isfinite(d) and d > 0):
            raise CalendarError("session_duration", d, "a session duration > 0 s")
        if not days:
            raise CalendarError("days", days, "at least one session day")
        bad = [x for x in days if not math.isfinite(x) or x < 0]
        if bad:
            raise CalendarError("days", bad[0], "session days >= 0 (day 0 = start of the course)")
        for k in range(1, len(days)):
            gap = (days[k] - days[k - 1]) * _DAY
            if gap < d - 1e-6:
                what = ("sessions in increasing order" if gap < 0 else
                        f"session {k} (day {days[k]:g}) to start after session {k - 1} ends "
                        f"(day {days[k - 1]:g} + {d:g} s)")
                raise CalendarError("days", list(days), what, hint="overlapping sessions")
        if self.end_day is not None:
            end = float(self.end_day)
            object.__setattr__(self, "end_day", end)
            last_end = days[-1] + d / _DAY
            if not math.isfinite(end) or last_end > end + 1e-9:
                raise CalendarError("end_day", end, f"a day >= the end of the last session (day {last_end:g})",
                                    hint="session after the end of the calendar")

    @property
    def n_sessions(self) -> int:
        return len(self.days)

    @classmethod
    def blocks(cls, blocks: Sequence[Mapping[str, Any]], session_duration, end_day=None) -> "Calendar":
        """A calendar from blocks of regular sessions.

        Each block is ``{"start": day, "every": days, "count": n}`` (``every``
        may be a quantity, ``"7 days"``); e.g. three sessions in week 1 and
        then weekly: ``[{"start": 0, "every": 2, "count": 3}, {"start": 7,
        "every": 7, "count": 4}]``.
        """
        days = []
        for k, b in enumerate(blocks):
            unknown = [x for x in b if x not in ("start", "every", "count")]
            if unknown:
                raise UnknownKeyError(unknown[0], ["start", "every", "count"], what=f"key of schedule block {k}")
            n = b.get("count", 1)
            if isinstance(n, bool) or int(n) != n or n < 1:
                raise CalendarError(f"schedule[{k}].count", n, "a whole number of sessions >= 1")
            start = _days(b.get("start", 0), f"schedule[{k}].start")
            every = _days(b.get("every", 1), f"schedule[{k}].every")
            if int(n) > 1 and every <= 0:
                raise CalendarError(f"schedule[{k}].every", b.get("every"), "an interval > 0 days")
            days += [start + j * every for j in range(int(n))]
        return cls(tuple(days), session_duration, end_day)

    def describe(self) -> dict:
        return {"days": list(self.days), "session_duration_s": self.session_duration, "end_day": self.end_day}


@dataclass(frozen=True)
class Protocol:
    """A treatment protocol: calendar, session stimulus, plasticity overrides, citation.

    Parameters
    ----------
    name : str
    calendar : Calendar
    stimulus : dict or None
        Stimulus spec of a session, as in experiment files
        (``{"type": "tonic", "rate": "50 Hz", ...}``); None = no stimulation
        (sham).  For continuous protocols the spec's ``duration`` is set by
        the session engine; for patterned ones (``period`` set) the spec
        describes at least two periods of the pattern.
    period : float, optional
        Period of the stimulation pattern in s (e.g. an rTMS train + pause,
        60 s); None = continuous stimulation.  Inferred for ``rtms`` and
        ``theta_burst`` specs.
    plasticity : dict
        Dotted model overrides applied before the course (e.g.
        ``{"plasticity.c_pn.rule": "calcium"}``).
    citation : str
    description : str
    sham : bool
        True for a sham protocol (same calendar, no effective stimulation).
    """

    name: str
    calendar: Calendar
    stimulus: Mapping[str, Any] | None
    period: float | None = None
    plasticity: Mapping[str, Any] = field(default_factory=dict)
    citation: str = ""
    description: str = ""
    sham: bool = False

    def __post_init__(self):
        if not isinstance(self.calendar, Calendar):
            raise ParameterError("calendar", self.calendar, "a painsim.protocols.Calendar")
        stim = dict(self.stimulus) if self.stimulus is not None else None
        if stim is not None and stim.get("type") == "none":
            stim = None
        object.__setattr__(self, "stimulus", stim)
        object.__setattr__(self, "plasticity", dict(self.plasticity or {}))
        period = self.period
        if period is None and stim is not None:
            period = _infer_period(stim)
        if period is not None:
            period = float(to_si(period, "s", "period") if not isinstance(period, (int, float)) else period)
            if not (math.isfinite(period) and period > 0):
                raise ParameterError("period", period, "a pattern period > 0 s")
        object.__setattr__(self, "period", period)
        if stim is not None:
            self.waveform(0.0, min(1.0, self.calendar.session_duration))  # fail early on a bad spec

    # ------------------------------------------------------------------ waveforms
    def waveform(self, start: float, stop: float):
        """The session's pulses in [start, stop) (s from the session start), re-timed to 0.

        The stimulation is periodic (``period``): a window starting before 0
        or beyond the generated pattern is taken at the same phase of the
        pattern, i.e. the stimulation is taken as running steadily.
        """
        length = float(stop) - float(start)
        if not 0 < length <= MAX_SIMULATED_DURATION:  # a window is simulated: an hour at most
            raise ParameterError("stop", stop, f"a time > start ({start}), <= start + {MAX_SIMULATED_DURATION:g} s")
        if self.stimulus is None:
            return stimulation.none(f"{length!r} s")
        P = self.period
        s = float(start) % P if P else max(float(start), 0.0)
        if self.stimulus.get("type") in _CONTINUOUS:  # generate the needed length directly
            # generators place floor(duration x rate) pulses: one period more covers the window
            spec = dict(self.stimulus, duration=f"{s + length + (P or 0.0)!r} s")
            return stimulation.from_spec(spec).window(f"{s!r} s", f"{s + length!r} s")
        wf = self._pattern()
        if P and s + length > wf.duration + 1e-9 and wf.duration + 1e-9 < 2 * P:
            wf = wf.repeat(int(math.ceil((s + length) / wf.duration)))  # a one-period spec: tile it
        # a window running past the generated pattern sees the pause that follows it
        return wf.window(f"{s!r} s", f"{s + length!r} s")

    def _pattern(self):
        key = "_pattern_wf"
        if key not in self.__dict__:
            object.__setattr__(self, key, stimulation.from_spec(dict(self.stimulus)))
        return self.__dict__[key]

    @property
    def is_sham(self) -> bool:
        return self.sham or self.stimulus is None

    @property
    def device_overrides(self) -> dict:
        """The protocol's model overrides that are not plasticity rules (recruitment mode, lead or
        needle geometry): what a single acute session needs to deliver the device as the course does."""
        return {k: v for k, v in self.plasticity.items() if not k.startswith("plasticity.")}

    def as_sham(self) -> "Protocol":
        """The sham of this protocol: same calendar and plasticity, no stimulation."""
        if self.is_sham:
            return self
        return replace(self, name=f"{self.name}_sham", stimulus=None, period=None, sham=True,
                       description=f"sham of {self.name}: same calendar, no effective stimulation")

    def with_calendar(self, calendar: Calendar | Sequence[float], session_duration=None) -> "Protocol":
        """The same protocol on another calendar (a Calendar or a list of days)."""
        if not isinstance(calendar, Calendar):
            d = self.calendar.session_duration if session_duration is None else session_duration
            calendar = Calendar(tuple(calendar), d)
        return replace(self, calendar=calendar)

    def describe(self) -> dict:
        return {"name": self.name, "calendar": self.calendar.describe(), "stimulus": self.stimulus,
                "period_s": self.period, "plasticity": self.plasticity, "citation": self.citation,
                "description": self.description, "sham": self.is_sham}

    def __repr__(self):
        n, span = self.calendar.n_sessions, self.calendar.days[-1]
        return (f"Protocol({self.name!r}: {n} session{'s' * (n != 1)} of {self.calendar.session_duration / 60:g} min "
                + (f"over {span:g} day{'s' * (span != 1)})" if n > 1 else f"on day {self.calendar.days[0]:g})"))


_CONTINUOUS = ("tonic", "burst", "high_frequency", "tens")


def _infer_period(stim: Mapping[str, Any]) -> float | None:
    """Period of a stimulus pattern (s): the pulse or burst period of continuous trains,
    train + pause of rTMS and iTBS."""
    kind = stim.get("type")
    if kind in ("tonic", "high_frequency"):
        return 1.0 / to_si(stim.get("rate", "10 kHz"), "Hz", "rate")
    if kind == "tens":
        rate = stim.get("rate") or {"conventional": "100 Hz", "acupuncture": "2 Hz"}.get(stim.get("mode", "conventional"))
        return 1.0 / to_si(rate, "Hz", "rate") if rate else None
    if kind == "burst":
        return 1.0 / to_si(stim.get("burst_rate", "40 Hz"), "Hz", "burst_rate")
    if kind == "rtms":
        td = to_si(stim.get("train_duration", "10 s"), "s", "train_duration")
        iti = to_si(stim.get("inter_train_interval", "50 s"), "s", "inter_train_interval")
        return td + iti if iti > 0 else 1.0 / to_si(stim.get("rate", "20 Hz"), "Hz", "rate")
    if kind == "theta_burst":
        if stim.get("pattern", "iTBS") == "iTBS":
            return to_si(stim.get("train_on", "2 s"), "s", "train_on") + \
                to_si(stim.get("train_off", "8 s"), "s", "train_off")
        return 1.0 / to_si(stim.get("burst_rate", "5 Hz"), "Hz", "burst_rate")
    if kind == "alternating" and isinstance(stim.get("rates"), (list, tuple)) and "segment" in stim:
        return len(stim["rates"]) * to_si(stim["segment"], "s", "segment")  # every rate's segment once
    return None


# ---------------------------------------------------------------------- library
# Plastic synapses switched on by spinal/peripheral protocols (see module docstring).
# rTMS and iTBS recondition the motor-cortex outputs that carry their analgesia: M1 -> PAG/RVM
# (descending inhibition of the dorsal horn) and M1 -> reticular thalamus (thalamic gating), in
# pathway models.  Rule: triplet STDP, Pfister & Gerstner 2006 visual-cortex minimal all-to-all set,
# the phenomenological rule whose frequency dependence gives LTP for 20-50 Hz pre/post activity
# (rTMS after-effects as calcium-dependent LTP, Fung & Robinson 2013 J Theor Biol [checked: title]).  Measured on
# central_poststroke_ischemic, seed 1: after one 20 Hz session M1 -> PAG/RVM efficacy +36 %,
# M1 -> TRN +49 %; 4 daily sessions -> 5.6 % relief at day 30 (real-world cohort: 42 % of
# patients report > 30 % relief, Eur J Pain 2025) - the model's after-effect is small.
_CORTICAL_PLASTICITY = {f"plasticity.{c}.{k}": v for c in ("m1_desc", "m1_trn")
                        for k, v in (("rule", "triplet_stdp"), ("preset", "visual_cortex_minimal_all_to_all"))}
# Theta burst (itbs, ctbs, theta_burst()) has its own rule at the same synapses: the calcium model
# of TBS after-effects (Huang et al. 2011 Clin Neurophysiol 122:1011; equation fix and re-fit, Ma,
# Rothwell & Goetz 2022; painsim.plasticity.TBSCalcium, parameters [plasticity.tbs_calcium]), in
# which each burst's calcium drives a facilitatory process (by its rise) and a slower, cumulative
# inhibitory one (by its level): intermittent trains facilitate, continuous ones inhibit.  Under
# triplet STDP (before) iTBS and cTBS changed the M1 outputs alike.  Measured: docs/circuits.md,
# "Theta burst of M1".
_TBS_PLASTICITY = {f"plasticity.{c}.{k}": v for c in ("m1_desc", "m1_trn")
                   for k, v in (("rule", "tbs_calcium"), ("preset", "none"))}
_TBS_DESCRIPTIONS = {
    "iTBS": "intermittent theta burst of M1 (600 pulses, 2 s on / 8 s off), 5 daily sessions (chosen)",
    "cTBS": "continuous theta burst of M1 (600 pulses in 40 s), 5 daily sessions (chosen, as itbs)"}
_SPINAL_PLASTICITY = {"plasticity.c_pn.rule": "calcium", "plasticity.c_pn.preset": "spinal_presynaptic",
                      "plasticity.adelta_pn.rule": "calcium", "plasticity.adelta_pn.preset": "spinal_presynaptic"}
_DAILY_90 = tuple(range(90))

# mPNS (issue 15 part 6).  Coil: Axon Therapy (the device of the SEAT and PDN studies) delivers
# "up to 1.3 Tesla" [checked: VA Augusta news page, 2023]; the model's coil couples through the
# coil current (painsim.fibers.population: E = kappa dI/dt), so the field is converted with the
# coil model's peak surface field per ampere, COIL_FIELD_PER_AMP = 0.32 mT/A (population.py: a
# round MagVenture C-100, Drakaki et al. 2022 dipole model): 1.3 T -> 1.3 / 0.32e-3 = 4.06 kA.
# The device's pulse shape is not published [not found]: a biphasic cosine field of 150 us per
# phase (chosen: the library's previous value, within the 50-150 us phases of TMS pulses, Ueno &
# Sekino 2021 Front Hum Neurosci 15:805971 [checked]).  Recruitment is the coil-field model's
# (afferents.recruitment = "biophysical", magnetic coupling, coil-nerve distance from
# afferents.biophysical.magnetic_*): at 4.06 kA and 10-30 mm it fires about half to three
# quarters of the Abeta fibres (thresholds 2-7 kA) and no Adelta (population onset 10-20 kA) or C (~190 kA)
# (docs/courses.md "mPNS").
# Reconditioning hypothesis (seed articles: sessions "redraw the pain map"): (1) spinal LTD of
# Adelta/C -> PN by low-frequency afferent activity (the calcium rule, as every spinal protocol);
# (2) thalamocortical LTD at the painful site's enlarged S1 territory (Flor 1995; Pleger 2005: S1
# reorganisation reverses with recovery) by low-frequency evoked activity: triplet STDP with the
# visual-cortex minimal all-to-all set (Pfister & Gerstner 2006 Table 4, fitted to the frequency
# dependence of Sjostrom et al. 2001 layer-5 cortex: pairings at low rates depress), unchanged; the
# same rule on the tactile thalamocortical synapse vpl_s1 of the lemniscal route (a model with
# network.layers = "pathway_lemniscal"; a model without the route leaves it out: no synapses).
MPNS_COIL_CURRENT = 1.3 / COIL_FIELD_PER_AMP  # A: 1.3 T / (0.32 mT per A)
_MPNS_PLASTICITY = {"afferents.recruitment": "biophysical", **_SPINAL_PLASTICITY,
                    **{f"plasticity.{c}.{k}": v for c in ("tc_s1", "vpl_s1")
                       for k, v in (("rule", "triplet_stdp"), ("preset", "visual_cortex_minimal_all_to_all"))}}


# Percutaneous PNS and PNT (issue 15 part 5; docs/stimulation.md "Percutaneous PNS and PNT").  The
# contact-to-fibre distance enters the biophysical recruitment as the fibres' distance range of the
# peripheral_nerve geometry (afferents.biophysical.peripheral_nerve_distance_min/max), which a
# protocol sets with its overrides: PNS lead 5 mm from the nerve (chosen: the near end of the
# published 0.5-3 cm, Rauck et al. 2014 [checked: abstract]; in the model no fibre fires within the
# device's 30 mA from 2 cm, measured) plus the fibres' 0.5-3 mm depth (the model file's range); PNT
# needles in deep tissue among small nerve branches 0.5-10 mm away (chosen).  20 mA: the largest
# round current that recruits Abeta (97 %) and no Adelta at 5 mm (the clinical titration to
# comfortable paresthesia, measured), within the device's 0.2-30 mA [recalled].
def _contact(near_mm: float, far_mm: float) -> dict:
    return {"afferents.recruitment": "biophysical", **_SPINAL_PLASTICITY,
            "afferents.biophysical.peripheral_nerve_distance_min": f"{near_mm:g} mm",
            "afferents.biophysical.peripheral_nerve_distance_max": f"{far_mm:g} mm"}


def _percutaneous(add) -> None:
    add("pns_percutaneous", tuple(range(60)), "8 h",
        {"type": "tonic", "rate": "100 Hz", "width": "200 us", "amplitude": "20 mA", "target": "peripheral_nerve"},
        "Gilmore et al. 2019 Reg Anesth Pain Med 44:637; Gilmore et al. 2020 Neuromodulation (60-day "
        "percutaneous PNS of the femoral/sciatic nerves, post-amputation pain) [checked: abstracts]; Rauck et "
        "al. 2014 Neuromodulation (lead 0.5-3 cm from the nerve) [checked: abstract]; 100 Hz, 200 us, 8 h/day "
        "[recalled]", "percutaneous PNS: a lead 5 mm from the nerve, 100 Hz, 200 us, 20 mA (Abeta paresthesia, "
        "no Adelta), 8 h a day for 60 days", plasticity=_contact(5.5, 8.0), end=60)
    add("pnt_alternating", (0, 2, 4, 7, 9, 11, 14, 16, 18), "30 min",
        {"type": "alternating", "rates": ["15 Hz", "30 Hz"], "segment": "3 s", "width": "500 us",
         "amplitude": 1.2, "threshold_class": "Adelta", "target": "peripheral_nerve", "duration": "12 s"},
        "Ghoname et al. 1999 JAMA 281:818 (PENS: 30 min, 3 times a week for 3 weeks; alternating 15/30 Hz) "
        "[checked: abstracts of JAMA 281:818 and Anesth Analg 1999;88(4)]; 3-s segments, 500 us [recalled]",
        "percutaneous neuromodulation (PENS): needles in deep tissue, 15 and 30 Hz alternating every 3 s at "
        "1.2x the Adelta threshold, 30 min three times a week for 3 weeks", plasticity=_contact(0.5, 10.0),
        end=21, period=6.0)


def _library() -> dict[str, Protocol]:
    P = {}

    def add(name, days, duration, stimulus, citation, description, plasticity=_SPINAL_PLASTICITY, end=None,
            period=None):
        cal = Calendar(tuple(days), to_si(duration, "s", "session_duration"), end)
        P[name] = Protocol(name, cal, stimulus, period, dict(plasticity), citation, description)

    add("scs_tonic", _DAILY_90, "16 h",
        {"type": "tonic", "rate": "50 Hz", "width": "300 us", "amplitude": 1.3, "target": "dorsal_column"},
        "PMC8229652 (tonic SCS 30-120 Hz, 100-500 us); Kapural et al. 2015 Anesthesiology 123:851",
        "tonic SCS in daily continuous use (16 h a day, chosen: waking hours) for 90 days")
    add("scs_burst", _DAILY_90, "16 h",
        {"type": "burst", "amplitude": 1.3, "target": "dorsal_column"},
        "De Ridder et al. 2010 Neurosurgery 66:986; Chakravarthy et al. 2019",
        "burst SCS (40 Hz bursts of 5 pulses at 500 Hz) in daily continuous use for 90 days")
    add("scs_hf10", _DAILY_90, "16 h",
        {"type": "high_frequency", "amplitude": "2 mA", "target": "dorsal_column"},
        "Kapural et al. 2015 Anesthesiology 123:851 (SENZA-RCT; clinical 10 kHz amplitudes 1-5 mA, "
        "paresthesia-free); Lee et al. 2020 Neuroscience 428:132 (dorsal-horn inhibitory interneurons)",
        "10 kHz SCS at 2 mA (a clinical current; kHz trains need the biophysical recruitment, which the "
        "protocol switches on) in daily continuous use for 90 days",
        plasticity={"afferents.recruitment": "biophysical", **_SPINAL_PLASTICITY})
    add("mpns", (0, 2, 4, 7, 14, 21, 28, 42, 56, 86), "15 min",
        {"type": "tonic", "rate": "0.5 Hz", "width": "150 us", "amplitude": f"{MPNS_COIL_CURRENT!r} A",
         "modality": "magnetic", "target": "peripheral_nerve", "shape": "biphasic"},
        "seed article (MSK Direct: 13-15 min sessions, 3 in week 1, weekly or biweekly, then monthly); "
        "Kapural et al. 2024 J Pain Res 17:3167 (SEAT, 0.5 Hz); Brown et al. 2025 (PDN, 90 days); coil: "
        "Axon Therapy up to 1.3 T (VA Augusta 2023) [checked]; reconditioning: Flor et al. 1995 Nature "
        "375:482, Pleger et al. 2005 Ann Neurol 57:425, Pfister & Gerstner 2006 J Neurosci 26:9673",
        "magnetic peripheral nerve stimulation: 15 min at 0.5 Hz, the device's peak field (1.3 T = "
        f"{MPNS_COIL_CURRENT / 1e3:g} kA of coil current), fibres recruited by the coil-field model; "
        "3 sessions in week 1, weekly to day 28, biweekly to day 56, monthly maintenance; reconditioning "
        "hypothesis: spinal LTD (calcium rule) and thalamocortical LTD shrinking the painful site's S1 zone",
        plasticity=_MPNS_PLASTICITY, end=90)
    add("pnt", (0, 3, 7, 10), "30 min",
        {"type": "tonic", "rate": "15 Hz", "width": "500 us", "amplitude": 1.2, "target": "peripheral_nerve",
         "threshold_class": "Adelta"},
        "seed article (Pain and Spine Clinics: 10 needle electrodes, 30 min, 3-4 sessions, 1-2 per week); "
        "Ghoname et al. 1999 JAMA 281:818 (PENS, 15/30 Hz) [recalled]",
        "percutaneous neuromodulation therapy: 30 min at 15 Hz (the low end of PENS' 15/30 Hz), Aδ strength; "
        "4 sessions, 2 per week", end=14)
    add("rtms_m1_20hz", (0, 1, 2, 3, 31, 59, 87), "10 min",
        {"type": "rtms", "intensity": 0.8, "rate": "20 Hz", "train_duration": "10 s",
         "inter_train_interval": "50 s", "n_trains": 10},
        "Khedr et al. 2005 J Neurol Neurosurg Psychiatry 76:833; Eur J Pain 2025;29:e4763 (4-session test, "
        "then maintenance)",
        "20 Hz rTMS of M1, 10 trains of 10 s (2000 pulses) at 80 % RMT; a 4-session test period on "
        "consecutive days, then monthly maintenance (chosen interval)", plasticity=_CORTICAL_PLASTICITY, end=90)
    for pattern, seconds in (("iTBS", "192 s"), ("cTBS", "40 s")):
        add(pattern.lower(), (0, 1, 2, 3, 4), seconds,
            {"type": "theta_burst", "pattern": pattern, "intensity": 0.8, "n_pulses": 600},
            "Huang et al. 2005 Neuron 45:201; rule: Huang et al. 2011 Clin Neurophysiol 122:1011, Ma et al. 2022 "
            "bioRxiv 10.1101/2022.04.15.488478", _TBS_DESCRIPTIONS[pattern], plasticity=_TBS_PLASTICITY, end=5)
    add("tens_conventional", tuple(range(28)), "30 min",
        {"type": "tens", "mode": "conventional", "amplitude": 1.5},
        "Johnson et al. 2022 BMJ Open 12:e051073 (conventional TENS 80-100 Hz)",
        "conventional TENS, 100 Hz at a strong comfortable (Aβ) intensity, 30 min daily for 4 weeks "
        "(chosen)")
    add("tens_acupuncture", tuple(range(28)), "30 min",
        {"type": "tens", "mode": "acupuncture", "amplitude": 4.0},
        "Johnson et al. 2022 BMJ Open 12:e051073 (acupuncture-like TENS 2-4 Hz at high intensity)",
        "acupuncture-like TENS, 2 Hz at a high intensity (4x Aβ threshold: Aδ fibres), 30 min daily for "
        "4 weeks (chosen)")
    add("lfs_1hz", (0,), "20 min",
        {"type": "tonic", "rate": "1 Hz", "width": "2 ms", "amplitude": 1.5, "threshold_class": "C",
         "target": "peripheral_nerve", "shape": "monophasic"},
        "Rottmann et al. 2008 (1 Hz, 1200 pulses); Sandkühler et al. 1997 Nature 390:604",
        "low-frequency conditioning: 1200 pulses at 1 Hz at C-fibre strength, one session")
    add("drgs_tonic", _DAILY_90, "16 h",
        {"type": "tonic", "rate": "20 Hz", "width": "300 us", "amplitude": "0.6 mA", "target": "drg"},
        "Deer et al. 2017 Pain 158:669 (ACCURATE); Liem et al. 2013 Neuromodulation 16:471 (DRGS ~20 Hz, "
        "200-300 us, ~0.2-1 mA) [parameters recalled]; mechanism: painsim.fibers.tjunction",
        "dorsal root ganglion stimulation: 20 Hz, 300 us, 0.6 mA (a typical clinical amplitude, "
        "chosen within 0.2-1 mA) in daily continuous use for 90 days; every afferent spike of the "
        "stimulated segment passes its T-junction, which the evoked stem spikes load")
    _percutaneous(add)
    for name in list(P):
        P[f"{name}_sham"] = P[name].as_sham()
    return P


LIBRARY: dict[str, Protocol] = _library()


def names() -> list[str]:
    """Names of the built-in protocols."""
    return sorted(LIBRARY)


def get(name: str) -> Protocol:
    """A built-in protocol by name (see :func:`names`).

    Raises
    ------
    painsim.errors.UnknownKeyError
        For an unknown name, naming the nearest valid one.
    """
    if isinstance(name, Protocol):
        return name
    if not isinstance(name, str) or name not in LIBRARY:
        raise UnknownKeyError(str(name), LIBRARY, what="protocol")
    return LIBRARY[name]


def from_spec(spec: Mapping[str, Any], where: str = "protocol") -> Protocol:
    """A protocol from a ``[protocol]`` table of a TOML file.

    Keys: ``name``; ``base`` (a library protocol to start from: keys not given are the base's) and/or
    ``stimulus`` (a stimulus spec table; over a base, one without ``type`` or with the base's changes only
    the keys it gives; ``type = "none"`` for a sham); ``session_duration`` ("15 min"); the calendar as
    ``days`` (list of session days) or ``schedule`` (list of ``{start, every, count}`` blocks); optional
    ``end_day``, ``period`` ("60 s"), ``citation``, ``description``, ``sham`` (bool) and a ``plasticity``
    table of dotted model overrides.

    Example::

        [protocol]
        name = "my_mpns"
        session_duration = "15 min"
        schedule = [{start = 0, every = 2, count = 3}, {start = 7, every = 7, count = 4}]
        end_day = 90
        stimulus = {type = "tonic", rate = "1 Hz", width = "150 us", amplitude = 1.2, threshold_class = "Adelta", target = "peripheral_nerve"}
        [protocol.plasticity]
        "plasticity.adelta_pn.rule" = "calcium"

    Raises
    ------
    painsim.errors.CalendarError, UnknownKeyError, ParameterError
    """
    allowed = ("name", "base", "stimulus", "session_duration", "days", "schedule", "end_day", "period",
               "citation", "description", "sham", "plasticity")
    known_keys(spec, allowed, f"key of [{where}]")
    base = get(spec["base"]) if "base" in spec else None
    if base is None and "session_duration" not in spec:
        raise ParameterError(f"{where}.session_duration", None, 'a session duration ("15 min") or a base protocol')
    dur = (to_si(spec["session_duration"], "s", f"{where}.session_duration") if "session_duration" in spec
           else base.calendar.session_duration)
    end = spec.get("end_day", base.calendar.end_day if base else None)
    if end is not None and (isinstance(end, bool) or not isinstance(end, (int, float))):
        raise CalendarError(f"{where}.end_day", end, "a day number (or no end_day)")
    if "days" in spec and "schedule" in spec:
        raise CalendarError(f"{where}.days", spec["days"], "either days or schedule, not both")
    if "days" in spec and not isinstance(spec["days"], (list, tuple)):
        raise CalendarError(f"{where}.days", spec["days"], "a list of days, e.g. [0, 1, 2]")
    if "days" in spec:
        cal = Calendar(tuple(_days(d, f"{where}.days") for d in spec["days"]), dur, end)
    elif "schedule" in spec:
        cal = Calendar.blocks(spec["schedule"], dur, end)
    elif base is not None:
        cal = Calendar(base.calendar.days, dur, end)
    else:
        raise CalendarError(f"{where}.days", None, "a calendar: days = [...] or schedule = [{start, every, count}]")
    own = inherited(spec, base, where)  # stimulus and plasticity over the base's (painsim.protocol_stimulus)
    sham = flag(spec.get("sham", False), f"{where}.sham")
    period = spec.get("period", base.period if base and "stimulus" not in spec else None)
    return Protocol(own["name"], cal, None if sham else own["stimulus"], period, own["plasticity"],
                    own["citation"], own["description"], sham)


def resolve(value, where: str = "protocol") -> Protocol:
    """A protocol from what a user may write for one.

    ``value`` is a library name (see :func:`get`), a ``[protocol]`` table
    (see :func:`from_spec`, including its ``base`` key) or a
    :class:`Protocol` (returned as is).  ``where`` names the value in error
    messages (e.g. ``"protocol"`` for a ``[protocol]`` table of a file).

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown library name (the nearest one is named) or an unknown key
        of a table.
    painsim.errors.ParameterError
        Any other kind of value.
    painsim.errors.CalendarError
        An impossible calendar in a table.
    """
    if isinstance(value, Protocol):
        return value
    if isinstance(value, str):
        return get(value)
    if isinstance(value, Mapping):
        return from_spec(value, where)
    raise ParameterError(where, value, "a protocol name (painsim.protocols.names()), a [protocol] table "
                                       "(painsim.protocols.from_spec) or a painsim.protocols.Protocol")


def theta_burst(pattern: str = "iTBS", n_pulses: int = 600, intensity: float = 0.8, *, days=(0,),
                end_day=None, plasticity: Mapping[str, Any] | None = None, name: str | None = None,
                **stimulus) -> Protocol:
    """A theta-burst protocol whose sessions deliver exactly ``n_pulses`` pulses.

    The course engine takes a session's stimulation as periodic and running
    for the session duration (:meth:`Protocol.waveform`), so the dose of a
    session is set by ``session_duration``, not by the spec's ``n_pulses``.
    This sets the duration from the pattern: the last burst's start plus one
    burst period, i.e. cTBS ``n_pulses / 3 / burst_rate`` (600 -> 40 s,
    1200 -> 80 s; Huang et al. 2005 Neuron 45:201) and iTBS ``n_trains x
    (train_on + train_off) - train_off`` (600 -> 192 s, 1200 -> 392 s, 1800
    -> 592 s).  Doubled sessions (1200 pulses in one run) are Gamboa et al.
    2010 (Exp Brain Res 204:181) "prolonged" iTBS/cTBS.

    Parameters
    ----------
    pattern : {"iTBS", "cTBS"}
    n_pulses : int
        Pulses per session (a multiple of ``pulses_per_burst``).
    intensity : float
        Fraction of resting motor threshold; 0 is the zero-intensity control
        (every window equals its companion: the session changes nothing).
    days, end_day
        The calendar (default: one session on day 0).
    plasticity : dict, optional
        Dotted model overrides; default the rule of ``itbs``/``ctbs`` (the
        theta-burst calcium rule, :class:`painsim.plasticity.TBSCalcium`, at
        M1 -> PAG/RVM and M1 -> reticular thalamus).
    **stimulus
        Other arguments of :func:`painsim.stimulation.theta_burst`
        (``burst_rate``, ``train_on``, ...).
    """
    spec = {"type": "theta_burst", "pattern": pattern, "intensity": intensity, "n_pulses": n_pulses, **stimulus}
    wf = stimulation.from_spec(spec)
    k = int(stimulus.get("pulses_per_burst", 3))
    burst_period = 1.0 / to_si(stimulus.get("burst_rate", "5 Hz"), "Hz", "burst_rate")
    duration = float(wf.onsets[-k]) + burst_period
    cal = Calendar(tuple(days), duration, end_day)
    return Protocol(name or f"{pattern.lower()}_{n_pulses}", cal, spec, None,
                    dict(_TBS_PLASTICITY if plasticity is None else plasticity),
                    "Huang et al. 2005 Neuron 45:201; Gamboa et al. 2010 Exp Brain Res 204:181; rule: Huang et al. "
                    "2011 Clin Neurophysiol 122:1011, Ma et al. 2022 bioRxiv 10.1101/2022.04.15.488478",
                    f"{pattern} of M1, {n_pulses} pulses per session at {intensity * 100:g} % RMT")
