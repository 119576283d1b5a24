"""Readouts on hand-made inputs with known answers."""
import numpy as np
import pytest

from painsim import readouts
from painsim.errors import ParameterError


def test_binned_rate_known_answer():
    # 2 neurons, 10 spikes each spread over 1 s -> 10 Hz in every 0.5 s bin
    times = np.concatenate([np.linspace(0.01, 0.99, 10)] * 2)
    centres, rates = readouts.binned_rate(times, 2, 1.0, 0.5)
    assert np.allclose(centres, [0.25, 0.75])
    assert np.allclose(rates, 10.0)


def test_pain_score_is_monotone_bounded_and_half_at_r50():
    r = np.linspace(0, 500, 200)
    s = readouts.pain_score(r, 40.0, 2.0)
    assert s[0] == 0 and np.all(np.diff(s) > 0) and s[-1] < 10
    assert readouts.pain_score(40.0, 40.0, 2.0) == pytest.approx(5.0)
    with pytest.raises(ParameterError):
        readouts.pain_score(1.0, 0.0, 2.0)


def test_gate_index_extremes():
    assert readouts.gate_index(0.0, 1.0) == 0.0
    assert readouts.gate_index(1.0, 0.0) == 1.0
    assert readouts.gate_index(1.0, 1.0) == 0.5
    assert readouts.gate_index(0.0, 0.0) == 0.0


def test_relief():
    assert readouts.relief(8.0, 4.0) == pytest.approx(50.0)
    assert readouts.relief(8.0, 10.0) == pytest.approx(-25.0)
