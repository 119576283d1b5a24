"""The medial pain pathway (painsim/circuits/medial.py) and the unpleasantness readout.

Properties, each with a negative control: noxious input at the painful site drives the
medial thalamus and the anterior cingulate (ACC) only through the spinothalamic input
(cut PN -> medial thalamus: silent) and the ACC only through the medial thalamus (MT -> ACC
removed: the ACC stays at rest); unpleasantness rises with heat temperature; cutting
the medial pathway removes unpleasantness and leaves the intensity score as it was; the
spinal-only model has no medial populations.  Also: the dorsal horn summates the pulses
of a burst (charge integration), and that summation is temporal (it goes with the AMPA
decay).  Short windows, two seeds, one batched network per model.
"""
import numpy as np
import pytest
from brian2 import second, siemens
from scipy import stats

import painsim as ps
from painsim.circuits import population_names
from painsim.errors import ParameterError
from batches import exceeds, simulate_by_label, spikes_after_transient

SEEDS = (1, 2)
DURATION = 1.0 * second
TEMPS = (46.0, 48.0, 50.0)
CUT = {"medial.thalamus.spinothalamic_p": 0.0}
NO_THALAMOCORTICAL = {"medial.acc.thalamocortical_p": 0.0}


@pytest.fixture(scope="module")
def pathway():
    """Healthy pathway: rest, heat at the painful site (46/48/50 °C), and 50 °C with
    the spinothalamic input to the medial thalamus cut, or with the medial thalamus ->
    ACC projection removed; one batch."""
    model = ps.load_model("pain_pathway")
    painful = int(model.si("body.painful_site"))
    cut, no_tc = model.with_params(CUT), model.with_params(NO_THALAMOCORTICAL)
    cases = ([("rest", model, None)] + [(T, model, T) for T in TEMPS]
             + [("cut", cut, TEMPS[-1]), ("no thalamocortical", no_tc, TEMPS[-1])])
    reqs = [ps.Request(m, None, {painful: ps.fibers.heat(T)} if T else 0.0, 0.0, s, label=f"{name}")
            for name, m, T in cases for s in SEEDS]
    return simulate_by_label(reqs, DURATION)


def _mean(results, var):
    return float(np.mean([float(r[var]) for r in results]))


def test_spinal_model_has_no_medial_populations():
    spinal = population_names(ps.load_model("gate_control"))
    pathway = population_names(ps.load_model("pain_pathway"))
    assert not {"MT", "ACC", "ACCI"} & set(spinal)
    assert {"MT", "ACC", "ACCI"} <= set(pathway)


def test_noxious_input_drives_medial_thalamus_and_acc(pathway):
    """Medial thalamic nociceptive neurons respond to noxious stimuli only (Dostrovsky & Guilbaud
    1990): at rest the medial thalamus and the ACC are silent (their pooled counts do not exceed
    0, a silent population's, by 3 Poisson sd: ``exceeds``; the thalamus has no background
    conductance and the ACC's is below rheobase), and 50 °C at the painful site drives both
    above rest.  Negative controls, the same heat: PN -> medial thalamus cut (the thalamus does
    not exceed rest), medial thalamus -> ACC removed (the ACC does not exceed rest: its drive is
    thalamic).  Pooled spike counts after the transient, 3 Poisson sd (tests/batches.py)."""
    c = {label: {pop: spikes_after_transient(pathway[label], pop) for pop in ("MT", "ACC")}
         for label in ("rest", str(TEMPS[-1]), "cut", "no thalamocortical")}
    rest, hot = c["rest"], c[str(TEMPS[-1])]
    assert not exceeds(rest["MT"], 0) and not exceeds(rest["ACC"], 0), rest
    assert exceeds(hot["MT"], rest["MT"]) and exceeds(hot["ACC"], rest["ACC"]), (hot, rest)
    assert not exceeds(c["cut"]["MT"], rest["MT"]), c
    assert not exceeds(c["no thalamocortical"]["ACC"], rest["ACC"]), c
    assert exceeds(c["no thalamocortical"]["MT"], rest["MT"]), c   # the thalamus still responds there


def test_cut_spinothalamic_input_silences_medial_pathway(pathway):
    """Negative control: the same heat, PN -> medial thalamus cut.  The thalamus gets no input and
    has no background, so it is silent exactly; the ACC falls back to rest (its pooled count does
    not exceed rest's by 3 Poisson sd) and below the intact pathway's under the same heat."""
    cut, hot = pathway["cut"], pathway[str(TEMPS[-1])]
    assert _mean(cut, "medial_thalamus_rate") == 0.0
    acc_cut, acc_rest, acc_hot = (spikes_after_transient(pathway[k], "ACC") for k in ("cut", "rest", str(TEMPS[-1])))
    assert not exceeds(acc_cut, acc_rest) and exceeds(acc_hot, acc_cut), (acc_cut, acc_rest, acc_hot)
    assert _mean(cut, "unpleasantness") == 0.0 < _mean(hot, "unpleasantness")


def test_cutting_medial_pathway_leaves_intensity(pathway):
    """The medial layer adds no input to the layers below: intensity, PN and the S1
    map are the same spike for spike with and without it."""
    for cut, intact in zip(pathway["cut"], pathway[str(TEMPS[-1])]):
        assert float(intact["pain"]) > 3.0
        assert float(cut["pain"]) == float(intact["pain"])
        assert float(cut["pn_rate"]) == float(intact["pn_rate"])
        assert float(cut["map_overactive_area"]) == float(intact["map_overactive_area"])


def test_unpleasantness_rises_with_heat_temperature(pathway):
    u = [_mean(pathway[f"{T}"], "unpleasantness") for T in TEMPS]
    acc = [_mean(pathway[f"{T}"], "acc_rate") for T in TEMPS]
    assert np.all(np.diff(acc) > 0), acc
    assert np.all(np.diff(u) >= 0) and u[-1] > u[0], u
    assert _mean(pathway["rest"], "unpleasantness") == 0.0


def test_unpleasantness_score_map():
    model = ps.load_model("pain_pathway")
    temps, rates, ratings = ps.readouts.unpleasantness_points(model)
    np.testing.assert_array_equal(ratings, ps.readouts.psychophysics_points(model)[2])
    r = np.linspace(0, 3 * rates[-1], 200)
    u = ps.readouts.unpleasantness_score(r, model)
    assert np.all(np.diff(u) >= 0) and u[0] == 0.0 and u.max() == 10.0
    np.testing.assert_allclose(ps.readouts.unpleasantness_score(rates, model), ratings)
    with pytest.raises(ParameterError):  # a model without the medial readout
        ps.readouts.unpleasantness_score(5.0, ps.Model("bare", {k: v for k, v in model.leaves.items()
                                                                 if not k.startswith("medial.readout")}))


def _in_and_abeta_spikes(model, n_pulses):
    """Inhibitory-interneuron and Aβ spike counts under 40 Hz bursts of ``n_pulses``
    (2.5 mA dorsal-column burst, De Ridder 2010 pulse shape), seeds pooled."""
    stim = ps.stimulation.burst(amplitude="2.5 mA", duration="0.6 s", pulses_per_burst=n_pulses)
    res = ps.simulate_batch([ps.Request(model, stim, 0.0, 0.0, s) for s in SEEDS], 0.6 * second)
    n_in = sum(len(ps.readouts.population_spikes(r, "IN")[0]) for r in res)
    n_ab = sum(len(ps.readouts.population_spikes(r, "Abeta")[0]) for r in res)
    return n_in, max(n_ab, 1)


def _gain(model):
    """IN spikes per Aβ spike with 5 pulses a burst over that with 1, and its standard error from
    the IN counts (Poisson: relative variance 1/n for each; the Aβ counts are set by the stimulus
    and the recruitment, the same in every model here, so they add no noise to the comparison)."""
    (i5, a5), (i1, a1) = _in_and_abeta_spikes(model, 5), _in_and_abeta_spikes(model, 1)
    gain = (i5 / a5) / (i1 / a1)
    return gain, gain * np.sqrt(1 / max(i5, 1) + 1 / max(i1, 1))


def test_dorsal_horn_summates_burst_pulses():
    """Charge integration: within a 500 Hz burst (pulses 2 ms apart), inhibitory
    interneurons fire more per afferent spike the more pulses the burst holds, because
    the AMPA conductances of successive pulses (5-ms decay) overlap and summate.
    Negative control: the same charge per Aβ spike delivered by a 10x briefer, 10x
    larger conductance (no overlap between pulses) leaves no such gain.
    Tolerance from the spike counts, not a window around a run's values: the gain exceeds the
    control's by more than z standard errors of the difference, and the control's gain is within
    z of its standard errors of 1 (z at a one-sided 0.1 %, 3.09; Poisson standard errors, an
    approximation: the interneurons fire to shared volleys, so the true spread may be larger)."""
    model = ps.load_model("gate_control").with_params({"afferents.recruitment": "biophysical"})
    gain, se = _gain(model)
    brief = model.with_params({"dorsal_horn.synapse.tau_ampa": model.si("dorsal_horn.synapse.tau_ampa") / 10 * second,
                               "dorsal_horn.abeta_in.weight": model.si("dorsal_horn.abeta_in.weight") * 10 * siemens})
    gain_brief, se_brief = _gain(brief)
    z = stats.norm.ppf(1 - 0.001)
    assert gain - gain_brief > z * np.hypot(se, se_brief), (gain, se, gain_brief, se_brief)
    assert abs(gain_brief - 1) < z * se_brief, (gain_brief, se_brief)
