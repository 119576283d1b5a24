"""The plot bug hunt's reproduced findings (figures of notebooks 01 and 03), each with a negative
control where one makes sense.

* ``frequency_curve`` (and ``pairing_frequency_curve``, ``stdp_window``) returned its points in
  the order asked, and ``frequency_curve_figure`` / ``pairing_frequency_figure`` drew them and found
  the sign changes in that order: frequencies appended to the list (notebook 03's exercise) shaded
  a wrong band (20-30 Hz) beside the right one, and the curve zig-zagged from 100 Hz back to 22 Hz.
  The curves now come sorted by their swept variable (a value asked twice refused) and the figures
  sort what they are given.
* A wrong Dataset, None, a sweep result or ragged counts raised a KeyError, TypeError or numpy
  ValueError from inside the figure: now a ParameterError naming ``ds`` / ``counts``.
* A string label was read one character per curve ('c' for "control"), a label count other than
  the curves' dropped curves silently, and overlaid frequency curves of different pulse counts all
  read "Δw after <the first one's> pulses": now one string is one label, a count mismatch is
  refused naming ``labels``, and differing counts go to the legend.

The curve tests run tiny protocols; every figure Dataset is built by hand (no simulation).
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

import painsim as ps  # noqa: E402
from painsim import plasticity as pl  # noqa: E402
from refusals import refused  # noqa: E402


@pytest.fixture(autouse=True)
def _close_all():
    yield
    plt.close("all")


# ------------------------------------------------------------------ hand-built curves
#: The notebook's frequencies with the exercise's three appended at the end (the order asked).
APPENDED = [0.5, 1, 2, 5, 10, 20, 30, 50, 100, 22, 25, 28]


def freq_ds(freqs=APPENDED, n_pulses=900, flip=23.5) -> xr.Dataset:
    """A frequency curve in the order ``freqs``: LTD below ``flip`` Hz, LTP above."""
    f = np.asarray(freqs, float)
    return xr.Dataset({"dw": (("frequency",), np.tanh((f - flip) / 10.0))}, coords={"frequency": f},
                      attrs={"rule": "CalciumRule", "n_pulses": n_pulses})


def window_ds(dts=(-0.02, -0.01, 0.01, 0.02), rule="PairSTDP") -> xr.Dataset:
    d = np.asarray(dts, float)
    return xr.Dataset({"dw": (("dt",), np.sign(d) * np.exp(-np.abs(d) / 0.02))}, coords={"dt": d},
                      attrs={"rule": rule})


def pairing_ds(freqs=(0.1, 1.0, 10.0, 50.0), dts=(-0.01, 0.01), n_pairs=60) -> xr.Dataset:
    f, d = np.asarray(freqs, float), np.asarray(dts, float)
    dw = np.where(d[:, None] > 0, 1.0, np.log10(f)[None, :] - 0.5)
    return xr.Dataset({"dw": (("dt", "frequency"), dw)}, coords={"dt": d, "frequency": f},
                      attrs={"rule": "TripletSTDP", "n_pairs": n_pairs})


def bands(fig):
    return [(round(p.get_x(), 9), round(p.get_x() + p.get_width(), 9)) for p in fig.axes[0].patches]


def curves(fig):
    """The data lines of a figure's first axis (not the zero lines: their labels start with '_')."""
    return [ln for ln in fig.axes[0].lines if not ln.get_label().startswith("_")]


def legend(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


# ------------------------------------------------------------------ 1. curves by their swept variable
def test_frequencies_appended_to_the_list_shade_one_band_where_the_sign_flips():
    """The bug hunter's call on a hand-built curve of the same shape: the old figure shaded 20-30 Hz
    (the listed neighbours 20 and 30) and 25-28 Hz (22 -> 25 -> 28 out of order) and drew 100 -> 22 Hz.
    Negative control: the same points asked in order give that one band."""
    fig = ps.plots.frequency_curve_figure(freq_ds(), labels=["x"])
    assert bands(fig) == [(22.0, 25.0)]
    x = curves(fig)[0].get_xdata()
    assert np.all(np.diff(x) > 0)
    assert bands(ps.plots.frequency_curve_figure(freq_ds(sorted(APPENDED)), labels=["x"])) == [(22.0, 25.0)]


def test_the_pairing_figure_draws_frequencies_in_order():
    """A pairing curve from elsewhere in another order: each Δt's line runs up the frequency axis."""
    fig = ps.plots.pairing_frequency_figure(pairing_ds(freqs=(10.0, 0.1, 50.0, 1.0), dts=(0.01, -0.01)))
    assert len(curves(fig)) == 2
    for line in curves(fig):
        assert np.all(np.diff(line.get_xdata()) > 0)
    minus = [ln for ln in curves(fig) if "-10 ms" in ln.get_label()][0]
    np.testing.assert_allclose(minus.get_ydata(), np.log10([0.1, 1.0, 10.0, 50.0]) - 0.5)


def test_frequency_curve_returns_its_points_in_frequency_order():
    """Each point keeps its own change (read alone, as before), only its place is sorted.  Negative
    control: the changes differ between frequencies, so a point out of place would show."""
    r = pl.CalciumRule.preset("spinal_presynaptic")
    d = pl.frequency_curve(r, [50.0, 1.0, 10.0], n_pulses=20)
    np.testing.assert_array_equal(d.frequency.values, [1.0, 10.0, 50.0])
    alone = [float(pl.frequency_curve(r, [f], n_pulses=20).dw.squeeze()) for f in (1.0, 10.0, 50.0)]
    np.testing.assert_allclose(d.dw.values, alone, rtol=1e-12, atol=1e-15)
    assert len(set(np.round(alone, 12))) == 3


def test_stdp_window_and_pairing_curve_return_their_points_sorted():
    r = pl.PairSTDP()
    w = pl.stdp_window(r, [0.01, -0.02, 0.005])
    np.testing.assert_array_equal(w.dt.values, [-0.02, 0.005, 0.01])
    expect = [-r.A_minus * np.exp(-0.02 / r.tau_minus), r.A_plus * np.exp(-0.005 / r.tau_plus),
              r.A_plus * np.exp(-0.01 / r.tau_plus)]
    np.testing.assert_allclose(w.dw.values, expect, rtol=1e-12)
    p = pl.pairing_frequency_curve(r, [10.0, 1.0], [0.01, -0.01], n_pairs=3)
    np.testing.assert_array_equal(p.frequency.values, [1.0, 10.0])
    np.testing.assert_array_equal(p.dt.values, [-0.01, 0.01])
    alone = float(pl.pairing_frequency_curve(r, [10.0], -0.01, n_pairs=3).dw.squeeze())
    assert float(p.dw.sel(dt=-0.01, frequency=10.0)) == pytest.approx(alone, rel=1e-12)


@pytest.mark.parametrize("call, name", [
    (lambda r: pl.frequency_curve(r, [1.0, 20.0, 1.0], n_pulses=2), "freqs"),
    (lambda r: pl.frequency_curve(r, [1.0, "1 Hz"], n_pulses=2), "freqs"),   # the same value in SI
    (lambda r: pl.stdp_window(r, [0.01, -0.01, 0.01]), "dts"),
    (lambda r: pl.pairing_frequency_curve(r, [1.0, 1.0], 0.01, n_pairs=2), "freqs"),
    (lambda r: pl.pairing_frequency_curve(r, [1.0], [0.01, 0.01], n_pairs=2), "dt"),
])
def test_a_point_asked_twice_is_refused(call, name):
    """A repeated coordinate made ``.sel`` of that point give two (and the pairing figure's
    ``sel(dt=...)`` a 2-D array).  Negative control: the distinct values alone run."""
    e = refused(lambda: call(pl.PairSTDP()), name, allowed=True)
    assert "repeated" in str(e)
    assert "dw" in pl.frequency_curve(pl.PairSTDP(), [1.0, 20.0], n_pulses=2)


# ------------------------------------------------------------------ 2. wrong input: one-line errors
class _Ax:
    """What raster needs of an axis before its input check (nothing: it must refuse first)."""


@pytest.mark.parametrize("call, name", [
    (lambda: ps.plots.stdp_window_figure(freq_ds()), "ds"),
    (lambda: ps.plots.frequency_curve_figure(window_ds()), "ds"),
    (lambda: ps.plots.pairing_frequency_figure(freq_ds()), "ds"),
    (lambda: ps.plots.frequency_curve_figure(pairing_ds()), "ds"),    # dw over two dimensions
    (lambda: ps.plots.stdp_window_figure(pairing_ds()), "ds"),
    (lambda: ps.plots.stdp_window_figure(None), "ds"),
    (lambda: ps.plots.frequency_curve_figure([]), "ds"),
    (lambda: ps.plots.frequency_curve_figure([freq_ds(), None]), "ds"),
    (lambda: ps.plots.raster(_Ax(), xr.Dataset({"pain": (("dose",), [1.0, 2.0])}, coords={"dose": [0, 1]})),
     "ds"),
    (lambda: ps.plots.windup_figure([[1, 2, 3], [1, 2]], ["a", "b"]), "counts"),
    (lambda: ps.plots.windup_figure(None, ["a"]), "counts"),
    (lambda: ps.plots.windup_figure([], ["a"]), "counts"),
    (lambda: ps.plots.windup_figure(["a", "b"], ["a"]), "counts"),
    (lambda: ps.plots.windup_figure(np.ones((2, 2, 2)), ["a", "b"]), "counts"),
])
def test_a_wrong_input_is_refused_by_name(call, name):
    """These raised KeyError 'dt' / 'frequency' / 'population_size', a TypeError, numpy's
    inhomogeneous-shape ValueError, or drew an empty figure (None counts).  No figure is left open."""
    before = plt.get_fignums()
    refused(call, name, allowed=True)
    assert plt.get_fignums() == before


def test_the_right_inputs_still_draw():
    """Negative control of the refusals: each figure draws its own result."""
    assert len(curves(ps.plots.stdp_window_figure(window_ds()))) == 1
    assert len(curves(ps.plots.frequency_curve_figure([freq_ds(), freq_ds()]))) == 2
    assert len(curves(ps.plots.pairing_frequency_figure(pairing_ds()))) == 2
    assert len(curves(ps.plots.windup_figure([[1, 2, 3], [1, 2, 2]], ["a", "b"]))) == 2


# ------------------------------------------------------------------ 3. labels
def test_a_single_string_is_one_label():
    """"control" was the legend 'c' (iterated by character), "additive" the legend 'a'."""
    assert legend(ps.plots.windup_figure(np.array([0.7, 1.3, 2.1]), "control")) == ["control"]
    assert legend(ps.plots.stdp_window_figure(window_ds(), labels="additive")) == ["additive"]
    assert legend(ps.plots.frequency_curve_figure(freq_ds(), labels="spinal")) == ["spinal"]
    # negative control: a list of one label gives the same
    assert legend(ps.plots.windup_figure(np.array([0.7, 1.3, 2.1]), ["control"])) == ["control"]


@pytest.mark.parametrize("call", [
    lambda: ps.plots.windup_figure(np.ones((3, 4)), ["a", "b"]),          # drew 2 of 3 conditions
    lambda: ps.plots.windup_figure(np.ones((1, 4)), ["a", "b"]),
    lambda: ps.plots.windup_figure(np.ones((2, 4)), "ab"),                # a string is one label
    lambda: ps.plots.stdp_window_figure([window_ds(), window_ds(rule="soft")], labels=["additive"]),
    lambda: ps.plots.stdp_window_figure(window_ds(), labels=["a", "b"]),
    lambda: ps.plots.frequency_curve_figure([freq_ds(), freq_ds()], labels="both"),
    lambda: ps.plots.pairing_frequency_figure([pairing_ds(), pairing_ds()], labels=["one"]),
    lambda: ps.plots.stdp_window_figure(window_ds(), labels=3),
])
def test_a_label_count_other_than_the_curves_is_refused(call):
    """zip dropped the curves (or labels) beyond the shorter; the error names ``labels``, the value
    and the count allowed."""
    e = refused(call, "labels", allowed=True)
    assert "label" in e.allowed and ("one label" in e.allowed or "labels, one per" in e.allowed)


def test_two_labels_for_two_curves_draw_both():
    """Negative control: a matching count draws every curve with its label."""
    fig = ps.plots.stdp_window_figure([window_ds(), window_ds(rule="soft")], labels=["additive", "soft"])
    assert legend(fig) == ["additive", "soft"]
    assert legend(ps.plots.windup_figure(np.ones((3, 4)), ["a", "b", "c"])) == ["a", "b", "c"]


def test_overlaid_curves_of_different_pulse_counts_do_not_share_one_y_label():
    """[fc_100, fc_900] read "Δw after 100 pulses" for both (the first Dataset's count).  Now the axis
    says plain Δw and each legend entry its count (added where the label does not say it already).
    Negative control: curves of one count keep that count on the axis and their labels as given."""
    fig = ps.plots.frequency_curve_figure([freq_ds(n_pulses=100), freq_ds(n_pulses=900)],
                                          labels=["100 pulses", "900 pulses"])
    assert "100" not in fig.axes[0].get_ylabel() and "900" not in fig.axes[0].get_ylabel()
    assert legend(fig) == ["100 pulses", "900 pulses"]
    fig = ps.plots.frequency_curve_figure([freq_ds(n_pulses=100), freq_ds(n_pulses=900)], labels=["a", "b"])
    assert legend(fig) == ["a, 100 pulses", "b, 900 pulses"]
    same = ps.plots.frequency_curve_figure([freq_ds(), freq_ds()], labels=["a", "b"])
    assert same.axes[0].get_ylabel() == "Δw after 900 pulses" and legend(same) == ["a", "b"]


def test_overlaid_pairing_curves_of_different_pairing_counts_name_theirs():
    fig = ps.plots.pairing_frequency_figure([pairing_ds(n_pairs=60), pairing_ds(n_pairs=15)], labels=["a", "b"])
    assert "60" not in fig.axes[0].get_ylabel()
    assert sum("60 pairings" in t for t in legend(fig)) == 2 and sum("15 pairings" in t for t in legend(fig)) == 2
    same = ps.plots.pairing_frequency_figure(pairing_ds(), labels="a")
    assert same.axes[0].get_ylabel() == "Δw after 60 pairings"
