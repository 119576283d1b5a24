"""Bad input to the public API of the plasticity rules, the tolerance state, the pain readouts and
scores, the S1 map metrics, the spike-count, deviation and evoked-response analyses, the volley
readout and the SALib indices: each is refused with a painsim error (its class and ``.name``, the
parameter, checked) before any work, where an audit found a bare Python error from deep inside, a
silent NaN or zero, or a refusal after simulations.  Each group has a negative control: valid input
still passes and gives what it gave.  No brian2 network is built."""
import json
import math

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim import plasticity as pl
from painsim import sensitivity, synchrony
from painsim import tolerance as tol
from painsim.analysis import counts, deviation, evoked, pain_maps
from painsim.errors import ParameterError, UnknownKeyError
from painsim.protocols import resolve
from painsim.readouts import maps, pain, scores

NAN = math.nan


@pytest.fixture(scope="module")
def model():
    return ps.load_model("gate_control")


from refusals import refused as _refused  # noqa: E402


# ------------------------------------------------------------------ plasticity: initial_state sizes
RULES = [pl.PairSTDP, pl.TripletSTDP, pl.CalciumRule, pl.BCM, pl.SynapticScaling, pl.TBSCalcium]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
@pytest.mark.parametrize("bad", [-1, 2.7, "3", None, NAN, True])
def test_initial_state_refuses_a_size_that_is_no_whole_number(rule, bad):
    """A neuron count that is negative, fractional (was truncated), text (was parsed), None or NaN
    (bare ValueError/TypeError from int()) or a bool is refused by its name."""
    _refused(lambda: rule().initial_state(1, bad, 1), "n_pre")
    _refused(lambda: rule().initial_state(1, 1, bad), "n_post")
    _refused(lambda: rule().initial_state(bad, 1, 1), "n_synapses")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.__name__)
def test_initial_state_of_whole_sizes_is_unchanged(rule):
    """Negative control: whole sizes (int, numpy int, or a float with a whole value) give the same state."""
    a, b = rule().initial_state(4, 3, 2), rule().initial_state(np.int64(4), 3.0, np.int32(2))
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


# ------------------------------------------------------------------ plasticity: presets
@pytest.mark.parametrize("call, name", [
    (lambda: pl.TripletSTDP.preset("hippocampal_nearest", tau_q="1 ms"), "tau_q"),
    (lambda: pl.CalciumRule.preset("DP", foo=1.0), "foo"),
    (lambda: pl.TBSCalcium.preset("ma2022", gian=0.2), "gian"),
    (lambda: pl.make_rule("triplet_stdp", preset="hippocampal_nearest", A2_plu=0.1), "A2_plu"),
    (lambda: pl.TripletSTDP.preset(["hippocampal_nearest"]), ["hippocampal_nearest"]),
])
def test_preset_refuses_an_unknown_override_or_name(call, name):
    """An override that is not a parameter of the rule (was a bare TypeError from __init__) or a
    preset name that is not text (TypeError: unhashable) is refused as an unknown key."""
    _refused(call, name, UnknownKeyError)


def test_preset_with_a_known_override_applies_it():
    """Negative control: a known override replaces the preset's value, the rest is the preset's."""
    rule = pl.TBSCalcium.preset("ma2022_no_contraction", gain=0.2)
    assert rule.gain == 0.2 and rule.ca_burst == pl.TBSCalcium.PRESETS["ma2022_no_contraction"]["ca_burst"]
    assert pl.make_rule("calcium", preset="DP", rk_step=0.004).rk_step == 0.004


def test_calcium_rule_refuses_a_bool_queue_length():
    """``max_pending=True`` was taken as a queue of one transient."""
    _refused(lambda: pl.CalciumRule(max_pending=True), "max_pending")
    assert pl.CalciumRule(max_pending=np.int64(8)).max_pending == 8      # negative control


# ------------------------------------------------------------------ plasticity: apply
def _apply_args(**bad):
    rule = pl.PairSTDP()
    args = dict(pre_times=[0.1], pre_ids=[0], post_times=[0.11], post_ids=[0], syn_pre=[0], syn_post=[0],
                weights=[0.5], state=rule.initial_state(1, 1, 1), t_start=0.0, t_end=1.0, w_min=0.0, w_max=1.0)
    args.update(bad)
    return rule, args


@pytest.mark.parametrize("bad, name", [
    (dict(pre_times=["a"]), "pre_times"), (dict(post_times=None), "post_times"), (dict(pre_ids=["x"]), "pre_ids"),
    (dict(post_ids="0"), "post_ids"), (dict(weights=["x"]), "weights"), (dict(state=None), "state"),
    (dict(state="abc"), "state"), (dict(t_start=True), "t_start"), (dict(t_end=True), "t_end"),
    (dict(w_min="a"), "w_min"), (dict(w_max=True), "w_max"),
])
@pytest.mark.parametrize("method", ["apply", "apply_reference", "apply_counted"])
def test_apply_refuses_inputs_that_are_not_numbers_or_a_state(bad, name, method):
    """Text spike times, ids or weights (bare ValueError from float conversion), a state that is
    not a dict (bare TypeError) and bool times or bounds (silently 1.0) are refused by name."""
    rule, args = _apply_args(**bad)
    _refused(lambda: getattr(rule, method)(**args), name)


def test_apply_of_valid_inputs_is_unchanged():
    """Negative control: lists and arrays, and a window end with its unit, give the same weights;
    a causal pair potentiates."""
    rule, args = _apply_args()
    w_list, _ = rule.apply(**args)
    arr = {k: (np.asarray(v) if isinstance(v, list) else v) for k, v in args.items()}
    w_arr, _ = rule.apply(**{**arr, "t_end": "1 s"})
    np.testing.assert_array_equal(w_list, w_arr)
    assert w_list[0] > 0.5


def test_plastic_connections_refuses_what_is_not_a_model(model):
    """A model's name gave {} (a substring test on the string: "no plastic connection"); None a bare TypeError."""
    _refused(lambda: pl.plastic_connections("gate_control"), "model")
    _refused(lambda: pl.plastic_connections(None), "model")
    assert isinstance(pl.plastic_connections(model), dict)                 # negative control


@pytest.mark.parametrize("bad, name", [(dict(w0="x"), "w0"), (dict(w0=True), "w0"), (dict(w_min="x"), "w_min"),
                                       (dict(w_max=True), "w_max"), (dict(w_min=NAN), "w_min")])
def test_curves_refuse_bounds_and_start_weights_that_are_not_numbers(bad, name):
    """``w0``/``w_min``/``w_max`` as text (bare ValueError from float()) or a bool (silently 1.0) are refused."""
    _refused(lambda: pl.stdp_window(pl.PairSTDP(), [0.01], **bad), name)
    _refused(lambda: pl.frequency_curve(pl.PairSTDP(), [10.0], n_pulses=3, **bad), name)


def test_curves_of_explicit_default_bounds_are_unchanged():
    """Negative control: the default start weight and bounds given explicitly give the same curve."""
    a = pl.stdp_window(pl.PairSTDP(), [-0.01, 0.01])
    b = pl.stdp_window(pl.PairSTDP(), [-0.01, 0.01], w0=0.0, w_min=-math.inf, w_max=math.inf)
    np.testing.assert_array_equal(a["dw"].values, b["dw"].values)
    assert a["dw"].values[0] < 0 < a["dw"].values[1]


# ------------------------------------------------------------------ tolerance
@pytest.mark.parametrize("fn", [tol.evolve, tol.session_mean], ids=["evolve", "session_mean"])
@pytest.mark.parametrize("args, name", [
    ((NAN, 0.1, 10.0, 1e-3, 1e5), "T"), ((True, 0.1, 10.0, 1e-3, 1e5), "T"), (("x", 0.1, 10.0, 1e-3, 1e5), "T"),
    ((1.5, 0.1, 10.0, 1e-3, 1e5), "T"), ((0.0, NAN, 10.0, 1e-3, 1e5), "x"), ((0.0, -0.1, 10.0, 1e-3, 1e5), "x"),
    (([0.1, 0.2], [0.1, 0.2, 0.3], 10.0, 1e-3, 1e5), "x"), ((0.0, 0.1, "1 s", 1e-3, 1e5), "duration"),
    ((0.0, 0.1, True, 1e-3, 1e5), "duration"), ((0.0, 0.1, NAN, 1e-3, 1e5), "duration"),
    ((0.0, 0.1, 10.0, "x", 1e5), "rate"), ((0.0, 0.1, 10.0, True, 1e5), "rate"), ((0.0, 0.1, 10.0, 1e-3, None), "tau"),
    ((0.0, 0.1, 10.0, 1e-3, 0.0), "tau"),
])
def test_tolerance_state_refuses_bad_arguments_by_name(fn, args, name):
    """A NaN state (was a silent NaN), text or bools (bare TypeError, or silently 1.0), shapes that
    do not broadcast (bare ValueError): each named as itself, not as "T, x"."""
    _refused(lambda: fn(*args), name)


def test_tolerance_state_of_valid_arguments_is_unchanged():
    """Negative control: the closed form, element-wise for arrays, and the exact mean between its ends."""
    k, tau, x, d = 1e-3, 1e5, 0.2, 600.0
    r = k * x + 1 / tau
    assert tol.evolve(0.1, x, d, k, tau) == pytest.approx(k * x / r + (0.1 - k * x / r) * math.exp(-r * d))
    arr = tol.evolve(np.array([0.0, 0.1]), x, d, k, tau)
    assert arr[1] == tol.evolve(0.1, x, d, k, tau)
    assert tol.evolve(0.0, x, d, k, tau) > tol.session_mean(0.0, x, d, k, tau) > 0.0


@pytest.mark.parametrize("args, name", [
    (([1.0], 0.1, None), "calendar"), (([1.0], 0.1, "tens_conventional"), "calendar"), (([1.0], "x"), "x"),
    (([1.0], []), "x"), (([0.0], -0.1), "x"), (([1.0], [0.1, NAN]), "x"), (("x", 0.1), "times_days"),
])
def test_tolerance_at_refuses_bad_arguments_before_any_state(args, name):
    """A calendar that is not a Calendar (bare AttributeError), occupancies that are text (bare
    ValueError), none (an empty result) or negative on day 0 (silently accepted) are refused."""
    cal = resolve("tens_conventional").calendar
    full = (*args, cal)[:3] if len(args) == 2 else args
    _refused(lambda: tol.tolerance_at(*full, 1e-6, 1e5), name)


def test_tolerance_at_of_valid_arguments_grows_over_a_course():
    """Negative control: naive on day 0, growing over the sessions, one row per patient."""
    cal = resolve("tens_conventional").calendar
    T = tol.tolerance_at([0.0, 2.0, 4.0], [0.1, 0.2], cal, 1e-4, 1e6)
    assert T.shape == (2, 3) and np.all(T[:, 0] == 0) and np.all(np.diff(T, axis=1) > 0) and np.all(T[1, 1:] > T[0, 1:])


def test_tolerance_functions_refuse_what_is_not_a_model(model):
    """A model's name was a bare AttributeError ('str' object has no attribute 'si')."""
    _refused(lambda: tol.tolerance_params("gate_control"), "model")
    _refused(lambda: tol.tolerant_model("gate_control", 0.1), "model")
    assert tol.tolerance_params(model)[1] > 0                               # negative control


@pytest.mark.parametrize("models", [[], "gate_control", None])
def test_acute_tens_effect_refuses_no_models_before_simulating(models, monkeypatch):
    """An empty list was a bare IndexError, a name or None a bare TypeError; refused before a run."""
    monkeypatch.setattr(tol, "simulate_batch", lambda *a, **k: pytest.fail("simulated"))
    _refused(lambda: tol.acute_tens_effect(models, "tens_conventional", [1]), "models")


@pytest.mark.parametrize("bad, name", [(dict(test_duration="-1 s"), "test_duration"),
                                       (dict(test_duration="1.5"), "test_duration"), (dict(celsius=80.0), "celsius")])
def test_tolerance_course_refuses_the_acute_test_before_the_occupancy_runs(monkeypatch, bad, name):
    """A bad acute-test window or heat was refused only after the excess-occupancy simulations."""
    model = ps.load_model("healthy")  # a pathway model: a spinal one is refused first, by name
    monkeypatch.setattr(tol, "simulate_batch", lambda *a, **k: pytest.fail("simulated before refusing"))
    monkeypatch.setattr(tol, "excess_occupancy", lambda *a, **k: pytest.fail("simulated before refusing"))
    _refused(lambda: tol.tolerance_course(model, "tens_conventional", [1], [0, 2], **bad), name, error=ParameterError)


# ------------------------------------------------------------------ pain readouts
@pytest.mark.parametrize("args, name", [
    ((10, NAN, 2), "half_rate"), ((10, 20, NAN), "hill"), ((10, "20", 2), "half_rate"), ((10, True, 2), "half_rate"),
    ((10, [20, 30], 2), "half_rate"), ((10, 0, 2), "half_rate"), ((10, 20, -1), "hill"), (("10 Hz", 20, 2), "rate"),
])
def test_pain_score_refuses_bad_map_constants(args, name):
    """NaN constants gave a silent NaN score, text a bare TypeError; each is named on its own."""
    _refused(lambda: pain.pain_score(*args), name)


@pytest.mark.parametrize("args, name", [
    ((45, NAN, 2), "rate_50"), ((45, 20, NAN), "exponent"), ((45, "20", 2), "rate_50"), ((45, 20, 2, 50.0), "base"),
    ((45, 20, 2, True), "base"), (("45", 20, 2), "celsius"),
])
def test_stt_heat_rate_refuses_bad_constants(args, name):
    """NaN constants gave a silent NaN rate, text a bare TypeError."""
    _refused(lambda: pain.stt_heat_rate(*args), name)


def test_pain_map_constants_of_a_model_are_named_by_their_keys(model):
    """A bad ``readout.stt_exponent`` in a model is named by its key, not by stt_heat_rate's argument."""
    _refused(lambda: pain.psychophysics_points(model.with_params({"readout.stt_exponent": -1.0})), "readout.stt_exponent")


def test_pain_readouts_of_valid_arguments_are_unchanged():
    """Negative control: 5 at the half rate, the 50 °C rate at 50 °C, the map through its points."""
    assert pain.pain_score(20.0, 20.0, 2.0) == 5.0 and pain.pain_score(-3.0, 20.0, 2.0) == 0.0
    assert pain.stt_heat_rate(50.0, 20.0, 2.0) == 20.0
    assert pain.nrs_from_rate(10.0, [1.0, 10.0], [1.0, 5.0]) == 5.0
    assert math.isnan(pain.nrs_from_rate(NAN, [1.0, 10.0], [1.0, 5.0]))


@pytest.mark.parametrize("args, name", [
    ((5, [1, NAN], [1, 5]), "rates"), ((5, [1, 10], [1, NAN]), "ratings"), ((5, [1, 10], [1, 5, 7]), "ratings"),
    (("5 Hz", [1, 10], [1, 5]), "rate"), ((5, ["a", "b"], [1, 5]), "rates"), ((5, [1, math.inf], [1, 5]), "rates"),
    ((5, [1], [1]), "rates"),
])
def test_nrs_from_rate_refuses_bad_points(args, name):
    """NaN points gave silent NaN scores, text a bare ValueError; the error names ``rates`` or ``ratings``."""
    _refused(lambda: pain.nrs_from_rate(*args), name)


@pytest.mark.parametrize("call", [lambda: pain.psychophysics_points("gate_control"),
                                  lambda: pain.unpleasantness_points(None),
                                  lambda: maps.map_points("pain_pathway"),
                                  lambda: maps.map_score(np.ones((2, 2)), "pain_pathway")])
def test_map_points_refuse_what_is_not_a_model(call):
    """A model's name or None was a bare AttributeError."""
    _refused(call, "model")


# ------------------------------------------------------------------ scores
@pytest.mark.parametrize("call, name", [
    (lambda: scores.relief([5, 5], [3, 3, 3]), "value"),
    (lambda: scores.combined_pain([5, 5], [0.1, 0.2, 0.3], 0.5), "overactive_fraction"),
    (lambda: scores.responders("0.5", 0.3), "relief_fraction"),
    (lambda: scores.responders(["a"], 0.3), "relief_fraction"),
    (lambda: scores.responders(True, 0.3), "relief_fraction"),
])
def test_scores_refuse_mismatched_or_textual_inputs(call, name):
    """Scores of different lengths (bare broadcast ValueError) and a relief given as text (parsed)
    or as a bool are refused by name."""
    _refused(call, name)


def test_scores_of_valid_inputs_are_unchanged():
    """Negative control: one baseline against several values broadcasts; 30 % relief is a responder."""
    np.testing.assert_allclose(scores.relief(5.0, [5.0, 2.5, 0.0]), [0.0, 50.0, 100.0])
    np.testing.assert_array_equal(scores.responders([0.3, 0.29, NAN], 0.3), [True, False, False])
    assert scores.combined_pain([4.0, 6.0], 0.5, 0.5).tolist() == [4.5, 5.5]


# ------------------------------------------------------------------ S1 map metrics
T3, N3 = np.array([0.1, 0.2, 0.3]), np.array([0, 1, 3])


@pytest.mark.parametrize("args, name", [
    ((T3, N3[:2], 2, 2, 0.0, 1.0), "neurons"), ((T3, np.array([0, -1, 3]), 2, 2, 0.0, 1.0), "neurons"),
    ((T3, np.array([0.0, 0.5, 3.0]), 2, 2, 0.0, 1.0), "neurons"), ((T3, N3, 2, 2, NAN, 1.0), "start"),
    ((T3, N3, 2, 2, 0.0, NAN), "stop"), ((T3, N3, 2.5, 2, 0.0, 1.0), "n_x"), ((T3, N3, 2, True, 0.0, 1.0), "n_y"),
    ((T3, N3, -2, 2, 0.0, 1.0), "n_x"), ((["a"], [0], 2, 2, 0.0, 1.0), "times"), ((T3, N3, 2, 2, "0 s", 1.0), "start"),
])
def test_map_image_refuses_bad_spikes_sheet_or_window(args, name):
    """Mismatched lengths (bare IndexError), negative or fractional units (bare ValueError or
    truncation), a NaN window (a NaN image) and a fractional sheet (bare TypeError) are refused."""
    _refused(lambda: maps.map_image(*args), name)


def test_map_image_of_valid_spikes_counts_them():
    """Negative control: lists as arrays; every spike in the window and on the sheet is counted once."""
    img = maps.map_image(list(T3), list(N3), 2, 2, 0.0, 0.5)
    np.testing.assert_array_equal(img, maps.map_image(T3, N3, 2, 2, 0.0, 0.5))
    assert img.shape == (2, 2) and img.sum() * 0.5 == 3 and img[1, 1] == 2.0


IMG = np.array([[1.0, 3.0], [0.0, 2.0]])


@pytest.mark.parametrize("call, name", [
    (lambda: maps.active_area(IMG, NAN, 1.0), "threshold"), (lambda: maps.active_area(IMG, 0.5, NAN), "spacing"),
    (lambda: maps.active_area(IMG, 0.5, "1"), "spacing"), (lambda: maps.active_area(IMG, "0.5", 1.0), "threshold"),
    (lambda: maps.map_excess_rate(IMG, NAN), "threshold"), (lambda: maps.map_centroid(IMG, NAN, 1.0), "threshold"),
    (lambda: maps.map_centroid(IMG, 0.5, -1.0), "spacing"), (lambda: maps.site_territories(IMG[None], NAN), "threshold"),
    (lambda: maps.site_territories(np.ones((0, 2, 2)), 0.5), "site_maps"),
    (lambda: maps.site_areas(IMG[None], 0.5, NAN), "spacing"), (lambda: maps.active_area([["a"]], 0.5, 1.0), "rates"),
])
def test_map_metrics_refuse_a_nan_threshold_or_bad_spacing(call, name):
    """A NaN threshold counted no unit (area 0, centroid NaN, no territory) or gave NaN, a NaN or
    negative spacing a NaN or mirrored result, no site a bare argmax ValueError: all refused."""
    _refused(call, name)


def test_map_metrics_of_valid_maps_are_unchanged():
    """Negative control: units above the threshold, their excess and the winning site."""
    assert maps.active_area(IMG, 1.5, 2.0) == 8.0
    assert maps.map_excess_rate(IMG, 1.5) == pytest.approx((1.5 + 0.5) / 4)
    assert maps.map_centroid(IMG, 1.5, 1.0) == pytest.approx((1.0, 0.4))
    np.testing.assert_array_equal(maps.site_territories(np.stack([IMG, IMG.T]), 0.5), [[0, 0], [1, 0]])


# ------------------------------------------------------------------ spike counts
def _result(n_pn=4):
    t, i = np.array([0.05, 0.12, 0.31, 0.52, 0.7]), np.array([0, 1, 2, 3, 1])
    return xr.Dataset({"spike_time": ("spike", t), "spike_neuron": ("spike", i),
                       "spike_population": ("spike", np.zeros(t.size, np.int8), {"flag_meanings": "PN"}),
                       "population_size": ("population", [n_pn])}, coords={"population": ["PN"]},
                      attrs={"duration_s": 1.0})


@pytest.mark.parametrize("bad, name", [
    (dict(window=-0.2), "window"), (dict(window=0.0), "window"), (dict(window=NAN), "window"),
    (dict(window=True), "window"), (dict(window="0.2 s"), "window"), (dict(onsets=[NAN]), "onsets"),
    (dict(onsets=["a"]), "onsets"), (dict(site=5, n_sites=2), "site"), (dict(site=-1, n_sites=2), "site"),
    (dict(site=1.5, n_sites=2), "site"), (dict(site="1", n_sites=2), "site"), (dict(site=True, n_sites=2), "site"),
    (dict(site=1, n_sites=0), "n_sites"),
])
def test_spikes_per_pulse_refuses_a_bad_window_or_site(bad, name):
    """A window <= 0 or NaN and a site beyond the population's blocks gave zeros, a fractional site
    was truncated, text a bare TypeError."""
    args = {**dict(onsets=[0.0, 0.5], window=0.2), **bad}
    _refused(lambda: counts.spikes_per_pulse(_result(), **args), name)


@pytest.mark.parametrize("bad, name", [(dict(site=2, n_sites=2), "site"), (dict(site=-1, n_sites=2), "site"),
                                       (dict(site=0.5, n_sites=2), "site"), (dict(site=0, n_sites=0), "n_sites")])
def test_neuron_spike_counts_refuses_a_site_outside_the_population(bad, name):
    """A site beyond the blocks gave zeros, a negative one zeros, a fractional one was truncated."""
    _refused(lambda: counts.neuron_spike_counts(_result(), **bad), name)


def test_spike_counts_of_valid_sites_are_unchanged():
    """Negative control: a site's counts are its block's share of all counts (a float site such as
    1.0, as read from a model, is taken)."""
    r = _result()
    every = counts.neuron_spike_counts(r)
    np.testing.assert_array_equal(counts.neuron_spike_counts(r, site=1.0, n_sites=2), every[2:])
    per = counts.spikes_per_pulse(r, [0.0, 0.5], 0.3, site=1, n_sites=2)
    np.testing.assert_allclose(per * 2, [0, 1])


# ------------------------------------------------------------------ deviation and evoked response
@pytest.mark.parametrize("args, name", [(([1, 2], [1, 2, 3], [0, 0, 0], [3, 3, 3]), "published"),
                                        ((["a"], [1.0], [0.5], [1.5]), "model"),
                                        (([True], [1.0], [0.5], [1.5]), "model"),
                                        (([1.0, 2.0], [1.0, 2.0], [0.5], [1.5, 2.5, 3.0]), "high")])
def test_published_deviation_refuses_mismatched_or_textual_values(args, name):
    """Arrays of different lengths were a bare broadcast ValueError, text a bare ValueError."""
    _refused(lambda: deviation.published_deviation(*args), name)


def test_published_deviation_of_valid_values_is_unchanged():
    """Negative control: inside the range |d| <= 1, a published value of 0 without range gives NaN."""
    d = deviation.published_deviation([1.2, 0.5, 3.0], [1.0, 1.0, 0.0], [0.5, 0.5, NAN], [1.5, 1.5, NAN])
    assert d[0] == pytest.approx(0.4) and d[1] == pytest.approx(-1.0) and math.isnan(d[2])


@pytest.mark.parametrize("args, name", [
    (([0.1], [0.5], 0.0, 10, 1.0), "window"), (([0.1], [0.5], -0.01, 10, 1.0), "window"),
    (([0.1], [0.5], NAN, 10, 1.0), "window"), (([0.1], [0.5], "10 ms", 10, 1.0), "window"),
    (([0.1], [0.5], 0.01, 10, NAN), "duration"), (([0.1], [0.5], 0.01, 10, -1.0), "duration"),
    (([0.1], [0.5], 0.01, 2.5, 1.0), "n_neurons"), (([0.1], [0.5], 0.01, True, 1.0), "n_neurons"),
    ((["a"], [0.5], 0.01, 10, 1.0), "times"), (([0.1], "0.5", 0.01, 10, 1.0), "onsets"),
])
def test_evoked_response_refuses_a_bad_window_or_run(args, name):
    """A window <= 0 gave 0 (or a negative count), NaN a silent NaN, a NaN run length a NaN, text a
    bare error: refused by name."""
    _refused(lambda: evoked.evoked_response(*args), name)


def test_evoked_response_of_valid_spikes_is_unchanged():
    """Negative control: a spike after each pulse and none before reads one per pulse and neuron."""
    assert evoked.evoked_response([0.502, 0.702], [0.5, 0.7], 0.01, 1, 1.0) == 1.0
    assert math.isnan(evoked.evoked_response([0.5], [0.5], 0.01, 0, 1.0))   # no neuron: nan, as documented


# ------------------------------------------------------------------ stored parameters of a result
@pytest.fixture(scope="module")
def stored():
    return xr.Dataset({"parameters": ("condition", [json.dumps({"a": {"b": "40 Hz", "c": 2}})] * 2),
                       "noxious": ("condition", [json.dumps({"0": {"intensity": 1.0}, "1": {"intensity": 0.0}})] * 2)})


@pytest.mark.parametrize("k, path, name, error", [
    (2, "a.b", "k", ParameterError), (-1, "a.b", "k", ParameterError), (0.5, "a.b", "k", ParameterError),
    (True, "a.b", "k", ParameterError), (0, 3, "path", ParameterError), (0, "a", "path", ParameterError),
    (0, "a.b.c", "path", ParameterError), (0, "a.x", "a.x", UnknownKeyError),
])
def test_condition_param_refuses_a_bad_condition_or_path(stored, k, path, name, error):
    """A condition beyond the result was a bare IndexError (a negative one read from the end), a bool
    a JSONDecodeError, a missing path a bare KeyError, a section's path a bare TypeError."""
    _refused(lambda: pain_maps.condition_param(stored, k, path), name, error)


def test_stimulated_site_refuses_a_bad_condition(stored):
    """As condition_param; negative control: the stored values are read."""
    _refused(lambda: pain_maps.stimulated_site(stored, 2), "k")
    _refused(lambda: pain_maps.stimulated_site(stored, -1), "k")
    assert pain_maps.stimulated_site(stored, 1) == 0 and pain_maps.condition_param(stored, 1, "a.b") == 40.0


# ------------------------------------------------------------------ volleys and sensitivity indices
@pytest.mark.parametrize("args, name", [
    (([0.1, NAN], [0, 1], 2, 0.001), "times"), (([0.1, math.inf], [0, 1], 2, 0.001), "times"),
    (([0.1, 0.2], [0, 1.5], 2, 0.001), "neurons"), (([0.1, 0.2], [0, -1], 2, 0.001), "neurons"),
    ((["a"], [0], 2, 0.001), "times"), (([0.1, 0.2], ["a", "b"], 2, 0.001), "neurons"),
])
def test_volley_starts_refuses_bad_spikes(args, name):
    """Non-finite times were silently sorted in, fractional neurons truncated, text a bare ValueError."""
    _refused(lambda: synchrony.volley_starts(*args), name)


def test_volley_starts_of_valid_spikes_is_unchanged():
    """Negative control: whole-number neuron ids stored as floats read as ints."""
    t, i = [0.1, 0.1005, 0.3, 0.3002], [0, 1, 0, 2]
    a = synchrony.volley_starts(t, i, 2, 0.001)
    np.testing.assert_array_equal(a, synchrony.volley_starts(t, np.asarray(i, float), 2, 0.001))
    np.testing.assert_array_equal(a, [0.1, 0.3])
    _refused(lambda: synchrony.paresthesia(["a"], [0], 2, 0.0, 1.0, 0.001, 1.0), "times")


PROBLEM = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}


def _samples():
    X = np.random.default_rng(0).uniform(size=(200, 2))
    return X, X[:, 0] + 0.1 * X[:, 1]


@pytest.mark.parametrize("change, name, error", [
    (dict(method="Sobol"), "Sobol", UnknownKeyError), (dict(method="nope"), "nope", UnknownKeyError),
    (dict(Y="nan"), "Y", ParameterError), (dict(Y="short"), "X", ParameterError),
    (dict(seed=-1), "seed", ParameterError), (dict(method="morris"), "levels", ParameterError),
    (dict(problem={}), "problem", ParameterError), (dict(X="one column"), "X", ParameterError),
])
def test_salib_indices_refuses_an_unknown_method_or_bad_samples(change, name, error):
    """An unknown method silently ran RBD-FAST, a NaN outcome gave NaN indices, mismatched samples,
    a negative seed or a Morris design without levels failed inside SALib: refused before it runs."""
    X, Y = _samples()
    args = dict(method="delta", problem=PROBLEM, X=X, Y=Y, seed=1)
    args.update(change)
    if change.get("Y") == "nan":
        args["Y"] = np.r_[Y[:-1], NAN]
    elif change.get("Y") == "short":
        args["Y"] = Y[:10]
    if change.get("X") == "one column":
        args["X"] = X[:, :1]
    _refused(lambda: sensitivity.salib_indices(**args), name, error)


def test_salib_indices_of_valid_samples_rank_the_inputs():
    """Negative control: the input that drives the outcome ranks first."""
    pytest.importorskip("SALib")
    X, Y = _samples()
    table = sensitivity.salib_indices("rbd_fast", PROBLEM, X, Y, 1)
    assert table.loc["a", "S1"] > table.loc["b", "S1"]
