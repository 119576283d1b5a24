"""Parameter sweeps: many points of one model, on disk, resumable, in parallel.

A sweep varies model parameters (dotted paths, ``"pathology.disinhibition"``),
stimulus parameters (``"stimulus.rate"``, the arguments of a stimulus spec as
in experiment files), the natural inputs (``"noxious"``, ``"touch"``) and, for
course sweeps (``kind = "course"``), the protocol (``"protocol.stimulus.rate"``,
``"protocol.session_duration"``, ``"protocol.period"``, ``"protocol.end_day"``) over
a design -- a grid, random points, a Latin hypercube, a Sobol sequence, or the
Saltelli/Morris samples of a sensitivity analysis -- with repeated seeds, and
keeps the scalar outcomes of every run.

A spec is a TOML file or a dict::

    [sweep]
    name = "disinhibition"
    model = "gate_control"
    duration = "1 s"
    noxious = 0.6
    seed = 1
    seeds = 3                      # repeats (derived seeds), or a list [11, 12, 13]
    design = "grid"                # grid | random | lhs | sobol | saltelli | morris
    outcomes = ["pain", "pn_rate", "gate_index"]
    batch_size = 8
    workers = 2                    # processes (0: this process) unless --workers / workers= is given
    figure = {outcomes = ["pain"], x = "stimulus.rate"}   # checked against outcomes and axes

    [params]                       # fixed overrides of every point
    "afferents.C.n" = 20

    [stimulus]                     # a stimulus spec (painsim.stimulation.from_spec)
    type = "tonic"
    rate = "50 Hz"
    width = "200 us"
    amplitude = 1.5

    [parameters]                   # the swept axes
    "pathology.disinhibition" = {min = 0.0, max = 1.0, n = 5}
    "stimulus.rate" = {values = ["10 Hz", "50 Hz", "200 Hz"]}
    "noxious" = [0.3, 0.6]         # a bare list: explicit values

Several devices at every point (:mod:`painsim.devices`) are an array of
``[[stimulus]]`` tables, and each axis names its device by index::

    [[stimulus]]                   # stimulus[0]: test pulses at the painful site's nerve
    type = "tonic"
    rate = "3.1 Hz"
    amplitude = 2.0
    target = "peripheral_nerve"

    [[stimulus]]                   # stimulus[1]: tonic SCS over its dorsal columns
    type = "tonic"
    rate = "50 Hz"
    amplitude = 1.3

    [parameters]
    "stimulus[1].amplitude" = {values = [0.0, 1.3]}

With one test electrode (a device at a peripheral nerve or the skin) a
``simulate`` sweep can keep the outcome ``sep``, the evoked response of the
dorsal column nuclei to its pulses (:func:`painsim.analysis.point_evoked`).

Every point of every repeat gets its own seed, derived from the spec seed and
(point, repeat) -- or, with ``paired_seeds = true`` or an explicit list of
seeds, the same seeds at every point (common random numbers).  A point's
result depends only on its parameters and seed, never on the batch size,
the number of workers or the backend.

Execution: points that share network structure run together in ONE brian2
network through :func:`painsim.simulate_batch`; batches go to local worker
processes (``workers=N``, the default), to this process (``workers=0``), or to
a Dask cluster (``scheduler="tcp://host:8786"`` or ``"host:8786"``, or
``"local"`` for a ``LocalCluster``).  A spec's ``workers`` key is used when
the caller (``run_sweep(workers=...)``, ``--workers``) gives none.

Store: a directory.  Each finished point is written atomically to
``parts/`` before it counts as done, failures to ``failed/`` with their error
message; ``events.jsonl`` logs every persisted point (run id, worker pid,
compute time) and ``result.nc`` (or ``result.zarr``) holds the gathered
Dataset (:func:`gather_results`).  ``resume=True`` recomputes nothing that is in ``parts/``.

Sensitivity: :func:`sensitivity` turns a sweep with the ``saltelli`` or
``morris`` design into Sobol or Morris indices (SALib), and a sweep of any
other design into moment-independent (delta) or RBD-FAST indices.

Modules: :mod:`.spec` (axes, the spec, reading it), :mod:`.designs`,
:mod:`.points` (building and checking every point), :mod:`.devices` (the points' devices and
the checks of them against each point's model), :mod:`.evaluate`
(computing batches of points), :mod:`.results` (the store and the result
Dataset), :mod:`.run` (:func:`run_sweep`, :func:`load_sweep`) and
:mod:`.indices` (:func:`sensitivity`).  Execution and the store are
:mod:`painsim.parallel`'s, shared with :mod:`painsim.cohort`; measurements
are in ``docs/sweeps_and_cohorts.md``.
"""
from ..sensitivity import salib_indices  # noqa: F401
from .designs import DESIGNS
from .indices import sensitivity
from .points import COURSE_OUTCOMES, PROTOCOL_FIELDS, SIMULATE_OUTCOMES
from .results import gather_results
from .run import SweepStore, check_run_settings, load_sweep, run_sweep
from .spec import KINDS, Axis, SweepSpec, load_spec, make_spec

__all__ = ["SweepSpec", "Axis", "load_spec", "make_spec", "run_sweep", "load_sweep", "check_run_settings", "sensitivity",
           "DESIGNS", "KINDS", "SIMULATE_OUTCOMES", "COURSE_OUTCOMES", "PROTOCOL_FIELDS", "SweepStore",
           "gather_results"]
