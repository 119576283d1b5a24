"""The :class:`Model` and its leaves: word choices, bounds, units, checked values.

A :class:`Leaf` is one validated parameter (its SI value, dimension and the
text it came from); values are parsed (quantities with units, numbers,
booleans, words of :data:`CHOICES`) and checked against the reference
model's leaf of the same path (unit, bounds by leaf name and by path, limits by
dimension).  :class:`Model` is the immutable tree of leaves, with
:meth:`Model.with_params` deriving variants.  Loading is in :mod:`painsim.params.loading`,
the checks of values impossible together in :mod:`painsim.params.relations`.
"""
from __future__ import annotations

import copy
import hashlib
import json
import math
import numbers
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..errors import ModelFileError, ParameterError, UnitError, UnknownKeyError, nearest
from ..units import DIMENSIONLESS, UNITS, Dim, parse, to_si, unit_name, brian_dim
from .reading import unflatten
from .relations import _check_relations

__all__ = ["CHOICES", "register_choices", "Leaf", "Model"]

# Keys whose value is a word from a fixed list, matched on the leaf name.  Layers above add their own words
# at import (register_choices): painsim.plasticity.registry adds the rules and presets registered there
# (e.g. "tbs_calcium") and the calcium rule's drive words (rule_params.drive: CalciumRule.DRIVES).
CHOICES: dict[str, tuple[str, ...]] = {
    "rule": ("pair_stdp", "triplet_stdp", "calcium", "bcm", "scaling", "none"),
    "geometry": ("dorsal_column", "peripheral_nerve"),
    "recruitment": ("fraction", "biophysical"),
    "variant": ("central", "peripheral", "ischemic", "hemorrhagic", "none"),
    # network.layers: the stacks of painsim.circuits.layers.STACKS, registered when painsim.circuits is imported
    "layers": ("spinal", "pathway"),
    # word-valued parameters of plasticity rules ([plasticity.<conn>.rule_params])
    "interaction": ("all_to_all", "nearest"), "update": ("additive", "multiplicative"),
    "extent": ("site", "widespread"),
    "etiology": ("none", "peripheral", "central", "widespread"),
    "stroke": ("none", "ischemic", "hemorrhagic"),
    "map_measure": ("area", "excess_rate"),   # readout.map_measure: painsim.readouts.MAP_MEASURES
    # named parameter sets of the plasticity rules (painsim.plasticity presets; "none" = rule defaults)
    "preset": ("none", "spinal_presynaptic", "DP", "cortical_slices", "hippocampal_slices", "visual_cortex_all_to_all",
               "visual_cortex_minimal_all_to_all", "visual_cortex_nearest", "visual_cortex_minimal_nearest",
               "hippocampal_all_to_all", "hippocampal_minimal_all_to_all", "hippocampal_nearest", "hippocampal_minimal_nearest"),
}


def register_choices(leaf: str, words) -> None:
    """Allow exactly ``words`` as the value of every key whose leaf name is ``leaf``.

    Used by the layers above that own a list of choices: painsim.circuits
    registers its layer stacks as the ``network.layers`` choices, so that a new
    stack needs no edit here.

    Parameters
    ----------
    leaf : str
        The last component of the dotted paths concerned (``"layers"`` for
        ``network.layers``).
    words : iterable of str
        The allowed words; they replace any earlier list of ``leaf`` in :data:`CHOICES`.

    Raises
    ------
    painsim.errors.ParameterError
        ``words`` is empty or holds something other than text.
    """
    words = tuple(words)
    if not words or not all(isinstance(w, str) for w in words):
        raise ParameterError(f"choices of {leaf!r}", words, "one or more words")
    CHOICES[leaf] = words


# Rule-specific parameters of a plastic connection ([plasticity.<conn>.rule_params]) are
# not in the reference model: the rule itself checks their names, units and ranges
# (painsim.plasticity.plastic_connections).
_RULE_PARAMS = re.compile(r"^plasticity\.(\w+)\.rule_params\.\w+$")


def _is_rule_param(path: str, known: Mapping) -> bool:
    m = _RULE_PARAMS.match(path)
    return bool(m) and f"plasticity.{m.group(1)}.rule" in known


# Free-text keys allowed in [model] only (names, descriptions, the base model).
_TEXT_KEYS = {"model.name", "model.description", "model.extends"}
# What an override (with_params, overriding, --set) sets instead: a name or base is the file loaded's
_NOT_TEXT_KEY = "a model parameter (not the name, description or base of a model file)"

#: Largest population size or count a model file takes (chosen: a dorsal-horn pathway's connectivity is drawn
#: as a dense n_pre x n_post array, 8 x 10 000 x 10 000 bytes = 0.8 GB; a typo such as 100000000 fibres
#: would exhaust the memory before any error).
MAX_COUNT = 10_000

# Bounds by leaf name (regular expressions, first match wins): (low, high, integer).
_BOUNDS: list[tuple[str, float | None, float | None, bool]] = [
    # every pain readout reads the projection neurons, every stimulus a body site: neither may be absent
    (r"^n_(projection|sites)$", 1, MAX_COUNT, True),
    (r"^n(_\w+)?$", 0, MAX_COUNT, True),               # population sizes and counts (0: a layer without neurons)
    (r"^\w*_site$", 0, None, True),                     # site indices
    # physical: pulses per burst of theta-burst stimulation (painsim.plasticity.TBSCalcium refused 2.5 or
    # -1 only when a session ran; the leaf name escapes the n_* counts above, whose MAX_COUNT it shares)
    (r"^spikes_per_burst$", 1, MAX_COUNT, True),
    (r"^(p|p_\w+|\w+_p|\w+_block|\w*fraction\w*|\w*efficacy|integrity|(\w+_)?disinhibition|\w*lesion|\w*damage|overlap|map_weight)$",
     0.0, 1.0, False),
    # physical: standard deviations are >= 0 (numpy refuses a negative scale: sensitivity_spread < 0 crashed
    # the kHz field's draw)
    (r"^(map_reorganization|\w*threshold_spread|sensitivity_spread)$", 0.0, None, False),
    (r"^presynaptic_\w+$", 0.0, 1.0, False),            # share of an afferent's release a presynaptic receptor can suppress
    # physical: a drug concentration, transmitter released per spike (units of the receptors' K_d), or the
    # extracellular Mg2+ concentration of the NMDA block (mg, in mM: a negative one made the block negative)
    (r"^(morphine|baclofen|opioid|release|mg)$", 0.0, None, False),
    (r"^(sensitization|\w+_scale|scale|\w+_gain|gain)$", 0.0, None, False),  # multipliers: a negative one flips a sign
    (r"^anion_shift$", 0.0, 0.1, False),                # V: a depolarising Cl- shift (KCC2 loss), at most 100 mV
]


def _bounds_for(path: str) -> tuple[float | None, float | None, bool]:
    leaf = path.rsplit(".", 1)[-1]
    for pattern, lo, hi, integer in _BOUNDS:
        if re.match(pattern, leaf):
            return lo, hi, integer
    return None, None, False


# Time constants (leaf names): > 0, not just >= 0 (a zero one divides by zero in the equations: NaN
# rates that brian2 only warns about).  A T-junction's tau_recovery may be 0: an instantaneous
# recovery (painsim.fibers.tjunction).
_TIME_CONSTANT = re.compile(r"^(tau|tau_(?!recovery$)\w+|\w+_tau)$")

#: Longest time constant (s) of a leaf named as one (tau_recovery included).  Physical: the kinetics
#: these leaves hold (receptors, channels, calcium, T-junction recovery and load) last milliseconds to
#: seconds (3 s at most in the models, 28 800 x below the limit); the slower processes (tolerance,
#: consolidation, relapse) are leaves without "tau" in their names.  Catches "5 Ms" for "5 ms".
MAX_TIME_CONSTANT = 86_400.0
_ANY_TIME_CONSTANT = re.compile(r"^(tau|tau_\w+|\w+_tau)$")

# Limits by dimension, on every leaf of it: (low, high, what is allowed, with the reason).  Far from any
# value a model uses; they catch a wrong SI prefix, which loaded and ran ("-65 MV": no neuron ever fired,
# pain 0; a background rate of "1e9 Hz" was killed for want of 24 GB; "1e30 Hz" crashed numpy).
_DIM_LIMITS: dict[tuple, tuple[float, float, str]] = {
    # physical: membrane, threshold and reversal potentials lie within about +-150 mV (Nernst potentials)
    (2, 1, -3, -1, 0, 0, 0): (-0.5, 0.5, "a potential within +-0.5 V, beyond any membrane or reversal "
                                         "potential (e.g. \"-65 mV\")"),
    # physical: neurons fire below ~1 kHz (a refractory period of ~1 ms) and the fastest rate in the models
    # is the 10 kHz train of kHz SCS (dorsal_horn.field.reference_rate): 1 MHz is 100 x above it
    (0, 0, -1, 0, 0, 0, 0): (-math.inf, 1e6, "a rate <= 1 MHz, beyond any neural or device rate"),
    # chosen: over 30 000 x the largest conductance in the models (cortex.m1.tms_weight, 30 nS) and 1000 x
    # the input conductance of a whole large neuron (~1 uS); catches "2 MS" or "2 mS" for "2 nS"
    (-2, -1, 3, 2, 0, 0, 0): (-math.inf, 1e-3, "a conductance <= 1 mS, beyond any synapse or neuron "
                                               "(e.g. \"2 nS\")"),
    # physical: no path in a human body is longer than ~2 m (toe to cortex); the longest length in the
    # models is the 0.3 m of afferents.conduction_distance.  Catches "0.3 km" for "0.3 m" (every delay x 1000)
    (1, 0, 0, 0, 0, 0, 0): (-math.inf, 3.0, "a length <= 3 m, beyond any path in a human body (e.g. \"0.3 m\")"),
    # physical: the fastest myelinated axons (A-alpha) conduct at ~70-120 m/s (textbook); catches "7500 m/s"
    (1, 0, -1, 0, 0, 0, 0): (-math.inf, 150.0, "a conduction velocity <= 150 m/s, above the fastest myelinated "
                                                "axons (~120 m/s; e.g. \"50 m/s\")"),
}

#: Longest delay (s) of a leaf named as one (``*_delay``).  Physical: the slowest conduction in a human
#: body, a C fibre at ~0.5 m/s over ~2 m, takes ~4 s; the models' delays are 1-10 ms.  Catches "10 ks".
MAX_DELAY = 5.0
_DELAY = re.compile(r"^(delay|\w+_delay)$")

# Bounds by full dotted path, checked after those by leaf name (a leaf name such as ``threshold``
# also names membrane potentials elsewhere): (pattern, low, strict, what is allowed).  Values the
# afferent layer cannot use: they loaded and ran silently (a negative threshold or a 0 mA threshold
# current recruited every fibre at every pulse, a 0 m/s velocity made every delay infinite).  An
# optional fifth entry is a strict upper bound.
_PATH_BOUNDS: list[tuple] = [
    # brian2 replays each generator spike in the step nearest its time and refuses two of one fibre
    # in one step; the afferents' dead time (painsim.fibers.afferents.DEAD_TIME, 1 ms; params may
    # not import fibers) keeps them apart only for a shorter step (gaps of one dead time, e.g. a
    # 1 kHz train's, can round into one step of 1 ms).  A 0 step divided by zero.
    (re.compile(r"^network\.dt$"), 0.0, True,
     "a time step > 0 s and < 1 ms, the afferents' dead time (e.g. \"0.1 ms\")", 1e-3),
    (re.compile(r"^afferents\.\w+\.threshold$"), 0.0, True,
     "a threshold > 0 (multiples of the Aβ threshold; a fibre at <= 0 fires at every pulse)"),
    (re.compile(r"^afferents\.\w+\.threshold_current$"), 0.0, True,
     "a current > 0 (e.g. \"0.5 mA\"; stimulus currents are divided by it)"),
    (re.compile(r"^afferents\.\w+\.velocity_(min|max)$"), 0.0, True,
     "a conduction velocity > 0 (m/s; delays are distance / velocity)"),
    (re.compile(r"^afferents\.(conduction|drg)_distance$"), 0.0, True, "a distance > 0 (m)"),
    # painsim.fibers.tjunction.JunctionParams: a spike passes a rested junction iff S r >= 1 + L
    (re.compile(r"^afferents\.tjunction\.\w+\.safety$"), 1.0, False,
     "a safety factor >= 1 (below 1 a rested junction passes no spike; painsim.fibers.tjunction)"),
    (re.compile(r"^afferents\.tjunction\.\w+\.load$"), 0.0, False,
     "a load per spike >= 0 (a negative one raises the junction's safety factor with use)"),
    # an empty S1 sheet has no mean excess rate and no area to score (painsim.readouts.maps)
    (re.compile(r"^cortex\.populations\.n_map_(x|y)$"), 1.0, False, "a sheet of at least 1 x 1 unit"),
    # an efficacy multiplies a conductance: a negative floor would let a course make it negative
    # (the simulation refuses negative efficacies, but only once a session has produced one)
    (re.compile(r"^plasticity\.\w+\.w_min$"), 0.0, False, "an efficacy floor >= 0"),
    (re.compile(r"^readout\.bin$"), 0.0, True, "a bin > 0 s (population rates are counted per bin)"),
    # physical: every membrane has a capacitance, and the membrane equation divides by it (0 pF ran NaN)
    (re.compile(r"^\w+\.neuron\.capacitance$"), 0.0, True, "a membrane capacitance > 0 (e.g. \"100 pF\")"),
    # physical: a half-activation is > 0; the CAN calcium drive is g_nmda / nmda_calcium_half
    # (painsim.circuits.dorsal_horn_dynamics), which 0 nS divided by zero
    (re.compile(r"^dorsal_horn\.windup\.nmda_calcium_half$"), 0.0, True,
     "a conductance > 0 (the NMDA conductance of half-maximal CAN calcium; it divides)"),
    # physical: an area is > 0; the pain map's score divides the overactive area by it
    (re.compile(r"^readout\.map_pain_area$"), 0.0, True,
     "an area > 0 (the map's overactive area is divided by it; painsim.readouts.maps)"),
    # physical: the field's rectified current depolarises (a sensitivity scales it, coupling switches it);
    # painsim.circuits.khz_field keeps only gains > 0, so a negative one was silently taken as 0
    (re.compile(r"^dorsal_horn\.field\.(coupling|sensitivity_(in|ex|pn))$"), 0.0, False,
     "a factor >= 0 (0 removes the field term; the field depolarises, it cannot be made to hyperpolarise)"),
    # physical: a threshold in multiples of the RMT is > 0, as afferents.*.threshold above
    (re.compile(r"^cortex\.m1\.tms_threshold$"), 0.0, True,
     "a threshold > 0 (multiples of the resting motor threshold; a neuron at <= 0 fires at every pulse)"),
    # physical: a tissue's resistivity is the inverse of its conductivity (painsim.fibers.biophysical divides
    # by resistivity x image factor); the image factor is 2 for a half space, 1 for a full space
    (re.compile(r"^afferents\.biophysical\.\w+_resistivity$"), 0.0, True, "a resistivity > 0 (e.g. \"1.67 ohm*m\")"),
    (re.compile(r"^afferents\.biophysical\.\w+_image_factor$"), 0.0, True,
     "a factor > 0 (2 for a contact on an insulating boundary, 1 inside the tissue; the conductivity is "
     "divided by resistivity x image factor)"),
    # physical: the STT response grows with the temperature (Kenshalo et al. 1979); the readout refused
    # an exponent <= 0 only after a simulation
    (re.compile(r"^readout\.stt_exponent$"), 0.0, True,
     "an exponent > 0 (the spinothalamic rate rises with the temperature; painsim.readouts.pain)"),
    # physical: an efficacy ceiling of 0 silences the synapse at every weight (and a rule then refuses it)
    (re.compile(r"^plasticity\.\w+\.w_max$"), 0.0, True, "an efficacy ceiling > 0"),
    # chosen (the engine's own limit, moved to load): painsim.course.consolidation refuses capacities
    # level_ratio**(k-1) that shrink from level to level, q < 1, but only when a course ran; any real
    # q >= 1 is computed (q**k), so it need not be whole
    (re.compile(r"^consolidation\.level_ratio$"), 1.0, False,
     "a ratio >= 1 between the capacities of successive consolidation levels (2 in Benna & Fusi 2016)"),
    # below: values the layers above refuse only when a run reads them, naming their own argument
    # ('spacing', 'window', 'dt', an internal amplitude); refused here, at load, naming the path
    # physical: a grid spacing and a coincidence window are > 0 (areas and volleys are counted in them)
    (re.compile(r"^cortex\.map\.spacing$"), 0.0, True, "a grid spacing > 0 (map areas are counted in it)"),
    (re.compile(r"^dorsal_column\.volley_window$"), 0.0, True, "a coincidence window > 0 s"),
    (re.compile(r"^dorsal_column\.volley_fraction$"), 0.0, True,
     "a fraction > 0 of the fibres firing within the window (a volley of none is every window)"),
    # chosen (the kernel's own limit, painsim.fibers.kernel.DT_MAX = 5 us, moved to load)
    (re.compile(r"^afferents\.biophysical\.dt$"), 0.0, True, "a time step > 0 s and <= 5 us", 5e-6 * (1 + 1e-9)),
    # physical: the field's reference train has a rate and a width; the activation is scaled by them
    (re.compile(r"^dorsal_horn\.field\.reference_(rate|width)$"), 0.0, True,
     "a value > 0 (the reference train the field's activation is scaled to)"),
    # physical: the spinothalamic response at 50 degC is > 0 (Kenshalo et al. 1979); the map's zero below
    (re.compile(r"^readout\.stt_rate_50c$"), 0.0, True, "a rate > 0 Hz (the spinothalamic response at 50 °C)"),
    (re.compile(r"^readout\.stt_base_celsius$"), -273.15, False,
     "an adapting temperature < 50 °C (the power law is read above it)", 50.0),
    # physical: NRS ratings lie on the 0-10 scale
    (re.compile(r"^readout\.heat_rating_\d+$"), 0.0, False, "a rating on the 0-10 NRS", 10.0 * (1 + 1e-12)),
    # chosen (the engine's own limits, painsim.course.consolidation, moved to load): times > 0 divide
    (re.compile(r"^consolidation\.(early_time|relapse_time)$"), 0.0, True, "a time > 0 s"),
    (re.compile(r"^consolidation\.n_levels$"), 2.0, False, "a whole number of levels from 2 to 12", 13.0),
    (re.compile(r"^consolidation\.relapse_reference_rate$"), 0.0, True, "a rate > 0 Hz"),
    # physical: a half-time is > 0 (the tolerance rate is ln 2 over it)
    (re.compile(r"^dorsal_horn\.opioid\.tolerance_half_time$"), 0.0, True, "a half-time > 0 s"),
]


def _check_path_bounds(path: str, value, text) -> None:
    """Refuse ``value`` outside the :data:`_PATH_BOUNDS` of ``path`` (naming path, value, range)."""
    for pattern, lo, strict, allowed, *hi in _PATH_BOUNDS:
        if pattern.match(path):
            if not (value > lo if strict else value >= lo) or (hi and not value < hi[0]):
                raise ParameterError(path, text, allowed)
            return


def _check_limits(path: str, value, text, ref: Leaf) -> None:
    """Refuse ``value`` beyond the :data:`_DIM_LIMITS` of its dimension or, for a time constant,
    :data:`MAX_TIME_CONSTANT` and, for a delay, :data:`MAX_DELAY` (naming path, value and the limit)."""
    low, high, allowed = _DIM_LIMITS.get(tuple(ref.dim), (-math.inf, math.inf, ""))
    if not low <= value <= high:
        raise ParameterError(path, text, allowed)
    if _ANY_TIME_CONSTANT.match(path.rsplit(".", 1)[-1]) and value > MAX_TIME_CONSTANT:
        raise ParameterError(path, text, "a time constant <= 1 day, beyond the kinetics of any receptor, "
                                         f"channel or membrane (e.g. \"5 {_ref_unit(ref)}\")")
    if _DELAY.match(path.rsplit(".", 1)[-1]) and value > MAX_DELAY:
        raise ParameterError(path, text, "a delay <= 5 s, beyond the slowest conduction in a human body "
                                         "(a C fibre at ~0.5 m/s over ~2 m: ~4 s; e.g. \"10 ms\")")


# Dimensions that can never be negative (times, rates, conductances, capacitances, lengths, speeds, currents).
_NONNEGATIVE = {(0, 0, 1, 0, 0, 0, 0), (0, 0, -1, 0, 0, 0, 0), (-2, -1, 3, 2, 0, 0, 0),
                (-2, -1, 4, 2, 0, 0, 0), (1, 0, 0, 0, 0, 0, 0), (1, 0, -1, 0, 0, 0, 0),
                (0, 0, 0, 1, 0, 0, 0), (2, 0, 0, 0, 0, 0, 0)}


# ------------------------------------------------------------ leaf values
@dataclass(frozen=True)
class Leaf:
    """A validated parameter: its SI value, dimension, and the text it came from.

    Parameters
    ----------
    si : float, int, bool or str
        Value in SI units, or the bool, word or text it holds.
    dim : Dim or None
        Its dimension (None for bools, words and text).
    text : object
        The value as written (for display and saving).
    """

    si: Any          # float, int, bool or str (choices)
    dim: Dim | None  # None for bools and choices
    text: Any        # as written (for display and saving)


def _plain(raw: Any) -> Any:
    """``raw`` with a numpy scalar turned into the Python bool, int, float or str it holds (``np.int64(5)``
    from an array of counts, ``np.bool_(False)``, ``np.str_("site")`` from a saved result's labels): they were
    refused ("not a number", "one of ('site', ...)"), and a leaf's text must stay a plain value (JSON)."""
    if isinstance(raw, np.str_):
        return str(raw)
    if isinstance(raw, (bool, np.bool_)):
        return bool(raw)
    if isinstance(raw, numbers.Integral):
        return int(raw)
    if isinstance(raw, numbers.Real):  # np.float64 too: a float subclass, not a plain float
        return float(raw)
    return raw


# A number followed by a word: a quantity whose unit units.parse does not know ("50 hz", "3 hours").
_NUMBER_AND_UNIT = re.compile(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*([^\d\s].*?)\s*$")


def _unknown_unit(path: str, raw: str, error: ParameterError, ref: Leaf | None, where: str) -> ParameterError:
    """The error for a number with a unit units.parse does not know: naming the unit the reference
    model writes ``path`` in and, as the hint, the unit of that dimension meant (the same letters in
    other capitals first: "hz" -> "Hz", "KHz" -> "kHz", "PF" -> "pF"; then the longest unit the word
    begins with: "hours" -> "h", "msec" -> "ms"; else the nearest spelling).
    Without a reference leaf (the reference file itself, a rule parameter), units.parse's own error."""
    if ref is None or ref.dim is None:
        return error
    unit = _NUMBER_AND_UNIT.match(raw).group(1).replace(" ", "")
    expected = _ref_unit(ref)
    same = [u for u, (_, dim) in UNITS.items() if tuple(dim) == tuple(ref.dim)]
    folded = [u for u in same if u.lower() == unit.lower()]
    heads = sorted((u for u in same if unit.lower().startswith(u.lower())), key=len)  # "hours" -> "h"
    guess = (expected if expected in folded else folded[0] if folded else heads[-1] if heads
             else nearest(unit, same))
    hint = f"unknown unit {unit!r}" + (f"; did you mean {guess!r}?" if guess else "")
    if "," in unit:
        hint += "; write decimals with a point (\"1.5 nS\")"
    if where != "override":
        hint += f"; in {where}"
    return UnitError(path, raw, expected, hint=hint)


def _parse_leaf(path: str, raw: Any, where: str, ref: Leaf | None = None) -> Leaf:
    """``raw`` (a file's or an override's value) as a :class:`Leaf`, unchecked; ``ref``, the reference
    model's leaf of ``path`` if known, names the unit expected when ``raw`` has an unknown one."""
    raw = _plain(raw)
    if isinstance(raw, bool):
        return Leaf(raw, None, raw)
    if isinstance(raw, (int, float)):
        return Leaf(raw, DIMENSIONLESS, raw)
    if isinstance(raw, str):
        leaf = path.rsplit(".", 1)[-1]
        if path in _TEXT_KEYS:
            return Leaf(raw, None, raw)
        if leaf in CHOICES:
            if raw not in CHOICES[leaf]:
                raise UnknownKeyError(raw, CHOICES[leaf], what=f"value for {path!r}")
            return Leaf(raw, None, raw)
        try:
            value, dim = parse(raw, path)
        except ParameterError as e:
            if _NUMBER_AND_UNIT.match(raw):  # a number with an unknown unit: say which unit is meant
                raise _unknown_unit(path, raw, e, ref, where) from None
            wanted = ("a plain number without a unit (0.5)" if ref is not None and ref.dim == DIMENSIONLESS
                      else 'a number with a unit ("50 Hz")')  # a dose, a fraction, a count: no unit
            raise ModelFileError(f"{where}: {path} = {raw!r} is neither {wanted} nor an allowed word; model files "
                                 "hold numbers with units, never code or equations") from None
        return Leaf(value, dim, raw)
    raise ModelFileError(f"{where}: {path} = {raw!r}: a model value must be a number, a quantity "
                         "string, a boolean or an allowed word (found a "
                         f"{type(raw).__name__})")


def _check_leaf(path: str, leaf: Leaf, ref: Leaf, where: str) -> Leaf:
    """Check a leaf against the reference model's leaf of the same path."""
    if ref.dim is None:  # bool or choice
        if type(leaf.si) is not type(ref.si):
            allowed = "true or false" if isinstance(ref.si, bool) else f"one of {CHOICES.get(path.rsplit('.', 1)[-1])}"
            raise ParameterError(path, leaf.text, allowed)
        return leaf
    if leaf.dim is None:
        raise UnitError(path, leaf.text, unit_name(ref.dim) if ref.dim != DIMENSIONLESS else "1")
    zero = leaf.si == 0 and leaf.dim == DIMENSIONLESS  # 0 is 0 in every unit
    if tuple(leaf.dim) != tuple(ref.dim) and not zero:
        raise UnitError(path, leaf.text, _ref_unit(ref))
    value = leaf.si
    # first: int() of a NaN or infinite count raised a bare ValueError or OverflowError below
    if not _finite(value):
        raise ParameterError(path, leaf.text, "a finite number (not NaN or infinite)")
    lo, hi, integer = _bounds_for(path)
    if integer and (isinstance(value, bool) or isinstance(value, float) and not value.is_integer()):
        raise ParameterError(path, leaf.text, "a whole number")
    if lo is None and tuple(ref.dim) in _NONNEGATIVE:
        lo = 0.0
    if lo is not None and value < lo or hi is not None and value > hi:
        rng = f"a value in [{lo}, {hi}]" if hi is not None else f"a value >= {lo}"
        raise ParameterError(path, leaf.text, rng + (f" ({unit_name(ref.dim)})" if ref.dim != DIMENSIONLESS else ""))
    if _TIME_CONSTANT.match(path.rsplit(".", 1)[-1]) and not value > 0:
        raise ParameterError(path, leaf.text, f"a time constant > 0 ({_ref_unit(ref)})")
    _check_limits(path, value, leaf.text, ref)
    _check_path_bounds(path, value, leaf.text)
    if integer:
        value = int(value)
    elif isinstance(ref.si, float):  # a plain 0 (or 2) where the reference holds a float: read as one
        value = float(value)
    return Leaf(value, ref.dim, leaf.text)


def _finite(value) -> bool:
    """Whether a number is finite: not NaN, not infinite, and (an int) not beyond every float."""
    try:
        return math.isfinite(value)
    except OverflowError:  # an int such as 10**400, which no float holds
        return False


def _ref_unit(ref: Leaf) -> str:
    """The unit the reference model writes a parameter in ("nS"; "1" for a plain number), for messages and
    a quantity's text: its text's, else its dimension's (a plain 0 was said to take "a plain number")."""
    m = _NUMBER_AND_UNIT.match(ref.text) if isinstance(ref.text, str) else None
    unit = m.group(1).replace(" ", "") if m else ""
    if ref.dim is not None and unit in UNITS and tuple(UNITS[unit][1]) == tuple(ref.dim):
        return unit
    if ref.dim is None or tuple(ref.dim) == tuple(DIMENSIONLESS) or unit_name(ref.dim) not in UNITS:
        return "1"
    return unit_name(ref.dim)


def _quantity_text(si: float, dim: Dim, unit: str | None = None):
    """The text of an SI value of dimension ``dim`` that :func:`painsim.units.parse` reads back to the same
    value: in ``unit`` (default: the SI unit) with the fewest digits that do, else in the SI unit (exact);
    a plain number if dimensionless.  (``str`` of a brian2 quantity, "40. m s^-1", could not be read.)"""
    if tuple(dim) == tuple(DIMENSIONLESS):
        return float(si)
    base = unit_name(dim)
    unit = unit if unit in UNITS and tuple(UNITS[unit][1]) == tuple(dim) else base
    if unit not in UNITS or not math.isfinite(si):  # a dimension without a unit; NaN or inf: refused later
        return f"{si} {unit}"
    for digits in (12, 15, 16, 17):
        text = f"{si / UNITS[unit][0]:.{digits}g} {unit}"
        if parse(text)[0] == si:
            return text
    return f"{si!r} {base}" if UNITS.get(base, (0.0,))[0] == 1.0 else text


def _to_leaf(path: str, value: Any, ref: Leaf) -> Leaf:
    """Turn a Python override (quantity, string, number, bool) into a Leaf."""
    if hasattr(value, "dim"):  # brian2 Quantity
        if ref.dim is None:
            raise ParameterError(path, value, "true/false or a word")
        if tuple(brian_dim(value)) != tuple(ref.dim):
            raise UnitError(path, value, _ref_unit(ref))
        si = to_si(value, ref.dim, path)
        return Leaf(si, ref.dim, _quantity_text(si, ref.dim, _ref_unit(ref)))  # text read back to si
    if isinstance(value, (str, bool, np.bool_, numbers.Real)):  # numpy scalars too (_plain)
        return _parse_leaf(path, value, "override", ref)
    raise ParameterError(path, value, "a quantity, a string with a unit, a number or a boolean")


# ------------------------------------------------------------ the model
def _overrides_mapping(overrides, name: str) -> dict:
    """``overrides`` (None: none) as a dict, checked to map dotted paths (text) to values: ``dict()``
    of a string or a list fails with a bare ValueError or TypeError that names neither."""
    if overrides is None:
        return {}
    allowed = 'a mapping of dotted parameter paths to values, e.g. {"dorsal_horn.pharmacology.gaba_block": 1.0}'
    if not isinstance(overrides, Mapping):
        hint = ("PATH=VALUE is the command line's --set; in Python give a dict"
                if isinstance(overrides, str) and "=" in overrides else None)
        raise ParameterError(name, overrides, allowed, hint=hint)
    for path in overrides:
        if not isinstance(path, str):
            raise ParameterError(name, path, allowed, hint="every key is a dotted path (text)")
    return dict(overrides)


@dataclass(frozen=True, eq=False)
class Model:
    """An immutable, validated parameter tree.

    Use :func:`load_model` to make one and :meth:`with_params` to derive
    variants; :meth:`si` reads a value in SI units, :meth:`section` a whole
    sub-tree as a nested dict of SI values.

    Parameters
    ----------
    name : str
        The model's name (its file's ``model.name``, else the file name).
    leaves : mapping of str to Leaf
        Validated parameters by dotted path.
    source : str
        The file it was loaded from ("" if none).
    """

    name: str
    leaves: Mapping[str, Leaf]
    source: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        # every instance memoises its own sections: a copy by dataclasses.replace would share the dict
        object.__setattr__(self, "_cache", {})

    # -- reading
    def __contains__(self, path: str) -> bool:
        return path in self.leaves or any(k.startswith(path + ".") for k in self.leaves)

    def keys(self) -> list[str]:
        return list(self.leaves)

    def si(self, path: str):
        """The value at ``path`` in SI units (float), or the int/bool/word it holds.

        Parameters
        ----------
        path : str
            Dotted path of a parameter (e.g. ``"network.dt"``).

        Raises
        ------
        UnknownKeyError
            No such parameter (the nearest valid path is named).
        """
        try:
            return self.leaves[path].si
        except KeyError:
            raise UnknownKeyError(path, self.leaves) from None

    def text(self, path: str):
        """The value at ``path`` as written ("50 Hz").

        Parameters
        ----------
        path : str
            Dotted path of a parameter (e.g. ``"model.name"``).

        Raises
        ------
        UnknownKeyError
            No such parameter (the nearest valid path is named), as :meth:`si`.
        """
        try:
            return self.leaves[path].text
        except KeyError:
            raise UnknownKeyError(path, self.leaves) from None

    def section(self, path: str = "") -> dict:
        """Nested dict of SI values below ``path`` ("" = the whole tree).

        Parameters
        ----------
        path : str
            Dotted path of a section.

        Raises
        ------
        UnknownKeyError
            No parameter lies below ``path``.
        """
        key = ("section", path)
        if key not in self._cache:
            pre = path + "." if path else ""
            flat = {k[len(pre):]: v.si for k, v in self.leaves.items() if k.startswith(pre)}
            if not flat:
                raise UnknownKeyError(path, {k.rsplit(".", 1)[0] for k in self.leaves}, what="section")
            self._cache[key] = unflatten(flat)
        return copy.deepcopy(self._cache[key])

    def as_text_tree(self) -> dict:
        """Nested dict of values as written (for saving or showing)."""
        return unflatten({k: v.text for k, v in self.leaves.items()})

    def to_json(self) -> str:
        return json.dumps(self.as_text_tree(), sort_keys=True, default=str)

    def key(self) -> str:
        """Content hash of the parameters (used in caches and sweeps)."""
        return hashlib.sha256(json.dumps({k: v.si for k, v in self.leaves.items()},
                                         sort_keys=True, default=str).encode()).hexdigest()[:24]

    # -- deriving
    def with_params(self, overrides: Mapping[str, Any] | None = None, **kw) -> "Model":
        """A new model with ``overrides`` applied (dotted paths -> values).

        Values may be brian2 quantities (kept as text in the model's unit of that
        parameter, ``"40 m/s"``, read back to the same SI value), strings with units,
        numbers (for dimensionless parameters, or 0 for any; numpy scalars too) and
        booleans.  Each is checked like a model-file value.

        Parameters
        ----------
        overrides : mapping of str, optional
            Dotted paths to new values.
        **kw
            More overrides, applied over ``overrides``.

        Raises
        ------
        UnknownKeyError
            For a path that does not exist (the nearest valid path is named).
        UnitError, ParameterError
            For a wrong unit or an out-of-range value, values impossible together
            (:func:`_check_relations`), ``overrides`` that is not a mapping of dotted
            paths (a string ``"PATH=VALUE"``, a list), or one that sets ``model.name``,
            ``model.description`` or ``model.extends`` (those of the file loaded).
        """
        overrides = {**_overrides_mapping(overrides, "overrides"), **kw}
        if not overrides:
            return self
        leaves = self._checked_leaves(overrides)
        _check_relations(leaves)
        return Model(self.name, leaves, self.source)

    def _checked_leaves(self, overrides: Mapping[str, Any]) -> dict[str, Leaf]:
        """This model's leaves with ``overrides`` (a dict of dotted paths) applied, each path, unit and
        single-value range checked, values impossible together not yet (:func:`_check_relations`).
        :func:`painsim.params.overriding` checks a variant of every model so, against the reference
        model, whose relations (one body site) need not be another model's."""
        leaves = dict(self.leaves)
        for path, value in overrides.items():
            if path in _TEXT_KEYS:  # model.name was taken while Model.name kept the file's
                raise ParameterError(path, value, _NOT_TEXT_KEY)
            if _is_rule_param(path, self.leaves):
                dim = brian_dim(value)
                if dim is not None:  # a brian2 quantity: as text in its SI unit, the rule parses it
                    value = _quantity_text(to_si(value, dim, path), dim)
                leaves[path] = _parse_leaf(path, value, "override")
                continue
            if path not in self.leaves:
                inside = sorted(k for k in self.leaves if k.startswith(path + "."))
                if inside:  # a section: say so, and what it holds
                    raise ParameterError(path, value, f"a parameter; {path!r} is a section of "
                                         f"{len(inside)} (e.g. {inside[0]!r})")
                raise UnknownKeyError(path, self.leaves)
            ref = self.leaves[path]
            leaves[path] = _check_leaf(path, _to_leaf(path, value, ref), ref, "override")
        return leaves

    def __repr__(self):
        return f"Model({self.name!r}, {len(self.leaves)} parameters)"
