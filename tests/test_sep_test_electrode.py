"""A nerve or skin stimulator at therapy rates is not an SEP test electrode.

Found by a docs review: every conditions file on a whole-pathway model with one skin or nerve
device faster than ~28 Hz (``experiments/pns_percutaneous.toml``, ``pnt_alternating.toml``, any
TENS condition) simulated, wrote its result and then failed in the printed summary, because the
summary read each such device's evoked response in a window longer than half its pulse interval
(painsim.analysis.evoked_response refuses that: the previous pulse's response would be the
baseline).  A sweep with the outcome ``sep`` simulated every point and then marked each failed.
The evoked response is read between pulses (clinical SEPs: a few pulses per second), so a device
whose pulses come closer than two response windows (:func:`painsim.analysis.sep_min_interval`) is
not a test electrode.  Negative controls: a slow electrode still is one, with its evoked response,
and without a model the device is returned as before.
"""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim.analysis import sep_electrode, sep_metrics, sep_min_interval, sep_window
from painsim.errors import SpecError
from painsim.files.conditions import run_conditions
from painsim.files.summaries import condition_rows
from painsim.stimulation import tens, tonic
from painsim.sweep import make_spec
from painsim.sweep.points import validate_points

DURATION = 0.5  # s: a 4-Hz electrode's second pulse (0.25 s; one per whole period) is read inside the run


def _test_electrode(rate: str) -> dict:
    return {"type": "tonic", "rate": rate, "width": "200 us", "amplitude": 2.0, "target": "peripheral_nerve",
            "duration": f"{DURATION} s"}


def test_the_shortest_test_interval_is_two_response_windows():
    """A window before each pulse (the baseline) and one after it: ~36 ms in the built-in pathway, so
    TENS at 100 Hz (10 ms) and PNS at 30 Hz (33 ms) are too fast, a 4-Hz test electrode is not."""
    model = ps.load_model("healthy")
    assert sep_min_interval(model) == pytest.approx(2 * sep_window(model))
    fast = tens("conventional", amplitude=1.5, duration="0.2 s")
    slow = tonic("4 Hz", "200 us", 2.0, "1 s", target="peripheral_nerve")
    assert np.diff(fast.onsets).min() < sep_min_interval(model) < np.diff(slow.onsets).min()
    assert sep_electrode([fast], model) is None
    assert sep_electrode([slow], model) is slow
    assert sep_electrode([fast]) is fast  # without a model: the device with a test target, as before


@pytest.fixture(scope="module")
def tens_and_test():
    spec = {"experiment": {"name": "tens_and_test", "model": "healthy", "duration": f"{DURATION} s", "seed": 1},
            "condition": [{"label": "TENS", "stimulus": {"type": "tens", "mode": "conventional", "amplitude": 1.5,
                                                         "duration": f"{DURATION} s"}},
                          {"label": "test pulses", "stimulus": _test_electrode("4 Hz")}]}
    return run_conditions(spec)


def test_a_tens_condition_has_no_evoked_response_and_the_summary_prints(tens_and_test):
    """Was: ParameterError 'window' after the run.  The TENS condition reads no evoked response; the
    test electrode's condition reads one, and the printed line says so (negative control)."""
    sep = sep_metrics(tens_and_test)["sep"].values
    assert np.isnan(sep[0]) and np.isfinite(sep[1])
    rows = condition_rows(tens_and_test)
    assert "evoked DCN" not in rows[0] and f"evoked DCN {sep[1]:.2f}" in rows[1]


def test_a_sep_sweep_with_a_therapy_rate_electrode_is_refused_before_any_work():
    """Was: every point simulated, then failed.  Refused by ``outcomes`` naming the interval; negative
    control: the same sweep with a 4-Hz electrode passes its checks."""
    def sweep(rate):
        return make_spec({"kind": "simulate", "model": "healthy", "duration": f"{DURATION} s", "seeds": [1],
                          "stimulus": _test_electrode(rate), "outcomes": ["pn_rate", "sep"],
                          "parameters": {"stimulus.amplitude": [1.5, 2.0]}})
    with pytest.raises(SpecError) as e:
        validate_points(sweep("100 Hz"))
    assert e.value.name == "outcomes" and "ms apart" in e.value.allowed and "stimulus.amplitude" in e.value.hint
    validate_points(sweep("4 Hz"))
