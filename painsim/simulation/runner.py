"""One way to run points: :class:`PointsRunner`, under :func:`simulate` and
:func:`simulate_batch`.

Points of one structure (the same populations and sizes,
:func:`painsim.circuits.structure_key`) and time step are batched into one
brian2 network (:func:`painsim.circuits.build_networks`), ``batch_size`` per
network; a point's result does not depend on its batch companions (nor on ``batch_size`` or its
place in the batch), with one exception the caller chooses: without a ``duration``,
:func:`simulate_batch` runs every point for the longest stimulus of the batch, so a point's
duration and readout window follow its companions (pass ``duration`` to fix them).
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

import numpy as np
import xarray as xr

from ..checks import flag, whole
from ..circuits import PointOutput, build_networks, engine_choice, structure_key
from ..devices import devices_duration
from ..errors import ParameterError, UnknownKeyError
from ..params import Model, load_model
from ..stimulation import Waveform
from .inputs import Request, _point_duration, check_efficacies, point_input, seconds
from .results import dataset

__all__ = ["PointsRunner", "simulate", "simulate_batch"]


def _checked_requests(requests) -> list[Request]:
    """``requests`` as a list, each entry a :class:`Request` (a Model, a Dataset or a dict in its place
    would fail later on a missing attribute, naming neither the entry nor what it must be)."""
    what = ("a sequence of painsim.Request, one per point, e.g. "
            "[Request(model, stimulus, noxious=0.5, seed=s) for s in range(4)]")
    if isinstance(requests, (Request, str, bytes, Mapping)) or not isinstance(requests, Iterable):
        raise ParameterError("requests", requests, what)
    requests = list(requests)
    for k, r in enumerate(requests):
        if not isinstance(r, Request):
            hint = ("wrap each model in a Request; simulate() runs one model" if isinstance(r, (Model, str)) else None)
            raise ParameterError(f"requests[{k}]", r, "a painsim.Request (model, stimulus, noxious, touch, seed, "
                                                      "...)", hint=hint)
    return requests


#: The fields of a :class:`Request` whose errors name the entry of a batch (``requests[2].seed``).
_ENTRY_FIELDS = ("stimulus", "noxious", "touch", "seed", "weights", "per_neuron", "label")


def _entry_error(error: ParameterError, where: str | None, k: int, request: Request | None = None) -> ParameterError:
    """``error`` about a field of request ``k`` renamed ``<where>[k].<field>``: in a batch, ``seed``
    alone does not say whose; an unknown connection of the request's ``weights`` (named by itself)
    ``<where>[k].weights['name']``."""
    field = re.split(r"[ .\[]", str(error.name), maxsplit=1)[0]
    if where is not None and isinstance(error, UnknownKeyError) and isinstance(request, Request) \
            and isinstance(request.weights, Mapping) and error.name in request.weights:
        return error.renamed(f"{where}[{k}].weights[{error.name!r}]")
    if where is None or field not in _ENTRY_FIELDS:
        return error
    return error.renamed(f"{where}[{k}].{error.name}")


class PointsRunner:
    """Simulate the same requests once, or again and again with new efficacies.

    The points are batched by structure and time step, ``batch_size`` per
    network; with ``keep=True`` each network is built on the first :meth:`run`
    and reused by the next ones (:class:`painsim.circuits.BatchNetwork`),
    which is what a course needs: the same windows of the same patients in
    every chunk of every session, only the efficacies change
    (:mod:`painsim.course`).  A run's result equals a fresh
    :func:`simulate_batch` of the requests with those efficacies.

    Parameters
    ----------
    requests : sequence of Request
    d : float, Quantity or str
        Simulated time, s (the same for every point), at least every point's ``network.dt``.
    batch_size : int
        Points per brian2 network.  Results do not depend on it.
    keep : bool
        Keep the networks for the next :meth:`run` (``False``: build anew each run).
    engine : str, optional
        ``"runtime"``, ``"standalone"`` (each network compiled with brian2's
        ``cpp_standalone`` device, or its binary taken from the disk cache, and
        rerun with new efficacies, :class:`painsim.circuits.StandaloneNetwork`) or
        ``"auto"`` (runtime until the runs of a network structure in this process
        have cost as much as compiling it, then compiled; a one-off network, e.g.
        one :func:`simulate`, stays runtime); default ``$PAINSIM_ENGINE``, else
        ``"runtime"`` (:func:`painsim.circuits.engine_choice`).
    where : str or None
        How errors name a bad field of request ``k``: ``"<where>[k].seed"`` (default
        ``requests[k].seed``); None: by the field alone (:func:`simulate`, whose one
        request is made of its own arguments).

    Raises
    ------
    painsim.errors.ParameterError
        ``requests`` empty or not a sequence of Request (a bad field of one named
        ``<where>[k].<field>``), ``d`` not a time in (0, 3600] s or shorter than a point's time step,
        ``batch_size`` not a whole number >= 1, ``keep`` not true/false.
    """

    def __init__(self, requests: Sequence[Request], d: float, batch_size: int, keep: bool = True,
                 engine: str | None = None, where: str | None = "requests"):
        batch_size = whole(batch_size, "batch_size", allow_float=True)
        flag(keep, "keep")
        d = _point_duration(d)  # the checked float is kept: the networks take seconds
        requests = _checked_requests(requests)  # once: a generator is read once
        if not requests:  # nothing to run: run() would return [] and build nothing
            raise ParameterError("requests", requests, "at least one painsim.Request")
        prepared = []
        for k, r in enumerate(requests):
            if not isinstance(r.model, Model):
                raise ParameterError(f"requests[{k}].model", r.model, "a painsim Model (see painsim.load_model)")
            try:
                prepared.append(point_input(r, d))
                # each array's length against the point's circuit, now: its network would refuse
                # it only when built, after other networks had run
                check_efficacies(prepared[-1].plan, r.weights)
            except ParameterError as e:
                raise _entry_error(e, where, k, r) from None
        groups: dict[tuple, list[int]] = {}
        for k, p in enumerate(prepared):
            dt = p.model.si("network.dt")
            if d < dt:  # less than one step ran one step and returned one bin
                raise ParameterError("duration", d, f"a duration of at least the model's time step network.dt "
                                     f"({dt:g} s)", hint=None if where is None else f"the model of {where}[{k}]")
            groups.setdefault((structure_key(p.model), dt), []).append(k)
        # (indices of the points, their dt) per network-to-be, in batches of batch_size
        self._chunks = [(members[s:s + int(batch_size)], dt) for (_, dt), members in groups.items()
                        for s in range(0, len(members), int(batch_size))]
        self._requests, self._prepared, self._d, self._keep = requests, prepared, d, keep
        self._engine = engine_choice(engine)
        self._networks: dict[int, list] = {}

    @property
    def duration(self) -> float:
        """Simulated time of every point, s."""
        return self._d

    def run(self, weights: Sequence[Mapping[str, np.ndarray] | None] | None = None) -> list[PointOutput]:
        """Run every point; ``weights[k]``: efficacies of point ``k`` (default: the requests').

        Returns each point's raw :class:`painsim.circuits.PointOutput` (spikes,
        sizes, efficacies, synapses), in the order of the requests.

        Raises
        ------
        painsim.errors.ParameterError
            ``weights`` not one mapping (or None) per request, or an array of ``weights[k]``
            not one finite efficacy >= 0 per synapse (:func:`painsim.simulation.inputs.check_efficacies`),
            before any network runs.
        """
        if weights is None:
            weights = [r.weights for r in self._requests]
        if len(weights) != len(self._requests):
            raise ParameterError("weights", len(weights), f"one mapping (or None) per request ({len(self._requests)})")
        for k, w in enumerate(weights):
            if w is not None and not isinstance(w, Mapping):
                raise ParameterError(f"weights[{k}]", w, "None or a mapping of connection -> efficacies")
            check_efficacies(self._prepared[k].plan, w, f"weights[{k}]", known_only=True)
        results: list[PointOutput | None] = [None] * len(self._requests)
        for c, (chunk, dt) in enumerate(self._chunks):
            nets = self._networks.get(c)
            if nets is None:
                nets = build_networks([self._prepared[k] for k in chunk], self._d, dt, self._engine)
                if self._keep:
                    self._networks[c] = nets
            for ks, net in nets:
                members = [chunk[k] for k in ks]
                for k, out in zip(members, net.run([weights[k] or {} for k in members])):
                    results[k] = out
        return results

    def datasets(self, weights: Sequence[Mapping[str, np.ndarray] | None] | None = None) -> list[xr.Dataset]:
        """:meth:`run`, each point's result as a labelled Dataset (:func:`painsim.simulation.results.dataset`)."""
        return [dataset(r, out, self._d, out.dt) for r, out in zip(self._requests, self.run(weights))]


def _batch_seconds(requests: list[Request], duration) -> float:
    """The simulated time of a batch: ``duration``, or by default the longest stimulus of the requests."""
    if duration is not None:
        return seconds(duration, None)
    longest = []
    for k, r in enumerate(requests):
        try:
            longest.append(devices_duration(r.stimulus))
        except ParameterError as e:
            raise _entry_error(e, "requests", k) from None
    longest = [d for d in longest if d is not None]
    if not longest:
        raise ParameterError("duration", None, "a duration (e.g. \"2 s\") when no request has a stimulus")
    return max(longest)


def simulate_batch(requests: Sequence[Request], duration=None, batch_size: int = 32) -> list[xr.Dataset]:
    """Simulate many points, batching those of one structure into one network.

    Parameters
    ----------
    requests : sequence of Request
        A bad field of one is refused naming it: ``requests[2].seed``, ``requests[0].noxious``.
    duration : Quantity (s), optional
        Simulated time, the same for every point; default: the longest stimulus of the
        requests (as :func:`simulate` takes its stimulus's), required when none has one.
    batch_size : int
        Points per brian2 network.  Results do not depend on it.  Default 32: on the runtime
        engines a small network's time step is dominated by a per-step cost, so more points per
        network cost little more (a 56-s test file took 37 s at 32 instead of 16); the compiled
        engine's cost per point is flat to 32 points (docs/circuits.md).

    Returns
    -------
    list of xarray.Dataset, in the order of ``requests`` (empty for no requests).

    Raises
    ------
    painsim.errors.ParameterError
        ``requests`` not a sequence of :class:`Request`, a bad field of one (named
        ``requests[k].<field>``), ``duration`` not a time in (0, 3600] s (or missing with no
        stimulus), ``batch_size`` not a whole number >= 1.
    painsim.errors.UnknownKeyError
        A name in a request's ``weights`` that is not a connection of its model's circuit.
    """
    requests = _checked_requests(requests)  # a list: read twice below
    d = _batch_seconds(requests, duration)
    if not requests:  # no point: no result (PointsRunner refuses an empty batch)
        whole(batch_size, "batch_size", allow_float=True)
        return []
    return PointsRunner(requests, d, batch_size, keep=False).datasets()


def simulate(model: Model | str, stimulus: Waveform | Sequence[Waveform] | None = None, noxious=0.0, touch=0.0,
             duration=None, seed: int = 0, weights: Mapping[str, np.ndarray] | None = None) -> xr.Dataset:
    """Run one model with one stimulus and return a labelled result.

    Parameters
    ----------
    model : Model or str
        A :class:`painsim.params.Model` or the name/path of a model file.
    stimulus : Waveform or sequence of Waveform, optional
        Device pulses (:mod:`painsim.stimulation`): one device, or several at once (a list, e.g.
        ``[scs, tens]``; docs/stimulation.md).
    noxious, touch : float, NaturalStimulus or PhysicalStimulus
        Natural stimulus intensities (0-1), or :func:`painsim.fibers.natural`
        for one with a start and stop: ``noxious`` drives the Aδ and C fibers,
        ``touch`` the Aβ fibers.  A stimulus in physical units
        (:func:`painsim.fibers.heat`, ``cold``, ``pinprick``, ``brush``) drives the
        fiber classes its encoding names whichever keyword carries it
        (``touch=heat(49)`` drives the nociceptors, not Aβ; docs/stimuli.md, "Use in
        simulations"): the keyword only says where the result records it, in
        ``attrs["noxious"]`` or ``attrs["touch"]``, each entry with its ``kind``.
    duration : Quantity (s), optional
        Simulated time; default: the stimulus duration (the longest device's).
    seed : int
        Seed of all randomness of this point (afferent spikes, connectivity,
        initial state).  Same seed, same result.
    weights : dict, optional
        Synaptic efficacies per connection from a previous run (plasticity).

    Returns
    -------
    xarray.Dataset
        ``rates`` (population x time, Hz), ragged ``spike_*`` arrays, scalar
        ``pn_rate`` (Hz), ``pain`` (NRS 0-10), ``gate_index``, efficacies
        ``w_<connection>``; units in each variable's attrs; parameters (JSON),
        stimulus, seed, painsim version, ``duration_s``, ``dt_s`` and ``readout_start_s``
        (where the readout window of ``pn_rate``, ``pain`` and the other rates after the
        transient begins; it ends at ``duration_s``) in the Dataset attrs.

    Notes
    -----
    The dorsal horn follows Zhang, Janik & Grill 2014 (J Neurophysiol 112:552)
    and Aguiar et al. 2010 (J Neurophysiol 104:1155), see
    :mod:`painsim.circuits.dorsal_horn`; the supraspinal layers
    :mod:`painsim.circuits.cortex`.
    """
    if isinstance(model, (str,)) or hasattr(model, "__fspath__"):
        model = load_model(model)
    if not isinstance(model, Model):
        raise ParameterError("model", model, "a painsim Model (painsim.load_model) or the name or path of a model file")
    d = seconds(duration, stimulus)
    return PointsRunner([Request(model, stimulus, noxious, touch, seed, weights)], d, 1, keep=False,
                        where=None).datasets()[0]
