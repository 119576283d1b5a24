"""The built-in protocols of :mod:`painsim.protocols` (:data:`LIBRARY`) and :func:`theta_burst`.

Each library protocol is built once, at import, with its calendar, stimulus,
plasticity overrides and citation (the table of the package docstring lists
them; the comments below give the sources of each choice), and each has a
``<name>_sham``.  :func:`theta_burst` builds an iTBS/cTBS protocol of any dose
on the rule of ``itbs``/``ctbs``..
"""
from __future__ import annotations

from typing import Any, Mapping

from .. import stimulation
from ..errors import UnknownKeyError
from ..fibers.population import COIL_FIELD_PER_AMP
from ..units import to_si
from .protocol import Calendar, Protocol

__all__ = ["LIBRARY", "MPNS_COIL_CURRENT", "names", "get", "theta_burst"]


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
        "Gilmore et al. 2019 Reg Anesth Pain Med 44:637; Gilmore et al. 2020 Reg Anesth Pain Med 45:44 (60-day "
        "percutaneous PNS of the femoral/sciatic nerves, post-amputation pain) [checked: abstracts]; Rauck et "
        "al. 2014 Neuromodulation (lead 0.5-3 cm from the nerve) [checked: abstract]; 100 Hz, 200 us, 8 h/day "
        "[recalled]", "percutaneous PNS: a lead 5 mm from the nerve, 100 Hz, 200 us, 20 mA (Abeta paresthesia, "
        "no Adelta), 8 h a day for 60 days", plasticity=_contact(5.5, 8.0), end=60)
    add("pnt_alternating", (0, 2, 4, 7, 9, 11, 14, 16, 18), "30 min",
        {"type": "alternating", "rates": ["15 Hz", "30 Hz"], "segment": "3 s", "width": "500 us",
         "amplitude": 1.2, "threshold_class": "Adelta", "target": "peripheral_nerve", "duration": "12 s"},
        "Ghoname et al. 1999 JAMA 281:818 (PENS: 30 min, 3 times a week for 3 weeks; alternating 15/30 Hz) "
        "[checked: abstracts: the schedule and superiority over sham in JAMA 281:818, alternating 15/30 Hz in Anesth "
        "Analg 1999;88(4):841 and Anesthesiology 1999;91:1622]; 3-s segments, 500 us [recalled]",
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
        "Ghoname et al. 1999 JAMA 281:818 (PENS) and Anesth Analg 88:841 (15/30 Hz) [checked: abstracts]",
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
    """Names of the built-in protocols.

    Returns
    -------
    list of str
        The keys of :data:`LIBRARY`, shams included, sorted.
    """
    return sorted(LIBRARY)


def get(name: str) -> Protocol:
    """A built-in protocol by name (see :func:`names`).

    Parameters
    ----------
    name : str or Protocol
        A key of :data:`LIBRARY` (e.g. ``"mpns"``, ``"mpns_sham"``); a
        :class:`Protocol` is returned as is.

    Returns
    -------
    Protocol
        The library's protocol (the same object on every call).

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
        Intermittent (trains of 2 s on, 8 s off by default) or continuous
        theta burst.
    n_pulses : int
        Pulses per session (a multiple of ``pulses_per_burst``).
    intensity : float or str
        Fraction of resting motor threshold, read as the stimulus spec reads
        it (a number, ``"0.8"`` or ``"80 %"``; kept in the spec as given); 0 is
        the zero-intensity control (every window equals its companion: the
        session changes nothing).
    days, end_day
        The calendar (default: one session on day 0): session days and the
        last day of the treatment period (None: none), read as
        :class:`Calendar` reads them: numbers of days or times (``"2 days"``,
        a brian2 time), ``days`` one value (one session) or a sequence.
    plasticity : dict, optional
        Dotted model overrides; default the rule of ``itbs``/``ctbs`` (the
        theta-burst calcium rule, :class:`painsim.plasticity.TBSCalcium`, at
        M1 -> PAG/RVM and M1 -> reticular thalamus).
    name : str, optional
        The protocol's name; default ``"<pattern>_<n_pulses>"`` with the
        pattern in lower case (``"itbs_600"``).
    **stimulus
        Other arguments of :func:`painsim.stimulation.theta_burst`
        (``burst_rate``, ``train_on``, ...).

    Returns
    -------
    Protocol
        Its stimulus is the ``theta_burst`` spec and its session duration
        (s) the last burst's start plus one burst period.

    Raises
    ------
    painsim.errors.WaveformError
        A pattern other than iTBS/cTBS, an intensity outside [0, 2], or
        ``n_pulses`` not a multiple of ``pulses_per_burst``
        (:func:`painsim.stimulation.theta_burst`).
    painsim.errors.UnknownKeyError
        A keyword in ``**stimulus`` that the theta-burst generator does not take.
    painsim.errors.CalendarError
        Impossible ``days`` or ``end_day`` (e.g. sessions that overlap, a
        boolean as a day).
    painsim.errors.UnitError
        A day or ``end_day`` with a unit that is not a time, or an ``intensity`` with a physical unit.
    painsim.errors.ParameterError
        An ``intensity`` that cannot be read as a number (a boolean, ``"abc"``).
    """
    spec = {"type": "theta_burst", "pattern": pattern, "intensity": intensity, "n_pulses": n_pulses, **stimulus}
    wf = stimulation.from_spec(spec)
    k = int(stimulus.get("pulses_per_burst", 3))
    burst_period = 1.0 / to_si(stimulus.get("burst_rate", "5 Hz"), "Hz", "burst_rate")
    duration = float(wf.onsets[-k]) + burst_period
    cal = Calendar(days, duration, end_day)  # one day or several, numbers or times: as Calendar reads them
    # the dose and intensity as the waveform read them ("0.8", "80 %", 600.0), not as given
    n_pulses, intensity = wf.n_pulses, float(wf.amplitudes[0])
    return Protocol(name or f"{pattern.lower()}_{n_pulses}", cal, spec, None,
                    dict(_TBS_PLASTICITY if plasticity is None else plasticity),
                    "Huang et al. 2005 Neuron 45:201; Gamboa et al. 2010 Exp Brain Res 204:181; rule: Huang et al. "
                    "2011 Clin Neurophysiol 122:1011, Ma et al. 2022 bioRxiv 10.1101/2022.04.15.488478",
                    f"{pattern} of M1, {n_pulses} pulses per session at {intensity * 100:g} % RMT")
