"""Sweeps of several devices at every point (``[[stimulus]]`` tables; painsim.sweep with
painsim.devices): each axis names its device by index, a bad device or path is refused before any
work, and the ``sep`` outcome is the evoked response of the dorsal column nuclei that the SEP
collision experiment reads.  Negative controls: an array of one table is that table, point for
point; a sweep's points equal the same devices run as experiment conditions."""
import numpy as np
import pytest

from painsim.analysis import sep_metrics
from painsim.errors import ParameterError, SpecError
from painsim.files.conditions import run_conditions
from painsim.stimulation import Waveform
from painsim.sweep import make_spec, run_sweep
from painsim.sweep.points import build_point

TEST = {"type": "tonic", "rate": "3.1 Hz", "width": "200 us", "amplitude": 2.0, "target": "peripheral_nerve"}
SCS = {"type": "tonic", "rate": "50 Hz", "width": "300 us", "amplitude": 1.3}
DURATION = "1.3 s"   # 3 test pulses with their baselines (as tests/test_devices.py)


def _spec(stimulus=None, parameters=None, **sweep):
    table = {"name": "devices", "model": "peripheral_neuropathic", "duration": DURATION, "seeds": [1],
             "outcomes": ["sep", "pn_rate"], **sweep}
    return {"sweep": table, "stimulus": [TEST, SCS] if stimulus is None else stimulus,
            "parameters": {"stimulus[1].amplitude": {"values": [0.0, 1.3]}} if parameters is None else parameters}


def test_each_axis_sets_its_own_device():
    spec = make_spec(_spec())
    stimuli = [build_point(spec, p)[1] for p in spec.points()]
    for stim, scs_amplitude in zip(stimuli, (0.0, 1.3)):
        assert isinstance(stim, list) and all(isinstance(w, Waveform) for w in stim)
        test, scs = stim
        assert test.target == "peripheral_nerve" and set(test.amplitudes) == {2.0}   # the unswept device stays
        assert scs.target == "dorsal_column" and set(scs.amplitudes) == {scs_amplitude}


@pytest.mark.parametrize("change, error, match", [
    ({"parameters": {"stimulus.amplitude": [0.0, 1.3]}}, SpecError, r"stimulus\[k\]\.amplitude"),
    ({"parameters": {"stimulus[2].amplitude": [0.0, 1.3]}}, SpecError, r"device index 0\.\.1"),
    ({"stimulus": [TEST, 3]}, SpecError, r"stimulus\[1\]"),
    ({"stimulus": []}, SpecError, "non-empty array"),
    ({"stimulus": [TEST, {**SCS, "widht": "300 us"}]}, ParameterError, r"stimulus\[1\]"),
    ({"stimulus": [SCS], "parameters": {"stimulus[0].amplitude": [0.0, 1.3]}}, SpecError, "test electrode"),
    ({"model": "gate_control"}, SpecError, "dorsal column nuclei"),
    ({"kind": "course", "protocol": "scs_tonic", "outcomes": ["relief"]}, SpecError, "kind = 'course'"),
])
def test_a_bad_device_or_path_is_refused_before_any_work(change, error, match):
    sweep = {k: v for k, v in change.items() if k not in ("stimulus", "parameters")}
    with pytest.raises(error, match=match):
        make_spec(_spec(change.get("stimulus"), change.get("parameters"), **sweep))


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    parameters = {"stimulus[1].amplitude": {"values": [0.0, 1.3]}, "pathology.disinhibition": {"values": [0.0, 0.5]}}
    return run_sweep(make_spec(_spec(parameters=parameters)), store=tmp_path_factory.mktemp("sweep"), workers=0,
                     progress=False)


def test_collision_does_not_depend_on_the_dorsal_horn(swept):
    """The dorsal column nuclei read the dorsal columns above the segment: the evoked response is the
    same at every disinhibition, to the bit, while the dorsal horn's output is not (the disinhibited
    circuit's projection neurons follow the lead's volleys)."""
    sep, pn = swept["sep"].sel(repeat=0), swept["pn_rate"].sel(repeat=0)
    np.testing.assert_array_equal(sep.sel({"pathology.disinhibition": 0.0}).values,
                                  sep.sel({"pathology.disinhibition": 0.5}).values)
    on = {"stimulus[1].amplitude": 1.3}
    assert float(pn.sel(on).sel({"pathology.disinhibition": 0.5})) > float(pn.sel(on).sel({"pathology.disinhibition": 0.0}))


def test_the_sep_outcome_is_the_experiments_evoked_response(swept):
    """The same devices and seed as experiment conditions give the same evoked response and the
    same projection-neuron rate at both points, to the last bit, and SCS lowers the response."""
    swept = swept.sel({"pathology.disinhibition": 0.5})   # the preset's own value, as the conditions run it
    conditions = {"experiment": {"name": "same", "model": "peripheral_neuropathic", "duration": DURATION, "seed": 1},
                  "condition": [{"label": "test pulses", "stimulus": [{**TEST, "duration": DURATION},
                                                                       {**SCS, "amplitude": 0.0, "duration": DURATION}]},
                                {"label": "test pulses + SCS", "stimulus": [{**TEST, "duration": DURATION},
                                                                             {**SCS, "duration": DURATION}]}]}
    ds = run_conditions(conditions)
    sep = swept["sep"].sel(repeat=0).values
    np.testing.assert_array_equal(sep, sep_metrics(ds)["sep"].values)
    np.testing.assert_array_equal(swept["pn_rate"].sel(repeat=0).values, ds["pn_rate"].values)
    assert sep[0] > 0.5                  # every Aβ fibre's volley fires the nuclei
    assert sep[1] < sep[0]               # positive collision


def test_an_array_of_one_table_is_that_table(tmp_path):
    parameters = {"stimulus.amplitude": {"values": [1.3]}}
    one = dict(SCS, duration=DURATION)
    results = [run_sweep(make_spec(_spec(stimulus, parameters, outcomes=["pn_rate", "pain"])), store=tmp_path / name,
                         workers=0, progress=False) for name, stimulus in (("table", one), ("array", [one]))]
    assert float(results[0]["pn_rate"].sum()) > 0
    for outcome in ("pn_rate", "pain"):
        np.testing.assert_array_equal(results[0][outcome].values, results[1][outcome].values)
