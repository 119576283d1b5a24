"""Tolerance experiment files (``kind = "tolerance"``, painsim.files.tolerance; issue 15 part 5).

The file is a front end to :func:`painsim.tolerance.tolerance_course` (whose properties
test_tolerance.py checks): ``painsim run`` on a small file writes a result with units, a figure
and a summary; the closed-form efficacy curve passes through the measured test days, falls
during each session and recovers between them and after the course; the acute effect is that of
``tolerance_course`` called with the same patients (a direct call with the file's excess
occupancy, so no simulation is repeated).  Bad files are refused before any simulation, naming
the key: a misspelt key, test days not increasing, a sham (no opioid: nothing to tolerate), a
spinal model (no PAG/RVM), a site outside the body, a protocol given twice or not at all.
"""
import contextlib
import io
import json

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim.cli import main
from painsim.errors import ModelFileError, ParameterError, UnknownKeyError

SMALL = '''
[experiment]
name = "tol_small"
kind = "tolerance"
model = "healthy"
n_patients = 2
seed = 3
test_days = [0, 2, 9]
test_duration = "0.8 s"
{extra}

[protocol]
base = "tens_conventional"
days = [0, 1, 2]
session_duration = "20 min"
'''


def _write(tmp_path, extra="", body=SMALL, name="tol.toml"):
    path = tmp_path / name
    path.write_text(body.format(extra=extra))
    return path


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """``painsim run`` on the small file: (exit code, printed text, results, output folder)."""
    tmp = tmp_path_factory.mktemp("tol")
    path = _write(tmp)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["run", str(path), "--out", str(tmp / "out")])
    return code, buf.getvalue(), xr.load_dataset(tmp / "out" / "results.nc"), tmp / "out"


def test_the_file_runs_and_writes_a_result_with_units_a_figure_and_a_summary(ran):
    code, text, ds, out = ran
    assert code == 0
    assert list(ds.seed.values) == [3, 4] and list(ds.day.values) == [0, 2, 9]
    for name in ("efficacy", "effect", "opioid_effect", "relative_effect", "efficacy_course"):
        assert "units" in ds[name].attrs, name
    assert ds["effect"].attrs["units"] == "Hz"
    assert ps.labels.unlabelled(ds) == []        # every variable and coordinate (course_day) labelled
    assert (out / "tol_small_tolerance.png").exists()
    assert "day     2: efficacy" in text and "opioid part" in text
    assert "painsim: tolerance: 2 patients" in text  # said before the minute of simulation (it was silent)
    assert json.loads(ds.attrs["experiment_spec"])["experiment"]["kind"] == "tolerance"
    np.testing.assert_allclose(ds["relative_effect"].sel(day=0), 1.0)
    assert main(["figures", str(out / "results.nc"), "--out", str(out / "redrawn")]) == 0
    assert (out / "redrawn" / "tol_small_tolerance.png").exists()


def test_the_efficacy_curve_passes_through_the_test_days_and_recovers(ran):
    _, _, ds, _ = ran
    course = ds["efficacy_course"]
    for d in ds.day.values:  # the dense curve is the same closed form as the measured points
        np.testing.assert_allclose(course.sel(course_day=d), ds["efficacy"].sel(day=d), rtol=1e-12)
    mean = course.mean("seed")
    during = mean.sel(course_day=slice(0.0, 20 / 1440)).values
    assert during[-1] < during[0] == 1.0                           # the first session builds tolerance
    after = mean.sel(course_day=slice(2 + 20 / 1440, None)).values
    assert np.all(np.diff(after) > 0)                              # recovery once the sessions end
    assert float(ds["efficacy"].sel(day=9).mean()) < 1.0           # not yet complete a week later


def test_the_acute_effect_is_that_of_tolerance_course_for_the_same_patients(ran):
    _, _, ds, _ = ran
    protocol = ps.protocols.resolve({"base": "tens_conventional", "days": [0, 1, 2], "session_duration": "20 min"})
    direct = ps.tolerance.tolerance_course(ps.load_model("healthy"), protocol, [3, 4], [2],
                                           x=ds["excess_occupancy"].values, test_duration="0.8 s")
    np.testing.assert_array_equal(direct["pn_stimulated"].values[:, 0], ds["pn_stimulated"].sel(day=2).values)
    np.testing.assert_array_equal(direct["efficacy"].values[:, 0], ds["efficacy"].sel(day=2).values)


@pytest.mark.parametrize("extra, error, name", [
    ('n_patient = 2', UnknownKeyError, "n_patients"),
    ('test_site = 7', ParameterError, "test_site"),
    ('test_temperature = 70.0', ParameterError, "test_temperature"),
    ('test_temperature = 20.0', ParameterError, "test_temperature"),
    ('figure = "tolerance"\ntest_duration = "0.2 s"', ParameterError, "test_duration"),
    ('protocol = "tens_acupuncture"', ModelFileError, "protocol"),
])
def test_bad_files_are_refused_before_any_work_naming_the_key(tmp_path, extra, error, name):
    body = SMALL.replace('test_duration = "0.8 s"\n', "") if "test_duration" in extra else SMALL
    with pytest.raises(error, match=name):
        ps.files.load_experiment(_write(tmp_path, extra, body))


@pytest.mark.parametrize("days", ["[2, 0]", "[0, inf]", "[]", "[-1, 2]"])
def test_test_days_must_be_increasing_finite_days(tmp_path, days):
    with pytest.raises(ParameterError, match="test_days"):
        ps.files.load_experiment(_write(tmp_path, body=SMALL.replace("[0, 2, 9]", days)))


def test_an_unknown_table_is_refused_and_params_reach_the_model(tmp_path):
    with pytest.raises(UnknownKeyError, match="params"):
        ps.files.load_experiment(_write(tmp_path, body=SMALL + '\n[param]\n"dorsal_horn.opioid.tolerance_rate" = 0.0\n'))
    # [params] reach the model the file runs: with tolerance_rate = 0 no tolerance builds and the
    # efficacy stays 1 over the whole course (the negative control of the file's run, where it falls)
    body = SMALL.replace("n_patients = 2", "n_patients = 1").replace("[0, 2, 9]", "[0, 2]")
    ds = ps.run_experiment(_write(tmp_path, body=body + '\n[params]\n"dorsal_horn.opioid.tolerance_rate" = 0.0\n',
                                  name="params.toml"))
    assert ds.attrs["tolerance_rate_hz"] == 0.0
    np.testing.assert_array_equal(ds["efficacy_course"].values, 1.0)


def test_a_library_protocol_name_and_the_seed_option(tmp_path, ran):
    body = SMALL[:SMALL.index("[protocol]")].replace('kind = "tolerance"', 'kind = "tolerance"\nprotocol = "tens_conventional"')
    spec = ps.files.load_experiment(_write(tmp_path, body=body))
    assert ps.course.file_protocol(spec).name == "tens_conventional"
    both = SMALL.replace('kind = "tolerance"', 'kind = "tolerance"\nprotocol = "tens_conventional"')
    with pytest.raises(ModelFileError, match="give one"):
        ps.files.load_experiment(_write(tmp_path, body=both, name="both.toml"))
    # --seed moves the first patient; patients keep their own seed, so patient 4 is the same either way
    _, _, ds, out = ran
    moved = ps.run_experiment(_write(tmp_path, body=SMALL.replace("[0, 2, 9]", "[0]"), name="one.toml"), seed=4)
    assert list(moved.seed.values) == [4, 5]
    np.testing.assert_array_equal(moved["pn_heat"].sel(seed=4).values, ds["pn_heat"].sel(seed=4, day=[0]).values)


def test_a_sham_or_a_spinal_model_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="stimulation"):
        ps.files.load_experiment(_write(tmp_path, "", SMALL.replace('session_duration = "20 min"',
                                                                    'session_duration = "20 min"\nsham = true')))
    with pytest.raises(ParameterError, match="pathway"):
        ps.files.load_experiment(_write(tmp_path, "", SMALL.replace('model = "healthy"', 'model = "gate_control"')))
    no_protocol = SMALL[:SMALL.index("[protocol]")]
    with pytest.raises(ModelFileError, match="no protocol"):
        ps.files.load_experiment(_write(tmp_path, "", no_protocol))


def test_the_cli_reports_a_bad_file_in_one_line(tmp_path, capsys):
    assert main(["run", str(_write(tmp_path, "n_patient = 2")), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "n_patients" in err and not (tmp_path / "o").exists()


def test_n_patients_on_the_command_line_and_cohort_options_refused(tmp_path, capsys):
    """``--n-patients`` overrides the file's patients; ``--workers`` and ``--resume`` belong to cohorts
    and are refused in one line before any work, leaving no output folder."""
    f = _write(tmp_path, body=SMALL.replace("[0, 2, 9]", "[0]"))
    out = tmp_path / "n1"
    assert main(["run", str(f), "--out", str(out), "--n-patients", "1"]) == 0
    assert list(xr.load_dataset(out / "results.nc").seed.values) == [3]
    assert main(["run", str(f), "--out", str(tmp_path / "w"), "--workers", "2"]) == 2
    assert "--workers" in capsys.readouterr().err and not (tmp_path / "w").exists()
