"""Robustness of resumable stores and sweeps against damaged files, changed presentation fields and
oversized worker counts (bugs found by a review hunt).  Each test has a negative control: the same
path with an intact file, or the same sweep without the change, behaves as before."""
from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from painsim.errors import ParameterError, SpecError
from painsim.parallel.store import PATIENT_LAYOUT, SWEEP_LAYOUT, ResultStore


def _patient(k: int) -> xr.Dataset:
    return xr.Dataset({"relief": (("day",), np.arange(3.0) + k)}, coords={"day": [0, 1, 2]})


def _stored_cohort(tmp_path):
    st = ResultStore(tmp_path, PATIENT_LAYOUT)
    st.open_items(["a", "b"], resume=False)
    st.write((0,), _patient(0), fingerprint="a")
    st.close()


@pytest.mark.parametrize("damage", ["", "[]", "{\"painsim\": ", "\"text\""])
def test_a_damaged_cohort_code_record_is_a_store_error_naming_it(tmp_path, damage):
    """An empty, cut-short or non-object code.json refuses the resume with a ParameterError that names
    the store and the file (not a JSONDecodeError / AttributeError); intact, it resumes (control)."""
    _stored_cohort(tmp_path)
    assert list(ResultStore(tmp_path, PATIENT_LAYOUT).open_items(["a", "b"], resume=True)) == [0]
    (tmp_path / "code.json").write_text(damage)
    with pytest.raises(ParameterError, match=r"parameter 'store'.*code\.json can be read") as info:
        ResultStore(tmp_path, PATIENT_LAYOUT).open_items(["a", "b"], resume=True)
    assert str(tmp_path) in str(info.value)


@pytest.mark.parametrize("code", ["abc", [1, 2], 3])
def test_a_sweep_spec_whose_code_record_is_no_object_is_refused_as_unreadable(tmp_path, code):
    """spec.json whose ``code`` is a string (list, number) is an unreadable store, refused with a
    SpecError naming spec.json; the intact record resumes (control)."""
    ResultStore(tmp_path, SWEEP_LAYOUT).open("k", {}, resume=False)
    ResultStore(tmp_path, SWEEP_LAYOUT).open("k", {}, resume=True)
    meta = tmp_path / "spec.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "code": code}))
    assert ResultStore(tmp_path, SWEEP_LAYOUT).refusal("k", True)[0] == "unreadable"
    with pytest.raises(SpecError, match=r"spec\.json can be read.*not a JSON object"):
        ResultStore(tmp_path, SWEEP_LAYOUT).open("k", {}, resume=True)


@pytest.mark.parametrize("content", ["{}", "[]", '{"data_vars": {}}',
                                     '{"coords": {}, "attrs": {}, "dims": {}, "data_vars": {"x": {"dims": []}}}'])
def test_a_part_that_is_valid_json_but_no_result_is_set_aside(tmp_path, content):
    """A sweep part holding ``{}`` (or another JSON value that is no stored Dataset) is not done: open()
    moves it into corrupt/ with a warning, so the point is computed again instead of read as NaN.
    Control: an intact part next to it stays done."""
    st = ResultStore(tmp_path, SWEEP_LAYOUT)
    st.open("k", {}, resume=False)
    good = xr.Dataset({"pain": ((), 1.5)}, attrs={"point": 0, "repeat": 0})
    st.write((0, 0), good)
    st.write((1, 0), good)
    st.close()
    (tmp_path / "parts" / "p0000001_r0000.json").write_text(content)
    st = ResultStore(tmp_path, SWEEP_LAYOUT)
    with pytest.warns(RuntimeWarning, match="p0000001_r0000.json cannot be read"):
        st.open("k", {}, resume=True)
    assert st.done() == {(0, 0)}
    assert (tmp_path / "corrupt" / "p0000001_r0000.json").read_text() == content
    xr.testing.assert_identical(st.read(0, 0), good)
    st.close()
