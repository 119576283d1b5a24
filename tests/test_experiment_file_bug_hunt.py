"""Refusals, at load, of experiment files the model or the summaries cannot honour (bug hunt).

Each refusal is checked with :func:`painsim.files.check_experiment` alone (no simulation): the
error must name the file's key.  Each has a negative control: the same file with the offending
value made valid is accepted, so the refusal is of that value, not of the file.
"""
from __future__ import annotations

import copy

from refusals import refused

from painsim.files.dispatch import check_experiment

TONIC = {"type": "tonic", "rate": "50 Hz", "width": "300 us", "amplitude": 1.3, "duration": "0.2 s"}


def conditions(condition: dict, model: str = "healthy", **exp) -> dict:
    """A one-condition conditions file on ``model`` (healthy: a body of sites 0..4)."""
    return {"experiment": {"name": "t", "model": model, "duration": "0.2 s", "seed": 1} | exp,
            "condition": [{"label": "a", **condition}]}


def test_device_site_outside_the_body_refused_at_load():
    """A device at a site the body lacks (9 on healthy's 0..4) was refused only when the run started,
    as ``requests[0].stimulus.site``; at load it names the condition's key.  Control: site 1 passes."""
    refused(lambda: check_experiment(conditions({"stimulus": {**TONIC, "site": 9}})),
            "condition[0].stimulus.site", allowed=True)
    check_experiment(conditions({"stimulus": {**TONIC, "site": 1}}))


def test_device_of_an_array_named_by_its_index():
    """The refused device of an array of devices is named ``condition[k].stimulus[j].site``."""
    refused(lambda: check_experiment(conditions({"stimulus": [dict(TONIC), {**TONIC, "site": 9}]})),
            "condition[0].stimulus[1].site", allowed=True)


def test_two_dorsal_column_leads_refused_together_at_load():
    """Two dorsal-column tonic leads at one site are refused together (either alone is taken), named
    ``condition[k].stimulus``.  Control: the two leads at different sites pass."""
    two = [dict(TONIC), {**TONIC, "rate": "40 Hz"}]
    refused(lambda: check_experiment(conditions({"stimulus": two})), "condition[0].stimulus", allowed=True)
    check_experiment(conditions({"stimulus": [dict(TONIC), {**TONIC, "rate": "40 Hz", "site": 1}]}))


def test_a_second_condition_is_named_by_its_index():
    """The index in the name is the refused condition's (1), not the first one's."""
    spec = conditions({"stimulus": dict(TONIC)})
    spec["condition"].append({"label": "b", "stimulus": {**TONIC, "site": 7}})
    refused(lambda: check_experiment(copy.deepcopy(spec)), "condition[1].stimulus.site")


def conditioning(noxious) -> dict:
    """A one-protocol conditioning file whose ``[test]`` noxious is ``noxious``."""
    return {"experiment": {"name": "t", "kind": "conditioning", "model": "gate_control", "duration": "0.2 s"},
            "test": {"noxious": noxious},
            "protocol": [{"label": "hfs", "stimulus": {"type": "tonic", "rate": "100 Hz", "width": "300 us",
                                                       "amplitude": 1.3, "duration": "0.2 s"}}]}


def test_conditioning_test_noxious_checked_at_load_as_conditions_files_do():
    """``[test] noxious`` takes what a condition's ``noxious`` takes (a number in [0, 1]): text ran as
    0.6, true gave "expected a quantity in 1", a table was read as sites ("'test.noxious site'").
    Each is refused at load naming ``test.noxious``.  Control: 0.6 passes."""
    for bad in ("0.6", True, {"heat": 47}, 1.5):
        refused(lambda: check_experiment(conditioning(bad)), "test.noxious", allowed=True)
    check_experiment(conditioning(0.6))


def _conditioning_summary(labels):
    """A conditioning summary over ``labels`` (no plastic connection changed)."""
    import xarray as xr
    n = len(labels)
    return xr.Dataset({v: ("protocol", [1.0] * n) for v in ("pain_before", "pain_after", "pn_rate_before",
                                                            "pn_rate_after")}, coords={"protocol": list(labels)})


def test_conditioning_rows_align_a_label_longer_than_twenty_characters():
    """The label column is as wide as the longest label (as :func:`condition_rows`'): a 30-character
    label shifted its row's numbers.  Control: the numbers of rows with short labels start where the
    20-character column ends, so the measurement can see a shift."""
    from painsim.files.summaries import conditioning_rows
    long = "x" * 30
    rows = conditioning_rows(_conditioning_summary(["hfs", long]))
    assert len({row.index(" pain ") for row in rows}) == 1, rows
    short = conditioning_rows(_conditioning_summary(["hfs", "lfs"]))
    assert {row.index(" pain ") for row in short} == {2 + 20}, short


def test_empty_or_blank_condition_label_refused():
    """A condition labelled "" or " " printed as a nameless row: refused naming ``condition[k].label``
    (here the second condition's).  Control: a visible label there passes."""
    for blank in ("", " "):
        spec = conditions({})
        spec["condition"].append({"label": blank})
        refused(lambda: check_experiment(spec), "condition[1].label", allowed=True)
    spec = conditions({})
    spec["condition"].append({"label": "b"})
    check_experiment(spec)


def test_condition_model_and_params_named_by_their_keys():
    """``params = 5`` was named by the loader's argument (``overrides``) and ``model = 5`` as bare
    ``model``: each is named by the file's key.  Control: a table of params and a model name pass."""
    refused(lambda: check_experiment(conditions({"params": 5})), "condition[0].params", allowed=True)
    refused(lambda: check_experiment(conditions({"model": 5})), "condition[0].model", allowed=True)
    refused(lambda: check_experiment(conditions({}, model=5)), "experiment.model", allowed=True)
    check_experiment(conditions({"model": "healthy", "params": {"dorsal_horn.pharmacology.gaba_block": 0.5}}))


def test_a_fractional_site_is_refused_as_not_a_whole_number():
    """``site = 1.0`` is inside healthy's 0..4, so "expected a body site (0..4)" misled: the message
    says a whole number is expected.  Control: ``site = 1`` passes."""
    err = refused(lambda: check_experiment(conditions({"site": 1.0, "noxious": 0.5})), "condition[0].site")
    assert "whole number" in err.allowed, err
    check_experiment(conditions({"site": 1, "noxious": 0.5}))


def test_figures_whose_data_the_file_cannot_give_refused_at_load():
    """``sep_collision`` reads the dorsal column nuclei's spikes: gate_control (the dorsal horn only)
    has none and drew an empty figure; refused at load naming ``experiment.figure``.  Control: the
    same file on healthy (which has the dorsal column layer) passes.  ``scs_frequency`` reads the
    rates of the conditions' stimuli: refused when no condition has one (control: one with a
    stimulus passes).  ``scs_modes`` reads the dorsal horn (afferent recruitment, PN rate, pain),
    which every model gives, so it stays accepted on gate_control."""
    stim = {"stimulus": dict(TONIC)}
    refused(lambda: check_experiment(conditions(stim, "gate_control", figure="sep_collision")),
            "experiment.figure", allowed=True)
    check_experiment(conditions(stim, "healthy", figure="sep_collision"))
    refused(lambda: check_experiment(conditions({"noxious": 0.5}, "gate_control", figure="scs_frequency")),
            "experiment.figure", allowed=True)
    check_experiment(conditions(stim, "gate_control", figure="scs_frequency"))
    check_experiment(conditions(stim, "gate_control", figure="scs_modes"))


def test_conditions_figure_draws_the_site_the_printed_line_reads():
    """The figure's rate panel drew the painful site (unstimulated) while the printed line read the
    condition's ``site = 1``; both now read :func:`painsim.analysis.pn_site`.  The drawn PN line's
    mean is compared with every site's PN rate and must be nearest the printed site's (no
    tolerance: only that site gets a stimulus, a maximal one).  Control: a condition at the painful
    site is drawn and printed there.  One 0.1 s run of healthy (~3 s)."""
    import matplotlib
    matplotlib.use("Agg")
    import numpy as np

    from painsim import load_model
    from painsim.files.conditions import run_conditions
    from painsim.files.summaries import condition_rows
    from painsim.plots.conditions import conditions_figure
    painful = int(load_model("healthy").si("body.painful_site"))
    assert painful != 1
    spec = conditions({"site": 1, "noxious": 1.0}, duration="0.1 s")
    spec["condition"].append({"label": "b", "site": painful, "noxious": 1.0})
    ds = run_conditions(spec)
    rows = condition_rows(ds)
    fig = conditions_figure(ds)
    panels = [ax for ax in fig.axes if ax.get_ylabel().startswith("rate (Hz)")]
    for k, (site, name) in enumerate([(1, "site 1"), (painful, f"painful site {painful}")]):
        assert f"({name})" in rows[k], rows[k]
        assert panels[k].get_ylabel().endswith(name), panels[k].get_ylabel()
        drawn = np.mean(next(line for line in panels[k].get_lines() if line.get_label() == "PN").get_ydata())
        rates = ds["site_pn_rate"].isel(condition=k).values
        assert int(np.argmin(np.abs(rates - drawn))) == site, (drawn, rates)
