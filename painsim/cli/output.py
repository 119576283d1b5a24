"""Output of ``painsim`` commands: output folders, written files, printed paths and summaries.

An output folder is created when work starts and removed again if a refused
run leaves it empty; results and figures are written atomically, and every
saved file records the command line and the model overrides in force
(:func:`_provenance`).  Figures come from :mod:`painsim.plots`, imported on
first use (:func:`_plots`)..
"""
from __future__ import annotations

import contextlib
import importlib
import json
import shutil
from pathlib import Path

from .. import files, io
from ..cohort import from_dataset
from ..errors import PathError, UsageError
from ..params import model_overrides, overrides_text
from ..parallel import ResultStore


#: KeyboardInterrupt argument of a command that has already said what an interruption kept.
_REPORTED = "reported"
#: Folder of a `painsim sweep` output folder that holds the sweep's store.
_SWEEP_STORE = "store"


def _plots():
    """:mod:`painsim.plots`, imported on first use (it imports matplotlib)."""
    return importlib.import_module("painsim.plots")


def _out_path(args, name: str, kind: str, keeps: str | None = None) -> Path:
    """The output folder (not created): ``--out``, or ``painsim-out/<name>``; an existing file is refused,
    and a folder holding a result of another ``kind`` (``"run"``, ``"sweep"``, ``"validation"``) or,
    for a run, of another experiment, or an interrupted run's kept work when the experiment keeps
    none in ``keeps`` (:func:`painsim.files.earlier_result`)."""
    out = Path(args.out) if args.out else Path("painsim-out") / name
    if out.exists() and not out.is_dir():
        raise PathError(f"--out {out} is a file, not a folder")
    if files.earlier_result(out, name, kind=kind, keeps=keeps):
        print(f"painsim: note: the earlier result of {name!r} in {out} is replaced when this run ends", flush=True)
    return out


def _check_sweep_store(out: Path, store: Path, key: str, resume: bool) -> None:
    """Refuse, in the command line's words, a sweep's ``store`` that :func:`painsim.run_sweep` would
    refuse (:meth:`painsim.parallel.ResultStore.refusal`, the store's own rule), before the sweep says
    anything: a store without ``--resume``, one of another spec or seed (``key``: the sweep's) or
    computed by other code, or a folder holding other files."""
    refused = ResultStore(store).refusal(key, resume)
    if refused is None:
        return
    reason, detail = refused
    if reason == "foreign":
        raise PathError(f"--out {out}: {store} holds other files, not a sweep's store: give another --out")
    if reason == "unreadable":
        raise PathError(f"--out {out}: the sweep's store {store} cannot be read ({detail}): give another --out")
    try:
        stored = json.loads((store / "spec.json").read_text()).get("spec", {}).get("name")
    except (OSError, ValueError, AttributeError):
        stored = None
    which = f"sweep {stored!r}" if stored else "a sweep"
    raise UsageError({
        "other": f"--out {out} holds the store of {which} with another spec or seed ({store}): --resume "
                 "continues only the same sweep file, --seed and --set; give another --out",
        "resume": f"--out {out} holds the store of {which} ({store}): continue it with --resume, or give "
                  "another --out",
        "code": f"--out {out} holds the store of {which} ({store}) computed by other code ({detail}): "
                "--resume cannot continue it; give another --out"}[reason])


@contextlib.contextmanager
def _output_folder(out: Path):
    """Create ``out`` when work starts; if the work fails, remove the folders this run created and
    left empty (a refused run leaves no empty output folder; kept work, e.g. a cohort store, stays),
    and a store of kept work that keeps nothing (a cohort that failed before its first patient
    finished: its empty ``patients/`` would refuse every later run there as an interrupted one's)."""
    absolute = out.absolute()
    created = [p for p in (absolute, *absolute.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # say which option names the folder (the OS names only the path)
        raise OSError(f"cannot create the output folder --out {out}: {e.strerror}") from None
    try:
        yield out
    except BaseException:
        for store in {kind.store for kind in files.KINDS.values() if kind.store}:
            _remove_if_nothing_kept(out / store)
        for folder in created:  # innermost first
            try:
                folder.rmdir()  # only if empty
            except OSError:
                break
        raise


def _remove_if_nothing_kept(store: Path) -> None:
    """Remove the folder ``store`` if it holds no file (in it or below): no finished work to resume."""
    if store.is_dir() and not any(p.is_file() for p in store.rglob("*")):
        shutil.rmtree(store, ignore_errors=True)


def _write_outputs(ds, out: Path, name: str, figures):
    """Save ``ds`` as ``results.nc`` (if given; the result of experiment ``name``) and each figure as
    ``<name>_<kind>.png``, atomically; figures of ``name`` that an earlier run drew and this one did not
    are removed (they showed the result replaced).  ``figures``: a dict, or a function returning one,
    called once the result is saved (a figure that cannot be drawn does not lose a simulated result)."""
    plots, replacing = _plots(), ds is not None and (out / "results.nc").is_file()  # checked: name's own
    result = io.save(ds.assign_attrs({files.RESULT_OF: name}), out / "results.nc") if ds is not None else None
    figures = figures() if callable(figures) else figures
    drawn = [plots.save_figure(fig, out / f"{name}_{kind}.png") for kind, fig in figures.items()]
    if replacing:
        files.remove_stale_figures(out, name, drawn)
    return result, drawn


def _print_paths(result, figures, **others) -> None:
    """Tell the user where the results, other files and figures are."""
    if result is not None:
        print(f"painsim: results  {Path(result).resolve()}")
    for label, path in others.items():
        print(f"painsim: {label:8s} {Path(path).resolve()}")
    for f in figures:
        print(f"painsim: figure   {Path(f).resolve()}")


def _print_lines(lines) -> None:
    for line in lines:
        print(line)


def _write_lines(path: Path, lines) -> Path:
    """Write ``lines`` (a Markdown table and its notes) to ``path`` atomically."""
    with io.atomic_path(path) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")
    return path


# ---------------------------------------------------------------- summaries printed by `painsim run`
def _printer(rows):
    """The summary of a kind whose result is a printed table (``rows(ds)``) and no other file."""
    return lambda ds, out: _print_lines(rows(ds)) or {}


def _print_cohort(ds, out: Path) -> dict:
    """Write the patient table (``patients.csv``) and print the statistics beside the published ones."""
    table = out / "patients.csv"
    with io.atomic_path(table) as tmp:
        from_dataset(ds).to_csv(tmp)
    _print_lines(files.cohort_rows(ds))
    return {"patients": table}


_SUMMARIES = {"conditions": _printer(files.condition_rows), "conditioning": _printer(files.conditioning_rows),
              "cohort": _print_cohort, "qst": _printer(files.qst_rows), "tolerance": _printer(files.tolerance_rows)}


def _figures(kind: str, ds, spec) -> dict:
    """The figures ``painsim run`` draws: the file's ``figure`` names, or its kind's standard ones."""
    plots = _plots()
    default = files.KINDS[kind].figure
    if default is None:  # cohorts: their own set of figures
        return plots.cohort_figures(ds)
    return plots.experiment_figures(ds, spec["experiment"].get("figure", default))


def sweep_destination(workers: int | None, scheduler: str | None) -> str:
    """Where a sweep's runs go, in the words of its first line.

    Parameters
    ----------
    workers : int or None
        Worker processes: 0 runs in this process, None one per CPU.
    scheduler : str or None
        A Dask scheduler's address (it takes precedence).

    Returns
    -------
    str
        E.g. ``"this process"``, ``"1 worker process"``, ``"2 worker processes"``.
    """
    if scheduler:
        return f"Dask scheduler {scheduler}"
    if workers == 0:
        return "this process"
    return "1 worker process" if workers == 1 else f"{workers or 'all CPU'} worker processes"


def _provenance(ds, args) -> None:
    """Write the command line, and the model overrides in force (``validate --set``), into
    ``ds``'s attributes: every saved file says how it was made."""
    ds.attrs["command"] = getattr(args, "command_line", "")
    variant = model_overrides()
    if variant:
        ds.attrs["model_overrides"] = overrides_text(variant)
