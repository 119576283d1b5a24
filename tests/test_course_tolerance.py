"""Opioid tolerance inside a treatment course (painsim.course.opioid_tolerance; issue 15 part 5).

Properties: with ``opioid_tolerance`` the tolerance state rises over daily TENS sessions, and the
projection neurons' output during a later session is higher than in the same course without
tolerance (the tolerant receptors withdraw the opioid part of the descending inhibition that
the stimulation recruits; ``painsim.tolerance``).  Negative control: under naloxone no opioid
binds, a session adds no occupancy, and the course with tolerance is the course without it,
value for value.  Bad input is refused before any simulation.

Two sessions on the peripheral neuropathic pathway with one body site (TENS at the painful site
drives its PN through the disinhibited Aβ route, so the output during stimulation is not 0),
short windows.
"""
import numpy as np
import pytest

import painsim as ps
from painsim.errors import ParameterError, UnknownKeyError

FAST = {"network.dt": "0.2 ms", "course.window": "1 s", "course.n_chunks": 1, "course.test_duration": "0.6 s",
        "body.n_sites": 1, "body.painful_site": 0}
NALOXONE = {"dorsal_horn.pharmacology.opioid_block": 1.0}
SEED = 1


@pytest.fixture(scope="module")
def courses():
    m = ps.load_model("peripheral_neuropathic").with_params(FAST)
    prot = ps.protocols.resolve("tens_conventional").with_calendar([0, 1])
    patients = [m, m.with_params(NALOXONE)]
    kw = dict(follow_up_days=(2,), tests="follow_up")
    return {tol: ps.run_course_batch(patients, prot, [SEED, SEED], opioid_tolerance=tol, **kw)
            for tol in (False, True)}


def test_daily_tens_builds_tolerance_and_raises_the_output_during_a_later_session(courses):
    tol, plain = courses[True].isel(patient=0), courses[False].isel(patient=0)
    T = tol.opioid_tolerance_session.values
    assert float(tol.excess_occupancy) > 0 and 0 < T[0] < T[1] < 1
    # session 2 runs at T ~ 0.28 (x ~ 0.27 at the calibrated rate): the PN output during stimulation
    # (~13 Hz x 10 PN x 1 s, ~130 spikes) rises by more than a few spikes
    assert plain.session_pn_rate.values[1] > 5
    assert tol.session_pn_rate.values[1] > plain.session_pn_rate.values[1] + 0.5, \
        (tol.session_pn_rate.values, plain.session_pn_rate.values)


def test_naloxone_with_every_session_prevents_tolerance(courses):
    tol, plain = courses[True].isel(patient=1), courses[False].isel(patient=1)
    assert float(tol.excess_occupancy) == 0
    assert np.all(tol.opioid_tolerance.values == 0) and np.all(tol.opioid_tolerance_session.values == 0)
    for var in plain.data_vars:
        np.testing.assert_array_equal(tol[var].values, plain[var].values, err_msg=var)


def test_bad_tolerance_and_course_file_input_is_refused_before_any_simulation(tmp_path):
    spinal = ps.load_model("gate_control")
    with pytest.raises(ParameterError, match="opioid_tolerance"):
        ps.run_course(spinal, "tens_conventional", opioid_tolerance=True)
    with pytest.raises(ParameterError, match="opioid_tolerance"):
        ps.run_course(spinal, "tens_conventional", opioid_tolerance="yes")
    base = '[experiment]\nname = "t"\nkind = "course"\nmodel = "healthy"\nprotocol = "tens_conventional"\n'
    for extra, error, name in (('opioid_tolerence = true\n', UnknownKeyError, "opioid_toler"),
                               ('opioid_tolerance = 1\n', ParameterError, "opioid_tolerance"),
                               ('seed = "x"\n', ParameterError, "experiment.seed"),
                               ('seed = 1.7\n', ParameterError, "experiment.seed"),
                               ('days = ["a"]\n', ParameterError, "experiment.days"),
                               ('sham = "yes"\n', ParameterError, "experiment.sham"),
                               ('[protocl]\n', UnknownKeyError, "protocol")):
        f = tmp_path / "course.toml"
        f.write_text(base + extra)
        with pytest.raises(error, match=name):
            ps.course.run_course_file(f)
        with pytest.raises(error, match=name):  # the command line's check, before any simulation
            ps.files.load_experiment(f)
