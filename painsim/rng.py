"""Random streams: every draw depends only on a seed and a named stream.

Every random draw in painsim comes from :func:`rng_for` (a numpy generator) or
:func:`seed_state` (integers, e.g. the seeds of a cohort's patients), both keyed
by ``(seed, STREAM[name], *extra)``; brian2 draws nothing.  So a point's result
is independent of its batch companions, the batch size, the number of workers
and the backend, and a design's or a cohort's draws do not depend on the order
in which its points are run.  One older key is kept outside the table so saved
sweeps stay reproducible: a sweep point's simulation seed is drawn from
``SeedSequence([seed, point, repeat])`` (``[seed, repeat]`` when seeds are
paired) in :meth:`painsim.sweep.spec.SweepSpec.seed_for`.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import ParameterError

__all__ = ["STREAM", "SEED_LIMIT", "checked_seed", "checked_seed_block", "rng_for", "seed_state"]

#: A point's seed is below this (2**32): numpy splits a larger key entry into 32-bit words, so seed
#: ``a + 2**32 b`` with stream X would draw stream ``b``'s numbers of seed ``a`` (keys
#: ``[a + 2**32 b, X, k]`` and ``[a, b, X, k]`` are one).  Seeds derived by painsim (a cohort's
#: patients, a sweep's points) are 31-bit; the per-site seeds of :mod:`painsim.circuits` are drawn
#: at random and are not checked against it.
SEED_LIMIT = 2 ** 32

#: One integer per purpose; never renumber (results of saved seeds would change).
#: The first eleven (1-11) key a simulated point's draws; the rest key population-level
#: draws (their numbers predate this table and are kept so saved results stay
#: reproducible; "design" and "patient_seeds" share 0x5EED but feed different
#: draws: uniform samples vs. integer seeds).
STREAM = {"velocity": 1, "threshold": 2, "natural": 3, "ectopic": 4, "connectivity": 5,
          "initial": 6, "recruitment": 7, "tms": 8, "site": 9,
          "background": 10,               # painsim.circuits.background: the dorsal-horn barrage
          "deep_afferents": 11,           # painsim.circuits.spino_pag: each site's deep-tissue afferents
          "fiber_population": 0xF1BE5,    # painsim.fibers.population: diameters, distances
          "fiber_noise": 0xAFFE,          # painsim.fibers.kernel: membrane noise of the node model
          "design": 0x5EED,               # painsim.sweep.designs: random / LHS / Sobol samples
          "patient_seeds": 0x5EED,        # painsim.cohort.sampling: each patient's simulation seed
          "patients": 0xC0407,            # painsim.cohort.sampling: each patient's attributes
          "patient_seed_redraw": 0x5EED2,  # painsim.cohort.sampling: a patient seed that repeats an earlier one
          "qst_subject": 0x5B1EC7}        # painsim.files.qst: each virtual subject's own parameters


def checked_seed(value, name: str = "seed", error: type[ParameterError] = ParameterError, *,
                 allow_float: bool = True) -> int:
    """A seed as a user gives it: a whole number >= 0 and < :data:`SEED_LIMIT`, refused where it is
    read (a file, an argument), before any work.

    Parameters
    ----------
    value : int or float
    name : str
        The parameter, named in the error.
    error : type
        The :class:`painsim.errors.ParameterError` subclass to raise.
    allow_float : bool
        Also take a float with a whole value (``3.0``).

    Returns
    -------
    int

    Raises
    ------
    painsim.errors.ParameterError
        A bool, a non-number, a number that is not whole, a negative one or one >= 2**32.
    """
    is_int = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    is_whole = allow_float and isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value) == int(value)
    if not (is_int or is_whole) or not 0 <= value < SEED_LIMIT:
        big = (is_int or is_whole) and value >= SEED_LIMIT
        raise error(name, value, f"a whole number >= 0 and < 2**32 ({SEED_LIMIT})",
                    hint="numpy splits a larger seed into 32-bit words, so it would share random streams "
                         "with other seeds" if big else None)
    return int(value)


def checked_seed_block(first: int, n: int, name: str = "seed", what: str = "patients",
                       error: type[ParameterError] = ParameterError) -> int:
    """``first``, a checked seed (:func:`checked_seed`), if the ``n`` seeds ``first`` .. ``first + n - 1``
    that its ``n`` patients (or subjects, circuits) use all lie below :data:`SEED_LIMIT`: refused where it
    is read, not at the first patient whose seed reached 2**32 after the others were simulated.

    Parameters
    ----------
    first : int
        The first seed (already checked by :func:`checked_seed`).
    n : int
        How many consecutive seeds are used (>= 1).
    name : str
        The seed's parameter, named in the error.
    what : str
        What has one seed each, for the message (``"patients"``).
    error : type
        The :class:`painsim.errors.ParameterError` subclass to raise.

    Returns
    -------
    int

    Raises
    ------
    painsim.errors.ParameterError
        ``first + n - 1`` >= 2**32, naming ``name`` and the largest seed allowed.
    """
    if first + n - 1 >= SEED_LIMIT:
        raise error(name, first, f"a seed <= {SEED_LIMIT - n} (2**32 - {n}): the {n} {what} have the seeds "
                                 f"{name} .. {name} + {n - 1}, each < 2**32")
    return first


def rng_for(seed: int, stream: str, *extra: int) -> np.random.Generator:
    """Independent generator for one purpose of one point (seeded, reproducible).

    Parameters
    ----------
    seed : int
        The point's seed.
    stream : str
        A key of :data:`STREAM`.
    *extra : int
        Further integers of the key (e.g. a fiber class's index).  numpy pads a key with zeros,
        so ``rng_for(s, X)``, ``rng_for(s, X, 0)`` and ``rng_for(s, X, 0, 0)`` are one stream: a
        new key ending in 0 must not stand beside a shorter one of the same stream.

    Returns
    -------
    numpy.random.Generator
        Seeded by ``[seed, STREAM[stream], *extra]``.

    Raises
    ------
    KeyError
        ``stream`` is not a key of :data:`STREAM`.
    """
    return np.random.default_rng([int(seed), STREAM[stream], *map(int, extra)])


def seed_state(seed: int, stream: str, n: int, *extra: int) -> np.ndarray:
    """Independent 31-bit integer seeds for ``stream`` (reproducible).

    Parameters
    ----------
    seed : int
        The experiment's seed.
    stream : str
        A key of :data:`STREAM`.
    n : int
        How many seeds.
    *extra : int
        Further integers of the key (e.g. a batch index).

    Returns
    -------
    numpy.ndarray
        ``n`` seeds (int64, 0 to 2**31 - 1).
    """
    key = [int(seed), STREAM[stream], *map(int, extra)]
    return (np.random.SeedSequence(key).generate_state(n, np.uint32) & 0x7FFFFFFF).astype(np.int64)
