"""Model parameters refused at load, naming the dotted path, the value and what is allowed.

Each refusal was found by a review of the model checks (painsim.params.model): values that loaded
and then crashed a run (a bare numpy or Python error), ran nonsense (a membrane potential of
-65 MV), or exhausted the memory (a background rate of 1e9 Hz).  None of these tests simulates: a
refusal comes from ``with_params`` or ``load_model``, before any work.  Negative controls: the
valid value of the same path loads, and every built-in model still loads.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import painsim as ps
from painsim.errors import UnitError
from painsim.params import builtin_models

from refusals import refused


@pytest.fixture(scope="module")
def reference():
    """The reference model, gate_control: it defines every path."""
    return ps.load_model("gate_control")


def _write(tmp_path, body: str):
    """A model file extending gate_control with ``body`` (TOML text)."""
    path = tmp_path / "variant.toml"
    path.write_text('[model]\nextends = "gate_control"\n' + body)
    return path


# --- numpy scalars are numbers; NaN and infinity are refused before int() -----------------------

@pytest.mark.parametrize("path, value, expected", [
    ("afferents.C.n", np.int64(5), 5),
    ("afferents.C.n", np.float64(5.0), 5),
    ("dorsal_horn.pharmacology.gaba_block", np.float32(0.5), 0.5),
    ("afferents.antidromic_collision", np.bool_(False), False),
])
def test_numpy_scalars_are_taken_as_the_python_values_they_hold(reference, path, value, expected):
    """Was: refused as "not a number" (a count taken from a numpy array).  The value is stored as a
    plain Python value (the parameter tree is saved as JSON with results)."""
    model = reference.with_params({path: value})
    assert model.si(path) == expected
    assert type(model.si(path)) is type(expected)
    assert type(model.text(path)) in (bool, int, float)
    assert model.to_json()


def test_a_bool_is_still_not_a_number(reference):
    """Negative control: np.bool_ where a count is expected is refused, as a Python bool is."""
    for value in (True, np.bool_(True)):
        refused(lambda: reference.with_params({"afferents.C.n": value}), "afferents.C.n", UnitError)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), np.float64("nan"),
                                   pytest.param(10 ** 400, id="10**400")])
@pytest.mark.parametrize("path", ["afferents.C.n", "dorsal_horn.populations.n_projection"])
def test_a_count_that_is_not_finite_is_refused_by_name(reference, path, value):
    """Was: a bare ValueError or OverflowError from int(value), before the finiteness test."""
    e = refused(lambda: reference.with_params({path: value}), path)
    assert "finite" in e.allowed


def test_a_count_that_is_not_finite_in_a_model_file_is_refused_by_name(tmp_path):
    """The same from a TOML file (which writes nan and inf literally); negative control: a finite count
    in the same file loads."""
    for text in ("nan", "inf"):
        refused(lambda: ps.load_model(_write(tmp_path, f"[afferents.C]\nn = {text}\n")), "afferents.C.n")
    assert ps.load_model(_write(tmp_path, "[afferents.C]\nn = 12\n")).si("afferents.C.n") == 12


def test_a_count_that_is_not_finite_on_the_command_line_is_refused_before_any_work(capsys):
    """``painsim run ... --set afferents.C.n=1e999``: was a traceback (OverflowError); now exit code 2
    with the path named, before the run."""
    from painsim.cli import main
    assert main(["run", "gate_control", "--set", "afferents.C.n=1e999"]) == 2
    assert "afferents.C.n" in capsys.readouterr().err


# --- a known unit misspelt: the unit meant is named ---------------------------------------------

UNIT_SLIPS = [
    ("afferents.C.max_rate", "50 hz", "Hz", "Hz", "50 Hz"),
    ("afferents.C.max_rate", "1 KHz", "Hz", "kHz", "3 Hz"),
    ("network.dt", "0.1 msec", "ms", "ms", "0.05 ms"),
    ("dorsal_horn.neuron.capacitance", "100 PF", "pF", "pF", "100 pF"),
    ("consolidation.early_time", "3 hours", "h", "h", "3 h"),
]


@pytest.mark.parametrize("path, bad, unit, guess, good", UNIT_SLIPS)
def test_a_misspelt_unit_is_refused_naming_the_unit_meant(reference, path, bad, unit, guess, good):
    """Was: ModelFileError "neither a number with a unit nor an allowed word", discarding the
    suggestion units.parse had made.  Now a UnitError naming the path, the reference model's unit and
    the unit of that dimension meant.  Negative control: the value written right loads."""
    e = refused(lambda: reference.with_params({path: bad}), path, UnitError)
    assert e.expected_unit == unit
    assert f"did you mean {guess!r}" in str(e)
    assert reference.with_params({path: good}).si(path) > 0


def test_a_misspelt_unit_in_a_model_file_names_the_unit_and_the_file(tmp_path):
    """The same from a model file, which the hint names; negative control: text that is no quantity at
    all (code) is still refused as before, as a ModelFileError."""
    path = _write(tmp_path, '[afferents.C]\nmax_rate = "50 hz"\n')
    e = refused(lambda: ps.load_model(path), "afferents.C.max_rate", UnitError)
    assert "did you mean 'Hz'" in str(e) and str(path) in str(e)
    code = _write(tmp_path, '[pathology]\nsensitization = "__import__(\'os\')"\n')
    with pytest.raises(ps.errors.ModelFileError, match="never code"):
        ps.load_model(code)


# --- zeros that divide, signs that make no sense, whole numbers ---------------------------------

SINGLE_RANGES = [
    # path, refused values, a valid value (negative control)
    ("dorsal_horn.neuron.capacitance", ["0 pF", "-100 pF"], "150 pF"),          # the membrane equation divides by it
    ("cortex.neuron.capacitance", ["0 pF"], "150 pF"),
    ("dorsal_horn.windup.nmda_calcium_half", ["0 nS"], "0.1 nS"),             # a half-activation divides
    ("readout.map_pain_area", ["0 mm^2"], "18 mm^2"),                         # the map area is divided by it
    ("dorsal_horn.field.sensitivity_spread", [-0.1], 0.0),                    # a log SD: numpy refused scale < 0
    ("dorsal_horn.synapse.mg", [-1.0, "-1"], 0.0),                            # a concentration (mM)
    ("cortex.synapse.mg", [-0.5], "2"),
    ("dorsal_horn.field.coupling", [-1.0], 0.0),                              # a switch: 0 removes the term
    ("dorsal_horn.field.sensitivity_in", [-1.0], 0.5),
    ("dorsal_horn.field.sensitivity_ex", [-0.5], 0.0),
    ("dorsal_horn.field.sensitivity_pn", [-0.5], 0.2),
    ("cortex.m1.tms_threshold", [0.0, -1.0], 1.2),                            # <= 0: every neuron fires
    ("afferents.biophysical.skin_resistivity", ["-1 ohm*m", "0 ohm*m"], "3 ohm*m"),
    ("afferents.biophysical.dorsal_column_resistivity", ["0 ohm*m"], "2 ohm*m"),
    ("afferents.biophysical.dorsal_column_image_factor", [0.0, -1.0], 1.0),   # conductivity / image factor
    ("afferents.biophysical.skin_image_factor", [0.0], 1.5),
    ("readout.stt_exponent", [0.0, -1.0], 1.0),
    ("plasticity.c_pn.w_max", [0.0, -1.0], 1.5),
    ("consolidation.level_ratio", [-1, 0, 0.5], 1.5),                         # >= 1; need not be whole
    ("plasticity.tbs_calcium.spikes_per_burst", [2.5, -1, 0], 4),             # pulses per burst: whole, >= 1
]


@pytest.mark.parametrize("path, bad, good", SINGLE_RANGES)
def test_values_impossible_on_their_own_are_refused_by_name(reference, path, bad, good):
    """Was: each loaded, and crashed a run (a division by zero, numpy's scale < 0) or ran nonsense (a
    negative concentration, a negative threshold recruiting every neuron).  Now refused by with_params
    naming the path and what is allowed.  Negative control: a valid value of the same path loads."""
    for value in bad:
        refused(lambda: reference.with_params({path: value}), path, allowed=True)
    assert reference.with_params({path: good}).text(path) == good


def test_spikes_per_burst_loads_as_an_int():
    """The rule (painsim.plasticity.TBSCalcium) takes an int: a whole float loads as one."""
    model = ps.load_model("gate_control").with_params({"plasticity.tbs_calcium.spikes_per_burst": 4.0})
    assert model.si("plasticity.tbs_calcium.spikes_per_burst") == 4
    assert type(model.si("plasticity.tbs_calcium.spikes_per_burst")) is int


# --- a wrong SI prefix: physical limits by dimension ---------------------------------------------

PREFIX_SLIPS = [
    # path, the slip, the value meant (negative control), what the message says is allowed
    ("dorsal_horn.neuron.rest", "-65 MV", "-65 mV", "0.5 V"),                 # ran with no spike: pain 0
    ("dorsal_horn.neuron.threshold", "-50 kV", "-50 mV", "0.5 V"),
    ("cortex.synapse.e_inhibitory", "-80 V", "-80 mV", "0.5 V"),
    ("dorsal_horn.opioid.e_potassium", "-90 V", "-90 mV", "0.5 V"),
    ("dorsal_horn.abeta_pn.weight", "2 MS", "2 nS", "1 mS"),
    ("dorsal_horn.abeta_pn.weight", "2 mS", "2 nS", "1 mS"),
    ("cortex.m1.tms_weight", "30 S", "30 nS", "1 mS"),
    ("dorsal_horn.synapse.tau_ampa", "5 Ms", "5 ms", "1 day"),
    ("afferents.tjunction.C.tau_recovery", "10 Ms", "10 ms", "1 day"),
    ("dorsal_horn.background.rate", "1e9 Hz", "1028 Hz", "1 MHz"),           # was killed for want of 24 GB
    ("afferents.C.max_rate", "1e30 Hz", "3 Hz", "1 MHz"),                    # numpy crashed
    ("dorsal_horn.field.reference_rate", "10 MHz", "10 kHz", "1 MHz"),
]


@pytest.mark.parametrize("path, slip, meant, limit", PREFIX_SLIPS)
def test_a_wrong_si_prefix_is_refused_by_a_physical_limit(reference, path, slip, meant, limit):
    """Was: accepted and run.  The limits are by dimension (every potential within +-0.5 V, every rate
    <= 1 MHz, every conductance <= 1 mS) and for leaves named as time constants (<= 1 day), each far
    from any value a model uses (the built-in models load: test_every_builtin_model_still_loads).
    Negative control: the value meant loads."""
    e = refused(lambda: reference.with_params({path: slip}), path)
    assert limit in e.allowed
    assert reference.with_params({path: meant}).text(path) == meant


def test_the_limits_leave_the_largest_values_of_the_models_far_inside():
    """The largest potential, rate, conductance and time constant of every built-in model are at least
    100 x inside the limits (a potential: 3 x; Nernst potentials reach ~150 mV, the limit is 500 mV)."""
    from painsim.params.model import _ANY_TIME_CONSTANT, _DIM_LIMITS, MAX_TIME_CONSTANT
    volt, hz, siemens = (2, 1, -3, -1, 0, 0, 0), (0, 0, -1, 0, 0, 0, 0), (-2, -1, 3, 2, 0, 0, 0)
    largest = {volt: 0.0, hz: 0.0, siemens: 0.0, "tau": 0.0}
    for name in builtin_models():
        for path, leaf in ps.load_model(name).leaves.items():
            if leaf.dim is not None and tuple(leaf.dim) in largest:
                largest[tuple(leaf.dim)] = max(largest[tuple(leaf.dim)], abs(leaf.si))
            if _ANY_TIME_CONSTANT.match(path.rsplit(".", 1)[-1]):
                largest["tau"] = max(largest["tau"], leaf.si)
    assert 3 * largest[volt] <= _DIM_LIMITS[volt][1]
    assert 100 * largest[hz] <= _DIM_LIMITS[hz][1]
    assert 1000 * largest[siemens] <= _DIM_LIMITS[siemens][1]
    assert 1000 * largest["tau"] <= MAX_TIME_CONSTANT


# --- values impossible together ------------------------------------------------------------------

RELATIONS = [
    # the change, the path named, a valid change of the same keys (negative control)
    ({"dorsal_horn.neuron.threshold": "0 mV"}, "dorsal_horn.neuron.threshold",         # = e_excitatory:
     {"dorsal_horn.neuron.threshold": "-1 mV"}),                                        # ZeroDivisionError
    ({"dorsal_horn.neuron.threshold": "10 mV"}, "dorsal_horn.neuron.threshold",
     {"dorsal_horn.neuron.threshold": "-45 mV"}),
    ({"dorsal_horn.synapse.e_excitatory": "-50 mV"}, "dorsal_horn.neuron.threshold",
     {"dorsal_horn.synapse.e_excitatory": "-10 mV"}),
    ({"dorsal_horn.neuron.reset": "-40 mV"}, "dorsal_horn.neuron.reset",
     {"dorsal_horn.neuron.reset": "-55 mV"}),
    ({"dorsal_horn.neuron.reset": "-50 mV"}, "dorsal_horn.neuron.reset",
     {"dorsal_horn.neuron.reset": "-50 mV", "dorsal_horn.neuron.threshold": "-45 mV"}),
    ({"cortex.neuron.threshold": "0 mV"}, "cortex.neuron.threshold", {"cortex.neuron.threshold": "-45 mV"}),
    ({"cortex.neuron.reset": "-50 mV"}, "cortex.neuron.reset", {"cortex.neuron.reset": "-65 mV"}),
    ({"plasticity.c_pn.w_min": 2.5}, "plasticity.c_pn.w_min",
     {"plasticity.c_pn.w_min": 2.5, "plasticity.c_pn.w_max": 3.0}),
    ({"plasticity.m1_desc.w_max": 0.5, "plasticity.m1_desc.w_min": 0.8}, "plasticity.m1_desc.w_min",
     {"plasticity.m1_desc.w_max": 0.8, "plasticity.m1_desc.w_min": 0.8}),
]


@pytest.mark.parametrize("change, name, valid", RELATIONS)
def test_potentials_and_bounds_impossible_together_are_refused(reference, change, name, valid):
    """Was: a threshold at the excitatory reversal crashed every run (ZeroDivisionError in
    painsim.circuits.khz_field); a reset above threshold, or an efficacy floor above its ceiling,
    ran nonsense.  Now refused naming a key of the pair and the other's value.  Negative control:
    the same keys at possible values, changed together in one call, load."""
    refused(lambda: reference.with_params(change), name, allowed=True)
    model = reference.with_params(valid)
    assert all(model.text(path) == value for path, value in valid.items())


def test_potentials_impossible_together_in_a_model_file_are_refused(tmp_path):
    """The same relations hold for a model file (checked after its extends chain is applied)."""
    path = _write(tmp_path, '[dorsal_horn.neuron]\nthreshold = "0 mV"\n')
    refused(lambda: ps.load_model(path), "dorsal_horn.neuron.threshold")


# --- a variant of every model (--set) is checked against each model's own relations --------------

def test_a_variant_valid_for_the_model_loaded_is_not_refused_by_the_reference():
    """Was: ``painsim run pain_map --set body.painful_site=3`` refused, because ``overriding`` checked
    the values against gate_control (1 body site) although pain_pathway has 5.  Now the relation is
    left to each model's load: pain_pathway takes it, gate_control loaded in the same block refuses
    it by name."""
    from painsim.params import OVERRIDES_ENV, overriding
    with overriding({"body.painful_site": 3}):
        assert ps.load_model("pain_pathway").si("body.painful_site") == 3
        refused(lambda: ps.load_model("gate_control"), "body.painful_site")
    assert OVERRIDES_ENV not in os.environ


@pytest.mark.parametrize("variant, name, error", [
    ({"body.painfull_site": 3}, "body.painfull_site", ps.errors.UnknownKeyError),   # no such path
    ({"body.painful_site": -1}, "body.painful_site", ps.errors.ParameterError),     # a single-value range
    ({"afferents.C.max_rate": "50 hz"}, "afferents.C.max_rate", UnitError),         # a unit
    ({"afferents.C.n": float("inf")}, "afferents.C.n", ps.errors.ParameterError),
])
def test_a_variant_is_still_checked_before_the_block_runs(variant, name, error):
    """Negative control: a path that does not exist, a wrong unit and a value out of its own range are
    refused by ``overriding`` itself, before the block (and any work) runs."""
    from painsim.params import overriding

    def enter():
        with overriding(variant):
            raise AssertionError("the block ran")
    refused(enter, name, error)


#: Values the layers above refused only when a run read them, naming their own argument ('spacing',
#: 'window', 'dt', an internal amplitude) or the course engine's: refused at load by their path.
#: (path, bad value, a good value of the same path)
READ_LATE = [
    ("cortex.map.spacing", 0, "0.5 mm"),
    ("dorsal_column.volley_window", "0 ms", "1 ms"),
    ("dorsal_column.volley_fraction", 0, 0.25),
    ("afferents.biophysical.dt", "0 us", "5 us"),
    ("afferents.biophysical.dt", "6 us", "1 us"),            # the kernel's limit, 5 us
    ("dorsal_horn.field.reference_rate", "0 Hz", "5 kHz"),
    ("dorsal_horn.field.reference_width", "0 us", "60 us"),
    ("readout.stt_rate_50c", "0 Hz", "30 Hz"),
    ("readout.stt_base_celsius", 50.0, 34.0),                # the power law is read above it
    ("readout.heat_rating_1", -1.0, 0.0),                    # the 0-10 NRS
    ("consolidation.n_levels", 1, 3),
    ("consolidation.n_levels", 13, 12),
    ("consolidation.early_time", "0 s", "1 h"),
    ("consolidation.relapse_reference_rate", "0 Hz", "1 Hz"),
    ("dorsal_horn.opioid.tolerance_half_time", "0 s", "5 days"),
]


@pytest.mark.parametrize("path, bad, good", READ_LATE, ids=[f"{p}={b}" for p, b, _ in READ_LATE])
def test_values_a_run_refused_late_are_refused_at_load_by_their_path(path, bad, good):
    """Each was accepted by with_params and refused only inside a simulation, course or readout,
    under an internal name; negative control: a valid value of the same path loads."""
    model = ps.load_model("pain_pathway")
    refused(lambda: model.with_params({path: bad}), path)
    assert path in model.with_params({path: good}).leaves


def test_the_limits_moved_to_load_are_the_engines_own():
    """Two bounds copy a limit of a layer params may not import: the biophysical kernel's time step
    (painsim.fibers.kernel.DT_MAX) and the consolidation levels (painsim.course.consolidation
    .MAX_LEVELS); if either changes, the load-time bound must follow."""
    from painsim.course.consolidation import MAX_LEVELS
    from painsim.fibers.kernel import DT_MAX
    model = ps.load_model("pain_pathway")
    model.with_params({"afferents.biophysical.dt": f"{DT_MAX * 1e6!r} us",
                       "consolidation.n_levels": MAX_LEVELS})
    refused(lambda: model.with_params({"afferents.biophysical.dt": f"{DT_MAX * 1.01e6!r} us"}),
            "afferents.biophysical.dt")
    refused(lambda: model.with_params({"consolidation.n_levels": MAX_LEVELS + 1}), "consolidation.n_levels")


def test_a_callers_own_value_of_a_variant_path_wins_and_is_said():
    """An experiment's condition that sets a path the ``--set`` variant sets too ran with its own
    value while the result recorded the variant, without a word: the value is the caller's (a
    condition manipulates the variant) and a warning names both.  Negative control: overrides of
    other paths load silently over the variant."""
    import warnings
    with ps.params.overriding({"dorsal_horn.pharmacology.gaba_block": 1.0}):
        with pytest.warns(UserWarning, match="gaba_block = 0.0.*--set dorsal_horn.pharmacology.gaba_block=1.0"):
            model = ps.load_model("gate_control", {"dorsal_horn.pharmacology.gaba_block": 0.0})
        assert model.si("dorsal_horn.pharmacology.gaba_block") == 0.0
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            other = ps.load_model("gate_control", {"readout.bin": "5 ms"})
        assert other.si("dorsal_horn.pharmacology.gaba_block") == 1.0


def test_a_callers_value_equal_to_the_variants_is_not_said():
    """Was: ``painsim run gate_control --set dorsal_horn.pharmacology.gaba_block=1`` (the command of
    docs/pharmacology.md) warned that the "inhibition blocked" condition's own gaba_block = 1 replaced
    the variant's 1: nothing was replaced.  The same value given as text ("1") is the same too.
    Negative control: test_a_callers_own_value_of_a_variant_path_wins_and_is_said (a different value)."""
    import warnings
    with ps.params.overriding({"dorsal_horn.pharmacology.gaba_block": 1.0}), warnings.catch_warnings():
        warnings.simplefilter("error")
        for same in (1.0, 1, "1"):
            model = ps.load_model("gate_control", {"dorsal_horn.pharmacology.gaba_block": same})
            assert model.si("dorsal_horn.pharmacology.gaba_block") == 1.0
