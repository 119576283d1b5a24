"""The ``painsim`` command: parses, calls the API, writes files and figures.

Experiment files of every kind run through the one dispatch of :mod:`painsim.files`; figures come from
:mod:`painsim.plots`, imported only by the commands that draw (matplotlib is heavy: ``--help`` stays fast).

The package is split by responsibility:

============================  ==============================================================
module                        contents
============================  ==============================================================
this module                   :func:`build_parser`, :func:`main` and the commands that run
                              or list: ``run``, ``course``, ``sweep``, ``models``
:mod:`.options`               the parser class, argument types, ``--set PATH=VALUE``, the
                              options ``painsim run`` takes per kind of file
:mod:`.output`                output folders, written results and figures, printed paths
                              and summaries, provenance attributes
:mod:`.saved`                 the commands on saved results: ``figures``, ``export``
:mod:`.validate`              ``painsim validate`` and its ``--seeds`` and ``--compare`` runs
============================  ==============================================================

``run``, ``course`` and ``sweep`` stay in this module with the parser that
dispatches to them: the functions they call (``run_sweep``,
``run_course_file``, :func:`cmd_course`) are looked up here, where tests
replace them.  ``python -m painsim.cli`` runs :func:`main`
(``painsim/cli/__main__.py``).
"""
from __future__ import annotations

import argparse
import contextlib
import shlex
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

from .. import files, io, protocols
from ..course import run_course_file
from ..errors import PainsimError
from ..params import OVERRIDES_ENV, builtin_models, load_model, model_overrides, overrides_text, overriding
from ..parallel import ResultStore, worker_count
from ..sweep import check_run_settings, load_spec, run_sweep
from ..sweep.run import requested_workers
from ..version import __version__
from .options import (EXAMPLES, _AT_LEAST_ONE, _AT_LEAST_ZERO, _SEED, _Parser, _folder, _add_set, _check_run_options,
                      _patient_options, _store_options, _variant)
from .output import (_REPORTED, _SUMMARIES, _SWEEP_STORE, _TABLES, _check_sweep_store, _counted, _figures, _kept,
                     _out_path, _output_folder, _plots, _print_lines, _print_paths, _provenance, _write_outputs,
                     sweep_destination)
from .saved import cmd_export, cmd_figures
from .validate import cmd_validate

__all__ = ["main", "build_parser"]


def cmd_run(args) -> int:
    """``painsim run FILE``: run an experiment file and write its results, figures and summary.

    A course file runs as ``painsim course`` (:func:`cmd_course`).  Any other
    kind runs through :func:`painsim.files.run_experiment` into the output
    folder (``--out``, default ``painsim-out/<name>``): ``results.nc`` (its
    attributes record the command line and the model overrides in force), the
    figures the file names or its kind's standard ones, and the kind's
    summary, printed (a cohort also writes ``patients.csv``).  A cohort keeps
    its finished patients in the folder's store; ``--resume`` continues them.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``run`` sub-command (:func:`build_parser`): ``file``,
        ``seed``, ``out``, ``n_patients``, ``workers``, ``resume``, ``set``,
        and ``command_line`` (set by :func:`main`).

    Returns
    -------
    int
        The exit code, 0.

    Raises
    ------
    painsim.errors.UsageError
        ``--n-patients``, ``--workers`` or ``--resume`` for a kind of file
        that does not take it; without ``--resume``, a cohort store in
        ``--out`` holding an interrupted run's patients.
    painsim.errors.PathError
        A file for another command (the message names it), ``--out`` is a
        file, or it holds another result (a sweep's, a validation run's,
        another experiment's: :func:`painsim.files.earlier_result`).
    painsim.errors.ParameterError, painsim.errors.ModelFileError
        A bad, missing or unreadable experiment file
        (:func:`painsim.files.load_experiment`).
    OSError
        The output folder cannot be created, or a file cannot be written.
    KeyboardInterrupt
        Ctrl-C; for a cohort that kept finished patients, raised with the
        argument ``"reported"`` after saying how many are kept and where.
    """
    kind = files.check_command(args.file, "run")
    if kind == "course":  # the same run and output as `painsim course FILE`
        _check_run_options(args, kind)
        return cmd_course(args)
    spec = files.load_experiment(args.file)
    kind = files.kind_of(spec)
    _check_run_options(args, kind)
    name = spec["experiment"].get("name", Path(args.file).stem)
    out = _out_path(args, name, "run", keeps=files.KINDS[kind].store)
    print(f"painsim: running {files.describe(spec, name)} from {spec['_path']}", flush=True)
    t0 = time.time()
    store = files.KINDS[kind].store
    with _output_folder(out):
        options = _store_options(args, out / store) if store else _patient_options(args)
        try:
            ds = files.run_experiment(spec, seed=args.seed, progress=True, check=False, **options)  # loaded: checked
        except KeyboardInterrupt:
            kept = len(_kept(out / store)) if store else 0
            if kept:  # (a store that keeps nothing is removed: there is nothing to continue)
                print(f"painsim: interrupted; {_counted(kept, 'finished ' + store)} {'is' if kept == 1 else 'are'} "
                      f"kept in {out / store}; continue with --resume", file=sys.stderr)
                raise KeyboardInterrupt(_REPORTED) from None
            raise
        print(f"painsim: simulated in {time.time() - t0:.1f} s", flush=True)
        _provenance(ds, args)
        result, figures = _write_outputs(ds, out, name, lambda: _figures(kind, ds, spec), _TABLES.get(kind, ()))
        _print_paths(result, figures, **_SUMMARIES[kind](ds, out))
    return 0


def cmd_models(args) -> int:
    """``painsim models``: print the built-in models, experiments (with their commands) and protocols.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``models`` sub-command; its ``seed`` and ``out`` are
        accepted and unused.

    Returns
    -------
    int
        The exit code, 0.
    """
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


def cmd_sweep(args) -> int:
    """``painsim sweep FILE``: run a parameter sweep into a resumable store and draw its figures.

    The store is ``<out>/store`` (``--out``, default ``painsim-out/<name>``);
    the first line says how many runs there are and where they go
    (:func:`sweep_destination`).  After the run, the number of finished and
    failed points and the first failure are printed and the sweep's figures
    are written into the output folder.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``sweep`` sub-command (:func:`build_parser`): ``spec``,
        ``seed``, ``out``, ``resume``, ``workers`` (None: the file's),
        ``scheduler``, ``batch_size``, ``set``, and ``command_line`` (set by
        :func:`main`).

    Returns
    -------
    int
        The exit code: 0, or 1 if any point failed.

    Raises
    ------
    painsim.errors.PathError
        A file for another command, ``--out`` is a file, or it holds another
        kind of result (a run's, a validation run's, a store of
        :func:`painsim.run_sweep`) or an unreadable store.
    painsim.errors.UsageError
        ``--out`` holds a sweep's store: without ``--resume``, or (with it)
        of another spec, seed or variant or computed by other code; refused
        before the first line is printed.
    painsim.errors.ParameterError, painsim.errors.ModelFileError
        A bad sweep file (:func:`painsim.sweep.load_spec`; a
        :class:`painsim.errors.SpecError` names the key).
    OSError
        The output folder cannot be created, or a file cannot be written.
    KeyboardInterrupt
        Ctrl-C: raised with the argument ``"reported"`` after saying that
        the finished points are kept in the store.
    """
    files.check_command(args.spec, "sweep")
    spec = load_spec(args.spec, seed=args.seed)
    out = _out_path(args, spec.name, "sweep")
    store = out / _SWEEP_STORE
    _check_sweep_store(out, store, spec, args.resume, args.seed)  # before the first line, in --out/--resume terms
    workers = check_run_settings(spec, args.workers, args.scheduler)  # before the first line; --workers, else the file's
    n = len(spec.points()) * spec.n_repeats
    where = sweep_destination(_sweep_processes(spec, store, args, workers, n), args.scheduler)
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


def _sweep_processes(spec, store: Path, args, workers, n: int):
    """The local worker processes a sweep of ``n`` runs starts (:func:`painsim.parallel.worker_count`:
    never more than its batches, which are cut for one worker per CPU); ``workers`` unchanged
    (None, 0, a bad value for :func:`painsim.run_sweep` to refuse, or Dask workers of a scheduler's)."""
    if args.scheduler not in (None, "local"):
        return workers
    asked = requested_workers(workers, args.scheduler)
    if isinstance(asked, bool) or not isinstance(asked, int) or asked < 1:
        return workers
    done = len(ResultStore(store).done()) if args.resume and store.is_dir() else 0
    return max(worker_count(n - done, args.batch_size or spec.batch_size, asked), 1)


def cmd_course(args) -> int:
    """``painsim course FILE``: run a treatment-course file and write its results and figures.

    The file (and its protocol) is checked and the output folder (``--out``,
    default ``painsim-out/<name>``) made before the course runs
    (:func:`painsim.course.run_course_file`); then ``results.nc``, the course
    figures and the course table (printed) follow.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``course`` (or ``run``) sub-command: ``file``, ``seed``,
        ``out``, ``n_patients`` (None: the file's), ``set``, and
        ``command_line`` (set by :func:`main`).

    Returns
    -------
    int
        The exit code, 0.

    Raises
    ------
    painsim.errors.PathError
        A file for another command, ``--out`` is a file, or it holds another
        result (:func:`painsim.files.earlier_result`).
    painsim.errors.ParameterError, painsim.errors.ModelFileError
        A bad, missing or unreadable course file or protocol.
    OSError
        The output folder cannot be created, or a file cannot be written.
    """
    files.check_command(args.file, "course")
    spec = files.load_experiment(args.file)  # the protocol is checked before the course starts
    name = spec.get("experiment", {}).get("name", Path(spec["_path"]).stem)
    out = _out_path(args, name, "run")
    with _output_folder(out):  # created (or refused: unwritable) before the course runs, not after it
        t0 = time.time()
        print(f"painsim: running course {args.file!r}", flush=True)
        ds = run_course_file(spec["_path"], seed=args.seed, progress=True,
                             n_patients=getattr(args, "n_patients", None))
        print(f"painsim: simulated in {time.time() - t0:.1f} s", flush=True)
        _provenance(ds, args)
        result, figures = _write_outputs(ds, out, name, lambda: _plots().course_figures(ds))
    _print_lines(files.course_rows(ds))
    _print_paths(result, figures)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``painsim`` command (one sub-command per job).

    Returns
    -------
    argparse.ArgumentParser
        Sub-commands ``run``, ``models``, ``figures``, ``sweep``, ``course``,
        ``export`` and ``validate``, each with its ``cmd_*`` function as
        ``func``; its errors raise :class:`painsim.errors.UsageError`.
    """
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
    figures = sub.add_parser("figures", help="redraw the figures of a saved result (results.nc, a sweep store, "
                             "validation.nc)")
    figures.add_argument("file", help="a result file (results.nc of painsim run/course, validation.nc or seeds.nc "
                         "of painsim validate) or the output folder of painsim run, course, sweep or validate, or "
                         "a sweep store")
    figures.add_argument("--seed", type=_SEED, default=None, help="unused (accepted like every command)")
    figures.add_argument("--out", type=_folder, default=None, help="output folder (default: beside the results)")
    figures.set_defaults(func=cmd_figures)
    sweep = sub.add_parser("sweep", help="run a parameter sweep (TOML) into a resumable store, with figures")
    sweep.add_argument("spec", help="sweep TOML file or built-in experiment name")
    sweep.add_argument("--resume", action="store_true", help="continue an interrupted sweep in --out")
    sweep.add_argument("--workers", type=_AT_LEAST_ZERO, default=None,
                       help="worker processes (0: this process; default: the file's workers, else all CPUs; Dask workers with --scheduler local)")
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
    export.add_argument("--out", type=_folder, default=None, help="folder for a relative --neo name (default: the current folder)")
    export.set_defaults(func=cmd_export)
    val = sub.add_parser("validate", help="measure the model against published figures and print the table")
    val.add_argument("--only", nargs="+", action="extend", metavar="TARGET", default=None,
                     help="run only these targets (repeatable, or separated by commas: --only A B --only C and --only A,B,C run all three)")
    val.add_argument("--slow", action="store_true", help="also run the slow targets (courses, the cohort, resting steady states, 0.1-Hz wind-up, "
                     "LTP/LTD, maintained, tonic and ramped heat, the QST threshold spread; --list marks them)")
    val.add_argument("--list", action="store_true", help="list the targets and exit")
    val.add_argument("--seed", type=_SEED, default=None, help="seed of every measurement (default 1)")
    val.add_argument("--out", type=_folder, default=None, help="output folder (default: painsim-out/validation)")
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
        s.add_argument("--out", type=_folder, default=None, help="output folder (default: painsim-out/<name>)")
    models.add_argument("--seed", type=_SEED, default=None, help="unused (accepted like every command)")
    models.add_argument("--out", type=_folder, default=None, help="unused: the list is printed (accepted like every command)")
    run.set_defaults(func=cmd_run)
    models.set_defaults(func=cmd_models)
    return p


_FORMAT_WARNING = warnings.formatwarning


def _painsim_warning(message, category, filename, lineno, line=None) -> str:
    """A warning of painsim's (its text begins ``painsim:``) as one line, without the source line
    that raised it; any other as Python shows it."""
    if str(message).startswith("painsim:"):
        return f"{message}\n"
    return _FORMAT_WARNING(message, category, filename, lineno, line)


def _stop_once(signum, frame) -> None:
    """SIGINT handler of the ``painsim`` program: the first Ctrl-C stops the command (a
    KeyboardInterrupt, whose orderly stop ends the worker processes by pid); later ones, while it
    stops and the interpreter exits (joining its pools' threads), are ignored instead of
    interrupting that stop with a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _quiet_second_interrupt(argv):
    """Install :func:`_stop_once` for the program (``argv`` None, the main thread, Python's own
    handler in place); returns the handler to restore after a command that was not interrupted,
    or None when nothing was installed (a caller's ``main([...])`` keeps its handler)."""
    if argv is not None or threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return None
    return signal.signal(signal.SIGINT, _stop_once)


def _quiet_unused_objects() -> None:
    """After an interruption, the brian2 objects that a stopped simulation built and never ran are
    freed as the program exits: brian2 would warn about each (``unused_brian_object``, dozens of
    lines after "interrupted"); nothing is wrong with them, so the warning is suppressed."""
    brian2 = sys.modules.get("brian2")  # imported only if a simulation was (never imported here)
    if brian2 is not None:
        brian2.BrianLogger.suppress_name("unused_brian_object")


def main(argv=None) -> int:
    """Run the ``painsim`` command with ``argv`` (default: the process's); returns the exit code.

    Bad input (paths, arguments, files) is reported on one line, ``painsim: error: ...``,
    with exit code 2 and no traceback, before any work starts.  A failure to write
    (unwritable ``--out``, full disk) is reported the same way with exit code 1.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``painsim``; None reads ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit code: the command's (0; 1 for a sweep with failed points),
        0 after ``--help`` or ``--version``, 2 for bad input (any
        :class:`painsim.errors.PainsimError`), 1 for an :class:`OSError`,
        130 when interrupted.
    """
    warnings.formatwarning = _painsim_warning  # painsim's own warnings as lines of the command's output
    previous = _quiet_second_interrupt(argv)
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
        if argv is None:  # the program ends: a second Ctrl-C stays ignored until it has (_stop_once)
            previous = None
            _quiet_unused_objects()
        if e.args != (_REPORTED,):  # a command that said what was kept has already reported it
            print("painsim: interrupted", file=sys.stderr)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
