"""Several devices at one point: a stimulus given as one waveform or as a list of them.

A point may receive more than one device at once: spinal cord stimulation with a test
pulse at a peripheral nerve (the SEP collision test of dorsal-column activation, Urasaki
et al. 2014 Neuromodulation 17:746 [checked: abstract]: a posterior tibial nerve pulse
whose cortical evoked potential SCS reduces when its impulses collide with the lead's),
SCS with TENS, or rTMS during peripheral stimulation.  Wherever painsim takes a
``stimulus`` of one point (:func:`painsim.simulate`, :class:`painsim.simulation.Request`,
the ``stimulus`` of an experiment condition, the ``[[stimulus]]`` tables of a sweep), it also
takes a sequence of
:class:`~painsim.stimulation.Waveform` objects, each with its own target, modality and
body site(s).  Each waveform reaches the layers that receive its modality and recruits
fibres as it would alone; what they do together is decided where their impulses meet:

* the natural and peripheral impulses of a site start at its receptive field, so they
  meet a dorsal-column or dorsal-root lead's antidromic impulses
  (:mod:`painsim.fibers.collision`) or pass the T-junction of a DRG lead
  (:mod:`painsim.fibers.tjunction`) together;
* every fibre's impulses then pass its 1-ms dead time together;
* the kHz field of a dorsal-column train (:mod:`painsim.circuits.khz_field`) acts on the
  dorsal-horn neurons of the sites its lead reaches (one lead per site: below).

At most one central lead (dorsal column, dorsal root or DRG) may reach a body site: the
collision and junction models follow one lead's impulses along a fibre.  Waveforms
``+`` each other in time (:meth:`painsim.stimulation.Waveform.concat`); a list runs them at
the same time.  Every waveform of a list draws its fibres from the point's seed, so two
devices with the same geometry act on the same axons.
"""
from __future__ import annotations

from typing import Any, Sequence

from .errors import ParameterError
from .stimulation import Waveform

__all__ = ["as_devices", "devices_duration", "describe_devices", "labels", "DEVICES_HELP"]

#: What a stimulus may be, for error messages.
DEVICES_HELP = "a Waveform (painsim.stimulation), a list of Waveforms (devices at the same time) or None"


def as_devices(stimulus, name: str = "stimulus") -> tuple[Waveform, ...]:
    """The waveforms of a point's ``stimulus``: ``()`` for None, ``(w,)`` for one waveform,
    the waveforms of a list or tuple in their order.

    Parameters
    ----------
    stimulus : Waveform, list or tuple of Waveform, or None
        The point's stimulus.
    name : str
        The parameter, named in errors.

    Returns
    -------
    tuple of Waveform

    Raises
    ------
    painsim.errors.ParameterError
        Something else, or a list with an entry that is not a Waveform (named by its index).
    """
    if stimulus is None:
        return ()
    if isinstance(stimulus, Waveform):
        return (stimulus,)
    if isinstance(stimulus, (list, tuple)):
        for k, w in enumerate(stimulus):
            if not isinstance(w, Waveform):
                raise ParameterError(f"{name}[{k}]", w, "a Waveform (painsim.stimulation)")
        return tuple(stimulus)
    raise ParameterError(name, stimulus, DEVICES_HELP)


def devices_duration(stimulus) -> float | None:
    """The longest duration of the devices of ``stimulus`` (s), None without any.

    Parameters
    ----------
    stimulus : Waveform, list or tuple of Waveform, or None
        As :func:`as_devices`.

    Returns
    -------
    float or None
        The duration in s.

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`as_devices`.
    """
    devices = as_devices(stimulus)
    return max(w.duration for w in devices) if devices else None


def describe_devices(stimulus, until: float | None = None) -> Any:
    """JSON-able summary for result attributes: None, one waveform's
    :meth:`~painsim.stimulation.Waveform.describe` (as for a single device), or a list of them.

    Parameters
    ----------
    stimulus : Waveform, list or tuple of Waveform, or None
        As :func:`as_devices`.
    until : float, optional
        The run's duration (s): each summary then counts the pulses simulated
        (``n_pulses_simulated``).

    Returns
    -------
    dict, list of dict or None

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`as_devices`.
    """
    if isinstance(stimulus, Waveform):
        return stimulus.describe(until)
    return None if stimulus is None else [w.describe(until) for w in as_devices(stimulus)]


def labels(devices: Sequence[Waveform]) -> str:
    """The devices' labels joined by ``" & "`` (for messages).

    Parameters
    ----------
    devices : sequence of Waveform
        A waveform without a ``label`` is named ``"<target> waveform"``.

    Returns
    -------
    str
    """
    return " & ".join(w.label or f"{w.target} waveform" for w in devices)
