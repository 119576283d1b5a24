"""The course engine: sessions on a calendar, consolidation between them, pain tests.

:func:`run_course_batch` runs one protocol on many patients in four steps:

1. *patients*: each model with the protocol's plasticity overrides, its
   plastic connections and consolidation rates (:class:`painsim.course.session.Patient`);
2. *sessions*: on each session day the windows of a chunk of every patient
   are simulated together (:class:`ChunkSimulator`), their spikes replayed
   through the plasticity rules (:func:`painsim.course.session.replay_chunk`);
   between sessions the changes consolidate (:mod:`painsim.course.consolidation`);
   the weights are recorded where the pain tests need them (:class:`CourseHistory`);
   the course knows how often each network will run (sessions x chunks of one set
   of windows) and tells the automatic engine
   (:func:`painsim.circuits.standalone.expected_runs`);
3. *pain tests*: on each test day (before that day's session) and after each
   session, a window of ``course.test_duration`` with contact heat at
   ``course.test_heat_celsius`` (or the intensity ``course.test_noxious`` when that is 0),
   simulated with the patient's seed so that the tests of a patient differ only in the
   efficacies; all tests of all patients run in one batch at the end;
4. *result*: the course Dataset (:func:`painsim.course.results.course_dataset`).
   (Method, measured error and speed: ``docs/courses.md``.)
"""
from __future__ import annotations

import contextlib
import time as _time
from collections import Counter
from typing import Mapping, Sequence

import numpy as np
import xarray as xr

from ..checks import whole
from ..circuits import expected_runs, projection_endpoints
from ..errors import ParameterError
from ..params import Model, load_model, model_overrides
from ..params.reading import yielding_to
from ..plasticity import plastic_connections
from ..protocols import Protocol, resolve
from ..rng import checked_seed
from ..simulation import PointsRunner, Request, simulate_batch, site_pn_rates
from .consolidation import ConsolidationParams
from .opioid_tolerance import CourseTolerance
from .session import Chunk, Patient, check_stimulus_received, replay_chunk, replay_mode, session_plan, window_key, window_spikes
from .settings import EngineSettings, course_settings
from .results import DAY_SLACK, checked_days, course_dataset, course_days

__all__ = ["run_course", "run_course_batch", "ChunkSimulator", "CourseHistory"]

_DAY = 86400.0


# ---------------------------------------------------------------- step 1: patients and settings
def _models_and_seeds(models, seeds) -> tuple[list[Model], list[int]]:
    """One loaded model and one seed (a whole number >= 0) per patient, at least one patient."""
    if seeds is not None:
        if isinstance(seeds, (str, bytes, Mapping)) or not hasattr(seeds, "__iter__"):
            raise ParameterError("seeds", seeds, "a sequence of seeds (whole numbers >= 0), one per patient")
        seeds = [checked_seed(s, f"seeds[{k}]") for k, s in enumerate(seeds)]
    if isinstance(models, (Model, str)) or hasattr(models, "__fspath__"):
        models = [models] * (len(seeds) if seeds is not None else 1)
    if isinstance(models, Mapping) or not hasattr(models, "__iter__"):
        raise ParameterError("models", models, "a Model, a model name or path, or a sequence of them")
    models = [load_model(m) if not isinstance(m, Model) else m for m in models]
    if not models:
        raise ParameterError("models" if seeds is None or seeds else "seeds", [], "at least one patient")
    seeds = list(range(len(models))) if seeds is None else seeds
    if len(seeds) != len(models):
        raise ParameterError("seeds", len(seeds), f"one seed per model ({len(models)})")
    return models, seeds


def new_patient(model: Model, seed: int, protocol: Protocol) -> Patient:
    """A patient before the course: the model with the protocol's plasticity overrides (the user's win).

    Plastic connections the model's stack does not have (a protocol reconditioning the S1 map,
    e.g. ``mpns``'s ``tc_s1``, on a spinal model) are left out: they have no synapses.  A stimulus
    the model does not receive is refused (:func:`~painsim.course.session.check_stimulus_received`).

    Parameters
    ----------
    model : Model
    seed : int
    protocol : Protocol
        Its ``plasticity`` overrides, less those ``--set`` replaces (:func:`~painsim.params.reading.yielding_to`).

    Returns
    -------
    painsim.course.session.Patient
    """
    check_stimulus_received(model, protocol)
    m = model.with_params(yielding_to(protocol.plasticity, model_overrides()))
    ends = projection_endpoints(m)
    plastic = {c: r for c, r in plastic_connections(m).items() if c in ends}
    return Patient(m, seed, plastic, ends, ConsolidationParams.from_model(m))


def shared_settings(patients: Sequence[Patient]) -> EngineSettings:
    """The ``[course]`` settings of a batch, which every patient must share.

    Parameters
    ----------
    patients : sequence of Patient

    Returns
    -------
    painsim.course.settings.EngineSettings

    Raises
    ------
    painsim.errors.ParameterError
        The patients' ``[course]`` settings differ.
    """
    settings = [course_settings(p.model) for p in patients]
    if any(s != settings[0] for s in settings[1:]):
        raise ParameterError("course", "differs between patients", "the same [course] parameters for every "
                             "patient of a batch")
    return settings[0]


# ---------------------------------------------------------------- step 2: sessions
class ChunkSimulator:
    """Simulates the windows of a chunk for every patient: each stimulated window and the companion.

    A window without pulses (the pause of a patterned protocol) is the
    companion itself and is not simulated again.  The chunks of a course
    simulate the same windows of the same patients with new efficacies, so
    the networks are built once (:class:`painsim.simulation.PointsRunner`)
    and rerun while the stimulated windows stay the same.  ``expected`` (the
    stimulated windows' keys, :meth:`windows_of`, -> the chunks of the course that
    simulate them) tells the automatic engine how often each network will run
    (:func:`painsim.circuits.standalone.expected_runs`), so that a course long
    enough to pay for the compilation compiles at its first chunk.

    Parameters
    ----------
    patients : sequence of Patient
    duration : float
        Simulated time of each window (lead-in + window), in s.
    batch_size, per_neuron
        As :func:`run_course_batch`.
    expected : mapping of tuple -> int, optional
        Stimulated windows' key -> the number of chunks that simulate them.
    """

    def __init__(self, patients: Sequence[Patient], duration: float, batch_size: int, per_neuron,
                 expected: Mapping[tuple, int] | None = None):
        self.patients, self.duration, self.batch_size, self.per_neuron = patients, duration, batch_size, per_neuron
        self.expected = dict(expected or {})
        self._runner, self._windows = None, None

    def rebuild(self, expected: Mapping[tuple, int] | None = None):
        """Build the networks again at the next chunk (the patients' models changed), with new run hints.

        Parameters
        ----------
        expected : mapping of tuple -> int, optional
            As the constructor's.
        """
        self._runner, self._windows = None, None
        self.expected = dict(expected or {})

    @staticmethod
    def windows_of(chunk: Chunk) -> tuple:
        """The key of a chunk's stimulated windows (chunks with the same key share networks).

        Parameters
        ----------
        chunk : painsim.course.session.Chunk
        """
        return tuple(window_key(wf) for wf in chunk.windows if len(wf.onsets))

    def _requests(self, chunk: Chunk, stimulated: list) -> list:
        reqs = []
        for p in self.patients:
            reqs += [Request(p.model, chunk.windows[j], 0.0, 0.0, p.seed, per_neuron=self.per_neuron)
                     for j in stimulated]
            reqs.append(Request(p.model, None, 0.0, 0.0, p.seed, per_neuron=self.per_neuron))
        return reqs

    def simulate(self, chunk: Chunk) -> tuple[list, list]:
        """Per patient the raw outputs (the stimulated windows, then the companion), and
        per window of the chunk the index of its output (the companion's for a window without pulses).

        Parameters
        ----------
        chunk : painsim.course.session.Chunk
            Simulated with each patient's current efficacies.

        Returns
        -------
        outputs, output_of_window : list
        """
        stimulated = [j for j, wf in enumerate(chunk.windows) if len(wf.onsets)]
        n_outputs = len(stimulated) + 1
        windows = self.windows_of(chunk)
        if windows != self._windows:
            self._runner = PointsRunner(self._requests(chunk, stimulated), self.duration, self.batch_size)
            self._windows = windows
        current = [p.weights() or None for p in self.patients]
        hint = self.expected.get(windows)
        with expected_runs(hint) if hint else contextlib.nullcontext():  # read when the networks are built
            res = self._runner.run([w for w in current for _ in range(n_outputs)])
        outputs = [res[k * n_outputs:(k + 1) * n_outputs] for k in range(len(self.patients))]
        position = dict(zip(stimulated, range(len(stimulated))))
        output_of_window = [position.get(j, n_outputs - 1) for j in range(len(chunk.windows))]
        return outputs, output_of_window


def _replay_patient_chunk(p: Patient, chunk: Chunk, outputs: list, output_of_window: list, states: dict,
                          clock: float, settings: EngineSettings) -> float:
    """Replay one patient's chunk (consolidating half a chunk before and after);
    returns its acute projection-neuron output weighted by the time each window represents."""
    L, lead = settings.window, settings.lead_in
    companion = window_spikes(outputs[-1], p, lead, L)
    spikes = [window_spikes(r, p, lead, L) for r in outputs[:-1]] + [companion]
    per_window = [spikes[i] for i in output_of_window]
    painful = int(p.model.si("body.painful_site"))
    pn = [float(site_pn_rates(p.model, r, lead + chunk.replay_length(L))[painful]) for r in outputs]  # replayed part
    acute = sum(pn[output_of_window[i]] * d for i, d in chunk.schedule)
    p.evolve(chunk.duration / 2)
    replay_chunk(p, chunk, per_window, companion, states, clock, L)
    p.evolve(chunk.duration / 2)
    return acute


def run_session(patients: Sequence[Patient], plan: list, simulator: ChunkSimulator, settings: EngineSettings,
                session_duration: float) -> np.ndarray:
    """Run one stimulated session on every patient; returns each patient's mean
    projection-neuron output during stimulation (Hz, acute effect).

    Parameters
    ----------
    patients : sequence of Patient
        Their synapses are updated in place.
    plan : list of Chunk
        The session plan (:func:`painsim.course.session.session_plan`).
    simulator : ChunkSimulator
    settings : EngineSettings
    session_duration : float
        Duration of the session, in s.
    """
    states, clock, pn_acc = [dict() for _ in patients], 0.0, np.zeros(len(patients))
    for chunk in plan:
        outputs, output_of_window = simulator.simulate(chunk)
        for k, p in enumerate(patients):
            pn_acc[k] += _replay_patient_chunk(p, chunk, outputs[k], output_of_window, states[k], clock, settings)
        clock += chunk.duration
    return pn_acc / session_duration


def _prepare(models, seeds, protocol: Protocol, full: bool = False) -> tuple[list[Patient], EngineSettings, list]:
    """The patients before the course, their shared ``[course]`` settings and the session plan."""
    patients = [new_patient(m, s, protocol) for m, s in zip(models, seeds)]
    settings = shared_settings(patients)
    plan = session_plan(protocol, protocol.calendar.session_duration, settings.window, settings.lead_in,
                        settings.n_chunks, full)
    return patients, settings, plan


def _stimulates(protocol: Protocol, patients: Sequence[Patient]) -> bool:
    """Whether the sessions change anything: a protocol that is not a sham, and plastic synapses."""
    return not protocol.is_sham and any(p.plastic for p in patients)


def one_session(model, protocol, seeds: Sequence[int], *, batch_size: int = 128) -> list[Patient]:
    """One session of ``protocol`` for each seed, as the course engine runs its first session.

    What one session does to the plastic synapses by its end, each chunk's change consolidated from the chunk's
    middle on, as in a course (e.g. one theta-burst session's after-effect, ``tests/test_theta_burst.py``).

    Parameters
    ----------
    model : Model or str
        The model (a name is loaded).
    protocol : Protocol, str or mapping
        The protocol (what :func:`painsim.protocols.resolve` accepts); its first session is run.
    seeds : sequence of int or None
        One patient (circuit) per seed, simulated in one batch; None: seeds 0, 1, ..., one per
        model, as in :func:`run_course_batch` (for one ``model``: one patient, seed 0).
    batch_size : int
        Points per network, as in :func:`run_course_batch`.

    Returns
    -------
    list of Patient
        The patients after the session: ``p.weights()`` (efficacy per plastic connection,
        per synapse) against ``p.w_set`` (before it).  A protocol that makes no connection
        plastic, or a sham, leaves them unchanged.

    Raises
    ------
    painsim.errors.ParameterError
        No seed, a seed that is not a whole number >= 0, or a ``batch_size`` < 1, before any simulation.
    """
    protocol = resolve(protocol)
    _check_run_options(batch_size, False, ())
    patients, settings, plan = _prepare(*_models_and_seeds(model, seeds), protocol)
    if _stimulates(protocol, patients):
        run_session(patients, plan, ChunkSimulator(patients, settings.lead_in + settings.window, batch_size,
                                                   frozenset()), settings, protocol.calendar.session_duration)
    return patients


class CourseHistory:
    """The patients' course in time: consolidation up to each moment, and the weights
    recorded on each test day (before that day's session) and after each session.

    Parameters
    ----------
    patients : sequence of Patient
    day_coord : sequence of float
        The test days, in days from the start of the course.
    n_sessions : int
        Sessions of the calendar (columns of ``session_pn``).
    """

    def __init__(self, patients: Sequence[Patient], day_coord: Sequence[float], n_sessions: int):
        self.patients = patients
        self.day_times = [d * _DAY for d in day_coord]
        self.now = 0.0
        self.next_day = 0
        self.weights_on_day: list[list[dict]] = [[] for _ in patients]
        self.weights_after_session: list[list[dict]] = [[] for _ in patients]
        self.late_on_day: list[list[dict]] = [[] for _ in patients]
        self.session_pn = np.full((len(patients), n_sessions), np.nan)

    def record_days(self, until: float, inclusive: bool):
        """Consolidate to each test day before ``until`` (s; or at it up to DAY_SLACK, ``inclusive``); record them.

        Parameters
        ----------
        until : float
            Time from the start of the course, in s.
        inclusive : bool
        """
        while self.next_day < len(self.day_times) and (self.day_times[self.next_day] < until or (
                inclusive and self.day_times[self.next_day] <= until + DAY_SLACK * _DAY)):
            t = min(self.day_times[self.next_day], until)  # a day just after a session's start: at it
            for p in self.patients:
                p.evolve(t - self.now)
            self.now = max(self.now, t)
            for k, p in enumerate(self.patients):
                self.weights_on_day[k].append(p.weights())
                self.late_on_day[k].append({c: v.copy() for c, v in p.late.items()})
            self.next_day += 1

    def consolidate_to(self, t: float):
        """Consolidate every patient's changes up to time ``t`` (s).

        Parameters
        ----------
        t : float
            Time from the start of the course, in s.
        """
        for p in self.patients:
            p.evolve(t - self.now)
        self.now = t

    def record_session(self, end: float):
        """The session that ends at ``end`` (s) is over: record the weights after it.

        Parameters
        ----------
        end : float
            Time from the start of the course, in s.
        """
        self.now = end
        for k, p in enumerate(self.patients):
            self.weights_after_session[k].append(p.weights())


def run_sessions(patients: Sequence[Patient], protocol: Protocol, plan: list, settings: EngineSettings,
                 day_coord: Sequence[float], batch_size: int, per_neuron, progress,
                 tolerance: CourseTolerance | None = None) -> CourseHistory:
    """Every session of the calendar and the time between them, for all patients (with
    ``tolerance``, each session on the patients' tolerant models).

    Parameters
    ----------
    patients : sequence of Patient
    protocol : Protocol
    plan : list of Chunk
    settings : EngineSettings
    day_coord : sequence of float
        The test days, in days.
    batch_size, per_neuron, progress
        As :func:`run_course_batch`.
    tolerance : CourseTolerance, optional

    Returns
    -------
    CourseHistory
    """
    cal, D = protocol.calendar, protocol.calendar.session_duration
    history = CourseHistory(patients, day_coord, cal.n_sessions)
    active = _stimulates(protocol, patients)
    # every session simulates the same chunks: the runs of each set of windows are known in advance
    # (with tolerance the models change every session, so the networks are rebuilt per session)
    per_session = Counter(map(ChunkSimulator.windows_of, plan))
    expected = {w: n * (1 if tolerance else cal.n_sessions) for w, n in per_session.items()}
    simulator = ChunkSimulator(patients, settings.lead_in + settings.window, batch_size, per_neuron,
                               expected if active else None)
    wall = _time.time()
    for s_idx, day in enumerate(cal.days):
        t_s = day * _DAY
        history.record_days(t_s, inclusive=True)
        history.consolidate_to(t_s)
        if active:
            if tolerance is not None:
                simulator.rebuild(expected)  # the session's models differ from the last one's
            with tolerance.during_session(patients, s_idx) if tolerance else contextlib.nullcontext():
                history.session_pn[:, s_idx] = run_session(patients, plan, simulator, settings, D)
        else:
            for p in patients:
                p.evolve(D)
        history.record_session(t_s + D)
        if callable(progress):
            progress(s_idx + 1, cal.n_sessions, float(day))
        elif progress:
            print(f"painsim: session {s_idx + 1}/{cal.n_sessions} (day {day:g}) done "
                  f"[{_time.time() - wall:.1f} s]", flush=True)
    history.record_days(np.inf, inclusive=True)
    return history


# ---------------------------------------------------------------- step 3: pain tests
def run_pain_tests(patients: Sequence[Patient], history: CourseHistory, tested: list, settings: EngineSettings,
                   batch_size: int, per_neuron, tolerance: CourseTolerance | None = None) -> list[list]:
    """The pain test with each recorded weight set (days, then sessions) where ``tested``;
    per patient a list of test results (None where not tested).  With ``tolerance``, each
    test on the patient's tolerant model of that moment.

    Parameters
    ----------
    patients : sequence of Patient
    history : CourseHistory
    tested : list of bool
        Per recorded weight set (days, then sessions): whether to test it.
    settings : EngineSettings
    batch_size, per_neuron
        As :func:`run_course_batch`.
    tolerance : CourseTolerance, optional

    Returns
    -------
    list of list
        Per patient, per recorded weight set, a result Dataset or None.
    """
    reqs, where = [], []
    for k, p in enumerate(patients):
        for j, w in enumerate(history.weights_on_day[k] + history.weights_after_session[k]):
            if tested[j]:
                model = p.model if tolerance is None else tolerance.test_model(k, j)
                reqs.append(Request(model, None, settings.test_stimulus, 0.0, p.seed, w or None,
                                    per_neuron=per_neuron))
                where.append((k, j))
    results: list[list] = [[None] * len(tested) for _ in patients]
    with expected_runs(1):  # every test network runs once per course (times an enclosing hint: a cohort's batches)
        outcomes = simulate_batch(reqs, f"{settings.test_duration!r} s", batch_size=batch_size)
    for (k, j), r in zip(where, outcomes):
        results[k][j] = r
    return results


# ---------------------------------------------------------------- the course
def _check_run_options(batch_size, progress, per_neuron) -> None:
    """Refuse, before any work, a ``batch_size`` that is not a whole number >= 1, a ``progress`` that is neither
    true/false nor a callable, a ``per_neuron`` that is a text (its letters are no names), a bad ``$PAINSIM_REPLAY``."""
    whole(batch_size, "batch_size", allow_float=True)
    replay_mode()
    if not (isinstance(progress, (bool, np.bool_)) or callable(progress)):
        raise ParameterError("progress", progress, "true, false or a callable progress(session, n_sessions, day)")
    if isinstance(per_neuron, (str, bytes)) or not hasattr(per_neuron, "__iter__"):
        raise ParameterError("per_neuron", per_neuron, "a set of neuron parameter names")


def run_course_batch(models, protocol, seeds: Sequence[int] | None = None, *, follow_up_days=(30, 90),
                     thresholds=(0.3, 0.5), days: Sequence[float] | None = None, batch_size: int = 128,
                     session: str = "chunked", tests: str = "all", progress=False,
                     per_neuron=frozenset(), opioid_tolerance: bool = False) -> xr.Dataset:
    """Run one protocol on many patients; their sessions are simulated together.

    Parameters
    ----------
    models : Model, str or sequence of them
        One model per patient, or one model for all (then ``seeds`` says how
        many patients).
    protocol : Protocol, str or mapping
        A :class:`painsim.protocols.Protocol`, a library name
        (:func:`painsim.protocols.names`) or a ``[protocol]`` table
        (:func:`painsim.protocols.resolve`).
    seeds : sequence of int, optional
        One seed per patient (default: 0, 1, ...).  A patient's result
        depends only on its model, seed and the protocol, never on its batch
        companions (:func:`painsim.simulate_batch` guarantees this per window).
    follow_up_days, thresholds, days, session
        As :func:`run_course`.
    progress : bool or callable
        As :func:`run_course`; a callable is called as ``progress(session,
        n_sessions, day)`` after each session instead of printing (e.g. to
        report a cohort batch's progress from a worker process).
    per_neuron : set of str
        Neuron parameters that differ between the patients (a sweep over
        them): stored per neuron so that the patients share networks
        (:func:`painsim.circuits.shared_parameters`).
    tests : {"all", "follow_up"}
        ``"all"``: the pain test on every day of the ``day`` coordinate and
        after every session.  ``"follow_up"``: only on day 0 (the baseline),
        the follow-up days and ``days``; the other entries of pain, relief and
        PN rates are NaN (a cohort needs one relief day); the mean efficacies
        ``w_*`` are recorded on every day either way (a sham arm's: on tested days).
    batch_size : int
        Windows per brian2 network.  All windows of one chunk of all
        patients (each protocol window and its companion) and all test
        windows are simulated together, in networks of up to this many
        points; each network is built once per course and rerun with the
        new efficacies in every chunk.  128 (the default) is the 4 windows
        per chunk of the 32 patients of a cohort batch; the measurement
        behind it is in ``docs/courses.md``.
    opioid_tolerance : bool
        As :func:`run_course`.

    Returns
    -------
    xarray.Dataset
        As :func:`run_course`, with a leading ``patient`` dimension.

    Raises
    ------
    painsim.errors.ParameterError
        No patient, a seed not a whole number >= 0 (``seeds[k]``), or as :func:`run_course`; before any work.
    """
    protocol = resolve(protocol)
    models, seeds = _models_and_seeds(models, seeds)
    if session not in ("chunked", "full"):
        raise ParameterError("session", session, "'chunked' or 'full'")
    if tests not in ("all", "follow_up"):
        raise ParameterError("tests", tests, "'all' or 'follow_up'")
    if not isinstance(opioid_tolerance, (bool, np.bool_)):
        raise ParameterError("opioid_tolerance", opioid_tolerance, "true or false")
    _check_run_options(batch_size, progress, per_neuron)
    fu, th, extra = checked_days(follow_up_days, thresholds, days, calendar=(cal := protocol.calendar))
    patients, settings, plan = _prepare(models, seeds, protocol, session == "full")
    day_coord = course_days(cal, fu, extra)
    tolerance = (CourseTolerance([p.model for p in patients], seeds, protocol, day_coord, batch_size)
                 if opioid_tolerance else None)
    per_neuron = frozenset(per_neuron) | (tolerance.per_neuron if tolerance else frozenset())
    history = run_sessions(patients, protocol, plan, settings, day_coord, batch_size, per_neuron, progress,
                           tolerance)
    wanted = {0.0, *fu, *extra}
    tested = [tests == "all" or d in wanted for d in day_coord] + [tests == "all"] * cal.n_sessions
    results = run_pain_tests(patients, history, tested, settings, batch_size, per_neuron, tolerance)
    n_d = len(day_coord)
    meta = dict(window_s=settings.window, lead_in_s=settings.lead_in, n_chunks=settings.n_chunks,
                session_mode=session, test_duration_s=settings.test_duration, test_stimulus=settings.test_label)
    ds = course_dataset(protocol, patients, [r[:n_d] for r in results], [r[n_d:] for r in results], day_coord, fu,
                        th, history.session_pn, history.late_on_day, meta, history.weights_on_day,
                        history.weights_after_session)
    if tolerance is not None:
        ds = ds.assign(tolerance.variables())
        ds.attrs["opioid_tolerance"] = 1
    return ds


def run_course(model, protocol, *, seed: int = 0, follow_up_days=(30, 90), thresholds=(0.3, 0.5),
               days: Sequence[float] | None = None, session: str = "chunked", batch_size: int = 128,
               tests: str = "all", progress: bool = False, opioid_tolerance: bool = False) -> xr.Dataset:
    """Run a treatment course on one patient (a model and a seed).

    Parameters
    ----------
    model : Model or str
        The patient (e.g. ``ps.load_model("neuropathic")``).  Its
        ``[plasticity.*]`` sections, with the protocol's overrides, say which
        synapses recondition; ``[course]`` sets the session engine and the
        test, ``[consolidation]`` the between-session model.
    protocol : Protocol, str or mapping
        A protocol, a library name (``"mpns"``, ``"mpns_sham"`` ...) or a
        ``[protocol]`` table (:func:`painsim.protocols.resolve`).
    seed : int
        The patient's seed (connectivity, fibres, ongoing activity); all
        windows and tests of the course use it.
    follow_up_days : sequence of float
        Days (from day 0, the first session day) at which responder flags
        are evaluated; they are added to the ``day`` coordinate.
    thresholds : sequence of float
        Relief fractions of the responder flags (``responder_30``,
        ``responder_50`` for the default).
    days : sequence of float, optional
        Extra days at which to test pain (e.g. ``range(0, 91, 7)``); a test on a session's
        day comes before the session, and a day inside a session is refused.
    session : {"chunked", "full"}
        ``"full"`` simulates every window of every session with the weights
        of the previous one (slow; for checking the chunked extrapolation).
    batch_size : int
        Windows per brian2 network (as :func:`run_course_batch`).
    tests : {"all", "follow_up"}
        Which pain tests to run (as :func:`run_course_batch`).
    progress : bool
        Print a line per session.
    opioid_tolerance : bool
        Analgesic tolerance of the mu-opioid receptors over the course
        (:mod:`painsim.course.opioid_tolerance`): every session and pain test
        runs with the receptors' efficacy of that moment, driven by the excess
        occupancy of the protocol's sessions (a pathway model; a spinal model
        is refused).  Adds ``excess_occupancy`` and the state ``opioid_tolerance``
        (over ``day``), ``opioid_tolerance_session`` and
        ``opioid_tolerance_after_session`` (over ``session``).  Off by default:
        the course is then exactly as without it.

    Returns
    -------
    xarray.Dataset
        Over ``day`` (0, the session days, follow-up days, ``days``):
        ``pain`` (NRS, tested before that day's session), ``relief`` (% of
        ``baseline_pain``), ``pn_rate`` (Hz), ``w_<conn>`` (mean efficacy)
        and ``w_<conn>_late`` (mean consolidated change) per plastic
        connection, ``map_overactive_area`` (m^2) when the model has an S1
        map.  Over ``session``: ``session_day``, ``pain_after_session``,
        ``relief_after_session``, ``pn_rate_after_session``,
        ``w_<conn>_after_session``, ``session_pn_rate`` (during stimulation).
        Over ``follow_up``: ``responder_<30|50>``.  Scalars: ``baseline_pain``, ``baseline_pn_rate``.
        Attrs: protocol spec, engine settings, painsim version, ``parameters``, ``plastic_connections``
        ("": none, so no session changes a synapse, e.g. a sham or a rule-less model; not refused).

    Raises
    ------
    painsim.errors.UnknownKeyError
        Unknown protocol name (the nearest is named) or a protocol override
        the model does not have.
    painsim.errors.CalendarError, ParameterError
        A ``seed`` that is not a whole number >= 0; a day of ``follow_up_days`` or ``days``
        that is negative, not finite, not a number or inside a session; a threshold outside (0, 1]; a
        ``batch_size`` < 1; ``session``, ``tests``, ``progress`` or ``opioid_tolerance`` not one of their
        values; a protocol whose stimulus the model does not receive (rTMS on a spinal model); all before
        any simulation.

    Examples
    --------
    >>> import painsim as ps
    >>> m = ps.load_model("neuropathic")
    >>> out = ps.run_course(m, "mpns", seed=1)              # doctest: +SKIP
    >>> float(out.relief.sel(day=90))                         # doctest: +SKIP
    """
    checked_seed(seed)  # named as the caller wrote it, not seeds[0]; the model as 'model', not 'models'
    check_stimulus_received((models := _models_and_seeds([model], [seed])[0])[0], protocol := resolve(protocol), "model")
    return run_course_batch(models, protocol, [seed], follow_up_days=follow_up_days, thresholds=thresholds,
                            days=days, batch_size=batch_size, session=session, tests=tests, progress=progress,
                            opioid_tolerance=opioid_tolerance).isel(patient=0)
