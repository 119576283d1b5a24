"""What every figure shares: colours, the spike raster, saving, axis helpers."""
from __future__ import annotations

import functools
from pathlib import Path
import textwrap

import matplotlib

matplotlib.use("Agg") if matplotlib.get_backend().lower() in ("", "agg") else None
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ..errors import ParameterError  # noqa: E402
from ..io import atomic_path  # noqa: E402
from ..readouts import population_spikes  # noqa: E402

__all__ = ["COLORS", "raster", "save_figure", "datasets_and_labels", "figure_and_axes", "pct",
           "checked_labels", "experiment_title", "require", "closes_on_error", "close_figures"]

COLORS = {"Abeta": "#4C72B0", "Adelta": "#8172B3", "C": "#C44E52", "IN": "#55A868",
          "EX": "#DD8452", "PN": "#222222"}


def raster(ax, ds: xr.Dataset, populations=("C", "Adelta", "Abeta", "IN", "EX", "PN"), condition=None):
    """Spike raster of several populations stacked on one axis (afferents C, Aδ, Aβ, then dorsal-horn neurons).

    A population the result does not have (a model with none of those neurons or fibres, e.g.
    ``afferents.C.n = 0``) is left out of the raster.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axis drawn on; time (s) on x, one band of neurons per population on y.
    ds : xarray.Dataset
        A result with spikes (:func:`painsim.readouts.population_spikes`) and ``population_size``.
    populations : sequence of str
        The populations, bottom to top.
    condition : int, optional
        For combined experiment results: this condition's spikes only.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not a result with spikes (e.g. a sweep summary), naming ``ds``.
    """
    require(ds, "a result with spikes (painsim.simulate, or a conditions result of painsim run)",
            dims=("population",), variables=("population_size", "spike_time", "spike_neuron", "spike_population"))
    offset, ticks, names = 0, [], []
    size = ds["population_size"]
    if condition is not None and "condition" in size.dims:
        size = size.isel(condition=int(condition))   # conditions may differ in their sizes
    # without a condition: bands as wide as the largest (every condition's spikes are drawn)
    size = size.max([d for d in size.dims if d != "population"])
    sizes = dict(zip(ds.population.values, size.values))
    for pop in populations:
        if pop not in sizes:
            continue
        t, i = population_spikes(ds, pop, condition)
        ax.scatter(t, i + offset, s=1.5, color=COLORS.get(pop, "k"), linewidths=0)
        ticks.append(offset + sizes[pop] / 2)
        names.append({"Abeta": "Aβ", "Adelta": "Aδ"}.get(pop, pop))
        offset += sizes[pop] + 2
    ax.set_yticks(ticks, names)
    ax.set_xlim(0, float(ds.attrs.get("duration_s", ds.time.values[-1])))
    ax.set_xlabel("time (s)")


def save_figure(fig, path) -> str:
    """Save a figure as PNG atomically and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (saved at 110 dpi).
    path : str or Path
        The file written, ending in ``.png``.

    Returns
    -------
    str
        ``path``.

    Raises
    ------
    painsim.errors.ParameterError
        ``path`` does not end in ``.png`` (PNG bytes under ``.svg`` or ``.pdf`` were written silently).
    """
    if Path(path).suffix.lower() != ".png":
        raise ParameterError("path", str(path), "a file name ending in .png")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return str(path)


def datasets_and_labels(ds, labels=None) -> tuple[list, list]:
    """One Dataset or a list of them, and their legend labels (default: each one's ``rule`` attribute).

    Parameters
    ----------
    ds : xarray.Dataset or iterable of them
        The results (at least one).
    labels : str or sequence of str, optional
        The legend labels, one per Dataset; a single string is the one label of a single Dataset.

    Returns
    -------
    datasets, labels : list

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is neither a Dataset nor an iterable of them (e.g. None), or is empty (naming ``ds``;
        what each item must hold is the figure's :func:`require`); ``labels`` is not one per
        Dataset (:func:`checked_labels`).
    """
    if isinstance(ds, xr.Dataset):
        dss = [ds]
    elif isinstance(ds, (str, bytes, dict)) or not hasattr(ds, "__iter__"):
        raise ParameterError("ds", type(ds).__name__, "an xarray.Dataset or a list of them")
    else:
        dss = list(ds)
    if not dss:
        raise ParameterError("ds", "an empty list", "an xarray.Dataset or a list of at least one")
    if labels is None:
        return dss, [d.attrs.get("rule", "") if isinstance(d, xr.Dataset) else "" for d in dss]
    return dss, checked_labels(labels, len(dss), "curve")


def checked_labels(labels, n: int, what: str = "curve") -> list:
    """The legend labels of ``n`` curves: a single string is the one label of one curve (it was
    iterated character by character), and a count other than ``n`` is refused (zip dropped the
    curves without a label, or the labels without a curve).

    Parameters
    ----------
    labels : str or sequence of str
        The labels given.
    n : int
        The number of curves drawn.
    what : str
        What one curve is, in the error's words (``"curve"``, ``"condition"``).

    Returns
    -------
    list of str

    Raises
    ------
    painsim.errors.ParameterError
        ``labels`` is not a string or a sequence of them, or holds other than ``n`` labels (naming
        ``labels``, the value and the count allowed).
    """
    allowed = (f"{n} labels, one per {what} (a list of str)" if n != 1
               else f"one label for the one {what} (a str, or a list of one str)")
    if isinstance(labels, str):
        labels = [labels]
    elif isinstance(labels, (bytes, dict)) or not hasattr(labels, "__iter__"):
        raise ParameterError("labels", labels, allowed)
    labels = list(labels)
    if len(labels) != n:
        raise ParameterError("labels", labels, allowed, hint=f"{len(labels)} given")
    return [str(lab) for lab in labels]


def figure_and_axes(ax=None, figsize=(5, 3.6)):
    """``(figure, axes)``: of ``ax`` if given, else of a new constrained-layout figure.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        An axis to draw on.
    figsize : tuple of float
        Width and height of a new figure, in inches.

    Returns
    -------
    figure, axes : matplotlib Figure and Axes
    """
    return plt.subplots(figsize=figsize, constrained_layout=True) if ax is None else (ax.figure, ax)


def pct(x):
    """Fractions as percent (float array).

    Parameters
    ----------
    x : float or array_like
        Fractions.

    Returns
    -------
    ndarray
        ``100 * x``.
    """
    return 100.0 * np.asarray(x, float)


def experiment_title(ds: xr.Dataset, fallback: str = "") -> str:
    """A figure's title for the result ``ds``: the experiment's name (attribute ``experiment``, else
    ``name``, else ``fallback``) and, wrapped below it, what the file says it does (``description``),
    so a figure shown on its own says what was simulated.

    Parameters
    ----------
    ds : xarray.Dataset
        The result; its attributes are read.
    fallback : str
        The name when the attributes give none.

    Returns
    -------
    str
        The name, and the description wrapped at 100 characters on the lines below it.
    """
    name = ds.attrs.get("experiment") or ds.attrs.get("name") or fallback
    description = str(ds.attrs.get("description", "")).strip()
    return f"{name}\n{textwrap.fill(description, 100)}" if description else name


def require(ds, what: str, dims=(), variables=(), name: str = "ds") -> None:
    """Refuse a Dataset that is not the result a figure draws, before any figure is made.

    Parameters
    ----------
    ds : object
        The Dataset given to the figure function.
    what : str
        The result the figure expects, in words (e.g. ``"a tolerance result (painsim.files.run_tolerance)"``).
    dims : sequence of str
        Dimensions it must have.
    variables : sequence of str, or mapping of str to tuple of str
        Variables it must hold; with a mapping, each over exactly these dimensions (in any order).
    name : str
        The parameter named in the error.

    Raises
    ------
    painsim.errors.ParameterError
        ``ds`` is not an :class:`xarray.Dataset`, or lacks one of these; the message names its
        dimensions, what it lacks and ``what``.
    """
    if not isinstance(ds, xr.Dataset):
        raise ParameterError(name, type(ds).__name__, f"{what} (an xarray.Dataset)")
    over = dict(variables) if isinstance(variables, dict) else {v: None for v in variables}
    lacks = {"dimensions": [d for d in dims if d not in ds.dims], "variables": [v for v in over if v not in ds]}
    missing = [f"the {kind if len(names) > 1 else kind[:-1]} {', '.join(map(repr, names))}"
               for kind, names in lacks.items() if names]
    missing += [f"the variable {v!r} over {tuple(on)} (it is over {ds[v].dims})" for v, on in over.items()
                if v in ds and on is not None and set(ds[v].dims) != set(on)]
    if missing:
        shown = ", ".join(map(str, ds.dims)) or "no dimensions"
        raise ParameterError(name, f"a Dataset over ({shown}) without {'; '.join(missing)}", what)


def closes_on_error(draw):
    """Decorate a figure function so that the figures it opened are closed when it raises (pyplot
    keeps every open figure alive: a failed call would otherwise leak them).

    Parameters
    ----------
    draw : callable
        The figure function.

    Returns
    -------
    callable
        ``draw``, closing on an exception the figures opened during the call, then re-raising it.
    """
    @functools.wraps(draw)
    def drawing(*args, **kwargs):
        before = set(plt.get_fignums())
        try:
            return draw(*args, **kwargs)
        except BaseException:
            for num in sorted(set(plt.get_fignums()) - before):
                plt.close(num)
            raise
    return drawing


def close_figures(figures) -> None:
    """Close figures (closing one twice is harmless).

    Parameters
    ----------
    figures : iterable of matplotlib.figure.Figure
        E.g. the values of :func:`painsim.plots.figures_for`'s dict.
    """
    for fig in figures:
        plt.close(fig)
