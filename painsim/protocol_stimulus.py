"""The stimulus of a ``[protocol]`` table that starts from a base protocol (:func:`painsim.protocols.from_spec`).

A protocol table keeps every key of its ``base`` protocol that it does not give (calendar, session
duration, plasticity ...); its ``stimulus`` table does the same: ``base = "scs_tonic"`` with
``stimulus = {rate = "20 Hz"}`` is tonic SCS at 20 Hz with the base's width, amplitude and target.
A stimulus table of another ``type`` is a stimulus of its own and replaces the base's.  The
``plasticity`` table adds its dotted overrides to the base's, and ``name``, ``citation`` and
``description`` replace the base's (:func:`inherited`).  Kept apart from :mod:`painsim.protocols` for
that module's size.
"""
from __future__ import annotations

from typing import Any, Mapping

from . import stimulation
from .errors import ParameterError

__all__ = ["stimulus_over_base", "inherited", "stimulus_table", "overrides_table", "text_field"]

#: What a protocol's ``plasticity`` may be, said in errors
_OVERRIDES = 'a table of dotted model overrides, e.g. {"plasticity.c_pn.rule" = "calcium"}'


def _of_kind(value: Any, name: str, kind, allowed: str) -> Any:
    """``value`` if it is a ``kind``, else refused naming ``name`` (painsim.errors.ParameterError)."""
    if not isinstance(value, kind):
        raise ParameterError(name, value, allowed)
    return value


def stimulus_table(value: Any, name: str) -> Any:
    """``value``, a protocol's stimulus table (a mapping), else refused naming ``name``
    (``"protocol.stimulus"``, ``"stimulus"``): a type's name such as ``"tonic"``, a list."""
    return _of_kind(value, name, Mapping, stimulation.TABLE_EXAMPLE)


def overrides_table(value: Any, name: str) -> Any:
    """``value``, a protocol's ``plasticity`` overrides (a mapping), else refused naming ``name``
    (``"protocol.plasticity"``, ``"plasticity"``): text, a list."""
    return _of_kind(value, name, Mapping, _OVERRIDES)


def text_field(value: Any, name: str) -> str:
    """``value``, text (a protocol's ``name``, ``citation`` or ``description``), else refused naming
    ``name`` (``"protocol.name"``, ``"name"``): a number, None."""
    return _of_kind(value, name, str, "text")


def stimulus_over_base(given: Any, base, where: str) -> Any:
    """The stimulus of a protocol table that gives the stimulus table ``given`` over the protocol ``base``.

    Parameters
    ----------
    given : dict
        The table's ``stimulus``.
    base : painsim.protocols.Protocol or None
        The table's base protocol, if it names one.
    where : str
        The table in messages, e.g. ``"protocol.stimulus"``.

    Returns
    -------
    dict
        The base's stimulus with the keys of ``given`` replacing its own when ``given`` names no
        ``type`` or the base's; ``given`` itself when it names another type.

    Raises
    ------
    painsim.errors.ParameterError
        ``given`` is not a table (``<where>``), or names no ``type`` and there is no base stimulus for it to change (no base, or a
        sham base): ``<where>.type``, with the types allowed.
    """
    old = base.stimulus if base is not None else None
    stimulus_table(given, where)
    if old and given.get("type", old.get("type")) == old.get("type"):
        return {**old, **given}  # the keys given replace the base's, the others are kept
    if "type" not in given:
        hint = (f"the base protocol {base.name!r} is a sham: it has no stimulus for a table without a type to "
                "change" if base is not None else "a stimulus table needs a type unless it changes the stimulus "
                'of a base protocol (base = "<name>")')
        try:  # stimulation names the missing type and the types allowed
            stimulation.from_table(given, where)
        except ParameterError as err:
            raise ParameterError(err.name, err.value, err.allowed, hint=hint) from None
    return dict(given)


def inherited(spec: Mapping[str, Any], base, where: str) -> dict[str, Any]:
    """The ``name``, ``stimulus``, ``plasticity``, ``citation`` and ``description`` of a protocol table
    ``spec`` over its ``base`` protocol (None: no base), each checked.

    Parameters
    ----------
    spec : mapping
        The protocol table.
    base : painsim.protocols.Protocol or None
        The table's base protocol.
    where : str
        The table in messages, e.g. ``"protocol"``.

    Returns
    -------
    dict
        The table's ``name``, ``citation`` and ``description``, else the base's, else
        ``"custom"``, ``""``, ``""``; its ``stimulus`` over the base's (:func:`stimulus_over_base`),
        else the base's (None without one); the base's ``plasticity`` updated with the table's.

    Raises
    ------
    painsim.errors.ParameterError
        ``<where>.plasticity`` not a table of dotted model overrides, or ``<where>.name`` /
        ``citation`` / ``description`` not text; a ``stimulus`` that :func:`stimulus_over_base`
        refuses.
    """
    plasticity = overrides_table(spec.get("plasticity", {}), f"{where}.plasticity")
    out = {"stimulus": stimulus_over_base(spec["stimulus"], base, f"{where}.stimulus") if "stimulus" in spec
           else base and base.stimulus,
           "plasticity": {**(base.plasticity if base else {}), **plasticity}}
    for key, default in (("name", "custom"), ("citation", ""), ("description", "")):
        out[key] = text_field(spec.get(key, getattr(base, key) if base else default), f"{where}.{key}")
    return out
