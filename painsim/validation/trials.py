"""Virtual placebo-controlled trials: a therapy against its placebo, as a meta-analysis reads them.

A meta-analysis pools trials as a **standardised mean difference** of pain between the arms
(Hedges' g in the Cochrane handbook's form; Johnson et al. 2022 BMJ Open 12:e051073 used it
for TENS).  Here each virtual patient is one circuit of a model (its seed), or a patient drawn
as a cohort draws them (its own model; :func:`painsim.validation.courses.drawn_patients`), rated
in both arms.  TENS: the active device and the same device at no current (the placebo), each
during a noxious test stimulus at the painful site (the clinical pain that the model can rate;
the model's ongoing pain is 0 in the peripheral presets, docs/phenotypes.md).  rTMS: a course of
sessions and the same course with the sham coil, rated in the course engine's pain test the day
after the last session.  g is computed from the arms' means and SDs as for a parallel-group
trial: a crossover analysed within-subject would give a larger figure from the same pain scores.

* :func:`hedges_g` -- the standardised mean difference of two samples;
* :func:`placebo_controlled_pain`, :func:`patients_placebo_pain` -- each patient's pain with the active
  and the placebo device;
* :func:`tens_placebo_smd` -- the row of conventional TENS at the painful site;
* :func:`rtms_sham_smd` -- the row of a course of 20 Hz M1 rTMS against its sham course, on patients
  drawn as the rTMS cohort draws them (pain the day after the last session, the course engine's
  pain test).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..errors import ParameterError
from ..params import Model, load_model
from ..simulation import Request, simulate_batch
from ..stimulation import Waveform, tens
from .courses import KHEDR_DAYS, course_outcome, drawn_patients, peripheral_patients, real_and_sham

__all__ = ["TRIAL_PATIENTS", "TEST_NOXIOUS", "TEST_DURATION", "hedges_g", "placebo_controlled_pain",
           "patients_placebo_pain", "tens_placebo_smd", "rtms_sham_smd"]

#: Virtual patients per trial (circuits ``seed`` .. ``seed + TRIAL_PATIENTS - 1``, each in both arms).
#: Chosen: enough that g's own standard error (~sqrt(2/n + g^2/(4n)): ~0.36 at the rTMS row's
#: published -0.66, ~0.38 at TENS's -0.96) is below the distance between the published value and no
#: effect, at ~1 s of simulation per patient-arm for TENS (an rTMS course: a few s per patient-arm).
TRIAL_PATIENTS = 16
#: The test stimulus (noxious intensity at the painful site, the SCS relief rows' test) and its window, s.
TEST_NOXIOUS, TEST_DURATION = 0.5, 1.5


def hedges_g(active: Sequence[float], placebo: Sequence[float]) -> float:
    """Standardised mean difference of ``active`` over ``placebo``, Hedges' g.

    ``g = J (mean_a - mean_p) / s``, ``s`` the pooled SD (ddof 1) and
    ``J = 1 - 3 / (4 (n_a + n_p) - 9)`` the small-sample correction (Hedges 1981; the
    Cochrane handbook's SMD).  Negative: less pain with the therapy.  NaN when both
    samples have no spread.

    Parameters
    ----------
    active, placebo : sequence of float
        Pain scores of each arm.

    Returns
    -------
    float
        Hedges' g.

    Raises
    ------
    painsim.errors.ParameterError
        Fewer than 2 values in a sample, or a value that is not finite.
    """
    a, p = np.asarray(active, float), np.asarray(placebo, float)
    for name, x in (("active", a), ("placebo", p)):
        if x.ndim != 1 or x.size < 2 or not np.isfinite(x).all():
            raise ParameterError(name, x.tolist(), "a sequence of at least 2 finite pain scores")
    n_a, n_p = a.size, p.size
    pooled = np.sqrt(((n_a - 1) * a.var(ddof=1) + (n_p - 1) * p.var(ddof=1)) / (n_a + n_p - 2))
    if pooled == 0:
        return float("nan")
    return float((1.0 - 3.0 / (4.0 * (n_a + n_p) - 9.0)) * (a.mean() - p.mean()) / pooled)


def placebo_controlled_pain(model: Model, active: Waveform, placebo: Waveform, seeds: Sequence[int],
                            noxious: float = TEST_NOXIOUS, duration: float = TEST_DURATION) -> np.ndarray:
    """Pain (NRS) of each patient (circuit ``seeds[k]``) during ``noxious`` at the painful site, with
    the ``active`` and the ``placebo`` device on: array ``(len(seeds), 2)``, columns active, placebo.
    One batch; the placebo arm of a patient is its circuit with the placebo waveform, so the arms
    differ only by the stimulation.

    Parameters
    ----------
    model : Model
        The model of every patient.
    active, placebo : painsim.stimulation.Waveform
        The device's waveform in each arm.
    seeds : sequence of int
        One circuit seed per patient.
    noxious : float
        The noxious test stimulus's intensity (0-1), or a stimulus as
        :class:`painsim.Request` takes it.
    duration : float
        The simulated window, s.

    Returns
    -------
    numpy.ndarray
        Pain (NRS), shape ``(len(seeds), 2)``: columns active, placebo.
    """
    return patients_placebo_pain([(model, int(s)) for s in seeds], active, placebo, noxious, duration)


def patients_placebo_pain(patients: Sequence[tuple], active: Waveform, placebo: Waveform,
                          noxious: float = TEST_NOXIOUS, duration: float = TEST_DURATION) -> np.ndarray:
    """As :func:`placebo_controlled_pain`, for ``patients`` given as ``(model, simulation seed)`` pairs
    (each patient its own model, e.g. drawn by :func:`painsim.validation.courses.peripheral_patients`).

    Parameters
    ----------
    patients : sequence of tuple
        ``(model, simulation seed)`` pairs.
    active, placebo, noxious, duration
        As :func:`placebo_controlled_pain`.

    Returns
    -------
    numpy.ndarray
        Pain (NRS), shape ``(len(patients), 2)``: columns active, placebo.
    """
    requests = [Request(m, w, noxious, 0.0, seed=s) for m, s in patients for w in (active, placebo)]
    out = simulate_batch(requests, f"{duration} s")
    return np.array([float(o.pain) for o in out]).reshape(len(patients), 2)


def tens_placebo_smd(preset: str, drawn: bool = False) -> Callable[[int], float]:
    """``measure(seed)``: Hedges' g of pain with conventional TENS (100 Hz, 100 us, 1.5 x the Aβ
    threshold: strong and non-painful, the meta-analysis's inclusion criterion) at the painful site
    against placebo TENS (the same device at no current), on :data:`TRIAL_PATIENTS` circuits of
    ``preset`` from ``seed`` (``drawn``: patients drawn as the peripheral cohort on ``preset``, draw
    seed ``seed``), during the test stimulus (:func:`patients_placebo_pain`).

    Parameters
    ----------
    preset : str
        A model name: the circuits' model, or the drawn patients' base model.
    drawn : bool
        Draw the patients (:func:`painsim.validation.courses.peripheral_patients`) instead of
        taking circuits of ``preset``.

    Returns
    -------
    callable
        ``measure(seed)``: Hedges' g of the active over the placebo arm (:func:`hedges_g`; negative:
        less pain with TENS).
    """
    def measure(seed: int) -> float:
        active = tens("conventional", 1.5, f"{TEST_DURATION} s")
        placebo = tens("conventional", 0.0, f"{TEST_DURATION} s", label="TENS placebo")
        patients = (peripheral_patients(TRIAL_PATIENTS, seed, preset) if drawn
                    else [(load_model(preset), s) for s in range(seed, seed + TRIAL_PATIENTS)])
        pain = patients_placebo_pain(patients, active, placebo)
        return hedges_g(pain[:, 0], pain[:, 1])
    measure.__doc__ = (f"Hedges' g of pain, conventional TENS against placebo at the painful site ({preset}"
                       f"{', drawn patients' if drawn else ''}).")
    return measure


def rtms_sham_smd(seed: int) -> float:
    """Hedges' g of pain the day after five daily sessions of 20 Hz M1 rTMS (the library's
    ``rtms_m1_20hz`` course on :data:`painsim.validation.courses.KHEDR_DAYS`; chosen: the
    meta-analysis pools 1 to 10+ sessions, and five daily sessions is a common schedule among its
    trials) against the same course with the sham coil (``rtms_m1_20hz_sham``), on
    :data:`TRIAL_PATIENTS` patients drawn as the rTMS cohort draws them (``rtms_real_world`` on
    ``pain_pathway``: peripheral and central neuropathic pain, as the meta-analysis pools them;
    every drawn patient is kept, NRS 0 and 10 included), each in both arms and analysed as a
    parallel-group trial (:func:`hedges_g`).  Pain is the course engine's pain test (the model's
    ``[course]`` test stimulus at the painful site, a surrogate for the rated pain: the presets'
    ongoing pain is issue 14's miss).

    Parameters
    ----------
    seed : int
        Seed of the draw.

    Returns
    -------
    float
        Hedges' g of the rTMS over the sham arm (negative: less pain with rTMS).

    Raises
    ------
    painsim.errors.ParameterError
        A pain score that is not finite (:func:`hedges_g`).
    """
    patients = drawn_patients(TRIAL_PATIENTS, seed, "rtms_real_world", "pain_pathway")
    models, seeds = map(list, zip(*patients))
    active, sham = (course_outcome(models, base, KHEDR_DAYS, seeds, KHEDR_DAYS[-1] + 1.0)
                    for base in real_and_sham("rtms_m1_20hz"))
    return hedges_g(active, sham)
