"""Analgesic opioid tolerance inside a treatment course (issue 15 part 5).

Repeated daily TENS loses its effect within a week through tolerance of the spinal and
brainstem opioid receptors (Chandran & Sluka 2003 Pain 102:195; Liebano et al. 2011 Pain
152:335; Sato et al. 2012 J Pain 13:884 [checked: abstracts]); :mod:`painsim.tolerance`
models it as one slow state ``T`` per patient, driven by the excess receptor occupancy
``x`` of a session.  With ``opioid_tolerance=True``, :func:`painsim.course.run_course_batch`
runs every session and every pain test of a patient on
:func:`painsim.tolerance.tolerant_model` (receptor efficacy ``1 - T``) at the state of
that moment:

* ``x`` per patient: the excess occupancy of one window of the protocol's session over its
  companion (:func:`painsim.tolerance.excess_occupancy`: the course's own lead-in and
  window, at ``T = 0``), measured once before the first session;
* a session runs at the mean state over its duration (:func:`painsim.tolerance.session_mean`).
  Chosen: the state rises within a session (by 0.21-0.27 during the first 30-min session of
  ``tens_conventional`` at the calibrated rate, seeds 1-4), while a session's networks are built once,
  so a session has one state, the one its windows see on average;
* a pain test before a day's session uses the state then, a test after a session the state
  at its end (:func:`painsim.tolerance.tolerance_at`).

``x`` is not re-measured, although the tolerant PAG/RVM relay releases less opioid (a
known limitation, :mod:`painsim.tolerance`), and the plastic synapses see it only through the
spikes of the sessions.  Off (the default), the course is exactly as without this module.
A sham, or naloxone in the patient's model (``dorsal_horn.pharmacology.opioid_block = 1``),
gives ``x = 0`` and so ``T = 0``: the course of the untreated receptors.
"""
from __future__ import annotations

import contextlib
from typing import Sequence

import numpy as np

from ..circuits import neuron_variables, projection_endpoints
from ..errors import ParameterError
from ..params import Model
from ..protocols import Protocol
from ..tolerance import (DAY, OPIOID_EFFECTS, OPIOID_PROJECTION, excess_occupancy, session_mean, tolerance_at,
                         tolerance_params, tolerant_model)

__all__ = ["CourseTolerance"]


class CourseTolerance:
    """The tolerance state of each patient of a course at its sessions and pain tests.

    Parameters
    ----------
    models : sequence of Model
        The patients' models (pathway stack: the opioid comes from the PAG/RVM), before the course.
    seeds : sequence of int
        The patients' seeds.
    protocol : Protocol
        The course's protocol (calendar and session stimulation).
    day_coord : sequence of float
        The course's test days (its ``day`` coordinate).
    batch_size : int
        Points per network for the occupancy windows.

    Raises
    ------
    painsim.errors.ParameterError
        A model without the PAG/RVM opioid projection (a spinal model), or a recovery half-time of 0.
    """

    def __init__(self, models: Sequence[Model], seeds: Sequence[int], protocol: Protocol,
                 day_coord: Sequence[float], batch_size: int):
        self.models = list(models)
        for m in self.models:  # refused before any simulation
            if OPIOID_PROJECTION not in projection_endpoints(m):
                raise ParameterError("opioid_tolerance", True, "a pathway model (network.layers = \"pathway\": "
                                     f"the PAG/RVM opioid), not {m.name!r}")
        rates = [tolerance_params(m) for m in self.models]
        self.x = excess_occupancy(self.models, protocol, list(seeds), batch_size=batch_size)
        cal = protocol.calendar
        D = cal.session_duration
        days = np.asarray(cal.days, float)
        self.on_day = np.array([tolerance_at(list(day_coord), x, cal, k, tau) for x, (k, tau) in zip(self.x, rates)])
        start = np.array([tolerance_at(days, x, cal, k, tau) for x, (k, tau) in zip(self.x, rates)])
        self.after_session = np.array([tolerance_at(days + D / DAY, x, cal, k, tau)
                                       for x, (k, tau) in zip(self.x, rates)])
        self.session = np.array([session_mean(T0, x, D, k, tau) for T0, x, (k, tau) in zip(start, self.x, rates)])

    #: Neuron parameters the tolerance changes (the GIRK conductance), stored per neuron so that
    #: the tests of every day, each at its own state, share networks (:func:`painsim.circuits.shared_parameters`).
    per_neuron = neuron_variables(OPIOID_EFFECTS)

    @contextlib.contextmanager
    def during_session(self, patients, s_idx: int):
        """The patients carry their tolerant models of session ``s_idx`` (at the session's mean
        state) inside the block, their own models again after it."""
        for k, p in enumerate(patients):
            p.model = tolerant_model(self.models[k], float(self.session[k, s_idx]))
        try:
            yield patients
        finally:
            for k, p in enumerate(patients):
                p.model = self.models[k]

    def test_model(self, k: int, j: int) -> Model:
        """Patient ``k``'s model for test ``j``: the test days first, then after each session."""
        n_days = self.on_day.shape[1]
        T = self.on_day[k, j] if j < n_days else self.after_session[k, j - n_days]
        return tolerant_model(self.models[k], float(T))

    def variables(self) -> dict:
        """The course Dataset's tolerance variables (over ``patient``, ``day`` and ``session``)."""
        return {
            "excess_occupancy": (("patient",), self.x, {"units": "1", "long_name": "excess mu-receptor occupancy "
                                                        "of a session (painsim.tolerance)"}),
            "opioid_tolerance": (("patient", "day"), self.on_day,
                                 {"units": "1", "long_name": "opioid tolerance state T before that day's session"}),
            "opioid_tolerance_session": (("patient", "session"), self.session,
                                         {"units": "1", "long_name": "opioid tolerance state T during the session "
                                                                     "(its mean)"}),
            "opioid_tolerance_after_session": (("patient", "session"), self.after_session,
                                               {"units": "1", "long_name": "opioid tolerance state T right after "
                                                                           "the session"}),
        }
