import os

# Tests run tiny networks: brian2's numpy target compiles nothing.
os.environ.setdefault("PAINSIM_TARGET", "numpy")
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
