"""The neuropathic phenotype read per projection neuron, as lamina I recordings read it.

Andrew 2009 (J Physiol 587:2005) found the heat thresholds of lamina I projection neurons
lowered after a nerve injury (heat hyperalgesia at the spinal output); Keller et al. 2007
(Mol Pain 3:27) found most of them responding to brush and touch after a nerve injury, where
most were nociceptive-specific before (allodynia at the spinal output).  The validation table
compares the presets with their numbers (``pn_heat_threshold_*``, ``pn_share_innocuous_*``);
these tests check the properties with their mechanisms removed as negative controls:

* hyperalgesia: the neuropathic circuit's neurons start responding at a lower temperature, and
  without its C-synapse sensitization and ectopic C input the thresholds are the healthy ones;
* allodynia: more of its nociceptive neurons respond to brush, and without the disinhibition
  the share is the healthy one.

Small settings (2 circuits, 1 °C steps 42-50 °C); the one-site spinal models
``gate_control`` (healthy) and ``neuropathic`` carry the same spinal parameters as the pathway
presets the table reads.
"""
import numpy as np
import pytest

import painsim as ps
from painsim.validation.measurements import DRIVEN_MIN_SPIKES
from painsim.validation.phenotype import (heat_thresholds, innocuous_share, single_neuron_counts,
                                          single_neuron_counts_of)

TEMPERATURES = tuple(float(t) for t in range(42, 51))
SEEDS = (1, 2)
#: The thresholds' resolution: a shift smaller than one step cannot be told from none.
STEP = 1.0
#: Two neurons of the 20 pooled (2 circuits x 10 PN): the share's resolution, doubled.
SHARE_TOLERANCE = 2 / 20
#: A clear rise of the share: two standard errors of the difference of two shares of 20 neurons
#: near 0.4, 2 * sqrt(2 * 0.4 * 0.6 / 20) = 0.31.
CLEAR_RISE = 0.3


@pytest.fixture(scope="module")
def neurons():
    neuropathic = ps.load_model("neuropathic")
    models = {
        "healthy": ps.load_model("gate_control"),
        "neuropathic": neuropathic,
        # each mechanism removed in turn (the negative controls)
        "no_sensitization_no_ectopia": neuropathic.with_params({"pathology.sensitization": 1.0,
                                                                "pathology.ectopic_fraction": 0.0}),
        "no_disinhibition": neuropathic.with_params({"pathology.disinhibition": 0.0}),
        "sensitization_only": neuropathic.with_params({"pathology.disinhibition": 0.0,
                                                       "pathology.ectopic_fraction": 0.0}),
    }
    out = {}
    # every circuit in one batch (one network per structure: the per-step cost of these small
    # networks, not their size, sets the run time)
    points = len(models) * (len(TEMPERATURES) + 2) * len(SEEDS)   # rest, brush and each temperature
    counts = single_neuron_counts_of(models, SEEDS, TEMPERATURES, batch_size=points)
    for name, (heat_counts, brush_counts) in counts.items():
        out[name] = dict(threshold=heat_thresholds(heat_counts, TEMPERATURES), heat=heat_counts,
                         share=innocuous_share(heat_counts, brush_counts))
    return out


def test_the_readout_counts_evoked_spikes_per_neuron(neurons):
    heat = neurons["healthy"]["heat"]
    assert heat.shape == (len(TEMPERATURES), 10 * len(SEEDS))
    # every projection neuron of the healthy circuit is nociceptive (responds to 50 °C)
    assert np.all(heat[-1] >= DRIVEN_MIN_SPIKES)
    # the population's evoked spikes rise with the temperature
    assert np.all(np.diff(heat.sum(axis=1)) >= 0)


def test_thresholds_and_share_follow_their_definitions():
    temps = (43.0, 44.0, 45.0)
    counts = np.array([[0, 9, 0, 0], [5, 0, 1, 0], [9, 9, 9, 4]])
    th = heat_thresholds(counts, temps)
    assert th[0] == 44.0 and th[1] == 43.0 and th[2] == 45.0 and np.isnan(th[3])
    # nociceptive: responding to the hottest step (neurons 0-2); of those, 0 and 2 respond to brush
    assert innocuous_share(counts, np.array([5, 4, 6, 50])) == pytest.approx(2 / 3)
    assert np.isnan(innocuous_share(np.zeros((3, 4)), np.zeros(4)))


def test_heat_hyperalgesia_at_single_neurons_needs_sensitization_or_ectopic_input(neurons):
    healthy = np.nanmean(neurons["healthy"]["threshold"])
    assert np.nanmean(neurons["neuropathic"]["threshold"]) <= healthy - STEP
    # sensitization of the C synapses alone lowers the thresholds
    assert np.nanmean(neurons["sensitization_only"]["threshold"]) <= healthy - STEP
    # negative control: without sensitization and ectopic input the shift is gone
    assert abs(np.nanmean(neurons["no_sensitization_no_ectopia"]["threshold"]) - healthy) < STEP


def test_allodynia_at_single_neurons_needs_the_disinhibition(neurons):
    healthy = neurons["healthy"]["share"]
    assert neurons["neuropathic"]["share"] >= healthy + CLEAR_RISE
    # negative control: with inhibition intact (sensitization and ectopia kept) brush recruits no more
    assert abs(neurons["no_disinhibition"]["share"] - healthy) <= SHARE_TOLERANCE


def test_the_readout_reads_the_painful_sites_neurons_of_a_pathway():
    """In a five-site pathway the heat is applied at the painful site and only its block of PN is read:
    every one of them responds to 50 °C (another site's block, unstimulated, would stay silent)."""
    m = ps.load_model("healthy")
    heat_counts, brush_counts = single_neuron_counts(m, (1,), (50.0,))
    n_per_site = int(m.si("dorsal_horn.populations.n_projection"))
    assert heat_counts.shape == (1, n_per_site) and brush_counts.shape == (n_per_site,)
    assert np.all(heat_counts[0] >= DRIVEN_MIN_SPIKES)
