"""Circuit wiring after a review (2026-12-06): relay neurons destroyed by a thalamic lesion get no
generator drive and no longer fire into the relay rate, and spinal GABA_A/glycine block silences
the PAG/RVM's descending GABA/glycine as it silences the local interneurons'."""
import numpy as np
import pytest

import painsim as ps
from painsim.circuits import cortex


def test_destroyed_relay_neurons_get_no_drive():
    """Was: pathology.thalamic_drive (2.4 nS, above the 2 nS threshold) reached the lesioned relay
    neurons too, which fired ~25 Hz into relay_rate although they have no synapse left."""
    stroke = ps.load_model("central_poststroke_ischemic")
    lesioned, painful = cortex._lesioned_relay(stroke), cortex._painful_relay(stroke)
    assert lesioned.size > 0
    tonic = cortex.tonic_drive(stroke, seed=1)["TC"]
    assert np.all(tonic[lesioned] == 0.0)
    survivors = np.setdiff1d(painful, lesioned)
    assert np.all(tonic[survivors] > stroke.si("cortex.thalamus.background"))  # the generator drives them
    healthy = ps.load_model("healthy")                     # the control: no lesion, nothing removed
    assert cortex._lesioned_relay(healthy).size == 0
    assert np.all(cortex.tonic_drive(healthy, seed=1)["TC"] == healthy.si("cortex.thalamus.background"))


def test_spinal_gaba_block_blocks_the_descending_gaba_glycine():
    """Was: gaba_block = 1 left the PAG/RVM -> PN GABA/glycine (Kato et al. 2006) untouched."""
    m = ps.load_model("healthy")
    blocked = m.with_params({"dorsal_horn.pharmacology.gaba_block": 1.0})
    half = m.with_params({"dorsal_horn.pharmacology.gaba_block": 0.5})
    w, wb, wh = (cortex.connection_weights(x)[0]["desc_pn"] for x in (m, blocked, half))
    assert w > 0 and wb == 0.0 and wh == pytest.approx(w / 2)
    other = ps.load_model("healthy").with_params({"dorsal_horn.pharmacology.opioid_block": 1.0})
    assert cortex.connection_weights(other)[0]["desc_pn"] == w   # the control: naloxone is not a GABA block
