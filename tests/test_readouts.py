"""Readouts on hand-made inputs with known answers."""
import numpy as np
import pytest

from painsim import readouts
from painsim.errors import ParameterError
from painsim.params import CHOICES


def test_binned_rate_known_answer():
    # 2 neurons, 10 spikes each spread over 1 s -> 10 Hz in every 0.5 s bin
    times = np.concatenate([np.linspace(0.01, 0.99, 10)] * 2)
    centres, rates = readouts.binned_rate(times, 2, 1.0, 0.5)
    assert np.allclose(centres, [0.25, 0.75])
    assert np.allclose(rates, 10.0)


def test_pain_score_is_monotone_bounded_and_half_at_r50():
    r = np.linspace(0, 500, 200)
    s = readouts.pain_score(r, 40.0, 2.0)
    assert s[0] == 0 and np.all(np.diff(s) > 0) and s[-1] < 10
    assert readouts.pain_score(40.0, 40.0, 2.0) == pytest.approx(5.0)
    with pytest.raises(ParameterError):
        readouts.pain_score(1.0, 0.0, 2.0)


def test_gate_index_extremes():
    assert readouts.gate_index(0.0, 1.0) == 0.0
    assert readouts.gate_index(1.0, 0.0) == 1.0
    assert readouts.gate_index(1.0, 1.0) == 0.5
    assert readouts.gate_index(0.0, 0.0) == 0.0


def test_relief():
    assert readouts.relief(8.0, 4.0) == pytest.approx(50.0)
    assert readouts.relief(8.0, 10.0) == pytest.approx(-25.0)


def test_responders_take_fractions_and_refuse_a_percent():
    """relief is a percent and responders takes fractions: a 1 % relief is not a 30 % responder, and a
    percent passed as it is (a course dataset's relief, units "%") is refused, never counted."""
    import xarray as xr
    one_percent, forty = readouts.relief(5.0, 4.95), readouts.relief(5.0, 3.0)   # 1 %, 40 %
    assert not readouts.responders(one_percent / 100, 0.3) and readouts.responders(forty / 100, 0.3)
    course_relief = xr.DataArray([one_percent, forty, 30.0], attrs={"units": "%"})
    assert readouts.responders(course_relief / 100, 0.3).tolist() == [False, True, True]
    assert readouts.responders([-0.2, 1.0], 0.5).tolist() == [False, True]       # worse, and all pain gone
    with pytest.raises(ParameterError, match="relief_fraction"):
        readouts.responders(course_relief, 0.3)
    for bad in (30, 0.0, -0.3, True, "0.3"):
        with pytest.raises(ParameterError, match="threshold"):
            readouts.responders(0.5, bad)


def test_nrs_from_rate_is_piecewise_linear_through_its_points_and_bounded():
    rates, ratings = [10.0, 25.0, 35.0], [0.0, 3.5, 5.5]
    r = np.linspace(0, 200, 401)
    s = readouts.nrs_from_rate(r, rates, ratings)
    assert s[0] == 0 and np.all(np.diff(s) >= 0) and s.max() == 10.0
    assert np.allclose(readouts.nrs_from_rate(rates, rates, ratings), ratings)
    assert readouts.nrs_from_rate(5.0, rates, ratings) == 0.0              # below the first point: painless
    assert readouts.nrs_from_rate(30.0, rates, ratings) == pytest.approx(4.5)  # linear between points
    with pytest.raises(ParameterError):                                     # negative control: not a scale
        readouts.nrs_from_rate(1.0, [10.0, 10.0], [0.0, 5.0])


def test_stt_heat_rate_is_the_power_law():
    assert readouts.stt_heat_rate(50.0, 40.0, 2.1) == pytest.approx(40.0)
    assert readouts.stt_heat_rate(35.0, 40.0, 2.1) == 0.0
    assert readouts.stt_heat_rate(42.5, 40.0, 2.1) == pytest.approx(40.0 * 0.5 ** 2.1)


class _MapModel:
    """The keys map_score reads, as a Model answers them."""

    def __init__(self, measure, **si):
        self.measure = measure
        self.values = {"readout.map_overactive_rate": 15.0, "cortex.map.spacing": 1e-3,
                       "readout.map_pain_area": 36e-6, "readout.heat_rating_1_celsius": 43.0,
                       "readout.heat_rating_1": 0.0, "readout.heat_rating_2_celsius": 47.0,
                       "readout.heat_rating_2": 3.5, "readout.stt_rate_50c": 40.0, "readout.stt_exponent": 2.1,
                       "readout.stt_base_celsius": 35.0, "readout.map_excess_rate_1": 1.0,
                       "readout.map_excess_rate_2": 4.0, **si}

    def text(self, path):
        assert path == "readout.map_measure"
        return self.measure

    def si(self, path):
        return self.values[path]

    def __contains__(self, path):
        return path in self.values


def test_map_excess_rate_grows_with_rate_where_the_overactive_area_has_stopped_growing():
    """A territory of 18 units already above threshold: doubling their rate leaves the
    overactive area (and the "area" term) as it is, while the excess rate and its term rise;
    units at or below threshold add nothing (the negative control)."""
    img = np.zeros((10, 12))
    img[:3, :6] = 30.0
    hot = np.where(img > 0, 60.0, 0.0)
    assert readouts.active_area(hot, 15.0, 1e-3) == readouts.active_area(img, 15.0, 1e-3) == pytest.approx(18e-6)
    assert readouts.map_excess_rate(img, 15.0) == pytest.approx(18 * 15.0 / 120)
    assert readouts.map_excess_rate(hot, 15.0) == pytest.approx(18 * 45.0 / 120)
    assert readouts.map_excess_rate(np.full((10, 12), 15.0), 15.0) == 0.0
    area, excess = _MapModel("area"), _MapModel("excess_rate")
    assert readouts.map_score(hot, area) == readouts.map_score(img, area) == pytest.approx(5.0)
    assert readouts.map_score(hot, excess) > readouts.map_score(img, excess) > 0
    assert readouts.map_score(np.zeros((10, 12)), excess) == 0.0


def test_map_score_rates_the_anchors_as_their_temperatures_and_refuses_what_it_cannot_rate():
    m = _MapModel("excess_rate")
    for k, rating in ((1, 0.0), (2, 3.5)):
        img = np.full((10, 10), 15.0 + m.si(f"readout.map_excess_rate_{k}"))
        assert readouts.map_score(img, m) == pytest.approx(rating)
    without_second = _MapModel("excess_rate")
    del without_second.values["readout.map_excess_rate_2"]
    with pytest.raises(ParameterError, match="map_excess_rate_2"):
        readouts.map_score(np.zeros((2, 2)), without_second)
    with pytest.raises(ParameterError, match="map_measure"):
        readouts.map_score(np.zeros((2, 2)), _MapModel("volume"))
    # the model files accept exactly the measures map_score knows
    assert CHOICES["map_measure"] == readouts.MAP_MEASURES
