"""Readouts as a neuroscientist checks them (a review, 2026-12-06): rate bins are half-open like
every other counting window, a result's length read from its bins is its length, a NaN map is
refused instead of erasing a territory, and the PSTH's edge at the pulse is exactly 0."""
import numpy as np
import pytest
import xarray as xr

from painsim import readouts
from painsim.analysis import PSTH_EDGES, result_duration
from painsim.errors import ParameterError


def test_a_spike_at_the_end_of_the_run_is_outside_it():
    """Was: np.histogram closes its last bin, so a spike at t == duration counted (rate 2 Hz in a
    0.5 s bin that holds no spike of [0, 1))."""
    _, rates = readouts.binned_rate(np.array([1.0]), 1, 1.0, 0.5)
    assert list(rates) == [0.0, 0.0]
    _, rates = readouts.binned_rate(np.array([0.999]), 1, 1.0, 0.5)  # the control: inside the run
    assert list(rates) == [0.0, 2.0]


@pytest.mark.parametrize("duration, bin", [(1.0, 0.1), (2.0, 0.25), (1.5, 0.5)])
def test_the_duration_read_from_rate_bins_is_the_run_length(duration, bin):
    """Was: the last bin's centre plus a whole bin (1.05 s for a 1 s run in 0.1 s bins)."""
    centres, rates = readouts.binned_rate(np.array([0.05]), 1, duration, bin)
    ds = xr.Dataset({"rate": ("time", rates)}, coords={"time": centres})
    assert result_duration(ds) == pytest.approx(duration)
    assert result_duration(ds.assign_attrs(duration_s=duration / 2)) == duration / 2  # the attribute first


def test_a_nan_site_map_is_refused_not_given_the_territory():
    """Was: argmax picked the NaN map's site, and a site at 50 Hz lost its territory (labels -1)."""
    maps = np.zeros((2, 1, 1))
    maps[1, 0, 0] = 50.0
    assert readouts.site_territories(maps, 10.0).tolist() == [[1]]  # the control
    maps[0, 0, 0] = np.nan
    with pytest.raises(ParameterError, match="site_maps"):
        readouts.site_territories(maps, 10.0)
    with pytest.raises(ParameterError, match="site_maps"):
        readouts.site_areas(maps, 10.0, 1e-3)


def test_the_psth_edge_at_the_pulse_is_exactly_zero():
    assert 0.0 in PSTH_EDGES.tolist()
    assert np.digitize([0.0], PSTH_EDGES)[0] - 1 == PSTH_EDGES.tolist().index(0.0)  # lag 0 in the bin after 0
    assert PSTH_EDGES[0] == pytest.approx(-0.020) and PSTH_EDGES[-1] == pytest.approx(0.040)
