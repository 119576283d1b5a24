"""A conditioning or sweep file's model path is read beside the file, as every other experiment kind's is.

``model = "mymodel.toml"`` in ``proj/exp.toml`` was read from the working directory, so the file
failed to load anywhere but in ``proj/`` (and a built-in of that name could replace the user's).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from painsim import conditioning
from painsim.errors import ModelFileError, UnknownKeyError

BUILTIN = Path(__file__).resolve().parents[1] / "experiments" / "spinal_ltp_ltd.toml"


def _project(tmp_path: Path, model: str) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "mymodel.toml").write_text('[model]\nname = "mymodel"\nextends = "gate_control"\n')
    text = BUILTIN.read_text().replace('model = "gate_control"', f'model = "{model}"', 1)
    assert f'model = "{model}"' in text
    (proj / "exp.toml").write_text(text)
    (tmp_path / "elsewhere").mkdir()
    return proj / "exp.toml"


def test_a_model_file_beside_the_conditioning_file_is_found_from_any_folder(tmp_path, monkeypatch):
    exp = _project(tmp_path, "mymodel.toml")
    monkeypatch.chdir(tmp_path / "elsewhere")
    spec = conditioning.load_conditioning_spec(exp)   # was: file not found: mymodel.toml
    assert spec["experiment"]["model"] == "mymodel.toml"


def test_a_built_in_name_and_a_missing_file_behave_as_before(tmp_path, monkeypatch):
    """Negative controls: a bare built-in name still loads; a file that is nowhere is still refused."""
    monkeypatch.chdir(tmp_path)
    exp = _project(tmp_path, "gate_control")
    conditioning.load_conditioning_spec(exp)
    (exp.parent / "mymodel.toml").unlink()
    exp.write_text(exp.read_text().replace('model = "gate_control"', 'model = "mymodel.toml"', 1))
    with pytest.raises((ModelFileError, UnknownKeyError)):
        conditioning.load_conditioning_spec(exp)


SWEEP = Path(__file__).resolve().parents[1] / "experiments" / "heat_response_sweep.toml"


def test_a_sweep_file_reads_its_model_beside_it(tmp_path, monkeypatch):
    """A sweep file's relative model path is read beside the file too (it was read from the working
    directory).  Negative control: a built-in name stays the built-in's name."""
    from painsim.sweep import load_spec
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "mymodel.toml").write_text('[model]\nname = "mymodel"\nextends = "healthy"\n')
    text = SWEEP.read_text()
    assert 'model = "healthy"' in text
    (proj / "sweep.toml").write_text(text.replace('model = "healthy"', 'model = "mymodel.toml"', 1))
    (proj / "builtin.toml").write_text(text)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    spec = load_spec(proj / "sweep.toml")               # was: file not found: mymodel.toml
    assert Path(spec.model).resolve() == (proj / "mymodel.toml").resolve()
    assert load_spec(proj / "builtin.toml").model == "healthy"
