"""The ``painsim`` command: parses, calls the API, writes files and figures.

Experiment files of every kind run through the one dispatch of :mod:`painsim.files`; figures come from
:mod:`painsim.plots`, imported only by the commands that draw (matplotlib is heavy: ``--help`` stays fast)."""
from __future__ import annotations

import argparse
import contextlib
import importlib
import shutil
import shlex
import sys
import time
from pathlib import Path

from . import files, io, protocols, validation
from .cohort import from_dataset
from .course import run_course_file
from .errors import PainsimError, PathError, UsageError
from .params import OVERRIDES_ENV, builtin_models, load_model, model_overrides, overrides_text, overriding
from .sweep import load_spec, run_sweep
from .version import __version__

__all__ = ["main", "build_parser"]

#: Shown by ``painsim --help``: the commands of the README.
EXAMPLES = """examples:
  painsim run experiments/gate_control.toml               gate control: 47 degC heat, + A-beta stimulation, inhibition blocked
  painsim run experiments/rtms_cohort.toml --n-patients 200 --workers 2 --resume
  painsim course experiments/rtms_course.toml             20 Hz M1 rTMS course in central post-stroke pain vs sham
  painsim sweep experiments/scs_frequency_sweep.toml --workers 2 [--resume]
  painsim figures painsim-out/gate_control/results.nc     redraw the figures of a saved result
  painsim models                                          built-in models, experiments (and their commands), protocols
  painsim export painsim-out/gate_control/results.nc --neo spikes.nwb   spike trains for Neo/Elephant/NWB

Every command takes --seed and --out; 'painsim COMMAND --help' lists its options."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``painsim: error: ...``, exit code 2), like painsim's."""

    def error(self, message):
        raise UsageError(f"{message} (see '{self.prog} --help')")


#: KeyboardInterrupt argument of a command that has already said what an interruption kept.
_REPORTED = "reported"
#: Folder of a `painsim sweep` output folder that holds the sweep's store.
_SWEEP_STORE = "store"


def _whole(lo: int, what: str, hi: int = 2**63 - 1):
    """An argparse type: a whole number in ``[lo, hi]`` (int64: it is saved with the results)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is not allowed: expected {what}")
        return value
    parse.__name__ = what
    return parse


_SEED = _whole(0, "a seed (whole number >= 0)")
_AT_LEAST_ONE = _whole(1, "a whole number >= 1")
_AT_LEAST_ZERO = _whole(0, "a whole number >= 0 (0: this process)")


def _plots():
    """:mod:`painsim.plots`, imported on first use (it imports matplotlib)."""
    return importlib.import_module("painsim.plots")


def _out_path(args, name: str, result: bool = False, sweep: bool = False) -> Path:
    """The output folder (not created): ``--out``, or ``painsim-out/<name>``; an existing file is refused,
    and for a ``result`` or a ``sweep`` a folder holding another result (:func:`painsim.files.earlier_result`)."""
    out = Path(args.out) if args.out else Path("painsim-out") / name
    if out.exists() and not out.is_dir():
        raise PathError(f"--out {out} is a file, not a folder")
    if (result or sweep) and files.earlier_result(out, name, sweep=sweep):
        print(f"painsim: note: the earlier result of {name!r} in {out} is replaced when this run ends", flush=True)
    return out


@contextlib.contextmanager
def _output_folder(out: Path):
    """Create ``out`` when work starts; if the work fails, remove the folders this run created and
    left empty (a refused run leaves no empty output folder; kept work, e.g. a cohort store, stays)."""
    absolute = out.absolute()
    created = [p for p in (absolute, *absolute.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # say which option names the folder (the OS names only the path)
        raise OSError(f"cannot create the output folder --out {out}: {e.strerror}") from None
    try:
        yield out
    except BaseException:
        for folder in created:  # innermost first
            try:
                folder.rmdir()  # only if empty
            except OSError:
                break
        raise


def _write_outputs(ds, out: Path, name: str, figures: dict):
    """Save ``ds`` as ``results.nc`` (if given; the result of experiment ``name``) and each figure as
    ``<name>_<kind>.png``, atomically; figures of ``name`` that an earlier run drew and this one did not
    are removed (they showed the result replaced)."""
    plots, replacing = _plots(), ds is not None and (out / "results.nc").is_file()  # checked: name's own
    result = io.save(ds.assign_attrs({files.RESULT_OF: name}), out / "results.nc") if ds is not None else None
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


def _store_options(args, store: Path) -> dict:
    """Options of a kind that keeps finished work in ``store``: resume it or start afresh."""
    resume = getattr(args, "resume", False)
    if store.exists() and not resume:
        print(f"painsim: starting afresh (the {store.name} of the previous run in {store} are removed; "
              "--resume continues them instead)", flush=True)
        shutil.rmtree(store)
    return dict(n_patients=getattr(args, "n_patients", None), workers=getattr(args, "workers", None),
                store=store, resume=resume)


def _patient_options(args) -> dict:
    """``n_patients`` for a kind of virtual patients without a store (course, tolerance), if given."""
    n = getattr(args, "n_patients", None)
    return {} if n is None else {"n_patients": n}


def _check_run_options(args, kind: str) -> None:
    """``--workers`` and ``--resume`` belong to kinds that keep finished work (cohorts); ``--n-patients``
    to kinds of virtual patients (cohort, course and tolerance files)."""
    taken = files.KINDS[kind].options
    given = [flag for flag, option, value in (
        ("--n-patients", "n_patients", getattr(args, "n_patients", None)),
        ("--workers", "workers", getattr(args, "workers", None)),
        ("--resume", "resume", getattr(args, "resume", False) or None)) if value is not None and option not in taken]
    if given:
        verb = "does" if len(given) == 1 else "do"
        raise UsageError(f"{', '.join(given)} {verb} not apply to a {kind} file ({args.file}); "
                         "--n-patients applies to cohort, course and tolerance files, --workers and --resume "
                         "to cohort files")


def cmd_run(args) -> int:
    kind = files.check_command(args.file, "run")
    if kind == "course":  # the same run and output as `painsim course FILE`
        _check_run_options(args, kind)
        return cmd_course(args)
    spec = files.load_experiment(args.file)
    kind = files.kind_of(spec)
    _check_run_options(args, kind)
    name = spec["experiment"].get("name", Path(args.file).stem)
    out = _out_path(args, name, result=True)
    print(f"painsim: running {files.describe(spec, name)} from {spec['_path']}", flush=True)
    t0 = time.time()
    store = files.KINDS[kind].store
    with _output_folder(out):
        options = _store_options(args, out / store) if store else _patient_options(args)
        try:
            ds = files.run_experiment(spec, seed=args.seed, progress=True, **options)
        except KeyboardInterrupt:
            if store:
                print(f"painsim: interrupted; finished {store} are kept in {out / store}; continue with --resume",
                      file=sys.stderr)
                raise KeyboardInterrupt(_REPORTED) from None
            raise
        print(f"painsim: simulated in {time.time() - t0:.1f} s", flush=True)
        _provenance(ds, args)
        result, figures = _write_outputs(ds, out, name, _figures(kind, ds, spec))
        _print_paths(result, figures, **_SUMMARIES[kind](ds, out))
    return 0


def cmd_models(args) -> int:
    print("built-in models (painsim.load_model(NAME), or model = \"NAME\" in an experiment file):")
    for name in builtin_models():
        desc = load_model(name).leaves.get("model.description")
        print(f"  {name:32s} {desc.si if desc else ''}")
    print("built-in experiments (kind, the command that runs it, description):")
    for e in files.catalog():
        print(f"  {e['name']:32s} {e['kind']:13s} {e['command']:42s} {e['description']}")
    print("protocol library (painsim.protocols.get(NAME); a sham of each: NAME_sham):")
    for name in protocols.names():
        print(f"  {name:32s} {protocols.get(name).description}")
    return 0


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


def cmd_sweep(args) -> int:
    files.check_command(args.spec, "sweep")
    spec = load_spec(args.spec, seed=args.seed)
    out = _out_path(args, spec.name, sweep=True)
    store = out / _SWEEP_STORE
    n = len(spec.points()) * spec.n_repeats
    workers = args.workers if args.workers is not None else spec.workers  # --workers, else the file's
    where = sweep_destination(workers, args.scheduler)
    print(f"painsim: sweep {spec.name!r}: {n} runs ({len(spec.points())} points x {spec.n_repeats} seed{'s' * (spec.n_repeats != 1)}) "
          f"on {where}; store {store.absolute()}", flush=True)
    t0 = time.time()
    with _output_folder(out):
        try:
            ds = run_sweep(spec, store=store, workers=args.workers, scheduler=args.scheduler,
                           resume=args.resume, batch_size=args.batch_size, progress=True,
                           attrs={"command": args.command_line})
        except KeyboardInterrupt:
            print(f"painsim: interrupted; finished points are kept in {store}; continue with --resume",
                  file=sys.stderr)
            raise KeyboardInterrupt(_REPORTED) from None
        print(f"painsim: {ds.attrs['n_done']} done, {ds.attrs['n_failed']} failed in {time.time() - t0:.1f} s",
              flush=True)
        if ds.attrs["n_failed"]:
            first = next((e for e in ds["error"].values.ravel() if e), None)
            if first:
                print(f"painsim: first failure: {first}", file=sys.stderr)
        _, figures = _write_outputs(None, out, spec.name, _plots().sweep_figures(ds))
    _print_paths(store / "result.nc", figures)
    return 0 if not ds.attrs["n_failed"] else 1


def cmd_course(args) -> int:
    files.check_command(args.file, "course")
    spec = files.load_experiment(args.file)  # the protocol is checked before the course starts
    name = spec.get("experiment", {}).get("name", Path(spec["_path"]).stem)
    out = _out_path(args, name, result=True)
    with _output_folder(out):  # created (or refused: unwritable) before the course runs, not after it
        t0 = time.time()
        print(f"painsim: running course {args.file!r}", flush=True)
        ds = run_course_file(spec["_path"], seed=args.seed, progress=True,
                             n_patients=getattr(args, "n_patients", None))
        print(f"painsim: simulated in {time.time() - t0:.1f} s", flush=True)
        _provenance(ds, args)
        result, figures = _write_outputs(ds, out, name, _plots().course_figures(ds))
    _print_lines(files.course_rows(ds))
    _print_paths(result, figures)
    return 0


def _load_results(path) -> tuple:
    """The checked path of a saved result (file, run output folder, sweep store or output folder) and its Dataset."""
    path = files.results_file(path)
    try:
        return path, io.load(path)
    except (OSError, ValueError) as e:
        raise PathError(f"cannot read {path} as a painsim result: {e}") from None


def cmd_figures(args) -> int:
    path, ds = _load_results(args.file)
    # by default beside the result; a `painsim sweep` store's figures go where that command put them
    in_sweep_output = "sweep" in ds.attrs and path.parent.name == _SWEEP_STORE
    out = Path(args.out) if args.out else (path.parent.parent if in_sweep_output else path.parent)
    if out.exists() and not out.is_dir():
        raise PathError(f"--out {out} is a file, not a folder")
    figures = _plots().figures_for(ds)  # refuses a Dataset it cannot draw before anything is written
    stem = files.result_name(ds.attrs) or ds.attrs.get("sweep") or path.stem
    with _output_folder(out):
        _print_paths(None, _write_outputs(None, out, stem, figures)[1])
    return 0


#: Neo's writers by extension (:func:`painsim.io.write_neo`) and the package each needs.
_NEO_FORMATS = (".nwb", ".nix", ".pkl")  # painsim.io.write_neo checks the writer's package


def cmd_export(args) -> int:
    target = Path(args.neo)
    if args.out:  # --out is the folder a relative --neo name is written in, as every command's --out
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise PathError(f"--out {out} is a file, not a folder")
        if target.is_absolute():
            raise UsageError(f"--neo {target} is an absolute path: --out {out} names the folder of a relative "
                             "--neo name; give one or the other")
        target = out / target
    if target.suffix not in _NEO_FORMATS:
        raise UsageError(f"--neo {target}: expected a file name ending in one of {', '.join(_NEO_FORMATS)}")
    if target.is_dir():
        raise PathError(f"--neo {target} is a folder, not a file name")
    path, ds = _load_results(args.file)
    if "spike_time" not in ds or "population_size" not in ds or "duration_s" not in ds.attrs:
        raise PathError(f"{path} holds no spike trains (course, cohort and sweep results keep summaries only); "
                        "export the results.nc of 'painsim run' on a conditions experiment")
    if args.out:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        written = io.write_neo(ds, target, per=args.per)
    except OSError as e:
        raise OSError(f"cannot write {target}: {e}") from e
    print(f"painsim: neo      {written.resolve()} ({ds.sizes.get('spike', 0)} spikes, one "
          f"SpikeTrain per {args.per})")
    return 0


def _provenance(ds, args) -> None:
    """Write the command line, and the model overrides in force (``validate --set``), into
    ``ds``'s attributes: every saved file says how it was made."""
    ds.attrs["command"] = getattr(args, "command_line", "")
    variant = model_overrides()
    if variant:
        ds.attrs["model_overrides"] = overrides_text(variant)


def _assignment(text: str) -> tuple[str, object]:
    """``PATH=VALUE`` of ``--set``: the value as a number or boolean when it reads as one, else
    text (a quantity with units, e.g. ``"1140 Hz"``, or a word); the model checks it."""
    path, sep, value = text.partition("=")
    if not sep or not path.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: expected PATH=VALUE, e.g. dorsal_horn.synapse.c_gain=0.5")
    value = value.strip()
    if value.lower() in ("true", "false"):
        return path.strip(), value.lower() == "true"
    try:
        return path.strip(), float(value) if any(c in value for c in ".eE") else int(value)
    except ValueError:
        return path.strip(), value


def _variant(args) -> dict:
    """The model variant of ``--set PATH=VALUE`` (``{}`` without it); a path given twice is refused."""
    paths = [path for path, _ in getattr(args, "set", None) or []]
    twice = sorted({path for path in paths if paths.count(path) > 1})
    if twice:
        raise UsageError(f"--set {twice[0]} is given more than once: set each parameter once")
    return dict(getattr(args, "set", None) or [])


def _add_set(parser, what: str) -> None:
    """``--set PATH=VALUE`` (repeatable) on a sub-command: a model variant for ``what``."""
    parser.add_argument("--set", action="append", type=_assignment, metavar="PATH=VALUE", default=None,
                        help=f"{what}: set this model parameter in every model loaded (repeatable; e.g. --set "
                             "dorsal_horn.synapse.c_gain=0.5 --set 'dorsal_horn.background.rate=1140 Hz'); "
                             "recorded in the files written")


def cmd_validate(args) -> int:
    """Measure the validation targets; print the model-vs-published table and write it
    (``validation.nc``, ``validation.md``) into the output folder."""
    if args.list:
        for t in validation.TARGETS:
            print(f"  {t.name:26s} {t.cost:5s} {t.status:11s} {t.what}")
        return 0
    chosen = validation.select(args.only, args.slow)  # unknown names are refused before any work
    seeds = _seeds(args)  # a bad seed list, or --seeds with --seed or --compare, is refused before any work
    out = _out_path(args, "validation")
    baseline = (validation.read_result(args.compare, "--compare") if getattr(args, "compare", None)
                else None)  # a bad baseline is refused before any work
    seed = 1 if args.seed is None else args.seed
    with overriding(_variant(args)) as variant:  # bad paths and values are refused here, before any work
        print(f"painsim: validating {len(chosen)} targets (seed{'s' if seeds else ''} "
              f"{' '.join(map(str, seeds)) if seeds else seed})"
              + (f" on every model with {overrides_text(variant)}" if variant else ""), flush=True)
        if seeds:
            return _validate_seeds(args, chosen, out, seeds, overrides_text(variant) if variant else "")
        return _validate(args, chosen, out, seed, overrides_text(variant) if variant else "", baseline)


def _seeds(args) -> list[int]:
    """``--seeds``: at least two different seeds, and neither ``--seed`` nor ``--compare`` beside
    them ([] without ``--seeds``)."""
    seeds = list(getattr(args, "seeds", None) or [])
    if not seeds:
        return []
    if args.seed is not None or args.compare:
        raise UsageError(f"--seeds cannot be combined with {'--seed' if args.seed is not None else '--compare'}: "
                         "--seeds runs one validation per seed and sets them side by side")
    twice = sorted({s for s in seeds if seeds.count(s) > 1})
    if twice or len(seeds) < 2:
        raise UsageError(f"--seeds {' '.join(map(str, seeds))}: give at least two different seeds "
                         "(one run at one seed: --seed)")
    return seeds


def _validate_seeds(args, chosen, out, seeds, variant: str = "") -> int:
    """``--seeds``: one validation run per seed into ``<out>/seed_<s>`` (each resumable as a run of
    its own; with ``--resume`` a finished one of this code and variant is kept), then the targets
    over the seeds, printed and written to ``seeds.md`` and ``seeds.nc`` in ``out``."""
    names = [t.name for t in chosen]
    if not args.resume:  # an interrupted seed is refused before any seed is measured
        validation.refuse_interrupted(out, seeds)
    runs, finished = [], []
    try:
        for seed in seeds:
            folder = out / f"seed_{seed}"
            run = validation.kept_run(folder, names, seed, variant) if args.resume else None
            print(f"painsim: seed {seed}" + ("" if run is None else f": kept the finished run in {folder}"), flush=True)
            if run is None:
                _validate(args, chosen, folder, seed, variant, table=False)
                run = validation.read_result(folder, f"the run of seed {seed}")
            runs.append(run.sel(target=names))
            finished.append(seed)
    except BaseException:
        if finished:
            print(f"painsim: seed(s) {' '.join(map(str, finished))} finished in {out}/seed_*; --resume keeps them",
                  file=sys.stderr)
        raise
    spread = validation.across_seeds(runs)
    _provenance(spread, args)
    lines = [validation.seed_header(spread), ""] + validation.seed_rows(spread)
    result, table = io.save(spread, out / "seeds.nc"), _write_lines(out / "seeds.md", lines)
    _print_lines(lines)
    _print_paths(result, [], table=table)
    return 0


def _validate(args, chosen, out, seed, variant: str = "", baseline=None, table: bool = True) -> int:
    slow = [t.name for t in chosen if t.cost == "slow"]
    if slow and not args.slow:  # named with --only: say they take minutes
        print(f"painsim: {', '.join(slow)} {'is' if len(slow) == 1 else 'are'} slow (minutes each: courses, "
              "cohorts or long resting windows)", flush=True)
    with _output_folder(out):
        store = out / "targets"  # each finished target, until the table is written (--resume)
        try:
            from_run = validation.finished_targets(out, seed, variant) if args.resume else None
            ds = validation.validate([t.name for t in chosen], seed=seed, progress=lambda line: print(line, flush=True),
                                     store=store, resume=args.resume, workers=args.workers, finished_run=from_run)
        except BaseException as e:
            kept = validation.kept_targets(store)
            if kept:
                print(f"painsim: {'interrupted' if isinstance(e, KeyboardInterrupt) else 'stopped'}; {kept} measured "
                      f"target(s) are kept in {store}; continue with --resume", file=sys.stderr)
            if isinstance(e, KeyboardInterrupt) and kept:  # said once, with what was kept
                raise KeyboardInterrupt(_REPORTED) from None
            raise
        _provenance(ds, args)
        rows = validation.table_rows(ds)
        result = io.save(ds, out / "validation.nc")
        table = out / "validation.md"
        # the table says which model it measured: seed, and the variant of every model, if any
        header = f"painsim {__version__}, seed {seed}" + (f", every model with {variant}" if variant else "")
        _write_lines(table, [header, ""] + rows)
        plots = _plots()
        figure = plots.save_figure(plots.validation_figure(ds), out / "validation.png")
        validation.forget_measured(store, [t.name for t in chosen])
    if table:  # (--seeds prints the table over the seeds instead)
        _print_lines(validation.table_rows(ds, sources=False))
    verdicts = list(ds["verdict"].values)
    print(f"painsim: {verdicts.count('yes')} reproduced, {verdicts.count('no')} not, "
          f"{verdicts.count('n/a')} without a published range")
    others = {"table": table}
    compared = out / "comparison.md"
    if baseline is not None:
        others["compared"] = _write_comparison(baseline, args.compare, ds, compared)
    else:
        compared.unlink(missing_ok=True)  # an earlier run's comparison does not describe this run
    _print_paths(result, [figure], **others)
    return 0


def _write_comparison(baseline, baseline_path, ds, path: Path) -> Path:
    """``--compare``: this run beside the baseline, printed and written to ``path``."""
    cmp = validation.compare(baseline, ds)
    lines = validation.comparison_header(cmp, baseline_path) + [""] + validation.comparison_rows(cmp)
    _print_lines(lines)
    return _write_lines(path, lines)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``painsim`` command (one sub-command per job)."""
    p = _Parser(prog="painsim", description="Simulate pain gating and neuromodulation.", epilog=EXAMPLES,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"painsim {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run an experiment file (TOML) and write results and figures")
    run.add_argument("file", help="experiment TOML file or built-in experiment name")
    run.add_argument("--n-patients", type=_AT_LEAST_ONE, default=None,
                     help="cohort, course and tolerance files: patients (overrides the file's)")
    run.add_argument("--workers", type=_AT_LEAST_ONE, default=None,
                     help="cohort files: worker processes (overrides the file's)")
    run.add_argument("--resume", action="store_true",
                     help="cohort files: continue an interrupted cohort in --out (finished patients are kept)")
    models = sub.add_parser("models", help="list built-in models, experiments (with their commands) and protocols")
    figures = sub.add_parser("figures", help="redraw the figures of a saved result (results.nc or a sweep store)")
    figures.add_argument("file", help="results.nc written by painsim run/course, or a sweep output folder or store")
    figures.add_argument("--seed", type=_SEED, default=None, help="unused (accepted like every command)")
    figures.add_argument("--out", default=None, help="output folder (default: beside the results)")
    figures.set_defaults(func=cmd_figures)
    sweep = sub.add_parser("sweep", help="run a parameter sweep (TOML) into a resumable store, with figures")
    sweep.add_argument("spec", help="sweep TOML file or built-in experiment name")
    sweep.add_argument("--resume", action="store_true", help="continue an interrupted sweep in --out")
    sweep.add_argument("--workers", type=_AT_LEAST_ZERO, default=None,
                       help="worker processes (0: this process; default: all CPUs; Dask workers with --scheduler local)")
    sweep.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:8786) or 'local'")
    sweep.add_argument("--batch-size", type=_AT_LEAST_ONE, default=None,
                       help="points per brian2 network (default: the spec's)")
    sweep.set_defaults(func=cmd_sweep)
    course = sub.add_parser("course", help="run a treatment-course file (TOML) and write results and figures")
    course.add_argument("file", help="course TOML file or built-in experiment name")
    course.add_argument("--n-patients", type=_AT_LEAST_ONE, default=None, help="patients (overrides the file's)")
    course.set_defaults(func=cmd_course)
    export = sub.add_parser("export", help="write the spike trains of a saved result as a Neo file (NWB, NIX, pickle)")
    export.add_argument("file", help="results.nc with spikes (painsim run on a conditions experiment)")
    export.add_argument("--neo", required=True, metavar="OUT", help="output file: OUT.nwb, OUT.nix or OUT.pkl")
    export.add_argument("--per", choices=io.NEO_PER, default="neuron",
                        help="one SpikeTrain per neuron (default) or per population")
    export.add_argument("--seed", type=_SEED, default=None, help="unused (accepted like every command)")
    export.add_argument("--out", default=None, help="folder for a relative --neo name (default: the current folder)")
    export.set_defaults(func=cmd_export)
    val = sub.add_parser("validate", help="measure the model against published figures and print the table")
    val.add_argument("--only", nargs="+", action="extend", metavar="TARGET", default=None,
                     help="run only these targets (repeatable, or separated by commas: --only A B --only C and --only A,B,C run all three)")
    val.add_argument("--slow", action="store_true", help="also run the slow targets (courses, the cohort, resting steady states, 0.1-Hz wind-up, "
                     "LTP/LTD, maintained, tonic and ramped heat, the QST threshold spread; --list marks them)")
    val.add_argument("--list", action="store_true", help="list the targets and exit")
    val.add_argument("--seed", type=_SEED, default=None, help="seed of every measurement (default 1)")
    val.add_argument("--out", default=None, help="output folder (default: painsim-out/validation)")
    val.add_argument("--resume", action="store_true",
                     help="continue an interrupted run in --out (its finished targets are kept, not measured again; "
                          "so are those of a finished run there of this code, seed and variant, e.g. to add --slow)")
    val.add_argument("--workers", type=_AT_LEAST_ZERO, default=0,
                     help="worker processes measuring targets side by side (default 0: this process)")
    val.add_argument("--compare", default=None, metavar="BASELINE",
                     help="after the run, set it beside an earlier one (its validation.nc, or its folder): per "
                          "target both values and which lies closer to the published figure; written to "
                          "comparison.md")
    val.add_argument("--seeds", type=_SEED, nargs="+", default=None, metavar="SEED",
                     help="one run per seed (into <out>/seed_<s>), then the targets over the seeds: values, "
                          "verdicts and which verdicts depend on the seed; written to seeds.md (seeds 100 "
                          "apart share no circuits: --seeds 1 101 201)")
    _add_set(val, "measure a model variant")
    val.set_defaults(func=cmd_validate)
    for s, what in ((run, "run a model variant"), (sweep, "sweep a model variant"), (course, "treat a model variant")):
        _add_set(s, what)
    for s in (run, sweep, course):
        s.add_argument("--seed", type=_SEED, default=None, help="seed (overrides the file's)")
        s.add_argument("--out", default=None, help="output folder (default: painsim-out/<name>)")
    models.add_argument("--seed", type=_SEED, default=None, help="unused (accepted like every command)")
    models.add_argument("--out", default=None, help="unused: the list is printed (accepted like every command)")
    run.set_defaults(func=cmd_run)
    models.set_defaults(func=cmd_models)
    return p


def main(argv=None) -> int:
    """Run the ``painsim`` command with ``argv`` (default: the process's); returns the exit code.

    Bad input (paths, arguments, files) is reported on one line, ``painsim: error: ...``,
    with exit code 2 and no traceback, before any work starts.  A failure to write
    (unwritable ``--out``, full disk) is reported the same way with exit code 1.
    """
    try:
        args = build_parser().parse_args(argv)
        # provenance: the command line is written into every file the command saves
        args.command_line = "painsim " + shlex.join(sys.argv[1:] if argv is None else list(argv))
        if args.func is cmd_validate:  # validate applies and prints its own --set
            return args.func(args)
        assignments = _variant(args)  # bad paths and values are refused by overriding, before any work
        with overriding(assignments) if assignments else contextlib.nullcontext(model_overrides()) as variant:
            if variant:
                print(f"painsim: note: every model is loaded with {OVERRIDES_ENV}={overrides_text(variant)}",
                      file=sys.stderr, flush=True)
            return args.func(args)
    except SystemExit as e:  # --help, --version
        return e.code if isinstance(e.code, int) else 0
    except PainsimError as e:
        print("painsim: error: " + " ".join(str(e).split()), file=sys.stderr)
        return 2
    except OSError as e:
        print("painsim: error: " + " ".join(str(e).split()), file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        if e.args != (_REPORTED,):  # a command that said what was kept has already reported it
            print("painsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
