"""Evoked responses in the validation table: the SEP collision test of spinal cord stimulation.

The test pulses and the lead of ``experiments/sep_collision.toml`` (two devices at once,
:mod:`painsim.devices`), read as :func:`painsim.analysis.sep_metrics` reads them: the evoked
response of the painful site's dorsal column nuclei to the test pulses, with and without the
lead, on N_SEEDS circuits.  Urasaki et al. 2014 (Neuromodulation 17:746 [checked: abstract])
report the direction only: the cortical SEP to posterior tibial nerve pulses was clearly reduced
by SCS in the patients whose dorsal columns it activated.
"""
from __future__ import annotations

import copy

import numpy as np

from ..analysis import sep_metrics
from ..files import load_experiment, run_experiment
from .measurements import N_SEEDS

__all__ = ["SEP_ALONE", "SEP_WITH_SCS", "sep_collision_ratio"]

#: The conditions of ``experiments/sep_collision.toml`` the ratio reads.
SEP_ALONE = "test pulses"
SEP_WITH_SCS = "test pulses + SCS"


def sep_collision_ratio(seed: int) -> float:
    """Evoked response to the test pulses during the lead's tonic SCS over that without it,
    each summed over N_SEEDS circuits from ``seed`` (one network: the two conditions of
    ``sep_collision`` for each circuit, :data:`SEP_ALONE` and :data:`SEP_WITH_SCS`).

    Parameters
    ----------
    seed : int
        Seed of the first circuit; circuit ``s`` has seed ``s``.

    Returns
    -------
    float
        The ratio (1: no change); NaN when there is no response without the lead.
    """
    spec = load_experiment("sep_collision")
    base = {c["label"]: c for c in spec["condition"]}
    conds = [dict(copy.deepcopy(base[label]), label=f"{label} (circuit {s})", seed=s)
             for s in range(seed, seed + N_SEEDS) for label in (SEP_ALONE, SEP_WITH_SCS)]
    exp = {k: v for k, v in spec["experiment"].items() if k != "figure"}
    # each condition carries its circuit's seed (a seed override would be refused: run_conditions)
    ds = run_experiment({"experiment": dict(exp, name="validate_sep_collision", seed=seed), "condition": conds})
    sep = sep_metrics(ds)["sep"].values.reshape(N_SEEDS, 2)
    alone, with_scs = np.nansum(sep[:, 0]), np.nansum(sep[:, 1])
    return float(with_scs / alone) if alone > 0 else float("nan")
