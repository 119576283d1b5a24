"""The ``painsim`` commands on saved results: ``figures`` (redraw) and ``export`` (Neo spike trains).

Both read a result written by another command (a ``results.nc``, a run's or
a sweep's output folder or store) and run no simulation..
"""
from __future__ import annotations

import glob
from pathlib import Path

from .. import files, io
from ..errors import PainsimError, PathError, UsageError
from .output import (_SWEEP_STORE, _TABLE_WRITERS, _TABLES, _output_folder, _plots, _print_paths, _remove_leftovers,
                     _tables_kind, _write_outputs)


def _load_results(path) -> tuple:
    """The checked path of a saved result (file, run output folder, sweep store or output folder) and its Dataset."""
    path = files.results_file(path)
    try:
        return path, io.load(path)
    except (OSError, ValueError) as e:
        raise PathError(f"cannot read {path} as a painsim result: {e}") from None


def _seed_runs(path: Path, ds) -> list[tuple[Path, object]] | None:
    """The run of each seed (its ``validation.nc`` path and Dataset, in ``seed_<s>/`` beside ``path``)
    of a ``painsim validate --seeds`` summary ``ds`` read from ``path``, all read before anything is
    drawn; None for any other result.  The summary has no figure of its own: each seed's run has one."""
    if not ("target" in ds.dims and "seed" in ds.dims and "verdict" in ds and "seed" in ds["verdict"].dims):
        return None
    return [_load_results(path.parent / f"seed_{int(s)}" / "validation.nc") for s in ds["seed"].values]


def _refuse_another_results_folder(out: Path, own: Path) -> None:
    """Refuse ``--out`` that holds another result (its ``results.nc``, ``validation.nc`` ...), before
    anything is drawn: the figures (``<experiment>_<kind>.png``, ``validation.png``) and tables
    (``patients.csv``) have fixed names, so a rerun's would replace that result's own.  ``own``: the
    folder the figures go to without ``--out``, which may hold the result drawn."""
    held = [f for f in io.RESULT_FILES if (out / f).exists()]
    if held and out.resolve() != own.resolve():
        raise PathError(f"--out {out} holds another result ({', '.join(held)}), whose figures and tables "
                        "would be replaced by these: choose an empty folder or one of its own")


def _draw(path: Path, ds, out: Path, plots) -> None:
    """Draw the figures of the result ``ds`` read from ``path`` into ``out`` (created), with the tables
    its run wrote beside them (a cohort's ``patients.csv``: :data:`painsim.cli.output._TABLE_WRITERS`),
    and print their paths; refused, before anything is written, if it has none."""
    try:
        figures = plots.figures_for(ds)  # refuses a Dataset it cannot draw before anything is written
    except PainsimError:
        raise
    except Exception as e:   # a result these figures cannot read: one line and exit 2, not a traceback
        raise PathError(f"cannot draw the figures of {path}: {type(e).__name__}: {e}") from e
    if not figures:   # nothing to draw: said, and no empty folder left
        raise PathError(f"{path} holds no outcome painsim can draw (variables: "
                        f"{', '.join(map(str, ds.data_vars)) or 'none'})")
    stem = files.result_name(ds.attrs) or ds.attrs.get("sweep") or path.stem
    kind = _tables_kind(ds)
    try:
        with _output_folder(out):
            if set(figures) == {"validation"}:  # replaces the validation.png `painsim validate` drew beside it
                drawn = [plots.save_figure(figures["validation"], out / "validation.png")]
            else:
                drawn = _write_outputs(None, out, stem, figures, _TABLES.get(kind, ()))[1]
            tables = _TABLE_WRITERS[kind](ds, out) if kind else {}
            _print_paths(None, drawn, **tables)
    finally:   # those not saved when a write fails (saved ones are closed already)
        plots.close_figures(figures.values())


def cmd_figures(args) -> int:
    """``painsim figures RESULT``: redraw the standard figures of a saved result.

    The figures are :func:`painsim.plots.figures_for`'s, written as
    ``<name>_<kind>.png`` (``name``: the experiment's, the sweep's, else the
    file's stem) beside the result, or where ``painsim sweep`` put them for a
    sweep's store, or into ``--out``; a validation table's figure is
    ``validation.png``, the name ``painsim validate`` gave it, and a
    ``painsim validate --seeds`` run's are each seed's, in its ``seed_<s>/``
    (in ``--out/seed_<s>/`` with ``--out``).  The tables ``painsim run``
    writes beside a result's figures (a cohort's ``patients.csv``) are
    written again with them.  An ``--out`` that holds another result is
    refused: its figures and tables would be replaced.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``figures`` sub-command: ``file`` (a ``results.nc``, a
        run's, sweep's or validation run's output folder, a sweep's store)
        and ``out`` (``seed`` is accepted and unused).

    Returns
    -------
    int
        The exit code, 0 (a refusal below: 2 from :func:`painsim.cli.main`).

    Raises
    ------
    painsim.errors.PathError
        No result at ``file`` (or at a seed's folder of a ``--seeds`` run),
        one that cannot be read, ``--out`` is a file or holds another result, or drawing its figures
        failed with an error that is not painsim's (named in the message; the
        figures drawn are closed, nothing is written).
    painsim.errors.ParameterError
        A Dataset that :func:`painsim.plots.figures_for` cannot draw (refused
        before anything is written).
    OSError
        The output folder cannot be created, or a file cannot be written.
    """
    path, ds = _load_results(args.file)
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise PathError(f"--out {args.out} is a file, not a folder")
    plots = _plots()
    seeds = _seed_runs(path, ds)
    if seeds is not None:   # painsim validate --seeds: each seed's figure, where that command drew it
        outs = [Path(args.out) / p.parent.name if args.out else p.parent for p, _ in seeds]
        for o, (run_path, _) in zip(outs, seeds):
            _refuse_another_results_folder(o, run_path.parent)
        for o, (run_path, run) in zip(outs, seeds):
            _draw(run_path, run, o, plots)
        return 0
    # by default beside the result; a `painsim sweep` store's figures go where that command put them
    in_sweep_output = "sweep" in ds.attrs and path.parent.name == _SWEEP_STORE
    own = path.parent.parent if in_sweep_output else path.parent
    _refuse_another_results_folder(Path(args.out) if args.out else own, own)
    _draw(path, ds, Path(args.out) if args.out else own, plots)
    return 0


#: Neo's writers by extension (:func:`painsim.io.write_neo`) and the package each needs.
_NEO_FORMATS = (".nwb", ".nix", ".pkl")  # painsim.io.write_neo checks the writer's package


def cmd_export(args) -> int:
    """``painsim export RESULT --neo OUT``: write the spike trains of a saved result as a Neo file.

    The result must hold spike trains (``painsim run`` on a conditions
    experiment); :func:`painsim.io.write_neo` writes one SpikeTrain per
    neuron or per population (``--per``) as NWB, NIX or a pickle, by the
    extension of ``--neo``.  A relative ``--neo`` is placed in ``--out``.  The
    temporaries a killed export left of that file are removed first; the
    folders of the file are made as it is written, and a refused or failed
    export leaves neither the file nor a folder it made.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``export`` sub-command: ``file``, ``neo``, ``per``
        (``"neuron"`` or ``"population"``) and ``out`` (``seed`` is accepted
        and unused).

    Returns
    -------
    int
        The exit code, 0.

    Raises
    ------
    painsim.errors.UsageError
        An absolute ``--neo`` together with ``--out``, or ``--neo`` not
        ending in ``.nwb``, ``.nix`` or ``.pkl``.
    painsim.errors.PathError
        ``--out`` is a file, ``--neo`` is a folder, the result cannot be
        read or holds no spike trains, or Neo's writer failed (its error named).
    painsim.errors.ParameterError
        A package the file kind needs is not installed
        (:func:`painsim.io.write_neo`).
    OSError
        The file cannot be written.
    """
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
    missing = io.missing_neo_packages(target.suffix)
    if missing:   # refused before the output folder is made
        raise UsageError(f"--neo {target}: a {target.suffix} file needs {' and '.join(missing)} "
                         "(pip install 'painsim[interchange]')")
    path, ds = _load_results(args.file)
    # duration_s: an attr, or a variable where combined points differ in it (painsim.io.combine)
    if "spike_time" not in ds or "population_size" not in ds or ("duration_s" not in ds.attrs
                                                                 and "duration_s" not in ds.data_vars):
        raise PathError(f"{path} holds no spike trains (course, cohort and sweep results keep summaries only); "
                        "export the results.nc of 'painsim run' on a conditions experiment")
    # the folder is made as the file is written, and removed again if writing fails (painsim.neo_files.write_block)
    _remove_leftovers(target.parent, [glob.escape(target.name)])  # of an export that was killed (docs/cli.md)
    try:
        written = io.write_neo(ds, target, per=args.per)
    except OSError as e:
        raise OSError(f"cannot write {target}: {e}") from e
    print(f"painsim: neo      {written.resolve()} ({ds.sizes.get('spike', 0)} spikes, one "
          f"SpikeTrain per {args.per})")
    return 0
