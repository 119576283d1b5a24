"""Bad input found by a second audit is refused by an error of painsim.errors that names the parameter,
before any work; valid input behaves as before.

Each refusal below used to be a bare Python error (KeyError from ``to_dataset`` without a comparison,
AttributeError from ``Distribution.get("meen")`` or ``sep_window("name")``, TypeError from an unhashable
preset or ``sep_electrode(None)``) or a silent acceptance of nonsense (``PointsRunner(keep="no")``, a
NaN map rate scored 0, a negative neuron count giving NaN, a published value outside its own range,
``CalciumRule(noise=None)`` taken as False).  The expensive step of a cohort (its batches) is replaced
by :class:`WorkStarted`: a refusal must come before it, and each negative control reaches it.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import painsim as ps
from painsim import cohort
from painsim.analysis import deviation, evoked
from painsim.cohort.distributions import get_parameter, has_parameter, resolve_distributions
from painsim.errors import ParameterError, UnknownKeyError
from painsim.plasticity import CalciumRule
from painsim.readouts import maps
from painsim.simulation.runner import PointsRunner
from refusals import WorkStarted, refused

NAN, INF = float("nan"), float("inf")


def _refused(call, error, name):
    """``call()`` raises ``error`` (a painsim error) naming ``name`` and saying what is allowed."""
    return refused(call, name, error, allowed=True)


def _patients(n_good: int = 3, n_bad: int = 5) -> pd.DataFrame:
    """A patient table with a relief column and etiologies (no simulation)."""
    rows = ([{"etiology": "peripheral", "stroke_type": "none", "relief": 0.6}] * n_good
            + [{"etiology": "central", "stroke_type": "ischemic", "relief": 0.1}] * n_bad)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- 1. cohort: to_dataset, from_dataset
@pytest.mark.parametrize("kwargs, name", [
    (dict(stats={}), "stats"), (dict(stats={"comparison": 3}), "stats"), (dict(stats=[1, 2]), "stats"),
    (dict(attrs=["name"]), "attrs"), (dict(attrs="rtms"), "attrs"),
])
def test_to_dataset_refuses_stats_without_a_comparison_and_attrs_that_are_no_mapping(kwargs, name):
    """Statistics without their comparison table (a KeyError) and attrs that are not a mapping (a
    TypeError) are refused by name."""
    _refused(lambda: cohort.to_dataset(_patients(), **kwargs), ParameterError, name)


def test_to_dataset_with_its_own_statistics_and_attrs_round_trips():
    """Negative control: a table's own statistics and a dict of attrs give a Dataset whose patient table
    reads back with every patient and the same relief."""
    table = _patients()
    ds = cohort.to_dataset(table, stats=cohort.statistics(table), attrs={"name": "x"})
    assert ds.attrs["name"] == "x"
    back = cohort.from_dataset(ds)
    assert len(back) == len(table)
    np.testing.assert_array_equal(back["relief"].to_numpy(), table["relief"].to_numpy())


@pytest.mark.parametrize("make", [lambda: _patients(), lambda: xr.Dataset({"x": (("condition",), [1.0])}),
                                  lambda: None])
def test_from_dataset_refuses_what_is_not_a_cohort_dataset(make):
    """A DataFrame (an AttributeError) or a Dataset without a patient dimension (a KeyError) is refused
    naming ``ds``."""
    _refused(lambda: cohort.from_dataset(make()), ParameterError, "ds")


# ---------------------------------------------------------------- 1. cohort: distributions
def test_distribution_get_names_the_nearest_parameter():
    """``get("meen")`` was an AttributeError; now an UnknownKeyError suggesting ``mean``, and a method's
    name (not a parameter) is refused too."""
    err = _refused(lambda: cohort.Beta(0.3, 10).get("meen"), UnknownKeyError, "meen")
    assert err.suggestion == "mean"
    _refused(lambda: cohort.Beta(0.3, 10).get("ppf"), UnknownKeyError, "ppf")


def test_distribution_get_and_has_parameter_of_valid_names_are_unchanged():
    """Negative control: a parameter reads its value; has_parameter still says False (not raising) for a
    misspelt parameter and True for a real one."""
    assert cohort.Beta(0.3, 10).get("mean") == pytest.approx(0.3)
    dists, _ = resolve_distributions(None, None)
    grouped = next(k for k, v in dists.items() if isinstance(v, dict))
    group, dist = next(iter(dists[grouped].items()))
    name = f"{grouped}.{group}.{dist.params[0]}"
    assert has_parameter(dists, name) and get_parameter(dists, name) == dist.get(dist.params[0])
    assert not has_parameter(dists, f"{grouped}.{group}.meen")


@pytest.mark.parametrize("preset", [[], {}, 3, ("default",)])
def test_resolve_distributions_refuses_a_preset_that_is_no_name(preset):
    """An unhashable preset was a TypeError: refused naming ``preset``."""
    _refused(lambda: resolve_distributions(preset, None), ParameterError, "preset")


def test_resolve_distributions_still_names_an_unknown_preset():
    """Negative control: a misspelt preset name is still an UnknownKeyError, and None the default."""
    with pytest.raises(UnknownKeyError):
        resolve_distributions("defualt", None)
    assert resolve_distributions(None, None)[0].keys() == resolve_distributions("default", None)[0].keys()


# ---------------------------------------------------------------- 1. cohort: load_cohort_spec
def _spec(**experiment):
    """A cohort file as a dict, its [experiment] table updated with ``experiment``."""
    return {"experiment": {"kind": "cohort", "name": "c", "preset": "default", "n_patients": 2,
                           "protocol": "rtms_m1_20hz", **experiment}}


@pytest.mark.parametrize("experiment, name", [
    (dict(name=3), "experiment.name"), (dict(name="a/b"), "experiment.name"), (dict(name=""), "experiment.name"),
    (dict(description=5), "experiment.description"), (dict(description=["x"]), "experiment.description"),
    (dict(figure="yes"), "experiment.figure"), (dict(figure=True), "experiment.figure"),
    (dict(figure=["conditions"]), "experiment.figure"),
])
def test_load_cohort_spec_refuses_a_bad_name_description_or_figure(experiment, name):
    """A name that is no file name, a description that is no text and any figure name (a cohort draws its
    own figures, as painsim.files refuses for kind = "cohort") were accepted."""
    _refused(lambda: cohort.load_cohort_spec(_spec(**experiment)), ParameterError, name)


@pytest.mark.parametrize("experiment", [dict(), dict(name="rtms_cohort-2.v1", description="a cohort"),
                                        dict(figure=[])])
def test_load_cohort_spec_accepts_a_valid_name_description_and_no_figure(experiment):
    """Negative control: a plain file name, a text description, and no figure (or an empty list) load."""
    spec = cohort.load_cohort_spec(_spec(**experiment))
    assert spec["experiment"]["kind"] == "cohort"


# ---------------------------------------------------------------- 2. cohort.run: whole floats
@pytest.mark.parametrize("kwargs", [dict(workers=2.0), dict(batch_size=2.0), dict(workers=np.int64(1), batch_size=4)])
def test_cohort_run_takes_whole_float_workers_and_batch_size(no_work, kwargs):
    """``workers=2.0`` and ``batch_size=2.0`` were refused while the course functions take them: they
    now reach the batches."""
    with pytest.raises(WorkStarted):
        cohort.run(cohort.sample(2, seed=1), "rtms_m1_20hz", **kwargs)


@pytest.mark.parametrize("kwargs, name", [
    (dict(workers=1.5), "workers"), (dict(workers=0.0), "workers"), (dict(workers=NAN), "workers"),
    (dict(workers=True), "workers"), (dict(batch_size=2.5), "batch_size"), (dict(batch_size="2"), "batch_size"),
    (dict(batch_size=0), "batch_size"),
])
def test_cohort_run_still_refuses_fractional_workers_and_batch_size(no_work, kwargs, name):
    """Negative control of the change above: a fraction, NaN, zero, a bool or a text is still refused."""
    _refused(lambda: cohort.run(cohort.sample(2, seed=1), "rtms_m1_20hz", **kwargs), ParameterError, name)


# ---------------------------------------------------------------- 3. PointsRunner
@pytest.fixture(scope="module")
def request_():
    """One request on the gate-control model (nothing is simulated here)."""
    return ps.Request(ps.load_model("gate_control"), None, 0.5, seed=1)


@pytest.mark.parametrize("keep", ["no", None, 1])
def test_points_runner_refuses_a_keep_that_is_no_bool(request_, keep):
    """``keep="no"`` was accepted (and counted as true)."""
    _refused(lambda: PointsRunner([request_], 0.05, 1, keep=keep), ParameterError, "keep")


def test_points_runner_refuses_no_request():
    """An empty batch was accepted (a runner that runs nothing)."""
    _refused(lambda: PointsRunner([], 0.05, 1), ParameterError, "requests")


def test_points_runner_and_simulate_batch_of_valid_input(request_):
    """Negative control: one request with keep=False builds a runner of its duration (nothing run), and
    simulate_batch of no request still returns no result."""
    assert PointsRunner([request_], 0.05, 1, keep=False).duration == 0.05
    assert ps.simulate_batch([], "0.05 s") == []


# ---------------------------------------------------------------- 4. sep_window, sep_electrode
@pytest.mark.parametrize("call, name", [
    (lambda: evoked.sep_window("gate_control"), "model"), (lambda: evoked.sep_window(None), "model"),
    (lambda: evoked.sep_electrode(None), "devices"), (lambda: evoked.sep_electrode("skin"), "devices"),
    (lambda: evoked.sep_electrode(["skin"]), "devices[0]"),
])
def test_sep_window_and_electrode_refuse_what_is_no_model_or_devices(call, name):
    """A model's name (an AttributeError) and None or a text as the devices (a TypeError or an
    AttributeError) are refused by name."""
    _refused(call, ParameterError, name)


def test_sep_window_and_electrode_of_valid_input():
    """Negative control: the window of a model is a positive time longer than the relay margin, and the
    one test electrode among devices is found (none without one)."""
    assert evoked.sep_window(ps.load_model("gate_control")) > evoked.RELAY_MARGIN
    test = ps.stimulation.tonic("2 Hz", "200 us", 1.5, "1 s", target="peripheral_nerve")
    assert evoked.sep_electrode([test]) is test
    assert evoked.sep_electrode(()) is None


# ---------------------------------------------------------------- 5. map_score
@pytest.fixture(scope="module")
def pathway():
    """A model with the S1 map readout."""
    return ps.load_model("pain_pathway")


@pytest.mark.parametrize("bad", [-1.0, NAN, INF])
def test_map_score_refuses_a_negative_or_missing_rate(pathway, bad):
    """A negative or NaN rate was scored as a silent unit (0); refused naming ``rates``."""
    image = np.ones((3, 4))
    image[1, 2] = bad
    _refused(lambda: maps.map_score(image, pathway), ParameterError, "rates")


def test_map_score_of_valid_maps(pathway):
    """Negative control: a silent map scores 0 NRS, a hotter map no less than a cooler one.  An empty
    map (no unit) is refused since 2026-12-06: its mean excess rate was NaN and its area 0, a map
    term of "no pain" (tests/test_readout_review.py)."""
    cool, hot = np.zeros((3, 4)), np.full((3, 4), 200.0)
    assert maps.map_score(cool, pathway) == 0.0
    assert 0.0 <= maps.map_score(cool, pathway) <= maps.map_score(hot, pathway) <= 10.0
    with pytest.raises(ParameterError, match="rates"):
        maps.map_score(np.zeros((0, 4)), pathway)


# ---------------------------------------------------------------- 6. evoked_response
@pytest.mark.parametrize("n", [-1, np.int64(-10)])
def test_evoked_response_refuses_a_negative_neuron_count(n):
    """A negative neuron count gave NaN (documented): refused naming ``n_neurons``."""
    _refused(lambda: evoked.evoked_response([0.502], [0.5], 0.01, n, 1.0), ParameterError, "n_neurons")


def test_evoked_response_of_zero_or_more_neurons_is_unchanged():
    """Negative control: no neuron still gives NaN, and two neurons halve one neuron's count."""
    assert math.isnan(evoked.evoked_response([0.502], [0.5], 0.01, 0, 1.0))
    one = evoked.evoked_response([0.502, 0.702], [0.5, 0.7], 0.01, 1, 1.0)
    assert evoked.evoked_response([0.502, 0.702], [0.5, 0.7], 0.01, 2, 1.0) == pytest.approx(one / 2)


# ---------------------------------------------------------------- 7. published_deviation
@pytest.mark.parametrize("args, name", [
    ((1.0, 1.0, 2.0, 0.5), "low"),                                   # low > high
    (([1.0, 1.0], [1.0, 1.0], [0.5, 1.5], [1.5, 1.2]), "low"),        # second range reversed
    ((1.0, 3.0, 0.5, 1.5), "published"),                             # published above its range
    (([1.0, 1.0], [1.0, 0.2], [0.5, 0.5], [1.5, 1.5]), "published"),  # second published below its range
])
def test_published_deviation_refuses_a_reversed_range_or_a_value_outside_it(args, name):
    """A range with low > high, or a published value outside [low, high], gave deviations in negative
    units: refused by name."""
    _refused(lambda: deviation.published_deviation(*args), ParameterError, name)


def test_published_deviation_of_valid_ranges_is_unchanged():
    """Negative control: the range's edges are ±1, a closed range is 0 at its value, and a target with no
    range (NaN) or a missing published value is not checked against a range."""
    d = deviation.published_deviation([0.5, 1.5, 1.0, 2.0, 1.0], [1.0, 1.0, 1.0, 2.0, NAN],
                                      [0.5, 0.5, 1.0, NAN, 0.5], [1.5, 1.5, 1.0, NAN, 1.5])
    assert d[0] == pytest.approx(-1.0) and d[1] == pytest.approx(1.0) and d[2] == 0.0 and d[3] == 0.0
    assert math.isnan(d[4])


# ---------------------------------------------------------------- 8. CalciumRule(noise=...)
@pytest.mark.parametrize("noise", [None, "no", 0, "false"])
def test_calcium_rule_refuses_a_noise_that_is_no_bool(noise):
    """``noise=None`` (or 0, "no") was taken as False, "false" as True: anything but a bool is refused."""
    _refused(lambda: CalciumRule(noise=noise), ParameterError, "noise")


def test_calcium_rule_of_a_bool_noise():
    """Negative control: False (also numpy's) builds the rule, True is still refused as not implemented."""
    assert CalciumRule(noise=False).noise is False
    assert CalciumRule(noise=np.False_).noise is False
    _refused(lambda: CalciumRule(noise=True), ParameterError, "noise")


@pytest.mark.parametrize("bad", [float("nan"), -1.0, float("inf")])
@pytest.mark.parametrize("measure", ["active_area", "map_excess_rate", "map_centroid"])
def test_map_measures_refuse_a_rate_that_is_not_finite_and_non_negative(measure, bad):
    """Every map measure, not only map_score, refuses a NaN, negative or infinite rate by name
    (NaN compared as "not active" and was silently counted as 0)."""
    from painsim.readouts import maps
    rates = np.ones((3, 3))
    rates[1, 1] = bad
    args = {"active_area": (5.0, 1e-3), "map_excess_rate": (5.0,), "map_centroid": (5.0, 1e-3)}[measure]
    with pytest.raises(ParameterError) as info:
        getattr(maps, measure)(rates, *args)
    assert info.value.name == "rates"
    getattr(maps, measure)(np.ones((3, 3)), *args)  # the negative control: a valid map passes


@pytest.mark.parametrize("table", [None, [1, 2], "relief"])
def test_to_dataset_refuses_a_table_that_is_not_a_cohort_table(table):
    """``to_dataset`` of something that is not a DataFrame is refused naming ``table`` (a bare
    AttributeError from ``.columns`` before)."""
    from painsim.cohort import to_dataset
    with pytest.raises(ParameterError) as info:
        to_dataset(table)
    assert info.value.name == "table"


def test_to_dataset_refuses_a_table_without_relief():
    """A DataFrame without the ``relief`` column is refused naming ``table`` (a bare KeyError)."""
    import pandas as pd
    from painsim.cohort import to_dataset
    with pytest.raises(ParameterError) as info:
        to_dataset(pd.DataFrame({"pain": [1.0, 2.0]}))
    assert info.value.name == "table"


@pytest.mark.parametrize("kwargs, name", [(dict(batch_size=0), "batch_size"), (dict(workers=1.5), "workers"),
                                          (dict(workers=True), "workers"), (dict(seeds=[1]), "seeds")])
def test_run_patient_batches_checks_its_arguments_before_any_process(kwargs, name):
    """Batch size, workers and one seed per model are checked before a batch is formed; the task is
    never called."""
    from painsim.cohort.run import run_patient_batches

    def task(*a, **k):  # pragma: no cover - reached only if the check failed
        raise AssertionError("work started")
    args = dict(models=["m1", "m2"], protocol=None, seeds=[1, 2], batch_size=2, workers=1, kw={}, task=task)
    args.update(kwargs)
    with pytest.raises(ParameterError) as info:
        run_patient_batches(**args)
    assert info.value.name == name
