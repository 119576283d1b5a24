"""`painsim run`'s and `painsim figures`' figures (a bug hunt).

1. A conditions run shorter than the 60-ms running mean of its rate panels (6 bins of 10 ms) got no
   conditions figure: np.convolve(mode="same") returned the window's length, longer than the
   run's bins ("x and y must have same first dimension"), after `painsim run` had written
   results.nc, and `painsim figures` refused it the same way.
2. `painsim figures` on a `painsim validate` output folder said "a folder without results" (its
   validation.nc was no result file of a folder); on a `--seeds` run's folder, or its seeds.nc,
   it was refused: each seed's figure is now drawn again in its seed_<s>/.
3. `painsim figures` on a cohort's folder drew its figures but not its patients.csv, which a rerun
   interrupted before its tables removes with them (docs/cli.md says `painsim figures` mends it).

Tiny runs on brian2's numpy target (nothing to compile): a 40-ms condition, one fast validation
target, a cohort of 4 patients with a stand-in course (as tests/test_cohort.py's).
"""
import matplotlib
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from painsim.cli import main
from painsim.plots.conditions import _smooth

matplotlib.use("Agg")

#: A fast validation target (a few seconds on the numpy target).
_TARGET = "c_ramp_discharge_6"


@pytest.fixture
def numpy_target(monkeypatch):
    monkeypatch.setenv("PAINSIM_TARGET", "numpy")


def _conditions_file(tmp_path, duration: str):
    path = tmp_path / f"short_{duration.replace(' ', '')}.toml"
    path.write_text(f'[experiment]\nname = "short"\nmodel = "gate_control"\nduration = "{duration}"\nseed = 1\n\n'
                    '[[condition]]\nlabel = "heat"\nnoxious = 0.6\n')
    return path


def test_smoothing_a_trace_shorter_than_its_window_keeps_its_length():
    """Was: 6 values for a trace of 4 bins (np.convolve's "same" mode returns the longer input)."""
    short = _smooth(np.array([1.0, 3.0, 5.0, 7.0]), 6)
    assert short.shape == (4,)
    np.testing.assert_allclose(_smooth(np.full(3, 7.0), 6), 7.0)   # still a mean, normalised at the edges
    assert _smooth(np.array([]), 6).shape == (0,)
    # negative control: a trace longer than the window is smoothed over the whole window, as before
    r = np.arange(20, dtype=float) ** 2
    k = np.ones(6)
    np.testing.assert_allclose(_smooth(r, 6), np.convolve(r, k, "same") / np.convolve(np.ones(20), k, "same"))


def test_a_40_ms_run_gets_its_conditions_figure_and_figures_redraws_it(tmp_path, numpy_target, capsys):
    """Was: a traceback after results.nc was written, no figure; `painsim figures` then refused."""
    out = tmp_path / "out"
    assert main(["run", str(_conditions_file(tmp_path, "40 ms")), "--out", str(out)]) == 0
    figure = out / "short_conditions.png"
    assert figure.is_file() and (out / "results.nc").is_file()
    figure.unlink()
    capsys.readouterr()
    assert main(["figures", str(out)]) == 0
    assert figure.is_file() and "short_conditions.png" in capsys.readouterr().out
    assert not (out / "patients.csv").exists()   # negative control: a conditions run writes no table


def test_the_rate_panel_names_the_running_mean_it_draws(tmp_path, numpy_target):
    """The x label says the window averaged: the whole 40 ms of a shorter run, 60 ms of a longer one."""
    import painsim.plots as plots
    from painsim import io
    labels = {}
    for duration in ("40 ms", "100 ms"):
        out = tmp_path / duration.replace(" ", "")
        assert main(["run", str(_conditions_file(tmp_path, duration)), "--out", str(out)]) == 0
        fig = plots.conditions_figure(io.load(out / "results.nc"))
        labels[duration] = {ax.get_xlabel() for ax in fig.axes if "running mean" in ax.get_xlabel()}
        plots.close_figures([fig])
    assert labels == {"40 ms": {"time (s; 40 ms running mean)"}, "100 ms": {"time (s; 60 ms running mean)"}}


def test_figures_redraws_a_validation_folder(tmp_path, numpy_target, capsys):
    """Was: "val is a folder without results" (validation.nc was drawn only when named itself)."""
    val = tmp_path / "val"
    assert main(["validate", "--only", _TARGET, "--out", str(val)]) == 0
    (val / "validation.png").unlink()
    capsys.readouterr()
    assert main(["figures", str(val)]) == 0
    assert (val / "validation.png").is_file()
    assert main(["figures", str(val), "--out", str(tmp_path / "elsewhere")]) == 0
    assert (tmp_path / "elsewhere" / "validation.png").is_file()
    # negative control: a folder holding no result is still refused, saying which files count
    (tmp_path / "empty").mkdir()
    capsys.readouterr()
    assert main(["figures", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert "folder without results" in err and "validation.nc" in err


def test_figures_redraws_each_seed_of_a_seeds_run(tmp_path, numpy_target, capsys):
    """Was: its folder had no result file, and its seeds.nc (a summary without a figure) was refused:
    each seed's validation.png is drawn again in its seed_<s>/ (or in --out/seed_<s>/)."""
    val = tmp_path / "seeds"
    assert main(["validate", "--only", _TARGET, "--seeds", "1", "2", "--out", str(val)]) == 0
    for given in (val, val / "seeds.nc"):
        for s in (1, 2):
            (val / f"seed_{s}" / "validation.png").unlink()
        assert main(["figures", str(given)]) == 0
        assert all((val / f"seed_{s}" / "validation.png").is_file() for s in (1, 2))
    other = tmp_path / "other"
    assert main(["figures", str(val), "--out", str(other)]) == 0
    assert sorted(p.relative_to(other).as_posix() for p in other.rglob("*.png")) == [
        "seed_1/validation.png", "seed_2/validation.png"]
    assert not (val / "validation.png").exists() and not (other / "validation.png").exists()
    # negative control: a seed's run that is gone is named, and nothing is drawn
    for s in (1, 2):
        (val / f"seed_{s}" / "validation.png").unlink()
    (val / "seed_2" / "validation.nc").unlink()
    capsys.readouterr()
    assert main(["figures", str(val)]) == 2
    assert "seed_2" in capsys.readouterr().err and not (val / "seed_1" / "validation.png").exists()


def _fake_course(monkeypatch):
    """The course engine replaced: relief from descending integrity and the patient's seed."""
    def fake(models, protocol, seeds=None, batch_size=16, follow_up_days=(30, 90), **kw):
        out = []
        for m, s in zip(models, seeds):
            relief = 100 * (m.si("descending.integrity") - 0.6) + np.random.default_rng(s).normal(0, 10)
            day = float(follow_up_days[0]) if follow_up_days else 28.0
            out.append(xr.Dataset({"baseline_pain": ((), 6.0), "relief": (("day",), [0.0, relief], {"units": "%"})},
                                  coords={"day": [0.0, day]}))
        return out

    monkeypatch.setattr("painsim.course.run_course_batch", fake)


_COHORT = '''[experiment]
name = "c"
kind = "cohort"
model = "pain_pathway"
preset = "rtms_real_world"
n_patients = 4
seed = 3
batch_size = 4
protocol = "rtms_m1_20hz"
'''


def test_figures_writes_a_cohorts_patient_table_again(tmp_path, monkeypatch, capsys):
    """Was: `painsim figures COHORT_FOLDER` drew the figures only; the patients.csv that a rerun
    interrupted before its tables removed stayed missing."""
    _fake_course(monkeypatch)
    f = tmp_path / "c.toml"
    f.write_text(_COHORT)
    out = tmp_path / "out"
    assert main(["run", str(f), "--out", str(out), "--workers", "1"]) == 0
    table = out / "patients.csv"
    written = table.read_text()
    figures = sorted(p.name for p in out.glob("*.png"))
    assert figures and len(pd.read_csv(table, index_col=0)) == 4
    table.unlink()
    for p in out.glob("*.png"):
        p.unlink()
    capsys.readouterr()
    assert main(["figures", str(out)]) == 0
    assert table.read_text() == written   # the same table, from results.nc alone
    assert sorted(p.name for p in out.glob("*.png")) == figures
    assert str(table.resolve()) in capsys.readouterr().out
    other = tmp_path / "other"
    assert main(["figures", str(out / "results.nc"), "--out", str(other)]) == 0
    assert (other / "patients.csv").read_text() == written   # beside the figures, where they are drawn
