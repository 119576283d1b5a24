"""Protocols and plasticity rules built, copied and changed from Python (review of the Python API).

Each test shows a way of building a protocol or a rule that was wrong before (a bad field accepted or
a bare ``ValueError``/``TypeError``, a copy refused on the object's own values, a changed protocol
still under its old name) and, as its negative control, the valid input that still works.  No
simulation: these are checks of what is accepted and how it is named.
"""
from __future__ import annotations

from dataclasses import fields, replace

import pytest

import painsim as ps
import painsim.plasticity as pl
from painsim.errors import CalendarError, ParameterError, UnitError
from painsim.plasticity import BCM, PairSTDP, SynapticScaling, TBSCalcium, TripletSTDP  # noqa: F401 (eval)
from painsim.plasticity import CalciumRule
from painsim.protocols import Calendar, from_spec, get, theta_burst

RULE_CLASSES = (PairSTDP, TripletSTDP, CalciumRule, BCM, SynapticScaling, TBSCalcium)


# ---------------------------------------------------------------- 1. Protocol fields checked by name
@pytest.mark.parametrize("field, value", [
    ("sham", "false"),          # a truthy string: the course ran as a sham, then crashed in its results
    ("sham", 1),
    ("stimulus", "tonic"),      # a type's name, not a table: a bare ValueError (dict("tonic"))
    ("stimulus", ["tonic"]),
    ("plasticity", "abc"),
    ("name", 5),                # was accepted
    ("citation", None),
    ("description", 3),
])
def test_a_protocol_built_from_python_refuses_bad_fields_by_name(field, value):
    """``Protocol`` checks its fields as a ``[protocol]`` table's are checked (from_spec): the error
    names the field and the value; before, these were accepted or a bare ValueError."""
    with pytest.raises(ParameterError) as err:
        replace(get("lfs_1hz"), **{field: value})
    assert err.value.name == field and repr(value) in str(err.value)


def test_a_protocol_built_from_python_keeps_its_valid_fields():
    """Negative control: the valid values of the same fields are taken as before (None plasticity is
    an empty table, None stimulus a sham, a bool sham)."""
    lfs = get("lfs_1hz")
    assert replace(lfs, name="mine", citation="me", description="mine").name == "mine"
    assert replace(lfs, sham=True).is_sham and not replace(lfs, sham=False).is_sham
    assert replace(lfs, plasticity=None).plasticity == {}
    assert replace(lfs, stimulus=None).is_sham
    assert replace(lfs, stimulus={**lfs.stimulus, "rate": "2 Hz"}).stimulus["rate"] == "2 Hz"


def test_a_protocol_table_still_names_its_keys():
    """from_spec and Protocol share the checks; the table's errors keep the table's names."""
    with pytest.raises(ParameterError) as err:
        from_spec({"base": "lfs_1hz", "sham": "false"})
    assert err.value.name == "protocol.sham"
    with pytest.raises(ParameterError) as err:
        from_spec({"base": "lfs_1hz", "plasticity": "abc"})
    assert err.value.name == "protocol.plasticity"


# ---------------------------------------------------------------- 2. rules copied with changes
@pytest.mark.parametrize("cls", RULE_CLASSES, ids=lambda c: c.__name__)
def test_a_rule_copies_itself(cls):
    """A rule stores its times and rates as SI floats; ``dataclasses.replace`` and
    ``eval(repr(rule))`` pass those floats back, which the constructor refused (a UnitError naming
    an untouched field).  The copy equals the rule."""
    rule = cls()
    assert replace(rule) == rule
    assert eval(repr(rule)) == rule


def test_a_rule_copied_with_a_change_keeps_the_rest():
    rule = replace(PairSTDP(), A_plus=0.01)
    assert rule.A_plus == 0.01 and rule.tau_plus == PairSTDP().tau_plus
    fast = replace(CalciumRule.preset("spinal_presynaptic"), tau_ca="30 ms")
    assert fast.tau_ca == pytest.approx(0.03) and fast.drive == "presynaptic"


def test_plain_numbers_are_si_values_in_rules():
    """A plain number for a time or a rate is its value in s or Hz, as the rule stores it (as the
    plasticity curves and ``apply``'s window ends read them): the same rule as the quantity."""
    assert PairSTDP(tau_plus=0.02) == PairSTDP(tau_plus="20 ms")
    assert CalciumRule.preset("spinal_presynaptic", tau_ca=0.03) == \
        CalciumRule.preset("spinal_presynaptic", tau_ca="30 ms")
    assert SynapticScaling(target_rate=2) == SynapticScaling(target_rate="2 Hz")
    assert BCM(theta0=4.0).theta0 == 4.0 == BCM(theta0="4 Hz").theta0
    assert TBSCalcium(k_ca=1.2, tbi=0.16) == TBSCalcium()


@pytest.mark.parametrize("make, name, error", [
    (lambda: PairSTDP(tau_plus=True), "tau_plus", ParameterError),      # a bool is not 1 s
    (lambda: PairSTDP(tau_plus="20"), "tau_plus", UnitError),           # text needs its unit
    (lambda: PairSTDP(tau_plus="20 Hz"), "tau_plus", UnitError),
    (lambda: PairSTDP(tau_plus=-0.02), "tau_plus", ParameterError),
    (lambda: CalciumRule(delay=-1e-3), "delay", ParameterError),
    (lambda: CalciumRule(tau_ca=float("nan")), "tau_ca", ParameterError),
    (lambda: BCM(theta0=-1.0), "theta0", ParameterError),
    (lambda: TBSCalcium(k_ca=0), "k_ca", ParameterError),
])
def test_plain_numbers_still_checked_in_rules(make, name, error):
    """Negative control: taking plain numbers as SI does not take bools, unitless text, other
    units or values out of range."""
    with pytest.raises(error) as err:
        make()
    assert err.value.name == name


def _accepts(cls, field, value):
    try:
        cls(**{field: value})
    except ParameterError:
        return False
    return True


@pytest.mark.parametrize("cls", RULE_CLASSES, ids=lambda c: c.__name__)
def test_a_rules_units_list_its_times_and_rates(cls):
    """``UNITS`` (read by plastic_connections to refuse bare numbers in files) lists exactly the
    fields that take a time or a rate, each in the unit it takes: a field takes "1 s" or "1 Hz"
    if and only if ``UNITS`` gives it that unit."""
    for f in fields(cls):
        takes = [u for u in ("s", "Hz") if _accepts(cls, f.name, f"1 {u}")]
        assert takes == ([cls.UNITS[f.name]] if f.name in cls.UNITS else []), f.name


def test_a_model_file_writes_rule_times_with_their_unit():
    """A model file (plastic_connections) still refuses a bare number for a time or a rate, named
    by its key (a file's 0.03 is not read as 0.03 s), in a connection's rule_params and in the
    rule's model-wide section; with the unit it is taken (negative control)."""
    m = ps.load_model("gate_control").with_params({"plasticity.c_pn.rule": "calcium"})
    with pytest.raises(UnitError) as err:
        pl.plastic_connections(m.with_params({"plasticity.c_pn.rule_params.tau_ca": 0.03}))
    assert err.value.name == "plasticity.c_pn.rule_params.tau_ca" and "0.03" in str(err.value)
    ok = pl.plastic_connections(m.with_params({"plasticity.c_pn.rule_params.tau_ca": "30 ms"}))
    assert ok["c_pn"][0].tau_ca == pytest.approx(0.03)
    tbs = ps.load_model("healthy").with_params({"plasticity.m1_desc.rule": "tbs_calcium"})
    with pytest.raises(UnitError) as err:
        pl.plastic_connections(tbs.with_params({"plasticity.tbs_calcium.k_ca": 1.2}))
    assert err.value.name == "plasticity.tbs_calcium.k_ca"
    assert pl.plastic_connections(tbs.with_params({"plasticity.tbs_calcium.gain": 0.2}))["m1_desc"][0].gain == 0.2


# ---------------------------------------------------------------- 3. theta_burst's intensity
@pytest.mark.parametrize("intensity", ["0.8", "80 %"])
def test_theta_burst_reads_its_intensity_as_the_stimulus_does(intensity):
    """An intensity written as text (as a stimulus spec takes it) crashed the description
    ("Unknown format code 'g'"); it is read as the spec reads it."""
    prot = theta_burst("iTBS", intensity=intensity)
    ref = theta_burst("iTBS", intensity=0.8)
    assert prot.description == ref.description and "80 % RMT" in prot.description
    assert prot.calendar == ref.calendar and prot.name == ref.name == "itbs_600"


def test_theta_burst_names_its_dose_as_read():
    assert theta_burst("cTBS", n_pulses=1200.0).name == "ctbs_1200"


@pytest.mark.parametrize("bad", [True, "abc", "0.8 mA"])
def test_theta_burst_refuses_a_bad_intensity_by_name(bad):
    """Negative control: what the spec refuses is still refused, named ``intensity``."""
    with pytest.raises(ParameterError) as err:
        theta_burst("iTBS", intensity=bad)
    assert err.value.name == "intensity"


# ---------------------------------------------------------------- 4. with_calendar
def test_with_calendar_marks_the_protocol_as_changed():
    """A protocol on another calendar no longer said what ran ("one session" for two) and kept its
    library name; it is named and described as a [protocol] table over it is."""
    lfs = get("lfs_1hz")
    two = lfs.with_calendar([0, 2], session_duration=4.0)
    assert two.name == "lfs_1hz_custom" == from_spec({"base": "lfs_1hz", "days": [0, 2]}).name
    assert two.description.startswith(lfs.description)
    assert two.description.endswith("(changed by with_calendar: days, session_duration)")
    assert two.with_calendar([0, 3]).name == "lfs_1hz_custom"  # not _custom_custom
    assert lfs.with_calendar(lfs.calendar.days) is lfs          # negative control: nothing changed


def test_with_calendar_keeps_end_day():
    """``end_day`` (cohort.run's default relief day) was dropped (rtms_m1_20hz: 90 -> None); it is
    kept while the sessions end by it, as a table over the protocol keeps it."""
    rtms = get("rtms_m1_20hz")
    test = rtms.with_calendar([0, 1, 2, 3], 600.0)
    assert test.calendar.end_day == 90.0 == from_spec({"base": "rtms_m1_20hz", "days": [0, 1, 2, 3]}).calendar.end_day
    assert rtms.with_calendar([0, 1], end_day=None).calendar.end_day is None
    assert rtms.with_calendar([0, 1], end_day="3 days").calendar.end_day == 3.0
    own = Calendar([0, 1], 600.0)  # a Calendar is taken as it is, its end_day (none) included
    assert rtms.with_calendar(own).calendar == own


def test_with_calendar_past_end_day_is_refused_by_name():
    """Sessions after the kept end_day are refused naming it, with what to pass instead."""
    with pytest.raises(CalendarError) as err:
        get("rtms_m1_20hz").with_calendar([0, 100])
    assert err.value.name == "end_day" and "end_day=None" in str(err.value)


# ---------------------------------------------------------------- 5. hash and Calendar.blocks
def test_protocols_are_hashable_and_equal_ones_hash_alike():
    """hash(protocol) raised a TypeError (a frozen dataclass with dict fields)."""
    lfs = get("lfs_1hz")
    same = from_spec({"base": "lfs_1hz"})
    assert same == lfs and hash(same) == hash(lfs)
    cache = {lfs: "lfs", get("mpns"): "mpns", lfs.as_sham(): "sham"}
    assert cache[same] == "lfs" and len(cache) == 3


@pytest.mark.parametrize("blocks, name", [([5], "schedule[0]"), (["abc"], "schedule[0]"), (5, "schedule"),
                                          ("abc", "schedule")])
def test_calendar_blocks_refuses_what_is_not_a_block(blocks, name):
    """``Calendar.blocks([5], 600)`` was a bare TypeError; refused naming the block."""
    with pytest.raises(CalendarError) as err:
        Calendar.blocks(blocks, 600)
    assert err.value.name == name


def test_calendar_blocks_takes_blocks():
    """Negative control: blocks as documented still build the calendar; a table names its key."""
    assert Calendar.blocks([{"count": 2}, {"start": 7}], 600).days == (0.0, 1.0, 7.0)
    with pytest.raises(CalendarError) as err:
        from_spec({"base": "lfs_1hz", "schedule": [3]})
    assert err.value.name == "protocol.schedule[0]"
