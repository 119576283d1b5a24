"""Figures from results.  Takes Datasets, returns matplotlib Figures; runs nothing.

The metrics the figures show are computed by :mod:`painsim.analysis`; this
package only draws.  One module per kind of result:

=====================  ==================================================
:mod:`.common`         colours, spike raster, saving, shared axis helpers
:mod:`.conditions`     conditions experiments (rasters, rates, pain), wind-up
:mod:`.scs`            spinal cord stimulation (recruitment, frequency)
:mod:`.plasticity`     spinal LTP/LTD and the classic plasticity curves
:mod:`.pain_map`       S1 pain maps and rTMS experiments
:mod:`.course`         treatment courses
:mod:`.sweep`          parameter sweeps
:mod:`.cohort`         virtual cohorts
:mod:`.qst`            virtual QST profiles (DFNS)
:mod:`.tolerance`      opioid tolerance over repeated sessions
:mod:`.validation`     the validation table (``painsim validate``)
=====================  ==================================================

:data:`FIGURES` names the figures an experiment file can ask for
(``figure = "<name>"``); :func:`figures_for` picks the standard figures of
any saved result.  ``import painsim`` does not import this package (nor
matplotlib): ``painsim.plots`` is loaded on first use.
"""
from __future__ import annotations

import json

import xarray as xr

from ..analysis import is_cohort_result, pain_map_metrics, scs_metrics
from ..errors import ParameterError, UnknownKeyError
from .cohort import cohort_comparison_figure, cohort_figures, cohort_relief_figure
from .common import COLORS, close_figures, closes_on_error, raster, save_figure
from .conditions import conditions_figure, windup_figure
from .course import course_figure, course_figures, course_map_figure, course_tolerance_figure
from .pain_map import map_figure, pain_map_figure, rtms_figure
from .plasticity import frequency_curve_figure, ltp_ltd_figure, pairing_frequency_figure, stdp_window_figure
from .qst import qst_figure
from .scs import scs_frequency_figure, scs_modes_figure, sep_collision_figure
from .sweep import sweep_figure, sweep_figures
from .tolerance import tolerance_figure
from .validation import validation_figure

__all__ = ["conditions_figure", "raster", "windup_figure", "save_figure", "FIGURES", "experiment_figures",
           "pain_map_metrics", "pain_map_figure", "rtms_figure", "map_figure",
           "scs_metrics", "scs_modes_figure", "scs_frequency_figure", "sep_collision_figure",
           "ltp_ltd_figure", "stdp_window_figure", "pairing_frequency_figure", "frequency_curve_figure",
           "sweep_figure", "sweep_figures",
           "course_figure", "course_map_figure", "course_tolerance_figure", "course_figures",
           "cohort_relief_figure", "cohort_comparison_figure", "cohort_figures",
           "figures_for", "COLORS", "qst_figure", "tolerance_figure", "validation_figure", "KIND_FIGURES",
           "close_figures"]

#: Figures an experiment file can ask for with ``figure = "<name>"`` (or a list of names).
#: Each takes the experiment's Dataset and returns a Figure.
FIGURES = {"conditions": conditions_figure,
           "scs_modes": scs_modes_figure,
           "scs_frequency": scs_frequency_figure,
           "sep_collision": sep_collision_figure,
           "ltp_ltd": ltp_ltd_figure,
           "pain_map": pain_map_figure,
           "rtms": rtms_figure,
           "qst": qst_figure,
           "tolerance": tolerance_figure}

#: The figure of each kind of experiment result whose spec names none (a file without ``figure``, a
#: result saved before :func:`painsim.files.run_experiment` wrote its kind's figure into the spec):
#: ``painsim.files.KINDS[kind].figure``, kept here because plots sits below files (tests check the two agree).
KIND_FIGURES = {"conditions": "conditions", "conditioning": "ltp_ltd", "qst": "qst", "tolerance": "tolerance"}


@closes_on_error
def experiment_figures(ds: xr.Dataset, names) -> dict:
    """The figures named by an experiment, as {name: Figure}.

    Parameters
    ----------
    ds : xarray.Dataset
        An experiment result.
    names : str or list of str
        Keys of :data:`FIGURES`.

    Returns
    -------
    dict
        name -> matplotlib Figure, in the order asked for.

    Raises
    ------
    painsim.errors.UnknownKeyError
        A name that is not in :data:`FIGURES`.
    """
    names = [names] if isinstance(names, str) else list(names)
    out = {}
    for n in names:
        if n not in FIGURES:
            raise UnknownKeyError(n, FIGURES, what="figure")
        out[n] = FIGURES[n](ds)
    return out


def _spec_figures(ds: xr.Dataset):
    """The figure names of an experiment result: its spec's ``figure``, else its kind's
    (:data:`KIND_FIGURES`; the kind from the spec, else the ``kind`` attribute, else conditions)."""
    experiment = json.loads(ds.attrs["experiment_spec"] or "{}").get("experiment", {})
    if "figure" in experiment:  # figure = [] draws none, as painsim run drew none
        return experiment["figure"]
    kind = experiment.get("kind") or ds.attrs.get("kind") or "conditions"
    if kind not in KIND_FIGURES:
        raise ParameterError("experiment.kind", kind, f"a kind with a standard figure, one of {sorted(KIND_FIGURES)} "
                             "(a result of another kind names its figure in experiment.figure)")
    return KIND_FIGURES[kind]


@closes_on_error
def figures_for(ds: xr.Dataset) -> dict:
    """The standard figures of a saved result, chosen by what it is.

    Experiment results (``painsim run``) use their spec's ``figure`` names, else
    the figure of their kind (:data:`KIND_FIGURES`); conditioning summaries get the LTP/LTD figure; cohorts
    :func:`cohort_figures`; courses
    :func:`course_figures`; sweeps :func:`sweep_figures`; validation results
    (``painsim validate``) :func:`validation_figure`.  Used by ``painsim figures RESULTS``.

    Parameters
    ----------
    ds : xarray.Dataset
        A saved result (e.g. read with :func:`painsim.io.load`).

    Returns
    -------
    dict
        Figure name (e.g. ``"conditions"``, ``"validation"``) -> matplotlib Figure.

    Raises
    ------
    painsim.errors.ParameterError
        A Dataset that is none of these results (also a ``painsim validate --seeds`` summary,
        which has no figure), or one its figures cannot draw (the figures drawn before are closed).
    painsim.errors.UnknownKeyError
        An experiment result whose spec names a figure not in :data:`FIGURES`.
    """
    if "target" in ds.dims and "verdict" in ds:
        if "seed" in ds["verdict"].dims:  # painsim validate --seeds: each seed's folder has its figure
            raise ParameterError("results", "a validation summary over seeds (painsim validate --seeds)",
                                 "one run's validation.nc (each seed_<N> folder holds one, with its figure)")
        return {"validation": validation_figure(ds)}
    if "spec" in ds.attrs and "outcomes" in ds.attrs:
        return sweep_figures(ds)
    if is_cohort_result(ds):  # a virtual cohort
        return cohort_figures(ds)
    if "session" in ds.dims and "relief" in ds:
        return course_figures(ds)
    if "protocol" in ds.dims and "pain_before" in ds:
        return {"ltp_ltd": ltp_ltd_figure(ds)}
    if "experiment_spec" in ds.attrs:
        return experiment_figures(ds, _spec_figures(ds))
    if "condition" in ds.dims:
        return {"conditions": conditions_figure(ds)}
    raise ParameterError("results", sorted(ds.dims), "a result of painsim run, course or sweep "
                         "(an experiment, conditioning, course or sweep Dataset)")
