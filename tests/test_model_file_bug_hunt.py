"""Findings of a bug hunt in painsim.params: overrides given as brian2 quantities or numpy numbers,
the text a quantity is kept as, a leaf written as a plain 0, one value written in two units, the
name and description of a model, and the base a model file extends."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import xarray as xr
from brian2 import Hz, meter, ms, ohm, second

import painsim as ps
from painsim.analysis.pain_maps import condition_param
from painsim.errors import ModelFileError, PathError, UnitError
from painsim.params import flatten, model_overrides, overriding
from painsim.units import parse
from refusals import refused

DT, VMIN = "network.dt", "afferents.Abeta.velocity_min"
RHO = "afferents.biophysical.dorsal_column_resistivity"


@pytest.fixture(scope="module")
def ref():
    return ps.load_model("gate_control")


def _write(path, text):
    path.write_text(text)
    return path


# ------------------------------------------------------------ 1. overriding() with quantities, numpy numbers
def test_overriding_keeps_quantities_and_numpy_numbers_as_json():
    with overriding({DT: 0.05 * ms}):  # was a bare TypeError: Quantity is not JSON serializable
        assert model_overrides() == {DT: "0.05 ms"}
        assert ps.load_model("gate_control").si(DT) == float(0.05 * ms) == parse("0.05 ms")[0]
    values = {"afferents.Abeta.n": np.int64(5), "dorsal_horn.pharmacology.gaba_block": np.float32(0.5),
              "afferents.antidromic_collision": np.bool_(False)}
    with overriding(values):
        stored = model_overrides()
        assert stored == {"afferents.Abeta.n": 5, "dorsal_horn.pharmacology.gaba_block": 0.5,
                          "afferents.antidromic_collision": False}
        assert [type(stored[k]) for k in values] == [int, float, bool]
        m = ps.load_model("gate_control")
        assert m.si("afferents.Abeta.n") == 5 and m.si("afferents.antidromic_collision") is False
    # negative controls: a wrong unit or a list is still refused, and nothing is left in force
    refused(lambda: overriding({DT: 0.05 * meter}).__enter__(), DT, UnitError)
    refused(lambda: overriding({"afferents.Abeta.n": [5]}).__enter__(), "afferents.Abeta.n")
    assert model_overrides() == {}


# ------------------------------------------------------------ 2. a quantity's text reads back
@pytest.mark.parametrize("path, value, text", [(VMIN, 40 * meter / second, "40 m/s"),
                                               (RHO, 1.67 * ohm * meter, "1.67 ohm*m"),
                                               (DT, 0.05 * ms, "0.05 ms"),
                                               (DT, 0.1 * ms / 3, None)])
def test_a_quantity_is_kept_as_text_in_the_models_unit(ref, path, value, text):
    m = ref.with_params({path: value})
    if text is not None:  # was '40. m s^-1', '1.67 m^3 kg s^-3 A^-2'
        assert m.text(path) == text
    assert m.si(path) == float(value)  # the value itself is as before
    assert ref.with_params({path: m.text(path)}).si(path) == m.si(path)  # the text reads back, bit for bit


def test_a_results_parameters_reload(ref):
    m = ref.with_params({VMIN: 40 * meter / second, RHO: 1.67 * ohm * meter})
    stored = flatten(json.loads(m.to_json()))  # the "parameters" attribute of a result
    again = ref.with_params({k: v for k, v in stored.items() if not k.startswith("model.")})
    assert all(again.si(k) == m.si(k) for k in m.keys())
    ds = xr.Dataset({"parameters": (("condition",), np.array([m.to_json()], dtype=object))})
    assert condition_param(ds, 0, VMIN) == 40.0
    assert ref.with_params({VMIN: "4000 cm/s"}).text(VMIN) == "4000 cm/s"  # negative control: text as written


# ------------------------------------------------------------ 3. a leaf written as a plain 0
def test_a_leaf_written_as_zero_takes_its_unit(tmp_path):
    path = _write(tmp_path / "quiet.toml", '[model]\nextends = "gate_control"\n'
                                           '[afferents.Abeta]\nspontaneous_rate = 0\n')
    m = ps.load_model(path)
    err = refused(lambda: m.with_params({"afferents.Abeta.spontaneous_rate": 5}),
                  "afferents.Abeta.spontaneous_rate", UnitError)
    assert err.expected_unit == "Hz" and "plain number" not in str(err)  # was "a plain number without a unit"
    assert m.with_params({"afferents.Abeta.spontaneous_rate": "5 Hz"}).si("afferents.Abeta.spontaneous_rate") == 5.0
    assert m.with_params({"afferents.Abeta.spontaneous_rate": 5 * Hz}).text("afferents.Abeta.spontaneous_rate") == "5 Hz"
    # negative control: a dimensionless leaf still takes a plain number
    err = refused(lambda: m.with_params({"dorsal_horn.pharmacology.gaba_block": "5 Hz"}),
                  "dorsal_horn.pharmacology.gaba_block", UnitError)
    assert err.expected_unit == "1"


# ------------------------------------------------------------ 4. one value in two units
def _variant_warnings(caller_value):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with overriding({DT: "0.05 ms"}):
            ps.load_model("gate_control", overrides={DT: caller_value})
    return [str(w.message) for w in caught if "model variant" in str(w.message)]


def test_the_same_value_in_two_units_is_not_said_to_differ():
    assert parse("50 us")[0] != parse("0.05 ms")[0]  # a rounding apart: the case of the finding
    assert _variant_warnings("50 us") == []
    assert len(_variant_warnings("60 us")) == 1  # negative control: a different value is said


# ------------------------------------------------------------ 5. with_params on the name and description
@pytest.mark.parametrize("path, value", [("model.name", "foo"), ("model.description", 5),
                                         ("model.description", "mine")])
def test_with_params_refuses_the_name_and_description(ref, path, value):
    err = refused(lambda: ref.with_params({path: value}), path, allowed=True)
    assert "one of None" not in str(err) and "name, description" in str(err)
    refused(lambda: overriding({path: value}).__enter__(), path)  # as overriding() does
    assert ref.name == ref.text("model.name") == "gate_control"  # negative control: still read


# ------------------------------------------------------------ 6. a file's name and description are text
@pytest.mark.parametrize("line, key", [("name = 5", "model.name"), ("description = true", "model.description")])
def test_a_files_name_and_description_must_be_text(tmp_path, line, key):
    path = _write(tmp_path / "odd.toml", f'[model]\n{line}\nextends = "gate_control"\n')
    err = refused(lambda: ps.load_model(path), key)
    assert str(path) in str(err)
    ok = _write(tmp_path / "fine.toml", '[model]\nname = "five"\ndescription = "text"\nextends = "gate_control"\n')
    assert ps.load_model(ok).name == "five"  # negative control


# ------------------------------------------------------------ 7. the base of a model file
def test_an_absolute_base_not_found_names_the_extending_file(tmp_path):
    path = _write(tmp_path / "child.toml", '[model]\nextends = "/nonexistent/base.toml"\n')
    with pytest.raises(ModelFileError, match="child.toml"):
        ps.load_model(path)
    missing = _write(tmp_path / "other.toml", '[model]\nextends = "nothere.toml"\n')
    with pytest.raises(ModelFileError, match="other.toml"):  # negative control: a relative one already did
        ps.load_model(missing)


def test_a_base_that_is_a_folder_names_the_extending_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    path = _write(tmp_path / "child.toml", '[model]\nextends = "sub"\n')
    with pytest.raises(PathError, match="child.toml"):
        ps.load_model(path)
    absolute = _write(tmp_path / "abs.toml", f'[model]\nextends = "{tmp_path / "sub"}"\n')
    with pytest.raises(PathError, match="abs.toml"):
        ps.load_model(absolute)
