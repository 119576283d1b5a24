"""Distributions of patient attributes, their defaults (each with the reason for
its numbers), the named presets, and distribution parameters by name
(``"<attribute>[.<group>].<parameter>"``, as :func:`painsim.cohort.calibrate` fits them)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping

import numpy as np
from scipy.stats import beta as beta_dist, norm

from ..checks import number
from ..errors import ParameterError, UnknownKeyError

__all__ = ["Distribution", "Beta", "LogNormal", "Normal", "Bernoulli", "Fixed", "GROUPS", "PRESETS", "CATEGORICAL", "default_distributions",
           "resolve_distributions", "built", "replacement", "yes_no", "get_parameter", "set_parameter", "has_parameter"]


class Distribution:
    """Base of the distributions: parameters by name, checked on creation and on change."""

    params: tuple[str, ...] = ()

    def __post_init__(self):
        for p in self.params:  # a string or a boolean is refused by name, not by float()'s bare error
            setattr(self, p, number(getattr(self, p), f"{type(self).__name__}.{p}"))
        self._check()

    def ppf(self, u: np.ndarray) -> np.ndarray:  # inverse CDF: smooth in the parameters
        """The inverse CDF at ``u`` (each distribution class implements it).

        Parameters
        ----------
        u : numpy.ndarray
            Probabilities in [0, 1].

        Returns
        -------
        numpy.ndarray
            The quantiles, one per entry of ``u``.
        """
        raise NotImplementedError

    def get(self, name):
        """The value of parameter ``name``.

        Parameters
        ----------
        name : str
            A parameter name (one of ``params``).

        Returns
        -------
        float

        Raises
        ------
        painsim.errors.UnknownKeyError
            ``name`` is not a parameter of this distribution (the nearest one is named).
        """
        if not isinstance(name, str) or name not in self.params:
            raise UnknownKeyError(str(name), self.params, what=f"parameter of {type(self).__name__}")
        return getattr(self, name)

    def set(self, name, value):
        """A copy with parameter ``name`` set to ``value`` (checked).

        Parameters
        ----------
        name : str
            A parameter name (one of ``params``).
        value : float
            Its new value, checked as on creation.

        Returns
        -------
        Distribution
            A new distribution of the same class; this one is unchanged.

        Raises
        ------
        painsim.errors.UnknownKeyError
            ``name`` is not a parameter of this distribution.
        painsim.errors.ParameterError
            ``value`` is not a finite number or out of the parameter's range.
        """
        if name not in self.params:
            raise UnknownKeyError(name, self.params, what=f"parameter of {type(self).__name__}")
        new = type(self)(**{p: getattr(self, p) for p in self.params})
        setattr(new, name, number(value, f"{type(self).__name__}.{name}"))
        new._check()
        return new

    def _check(self):
        pass

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{p}={getattr(self, p):.4g}' for p in self.params)})"


def _distribution(cls):
    """A distribution class: its fields are its parameters (floats)."""
    cls = dataclass(repr=False, eq=False)(cls)
    cls.params = tuple(f.name for f in fields(cls))
    return cls


@_distribution
class Beta(Distribution):
    """Beta distribution on [0, 1] by its mean and concentration (a + b).

    Parameters
    ----------
    mean : float
        The mean, a / (a + b); strictly between 0 and 1.
    concentration : float
        a + b, > 0 (default 10); the larger, the narrower the distribution.

    Raises
    ------
    painsim.errors.ParameterError
        A parameter that is not a finite number or is out of its range.
    """

    mean: float
    concentration: float = 10.0

    def _check(self):
        if not 0 < self.mean < 1:
            raise ParameterError("Beta.mean", self.mean, "a mean strictly between 0 and 1")
        if not self.concentration > 0:
            raise ParameterError("Beta.concentration", self.concentration, "a concentration > 0")

    def ppf(self, u):
        a = self.mean * self.concentration
        return beta_dist.ppf(u, a, self.concentration - a)


@_distribution
class LogNormal(Distribution):
    """Log-normal distribution by its median and the SD of its logarithm.

    Parameters
    ----------
    median : float
        The median, > 0 (the exponential of the mean of the logarithm).
    sigma : float
        SD of the natural logarithm, >= 0 (default 0.2); 0 gives every patient the median.

    Raises
    ------
    painsim.errors.ParameterError
        A parameter that is not a finite number or is out of its range.
    """

    median: float
    sigma: float = 0.2

    def _check(self):
        if not self.median > 0:
            raise ParameterError("LogNormal.median", self.median, "a median > 0")
        if not self.sigma >= 0:
            raise ParameterError("LogNormal.sigma", self.sigma, "an SD of the logarithm >= 0")

    def ppf(self, u):
        return self.median * np.exp(self.sigma * norm.ppf(u))


@_distribution
class Normal(Distribution):
    """Normal distribution by its mean and SD (for additive offsets, e.g. a threshold shift in °C;
    used by the virtual QST subjects, :mod:`painsim.files.qst`; no patient attribute uses it).

    Parameters
    ----------
    mean : float
        The mean (finite).
    sd : float
        The standard deviation, finite and >= 0 (default 1).

    Raises
    ------
    painsim.errors.ParameterError
        A parameter that is not a finite number or is out of its range.
    """

    mean: float
    sd: float = 1.0

    def _check(self):
        if not np.isfinite(self.mean):
            raise ParameterError("Normal.mean", self.mean, "a finite mean")
        if not (np.isfinite(self.sd) and self.sd >= 0):
            raise ParameterError("Normal.sd", self.sd, "a finite sd >= 0")

    def ppf(self, u):
        return self.mean + self.sd * norm.ppf(u)


@_distribution
class Bernoulli(Distribution):
    """A yes/no attribute with probability ``p`` of yes.

    Parameters
    ----------
    p : float
        The probability of yes (the share of patients), in [0, 1].

    Raises
    ------
    painsim.errors.ParameterError
        ``p`` is not a number in [0, 1].
    """

    p: float

    def _check(self):
        if not 0 <= self.p <= 1:
            raise ParameterError("Bernoulli.p", self.p, "a probability in [0, 1]")

    def ppf(self, u):
        return (np.asarray(u) < self.p)


@_distribution
class Fixed(Distribution):
    """Every patient has the same value.

    Parameters
    ----------
    value : float
        The value every patient has (a finite number).

    Raises
    ------
    painsim.errors.ParameterError
        ``value`` is not a finite number.
    """

    value: float

    def ppf(self, u):
        return np.full(np.shape(u), self.value)


#: Groups a continuous attribute's distribution may depend on: "central",
#: "peripheral" (etiology) or "ischemic", "hemorrhagic" (stroke type, central
#: patients); a plain distribution applies to everyone.
GROUPS = ("peripheral", "central", "ischemic", "hemorrhagic")

#: The yes/no draws that place a patient in a group (numbers given for them are probabilities).
CATEGORICAL = ("central", "stroke", "ischemic")


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
    # (models/peripheral_neuropathic.toml, central_poststroke_{ischemic,hemorrhagic}.toml), but for the
    # peripheral disinhibition (a declared calibration to the prevalence of allodynia, below); the
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
        # spinal disinhibition (KCC2 loss, Coull 2003 Nature 424:938).  Peripheral: CALIBRATED (declared
        # procedure, painsim.validation.prevalence.calibrate_allodynia_prevalence, 2026-12-04): the mean
        # bisected, concentration 6 held (chosen), until 20 % of 64 drawn peripheral patients rate a brush
        # stroke as painful (dynamic mechanical allodynia in 20 % of 1236 patients, Maier et al. 2010 Pain
        # 150:439 [checked: abstract]); achieved 0.1875 at mean 0.1484375 (SD 0.13).  Until then the mean was
        # the peripheral_neuropathic preset's 0.5, which gave 79 % allodynia; the preset keeps 0.5 (an
        # allodynic patient).  Central non-stroke pain: chosen 0.3, dorsal-horn hyperexcitability at the
        # level of a spinal cord injury [recalled: Gwak & Hulsebosch 2011]; CPSP presets: none
        "disinhibition": {"peripheral": Beta(0.1484375, 6.0), "central": Beta(0.3, 6.0),
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
        # rheobase (thalamic hyperactivity: models/gate_control.toml, pathology.thalamic_drive); chosen
        # log-SD 0.1, so ~4 % of CPSP patients fall below the rheobase (no spontaneous thalamic
        # generator); none otherwise
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
    # the real-world 20 Hz M1 rTMS cohort (Eur J Pain 2025;29:e4763, docs/references.md): defaults, to be calibrated
    "rtms_real_world": {},
    "peripheral": {"central": Bernoulli(0.0)},
    "central_post_stroke": {"central": Bernoulli(1.0), "stroke": Bernoulli(1.0)},
}


def built(cls: type, values: Mapping, where: str) -> Distribution:
    """``cls(**values)``, an error about one of its parameters named by the key the user wrote
    (``where``: ``"distributions.central"`` -> ``distributions.central.p``, not ``Bernoulli.p``).

    Parameters
    ----------
    cls : type
        A distribution class (:class:`Beta`, :class:`LogNormal` ...).
    values : mapping
        Its parameters by name.
    where : str
        The key the user wrote; errors name ``<where>.<parameter>``.

    Returns
    -------
    Distribution

    Raises
    ------
    painsim.errors.ParameterError
        A parameter value that is not allowed (named by ``where``).
    TypeError
        A key of ``values`` that is not a parameter of ``cls``, or a missing one.
    """
    try:
        return cls(**values)
    except ParameterError as e:
        raise _renamed(e, cls.__name__, where) from None


def _renamed(error: ParameterError, owner: str, where: str) -> ParameterError:
    """``error`` about parameter ``<owner>.<p>`` as one about ``<where>.<p>`` (any other error as it is)."""
    prefix = owner + "."
    if isinstance(error, UnknownKeyError) or not str(error.name).startswith(prefix):
        return error
    return error.renamed(f"{where}.{error.name[len(prefix):]}")


def _from_number(attr: str, value, where: str) -> Distribution:
    """The distribution a plain number stands for: a probability of yes for a yes/no draw
    (:data:`CATEGORICAL`), else a value every patient has; errors name ``where``."""
    if attr in CATEGORICAL:
        return Bernoulli(number(value, where, 0.0, 1.0, allowed="a probability in [0, 1] (the share of patients)"))
    return Fixed(number(value, where, allowed="a finite number (the value every patient has)"))


def replacement(attr: str, value, where: str):
    """One replacement of attribute ``attr``'s distribution, checked: a :class:`Distribution`, a
    number (:func:`_from_number`) or, for a continuous attribute, a dict of those by group
    (:data:`GROUPS`).  Errors name ``where`` (the key as the user wrote it, e.g.
    ``distributions.disinhibition.central``).

    Parameters
    ----------
    attr : str
        The patient attribute (``"disinhibition"``, ``"central"`` ...).
    value : Distribution, float or dict
        The replacement.
    where : str
        The key as the user wrote it, named by errors.

    Returns
    -------
    Distribution or dict
        The distribution, or ``{group: distribution}``.

    Raises
    ------
    painsim.errors.UnknownKeyError
        A group that is not in :data:`GROUPS`.
    painsim.errors.ParameterError
        A dict or a distribution other than a :class:`Bernoulli` for an attribute of
        :data:`CATEGORICAL` (``Fixed(0)`` and ``Fixed(1)`` are taken as ``Bernoulli(0)`` and
        ``Bernoulli(1)``), a value of another type, or a number out of range (a probability
        outside [0, 1], or not finite).
    """
    if isinstance(value, Mapping):
        if attr in CATEGORICAL:  # sample() draws a yes/no share once for every patient
            raise ParameterError(where, dict(value), "a probability or a Bernoulli (a yes/no share has no groups)")
        for g in value:
            if g not in GROUPS:
                raise UnknownKeyError(g, GROUPS, what=f"group of {where}")
        return {g: replacement(attr, v, f"{where}.{g}") for g, v in value.items()}
    if isinstance(value, Distribution):
        return yes_no(attr, value, where) if attr in CATEGORICAL else value
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return _from_number(attr, value, where)
    raise ParameterError(where, value, "a distribution (cohort.Beta, LogNormal, Bernoulli, Fixed), "
                                       "a number, or a dict of them by group")


def yes_no(attr: str, value: Distribution, where: str) -> Distribution:
    """The :class:`Bernoulli` of a yes/no draw (:data:`CATEGORICAL`): ``value`` itself, or
    ``Fixed(0)`` / ``Fixed(1)`` as ``Bernoulli(0)`` / ``Bernoulli(1)``.

    Parameters
    ----------
    attr : str
        The yes/no attribute (``"central"``, ``"stroke"``, ``"ischemic"``).
    value : Distribution
        Its distribution.
    where : str
        The key as the user wrote it, named by errors.

    Returns
    -------
    Bernoulli

    Raises
    ------
    painsim.errors.ParameterError
        Any other distribution (a Beta, a LogNormal, a Fixed share such as 0.4): its
        values, not probabilities of yes, would make every patient "yes".
    """
    if isinstance(value, Bernoulli):
        return value
    if isinstance(value, Fixed) and value.value in (0.0, 1.0):
        return Bernoulli(float(value.value))
    raise ParameterError(where, value, f"a probability or a Bernoulli (the share of patients with {attr!r} = yes; "
                                       f"e.g. 0.4 or Bernoulli(0.4), not a {type(value).__name__})")


def resolve_distributions(preset: str | None, distributions: Mapping | None) -> tuple[dict, set]:
    """The distributions of a preset with replacements, and the attributes given explicitly.

    Replacements (as for :func:`painsim.cohort.sample`): a distribution, a
    number (a fixed value, or a probability for :data:`CATEGORICAL`), or a
    dict of those by group (merged into the preset's groups).

    Parameters
    ----------
    preset : str or None
        A name of :data:`PRESETS` (None: ``"default"``).
    distributions : mapping or None
        Replacements by patient attribute.

    Returns
    -------
    dists : dict
        The distributions by attribute (as :func:`default_distributions`).
    explicit : set of str
        The attributes given in ``distributions``.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown preset, patient attribute or group.
    painsim.errors.ParameterError
        ``preset`` is neither a text nor None, ``distributions`` is not a mapping, or a replacement
        is not allowed (:func:`replacement`).
    """
    if preset is not None and not isinstance(preset, str):
        raise ParameterError("preset", preset, f"a preset name, one of {', '.join(PRESETS)}, or None")
    if preset is not None and preset not in PRESETS:
        raise UnknownKeyError(preset, PRESETS, what="cohort preset")
    if distributions is not None and not isinstance(distributions, Mapping):
        raise ParameterError("distributions", distributions, 'a dict of patient attributes, e.g. '
                                                             '{"disinhibition": {"peripheral": Beta(0.2, 6)}}')
    dists = default_distributions()
    dists.update(PRESETS.get(preset or "default", {}))
    explicit = set()
    for k, v in (distributions or {}).items():
        if k not in dists:
            raise UnknownKeyError(k, dists, what="patient attribute")
        new = replacement(k, v, f"distributions.{k}")
        if isinstance(new, Mapping):  # merged into the preset's groups
            base = dists[k] if isinstance(dists[k], Mapping) else {}
            dists[k] = {**base, **new}
        else:
            dists[k] = new
        explicit.add(k)
    return dists, explicit


def get_parameter(dists: Mapping, name: str) -> float:
    """The value of distribution parameter ``"attribute[.group].parameter"``.

    Parameters
    ----------
    dists : mapping
        Distributions by attribute (as :func:`resolve_distributions` returns them).
    name : str
        ``"attribute.parameter"``, or ``"attribute.group.parameter"`` for grouped attributes.

    Returns
    -------
    float

    Raises
    ------
    painsim.errors.UnknownKeyError
        ``name`` names no parameter of ``dists``: an unknown attribute, group or parameter, a name
        with the wrong number of parts or one that is not a string (was a bare KeyError or
        IndexError); the message lists the valid names (of the attribute, if that is known) and
        suggests the nearest.  :func:`has_parameter` says whether ``name`` is valid.
    """
    node, field = _parameter_of(dists, name)
    return node.get(field)


def _parameter_of(dists: Mapping, name) -> tuple[Distribution, str]:
    """The distribution of parameter ``name`` of ``dists`` and the parameter's own name, or an
    UnknownKeyError naming ``name`` as written."""
    parts = name.split(".") if isinstance(name, str) else []
    node = dists.get(parts[0]) if parts else None
    if isinstance(node, Mapping):
        if len(parts) == 3 and parts[2] in getattr(node.get(parts[1]), "params", ()):
            return node[parts[1]], parts[2]
    elif len(parts) == 2 and parts[1] in getattr(node, "params", ()):
        return node, parts[1]
    # the attribute's own parameters when it is known (a short list), else every parameter
    within = {parts[0]: node} if node is not None else dists
    names = [f"{a}.{g}.{p}" if isinstance(n, Mapping) else f"{a}.{p}"
             for a, n in within.items() for g, d in (n.items() if isinstance(n, Mapping) else [(None, n)])
             for p in getattr(d, "params", ())]
    raise UnknownKeyError(str(name), names, what="distribution parameter")


def has_parameter(dists: Mapping, name: str) -> bool:
    """Whether ``name`` names a parameter of ``dists``.

    Parameters
    ----------
    dists : mapping
        Distributions by attribute.
    name : str
        ``"attribute[.group].parameter"``, as for :func:`get_parameter`.

    Returns
    -------
    bool
    """
    try:
        get_parameter(dists, name)
        return True
    except UnknownKeyError:  # a ParameterError (a ValueError), not a KeyError: get_parameter's only refusal
        return False


def set_parameter(dists: dict, name: str, value: float) -> dict:
    """A copy of ``dists`` with ``"attribute[.group].parameter"`` set to ``value``.

    Parameters
    ----------
    dists : dict
        Distributions by attribute; not changed.
    name : str
        ``"attribute.parameter"``, or ``"attribute.group.parameter"`` for grouped attributes.
    value : float
        The new value, checked by the distribution (:meth:`Distribution.set`).

    Returns
    -------
    dict
        The copy, with a new distribution in place of the changed one.

    Raises
    ------
    painsim.errors.UnknownKeyError
        An unknown attribute, group or parameter (with the valid names).
    painsim.errors.ParameterError
        A value that is not allowed, named as written (``disinhibition.central.mean``).
    """
    parts = name.split(".")
    if parts[0] not in dists:
        raise UnknownKeyError(parts[0], dists, what="patient attribute")
    out = dict(dists)
    node = out[parts[0]]
    if isinstance(node, Mapping):
        if len(parts) != 3 or parts[1] not in node:
            raise UnknownKeyError(name, [f"{parts[0]}.{g}.{p}" for g, d in node.items() for p in d.params],
                                  what="distribution parameter")
        node, field, where = node[parts[1]], parts[2], ".".join(parts[:2])
    else:
        if len(parts) != 2:
            raise UnknownKeyError(name, [f"{parts[0]}.{p}" for p in node.params], what="distribution parameter")
        field, where = parts[1], parts[0]
    try:
        changed = node.set(field, value)
    except ParameterError as e:  # named as the caller wrote it ("disinhibition.central.mean")
        raise _renamed(e, type(node).__name__, where) from None
    out[parts[0]] = {**out[parts[0]], parts[1]: changed} if len(parts) == 3 else changed
    return out
