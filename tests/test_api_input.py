"""Inputs of the Python API that a user review found ending in a bare Python exception (TypeError,
AttributeError, ValueError) or silently accepted: each is refused with a painsim error that names the
parameter, the value and what is allowed.  No brian2 network is built: every call fails (or, for the
stimulus routing, stops at the point's input spikes) before a simulation."""
import math

import numpy as np
import pytest

import painsim as ps
from painsim import cohort, readouts
from painsim.errors import ParameterError, PathError
from painsim.fibers import brush, heat, pinprick
from painsim.fibers.encoding import MAX_FORCE, MAX_VELOCITY
from painsim.simulation import Request, point_input


@pytest.fixture(scope="module")
def model():
    return ps.load_model("gate_control")


from refusals import refused as _refused  # noqa: E402


# ------------------------------------------------------------------ 1. with_params of a non-mapping
@pytest.mark.parametrize("overrides", ["dorsal_horn.pharmacology.gaba_block=1", ["dorsal_horn.pharmacology.gaba_block"],
                                       42, {1: 0.5}])
def test_with_params_refuses_what_is_not_a_mapping_of_paths(model, overrides):
    _refused(lambda: model.with_params(overrides), "overrides")


def test_with_params_of_a_set_style_string_points_to_a_dict(model):
    e = _refused(lambda: model.with_params("a=1"), "overrides")
    assert "--set" in str(e)
    _refused(lambda: ps.load_model("gate_control", overrides="a=1"), "overrides")
    with pytest.raises(ParameterError, match="overrides"):
        with ps.params.overriding("a=1"):
            pass
    assert model.with_params({"dorsal_horn.pharmacology.gaba_block": 0.5}) is not model   # a dict still works


# ------------------------------------------------------------------ 2. model_pain_score of a non-rate
@pytest.mark.parametrize("rate", ["fast", -5.0, [10.0, -1.0], True, object(), math.inf])
def test_model_pain_score_refuses_what_is_not_a_rate(model, rate):
    _refused(lambda: readouts.model_pain_score(rate, model), "rate")


def test_model_pain_score_takes_rates_and_refuses_a_non_model(model):
    assert readouts.model_pain_score(0.0, model) == 0.0
    assert readouts.model_pain_score("50 Hz", model) == readouts.model_pain_score(50.0, model)
    assert math.isnan(readouts.model_pain_score(math.nan, model))       # a missing rate stays missing
    _refused(lambda: readouts.model_pain_score(5.0, "fast"), "model")
    _refused(lambda: readouts.unpleasantness_score(-1.0, model), "acc_rate")


# ------------------------------------------------------------------ 3. simulate_batch of models
def test_simulate_batch_refuses_models_in_place_of_requests(model):
    e = _refused(lambda: ps.simulate_batch([model], "0.1 s"), "requests[0]")
    assert "Request" in str(e)
    _refused(lambda: ps.simulate_batch([Request(model), "gate_control"], "0.1 s"), "requests[1]")
    _refused(lambda: ps.simulate_batch(Request(model), "0.1 s"), "requests")     # one request, not a list
    _refused(lambda: ps.simulate_batch([Request(model)], "0.1 s", batch_size="x"), "batch_size")
    _refused(lambda: ps.simulate(42, duration="0.1 s"), "model")


# ------------------------------------------------------------------ 4. load_model of a folder
def test_load_model_of_a_folder_says_it_is_a_folder(tmp_path, monkeypatch):
    with pytest.raises(PathError, match="is a folder, not a model file") as e:
        ps.load_model(tmp_path)
    assert str(tmp_path) in str(e.value) and "not found" not in str(e.value)
    with pytest.raises(PathError, match="folder"):
        ps.load_model(str(tmp_path))
    # a built-in's bare name is the built-in, even beside a folder of that name
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gate_control").mkdir()
    assert ps.load_model("gate_control").name == "gate_control"


# ------------------------------------------------------------------ 5. cohort distributions by the user's key
_COHORT = '''[experiment]
name = "c"
kind = "cohort"
model = "pain_pathway"
preset = "rtms_real_world"
n_patients = 4
protocol = "rtms_m1_20hz"

[distributions]
'''


@pytest.mark.parametrize("line, name", [
    ('central = {type = "bernoulli", p = 1.5}', "distributions.central.p"),
    ("central = 1.5", "distributions.central"),                                  # was refused only when sampled
    ('descending_integrity = {hemorrhagic = {type = "beta", mean = 1.5}}',
     "distributions.descending_integrity.hemorrhagic.mean"),
    ('sensitization = {type = "lognormal", median = "big"}', "distributions.sensitization.median"),
    ('sensitization = {type = "lognormal", median = 1.5, sigma = -1}', "distributions.sensitization.sigma"),
    ("central = {peripheral = 0.3}", "distributions.central"),                   # a yes/no share has no groups
])
def test_cohort_distribution_errors_name_the_key_of_the_file(tmp_path, line, name):
    f = tmp_path / "c.toml"
    f.write_text(_COHORT + line + "\n")
    e = _refused(lambda: cohort.load_cohort_spec(f), name)
    assert "Bernoulli." not in str(e) and "Beta." not in str(e) and "LogNormal." not in str(e)


def test_cohort_sample_errors_name_the_key_given():
    _refused(lambda: cohort.sample(3, distributions={"central": 1.5}), "distributions.central")
    _refused(lambda: cohort.sample(3, distributions={"disinhibition": {"peripheral": "x"}}),
             "distributions.disinhibition.peripheral")
    _refused(lambda: cohort.sample(3, distributions=["disinhibition"]), "distributions")
    t = cohort.sample(3, preset="peripheral", distributions={"disinhibition": {"peripheral": 0.2}})
    assert (t.disinhibition == 0.2).all()                 # a number by group is a value, as documented


# ------------------------------------------------------------------ 6. physical stimuli out of range
@pytest.mark.parametrize("make, value, name", [
    (pinprick, 1e9, "force_mN"),
    (pinprick, "5 N", "force_mN"),
    (pinprick, MAX_FORCE * 1e3 * 1.01, "force_mN"),
    (brush, "1e6 m/s", "velocity"),
    (brush, "2 m/s", "velocity"),
])
def test_physical_stimuli_beyond_their_encoding_are_refused(make, value, name):
    _refused(lambda: make(value), name)


def test_physical_stimuli_of_the_published_ranges_are_accepted():
    for f in (8, 512, 3000, MAX_FORCE * 1e3):               # DFNS series; heaviest monofilament (3000 mN)
        assert pinprick(f).value == pytest.approx(f * 1e-3)
    for v in ("3 mm/s", "300 mm/s", f"{MAX_VELOCITY} m/s"):     # up to the 30 cm/s of the data, and the cap
        brush(v)
    assert brush("30 cm/s").value == pytest.approx(brush("300 mm/s").value)  # the papers' unit


def test_qst_subject_force_is_clipped_to_the_encoding():
    from painsim.files.qst import _subject_pinprick
    assert _subject_pinprick(512.0, 1e-3).value == pytest.approx(MAX_FORCE)   # a subject far in the tail
    assert _subject_pinprick(128.0, 2.0).value == pytest.approx(0.064)


# ------------------------------------------------------------------ 7. relief of scores off the NRS
@pytest.mark.parametrize("baseline, value, name", [
    (-1, 3, "baseline"), (8, 11, "value"), (12, 4, "baseline"), ("8", 3, "baseline"), (8, [3, -0.5], "value"),
])
def test_relief_refuses_scores_off_the_nrs(baseline, value, name):
    _refused(lambda: readouts.relief(baseline, value), name)


def test_relief_keeps_scores_on_the_nrs_and_missing_ones():
    assert readouts.relief(10, 0) == pytest.approx(100.0)
    assert math.isnan(readouts.relief(8.0, math.nan))
    assert math.isnan(readouts.relief(0.0, 3.0)) and math.isnan(readouts.relief(0.0, 0.0))  # no pain: undefined
    assert math.isnan(readouts.relief(math.nan, 3.0))


# ------------------------------------------------------------------ 8. a heat stimulus passed as touch
def test_heat_as_touch_drives_the_nociceptors_as_noxious_heat_does(model):
    """Decision: a stimulus in physical units drives the classes its encoding names whichever keyword
    carries it (docs/stimuli.md); ``touch=heat(49)`` is the same afferent input as ``noxious=heat(49)``,
    and the result records it under ``touch`` with its kind."""
    as_touch = point_input(Request(model, None, 0.0, heat(49), 1), 0.5).afferents
    as_noxious = point_input(Request(model, None, heat(49), 0.0, 1), 0.5).afferents
    none = point_input(Request(model, None, 0.0, 0.0, 1), 0.5).afferents
    for c in ("Abeta", "Adelta", "C"):
        assert np.array_equal(as_touch[c].times, as_noxious[c].times), c
    assert as_touch["C"].times.size > 10 * max(none["C"].times.size, 1)     # heat drives C
    assert as_touch["Abeta"].times.size == none["Abeta"].times.size         # and not Aβ
    from painsim.simulation.inputs import natural_attr
    assert natural_attr(model, heat(49), "touch")["kind"] == "heat"


# ------------------------------------------------------------------ 9. io.save of what is not a Dataset, io.load of what is no result
def test_save_refuses_a_data_array_and_points_to_to_dataset(tmp_path):
    import xarray as xr
    e = _refused(lambda: ps.io.save(xr.DataArray([1.0, 2.0], name="pn_rate"), tmp_path / "x.nc"), "ds")
    assert "Dataset" in str(e) and ".to_dataset()" in str(e)
    _refused(lambda: ps.io.save({"a": 1}, tmp_path / "x.nc"), "ds")
    assert not list(tmp_path.iterdir())                                    # nothing written


def test_load_of_what_is_no_netcdf_result_says_what_the_path_is(tmp_path):
    toml = tmp_path / "some.toml"
    toml.write_text("[experiment]\nname = 'x'\n")
    for path, said in [(toml, "is not a NetCDF file"), (tmp_path, "is a folder"),
                       (tmp_path / "missing.nc", "file not found")]:
        with pytest.raises(PathError) as e:
            ps.io.load(path)
        assert str(path) in str(e.value) and said in str(e.value)
        assert "results.nc" in str(e.value) and "result.nc" in str(e.value)


def test_load_of_a_run_folder_names_its_results_file(tmp_path):
    import xarray as xr
    ps.io.save(xr.Dataset({"pain": ((), 3.0)}), tmp_path / "results.nc")
    with pytest.raises(PathError, match="results.nc"):
        ps.io.load(tmp_path)
    assert float(ps.io.load(tmp_path / "results.nc")["pain"]) == 3.0


# ------------------------------------------------------------------ 10. brush(True) as a conditions file's brush = true
def test_brush_true_is_the_default_stroke_as_in_a_conditions_file():
    assert brush(True) == brush()
    assert brush(True).value == pytest.approx(0.03)
    _refused(lambda: brush(False), "velocity")                         # not a stroke of 0 m/s


# ------------------------------------------------------------------ 11. a temperature given as an intensity
@pytest.mark.parametrize("value, meant", [("47 degC", "heat(47)"), ("47 °C", "heat(47)"), ("320 K", "heat(46.85)"),
                                          (47, "heat(47)"), ("20 degC", "cold(20)")])
def test_a_temperature_as_an_intensity_points_to_heat(model, value, meant):
    e = _refused(lambda: ps.simulate(model, noxious=value, duration="0.1 s"), "noxious")
    assert f"noxious={meant}" in e.hint
    e = _refused(lambda: ps.fibers.natural(value, name="touch"), "touch")
    assert f"touch={meant}" in e.hint


def test_an_intensity_out_of_range_without_a_temperature_gets_no_heat_hint():
    assert _refused(lambda: ps.fibers.natural(2, name="noxious"), "noxious").hint is None
    assert "heat" not in str(_refused(lambda: ps.fibers.natural("5 N", name="noxious"), "noxious"))


# ------------------------------------------------------------------ 12. readouts off their documented ranges
@pytest.mark.parametrize("args, name", [((-1, 3), "inhibitory_drive"), ((1, -0.5), "excitatory_drive"),
                                        ((math.nan, 1), "inhibitory_drive"), (("1", 1), "inhibitory_drive")])
def test_gate_index_refuses_negative_drives(args, name):
    _refused(lambda: readouts.gate_index(*args), name)


def test_gate_index_of_drives_is_a_share():
    assert readouts.gate_index(1, 3) == pytest.approx(0.25)
    assert readouts.gate_index(0, 0) == 0.0


@pytest.mark.parametrize("args, name", [((20, 0.2, 0.5), "spinal_score"), ((-1, 0.2, 0.5), "spinal_score"),
                                        ((5, 2.0, 0.5), "overactive_fraction"), ((5, -0.1, 0.5), "overactive_fraction"),
                                        ((5, [0.2, 1.5], 0.5), "overactive_fraction"), ((5, 0.2, 1.5), "weight_map"),
                                        ((5, 0.2, math.nan), "weight_map")])
def test_combined_pain_refuses_arguments_off_their_scales(args, name):
    _refused(lambda: readouts.combined_pain(*args), name)


def test_combined_pain_mixes_scores_on_the_nrs():
    assert readouts.combined_pain(5, 0.2, 0.5) == pytest.approx(3.5)
    assert readouts.combined_pain(10, 1.0, 0.3) == pytest.approx(10.0)
    out = readouts.combined_pain(np.array([4.0, math.nan]), np.array([0.0, 0.5]), 0.5)
    assert out[0] == pytest.approx(2.0) and math.isnan(out[1])               # not tested stays not tested


def test_mean_rate_of_no_neurons_is_0_hz_and_spikes_of_no_neurons_are_refused():
    """Model files allow empty populations (cortex.populations.n_m1 = 0): they read 0 Hz, and a
    pathway model with one simulates (a first version refused n_neurons = 0 and broke it)."""
    times = np.array([0.1, 0.2, 0.3])
    _refused(lambda: readouts.mean_rate(times, 0, 0, 1), "n_neurons")
    _refused(lambda: readouts.mean_rate(times, -1, 0, 1), "n_neurons")
    assert readouts.mean_rate(np.zeros(0), 0, 0, 1) == 0.0
    assert readouts.mean_rate(times, np.int64(3), 0, 1) == pytest.approx(1.0)
    no_m1 = ps.load_model("pain_pathway").with_params({"cortex.populations.n_m1": 0})
    assert ps.simulate(no_m1, noxious=0.3, duration="0.1 s", seed=1).attrs["duration_s"] == 0.1


# ------------------------------------------------------------------ 13. simulate_batch names the request and its duration
@pytest.mark.parametrize("bad, name", [(dict(seed=-1), "requests[1].seed"), (dict(seed=1.5), "requests[1].seed"),
                                       (dict(noxious="47 degC"), "requests[1].noxious"),
                                       (dict(touch=3.0), "requests[1].touch"),
                                       (dict(stimulus=[3]), "requests[1].stimulus[0]")])
def test_simulate_batch_names_the_request_of_a_bad_field(model, bad, name):
    e = _refused(lambda: ps.simulate_batch([Request(model), Request(model, **bad)], "0.05 s"), name)
    if "noxious" in bad:
        assert "noxious=heat(47)" in e.hint                                  # the hint survives the renaming


def test_simulate_still_names_its_own_arguments(model):
    _refused(lambda: ps.simulate(model, seed=-1, duration="0.05 s"), "seed")


def test_simulate_batch_without_a_duration_takes_the_longest_stimulus(model, monkeypatch):
    """Decision: as simulate() takes its stimulus's duration, a batch without one runs for the longest
    stimulus of its requests; with none, the duration is required (named)."""
    _refused(lambda: ps.simulate_batch([Request(model), Request(model, noxious=0.5)]), "duration")
    from painsim.simulation import runner
    ran = {}

    class Recorder:
        def __init__(self, requests, d, batch_size, keep=True, engine=None, where="requests"):
            ran["d"] = d

        def datasets(self):
            return []

    monkeypatch.setattr(runner, "PointsRunner", Recorder)
    short = ps.stimulation.tonic("50 Hz", "200 us", 1.5, "0.2 s")
    long_ = ps.stimulation.tonic("50 Hz", "200 us", 1.5, "0.3 s")
    ps.simulate_batch([Request(model), Request(model, short), Request(model, [short, long_])])
    assert ran["d"] == pytest.approx(0.3)
    ps.simulate_batch([Request(model, long_)], "0.1 s")                          # a duration given is kept
    assert ran["d"] == pytest.approx(0.1)
    _refused(lambda: ps.simulate_batch([Request(model), Request(model, [long_, 3])]), "requests[1].stimulus[1]")


# ------------------------------------------------------------------ stimuli after the simulated time
def test_a_stimulus_that_starts_after_the_simulated_time_is_refused():
    """Was: heat from 1 s in a 0.2 s point gave pain 0 with no word; a device whose pulses all come
    after the end likewise.  A stimulus that starts inside the window and outlasts it is simulated
    (the negative control: cut at the end)."""
    from brian2 import second
    model = ps.load_model("gate_control")
    _refused(lambda: ps.simulate(model, noxious=heat(47, start=1 * second, stop=2 * second),
                                 duration=0.2 * second, seed=1), "noxious.start")
    late = ps.stimulation.tonic("50 Hz", "200 us", 1.5, "1 s").shifted("0.5 s")
    _refused(lambda: ps.simulate(model, stimulus=late, duration="0.2 s", seed=1), "stimulus")
    inside = ps.simulate(model, noxious=heat(47, start=0.1 * second, stop=2 * second), duration=0.2 * second, seed=1)
    assert inside.attrs["duration_s"] == 0.2


def test_a_unit_error_in_a_cohort_distribution_keeps_its_class_and_the_users_key():
    """A voltage given as a Beta mean: a UnitError (a plain number is asked for), named by the key the
    user wrote, not the class's 'Beta.mean' (the name of a built Beta, the control)."""
    from brian2 import mV
    from painsim.cohort.distributions import Beta, built
    from painsim.errors import UnitError
    err = _refused(lambda: built(Beta, {"mean": 0.3 * mV}, "distributions.disinhibition.peripheral"),
                   "distributions.disinhibition.peripheral.mean", UnitError)
    assert "a plain number without a unit" in str(err)
    _refused(lambda: Beta(mean=0.3 * mV), "Beta.mean", UnitError)
