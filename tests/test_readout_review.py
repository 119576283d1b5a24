"""Edge cases of the readouts and the QST analysis found in review: a QST reference without a finite
value, the QST helpers' input checks, a readout window shorter than its minimum, a rate exactly at
the S1 overactivity threshold, non-finite windows of the rate readouts, an empty S1 map and the
limits of the pain scores.  Each refusal has a negative control; finite, normal inputs must keep
their results."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
from refusals import refused

import painsim as ps
from painsim import readouts
from painsim.analysis.qst import QST_MEASURES, dfns_mps, dfns_zscores, first_crossing, qst_summary
from painsim.errors import ParameterError, UnknownKeyError
from painsim.readouts.maps import TIE_RTOL
from painsim.readouts.rates import MIN_READOUT_WINDOW


@pytest.fixture(scope="module")
def healthy():
    return ps.load_model("healthy")


# ------------------------------------------------------------------ QST
def _per_subject(windup_reference):
    """Two models x 3 subjects, every measure finite except the reference's wind-up ratios."""
    data = {name: (("model", "subject"), np.full((2, 3), 45.0 if name == "heat_pain_threshold" else 1.0))
            for name, *_ in QST_MEASURES}
    data["windup_ratio"] = (("model", "subject"), np.array([windup_reference, [9.0, 12.0, 15.0]]))
    return xr.Dataset(data, coords={"model": ["healthy", "patient"], "subject": np.arange(3)})


def test_abnormal_fraction_is_nan_without_a_reference_value():
    s = qst_summary(_per_subject([np.nan] * 3), "healthy")
    frac = s["abnormal_fraction"].sel(measure="windup_ratio").values
    assert np.isnan(frac).all()                           # no z-score at all: not "none abnormal"
    others = s["abnormal_fraction"].drop_sel(measure="windup_ratio").values
    assert np.isfinite(others).all()                      # control: the other measures are scored


def test_a_missing_reference_subject_still_counts_as_documented():
    # control: one subject without a value in a reference that has finite ones: scored, the fraction finite
    s = qst_summary(_per_subject([np.nan, 1.0, 1.2]), "healthy")
    frac = s["abnormal_fraction"].sel(measure="windup_ratio")
    assert np.isfinite(frac.values).all()
    assert float(frac.sel(model="patient")) > 0


def test_first_crossing_refuses_what_it_cannot_interpolate():
    refused(lambda: first_crossing([42, 40, 38], [0, 0.5, 1], 0.1), "levels", allowed=True)
    refused(lambda: first_crossing([0, 8, 16], [0, 0, 1], 0.1, log=True), "levels", allowed=True)
    refused(lambda: first_crossing([38, 40, 42], [0, 0, 1, 2], 0.1), "ratings", allowed=True)
    refused(lambda: first_crossing([38, 40, 42], [0, np.nan, 1], 0.1), "ratings")
    refused(lambda: first_crossing([38, 40, 42], [0, 0.5, 1], np.nan), "criterion")
    refused(lambda: first_crossing([38, 40, 42], [0, 0.5, 1], 0.1, log="false"), "log")
    # controls: ascending levels (> 0 with log) interpolate between the two levels around the criterion
    assert 38 < first_crossing([38, 40, 42], [0, 0.5, 1], 0.1) < 40
    assert 8 < first_crossing([8, 16, 32], [0, 0, 1], 0.1, log=True) < 32
    assert np.isnan(first_crossing([38, 40], [0, 0], 0.1))


def test_dfns_mps_refuses_negative_ratings():
    refused(lambda: dfns_mps([-1, 2, 3]), "ratings", allowed=True)
    refused(lambda: dfns_mps([]), "ratings")
    assert dfns_mps([0, 0, 0]) == pytest.approx(0.0)     # control: zeros count, as the DFNS adds 0.1
    assert 0 < dfns_mps([1, 2, 3]) < 3


def test_dfns_zscores_refuses_a_sign_that_is_not_plus_or_minus_one():
    for sign in (0, 2, True):
        refused(lambda: dfns_zscores([10.0], [1, 2, 3], sign, True, 0.1), "sign", allowed=True)
    refused(lambda: dfns_zscores([10.0], [1, 2, 3], 1, True, 0.0), "sd_floor")
    gain = dfns_zscores([10.0], [1, 2, 3], 1, True, 0.1)   # control: higher rating = gain = positive
    assert gain[0] > 0
    assert dfns_zscores([10.0], [1, 2, 3], -1, True, 0.1)[0] == pytest.approx(-gain[0])


def test_qst_summary_refuses_with_painsim_errors():
    per = _per_subject([1.0, 1.1, 1.2])
    e = refused(lambda: qst_summary(per.drop_vars("brush"), "healthy"), "brush", UnknownKeyError)
    assert not isinstance(e, KeyError)
    refused(lambda: qst_summary(per, "nobody"), "nobody", UnknownKeyError)
    refused(lambda: qst_summary(per.transpose("subject", "model"), "healthy"), "per_subject.rest")
    refused(lambda: qst_summary(per, "healthy", abnormal=np.nan), "abnormal")
    refused(lambda: qst_summary(per, "healthy", sd_floor=0.0), "sd_floor")
    assert set(qst_summary(per, "healthy").model.values) == {"healthy", "patient"}   # control


# ------------------------------------------------------------------ readout window
def test_a_window_shorter_than_the_minimum_after_the_transient_warns(healthy):
    t0 = healthy.si("readout.transient")
    with pytest.warns(UserWarning, match="readout.transient"):
        start = readouts.readout_start(healthy, t0 + 1e-4)
    assert start == t0                                     # the window itself is unchanged
    # controls: runs not longer than the transient, or longer by at least the minimum, as before
    for duration, expected in ((t0, 0.0), (t0 / 2, 0.0), (0.4, t0), (t0 + MIN_READOUT_WINDOW, t0), (1.3, t0)):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert readouts.readout_start(healthy, duration) == expected


# ------------------------------------------------------------------ ties with the overactivity threshold
@pytest.mark.parametrize("duration", [0.5, 0.7, 1.3, 2.3, 3.3])
def test_a_unit_exactly_at_the_threshold_never_counts(duration):
    """n spikes in a window of n / 15 s are exactly 15 Hz: strictly above it or not, whatever the
    rounding of duration - 0.3 (0.7 and 2.3 s rounded to 15.000000000000002 Hz and counted)."""
    t0, thr = 0.3, 15.0
    n = int(round(thr * (duration - t0)))
    img = readouts.map_image(np.full(n, 0.35), np.zeros(n, int), 1, 1, t0, duration)
    assert readouts.active_area(img, thr, 1.0) == 0.0
    assert np.isnan(readouts.map_centroid(img, thr, 1.0)[0])
    assert readouts.site_territories(img[None], thr)[0, 0] == -1
    # control: one spike more is above the threshold, counted by all three
    img = readouts.map_image(np.full(n + 1, 0.35), np.zeros(n + 1, int), 1, 1, t0, duration)
    assert readouts.active_area(img, thr, 1.0) == 1.0
    assert readouts.map_centroid(img, thr, 1.0) == (0.0, 0.0)
    assert readouts.site_territories(img[None], thr)[0, 0] == 0


def test_the_tie_tolerance_is_relative_and_tiny():
    thr = 15.0
    assert readouts.active_area(np.array([[thr * (1 + 10 * TIE_RTOL)]]), thr, 1.0) == 1.0
    assert readouts.active_area(np.array([[np.nextafter(0.0, 1.0)]]), 0.0, 1.0) == 1.0   # threshold 0: > 0


# ------------------------------------------------------------------ rate readouts
def test_mean_rate_refuses_a_window_that_is_not_finite():
    times = np.array([0.5])
    refused(lambda: readouts.mean_rate(times, 10, 0.0, np.nan), "stop")
    refused(lambda: readouts.mean_rate(times, 10, 0.0, np.inf), "stop")
    refused(lambda: readouts.mean_rate(times, 10, np.nan, 1.0), "start")
    refused(lambda: readouts.mean_rate(times, 10, -np.inf, 1.0), "start")
    assert readouts.mean_rate(times, 10, 0.0, 1.0) == 1 / 10                # control
    assert readouts.mean_rate(times, 10, np.float64(0.0), np.float64(2.0)) == 1 / 20


def test_binned_rate_refuses_what_mean_rate_refuses():
    one = np.array([0.005])
    for duration in (0.0, -1.0, np.nan, np.inf):
        refused(lambda: readouts.binned_rate(one, 10, duration, 0.01), "duration")
    for bin_ in (np.nan, np.inf, 0.0):
        refused(lambda: readouts.binned_rate(one, 10, 1.0, bin_), "bin")
    refused(lambda: readouts.binned_rate(one, 0, 0.02, 0.01), "n_neurons")     # 0 neurons, 1 spike
    refused(lambda: readouts.binned_rate(one, -1, 0.02, 0.01), "n_neurons")
    # controls: 0 neurons without spikes in the run read 0 Hz; a normal call as before
    assert not readouts.binned_rate(np.array([0.05]), 0, 0.02, 0.01)[1].any()
    centres, rates = readouts.binned_rate(np.array([0.005, 0.015, 0.016]), 2, 0.02, 0.01)
    assert np.array_equal(rates, np.array([1, 2]) / (2 * 0.01))


# ------------------------------------------------------------------ empty map
def test_an_empty_map_is_refused_where_the_map_term_is_scored(healthy):
    empty = np.zeros((0, 15))
    refused(lambda: readouts.map_excess_rate(empty, 15.0), "rates", allowed=True)
    refused(lambda: readouts.map_score(empty, healthy), "rates", allowed=True)
    excess = healthy.with_params({"readout.map_measure": "excess_rate"})
    refused(lambda: readouts.map_score(empty, excess), "rates")
    # controls: a map of one unit is scored; an empty map has no active area
    assert readouts.map_score(np.zeros((1, 1)), healthy) == 0.0
    assert readouts.map_excess_rate(np.zeros((1, 1)), 15.0) == 0.0
    assert readouts.active_area(empty, 15.0, 1.0) == 0.0


# ------------------------------------------------------------------ pain score limits
def test_pain_score_gives_its_limits_where_the_powers_overflow():
    assert readouts.pain_score(np.inf, 40, 2) == 10.0
    assert readouts.pain_score(1e3, 40, 120) == 10.0
    assert readouts.pain_score(1.0, 40, 400) == 0.0
    assert readouts.pain_score(0.0, 1e-200, 2) == 0.0
    assert readouts.pain_score(1e-200, 1e-200, 2) == 5.0
    assert np.isnan(readouts.pain_score(np.nan, 40, 2))                    # control: NaN stays NaN
    r = np.array([0.0, 1.0, 20.0, 40.0, 77.7, 500.0])
    with np.errstate(all="raise"):   # control: finite results are the formula's, bit for bit
        expected = 10.0 * r ** 2.5 / (r ** 2.5 + 40.0 ** 2.5)
    assert np.array_equal(readouts.pain_score(r, 40, 2.5), expected)


def test_nrs_from_rate_of_an_infinite_rate_is_its_limit():
    assert readouts.nrs_from_rate(np.inf, [10, 20], [5, 5]) == 5.0       # flat last segment
    assert readouts.nrs_from_rate(np.inf, [10, 20], [2, 5]) == 10.0
    assert np.isnan(readouts.nrs_from_rate(np.nan, [10, 20], [2, 5]))      # control
    r = np.array([0.0, 5.0, 15.0, 20.0, 25.0, 1e3])
    slope = (5 - 2) / (20 - 10)
    expected = np.clip(np.where(r <= 20, np.interp(r, [0, 10, 20], [0, 2, 5]), 5 + slope * (r - 20)), 0, 10)
    assert np.array_equal(readouts.nrs_from_rate(r, [10, 20], [2, 5]), expected)


def test_an_empty_s1_sheet_is_refused_at_load():
    """A model with no S1 unit simulated and then failed at the readout (or scored its map term 0);
    the sheet's size is now checked when the model loads.  Negative control: a 1 x 1 sheet loads."""
    pathway = ps.load_model("pain_pathway")
    for key in ("cortex.populations.n_map_x", "cortex.populations.n_map_y"):
        with pytest.raises(ParameterError, match=key.replace(".", r"\.")):
            pathway.with_params({key: 0})
        assert pathway.with_params({key: 1}).si(key) == 1
