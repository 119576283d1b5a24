"""Results on disk: atomic NetCDF writes, combining per-point Datasets, Neo export.

Nothing half-written is ever left on disk: files are written to a temporary
name in the target folder and renamed into place (:class:`atomic_path`, from
:mod:`painsim.atomic`, which also holds Ctrl-C until a write has ended).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Sequence

import numpy as np
import xarray as xr

from .atomic import atomic_path, ctrl_c_held, file_mode
from .errors import ParameterError
from .labels import label
from .neo_files import NEO_PACKAGES, checked_path, missing_neo_packages, write_block
from .netcdf_files import RESULT_FILES, is_netcdf, netcdf_file, writable_file
from .version import __version__, source_digest

__all__ = ["save", "as_saved", "bin_width", "own_bins", "load", "combine", "point", "combined_dims", "POINT_ATTRS", "POINT_VARIABLES", "check_whole", "atomic_path", "file_mode", "RAGGED_PREFIXES", "to_neo", "write_neo", "NEO_PACKAGES", "missing_neo_packages", "is_netcdf", "netcdf_file", "RESULT_FILES"]

#: Dimensions whose length differs between points (spikes, synapse lists).
RAGGED_PREFIXES = ("spike", "synapse_")


def as_saved(ds: xr.Dataset) -> xr.Dataset:
    """What :func:`save` writes of ``ds``: a copy with CF labels (units, long_name) on every
    variable, the painsim version and the digest of its code (``painsim_source``) unless present.

    Parameters
    ----------
    ds : xarray.Dataset
        The result; it is not changed.

    Returns
    -------
    xarray.Dataset
    """
    ds = label(ds.copy())
    for v in ds.variables.values():  # a loaded file's encoding (int64) would write a NaN combine padded as -2**63
        v.encoding = {}
    ds.attrs.setdefault("painsim_version", __version__)
    ds.attrs.setdefault("painsim_source", source_digest())
    return ds


def save(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write a Dataset to NetCDF (``.nc``) atomically, with CF labels; returns the path.

    ``ds`` must be an :class:`xarray.Dataset` (``res.pn_rate`` is a DataArray: save ``res``).

    Variables and coordinates without ``units``/``long_name`` get them from
    :data:`painsim.labels.VOCABULARY` (labels already present are kept); the file records the
    painsim version and its code (``painsim_source``, :func:`painsim.version.source_digest`: a
    development checkout keeps its version number while its code changes) unless it has them.

    Parameters
    ----------
    ds : xarray.Dataset
        The result to write; it is not changed (:func:`as_saved` makes the copy written).
    path : str or path-like
        The file, ending in ``.nc``; its folder is created if missing.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a Dataset, or ``path`` does not end in ``.nc``.
    painsim.errors.PathError
        ``path`` is a folder or lies under a file (refused before anything is written).
    """
    _need_dataset(ds)
    path = Path(path)
    if path.suffix != ".nc":
        raise ParameterError("path", str(path), "a file name ending in .nc")
    writable_file(path)
    with atomic_path(path) as tmp:
        as_saved(ds).to_netcdf(tmp, engine="netcdf4")
    return path


def _need_dataset(ds, name: str = "ds") -> None:
    """Refuse, naming the parameter ``name``, what is not a Dataset: only a Dataset carries the attrs
    and labels :func:`save` records and the spikes :func:`to_neo` reads."""
    if isinstance(ds, xr.Dataset):
        return
    if isinstance(ds, xr.DataArray):  # a single readout of a result, e.g. res.pn_rate
        raise ParameterError(name, f"a DataArray {ds.name!r}", "an xarray Dataset",
                             hint="pass the whole result (a DataArray as a Dataset: ds.to_dataset())")
    raise ParameterError(name, f"a {type(ds).__name__}", "an xarray Dataset (what painsim.simulate returns)")


def load(path: str | os.PathLike) -> xr.Dataset:
    """Read a Dataset written by :func:`save` (fully loaded, file closed).

    Ctrl-C during the read is held until the file is closed (:func:`painsim.atomic.ctrl_c_held`):
    an interrupt inside xarray's reader can leave its lock held and the process hanging.

    Parameters
    ----------
    path : str or path-like
        The ``.nc`` file.

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    painsim.errors.PathError
        ``path`` is missing, a folder, or not a NetCDF file (a TOML experiment, a figure ...).
    """
    with ctrl_c_held(), xr.open_dataset(netcdf_file(path), engine="netcdf4") as ds:
        return ds.load()


#: The long_name :func:`combine` gives the index of each ragged entry's point along ``dim``, and how
#: it is recognised again (:func:`point`, :func:`check_whole`, :func:`to_neo`).
_INDEX_LONG_NAME = "index along {!r} of each entry"
_INDEX_PATTERN = re.compile(r"index along '(.+)' of each entry")


#: Per-point attrs (a point's own inputs): variables along ``dim`` in :func:`combine`, attrs in :func:`point`.
POINT_VARIABLES = ("seed", "parameters", "stimulus", "noxious", "touch", "label", "model")
#: Per-point attrs a result is read by (``painsim.simulate``'s): :func:`combine` makes one that differs
#: between its points a variable along its ``dim`` (units, long_name), :func:`point` an attr again.
POINT_ATTRS = {"duration_s": ("s", "simulated time of the point"), "dt_s": ("s", "simulation time step of the point"), "readout_start_s": ("s", "start of the point's readout window")}


def _is_ragged(dim: str) -> bool:
    return dim.startswith(RAGGED_PREFIXES)


def combine(results: Sequence[xr.Dataset], dim: str, labels: Sequence) -> xr.Dataset:
    """Stack per-point Datasets along a new dimension ``dim``.

    Fixed-shape variables gain the dimension ``dim``.  Ragged variables (spikes, synapse lists) are
    concatenated along their own dimension and an index variable ``<ragged dim>_<dim>`` tells which
    point each entry belongs to (its ``point_labels``: the labels, JSON, for :func:`check_whole`).
    Those of all results are kept (models differ in their connections): a point without one adds no
    entries, and the index records it (``points_without``) for :func:`point`.  Per-point attrs (seed,
    parameters, stimulus) become variables along ``dim``, and so do those of :data:`POINT_ATTRS`
    (``duration_s``, ``dt_s``, ``readout_start_s``) where the points differ (NaN: a point without it).

    Parameters
    ----------
    results : sequence of xarray.Dataset
        The points' results, at least one.
    dim : str
        Name of the new dimension.
    labels : sequence
        The coordinate of ``dim``: one label per result.

    Returns
    -------
    xarray.Dataset
        Attrs equal in all results are kept as attrs (the points' own: variables along ``dim``).

    Raises
    ------
    painsim.errors.ParameterError
        ``results`` empty, ``labels`` not one distinct label per result (a label names its point:
        :func:`check_whole`, Neo Segments), ``dim`` a result's or a per-point name.
    """
    if len(results) != len(labels) or not results:
        raise ParameterError("labels", len(labels), f"one label per result ({len(results)})")
    if len({str(v) for v in labels}) != len(labels):  # a point's label names it (Neo Segments, point_labels)
        raise ParameterError("labels", [str(v) for v in labels], "distinct labels, one per result")
    if dim in (*POINT_VARIABLES, *POINT_ATTRS) or any(dim in ds.dims or dim in ds.variables for ds in results):
        raise ParameterError("dim", dim, "a new dimension: none the results have, nor a per-point variable's name ("
                             + ", ".join((*POINT_VARIABLES, *POINT_ATTRS)) + "), which combine writes along it")
    # the point's own attrs (seed, parameters, ...) become variables below (with units, long_name)
    fixed = [ds[[v for v in ds.data_vars if not any(_is_ragged(d) for d in ds[v].dims)]].drop_attrs(deep=False)
             for ds in results]
    out = xr.concat(fixed, dim=dim, coords="minimal", compat="override", join="outer")
    out = out.assign_coords({dim: list(labels)})
    _combine_ragged(out, results, dim)
    for key in POINT_VARIABLES:
        if key in results[0].attrs:
            vals = [ds.attrs.get(key) for ds in results]
            out[f"{key}"] = ((dim,), np.asarray(vals))
    for key, (units, long_name) in POINT_ATTRS.items():  # each point's own (a swept readout.transient ...)
        values = [ds.attrs.get(key) for ds in results]
        if any(v is not None for v in values) and any(v != values[0] for v in values):
            out[key] = ((dim,), np.array([np.nan if v is None else v for v in values], float),
                        {"units": units, "long_name": long_name})
    shared = {k: v for k, v in results[0].attrs.items()
              if all(ds.attrs.get(k) == v for ds in results)}
    out.attrs.update(shared)
    return out


def _combine_ragged(out: xr.Dataset, results: Sequence[xr.Dataset], dim: str) -> None:
    """The ragged variables of all ``results`` (their union, first seen first) into ``out``, one index
    ``<ragged dim>_<dim>`` per ragged dimension; a point without a variable adds no entries and is
    listed in its index's ``points_without`` (JSON ``{variable: [point, ...]}``) for :func:`point`."""
    ragged = list(dict.fromkeys(v for ds in results for v in ds.data_vars
                                if any(_is_ragged(d) for d in ds[v].dims)))
    without: dict[str, dict[str, list[int]]] = {}
    for v in ragged:
        first = next(ds[v] for ds in results if v in ds)  # its dims, dtype and attrs
        rdim = first.dims[0]
        # a point lacking the variable adds none (NaN for entries of a dimension it has: not painsim's)
        arrays = [ds[v].values if v in ds else np.full(ds.sizes.get(rdim, 0), np.nan) if ds.sizes.get(rdim, 0)
                  else np.empty(0, first.dtype) for ds in results]
        attrs = dict(first.attrs)
        if "flag_meanings" in attrs and "population" in out.coords:
            arrays, attrs = _recoded_flags(results, v, arrays, attrs, list(out["population"].values))
        out[v] = ((rdim,), np.concatenate(arrays), attrs)
        idx_name = f"{rdim}_{dim}"
        if idx_name not in out:
            out[idx_name] = ((rdim,), np.repeat(np.arange(len(results)), [ds.sizes.get(rdim, 0) for ds in results]),
                             {"long_name": _INDEX_LONG_NAME.format(dim), "point_labels": _labels_of(out, dim)})
        without.setdefault(idx_name, {})[v] = [k for k, ds in enumerate(results) if v not in ds]
    for idx_name, lacking in without.items():  # recorded only where a point lacks a variable
        out[idx_name].attrs.update({"points_without": json.dumps({v: k for v, k in lacking.items() if k})}
                                   if any(lacking.values()) else {})


def _recoded_flags(results, v: str, arrays: list, attrs: dict, names: list) -> tuple[list, dict]:
    """A flag variable's codes (e.g. ``spike_population``) renumbered from each point's own list of
    ``flag_meanings`` into ``names``, the combined coordinate (points whose populations differ list
    them differently: the codes of one point would name another's populations)."""
    recoded = []
    for ds, codes in zip(results, arrays):
        own = ds[v].attrs["flag_meanings"].split() if v in ds else None  # None: a point without it
        recoded.append(codes if own is None else np.array([names.index(n) for n in own], dtype=codes.dtype)[codes])
    attrs.update(flag_values=np.arange(len(names), dtype=np.int8), flag_meanings=" ".join(map(str, names)))
    return recoded, attrs


def _point_indices(result: xr.Dataset) -> dict[str, list[str]]:
    """{dim: names of its index variables} of the ``<ragged>_<dim>`` indices :func:`combine` wrote
    (one per ragged dimension: spikes, synapse lists)."""
    found: dict[str, list[str]] = {}
    for name, var in result.data_vars.items():
        m = _INDEX_PATTERN.fullmatch(str(var.attrs.get("long_name", "")))
        if m:
            found.setdefault(m.group(1), []).append(str(name))
    return found


def combined_dims(result: xr.Dataset) -> list[str]:
    """The dimensions of ``result`` that :func:`combine` stacked points along (none for one point).

    Parameters
    ----------
    result : xarray.Dataset

    Returns
    -------
    list of str
    """
    found = _point_indices(result)
    return [str(d) for d in result.dims if d in found]


def check_whole(result: xr.Dataset, name: str = "result", instead: dict | None = None) -> None:
    """Refuse points selected from a combined result with ``.sel``/``.isel``: xarray slices the fixed-shape
    variables but leaves the ragged ones (spikes) of every point, indexed by position in the whole
    result, so their readouts would add up all points or read another point's.

    A subset or reordering is told by the labels :func:`combine` records on the index (``point_labels``);
    without them (older file, result built by hand) by an index beyond the points kept only.

    Parameters
    ----------
    result : xarray.Dataset
        A result about to be read by its spikes.
    name : str
        The parameter, named in the error.
    instead : dict, optional
        ``{dim: what the caller offers}`` besides :func:`point` for reading one point along ``dim``
        (``population_spikes``: the combined result with ``condition=k``), said in the error.

    Raises
    ------
    painsim.errors.ParameterError
        ``result`` keeps a :func:`combine` index (or a ``spike_<dim>`` of :data:`POINT_DIMS`) along a
        dimension it no longer has, or along one whose points are not those it indexes.
    """
    indices = _point_indices(result)
    for dim in POINT_DIMS:  # an index without combine's long_name (a result built by hand)
        if dim in result.dims and f"spike_{dim}" in result.data_vars:
            indices[dim] = list(dict.fromkeys(indices.get(dim, []) + [f"spike_{dim}"]))
    for dim, names in indices.items():
        if dim not in result.dims:
            raise ParameterError(name, f"one {dim} selected from a combined result (its {names[0]} "
                                       f"still indexes every {dim}'s spikes)",
                                 f"a whole result: painsim.io.point(combined, {dim!r}, k) selects point k "
                                 f"with its own spikes" + (f" (or {instead[dim]})" if dim in (instead or {}) else ""))
        kept, index = _labels_of(result, dim), result[names[0]]
        recorded = index.attrs.get("point_labels")
        if (kept != recorded) if recorded is not None else (index.size and index.values.max() >= result.sizes[dim]):
            whole = json.loads(recorded) if recorded else "of the whole result"
            raise ParameterError(name, f"{dim} {json.loads(kept)} selected from a combined result (its {names[0]} "
                                       f"indexes by position the {dim}s {whole})",
                                 f"the whole result: painsim.io.point(result, {dim!r}, k) selects point k with its "
                                 "own spikes" + (f" (or {instead[dim]})" if dim in (instead or {}) else ""))


def _labels_of(result: xr.Dataset, dim: str) -> str:
    """The labels along ``dim`` as JSON text of strings, as :func:`combine` records them."""
    return json.dumps([str(v) for v in np.atleast_1d(result[dim].values)])


def point(result: xr.Dataset, dim: str, k: int) -> xr.Dataset:
    """Point ``k`` of a result :func:`combine` stacked along ``dim``, with only its own ragged
    entries (spikes): what ``result.isel({dim: k})`` gives for the fixed-shape variables.

    Parameters
    ----------
    result : xarray.Dataset
        A combined result.
    dim : str
        The dimension it was combined along (``"condition"``, ``"batch"``, ...).
    k : int
        The point's index, 0 to ``result.sizes[dim] - 1``.

    Returns
    -------
    xarray.Dataset
        The point, its ragged variables holding its entries only (their index along ``dim`` dropped;
        those it did not have, another point's connections, dropped), its own :data:`POINT_ATTRS`
        (``duration_s``, ...) and :data:`POINT_VARIABLES` (``seed``, ``model``, ...) attrs again.

    Raises
    ------
    painsim.errors.ParameterError
        ``dim`` is not a dimension ``result`` was combined along, or ``k`` is not an index of it.
    """
    _need_dataset(result)
    indices = _point_indices(result).get(dim)
    if not indices or dim not in result.dims:
        raise ParameterError("dim", dim, "a dimension the result was combined along: "
                             + (", ".join(d for d in _point_indices(result) if d in result.dims) or "none"))
    n = result.sizes[dim]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < n:
        raise ParameterError("k", k, f"an index of {dim!r}: a whole number 0 to {n - 1}")
    out = result.isel({dim: int(k)})
    for index in indices:
        rdim = result[index].dims[0]
        absent = [v for v, points in json.loads(result[index].attrs.get("points_without", "{}")).items()
                  if int(k) in points and v in out]
        out = out.isel({rdim: np.flatnonzero(result[index].values == k)}).drop_vars([index, *absent])
    for key in (*POINT_ATTRS, *POINT_VARIABLES):  # the point's own attrs again, as simulate gives them
        if key in out.data_vars and out[key].ndim == 0:
            value, out = out[key].values.item(), out.drop_vars(key)
            had = value is not None and (key not in POINT_ATTRS or np.isfinite(value))  # NaN: it had none
            out.attrs.update({key: value} if had else {})
    return out


# ---------------------------------------------------------------- Neo interchange
#: Dimensions along which a combined result holds several points (one Neo Segment each).
POINT_DIMS = ("condition", "batch", "point", "patient")
NEO_PER = ("neuron", "population")


def _point_dim(result: xr.Dataset) -> str | None:
    """The dimension along which ``result`` holds several points: one of :data:`POINT_DIMS`, else
    any other dimension :func:`combine` stacked the spikes along (its ``spike_<dim>`` index)."""
    for dim in POINT_DIMS:
        if dim in result.dims and f"spike_{dim}" in result:
            return dim
    indices = _point_indices(result)  # combine() marks its indices (spike_population is a code, not one)
    return next((dim for dim in result.dims if f"spike_{dim}" in indices.get(dim, ())), None)


def _point_spikes(result: xr.Dataset, dim: str | None, k: int):
    sel = result[f"spike_{dim}"].values == k if dim is not None else np.ones(result.sizes.get("spike", 0), bool)
    return (result["spike_time"].values[sel], result["spike_neuron"].values[sel],
            result["spike_population"].values[sel])


def _point_value(result: xr.Dataset, name: str, dim: str | None, k: int):
    if name in result.data_vars and dim is not None and dim in result[name].dims:
        return result[name].isel({dim: k}).values.item()
    return result.attrs.get(name)


def to_neo(result: xr.Dataset, per: str = "neuron"):
    """A simulation result as a :class:`neo.Block` (interchange with Elephant, NWB, ...).

    Parameters
    ----------
    result : xarray.Dataset
        What :func:`painsim.simulate` returns, or a combined result (experiment
        conditions, a batch, :func:`combine` along any new dimension): any Dataset with
        painsim's ragged ``spike_*`` variables, ``population_size`` and the ``duration_s``
        attribute.
    per : {"neuron", "population"}
        One :class:`neo.SpikeTrain` per neuron (default), or one per population
        holding the spikes of all its neurons.

    Returns
    -------
    neo.Block
        One :class:`neo.Segment` per point (condition, batch entry, ...), named by
        its label (``"result"`` for a result of one point) and annotated with
        ``label`` (that exact label: an NWB file names it without ``'/'`` and
        ``':'``, :func:`write_neo`), ``point`` (its index) and, where the result
        holds them, ``model`` (the model the point ran), ``seed`` and the
        point's ``stimulus``, ``noxious`` and ``touch`` (JSON, as in the
        result; its ``parameters`` stay in the result's file).  Each holds its
        spike trains (times in s, ``t_start`` 0, ``t_stop`` the
        simulated duration; annotations ``population``, ``neuron`` (per-neuron
        trains), ``site`` (per-neuron trains: the body site of a neuron whose
        population is laid out site by site, -1 for a population of no site,
        e.g. the S1 sheet or the PAG/RVM), ``point``, ``seed``; only of the
        populations its model has) and, where the result holds
        binned rates, an :class:`neo.AnalogSignal` ``rates`` in Hz with one
        channel per population of the point's model, in the order of its spike
        trains (``array_annotations["population"]``; a population only another
        point's model has is left out, as its trains are), on the
        point's own bins (points of other bin widths or durations: each its own).

    Raises
    ------
    painsim.errors.ParameterError
        ``result`` is not a Dataset with spikes, ``per`` is not one of :data:`NEO_PER`, ``result``
        is one point selected with ``.sel``/``.isel`` from a combined result, or a result combined
        over more than one dimension (:func:`combined_dims`; :func:`point` selects one level).

    Notes
    -----
    Neo (Garcia et al. 2014, Front. Neuroinform. 8:10) is the common data model
    of electrophysiology tools; brian2 has no exporter of its own.  Needs the
    ``neo`` package (``pip install "painsim[interchange]"``).
    """
    import neo
    import quantities as pq

    _need_dataset(result, "result")
    if per not in NEO_PER:
        raise ParameterError("per", per, f"one of {NEO_PER}")
    for name in ("spike_time", "spike_neuron", "spike_population", "population_size"):
        if name not in result:
            raise ParameterError("result", sorted(result.data_vars)[:8],
                                 f"a simulation result with {name!r} (spikes are not kept in course, "
                                 "cohort or sweep summaries)")
    if "duration_s" not in result.attrs and "duration_s" not in result.data_vars:
        raise ParameterError("result", "no duration_s attribute", "a result of painsim.simulate")
    check_whole(result)  # one point sliced from a combined result keeps every point's spikes
    stacked = combined_dims(result)
    if len(stacked) > 1:  # a combine of combined results: one Segment per point along one dimension only
        raise ParameterError("result", f"a result combined over {stacked}", "a result combined over one dimension "
                             "(one Neo Segment per point)", hint=f"export each {stacked[0]} on its own: "
                             f"painsim.io.point(result, {stacked[0]!r}, k)")
    names = result["spike_population"].attrs["flag_meanings"].split()
    n_sites = result.sizes.get("site", 1)
    dim = _point_dim(result)
    labels = list(result[dim].values) if dim is not None else [None]
    block = neo.Block(name=str(result.attrs.get("experiment", result.attrs.get("model", "painsim"))),
                      painsim_version=str(result.attrs.get("painsim_version", "")))
    for k, point_label in enumerate(labels):
        seg = neo.Segment(**_segment_annotations(result, dim, k, point_label))
        seed = _point_value(result, "seed", dim, k)
        t_stop = float(_point_value(result, "duration_s", dim, k))  # points of different durations: each its own
        times, neurons, pops = _point_spikes(result, dim, k)
        sizes = result["population_size"].isel({dim: k}).values if dim else result["population_size"].values
        per_site = _site_layout(result, dim, k, sizes, n_sites)
        for code, pop in enumerate(names):
            if not np.isfinite(sizes[code]):
                continue  # a population this point does not have (combined with points that do)
            mine = pops == code
            t, i, n = times[mine], neurons[mine], int(sizes[code])
            common = dict(population=pop, point=k, seed=-1 if seed is None else int(seed))
            if per == "population":
                seg.spiketrains.append(neo.SpikeTrain(np.sort(t) * pq.s, t_start=0 * pq.s, t_stop=t_stop * pq.s,
                                                      name=pop, n_neurons=n, **common))
                continue
            order = np.argsort(i, kind="stable")
            t, i = t[order], i[order]
            bounds = np.searchsorted(i, np.arange(n + 1))
            for j in range(n):
                seg.spiketrains.append(neo.SpikeTrain(np.sort(t[bounds[j]:bounds[j + 1]]) * pq.s,
                                                      t_start=0 * pq.s, t_stop=t_stop * pq.s,
                                                      name=f"{pop}[{j}]", neuron=j,
                                                      site=int(j // per_site[code]) if per_site[code] else -1,
                                                      **common))
        if "rates" in result and "time" in result.dims:
            seg.analogsignals.append(_rate_signal(result, dim, k, [p for p, n in zip(names, sizes) if np.isfinite(n)]))
        block.segments.append(seg)
    block.check_relationships()
    return block


#: The point variables (:data:`POINT_VARIABLES`) a Neo Segment is annotated with: what identifies the
#: point (its full ``parameters`` stay in the result's file).
NEO_POINT_ANNOTATIONS = ("model", "seed", "stimulus", "noxious", "touch")


def _segment_annotations(result: xr.Dataset, dim: str | None, k: int, point_label) -> dict:
    """The name and annotations of point ``k``'s Segment: ``label`` (its exact label along ``dim``, its
    name too), ``point`` and those of :data:`NEO_POINT_ANNOTATIONS` the result holds."""
    name = str(point_label) if point_label is not None else "result"
    out = dict(name=name, label=name, point=k)
    for key in NEO_POINT_ANNOTATIONS:
        value = _point_value(result, key, dim, k)
        if value is not None:  # NIX keeps no None
            out[key] = value.item() if isinstance(value, np.generic) else value
    return out


def _rate_signal(result: xr.Dataset, dim: str | None, k: int, populations: list[str]):
    """Point ``k``'s binned rates of its own ``populations`` (those its model has: another point's are
    NaN here) as a :class:`neo.AnalogSignal` on its own bins (:func:`own_bins`)."""
    import neo
    import quantities as pq

    rates = result["rates"].isel({dim: k}) if dim else result["rates"]
    held = set(rates["population"].values)
    rates = rates.sel(population=[p for p in populations if p in held])  # in the order of the trains
    try:
        rates, width = own_bins(rates)
    except ParameterError as err:
        raise ParameterError("result", f"rate bins of point {k} {err.value}", err.allowed) from None
    values = np.asarray(rates.transpose("time", "population").values, float)
    signal = neo.AnalogSignal(values * pq.Hz, sampling_period=width * pq.s, t_start=0 * pq.s, name="rates",
                              description="population firing rate in bins (painsim.readouts.binned_rate)")
    signal.array_annotate(population=np.asarray(rates["population"].values, dtype=str))
    return signal


def bin_width(result) -> float:
    """Width (s) of a result's rate bins: :func:`painsim.readouts.binned_rate` starts them at 0 with
    one width, so it is twice the first centre, exactly (differences of centres carry rounding:
    0.009999999999999998 s).

    Parameters
    ----------
    result : xarray.Dataset
        A result with a ``time`` coordinate of bin centres (s).

    Returns
    -------
    float
    """
    return 2.0 * float(result["time"].values[0])


def own_bins(rates: xr.DataArray) -> tuple[xr.DataArray, float]:
    """One point's ``rates`` (``time``, ``population``) on its own bins, and their width (s; bins start
    at 0, :func:`bin_width` of the point): :func:`combine` joins the time axes of points whose
    ``readout.bin`` or duration differ (NaN where a point has no bin), so the rows NaN for every
    population are another point's and are dropped.

    Raises
    ------
    painsim.errors.ParameterError
        The remaining bins are not of one width from 0 (not :func:`painsim.readouts.binned_rate`'s).
    """
    own = rates.isel(time=np.flatnonzero(~rates.isnull().all("population").values))
    centres = np.asarray(own["time"].values, float)
    width = 2.0 * float(centres[0]) if centres.size else 2.0 * float(rates["time"].values[0])
    if not np.allclose(centres, width * (np.arange(centres.size) + 0.5), rtol=1e-9, atol=1e-12):
        raise ParameterError("rates", f"centred at {centres[:4].tolist()} ... s",
                             "bins of one width starting at 0 (painsim.readouts.binned_rate) in each point")
    return own, width


def _site_layout(result, dim, k: int, sizes, n_sites: int) -> np.ndarray:
    """Neurons per body site of each population laid out site by site, 0 for the others
    (the result's ``population_site_neurons``; a result written before it had them says
    nothing of its layout, so only a one-site result gives every neuron site 0)."""
    if "population_site_neurons" in result:
        var = result["population_site_neurons"]
        values = var.isel({dim: k}).values if dim else var.values
        return np.nan_to_num(np.asarray(values, float), nan=0.0).astype(int)  # NaN: a population the point lacks
    return np.nan_to_num(np.asarray(sizes, float), nan=0.0).astype(int) if n_sites == 1 else np.zeros(len(sizes), int)


def write_neo(result, path: str | os.PathLike, per: str = "neuron") -> Path:
    """Write a result (or a :class:`neo.Block`) with Neo's writers, atomically.

    The file kind follows the extension: ``.nwb`` (Neurodata Without Borders,
    needs ``pynwb``), ``.nix`` (needs ``nixio``), ``.pkl`` (Neo's pickle, no
    extra package).

    Neo's NWB writer (``neo.io.NWBIO``, Neo 0.14) stores each spike train's times and name
    (``"PN"``, or ``"PN[3]"`` per neuron) but not its annotations (population, neuron, site,
    seed, point) nor a segment's (label, model, ...): read back, a train carries only its name,
    and the segments come back in the order of their names, not of the result's points (match
    them by name).  NWB names may hold no ``'/'`` or ``':'``: a segment whose label has them
    (``"fibromyalgia: test alone"``) is written as ``"fibromyalgia_ test alone"`` (`` (2)``
    added if that meets another name), and the file's ``notes`` give each such name's exact
    label.  The pickle keeps the annotations (checked; NIX too, checked where nixio is
    installed); keep the result's NetCDF file
    beside an NWB export for everything else.  A Block given is left as it was (the names and
    annotations the NWB writer changes are restored).

    Nothing is left when writing fails: no file, no temporary, and no folder that this call
    created (:func:`painsim.neo_files.write_block`).

    Parameters
    ----------
    result : xarray.Dataset or neo.Block
        A result, converted with :func:`to_neo`, or a Block written as it is.
    path : str or path-like
        The file: ``.nwb``, ``.nix`` or ``.pkl``.
    per : {"neuron", "population"}
        As :func:`to_neo` (ignored for a Block).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    painsim.errors.ParameterError
        Another extension, a package the file kind needs is not installed, or
        :func:`to_neo` refuses ``result`` or ``per``.
    painsim.errors.PathError
        ``path`` is a folder or lies under a file (refused before anything is written), or Neo's
        writer failed with an error of its own (named in the message).
    OSError
        The file or its folder cannot be written.
    """
    path = checked_path(path)  # before importing neo (its absence is refused by name) and the conversion
    import neo

    return write_block(result if isinstance(result, neo.Block) else to_neo(result, per=per), path)
