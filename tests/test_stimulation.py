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


@pytest.mark.parametrize("given", [{"rate": "0 Hz"}, {"width": "0 us"}])
def test_a_zero_tens_rate_or_width_is_refused_not_replaced_by_the_preset(given):
    with pytest.raises(WaveformError) as e:
        S.tens("conventional", duration="1 s", **given)
    assert e.value.name == next(iter(given))
    assert S.tens("conventional", duration="1 s", rate="50 Hz").mean_rate == pytest.approx(50, rel=0.05)


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


def test_a_waveform_names_one_site_several_or_none():
    """``site``: None (the painful site), one index, or several kept as a sorted tuple without
    repeats; anything else is refused by name before any simulation."""
    assert S.tonic(50 * Hz, 200 * us, 1.5, 1 * second).site is None
    assert S.tonic(50 * Hz, 200 * us, 1.5, 1 * second, site=3).site == 3
    assert S.tonic(50 * Hz, 200 * us, 1.5, 1 * second, site=[2]).site == 2
    wf = S.tonic(50 * Hz, 200 * us, 1.5, 1 * second, site=[4, 0, 2, 2])
    assert wf.site == (0, 2, 4) and wf.describe()["site"] == (0, 2, 4)
    assert wf.key() == S.tonic(50 * Hz, 200 * us, 1.5, 1 * second, site=(0, 2, 4)).key()
    for bad in ([], -1, 1.5, True, [0, "1"]):
        with pytest.raises(WaveformError, match="site"):
            S.tonic(50 * Hz, 200 * us, 1.5, 1 * second, site=bad)


def test_a_waveform_at_several_sites_recruits_each_site_as_alone():
    """Each named site's fibers are recruited from that site's own random stream, so a lead
    covering sites 0 and 2 fires at site 2 exactly what a lead at site 2 alone fires, and no
    fiber of another site; a site the model lacks is refused naming ``stimulus.site``."""
    from painsim.circuits import dorsal_horn
    from painsim.errors import ParameterError
    from painsim.simulation.inputs import per_site
    m = ps.load_model("pain_pathway")
    n, n_ab = int(m.si("body.n_sites")), int(m.si("afferents.Abeta.n"))
    quiet = per_site(m, 0.0, "noxious"), per_site(m, 0.0, "touch")

    def abeta_spikes_per_site(site):
        wf = S.tonic(50 * Hz, 200 * us, 1.5, 0.2 * second, site=site)
        spikes = dorsal_horn.inputs(m, wf, *quiet, seed=3, duration=0.2)["Abeta"]
        return [spikes.times[spikes.fibers // n_ab == s] for s in range(n)]

    both, alone = abeta_spikes_per_site([0, 2]), abeta_spikes_per_site(2)
    assert both[0].size > 0 and both[2].size > 0
    assert all(both[s].size == 0 for s in (1, 3, 4))
    np.testing.assert_array_equal(both[2], alone[2])
    with pytest.raises(ParameterError, match="stimulus.site"):
        abeta_spikes_per_site([1, n])


@pytest.mark.parametrize("modality, target, hint", [
    ("electrical", "dorsl_column", "did you mean 'dorsal_column'"),   # a typo would recruit no fibre at all
    ("magnetic", "m1", "modality 'tms'"),                           # a coil outside the skull has no cortical target
    ("tms", "dorsal_column", "modality 'electrical'"),              # a transcranial coil has no afferent target
    ("tms", "insula", "primary motor cortex only"),                 # an area the model lacks
])
def test_a_target_the_device_cannot_have_is_refused(modality, target, hint):
    """An unknown or impossible target used to build a waveform that recruited nothing
    (anatomy.target_classes returned no fibre class); now the waveform is refused, naming
    the parameter, the value, the allowed targets for that modality and what to do."""
    with pytest.raises(WaveformError, match="'target'") as err:
        ps.stimulation.tonic("50 Hz", "300 us", 1.5, "0.1 s", modality=modality, target=target)
    message = str(err.value)
    allowed = ps.anatomy.device_targets(modality)
    assert repr(target) in message and all(t in message for t in allowed) and hint in message


@pytest.mark.parametrize("modality", ps.stimulation.MODALITIES)
def test_every_target_a_modality_allows_builds_a_waveform(modality):
    """Negative control: the targets :func:`painsim.anatomy.device_targets` lists are accepted."""
    for target in ps.anatomy.device_targets(modality):
        if modality == "tms":   # a transcranial coil's amplitude is a fraction of the RMT
            w = ps.stimulation.rtms(1.0, n_trains=1, train_duration="1 s", target=target)
        else:
            w = ps.stimulation.tonic("50 Hz", "300 us", 1.5, "0.1 s", modality=modality, target=target)
        assert w.target == target
