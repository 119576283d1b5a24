"""CF-style labels of everything painsim saves: ``units`` (UDUNITS strings, "1" for
dimensionless) and ``long_name`` for every data variable and coordinate.

Results are built by several layers (simulation, experiments, courses, cohorts,
sweeps); :func:`label` fills in the labels a variable lacks from one vocabulary
(never overriding labels its producer gave), and :func:`painsim.io.save` applies
it to everything written, so that no variable reaches disk without units.
Base layer: imports nothing of painsim.

The vocabulary follows the CF conventions (``units`` parseable by UDUNITS;
text, categorical and flag variables carry "1").  Pain ratings are on the
0-10 numeric rating scale (NRS), a dimensionless number.
"""
from __future__ import annotations

import re

__all__ = ["VOCABULARY", "PATTERNS", "UNITS_FROM", "label", "unlabelled"]

#: Exact variable names -> (units, long_name).
VOCABULARY: dict[str, tuple[str, str]] = {
    # simulation results
    "time": ("s", "centre of the rate bin"),
    "population": ("1", "population name"),
    "site": ("1", "body site index"),
    "spike_time": ("s", "spike time"),
    "spike_neuron": ("1", "neuron index within its population"),
    "spike_population": ("1", "population of each spike (flag)"),
    "rates": ("Hz", "population firing rate per neuron in time bins"),
    "population_size": ("1", "number of neurons of the population"),
    "population_site_neurons": ("1", "neurons per body site of a population laid out site by site (neuron k at "
                                "site k // this); 0: not laid out by site"),
    "site_pn_rate": ("Hz", "projection-neuron output per body site after the transient"),
    "pn_rate": ("Hz", "projection-neuron output at the painful site after the transient"),
    "spinal_pain": ("1", "pain score from spinal output (NRS 0-10)"),
    "pain": ("1", "pain score (NRS 0-10)"),
    "gate_index": ("1", "inhibitory share of the synaptic drive onto projection neurons (0 open, 1 closed)"),
    "map_rate": ("Hz", "S1 map firing rate per excitatory unit"),
    "map_overactive_area": ("m^2", "S1 map area above the overactivity rate"),
    "map_excess_rate": ("Hz", "mean S1 unit rate above the overactivity rate over the map"),
    "map_pain": ("1", "the pain map's term of the pain score (NRS 0-10)"),
    "map_centroid": ("m", "rate-weighted centroid of the active S1 map"),
    "map_x": ("m", "x position of the S1 map column"),
    "map_y": ("m", "y position of the S1 map row"),
    "axis": ("1", "map axis (x, y)"),
    "relay_rate": ("Hz", "thalamic relay rate per site"),
    "m1_rate": ("Hz", "mean M1 firing rate"),
    "descending_rate": ("Hz", "mean PAG/RVM (descending) firing rate"),
    # S1 pain-map metrics (painsim.analysis.pain_map_metrics)
    "site_area": ("m^2", "S1 map area of the site's winner-take-all territory"),
    "site_centroid_x": ("m", "x of the rate-weighted centroid of the S1 units above the overactivity rate, "
                        "site stimulated"),
    "site_pain": ("1", "pain score of the site stimulated (NRS 0-10)"),
    "site_maps": ("Hz", "S1 map firing rate per excitatory unit, site stimulated"),
    "painful_site": ("1", "index of the painful body site"),
    "painful_overactive_area": ("m^2", "S1 map area above the overactivity rate, painful site stimulated"),
    "territory": ("1", "site whose stimulation drives the S1 unit most above the overactivity rate "
                  "(-1: none)"),
    # experiments and conditions
    "condition": ("1", "experimental condition"),
    "seed": ("1", "random seed of the point"),
    "parameters": ("1", "model parameters (JSON)"),
    "stimulus": ("1", "stimulus waveform (JSON)"),
    "noxious": ("1", "noxious natural stimulus (JSON)"),
    "touch": ("1", "touch natural stimulus (JSON)"),
    "label": ("1", "condition label"),
    "model": ("1", "model name"),
    "protocol": ("1", "conditioning or treatment protocol"),
    "pain_before": ("1", "pain score before conditioning (NRS 0-10)"),
    "pain_after": ("1", "pain score after conditioning (NRS 0-10)"),
    "pn_rate_before": ("Hz", "projection-neuron output before conditioning"),
    "pn_rate_after": ("Hz", "projection-neuron output after conditioning"),
    # courses
    "patient": ("1", "patient index"),
    "day": ("d", "day from the first session"),
    "session": ("1", "session index"),
    "follow_up": ("d", "follow-up day"),
    "arm": ("1", "treatment arm"),
    "relief": ("%", "percent relief from baseline pain"),
    "course_day": ("d", "day from the first session, on the grid of a course's efficacy"),
    "relief_after_session": ("%", "percent relief right after each session"),
    "pain_after_session": ("1", "pain score right after each session (NRS 0-10)"),
    "pn_rate_after_session": ("Hz", "projection-neuron output right after each session"),
    "session_pn_rate": ("Hz", "projection-neuron output during each session"),
    "session_day": ("d", "day of each session"),
    "baseline_pain": ("1", "pain score before the first session (NRS 0-10)"),
    "baseline_pn_rate": ("Hz", "projection-neuron output before the first session"),
    "map_overactive_area_after_session": ("m^2", "S1 overactive area right after each session"),
    "map_rate_baseline": ("Hz", "S1 map rates before the first session"),
    "map_rate_final": ("Hz", "S1 map rates at the last test day"),
    # cohorts
    "etiology": ("1", "etiology of the neuropathic pain"),
    "stroke_type": ("1", "stroke type (central post-stroke pain)"),
    "ectopic_activity": ("1", "ectopic afferent activity (fraction)"),
    "disinhibition": ("1", "loss of spinal inhibition (fraction)"),
    "sensitization": ("1", "multiplier of C-synapse excitation (central sensitization; 1 = none)"),
    "map_reorganization": ("1", "enlargement of the painful site's S1 territory (fraction)"),
    "thalamic_lesion": ("1", "thalamic lesion (fraction of relay neurons lost)"),
    "thalamic_drive": ("nS", "tonic excitatory drive of the thalamic relay"),
    "thalamic_disinhibition": ("1", "loss of reticular-thalamic inhibition (fraction)"),
    "cortical_disinhibition": ("1", "loss of cortical inhibition (fraction)"),
    "corticothalamic_damage": ("1", "corticothalamic damage (fraction)"),
    "descending_integrity": ("1", "integrity of descending inhibition (fraction)"),
    "stimulation_threshold": ("1", "M1 threshold under the coil (fraction of resting motor threshold)"),
    "afferent_threshold": ("mA", "Aβ threshold current under the electrode"),
    "simulated": ("1", "simulated statistic"),
    "sim_ci_low": ("1", "lower bound of the simulated statistic's 95 % interval"),
    "sim_ci_high": ("1", "upper bound of the simulated statistic's 95 % interval"),
    "published": ("1", "published statistic"),
    "pub_ci_low": ("1", "lower bound of the published 95 % interval"),
    "pub_ci_high": ("1", "upper bound of the published 95 % interval"),
    "responder_rate": ("1", "fraction of responders"),
    "responder_ci_low": ("1", "lower bound of the responder fraction's Wilson 95 % interval"),
    "responder_ci_high": ("1", "upper bound of the responder fraction's Wilson 95 % interval"),
    "responder_n": ("1", "number of patients in the group"),
    "statistic": ("1", "statistic name"),
    "group": ("1", "patient group"),
    "threshold": ("1", "relief threshold (fraction)"),
    # QST profiles
    "test": ("1", "QST test"),
    "measure": ("1", "QST measure (a DFNS sign)"),
    # sweeps
    "status": ("1", "run status (done, failed or pending)"),
    "error": ("1", "error message of a failed point"),
    "repeat": ("1", "repeat (seed) index of the point"),
    "point": ("1", "design point index"),
}

#: Name patterns -> (units, long_name template with {0}, {1} for the groups).
PATTERNS: tuple[tuple[str, str, str], ...] = (
    (r"^(spike|synapse_\w+?)_(condition|patient|point|batch)$", "1", "index along {1!r} of each entry"),
    (r"^pre_(\w+)$", "1", "presynaptic neuron index of {0} synapses"),
    (r"^post_(\w+)$", "1", "postsynaptic neuron index of {0} synapses"),
    (r"^w_(\w+)_after_session$", "1", "efficacy of {0} synapses right after each session"),
    (r"^w_(\w+)_late$", "1", "late (consolidated) efficacy change of {0} synapses"),
    (r"^w_(\w+)$", "1", "efficacy of {0} synapses"),
    (r"^responder_(\d+)$", "1", "relief >= {0} % (1 = responder)"),
    (r"^rate_(\w+)$", "Hz", "mean firing rate of {0}"),
)


#: The attribute of a variable whose elements are in different units (a validation table's values:
#: Hz for one target, °C for the next): it names the variable holding each element's unit, in place
#: of a ``units`` attribute (CF has no per-element unit; a single "1" would label a rate dimensionless).
UNITS_FROM = "units_from"


def _lookup(name: str) -> tuple[str, str] | None:
    if name in VOCABULARY:
        return VOCABULARY[name]
    for pattern, units, template in PATTERNS:
        m = re.match(pattern, name)
        if m:
            return units, template.format(*m.groups())
    return None


def label(ds):
    """Fill in ``units`` and ``long_name`` of every variable and coordinate of ``ds``
    that lacks them, from :data:`VOCABULARY` and :data:`PATTERNS` (in place; returns ``ds``).

    Labels already present are kept.  Variables the vocabulary does not know are
    left alone: :func:`unlabelled` lists them.

    Parameters
    ----------
    ds : xarray.Dataset
        The dataset, labelled in place.

    Returns
    -------
    xarray.Dataset
        ``ds`` itself.
    """
    for name, variable in ds.variables.items():
        attrs = variable.attrs
        if ("units" in attrs or UNITS_FROM in attrs) and "long_name" in attrs:
            continue
        found = _lookup(str(name))
        if found is not None:
            if UNITS_FROM not in attrs:  # its elements' units are elsewhere: no single unit
                attrs.setdefault("units", found[0])
            attrs.setdefault("long_name", found[1])
    return ds


def unlabelled(ds) -> list[str]:
    """Names of the variables and coordinates of ``ds`` without ``units`` or ``long_name``
    (a :data:`UNITS_FROM` attribute naming a variable of ``ds`` stands for ``units``).

    Parameters
    ----------
    ds : xarray.Dataset
        The dataset.

    Returns
    -------
    list of str
        The names, sorted.
    """
    def has_units(attrs) -> bool:
        return "units" in attrs or str(attrs.get(UNITS_FROM)) in ds.variables

    return sorted(str(v) for v in ds.variables if not has_units(ds[v].attrs) or "long_name" not in ds[v].attrs)
