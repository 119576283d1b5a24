"""The resumable store of cohorts (one netCDF file per patient)."""
from __future__ import annotations

import numpy as np
import xarray as xr

from painsim.parallel.store import PATIENT_LAYOUT, ResultStore


def _patient(k: int) -> xr.Dataset:
    return xr.Dataset({"relief": (("day",), np.arange(3.0) + k)}, coords={"day": [0, 1, 2]})


def test_a_written_item_equals_the_item_read_back(tmp_path):
    st = ResultStore(tmp_path, PATIENT_LAYOUT)
    st.open_items(["a"], resume=False)
    written = st.write((0,), _patient(0), fingerprint="a")
    xr.testing.assert_identical(written, st.read(0))
    assert written.attrs["painsim_version"]


def test_resume_skips_stray_files_and_removes_temporaries(tmp_path):
    st = ResultStore(tmp_path, PATIENT_LAYOUT)
    st.open_items(["a", "b"], resume=False)
    st.write((0,), _patient(0), fingerprint="a")
    (tmp_path / "patient_old.nc").write_text("not a patient")
    (tmp_path / ".patient_000001.nc.x1y2.tmp").write_text("half written")
    found = st.open_items(["a", "b"], resume=True)
    assert list(found) == [0]
    assert st.done() == {(0,)}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["patient_000000.nc", "patient_old.nc"]
