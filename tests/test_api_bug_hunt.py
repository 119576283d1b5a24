"""Refusals and results of the public API that a review found silent or crashing (2026-12-07).

Each test asserts the property with its negative control: the refused input is refused by name
(before any work, where it was refused after the work), and the valid input next to it still works.

* sweep outcomes named like the sweep's own variables or a swept parameter (overwritten by the run
  seeds, or a crash after every point ran);
* pulse trains without pulses (tonic, TENS, high-frequency, alternating), as ``burst`` refuses them;
* an interphase gap of a monophasic pulse (it changed the waveform's key, not its pulses);
* ``scs_metrics`` / ``pain_map_metrics`` of results that are not ``painsim run`` results;
* ``windup_ratio`` of a non-train, ``wilson_interval``'s bounds at k = 0 and k = n, ``waveform + 1``.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr
from brian2 import second, us

import painsim as ps
from painsim.analysis.qst import windup_ratio
from painsim.cohort.statistics import wilson_interval
from painsim.errors import ParameterError, SpecError, WaveformError
from refusals import refused

S = ps.stimulation


# ------------------------------------------------------------------ 1. sweep outcome names
def _outcomes_g(params, seed):
    """A function sweep's function (module level: picklable) returning outcomes named like the
    sweep's own variables, a swept parameter and a valid name."""
    return {"seed": 5.0, "status": 1.0, "a": 2.0, "y": float(params.get("a", 0.0)) * 2}


def _spec(outcomes):
    return {"name": "bug_hunt", "kind": "function", "function": _outcomes_g, "outcomes": outcomes,
            "parameters": {"a": {"values": [1.0, 2.0]}}}


@pytest.mark.parametrize("name", ["seed", "status", "error", "point", "repeat", "a"])
def test_sweep_outcome_named_like_its_own_variable_is_refused_before_any_point(name, tmp_path):
    """An outcome ``seed`` was overwritten by the run seeds, ``a`` (a swept parameter) crashed after
    every point ran (and on resume): both are refused when the spec is made, naming ``outcomes`` and
    the value, before the store exists."""
    with pytest.raises(SpecError, match="outcomes") as err:
        ps.run_sweep(_spec([name]), store=tmp_path / "s", workers=0)
    assert err.value.name == "outcomes" and repr(name) in str(err.value)
    assert "seed, status, error" in str(err.value)  # says what is allowed
    assert not (tmp_path / "s").exists()
    with pytest.raises(SpecError, match="outcomes"):
        ps.sweep.make_spec(_spec([name]))


def test_sweep_with_valid_outcome_names_runs_and_keeps_the_run_seeds(tmp_path):
    """Negative control: a valid outcome runs; ``seed`` holds the run seeds, ``y`` the function's."""
    res = ps.run_sweep(_spec(["y"]), store=tmp_path / "s", workers=0)
    assert list(res["y"].values[:, 0]) == [2.0, 4.0]
    spec = ps.sweep.make_spec(_spec(["y"]))
    assert int(res["seed"].values[0, 0]) == spec.seed_for(0, 0)


def test_function_sweep_without_declared_outcomes_fails_points_returning_a_reserved_name(tmp_path):
    """A function sweep that declares no outcomes records what the function returns: a returned
    ``seed`` fails the point (its error names it), instead of being overwritten silently."""
    spec = dict(_spec([]), outcomes=[])
    res = ps.run_sweep(spec, store=tmp_path / "s", workers=0)
    assert (res["status"].values == "failed").all()
    assert "seed" in str(res["error"].values.ravel()[0])


# ------------------------------------------------------------------ 2. trains without pulses
@pytest.mark.parametrize("build, rate", [
    (lambda: S.tens("acupuncture", 1.5, "0.4 s"), "2 Hz"),
    (lambda: S.tonic("50 Hz", "200 us", 1.5, "1 ms"), "50 Hz"),
    (lambda: S.high_frequency(1.5, "50 us"), "10000 Hz"),
    (lambda: S.alternating(["15 Hz", "30 Hz"], "0.2 s", "200 us", 1.5, "0.05 s"), "15 Hz"),
])
def test_train_without_pulses_is_refused_naming_duration_and_rate(build, rate):
    """A train shorter than one period has no pulse and ran silently as a sham (none() is the sham):
    refused as burst() refuses it, naming ``duration`` and the rate."""
    with pytest.raises(WaveformError) as err:
        build()
    assert err.value.name == "duration" and rate in str(err.value)


def test_train_of_one_period_still_builds():
    """Negative control: one whole period holds one pulse; a cut last segment of an alternating
    train without a whole period keeps the pulses of the others."""
    assert S.tens("acupuncture", 1.5, "0.5 s").n_pulses == 1
    assert S.tonic("50 Hz", "200 us", 1.5, "20 ms").n_pulses == 1
    assert S.alternating(["15 Hz", "30 Hz"], "0.2 s", "200 us", 1.5, "0.21 s").n_pulses == 3
    assert S.none("0.4 s").n_pulses == 0  # the sham stays


def test_library_protocol_windows_shorter_than_a_period_stay_allowed():
    """A course's session window shorter than a pulse period (2 Hz TENS, a 0.1-s window) is
    generated with a period more and windowed: it is allowed, with or without a pulse."""
    tens = ps.protocols.get("tens_acupuncture")
    assert tens.waveform(0.0, 0.1).n_pulses == 1
    assert tens.waveform(0.1, 0.2).n_pulses == 0


# ------------------------------------------------------------------ 3. monophasic + gap
def test_monophasic_pulse_with_an_interphase_gap_is_refused():
    """A monophasic pulse has no second phase: a gap changed only the key (a cache miss)."""
    builds = (lambda: S.tonic("50 Hz", "200 us", 1.5, "0.1 s", shape="monophasic", interphase_gap=100 * us),
              lambda: S.custom([0.0] * second, 200 * us, 1.5, 0.1 * second, shape="monophasic",
                               interphase_gap=100e-6))
    for build in builds:
        with pytest.raises(WaveformError) as err:
            build()
        assert err.value.name == "interphase_gap"


def test_monophasic_gap_is_refused_by_the_waveform_itself_and_the_threshold_probe():
    """The refusal sits in :class:`Waveform`, so a waveform built directly and the threshold
    probe of the biophysical model (which built its own pulse and accepted the gap) refuse it;
    the same probe with a biphasic pulse is the negative control."""
    from painsim.fibers.biophysical import FiberPopulation, threshold
    from painsim.stimulation.waveform import Waveform
    with pytest.raises(WaveformError) as err:
        Waveform(np.zeros(1), 200e-6, 1.0, 0.01, shape="monophasic", interphase_gap=50e-6)
    assert err.value.name == "interphase_gap"
    population = FiberPopulation.sample({"Abeta": 2}, seed=1)
    with pytest.raises(WaveformError) as err:
        threshold(population, 200e-6, shape="monophasic", interphase_gap=50e-6)
    assert err.value.name == "interphase_gap"
    assert np.all(threshold(population, 200e-6, shape="biphasic", interphase_gap=50e-6) > 0)


def test_monophasic_without_gap_and_biphasic_with_gap_still_build():
    """Negative control: no gap (also a zero one with its unit) for a monophasic pulse, a gap for a
    biphasic one."""
    mono = S.tonic("50 Hz", "200 us", 1.5, "0.1 s", shape="monophasic", interphase_gap="0 us")
    assert mono.interphase_gap == 0.0 and mono.n_pulses == 5
    bi = S.tonic("50 Hz", "200 us", 1.5, "0.1 s", shape="biphasic", interphase_gap="100 us")
    assert bi.interphase_gap == pytest.approx(100e-6)


# ------------------------------------------------------------------ 4. scs_metrics, pain_map_metrics
SCS_TABLE = {"type": "tonic", "rate": "50 Hz", "width": "200 us", "amplitude": 1.5, "duration": "0.5 s"}
LABELS = ["none", "scs", "scs again"]
#: The experiment file behind those three conditions (its [[condition]] tables).
EXPERIMENT = {"experiment": {"name": "x", "model": "gate_control"},
              "condition": [{"label": "none"}, {"label": "scs", "stimulus": SCS_TABLE},
                            {"label": "scs again", "stimulus": SCS_TABLE}]}


@pytest.fixture(scope="module")
def simulated():
    """Three simulate results of one model and seed: no device, and twice 1.5 x Aβ tonic SCS (the
    same run: simulated once)."""
    model = ps.load_model("gate_control")
    none, scs = (ps.simulate(model, stimulus=s, duration="0.5 s", seed=1) for s in (None, S.from_spec(SCS_TABLE)))
    return [none, scs, scs]


def test_scs_metrics_of_combined_simulate_results_reads_their_devices(simulated):
    """ps.io.combine of simulate results carries each condition's devices (``stimulus``): SCS
    recruits Aβ fibres against the no-device condition (its baseline), as the same result read
    through its ``[[condition]]`` tables does.  It returned 0 recruited and baseline -1."""
    ds = ps.io.combine(simulated, "condition", LABELS)
    got = ps.analysis.scs_metrics(ds)
    assert list(got["baseline"].values) == [-1, 0, 0]
    abeta = got["recruited"].sel(fiber_class="Abeta").values
    assert abeta[0] == 0 and abeta[1] > 0 and abeta[2] > 0  # negative control: no device, none recruited
    assert got["volleys_per_pulse"].values[0] == 0 and got["volleys_per_pulse"].values[1] > 0
    tables = ps.analysis.scs_metrics(ds.assign_attrs(experiment_spec=json.dumps(EXPERIMENT)))
    for name in ("recruited", "evoked_rate", "volleys_per_pulse", "baseline"):
        np.testing.assert_array_equal(got[name].values, tables[name].values)


def test_scs_metrics_counts_the_pulses_a_run_simulated_of_a_device_outlasting_it():
    """A result records how many of a device's pulses fell inside the run (``n_pulses_simulated``):
    scs_metrics of combined results read the count from it.  It spread the device's pulses evenly
    over the device's duration, so one pulse in the run and twenty after it counted as 5 (a volley
    per pulse read as 0.2).  Negative control: the no-device point has no pulses and no volleys."""
    onsets = np.concatenate([[0.0], 0.3 + 0.01 * np.arange(20)])
    device = S.custom(onsets * second, 200 * us, 3.0, 0.5 * second)
    model = ps.load_model("gate_control")
    runs = [ps.simulate(model, stimulus=d, duration="0.1 s", seed=1) for d in (None, device)]
    assert json.loads(runs[1].attrs["stimulus"])["n_pulses_simulated"] == 1  # of 21
    got = ps.analysis.scs_metrics(ps.io.combine(runs, "condition", ["none", "one pulse"]))
    volleys = np.round(got["volley_rate"].values * 0.1)
    assert volleys[0] == 0 and volleys[1] >= 1  # 3 x threshold: the one pulse is a volley
    assert list(got["volleys_per_pulse"].values) == [0.0, min(volleys[1], 1.0)]


def test_scs_metrics_of_a_single_result_or_one_without_devices_is_refused(simulated):
    """A single simulate result raised KeyError 'condition'; one over ``condition`` that carries
    neither tables nor a ``stimulus`` variable read as no device anywhere: both refused naming
    ``ds`` and the result needed."""
    with pytest.raises(ParameterError, match="painsim run") as err:
        ps.analysis.scs_metrics(simulated[1])
    assert err.value.name == "ds"
    ds = ps.io.combine(simulated, "condition", LABELS).drop_vars("stimulus")
    with pytest.raises(ParameterError, match="painsim run") as err:
        ps.analysis.scs_metrics(ds)
    assert err.value.name == "ds"


def test_scs_frequency_curves_needs_the_experiments_tables(simulated):
    """Without the ``[[condition]]`` tables every condition of a combined result read as the no-device
    baseline (curves of no point): refused naming ``ds``, as is a single result.  Negative control:
    the same result with its tables gives one curve point per SCS condition at 50 Hz."""
    ds = ps.io.combine(simulated, "condition", LABELS)
    for bad in (ds, simulated[1]):
        with pytest.raises(ParameterError, match="painsim run") as err:
            ps.analysis.scs_frequency_curves(bad)
        assert err.value.name == "ds"
    curves = ps.analysis.scs_frequency_curves(ds.assign_attrs(experiment_spec=json.dumps(EXPERIMENT)))
    assert list(curves) == [0.0] and curves[0.0]["f"] == [50.0, 50.0]
    assert curves[0.0]["base"] == float(ds["pn_rate"].values[0])


def test_pain_map_metrics_of_a_result_without_conditions_is_refused():
    """A single (pathway) result has no ``condition``: refused by name, not KeyError."""
    single = xr.Dataset({"map_rate": (("map_y", "map_x"), np.zeros((2, 2)))})
    with pytest.raises(ParameterError, match="painsim run") as err:
        ps.analysis.pain_map_metrics(single)
    assert err.value.name == "ds"
    # negative control: the same layout over condition passes that check (and fails later, on
    # what it really lacks: its stored parameters)
    with pytest.raises(ParameterError, match="parameters"):
        ps.analysis.pain_map_metrics(single.expand_dims(condition=["a"]).assign_coords(site=[0]))


# ------------------------------------------------------------------ 5. small ones
@pytest.mark.parametrize("bad", [[[1, 2], [3, 4]], ["a"], 5, "12"])
def test_windup_ratio_of_a_non_train_is_refused_by_name(bad):
    with pytest.raises(ParameterError) as err:
        windup_ratio(bad)
    assert err.value.name == "counts_per_pulse"


def test_windup_ratio_of_a_train():
    """Negative control: mean over the train / first response."""
    assert windup_ratio([2, 4, 6]) == 2.0
    assert math.isnan(windup_ratio([0, 1]))


def test_wilson_interval_is_exactly_within_zero_and_one():
    """0 of n has a lower bound of exactly 0 (it was 5.55e-17 for 0 of 3), n of n an upper bound of
    exactly 1; an inner proportion keeps both bounds strictly inside."""
    for n in (1, 3, 7, 40, 1000):
        assert wilson_interval(0, n)[0] == 0.0
        assert wilson_interval(n, n)[1] == 1.0
    low, high = wilson_interval(1, 3)
    assert 0.0 < low < 1 / 3 < high < 1.0


def test_adding_a_non_waveform_is_refused_naming_the_operand():
    wf = S.tonic("50 Hz", "200 us", 1.5, "0.1 s")
    with pytest.raises(WaveformError) as err:
        wf + 1
    assert err.value.name == "others[0]"
    assert (wf + wf).n_pulses == 2 * wf.n_pulses  # negative control


def test_scs_baseline_needs_the_same_population_sizes():
    """A no-device condition with another number of fibres cannot have the same natural spike
    trains (and its counts cannot be compared fiber by fiber: a broadcast error before): it is not
    a baseline.  Negative control: the same sizes pair the SCS condition with it."""
    from test_readout_defects import STIMULUS, _scs_dataset
    conds = [{"label": "rest"}, {"label": "SCS", "stimulus": STIMULUS}]
    fired = [{"Abeta": [0]}, {"Abeta": [0, 1, 2]}]
    assert list(ps.analysis.scs_metrics(_scs_dataset(conds, fired, [20, 30]))["baseline"].values) == [-1, -1]
    assert list(ps.analysis.scs_metrics(_scs_dataset(conds, fired, [20, 20]))["baseline"].values) == [-1, 0]


# ------------------------------------------------------------------ a coil under the fraction model
def test_a_coil_current_needs_the_coil_field_model():
    """Under ``afferents.recruitment = "fraction"`` a coil's amperes were divided by the electrode
    threshold (0.5 mA): 1 mA of coil current (physically nothing) fired like a 1 mA electrode, and
    the mPNS device's 4 kA fired every fibre.  Refused, naming the amplitude kind; negative
    controls: the same coil under the biophysical model, and an electrode of the same current under
    the fraction model, run."""
    coil = S.tonic("10 Hz", "150 us", "1 mA", "0.2 s", modality="magnetic", target="peripheral_nerve")
    with pytest.raises(ParameterError, match="biophysical") as err:
        ps.simulate("gate_control", coil, duration="0.2 s", seed=1)
    assert err.value.name == "stimulus.amplitude_kind"
    electrode = S.tonic("10 Hz", "150 us", "1 mA", "0.2 s", target="peripheral_nerve")
    assert ps.simulate("gate_control", electrode, duration="0.2 s", seed=1)["pain"].size == 1
    biophysical = ps.load_model("gate_control").with_params({"afferents.recruitment": "biophysical"})
    assert ps.simulate(biophysical, coil, duration="0.2 s", seed=1)["pain"].size == 1


def test_a_train_of_too_many_pulses_is_refused_before_it_is_laid_out():
    """``tonic("1 MHz", ...)`` for an hour (a MHz typo) raised numpy's MemoryError after trying to
    allocate 27 GB of onsets; a burst train likewise.  Refused naming ``duration`` with the count;
    negative control: the longest clinical train, 10 kHz for a minute, is built (the limit, 4e7
    pulses, holds a 10 kHz hour)."""
    for build in (lambda: S.tonic("1 MHz", "0.1 us", 1.0, "1 h"),
                  lambda: S.burst(1.0, "1 h", burst_rate="10 kHz", pulses_per_burst=5,
                                  intraburst_rate="100 kHz", width="1 us")):
        with pytest.raises(WaveformError, match="pulses") as err:
            build()
        assert err.value.name == "duration"
    assert S.high_frequency("2 mA", "60 s").n_pulses == 600_000


def test_scs_metrics_read_each_combined_point_over_its_own_duration():
    """Points of different durations combined (``duration_s`` becomes a variable): every rate was
    divided by the longest point's duration (a 0.35-s point's volleys at 34 Hz where alone they are
    48.6 Hz).  Each point's rates now equal those of the same run combined with itself (the
    negative control: one duration, the attribute)."""
    model = ps.load_model("gate_control")
    tonic = S.tonic("50 Hz", "200 us", 1.5, "0.5 s")
    none, short, long = (ps.simulate(model, stimulus=s, duration=d, seed=1)
                         for s, d in ((None, "0.35 s"), (tonic, "0.35 s"), (tonic, "0.5 s")))
    mixed = ps.analysis.scs_metrics(ps.io.combine([none, short, long], "condition", ["none", "short", "long"]))
    alone = ps.analysis.scs_metrics(ps.io.combine([none, short], "condition", ["none", "short"]))
    for name in ("volley_rate", "evoked_rate", "volleys_per_pulse"):
        np.testing.assert_allclose(mixed[name].isel(condition=1).values, alone[name].isel(condition=1).values)
    assert alone["volley_rate"].values[1] > 0  # the rates compared are not both zero


# ------------------------------------------------------------------ results: combine, metrics, figures
def test_combine_refuses_a_dimension_that_is_not_new(simulated):
    """Along ``seed`` (or ``label``, ``model``, ``duration_s``) combine overwrote the labels with
    each point's attr, and the whole result was then refused as a slice; along a dimension the
    results have it raised xarray's ValueError.  Refused naming ``dim``; negative control: a new
    name combines."""
    for dim in ("seed", "label", "model", "duration_s", "population", "pain"):
        refused(lambda: ps.io.combine(simulated[:2], dim, [1, 2]), "dim")
    assert list(ps.io.combine(simulated[:2], "run", [1, 2])["run"].values) == [1, 2]


def test_single_results_and_combined_maps_are_refused_by_name(simulated, tmp_path):
    """sep_metrics of a single simulate result raised an AttributeError ('condition'); map_figure of
    a result combined over conditions a TypeError from imshow; save_figure wrote PNG bytes under a
    .svg name; readout_start took neither a quantity nor refused a run of 0 s.  Each refused by
    name; negative controls: a one-map result draws, a .png is written, a quantity is read."""
    refused(lambda: ps.analysis.sep_metrics(simulated[0]), "ds")
    maps = xr.Dataset({"map_rate": (("condition", "map_y", "map_x"), np.ones((2, 2, 3)))},
                      coords={"map_x": [0.0, 1e-3, 2e-3], "map_y": [0.0, 1e-3]})
    refused(lambda: ps.plots.map_figure(maps), "ds")
    figure = ps.plots.map_figure(maps.isel(condition=0))
    refused(lambda: ps.plots.save_figure(figure, tmp_path / "map.svg"), "path")
    assert (tmp_path / "map.png").name in ps.plots.save_figure(figure, tmp_path / "map.png")
    model = ps.load_model("gate_control")
    assert ps.readouts.readout_start(model, 0.5 * second) == ps.readouts.readout_start(model, 0.5) == \
        model.si("readout.transient")
    refused(lambda: ps.readouts.readout_start(model, 0.0), "duration")


def test_an_experiment_that_names_no_figure_gets_none_from_painsim_figures(simulated):
    """``figure = []`` drew nothing in ``painsim run`` but the kind's standard figure in ``painsim
    figures`` (an empty list read as "not given").  Negative control: without a ``figure`` key the
    standard conditions figure is drawn."""
    ds = ps.io.combine(simulated, "condition", LABELS)
    none = {**EXPERIMENT, "experiment": {**EXPERIMENT["experiment"], "figure": []}}
    assert ps.plots.figures_for(ds.assign_attrs(experiment_spec=json.dumps(none))) == {}
    assert list(ps.plots.figures_for(ds.assign_attrs(experiment_spec=json.dumps(EXPERIMENT)))) == ["conditions"]
