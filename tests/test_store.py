"""The resumable store of cohorts (one netCDF file per patient)."""
from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from painsim import version
from painsim.errors import ParameterError, SpecError
from painsim.parallel.store import PATIENT_LAYOUT, SWEEP_LAYOUT, ResultStore


def _patient(k: int) -> xr.Dataset:
    return xr.Dataset({"relief": (("day",), np.arange(3.0) + k)}, coords={"day": [0, 1, 2]})


def test_a_written_item_equals_the_item_read_back(tmp_path):
    st = ResultStore(tmp_path, PATIENT_LAYOUT)
    st.open_items(["a"], resume=False)
    written = st.write((0,), _patient(0), fingerprint="a")
    xr.testing.assert_identical(written, st.read(0))
    assert written.attrs["painsim_version"]
    assert written.attrs["painsim_source"] == version.source_digest()  # the code, not only its version


def test_resume_skips_stray_files_and_removes_temporaries(tmp_path):
    st = ResultStore(tmp_path, PATIENT_LAYOUT)
    st.open_items(["a", "b"], resume=False)
    st.write((0,), _patient(0), fingerprint="a")
    (tmp_path / "patient_old.nc").write_text("not a patient")
    (tmp_path / ".patient_000001.nc.x1y2.tmp").write_text("half written")
    found = st.open_items(["a", "b"], resume=True)
    assert list(found) == [0]
    assert st.done() == {(0,)}
    st.close()  # as a run ends: its lock file goes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["code.json", "patient_000000.nc", "patient_old.nc"]


def _other_code(monkeypatch, **changes):
    """Pretend the running code differs from the code of now in ``changes``."""
    now = version.code_fingerprint()
    other = {**now, **changes}
    monkeypatch.setattr("painsim.parallel.store.code_fingerprint", lambda: other)


def _stored_cohort(tmp_path):
    st = ResultStore(tmp_path, PATIENT_LAYOUT)
    st.open_items(["a", "b"], resume=False)
    st.write((0,), _patient(0), fingerprint="a")
    return st


def test_a_cohort_store_records_the_code_that_computed_it(tmp_path):
    _stored_cohort(tmp_path)
    assert json.loads((tmp_path / "code.json").read_text()) == version.code_fingerprint()


@pytest.mark.parametrize("changes, named", [
    ({"source": "0" * 24}, "painsim source"),
    ({"painsim": "9.9.9"}, "painsim 0"),
    ({"libraries": {**version.library_versions(), "brian2": "0.0.1"}}, "brian2"),
])
def test_a_cohort_is_not_resumed_under_other_code(tmp_path, monkeypatch, changes, named):
    """Every item's own fingerprint matches (same patients), yet the code that would compute the
    rest differs: refused, naming what changed; the same code resumes (negative control)."""
    _stored_cohort(tmp_path)
    assert list(ResultStore(tmp_path, PATIENT_LAYOUT).open_items(["a", "b"], resume=True)) == [0]
    _other_code(monkeypatch, **changes)
    with pytest.raises(ParameterError, match=named):
        ResultStore(tmp_path, PATIENT_LAYOUT).open_items(["a", "b"], resume=True)


def test_a_cohort_store_without_a_code_record_is_not_resumed(tmp_path):
    _stored_cohort(tmp_path)
    (tmp_path / "code.json").unlink()
    with pytest.raises(ParameterError, match="record of the code"):
        ResultStore(tmp_path, PATIENT_LAYOUT).open_items(["a", "b"], resume=True)


def test_a_store_that_finished_nothing_takes_the_code_of_now(tmp_path, monkeypatch):
    """Opening writes nothing (a refused run leaves an empty folder); a run that kept no item leaves
    no result of its code, so the next run records its own with its first item."""
    ResultStore(tmp_path, PATIENT_LAYOUT).open_items(["a"], resume=False)
    assert list(tmp_path.iterdir()) == []
    _stored_cohort(tmp_path)
    (tmp_path / "patient_000000.nc").unlink()  # as if the first run had kept nothing
    _other_code(monkeypatch, source="1" * 24)
    st = ResultStore(tmp_path, PATIENT_LAYOUT)
    st.open_items(["a"], resume=True)
    st.write((0,), _patient(0), fingerprint="a")
    assert json.loads((tmp_path / "code.json").read_text())["source"] == "1" * 24


def test_a_sweep_is_not_resumed_under_other_code(tmp_path, monkeypatch):
    ResultStore(tmp_path, SWEEP_LAYOUT).open("k", {}, resume=False)
    assert json.loads((tmp_path / "spec.json").read_text())["code"] == version.code_fingerprint()
    ResultStore(tmp_path, SWEEP_LAYOUT).open("k", {}, resume=True)  # the same code: continued
    _other_code(monkeypatch, source="0" * 24)
    with pytest.raises(SpecError, match="painsim source"):
        ResultStore(tmp_path, SWEEP_LAYOUT).open("k", {}, resume=True)


def test_fingerprint_changes_names_each_difference_and_nothing_else():
    now = version.code_fingerprint()
    assert version.fingerprint_changes(now, dict(now)) == []
    other = {**now, "source": "x", "libraries": {**now["libraries"], "numpy": "1.0"}}
    changes = version.fingerprint_changes(now, other)
    assert len(changes) == 2 and changes[0].startswith("painsim source") and changes[1].startswith("numpy")
