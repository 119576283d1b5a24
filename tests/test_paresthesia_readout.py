"""The paresthesia readout (painsim.readouts.paresthesia): synchronous volleys beyond chance.

Properties, each with its tolerance derived from the readout's definition (volleys of
``>= k = ceil(fraction n)`` distinct neurons within ``window``, greedy; minus the volleys
of an asynchronous background whose rates leave as many spikes outside volleys as the
data leave; floored at 0):

* a strictly periodic, fully recruited train reads its pulse rate *exactly*: no spike lies
  outside a volley (or those outside cannot make a volley), so the background makes no
  volley.  Regression: the phases of the DCN of ``healthy`` reduced to one site, 50 Hz SCS
  at 1.5x threshold, seed 2, which the former shift predictor read as 0 volleys/s;
* asynchronous firing at the same mean rate (independent Poisson neurons; neurons firing
  on random pulses of a 10 kHz grid) reads at most its observed volley rate, whose mean
  is bounded by the chance-volley bound below, i.e. far below the periodic train;
* periodic volleys on top of asynchronous firing read between the volley rate minus
  the background's chance bound and the observed volley rate;
* no spikes, or synchrony in fewer than ``k`` neurons, read exactly 0.

Chance bound: every counted volley starts at a spike whose window holds ``>= k - 1`` other
distinct neurons; for independent Poisson neurons (rates ``r_j``; a neuron fires in a
window with probability ``p_j = 1 - exp(-r_j w)``) the expected number of such spikes per
second is ``B = sum_j r_j P(>= k - 1 of the others fire)``, a bound on the mean chance
volley rate.  One small network check closes the file.
"""
import itertools

import numpy as np
import pytest
from brian2 import Hz, second, us

import painsim as ps
from painsim.errors import ParameterError

paresthesia = ps.readouts.paresthesia

N, WINDOW, FRACTION = 10, 2e-3, 0.5      # the model's DCN per site and readout values
K = 5                                    # ceil(0.5 * 10)
START, STOP = 0.3, 2.3                   # 2 s counted, as after readout.transient
SPAN = STOP - START


def chance_bound(rates, k=K, window=WINDOW):
    """Bound ``B`` (volleys/s) on the mean chance volley rate of independent Poisson neurons."""
    rates = np.asarray(rates, float)
    p = 1.0 - np.exp(-rates * window)
    total = 0.0
    for j, r in enumerate(rates):
        others = np.delete(p, j)
        dist = np.array([1.0])                      # Poisson-binomial distribution of the others
        for q in others:
            dist = np.append(dist * (1 - q), 0.0) + np.append(0.0, dist * q)
        total += r * dist[k - 1:].sum()
    return total


def periodic(rate, latencies, start=START, stop=STOP):
    """Strictly periodic train: neuron ``j`` fires at ``pulse + l`` for each of its latencies ``l``."""
    pulses = np.arange(0.0, stop, 1.0 / rate)
    t, i = [], []
    for j, lat in enumerate(latencies):
        for l in np.atleast_1d(lat):
            t.append(pulses + l)
            i.append(np.full(pulses.size, j))
    return np.concatenate(t), np.concatenate(i)


def pulses_in(rate, first_latency, start=START, stop=STOP):
    """Pulses whose volley starts inside ``[start, stop)``."""
    pulses = np.arange(0.0, stop, 1.0 / rate) + first_latency
    return int(np.sum((pulses >= start) & (pulses < stop)))


def poisson(rates, seed, start=START, stop=STOP):
    rng = np.random.default_rng(seed)
    t, i = [], []
    for j, r in enumerate(rates):
        m = rng.poisson(r * (stop - start))
        t.append(rng.uniform(start, stop, m))
        i.append(np.full(m, j))
    return np.concatenate(t), np.concatenate(i)


def khz_grid(rate, seed, carrier=10e3, start=START, stop=STOP):
    """Asynchronous firing driven by a 10 kHz carrier: each neuron fires on a random,
    independent subset of the carrier's pulses (probability ``rate / carrier`` each)."""
    rng = np.random.default_rng(seed)
    grid = np.arange(start, stop, 1.0 / carrier)
    fire = rng.random((N, grid.size)) < rate / carrier
    i, idx = np.nonzero(fire)
    return grid[idx], i


# the DCN phases (ms after each 50 Hz pulse) of healthy reduced to one site, 1.5x threshold,
# seed 2 (the colleague's case): every neuron locked, half of them with a second spike
SEED2_PHASES_MS = [[2.7, 8.8], [3.7], [4.8, 13.2], [3.9, 12.1], [4.6, 13.0], [3.3], [7.0], [3.7],
                   [3.3, 10.1], [9.5]]


# ------------------------------------------------------------------ periodic, fully recruited
@pytest.mark.parametrize("rate", [20.0, 50.0, 100.0, 200.0])
@pytest.mark.parametrize("spread", [0.0, 0.5e-3, 1.5e-3])
def test_periodic_fully_recruited_train_reads_its_pulse_rate_exactly(rate, spread):
    """Every neuron fires once per pulse within ``spread`` < window: every spike is in a
    volley, the background is 0, so the readout is the volley count / span exactly."""
    latencies = 1e-3 + spread * np.linspace(0.0, 1.0, N)[::-1]   # any order of arrival
    t, i = periodic(rate, latencies)
    expected = pulses_in(rate, latencies.min()) / SPAN
    assert paresthesia(t, i, N, START, STOP, WINDOW, FRACTION) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("rate", [50.0, 100.0])
def test_second_spikes_of_fewer_than_k_neurons_do_not_lower_the_readout(rate):
    """Doublets (a second spike 4 ms later) in k - 1 neurons: those spikes lie outside volleys
    but k - 1 neurons cannot make a volley, so chance is 0 and the readout exact."""
    lat = [[1e-3, 5e-3] if j < K - 1 else 1e-3 for j in range(N)]
    t, i = periodic(rate, lat)
    assert paresthesia(t, i, N, START, STOP, WINDOW, FRACTION) == pytest.approx(pulses_in(rate, 1e-3) / SPAN,
                                                                                 abs=1e-12)


def test_regression_periodic_dcn_train_of_seed_2_is_not_read_as_zero():
    """The colleague's case, strictly periodic: one volley per pulse (neurons 0-5, 7, 8 at
    2.7-4.8 ms); the later spikes (7 neurons, 50 Hz each) can make chance volleys at most
    at the bound of 7 independent 50 Hz neurons, so the readout is within that of 50 Hz."""
    t, i = periodic(50.0, [np.array(p) * 1e-3 for p in SEED2_PHASES_MS])
    volleys = pulses_in(50.0, 2.7e-3) / SPAN
    bound = chance_bound([50.0] * 7)
    value = paresthesia(t, i, N, START, STOP, WINDOW, FRACTION)
    assert volleys - 3 * bound <= value <= volleys
    assert bound < 1.0                                            # i.e. within 3 volleys/s of 50


def test_periodic_train_reads_the_same_for_any_counting_window():
    """A shift predictor's periodic surrogates depended on the span (the shifts modulo the
    period); the background null does not."""
    t, i = periodic(50.0, [np.array(p) * 1e-3 for p in SEED2_PHASES_MS], stop=3.0)
    bound = chance_bound([50.0] * 7)
    for stop in (0.8, 1.0, 1.3, 2.0, 2.7):
        volleys = pulses_in(50.0, 2.7e-3, stop=stop) / (stop - START)
        assert volleys - 3 * bound <= paresthesia(t, i, N, START, stop, WINDOW, FRACTION) <= volleys


# ------------------------------------------------------------------ asynchronous, same mean rate
@pytest.mark.parametrize("make", [poisson, khz_grid], ids=["poisson", "10khz_grid"])
@pytest.mark.parametrize("rate", [50.0, 75.0])
def test_asynchronous_firing_at_the_same_rate_reads_far_less(make, rate):
    """Per seed the readout is at most the observed volley rate, whose mean is at most ``B``;
    allow 4 standard deviations of a Poisson count of mean ``B * span``.  Over seeds, the
    mean readout is at most ``B`` (it subtracts chance from the observed rate)."""
    bound = chance_bound([rate] * N)
    per_seed = (bound * SPAN + 4 * np.sqrt(bound * SPAN) + 1) / SPAN
    sync = paresthesia(*periodic(rate, np.full(N, 1e-3)), N, START, STOP, WINDOW, FRACTION)
    values = []
    for seed in range(10):
        t, i = make([rate] * N, seed) if make is poisson else make(rate, seed)
        values.append(paresthesia(t, i, N, START, STOP, WINDOW, FRACTION))
    assert max(values) <= per_seed
    assert np.mean(values) <= bound
    assert np.mean(values) < 0.1 * sync                          # periodic reads the pulse rate
    assert per_seed < 0.5 * rate                                  # the tolerance is meaningful


def test_the_same_spikes_desynchronized_read_far_less():
    """The spikes of the periodic seed-2 train, each moved to a uniform random time: same
    counts, no synchrony; bound from the neurons' rates."""
    t, i = periodic(50.0, [np.array(p) * 1e-3 for p in SEED2_PHASES_MS])
    keep = (t >= START) & (t < STOP)
    t, i = t[keep], i[keep]
    rates = np.bincount(i, minlength=N) / SPAN
    bound = chance_bound(rates)
    sync = paresthesia(t, i, N, START, STOP, WINDOW, FRACTION)
    values = [paresthesia(np.random.default_rng(s).uniform(START, STOP, t.size), i, N, START, STOP, WINDOW,
                          FRACTION) for s in range(10)]
    assert max(values) <= (bound * SPAN + 4 * np.sqrt(bound * SPAN) + 1) / SPAN
    assert np.mean(values) <= bound
    assert np.mean(values) < 0.1 * sync


# ------------------------------------------------------------------ mixture, zero, limits
@pytest.mark.parametrize("background", [10.0, 25.0])
def test_periodic_volleys_on_asynchronous_background(background):
    """The readout is at most the observed volley rate and at least the volley rate minus
    the background's chance bound (4 SD)."""
    ts, is_ = periodic(50.0, 1e-3 + 1e-3 * np.linspace(0, 1, N))
    bound = chance_bound([background] * N)
    for seed in range(5):
        tb, ib = poisson([background] * N, seed)
        t, i = np.concatenate([ts, tb]), np.concatenate([is_, ib])
        observed = paresthesia(t, i, N, START, STOP, WINDOW, FRACTION, n_surrogates=0)
        value = paresthesia(t, i, N, START, STOP, WINDOW, FRACTION)
        low = pulses_in(50.0, 1e-3) / SPAN - (bound * SPAN + 4 * np.sqrt(bound * SPAN) + 1) / SPAN
        assert low <= value <= observed


def test_zero_input_and_subcriterion_synchrony_read_zero():
    assert paresthesia([], [], N, START, STOP, WINDOW, FRACTION) == 0.0
    assert paresthesia(np.array([]), np.array([], int), 0, START, STOP, WINDOW, FRACTION) == 0.0
    t, i = periodic(50.0, np.full(K - 1, 1e-3))               # k - 1 neurons in perfect synchrony
    assert paresthesia(t, i, N, START, STOP, WINDOW, FRACTION) == 0.0
    t, i = periodic(50.0, np.full(N, 1e-3))
    assert paresthesia(t, i, N, STOP, STOP, WINDOW, FRACTION) == 0.0      # empty counting window
    assert paresthesia(t, i, N, 5.0, 6.0, WINDOW, FRACTION) == 0.0        # no spikes in it


def test_deterministic_and_argument_checks():
    t, i = poisson([75.0] * N, 3)
    assert paresthesia(t, i, N, START, STOP, WINDOW, FRACTION) == paresthesia(t, i, N, START, STOP, WINDOW,
                                                                              FRACTION)
    for window, fraction in itertools.product([0.0, -1e-3], [FRACTION]):
        with pytest.raises(ParameterError):
            paresthesia(t, i, N, START, STOP, window, fraction)
    for fraction in (0.0, 1.5):
        with pytest.raises(ParameterError):
            paresthesia(t, i, N, START, STOP, WINDOW, fraction)


# ------------------------------------------------------------------ one small network
@pytest.fixture(scope="module")
def network():
    """The colleague's case: healthy pathway reduced to one site, 50 Hz SCS at 1.5x the Aβ
    threshold (fraction recruitment: every Aβ fibre on every pulse), seed 2; and no SCS."""
    model = ps.load_model("healthy").with_params({"body.n_sites": 1, "body.painful_site": 0})
    duration = 0.8 * second
    scs = ps.stimulation.tonic(rate=50 * Hz, width=200 * us, amplitude=1.5, duration=duration)
    reqs = [ps.Request(model, scs, {0: 0.5}, 0.0, 2, label="scs"), ps.Request(model, None, {0: 0.5}, 0.0, 2,
                                                                                label="none")]
    return model, {q.label: r for q, r in zip(reqs, ps.simulate_batch(reqs, duration))}


def test_network_locked_dcn_read_as_paresthesia(network):
    """Every pulse after the transient gives a volley; chance cannot exceed the bound of
    independent neurons at the DCN rates (3 x, generous for one short window)."""
    model, runs = network
    t0, stop = model.si("readout.transient"), 0.8
    t, i, n = ps.readouts.population_spikes(runs["scs"], "DCN", sort=True)
    assert float(runs["scs"]["dcn_rate"]) > 50.0                   # DCN locked, 1-2 spikes per pulse
    observed = paresthesia(t, i, n, t0, stop, WINDOW, FRACTION, n_surrogates=0)
    value = float(runs["scs"]["paresthesia"])
    bound = chance_bound(np.bincount(i[t >= t0], minlength=n) / (stop - t0))
    assert observed >= 50.0 - 1.0 / (stop - t0)                    # at least one volley per pulse
    assert 50.0 - 3 * bound - 1.0 / (stop - t0) <= value <= observed
    assert float(runs["none"]["paresthesia"]) == 0.0 and float(runs["none"]["dcn_rate"]) == 0.0
