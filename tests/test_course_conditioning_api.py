"""The Python API of courses, tolerance courses and conditioning checks what it is given as the
files do, and its results record what was run.

* :func:`painsim.tolerance.tolerance_course` refuses ``days`` a tolerance file refuses in
  ``test_days`` (one check, :func:`painsim.protocols.checked_test_days`): text, booleans,
  unsorted or repeated days, a day inside a session; and a negative seed by ``seeds``.
* :func:`painsim.conditioning.run_conditioning_experiment` given a mapping runs the checks of a
  file (:func:`painsim.conditioning.check_conditioning_spec`).
* Course and conditioning results record the model's parameters (a ``with_params`` variant too),
  the conditioning stimuli and the test intensity, and :func:`painsim.io.save` round-trips them.

Each refusal comes before any simulation; each has a negative control (the accepted value).
The two result tests run tiny simulations (a 0.6 s test window, dt = 0.2 ms).
"""
from __future__ import annotations

import copy
import re
import json

import pytest

import painsim as ps
from painsim.conditioning import load_conditioning_spec, run_conditioning_experiment
from painsim.errors import ParameterError, UnknownKeyError

FAST = {"network.dt": "0.2 ms", "course.window": "1 s", "course.n_chunks": 1, "course.test_duration": "0.6 s"}


class _Ran(Exception):
    """Raised in place of a simulation: the checks let the input through."""


@pytest.fixture(scope="module")
def healthy():
    return ps.load_model("healthy")


def _tolerance(model, days, seeds=(1,)):
    """tolerance_course with ``x`` given (no session simulation) and its acute tests stubbed."""
    return ps.tolerance.tolerance_course(model, "tens_conventional", list(seeds), days, x=[0.3] * len(seeds),
                                         test_duration="0.6 s")


@pytest.fixture
def no_acute_runs(monkeypatch):
    """The acute tests raise _Ran instead of simulating: a value that passes the checks is seen."""
    def ran(*args, **kwargs):
        raise _Ran
    monkeypatch.setattr(ps.tolerance, "_acute_pairs", ran)


@pytest.mark.parametrize("days", [[True, 2], ["3"], [0, "3"], [3, 0, 3], [0, 1, 1], [0.005], 3, "0"],
                         ids=["bool", "text", "text-item", "unsorted", "repeated", "inside-session", "scalar",
                              "string"])
def test_tolerance_course_refuses_days_a_file_refuses(healthy, days, no_acute_runs):
    """True is no day 1, "3" no day 3, day 0.005 lies inside the 30-min session of day 0 (its state
    would be read mid-session, the docstring promises "before the day's session"), and days must
    increase: each is refused by ``days``, naming the value, before any simulation."""
    with pytest.raises(ParameterError) as err:
        _tolerance(healthy, days)
    assert "parameter 'days'" in str(err.value)


def test_tolerance_course_accepts_increasing_days_between_sessions(healthy, no_acute_runs):
    """Negative control: increasing numeric days, one just after the day-0 session ends (30 min =
    0.0208 day) and one after the last session (recovery), reach the simulation."""
    with pytest.raises(_Ran):
        _tolerance(healthy, [0, 0.021, 1, 3.5, 30])


def test_the_file_and_the_function_share_one_day_check():
    """The tolerance file's test_days and tolerance_course's days are the same check: the calendar
    of tens_conventional refuses day 0.005 under whatever name it is given."""
    from painsim.protocols import checked_test_days
    cal = ps.protocols.get("tens_conventional").calendar
    for name in ("days", "experiment.test_days"):
        with pytest.raises(ParameterError, match=f"'{name}'.*inside the session of day 0"):
            checked_test_days([0.005], name, cal)
    assert checked_test_days([0, 1], "days", cal) == (0.0, 1.0)  # control


def test_tolerance_course_refuses_a_negative_seed_by_seeds(healthy, no_acute_runs):
    """seeds=[-1] was refused only by the simulation, as requests[0].seed; now by ``seeds``."""
    with pytest.raises(ParameterError, match="'seeds' = -1"):
        _tolerance(healthy, [0], seeds=[-1])
    with pytest.raises(_Ran):  # control: seed 0 passes
        _tolerance(healthy, [0], seeds=[0])


# ---------------------------------------------------------------- conditioning mappings
@pytest.fixture
def spec():
    s = load_conditioning_spec("spinal_ltp_ltd")
    s.pop("_path")
    return copy.deepcopy(s)


@pytest.fixture
def no_conditioning_runs(monkeypatch):
    def ran(*args, **kwargs):
        raise _Ran
    monkeypatch.setattr(ps.conditioning, "condition_and_test", ran)


def _broken(spec, what):
    s = copy.deepcopy(spec)
    p0 = s["protocol"][0]
    if what == "duplicate label":
        s["protocol"] = [p0, dict(p0)]
    elif what == "replays":
        p0["replays"] = 3
    elif what == "noxous":
        s["test"] = {"noxous": 0.6}
    elif what == "no stimulus":
        del p0["stimulus"]
    elif what == "protocol table":
        s["protocol"] = p0
    elif what == "noxious text":
        s["test"] = {"noxious": "0.6"}
    return s


@pytest.mark.parametrize("what, error, name", [
    ("duplicate label", ParameterError, "protocol[1].label"), ("replays", UnknownKeyError, "replays"),
    ("noxous", UnknownKeyError, "noxous"), ("no stimulus", ParameterError, "protocol[0].stimulus"),
    ("protocol table", ParameterError, "protocol"), ("noxious text", ParameterError, "test.noxious")])
def test_a_conditioning_mapping_is_checked_as_a_file(spec, no_conditioning_runs, what, error, name):
    """A mapping ran with the first of two same-label protocols dropped, misspelt keys ignored, a
    bare KeyError / AttributeError, and noxious "0.6" as a number; now each is refused by name."""
    with pytest.raises(error, match=re.escape(f"'{name}'")):
        run_conditioning_experiment(_broken(spec, what))


def test_a_valid_conditioning_mapping_reaches_the_simulation(spec, no_conditioning_runs):
    """Negative control: the built-in file's own tables, as a mapping, pass the checks."""
    with pytest.raises(_Ran):
        run_conditioning_experiment(spec)


def test_a_conditioning_file_refuses_noxious_as_text(tmp_path):
    """load_conditioning_spec (the file route of the function) refuses [test] noxious = "0.6", as
    `painsim run` did; 0.6 passes (control)."""
    text = ps.params.find_builtin("spinal_ltp_ltd", "experiments").read_text()
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(text)
    bad.write_text(text.replace("noxious = 0.6", 'noxious = "0.6"'))
    with pytest.raises(ParameterError, match="'test.noxious'"):
        load_conditioning_spec(bad)
    assert load_conditioning_spec(good)["test"]["noxious"] == 0.6


# ---------------------------------------------------------------- results record what was run
def test_a_course_records_its_model_variant(tmp_path):
    """A with_params variant was recorded only as model ["neuropathic"]: now the ``parameters``
    of each patient hold the changed value, the unchanged model's do not (control), and a saved
    result keeps them."""
    from painsim.course import per_patient, run_course_batch
    base = ps.load_model("neuropathic").with_params(FAST)
    protocol = ps.protocols.get("lfs_1hz").as_sham().with_calendar([0], 60.0)  # no session simulated
    kw = dict(follow_up_days=(1,), tests="follow_up")
    ran = {n: run_course_batch([base.with_params({"dorsal_horn.populations.n_projection": n})], protocol, [1], **kw)
           for n in (5, 10)}
    for n, ds in ran.items():
        params = json.loads(ds.attrs["parameters"])
        assert params[0]["dorsal_horn"]["populations"]["n_projection"] == n  # control: the other run's n
        assert json.loads(per_patient(ds)[0].attrs["parameters"]) == params[0]
    ps.io.save(ran[5], tmp_path / "c.nc")
    assert ps.io.load(tmp_path / "c.nc").attrs["parameters"] == ran[5].attrs["parameters"]


def test_condition_and_test_records_what_was_run(tmp_path):
    """condition_and_test recorded no test intensity, no conditioning stimulus and no model
    variant: now ``test_noxious``, ``conditioning`` (per label) and ``parameters`` hold what was
    given (control: the variant's changed value differs from the model it came from), and
    io.save round-trips them.  One run: two labels in one batch."""
    model = ps.load_model("gate_control").with_params({"network.dt": "0.2 ms", "plasticity.c_pn.rule": "calcium"})
    variant = model.with_params({"dorsal_horn.populations.n_projection": 5})

    def tonic(rate):
        return ps.stimulation.from_spec({"type": "tonic", "rate": rate, "width": "2 ms", "amplitude": 1.5,
                                         "duration": "0.2 s", "threshold_class": "C", "target": "peripheral_nerve"})
    ds, _ = ps.conditioning.condition_and_test(variant, {"a": tonic("10 Hz"), "b": tonic("20 Hz")}, 0.4,
                                               test_duration="0.6 s", seed=1)
    assert json.loads(ds.attrs["test_noxious"])["intensity"] == 0.4
    cond = json.loads(ds.attrs["conditioning"])
    assert [cond[k]["mean_rate_hz"] for k in ("a", "b")] == [10.0, 20.0] and cond["a"]["threshold_class"] == "C"
    n_pn = [json.loads(text)["dorsal_horn"]["populations"]["n_projection"]
            for text in (ds.attrs["parameters"], model.to_json())]
    assert n_pn == [5, int(model.si("dorsal_horn.populations.n_projection"))] and n_pn[0] != n_pn[1]
    ps.io.save(ds, tmp_path / "b.nc")
    back = ps.io.load(tmp_path / "b.nc")
    for key in ("parameters", "conditioning", "test_noxious"):
        assert back.attrs[key] == ds.attrs[key]
