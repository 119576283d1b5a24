"""``painsim export`` defects found by a bug hunt, each checked against a control.

1. a condition label with ':' or '/' (cpm_dnic's "fibromyalgia: test alone") crashed Neo's NWB
   writer with a traceback: NWB names are made without them, the exact label is the segment's
   ``label`` annotation (and in the NWB file's notes); any other writer error is one line;
2. the segments of a run of several models did not say which model each ran (``model``);
3. a segment's ``rates`` carried all-NaN channels of the populations its model lacks, which its
   spike trains skip;
4. a refused or failed export left the empty folders it made.

Tiny runs: two 0.1-s conditions, one on the spinal gate model, one on the healthy pathway.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import painsim as ps
from painsim.cli import main
from painsim.errors import PathError

neo = pytest.importorskip("neo")

LABELS = ("gate: heat", "healthy/heat")
EXPERIMENT = f"""[experiment]
name = "two_models"
model = "gate_control"
duration = "0.1 s"
seed = 2

[[condition]]
label = "{LABELS[0]}"
noxious = 0.6

[[condition]]
label = "{LABELS[1]}"
model = "healthy"
noxious = 0.6
seed = 5
"""


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """The results of ``painsim run`` on :data:`EXPERIMENT` (a folder with ``results.nc``)."""
    base = tmp_path_factory.mktemp("two_models")
    (base / "two.toml").write_text(EXPERIMENT)
    assert main(["run", str(base / "two.toml"), "--out", str(base / "run")]) == 0
    return base / "run"


@pytest.fixture(scope="module")
def result(run_dir):
    return ps.io.load(run_dir / "results.nc")


def _read_nwb(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return neo.io.NWBIO(str(path), mode="r").read_block()


# 1. labels NWB refuses in names -------------------------------------------------------------------
def test_nwb_export_of_labels_with_colon_and_slash_keeps_the_labels(run_dir, tmp_path, capsys):
    """Was: ValueError "name 'gate: heat rates 0' cannot contain a '/' or ':'" (a traceback)."""
    pytest.importorskip("pynwb")
    assert main(["export", str(run_dir), "--neo", "spikes.nwb", "--out", str(tmp_path), "--per", "population"]) == 0
    block = _read_nwb(tmp_path / "spikes.nwb")
    names = sorted(s.name for s in block.segments)
    assert names == ["gate_ heat", "healthy_heat"]
    assert not any(c in n for n in names for c in "/:")
    notes = block.annotations["notes"]
    assert '"gate_ heat": "gate: heat"' in notes and '"healthy_heat": "healthy/heat"' in notes
    assert sum(len(s.spiketrains) for s in block.segments) == 7 + 23


def test_every_format_annotates_each_segment_with_its_exact_label(result, tmp_path):
    """The pickle keeps the annotations: ``label`` is the exact label; the block given is not renamed."""
    block = ps.io.to_neo(result, per="population")
    assert [s.annotations["label"] for s in block.segments] == list(LABELS)
    assert [s.name for s in block.segments] == list(LABELS)  # the segments keep their names
    read = neo.io.PickleIO(str(ps.io.write_neo(result, tmp_path / "x.pkl", per="population"))).read_block()
    assert [s.annotations["label"] for s in read.segments] == list(LABELS)


def test_writing_nwb_leaves_the_block_given_as_it_was(result, tmp_path):
    """Was: Neo's writer renamed each signal "<segment> rates 0" on the caller's block (and set the
    file's identifier on it, the same for a second file)."""
    pytest.importorskip("pynwb")
    block = ps.io.to_neo(result, per="population")
    block.segments[0].name, block.segments[1].name = "one", "two"   # names NWB accepts
    before = dict(block.annotations)
    ps.io.write_neo(block, tmp_path / "b.nwb")
    assert [s.name for s in block.segments] == ["one", "two"]
    assert all(a.name == "rates" for s in block.segments for a in s.analogsignals)
    assert block.annotations == before
    labelled = ps.io.to_neo(result, per="population")
    assert ps.io.write_neo(labelled, tmp_path / "a.nwb").is_file()
    assert [s.name for s in labelled.segments] == list(LABELS)   # the labels NWB refuses, restored
    assert "notes" not in labelled.annotations


def test_nwb_names_replace_forbidden_characters_and_stay_distinct():
    names = ["a:b", "a_b", "a/b", "plain", None]
    out = ps.neo_files.nwb_names(names)
    assert out[1:] == ["a_b", "a_b (3)", "plain", None]   # names NWB accepts are kept (control)
    assert out[0] == "a_b (2)"
    assert len(set(out)) == len(out)


def test_any_other_writer_error_is_one_painsim_error_and_leaves_nothing(result, tmp_path):
    """Was: NotImplementedError from Neo's NWB writer (a traceback) and the folders it made."""
    pytest.importorskip("pynwb")
    block = ps.io.to_neo(result, per="population")
    block.segments[0].name, block.segments[1].name = "one", "two"   # names NWB accepts
    block.segments[0].analogsignals[0].annotations["nwb_group"] = "processing"  # Neo: not yet supported
    target = tmp_path / "new" / "sub" / "x.nwb"
    with pytest.raises(PathError, match="NotImplementedError"):
        ps.io.write_neo(block, target)
    assert list(tmp_path.iterdir()) == []


def test_cli_writer_error_is_one_line_and_no_file(run_dir, tmp_path, monkeypatch, capsys):
    def broken(self, block, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(neo.io.PickleIO, "write_block", broken)
    assert main(["export", str(run_dir), "--neo", str(tmp_path / "d" / "x.pkl")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "RuntimeError: boom" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not ps.io.missing_neo_packages(".nix") == [], reason="nixio is not installed")
def test_nix_export_keeps_the_exact_labels(result, tmp_path):
    path = ps.io.write_neo(result, tmp_path / "x.nix", per="population")
    with neo.io.NixIO(str(path), mode="ro") as reader:
        read = reader.read_block()
    assert [s.annotations["label"] for s in read.segments] == list(LABELS)


# 2. which model each segment ran ------------------------------------------------------------------
def test_segments_name_their_model_and_point(result):
    """Was: only ``point`` (no model, seed or stimulus on a Segment)."""
    block = ps.io.to_neo(result, per="population")
    assert [s.annotations["model"] for s in block.segments] == ["gate_control", "healthy"]
    assert [s.annotations["seed"] for s in block.segments] == [2, 5]
    assert [s.annotations["point"] for s in block.segments] == [0, 1]
    for seg, k in zip(block.segments, range(2)):
        assert seg.annotations["noxious"] == str(result["noxious"].values[k])
        assert "parameters" not in seg.annotations   # kept in the result's file, not on every segment
    single = ps.io.to_neo(ps.io.point(result, "condition", 0), per="population").segments[0]
    assert single.annotations["model"] == "gate_control" and single.annotations["label"] == "result"


# 3. rate channels of the segment's own populations ------------------------------------------------
def test_rates_hold_the_channels_of_the_segments_own_populations(result):
    """Was: the gate-control segment's rates had 23 channels, 16 of them all NaN (pathway populations)."""
    block = ps.io.to_neo(result, per="population")
    for seg, n in zip(block.segments, (7, 23)):   # healthy keeps all 23 (control)
        (rates,) = seg.analogsignals
        pops = list(rates.array_annotations["population"])
        assert pops == [st.annotations["population"] for st in seg.spiketrains]
        assert rates.shape[1] == n and not np.isnan(rates.magnitude).all(axis=0).any()
        k = seg.annotations["point"]
        own = result["rates"].isel(condition=k).sel(population=pops).dropna("time", how="all")
        np.testing.assert_array_equal(rates.magnitude, own.transpose("time", "population").values)


# 4. no folder left by a refused or failed export --------------------------------------------------
def test_refused_export_leaves_no_output_folder(result, tmp_path, capsys):
    """Was: ``--out newout`` was made before the refusal of a result combined over two dimensions."""
    two = tmp_path / "two.nc"
    ps.io.save(ps.io.combine([result, result], "rep", [0, 1]), two)
    assert main(["export", str(two), "--neo", "t.pkl", "--out", str(tmp_path / "newout")]) == 2
    assert not (tmp_path / "newout").exists()
    assert main(["export", str(two), "--neo", str(tmp_path / "newdir" / "sub" / "c.pkl")]) == 2
    assert not (tmp_path / "newdir").exists()
    one = ps.io.point(ps.io.load(two), "rep", 0)   # control: a result it can write makes the folders
    ps.io.save(one, tmp_path / "one.nc")
    assert main(["export", str(tmp_path / "one.nc"), "--neo", "t.pkl", "--out", str(tmp_path / "newout")]) == 0
    assert (tmp_path / "newout" / "t.pkl").is_file()
