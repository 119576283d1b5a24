"""Bad input to the public API of the afferent fibres (natural stimuli and their encoding, heat ramps,
spike-train primitives, the biophysical recruitment model, fibre populations, T-junctions, the
recruitment registry), of the point inputs of a simulation and of the conditioning protocol: each is
refused with a painsim error (its class and ``.name``, the parameter, checked) before any work, where
an audit found a bare Python error from deep inside, a silent empty or NaN result, a hang, or a refusal
after simulations.  Each group has a negative control: valid input still passes and gives what it
gave.  No brian2 network is built (the conditioning tests replace the simulation by a sentinel)."""
import math

import numpy as np
import pytest

import painsim as ps
from painsim import conditioning as cond
from painsim.errors import ParameterError, UnitError, UnknownKeyError
from painsim.fibers import afferents, arrival, biophysical, encoding, rates, registry, thermal, tjunction
from painsim.fibers.population import FiberPopulation
from painsim.simulation import Request, inputs, simulate
from painsim.stimulation import tonic

NAN, INF = math.nan, math.inf


from refusals import refused as _refused  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return ps.load_model("gate_control")


@pytest.fixture(scope="module")
def aff(model):
    return model.section("afferents")


@pytest.fixture(scope="module")
def wf():
    return tonic("50 Hz", "200 us", 1.5, "0.2 s")


def _rng():
    return np.random.default_rng(0)


# ------------------------------------------------------------------ PhysicalStimulus built directly
@pytest.mark.parametrize("kwargs, name", [
    (dict(kind="warm", value=40.0), "kind"),                       # was a KeyError at first use
    (dict(kind="heat", value=NAN), "value"),                        # was kept: spikes at NaN °C
    (dict(kind="heat", value=True), "value"),
    (dict(kind="heat", value=75.0), "value"),                       # hotter than any heat() accepts
    (dict(kind="pinprick", value=10.0), "value"),                   # 10 N: above MAX_FORCE
    (dict(kind="heat", value=47.0, start=-1.0), "start"),
    (dict(kind="heat", value=47.0, start=2.0, stop=1.0), "stop"),
    (dict(kind="heat", value=47.0, stop=1.0, repeat=2, interval=INF), "interval"),
])
def test_physical_stimulus_refuses_what_no_constructor_makes(kwargs, name):
    """A kind, value or window that heat/cold/pinprick/brush would refuse is refused by the dataclass
    too (an unknown kind failed later with a bare KeyError; NaN, out-of-range values and negative onsets
    were kept)."""
    _refused(lambda: encoding.PhysicalStimulus(**kwargs), name)


def test_physical_stimulus_of_a_constructor_value_is_the_constructor_s():
    """Negative control: the dataclass built with a constructor's values equals what the constructor
    returns, and so do a cold, a pinprick and a brush."""
    assert encoding.PhysicalStimulus("heat", 47.0) == ps.fibers.heat(47)
    assert encoding.PhysicalStimulus("cold", 5.0, 1.0, 2.0) == ps.fibers.cold(5, "1 s", "2 s")
    assert ps.fibers.pinprick(128).value == pytest.approx(0.128)
    assert ps.fibers.brush().kind == "brush"


@pytest.mark.parametrize("baseline", [-10.0, 70.0])
def test_heat_and_cold_refuse_a_baseline_outside_the_encoding(baseline):
    """A skin baseline outside 0-60 °C is refused by its name (heat(-5, baseline=-10) was accepted,
    heat(47, baseline=70) was refused naming celsius)."""
    _refused(lambda: ps.fibers.heat(45, baseline=baseline), "baseline")
    _refused(lambda: ps.fibers.cold(5, baseline=baseline), "baseline")


# ------------------------------------------------------------------ PhysicalStimulus.spikes / rates
@pytest.mark.parametrize("args, name", [
    (("X", 10, 1.0, 0), "class_name"),       # was a bare ValueError from tuple.index
    (("C", -5, 1.0, 0), "n_fibres"),         # bare ValueError: negative dimensions
    (("C", 2.5, 1.0, 0), "n_fibres"),
    (("C", "ten", 1.0, 0), "n_fibres"),
    (("C", 10, -1.0, 0), "duration"),        # was an empty train, silently
    (("C", 10, 0.0, 0), "duration"),
    (("C", 10, NAN, 0), "duration"),         # bare ValueError from int(NaN)
    (("C", 10, 1.0, -3), "seed"),            # bare ValueError from numpy
    (("C", 10, 1.0, 1.5), "seed"),           # was truncated to 1
    (("C", 10, 1.0, "x"), "seed"),
])
def test_spikes_refuse_bad_arguments_before_drawing(args, name):
    """Every argument of PhysicalStimulus.spikes is checked by its name before a spike is drawn."""
    _refused(lambda: ps.fibers.heat(47).spikes(*args), name)


def test_spikes_refuse_a_duration_of_another_dimension():
    """A duration with a unit other than time is a UnitError naming duration."""
    _refused(lambda: ps.fibers.heat(47).spikes("C", 10, "1 mV", 0), "duration", UnitError)


@pytest.mark.parametrize("args, name", [
    (("C", -1, np.random.default_rng(0)), "n_fibres"),
    (("C", True, np.random.default_rng(0)), "n_fibres"),
    (("C", 10, None), "rng"),                # was an AttributeError
    (("Cx", 10, np.random.default_rng(0)), "class_name"),
])
def test_rates_refuse_bad_arguments(args, name):
    """PhysicalStimulus.rates checks the fibre count and the generator by name."""
    _refused(lambda: ps.fibers.heat(47).rates(*args), name)


def test_spikes_of_valid_arguments_are_unchanged_by_their_spelling():
    """Negative control: whole-number floats, numpy integers and a duration with its unit give the
    same spikes as plain ints and seconds; a window inside the run gives spikes in it."""
    stim = ps.fibers.heat(49, "0.5 s", "1.5 s")
    t, i = stim.spikes("C", 30, 2.0, 4)
    t2, i2 = stim.spikes("C", np.int64(30), "2 s", 4.0)
    np.testing.assert_array_equal(t, t2)
    np.testing.assert_array_equal(i, i2)
    assert t.size and t.min() >= 0.5 and t.max() < 1.5


# ------------------------------------------------------------------ rates.py
@pytest.mark.parametrize("call, name", [
    (lambda: rates.threshold_rng(0, "X", "heat"), "class_name"),   # was a bare ValueError
    (lambda: rates.threshold_rng(0, "C", "warm"), "kind"),         # was a bare KeyError
    (lambda: rates.threshold_rng(-1, "C", "heat"), "seed"),
    (lambda: rates.expected_heat_rate(47, "X"), "class_name"),     # was a bare KeyError
    (lambda: rates.expected_cold_rate(5, "Cx"), "class_name"),
    (lambda: rates.expected_heat_rate(NAN, "C"), "celsius"),       # was a NaN rate
    (lambda: rates.expected_heat_rate(True, "C"), "celsius"),      # was read as 1 °C
    (lambda: rates.expected_heat_rate("hot", "C"), "celsius"),     # was a bare TypeError
    (lambda: rates.poisson_trains([1.0], 0.0, NAN, _rng()), "stop"),
    (lambda: rates.poisson_trains([1.0], "0", 1.0, _rng()), "start"),
    (lambda: rates.poisson_trains([NAN], 0.0, 1.0, _rng()), "rates"),   # NaN was dropped silently
    (lambda: rates.poisson_trains([INF], 0.0, 1.0, _rng()), "rates"),
    (lambda: rates.adapting_trains([1.0], 0.0, NAN, 0.5, 1.0, _rng()), "stop"),
    (lambda: rates.thermal_draw(47.0, encoding.HEAT_RESPONSE["C"], -1, _rng()), "n"),
    (lambda: rates.adaptation_profile(1.0, "x", 1.0), "plateau"),            # bare TypeError from <=
    (lambda: rates.adaptation_profile(1.0, 0.5, "1 s"), "adaptation_tau"),
])
def test_rate_functions_refuse_bad_arguments(call, name):
    """The per-fibre draws and class means name a bad class, modality, seed, temperature, window or
    rate (they were bare ValueError/KeyError/TypeError from numpy, or a silent NaN)."""
    _refused(call, name)


def test_expected_rates_read_temperatures_as_heat_does():
    """Negative control: a temperature with its unit gives the class mean of the number in °C, and
    the mean grows with the temperature."""
    assert rates.expected_heat_rate("47 degC", "C") == pytest.approx(rates.expected_heat_rate(47.0, "C"))
    assert rates.expected_heat_rate(np.float64(48.0), "C") > rates.expected_heat_rate(44.0, "C") > 0
    assert rates.expected_cold_rate(5.0, "Adelta") >= rates.expected_cold_rate(20.0, "Adelta")


# ------------------------------------------------------------------ afferents.py
@pytest.mark.parametrize("call, name", [
    (lambda: afferents.natural(0.5, start="-1 s"), "start"),      # was refused naming stop (= None)
    (lambda: afferents.NaturalStimulus(2.0), "intensity"),        # doubled the maximal rate
    (lambda: afferents.NaturalStimulus(NAN), "intensity"),
    (lambda: afferents.NaturalStimulus(0.5, start=-1.0), "start"),
    (lambda: afferents.poisson_train(NAN, 0.0, 1.0, 5, _rng()), "rate"),
    (lambda: afferents.poisson_train(1.0, 0.0, INF, 5, _rng()), "stop"),
    (lambda: afferents.poisson_train(1.0, 0.0, 1.0, -5, _rng()), "n"),
    (lambda: afferents.poisson_train(1.0, 0.0, 1.0, 2.5, _rng()), "n"),
    (lambda: afferents.poisson_train(1.0, 0.0, 1.0, 5, 0), "rng"),
    (lambda: afferents.apply_dead_time(np.array([0.0, 5e-4]), np.array([0, 0]), -1e-3), "dead"),
    (lambda: afferents.apply_dead_time(np.array([0.0, 5e-4]), np.array([0, 0]), NAN), "dead"),
    (lambda: afferents.apply_dead_time(np.array([0.0, 5e-4]), np.array([0]), 1e-3), "ids"),
])
def test_afferent_primitives_refuse_bad_arguments(call, name):
    """Natural stimuli, Poisson trains and the dead time name a bad value (a negative or NaN dead time
    kept every spike; the others were bare errors from numpy or a misnamed refusal)."""
    _refused(call, name)


@pytest.mark.parametrize("seed", [-1, 1.5, "x"])
def test_fiber_set_refuses_a_bad_seed(aff, seed):
    """FiberSet.from_model refuses a seed that is no whole number >= 0 (bare ValueError, or 1.5
    truncated to 1)."""
    _refused(lambda: afferents.FiberSet.from_model(aff, seed), "seed")


def test_fiber_set_names_a_bad_class_table(aff):
    """A negative fibre count or a missing class table is named by its key (were bare errors)."""
    bad = {**aff, "C": {**aff["C"], "n": -3}}
    _refused(lambda: afferents.FiberSet.from_model(bad, 0), "afferents.C.n")
    _refused(lambda: afferents.FiberSet.from_model({k: v for k, v in aff.items() if k != "C"}, 0), "afferents.C")


def test_afferent_primitives_of_valid_arguments_work(aff):
    """Negative control: valid natural stimuli, trains, dead time and fibre sets behave as documented."""
    assert afferents.natural(0.5, "1 s", "2 s") == afferents.NaturalStimulus(0.5, 1.0, 2.0)
    t, i = afferents.poisson_train(20.0, 0.0, 1.0, 4, _rng())
    assert t.size == i.size and np.all((t >= 0) & (t < 1)) and set(i) <= set(range(4))
    kept, _ = afferents.apply_dead_time(np.array([0.0, 5e-4, 2e-3]), np.array([0, 0, 0]), afferents.DEAD_TIME)
    np.testing.assert_array_equal(kept, [0.0, 2e-3])
    a, b = afferents.FiberSet.from_model(aff, 3), afferents.FiberSet.from_model(aff, 3.0)
    np.testing.assert_array_equal(a.velocity["C"], b.velocity["C"])


# ------------------------------------------------------------------ arrival.afferent_input
@pytest.mark.parametrize("kwargs, name", [
    (dict(duration=-1.0), "duration"),                            # was an empty result
    (dict(duration=NAN), "duration"),                             # bare ValueError from numpy
    (dict(seed=-1), "seed"),
    (dict(noxious=1.5), "noxious"),                               # numbers were ignored: no drive
    (dict(touch="x"), "touch"),
    (dict(fibers=5), "fibers"),                                   # AttributeError
    (dict(pathology={"ectopic_fraction": 2, "ectopic_rate": 5.0}), "pathology.ectopic_fraction"),  # IndexError
])
def test_afferent_input_refuses_bad_arguments_before_drawing(aff, kwargs, name):
    """afferent_input checks its duration, seed, stimuli, fibres and pathology before any spike."""
    args = {"duration": 1.0, "seed": 0, **kwargs}
    _refused(lambda: arrival.afferent_input(aff, args.pop("duration"), args.pop("seed"), **args), name)


def test_afferent_input_of_a_natural_stimulus_drives_its_classes(aff):
    """Negative control: natural(0.5) drives the nociceptors; the same call with the duration as a
    quantity, or the intensity as a number (was ignored: no drive), gives the same spikes; an intensity
    of 0 gives what no stimulus gives; central_lead of no device is None."""
    a = arrival.afferent_input(aff, 1.0, 2, noxious=afferents.natural(0.5))
    b = arrival.afferent_input(aff, "1 s", 2, noxious=0.5)
    assert a["C"].times.size > 0
    np.testing.assert_array_equal(a["C"].times, b["C"].times)
    none, zero = arrival.afferent_input(aff, 1.0, 2), arrival.afferent_input(aff, 1.0, 2, noxious=0.0, touch=0)
    np.testing.assert_array_equal(none["C"].times, zero["C"].times)
    assert arrival.central_lead(None) is None and arrival.central_lead(()) is None


def test_central_lead_names_an_entry_that_is_no_waveform():
    """A device list with a non-waveform entry is refused naming its index (was an AttributeError)."""
    _refused(lambda: arrival.central_lead([1]), "devices[0]")


# ------------------------------------------------------------------ thermal.py (heat ramps)
@pytest.mark.parametrize("call, name", [
    (lambda: thermal.ramp_end(ps.fibers.heat(47)), "stimulus"),            # was a ZeroDivisionError
    (lambda: thermal.ramp_temperature(ps.fibers.heat(47), [0.0, 1.0]), "stimulus"),  # stayed at 32 °C
    (lambda: thermal.ramp_rates(ps.fibers.heat(47), "C", 5, 0, 1.0), "stimulus"),    # rates 0, silently
    (lambda: thermal.ramp_end(thermal.heat_ramp(47), "x"), "celsius"),
    (lambda: thermal.ramp_rates(thermal.heat_ramp(47), "C", -5, 0, 1.0), "n_fibres"),
    (lambda: thermal.ramp_rates(thermal.heat_ramp(47), "C", 5, 0, NAN), "duration"),
    (lambda: thermal.ramp_rates(thermal.heat_ramp(47), "C", 5, 0, 1.0, fibres=[7]), "fibres"),   # IndexError
    (lambda: thermal.ramp_rates(thermal.heat_ramp(47), "C", 5, 0, 1.0, fibres=[-1]), "fibres"),  # read as 4
    (lambda: thermal.ramp_spikes(thermal.heat_ramp(47), "X", 0, 1.0, 0, _rng()), "class_name"),
    (lambda: thermal.ramp_spikes(thermal.heat_ramp(47), "C", 5, -1.0, 0, _rng()), "duration"),
    (lambda: thermal.ramp_spikes(thermal.heat_ramp(47), "C", 5, 1.0, 0, None), "rng"),
])
def test_ramp_functions_refuse_a_step_and_bad_arguments(call, name):
    """The ramp functions refuse a stimulus that is not a ramp and bad counts, durations, indices or
    generators by name."""
    _refused(call, name)


def test_ramp_functions_of_a_ramp_work():
    """Negative control: a 1 °C/s ramp to 47 °C reaches its peak 15 s after onset and is at 40 °C at
    8 s; rates of chosen fibres are those of the same fibres among all."""
    ramp = thermal.heat_ramp(47, 1.0)
    assert thermal.ramp_end(ramp) == pytest.approx(15.0)
    assert float(thermal.ramp_temperature(ramp, 8.0)) == pytest.approx(40.0)
    t, all_rates = thermal.ramp_rates(ramp, "C", 6, 1, 20.0)
    _, some = thermal.ramp_rates(ramp, "C", 6, 1, 20.0, fibres=[1, 4])
    np.testing.assert_array_equal(some, all_rates[[1, 4]])


# ------------------------------------------------------------------ biophysical.py
@pytest.fixture(scope="module")
def pop():
    return FiberPopulation.sample({"Abeta": 2}, seed=1)


@pytest.mark.parametrize("kwargs, name", [
    (dict(width=True), "width"),                      # was a 1-s pulse
    (dict(width=1e-4, rtol=0), "rtol"),               # the bisection never ended
    (dict(width=1e-4, rtol=-1), "rtol"),
    (dict(width=1e-4, rtol=NAN), "rtol"),             # ended at once, imprecise
    (dict(width=1e-4, rtol="x"), "rtol"),
    (dict(width=1e-4, interphase_gap=True), "interphase_gap"),
    (dict(width=1e-4, interphase_gap=NAN), "interphase_gap"),   # was named duration
])
def test_threshold_refuses_bad_arguments_before_bisecting(pop, kwargs, name):
    """threshold() refuses a bool width, an rtol outside (0, 1) and a bad gap before any bisection."""
    _refused(lambda: biophysical.threshold(pop, **kwargs), name)


def test_threshold_refuses_a_population_that_is_none():
    """A population that is not a FiberPopulation is named (was an AttributeError)."""
    _refused(lambda: biophysical.threshold("pop", 1e-4), "population")


@pytest.mark.parametrize("amplitudes", [[NAN], [INF], [], ["a"], True, [True, False], [-1.0]])
def test_recruitment_curve_refuses_bad_amplitudes_before_any_threshold(pop, amplitudes):
    """NaN, inf, no amplitude, text or bools are refused naming amplitudes, before the width (invalid
    here) is even read: the check comes before the thresholds are computed."""
    _refused(lambda: biophysical.recruitment_curve(pop, amplitudes, width=-1e-4), "amplitudes")


@pytest.mark.parametrize("widths, thresholds, name", [
    ([1e-4, 2e-4], [1.0, NAN], "thresholds"),         # LinAlgError
    ([1e-4, 2e-4], [1.0, 0.0], "thresholds"),
    ([0.0, 2e-4], [1.0, 2.0], "widths"),
    ([-1e-4, 2e-4], [1.0, 2.0], "widths"),            # gave a fit
    (["a", "b"], [1.0, 2.0], "widths"),
    ([1e-4, 1e-4], [1.0, 1.0], "widths"),             # a chronaxie of 1e4 s
])
def test_fit_weiss_refuses_data_it_cannot_fit(widths, thresholds, name):
    """fit_weiss names widths or thresholds that are not finite and > 0, or a single width."""
    _refused(lambda: biophysical.fit_weiss(widths, thresholds), name)


@pytest.mark.parametrize("kwargs, name", [
    (dict(seed=-1), "seed"), (dict(seed="x"), "seed"), (dict(seed=NAN), "seed"),
    (dict(cache_dir=3), "cache_dir"), (dict(amplitude_reference=True), "amplitude_reference"),
])
def test_afferent_spikes_refuses_bad_arguments(pop, wf, kwargs, name):
    """afferent_spikes names a bad seed, cache folder or bool reference (were bare errors or 1 A)."""
    args = {"cache_dir": False, **kwargs}
    _refused(lambda: biophysical.afferent_spikes(wf, pop, **args), name)


def test_population_for_refuses_a_bad_waveform_or_seed(aff, wf):
    """population_for names a waveform that is none and a negative seed."""
    _refused(lambda: biophysical.population_for("wf", aff, 0), "waveform")
    _refused(lambda: biophysical.population_for(wf, aff, -1), "seed")


def test_biophysical_functions_of_valid_arguments_work():
    """Negative control: Weiss data give back their rheobase and chronaxie; a gap as a quantity gives the
    threshold of the gap in s; a recruitment curve is a fraction per amplitude."""
    w = np.array([50e-6, 100e-6, 400e-6])
    rheobase, chronaxie = biophysical.fit_weiss(w, 2e-3 * (1 + 120e-6 / w))
    assert rheobase == pytest.approx(2e-3) and chronaxie == pytest.approx(120e-6)
    one = FiberPopulation.sample({"Abeta": 1}, seed=2)
    a = biophysical.threshold(one, 1e-4, "biphasic", interphase_gap="20 us", rtol=1e-3)
    np.testing.assert_array_equal(a, biophysical.threshold(one, 1e-4, "biphasic", interphase_gap=20e-6, rtol=1e-3))
    curve = biophysical.recruitment_curve(one, [0.0, 10.0], 1e-4, shape="monophasic")
    np.testing.assert_array_equal(curve["all"], [0.0, 1.0])


# ------------------------------------------------------------------ population.py
@pytest.mark.parametrize("kwargs, name", [
    (dict(seed=-1), "seed"), (dict(seed=1.5), "seed"), (dict(seed="x"), "seed"),
    (dict(counts=5), "counts"),                                   # TypeError: not iterable
    (dict(sigma="0.3 S/m"), "sigma"), (dict(sigma=True), "sigma"),
    (dict(distance_range=(1e-3, INF)), "distance_range"),        # OverflowError
    (dict(distance_range=1e-3), "distance_range"),
    (dict(diameter_range=("1 um", "2 um")), "diameter_range"),
])
def test_population_sample_refuses_bad_arguments(kwargs, name):
    """FiberPopulation.sample names a bad seed, counts, conductivity or range (were bare errors from
    numpy or float(), or a bool read as 1 S/m)."""
    _refused(lambda: FiberPopulation.sample(**kwargs), name)


@pytest.mark.parametrize("kwargs, name", [(dict(velocity=[NAN]), "velocity"), (dict(velocity=[INF]), "velocity"),
                                          (dict(sigma="x"), "sigma")])
def test_population_refuses_non_finite_velocities_and_text_sigma(kwargs, name):
    """A NaN or infinite velocity (was kept) or a text conductivity (bare TypeError) is refused."""
    _refused(lambda: FiberPopulation(["C"], [1e-6], [1e-3], **kwargs), name)


def test_population_sample_of_equal_seeds_is_equal():
    """Negative control: seed 3 and 3.0 draw the same population; pairs of counts are read as a mapping."""
    assert FiberPopulation.sample(seed=3).key() == FiberPopulation.sample(seed=3.0).key()
    assert FiberPopulation.sample([("C", 3)]).n == 3


# ------------------------------------------------------------------ tjunction.py
@pytest.mark.parametrize("call, name", [
    (lambda: tjunction.regular_train(10.0, -5), "n_spikes"),     # was an empty train
    (lambda: tjunction.regular_train(10.0, 2.7), "n_spikes"),    # was truncated
    (lambda: tjunction.regular_train(True, 3), "rate"),          # was 1 Hz
    (lambda: tjunction.regular_train("10 Hz", 3), "rate"),       # bare TypeError
    (lambda: tjunction.regular_train(10.0, 3, start=NAN), "start"),
    (lambda: tjunction.following_frequency(tjunction.JUNCTION["C"], 0), "n_spikes"),  # gave ~1 kHz
    (lambda: tjunction.following_frequency(tjunction.JUNCTION["C"], 2, rates=[]), "rates"),
    (lambda: tjunction.following_frequency("C", 2), "junction"),
    (lambda: tjunction.transmit([0.1], [2], [0], [0.01], tjunction.JUNCTION["C"]), "kind"),
    (lambda: tjunction.transmit([NAN], [0], [0], [0.01], tjunction.JUNCTION["C"]), "t"),
    (lambda: tjunction.transmit([0.1], [0], [0], [0.01], "C"), "junction"),
    (lambda: tjunction.junction_params({"tjunction": {"C": {"safety": "x"}}}, "C"), "afferents.tjunction.C.safety"),
])
def test_junction_functions_refuse_bad_arguments(call, name):
    """The T-junction trains, following frequency, transmission and parameters name a bad value."""
    _refused(call, name)


def test_junction_functions_of_valid_arguments_work():
    """Negative control: a regular train of whole-number floats, and an ideal junction passes it all."""
    np.testing.assert_allclose(tjunction.regular_train(10.0, 3.0, start=1.0), [1.0, 1.1, 1.2])
    t = tjunction.regular_train(100.0, 5)
    passed, _ = tjunction.transmit(t, np.zeros(5, np.int64), np.zeros(5, np.int64), np.zeros(1),
                                   tjunction.JUNCTION["C"].ideal())
    assert passed.all()


# ------------------------------------------------------------------ registry.py
@pytest.mark.parametrize("call, name, error", [
    (lambda: registry.register_recruitment("x_bad", None), "model", ParameterError),
    (lambda: registry.register_recruitment(3, registry.ThresholdFraction()), "name", ParameterError),
    (lambda: registry.recruitment_model(["fraction"]), "['fraction']", UnknownKeyError),  # unhashable
])
def test_registry_refuses_bad_models_and_names(call, name, error):
    """A model without fire() (failed at the first simulation), a name that is not text, or a list
    looked up (bare TypeError) are refused; nothing is registered."""
    _refused(call, name, error)
    assert "x_bad" not in registry._RECRUITMENT and 3 not in registry._RECRUITMENT


def test_recruitment_models_refuse_an_unknown_fiber_class(aff, wf):
    """fire() of either model names an unknown fibre class (a bare KeyError, or an empty train)."""
    fibers = afferents.FiberSet.from_model(aff, 0)
    _refused(lambda: registry.ThresholdFraction().fire(wf, fibers, "X", aff, 0), "fiber_class")
    _refused(lambda: biophysical.Biophysical().fire(wf, fibers, "X", aff, 0), "fiber_class")
    assert registry.ThresholdFraction().fire(wf, fibers, "Abeta", aff, 0)[0].size > 0   # negative control


# ------------------------------------------------------------------ simulation inputs
@pytest.mark.parametrize("duration", [-1.0, NAN, 1e9, True])
def test_point_input_refuses_a_bad_duration(model, duration):
    """A negative duration (was refused as noxious.start = 0), NaN or text (bare errors) or one longer
    than an hour (exhausted memory drawing spikes) is refused naming duration."""
    _refused(lambda: inputs.point_input(Request(model, noxious=0.5), duration), "duration")


@pytest.mark.parametrize("request_, name", [
    ("x", "request"),
    (lambda m: Request(m, weights=3), "weights"),
    (lambda m: Request(m, per_neuron=3), "per_neuron"),
    (lambda m: Request(m, per_neuron="tau_ampa"), "per_neuron"),
])
def test_point_input_refuses_a_bad_request(model, request_, name):
    """A request that is none, weights that are no mapping and per_neuron that is no set of names are
    named (were bare AttributeError and TypeErrors)."""
    req = request_(model) if callable(request_) else request_
    _refused(lambda: inputs.point_input(req, 1.0), name)


def test_simulate_refuses_weights_that_are_no_mapping_before_a_network(model):
    """simulate(weights=3) is refused naming weights while the inputs are prepared (no network)."""
    _refused(lambda: simulate(model, weights=3, duration="0.1 s"), "weights")


def test_point_input_of_valid_requests_works(model):
    """Negative control: a duration in s or as a quantity gives the same input; a 0-d array intensity
    is read as a number by per_site."""
    a = inputs.point_input(Request(model, noxious=0.5, per_neuron={"tau_ampa"}), 1.0)
    b = inputs.point_input(Request(model, noxious=0.5, per_neuron=frozenset({"tau_ampa"})), "1 s")
    assert a.per_neuron == b.per_neuron == frozenset({"tau_ampa"})
    assert inputs.per_site(model, np.array(0.5), "noxious") == inputs.per_site(model, 0.5, "noxious")


# ------------------------------------------------------------------ conditioning
class _Started(Exception):
    """Raised instead of a simulation: reaching it means every check passed."""


@pytest.fixture
def no_simulation(monkeypatch):
    def refuse(*args, **kwargs):
        raise _Started
    monkeypatch.setattr(cond, "simulate_batch", refuse)


@pytest.fixture(scope="module")
def plastic():
    return ps.load_model("gate_control", {"plasticity.c_pn.rule": "calcium"})


@pytest.mark.parametrize("kwargs, name", [
    (dict(test_noxious=2), "test_noxious"),            # all of these were refused after conditioning
    (dict(test_duration="-1 s"), "test_duration"),
    (dict(test_duration="1e9 s"), "test_duration"),
    (dict(test_seed=-1), "test_seed"),
    (dict(replay=0), "replay"),
    (dict(replay=1.5), "replay"),
    (dict(replay={}), "replay['conditioning']"),       # a bare KeyError after conditioning
    (dict(seed=1.5), "seed"),
    (dict(weights=3), "weights"),                       # bare TypeError
    (dict(batch_size=0), "batch_size"),
])
def test_condition_and_test_checks_everything_before_simulating(plastic, wf, no_simulation, kwargs, name):
    """Every argument of condition_and_test is refused by name before the first window runs."""
    _refused(lambda: cond.condition_and_test(plastic, wf, **kwargs), name)


@pytest.mark.parametrize("conditioning, name", [("tonic", "conditioning"), ([None], "conditioning"),
                                                ({"a": "tonic"}, "conditioning['a']")])
def test_conditioning_refuses_a_waveform_that_is_none(plastic, no_simulation, conditioning, name):
    """A conditioning stimulus that is not a Waveform is named (was an AttributeError)."""
    _refused(lambda: cond.conditioned_weights(plastic, conditioning), name)


def test_condition_and_test_of_valid_arguments_reaches_the_simulation(plastic, wf, no_simulation):
    """Negative control: valid arguments (whole-number floats included) pass every check and reach the
    simulation; so does the built-in conditioning experiment."""
    with pytest.raises(_Started):
        cond.condition_and_test(plastic, {"a": wf}, 0.6, test_duration="1 s", replay={"a": 2.0}, seed=1,
                                test_seed=np.int64(2), batch_size=4.0)
    with pytest.raises(_Started):
        cond.run_conditioning_experiment("spinal_ltp_ltd", seed=2)


@pytest.mark.parametrize("change, name", [
    (lambda s: s["experiment"].__setitem__("duration", "-1 s"), "experiment.duration"),
    (lambda s: s["test"].__setitem__("noxious", 5), "test.noxious"),
    (lambda s: s["experiment"].__setitem__("batch_size", "x"), "experiment.batch_size"),  # int() ValueError
    (lambda s: s["experiment"].__setitem__("seed", 1.5), "experiment.seed"),              # truncated
    (lambda s: s["protocol"][0].__setitem__("replay", 0), "protocol[0].replay"),
])
def test_conditioning_experiment_names_a_bad_file_value(no_simulation, change, name):
    """A bad value of a conditioning file is refused by its key before any window runs."""
    import copy
    spec = copy.deepcopy(cond.load_conditioning_spec("spinal_ltp_ltd"))
    spec.setdefault("test", {})
    change(spec)
    _refused(lambda: cond.run_conditioning_experiment(spec), name)


@pytest.mark.parametrize("seed", [-1, "x", True])
def test_conditioning_experiment_refuses_a_bad_seed(no_simulation, seed):
    """The seed argument is refused by name (int() gave a bare ValueError for text, 1 for True)."""
    _refused(lambda: cond.run_conditioning_experiment("spinal_ltp_ltd", seed=seed), "seed")


def test_update_weights_refuses_what_is_no_result(plastic):
    """update_weights names a result that is not a simulate() Dataset (was an AttributeError)."""
    _refused(lambda: cond.update_weights(plastic, "result.nc"), "result")


def test_seeds_above_float_precision_are_whole_numbers(aff):
    """Negative control: a site's seed above 2**53 (painsim.circuits derives such seeds per site) is a
    whole number, read exactly, by every seed check (a float comparison refused it); its negative is
    refused."""
    big = 3591402321571878115
    assert rates.threshold_rng(big, "C", "heat").random() == rates.threshold_rng(big, "C", "heat").random()
    afferents.FiberSet.from_model(aff, big)
    assert arrival.afferent_input(aff, 0.5, big, noxious=afferents.natural(0.3))["C"].n == aff["C"]["n"]
    _refused(lambda: afferents.FiberSet.from_model(aff, -big), "seed")
