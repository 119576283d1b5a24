"""Sweep input that was refused although valid, or accepted although the sweep could not do
what it said: each case is checked when the spec is made, before any point runs (no test here
simulates unless it says so)."""
from __future__ import annotations

from painsim.sweep import make_spec
from painsim.sweep.points import build_point

#: A small gate_control (its populations as in tests/test_sweep_input.py): specs are only built here.
TINY = {"afferents.C.n": 10, "afferents.Abeta.n": 8, "afferents.Adelta.n": 5,
        "dorsal_horn.populations.n_inhibitory": 8, "dorsal_horn.populations.n_excitatory": 8,
        "dorsal_horn.populations.n_projection": 4}
TONIC = {"type": "tonic", "rate": "50 Hz", "width": "200 us", "amplitude": 1.5}


def spec(parameters=None, stimulus=None, **sweep):
    """A simulate sweep of the tiny gate_control (0.2 s), as a dict for :func:`make_spec`."""
    d = {"kind": "simulate", "model": "gate_control", "duration": "0.2 s", "seed": 1, "outcomes": ["pn_rate"],
         "params": dict(TINY), "parameters": parameters or {}}
    if stimulus is not None:
        d["stimulus"] = stimulus
    d.update(sweep)
    return d


# ---------------------------------------------------------------- 1. generators without a duration
def test_tms_tables_get_no_duration_they_do_not_take():
    """rtms and theta_burst last as long as their trains (no ``duration`` argument): the sweep gave
    every table its duration and refused them ("unknown argument of rtms 'duration'").  Negative
    control: a tonic table still takes the sweep's duration (its waveform lasts 0.2 s)."""
    for table in ({"type": "rtms", "intensity": 0.8}, {"type": "theta_burst", "pattern": "cTBS"}):
        s = make_spec(spec({"stimulus.intensity": [0.6, 0.9]}, table, model="healthy", params={}))
        assert [p["stimulus.intensity"] for p in s.points()] == [0.6, 0.9]
    s = make_spec(spec({"stimulus.amplitude": [1.0, 2.0]}, TONIC))
    assert build_point(s, s.points()[0])[1].duration == 0.2
