"""Named therapy protocols: a calendar of sessions, a session waveform, a citation.

A :class:`Protocol` says *when* (a :class:`Calendar` of session days and a
session duration) and *what* (a stimulus spec, as in experiment files, see
:func:`painsim.stimulation.from_spec`) a treatment course delivers.  Which
synapses a protocol reconditions is set by the model's ``[plasticity.*]``
sections; a protocol may carry ``plasticity`` overrides (dotted model
parameters) that switch the relevant ones on.  :func:`painsim.run_course`
runs a protocol on a model.

Library (``painsim.protocols.names()``; each has a ``<name>_sham``: the same
calendar with no effective stimulation):

=================== ========================================================= ==========================================
name                calendar and stimulus                                     source
=================== ========================================================= ==========================================
scs_tonic           daily use (16 h/day, 90 days); 50 Hz, 300 us, Aβ 1.3x      PMC8229652 (seed); Kapural 2015
scs_burst           daily use; 40 Hz bursts of 5 at 500 Hz, 1 ms               De Ridder 2010; Chakravarthy 2019
scs_hf10            daily use; 10 kHz, 30 us                                  Kapural 2015 (SENZA-RCT)
mpns                15 min; days 0, 2, 4, weekly to day 28, biweekly,         seed article (MSK Direct), Kapural 2024
                    then monthly (day 86); 0.5 Hz magnetic pulses, 4.06 kA    (SEAT), Brown 2025; coil: Axon 1.3 T
                    coil current (1.3 T), coil-field recruitment              [checked]
pnt                 30 min; 4 sessions, 2 per week; tonic 15 Hz (the low end  seed article (Pain and Spine Clinics);
                    of PENS' 15/30 Hz), 500 us, 1.2x Adelta, through needle   Ghoname 1999 (PENS) [recalled]
                    electrodes
rtms_m1_20hz        4-session test (days 0-3) then monthly maintenance;       Khedr 2005; Eur J Pain 2025;29:e4763
                    20 Hz, 10 x 10 s trains, 80 % RMT (2000 pulses)
itbs                5 daily sessions; 600 pulses, 2 s on / 8 s off (192 s)    Huang 2005
ctbs                5 daily sessions; 600 pulses continuous (40 s)            Huang 2005
tens_conventional   daily 30 min for 4 weeks; 100 Hz, 100 us                  Johnson 2022 (review)
tens_acupuncture    daily 30 min for 4 weeks; 2 Hz, 250 us, high intensity    Johnson 2022 (review)
lfs_1hz             one session of 1200 pulses at 1 Hz (20 min)               Rottmann 2008; Sandkühler 1997
drgs_tonic          daily use (16 h/day, 90 days); 20 Hz, 300 us, 0.6 mA at   Deer 2017 (ACCURATE); Liem 2013
                    the dorsal root ganglion (target "drg")                   [parameters recalled]
pns_percutaneous    8 h/day for 60 days; 100 Hz, 200 us, 20 mA, lead 5 mm     Gilmore 2019, 2020; Rauck 2014
                    from the nerve (biophysical recruitment)                  [parameters recalled]
pnt_alternating     30 min, 3 per week for 3 weeks; 15/30 Hz alternating,     Ghoname 1999 (JAMA; Anesth Analg)
                    1.2x Adelta, needles in deep tissue (0.5-10 mm)
=================== ========================================================= ==========================================

Spinal and peripheral protocols switch on calcium-rule plasticity
(``spinal_presynaptic`` preset) at the primary-afferent synapses onto
projection neurons (``plasticity.c_pn``, ``plasticity.adelta_pn``): low-frequency
activity of the stimulated Aδ/C fibres depresses them (homosynaptic LTD,
Sandkühler et al. 1997 Nature 390:604; Liu et al. 1998 Eur J Neurosci
10:3069; Rottmann et al. 2008 in humans).  Protocols that recruit only Aβ
fibres (SCS, conventional TENS, DRGS at clinical amplitudes) add no spikes to those synapses, so the model
gives them no lasting effect (their effect is acute; see
:func:`painsim.run_course`'s ``session_pn_rate``).  rTMS switches on
triplet STDP, iTBS and cTBS the theta-burst calcium rule
(:class:`painsim.plasticity.TBSCalcium`, Huang et al. 2011 as revised by Ma et
al. 2022; parameters ``[plasticity.tbs_calcium]``), at M1 -> PAG/RVM and M1 ->
reticular thalamus (``plasticity.m1_desc``, ``plasticity.m1_trn``), which exist
only in models with the cortical layer (``network.layers = "pathway"``, e.g. the
``central_poststroke_*`` presets); a spinal model cannot receive TMS.
:func:`theta_burst` builds an iTBS/cTBS protocol of any dose (pulses per
session); measured pattern and dose dependence: docs/circuits.md, "Theta
burst of M1".

Users write their own protocol in a TOML file (a ``[protocol]`` table, see
:func:`from_spec`).

The package is split by responsibility:

============================  ==============================================================
module                        contents
============================  ==============================================================
:mod:`.protocol`              :class:`Calendar` (when the sessions take place) and
                              :class:`Protocol` (calendar, session waveform, overrides,
                              citation)
:mod:`.library`               the built-in protocols (:data:`LIBRARY`, :func:`names`,
                              :func:`get`) and :func:`theta_burst`
:mod:`.spec`                  protocols users write: :func:`from_spec` (a ``[protocol]``
                              table) and :func:`resolve` (a name, a table or a protocol)
============================  ==============================================================
"""
from __future__ import annotations

from .library import LIBRARY, MPNS_COIL_CURRENT, get, names, theta_burst
from .protocol import DAY_SLACK, Calendar, Protocol, checked_test_days, outside_sessions
from .spec import from_spec, resolve

__all__ = ["Calendar", "Protocol", "get", "names", "from_spec", "resolve", "theta_burst", "LIBRARY",
           "MPNS_COIL_CURRENT", "DAY_SLACK", "checked_test_days", "outside_sessions"]
