"""One point of a combined result, read by its spikes.

``ps.io.combine`` stacks the fixed-shape variables of several results along a dimension and
concatenates their spikes with an index (``spike_<dim>``).  Selecting one point with xarray
(``combined.sel(condition="b")``) slices the first but keeps every point's spikes, so a spike
readout of the selection silently added up all points (found by a first-use review:
``neuron_spike_counts`` of one condition gave the three conditions' sum while its ``pn_rate``
was the condition's own).  Such a selection is now refused by name, and ``ps.io.point`` selects a
point with its own spikes.
"""
from __future__ import annotations

import numpy as np
import pytest
from brian2 import second

import painsim as ps
from painsim.errors import ParameterError

from refusals import refused


@pytest.fixture(scope="module")
def points():
    """Three gate_control points that differ in their spikes (no stimulation, 50 Hz Aβ, GABA_A
    blocked), each alone and combined."""
    m = ps.load_model("gate_control")
    scs = ps.stimulation.tonic("50 Hz", "200 us", 1.5, "0.4 s")
    reqs = [ps.Request(m, None, 0.6, seed=1), ps.Request(m, scs, 0.6, seed=1),
            ps.Request(m.with_params({"dorsal_horn.pharmacology.gaba_block": 1.0}), scs, 0.6, seed=1)]
    alone = ps.simulate_batch(reqs, 0.4 * second)
    return alone, ps.io.combine(alone, "condition", ["none", "scs", "blocked"])


def test_the_points_differ(points):
    # otherwise nothing below could tell one point's spikes from another's
    counts = [ps.analysis.neuron_spike_counts(r).sum() for r in points[0]]
    assert len(set(counts)) == 3, counts


def test_io_point_gives_each_point_its_own_spikes(points):
    alone, combined = points
    for k, r in enumerate(alone):
        p = ps.io.point(combined, "condition", k)
        np.testing.assert_array_equal(ps.analysis.neuron_spike_counts(p), ps.analysis.neuron_spike_counts(r))
        assert float(p.pn_rate) == float(r.pn_rate)
        assert "spike_condition" not in p and p["spike_time"].size == r["spike_time"].size


@pytest.mark.parametrize("select", [lambda c: c.sel(condition="scs"), lambda c: c.isel(condition=1)])
def test_a_point_sliced_with_xarray_is_refused_by_its_spike_readouts(points, select):
    sliced = select(points[1])
    for read in (lambda: ps.analysis.neuron_spike_counts(sliced),
                 lambda: ps.readouts.population_spikes(sliced, "PN"),
                 lambda: ps.readouts.population_spikes(sliced, "PN", condition=1)):
        err = refused(read, "result", allowed=True)
        assert "painsim.io.point" in err.allowed
    float(sliced.pn_rate)   # its fixed-shape variables stay readable: they were sliced right


def test_whole_results_are_read_as_before(points):
    """Negative control: a single result, and the combined one with condition=k, are read as they were."""
    alone, combined = points
    t, _ = ps.readouts.population_spikes(combined, "PN", condition=2)
    assert t.size == ps.readouts.population_spikes(alone[2], "PN")[0].size > 0
    ps.io.check_whole(alone[0])
    ps.io.check_whole(combined)


def test_io_point_refuses_what_it_cannot_select(points):
    combined = points[1]
    refused(lambda: ps.io.point(combined, "batch", 0), "dim")
    refused(lambda: ps.io.point(combined, "condition", 3), "k")
    refused(lambda: ps.io.point(combined, "condition", True), "k")
    refused(lambda: ps.io.point(points[0][0], "condition", 0), "dim")
    with pytest.raises(ParameterError):
        ps.io.point(combined, "condition", -1)
