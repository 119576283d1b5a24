"""Several devices at one point (painsim.devices): a list of waveforms acts as each would alone
where they do not meet, and where they do (a peripheral test electrode and a dorsal-column lead
in the same fibres) the test impulses collide with the lead's antidromic ones, which the
evoked response of the dorsal column nuclei shows (the SEP collision test).  Each property has
its negative control: one device in a list is that device, collisions switched off, a lead
below threshold."""
import json

import numpy as np
import pytest
from brian2 import mA, second

import painsim as ps
from painsim.analysis import evoked_response, sep_metrics
from painsim.circuits import cortex, dorsal_horn
from painsim.circuits.dorsal_horn import ASCENDING_POPULATION
from painsim.circuits.khz_field import field_spikes
from painsim.devices import as_devices, describe_devices
from painsim.errors import ParameterError
from painsim.fibers import ASCENDING, afferent_input, brush
from painsim.files import condition_rows, load_experiment
from painsim.files.conditions import run_conditions
from painsim.stimulation import high_frequency, rtms, tonic

EXPERIMENT = "experiments/sep_collision.toml"


@pytest.fixture(scope="module")
def pathway():
    return ps.load_model("peripheral_neuropathic")


def _test_pulses(duration="1 s", site=None):
    return tonic("3.1 Hz", "200 us", 2.0, duration, target="peripheral_nerve", site=site)


def _scs(amplitude=1.3, duration="1 s", site=None):
    return tonic("50 Hz", "300 us", amplitude, duration, site=site)


def _spikes(model, stimulus, touch=None, seed=3, duration=1.0):
    n = int(model.si("body.n_sites"))
    nox = [ps.fibers.natural(0.0)] * n
    tch = [touch or ps.fibers.natural(0.0)] * n
    return dorsal_horn.inputs(model, stimulus, nox, tch, seed, duration)


def test_one_device_in_a_list_is_the_device_itself(pathway):
    scs = _scs()
    alone, listed = _spikes(pathway, scs, brush()), _spikes(pathway, [scs], brush())
    for pop in alone:
        np.testing.assert_array_equal(alone[pop].times, listed[pop].times)
        np.testing.assert_array_equal(alone[pop].fibers, listed[pop].fibers)
    a = ps.simulate("gate_control", scs, touch=0.5, duration=0.3 * second, seed=1)
    b = ps.simulate("gate_control", [scs], touch=0.5, duration=0.3 * second, seed=1)
    np.testing.assert_array_equal(a["spike_time"].values, b["spike_time"].values)
    assert json.loads(b.attrs["stimulus"]) == [json.loads(a.attrs["stimulus"])]


def test_devices_at_different_sites_act_as_each_alone(pathway):
    tens = ps.stimulation.tens("conventional", 1.5, "1 s", site=0)
    scs = _scs(site=3)
    both = _spikes(pathway, [tens, scs])
    n = int(pathway.si("afferents.Abeta.n"))
    for stim, site in ((tens, 0), (scs, 3)):
        alone = _spikes(pathway, stim)
        for pop in ("Abeta", "Adelta", "C", ASCENDING_POPULATION):
            mine = (both[pop].fibers // (both[pop].n // 5)) == site
            theirs = (alone[pop].fibers // (alone[pop].n // 5)) == site
            np.testing.assert_array_equal(both[pop].times[mine], alone[pop].times[theirs])
    # and the site neither device reaches receives nothing
    assert not np.any(both["Abeta"].fibers // n == 1)


def test_a_test_volley_meets_the_lead_in_the_dorsal_column_and_not_without_it(pathway):
    aff = pathway.section("afferents")
    test, scs = _test_pulses(), _scs()

    def ascending(stimulus, **params):
        out = afferent_input(dict(aff, **params), 1.0, 5, stimulus=stimulus, ascending=True)
        return out["Abeta"], out[ASCENDING]

    cord_t, up_t = ascending(test)
    cord_s, up_s = ascending(scs)
    cord_b, up_b = ascending([test, scs])
    # without a lead the impulses that reach the segment are the ones that run on up
    np.testing.assert_array_equal(up_t.times, cord_t.times)
    np.testing.assert_array_equal(up_s.times, cord_s.times)
    # with both, every pulse of the lead still runs up; test impulses are lost to collisions ...
    lost_up = up_t.times.size + up_s.times.size - up_b.times.size
    lost_cord = cord_t.times.size + cord_s.times.size - cord_b.times.size
    assert lost_up > 0 and lost_up == lost_cord          # one impulse of each pair, both levels
    assert up_b.times.size >= up_s.times.size
    # ... but not when collisions are switched off (both trains run whole)
    cord_off, up_off = ascending([test, scs], antidromic_collision=False)
    assert up_off.times.size == up_t.times.size + up_s.times.size - _coincident(up_t, up_s)
    # and a DRG lead passes to the columns what passes its T-junction
    drg = tonic("20 Hz", "300 us", 0.6 * mA, "1 s", target="drg")
    cord_d, up_d = ascending([test, drg])
    np.testing.assert_array_equal(up_d.times, cord_d.times)


def _coincident(a, b, dead=1e-3):
    """Spikes of ``b`` within the dead time of a spike of ``a`` in the same fibre (merged away)."""
    n = 0
    for f in np.unique(b.fibers):
        ta, tb = a.times[a.fibers == f], b.times[b.fibers == f]
        n += sum(np.any(np.abs(ta - t) < dead) for t in tb)
    return n


def test_more_than_one_central_lead_at_a_site_is_refused(pathway):
    drg = tonic("20 Hz", "300 us", 0.6 * mA, "1 s", target="drg")
    with pytest.raises(ParameterError, match="at most one lead"):
        _spikes(pathway, [_scs(), drg])
    # on different sites they are two separate leads
    _spikes(pathway, [_scs(site=2), tonic("20 Hz", "300 us", 0.6 * mA, "1 s", target="drg", site=0)])


def test_a_stimulus_list_refuses_what_is_not_a_waveform():
    with pytest.raises(ParameterError, match=r"stimulus\[1\]"):
        as_devices([_scs(), "tens"])
    with pytest.raises(ParameterError, match="list of Waveforms"):
        as_devices({"type": "tonic"})
    assert as_devices(None) == () and describe_devices(None) is None


def test_khz_fields_of_two_leads_add_up(pathway):
    one = high_frequency(2 * mA, "0.1 s")
    half = high_frequency(1 * mA, "0.1 s")
    double = field_spikes(pathway, [(half, (2,)), (half, (2,))], 5, 0.1)
    single = field_spikes(pathway, [(one, (2,))], 5, 0.1)
    np.testing.assert_array_equal(double.times, single.times)
    np.testing.assert_array_equal(double.fibers, single.fibers)
    assert single.times.size > 0
    # leads at different sites: each site its own field
    apart = field_spikes(pathway, [(half, (1,)), (one, (2,))], 5, 0.1)
    assert set(np.unique(apart.fibers // (apart.n // 5))) == {1, 2}


def test_the_same_coil_twice_fires_each_input_once_per_pulse(pathway):
    coil = rtms(intensity=0.8, n_trains=1, train_duration="0.2 s")
    once = cortex.inputs(pathway, coil, None, None, 1, 0.3)["TMS"]
    twice = cortex.inputs(pathway, [coil, coil], None, None, 1, 0.3)["TMS"]
    np.testing.assert_array_equal(once.times, twice.times)
    np.testing.assert_array_equal(once.fibers, twice.fibers)
    assert once.times.size > 0


def test_evoked_response_removes_the_baseline():
    onsets = np.array([0.1, 0.3, 0.5])
    locked = np.concatenate([onsets + 0.004, onsets + 0.006])
    # a 50 Hz train, one spike in every 20-ms window whatever its phase: no locked response
    unlocked = np.arange(0.0, 0.7, 0.02) + 0.0137
    assert evoked_response(locked, onsets, 0.02, 1, 0.7) == 2.0
    assert evoked_response(np.sort(np.r_[locked, unlocked]), onsets, 0.02, 1, 0.7) == 2.0
    assert evoked_response(unlocked, onsets, 0.02, 1, 0.7) == 0.0
    assert evoked_response(locked, onsets, 0.02, 2, 0.7) == 1.0          # per neuron
    assert np.isnan(evoked_response(locked, [0.005], 0.02, 1, 0.7))     # its baseline is outside the run


@pytest.fixture(scope="module")
def sep_result():
    spec = load_experiment(EXPERIMENT)
    spec["experiment"]["duration"] = "1.3 s"      # 3 test pulses with their baselines
    ds = run_conditions(spec)
    return ds, sep_metrics(ds)


def test_sep_collision_scs_lowers_the_evoked_response_through_collision(sep_result):
    ds, m = sep_result
    sep = dict(zip([str(c) for c in m.condition.values], m["sep"].values))
    assert sep["test pulses"] > 0.5                         # every Aβ fibre fires the nuclei
    assert sep["test pulses + SCS"] < sep["test pulses"]
    # the relay's own occlusion does part of it; collisions do more
    assert sep["test pulses + SCS"] < sep["test pulses + SCS, no collision"] <= sep["test pulses"]
    # a lead below the Aβ threshold recruits nothing: nothing collides, nothing changes
    assert sep["test pulses + SCS below threshold"] == sep["test pulses"]
    assert np.isnan(sep["SCS"])                              # no test pulses: no evoked response
    # the volley arrives when the conduction to the nuclei says: its histogram peaks between the
    # fastest Aβ fibre's conduction time and the end of the response window
    model = ps.load_model("peripheral_neuropathic")
    path = model.si("afferents.conduction_distance") + model.si("dorsal_column.column_length")
    alone = m["psth"].sel(condition="test pulses")
    peak = float(alone["lag"][int(np.argmax(alone.values))])
    assert path / model.si("afferents.Abeta.velocity_max") <= peak <= float(m["window"].sel(condition="test pulses"))
    assert np.isnan(m["psth"].sel(condition="SCS")).all()


def test_painsim_run_prints_the_evoked_response_of_conditions_with_test_pulses(sep_result):
    ds, m = sep_result
    rows = condition_rows(ds)
    for row, v in zip(rows, m["sep"].values):
        assert ("evoked DCN" in row) == bool(np.isfinite(v))
        if np.isfinite(v):
            assert f"evoked DCN {v:.2f} /neuron/pulse" in row


def test_an_experiment_refuses_a_bad_device_table_naming_it(tmp_path):
    text = open(EXPERIMENT).read()
    bad = text.replace('{ type = "tonic", rate = "50 Hz", width = "300 us", amplitude = 1.3, duration = "3 s" },',
                       '{ type = "tonic", rate = "50 Hz", widht = "300 us", amplitude = 1.3, duration = "3 s" },', 1)
    path = tmp_path / "bad.toml"
    path.write_text(bad)
    with pytest.raises(ParameterError, match=r"condition\[1\]\.stimulus\[1\]"):
        load_experiment(path)
    empty = tmp_path / "empty.toml"
    empty.write_text(text.split("[[condition]]")[0] + '[[condition]]\nlabel = "x"\nstimulus = []\n')
    with pytest.raises(ParameterError, match=r"condition\[0\]\.stimulus"):
        load_experiment(empty)
