"""Repeated brief contact heat (``painsim.fibers.heat_contacts``): the stimulus, and the temporal
summation of the projection neurons' responses that it evokes.

Craig & Andrew 2002 (J Neurophysiol 87:1902) found that lamina I spinothalamic neurons sum their
responses to repeated ~0.7-s contacts of a preheated thermode more the shorter the interval (2, 3,
5 s); people report temporal summation of second pain at 0.33 Hz and not at 0.17 Hz (Staud et al.
2007 Pain 129:130).  The stimulus tests check the encoding (contacts only, the same fibres, paired
spikes across intervals, one contact = :func:`painsim.fibers.heat`); the circuit test checks the
interval dependence against counting noise, with its carriers removed and with their decays made
fast as the negative controls.  The validation rows ``tssp_isi3`` and ``tssp_isi6`` compare the
sizes with the published ones.
"""
import numpy as np
import pytest

import painsim as ps
from painsim.analysis import spikes_per_pulse, windup_ratio
from painsim.errors import ParameterError
from painsim.fibers import heat, heat_contacts
from painsim.validation.phenotype import CONTACT_WINDOW


def test_spikes_fall_in_the_contacts_only():
    s = heat_contacts(50, 5, "2 s", "0.7 s", start="0.5 s")
    assert np.allclose(s.onsets(), [0.5, 2.5, 4.5, 6.5, 8.5])
    for cls in ("C", "Adelta"):
        t, _ = s.spikes(cls, 30, 12.0, seed=1)
        inside = np.zeros(t.size, bool)
        for on in s.onsets():
            inside |= (t >= on) & (t < on + 0.7)
        assert t.size > 0 and inside.all()
        # every contact drives the class
        assert all(np.count_nonzero((t >= on) & (t < on + 0.7)) > 0 for on in s.onsets())
    assert s.spikes("Abeta", 15, 12.0, seed=1)[0].size == 0  # Aβ ignores heat


def test_one_contact_is_heat_for_the_contact():
    assert heat_contacts(47, 1, "3 s", "0.7 s") == heat(47, 0.0, "0.7 s")  # the same stimulus, interval unused
    one, step = heat_contacts(47, 1, "3 s", "0.7 s", start="0.2 s"), heat(47, "0.2 s", "0.9 s")
    for cls in ("C", "Adelta"):
        (t1, i1), (t2, i2) = one.spikes(cls, 30, 5.0, seed=3), step.spikes(cls, 30, 5.0, seed=3)
        assert np.array_equal(t1, t2) and np.array_equal(i1, i2)


def test_each_contact_fires_the_same_spikes_whatever_the_interval():
    """Contact k draws from a stream of its own: two intervals are a paired comparison."""
    short, long = heat_contacts(47, 4, "2 s", "0.7 s"), heat_contacts(47, 4, "6 s", "0.7 s")
    ts, i_s = short.spikes("C", 30, 8.0, seed=2)
    tl, i_l = long.spikes("C", 30, 24.0, seed=2)
    for k in range(4):
        a = (ts >= 2 * k) & (ts < 2 * k + 1)
        b = (tl >= 6 * k) & (tl < 6 * k + 1)
        order_a, order_b = np.lexsort((ts[a], i_s[a])), np.lexsort((tl[b], i_l[b]))
        assert np.allclose(ts[a][order_a] - 2 * k, tl[b][order_b] - 6 * k)
        assert np.array_equal(i_s[a][order_a], i_l[b][order_b])
    # and the contacts differ from one another (fresh spikes, not one contact copied)
    first, second = ts[ts < 1], ts[(ts >= 2) & (ts < 3)] - 2
    assert first.size != second.size or not np.allclose(np.sort(first), np.sort(second))


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_contacts=0), "n_contacts"), (dict(n_contacts=True), "n_contacts"), (dict(n_contacts=2.5), "n_contacts"),
    (dict(contact="0 s"), "contact"), (dict(interval="0.5 s", contact="0.7 s"), "interval"),
    (dict(celsius=61), "celsius"), (dict(interval=3), "interval")])
def test_bad_contacts_are_refused_naming_the_parameter(kwargs, name):
    args = dict(celsius=47, n_contacts=3, interval="3 s", contact="0.7 s")
    args.update(kwargs)
    with pytest.raises(ParameterError, match=name):
        heat_contacts(**args)


def test_contacts_after_the_run_fire_nothing_and_a_bad_repetition_is_refused():
    late = heat_contacts(47, 3, "1 s", "0.5 s", start="5 s")
    t, i = late.spikes("C", 30, 2.0, seed=1)
    assert t.size == 0 and i.dtype == np.int64
    t, _ = heat_contacts(47, 3, "1 s", "0.5 s", start="1 s").spikes("C", 30, 2.5, seed=1)
    assert t.size > 0 and t.max() < 2.5  # the contacts inside the run fire, the rest are cut
    with pytest.raises(ParameterError, match="repeat"):
        ps.fibers.PhysicalStimulus("heat", 47.0, 0.0, 0.7, repeat=0)
    with pytest.raises(ParameterError, match="interval"):
        ps.fibers.PhysicalStimulus("heat", 47.0, repeat=3, interval=3.0)  # no stop: contacts never end


def test_the_description_records_the_repetition():
    d = heat_contacts(47, 3, "3 s", "0.7 s").describe()
    assert d["repeat"] == 3 and d["interval_s"] == 3.0 and d["stop_s"] - d["start_s"] == pytest.approx(0.7)
    assert "repeat" not in heat(47).describe()


CARRIERS_OFF = {"dorsal_horn.windup.can_conductance": "0 nS", "dorsal_horn.pharmacology.nk1_block": 1.0}
# the carriers with their slow decays (3 s) made fast: nothing of a contact is left at the next
FAST_CARRIERS = {"dorsal_horn.synapse.tau_nk1_decay": "0.3 s", "dorsal_horn.windup.tau_calcium": "0.3 s"}
Z = 3  # a difference counts when it exceeds 3 SE of counting noise (one-sided 0.13 % under a normal)


def _ratio_var(first, second):
    """Delta-method variance of the two-contact ratio (first + second) / 2 / first, each count Poisson.

    r = (1 + s / f) / 2: dr/ds = 1 / 2f, dr/df = -s / 2f^2, var(s) = s, var(f) = f."""
    return second / (4 * first ** 2) + second ** 2 / (4 * first ** 3)


def _paired_var(first, short, long):
    """Delta-method variance of ratio(2 s) - ratio(6 s) = (short - long) / 2 first when both intervals
    share the first contact's count (its spikes are the same: the pairing)."""
    return (short + long) / (4 * first ** 2) + (short - long) ** 2 / (4 * first ** 3)


def _summation(counts, name):
    """(effect, SE) of the interval, ratio(2 s) - ratio(6 s), and of the carriers' share at 2 s,
    ratio - ratio without carriers, and of the carriers' share at 2 s minus that at 6 s."""
    f, s2, s6 = counts[(name, 2.0)][0], counts[(name, 2.0)][1], counts[(name, 6.0)][1]
    g, t2, t6 = counts[("no_carriers", 2.0)][0], counts[("no_carriers", 2.0)][1], counts[("no_carriers", 6.0)][1]
    interval = ((s2 - s6) / (2 * f), _paired_var(f, s2, s6))
    bare = ((t2 - t6) / (2 * g), _paired_var(g, t2, t6))
    # the two circuits' counts are independent draws: their variances add
    carried = (windup_ratio([f, s2]) - windup_ratio([g, t2]), _ratio_var(f, s2) + _ratio_var(g, t2))
    share_2_vs_6 = (interval[0] - bare[0], interval[1] + bare[1])
    return {k: (d, np.sqrt(v)) for k, (d, v) in
            dict(interval=interval, carried=carried, share_2_vs_6=share_2_vs_6).items()}


def test_summation_needs_short_intervals_and_its_carriers():
    """Two 0.7-s contacts of 47 °C 2 s or 6 s apart, with and without the carriers of wind-up
    (NK1 blocked and no CAN current), and with their decays made fast (0.3 s), in one batch (2
    circuits; the ratio is mean / first).  The afferent spikes of contact k are the same in every
    condition, so the interval's effect and the carriers' share are paired differences; each must
    exceed Z standard errors of the pooled PN spike counts (Poisson: a fixed circuit driven by the
    same afferent spikes varies less, so the bound is wide), and with fast decays neither may."""
    m = ps.load_model("gate_control")
    models = {"default": m, "no_carriers": m.with_params(CARRIERS_OFF), "fast": m.with_params(FAST_CARRIERS)}
    contacts = {isi: heat_contacts(47, 2, f"{isi} s", "0.7 s") for isi in (2.0, 6.0)}
    keys = [(name, isi, s) for name in models for isi in contacts for s in (1, 2)]
    res = ps.simulate_batch([ps.Request(models[n], None, contacts[isi], seed=s) for n, isi, s in keys], "8 s")
    counts = {}  # pooled PN spikes per contact (spikes_per_pulse is per neuron)
    for (name, isi, _), r in zip(keys, res):
        n_pn = ps.readouts.population_spikes(r, "PN", sort=True)[2]
        per_contact = np.rint(n_pn * spikes_per_pulse(r, contacts[isi].onsets(), CONTACT_WINDOW, "PN"))
        counts[(name, isi)] = counts.get((name, isi), 0) + per_contact
    for name in models:  # the pairing: nothing precedes the first contact, so its count is shared
        assert counts[(name, 2.0)][0] == counts[(name, 6.0)][0] > 0, (name, counts)
    ref, fast, bare = _summation(counts, "default"), _summation(counts, "fast"), _summation(counts, "no_carriers")
    # with the carriers' 3-s decays a contact's carrier is exp(-2/3) = 0.51 left at the next onset 2 s
    # on, exp(-6/3) = 0.14 at 6 s: more summation at 2 s, added by the carriers, more at 2 s than at 6 s
    for key in ("interval", "carried", "share_2_vs_6"):
        assert ref[key][0] > Z * ref[key][1], (key, ref, counts)
    # negative control: without the carriers the interval moves the ratio by no more than noise
    assert abs(bare["interval"][0]) < Z * bare["interval"][1], (bare, counts)
    # negative control: carriers that fade in 0.3 s (exp(-2/0.3) = 0.001 left) carry nothing from one
    # contact to the next: the test fails on the mechanism removed
    for key in ("interval", "carried", "share_2_vs_6"):
        assert fast[key][0] <= Z * fast[key][1], (key, fast, counts)
