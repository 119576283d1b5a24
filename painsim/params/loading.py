"""Loading models, and the overrides environment every load applies.

:func:`load_model` reads a model file with its ``extends`` chain, checks every
key and value against the reference model (read once, kept in
``_REFERENCE_CACHE``) and applies the overrides in force
(:data:`OVERRIDES_ENV`, set by :func:`overriding`; ``painsim validate
--set``)..
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import warnings
from pathlib import Path
from typing import Any, Mapping

from ..errors import ModelFileError, ParameterError, PathError, UnknownKeyError
from .model import (_NOT_TEXT_KEY, _TEXT_KEYS, Leaf, Model, _check_leaf, _is_rule_param, _overrides_mapping,
                    _parse_leaf, _plain)
from .reading import REFERENCE_MODEL, find_builtin, flatten, read_toml
from .relations import _check_relations

__all__ = ["load_model", "model_file_versions", "model_overrides", "overriding", "overrides_text", "OVERRIDES_ENV"]


_REFERENCE_CACHE: dict[str, dict[str, Leaf]] = {}


def _file_leaves(path: Path, seen: tuple = ()) -> tuple[str, dict[str, Leaf]]:
    """Leaves of a model file with its ``extends`` chain applied (unvalidated)."""
    raw = read_toml(path)
    if not isinstance(raw.get("model", {}), Mapping):
        raise ModelFileError(f"{path}: [model] must be a table")
    for key, value in raw.get("model", {}).items():  # they skip the checks of parameters (Model.name was 5)
        if f"model.{key}" in _TEXT_KEYS and not isinstance(value, str):
            raise ParameterError(f"model.{key}", value, "text in quotes (a built-in name or a path to a TOML "
                                 "file)" if key == "extends" else "text in quotes", hint=f"in {path}")
    flat = flatten(raw)
    ref = _REFERENCE_CACHE.get(REFERENCE_MODEL, {})  # empty while the reference itself is read
    leaves = {k: _parse_leaf(k, v, str(path), ref.get(k)) for k, v in flat.items()}
    base = raw.get("model", {}).get("extends")
    name = raw.get("model", {}).get("name", path.stem)
    if base:
        base_path = _base_file(path, base, warn=True)
        if base_path.resolve() in seen:
            raise ModelFileError(f"{path}: circular 'extends' through {base_path}")
        base_name, base_leaves = _file_leaves(base_path, seen + (path.resolve(),))
        merged = dict(base_leaves)
        for k, v in leaves.items():
            if k != "model.extends":
                merged[k] = v
        leaves = merged
        _own_name_and_description(leaves, raw.get("model", {}), name, base_name)
    return name, leaves


def _own_name_and_description(leaves: dict, own: Mapping, name: str, base_name: str) -> None:
    """Make the ``model.name`` and ``model.description`` leaves a file inherited from the model it
    extends its own: the tree (saved with results as ``parameters``) named the base while
    :attr:`Model.name` named the file.  Chosen: an inherited description is kept, prefixed
    ``"extends <base>: "``, so that it still says what the model is without claiming to be the base."""
    if "name" not in own and "model.name" in leaves:
        leaves["model.name"] = Leaf(name, None, name)
    inherited = leaves.get("model.description")
    if "description" not in own and inherited is not None:
        text = f"extends {base_name}: {inherited.text}"
        leaves["model.description"] = Leaf(text, None, text)


def _base_file(path: Path, base, warn: bool = False) -> Path:
    """The file ``extends = base`` of model file ``path`` names: an absolute path; a path relative to
    ``path``'s own folder (a model beside the one it extends, wherever Python runs); else a built-in
    name (or a path from the working directory, as before).  A base found nowhere, or a folder, is
    refused naming the file that extends it.  With ``warn``, a bare name that takes a built-in while a file
    ``<name>.toml`` sits beside ``path`` warns (UserWarning) naming both files."""
    if isinstance(base, str) and Path(base).is_absolute():
        if Path(base).is_file():
            return Path(base)
        if Path(base).is_dir():
            raise PathError(f"{path}: extends = {base!r} is a folder, not a model file")
        raise ModelFileError(f"{path}: extends = {base!r}: file not found")
    beside = path.parent / base if isinstance(base, str) else None
    if beside is not None and beside.is_file():
        return beside
    try:
        found = find_builtin(base, "models")
    except ModelFileError as e:
        raise ModelFileError(f"{path}: extends = {base!r} is neither a file beside it ({beside}) nor a "
                             f"built-in model: {e}") from None
    except PathError as e:  # a folder in the working directory
        raise PathError(f"{path}: extends = {base!r}: {e}") from None
    except UnknownKeyError as e:  # a misspelt built-in name: the nearest is named, and the file
        folder = f"{beside} is a folder, not a model file; " if beside is not None and beside.is_dir() else ""
        raise e.renamed(hint=f"{folder}extends = {base!r} in {path}") from None
    local = beside.with_name(beside.name + ".toml") if beside is not None and not beside.suffix else None
    if warn and local is not None and local.is_file() and local.resolve() != found.resolve():
        # the documented rule stands (a bare name is a built-in); the file beside it was likely meant
        warnings.warn(f"{path}: extends = {base!r} takes the built-in model {found}, not {local} beside it; "
                      f"write extends = {local.name!r} to extend that file", UserWarning, stacklevel=4)
    return found


def model_file_versions(name_or_path: str | Path) -> tuple:
    """The version of each file a model is read from: the file and every file of its ``extends``
    chain, as (resolved path, modification time in ns, size).  A cache of loaded models keyed by
    this sees an edit of a base file as well as of the file itself.

    Parameters
    ----------
    name_or_path : str or Path
        A built-in name or the path of a model TOML file (as :func:`load_model`).

    Returns
    -------
    tuple of (str, int, int)
        One entry per file, the named file first.

    Raises
    ------
    UnknownKeyError, ModelFileError, PathError
        As :func:`load_model`, for the file or a base it extends.
    """
    path, versions, seen = find_builtin(name_or_path, "models"), [], set()
    while path is not None and path.resolve() not in seen:  # a circular chain: load_model refuses it
        seen.add(path.resolve())
        stat = path.stat()
        versions.append((str(path.resolve()), stat.st_mtime_ns, stat.st_size))
        base = read_toml(path).get("model", {})
        base = base.get("extends") if isinstance(base, Mapping) else None
        path = _base_file(path, base) if base else None
    return tuple(versions)


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
        Dotted-path overrides, as :meth:`Model.with_params`; applied after the model variant in
        force (:func:`model_overrides`, ``--set``), so a path both set takes the overrides' value
        (an experiment's condition manipulates the variant), with a ``UserWarning`` naming it.

    Returns
    -------
    Model
        The checked model, with the overrides in force (:func:`model_overrides`) and then
        ``overrides`` applied.

    Raises
    ------
    UnknownKeyError
        Unknown built-in name (with the nearest valid name).
    ModelFileError
        The file is missing, is not valid TOML, holds text that is neither a number with a unit
        nor an allowed word, or has a key that the reference model does not have (the message
        names the file and the nearest valid key).
    UnitError, ParameterError
        A value has the wrong or an unknown unit (the unit meant is named), is out of range (the
        bounds of :mod:`painsim.params.model`, physical limits that catch a wrong SI prefix
        included), or values are impossible together (:mod:`painsim.params.relations`: a class's
        ``velocity_min`` above its ``velocity_max``, ``afferents.drg_distance`` not below
        ``afferents.conduction_distance``, a neuron's reset, threshold and excitatory reversal
        out of order, ``w_min`` above ``w_max``).
    PathError
        ``name_or_path`` is a folder (:func:`find_builtin`).

    Warns
    -----
    UserWarning
        ``overrides`` set a path the model variant in force sets too (their value is used).
    """
    path = find_builtin(name_or_path, "models")
    ref = _reference()  # first: a value with an unknown unit is named with the reference's unit
    name, leaves = _file_leaves(path)
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
    _check_relations(checked)
    model = Model(name, checked, str(path))
    everywhere = model_overrides()
    if everywhere:  # a variant of every model (painsim validate --set): before the caller's own overrides
        model = model.with_params(everywhere)
    final = model.with_params(overrides) if overrides else model
    # a caller's own value (a condition's manipulation) wins: said, since the result records the variant,
    # unless both give the same value (--set gaba_block=1 on a condition that blocks it too)
    both = sorted(k for k in (overrides or {}) if k in everywhere and not _same(final.leaves[k].si, model.leaves[k].si))
    if both:
        warnings.warn(f"painsim: {name} is loaded with the caller's {', '.join(f'{k} = {overrides[k]!r}' for k in both)}"
                      f" (a condition's or a point's own value), not the model variant's "
                      f"(--set {', '.join(f'{k}={everywhere[k]!r}' for k in both)})", UserWarning, stacklevel=2)
    return final


def _same(a, b) -> bool:
    """Whether two leaves' values are the same: equal, or numbers within a relative 1e-12.  Chosen: a
    unit's scale is a float (1e-6 for "u"), so one quantity written in two units parses to values a
    rounding apart ("50 us" to 4.9999999999999996e-05, "0.05 ms" to 5e-05; ~1e-16 relative); 1e-12 is
    far above such rounding and far below any difference a value written on purpose makes."""
    if isinstance(a, bool) or isinstance(b, bool) or not all(isinstance(x, (int, float)) for x in (a, b)):
        return a == b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


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

    Returns
    -------
    dict
        Dotted paths to values, as the JSON object holds them (``{}`` when the variable is
        unset or blank).

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
        Dotted paths to values; None takes :func:`model_overrides`.

    Returns
    -------
    str
        JSON with sorted keys.

    Raises
    ------
    ParameterError
        ``overrides`` is None and :data:`OVERRIDES_ENV` is not a JSON object of dotted paths.
    """
    return json.dumps(dict(model_overrides() if overrides is None else overrides), sort_keys=True)


@contextlib.contextmanager
def overriding(overrides: Mapping[str, Any]):
    """Within the block, every model :func:`load_model` loads (in this process and in worker
    processes started within it) has ``overrides`` applied: a model variant, e.g. to measure
    the validation table of a candidate mechanism (``painsim validate --set PATH=VALUE``).
    Nested blocks add to the outer one's overrides.

    Every path, unit and single value is checked against the reference model before the block
    runs; values impossible together (a painful site beyond the body's sites) are refused by the
    load of each model, against its own values (the reference has one body site, pain_pathway five).

    Parameters
    ----------
    overrides : mapping of str
        Dotted paths to values, added to those already in force.

    Yields
    ------
    dict
        The overrides in force within the block: the outer ones updated with ``overrides``
        (as stored, JSON: a brian2 quantity as text in the reference model's unit of that
        parameter, a numpy number as the Python number it holds).

    Raises
    ------
    UnknownKeyError, UnitError, ParameterError
        A path the model does not have, or a value of the wrong unit or range (values impossible
        together: at each model's load within the block).
    ParameterError
        ``overrides`` is not a mapping of dotted paths, or sets ``model.name``,
        ``model.description`` or ``model.extends``.
    """
    added = _overrides_mapping(overrides, "overrides")
    names = [k for k in added if k in _TEXT_KEYS]
    if names:  # a model's name or base is what the caller loads, not a parameter of every model
        raise ParameterError(names[0], added[names[0]], _NOT_TEXT_KEY)
    checked = load_model(REFERENCE_MODEL)._checked_leaves(added)  # refuse a bad path or value before any work
    # kept as JSON: a quantity as its checked leaf's text (in the reference's unit, read back to the same SI
    # value), a numpy scalar as the Python number it holds (both were a bare TypeError of json.dumps)
    added = {k: checked[k].text if hasattr(v, "dim") else _plain(v) for k, v in added.items()}
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
