"""Readouts as a neuroscientist checks them (a review, 2026-12-06): rate bins are half-open like
every other counting window, a result's length read from its bins is its length, a NaN map is
refused instead of erasing a territory, and the PSTH's edge at the pulse is exactly 0."""
import numpy as np
import pytest
import xarray as xr

from painsim import readouts
from painsim.analysis import PSTH_EDGES, result_duration
from painsim.errors import ParameterError


def test_a_spike_at_the_end_of_the_run_is_outside_it():
    """Was: np.histogram closes its last bin, so a spike at t == duration counted (rate 2 Hz in a
    0.5 s bin that holds no spike of [0, 1))."""
    _, rates = readouts.binned_rate(np.array([1.0]), 1, 1.0, 0.5)
    assert list(rates) == [0.0, 0.0]
    _, rates = readouts.binned_rate(np.array([0.999]), 1, 1.0, 0.5)  # the control: inside the run
    assert list(rates) == [0.0, 2.0]


@pytest.mark.parametrize("duration, bin", [(1.0, 0.1), (2.0, 0.25), (1.5, 0.5)])
def test_the_duration_read_from_rate_bins_is_the_run_length(duration, bin):
    """Was: the last bin's centre plus a whole bin (1.05 s for a 1 s run in 0.1 s bins)."""
    centres, rates = readouts.binned_rate(np.array([0.05]), 1, duration, bin)
    ds = xr.Dataset({"rate": ("time", rates)}, coords={"time": centres})
    assert result_duration(ds) == pytest.approx(duration)
    assert result_duration(ds.assign_attrs(duration_s=duration / 2)) == duration / 2  # the attribute first


def test_a_nan_site_map_is_refused_not_given_the_territory():
    """Was: argmax picked the NaN map's site, and a site at 50 Hz lost its territory (labels -1)."""
    maps = np.zeros((2, 1, 1))
    maps[1, 0, 0] = 50.0
    assert readouts.site_territories(maps, 10.0).tolist() == [[1]]  # the control
    maps[0, 0, 0] = np.nan
    with pytest.raises(ParameterError, match="site_maps"):
        readouts.site_territories(maps, 10.0)
    with pytest.raises(ParameterError, match="site_maps"):
        readouts.site_areas(maps, 10.0, 1e-3)


def test_the_psth_edge_at_the_pulse_is_exactly_zero():
    assert 0.0 in PSTH_EDGES.tolist()
    assert np.digitize([0.0], PSTH_EDGES)[0] - 1 == PSTH_EDGES.tolist().index(0.0)  # lag 0 in the bin after 0
    assert PSTH_EDGES[0] == pytest.approx(-0.020) and PSTH_EDGES[-1] == pytest.approx(0.040)


def _abeta_dataset(trains, duration=1.0, n_fibers=20):
    """A result scs_metrics reads: per condition (each with a 50 Hz SCS device) the Aβ spike
    times and fibers ``trains[c] = (t, i)``."""
    import json

    from painsim.anatomy import FIBER_CLASSES
    pops = list(FIBER_CLASSES) + ["PN"]
    stimulus = {"type": "tonic", "rate": "50 Hz", "width": "300 us", "amplitude": "2.5 mA",
                "duration": f"{duration} s"}
    conds = [{"label": f"c{c}", "stimulus": stimulus} for c in range(len(trains))]
    t = np.concatenate([tr[0] for tr in trains])
    i = np.concatenate([tr[1] for tr in trains])
    cond = np.concatenate([np.full(tr[0].size, c) for c, tr in enumerate(trains)])
    n = len(trains)
    return xr.Dataset(
        {"population_size": (("condition", "population"), np.full((n, len(pops)), n_fibers)),
         "spike_time": (("spike",), t), "spike_neuron": (("spike",), i.astype(np.int32)),
         "spike_population": (("spike",), np.full(t.size, pops.index("Abeta"), np.int8),
                              {"flag_meanings": " ".join(pops)}),
         "spike_condition": (("spike",), cond), "seed": (("condition",), np.ones(n, int)),
         "pn_rate": (("condition",), np.zeros(n)), "pain": (("condition",), np.zeros(n)),
         "gate_index": (("condition",), np.zeros(n))},
        coords={"condition": [c["label"] for c in conds], "population": pops},
        attrs={"duration_s": duration, "experiment_spec": json.dumps(
            {"experiment": {"name": "abeta", "model": "neuropathic"}, "condition": conds})})


def test_scs_volleys_beyond_chance_keep_locked_volleys_and_drop_chance_ones():
    """Was: volley_rate counted every group of >= k fibres within 1 ms, and 20 fibres firing
    independently at 600 Hz (asynchronous, as under 10 kHz SCS) gave hundreds of 'volleys' per
    second.  The chance-corrected rate keeps the 50 Hz volleys of fibres locked to the pulses
    (all fibres at each pulse: no spike outside a volley, so chance is 0 and the rate exact) and
    reads the asynchronous fibres as NaN (chance holds most spikes) or at most their noise."""
    from painsim.analysis import scs_metrics
    pulses = np.arange(0.0, 1.0, 0.02) + 1e-3
    locked = (np.repeat(pulses, 20), np.tile(np.arange(20), pulses.size))
    rng = np.random.default_rng(2)
    counts = rng.poisson(600.0, 20)
    independent = (np.concatenate([rng.uniform(0, 1.0, m) for m in counts]),
                   np.repeat(np.arange(20), counts))
    m = scs_metrics(_abeta_dataset([locked, independent]))
    assert float(m["volley_rate_beyond_chance"][0]) == pytest.approx(50.0, abs=1e-9)
    raw, beyond = float(m["volley_rate"][1]), float(m["volley_rate_beyond_chance"][1])
    assert raw > 100                                   # the uncorrected count: chance coincidences
    assert np.isnan(beyond) or beyond <= 4 * np.sqrt(raw * (1 + 1 / 16))  # noise of that count, 1 s
