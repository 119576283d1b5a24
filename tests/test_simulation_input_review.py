"""Input checks of the simulation layer (a review's findings): efficacies, network.dt, seeds,
PointsRunner's duration and the naming of a batch entry's errors.  Each refusal comes before any
network is built (``build_networks`` is replaced by a stand-in that raises WorkStarted)."""
from __future__ import annotations

import numpy as np
import pytest
from brian2 import ms, second
from refusals import WorkStarted, refused, start_work

import painsim as ps
from painsim.errors import ParameterError, UnknownKeyError
from painsim.simulation import PointsRunner, runner
from painsim.simulation.inputs import checked_seed, point_input


@pytest.fixture(scope="module")
def gc():
    return ps.load_model("gate_control")


@pytest.fixture(scope="module")
def n_c_pn(gc):
    """Synapses of c_pn in gate_control's circuit of seed 1."""
    plan = point_input(ps.Request(gc, None, 0.5, seed=1), 0.01).plan
    return next(c.pre.size for c in plan.projections if c.name == "c_pn")


@pytest.fixture
def no_network(monkeypatch):
    """Building a network raises WorkStarted: reaching it means every check passed."""
    monkeypatch.setattr(runner, "build_networks", start_work)


def _batch(*requests, duration=0.1 * second):
    return lambda: ps.simulate_batch(list(requests), duration)


# ------------------------------------------------------------------ 1. efficacies
@pytest.mark.parametrize("bad", [np.nan, np.inf, -1.0])
def test_efficacies_not_finite_or_negative_refused_naming_the_request(gc, n_c_pn, no_network, bad):
    w = np.ones(n_c_pn)
    w[3] = bad
    ok = ps.Request(gc, None, 0.5, seed=1)
    refused(_batch(ok, ps.Request(gc, None, 0.5, seed=1, weights={"c_pn": w})), "requests[1].weights['c_pn']")


def test_efficacies_finite_and_nonnegative_reach_the_network(gc, n_c_pn, no_network):
    """Negative control: 0 (a silenced synapse) and values above 1 are efficacies."""
    w = np.linspace(0.0, 3.0, n_c_pn)
    with pytest.raises(WorkStarted):
        _batch(ps.Request(gc, None, 0.5, seed=1, weights={"c_pn": w}))()


def test_efficacies_of_the_wrong_length_refused_before_any_network(gc, n_c_pn, no_network):
    """The length is checked against the point's circuit when the runner is built, naming the
    request (it failed when the point's network was built, after the others had run)."""
    big = gc.with_params({"dorsal_horn.populations.n_projection": 12})
    first = ps.Request(big, None, 0.5, seed=0)
    e = refused(lambda: PointsRunner([first, ps.Request(gc, None, 0.5, seed=1, weights={"c_pn": np.ones(n_c_pn + 1)})],
                                     0.1, 4), "requests[1].weights['c_pn']")
    assert str(n_c_pn) in str(e)
    with pytest.raises(WorkStarted):  # negative control: the right length
        PointsRunner([first, ps.Request(gc, None, 0.5, seed=1, weights={"c_pn": np.ones(n_c_pn)})], 0.1, 4).run()


def test_run_refuses_bad_efficacies_before_any_network(gc, n_c_pn, no_network):
    r = PointsRunner([ps.Request(gc, None, 0.5, seed=1)], 0.1, 1)
    refused(lambda: r.run([{"c_pn": np.full(n_c_pn, np.nan)}]), "weights[0]['c_pn']")
    refused(lambda: r.run([{"c_pn": np.ones(n_c_pn - 1)}]), "weights[0]['c_pn']")
    with pytest.raises(WorkStarted):  # negative control
        r.run([{"c_pn": np.full(n_c_pn, 0.5)}])


def test_misspelt_efficacy_named_with_its_request(gc, no_network):
    ok = ps.Request(gc, None, 0.5)
    e = refused(_batch(ok, ok, ps.Request(gc, None, 0.5, weights={"c_pnn": np.ones(3)})),
                "requests[2].weights['c_pnn']", UnknownKeyError)
    assert "c_pn" in e.hint


# ------------------------------------------------------------------ 2. network.dt
@pytest.mark.parametrize("dt", ["0 ms", "1 ms", "1.5 ms", "1 s"])
def test_time_step_outside_the_dead_time_refused_at_load(gc, dt):
    refused(lambda: gc.with_params({"network.dt": dt}), "network.dt")


@pytest.mark.parametrize("dt", ["0.5 ms", "0.01 ms"])
def test_time_step_below_the_dead_time_loads(gc, dt):
    """Negative control."""
    assert gc.with_params({"network.dt": dt}).si("network.dt") > 0


def test_time_step_bound_is_the_dead_time():
    """painsim.params cannot import painsim.fibers: the bound is written out; it must stay the dead time."""
    from painsim.fibers import DEAD_TIME
    from painsim.params import model
    bound = next(row for row in model._PATH_BOUNDS if row[0].pattern == r"^network\.dt$")
    assert bound[4] == DEAD_TIME


# ------------------------------------------------------------------ 3. seeds
@pytest.mark.parametrize("seed", [2**32, 2**32 + 7, 2**63, 2**64 + 3])
def test_seeds_from_2_to_the_32_refused(gc, no_network, seed):
    e = refused(lambda: checked_seed(seed), "seed")
    assert "32-bit" in str(e)
    refused(_batch(ps.Request(gc, None, 0.5, seed=seed)), "requests[0].seed")


def test_largest_seed_accepted(gc, no_network):
    """Negative control: 2**32 - 1 and numpy integers."""
    assert checked_seed(2**32 - 1) == 2**32 - 1
    assert checked_seed(np.uint32(2**32 - 1)) == 2**32 - 1
    with pytest.raises(WorkStarted):
        _batch(ps.Request(gc, None, 0.5, seed=2**32 - 1))()


def test_cli_seed_bound():
    import argparse

    from painsim.cli.options import _SEED
    with pytest.raises(argparse.ArgumentTypeError):
        _SEED(str(2**32))
    assert _SEED(str(2**32 - 1)) == 2**32 - 1


# ------------------------------------------------------------------ 4. PointsRunner's duration
@pytest.mark.parametrize("d", ["0.01 s", 10 * ms])
def test_runner_keeps_the_checked_duration(gc, d):
    r = PointsRunner([ps.Request(gc, None, 0.5, seed=1)], d, 1)
    assert isinstance(r.duration, float) and r.duration == pytest.approx(0.01)
    assert r.datasets()[0].attrs["duration_s"] == pytest.approx(0.01)


def test_runner_float_duration_unchanged(gc, no_network):
    """Negative control: a float is kept as given."""
    assert PointsRunner([ps.Request(gc, None, 0.5)], 0.1, 1).duration == 0.1


# ------------------------------------------------------------------ 5. naming
def test_per_neuron_named_with_its_request(gc, no_network):
    ok = ps.Request(gc, None, 0.5)
    refused(_batch(ok, ok, ps.Request(gc, None, 0.5, per_neuron="c_m")), "requests[2].per_neuron")


def test_label_must_be_text(gc, no_network):
    refused(_batch(ps.Request(gc, None, 0.5, label=5)), "requests[0].label")
    with pytest.raises(WorkStarted):  # negative control
        _batch(ps.Request(gc, None, 0.5, label="A"))()


def test_request_unknown_field_is_a_painsim_error(gc):
    e = refused(lambda: ps.Request(gc, None, bogus=1), "bogus", UnknownKeyError)
    assert "per_neuron" in str(e)
    refused(lambda: ps.Request(), "Request.model")
    refused(lambda: ps.Request(gc, None, 0.5, seed=1, noxious=0.2), "Request.noxious")
    with pytest.raises(ParameterError):
        ps.Request(gc, None, 0.0, 0.0, 0, None, "", frozenset(), "extra")


def test_request_fields_still_set(gc):
    """Negative control: positional and keyword fields, defaults, equality and replace()."""
    import dataclasses
    r = ps.Request(gc, None, 0.5, seed=3, label="x")
    assert (r.model, r.stimulus, r.noxious, r.touch, r.seed, r.weights, r.label, r.per_neuron) == \
        (gc, None, 0.5, 0.0, 3, None, "x", frozenset())
    assert dataclasses.replace(r, seed=4).seed == 4
    assert ps.Request(model=gc, noxious=0.5, seed=3, label="x") == r


# ------------------------------------------------------------------ 6. duration < dt
def test_duration_shorter_than_a_step_refused(gc, no_network):
    refused(_batch(ps.Request(gc, None, 0.5), duration=0.05 * ms), "duration")
    refused(lambda: ps.simulate(gc, None, 0.5, duration=0.05 * ms), "duration")
    with pytest.raises(WorkStarted):  # negative control: one step
        _batch(ps.Request(gc, None, 0.5), duration=gc.si("network.dt") * second)()


def test_a_negative_efficacy_floor_is_refused_at_load():
    """A negative ``w_min`` loaded and let a course drive an efficacy below 0, refused only mid-course;
    now it is refused when the model is made.  Negative control: a floor of 0 (the default) loads."""
    model = ps.load_model("gate_control")
    with pytest.raises(ParameterError, match=r"plasticity\.c_pn\.w_min"):
        model.with_params({"plasticity.c_pn.w_min": -0.5})
    assert model.with_params({"plasticity.c_pn.w_min": 0.0}).si("plasticity.c_pn.w_min") == 0.0
