"""Rate limits: a token bucket per client, for what anyone may ask without a token (the full-number lookup).

Each client (an address, or a party's code) has a bucket of ``burst`` tokens, refilled at ``per_minute`` a
minute; a request takes one or is refused with :class:`~socialcredit.errors.TooManyRequests`, which says when
the next token comes. The clock is the platform's, so tests and replays see the same limits. Buckets live in
memory, one set per server process: with several processes a client gets each process's allowance, which the
operator sets accordingly. Full (idle) buckets are dropped once there are many, so that a flood of addresses
cannot grow memory without bound.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from socialcredit.errors import TooManyRequests
from socialcredit.service.context import Clock

MAX_BUCKETS = 100_000
"""Buckets kept before idle ones are dropped."""


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """``burst`` requests at once per client, then ``per_minute`` a minute."""

    def __init__(self, *, per_minute: int, burst: int, clock: Clock, what: str = "requests") -> None:
        if per_minute < 1 or burst < 1:
            raise ValueError("a rate limit allows at least one request")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self.what = what
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        """One request of ``client``; TooManyRequests (with the seconds to wait) when its bucket is empty."""
        now = self.clock().timestamp()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                if len(self._buckets) >= MAX_BUCKETS:
                    self._drop_idle(now)
                bucket = self._buckets[client] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + max(now - bucket.at, 0.0) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return
            wait = math.ceil((1.0 - bucket.tokens) / self.rate)
        raise TooManyRequests(
            f"too many {self.what} from this client: {int(self.burst)} at once, then {round(self.rate * 60)} a "
            f"minute; try again in {wait} s",
            retry_after=wait,
        )

    def _drop_idle(self, now: float) -> None:
        full = [c for c, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.burst]
        for client in full:
            del self._buckets[client]
        if len(self._buckets) >= MAX_BUCKETS:  # all busy: forget the oldest half rather than grow
            for client in sorted(self._buckets, key=lambda c: self._buckets[c].at)[: MAX_BUCKETS // 2]:
                del self._buckets[client]
