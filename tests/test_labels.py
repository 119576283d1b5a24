"""CF labels on disk: every variable and coordinate of every saved result kind
carries ``units`` (UDUNITS strings, "1" for dimensionless) and ``long_name``.

Each result kind is produced small (short windows, the spinal model) and saved
the way the CLI saves it; the files are read back and walked.
"""
from __future__ import annotations

import numpy as np
import pint  # a test dependency (pyproject.toml): checked once here, not skipped inside a walk
import pytest
import xarray as xr

import painsim as ps
from painsim import io
from painsim.labels import VOCABULARY, label, unlabelled

FAST = {"network.dt": "0.2 ms", "course.window": "1 s", "course.n_chunks": 1, "course.test_duration": "0.6 s"}


def _parse_units(units: str):
    """Parse a units string as UDUNITS would (pint understands the same grammar for
    the units painsim writes: "Hz", "m^2", "%", "day", "1")."""
    registry = _parse_units.registry = getattr(_parse_units, "registry", None) or pint.UnitRegistry()
    return registry.parse_expression("" if units == "1" else units.replace("^", "**"))


def _walk(path) -> list[str]:
    """Variables of a saved file without labels, or with units UDUNITS cannot read."""
    with xr.open_dataset(path, decode_times=False, decode_timedelta=False) as ds:
        bad = unlabelled(ds)
        for name, variable in ds.variables.items():
            if "units" in variable.attrs:
                try:
                    _parse_units(str(variable.attrs["units"]))
                except Exception:  # noqa: BLE001 - any parse failure is a wrong unit
                    bad.append(f"{name}: units {variable.attrs['units']!r}")
        return bad


def test_label_fills_what_is_missing_and_keeps_what_is_given():
    ds = xr.Dataset({"pn_rate": ((), 3.0), "pain": ((), 2.0, {"units": "1", "long_name": "mine"}),
                     "my_outcome": ((), 1.0)})
    out = label(ds.copy())
    assert out["pn_rate"].attrs["units"] == "Hz"
    assert out["pain"].attrs["long_name"] == "mine"                      # given labels win
    assert unlabelled(out) == ["my_outcome"]                             # unknown names stay visible
    assert "units" not in ds["pn_rate"].attrs                            # the input is not modified


def test_units_are_udunits_strings():
    for name, (units, _) in VOCABULARY.items():
        _parse_units(units)
    with pytest.raises(pint.errors.UndefinedUnitError):   # negative control: not a unit
        _parse_units("NRS 0-10")


def test_saved_simulation_and_experiment_results_are_labelled(tmp_path):
    model = ps.load_model("gate_control")
    res = ps.simulate(model, noxious=0.6, duration="0.3 s", seed=1)
    assert _walk(io.save(res, tmp_path / "simulate.nc")) == []
    spec = ps.files.load_experiment("gate_control")
    spec["experiment"]["duration"] = "0.3 s"
    for c in spec["condition"]:
        if "stimulus" in c:
            c["stimulus"]["duration"] = "0.3 s"
    exp = ps.run_experiment(spec)
    assert _walk(io.save(exp, tmp_path / "experiment.nc")) == []
    # negative control: the same file without the labelling step lacks them (the layers label their
    # own variables; the condition coordinate and the per-point variables the combination adds
    # are labelled when the result is saved)
    raw = tmp_path / "raw.nc"
    exp.to_netcdf(raw)
    assert {"condition", "noxious"} <= set(_walk(raw))
    assert "pn_rate" not in _walk(raw)


def test_saved_pathway_results_keep_every_layers_labels(tmp_path):
    """The pathway's layers (dorsal column nuclei, SRD, medial pathway, spino-PAG, ...) label
    their own variables; combining the conditions must keep those labels (it once dropped every
    variable's attrs, and only the names in the vocabulary were labelled again)."""
    spec = ps.files.load_experiment("pain_map")
    spec["experiment"]["duration"] = "0.2 s"
    spec["condition"] = spec["condition"][:2]
    exp = ps.run_experiment(spec)
    assert {"dcn_rate", "srd_rate", "unpleasantness", "spag_rate"} <= set(exp.data_vars)
    assert _walk(io.save(exp, tmp_path / "pathway.nc")) == []


def test_saved_course_and_cohort_results_are_labelled(tmp_path):
    model = ps.load_model("neuropathic").with_params(FAST)
    prot = ps.protocols.get("lfs_1hz").with_calendar([0, 1], 600.0)
    course = ps.run_course(model, prot, seed=1, follow_up_days=(5,), days=[3])
    path = io.save(course, tmp_path / "course.nc")
    assert _walk(path) == []
    with xr.open_dataset(path) as ds:
        assert ds.attrs["painsim_version"] == ps.__version__
    table = ps.cohort.sample(4, preset="default", seed=2)
    table["relief"] = np.linspace(0.0, 0.6, len(table))
    table["baseline_pain"] = 6.0
    for threshold in (30, 50):
        table[f"responder_{threshold}"] = table["relief"] >= threshold / 100
    cohort = ps.cohort.to_dataset(table, ps.cohort.statistics(table))
    assert _walk(io.save(cohort, tmp_path / "cohort.nc")) == []


def test_saved_sweep_results_are_labelled(tmp_path):
    spec = {"kind": "simulate", "model": "gate_control", "duration": "0.3 s", "noxious": 0.6, "seed": 1,
            "outcomes": ["pain", "pn_rate", "gate_index"],
            "parameters": {"dorsal_horn.pharmacology.gaba_block": [0.0, 1.0]}}
    ps.run_sweep(spec, store=tmp_path / "sweep", workers=0, progress=False)
    assert _walk(tmp_path / "sweep" / "result.nc") == []


def test_course_file_results_keep_their_provenance(tmp_path):
    """A course file with a sham arm: the saved result still names its plastic
    connections (the course figure's efficacy panel reads them) and keeps units."""
    f = tmp_path / "course.toml"
    f.write_text('[experiment]\nname = "tiny"\nkind = "course"\nmodel = "neuropathic"\nprotocol = "lfs_1hz"\n'
                 'seed = 1\nfollow_up_days = [5]\nsham = true\n[params]\n'
                 + "".join(f'"{k}" = {v!r}\n'.replace("'", '"') for k, v in FAST.items()))
    out = ps.course.run_course_file(f)
    assert "plastic_connections" in out.attrs
    assert list(out["arm"].values) == ["active", "sham"]
    path = io.save(out, tmp_path / "results.nc")
    assert _walk(path) == []
    with xr.open_dataset(path) as ds:
        assert ds.attrs["plastic_connections"] == out.attrs["plastic_connections"]


def test_files_saved_by_the_command_record_their_provenance(tmp_path):
    from painsim import cli
    f = tmp_path / "tiny.toml"
    f.write_text('[experiment]\nname = "tiny"\nkind = "conditions"\nmodel = "gate_control"\nduration = "0.3 s"\n'
                 'seed = 4\n[[condition]]\nlabel = "C input"\nnoxious = 0.6\n')
    out = tmp_path / "out"
    assert cli.main(["run", str(f), "--out", str(out)]) == 0
    with xr.open_dataset(out / "results.nc") as ds:
        assert ds.attrs["command"] == f"painsim run {f} --out {out}"
        assert ds.attrs["painsim_version"] == ps.__version__
        assert int(ds["seed"].values[0]) == 4 and "parameters" in ds and "experiment_spec" in ds.attrs
    assert _walk(out / "results.nc") == []
