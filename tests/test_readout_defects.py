"""Readouts of combined results: one population's spikes of one condition (with its own size),
the pairing of SCS conditions with their no-stimulation condition, and the threshold named by
the QST profile's ``abnormal_fraction``."""
from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim.analysis import QST_MEASURES, qst_summary, scs_metrics
from painsim.anatomy import FIBER_CLASSES
from painsim.errors import ParameterError
from painsim.readouts import population_spikes


# ------------------------------------------------------------------ population_spikes
@pytest.fixture(scope="module")
def two_layouts():
    """Two points that differ in their population sizes (one body site and three), run on the
    numpy target (nothing compiled), and their result combined over ``condition``."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAINSIM_TARGET", "numpy")
        model = ps.load_model("gate_control")
        three = model.with_params({"body.n_sites": 3})
        results = ps.simulate_batch([ps.Request(model, None, 0.6, 0.0, 1),
                                     ps.Request(three, None, 0.6, 0.6, 1)], "0.2 s")
    return results, ps.io.combine(results, "condition", ["one site", "three sites"])


def _names(ds):
    return ds["spike_population"].attrs["flag_meanings"].split()


def test_sorted_spikes_of_a_condition_lie_within_its_own_population(two_layouts):
    """With a condition and sort=True, each condition's population size is its own (the two
    conditions differ in size), every neuron index lies below it, and the sorted call returns
    the same spikes as the unsorted one, in time order."""
    _, ds = two_layouts
    sizes = ds["population_size"]
    assert np.any(sizes.isel(condition=0).values != sizes.isel(condition=1).values)  # a test that can fail
    assert all(ds["spike_condition"].values.tolist().count(k) > 0 for k in range(2))
    for k in range(ds.sizes["condition"]):
        for pop in _names(ds):
            t, i, n = population_spikes(ds, pop, k, sort=True)
            tu, iu = population_spikes(ds, pop, k)
            assert n == int(sizes.isel(condition=k).sel(population=pop))
            assert t.size == i.size == tu.size
            assert np.all((i >= 0) & (i < n))
            assert np.all(np.diff(t) >= 0)
            assert sorted(zip(t.tolist(), i.tolist())) == sorted(zip(tu.tolist(), iu.tolist()))


def test_a_condition_of_a_combined_result_gives_that_points_spikes(two_layouts):
    """The spikes of condition k of the combined result are those of the k-th single result,
    with the single result's population size."""
    results, ds = two_layouts
    for k, single in enumerate(results):
        for pop in _names(single):
            t, i, n = population_spikes(ds, pop, k, sort=True)
            ts, is_, ns = population_spikes(single, pop, sort=True)
            assert n == ns
            assert np.array_equal(t, ts) and np.array_equal(i, is_)


def test_condition_outside_a_combined_result_is_refused(two_layouts):
    """A condition index that the combined result does not have raises ParameterError naming
    ``condition`` (not an empty selection or another condition's spikes)."""
    _, ds = two_layouts
    for bad in (2, -1, 1.0):
        with pytest.raises(ParameterError, match="condition"):
            population_spikes(ds, "PN", bad, sort=True)


def test_size_without_condition_is_the_shared_one_or_refused(two_layouts):
    """Without a condition, sort=True gives the size the points share; points of different
    sizes raise ParameterError naming ``condition`` instead of an index error."""
    results, ds = two_layouts
    same = ps.io.combine([results[0], results[0]], "condition", ["a", "b"])
    _, i, n = population_spikes(same, "PN", sort=True)
    assert n == int(results[0]["population_size"].sel(population="PN"))
    assert i.size == 2 * population_spikes(results[0], "PN")[1].size
    with pytest.raises(ParameterError, match="condition"):
        population_spikes(ds, "PN", sort=True)


# ------------------------------------------------------------------ scs_metrics pairing
STIMULUS = {"type": "tonic", "rate": "50 Hz", "width": "300 us", "amplitude": "2.5 mA", "duration": "0.5 s"}
DURATION = 0.5  # s


def _scs_dataset(conditions, fired, sizes, seeds=None, model="neuropathic"):
    """An experiment result in the layout scs_metrics reads: ``fired[c][pop]`` lists the neurons
    of ``pop`` that spike once in condition c; ``sizes[c]`` the neurons of each fiber class."""
    pops = list(FIBER_CLASSES) + ["PN"]
    t, i, p, cond = [], [], [], []
    for c, per_pop in enumerate(fired):
        for pop, neurons in per_pop.items():
            for j, n in enumerate(neurons):
                t.append(0.01 + 0.001 * j)
                i.append(n)
                p.append(pops.index(pop))
                cond.append(c)
    n = len(conditions)
    spec = {"experiment": {"name": "pairing", "model": model}, "condition": conditions}
    return xr.Dataset(
        {"population_size": (("condition", "population"), np.array([[sizes[c]] * len(pops) for c in range(n)])),
         "spike_time": (("spike",), np.array(t, float)),
         "spike_neuron": (("spike",), np.array(i, np.int32)),
         "spike_population": (("spike",), np.array(p, np.int8), {"flag_meanings": " ".join(pops)}),
         "spike_condition": (("spike",), np.array(cond, int)),
         "seed": (("condition",), np.array(seeds if seeds is not None else [1] * n)),
         "pn_rate": (("condition",), np.zeros(n)), "pain": (("condition",), np.zeros(n)),
         "gate_index": (("condition",), np.zeros(n))},
        # time bins as a saved result has them (result_duration reads duration_s first)
        coords={"condition": [c["label"] for c in conditions], "population": pops,
                "time": [0.125, 0.375]},
        attrs={"duration_s": DURATION, "experiment_spec": json.dumps(spec)})


def test_scs_condition_pairs_with_the_baseline_of_its_own_natural_stimulus():
    """A heat + SCS condition is compared with the heat condition without SCS, not with the
    resting one listed first: its natural C spikes, the same as that baseline's, are not counted
    as recruited."""
    heat_c = list(range(10))
    conds = [{"label": "rest"}, {"label": "heat", "heat": 45.0},
             {"label": "heat + SCS", "heat": 45.0, "stimulus": STIMULUS}]
    ds = _scs_dataset(conds, [{}, {"C": heat_c}, {"C": heat_c, "Abeta": [0, 1]}], [20] * 3)
    m = scs_metrics(ds)
    assert int(m["baseline"].sel(condition="heat + SCS")) == 1
    assert float(m["recruited"].sel(condition="heat + SCS", fiber_class="C")) == 0.0
    assert float(m["recruited"].sel(condition="heat + SCS", fiber_class="Abeta")) == pytest.approx(2 / 20)
    assert list(m["baseline"].values[:2]) == [-1, -1]  # no device: no baseline


def test_scs_condition_of_another_model_or_seed_is_not_paired():
    """A baseline of another model (here with other population sizes, which broke the
    subtraction) or of another seed is not a stimulated condition's baseline; without a
    matching one the condition is compared with no spikes, as the docstring says, and
    ``baseline`` is -1."""
    conds = [{"label": "no SCS"}, {"label": "healthy: SCS", "model": "healthy", "stimulus": STIMULUS},
             {"label": "healthy: no SCS", "model": "healthy"}, {"label": "SCS, seed 2", "stimulus": STIMULUS}]
    fired = [{"Abeta": [0, 1, 2]}, {"Abeta": [0, 1, 2, 3]}, {"Abeta": [0, 1]}, {"Abeta": [0, 1, 2, 3]}]
    ds = _scs_dataset(conds, fired, [20, 30, 30, 20], seeds=[1, 1, 1, 2])
    m = scs_metrics(ds)
    assert list(m["baseline"].values) == [-1, 2, -1, -1]
    # against its own model's baseline: fibers 2 and 3 fire more
    assert float(m["recruited"].sel(condition="healthy: SCS", fiber_class="Abeta")) == pytest.approx(2 / 30)
    # no baseline with its seed: every fiber that fired counts
    assert float(m["recruited"].sel(condition="SCS, seed 2", fiber_class="Abeta")) == pytest.approx(4 / 20)


def test_scs_pairing_takes_the_default_model_and_zero_drive_as_written_out():
    """A condition naming the experiment's model, or writing out a zero noxious drive, pairs
    with a baseline that leaves them to their defaults."""
    conds = [{"label": "no SCS"},
             {"label": "SCS", "model": "neuropathic", "noxious": 0.0, "stimulus": STIMULUS}]
    ds = _scs_dataset(conds, [{"Abeta": [0]}, {"Abeta": [0, 1]}], [20, 20])
    m = scs_metrics(ds)
    assert list(m["baseline"].values) == [-1, 0]
    assert float(m["recruited"].sel(condition="SCS", fiber_class="Abeta")) == pytest.approx(1 / 20)


# ------------------------------------------------------------------ qst_summary
def _per_subject():
    rng = np.random.default_rng(0)
    data = {name: (("model", "subject"), rng.uniform(1.0, 5.0, (2, 6))) for name, *_ in QST_MEASURES}
    return xr.Dataset(data, coords={"model": ["healthy", "patient"], "subject": np.arange(6)})


@pytest.mark.parametrize("abnormal", [1.0, 2.5, 1.96])
def test_abnormal_fraction_names_the_threshold_it_used(abnormal):
    """The long_name of ``abnormal_fraction`` names the threshold passed (not always 1.96), and
    its ``abnormal`` attribute holds it."""
    ds = qst_summary(_per_subject(), "healthy", abnormal=abnormal)
    attrs = ds["abnormal_fraction"].attrs
    assert f"z > {abnormal:g})" in attrs["long_name"]
    assert attrs["abnormal"] == abnormal
    if abnormal != 1.96:
        assert "1.96" not in attrs["long_name"]
