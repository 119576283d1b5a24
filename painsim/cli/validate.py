"""``painsim validate``: the model measured against published figures, and its helpers.

One run at one seed (:func:`_validate`: the table, ``validation.nc``,
``validation.md`` and the figure, resumable target by target), one run per
seed with ``--seeds`` (:func:`_validate_seeds`: the targets over the seeds),
and ``--compare`` with an earlier run (:func:`_write_comparison`).  A folder holds
one result: a single run's or a ``--seeds`` run's (:func:`_refuse_other_form`);
``--resume`` keeps the finished rows outside its selection (:func:`_with_earlier_rows`).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .. import io, validation
from ..errors import ParameterError, PathError, UsageError
from ..params import overrides_text, overriding
from ..version import __version__
from .options import _variant
from .output import (_REPORTED, _clear_for, _out_path, _output_folder, _plots, _print_lines, _print_paths, _provenance,
                     _write_lines)


def cmd_validate(args) -> int:
    """Measure the validation targets; print the model-vs-published table and write it
    (``validation.nc``, ``validation.md``) into the output folder.

    ``--list`` only prints the targets.  Targets, ``--seeds``, ``--out``,
    the ``--compare`` baseline and the ``--set`` variant are all checked
    before any target is measured; the variant applies to every model loaded
    (:func:`painsim.params.overriding`).  With ``--seeds`` there is one run
    per seed (``<out>/seed_<s>``) and the table over the seeds.  With
    ``--resume`` the finished rows of the run in ``--out`` are kept, those
    outside the selection too (the table then follows the registry's order);
    without it an earlier result of the same form is replaced, and said so.

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
        ``--seeds`` with ``--seed`` or ``--compare``, a seed named twice,
        fewer than two different seeds, a ``--set`` path given twice, or an
        interrupted run (or seed run) in ``--out`` without ``--resume``.
    painsim.errors.PathError
        ``--out`` is a file or holds another kind of result (a run's, a
        sweep's: :func:`painsim.files.earlier_result`), a ``--seeds`` run's
        result for a single run or a single run's for ``--seeds``, or the
        ``--compare`` baseline is not a result of ``painsim validate``.
    painsim.errors.ParameterError
        ``--only`` naming no target, or a bad ``--set`` value.
    OSError
        The output folder cannot be created, or a file cannot be written.
    KeyboardInterrupt
        Ctrl-C: raised with the argument ``"reported"`` after saying how many
        measured targets are kept (when any are).
    """
    if args.list:  # every target, or those --only names (an unknown name is refused)
        _refuse_measuring_options(args)
        listed = validation.select(args.only) if args.only else validation.TARGETS
        width = max(len(t.name) for t in listed)  # the columns stay aligned for the longest name
        for t in listed:
            print(f"  {t.name:{width}s} {t.cost:5s} {t.status:11s} {t.what}")
        return 0
    chosen = validation.select(args.only, args.slow)  # unknown names are refused before any work
    seeds = _seeds(args)  # a bad seed list, or --seeds with --seed or --compare, is refused before any work
    _refuse_seeds_beyond_limit(args, seeds)  # a seed whose targets' circuits would reach 2**32, before any work
    out = _out_path(args, "validation", "validation")  # a folder holding another kind of result is refused
    _refuse_other_form(out, bool(seeds))  # a single run beside a --seeds run's result, or the reverse
    if not seeds and not args.resume:  # (--seeds: each seed's folder, in _validate_seeds)
        _refuse_interrupted(out)
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


def _refuse_measuring_options(args) -> None:
    """``--list`` measures nothing: an option that only a measurement uses is refused, not ignored
    (``--seed`` and ``--out`` are accepted, as by every command)."""
    given = [flag for flag, on in (("--resume", args.resume), ("--workers", args.workers),
                                   ("--compare", getattr(args, "compare", None)),
                                   ("--seeds", getattr(args, "seeds", None)),
                                   ("--set", getattr(args, "set", None))) if on]
    if given:
        raise UsageError(f"--list prints the targets and measures nothing: {', '.join(given)} "
                         f"{'is' if len(given) == 1 else 'are'} not allowed with it")


def _refuse_seeds_beyond_limit(args, seeds: list[int]) -> None:
    """``--seed`` or a seed of ``--seeds`` above :data:`painsim.validation.MAX_SEED`: its targets simulate
    the seeds s .. s + SEED_BLOCK - 1, and the first to reach 2**32 failed partway (a --resume never finished)."""
    given = [("--seed", args.seed)] if args.seed is not None else [("--seeds", s) for s in seeds]
    for flag, seed in given:
        if seed > validation.MAX_SEED:
            raise UsageError(f"{flag} {seed} is not allowed: expected a seed <= {validation.MAX_SEED} "
                             f"(2**32 - {validation.SEED_BLOCK}): a target measured at seed s simulates up to "
                             f"{validation.SEED_BLOCK} circuits, seeds s .. s + {validation.SEED_BLOCK - 1}, each < 2**32")


def _seeds(args) -> list[int]:
    """``--seeds``: at least two different seeds, and neither ``--seed`` nor ``--compare`` beside
    them ([] without ``--seeds``)."""
    seeds = list(getattr(args, "seeds", None) or [])
    if not seeds:
        return []
    if args.seed is not None or args.compare:
        raise UsageError(f"--seeds cannot be combined with {'--seed' if args.seed is not None else '--compare'}: "
                         "--seeds runs one validation per seed and sets them side by side")
    given = f"--seeds {' '.join(map(str, seeds))}"
    twice = sorted({s for s in seeds if seeds.count(s) > 1})
    if twice:
        named = ", ".join(f"seed {s} is named " + ("twice" if seeds.count(s) == 2 else f"{seeds.count(s)} times")
                          for s in twice)
        raise UsageError(f"{given}: {named}; give each seed once"
                         + (", and at least two different seeds (one run at one seed: --seed)"
                            if len(set(seeds)) < 2 else ""))
    if len(seeds) < 2:
        raise UsageError(f"{given}: give at least two different seeds (one run at one seed: --seed)")
    return seeds


def _refuse_interrupted(out: Path) -> None:
    """Refuse a run without ``--resume`` into a folder whose ``targets/`` keeps an interrupted run's
    measured targets, in the command line's words, before the first line (the store would refuse it
    in the API's: ``resume=True``); a store that keeps none is no run's work (it is removed)."""
    store = out / "targets"
    kept = validation.kept_targets(store) if store.is_dir() else 0
    if kept:
        raise UsageError(f"--out {out} holds an interrupted validation run's {kept} measured target(s) ({store}): "
                         "continue it with --resume, or give another --out")


#: What shows a single run's result in a folder (its table, or the kept targets of an interrupted one).
_SINGLE = ("validation.nc", "targets")


def _refuse_other_form(out: Path, seeds: bool) -> None:
    """A folder holds one result: refuse a ``--seeds`` run into a folder holding a single run's
    result (``validation.nc``, or the kept ``targets/`` of an interrupted one) and a single run into a
    folder holding a ``--seeds`` run's (``seeds.nc``, ``seed_<s>/`` runs), as a run refuses another
    experiment's result: replacing it would leave the other's files beside the new result (and
    ``--compare`` would read a stale ``validation.nc``).  A result of the same form is this run's to
    replace or resume."""
    single = [out / n for n in _SINGLE if (out / n).exists()]
    per_seed = [out / "seeds.nc"] if (out / "seeds.nc").exists() else []
    per_seed += sorted(p for p in out.glob("seed_*") if p.name[5:].isdigit() and p.is_dir()
                       and any((p / n).exists() for n in _SINGLE))
    if seeds and single:
        raise PathError(f"--out {out} holds a single validation run's result ({single[0]}): a folder holds one "
                        f"result; give painsim validate --seeds another --out, or remove {single[0]} and the "
                        "files beside it")
    if not seeds and per_seed:
        raise PathError(f"--out {out} holds a validation run over seeds ({per_seed[0]}): a folder holds one "
                        f"result; give painsim validate (one seed) another --out, or run --seeds there")


def _validate_seeds(args, chosen, out, seeds, variant: str = "") -> int:
    """``--seeds``: one validation run per seed into ``<out>/seed_<s>`` (each resumable as a run of
    its own; with ``--resume`` a finished one of this code and variant is kept), then the targets
    over the seeds, printed and written to ``seeds.md`` and ``seeds.nc`` in ``out``."""
    names = [t.name for t in chosen]
    if not args.resume:  # an interrupted seed is refused before any seed is measured
        validation.refuse_interrupted(out, seeds)
        if (out / "seeds.nc").is_file():
            print(f"painsim: note: the earlier result in {out} (seeds.nc, seed_*/) is replaced when this run ends",
                  flush=True)
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
    _clear_for(out, "seeds.nc", ["seeds.md"])  # no earlier table beside the new result, even if interrupted
    result, table = io.save(spread, out / "seeds.nc"), _write_lines(out / "seeds.md", lines)
    _print_lines(lines)
    _print_paths(result, [], table=table)
    return 0


def _validate(args, chosen, out, seed, variant: str = "", baseline=None, table: bool = True) -> int:
    """One run at one seed into ``out``; ``table=False`` (a seed of ``--seeds``): its table is not
    printed and replacing an earlier result is not said (the run over the seeds says it)."""
    slow = [t.name for t in chosen if t.cost == "slow"]
    if slow and not args.slow:  # named with --only: say they take minutes
        print(f"painsim: {', '.join(slow)} {'is' if len(slow) == 1 else 'are'} slow (minutes each: courses, "
              "cohorts or long resting windows)", flush=True)
    from_run = validation.finished_targets(out, seed, variant) if args.resume else None
    store = out / "targets"  # each finished target, until the result is written (--resume)
    # an interrupted run's measured targets outside the selection stay rows of the table too
    stored = validation.kept_target_names(store) if args.resume and store.is_dir() else []
    names = _with_earlier_rows(out, [t.name for t in chosen], from_run, args.resume, say=table, stored=stored)
    with _output_folder(out):
        try:
            ds = validation.validate(names, seed=seed, progress=lambda line: print(line, flush=True),
                                     store=store, resume=args.resume, workers=args.workers, finished_run=from_run)
        except BaseException as e:
            kept = validation.kept_targets(store)
            # the store's own refusal says what to do; "continue with --resume" would contradict it
            refused = isinstance(e, ParameterError) and e.name == "store" and str(e.value) == str(store)
            if kept and not refused:
                print(f"painsim: {'interrupted' if isinstance(e, KeyboardInterrupt) else 'stopped'}; {kept} measured "
                      f"target(s) are kept in {store}; continue with --resume", file=sys.stderr)
            if isinstance(e, KeyboardInterrupt) and kept:  # said once, with what was kept
                raise KeyboardInterrupt(_REPORTED) from None
            raise
        _provenance(ds, args)
        rows = validation.table_rows(ds)
        # an earlier run's table, figure and comparison go first: none stays beside the new result
        _clear_for(out, "validation.nc", ["validation.md", "validation.png", "comparison.md"])
        result = io.save(ds, out / "validation.nc")
        validation.forget_measured(store, ds["target"].values.astype(str))  # the result holds them now
        table_file = out / "validation.md"
        # the table says which model it measured: seed, and the variant of every model, if any
        header = f"painsim {__version__}, seed {seed}" + (f", every model with {variant}" if variant else "")
        _write_lines(table_file, [header, ""] + rows)
        plots = _plots()
        figure = plots.save_figure(plots.validation_figure(ds), out / "validation.png")
    if table:  # (--seeds prints the table over the seeds instead)
        _print_lines(validation.table_rows(ds, sources=False))
    print(_summary(ds))
    others = {"table": table_file}
    compared = out / "comparison.md"
    if baseline is not None:
        others["compared"] = _write_comparison(baseline, args.compare, ds, compared)
    else:
        compared.unlink(missing_ok=True)  # an earlier run's comparison does not describe this run
    _print_paths(result, [figure], **others)
    return 0


def _with_earlier_rows(out: Path, names: list[str], from_run, resume: bool, say: bool = True,
                       stored=()) -> list[str]:
    """The targets of the new table: ``names``, and with ``--resume`` the rows of the finished run in
    ``out`` (``from_run``: :func:`painsim.validation.finished_targets`) and the targets an interrupted
    run keeps in its store (``stored``) outside them, so that a targeted resume keeps every finished
    row (then in the registry's order).  Says which rows are kept beside the selection and, with
    ``say``, that an earlier result not kept is replaced."""
    registry = [t.name for t in validation.select(None, slow=True)]
    earlier = [n for n in dict.fromkeys([*(from_run or {}), *stored]) if n not in names]
    extra = [n for n in earlier if n in registry]
    if say and (out / "validation.nc").is_file() and not from_run:
        why = (" (of another seed, code, model or experiment file, variant or engine: --resume cannot keep it)"
               if resume else "")
        print(f"painsim: note: the earlier result in {out}{why} is replaced when this run ends", flush=True)
    if extra:
        print(f"painsim: kept from the earlier run in {out}, beside this selection: {', '.join(extra)}", flush=True)
    lost = [n for n in earlier if n not in registry]
    if lost:  # same code, so only a registry swapped under it: said, not silent
        print(f"painsim: note: the earlier run's rows {', '.join(lost)} are no validation target: not kept",
              flush=True)
    if not extra:
        return names
    return [n for n in registry if n in set(names) | set(extra)]


def _summary(ds) -> str:
    """The line after a run: verdicts of predictions and calibrated targets apart, and the targets
    without a verdict by cause (no published range or direction; no model value)."""
    verdict, status = ds["verdict"].values.astype(str), ds["status"].values.astype(str)
    low, high = ds["published_low"].values.astype(float), ds["published_high"].values.astype(float)
    direction = ds["published_direction"].values if "published_direction" in ds else np.zeros(len(verdict))
    judged = (np.isfinite(low) & np.isfinite(high)) | (direction != 0)  # what judge() can judge a value by
    valueless = (verdict == "n/a") & judged & np.isnan(ds["model"].values.astype(float))
    unranged = (verdict == "n/a") & ~judged
    parts = [f"{label}: {int(((status == s) & (verdict == 'yes')).sum())} reproduced, "
             f"{int(((status == s) & (verdict == 'no')).sum())} not" + note
             for s, label, note in (("prediction", "predictions", ""),
                                    ("calibrated", "calibrated targets", " (a check, not evidence)"))]
    names = ds["target"].values.astype(str)
    parts.append(f"n/a: {int(unranged.sum())} without a published range or direction, {int(valueless.sum())} "
                 "without a model value" + (f" ({', '.join(names[valueless])})" if valueless.any() else ""))
    return "painsim: " + "; ".join(parts)


def _write_comparison(baseline, baseline_path, ds, path: Path) -> Path:
    """``--compare``: this run beside the baseline, printed and written to ``path``."""
    cmp = validation.compare(baseline, ds)
    lines = validation.comparison_header(cmp, baseline_path) + [""] + validation.comparison_rows(cmp)
    _print_lines(lines)
    return _write_lines(path, lines)
