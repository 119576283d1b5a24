"""Units on disk after a review: a value's unit is never mislabelled.

* Validation tables hold values of different units in one variable (Hz for one target, °C for the
  next); CF has no per-element unit, and the single ``units = "1"`` they carried read a rate in Hz
  as dimensionless.  They now point to the variable of per-target units (``units_from``), and the
  labelling functions accept that in place of ``units``.
* A sweep axis written as plain numbers that mean degrees Celsius (a model's ``*_celsius``
  parameter) or days (a course's ``protocol.end_day``) was labelled ``"1"``.
"""
from __future__ import annotations

import numpy as np
import pint
import pytest
import xarray as xr

from painsim.labels import UNITS_FROM, label, unlabelled
from painsim.sweep import run_sweep
from painsim.validation.run import _dataset
from painsim.validation.seeds import across_seeds
from painsim.validation.targets import TARGETS

MIXED = ("model", "published", "published_low", "published_high", "published_direction_from")


def _validation(seed: int = 1) -> xr.Dataset:
    """A validation table of targets in different units (values made up: only the labels matter)."""
    by_unit = {}
    for t in TARGETS:
        by_unit.setdefault(t.units, t)
    assert len(by_unit) >= 3, "the registry has targets in at least three units"
    targets = list(by_unit.values())
    return _dataset(targets, np.arange(len(targets), dtype=float), np.zeros(len(targets)), seed)


def test_validation_values_name_their_per_target_units_instead_of_a_wrong_single_one():
    ds = _validation()
    units = [str(u) for u in ds["units"].values]
    assert len(set(units)) >= 3
    registry = pint.UnitRegistry()
    for u in units:  # each target's unit is one pint reads ("1" is dimensionless)
        registry.parse_expression("" if u == "1" else u.replace("^", "**"))
    for name in MIXED:
        assert "units" not in ds[name].attrs, name  # no single unit for values in several
        assert ds[name].attrs[UNITS_FROM] == "units", name
    assert unlabelled(ds) == []
    # negative control: a variable of one unit keeps its units attribute
    assert ds["published_direction"].attrs["units"] == "1"


def test_validation_across_seeds_names_per_target_units_too():
    runs = [_validation(1), _validation(2)]
    ds = across_seeds(runs)
    for name in ("model", "model_low", "model_high"):
        assert "units" not in ds[name].attrs and ds[name].attrs[UNITS_FROM] == "units", name
    assert ds["reproduced"].attrs["units"] == "1"  # a count: one unit
    assert unlabelled(ds) == []


def test_units_from_must_name_a_variable_of_the_dataset():
    ds = xr.Dataset({"model": (("target",), [1.0, 2.0], {UNITS_FROM: "units", "long_name": "value"}),
                     "units": (("target",), ["Hz", "degC"], {"units": "1", "long_name": "unit per target"})})
    assert unlabelled(ds) == []
    assert unlabelled(ds.drop_vars("units")) == ["model"]  # negative control: it points nowhere


def test_label_gives_no_single_unit_to_a_variable_whose_units_are_per_element():
    per_element = label(xr.Dataset({"model": (("t",), [1.0], {UNITS_FROM: "units"})}))
    assert "units" not in per_element["model"].attrs and per_element["model"].attrs["long_name"]
    plain = label(xr.Dataset({"model": (("t",), [1.0])}))  # negative control: the vocabulary's unit
    assert plain["model"].attrs["units"] == "1"


@pytest.fixture
def fake_course(monkeypatch):
    def fake_batch(models, protocol, seeds=None, **kw):
        return [xr.Dataset({"baseline_pain": ((), 6.0), "relief": (("day",), [0.0, 1.0], {"units": "%"})},
                           coords={"day": [0, 5]}) for _ in models]

    monkeypatch.setattr("painsim.course.run_course_batch", fake_batch)


def test_sweep_axes_of_plain_celsius_and_days_carry_their_units(fake_course, tmp_path):
    ds = run_sweep({"kind": "course", "protocol": "mpns", "model": "neuropathic", "outcomes": ["relief"],
                    "parameters": {"course.test_heat_celsius": [44, 45], "protocol.end_day": [90, 120],
                                   "pathology.disinhibition": [0.0, 0.5]}},
                   store=tmp_path / "s", workers=0, progress=False)
    assert ds["course.test_heat_celsius"].attrs["units"] == "degC"
    assert ds["protocol.end_day"].attrs["units"] == "d"
    np.testing.assert_array_equal(np.unique(ds["protocol.end_day"].values), [90.0, 120.0])  # stored in days
    assert ds["pathology.disinhibition"].attrs["units"] == "1"  # negative control: a dimensionless parameter


def test_a_sweep_figure_labels_a_day_axis_in_days_unscaled(fake_course, tmp_path):
    from painsim.plots.sweep import axis_label

    ds = run_sweep({"kind": "course", "protocol": "mpns", "model": "neuropathic", "outcomes": ["relief"],
                    "parameters": {"protocol.end_day": [90, 120], "protocol.session_duration": ["5 min", "10 min"]}},
                   store=tmp_path / "s", workers=0, progress=False)
    assert axis_label(ds, "protocol.end_day") == ("protocol.end_day (d)", 1.0)  # days are not seconds
    assert axis_label(ds, "protocol.session_duration") == ("protocol.session_duration (min)", 60.0)
