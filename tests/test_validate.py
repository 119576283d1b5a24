"""`painsim validate`: the table of published targets, their status, and the verdicts.

The registry is checked as data (every target cites a source, has a status and a
consistent range); the verdict logic on targets whose measurement is known; one real
measurement (the gate on C-carried heat, a few seconds) through the API and the CLI,
whose value must equal the same quantity computed here from simulate_batch.
"""
import json
import shutil
import types
import os

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim import validation
from painsim.cli import main
from painsim.errors import ParameterError
from painsim.fibers import heat
from painsim.validation import courses as course_rows
from painsim.validation.run import _dataset, table_rows


def test_every_target_cites_a_source_and_declares_its_status():
    names = [t.name for t in validation.TARGETS]
    assert len(names) == len(set(names))
    for t in validation.TARGETS:
        assert t.source and t.what and t.units
        assert t.status in validation.STATUSES and t.cost in validation.COSTS
        if t.low is not None:
            assert t.low <= t.published <= t.high, t.name
        # a calibrated target says what was calibrated on it
        assert t.status != "calibrated" or t.note, t.name


def test_verdict_follows_the_published_range():
    t = validation.Target("x", "a ratio", 0.3, 0.2, 0.4, "1", "someone 2000", "prediction", "fast", lambda s: 0.0)
    assert t.verdict(0.2) == "yes" and t.verdict(0.4) == "yes" and t.verdict(0.3) == "yes"
    assert t.verdict(0.19) == "no" and t.verdict(0.5) == "no"  # negative controls
    assert t.verdict(float("nan")) == "n/a"
    point = validation.Target("y", "a value", 0.3, None, None, "1", "someone 2000", "prediction", "fast",
                              lambda s: 0.0)
    assert point.verdict(0.3) == "n/a"  # no range published: no yes/no


def test_a_direction_only_target_is_judged_by_its_sign_and_printed_as_one():
    up = validation.Target("z", "a relief", float("nan"), None, None, "1", "someone 2000", "prediction", "fast",
                           lambda s: 0.0, direction=1)
    assert up.verdict(0.05) == "yes"
    assert up.verdict(0.0) == "no" and up.verdict(-0.05) == "no"  # no effect, or the other way: a miss
    assert up.verdict(float("nan")) == "n/a"
    ds = _dataset([up], np.array([0.05]), np.array([1.0]), seed=1)
    assert int(ds["published_direction"].sel(target="z")) == 1
    assert "| > 0 | – | yes |" in table_rows(ds)[-1]
    # a result written before the variable existed still prints (the published figure, NaN)
    assert "| – | – | yes |" in table_rows(ds.drop_vars("published_direction"))[-1]


def test_a_direction_of_a_ratio_is_read_from_one():
    """A ratio published as "above 1" (or "below 1"): judged by its side of 1, not by its sign."""
    up = validation.Target("r", "a ratio", float("nan"), None, None, "1", "someone 2000", "prediction", "fast",
                           lambda s: 0.0, direction=1, direction_from=1.0)
    down = validation.Target("d", "a ratio", float("nan"), None, None, "1", "someone 2000", "prediction", "fast",
                             lambda s: 0.0, direction=-1, direction_from=1.0)
    assert up.verdict(1.2) == "yes" and down.verdict(0.9) == "yes"
    # positive but not above 1 is a miss (the sign alone would have said yes), and no change is a miss both ways
    assert up.verdict(0.9) == "no" and up.verdict(1.0) == "no" and down.verdict(1.0) == "no"
    assert down.verdict(1.1) == "no"
    ds = _dataset([up, down], np.array([1.2, 0.9]), np.array([1.0, 1.0]), seed=1)
    rows = table_rows(ds)
    assert "| > 1 | – | yes |" in rows[-2] and "| < 1 | – | yes |" in rows[-1]
    assert float(ds["published_direction_from"].sel(target="r")) == 1.0


@pytest.mark.parametrize("bad", [dict(direction_from=1.0), dict(direction_from=float("nan"), direction=1)])
def test_a_direction_origin_needs_a_direction_and_a_value(bad):
    kw = dict(name="x", what="w", published=float("nan"), low=None, high=None, units="1", source="s",
              status="prediction", cost="fast", measure=lambda s: 0.0)
    kw.update(bad)
    with pytest.raises(ParameterError, match="x.direction_from"):
        validation.Target(**kw)


@pytest.mark.parametrize("bad", [dict(status="fitted"), dict(cost="medium"), dict(low=0.5, high=0.1),
                                 dict(low=0.1, high=None), dict(published=float("nan")),
                                 dict(direction=1), dict(low=None, high=None, direction=1),
                                 dict(low=None, high=None, published=float("nan"), direction=2)])
def test_malformed_targets_are_refused(bad):
    kw = dict(name="x", what="w", published=0.3, low=0.2, high=0.4, units="1", source="s",
              status="prediction", cost="fast", measure=lambda s: 0.0)
    kw.update(bad)
    with pytest.raises(ParameterError, match="x.direction" if "direction" in bad else "x."):
        validation.Target(**kw)


def test_unknown_target_is_refused_before_any_work(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["validate", "--only", "gate_on_c_heta", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "gate_on_c_heta" in err and "did you mean 'gate_on_c_heat'" in err  # the bad one and the nearest
    assert not out.exists()


def test_only_is_repeatable_and_keeps_every_target_named(tmp_path, capsys):
    # the first --only names a misspelt target: were it dropped for the second, drg_c_filtering would run
    out = tmp_path / "v"
    assert main(["validate", "--only", "gate_on_c_heta", "--only", "drg_c_filtering", "--out", str(out)]) == 2
    assert "gate_on_c_heta" in capsys.readouterr().err
    assert not out.exists()


def test_only_splits_names_at_commas(tmp_path, capsys):
    # "a,b" names two targets (the second misspelt, so nothing runs); unsplit it would be one unknown name
    out = tmp_path / "v"
    assert main(["validate", "--only", "drg_c_filtering,gate_on_c_heta", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "'gate_on_c_heta'" in err and "drg_c_filtering," not in err
    assert not out.exists()


@pytest.fixture(scope="module")
def gate_row(tmp_path_factory):
    out = tmp_path_factory.mktemp("validate")
    assert main(["validate", "--only", "gate_on_c_heat", "--seed", "2", "--out", str(out)]) == 0
    return out


def test_cli_writes_the_table_and_the_dataset(gate_row):
    ds = xr.load_dataset(gate_row / "validation.nc")
    assert list(ds["target"].values) == ["gate_on_c_heat"]
    assert ds.attrs["seed"] == 2 and "painsim validate" in ds.attrs["command"]
    text = (gate_row / "validation.md").read_text()
    assert "gate_on_c_heat" in text and "Shechter" in text
    assert (gate_row / "validation.png").stat().st_size > 0  # the summary figure


def test_figures_redraws_a_validation_result(gate_row, tmp_path):
    """Under the name `painsim validate` gave it, so that a redraw beside the table replaces its figure
    instead of adding a second one (it was written as validation_validation.png)."""
    out = tmp_path / "figs"
    assert main(["figures", str(gate_row / "validation.nc"), "--out", str(out)]) == 0
    assert [p.name for p in out.glob("*.png")] == ["validation.png"]
    beside = tmp_path / "beside"
    shutil.copytree(gate_row, beside)
    assert main(["figures", str(beside / "validation.nc")]) == 0
    assert sorted(p.name for p in beside.glob("*.png")) == ["validation.png"]


def test_measured_gate_equals_the_same_simulation_done_here(gate_row):
    """The table's number is the simulation it says it is (seeds 2-5, the same requests)."""
    ds = xr.load_dataset(gate_row / "validation.nc")
    m = ps.load_model("gate_control")
    scs = ps.stimulation.tonic("50 Hz", "200 us", 1.5, "1.5 s")
    seeds = range(2, 2 + validation.targets.N_SEEDS)
    res = ps.simulate_batch([ps.Request(m, st, heat(47), seed=s) for st in (None, scs) for s in seeds], "1.5 s")
    k = len(seeds)
    alone = np.mean([float(r.pn_rate) for r in res[:k]])
    with_scs = np.mean([float(r.pn_rate) for r in res[k:]])
    assert float(ds["model"].sel(target="gate_on_c_heat")) == pytest.approx(1 - with_scs / alone, rel=1e-12)
    assert str(ds["verdict"].sel(target="gate_on_c_heat").values) == \
        validation.get("gate_on_c_heat").verdict(1 - with_scs / alone)


def test_a_variant_is_measured_and_recorded(gate_row, tmp_path):
    """``--set`` measures a model variant: with GABA_A/glycine blocked in every model the same
    target is the same simulation on the blocked model (stimulation then only excites: no gate),
    and the file records the variant; the default run records none."""
    out = tmp_path / "v"
    assert main(["validate", "--only", "gate_on_c_heat", "--seed", "2", "--out", str(out),
                 "--set", "dorsal_horn.pharmacology.gaba_block=1"]) == 0
    ds = xr.load_dataset(out / "validation.nc")
    assert json.loads(ds.attrs["model_overrides"]) == {"dorsal_horn.pharmacology.gaba_block": 1}
    assert "model_overrides" not in xr.load_dataset(gate_row / "validation.nc").attrs
    # the Markdown table says so too (its first line), and the default's does not
    assert "dorsal_horn.pharmacology.gaba_block" in (out / "validation.md").read_text().splitlines()[0]
    assert "with" not in (gate_row / "validation.md").read_text().splitlines()[0]
    blocked = ps.load_model("gate_control").with_params({"dorsal_horn.pharmacology.gaba_block": 1.0})
    scs = ps.stimulation.tonic("50 Hz", "200 us", 1.5, "1.5 s")
    seeds = range(2, 2 + validation.targets.N_SEEDS)
    res = ps.simulate_batch([ps.Request(blocked, st, heat(47), seed=s) for st in (None, scs) for s in seeds],
                            "1.5 s")
    k = len(seeds)
    gate = 1 - np.mean([float(r.pn_rate) for r in res[k:]]) / np.mean([float(r.pn_rate) for r in res[:k]])
    assert float(ds["model"].sel(target="gate_on_c_heat")) == pytest.approx(gate, rel=1e-12)
    assert gate < 0 < float(xr.load_dataset(gate_row / "validation.nc")["model"].sel(target="gate_on_c_heat"))
    assert os.environ.get("PAINSIM_MODEL_OVERRIDES") is None  # undone after the command


def test_a_bad_variant_is_refused_before_any_work(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["validate", "--only", "gate_on_c_heat", "--out", str(out), "--set", "dorsal_horn.synapse.c_gian=1"]) == 2
    assert "c_gian" in capsys.readouterr().err and not out.exists()


def test_paresthesia_targets_read_presence_and_absence():
    """Presence is a readout above 0 volleys/s, undetermined (NaN) counts for neither; tonic SCS must
    give paresthesia in every circuit, 10 kHz in none (one circuit off is a miss either way)."""
    has = validation.measurements._has_paresthesia
    assert has(37.5) == 1.0 and has(0.0) == 0.0 and np.isnan(has(float("nan")))
    tonic, khz = validation.get("paresthesia_tonic_scs"), validation.get("paresthesia_10khz_scs")
    assert tonic.verdict(1.0) == "yes" and tonic.verdict(0.75) == "no"
    assert khz.verdict(0.0) == "yes" and khz.verdict(0.125) == "no"
    assert tonic.verdict(float("nan")) == khz.verdict(float("nan")) == "n/a"
    # no published figure for the kHz field's size: never a yes/no
    assert validation.get("khz_dorsal_horn_reduction").verdict(0.5) == "n/a"


def test_drg_filtering_target_is_the_model_files_c_junction():
    """The DRG target reads the C junction of the model file: a 20 Hz stem train is blocked by its
    20th second; with the file's junction made ideal (no refractoriness, no load) all of it passes."""
    from painsim.params import overriding
    assert validation.measurements.drg_c_filtering(1) == 0.0
    ideal = {"afferents.tjunction.C.safety": 1.0, "afferents.tjunction.C.refractory": "0 ms",
             "afferents.tjunction.C.tau_recovery": "0 ms", "afferents.tjunction.C.load": 0.0}
    with overriding(ideal):
        assert validation.measurements.drg_c_filtering(1) == 1.0


def test_a_parameter_set_twice_is_refused(tmp_path, capsys):
    out = tmp_path / "v"
    assert main(["validate", "--only", "gate_on_c_heat", "--out", str(out), "--set", "dorsal_horn.synapse.c_gain=1",
                 "--set", "dorsal_horn.synapse.c_gain=0.5"]) == 2
    assert "more than once" in capsys.readouterr().err and not out.exists()


def test_low_frequency_tens_differs_from_conventional_tens_in_its_rate_only():
    """The row tens_low_frequency_ratio compares rates as the rat studies did (same intensity): the
    4-Hz protocol's window holds 1/25 of the 100-Hz pulses, with the same amplitude, width and
    electrodes.  Negative control: the library's acupuncture-like TENS differs in more than its rate."""
    from painsim.validation.opioids import low_frequency_tens
    high, low = ps.protocols.get("tens_conventional"), low_frequency_tens()
    h, lo = high.waveform(0.0, 1.0), low.waveform(0.0, 1.0)
    assert (len(h.onsets), len(lo.onsets)) == (100, 4)
    assert {k: v for k, v in low.stimulus.items() if k != "rate"} == dict(high.stimulus)
    same = lambda w: (set(w.widths), set(w.amplitudes), w.amplitude_kind, w.target, w.shape)  # noqa: E731
    assert same(h) == same(lo)
    assert same(ps.protocols.get("tens_acupuncture").waveform(0.0, 1.0)) != same(h)


def test_lasting_relief_rows_read_the_course_they_ask_for(monkeypatch):
    """The course-outcome rows on a stand-in course engine: the protocol, calendar, follow-up day and
    patients they request, sham subtracted, patients without baseline pain (NaN relief) left out,
    >= 50 % counted as a response and 49 % not."""
    calls = []

    def fake_course(model, spec, seeds, follow_up_days, tests):
        calls.append((model, spec, tuple(seeds), tuple(follow_up_days), tests))
        day = follow_up_days[0]
        real = {"rtms_m1_20hz": [10.0, 30.0, np.nan, 20.0], "rtms_m1_20hz_sham": [0.0, 0.0, 0.0, 0.0],
                "pns_percutaneous": [60.0, 10.0, np.nan, 50.0], "mpns": [49.0, 50.0, np.nan, 80.0],
                "pnt_alternating": [5.0, -10.0, np.nan, 2.0], "pnt_alternating_sham": [5.0, 0.0, 0.0, 0.0]}[spec["base"]]
        return xr.Dataset({"relief": (("patient", "day"), np.array(real)[:, None])}, coords={"day": [day]})

    monkeypatch.setattr(course_rows, "run_course_batch", fake_course)
    course_rows._course_relief.cache_clear()
    try:
        assert course_rows.rtms_relief_over_sham(1) == pytest.approx(0.2)  # mean of 10, 30, 20 % minus sham 0
        assert course_rows.pns_responders_12m(1) == pytest.approx(2 / 3)   # 60 and 50 of the 3 evaluable
        assert course_rows.mpns_responders_90d(1) == pytest.approx(2 / 3)  # 50 and 80, not 49
        assert course_rows.pnt_relief_over_sham(1) == pytest.approx(-0.08 / 3)  # (0 - 10 + 2) / 3 %, paired
    finally:
        course_rows._course_relief.cache_clear()
    rtms, sham, pns, mpns, pnt, pnt_sham = calls
    assert rtms[0] == sham[0] == "central_poststroke_ischemic" and rtms[1]["days"] == [0, 1, 2, 3, 4]
    assert rtms[3] == (18.0,) and rtms[2] == (1, 2, 3, 4) and sham[1]["base"] == "rtms_m1_20hz_sham"
    assert pns[0] == "post_traumatic_neuropathic" and pns[3] == (365.0,) and len(pns[1]["days"]) == 60
    assert mpns[0] == "post_traumatic_neuropathic" and mpns[3] == (90.0,) and mpns[1]["end_day"] == 90.0
    assert mpns[1]["days"] == list(ps.protocols.get("mpns").calendar.days) and max(mpns[1]["days"]) < 90
    assert mpns[2] == tuple(range(1, 1 + course_rows.MPNS_PATIENTS))
    assert pnt[0] == pnt_sham[0] == "post_traumatic_neuropathic" and pnt_sham[1]["base"] == "pnt_alternating_sham"
    assert pnt[1]["days"] == [0, 2, 4, 7, 9, 11, 14, 16, 18] and pnt[3] == (18.0 + 1.0 / 24.0,)   # after the 9th
    assert all(c[4] == "follow_up" for c in calls)


def test_the_rtms_trial_row_compares_both_courses_of_the_same_drawn_patients(monkeypatch):
    """The rTMS trial on a stand-in course engine: the real and the sham course of the same 16 drawn
    patients (one model each), five daily sessions, pain read the day after the last; g is that of the
    two arms' pains, and identical arms give no effect (the negative control)."""
    from painsim.validation import trials
    calls, pain = [], {"rtms_m1_20hz": np.linspace(1.0, 8.5, 16), "rtms_m1_20hz_sham": np.linspace(1.5, 9.0, 16)}

    def fake_course(models, spec, seeds, follow_up_days, tests):
        calls.append((models, spec, tuple(seeds), tuple(follow_up_days), tests))
        return xr.Dataset({"pain": (("patient", "day"), pain[spec["base"]][:, None])}, coords={"day": [follow_up_days[0]]})

    monkeypatch.setattr(course_rows, "run_course_batch", fake_course)
    g = trials.rtms_sham_smd(1)
    assert g < 0 and g == pytest.approx(trials.hedges_g(pain["rtms_m1_20hz"], pain["rtms_m1_20hz_sham"]), rel=1e-12)
    real, sham = calls
    assert (real[1]["base"], sham[1]["base"]) == ("rtms_m1_20hz", "rtms_m1_20hz_sham")
    assert real[1]["days"] == sham[1]["days"] == [0, 1, 2, 3, 4] and real[3] == sham[3] == (5.0,)
    assert len(real[0]) == len(real[2]) == trials.TRIAL_PATIENTS and real[2] == sham[2]
    drawn = course_rows.drawn_patients(trials.TRIAL_PATIENTS, 1, "rtms_real_world", "pain_pathway")
    assert real[2] == tuple(s for _, s in drawn) and all(a is b for a, b in zip(real[0], sham[0]))  # paired
    pain["rtms_m1_20hz"] = pain["rtms_m1_20hz_sham"].copy()
    assert trials.rtms_sham_smd(1) == 0.0


def test_scs_responder_rows_compare_each_patient_with_and_without_the_protocols_stimulation(monkeypatch):
    """Stand-in simulator: the first half of the batch is without stimulation, the second with the
    protocol's waveform, patient by patient; >= 50 % lower pain counts, a patient at 0 is left out."""
    seen = []

    def fake_batch(requests, duration):
        seen.append((requests, duration))
        n = len(requests) // 2
        without = [4.0, 6.0, 0.0, 8.0, 5.0, 2.0, 3.0, 10.0][:n]
        with_ = [2.0, 3.1, 0.0, 0.0, 5.0, 1.0, 3.0, 5.0][:n]
        return [types.SimpleNamespace(pain=v) for v in without + with_]

    monkeypatch.setattr(course_rows, "simulate_batch", fake_batch)
    # evaluable: all but the third; responders: 4 -> 2, 8 -> 0, 2 -> 1, 10 -> 5 (6 -> 3.1 is not)
    assert course_rows.responders_during_use("scs_tonic")(1) == pytest.approx(4 / 7)
    requests, duration = seen[0]
    k = course_rows.SCS_PATIENTS
    assert duration == "1 s"  # the [course] test's duration, the course engine's test
    hf10 = []
    monkeypatch.setattr(course_rows, "simulate_batch", lambda reqs, d: hf10.extend(reqs) or fake_batch(reqs, d))
    course_rows.responders_during_use("scs_hf10")(1)
    assert hf10[0].model.si("afferents.recruitment") == "biophysical"  # the protocol's device overrides
    assert [r.seed for r in requests] == list(range(1, 1 + k)) * 2
    assert all(r.stimulus is None for r in requests[:k]) and all(r.stimulus is not None for r in requests[k:])


# ------------------------------------------------------------------ --list
def _listed(capsys, *argv) -> list[str]:
    assert main(["validate", "--list", *argv]) == 0
    return capsys.readouterr().out.splitlines()


def test_list_names_every_target_once_in_aligned_columns(capsys):
    lines = _listed(capsys)
    assert [line.split()[0] for line in lines] == [t.name for t in validation.TARGETS]
    # the cost column starts at one place in every line, whatever the name's length
    starts = {line.index(f" {t.cost} ", 2 + len(t.name) - 1) for line, t in zip(lines, validation.TARGETS)}
    assert len(starts) == 1, starts


def test_list_with_only_lists_those_targets(capsys):
    """--only was ignored by --list (every target was listed); negative control: without it, all are."""
    names = ["gate_on_c_heat", "windup_0p1hz"]
    assert [line.split()[0] for line in _listed(capsys, "--only", ",".join(names))] == names
    assert len(_listed(capsys)) == len(validation.TARGETS) > len(names)


def test_list_with_an_unknown_target_is_refused(capsys):
    assert main(["validate", "--list", "--only", "gate_on_c_heet"]) != 0
    assert "gate_on_c_heat" in capsys.readouterr().err   # the nearest name is suggested
