"""The declared C-gain calibration (painsim.validation.calibration): the procedure converges,
refuses an interval that does not bracket its target, and the model file's value still
meets its target (a check that the calibration is current, not a prediction)."""
import pytest

import painsim as ps
from painsim.errors import ParameterError
from painsim.validation import calibration, get


def test_model_file_gain_meets_its_declared_target():
    m = ps.load_model("healthy")
    rate = calibration.heat_pn_rate(m, calibration.C_GAIN_CELSIUS, calibration.C_GAIN_SEEDS)
    target = calibration.stt_rate(calibration.C_GAIN_CELSIUS, m)
    # the procedure stops within 0.5 Hz; the file keeps the bisection's gain exactly
    assert rate == pytest.approx(target, abs=0.5)
    assert get("heat_47_rating").status == "calibrated"
    # negative control: the uncalibrated gain misses the target by far (> 10 Hz)
    raw = calibration.heat_pn_rate(m.with_params({"dorsal_horn.synapse.c_gain": 1.0}), 47.0)
    assert abs(raw - target) > 10


def test_procedure_converges_on_the_spinal_model():
    """On the spinal model (no descending tone) the same procedure finds its own gain: the rate
    at the found gain is within tolerance of the target, and the bisection evaluations bracket it."""
    res = calibration.calibrate_c_gain("gate_control", seeds=(1, 2), bounds=(0.5, 1.0), tol_hz=2.0, max_iter=8)
    assert abs(res.achieved_hz - res.target_hz) <= 2.0
    rates = [r for _, r in res.evaluations]
    assert min(rates) <= res.target_hz <= max(rates)
    # the PN rate rises with the gain (what bisection assumes), over the evaluations
    ordered = sorted(res.evaluations)
    assert all(b[1] >= a[1] - 1.0 for a, b in zip(ordered, ordered[1:]))


def test_interval_that_does_not_bracket_the_target_is_refused():
    with pytest.raises(ParameterError, match="bracket"):
        calibration.calibrate_c_gain("gate_control", seeds=(1,), bounds=(0.1, 0.2))


def test_unpleasantness_anchors_are_the_declared_fit():
    """The model file's ACC anchors equal what the declared procedure finds now (within 0.3 Hz:
    the file rounds to 0.01 Hz and the fit is deterministic for its seeds), and the fit is a
    rising line (more PN output, more ACC activity: the medial pathway carries the PN signal)."""
    fit = calibration.calibrate_unpleasantness_anchors()
    m = ps.load_model("healthy")
    in_file = [m.si(f"medial.readout.acc_rate_{k}") for k in (1, 2, 3)]
    assert fit.slope > 0
    assert list(fit.anchors) == pytest.approx(in_file, abs=0.3)
