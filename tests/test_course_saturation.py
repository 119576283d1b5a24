"""A course warns when a patient's baseline pain is at the top of the score.

The pain score saturates (a Hill function of the test's PN rate, ceiling 10), so a patient who starts
near 10 shows ~0 relief while the course lowers the test's PN output (found by a first-use review: the
spinal neuropathic preset's 45 °C test rates 10.0 in circuit 1, and every course there read relief 0).
"""
from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import painsim as ps
from painsim.course.results import SATURATED_BASELINE


@pytest.fixture(scope="module")
def courses():
    """The same short course (two sessions of mPNS, sham stimulation is irrelevant here) in circuits 1
    and 2 of the spinal neuropathic preset, with the warnings each raised."""
    importlib.import_module("brian2")  # first: importing brian2 routes warnings to logging, past a recorder
    m = ps.load_model("neuropathic")
    protocol = ps.protocols.get("mpns").with_calendar([0, 1], 600.0)
    out = {}
    for seed in (1, 2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds = ps.run_course(m, protocol, seed=seed, follow_up_days=(3,))
        out[seed] = (ds, [w for w in caught if "saturates" in str(w.message)])
    return out


def test_a_baseline_at_the_top_of_the_score_warns(courses):
    for ds, caught in courses.values():
        at_top = bool(np.any(ds["baseline_pain"].values >= SATURATED_BASELINE))
        assert bool(caught) == at_top, (float(ds["baseline_pain"].values[0]), caught)


def test_both_cases_occur(courses):
    # the warning and its negative control are exercised: one circuit saturates, the other does not
    tops = [bool(np.any(ds["baseline_pain"].values >= SATURATED_BASELINE)) for ds, _ in courses.values()]
    assert sorted(tops) == [False, True], tops
