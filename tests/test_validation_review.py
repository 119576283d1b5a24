"""The validation table's verdict logic after a review (2026-12-06): a published figure lies in its
own range, a reversed range is refused instead of judging everything "no", an infinite value is a
value, a baseline older than the direction columns does not mark every direction row redefined,
and the rows whose published figure a parameter was chosen from are marked calibrated."""
import math

import numpy as np
import pytest
import xarray as xr

from painsim.errors import ParameterError
from painsim.validation import TARGETS, get
from painsim.validation.verdict import Target, judge
from painsim.validation.comparison import _FIGURES, _figures, _redefined


def _target(**kw):
    args = dict(name="t", what="x", published=0.5, low=0.0, high=1.0, units="1", source="s",
                status="prediction", cost="fast", measure=lambda seed: 0.0)
    args.update(kw)
    return Target(**args)


def test_a_published_figure_outside_its_own_range_is_refused():
    assert _target().verdict(0.5) == "yes"  # the control
    with pytest.raises(ParameterError, match="t.published"):
        _target(published=2.0)
    for t in TARGETS:  # the registry holds to it
        assert t.low is None or t.low <= t.published <= t.high, t.name


def test_a_reversed_range_is_refused_and_an_infinite_value_judged():
    with pytest.raises(ParameterError, match="low/high"):
        judge(0.5, 1.0, 0.0)
    assert judge(0.5, 0.0, 1.0) == "yes" and judge(1.5, 0.0, 1.0) == "no"
    assert judge(math.inf, 0.0, 1.0) == "no" and judge(-math.inf, -1.0, 0.0) == "no"  # was "n/a"
    assert judge(math.nan, 0.0, 1.0) == "n/a"
    assert judge(math.inf, None, None, direction=1) == "yes"


def _table(names, figures, with_direction: bool):
    data = {"what": ("target", ["x"] * len(names)), "units": ("target", ["1"] * len(names))}
    for j, k in enumerate(_FIGURES):
        if with_direction or "direction" not in k:
            data[k] = ("target", figures[:, j])
    return xr.Dataset(data, coords={"target": names})


def test_a_baseline_without_the_direction_columns_redefines_no_direction_row():
    """Was: the missing columns were read as 0, so every direction row (direction -1 or +1) differed
    from its baseline and was marked redefined (a dagger in the comparison)."""
    names = ["range_row", "direction_row"]
    figures = np.array([[0.5, 0.0, 1.0, 0.0, 0.0], [np.nan, np.nan, np.nan, -1.0, 1.0]])
    current = _table(names, figures, with_direction=True)
    old = _table(names, figures, with_direction=False)
    assert not _redefined(old, current, names, _figures(current, names)).any()
    changed = figures.copy()
    changed[0, 0] = 0.7  # the control: a published figure the old file does hold, changed
    assert _redefined(_table(names, changed, with_direction=False), current, names,
                      _figures(current, names)).tolist() == [True, False]


def test_rows_read_from_the_figure_a_parameter_was_chosen_from_are_calibrated():
    """heat_49_rating is the NRS map's third point, stt_rate_50c the STT law's scale the C gain is
    fitted through; 'any adaptation' is a direction (late < peak), not a range around 'none'."""
    assert get("heat_49_rating").status == get("stt_rate_50c").status == "calibrated"
    adaptation = get("sustained_heat_adaptation")
    assert adaptation.direction == -1 and adaptation.direction_from == 1.0
    assert adaptation.verdict(0.9) == "yes" and adaptation.verdict(1.0) == "no" and adaptation.verdict(1.4) == "no"


def test_a_circuit_without_a_baseline_mep_has_no_relative_change(monkeypatch):
    """Was: after / before - 1 with a background-subtracted proxy of 0 (or below) before gave inf or a
    flipped sign, and the sign-only theta-burst rows averaged it in."""
    from painsim.validation import theta_burst

    class Patient:
        w_set: dict = {}

        def weights(self):
            return {}

    monkeypatch.setattr(theta_burst, "one_session", lambda model, protocol, seeds: [Patient() for _ in seeds])
    before, after = np.array([0.0, -1.0, 2.0]), np.array([1.0, 1.0, 3.0])   # per circuit
    monkeypatch.setattr(theta_burst, "mep_proxy", lambda model, points: np.concatenate([before, after]))
    out = theta_burst.mep_changes(None, (("iTBS", 600),), (1, 2, 3))[("iTBS", 600)]["mep"]
    assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == pytest.approx(0.5)  # the control: 3 / 2 - 1
