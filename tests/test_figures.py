"""What the figures plot is what the terminal prints: the conditions figure's rate panels read the
painful site on the pathway (the site the printed PN rate is read at), and its smoothing keeps a
constant rate constant up to the window's edges; a figure's title says what was simulated (the file's
description under its name)."""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim.plots.conditions import _pn_site, _site_rate, _smooth


@pytest.fixture(scope="module")
def pathway():
    spec = {"experiment": {"name": "figure_rates", "model": "peripheral_neuropathic", "duration": "1 s", "seed": 1,
                           "description": "Noxious heat at the painful site against rest, " * 3},
            "condition": [{"label": "noxious 0.5 at the painful site", "noxious": 0.5}, {"label": "rest"}]}
    return ps.run_experiment(spec)


def test_rate_panel_reads_the_painful_site_where_the_printed_pn_rate_is_read(pathway):
    model = ps.load_model("peripheral_neuropathic")
    start = ps.readouts.readout_start(model, 1.0)
    painful = _pn_site(pathway, 0)[0]   # the site the printed PN rate is read at
    assert painful == int(model.si("body.painful_site"))
    site = _site_rate(pathway, 0, "PN", painful)
    after = pathway.time.values - float(pathway.time.values[0]) >= start - 1e-9   # bins starting after it
    assert site[after].mean() == pytest.approx(float(pathway["pn_rate"].isel(condition=0)), rel=1e-9)
    assert site[after].mean() > 5.0                                # a response to read
    # negative control: the stored rates average every site, and the stimulus reaches only the painful one
    everywhere = pathway["rates"].isel(condition=0).sel(population="PN").values
    assert everywhere[after].mean() < 0.5 * site[after].mean()
    assert _site_rate(pathway, 0, "S1E", painful) is None          # a sheet has no site


def test_smoothing_keeps_a_constant_rate_constant_at_the_edges():
    np.testing.assert_allclose(_smooth(np.full(50, 7.0), 6), 7.0)
    alternating = np.tile([145.0, 0.0], 25)                       # a 50 Hz train in 10-ms bins
    assert np.ptp(_smooth(alternating, 6)[3:-3]) == pytest.approx(0.0, abs=1e-9)


def test_the_title_carries_the_description_under_the_name(pathway):
    from painsim.plots.common import experiment_title
    from painsim.plots.conditions import conditions_figure
    title = conditions_figure(pathway)._suptitle.get_text()
    assert title.startswith("figure_rates\nNoxious heat at the painful site")
    assert all(len(line) <= 100 for line in title.splitlines()) and len(title.splitlines()) > 2   # wrapped
    bare = pathway.copy()
    bare.attrs = {k: v for k, v in pathway.attrs.items() if k != "description"}
    assert experiment_title(bare) == "figure_rates"                  # no description: the name alone
    assert experiment_title(bare.assign_attrs(experiment=""), "fallback") == "fallback"
