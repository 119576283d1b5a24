"""Validation measurements of the endogenous opioid system: what naloxone removes (rTMS, TENS,
DNIC), low- against high-frequency TENS, and tolerance to daily TENS.

Each ``measure(seed)`` averages the circuits ``seed`` .. ``seed + N_SEEDS - 1`` as the other
measurements of :mod:`painsim.validation.measurements` do; the targets that use them are in
:mod:`painsim.validation.targets`.  Naloxone is ``dorsal_horn.pharmacology.opioid_block = 1``: no
opioid reaches the mu receptors of the dorsal horn, the PAG/RVM relay or the cingulate.
"""
from __future__ import annotations

from dataclasses import replace

from ..fibers import heat
from ..params import load_model
from ..protocols import get as get_protocol
from ..simulation import Request
from ..stimulation import rtms
from ..tolerance import NALOXONE, tolerance_course
from .calibration import TOLERANCE_SESSION, remote_tens_effects, tolerance_calendar
from .measurements import DNIC_CELSIUS, N_SEEDS, heterotopic_requests
from .measurements import _mean_pn  # shared on purpose: the batch-mean helper of every measurement

__all__ = ["naloxone_share_of_rtms", "naloxone_share_of_tens", "LOW_FREQUENCY_TENS",
           "low_frequency_tens", "tens_low_frequency_ratio", "TOLERANCE_DAY", "tens_tolerance_day5",
           "dnic_naloxone_share"]



def naloxone_share_of_rtms(seed: int) -> float:
    """Fraction of the PN reduction by a 20 Hz M1 train (80 % RMT, peripheral_neuropathic,
    noxious 0.6) that naloxone removes."""
    m = load_model("peripheral_neuropathic")
    nal = m.with_params(NALOXONE)
    sham = rtms(intensity=0.0, n_trains=1, train_duration="1.5 s")
    real = rtms(intensity=0.8, n_trains=1, train_duration="1.5 s")
    seeds = range(seed, seed + N_SEEDS)
    a, b, c, d = _mean_pn([Request(mm, st, 0.6, seed=s) for mm, st in ((m, sham), (m, real), (nal, sham), (nal, real))
                           for s in seeds], "1.5 s")
    effect, blocked = a - b, c - d
    return 1.0 - blocked / effect if effect > 0 else float("nan")


def naloxone_share_of_tens(seed: int) -> float:
    """Fraction of the PN reduction by conventional TENS (100 Hz, 1.5 x Aβ threshold) at a remote
    site (site 0) of the response to 47 °C heat at the painful site (healthy pathway, 4 circuits)
    that naloxone removes.  Remote, because the published reversal is of secondary hyperalgesia
    (TENS at the inflamed knee, heat at the paw: Sluka et al. 1999 [recalled]); at the stimulated site the
    segmental gate adds a naloxone-insensitive part (Maeda et al. 2007: bicuculline)."""
    m = load_model("healthy")
    effect, blocked = remote_tens_effects([m, m.with_params(NALOXONE)], range(seed, seed + N_SEEDS),
                                          "tens_conventional")
    return 1.0 - blocked / effect if effect > 0 else float("nan")


#: Low-frequency TENS of the rat studies: 4 Hz at the same intensity as 100 Hz (Sluka et al. 1999;
#: Sato et al. 2012: "low-frequency (LF) and high-frequency (HF) TENS, delivered at the same intensity").
LOW_FREQUENCY_TENS = "4 Hz"


def low_frequency_tens():
    """``tens_conventional`` at :data:`LOW_FREQUENCY_TENS`: same calendar, amplitude, pulse width and
    electrodes, only the rate changed (a :class:`painsim.protocols.Protocol`)."""
    high = get_protocol("tens_conventional")
    return replace(high, name="tens_low_frequency", stimulus={**high.stimulus, "rate": LOW_FREQUENCY_TENS},
                   period=None, description=f"{high.description}; at {LOW_FREQUENCY_TENS}")


def tens_low_frequency_ratio(seed: int) -> float:
    """PN reduction by TENS at 4 Hz over that by TENS at 100 Hz, both with ``tens_conventional``'s
    amplitude and pulse width (1.5 x Aβ threshold, 100 µs), at a remote site (site 0), of the response
    to 47 °C heat at the painful site (healthy pathway, 4 circuits, 1.5 s: the measurement of
    :func:`naloxone_share_of_tens` for each frequency).  Only the rate differs, as in the rat studies."""
    m, seeds = load_model("healthy"), range(seed, seed + N_SEEDS)
    (high,), (low,) = (remote_tens_effects([m], seeds, p) for p in ("tens_conventional", low_frequency_tens()))
    return low / high if high > 0 else float("nan")


#: The daily session (0-based day) at which tolerance to TENS is read: the 5th (Sato et al. 2012;
#: Liebano et al. 2011), on the studies' calendar of 20-min daily sessions.
TOLERANCE_DAY = TOLERANCE_SESSION


def tens_tolerance_day5(seed: int) -> float:
    """Acute PN reduction by conventional TENS at a remote site (site 0) of the response to 47 °C
    heat at the painful site (healthy pathway, 4 circuits, 1.5 s: the measurement of
    :func:`naloxone_share_of_tens`) before the 5th daily 20-min session of ``tens_conventional``'s
    stimulation, over that before the 1st: the mu receptors at the efficacy their tolerance leaves
    (:func:`painsim.tolerance.tolerance_course`; each circuit's excess occupancy measured)."""
    protocol = get_protocol("tens_conventional").with_calendar(tolerance_calendar())
    ds = tolerance_course(load_model("healthy"), protocol, range(seed, seed + N_SEEDS), [0, TOLERANCE_DAY])
    effect = ds["effect"].mean("seed")
    first = float(effect.sel(day=0))
    return float(effect.sel(day=TOLERANCE_DAY)) / first if first > 0 else float("nan")


def dnic_naloxone_share(seed: int) -> float:
    """Fraction of the diffuse noxious inhibitory control of :func:`~painsim.validation.measurements.dnic_heat`
    (52 °C at the remote site on the painful site's response to 47 °C, healthy pathway, 1.5 s, 4 circuits)
    that naloxone removes: 1 - (inhibition under naloxone) / (inhibition without); one batch."""
    m = load_model("healthy")
    conditioning = lambda: heat(DNIC_CELSIUS)  # noqa: E731
    alone, conditioned, alone_nal, conditioned_nal = _mean_pn(
        heterotopic_requests(m, conditioning, seed) + heterotopic_requests(m.with_params(NALOXONE), conditioning, seed),
        "1.5 s")
    inhibition = 1.0 - conditioned / alone if alone > 0 else float("nan")
    under_naloxone = 1.0 - conditioned_nal / alone_nal if alone_nal > 0 else float("nan")
    return 1.0 - under_naloxone / inhibition if inhibition > 0 else float("nan")
