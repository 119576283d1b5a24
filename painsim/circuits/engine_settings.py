"""The engine settings of the environment, checked before any work.

``$PAINSIM_TARGET`` and ``$PAINSIM_ENGINE`` (:mod:`painsim.circuits.codegen`) are read when a
network is built; the compiled engine's own settings (``$PAINSIM_STANDALONE_*``,
:mod:`painsim.circuits.standalone`, :mod:`painsim.circuits.compiler`,
:mod:`painsim.circuits.standalone_cache`) when that engine is used, never at import (a misspelt
value must not break ``import painsim`` and every command).  A run that hands its networks to
worker processes (a sweep) checks them all first with :func:`check_engine_settings`: otherwise
every point fails on the same setting, and a store of failures is written that a corrected rerun
must ``--resume``.
"""
from __future__ import annotations

from . import compiler, standalone
from .codegen import codegen_target, engine_choice
from .standalone_cache import check_standalone_root, keep_folders

__all__ = ["check_engine_settings", "check_compiled_engine_settings"]


def check_compiled_engine_settings() -> None:
    """Refuse a setting the compiled engine would refuse when first used:
    ``$PAINSIM_STANDALONE_PROFILE`` (:func:`painsim.circuits.standalone.profiling`),
    ``_VECTORISE`` (:func:`painsim.circuits.compiler.vectorise`), ``_MAX_POINTS``
    (:func:`painsim.circuits.standalone.max_program_points`), ``_KEEP``
    (:func:`painsim.circuits.standalone_cache.keep_folders`) and an unusable
    ``$PAINSIM_STANDALONE_DIR`` (:func:`painsim.circuits.standalone_cache.check_standalone_root`,
    which creates it if missing).

    Raises
    ------
    painsim.errors.ParameterError
        Naming the variable, its value and what is allowed.
    """
    standalone.profiling()
    compiler.vectorise()
    standalone.max_program_points()
    keep_folders()
    check_standalone_root()


def check_engine_settings() -> str:
    """Refuse, before any work, the settings a network build would refuse: ``$PAINSIM_TARGET``
    (:func:`~painsim.circuits.codegen.codegen_target`), ``$PAINSIM_ENGINE``
    (:func:`~painsim.circuits.codegen.engine_choice`) and, unless the engine is ``runtime``, the
    compiled engine's (:func:`check_compiled_engine_settings`).

    Returns
    -------
    str
        The engine (``"runtime"``, ``"standalone"`` or ``"auto"``).

    Raises
    ------
    painsim.errors.ParameterError
        Naming the variable, its value and what is allowed.
    """
    codegen_target()
    engine = engine_choice()
    if engine != "runtime":
        check_compiled_engine_settings()
    return engine
