"""The ``painsim`` command: parses, calls the API, writes files and figures.

Experiment files of every kind run through the one dispatch of
:mod:`painsim.files`; figures come from :mod:`painsim.plots`, imported only by
the commands that draw (matplotlib is heavy, ``painsim --help`` stays fast).
"""
from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
import time
from pathlib import Path

from . import files, io
from .analysis import changed_connections
from .cohort import from_dataset
from .course import run_course_file
from .errors import PainsimError, ParameterError
from .params import builtin_experiments, builtin_models, load_model
from .sweep import load_spec, run_sweep

__all__ = ["main", "build_parser"]


def _plots():
    """:mod:`painsim.plots`, imported on first use (it imports matplotlib)."""
    return importlib.import_module("painsim.plots")


def _out_dir(args, name: str) -> Path:
    out = Path(args.out) if args.out else Path("painsim-out") / name
    out.mkdir(parents=True, exist_ok=True)
    return out


def _write_outputs(ds, out: Path, name: str, figures: dict):
    """Save ``ds`` as ``results.nc`` (if given) and each figure as ``<name>_<kind>.png``, atomically."""
    plots = _plots()
    result = io.save(ds, out / "results.nc") if ds is not None else None
    return result, [plots.save_figure(fig, out / f"{name}_{kind}.png") for kind, fig in figures.items()]


def _print_paths(result, figures, **others) -> None:
    """Tell the user where the results, other files and figures are."""
    if result is not None:
        print(f"painsim: results  {Path(result).resolve()}")
    for label, path in others.items():
        print(f"painsim: {label:8s} {Path(path).resolve()}")
    for f in figures:
        print(f"painsim: figure   {Path(f).resolve()}")


# ---------------------------------------------------------------- summaries printed by `painsim run`
def _print_conditions(ds, out: Path) -> dict:
    for c, p, g in zip(ds.condition.values, ds["pain"].values, ds["gate_index"].values):
        print(f"  {c:45s} pain {p:4.1f} / 10   gate index {g:.2f}   PN "
              f"{float(ds['pn_rate'].sel(condition=c)):5.1f} Hz")
    return {}


def _print_conditioning(ds, out: Path) -> dict:
    conns = changed_connections(ds)
    for p in ds.protocol.values:
        d = ds.sel(protocol=p)
        w = "   ".join(f"w {c} {100 * float(d[f'w_{c}_change']):+5.0f} %" for c in conns)
        print(f"  {str(p):20s} pain {float(d.pain_before):4.1f} -> {float(d.pain_after):4.1f} / 10   "
              f"PN {float(d.pn_rate_before):5.1f} -> {float(d.pn_rate_after):5.1f} Hz   {w}")
    return {}


def _print_cohort(ds, out: Path) -> dict:
    """Write the patient table (``patients.csv``) and print the statistics beside the published ones."""
    table = out / "patients.csv"
    with io.atomic_path(table) as tmp:
        from_dataset(ds).to_csv(tmp)
    print(f"  {'statistic':28s} {'simulated [95 % CI]':>26s}   {'published [95 % CI]':>24s}")
    for st in ds.statistic.values:
        d = ds.sel(statistic=st)
        pub_ci = (f"[{float(d.pub_ci_low):.2f}; {float(d.pub_ci_high):.2f}]"
                  if float(d.pub_ci_low) == float(d.pub_ci_low) else "")
        cells = (json.loads(ds.attrs.get("odds_ratios", "{}")).get(str(st)) or {}).get("table_2x2")
        groups = (f"   responders {cells[0]}/{cells[0] + cells[1]} vs {cells[2]}/{cells[2] + cells[3]}"
                  if cells else "")
        print(f"  {str(st):28s} {float(d.simulated):8.2f} [{float(d.sim_ci_low):.2f}; {float(d.sim_ci_high):.2f}]"
              f"   {float(d.published):8.2f} {pub_ci}{groups}")
    for g in ds.group.values:
        r = ds.sel(group=g, threshold=0.3)
        if float(r.responder_n) > 0:
            print(f"  responders > 30 % relief, {str(g):12s} {100 * float(r.responder_rate):5.1f} % "
                  f"[{100 * float(r.responder_ci_low):.1f}; {100 * float(r.responder_ci_high):.1f}]  "
                  f"(n = {int(r.responder_n)})")
    return {"patients": table}


#: What ``painsim run`` prints after writing the results, per kind of file (course files: ``cmd_course``).
_SUMMARIES = {"conditions": _print_conditions, "conditioning": _print_conditioning, "cohort": _print_cohort}


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


def cmd_run(args) -> int:
    spec = files.load_experiment(args.file)
    kind = files.kind_of(spec)
    if kind == "course":  # the same run and output as `painsim course FILE`
        return cmd_course(args)
    name = spec["experiment"].get("name", Path(args.file).stem)
    out = _out_dir(args, name)
    print(f"painsim: running {files.describe(spec, name)} from {spec['_path']}", flush=True)
    t0 = time.time()
    store = files.KINDS[kind].store
    options = _store_options(args, out / store) if store else {}
    try:
        ds = files.run_experiment(spec, seed=args.seed, progress=bool(store), **options)
    except KeyboardInterrupt:
        if store:
            print(f"painsim: interrupted; finished {store} are kept in {out / store}; continue with --resume",
                  file=sys.stderr)
        raise
    print(f"painsim: simulated in {time.time() - t0:.1f} s", flush=True)
    result, figures = _write_outputs(ds, out, name, _figures(kind, ds, spec))
    _print_paths(result, figures, **_SUMMARIES[kind](ds, out))
    return 0


def cmd_models(args) -> int:
    print("built-in models:")
    for name in builtin_models():
        m = load_model(name)
        desc = m.leaves.get("model.description")
        print(f"  {name:24s} {desc.si if desc else ''}")
    print("built-in experiments:")
    for name in builtin_experiments():
        print(f"  {name}")
    return 0


def cmd_sweep(args) -> int:
    spec = load_spec(args.spec, seed=args.seed)
    out = _out_dir(args, spec.name)
    store = out / "store"
    n = len(spec.points()) * spec.n_repeats
    where = (f"Dask scheduler {args.scheduler}" if args.scheduler else
             "this process" if args.workers == 0 else f"{args.workers or 'all CPU'} worker processes")
    print(f"painsim: sweep {spec.name!r}: {n} runs ({len(spec.points())} points x {spec.n_repeats} seeds) "
          f"on {where}; store {store.resolve()}", flush=True)
    t0 = time.time()
    try:
        ds = run_sweep(spec, store=store, workers=args.workers, scheduler=args.scheduler,
                       resume=args.resume, batch_size=args.batch_size, progress=True)
    except KeyboardInterrupt:
        print(f"painsim: interrupted; finished points are kept in {store}; continue with --resume",
              file=sys.stderr)
        raise
    print(f"painsim: {ds.attrs['n_done']} done, {ds.attrs['n_failed']} failed in {time.time() - t0:.1f} s",
          flush=True)
    if ds.attrs["n_failed"]:
        bad = ds["error"].values.ravel()
        first = next(e for e in bad if e)
        print(f"painsim: first failure: {first}", file=sys.stderr)
    _, figures = _write_outputs(None, out, spec.name, _plots().sweep_figures(ds))
    _print_paths(store / "result.nc", figures)
    return 0 if not ds.attrs["n_failed"] else 1


def cmd_course(args) -> int:
    t0 = time.time()
    print(f"painsim: running course {args.file!r}", flush=True)
    ds = run_course_file(args.file, seed=args.seed, progress=True)
    name = ds.attrs.get("name", Path(args.file).stem)
    out = _out_dir(args, name)
    print(f"painsim: simulated in {time.time() - t0:.1f} s", flush=True)
    result, figures = _write_outputs(ds, out, name, _plots().course_figures(ds))
    arms = list(ds.arm.values) if "arm" in ds.dims else [ds.attrs.get("protocol", "course")]
    for a in arms:
        d = ds.sel(arm=a) if "arm" in ds.dims else ds
        base = float(d["baseline_pain"].mean())
        line = "  ".join(f"day {float(f):g}: {float(d['relief'].sel(day=f).mean()):5.1f} %"
                         for f in d.follow_up.values)
        print(f"  {str(a):8s} baseline pain {base:4.1f} / 10   relief  {line}")
    _print_paths(result, figures)
    return 0


def cmd_figures(args) -> int:
    path = Path(args.file)
    if path.is_dir() and (path / "result.nc").exists():  # a sweep store
        path = path / "result.nc"
    if not path.exists():
        raise ParameterError("file", str(args.file), "a results file written by painsim (results.nc) or a sweep store")
    ds = io.load(path)
    out = Path(args.out) if args.out else path.parent
    out.mkdir(parents=True, exist_ok=True)
    stem = ds.attrs.get("experiment") or ds.attrs.get("name") or path.stem
    _print_paths(None, _write_outputs(None, out, stem, _plots().figures_for(ds))[1])
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``painsim`` command (one sub-command per job)."""
    p = argparse.ArgumentParser(prog="painsim", description="Simulate pain gating and neuromodulation.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run an experiment file (TOML) and write results and figures")
    run.add_argument("file", help="experiment TOML file or built-in experiment name")
    run.add_argument("--n-patients", type=int, default=None, help="cohort files: patients (overrides the file's)")
    run.add_argument("--workers", type=int, default=None, help="cohort files: worker processes (overrides the file's)")
    run.add_argument("--resume", action="store_true",
                     help="cohort files: continue an interrupted cohort in --out (finished patients are kept)")
    models = sub.add_parser("models", help="list built-in models and experiments")
    figures = sub.add_parser("figures", help="redraw the figures of a saved result (results.nc or a sweep store)")
    figures.add_argument("file", help="results.nc written by painsim run/course, or a sweep store folder")
    figures.add_argument("--seed", type=int, default=None, help="unused (accepted like every command)")
    figures.add_argument("--out", default=None, help="output folder (default: beside the results)")
    figures.set_defaults(func=cmd_figures)
    sweep = sub.add_parser("sweep", help="run a parameter sweep (TOML) into a resumable store, with figures")
    sweep.add_argument("spec", help="sweep TOML file or built-in experiment name")
    sweep.add_argument("--resume", action="store_true", help="continue an interrupted sweep in --out")
    sweep.add_argument("--workers", type=int, default=None,
                       help="worker processes (0: this process; default: all CPUs; Dask workers with --scheduler local)")
    sweep.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:8786) or 'local'")
    sweep.add_argument("--batch-size", type=int, default=None, help="points per brian2 network (default: the spec's)")
    sweep.set_defaults(func=cmd_sweep)
    course = sub.add_parser("course", help="run a treatment-course file (TOML) and write results and figures")
    course.add_argument("file", help="course TOML file or built-in experiment name")
    course.set_defaults(func=cmd_course)
    for s in (run, models, sweep, course):
        s.add_argument("--seed", type=int, default=None, help="seed (overrides the file's)")
        s.add_argument("--out", default=None, help="output folder (default: painsim-out/<name>)")
    run.set_defaults(func=cmd_run)
    models.set_defaults(func=cmd_models)
    return p


def main(argv=None) -> int:
    """Run the ``painsim`` command with ``argv`` (default: the process's); returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PainsimError as e:
        print(f"painsim: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("painsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
