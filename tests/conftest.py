import os

# The suite runs on brian2's Cython target: each code object compiles once (cached in
# ~/.cython, locked per module, so the two xdist workers share it) and every later run of it
# is compiled code.  Measured on the 2-core AMD EPYC (2026-12-02), the whole suite with a
# cold cache: 11.8 min, against 18.7 min on the numpy target (which compiles nothing but runs
# each step in Python).  The package's own default stays numpy (painsim.circuits.codegen);
# tests/test_codegen_targets.py checks that both targets give the same spikes.
os.environ.setdefault("PAINSIM_TARGET", "cython")
os.environ.setdefault("MPLBACKEND", "Agg")


import pytest  # noqa: E402


@pytest.fixture
def network_sizes(monkeypatch):
    """Points per brian2 network built by painsim.simulation's runner, in build order."""
    from painsim.simulation import runner
    sizes: list[int] = []
    original = runner.build_networks

    def recording(points, *args):
        nets = original(points, *args)
        sizes.extend(len(ks) for ks, _ in nets)
        return nets

    monkeypatch.setattr(runner, "build_networks", recording)
    return sizes


@pytest.fixture
def no_work(monkeypatch):
    """A course's sessions, its opioid-tolerance windows and a cohort's batches raise
    :class:`refusals.WorkStarted` instead of simulating (the input-check tests)."""
    import importlib

    from painsim.course import engine
    from refusals import start_work

    monkeypatch.setattr(engine, "run_sessions", start_work)
    monkeypatch.setattr(engine, "CourseTolerance", start_work)
    monkeypatch.setattr(importlib.import_module("painsim.cohort.run"), "_courses", start_work)  # (imported lazily)


#: The smallest conditions file: one 0.2-s condition of contact heat on the spinal gate model.
TINY_EXPERIMENT = """[experiment]
name = "tiny"
model = "gate_control"
duration = "0.2 s"
seed = 1

[[condition]]
label = "heat"
noxious = 0.6
"""


@pytest.fixture
def tiny(tmp_path):
    """A conditions file named ``tiny`` (:data:`TINY_EXPERIMENT`) in ``tmp_path``: its path."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_EXPERIMENT)
    return path
