"""Figures of saved results refuse what they cannot draw and leave no figure open: a result without
a ``figure`` key gets its kind's figure; ``painsim figures`` exits non-zero with one line when its
figures fail; every figure function names the result it expects; the raster, the sweep axes, the
course's after-session marks, the cohort's counts and the QST ticks draw what the data say.

Every Dataset is built by hand (no simulation)."""
from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

from painsim import cli, files, io, plots  # noqa: E402
from painsim.cohort.files import to_dataset  # noqa: E402
from painsim.errors import ParameterError, UnknownKeyError  # noqa: E402
from painsim.plots.common import closes_on_error, raster  # noqa: E402


@pytest.fixture(autouse=True)
def _close_all():
    yield
    plt.close("all")


# ------------------------------------------------------------------ hand-built results
def tolerance_ds(experiment=None) -> xr.Dataset:
    days, seeds = [0.0, 2.0, 5.0], [1, 2]
    rng = np.random.default_rng(0)
    ds = xr.Dataset({"efficacy": (("seed", "day"), [[1.0, 0.9, 0.8], [1.0, 0.85, 0.7]]),
                     "effect": (("seed", "day"), rng.uniform(1, 5, (2, 3))),
                     "opioid_effect": (("seed", "day"), rng.uniform(0, 1, (2, 3)))},
                    coords={"seed": seeds, "day": days})
    spec = {"experiment": {"name": "tol", "kind": "tolerance"} if experiment is None else experiment}
    return ds.assign_attrs(experiment="tol", protocol="tens", test_celsius=45.0, experiment_spec=json.dumps(spec))


def qst_ds(models=("healthy", "neuro"), **attrs) -> xr.Dataset:
    meas = ["rest", "brush", "heat"]
    n = len(models)
    return xr.Dataset({"zscore": (("model", "measure"), np.linspace(-1, 3, 3 * n).reshape(n, 3)),
                       "abnormal_fraction": (("model", "measure"), np.linspace(0, 1, 3 * n).reshape(n, 3)),
                       "published_prevalence": (("measure",), [0.1, 0.2, 0.3])},
                      coords={"model": list(models), "measure": meas},
                      attrs={"reference_model": models[0], **attrs})


def course_ds(session_duration_s=None, tolerance=True, map_=True) -> xr.Dataset:
    P, D, S = 2, 3, 2
    data = {"pain": (("patient", "day"), np.full((P, D), 5.0)),
            "relief": (("patient", "day"), np.zeros((P, D))),
            "pain_after_session": (("patient", "session"), np.full((P, S), 4.0)),
            "session_day": (("session",), [0.0, 1.0]),
            "session_pn_rate": (("patient", "session"), np.full((P, S), 10.0))}
    if tolerance:
        data.update(opioid_tolerance=(("patient", "day"), np.full((P, D), 0.1)),
                    opioid_tolerance_session=(("patient", "session"), np.full((P, S), 0.05)))
    if map_:
        data.update(map_rate_baseline=(("patient", "map_y", "map_x"), np.ones((P, 2, 3))),
                    map_rate_final=(("patient", "map_y", "map_x"), np.ones((P, 2, 3))))
    ds = xr.Dataset(data, coords={"patient": [0, 1], "day": [0.0, 1.0, 3.0], "session": [0, 1]},
                    attrs={"protocol": "p", "plastic_connections": ""})
    if session_duration_s is not None:
        ds.attrs["protocol_spec"] = json.dumps({"name": "p", "calendar": {"days": [0.0, 1.0],
                                                                          "session_duration_s": session_duration_s}})
    return ds


POPS = ["Abeta", "Adelta", "C", "IN", "EX", "PN"]


def conditions_ds(spec=None) -> xr.Dataset:
    """Two conditions that differ in their number of C fibres (3, then 9)."""
    sizes = np.array([[4, 4, 3, 2, 2, 2], [4, 4, 9, 2, 2, 2]])
    # condition 0: C neurons 0-2 and PN 0; condition 1: C neuron 8 (the ninth) and PN 1
    spikes = [(0.05, 0, "C", 0), (0.06, 2, "C", 0), (0.07, 0, "PN", 0), (0.05, 8, "C", 1), (0.08, 1, "PN", 1)]
    t, i, pop, c = zip(*spikes)
    time = (np.arange(20) + 0.5) * 0.01
    ds = xr.Dataset({"population_size": (("condition", "population"), sizes),
                     "rates": (("condition", "population", "time"), np.zeros((2, len(POPS), time.size))),
                     "pain": (("condition",), [1.0, 2.0]), "gate_index": (("condition",), [0.5, 0.4]),
                     "pn_rate": (("condition",), [3.0, 4.0]),
                     "spike_time": (("spike",), np.array(t)), "spike_neuron": (("spike",), np.array(i)),
                     "spike_population": (("spike",), np.array([POPS.index(p) for p in pop], np.int8),
                                          {"flag_values": np.arange(len(POPS), dtype=np.int8),
                                           "flag_meanings": " ".join(POPS)}),
                     "spike_condition": (("spike",), np.array(c))},
                    coords={"condition": ["three C", "nine C"], "population": POPS, "time": time},
                    attrs={"duration_s": 0.2, "experiment": "sizes"})
    if spec is not None:
        ds.attrs["experiment_spec"] = json.dumps(spec)
    return ds


def scs_ds() -> xr.Dataset:
    stim = {"type": "tonic", "rate": "50 Hz", "width": "300 us", "amplitude": 1.5, "duration": "0.2 s"}
    return conditions_ds({"experiment": {"name": "f"}, "condition": [{"label": "rest"},
                                                                      {"label": "scs", "stimulus": stim}]})


def rtms_ds() -> xr.Dataset:
    return xr.Dataset({v: (("condition",), [1.0, 2.0]) for v in ("m1_rate", "descending_rate", "pn_rate", "pain")}
                      | {"map_overactive_area": (("condition",), [1e-6, 2e-6])},
                      coords={"condition": ["sham", "rtms"]})


def cohort_ds(relief=(0.5, 0.1, np.nan, 0.4)) -> xr.Dataset:
    n = len(relief)
    et = (["central", "central", "peripheral", "peripheral"] * n)[:n]
    st = (["ischemic", "ischemic", "none", "none"] * n)[:n]
    return to_dataset(pd.DataFrame({"relief": list(relief), "baseline_pain": [6.0] * n, "etiology": et,
                                    "stroke_type": st, "responder_30": [r > 0.3 for r in relief]}))


def validation_ds() -> xr.Dataset:
    return xr.Dataset({"model": (("target",), [1.0, 2.0]), "published": (("target",), [1.2, 2.0]),
                       "published_low": (("target",), [0.8, np.nan]),
                       "published_high": (("target",), [1.5, np.nan]),
                       "status": (("target",), ["prediction", "calibrated"]),
                       "verdict": (("target",), ["yes", "n/a"])},
                      coords={"target": ["a", "b"]}, attrs={"seed": 1})


def grid_sweep() -> xr.Dataset:
    """A 2-D grid sweep over ``a`` (2 values) then ``b`` (3), two seeds."""
    y = np.arange(12, dtype=float).reshape(2, 3, 2)
    return xr.Dataset({"y": (("a", "b", "repeat"), y, {"units": "Hz"}),
                       "seed": (("a", "b", "repeat"), np.arange(12).reshape(2, 3, 2))},
                      coords={"a": ("a", [1.0, 2.0], {"display_unit": ""}),
                              "b": ("b", [0.0, 1.0, 2.0], {"display_unit": ""}), "repeat": [0, 1]},
                      attrs={"sweep": "grid"})


def sampled_sweep(params=("a", "b")) -> xr.Dataset:
    """A sampled design of 3 points over ``params``; outcome ``y`` in Hz."""
    coords = {p: ("point", np.linspace(k, k + 1, 3), {"display_unit": ""}) for k, p in enumerate(params)}
    return xr.Dataset({"y": (("point", "repeat"), [[1.0], [2.0], [3.0]], {"units": "Hz"}),
                       "seed": (("point", "repeat"), [[1], [2], [3]])},
                      coords={"point": [0, 1, 2], "repeat": [0], **coords}, attrs={"sweep": "sampled"})


# ------------------------------------------------------------------ 1. the figure of a result's kind
def test_kind_figures_agree_with_the_kinds_of_experiment_files():
    assert plots.KIND_FIGURES == {k: v.figure for k, v in files.KINDS.items() if v.figure}


@pytest.mark.parametrize("ds, kind", [(tolerance_ds(), "tolerance"),
                                      (tolerance_ds({"name": "tol"}).assign_attrs(kind="tolerance"), "tolerance"),
                                      (qst_ds(kind="qst", experiment_spec=json.dumps({"experiment": {}})), "qst")])
def test_a_result_without_a_figure_key_gets_its_kinds_figure(ds, kind):
    """Old code: the conditions figure, an AttributeError ('condition')."""
    assert set(plots.figures_for(ds)) == {kind}


def test_a_figure_key_and_a_conditions_result_keep_theirs():
    """Negative controls: a spec's figure is drawn; a conditions result without a kind is drawn as one."""
    assert set(plots.figures_for(tolerance_ds({"kind": "tolerance", "figure": "tolerance"}))) == {"tolerance"}
    assert set(plots.figures_for(conditions_ds({"experiment": {"name": "sizes"}}))) == {"conditions"}
    with pytest.raises(ParameterError, match="a QST result"):   # a figure of another kind: refused, not a crash
        plots.figures_for(tolerance_ds({"kind": "tolerance", "figure": "qst"}))


def test_painsim_figures_exits_non_zero_with_one_line(tmp_path, capsys, monkeypatch):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir(), bad.mkdir()
    io.save(tolerance_ds(), good / "results.nc")
    io.save(tolerance_ds({"kind": "tolerance", "figure": "qst"}), bad / "results.nc")
    open_before = plt.get_fignums()
    assert cli.main(["figures", str(good / "results.nc")]) == 0          # negative control
    assert (good / "tol_tolerance.png").is_file()
    assert cli.main(["figures", str(bad / "results.nc")]) == 2
    err = capsys.readouterr().err
    assert "painsim: error:" in err and "a QST result" in err and "Traceback" not in err
    assert not list(bad.glob("*.png"))
    # an error that is not painsim's (a bug in a figure) is one line and exit 2 too, naming the file
    monkeypatch.setattr(plots, "figures_for", lambda ds: {}["no such figure"])
    assert cli.main(["figures", str(good / "results.nc")]) == 2
    err = capsys.readouterr().err
    assert "cannot draw the figures of" in err and "KeyError" in err and "Traceback" not in err
    assert plt.get_fignums() == open_before


# ------------------------------------------------------------------ 2. the raster of a condition
def test_the_raster_of_a_condition_uses_its_own_population_sizes():
    ds = conditions_ds()
    fig, ax = plt.subplots()
    raster(ax, ds, populations=("C", "PN"), condition=1)
    c_points, pn_points = (coll.get_offsets()[:, 1] for coll in ax.collections)
    assert c_points.max() < pn_points.min()        # the ninth C fibre stays in the C band (old: in PN's)
    assert ax.get_yticks()[0] == pytest.approx(9 / 2)
    fig, ax = plt.subplots()                           # negative control: condition 0's three C fibres
    raster(ax, ds, populations=("C", "PN"), condition=0)
    assert ax.get_yticks()[0] == pytest.approx(3 / 2)
    assert ax.get_yticks()[1] == pytest.approx(3 + 2 + 1)


# ------------------------------------------------------------------ 3, 4. the axes of a sweep figure
def test_a_sampled_design_with_x_the_second_parameter_draws_y_the_first():
    ax = plots.sweep_figure(sampled_sweep(), "y", x="b").axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("b", "a")          # old: b against b
    ax = plots.sweep_figure(sampled_sweep(), "y").axes[0]            # negative control: the defaults
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")


def test_a_grid_heat_map_with_y_the_first_parameter_takes_x_the_other():
    ax = plots.sweep_figure(grid_sweep(), "y", y="a").axes[0]        # old: ValueError (x = a too)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("b", "a")
    ax = plots.sweep_figure(grid_sweep(), "y").axes[0]               # negative control
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")


@pytest.mark.parametrize("ds", [grid_sweep().isel(b=0, drop=True), sampled_sweep(("a",))])
def test_one_swept_parameter_is_not_drawn_against_itself(ds):
    with pytest.raises(ParameterError) as e:
        plots.sweep_figure(ds, "y", y="a")
    assert e.value.name == "y" and "other than x" in str(e.value)
    with pytest.raises(ParameterError):
        plots.sweep_figure(ds, "y", x="a", y="a")
    assert plots.sweep_figure(ds, "y").axes[0].get_xlabel() == "a"   # negative control: a curve over a


def test_a_sampled_design_labels_its_outcome_with_units_and_names_an_unknown_axis():
    ax = plots.sweep_figure(sampled_sweep(("a",)), "y").axes[0]
    assert ax.get_ylabel() == "y (Hz)"                                 # old: "y"
    with pytest.raises(UnknownKeyError, match="swept parameter 'nonexistent'"):   # old: a raw KeyError
        plots.sweep_figure(sampled_sweep(), "y", x="nonexistent")
    assert plots.sweep_figure(sampled_sweep(), "y", x="a").axes[0].get_xlabel() == "a"


# ------------------------------------------------------------------ 5, 6. the wrong kind of result
VALID = {
    # scs_modes_figure needs a result that says which conditions have a device (its experiment_spec):
    # conditions_ds says none, and scs_metrics refuses it (2026-12-07; it read as no device anywhere)
    "conditions_figure": conditions_ds, "scs_modes_figure": scs_ds, "scs_frequency_figure": scs_ds,
    "rtms_figure": rtms_ds, "qst_figure": qst_ds, "tolerance_figure": tolerance_ds,
    "course_figure": course_ds, "course_map_figure": course_ds, "course_tolerance_figure": course_ds,
    "cohort_relief_figure": cohort_ds, "cohort_comparison_figure": cohort_ds,
    "validation_figure": validation_ds, "sweep_figure": lambda: grid_sweep().rename(y="pain"),
}
EXPECTED = {"conditions_figure": "conditions result", "scs_modes_figure": "conditions result",
            "scs_frequency_figure": "SCS frequencies", "rtms_figure": "rTMS", "qst_figure": "QST result",
            "tolerance_figure": "tolerance result", "course_figure": "course result",
            "course_map_figure": "S1 map", "course_tolerance_figure": "opioid_tolerance",
            "cohort_relief_figure": "cohort result", "cohort_comparison_figure": "cohort result",
            "validation_figure": "validation result", "sweep_figure": "sweep result"}


@pytest.mark.parametrize("name", sorted(VALID))
@pytest.mark.parametrize("wrong", ["empty", "other kind"])
def test_a_figure_of_the_wrong_result_names_what_it_expects_and_leaves_no_figure(name, wrong):
    other = validation_ds() if name.startswith("course") else course_ds()
    ds = xr.Dataset() if wrong == "empty" else other
    before = plt.get_fignums()
    with pytest.raises(ParameterError) as e:
        getattr(plots, name)(ds)
    assert e.value.name == "ds" and EXPECTED[name] in str(e.value) and "without" in str(e.value)
    assert plt.get_fignums() == before
    fig = getattr(plots, name)(VALID[name]())                         # negative control: it draws
    assert fig.axes and plt.get_fignums() == before + [fig.number]


@pytest.mark.parametrize("name, ds", [("scs_frequency_figure", conditions_ds()),   # old: an empty axis
                                      ("cohort_relief_figure", course_ds()),       # old: relief per day as patients
                                      ("sweep_figure", course_ds())])              # old: patients as a parameter
def test_a_result_of_the_same_shape_but_another_kind_is_refused(name, ds):
    with pytest.raises(ParameterError, match="expected"):
        getattr(plots, name)(ds)


def test_a_figure_that_fails_while_drawing_closes_what_it_opened():
    stats = cohort_ds().assign_coords(threshold=[0.4, 0.5])   # no 0.3 threshold: fails after plt.subplots
    before = plt.get_fignums()
    with pytest.raises(KeyError):
        plots.cohort_comparison_figure(stats)
    assert plt.get_fignums() == before

    @closes_on_error
    def draws(fail):
        fig = plt.figure()
        if fail:
            raise RuntimeError("late")
        return fig
    with pytest.raises(RuntimeError):
        draws(True)
    assert plt.get_fignums() == before
    assert draws(False).number in plt.get_fignums()        # negative control: a drawn figure stays open


def test_figures_for_closes_the_figures_drawn_before_one_fails():
    ds = course_ds().drop_vars("opioid_tolerance_session")   # course and map draw, tolerance fails
    before = plt.get_fignums()
    with pytest.raises(ParameterError, match="opioid_tolerance_session"):
        plots.figures_for(ds)
    assert plt.get_fignums() == before                        # old: three figures left open
    assert set(plots.figures_for(course_ds())) == {"course", "map", "tolerance"}   # negative control


# ------------------------------------------------------------------ minor: what the figures draw
def _after_session_marks(ds) -> np.ndarray:
    ax = plots.course_figure(ds).axes[0]
    marks = [line for line in ax.lines if line.get_marker() == "v"]
    return np.asarray(marks[0].get_xdata(), float)


def test_after_session_tests_are_marked_when_the_session_ends():
    np.testing.assert_allclose(_after_session_marks(course_ds(session_duration_s=43200.0)), [0.5, 1.5])
    # negative control: a result that records no protocol marks them at the session's day
    np.testing.assert_allclose(_after_session_marks(course_ds()), [0.0, 1.0])


def test_the_relief_figure_counts_the_patients_it_draws():
    ticks = [t.get_text() for t in plots.cohort_relief_figure(cohort_ds()).axes[0].get_xticklabels()]
    by_group = {t.split("\n")[0]: t for t in ticks}
    assert "(n = 1)" in by_group["peripheral"] and "1 without relief" in by_group["peripheral"]  # old: n = 2
    assert by_group["ischemic"] == "ischemic\n(n = 2)"          # negative control: no NaN, nothing added


@pytest.mark.parametrize("models", [("healthy",), ("healthy", "neuro"), ("a", "b", "c")])
def test_the_prevalence_ticks_sit_under_the_middle_of_their_bars(models):
    fig = plots.qst_figure(qst_ds(models))
    bx = fig.axes[1]
    centres = np.array(sorted(p.get_x() + p.get_width() / 2 for p in bx.patches)).reshape(3, len(models) + 1)
    np.testing.assert_allclose(bx.get_xticks(), centres.mean(axis=1))
    np.testing.assert_allclose(fig.axes[0].get_xticks(), [0, 1, 2])   # negative control: the profile's



def test_a_figure_that_cannot_be_drawn_keeps_the_saved_result(tmp_path, monkeypatch):
    """painsim run drew the figures before saving results.nc: a figure that refused the result
    lost the whole simulation."""
    import numpy as np
    import xarray as xr

    import painsim.cli as cli
    from painsim import files
    from painsim.errors import ParameterError

    ds = xr.Dataset({"pn_rate": ("condition", np.array([1.0, 2.0])), "pain": ("condition", np.array([0.5, 1.0]))},
                    coords={"condition": ["a", "b"]})
    monkeypatch.setattr(files, "run_experiment", lambda spec, **kw: ds)   # the simulation, done

    def refusing(*args):
        raise ParameterError("result", "a result without stimulus conditions", "a stimulus condition")

    monkeypatch.setattr(cli, "_figures", refusing)
    assert cli.main(["run", "gate_control", "--out", str(tmp_path / "out")]) != 0
    assert (tmp_path / "out" / "results.nc").is_file()
    # negative control: with figures that draw, the run ends well and saves the same result
    monkeypatch.setattr(cli, "_figures", lambda *args: {})
    assert cli.main(["run", "gate_control", "--out", str(tmp_path / "ok")]) == 0
    assert (tmp_path / "ok" / "results.nc").is_file()
