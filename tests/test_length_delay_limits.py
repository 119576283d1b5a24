"""Lengths, conduction velocities and delays beyond a human body are refused at load; a dorsal-horn
neuron resting at or above threshold is refused while the kHz field acts.

A wrong SI prefix on a distance ("0.3 km"), extra zeros on a velocity ("7500 m/s") or a delay ("10 ks") loaded and
ran: every afferent delay x 1000, or a volley arriving after the test window, pain 0 without a word.
A resting potential at or above threshold made the kHz field's coupling (scaled to the rheobase,
painsim.circuits.khz_field) <= 0, and the field term vanished without a word.  None of these tests
simulates.  Negative controls: the value meant loads; every built-in model's lengths, velocities and
delays lie far inside the limits; a neuron resting above threshold loads without the field.
"""
from __future__ import annotations

import pytest

import painsim as ps
from painsim.circuits.khz_field import field_coupling
from painsim.params import builtin_models
from painsim.params.model import _DELAY, _DIM_LIMITS, MAX_DELAY

from refusals import refused

METRE, SPEED = (1, 0, 0, 0, 0, 0, 0), (1, 0, -1, 0, 0, 0, 0)


@pytest.fixture(scope="module")
def reference():
    """The reference model, gate_control: it defines every path."""
    return ps.load_model("gate_control")


@pytest.mark.parametrize("path, slip, meant, limit", [
    ("afferents.conduction_distance", "0.3 km", "0.3 m", "3 m"),
    ("dorsal_column.column_length", "15 m", "0.15 m", "3 m"),
    ("afferents.biophysical.skin_distance_max", "15 m", "15 mm", "3 m"),
    ("afferents.Abeta.velocity_max", "7500 m/s", "75 m/s", "150 m/s"),  # (km/s is no unit painsim knows)
    ("afferents.C.velocity_min", "1000 m/s", "1 m/s", "150 m/s"),
    ("network.synaptic_delay", "1 ks", "1 ms", "5 s"),
    ("descending.descending_delay", "10 s", "10 ms", "5 s"),
])
def test_a_length_velocity_or_delay_beyond_a_body_is_refused(reference, path, slip, meant, limit):
    """Was: loaded and ran.  Negative control: the value meant loads."""
    e = refused(lambda: reference.with_params({path: slip}), path)
    assert limit in e.allowed
    assert reference.with_params({path: meant}).text(path) == meant


def test_the_models_lengths_velocities_and_delays_lie_far_inside_the_limits():
    """Every built-in model's longest length and delay are at least 10 x inside the limits, its fastest
    velocity at least 2 x (the limit, 150 m/s, is the fastest axons' ~120 m/s with a margin: a slip of
    a prefix is x 1000)."""
    largest = {METRE: 0.0, SPEED: 0.0, "delay": 0.0}
    for name in builtin_models():
        for path, leaf in ps.load_model(name).leaves.items():
            if leaf.dim is not None and tuple(leaf.dim) in largest:
                largest[tuple(leaf.dim)] = max(largest[tuple(leaf.dim)], leaf.si)
            if _DELAY.match(path.rsplit(".", 1)[-1]):
                largest["delay"] = max(largest["delay"], leaf.si)
    assert all(value > 0 for value in largest.values())  # each kind is present: the test reads something
    assert 10 * largest[METRE] <= _DIM_LIMITS[METRE][1]
    assert 2 * largest[SPEED] <= _DIM_LIMITS[SPEED][1]
    assert 10 * largest["delay"] <= MAX_DELAY


def test_a_neuron_resting_at_threshold_is_refused_while_the_khz_field_acts(reference):
    """The premise: the field's coupling is > 0 at the reference potentials and would be <= 0 at a rest
    at threshold.  Refused there, naming the rest; negative controls: the same rest loads with the
    field removed (a neuron firing without input is a model one may want), and a rest 1 mV below
    threshold loads with the field."""
    assert field_coupling(reference) > 0
    threshold = reference.text("dorsal_horn.neuron.threshold")
    e = refused(lambda: reference.with_params({"dorsal_horn.neuron.rest": threshold}), "dorsal_horn.neuron.rest",
                allowed=True)
    assert "dorsal_horn.field.coupling" in e.hint
    pacemaker = reference.with_params({"dorsal_horn.neuron.rest": threshold, "dorsal_horn.field.coupling": 0.0})
    assert field_coupling(pacemaker) == 0  # the coupling the field would have had: none
    below = reference.si("dorsal_horn.neuron.threshold") - 1e-3
    assert field_coupling(reference.with_params({"dorsal_horn.neuron.rest": f"{below * 1e3:g} mV"})) > 0
