"""Biophysical recruitment: thresholds, strength-duration and spike trains of a
fiber population under a stimulation waveform.

Which Aβ, Aδ and C fibers does a device waveform make fire, and when?  This
module answers at the stimulation site (conduction delays to the spinal cord
are added by :func:`painsim.fibers.afferent_input`).  The field and coupling
are in :mod:`painsim.fibers.population` (McNeal 1976; Rattay 1989; Barker
1987), the node in :mod:`painsim.fibers.kernel` (Lapicque 1907 / Weiss 1901
strength-duration, Hodgkin & Huxley 1952 Na inactivation, Verveen 1962
threshold noise, Kilgore & Bhadra 2014 kHz block); the calibration against
clinical thresholds (Lempka et al. 2015) is in ``docs/fibers.md``.

:class:`Biophysical` adapts this model to the recruitment interface of
:mod:`painsim.fibers.registry` (``afferents.recruitment = "biophysical"``).
It never imports brian2.
"""
from __future__ import annotations

import math
import os
from typing import Mapping

import numpy as np

from ..anatomy import TARGET_GEOMETRY, device_targets, target_classes
from ..errors import ParameterError
from ..stimulation import Waveform
from ..units import to_si
from .cache import cached_spikes, spike_key
from .kernel import NodeConstants, check_dt, fiber_spikes, run_chunk, step_drive
from .population import CLASS_PARAMS, CLASSES, GEOMETRIES, RMT_COIL_CURRENT, FiberPopulation, biophysical_distances
from .rates import _checked_class, _checked_seed

__all__ = ["threshold", "strength_duration", "fit_weiss", "recruitment_curve", "class_threshold",
           "amplitude_scale", "afferent_spikes", "waveform_classes", "biophysical_setting",
           "population_for", "Biophysical", "single_pulse", "fires_noise_free"]


# ---------------------------------------------------------------- thresholds
#: thresholds already computed, by (population key, width, shape, modality, gap, dt, rtol)
_THRESH_CACHE: dict = {}


def single_pulse(width, shape, modality, gap, pre=20e-6) -> Waveform:
    """One pulse of unit current at ``pre`` s (the probe of :func:`threshold`).

    Its target is the modality's first (:func:`painsim.anatomy.device_targets`): the probe
    acts on a given fiber population, so nothing reads the target.

    Parameters
    ----------
    width : float
        Phase width, in s.
    shape : {"monophasic", "biphasic"}
        Pulse shape.
    modality : {"electrical", "magnetic", "tms"}
        Coupling of the device.
    gap : float
        Interphase gap, in s.
    pre : float
        Onset of the pulse, in s (default 20 us).

    Returns
    -------
    Waveform
        Amplitude 1 A (``"current"``), duration ``pre + 2 * width + gap`` s.

    Raises
    ------
    painsim.errors.WaveformError
        A shape, modality or width the waveform refuses.
    """
    return Waveform(np.array([pre]), np.array([width]), np.array([1.0]), pre + 2 * width + gap,
                    amplitude_kind="current", shape=shape, modality=modality,
                    interphase_gap=gap, target=device_targets(modality)[0])


def fires_noise_free(pop, wf, amps, dt, window) -> np.ndarray:
    """Does each fiber fire (noise-free) with its own amplitude ``amps[i]``?

    Parameters
    ----------
    pop : FiberPopulation
        The fibers.
    wf : Waveform
        The pulse(s), of unit amplitude (:func:`single_pulse`).
    amps : ndarray
        Amplitude per fiber, in A (contact current, or peak coil current for magnetic).
    dt : float
        Time step, in s.
    window : float
        Time simulated after the end of ``wf``, in s.

    Returns
    -------
    ndarray of bool
        Whether each fiber fired.
    """
    node = NodeConstants(pop, dt, noise=False)
    n_steps = int(math.ceil((wf.duration + window) / dt))
    drive = step_drive(wf, 0, n_steps, dt, 1.0)
    coupling = pop.coupling(wf.modality) * amps
    state = node.initial_state()
    node.n_sub = n_steps + 1
    z = np.zeros((pop.n, 1))
    _, fib = run_chunk(drive, coupling, node, state, z)
    fired = np.zeros(pop.n, bool)
    fired[fib] = True
    return fired


def threshold(population: FiberPopulation, width, shape: str = "monophasic",
              modality: str = "electrical", interphase_gap=0.0, dt=None,
              rtol: float = 1e-4) -> np.ndarray:
    """Per-fiber threshold of one pulse, by bisection on the (noise-free) kernel.

    Parameters
    ----------
    population : FiberPopulation
    width : float or Quantity
        Phase width (s).
    shape : {"monophasic", "biphasic"}
    modality : {"electrical", "magnetic", "tms"}
    interphase_gap : float or Quantity
    dt : float, optional
        Time step (s), <= 5 us.
    rtol : float
        Relative precision of the bisection.

    Returns
    -------
    ndarray
        Threshold current per fiber: contact current in A (electrical) or peak
        coil current in A (magnetic).

    Raises
    ------
    painsim.errors.ParameterError
        Before any bisection: ``population`` not a :class:`FiberPopulation`, ``width`` not > 0 s,
        ``interphase_gap`` not a finite time >= 0 s (a bool was read as 1 s, NaN named
        ``duration``), ``rtol`` not a number in (0, 1) (0 or less never ended the bisection,
        NaN ended it at once), ``dt`` refused by :func:`~painsim.fibers.kernel.check_dt`, or a
        shape or modality the waveform refuses.

    Notes
    -----
    The threshold is that of the noise-free node (the 50 % point of the
    noisy node's firing probability).  Strength-duration behaviour follows
    Lapicque 1907 / Weiss 1901 through the node's integration time.
    """
    if not isinstance(population, FiberPopulation):
        raise ParameterError("population", type(population).__name__, "a FiberPopulation (FiberPopulation.sample)")
    w = positive_si(width, "s", "width")
    gap = _gap(interphase_gap)
    if isinstance(rtol, bool) or not isinstance(rtol, (int, float, np.integer, np.floating)) or not 0 < rtol < 1:
        raise ParameterError("rtol", rtol, "a relative precision in (0, 1), e.g. 1e-4")
    dt = check_dt(dt)
    key = (population.key(), w, shape, modality, gap, dt, rtol)
    if key in _THRESH_CACHE:
        return _THRESH_CACHE[key].copy()
    wf = single_pulse(w, shape, modality, gap)
    window = 5 * max(CLASS_PARAMS[str(c)].tau_m for c in np.unique(population.labels)) \
        if population.n else 0.0
    # bracket: start from the linear-integrator estimate, expand until every fiber fires
    c = population.coupling(modality)
    if modality == "electrical":
        est = (1.0 / c) * (1 + population.class_param("tau_m") / w)
    else:
        est = (w / np.pi) / c * (1 + population.class_param("tau_m") / w)
    hi = est.copy()
    for _ in range(60):
        f = fires_noise_free(population, wf, hi, dt, window)
        if f.all():
            break
        hi = np.where(f, hi, hi * 4)
    else:
        raise ParameterError("width", w, "a pulse that can excite every fiber")
    lo = np.zeros_like(hi)
    f = fires_noise_free(population, wf, hi / 4, dt, window)
    lo = np.where(f, 0.0, hi / 4)
    hi = np.where(f, hi / 4, hi)
    while np.any(hi - lo > rtol * hi):
        mid = 0.5 * (lo + hi)
        f = fires_noise_free(population, wf, mid, dt, window)
        hi = np.where(f, mid, hi)
        lo = np.where(f, lo, mid)
    _THRESH_CACHE[key] = hi
    return hi.copy()


def _gap(interphase_gap) -> float:
    """An interphase gap (a number in s or a quantity) as a finite float >= 0."""
    if isinstance(interphase_gap, bool):
        raise ParameterError("interphase_gap", interphase_gap, "a gap >= 0 s (a number in s or a quantity)")
    gap = float(interphase_gap) if isinstance(interphase_gap, (int, float, np.integer, np.floating)) else \
        float(to_si(interphase_gap, "s", "interphase_gap"))
    if not (math.isfinite(gap) and gap >= 0):
        raise ParameterError("interphase_gap", interphase_gap, "a gap >= 0 s (finite)")
    return gap


def positive_si(value, unit, name) -> float:
    """``value`` (a number in SI, or a quantity in ``unit``) as a float > 0, else a ParameterError.

    Parameters
    ----------
    value : float, str or Quantity
        A number in SI units, or a quantity in ``unit``.
    unit : str
        The SI unit (``"s"``, ``"A"``).
    name : str
        The parameter named in error messages.

    Returns
    -------
    float

    Raises
    ------
    painsim.errors.ParameterError
        Not finite and > 0, a bool (was read as 1), or a quantity of another dimension.
    """
    if isinstance(value, bool):
        raise ParameterError(name, value, f"a value > 0 {unit} (a number or a quantity)")
    v = float(value) if isinstance(value, (int, float)) else float(to_si(value, unit, name))
    if not (np.isfinite(v) and v > 0):
        raise ParameterError(name, value, f"a value > 0 {unit}")
    return v


def strength_duration(population_or_fiber, widths, **kwargs) -> np.ndarray:
    """Thresholds over pulse widths: array ``(len(widths), n_fibers)`` in A.

    ``population_or_fiber`` is a :class:`FiberPopulation` (or a one-fiber
    population).  Keywords as :func:`threshold`.  Compare with
    :func:`fit_weiss` (Weiss 1901; Lapicque 1907).

    Parameters
    ----------
    population_or_fiber : FiberPopulation
        The fibers.
    widths : sequence of float, or Quantity
        Phase widths, in s.
    **kwargs
        As :func:`threshold` (``shape``, ``modality``, ``interphase_gap``, ``dt``, ``rtol``).

    Returns
    -------
    ndarray
        Thresholds in A, shape ``(len(widths), n_fibers)``.

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`threshold` (e.g. a width <= 0 s).
    """
    pop = population_or_fiber
    ws = np.atleast_1d(np.asarray(to_si(widths, "s", "widths", allow_array=True)
                                  if not isinstance(widths, (list, tuple, np.ndarray)) else widths,
                                  dtype=float))
    return np.array([threshold(pop, float(w), **kwargs) for w in ws])


def fit_weiss(widths, thresholds) -> tuple[float, float]:
    """Fit Weiss's law ``I = I_rh (1 + c / w)`` (Weiss 1901), i.e. charge
    ``Q = I w = I_rh (w + c)``, by least squares on the relative error.

    Parameters
    ----------
    widths : array of float
        Pulse widths, in s.
    thresholds : array of float
        The threshold at each width, in A.

    Returns
    -------
    (rheobase, chronaxie) : (A, s)

    Raises
    ------
    painsim.errors.ParameterError
        Not one threshold per width, fewer than 2, or a width or threshold that is not a finite
        number > 0 (NaN or 0 made the least squares fail with a LinAlgError, a negative width
        gave a fit), or fewer than two distinct widths.
    """
    w, i = _positive_array(widths, "widths"), _positive_array(thresholds, "thresholds")
    if w.shape != i.shape or w.size < 2:
        raise ParameterError("thresholds", i.shape, "one threshold per width (>= 2)")
    if np.unique(w).size < 2:
        raise ParameterError("widths", w.tolist(), "at least two distinct widths (a chronaxie needs two)")
    # minimise sum ((I_rh (1 + c/w) - I) / I)^2: linear in (I_rh, I_rh c)
    A = np.stack([1 / i, 1 / (w * i)], axis=1)
    (p0, p1), *_ = np.linalg.lstsq(A, np.ones_like(i), rcond=None)
    return float(p0), float(p1 / p0)


def _positive_array(values, name: str) -> np.ndarray:
    """``values`` as a float array of finite numbers > 0 (a ParameterError naming ``name`` otherwise)."""
    try:
        a = np.asarray(values, dtype=float) if not isinstance(values, (str, bool)) else None
    except (TypeError, ValueError):
        a = None
    if a is None or np.asarray(values).dtype == bool or not np.all(np.isfinite(a) & (a > 0)):
        raise ParameterError(name, values, "finite numbers > 0 (s for widths, A for thresholds)")
    return a


def recruitment_curve(population: FiberPopulation, amplitudes, width, shape: str = "biphasic",
                      modality: str = "electrical", interphase_gap=0.0, dt=None) -> dict:
    """Fraction of each class that fires on one pulse, per amplitude.

    Parameters
    ----------
    population : FiberPopulation
        The fibers and their geometry (:meth:`FiberPopulation.sample`).
    amplitudes : array of float (A) or Quantity
        Contact current (or peak coil current for magnetic stimulation).
    width, shape, modality, interphase_gap, dt
        The pulse and time step, as :func:`threshold` takes them (``shape`` here defaults to
        "biphasic").

    Returns
    -------
    dict
        class -> array of fractions (len(amplitudes)); "all" for every fiber.
        Classes absent from the population are omitted.

    Raises
    ------
    painsim.errors.ParameterError
        Before any threshold is computed: no amplitude, an amplitude that is not a finite number
        >= 0 A (NaN or inf gave a fraction silently, a bool was read as 1 A, text a bare
        ValueError), or as :func:`threshold`.
    """
    amps = _amplitudes(amplitudes)
    th = threshold(population, width, shape=shape, modality=modality,
                   interphase_gap=interphase_gap, dt=dt)
    out = {}
    for c in CLASSES:
        idx = population.indices(c)
        if idx.size:
            out[c] = (th[idx][None, :] <= amps[:, None]).mean(axis=1)
    out["all"] = (th[None, :] <= amps[:, None]).mean(axis=1)
    return out


def _amplitudes(amplitudes) -> np.ndarray:
    """The amplitudes of :func:`recruitment_curve` in A: a non-empty array of finite numbers >= 0."""
    if isinstance(amplitudes, bool) or (isinstance(amplitudes, (list, tuple, np.ndarray))
                                        and np.asarray(amplitudes).dtype == bool):
        raise ParameterError("amplitudes", amplitudes, "currents >= 0 A (numbers, or a quantity in A)")
    try:
        amps = np.atleast_1d(np.asarray(
            amplitudes if isinstance(amplitudes, (list, tuple, np.ndarray, float, int, np.integer, np.floating))
            else to_si(amplitudes, "A", "amplitudes", allow_array=True), dtype=float))
    except ParameterError:
        raise
    except (TypeError, ValueError):
        raise ParameterError("amplitudes", amplitudes, "currents >= 0 A (numbers, or a quantity in A)") from None
    if amps.size == 0 or not np.all(np.isfinite(amps) & (amps >= 0)):
        bad = amps[~(np.isfinite(amps) & (amps >= 0))][:3] if amps.size else amps
        raise ParameterError("amplitudes", bad, "one or more finite amplitudes >= 0 A")
    return amps


def class_threshold(population: FiberPopulation, cls: str, width, shape="monophasic",
                    modality="electrical", interphase_gap=0.0, dt=None) -> float:
    """Median threshold (A) of class ``cls`` in ``population`` for one pulse.

    Parameters
    ----------
    population : FiberPopulation
        The fibers.
    cls : {"Abeta", "Adelta", "C"}
        The fiber class.
    width, shape, modality, interphase_gap, dt
        As :func:`threshold`.

    Returns
    -------
    float
        In A.

    Raises
    ------
    painsim.errors.ParameterError
        ``cls`` unknown or absent from ``population``, or as :func:`threshold`.
    """
    idx = population.indices(cls)
    if idx.size == 0:
        raise ParameterError("cls", cls, "a class present in the population")
    th = threshold(population.subset(idx), width, shape=shape, modality=modality,
                   interphase_gap=interphase_gap, dt=dt)
    return float(np.median(th))


def amplitude_scale(wf: Waveform, pop: FiberPopulation, dt, amplitude_reference) -> float:
    """The current (A) that one unit of ``wf``'s amplitudes stands for.

    1 for currents; ``amplitude_reference`` if given; the resting-motor-threshold
    coil current for "rmt"; else the median single-pulse threshold of
    ``wf.threshold_class`` in ``pop`` (:func:`class_threshold`).

    Parameters
    ----------
    wf : Waveform
        Its ``amplitude_kind`` and first pulse are read.
    pop : FiberPopulation
        The fibers whose threshold a ``"threshold"`` amplitude refers to.
    dt : float or None
        Time step of the threshold computation, in s.
    amplitude_reference : float, Quantity or None
        The current (A) one unit stands for, if given (not for ``"current"``).

    Returns
    -------
    float
        In A.

    Raises
    ------
    painsim.errors.ParameterError
        ``amplitude_reference`` not > 0 A, or as :func:`class_threshold` (a class absent
        from ``pop`` named ``threshold_class``, the waveform's field).
    """
    if wf.amplitude_kind == "current":
        return 1.0
    if amplitude_reference is not None:
        ref = positive_si(amplitude_reference, "A", "amplitude_reference")
        return ref
    if wf.amplitude_kind == "rmt":
        return RMT_COIL_CURRENT
    if wf.n_pulses == 0:
        return 1.0
    try:
        return class_threshold(pop, wf.threshold_class, float(wf.widths[0]), shape=wf.shape,
                               modality=wf.modality, interphase_gap=wf.interphase_gap, dt=dt)
    except ParameterError as e:  # class_threshold names its own argument ``cls``
        raise (e.renamed("threshold_class") if type(e) is ParameterError and e.name == "cls" else e) from None


def afferent_spikes(waveform: Waveform, population: FiberPopulation, seed: int = 0, dt=None,
                    cache_dir=None, amplitude_reference=None):
    """Spike times of every fiber at the stimulation site.

    Parameters
    ----------
    waveform : Waveform
        Amplitudes in A ("current"), multiples of the median single-pulse
        threshold of ``waveform.threshold_class`` in this population for this
        pulse width, shape and modality ("threshold"), or fractions of the
        resting motor threshold coil current ("rmt").
    population : FiberPopulation
    seed : int
        Seed of the threshold noise (Verveen 1962).
    dt : float, optional
        Time step in s (<= 5 us; default 2 us).
    cache_dir : path, optional
        Disk cache (None or ``""``: ``$PAINSIM_CACHE`` or ``~/.cache/painsim/fibers``);
        ``False`` disables it.
    amplitude_reference : Quantity or float (A), optional
        Overrides the current that one unit of a "threshold" (or "rmt")
        amplitude stands for.

    Returns
    -------
    times_s : float64 array
        Spike times (s, end of the step of threshold crossing), sorted.
    fiber_index : int64 array
        Index of the fiber of each spike.

    Raises
    ------
    painsim.errors.ParameterError
        Before any spike is computed: ``waveform`` or ``population`` of the wrong type, ``dt``
        refused, ``seed`` not a whole number >= 0 (was a bare ValueError), ``cache_dir`` not None,
        False or a path, or ``amplitude_reference`` not > 0 A.

    Notes
    -----
    The reduced node (:mod:`painsim.fibers.kernel`) follows McNeal 1976 and
    Rattay 1989 for the field, Weiss 1901 / Lapicque 1907 for
    strength-duration, Hodgkin & Huxley 1952 for Na inactivation and
    Kilgore & Bhadra 2014 for kHz block.  ``cache_info["last_hit"]`` tells
    whether the last call was served from the disk cache
    (:mod:`painsim.fibers.cache`).
    """
    if not isinstance(waveform, Waveform):
        raise ParameterError("waveform", type(waveform).__name__, "a painsim Waveform")
    if not isinstance(population, FiberPopulation):
        raise ParameterError("population", type(population).__name__, "a FiberPopulation")
    dt = check_dt(dt)
    seed = _checked_seed(seed)
    if not (cache_dir is None or cache_dir is False or isinstance(cache_dir, (str, os.PathLike))):
        raise ParameterError("cache_dir", cache_dir, "None (the default folder), False (no cache) or a folder path")
    ref = None if amplitude_reference is None else positive_si(
        amplitude_reference, "A", "amplitude_reference")

    def compute():
        scale = amplitude_scale(waveform, population, dt, ref)
        return fiber_spikes(waveform, population, scale, seed=seed, dt=dt)

    return cached_spikes(spike_key(waveform, population, seed, dt, ref), cache_dir, compute)


def waveform_classes(waveform: Waveform) -> tuple:
    """Fiber classes a waveform can reach (:func:`painsim.anatomy.target_classes`
    of its target and modality): the dorsal columns carry the ascending
    collaterals of Abeta afferents only; a nerve or the skin holds every class;
    TMS and other central targets reach none.  (``painsim.recruitment.target_classes``
    of earlier releases.)

    Parameters
    ----------
    waveform : Waveform
        Its ``target`` and ``modality`` are read.

    Returns
    -------
    tuple of str
        Empty when it reaches none.
    """
    return target_classes(waveform.target, waveform.modality)


def biophysical_setting(params: Mapping, key: str, default):
    """``params["biophysical"][key]`` of an ``afferents`` section, or ``default``.

    Parameters
    ----------
    params : mapping
        The model's ``afferents`` section, in SI units.
    key : str
        A key of its ``biophysical`` table (``"dt"``, ``"magnetic_distance_min"``).
    default
        Returned when there is no such table or key.
    """
    return params.get("biophysical", {}).get(key, default)


def population_for(waveform: Waveform, params, seed: int) -> FiberPopulation | None:
    """The fibers of one simulated point under ``waveform``.

    Parameters
    ----------
    waveform : Waveform
        Its ``target`` picks the geometry and the classes
        (:func:`waveform_classes`), its ``modality`` the coupling.
    params : painsim.Model or mapping
        A model, or its ``afferents`` section in SI units: class counts ``<class>.n`` and
        ``biophysical.*`` (resistivity, distances, image factor per target; coil distances).
    seed : int
        The point's seed (diameters and distances are drawn from it).

    Returns
    -------
    FiberPopulation, or None when the waveform reaches no afferents.

    Raises
    ------
    painsim.errors.ParameterError
        A bad ``waveform``, ``params`` (not a model or mapping), ``seed`` or geometry value (<= 0); a
        distance min above its max, named ``afferents.biophysical.<geometry>_distance_min`` (was ``distance_range``).
    """
    if not isinstance(waveform, Waveform):
        raise ParameterError("waveform", type(waveform).__name__, "a painsim Waveform")
    if callable(getattr(params, "section", None)):  # a Model: the section the docs' tables were read from
        params = params.section("afferents")
    if not isinstance(params, Mapping):
        raise ParameterError("params", type(params).__name__,
                             "a painsim Model or its afferents section (model.section('afferents'))")
    classes = waveform_classes(waveform)
    if not classes:
        return None
    geometry = TARGET_GEOMETRY[waveform.target]
    geo = GEOMETRIES[geometry]
    counts = {c: int(params[c]["n"]) for c in classes}
    settings = params.get("biophysical", {})
    if waveform.modality == "magnetic":
        return FiberPopulation.sample(counts, geometry=geometry, seed=seed,
                                      distance_range=biophysical_distances(settings, "magnetic", classes))
    rho = biophysical_setting(params, f"{geometry}_resistivity", 1.0 / geo["sigma"])
    image = biophysical_setting(params, f"{geometry}_image_factor", geo.get("image_factor", 1.0))
    if not (rho > 0 and image > 0):
        raise ParameterError(f"afferents.biophysical.{geometry}_resistivity/_image_factor",
                             (rho, image), "values > 0")
    dist = biophysical_distances(settings, geometry, classes)
    # a source on an insulating boundary: Ve doubles (images) <=> sigma / image_factor
    return FiberPopulation.sample(counts, geometry=geometry, seed=seed,
                                  sigma=1.0 / (rho * image), distance_range=dist)


class Biophysical:
    """Recruitment model ``afferents.recruitment = "biophysical"``: the numba
    node kernel of this module on a fiber population drawn per point (from
    the point's seed and ``afferents.biophysical``), with the spike trains
    cached on disk (:func:`afferent_spikes`).  Spike times are at the
    stimulation site; :func:`painsim.fibers.afferent_input` adds conduction
    delays."""

    #: fire() draws the fibres from the model's counts (afferent_input refuses a FiberSet of others)
    draws_population = True

    def fire(self, waveform, fibers, fiber_class, params, seed):
        """Spikes ``(times_s, index within fiber_class)`` at the stimulation site.

        Parameters
        ----------
        waveform : Waveform
            The device's waveform.
        fibers : FiberSet
            Not read: the population is drawn from ``params`` and ``seed`` (:func:`population_for`).
        fiber_class : {"Abeta", "Adelta", "C"}
            The class whose spikes are returned.
        params : mapping
            The model's ``afferents`` section, in SI units.
        seed : int
            The point's seed.

        Returns
        -------
        times_s : float64 array
            Spike times in s, sorted; none for a waveform without pulses, a class it does not
            reach, or TMS in RMT units.
        index : int64 array
            Index of each spike's fiber within ``fiber_class``.

        Raises
        ------
        painsim.errors.ParameterError
            As :func:`population_for` and :func:`afferent_spikes`; ``fiber_class`` not a fiber class
            (was an empty train, silently).
        """
        empty = (np.zeros(0), np.zeros(0, dtype=np.int64))
        if waveform.n_pulses == 0 or _checked_class(fiber_class, "fiber_class") not in waveform_classes(waveform):
            return empty
        if waveform.amplitude_kind == "rmt" and waveform.modality == "tms":
            return empty
        pop = population_for(waveform, params, seed)
        if pop is None or pop.indices(fiber_class).size == 0:
            return empty
        dt = biophysical_setting(params, "dt", None)
        t, i = afferent_spikes(waveform, pop, seed=seed, dt=dt)
        idx = pop.indices(fiber_class)
        local = np.full(pop.n, -1, np.int64)
        local[idx] = np.arange(idx.size)
        li = local[i]
        keep = li >= 0
        return t[keep], li[keep]

