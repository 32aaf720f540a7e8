"""Per-connection rate limiting: a token bucket.

Each connection may send ``rate`` frames per second on average, with bursts of
up to ``burst`` frames. A frame that finds the bucket empty is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["TokenBucket"]


class TokenBucket:
    """Decides, frame by frame, whether a connection is within its rate limit."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self.rate = rate
        # A burst below one frame would refuse everything.
        self.burst = max(1.0, rate) if burst is None else burst
        self._clock = clock
        self._tokens = self.burst
        self._updated = clock()

    def allow(self) -> bool:
        """Take one token if there is one; return whether the frame may pass."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False
