"""painsim: spiking-network simulation of pain gating and neuromodulation.

The public API (see DESIGN.md)::

    import painsim as ps
    model = ps.load_model("gate_control")
    wf = ps.stimulation.tonic(rate=50*Hz, width=300*us, amplitude=1.5, duration=2*second)
    res = ps.simulate(model, stimulus=wf, noxious=0.6, duration=2*second, seed=1)
"""
__version__ = "0.1.0"

from . import errors, experiment, fibers, io, plasticity, plots, readouts, stimulation, units  # noqa: F401
from .params import Model, builtin_models, load_model  # noqa: F401
from .simulation import Request, simulate, simulate_batch  # noqa: F401
from .experiment import run_experiment  # noqa: F401
from . import protocols  # noqa: F401
from .course import run_course, run_course_batch  # noqa: F401
from . import cohort, sweep  # noqa: F401
from .sweep import run_sweep  # noqa: F401

__all__ = ["load_model", "Model", "builtin_models", "simulate", "simulate_batch", "Request", "run_experiment",
           "stimulation", "fibers", "readouts", "errors", "units", "__version__",
           "protocols", "run_course", "run_course_batch", "run_sweep", "sweep", "cohort"]
