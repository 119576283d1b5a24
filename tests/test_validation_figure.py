"""The validation figure: every target placed by its deviation from the published figure.

``painsim.analysis.published_deviation`` puts a target inside the grey band (|d| <= 1) exactly
when the table says "yes"; the figure draws each target once, in the panel of its kind, at that
deviation (clipped at the axis edge), and leaves out targets with no published figure.
"""
import numpy as np
import pytest

from painsim import validation
from painsim.analysis import published_deviation
from painsim.plots import validation_figure
from painsim.plots.validation import DEVIATION_LIMIT
from painsim.validation.run import _dataset


def _target(name, published, low, high, status="prediction"):
    return validation.Target(name, "w", published, low, high, "1", "someone 2000", status, "fast", lambda s: 0.0,
                             "n" if status == "calibrated" else "")


def test_inside_the_band_exactly_when_the_verdict_is_yes():
    rng = np.random.default_rng(0)
    for low, published, high in [(0.2, 0.3, 0.4), (0.1, 0.3, 1.2), (-0.44, -0.34, -0.29), (0.9, 1.0, 1.0)]:
        t = _target("x", published, low, high)
        values = np.concatenate([rng.uniform(low - 1, high + 1, 500), [low, published, high]])
        d = published_deviation(values, np.full_like(values, published), np.full_like(values, low),
                                np.full_like(values, high))
        assert np.array_equal(np.abs(d) <= 1, [t.verdict(v) == "yes" for v in values])
    # the range's edges are ±1, the published value 0; a closed side is 0 at the value and infinite beyond
    assert list(published_deviation([0.2, 0.3, 0.4], [0.3] * 3, [0.2] * 3, [0.4] * 3)) == [-1.0, 0.0, 1.0]
    assert list(published_deviation([1.0, 0.9, 1.1], [1.0] * 3, [0.9] * 3, [1.0] * 3)) == [0.0, -1.0, np.inf]


def test_without_a_range_the_relative_difference():
    d = published_deviation([0.5, 2.0, 1.0, np.nan, 1.0], [1.0, 1.0, 0.0, 1.0, np.nan], [np.nan] * 5, [np.nan] * 5)
    assert d[0] == -0.5 and d[1] == 1.0
    assert np.all(np.isnan(d[2:]))  # published 0 (no scale), model or published NaN


def test_each_target_is_drawn_once_at_its_deviation():
    targets = [_target("ranged_yes", 0.3, 0.2, 0.4), _target("ranged_far", 0.3, 0.2, 0.4, "calibrated"),
               _target("point", 2.0, None, None), _target("direction_only", float("nan"), None, None)]
    values = np.array([0.35, 5.0, 1.0, 0.1])
    ds = _dataset(targets, values, np.zeros(4), seed=1)
    fig = validation_figure(ds)
    ranged_ax, point_ax = fig.axes
    assert [t.get_text() for t in ranged_ax.get_yticklabels()] == ["ranged_yes", "ranged_far"]
    assert [t.get_text() for t in point_ax.get_yticklabels()] == ["point"]

    def xs(ax):
        return [float(line.get_xdata()[0]) for line in ax.get_lines() if line.get_marker() not in ("None", "")]

    assert xs(ranged_ax) == pytest.approx([0.5, DEVIATION_LIMIT])  # 0.35 is half-way to 0.4; 5.0 clipped
    assert xs(point_ax) == pytest.approx([-0.5])                    # (1 - 2) / 2
    assert "1 with no published figure" in fig._suptitle.get_text()


def test_a_sign_only_target_is_named_with_its_verdict_and_an_empty_panel_is_hidden():
    sign = validation.Target("sign_only", "w", float("nan"), None, None, "1", "someone 2000", "prediction", "fast",
                             lambda s: 0.0, direction=1)
    ds = _dataset([_target("ranged", 0.3, 0.2, 0.4), sign], np.array([0.3, -0.1]), np.zeros(2), seed=1)
    fig = validation_figure(ds)
    title = fig._suptitle.get_text()
    assert "sign_only no" in title and "no published figure" not in title  # the other sign: a miss, said
    ranged_ax, point_ax = fig.axes
    assert not point_ax.axison and ranged_ax.axison
    # a result written before published_direction existed: the sign-only row is counted as undrawn
    assert "1 with no published figure" in validation_figure(ds.drop_vars("published_direction"))._suptitle.get_text()
