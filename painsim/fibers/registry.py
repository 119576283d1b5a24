"""Recruitment models: which fibers a device pulse makes fire, selectable by name.

A recruitment model implements :class:`Recruitment` and is registered under
the name that ``afferents.recruitment`` selects.  This module holds the
registry and the simple model, :class:`ThresholdFraction` ("fraction"); the
biophysical model (:class:`painsim.fibers.biophysical.Biophysical`,
"biophysical") is registered by :mod:`painsim.fibers` when the package is
imported, so this module imports no model but its own.
"""
from __future__ import annotations

from typing import Any, Mapping, Protocol

import numpy as np

from ..anatomy import TARGET_CLASSES
from ..errors import UnknownKeyError
from ..stimulation import Waveform
from .afferents import DEAD_TIME, FiberSet, apply_dead_time

__all__ = ["Recruitment", "ThresholdFraction", "register_recruitment", "recruitment_model"]


class Recruitment(Protocol):
    """Interface of a recruitment model: which fibers fire at which time (at the electrode)."""

    def fire(self, waveform: Waveform, fibers: FiberSet, fiber_class: str,
             params: Mapping[str, Any], seed: int) -> tuple[np.ndarray, np.ndarray]:
        """``(times_s, fiber_index)`` of the spikes of ``fiber_class`` under ``waveform``."""
        ...


class ThresholdFraction:
    """Placeholder recruitment: fiber ``k`` fires at a pulse whose amplitude, in
    multiples of the Aβ threshold, is at least its own threshold, unless it
    fired less than :data:`~painsim.fibers.afferents.DEAD_TIME` before.
    Thresholds of Aδ and C are multiples of Aβ's
    (``afferents.<class>.threshold``), so a growing pulse recruits Aβ, then
    Aδ, then C.  Pulse width, shape and distance are ignored (the biophysical
    model, :mod:`painsim.fibers.biophysical`, uses them)."""

    def fire(self, waveform, fibers, fiber_class, params, seed):
        """Spikes ``(times_s, fiber_index)`` of ``fiber_class`` at the electrode."""
        n = fibers.counts[fiber_class]
        if waveform.n_pulses == 0 or n == 0 or fiber_class not in TARGET_CLASSES.get(waveform.target, ()):
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        amps = waveform.amplitudes
        if waveform.amplitude_kind == "current":
            amps = amps / params["Abeta"]["threshold_current"]
        elif waveform.amplitude_kind == "threshold":
            ref = waveform.threshold_class
            amps = amps * params[ref]["threshold"]  # express as multiples of the Aβ threshold
        else:  # TMS intensity: no afferent recruitment
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        above = amps[:, None] >= fibers.threshold[fiber_class][None, :]
        pulse, fiber = np.nonzero(above)
        return apply_dead_time(waveform.onsets[pulse], fiber, DEAD_TIME)


_RECRUITMENT: dict[str, Recruitment] = {"fraction": ThresholdFraction()}


def register_recruitment(name: str, model: Recruitment) -> None:
    """Make a recruitment model selectable as ``afferents.recruitment = name``."""
    _RECRUITMENT[name] = model


def recruitment_model(name: str) -> Recruitment:
    """The recruitment model registered under ``name`` ("fraction", "biophysical")."""
    if name not in _RECRUITMENT:
        raise UnknownKeyError(name, _RECRUITMENT, what="recruitment model")
    return _RECRUITMENT[name]
