"""A device the model refuses is named by the key of the file's stimulus table that sets what is
refused, the same way in conditions, course and sweep files (:func:`painsim.stimulation.spec.device_key`).

Before 2026-12-07 a conditions file named a refused pulse rate ``condition[0].stimulus pulse rate``
and a course file a coil current under the fraction model ``protocol.stimulus amplitude_kind``:
names with a space that are no key of any file.  Each refusal is checked at load (no simulation),
with a negative control that the same file with a valid value passes.
"""
from __future__ import annotations

import pytest

import painsim as ps
from painsim.files.dispatch import check_experiment
from painsim.stimulation.spec import PULSE_RATE_NAME, device_key
from painsim.sweep import make_spec
from refusals import refused

FRACTION = {"afferents.recruitment": "fraction"}
TONIC = {"type": "tonic", "rate": "50 Hz", "width": "300 us", "amplitude": 1.3, "duration": "0.2 s"}
BURST = {"type": "burst", "amplitude": 1.5, "width": "200 us", "duration": "0.2 s"}
ALTERNATING = {"type": "alternating", "rates": ["10 Hz", "20 Hz"], "segment": "0.1 s", "width": "300 us",
               "amplitude": 1.3, "duration": "0.2 s"}
COIL = {"type": "tonic", "rate": "10 Hz", "width": "150 us", "amplitude": "1 mA", "duration": "0.2 s",
        "modality": "magnetic", "target": "peripheral_nerve"}


def conditions(stimulus) -> dict:
    """A one-condition conditions file on the healthy model under the fraction recruitment model."""
    return {"experiment": {"name": "t", "model": "healthy", "duration": "0.2 s", "seed": 1},
            "condition": [{"label": "a", "stimulus": stimulus, "params": FRACTION}]}


@pytest.mark.parametrize("table, fast, key", [
    (TONIC, {"rate": "2000 Hz", "width": "100 us"}, "condition[0].stimulus.rate"),
    (BURST, {"intraburst_rate": "2000 Hz"}, "condition[0].stimulus.intraburst_rate"),
    (ALTERNATING, {"rates": ["10 Hz", "2000 Hz"], "width": "100 us"}, "condition[0].stimulus.rates"),
])
def test_a_conditions_files_refused_pulse_rate_names_the_argument_that_sets_it(table, fast, key):
    refused(lambda: check_experiment(conditions({**table, **fast})), key)
    check_experiment(conditions(table))  # negative control: the same device at a rate the model takes


def test_a_refused_pulse_rate_of_one_device_of_several_names_that_device():
    fast = {**TONIC, "rate": "2000 Hz", "width": "100 us", "site": 1}
    refused(lambda: check_experiment(conditions([TONIC, fast])), "condition[0].stimulus[1].rate")
    check_experiment(conditions([TONIC, {**TONIC, "site": 1}]))


def test_a_coil_current_under_the_fraction_model_names_the_amplitude_in_files():
    """The coil's amperes need the coil-field model; the file's key that makes them amperes is the
    table's ``amplitude`` (its unit).  Control: a threshold multiple on the same coil passes."""
    err = refused(lambda: check_experiment(conditions(COIL)), "condition[0].stimulus.amplitude")
    assert "biophysical" in str(err)
    check_experiment(conditions({**COIL, "amplitude": 1.2}))


def test_a_course_protocols_coil_current_under_the_fraction_model_names_its_amplitude():
    with ps.params.overriding(FRACTION):
        with pytest.raises(ps.errors.ParameterError) as e:
            ps.course.engine.new_patient(ps.load_model("painful_diabetic_neuropathy"), 1, ps.protocols.get("mpns"))
    assert e.value.name == "protocol.stimulus.amplitude"


def test_a_sweeps_coil_current_under_the_fraction_model_names_its_amplitude():
    spec = {"sweep": {"name": "coil", "model": "gate_control", "duration": "0.2 s", "seeds": [1],
                      "outcomes": ["pn_rate"]},
            "params": FRACTION, "stimulus": COIL, "parameters": {"stimulus.rate": {"values": ["10 Hz", "20 Hz"]}}}
    refused(lambda: make_spec(spec), "stimulus.amplitude")
    spec["stimulus"] = {**COIL, "amplitude": 1.2}
    make_spec(spec)  # negative control


def test_device_key_maps_each_internal_name_and_leaves_others_alone():
    assert device_key(PULSE_RATE_NAME, "burst", "protocol.stimulus") == "protocol.stimulus.intraburst_rate"
    assert device_key("stimulus.site", "tonic", "condition[2].stimulus[1]") == "condition[2].stimulus[1].site"
    assert device_key("stimulus", "tonic", "protocol.stimulus") == "protocol.stimulus"
    assert device_key("duration", "tonic", "protocol.stimulus") == "duration"
    # no generator argument sets the rate of an unknown type: the device itself is named, without a space
    assert device_key(PULSE_RATE_NAME, "unknown", "stimulus") == "stimulus"
    assert " " not in device_key("stimulus.amplitude_kind", "tonic", "stimulus")
