"""Input-handling leftovers of the earlier audits: an empty stimulus built directly (``stop = start``),
a heat class mean at temperatures no heat stimulus reaches, an unknown cohort distribution parameter
read with a bare KeyError, calibration bounds outside their parameter's range scored 1e6 silently,
and what ``seeds=None`` means to :func:`painsim.course.one_session`.  Each refusal is a painsim error
naming the parameter, raised before any work; each has a negative control (a neighbouring valid input
that still works).  No brian2 network is built."""
import math

import numpy as np
import pytest

import painsim as ps
from painsim import cohort
from painsim.anatomy import FIBER_CLASSES
from painsim.cohort.distributions import get_parameter, has_parameter, resolve_distributions
from painsim.errors import ParameterError, SpecError, UnknownKeyError
from painsim.fibers import afferents, encoding, rates
from painsim.units import to_celsius
from refusals import WorkStarted, refused, start_work

# a value each kind's constructor accepts, and that constructor (start and stop as quantities)
KINDS = {"heat": (47.0, lambda v, a, b: ps.fibers.heat(v, a, b)),
         "cold": (5.0, lambda v, a, b: ps.fibers.cold(v, a, b)),
         "pinprick": (0.128, lambda v, a, b: ps.fibers.pinprick(v * 1e3, a, b)),
         "brush": (0.03, lambda v, a, b: ps.fibers.brush(f"{v} m/s", a, b))}


# ------------------------------------------------------------------ 1. stop = start, built directly
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("start", [0.0, 1.5])
def test_physical_stimulus_built_directly_refuses_an_empty_window_as_its_constructor_does(kind, start):
    """``stop = start`` (a stimulus that never acts) was accepted by the dataclass though every
    constructor refuses it: both now refuse it naming ``stop``, and say what is allowed."""
    value, make = KINDS[kind]
    err = refused(lambda: encoding.PhysicalStimulus(kind, value, start, start), "stop", allowed=True)
    assert "start" in err.allowed
    refused(lambda: make(value, f"{start} s", f"{start} s"), "stop")


@pytest.mark.parametrize("kind", KINDS)
def test_physical_stimulus_with_a_stop_after_start_or_none_is_unchanged(kind):
    """Negative control: a stop just after start, or none, is accepted and equals the constructor's
    stimulus; repeated contacts (built with a stop) still give spikes."""
    value, make = KINDS[kind]
    stop = np.nextafter(1.0, 2.0)
    assert encoding.PhysicalStimulus(kind, value, 1.0, stop).stop == stop
    made = make(value, "1 s", "2 s")
    assert encoding.PhysicalStimulus(kind, made.value, 1.0, 2.0) == made
    assert made.value == pytest.approx(value)
    assert encoding.PhysicalStimulus(kind, value, 1.0).stop is None
    contacts = ps.fibers.heat_contacts(49, n_contacts=3, interval="1 s", contact="0.5 s")
    assert contacts.stop > contacts.start and contacts.spikes("C", 20, 3.0, 1)[0].size > 0


@pytest.mark.parametrize("start", [0.0, 2.0])
def test_natural_stimulus_built_directly_refuses_an_empty_window_as_natural_does(start):
    """``NaturalStimulus(i, t, t)`` was accepted though ``natural(i, t, t)`` is refused: both name
    ``stop``."""
    refused(lambda: afferents.NaturalStimulus(0.5, start, start), "stop", allowed=True)
    refused(lambda: afferents.natural(0.5, f"{start} s", f"{start} s"), "stop")


def test_natural_stimulus_with_a_stop_after_start_or_none_is_unchanged():
    """Negative control: a stop after start, or none, is accepted and equals what natural() makes."""
    assert afferents.NaturalStimulus(0.5, 1.0, 2.0) == afferents.natural(0.5, "1 s", "2 s")
    assert afferents.NaturalStimulus(0.5, 1.0).stop is None
    assert afferents.NaturalStimulus(0.0, 0.0, np.nextafter(0.0, 1.0)).rate_factor(1.0)[2] > 0


# ------------------------------------------------------------------ 2. expected_heat_rate's range
@pytest.mark.parametrize("celsius", [1000, 60.5, math.nextafter(encoding.MAX_TEMPERATURE, 100.0), "400 K", 31.0, 0.0])
def test_expected_heat_rate_refuses_a_temperature_no_heat_stimulus_has(celsius):
    """1000 °C gave a class mean far beyond the response functions' data; a temperature outside the
    heat stimulus's range (the 32 °C baseline to 60 °C) is refused naming ``celsius``, below the
    baseline with the hint that cooling is expected_cold_rate()."""
    err = refused(lambda: rates.expected_heat_rate(celsius, "C"), "celsius", allowed=True)
    assert f"{encoding.MAX_TEMPERATURE:g}" in err.allowed and f"{encoding.SKIN_BASELINE:g}" in err.allowed
    below = to_celsius(celsius, "celsius") < encoding.SKIN_BASELINE
    assert ("expected_cold_rate" in str(err)) == below


@pytest.mark.parametrize("class_name", ["X", "c", "", None, 3])
def test_expected_heat_rate_refuses_an_unknown_class(class_name):
    """An unknown class is refused naming ``class_name`` and listing the fibre classes."""
    err = refused(lambda: rates.expected_heat_rate(47.0, class_name), "class_name", allowed=True)
    assert all(c in err.allowed for c in FIBER_CLASSES)


@pytest.mark.parametrize("celsius", [31.9, encoding.SKIN_BASELINE, 45.0, "320 K", encoding.MAX_TEMPERATURE, 60.1])
def test_expected_heat_rate_accepts_what_heat_accepts(celsius):
    """Negative control: expected_heat_rate accepts a temperature exactly when heat() does (the range's
    ends included), and gives a finite rate >= 0 for every class there."""
    def accepted(call):
        try:
            return call()
        except ParameterError:
            return None
    made = accepted(lambda: ps.fibers.heat(celsius))
    means = [accepted(lambda: rates.expected_heat_rate(celsius, c)) for c in FIBER_CLASSES]
    assert (made is None) == all(m is None for m in means) == any(m is None for m in means)
    if made is not None:
        assert all(math.isfinite(m) and m >= 0 for m in means)


@pytest.mark.parametrize("celsius", [-1.0, -273.0, math.nextafter(encoding.SKIN_BASELINE, 100.0), 47.0, "310 K"])
def test_expected_cold_rate_refuses_a_temperature_no_cold_stimulus_has(celsius):
    """The same for cold: outside 0-32 °C (the range of cold()) refused naming ``celsius``, above the
    baseline with the hint that warming is expected_heat_rate()."""
    err = refused(lambda: rates.expected_cold_rate(celsius, "C"), "celsius", allowed=True)
    assert f"{encoding.MIN_TEMPERATURE:g}" in err.allowed and f"{encoding.SKIN_BASELINE:g}" in err.allowed
    above = to_celsius(celsius, "celsius") > encoding.SKIN_BASELINE
    assert ("expected_heat_rate" in str(err)) == above


@pytest.mark.parametrize("celsius", [encoding.MIN_TEMPERATURE, 3.0, "276.15 K", 31.9, encoding.SKIN_BASELINE])
def test_expected_cold_rate_accepts_what_cold_accepts(celsius):
    """Negative control: every temperature cold() takes (the range's ends included) gives a finite
    class mean >= 0 for every class."""
    ps.fibers.cold(celsius)
    assert all(math.isfinite(m) and m >= 0 for m in (rates.expected_cold_rate(celsius, c) for c in FIBER_CLASSES))


# ------------------------------------------------------------------ 3. get_parameter / has_parameter
@pytest.fixture(scope="module")
def dists():
    return resolve_distributions(None, None)[0]


def _valid_names(dists):
    return [f"{a}.{g}.{p}" if isinstance(n, dict) else f"{a}.{p}"
            for a, n in dists.items() for g, d in (n.items() if isinstance(n, dict) else [(None, n)])
            for p in d.params]


@pytest.mark.parametrize("name, suggestion", [
    ("descending_integrity.peripheral.meen", "descending_integrity.peripheral.mean"),   # unknown parameter
    ("descending_integrity.peripherl.mean", "descending_integrity.peripheral.mean"),    # unknown group
    ("descending_integrty.peripheral.mean", "descending_integrity.peripheral.mean"),    # unknown attribute
    ("descending_integrity.mean", None),                                                # a group missing
    ("central.p.x", "central.p"),                                                        # a part too many
    ("central", "central.p"), ("", None), (None, None), (3, None),
])
def test_get_parameter_refuses_an_unknown_name_listing_the_valid_ones(dists, name, suggestion):
    """An unknown name was a bare KeyError (or IndexError, AttributeError): now an UnknownKeyError (a
    ValueError, not a KeyError) naming it as written and listing valid names, the nearest suggested."""
    err = refused(lambda: get_parameter(dists, name), str(name), UnknownKeyError, allowed=True)
    assert not isinstance(err, KeyError)
    valid = _valid_names(dists)
    assert any(v in err.allowed for v in valid)
    attribute = str(name).split(".")[0]
    if attribute in dists:  # the attribute's own names, in full
        assert all(v in err.allowed for v in valid if v.startswith(attribute + "."))
    if suggestion is not None:
        assert err.suggestion == suggestion and f"did you mean {suggestion!r}" in str(err)
    assert not has_parameter(dists, name)


def test_get_and_has_parameter_of_every_valid_name_are_unchanged(dists):
    """Negative control: every valid name (plain and grouped) reads its distribution's value and
    has_parameter says True for it."""
    names = _valid_names(dists)
    assert any(n.count(".") == 1 for n in names) and any(n.count(".") == 2 for n in names)
    for name in names:
        *path, p = name.split(".")
        node = dists[path[0]] if len(path) == 1 else dists[path[0]][path[1]]
        assert has_parameter(dists, name), name
        assert get_parameter(dists, name) == node.get(p)


# ------------------------------------------------------------------ 4. calibrate's bounds
MEAN = "descending_integrity.peripheral.mean"
CALIBRATE = dict(targets={"responder_rate_30": 0.4}, n=8, maxiter=2, preset="peripheral")


def _sentinel(table):
    raise WorkStarted


@pytest.mark.parametrize("bounds", [(0.9, 0.1), (0.5, 0.5)])
def test_calibrate_refuses_inverted_bounds_naming_the_parameter(bounds):
    """Bounds with low >= high are refused naming ``parameters.<name>`` (was the whole ``parameters``
    dict), before any simulation."""
    err = refused(lambda: cohort.calibrate(_sentinel, parameters={MEAN: bounds}, **CALIBRATE),
                  f"parameters.{MEAN}", SpecError, allowed=True)
    assert "low < high" in err.allowed and err.value == bounds


@pytest.mark.parametrize("bounds, outside", [((0.5, 1.2), 1.2), ((0.0, 0.9), 0.0), ((1.1, 1.5), 1.1)])
def test_calibrate_refuses_a_bound_outside_the_parameter_s_range(bounds, outside):
    """A bound its distribution refuses (a Beta mean of 0 or above 1) was scored 1e6 silently whenever
    the optimiser reached it, or (both bounds out) made every point 1e6 and the fit end refusing its own
    result: now refused before any simulation, saying what the parameter accepts and which bound is not."""
    err = refused(lambda: cohort.calibrate(_sentinel, parameters={MEAN: bounds}, **CALIBRATE),
                  f"parameters.{MEAN}", SpecError, allowed=True)
    assert "between 0 and 1" in err.allowed and repr(outside) in str(err)


@pytest.mark.parametrize("bounds", [(0.05, 0.98), (0.2, 0.4), (0.95, 0.99)])
def test_calibrate_with_valid_bounds_starts_simulating(bounds):
    """Negative control: bounds within the parameter's range pass the checks and the first simulation
    starts, also when the preset's value (0.9 for peripheral patients) lies outside them."""
    with pytest.raises(WorkStarted):
        cohort.calibrate(_sentinel, parameters={MEAN: bounds}, **CALIBRATE)


def test_calibrate_starts_a_value_outside_its_bounds_at_the_nearer_bound():
    """Negative control: a preset value outside the bounds is not refused; the fit starts at the
    nearer bound, as the docstring says."""
    def stand_in(table):
        return table.assign(relief=table["descending_integrity"] - 0.45)
    low = cohort.calibrate(stand_in, parameters={MEAN: (0.2, 0.4)}, **CALIBRATE)
    high = cohort.calibrate(stand_in, parameters={MEAN: (0.95, 0.99)}, **CALIBRATE)
    preset = get_parameter(resolve_distributions("peripheral", None)[0], MEAN)
    assert 0.4 < preset < 0.95
    assert low.start[MEAN] == 0.4 and high.start[MEAN] == 0.95
    # the fit stays within the bounds (to rounding of low + z (high - low))
    assert 0.2 - 1e-12 <= low.fitted[MEAN] <= 0.4 + 1e-12 and 0.95 - 1e-12 <= high.fitted[MEAN] <= 0.99 + 1e-12


def test_calibrate_scores_a_refused_point_as_documented():
    """The 1e6 penalty that stays: a point the simulation refuses (a ParameterError) is scored 1e6
    instead of ending the fit, as the docstring says; a refused start is raised (2026-12-06: a fit
    that cannot evaluate its start returned 1e6 as a successful optimum)."""
    def refusing(table):
        raise ParameterError("table", len(table), "a table this stand-in accepts")
    with pytest.raises(ParameterError, match="table"):
        cohort.calibrate(refusing, parameters={MEAN: (0.2, 0.8)}, **CALIBRATE)
    calls = []

    def refusing_after_the_start(table):
        calls.append(1)
        if len(calls) > 1:
            raise ParameterError("table", len(table), "a table this stand-in accepts")
        return table.assign(relief=0.5)
    res = cohort.calibrate(refusing_after_the_start, parameters={MEAN: (0.2, 0.8)}, **CALIBRATE)
    assert res.loss < 1e6 and len(calls) > 1          # the refused points scored 1e6, the start kept


# ------------------------------------------------------------------ 5. one_session(seeds=None)
def test_one_session_seeds_none_is_one_patient_per_model_from_seed_0(monkeypatch):
    """As its docstring says: ``seeds=None`` gives seeds 0, 1, ... one per model (one model: one
    patient, seed 0); a sham protocol returns the patients without simulating."""
    from painsim.course import engine

    monkeypatch.setattr(engine, "run_session", start_work)
    model = ps.load_model("gate_control")
    sham = ps.protocols.resolve("tens_conventional").as_sham()
    assert [p.seed for p in engine.one_session(model, sham, None)] == [0]
    assert [p.seed for p in engine.one_session([model, model, model], sham, None)] == [0, 1, 2]
    # negative control: explicit seeds are kept
    assert [p.seed for p in engine.one_session(model, sham, [3, 5])] == [3, 5]
