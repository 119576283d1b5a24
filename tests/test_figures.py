"""What the figures plot is what the terminal prints: the conditions figure's rate panels read the
painful site on the pathway (the site the printed PN rate is read at), and its smoothing keeps a
constant rate constant up to the window's edges."""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim.plots.conditions import _painful_site, _site_rate, _smooth


@pytest.fixture(scope="module")
def pathway():
    spec = {"experiment": {"name": "figure_rates", "model": "peripheral_neuropathic", "duration": "1 s", "seed": 1},
            "condition": [{"label": "noxious 0.5 at the painful site", "noxious": 0.5}, {"label": "rest"}]}
    return ps.run_experiment(spec)


def test_rate_panel_reads_the_painful_site_where_the_printed_pn_rate_is_read(pathway):
    model = ps.load_model("peripheral_neuropathic")
    start = ps.readouts.readout_start(model, 1.0)
    painful = _painful_site(pathway, 0)
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
