"""Analgesic tolerance of the dorsal-horn mu-opioid receptors (painsim.tolerance; issue 15 part 5).

Properties: the tolerance state follows dT/dt = k x (1 - T) - T / tau exactly in closed form,
stays in [0, 1) and recovers with the model file's half-time (Cox et al. 1975); the excess
occupancy x of a session is the opioid that the session's stimulation adds (a pulse-less window
adds none, the spino-PAG route carries it: Radhakrishnan & Sluka 2005, Sluka et al. 1999);
repeated daily TENS then lowers the
naloxone-sensitive part of its acute effect, which recovers after the course; a tolerant
model at T = 0 is the model, at T = 1 its receptors do what naloxone leaves.  Magnitudes
against the published loss of effect by day 5 are in the validation table
(``tens_tolerance_day5``), not here.
"""
import math

import numpy as np
import pytest

import painsim as ps
from painsim import tolerance as tol
from painsim.errors import ParameterError
from painsim.simulation import Request, simulate_batch

SEEDS = (1, 2)
NALOXONE = {"dorsal_horn.pharmacology.opioid_block": 1.0}
CUT = {"spino_pag.integrity": 0.0}
REMOTE = 0      # TENS at site 0, heat at the painful site (2): the measurement of naloxone_share_of_tens


@pytest.fixture(scope="module")
def model():
    return ps.load_model("healthy")


@pytest.fixture(scope="module")
def rates(model):
    return tol.tolerance_params(model)


@pytest.fixture(scope="module")
def x_active(model):
    """Excess occupancy of a conventional TENS session at the painful site, seeds 1-2."""
    return tol.excess_occupancy(model, "tens_conventional", SEEDS)


# ---------------------------------------------------------------- (1) the ODE
def _euler(T, x, duration, k, tau, h):
    for _ in range(int(round(duration / h))):
        T += h * (k * x * (1 - T) - T / tau)
    return T


def test_closed_form_equals_a_fine_euler_integration(rates):
    k, tau = rates
    for x, duration, T0 in ((0.3, 1800.0, 0.0), (0.3, 1800.0, 0.7), (0.0, 2 * 86400.0, 0.6), (1.0, 1200.0, 0.2)):
        r = k * x + 1 / tau
        h = 1e-4 / r  # Euler's global error on a linear relaxation is below r h / (2e) of the distance to T_eq
        exact = tol.evolve(T0, x, duration, k, tau)
        assert exact == pytest.approx(_euler(T0, x, duration, k, tau, h), abs=r * h)
    # negative control: without a rate there is no tolerance, however much is occupied
    assert tol.evolve(0.0, 1.0, 1e6, 0.0, tau) == 0.0


def test_state_stays_below_one_and_decays_with_the_file_half_time(model, rates):
    k, tau = rates
    cal = ps.protocols.Calendar(tuple(range(28)), 1800.0)
    for x, rate in ((0.01, k), (0.3, k), (1.0, k), (1.0, 50 * k)):  # occupancy <= 1; 50 k: the bound far beyond
        T = tol.tolerance_at(np.linspace(0, 40, 81), x, cal, rate, tau)
        assert np.all(T >= 0) and np.all(T < 1)
    half = model.si("dorsal_horn.opioid.tolerance_half_time")
    assert tau == pytest.approx(half / math.log(2))
    for T0 in (0.9, 0.3):
        assert tol.evolve(T0, 0.0, half, k, tau) == pytest.approx(T0 / 2, rel=1e-12)
    # efficacy recovers by half of its loss in one half-time after a course's last session
    short = ps.protocols.Calendar((0, 1, 2, 3), 1800.0)
    end = 3 + 1800 / tol.DAY
    T_end, T_later = tol.tolerance_at([end, end + half / tol.DAY], 0.3, short, k, tau)
    assert T_later == pytest.approx(T_end / 2, rel=1e-9) and T_end > 0
    # x = 0 (no session adds occupancy): no tolerance on any day
    assert np.all(tol.tolerance_at(np.arange(30), 0.0, cal, k, tau) == 0)


# ---------------------------------------------------------------- (2)-(4) the excess occupancy
def test_a_window_without_pulses_occupies_no_receptors_beyond_its_companion(model, x_active):
    """The course engine's rule that a pulse-less window (a sham's) is its own companion, checked on
    the network: its occupancy equals that of the window without any stimulus, so a sham builds no
    tolerance (x = 0: the closed form above); an active session occupies more in every circuit."""
    sham = ps.protocols.get("tens_conventional_sham")
    lead, L = model.si("course.lead_in"), model.si("course.window")
    empty, companion = simulate_batch([Request(model, sham.waveform(-lead, L), seed=1), Request(model, None, seed=1)],
                                      f"{lead + L!r} s")
    assert tol.window_occupancy(model, empty, lead, lead + L) == tol.window_occupancy(model, companion, lead, lead + L)
    # negative control: the active session occupies receptors beyond the resting tone in every circuit
    assert np.all(x_active > 0)


def test_the_spino_pag_route_carries_the_occupancy_of_remote_tens(model):
    """With the route cut, remote TENS reaches the opioid-releasing PAG/RVM by no other path (the
    dorsal-column loop's monoaminergic projection releases no opioid), so the PAG/RVM spikes are those
    without TENS (tests/test_spino_pag.py) and x = 0 exactly (not a tolerance: the session and its
    companion window then draw the same descending spikes, hence the same occupancy), while the intact
    route's x is positive in every circuit (the positive control)."""
    intact = tol.excess_occupancy(model, "tens_conventional", SEEDS, site=REMOTE)
    cut = tol.excess_occupancy(model.with_params(CUT), "tens_conventional", SEEDS, site=REMOTE)
    assert np.all(intact > 0)
    assert np.all(cut == 0), (cut, intact)


# ---------------------------------------------------------------- (5) the acute effect over a course
def test_daily_tens_loses_its_opioid_part_and_recovers_after_the_course(model, x_active):
    """Three daily sessions; the acute remote-TENS test (49 °C, 1 s: a larger opioid part than at
    47 °C, tests/test_spino_pag.py) before the 1st and 4th sessions and 60 days later."""
    proto = ps.protocols.get("tens_conventional").with_calendar((0, 1, 2))
    ds = tol.tolerance_course(model, proto, SEEDS, [0, 3, 60], x=x_active, test_site=REMOTE, celsius=49.0,
                              test_duration="1 s")
    eff = ds["efficacy"]
    assert np.all(eff.sel(day=0) == 1) and np.all(eff.sel(day=3) < eff.sel(day=60))
    opioid = ds["opioid_effect"].sum("seed")
    assert float(opioid.sel(day=0)) > 0                      # the first session has a naloxone-sensitive part
    assert float(opioid.sel(day=3)) < float(opioid.sel(day=0))
    assert float(opioid.sel(day=60)) > float(opioid.sel(day=3))  # recovery, toward the first session's value


# ---------------------------------------------------------------- (6) the tolerant model
def test_tolerant_model_at_zero_is_the_model_and_at_one_is_naloxone_below_the_cortex(model):
    same = tol.tolerant_model(model, 0.0)
    assert same.keys() == model.keys() and all(same.si(k) == model.si(k) for k in model.keys())
    # T = 1: the receptors of the dorsal horn and of the PAG/RVM relay bind and do nothing, which is
    # what naloxone leaves at the projection neurons (naloxone also blocks the cingulate receptors,
    # which do not reach the PN)
    rtms = ps.stimulation.rtms(intensity=0.8, n_trains=1, train_duration="1 s")
    numb, nal, normal = simulate_batch([Request(m, rtms, 0.6, seed=1) for m in
                                        (tol.tolerant_model(model, 1.0), model.with_params(NALOXONE), model)], "1 s")
    pn = [ps.readouts.population_spikes(r, "PN", sort=True)[:2] for r in (numb, nal, normal)]
    assert np.array_equal(pn[0][0], pn[1][0]) and np.array_equal(pn[0][1], pn[1][1])
    # negative control: with working receptors the rTMS-driven opioid changes the PN output
    assert not np.array_equal(pn[2][0], pn[1][0])
    assert float(normal.pn_rate) < float(nal.pn_rate)


def test_bad_inputs_are_refused_before_any_simulation(model):
    with pytest.raises(ParameterError, match="protocol"):
        tol.tolerance_course(model, "tens_conventionl", SEEDS, [0])
    with pytest.raises(ParameterError, match="days"):
        tol.tolerance_course(model, "tens_conventional", SEEDS, [0, -1])
    with pytest.raises(ParameterError, match="days"):
        tol.tolerance_course(model, "tens_conventional", SEEDS, [])
    with pytest.raises(ParameterError, match="seeds"):
        tol.tolerance_course(model, "tens_conventional", [], [0])
    with pytest.raises(ParameterError, match="protocol"):
        tol.tolerance_course(model, "tens_conventional_sham", SEEDS, [0])
    with pytest.raises(ParameterError, match="x"):
        tol.tolerance_course(model, "tens_conventional", SEEDS, [0], x=[0.3])
    for T in (-0.1, 1.5, float("nan"), True):
        with pytest.raises(ParameterError, match="T"):
            tol.tolerant_model(model, T)
    with pytest.raises(ParameterError, match="tolerance_half_time"):
        tol.tolerance_params(model.with_params({"dorsal_horn.opioid.tolerance_half_time": "0 s"}))
