"""GABA_B receptors of the dorsal horn (painsim/circuits/dorsal_horn.py, ``[dorsal_horn.gabab]``).

The receptors are in the model with their GABA supply off by default
(``dorsal_horn.gabab.release = 0``, see the model file and docs/circuits.md for why).
Properties, each with its negative control:

* off by default: the default circuit equals the circuit with GABA_B blocked, spike
  for spike (while with GABA supplied, blocking GABA_B changes the output);
* with GABA supplied, Aβ-strength 50 Hz stimulation engages GABA_B: blocking it raises the
  C-carried response to 47 °C heat during stimulation (the route by which SCS relieves
  allodynic rats, Cui et al. 1996 Pain 66:287, 1997 Pain 73:87), while heat alone (no Aβ
  input, silent interneurons) engages nothing.
"""
import numpy as np
import pytest
from brian2 import Hz, second, us

import painsim as ps
from painsim.fibers import heat
from batches import exceeds, simulate_by_label

SEEDS = (1, 2)
DURATION = 1.0 * second
SUPPLIED = {"dorsal_horn.gabab.release": 0.02}   # the value measured in docs/circuits.md
GABAB_BLOCK = {"dorsal_horn.pharmacology.gabab_block": 1.0}


@pytest.fixture(scope="module")
def runs():
    m = ps.load_model("gate_control")
    scs = ps.stimulation.tonic(50 * Hz, 200 * us, 1.5, DURATION)
    cases = {
        "default": m, "default_blocked": m.with_params(GABAB_BLOCK),
        "supplied": m.with_params(SUPPLIED), "supplied_blocked": m.with_params({**SUPPLIED, **GABAB_BLOCK}),
    }
    reqs = [ps.Request(mm, st, heat(47), seed=s, label=f"{name}|{'scs' if st else 'none'}")
            for name, mm in cases.items() for st in (None, scs) for s in SEEDS]
    return simulate_by_label(reqs, DURATION)


def _pn_spikes(results):
    return np.array([ps.readouts.population_spikes(r, "PN")[0].size for r in results])


def test_gabab_is_off_by_default(runs):
    for stim in ("none", "scs"):
        assert np.array_equal(_pn_spikes(runs[f"default|{stim}"]), _pn_spikes(runs[f"default_blocked|{stim}"]))
    # negative control: with GABA supplied, the same block changes the output under stimulation
    assert not np.array_equal(_pn_spikes(runs["supplied|scs"]), _pn_spikes(runs["supplied_blocked|scs"]))


def test_heat_alone_does_not_engage_gabab(runs):
    # the interneurons are driven by Aβ input only: without stimulation GABA_B receives nothing
    assert np.array_equal(_pn_spikes(runs["supplied|none"]), _pn_spikes(runs["default|none"]))


def test_gabab_adds_inhibition_under_stimulation(runs):
    intact, blocked = _pn_spikes(runs["supplied|scs"]).sum(), _pn_spikes(runs["supplied_blocked|scs"]).sum()
    # the bound can be met at all: even abolition (intact 0) needs blocked > 3 sqrt(blocked), i.e. > 9
    assert exceeds(blocked, 0), blocked
    # blocking GABA_B raises the response beyond counting noise (pooled over seeds; how much of it
    # GABA_B removes, part or all, is not asserted).  The two circuits share their afferent spikes, so
    # they vary less than independent Poisson counts: the bound (tests/batches.exceeds) is a wide one
    assert exceeds(blocked, intact), (intact, blocked)
    # negative control: without GABA supplied (release 0, the default) the block changes nothing
    # beyond the same bound
    off, off_blocked = _pn_spikes(runs["default|scs"]).sum(), _pn_spikes(runs["default_blocked|scs"]).sum()
    assert not exceeds(off_blocked, off) and not exceeds(off, off_blocked), (off, off_blocked)
