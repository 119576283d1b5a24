"""Refusals of the stimulation layer found by review: amplitude kinds per modality, upper bounds of
amplitudes, a TMS site, trains without pulses, checks before the train is laid out, nan/inf counts,
iTBS bursts per train, alternating segments, theta-burst width.  Each refusal has a negative control
(the valid neighbour still builds, unchanged)."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from brian2 import second

import painsim as ps
from painsim.errors import WaveformError
from painsim.stimulation import generators
from refusals import WorkStarted, refused, start_work

S = ps.stimulation
ON = np.arange(4) * 0.05


# ------------------------------------------------------------ 1. amplitude kind per modality
@pytest.mark.parametrize("modality,target,kind", [
    ("tms", "m1", "current"), ("tms", "m1", "threshold"),
    ("electrical", "peripheral_nerve", "rmt"), ("magnetic", "peripheral_nerve", "rmt")])
def test_an_amplitude_kind_the_modality_does_not_read_is_refused(modality, target, kind):
    err = refused(lambda: S.Waveform(ON, 150e-6, 0.9, 1.0, amplitude_kind=kind, modality=modality,
                                     target=target), "amplitude_kind", WaveformError)
    assert modality in str(err)


@pytest.mark.parametrize("modality,target,kind", [
    ("tms", "m1", "rmt"), ("electrical", "peripheral_nerve", "current"),
    ("electrical", "dorsal_column", "threshold"), ("magnetic", "peripheral_nerve", "current"),
    ("magnetic", "peripheral_nerve", "threshold")])
def test_the_kinds_a_modality_reads_are_accepted(modality, target, kind):
    """Negative control."""
    wf = S.Waveform(ON, 150e-6, 0.9, 1.0, amplitude_kind=kind, modality=modality, target=target)
    assert wf.amplitude_kind == kind and np.all(wf.amplitudes == 0.9)


@pytest.mark.parametrize("amplitudes,kind", [("900 mA", "rmt"), ("2 mA", "threshold"), (2.0, "current")])
def test_custom_refuses_a_kind_that_contradicts_the_amplitude_unit(amplitudes, kind):
    refused(lambda: S.custom(ON * second, "150 us", amplitudes, "1 s", amplitude_kind=kind),
            "amplitude_kind", WaveformError)


def test_custom_keeps_kinds_that_agree_with_the_unit():
    """Negative control: a current with "current", a plain number with "threshold" or "rmt"."""
    assert S.custom(ON * second, "150 us", "2 mA", "1 s", amplitude_kind="current").amplitudes[0] == pytest.approx(2e-3)
    assert S.custom(ON * second, "150 us", 1.5, "1 s").amplitude_kind == "threshold"
    tms = S.custom(ON * second, "150 us", 0.9, "1 s", amplitude_kind="rmt", modality="tms", target="m1")
    assert tms.amplitudes[0] == 0.9


# ------------------------------------------------------------ 2. upper bounds
def test_a_megaampere_typo_is_refused_but_milliamperes_build():
    refused(lambda: S.tonic("50 Hz", "300 us", "2 MA", "1 s"), "amplitude", WaveformError)
    assert S.tonic("50 Hz", "300 us", "2 mA", "1 s").amplitudes[0] == pytest.approx(2e-3)


def test_a_coil_current_may_be_supraclinical_but_bounded():
    """The mpns probe (100 kA) builds; a current beyond the bound does not."""
    probe = S.tonic("0.5 Hz", "150 us", "100 kA", "4 s", modality="magnetic", target="peripheral_nerve")
    assert probe.amplitudes[0] == pytest.approx(1e5)
    refused(lambda: S.tonic("0.5 Hz", "150 us", "2 MA", "4 s", modality="magnetic",
                            target="peripheral_nerve"), "amplitude", WaveformError)


def test_rmt_bound_is_the_same_for_the_constructor_rtms_and_scaled():
    refused(lambda: S.Waveform(ON, 150e-6, 5.0, 1.0, amplitude_kind="rmt", modality="tms", target="m1"),
            "amplitude", WaveformError)
    refused(lambda: S.rtms(2.5), "intensity", WaveformError)
    wf = S.rtms(0.8, n_trains=1, train_duration="1 s")
    refused(lambda: wf.scaled(10), "factor", WaveformError)
    refused(lambda: wf.scaled(float("nan")), "factor", WaveformError)
    # negative control: the bound itself is allowed everywhere
    assert np.all(wf.scaled(2.5).amplitudes <= 2.0) and S.rtms(2.0, n_trains=1).amplitudes[0] == 2.0


# ------------------------------------------------------------ 3. TMS site
@pytest.mark.parametrize("make", [lambda: S.rtms(1.2, n_trains=1, site=0),
                                  lambda: S.theta_burst("cTBS", n_pulses=30, site=99)])
def test_a_tms_site_is_refused(make):
    refused(make, "site", WaveformError)


def test_tms_without_site_and_electrical_with_site_build():
    """Negative control."""
    assert S.rtms(1.2, n_trains=1).site is None
    assert S.tonic("50 Hz", "300 us", 1.5, "0.1 s", site=2).site == 2


# ------------------------------------------------------------ 4. trains without pulses
def test_trains_without_pulses_are_refused():
    refused(lambda: S.rtms(rate="1 Hz", train_duration="0.5 s", n_trains=3), "train_duration", WaveformError)
    refused(lambda: S.burst(1.0, "0.02 s"), "duration", WaveformError)


def test_trains_of_one_period_build():
    """Negative control: one period is enough."""
    assert S.rtms(rate="1 Hz", train_duration="1 s", n_trains=3).n_pulses == 3
    assert S.burst(1.0, "0.025 s").n_pulses == 5


def test_burst_places_one_burst_per_whole_burst_period():
    """The documented rule: a burst in a last partial period is left out (kept for the protocols)."""
    assert S.burst(1.0, "1.01 s").n_pulses == S.burst(1.0, "1 s").n_pulses
    assert S.burst(1.0, "1.025 s").n_pulses == S.burst(1.0, "1 s").n_pulses + 5


# ------------------------------------------------------------ 5. cheap checks first
def test_tonic_refuses_the_width_before_laying_out_the_train(monkeypatch):
    monkeypatch.setattr(generators, "_regular", start_work)
    refused(lambda: S.tonic("1 MHz", "30 us", 1.0, "120 s"), "width", WaveformError)
    with pytest.raises(WorkStarted):  # negative control: a valid train reaches the layout
        S.tonic("1 kHz", "30 us", 1.0, "1 s")


def test_theta_burst_refuses_a_dose_longer_than_an_hour_before_laying_it_out():
    tracemalloc.start()
    try:
        refused(lambda: S.theta_burst("cTBS", n_pulses=3 * 10 ** 6, burst_rate="50 Hz",
                                      intraburst_rate="1 kHz", width="100 us"), "n_pulses", WaveformError)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5e6  # the onsets alone would be 24 MB
    assert S.theta_burst("cTBS", n_pulses=1200).n_pulses == 1200  # negative control


# ------------------------------------------------------------ 6. nan / inf counts
@pytest.mark.parametrize("make,name", [
    (lambda: S.burst(1.0, "1 s", pulses_per_burst=float("nan")), "pulses_per_burst"),
    (lambda: S.rtms(n_trains=float("inf")), "n_trains"),
    (lambda: S.theta_burst(n_pulses=float("nan")), "n_pulses"),
    (lambda: S.tonic("50 Hz", "300 us", 1.0, "1 s").repeat(float("nan")), "n"),
    (lambda: S.tonic("50 Hz", "300 us", 1.0, "1 s").repeat(float("inf")), "n")])
def test_nan_and_inf_counts_are_named(make, name):
    refused(make, name, WaveformError)


def test_whole_float_counts_still_build():
    """Negative control: 3.0 is a whole number."""
    assert S.burst(1.0, "1 s", pulses_per_burst=3.0).n_pulses == 120
    assert S.tonic("50 Hz", "300 us", 1.0, "1 s").repeat(2.0).n_pulses == 100


# ------------------------------------------------------------ 7. iTBS bursts per train
def _bursts_in_first_train(train_on):
    wf = S.theta_burst("iTBS", n_pulses=3 * 40, train_on=train_on)
    gaps = np.diff(wf.onsets)
    return (int(np.argmax(gaps > 0.5)) + 1) // 3


@pytest.mark.parametrize("on", ["0.3 s", "1.5 s", "2.1 s", "2.5 s", "2100 ms"])
def test_an_itbs_train_holds_the_bursts_that_start_and_end_in_it(on):
    """Counted from the layout: bursts start every 0.2 s and last 40.3 ms."""
    t = ps.units.to_si(on, "s", "on")
    expected = int(np.sum(np.arange(40) * 0.2 + 0.0403 <= t + 1e-9))
    assert _bursts_in_first_train(on) == expected


def test_default_itbs_keeps_ten_bursts_per_train():
    """Negative control: Huang's 2-s trains of 10 bursts, 600 pulses in 20 trains."""
    assert _bursts_in_first_train("2 s") == 10
    wf = S.theta_burst()
    assert wf.n_pulses == 600 and np.sum(np.diff(wf.onsets) > 1.0) == 19


# ------------------------------------------------------------ 8. alternating segments
def test_segments_not_holding_whole_periods_are_refused():
    refused(lambda: S.alternating(["15 Hz", "30 Hz"], "0.1 s", "500 us", 1.2, "6 s"), "segment", WaveformError)


def test_whole_period_segments_keep_the_mean_rate_and_the_exact_duration():
    """Negative control: 0.2-s segments hold 3 and 6 periods; the duration is the one given."""
    wf = S.alternating(["15 Hz", "30 Hz"], "0.2 s", "500 us", 1.2, "6 s")
    assert wf.duration == 6.0 and wf.mean_rate == pytest.approx(22.5)
    lib = ps.protocols.get("pnt_alternating").stimulus
    assert S.from_spec(dict(lib)).mean_rate == pytest.approx(22.5)


# ------------------------------------------------------------ 9. theta-burst width
def test_theta_burst_names_a_width_longer_than_the_intraburst_period_as_given():
    err = refused(lambda: S.theta_burst("cTBS", n_pulses=30, width="25 ms"), "width", WaveformError)
    assert err.value == "25 ms"
    assert S.theta_burst("cTBS", n_pulses=30, width="1 ms").n_pulses == 30  # negative control
