"""The biophysical node fires on an upward crossing of its firing band, however far one
time step carries the voltage past it (painsim.fibers.kernel).

The node fires when the regenerative Na drive ``h y (1 - y / V_Na)`` reaches threshold; the
drive falls again beyond ``V_Na / 2``, so a strong pulse can carry ``y`` over the whole band in
one step.  Before the fix such a fiber did not fire: firing fell with amplitude and depended
on the step.  Each test has a negative control."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pytest

from painsim import fibers as F
from painsim.fibers import FiberPopulation, recruitment_curve, threshold
from painsim.stimulation import Waveform

WIDTH = 200e-6
#: contact currents, A: from below every threshold to far above (the regime where one
#: 2 us step crossed the band)
AMPS = np.array([0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]) * 1e-3


@pytest.fixture(scope="module")
def pop():
    return FiberPopulation.sample({"Abeta": 8, "Adelta": 6, "C": 6}, geometry="peripheral_nerve", seed=1)


def one_pulse(duration=20e-3):
    """One biphasic pulse of 1 A at 50 us, then a window long enough for a C fiber to fire."""
    return Waveform(np.array([50e-6]), np.array([WIDTH]), np.array([1.0]), duration, amplitude_kind="current",
                    shape="biphasic", target="peripheral_nerve")


def fired(pop, amp, dt):
    """Which fibers fire (noise-free) on one pulse of ``amp`` A at step ``dt``."""
    _, i = F.fiber_spikes(one_pulse(), pop, amp, dt=dt, noise=False)
    out = np.zeros(pop.n, bool)
    out[i] = True
    return out


def test_firing_grows_with_amplitude(pop):
    rows = np.array([fired(pop, a, 2e-6) for a in AMPS])
    # a fiber that fires at one amplitude fires at every higher one
    assert np.all(rows[1:] >= rows[:-1])
    for c in F.CLASSES:
        frac = rows[:, pop.indices(c)].mean(axis=1)
        assert np.all(np.diff(frac) >= 0), (c, frac)
    # negative control: the range spans from no fiber to every fiber
    assert not rows[0].any() and rows[-1].all()


@pytest.mark.parametrize("amp", [200e-3, 500e-3])
def test_step_size_does_not_change_firing_at_high_amplitude(pop, amp):
    np.testing.assert_array_equal(fired(pop, amp, 2e-6), fired(pop, amp, 0.5e-6))


def test_below_threshold_nothing_fires_at_either_step(pop):
    th = threshold(pop, WIDTH, shape="biphasic", dt=2e-6)
    for dt in (2e-6, 0.5e-6):
        assert not fired(pop, 0.8 * th.min(), dt).any()
    # negative control: just above the lowest threshold, a fiber fires
    assert fired(pop, 1.2 * th.min(), 2e-6).any()


def test_recruitment_curve_matches_simulated_firing(pop):
    # with monotonic firing the threshold bisection predicts what a pulse does
    th = threshold(pop, WIDTH, shape="biphasic", dt=2e-6)
    curve = recruitment_curve(pop, AMPS, WIDTH, shape="biphasic", dt=2e-6)["all"]
    for a, frac in zip(AMPS, curve):
        clear = np.abs(th / a - 1) > 0.05       # fibers whose threshold is not within 5 % of a
        f = fired(pop, a, 2e-6)
        assert np.array_equal(f[clear], (th <= a)[clear]), a
        assert abs(f.mean() - frac) <= (~clear).mean()


def test_numba_kernel_matches_numpy_reference_across_a_jump(pop):
    # a drive that carries every fiber's voltage past the firing band within one step
    node = F.NodeConstants(pop, 2e-6)
    c = pop.coupling()
    n_steps = 2000
    v_na = pop.class_param("v_na")
    big = 2 * np.max(v_na / (c * (1 - node.em)))
    drive = np.zeros(n_steps)
    drive[100:200] = big
    drive[200:300] = -big
    rng = np.random.default_rng(3)
    z = rng.standard_normal((pop.n, (n_steps + node.n_sub - 1) // node.n_sub))
    s1 = node.initial_state(np.random.default_rng(1))
    s2 = tuple(a.copy() for a in s1)
    st, fb = F.run_chunk(drive, c, node, s1, z)
    st2, fb2 = F.node_reference(drive, c, *node.args(), z, node.n_sub, *s2)
    assert np.array_equal(st, st2) and np.array_equal(fb, fb2)
    for a, b in zip(s1, s2):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    # the regime of the test: the first step of the pulse takes every fiber past the band ...
    assert np.all(big * c * (1 - node.em) > v_na)
    # ... and every fiber fires, in that step (negative control: none fires before the pulse)
    assert set(fb[st == 100]) == set(range(pop.n)) and not np.any(st < 100)
