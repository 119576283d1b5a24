"""Review of the session's figures and conditioning changes (2026-12-07, a ninth session)."""
import numpy as np
import pytest

import painsim as ps
from painsim import conditioning as cond
from painsim.cli import main

from test_figures_bug_hunt import _COHORT, _fake_course


def test_figures_into_another_results_folder_is_refused(tmp_path, monkeypatch, capsys):
    """`painsim figures A --out B` replaced B's patients.csv with A's, and B's figures with A's when both
    runs share an experiment name (figures are <experiment>_<kind>.png): refused before anything is
    drawn.  Negative controls: into A's own folder, or an empty one, it draws and writes the table."""
    _fake_course(monkeypatch)
    runs = {}
    for name, n in (("a", 4), ("b", 3)):  # one experiment name, as a rerun with another seed has
        f = tmp_path / f"{name}.toml"
        f.write_text(_COHORT.replace("n_patients = 4", f"n_patients = {n}"))
        runs[name] = tmp_path / name
        assert main(["run", str(f), "--out", str(runs[name]), "--workers", "1"]) == 0
    before = {p.name: p.read_bytes() for p in runs["b"].iterdir() if p.is_file()}
    capsys.readouterr()
    assert main(["figures", str(runs["a"]), "--out", str(runs["b"])]) == 2
    assert "another result" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in runs["b"].iterdir() if p.is_file()} == before
    assert main(["figures", str(runs["a"])]) == 0   # its own folder
    empty = tmp_path / "empty"
    assert main(["figures", str(runs["a"]), "--out", str(empty)]) == 0
    assert (empty / "patients.csv").read_text() == (runs["a"] / "patients.csv").read_text()


@pytest.mark.parametrize("rule", ["calcium", "scaling"])
def test_update_weights_chains_windows_whose_ends_round(rule):
    """update_weights ended window k at off + duration, an ulp after window k + 1's start for most
    durations (5 * 0.04 + 0.04 > 6 * 0.04): the calcium and scaling rules, which keep the time they
    integrated to, refused the next window (named states["time"]).  Negative control: replay = 5 ran."""
    m = ps.load_model("gate_control").with_params({"plasticity.c_pn.rule": rule, "plasticity.c_pn.preset": "none"})
    r = ps.simulate(m, noxious=0.6, duration="40 ms", seed=1)
    w5, _ = cond.update_weights(m, r, replay=5)
    w20, st = cond.update_weights(m, r, replay=20)
    assert st["time"] == pytest.approx(20 * 0.04, abs=1e-12)
    assert all(np.all(np.isfinite(w)) for w in w20.values()) and set(w20) == set(w5)


@pytest.mark.parametrize("name", ["spikes.pkl", "spikes.txt"])
def test_write_neo_without_neo_is_refused_by_name(tmp_path, monkeypatch, name):
    """write_neo imported neo before checking the path: without neo it raised ModuleNotFoundError, not
    the ParameterError naming the file and the package (as painsim export does)."""
    import importlib.util
    import sys

    from refusals import refused

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda m, *a: None if m == "neo" else real(m, *a))
    monkeypatch.setitem(sys.modules, "neo", None)   # `import neo` raises ImportError
    e = refused(lambda: ps.io.write_neo(object(), tmp_path / name), "path")
    assert ("neo installed" in str(e)) == name.endswith(".pkl") and not list(tmp_path.iterdir())
