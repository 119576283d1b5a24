"""Waveform generators: pulse counts and timing from the protocols' definitions."""
import numpy as np
import pytest
from brian2 import Hz, kHz, mA, ms, second, us

import painsim as ps
from painsim.errors import UnitError, WaveformError

S = ps.stimulation


def test_rtms_khedr_protocol_has_2000_pulses_in_10_trains():
    wf = S.rtms(0.8, rate=20 * Hz, train_duration=10 * second, inter_train_interval=50 * second, n_trains=10)
    assert wf.n_pulses == 20 * 10 * 10
    gaps = np.diff(wf.onsets)
    # within a train: 50 ms; between trains: the 50 s pause plus one period
    assert np.isclose(np.min(gaps), 0.05)
    assert np.sum(gaps > 1.0) == 9
    assert np.allclose(gaps[gaps > 1.0], 50.0 + 0.05)
    assert wf.amplitude_kind == "rmt" and np.all(wf.amplitudes == 0.8)


def test_burst_timing_de_ridder():
    wf = S.burst(1.2, 1 * second)  # 40 Hz bursts of 5 pulses at 500 Hz
    assert wf.n_pulses == 40 * 5
    on = wf.onsets.reshape(40, 5)
    assert np.allclose(np.diff(on, axis=1), 2e-3)           # 500 Hz inside a burst
    assert np.allclose(np.diff(on[:, 0]), 25e-3)            # bursts at 40 Hz
    assert np.allclose(wf.widths, 1e-3)


def test_tonic_and_high_frequency_counts():
    assert S.tonic(50 * Hz, 300 * us, 1.2, 2 * second).n_pulses == 100
    hf = S.high_frequency(2 * mA, 10 * ms)
    assert hf.n_pulses == 100 and hf.amplitude_kind == "current"
    assert np.isclose(hf.amplitudes[0], 2e-3) and np.isclose(hf.widths[0], 30e-6)


def test_theta_burst_patterns():
    itbs, ctbs = S.theta_burst("iTBS"), S.theta_burst("cTBS")
    assert itbs.n_pulses == ctbs.n_pulses == 600
    assert 190 <= itbs.duration <= 192   # 20 trains of 2 s every 10 s
    assert 39 <= ctbs.duration <= 41     # 40 s continuous
    assert np.isclose(np.diff(ctbs.onsets[:3]).mean(), 0.02)  # 50 Hz inside a burst


def test_tens_modes():
    conv, acu = S.tens("conventional", duration="1 s"), S.tens("acupuncture", duration="1 s")
    assert conv.mean_rate > 10 * acu.mean_rate


def test_biphasic_sampling_is_charge_balanced():
    wf = S.tonic(50 * Hz, 300 * us, 1.0, 0.1 * second)
    t = np.arange(0, 0.1, 1e-6)
    x = wf.sample(t)
    assert abs(x.sum()) * 1e-6 < 1e-9               # net charge zero
    assert np.isclose((x > 0).sum() * 1e-6, 5 * 300e-6, rtol=0.01)


def test_concat_and_repeat():
    a = S.tonic(10 * Hz, 100 * us, 1.0, 1 * second)
    r = a.repeat(3)
    assert r.n_pulses == 30 and np.isclose(r.duration, 3.0)
    assert np.allclose(np.diff(r.onsets), 0.1)
    with pytest.raises(WaveformError):
        a + S.tonic(10 * Hz, 100 * us, 2 * mA, 1 * second)  # threshold vs current amplitudes


@pytest.mark.parametrize("make, name", [
    (lambda: S.tonic(5 * kHz, 300 * us, 1.0, 1 * second), "width"),             # wider than its period
    (lambda: S.tonic(-5 * Hz, 300 * us, 1.0, 1 * second), "rate"),              # negative rate
    (lambda: S.burst(1.0, 1 * second, burst_rate="200 Hz"), "pulses_per_burst"),  # overlapping bursts
    (lambda: S.tonic(50 * Hz, 300 * us, -1.0, 1 * second), "amplitude"),
    (lambda: S.rtms(intensity=3.0), "intensity"),
    (lambda: S.custom([0.0, 0.0001] * second, 300 * us, 1.0, 1 * second), "width"),
])
def test_impossible_waveforms_are_rejected(make, name):
    with pytest.raises(WaveformError) as e:
        make()
    assert e.value.name == name


def test_wrong_unit_names_expected_unit():
    with pytest.raises(UnitError, match="Hz"):
        S.tonic(50 * ms, 300 * us, 1.0, 1 * second)
