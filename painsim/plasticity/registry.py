"""The rules by name: :data:`RULES`, :func:`make_rule`, and which connections of a
model are plastic (:func:`plastic_connections`, from the model's parameters alone)."""
from __future__ import annotations

import numbers
from dataclasses import fields

from ..checks import known_keys
from ..errors import ParameterError, UnitError, UnknownKeyError
from ..params import CHOICES, Model, register_choices
from .base import PlasticityRule
from .bcm import BCM
from .calcium import CalciumRule
from .scaling import SynapticScaling
from .stdp import PairSTDP, TripletSTDP
from .theta_burst import TBSCalcium

__all__ = ["RULES", "make_rule", "plastic_connections"]

RULES = {"pair_stdp": PairSTDP, "triplet_stdp": TripletSTDP, "calcium": CalciumRule,
         "bcm": BCM, "synaptic_scaling": SynapticScaling,
         "tbs_calcium": TBSCalcium}

# model-file words of the rules registered here after the parameter layer's fixed list
register_choices("rule", tuple(dict.fromkeys((*CHOICES["rule"], "tbs_calcium"))))
register_choices("preset", tuple(dict.fromkeys((*CHOICES["preset"], *TBSCalcium.PRESETS))))
# the calcium rule's drive ("presynaptic": a file could not set it, as no word was allowed for it)
register_choices("drive", CalciumRule.DRIVES)


def make_rule(name: str, **params) -> PlasticityRule:
    """Build a rule by name (a key of :data:`RULES`) with keyword parameters.

    ``preset=...`` is accepted for the rules that have presets.

    Parameters
    ----------
    name : str
        A key of :data:`RULES`.
    **params
        Fields of the rule's class (without a preset), or ``preset`` and the values that
        override it.

    Returns
    -------
    PlasticityRule
        The rule.

    Raises
    ------
    painsim.errors.UnknownKeyError
        For an unknown name or one that is not text (with the nearest valid name); also an unknown parameter
        (without a preset) or an unknown preset.
    painsim.errors.ParameterError
        A ``preset`` for a rule without presets, or a value the rule refuses.
    """
    if not isinstance(name, str) or name not in RULES:  # a list was a bare TypeError (unhashable)
        raise UnknownKeyError(name, RULES, what="plasticity rule")
    cls = RULES[name]
    preset = params.pop("preset", None)
    if preset is not None:
        if not hasattr(cls, "preset"):
            raise ParameterError("preset", preset, f"no presets for {name!r}")
        return cls.preset(preset, **params)
    valid = [f.name for f in fields(cls)]
    known_keys(params, valid, f"parameter of {name!r}")
    return cls(**params)



_RULE_WORDS = {"scaling": "synaptic_scaling"}  # model-file word -> RULES key


def _units_written(cls, extra: dict, own: dict, prefix: str, shared: str, word: str) -> None:
    """Refuse a bare number for a dimensioned parameter of the rule ``cls`` (its ``UNITS``) in a
    model file: a file writes a time or a rate with its unit (``tau_plus = "20 ms"``; 20 is not read
    as 20 s), though the rule's constructor takes a plain number as the value in SI."""
    for key, value in extra.items():
        unit = cls.UNITS.get(key)
        if unit is not None and isinstance(value, numbers.Real) and not isinstance(value, bool):
            raise UnitError((prefix if key in own else shared) + key, value, unit,
                            hint=f'rule {word!r}: a file writes times and rates with their unit, '
                            f'e.g. "{value:g} {unit}"')


def plastic_connections(model) -> dict:
    """Connections marked plastic in ``model`` (``[plasticity.<conn>]`` with ``rule != "none"``).

    A ``[plasticity.<conn>.rule_params]`` table sets individual parameters of
    the rule (on top of its preset), e.g. ``tau_plus = "20 ms"``, ``A_plus =
    0.01``, ``interaction = "nearest"``; unknown names are refused with the
    nearest valid one.  A section named after a rule (``[plasticity.<rule>]``,
    e.g. ``[plasticity.tbs_calcium]``, no ``rule`` key, so it is not a
    connection) holds model-wide parameters of that rule: every connection
    that uses the rule without a preset takes them, under its own
    ``rule_params`` (a named preset replaces them).

    Parameters
    ----------
    model : painsim.params.Model
        The model; its ``plasticity`` section is read.

    Returns
    -------
    dict
        ``{connection: (rule, w_min, w_max)}`` with ``rule`` a built
        :class:`PlasticityRule` (preset applied), in the order of the file.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown rule parameter (named by its key in the file).
    painsim.errors.UnitError
        A time or rate of the rule (its ``UNITS``) written as a bare number (``tau_plus = 0.02``:
        a file gives the unit, ``"20 ms"``; the rule's constructor would read 0.02 as s).
    painsim.errors.ParameterError
        ``model`` not a Model (e.g. a model's name); ``w_max`` not above ``w_min``; bounds that
        do not contain 1, the starting efficacy; an unknown preset, or a value the rule refuses.
    """
    if not isinstance(model, Model):  # a name such as "gate_control" would read as a model without plasticity
        raise ParameterError("model", model, "a painsim Model (painsim.load_model(...))")
    if "plasticity" not in model:
        return {}
    out = {}
    for conn, sec in model.section("plasticity").items():
        word = sec.get("rule", "none")
        if word == "none":
            continue
        preset = sec.get("preset", "none")
        w_min, w_max = float(sec.get("w_min", 0.0)), float(sec.get("w_max", 2.0))
        if not w_max > w_min:
            raise ParameterError(f"plasticity.{conn}.w_max", w_max, f"a value > w_min = {w_min}")
        for key, value, ok in (("w_min", w_min, w_min <= 1.0), ("w_max", w_max, w_max >= 1.0)):
            if not ok:  # every synapse starts at efficacy 1: the first spike would move it to the bound
                raise ParameterError(f"plasticity.{conn}.{key}", value, "bounds that contain 1, the efficacy "
                                     "every synapse starts from (w_min <= 1 <= w_max)")
        name = _RULE_WORDS.get(word, word)
        prefix = f"plasticity.{conn}.rule_params."
        # rule parameters as written in the file ("20 ms"): the rule parses and checks them;
        # the model-wide section of the rule first, the connection's own on top
        shared = f"plasticity.{word}."
        common = {k[len(shared):]: model.text(k) for k in model.keys()
                  if preset == "none" and k.startswith(shared) and "." not in k[len(shared):]}
        own = {k[len(prefix):]: model.text(k) for k in model.keys() if k.startswith(prefix)}
        extra = {**common, **own}
        _units_written(RULES[name], extra, own, prefix, shared, word)
        try:
            rule = make_rule(name, preset=None if preset == "none" else preset, **extra)
        except UnknownKeyError as e:
            if e.name not in extra:  # an unknown preset
                raise ParameterError(f"plasticity.{conn}.preset", preset,
                                     f"a preset of the {word!r} rule or 'none' ({e})") from None
            at = prefix if e.name in own else shared
            raise UnknownKeyError(at + str(e.name), [at + f.name for f in fields(RULES[name])],
                                  what=f"parameter of the {word!r} rule") from None
        except ParameterError as e:
            where = (prefix + e.name if e.name in own else shared + e.name if e.name in common
                     else f"plasticity.{conn}.preset")
            raise ParameterError(where, e.value, f"{e.allowed} (rule {word!r}, preset {preset!r})") from None
        out[conn] = (rule, w_min, w_max)
    return out
