"""Seeded random streams for the lab's simulation, one per (purpose, month), drawn for every subject at once.

A stream is a counter-based generator (Philox) keyed by the scenario's seed and the purpose, its counter set by the
month. Drawing ``n`` uniforms gives subject ``i`` the ``i``-th: the first ``n`` draws of a stream do not depend
on ``n``, so a resident's behaviour is the same in a city of 1,000 as in one of 790,000, and the same under every
scheme compared (what differs is only what the scheme makes of it). Nothing here reads a clock or global state.
"""

from __future__ import annotations

import hashlib

import numpy as np
from scipy.stats import poisson as _poisson


class Streams:
    """Every random draw the simulation makes, from ``seed``."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def _generator(self, purpose: str, month: int) -> np.random.Generator:
        digest = hashlib.sha256(f"socialcredit-lab/{self.seed}/{purpose}".encode()).digest()
        key = int.from_bytes(digest[:16], "little")
        return np.random.Generator(np.random.Philox(key=key, counter=[0, 0, 0, month]))

    def uniform(self, purpose: str, month: int, n: int) -> np.ndarray:
        """``n`` uniforms in [0, 1): subject ``i`` gets element ``i``, whatever ``n`` is."""
        return self._generator(purpose, month).random(n)

    def poisson(self, purpose: str, month: int, means: np.ndarray) -> np.ndarray:
        """A Poisson count per subject with the given means, by inversion of one uniform each (so that, like
        :meth:`uniform`, subject ``i``'s count depends only on its own mean)."""
        return poisson_counts(self.uniform(purpose, month, len(means)), means)


SMALL_MEAN = 30.0
"""Means up to this are inverted by summing the distribution term by term; larger ones by scipy."""


def poisson_counts(u: np.ndarray, means: np.ndarray) -> np.ndarray:
    """The Poisson quantile of each uniform: the least ``k`` whose cumulative probability reaches ``u``.

    A month's means are small (most counts are 0 or 1), so summing the terms for the elements still below their
    uniform takes a few passes over a shrinking set, where scipy's ``poisson.ppf`` solves each element apart: the
    same counts (``tests/lab`` compare them), many times faster for a city of 790,000.
    """
    means = np.maximum(np.asarray(means, dtype=float), 0.0)
    counts = np.zeros(len(means), np.int64)
    small = means <= SMALL_MEAN
    term = np.exp(-means)
    reached = term.copy()
    below = np.flatnonzero(small & (u > reached))
    k = 0
    while below.size:
        k += 1
        term[below] *= means[below] / k
        reached[below] += term[below]
        counts[below] = k
        below = below[u[below] > reached[below]]
    large = np.flatnonzero(~small)
    if large.size:
        found = _poisson.ppf(u[large], means[large])
        counts[large] = np.nan_to_num(found, nan=0.0).astype(np.int64)
    return counts
