"""Findings of the device / sweep bug hunt:

1. a sweep checks every distinct device of its points before any point runs (a swept burst
   ``intraburst_rate`` and a kHz amplitude beyond the field term's range failed mid-sweep), and an
   amplitude axis of many points stays cheap to check;
2. the ``scs_frequency`` curves read each condition's GABA_A block as the model ran it (``--set``);
3. a Waveform's ``interphase_gap`` that is NaN or text is refused naming it; ``custom`` reads a gap
   with its unit;
4. a course file's protocol stimulus that the model refuses is refused at load as
   ``protocol.stimulus.<argument>`` (and ``run_course`` refuses it before the first session);
5. the docs say one dorsal-column lead's kHz field acts at a site.
"""
import json
from pathlib import Path

import pytest
import xarray as xr
from brian2 import ms, us

import painsim as ps
from painsim.errors import WaveformError
from painsim.files.dispatch import load_experiment
from painsim.protocols import resolve
from painsim.stimulation import Waveform, custom, from_spec
from painsim.sweep import make_spec
from refusals import WorkStarted, refused

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ 1. every distinct device, up front
def _sweep(stimulus, params, axes):
    return {"sweep": {"name": "devices", "model": "gate_control", "duration": "0.3 s", "seeds": [1],
                      "outcomes": ["pn_rate"]},
            "params": params, "stimulus": stimulus, "parameters": axes}


BURST = {"type": "burst", "amplitude": 1.5, "width": "200 us"}
KHZ = {"type": "high_frequency", "rate": "25 kHz", "width": "40 us", "shape": "monophasic", "amplitude": "0.1 A"}


def test_a_swept_intraburst_rate_the_model_refuses_is_refused_before_any_point():
    spec = _sweep(BURST, {"afferents.recruitment": "fraction"},
                  {"stimulus.intraburst_rate": {"values": ["500 Hz", "2000 Hz"]}})
    err = refused(lambda: make_spec(spec), "stimulus.intraburst_rate")
    assert "2000" in str(err.hint)                       # the point is named
    # negative control: rates the fraction recruitment takes pass
    make_spec(_sweep(BURST, {"afferents.recruitment": "fraction"},
                     {"stimulus.intraburst_rate": {"values": ["500 Hz", "800 Hz"]}}))


def test_a_swept_khz_amplitude_beyond_the_field_range_is_refused_before_any_point():
    spec = _sweep(KHZ, {"afferents.recruitment": "biophysical"}, {"stimulus.amplitude": {"values": ["0.1 A", "1 A"]}})
    err = refused(lambda: make_spec(spec), "stimulus.amplitude")
    assert "field term's range" in str(err) and "stimulus.amplitude = 1.0" in str(err.hint)
    # negative control: both amplitudes within the range
    make_spec(_sweep(KHZ, {"afferents.recruitment": "biophysical"},
                     {"stimulus.amplitude": {"values": ["0.1 A", "0.2 A"]}}))


def test_the_field_range_is_among_the_device_checks():
    """Both device_refusal (drawing) and amplitude_refusal (no drawing) refuse the kHz field beyond its
    range; a current within it passes both (negative control)."""
    model = ps.load_model("gate_control").with_params({"afferents.recruitment": "biophysical"})
    strong = from_spec({**KHZ, "amplitude": "1 A", "duration": "0.3 s"})
    weak = from_spec({**KHZ, "duration": "0.3 s"})
    for check in (ps.simulation.device_refusal, ps.simulation.amplitude_refusal):
        k, err = check(model, strong, 0.3)
        assert k == 0 and "field term's range" in str(err)
        assert check(model, weak, 0.3) is None


def test_an_amplitude_axis_of_many_points_draws_the_devices_once(monkeypatch):
    """100 distinct amplitudes: the drawing check runs once, the cheap amplitude check at every other
    point (each distinct device is checked), and no point is skipped."""
    from painsim.sweep import devices

    calls = {"device": 0, "amplitude": 0}

    def counting(name, real):
        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return call
    monkeypatch.setattr(devices, "device_refusal", counting("device", devices.device_refusal))
    monkeypatch.setattr(devices, "amplitude_refusal", counting("amplitude", devices.amplitude_refusal))
    tonic = {"type": "tonic", "rate": "50 Hz", "width": "200 us", "amplitude": 1.0}
    make_spec(_sweep(tonic, {"afferents.recruitment": "fraction"},
                     {"stimulus.amplitude": {"values": [round(0.01 * (k + 1), 3) for k in range(100)]}}))
    assert calls == {"device": 1, "amplitude": 99}


def test_the_drawing_key_leaves_out_amplitudes_only():
    a = from_spec({"type": "tonic", "rate": "50 Hz", "width": "200 us", "amplitude": 1.0, "duration": "0.1 s"})
    b = from_spec({"type": "tonic", "rate": "50 Hz", "width": "200 us", "amplitude": 2.0, "duration": "0.1 s"})
    c = from_spec({"type": "tonic", "rate": "50 Hz", "width": "300 us", "amplitude": 1.0, "duration": "0.1 s"})
    assert a.key() != b.key() and a.key(amplitudes=False) == b.key(amplitudes=False)
    assert a.key(amplitudes=False) != c.key(amplitudes=False)        # widths count


# ------------------------------------------------------------------ 2. GABA_A block as the model ran it
def _curves(stored_blocks, params_blocks):
    stim = {"type": "tonic", "rate": "50 Hz", "width": "200 us", "amplitude": 1.5, "duration": "0.3 s"}
    conds = [{"label": "no SCS", "noxious": 0.6}, {"label": "50 Hz", "noxious": 0.6, "stimulus": stim}]
    for c, b in zip(conds, params_blocks):
        if b is not None:
            c["params"] = {"dorsal_horn.pharmacology.gaba_block": b}
    stored = [json.dumps({"dorsal_horn": {"pharmacology": {"gaba_block": b}}}) for b in stored_blocks]
    return xr.Dataset({"pn_rate": (("condition",), [9.0, 183.0]), "parameters": (("condition",), stored)},
                      coords={"condition": [c["label"] for c in conds]},
                      attrs={"experiment_spec": json.dumps({"condition": conds})})


def test_a_gaba_block_set_outside_the_conditions_params_is_read_from_the_stored_parameters():
    """``painsim run ... --set dorsal_horn.pharmacology.gaba_block=1``: the conditions' params say
    nothing, the model ran blocked (its stored parameters); the curves were keyed 0 ("GABA_A intact")."""
    curves = ps.analysis.scs_frequency_curves(_curves([1.0, 1.0], [None, None]))
    assert list(curves) == [1.0]
    assert curves[1.0]["base"] == 9.0 and curves[1.0]["f"] == [50.0]
    # negative controls: intact runs stay at 0; a condition's own params agree with its stored value
    assert list(ps.analysis.scs_frequency_curves(_curves([0.0, 0.0], [None, None]))) == [0.0]
    assert list(ps.analysis.scs_frequency_curves(_curves([0.0, 1.0], [0.0, 1.0]))) == [0.0, 1.0]


# ------------------------------------------------------------------ 3. interphase_gap
@pytest.mark.parametrize("gap", [float("nan"), float("inf"), -1e-6, "50 us", True])
def test_a_gap_that_is_not_a_finite_number_at_least_0_is_refused(gap):
    refused(lambda: Waveform([0.0], 1e-4, 1.0, 0.01, interphase_gap=gap), "interphase_gap", WaveformError)
    # negative control: a finite gap in s
    assert Waveform([0.0], 1e-4, 1.0, 0.01, interphase_gap=5e-5).interphase_gap == 5e-5


def test_a_nan_duration_or_text_duration_is_refused_naming_it():
    for duration in (float("nan"), "10 ms"):
        refused(lambda: Waveform([0.0], 1e-4, 1.0, duration), "duration", WaveformError)


def test_custom_reads_a_gap_with_its_unit_and_refuses_nan():
    w = custom([0, 10] * ms, 100 * us, 1.5, 20 * ms, interphase_gap="50 us")
    assert w.interphase_gap == pytest.approx(50e-6)
    assert custom([0] * ms, 100 * us, 1.5, 20 * ms, interphase_gap=50 * us).interphase_gap == pytest.approx(50e-6)
    refused(lambda: custom([0] * ms, 100 * us, 1.5, 20 * ms, interphase_gap=float("nan")), "interphase_gap",
            WaveformError)


# ------------------------------------------------------------------ 4. course protocol devices
def _course(tmp_path, protocol):
    lines = [f"{k} = {json.dumps(v) if not isinstance(v, dict) else '{ ' + ', '.join(f'{a} = {json.dumps(b)}' for a, b in v.items()) + ' }'}"
             for k, v in protocol.items()]
    path = tmp_path / "course.toml"
    path.write_text('[experiment]\nname = "c"\nkind = "course"\nmodel = "gate_control"\ndays = [0]\n\n[protocol]\n'
                    + "\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("protocol, name", [
    ({"base": "tens_conventional", "stimulus": {"site": 9}}, "protocol.stimulus.site"),
    ({"base": "scs_burst", "stimulus": {"intraburst_rate": "2000 Hz", "width": "100 us"}},
     "protocol.stimulus.intraburst_rate"),
])
def test_a_course_files_protocol_device_the_model_refuses_is_refused_at_load(tmp_path, protocol, name):
    refused(lambda: load_experiment(_course(tmp_path, protocol)), name)
    # negative control: a site the body has
    load_experiment(_course(tmp_path, {"base": "tens_conventional", "stimulus": {"site": 0}}))


def test_run_course_refuses_the_device_before_the_first_session(no_work):
    bad = resolve({"base": "tens_conventional", "stimulus": {"site": 9}})
    refused(lambda: ps.run_course(ps.load_model("gate_control"), bad, seed=1), "protocol.stimulus.site")
    with pytest.raises(WorkStarted):       # negative control: every check passes, the sessions start
        ps.run_course(ps.load_model("gate_control"), resolve({"base": "tens_conventional"}), seed=1)


# ------------------------------------------------------------------ 5. docs
def test_the_docs_do_not_say_kHz_fields_of_several_leads_add_up_at_a_site():
    text = (ROOT / "docs" / "stimulation.md").read_text() + ps.devices.__doc__
    assert "add up at a site" not in text and "adds up over" not in text
    assert "one dorsal-column lead" in text
