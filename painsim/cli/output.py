"""Output of ``painsim`` commands: output folders, written files, printed paths and summaries.

An output folder is created when work starts and removed again if a refused
run leaves it empty; results and figures are written atomically (the earlier
result's figures and tables go just before a new result replaces it, and the
temporaries a killed writer left of them with them: :func:`_clear_for`), and
every saved file records the command line and the model overrides in force
(:func:`_provenance`).  Figures come from :mod:`painsim.plots`, imported on
first use (:func:`_plots`)..
"""
from __future__ import annotations

import contextlib
import fnmatch
import glob
import importlib
import json
import re
from pathlib import Path

from .. import files, io
from ..analysis import is_cohort_result
from ..cohort import from_dataset
from ..errors import PathError, UsageError
from ..params import model_overrides, overrides_text
from ..parallel import PATIENT_LAYOUT, ResultStore
from ..sweep.spec import PRESENTATION


#: KeyboardInterrupt argument of a command that has already said what an interruption kept.
_REPORTED = "reported"
#: Folder of a `painsim sweep` output folder that holds the sweep's store.
_SWEEP_STORE = "store"
#: How each folder of kept work of a run (:attr:`painsim.files.dispatch.Kind.store`) names its files.
_STORE_LAYOUTS = {"patients": PATIENT_LAYOUT}
#: Tables a run of each kind writes beside its result (:data:`_SUMMARIES`).
_TABLES = {"cohort": ("patients.csv",)}
#: The temporary of :class:`painsim.io.atomic_path` for the file ``target``:
#: ``.<target>.<random>.tmp``, or ``.tmp<extension>`` where the writer checks the extension.
_TEMPORARY = re.compile(r"\.(?P<target>.+)\.[A-Za-z0-9_]+\.tmp(?P<ext>\.[A-Za-z0-9]+)?")


def _plots():
    """:mod:`painsim.plots`, imported on first use (it imports matplotlib)."""
    return importlib.import_module("painsim.plots")


def _out_path(args, name: str, kind: str, keeps: str | None = None) -> Path:
    """The output folder (not created): ``--out``, or ``painsim-out/<name>``; an existing file is refused,
    and a folder holding a result of another ``kind`` (``"run"``, ``"sweep"``, ``"validation"``) or,
    for a run, of another experiment, or an interrupted run's kept work when the experiment keeps
    none in ``keeps`` (:func:`painsim.files.earlier_result`), or, without ``--resume``, when it keeps
    it there (:func:`_refuse_later_work`)."""
    out = Path(args.out) if args.out else Path("painsim-out") / name
    if out.exists() and not out.is_dir():
        raise PathError(f"--out {out} is a file, not a folder")
    if keeps:
        _refuse_in_use(out, out / keeps)  # first: what it holds is another run's work in progress
    earlier = files.earlier_result(out, name, kind=kind, keeps=keeps)
    if keeps and not getattr(args, "resume", False):
        _refuse_later_work(out / keeps)  # before anything is said about replacing the result
    if earlier:
        print(f"painsim: note: the earlier result of {name!r} in {out} is replaced when this run ends", flush=True)
    return out


def _refuse_in_use(out: Path, store: Path) -> None:
    """Refuse an output folder whose store of kept work (or sweep store) ``store`` another run is
    computing into now (it holds the store's lock: :meth:`painsim.parallel.ResultStore.in_use`)."""
    if store.is_dir() and ResultStore(store).in_use():
        raise UsageError(f"--out {out}: another run is using this one now, computing into {store} (it holds "
                         f"{store / '.lock'}): wait until it ends, or give another --out")


def _check_sweep_store(out: Path, store: Path, spec, resume: bool, seed_option: int | None = None) -> None:
    """Refuse, in the command line's words, a sweep's ``store`` that :func:`painsim.run_sweep` would
    refuse (:meth:`painsim.parallel.ResultStore.refusal`, the store's own rule), before the sweep says
    anything: a store without ``--resume``, one of another spec, seed or variant than ``spec`` (the
    message names what differs, :func:`_sweep_changes`; ``seed_option``: ``--seed``) or computed by
    other code, or a folder holding other files."""
    _refuse_in_use(out, store)
    refused = ResultStore(store).refusal(spec.key(), resume)
    if refused is None:
        return
    reason, detail = refused
    if reason == "foreign":
        raise PathError(f"--out {out}: {store} holds other files, not a sweep's store: give another --out")
    if reason == "unreadable":
        raise PathError(f"--out {out}: the sweep's store {store} cannot be read ({detail}): give another --out")
    try:
        stored = json.loads((store / "spec.json").read_text())
        name = stored.get("spec", {}).get("name")
    except (OSError, ValueError, AttributeError):
        stored, name = {}, None
    which = f"sweep {name!r}" if name else "a sweep"
    changes = _sweep_changes(stored, spec, seed_option) if reason == "other" else []
    raise UsageError({
        "other": f"--out {out} holds the store of {which} with another spec or seed ({store}"
                 + (f"; {'; '.join(changes)}" if changes else "") + "): --resume continues only the same sweep "
                 "file, --seed and --set; give another --out",
        "resume": f"--out {out} holds the store of {which} ({store}): continue it with --resume, or give "
                  "another --out",
        "code": f"--out {out} holds the store of {which} ({store}) computed by other code ({detail}): "
                "--resume cannot continue it; give another --out"}[reason])


def _sweep_changes(stored, spec, seed_option: int | None) -> list[str]:
    """What differs between the sweep in a store (``stored``: its ``spec.json``) and ``spec`` under
    the variant in force, in the command line's words (``"its seed 1 vs --seed 2"``, ``"its --set
    a=1 vs none"``, ``"its duration_s 0.2 vs 0.3"``); empty when the spec and variant are the same
    (the model file or the code differs) or the store does not say."""
    old = stored.get("spec") if isinstance(stored, dict) else None
    if not isinstance(old, dict):
        return []
    new = json.loads(json.dumps(spec.to_dict(), default=str))  # as the store wrote it
    changes = []
    if old.get("seed") != new.get("seed"):
        now = f"--seed {new.get('seed')}" if seed_option is not None else f"{new.get('seed')} (the file's)"
        changes.append(f"its seed {old.get('seed')} vs {now}")
    variants = [_set_text(stored.get("model_overrides")),
                _set_text(json.loads(json.dumps(model_overrides(), default=str)))]
    if variants[0] != variants[1]:
        changes.append(f"its --set {variants[0]} vs {variants[1]}")
    for key in sorted((set(old) | set(new)) - {"seed", *PRESENTATION}):  # the name, figure, ... key nothing
        if old.get(key) != new.get(key):
            where, before, now = _first_difference(old.get(key), new.get(key), key)
            changes.append(f"its {where} {_brief(before)} vs {_brief(now)}")
    return changes


_ABSENT = object()


def _first_difference(old, new, where: str) -> tuple[str, object, object]:
    """The first place where two stored values differ, and its two values: ``("axes[stimulus.rate].values",
    [...], [...])``.  Tables are compared key by key and lists item by item (an axis by its path), so that
    a long value cut short (:func:`_brief`) still shows what differs; a missing entry is ``"none"``."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            if old.get(key, _ABSENT) != new.get(key, _ABSENT):
                return _first_difference(old.get(key, _ABSENT), new.get(key, _ABSENT), f"{where}.{key}")
    elif isinstance(old, list) and isinstance(new, list):
        for i in range(max(len(old), len(new))):
            a, b = (old[i] if i < len(old) else _ABSENT), (new[i] if i < len(new) else _ABSENT)
            if a != b:
                path = {x.get("path") for x in (a, b) if isinstance(x, dict)}
                label = path.pop() if len(path) == 1 and None not in path else i
                return _first_difference(a, b, f"{where}[{label}]")
    return where, old, new


def _set_text(variant) -> str:
    """A model variant as the ``PATH=VALUE`` of its ``--set`` options (``"none"`` without one)."""
    if not variant:
        return "none"
    return ", ".join(f"{path}={value}" for path, value in sorted(dict(variant).items()))


def _brief(value, width: int = 60) -> str:
    """``value`` of a stored spec as JSON, cut to ``width`` characters (``"none"``: no such entry)."""
    text = "none" if value is _ABSENT else json.dumps(value, default=str)
    return text if len(text) <= width else text[:width - 3] + "..."


@contextlib.contextmanager
def _output_folder(out: Path):
    """Create ``out`` when work starts; if the work fails, remove the folders this run created and
    left empty (a refused run leaves no empty output folder; kept work, e.g. a cohort store, stays),
    and a store of kept work that keeps no finished item (:func:`_remove_if_nothing_kept`: a cohort
    that failed before its first patient finished)."""
    absolute = out.absolute()
    created = [p for p in (absolute, *absolute.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # say which option names the folder (the OS names only the path)
        raise OSError(f"cannot create the output folder --out {out}: {e.strerror}") from None
    try:
        yield out
    except BaseException:
        for store in _STORE_LAYOUTS:
            _remove_if_nothing_kept(out / store)
        for folder in created:  # innermost first
            try:
                folder.rmdir()  # only if empty
            except OSError:
                break
        raise


def _kept(store: Path) -> list[Path]:
    """The finished items that the store of kept work ``store`` (a name of :data:`_STORE_LAYOUTS`)
    holds: what ``--resume`` continues.  Its code record (written before the first item), lock,
    temporaries and items set aside as unreadable are none."""
    keeper = ResultStore(store, _STORE_LAYOUTS[store.name])
    return [keeper.file(*key) for key in sorted(keeper.done())]


def _counted(n: int, plural: str) -> str:
    """``"1 patient"``, ``"2 patients"``."""
    return f"{n} {plural[:-1] if n == 1 and plural.endswith('s') else plural}"


def _later_work(store: Path) -> tuple[list[Path], list[Path]]:
    """The finished items of the store of kept work ``store`` (:func:`_kept`), and those of them
    that are an interrupted run's work: all of them without a ``results.nc`` beside the store, else
    those modified after it.  A run writes its items before its ``results.nc``, and a later run that
    started afresh removed the store first, so an item newer than the result belongs to a later run
    that has not finished.  (A record written when a run ends would be missing from every folder of
    an earlier painsim.)  A copy that does not keep the files' times may make a finished run's items
    look newer: the store is then refused, never removed."""
    kept = _kept(store)
    result = store.parent / "results.nc"
    if not result.is_file():
        return kept, kept
    written = result.stat().st_mtime_ns
    return kept, [p for p in kept if p.is_file() and p.stat().st_mtime_ns > written]


def _refuse_later_work(store: Path) -> list[Path]:
    """Refuse a run without ``--resume`` into the output folder of the store of kept work ``store``
    when the store holds an interrupted run's finished items (:func:`_later_work`); else return the
    finished items it holds (a finished run's, which a run afresh removes)."""
    kept, later = _later_work(store) if store.is_dir() else ([], [])
    if later:
        result = store.parent / "results.nc"
        since = f", written after the earlier run's result {result}" if result.is_file() else ""
        which = _counted(len(later), f"finished {store.name}")
        raise UsageError(f"--out {store.parent} holds an interrupted run's {which} ({store}{since}): --resume "
                         f"continues them; give another --out, or remove {store} to start afresh")
    return kept


def _remove_if_nothing_kept(store: Path) -> bool:
    """Remove the store of kept work ``store`` if it keeps no finished item (:func:`_kept`): an empty
    store is no interrupted run's work.  The store's own rule decides
    (:meth:`painsim.parallel.ResultStore.remove_if_empty`: its code record goes with it, any other
    file keeps it; the temporaries a killed writer left are removed by the next run that opens it,
    holding its lock).  Returns whether it was removed."""
    if not store.is_dir() or _kept(store):
        return False
    return ResultStore(store, _STORE_LAYOUTS[store.name]).remove_if_empty()


def _remove_leftovers(folder: Path, targets) -> list[Path]:
    """Remove, in ``folder``, the temporaries (:data:`_TEMPORARY`) that a killed writer left of the
    files ``targets`` (glob patterns of file names): never any other file.  Returns the removed paths."""
    if not folder.is_dir():
        return []
    removed = []
    for path in folder.iterdir():
        m = _TEMPORARY.fullmatch(path.name)
        if (m and m["ext"] in (None, Path(m["target"]).suffix) and path.is_file()
                and any(fnmatch.fnmatchcase(m["target"], t) for t in targets)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _clear_for(out: Path, result: str | None, beside) -> bool:
    """Before a command writes ``result`` (a file name; None: none) and the files ``beside`` it (glob
    patterns of names) into ``out``: remove the temporaries a killed writer left of them and, when
    ``result`` replaces an earlier one, the earlier files beside it, so that an interruption before
    they are written again leaves none of them beside the new result (missing figures are honest,
    stale ones are not).  Returns whether an earlier result is replaced."""
    _remove_leftovers(out, [*([result] if result else []), *beside])
    replacing = result is not None and (out / result).is_file()
    if replacing:
        for pattern in beside:
            for path in out.glob(pattern):
                if path.is_file():
                    path.unlink(missing_ok=True)
    return replacing


def _write_outputs(ds, out: Path, name: str, figures, tables=()):
    """Save ``ds`` as ``results.nc`` (if given; the result of experiment ``name``) and each figure as
    ``<name>_<kind>.png``, atomically.  The figures of ``name`` and the ``tables`` (file names, written
    by the caller afterwards) of an earlier result go before the new one replaces it
    (:func:`_clear_for`).  ``figures``: a dict, or a function returning one, called once the result
    is saved (a figure that cannot be drawn does not lose a simulated result)."""
    plots = _plots()
    _clear_for(out, "results.nc" if ds is not None else None, [f"{glob.escape(name)}_*.png", *tables])
    result = io.save(ds.assign_attrs({files.RESULT_OF: name}), out / "results.nc") if ds is not None else None
    figures = figures() if callable(figures) else figures
    drawn = [plots.save_figure(fig, out / f"{name}_{kind}.png") for kind, fig in figures.items()]
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


def _cohort_table(ds, out: Path) -> dict:
    """Write the patient table of the cohort result ``ds`` (``patients.csv``, every variable over
    ``patient`` alone: :func:`painsim.cohort.from_dataset`) into ``out`` atomically; ``{"patients": path}``."""
    table = out / _TABLES["cohort"][0]
    with io.atomic_path(table) as tmp:
        from_dataset(ds).to_csv(tmp)
    return {"patients": table}


def _print_cohort(ds, out: Path) -> dict:
    """Write the patient table (``patients.csv``) and print the statistics beside the published ones."""
    table = _cohort_table(ds, out)
    _print_lines(files.cohort_rows(ds))
    return table


#: Writers of the tables (:data:`_TABLES`) of a kind of result: each writes them from the result
#: alone, so ``painsim figures`` writes a saved result's tables again with its figures.
_TABLE_WRITERS = {"cohort": _cohort_table}


def _tables_kind(ds) -> str | None:
    """The kind of a saved result whose run wrote tables beside its figures (a key of
    :data:`_TABLE_WRITERS`), else None."""
    return "cohort" if is_cohort_result(ds) else None


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
