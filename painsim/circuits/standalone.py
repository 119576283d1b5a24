"""An opt-in compiled engine: a batch network compiled once with brian2's
``cpp_standalone`` device and rerun with new efficacies as run-time arguments.

:class:`StandaloneNetwork` has the rerun interface of
:class:`painsim.circuits.network.BatchNetwork` (built once for a list of
:class:`PointInput`, ``run(weights) -> list[PointOutput]``) and creates the same
brian2 objects with the same code (:meth:`BatchNetwork.assemble`), but on a
private ``CPPStandaloneDevice``: the objects become one C++ program, compiled
once into a project directory, and every :meth:`StandaloneNetwork.run` starts
that program from its initial state with the efficacies of the plastic synapses
given as run-time arguments (``device.run(run_args=...)``, brian2 >= 2.6): no
recompilation, no store/restore.

brian2's device is global state: the standalone device is active only while
the objects are created and compiled, then the previous device (the runtime
device) is restored, so the runtime engine of the same process is unaffected.
Every network has its own device object, so several compiled networks coexist.

Project directories: ``$PAINSIM_STANDALONE_DIR`` (default
``~/.cache/painsim/standalone``) / ``<structure hash>-<pid>``: the hash covers
what the generated code depends on (populations, sizes, shared parameters,
batch size, time step, duration).  A later network of the same structure in the
same process reuses a released directory, so ``make`` recompiles only the files
whose code changed.  The directories of a process are removed when it exits
(``PAINSIM_STANDALONE_KEEP=1`` keeps them, e.g. to inspect the code).

Selection: ``PAINSIM_ENGINE=standalone`` or ``engine="standalone"``
(:func:`painsim.circuits.build_networks`, :class:`painsim.simulation.PointsRunner`);
the default stays the runtime engine.  The generated C++ is compiled with
brian2's default flags (``-O3 -ffast-math``), so spikes may differ from the
numpy target's in the last bits of a potential; see ``tests/test_standalone.py``.
"""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import weakref
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from .codegen import import_brian2
from .network import NETWORK_CLASSES, BatchNetwork, PointInput, PointOutput

__all__ = ["StandaloneNetwork", "standalone_root"]

#: project directories in use by a live network of this process
_claimed: set[str] = set()
#: project directories created by this process (removed at exit)
_created: set[str] = set()


def standalone_root() -> Path:
    """Where project directories go: ``$PAINSIM_STANDALONE_DIR`` or ``~/.cache/painsim/standalone``."""
    root = os.environ.get("PAINSIM_STANDALONE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "painsim" / "standalone"


def _structure_hash(points: Sequence[PointInput], sharing: tuple, duration: float, dt: float) -> str:
    key = repr((points[0].plan.key(), sharing, len(points), float(duration), float(dt)))
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _claim_directory(digest: str) -> Path:
    """A project directory of this process for ``digest`` that no live network uses."""
    base, n = f"{digest}-{os.getpid()}", 0
    name = base
    while name in _claimed:
        n += 1
        name = f"{base}-{n}"
    _claimed.add(name)
    path = standalone_root() / name
    _created.add(str(path))
    return path


@atexit.register
def _remove_directories() -> None:
    if os.environ.get("PAINSIM_STANDALONE_KEEP") == "1":
        return
    for path in _created:
        shutil.rmtree(path, ignore_errors=True)


class StandaloneNetwork(BatchNetwork):
    """One compiled brian2 program of ``points`` (one structure, the same
    :func:`painsim.circuits.plan.shared_parameters`), built and compiled once
    and run any number of times from its initial state with new efficacies.

    Parameters
    ----------
    points : sequence of PointInput
    sharing : tuple
        The points' :func:`painsim.circuits.plan.shared_parameters`.
    duration, dt : float
        Simulated time and time step, s.
    """

    #: compilations of this process (a rerun with new efficacies adds none)
    builds = 0

    def __init__(self, points: Sequence[PointInput], sharing: tuple, duration: float, dt: float):
        b2 = import_brian2()
        from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
        from brian2.devices.device import reset_device, set_device
        self._directory = _claim_directory(_structure_hash(points, sharing, duration, dt))
        weakref.finalize(self, _claimed.discard, self._directory.name)
        device = CPPStandaloneDevice()
        set_device(device, build_on_run=False)
        try:
            net, synapses, monitors = self.assemble(points, sharing, duration, dt)
            net.run(duration * b2.second, namespace={})
            device.build(directory=str(self._directory), compile=True, run=False, with_output=False)
        finally:
            reset_device()
        StandaloneNetwork.builds += 1
        self._device, self._standalone_synapses, self._standalone_monitors = device, synapses, monitors

    @property
    def directory(self) -> Path:
        """The project directory of the compiled program."""
        return self._directory

    def run(self, weights: Sequence[Mapping[str, np.ndarray]]) -> list[PointOutput]:
        """Simulate every point from the initial state with ``weights[b]``: the
        efficacies per connection of point ``b`` (a missing connection: 1)."""
        w_all = self.efficacies(weights)
        device = self._device
        run_args = {S.w: w_all[key] for key, S in self._standalone_synapses.items()}
        try:
            device.run(run_args=run_args, with_output=False)
        finally:  # the efficacy files of this run (one per distinct vector) are not needed again
            for name in device.run_args_arrays:
                for suffix in ("", ".lock"):
                    Path(device.project_dir, "static_arrays", name + suffix).unlink(missing_ok=True)
        recorded = {g: (np.asarray(mon.t_), np.asarray(mon.i)) for g, mon in self._standalone_monitors.items()}
        return self.outputs(recorded, w_all)


NETWORK_CLASSES["standalone"] = StandaloneNetwork
