"""painsim: spiking-network simulation of pain gating and neuromodulation.

The public API (see docs/architecture.md, "Public API")::

    import painsim as ps
    model = ps.load_model("gate_control")
    wf = ps.stimulation.tonic(rate=50*Hz, width=300*us, amplitude=1.5, duration=2*second)
    res = ps.simulate(model, stimulus=wf, noxious=0.6, duration=2*second, seed=1)

``import painsim`` loads neither matplotlib nor brian2 objects: ``painsim.plots``
(figures, matplotlib) and the deprecated ``painsim.experiment`` (now
:mod:`painsim.files`) are imported on first use.
"""
from __future__ import annotations

import importlib

from . import (analysis, cohort, conditioning, errors, fibers, files, io, plasticity,  # noqa: F401
               protocols, readouts, stimulation, sweep, units)
from .course import run_course, run_course_batch  # noqa: F401
from .files import run_experiment  # noqa: F401
from .params import Model, builtin_models, load_model  # noqa: F401
from .simulation import Request, simulate, simulate_batch  # noqa: F401
from .sweep import run_sweep  # noqa: F401
from .version import __version__  # noqa: F401

__all__ = ["load_model", "Model", "builtin_models", "simulate", "simulate_batch", "Request", "run_experiment",
           "stimulation", "fibers", "readouts", "errors", "units", "__version__",
           "protocols", "run_course", "run_course_batch", "run_sweep", "sweep", "cohort",
           "plasticity", "conditioning", "analysis", "files", "io"]

#: Submodules imported on first attribute access (matplotlib is heavy; ``experiment`` is deprecated).
_LAZY = ("plots", "experiment")


def __getattr__(name: str):
    """``painsim.plots`` and ``painsim.experiment``, imported on first use."""
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))
