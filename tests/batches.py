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
