"""Running a protocol course for every patient of a table (:func:`run`): patients
to models, courses in batches (in this process or on worker processes), each
patient persisted as it finishes (optional store), relief and responders."""
from __future__ import annotations

import functools
import hashlib
import json
import math
import numbers
import time
from collections import Counter
from typing import Any, Mapping, Sequence

import numpy as np

from .. import course, protocols
from ..circuits import expected_runs
from ..course.session import check_stimulus_received
from ..checks import number, store_folder, whole
from ..errors import ParameterError, SpecError
from ..parallel import PATIENT_LAYOUT, ResultStore, balanced_batches, cut_for, in_worker, report, run_batches
from ..params import Model, load_model
from ..readouts import responders
from ..units import to_si
from .sampling import ATTRIBUTE_UNITS, checked_table, patient_models, pinned_attributes

__all__ = ["run", "run_patient_batches", "course_task", "report_session", "patient_fingerprints",
           "CohortProgress", "batch_repeats"]


def run(table, protocol, model: Any = "pain_pathway", seeds: Sequence[int] | None = None,
        batch_size: int = 32, day: float | None = None, strict: bool = False, return_datasets: bool = False,
        workers: int = 1, progress: bool = False, store=None, resume: bool = False, opioid_tolerance: bool = False):
    """Run a protocol course for every patient of a table.

    Parameters
    ----------
    table : pandas.DataFrame
        Patients (from :func:`sample`, or any table with the same columns).
    protocol : str or protocol object
        A protocol name (:mod:`painsim.protocols`) or object, passed to
        :func:`painsim.course.run_course_batch`.
    model : str or Model
        The base model each patient modifies (default: the whole pathway,
        ``pain_pathway``, which every attribute of :data:`PATIENT_TO_MODEL`
        acts on).
    seeds : sequence of int, optional
        One seed per patient; default: the table's ``seed`` column.
    batch_size : int
        Patients whose courses run together (at most): the windows of all
        of them share brian2 networks (:func:`painsim.course.run_course_batch`),
        so larger batches cost less per patient.  With ``workers > 1`` the
        patients are cut into balanced batches, as many as a multiple of the
        workers.  Results do not depend on it.
    day : float, optional
        The day of ``relief`` that defines response.  Default: the
        protocol's ``end_day`` (e.g. day 4 for a 4-session test on days
        0-3 with ``end_day = 4``), else the last day of the course result.
        Only day 0 and this day are tested (``tests="follow_up"`` of
        :func:`painsim.course.run_course_batch`), so the course costs no
        more test windows than needed.
    strict : bool
        Raise if a patient attribute has no model parameter (see
        :func:`patient_overrides`).
    return_datasets : bool
        Also return the per-patient course Datasets.
    workers : int
        Processes to spread the batches over (``1``: this process).  Each
        worker runs whole batches of :func:`painsim.course.run_course_batch`;
        brian2's Cython cache is shared (brian2 locks each module while it
        compiles).  Results do not depend on ``workers``.  With the automatic
        engine (``PAINSIM_ENGINE=auto``) each batch tells it how many batches of
        its size its process runs (:func:`batch_repeats`,
        :func:`painsim.circuits.standalone.expected_runs`), so a cohort that pays
        for the compilation compiles at its first batch (or takes the binary from
        the disk cache) instead of renting the runtime engine first.
    progress : bool
        Print a line per session of each batch as it finishes (reported by
        the course engine from the worker processes) and per finished batch
        (patients persisted), with counts of what is done.
    store : path, optional
        A folder where each patient's course result is written
        (``patient_<k>.nc``, atomically) as soon as its batch finishes, so
        that an interrupted cohort (Ctrl-C, kill -9, a dead worker) loses
        only the batches that were running.  The run holds the store's lock
        until it ends (:class:`painsim.parallel.ResultStore`): a second run
        on it at the same time (another process) is refused.
    resume : bool
        Continue the cohort stored in ``store``: patients found there are
        loaded, not run again.  Each file carries a fingerprint of the
        patient (full parameter set, seed, protocol, relief day, opioid
        tolerance), and a mismatch raises instead of mixing two cohorts; the
        relief day counts by its value (4, 4.0 and ``numpy.int64(4)`` are one
        day, also for a store written before the day was fingerprinted as a
        float: :func:`patient_fingerprints`).
        Without ``resume`` a store that already holds patients raises.
    opioid_tolerance : bool
        Each patient's course with the analgesic tolerance of the opioid
        receptors over its sessions (:func:`painsim.course.run_course`'s
        ``opioid_tolerance``; a pathway model).  Off by default.

    Returns
    -------
    pandas.DataFrame (and list of xarray.Dataset)
        The table with ``seed`` set to the seeds simulated (``seeds`` when
        given), and ``baseline_pain``, ``relief`` (at ``day``, a
        fraction), ``responder_30`` and ``responder_50`` added (False for a patient
        without baseline pain, whose relief is NaN: :func:`responder_rates` and
        :func:`odds_ratio` read the relief and leave such patients out);
        ``attrs["unmapped"]`` lists attributes the model has no parameter
        for, ``attrs["relief_day"]`` the day used.

    Raises
    ------
    painsim.errors.ParameterError
        Before any course: ``table`` not a DataFrame of at least one patient; ``workers`` or
        ``batch_size`` not a whole number >= 1 (a whole float such as ``2.0`` is taken); a seed (``seeds[k]``, or the table's
        ``seed[k]``) not a whole number >= 0; ``day`` not a finite number >= 0 or inside a session; ``strict``,
        ``return_datasets``, ``progress``, ``resume`` or ``opioid_tolerance`` not true/false;
        ``resume`` without a ``store``; a ``store`` that is not a path, or is (or lies under) a
        file; a protocol whose stimulus the model does not receive (rTMS on a spinal model:
        ``model``); a ``store`` of other patients (naming what may differ), of more patients
        than ``table`` has, or one another process's run is using (a SpecError), before any course.
    painsim.errors.UnknownKeyError
        An unknown protocol or model, or a patient attribute the model has no parameter for
        (with ``strict`` or given explicitly); a number or None as the protocol, or a bad
        ``[protocol]`` table, is a ParameterError.
    """
    workers = whole(workers, "workers", allow_float=True)  # 2.0 as the course functions take it
    batch_size = whole(batch_size, "batch_size", allow_float=True)
    _check_options(strict=strict, return_datasets=return_datasets, progress=progress, resume=resume,
                   opioid_tolerance=opioid_tolerance)
    if resume and store is None:
        raise ParameterError("resume", resume, "false without a store (resume continues the cohort in store)")
    store_folder(store, "a folder for the patients' courses (new, or one to resume)")
    seeds = _seeds(checked_table(table), seeds)
    if day is not None:  # checked, kept as given (attrs["relief_day"])
        number(day, "day", lo=0.0, allowed="a day >= 0 from the first session (a number)")
    if isinstance(protocol, (str, Mapping)):  # a table resolved too: its end_day is the relief day
        protocol = protocols.resolve(protocol)
    elif protocol is None or isinstance(protocol, (numbers.Number, list, tuple)):
        protocols.resolve(protocol)  # a bad table or a number refused here, not inside each batch
    base = model if isinstance(model, Model) else load_model(model)
    if isinstance(protocol, protocols.Protocol):  # rTMS on a spinal model: no session would act
        check_stimulus_received(base, protocol, "model", getattr(model, "name", model))
    models, unmapped = patient_models(table, base, strict)
    cal = getattr(protocol, "calendar", None)
    if day is None and cal is not None:
        day = cal.end_day if cal.end_day is not None else None
    elif cal is not None:  # named as given, not as the course's follow_up_days
        protocols.outside_sessions((float(day),), "day", cal)
    # only the baseline and the relief day are tested (the other test windows cost time and are not used)
    kw = {"follow_up_days": (float(day),), "tests": "follow_up"} if day is not None else {}
    if opioid_tolerance:
        kw["opioid_tolerance"] = True
    results = _courses(models, seeds, protocol, day, kw, batch_size, workers, progress, store, resume)
    out = _with_relief(table, results, day)
    out["seed"] = np.asarray(seeds, np.int64)  # the seeds simulated (seeds=... replaces the table's column)
    for attr, path in pinned_attributes().items():  # the variant's value, which every patient had
        if attr in out:
            out[attr] = base.leaves[path].si / to_si(f"1 {ATTRIBUTE_UNITS[attr]}", base.leaves[path].dim) \
                if attr in ATTRIBUTE_UNITS else base.leaves[path].si
    out.attrs = {**table.attrs, "unmapped": sorted(unmapped), "protocol": str(getattr(protocol, "name", protocol)),
                 "model": base.name, "relief_day": day if day is not None else "last",
                 "opioid_tolerance": int(bool(opioid_tolerance))}
    return (out, results) if return_datasets else out


def _check_options(**flags) -> None:
    """Each of ``flags`` true or false (a text such as "no" is refused: it would count as true)."""
    for name, value in flags.items():
        if not isinstance(value, (bool, np.bool_)):
            raise ParameterError(name, value, "true or false")


def _seeds(table, seeds) -> list[int]:
    """One seed (a whole number >= 0) per patient: ``seeds``, else the table's ``seed`` column."""
    if seeds is None:
        where, seeds = ("seed", table["seed"]) if "seed" in table else ("seeds", range(len(table)))
    elif isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise ParameterError("seeds", seeds, "a sequence of seeds (whole numbers >= 0), one per patient")
    else:
        where = "seeds"
    seeds = [whole(s, f"{where}[{k}]", 0, allow_float=True) for k, s in enumerate(seeds)]
    if len(seeds) != len(table):
        raise ParameterError("seeds", len(seeds), f"one seed per patient ({len(table)})")
    return seeds


def patient_fingerprints(models, seeds, protocol, day, opioid_tolerance: bool = False) -> list[str]:
    """The fingerprint of each patient's course: full parameter set, seed, protocol, relief day and,
    when on, the opioid tolerance (a course without it keeps the fingerprint it always had).

    Parameters
    ----------
    models : sequence of Model
        One model per patient (its full parameter set, ``to_json``).
    seeds : sequence of int
        One seed per patient.
    protocol : Protocol or str
        The protocol: its ``describe()``, or its text if it has none.
    day : float or None
        The relief day, fingerprinted as a float: 4, 4.0 and ``numpy.int64(4)`` give one
        fingerprint (the one a float day always had).
    opioid_tolerance : bool
        Whether the courses have the opioid tolerance.

    Returns
    -------
    list of str
        SHA-256 hex digests, one per patient.
    """
    return _fingerprints(models, seeds, protocol, None if day is None else float(day), opioid_tolerance)


def _fingerprints(models, seeds, protocol, day, opioid_tolerance: bool) -> list[str]:
    """:func:`patient_fingerprints` with ``day`` written into the fingerprint as it is given."""
    describe = getattr(protocol, "describe", None)
    prot = json.dumps(describe() if describe else str(protocol), sort_keys=True, default=str)
    extra = ["opioid_tolerance"] if opioid_tolerance else []
    return [hashlib.sha256(json.dumps([m.to_json(), int(s), prot, day, *extra], default=str).encode()).hexdigest()
            for m, s in zip(models, seeds)]


#: What a stored patient of another fingerprint (:func:`patient_fingerprints`) was run with, in a refusal.
_DIFFERS = "another table, model, model variant (--set), protocol, seed, relief day or opioid tolerance"
#: What sets the number of patients, in the refusal of a store of more (:meth:`ResultStore.open_items`).
_COUNT = "--n-patients, the table's rows"


def _legacy_days(day) -> list:
    """The other forms an older painsim wrote a whole relief day in (it fingerprinted the day as
    given): an int (4, from a file's ``relief_day = 4``) and a numpy integer (written as the text
    "4"); a float day (a protocol's ``end_day``) was written as the float it is now."""
    if day is None or not float(day).is_integer():
        return []
    return [int(day), str(int(day))]


def _open_store(st, models, seeds, protocol, day, opioid_tolerance: bool, resume: bool) -> tuple[list, dict]:
    """The fingerprints the store ``st`` keeps its patients under and the patients it holds: the
    float-day fingerprints, or, for a store written by an older painsim with the whole day as an
    integer, that store's own (it is continued in its own form, so it never mixes two).  ``st`` holds
    the store's lock until it is closed (a store another process's cohort is using is refused)."""
    keys = patient_fingerprints(models, seeds, protocol, day, opioid_tolerance)
    try:
        return keys, st.open_items(keys, resume, differs=_DIFFERS, count=_COUNT)
    except SpecError:  # another run is using the store: no other form of it to try
        raise
    except ParameterError as refused:
        for legacy in _legacy_days(day) if resume else []:
            old = _fingerprints(models, seeds, protocol, legacy, opioid_tolerance)
            try:
                return old, st.open_items(old, resume, differs=_DIFFERS, count=_COUNT)
            except ParameterError:
                continue
        raise refused


class CohortProgress:
    """Progress lines of a cohort: each batch's sessions as they finish, patients as they are persisted.

    Counts only go up and equal what is done: a batch's session count is the
    last session its course engine finished (a message arriving late, after
    a later one, is ignored); the patient count is the patients persisted.

    Parameters
    ----------
    n_patients : int
        Patients of the cohort.
    n_done : int
        Patients already done at the start (loaded from a store); the ETA
        counts only those done after.
    sizes : sequence of int
        Patients per batch.
    echo : callable
        Called as ``echo(line, flush=True)`` for each line (default: :func:`print`).
    """

    def __init__(self, n_patients: int, n_done: int, sizes: Sequence[int], echo=print):
        self.n_patients, self.n_done, self.n_before = n_patients, n_done, n_done
        self.sizes, self.sessions = list(sizes), [0] * len(sizes)
        self.started, self.echo = time.time(), echo

    def _elapsed(self) -> float:
        return time.time() - self.started

    def message(self, b: int, message) -> None:
        """A progress message of batch ``b`` (0-based): ``("session", session, n_sessions)``.

        Parameters
        ----------
        b : int
            The batch (0-based).
        message : object
            Anything but a ``("session", ...)`` tuple, or a session not later
            than the batch's last one, prints nothing.
        """
        if not (isinstance(message, tuple) and message[:1] == ("session",)):
            return
        _, session, n_sessions = message
        if session <= self.sessions[b]:
            return
        self.sessions[b] = session
        self.echo(f"painsim: cohort: batch {b + 1}/{len(self.sizes)} ({self.sizes[b]} patients): session "
                  f"{session}/{n_sessions} done; {self.n_done}/{self.n_patients} patients done, "
                  f"{self._elapsed() / 60:.1f} min elapsed", flush=True)

    def patients(self, n_done: int) -> None:
        """``n_done`` patients (of all) are persisted.

        Parameters
        ----------
        n_done : int
            Patients persisted so far, those loaded at the start included.
        """
        self.n_done = n_done
        elapsed = self._elapsed()
        eta = elapsed / max(n_done - self.n_before, 1) * (self.n_patients - n_done)
        self.echo(f"painsim: cohort: {n_done}/{self.n_patients} patients done, {elapsed / 60:.1f} min elapsed, "
                  f"ETA {eta / 60:.1f} min", flush=True)


def _courses(models, seeds, protocol, day, kw, batch_size, workers, progress, store, resume) -> list:
    """Every patient's course Dataset: loaded from the store, or run (and persisted) in batches;
    the store's lock is held until they are all there (or the run stops)."""
    st, keys = None, None
    done: dict[int, Any] = {}
    if store is not None:
        st = ResultStore(store, PATIENT_LAYOUT)
        keys, found = _open_store(st, models, seeds, protocol, day, bool(kw.get("opioid_tolerance")), resume)
        done.update(found)
    try:
        todo = [k for k in range(len(models)) if k not in done]
        # inside a worker of another run (a validation row) the batches run in that worker: cut and
        # hinted as one process's (run_batches would run a pool's batches there one after the other)
        serial = workers == 1 or len(todo) <= 1 or in_worker()
        if serial:
            batches = [todo[s:s + batch_size] for s in range(0, len(todo), batch_size)]
        else:
            spans = balanced_batches(len(todo), batch_size, cut_for(workers)) if todo else []  # for <= 1 per CPU
            number = {start: b for b, (start, _) in enumerate(spans)}
            batches = [todo[s:s + m] for s, m in spans]
        tracker = CohortProgress(len(models), len(done), [len(b) for b in batches]) if progress else None

        def finished(ks, datasets):
            for k, ds in zip(ks, datasets):
                done[k] = st.write((k,), ds, fingerprint=keys[k]) if st else ds
            if tracker is not None:
                tracker.patients(len(done))

        if serial:
            ids = {id(b): n for n, b in enumerate(batches)}
            task = functools.partial(_hinted_task, course_task, batch_repeats([len(b) for b in batches], 1))
            run_batches(functools.partial(_patients_task, task, models, protocol, seeds, kw), batches, finished,
                        on_progress=(lambda b, m: tracker.message(ids[id(b)], m)) if tracker else None)
        elif todo:
            run_patient_batches([models[k] for k in todo], protocol, [seeds[k] for k in todo], batch_size,
                                workers, kw, on_batch=lambda start, ds: finished(todo[start:start + len(ds)], ds),
                                on_progress=(lambda start, m: tracker.message(number[start], m)) if tracker else None)
        results = [done.get(k) for k in range(len(models))]
        missing = sum(r is None for r in results)
        if missing:
            raise ParameterError("run_course_batch result", f"{missing} patients without a course",
                                 f"one course per patient ({len(models)})")
        return results
    finally:
        if st is not None:  # its lock, also on an error or Ctrl-C (a resume in this process may follow)
            st.close()


def _with_relief(table, results: list, day) -> Any:
    """The table with baseline pain, relief (a fraction, at ``day``) and responder columns."""
    out = table.copy()
    cols: dict[str, list] = {"baseline_pain": [], "relief": [], "responder_30": [], "responder_50": []}
    for ds in results:
        relief = ds["relief"]
        if "day" in relief.dims:
            relief = relief.isel(day=-1) if day is None else relief.sel(day=day)
        r = float(relief) / (100.0 if relief.attrs.get("units") == "%" else 1.0)  # as a fraction
        cols["baseline_pain"].append(float(ds["baseline_pain"]))
        cols["relief"].append(r)
        # responders from the same day's relief, so that table and statistics agree
        cols["responder_30"].append(bool(responders(r, 0.3)))
        cols["responder_50"].append(bool(responders(r, 0.5)))
    for k, v in cols.items():
        out[k] = v
    return out


def course_task(models, protocol, seeds, kw) -> list:
    """One batch of a cohort: its patients' courses, one Dataset each (module level: picklable).

    The course engine's sessions are reported as they finish (:func:`report_session`).

    Parameters
    ----------
    models : sequence of Model
        The batch's patients' models.
    protocol : Protocol
        As :func:`painsim.course.run_course_batch`.
    seeds : sequence of int
        One seed per patient.
    kw : dict
        Further keyword arguments of :func:`painsim.course.run_course_batch`.

    Returns
    -------
    list of xarray.Dataset
        One course result per patient, in order.
    """
    return course.per_patient(course.run_course_batch(models, protocol, seeds=seeds, progress=report_session, **kw))


def report_session(session: int, n_sessions: int, day: float = 0.0) -> None:
    """The course engine's progress callback in a cohort batch: reports ``("session", session,
    n_sessions)`` to the process that runs the cohort (:func:`painsim.parallel.report`).

    Parameters
    ----------
    session, n_sessions : int
        The session just finished (1-based) and the sessions of the course.
    day : float
        The session's day (not reported).
    """
    report(("session", int(session), int(n_sessions)))


def batch_repeats(sizes: Sequence[int], workers: int) -> dict[int, int]:
    """How many course batches of each size one process runs (at most): the batches of a
    size, shared out over ``workers`` processes.  Batches of one size have the same network
    structures, so each process reruns them that many times (:func:`_hinted_task`).

    Parameters
    ----------
    sizes : sequence of int
        Patients of each batch.
    workers : int
        Processes (below 1: one).

    Returns
    -------
    dict
        ``{size: n}``: the batches of that size divided by ``workers``, rounded up.
    """
    return {size: math.ceil(n / max(1, workers)) for size, n in Counter(sizes).items()}


def _hinted_task(task, repeats: dict, models, protocol, seeds, kw) -> list:
    """``task`` under the hint that this process runs ``repeats[len(models)]`` batches of this
    size: the automatic engine compiles (or takes from the disk cache) at the first batch
    when the cohort's reruns of its networks pay for it
    (:func:`painsim.circuits.standalone.expected_runs`; the course engine multiplies it by the
    runs of each network per course).  Results do not depend on it."""
    with expected_runs(repeats.get(len(models), 1)):
        return task(models, protocol, seeds, kw)


def _patients_task(task, models, protocol, seeds, kw, ks) -> list:
    """``task`` on the patients ``ks`` (a batch of patient numbers)."""
    return task([models[k] for k in ks], protocol, [seeds[k] for k in ks], kw)


def _slice_task(task, protocol, kw, batch) -> list:
    """``task`` on a batch of (patient, model, seed) items (what a worker process receives)."""
    return task([m for _, m, _ in batch], protocol, [s for _, _, s in batch], kw)


def run_patient_batches(models, protocol, seeds, batch_size, workers, kw, task=None, on_batch=None,
                        on_progress=None) -> list:
    """Batches of patients on ``workers`` spawned processes, results in patient order.

    A patient's result depends only on its model, seed and the protocol
    (:func:`painsim.course.run_course_batch`), so neither the cut into
    batches (:func:`painsim.parallel.balanced_batches`) nor the worker that
    runs a batch changes it.  ``task`` (a picklable module-level function with
    the signature of :func:`course_task`) replaces the course engine in tests;
    ``on_batch(start, datasets)`` is called as each batch arrives (the
    cohort persists it and reports progress there); ``on_progress(start,
    message)`` for each message the task reports while computing the batch
    that starts at ``start`` (:func:`painsim.parallel.report`; the course
    engine's sessions, :func:`report_session`).

    Parameters
    ----------
    models : sequence of Model
        One model per patient.
    protocol : Protocol
        As :func:`painsim.course.run_course_batch`.
    seeds : sequence of int
        One seed per patient.
    batch_size : int
        Patients per batch, at most.
    workers : int
        Worker processes.
    kw : dict
        Further keyword arguments of :func:`painsim.course.run_course_batch`.
    task : callable, optional
        Replaces :func:`course_task` (see above).
    on_batch, on_progress : callable, optional
        Called as each batch arrives and for each progress message (see above).

    Returns
    -------
    list of xarray.Dataset
        One course result per patient, in patient order.

    Raises
    ------
    painsim.errors.ParameterError
        ``batch_size`` or ``workers`` not a whole number >= 1, or not one seed per model; before
        any process starts.
    """
    batch_size = whole(batch_size, "batch_size", allow_float=True)
    workers = whole(workers, "workers", allow_float=True)
    if len(seeds) != len(models):
        raise ParameterError("seeds", len(seeds), f"one seed per model ({len(models)})")
    # cut for at most one worker per CPU (painsim.parallel.cut_for): more workers than CPUs share the
    # cores, and smaller batches would only lose the batching; run_batches starts one per batch at most
    spans = balanced_batches(len(models), batch_size, cut_for(workers))
    batches = [[(k, models[k], seeds[k]) for k in range(s, s + m)] for s, m in spans]
    hinted = functools.partial(_hinted_task, task or course_task, batch_repeats([m for _, m in spans], workers))
    out: dict[int, list] = {}

    def on_result(batch, datasets):
        start = batch[0][0]
        out[start] = datasets
        if on_batch is not None:
            on_batch(start, datasets)

    run_batches(functools.partial(_slice_task, hinted, protocol, kw), batches, on_result,
                workers=workers, on_progress=(lambda b, m: on_progress(b[0][0], m)) if on_progress else None)
    return [ds for s, _ in spans for ds in out[s]]
