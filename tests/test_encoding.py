"""Natural stimuli in physical units (painsim.fibers.encoding, docs/stimuli.md).

Each test checks a property the published response functions imply, beside a
negative control that would fail it (cold: Campero, Serra & Ochoa 1996, 40 % of human CMHs
respond below ~19 °C at low rates; Simone & Kajander 1996, Aδ nociceptors at colder thresholds).  Tolerances come from the model itself:
per-fiber thresholds are drawn (sampling variance of the class mean) and spikes
are Poisson (count variance = mean); bounds are 4 standard errors (a comparison of two
classes' pooled spike counts: 3 Poisson sd of their difference, ``exceeds`` in tests/batches.py).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import painsim as ps
from painsim.errors import ParameterError, UnitError
from painsim.fibers import (COLD_RESPONSE, FORCE_RESPONSE, HEAT_RESPONSE, afferent_input, brush, cold, heat, heat_ramp,
                            pinprick)
from painsim.fibers.encoding import (MIN_TEMPERATURE, RATE_WINDOW, adaptation_profile, adapting_trains,
                                    expected_cold_rate, expected_heat_rate)
from painsim.files.conditions import natural_stimuli

from batches import exceeds

N = 500          # fibers per class in these tests (a large class: class means are precise)
DURATION = 5.0   # s
SEED = 7


def _phi(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _pdf(z):
    return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _heat_rate_sd(celsius, class_name, table=HEAT_RESPONSE, sign=1, mean=expected_heat_rate):
    """sd over fibers of the heat rate (second moment of k (T - theta)+, theta normal); with
    ``COLD_RESPONSE``, ``sign=-1`` and ``expected_cold_rate``: of the cold rate, k (theta - T)+."""
    m2 = 0.0
    for s in table[class_name]:
        d = sign * (celsius - s.threshold_mean)
        z = d / s.threshold_sd
        m2 += s.fraction * s.slope ** 2 * ((d * d + s.threshold_sd ** 2) * _phi(z) + d * s.threshold_sd * _pdf(z))
    return math.sqrt(max(m2 - mean(celsius, class_name) ** 2, 0.0))


def _mean_rate_from_spikes(stim, class_name, n=N, duration=DURATION, seed=SEED):
    t, _ = stim.spikes(class_name, n, duration, seed)
    return t.size / (n * duration)


# ---------------------------------------------------------------- heat
def test_heat_below_c_threshold_range_gives_almost_no_nociceptor_discharge():
    # 38 °C is 3.5 sd below the C threshold mean (41.5 +/- 1 °C): expected C spikes of
    # 500 fibers in 5 s = 2500 * E[rate] ~ 0.15 (E[rate] = 1 Hz/°C x sd x (phi(z) + z Phi(z)) at
    # z = -3.5, ~6e-5 Hz); Aδ thresholds are higher still.
    # (the response functions are means over the first RATE_WINDOW s of a step: counted there)
    expected = N * RATE_WINDOW * expected_heat_rate(38.0, "C")
    assert expected < 0.5
    for c in ("Adelta", "C"):
        t, _ = heat(38).spikes(c, N, RATE_WINDOW, SEED)
        assert t.size <= 3, (c, t.size)        # P(Poisson(0.5) > 3) < 2e-3
    # negative control: 44 °C, 2.5 sd above the mean, drives C fibers
    hot = N * RATE_WINDOW * expected_heat_rate(44.0, "C")
    t, _ = heat(44).spikes("C", N, RATE_WINDOW, SEED)
    assert t.size > hot - 4 * math.sqrt(hot) - 4 * N * RATE_WINDOW * _heat_rate_sd(44.0, "C") / math.sqrt(N)


@pytest.mark.parametrize("class_name", ["C", "Adelta"])
def test_heat_discharge_rises_monotonically_above_threshold(class_name):
    # the response functions give the mean over the first RATE_WINDOW s of a step
    temps = np.arange(42.0, 51.0, 1.0)
    measured = np.array([_mean_rate_from_spikes(heat(t), class_name, duration=RATE_WINDOW) for t in temps])
    expected = np.array([expected_heat_rate(t, class_name) for t in temps])
    # standard error of the class mean: threshold sampling + Poisson counting
    se = np.array([math.sqrt(_heat_rate_sd(t, class_name) ** 2 / N + e / (N * RATE_WINDOW))
                   for t, e in zip(temps, expected)])
    assert np.all(np.abs(measured - expected) <= 4 * se + 1e-9), (measured, expected, se)
    if class_name == "C":
        assert np.all(np.diff(measured) > 0), measured
    else:   # type II AMH (median 46 °C): rising from 45 °C on
        assert np.all(np.diff(measured[temps >= 45]) > 0), measured
        # Aδ heat thresholds are higher than C's (Treede et al. 1995): less discharge at 43 °C, the
        # same fibres' pooled spike counts apart by more than 3 Poisson sd (``exceeds``, tests/batches.py)
        counts = {c: heat(43.0).spikes(c, N, RATE_WINDOW, SEED)[0].size for c in ("C", "Adelta")}
        assert exceeds(counts["C"], counts["Adelta"]), counts


def test_fraction_of_c_fibres_recruited_follows_the_threshold_distribution():
    (cmh,) = HEAT_RESPONSE["C"]
    n = 2000
    for t in (40.5, 41.5, 42.5, 43.5):
        p = _phi((t - cmh.threshold_mean) / cmh.threshold_sd)
        frac = np.mean(heat(t).fibre_rates("C", n, SEED) > 0)
        assert abs(frac - p) <= 4 * math.sqrt(p * (1 - p) / n), (t, frac, p)
    # negative control: Aδ at 43.5 °C (type II median 46 °C, type I > 53 °C) is recruited less than
    # the C thresholds give, by more than the loop's 4 binomial sd
    p = _phi((43.5 - cmh.threshold_mean) / cmh.threshold_sd)
    frac_ad = np.mean(heat(43.5).fibre_rates("Adelta", n, SEED) > 0)
    assert frac_ad < p - 4 * math.sqrt(p * (1 - p) / n), (frac_ad, p)


def test_c_heat_discharge_adapts_during_a_held_step_and_adelta_does_not():
    """CMHs peak near the onset of a held step and adapt (Treede et al. 1995): the C class's
    spikes per 1-s bin follow ``rate x s g(t)``, so the last seconds of 30 s at 47 °C over
    the first second equal the profile's ratio (4 Poisson standard errors of each count; the
    fibers' rates are the same in both bins, so sampling of thresholds cancels).  Negative
    control: Aδ (no adaptation in the model) keeps its rate within the same error."""
    (cmh,) = HEAT_RESPONSE["C"]
    assert cmh.plateau < 1
    span = 30.0
    measured = {}
    for c, (a, tau) in (("C", (cmh.plateau, cmh.adaptation_tau)), ("Adelta", (1.0, 1.0))):
        t, _ = heat(47).spikes(c, N, span, SEED)
        early, late = np.sum(t < 1.0), np.sum(t >= span - 5.0) / 5.0
        _, cum = adaptation_profile(np.array([0.0, 1.0, span - 5.0, span]), a, tau)
        ratio = ((cum[3] - cum[2]) / 5.0) / (cum[1] - cum[0]) if a < 1 else 1.0
        se = (late / early) * math.sqrt(1 / early + 1 / (5.0 * late))
        assert abs(late / early - ratio) <= 4 * se, (c, late / early, ratio, se)
        measured[c] = (late / early, se)
    # C adapts beyond the error, where Aδ does not
    assert measured["C"][0] + 4 * measured["C"][1] < measured["Adelta"][0] - 4 * measured["Adelta"][1]


def test_adapting_trains_keep_the_mean_over_the_rate_window_and_invert_the_profile():
    """Time rescaling: spikes of a fiber at ``r s g(t)`` have, in any interval, a count whose mean
    is ``r`` times the profile's integral there (4 Poisson SE); ``plateau = 1`` is the homogeneous
    train (negative control: its two halves carry equal counts)."""
    rng = np.random.default_rng(3)
    rates = np.full(4000, 5.0)
    t, i = adapting_trains(rates, 1.0, 1.0 + RATE_WINDOW, 0.3, 3.0, rng)
    assert t.min() >= 1.0 and t.max() < 1.0 + RATE_WINDOW and i.max() < rates.size
    n_expected = rates.sum() * RATE_WINDOW          # the mean over the rate window is the rate
    assert abs(t.size - n_expected) <= 4 * math.sqrt(n_expected)
    _, cum = adaptation_profile(np.array([0.0, 0.5, RATE_WINDOW]), 0.3, 3.0)
    first = np.sum(t < 1.5)
    expected_first = rates.sum() * cum[1]
    assert abs(first - expected_first) <= 4 * math.sqrt(expected_first)
    flat, _ = adapting_trains(rates, 0.0, 2.0, 1.0, 3.0, rng)
    a, b = np.sum(flat < 1.0), np.sum(flat >= 1.0)
    assert abs(a - b) <= 4 * math.sqrt(a + b)
    # and the adapting train's halves differ by far more than that
    adapt, _ = adapting_trains(rates, 0.0, 2.0, 0.3, 3.0, rng)
    a, b = np.sum(adapt < 1.0), np.sum(adapt >= 1.0)
    assert a - b > 8 * math.sqrt(a + b)


def test_heat_starting_later_adapts_from_its_own_onset_and_keeps_each_fibres_rate():
    """A heat step that starts at 2 s adapts from 2 s, not from 0: its C spikes in [2, 3) outnumber
    those in [4, 5) as the profile says (4 Poisson SE of the ratio); and each fiber's count over the
    first RATE_WINDOW s of the step is Poisson around its own ``fibre_rates`` x RATE_WINDOW (the
    adapting path draws the same per-fiber rates as the rates API: the pooled chi-square of the
    per-fiber counts stays within 4 SD of its expectation; negative control: the counts against
    rates shuffled between fibers are far off)."""
    start = 2.0
    stim = heat(47, start=f"{start} s")
    t, i = stim.spikes("C", N, start + RATE_WINDOW + 2.0, SEED)
    assert t.min() >= start
    (cmh,) = HEAT_RESPONSE["C"]
    _, cum = adaptation_profile(np.array([0.0, 1.0, 2.0, 3.0]), cmh.plateau, cmh.adaptation_tau)
    first, third = np.sum((t >= start) & (t < start + 1)), np.sum((t >= start + 2) & (t < start + 3))
    ratio = (cum[1] - cum[0]) / (cum[3] - cum[2])
    se = (first / third) * math.sqrt(1 / first + 1 / third)
    assert abs(first / third - ratio) <= 4 * se, (first / third, ratio, se)
    # per-fiber counts over the rate window against each fiber's own rate
    counts = np.bincount(i[t < start + RATE_WINDOW], minlength=N)
    expected = stim.fibre_rates("C", N, SEED) * RATE_WINDOW
    on = expected > 2.0                               # enough expected spikes for a chi-square term
    chi2 = np.sum((counts[on] - expected[on]) ** 2 / expected[on])
    dof = int(on.sum())
    assert abs(chi2 - dof) <= 4 * math.sqrt(2 * dof), (chi2, dof)
    shuffled = np.random.default_rng(0).permutation(expected[on])
    assert np.sum((counts[on] - shuffled) ** 2 / shuffled) > dof + 8 * math.sqrt(2 * dof)


def test_abeta_does_not_respond_to_heat():
    for t in (32, 41, 47, 53, 60):
        assert not np.any(heat(t).fibre_rates("Abeta", N, SEED))
        assert heat(t).spikes("Abeta", N, DURATION, SEED)[0].size == 0
    # negative control: the same fibers respond to a pinprick (32 mN is 3.4 sd of ln
    # threshold above the 3 mN median: all but ~0.04 % of them)
    assert np.mean(pinprick(32).fibre_rates("Abeta", N, SEED) > 0) > 0.99


# ---------------------------------------------------------------- pinprick
def _force_rate_moments(force_mn, r):
    """Mean and sd over fibres of ``max_rate * clip(log2(F / theta) / octaves, 0, 1)`` with
    ``ln theta ~ N(ln median, log_sd)``: with ``u = ln(F / theta) ~ N(mu, s)`` and ``a = octaves ln 2``,
    the rate is ``max_rate * clip(u / a, 0, 1)``; truncated-normal moments of ``u`` on (0, a)."""
    mu, s = math.log(force_mn * 1e-3 / r.threshold_median), r.threshold_log_sd
    a = r.octaves * math.log(2)
    lo, hi = -mu / s, (a - mu) / s
    d = _phi(hi) - _phi(lo)
    ez = _pdf(lo) - _pdf(hi)                          # E[Z; lo < Z < hi]
    ez2 = d + lo * _pdf(lo) - hi * _pdf(hi)           # E[Z^2; lo < Z < hi]
    e1, e2 = mu * d + s * ez, mu * mu * d + 2 * mu * s * ez + s * s * ez2
    sat = 1 - _phi(hi)                                # fibres at max_rate
    m1, m2 = e1 / a + sat, e2 / a ** 2 + sat
    return r.max_rate * m1, r.max_rate * math.sqrt(max(m2 - m1 * m1, 0.0))


DFNS_FORCES = [8, 16, 32, 64, 128, 256, 512]   # mN, Rolke et al. 2006


def test_pinprick_recruits_adelta_monotonically_and_abeta_saturates_low():
    ad = np.array([pinprick(f).fibre_rates("Adelta", N, SEED).mean() for f in DFNS_FORCES])
    ab = np.array([pinprick(f).fibre_rates("Abeta", N, SEED).mean() for f in DFNS_FORCES])
    assert np.all(np.diff(ad) >= 0) and np.all(np.diff(ad[1:]) > 0), ad
    # spikes agree: Aδ discharge at 512 mN >> at 32 mN (Poisson, 4 sd)
    lo, hi = (_mean_rate_from_spikes(pinprick(f), "Adelta") for f in (32, 512))
    assert hi - lo > 4 * math.sqrt((hi + lo) / (N * DURATION))
    # Aβ: near its maximum by 32 mN and flat above (thresholds of a few mN): the class mean
    # follows the lognormal thresholds analytically (4 standard errors of a 500-fibre mean) ...
    r = FORCE_RESPONSE["Abeta"]
    for k, f in enumerate(DFNS_FORCES[:4]):
        mean, sd = _force_rate_moments(f, r)
        assert abs(ab[k] - mean) <= 4 * sd / math.sqrt(N) + 1e-9, (f, ab[k], mean, sd)
    # ... and from 128 mN on a fibre is below max_rate only if its threshold exceeds F/4 (2 octaves),
    # expected N x P(theta > 32 mN) = 500 x Phi(-ln(32/3)/0.7) ~ 0.2 fibres: more than 3 has P < 1e-3
    for f in DFNS_FORCES[4:]:
        p = _phi(-math.log(f * 1e-3 / 2 ** r.octaves / r.threshold_median) / r.threshold_log_sd)
        assert N * p < 0.5
        assert np.sum(pinprick(f).fibre_rates("Abeta", N, SEED) < r.max_rate) <= 3, f
    # negative control: the same rule fails for Aδ, graded over 6 doublings (Slugg et al. 2000: rising
    # over the whole range): from 128 mN most Aδ fibres are below max_rate, N x P(theta > F / 2^6) ~ N
    for f in DFNS_FORCES[4:]:
        assert np.sum(pinprick(f).fibre_rates("Adelta", N, SEED) < FORCE_RESPONSE["Adelta"].max_rate) > 3, f


def test_pinprick_recruited_adelta_fraction_follows_lognormal_thresholds():
    r = FORCE_RESPONSE["Adelta"]
    n = 2000
    for f in DFNS_FORCES:
        p = _phi(math.log(f * 1e-3 / r.threshold_median) / r.threshold_log_sd)
        frac = np.mean(pinprick(f).fibre_rates("Adelta", n, SEED) > 0)
        assert abs(frac - p) <= 4 * math.sqrt(max(p * (1 - p), 1e-4) / n), (f, frac, p)


def _top_doubling_gain(class_name):
    """Mean and standard error over the fibres of each fibre's rate gain from 256 to 512 mN, as a
    share of the class's max_rate (the same fibres at both forces: a paired difference)."""
    lo, hi = (pinprick(f).fibre_rates(class_name, N, SEED) for f in (256, 512))
    d = (hi - lo) / FORCE_RESPONSE[class_name].max_rate
    return d.mean(), d.std(ddof=1) / math.sqrt(N)


def test_c_mechanical_response_plateaus():
    """Slugg et al. 2000: the C response plateaus at low forces, the Aδ response keeps rising with force.
    No size is published: the top doubling of the DFNS series (256 -> 512 mN) raises the Aδ class by
    more than 4 standard errors of the paired per-fibre gain (control: still rising), and the C class
    by less than Aδ, each as a share of its max_rate, by more than 4 standard errors of the difference."""
    g_c, se_c = _top_doubling_gain("C")
    g_ad, se_ad = _top_doubling_gain("Adelta")
    assert g_ad > 4 * se_ad, (g_ad, se_ad)
    assert g_ad - g_c > 4 * math.hypot(se_ad, se_c), (g_c, se_c, g_ad, se_ad)


# ---------------------------------------------------------------- brush
def test_brush_drives_abeta_and_not_nociceptors():
    assert _mean_rate_from_spikes(brush(), "Abeta") > 10.0
    for c in ("Adelta", "C"):
        assert brush().spikes(c, N, DURATION, SEED)[0].size == 0
    # faster strokes drive Aβ more
    slow, fast = (brush(v).fibre_rates("Abeta", N, SEED).mean() for v in ("10 mm/s", "100 mm/s"))
    assert fast > slow
    # negative control: heat does drive C
    assert heat(47).spikes("C", N, DURATION, SEED)[0].size > 0


# ---------------------------------------------------------------- randomness
def test_deterministic_for_a_seed_and_thresholds_belong_to_fibres():
    a = heat(46).spikes("C", 30, 2.0, 3)
    b = heat(46).spikes("C", 30, 2.0, 3)
    c = heat(46).spikes("C", 30, 2.0, 4)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not (a[0].size == c[0].size and np.array_equal(a[0], c[0]))
    # a fiber keeps its threshold: every fiber firing at 42 °C fires (faster) at 44 °C
    r42, r44 = heat(42).fibre_rates("C", N, SEED), heat(44).fibre_rates("C", N, SEED)
    assert np.all(r44[r42 > 0] > r42[r42 > 0]) and np.sum(r44 > 0) > np.sum(r42 > 0)


def test_fibres_fire_independently():
    """The population count of independent Poisson fibers is Poisson (Fano factor 1,
    sampling sd sqrt(2 / bins)); a shared train would make it n times larger."""
    t, i = pinprick(128).spikes("Adelta", N, 20.0, SEED)
    bins = np.arange(0.0, 20.0 + 1e-9, 0.02)
    pop = np.histogram(t, bins)[0]
    fano = pop.var(ddof=1) / pop.mean()
    assert abs(fano - 1.0) < 4 * math.sqrt(2.0 / (bins.size - 2)), fano
    # negative control: fiber 0's train copied to 50 fibers
    t0 = t[i == 0]
    shared = np.histogram(np.tile(t0, 50), bins)[0]
    assert shared.var(ddof=1) / shared.mean() > 10


def test_spikes_stay_in_the_stimulus_window():
    from brian2 import second
    t, _ = heat(47, start=0.5 * second, stop=1.0 * second).spikes("C", N, 2.0, SEED)
    assert t.size > 0 and t.min() >= 0.5 and t.max() < 1.0
    t, _ = pinprick(256, start="1 s").spikes("Adelta", N, 1.5, SEED)
    assert t.size > 0 and t.min() >= 1.0 and t.max() < 1.5


def test_a_temperature_in_c_is_celsius():
    """In a temperature "C" is Celsius (not coulomb): every spelling gives the same stimulus."""
    assert heat("45 C").value == heat("45 °C").value == heat("45 degC").value == heat(45).value == 45.0


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("make, value, name, error", [
    (heat, -300, "celsius", ParameterError),          # below absolute zero
    (heat, "-10 K", "celsius", ParameterError),
    (heat, "45 mN", "celsius", UnitError),            # a force is not a temperature
    (heat, "45 Hz", "celsius", UnitError),
    (heat, "113 °F", "celsius", ParameterError),      # Fahrenheit: named, not read as farad
    (heat, "113 F", "celsius", ParameterError),
    (heat, 25, "celsius", ParameterError),            # cooling: cold(), not heat()
    (heat, 80, "celsius", ParameterError),            # above the measured range
    (pinprick, -5, "force_mN", ParameterError),
    (pinprick, "45 degC", "force_mN", ParameterError),
    (pinprick, "3 m/s", "force_mN", UnitError),
    (brush, "3 Hz", "velocity", UnitError),
    (brush, 0.03, "velocity", UnitError),                 # a velocity needs its unit
    (brush, "-30 mm/s", "velocity", ParameterError),
])
def test_bad_input_is_refused_naming_the_parameter(make, value, name, error):
    with pytest.raises(error) as e:
        make(value)
    assert e.value.name == name
    assert name in str(e.value)


def test_bad_adaptation_is_refused_naming_the_parameter():
    from painsim.fibers.encoding import HeatResponse
    with pytest.raises(ParameterError) as e:
        HeatResponse("x", 1.0, 41.5, 1.0, 1.0, 20.0, plateau=1.5)
    assert e.value.name == "plateau"
    with pytest.raises(ParameterError) as e:
        HeatResponse("x", 1.0, 41.5, 1.0, 1.0, 20.0, plateau=0.5)       # adapts, but no time constant
    assert e.value.name == "adaptation_tau"
    with pytest.raises(ParameterError) as e:
        adapting_trains(np.ones(3), 0.0, 1.0, 0.5, -1.0, np.random.default_rng(0))
    assert e.value.name == "adaptation_tau"
    # negative control: no adaptation needs no time constant
    assert HeatResponse("x", 1.0, 41.5, 1.0, 1.0, 20.0).plateau == 1.0


def test_good_units_are_accepted():
    from brian2 import kelvin
    assert heat("47 °C").value == heat(47).value == heat("47 degC").value
    assert abs(heat(320.15 * kelvin).value - 47.0) < 1e-9
    assert pinprick("0.128 N").value == pinprick(128).value == pytest.approx(0.128)
    with pytest.raises(ParameterError) as e:
        heat(47, start="1 s", stop="0.5 s")
    assert e.value.name == "stop"
    assert ps.fibers.heat is heat


def test_heat_in_degrees_drives_the_circuit_monotonically():
    """Wired into simulate: below the nociceptors' threshold range the projection
    neurons stay silent (no evoked input; the model has no spontaneous PN output),
    above it their output rises with temperature.  Same seed at every temperature
    (each fibre keeps its threshold), so monotonicity is not a matter of noise."""
    model = ps.load_model("gate_control")
    pn = [float(ps.simulate(model, noxious=heat(t), duration="0.6 s", seed=2).pn_rate) for t in (38, 46, 50)]
    assert pn[0] == 0.0
    assert pn[2] > pn[1] >= pn[0]
    res = ps.simulate(model, noxious=heat(50), duration="0.6 s", seed=2)
    assert "heat" in res.attrs["noxious"]                     # the stimulus is recorded with its unit


def test_spikes_take_the_duration_as_seconds_or_a_quantity():
    """A number is seconds; a quantity is converted (the same spikes); another dimension is refused."""
    from brian2 import second
    plain = heat(47).spikes("C", 5, 1.0, 1)
    for duration in (1 * second, "1 s", "1000 ms"):
        got = heat(47).spikes("C", 5, duration, 1)
        assert np.array_equal(got[0], plain[0]) and np.array_equal(got[1], plain[1])
    with pytest.raises(UnitError, match="duration"):
        heat(47).spikes("C", 5, "1 Hz", 1)


# ---------------------------------------------------------------- cold
N_COLD = 1000   # fibers per class: cold discharge is low (tenths of Hz), more fibers keep class means precise


def _cold_rate_sd(celsius, class_name):
    return _heat_rate_sd(celsius, class_name, COLD_RESPONSE, -1, expected_cold_rate)


def test_cooling_above_the_nociceptors_threshold_range_fires_nothing():
    """25 °C is 3.3 sd above the cold-sensitive CMHs' mean threshold (10 +/- 4.5 °C) and 5 sd above
    the Aδ mean (0 +/- 5 °C): almost no spike.  Negative control: 0 °C drives both classes."""
    for c in ("Adelta", "C"):
        expected = N_COLD * RATE_WINDOW * expected_cold_rate(25.0, c)
        assert expected < 0.5
        t, _ = cold(25).spikes(c, N_COLD, RATE_WINDOW, SEED)
        assert t.size <= 3, (c, t.size)          # P(Poisson(0.5) > 3) < 2e-3
        cold_spikes = N_COLD * RATE_WINDOW * expected_cold_rate(MIN_TEMPERATURE, c)
        t, _ = cold(MIN_TEMPERATURE).spikes(c, N_COLD, RATE_WINDOW, SEED)
        sampling = N_COLD * RATE_WINDOW * _cold_rate_sd(0.0, c) / math.sqrt(N_COLD)
        assert t.size > cold_spikes - 4 * math.sqrt(cold_spikes) - 4 * sampling


@pytest.mark.parametrize("class_name", ["C", "Adelta"])
def test_cold_discharge_matches_its_response_function_and_rises_as_the_skin_cools(class_name):
    temps = np.array([15.0, 10.0, 5.0, 3.0, 0.0])
    measured = np.array([_mean_rate_from_spikes(cold(t), class_name, N_COLD, RATE_WINDOW) for t in temps])
    expected = np.array([expected_cold_rate(t, class_name) for t in temps])
    se = np.array([math.sqrt(_cold_rate_sd(t, class_name) ** 2 / N_COLD + e / (N_COLD * RATE_WINDOW))
                   for t, e in zip(temps, expected)])
    assert np.all(np.abs(measured - expected) <= 4 * se + 1e-9), (measured, expected, se)
    assert np.all(np.diff(measured[temps <= 10]) > 0), measured   # colder: more discharge


def test_only_the_cold_sensitive_share_of_the_c_fibres_responds():
    """At 0 °C nearly every cold-sensitive CMH is past its threshold (Phi(10 / 4.5) = 0.99), yet only
    their share of the class (22 of 55, Campero et al. 1996) fires; the same fibres' heat response
    recruits the whole class (negative control: a fraction of 1, not 0.4)."""
    (cmhc,) = COLD_RESPONSE["C"]
    n = 4000
    p = cmhc.fraction * _phi((cmhc.threshold_mean - 0.0) / cmhc.threshold_sd)
    frac = np.mean(cold(0).fibre_rates("C", n, SEED) > 0)
    assert abs(frac - p) <= 4 * math.sqrt(p * (1 - p) / n), (frac, p)
    assert np.mean(heat(50).fibre_rates("C", n, SEED) > 0) > 0.99


def test_fibres_keep_their_thresholds_across_temperatures_and_abeta_ignores_cold():
    mild = cold(8).fibre_rates("C", 500, SEED)
    colder = cold(2).fibre_rates("C", 500, SEED)
    assert np.all(colder[mild > 0] > mild[mild > 0])         # the same fibres fire faster when colder
    assert np.sum(colder > 0) > np.sum(mild > 0)                # and more of them fire
    assert cold(0).classes() == ("Adelta", "C")
    afferents = ps.load_model("gate_control").section("afferents")
    chilled, rest = (afferent_input(afferents, 1.0, SEED, noxious=st) for st in (cold(0), None))
    assert np.array_equal(chilled["Abeta"].times, rest["Abeta"].times)          # no cold input to Aβ
    assert chilled["C"].times.size > rest["C"].times.size                        # C input added


@pytest.mark.parametrize("value, error", [(33, ParameterError), (-1, ParameterError), ("5 mN", UnitError),
                                          (True, ParameterError), ("41 °F", ParameterError)])
def test_bad_cold_is_refused_naming_the_temperature(value, error):
    with pytest.raises(error) as e:
        cold(value)
    assert e.value.name == "celsius"


def test_heat_below_the_baseline_points_to_cold_and_a_conditions_file_names_cold():
    with pytest.raises(ParameterError, match=r"cold\(\)"):
        heat(20)
    from brian2 import kelvin
    assert cold("3 degC").value == cold(3).value == pytest.approx(cold(276.15 * kelvin).value)
    noxious, touch = natural_stimuli({"cold": 3.0}, 0)
    assert noxious.kind == "cold" and noxious.value == 3.0 and touch == 0.0
    with pytest.raises(ParameterError) as e:
        natural_stimuli({"cold": 40.0}, 2)
    assert e.value.name == "condition[2].cold"
    with pytest.raises(ParameterError) as e:
        natural_stimuli({"cold": 3.0, "heat": 47.0}, 0)                 # one noxious stimulus per condition
    assert e.value.name == "condition[0]"


# ---------------------------------------------------------------- heat ramps
def test_a_ramp_after_its_threshold_is_the_step_adaptation_filter_in_closed_form():
    """For a linear ramp (rate ρ) a fibre with threshold θ has static rate k ρ (t - t_θ) after its
    crossing t_θ; the adaptation filter then gives s [p k ρ (t - t_θ) + (1 - p) k ρ τ (1 - exp(-(t -
    t_θ) / τ))] (:mod:`painsim.fibers.thermal`).  The grid (1 ms) bounds the error to k ρ dt per step of
    the recursion.  Negative control: Aδ (no adaptation) follows its static rate k (T - θ) exactly."""
    from painsim.fibers.encoding import thermal_draw, threshold_rng
    from painsim.fibers.thermal import RAMP_DT, ramp_rates
    rho, peak, n = 0.5, 46.0, 50
    ramp = heat_ramp(peak, rho)
    t, rates = ramp_rates(ramp, "C", n, SEED, (peak - 32.0) / rho)
    (cmh,) = HEAT_RESPONSE["C"]
    _, _, theta = thermal_draw(peak, HEAT_RESPONSE["C"], n, threshold_rng(SEED, "C", "heat"))
    s = adaptation_profile(0.0, cmh.plateau, cmh.adaptation_tau)[0]
    u = np.clip(t[None, :] - (theta[:, None] - 32.0) / rho, 0.0, None)        # time since each crossing
    k, p, tau = cmh.slope, cmh.plateau, cmh.adaptation_tau
    closed = s * (p * k * rho * u + (1 - p) * k * rho * tau * -np.expm1(-u / tau))
    assert np.max(np.abs(rates - closed)) <= 2 * s * k * rho * RAMP_DT + 1e-12
    assert rates.max() > 1.0                                                    # not a vacuous comparison
    t, ad = ramp_rates(heat_ramp(55.0, rho), "Adelta", n, SEED, (55.0 - 32.0) / rho)
    _, sub, theta_ad = thermal_draw(55.0, HEAT_RESPONSE["Adelta"], n, threshold_rng(SEED, "Adelta", "heat"))
    temperature = 32.0 + rho * t
    for j, sr in enumerate(HEAT_RESPONSE["Adelta"]):
        m = sub == j
        static = np.clip(sr.slope * (temperature[None, :] - theta_ad[m, None]), 0.0, sr.max_rate)
        np.testing.assert_allclose(ad[m], static, atol=1e-12)


def test_a_fast_ramp_is_a_step():
    """At 100 °C/s the skin reaches 47 °C in t_p = 0.15 s: over 1-3 s the ramp's rates equal the step's
    adapting rates to within the shift of the onset.  The ramp's rise reaches the adaptation filter
    (:mod:`painsim.fibers.thermal`) as jumps on the RAMP_DT grid between 0 and t_p + dt, later than the
    step's jump at 0, so its adapting part is the step's times a factor in [1, exp((t_p + dt) / τ)]:
    the rate is the step's, s r g(t), plus at most s r (1 - p) exp(-t / τ) (exp((t_p + dt) / τ) - 1),
    relatively at most (1 - p)(exp((t_p + dt) / τ) - 1) / (p exp(t / τ) + 1 - p), largest at t = 1 s
    (~3.2 %); never below the step's.  The rates are deterministic (no counting noise).  Negative
    control: a 1 °C/s ramp is still at 33-35 °C then: no C discharge."""
    from painsim.fibers.thermal import RAMP_DT, ramp_rates
    (cmh,) = HEAT_RESPONSE["C"]
    t, fast = ramp_rates(heat_ramp(47, 100.0), "C", 300, SEED, 3.0)
    window = (t >= 1.0) & (t < 3.0)
    step = heat(47).fibre_rates("C", 300, SEED)
    profile, _ = adaptation_profile(t[window], cmh.plateau, cmh.adaptation_tau)
    expected = step.mean() * profile.mean()
    p, tau, t_p = cmh.plateau, cmh.adaptation_tau, (47.0 - 32.0) / 100.0
    bound = (1 - p) * math.expm1((t_p + RAMP_DT) / tau) / (p * math.exp(1.0 / tau) + 1 - p)
    excess = fast[:, window].mean() / expected - 1
    assert -1e-9 <= excess <= bound, (excess, bound)
    _, slow = ramp_rates(heat_ramp(47, 1.0), "C", 300, SEED, 3.0)
    assert slow[:, window].max() == 0.0


def test_c_discharge_during_ramps_rises_with_the_rate_of_heating_only_through_adaptation(monkeypatch):
    """Yarnitsky et al. 1992: human C nociceptors fire more the faster the ramp (1.22 / 4.57 / 13.45 Hz at
    0.3 / 2 / 6 °C/s).  The model has the direction (not the size: validation rows c_ramp_discharge_*),
    and only through the adaptation filter: without adaptation a fibre's rate rises as k ρ (t - t_θ), so
    its mean from threshold to the ramp's end, k (46 - θ) / 2, does not depend on ρ (the same fibres).
    Tolerance: a fibre's spike count over that time is Poisson with mean k ρ T² / 2, so its estimated
    rate has variance k ρ / 2 whatever T; over M responding fibres the two means differ by at most 4
    standard errors, 4 sqrt(k (ρ1 + ρ2) / (2 M))."""
    import dataclasses
    from painsim.fibers.encoding import thermal_draw, threshold_rng
    from painsim.validation.phenotype import RAMP_FIBRES, RAMP_PEAK, c_ramp_discharge
    (cmh,) = HEAT_RESPONSE["C"]
    _, _, theta = thermal_draw(RAMP_PEAK, HEAT_RESPONSE["C"], RAMP_FIBRES, threshold_rng(SEED, "C", "heat"))
    m = int(np.sum(theta < RAMP_PEAK))
    se = lambda r1, r2: math.sqrt(cmh.slope * (r1 + r2) / (2 * m))  # noqa: E731
    rates = [c_ramp_discharge(r)(SEED) for r in (0.3, 2.0, 6.0)]
    assert rates[1] - rates[0] > 4 * se(0.3, 2.0) and rates[2] - rates[1] > 4 * se(2.0, 6.0), rates
    monkeypatch.setitem(HEAT_RESPONSE, "C", tuple(dataclasses.replace(s, plateau=1.0) for s in HEAT_RESPONSE["C"]))
    flat = [c_ramp_discharge(r)(SEED) for r in (0.3, 6.0)]
    assert abs(flat[1] - flat[0]) <= 4 * se(0.3, 6.0), flat


def test_a_ramp_stopped_before_its_peak_ends_there_and_chunks_change_nothing():
    """``stop`` ends the stimulus (the skin back at baseline: no spike after it), and the spikes of a
    ramp are drawn a chunk of fibres at a time: the rates of any subset of fibres are those rows of
    the whole class's rates."""
    from painsim.fibers.thermal import RAMP_CHUNK, ramp_rates
    stopped = heat_ramp(50, 2.0, stop="6 s")                       # 44 °C at 6 s
    t, ids = stopped.spikes("C", 200, 9.0, SEED)
    assert t.size > 0 and t.max() < 6.0
    t_full, _ = heat_ramp(50, 2.0).spikes("C", 200, 9.0, SEED)
    assert np.sum(t_full >= 6.0) > 0                                # negative control: it fires on
    _, whole = ramp_rates(heat_ramp(47, 1.0), "C", RAMP_CHUNK + 40, SEED, 16.0)
    _, part = ramp_rates(heat_ramp(47, 1.0), "C", RAMP_CHUNK + 40, SEED, 16.0, np.arange(RAMP_CHUNK, RAMP_CHUNK + 40))
    np.testing.assert_array_equal(part, whole[RAMP_CHUNK:])
    assert whole[RAMP_CHUNK:].max() > 0


@pytest.mark.parametrize("args, name", [((47, 0), "rate"), ((47, "2"), "rate"), ((47, 200), "rate"),
                                        ((47, True), "rate"), ((20, 1.0), "peak"), ((70, 1.0), "peak")])
def test_bad_ramps_are_refused_naming_the_argument(args, name):
    with pytest.raises(ParameterError) as e:
        heat_ramp(*args)
    assert e.value.name == name
    with pytest.raises(ParameterError) as e:                    # a ramp is a heat application
        ps.fibers.PhysicalStimulus("pinprick", 0.1, ramp=1.0)
    assert e.value.name == "ramp"


def test_a_ramp_drives_the_circuit_once_the_skin_is_hot():
    """Wired into simulate: 20 °C/s from 32 to 50 °C reaches the C thresholds (~41.5 °C) after ~0.5 s:
    the projection neurons fire, and the stimulus is recorded with its rate of rise."""
    model = ps.load_model("gate_control")
    res = ps.simulate(model, noxious=heat_ramp(50, 20.0), duration="1.2 s", seed=2)
    assert float(res.pn_rate) > 0.0
    assert "ramp_degC_per_s" in res.attrs["noxious"]
    # negative control: the same run without the stimulus is silent
    assert float(ps.simulate(model, duration="1.2 s", seed=2).pn_rate) == 0.0


def test_a_ramp_cut_short_by_the_run_is_refused_in_a_conditions_file(tmp_path):
    """A ramp without a stop that cannot reach its peak within the run would change the experiment
    silently: refused naming it; with a stop (the subject stops the thermode) it is allowed."""
    from painsim.files.validate import check_conditions
    base = {"experiment": {"name": "ramp", "kind": "conditions", "model": "gate_control", "duration": "2 s"}}
    with pytest.raises(ParameterError) as e:
        check_conditions({**base, "condition": [{"heat_ramp": {"peak": 50.0, "rate": 1.0}}]}, tmp_path / "x.toml")
    assert e.value.name == "condition[0].heat_ramp"
    check_conditions({**base, "condition": [{"heat_ramp": {"peak": 50.0, "rate": 1.0, "stop": "1.5 s"}}]},
                     tmp_path / "x.toml")


def test_a_conditions_file_names_a_heat_ramp_as_a_table():
    noxious, _ = natural_stimuli({"heat_ramp": {"peak": 47.0, "rate": 2.0, "start": "0.5 s"}}, 0)
    assert noxious == heat_ramp(47.0, 2.0, start="0.5 s")
    for table, name in (({"peak": 47.0, "rate": 0.0}, "condition[3].heat_ramp.rate"),
                        ({"rate": 1.0}, "condition[3].heat_ramp"),                    # peak is required
                        ({"peak": 47.0, "speed": 1.0}, "condition[3].heat_ramp.speed"),
                        ({"peak": 20.0}, "condition[3].heat_ramp.peak")):
        with pytest.raises(ParameterError) as e:
            natural_stimuli({"heat_ramp": table}, 3)
        assert e.value.name == name
