"""A course warns when a patient's baseline pain is at the top of the score.

The pain score saturates (the psychophysical map is clipped at NRS 10), so a patient who starts at
the top shows ~0 relief while the course lowers the test's PN output (found by a first-use review: the
spinal neuropathic preset's 45 °C test rates 10.0 in circuit 1, and every course there read relief 0).
"""
from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import painsim as ps
from painsim.readouts import psychophysics_points

#: the course's test temperatures (°C) of the two constructed cases, one circuit (seed 1) of the spinal
#: neuropathic preset: 48 °C drives its PN far past the rate where the map reaches 10 (measured ~190 Hz
#: against ~56 Hz); 44 °C drives them between the map's zero and its top (measured ~21 Hz: rated ~2.5)
HOT, WARM = 48.0, 44.0


@pytest.fixture(scope="module")
def courses():
    """The same short course (two sessions of mPNS) in the same circuit, tested at HOT and at WARM, with
    the saturation warnings each raised."""
    importlib.import_module("brian2")  # first: importing brian2 routes warnings to logging, past a recorder
    m = ps.load_model("neuropathic")
    protocol = ps.protocols.get("mpns").with_calendar([0, 1], 600.0)
    out = {}
    for celsius in (HOT, WARM):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds = ps.run_course(m.with_params({"course.test_heat_celsius": celsius}), protocol, seed=1,
                               follow_up_days=(3,))
        out[celsius] = (ds, [w for w in caught if "saturates" in str(w.message)])
    return out


def _map_top_and_zero(model):
    """The PN rates (Hz) where the model's pain map reaches 10 and where it stops rating 0.

    From the map's cited points alone (painsim.readouts.psychophysics_points) and its documented shape
    (painsim.readouts.nrs_from_rate: flat at 0 up to a first point rated 0, linear beyond the last point
    with the last segment's slope, clipped at 10), not from the score the course computes."""
    _, rates, ratings = psychophysics_points(model)
    slope = (ratings[-1] - ratings[-2]) / (rates[-1] - rates[-2])
    top = rates[-1] + (10.0 - ratings[-1]) / slope
    zero = rates[ratings == 0].max() if np.any(ratings == 0) else 0.0
    return float(top), float(zero)


def _first(var):
    """The one patient's value on the course's first (baseline) day."""
    return float(np.ravel(var.values)[0])


def test_the_warning_appears_exactly_when_the_test_drives_the_pn_past_the_top_of_the_score(courses):
    """Constructed from first principles, independently of the warning's NRS threshold: at HOT the
    baseline test's PN rate lies past the rate where the map is clipped at 10, so a fall of PN output
    that stays above it changes no score (relief under-reads): the course must warn.  At WARM the same
    circuit's PN rate lies between the map's zero and its top, the score is graded: no warning (the
    negative control; a rated, not a silent, baseline, so a warning on any pain would fail here)."""
    top, zero = _map_top_and_zero(ps.load_model("neuropathic"))
    hot, hot_warned = courses[HOT]
    warm, warm_warned = courses[WARM]
    pn_hot, pn_warm = _first(hot["pn_rate"]), _first(warm["pn_rate"])
    # the construction holds (else the test does not test what it says)
    assert pn_hot > top, (pn_hot, top)
    assert zero < pn_warm < top, (zero, pn_warm, top)
    # the consequence the warning is for: the hot baseline sits at the ceiling, the warm one does not
    assert _first(hot["baseline_pain"]) == 10.0
    assert 0.0 < _first(warm["baseline_pain"]) < 10.0
    # the warning: in the saturated case only
    assert hot_warned and not warm_warned, ([str(w.message) for w in hot_warned], [str(w.message) for w in warm_warned])
