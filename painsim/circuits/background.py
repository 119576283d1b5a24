"""Background synaptic activity of dorsal-horn neurons.

Dorsal-horn neurons in vivo are not silent: they receive a continuous barrage of
spontaneous synaptic input from the thousands of synapses on them that the model
does not represent one by one (other segments' afferents, local and propriospinal
interneurons), and healthy lamina I spinothalamic neurons fire spontaneously at
~0.5-1 imp/s (Craig, Krout & Andrew 2001 J Neurophysiol 86:1459 [checked: abstract]:
nociceptive-specific 0.5, polymodal 0.9 imp/s).  Without that barrage the model's
neurons sit 15 mV below threshold and respond only to population-wide input, so
the sparse ongoing (ectopic) discharge of neuropathic afferents, at published rates,
left every projection neuron silent (docs/circuits.md, "Background activity").

Mechanism (shot noise, the standard reduction of unresolved synaptic input, e.g.
Destexhe et al. 2001 Neuroscience 107:13 [recalled]): every dorsal-horn neuron of
every site has one generator unit of population ``BG`` that fires as a Poisson
process at ``dorsal_horn.background.rate``; each event adds the unitary
conductance ``dorsal_horn.background.conductance`` to the neuron's AMPA conductance
(decay ``tau_ampa``).  AMPA only (chosen): spontaneous EPSCs recorded at rest are
AMPA-mediated and their NMDA part is held by Mg2+ near rest; the background
therefore depolarises and shakes the membrane but does not itself feed the
NMDA/CAN wind-up carriers.  No inhibitory barrage is added: the inhibitory
interneurons' own background firing provides the tonic inhibition the circuit has.
Off by default (``rate = "0 Hz"``: no units, no synapses, the circuit exactly as
without this module).  Measured and not adopted (docs/circuits.md, "Ongoing pain in the
peripheral presets"): with its rate fitted by the procedure
:func:`painsim.validation.calibration.calibrate_background_rate` (healthy projection
neurons fire spontaneously at Craig 2001's rate) and the C gain refitted after it, the
heat curve comes closer to the primate one, the gate and the NMDA-block baseline move
away from theirs, and the peripheral presets fire more at rest but still rate 0.

Implementation (numpy, no Python in the time loop): events are drawn per point
from their own random stream (``rng_for(seed, "background", *site_stream(s))``) and
replayed like afferent spikes; events of one unit that fall into the same network
step merge into one (the generator emits at most one event per step), so the
delivered rate is ``(1 - exp(-rate dt)) / dt``, ~2 % below ``rate`` at 400 Hz and
0.1 ms steps: the calibration is done on the delivered process.
"""
from __future__ import annotations

import numpy as np

from ..fibers import AfferentSpikes
from ..fibers.afferents import poisson_train
from ..rng import rng_for
from .elements import Connection, Projection

__all__ = ["BACKGROUND_POPULATION", "BACKGROUND_TARGETS", "BACKGROUND_CONNECTIONS", "background_units",
           "background_spikes", "background_projections"]

#: Generator population of the background barrage (one unit per dorsal-horn neuron).
BACKGROUND_POPULATION = "BG"
#: Dorsal-horn populations that receive it, in the order of their units within a site.
BACKGROUND_TARGETS = ("IN", "EX", "PN")
#: Its projections (unit -> its own neuron, one to one, within a site).
BACKGROUND_CONNECTIONS = tuple(Connection(f"background_{p.lower()}", BACKGROUND_POPULATION, p, "exc")
                               for p in BACKGROUND_TARGETS)


def background_units(model, per_site: dict) -> int:
    """Generator units per site: one per neuron of every target population, none while
    ``dorsal_horn.background.rate`` is 0 (the circuit then has no trace of the barrage).

    Parameters
    ----------
    model : Model
    per_site : dict of str to int
        Neurons per site of each dorsal-horn population.

    Returns
    -------
    int
    """
    if model.si("dorsal_horn.background.rate") <= 0:
        return 0
    return int(sum(per_site[p] for p in BACKGROUND_TARGETS))


def background_spikes(model, seed: int, n_sites: int, per_site: dict, duration: float,
                      site_stream) -> AfferentSpikes:
    """Events of every site's ``BG`` units (site ``s`` owns units ``[s U, (s+1) U)``),
    Poisson at ``dorsal_horn.background.rate``, at most one per unit and network step.

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed.
    n_sites : int
        Number of body sites.
    per_site : dict of str to int
        Neurons per site of each dorsal-horn population.
    duration : float
        Simulated time, s.
    site_stream : callable
        ``site_stream(s)``: the keys of site ``s``'s random stream
        (:func:`painsim.circuits.dorsal_horn.site_stream`).

    Returns
    -------
    AfferentSpikes
        ``U x n_sites`` units, ``U`` from :func:`background_units`.
    """
    units = background_units(model, per_site)
    n = units * n_sites
    rate = model.si("dorsal_horn.background.rate")
    if units == 0 or duration <= 0:
        return AfferentSpikes(np.zeros(0), np.zeros(0, dtype=np.int64), n)
    dt = model.si("network.dt")
    stride = int(duration / dt) + 2          # steps per unit in the (unit, step) key
    times, ids = [], []
    for s in range(n_sites):
        t, unit = poisson_train(rate, 0.0, duration, units, rng_for(seed, "background", *site_stream(s)))
        # one event per unit and step: merge coincident events (module docstring)
        key = np.unique(unit * stride + np.floor(t / dt).astype(np.int64))
        unit, step = np.divmod(key, stride)
        times.append(step * dt)
        ids.append(unit + s * units)
    t, i = np.concatenate(times), np.concatenate(ids)
    keep = t < duration
    return AfferentSpikes.merge([(t[keep], i[keep])], n)


def background_projections(model, per_site: dict, n_sites: int) -> list[Projection]:
    """The one-to-one AMPA synapses of the ``BG`` units onto their neurons (every site).

    Parameters
    ----------
    model : Model
    per_site : dict of str to int
        Neurons per site of each dorsal-horn population.
    n_sites : int
        Number of body sites.

    Returns
    -------
    list of Projection
        One per connection of :data:`BACKGROUND_CONNECTIONS` (empty while the rate is 0).
    """
    g = model.si("dorsal_horn.background.conductance")
    units = background_units(model, per_site)
    projs, offset = [], 0
    for conn in BACKGROUND_CONNECTIONS:
        n_post = per_site[conn.target] if units else 0  # no barrage: empty projections
        local = np.arange(n_post, dtype=np.int64)
        pre = np.concatenate([offset + local + s * units for s in range(n_sites)])
        post = np.concatenate([local + s * n_post for s in range(n_sites)])
        w = np.full(pre.size, g)
        zero = np.zeros(pre.size)
        projs.append(Projection(conn.name, conn.source, conn.target, conn.kind, pre, post,
                                {"w_ampa": w, "w_nmda": zero, "w_nk1": zero, "mor_share": zero,
                                 "gabab_share": zero}, 0.0))
        offset += n_post
    return projs
