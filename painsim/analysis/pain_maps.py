"""S1 pain-map metrics per model and what they read from a result (formerly part of :mod:`painsim.analysis`).

Site areas, centroids, winner-take-all territories and the painful site's
overactive area of a ``pain_map``-style experiment (:func:`pain_map_metrics`,
on the map metrics of :mod:`painsim.readouts`), and the stored parameter and
stimulated site of one condition (:func:`condition_param`,
:func:`stimulated_site`).
"""
from __future__ import annotations

import json

import numpy as np
import xarray as xr

from .. import readouts
from ..checks import whole
from ..errors import ParameterError, UnknownKeyError
from ..units import parse
from .selections import conditions_result

__all__ = ["condition_param", "stimulated_site", "pn_site", "pain_map_metrics"]


# ---------------------------------------------------------------- pain maps
def condition_param(ds: xr.Dataset, k: int, path: str) -> float:
    """A model parameter (SI) of condition ``k`` from the stored parameter JSON.

    Parameters
    ----------
    ds : xarray.Dataset
        A result with a ``parameters`` variable (one JSON string of the model's parameter
        tree per condition).
    k : int
        Index of the condition.
    path : str
        Dotted parameter path, e.g. ``"body.painful_site"``.

    Returns
    -------
    float
        The value in SI units (a stored quantity string such as ``"40 Hz"`` is parsed).

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``path`` is not a parameter in the stored parameters (named by the first missing part).
    painsim.errors.ParameterError
        ``ds`` without ``parameters``, ``k`` not a condition index, ``path`` not a dotted path of a
        parameter (text; not a section's, nor one below a parameter), or the stored value a string
        that is not a quantity.
    """
    if not isinstance(path, str):
        raise ParameterError("path", path, 'a dotted parameter path (text), e.g. "body.painful_site"')
    node = json.loads(str(_stored(ds, "parameters", k)))
    parts = path.split(".")
    for n, part in enumerate(parts):
        if not isinstance(node, dict):
            raise ParameterError("path", path, f"a parameter's path ({'.'.join(parts[:n])} is a parameter)")
        if part not in node:
            raise UnknownKeyError(".".join(parts[:n + 1]), [".".join(parts[:n] + [c]) for c in node],
                                  what="stored parameter")
        node = node[part]
    if isinstance(node, dict):
        raise ParameterError("path", path, "the path of a parameter, not of a section (e.g. "
                             f"{path}.{next(iter(node), 'x')})")
    return parse(node, path)[0] if isinstance(node, str) else float(node)


def _stored(ds: xr.Dataset, key: str, k):
    """Condition ``k``'s entry of the per-condition variable ``key`` of ``ds``; ``k`` checked (a whole
    number 0 to the number of conditions - 1: a negative index would read from the end)."""
    if not isinstance(ds, xr.Dataset) or key not in ds:
        raise ParameterError("ds", type(ds).__name__ if not isinstance(ds, xr.Dataset) else f"no {key}",
                             f"a result with a {key!r} variable (one entry per condition)")
    values = np.atleast_1d(ds[key].values)
    k = whole(k, "k", 0, allow_float=True)
    if k >= values.size:
        raise ParameterError("k", k, f"a condition index 0 to {values.size - 1}")
    return values[k]


def stimulated_site(ds: xr.Dataset, k: int) -> int | None:
    """The one body site that received natural stimulation in condition ``k`` (None if not one).

    Parameters
    ----------
    ds : xarray.Dataset
        A result with ``noxious`` and/or ``touch`` variables (one JSON string per condition:
        the stored natural stimulus of a one-site model, or one per site index).
    k : int
        Index of the condition.

    Returns
    -------
    int or None
        The site (0 for a one-site model); None when no site or several sites received a
        stimulus (an intensity above 0 or a physical stimulus).

    Raises
    ------
    painsim.errors.ParameterError
        ``k`` not a condition index (a whole number 0 to the number of conditions - 1).
    """
    sites = set()
    for key in ("noxious", "touch"):
        if key not in ds:
            continue
        val = json.loads(str(_stored(ds, key, k)))
        if "intensity" in val or "kind" in val:  # one-site model
            sites.add(0) if _stimulus_given(val) else None
        else:
            sites.update(int(s) for s, v in val.items() if _stimulus_given(v))
    return sites.pop() if len(sites) == 1 else None


def pn_site(ds: xr.Dataset, k: int) -> tuple[int | None, str]:
    """The body site where the PN rate of condition ``k`` is read, in the printed summary and in the
    conditions figure: the site its natural stimulus reaches (topographic models), its test site when
    it also stimulates other sites (``heterotopic``), else the painful site.

    Parameters
    ----------
    ds : xarray.Dataset
        A conditions result (``site_pn_rate`` per site; ``parameters`` and ``experiment_spec`` when
        present).
    k : int
        Index of the condition.

    Returns
    -------
    site : int or None
        The site; None for a one-site result (or one without ``site_pn_rate``), and for the painful
        site of a result without its ``parameters``.
    name : str
        The site in words: ``"site 1"``, ``"test site 2"``, ``"painful site 0"``; ``""`` for a
        one-site result.

    Raises
    ------
    painsim.errors.ParameterError
        ``k`` not a condition index (:func:`stimulated_site`).
    """
    if "site_pn_rate" not in ds or ds.sizes.get("site", 1) <= 1:
        return None, ""
    site, test = stimulated_site(ds, k), _test_site(ds, k)
    painful = int(condition_param(ds, k, "body.painful_site")) if "parameters" in ds else None
    if site is None and test is not None:
        return test, f"test site {test}"
    if site is None or site >= ds.sizes["site"] or site == painful:  # one name for one site, whatever the route
        return painful, f"painful site{'' if painful is None else f' {painful}'}"
    return site, f"site {site}"


def _test_site(ds: xr.Dataset, k: int) -> int | None:
    """The condition's own site when its file gave it stimuli at other sites too (None otherwise,
    and for results without their file's spec)."""
    conditions = json.loads(ds.attrs.get("experiment_spec", "{}")).get("condition", [])
    if k >= len(conditions) or "heterotopic" not in conditions[k] or "site" not in conditions[k]:
        return None
    site = int(conditions[k]["site"])
    return site if site < ds.sizes["site"] else None


def _stimulus_given(stored: dict) -> bool:
    """Whether one site's stored natural stimulus is a stimulus: an intensity shorthand above 0,
    or a physical stimulus (``{"kind": "heat", "value": 45.0, ...}``; stored only when given)."""
    return stored["intensity"] > 0 if "intensity" in stored else "kind" in stored


def pain_map_metrics(ds: xr.Dataset) -> xr.Dataset:
    """Site areas, painful-site overactive area and centroid per model (analysis only).

    ``ds`` is a ``pain_map``-style experiment result: conditions that each
    give noxious input to one body site of a pathway model.  Conditions are
    grouped by model; within a model, the map responses to the sites give the
    winner-take-all territories (:func:`painsim.readouts.site_territories`).

    Parameters
    ----------
    ds : xarray.Dataset
        The result, with ``map_rate`` (condition, map_y, map_x), ``pain``, ``parameters``
        (:func:`condition_param`: ``readout.map_overactive_rate`` and ``cortex.map.spacing``
        of the first condition, ``body.painful_site`` of each) and ``noxious``/``touch``
        (:func:`stimulated_site`); ``model`` names each condition's model (else one model).
        Conditions without exactly one stimulated site are skipped; of two conditions of a
        model at one site, the later is kept.

    Returns
    -------
    xarray.Dataset
        Over ``model`` and ``site``: ``site_area`` (m^2), ``site_centroid_x``
        (m) and ``site_pain`` (NRS), NaN for a site no condition of the model stimulated; over
        ``model``: ``painful_overactive_area`` (m^2; NaN when the painful site was not stimulated)
        and ``painful_site``; ``site_maps`` (model, site, map_y, map_x; Hz, NaN for a site
        not stimulated) and ``territory`` (model, map_y, map_x; -1 = no site); attributes
        ``threshold_hz`` and ``spacing_m``.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` has no ``map_rate`` (not a result of a model with ``network.layers =
        'pathway'``), or no ``condition`` dimension (a single :func:`painsim.simulate` result:
        give a ``painsim run`` conditions result, or :func:`painsim.io.combine` of simulate
        results over ``"condition"``).
    """
    if "map_rate" not in ds:
        raise ParameterError("ds", "no map_rate", "results of a model with network.layers = 'pathway'")
    conditions_result(ds, "pain_map_metrics")  # a single simulate result: KeyError 'condition' before
    models = [str(m) for m in ds["model"].values] if "model" in ds else ["model"] * ds.sizes["condition"]
    names = list(dict.fromkeys(models))
    n_sites = ds.sizes["site"]
    ny, nx = ds.sizes["map_y"], ds.sizes["map_x"]
    maps = np.full((len(names), n_sites, ny, nx), np.nan)
    pains = np.full((len(names), n_sites), np.nan)
    thr = condition_param(ds, 0, "readout.map_overactive_rate")
    h = condition_param(ds, 0, "cortex.map.spacing")
    painful = [0] * len(names)
    for k, m in enumerate(models):
        s = stimulated_site(ds, k)
        if s is None:
            continue
        g = names.index(m)
        maps[g, s] = ds["map_rate"].values[k]
        pains[g, s] = float(ds["pain"].values[k])
        painful[g] = int(condition_param(ds, k, "body.painful_site"))
    area = np.zeros((len(names), n_sites))
    cx = np.full((len(names), n_sites), np.nan)
    terr = np.full((len(names), ny, nx), -1)
    over = np.zeros(len(names))
    for g in range(len(names)):
        filled = np.nan_to_num(maps[g], nan=0.0)
        area[g] = readouts.site_areas(filled, thr, h)
        terr[g] = readouts.site_territories(filled, thr)
        for s in range(n_sites):
            cx[g, s] = readouts.map_centroid(filled[s], thr, h)[0]
        over[g] = readouts.active_area(filled[painful[g]], thr, h)
    # a site no condition stimulated has no response to measure (its zero-filled map would read 0 m^2)
    unknown = np.isnan(maps).all(axis=(2, 3))
    area[unknown] = np.nan
    over[unknown[np.arange(len(names)), painful]] = np.nan
    return xr.Dataset(
        {"site_area": (("model", "site"), area, {"units": "m^2"}),
         "site_centroid_x": (("model", "site"), cx, {"units": "m"}),
         "site_pain": (("model", "site"), pains, {"units": "1", "long_name": "pain score (NRS 0-10)"}),
         "painful_overactive_area": (("model",), over, {"units": "m^2"}),
         "painful_site": (("model",), np.array(painful)),
         "site_maps": (("model", "site", "map_y", "map_x"), maps, {"units": "Hz"}),
         "territory": (("model", "map_y", "map_x"), terr)},
        coords={"model": names, "site": np.arange(n_sites), "map_x": ds["map_x"].values,
                "map_y": ds["map_y"].values},
        attrs={"threshold_hz": thr, "spacing_m": h})
