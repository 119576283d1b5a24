"""The pieces a circuit layer is made of, drawn in numpy (no brian2 here).

A layer module (:mod:`painsim.circuits.dorsal_horn`, :mod:`painsim.circuits.cortex`)
declares its :class:`Connection` list and draws, for one point, its
:class:`Population` objects (per-neuron parameters, initial potentials) and
:class:`Projection` objects (per-synapse conductances); it describes itself to the
rest of painsim with one :class:`Layer` object, registered in
:data:`painsim.circuits.layers.LAYERS`.  :mod:`painsim.circuits.network` turns the
populations and projections of a batch into brian2 objects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

__all__ = ["Connection", "Population", "Projection", "GroupDynamics", "Layer", "LayerResults", "no_inputs",
           "random_pairs"]


@dataclass(frozen=True)
class Connection:
    """One projection of a layer: ``name`` is its section in the model file
    (``dorsal_horn.<name>``, ``plasticity.<name>``).

    Parameters
    ----------
    name : str
        Connection name.
    source, target : str
        Pre- and postsynaptic population names.
    kind : {"exc", "inh"}
        Excitatory or inhibitory synapse model of the target's group.
    """

    name: str
    source: str
    target: str
    kind: str  # "exc" or "inh"


@dataclass
class Population:
    """One population of a point's circuit.

    ``params is None`` marks a spike generator (afferent fibers, TMS-driven
    inputs); otherwise ``params`` holds per-neuron SI values of every
    parameter of its group's equations (:func:`painsim.circuits.layers.group_dynamics`)
    and ``v0`` the initial membrane potentials.

    Parameters
    ----------
    name : str
        Population name (e.g. ``"PN"``).
    n : int
        Neurons (or generator units) of the point, all sites.
    params : mapping of str to ndarray, optional
        Per-neuron SI values by equation variable; None for a spike generator.
    v0 : ndarray, optional
        Initial membrane potentials, V.
    group : str
        Neuron group it is simulated in (default ``"spinal"``).
    """

    name: str
    n: int
    params: Mapping[str, np.ndarray] | None = None
    v0: np.ndarray | None = None
    #: neuron group the population is simulated in (its equations and synapse
    #: models, :func:`painsim.circuits.layers.group_dynamics`): populations of one
    #: group share a brian2 NeuronGroup; dorsal horn "spinal", thalamus and cortex
    #: "supraspinal"
    group: str = "spinal"

    @property
    def is_generator(self) -> bool:
        return self.params is None


@dataclass
class Projection:
    """One connection of a point: local (pre, post) indices, per-synapse
    receptor conductances (``w_ampa, w_nmda, w_nk1`` or ``w_gaba``, S), and
    a delay (s).

    Parameters
    ----------
    name : str
        Connection name (:class:`Connection`).
    source, target : str
        Pre- and postsynaptic population names.
    kind : {"exc", "inh"}
        Excitatory or inhibitory synapse model.
    pre, post : ndarray of int
        Local pre- and postsynaptic neuron index of each synapse.
    conductances : mapping of str to ndarray
        Per-synapse values by synapse variable: conductances in S, except ``w_mor`` and
        ``w_gabab`` (transmitter per spike, in units of the receptor's dissociation
        constant) and ``mor_share``/``gabab_share`` (fractions).
    delay : float or ndarray
        Synaptic delay, s: one for all synapses or one per synapse.
    """

    name: str
    source: str
    target: str
    kind: str  # "exc" or "inh"
    pre: np.ndarray
    post: np.ndarray
    conductances: Mapping[str, np.ndarray]
    delay: float = 0.0


@dataclass(frozen=True)
class GroupDynamics:
    """Equations of one neuron group (brian2 syntax) and the models of the
    excitatory and inhibitory synapses onto its neurons (``Synapses`` keyword
    arguments: ``model``, ``on_pre``).

    Parameters
    ----------
    equations : str
        Neuron equations (brian2 syntax).
    exc_synapse, inh_synapse : mapping of str to str
        ``Synapses`` keyword arguments of the excitatory and inhibitory synapses.
    """

    equations: str
    exc_synapse: Mapping[str, str]
    inh_synapse: Mapping[str, str]


def no_inputs(model, stimulus, noxious, touch, seed: int, duration: float) -> dict:
    """A layer's ``inputs`` when it has no generators: its input is the spikes of the
    layers below, so it adds no generator population (``{}``).

    Parameters
    ----------
    model, stimulus, noxious, touch, seed, duration
        As ``Layer.inputs``; all ignored.

    Returns
    -------
    dict
        Empty.
    """
    return {}


@dataclass(frozen=True)
class Layer:
    """A registered circuit layer: everything painsim needs to know about it.

    Parameters
    ----------
    name : str
        Registry name (``"dorsal_horn"``, ``"cortex"``).
    populations : tuple of str
        Its population names, in network order (generators included).
    connections : tuple of Connection
        Its projections, in network order.
    groups : mapping
        The neuron groups it defines: ``{group: GroupDynamics}``.
    neuron_paths : tuple of (str, str)
        ``(equation variable, model path)`` of every neuron parameter that a
        model path sets directly (sweeps store those per neuron).
    sizes : callable
        ``sizes(model) -> {population: neurons}`` of one point (all sites),
        without drawing anything.
    build : callable
        ``build(model, seed) -> (populations, projections)``: the layer's part
        of one point's circuit (:class:`Population`, :class:`Projection`).
    modalities : mapping
        Stimulus modalities (``Waveform.modality``) the layer receives, each
        with the hint given when a model without this layer gets one.  A
        waveform reaches every layer of the stack that receives its modality
        (the dorsal horn and :mod:`painsim.circuits.spino_pag` both receive
        electrical and magnetic ones), so a layer filters by ``Waveform.target``
        what it does not act on.
    site_populations : tuple of str
        Its populations laid out site by site: neuron ``k`` of such a population
        of ``n`` neurons belongs to body site ``k // (n / n_sites)`` (the others,
        e.g. a sheet or a population shared by every site, have no site).
    results : callable
        ``results(model, out, duration, pain) -> LayerResults``: the variables
        (``{name: (dims, values, attrs)}``) and coordinates the layer adds to a
        simulation Dataset, from the point's raw output ``out``; ``pain`` is the
        pain score of the layers below (``None`` for the first layer).
    inputs : callable
        ``inputs(model, stimulus, noxious, touch, seed, duration) ->
        {generator population: AfferentSpikes}``; ``stimulus`` is the tuple of the
        request's waveforms whose modality is one of ``modalities`` (``None`` if none),
        ``noxious``/``touch`` one :class:`painsim.fibers.NaturalStimulus` or
        physical stimulus (``heat()``, ``brush()``) per site.
        Default :func:`no_inputs`, for a layer without generators (its input is
        the spikes of the layers below).
    amplitude_checks : callable, optional
        ``amplitude_checks(model, stimulus, duration)``: raises what ``inputs`` refuses of the
        devices by their amplitudes (beyond a waveform's own limits), without drawing anything
        (the dorsal horn: the kHz field's range, :func:`painsim.circuits.khz_field.field_counts`);
        :func:`painsim.simulation.amplitude_refusal` runs it for every distinct device of a sweep.
        None: no refusal of ``inputs`` depends on an amplitude.
    """

    name: str
    populations: tuple
    connections: tuple
    groups: Mapping[str, GroupDynamics]
    neuron_paths: tuple
    sizes: Callable[..., dict]
    build: Callable[..., tuple]
    results: Callable[..., "LayerResults"]
    inputs: Callable[..., dict] = no_inputs
    modalities: Mapping[str, str] = field(default_factory=dict)
    site_populations: tuple = ()
    amplitude_checks: Callable[..., None] | None = None


@dataclass
class LayerResults:
    """What a layer adds to a simulation Dataset: variables and coordinates
    (xarray tuples), and the pain score after this layer with a note on how it
    was formed (``""``: the layer's own score).

    Parameters
    ----------
    variables : dict of str to tuple
        ``{name: (dims, values, attrs)}``.
    coords : dict
        Coordinates by name.
    pain : float, optional
        Pain score (NRS 0-10) after this layer; None keeps that of the layers below.
    pain_note : str
        Appended to the ``pain`` variable's long name.
    """

    variables: dict[str, tuple]
    coords: dict[str, Any]
    pain: float | None = None
    pain_note: str = ""


def random_pairs(rng: np.random.Generator, prob: np.ndarray, no_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Draw a synapse for each (pre, post) pair with probability ``prob[pre, post]``
    (one uniform number per pair, in row order; ``no_self``: no synapse of a neuron onto
    itself).  Returns the ``(pre, post)`` indices as int64, pre-major.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the uniform numbers.
    prob : ndarray (n_pre, n_post)
        Probability of each synapse.
    no_self : bool
        No synapse from neuron ``k`` onto neuron ``k`` (a recurrent connection).

    Returns
    -------
    pre, post : ndarray of int64
    """
    mask = rng.random(prob.shape) < prob
    if no_self:
        np.fill_diagonal(mask, False)
    pre, post = np.nonzero(mask)
    return pre.astype(np.int64), post.astype(np.int64)
