"""Conditioning stimuli at other body sites in a conditions file (``heterotopic``): the design of
diffuse noxious inhibitory controls and conditioned pain modulation (a test stimulus at the
condition's site, a conditioning stimulus on a remote body part; experiments/cpm_dnic.toml).

Checked: what a ``heterotopic`` table may hold (each bad value refused naming its key, before any
simulation); that it reaches the simulation as the same per-site stimuli the API takes; and, run
from a file, that remote noxious heat drives the remote site and inhibits the test site while
remote brush does not inhibit it, and that with the loop's descending limb cut (``dnic.integrity = 0``
in the condition's ``params``) remote heat inhibits nothing (the DNIC loop's own properties are in
tests/test_dnic.py).
"""
import pytest

import painsim as ps
from painsim.errors import ParameterError, UnknownKeyError
from painsim.fibers import brush, heat
from painsim.files.conditions import condition_request, heterotopic_stimuli, run_conditions
from painsim.files.summaries import condition_rows
from painsim.files.validate import check_conditions
from batches import exceeds, spikes_after_transient


@pytest.mark.parametrize("value, name", [
    (3, "condition[0].heterotopic"),
    ([], "condition[0].heterotopic"),
    ({"heat": 52.0}, "condition[0].heterotopic.site"),                 # the site is required
    ({"site": 1.5, "heat": 52.0}, "condition[0].heterotopic.site"),
    ({"site": True, "heat": 52.0}, "condition[0].heterotopic.site"),
    ({"site": 0}, "condition[0].heterotopic"),                        # a site and no stimulus
    ({"site": 0, "heat": 70.0}, "condition[0].heterotopic.heat"),      # above the heat encoding's range
    ({"site": 0, "heat": 52.0, "pinprick": 64.0}, "condition[0].heterotopic"),  # two noxious stimuli
    ([{"site": 0, "heat": 52.0}, {"site": 0, "brush": True}], "condition[0].heterotopic[1].site"),
    ([{"site": 0, "heat": 52.0}, {"site": 1, "heat": 20.0}], "condition[0].heterotopic[1].heat"),
])
def test_a_bad_heterotopic_table_is_refused_naming_its_key(value, name):
    with pytest.raises(ParameterError) as err:
        heterotopic_stimuli({"heat": 47.0, "heterotopic": value}, 0)
    assert err.value.name == name


def test_a_misspelt_heterotopic_key_names_the_nearest_one():
    with pytest.raises(UnknownKeyError, match="heat"):
        heterotopic_stimuli({"heterotopic": {"site": 0, "haet": 52.0}}, 0)


def test_a_file_with_a_bad_heterotopic_stimulus_is_refused_when_checked(tmp_path):
    spec = {"experiment": {"name": "x", "model": "healthy", "duration": "1 s"},
            "condition": [{"heat": 47.0, "heterotopic": {"site": 0, "heat_contacts": {"celsius": 50.0,
                                                                                      "n_contacts": 5}}}]}
    with pytest.raises(ParameterError) as err:   # 5 contacts 3 s apart do not end within 1 s
        check_conditions(spec, tmp_path / "x.toml")
    assert err.value.name == "condition[0].heterotopic.heat_contacts"


def test_the_stimuli_reach_the_simulation_as_the_api_takes_them():
    model = ps.load_model("healthy")
    painful = int(model.si("body.painful_site"))
    one = condition_request({"heat": 47.0, "heterotopic": {"site": 0, "heat": 52.0}}, 0, model, 1)
    assert one.noxious == {painful: heat(47.0), 0: heat(52.0)}
    assert one.touch == {painful: 0.0, 0: 0.0}
    two = condition_request({"site": 3, "heat": 47.0,
                    "heterotopic": [{"site": 0, "brush": True}, {"site": 1, "heat": 50.0}]}, 0, model, 1)
    assert two.noxious == {3: heat(47.0), 0: 0.0, 1: heat(50.0)}
    assert two.touch == {3: 0.0, 0: brush(), 1: 0.0}
    without = condition_request({"heat": 47.0}, 0, model, 1)   # without the key: one stimulus, at the painful site
    assert without.noxious == heat(47.0) and without.touch == 0.0


@pytest.mark.parametrize("model_name, condition, name", [
    ("healthy", {"heat": 47.0, "site": 0, "heterotopic": {"site": 0, "heat": 52.0}},
     "condition[0].heterotopic.site"),                                 # the condition's own site
    ("healthy", {"heat": 47.0, "heterotopic": {"site": 9, "heat": 52.0}}, "condition[0].heterotopic.site"),
    ("healthy", {"heat": 47.0, "site": 9, "heterotopic": {"site": 0, "heat": 52.0}}, "condition[0].site"),
    ("gate_control", {"heat": 47.0, "heterotopic": {"site": 1, "heat": 52.0}},
     "condition[0].heterotopic.site"),                                 # a one-site model has no remote site
])
def test_sites_are_checked_against_the_model_before_any_run(model_name, condition, name):
    with pytest.raises(ParameterError) as err:
        condition_request(condition, 0, ps.load_model(model_name), 1)
    assert err.value.name == name


def _pn_counts(ds, model, site):
    """``site``'s PN spikes after the readout transient, per condition of a conditions Dataset
    (the spikes behind its ``site_pn_rate``)."""
    return [spikes_after_transient([ds], "PN", site=site, condition=k) for k in range(ds.sizes["condition"])]



def test_remote_heat_from_a_file_drives_its_site_and_inhibits_the_test_site():
    """One circuit, 1 s; each comparison of spike counts beyond 3 Poisson sd (``exceeds``, tests/batches.py).  Remote heat
    drives the remote site's PN (more than remote brush does) and the test site's PN fire less (DNIC:
    published 60-100 %, Le Bars, Dickenson & Besson 1979; its size is the validation row
    dnic_remote_heat's); remote brush lowers them by no more than counting noise (innocuous
    conditioning is ineffective, the same paper).  Negative control: with the descending limb cut
    (``dnic.integrity = 0`` through the condition's ``params``, i.e. ``with_params``) the SRD still
    fires to remote heat but the test site's count does not fall."""
    model = ps.load_model("healthy")
    painful = int(model.si("body.painful_site"))
    cut = {"dnic.integrity": 0.0}
    spec = {"experiment": {"name": "cpm", "model": "healthy", "duration": "1 s", "seed": 1},
            "condition": [{"label": "test", "heat": 47.0},
                          {"label": "test + remote heat", "heat": 47.0, "site": painful,
                           "heterotopic": {"site": 0, "heat": 52.0}},
                          {"label": "test + remote brush", "heat": 47.0, "heterotopic": {"site": 0, "brush": True}},
                          {"label": "test, cut", "heat": 47.0, "params": cut},
                          {"label": "test + remote heat, cut", "heat": 47.0, "params": cut,
                           "heterotopic": {"site": 0, "heat": 52.0}}]}
    ds = run_conditions(spec)
    site = _pn_counts(ds, model, 0)
    assert site[0] == 0 and exceeds(site[1], site[2]), site      # remote heat drives site 0, brush less
    test, heat_, brush_, cut_test, cut_heat = _pn_counts(ds, model, painful)
    assert exceeds(test, heat_), (test, heat_)
    assert not exceeds(test, brush_), (test, brush_)
    srd = ds["srd_rate"].values
    assert srd[0] < srd[1] and srd[3] < srd[4]                  # the SRD answer remote heat, cut or not
    assert not exceeds(cut_test, cut_heat), (cut_test, cut_heat)
    remote_heat = float(ds["pn_rate"].values[1])
    rows = condition_rows(ds)   # the printed line names the test site's rate, not the remote one's
    assert f"PN {remote_heat:5.1f} Hz (test site {painful})" in rows[1]
    assert f"(painful site {painful})" in rows[2]   # no site given: the test stimulus is at the painful site
    assert f"(painful site {painful})" in rows[0]   # the same site named the same way alone (was "site 2")
