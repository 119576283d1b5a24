"""Findings of the fibres / spike-cache bug hunt:

1. a copy made with ``dataclasses.replace`` (a Waveform, a FiberPopulation, a Model, a SweepSpec)
   memoises its own key, sections or design: it shared the original's dict, so its key was the
   original's and the disk cache served the original's spikes;
2. a biophysical distance range whose min lies above its max (given, or the default of
   painsim.fibers) is refused naming ``afferents.biophysical.<geometry>_distance_min`` (was
   ``distance_range``), when the population is drawn (not at load: a user's min may meet the
   protocol's max, tests/test_experiment_file_review.py);
3. under biophysical recruitment ``afferent_input(fibers=...)`` refuses a FiberSet whose counts
   differ from the model's (a bare IndexError, or fibres silently never stimulated);
4. ``cache_dir=""`` is the default folder, as an empty ``$PAINSIM_CACHE`` is (it was the cwd);
5. cache files get the mode of any new file under the umask (mkstemp's 0600 before).
"""
import dataclasses
import os

import numpy as np
import pytest

import painsim as ps
from painsim.fibers import FiberSet, afferent_input, afferent_spikes, population_for
from painsim.fibers.cache import cache_directory
from painsim.stimulation import tonic
from painsim.sweep import make_spec
from refusals import refused


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private spike cache (``$PAINSIM_CACHE``) and a working directory apart from it."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("PAINSIM_CACHE", str(folder))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return folder


def _wf(amplitude="0.4 mA", target="peripheral_nerve", **kw):
    return tonic(rate="50 Hz", width="200 us", amplitude=amplitude, duration="0.05 s", target=target, **kw)


# ------------------------------------------------------------------ 1. replace copies memoise their own
def test_a_replaced_waveform_has_its_own_key_and_spikes(cache):
    wf = _wf()
    pop = population_for(wf, ps.load_model("gate_control"), 1)
    afferent_spikes(wf, pop, seed=1)
    wf2 = dataclasses.replace(wf, amplitudes=wf.amplitudes * 10)
    assert wf2.key() != wf.key()
    assert wf2.key(amplitudes=False) == wf.key(amplitudes=False)
    got = afferent_spikes(wf2, pop, seed=1)[0]
    assert np.array_equal(got, afferent_spikes(wf2, pop, seed=1, cache_dir=False)[0])
    assert len(got) > len(afferent_spikes(wf, pop, seed=1)[0])
    # negative control: a copy equal in content (the label is not in the key) keeps the key
    assert dataclasses.replace(wf, label="other").key() == wf.key()


def test_a_replaced_population_has_its_own_key_and_spikes(cache):
    wf = _wf()
    pop = population_for(wf, ps.load_model("gate_control"), 1)
    afferent_spikes(wf, pop, seed=1)
    pop2 = dataclasses.replace(pop, distance=pop.distance * 0.3)
    assert pop2.key() != pop.key()
    got = afferent_spikes(wf, pop2, seed=1)
    fresh = afferent_spikes(wf, pop2, seed=1, cache_dir=False)
    assert all(np.array_equal(a, b) for a, b in zip(got, fresh))
    assert dataclasses.replace(pop, geometry="other").key() == pop.key()  # negative control


def test_a_replaced_model_reads_its_own_sections():
    model = ps.load_model("gate_control")
    other = model.with_params({"afferents.C.n": model.si("afferents.C.n") + 1})
    assert model.section("afferents")["C"]["n"] != other.section("afferents")["C"]["n"]
    copy = dataclasses.replace(model, leaves=other.leaves)
    assert copy.section("afferents")["C"]["n"] == other.section("afferents")["C"]["n"]
    assert model.section("afferents")["C"]["n"] == model.si("afferents.C.n")  # control: the original's own


def test_a_replaced_sweep_spec_draws_its_own_design():
    spec = make_spec({"sweep": {"name": "copies", "model": "gate_control", "duration": "0.1 s", "seeds": [1],
                                "outcomes": ["pn_rate"]},
                      "parameters": {"noxious": {"values": [0.1, 0.2]}}})
    assert len(spec.points()) == 2
    wider = dataclasses.replace(spec, axes=[dataclasses.replace(spec.axes[0], values=[0.1, 0.2, 0.3])])
    assert len(wider.points()) == 3
    assert len(dataclasses.replace(spec, description="x").points()) == 2  # negative control


# ------------------------------------------------------------------ 2. distance ranges min <= max
@pytest.mark.parametrize("key, value, target, magnetic", [
    ("afferents.biophysical.peripheral_nerve_distance_min", "5 mm", "peripheral_nerve", False),
    ("afferents.biophysical.magnetic_distance_min", "40 mm", "peripheral_nerve", True),
    ("afferents.biophysical.skin_distance_max", "1 mm", "skin", False)])
def test_a_distance_min_above_its_max_is_refused_naming_the_model_key(key, value, target, magnetic):
    model = ps.load_model("gate_control")
    wf = (tonic(rate="20 Hz", width="300 us", amplitude="1000 A", duration="0.05 s", target=target,
                modality="magnetic") if magnetic else _wf(target=target))
    name = key.replace("_max", "_min")  # both in the model: the min is named, as for velocities
    err = refused(lambda: population_for(wf, model.with_params({key: value}), 1), name, allowed=True)
    assert name.replace("_min", "_max") in str(err.allowed)
    # negative controls: a value within the range, and the whole range moved in one call
    population_for(wf, model.with_params({key: "1 mm" if key.endswith("_min") else "10 mm"}), 1)
    moved = population_for(wf, model.with_params({name: "50 mm", name.replace("_min", "_max"): "60 mm"}), 1)
    assert moved.distance.min() >= 50e-3


def test_a_distance_min_above_the_default_max_is_refused_naming_the_model_key():
    wf = _wf(target="drg")
    params = ps.load_model("gate_control").section("afferents")
    params["biophysical"]["drg_distance_min"] = 5e-3  # the drg defaults (0.5-3 mm) live in painsim.fibers
    err = refused(lambda: population_for(wf, params, 1), "afferents.biophysical.drg_distance_min", allowed=True)
    assert "default" in str(err)
    params["biophysical"]["drg_distance_min"] = 1e-3  # negative control
    assert population_for(wf, params, 1).distance.min() >= 1e-3


# ------------------------------------------------------------------ 3. a FiberSet of other counts
def test_biophysical_recruitment_refuses_a_fiberset_of_other_counts(cache):
    model = ps.load_model("gate_control").with_params({"afferents.recruitment": "biophysical"})
    params = model.section("afferents")
    wf = _wf()
    for change in (-1, +1):
        other = dict(params, Abeta=dict(params["Abeta"], n=params["Abeta"]["n"] + change))
        fibers = FiberSet.from_model(other, 3)
        err = refused(lambda: afferent_input(params, 0.05, 3, stimulus=wf, fibers=fibers), "fibers", allowed=True)
        assert str(params["Abeta"]["n"]) in str(err.allowed)
    # negative controls: the model's own counts; other counts without a device, or under "fraction"
    own = afferent_input(params, 0.05, 3, stimulus=wf, fibers=FiberSet.from_model(params, 3))
    assert own["Abeta"].n == params["Abeta"]["n"]
    afferent_input(params, 0.05, 3, fibers=fibers)
    fraction = dict(params, recruitment="fraction")
    afferent_input(fraction, 0.05, 3, stimulus=_wf(amplitude=1.5), fibers=fibers)


# ------------------------------------------------------------------ 4. cache_dir="" is the default
def test_an_empty_cache_dir_is_the_default_folder(cache):
    assert cache_directory("") == cache_directory(None) == cache
    wf = _wf()
    pop = population_for(wf, ps.load_model("gate_control"), 1)
    afferent_spikes(wf, pop, seed=1, cache_dir="")
    assert list(cache.glob("spikes_*.npz")) and not list(os.scandir("."))
    other = cache.parent / "explicit"  # negative control: a folder given is used
    afferent_spikes(wf, pop, seed=1, cache_dir=str(other))
    assert list(other.glob("spikes_*.npz"))


# ------------------------------------------------------------------ 5. cache files readable by others
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600)])
def test_cache_files_get_the_mode_of_a_new_file_under_the_umask(cache, umask, mode):
    wf = _wf()
    pop = population_for(wf, ps.load_model("gate_control"), 1)
    old = os.umask(umask)
    try:
        afferent_spikes(wf, pop, seed=1)
    finally:
        os.umask(old)
    (path,) = cache.glob("spikes_*.npz")
    assert path.stat().st_mode & 0o777 == mode
