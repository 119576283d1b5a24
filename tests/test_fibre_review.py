"""Afferent fibre layer and model loading, after a review (its scripts reproduced each problem).

* a 1 kHz train, the fastest the "fraction" model accepts, is followed by every recruited fibre
  (float rounding of the 1 ms gaps dropped 9-14 % of its pulses at the dead time);
* impossible afferent values (thresholds, threshold current, velocities, T-junction) are refused
  when a model is loaded or derived, naming the key, the value and the allowed range;
* the biophysical spike cache (and the threshold cache) see a changed node parameter;
* a model file that extends another without a name is named, in its parameter tree, as itself;
* a bare ``extends`` name that takes a built-in warns when a file of that name sits beside;
* (known limitation, documented) heat thresholds depend on the class size: a strict xfail.
"""
from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

import painsim as ps
import painsim.fibers.biophysical as bio
import painsim.fibers.population as popmod
from painsim.fibers import DEAD_TIME, FiberSet, afferent_input, apply_dead_time, cache_info, pinprick
from painsim.fibers.afferents import dead_time_mask
from painsim.fibers.cache import spike_key
from painsim.fibers.population import FiberPopulation
from painsim.fibers.rates import thermal_draw, threshold_rng
from painsim.fibers.registry import KHZ_PULSE_RATE, ThresholdFraction
from painsim.fibers.responses import HEAT_RESPONSE
from painsim.stimulation import tonic
from refusals import refused

DURATION = 0.2  # s


# ------------------------------------------------------------------ 1. dead time at exactly 1 kHz
def _khz_train(rate="1000 Hz"):
    return tonic(rate=rate, width="100 us", amplitude=3.0, duration=f"{DURATION} s", target="peripheral_nerve")


@pytest.fixture(scope="module")
def afferents():
    return ps.load_model("gate_control").section("afferents")


def test_the_fastest_fraction_train_is_exactly_one_pulse_per_dead_time():
    assert KHZ_PULSE_RATE == 1.0 / DEAD_TIME
    assert _khz_train().n_pulses == round(DURATION * KHZ_PULSE_RATE)


@pytest.mark.parametrize("cls", ["Abeta", "Adelta"])
def test_every_recruited_fibre_follows_every_pulse_of_a_1khz_train_at_the_electrode(afferents, cls):
    wf = _khz_train()
    fibers = FiberSet.from_model(afferents, 1)
    _, i = ThresholdFraction().fire(wf, fibers, cls, afferents, 1)
    counts = np.bincount(i, minlength=fibers.counts[cls])
    # amplitude 3.0 = 3 x the Aβ threshold: the fibres of thresholds up to it fire
    recruited = fibers.threshold[cls] <= 3.0 * afferents["Abeta"]["threshold"]
    assert recruited.any() and (counts > 0).tolist() == recruited.tolist()
    assert (counts[recruited] == wf.n_pulses).all(), counts


def test_every_recruited_fibre_follows_every_pulse_of_a_1khz_train_at_arrival(afferents):
    # Aβ and Aδ are silent at rest in gate_control: every arrival is a pulse's
    assert afferents["Abeta"]["spontaneous_rate"] == 0 and afferents["Adelta"]["spontaneous_rate"] == 0
    wf = _khz_train()
    fibers = FiberSet.from_model(afferents, 1)
    arrived = afferent_input(afferents, DURATION, 1, stimulus=wf, fibers=fibers)
    for cls in ("Abeta", "Adelta"):
        _, at_electrode = ThresholdFraction().fire(wf, fibers, cls, afferents, 1)
        recruited = np.unique(at_electrode)
        assert recruited.size
        delay = afferents["conduction_distance"] / fibers.velocity[cls]
        counts = np.bincount(arrived[cls].fibers, minlength=fibers.counts[cls])
        for f in recruited:  # every pulse that arrives within the simulation arrives
            assert counts[f] == np.sum(wf.onsets + delay[f] < DURATION), (cls, f)


@pytest.mark.parametrize("offset", [0.0, 0.3 / 47.3, 0.123456789])
def test_both_dead_time_passes_keep_a_1khz_train_whole(offset):
    onsets = _khz_train().onsets + offset  # a conduction delay adds its own rounding
    ids = np.zeros(onsets.size, np.int64)
    compiled = dead_time_mask(onsets, ids, DEAD_TIME)
    in_python = dead_time_mask.py_func(onsets.tolist(), ids.tolist(), DEAD_TIME)
    np.testing.assert_array_equal(compiled, in_python)
    assert compiled.all()
    assert apply_dead_time(onsets, ids, DEAD_TIME)[0].size == onsets.size


@pytest.mark.parametrize("shorter", [1e-7, 1e-6, 1e-4])
def test_a_train_faster_than_one_pulse_per_dead_time_still_loses_pulses(shorter):
    """Negative control: the tolerance covers float rounding only (gaps 100 x the tolerance short
    of the dead time are still inside it)."""
    onsets = np.arange(200) * (DEAD_TIME - shorter)
    ids = np.zeros(onsets.size, np.int64)
    compiled = dead_time_mask(onsets, ids, DEAD_TIME)
    np.testing.assert_array_equal(compiled, dead_time_mask.py_func(onsets.tolist(), ids.tolist(), DEAD_TIME))
    assert 0 < (~compiled).sum() and compiled.sum() < onsets.size
    kept = onsets[compiled]
    assert np.diff(kept).min() >= DEAD_TIME - 1e-9


# ------------------------------------------------------------------ 2. impossible model values
@pytest.fixture(scope="module")
def reference():
    return ps.load_model("gate_control")


@pytest.mark.parametrize("path, value, words", [
    ("afferents.C.threshold", -1.0, "> 0"),
    ("afferents.Abeta.threshold", 0.0, "> 0"),
    ("afferents.Abeta.threshold_current", "0 mA", "> 0"),
    ("afferents.C.velocity_min", "0 m/s", "> 0"),
    ("afferents.Adelta.velocity_max", "0 m/s", "> 0"),
    ("afferents.conduction_distance", "0 m", "> 0"),
    ("afferents.drg_distance", "0 m", "> 0"),
    ("afferents.tjunction.C.safety", 0.9, ">= 1"),
    ("afferents.tjunction.Abeta.load", -0.01, ">= 0"),
])
def test_an_impossible_afferent_value_is_refused_naming_key_value_and_range(reference, path, value, words):
    e = refused(lambda: reference.with_params({path: value}), path, allowed=True)
    assert repr(value) in str(e) and words in e.allowed


@pytest.mark.parametrize("overrides, name", [
    ({"afferents.C.velocity_min": "3 m/s"}, "afferents.C.velocity_min"),          # above its max, 2 m/s
    ({"afferents.drg_distance": "0.3 m"}, "afferents.drg_distance"),               # = conduction_distance
    ({"afferents.conduction_distance": "0.05 m"}, "afferents.drg_distance"),       # below drg_distance
])
def test_values_impossible_together_are_refused(reference, overrides, name):
    e = refused(lambda: reference.with_params(overrides), name, allowed=True)
    assert "max" in e.allowed or "conduction_distance" in e.allowed


@pytest.mark.parametrize("overrides", [
    {"afferents.C.velocity_min": "3 m/s", "afferents.C.velocity_max": "4 m/s"},   # the range moved at once
    {"afferents.C.velocity_min": "2 m/s"},                                          # min = max
    {"afferents.tjunction.C.safety": 1.0, "afferents.tjunction.C.load": 0.0},      # the boundaries
    {"afferents.C.threshold": 0.01, "afferents.Abeta.threshold_current": "1 uA"},
    {"afferents.drg_distance": "0.29 m"},
    {"dorsal_horn.neuron.threshold": "-50 mV"},                                      # another "threshold"
])
def test_possible_values_still_load(reference, overrides):
    reference.with_params(overrides)


def test_a_model_file_with_an_impossible_value_is_refused_at_load(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[model]\nextends = "gate_control"\n[afferents.C]\nvelocity_min = "3 m/s"\n')
    refused(lambda: ps.load_model(bad), "afferents.C.velocity_min")
    bad.write_text('[model]\nextends = "gate_control"\n[afferents.C]\nthreshold = -1.0\n')
    refused(lambda: ps.load_model(bad), "afferents.C.threshold")
    good = tmp_path / "good.toml"
    good.write_text('[model]\nextends = "gate_control"\n[afferents.C]\nvelocity_min = "3 m/s"\n'
                    'velocity_max = "4 m/s"\n')
    assert ps.load_model(good).si("afferents.C.velocity_min") == 3.0


def test_every_builtin_model_still_loads():
    for name in ps.builtin_models():
        assert ps.load_model(name).name == name


# ------------------------------------------------------------------ 3. the spike cache key
def _spikes(cache_dir):
    pop = FiberPopulation.sample({"Abeta": 3}, geometry="peripheral_nerve", seed=1)
    wf = tonic(rate="50 Hz", width="300 us", amplitude="1 mA", duration="0.04 s", target="peripheral_nerve")
    t, i = bio.afferent_spikes(wf, pop, seed=1, cache_dir=cache_dir)
    return t.size, cache_info["last_hit"]


def test_the_spike_cache_hits_while_the_node_is_unchanged(tmp_path):
    _spikes(tmp_path)
    assert _spikes(tmp_path)[1] is True


@pytest.mark.parametrize("change", ["class_params", "l_per_d"])
def test_a_changed_node_parameter_misses_the_spike_cache(tmp_path, monkeypatch, change):
    _spikes(tmp_path)
    if change == "class_params":
        old = popmod.CLASS_PARAMS["Abeta"]
        monkeypatch.setitem(popmod.CLASS_PARAMS, "Abeta", dataclasses.replace(old, v_th=old.v_th * 3))
    else:
        monkeypatch.setattr(popmod, "L_PER_D", popmod.L_PER_D / 3)
    assert _spikes(tmp_path)[1] is False
    assert _spikes(tmp_path)[1] is True           # the new trains are stored under the new key


def test_the_spike_key_holds_the_resting_motor_threshold_coil_current(monkeypatch):
    pop = FiberPopulation.sample({"Abeta": 3}, geometry="peripheral_nerve", seed=1)
    wf = tonic(rate="5 Hz", width="300 us", amplitude=1.0, duration="0.4 s", target="peripheral_nerve")
    before = spike_key(wf, pop, 1, 2e-6, None)
    assert spike_key(wf, pop, 1, 2e-6, None) == before
    monkeypatch.setattr(bio, "RMT_COIL_CURRENT", bio.RMT_COIL_CURRENT * 2)
    assert spike_key(wf, pop, 1, 2e-6, None) != before


def test_thresholds_follow_a_changed_node_parameter(monkeypatch):
    """The in-memory threshold cache is keyed by the population's key too: it returned the
    thresholds of the old node after the key had been computed once."""
    pop = FiberPopulation.sample({"Abeta": 3}, geometry="peripheral_nerve", seed=1)
    before = bio.threshold(pop, 300e-6)
    np.testing.assert_array_equal(bio.threshold(pop, 300e-6), before)   # unchanged node: the same
    old = popmod.CLASS_PARAMS["Abeta"]
    monkeypatch.setitem(popmod.CLASS_PARAMS, "Abeta", dataclasses.replace(old, v_th=old.v_th * 3))
    assert (bio.threshold(pop, 300e-6) > 2 * before).all()


# ------------------------------------------------------------------ 4. a child model's own name
def test_a_child_without_a_name_is_named_as_itself_in_its_tree(tmp_path):
    child = tmp_path / "my_child.toml"
    child.write_text('[model]\nextends = "neuropathic"\n[pathology]\nectopic_rate = "1 Hz"\n')
    m = ps.load_model(child)
    base = ps.load_model("neuropathic")
    assert m.name == "my_child" == m.text("model.name") == m.as_text_tree()["model"]["name"]
    description = m.text("model.description")
    assert description == "extends neuropathic: " + base.text("model.description")


def test_a_child_keeps_its_own_name_and_description(tmp_path):
    child = tmp_path / "file_name.toml"
    child.write_text('[model]\nname = "mine"\ndescription = "my own"\nextends = "neuropathic"\n')
    m = ps.load_model(child)
    assert m.name == "mine" == m.text("model.name") and m.text("model.description") == "my own"
    child.write_text('[model]\nname = "mine"\nextends = "neuropathic"\n')
    assert ps.load_model(child).text("model.description").startswith("extends neuropathic: ")


# ------------------------------------------------------------------ 5. a bare extends beside a file
def _child_beside(tmp_path, extends="neuropathic", local=True):
    if local:
        (tmp_path / "neuropathic.toml").write_text(
            '[model]\nname = "neuropathic_local"\nextends = "gate_control"\n[pathology]\nectopic_fraction = 0.9\n')
    child = tmp_path / "child.toml"
    child.write_text(f'[model]\nname = "child"\nextends = "{extends}"\n')
    return child


def test_a_bare_name_beside_a_file_of_that_name_warns_naming_both(tmp_path):
    child = _child_beside(tmp_path)
    with pytest.warns(UserWarning) as w:
        m = ps.load_model(child)
    text = " ".join(str(x.message) for x in w)
    assert str(tmp_path / "neuropathic.toml") in text
    assert str(ps.load_model("neuropathic").source) in text
    # the documented rule stands: the built-in is taken
    assert m.si("pathology.ectopic_fraction") == ps.load_model("neuropathic").si("pathology.ectopic_fraction")


@pytest.mark.parametrize("extends, local", [("neuropathic", False), ("neuropathic.toml", True)])
def test_no_warning_without_a_file_of_that_name_or_with_its_file_name(tmp_path, extends, local):
    child = _child_beside(tmp_path, extends, local)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = ps.load_model(child)
    assert (m.si("pathology.ectopic_fraction") == 0.9) is local


def test_builtin_models_beside_their_bases_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ps.builtin_models():
            ps.load_model(name)


# ------------------------------------------------------------------ 6. documented limitation
@pytest.mark.xfail(strict=True, reason="known limitation (docs/stimuli.md, 'Randomness and class size'): "
                                       "heat thresholds are drawn after n subtype uniforms, so they change "
                                       "with the class size; fixing it moves the validation table")
def test_heat_thresholds_of_the_first_fibres_stay_when_the_class_grows():
    _, _, small = thermal_draw(47.0, HEAT_RESPONSE["C"], 30, threshold_rng(1, "C", "heat"))
    _, _, large = thermal_draw(47.0, HEAT_RESPONSE["C"], 31, threshold_rng(1, "C", "heat"))
    np.testing.assert_array_equal(large[:30], small)


def test_what_is_stable_under_the_class_size_stays_so():
    """Negative control of the xfail: the heat subtypes and the pinprick thresholds of the first
    fibres are the same when the class grows."""
    _, sub_small, _ = thermal_draw(50.0, HEAT_RESPONSE["Adelta"], 15, threshold_rng(1, "Adelta", "heat"))
    _, sub_large, _ = thermal_draw(50.0, HEAT_RESPONSE["Adelta"], 16, threshold_rng(1, "Adelta", "heat"))
    np.testing.assert_array_equal(sub_large[:15], sub_small)
    np.testing.assert_array_equal(pinprick(128).fibre_rates("C", 31, 1)[:30], pinprick(128).fibre_rates("C", 30, 1))
