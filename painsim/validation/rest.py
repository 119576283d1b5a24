"""Validation measurements at rest: the ongoing pain (NRS) and resting PN rate of a preset with
no stimulus, read at steady state (the second half of
:data:`~painsim.validation.calibration.REST_DURATION`), one run per (preset, seed) shared by both.

Split from :mod:`painsim.validation.measurements` (which re-exports every name; its
:func:`~painsim.validation.measurements.clear_measurements` empties the cache).
"""
from __future__ import annotations

import functools
from typing import Callable

from ..params import load_model
from .calibration import REST_DURATION, rest_readouts
from .shared_runs import N_SEEDS

__all__ = ["rest_rating", "resting_pn_rate"]


#: Rest is a steady state: recorded resting rates and ongoing pain are averages over long
#: stretches, while the model's slow currents (NK1, the CAN current) build resting firing up
#: over seconds where the PN fire at rest at all (measured with the background barrage fitted
#: to 4.2 Hz, healthy pathway, seeds 1-4: 2.35 Hz over 0-1.5 s, 3.98 Hz over 0-8 s, 5.8 Hz over
#: 10-20 s; docs/circuits.md, "Ongoing pain in the peripheral presets" (5)).  Rest is read over
#: the second half of a 12-s run (:data:`painsim.validation.calibration.REST_DURATION`, the
#: background calibration's window too).  Chosen: most of the build-up lies in the first ~6 s,
#: and 12 s of four circuits per preset keeps the slow validation set to minutes.
@functools.lru_cache(maxsize=8)
def _rest(model_name: str, seed: int) -> tuple[float, float]:
    """(PN rate in Hz at the painful site, NRS) at rest, steady state, means over N_SEEDS circuits."""
    return rest_readouts(load_model(model_name), range(seed, seed + N_SEEDS), REST_DURATION)


def rest_rating(model_name: str) -> Callable[[int], float]:
    """NRS at rest (no stimulus) of a preset, steady state (:data:`REST_DURATION`).

    Parameters
    ----------
    model_name : str
        Built-in model (preset) name, loaded when the measurement runs (an unknown name raises
        :class:`painsim.errors.UnknownKeyError` then).

    Returns
    -------
    callable
        ``measure(seed) -> float``: mean NRS over the circuits ``seed`` .. ``seed + N_SEEDS - 1``,
        read over the second half of :data:`REST_DURATION`; the run is cached per
        ``(model_name, seed)`` and shared with :func:`resting_pn_rate`.
    """
    def measure(seed: int) -> float:
        return _rest(model_name, seed)[1]
    measure.__doc__ = f"NRS at rest of {model_name} (last 6 s of 12 s)."
    return measure


def resting_pn_rate(model_name: str) -> Callable[[int], float]:
    """PN rate (Hz) at the painful site with no stimulus, steady state, over 4 circuits.

    Parameters
    ----------
    model_name : str
        Built-in model (preset) name, loaded when the measurement runs (an unknown name raises
        :class:`painsim.errors.UnknownKeyError` then).

    Returns
    -------
    callable
        ``measure(seed) -> float``: mean PN rate (Hz) over the circuits ``seed`` ..
        ``seed + N_SEEDS - 1``, read over the second half of :data:`REST_DURATION`; the run of
        :func:`rest_rating`.
    """
    def measure(seed: int) -> float:
        return _rest(model_name, seed)[0]
    measure.__doc__ = f"PN rate at rest of {model_name} (last 6 s of 12 s)."
    return measure
