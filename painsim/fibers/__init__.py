"""Primary afferents: Aβ, Aδ and C fibers, and what makes them fire.

The package is split by responsibility:

============================  ==============================================================
module                        contents
============================  ==============================================================
:mod:`.afferents`             natural stimuli, :class:`FiberSet`, :class:`AfferentSpikes`,
                              Poisson trains, the 1 ms dead time
:mod:`.registry`              the :class:`Recruitment` interface, the recruitment registry and
                              the simple model :class:`ThresholdFraction` ("fraction")
:mod:`.arrival`               :func:`afferent_input`: natural, ectopic (Devor 2009) and
                              device-evoked spikes arriving at the dorsal horn
:mod:`.population`            :class:`FiberPopulation`, class parameters, geometries, field
                              coupling (McNeal 1976; Rattay 1989)
:mod:`.kernel`                the reduced excitable node (numba kernel + numpy reference) and
                              its run loop (Lapicque 1907; Hodgkin & Huxley 1952)
:mod:`.biophysical`           thresholds, strength-duration (Weiss 1901), recruitment curves,
                              spike trains under a waveform, the "biophysical" model
:mod:`.cache`                 the on-disk cache of the biophysical spike trains
:mod:`.tjunction`             the T-junction of DRG neurons (use-dependent low-pass filter,
                              Gemes et al. 2013) and what DRG stimulation does to it
                              (numba kernel + numpy reference)
:mod:`.collision`             a dorsal-column or root lead's antidromic impulses annihilating the
                              natural impulses they meet (collision; numba kernel, its Python
                              form for small inputs)
:mod:`.encoding`              natural stimuli in physical units (contact heat and cold in °C,
                              pinprick in mN, brush): :class:`PhysicalStimulus` and its
                              constructors (re-exports the two modules below)
:mod:`.responses`             the published stimulus-response functions of each class and
                              modality (heat, cold, punctate force, brush)
:mod:`.rates`                 per-fiber thresholds, rates and class means under those
                              functions; homogeneous and adapting Poisson spike trains
:mod:`.thermal`               contact heat with a time course: repeated brief contacts and
                              ramps (the step adaptation as a linear filter)
============================  ==============================================================

Importing the package registers the biophysical model as
``afferents.recruitment = "biophysical"`` (the registry itself imports no
model but its own).  Fiber classes and what each target reaches are defined
once in :mod:`painsim.anatomy`, the random streams in :mod:`painsim.rng`.
"""
from __future__ import annotations

from ..anatomy import FIBER_CLASSES, TARGET_CLASSES, TARGET_GEOMETRY, target_classes
from ..rng import STREAM, rng_for
from .afferents import (DEAD_TIME, AfferentSpikes, FiberSet, NaturalStimulus, apply_dead_time, natural,
                        poisson_train)
from .arrival import ASCENDING, afferent_input
from .biophysical import (Biophysical, afferent_spikes, amplitude_scale, biophysical_setting,
                          class_threshold, fit_weiss, population_for, recruitment_curve,
                          strength_duration, threshold, waveform_classes)
from .cache import cache_info
from .kernel import (CHUNK, DT_DEFAULT, DT_MAX, KERNEL_VERSION, NodeConstants, fiber_spikes, node_kernel,
                     node_reference, run_chunk, step_drive)
from .population import (CHRONAXIE_RANGES, CLASS_PARAMS, CLASSES, GEOMETRIES, ClassParams,
                         FiberPopulation)
from .registry import Recruitment, ThresholdFraction, recruitment_model, register_recruitment
from .tjunction import (JUNCTION, JunctionParams, drg_arrivals, following_frequency, junction_kernel,
                        junction_reference, transmit)
from .collision import COLLISION_TARGETS, collide, collision_kernel, lead_arrivals, lead_geometry

register_recruitment("biophysical", Biophysical())

__all__ = [
    # afferent input (formerly painsim.fibers)
    "FIBER_CLASSES", "NaturalStimulus", "natural", "AfferentSpikes", "FiberSet",
    "ThresholdFraction", "Recruitment", "afferent_input", "ASCENDING", "poisson_train", "rng_for",
    "register_recruitment", "recruitment_model", "DEAD_TIME", "apply_dead_time",
    "TARGET_CLASSES", "STREAM",
    # biophysical recruitment (formerly painsim.recruitment)
    "FiberPopulation", "ClassParams", "CLASS_PARAMS", "CLASSES", "afferent_spikes",
    "recruitment_curve", "threshold", "strength_duration", "fit_weiss",
    "node_kernel", "node_reference", "cache_info", "KERNEL_VERSION", "DT_MAX",
    "DT_DEFAULT", "CHRONAXIE_RANGES", "Biophysical", "population_for", "target_classes",
    "TARGET_GEOMETRY", "class_threshold",
    # made public by the split (formerly private helpers of painsim.recruitment)
    "GEOMETRIES", "NodeConstants", "run_chunk", "step_drive", "fiber_spikes", "CHUNK",
    "amplitude_scale", "waveform_classes", "biophysical_setting",
    # T-junction and DRG stimulation
    "JUNCTION", "JunctionParams", "drg_arrivals", "transmit", "junction_kernel", "junction_reference",
    "following_frequency",
    # collision with a dorsal-column lead's antidromic impulses
    "collide", "collision_kernel", "lead_arrivals", "lead_geometry", "COLLISION_TARGETS",
]

# natural stimuli in physical units (docs/stimuli.md)
from .encoding import (BRUSH_RESPONSE, COLD_RESPONSE, FORCE_RESPONSE, HEAT_RESPONSE, PhysicalStimulus,  # noqa: E402
                       brush, cold, heat, pinprick, poisson_trains)
from .thermal import heat_contacts, heat_ramp  # noqa: E402

#: The physical natural stimuli by name (the keys of conditions files and sweep axes): the input they
#: take the place of (``noxious`` or ``touch``) and their constructor.
PHYSICAL_STIMULI = {"heat": ("noxious", heat), "cold": ("noxious", cold), "pinprick": ("noxious", pinprick),
                    "brush": ("touch", brush), "heat_contacts": ("noxious", heat_contacts),
                    "heat_ramp": ("noxious", heat_ramp)}

__all__ += ["PhysicalStimulus", "heat", "heat_contacts", "heat_ramp", "pinprick", "brush", "cold", "HEAT_RESPONSE", "COLD_RESPONSE",
            "FORCE_RESPONSE",
            "BRUSH_RESPONSE", "poisson_trains", "PHYSICAL_STIMULI"]
