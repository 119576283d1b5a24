"""Helpers shared by the circuit tests (not a test module)."""
from __future__ import annotations

import painsim as ps


def simulate_by_label(requests, duration) -> dict[str, list]:
    """:func:`painsim.simulate_batch` of ``requests``, the results grouped by request label
    (within a label, in the order of the requests: e.g. one per seed)."""
    out: dict[str, list] = {}
    for q, r in zip(requests, ps.simulate_batch(requests, duration)):
        out.setdefault(q.label, []).append(r)
    return out


def exceeds(larger, smaller) -> bool:
    """Whether the pooled spike count ``larger`` exceeds ``smaller`` by more than 3 Poisson standard
    deviations of their difference.  For two independent Poisson counts the difference has the
    variance of their sum, estimated by the sum of the counts; 3 sd leaves a one-sided false
    positive below 0.2 % per comparison when the two conditions do not differ."""
    return larger - smaller > 3 * (larger + smaller) ** 0.5
