"""Parameter trees: model files in TOML, with units, overrides and validation.

A model is a nested table of parameters read from a TOML file.  Quantities are
strings with units (``"50 Hz"``, ``"300 us"``, ``"2 nS"``); counts, fractions
and switches are plain numbers and booleans; a few keys take a word from a
fixed list (e.g. a plasticity rule's name).  Model files hold numbers, never
code or equations: any other string is refused.

The built-in model ``gate_control`` (``models/gate_control.toml``) is the
reference tree: it defines every valid key, its unit (from its value) and,
beside each value, the source of the number.  Other model files name a base
with ``extends = "gate_control"`` under ``[model]`` and override a subset.

The package is split by responsibility:

============================  ==============================================================
module                        contents
============================  ==============================================================
:mod:`.reading`               reading TOML files (:func:`read_toml`), built-in models and
                              experiments by name (:func:`find_builtin`), :func:`flatten`
                              and :func:`unflatten` (nested tables and dotted paths)
:mod:`.model`                 :class:`Model` and its leaves: word choices (:data:`CHOICES`,
                              :func:`register_choices`), bounds, units, checked values
:mod:`.relations`             values each in range but impossible together (a reset above
                              the threshold, ``w_min`` above ``w_max``), refused at every load,
                              and the checks the layers above register (:func:`register_relation_check`)
:mod:`.loading`               :func:`load_model` (a file and its ``extends`` chain checked
                              against the reference model) and the overrides environment
                              (:data:`OVERRIDES_ENV`, :func:`overriding`)
============================  ==============================================================

Example
-------
>>> import painsim as ps
>>> m = ps.load_model("gate_control")
>>> m2 = m.with_params({"dorsal_horn.pharmacology.gaba_block": 1.0})
>>> m2.si("dorsal_horn.inhibition.weight")        # SI float (siemens)
"""
from __future__ import annotations

from .loading import (_REFERENCE_CACHE, OVERRIDES_ENV, load_model, model_file_versions, model_overrides,
                      overrides_text, overriding)
from .model import CHOICES, Leaf, Model, register_choices
from .relations import register_relation_check
from .reading import (REFERENCE_MODEL, beside_experiment, builtin_experiments, builtin_models, find_builtin,
                      flatten, read_toml, unflatten)

__all__ = ["Model", "load_model", "builtin_models", "builtin_experiments", "find_builtin",
           "read_toml", "flatten", "unflatten", "REFERENCE_MODEL", "register_choices", "register_relation_check",
           "model_overrides", "overriding", "overrides_text", "OVERRIDES_ENV", "model_file_versions", "beside_experiment"]

# importable from here before the split: the word choices (mutated by register_choices), the
# leaf class and the reference model's cache, each the one object of its submodule
__all__ += ["CHOICES", "Leaf", "_REFERENCE_CACHE"]
