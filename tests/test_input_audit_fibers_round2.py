"""Bad input to the afferent fibres, second audit round: the response functions of the natural
stimuli (a NaN or too large share of a class, a standard deviation <= 0), the class of a threshold
(named after the argument ``cls``; a waveform's ``threshold_class`` still named so), zero-length
stimulus windows, a NaN run length, a T-junction warm-up that would copy the events too many times,
and the spike arrays, velocities and dead time of the collision and T-junction arrivals.  Each is
refused with a painsim error (class and ``.name`` checked) before any work; each group has a
negative control.  No brian2 network is built."""
import dataclasses
import math

import numpy as np
import pytest

from painsim.errors import UnknownKeyError
from painsim.fibers import biophysical, collision, encoding, responses, tjunction
from painsim.fibers.afferents import natural
from painsim.fibers.population import FiberPopulation
from painsim.stimulation import tonic

NAN, INF = math.nan, math.inf
C = tjunction.JUNCTION["C"]


from refusals import refused as _refused  # noqa: E402


# ------------------------------------------------------------------ response functions
def _heat(**kw):
    args = dict(name="x", fraction=1.0, threshold_mean=41.5, threshold_sd=1.0, slope=1.0, max_rate=20.0)
    return responses.HeatResponse(**{**args, **kw})


@pytest.mark.parametrize("make, name", [
    (lambda: _heat(fraction=NAN), "fraction"),
    (lambda: _heat(fraction=1.5), "fraction"),
    (lambda: _heat(fraction=-0.1), "fraction"),
    (lambda: _heat(fraction="0.5"), "fraction"),
    (lambda: _heat(threshold_sd=0.0), "threshold_sd"),
    (lambda: _heat(threshold_sd=-1.0), "threshold_sd"),
    (lambda: _heat(threshold_sd=NAN), "threshold_sd"),
    (lambda: responses.ForceResponse("x", 0.05, 0.0, 1.0, 5.0), "threshold_log_sd"),
    (lambda: responses.ForceResponse("x", 0.05, -0.4, 1.0, 5.0), "threshold_log_sd"),
    (lambda: responses.BrushResponse("x", 40.0, 0.03, 0.5, 0.0, 100.0), "gain_log_sd"),
    (lambda: responses.BrushResponse("x", 40.0, 0.03, 0.5, -0.3, 100.0), "gain_log_sd"),
])
def test_responses_refuse_a_bad_share_or_spread(make, name):
    """A share of a class that is NaN or outside [0, 1], and a standard deviation of the thresholds
    (or gains) that is not > 0, are refused when the response is built (all were kept)."""
    _refused(make, name)


def test_published_responses_and_edge_shares_are_accepted():
    """Negative control: every published response builds again unchanged, and a share of 0 or 1 of a
    class is accepted."""
    for table in (responses.HEAT_RESPONSE, responses.COLD_RESPONSE):
        for subtypes in table.values():
            for s in subtypes:
                assert dataclasses.replace(s) == s
    for r in (*responses.FORCE_RESPONSE.values(), *responses.BRUSH_RESPONSE.values()):
        assert dataclasses.replace(r) == r
    assert _heat(fraction=0.0).fraction == 0.0 and _heat(fraction=1).fraction == 1


# ------------------------------------------------------------------ class_threshold
@pytest.fixture(scope="module")
def abeta_only():
    return FiberPopulation.sample({"Abeta": 3}, geometry="peripheral_nerve", seed=1)


def test_class_threshold_names_its_argument(abeta_only):
    """A class absent from the population is refused naming ``cls``, the argument of class_threshold
    (it was named ``threshold_class``); an unknown class stays an UnknownKeyError."""
    _refused(lambda: biophysical.class_threshold(abeta_only, "C", 100e-6), "cls")
    with pytest.raises(UnknownKeyError):
        biophysical.class_threshold(abeta_only, "Cx", 100e-6)


def test_amplitude_scale_still_names_the_waveform_s_threshold_class(abeta_only):
    """A waveform whose ``threshold_class`` is absent from the population is refused naming
    ``threshold_class``, its own field, as before; negative control: a present class gives a
    threshold current > 0 A, the median of the class's thresholds."""
    wf = tonic("10 Hz", "100 us", 1.5, "0.3 s", target="peripheral_nerve", threshold_class="C")
    _refused(lambda: biophysical.amplitude_scale(wf, abeta_only, 2e-6, None), "threshold_class")
    ok = tonic("10 Hz", "100 us", 1.5, "0.3 s", target="peripheral_nerve", threshold_class="Abeta")
    ref = biophysical.amplitude_scale(ok, abeta_only, 2e-6, None)
    assert ref > 0
    assert ref == biophysical.class_threshold(abeta_only, "Abeta", ok.widths[0], shape=ok.shape, dt=2e-6)


# ------------------------------------------------------------------ stimulus windows
@pytest.mark.parametrize("make", [
    lambda: encoding.heat(47, start="1 s", stop="1 s"),
    lambda: encoding.cold(5, start="1 s", stop="1 s"),
    lambda: encoding.heat(47, stop="0 s"),
    lambda: natural(0.5, start="1 s", stop="1 s"),
    lambda: natural(0.5, stop="0 s"),
    lambda: natural(0.5, start="2 s", stop="1 s"),
])
def test_a_zero_length_window_is_refused(make):
    """A stimulus that stops when it starts (it never acts) is refused naming ``stop``."""
    _refused(make, "stop")


def test_windows_with_a_length_are_accepted():
    """Negative control: a stop after the start is kept, for heat and for the intensity shorthand."""
    h = encoding.heat(47, start="1 s", stop="1.5 s")
    assert (h.start, h.stop) == (1.0, 1.5)
    n = natural(0.5, start="1 s", stop="1.5 s")
    assert (n.start, n.stop) == (1.0, 1.5)


@pytest.mark.parametrize("duration", [NAN, INF, 0.0, -1.0])
def test_window_refuses_a_run_length_that_is_no_time(duration):
    """``PhysicalStimulus.window`` refuses a NaN, infinite or non-positive run length (NaN was
    returned as the stop)."""
    _refused(lambda: encoding.heat(47, stop="2 s").window(duration), "duration")


def test_window_clips_the_stop_to_the_run():
    """Negative control: the stop is clipped to the run's length, and a stimulus without a stop lasts
    the run."""
    h = encoding.heat(47, start="0.5 s", stop="2 s")
    assert h.window(1.0) == (0.5, 1.0)
    assert h.window(5.0) == (0.5, 2.0)
    assert encoding.heat(47).window(3.0) == (0.0, 3.0)


# ------------------------------------------------------------------ T-junction warm-up
def test_transmit_refuses_a_warmup_of_too_many_periods():
    """A warm-up of more than MAX_WARMUP_REPEATS periods is refused before any copy (1e9 copies ran
    out of memory), and an infinite period is refused (it gave NaN times)."""
    e = _refused(lambda: tjunction.transmit([0.1], [0], [0], [0.01], C, warmup=1e3, period=1e-6),
                 "afferents.tjunction.warmup")
    assert str(tjunction.MAX_WARMUP_REPEATS) in str(e)
    _refused(lambda: tjunction.transmit([0.1], [0], [0], [0.01], C, warmup=1.0, period=INF), "period")


def test_transmit_accepts_the_largest_warmup_and_it_is_a_steady_state():
    """Negative control: exactly MAX_WARMUP_REPEATS periods are accepted, and a slow train that passes
    a rested junction still passes after that warm-up."""
    t = tjunction.regular_train(1.0, 2)
    period = 2.0
    warm = tjunction.MAX_WARMUP_REPEATS * period
    zeros = np.zeros(2, np.int64)
    rested, _ = tjunction.transmit(t, zeros, zeros, [0.01], C)
    warmed, _ = tjunction.transmit(t, zeros, zeros, [0.01], C, warmup=warm, period=period)
    assert rested.all() and warmed.all()


# ------------------------------------------------------------------ collision and arrivals
DC = {"conduction_distance": 0.3, "dorsal_column_distance": 0.03}
V = np.array([1.0, 2.0])


@pytest.mark.parametrize("call, name", [
    (lambda: collision.lead_arrivals([0.1], [0], [0.2], [1], V, DC, "dorsal_column", -1e-3), "dead"),
    (lambda: collision.lead_arrivals([0.1], [0], [0.2], [1], V, DC, "dorsal_column", NAN), "dead"),
    (lambda: collision.lead_arrivals([0.1], [0], [0.2], [1], [0.0, 2.0], DC, "dorsal_column", 1e-3), "velocity"),
    (lambda: collision.lead_arrivals([0.1], [0], [0.2], [1], [1.0, -2.0], DC, "dorsal_column", 1e-3), "velocity"),
    (lambda: collision.lead_arrivals([0.1], [2], [0.2], [1], V, DC, "dorsal_column", 1e-3), "ids"),
    (lambda: collision.lead_arrivals([0.1], [-1], [0.2], [1], V, DC, "dorsal_column", 1e-3), "ids"),
    (lambda: collision.lead_arrivals([0.1], [0], [0.2], [5], V, DC, "dorsal_column", 1e-3), "lead_i"),
    (lambda: collision.lead_arrivals([0.1, 0.2], [0], [0.2], [1], V, DC, "dorsal_column", 1e-3), "origin/ids"),
    (lambda: collision.lead_arrivals([NAN], [0], [0.2], [1], V, DC, "dorsal_column", 1e-3), "origin"),
    (lambda: collision.collide([0, 0], [0.1], [0.2], [], [], [], [1.0]), "n_fiber/n_start/n_entry"),
    (lambda: collision.collide([0], [0.1], [0.2], [0], [0.1, 0.2], [0.3], [1.0]), "a_fiber/a_start/a_entry"),
])
def test_collision_refuses_bad_spikes_velocities_and_dead_time(call, name):
    """A negative dead time, a velocity that is not > 0 (infinite times), a fiber index out of range
    (bare IndexError), spike arrays of different shapes (bare ValueError) and a NaN time are refused."""
    _refused(call, name)


def test_lead_arrivals_of_valid_spikes_arrive_at_their_conduction_times():
    """Negative control: with collisions off every impulse arrives, each at its start plus its
    conduction time to the entry; with them on, the arrivals are a subset of those."""
    origin, ids, lead_t, lead_i = np.array([0.1, 0.5]), np.array([0, 1]), np.array([0.3]), np.array([1])
    t, f = collision.lead_arrivals(origin, ids, lead_t, lead_i, V, dict(DC, antidromic_collision=False),
                                   "dorsal_column", 0.0)
    np.testing.assert_allclose(t, np.concatenate([origin + 0.3 / V[ids], lead_t + 0.03 / V[lead_i]]))
    assert list(f) == [0, 1, 1]
    t_on, f_on = collision.lead_arrivals(origin, ids, lead_t, lead_i, V, DC, "dorsal_column", 1e-3)
    assert set(zip(np.round(t_on, 12), f_on)) <= set(zip(np.round(t, 12), f))


DRG = {"conduction_distance": 0.3}


@pytest.mark.parametrize("call, name", [
    (lambda: tjunction.drg_arrivals([0.1], [3], [], [], "C", V, DRG, 1.0), "ids"),
    (lambda: tjunction.drg_arrivals([0.1], [0], [0.2], [2], "C", V, DRG, 1.0), "stem_i"),
    (lambda: tjunction.drg_arrivals([0.1], [0], [0.2, 0.3], [1], "C", V, DRG, 1.0), "stem_t/stem_i"),
    (lambda: tjunction.drg_arrivals([0.1], [0], [], [], "C", [0.0, 1.0], DRG, 1.0), "velocity"),
])
def test_drg_arrivals_refuse_bad_spikes_and_velocities(call, name):
    """A fiber index out of range (bare IndexError), spike arrays of different shapes and a zero
    velocity are refused before the junction runs."""
    _refused(call, name)


def test_drg_arrivals_of_a_slow_train_arrive_whole():
    """Negative control: one spike a second in each of two fibres, far below the C junction's block
    rate, passes the junction and arrives at its start plus the full conduction time."""
    assert C.block_rate > 1.0
    origin, ids = np.array([0.1, 0.2]), np.array([0, 1])
    t, f = tjunction.drg_arrivals(origin, ids, [], [], "C", V, DRG, 1.0)
    np.testing.assert_allclose(np.sort(t), np.sort(origin + 0.3 / V[ids]))
    assert sorted(f) == [0, 1]


@pytest.mark.parametrize("warmup, period, name", [("1", 0.5, "afferents.tjunction.warmup"),
                                                  (True, 0.5, "afferents.tjunction.warmup"),
                                                  (1.0, "0.5", "period"), (1.0, True, "period")])
def test_transmit_refuses_text_and_booleans_as_warmup_or_period(warmup, period, name):
    """A warm-up or window length given as text or a boolean is refused by name (text was a bare
    TypeError from math.isfinite, True read as 1 s)."""
    _refused(lambda: tjunction.transmit([0.1], [0], [0], [0.01], C, warmup=warmup, period=period), name)
