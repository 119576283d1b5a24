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
from ..errors import ParameterError, UnknownKeyError
from ..stimulation import Waveform
from ..stimulation.spec import PULSE_RATE_NAME
from .afferents import DEAD_TIME, FiberSet, apply_dead_time
from .rates import _checked_class

__all__ = ["PULSE_RATE_NAME", "Recruitment", "ThresholdFraction", "register_recruitment", "recruitment_model",
           "KHZ_PULSE_RATE", "pulse_rates"]


#: Pulse rate (Hz) from which a train is a kHz train: 1/DEAD_TIME, the highest rate at
#: which the "fraction" model's only refractoriness (its 1 ms dead time) lets a fiber
#: follow every pulse.  Above it, what the fraction model answers is set by that dead
#: time (a fiber fires about one pulse per ms at any kHz rate: ~990 Hz under 10 kHz, every 10th pulse), not by
#: physiology: kHz trains summate over pulses, fire axons asynchronously and block
#: conduction (Kilgore & Bhadra 2014 Neuromodulation 17:242; Crosby, Janik & Grill 2017
#: J Neurophysiol 117:136 [checked: abstract]), which the biophysical model computes
#: (docs/fibers.md).  The fraction model refuses such trains; the dorsal-horn field term
#: (painsim.circuits.khz_field) acts on the pulses of trains at or above this rate.
KHZ_PULSE_RATE = 1.0 / DEAD_TIME


def pulse_rates(waveform: Waveform) -> np.ndarray:
    """Instantaneous rate (Hz) of every pulse: 1 / the shorter of its intervals to the
    previous and the next pulse (0 for a lone pulse).

    Parameters
    ----------
    waveform : Waveform
        The pulses (their onsets, in s).

    Returns
    -------
    ndarray
        One rate per pulse, in Hz, in the order of the sorted onsets.
    """
    t = np.sort(waveform.onsets)
    if t.size < 2:
        return np.zeros(t.size)
    gaps = np.diff(t)
    nearest = np.minimum(np.r_[gaps[0], gaps], np.r_[gaps, gaps[-1]])
    return 1.0 / np.maximum(nearest, 1e-300)


class Recruitment(Protocol):
    """Interface of a recruitment model: which fibers fire at which time (at the electrode)."""

    def fire(self, waveform: Waveform, fibers: FiberSet, fiber_class: str,
             params: Mapping[str, Any], seed: int) -> tuple[np.ndarray, np.ndarray]:
        """``(times_s, fiber_index)`` of the spikes of ``fiber_class`` under ``waveform``.

        Parameters
        ----------
        waveform : Waveform
            The device's waveform.
        fibers : FiberSet
            The point's fibers.
        fiber_class : {"Abeta", "Adelta", "C"}
            The class whose spikes are returned.
        params : mapping
            The model's ``afferents`` section, in SI units.
        seed : int
            The point's seed.

        Returns
        -------
        times_s : ndarray
            Spike times at the electrode, in s.
        fiber_index : ndarray
            Index of each spike's fiber within ``fiber_class``.
        """
        ...


class ThresholdFraction:
    """Placeholder recruitment: fiber ``k`` fires at a pulse whose amplitude, in
    multiples of the Aβ threshold, is at least its own threshold, unless it
    fired less than :data:`~painsim.fibers.afferents.DEAD_TIME` before.
    Thresholds of Aδ and C are multiples of Aβ's
    (``afferents.<class>.threshold``), so a growing pulse recruits Aβ, then
    Aδ, then C.  Pulse width, shape and distance are ignored (the biophysical
    model, :mod:`painsim.fibers.biophysical`, uses them).

    Trains with pulses faster than :data:`KHZ_PULSE_RATE` (1 kHz) are refused with a
    :class:`painsim.errors.ParameterError` that points to ``"biophysical"``: the
    one recruitment answer for kHz trains (Lempka et al. 2015 Anesthesiology
    122:1362: clinical 10 kHz SCS likely does not activate dorsal-column fibres)."""

    def fire(self, waveform, fibers, fiber_class, params, seed):
        """Spikes ``(times_s, fiber_index)`` of ``fiber_class`` at the electrode.

        Parameters
        ----------
        waveform : Waveform
            The device's waveform; amplitudes in A (``"current"`` of an electrode, divided by
            ``Abeta.threshold_current``) or in multiples of its ``threshold_class``'s threshold.
        fibers : FiberSet
            The point's fibers: their counts and thresholds (multiples of the Aβ threshold).
        fiber_class : {"Abeta", "Adelta", "C"}
            The class whose spikes are returned.
        params : mapping
            The model's ``afferents`` section, in SI units.
        seed : int
            Not read: the model draws nothing.

        Returns
        -------
        times_s : ndarray
            Pulse onsets at which each fiber fires, in s, sorted by fiber, then time; none for
            a waveform without pulses, a class without fibers or that its target does not
            reach, or TMS intensities.
        fiber_index : ndarray
            Index of each spike's fiber within ``fiber_class``.

        Raises
        ------
        painsim.errors.ParameterError
            A current or threshold train with pulses faster than :data:`KHZ_PULSE_RATE` (Hz), a
            magnetic coil's current (its field needs the biophysical model: the thresholds here are
            electrode currents), or ``fiber_class`` not a fiber class (was a bare KeyError).
        """
        n = fibers.counts[_checked_class(fiber_class, "fiber_class")]
        if waveform.n_pulses and waveform.modality == "magnetic" and waveform.amplitude_kind == "current":
            # the fibres' thresholds are electrode currents: a coil's amperes divided by them read
            # 1 mA of coil current as a 1 mA electrode, and a device's 4 kA as every fibre firing
            raise ParameterError("stimulus.amplitude_kind", "current (modality 'magnetic')",
                                 'a coil current with afferents.recruitment = "biophysical" (the coil-field '
                                 'model), or amplitudes in multiples of a class threshold ("threshold")',
                                 hint='set afferents.recruitment = "biophysical", as the mpns protocol does')
        if waveform.n_pulses and waveform.amplitude_kind in ("current", "threshold"):
            fastest = float(pulse_rates(waveform).max())
            if fastest > KHZ_PULSE_RATE * (1 + 1e-9):
                raise ParameterError(
                    PULSE_RATE_NAME, f"{fastest:.6g} Hz",
                    f"pulse rates up to {KHZ_PULSE_RATE:g} Hz with afferents.recruitment = \"fraction\"",
                    hint="kHz trains need afferents.recruitment = \"biophysical\" (temporal summation, "
                         "asynchronous firing and conduction block; docs/fibers.md), which also drives the "
                         "dorsal-horn field term (docs/circuits.md)")
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
    """Make a recruitment model selectable as ``afferents.recruitment = name``.

    Parameters
    ----------
    name : str
        The name; a model registered under it before is replaced.
    model : Recruitment
        The model (an object with a :meth:`Recruitment.fire` method).

    Raises
    ------
    painsim.errors.ParameterError
        ``name`` not a non-empty text, or ``model`` without a callable ``fire`` (was registered, and
        failed at the first simulation with an AttributeError).
    """
    if not isinstance(name, str) or not name:
        raise ParameterError("name", name, "a non-empty name (the value of afferents.recruitment)")
    if not callable(getattr(model, "fire", None)):
        raise ParameterError("model", model, "a recruitment model: an object with a fire(waveform, fibers, "
                                             "fiber_class, params, seed) method")
    _RECRUITMENT[name] = model


def recruitment_model(name: str) -> Recruitment:
    """The recruitment model registered under ``name`` ("fraction", "biophysical").

    Parameters
    ----------
    name : str
        The value of ``afferents.recruitment``.

    Returns
    -------
    Recruitment

    Raises
    ------
    painsim.errors.UnknownKeyError
        No model is registered under ``name`` (the nearest name is given).
    """
    if not isinstance(name, str) or name not in _RECRUITMENT:  # a list was a bare TypeError (unhashable)
        raise UnknownKeyError(name if isinstance(name, str) else repr(name), _RECRUITMENT, what="recruitment model")
    return _RECRUITMENT[name]
