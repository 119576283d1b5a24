"""Run the validation table: measure each target, compare with its published figure.

A run can keep each finished target in a store (``store``: one JSON file per target, written
atomically, with the fingerprint of what it measured: the target, the seed, the inputs of
:func:`inputs_digest`, the code's digest among them, and the painsim version), so that an
interrupted run resumes (``resume=True``) without measuring a finished target again, and can
measure targets in worker processes (``workers``; targets that read one simulation,
:attr:`painsim.validation.targets.Target.shares`, go to one process).  Each measurement is
seeded, so the values do not depend on the process that measured them.
"""
from __future__ import annotations

import functools
import hashlib
import json
import time
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import xarray as xr

from ..checks import whole
from ..circuits import codegen_target, engine_choice
from ..errors import ParameterError
from ..rng import SEED_LIMIT, checked_seed, checked_seed_block
from ..labels import UNITS_FROM
from ..params import builtin_experiments, builtin_models, find_builtin, load_model
from ..parallel import Layout, ResultStore, report, run_batches
from ..sweep.evaluate import check_worker_cache, prepare_worker
from ..version import __version__, source_digest
from .courses import MPNS_PATIENTS, PNS_PATIENTS, SCS_PATIENTS
from .neuromodulation import PNS_RESPONDER_PATIENTS
from .opioids import MORPHINE_CIRCUITS
from .shared_runs import N_SEEDS
from .targets import TARGETS, Target, clear_measurements, get
from .thermal_pain import HPT_SD_SUBJECTS
from .trials import TRIAL_PATIENTS

__all__ = ["select", "validate", "table_rows", "TARGET_LAYOUT", "target_key", "inputs_digest", "inputs_fingerprint",
           "forget_measured", "kept_targets", "SEED_BLOCK", "MAX_SEED", "checked_validation_seed"]

#: The most circuits (or virtual patients) a target measured at seed ``s`` simulates, at the seeds
#: ``s`` .. ``s + SEED_BLOCK - 1``: the largest of the blocks of the measurements (16: the morphine
#: targets' circuits and the trials' patients; drawn cohorts' patients have hashed seeds below 2**31).
SEED_BLOCK = max(N_SEEDS, SCS_PATIENTS, MPNS_PATIENTS, PNS_PATIENTS, PNS_RESPONDER_PATIENTS, MORPHINE_CIRCUITS,
                 TRIAL_PATIENTS, HPT_SD_SUBJECTS)
#: The largest seed a validation run takes: every seed its targets derive stays below 2**32
#: (:data:`painsim.rng.SEED_LIMIT`).
MAX_SEED = SEED_LIMIT - SEED_BLOCK


def checked_validation_seed(seed, name: str = "seed") -> int:
    """``seed`` if a validation run can measure every target at it: a whole number >= 0 and at most
    :data:`MAX_SEED` (the targets simulate the seeds ``seed`` .. ``seed + SEED_BLOCK - 1``, each < 2**32;
    a larger one failed partway, at the first target whose block reached 2**32).

    Parameters
    ----------
    seed : int
    name : str
        Named in the error (``"--seed"`` on the command line).

    Returns
    -------
    int

    Raises
    ------
    painsim.errors.ParameterError
        ``seed`` not a whole number >= 0 (:func:`painsim.rng.checked_seed`) or above :data:`MAX_SEED`.
    """
    return checked_seed_block(checked_seed(seed, name, allow_float=False), SEED_BLOCK, name, "circuits of a target")

#: Files of a validation store: one per finished target, numbered by its place in
#: :data:`~painsim.validation.targets.TARGETS`, with its fingerprint (:func:`target_key`).
TARGET_LAYOUT = Layout("", "target_{0:03d}", ".json", fingerprint_attr="validation_target_key")


def select(names: Sequence[str] | None = None, slow: bool = False) -> list[Target]:
    """Targets by name (any cost; a name may list several separated by commas, as
    ``--only a,b``), or every fast target (and the slow ones with ``slow``).

    Parameters
    ----------
    names : sequence of str, optional
        Target names (:data:`~painsim.validation.targets.TARGETS`); repeats are selected once.
    slow : bool
        Without ``names``: also the slow targets.

    Returns
    -------
    list of Target
        In the order of ``names``, or of :data:`~painsim.validation.targets.TARGETS`.

    Raises
    ------
    painsim.errors.ParameterError
        ``names`` given but naming no target (e.g. ``--only ,``).
    painsim.errors.UnknownKeyError
        An unknown name (:func:`painsim.validation.targets.get`).
    """
    given = [n.strip() for item in names or () for n in item.split(",") if n.strip()]
    if given:
        return [get(n) for n in dict.fromkeys(given)]
    if names:  # "--only ," or "--only ''" names no target: never read as "every target"
        raise ParameterError("only", list(names), "names of validation targets (painsim validate --list)")
    return [t for t in TARGETS if slow or t.cost == "fast"]


def validate(names: Sequence[str] | None = None, slow: bool = False, seed: int = 1,
             progress: Callable[[str], None] | None = None, store: str | Path | None = None,
             resume: bool = False, workers: int = 0,
             finished_run: Mapping[str, tuple[float, float]] | None = None) -> xr.Dataset:
    """Measure the model's value of each selected target beside the published one.

    Parameters
    ----------
    names : sequence of str, optional
        Targets to run (:data:`painsim.validation.TARGETS` names); default all fast ones.
    slow : bool
        Also run the slow targets (courses, cohorts, resting steady states) when ``names``
        is not given.
    seed : int
        Seed of every measurement.
    progress : callable, optional
        Called with a line before each target.
    store : path, optional
        Folder where each finished target is kept (see the module docstring); the run holds its
        lock until its targets are measured: a second run on it at the same time is refused.
    resume : bool
        Continue the run kept in ``store``: its finished targets are read, not measured.
        Without it a ``store`` holding finished targets is refused.
    workers : int
        0: measure in this process; N >= 1: in N worker processes (the slow targets
        first).  Targets that read one simulation are measured one after the other, in
        one process.
    finished_run : mapping, optional
        Targets already measured by a finished run of this code, inputs and seed, name ->
        (value, seconds) (:func:`painsim.validation.finished_targets`): kept, not measured.

    Returns
    -------
    xarray.Dataset
        Over dimension ``target``: ``model``, ``published``, ``published_low``,
        ``published_high`` (NaN without a published range), ``published_direction``
        (the sign a direction-only source reports, else 0), ``published_direction_from``
        (the value that direction is read from), ``verdict`` ("yes",
        "no", "n/a"), ``status``, ``units``, ``what``, ``source``, ``note`` and
        ``seconds`` (wall time of the measurement, in the run that measured it; short where
        a target reads a simulation measured for another).

    Raises
    ------
    painsim.errors.ParameterError
        ``seed`` not a whole number in 0 .. :data:`MAX_SEED` (:func:`checked_validation_seed`);
        a ``store`` with finished targets without ``resume``, or one of them measured
        with another seed, other inputs (:func:`inputs_digest`) or painsim version; a
        ``store`` another process's run is using (a SpecError), before any measurement.
    """
    workers = whole(workers, "workers", 0)
    seed = checked_validation_seed(seed)
    source_digest()  # read now (then cached): the table records the code that ran, not the files at its end
    chosen = select(names, slow)
    check_worker_cache("network")  # an unusable $PAINSIM_WORKER_CACHE, before any target is measured
    clear_measurements()
    done: dict[str, tuple[float, float]] = {}
    inputs = inputs_digest()  # read now, as the code: what the values were measured on
    keeper = ResultStore(store, TARGET_LAYOUT) if store is not None else None
    try:  # the store is locked (open_items) until the targets are measured, or the run stops
        if keeper is not None:
            keys = [target_key(t, seed, inputs) for t in TARGETS]
            found = keeper.open_items(keys, resume, what="validation run", item="target",
                                      differs="another seed, model variant (--set), model or experiment file, "
                                              "simulation target or engine",
                                      names=[t.name for t in TARGETS])
            done = {TARGETS[k].name: (float(ds["model"]), float(ds["seconds"])) for k, ds in found.items()}
            kept = [t.name for t in chosen if t.name in done]
            if kept and progress:
                progress(f"painsim: {len(kept)} of {len(chosen)} targets already measured in {store} (kept)")

        def finished(name: str, value: float, seconds: float) -> None:
            done[name] = (value, seconds)
            if keeper is not None:  # kept as soon as it is measured, not when its batch ends
                k = _index(name)
                keeper.write((k,), xr.Dataset({"model": value, "seconds": seconds}, attrs={"target": name}),
                             fingerprint=keys[k])

        def on_progress(batch, message) -> None:
            if isinstance(message, tuple) and message[0] == _MEASURED:  # a target just measured
                finished(*message[1:])
            elif progress:
                progress(str(message))

        def on_result(batch, results) -> None:
            for message in results:  # already kept, unless its progress message was lost
                if message[1] not in done:
                    finished(*message[1:])

        from_run = [t.name for t in chosen if t.name in (finished_run or {}) and t.name not in done]
        done.update({name: tuple(finished_run[name]) for name in from_run})
        if from_run and progress:
            progress(f"painsim: {len(from_run)} of {len(chosen)} targets kept from the finished run")
        todo = [t for t in chosen if t.name not in done]
        run_batches(functools.partial(_measure_batch, seed), _batches(todo, workers), on_result, workers=workers,
                    setup=functools.partial(prepare_worker, "network"), on_progress=on_progress)
    finally:
        if keeper is not None:  # its lock, also on an error or Ctrl-C (a resume in this process may follow)
            keeper.close()
    values = np.array([done[t.name][0] for t in chosen])
    seconds = np.array([done[t.name][1] for t in chosen])
    return _dataset(chosen, values, seconds, seed, inputs_fingerprint(inputs))


def _index(name: str) -> int:
    """The store's number of target ``name``: its place in :data:`TARGETS`."""
    return next(k for k, t in enumerate(TARGETS) if t.name == name)


def kept_targets(store: str | Path) -> int:
    """How many measured targets ``store`` keeps: ``len(kept_target_names(store))``."""
    return len(kept_target_names(store))


def kept_target_names(store: str | Path) -> list[str]:
    """The names of the measured targets ``store`` keeps, in :data:`TARGETS`' order (an empty store
    folder is removed).

    Parameters
    ----------
    store : str or Path
        The folder of a validation store (:data:`TARGET_LAYOUT`).

    Returns
    -------
    list of str
    """
    keeper = ResultStore(store, TARGET_LAYOUT)
    done = {k[0] for k in keeper.done()}
    if not done:
        keeper.remove_if_empty()  # a run stopped before its first target leaves no empty store
    return [t.name for k, t in enumerate(TARGETS) if k in done]


def forget_measured(store: str | Path, names: Sequence[str]) -> None:
    """Remove the kept targets ``names`` from ``store`` once their table is written, and the
    store itself when nothing else is kept there (targets of another selection stay).

    Parameters
    ----------
    store : str or Path
        The folder of a validation store (:data:`TARGET_LAYOUT`).
    names : sequence of str
        Names of targets of :data:`~painsim.validation.targets.TARGETS`; a file already absent is
        skipped.
    """
    keeper = ResultStore(store, TARGET_LAYOUT)
    for name in names:
        keeper.file(_index(name)).unlink(missing_ok=True)
    keeper.remove_if_empty()


def inputs_digest() -> dict:
    """What the measurements read: the content key of every built-in model as
    :func:`painsim.params.load_model` loads it now (its model file, and a model variant in force:
    ``--set``), a hash of every built-in experiment file (rows read their results), the
    simulation target and engine as resolved (:func:`painsim.circuits.codegen_target`,
    :func:`painsim.circuits.engine_choice`: unset and set to the default are the same; a misspelt
    value is refused by name).  The code and the
    libraries that compute are not here: the store of kept targets records them once and refuses
    a resume under others (:class:`painsim.parallel.store.ResultStore`)."""
    experiments = {name: hashlib.sha256(find_builtin(name, "experiments").read_bytes()).hexdigest()[:24]
                   for name in builtin_experiments()}
    return {"models": {name: load_model(name).key() for name in builtin_models()}, "experiments": experiments,
            "engine": [codegen_target(), engine_choice()]}


def inputs_fingerprint(inputs: dict | None = None) -> str:
    """:func:`inputs_digest` (computed here unless given) as 24 hex digits: a validation result
    records it (attribute ``inputs_digest``), so that a kept run can be told from one of other model
    or experiment files, model variants or engines (:func:`painsim.validation.seeds.kept_run`).

    Parameters
    ----------
    inputs : dict, optional
        The result of :func:`inputs_digest`.

    Returns
    -------
    str
        24 hex digits.
    """
    content = inputs_digest() if inputs is None else inputs
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:24]


def target_key(target: Target, seed: int, inputs: dict | None = None) -> str:
    """Fingerprint of one measurement: the target (name and what it measures), the seed, the
    inputs (:func:`inputs_digest`, computed here unless given) and the painsim version.

    Parameters
    ----------
    target : Target
        The target (its ``name`` and ``what`` are read).
    seed : int
        The measurement's seed.
    inputs : dict, optional
        The result of :func:`inputs_digest`.

    Returns
    -------
    str
        24 hex digits.
    """
    content = {"target": target.name, "what": target.what, "seed": int(seed), "version": __version__,
               "inputs": inputs_digest() if inputs is None else inputs}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:24]


def _batches(todo: Sequence[Target], workers: int) -> list[list[str]]:
    """Target names cut into batches: one per target, or per shared simulation (in one
    process, it runs once); with workers the slow batches first, so that they start early."""
    groups: dict[str, list[Target]] = {}
    for t in todo:
        groups.setdefault(t.shares or t.name, []).append(t)
    batches = list(groups.values())
    if workers:
        batches.sort(key=lambda b: not any(t.cost == "slow" for t in b))  # stable: table order within each
    return [[t.name for t in b] for b in batches]


#: First element of the progress message of a measured target.
_MEASURED = "measured"


def _measure_batch(seed: int, names: Sequence[str]) -> list[tuple[str, str, float, float]]:
    """(:data:`_MEASURED`, name, value, seconds) of each target of one batch, measured in this process."""
    out = []
    for name in names:
        t = get(name)
        report(f"painsim: validating {t.name} ({t.what})")
        t0 = time.time()
        measured = (_MEASURED, name, float(t.measure(seed)), time.time() - t0)
        report(measured)  # the caller keeps it now: an interruption later in the batch does not lose it
        out.append(measured)
    return out


def _dataset(targets: Iterable[Target], values: np.ndarray, seconds: np.ndarray, seed: int,
             inputs: str = "") -> xr.Dataset:
    targets = list(targets)
    nan = float("nan")
    # the values of different targets are in different units (Hz, °C, NRS), named per target by the
    # variable "units"; CF has no per-element unit, so those variables point to it (labels.UNITS_FROM)
    per_target = " (in the units of its target: variable 'units')"
    own = {UNITS_FROM: "units"}
    text = {"status": "calibrated (a parameter was fitted or chosen with the target in view) or prediction",
            "units": "units of the target's values (UDUNITS)", "what": "what the target measures",
            "source": "published source of the target", "note": "what the comparison assumes"}
    data = {
        "model": (("target",), values, {**own, "long_name": "the model's value" + per_target}),
        "published": (("target",), np.array([t.published for t in targets], float),
                      {**own, "long_name": "the published value" + per_target}),
        "published_low": (("target",), np.array([nan if t.low is None else t.low for t in targets], float),
                          {**own, "long_name": "lower end of the published range" + per_target}),
        "published_high": (("target",), np.array([nan if t.high is None else t.high for t in targets], float),
                           {**own, "long_name": "upper end of the published range" + per_target}),
        "published_direction": (("target",), np.array([t.direction for t in targets], np.int8),
                                {"units": "1", "long_name": "sign of the published effect where the source "
                                 "gives only its direction (+1, -1; 0 otherwise)"}),
        "published_direction_from": (("target",), np.array([t.direction_from for t in targets], float),
                                     {**own, "long_name": "value the published direction is read from (0 for "
                                      "a change, 1 for a ratio)" + per_target}),
        "verdict": (("target",), np.array([t.verdict(v) for t, v in zip(targets, values)], dtype=object),
                    {"units": "1", "long_name": "model within the published range, or on the side of it a "
                     "direction-only source reports (yes, no, n/a without either)"}),
        "seconds": (("target",), seconds, {"units": "s", "long_name": "wall time of the measurement"}),
    }
    data.update({k: (("target",), np.array([getattr(t, k) for t in targets], dtype=object),
                     {"units": "1", "long_name": long_name}) for k, long_name in text.items()})
    return xr.Dataset(data, coords={"target": ("target", [t.name for t in targets],
                                               {"units": "1", "long_name": "validation target"})},
                      attrs={"seed": seed, "painsim_version": __version__, "painsim_source": source_digest(),
                             "inputs_digest": inputs,
                             "title": "painsim validation: model against published figures"})


def _fmt(x: float) -> str:
    return "–" if not np.isfinite(x) else f"{x:.3g}"


def _published(r: xr.Dataset, unit: str) -> str:
    """The published column: the figure, or the direction of a direction-only source ("> 0", "< 1")."""
    direction = int(r["published_direction"]) if "published_direction" in r else 0
    if direction and not np.isfinite(float(r["published"])):
        origin = float(r["published_direction_from"]) if "published_direction_from" in r else 0.0
        return f"{'>' if direction > 0 else '<'} {_fmt(origin)}"
    return f"{_fmt(float(r['published']))}{unit}"


def _range(r: xr.Dataset) -> str:
    """The range column: "low–high", or "–" without a published range."""
    low, high = float(r["published_low"]), float(r["published_high"])
    return "–" if not np.isfinite(low) else f"{_fmt(low)}–{_fmt(high)}"


def table_rows(ds: xr.Dataset, sources: bool = True) -> list[str]:
    """The validation table as Markdown lines (one row per target; ``sources=False``
    leaves out the description and source columns, for a terminal).

    Parameters
    ----------
    ds : xarray.Dataset
        The result of :func:`validate`.
    sources : bool
        Keep the ``what`` and ``source`` columns.

    Returns
    -------
    list of str
        The header, its rule and one row per target (name, what, model value and published figure
        with units, range, verdict, status, source).
    """
    rows = ["| target | what | model | published | range | reproduced | status | source |",
            "|---|---|---|---|---|---|---|---|"]
    for name in ds["target"].values:
        r = ds.sel(target=name)
        units = str(r["units"].values)
        unit = "" if units == "1" else f" {units}"
        rng = _range(r)
        rows.append(f"| {name} | {r['what'].values} | {_fmt(float(r['model']))}{unit} | "
                    f"{_published(r, unit)} | {rng} | {r['verdict'].values} | "
                    f"{r['status'].values} | {r['source'].values} |")
    if not sources:  # drop the 'what' and 'source' columns
        rows = ["|" + "|".join(c for k, c in enumerate(row.split("|")[1:-1]) if k not in (1, 7)) + "|"
                for row in rows]
    return rows
