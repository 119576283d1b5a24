"""Tests of the biophysical recruitment model (painsim.fibers): each asserts a
physiological property of the fiber model (or an engineering contract) that a
wrong model would fail."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pytest

from painsim import fibers as F
from painsim.errors import ParameterError, UnknownKeyError
from painsim.fibers import (CHRONAXIE_RANGES, FiberPopulation, afferent_spikes,
                            fit_weiss, recruitment_curve, strength_duration, threshold)
from painsim.stimulation import Waveform

# Bisection precision of threshold(); the model's coupling is exactly c ∝ D / r²
# and the node is the same for every fiber of a class, so log-log slopes over a
# factor >= 2 in r or D can deviate from -1 / 2 only by the bisection error:
# |Δslope| <= 2 * rtol / ln(2) ≈ 3e-4.  We allow 0.01 (30x margin) for the
# time discretisation of the pulse, which is the same for every fiber.
SLOPE_TOL = 0.01


def one_fiber(cls="Abeta", diameter=None, distance=1e-3):
    lo, hi = F.CLASS_PARAMS[cls].diameter_range
    d = np.sqrt(lo * hi) if diameter is None else diameter
    return FiberPopulation([cls], [d], [distance], sigma=0.3)


def train(rate, width, amp, duration, shape="monophasic", kind="current", cls="Abeta", start=0.0):
    on = start + np.arange(int(round((duration - start) * rate))) / rate
    return Waveform(on, width, amp, duration, amplitude_kind=kind, shape=shape,
                    threshold_class=cls, target="peripheral_nerve")


def test_recruitment_order_large_fibers_first():
    # all fibers at the same distance: only the class (diameter, node) differs
    pop = FiberPopulation.sample({"Abeta": 6, "Adelta": 6, "C": 6}, geometry="peripheral_nerve",
                                 seed=3, distance_range=(1e-3, 1e-3))
    th = threshold(pop, 200e-6)
    med = {c: np.median(th[pop.indices(c)]) for c in F.CLASSES}
    assert med["Abeta"] < med["Adelta"] < med["C"]
    # every Abeta fiber is below every C fiber (diameter ranges do not overlap)
    assert th[pop.indices("Abeta")].max() < th[pop.indices("C")].min()
    amps = np.geomspace(med["Abeta"] / 3, med["C"] * 3, 25)
    curve = recruitment_curve(pop, amps, 200e-6, shape="monophasic")
    assert np.all(curve["Abeta"] >= curve["Adelta"]) and np.all(curve["Adelta"] >= curve["C"])
    assert curve["Abeta"][-1] == 1 and curve["C"][0] == 0
    assert np.all(np.diff(curve["all"]) >= 0)  # recruitment grows with amplitude


@pytest.mark.parametrize("cls", F.CLASSES)
def test_chronaxie_in_published_range(cls):
    pop = one_fiber(cls)
    tau = F.CLASS_PARAMS[cls].tau_m
    widths = tau * np.array([0.1, 0.2, 0.5, 1, 2, 5, 10])
    th = strength_duration(pop, widths)[:, 0]
    # longer pulses need less current (never more, up to the bisection precision)
    assert np.all(np.diff(th) <= 2e-4 * th[1:]) and th[0] > 3 * th[-1]
    assert np.all(np.diff(th * widths) > 0)      # ... but more charge (Weiss)
    rh, chron = fit_weiss(widths, th)
    lo, hi = CHRONAXIE_RANGES[cls]
    assert lo <= chron <= hi, (cls, chron)
    # the Weiss law describes the curve: relative residuals below 25 %
    fit = rh * (1 + chron / widths)
    assert np.max(np.abs(fit / th - 1)) < 0.25


def test_chronaxie_order_between_classes():
    ch = {}
    for cls in F.CLASSES:
        w = np.geomspace(10e-6, 10e-3, 9)
        ch[cls] = fit_weiss(w, strength_duration(one_fiber(cls), w)[:, 0])[1]
    assert ch["Abeta"] < ch["Adelta"] < ch["C"]


def test_threshold_scales_with_distance_squared():
    r = np.array([0.5e-3, 1e-3, 2e-3, 4e-3, 8e-3])
    pop = FiberPopulation(["Abeta"] * 5, [9e-6] * 5, r, sigma=0.3)
    th = threshold(pop, 100e-6)
    slope = np.polyfit(np.log(r), np.log(th), 1)[0]
    assert abs(slope - 2) < SLOPE_TOL


@pytest.mark.parametrize("cls", ["Abeta", "C"])
def test_threshold_falls_with_diameter(cls):
    lo, hi = F.CLASS_PARAMS[cls].diameter_range
    d = np.geomspace(lo, hi, 4)
    pop = FiberPopulation([cls] * 4, d, [1e-3] * 4, sigma=0.3)
    th = threshold(pop, 100e-6)
    slope = np.polyfit(np.log(d), np.log(th), 1)[0]
    assert abs(slope + 1) < SLOPE_TOL


def test_refractoriness_limits_following():
    pop = one_fiber("Abeta")
    w = 50e-6
    th = threshold(pop, w)[0]
    follow = {}
    for rate in (100.0, 1000.0, 4000.0):
        wf = train(rate, w, 1.5 * th, 0.05)
        t, _ = afferent_spikes(wf, pop, seed=1, cache_dir=False)
        follow[rate] = t.size / wf.n_pulses
    # 1.5x threshold is 10 RS above threshold: a rested fiber always fires
    assert follow[100.0] == 1.0
    assert follow[1000.0] >= 0.9     # 1 ms > refractory period (~0.5 ms)
    assert follow[4000.0] <= 0.5     # 250 us < absolute refractory period


def test_relative_refractory_period():
    # the second of two pulses needs more current shortly after a spike, and
    # recovers with the interval (relative refractoriness)
    pop = one_fiber("Abeta")
    w = 50e-6
    th1 = threshold(pop, w)[0]

    def second_fires(interval, amp):
        wf = Waveform([0.0, interval], w, [3 * th1, amp], interval + 2e-3,
                      amplitude_kind="current", shape="monophasic")
        t, _ = F.fiber_spikes(wf, pop, 1.0, noise=False)
        return np.any(t > interval)

    def th2(interval):
        lo, hi = th1 * 0.5, th1 * 40
        if not second_fires(interval, hi):
            return np.inf
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            lo, hi = (lo, mid) if second_fires(interval, mid) else (mid, hi)
        return hi

    t_short, t_mid, t_long = th2(0.4e-3), th2(1e-3), th2(20e-3)
    assert t_short > t_mid > t_long
    assert abs(t_long / th1 - 1) < 0.05      # recovered after 20 ms
    assert t_mid / th1 > 1.1                 # still relatively refractory at 1 ms


def test_temporal_summation():
    pop = one_fiber("Abeta")
    w = 30e-6
    th = threshold(pop, w)[0]
    amp = 0.75 * th   # 5 RS below threshold: a single pulse never fires

    def n_spikes(gap):
        wf = Waveform([1e-4, 1e-4 + w + gap], w, amp, 2e-4 + 2 * w + gap + 2e-3,
                      amplitude_kind="current", shape="monophasic")
        return afferent_spikes(wf, pop, seed=0, cache_dir=False)[0].size

    single = afferent_spikes(Waveform([1e-4], w, amp, 2e-3, amplitude_kind="current",
                                      shape="monophasic"), pop, cache_dir=False)[0].size
    assert single == 0
    assert n_spikes(10e-6) == 1      # well within tau_m: the depolarisations add
    assert n_spikes(5e-3) == 0       # 45 tau_m apart: no summation


def _synchrony(t, i, n, window=50e-6):
    """Mean over spikes of the fraction of other active fibers firing within
    +-window, divided by the chance fraction (rate * 2 window)."""
    dur = t.max() - t.min() if t.size > 1 else 1.0
    active = [k for k in range(n) if np.sum(i == k) > 2]
    vals = []
    for a in active:
        ta = t[i == a]
        for b in active:
            if a == b:
                continue
            tb = t[i == b]
            j = np.searchsorted(tb, ta)
            near = np.zeros(ta.size, bool)
            for jj in (j - 1, j):
                ok = (jj >= 0) & (jj < tb.size)
                near[ok] |= np.abs(tb[jj[ok]] - ta[ok]) <= window
            chance = min(1.0, tb.size / dur * 2 * window)
            vals.append(near.mean() / chance)
    return np.mean(vals)


def _cv(t, i, n, t_min):
    cvs = []
    for k in range(n):
        tk = t[(i == k) & (t > t_min)]
        if tk.size > 4:
            d = np.diff(tk)
            cvs.append(d.std() / d.mean())
    return np.array(cvs)


def test_10khz_firing_is_asynchronous_50hz_is_locked():
    pop = FiberPopulation.sample({"Abeta": 8}, geometry="peripheral_nerve", seed=2)
    w = 30e-6
    hf = train(10e3, w, 2.0, 0.1, shape="biphasic", kind="threshold")
    lf = train(50.0, w, 2.0, 0.4, shape="biphasic", kind="threshold")
    t_hf, i_hf = afferent_spikes(hf, pop, seed=4, cache_dir=False)
    t_lf, i_lf = afferent_spikes(lf, pop, seed=4, cache_dir=False)
    # 50 Hz at 2x median threshold: the recruited fibers fire on every pulse together
    sync_lf = _synchrony(t_lf, i_lf, pop.n)
    sync_hf = _synchrony(t_hf[t_hf > 0.01], i_hf[t_hf > 0.01], pop.n)
    assert sync_lf > 20          # chance level is 1
    assert sync_hf < 3           # near chance: fibers fire independently
    cv_hf = _cv(t_hf, i_hf, pop.n, 0.01)
    cv_lf = _cv(t_lf, i_lf, pop.n, 0.0)
    assert cv_hf.size >= 2
    assert np.median(cv_hf) > np.median(cv_lf) + 0.02   # less regular than the 50 Hz train
    # and no fiber follows 10 kHz 1:1 after onset (rates far below the pulse rate)
    rates = np.bincount(i_hf[t_hf > 0.01], minlength=pop.n) / 0.09
    assert rates.max() < 2000


def _khz_block_thresholds(pop, f):
    """Lowest square-wave amplitude (multiples of the 50-us pulse threshold)
    with sustained firing (> 1 spike after the first 5 ms), and the lowest
    amplitude above it that blocks (<= 1 spike after 5 ms)."""
    th = threshold(pop, 50e-6)[0]
    excite = block = None
    onset_ok = True
    for m in np.geomspace(0.25, 64, 33):
        wf = train(f, 0.5 / f, m * th, 0.03, shape="biphasic")
        t, _ = afferent_spikes(wf, pop, seed=0, cache_dir=False)
        if excite is None and np.sum(t > 5e-3) > 1:
            excite = m
        if excite is not None and block is None and np.sum(t > 5e-3) <= 1:
            block = m
            onset_ok = np.sum(t <= 5e-3) >= 1
    return excite, block, onset_ok


def test_khz_conduction_block_rises_with_frequency():
    pop = one_fiber("Abeta")
    e10, b10, onset10 = _khz_block_thresholds(pop, 10e3)
    e20, b20, _ = _khz_block_thresholds(pop, 20e3)
    # an amplitude range with sustained firing exists, and above it block
    assert e10 is not None and b10 is not None and b20 is not None
    assert b10 > e10                 # block needs more than excitation
    assert onset10                   # an onset response precedes block
    assert b20 > b10                 # Kilgore & Bhadra 2014: rises with frequency


def test_numba_matches_numpy_reference():
    rng = np.random.default_rng(11)
    pop = FiberPopulation.sample({"Abeta": 3, "Adelta": 3, "C": 3}, geometry="peripheral_nerve",
                                 seed=5)
    node = F.NodeConstants(pop, 2e-6)
    n_steps = 3000
    c = pop.coupling()
    drive = rng.normal(0, 0.2, n_steps) / np.median(c)
    for j, cls in enumerate(F.CLASSES):   # one pulse at ~3x each class's threshold
        idx = pop.indices(cls)
        tau = F.CLASS_PARAMS[cls].tau_m
        drive[400 + 800 * j: 425 + 800 * j] += 3 * (1 + tau / 50e-6) / c[idx].min()
    z = rng.standard_normal((pop.n, (n_steps + node.n_sub - 1) // node.n_sub))
    c = pop.coupling()
    s1 = node.initial_state(np.random.default_rng(1))
    s2 = tuple(a.copy() for a in s1)
    st, fb = F.run_chunk(drive, c, node, s1, z)
    st2, fb2 = F.node_reference(drive, c, *node.args(), z, node.n_sub, *s2)
    assert st.size > 9
    assert np.array_equal(st, st2) and np.array_equal(fb, fb2)
    for a, b in zip(s1, s2):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_chunking_does_not_change_spikes():
    pop = FiberPopulation.sample({"Abeta": 3, "C": 2}, geometry="peripheral_nerve", seed=1)
    wf = train(2000.0, 40e-6, 2.0, 0.02, shape="biphasic", kind="threshold")
    ref = F.amplitude_scale(wf, pop, 2e-6, None)
    a = F.fiber_spikes(wf, pop, ref, seed=3, chunk=1 << 15)
    b = F.fiber_spikes(wf, pop, ref, seed=3, chunk=500)
    assert a[0].size > 0
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_threshold_amplitude_means_multiple_of_class_threshold():
    pop = FiberPopulation.sample({"Abeta": 9, "C": 3}, geometry="peripheral_nerve", seed=8)
    ab = pop.indices("Abeta")
    below = train(10.0, 100e-6, 0.7, 0.3, kind="threshold")
    above = train(10.0, 100e-6, 1.3, 0.3, kind="threshold")
    _, i_lo = afferent_spikes(below, pop, cache_dir=False)
    _, i_hi = afferent_spikes(above, pop, cache_dir=False)
    # the median Abeta fiber's threshold is the unit: at 1.3x more than half the
    # Abeta fibers fire, at 0.7x fewer than half; C fibers (10x higher) never
    assert len(set(i_hi) & set(ab)) > len(ab) / 2 > len(set(i_lo) & set(ab))
    assert not (set(i_hi) - set(ab))


def test_magnetic_stimulation_recruits_large_fibers_first():
    pop = FiberPopulation.sample({"Abeta": 4, "Adelta": 4, "C": 4}, geometry="peripheral_nerve",
                                 seed=6, distance_range=(10e-3, 10e-3))
    th = threshold(pop, 150e-6, shape="biphasic", modality="magnetic")
    assert np.median(th[pop.indices("Abeta")]) < np.median(th[pop.indices("Adelta")]) \
        < np.median(th[pop.indices("C")])
    # a deeper nerve needs a stronger coil current
    deeper = pop.with_(distance=pop.distance * 2)
    th2 = threshold(deeper, 150e-6, shape="biphasic", modality="magnetic")
    assert np.all(th2 > th)


def test_cache_reused_and_invalidated(tmp_path):
    pop = FiberPopulation.sample({"Abeta": 3}, geometry="peripheral_nerve", seed=1)
    wf = train(100.0, 100e-6, 1.5, 0.05, kind="threshold")
    a = afferent_spikes(wf, pop, seed=0, cache_dir=tmp_path)
    assert F.cache_info["last_hit"] is False
    b = afferent_spikes(wf, pop, seed=0, cache_dir=tmp_path)
    assert F.cache_info["last_hit"] is True
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    afferent_spikes(wf, pop, seed=1, cache_dir=tmp_path)
    assert F.cache_info["last_hit"] is False
    afferent_spikes(wf.scaled(2.0), pop, seed=0, cache_dir=tmp_path)
    assert F.cache_info["last_hit"] is False
    afferent_spikes(wf, pop.with_(distance=pop.distance * 1.1), seed=0, cache_dir=tmp_path)
    assert F.cache_info["last_hit"] is False
    # nothing half-written is left behind
    assert not list(tmp_path.glob(".tmp_*"))


def test_bad_inputs_raise_named_errors():
    with pytest.raises(ParameterError) as e:
        FiberPopulation(["Abeta"], [10e-6], [-1e-3])
    assert e.value.name == "distance"
    with pytest.raises(UnknownKeyError) as e:
        FiberPopulation.sample({"Abeta2": 3})
    assert e.value.suggestion == "Abeta"
    with pytest.raises(UnknownKeyError) as e:
        FiberPopulation.sample(geometry="dorsal_colum")
    assert e.value.suggestion == "dorsal_column"
    pop = one_fiber()
    with pytest.raises(ParameterError) as e:
        afferent_spikes(train(10.0, 1e-4, 1.0, 0.1), pop, dt=10e-6, cache_dir=False)
    assert e.value.name == "dt"
    with pytest.raises(ParameterError) as e:
        threshold(pop, -1e-4)
    assert e.value.name == "width"
    with pytest.raises(ParameterError) as e:
        fit_weiss([1e-4], [1e-3])
    assert e.value.name == "thresholds"


def test_recruitment_models_are_registered_by_name():
    assert isinstance(F.recruitment_model("biophysical"), F.Biophysical)
    assert isinstance(F.recruitment_model("fraction"), F.ThresholdFraction)
    with pytest.raises(UnknownKeyError) as e:
        F.recruitment_model("biophysicl")
    assert e.value.suggestion == "biophysical"


def test_deprecated_recruitment_module_reexports_the_same_objects():
    from painsim import recruitment
    for name in recruitment.__all__:
        if name != "target_classes":
            assert getattr(recruitment, name) is getattr(F, name), name
    # the old signature: classes a waveform reaches
    wf = train(10.0, 1e-4, 1.0, 0.1)
    assert recruitment.target_classes(wf) == F.target_classes(wf.target, wf.modality) == F.CLASSES
    assert not hasattr(recruitment, "synchronous_volleys")
