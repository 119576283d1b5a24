"""brian2's two runtime targets give one circuit the same spikes.

The package runs on the numpy target by default (nothing to compile,
:func:`painsim.circuits.codegen.codegen_target`); the test suite runs on the Cython target
(``tests/conftest.py``: 1.5x faster over the suite).  Every other test therefore checks its
property on the Cython target; this one checks that the default target simulates the same
circuit, spike for spike, on the spinal gate, the neuropathic preset and the whole pathway
(every layer), with heat, brush and 50 Hz Aβ stimulation as drive.
Negative control: the same comparison sees a one-seed difference.
"""
import brian2
import numpy as np
import pytest

import painsim as ps
from painsim.fibers import brush, heat

DURATION = "0.4 s"  # short: the numpy target runs each step in Python


def _spikes(monkeypatch, target, reqs):
    monkeypatch.setenv("PAINSIM_TARGET", target)
    monkeypatch.setenv("PAINSIM_ENGINE", "runtime")  # brian2's runtime device, where the target applies
    out = [(r.spike_population.values, r.spike_neuron.values, r.spike_time.values)
           for r in ps.simulate_batch(reqs, DURATION)]
    assert brian2.prefs.codegen.target == target  # the networks were built for this target
    return out


def _same(a, b):
    return all(np.array_equal(x, y) for sa, sb in zip(a, b) for x, y in zip(sa, sb))


@pytest.mark.parametrize("model", ["gate_control", "neuropathic", "pain_pathway"])
def test_numpy_and_cython_targets_give_the_same_spikes(model, monkeypatch):
    m = ps.load_model(model)
    scs = ps.stimulation.tonic("50 Hz", "200 us", 1.5, DURATION)
    reqs = [ps.Request(m, None, heat(47), seed=1), ps.Request(m, scs, heat(47), brush(), seed=2)]
    numpy_, cython_ = _spikes(monkeypatch, "numpy", reqs), _spikes(monkeypatch, "cython", reqs)
    assert all(s[2].size > 20 for s in cython_)  # the circuits fired: something to compare
    assert _same(numpy_, cython_)
    other = [ps.Request(m, None, heat(47), seed=3), reqs[1]]  # negative control: another circuit
    assert not _same(_spikes(monkeypatch, "cython", other), cython_)


def test_code_objects_compile_without_debug_information():
    """painsim adds ``-g0`` to brian2's GCC flags (Python's CFLAGS carry ``-g``, ~40 % of the
    compile time of a code object; the spikes above are those of modules compiled so), and
    keeps a user's own debug flag or compiler-independent flags as they are."""
    from painsim.circuits.codegen import NO_DEBUG_INFO, _compile_without_debug_info, import_brian2
    key, generic = "codegen.cpp.extra_compile_args_gcc", "codegen.cpp.extra_compile_args"
    saved = brian2.prefs[key], brian2.prefs[generic]
    try:
        import_brian2()
        assert NO_DEBUG_INFO in brian2.prefs[key]
        brian2.prefs[key] = ["-w", "-O3"]
        _compile_without_debug_info(brian2.prefs)
        _compile_without_debug_info(brian2.prefs)            # once only
        assert brian2.prefs[key] == ["-w", "-O3", NO_DEBUG_INFO]
        brian2.prefs[key] = ["-O3", "-g"]                    # a user who debugs
        _compile_without_debug_info(brian2.prefs)
        assert brian2.prefs[key] == ["-O3", "-g"]
        brian2.prefs[key], brian2.prefs[generic] = ["-O3"], ["-O2"]
        _compile_without_debug_info(brian2.prefs)            # brian2 then ignores the GCC list
        assert brian2.prefs[key] == ["-O3"]
    finally:
        brian2.prefs[key], brian2.prefs[generic] = saved
