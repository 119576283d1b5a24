"""Which file is which: experiment and sweep files by kind, the command that runs each, result files.

Used by the command line to refuse a wrong path before any work starts (a
folder given as a file, a sweep file given to ``painsim run``, a TOML file
given to ``painsim figures``) and by ``painsim models`` to list the built-ins.
"""
from __future__ import annotations

import glob
from collections.abc import Mapping
from pathlib import Path

import xarray as xr

from ..atomic import ctrl_c_held
from ..errors import ModelFileError, ParameterError, PathError, UnknownKeyError
from ..io import RESULT_FILES, is_netcdf, netcdf_file
from ..netcdf_files import refuse_zarr
from ..params import builtin_experiments, find_builtin, read_toml

__all__ = ["COMMANDS", "SWEEP_FILE", "file_kind", "command_for", "experiment_path", "check_command", "catalog",
           "results_file", "is_netcdf", "RESULT_OF", "earlier_result", "held_results", "remove_stale_figures",
           "result_name"]

#: The attribute of a saved ``results.nc`` naming the experiment it is the result of (``painsim run``/``course``).
RESULT_OF = "experiment_name"

#: The ``painsim`` command that runs a file of each kind (``"sweep"``: a file with a ``[sweep]`` table).
COMMANDS = {"conditions": "run", "conditioning": "run", "cohort": "run", "qst": "run", "tolerance": "run",
            "course": "course",
            "sweep": "sweep"}

#: What a file of each kind is called in messages.
_NOUNS = {"conditions": "conditions experiment", "conditioning": "conditioning experiment",
          "cohort": "cohort experiment", "qst": "QST profile",
          "tolerance": "tolerance experiment", "course": "course file", "sweep": "sweep file"}

#: What makes a sweep file, for a file that asks for one with ``kind = "sweep"`` under ``[experiment]``.
SWEEP_FILE = ("a sweep file has no [experiment] table: it has a [sweep] table (name, model, duration, seeds, "
              "design, outcomes) and a [parameters] table of the swept axes, e.g. "
              "experiments/scs_frequency_sweep.toml; run it with 'painsim sweep FILE'")


def experiment_path(path_or_name: str | Path) -> Path:
    """The TOML file of a built-in name or a path; a folder is refused (not reported as missing).

    Parameters
    ----------
    path_or_name : str or Path
        A built-in experiment name (``"gate_control"``) or a path to a TOML file.

    Returns
    -------
    Path
        The TOML file.

    Raises
    ------
    painsim.errors.PathError
        ``path_or_name`` is a folder.
    painsim.errors.ModelFileError, painsim.errors.UnknownKeyError
        No such file or built-in.
    """
    p = Path(path_or_name)
    if p.is_dir():
        raise PathError(f"{p} is a folder, not an experiment file (TOML), e.g. experiments/gate_control.toml")
    return find_builtin(path_or_name, "experiments")


def file_kind(path_or_name: str | Path) -> str:
    """The kind of an experiment or sweep file: ``"sweep"`` for a ``[sweep]`` file, else its
    ``[experiment] kind`` (``"conditions"`` by default; an invalid kind is returned as written,
    for its loader to refuse).

    Parameters
    ----------
    path_or_name : str or Path
        A built-in experiment name (``"gate_control"``) or a path to a TOML file.

    Returns
    -------
    str

    Raises
    ------
    painsim.errors.ParameterError
        ``kind = "sweep"`` under ``[experiment]``: the message says what a sweep file holds
        (sending it to ``painsim sweep`` would only report a missing ``[sweep]`` table).
    painsim.errors.ModelFileError
        Neither an ``[experiment]`` nor a ``[sweep]`` table; invalid TOML.
    painsim.errors.PathError, painsim.errors.UnknownKeyError
        As :func:`experiment_path`.
    """
    path = experiment_path(path_or_name)
    raw = read_toml(path)
    exp = raw.get("experiment")
    if not isinstance(exp, Mapping):
        if isinstance(raw.get("sweep"), Mapping):
            return "sweep"
        raise ModelFileError(f"{path}: neither an [experiment] nor a [sweep] table")
    kind = exp.get("kind", "conditions")
    if kind == "sweep":
        kinds = sorted(k for k in COMMANDS if k != "sweep")
        raise ParameterError("experiment.kind", kind, f"one of {kinds} (default 'conditions')", hint=SWEEP_FILE)
    return str(kind)


def command_for(kind: str) -> str:
    """``"run"``, ``"course"`` or ``"sweep"``: the command that runs a file of ``kind``.

    Parameters
    ----------
    kind : str
        A file kind (:func:`file_kind`); one not in :data:`COMMANDS` gives ``"run"``.

    Returns
    -------
    str
    """
    return COMMANDS.get(kind, "run")


def check_command(path_or_name: str | Path, command: str) -> str:
    """Refuse a file given to the wrong command; returns its kind.

    ``painsim run`` also runs course files (as ``painsim course``).

    Parameters
    ----------
    path_or_name : str or Path
        A built-in experiment name (``"gate_control"``) or a path to a TOML file.
    command : str
        The ``painsim`` command it was given to: ``"run"``, ``"course"`` or ``"sweep"``.

    Returns
    -------
    str
        The file's kind (:func:`file_kind`).

    Raises
    ------
    painsim.errors.PathError
        E.g. a sweep file given to ``painsim run``: the message names the command to use.
    painsim.errors.UnknownKeyError
        An ``[experiment] kind`` painsim does not know (``"courses"``), with the nearest kind.
    painsim.errors.ParameterError, painsim.errors.ModelFileError
        As :func:`file_kind`.
    """
    kind = file_kind(path_or_name)
    if kind not in COMMANDS:  # a misspelt kind: no command is the right one for it
        raise UnknownKeyError(kind, sorted(k for k in COMMANDS if k != "sweep"), what="experiment.kind")
    right = command_for(kind)
    if right != command and not (command == "run" and right == "course"):
        raise PathError(f"{path_or_name} is a {_NOUNS.get(kind, kind)}, not for 'painsim {command}': "
                        f"run it with 'painsim {right} {path_or_name}'")
    return kind


def catalog() -> list[dict]:
    """The built-in experiment files: ``name``, ``kind``, ``description`` and the ``command`` that runs each."""
    rows = []
    for name in builtin_experiments():
        raw = read_toml(find_builtin(name, "experiments"))
        kind = file_kind(name)
        table = raw.get("sweep" if kind == "sweep" else "experiment", {})
        rows.append({"name": name, "kind": kind, "description": str(table.get("description", "")),
                     "command": f"painsim {command_for(kind)} {name}"})
    return rows


def results_file(path: str | Path) -> Path:
    """The NetCDF result a path designates: a ``.nc`` file, or a folder holding ``results.nc``
    (``painsim run``/``course`` output), ``result.nc`` (a sweep store), ``store/result.nc``
    (a sweep's output folder), ``validation.nc`` or ``seeds.nc`` (``painsim validate`` output; one
    run, or the summary of a ``--seeds`` run): :data:`painsim.io.RESULT_FILES`.

    Parameters
    ----------
    path : str or Path
        A NetCDF file or an output folder.

    Returns
    -------
    Path
        The NetCDF file.

    Raises
    ------
    painsim.errors.PathError
        Missing, a folder without results (one with a zarr result: said), or not a NetCDF file.
    """
    p = Path(path)
    if p.is_dir():
        found = [p / c for c in RESULT_FILES if (p / c).is_file()]
        if not found:
            refuse_zarr(p)  # a zarr sweep store: said by its format
            raise PathError(f"{p} is a folder without results (results.nc of painsim run/course, "
                            "store/result.nc of a finished painsim sweep, or validation.nc or seeds.nc of a "
                            "finished painsim validate)")
        p = found[0]
    return netcdf_file(p)


def result_name(attrs) -> str | None:
    """The experiment a result is of, from its attributes: :data:`RESULT_OF`, or the ``experiment``
    or ``name`` attribute of results written before it existed; None if they do not say.

    Parameters
    ----------
    attrs : mapping
        A result's attributes (``Dataset.attrs``).

    Returns
    -------
    str or None
    """
    owner = attrs.get(RESULT_OF) or attrs.get("experiment") or attrs.get("name")
    return str(owner) if owner else None


def _owner(result: Path) -> str | None:
    """The experiment a saved ``results.nc`` is the result of (:func:`result_name`); None if it does
    not say or cannot be read.  Ctrl-C meanwhile is held until the file is closed, as
    :func:`painsim.io.load` holds it (xarray's reader hangs on an interrupt)."""
    try:
        with ctrl_c_held(), xr.open_dataset(result) as ds:
            return result_name(ds.attrs)
    except (OSError, ValueError):
        return None


#: Folders in which a run keeps finished work while it runs (a cohort's patients; resumable).
_RUN_KEPT_WORK = ("patients",)
#: What each kind of output folder holds (in its folder, or in a sub-folder ``seed_<s>/``), and how
#: a message calls it: ``painsim run``/``course`` (``"run"``; a cohort's kept ``patients/`` too),
#: ``painsim sweep`` (its ``store/``), a store written directly by :func:`painsim.run_sweep`
#: (``"store"``) and ``painsim validate`` (its kept ``targets/`` too, and a ``--seeds`` run's files).
_HELD = (("run", ("results.nc", *_RUN_KEPT_WORK), "a run's result"),
         ("sweep", ("store",), "a sweep's result"),
         ("store", ("result.nc", "result.zarr", "spec.json", "parts"), "a sweep store written by ps.run_sweep"),
         ("validation", ("validation.nc", "targets", "seeds.nc"), "a validation run's result"))
#: The kind of output folder each command writes, in messages.
_WRITERS = {"run": "painsim run/course", "sweep": "painsim sweep", "validation": "painsim validate"}


def held_results(out: str | Path) -> dict[str, Path]:
    """The kinds of result the folder ``out`` holds, each with the first file or folder that shows it.

    Parameters
    ----------
    out : str or Path
        An output folder (one that does not exist holds nothing).

    Returns
    -------
    dict
        Kind (``"run"``, ``"sweep"``, ``"store"``, ``"validation"``) -> a path in ``out``; a
        validation run per seed (``seed_<s>/``, of ``painsim validate --seeds``) counts as one.
    """
    out, held = Path(out), {}
    if not out.is_dir():
        return held
    seeds = sorted(p for p in out.glob("seed_*") if p.name[5:].isdigit() and p.is_dir())
    for kind, names, _ in _HELD:
        found = [out / n for n in names if (out / n).exists()]
        if kind == "validation":
            found += [f / n for f in seeds for n in names if (f / n).exists()]
        if found:
            held[kind] = found[0]
    return held


def earlier_result(out: Path, name: str, kind: str = "run", keeps: str | None = None) -> bool:
    """Whether the output folder ``out`` already holds a result of the experiment ``name`` (the new run
    replaces it).  A folder holds one result: a result of another kind (:func:`held_results`: a run's,
    a sweep's, a store of :func:`painsim.run_sweep`, a validation run's) is refused, and so, for a run,
    is another experiment's ``results.nc`` (or one painsim cannot name), since replacing it would leave
    its figures and tables beside the new result, and the kept work of an interrupted run (a cohort's
    ``patients/`` without ``results.nc``) for a run of a kind that keeps none: its result would land
    beside that work, and the interrupted run could no longer be resumed there.  A result of the
    command's own kind is its to replace or resume (a sweep's store, validate's kept targets, a
    cohort's patients: they refuse or continue themselves).

    Parameters
    ----------
    out : str or Path
        The output folder (``--out``).
    name : str
        The experiment's name.
    kind : {"run", "sweep", "validation"}
        The command's kind of result.
    keeps : str, optional
        For a run: the folder in which the experiment keeps its finished work (a cohort's
        ``"patients"``, :attr:`painsim.files.dispatch.Kind.store`); None for a kind that keeps none.

    Returns
    -------
    bool
        True if ``out`` holds a run's result of ``name`` (always False for the other kinds).

    Raises
    ------
    painsim.errors.PathError
        ``out`` holds another result; the message names ``--out``, the folder, what it holds and
        what to do.
    """
    others = {k: p for k, p in held_results(out).items() if k != kind}
    if others:
        other, path = next(iter(others.items()))
        what = next(w for k, _, w in _HELD if k == other)
        raise PathError(f"--out {out} holds {what} ({path}): a folder holds one result; give "
                        f"{_WRITERS.get(kind, 'this command')} another --out")
    previous = Path(out) / "results.nc"
    if kind != "run":
        return False
    if not previous.is_file():
        kept = [n for n in _RUN_KEPT_WORK if n != keeps and (Path(out) / n).exists()]
        if kept:
            raise PathError(f"--out {out} holds the finished {kept[0]} of an interrupted run "
                            f"({Path(out) / kept[0]}): continue that run there with --resume, or give "
                            f"{name!r} another --out")
        return False
    owner = _owner(previous)
    if owner != name:
        whose = f"of experiment {owner!r}" if owner else "that does not name its experiment"
        raise PathError(f"--out {out} holds a result {whose}, not of {name!r}: give another --out, or remove "
                        f"{previous} and the files beside it")
    return True


def remove_stale_figures(out: Path, name: str, drawn) -> list[Path]:
    """Remove the figures ``<name>_*.png`` in ``out`` that are not among ``drawn``: an earlier run of
    ``name`` drew them from the result just replaced.  Returns the removed paths.

    Parameters
    ----------
    out : str or Path
        The output folder.
    name : str
        The experiment's name.
    drawn : iterable of str or Path
        The figures just drawn.

    Returns
    -------
    list of Path
        The removed files.
    """
    keep = {Path(p).resolve() for p in drawn}
    stale = [p for p in Path(out).glob(f"{glob.escape(name)}_*.png") if p.resolve() not in keep]
    for p in stale:
        p.unlink(missing_ok=True)
    return stale
