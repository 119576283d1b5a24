"""Mends after review of the protocol, pain-map and sweep-command fixes (2026-12-07):

* a sham table's bad ``name`` or ``description`` is named by the file's key (``protocol.name``);
* a one-unit S1 map taken as one condition of a conditions result (``parameters`` a 0-d variable)
  reads its spacing there;
* ``painsim sweep`` refuses an unusable ``$PAINSIM_WORKER_CACHE`` before its first line (the
  ``--workers -1`` case of tests/test_sweep_command_order.py never reached that check: argparse
  refuses it);
* ``run_experiment(check=False)`` runs a dict just loaded without checking it again, and checks
  it by default.
"""
from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim import cli
from painsim.files import dispatch
from refusals import ROOT, WorkStarted, refused, start_work


@pytest.mark.parametrize("key", ["name", "description"])
def test_a_sham_tables_bad_label_is_named_by_its_key(key):
    refused(lambda: ps.protocols.from_spec({"base": "lfs_1hz", "sham": True, key: 5}), f"protocol.{key}")
    # control: text is taken
    assert getattr(ps.protocols.from_spec({"base": "lfs_1hz", "sham": True, key: "mine"}), key) == "mine"


def test_one_condition_of_a_conditions_result_reads_its_stored_spacing():
    spacing = json.dumps({"cortex": {"map": {"spacing": "0.5 mm"}}})
    two = xr.Dataset({"map_rate": (("condition", "map_y", "map_x"), np.zeros((2, 1, 1))),
                      "parameters": ("condition", [spacing, spacing])},
                     coords={"map_x": [0.0], "map_y": [0.0]})
    fig = ps.plots.map_figure(two.isel(condition=0))
    assert fig.axes[0].images[0].get_extent() == pytest.approx([-0.25, 0.25, 0.25, -0.25])
    plt.close(fig)
    # control: without a stored spacing a one-unit map is still refused
    refused(lambda: ps.plots.map_figure(two.drop_vars("parameters").isel(condition=0)), "ds", allowed=True)


def test_an_unusable_worker_cache_is_refused_before_the_sweeps_first_line(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(cli, "run_sweep", start_work)
    out = tmp_path / "out"
    assert cli.main(["sweep", str(ROOT / "experiments" / "heat_response_sweep.toml"), "--out", str(out)]) != 0
    assert "painsim: sweep" not in capsys.readouterr().out and not out.exists()
    monkeypatch.setenv("PAINSIM_WORKER_CACHE", str(tmp_path / "cache"))  # control: a usable one
    with pytest.raises(WorkStarted):
        cli.main(["sweep", str(ROOT / "experiments" / "heat_response_sweep.toml"), "--out", str(out), "--workers", "0"])


def test_run_experiment_checks_a_dict_unless_told_it_was_just_loaded(monkeypatch):
    spec = dispatch.load_experiment("gate_control")
    calls = []
    monkeypatch.setattr(dispatch, "check_experiment", lambda *a, **k: calls.append(a))
    import dataclasses
    monkeypatch.setitem(dispatch.KINDS, "conditions", dataclasses.replace(dispatch.KINDS["conditions"], run=start_work))
    with pytest.raises(WorkStarted):
        dispatch.run_experiment(spec, check=False)
    assert calls == []
    with pytest.raises(WorkStarted):
        dispatch.run_experiment(spec)
    assert len(calls) == 1
