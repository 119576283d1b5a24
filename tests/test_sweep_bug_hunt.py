"""Sweep input that was refused although valid, or accepted although the sweep could not do
what it said: each case is checked when the spec is made, before any point runs (no test here
simulates unless it says so)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from painsim.errors import SpecError
from painsim.plots import sweep_figure
from painsim.plots.sweep import MAX_PANELS
from painsim.sweep import make_spec, run_sweep
from painsim.sweep import run as sweep_run
from painsim.sweep.points import build_point

from refusals import refused

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


# ---------------------------------------------------------------- 5. keys another kind or design reads
@pytest.mark.parametrize("extra, name, reader", [
    ({"protocol": "scs_tonic"}, "protocol", "course"),
    ({"kind": "course", "protocol": "scs_tonic", "noxious": 0.5}, "noxious", "simulate"),
    ({"kind": "course", "protocol": "scs_tonic", "stimulus": TONIC}, "stimulus", "simulate"),
    ({"n": 5}, "sweep.n", "morris"),
    ({"levels": 3}, "levels", "morris"),
    ({"design": "lhs", "n": 4, "levels": 3}, "levels", "morris"),
])
def test_a_key_the_sweep_would_ignore_is_refused(extra, name, reader):
    """A key read by another kind or design only was ignored without a word (``protocol`` in a
    simulate sweep ran without stimulation); refused naming the key and what reads it."""
    parameters = {"dorsal_horn.pharmacology.gaba_block": [0.0, 1.0]}
    err = refused(lambda: make_spec(spec(parameters, **extra)), name, SpecError)
    assert reader in str(err)


def test_keys_of_the_kind_and_design_are_accepted():
    """Negative control: the same keys where they are read (a course's protocol, a simulate sweep's
    stimulus and noxious, a sampled design's n, Morris's levels) are accepted."""
    make_spec(spec({"stimulus.amplitude": {"min": 1.0, "max": 2.0}}, TONIC, noxious=0.5, design="morris", n=2,
                   levels=4))
    make_spec(spec({"dorsal_horn.pharmacology.gaba_block": [0.0, 1.0]}, kind="course", protocol="scs_tonic",
                   outcomes=["relief"]))


# ---------------------------------------------------------------- 6. two names of one device argument
def test_two_axes_of_one_device_argument_are_refused():
    """``stimulus[01].amplitude`` and ``stimulus[1].amplitude`` set the same argument: one silently
    overrode the other.  A leading zero is refused, as are two axes of one argument (also
    ``stimulus.rate`` beside ``stimulus[0].rate`` of the one device).  Negative control: axes of
    two devices' amplitudes are accepted."""
    two = [dict(TONIC), {**TONIC, "rate": "80 Hz", "target": "peripheral_nerve"}]  # one central lead
    refused(lambda: make_spec(spec({"stimulus[01].amplitude": [1.0, 2.0], "stimulus[1].amplitude": [1.5]}, two)),
            "stimulus[01].amplitude", SpecError)
    refused(lambda: make_spec(spec({"stimulus[01].amplitude": [1.0, 2.0]}, two)), "stimulus[01].amplitude", SpecError)
    refused(lambda: make_spec(spec({"stimulus.rate": ["10 Hz", "20 Hz"], "stimulus[0].rate": ["30 Hz"]}, TONIC)),
            "stimulus.rate", SpecError)
    s = make_spec(spec({"stimulus[0].amplitude": [1.0, 2.0], "stimulus[1].amplitude": [1.5]}, two))
    assert len(s.points()) == 2


# ---------------------------------------------------------------- 3. whole-number device arguments
def test_whole_number_device_arguments_are_integer_axes():
    """A body site and a count of a device take whole numbers; every number of a sweep was read as a
    float, so ``stimulus.site = [0, 4]`` was refused ("'site' = 0.0 ... a whole number") and a
    sampled ``pulses_per_burst`` came out 2.3167.  Grid values stay whole and sampled ones are
    rounded (as counts of the model are).  Negative controls: a non-whole site value is still
    refused, and an amplitude axis is not made integer."""
    s = make_spec(spec({"stimulus.site": [0, 4]}, TONIC, model="healthy", params={}))
    assert [build_point(s, p)[1].site for p in s.points()] == [0, 4]
    burst = {"type": "burst", "amplitude": 1.5}
    s = make_spec(spec({"stimulus.pulses_per_burst": {"min": 2, "max": 5}, "stimulus.amplitude": {"min": 1, "max": 2}},
                       burst, design="lhs", n=6))
    counts = [p["stimulus.pulses_per_burst"] for p in s.points()]
    assert all(c == round(c) and 2 <= c <= 5 for c in counts), counts
    assert any(p["stimulus.amplitude"] != round(p["stimulus.amplitude"]) for p in s.points())
    for p in s.points():
        assert build_point(s, p)[1].n_pulses % int(p["stimulus.pulses_per_burst"]) == 0
    refused(lambda: make_spec(spec({"stimulus.site": [0.5]}, TONIC, model="healthy", params={})), "site")


# ---------------------------------------------------------------- 4. devices the model refuses
@pytest.mark.parametrize("extra, name", [
    ({"stimulus": {**TONIC, "site": 3}}, "stimulus.site"),                 # gate_control has 1 site
    ({"stimulus": TONIC, "parameters": {"stimulus.site": [0, 3]}}, "stimulus.site"),
    ({"stimulus": [TONIC, {**TONIC, "site": 2}]}, "stimulus[1].site"),
    ({"stimulus": [{**TONIC, "target": "dorsal_column"}, {**TONIC, "target": "dorsal_column", "rate": "40 Hz"}]},
     "stimulus"),                                                          # two leads at one site
    ({"stimulus": TONIC, "parameters": {"stimulus.rate": ["50 Hz", "2 kHz"]}}, "stimulus.rate"),  # fraction recruitment
])
def test_a_device_the_model_refuses_is_refused_before_the_store(tmp_path, monkeypatch, extra, name):
    """A device :func:`painsim.simulate` refuses for the point's model (a site the body lacks, two
    dorsal-column leads at one site, a kHz rate under fraction recruitment) made a store, ran and
    failed every point (exit 1, a NaN figure); refused now by its sweep key before the store."""
    monkeypatch.setattr(sweep_run, "run_batches", _no_work)
    refused(lambda: run_sweep(spec(**extra), store=tmp_path / "store", workers=0), name)
    assert not (tmp_path / "store").exists()


def test_devices_the_model_takes_are_accepted():
    """Negative control: the same devices where the model has them (a second site on the 5-site
    pathway, one lead beside a peripheral device, a kHz train under biophysical recruitment)."""
    make_spec(spec(stimulus={**TONIC, "site": 3}, model="healthy", params={}))
    make_spec(spec(stimulus=[{**TONIC, "target": "dorsal_column"}, {**TONIC, "target": "peripheral_nerve"}]))
    make_spec(spec({"stimulus.rate": ["50 Hz", "2 kHz"]}, TONIC,
                   params={**TINY, "afferents.recruitment": "biophysical"}))


def test_an_amplitude_axis_is_checked_once_a_rate_axis_per_rate(monkeypatch):
    """The device checks draw the devices' input spikes (``device_refusal``): an amplitude axis,
    which no refusal depends on, is checked once, not once per point (a 20-point axis cost 6 s
    before anything ran); a rate axis, which the recruitment model may refuse, once per rate."""
    from painsim.sweep import devices
    calls = []
    real = devices.device_refusal
    monkeypatch.setattr(devices, "device_refusal", lambda *a, **k: calls.append(1) or real(*a, **k))
    make_spec(spec({"stimulus.amplitude": [1.0, 1.5, 2.0, 2.5]}, TONIC))
    assert len(calls) == 1
    calls.clear()
    make_spec(spec({"stimulus.rate": ["20 Hz", "50 Hz", "80 Hz"]}, TONIC))
    assert len(calls) == 3


def _no_work(*args, **kwargs):
    raise AssertionError("a refused sweep must not start")


# ---------------------------------------------------------------- 8. heat maps averaged over further axes
def _plane(params, seed):
    return {"z": float(params["x"]) + 10 * float(params["y"]) + float(params["a"]) * float(params["b"])}


def _titles(fig) -> str:
    return " ".join([fig._suptitle.get_text() if fig._suptitle else ""] + [ax.get_title() for ax in fig.axes])


def test_a_heat_map_says_which_axes_it_averages_over(tmp_path):
    """Beyond MAX_PANELS combinations the further swept axes are averaged; the title said only
    "<sweep>: z".  It names them now.  Negative control: with few combinations (panels) no
    axis is averaged and the title says nothing of it."""
    many = {"x": [0.0, 1.0], "y": [0.0, 1.0], "a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]}
    assert 3 * 3 > MAX_PANELS
    ds = run_sweep({"kind": "function", "function": _plane, "name": "pan", "parameters": many, "outcomes": ["z"]},
                   store=tmp_path / "many", workers=0)
    fig = sweep_figure(ds, "z", x="x", y="y")
    assert "averaged over a, b" in _titles(fig), _titles(fig)
    plt.close(fig)
    few = {k: v for k, v in many.items() if k != "b"}
    ds = run_sweep({"kind": "function", "function": _plane, "name": "pan", "parameters": {**few, "b": [1.0]},
                    "outcomes": ["z"]}, store=tmp_path / "few", workers=0)
    fig = sweep_figure(ds, "z", x="x", y="y")
    assert "averaged" not in _titles(fig), _titles(fig)
    plt.close(fig)


# ---------------------------------------------------------------- 9. a temperature given as an intensity
@pytest.mark.parametrize("extra, make", [({"noxious": "47 degC"}, "heat"), ({"noxious": 47}, "heat"),
                                         ({"parameters": {"noxious": [0.5, 47.0]}}, "heat"),
                                         ({"noxious": "10 degC"}, "cold")])
def test_a_temperature_as_noxious_gets_the_sweep_files_hint(extra, make):
    """``noxious = "47 degC"`` in a sweep got the hint of the Python call (``noxious=heat(47)``,
    ``painsim.fibers.heat``), which a sweep file cannot write; the hint now names the sweep's way,
    a ``heat`` (``cold``) axis.  Negative control: an intensity out of range that reads as no
    temperature (2) gets no such hint."""
    err = refused(lambda: make_spec(spec(**extra)), "noxious")
    assert f"[parameters] {make} = [" in err.hint and "painsim.fibers" not in str(err), str(err)
    err = refused(lambda: make_spec(spec(noxious=2)), "noxious")
    assert not err.hint, str(err)
