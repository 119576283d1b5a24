"""numba kernels compiled at first call (painsim.jit; issue 17, goal 3: import time).

``import painsim`` and a small simulation load no numba; a deferred kernel that calls
deferred kernels compiles to what eager ``numba.njit`` gives; the dead-time pass run in
Python (small inputs, numba not loaded) keeps exactly the spikes the kernel keeps.
"""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from painsim import jit
from painsim.fibers import afferents

ROOT = Path(__file__).resolve().parents[1]


@jit.njit(cache=False)
def _square(x):
    return x * x


@jit.njit(cache=False)
def _sum_of_squares(values):
    total = 0.0
    for v in values:
        total += _square(v)
    return total


def test_a_deferred_kernel_calling_a_deferred_kernel_compiles_like_numba():
    numba = pytest.importorskip("numba")
    values = np.linspace(-2.0, 3.0, 11)
    assert isinstance(_sum_of_squares, jit.LazyKernel)
    assert "_sum_of_squares" in repr(_sum_of_squares)
    got = _sum_of_squares(values)              # compiles the caller, binding the callee first
    assert got == _sum_of_squares.py_func(values)  # same loop in Python, same float64 sum order
    assert isinstance(_sum_of_squares.compiled(), numba.core.registry.CPUDispatcher)
    assert isinstance(globals()["_square"], numba.core.registry.CPUDispatcher)  # rebound for numba


def test_a_kernel_numba_compiles_by_itself_can_call_a_deferred_kernel():
    """A script's own ``@numba.njit`` kernel (no binding step) calls painsim's deferred
    kernel: numba types it as its dispatcher (painsim.jit registers the type)."""
    numba = pytest.importorskip("numba")
    afferents.dead_time_mask.compiled()  # painsim has loaded numba: the type is registered
    namespace = {"callee": jit.njit(cache=False)(lambda x: x + 1.0)}
    exec("def caller(x):\n    return callee(x) * 2.0\n", namespace)
    assert numba.njit(namespace["caller"])(1.5) == 5.0
    assert isinstance(namespace["callee"], jit.LazyKernel)  # not rebound: typed, not replaced


def test_a_deferred_kernel_pickles_by_reference():
    import pickle

    restored = pickle.loads(pickle.dumps(afferents.dead_time_mask))
    assert restored is afferents.dead_time_mask


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_python_dead_time_pass_keeps_exactly_the_kernels_spikes(seed):
    rng = np.random.default_rng(seed)
    n = 4000
    ids = rng.integers(0, 30, n)
    # half on a 0.5 ms grid, so gaps of exactly the 1 ms dead time occur (the boundary case)
    times = np.where(rng.random(n) < 0.5, np.round(rng.uniform(0, 1, n) / 5e-4) * 5e-4, rng.uniform(0, 1, n))
    order = np.lexsort((times, ids))
    t, i = times[order], ids[order]
    in_python = afferents.dead_time_mask.py_func(t.tolist(), i.tolist(), 1e-3)
    compiled = afferents.dead_time_mask(t, i, 1e-3)
    np.testing.assert_array_equal(in_python, compiled)
    assert 0 < (~compiled).sum() < n      # the pass drops some spikes, not all


_SIMULATE = """
import sys, hashlib
if sys.argv[1] == "preload":
    import numba  # the kernel path: numba already loaded
import numpy as np
import painsim as ps
loaded_after_import = "numba" in sys.modules
res = ps.simulate(ps.load_model("gate_control"), noxious=0.6, duration="0.3 s", seed=3)
t = np.asarray(res["spike_time"].values)
print(loaded_after_import, "numba" in sys.modules, res.sizes["spike"], hashlib.sha1(t.tobytes()).hexdigest())
"""


def test_a_small_simulation_loads_no_numba_and_gives_the_kernels_spikes():
    out = {}
    for mode in ("plain", "preload"):
        res = subprocess.run([sys.executable, "-c", _SIMULATE, mode], cwd=ROOT, capture_output=True, text=True,
                             timeout=300)
        assert res.returncode == 0, res.stderr
        out[mode] = res.stdout.split()
    assert out["plain"][:2] == ["False", "False"], out       # neither import nor the run loaded numba
    assert out["preload"][1] == "True"
    assert int(out["plain"][2]) > 0
    assert out["plain"][2:] == out["preload"][2:], out       # same spikes, bit for bit
