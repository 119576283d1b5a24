"""Analysis readouts found wrong by a review, each now refused by name or reported as unknown.

* A subset (or reordering) of a combined result's conditions kept every condition's spikes, indexed
  by their position in the whole result: ``population_spikes(sub, pop, 0)`` read another
  condition's spikes and ``scs_metrics(sub)`` reported nothing recruited.
* ``pain_map_metrics`` reported 0 m^2 for a site no condition stimulated (its map unknown).
* ``scs_frequency_curves`` failed with a bare ValueError on ``gaba_block = "50 %"``, which the
  model accepts.
* ``spikes_per_pulse`` counted onsets after the run (or in ms by mistake) and windows past its
  end as if nothing fired there.
* ``evoked_response`` with a window longer than half the pulse interval took the previous
  pulse's response as the baseline (a locked response read ~0).
"""
from __future__ import annotations

import json
import tomllib

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim.analysis import (condition_devices, evoked_response, pain_map_metrics, scs_frequency_curves,
                              scs_metrics, sep_electrode, sep_window, spikes_per_pulse)
from painsim.readouts import population_spikes

from refusals import ROOT, refused
from test_readout_defects import STIMULUS, _scs_dataset


# ------------------------------------------------------------------ 7. a subset of conditions
POPS = ["Abeta", "PN"]


def _point(abeta_neurons, duration=0.5):
    """One hand-built point: ``abeta_neurons`` of 4 Abeta fibres spike once each (none of PN)."""
    n = len(abeta_neurons)
    return xr.Dataset({"spike_time": ("spike", np.linspace(0.01, 0.02, n)),
                       "spike_neuron": ("spike", np.asarray(abeta_neurons, np.int32)),
                       "spike_population": ("spike", np.zeros(n, np.int8), {"flag_meanings": " ".join(POPS)}),
                       "population_size": ("population", [4, 4]), "pn_rate": ((), 0.0)},
                      coords={"population": POPS}, attrs={"duration_s": duration})


@pytest.fixture(scope="module")
def combined():
    """Three points whose Abeta spikes differ (the last one fires none), combined over condition."""
    return ps.io.combine([_point([0]), _point([0, 1, 2]), _point([])], "condition", ["rest", "SCS", "off"])


@pytest.mark.parametrize("select", [lambda c: c.isel(condition=[1, 2]), lambda c: c.isel(condition=[1, 0, 2]),
                                    lambda c: c.sel(condition=["SCS", "rest"]),
                                    lambda c: c.isel(condition=[0, 1])],  # the dropped last one has no spikes
                         ids=["tail", "reordered", "sel", "head"])
def test_a_subset_of_conditions_is_refused_by_its_spike_readouts(combined, select, tmp_path):
    """Each selection keeps spikes indexed by position in the whole result: refused by name (also
    once saved and loaded, and the ones whose indices all lie among the points kept)."""
    path = ps.io.save(combined, tmp_path / "combined.nc")
    for whole in (combined, ps.io.load(path)):
        sub = select(whole)
        err = refused(lambda: population_spikes(sub, "Abeta", 0), "result", allowed=True)
        assert "condition" in str(err) and "point" in err.allowed
        refused(lambda: ps.analysis.neuron_spike_counts(sub, "Abeta"), "result")
        float(sub["pn_rate"][0])  # its fixed-shape variables stay readable: they were sliced right


def test_a_subset_of_a_result_built_without_recorded_labels_is_refused():
    """A result without ``point_labels`` (built by hand, as an older file): a subset whose spikes
    index beyond its conditions is refused, so scs_metrics no longer reports 0 recruited."""
    conds = [{"label": "rest"}, {"label": "SCS", "stimulus": STIMULUS}, {"label": "SCS2", "stimulus": STIMULUS}]
    ds = _scs_dataset(conds, [{"Abeta": [0]}, {"Abeta": [0, 1, 2]}, {"Abeta": [0, 1, 2, 3]}], [20] * 3)
    assert "point_labels" not in ds["spike_condition"].attrs
    sub = ds.isel(condition=[1, 2])
    refused(lambda: population_spikes(sub, "Abeta", 0), "result", allowed=True)
    refused(lambda: scs_metrics(sub), "result")
    # negative control: the whole result is read as before, each condition its own spikes
    np.testing.assert_array_equal(population_spikes(ds, "Abeta", 1)[1], [0, 1, 2])
    assert float(scs_metrics(ds)["recruited"].sel(condition="SCS", fiber_class="Abeta")) > 0


def test_whole_results_and_their_points_are_read_as_before(combined, tmp_path):
    """Negative control: the whole result (also all conditions selected in order, and saved and
    loaded) gives each condition its own spikes; io.point selects one with its own."""
    labels = list(combined.condition.values)
    for whole in (combined, combined.sel(condition=labels), ps.io.load(ps.io.save(combined, tmp_path / "c.nc"))):
        ps.io.check_whole(whole)
        for k, n in enumerate((1, 3, 0)):
            assert population_spikes(whole, "Abeta", k)[1].size == n
    np.testing.assert_array_equal(population_spikes(ps.io.point(combined, "condition", 1), "Abeta")[1], [0, 1, 2])
    ps.io.check_whole(_point([0, 1]))  # a single result has nothing to select


# ------------------------------------------------------------------ 8. pain map of an unstimulated site
def _pain_map_result(stimulated: int, painful: int):
    """One condition of a two-site map model that stimulates ``stimulated``: 8 of 16 units above
    the 5-Hz overactive rate, on a 1-mm grid."""
    params = json.dumps({"readout": {"map_overactive_rate": "5 Hz"}, "cortex": {"map": {"spacing": "1 mm"}},
                         "body": {"painful_site": painful, "n_sites": 2}})
    rate = np.zeros((1, 4, 4))
    rate[0, :, 2:] = 20.0
    noxious = {str(s): {"intensity": 0.8 if s == stimulated else 0.0} for s in range(2)}
    return xr.Dataset({"map_rate": (("condition", "map_y", "map_x"), rate), "pain": (("condition",), [3.0]),
                       "parameters": (("condition",), [params]), "noxious": (("condition",), [json.dumps(noxious)])},
                      coords={"condition": [0], "site": [0, 1], "map_x": np.arange(4) * 1e-3,
                              "map_y": np.arange(4) * 1e-3})


def test_a_site_no_condition_stimulated_has_an_unknown_area():
    m = pain_map_metrics(_pain_map_result(stimulated=1, painful=0))
    assert np.isnan(m["site_area"].sel(site=0)).all()
    assert np.isnan(m["painful_overactive_area"]).all()     # the painful site was not stimulated
    # negative control: the stimulated site's area is its units above the rate, h^2 each
    assert m["site_area"].sel(site=1).values.item() == pytest.approx(8 * 1e-6)


def test_the_painful_sites_area_is_measured_when_it_was_stimulated():
    """Negative control: the painful site stimulated gives its overactive area (8 units of 1 mm^2)."""
    m = pain_map_metrics(_pain_map_result(stimulated=0, painful=0))
    assert float(m["painful_overactive_area"][0]) == pytest.approx(8 * 1e-6)
    assert m["site_area"].sel(site=0).values.item() == pytest.approx(8 * 1e-6)


# ------------------------------------------------------------------ 9. gaba_block as the model reads it
def _curves_result(values):
    conds = [{"label": f"c{k}", "params": {"dorsal_horn.pharmacology.gaba_block": v}, "stimulus": STIMULUS}
             for k, v in enumerate(values)]
    return xr.Dataset({"pn_rate": (("condition",), np.arange(len(values), dtype=float))},
                      coords={"condition": [c["label"] for c in conds]},
                      attrs={"experiment_spec": json.dumps({"condition": conds})})


def test_gaba_block_is_read_as_the_model_reads_it():
    model = ps.load_model("gate_control")
    si = model.with_params({"dorsal_horn.pharmacology.gaba_block": "50 %"}).si("dorsal_horn.pharmacology.gaba_block")
    curves = scs_frequency_curves(_curves_result([0.5, "50 %", "0.5"]))
    assert list(curves) == [si]                       # one level: the three spellings are one value
    assert curves[si]["pn"] == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("bad", ["50 Hz", "half", True, [0.5]])
def test_a_gaba_block_that_cannot_be_read_is_refused_naming_its_condition(bad):
    err = refused(lambda: scs_frequency_curves(_curves_result([0.0, bad])),
                  "condition[1].params.dorsal_horn.pharmacology.gaba_block", allowed=True)
    assert err.value == bad
    # negative control: without a block set, the level is 0
    assert list(scs_frequency_curves(_curves_result([0.0, 0.0]))) == [0.0]


# ------------------------------------------------------------------ 10. onsets and windows within the run
def _spiking(duration=0.5):
    """One population of 4 neurons; neuron k fires at 10 + k ms, and again at the run's last 10 ms."""
    t = np.array([0.010, 0.011, 0.012, 0.013, duration - 0.01])
    return xr.Dataset({"spike_time": ("spike", t), "spike_neuron": ("spike", np.array([0, 1, 2, 3, 0], np.int32)),
                       "spike_population": ("spike", np.zeros(5, np.int8), {"flag_meanings": "PN"}),
                       "population_size": ("population", [4])}, coords={"population": ["PN"]},
                      attrs={"duration_s": duration})


@pytest.mark.parametrize("onsets, window, name", [([5.0], 0.05, "onsets"), ([10.0], 50.0, "onsets"),   # in ms
                                                  ([0.0, 0.5], 0.05, "onsets"), ([-0.1], 0.05, "onsets"),
                                                  ([0.48], 0.05, "window"), ([0.0], 0.6, "window")])
def test_onsets_and_windows_outside_the_run_are_refused(onsets, window, name):
    err = refused(lambda: spikes_per_pulse(_spiking(), onsets, window), name, allowed=True)
    assert "0.5 s" in err.allowed    # the run's duration, the range allowed


def test_onsets_and_windows_within_the_run_are_counted_as_before():
    """Negative control: a window ending at the run's end (also after rounding, onsets k * 0.1 s)
    and onsets at 0 are counted."""
    r = _spiking()
    per = spikes_per_pulse(r, [0.0, 0.45], 0.05)
    assert per[0] == 1.0 and per[1] == 0.25
    assert spikes_per_pulse(r, np.arange(5) * 0.1, 0.1).sum() == pytest.approx(5 / 4)
    assert spikes_per_pulse(r, [], 0.05).size == 0
    long = _spiking(31.0)     # a 0.1 Hz train's onsets k * 10 s counted for 1 s until 31 s
    assert spikes_per_pulse(long, 10.0 * np.arange(4), 1.0).size == 4


def test_spikes_per_pulse_refuses_a_result_without_a_duration():
    r = _spiking()
    del r.attrs["duration_s"]
    refused(lambda: spikes_per_pulse(r, [0.0], 0.05), "result", allowed=True)


# ------------------------------------------------------------------ 11. evoked window vs pulse interval
PULSES = np.arange(0.05, 0.95, 0.02)           # 50 Hz
LOCKED = np.repeat(PULSES + 0.005, 10)          # each of 10 neurons fires 5 ms after every pulse


@pytest.mark.parametrize("window", [0.02, 0.03, 0.011])
def test_a_window_longer_than_half_the_pulse_interval_is_refused(window):
    err = refused(lambda: evoked_response(LOCKED, PULSES, window, 10, 1.0), "window", allowed=True)
    assert err.value == window and "0.01 s" in err.allowed


def test_windows_up_to_half_the_pulse_interval_read_the_locked_response():
    """Negative control: one spike per neuron and pulse, none in the baseline, up to half the
    interval (onsets rounded as arange gives them); a single pulse has no interval to respect."""
    for window in (0.005 + 1e-4, 0.01):
        assert evoked_response(LOCKED, PULSES, window, 10, 1.0) == pytest.approx(1.0)
    assert evoked_response(np.full(10, 0.105), [0.1], 0.05, 10, 1.0) == pytest.approx(1.0)


@pytest.mark.parametrize("file, table", [("sep_collision", "condition"), ("sep_scs_disinhibition_sweep", None)])
def test_the_library_sep_protocols_read_a_window_evoked_response_accepts(file, table):
    """Each test electrode of the library's SEP protocols, with its model's sep_window, lies within
    half its pulse interval (what point_evoked passes to evoked_response)."""
    spec = tomllib.loads((ROOT / "experiments" / f"{file}.toml").read_text())
    head = spec.get("experiment", spec.get("sweep"))
    stimuli = [c.get("stimulus", []) for c in spec["condition"]] if table else [
        [dict(t, duration=head["duration"]) for t in spec["stimulus"]]]   # a sweep's tables run its duration
    model = ps.load_model(head["model"])
    window = sep_window(model)
    tests = [sep_electrode(condition_devices({"stimulus": s})) for s in stimuli]
    tests = [t for t in tests if t is not None]
    assert tests
    for test in tests:
        assert window <= np.diff(test.onsets).min() / 2
        evoked_response([], test.onsets, window, 1, float(test.onsets[-1]) + 1.0)   # not refused


def test_experiment_conditions_follow_the_labels_of_a_subset():
    """A subset of conditions got empty tables ([{}, {}]), so scs_frequency_curves and sep_metrics
    read no stimulus; a reordering got the tables in the file's order."""
    import json

    import numpy as np
    import xarray as xr

    from painsim.analysis.selections import experiment_conditions
    tables = [{"label": "rest"}, {"label": "scs", "stimulus": {"rate": "50 Hz"}}, {"stimulus": {"rate": "10 Hz"}}]
    ds = xr.Dataset({"pn_rate": ("condition", np.zeros(3))},
                    coords={"condition": ["rest", "scs", "condition 2"]},
                    attrs={"experiment_spec": json.dumps({"condition": tables})})
    assert experiment_conditions(ds) == tables                                   # the whole result
    assert experiment_conditions(ds.isel(condition=[2, 1])) == [tables[2], tables[1]]
    # negative control: labels the file does not hold, with another count, still give empty tables
    other = ds.isel(condition=[0, 1]).assign_coords(condition=["a", "b"])
    assert experiment_conditions(other) == [{}, {}]
