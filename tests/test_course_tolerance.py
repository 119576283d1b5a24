"""Opioid tolerance inside a treatment course (painsim.course.opioid_tolerance; issue 15 part 5).

Properties: with ``opioid_tolerance`` the tolerance state rises over daily TENS sessions, and the
projection neurons' output during a later session is higher than in the same course without
tolerance (the tolerant receptors withdraw the opioid part of the descending inhibition that
the stimulation recruits; ``painsim.tolerance``).  Negative control: under naloxone no opioid
binds, a session adds no occupancy, and the course with tolerance is the course without it,
value for value.  Bad input is refused before any simulation.

Two sessions on the peripheral neuropathic pathway with one body site (TENS at the painful site
drives its PN through the disinhibited Aβ route, so the output during stimulation is not 0),
short windows, circuits SEEDS (one batch: the patients share networks).
"""
import warnings

import numpy as np
import pytest
from scipy import stats

import painsim as ps
from painsim.errors import ParameterError, UnknownKeyError

FAST = {"network.dt": "0.2 ms", "course.window": "1 s", "course.n_chunks": 1, "course.test_duration": "0.6 s",
        "body.n_sites": 1, "body.painful_site": 0}
NALOXONE = {"dorsal_horn.pharmacology.opioid_block": 1.0}
SEEDS = (1, 2, 3, 4)
ALPHA = 0.025  # one-sided, as the paired t-tests of tests/test_spino_pag.py


@pytest.fixture(scope="module")
def courses():
    m = ps.load_model("peripheral_neuropathic").with_params(FAST)
    prot = ps.protocols.resolve("tens_conventional").with_calendar([0, 1])
    patients = [m] * len(SEEDS) + [m.with_params(NALOXONE)]  # the last: naloxone, circuit SEEDS[0]
    kw = dict(follow_up_days=(2,), tests="follow_up")
    with warnings.catch_warnings():
        # some circuits' baseline saturates the NRS; only their PN rates, which do not saturate, are read
        warnings.filterwarnings("ignore", "baseline pain >= ", RuntimeWarning)
        return {tol: ps.run_course_batch(patients, prot, [*SEEDS, SEEDS[0]], opioid_tolerance=tol, **kw)
                for tol in (False, True)}


def _shown(diff) -> bool:
    """Whether paired per-circuit differences are positive on average by a one-sided paired t-test
    at ALPHA.  The same seed gives the same circuit and inputs with and without tolerance, so the
    difference leaves out the spread between circuits; what remains, the chaotic divergence of
    paired runs once any parameter differs (its size is that of the effect of a small unrelated
    change), is estimated from the differences themselves.  False for differences all 0."""
    diff = np.asarray(diff, dtype=float)
    standard_error = diff.std(ddof=1) / np.sqrt(diff.size)
    return bool(diff.mean() > stats.t.ppf(1 - ALPHA, diff.size - 1) * standard_error)


def test_daily_tens_builds_tolerance_and_raises_the_output_during_a_later_session(courses):
    n = len(SEEDS)
    tol, plain = courses[True].isel(patient=slice(0, n)), courses[False].isel(patient=slice(0, n))
    T = tol.opioid_tolerance_session.values  # (patient, session)
    assert np.all(tol.excess_occupancy.values > 0)
    assert np.all((0 < T[:, 0]) & (T[:, 0] < T[:, 1]) & (T[:, 1] < 1)), T
    # session 2 runs at a higher tolerance than session 1: the PN output during stimulation (not
    # silent, so there is an output to raise) is higher than in the same circuit without tolerance
    later, without = tol.session_pn_rate.values[:, 1], plain.session_pn_rate.values[:, 1]
    assert np.all(without > 5), without
    assert _shown(later - without), (later, without)


def test_naloxone_with_every_session_prevents_tolerance(courses):
    tol, plain = courses[True].isel(patient=-1), courses[False].isel(patient=-1)
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
