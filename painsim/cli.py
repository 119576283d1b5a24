"""The ``painsim`` command: parses, calls the API, writes files."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import PainsimError

__all__ = ["main"]


def _out_dir(args, name: str) -> Path:
    out = Path(args.out) if args.out else Path("painsim-out") / name
    out.mkdir(parents=True, exist_ok=True)
    return out


def cmd_run(args) -> int:
    from . import io, plots
    from .experiment import load_experiment, run_experiment

    spec = load_experiment(args.file)
    name = spec["experiment"].get("name", Path(args.file).stem)
    out = _out_dir(args, name)
    n = len(spec["condition"])
    print(f"painsim: running experiment {name!r} ({n} conditions) from {spec['_path']}", flush=True)
    t0 = time.time()
    ds = run_experiment(spec, seed=args.seed)
    print(f"painsim: simulated in {time.time() - t0:.1f} s", flush=True)
    result = io.save(ds, out / "results.nc")
    figures = [plots.save_figure(fig, out / f"{name}_{kind}.png") for kind, fig in
               plots.experiment_figures(ds, spec["experiment"].get("figure", "conditions")).items()]
    for c, p, g in zip(ds.condition.values, ds["pain"].values, ds["gate_index"].values):
        print(f"  {c:45s} pain {p:4.1f} / 10   gate index {g:.2f}   PN "
              f"{float(ds['pn_rate'].sel(condition=c)):5.1f} Hz")
    print(f"painsim: results  {result.resolve()}")
    for f in figures:
        print(f"painsim: figure   {Path(f).resolve()}")
    return 0


def cmd_models(args) -> int:
    from .params import builtin_experiments, builtin_models, load_model

    print("built-in models:")
    for name in builtin_models():
        m = load_model(name)
        desc = m.leaves.get("model.description")
        print(f"  {name:24s} {desc.si if desc else ''}")
    print("built-in experiments:")
    for name in builtin_experiments():
        print(f"  {name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="painsim", description="Simulate pain gating and neuromodulation.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run an experiment file (TOML) and write results and figures")
    run.add_argument("file", help="experiment TOML file or built-in experiment name")
    models = sub.add_parser("models", help="list built-in models and experiments")
    for s in (run, models):
        s.add_argument("--seed", type=int, default=None, help="seed (overrides the file's)")
        s.add_argument("--out", default=None, help="output folder (default: painsim-out/<name>)")
    run.set_defaults(func=cmd_run)
    models.set_defaults(func=cmd_models)
    return p


def main(argv=None) -> int:
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
