"""Afferent fiber classes and what a device at each target can reach, defined once.

Base layer: imports nothing of painsim but :mod:`painsim.errors`.  Every other
module (afferent input, biophysical recruitment, circuits, sweeps, figures) reads
the fiber classes and the target maps from here.
"""
from __future__ import annotations

__all__ = ["FIBER_CLASSES", "TARGET_CLASSES", "TARGET_GEOMETRY", "JUNCTION_TARGETS", "TMS_TARGETS", "target_classes",
           "device_targets"]

#: Primary afferent classes, fastest first: large myelinated Aβ (touch), thinly
#: myelinated Aδ and unmyelinated C (nociceptors).
FIBER_CLASSES = ("Abeta", "Adelta", "C")

#: Which fiber classes a device at each target can reach.  The dorsal columns
#: carry the ascending collaterals of large myelinated (Aβ) afferents only (Aδ and
#: C fibers end in the dorsal horn and Lissauer's tract); a peripheral nerve, a
#: root, the skin or a dorsal root ganglion ("drg": the somata, stem axons and
#: T-junctions of every afferent class) holds all three classes.
TARGET_CLASSES = {"dorsal_column": ("Abeta",), "peripheral_nerve": FIBER_CLASSES,
                  "skin": FIBER_CLASSES, "dorsal_root": FIBER_CLASSES, "drg": FIBER_CLASSES}

#: Fiber geometry the biophysical recruitment model uses for a device at each
#: target ("dorsal_root": chosen, a root in its sleeve is treated like a peripheral
#: nerve for recruitment, while its impulses start ``afferents.drg_distance`` from the
#: cord, :mod:`painsim.fibers.collision`; "drg": its own geometry, the stem axons under a lead on the ganglion,
#: see :data:`painsim.fibers.population.GEOMETRIES`).  Other targets (m1, ...)
#: recruit no afferents.
TARGET_GEOMETRY = {"dorsal_column": "dorsal_column", "peripheral_nerve": "peripheral_nerve",
                   "skin": "skin", "dorsal_root": "peripheral_nerve", "drg": "drg"}

#: Targets where the device acts on the afferents' T-junctions in the dorsal root
#: ganglion: afferent spikes reach the dorsal horn only through the junction model of
#: :mod:`painsim.fibers.tjunction` (Gemes et al. 2013; Kent et al. 2018).
JUNCTION_TARGETS = ("drg",)

#: Cortical areas a transcranial coil can target in this model: primary motor cortex only
#: (prefrontal (DLPFC) rTMS would act through top-down modulation the model does not have).
TMS_TARGETS = ("m1",)


def device_targets(modality: str) -> tuple:
    """Targets a device of ``modality`` can have: cortical areas for a transcranial coil
    (``"tms"``), the afferent targets of :data:`TARGET_CLASSES` for electrodes and for magnetic
    coils outside the skull.

    Parameters
    ----------
    modality : str
        The device's modality (``"tms"``: a transcranial coil).

    Returns
    -------
    tuple of str
        The targets.
    """
    return TMS_TARGETS if modality == "tms" else tuple(TARGET_CLASSES)


def target_classes(target: str, modality: str = "electric") -> tuple:
    """Fiber classes a device at ``target`` can reach (none for TMS or central targets).

    Parameters
    ----------
    target : str
        The device's target.
    modality : str
        The device's modality (default ``"electric"``).

    Returns
    -------
    tuple of str
        The classes of :data:`TARGET_CLASSES`, or ``()``.
    """
    if modality == "tms" or target not in TARGET_CLASSES:
        return ()
    return TARGET_CLASSES[target]
