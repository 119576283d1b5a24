"""CalciumRule keeps the clock of the time it has integrated (``t_done``), as SynapticScaling does.

Its efficacy drifts between spikes (the bistable term, and calcium above a threshold while it
decays), so a window that starts before the end of the previous one integrated the overlap twice:
a 1-s window of 20 pairings, then an empty window from 0.5 s, moved the efficacy twice as far over
[0.5, 1) as the chained window from 1 s (Graupner & Brunel 2012's drift, integrated once).
"""
import numpy as np
import pytest

from painsim import plasticity as pl
from refusals import refused

PRE = np.arange(1, 21) * 0.01
PAIRS = (PRE, np.zeros(20, int), PRE + 0.005, np.zeros(20, int))
EMPTY = (np.array([]), np.array([], int), np.array([]), np.array([], int))


def _run(rule, method, spikes, w, st, t0, t1):
    return getattr(rule, method)(*spikes, [0], [0], w, st, t0, t1, 0.0, 1.0)


@pytest.mark.parametrize("method", ["apply", "apply_reference"])
def test_calcium_refuses_a_window_over_integrated_time(method):
    r = pl.CalciumRule()
    w1, st = _run(r, method, PAIRS, np.array([0.5]), r.initial_state(1, 1, 1), 0.0, 1.0)
    assert st["t_done"][0] == 1.0
    # the last spike is at 0.205 s: before the clock, a window from 0.5 s was taken
    assert max(st["t_c_pre"][0], st["t_c_post"][0]) < 0.5
    e = refused(lambda: _run(r, method, EMPTY, w1, st, 0.5, 1.5), "t_start")
    assert "1.0" in str(e)
    refused(lambda: _run(r, method, PAIRS, w1, st, 0.0, 1.0), "t_start")
    # negative control: the next window chains and equals one window over both (the drift is split
    # at the boundary: rounding level, as the package docstring says)
    w2, _ = _run(r, method, EMPTY, w1, st, 1.0, 1.5)
    w_once, _ = _run(r, method, PAIRS, np.array([0.5]), r.initial_state(1, 1, 1), 0.0, 1.5)
    np.testing.assert_allclose(w2, w_once, rtol=1e-9)
    assert w2[0] != w1[0]  # the empty window drifted: the clock guards something real


def test_calcium_state_without_its_clock_is_refused_with_the_keys():
    r = pl.CalciumRule()
    st = r.initial_state(1, 1, 1)
    del st["t_done"]
    e = refused(lambda: _run(r, "apply", PAIRS, np.array([0.5]), st, 0.0, 1.0), "state")
    assert "t_done" in str(e)


def test_calcium_replay_advances_the_clock():
    """The course engine's replay kernel leaves both states' clocks at the last window's end."""
    r = pl.CalciumRule()
    f, g = r.initial_state(1, 1, 1), r.initial_state(1, 1, 1)
    ptr = np.array([0, 20, 20], np.int64)
    w = np.array([0.5])
    r.replay_windows(ptr, PRE.copy(), np.zeros(20, np.int64), ptr, PRE + 0.005, np.zeros(20, np.int64),
                     np.array([0, 1], np.int64), np.array([0.0, 1.0]), np.array([1.0, 0.5]),
                     np.array([0], np.int64), np.array([0], np.int64), w, np.array([0.0]), np.array([1.0]),
                     f, g)
    assert f["t_done"][0] == g["t_done"][0] == 1.5
    refused(lambda: _run(r, "apply", EMPTY, w, f, 1.0, 2.0), "t_start")
