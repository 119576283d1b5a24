"""Export and interchange defects found by a bug hunt, each checked against a control.

Rates of combined points on their own bins in Neo/NWB; nested combined results refused where a
point would be read wrongly; ``painsim export`` of a combined result and its leftovers; unique NWB
identifiers; strict JSON in cohort attrs; distinct combine labels; paths and hints named by
painsim's errors; a zarr sweep store refused by its format.  Tiny simulations (0.2-0.3 s).
"""
from __future__ import annotations

import json
import uuid

import numpy as np
import pandas as pd
import pytest

import painsim as ps
from painsim import cohort, readouts
from painsim.cli import main
from painsim.errors import ParameterError, PathError

neo = pytest.importorskip("neo")


@pytest.fixture(scope="module")
def runs():
    """Three tiny runs: 10 ms bins (0.2 s), 25 ms bins (0.2 s), 10 ms bins (0.3 s, another seed)."""
    model = ps.load_model("gate_control")
    a = ps.simulate(model, noxious=0.6, duration="0.2 s", seed=1)
    b = ps.simulate(model.with_params({"readout.bin": "25 ms"}), noxious=0.6, duration="0.2 s", seed=1)
    d = ps.simulate(model, noxious=0.6, duration="0.3 s", seed=2)
    return a, b, d


def _rates(segment):
    (signal,) = [s for s in segment.analogsignals if s.name == "rates"]
    return signal


# 1. each point's rates on its own bins -------------------------------------------------------

def test_exported_rates_of_points_with_other_bins_or_durations_keep_their_own_bins(runs):
    """Was: every segment got the joined time axis (NaN rows) with one bin width: wrong sample
    times and a 0.2 s run exported as longer.  Each signal must equal its point's own rates."""
    a, b, d = runs
    for other in (b, d):  # another bin width; another duration
        block = ps.io.to_neo(ps.io.combine([a, other], "trial", ["a", "other"]))
        for seg, own in zip(block.segments, (a, other)):
            signal = _rates(seg)
            width = ps.io.bin_width(own)
            assert float(signal.sampling_period.rescale("s")) == width
            np.testing.assert_array_equal(signal.magnitude, own["rates"].transpose("time", "population").values)
            assert float(signal.t_stop.rescale("s")) == pytest.approx(own.attrs["duration_s"], rel=1e-9)
    # control: points on the same bins keep the whole joined axis (nothing dropped)
    same = ps.io.to_neo(ps.io.combine([a, a.assign_attrs(seed=5)], "trial", ["x", "y"]))
    assert all(_rates(s).shape[0] == a.sizes["time"] for s in same.segments)


# 2./3. a result combined over two dimensions -------------------------------------------------

@pytest.fixture(scope="module")
def nested(runs, tmp_path_factory):
    """Two saved-and-loaded condition results combined again over ``run``."""
    a, _, d = runs
    folder = tmp_path_factory.mktemp("nested")
    first = ps.io.combine([a, d], "condition", ["p", "q"])
    second = ps.io.combine([d, a], "condition", ["p", "q"])
    loaded = [ps.io.load(ps.io.save(c, folder / f"{k}.nc")) for k, c in enumerate((first, second))]
    return ps.io.combine(loaded, "run", ["s2", "s3"]), loaded


def test_a_condition_of_a_result_combined_over_run_too_is_refused(nested):
    """Was: population_spikes(nested, "PN", k) summed the condition's spikes of both runs."""
    both, loaded = nested
    with pytest.raises(ParameterError, match=r"parameter 'condition'.*'run' as well as 'condition'"):
        readouts.population_spikes(both, "PN", 1)
    # control: the condition of one run, selected with point(), is that run's own
    t, _ = readouts.population_spikes(ps.io.point(both, "run", 0), "PN", 1)
    np.testing.assert_array_equal(t, readouts.population_spikes(loaded[0], "PN", 1)[0])


def test_neo_export_of_a_result_combined_over_two_dimensions_is_refused(nested):
    """Was: numpy's 'truth value of an array ... is ambiguous' from inside to_neo."""
    both, loaded = nested
    with pytest.raises(ParameterError, match=r"parameter 'result'.*combined over \['run', 'condition'\]"):
        ps.io.to_neo(both)
    # control: one run of it exports, one segment per condition with that run's spikes
    block = ps.io.to_neo(ps.io.point(both, "run", 1))
    assert [s.name for s in block.segments] == ["p", "q"]
    assert sum(st.size for s in block.segments for st in s.spiketrains) == loaded[1].sizes["spike"]


# 4./5. painsim export -------------------------------------------------------------------------

def test_cli_export_of_points_of_different_durations_writes_the_file(runs, tmp_path, capsys):
    """Was: 'holds no spike trains' (duration_s is a variable when the points differ in it)."""
    a, _, d = runs
    comb = ps.io.save(ps.io.combine([a, d], "trial", ["short", "long"]), tmp_path / "comb.nc")
    assert main(["export", str(comb), "--neo", "x.pkl", "--out", str(tmp_path / "o")]) == 0
    block = neo.io.PickleIO(str(tmp_path / "o" / "x.pkl")).read_block()
    assert [float(s.spiketrains[0].t_stop) for s in block.segments] == [0.2, 0.3]
    # control: a result without spikes is still refused
    ps.io.save(a.drop_vars([v for v in a.data_vars if str(v).startswith("spike_")]), tmp_path / "none.nc")
    assert main(["export", str(tmp_path / "none.nc"), "--neo", str(tmp_path / "y.pkl")]) == 2
    assert "holds no spike trains" in capsys.readouterr().err


def test_cli_export_removes_the_temporaries_a_killed_export_left(runs, tmp_path):
    """docs/cli.md: the temporaries a killed command left of the files it writes again are removed,
    no other file.  Was: export never removed them."""
    path = ps.io.save(runs[0], tmp_path / "results.nc")
    out = tmp_path / "o"
    out.mkdir()
    left = out / ".x[1].pkl.k1ll3d.tmp.pkl"  # a glob character in the name: matched literally
    other = out / ".x1.pkl.k1ll3d.tmp.pkl"   # another file's temporary (control): kept
    left.write_bytes(b"half")
    other.write_bytes(b"half")
    assert main(["export", str(path), "--neo", "x[1].pkl", "--out", str(out)]) == 0
    assert not left.exists() and other.exists() and (out / "x[1].pkl").is_file()


# 6. NWB identifiers ---------------------------------------------------------------------------

def test_each_nwb_export_gets_its_own_identifier(runs, tmp_path):
    """NWB: ``identifier`` is unique to each file.  Was: painsim-<experiment>-<file stem>, the same
    for every export of one experiment to one file name."""
    pynwb = pytest.importorskip("pynwb")
    ids, descriptions = [], []
    for k in range(2):  # the same result to the same file name, twice
        path = ps.io.write_neo(runs[0], tmp_path / str(k) / "x.nwb", per="population")
        with pynwb.NWBHDF5IO(str(path), "r") as f:
            nwb = f.read()
            ids.append(nwb.identifier)
            descriptions.append(nwb.session_description)
    assert ids[0] != ids[1] and all(uuid.UUID(i) for i in ids)
    assert descriptions[0] == descriptions[1] and "painsim simulation" in descriptions[0]  # control


# 7. strict JSON in a cohort's attrs -----------------------------------------------------------

def _no_nan(text):
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON attr: {text[:120]}"))


def test_cohort_odds_ratios_attr_is_strict_json():
    """Was: NaN in ``odds_ratios`` (invalid JSON); ``comparison`` writes null, and so must it."""
    t = pd.DataFrame({"etiology": ["peripheral"] * 6 + ["central"] * 4,
                      "stroke_type": ["none"] * 6 + ["ischemic", "ischemic", "hemorrhagic", "none"],
                      "relief": [0.1, 0.4, 0.0, 0.35, 0.2, 0.6, np.nan, np.nan, np.nan, 0.5]})
    ds = cohort.to_dataset(t.assign(responder_30=t.relief >= 0.3, responder_50=t.relief >= 0.5))
    ors = _no_nan(ds.attrs["odds_ratios"])
    _no_nan(ds.attrs["comparison"])
    assert ors["or_ischemic_vs_hemorrhagic"]["odds_ratio"] is None  # not estimable: null
    # control: finite numbers are kept (the central vs peripheral count; its odds ratio is infinite: null)
    assert ors["or_central_vs_peripheral"]["n"] == 7 and ors["or_central_vs_peripheral"]["odds_ratio"] is None


# 8. distinct labels ---------------------------------------------------------------------------

def test_combine_refuses_duplicate_labels(runs):
    """Was: combine accepted them and write_neo crashed inside pynwb (two Segments of one name)."""
    a = runs[0]
    with pytest.raises(ParameterError, match=r"parameter 'labels'.*distinct labels"):
        ps.io.combine([a, a], "trial", ["x", "x"])
    assert ps.io.combine([a, a], "trial", ["x", "y"]).sizes["trial"] == 2  # control


# 9. paths, a DataArray, hints -----------------------------------------------------------------

def test_a_folder_or_a_path_under_a_file_is_refused_before_writing(runs, tmp_path):
    """Was: IsADirectoryError after the whole file was written, FileExistsError for a path under a file."""
    a = runs[0]
    (tmp_path / "afile").write_text("x")
    for write, folder_target in ((lambda p: ps.io.save(a, p), "isdir.nc"),
                                 (lambda p: ps.io.write_neo(a, p, per="population"), "d.pkl")):
        (tmp_path / folder_target).mkdir()
        with pytest.raises(PathError, match="is a folder"):
            write(tmp_path / folder_target)
        under = tmp_path / "afile" / ("x" + (tmp_path / folder_target).suffix)
        with pytest.raises(PathError, match=r"lies under .*afile, a file"):
            write(under)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "d.pkl", "isdir.nc"]  # nothing left
    assert not any((tmp_path / "isdir.nc").iterdir()) and not any((tmp_path / "d.pkl").iterdir())
    assert ps.io.save(a, tmp_path / "ok.nc").is_file()  # control


def test_to_neo_refuses_a_data_array_and_hints_only_what_the_caller_has(runs):
    """Was: AttributeError for a DataArray; to_neo's refusal of an .isel point offered a
    ``condition=k`` it has no argument for (population_spikes has it: said there only)."""
    a, _, d = runs
    with pytest.raises(ParameterError, match=r"parameter 'result' = \"a DataArray 'pn_rate'\""):
        ps.io.to_neo(a["pn_rate"])
    conditions = ps.io.combine([a, d], "condition", ["p", "q"])
    with pytest.raises(ParameterError) as neo_refusal:
        ps.io.to_neo(conditions.isel(condition=0))
    with pytest.raises(ParameterError) as spikes_refusal:
        readouts.population_spikes(conditions.isel(condition=0), "PN")
    assert "condition=k" not in str(neo_refusal.value) and "painsim.io.point" in str(neo_refusal.value)
    assert "condition=k" in str(spikes_refusal.value)  # control: population_spikes has that argument


# 10. a zarr sweep store -----------------------------------------------------------------------

def test_figures_of_a_zarr_sweep_store_say_its_format(tmp_path, capsys):
    """Was: 'a folder without results' for a store holding result.zarr (painsim reads NetCDF)."""
    store = tmp_path / "store"
    (store / "result.zarr").mkdir(parents=True)
    assert main(["figures", str(store)]) == 2
    assert "result.zarr is a zarr result" in capsys.readouterr().err
    with pytest.raises(PathError, match="zarr result"):
        ps.io.load(store / "result.zarr")
    empty = tmp_path / "empty"  # control: a folder without any result says so
    empty.mkdir()
    assert main(["figures", str(empty)]) == 2
    assert "folder without results" in capsys.readouterr().err
