"""Rate limits on what one conversation or one client may do, shared by the chat and the actions.

The counts live in a ``limits`` storage: in memory by default (each process counts its own), or
a shared one such as ``redis://host:6379`` when several servers answer the same customers.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import parse, storage, strategies


@dataclass(frozen=True)
class Decision:
    """Whether one more request is allowed, and if not, in how many seconds it would be."""

    allowed: bool
    retry_after_seconds: int = 0


class RateLimiter:
    """Moving-window limits such as ``30/minute`` over one storage, counted per key."""

    def __init__(self, storage_uri: str = "memory://"):
        # The strategy holds the storage only weakly: the limiter keeps it alive.
        self._counts = storage.storage_from_string(storage_uri)
        self._strategy = strategies.MovingWindowRateLimiter(self._counts)

    def hit(self, limit: str, *key: str) -> Decision:
        """Count one request for ``key`` against ``limit``; refused requests are not counted."""
        if self._strategy.hit(parse(limit), *key):
            return Decision(True)
        return Decision(False, self._retry_after(limit, *key))

    def hit_all(self, limits: dict[str, str]) -> Decision:
        """Count one request against several limits (key: limit); refused if any one refuses.

        A refused request is counted against none of them.
        """
        exhausted = [(limit, key) for key, limit in limits.items()
                     if not self._strategy.test(parse(limit), key)]
        if exhausted:
            return Decision(False, max(self._retry_after(limit, key) for limit, key in exhausted))
        for key, limit in limits.items():
            self._strategy.hit(parse(limit), key)
        return Decision(True)

    def _retry_after(self, limit: str, *key: str) -> int:
        reset_at, _remaining = self._strategy.get_window_stats(parse(limit), *key)
        return max(1, math.ceil(reset_at - time.time()))
