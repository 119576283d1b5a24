"""Checks of the tables of an experiment file, per kind (values are checked where they are used)."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ..checks import distinct_labels, known_keys, known_tables, simulated_duration, whole
from ..circuits import stack
from ..cohort import load_cohort_spec
from ..conditioning import check_conditioning_spec
from ..course import check_course_keys, file_protocol
from ..course.files import course_arms, file_model
from ..course.settings import course_settings
from ..errors import ModelFileError, ParameterError
from ..fibers.encoding import SKIN_BASELINE
from ..fibers.thermal import ramp_end
from ..params import load_model
from ..params.reading import beside_experiment
from ..rng import checked_seed
from ..simulation.inputs import check_file_devices
from .conditions import (DEFAULT_DURATION, PHYSICAL, condition_request, condition_stimulus, heterotopic_stimuli,
                         natural_stimuli)

__all__ = ["EXPERIMENT_KEYS", "CONDITION_KEYS", "CONDITIONS_TABLES", "check_conditions", "check_conditioning",
           "check_course", "check_cohort"]

#: Keys of ``[experiment]`` in conditions files (conditioning files: :data:`painsim.conditioning.EXPERIMENT_KEYS`).
EXPERIMENT_KEYS = {"name", "description", "kind", "model", "duration", "seed", "batch_size", "figure"}
#: Keys of a ``[[condition]]`` table.
CONDITION_KEYS = {"label", "model", "params", "stimulus", "noxious", "touch", "site", "seed", "heterotopic"} | set(PHYSICAL)

#: Top-level tables of a conditions file.
CONDITIONS_TABLES = ("experiment", "condition")


def _check_experiment_keys(exp: Mapping) -> None:
    known_keys(exp, EXPERIMENT_KEYS, "experiment key")
    if "seed" in exp:  # numpy and brian2 seeds are whole numbers >= 0; 1.7 is not silently made 1
        checked_seed(exp["seed"], "experiment.seed", allow_float=False)
    if "batch_size" in exp:  # points per network: 2.5 is not silently made 2
        whole(exp["batch_size"], "experiment.batch_size", 1)


def check_conditions(spec: Mapping, path: Path) -> None:
    """A conditions file: known tables and ``[experiment]`` keys, a whole seed >= 0, at least one
    ``[[condition]]`` with known keys, its stimuli and a label of its own.

    Parameters
    ----------
    spec : mapping
        The file's tables, as read.
    path : Path
        The file, named in messages.

    Raises
    ------
    painsim.errors.ModelFileError
        No ``[[condition]]`` tables.
    painsim.errors.UnknownKeyError
        A misspelt table or key (the message names the nearest valid one), a model that is not
        built in, or a condition's ``params`` path the model does not have.
    painsim.errors.ParameterError
        A ``model`` that is not a name or path (``condition[k].model``, ``experiment.model``), a
        ``params`` that is not a table (``condition[k].params``); a bad seed or stimulus (an intensity shorthand that is not a number in [0, 1], a stimulus no
        layer of the condition's model receives: TMS on a spinal model), a site outside the model's
        body or without a natural stimulus to place (``condition[k].site``), a device the model refuses (:func:`painsim.simulation.device_refusal`: a device site
        the body lacks, ``condition[k].stimulus.site``; two dorsal-column leads at one site,
        ``condition[k].stimulus``), two conditions with one label, a ``figure`` the model or the
        conditions cannot give (``experiment.figure``: ``pain_map``/``rtms`` without the cortex
        layer, ``sep_collision`` without the dorsal column nuclei, ``scs_frequency`` without a
        stimulus), heat contacts or a ramp that start at or after the experiment's ``duration`` (s)
        (``condition[k].heat_contacts.start``, ``condition[k].heat_ramp.start``), heat contacts that end
        after it, or a ramp that the run's end would cut before both its peak and its ``stop``
        (``condition[k].heat_ramp``; a ``heterotopic`` table's stimuli too, named
        ``condition[k].heterotopic[.j].<key>``).
    """
    known_tables(spec, CONDITIONS_TABLES, "table of a conditions experiment")
    _check_experiment_keys(spec["experiment"])
    conds = spec.get("condition", [])
    if not conds:
        raise ModelFileError(f"{path}: no [[condition]] tables")
    if not isinstance(conds, list):
        raise ParameterError("condition", conds, "[[condition]] tables (a list of tables)")
    labels = []
    for n, c in enumerate(conds):
        if not isinstance(c, Mapping):
            raise ParameterError(f"condition[{n}]", c, "a [[condition]] table")
        known_keys(c, CONDITION_KEYS, "condition key")
        if "seed" in c:
            checked_seed(c["seed"], f"condition[{n}].seed", allow_float=False)
        condition_stimulus(c, n)  # stimulus tables refused before any work, naming the condition
        noxious, _ = natural_stimuli(c, n)  # physical stimuli refused before any work
        _check_contacts_fit(noxious, spec["experiment"], n)
        for remote in heterotopic_stimuli(c, n):  # stimuli at other sites
            _check_contacts_fit(remote.noxious, spec["experiment"], n, remote.where)
        labels.append(c.get("label", f"condition {n}"))  # the default of run_conditions
        # the condition's model and its params (a misspelt name or path), as run_conditions builds it
        model = _condition_model(c, n, spec["experiment"], path)
        _check_on_model(c, n, model, spec["experiment"])
        _check_figure_on_model(spec["experiment"].get("figure"), n, model)
    distinct_labels(labels, "condition")
    _check_figure_on_conditions(spec["experiment"].get("figure"), conds)


def _condition_model(c: Mapping, n: int, exp: Mapping, path: Path):
    """The model of condition ``n``, as run_conditions builds it; a bad ``model`` or ``params`` named
    by its key (``condition[n].params``, not the loader's ``overrides``)."""
    try:
        return load_model(beside_experiment(c.get("model", exp.get("model", "gate_control")), path), c.get("params"))
    except ParameterError as err:
        if err.name == "overrides":
            raise err.renamed(f"condition[{n}].params") from None
        if err.name == "model":
            raise err.renamed(f"condition[{n}].model" if "model" in c else "experiment.model") from None
        raise


#: Figures of a conditions result that read the S1 map, M1 and the descending pathway: the cortex layer's.
CORTEX_FIGURES = ("pain_map", "rtms")
#: The layer (:func:`painsim.circuits.stack`) whose data a figure reads, and that data in words.
#: ``sep_collision`` reads the dorsal column nuclei's spikes (a model without them drew empty
#: panels); ``scs_modes`` and ``conditions`` read the dorsal horn's, which every model has.
FIGURE_LAYERS = {**{f: ("cortex", "the S1 map and M1") for f in CORTEX_FIGURES},
                 "sep_collision": ("dorsal_column", "the dorsal column nuclei's spikes")}


def _check_figure_on_model(names, n: int, model) -> None:
    """Refuse, when the file is loaded, a ``figure`` that needs a layer the model of condition ``n``
    lacks (:data:`FIGURE_LAYERS`: the S1 map of ``pain_map``; M1, PAG/RVM and the map of ``rtms``;
    the dorsal column nuclei of ``sep_collision``): drawn after the whole simulation, it would fail
    only then, or draw empty panels.  Other bad ``figure`` values are the dispatcher's to refuse."""
    layers = [layer.name for layer in stack(model)]
    for name in _figures(names):
        if name in FIGURE_LAYERS and FIGURE_LAYERS[name][0] not in layers:
            layer, data = FIGURE_LAYERS[name]
            raise ParameterError("experiment.figure", name, f"a figure condition[{n}]'s model can give: "
                                 f"{name} draws {data}, of a model with the {layer!r} layer "
                                 f"(network.layers = 'pathway'; this one has "
                                 f"{model.text('network.layers')!r})")


def _figures(names) -> list:
    """The figure names of ``[experiment] figure`` (one name or a list; other values: none)."""
    return [names] if isinstance(names, str) else names if isinstance(names, list) else []


def _check_figure_on_conditions(names, conds) -> None:
    """``scs_frequency`` plots PN rate against the frequency of each condition's stimulus: a file
    without a stimulus in any condition has no point to draw (the figure refused it after the run)."""
    if "scs_frequency" in _figures(names) and not any("stimulus" in c for c in conds):
        raise ParameterError("experiment.figure", "scs_frequency", "a figure the conditions can give: "
                             "scs_frequency plots PN rate against the rate of the conditions' stimuli, "
                             "and no condition has a stimulus")


def _check_on_model(c: Mapping, n: int, model, exp: Mapping) -> None:
    """What of condition ``n`` only its model can refuse, refused when the file is loaded, not when the
    simulation starts (under an internal name, ``requests[0]``): its sites (the model's body), a
    stimulus none of the model's layers receives (TMS on a spinal model), and what
    :func:`painsim.simulation.device_refusal` refuses of its devices (a site the body lacks: named
    ``condition[n].stimulus.site``; two dorsal-column leads at one site: ``condition[n].stimulus``)."""
    request = condition_request(c, n, model, 0)
    duration = simulated_duration(exp.get("duration", DEFAULT_DURATION), "experiment.duration")
    check_file_devices(model, request.stimulus, c.get("stimulus"), f"condition[{n}].stimulus", duration)


def _check_contacts_fit(noxious, exp: Mapping, n: int, where: str | None = None) -> None:
    """A stimulus of a ``heat_contacts`` or ``heat_ramp`` table must start within the run (a later one
    was refused only when the simulation started, as ``requests[k].noxious.start``), repeated contacts
    must end within it, and a ramp must end by its own ``stop`` or peak, not by the run's end: a train or
    a ramp cut short would change the experiment silently (``where``: the table named in messages).
    A ``stop`` before the peak is a subject stopping the thermode; a ramp that reaches its peak and is
    held past the run's end is cut there as a held step is."""
    where = f"condition[{n}]" if where is None else where
    duration = simulated_duration(exp.get("duration", DEFAULT_DURATION), "experiment.duration")
    if not hasattr(noxious, "start"):  # an intensity shorthand (a number): nothing to place in time
        return
    ramp = getattr(noxious, "ramp", 0) > 0
    key = f"{where}.heat_ramp" if ramp else f"{where}.heat_contacts"  # the only tables with a start
    if noxious.start >= duration:
        raise ParameterError(f"{key}.start", noxious.start, f"a start before the end of the experiment's "
                             f"duration ({duration:g} s)", hint="lengthen [experiment] duration or start earlier")
    if ramp:
        _check_ramp_fits(noxious, duration, key)
    if getattr(noxious, "repeat", 1) <= 1:
        return
    end = float(noxious.onsets()[-1]) + noxious.stop - noxious.start
    if end > duration + 1e-12:
        raise ParameterError(key, f"{noxious.repeat} contacts ending at {end:g} s",
                             f"contacts that end within the experiment's duration ({duration:g} s)",
                             hint="lengthen [experiment] duration or give fewer contacts")


def _check_ramp_fits(ramp, duration: float, key: str) -> None:
    """Refuse a ramp the run's end would cut before both its peak and its ``stop`` (``None``: never
    stopped): it would end at a temperature the file names nowhere."""
    peak_at = float(ramp_end(ramp))
    stop = float("inf") if ramp.stop is None else float(ramp.stop)
    if min(peak_at, stop) <= duration + 1e-12:
        return
    reached = SKIN_BASELINE + (duration - ramp.start) * ramp.ramp
    stopped = "" if ramp.stop is None else f" and stopped at {stop:g} s"
    raise ParameterError(key, f"a ramp reaching its peak at {peak_at:g} s{stopped} (cut at {reached:g} °C by "
                         f"the run's end)", f"a ramp that reaches its peak or its stop within the experiment's "
                         f"duration ({duration:g} s)",
                         hint="lengthen [experiment] duration, raise the rate, or give a stop within the run")


def check_conditioning(spec: Mapping, path: Path) -> None:
    """A ``kind = "conditioning"`` file: ``[experiment]``, ``[params]``, ``[test]`` and ``[[protocol]]`` tables.

    Checked by :func:`painsim.conditioning.check_conditioning_spec` (the module that runs them).

    Parameters
    ----------
    spec : mapping
        The file's tables, as read.
    path : Path
        The file, named in messages.

    Raises
    ------
    painsim.errors.ModelFileError
        No ``[[protocol]]`` tables.
    painsim.errors.UnknownKeyError
        A misspelt key or table.
    painsim.errors.ParameterError
        A bad value (replay, stimulus, duplicate labels, a table that is not one); a ``[test]``
        noxious that is not a number in [0, 1] (not text such as ``"0.6"``, true or a table),
        named ``test.noxious``, as a condition's ``noxious`` is; a ``[[protocol]]`` stimulus the
        model refuses, named by its key (``protocol[0].stimulus.site``), as a condition's is.
    """
    check_conditioning_spec(spec, path)  # [test] noxious too (text "0.6" ran as a number), as a condition's


def check_course(spec: Mapping, path: Path) -> None:
    """A ``kind = "course"`` file names a protocol (``[experiment] protocol`` or a ``[protocol]`` table).

    The rest is read by :func:`painsim.course.run_course_file`.

    Parameters
    ----------
    spec : mapping
        The file's tables, as read.
    path : Path
        The file, named in messages.

    Raises
    ------
    painsim.errors.ModelFileError
        No protocol.
    painsim.errors.UnknownKeyError, painsim.errors.ParameterError
        A misspelt table or ``[experiment]`` key, a protocol that :func:`painsim.protocols.resolve`
        refuses, a model name, ``[params]`` path or protocol plasticity override the model
        does not have, or a protocol whose stimulus the model does not receive (an rTMS course on
        a spinal model; :func:`painsim.course.files.file_model`); a ``[course]`` setting of the model
        (``[params]``, ``--set``) that :func:`painsim.course.settings.course_settings` refuses;
        ``sham = true`` with a protocol that is a sham (:func:`painsim.course.files.course_arms`).
    """
    check_course_keys(spec)
    protocol = file_protocol(spec, path)
    course_arms(spec.get("experiment", {}), protocol)
    course_settings(file_model(spec, path, protocol))


def check_cohort(spec: Mapping, path: Path) -> None:
    """A ``kind = "cohort"`` file, checked by :func:`painsim.cohort.load_cohort_spec`
    (keys, preset, distributions, protocol, model).

    Parameters
    ----------
    spec : mapping
        The file's tables, as read, or built in code.
    path : Path
        The cohort file (named in messages; its folder resolves a relative model path).

    Raises
    ------
    painsim.errors.UnknownKeyError
        A misspelt key, table, preset, attribute, group or distribution type.
    painsim.errors.ParameterError
        A bad value (n_patients, batch_size, workers, relief_day ...).
    painsim.errors.ModelFileError
        No protocol.
    """
    load_cohort_spec({**spec, "_path": str(path)})
