"""The results of a sweep: persisting each finished point in the store, and
gathering the finished points into the result Dataset."""
from __future__ import annotations

import json
import shutil
import time
import uuid
from pathlib import Path

import numpy as np
import xarray as xr

from ..errors import SpecError
from ..io import as_saved, atomic_path
from ..params import overrides_text
from ..parallel import ResultStore
from ..units import DIMENSIONLESS, unit_name
from ..version import __version__
from .points import PHYSICAL

__all__ = ["persist", "log_unlogged", "gather_results", "write_result"]


def persist(store: ResultStore, res: dict, run_id: str) -> None:
    """Persist one point's result (atomically) and log it; only then is it done.

    Parameters
    ----------
    store : ResultStore
        The sweep's store.
    res : dict
        One result of :func:`painsim.sweep.evaluate.evaluate_batch` or
        :func:`painsim.sweep.evaluate.failed_result`.  A done point's Dataset is written
        with its point, repeat, seed, run, pid, ``computed_at`` and ``compute_s`` (s) as
        attributes and its failure record cleared; a failed point's record (with the
        traceback) is written under ``failed/``.
    run_id : str
        The run that computed it, in the attributes and the event.
    """
    key = (res["i"], res["r"])
    now = time.time()
    info = {"event": "done" if res["ok"] else "failed", "point": res["i"], "repeat": res["r"],
            "seed": res["seed"], "run": run_id, "pid": res["pid"], "time": now,
            "compute_s": res["compute_s"]}
    if res["ok"]:
        ds = res["data"].copy()
        ds.attrs = {**ds.attrs, "point": res["i"], "repeat": res["r"], "seed": res["seed"],
                    "run": run_id, "pid": res["pid"], "computed_at": now, "compute_s": res["compute_s"]}
        store.write(key, ds)
        store.clear_failure(key)
    else:
        info["error"] = res["error"]
        store.write_failure(key, {**info, "traceback": res.get("traceback", "")})
    store.log(info)


def log_unlogged(store: ResultStore) -> int:
    """Log the ``done`` event of every stored item whose event a kill cut off.

    :func:`persist` writes an item, then logs it: a kill between the two leaves an item on
    disk (done, so a resumed run does not recompute it) without its line in ``events.jsonl``.
    A resumed run writes that line from the item's own attributes, marked ``"recovered":
    true``, so the log again holds one ``done`` line per stored item.

    Parameters
    ----------
    store : ResultStore
        The sweep's store.

    Returns
    -------
    int
        The number of events written.
    """
    logged = {(e.get("point"), e.get("repeat")) for e in store.read_events() if e.get("event") == "done"}
    missing = sorted(store.done() - logged)
    for key in missing:
        a = store.read(*key).attrs
        store.log({"event": "done", "point": key[0], "repeat": key[1], "seed": a.get("seed"), "run": a.get("run"),
                   "pid": a.get("pid"), "time": a.get("computed_at"), "compute_s": a.get("compute_s"),
                   "recovered": True})
    return len(missing)


def gather_results(spec, store: ResultStore) -> xr.Dataset:
    """Every point finished so far (and the failed and pending ones) as the sweep's Dataset.

    One variable per outcome over the sweep dimensions (a grid: one per swept
    parameter; otherwise ``point`` with the parameters as coordinates) and
    ``repeat``; ``seed``, ``status`` and ``error`` per run; the spec in attrs.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    store : ResultStore
        Its store; items of points or repeats outside ``spec`` are left out, and so are items
        whose file cannot be read (pending, with a warning naming the file).

    Returns
    -------
    xarray.Dataset
        Outcomes NaN (or ``""``) where a run is not done; the counts of done, failed and
        pending runs, the store's path and, from its ``spec.json`` if any, the code
        digest (``painsim_source``) and model variant (``model_overrides``) in attrs.
    """
    pts = spec.points()
    P, R = len(pts), spec.n_repeats
    parts = store.readable([(i, r) for i, r in sorted(store.done()) if i < P and r < R])  # unreadable: pending
    status, error = _status(store, parts, P, R)
    seeds = np.array([[spec.seed_for(i, r) for r in range(R)] for i in range(P)], dtype=np.int64)
    template = next(iter(parts.values()), None)
    coords = _coords(spec, pts, template, P, R)
    ds = xr.Dataset(_outcome_vars(spec, parts, P, R), coords=coords)
    ds["seed"] = (("point", "repeat"), seeds, {"long_name": "seed of each run"})
    ds["status"] = (("point", "repeat"), status.astype(str), {"flag_meanings": "done failed pending"})
    ds["error"] = (("point", "repeat"), error.astype(str), {"long_name": "error message of a failed run"})
    if spec.design == "grid" and spec.axes:
        names = [a.path for a in spec.axes]
        if len(names) == 1:
            ds = ds.swap_dims(point=names[0]).drop_vars("point")
        else:
            ds = ds.set_index(point=names).unstack("point")
        ds = ds.transpose(*names, "repeat", ...)
        for a in spec.axes:
            ds[a.path].attrs.update(coords[a.path][2])
    ds.attrs.update({
        "painsim_version": __version__, "sweep": spec.name, "description": spec.description,
        "kind": spec.kind, "design": spec.design, "model": spec.model, "spec": json.dumps(spec.to_dict(),
                                                                                         default=str),
        "spec_key": spec.key(), "seed": spec.seed, "seeds": json.dumps(spec.seeds),
        "paired_seeds": int(spec.paired_seeds), "outcomes": json.dumps(list(spec.outcomes)),
        "n_done": int((status == "done").sum()), "n_failed": int((status == "failed").sum()),
        "n_pending": int((status == "pending").sum()), "store": str(store.path)})
    ds.attrs.update(_provenance(store))
    return ds


def _provenance(store: ResultStore) -> dict:
    """The code digest (``painsim_source``), the spec's key (``spec_key``) and the model variant
    (``model_overrides``, only when there is one) that the store's points were computed with, as
    its ``spec.json`` recorded them when the sweep began (a resumed sweep must match them), not
    those of the reading process."""
    if not store.meta.exists():
        return {}
    saved = json.loads(store.meta.read_text())
    out = {"painsim_source": str(saved.get("code", {}).get("source", ""))}
    if saved.get("key"):  # the key the points were computed under (not one recomputed by the reader)
        out["spec_key"] = str(saved["key"])
    if saved.get("model_overrides"):
        out["model_overrides"] = overrides_text(saved["model_overrides"])
    return out


def _status(store: ResultStore, parts: dict, P: int, R: int) -> tuple[np.ndarray, np.ndarray]:
    """(status, error message) per (point, repeat): done, failed or pending."""
    status = np.full((P, R), "pending", dtype=object)
    error = np.full((P, R), "", dtype=object)
    for (i, r), f in store.failures().items():
        if i < P and r < R:
            status[i, r], error[i, r] = "failed", f.get("error", "")
    for (i, r) in parts:
        status[i, r], error[i, r] = "done", ""
    return status, error


def _outcome_vars(spec, parts: dict, P: int, R: int) -> dict:
    """One (point, repeat, ...) array per outcome (every outcome any done run returned, in order of
    first appearance, else the spec's); NaN (or "") where a run is not done or did not return it.

    Raises
    ------
    painsim.errors.SpecError
        An outcome with another shape at one run than at the first run that returned it (a
        function sweep's outcome must have one shape at every point)."""
    data_vars: dict = {}
    first: dict = {}  # outcome -> (run, its variable at the first run that returned it)
    for run, ds in parts.items():
        for o in ds.data_vars:
            first.setdefault(o, (run, ds[o]))
    for o in (list(first) if first else list(spec.outcomes)):
        if o not in first:
            data_vars[o] = (("point", "repeat"), np.full((P, R), np.nan))
            continue
        at, v = first[o]
        dtype = np.float64 if v.dtype.kind in "biuf" else object
        arr = np.full((P, R) + v.shape, np.nan if dtype is np.float64 else "", dtype=dtype)
        for (i, r), ds in parts.items():
            if o in ds:
                if ds[o].shape != v.shape:
                    raise SpecError(f"outcome {o!r}", f"shape {ds[o].shape} at point {i}, repeat {r}",
                                    f"the shape of every other run's ({v.shape} at point {at[0]}, repeat {at[1]})")
                arr[i, r] = ds[o].values
        data_vars[o] = (("point", "repeat") + v.dims, arr, dict(v.attrs))
    return data_vars


def _plain_unit(path: str) -> str | None:
    """The unit a plain number of the axis ``path`` is read in (None: a dimensionless parameter):
    a physical stimulus' (°C, mN), a model temperature's (``*_celsius``), a course's end day."""
    if path in PHYSICAL:
        return PHYSICAL[path][2]
    if path.endswith("_celsius"):
        return "degC"
    return "d" if path == "protocol.end_day" else None  # painsim.protocols.Calendar: plain numbers are days


def _coords(spec, pts: list, template, P: int, R: int) -> dict:
    """point, repeat, the outcomes' own dimensions, and each axis's values per point."""
    coords: dict = {"point": np.arange(P), "repeat": np.arange(R)}
    if template is not None:
        for c in template.coords:
            if c in template.dims:
                coords[c] = template[c]
    for a in spec.axes:
        vals = [p[a.path] for p in pts]
        arr = np.array(vals, dtype=object if a.categorical else float)
        if a.categorical and all(isinstance(v, bool) for v in vals):
            arr = np.array(vals, dtype=bool)
        elif a.categorical:
            arr = np.array([str(v) for v in vals], dtype=object)
        plain = _plain_unit(a.path) if a.dim == DIMENSIONLESS else None  # °C, mN, days
        # display_unit: the unit values are shown in after dividing the SI value by it; plain days are
        # not seconds, so they are shown as stored (painsim.plots.sweep.axis_label reads "units" then)
        attrs = {"units": plain or (unit_name(a.dim) if a.dim not in (None, DIMENSIONLESS) else "1"),
                 "display_unit": (plain if plain != "d" else "") or a.unit, "scale": a.scale, "long_name": a.path}
        coords[a.path] = ("point", arr, attrs)
    return coords


def write_result(ds: xr.Dataset, store: ResultStore, fmt: str) -> Path:
    """Write the gathered Dataset into the store (``result.nc`` or ``result.zarr``), atomically.

    Parameters
    ----------
    ds : xarray.Dataset
        The result of :func:`gather_results`; written as :func:`painsim.io.as_saved` makes it.
    store : ResultStore
        The store; the file is written in its folder, replacing an older one.
    fmt : str
        ``"zarr"``: ``result.zarr``; anything else: ``result.nc`` (netCDF4).

    Returns
    -------
    Path
        The file or folder written.
    """
    ds = as_saved(ds)  # CF labels on every variable written, the code's digest
    if fmt == "zarr":
        # a folder cannot replace another in one rename: the old one is moved aside first.  Both
        # names are temporaries (".*.tmp") that the store's opening removes, and a kill between the
        # renames leaves no result.zarr, which a resumed sweep writes again from parts/
        target, tag = store.path / "result.zarr", uuid.uuid4().hex[:8]
        tmp, old = store.path / f".result.zarr.{tag}.tmp", store.path / f".result.zarr.{tag}.old.tmp"
        try:
            ds.to_zarr(tmp, mode="w")
        except BaseException:  # an interrupted write leaves no half-written folder behind
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if target.exists():
            target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return target
    target = store.path / "result.nc"
    with atomic_path(target) as tmp:
        ds.to_netcdf(tmp, engine="netcdf4")
    return target
