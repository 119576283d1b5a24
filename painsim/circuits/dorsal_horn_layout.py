"""Populations, connections and body sites of the dorsal horn.

What the dorsal-horn layer is made of, without drawing anything: its afferent and
dorsal-horn populations (:data:`AFFERENT_POPULATIONS`, :data:`DORSAL_HORN_POPULATIONS`),
its connections (:data:`CONNECTIONS`, the surround ones drawing from the neighbouring
sites: :func:`presynaptic_sites`) and how a point is laid out over body sites: the
pathology of a site (:func:`site_pathology`), its random streams and seeds
(:func:`site_stream`, :func:`site_seed`), where a device acts (:func:`stimulus_sites`)
and the population sizes per site and per point (:func:`sizes_per_site`,
:func:`population_sizes`).  numpy only.

Split from :mod:`painsim.circuits.dorsal_horn`, which re-exports every name
(import them from there or from here).
"""
from __future__ import annotations

import numpy as np

from ..anatomy import FIBER_CLASSES
from ..errors import ParameterError
from ..rng import rng_for
from .elements import Connection
from .background import BACKGROUND_POPULATION, background_units
from .khz_field import FIELD_BITS, FIELD_POPULATION

__all__ = ["ASCENDING_POPULATION", "AFFERENT_POPULATIONS", "DORSAL_HORN_POPULATIONS", "CONNECTIONS",
           "SURROUND_CONNECTIONS", "presynaptic_sites", "receiving_targets", "site_pathology", "site_stream",
           "stimulus_sites", "site_seed", "sizes_per_site", "population_sizes"]

#: Generator of the Aβ impulses that run up the dorsal columns
#: (:func:`~painsim.circuits.dorsal_horn.inputs` draws them with the afferents; the dorsal
#: column nuclei of :mod:`painsim.circuits.dorsal_column` read them).
ASCENDING_POPULATION = "ASC"
#: Populations: afferent classes (spike generators, :data:`painsim.anatomy.FIBER_CLASSES`)
#: and dorsal-horn neurons.
AFFERENT_POPULATIONS = FIBER_CLASSES
DORSAL_HORN_POPULATIONS = {"IN": "dorsal_horn.populations.n_inhibitory",
                           "EX": "dorsal_horn.populations.n_excitatory",
                           "PN": "dorsal_horn.populations.n_projection"}

CONNECTIONS = (
    Connection("abeta_in", "Abeta", "IN", "exc"),
    Connection("abeta_pn", "Abeta", "PN", "exc"),
    Connection("adelta_pn", "Adelta", "PN", "exc"),
    Connection("c_pn", "C", "PN", "exc"),
    Connection("c_ex", "C", "EX", "exc"),
    Connection("ex_pn", "EX", "PN", "exc"),
    Connection("inhibition", "IN", "PN", "inh"),
    Connection("inhibition_ex", "IN", "EX", "inh"),
    # Aβ -> excitatory (PKCγ-like) interneurons, held silent by IN -> EX feed-forward
    # inhibition in health and unmasked by disinhibition: the polysynaptic Aβ route to
    # nociceptive output of tactile allodynia (Torsney & MacDermott 2006; Lu et al. 2013;
    # Duan et al. 2014; Petitjean et al. 2015).  Last in the tuple so the connectivity
    # streams (rng_for(seed, "connectivity", k)) of the older connections are unchanged.
    Connection("abeta_ex", "Abeta", "EX", "exc"),
    # C -> inhibitory interneurons: feed-forward inhibition of nociceptive input (islet
    # cells with monosynaptic C input inhibiting central cells, Lu & Perl 2003; most
    # Aβ-driven GABAergic neurons also receive high-threshold input, Daniele & MacDermott
    # 2009).  Off in the model files (``dorsal_horn.c_in.p = 0``: no synapses, the circuit
    # without it spike for spike); appended last so the older streams are unchanged.
    Connection("c_in", "C", "IN", "exc"),
    # Aδ -> inhibitory interneurons: glycinergic dorsal-horn neurons receive sensory input
    # mainly from myelinated afferents (Foster et al. 2015), and most Aβ-driven GABAergic
    # neurons also receive high-threshold (Aδ/C) input (Daniele & MacDermott 2009).  Off in
    # the model files (``dorsal_horn.adelta_in.p = 0``); appended last, as ``c_in``.
    Connection("adelta_in", "Adelta", "IN", "exc"),
    # Aβ of the neighbouring sites -> inhibitory interneurons: the inhibitory surround of a
    # dorsal-horn neuron's receptive field (Zhang, Janik & Grill 2014's "surround" cell, driven
    # by Aβ fibres other than its local cell's; Gilbert et al. 2022 eNeuro 9:ENEURO.0058-22.2022:
    # low-amplitude SCS inhibits dorsal-horn neurons through surround inhibition, shifted by
    # bicuculline).  Its fibres come from the sites of :data:`SURROUND_CONNECTIONS`.  Off in the
    # model files (``dorsal_horn.abeta_in_surround.p = 0``); appended last, as ``c_in``.
    Connection("abeta_in_surround", "Abeta", "IN", "exc"),
)

#: Connections whose presynaptic fibres are those of the neighbouring body sites (``s - 1``
#: and ``s + 1``, where they exist) rather than the target's own site.
SURROUND_CONNECTIONS = frozenset({"abeta_in_surround"})


def presynaptic_sites(conn: Connection, site: int, n_sites: int) -> tuple[int, ...]:
    """The body sites whose neurons or fibres a connection onto ``site`` draws from: the site
    itself, or for a surround connection (:data:`SURROUND_CONNECTIONS`) its neighbours.

    Parameters
    ----------
    conn : Connection
        One of :data:`CONNECTIONS`.
    site : int
        The body site of the target neurons.
    n_sites : int
        Body sites of the model (``body.n_sites``).

    Returns
    -------
    tuple of int
        ``(site,)``, or for a surround connection ``site - 1`` and ``site + 1`` where they lie
        in ``0 .. n_sites - 1`` (empty for a one-site model).
    """
    if conn.name in SURROUND_CONNECTIONS:
        return tuple(s for s in (site - 1, site + 1) if 0 <= s < n_sites)
    return (site,)


def receiving_targets(model, conn: Connection, n_post: int) -> int:
    """How many of a site's target neurons a connection may reach: all of them, or, where the model
    gives ``dorsal_horn.<name>.target_fraction``, the first ``fraction x n_post`` of them, rounded half
    up (neurons are interchangeable but for their draws, so the first ones are a random subset).

    ``dorsal_horn.abeta_pn.target_fraction`` makes two classes of projection neuron: lamina I
    neurons, which receive no monosynaptic Aβ input (it appears, polysynaptic, only when
    inhibition is blocked: Torsney & MacDermott 2006 J Neurosci 26:1833), and deeper neurons,
    which do.

    Parameters
    ----------
    model : Model
    conn : Connection
        One of :data:`CONNECTIONS`.
    n_post : int
        Target neurons per site.

    Returns
    -------
    int
        The number of a site's target neurons, counted from its first, that the connection may
        reach.  (The model refuses a fraction outside [0, 1] when it is set, :mod:`painsim.params`.)
    """
    path = f"dorsal_horn.{conn.name}.target_fraction"
    return int(np.floor(model.si(path) * n_post + 0.5)) if path in model.leaves else n_post



def site_pathology(model, site: int) -> dict:
    """The pathology section as it acts at one body site.

    With ``pathology.extent = "site"`` the peripheral and spinal pathology
    (ectopic C activity, disinhibition, anion shift, sensitization) acts at
    ``body.painful_site`` only; ``"widespread"`` puts it at every site.

    Parameters
    ----------
    model : Model
    site : int
        Body site index.

    Returns
    -------
    dict
        A copy of the model's ``pathology`` section (SI values); away from the painful site
        under ``extent = "site"``, ``ectopic_fraction``, ``disinhibition`` and ``anion_shift``
        are 0 and ``sensitization`` is 1.
    """
    path = dict(model.section("pathology"))
    if path["extent"] == "site" and site != int(model.si("body.painful_site")):
        path.update(ectopic_fraction=0.0, disinhibition=0.0, sensitization=1.0, anion_shift=0.0)
    return path


def site_stream(site: int) -> tuple:
    """Extra seed entries of a site's random streams (none for site 0, so a
    one-site model draws exactly what the single-site foundation drew).

    Parameters
    ----------
    site : int
        Body site index.

    Returns
    -------
    tuple
        ``()`` for site 0, else ``(1000 + site,)``: appended to the entries of
        :func:`painsim.rng.rng_for`.
    """
    return () if site == 0 else (1000 + int(site),)


def stimulus_sites(model, stimulus) -> tuple[int, ...]:
    """The body sites a device waveform is delivered at: ``stimulus.site`` (one index or
    several), or ``(body.painful_site,)`` when it names none (or there is no stimulus).

    Parameters
    ----------
    model : Model
    stimulus : Waveform or None
        One device's waveform (:mod:`painsim.stimulation`); its ``site`` is None, a site
        index or a tuple of them.

    Returns
    -------
    tuple of int
        The site indices, in the order the waveform gives them.

    Raises
    ------
    painsim.errors.ParameterError
        A site of ``stimulus.site`` is not a site index of the model (0 .. n_sites - 1).
    """
    n_sites = int(model.si("body.n_sites"))
    if stimulus is None or stimulus.site is None:
        return (int(model.si("body.painful_site")),)
    # the waveform already holds whole indices >= 0 (painsim.stimulation): only the body can be too small
    sites = stimulus.site if isinstance(stimulus.site, tuple) else (stimulus.site,)
    if max(sites) >= n_sites:
        raise ParameterError("stimulus.site", stimulus.site, f"site indices in 0..{n_sites - 1}")
    return sites


def site_seed(seed: int, site: int) -> int:
    """Seed of one site's afferents (site 0 keeps the point's seed).

    Parameters
    ----------
    seed : int
        The point's seed.
    site : int
        Body site index.

    Returns
    -------
    int
        ``seed`` for site 0, else a number in ``[0, 2**62)`` drawn from
        ``rng_for(seed, "site", site)``.
    """
    if site == 0:
        return seed
    return int(rng_for(seed, "site", site).integers(2 ** 62))


def sizes_per_site(model) -> dict[str, int]:
    """Fibers or neurons per body site of every afferent and dorsal-horn population.

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to int
        Per site: fibres of ``Abeta``, ``Adelta``, ``C`` (``afferents.<class>.n``), neurons of
        ``IN``, ``EX``, ``PN`` (:data:`DORSAL_HORN_POPULATIONS`), the kHz field's generator
        units (``FIELD``, :data:`painsim.circuits.khz_field.FIELD_BITS`) and the background
        generator's units (``BG``, :func:`painsim.circuits.background.background_units`; 0
        without a background rate).
    """
    sizes = {c: int(model.si(f"afferents.{c}.n")) for c in AFFERENT_POPULATIONS}
    sizes.update({p: int(model.si(path)) for p, path in DORSAL_HORN_POPULATIONS.items()})
    sizes[FIELD_POPULATION] = FIELD_BITS  # the kHz field's generator units (painsim.circuits.khz_field)
    sizes[BACKGROUND_POPULATION] = background_units(model, sizes)  # background barrage (painsim.circuits.background)
    return sizes


def population_sizes(model) -> dict[str, int]:
    """Fibers or neurons per afferent and dorsal-horn population of one point (all sites).

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict of str to int
        :func:`sizes_per_site` times ``body.n_sites``, for the same populations.
    """
    n_sites = int(model.si("body.n_sites"))
    return {p: n * n_sites for p, n in sizes_per_site(model).items()}

