"""Combined results give each point back whole; readouts of combined results select points only
where they can, and refuse bad input by name.

* ``ps.io.combine`` took the list of ragged variables (spikes, synapse lists) from its first result
  only: points of models with different connections lost the others' synapses (``w_pn_tc`` of the
  ``healthy`` model combined after ``gate_control``) or raised a bare KeyError (the other order).
* It kept a ``readout_start_s`` that differs between the points as a variable but dropped a
  differing ``duration_s`` (and ``dt_s``): ``ps.io.point`` of such a result had no duration
  (``to_neo`` refused it, ``result_duration`` read another point's from the time bins).
* ``population_spikes(result, pop, condition=k)`` of a result combined over another dimension
  (``"dose"``) pooled every point's spikes and accepted any ``k``.
* ``mean_rate``/``site_rates`` raised TypeError/IndexError on lists or mismatched inputs and
  dropped out-of-range neuron indices silently; ``spikes_per_pulse`` broadcast 2-D onsets.
"""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim import readouts
from painsim.analysis import neuron_spike_counts, result_duration, spikes_per_pulse
from painsim.errors import ParameterError
from painsim.fibers import heat
from refusals import refused as refused_by_name

#: The per-point attrs ``combine`` turns into variables; ``point`` leaves them scalar variables.
PER_POINT_VARS = {"seed", "parameters", "stimulus", "noxious", "touch", "label", "model"}
#: The attrs a simulate result is read by (``ps.io.POINT_ATTRS``; spelled out so that the negative
#: controls run on the code before the fix too).
READ_ATTRS = ("duration_s", "dt_s", "readout_start_s")


def refused(call, name: str, *words: str) -> ParameterError:
    """``call`` raises ParameterError naming ``name`` (tests/refusals.refused) and saying each of ``words``."""
    err = refused_by_name(call, name)
    for word in words:
        assert word in str(err), err
    return err


@pytest.fixture(scope="module")
def runs():
    """Results on the numpy target (nothing compiled): ``gate_control`` (dorsal horn only), 0.2 s
    read whole, seeds 1 and 2; ``healthy`` (with thalamus, cortex, ...: more connections) 0.45 s read
    after its 0.3 s transient.  The two models differ in connections, duration and readout start."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAINSIM_TARGET", "numpy")
        gate = ps.load_model("gate_control")
        g1, g2 = (ps.simulate(gate, noxious=0.6, duration="0.2 s", seed=s) for s in (1, 2))
        h = ps.simulate(ps.load_model("healthy"), noxious={2: heat(48)}, duration="0.45 s", seed=1)
    return {"g1": g1, "g2": g2, "h": h}


def _ragged(ds) -> list[str]:
    return [v for v in ds.data_vars if any(str(d).startswith(ps.io.RAGGED_PREFIXES) for d in ds[v].dims)]


def _same_point(point, single) -> None:
    """``point`` (from ``ps.io.point``) holds exactly ``single``'s ragged variables, their values, dtypes
    and attrs (spike populations compared by name: the combined list renumbers their codes)."""
    assert set(_ragged(point)) == set(_ragged(single))
    for v in _ragged(single):
        a, b = point[v], single[v]
        if v == "spike_population":
            names_a = np.array(a.attrs["flag_meanings"].split())
            names_b = np.array(b.attrs["flag_meanings"].split())
            np.testing.assert_array_equal(names_a[a.values], names_b[b.values])
            continue
        assert a.dtype == b.dtype, v
        np.testing.assert_array_equal(a.values, b.values)
        assert {k: a.attrs.get(k) for k in b.attrs} == b.attrs, v  # saving adds labels (long_name)
    for key in READ_ATTRS:
        assert point.attrs[key] == single.attrs[key], key
    for key in PER_POINT_VARS & set(single.attrs):  # its seed, model, ... are attrs again, not variables
        assert key not in point.data_vars and point.attrs[key] == single.attrs[key], key
    # fixed-shape variables of another model stay (NaN: xarray's outer join, as before this fix)
    assert set(point.data_vars) >= set(single.data_vars)


@pytest.mark.parametrize("order", [("g1", "h"), ("h", "g1")])
def test_points_of_different_models_keep_their_own_ragged_variables(runs, order, tmp_path):
    """Combined in either order (and saved/loaded), each point of a gate_control and a healthy
    result gives back its own ragged variables exactly: the healthy point its thalamocortical
    synapses, the gate_control point none it never had (not empty ones)."""
    singles = [runs[k] for k in order]
    assert "w_pn_tc" in runs["h"] and "w_pn_tc" not in runs["g1"]  # the models differ (a test that can fail)
    combined = ps.io.combine(singles, "condition", list(order))
    assert combined["pre_pn_tc"].dtype == runs["h"]["pre_pn_tc"].dtype  # no NaN padding of the lacking point
    for ds in (combined, ps.io.load(ps.io.save(combined, tmp_path / "c.nc"))):
        for k, single in enumerate(singles):
            _same_point(ps.io.point(ds, "condition", k), single)


def test_points_of_one_model_round_trip_as_before(runs):
    """Negative control: points of one model (all variables shared) combine as before: no
    ``points_without`` record, their ``duration_s``/``readout_start_s``/``dt_s`` shared attrs (no
    variables), and each point gives back its result exactly."""
    singles = [runs["g1"], runs["g2"]]
    combined = ps.io.combine(singles, "condition", ["seed 1", "seed 2"])
    assert not [v for v in combined.data_vars if "points_without" in combined[v].attrs]
    for key in READ_ATTRS:
        assert key not in combined.data_vars and combined.attrs[key] == runs["g1"].attrs[key]
    for k, single in enumerate(singles):
        _same_point(ps.io.point(combined, "condition", k), single)


def test_points_of_different_durations_keep_their_own(runs):
    """Points that differ in ``duration_s``/``readout_start_s`` (different runs) or ``dt_s`` keep
    them as variables along the combined dimension (in s, labelled), not as one point's attrs;
    each point gets its own back as attrs, so its duration and Neo export are its own."""
    g, h = runs["g1"], runs["h"]
    assert g.attrs["duration_s"] != h.attrs["duration_s"] and g.attrs["readout_start_s"] != h.attrs["readout_start_s"]
    finer = h.assign_attrs(dt_s=h.attrs["dt_s"] / 2)
    combined = ps.io.combine([g, h, finer], "dose", [0.0, 0.5, 1.0])
    for key in READ_ATTRS:
        assert key not in combined.attrs
        assert combined[key].dims == ("dose",) and combined[key].attrs["units"] == "s"
        np.testing.assert_array_equal(combined[key].values, [r.attrs[key] for r in (g, h, finer)])
    assert combined["readout_start_s"].attrs["long_name"] == "start of the point's readout window"
    blocks = ps.io.to_neo(combined, per="population")
    for k, single in enumerate((g, h, finer)):
        p = ps.io.point(combined, "dose", k)
        assert {key: p.attrs[key] for key in READ_ATTRS} == {key: single.attrs[key] for key in READ_ATTRS}
        assert result_duration(p) == single.attrs["duration_s"]
        train = ps.io.to_neo(p, per="population").segments[0].spiketrains[0]
        assert float(train.t_stop) == float(blocks.segments[k].spiketrains[0].t_stop) == single.attrs["duration_s"]
        assert train.annotations["seed"] == blocks.segments[k].spiketrains[0].annotations["seed"] \
            == single.attrs["seed"]  # the point's own seed (it read -1, none, from a selected point)


def test_condition_does_not_select_a_point_of_another_dimension(runs):
    """A result combined over ``dose`` has no condition: ``condition=k`` (also out of range) is
    refused naming ``condition`` and ``dose`` (it pooled every point's spikes), by
    ``population_spikes`` and ``site_block``; the counts per neuron refuse the result holding
    several points (naming ``result``).  Each point selected with ``ps.io.point`` reads as its
    single result."""
    singles = [runs["g1"], runs["g2"], runs["g1"]]
    dosed = ps.io.combine(singles, "dose", [0.0, 0.5, 1.0])
    for k in (0, 7):
        refused(lambda: readouts.population_spikes(dosed, "PN", condition=k), "condition", "dose", "io.point")
        refused(lambda: readouts.site_block(dosed, "PN", condition=k), "condition", "dose")
    refused(lambda: neuron_spike_counts(dosed), "result", "dose", "io.point")
    refused(lambda: spikes_per_pulse(dosed, [0.0], 0.1), "result", "dose")
    for k, single in enumerate(singles):
        p = ps.io.point(dosed, "dose", k)
        np.testing.assert_array_equal(neuron_spike_counts(p), neuron_spike_counts(single))
        np.testing.assert_array_equal(spikes_per_pulse(p, [0.0, 0.1], 0.1), spikes_per_pulse(single, [0.0, 0.1], 0.1))


def test_condition_of_a_result_combined_over_condition_selects_it(runs):
    """Negative control: over ``condition``, ``condition=k`` gives point k's spikes exactly and an
    index beyond the points is refused naming it; a single result read with condition 0 gives the
    same spikes as without one."""
    singles = [runs["g1"], runs["g2"]]
    combined = ps.io.combine(singles, "condition", ["a", "b"])
    for k, single in enumerate(singles):
        for got, want in zip(readouts.population_spikes(combined, "PN", k, sort=True),
                             readouts.population_spikes(single, "PN", sort=True)):
            np.testing.assert_array_equal(got, want)
    refused(lambda: readouts.population_spikes(combined, "PN", condition=2), "condition", "0 to 1")
    single = runs["g1"]
    for got, want in zip(readouts.population_spikes(single, "PN", 0), readouts.population_spikes(single, "PN")):
        np.testing.assert_array_equal(got, want)


def test_a_point_index_beyond_the_points_is_refused(runs):
    """A single result is condition 0 only (``condition=7`` was ignored); the counts per neuron of
    a result holding several conditions are refused (they added up the conditions' spikes)."""
    refused(lambda: readouts.population_spikes(runs["g1"], "PN", condition=7), "condition", "single result")
    refused(lambda: readouts.site_block(runs["g1"], "PN", condition=1), "condition", "single result")
    combined = ps.io.combine([runs["g1"], runs["g2"]], "condition", ["a", "b"])
    refused(lambda: neuron_spike_counts(combined), "result", "condition")


def test_rates_accept_sequences_and_refuse_bad_spikes_by_name():
    """``mean_rate``/``site_rates`` read lists as arrays (the same rates); mismatched lengths, neuron
    indices outside the sites' neurons or negative, non-whole ones, no sites and non-finite times
    are refused naming the parameter (they raised TypeError/IndexError or were dropped silently)."""
    times, neurons = [0.1, 0.2, 0.3, 0.35], [0, 1, 2, 3]
    assert readouts.mean_rate(times, 2, 0.0, 1.0) == readouts.mean_rate(np.array(times), 2, 0.0, 1.0) == 2.0
    rates = readouts.site_rates(times, neurons, 2, 2, 0.0, 1.0)
    np.testing.assert_array_equal(rates, readouts.site_rates(np.array(times), np.array(neurons), 2, 2, 0.0, 1.0))
    np.testing.assert_array_equal(rates, [1.0, 1.0])  # two spikes on each site's two neurons in 1 s
    refused(lambda: readouts.site_rates(times, neurons[:3], 2, 2, 0.0, 1.0), "neurons", "one per spike")
    refused(lambda: readouts.site_rates(times, [0, 1, 2, 4], 2, 2, 0.0, 1.0), "neurons", "0 to 3")
    refused(lambda: readouts.site_rates(times, [0, -1, 2, 3], 2, 2, 0.0, 1.0), "neurons", "-1")
    refused(lambda: readouts.site_rates(times, [0, 0.5, 2, 3], 2, 2, 0.0, 1.0), "neurons", "whole")
    refused(lambda: readouts.site_rates(times, neurons, 0, 2, 0.0, 1.0), "n_sites", ">= 1")
    refused(lambda: readouts.site_rates("0.1", [0], 1, 1, 0.0, 1.0), "times")
    for bad in ([0.1, np.nan], [[0.1, 0.2]], None):
        refused(lambda: readouts.mean_rate(bad, 1, 0.0, 1.0), "times", "1-D")


def test_spikes_per_pulse_refuses_onsets_that_are_not_1d(runs):
    """Onsets of another shape than a 1-D sequence are refused naming ``onsets`` (a 2-D list raised
    numpy's broadcast ValueError); the same onsets as a flat list are counted."""
    r = runs["g1"]
    refused(lambda: spikes_per_pulse(r, [[0.05, 0.1]], 0.05), "onsets", "1-D")
    refused(lambda: spikes_per_pulse(r, 0.05, 0.05), "onsets", "1-D")
    assert spikes_per_pulse(r, [0.05, 0.1], 0.05).shape == (2,)


def test_a_combination_of_loaded_points_saves_the_sizes_of_populations_a_point_lacks_as_nan(runs, tmp_path):
    """Points loaded from disk carry their file's int64 encoding: combined (the populations one
    point lacks padded with NaN) and saved, the padding was written as -2**63 neurons, which readouts
    then returned as the population's size.  The saved sizes are each point's again, NaN where it
    has no such population.  Negative control: the same combination of points never saved."""
    loaded = [ps.io.load(ps.io.save(runs[k], tmp_path / f"{k}.nc")) for k in ("g1", "h")]
    for source in ([runs["g1"], runs["h"]], loaded):
        combined = ps.io.combine(source, "condition", ["gate", "pathway"])
        back = ps.io.load(ps.io.save(combined, tmp_path / "c.nc"))
        for k, single in enumerate((runs["g1"], runs["h"])):
            sizes = back["population_size"].isel(condition=k).to_series()
            own = single["population_size"].to_series()
            np.testing.assert_array_equal(sizes[own.index].values, own.values)
            assert sizes.drop(own.index).isna().all()  # a population the point lacks: NaN, not -2**63
