"""The pain-map figure, a condition's ``site`` and the labels of the pain-map metrics (bug hunt).

* The pain-map figure failed (``ax.contour``: "Input z must be at least a (2, 2) shaped array") on a
  one-row or one-column S1 sheet, which the model accepts.
* A condition's ``site`` without a natural stimulus (a device alone) was silently ignored.
* Map figures drew every unit 1 mm wide whatever ``cortex.map.spacing``, and the pain-map figure's
  overactive contour counted a rate tied with the threshold that the overactive area does not.
* :func:`painsim.analysis.pain_map_metrics` left six variables without ``units`` or ``long_name``.

Every test builds a small result by hand (no simulation).
"""
from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from matplotlib.contour import ContourSet

import painsim as ps
from painsim.files.conditions import condition_request
from painsim.files.dispatch import check_experiment
from refusals import refused

THRESHOLD = 5.0  # Hz, readout.map_overactive_rate of the hand-made results


def _result(ny: int, nx: int, spacing_mm: float = 1.0, rates=None) -> xr.Dataset:
    """Two conditions of a two-site map model (painful site 0), each stimulating one site: by default
    site 0 drives the right half of an ``ny x nx`` sheet, site 1 the left half, at 20 Hz."""
    params = json.dumps({"readout": {"map_overactive_rate": f"{THRESHOLD} Hz"},
                         "cortex": {"map": {"spacing": f"{spacing_mm} mm"}}, "body": {"painful_site": 0, "n_sites": 2}})
    if rates is None:
        rates = np.zeros((2, ny, nx))
        rates[0, :, nx // 2:] = 20.0
        rates[1, :, :nx // 2] = 20.0
    noxious = [json.dumps({str(s): {"intensity": 0.8 if s == k else 0.0} for s in range(2)}) for k in range(2)]
    return xr.Dataset({"map_rate": (("condition", "map_y", "map_x"), rates), "pain": (("condition",), [3.0, 1.0]),
                       "parameters": (("condition",), [params] * 2), "noxious": (("condition",), noxious)},
                      coords={"condition": [0, 1], "site": [0, 1], "map_x": np.arange(nx) * spacing_mm * 1e-3,
                              "map_y": np.arange(ny) * spacing_mm * 1e-3})


def _contours(fig) -> list:
    """The contour sets of the pain-map figure's first panel (the painful site's response)."""
    return [c for c in fig.axes[0].collections if isinstance(c, ContourSet)]


def _outlined_points(fig) -> int:
    """How many vertices the first panel's contours have (0: nothing outlined)."""
    return sum(len(seg) for c in _contours(fig) for level in c.allsegs for seg in level)


# ------------------------------------------------------------------ 1. a one-row or one-column sheet
@pytest.mark.parametrize("ny, nx", [(1, 6), (4, 1), (1, 1)])
def test_the_pain_map_figure_of_a_one_row_or_one_column_sheet_is_drawn_without_a_contour(ny, nx):
    fig = ps.plots.pain_map_figure(_result(ny, nx))
    assert _contours(fig) == []
    assert fig.axes[0].images[0].get_array().shape == (ny, nx)   # the rest of the figure as usual
    assert "(cyan)" not in fig.axes[0].get_title()
    assert [len(ax.patches) for ax in fig.axes if ax.get_xlabel() == "body site"] == [2]   # the site-area bars
    plt.close(fig)


def test_a_two_by_two_sheet_still_has_its_contour():
    """Negative control: a sheet of 2 x 2 or more outlines the overactive units."""
    fig = ps.plots.pain_map_figure(_result(2, 2))
    assert len(_contours(fig)) == 1 and "(cyan)" in fig.axes[0].get_title()
    plt.close(fig)


# ------------------------------------------------------------------ 2. a condition's site without a natural stimulus
TONIC = {"type": "tonic", "rate": "50 Hz", "width": "300 us", "amplitude": 1.3, "duration": "0.2 s"}


def _conditions(condition: dict) -> dict:
    return {"experiment": {"name": "t", "model": "healthy", "duration": "0.2 s", "seed": 1},
            "condition": [{"label": "a", **condition}]}


@pytest.mark.parametrize("condition", [{"site": 0, "stimulus": dict(TONIC)},
                                       {"site": 0, "stimulus": [dict(TONIC), {**TONIC, "site": 2}]},
                                       {"site": 0}])
def test_a_site_without_a_natural_stimulus_is_refused_at_load(condition):
    err = refused(lambda: check_experiment(_conditions(condition)), "condition[0].site", allowed=True)
    assert err.value == 0 and "noxious" in err.allowed and "touch" in err.allowed, err
    if "stimulus" in condition:   # where a device's site goes
        assert "stimulus" in err.allowed and ".site" in err.allowed, err
    refused(lambda: condition_request({"label": "a", **condition}, 0, ps.load_model("healthy"), 1),
            "condition[0].site")


@pytest.mark.parametrize("condition", [{"site": 0, "noxious": 0.5, "stimulus": dict(TONIC)},
                                       {"site": 0, "brush": True},
                                       {"stimulus": {**TONIC, "site": 0}},
                                       {"site": 1, "heterotopic": {"site": 0, "heat": 52.0}}])
def test_a_site_that_places_a_stimulus_is_accepted(condition):
    """Negative control: a site with a natural stimulus, a test site beside heterotopic stimuli, and a
    device at its stimulus table's site load."""
    check_experiment(_conditions(condition))


def test_every_built_in_conditions_experiment_still_loads():
    """No built-in experiment gives a condition a site without a natural stimulus."""
    from refusals import ROOT
    names = [p.stem for p in sorted((ROOT / "experiments").glob("*.toml"))
             if "[[condition]]" in p.read_text()]
    assert "pain_map" in names
    for name in names:
        ps.files.load_experiment(name)


# ------------------------------------------------------------------ 3. pixel size and the contour's rule
def test_map_pixels_are_one_grid_spacing_wide():
    fig = ps.plots.pain_map_figure(_result(4, 8, spacing_mm=0.5))   # positions 0 .. 3.5 mm, 0 .. 1.5 mm
    assert fig.axes[0].images[0].get_extent() == pytest.approx([-0.25, 3.75, 1.75, -0.25])
    plt.close(fig)
    single = xr.Dataset({"map_rate": (("map_y", "map_x"), np.zeros((4, 8)))},
                        coords={"map_x": np.arange(8) * 0.5e-3, "map_y": np.arange(4) * 0.5e-3})
    fig = ps.plots.map_figure(single)
    assert fig.axes[0].images[0].get_extent() == pytest.approx([-0.25, 3.75, 1.75, -0.25])
    plt.close(fig)


def test_one_mm_pixels_are_unchanged():
    """Negative control: on the 1-mm grid each pixel spans +-0.5 mm, as before."""
    fig = ps.plots.pain_map_figure(_result(4, 8))
    assert fig.axes[0].images[0].get_extent() == pytest.approx([-0.5, 7.5, 3.5, -0.5])
    plt.close(fig)


def test_a_one_unit_maps_pixel_is_its_stored_spacing():
    """A one-unit map has no step between positions: its stored ``cortex.map.spacing`` sizes it; without
    it, nothing does, and the figure says so."""
    single = xr.Dataset({"map_rate": (("map_y", "map_x"), np.zeros((1, 1)))}, coords={"map_x": [0.0], "map_y": [0.0]},
                        attrs={"parameters": json.dumps({"cortex": {"map": {"spacing": "0.5 mm"}}})})
    fig = ps.plots.map_figure(single)
    assert fig.axes[0].images[0].get_extent() == pytest.approx([-0.25, 0.25, 0.25, -0.25])
    plt.close(fig)
    refused(lambda: ps.plots.map_figure(single.assign_attrs(parameters="{}")), "ds", allowed=True)


def _tied(rate: float) -> xr.Dataset:
    """A 3 x 3 sheet where the painful site drives one unit at ``rate`` and nothing else."""
    rates = np.zeros((2, 3, 3))
    rates[0, 1, 1] = rate
    return _result(3, 3, rates=rates)


def test_the_overactive_contour_leaves_out_a_rate_tied_with_the_threshold():
    """A unit within TIE_RTOL above the threshold is not overactive (0 m^2): the contour outlines nothing."""
    ds = _tied(THRESHOLD * (1 + 1e-12))
    assert float(ps.analysis.pain_map_metrics(ds)["painful_overactive_area"][0]) == 0.0
    fig = ps.plots.pain_map_figure(ds)
    assert len(_contours(fig)) == 1 and _outlined_points(fig) == 0
    plt.close(fig)


def test_the_overactive_contour_outlines_a_unit_clearly_above_the_threshold():
    """Negative control: a unit at twice the threshold is overactive (1 mm^2) and outlined."""
    ds = _tied(2 * THRESHOLD)
    assert float(ps.analysis.pain_map_metrics(ds)["painful_overactive_area"][0]) == pytest.approx(1e-6)
    fig = ps.plots.pain_map_figure(ds)
    assert _outlined_points(fig) > 0
    plt.close(fig)


def test_active_units_are_what_active_area_counts():
    image = np.array([[0.0, THRESHOLD], [THRESHOLD * (1 + 1e-12), 2 * THRESHOLD]])
    units = ps.readouts.active_units(image, THRESHOLD)
    np.testing.assert_array_equal(units, [[False, False], [False, True]])
    assert ps.readouts.active_area(image, THRESHOLD, 1e-3) == pytest.approx(np.count_nonzero(units) * 1e-6)
    refused(lambda: ps.readouts.active_units(np.array([1.0, 2.0]), THRESHOLD), "rates")


# ------------------------------------------------------------------ 4. labels of the pain-map metrics
def test_every_pain_map_metric_is_labelled(tmp_path):
    met = ps.analysis.pain_map_metrics(_result(2, 4))
    assert ps.labels.unlabelled(ps.labels.label(met.copy())) == []
    saved = ps.io.load(ps.io.save(met, tmp_path / "m.nc"))
    for name in ("painful_site", "territory", "site_maps", "site_area"):
        assert {"units", "long_name"} <= set(saved[name].attrs), (name, saved[name].attrs)
    # negative control: a variable the vocabulary does not know stays unlabelled
    assert ps.labels.unlabelled(ps.labels.label(met.assign(unknown_thing=met["painful_site"] * 0))) \
        == ["unknown_thing"]
