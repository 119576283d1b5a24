"""Declared calibrations of the spinal circuit's inhibition and resting drive: dorsal-horn
parameters fitted so the projection neurons (PN) respond as published recordings.

* the gate inhibition (:func:`calibrate_gate_inhibition`, ``dorsal_horn.inhibition.weight``):
  reduction of the C-carried heat response of ``gate_control`` by 50 Hz dorsal-column
  stimulation (Shechter et al. 2013 Anesthesiology 119:422, Qin et al. 2007 Neurosci Res 58:58);
* the background barrage rate (:func:`calibrate_background_rate`,
  ``dorsal_horn.background.rate``): the healthy pathway's spontaneous PN rate at rest
  (``readout.spontaneous_rate``, Craig, Krout & Andrew 2001), with the resting readouts the
  validation reads the same way (:func:`rest_readouts`).

Split from :mod:`painsim.validation.calibration`, which re-exports every name here, keeps the
C-gain calibration and describes each procedure, its target and what stays held out.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..fibers import heat
from ..params import load_model
from ..simulation import Request, simulate_batch
from ..stimulation import tonic
from ..units import to_si
from .bisection import bisect_parameter

__all__ = ["GateCalibration", "calibrate_gate_inhibition", "gate_reduction", "gate_stimulation", "GATE_SEEDS",
           "GATE_TARGET", "GATE_CELSIUS", "GATE_DURATION", "BackgroundCalibration", "calibrate_background_rate",
           "rest_pn_rate", "rest_readouts", "at_rest", "REST_DURATION", "BACKGROUND_SEEDS"]


# ---------------------------------------------------------------- gate inhibition
#: The declared gate calibration: seeds (circuits), the target reduction (the middle of the
#: published 0.23-0.42, Shechter et al. 2013, Qin et al. 2007) and the test stimulus.  The target is
#: the published figure of row ``gate_on_c_heat`` (kept here, as declared; the registry is built
#: over the measurements that read this module: tests/test_calibration_held_out.py asserts the two
#: are equal).
GATE_SEEDS = (1, 2, 3, 4)
GATE_TARGET = 0.32
GATE_CELSIUS = 47.0
GATE_DURATION = "1.5 s"


def gate_stimulation(duration: str = GATE_DURATION):
    """The gate's conditioning stimulation: tonic 50 Hz, 200 µs, 1.5 x Aβ threshold (dorsal column).

    Parameters
    ----------
    duration : str
        Length of the pulse train (default :data:`GATE_DURATION`, 1.5 s).

    Returns
    -------
    painsim.stimulation.Waveform
        The biphasic pulse train (:func:`painsim.stimulation.tonic`).

    Raises
    ------
    painsim.errors.ParameterError
        ``duration`` not a time (UnitError) or out of range (WaveformError).
    """
    return tonic("50 Hz", "200 us", 1.5, duration)


def gate_reduction(model, seeds: Sequence[int] = GATE_SEEDS, celsius: float = GATE_CELSIUS,
                   duration: str = GATE_DURATION) -> float:
    """Reduction (1 - with / without) of the mean PN rate at the painful site during contact heat
    when :func:`gate_stimulation` is added.

    Parameters
    ----------
    model : str or Model
        The model (a name is loaded).
    seeds : sequence of int
        Circuits averaged (one batch, with and without the stimulation).
    celsius : float
        Contact temperature at the painful site.
    duration : str
        Simulated time of each run.

    Returns
    -------
    float
        The reduction; ``nan`` if heat alone drives no PN.

    Raises
    ------
    painsim.errors.ParameterError
        An unknown model name (UnknownKeyError), or a temperature :func:`painsim.fibers.heat` refuses.
    """
    m = load_model(model) if isinstance(model, str) else model
    res = simulate_batch([Request(m, st, heat(celsius), seed=s) for st in (None, gate_stimulation(duration))
                          for s in seeds], duration)
    k = len(res) // 2
    alone, with_scs = (float(np.mean([float(r.pn_rate) for r in part])) for part in (res[:k], res[k:]))
    return 1.0 - with_scs / alone if alone > 0 else float("nan")


@dataclass(frozen=True)
class GateCalibration:
    """Result of :func:`calibrate_gate_inhibition`: the IN -> PN weight (nS), the target and
    achieved reductions and the bisection's evaluations ``(weight_ns, reduction)``.

    Parameters
    ----------
    weight_ns : float
        The fitted ``dorsal_horn.inhibition.weight``, nS.
    target, achieved : float
        The target reduction (a fraction) and the reduction at ``weight_ns`` (:func:`gate_reduction`).
    evaluations : tuple
        ``(weight_ns, reduction)`` of every evaluation, in order.
    """

    weight_ns: float
    target: float
    achieved: float
    evaluations: tuple


def calibrate_gate_inhibition(model="gate_control", seeds: Sequence[int] = GATE_SEEDS, target: float = GATE_TARGET,
                              bounds: tuple[float, float] = (1.0, 2.0), tol: float = 0.02,
                              max_iter: int = 10) -> GateCalibration:
    """Bisect ``dorsal_horn.inhibition.weight`` (nS) so the gate on C-carried heat equals ``target``.

    Parameters
    ----------
    model : str or Model
        The model the gate is measured on (default ``gate_control``, the target's model).
    seeds : sequence of int
        Circuits averaged (default seeds 1-4).
    target : float
        Reduction of the PN response to 47 °C heat by 50 Hz Aβ-strength stimulation (default
        0.32, the middle of the published range).
    bounds : (float, float)
        Weights (nS) whose reductions must bracket the target.
    tol, max_iter : float, int
        Stop within ``tol`` of the target, or after ``max_iter`` halvings.

    Returns
    -------
    GateCalibration

    Raises
    ------
    painsim.errors.ParameterError
        The reductions at ``bounds`` do not bracket ``target``
        (:func:`~painsim.validation.bisection.bisect_parameter`; also when one is NaN, at a bound or at
        a midpoint); an unknown model name
        (UnknownKeyError).
    """
    m = load_model(model) if isinstance(model, str) else model
    reduction = lambda w: gate_reduction(m.with_params({"dorsal_horn.inhibition.weight": f"{w} nS"}), seeds)  # noqa: E731
    w, r, evals = bisect_parameter(reduction, bounds, target, tol, max_iter, "IN -> PN weights", "gate reductions", "")
    return GateCalibration(w, target, r, evals)


# ---------------------------------------------------------------- background barrage
#: Seeds (circuits) of the declared background-rate calibration: 4 circuits x 10 PN x 6 s
#: at ~1 Hz is ~240 spikes (Poisson error ~6 %).
BACKGROUND_SEEDS = (1, 2, 3, 4)
#: Rest is a steady state, read over the second half of a run of this length (the
#: validation's resting targets read it the same way: painsim.validation.targets).
REST_DURATION = "12 s"


def at_rest(model, duration: str = REST_DURATION):
    """``model`` reading its scores over the second half of ``duration`` (``readout.transient``):
    where the PN fire at rest, the slow currents build the rate up over seconds.

    Parameters
    ----------
    model : Model
        A loaded model (not a name).
    duration : str or Quantity
        Length of the run (default :data:`REST_DURATION`, 12 s).

    Returns
    -------
    Model
        ``model`` with ``readout.transient`` = ``duration / 2``.

    Raises
    ------
    painsim.errors.UnitError
        ``duration`` not a time (a plain number has no unit).
    """
    return model.with_params({"readout.transient": f"{to_si(duration, 's', 'duration') / 2} s"})


@dataclass(frozen=True)
class BackgroundCalibration:
    """Result of :func:`calibrate_background_rate`: the barrage rate (Hz), the target and
    achieved spontaneous PN rates (Hz) and the bisection's evaluations ``(rate, pn_rate)``.

    Parameters
    ----------
    rate_hz : float
        The fitted ``dorsal_horn.background.rate``, Hz.
    target_hz, achieved_hz : float
        ``readout.spontaneous_rate`` and the resting PN rate at ``rate_hz``, Hz.
    evaluations : tuple
        ``(rate, pn_rate)`` of every evaluation, in order.
    """

    rate_hz: float
    target_hz: float
    achieved_hz: float
    evaluations: tuple


def rest_readouts(model, seeds: Sequence[int] = BACKGROUND_SEEDS, duration: str = REST_DURATION) -> tuple[float, float]:
    """(PN rate in Hz at the painful site, pain NRS) with no stimulus over the second half of
    ``duration`` (:func:`at_rest`), means over ``seeds`` (one batch).

    Parameters
    ----------
    model : Model
        A loaded model (not a name).
    seeds : sequence of int
        Circuits averaged (default :data:`BACKGROUND_SEEDS`, 1-4).
    duration : str
        Simulated time of each run (default :data:`REST_DURATION`, 12 s).

    Returns
    -------
    pn_rate : float
        Mean PN rate at the painful site, Hz.
    pain : float
        Mean pain score, NRS 0-10.

    Raises
    ------
    painsim.errors.UnitError
        ``duration`` not a time.
    """
    res = simulate_batch([Request(at_rest(model, duration), None, seed=s) for s in seeds], duration)
    return float(np.mean([float(r.pn_rate) for r in res])), float(np.mean([float(r.pain) for r in res]))


def rest_pn_rate(model, seeds: Sequence[int] = BACKGROUND_SEEDS, duration: str = REST_DURATION) -> float:
    """Mean PN rate (Hz) at the painful site at rest (:func:`rest_readouts`).

    Parameters
    ----------
    model : Model
        A loaded model (not a name).
    seeds : sequence of int
        Circuits averaged (default :data:`BACKGROUND_SEEDS`, 1-4).
    duration : str
        Simulated time of each run, the second half read (default :data:`REST_DURATION`, 12 s).

    Returns
    -------
    float
        The rate, Hz.

    Raises
    ------
    painsim.errors.UnitError
        ``duration`` not a time.
    """
    return rest_readouts(model, seeds, duration)[0]


def calibrate_background_rate(model="healthy", seeds: Sequence[int] = BACKGROUND_SEEDS,
                              duration: str = REST_DURATION, bounds: tuple[float, float] = (1000.0, 1300.0),
                              rel_tol: float = 0.1, max_iter: int = 12) -> BackgroundCalibration:
    """Bisect ``dorsal_horn.background.rate`` so healthy PN fire at ``readout.spontaneous_rate``.

    Parameters
    ----------
    model : str or Model
        The healthy model (default the healthy pathway).
    seeds, duration : sequence of int, str
        Circuits averaged (default 1-4) and simulated time of each evaluation (default 12 s, the
        second half read: :func:`at_rest`).
    bounds : (float, float)
        Barrage rates (Hz) whose PN rates must bracket the target, on the rising branch: the
        resting rate is not monotonic in the barrage rate (measured at 0.2 nS events, healthy
        pathway: 0.07/0.69/5.4/18.4/3.3 Hz at 1000/1075/1150/1300/1600 Hz, docs/circuits.md).
    rel_tol, max_iter : float, int
        Stop within ``rel_tol`` of the target rate, or after ``max_iter`` halvings.

    Returns
    -------
    BackgroundCalibration

    Raises
    ------
    painsim.errors.ParameterError
        The resting PN rates at ``bounds`` do not bracket the target, or one at a midpoint is NaN
        (:func:`~painsim.validation.bisection.bisect_parameter`); an unknown model name (UnknownKeyError).
    """
    m = load_model(model) if isinstance(model, str) else model
    target = m.si("readout.spontaneous_rate")
    rate = lambda r: rest_pn_rate(m.with_params({"dorsal_horn.background.rate": f"{r} Hz"}), seeds, duration)  # noqa: E731
    x, r, evals = bisect_parameter(rate, bounds, target, rel_tol * target, max_iter, "barrage rates")
    return BackgroundCalibration(x, target, r, evals)
