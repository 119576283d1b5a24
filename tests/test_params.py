"""Model files and parameters: loading, overrides and one clear error per kind of mistake."""
import pytest
from brian2 import Hz, mV, nS

import painsim as ps
from painsim.errors import ModelFileError, ParameterError, UnitError, UnknownKeyError


def test_builtin_models_load_and_presets_override_reference():
    names = ps.builtin_models()
    assert {"gate_control", "neuropathic", "healthy"} <= set(names)
    ref, neu = ps.load_model("gate_control"), ps.load_model("neuropathic")
    assert neu.si("pathology.disinhibition") > ref.si("pathology.disinhibition")
    # everything not overridden is inherited
    assert neu.si("dorsal_horn.inhibition.weight") == ref.si("dorsal_horn.inhibition.weight")


def test_units_are_converted_to_si():
    m = ps.load_model("gate_control")
    assert m.si("dorsal_horn.neuron.rest") == pytest.approx(-0.065)
    assert m.si("dorsal_horn.synapse.tau_ampa") == pytest.approx(5e-3)


def test_with_params_returns_new_model_and_accepts_quantities():
    m = ps.load_model("gate_control")
    m2 = m.with_params({"dorsal_horn.inhibition.weight": 3 * nS, "afferents.C.max_rate": "7 Hz",
                        "dorsal_horn.pharmacology.gaba_block": 1.0})
    assert m2.si("dorsal_horn.inhibition.weight") == pytest.approx(3e-9)
    assert m2.si("afferents.C.max_rate") == pytest.approx(7.0)
    assert m.si("dorsal_horn.pharmacology.gaba_block") == 0.0  # original untouched
    assert m.with_params({"dorsal_horn.inhibition.weight": 0.0}).si("dorsal_horn.inhibition.weight") == 0.0


def test_unknown_key_names_nearest():
    with pytest.raises(UnknownKeyError) as e:
        ps.load_model("gate_control").with_params({"dorsal_horn.inhibtion.weight": 0.0})
    assert e.value.suggestion == "dorsal_horn.inhibition.weight"
    assert "did you mean" in str(e.value)


def test_wrong_unit_names_expected_unit():
    with pytest.raises(UnitError) as e:
        ps.load_model("gate_control").with_params({"dorsal_horn.inhibition.weight": 5 * mV})
    assert "nS" in str(e.value) and "dorsal_horn.inhibition.weight" in str(e.value)
    with pytest.raises(UnitError):
        ps.load_model("gate_control").with_params({"afferents.C.max_rate": 3.0})  # missing unit


@pytest.mark.parametrize("path, value", [
    ("dorsal_horn.inhibition.p", 1.5),              # probability above 1
    ("pathology.disinhibition", -0.1),              # fraction below 0
    ("afferents.C.n", 2.5),                         # count not whole
    ("dorsal_horn.synapse.tau_ampa", "-5 ms"),      # negative time constant
    ("afferents.C.max_rate", -3 * Hz),              # negative rate
])
def test_out_of_range_values_rejected(path, value):
    with pytest.raises(ParameterError) as e:
        ps.load_model("gate_control").with_params({path: value})
    assert e.value.name == path


def test_unknown_builtin_model_suggests_name():
    with pytest.raises(UnknownKeyError, match="neuropathic"):
        ps.load_model("neuropatic")


def _write(tmp_path, text):
    p = tmp_path / "m.toml"
    p.write_text(text)
    return p


def test_bad_model_files(tmp_path):
    with pytest.raises(ModelFileError, match="invalid TOML"):
        ps.load_model(_write(tmp_path, "[model\nname = 1"))
    with pytest.raises(ModelFileError, match="never code"):
        ps.load_model(_write(tmp_path, '[model]\nextends = "gate_control"\n[pathology]\n'
                                       'sensitization = "__import__(\'os\').system(\'ls\')"\n'))
    with pytest.raises(ModelFileError, match="did you mean"):
        ps.load_model(_write(tmp_path, '[model]\nextends = "gate_control"\n[pathology]\nsensitisation = 2.0\n'))
    with pytest.raises(UnitError):
        ps.load_model(_write(tmp_path, '[model]\nextends = "gate_control"\n[afferents.C]\nmax_rate = "3 ms"\n'))
    with pytest.raises(ModelFileError, match="missing parameters"):
        ps.load_model(_write(tmp_path, '[model]\nname = "x"\n[pathology]\nsensitization = 1.0\n'))
    with pytest.raises(ModelFileError, match="not found"):
        ps.load_model(tmp_path / "nope.toml")


def test_user_model_file_extends_builtin(tmp_path):
    m = ps.load_model(_write(tmp_path, '[model]\nname = "mine"\nextends = "neuropathic"\n'
                                       '[pathology]\nsensitization = 2.0  # my source\n'))
    assert m.name == "mine"
    assert m.si("pathology.sensitization") == 2.0
    assert m.si("pathology.disinhibition") == ps.load_model("neuropathic").si("pathology.disinhibition")
