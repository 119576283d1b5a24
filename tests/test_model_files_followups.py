"""Two model-file defects a first-use review found.

* ``extends = "base.toml"`` in a model file was read from the working directory, not from the
  file's own folder, so a user model beside the one it extends loaded only from that folder (and the
  error did not say which file asked for the base).
* ``Model.si`` returned an int for a plain number given where the reference holds a float
  (``with_params({"pathology.ectopic_rate": 0})``), against its "SI units (float)".
"""
from __future__ import annotations

import pytest

import painsim as ps
from painsim.errors import ModelFileError, UnknownKeyError


def _models(folder):
    folder.mkdir()
    (folder / "base.toml").write_text('[model]\nname = "base"\nextends = "neuropathic"\n'
                                      '[pathology]\nectopic_rate = "3 Hz"\n')
    (folder / "mine.toml").write_text('[model]\nname = "mine"\nextends = "base.toml"\n')
    return folder


def test_a_relative_extends_is_read_beside_the_file(tmp_path, monkeypatch):
    folder = _models(tmp_path / "models")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)           # the file's folder is not the working directory
    m = ps.load_model(folder / "mine.toml")
    assert m.si("pathology.ectopic_rate") == 3.0
    # negative control: the same chain from the file's own folder, as before
    monkeypatch.chdir(folder)
    assert ps.load_model("mine.toml").si("pathology.ectopic_rate") == 3.0


def test_a_missing_base_names_the_file_that_extends_it(tmp_path, monkeypatch):
    folder = _models(tmp_path / "models")
    (folder / "orphan.toml").write_text('[model]\nextends = "no_such_base.toml"\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelFileError, match="orphan.toml.*no_such_base.toml"):
        ps.load_model(folder / "orphan.toml")


def test_built_in_bases_are_found_as_before(tmp_path):
    """Negative control: a built-in name still wins unless a file of that name sits beside the model,
    and a misspelt built-in still names the nearest."""
    (tmp_path / "m.toml").write_text('[model]\nextends = "neuropathic"\n')
    assert ps.load_model(tmp_path / "m.toml").si("pathology.disinhibition") == \
        ps.load_model("neuropathic").si("pathology.disinhibition")
    (tmp_path / "typo.toml").write_text('[model]\nextends = "neuropathc"\n')
    with pytest.raises(UnknownKeyError, match="neuropathic"):
        ps.load_model(tmp_path / "typo.toml")


def test_si_is_a_float_where_the_reference_holds_one():
    m = ps.load_model("gate_control")
    for path, value in (("pathology.ectopic_rate", 0), ("pathology.sensitization", 2)):
        got = m.with_params({path: value}).si(path)
        assert type(got) is float and got == value
    # negative control: whole-number parameters stay ints
    assert type(m.with_params({"afferents.C.n": 8}).si("afferents.C.n")) is int
