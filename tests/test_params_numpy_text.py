"""Pharmacology and presets pass (2026-12-07, a ninth session): numpy text for a word-valued parameter,
and text for a unitless dose."""
import numpy as np
import pytest

import painsim as ps
from painsim.errors import ModelFileError, UnknownKeyError


@pytest.mark.parametrize("path, word", [("pathology.extent", "widespread"), ("pathology.etiology", "central"),
                                        ("pathology.stroke", "ischemic"), ("afferents.recruitment", "biophysical")])
def test_a_numpy_string_is_the_word_it_holds(path, word):
    """np.str_ (a saved result's label, an element of an array of words) was refused with
    "expected one of (..., word, ...)"; negative control: a word outside the choices still is."""
    m = ps.load_model("peripheral_neuropathic")
    assert m.with_params({path: np.str_(word)}).si(path) == word
    assert type(m.with_params({path: np.str_(word)}).leaves[path].text) is str  # saved as plain JSON text
    with pytest.raises(UnknownKeyError, match="nonsense"):
        m.with_params({path: np.str_("nonsense")})


@pytest.mark.parametrize("path", ["dorsal_horn.pharmacology.morphine", "dorsal_horn.pharmacology.gaba_block"])
def test_text_for_a_unitless_dose_says_a_plain_number(path):
    """'high' for a dose said "neither a number with a unit ("50 Hz") nor an allowed word": a number with
    a unit is itself refused there.  Negative control: text for a quantity keeps that message."""
    m = ps.load_model("peripheral_neuropathic")
    with pytest.raises(ModelFileError, match="plain number without a unit") as e:
        m.with_params({path: "high"})
    assert path in str(e.value) and "50 Hz" not in str(e.value)
    with pytest.raises(ModelFileError, match="number with a unit"):
        m.with_params({"dorsal_horn.background.rate": "high"})
