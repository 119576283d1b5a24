"""Model files and parameters: loading, overrides and one clear error per kind of mistake."""
import os
import re
import subprocess
import sys

import pytest
from brian2 import Hz, mV, nS

import painsim as ps
from painsim.errors import ModelFileError, ParameterError, UnitError, UnknownKeyError
from painsim.params import OVERRIDES_ENV, builtin_models, find_builtin, overriding


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


def test_a_misspelt_path_read_as_text_names_the_nearest_one_as_si_does():
    model = ps.load_model("gate_control")
    for read in (model.si, model.text):
        with pytest.raises(UnknownKeyError) as e:
            read("model.nam")
        assert e.value.suggestion == "model.name"
    assert model.text("model.name") == "gate_control"   # a valid path still reads


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
    ("dorsal_horn.opioid.presynaptic_c", 1.2),      # a receptor cannot suppress more than all release
    ("dorsal_horn.gabab.presynaptic_abeta", -0.5),  # nor a negative share of it
    ("descending.opioid", -0.005),                  # transmitter released per spike is never negative
    ("dorsal_horn.gabab.release", -0.02),
    ("dorsal_horn.populations.n_projection", 0),     # every pain readout reads the projection neurons
    ("body.n_sites", 0),                            # every stimulus lands at a body site
    ("afferents.Abeta.n", 100_000_000),             # a typo that would exhaust the memory before an error
])
def test_out_of_range_values_rejected(path, value):
    with pytest.raises(ParameterError) as e:
        ps.load_model("gate_control").with_params({path: value})
    assert e.value.name == path


def test_other_layers_may_be_empty_and_the_limit_itself_is_accepted():
    """Negative control of the bounds above: a layer without neurons is the model without it
    (dnic.n_neurons = 0, cortex.populations.n_m1 = 0), a fibre class may be absent, and the
    largest count, painsim.params.model.MAX_COUNT, is a count the file takes."""
    from painsim.params.model import MAX_COUNT
    m = ps.load_model("pain_pathway")
    for path, value in (("dnic.n_neurons", 0), ("cortex.populations.n_m1", 0), ("afferents.C.n", 0),
                        ("afferents.C.n", MAX_COUNT), ("dorsal_horn.populations.n_projection", 1)):
        assert m.with_params({path: value}).si(path) == value, path


@pytest.mark.parametrize("change, name", [
    ({"readout.bin": "0 s"}, "readout.bin"),                                # rates per bin of 0 s
    ({"readout.heat_rating_1": 5.0}, "readout.heat_rating_2"),              # the map's ratings fall
    ({"readout.heat_rating_2_celsius": 43.0}, "readout.heat_rating_2_celsius"),  # two points at 43 °C
    ({"body.painful_site": 3}, "body.painful_site"),                        # a site outside the body
])
def test_readout_settings_impossible_together_are_refused_by_with_params(change, name):
    """Was: accepted, then refused after the simulation under the readout's internal names ('bin',
    'ratings', 'rates', 'noxious site').  Negative control: the same keys at possible values load,
    and two keys changed together in one call are judged together."""
    with pytest.raises(ParameterError) as e:
        ps.load_model("gate_control").with_params(change)
    assert e.value.name == name
    ok = ps.load_model("gate_control").with_params({"readout.bin": "5 ms", "readout.heat_rating_1": 0.5,
                                                    "readout.heat_rating_2_celsius": 46.0})
    assert ok.si("readout.heat_rating_2_celsius") == 46.0
    assert ps.load_model("pain_pathway").with_params({"body.n_sites": 3, "body.painful_site": 1}).si("body.painful_site") == 1


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


# --- a model variant applied to every model loaded (painsim validate --set) -------------------------

def test_overriding_changes_every_loaded_model_and_is_undone_after():
    path = "dorsal_horn.synapse.c_gain"
    default = {name: ps.load_model(name).si(path) for name in ("gate_control", "healthy", "peripheral_neuropathic")}
    with overriding({path: 0.25}) as active:
        assert active == {path: 0.25}
        for name in default:
            assert ps.load_model(name).si(path) == 0.25
        # the caller's own overrides come after the variant's
        assert ps.load_model("healthy", overrides={path: 0.5}).si(path) == 0.5
        with overriding({"dorsal_horn.pharmacology.gaba_block": 1.0}) as nested:  # nested blocks add
            assert nested == {path: 0.25, "dorsal_horn.pharmacology.gaba_block": 1.0}
            m = ps.load_model("healthy")
            assert m.si(path) == 0.25 and m.si("dorsal_horn.pharmacology.gaba_block") == 1.0
        assert ps.load_model("healthy").si("dorsal_horn.pharmacology.gaba_block") == 0.0
    assert {name: ps.load_model(name).si(path) for name in default} == default
    assert OVERRIDES_ENV not in os.environ


@pytest.mark.parametrize("bad", [{"dorsal_horn.synapse.c_gian": 0.5}, {"dorsal_horn.background.rate": 1140},
                                 {"dorsal_horn.synapse.c_gain": -1.0}, {"dorsal_horn.synapse.c_gain": float("inf")},
                                 {"model.extends": "healthy"}])
def test_a_bad_variant_is_refused_before_anything_changes(bad):
    with pytest.raises((UnknownKeyError, UnitError, ParameterError)):
        with overriding(bad):
            pytest.fail("the block must not run")
    assert OVERRIDES_ENV not in os.environ


def test_worker_processes_load_the_same_variant():
    """Started inside the block, another Python process (a cohort's worker) loads the variant."""
    code = "import painsim; print(painsim.load_model('healthy').si('dorsal_horn.synapse.c_gain'))"
    with overriding({"dorsal_horn.synapse.c_gain": 0.375}):
        inside = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    outside = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(inside.stdout) == 0.375
    assert float(outside.stdout) == ps.load_model("healthy").si("dorsal_horn.synapse.c_gain") != 0.375


def test_a_malformed_environment_variable_is_named(monkeypatch):
    monkeypatch.setenv(OVERRIDES_ENV, "[1, 2]")
    with pytest.raises(ParameterError, match=OVERRIDES_ENV):
        ps.load_model("healthy")


#: Keys that name or label a model rather than set a parameter: the ``[model]`` table's
#: metadata and the pathology's categorical labels (read by cohorts and the QST profile).
_LABEL_KEYS = {"etiology", "stroke"}


def _uncommented_parameters(text: str) -> list[str]:
    """``section.key`` of every assignment line of a model file without an inline comment."""
    section, missing = "", []
    for line in text.splitlines():
        stripped = line.strip()
        header = re.match(r"^\[([^\]]+)\]", stripped)
        if header:
            section = header.group(1)
            continue
        assignment = re.match(r"^([A-Za-z0-9_\"'.-]+)\s*=", stripped)
        if not assignment or section == "model" or assignment.group(1) in _LABEL_KEYS:
            continue
        value = re.sub(r'"[^"]*"|\'[^\']*\'', "", stripped.split("=", 1)[1])  # a '#' inside a string is no comment
        comment = value.split("#", 1)[1].strip() if "#" in value else ""
        if not comment or re.fullmatch(r"chosen\W*", comment, re.IGNORECASE):  # "chosen" needs its why
            missing.append(f"{section}.{assignment.group(1)}")
    return missing


def test_every_parameter_of_the_model_files_says_where_it_comes_from():
    """The bar of models/: each parameter line cites its source or says "chosen: why" in an inline
    comment (a bare "chosen" is not enough).  Negative control: the checker finds a line without one,
    with a bare "chosen", and with a '#' only inside its string value."""
    assert _uncommented_parameters('[model]\nname = "x"\n[a]\nb = 1  # chosen: c\nd = 2\ne = 3  # chosen\n'
                                   'f = "#4"\n') == ["a.d", "a.e", "a.f"]
    missing = {name: _uncommented_parameters(find_builtin(name).read_text(encoding="utf-8"))
               for name in builtin_models()}
    assert len(missing) >= 10
    assert not any(missing.values()), {k: v for k, v in missing.items() if v}


def test_overriding_a_section_says_it_is_a_section():
    """``dorsal_horn.synapse = 3`` names no parameter: the error says it is a section and shows one
    of its parameters (an unknown path still suggests the nearest parameter)."""
    from painsim.errors import ParameterError, UnknownKeyError
    m = ps.load_model("gate_control")
    with pytest.raises(ParameterError, match="is a section of .*dorsal_horn.synapse.c_gain") as info:
        m.with_params({"dorsal_horn.synapse": 3})
    assert not isinstance(info.value, UnknownKeyError)
    with pytest.raises(UnknownKeyError, match="did you mean 'dorsal_horn.synapse.c_gain'"):
        m.with_params({"dorsal_horn.synapse.c_gian": 3})
