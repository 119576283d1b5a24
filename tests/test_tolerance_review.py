"""Tolerance after a pharmacologist's review (2026-12-06): back-to-back sessions that a Calendar
accepts are followed, not refused by rounding, and an exogenous agonist at the receptors counts in
the occupancy that drives tolerance (the receptors' own law, c + m over 1 + c + m).

A second review (2026-12-06): a spinal model is refused by name before any simulation (it ran two
windows, then a bare KeyError), an occupancy above 1 and a boolean day are refused, and a time
constant of 0 s (NaN rates that brian2 only warns about) is refused when the model is made."""
import numpy as np
import pytest

import painsim as ps
from painsim import tolerance as tol
from painsim.errors import ParameterError
from refusals import WorkStarted, refused, start_work


def test_back_to_back_sessions_are_followed():
    """Was: a session starting one duration after the previous one (allowed by Calendar) could
    leave a gap of -7e-12 s by rounding, which evolve refused (3266 of 20 000 random calendars)."""
    rng = np.random.default_rng(0)
    k, tau = 1e-4, 19 * tol.DAY
    for _ in range(300):
        first, d = rng.uniform(0, 2), 600.0
        cal = ps.protocols.Calendar((first, first + d / tol.DAY), d)
        T = tol.tolerance_at([first + 1.0], 0.3, cal, k, tau)
        assert 0 < float(np.ravel(T)[0]) < 1
    # the control: the same two sessions as one of twice the length leave the same state
    cal = ps.protocols.Calendar((0.5, 0.5 + 600.0 / tol.DAY), 600.0)
    one = ps.protocols.Calendar((0.5,), 1200.0)
    assert float(np.ravel(tol.tolerance_at([2.0], 0.3, cal, k, tau))[0]) == pytest.approx(
        float(np.ravel(tol.tolerance_at([2.0], 0.3, one, k, tau))[0]), rel=1e-9)


def test_spinal_morphine_shares_the_receptors_the_occupancy_reads(monkeypatch):
    """Was: the occupancy was c / (1 + c), the endogenous opioid alone, while the receptors'
    law (NEURON_EQS) binds morphine beside it: a session on top of morphine added as much as
    without it.  Arrivals stood in for a simulation: the occupancy is (c + m) / (1 + c + m)."""
    model = ps.load_model("healthy")
    dt, n = 1e-4, 2000
    arrivals = np.zeros((n, 3))
    arrivals[::200] = 0.002                                     # an opioid volley every 20 ms
    monkeypatch.setattr(tol, "_arrivals", lambda *a, **k: (arrivals, np.arange(n) * dt, dt))
    result = type("R", (), {"attrs": {"duration_s": n * dt}})()
    base = tol.window_occupancy(model, result, 0.0, n * dt)
    with_morphine = tol.window_occupancy(model.with_params({"dorsal_horn.pharmacology.morphine": 1.0}),
                                         result, 0.0, n * dt)
    assert 0 < base < 0.5 < with_morphine < 1                   # morphine alone occupies half
    no_drive = np.zeros_like(arrivals)
    monkeypatch.setattr(tol, "_arrivals", lambda *a, **k: (no_drive, np.arange(n) * dt, dt))
    assert tol.window_occupancy(model, result, 0.0, n * dt) == 0.0          # the control: nothing bound
    assert tol.window_occupancy(model.with_params({"dorsal_horn.pharmacology.morphine": 1.0}),
                                result, 0.0, n * dt) == pytest.approx(0.5)  # morphine's own share


def test_a_spinal_model_is_refused_before_any_simulation(monkeypatch):
    monkeypatch.setattr(tol, "simulate_batch", start_work)
    spinal = ps.load_model("gate_control")
    for call in (lambda: tol.tolerance_course(spinal, "tens_conventional", [1], [0]),
                 lambda: tol.excess_occupancy(spinal, "tens_conventional", [1])):
        assert "desc_pn" in str(refused(call, "model"))
    # negative control: a pathway model passes the check and reaches the simulation
    with pytest.raises(WorkStarted):
        tol.excess_occupancy(ps.load_model("healthy"), "tens_conventional", [1])


def test_occupancy_is_at_most_one_and_days_are_not_booleans():
    cal = ps.protocols.resolve("tens_conventional").calendar
    with pytest.raises(ParameterError, match="in \\[0, 1\\]"):
        tol.evolve(0.0, 5.0, 60.0, 1e-3, 1e6)
    assert 0 < tol.evolve(0.0, 1.0, 60.0, 1e-3, 1e6) < 1
    with pytest.raises(ParameterError, match="times_days"):
        tol.tolerance_at(True, 0.2, cal, 1e-3, 1e6)
    assert tol.tolerance_at(1, 0.2, cal, 1e-3, 1e6) > 0


@pytest.mark.parametrize("path", ["dorsal_horn.opioid.tau", "dorsal_horn.synapse.tau_ampa", "dorsal_horn.gabab.tau_rise"])
def test_a_time_constant_of_zero_is_refused(path):
    m = ps.load_model("healthy")
    with pytest.raises(ParameterError, match="time constant > 0"):
        m.with_params({path: "0 s"})
    assert m.with_params({path: "5 ms"}).si(path) == pytest.approx(5e-3)
