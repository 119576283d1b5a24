"""Neo export: painsim's spikes and rates leave painsim as neo objects that
Elephant analyses agree with (issue: results a scientist can trust)."""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim import readouts
from painsim.errors import ParameterError

neo = pytest.importorskip("neo")
elephant_statistics = pytest.importorskip("elephant.statistics")

DURATION = 0.4  # s: short window


@pytest.fixture(scope="module")
def result():
    return ps.simulate(ps.load_model("gate_control"), noxious=0.6, duration=f"{DURATION} s", seed=3)


def test_elephant_mean_rate_of_exported_trains_equals_painsims_rate(result):
    block = ps.io.to_neo(result)
    (segment,) = block.segments
    populations = result["spike_population"].attrs["flag_meanings"].split()
    for pop in populations:
        trains = [st for st in segment.spiketrains if st.annotations["population"] == pop]
        t, i, n = readouts.population_spikes(result, pop, sort=True)
        assert len(trains) == n                                   # one train per neuron
        elephant_rate = np.mean([float(elephant_statistics.mean_firing_rate(st).rescale("Hz")) for st in trains])
        own_rate = readouts.mean_rate(t, n, 0.0, DURATION)
        assert elephant_rate == pytest.approx(own_rate, rel=1e-12, abs=1e-12)
        binned = float(result["rates"].sel(population=pop).mean())   # bins tile [0, duration)
        assert elephant_rate == pytest.approx(binned, rel=1e-9, abs=1e-9)
    assert sum(st.size for st in segment.spiketrains) == result.sizes["spike"]


def test_trains_carry_times_in_seconds_and_annotations(result):
    segment = ps.io.to_neo(result).segments[0]
    pn = [st for st in segment.spiketrains if st.annotations["population"] == "PN"]
    assert all(float(st.t_stop.rescale("s")) == DURATION and float(st.t_start) == 0.0 for st in pn)
    assert [st.annotations["neuron"] for st in pn] == list(range(len(pn)))
    assert all(st.annotations["seed"] == 3 for st in pn)
    rates = segment.analogsignals[0]
    assert str(rates.units.dimensionality) == "Hz"
    assert list(rates.array_annotations["population"]) == list(result["population"].values)


def test_per_population_trains_hold_every_spike_of_the_population(result):
    segment = ps.io.to_neo(result, per="population").segments[0]
    for st in segment.spiketrains:
        t, _ = readouts.population_spikes(result, st.annotations["population"])
        assert st.size == t.size
        assert np.all(np.diff(st.magnitude) >= 0)


def test_combined_results_give_one_segment_per_point():
    model = ps.load_model("gate_control")
    reqs = [ps.Request(model, None, 0.6, 0.0, 1), ps.Request(model, None, 0.0, 0.0, 1)]
    results = ps.simulate_batch(reqs, f"{DURATION} s")
    combined = ps.io.combine(results, "condition", ["noxious", "rest"])
    block = ps.io.to_neo(combined, per="population")
    assert [s.name for s in block.segments] == ["noxious", "rest"]
    for seg, single in zip(block.segments, results):
        assert sum(st.size for st in seg.spiketrains) == single.sizes["spike"]
    # negative control: the noxious point has more C spikes than the resting one
    c = [sum(st.size for st in s.spiketrains if st.annotations["population"] == "C") for s in block.segments]
    assert c[0] > c[1]
    # any dimension combine() stacks along gives the same segments (not only condition/batch/point/patient)
    other = ps.io.to_neo(ps.io.combine(results, "repeat", [1, 2]), per="population")
    assert [sum(st.size for st in s.spiketrains) for s in other.segments] == [r.sizes["spike"] for r in results]


def test_write_and_read_back(tmp_path, result):
    path = ps.io.write_neo(result, tmp_path / "spikes.pkl", per="population")
    block = neo.io.PickleIO(str(path)).read_block()
    assert sum(st.size for st in block.segments[0].spiketrains) == result.sizes["spike"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spikes.pkl"]
    # the pickle keeps the annotations (write_neo's docstring: NWB keeps names only)
    written = ps.io.to_neo(result, per="population").segments[0].spiketrains
    assert [st.annotations for st in block.segments[0].spiketrains] == [st.annotations for st in written]


def test_a_failing_writer_is_closed_and_leaves_nothing(tmp_path, result, monkeypatch):
    closed = []

    class Failing:
        def __init__(self, filename, **kwargs):
            pass

        def write_block(self, block):
            raise OSError("disk full")

        def close(self):
            closed.append(True)

    monkeypatch.setattr(neo.io, "PickleIO", Failing)
    with pytest.raises(OSError, match="disk full"):
        ps.io.write_neo(result, tmp_path / "spikes.pkl", per="population")
    assert closed == [True]
    assert not list(tmp_path.iterdir())


def test_a_missing_writer_package_is_named_before_anything_is_written(result, tmp_path, monkeypatch):
    """NIX files need nixio (not a test dependency): the error names it and the extra that installs it."""
    import importlib.util
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nixio" else find_spec(name, *a))
    with pytest.raises(ParameterError, match=r"nixio.*painsim\[interchange\]"):
        ps.io.write_neo(result, tmp_path / "spikes.nix")
    assert not list(tmp_path.iterdir())


def test_the_export_command_names_a_missing_writer_before_making_its_folder(result, tmp_path, monkeypatch, capsys):
    """`painsim export ... --neo s.nix --out folder` without nixio: refused in one line naming --neo,
    and the folder is not made (it was, empty).  Negative control: with the package there (.pkl needs
    Neo only) the same command writes the file into the folder."""
    import importlib.util
    from painsim.cli import main
    saved = tmp_path / "results.nc"
    ps.io.save(result, saved)
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nixio" else find_spec(name, *a))
    assert main(["export", str(saved), "--neo", "s.nix", "--out", str(tmp_path / "nix")]) == 2
    err = capsys.readouterr().err
    assert "--neo" in err and "nixio" in err and not (tmp_path / "nix").exists()
    assert main(["export", str(saved), "--neo", "s.pkl", "--out", str(tmp_path / "pkl")]) == 0
    assert (tmp_path / "pkl" / "s.pkl").exists()


def test_bad_input_is_refused(result, tmp_path):
    with pytest.raises(ParameterError, match="per"):
        ps.io.to_neo(result, per="synapse")
    with pytest.raises(ParameterError, match="spike_time"):
        ps.io.to_neo(result.drop_vars(["spike_time"]))
    with pytest.raises(ParameterError, match="path"):
        ps.io.write_neo(result, tmp_path / "spikes.csv")
    assert not list(tmp_path.iterdir())


def test_nwb_file_holds_every_spike(tmp_path, result, caplog):
    pytest.importorskip("pynwb")
    path = ps.io.write_neo(result, tmp_path / "spikes.nwb", per="population")
    # Neo renames every named signal and says so once per segment: painsim keeps that quiet
    assert not [r for r in caplog.records if "signal name exists" in r.getMessage()]
    block = neo.io.NWBIO(str(path), mode="r").read_block()
    assert sum(st.size for st in block.segments[0].spiketrains) == result.sizes["spike"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spikes.nwb"]
    # each train's name (its population here) survives, as write_neo's docstring says
    written = ps.io.to_neo(result, per="population").segments[0].spiketrains
    assert [st.name for st in block.segments[0].spiketrains] == [st.name for st in written]


def test_site_annotations_follow_the_circuit_layout_and_shared_populations_have_none():
    """A neuron's site is the body site its population's wiring gives it: the spinothalamic tract
    joins projection neurons only to the relay of their own site (``pn_tc``), so the two
    annotations agree on every synapse; the S1 sheet and the PAG/RVM serve every site (-1)."""
    res = ps.simulate(ps.load_model("pain_pathway"), noxious=0.5, duration="0.1 s", seed=2)
    site = {}
    for st in ps.io.to_neo(res).segments[0].spiketrains:
        site[st.annotations["population"], st.annotations["neuron"]] = st.annotations["site"]
    pre, post = res["pre_pn_tc"].values, res["post_pn_tc"].values
    assert pre.size > 0
    assert all(site["PN", int(j)] == site["TC", int(m)] for j, m in zip(pre, post))
    n_sites = int(ps.load_model("pain_pathway").si("body.n_sites"))
    assert {site["PN", j] for j in range(int(res["population_size"].sel(population="PN")))} == set(range(n_sites))
    assert {s for (pop, _), s in site.items() if pop in ("S1E", "DESC", "M1")} == {-1}


def test_rate_signal_starts_at_zero_with_the_readout_bin_as_period(result):
    rates = ps.io.to_neo(result).segments[0].analogsignals[0]
    assert float(rates.t_start) == 0.0
    assert float(rates.sampling_period.rescale("s")) == ps.load_model("gate_control").si("readout.bin")


def test_points_with_different_populations_keep_their_spikes_named(result):
    """Each point numbers its spikes' populations along its own list: combined with a point without
    Aδ fibres, that point's C spikes read as Aδ, PN as EX, and to_neo failed on its missing Aδ.
    The codes are renumbered into the combined list; a point keeps every population's spikes, and
    the point that has them all (the negative control) is unchanged."""
    no_adelta = ps.simulate(ps.load_model("gate_control").with_params({"afferents.Adelta.n": 0}), noxious=0.6,
                            duration=f"{DURATION} s", seed=3)
    points = [result, no_adelta]
    both = ps.io.combine(points, "condition", ["default", "no Adelta"])
    names = both["spike_population"].attrs["flag_meanings"].split()
    assert names == [str(p) for p in both.population.values]
    for k, single in enumerate(points):
        point = ps.io.point(both, "condition", k)
        for pop in single["spike_population"].attrs["flag_meanings"].split():
            t, i, _ = readouts.population_spikes(point, pop, sort=True)
            t0, i0, _ = readouts.population_spikes(single, pop, sort=True)
            np.testing.assert_array_equal(t, t0)
            np.testing.assert_array_equal(i, i0)
    block = ps.io.to_neo(both, per="population")
    for seg, single in zip(block.segments, points):
        counts = {st.name: len(st) for st in seg.spiketrains}
        pops = single["spike_population"].attrs["flag_meanings"].split()
        assert set(counts) == set(pops)                            # no train for a population it lacks
        for pop in pops:
            assert counts[pop] == readouts.population_spikes(single, pop)[0].size
