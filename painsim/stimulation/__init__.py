"""Device waveforms: the pulses a stimulator delivers.

A :class:`Waveform` is an immutable list of pulses (onset, phase width,
amplitude) with a phase shape, a modality (electrical, magnetic, TMS) and a
target.  Generators build the waveforms of the clinical protocols:

============== ===================================================== ==========================
generator      default                                               source
============== ===================================================== ==========================
tonic          tonic SCS, 30-120 Hz, 100-500 us                      PMC8229652
burst          40 Hz bursts of 5 pulses at 500 Hz, 1 ms pulses       De Ridder et al. 2010
high_frequency 10 kHz, 30 us (HF10 SCS)                              Kapural et al. 2015
rtms           20 Hz, 10 trains x 10 s, 80 % RMT (2000 pulses)       Khedr et al. 2005
theta_burst    3 pulses at 50 Hz repeated at 5 Hz; iTBS / cTBS       Huang et al. 2005
tens           conventional 100 Hz; acupuncture-like 2 Hz            Johnson 2022 (review)
alternating    rates alternating in segments (PENS 15/30 Hz)         Ghoname et al. 1999
============== ===================================================== ==========================

Dorsal root ganglion stimulation (DRGS) is a :func:`tonic` train with
``target="drg"`` (clinically ~20 Hz, 200-300 us, ~0.2-1 mA; Deer et al. 2017,
Liem et al. 2013 [recalled]; the ``drgs_tonic`` protocol).

Amplitudes are either currents (``2*mA`` or ``"2 mA"``), multiples of the
threshold of a fiber class (a plain number, e.g. ``1.5`` = 1.5x Aβ
threshold), or for TMS a fraction of the resting motor threshold (RMT).
This module never imports brian2; brian2 quantities are read through
:func:`painsim.units.to_si`.

The package is split by responsibility (everything stays importable from
``painsim.stimulation``):

=======================  ==================================================================
module                   contents
=======================  ==================================================================
:mod:`.waveform`         :class:`Waveform`, its checks, views and combinations; the
                         vocabularies ``SHAPES``, ``MODALITIES``, ``AMPLITUDE_KINDS``
:mod:`.generators`       the regular trains: :func:`tonic`, :func:`burst`,
                         :func:`high_frequency`, :func:`tens`, :func:`alternating`,
                         :func:`custom`, :func:`none`
:mod:`.tms`              transcranial magnetic stimulation: :func:`rtms`, :func:`theta_burst`
:mod:`.spec`             waveforms from the stimulus tables of files: :func:`from_spec`,
                         :func:`from_table`, ``TABLE_EXAMPLE``
=======================  ==================================================================
"""
from __future__ import annotations

from .generators import alternating, burst, custom, high_frequency, none, tens, tonic
from .spec import TABLE_EXAMPLE, from_spec, from_table
from .tms import rtms, theta_burst
from .waveform import AMPLITUDE_KINDS, FIBER_CLASSES, MODALITIES, SHAPES, Waveform

__all__ = ["Waveform", "tonic", "burst", "high_frequency", "rtms", "theta_burst", "tens",
           "alternating", "custom", "none", "SHAPES", "MODALITIES", "AMPLITUDE_KINDS", "from_spec", "from_table",
           "TABLE_EXAMPLE"]

__all__ += ["FIBER_CLASSES"]  # the classes a threshold amplitude refers to (importable from here before the split)
