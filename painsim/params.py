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

Example
-------
>>> import painsim as ps
>>> m = ps.load_model("gate_control")
>>> m2 = m.with_params({"dorsal_horn.pharmacology.gaba_block": 1.0})
>>> m2.si("dorsal_horn.inhibition.weight")        # SI float (siemens)
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ModelFileError, ParameterError, PathError, UnitError, UnknownKeyError
from .units import DIMENSIONLESS, Dim, parse, to_si, unit_name, brian_dim

__all__ = ["Model", "load_model", "builtin_models", "builtin_experiments", "find_builtin",
           "read_toml", "flatten", "unflatten", "REFERENCE_MODEL", "register_choices", "model_overrides",
           "overriding", "overrides_text", "OVERRIDES_ENV"]

REFERENCE_MODEL = "gate_control"

# Keys whose value is a word from a fixed list, matched on the leaf name.
# Layers above add their own words at import (register_choices): painsim.plasticity.registry adds the
# rules and presets registered there (e.g. "tbs_calcium"); `import painsim` imports it.
CHOICES: dict[str, tuple[str, ...]] = {
    "rule": ("pair_stdp", "triplet_stdp", "calcium", "bcm", "scaling", "none"),
    "geometry": ("dorsal_column", "peripheral_nerve"),
    "recruitment": ("fraction", "biophysical"),
    "variant": ("central", "peripheral", "ischemic", "hemorrhagic", "none"),
    # network.layers: the layer stacks of painsim.circuits.layers.STACKS, which
    # registers them (register_choices) when painsim.circuits is imported
    "layers": ("spinal", "pathway"),
    # word-valued parameters of plasticity rules ([plasticity.<conn>.rule_params])
    "interaction": ("all_to_all", "nearest"),
    "update": ("additive", "multiplicative"),
    "extent": ("site", "widespread"),
    "etiology": ("none", "peripheral", "central", "widespread"),
    "stroke": ("none", "ischemic", "hemorrhagic"),
    "map_measure": ("area", "excess_rate"),   # readout.map_measure: painsim.readouts.MAP_MEASURES
    # named parameter sets of the plasticity rules (painsim.plasticity presets; "none" = rule defaults)
    "preset": ("none", "spinal_presynaptic", "DP", "cortical_slices", "hippocampal_slices",
               "visual_cortex_all_to_all", "visual_cortex_minimal_all_to_all", "visual_cortex_nearest",
               "visual_cortex_minimal_nearest", "hippocampal_all_to_all", "hippocampal_minimal_all_to_all",
               "hippocampal_nearest", "hippocampal_minimal_nearest"),
}


def register_choices(leaf: str, words) -> None:
    """Allow exactly ``words`` as the value of every key whose leaf name is ``leaf``.

    Used by the layers above that own a list of choices: painsim.circuits
    registers its layer stacks as the ``network.layers`` choices, so that a new
    stack needs no edit here.
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

# Bounds by leaf name (regular expressions, first match wins): (low, high, integer).
_BOUNDS: list[tuple[str, float | None, float | None, bool]] = [
    (r"^n(_\w+)?$", 0, None, True),                    # population sizes and counts
    (r"^\w*_site$", 0, None, True),                     # site indices
    (r"^(p|p_\w+|\w+_p|\w+_block|\w*fraction\w*|\w*efficacy|integrity|(\w+_)?disinhibition|\w*lesion|\w*damage|overlap|map_weight)$",
     0.0, 1.0, False),
    (r"^(map_reorganization|\w*threshold_spread)$", 0.0, None, False),
    (r"^presynaptic_\w+$", 0.0, 1.0, False),            # share of an afferent's release a presynaptic receptor can suppress
    (r"^(morphine|baclofen|opioid|release)$", 0.0, None, False),  # a drug concentration, or transmitter released per spike (units of the receptors' K_d)
    (r"^(sensitization|\w+_scale|scale|\w+_gain|gain)$", 0.0, None, False),  # multipliers: a negative one flips a sign
    (r"^anion_shift$", 0.0, 0.1, False),                # V: a depolarising Cl- shift (KCC2 loss), at most 100 mV
]


def _bounds_for(path: str) -> tuple[float | None, float | None, bool]:
    leaf = path.rsplit(".", 1)[-1]
    for pattern, lo, hi, integer in _BOUNDS:
        if re.match(pattern, leaf):
            return lo, hi, integer
    return None, None, False


# Dimensions that can never be negative (times, rates, conductances, capacitances, lengths, speeds, currents).
_NONNEGATIVE = {(0, 0, 1, 0, 0, 0, 0), (0, 0, -1, 0, 0, 0, 0), (-2, -1, 3, 2, 0, 0, 0),
                (-2, -1, 4, 2, 0, 0, 0), (1, 0, 0, 0, 0, 0, 0), (1, 0, -1, 0, 0, 0, 0),
                (0, 0, 0, 1, 0, 0, 0), (2, 0, 0, 0, 0, 0, 0)}


# ------------------------------------------------------------ tree helpers
def flatten(tree: Mapping, prefix: str = "") -> dict[str, Any]:
    """Nested mapping -> {"a.b.c": leaf}."""
    out: dict[str, Any] = {}
    for k, v in tree.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, Mapping):
            out.update(flatten(v, path))
        else:
            out[path] = v
    return out


def unflatten(flat: Mapping[str, Any]) -> dict:
    """{"a.b.c": leaf} -> nested dict."""
    tree: dict = {}
    for path, v in flat.items():
        node = tree
        *parents, leaf = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = v
    return tree


def read_toml(path: Path) -> dict:
    """Read a TOML file, turning syntax errors into ModelFileError with the file name.

    Parameters
    ----------
    path : Path

    Raises
    ------
    ModelFileError
        The file is missing, or is not valid TOML or UTF-8.
    """
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ModelFileError(f"file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ModelFileError(f"{path}: invalid TOML: {e}") from None


# ------------------------------------------------------------ built-ins
def _builtin_dir(kind: str) -> Path:
    """Folder of built-in models or experiments, in a checkout or an installed package."""
    here = Path(__file__).resolve().parent
    src = here.parent / kind  # source checkout / editable install
    if src.is_dir() and (here.parent / "pyproject.toml").is_file():
        return src
    return here / f"_builtin_{kind}"  # installed from a wheel: shipped inside the package


def builtin_models() -> list[str]:
    """Names of the built-in model files (``painsim models``)."""
    return sorted(p.stem for p in _builtin_dir("models").glob("*.toml"))


def builtin_experiments() -> list[str]:
    return sorted(p.stem for p in _builtin_dir("experiments").glob("*.toml"))


def find_builtin(name_or_path: str | Path, kind: str = "models") -> Path:
    """Resolve a built-in name (``"gate_control"``) or a path to a TOML file.

    A bare name that is both a built-in and a folder in the working directory is the
    built-in; any other folder is refused.

    Parameters
    ----------
    name_or_path : str or Path
        A built-in name or the path of a TOML file.
    kind : {"models", "experiments"}
        Which built-ins (folder) to look in.

    Raises
    ------
    ParameterError
        ``name_or_path`` is neither text nor a path.
    PathError
        ``name_or_path`` is a folder.
    ModelFileError, UnknownKeyError
        No such file, or no such built-in (the nearest one is named).
    """
    if not isinstance(name_or_path, (str, Path)):
        raise ParameterError(kind[:-1], name_or_path, f"a built-in {kind[:-1]} name or a path to a TOML file")
    p = Path(name_or_path)
    if p.is_dir():
        cand = _builtin_dir(kind) / f"{p.name}.toml"
        if str(name_or_path) == p.name and cand.is_file():  # a built-in's bare name, also a folder here
            return cand
        # refused as what it is: "file not found" would send the user looking for a missing file
        raise PathError(f"{p} is a folder, not a {kind[:-1]} file: give a TOML file "
                        f"(e.g. {kind}/{REFERENCE_MODEL}.toml) or a built-in name (painsim models lists them)")
    if p.suffix == ".toml" or p.exists():
        if p.is_file():
            return p
        # experiments/gate_control.toml given from outside a checkout: try the built-ins
        cand = _builtin_dir(kind) / p.name
        if cand.is_file():
            return cand
        raise ModelFileError(f"file not found: {p}")
    cand = _builtin_dir(kind) / f"{p.name}.toml"
    if cand.is_file():
        return cand
    names = builtin_models() if kind == "models" else builtin_experiments()
    raise UnknownKeyError(str(name_or_path), names, what="built-in " + kind[:-1])


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


def _parse_leaf(path: str, raw: Any, where: str) -> Leaf:
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
        except ParameterError:
            raise ModelFileError(
                f"{where}: {path} = {raw!r} is neither a number with a unit (\"50 Hz\") nor an "
                "allowed word; model files hold numbers with units, never code or equations") from None
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
    lo, hi, integer = _bounds_for(path)
    if integer and (isinstance(value, bool) or float(value) != int(value)):
        raise ParameterError(path, leaf.text, "a whole number")
    if lo is None and tuple(ref.dim) in _NONNEGATIVE:
        lo = 0.0
    if lo is not None and value < lo or hi is not None and value > hi:
        rng = f"a value in [{lo}, {hi}]" if hi is not None else f"a value >= {lo}"
        raise ParameterError(path, leaf.text, rng + (f" ({unit_name(ref.dim)})" if ref.dim != DIMENSIONLESS else ""))
    if value != value or (isinstance(value, float) and abs(value) == float("inf")):
        raise ParameterError(path, leaf.text, "a finite number (not NaN or infinite)")
    return Leaf(int(value) if integer else value, ref.dim, leaf.text)


def _ref_unit(ref: Leaf) -> str:
    """The unit the reference model writes a parameter in ("nS"; "1" for a plain number), for messages."""
    if isinstance(ref.text, str) and " " in ref.text.strip():
        return ref.text.split()[-1]
    return "1"


def _to_leaf(path: str, value: Any, ref: Leaf) -> Leaf:
    """Turn a Python override (quantity, string, number, bool) into a Leaf."""
    if hasattr(value, "dim"):  # brian2 Quantity
        if ref.dim is None:
            raise ParameterError(path, value, "true/false or a word")
        if tuple(brian_dim(value)) != tuple(ref.dim):
            raise UnitError(path, value, _ref_unit(ref))
        return Leaf(to_si(value, ref.dim, path), ref.dim, str(value))
    if isinstance(value, str) or isinstance(value, (bool, int, float)):
        return _parse_leaf(path, value, "override")
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
    leaves : mapping of str to Leaf
        Validated parameters by dotted path.
    source : str
        The file it was loaded from ("" if none).
    """

    name: str
    leaves: Mapping[str, Leaf]
    source: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

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
        """
        return self.leaves[path].text

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

        Values may be brian2 quantities, strings with units, numbers (for
        dimensionless parameters, or 0 for any) and booleans. Each is checked
        like a model-file value.

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
            For a wrong unit or an out-of-range value, or ``overrides`` that is not
            a mapping of dotted paths (a string ``"PATH=VALUE"``, a list).
        """
        overrides = {**_overrides_mapping(overrides, "overrides"), **kw}
        if not overrides:
            return self
        leaves = dict(self.leaves)
        for path, value in overrides.items():
            if _is_rule_param(path, self.leaves):
                if hasattr(value, "dim"):  # a brian2 quantity: as text, the rule parses it
                    value = str(value)
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
        return Model(self.name, leaves, self.source)

    def __repr__(self):
        return f"Model({self.name!r}, {len(self.leaves)} parameters)"


_REFERENCE_CACHE: dict[str, dict[str, Leaf]] = {}


def _file_leaves(path: Path, seen: tuple = ()) -> tuple[str, dict[str, Leaf]]:
    """Leaves of a model file with its ``extends`` chain applied (unvalidated)."""
    raw = read_toml(path)
    if not isinstance(raw.get("model", {}), Mapping):
        raise ModelFileError(f"{path}: [model] must be a table")
    flat = flatten(raw)
    leaves = {k: _parse_leaf(k, v, str(path)) for k, v in flat.items()}
    base = raw.get("model", {}).get("extends")
    name = raw.get("model", {}).get("name", path.stem)
    if base:
        absolute = isinstance(base, str) and Path(base).is_absolute()
        base_path = Path(base) if absolute else find_builtin(base, "models")
        if base_path.resolve() in seen:
            raise ModelFileError(f"{path}: circular 'extends' through {base_path}")
        _, base_leaves = _file_leaves(base_path, seen + (path.resolve(),))
        merged = dict(base_leaves)
        for k, v in leaves.items():
            if k != "model.extends":
                merged[k] = v
        leaves = merged
    return name, leaves


def _reference() -> dict[str, Leaf]:
    if REFERENCE_MODEL not in _REFERENCE_CACHE:
        _, leaves = _file_leaves(find_builtin(REFERENCE_MODEL))
        _REFERENCE_CACHE[REFERENCE_MODEL] = leaves
    return _REFERENCE_CACHE[REFERENCE_MODEL]


def load_model(name_or_path: str | Path = REFERENCE_MODEL, overrides: Mapping | None = None) -> Model:
    """Load a built-in model by name or a model TOML file by path.

    Parameters
    ----------
    name_or_path : str or Path
        A built-in name (see :func:`builtin_models`, e.g. ``"gate_control"``,
        ``"neuropathic"``) or the path of a TOML file.
    overrides : dict, optional
        Dotted-path overrides, as :meth:`Model.with_params`.

    Raises
    ------
    UnknownKeyError
        Unknown built-in name (with the nearest valid name).
    ModelFileError
        The file is missing, is not valid TOML, holds something other than
        numbers with units, or has a key that the reference model does not have
        (the message names the file and the nearest valid key).
    UnitError, ParameterError
        A value has the wrong unit or is out of range.
    """
    path = find_builtin(name_or_path, "models")
    name, leaves = _file_leaves(path)
    ref = _reference()
    checked: dict[str, Leaf] = {}
    for k, leaf in leaves.items():
        if k in _TEXT_KEYS:
            checked[k] = leaf
            continue
        if _is_rule_param(k, ref):
            checked[k] = leaf
            continue
        if k not in ref:
            err = UnknownKeyError(k, [r for r in ref if r not in _TEXT_KEYS])
            raise ModelFileError(f"{path}: {err}") from None
        checked[k] = _check_leaf(k, leaf, ref[k], str(path))
    # a file that does not extend the reference must still define every key
    missing = [k for k in ref if k not in checked and k not in _TEXT_KEYS]
    if missing:
        raise ModelFileError(f"{path}: missing parameters {missing[:5]}"
                             f"{' ...' if len(missing) > 5 else ''}; add "
                             f"'extends = \"{REFERENCE_MODEL}\"' under [model] to inherit them")
    model = Model(name, checked, str(path))
    everywhere = model_overrides()
    if everywhere:  # a variant of every model (painsim validate --set): before the caller's own overrides
        model = model.with_params(everywhere)
    return model.with_params(overrides) if overrides else model


#: Environment variable holding dotted-path overrides (a JSON object) that :func:`load_model`
#: applies to every model it loads, before the caller's own ``overrides``; set by
#: :func:`overriding` (``painsim validate --set``), and in the environment so that worker
#: processes (a cohort's) load the same variant.  The files the command line writes record it
#: (attribute ``model_overrides`` of ``painsim run``, ``course`` and ``validate`` results), and a
#: sweep's store key includes it; results saved through the API carry no such record.  A variant
#: replaces a preset's own value at the same path (e.g. ``pathology.disinhibition``).
OVERRIDES_ENV = "PAINSIM_MODEL_OVERRIDES"


def model_overrides() -> dict[str, Any]:
    """The overrides :func:`load_model` applies to every model (:data:`OVERRIDES_ENV`; ``{}``
    when unset).

    Raises
    ------
    ParameterError
        The variable is not a JSON object of dotted paths.
    """
    text = os.environ.get(OVERRIDES_ENV, "")
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ParameterError(OVERRIDES_ENV, text, 'a JSON object of dotted model paths, e.g. {"network.dt": "0.1 ms"}')
    return value


def overrides_text(overrides: Mapping[str, Any] | None = None) -> str:
    """``overrides`` (default: the ones in force, :func:`model_overrides`) as the canonical JSON text
    that :data:`OVERRIDES_ENV` holds and result files and notes record.

    Parameters
    ----------
    overrides : mapping of str, optional
    """
    return json.dumps(dict(model_overrides() if overrides is None else overrides), sort_keys=True)


@contextlib.contextmanager
def overriding(overrides: Mapping[str, Any]):
    """Within the block, every model :func:`load_model` loads (in this process and in worker
    processes started within it) has ``overrides`` applied: a model variant, e.g. to measure
    the validation table of a candidate mechanism (``painsim validate --set PATH=VALUE``).
    Nested blocks add to the outer one's overrides.

    Every path and value is checked against the reference model before the block runs.

    Parameters
    ----------
    overrides : mapping of str
        Dotted paths to values, added to those already in force.

    Raises
    ------
    UnknownKeyError, UnitError, ParameterError
        A path the model does not have, or a value of the wrong unit or range.
    """
    added = _overrides_mapping(overrides, "overrides")
    names = [k for k in added if k in _TEXT_KEYS]
    if names:  # a model's name or base is what the caller loads, not a parameter of every model
        raise ParameterError(names[0], added[names[0]], "a model parameter (not the name, description or base "
                                                         "of a model file)")
    load_model(REFERENCE_MODEL).with_params(added)  # refuse a bad path or value before any work
    before = os.environ.get(OVERRIDES_ENV)
    combined = {**model_overrides(), **added}
    os.environ[OVERRIDES_ENV] = overrides_text(combined)
    try:
        yield combined
    finally:
        if before is None:
            os.environ.pop(OVERRIDES_ENV, None)
        else:
            os.environ[OVERRIDES_ENV] = before
