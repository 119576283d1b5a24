"""Pain as patients report it: the psychophysical NRS map, ongoing pain of the presets, the virtual QST.

Properties with negative controls (docs/phenotypes.md):

* the NRS map is monotone, 0 without output, saturates at 10, passes through its cited points;
* heat pain of the healthy preset rises with temperature, with a threshold in the range of
  healthy heat pain thresholds (DFNS HPT ~ 41-47 °C, Rolke et al. 2006 Pain 123:231);
* the healthy preset has no pain at rest, the neuropathic presets rate clearly above it (xfail), and
  removing the thalamic generator of the central post-stroke preset removes its ongoing pain;
* a ``kind = "qst"`` file runs and its dataset has the required variables, dimensions and units;
* virtual subjects differ in drawn subject parameters (identical with ``subject_variability = false``,
  the negative control), the same seed gives the same subjects, their heat pain thresholds spread more
  than without variability, and a bad distribution parameter is refused naming it.
"""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim import readouts
from painsim.errors import ParameterError, UnknownKeyError
from painsim.fibers import heat

NEUROPATHIC = ["peripheral_neuropathic", "painful_diabetic_neuropathy", "post_traumatic_neuropathic",
               "central_poststroke_ischemic", "central_poststroke_hemorrhagic"]
SEEDS = (11, 12)
DUR = "1.3 s"


def _rest_pain(models) -> np.ndarray:
    """Mean pain at rest (no stimulus) over SEEDS, one value per model."""
    reqs = [ps.Request(m, None, 0.0, 0.0, s) for m in models for s in SEEDS]
    res = ps.simulate_batch(reqs, DUR)
    return np.array([float(r["pain"]) for r in res]).reshape(len(models), len(SEEDS)).mean(axis=1)


# ------------------------------------------------------------------ the NRS map
@pytest.fixture(scope="module")
def healthy():
    return ps.load_model("healthy")


def test_nrs_map_is_monotone_zero_at_rest_and_saturates(healthy):
    r = np.linspace(0, 400, 801)
    s = readouts.model_pain_score(r, healthy)
    assert s[0] == 0.0
    assert np.all(np.diff(s) >= 0)
    assert s.max() <= 10.0 and s[-1] == 10.0           # saturates at the top of the scale
    assert np.any(np.diff(s) > 0)                       # not flat: negative control of monotonicity test
    with pytest.raises(ParameterError, match="'rate'"):    # a negative rate is a wrong argument, not "no pain"
        readouts.model_pain_score(-5.0, healthy)


def test_nrs_map_passes_through_its_cited_points(healthy):
    temps, rates, ratings = readouts.psychophysics_points(healthy)
    assert len(temps) >= 2
    assert np.allclose(readouts.model_pain_score(rates, healthy), ratings)
    # the rates are the primate STT response to the rated temperatures (Kenshalo 1979 power law)
    e = healthy.si("readout.stt_exponent")
    assert rates[1] / rates[0] == pytest.approx(((temps[1] - 35) / (temps[0] - 35)) ** e)


def test_nrs_map_refuses_points_that_are_not_a_scale():
    with pytest.raises(ParameterError):
        readouts.nrs_from_rate(10.0, [10.0, 5.0], [0.0, 5.0])      # rates not increasing
    with pytest.raises(ParameterError):
        readouts.nrs_from_rate(10.0, [10.0, 20.0], [5.0, 2.0])     # ratings decreasing
    with pytest.raises(ParameterError):
        readouts.nrs_from_rate(10.0, [10.0, 20.0], [0.0, 12.0])    # beyond the scale


# ------------------------------------------------------------------ heat pain of the healthy preset
# DFNS healthy reference heat pain thresholds lie within ~41-47 °C (Rolke et al. 2006 Pain 123:231
# [recalled]).  The grid extends one 2 °C step beyond that range on each side, so a threshold below
# 41 °C (39 °C already painful), above 47 °C, or never reached (nan) fails the test.
HPT_GRID = [39.0, 41.0, 43.0, 45.0, 47.0, 49.0]
PUBLISHED_HPT = (41.0, 47.0)


@pytest.fixture(scope="module")
def heat_curve(healthy):
    reqs = [ps.Request(healthy, None, heat(t), 0.0, s) for t in HPT_GRID for s in SEEDS]
    res = ps.simulate_batch(reqs, DUR)
    return np.array([float(r["pain"]) for r in res]).reshape(len(HPT_GRID), len(SEEDS)).mean(axis=1)


def test_heat_pain_rises_with_temperature(heat_curve):
    nrs = heat_curve
    assert nrs[0] == pytest.approx(0.0, abs=0.2)        # warm, not painful
    assert np.all(np.diff(nrs) >= -0.3)                 # rises (within sampling noise)
    assert nrs[-1] > nrs[0] + 3


def test_heat_pain_threshold_in_the_published_range(heat_curve):
    # threshold = first temperature rated > 0.1 NRS ("first painful"), linearly interpolated between
    # the last grid point below and the first above (ratings rise ~monotonically, test above)
    hpt = ps.analysis.first_crossing(HPT_GRID, heat_curve, 0.1)
    assert PUBLISHED_HPT[0] <= hpt <= PUBLISHED_HPT[1], (hpt, heat_curve)


def test_healthy_rating_of_47_degrees_matches_published(healthy):
    """A calibration check, not a prediction: dorsal_horn.synapse.c_gain was fitted (seeds 1-4, 1.5 s)
    so the healthy PN rate at 47 °C equals the primate STT rate that the NRS map rates 3.5
    (painsim.validation.calibration); here on other virtual subjects (seeds 11-14) and this file's window."""
    # published VAS 35 +/- 19 (mean +/- SD over healthy subjects) /100 -> NRS 3.5 +/- 1.9; the model's
    # mean over 4 seeds (virtual subjects) should lie within one SD of the published ratings
    res = ps.simulate_batch([ps.Request(healthy, None, heat(47), 0.0, s) for s in (11, 12, 13, 14)], DUR)
    mean = float(np.mean([float(r["pain"]) for r in res]))
    assert abs(mean - 3.5) <= 1.9, mean


# ------------------------------------------------------------------ ongoing pain
def test_healthy_preset_has_no_pain_at_rest(healthy):
    assert _rest_pain([healthy])[0] < 0.5


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="not reproduced (a reported miss, docs/phenotypes.md): the peripheral "
                   "presets rate 0 at rest; ectopic C discharge at published rates leaves PN ~0-0.2 Hz")
def test_every_neuropathic_preset_rates_clearly_above_healthy_at_rest(healthy):
    pains = _rest_pain([healthy] + [ps.load_model(n) for n in NEUROPATHIC])
    assert np.all(pains[1:] >= pains[0] + 1.0), dict(zip(["healthy"] + NEUROPATHIC, pains))


@pytest.fixture(scope="module")
def central_rest():
    """Pain at rest of the central post-stroke preset with and without its thalamic generator.  (The
    peripheral presets already rate 0 at rest, xfail above, so removing their generator tests nothing.)"""
    cpsp = ps.load_model("central_poststroke_ischemic")
    return _rest_pain([cpsp, cpsp.with_params({"pathology.thalamic_drive": "0 nS"})])


def test_the_thalamic_generator_makes_ongoing_central_pain(central_rest):
    """Negative control of the test below: the preset has pain at rest with its generator."""
    with_gen, without_gen = central_rest
    assert with_gen > without_gen + 0.5


def test_removing_the_generator_removes_ongoing_pain(central_rest):
    with_gen, without_gen = central_rest
    assert with_gen >= 0.5                               # there is ongoing pain to remove
    assert without_gen < 0.5                             # no generator: no ongoing pain


# ------------------------------------------------------------------ the QST experiment
TINY = """
[experiment]
name = "qst_tiny"
kind = "qst"
models = ["healthy", "peripheral_neuropathic"]
reference = "healthy"
n_subjects = 2
seed = 3
duration = "0.8 s"
heat_temperatures = [44.0, 48.0]
heat_suprathreshold = 47.0
pinprick_forces = [32.0, 512.0]
windup_pulses = 3
figure = "qst"
batch_size = 64                     # every test window in one network (the same numbers, ~20 % faster)
[published]
brush = 0.2
"""


@pytest.fixture(scope="module")
def qst(tmp_path_factory):
    path = tmp_path_factory.mktemp("qst") / "qst_tiny.toml"
    path.write_text(TINY)
    spec = ps.files.load_experiment(path)
    return spec, ps.run_experiment(spec)


def test_qst_dataset_has_the_required_variables_and_units(qst, tmp_path):
    _, ds = qst
    assert ds["nrs"].dims == ("model", "test")
    assert list(ds.test.values) == ["rest", "brush", "pinprick", "heat"]
    assert list(ds.model.values) == ["healthy", "peripheral_neuropathic"]
    assert ds["nrs"].attrs["units"] == "1"
    assert ds["windup_ratio"].dims == ("model",)
    assert ds["heat_pain_threshold"].attrs["units"] == "degC"
    assert ds["mechanical_pain_threshold"].attrs["units"] == "mN"
    assert ds["zscore"].dims == ("model", "measure")
    for name, v in ds.data_vars.items():
        assert "units" in v.attrs and "long_name" in v.attrs, name
    assert np.all((ds["nrs"].values >= 0) & (ds["nrs"].values <= 10))
    # the reference against itself: with n subjects and the sample SD (ddof=1), no subject lies more
    # than (n - 1)/sqrt(n) SD from the mean (Samuelson's inequality; the SD floor only shrinks |z|);
    # for n = 2 that is 0.71 < 1.96, so no reference subject can be "abnormal"
    n = ds.sizes["subject"]
    bound = 0.0 if (n - 1) / np.sqrt(n) < 1.96 else 1.0
    assert np.all(ds["abnormal_fraction"].sel(model="healthy").values <= bound)
    assert float(ds["published_prevalence"].sel(measure="brush")) == 0.2
    # subject variability is on by default: the drawn subject parameters are stored per subject
    assert ds.attrs["subject_variability"] == 1
    for name in ("heat_threshold_shift", "force_threshold_factor", "c_gain_factor"):
        assert ds[f"subject_{name}"].dims == ("subject",)
    assert ds["subject_heat_threshold_shift"].attrs["units"] == "K"   # a difference: K, not an offset unit
    back = ps.io.load(ps.io.save(ds, tmp_path / "qst.nc"))
    assert back["nrs"].attrs["units"] == "1"
    assert ps.labels.unlabelled(back) == []                          # coordinates (test, measure) too


def test_hpt_zscores_use_a_floor_in_degrees():
    # a reference whose virtual subjects all share one threshold (SD 0): the HPT floor is 1 °C
    # (analysis.HPT_SD_FLOOR), so a threshold 2 °C lower is z = +2 (gain), not +20 (a 0.1 floor)
    import xarray as xr
    per = xr.Dataset({m[0]: (("model", "subject"), [[1.0, 1.0], [1.0, 1.0]]) for m in ps.analysis.QST_MEASURES},
                     coords={"model": ["ref", "low"], "subject": [0, 1]})
    per["heat_pain_threshold"] = (("model", "subject"), [[44.0, 44.0], [42.0, 42.0]])
    z = ps.analysis.qst_summary(per, "ref", sd_floor=0.1)["zscore"].sel(model="low")
    assert float(z.sel(measure="heat_pain_threshold")) == pytest.approx(2.0 / ps.analysis.HPT_SD_FLOOR)
    assert ps.analysis.HPT_SD_FLOOR >= 0.5                # a floor in °C, not the log10 one
    assert float(z.sel(measure="brush")) == pytest.approx(0.0)


def test_qst_summary_and_figure(qst):
    _, ds = qst
    rows = ps.files.qst_rows(ds)
    assert sum(str(m) in r for r in rows for m in ds.model.values) >= ds.sizes["model"]
    import painsim.plots as plots
    fig = plots.experiment_figures(ds, "qst")["qst"]
    assert len(fig.axes) == 2


def test_qst_files_refuse_mistakes(tmp_path):
    bad = {"reference = \"healthy\"": "reference = \"nobody\"", "n_subjects = 2": "n_subjects = 1",
           "windup_pulses = 3": "windup_pulse = 3", "brush = 0.2": "brush = 1.5"}
    for old, new in bad.items():
        p = tmp_path / "bad.toml"
        p.write_text(TINY.replace(old, new))
        with pytest.raises((ParameterError, UnknownKeyError)):
            ps.files.load_experiment(p)


def test_built_in_qst_profile_is_a_qst_file():
    spec = ps.files.load_experiment("qst_profile")
    assert ps.files.kind_of(spec) == "qst"
    assert spec["experiment"]["reference"] in spec["experiment"]["models"]
    assert set(spec["experiment"]["models"]) >= {"healthy", "post_traumatic_neuropathic", "fibromyalgia"}


# ------------------------------------------------------------------ subject variability
# Virtual subjects draw subject-level parameters from their seed (painsim/files/qst.py,
# docs/phenotypes.md "Subject variability"); false = subjects differ by their seed only.
from painsim.files.qst import SUBJECT_PARAMETERS, subject_parameters  # noqa: E402

VAR_EXP = {"name": "qst_var", "kind": "qst", "models": ["healthy"], "reference": "healthy", "n_subjects": 3,
           "seed": 5}


def test_subjects_differ_in_drawn_parameters_only_with_variability():
    on = subject_parameters(VAR_EXP)
    off = subject_parameters({**VAR_EXP, "subject_variability": False})
    assert set(on) == set(off) == set(SUBJECT_PARAMETERS)
    for name in SUBJECT_PARAMETERS:
        assert len(on[name]) == 3
        assert len(set(on[name].tolist())) == 3, (name, on[name])      # every subject its own value
        assert len(set(off[name].tolist())) == 1, (name, off[name])    # negative control: all identical
    assert np.all(off["heat_threshold_shift"] == 0.0)
    assert np.all(off["force_threshold_factor"] == 1.0) and np.all(off["c_gain_factor"] == 1.0)
    # a spread of 0 switches one source off and leaves the others
    no_heat = subject_parameters({**VAR_EXP, "heat_threshold_sd": 0.0})
    assert np.all(no_heat["heat_threshold_shift"] == 0.0)
    assert np.array_equal(no_heat["c_gain_factor"], on["c_gain_factor"])


def test_same_seed_same_subjects():
    a, b = subject_parameters(VAR_EXP), subject_parameters(dict(VAR_EXP))
    other = subject_parameters({**VAR_EXP, "seed": 6})
    more = subject_parameters({**VAR_EXP, "n_subjects": 5})
    for name in SUBJECT_PARAMETERS:
        assert np.array_equal(a[name], b[name])
        assert not np.array_equal(a[name], other[name])
        assert np.array_equal(more[name][:3], a[name])                 # a subject is its seed, whatever n
        assert np.array_equal(other[name][:2], a[name][1:])            # subject s of seed 6 = subject s+1 of seed 5


@pytest.mark.parametrize("key,bad", [("heat_threshold_sd", -0.5), ("heat_threshold_sd", 50.0),
                                     ("force_threshold_log_sd", "0.4"), ("c_gain_log_sd", float("nan")),
                                     ("c_gain_log_sd", True), ("subject_variability", "yes")])
def test_bad_subject_variability_parameter_is_refused_naming_it(key, bad):
    with pytest.raises(ParameterError) as err:
        subject_parameters({**VAR_EXP, key: bad})
    e = err.value
    assert e.name == f"experiment.{key}"
    assert e.value is bad or (isinstance(bad, float) and np.isnan(bad) and np.isnan(e.value))
    assert e.allowed and f"experiment.{key}" in str(e) and "expected" in str(e)


def test_qst_file_refuses_a_bad_subject_variability_parameter(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text(TINY.replace("figure = \"qst\"", "figure = \"qst\"\nc_gain_log_sd = -0.1"))
    with pytest.raises(ParameterError, match="c_gain_log_sd"):
        ps.files.load_experiment(p)


VAR_GRID = [42.0, 44.0, 46.0, 48.0]


def _heat_thresholds(exp: dict) -> np.ndarray:
    """Heat pain thresholds of the healthy preset's virtual subjects of ``exp`` (as ``run_qst`` tests
    them, heat only, 0.8 s windows)."""
    from painsim.files import qst as q
    c = q._config(exp)
    subj = subject_parameters(exp)
    models = q._subject_models({"healthy": ps.load_model("healthy")}, subj, c["n_subjects"])
    reqs = [ps.Request(models[("healthy", s)], None, q._subject_heat(t, subj["heat_threshold_shift"][s]), 0.0,
                       c["seed"] + s) for s in range(c["n_subjects"]) for t in VAR_GRID]
    nrs = np.array([float(r["pain"]) for r in ps.simulate_batch(reqs, "0.8 s")]).reshape(c["n_subjects"], -1)
    return np.array([ps.analysis.first_crossing(VAR_GRID, r, 0.1, ceiling=max(VAR_GRID)) for r in nrs])


def test_subject_variability_spreads_heat_pain_thresholds():
    """With variability (a wide heat-threshold spread, 2 °C, so the property stands out of the seed noise of
    3 subjects) the thresholds spread more than the same subjects' without; the shift moves each subject's
    threshold by roughly its own amount (the heat encoding is linear in T - threshold)."""
    wide = {**VAR_EXP, "heat_threshold_sd": 2.0}
    shift = subject_parameters(wide)["heat_threshold_shift"]
    on, off = _heat_thresholds(wide), _heat_thresholds({**VAR_EXP, "subject_variability": False})
    assert np.all(np.isfinite(on)) and np.all(np.isfinite(off))
    assert np.std(on) > np.std(off) + 0.5 * np.std(shift), (on, off, shift)
    # the subject with the largest shift (seed 5: +2.3 °C, the others below -1.8 °C) has the highest threshold
    # (possibly censored at the top of VAR_GRID, as the DFNS censors at its cut-off)
    assert np.argmax(on) == np.argmax(shift), (on, shift)


@pytest.mark.parametrize("bad", ["0", "-1.0", "nan", "inf", '"2"', "true"])
def test_qst_file_refuses_a_bad_abnormal_threshold(tmp_path, bad):
    """``abnormal`` (the |z| beyond which a sign counts as abnormal) must be a finite number > 0;
    anything else is refused naming ``experiment.abnormal``."""
    p = tmp_path / "bad.toml"
    p.write_text(TINY.replace("figure = \"qst\"", f"figure = \"qst\"\nabnormal = {bad}"))
    with pytest.raises(ParameterError, match="experiment.abnormal"):
        ps.files.load_experiment(p)


def test_qst_file_abnormal_threshold_reaches_the_profile(qst, tmp_path):
    """A file's ``abnormal`` sets the profile's threshold: the same subjects (same z-scores) with a
    lower threshold count at least as many abnormal subjects for every sign, and the result names
    the threshold it used (the default run names 1.96)."""
    _, default = qst
    p = tmp_path / "low.toml"
    p.write_text(TINY.replace("figure = \"qst\"", "figure = \"qst\"\nabnormal = 0.5"))
    low = ps.run_experiment(ps.files.load_experiment(p))
    assert default["abnormal_fraction"].attrs["abnormal"] == 1.96
    assert low["abnormal_fraction"].attrs["abnormal"] == 0.5
    np.testing.assert_array_equal(low["zscore"].values, default["zscore"].values)
    a, b = low["abnormal_fraction"].values, default["abnormal_fraction"].values
    finite = np.isfinite(a) & np.isfinite(b)
    assert finite.any() and np.all(a[finite] >= b[finite])


def test_ongoing_pain_is_not_counted_as_evoked_pain():
    """The stimulus ratings were the whole-body pain of the test window: a central post-stroke
    subject at 2/10 at rest rated brush 2/10 (allodynia) and had its heat and pinprick thresholds at
    the first level tested, without any evoked pain.  A stimulus is now rated above the subject's
    rest; a subject without ongoing pain keeps its ratings (the negative control)."""
    from painsim.files.qst import QST_TESTS, _per_subject
    c = {"n_subjects": 1, "heat_temperatures": [42.0, 44.0, 46.0], "heat_suprathreshold": 46.0,
         "pinprick_forces": [8.0, 32.0], "threshold_criterion": 0.1}
    ratings = {}
    for model, rest in (("ongoing", 2.0), ("none", 0.0)):
        ratings[(model, 0, "rest", 0.0)] = rest
        ratings[(model, 0, "brush", 0.0)] = rest            # brush adds nothing to the rest
        for t, evoked in zip((42.0, 44.0, 46.0), (0.0, 0.0, 3.0)):
            ratings[(model, 0, "heat", t)] = rest + evoked
        for f, evoked in zip((8.0, 32.0), (0.0, 1.0)):
            ratings[(model, 0, "pinprick", f)] = rest + evoked
    per = _per_subject(c, ["ongoing", "none"], ratings, {("ongoing", 0): 1.0, ("none", 0): 1.0})
    nrs = per["nrs_subject"].isel(subject=0)
    test = list(QST_TESTS)
    assert float(nrs.sel(model="ongoing")[test.index("rest")]) == 2.0
    for k in ("brush", "pinprick", "heat"):     # the same evoked pain with and without ongoing pain
        assert float(nrs.sel(model="ongoing")[test.index(k)]) == pytest.approx(float(nrs.sel(model="none")[test.index(k)]))
    assert float(nrs.sel(model="ongoing")[test.index("brush")]) == 0.0
    for name, lowest in (("heat_pain_threshold", 42.0), ("mechanical_pain_threshold", 8.0)):
        a, b = float(per[name].sel(model="ongoing")[0]), float(per[name].sel(model="none")[0])
        assert a == pytest.approx(b) and a > lowest, (name, a, b)   # not at the first level tested
