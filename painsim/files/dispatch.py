"""One dispatch by kind for experiment files: load and check, then run (CLI and API alike)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import xarray as xr

from ..checks import file_name, simulated_duration
from ..cohort import run_cohort_file
from ..conditioning import run_conditioning_experiment
from ..course import run_course_file
from ..errors import ModelFileError, ParameterError, UnknownKeyError
from ..params import find_builtin, read_toml
from .conditions import run_conditions
from .paths import SWEEP_FILE
from .qst import check_qst, run_qst
from .tolerance import check_tolerance, run_tolerance
from .validate import check_cohort, check_conditioning, check_conditions, check_course

__all__ = ["Kind", "KINDS", "FIGURE_NAMES", "kind_of", "describe", "load_experiment", "run_experiment"]

#: The names a file's ``figure`` key may hold: the keys of :data:`painsim.plots.FIGURES`, kept here so
#: that a misspelt name is refused when the file is loaded, before any simulation, without importing
#: matplotlib (tests/test_experiment_cli.py checks the two lists agree).
FIGURE_NAMES = ("conditions", "scs_modes", "scs_frequency", "sep_collision", "ltp_ltd", "pain_map", "rtms", "qst",
                "tolerance")


@dataclass(frozen=True)
class Kind:
    """One kind of experiment file (``kind = "<name>"`` under ``[experiment]``).

    Parameters
    ----------
    name : str
        The ``kind`` value.
    check : callable
        ``check(spec, path)``: raises a :class:`painsim.errors.PainsimError` for a bad file.
    run : callable
        ``run(spec, seed, progress, **options) -> xarray.Dataset``.
    noun : str
        What the command line calls a file of this kind.
    counts : str or None
        The repeated table whose count describes the file (``"condition"``, ``"protocol"``).
    figure : str or None
        The default ``figure`` name (:data:`painsim.plots.FIGURES`) when the file names none.
    figures : tuple of str
        The ``figure`` names a file of this kind may give: those that can be drawn from its result
        (a conditions figure cannot draw a QST profile); empty for kinds that draw their own set.
    store : str or None
        The folder in which runs of this kind keep finished work (``resume``); such kinds
        accept the options ``store``, ``resume``, ``n_patients`` and ``workers``.
    options : tuple of str
        The keyword options :func:`run_experiment` passes to ``run`` for this kind (e.g.
        ``n_patients`` for files of virtual patients).
    """

    name: str
    check: Callable[[Mapping, Path], None]
    run: Callable[..., xr.Dataset]
    noun: str
    counts: str | None = None
    figure: str | None = None
    figures: tuple[str, ...] = ()
    store: str | None = None
    options: tuple[str, ...] = ()


def _run_conditions(spec, seed=None, progress=False):
    return run_conditions(spec, seed=seed)


def _run_conditioning(spec, seed=None, progress=False):
    return run_conditioning_experiment(spec, seed=seed)[0]


def _run_course(spec, seed=None, progress=False, n_patients=None):
    return run_course_file(spec, seed=seed, progress=progress, n_patients=n_patients)  # a dict built in code too


def _run_qst(spec, seed=None, progress=False):
    return run_qst(spec, seed=seed, progress=progress)


def _run_tolerance(spec, seed=None, progress=False, n_patients=None):
    return run_tolerance(spec, seed=seed, n_patients=n_patients, progress=progress)


def _run_cohort(spec, seed=None, progress=False, **options):
    return run_cohort_file(spec, seed=seed, progress=progress, **options)  # a dict built in code too


#: Every kind of experiment file, by its ``kind`` value (the default is ``"conditions"``).
KINDS = {k.name: k for k in (
    # the figures of conditions files all read a Dataset over ``condition`` (painsim.plots.conditions,
    # .scs, .pain_map); the others each draw the one result of their kind
    Kind("conditions", check_conditions, _run_conditions, "experiment", counts="condition", figure="conditions",
         figures=("conditions", "scs_modes", "scs_frequency", "sep_collision", "pain_map", "rtms")),
    Kind("conditioning", check_conditioning, _run_conditioning, "conditioning experiment", counts="protocol",
         figure="ltp_ltd", figures=("ltp_ltd",)),
    Kind("course", check_course, _run_course, "course", options=("n_patients",)),
    Kind("cohort", check_cohort, _run_cohort, "cohort experiment", store="patients",
         options=("store", "resume", "n_patients", "workers")),
    Kind("qst", check_qst, _run_qst, "QST profile", figure="qst", figures=("qst",)),
    Kind("tolerance", check_tolerance, _run_tolerance, "tolerance experiment", figure="tolerance",
         figures=("tolerance",), options=("n_patients",)),
)}


def kind_of(spec: Mapping) -> str:
    """The kind of a loaded experiment file (``"conditions"`` unless it says otherwise).

    Parameters
    ----------
    spec : mapping
        A loaded experiment; its ``[experiment]`` table's ``kind`` is read.

    Returns
    -------
    str
        A key of :data:`KINDS` for a checked file.
    """
    return spec["experiment"].get("kind", "conditions")


def describe(spec: Mapping, name: str) -> str:
    """What a file is, for messages: e.g. ``experiment 'gate_control' (3 conditions)``.

    Parameters
    ----------
    spec : mapping
        A loaded experiment of a kind in :data:`KINDS`.
    name : str
        The name the message gives the file.

    Returns
    -------
    str
        The kind's :attr:`Kind.noun` and ``name``, with the count of its :attr:`Kind.counts`
        tables if the kind has one.
    """
    kind = KINDS[kind_of(spec)]
    what = f"{kind.noun} {name!r}"
    return f"{what} ({len(spec[kind.counts])} {kind.counts}s)" if kind.counts else what


def load_experiment(path_or_name: str | Path) -> dict:
    """Read and check an experiment file (built-in name or path).

    Six kinds (:data:`KINDS`): the default ``"conditions"`` (``[[condition]]``
    tables, see :mod:`painsim.files`), ``"conditioning"`` (``[params]``,
    ``[test]`` and ``[[protocol]]`` tables; see
    :func:`painsim.conditioning.run_conditioning_experiment`), ``"course"``
    and ``"cohort"`` (checked by their own loaders), ``"qst"`` (a virtual
    QST profile over models, :func:`painsim.files.qst.run_qst`) and ``"tolerance"``
    (analgesic tolerance over a course, :func:`painsim.files.tolerance.run_tolerance`).

    Parameters
    ----------
    path_or_name : str or Path
        A built-in experiment name or a path to a TOML file
        (:func:`painsim.params.find_builtin`).

    Returns
    -------
    dict
        The parsed file, with ``"_path"`` added.

    Raises
    ------
    painsim.errors.PathError
        ``path_or_name`` is a folder.
    painsim.errors.ModelFileError
        Missing ``[experiment]``, ``[[condition]]`` or ``[[protocol]]`` tables; no such file,
        or not valid TOML.
    painsim.errors.UnknownKeyError
        A misspelt key or built-in name (the message names the nearest valid one).
    painsim.errors.ParameterError
        A bad value (kind, replay, stimulus, duplicate labels); see :func:`check_experiment`.
    """
    path = find_builtin(path_or_name, "experiments")
    spec = read_toml(path)
    check_experiment(spec, path)
    spec["_path"] = str(path)
    return spec


def check_experiment(spec: Mapping, path: str | Path = "<experiment dict>") -> None:
    """Check an experiment read from a file or built as a dict, as :func:`load_experiment` does:
    its ``[experiment]`` table, kind, name, the kind's own keys and values, duration and figures.

    Parameters
    ----------
    spec : mapping
        The experiment.
    path : str or Path
        Where it was read from, for messages and for the kind's :attr:`Kind.check`.

    Raises
    ------
    painsim.errors.ModelFileError
        No ``[experiment]`` table (or as the kind's check).
    painsim.errors.UnknownKeyError
        A ``figure`` name not in :data:`FIGURE_NAMES` (or as the kind's check).
    painsim.errors.UnitError
        A ``duration`` that is not a time.
    painsim.errors.ParameterError
        An unknown ``kind``, a ``name`` that is not a plain file name
        (:func:`painsim.checks.file_name`), a ``duration`` that
        :func:`painsim.checks.simulated_duration` refuses, a ``figure`` that is not a name or
        list of names or that the kind cannot draw, or a value the kind's check refuses.
    """
    exp = spec.get("experiment")
    if not isinstance(exp, Mapping):
        raise ModelFileError(f"{path}: missing [experiment] table")
    kind = exp.get("kind", "conditions")
    if not isinstance(kind, str) or kind not in KINDS:
        raise ParameterError("experiment.kind", kind, f"one of {sorted(KINDS)} (default 'conditions')",
                             hint=SWEEP_FILE if kind == "sweep" else None)
    _check_name(exp.get("name"))
    KINDS[kind].check(spec, Path(path))
    _check_duration(exp.get("duration"))
    _check_figures(exp.get("figure"), KINDS[kind])


def _check_name(name) -> None:
    """Refuse an ``[experiment]`` name that is not a plain file name (:func:`painsim.checks.file_name`)."""
    if name is not None:
        file_name(name, "experiment.name")


def _check_duration(duration) -> None:
    """Refuse an ``[experiment]`` duration (of any kind of file that gives one) that
    :func:`painsim.checks.simulated_duration` refuses, when the file is loaded: before anything
    runs or is written."""
    if duration is not None:
        simulated_duration(duration, "experiment.duration")


def _check_figures(names, kind: Kind) -> None:
    """Refuse a ``figure`` value that is not a name (or list of names) of :data:`FIGURE_NAMES`, or names
    a figure that cannot be drawn from the result of ``kind`` (it would fail after the simulation,
    before the results are saved)."""
    if names is None:
        return
    listed = [names] if isinstance(names, str) else names
    if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
        raise ParameterError("experiment.figure", names, f"a figure name or a list of them, from {FIGURE_NAMES}")
    for n in listed:
        if n not in FIGURE_NAMES:
            raise UnknownKeyError(n, FIGURE_NAMES, what="figure")
        if n not in kind.figures:
            allowed = (f"a figure drawn from the result of a kind = {kind.name!r} file: one of "
                       f"{', '.join(kind.figures)}" if kind.figures else
                       f"no figure name: a kind = {kind.name!r} file draws its own figures")
            raise ParameterError("experiment.figure", n, allowed)


def run_experiment(spec: str | Path | Mapping[str, Any], seed: int | None = None,
                   progress: bool = False, *, check: bool = True, **options) -> xr.Dataset:
    """Run an experiment file of any kind and return one Dataset.

    Parameters
    ----------
    spec : path, built-in name or dict
        The experiment (a dict from :func:`load_experiment`, perhaps edited since, or one built in
        code: either is checked as a file is, and a relative model path in a dict without the
        ``"_path"`` of a file is read from the working directory).
    seed : int, optional
        Overrides the file's seed.  Every condition uses the same seed, so
        conditions differ only by what the condition changes (a conditions
        file whose conditions carry their own seeds refuses it).
    progress : bool
        Print progress (course, cohort and qst files).
    check : bool
        Check a dict ``spec`` as a file is checked before running it (default).  False only for a
        dict just returned by :func:`load_experiment` and not changed since (``painsim run``
        does so: the checks take up to 0.5 s on the built-in files).
    **options
        The kind's :attr:`Kind.options`: for cohort files ``store``, ``resume``,
        ``n_patients``, ``workers`` (see :func:`painsim.cohort.run_cohort_file`); for
        course and tolerance files ``n_patients``.

    Returns
    -------
    xarray.Dataset
        Over ``condition``; for a ``kind = "conditioning"`` file, the summary
        over ``protocol`` of :func:`painsim.conditioning.run_conditioning_experiment`
        (pain and PN rate before/after, efficacy change per plastic connection);
        for ``kind = "course"`` the arms of :func:`painsim.course.run_course_file`; for
        ``kind = "cohort"`` the patient table and statistics of
        :func:`painsim.cohort.run_cohort_file`; for ``kind = "qst"`` the QST
        profile of :func:`painsim.files.qst.run_qst`; for ``kind = "tolerance"`` the
        course of :func:`painsim.files.tolerance.run_tolerance`.

    Raises
    ------
    painsim.errors.ParameterError
        An unknown ``kind``, or options the kind does not take.
    """
    if not isinstance(spec, Mapping):
        spec = load_experiment(spec)
    elif check:  # a dict built in code, or loaded and then edited (notebook 08), gets the checks a file gets
        check_experiment(spec, spec.get("_path", "<experiment dict>"))  # (<= 0.5 s for the built-in files)
    name = kind_of(spec)
    if not isinstance(name, str) or name not in KINDS:  # an unchecked dict: refuse what it cannot run
        raise ParameterError("experiment.kind", name, f"one of {sorted(KINDS)} (default 'conditions')")
    kind = KINDS[name]
    unknown = sorted(set(options) - set(kind.options))
    if unknown:
        raise ParameterError("options", unknown,
                             f"options of a {kind.name!r} experiment: {list(kind.options) or 'none'}")
    ds = kind.run(spec, seed=seed, progress=progress, **options)
    if kind.figure and "experiment_spec" in ds.attrs:
        # the saved file names the figures drawn, so `painsim figures` redraws those (not a default of
        # another kind) from the result alone
        saved = json.loads(ds.attrs["experiment_spec"])
        saved.setdefault("experiment", {}).setdefault("figure", kind.figure)
        ds.attrs["experiment_spec"] = json.dumps(saved, default=str)
    return ds
