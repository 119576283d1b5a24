"""A cohort and the parameters its patients draw.

Each patient sets the model paths of :data:`painsim.cohort.PATIENT_TO_MODEL` from its own
attributes.  A model variant (``--set``, :func:`painsim.params.overriding`) at such a path was
recorded in the result (``model_overrides``) but silently replaced by every patient's draw, so a
cohort "with descending.integrity = 0.05" ran with 0.5-0.9; the file's ``[params]`` at such a path
likewise.  Now the variant wins (every patient has its value, the table's column says so, with a
warning), ``[params]`` at such a path is refused at load (``[distributions]`` pins an attribute),
and a ``[distributions]`` value every patient has is checked against the model at load, naming
the file's key (it was refused under the model path, after loading).
"""
from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import painsim as ps
from painsim import cohort
from painsim.errors import ParameterError
from painsim.params import read_toml

COHORT_FILE = "experiments/rtms_cohort.toml"


def _fake_courses(monkeypatch):
    """The course engine replaced by relief = descending integrity (no simulation): what each
    patient's model really holds."""
    def fake_run_course_batch(models, protocol, seeds=None, batch_size=16, **kw):
        return [xr.Dataset({"baseline_pain": ((), 6.0),
                            "relief": (("day",), [0.0, 100 * m.si("descending.integrity")], {"units": "%"})},
                           coords={"day": [0, 4]}) for m in models]
    monkeypatch.setattr("painsim.course.run_course_batch", fake_run_course_batch)


def test_a_model_variant_at_a_patient_path_reaches_every_patient(monkeypatch):
    """Under ``--set descending.integrity=0.05`` every patient's model holds 0.05 (relief 0.05
    from the stand-in engine) and the result's column says 0.05, with a warning naming the path.
    Negative control: without the variant each patient has its own draw, as the table says."""
    _fake_courses(monkeypatch)
    table = cohort.sample(4, seed=3)
    assert table["descending_integrity"].nunique() == 4  # drawn per patient (the control can fail)
    plain = cohort.run(table, protocol=object())
    np.testing.assert_allclose(plain["relief"], table["descending_integrity"])
    with ps.params.overriding({"descending.integrity": 0.05}):
        assert cohort.pinned_attributes() == {"descending_integrity": "descending.integrity"}
        with pytest.warns(UserWarning, match="descending.integrity"):
            pinned = cohort.run(table, protocol=object())
    np.testing.assert_allclose(pinned["relief"], 0.05)
    np.testing.assert_allclose(pinned["descending_integrity"], 0.05)
    np.testing.assert_array_equal(pinned["disinhibition"], table["disinhibition"])  # others still drawn


def test_a_variant_with_a_unit_is_written_in_the_attributes_unit(monkeypatch):
    """``afferents.Abeta.threshold_current`` (an attribute in mA): the column holds the variant's
    value in mA whatever unit it was given in."""
    _fake_courses(monkeypatch)
    table = cohort.sample(2, seed=3)
    with ps.params.overriding({"afferents.Abeta.threshold_current": "700 uA"}), pytest.warns(UserWarning):
        out = cohort.run(table, protocol=object())
    np.testing.assert_allclose(out["afferent_threshold"], 0.7)


def _spec(**tables):
    return {**read_toml(COHORT_FILE), **tables, "_path": COHORT_FILE}


def test_params_at_a_patient_path_is_refused_by_the_file_key():
    """``[params] "descending.integrity" = 0.05`` would be replaced by each patient's draw: refused
    naming ``params.descending.integrity`` (the hint names [distributions]).  Negative control: a
    path no patient sets loads."""
    with pytest.raises(ParameterError, match="distributions") as err:
        cohort.load_cohort_spec(_spec(params={"descending.integrity": 0.05}))
    assert err.value.name == "params.descending.integrity"
    cohort.load_cohort_spec(_spec(params={"readout.transient": "0.2 s"}))


@pytest.mark.parametrize("dists, name", [({"disinhibition": 3.0}, "distributions.disinhibition"),
                                         ({"afferent_threshold": -1.0}, "distributions.afferent_threshold"),
                                         ({"descending_integrity": {"central": 2.0}},
                                          "distributions.descending_integrity.central")])
def test_a_fixed_value_the_model_refuses_is_named_by_its_file_key(dists, name):
    """A value every patient has (a plain number, also per group) outside what the model takes is
    refused at load naming the file's key, not later as ``pathology.disinhibition``.  Negative
    control: the same keys with values the model takes load as fixed distributions."""
    with pytest.raises(ParameterError) as err:
        cohort.load_cohort_spec(_spec(distributions=dists))
    assert err.value.name == name
    ok = cohort.load_cohort_spec(_spec(distributions={"disinhibition": 0.5, "afferent_threshold": 0.4}))
    assert isinstance(ok["distributions"]["disinhibition"], cohort.Fixed) and ok["distributions"]["disinhibition"].value == 0.5
