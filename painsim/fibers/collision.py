"""Collision of a dorsal-column lead's antidromic spikes with natural afferent spikes.

An electrode excites an axon at one point, and the impulse runs both ways from
there.  A dorsal-column lead (SCS) excites the ascending branches of Aβ afferents:
each evoked impulse runs up to the dorsal column nuclei and *antidromically* down
the dorsal column, into the collaterals of its segment (the input the dorsal horn
receives from the lead) and on through the dorsal root and the peripheral nerve
to the skin.  Two impulses travelling towards each other on one axon annihilate,
because each meets the refractory wake of the other: the basis of the collision
test by which antidromic activation is identified (Fuller & Schlag 1976 Brain Res
112:283 [recalled]), and clinically SCS reduces the cortical somatosensory evoked potential
to posterior tibial nerve stimulation by collision (the "SEP collision
test" of dorsal-column activation; Urasaki et al. 2014 Neuromodulation 17:746 [checked:
abstract]).  So during SCS an impulse that a touch starts in the skin is
annihilated when it meets the antidromic impulse of a pulse in the same fibre, and
the dorsal horn receives one impulse of the two, whichever reaches the segment's
entry first.  SCS impulses travel both ways, cranially and caudally, and the
antidromic ones are held to carry its segmental effect (Buonocore 2013 J Pain
Relief 2:118, doi 10.4172/2167-0846.1000118 [checked: abstract]).

Geometry (per fiber, conduction velocity ``v``): the skin lies ``d_p``
(``afferents.conduction_distance``) below the segment's entry, the lead ``d_s``
(``afferents.dorsal_column_distance``) above it.  A natural impulse starts at the
skin at ``t_n`` and reaches the entry at ``t_n + d_p / v`` and the lead at
``t_n + T`` with ``T = (d_p + d_s) / v``; an antidromic impulse starts at the lead
at ``t_a`` and reaches the entry at ``t_a + d_s / v`` and the skin at ``t_a + T``.
Taking the impulses of each direction in the order they started (those behind
cannot overtake the front ones), the front natural and front antidromic impulses
meet iff each starts before the other has left the axon::

    |t_n - t_a| < T + dead

(``dead``, the 1 ms dead time of :mod:`painsim.fibers.afferents`, also stands for
refractoriness at the ends: a pulse just after a natural impulse passed the lead
excites nothing, a receptor just after an antidromic impulse invaded it starts
none).  If they meet, both vanish, and the entry has received the one that
reached it first (before the meeting); if they do not, the one that leaves first
passes whole.  Above the entry the dorsal column carries a different set
(:func:`ascending_arrivals`, read by the DCN layer, :mod:`painsim.circuits.dorsal_column`):
every pulse's orthodromic impulse, which meets nothing coming down, and the natural impulses
that met none; a natural impulse that met one dies wherever they met, even when it was first
at the entry (then it met the antidromic impulse between the entry and the lead), unless it
had passed the lead before the pulse (the dead-time case above).  The lead's impulses are
timed at the segment as if they came from below, ``t_a + d_s / v``: they reach the nuclei
``2 d_s / v`` (~1-2 ms) later than from the lead itself (a simplification that keeps every
result without touch as it was).

A lead on the dorsal root (target ``"dorsal_root"``) sits on the skin's side of the
entry, ``d_r`` (``afferents.drg_distance``) from it: its impulses reach the entry
orthodromically after ``d_r / v`` and its antidromic ones run ``d_p - d_r`` to the
skin.  The same rule holds with ``T = (d_p - d_r) / v``: two impulses that meet do so
below the lead, so the pulse's impulse is the one that reaches the entry first, and
the natural one is lost (:func:`lead_geometry`).

:func:`collision_kernel` (numba; ``collision_kernel.py_func`` is the same rule in
Python for small inputs, which then need not load numba) implements the rule;
:func:`lead_arrivals` turns the spikes of one fiber class into arrivals at the dorsal
horn.  No brian2 here.  Not modelled: collisions with a peripheral electrode (the
model puts such an electrode at the receptive field, so the antidromic path to the
receptors is empty) and refractoriness along the axon after a collision.
"""
from __future__ import annotations

import numpy as np

from ..checks import number
from ..errors import ParameterError
from ..jit import njit, numba_loaded

__all__ = ["collision_kernel", "collide", "lead_geometry", "lead_arrivals", "ascending_arrivals", "COLLISION_TARGETS",
           "PYTHON_COLLISION_MAX"]

def _checked_velocity(velocity, name: str = "velocity") -> np.ndarray:
    """Per-fiber conduction velocities (m/s) as a 1-D float array, each finite and > 0 (a zero
    velocity gave infinite conduction times)."""
    v = np.asarray(velocity, float)
    if v.ndim != 1 or not np.all(np.isfinite(v) & (v > 0)):
        bad = v[~(np.isfinite(v) & (v > 0))][:3] if v.ndim == 1 else v.shape
        raise ParameterError(name, bad, "one conduction velocity > 0 m/s per fiber (a 1-D array, finite)")
    return v


def _checked_spikes(times, fibers, n: int, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """``(times, fibers)`` of spikes as float and int64 arrays of one 1-D shape, times finite, fiber
    indices in ``0 .. n - 1`` (an index out of range was a bare IndexError)."""
    t, f = np.asarray(times, float), np.asarray(fibers, np.int64)
    if t.ndim != 1 or t.shape != f.shape:
        raise ParameterError(f"{names[0]}/{names[1]}", (t.shape, f.shape), "two 1-D arrays of one length")
    if not np.all(np.isfinite(t)):
        raise ParameterError(names[0], t[~np.isfinite(t)][:3], "finite spike times, s")
    if f.size and (f.min() < 0 or f.max() >= n):
        raise ParameterError(names[1], int(f.max() if f.max() >= n else f.min()), f"fiber indices in 0..{n - 1}")
    return t, f


#: Up to this many spikes, and while numba is not loaded, the rule runs in Python
#: (``collision_kernel.py_func``; ~1 µs per spike) rather than loading numba for it.
#: Chosen as :data:`painsim.fibers.afferents.PYTHON_DEAD_TIME_MAX`: well under ~0.1 s.
PYTHON_COLLISION_MAX = 50_000


@njit(cache=True, nogil=True)
def collision_kernel(n_fiber, n_start, n_entry, a_fiber, a_start, a_entry, window, n_keep, a_keep, n_partner):
    """Annihilate colliding pairs of natural and antidromic impulses.

    Parameters
    ----------
    n_fiber, n_start, n_entry : (m,) arrays
        Natural impulses sorted by fiber, then start time: fiber index, start time
        at the skin and time at the segment's entry (s).
    a_fiber, a_start, a_entry : (k,) arrays
        Antidromic impulses sorted the same way: fiber, start time at the lead, time
        at the entry (s).
    window : (n,) float64
        Per fiber, ``T + dead``: two impulses meet iff their starts differ by less.
    n_keep, a_keep : bool arrays
        Outputs, ``True`` on entry; set ``False`` where an impulse is annihilated
        before it reached the entry.
    n_partner : int64 array
        Output, ``-1`` on entry; set to the (sorted) index of the antidromic impulse a
        natural one met.
    """
    i = 0
    j = 0
    m = n_fiber.shape[0]
    k = a_fiber.shape[0]
    while i < m and j < k:
        if n_fiber[i] < a_fiber[j]:
            i += 1
        elif a_fiber[j] < n_fiber[i]:
            j += 1
        else:
            w = window[n_fiber[i]]
            if n_start[i] + w <= a_start[j]:
                i += 1          # passed the lead before the pulse
            elif a_start[j] + w <= n_start[i]:
                j += 1          # reached the skin before the touch started an impulse
            else:
                # they meet; the entry received whichever reached it first
                n_partner[i] = j
                if n_entry[i] <= a_entry[j]:
                    a_keep[j] = False
                else:
                    n_keep[i] = False
                i += 1
                j += 1


def collide(n_fiber, n_start, n_entry, a_fiber, a_start, a_entry, window, partners: bool = False):
    """Which natural and which antidromic impulses reach the entry (any input order).

    Parameters
    ----------
    n_fiber, n_start, n_entry : (m,) arrays
        Natural impulses: fiber index, start time at the skin and time at the segment's
        entry (s).
    a_fiber, a_start, a_entry : (k,) arrays
        Antidromic impulses: fiber index, start time at the lead and time at the entry (s).
    window : (n,) array
        Per fiber, ``T + dead`` (s), as :func:`collision_kernel`.
    partners : bool
        Also return ``n_partner``.

    Returns
    -------
    n_keep, a_keep : bool arrays aligned with the inputs
    n_partner : int64 array, with ``partners=True``
        For each natural impulse, the index (in the antidromic inputs) of the impulse it
        met, or -1.

    Raises
    ------
    painsim.errors.ParameterError
        A fiber index outside ``0 .. window.size - 1``, or the three arrays of the natural (or of
        the antidromic) impulses of different shapes (was a bare ValueError).
    """
    n_fiber, a_fiber = np.asarray(n_fiber, np.int64), np.asarray(a_fiber, np.int64)
    n_start, n_entry = np.asarray(n_start, float), np.asarray(n_entry, float)
    a_start, a_entry = np.asarray(a_start, float), np.asarray(a_entry, float)
    window = np.asarray(window, float)
    for name, arrays in (("n_fiber/n_start/n_entry", (n_fiber, n_start, n_entry)),
                         ("a_fiber/a_start/a_entry", (a_fiber, a_start, a_entry))):
        if arrays[0].ndim != 1 or not arrays[0].shape == arrays[1].shape == arrays[2].shape:
            raise ParameterError(name, tuple(a.shape for a in arrays), "three 1-D arrays of one length")
    for name, f in (("natural fiber", n_fiber), ("antidromic fiber", a_fiber)):
        if f.size and (f.min() < 0 or f.max() >= window.size):
            raise ParameterError(name, int(f.max() if f.max() >= window.size else f.min()),
                                 f"fiber indices in 0..{window.size - 1}")
    n_order = np.lexsort((n_start, n_fiber))
    a_order = np.lexsort((a_start, a_fiber))
    args = (n_fiber[n_order], n_start[n_order], n_entry[n_order],
            a_fiber[a_order], a_start[a_order], a_entry[a_order], window)
    nk, ak = np.ones(n_fiber.size, np.bool_), np.ones(a_fiber.size, np.bool_)
    partner = np.full(n_fiber.size, -1, np.int64)
    if n_fiber.size + a_fiber.size > PYTHON_COLLISION_MAX or numba_loaded():
        collision_kernel(*args, nk, ak, partner)
    else:  # the same rule in Python: small inputs need not load numba
        collision_kernel.py_func(*args, nk, ak, partner)
    n_keep, a_keep = np.empty_like(nk), np.empty_like(ak)
    n_keep[n_order], a_keep[a_order] = nk, ak
    if not partners:
        return n_keep, a_keep
    n_partner = np.full_like(partner, -1)
    met = partner >= 0
    n_partner[n_order[met]] = a_order[partner[met]]
    return n_keep, a_keep, n_partner


#: Targets whose leads sit on the afferents' path between the skin and the segment, away from
#: the receptive field, so that their antidromic impulses meet natural ones on the way
#: (:func:`lead_geometry`).  Other peripheral targets sit at the receptive field in the model.
COLLISION_TARGETS = ("dorsal_column", "dorsal_root")


def lead_geometry(target: str, params) -> tuple[float, float]:
    """Conduction paths (m) from a lead at ``target`` to the segment's entry and to the skin.

    A dorsal-column lead sits ``dorsal_column_distance`` above the entry, so its antidromic
    impulses pass the entry on their way to the skin (``conduction_distance`` below it); a
    dorsal-root lead sits on the root at the ganglion's end, ``drg_distance`` from the entry
    (chosen: where a root lead in the foramen lies), and its impulses reach the entry
    orthodromically while the antidromic ones run to the skin.

    Parameters
    ----------
    target : str
        ``"dorsal_column"`` or ``"dorsal_root"``.
    params : mapping
        The model's ``afferents`` section (SI): ``conduction_distance`` and
        ``dorsal_column_distance`` or ``drg_distance`` (m).

    Returns
    -------
    to_entry, to_skin : float
        The two paths, m.

    Raises
    ------
    painsim.errors.ParameterError
        Another target, or a root lead not between the cord and the skin
        (``drg_distance`` <= 0 or >= ``conduction_distance``).
    """
    d_p = float(params["conduction_distance"])
    if target == "dorsal_column":
        d_s = float(params["dorsal_column_distance"])
        return d_s, d_s + d_p
    if target == "dorsal_root":
        d_r = float(params["drg_distance"])
        if not 0.0 < d_r < d_p:
            raise ParameterError("afferents.drg_distance", d_r,
                                 f"a distance between 0 and afferents.conduction_distance ({d_p:g} m)")
        return d_r, d_p - d_r
    raise ParameterError("target", target, f"one of {COLLISION_TARGETS}")


def lead_arrivals(origin, ids, lead_t, lead_i, velocity, params, target: str, dead: float,
                  ascending: bool = False):
    """Spikes of one class reaching the dorsal horn with a lead at ``target`` on.

    Parameters
    ----------
    origin, ids : arrays
        Natural (and ectopic) spikes: start times at the skin (s) and fiber indices.
    lead_t, lead_i : arrays
        Impulses the lead evokes: pulse times (s) and fiber indices.
    velocity : (n,) array
        Conduction velocity of each fiber (m/s).
    params : mapping
        The model's ``afferents`` section (SI): ``conduction_distance``, the lead's distance
        (:func:`lead_geometry`) and ``antidromic_collision`` (False: both trains arrive whole,
        the model before collisions).
    target : str
        One of :data:`COLLISION_TARGETS`.
    dead : float
        Dead time (s), see the module docstring.
    ascending : bool
        Also return the impulses that run up the dorsal columns past the segment
        (:func:`ascending_arrivals`).

    Returns
    -------
    times, ids : arrays
        Arrival times at the dorsal horn and fiber indices, natural then evoked.
    up_times, up_ids : arrays, with ``ascending=True``
        The ascending impulses, timed at the segment as the arrivals are.

    Raises
    ------
    painsim.errors.ParameterError
        As :func:`lead_geometry`; a ``velocity`` not finite and > 0 m/s; ``origin`` and ``ids``
        (or ``lead_t`` and ``lead_i``) of different shapes, a time not finite, or a fiber index
        outside ``0 .. velocity.size - 1``; a ``dead`` time not finite and >= 0 s.
    """
    to_entry, to_skin = lead_geometry(target, params)
    d_p = float(params["conduction_distance"])
    velocity = _checked_velocity(velocity)
    origin, ids = _checked_spikes(origin, ids, velocity.size, ("origin", "ids"))
    lead_t, lead_i = _checked_spikes(lead_t, lead_i, velocity.size, ("lead_t", "lead_i"))
    dead = number(dead, "dead", lo=0.0, allowed="a dead time >= 0 s (a finite number)")
    n_entry = origin + (d_p / velocity)[ids]
    a_entry = lead_t + (to_entry / velocity)[lead_i]
    n_keep, a_keep = np.ones(ids.size, bool), np.ones(lead_i.size, bool)
    n_up, a_up = n_keep, a_keep
    if params.get("antidromic_collision", True):
        window = to_skin / velocity + dead
        n_keep, a_keep, partner = collide(ids, origin, n_entry, lead_i, lead_t, a_entry, window, partners=True)
        if target == "dorsal_column":
            n_up, a_up = ascending_arrivals(origin, ids, lead_t, partner, to_skin / velocity)
        else:  # a root lead is below the entry: what reaches the entry goes on up
            n_up, a_up = n_keep, a_keep
    times = np.concatenate([n_entry[n_keep], a_entry[a_keep]])
    fibers = np.concatenate([ids[n_keep], lead_i[a_keep]])
    if not ascending:
        return times, fibers
    return (times, fibers, np.concatenate([n_entry[n_up], a_entry[a_up]]),
            np.concatenate([ids[n_up], lead_i[a_up]]))


def ascending_arrivals(origin, ids, lead_t, partner, travel):
    """Which impulses run up a dorsal column past a lead on it (to the dorsal column nuclei).

    Every pulse starts an orthodromic impulse up the column, which meets nothing coming
    down, and a natural impulse that met none of the lead's runs past it; a natural impulse
    that met a pulse's antidromic impulse dies wherever they met (below the entry, or between
    the entry and the lead), unless it had passed the lead before the pulse (``travel`` =
    skin-to-lead time of its fibre; within the dead time after it, the lead finds the fibre
    refractory and starts nothing, so the natural impulse goes up instead of the pulse's).

    Parameters
    ----------
    origin, ids : arrays
        Natural impulses: start times at the skin (s), fiber indices.
    lead_t : array
        The lead's pulses (s), one per evoked impulse.
    partner : int64 array
        Per natural impulse, the index of the evoked impulse it met, or -1 (:func:`collide`).
    travel : (n,) array
        Per fiber, the conduction time from the skin to the lead (s).

    Returns
    -------
    n_up, a_up : bool arrays
        Natural and evoked impulses that reach the nuclei.
    """
    met = partner >= 0
    passed = np.zeros(ids.size, bool)
    passed[met] = lead_t[partner[met]] >= origin[met] + travel[ids[met]]
    n_up = ~met | passed
    a_up = np.ones(lead_t.size, bool)
    a_up[partner[passed]] = False
    return n_up, a_up
