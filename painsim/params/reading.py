"""Reading model and experiment files: TOML, built-in names, nested tables and dotted paths.

:func:`read_toml` reads a file (its errors name the file), :func:`find_builtin`
resolves a built-in name or a path, :func:`builtin_models` and
:func:`builtin_experiments` list the built-ins (``models/`` and
``experiments/`` in a checkout, shipped inside the package in a wheel),
:func:`beside_experiment` finds a model file an experiment file names beside it, and
:func:`flatten` / :func:`unflatten` convert between nested tables and
``{"a.b.c": value}``..
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Mapping

from ..errors import ModelFileError, ParameterError, PathError, UnknownKeyError

__all__ = ["REFERENCE_MODEL", "flatten", "unflatten", "read_toml", "builtin_models", "builtin_experiments",
           "find_builtin", "beside_experiment", "yielding_to"]

REFERENCE_MODEL = "gate_control"


# ------------------------------------------------------------ tree helpers
def flatten(tree: Mapping, prefix: str = "") -> dict[str, Any]:
    """Nested mapping -> {"a.b.c": leaf}.

    Parameters
    ----------
    tree : mapping
        Nested tables (e.g. a TOML file as read); a value that is not a mapping is a leaf.
    prefix : str
        Dotted path put in front of every key ("" for none).

    Returns
    -------
    dict
        Dotted path -> leaf value, in the order of ``tree``.
    """
    out: dict[str, Any] = {}
    for k, v in tree.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, Mapping):
            out.update(flatten(v, path))
        else:
            out[path] = v
    return out


def unflatten(flat: Mapping[str, Any]) -> dict:
    """{"a.b.c": leaf} -> nested dict.

    Parameters
    ----------
    flat : mapping of str
        Dotted paths to leaf values.

    Returns
    -------
    dict
        The nested tables (the inverse of :func:`flatten`).
    """
    tree: dict = {}
    for path, v in flat.items():
        node = tree
        *parents, leaf = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = v
    return tree


def yielding_to(overrides: Mapping[str, Any], users) -> dict[str, Any]:
    """A protocol's model overrides without those the user's own overrides replace: the user's
    value wins.  A path the user sets is left out, and so, where the user sets a connection's
    plasticity rule (``plasticity.<conn>.rule``), is every other override of that connection
    (``plasticity.<conn>.preset`` ...): they belong to the protocol's rule.

    Parameters
    ----------
    overrides : mapping of str
        The protocol's dotted paths to values (:attr:`painsim.protocols.Protocol.plasticity`).
    users : iterable of str
        The paths the user sets (a file's ``[params]``, ``painsim --set``).

    Returns
    -------
    dict
        ``overrides`` without those paths, in their order.
    """
    users = set(users)
    ruled = {k[:-len(".rule")] for k in users if k.startswith("plasticity.") and k.endswith(".rule")}
    return {k: v for k, v in overrides.items() if k not in users and k.rsplit(".", 1)[0] not in ruled}


def read_toml(path: Path) -> dict:
    """Read a TOML file, turning syntax errors into ModelFileError with the file name.

    Parameters
    ----------
    path : Path
        The TOML file.

    Returns
    -------
    dict
        The file's tables, as :func:`tomllib.load` returns them.

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
    here = Path(__file__).resolve().parent.parent  # painsim/ (this module is painsim/params/reading.py)
    src = here.parent / kind  # source checkout / editable install
    if src.is_dir() and (here.parent / "pyproject.toml").is_file():
        return src
    return here / f"_builtin_{kind}"  # installed from a wheel: shipped inside the package


def builtin_models() -> list[str]:
    """Names of the built-in model files (``painsim models``).

    Returns
    -------
    list of str
        The stems of the ``*.toml`` files of the built-in models, sorted.
    """
    return sorted(p.stem for p in _builtin_dir("models").glob("*.toml"))


def builtin_experiments() -> list[str]:
    """Names of the built-in experiment files (``painsim models`` lists them with their commands).

    Returns
    -------
    list of str
        The stems of the ``*.toml`` files of the built-in experiments, sorted.
    """
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

    Returns
    -------
    Path
        The TOML file: the path itself if it is a file, else the built-in of that name.

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


def beside_experiment(model, experiment) -> str | Path:
    """The model an experiment file names (``model = "mymodel.toml"``), resolved as a model file's
    ``extends`` is: a relative path that names a file (a ``.toml`` suffix or a folder part) is the
    file beside the experiment file if there is one there, wherever Python runs; anything else (a
    built-in name, an absolute path, a path not found beside it) is returned unchanged, for
    :func:`find_builtin` (the working directory, then the built-ins).

    Without this, ``model = "gate_control.toml"`` in ``proj/exp.toml`` was read from the working
    directory, and where none was there the built-in of that name silently replaced the user's
    ``proj/gate_control.toml``.

    Parameters
    ----------
    model : object
        The experiment's ``model`` value (checked by :func:`find_builtin` when it is loaded).
    experiment : str, Path or None
        The experiment file (its ``_path``); None, or a name that is no file (an experiment built
        as a dict), leaves ``model`` unchanged.

    Returns
    -------
    str or Path
        The file beside the experiment, or ``model`` unchanged.
    """
    if not isinstance(model, (str, Path)) or not experiment or not Path(experiment).is_file():
        return model
    p = Path(model)
    names_file = p.suffix == ".toml" or p.name != str(model)  # a bare name is a built-in's
    if not names_file or p.is_absolute():
        return model
    beside = Path(experiment).parent / p
    return beside if beside.is_file() else model
