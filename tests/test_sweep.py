"""Sweep engine: specs, designs, batching, backends, store, resume after kill -9, failures.

Real simulations use a tiny network (a few neurons per population, 0.25 s) so
that a point costs about a second; the cheap ``kind = "function"`` sweeps test
the store and the failure handling without brian2.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim.errors import ModelFileError, ParameterError, SpecError, UnitError, UnknownKeyError
from painsim.sweep import SweepStore, load_spec, make_spec, run_sweep, sensitivity

TINY = {"afferents.C.n": 10, "afferents.Abeta.n": 8, "afferents.Adelta.n": 5,
        "dorsal_horn.populations.n_inhibitory": 8, "dorsal_horn.populations.n_excitatory": 8,
        "dorsal_horn.populations.n_projection": 4}
OUTCOMES = ["pain", "pn_rate", "gate_index", "rate_IN", "rate_EX"]


def tiny_spec(**kw) -> dict:
    spec = {"name": "tiny", "model": "gate_control", "duration": "0.25 s", "noxious": 0.6, "seed": 3,
            "seeds": 2, "params": dict(TINY), "outcomes": OUTCOMES,
            "stimulus": {"type": "tonic", "width": "200 us", "amplitude": 1.5, "rate": "50 Hz"},
            "parameters": {"pathology.disinhibition": [0.0, 0.8], "stimulus.rate": ["10 Hz", "80 Hz"]}}
    spec.update(kw)
    return spec


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny 2 x 2 grid x 2 seeds, serial, one network of 8 points."""
    store = tmp_path_factory.mktemp("ref") / "store"
    return run_sweep(tiny_spec(), store=store, workers=0, batch_size=8, progress=False)


def _same(a: xr.Dataset, b: xr.Dataset):
    for o in OUTCOMES:
        np.testing.assert_array_equal(a[o].values, b[o].values, err_msg=o)
    np.testing.assert_array_equal(a["seed"].values, b["seed"].values)


# ------------------------------------------------------------------ results
def test_reference_sweep_is_labelled(reference):
    ds = reference
    assert ds["pain"].dims == ("pathology.disinhibition", "stimulus.rate", "repeat")
    np.testing.assert_allclose(ds["stimulus.rate"].values, [10.0, 80.0])
    assert ds["stimulus.rate"].attrs["units"] == "Hz"
    assert (ds["status"].values == "done").all() and ds.attrs["n_done"] == 8
    spec = json.loads(ds.attrs["spec"])
    assert spec["seeds"] == 2 and ds.attrs["painsim_version"] == ps.__version__
    # every run has its own seed (derived from spec seed, point and repeat)
    assert len(np.unique(ds["seed"].values)) == 8
    # the outcomes are not degenerate: the comparisons below compare real spike counts
    assert ds["rate_IN"].std() > 0 and ds["pn_rate"].max() > 0


def test_batch_size_does_not_change_results(reference, tmp_path):
    ds = run_sweep(tiny_spec(), store=tmp_path / "b1", workers=0, batch_size=1, progress=False)
    _same(ds, reference)


def test_a_sweep_over_a_neuron_parameter_batches_its_points(tmp_path, network_sizes):
    """Points that differ in a neuron parameter (one value per point) share one
    network when the sweep varies it (stored per neuron for every point), and
    each point's result is the same as in a batch of one."""
    spec = tiny_spec(seeds=1, stimulus=None,
                     parameters={"dorsal_horn.synapse.tau_ampa": ["3 ms", "5 ms", "8 ms"]})
    batched = run_sweep(spec, store=tmp_path / "b3", workers=0, batch_size=3, progress=False)
    assert network_sizes == [3]
    one = run_sweep(spec, store=tmp_path / "b1", workers=0, batch_size=1, progress=False)
    _same(batched, one)
    # slower AMPA decay, more summation: the projection neurons fire more
    rate = batched["pn_rate"].squeeze()
    assert float(rate[-1]) > float(rate[0])


def test_processes_and_dask_equal_serial(reference, tmp_path):
    procs = run_sweep(tiny_spec(), store=tmp_path / "procs", workers=2, batch_size=8, progress=False)
    _same(procs, reference)
    events = SweepStore(tmp_path / "procs").read_events()
    assert len({e["pid"] for e in events}) == 2 and os.getpid() not in {e["pid"] for e in events}
    pytest.importorskip("dask.distributed")
    dask = run_sweep(tiny_spec(), store=tmp_path / "dask", workers=2, scheduler="local", batch_size=3,
                     progress=False)
    _same(dask, reference)


def test_completed_store_resumes_without_work_and_guards_its_spec(reference, tmp_path):
    store = Path(reference.attrs["store"])
    n_events = len(SweepStore(store).read_events())
    again = run_sweep(tiny_spec(), store=store, workers=0, resume=True, progress=False)
    _same(again, reference)
    assert len(SweepStore(store).read_events()) == n_events  # nothing recomputed
    with pytest.raises(SpecError, match="resume"):
        run_sweep(tiny_spec(), store=store, workers=0, progress=False)
    with pytest.raises(SpecError, match="same spec"):
        run_sweep(tiny_spec(seed=4), store=store, workers=0, resume=True, progress=False)
    assert xr.load_dataset(store / "result.nc")["pain"].shape == (2, 2, 2)
    assert ps.sweep.load_sweep(store)["status"].values.tolist() == reference["status"].values.tolist()


def test_a_store_of_one_model_variant_is_not_resumed_under_another(reference):
    """The model variant in force (``painsim.params.overriding``, ``validate --set``) determines
    the results, so it is part of the store's key: no mixing of points of two variants."""
    store = Path(reference.attrs["store"])
    with ps.params.overriding({"dorsal_horn.synapse.c_gain": 0.5}):
        with pytest.raises(SpecError, match="same spec"):
            run_sweep(tiny_spec(), store=store, workers=0, resume=True, progress=False)
    # negative control: without the variant the same store resumes (nothing recomputed)
    again = run_sweep(tiny_spec(), store=store, workers=0, resume=True, progress=False)
    _same(again, reference)


def test_a_sweep_under_a_variant_computes_the_variant(tmp_path):
    """Inside ``overriding`` every point is simulated on the variant: the same as the spec fixing
    the same value itself, and not the default (the variant changes the spikes)."""
    variant = {"dorsal_horn.adelta_pn.weight": "4 nS"}  # the 0.25-s test is Aδ-carried (no C spike arrives yet)
    spec = tiny_spec(seeds=1, parameters={"pathology.disinhibition": [0.0, 0.8]})
    with ps.params.overriding(variant):
        under = run_sweep(spec, store=tmp_path / "under", workers=0, progress=False)
        with pytest.raises(ParameterError, match="scheduler"):  # Dask workers would not see it
            run_sweep(spec, store=tmp_path / "dask", scheduler="local", workers=1, progress=False)
    fixed = run_sweep(tiny_spec(seeds=1, parameters={"pathology.disinhibition": [0.0, 0.8]},
                                params={**TINY, **variant}), store=tmp_path / "fixed", workers=0, progress=False)
    default = run_sweep(spec, store=tmp_path / "default", workers=0, progress=False)
    _same(under, fixed)
    assert not np.array_equal(under["pn_rate"].values, default["pn_rate"].values)


# ------------------------------------------------------------------ kill -9 and resume
def test_sigkill_mid_sweep_then_resume(tmp_path):
    store = tmp_path / "store"
    spec = tiny_spec(seeds=1, parameters={"pathology.disinhibition": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]})
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    script = textwrap.dedent(f"""
        import json, os
        os.environ["PAINSIM_TARGET"] = "numpy"
        from painsim.sweep import run_sweep
        run_sweep(json.load(open({str(tmp_path / 'spec.json')!r})), store={str(store)!r},
                  workers=0, batch_size=1, progress=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    parts = store / "parts"
    deadline = time.time() + 120
    while time.time() < deadline and (not parts.exists() or len(list(parts.glob("*.json"))) < 2):
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group of the sweep we started
    proc.wait()
    def run_of(p):
        return json.loads(p.read_text())["attrs"]["run"]
    before = {p.name: (p.stat().st_mtime_ns, run_of(p)) for p in parts.glob("*.json")}
    assert 2 <= len(before) < 6, "the kill should land mid-way"
    ds = run_sweep(spec, store=store, workers=0, batch_size=1, resume=True, progress=False)
    # every point present exactly once, all done
    assert (ds["status"].values == "done").all() and ds.attrs["n_done"] == 6
    done = [(e["point"], e["repeat"]) for e in SweepStore(store).read_events() if e["event"] == "done"]
    assert sorted(done) == [(i, 0) for i in range(6)], "each point computed exactly once over both runs"
    # finished points were not recomputed: same files, same run id, untouched
    for name, (mtime, run) in before.items():
        p = parts / name
        assert p.stat().st_mtime_ns == mtime and run_of(p) == run
    runs = {run_of(p) for p in parts.glob("*.json")}
    assert len(runs) == 2
    assert not list(store.glob("**/.*.tmp"))


def test_a_resumed_sweep_logs_the_event_a_kill_cut_off(tmp_path):
    """A kill between writing a point and logging it (the window ``persist`` leaves) leaves the
    point on disk without its ``done`` line; the resumed run does not recompute it and writes the
    line from the point's own attributes, so the log again has one ``done`` line per point."""
    spec = {"kind": "function", "function": fragile, "parameters": {"x": [1, 2, 4]}, "outcomes": ["y"]}
    store = tmp_path / "s"
    run_sweep(spec, store=store, workers=0, batch_size=1, progress=False)
    events = store / "events.jsonl"
    lines = events.read_text().splitlines()
    cut = json.loads(lines[1])
    events.write_text("\n".join(lines[:1] + lines[2:]) + "\n")  # as if killed before logging point 1
    part = next(p for p in (store / "parts").glob("*.json")
                if json.loads(p.read_text())["attrs"]["point"] == cut["point"])
    mtime = part.stat().st_mtime_ns
    run_sweep(spec, store=store, workers=0, batch_size=1, resume=True, progress=False)
    done = [e for e in SweepStore(store).read_events() if e["event"] == "done"]
    assert sorted((e["point"], e["repeat"]) for e in done) == [(0, 0), (1, 0), (2, 0)]
    [recovered] = [e for e in done if e.get("recovered")]
    assert {k: recovered[k] for k in ("point", "repeat", "seed", "run", "pid")} == \
        {k: cut[k] for k in ("point", "repeat", "seed", "run", "pid")}
    assert part.stat().st_mtime_ns == mtime  # not recomputed
    # a complete log gains nothing on a further resume (the negative control)
    run_sweep(spec, store=store, workers=0, batch_size=1, resume=True, progress=False)
    assert len([e for e in SweepStore(store).read_events() if e["event"] == "done"]) == 3


# ------------------------------------------------------------------ failures (cheap function sweeps)
def fragile(params, seed):
    """A toy model: fails at x = 3, and kills its worker process at x = 5 when asked to."""
    x = params["x"]
    if x == 3:
        raise ValueError("x = 3 is not allowed here")
    if x == 5 and params.get("mode") == "die" and os.environ.get("PAINSIM_TEST_PARENT") != str(os.getpid()):
        os._exit(13)
    return {"y": 2.0 * x + seed % 7, "pid": float(os.getpid())}


def test_failing_point_is_recorded_and_others_complete(tmp_path):
    spec = {"kind": "function", "function": fragile, "parameters": {"x": [1, 2, 3, 4]}, "outcomes": ["y"]}
    ds = run_sweep(spec, store=tmp_path / "s", workers=0, batch_size=4, progress=False)
    status = dict(zip(ds["x"].values, ds["status"].values[:, 0]))
    assert status == {1.0: "done", 2.0: "done", 3.0: "failed", 4.0: "done"}
    err = str(ds["error"].sel(x=3.0).values[0])
    assert "ValueError" in err and "x = 3 is not allowed" in err
    assert np.isnan(ds["y"].sel(x=3.0).values[0]) and ds.attrs["n_failed"] == 1
    rec = json.loads(next((tmp_path / "s" / "failed").glob("*.json")).read_text())
    assert "x = 3" in rec["error"] and rec["traceback"]
    np.testing.assert_allclose(ds["y"].sel(x=4.0).values, 8.0 + ds["seed"].sel(x=4.0).values % 7)


def test_dead_worker_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("PAINSIM_TEST_PARENT", str(os.getpid()))
    spec = {"kind": "function", "function": fragile, "outcomes": ["y"],
            "parameters": {"x": [1, 2, 4, 5, 6, 7], "mode": ["die"]}}
    ds = run_sweep(spec, store=tmp_path / "s", workers=2, batch_size=2, progress=False)
    st = ds["status"].squeeze()
    assert str(st.sel(x=5.0).values) == "failed"
    assert "worker process died" in str(ds["error"].squeeze().sel(x=5.0).values)
    assert (st.drop_sel(x=5.0).values == "done").all()


def test_progress_bar_position_equals_its_counts_and_the_store(tmp_path, monkeypatch):
    """At every redraw the bar's position is the number of runs persisted so far, and its
    ``done=`` / ``failed=`` counts add up to it (they used to lag one batch behind)."""
    import io
    import re

    from tqdm import tqdm

    store = tmp_path / "s"
    states = []

    class Recorder(tqdm):
        def __init__(self, *a, **kw):
            kw.update(file=io.StringIO(), mininterval=0, miniters=1)
            super().__init__(*a, **kw)

        def display(self, *a, **kw):
            counts = dict(re.findall(r"(done|failed)=(\d+)", str(self.postfix or "")))
            persisted = len(list(store.glob("parts/*.json"))) + len(list(store.glob("failed/*.json")))
            states.append((self.n, int(counts.get("done", 0)), int(counts.get("failed", 0)), persisted))
            return super().display(*a, **kw)

    monkeypatch.setattr("painsim.sweep.run.tqdm", Recorder)
    spec = {"kind": "function", "function": fragile, "parameters": {"x": [1, 2, 3, 4, 6, 7, 8]},
            "outcomes": ["y"]}
    run_sweep(spec, store=store, workers=0, batch_size=2, progress=True)
    moved = [s for s in states if s[0] > 0]
    assert len({s[0] for s in moved}) >= 4, states  # the bar moved after each batch
    for n, done, failed, persisted in states:
        assert n == done + failed == persisted, states
    assert states[-1][:3] == (7, 6, 1)


# ------------------------------------------------------------------ bad specs fail before work
@pytest.mark.parametrize("change, error, match", [
    ({"parameters": {"pathology.disinhibtion": [0.1]}}, UnknownKeyError, "pathology.disinhibition"),
    ({"parameters": {"dorsal_horn.inhibition.weight": ["2 mV", "3 mV"]}}, UnitError, "nS"),
    ({"parameters": {"stimulus.rat": ["10 Hz"]}}, UnknownKeyError, "rate"),
    ({"parameters": {"stimulus.rate": ["10 mA"]}}, UnitError, "Hz"),
    ({"parameters": {"pathology.disinhibition": []}}, SpecError, "empty"),
    ({"parameters": {"pathology.disinhibition": {"min": 0.5, "max": 0.1, "n": 3}}}, SpecError, "empty range"),
    ({"parameters": {"pathology.disinhibition": {"min": 0.1, "max": 0.5, "n": 0}}}, SpecError, "empty range"),
    ({"parameters": {"pathology.disinhibition": {"min": 0.1, "max": 2.0, "n": 3}}}, ParameterError, r"\[0.0, 1.0\]"),
    ({"parameters": {"noxious": {"min": "1 Hz", "max": "2 Hz", "n": 2}}}, UnitError, "intensity"),
    # min and max in different units: both named, neither blamed (the amplitude's unit is neither)
    ({"parameters": {"stimulus.amplitude": {"min": "1 Hz", "max": "5 mA", "n": 2}}}, SpecError, "found Hz and mA"),
    ({"design": "latin"}, UnknownKeyError, "lhs"),
    ({"design": "lhs"}, SpecError, "samples"),
    ({"outcomes": ["pian"]}, UnknownKeyError, "pain"),
    ({"seeds": 0}, ParameterError, "seeds"),
    ({"batch_sise": 4}, UnknownKeyError, "batch_size"),
    ({"model": "gate_contrl"}, UnknownKeyError, "gate_control"),
    # physical stimuli as axes: named by the axis, with what is allowed
    ({"noxious": 0.0, "parameters": {"heat": [20.0]}}, ParameterError, r"'heat' = 20.0 .*cold\(\)"),
    ({"noxious": 0.0, "parameters": {"heat": ["117 degF"]}}, ParameterError, "'heat'"),  # "47 degC" is allowed
    ({"noxious": 0.0, "parameters": {"cold": [40.0]}}, ParameterError, r"'cold' = 40.0 .*heat\(\)"),
    ({"noxious": 0.0, "parameters": {"pinprick": ["3 m/s"]}}, UnitError, "'pinprick'"),
    ({"parameters": {"brush": [0.03]}}, UnitError, "'brush'.*m/s"),
    ({"parameters": {"heat": [45.0]}}, SpecError, "one noxious stimulus"),           # the sweep's noxious 0.6 too
    ({"noxious": 0.0, "parameters": {"heat": [45.0], "noxious": [0.5]}}, SpecError, "one noxious stimulus"),
])
def test_bad_spec_raises_before_any_work(tmp_path, change, error, match):
    with pytest.raises(error, match=match):
        run_sweep(tiny_spec(**change), store=tmp_path / "store", workers=0, progress=False)
    assert not (tmp_path / "store").exists()


def test_a_sweep_over_temperature_is_a_stimulus_response_curve_in_degrees(tmp_path):
    """A ``heat`` axis drives each point with contact heat at its temperature (docs/stimuli.md),
    recorded in °C on disk: below the C nociceptors' threshold range (38 °C) the projection
    neurons stay silent and at 50 °C they fire (the full-size network, paired seeds: each fibre
    keeps its threshold)."""
    ds = run_sweep(tiny_spec(noxious=0.0, stimulus=None, seeds=1, duration="0.6 s", outcomes=["pn_rate"],
                             paired_seeds=True, params={}, parameters={"heat": [38.0, 50.0]}),
                   store=tmp_path / "heat", workers=0, progress=False)
    assert ds["heat"].attrs["units"] == "degC"
    pn = ds["pn_rate"].values.ravel()
    assert pn[0] == 0.0 and pn[1] > 0.0, pn


def test_toml_spec_and_cli(tmp_path):
    spec = tmp_path / "tiny.toml"
    params = "\n".join(f'"{k}" = {v}' for k, v in TINY.items())
    spec.write_text(textwrap.dedent("""
        [sweep]
        name = "tiny_cli"
        model = "gate_control"
        duration = "0.25 s"
        noxious = 0.6
        seed = 1
        outcomes = ["pain", "pn_rate"]
        [params]
        """) + params + textwrap.dedent("""
        [parameters]
        "pathology.disinhibition" = {min = 0.0, max = 1.0, n = 2}
        """))
    s = load_spec(spec)
    assert [p["pathology.disinhibition"] for p in s.points()] == [0.0, 1.0]
    from painsim.cli import main
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "0"]) == 0
    assert (tmp_path / "out" / "store" / "result.nc").exists()
    assert list((tmp_path / "out").glob("tiny_cli_sweep_pain.png"))
    # --resume on the finished store: nothing to do, same answer
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--workers", "0", "--resume"]) == 0
    # `painsim figures` redraws them where the sweep command put them, under the same names
    drawn = sorted(p.name for p in (tmp_path / "out").glob("*.png"))
    assert main(["figures", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == drawn
    assert not list((tmp_path / "out" / "store").glob("*.png"))
    bad = tmp_path / "bad.toml"
    bad.write_text('[sweep]\nfunction = "os:system"\n')
    with pytest.raises(SpecError, match="never code"):
        load_spec(bad)
    with pytest.raises(ModelFileError):
        load_spec(tmp_path / "missing.toml")


def test_builtin_scs_frequency_sweep_spec_is_valid():
    s = load_spec("scs_frequency_sweep")
    assert s.kind == "simulate" and {a.path for a in s.axes} == {"stimulus.rate", "stimulus.amplitude"}
    assert len(s.points()) * s.n_repeats <= 120  # a few minutes on 2 cores


# ------------------------------------------------------------------ designs and seeds
def linear(params, seed):
    return {"y": 4.0 * params["a"] + 1.0 * params["b"]}


@pytest.mark.parametrize("design", ["random", "lhs", "sobol"])
def test_sampled_designs(design):
    spec = {"kind": "function", "function": linear, "design": design, "n": 16, "seed": 5,
            "parameters": {"a": {"min": 0.0, "max": 1.0}, "b": {"min": "1 mA", "max": "100 mA", "scale": "log"}}}
    pts = make_spec(spec).points()
    a = np.array([p["a"] for p in pts])
    b = np.array([p["b"] for p in pts])
    assert len(pts) == 16 and (0 <= a).all() and (a < 1).all() and (1e-3 <= b).all() and (b < 0.1).all()
    assert pts == make_spec(spec).points()  # deterministic
    if design in ("lhs", "sobol"):  # one point in each sixteenth of every axis
        assert sorted(np.floor(a * 16).astype(int)) == list(range(16))
        assert sorted(np.floor(np.log(b / 1e-3) / np.log(100) * 16).astype(int)) == list(range(16))


def test_seeds_derived_paired_and_explicit():
    base = {"kind": "function", "function": linear, "parameters": {"a": [0.0, 1.0], "b": [0.0]}, "seeds": 3}
    s = make_spec(base)
    derived = [[s.seed_for(i, r) for r in range(3)] for i in range(2)]
    assert len({x for row in derived for x in row}) == 6
    assert derived == [[make_spec(base).seed_for(i, r) for r in range(3)] for i in range(2)]
    p = make_spec({**base, "paired_seeds": True})
    assert [p.seed_for(0, r) for r in range(3)] == [p.seed_for(1, r) for r in range(3)]
    e = make_spec({**base, "seeds": [11, 12]})
    assert e.n_repeats == 2 and e.seed_for(1, 1) == 12


def ishigami_like(params, seed):
    x1, x2, x3 = params["x1"], params["x2"], params["x3"]
    return {"y": 4.0 * x1 + 2.0 * x2 + 0.0 * x3}


def test_sobol_and_morris_indices_rank_parameters(tmp_path):
    pytest.importorskip("SALib")
    axes = {k: {"min": 0.0, "max": 1.0} for k in ("x1", "x2", "x3")}
    ds = run_sweep({"kind": "function", "function": ishigami_like, "design": "saltelli", "n": 128,
                    "parameters": axes}, workers=0, progress=False)
    s = sensitivity(ds, "y")
    # y = 4 x1 + 2 x2 with uniform inputs: first-order indices 16/20, 4/20, 0
    np.testing.assert_allclose(s["S1"].values, [0.8, 0.2, 0.0], atol=0.08)
    m = sensitivity(run_sweep({"kind": "function", "function": ishigami_like, "design": "morris", "n": 20,
                               "parameters": axes}, workers=0, progress=False), "y")
    assert m["mu_star"].idxmax() == "x1" and m.loc["x3", "mu_star"] < 1e-9
    lhs = run_sweep({"kind": "function", "function": ishigami_like, "design": "lhs", "n": 300,
                     "parameters": axes}, workers=0, progress=False)
    d = sensitivity(lhs, "y")  # RBD-FAST on given data
    np.testing.assert_allclose(d["S1"].values, [0.8, 0.2, 0.0], atol=0.1)
    with pytest.raises(SpecError, match="saltelli"):
        sensitivity(ds.assign_attrs(spec=ds.attrs["spec"].replace('"saltelli"', '"lhs"')), "y", method="sobol")


# ------------------------------------------------------------------ course sweeps (engine faked)
def test_course_sweep_uses_run_course_batch(monkeypatch, tmp_path):
    calls = []

    def fake_batch(models, protocol, seeds=None, batch_size=16, **kw):
        calls.append(len(models))
        out = []
        for m, s in zip(models, seeds):
            d = m.si("pathology.disinhibition")
            out.append(xr.Dataset({"baseline_pain": ((), 6.0), "relief": (("day",), [0.0, 50 * (1 - d)],
                                                                         {"units": "%"})},
                                  coords={"day": [0, 5]}))
        return out

    monkeypatch.setattr("painsim.course.run_course_batch", fake_batch)
    monkeypatch.setattr("painsim.protocols.resolve", lambda p, where="protocol": p)
    monkeypatch.setattr("painsim.sweep.points.users_win", lambda p, paths: p)  # p is the name (above)
    ds = run_sweep({"kind": "course", "protocol": "rtms_m1_20hz", "model": "neuropathic",
                    "outcomes": ["baseline_pain", "relief"], "batch_size": 2,
                    "parameters": {"pathology.disinhibition": [0.0, 0.5, 1.0]}},
                   store=tmp_path / "s", workers=0, progress=False)
    assert calls == [2, 1]
    np.testing.assert_allclose(ds["relief"].sel(day=5).squeeze().values, [50.0, 25.0, 0.0])
    with pytest.raises(SpecError, match="course"):
        make_spec({"kind": "course", "protocol": "x", "parameters": {"stimulus.rate": ["5 Hz"]}})


def test_a_course_sweep_draws_its_outcomes_over_the_days(monkeypatch, tmp_path):
    """Course outcomes run over days: on a grid the day is one more axis of the figure, on a sampled
    design (a scatter, no axis to spare) the last day is drawn and named in the title.  Before, both
    were left out and `painsim figures` wrote an empty folder.  Negative control: a result with
    nothing to draw is refused in one line, leaving no folder."""
    from painsim import cli
    from painsim.plots import close_figures, sweep_figures

    def fake_batch(models, protocol, seeds=None, **kw):
        return [xr.Dataset({"relief": (("day",), [0.0, 10.0 * s, 20.0], {"units": "%"})}, coords={"day": [0, 30, 90]})
                for s in seeds]

    monkeypatch.setattr("painsim.course.run_course_batch", fake_batch)
    base = {"kind": "course", "protocol": "mpns", "model": "neuropathic", "outcomes": ["relief"]}
    grid = run_sweep({**base, "parameters": {"protocol.stimulus.rate": ["0.5 Hz", "2 Hz"]}},
                     store=tmp_path / "grid", workers=0, progress=False)
    figures = sweep_figures(grid)
    assert set(figures) == {"sweep_relief"}
    labels = [a.get_xlabel() + a.get_ylabel() for a in figures["sweep_relief"].axes]
    assert any("day" in t for t in labels) and any("protocol.stimulus.rate" in t for t in labels), labels
    close_figures(figures.values())
    sampled = run_sweep({**base, "design": "random", "n": 3, "parameters": {"protocol.stimulus.rate": {
        "min": "0.5 Hz", "max": "2 Hz"}}}, store=tmp_path / "sampled", workers=0, progress=False)
    figures = sweep_figures(sampled)
    assert "day 90" in figures["sweep_relief"].axes[0].get_title()
    close_figures(figures.values())
    empty = tmp_path / "empty.nc"
    grid.drop_vars("relief").assign_attrs(outcomes="[]").to_netcdf(empty)
    assert cli.main(["figures", str(empty), "--out", str(tmp_path / "nothing")]) == 2
    assert not (tmp_path / "nothing").exists()


def test_course_sweep_varies_protocol_parameters(monkeypatch, tmp_path):
    """protocol.* axes: each point's course gets the library protocol with its values
    (the pattern period re-inferred from the new rate); points of one protocol share a batch."""
    calls = []

    def fake_batch(models, protocol, seeds=None, **kw):
        calls.append((len(models), protocol.stimulus["rate"], protocol.calendar.session_duration, protocol.period))
        return [xr.Dataset({"baseline_pain": ((), 6.0), "relief": (("day",), [0.0, 1.0], {"units": "%"})},
                           coords={"day": [0, 5]}) for _ in models]

    monkeypatch.setattr("painsim.course.run_course_batch", fake_batch)
    ds = run_sweep({"kind": "course", "protocol": "mpns", "model": "neuropathic", "seeds": 2,
                    "outcomes": ["relief"], "batch_size": 8,
                    "parameters": {"protocol.stimulus.rate": ["0.5 Hz", "2 Hz"],
                                   "protocol.session_duration": ["5 min"]}},
                   store=tmp_path / "p", workers=0, progress=False)
    assert sorted(calls) == [(2, "0.5 Hz", 300.0, 2.0), (2, "2 Hz", 300.0, 0.5)]
    assert ds["relief"].sizes["protocol.stimulus.rate"] == 2
    bad = {"kind": "course", "protocol": "mpns", "model": "neuropathic",
           "parameters": {"protocol.sesion_duration": ["5 min"]}}
    with pytest.raises(UnknownKeyError, match="protocol.session_duration"):
        run_sweep(bad, store=tmp_path / "bad", workers=0, progress=False)
    assert len(calls) == 2 and not list((tmp_path / "bad").rglob("p*_r*.json"))  # nothing ran
    with pytest.raises(SpecError, match="kind = 'course'"):
        run_sweep({"model": "neuropathic", "parameters": {"protocol.stimulus.rate": ["1 Hz"]}},
                  store=tmp_path / "sim", workers=0, progress=False)


def test_sweep_workers_share_brians_locked_cache_unless_told_otherwise(monkeypatch, tmp_path):
    """By default a worker compiles into brian2's shared Cython cache (brian2 locks each module
    while it compiles), so compiled code outlives the run; ``$PAINSIM_WORKER_CACHE`` gives each
    worker a private folder instead (the negative control: then the cache setting does move)."""
    from painsim.circuits import import_brian2
    from painsim.sweep import evaluate
    brian2 = import_brian2()
    key = "codegen.runtime.cython.cache_dir"
    shared = brian2.prefs[key]
    monkeypatch.setattr(evaluate, "_WORKER_DIR", None)
    monkeypatch.delenv("PAINSIM_WORKER_CACHE", raising=False)
    evaluate.prepare_worker("simulation")
    assert evaluate._WORKER_DIR is None and brian2.prefs[key] == shared
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(tmp_path))
    monkeypatch.setenv("PAINSIM_BRIAN2_CACHE", "")
    try:
        evaluate.prepare_worker("simulation")
        assert evaluate._WORKER_DIR.parent == tmp_path  # a folder of this host and process, never another's
        assert evaluate._WORKER_DIR.name.startswith(f"worker-{evaluate._host()}-{os.getpid()}-")
        assert brian2.prefs[key] == str(evaluate._WORKER_DIR / "cython")
    finally:
        brian2.prefs[key] = shared


def test_too_few_points_for_rbd_fast_are_named_and_delta_still_ranks_them():
    """SALib's RBD-FAST bootstrap divides by zero on some small samples (40 here): the shared
    painsim.sensitivity layer names the sample's size and the way out for sweeps as for cohorts,
    and the delta method ranks the same data."""
    pytest.importorskip("SALib")
    from painsim.sensitivity import salib_indices
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(0, 1, (40, 2)), rng.uniform(0, 1, 40)
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    with pytest.raises(ParameterError, match="40 points"):
        salib_indices("rbd_fast", problem, X, Y, 1)
    assert list(salib_indices("delta", problem, X, Y, 1).index) == ["a", "b"]
