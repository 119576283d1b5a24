"""Sweeps as calibration will run them (a review of sweeps and their stores, 2026-12-06): a
resumed store never mixes two versions of a model file or of a function, an interrupted zarr
write does not block the resume, a grid of counts never repeats a point, a function sweep keeps
every outcome, a swept transient is the one its rates use, and bad axes are refused by name.
Each test has its negative control; only the transient test simulates (a tiny network)."""
import json

import numpy as np
import pytest

import painsim as ps
from painsim.errors import ParameterError, SpecError
from painsim.parallel import ResultStore
from painsim.sweep import load_sweep, make_spec, run_sweep

TINY = {"afferents.C.n": 10, "afferents.Abeta.n": 8, "afferents.Adelta.n": 5,
        "dorsal_horn.populations.n_inhibitory": 8, "dorsal_horn.populations.n_excitatory": 8,
        "dorsal_horn.populations.n_projection": 4}


def _model_file(path, weight):
    path.write_text(f'[model]\nname = "mine"\nextends = "gate_control"\n'
                    f'[dorsal_horn.adelta_pn]\nweight = "{weight}"\n')
    return path


def _spec(model):
    return make_spec({"name": "m", "model": str(model), "duration": "0.25 s", "noxious": 0.6, "params": TINY,
                      "outcomes": ["pn_rate"], "parameters": {"dorsal_horn.synapse.tau_ampa": ["3 ms", "5 ms"]}})


def test_an_edited_model_file_changes_the_key(tmp_path):
    """The key held the model's path only: a store resumed after the file was edited mixed points of
    both versions (pn_rate 0 0 18 41, where one version gives 0 0 0 0 and the other 5 6 18 41)."""
    model = _model_file(tmp_path / "mine.toml", "1 nS")
    before = _spec(model).key()
    assert _spec(model).key() == before                      # unchanged file: the same key
    first = ps.sweep.points.base_model(_spec(model))
    _model_file(model, "6.5 nS")                             # another size: a coarse clock cannot hide the edit
    assert _spec(model).key() != before
    # the process's cache of built models reads the edited file too (it kept the first version)
    edited = ps.sweep.points.base_model(_spec(model))
    assert edited.si("dorsal_horn.adelta_pn.weight") == pytest.approx(6.5e-9) != first.si("dorsal_horn.adelta_pn.weight")


def test_an_edited_base_file_is_read_again(tmp_path):
    """The process's cache of built models was keyed by the named file's version only: a user's
    model extending another file of theirs kept the base's first version after the base was edited."""
    base = _model_file(tmp_path / "base.toml", "1 nS")
    child = tmp_path / "child.toml"
    child.write_text('[model]\nname = "child"\nextends = "base.toml"\n')
    first = ps.sweep.points.base_model(_spec(child))
    assert ps.sweep.points.base_model(_spec(child)) is first          # unchanged files: the cached model
    _model_file(base, "6.5 nS")
    edited = ps.sweep.points.base_model(_spec(child))
    assert edited.si("dorsal_horn.adelta_pn.weight") == pytest.approx(6.5e-9) != first.si("dorsal_horn.adelta_pn.weight")
    assert [v[0] for v in ps.params.model_file_versions(child)][:2] == [str(child.resolve()), str(base.resolve())]


def _linear(params, seed):
    return {"y": 2.0 * params["x"]}


def _other_linear(params, seed):
    return {"y": 3.0 * params["x"]}


def _function_spec(f, **extra):
    return make_spec({"name": "f", "kind": "function", "function": f, "parameters": {"x": [1.0, 2.0]}, **extra})


def test_an_edited_function_changes_the_key():
    """A function sweep was keyed by the function's name: an edited body resumed without complaint."""
    renamed = _other_linear
    renamed.__qualname__, renamed.__name__ = _linear.__qualname__, _linear.__name__
    assert _function_spec(_linear).key() == _function_spec(_linear).key()
    assert _function_spec(renamed).key() != _function_spec(_linear).key()


def test_an_interrupted_zarr_write_does_not_block_the_resume(tmp_path):
    """A killed zarr write leaves a temporary folder, which the store's clean-up unlink()ed: the
    resume failed with IsADirectoryError.  Folders and files are both removed."""
    store = ResultStore(tmp_path / "store")
    store.open("key", {}, resume=False)
    (store.path / ".result.zarr.0123abcd.tmp" / "pn_rate").mkdir(parents=True)
    (store.path / ".part.tmp").write_text("half")
    ResultStore(tmp_path / "store").open("key", {}, resume=True)
    assert not list(store.path.glob(".*.tmp"))
    assert (store.path / "spec.json").is_file()              # the store itself is kept


def test_a_grid_of_counts_never_repeats_a_point():
    """n_projection from 4 to 5 in 3 levels rounded to 4, 4, 5: a repeated coordinate (one axis) or a
    plain ValueError after every point was simulated (two axes)."""
    def spec(n):
        return make_spec({"name": "c", "model": "gate_control", "duration": "0.1 s", "params": TINY,
                          "parameters": {"dorsal_horn.populations.n_projection": {"min": 4, "max": 5, "n": n}}})
    with pytest.raises(SpecError, match="n_projection"):
        spec(3)
    assert [p["dorsal_horn.populations.n_projection"] for p in spec(2).points()] == [4, 5]


def _ragged(params, seed):
    return {"trace": np.arange(int(params["x"]), dtype=float)}


def _sometimes(params, seed):
    out = {"a": params["x"]}
    if params["x"] > 1:
        out["b"] = 10 * params["x"]
    return out


def test_a_function_sweep_keeps_every_outcome_and_refuses_ragged_ones(tmp_path):
    """The first point decided the outcomes: 'b', returned from the second point on, was dropped, and a
    trace of another length was stored as NaN while the point read 'done'."""
    ds = run_sweep(_function_spec(_sometimes), workers=0, progress=False)
    assert np.isnan(ds.b.values.ravel()[0]) and ds.b.values.ravel()[1] == 20
    np.testing.assert_array_equal(ds.a.values.ravel(), [1.0, 2.0])
    same = run_sweep(make_spec({"name": "r", "kind": "function", "function": _ragged,
                                "parameters": {"x": [3.0, 3.0 + 1e-9]}}), workers=0, progress=False)
    assert same.trace.shape[-1] == 3                         # one shape at every point: kept
    with pytest.raises(SpecError, match="trace"):
        run_sweep(make_spec({"name": "r", "kind": "function", "function": _ragged,
                             "parameters": {"x": [3.0, 4.0]}}), workers=0, progress=False)


def test_a_swept_transient_is_the_one_the_population_rates_use():
    """rate_PN cut at the base model's transient (0.3 s) when the sweep set it to 0: 17.5 Hz beside a
    pn_rate of 11.5 Hz.  Both read the point's transient, so they agree at every level."""
    ds = run_sweep({"name": "t", "model": "gate_control", "duration": "0.5 s", "noxious": 0.8, "seed": 1,
                    "params": TINY, "stimulus": {"type": "tonic", "width": "200 us", "amplitude": 1.5, "rate": "80 Hz"},
                    "outcomes": ["pn_rate", "rate_PN"], "parameters": {"readout.transient": ["0 s", "0.3 s"]}},
                   workers=0, progress=False)
    np.testing.assert_allclose(ds.rate_PN.values, ds.pn_rate.values, rtol=1e-12)
    assert ds.pn_rate.values.ravel()[0] != ds.pn_rate.values.ravel()[1]   # the transient matters here


def test_load_sweep_reports_the_key_the_store_was_computed_under(tmp_path):
    """Under a model variant, load_sweep recomputed the key without it (another key than spec.json's)."""
    with ps.params.overriding({"dorsal_horn.adelta_pn.weight": "4 nS"}):
        ran = run_sweep(_function_spec(_linear), store=tmp_path / "s", workers=0, progress=False)
    saved = json.loads((tmp_path / "s" / "spec.json").read_text())["key"]
    assert ran.attrs["spec_key"] == saved == load_sweep(tmp_path / "s").attrs["spec_key"]
    assert _function_spec(_linear).key() != saved            # the key without the variant differs


@pytest.mark.parametrize("axis, name", [
    ({"min": 0.5, "max": 0.5, "n": "three"}, "x.n"),          # was a plain ValueError from int()
    ({"min": 0.0, "max": float("inf"), "n": 3}, "x"),          # was points nan, inf, inf
    ({"values": [1.0, float("nan")]}, "x"),
])
def test_bad_function_axes_are_refused_by_name(axis, name):
    with pytest.raises(ParameterError) as e:
        make_spec({"name": "f", "kind": "function", "function": _linear, "parameters": {"x": axis}})
    assert e.value.name == name


def test_repeated_seeds_are_refused():
    """seeds = [4, 4] ran the same run twice, understating the spread between seeds."""
    with pytest.raises(SpecError, match="distinct seeds"):
        _function_spec(_linear, seeds=[4, 4])
    assert _function_spec(_linear, seeds=[4, 5]).n_repeats == 2
