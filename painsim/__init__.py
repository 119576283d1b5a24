"""painsim: spiking-network simulation of pain gating and neuromodulation.

The public API (see docs/architecture.md, "Public API")::

    import painsim as ps
    model = ps.load_model("gate_control")
    wf = ps.stimulation.tonic(rate=50*Hz, width=300*us, amplitude=1.5, duration=2*second)
    res = ps.simulate(model, stimulus=wf, noxious=0.6, duration=2*second, seed=1)
    both = ps.simulate(model, stimulus=[wf, ps.stimulation.tens("conventional", 1.5, "2 s")])  # two devices

``import painsim`` loads neither matplotlib nor brian2: ``painsim.plots``
(figures), ``painsim.sweep`` (with ``run_sweep``), ``painsim.cohort``,
``painsim.files`` (with ``run_experiment``), ``painsim.validation`` and the
deprecated ``painsim.experiment`` are imported on first use.
"""
from __future__ import annotations

import importlib

from . import (analysis, conditioning, devices, errors, fibers, io, plasticity, protocols,  # noqa: F401
               readouts, stimulation, tolerance, units)
from .course import run_course, run_course_batch  # noqa: F401
from .params import Model, builtin_models, load_model  # noqa: F401
from .simulation import Request, simulate, simulate_batch  # noqa: F401
from .version import __version__  # noqa: F401

__all__ = ["load_model", "Model", "builtin_models", "simulate", "simulate_batch", "Request", "run_experiment",
           "stimulation", "devices", "fibers", "readouts", "errors", "units", "__version__",
           "protocols", "run_course", "run_course_batch", "run_sweep", "sweep", "cohort",
           "plasticity", "conditioning", "tolerance", "analysis", "files", "io", "validation"]

#: Imported on first attribute access, so that ``import painsim`` stays cheap
#: (issue 17): figures (matplotlib), the many-point layers and experiment files
#: (scipy.stats/optimize, SALib, tqdm), and the deprecated ``experiment``.
_LAZY_MODULES = ("plots", "experiment", "sweep", "cohort", "files", "validation")
_LAZY_NAMES = {"run_sweep": "sweep", "run_experiment": "files"}


def __getattr__(name: str):
    """Lazily imported submodules and the functions they provide."""
    module = name if name in _LAZY_MODULES else _LAZY_NAMES.get(name)
    if module is not None:
        try:
            found = importlib.import_module(f"{__name__}.{module}")
        except ImportError as e:  # e.g. no matplotlib: hasattr(painsim, "plots") is False, not an error
            raise AttributeError(f"module {__name__!r} has no attribute {name!r} ({e})") from e
        return found if name == module else getattr(found, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_NAMES))
