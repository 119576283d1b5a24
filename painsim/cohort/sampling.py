"""Virtual patients: drawing them from the distributions (:func:`sample`) and
turning each into model overrides (:func:`patient_overrides`) through ONE map
of attributes to model paths (:data:`PATIENT_TO_MODEL`)."""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ParameterError, SpecError, UnknownKeyError
from ..params import model_overrides
from ..rng import checked_seed, rng_for, seed_state
from .distributions import CATEGORICAL, resolve_distributions, yes_no

__all__ = ["PATIENT_TO_MODEL", "PATIENT_LABELS", "ATTRIBUTE_UNITS", "sample", "patient_overrides", "patient_models",
           "pinned_attributes",
           "checked_table", "patient_seeds", "U_CLIP", "draw_range"]

#: The uniform numbers of a draw are clipped to ``[U_CLIP, 1 - U_CLIP]`` before the inverse CDFs
#: (chosen: keeps a quantile finite, e.g. a log-normal's of 1 - 2**-53; no draw of a cohort of any
#: practical size lies beyond it).  A drawn value thus lies within :func:`draw_range`.
U_CLIP = 1e-12


def draw_range(distribution) -> tuple[float, float]:
    """The lowest and highest value :func:`sample` can draw from ``distribution``: its quantiles at
    ``U_CLIP`` and ``1 - U_CLIP`` (a log-normal's median times exp(+-7.03 sigma), a Beta's nearly 0
    and 1, a Fixed value's itself), the support of its draws.

    Parameters
    ----------
    distribution : painsim.cohort.Distribution

    Returns
    -------
    tuple of float
        ``(low, high)``.
    """
    low, high = np.asarray(distribution.ppf(np.array([U_CLIP, 1 - U_CLIP])), float)
    return float(low), float(high)

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
        (the patient's simulation seed; no two alike, :func:`patient_seeds`).
        ``attrs`` records the preset, seed and the attributes whose
        distribution was given explicitly.

    Raises
    ------
    painsim.errors.ParameterError
        ``n`` not a whole number >= 1, ``seed`` not a whole number >= 0, or a replacement
        that is not allowed (:func:`painsim.cohort.distributions.replacement`).
    painsim.errors.UnknownKeyError
        An unknown preset, patient attribute or group.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError("n", n, "a number of patients >= 1")
    seed = checked_seed(seed)  # numpy seeds are whole numbers >= 0 (1.5 is not 1)
    dists, explicit = (dict(_dists), set()) if _dists is not None else resolve_distributions(preset, distributions)
    for attr in CATEGORICAL:  # a yes/no draw: a Beta's or a Fixed share's values would make everyone "yes"
        dists[attr] = yes_no(attr, dists[attr], f"distributions.{attr}")
    names = ["central", "stroke", "ischemic"] + list(PATIENT_TO_MODEL)
    u = rng_for(seed, "patients").random((n, len(names)))
    u = np.clip(u, U_CLIP, 1 - U_CLIP)
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
    table["seed"] = patient_seeds(seed, n)
    df = pd.DataFrame(table, index=pd.RangeIndex(n, name="patient"))
    df.attrs.update({"preset": preset, "seed": int(seed), "explicit": sorted(explicit)})
    return df


def patient_seeds(seed: int, n: int) -> np.ndarray:
    """The simulation seeds of a cohort's first ``n`` patients: distinct, and patient ``k``'s
    independent of ``n`` (a cohort resumed with more patients keeps its first patients' seeds).

    The seeds are :func:`painsim.rng.seed_state`'s (stream ``patient_seeds``), whose 31-bit
    words repeat far more often than chance (in ``sample(2000, seed=0)`` patients 91 and 1739
    shared one: two identical patients are one patient counted twice).  A seed that repeats an
    earlier patient's is drawn again from the stream ``patient_seed_redraw`` of that patient,
    until it is new: the earlier patient keeps its seed, and a cohort without a repeat keeps
    every seed it always had.  Patient ``k``'s seed depends only on the first ``k + 1`` words of
    the stream (a prefix of any longer draw), so it does not depend on ``n``.

    Parameters
    ----------
    seed : int
        The cohort's seed.
    n : int
        Patients.

    Returns
    -------
    numpy.ndarray
        ``n`` distinct seeds (int64, 0 to 2**31 - 1).
    """
    seeds = seed_state(seed, "patient_seeds", n)
    if np.unique(seeds).size == n:  # the usual case: every seed as it always was
        return seeds
    seen: set[int] = set()
    for k, s in enumerate(seeds.tolist()):
        if s in seen:  # a later patient repeating an earlier one's seed: it, never the earlier, draws again
            redraw = rng_for(seed, "patient_seed_redraw", k)
            while s in seen:
                s = int(redraw.integers(0, 2 ** 31))
            seeds[k] = s
        seen.add(s)
    return seeds


def checked_table(table, name: str = "table", empty: bool = False):
    """``table`` if it is a pandas DataFrame with at least one patient (row; none too with ``empty``).

    Parameters
    ----------
    table : pandas.DataFrame
        Patients, one per row (:func:`sample`, :func:`painsim.cohort.run`).
    name : str
        The parameter, named in the error.
    empty : bool
        Accept a table without rows (statistics of an empty group are NaN).

    Returns
    -------
    pandas.DataFrame
        ``table``.

    Raises
    ------
    painsim.errors.ParameterError
        ``table`` is not a DataFrame, or has no rows (without ``empty``).
    """
    if not isinstance(table, pd.DataFrame):
        raise ParameterError(name, type(table).__name__, "a pandas DataFrame of patients (cohort.sample, cohort.run)")
    if len(table) == 0 and not empty:
        raise ParameterError(name, "0 patients", "a table of at least one patient")
    return table


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
    painsim.errors.ParameterError
        ``row`` or ``mapping`` not a mapping, or an attribute that is not a finite number
        (a text, a boolean, an infinity), named by the attribute.
    """
    mapping = PATIENT_TO_MODEL if mapping is None else mapping
    for name, value in (("row", row), ("mapping", mapping)):
        if not isinstance(value, (Mapping, pd.Series)):
            raise ParameterError(name, value, "a mapping (a patient: a row of cohort.sample's table)"
                                 if name == "row" else "a mapping of patient attributes to model paths")
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
        v = row[attr]
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise ParameterError(attr, v, "a finite number (the patient's attribute; NaN or None: not set)")
        v = float(v)
        unit = ATTRIBUTE_UNITS.get(attr)
        out[path] = f"{v!r} {unit}" if unit else v
    if labels:
        for col, path in PATIENT_LABELS.items():
            if col in row and isinstance(row[col], str) and (model is None or path in model.leaves):
                out[path] = row[col]
    return out, skipped


def pinned_attributes() -> dict[str, str]:
    """The patient attributes whose model path the model variant in force sets
    (:func:`painsim.params.model_overrides`, ``--set``): attribute -> path.  The variant wins, as
    it wins over a preset's own value: every patient has its value (:func:`patient_models`), and
    :func:`painsim.cohort.run` writes that value into the attribute's column.

    Returns
    -------
    dict of str to str
        Attribute -> model path, for the attributes of :data:`PATIENT_TO_MODEL` the variant sets.

    Raises
    ------
    painsim.errors.ParameterError
        The variant in force is not a JSON object of dotted paths (:func:`painsim.params.model_overrides`).
    """
    overrides = model_overrides()
    return {attr: path for attr, path in PATIENT_TO_MODEL.items() if path in overrides}


def patient_models(table, base, strict: bool = False) -> tuple[list, set]:
    """Each patient's model (``base`` with the row's :func:`patient_overrides`), and the attributes
    ``base`` has no parameter for (ignored, with a warning; ``strict`` raises instead; attributes
    the table's draw was given explicitly always raise).  An attribute whose path the model
    variant in force sets (:func:`pinned_attributes`) is not applied: the variant's value stays,
    with a warning.

    Parameters
    ----------
    table : pandas.DataFrame
        Patients, one per row (:func:`sample`); ``table.attrs["explicit"]`` lists the
        attributes given explicitly.
    base : Model
        The model every patient modifies.
    strict : bool
        Raise for every attribute whose path ``base`` lacks.

    Returns
    -------
    (list, set)
        One Model per patient, and the attributes ignored.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An attribute that must be mapped but whose path ``base`` does not know.
    painsim.errors.ParameterError
        ``table`` not a DataFrame with at least one patient, ``base`` not a Model, or an
        attribute that is not a finite number (:func:`patient_overrides`).
    """
    checked_table(table)
    if not hasattr(base, "with_params") or not hasattr(base, "leaves"):
        raise ParameterError("base", base, "a painsim Model (painsim.load_model)")
    explicit = table.attrs.get("explicit", ())
    models, unmapped = [], set()
    pinned = pinned_attributes()
    if pinned:
        warnings.warn(f"cohort: the model variant (--set) sets {sorted(pinned.values())} for every patient; "
                      f"their attributes {sorted(pinned)} are not drawn per patient", stacklevel=3)
    for _, row in table.iterrows():
        ov, skipped = patient_overrides(row.drop(list(pinned), errors="ignore"), base, strict=strict,
                                        explicit=explicit)
        unmapped.update(skipped)
        models.append(base.with_params(ov))
    if unmapped:
        warnings.warn(f"cohort: model {base.name!r} has no parameter for {sorted(unmapped)} "
                      f"(PATIENT_TO_MODEL); these attributes were ignored", stacklevel=3)
    return models, unmapped
