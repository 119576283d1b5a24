"""Random streams: a point's randomness depends only on its seed and the stream.

Every random draw in painsim comes from :func:`rng_for` (numpy; brian2 draws
nothing), so a point's result is independent of its batch companions, the batch
size, the number of workers and the backend.
"""
from __future__ import annotations

import numpy as np

__all__ = ["STREAM", "rng_for"]

#: One integer per purpose; never renumber (results of saved seeds would change).
STREAM = {"velocity": 1, "threshold": 2, "natural": 3, "ectopic": 4, "connectivity": 5,
          "initial": 6, "recruitment": 7, "tms": 8, "site": 9}


def rng_for(seed: int, stream: str, *extra: int) -> np.random.Generator:
    """Independent generator for one purpose of one point (seeded, reproducible)."""
    return np.random.default_rng([int(seed), STREAM[stream], *map(int, extra)])
