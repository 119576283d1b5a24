"""Outcomes of a course of a therapy: relief during use, and relief that lasts after it.

Issue 15 asks the validation table for each therapy's relief over a course.  Relief *during
use* of continuous spinal cord stimulation at 3 months (SENZA-RCT):

* 10 kHz SCS: 83.1 % of implanted patients with >= 50 % less leg pain, traditional (tonic)
  SCS 55.5 % (back pain 84.5 % and 43.8 %; Kapural et al. 2015 Anesthesiology 123:851
  [checked: abstract]).  In the model the course of either protocol changes no plastic
  synapse (their stimulation leaves the C and Aδ input as it is, and the spinal rule needs
  that input: measured in docs/validation.md), so relief during use at 3 months is the relief
  the device gives on the first day: measured acutely (:func:`responders_during_use`).
* DRG stimulation: 81.2 % with >= 50 % relief at 3 months against 55.7 % with SCS in complex
  regional pain syndrome and causalgia of the lower limbs (Deer et al. 2017 Pain 158:669,
  ACCURATE [checked: abstract]); the ``drgs_tonic`` course changes no plastic synapse either
  (docs/validation.md).

Relief that *lasts* after the course, where a sham or placebo control reports a carry-over:

* 20 Hz M1 rTMS, five daily sessions: real rTMS relieved more than sham "even two weeks
  after the end of the treatment" (Khedr et al. 2005 J Neurol Neurosurg Psychiatry 76:833
  [checked: abstract]; 14 real and 10 sham patients with post-stroke pain, VAS; the
  abstract gives the direction, not the size).
* 20 Hz M1 rTMS, four sessions three weeks apart and an evaluation three weeks after the
  last (the spaced procedure of the Saint-Etienne group, Quesada et al. 2020 Pain 161:718
  [checked: abstract]; 36 patients with central neuropathic pain, active and sham phases in a
  crossover): relief from baseline 33.8 % active, 13.0 % sham.
* magnetic peripheral nerve stimulation (mPNS) in post-traumatic and post-surgical neuropathic
  pain: 71 % responders (>= 50 % less pain) on day 90 with mPNS and conventional medical
  management, against 13 % with conventional management alone (SEAT, Kapural et al. 2024 J
  Pain Res 17:3167 [checked: abstract, its methods: 65 patients randomised 1:1, primary end
  point the share with >= 50 % less pain on day 90; the two rates were not read in the
  abstract]).  Sessions go on to day 86, so day 90 is relief during a
  course of discrete sessions, measured on the course engine.
* percutaneous electrical nerve stimulation (PENS, the library's ``pnt_alternating``: needles in
  deep tissue, 15/30 Hz alternating, 30 min three times a week for 3 weeks): PENS lowered the VAS
  pain scores after each treatment more than sham-PENS (needles, no current), TENS and exercise
  (Ghoname et al. 1999 JAMA 281:818 [checked: abstract; crossover, 60 patients with low back pain
  from degenerative disc disease; the sizes were cut off in the copy read]).
* 60-day percutaneous PNS: 6 of 9 patients >= 50 % lower average weekly pain at 12 months,
  against 0 of 14 after the placebo period (Gilmore et al. 2020 Reg Anesth Pain Med 45:44
  [checked: abstract]; post-amputation pain, 8 weeks of PNS).

All three are measured on the course engine (:func:`painsim.course.run_course_batch`) with the
library protocols, the pain test of the model's ``[course]`` section (contact heat at the
painful site, a surrogate for the rated pain: the presets' ongoing pain is the issue-14
miss) and ``tests="follow_up"``.
"""
from __future__ import annotations

import functools

import numpy as np

from typing import Callable, Sequence

from ..cohort import patient_models, sample
from ..course import run_course_batch
from ..course.settings import course_settings
from ..params import load_model
from ..protocols import get as get_protocol
from ..simulation import Request, simulate_batch
from .measurements import N_SEEDS, SHARED_CACHES

__all__ = ["SCS_PATIENTS", "responders_during_use", "share_responding", "COHORT_PATIENTS", "peripheral_patients",
           "drawn_patients", "course_outcome",
           "cohort_responders_during_use", "KHEDR_DAYS", "KHEDR_FOLLOW_UP", "PNS_FOLLOW_UP", "PNS_PATIENTS",
           "rtms_relief_over_sham", "QUESADA_DAYS", "QUESADA_EVALUATION", "rtms_spaced_relief_over_sham",
           "pns_responders_12m",
           "SEAT_DAY", "MPNS_PATIENTS", "mpns_responders_90d", "GHONAME_TEST_DELAY", "pnt_relief_over_sham",
           "real_and_sham"]

#: Khedr et al. 2005: five consecutive daily sessions (days 0-4) ...
KHEDR_DAYS = (0.0, 1.0, 2.0, 3.0, 4.0)
#: ... and the follow-up two weeks after the last session.
KHEDR_FOLLOW_UP = KHEDR_DAYS[-1] + 14.0
#: Gilmore et al. 2020: "12 months", read as 12 months from the first day of stimulation (chosen:
#: the abstract does not say from when; the leads came out after 60 days).
PNS_FOLLOW_UP = 365.0
#: Virtual patients of the PNS row (chosen: the table's usual 4 circuits; a 60-day course of 8-h sessions
#: costs ~3-4 CPU s per patient and session, so 8 patients took 30 min).
PNS_PATIENTS = N_SEEDS


#: SEAT (Kapural et al. 2024): the primary end point, responders on day 90 of mPNS.
SEAT_DAY = 90.0
#: Virtual patients of the mPNS row (chosen: 8, as the SCS rows; a 10-session mPNS course to day 90
#: costs ~18 s per patient on the Cython target).
MPNS_PATIENTS = 8

#: Virtual patients of the SCS responder rows (chosen: as :func:`painsim.validation.measurements.pns_responders`).
SCS_PATIENTS = 8


def responders_during_use(protocol_name: str, model_name: str = "peripheral_neuropathic") -> Callable[[int], float]:
    """Share of virtual patients (``model_name``, circuits ``seed`` to ``seed + SCS_PATIENTS - 1``)
    whose pain score in the course engine's pain test
    (:func:`painsim.course.settings.course_settings`: the model's ``[course]`` test stimulus and
    duration, as :func:`painsim.course.run_course` runs it) falls by >= 50 % with the library
    protocol ``protocol_name``'s stimulation on (its waveform and device overrides, as a course
    session delivers it); patients who rate the test 0 without stimulation are left out.

    Parameters
    ----------
    protocol_name : str
        A library protocol (:func:`painsim.protocols.names`).
    model_name : str
        The model, a name or path for :func:`painsim.load_model`.

    Returns
    -------
    callable
        ``measure(seed)``: the share of responders (a fraction in [0, 1]; NaN if no patient
        rates the test above 0), :func:`share_responding`.  The names are looked up only
        when ``measure`` runs.
    """
    def measure(seed: int) -> float:
        protocol = get_protocol(protocol_name)
        m = load_model(model_name).with_params(protocol.device_overrides)
        return share_responding(protocol, [(m, s) for s in range(seed, seed + SCS_PATIENTS)])
    measure.__doc__ = f"Share of >= 50 % responders during {protocol_name} in {model_name} (course pain test)."
    return measure


def share_responding(protocol, patients: Sequence[tuple]) -> float:
    """Share of ``patients`` (``(model, simulation seed)`` pairs, the protocol's device overrides
    applied) whose pain in the course engine's pain test falls by >= 50 % with ``protocol``'s
    stimulation on; patients who rate the test 0 without it are left out (NaN if none is left).

    Parameters
    ----------
    protocol : painsim.protocols.Protocol
        Its waveform over the test window is the stimulation.
    patients : sequence of tuple
        ``(model, simulation seed)`` pairs; the first model's ``[course]`` section gives the
        test stimulus and its duration (s).

    Returns
    -------
    float
        The share (a fraction in [0, 1]) of the patients left whose pain with stimulation is at
        most half that without.

    Raises
    ------
    painsim.errors.ParameterError
        The first model's ``[course]`` settings are out of range
        (:func:`painsim.course.settings.course_settings`).
    """
    settings = course_settings(patients[0][0])
    res = simulate_batch([Request(m, st, settings.test_stimulus, seed=s)
                          for st in (None, protocol.waveform(0.0, settings.test_duration)) for m, s in patients],
                         f"{settings.test_duration:g} s")
    pain = np.array([float(r.pain) for r in res]).reshape(2, len(patients))
    evaluable = pain[0] > 0
    if not evaluable.any():
        return float("nan")
    return float(np.mean(pain[1][evaluable] <= 0.5 * pain[0][evaluable]))


#: Virtual patients of the cohort rows (chosen: 64, so that one patient is 1.6 % of a share; a
#: fast row, ~15-30 s on two cores).
COHORT_PATIENTS = 64


def peripheral_patients(n: int, seed: int, model_name: str = "peripheral_neuropathic", overrides=None,
                        distributions=None) -> list[tuple]:
    """``n`` patients drawn as the cohorts draw peripheral neuropathic pain
    (``painsim.cohort.sample(n, preset="peripheral", seed=seed)``: ectopic activity, disinhibition,
    sensitization and map reorganization from their distributions), each as ``(model, simulation
    seed)``: ``model_name`` with ``overrides`` (e.g. a device's), then the patient's attributes
    (:func:`painsim.cohort.patient_models`, as a cohort run builds them).  ``distributions`` replaces
    cohort distributions.

    Parameters
    ----------
    n : int
        Number of patients.
    seed : int
        Seed of the draw (:func:`painsim.cohort.sample`).
    model_name : str
        The base model, a name or path for :func:`painsim.load_model`.
    overrides : mapping, optional
        Dotted model overrides, applied before the patients' attributes.
    distributions : dict, optional
        Replacements of cohort distributions, as :func:`painsim.cohort.sample` takes them.

    Returns
    -------
    list of tuple
        ``(model, simulation seed)``, one per patient.

    Raises
    ------
    painsim.errors.ParameterError
        ``n`` < 1, or an override out of range.
    painsim.errors.UnknownKeyError
        An unknown model name, override path or distribution key.
    """
    return drawn_patients(n, seed, "peripheral", model_name, overrides, distributions)


def drawn_patients(n: int, seed: int, preset: str, model_name: str, overrides=None, distributions=None) -> list[tuple]:
    """As :func:`peripheral_patients`, drawn as the cohort ``preset`` draws them
    (:data:`painsim.cohort.PRESETS`; e.g. ``"rtms_real_world"``: peripheral and central neuropathic pain).

    Parameters
    ----------
    n, seed
        As :func:`peripheral_patients`.
    preset : str
        A cohort preset (:data:`painsim.cohort.PRESETS`).
    model_name, overrides, distributions
        As :func:`peripheral_patients`.

    Returns
    -------
    list of tuple
        ``(model, simulation seed)``, one per patient.

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`peripheral_patients`.
    painsim.errors.UnknownKeyError
        As :func:`peripheral_patients`, or an unknown ``preset``.
    """
    table = sample(n, preset=preset, seed=seed, distributions=distributions)
    models, _ = patient_models(table, load_model(model_name).with_params(overrides or {}))
    return list(zip(models, (int(s) for s in table["seed"])))


def cohort_responders_during_use(protocol_name: str, model_name: str = "peripheral_neuropathic",
                                 n: int = COHORT_PATIENTS) -> Callable[[int], float]:
    """As :func:`responders_during_use`, on ``n`` patients drawn as the peripheral cohort
    (:func:`peripheral_patients` on ``model_name``, draw seed ``seed``) instead of circuits of one preset.

    Parameters
    ----------
    protocol_name : str
        A library protocol (:func:`painsim.protocols.names`).
    model_name : str
        The base model of the drawn patients.
    n : int
        Number of patients.

    Returns
    -------
    callable
        ``measure(seed)``: the share of responders (a fraction in [0, 1]; NaN if no patient
        rates the test above 0), :func:`share_responding`.  The arguments are checked only
        when ``measure`` runs.
    """
    def measure(seed: int) -> float:
        protocol = get_protocol(protocol_name)
        return share_responding(protocol, peripheral_patients(n, seed, model_name, protocol.device_overrides))
    measure.__doc__ = f"Share of >= 50 % responders during {protocol_name} in {n} drawn patients ({model_name})."
    return measure


@functools.lru_cache(maxsize=None)
def _course_relief(model: str, base: str, days: tuple, seeds: tuple, day: float) -> np.ndarray:
    """Relief (fraction; NaN without baseline pain) on ``day`` of a course of the library protocol
    ``base`` on sessions ``days``, one value per seed."""
    return course_outcome(model, base, days, seeds, day, "relief") / 100.0


def course_outcome(models, base: str, days: Sequence[float], seeds: Sequence[int], day: float,
                   variable: str = "pain") -> np.ndarray:
    """One patient variable of the course engine (``"pain"``, NRS; ``"relief"``, %) on ``day`` of a
    course of the library protocol ``base`` on sessions ``days`` that ends on ``day``, one value per
    patient (``models``: one model, or one per seed), tested on day 0 and ``day`` only.

    Parameters
    ----------
    models : Model, str or sequence of them
        One model for all patients, or one per seed.
    base : str
        A library protocol (:func:`painsim.protocols.names`).
    days : sequence of float
        Session days (days).
    seeds : sequence of int
        One simulation seed per patient.
    day : float
        The follow-up day read, the course's end (days).
    variable : str
        A variable of :func:`painsim.course.run_course_batch`'s result.

    Returns
    -------
    numpy.ndarray
        One value per patient.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown ``base`` or model name.
    painsim.errors.CalendarError
        Impossible ``days``, or a session after ``day``.
    painsim.errors.ParameterError
        ``day`` < 0, or ``models`` not one per seed.
    """
    spec = {"base": base, "name": f"{base}_validation", "days": list(days), "end_day": day}
    ds = run_course_batch(models, spec, list(seeds), follow_up_days=(day,), tests="follow_up")
    return ds[variable].sel(day=day).values


SHARED_CACHES.append(_course_relief)


def rtms_relief_over_sham(seed: int) -> float:
    """Mean relief two weeks after five daily sessions of 20 Hz M1 rTMS (``rtms_m1_20hz``) minus
    that after the sham course, per patient (central_poststroke_ischemic, circuits ``seed`` to
    ``seed + N_SEEDS - 1``; patients without baseline pain at the test are left out).

    Parameters
    ----------
    seed : int
        The first circuit's seed.

    Returns
    -------
    float
        Mean paired relief, real minus sham, as a fraction (NaN if no patient has baseline
        pain).
    """
    return _relief_over_sham("central_poststroke_ischemic", "rtms_m1_20hz", KHEDR_DAYS, KHEDR_FOLLOW_UP, seed)


def real_and_sham(protocol: str) -> tuple[str, str]:
    """The library ``protocol`` and its sham (the library names each sham ``<protocol>_sham``:
    :meth:`painsim.protocols.Protocol.as_sham`).

    Parameters
    ----------
    protocol : str
        A library protocol's name; not looked up here.

    Returns
    -------
    (str, str)
        ``(protocol, protocol + "_sham")``.
    """
    return protocol, f"{protocol}_sham"


def _relief_over_sham(model: str, protocol: str, days: tuple, day: float, seed: int) -> float:
    """Mean paired relief on ``day`` of the library ``protocol``'s course on ``days`` minus that of its
    ``_sham`` course (``model``, circuits ``seed`` to ``seed + N_SEEDS - 1``)."""
    seeds = tuple(range(seed, seed + N_SEEDS))
    real, sham = (_course_relief(model, base, days, seeds, day) for base in real_and_sham(protocol))
    paired = real - sham  # same patients, same baseline: NaN where a patient has no baseline pain
    return float(np.nanmean(paired)) if np.isfinite(paired).any() else float("nan")


#: Ghoname et al. 1999 rated pain before and after each treatment: the model reads it after the last
#: (9th) session, which lasts 30 min; the test 1 h after its start, in days (chosen: the session
#: over, the hours-long early plasticity not yet decayed).
GHONAME_TEST_DELAY = 1.0 / 24.0


def pnt_relief_over_sham(seed: int) -> float:
    """Mean relief right after the last of nine PENS sessions (the library ``pnt_alternating`` course,
    relief :data:`GHONAME_TEST_DELAY` after the start of its last session) minus that after the same sham course (needles without
    current), per patient (post_traumatic_neuropathic, circuits ``seed`` to ``seed + N_SEEDS - 1``;
    patients without baseline pain at the test are left out).

    Parameters
    ----------
    seed : int
        The first circuit's seed.

    Returns
    -------
    float
        Mean paired relief, real minus sham, as a fraction (NaN if no patient has baseline
        pain).
    """
    days = tuple(get_protocol("pnt_alternating").calendar.days)
    return _relief_over_sham("post_traumatic_neuropathic", "pnt_alternating", days, days[-1] + GHONAME_TEST_DELAY,
                             seed)


#: Quesada et al. 2020: four sessions, each three weeks after the one before ...
QUESADA_DAYS = (0.0, 21.0, 42.0, 63.0)
#: ... and the final evaluation three weeks after the fourth.
QUESADA_EVALUATION = QUESADA_DAYS[-1] + 21.0


def rtms_spaced_relief_over_sham(seed: int) -> float:
    """Mean relief three weeks after the fourth of four 20 Hz M1 rTMS sessions three weeks apart
    (``rtms_m1_20hz`` on :data:`QUESADA_DAYS`, relief on day :data:`QUESADA_EVALUATION`) minus
    that after the same sham course, per patient (central_poststroke_ischemic, circuits ``seed``
    to ``seed + N_SEEDS - 1``; patients without baseline pain at the test are left out).

    Parameters
    ----------
    seed : int
        The first circuit's seed.

    Returns
    -------
    float
        Mean paired relief, real minus sham, as a fraction (NaN if no patient has baseline
        pain).
    """
    return _relief_over_sham("central_poststroke_ischemic", "rtms_m1_20hz", QUESADA_DAYS, QUESADA_EVALUATION, seed)


def _responder_share(relief: np.ndarray) -> float:
    """Share with >= 50 % relief among the patients with baseline pain (NaN relief left out)."""
    evaluable = relief[np.isfinite(relief)]
    return float(np.mean(evaluable >= 0.5)) if evaluable.size else float("nan")


def pns_responders_12m(seed: int) -> float:
    """Share of virtual patients (post_traumatic_neuropathic, circuits ``seed`` to
    ``seed + PNS_PATIENTS - 1``) with
    >= 50 % relief :data:`PNS_FOLLOW_UP` days after the start of the ``pns_percutaneous`` course
    (8 h a day for 60 days); patients without baseline pain at the test are left out.

    Parameters
    ----------
    seed : int
        The first circuit's seed.

    Returns
    -------
    float
        The share of responders (a fraction in [0, 1]; NaN if no patient has baseline pain).
    """
    protocol = get_protocol("pns_percutaneous")
    seeds = tuple(range(seed, seed + PNS_PATIENTS))
    return _responder_share(_course_relief("post_traumatic_neuropathic", protocol.name, tuple(protocol.calendar.days),
                                           seeds, PNS_FOLLOW_UP))


def mpns_responders_90d(seed: int) -> float:
    """Share of virtual patients (post_traumatic_neuropathic, circuits ``seed`` to
    ``seed + MPNS_PATIENTS - 1``) with >= 50 % relief on day :data:`SEAT_DAY` of the library
    ``mpns`` course (its calendar: 15-min sessions on days 0, 2, 4, weekly to day 28, biweekly,
    day 86); patients without baseline pain at the test are left out.

    Parameters
    ----------
    seed : int
        The first circuit's seed.

    Returns
    -------
    float
        The share of responders (a fraction in [0, 1]; NaN if no patient has baseline pain).
    """
    protocol = get_protocol("mpns")
    seeds = tuple(range(seed, seed + MPNS_PATIENTS))
    return _responder_share(_course_relief("post_traumatic_neuropathic", protocol.name, tuple(protocol.calendar.days),
                                           seeds, SEAT_DAY))
