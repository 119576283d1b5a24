"""Command-line options of ``painsim``: the parser class, argument types, ``--set``, run options.

:class:`_Parser` turns argparse's errors into painsim's one-line usage errors;
the argument types refuse a bad seed or count by name; ``--set PATH=VALUE``
is parsed here (the model checks the value); and the options of ``painsim
run`` are checked against the kind of file it runs..
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .. import files
from ..errors import UsageError
from ..parallel import ResultStore
from ..rng import SEED_LIMIT
from .output import _refuse_later_work, _remove_if_nothing_kept


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


# numpy splits a seed >= 2**32 into 32-bit words: it would share random streams with other seeds
_SEED = _whole(0, "a seed (whole number >= 0 and < 2**32)", SEED_LIMIT - 1)
_AT_LEAST_ONE = _whole(1, "a whole number >= 1")
_AT_LEAST_ZERO = _whole(0, "a whole number >= 0 (0: this process)")


def _folder(text: str) -> str:
    """An argparse type of ``--out``: a folder name, not empty (an empty ``--out`` is no folder; it
    would silently mean the default one)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed: expected a folder name (leave --out out "
                                          "for the default folder)")
    return text


_folder.__name__ = "a folder name"


def _store_options(args, store: Path) -> dict:
    """Options of a kind that keeps finished work in ``store``: resume it, or start afresh where the
    store belongs to a finished run (its result is replaced).  Without ``--resume``, a store holding
    an interrupted run's work is refused, as a sweep's is (its finished work would be lost:
    :func:`painsim.cli.output._refuse_later_work`, also checked before the run's first line); a
    store that keeps no finished item is no run's work (:func:`painsim.cli.output._remove_if_nothing_kept`)."""
    resume = getattr(args, "resume", False)
    if store.exists() and not resume:
        if _refuse_later_work(store):
            ResultStore(store).remove("run")  # a run using it (a --resume of it) is refused, not undercut
            print(f"painsim: starting afresh (the {store.name} of the previous run in {store} are removed; "
                  "with the same file, --seed and --set, --resume would have reused them)", flush=True)
        else:
            _remove_if_nothing_kept(store)
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
