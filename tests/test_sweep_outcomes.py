"""The outcomes a sweep can keep (every scalar readout of its kind, refused before any work when
misspelt or not produced by the sweep's model), and a function sweep whose function worker
processes cannot receive (refused before any work, accepted in this process)."""
from __future__ import annotations

import numpy as np
import pytest
from refusals import WorkStarted, refused, start_work

import painsim as ps
from painsim.errors import ParameterError, SpecError, UnknownKeyError
from painsim.sweep import make_spec, run_sweep
from painsim.sweep.points import LAYER_OUTCOMES, SIMULATE_OUTCOMES

DURATION = "0.3 s"


def y(params, seed):
    return {"y": params["x"]}


# ------------------------------------------------------------------ simulate outcomes
def test_a_pathway_outcome_is_kept_and_equals_simulate(tmp_path):
    spec = {"kind": "simulate", "model": "healthy", "duration": DURATION, "seeds": [3],
            "outcomes": ["unpleasantness", "map_pain", "pain"]}
    ds = run_sweep(spec, store=tmp_path / "s", workers=0, progress=False)
    assert (ds["status"] == "done").all()
    seed = int(ds["seed"].values.ravel()[0])
    ref = ps.simulate("healthy", duration=DURATION, seed=seed)
    for o in ("unpleasantness", "map_pain", "pain"):
        assert float(ds[o].values.ravel()[0]) == pytest.approx(float(ref[o]))
    # every scalar the result carries is an outcome a sweep accepts, and nothing else of the table is missing
    scalars = {str(v) for v in ref.data_vars if ref[v].ndim == 0}
    assert scalars <= set(SIMULATE_OUTCOMES)
    assert set(LAYER_OUTCOMES["medial"]) <= scalars


def test_the_hand_kept_layer_outcomes_are_the_scalars_every_layer_produces():
    """``LAYER_OUTCOMES`` is written by hand: checked here against a real result of the stack that
    holds every layer (the lemniscal route included), both ways: every listed outcome is a scalar of
    the result, and every scalar of the result but ``pain`` is listed under some layer."""
    from painsim.circuits import STACKS
    every = STACKS["pathway_lemniscal"]
    assert set(every) == set(LAYER_OUTCOMES), "a layer of the stacks has no entry (or an entry no layer)"
    ds = ps.simulate(ps.load_model("healthy").with_params({"network.layers": "pathway_lemniscal"}),
                     duration="0.2 s", seed=1)
    scalars = {str(v) for v in ds.data_vars if ds[v].ndim == 0}
    listed = {o for outs in LAYER_OUTCOMES.values() for o in outs}
    assert listed <= scalars, f"listed but not produced: {sorted(listed - scalars)}"
    assert scalars - {"pain"} <= listed, f"produced but not listed: {sorted(scalars - {'pain'} - listed)}"
    # negative control: the spinal stack produces none of the other layers' outcomes
    spinal = ps.simulate("gate_control", duration="0.2 s", seed=1)
    others = listed - set(LAYER_OUTCOMES["dorsal_horn"])
    assert not others & {str(v) for v in spinal.data_vars}


def test_an_outcome_the_spinal_model_does_not_produce_is_refused_before_work(monkeypatch):
    monkeypatch.setattr("painsim.sweep.run.run_batches", start_work)
    e = refused(lambda: run_sweep({"kind": "simulate", "model": "gate_control", "duration": DURATION,
                                   "outcomes": ["unpleasantness"]}, workers=0, progress=False),
                "outcomes", SpecError)
    assert "spinal" in str(e) and "spinal_pain" in str(e)
    # negative control: the spinal readouts of the same model pass every check
    with pytest.raises(WorkStarted):
        run_sweep({"kind": "simulate", "model": "gate_control", "duration": DURATION,
                   "outcomes": ["spinal_pain", "gate_index", "rate_PN"]}, workers=0, progress=False)


@pytest.mark.parametrize("outcome, nearest", [("unpleasantnes", "unpleasantness"), ("map_overactive_aera",
                                                                                   "map_overactive_area")])
def test_a_misspelt_outcome_is_refused_with_the_nearest_before_work(monkeypatch, outcome, nearest):
    monkeypatch.setattr("painsim.sweep.run.evaluate_batch", start_work)
    spec = {"kind": "simulate", "model": "healthy", "duration": DURATION, "seeds": [1]}
    e = refused(lambda: run_sweep({**spec, "outcomes": [outcome]}, workers=0, progress=False), outcome,
                UnknownKeyError)
    assert e.suggestion == nearest
    with pytest.raises(WorkStarted):  # negative control: spelt right, the work starts
        run_sweep({**spec, "outcomes": [nearest]}, workers=0, progress=False)


def test_srd_rate_is_refused_at_a_point_without_dnic_neurons():
    spec = {"kind": "simulate", "model": "healthy", "duration": DURATION, "outcomes": ["srd_rate"]}
    e = refused(lambda: make_spec({**spec, "parameters": {"dnic.n_neurons": [20, 0]}}), "outcomes", SpecError)
    assert "dnic.n_neurons" in str(e)
    assert make_spec({**spec, "parameters": {"dnic.n_neurons": [20, 10]}}).outcomes == ["srd_rate"]


# ------------------------------------------------------------------ course outcomes
def test_a_course_efficacy_outcome_is_accepted_for_a_plastic_connection():
    spec = {"kind": "course", "model": "neuropathic", "protocol": "mpns"}
    assert make_spec({**spec, "outcomes": ["relief", "w_c_pn", "w_c_pn_late"]}).outcomes == \
        ["relief", "w_c_pn", "w_c_pn_late"]
    # the protocol does not make tc_s1 plastic (and the spinal model has none): refused, not a failed point
    e = refused(lambda: make_spec({**spec, "outcomes": ["w_tc_s1"]}), "outcomes", SpecError)
    assert "w_c_pn" in str(e)
    assert refused(lambda: make_spec({**spec, "outcomes": ["w_c_pnn"]}), "w_c_pnn", UnknownKeyError).suggestion \
        == "w_c_pn"


def test_a_course_map_outcome_needs_a_cortex():
    spec = {"kind": "course", "protocol": "mpns", "outcomes": ["map_overactive_area"]}
    refused(lambda: make_spec({**spec, "model": "neuropathic"}), "outcomes", SpecError)
    assert make_spec({**spec, "model": "healthy"}).outcomes == ["map_overactive_area"]


# ------------------------------------------------------------------ function sweeps and pickling
FUNCTION_SPEC = {"kind": "function", "parameters": {"x": [1.0, 2.0]}, "outcomes": ["y"]}


def test_a_lambda_is_refused_before_work_with_worker_processes(monkeypatch, tmp_path):
    monkeypatch.setattr("painsim.sweep.run.run_batches", start_work)
    e = refused(lambda: run_sweep({**FUNCTION_SPEC, "function": lambda p, s: {"y": p["x"]}},
                                  store=tmp_path / "s", workers=2, progress=False), "function", ParameterError)
    assert "module-level function" in str(e) and "workers=0" in str(e)
    assert not (tmp_path / "s").exists()  # before the store was created

    def local(p, s):
        return {"y": p["x"]}
    refused(lambda: run_sweep({**FUNCTION_SPEC, "function": local}, workers=None, progress=False), "function")
    with pytest.raises(WorkStarted):  # negative control: a module-level function goes to the workers
        run_sweep({**FUNCTION_SPEC, "function": y}, workers=2, progress=False)


def test_a_lambda_runs_in_this_process():
    ds = run_sweep({**FUNCTION_SPEC, "function": lambda p, s: {"y": 2 * p["x"]}}, workers=0, progress=False)
    assert (ds["status"] == "done").all()
    assert np.allclose(ds["y"].values.ravel(), 2 * ds["x"].values.ravel())
