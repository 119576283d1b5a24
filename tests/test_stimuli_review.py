"""Stimuli after a review (2026-12-06): a heat ramp's spikes stay inside its own [start, stop)
when those are not on the encoder's 1 ms grid, and a window of a pulse train that ends inside a
pulse delivers the pulse whole instead of refusing the waveform."""
import numpy as np
import pytest

import painsim as ps
from painsim.fibers import heat_ramp
from painsim.stimulation import tonic


@pytest.mark.parametrize("start, stop", [("0 s", "1.0005 s"), ("0.2005 s", "1.0005 s"), ("0.2 s", "1 s")])
def test_ramp_spikes_stay_between_start_and_stop(start, stop):
    """Was: the grid cell holding an off-grid stop fired for its whole millisecond (9 C spikes
    after a stop at 1.0005 s); an on-grid ramp is the control (nothing cut)."""
    ramp = heat_ramp(50, rate=100.0, start=start, stop=stop)
    t, _ = ramp.spikes("C", 2000, 3.0, 1)
    lo, hi = ramp.start, ramp.stop
    assert t.size > 1000
    assert t.min() >= lo and t.max() < hi


def test_a_window_ending_inside_a_pulse_delivers_the_pulse_whole():
    """Was: WaveformError about 'duration' (also Protocol.waveform of scs_tonic over 1.0001 s)."""
    train = tonic("50 Hz", "300 us", 1.5, "1 s")
    cut = train.window("0 s", "0.0202 s")                   # the second pulse (from 0.02 s) is cut
    assert cut.n_pulses == 2 and cut.duration == pytest.approx(0.02 + cut.pulse_spans[-1])
    assert cut.pulse_spans[-1] == pytest.approx(2 * 300e-6)  # biphasic: both phases delivered
    whole = train.window("0 s", "0.5 s")                     # the control: a window between pulses
    assert whole.n_pulses == 25 and whole.duration == pytest.approx(0.5)
    assert ps.protocols.get("scs_tonic").waveform(0.0, 1.0001).n_pulses == 51
    assert np.all(np.diff(cut.onsets) > 0)
