"""Follow-ups of the readout defects: the site block of a combined result (over ``condition`` or
another stacked dimension), a result's duration without a ``time`` coordinate, and the QST
figure's band at the threshold its summary names."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

import painsim as ps  # noqa: E402
from painsim.analysis import qst_summary, scs_metrics  # noqa: E402
from painsim.analysis.selections import result_duration  # noqa: E402
from painsim.errors import ParameterError, UnknownKeyError  # noqa: E402
from painsim.plots import qst_figure  # noqa: E402
from painsim.readouts import site_block  # noqa: E402
from test_readout_defects import STIMULUS, _per_subject, _scs_dataset  # noqa: E402

DURATION = "0.2 s"


# ------------------------------------------------------------------ site_block
@pytest.fixture(scope="module")
def layouts():
    """Three single results on the numpy target (nothing compiled): the reference model on one
    body site, on three sites (three times the neurons, the same block per site) and on one site
    with fewer Aβ fibers (another Aβ block)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAINSIM_TARGET", "numpy")
        model = ps.load_model("gate_control")
        three = model.with_params({"body.n_sites": 3})
        fewer = model.with_params({"afferents.Abeta.n": 10})
        return ps.simulate_batch([ps.Request(model, None, 0.6, 0.0, 1), ps.Request(three, None, 0.6, 0.0, 1),
                                  ps.Request(fewer, None, 0.6, 0.0, 1)], DURATION)


def _blocks(results, population):
    return [site_block(r, population) for r in results]


def test_combined_result_without_condition_gives_the_shared_block(layouts):
    """Without a condition, a result combined over ``condition`` whose conditions share a
    population's block (here although their population sizes differ) gives that block, the one
    each single result gives; with a condition, each condition's own."""
    one, three, _ = layouts
    ds = ps.io.combine([one, three], "condition", ["one site", "three sites"])
    pop = "Abeta"
    assert int(one["population_size"].sel(population=pop)) != int(three["population_size"].sel(population=pop))
    singles = _blocks([one, three], pop)
    assert singles[0] == singles[1] > 0
    assert site_block(ds, pop) == singles[0]
    for k, single in enumerate(singles):
        assert site_block(ds, pop, condition=k) == single


def test_combined_result_with_different_blocks_needs_a_condition(layouts):
    """Conditions that differ in a population's block: without a condition ParameterError naming
    ``condition`` (not a bare TypeError); with one, that condition's block; a population they
    share still reads without a condition."""
    one, _, fewer = layouts
    ds = ps.io.combine([one, fewer], "condition", ["15 Abeta", "10 Abeta"])
    singles = _blocks([one, fewer], "Abeta")
    assert singles[0] != singles[1]  # a test that can fail
    with pytest.raises(ParameterError, match="condition") as err:
        site_block(ds, "Abeta")
    assert err.value.name == "condition"
    for k, single in enumerate(singles):
        assert site_block(ds, "Abeta", condition=k) == single
    assert site_block(ds, "PN") == site_block(one, "PN") == site_block(fewer, "PN")


def test_result_stacked_along_batch_gives_the_block_of_all_its_points_or_refuses(layouts):
    """A result combined along ``batch`` gives the block all its points share; points that differ
    raise ParameterError naming ``result``; a condition does not select a batch point: it is refused
    naming ``condition`` (2026-12-07: it was ignored, a batch result's points read as one); a result
    stacked along ``batch`` and ``condition`` reads a condition's block when every batch point
    has the same one."""
    one, three, fewer = layouts
    same = ps.io.combine([one, three], "batch", [0, 1])
    assert site_block(same, "Abeta") == site_block(one, "Abeta")
    differ = ps.io.combine([one, fewer], "batch", [0, 1])
    for ds, condition, name in ((differ, None, "result"), (differ, 0, "condition"), (same, 0, "condition")):
        with pytest.raises(ParameterError, match="batch") as err:
            site_block(ds, "Abeta", condition=condition)
        assert err.value.name == name
    both = ps.io.combine([ps.io.combine([one, fewer], "condition", ["a", "b"])] * 2, "batch", [0, 1])
    assert both["population_site_neurons"].dims[:2] == ("batch", "condition")
    assert [site_block(both, "Abeta", condition=k) for k in range(2)] == _blocks([one, fewer], "Abeta")
    with pytest.raises(ParameterError, match="condition"):
        site_block(both, "Abeta")


def test_site_block_refuses_a_bad_condition_or_population(layouts):
    """A condition index the combined result does not have, or a population it does not have,
    raises a painsim error naming it (not an IndexError or KeyError)."""
    one, _, fewer = layouts
    ds = ps.io.combine([one, fewer], "condition", ["a", "b"])
    for bad in (2, -1, 0.5, "0"):
        with pytest.raises(ParameterError, match="condition"):
            site_block(ds, "Abeta", condition=bad)
    with pytest.raises(UnknownKeyError, match="Abta"):
        site_block(ds, "Abta", condition=0)


def test_result_without_layout_reads_blocks_of_each_conditions_own_size(layouts):
    """A result without ``population_site_neurons`` (written before it) is taken as ``n_sites``
    equal blocks of the population size of the condition asked for, not of the first
    condition; without a condition, conditions of different sizes are refused."""
    one, three, _ = layouts
    ds = ps.io.combine([one, three], "condition", ["one site", "three sites"]).drop_vars("population_site_neurons")
    sizes = [int(r["population_size"].sel(population="PN")) for r in (one, three)]
    assert site_block(ds, "PN", 1, condition=0) == sizes[0]
    assert site_block(ds, "PN", 3, condition=1) == sizes[1] // 3
    with pytest.raises(ParameterError, match="condition"):
        site_block(ds, "PN", 3)
    old = one.drop_vars("population_site_neurons")
    assert site_block(old, "PN", 2) == sizes[0] // 2


# ------------------------------------------------------------------ result_duration
def test_duration_attribute_needs_no_time_coordinate(layouts):
    """A result with ``duration_s`` gives it without reading a ``time`` coordinate (a result
    without one no longer crashes), and a simulated result gives the duration it ran."""
    ds = xr.Dataset({"pain": ((), 0.0)}, attrs={"duration_s": 0.7})
    assert "time" not in ds
    assert result_duration(ds) == 0.7
    one = layouts[0]
    assert result_duration(one.drop_vars("time")) == pytest.approx(ps.units.parse(DURATION, "duration")[0])


def test_duration_from_time_bins_or_refused():
    """Without ``duration_s`` the duration is the end of the last equally spaced bin (half a bin
    width after the last centre; it was a whole width, 2026-12-06); neither ``duration_s`` nor two
    bin centres raises ParameterError naming ``ds``."""
    centres = np.array([0.05, 0.15, 0.25, 0.35])
    ds = xr.Dataset({"rate": (("time",), np.zeros(centres.size))}, coords={"time": centres})
    assert result_duration(ds) == pytest.approx(0.4)
    for bad in (xr.Dataset(), xr.Dataset(coords={"time": [0.05]})):
        with pytest.raises(ParameterError, match="duration_s") as err:
            result_duration(bad)
        assert err.value.name == "ds"


def test_scs_metrics_reads_a_result_without_time_bins():
    """scs_metrics, which reads the duration, works on a result with ``duration_s`` and no
    ``time`` coordinate, and gives the same readouts as with one."""
    conds = [{"label": "no SCS"}, {"label": "SCS", "stimulus": STIMULUS}]
    ds = _scs_dataset(conds, [{"Abeta": [0]}, {"Abeta": [0, 1, 2]}], [20, 20])
    without = scs_metrics(ds.drop_vars("time"))
    with_time = scs_metrics(ds)
    for name in ("recruited", "evoked_rate", "volley_rate"):
        assert np.array_equal(without[name].values, with_time[name].values)
    assert float(without["recruited"].sel(condition="SCS", fiber_class="Abeta")) > 0


# ------------------------------------------------------------------ qst_figure
def _qst_result(abnormal):
    """A QST result as qst_figure reads it, from qst_summary (``abnormal`` None: the summary of a
    result saved before the threshold was recorded, default threshold, attribute removed)."""
    ds = qst_summary(_per_subject(), "healthy", **({} if abnormal is None else {"abnormal": abnormal}))
    if abnormal is None:
        del ds["abnormal_fraction"].attrs["abnormal"]
    ds["published_prevalence"] = (("measure",), np.full(ds.sizes["measure"], np.nan))
    ds.attrs["reference_model"] = "healthy"
    return ds


def _band(fig):
    """(lowest, highest) z of the profile's reference band and its label."""
    ax = fig.axes[0]
    spans = [p for p in ax.patches if str(p.get_label()).startswith("reference")]
    assert len(spans) == 1
    p = spans[0]
    y = p.get_patch_transform().transform(p.get_path().vertices)[:, 1]
    return float(y.min()), float(y.max()), str(p.get_label())


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.findobj(matplotlib.text.Text)]


@pytest.mark.parametrize("abnormal, expected", [(2.5, 2.5), (1.0, 1.0), (None, 1.96)])
def test_qst_band_is_drawn_at_the_summarys_threshold(abnormal, expected, tmp_path):
    """The grey band spans ± the threshold stored in ``abnormal_fraction.attrs["abnormal"]``,
    read back from a NetCDF file as well, and its label and the prevalence axis name it; a
    summary without the attribute (saved before it) draws ±1.96."""
    import matplotlib.pyplot as plt
    ds = _qst_result(abnormal)
    path = tmp_path / "qst.nc"
    ds.to_netcdf(path)
    with xr.open_dataset(path) as saved:
        for source in (ds, saved.load()):
            fig = qst_figure(source)
            try:
                lo, hi, label = _band(fig)
                assert lo == pytest.approx(-expected) and hi == pytest.approx(expected)
                assert f"±{expected:g}" in label
                assert any(f"z > {expected:g}" in t for t in _texts(fig))
                if expected != 1.96:
                    assert not any("1.96" in t for t in _texts(fig))
            finally:
                plt.close(fig)


def test_qst_figure_refuses_a_threshold_that_is_not_a_number():
    """A saved summary whose threshold attribute is not a number raises ParameterError naming it
    (not a matplotlib error or a band at the wrong place)."""
    ds = _qst_result(2.5)
    ds["abnormal_fraction"].attrs["abnormal"] = "2.5"
    with pytest.raises(ParameterError, match="abnormal"):
        qst_figure(ds)


# ------------------------------------------------------------------ the readout window on record
@pytest.mark.parametrize("duration", [0.45, 0.25])
def test_result_records_the_window_its_rates_are_read_over(duration, monkeypatch):
    """``attrs["readout_start_s"]`` is where ``pn_rate`` is read from: the PN spikes in
    [readout_start_s, duration_s) over the PN and that window give ``pn_rate`` (one body site: every
    PN is the painful site's).  After the transient (0.45 s) it is ``readout.transient``; a run not
    longer than the transient (0.25 s) is read whole, from 0.  The window must matter for the check
    to mean anything: at 0.45 s the whole run's rate differs from the window's."""
    monkeypatch.setenv("PAINSIM_TARGET", "numpy")
    model = ps.load_model("gate_control")
    res = ps.simulate(model, noxious=0.8, duration=f"{duration} s", seed=1)
    start = res.attrs["readout_start_s"]
    assert start == (model.si("readout.transient") if duration > model.si("readout.transient") else 0.0)
    pn = list(res.population.values).index("PN")
    t = res.spike_time.values[res.spike_population.values == pn]
    n = int(res.population_size.sel(population="PN"))

    def rate(t0):
        return np.count_nonzero(t >= t0) / (n * (duration - t0))
    assert float(res.pn_rate) == pytest.approx(rate(start), rel=1e-12)
    if start > 0:
        assert rate(0.0) != pytest.approx(rate(start), rel=1e-3)


def test_combined_points_keep_each_window_where_they_differ(monkeypatch):
    """Points read over different windows (a swept ``readout.transient``) keep each its own start when
    combined (a variable along the new dimension); points of one window keep it as the shared attr."""
    monkeypatch.setenv("PAINSIM_TARGET", "numpy")
    model = ps.load_model("gate_control")
    later = model.with_params({"readout.transient": "0.35 s"})
    a, b, c = ps.simulate_batch([ps.Request(model, None, 0.6, 0.0, 1), ps.Request(later, None, 0.6, 0.0, 1),
                                 ps.Request(model, None, 0.6, 0.0, 2)], "0.45 s")
    differ = ps.io.combine([a, b], "point", [0, 1])
    assert differ["readout_start_s"].values.tolist() == [0.3, 0.35] and differ["readout_start_s"].attrs["units"] == "s"
    assert "readout_start_s" not in differ.attrs
    same = ps.io.combine([a, c], "point", [0, 1])
    assert same.attrs["readout_start_s"] == 0.3 and "readout_start_s" not in same
