"""A sweep resumed under a file that changes only its presentation (name, description, figure; left out of
the key) reads back with the resumed file's presentation: before, ``spec.json`` kept the first run's, so
``load_sweep`` named the sweep as it was no longer called."""
from __future__ import annotations

import json

from painsim.parallel import ResultStore
from painsim.sweep import load_spec, load_sweep

SWEEP = """[sweep]
name = "{name}"
description = "{description}"
kind = "simulate"
model = "gate_control"
duration = "0.2 s"
noxious = 0.6
seed = 1
outcomes = ["pain"]

[stimulus]
type = "tonic"
rate = "50 Hz"
width = "300 us"
amplitude = "2.5 mA"

[parameters]
"stimulus.rate" = {{ values = ["10 Hz", "50 Hz"] }}
"""


def _spec(tmp_path, file, **kw):
    path = tmp_path / file
    path.write_text(SWEEP.format(**kw))
    return load_spec(path)


def _open(store, spec, resume):
    st = ResultStore(store)
    st.open(spec.key(), {"spec": spec.to_dict()}, resume=resume)
    st.close()


def test_a_resumed_store_takes_the_resumed_files_presentation(tmp_path):
    store = tmp_path / "store"
    first = _spec(tmp_path, "a.toml", name="first", description="old text")
    _open(store, first, resume=False)
    saved = json.loads((store / "spec.json").read_text())
    renamed = _spec(tmp_path, "b.toml", name="renamed", description="new text")
    assert renamed.key() == first.key()
    _open(store, renamed, resume=True)
    now = json.loads((store / "spec.json").read_text())
    assert now["spec"]["name"] == "renamed" and now["spec"]["description"] == "new text"
    # what decides the computation is unchanged: key, version and code of the first run
    assert {k: now[k] for k in ("key", "painsim_version", "code")} == \
        {k: saved[k] for k in ("key", "painsim_version", "code")}
    ds = load_sweep(store)
    assert ds.attrs["sweep"] == "renamed" and ds.attrs["description"] == "new text"


def test_a_store_opened_without_resume_by_the_same_run_keeps_its_spec(tmp_path):
    """Control: the refusal of a changed run is unchanged (a different key is refused, the file untouched)."""
    import pytest

    from painsim.errors import SpecError
    store = tmp_path / "store"
    _open(store, _spec(tmp_path, "a.toml", name="first", description="x"), resume=False)
    before = (store / "spec.json").read_text()
    other = SWEEP.replace('"0.2 s"', '"0.3 s"')
    (tmp_path / "c.toml").write_text(other.format(name="first", description="x"))
    with pytest.raises(SpecError):
        _open(store, load_spec(tmp_path / "c.toml"), resume=True)
    assert (store / "spec.json").read_text() == before
