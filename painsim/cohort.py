"""Virtual cohorts: patients drawn from distributions, their courses, and trial statistics.

A virtual patient is a row of a pandas table: etiology (central or
peripheral), stroke type (ischemic / hemorrhagic for central post-stroke
pain, ``"none"`` otherwise) and pathology attributes (ectopic activity,
disinhibition, sensitization, map reorganization, descending integrity,
thalamic lesion, stimulation threshold).  :data:`PATIENT_TO_MODEL` maps each
attribute to ONE dotted model path, and :func:`patient_overrides` turns a row
into model overrides.

Typical use::

    import painsim as ps
    table = ps.cohort.sample(200, preset="rtms_real_world", seed=1)
    result = ps.cohort.run(table, "rtms_m1_20hz")          # on the whole pathway (pain_pathway)
    stats = ps.cohort.statistics(result)         # responder rates, relief, odds ratios

Cohort experiment files (``[experiment] kind = "cohort"``, e.g.
``experiments/rtms_cohort.toml``) run with ``painsim run FILE``
(:func:`run_cohort_file`): sample, run the course for every patient
(batched, on ``workers`` processes), statistics beside the published
numbers, saved as a Dataset (:func:`to_dataset`) and a CSV patient table.

The statistics are pure functions of a table and are tested on synthetic
tables with known answers:

* responder rates at 30 % and 50 % relief with Wilson score intervals
  (Wilson 1927; Newcombe 1998 Stat Med 17:857, method 3);
* odds ratios of response by etiology and by stroke type from a logistic
  regression fitted by iteratively reweighted least squares, with Wald
  intervals; for one binary factor this equals the 2x2-table log odds ratio
  and Woolf's standard error (checked in the tests);
* calibration of the distribution parameters to published targets with
  ``scipy.optimize`` (:func:`calibrate`).

Responder: relief >= threshold (IMMPACT: >= 30 % moderately, >= 50 %
substantially important; Dworkin 2008 J Pain 9:105).  Relief = (baseline -
pain) / baseline.
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .errors import ParameterError, SpecError, UnknownKeyError

__all__ = ["PATIENT_TO_MODEL", "PATIENT_LABELS", "ATTRIBUTE_UNITS", "PUBLISHED", "PRESETS", "Beta", "LogNormal",
           "Bernoulli", "Fixed", "default_distributions", "sample", "patient_overrides", "run", "statistics",
           "wilson_interval", "responder_rates", "relief_summary", "logistic_regression",
           "odds_ratio", "odds_ratio_2x2", "calibrate", "CalibrationResult", "sensitivity", "per_patient",
           "load_cohort_spec", "run_cohort_file", "to_dataset", "from_dataset"]

#: Patient attribute -> dotted model path.  The ONE place to update when the
#: model's parameter names change.  Every path exists in the reference model
#: (models/gate_control.toml, which defines all keys; tests/test_cohort.py
#: checks this), so every patient is a valid whole-pathway model
#: (``pain_pathway``, the default base of :func:`run`).  Attributes whose path
#: a user-supplied model does not know are skipped (listed in
#: ``table.attrs["unmapped"]`` after :func:`run`) unless their distribution was
#: given explicitly or ``strict=True``, which raises
#: :class:`~painsim.errors.UnknownKeyError` naming the nearest path.
PATIENT_TO_MODEL: dict[str, str] = {
    # peripheral neuropathic pain: the spinal generator (models/peripheral_neuropathic.toml)
    "ectopic_activity": "pathology.ectopic_fraction",
    "disinhibition": "pathology.disinhibition",
    "sensitization": "pathology.sensitization",
    "map_reorganization": "pathology.map_reorganization",
    # central post-stroke pain: the thalamic generator (models/central_poststroke_ischemic.toml)
    "thalamic_lesion": "pathology.thalamic_lesion",
    "thalamic_drive": "pathology.thalamic_drive",
    "thalamic_disinhibition": "pathology.thalamic_disinhibition",
    "cortical_disinhibition": "pathology.cortical_disinhibition",
    # what a haemorrhage adds (models/central_poststroke_hemorrhagic.toml): the routes of M1 stimulation
    "corticothalamic_damage": "pathology.corticothalamic_damage",
    "descending_integrity": "descending.integrity",
    # stimulation thresholds: of the M1 neurons under the coil (rTMS, in units of the patient's RMT)
    # and of the Aβ fibres under an electrode (SCS/PNS/TENS with amplitudes in mA)
    "stimulation_threshold": "cortex.m1.tms_threshold",
    "afferent_threshold": "afferents.Abeta.threshold_current",
}

#: Categorical columns of the patient table written into the model's label
#: parameters (they do no work in the circuit; they make a patient's model
#: self-describing, e.g. in saved results).
PATIENT_LABELS: dict[str, str] = {"etiology": "pathology.etiology", "stroke_type": "pathology.stroke"}

#: Unit of attributes that are quantities (written as "<value> <unit>" overrides).
ATTRIBUTE_UNITS: dict[str, str] = {"afferent_threshold": "mA", "thalamic_drive": "nS"}

#: Published targets of the real-world 20 Hz M1 rTMS cohort (REFERENCES.md:
#: Eur J Pain 2025;29:e4763, n = 193, 4-session test period).
PUBLISHED: dict[str, dict] = {
    "responder_rate_30": {"value": 0.42, "ci": None, "n": 193,
                          "source": "Eur J Pain 2025;29:e4763: 42 % report > 30 % relief after 4 sessions"},
    "or_central_vs_peripheral": {"value": 2.03, "ci": (1.04, 4.00),
                                 "source": "Eur J Pain 2025;29:e4763"},
    "or_ischemic_vs_hemorrhagic": {"value": 3.36, "ci": (1.17, 10.05),
                                   "source": "Eur J Pain 2025;29:e4763 (post-stroke pain)"},
}


# ====================================================================== distributions
class _Dist:
    params: tuple[str, ...] = ()

    def ppf(self, u: np.ndarray) -> np.ndarray:  # inverse CDF: smooth in the parameters
        raise NotImplementedError

    def get(self, name):
        return getattr(self, name)

    def set(self, name, value):
        if name not in self.params:
            raise UnknownKeyError(name, self.params, what=f"parameter of {type(self).__name__}")
        new = type(self)(**{p: getattr(self, p) for p in self.params})
        setattr(new, name, float(value))
        new._check()
        return new

    def _check(self):
        pass

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{p}={getattr(self, p):.4g}' for p in self.params)})"


class Beta(_Dist):
    """Beta distribution on [0, 1] by its mean and concentration (a + b)."""

    params = ("mean", "concentration")

    def __init__(self, mean: float, concentration: float = 10.0):
        self.mean, self.concentration = float(mean), float(concentration)
        self._check()

    def _check(self):
        if not 0 < self.mean < 1:
            raise ParameterError("Beta.mean", self.mean, "a mean strictly between 0 and 1")
        if not self.concentration > 0:
            raise ParameterError("Beta.concentration", self.concentration, "a concentration > 0")

    def ppf(self, u):
        from scipy.stats import beta
        a = self.mean * self.concentration
        return beta.ppf(u, a, self.concentration - a)


class LogNormal(_Dist):
    """Log-normal distribution by its median and the SD of its logarithm."""

    params = ("median", "sigma")

    def __init__(self, median: float, sigma: float = 0.2):
        self.median, self.sigma = float(median), float(sigma)
        self._check()

    def _check(self):
        if not self.median > 0 or not self.sigma >= 0:
            raise ParameterError("LogNormal", (self.median, self.sigma), "median > 0 and sigma >= 0")

    def ppf(self, u):
        from scipy.stats import norm
        return self.median * np.exp(self.sigma * norm.ppf(u))


class Bernoulli(_Dist):
    """A yes/no attribute with probability ``p`` of yes."""

    params = ("p",)

    def __init__(self, p: float):
        self.p = float(p)
        self._check()

    def _check(self):
        if not 0 <= self.p <= 1:
            raise ParameterError("Bernoulli.p", self.p, "a probability in [0, 1]")

    def ppf(self, u):
        return (np.asarray(u) < self.p)


class Fixed(_Dist):
    """Every patient has the same value."""

    params = ("value",)

    def __init__(self, value: float):
        self.value = float(value)

    def ppf(self, u):
        return np.full(np.shape(u), self.value)


#: Groups a continuous attribute's distribution may depend on: "central",
#: "peripheral" (etiology) or "ischemic", "hemorrhagic" (stroke type, central
#: patients); a plain distribution applies to everyone.
GROUPS = ("peripheral", "central", "ischemic", "hemorrhagic")


def default_distributions() -> dict[str, Any]:
    """The default patient distributions, each with the reason for its numbers.

    Returns
    -------
    dict
        ``central`` and ``stroke`` and ``ischemic`` (Bernoulli shares) and,
        per attribute of :data:`PATIENT_TO_MODEL`, a distribution or a dict
        of distributions by group (see :data:`GROUPS`; the most specific
        group of a patient wins: stroke type, then etiology).
    """
    # Groups: "peripheral" (peripheral neuropathic pain), "central" (central pain that is not
    # post-stroke: spinal cord injury, multiple sclerosis), "ischemic" / "hemorrhagic" (central
    # post-stroke pain, CPSP).  Centres are the values of the model presets
    # (models/peripheral_neuropathic.toml, central_poststroke_{ischemic,hemorrhagic}.toml); the
    # spreads are chosen (no patient-level data); none is tuned to the cohort's published outcomes.
    zero = Fixed(0.0)
    return {
        # chosen: ~40 % central neuropathic pain, as in pain-clinic rTMS series where post-stroke and
        # spinal-cord-injury pain are a large minority; the share is not in the abstract of
        # Eur J Pain 2025;29:e4763 (seeds/004)
        "central": Bernoulli(0.4),
        # chosen: most central pain treated by M1 rTMS is post-stroke (CPSP); the rest spinal cord / MS
        "stroke": Bernoulli(0.7),
        # chosen: ~60 % ischemic among CPSP patients (ischemic strokes are ~85 % of strokes, but
        # thalamic haemorrhage is over-represented in CPSP)
        "ischemic": Bernoulli(0.6),
        # ectopic discharge is a peripheral-nerve-injury mechanism (Devor 2009 Exp Brain Res 196:115):
        # peripheral_neuropathic preset 0.3, chosen concentration 8 (SD 0.15); none in central pain
        # (no injured peripheral nerve in the model of CPSP / SCI pain)
        "ectopic_activity": {"peripheral": Beta(0.3, 8.0), "central": zero},
        # spinal disinhibition: peripheral_neuropathic preset 0.5 (Coull 2003 Nature 424:938), chosen
        # concentration 6 (SD 0.19); central non-stroke pain: chosen 0.3, dorsal-horn hyperexcitability
        # at the level of a spinal cord injury [recalled: Gwak & Hulsebosch 2011]; CPSP presets: none
        "disinhibition": {"peripheral": Beta(0.5, 6.0), "central": Beta(0.3, 6.0),
                          "ischemic": zero, "hemorrhagic": zero},
        # C-synapse sensitization: peripheral_neuropathic preset 1.5 (Woolf 2011), chosen 20 % log-SD;
        # central non-stroke chosen 1.3 (spinal sensitization after cord injury, as above); CPSP: none
        "sensitization": {"peripheral": LogNormal(1.5, 0.2), "central": LogNormal(1.3, 0.2),
                          "ischemic": Fixed(1.0), "hemorrhagic": Fixed(1.0)},
        # S1 map enlargement: peripheral_neuropathic preset 0.5 (Flor 1995), chosen concentration 6;
        # central non-stroke chosen 0.3; CPSP presets: none (their generator is thalamic)
        "map_reorganization": {"peripheral": Beta(0.5, 6.0), "central": Beta(0.3, 6.0),
                               "ischemic": zero, "hemorrhagic": zero},
        # fraction of the painful site's relay destroyed: CPSP presets 0.3 (lacune) and 0.5
        # (haematomas are larger), chosen concentration 10 (SD ~0.14-0.15); none otherwise
        "thalamic_lesion": {"peripheral": zero, "central": zero,
                            "ischemic": Beta(0.3, 10.0), "hemorrhagic": Beta(0.5, 10.0)},
        # tonic drive of surviving relay neurons (nS): CPSP preset 2.4 nS, just above the 2 nS
        # rheobase (thalamic hyperactivity, Jeanmonod 1996 [recalled]); chosen log-SD 0.1, so ~4 % of
        # CPSP patients fall below the rheobase (no spontaneous thalamic generator); none otherwise
        "thalamic_drive": {"peripheral": zero, "central": zero,
                           "ischemic": LogNormal(2.4, 0.1), "hemorrhagic": LogNormal(2.4, 0.1)},
        # reticular (TRN) inhibition of the relay lost: CPSP preset 0.5 (Craig 1998), chosen
        # concentration 8; none otherwise
        "thalamic_disinhibition": {"peripheral": zero, "central": zero,
                                   "ischemic": Beta(0.5, 8.0), "hemorrhagic": Beta(0.5, 8.0)},
        # S1 lateral inhibition lost: CPSP preset 0.2, chosen concentration 10; none otherwise
        "cortical_disinhibition": {"peripheral": zero, "central": zero,
                                   "ischemic": Beta(0.2, 10.0), "hemorrhagic": Beta(0.2, 10.0)},
        # M1 -> thalamus fibres lost: hemorrhagic preset 0.6 (internal-capsule damage), chosen
        # concentration 8; ischemic preset 0 ("spared"): chosen Beta(0.1, 10), a lacune near the
        # capsule occasionally clips them; none otherwise
        "corticothalamic_damage": {"peripheral": zero, "central": zero,
                                   "ischemic": Beta(0.1, 10.0), "hemorrhagic": Beta(0.6, 8.0)},
        # fraction of the descending (M1 -> PAG/RVM -> dorsal horn) pathway intact: presets 1.0
        # (peripheral, ischemic) and 0.5 (hemorrhagic); chosen Beta(0.9, 20) (SD 0.07) for intact
        # pathways with inter-individual variation of descending control, and Beta(0.5, 12) after a
        # haemorrhage; central non-stroke chosen 0.6 (a cord lesion interrupts bulbospinal fibres)
        "descending_integrity": {"peripheral": Beta(0.9, 20.0), "central": Beta(0.6, 12.0),
                                 "ischemic": Beta(0.9, 20.0), "hemorrhagic": Beta(0.5, 12.0)},
        # median TMS threshold of the modelled M1 neurons in units of the patient's RMT: 1.0 by the
        # model's definition (cortex.m1.tms_threshold); chosen log-SD 0.15 between patients (the
        # neurons whose outputs carry analgesia need not share the corticospinal threshold that
        # defines RMT; RMT itself is the intensity reference of the protocol)
        "stimulation_threshold": LogNormal(1.0, 0.15),
        # chosen: Aβ threshold of the model (0.5 mA) with 30 % log-normal spread between patients
        # (electrode-to-fibre distance; only matters for amplitudes given in mA)
        "afferent_threshold": LogNormal(0.5, 0.3),
    }


#: Named cohorts: modifications of :func:`default_distributions`.
PRESETS: dict[str, dict[str, Any]] = {
    "default": {},
    # the real-world 20 Hz M1 rTMS cohort of REFERENCES.md (Eur J Pain 2025): defaults, to be calibrated
    "rtms_real_world": {},
    "peripheral": {"central": Bernoulli(0.0)},
    "central_post_stroke": {"central": Bernoulli(1.0), "stroke": Bernoulli(1.0)},
}

_CATEGORICAL = ("central", "stroke", "ischemic")


def _distributions(preset: str | None, distributions: Mapping | None) -> tuple[dict, set]:
    if preset is not None and preset not in PRESETS:
        raise UnknownKeyError(preset, PRESETS, what="cohort preset")
    dists = default_distributions()
    dists.update(PRESETS.get(preset or "default", {}))
    explicit = set()
    for k, v in (distributions or {}).items():
        if k not in dists:
            raise UnknownKeyError(k, dists, what="patient attribute")
        if isinstance(v, Mapping):
            for g in v:
                if g not in GROUPS:
                    raise UnknownKeyError(g, GROUPS, what=f"group of {k!r}")
            base = dists[k] if isinstance(dists[k], Mapping) else {}
            dists[k] = {**base, **v}
        elif isinstance(v, _Dist):
            dists[k] = v
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            dists[k] = Fixed(v) if k not in _CATEGORICAL else Bernoulli(v)
        else:
            raise ParameterError(k, v, "a distribution (cohort.Beta, LogNormal, Bernoulli, Fixed), "
                                       "a number, or a dict of them by group")
        explicit.add(k)
    return dists, explicit


def _get_param(dists: Mapping, name: str) -> float:
    parts = name.split(".")
    node = dists[parts[0]]
    if isinstance(node, Mapping):
        node = node[parts[1]]
        return node.get(parts[2])
    return node.get(parts[1])


def _set_param(dists: dict, name: str, value: float) -> dict:
    """A copy of ``dists`` with ``"attribute[.group].parameter"`` set to ``value``."""
    parts = name.split(".")
    if parts[0] not in dists:
        raise UnknownKeyError(parts[0], dists, what="patient attribute")
    out = dict(dists)
    node = out[parts[0]]
    if isinstance(node, Mapping):
        if len(parts) != 3 or parts[1] not in node:
            raise UnknownKeyError(name, [f"{parts[0]}.{g}.{p}" for g, d in node.items() for p in d.params],
                                  what="distribution parameter")
        out[parts[0]] = {**node, parts[1]: node[parts[1]].set(parts[2], value)}
    else:
        if len(parts) != 2:
            raise UnknownKeyError(name, [f"{parts[0]}.{p}" for p in node.params], what="distribution parameter")
        out[parts[0]] = node.set(parts[1], value)
    return out


def sample(n: int, preset: str | None = "default", seed: int = 0,
           distributions: Mapping[str, Any] | None = None, _dists: Mapping | None = None):
    """Draw ``n`` virtual patients.

    Parameters
    ----------
    n : int
        Number of patients.
    preset : str, optional
        A named cohort (:data:`PRESETS`).
    seed : int
        Seed of the draw.  The draw uses inverse-CDF sampling of fixed
        uniform numbers, so the same seed with slightly different
        distribution parameters gives slightly different patients (smooth
        for calibration).
    distributions : dict, optional
        Replacements of :func:`default_distributions` entries: a
        distribution, a number (fixed value / probability) or a dict by
        group (``{"descending_integrity": {"hemorrhagic": Beta(0.4, 12)}}``).

    Returns
    -------
    pandas.DataFrame
        One row per patient (index ``patient``): ``etiology``
        (central/peripheral), ``stroke_type`` (ischemic/hemorrhagic/none),
        one column per attribute of :data:`PATIENT_TO_MODEL`, and ``seed``
        (the patient's simulation seed).  ``attrs`` records the preset,
        seed and the attributes whose distribution was given explicitly.
    """
    import pandas as pd
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError("n", n, "a number of patients >= 1")
    dists, explicit = (dict(_dists), set()) if _dists is not None else _distributions(preset, distributions)
    names = ["central", "stroke", "ischemic"] + list(PATIENT_TO_MODEL)
    u = np.random.default_rng(np.random.SeedSequence([int(seed), 0xC0407])).random((n, len(names)))
    u = np.clip(u, 1e-12, 1 - 1e-12)
    col = {k: u[:, j] for j, k in enumerate(names)}
    central = dists["central"].ppf(col["central"]).astype(bool)
    stroke = central & dists["stroke"].ppf(col["stroke"]).astype(bool)
    ischemic = dists["ischemic"].ppf(col["ischemic"]).astype(bool)
    etiology = np.where(central, "central", "peripheral")
    stroke_type = np.where(stroke, np.where(ischemic, "ischemic", "hemorrhagic"), "none")
    table = {"etiology": etiology, "stroke_type": stroke_type}
    for attr in PATIENT_TO_MODEL:
        d = dists.get(attr)
        if d is None:
            continue
        if not isinstance(d, Mapping):
            table[attr] = np.asarray(d.ppf(col[attr]), float)
            continue
        values = np.full(n, np.nan)
        for group_mask, group in ((np.ones(n, bool), None), (~central, "peripheral"), (central, "central"),
                                  (stroke_type == "ischemic", "ischemic"),
                                  (stroke_type == "hemorrhagic", "hemorrhagic")):
            if group in d and group_mask.any():
                values[group_mask] = d[group].ppf(col[attr][group_mask])
        if np.isnan(values).any():
            raise SpecError(attr, sorted(d), "distributions covering every patient "
                                             "(give 'peripheral' and 'central' at least)")
        table[attr] = values
    seeds = np.random.SeedSequence([int(seed), 0x5EED]).generate_state(n, np.uint32) & 0x7FFFFFFF
    table["seed"] = seeds.astype(np.int64)
    df = pd.DataFrame(table, index=pd.RangeIndex(n, name="patient"))
    df.attrs.update({"preset": preset, "seed": int(seed), "explicit": sorted(explicit)})
    return df


# ====================================================================== patients -> models
def patient_overrides(row: Mapping[str, Any], model=None, strict: bool = False,
                      explicit: Sequence[str] = (), mapping: Mapping[str, str] | None = None,
                      labels: bool = True) -> tuple[dict, list[str]]:
    """Model overrides (dotted paths) of one patient.

    Parameters
    ----------
    row : mapping
        A patient (a row of :func:`sample`'s table).
    model : Model, optional
        The model the overrides are for; attributes whose path it does not
        have are skipped (returned in the second element), unless ``strict``
        or listed in ``explicit``.
    strict : bool
        Raise for every attribute whose path the model lacks.
    explicit : sequence of str
        Attributes the user asked for explicitly (raise if unmapped).
    mapping : dict, optional
        Attribute -> path; default :data:`PATIENT_TO_MODEL`.
    labels : bool
        Also write ``etiology`` and ``stroke_type`` into the model's label
        parameters (:data:`PATIENT_LABELS`) when the model has them.

    Returns
    -------
    (dict, list)
        The overrides, and the attributes skipped.

    Raises
    ------
    UnknownKeyError
        An attribute that is used but whose path the model does not know
        (the message names the nearest path the model has).
    """
    mapping = PATIENT_TO_MODEL if mapping is None else mapping
    out, skipped = {}, []
    for attr, path in mapping.items():
        if attr not in row or row[attr] is None or (isinstance(row[attr], float) and math.isnan(row[attr])):
            continue
        if model is not None and path not in model.leaves:
            if strict or attr in explicit:
                raise UnknownKeyError(path, [k for k in model.leaves if not k.startswith("model.")],
                                      what=f"model parameter for patient attribute {attr!r}")
            skipped.append(attr)
            continue
        v = float(row[attr])
        unit = ATTRIBUTE_UNITS.get(attr)
        out[path] = f"{v!r} {unit}" if unit else v
    if labels:
        for col, path in PATIENT_LABELS.items():
            if col in row and isinstance(row[col], str) and (model is None or path in model.leaves):
                out[path] = row[col]
    return out, skipped


def run(table, protocol, model: Any = "pain_pathway", seeds: Sequence[int] | None = None,
        batch_size: int = 32, day: float | None = None, strict: bool = False, return_datasets: bool = False,
        workers: int = 1, progress: bool = False, store=None, resume: bool = False):
    """Run a protocol course for every patient of a table.

    Parameters
    ----------
    table : pandas.DataFrame
        Patients (from :func:`sample`, or any table with the same columns).
    protocol : str or protocol object
        A protocol name (:mod:`painsim.protocols`) or object, passed to
        :func:`painsim.course.run_course_batch`.
    model : str or Model
        The base model each patient modifies (default: the whole pathway,
        ``pain_pathway``, which every attribute of :data:`PATIENT_TO_MODEL`
        acts on).
    seeds : sequence of int, optional
        One seed per patient; default: the table's ``seed`` column.
    batch_size : int
        Patients whose courses run together (at most): the windows of all
        of them share brian2 networks (:func:`painsim.course.run_course_batch`),
        so larger batches cost less per patient.  With ``workers > 1`` the
        patients are cut into balanced batches, as many as a multiple of the
        workers.  Results do not depend on it.
    day : float, optional
        The day of ``relief`` that defines response.  Default: the
        protocol's ``end_day`` (e.g. day 4 for a 4-session test on days
        0-3 with ``end_day = 4``), else the last day of the course result.
        Only day 0 and this day are tested (``tests="follow_up"`` of
        :func:`painsim.course.run_course_batch`), so the course costs no
        more test windows than needed.
    strict : bool
        Raise if a patient attribute has no model parameter (see
        :func:`patient_overrides`).
    return_datasets : bool
        Also return the per-patient course Datasets.
    workers : int
        Processes to spread the batches over (``1``: this process).  Each
        worker runs whole batches of :func:`painsim.course.run_course_batch`;
        brian2's Cython cache is shared (brian2 locks each module while it
        compiles).  Results do not depend on ``workers``.
    progress : bool
        Print a line per finished batch.
    store : path, optional
        A folder where each patient's course result is written
        (``patient_<k>.nc``, atomically) as soon as its batch finishes, so
        that an interrupted cohort (Ctrl-C, kill -9, a dead worker) loses
        only the batches that were running.
    resume : bool
        Continue the cohort stored in ``store``: patients found there are
        loaded, not run again.  Each file carries a fingerprint of the
        patient (full parameter set, seed, protocol, relief day), and a
        mismatch raises instead of mixing two cohorts.  Without ``resume`` a
        store that already holds patients raises.

    Returns
    -------
    pandas.DataFrame (and list of xarray.Dataset)
        The table with ``baseline_pain``, ``relief`` (at ``day``, a
        fraction), ``responder_30`` and ``responder_50`` added;
        ``attrs["unmapped"]`` lists attributes the model has no parameter
        for, ``attrs["relief_day"]`` the day used.
    """
    from .params import Model, load_model
    from .course import run_course_batch  # lazy: the course engine is optional for statistics
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise ParameterError("workers", workers, "a number of processes >= 1")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ParameterError("batch_size", batch_size, "a number of patients per batch >= 1")
    base = model if isinstance(model, Model) else load_model(model)
    explicit = table.attrs.get("explicit", ())
    models, unmapped = [], set()
    for _, row in table.iterrows():
        ov, skipped = patient_overrides(row, base, strict=strict, explicit=explicit)
        unmapped.update(skipped)
        models.append(base.with_params(ov))
    if unmapped:
        warnings.warn(f"cohort.run: model {base.name!r} has no parameter for {sorted(unmapped)} "
                      f"(PATIENT_TO_MODEL); these attributes were ignored", stacklevel=2)
    if seeds is None:
        seeds = [int(s) for s in table["seed"]] if "seed" in table else list(range(len(table)))
    seeds = [int(s) for s in seeds]
    if len(seeds) != len(table):
        raise ParameterError("seeds", len(seeds), f"one seed per patient ({len(table)})")
    if isinstance(protocol, str):
        from . import protocols as _protocols
        protocol = _protocols.get(protocol)
    cal = getattr(protocol, "calendar", None)
    if day is None and cal is not None:
        day = cal.end_day if cal.end_day is not None else None
    # only the baseline and the relief day are tested (the other test windows cost time and are not used)
    kw = {"follow_up_days": (float(day),), "tests": "follow_up"} if day is not None else {}
    found = _PatientStore(store, models, seeds, protocol, day, resume) if store is not None else None
    done: dict[int, Any] = dict(found.finished) if found else {}
    todo = [k for k in range(len(models)) if k not in done]
    started, n_before = time.time(), len(done)

    def finished(ks, datasets):
        for k, ds in zip(ks, datasets):
            done[k] = found.save(k, ds) if found else ds
        if progress:
            elapsed = time.time() - started
            eta = elapsed / max(len(done) - n_before, 1) * (len(models) - len(done))
            print(f"painsim: cohort: {len(done)}/{len(models)} patients done, {elapsed / 60:.1f} min elapsed, "
                  f"ETA {eta / 60:.1f} min", flush=True)

    if workers == 1 or len(todo) <= 1:
        for s in range(0, len(todo), batch_size):
            ks = todo[s:s + batch_size]
            finished(ks, per_patient(run_course_batch([models[k] for k in ks], protocol,
                                                      seeds=[seeds[k] for k in ks], **kw)))
    elif todo:
        _run_parallel([models[k] for k in todo], protocol, [seeds[k] for k in todo], batch_size, workers, kw,
                      on_batch=lambda start, ds: finished(todo[start:start + len(ds)], ds))
    results = [done.get(k) for k in range(len(models))]
    missing = sum(r is None for r in results)
    if missing:
        raise ParameterError("run_course_batch result", f"{missing} patients without a course",
                             f"one course per patient ({len(table)})")
    out = table.copy()
    cols: dict[str, list] = {"baseline_pain": [], "relief": [], "responder_30": [], "responder_50": []}
    for ds in results:
        relief = ds["relief"]
        if "day" in relief.dims:
            relief = relief.isel(day=-1) if day is None else relief.sel(day=day)
        r = float(relief) / (100.0 if relief.attrs.get("units") == "%" else 1.0)  # as a fraction
        cols["baseline_pain"].append(float(ds["baseline_pain"]))
        cols["relief"].append(r)
        # responders from the same day's relief, so that table and statistics agree
        cols["responder_30"].append(bool(r >= 0.3 - 1e-12))
        cols["responder_50"].append(bool(r >= 0.5 - 1e-12))
    for k, v in cols.items():
        out[k] = v
    out.attrs = {**table.attrs, "unmapped": sorted(unmapped), "protocol": str(getattr(protocol, "name", protocol)),
                 "model": base.name, "relief_day": day if day is not None else "last"}
    return (out, results) if return_datasets else out


class _PatientStore:
    """Per-patient course results of a cohort in a folder (see :func:`run`, ``store``)."""

    def __init__(self, path, models, seeds, protocol, day, resume: bool):
        import hashlib
        import json
        from pathlib import Path
        self.path = Path(path)
        describe = getattr(protocol, "describe", None)
        prot = json.dumps(describe() if describe else str(protocol), sort_keys=True, default=str)
        self.keys = [hashlib.sha256(json.dumps([m.to_json(), int(s), prot, day], default=str).encode()).hexdigest()
                     for m, s in zip(models, seeds)]
        self.finished: dict[int, Any] = {}
        files = sorted(self.path.glob("patient_*.nc")) if self.path.exists() else []
        if files and not resume:
            raise ParameterError("store", str(self.path), "a new folder, or resume=True (--resume) to continue "
                                 "the cohort stored there")
        from .io import load
        for f in files:
            k = int(f.stem.split("_")[1])
            ds = load(f)
            if k >= len(self.keys) or ds.attrs.get("cohort_patient_key") != self.keys[k]:
                raise ParameterError("store", str(self.path), f"the cohort stored there to resume it (patient {k} "
                                     "differs: another table, model, protocol, seed or relief day); use a new folder")
            self.finished[k] = ds
        self.path.mkdir(parents=True, exist_ok=True)

    def save(self, k: int, ds):
        from .io import save
        ds = ds.assign_attrs(cohort_patient_key=self.keys[k])
        save(ds, self.path / f"patient_{k:06d}.nc")
        return ds


def _course_task(models, protocol, seeds, kw) -> list:
    """One batch of a cohort in a worker process (module level: picklable)."""
    from .course import run_course_batch
    return per_patient(run_course_batch(models, protocol, seeds=seeds, **kw))


def _run_parallel(models, protocol, seeds, batch_size, workers, kw, task=None, on_batch=None) -> list:
    """Batches of patients on ``workers`` spawned processes, results in patient order.

    A patient's result depends only on its model, seed and the protocol
    (:func:`painsim.course.run_course_batch`), so neither the cut into
    batches nor the worker that runs a batch changes it.  ``task`` (a
    picklable module-level function with the signature of
    :func:`_course_task`) replaces the course engine in tests;
    ``on_batch(start, datasets)`` is called as each batch arrives (the
    cohort persists it and reports progress there).
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    n = len(models)
    # batches of at most batch_size, as many as a multiple of the workers and of
    # sizes differing by at most one, so that the workers finish together
    # (200 patients, 32 per batch, 2 workers: 8 batches of 25, not 6 x 32 + 8)
    n_batches = min(n, workers * math.ceil(n / (workers * batch_size)))
    sizes = [n // n_batches + (b < n % n_batches) for b in range(n_batches)]
    starts = [sum(sizes[:b]) for b in range(n_batches)]
    out: dict[int, list] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        futures = {pool.submit(task or _course_task, models[s:s + m], protocol, seeds[s:s + m], kw): s
                   for s, m in zip(starts, sizes)}
        try:
            for f in as_completed(futures):
                out[futures[f]] = f.result()
                if on_batch is not None:
                    on_batch(futures[f], out[futures[f]])
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return [ds for s in starts for ds in out[s]]


def per_patient(results) -> list:
    """A course-batch result as one Dataset per patient.

    Accepts a list of Datasets or one Dataset with a ``patient`` dimension
    (what :func:`painsim.course.run_course_batch` returns).
    """
    import xarray as xr
    if isinstance(results, xr.Dataset):
        if "patient" not in results.dims:
            return [results]
        return [results.isel(patient=k).drop_vars(["patient", "seed"], errors="ignore")
                for k in range(results.sizes["patient"])]
    return list(results)


# ====================================================================== statistics
def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n`` (Newcombe 1998, method 3).

    Returns (nan, nan) for ``n = 0``.
    """
    from scipy.stats import norm
    if n == 0:
        return float("nan"), float("nan")
    if not 0 <= k <= n:
        raise ParameterError("k", k, f"a count between 0 and n = {n}")
    z = norm.ppf(0.5 + level / 2)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _responders(table, threshold: float, relief: str = "relief") -> np.ndarray:
    col = f"responder_{int(round(threshold * 100))}"
    if relief in table:
        r = np.asarray(table[relief], float)
        keep = ~np.isnan(r)
        return (r[keep] >= threshold - 1e-12)
    if col in table:
        return np.asarray(table[col], bool)
    raise UnknownKeyError(relief, list(table.columns), what="relief column")


def responder_rates(table, thresholds: Sequence[float] = (0.3, 0.5), relief: str = "relief",
                    level: float = 0.95):
    """Share of responders (relief >= threshold) with Wilson confidence intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        With a ``relief`` column (fraction, 0.3 = 30 %) or ``responder_<pct>`` columns.
    thresholds : sequence of float
        Relief thresholds.
    level : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Index ``threshold``; columns ``n``, ``responders``, ``rate``, ``ci_low``, ``ci_high``.
    """
    import pandas as pd
    rows = []
    for t in thresholds:
        r = _responders(table, t, relief)
        k, n = int(r.sum()), int(r.size)
        lo, hi = wilson_interval(k, n, level)
        rows.append({"threshold": t, "n": n, "responders": k, "rate": k / n if n else float("nan"),
                     "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows).set_index("threshold")


def relief_summary(table, relief: str = "relief", by: str | None = None):
    """Distribution of relief: mean, SD, quartiles, and the share with worse pain.

    Returns
    -------
    pandas.DataFrame
        One row (``all``) or one per level of ``by``.
    """
    import pandas as pd

    def summary(x):
        x = np.asarray(x, float)
        x = x[~np.isnan(x)]
        q = np.quantile(x, [0.1, 0.25, 0.5, 0.75, 0.9]) if x.size else [np.nan] * 5
        return {"n": x.size, "mean": x.mean() if x.size else np.nan,
                "sd": x.std(ddof=1) if x.size > 1 else np.nan, "p10": q[0], "q1": q[1], "median": q[2],
                "q3": q[3], "p90": q[4], "worse": float((x < 0).mean()) if x.size else np.nan}

    if by is None:
        return pd.DataFrame([summary(table[relief])], index=pd.Index(["all"], name="group"))
    rows = {g: summary(sub[relief]) for g, sub in table.groupby(by)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(by)


def logistic_regression(y: np.ndarray, X: np.ndarray, names: Sequence[str] | None = None,
                        level: float = 0.95, max_iter: int = 100, tol: float = 1e-10):
    """Maximum-likelihood logistic regression (IRLS / Newton) with Wald intervals.

    Parameters
    ----------
    y : array of 0/1, shape (n,)
    X : array, shape (n, p)
        Design matrix; include a column of ones for the intercept.
    names : sequence of str, optional
        Column names.

    Returns
    -------
    pandas.DataFrame
        Per coefficient: ``coef`` (log odds), ``se``, ``z``, ``p``,
        ``odds_ratio``, ``ci_low``, ``ci_high`` (of the odds ratio);
        ``attrs["converged"]``, ``attrs["separated"]``.

    Notes
    -----
    With complete or quasi-complete separation the maximum likelihood
    estimate does not exist; the fit stops when the coefficients diverge and
    reports ``separated = True`` with infinite odds ratios.
    """
    import pandas as pd
    from scipy.stats import norm
    y = np.asarray(y, float)
    X = np.asarray(X, float)
    if X.ndim != 2 or X.shape[0] != y.size:
        raise ParameterError("X", X.shape, f"a matrix with {y.size} rows")
    names = list(names) if names is not None else [f"x{j}" for j in range(X.shape[1])]
    beta = np.zeros(X.shape[1])
    converged, separated = False, False
    ll_old = -np.inf
    for _ in range(max_iter):
        eta = X @ beta
        p = 1 / (1 + np.exp(-eta))
        w = np.clip(p * (1 - p), 1e-12, None)
        H = X.T @ (X * w[:, None])
        g = X.T @ (y - p)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, g, rcond=None)[0]
        beta = beta + step
        eta = X @ beta
        ll = float(np.sum(y * eta - np.logaddexp(0, eta)))
        if np.max(np.abs(beta)) > 30:
            separated = True
            break
        if abs(ll - ll_old) < tol and np.max(np.abs(step)) < 1e-8:
            converged = True
            break
        ll_old = ll
    p = 1 / (1 + np.exp(-(X @ beta)))
    H = X.T @ (X * np.clip(p * (1 - p), 1e-300, None)[:, None])
    try:
        cov = np.linalg.inv(H)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
    except np.linalg.LinAlgError:
        se = np.full(beta.size, np.inf)
    z = norm.ppf(0.5 + level / 2)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        zstat = beta / se
        out = pd.DataFrame({"coef": beta, "se": se, "z": zstat, "p": 2 * norm.sf(np.abs(zstat)),
                            "odds_ratio": np.exp(beta), "ci_low": np.exp(beta - z * se),
                            "ci_high": np.exp(beta + z * se)}, index=pd.Index(names, name="term"))
    if separated:
        big = np.abs(beta) > 30
        out.loc[big, "odds_ratio"] = np.where(beta[big] > 0, np.inf, 0.0)
        out.loc[big, ["ci_low", "ci_high", "p"]] = np.nan
    out.attrs.update(converged=converged, separated=separated, n=int(y.size))
    return out


def odds_ratio_2x2(a: int, b: int, c: int, d: int, level: float = 0.95) -> dict:
    """Odds ratio of a 2x2 table with Woolf's (log) interval.

    ``a``/``b``: responders / non-responders in the exposed group, ``c``/``d``
    in the reference group.  A zero cell adds 0.5 to every cell (Haldane).
    """
    from scipy.stats import norm
    cells = np.array([a, b, c, d], float)
    if (cells == 0).any():
        cells = cells + 0.5
    a, b, c, d = cells
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    z = norm.ppf(0.5 + level / 2)
    return {"odds_ratio": math.exp(log_or), "log_or": log_or, "se": se,
            "ci_low": math.exp(log_or - z * se), "ci_high": math.exp(log_or + z * se)}


def odds_ratio(table, by: str, level: str, reference: str, outcome: str = "responder_30",
               adjust: Sequence[str] = (), threshold: float | None = None, ci: float = 0.95) -> dict:
    """Odds ratio of response for ``by == level`` versus ``by == reference``.

    Parameters
    ----------
    table : pandas.DataFrame
    by : str
        A categorical column (``"etiology"``, ``"stroke_type"``).
    level, reference : str
        The compared group and the reference group; other rows are left out.
    outcome : str
        A boolean column, or ``"responder_<pct>"`` computed from ``relief``.
    adjust : sequence of str
        Numeric columns to adjust for (added to the logistic model).
    ci : float
        Confidence level.

    Returns
    -------
    dict
        ``odds_ratio``, ``ci_low``, ``ci_high``, ``p``, ``n`` (rows used),
        ``n_level``, ``n_reference``, ``separated`` (a zero cell or a
        diverging fit: the estimate is 0 or infinite and the interval NaN;
        :func:`odds_ratio_2x2` gives the Haldane-corrected estimate) and
        ``table_2x2`` = (responders, non-responders in ``level``,
        responders, non-responders in ``reference``).
    """
    for col in [by, *adjust]:
        if col not in table:
            raise UnknownKeyError(col, list(table.columns), what="column")
    levels = set(table[by].unique())
    for lv in (level, reference):
        if lv not in levels:
            raise UnknownKeyError(str(lv), sorted(map(str, levels)), what=f"level of {by!r}")
    sub = table[table[by].isin([level, reference])]
    if outcome in sub:
        y = np.asarray(sub[outcome], float)
    elif outcome.startswith("responder_") and "relief" in sub:
        t = threshold if threshold is not None else int(outcome.split("_")[1]) / 100
        y = (np.asarray(sub["relief"], float) >= t - 1e-12).astype(float)
    else:
        raise UnknownKeyError(outcome, list(table.columns), what="outcome column")
    x = (sub[by] == level).to_numpy(float)
    cols = [np.ones_like(x), x] + [np.asarray(sub[c], float) for c in adjust]
    fit = logistic_regression(y, np.column_stack(cols), ["intercept", f"{by}={level}", *adjust], level=ci)
    row = fit.iloc[1]
    # the 2x2 table: responders / non-responders in the level (a, b) and the reference group (c, d)
    a, b = int(((x == 1) & (y == 1)).sum()), int(((x == 1) & (y == 0)).sum())
    c, d = int(((x == 0) & (y == 1)).sum()), int(((x == 0) & (y == 0)).sum())
    out = {"odds_ratio": float(row.odds_ratio), "ci_low": float(row.ci_low), "ci_high": float(row.ci_high),
           "p": float(row.p), "n": int(y.size), "n_level": int(x.sum()), "n_reference": int((1 - x).sum()),
           "separated": bool(fit.attrs["separated"]), "table_2x2": (a, b, c, d)}
    if not adjust and min(a, b, c, d) == 0:
        # a zero cell: the maximum-likelihood odds ratio is 0 or infinite (IRLS only drifts towards it)
        num, den = a * d, b * c
        est = math.nan if num == den == 0 else (math.inf if den == 0 else 0.0)
        out.update(odds_ratio=est, ci_low=math.nan, ci_high=math.nan, p=math.nan, separated=True)
    return out


def statistics(table, outcome: str = "responder_30") -> dict:
    """Trial statistics of a cohort, beside the published numbers.

    Returns
    -------
    dict
        ``responder_rates`` (DataFrame), ``relief`` (summary DataFrame, all
        and by etiology), ``or_central_vs_peripheral`` and
        ``or_ischemic_vs_hemorrhagic`` (dicts, or None if a group is
        missing), and ``comparison``: a DataFrame of simulated vs published.
    """
    import pandas as pd
    out: dict[str, Any] = {"responder_rates": responder_rates(table), "relief": relief_summary(table)}
    if "etiology" in table:
        out["relief_by_etiology"] = relief_summary(table, by="etiology")
    for key, by, lv, ref in (("or_central_vs_peripheral", "etiology", "central", "peripheral"),
                             ("or_ischemic_vs_hemorrhagic", "stroke_type", "ischemic", "hemorrhagic")):
        try:
            out[key] = odds_ratio(table, by, lv, ref, outcome=outcome)
        except UnknownKeyError:
            out[key] = None
    rr = out["responder_rates"].loc[0.3]
    rows = [{"statistic": "responder_rate_30", "simulated": rr.rate, "sim_ci_low": rr.ci_low,
             "sim_ci_high": rr.ci_high, "published": PUBLISHED["responder_rate_30"]["value"],
             "pub_ci_low": np.nan, "pub_ci_high": np.nan}]
    for key in ("or_central_vs_peripheral", "or_ischemic_vs_hemorrhagic"):
        r = out[key] or {"odds_ratio": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        pub = PUBLISHED[key]
        rows.append({"statistic": key, "simulated": r["odds_ratio"], "sim_ci_low": r["ci_low"],
                     "sim_ci_high": r["ci_high"], "published": pub["value"],
                     "pub_ci_low": pub["ci"][0], "pub_ci_high": pub["ci"][1]})
    out["comparison"] = pd.DataFrame(rows).set_index("statistic")
    return out


# ====================================================================== calibration
@dataclass
class CalibrationResult:
    """What :func:`calibrate` found.

    Attributes
    ----------
    fitted : dict
        Distribution parameter -> fitted value.
    start : dict
        The starting values.
    targets, achieved : dict
        Target statistics and the values at the fitted parameters.
    mismatch : dict
        ``achieved - target`` per statistic (odds ratios on the log scale).
    loss : float
        The objective at the optimum.
    distributions : dict
        The fitted distributions (pass to :func:`sample` via ``distributions``).
    success : bool
    nfev : int
    """

    fitted: dict
    start: dict
    targets: dict
    achieved: dict
    mismatch: dict
    loss: float
    distributions: dict = field(repr=False)
    success: bool = True
    nfev: int = 0
    message: str = ""


_TARGET_STATS = ("responder_rate_30", "responder_rate_50", "or_central_vs_peripheral",
                 "or_ischemic_vs_hemorrhagic", "mean_relief")


def _stat(table, name: str) -> float:
    if name == "responder_rate_30":
        return float(_responders(table, 0.3).mean())
    if name == "responder_rate_50":
        return float(_responders(table, 0.5).mean())
    if name == "mean_relief":
        return float(np.nanmean(table["relief"]))
    by, lv, ref = {"or_central_vs_peripheral": ("etiology", "central", "peripheral"),
                   "or_ischemic_vs_hemorrhagic": ("stroke_type", "ischemic", "hemorrhagic")}[name]
    r = odds_ratio(table, by, lv, ref)
    return r["odds_ratio"]


def _discrepancy(name: str, achieved: float, target: float) -> float:
    if name.startswith("or_"):
        if not (achieved > 0 and math.isfinite(achieved)):
            return 10.0
        return math.log(achieved) - math.log(target)
    return achieved - target


def calibrate(simulate: Callable, targets: Mapping[str, float] | None = None,
              parameters: Mapping[str, tuple[float, float]] | None = None, n: int = 400, seed: int = 0,
              preset: str | None = "default", distributions: Mapping | None = None,
              weights: Mapping[str, float] | None = None, method: str = "Nelder-Mead",
              maxiter: int = 200) -> CalibrationResult:
    """Fit cohort distribution parameters so that simulated statistics match targets.

    Parameters
    ----------
    simulate : callable
        ``simulate(table) -> table`` with a ``relief`` column (and
        ``responder_*``), e.g. ``lambda t: cohort.run(t, protocol)``, or a
        cheap surrogate.
    targets : dict, optional
        Statistic -> target value; statistics: ``responder_rate_30``,
        ``responder_rate_50``, ``mean_relief``, ``or_central_vs_peripheral``,
        ``or_ischemic_vs_hemorrhagic``.  Default: the published targets
        (:data:`PUBLISHED`).
    parameters : dict, optional
        Distribution parameter -> (low, high) bounds, named
        ``"<attribute>[.<group>].<parameter>"`` (e.g.
        ``"descending_integrity.hemorrhagic.mean"``).  Default: the means of
        descending integrity in peripheral, ischemic and hemorrhagic patients.
    n : int
        Patients per evaluation.  The same uniform numbers are used at every
        evaluation (common random numbers), so the objective is a
        deterministic, nearly smooth function of the parameters.
    seed : int
        Seed of the cohort draw.
    weights : dict, optional
        Weight of each statistic in the squared-error loss (default 1;
        odds ratios are compared on the log scale).
    method : str
        A bounded method of :func:`scipy.optimize.minimize`.
    maxiter : int
        Maximum iterations.

    Returns
    -------
    CalibrationResult
    """
    from scipy.optimize import minimize
    targets = dict(targets) if targets is not None else {k: v["value"] for k, v in PUBLISHED.items()}
    for k in targets:
        if k not in _TARGET_STATS:
            raise UnknownKeyError(k, _TARGET_STATS, what="calibration target")
    if parameters is None:
        parameters = {"descending_integrity.peripheral.mean": (0.05, 0.98),
                      "descending_integrity.ischemic.mean": (0.05, 0.98),
                      "descending_integrity.hemorrhagic.mean": (0.05, 0.98)}
    if not parameters:
        raise SpecError("parameters", parameters, "at least one distribution parameter to fit")
    weights = dict(weights or {})
    dists, _ = _distributions(preset, distributions)
    names = list(parameters)
    start = {k: float(_get_param(dists, k)) if _safe_get(dists, k) else None for k in names}
    for k in names:
        _set_param(dists, k, start[k] if start[k] is not None else np.mean(parameters[k]))  # validates names
    x0 = np.array([start[k] if start[k] is not None else np.mean(parameters[k]) for k in names])
    lo = np.array([parameters[k][0] for k in names], float)
    hi = np.array([parameters[k][1] for k in names], float)
    if np.any(hi <= lo):
        raise SpecError("parameters", dict(parameters), "bounds (low, high) with low < high")
    x0 = np.clip(x0, lo, hi)
    # optimize in the unit box: Nelder-Mead's initial simplex then spans a sensible 5 % of each range
    cache: dict = {}

    def dists_at(x):
        d = dict(dists)
        for k, v in zip(names, x):
            d = _set_param(d, k, float(v))
        return d

    def evaluate(z):
        z = np.clip(z, 0, 1)
        key = tuple(np.round(z, 12))
        if key not in cache:
            x = lo + z * (hi - lo)
            try:
                table = simulate(sample(n, seed=seed, _dists=dists_at(x)))
                achieved = {t: _stat(table, t) for t in targets}
                loss = sum(weights.get(t, 1.0) * _discrepancy(t, achieved[t], targets[t]) ** 2 for t in targets)
            except ParameterError:
                achieved, loss = {}, 1e6
            cache[key] = (loss, achieved)
        return cache[key]

    z0 = (x0 - lo) / (hi - lo)
    res = minimize(lambda z: evaluate(z)[0], z0, method=method, bounds=[(0, 1)] * len(names),
                   options={"maxiter": maxiter, "xatol": 1e-4, "fatol": 1e-10} if method == "Nelder-Mead"
                   else {"maxiter": maxiter})
    z = np.clip(res.x, 0, 1)
    loss, achieved = evaluate(z)
    x = lo + z * (hi - lo)
    fitted = dict(zip(names, map(float, x)))
    return CalibrationResult(
        fitted=fitted, start=dict(zip(names, map(float, x0))), targets=dict(targets), achieved=achieved,
        mismatch={t: _discrepancy(t, achieved.get(t, np.nan), targets[t]) for t in targets},
        loss=float(loss), distributions=dists_at(x), success=bool(res.success), nfev=int(res.nfev),
        message=str(res.message))


def _safe_get(dists, name) -> bool:
    try:
        _get_param(dists, name)
        return True
    except (KeyError, AttributeError, IndexError):
        return False


# ====================================================================== sensitivity
def sensitivity(table, outcome: str = "relief", attributes: Sequence[str] | None = None,
                method: str = "rbd_fast", seed: int = 0):
    """Which patient attributes drive an outcome (SALib, given-data methods).

    Parameters
    ----------
    table : pandas.DataFrame
        A cohort result (:func:`run`).
    outcome : str
        A numeric column (``"relief"``).
    attributes : sequence of str, optional
        Numeric columns to rank (default: the attributes of
        :data:`PATIENT_TO_MODEL` that vary in the table, and ``central``).
    method : {"rbd_fast", "delta"}
        RBD-FAST first-order indices, or Borgonovo's delta (with first-order
        Sobol estimates; slower); both work on a random sample such as a cohort.

    Returns
    -------
    pandas.DataFrame
        One row per attribute.
    """
    from .sweep import salib_indices
    if method not in ("delta", "rbd_fast"):
        raise UnknownKeyError(method, ("delta", "rbd_fast"), what="sensitivity method for a cohort")
    if outcome not in table:
        raise UnknownKeyError(outcome, list(table.columns), what="outcome column")
    data = table.copy()
    if "etiology" in data:
        data["central"] = (data["etiology"] == "central").astype(float)
    if attributes is None:
        attributes = [a for a in list(PATIENT_TO_MODEL) + ["central"]
                      if a in data and np.nanstd(np.asarray(data[a], float)) > 0]
    for a in attributes:
        if a not in data:
            raise UnknownKeyError(a, list(data.columns), what="attribute column")
    X = np.column_stack([np.asarray(data[a], float) for a in attributes])
    Y = np.asarray(data[outcome], float)
    keep = ~np.isnan(Y) & ~np.isnan(X).any(axis=1)
    X, Y = X[keep], Y[keep]
    problem = {"num_vars": len(attributes), "names": list(attributes),
               "bounds": [[float(X[:, j].min()), float(X[:, j].max()) + 1e-12] for j in range(X.shape[1])]}
    table = salib_indices("delta" if method == "delta" else "rbd_fast", problem, X, Y, seed, index_name="attribute")
    return table.sort_values(table.columns[0], ascending=False)


# ====================================================================== cohort files
#: Keys of ``[experiment]`` in a ``kind = "cohort"`` file.
COHORT_KEYS = ("name", "description", "kind", "model", "preset", "n_patients", "seed", "batch_size", "workers",
               "relief_day", "protocol", "figure")
#: Tables of a cohort file.
COHORT_TABLES = ("experiment", "protocol", "distributions", "params")
_DIST_TYPES = {"beta": Beta, "lognormal": LogNormal, "bernoulli": Bernoulli, "fixed": Fixed}


def _whole(value, name: str, lo: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < lo:
        raise ParameterError(name, value, f"a whole number >= {lo}")
    return int(value)


def _dist_from_spec(spec, where: str):
    """A distribution from a TOML value: a number or ``{type = "beta", mean = .., concentration = ..}``."""
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        return spec
    if not isinstance(spec, Mapping) or "type" not in spec:
        raise ParameterError(where, spec, 'a number or a table {type = "beta" | "lognormal" | "bernoulli" | "fixed", '
                                          '<its parameters>}, or a table of those by group')
    kind = spec["type"]
    if kind not in _DIST_TYPES:
        raise UnknownKeyError(str(kind), _DIST_TYPES, what=f"distribution type of {where}")
    cls = _DIST_TYPES[kind]
    for k in spec:
        if k != "type" and k not in cls.params:
            raise UnknownKeyError(k, cls.params, what=f"parameter of {kind} ({where})")
    try:
        return cls(**{k: v for k, v in spec.items() if k != "type"})
    except TypeError as e:
        raise ParameterError(where, dict(spec), f"the parameters {list(cls.params)} of {kind}") from e


def _distributions_from_spec(table: Mapping, preset) -> dict:
    dists, _ = _distributions(preset, None)
    out = {}
    for attr, v in table.items():
        where = f"distributions.{attr}"
        if attr not in dists:
            raise UnknownKeyError(attr, dists, what="patient attribute of [distributions]")
        if isinstance(v, Mapping) and "type" not in v:
            for g in v:
                if g not in GROUPS:
                    raise UnknownKeyError(g, GROUPS, what=f"group of {where}")
            out[attr] = {g: (_as_dist(_dist_from_spec(d, f"{where}.{g}"), attr)) for g, d in v.items()}
        else:
            out[attr] = _dist_from_spec(v, where)
    return out


def _as_dist(v, attr):
    if isinstance(v, _Dist):
        return v
    return Bernoulli(v) if attr in _CATEGORICAL else Fixed(v)


def load_cohort_spec(path_or_spec) -> dict:
    """Read and check a cohort experiment file (``kind = "cohort"``) before any work.

    File layout (see ``experiments/rtms_cohort.toml``)::

        [experiment]
        name = "rtms_cohort"
        kind = "cohort"
        model = "pain_pathway"          # the base model every patient modifies
        preset = "rtms_real_world"      # cohort.PRESETS
        n_patients = 24
        seed = 1
        batch_size = 32                 # patients whose courses run together
        workers = 1                     # processes
        relief_day = 4                  # optional; default the protocol's end_day
        protocol = "rtms_m1_20hz"       # or a [protocol] table (painsim.protocols.from_spec)

        [distributions]                 # optional replacements of cohort.default_distributions()
        descending_integrity = {hemorrhagic = {type = "beta", mean = 0.5, concentration = 12}}

        [params]                        # optional dotted overrides of the base model

    Returns
    -------
    dict
        ``experiment`` (the table), ``protocol`` (a Protocol), ``model``
        (the base Model), ``distributions`` (parsed), ``_path``.

    Raises
    ------
    painsim.errors.UnknownKeyError
        A misspelt key, table, preset, attribute, group or distribution
        type (the nearest valid one is named).
    painsim.errors.ParameterError
        A bad value (n_patients, batch_size, workers, relief_day ...).
    painsim.errors.ModelFileError
        No protocol.
    """
    from .errors import ModelFileError
    from .params import find_builtin, load_model, read_toml
    from .protocols import from_spec, get as get_protocol
    if isinstance(path_or_spec, Mapping):
        spec, path = dict(path_or_spec), path_or_spec.get("_path", "<dict>")
    else:
        path = find_builtin(path_or_spec, "experiments")
        spec = read_toml(path)
    for k in spec:
        if k not in COHORT_TABLES and k != "_path":
            raise UnknownKeyError(k, COHORT_TABLES, what="table of a cohort experiment")
    exp = spec.get("experiment")
    if not isinstance(exp, Mapping):
        raise ModelFileError(f"{path}: missing [experiment] table")
    if exp.get("kind") != "cohort":
        raise ParameterError("experiment.kind", exp.get("kind"), '"cohort" for a cohort file')
    for k in exp:
        if k not in COHORT_KEYS:
            raise UnknownKeyError(k, COHORT_KEYS, what="key of [experiment] in a cohort file")
    _whole(exp.get("n_patients", 1), "experiment.n_patients")
    _whole(exp.get("batch_size", 32), "experiment.batch_size")
    _whole(exp.get("workers", 1), "experiment.workers")
    if isinstance(exp.get("seed", 0), bool) or not isinstance(exp.get("seed", 0), int):
        raise ParameterError("experiment.seed", exp.get("seed"), "a whole number")
    preset = exp.get("preset", "default")
    if preset not in PRESETS:
        raise UnknownKeyError(str(preset), PRESETS, what="cohort preset (experiment.preset)")
    if "relief_day" in exp:
        d = exp["relief_day"]
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not d >= 0:
            raise ParameterError("experiment.relief_day", d, "a day >= 0 from the first session")
    if "protocol" in spec:
        if not isinstance(spec["protocol"], Mapping):
            raise ParameterError("protocol", spec["protocol"], "a [protocol] table (painsim.protocols.from_spec)")
        protocol = from_spec(spec["protocol"])
    elif "protocol" in exp:
        protocol = get_protocol(exp["protocol"])
    else:
        raise ModelFileError(f"{path}: no protocol (protocol = \"name\" under [experiment], or a [protocol] table)")
    params = spec.get("params", {})
    if not isinstance(params, Mapping):
        raise ParameterError("params", params, "a table of dotted model paths, e.g. [params]")
    model = load_model(exp.get("model", "pain_pathway"), params or None)
    dists = spec.get("distributions", {})
    if not isinstance(dists, Mapping):
        raise ParameterError("distributions", dists, "a table of patient attributes, e.g. [distributions]")
    parsed = _distributions_from_spec(dists, preset)
    for attr, path_ in PATIENT_TO_MODEL.items():  # every sampled patient must be a valid model
        if path_ not in model.leaves:
            raise UnknownKeyError(path_, [k for k in model.leaves if not k.startswith("model.")],
                                  what=f"model parameter for patient attribute {attr!r} "
                                       f"(model {model.name!r})")
    return {"experiment": dict(exp), "protocol": protocol, "model": model, "distributions": parsed,
            "_path": str(path)}


def to_dataset(table, stats: Mapping | None = None, attrs: Mapping | None = None):
    """A cohort result table (and its :func:`statistics`) as a labelled Dataset.

    Dimensions: ``patient`` (every column of the table), ``statistic``
    (simulated vs published: ``simulated``, ``sim_ci_low``, ``sim_ci_high``,
    ``published``, ``pub_ci_low``, ``pub_ci_high``), and ``group`` x
    ``threshold`` (responder rates with Wilson intervals, overall and by
    etiology / stroke type).  Attrs: the comparison as JSON, the patient
    attributes, painsim version, and ``attrs``.
    """
    import json
    import xarray as xr
    from . import __version__
    stats = dict(stats) if stats is not None else statistics(table)
    data = {}
    for c in table.columns:
        v = table[c].to_numpy()
        data[c] = (("patient",), v.astype(str) if v.dtype == object else v)
    data["relief"] = (("patient",), table["relief"].to_numpy(float),
                      {"units": "1", "long_name": "relief from baseline at the response day (fraction)"})
    if "baseline_pain" in table:
        data["baseline_pain"] = (("patient",), table["baseline_pain"].to_numpy(float), {"units": "NRS 0-10"})
    comp = stats["comparison"]
    for col in comp.columns:
        data[col] = (("statistic",), comp[col].to_numpy(float))
    groups = {"all": table}
    if "etiology" in table:
        for g in ("peripheral", "central"):
            groups[g] = table[table["etiology"] == g]
    if "stroke_type" in table:
        for g in ("ischemic", "hemorrhagic"):
            groups[g] = table[table["stroke_type"] == g]
    thresholds = (0.3, 0.5)
    rr = {k: np.full((len(groups), len(thresholds)), np.nan) for k in ("rate", "ci_low", "ci_high", "n")}
    for i, sub in enumerate(groups.values()):
        if len(sub):
            r = responder_rates(sub, thresholds)
            for j, t in enumerate(thresholds):
                for k in rr:
                    rr[k][i, j] = r.loc[t, k]
    for k, v in rr.items():
        data[f"responder_{k}"] = (("group", "threshold"), v)
    ds = xr.Dataset(data, coords={"patient": np.arange(len(table)), "statistic": list(comp.index),
                                  "group": list(groups), "threshold": list(thresholds)})
    ds["threshold"].attrs["long_name"] = "relief threshold of a responder (fraction)"
    ors = {k: stats.get(k) for k in ("or_central_vs_peripheral", "or_ischemic_vs_hemorrhagic")}
    ds.attrs.update({"painsim_version": __version__,
                     "comparison": comp.reset_index().to_json(orient="records"),
                     "odds_ratios": json.dumps(ors, default=float),
                     "published": json.dumps(PUBLISHED, default=list),
                     "attributes": " ".join(a for a in PATIENT_TO_MODEL if a in table),
                     **{k: v for k, v in table.attrs.items() if isinstance(v, (str, int, float))},
                     **dict(attrs or {})})
    return ds


def from_dataset(ds):
    """The patient table of a Dataset written by :func:`to_dataset` (pandas)."""
    import pandas as pd
    cols = {k: ds[k].values for k in ds.data_vars if ds[k].dims == ("patient",)}
    return pd.DataFrame(cols, index=pd.RangeIndex(ds.sizes["patient"], name="patient"))


def run_cohort_file(path_or_spec, seed: int | None = None, n_patients: int | None = None,
                    workers: int | None = None, progress: bool = False, store=None, resume: bool = False):
    """Run a cohort experiment file (``kind = "cohort"``): sample, run the course, statistics.

    Parameters
    ----------
    path_or_spec : path, built-in name or dict
        The file (:func:`load_cohort_spec`).
    seed, n_patients, workers : int, optional
        Override the file's values.
    progress : bool
        Print progress.
    store, resume
        Per-patient results on disk and continuing an interrupted cohort
        (:func:`run`).

    Returns
    -------
    xarray.Dataset
        :func:`to_dataset` of the result table, with ``attrs`` recording
        the file, the protocol, the base model and the wall time.
    """
    import json
    spec = load_cohort_spec(path_or_spec)
    exp = spec["experiment"]
    n = _whole(n_patients if n_patients is not None else exp.get("n_patients", 1), "n_patients")
    w = _whole(workers if workers is not None else exp.get("workers", 1), "workers")
    s = int(exp.get("seed", 0) if seed is None else seed)
    table = sample(n, preset=exp.get("preset", "default"), seed=s, distributions=spec["distributions"])
    prot = spec["protocol"]
    if progress:
        print(f"painsim: cohort of {n} patients on {spec['model'].name!r}, protocol {prot.name!r} "
              f"({prot.calendar.n_sessions} sessions), {w} worker(s)", flush=True)
    t0 = time.time()
    res = run(table, prot, model=spec["model"], batch_size=_whole(exp.get("batch_size", 32), "batch_size"),
              day=exp.get("relief_day"), workers=w, progress=progress, store=store, resume=resume)
    wall = time.time() - t0
    from .circuits.network import codegen_target
    return to_dataset(res, attrs={"name": exp.get("name", ""), "description": exp.get("description", ""),
                                  "source": spec["_path"], "protocol_spec": json.dumps(prot.describe(), default=str),
                                  "n_patients": n, "seed": s, "workers": w, "wall_time_s": wall,
                                  "codegen_target": codegen_target()})
