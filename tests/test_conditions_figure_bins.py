"""The conditions figure draws each condition's rates on its own bins.

Found by an export review: :func:`painsim.io.combine` joins the time axes of conditions whose
``readout.bin`` (or duration) differ, NaN where a condition has no bin; the figure drew every
condition against the joined axis with the first condition's bin width (a 25-ms condition's rates
on 10-ms bins, broken by NaN).  Negative control: the condition with the reference bins is drawn on
exactly its bins, as before.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import painsim as ps  # noqa: E402
from painsim.files.conditions import run_conditions  # noqa: E402
from painsim.plots import conditions_figure  # noqa: E402

DURATION = 0.3  # s


@pytest.fixture(scope="module")
def two_bin_widths():
    spec = {"experiment": {"name": "bins", "model": "gate_control", "duration": f"{DURATION} s", "seed": 1},
            "condition": [{"label": "reference bins", "heat": 47.0},
                          {"label": "25 ms bins", "heat": 47.0, "params": {"readout.bin": "25 ms"}}]}
    return run_conditions(spec)


def test_each_condition_is_drawn_on_its_own_bins(two_bin_widths):
    ds = two_bin_widths
    reference = ps.load_model("gate_control").si("readout.bin")
    assert reference != 0.025  # the premise: the two conditions' bins differ
    fig = conditions_figure(ds)
    try:
        rate_axes = [fig.axes[2 * k + 1] for k in range(2)]  # per condition: raster, then rates
        for ax, width in zip(rate_axes, (reference, 0.025)):
            x, y = (np.asarray(a, float) for a in ax.get_lines()[0].get_data())  # the PN line
            n = int(round(DURATION / width))
            np.testing.assert_allclose(x, width * (np.arange(n) + 0.5), rtol=1e-9)
            assert np.isfinite(y).all()
    finally:
        plt.close(fig)
