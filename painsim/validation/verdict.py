"""A published target of the validation table and the verdict on a model's value against it.

:class:`Target` is the record (published figure, range or direction, source, status, cost and
how painsim measures it); :func:`judge` reads a value against it.  The registry of targets is
:mod:`painsim.validation.targets`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import ParameterError

__all__ = ["Target", "judge", "STATUSES", "COSTS", "NON_MODEL_PARAMETERS"]

#: Allowed statuses and costs of a target.
STATUSES = ("calibrated", "prediction")
COSTS = ("fast", "slow")

#: Parameters a calibrated target's note may name that are not leaves of the reference model
#: (``painsim.load_model("gate_control").leaves``), each with why it is not in a model file.
#: Every other parameter a calibrated target names is a dotted path of the model
#: (tests/test_registry_honesty.py checks both).  Keep this short.
NON_MODEL_PARAMETERS = {
    "cohort.disinhibition.peripheral": "the cohorts' Beta of the peripheral disinhibition "
                                       "(painsim.cohort.distributions): a distribution over patients, "
                                       "not a value of one circuit's model file",
    "fibers.responses.CMH.plateau": "the adapting C heat nociceptor's plateau (painsim.fibers.responses): "
                                    "a fibre-response constant of the encoding, shared by every model",
    "fibers.responses.CMH.adaptation_tau": "its adaptation time constant (as fibers.responses.CMH.plateau)",
    "plasticity.calcium.spinal_presynaptic": "the calcium rule's spinal preset (gamma_d, c_pre; "
                                             "painsim/plasticity/calcium.py): the model file names the preset "
                                             "(plasticity.c_pn.preset), its constants live in code",
}



@dataclass(frozen=True)
class Target:
    """One published figure and the measurement of the model's counterpart.

    Each parameter is also the attribute of the same name.

    Parameters
    ----------
    name : str
        Identifier (``painsim validate --only NAME``).
    what : str
        The quantity, in words.
    published : float
        The published value (central figure), inside the range if one is given; NaN when no
        figure was found (a verdict then only if :attr:`direction` is set).
    low, high : float or None
        The published range (a spread the source reports); ``None`` when the
        source gives one number only (then no yes/no verdict is printed).
    units : str
        UDUNITS string of the value ("1" for ratios and the NRS).
    source : str
        Citation, with [checked]/[recalled] as read.
    status : str
        One of :data:`STATUSES`.
    cost : str
        ``"fast"`` (seconds to a minute) or ``"slow"`` (courses, cohorts, resting steady states).
    measure : callable
        ``measure(seed) -> float``, the model's value.
    note : str
        What was calibrated on it, or what the comparison assumes.
    direction : int
        +1 or -1 when the source reports only the direction of the effect (then ``published``
        is NaN, there is no range, and the verdict is whether the model's value lies on that
        side of :attr:`direction_from`); 0 otherwise.
    direction_from : float
        The value a direction is read from: 0 (the sign of a change or a relief), or 1 for a
        ratio (above or below no change).
    shares : str
        Name of a simulation this target reads together with others (the same text on
        each): a validation run with worker processes measures them in one process, so
        the simulation runs once ("" = none shared).
    range_after_measurement : bool
        The published range (or the reading of a direction) was written after the model's value
        was seen: no parameter was chosen with the target in view, so it stays a
        ``"prediction"``, but not a blind one, and its "yes" is weaker evidence (the note says
        so; docs/validation.md, "Ranges written after the measurement").  Only with a range
        or a direction.

    Raises
    ------
    painsim.errors.ParameterError
        A ``status`` or ``cost`` not allowed; only one of ``low``/``high``, or not ``low <= high``; a
        range without a finite ``published``, or a ``published`` outside its range; a ``direction`` other than 0, +1 or -1, or nonzero
        with a published figure or range; a ``direction_from`` not finite, or nonzero without a
        direction; ``range_after_measurement`` without a range or a direction.
    """

    name: str
    what: str
    published: float
    low: float | None
    high: float | None
    units: str
    source: str
    status: str
    cost: str
    measure: Callable[[int], float]
    note: str = ""
    direction: int = 0
    direction_from: float = 0.0
    shares: str = ""
    range_after_measurement: bool = False

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ParameterError(f"{self.name}.status", self.status, f"one of {STATUSES}")
        if self.cost not in COSTS:
            raise ParameterError(f"{self.name}.cost", self.cost, f"one of {COSTS}")
        if (self.low is None) != (self.high is None) or (self.low is not None and not self.low <= self.high):
            raise ParameterError(f"{self.name}.low/high", (self.low, self.high), "both None, or low <= high")
        if self.low is not None and not np.isfinite(self.published):
            raise ParameterError(f"{self.name}.published", self.published,
                                 "a published figure when a range is given (NaN only without a range)")
        if self.low is not None and not self.low <= self.published <= self.high:
            raise ParameterError(f"{self.name}.published", self.published,
                                 f"a figure inside its own range [{self.low}, {self.high}]")
        if self.direction not in (-1, 0, 1) or (self.direction and (np.isfinite(self.published)
                                                                   or self.low is not None)):
            raise ParameterError(f"{self.name}.direction", self.direction,
                                 "0, or +1 / -1 with no published figure and no range (a direction-only source)")
        if not np.isfinite(self.direction_from) or (self.direction_from and not self.direction):
            raise ParameterError(f"{self.name}.direction_from", self.direction_from,
                                 "a finite value, and 0 unless the target has a direction")
        if self.range_after_measurement and self.low is None and not self.direction:
            raise ParameterError(f"{self.name}.range_after_measurement", self.range_after_measurement,
                                 "False without a range or a direction (nothing was written after the measurement)")

    def verdict(self, value: float) -> str:
        """``"yes"`` inside the published range (or on the published side of
        :attr:`direction_from`, :attr:`direction`), ``"no"`` outside it, ``"n/a"`` without a
        range, a direction or a value (:func:`judge`).

        Parameters
        ----------
        value : float
            The model's value, in the target's :attr:`units`.

        Returns
        -------
        str
        """
        return judge(value, self.low, self.high, self.direction, self.direction_from)


def judge(value: float, low, high, direction: int = 0, direction_from: float = 0.0) -> str:
    """The verdict of ``value`` against a published range ``[low, high]`` (``None`` or NaN: none),
    or, for a direction-only figure, against its side of ``direction_from``: ``"yes"``, ``"no"``,
    or ``"n/a"`` without a range, a direction or a value (:meth:`Target.verdict`).

    Parameters
    ----------
    value : float
        The model's value (NaN: none).
    low, high : float or None
        The published range, in the units of ``value``; not read when ``direction`` is given.
    direction : int
        +1 or -1 for a direction-only figure (the verdict is then whether ``value - direction_from``
        has this sign), 0 otherwise.
    direction_from : float
        The value a direction is read from.

    Returns
    -------
    str
        ``"yes"``, ``"no"`` or ``"n/a"`` (an infinite value is a value: outside every finite range).

    Raises
    ------
    painsim.errors.ParameterError
        ``low > high`` (a range read from a file in reverse order would otherwise judge every
        value "no").
    """
    if not direction and low is not None and high is not None and low > high:
        raise ParameterError("low/high", (low, high), "a range with low <= high")
    if np.isnan(value):
        return "n/a"
    if direction:
        return "yes" if np.sign(value - direction_from) == direction else "no"
    if low is None or high is None or not (np.isfinite(low) and np.isfinite(high)):
        return "n/a"
    return "yes" if low <= value <= high else "no"
