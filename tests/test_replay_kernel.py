"""The course engine's replay kernels: a chunk replayed in one kernel call equals, bit for
bit, the replay window by window (one ``apply_unchecked`` per window and side, the path
before the kernels), and agrees with the rules' plain-numpy references.

Synthetic spikes (no brian2) for the exact comparisons, then a small course and a small
batch of patients on the runtime engine through both paths (issue 17).
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

import painsim as ps
from painsim.errors import ParameterError
from painsim.course import session as S
from painsim.plasticity import BCM, CalciumRule, PairSTDP, TBSCalcium, TripletSTDP

L = 1.0
#: a chunk of 5.5 s: whole windows, fractional replays, a window repeated, the companion
SCHEDULE = [(0, 2.5), (1, 0.7), (2, 0.55), (0, 1.25), (3, 0.5)]
#: a patterned protocol's chunk: trains and long pauses (window 3 has the companion's spikes),
#: where the STDP kernel skips the synapses whose neurons' states agree on both sides
PAUSES = [(0, 1.0), (1, 3.0), (3, 25.0), (2, 1.0), (3, 20.5)]

RULES = {
    "triplet_all_to_all": TripletSTDP.preset("visual_cortex_all_to_all"),
    "triplet_nearest": TripletSTDP.preset("hippocampal_nearest"),
    "pair_multiplicative": PairSTDP(update="multiplicative", A_plus=0.02, A_minus=0.021),
    "calcium_spinal_presynaptic": CalciumRule.preset("spinal_presynaptic"),
    "calcium_pre_post": CalciumRule.preset("DP"),
    "tbs_calcium": TBSCalcium(),
}


def _train(rng, n, rate):
    k = rng.poisson(rate * n * L)
    return np.sort(rng.uniform(0.0, L, k)), rng.integers(0, n, k).astype(np.int64)


def _setup(rule, seed=0, n_pre=30, n_post=12, n_syn=150):
    """A patient with one plastic connection, three stimulated windows (the fourth of the
    schedule is the companion, as a pause window is) and the companion."""
    rng = np.random.default_rng(seed)
    p = S.Patient(None, seed, {"c": (rule, 0.0, 2.0)}, {"c": ("A", "B")}, None)
    p.syn["c"] = (rng.integers(0, n_pre, n_syn).astype(np.int64), rng.integers(0, n_post, n_syn).astype(np.int64),
                  n_pre, n_post)
    p.w_set["c"] = rng.uniform(0.2, 1.8, n_syn)
    p.early["c"], p.late["c"] = np.zeros(n_syn), np.zeros(n_syn)

    def spikes(rate):
        (a, i), (b, j) = _train(rng, n_pre, rate), _train(rng, n_post, rate)
        return S.ConnSpikes(a, i, b, j)
    companion = {"c": spikes(4.0)}
    per_window = [{"c": spikes(r)} for r in (20.0, 12.0, 30.0)] + [companion]
    return p, per_window, companion


def _replay(mode, p, per_window, companion, chunks=3, schedule=SCHEDULE):
    """``chunks`` consecutive chunks (rule states carried) through ``replay_chunk`` in ``mode``."""
    old, S.REPLAY = S.REPLAY, mode
    try:
        p = copy.deepcopy(p)
        states, clock = {}, 0.0
        chunk = S.Chunk(sum(d for _, d in schedule), [None] * len(per_window), schedule)
        for _ in range(chunks):
            S.replay_chunk(p, chunk, per_window, companion, states, clock, L)
            clock += chunk.duration
        return p.early["c"], states.get("c")
    finally:
        S.REPLAY = old


def _bits(a):
    return np.ascontiguousarray(a, np.float64).view(np.uint64)


def _identical(a, b):
    """Efficacy changes and every rule state array equal bit for bit."""
    (ea, sa), (eb, sb) = a, b
    return np.array_equal(_bits(ea), _bits(eb)) and all(
        np.array_equal(_bits(sa[side][k]), _bits(sb[side][k])) for side in "fg" for k in sa[side])


@pytest.mark.parametrize("schedule", [SCHEDULE, PAUSES], ids=["windows", "pauses"])
@pytest.mark.parametrize("name", sorted(RULES))
def test_chunk_kernel_equals_the_window_by_window_replay_bit_for_bit(name, schedule):
    p, per_window, companion = _setup(RULES[name])
    chunk = _replay("chunk", p, per_window, companion, schedule=schedule)
    assert np.abs(chunk[0]).max() > 1e-3  # the replay changed something
    assert _identical(chunk, _replay("window", p, per_window, companion, schedule=schedule))


def test_stdp_kernel_skips_synapses_whose_neurons_agree_during_pauses():
    """The pauses' work left out is real (fewer synapse updates than one kernel call per
    window and side makes), and the result is the same bit for bit (test above)."""
    rule = RULES["triplet_all_to_all"]
    p, per_window, companion = _setup(rule)
    syn_pre, syn_post, n_pre, n_post = p.syn["c"]
    lo, hi = np.zeros(syn_pre.size), np.full(syn_pre.size, 2.0)
    win, start, length = S._replays(PAUSES, 0.0, L)
    w = p.w_set["c"].copy()
    st = {s: rule.initial_state(syn_pre.size, n_pre, n_post) for s in "fg"}
    counted = 0
    for k, t, d in zip(win, start, length):
        new = {}
        for side, sp in (("f", per_window[k]["c"]), ("g", companion["c"])):
            new[side], st[side], n = rule.apply_counted(*S._replayed_spikes(sp, t, d), syn_pre, syn_post, w,
                                                        st[side], t, t + d, 0.0, 2.0)
            counted += n
        w = np.clip(w + (new["f"] - new["g"]), 0.0, 2.0)
    w_kernel = p.w_set["c"].copy()
    st_kernel = {s: rule.initial_state(syn_pre.size, n_pre, n_post) for s in "fg"}
    made = rule.replay_windows(*S._windows_csr([x["c"] for x in per_window] + [companion["c"]]), win, start, length,
                               syn_pre, syn_post, w_kernel, lo, hi, st_kernel["f"], st_kernel["g"])
    assert np.array_equal(_bits(w_kernel), _bits(w))  # apply_counted: the same kernel, inputs checked
    assert made < 0.8 * counted


@pytest.mark.parametrize("name", sorted(RULES))
def test_chunk_kernel_agrees_with_the_numpy_reference(name):
    """The truth: the same replay loop through ``apply_reference`` (explicit sums over spike
    histories instead of traces: equal up to rounding)."""
    rule = RULES[name]
    p, per_window, companion = _setup(rule)
    early, _ = _replay("chunk", p, per_window, companion, chunks=1)
    syn_pre, syn_post, n_pre, n_post = p.syn["c"]
    w = p.w_set["c"].copy()
    st = {s: rule.initial_state(syn_pre.size, n_pre, n_post) for s in "fg"}
    t = 0.0
    for k, dur in SCHEDULE:
        for length in S._replay_lengths(dur, L):
            new = {}
            for side, sp in (("f", per_window[k]["c"]), ("g", companion["c"])):
                new[side], st[side] = rule.apply_reference(*S._replayed_spikes(sp, t, length), syn_pre, syn_post, w,
                                                           st[side], t, t + length, 0.0, 2.0)
            w = np.clip(w + (new["f"] - new["g"]), 0.0, 2.0)
            t += length
    # the references sum explicitly what the kernels carry as traces: equal up to rounding
    np.testing.assert_allclose(early, w - p.w_set["c"], rtol=0, atol=1e-12)


def test_a_changed_spike_changes_the_result():
    """Negative control: the comparison can fail.  One presynaptic spike of a stimulated
    window moved by 1 ms changes the efficacies, on both paths alike."""
    rule = RULES["triplet_all_to_all"]
    p, per_window, companion = _setup(rule)
    base = _replay("chunk", p, per_window, companion)
    moved = copy.deepcopy(per_window)
    sp = moved[0]["c"]
    k = sp.pre_t.size // 2
    sp.pre_t[k] = min(sp.pre_t[k] + 1e-3, 0.5 * (sp.pre_t[k] + sp.pre_t[k + 1]))  # still sorted
    changed = _replay("chunk", p, moved, companion)
    assert not _identical(base, changed)
    assert _identical(changed, _replay("window", p, moved, companion))


def test_windows_like_the_companion_change_nothing_on_either_path():
    rule = RULES["triplet_all_to_all"]
    p, _, companion = _setup(rule)
    per_window = [companion] * 4
    for mode in ("chunk", "window"):
        early, states = _replay(mode, p, per_window, companion)
        assert np.all(early == 0.0) and states["sync"]


def test_rules_without_a_kernel_keep_the_window_by_window_replay():
    rule = BCM()
    assert not rule.replay_kernel
    with pytest.raises(NotImplementedError):
        rule.replay_windows(*[None] * 16)
    p, per_window, companion = _setup(rule)
    assert _identical(_replay("chunk", p, per_window, companion, chunks=1),
                      _replay("window", p, per_window, companion, chunks=1))


# ---------------------------------------------------------------- through the course engine
# the pain test is not read here: its shortest allowed window (longer than readout.transient, 0.3 s,
# plus the 0.1-s readout window of painsim.readouts.rates.MIN_READOUT_WINDOW)
FAST = {"network.dt": "0.2 ms", "course.window": "1 s", "course.n_chunks": 1, "course.test_duration": "0.4 s"}


#: 1 Hz C-strength conditioning (its calcium rule at C -> PN), and the same with triplet STDP there
PROTOCOLS = {
    "calcium": {},
    "triplet_stdp": {"plasticity.c_pn.rule": "triplet_stdp", "plasticity.c_pn.preset": "hippocampal_all_to_all"},
}


def _course(mode, rule, seeds):
    old, S.REPLAY = S.REPLAY, mode
    try:
        m = ps.load_model("neuropathic").with_params(FAST)
        spec = {"base": "lfs_1hz", "name": f"lfs_{rule}", "days": [0, 1], "end_day": 3, "session_duration": "1 min"}
        if PROTOCOLS[rule]:
            spec["plasticity"] = PROTOCOLS[rule]
        return ps.course.run_course_batch(m, ps.protocols.from_spec(spec), seeds, follow_up_days=(3,),
                                          tests="follow_up")
    finally:
        S.REPLAY = old


@pytest.mark.parametrize("rule", sorted(PROTOCOLS))
def test_course_and_patient_batch_identical_through_both_replays(rule):
    """A small batch of patients (2 seeds, one network per chunk), the course engine end to
    end on the runtime engine: every efficacy and relief identical on both paths."""
    chunk, window = _course("chunk", rule, [1, 2]), _course("window", rule, [1, 2])
    w = [v for v in chunk.data_vars if v.startswith("w_")]
    assert w and float(np.nanmax(np.abs(chunk["w_c_pn"].values - chunk["w_c_pn"].values[:, :1]))) > 0
    for v in [*w, "relief", "pain", "baseline_pain"]:
        assert np.array_equal(chunk[v].values, window[v].values, equal_nan=True), v


def test_a_misspelt_replay_mode_is_refused(monkeypatch):
    """$PAINSIM_REPLAY chooses the replay path; a value other than chunk/window is an error naming it,
    not a silent fallback (control: both valid values are accepted)."""
    from painsim.course import session
    for ok in session.REPLAY_MODES:
        monkeypatch.setattr(session, "REPLAY", ok)
        assert session.replay_mode() == ok
    monkeypatch.setattr(session, "REPLAY", "windows")
    with pytest.raises(ParameterError, match="PAINSIM_REPLAY"):
        session.replay_mode()
