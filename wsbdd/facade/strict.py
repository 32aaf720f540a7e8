"""Strict mode: at a scenario's end, every message a client received was expected by a step.

The wait for stragglers runs on the loop (:func:`settle`); what is left over and
the sentence strict mode fails with are pure (:func:`unexpected`,
:func:`strict_sentence`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from wsbdd.expect import Noise, describe_messages, unclaimed
from wsbdd.io.client import frames_from
from wsbdd.io.pool import ClientPool
from wsbdd.model.message import Message

__all__ = ["settle_limit", "settle", "unexpected", "strict_sentence"]


def settle_limit(window: float) -> float:
    """How long :func:`settle` may wait in all: ten windows, at least one second."""
    return max(1.0, 10 * window)


async def settle(pool: ClientPool, window: float) -> None:
    """On the loop: wait until no frame has arrived for ``window`` seconds (at most
    :func:`settle_limit`), so a reply still on its way when the last step ended is judged
    every time, not only when it happens to be fast."""
    deadline = time.monotonic() + settle_limit(window)
    with frames_from(pool) as arrivals:
        while time.monotonic() < deadline:
            arrivals.take()
            if not await arrivals.wait(window):
                return  # a whole window without a frame


def unexpected(pool: ClientPool, noise: Noise | None) -> list[tuple[str, list[Message]]]:
    """On the loop: each client's messages no step claimed (noise aside), clients with none
    left out."""
    found = ((c.name, unclaimed(c.inbox, noise)) for c in pool)
    return [(name, messages) for name, messages in found if messages]


def strict_sentence(leftovers: Iterable[tuple[str, Sequence[Message]]]) -> str | None:
    """The sentence strict mode fails with, or None when nothing was left over."""
    parts = []
    for name, messages in leftovers:
        count = len(messages)
        noun = "message" if count == 1 else "messages"
        parts.append(
            f"{name} received {count} {noun} nobody expected:\n" + describe_messages(messages)
        )
    return "Strict mode: " + "\n".join(parts) if parts else None
