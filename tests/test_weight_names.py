"""A misspelt connection in a request's ``weights`` is refused by name before any simulation.

Before, the network ignored names that are not connections of the circuit, so ``{"c_pnn": w}``
silently simulated the model with ``c_pn`` at efficacy 1."""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim.circuits import stack
from painsim.errors import UnknownKeyError
from painsim.simulation.inputs import point_input


def _request(weights):
    return ps.Request(ps.load_model("gate_control"), noxious=0.5, seed=1, weights=weights)


def test_a_misspelt_connection_is_refused_naming_it_and_the_nearest():
    """The error names the unknown key and suggests the connection it was probably meant to be."""
    with pytest.raises(UnknownKeyError) as info:
        point_input(_request({"c_pnn": np.ones(3)}), 0.2)
    assert info.value.name == "c_pnn" and info.value.suggestion == "c_pn"


def test_a_connection_of_another_stack_is_refused():
    """A pathway connection (M1 -> PAG/RVM) given to the spinal model is not one of its circuit's."""
    pathway = {c.name for layer in stack(ps.load_model("healthy")) for c in layer.connections}
    spinal = {c.name for layer in stack(ps.load_model("gate_control")) for c in layer.connections}
    other = sorted(pathway - spinal)[0]
    with pytest.raises(UnknownKeyError) as info:
        point_input(_request({other: np.ones(3)}), 0.2)
    assert info.value.name == other


def test_every_connection_of_the_circuit_is_accepted():
    """The negative control: every connection name of the model's stack passes the check (the array's
    size is checked later, per synapse, by the network)."""
    names = [c.name for layer in stack(ps.load_model("gate_control")) for c in layer.connections]
    point = point_input(_request({n: np.ones(1) for n in names}), 0.2)
    assert set(point.weights) == set(names)
