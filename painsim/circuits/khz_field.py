"""The electric field of kHz spinal cord stimulation acting on dorsal-horn neurons.

Clinical 10 kHz SCS (1-5 mA) is paresthesia-free and likely does not activate
dorsal-column fibres directly (Lempka et al. 2015 Anesthesiology 122:1362 [checked:
abstract]; in this model the biophysical recruitment fires them only near or above
the top of that range, ``docs/fibers.md``).  Low-intensity, sub-sensory 10 kHz SCS,
but not 1 or 5 kHz, selectively activates inhibitory interneurons of the superficial
dorsal horn (Lee et al. 2020 Neuroscience 428:132 [checked: abstract]; again versus
burst SCS, Lee et al. 2021 Biomedicines 9:568 [checked: abstract]), and kHz fields
activate dorsal-horn neurons more the higher their frequency, 1 to 10 kHz (Biomedicines
2024 12:1346, calcium imaging in slices [checked: abstract]).  Dorsal-column axons fire
asynchronously or block only at high amplitudes (Crosby, Janik & Grill 2017 J
Neurophysiol 117:136 [checked: abstract]), which the biophysical recruitment computes.

Mechanism (one term per dorsal-horn neuron ``k`` of population ``P``): the pulses of a
kHz train, each too short to excite a soma, are rectified by the membrane and summed
over its time constant into a sustained depolarising conductance toward ``e_exc``::

    g_field,k(t) = c * s_P * x_k * kappa * I_rect(t),
    I_rect(t)    = sum over the kHz pulses j of the last step of |A_j| * w_j / dt,
    kappa        = g_rheobase / (f_ref * w_ref * A_act),

the mean rectified current of the train (its rate x phase width x amplitude: one
polarity of the charge-balanced pulse, an ideal half-wave rectifier, chosen) times a
coupling ``kappa`` set so that a train at the reference rate and width (10 kHz, 30 us)
of amplitude ``A_act`` brings a neuron of sensitivity 1 exactly to its rheobase
conductance ``g_rheobase = g_leak (v_th - e_rest) / (e_exc - v_th)``.  ``s_P`` is the
population's sensitivity (Lee 2020: inhibitory interneurons; ``models/gate_control.toml``
``[dorsal_horn.field]``), ``x_k`` a lognormal per-neuron factor (position and orientation
in the field), ``c`` the coupling switch (0 removes the term).  At a fixed phase width
the drive grows with the pulse rate, so 1 kHz delivers a tenth of 10 kHz at the same
amplitude (the frequency dependence of Lee 2020 and Biomedicines 2024; whether their
pulse widths were equal across frequencies was not checked).  Only trains at or above
:data:`painsim.fibers.registry.KHZ_PULSE_RATE` (1 kHz) from a dorsal-column
(``target="dorsal_column"``) electrical lead carry the term: slower trains act through
the afferents they recruit, as before, and their results are unchanged bit for bit.

Implementation (no Python in the time loop): ``I_rect`` per network step is an integer
number of :data:`CURRENT_STEP` quanta, written in binary across :data:`FIELD_BITS`
generator units per site (population ``FIELD``): unit ``b`` emits an event in every step
whose count has bit ``b`` set, and its synapse onto neuron ``k`` adds ``2**b`` quanta
of conductance to ``g_ampa`` (decay ``tau_ampa``), so the conductance follows
``I_rect`` smoothed over ``tau_ampa`` (steady state exact).  The AMPA variable is only
the carrier: the field synapses have no NMDA, NK1 or opioid-sensitive part.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..fibers import AfferentSpikes
from ..fibers.registry import KHZ_PULSE_RATE, pulse_rates
from ..rng import rng_for
from .elements import Connection, Projection

__all__ = ["FIELD_RANGE", "FIELD_POPULATION", "FIELD_BITS", "CURRENT_STEP", "FIELD_CONNECTIONS", "FIELD_TARGETS", "FIELD_STREAM",
           "field_coupling", "khz_pulses", "rectified_current", "field_counts", "field_spikes", "field_projections"]

#: Generator population that carries the field drive (``FIELD_BITS`` units per site).
FIELD_POPULATION = "FIELD"
#: Binary digits of the drive per step (chosen: up to ~1 A of mean rectified current,
#: far beyond any device, at a resolution of :data:`CURRENT_STEP`).
FIELD_BITS = 20
#: Quantum of the mean rectified current (A; chosen: 0.3 % of the 0.3 mA that a 10 kHz,
#: 30 us, 1 mA train delivers).
CURRENT_STEP = 1e-6
#: Entry of the per-neuron sensitivity draws in the "initial" random stream
#: (``rng_for(seed, "initial", FIELD_STREAM + k, site)``; other layers use 3-5, 20+, 40+, 60+, 70, 80; the dorsal-horn thresholds 990+).
FIELD_STREAM = 900
#: Dorsal-horn populations the field reaches and their sensitivity keys.
FIELD_TARGETS = {"IN": "sensitivity_in", "EX": "sensitivity_ex", "PN": "sensitivity_pn"}
#: The field's projections (generator units -> dorsal-horn neurons of the same site).
FIELD_CONNECTIONS = tuple(Connection(f"field_{p.lower()}", FIELD_POPULATION, p, "exc") for p in FIELD_TARGETS)


def field_coupling(model) -> float:
    """``kappa`` (S per A of mean rectified current): the coupling that brings a neuron
    of sensitivity 1 to its rheobase conductance under the reference train at
    ``dorsal_horn.field.activation_amplitude`` (module docstring).

    Parameters
    ----------
    model : Model

    Returns
    -------
    float
        ``kappa``, S/A.

    Raises
    ------
    ParameterError
        If the reference train (rate x width x activation amplitude) carries no current.
    """
    g_leak = model.si("dorsal_horn.neuron.leak_conductance")
    v_th, e_rest = model.si("dorsal_horn.neuron.threshold"), model.si("dorsal_horn.neuron.rest")
    e_exc = model.si("dorsal_horn.synapse.e_excitatory")
    g_rheobase = g_leak * (v_th - e_rest) / (e_exc - v_th)
    ref = (model.si("dorsal_horn.field.reference_rate") * model.si("dorsal_horn.field.reference_width")
           * model.si("dorsal_horn.field.activation_amplitude"))
    if ref <= 0:
        raise ParameterError("dorsal_horn.field.activation_amplitude", ref, "a reference train with current > 0")
    return g_rheobase / ref


def khz_pulses(stimulus) -> np.ndarray:
    """Boolean mask of the pulses of ``stimulus`` that carry the field term: pulses of
    an electrical dorsal-column waveform at a rate >= ``KHZ_PULSE_RATE``.

    Parameters
    ----------
    stimulus : Waveform or None
        One device's waveform.

    Returns
    -------
    numpy.ndarray of bool
        One entry per pulse of ``stimulus`` (empty for None); all False unless its
        amplitudes are currents or fiber-threshold multiples.
    """
    if (stimulus is None or stimulus.n_pulses == 0 or stimulus.modality != "electrical"
            or stimulus.target != "dorsal_column" or stimulus.amplitude_kind not in ("current", "threshold")):
        return np.zeros(0 if stimulus is None else stimulus.n_pulses, dtype=bool)
    order = np.argsort(stimulus.onsets, kind="stable")
    mask = np.zeros(stimulus.n_pulses, dtype=bool)
    mask[order] = pulse_rates(stimulus) >= KHZ_PULSE_RATE * (1 - 1e-9)
    return mask


def rectified_current(model, stimulus, dt: float, duration: float) -> np.ndarray:
    """Mean rectified current ``I_rect`` (A) of the kHz pulses in every network step.

    Currents are used as given; amplitudes in multiples of a fiber threshold are
    converted with the fraction model's calibration (``afferents.<class>.threshold``
    x ``afferents.Abeta.threshold_current``).

    Parameters
    ----------
    model : Model
    stimulus : Waveform or None
        One device's waveform (:func:`khz_pulses` selects its pulses).
    dt : float
        Network time step, s.
    duration : float
        Simulated time, s.

    Returns
    -------
    numpy.ndarray
        One value per network step, A.
    """
    n_steps = int(np.ceil(duration / dt - 1e-9))
    out = np.zeros(n_steps)
    mask = khz_pulses(stimulus)
    if not mask.any():
        return out
    amps = np.abs(stimulus.amplitudes[mask])
    if stimulus.amplitude_kind == "threshold":
        amps = amps * model.si(f"afferents.{stimulus.threshold_class}.threshold") \
            * model.si("afferents.Abeta.threshold_current")
    step = np.round(stimulus.onsets[mask] / dt).astype(np.int64)
    keep = (step >= 0) & (step < n_steps)
    np.add.at(out, step[keep], amps[keep] * stimulus.widths[mask][keep] / dt)
    return out


#: The words of the refusal of a kHz field beyond the field term's range (:func:`field_counts`), by
#: which a sweep names that refusal by its swept amplitude (:mod:`painsim.sweep.devices`).
FIELD_RANGE = "the field term's range"


def field_counts(model, placed, duration: float) -> dict[int, np.ndarray]:
    """``{site: I_rect / CURRENT_STEP}`` per network step (whole numbers) of every site a kHz train
    reaches, ``I_rect`` of a site the sum over the devices that reach it (one dorsal-column lead
    per site: :mod:`painsim.devices`), refused where it leaves the field term's range.  What
    :func:`field_spikes` encodes, and the check that sweeps and files make of every distinct
    device before anything runs (it draws nothing: its cost is one pass over the pulses).

    Parameters
    ----------
    model : Model
    placed : sequence of (Waveform, sequence of int)
        One waveform and the sites it reaches per device.
    duration : float
        Simulated time, s.

    Returns
    -------
    dict of int to numpy.ndarray
        One int64 count per network step for each site a kHz train reaches.

    Raises
    ------
    ParameterError
        If a site's mean rectified current reaches ``2**FIELD_BITS * CURRENT_STEP`` (named
        ``stimulus``).
    """
    dt = model.si("network.dt")
    current: dict[int, np.ndarray] = {}
    for waveform, sites in placed:
        i_rect = rectified_current(model, waveform, dt, duration)
        if i_rect.any():
            for s in sites:
                current[s] = current[s] + i_rect if s in current else i_rect
    counts = {}
    for s, i_rect in current.items():
        counts[s] = np.round(i_rect / CURRENT_STEP).astype(np.int64)
        if counts[s].max() >= 2 ** FIELD_BITS:
            raise ParameterError("stimulus", f"{counts[s].max() * CURRENT_STEP:.3g} A mean rectified current",
                                 f"less than {2 ** FIELD_BITS * CURRENT_STEP:.3g} A ({FIELD_RANGE})")
    return counts


def field_spikes(model, placed, n_sites: int, duration: float) -> AfferentSpikes:
    """Events of the ``FIELD`` units of every site (units ``[s B, (s+1) B)`` of site ``s``):
    the binary digits of ``I_rect / CURRENT_STEP`` per network step (module docstring;
    :func:`field_counts`).  ``placed`` holds one ``(waveform, sites)`` pair per device
    (:mod:`painsim.devices`); sites no kHz train reaches receive nothing.

    Parameters
    ----------
    model : Model
    placed : sequence of (Waveform, sequence of int)
        One waveform and the sites it reaches per device.
    n_sites : int
        Number of body sites.
    duration : float
        Simulated time, s.

    Returns
    -------
    AfferentSpikes
        ``FIELD_BITS x n_sites`` units.

    Raises
    ------
    ParameterError
        If a site's mean rectified current reaches ``2**FIELD_BITS * CURRENT_STEP`` (:func:`field_counts`).
    """
    dt = model.si("network.dt")
    parts = []
    for s, counts in field_counts(model, placed, duration).items():
        bits = (counts[:, None] >> np.arange(FIELD_BITS)[None, :]) & 1
        step, unit = np.nonzero(bits)
        parts.append((step * dt, unit.astype(np.int64) + s * FIELD_BITS))
    return AfferentSpikes.merge(parts, FIELD_BITS * n_sites)


def field_projections(model, seed: int, per_site: dict, n_sites: int) -> list[Projection]:
    """The field's synapses of one point: every ``FIELD`` unit of a site onto every
    neuron of a target population of that site whose sensitivity is > 0, with the
    AMPA-carried conductance quantum ``2**b * CURRENT_STEP * kappa * dt / tau_ampa``
    times ``c * s_P * x_k`` (``x_k`` lognormal, drawn from the point's seed).

    Parameters
    ----------
    model : Model
    seed : int
        The point's seed (sensitivity draws, :data:`FIELD_STREAM`).
    per_site : dict of str to int
        Neurons per site of each target population.
    n_sites : int
        Number of body sites.

    Returns
    -------
    list of Projection
        One per connection of :data:`FIELD_CONNECTIONS` (empty where no gain is > 0).

    Raises
    ------
    ParameterError
        As :func:`field_coupling`.
    """
    sec = model.section("dorsal_horn.field")
    quantum = (sec["coupling"] * field_coupling(model) * CURRENT_STEP * model.si("network.dt")
               / model.si("dorsal_horn.synapse.tau_ampa"))
    projs = []
    for k, conn in enumerate(FIELD_CONNECTIONS):
        n_post = per_site[conn.target]
        pres, posts, g = [], [], []
        for s in range(n_sites):
            x = np.exp(rng_for(seed, "initial", FIELD_STREAM + k, s).normal(0.0, sec["sensitivity_spread"], n_post))
            gain = quantum * sec[FIELD_TARGETS[conn.target]] * x
            if not np.any(gain > 0):
                continue
            post, bit = np.meshgrid(np.arange(n_post), np.arange(FIELD_BITS), indexing="ij")
            keep = gain[post] > 0
            pres.append(bit[keep] + s * FIELD_BITS)
            posts.append(post[keep] + s * n_post)
            g.append(gain[post[keep]] * 2.0 ** bit[keep])
        cat = (lambda parts, dtype: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype))
        w = cat(g, float)
        projs.append(Projection(conn.name, conn.source, conn.target, conn.kind, cat(pres, np.int64),
                                cat(posts, np.int64), {"w_ampa": w, "w_nmda": np.zeros(w.size),
                                                       "w_nk1": np.zeros(w.size), "mor_share": np.zeros(w.size),
                                                       "gabab_share": np.zeros(w.size)},
                                0.0))
    return projs
