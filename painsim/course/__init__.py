"""Treatment courses: sessions on a calendar, consolidation and relapse between them.

A course (:func:`run_course`) applies a :class:`painsim.protocols.Protocol`
to a model: on each session day the protocol's stimulation reconditions the
plastic synapses (the model's ``[plasticity.*]`` sections, with the
protocol's overrides); between sessions the changes consolidate or fade
while the pathology pulls the weights back to where it holds them; a
standard pain test on each day gives the pain trajectory.

* :mod:`painsim.course.session`: a session is simulated as a few
  representative windows per chunk, whose spikes (minus those of the same
  window without stimulation) are replayed through the plasticity rules;
  :mod:`painsim.course.settings` reads the model's ``[course]`` section.
* :mod:`painsim.course.consolidation`: between sessions, graded
  consolidation in a chain of ever slower components (Benna & Fusi 2016,
  Nat Neurosci 19:1697) against the pathological drive, solved exactly.
* :mod:`painsim.course.engine`: :func:`run_course_batch` and
  :func:`run_course`; :mod:`painsim.course.results`: the result Dataset;
  :mod:`painsim.course.files`: course experiment files.
* :mod:`painsim.course.opioid_tolerance`: optional analgesic tolerance of the
  opioid receptors over the sessions (:mod:`painsim.tolerance`).

The engine's design, its measured chunking error and its speed are in
``docs/courses.md``.
"""
from .consolidation import ConsolidationParams, consolidate, consolidate_reference
from .engine import one_session, run_course, run_course_batch
from .files import check_course_keys, file_protocol, run_course_file
from .results import per_patient
from .session import session_plan

__all__ = ["run_course", "run_course_batch", "one_session", "run_course_file", "file_protocol", "check_course_keys",
           "per_patient",
           "ConsolidationParams",
           "consolidate", "consolidate_reference", "session_plan"]
