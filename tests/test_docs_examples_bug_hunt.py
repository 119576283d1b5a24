"""Findings of the documentation-examples hunt (2026-12-07).

``painsim.fibers.population_for`` is what docs/stimulation.md names for its PNS recruitment
table; given the model a user holds it raised a bare ``TypeError: 'Model' object is not
subscriptable``.  It takes a model (its ``afferents`` section) as well as the section itself.
"""
from __future__ import annotations

import numpy as np
import pytest

import painsim as ps
from painsim.errors import ParameterError
from refusals import refused


@pytest.fixture(scope="module")
def lead():
    return ps.stimulation.tonic("100 Hz", "200 us", "20 mA", "0.1 s", target="peripheral_nerve")


def test_population_for_takes_a_model_and_draws_the_same_fibres_as_its_section(lead):
    model = ps.load_model("post_traumatic_neuropathic")
    from_model = ps.fibers.population_for(lead, model, 1)
    from_section = ps.fibers.population_for(lead, model.section("afferents"), 1)
    assert from_model is not None
    for field in ("labels", "diameter", "distance"):
        np.testing.assert_array_equal(getattr(from_model, field), getattr(from_section, field))
    assert from_model.sigma == from_section.sigma
    # negative control: another seed draws other fibres
    assert not np.array_equal(ps.fibers.population_for(lead, model, 2).diameter, from_model.diameter)


def test_population_for_refuses_what_is_neither_a_model_nor_a_section(lead):
    refused(lambda: ps.fibers.population_for(lead, [1, 2], 1), "params", ParameterError, allowed=True)
