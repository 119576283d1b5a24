"""``painsim validate``: the model measured against published figures, and its helpers.

One run at one seed (:func:`_validate`: the table, ``validation.nc``,
``validation.md`` and the figure, resumable target by target), one run per
seed with ``--seeds`` (:func:`_validate_seeds`: the targets over the seeds),
and ``--compare`` with an earlier run (:func:`_write_comparison`)..
"""
from __future__ import annotations

import sys
from pathlib import Path

from .. import io, validation
from ..errors import UsageError
from ..params import overrides_text, overriding
from ..version import __version__
from .options import _variant
from .output import _REPORTED, _out_path, _output_folder, _plots, _print_lines, _print_paths, _provenance, _write_lines


def cmd_validate(args) -> int:
    """Measure the validation targets; print the model-vs-published table and write it
    (``validation.nc``, ``validation.md``) into the output folder.

    ``--list`` only prints the targets.  Targets, ``--seeds``, ``--out``,
    the ``--compare`` baseline and the ``--set`` variant are all checked
    before any target is measured; the variant applies to every model loaded
    (:func:`painsim.params.overriding`).  With ``--seeds`` there is one run
    per seed (``<out>/seed_<s>``) and the table over the seeds.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed ``validate`` sub-command (:func:`painsim.cli.build_parser`):
        ``only``, ``slow``, ``list``, ``seed`` (None: 1), ``seeds``, ``out``
        (default ``painsim-out/validation``), ``resume``, ``workers``,
        ``compare``, ``set``, and ``command_line`` (set by
        :func:`painsim.cli.main`).

    Returns
    -------
    int
        The exit code, 0.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown target name (the nearest one is named), or an unknown
        parameter path in ``--set``.
    painsim.errors.UsageError
        ``--seeds`` with ``--seed`` or ``--compare``, fewer than two
        different seeds, a ``--set`` path given twice, or an interrupted
        seed run in ``--out`` without ``--resume``.
    painsim.errors.PathError
        ``--out`` is a file or holds another kind of result (a run's, a
        sweep's: :func:`painsim.files.earlier_result`), or the ``--compare``
        baseline is not a result of ``painsim validate``.
    painsim.errors.ParameterError
        ``--only`` naming no target, or a bad ``--set`` value.
    OSError
        The output folder cannot be created, or a file cannot be written.
    KeyboardInterrupt
        Ctrl-C: raised with the argument ``"reported"`` after saying how many
        measured targets are kept (when any are).
    """
    if args.list:  # every target, or those --only names (an unknown name is refused)
        listed = validation.select(args.only) if args.only else validation.TARGETS
        width = max(len(t.name) for t in listed)  # the columns stay aligned for the longest name
        for t in listed:
            print(f"  {t.name:{width}s} {t.cost:5s} {t.status:11s} {t.what}")
        return 0
    chosen = validation.select(args.only, args.slow)  # unknown names are refused before any work
    seeds = _seeds(args)  # a bad seed list, or --seeds with --seed or --compare, is refused before any work
    out = _out_path(args, "validation", "validation")  # a folder holding another kind of result is refused
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
