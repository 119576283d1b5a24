"""The registry of circuit layers and the layer stacks a model can name.

A layer is one module of :mod:`painsim.circuits` that describes itself with a
:class:`painsim.circuits.elements.Layer` (its populations, projections, neuron
groups and their equations, parameters, sizes, inputs and the result variables
it adds to a simulation Dataset).  A model's ``network.layers`` names a stack
of registered layers, simulated bottom-up in one network:

* ``"spinal"``: the dorsal-horn gate alone (:mod:`painsim.circuits.dorsal_horn`;
  Melzack & Wall 1965, Zhang, Janik & Grill 2014, Aguiar et al. 2010);
* ``"pathway"``: the dorsal horn with thalamus, S1, M1 and descending control
  (:mod:`painsim.circuits.cortex`) and the medial pain pathway, medial thalamus
  -> anterior cingulate (:mod:`painsim.circuits.medial`) and the dorsal column
  nuclei with their brainstem monoaminergic loop (:mod:`painsim.circuits.dorsal_column`)
  and the deep-tissue afferents with their spino-PAG route to descending control
  (:mod:`painsim.circuits.spino_pag`) and the subnucleus reticularis dorsalis
  loop of diffuse noxious inhibitory controls (:mod:`painsim.circuits.dnic`; the
  model files set ``dnic.n_neurons = 20``, 0 removes it);
* ``"pathway_lemniscal"``: the pathway with the lemniscal route, dorsal column
  nuclei -> medial lemniscus -> tactile VPL relay -> S1 (:mod:`painsim.circuits.lemniscal`;
  measured and not (yet) the default: docs/courses.md "mPNS").

The plan, the network and the simulation iterate over the stack; adding a
layer is one module and one line in :data:`LAYERS` (plus its place in
:data:`STACKS`).
"""
from __future__ import annotations

from ..errors import ParameterError
from ..params import register_choices
from . import cortex, dnic, dorsal_column, dorsal_horn, lemniscal, medial, spino_pag
from .elements import GroupDynamics, Layer

__all__ = ["LAYERS", "STACKS", "stack", "group_dynamics", "neuron_variables"]

#: Registered layers by name, bottom-up.
LAYERS: dict[str, Layer] = {
    "dorsal_horn": dorsal_horn.LAYER,
    "cortex": cortex.LAYER,
    "medial": medial.LAYER,
    "dorsal_column": dorsal_column.LAYER,
    "spino_pag": spino_pag.LAYER,
    "lemniscal": lemniscal.LAYER,
    "dnic": dnic.LAYER,
}

#: The ``network.layers`` choices: which registered layers each stack holds, bottom-up.
STACKS: dict[str, tuple[str, ...]] = {
    "spinal": ("dorsal_horn",),
    "pathway": ("dorsal_horn", "cortex", "medial", "dorsal_column", "spino_pag", "dnic"),
    "pathway_lemniscal": ("dorsal_horn", "cortex", "medial", "dorsal_column", "spino_pag", "dnic", "lemniscal"),
}

register_choices("layers", STACKS)


def stack(model) -> list[Layer]:
    """The layers of ``model`` (its ``network.layers`` stack), bottom-up.

    Parameters
    ----------
    model : Model

    Returns
    -------
    list of Layer

    Raises
    ------
    ParameterError
        If ``network.layers`` names none of :data:`STACKS`.
    """
    name = model.text("network.layers")
    if name not in STACKS:
        raise ParameterError("network.layers", name, f"one of {tuple(STACKS)}")
    return [LAYERS[layer] for layer in STACKS[name]]


def group_dynamics(group: str) -> tuple[str, dict, dict]:
    """Neuron equations and excitatory / inhibitory synapse models of a neuron group,
    as the layer that defines the group declares them: the dorsal horn's
    "spinal" (AMPA, NMDA, NK1, GABA_A, wind-up CAN current), "supraspinal" (AMPA
    and GABA_A) or "medial" (also NMDA and a mu-opioid GIRK conductance).

    Parameters
    ----------
    group : str
        A neuron group (``Population.group``), e.g. ``"spinal"``.

    Returns
    -------
    equations : str
    exc_synapse, inh_synapse : dict
        brian2 ``Synapses`` keyword arguments (``model``, ``on_pre``).

    Raises
    ------
    ParameterError
        If no registered layer defines ``group``.
    """
    found: dict[str, GroupDynamics] = {}
    for layer in LAYERS.values():
        found.update(layer.groups)
    if group not in found:
        raise ParameterError("Population.group", group, " or ".join(repr(g) for g in found))
    dyn = found[group]
    return dyn.equations, dyn.exc_synapse, dyn.inh_synapse


def neuron_variables(paths) -> frozenset[str]:
    """The neuron-equation parameters that the model ``paths`` set directly
    (e.g. ``dorsal_horn.synapse.tau_ampa`` -> ``tau_ampa``), in any registered layer.

    Parameters
    ----------
    paths : iterable of str
        Dotted model parameter paths.

    Returns
    -------
    frozenset of str
    """
    paths = set(paths)
    return frozenset(var for layer in LAYERS.values() for var, path in layer.neuron_paths if path in paths)
