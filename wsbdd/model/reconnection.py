"""What reconnection did after a connection was lost, as data for steps and transcripts.

A client connected "with reconnection" that loses its connection (the network, the
server going away, a missed heart-beat; never a step closing it, never the app ending
the session on purpose) opens a new one by itself, with the same name, address and
inbox.  Each loss is one :class:`Reconnect`: when it was lost and why, every attempt
that failed, and then either when it reconnected (with the new session id and whether
the server recovered the old session) or when the client gave up.

Pure: the client (:mod:`wsbdd.io.client`) fills these in on the loop thread; steps and
:func:`wsbdd.model.transcript.build_transcript` read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ReconnectPolicy", "Reconnect", "FailedAttempt"]


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    """How a client reconnects: ``attempts`` tries, waiting ``delay`` seconds before the
    first and twice as long before each next one, never more than ``max_delay``.

    Defaults are short on purpose (tests wait for them): 5 tries, 0.2 s, 0.4 s, 0.8 s,
    1.6 s and 2 s apart, about 5 s in all.  The official Socket.IO clients wait 1 s
    doubling up to 5 s, with random jitter and no limit on tries; wsbdd keeps no
    jitter, so a scenario's timing is the same on every run."""

    enabled: bool = False
    """Every client reconnects (the ``reconnection`` setting); a step may ask for one
    client only (``Given Alice is connected with reconnection``)."""
    attempts: int = 5
    delay: float = 0.2
    max_delay: float = 2.0

    def delays(self) -> list[float]:
        """Seconds to wait before each attempt, in order."""
        waits, wait = [], self.delay
        for _ in range(self.attempts):
            waits.append(min(wait, self.max_delay))
            wait *= 2
        return waits


@dataclass(frozen=True, slots=True)
class FailedAttempt:
    """One attempt to reconnect that did not connect: when it ended and why."""

    number: int
    at: float
    error: str
    """The end of a sentence: ``the server rejected the handshake with HTTP 503``."""


@dataclass(slots=True)
class Reconnect:
    """One lost connection and what reconnection did about it (times: monotonic seconds)."""

    lost_at: float
    why: str
    """How the connection ended, as the inside of brackets: ``transport close``, ``the
    connection was lost without a closing handshake (1006)``."""
    old_sid: str | None = None
    """The session id the codec had before the loss (Socket.IO's sid), if it has one."""
    failed: list[FailedAttempt] = field(default_factory=list)
    at: float | None = None
    """When the new connection was ready (None: not yet, or never)."""
    attempt: int = 0
    """Which attempt connected (1 for the first)."""
    sid: str | None = None
    """The new connection's session id, if the codec has one."""
    recovered: bool | None = None
    """The server recovered the old session (its missed events replayed); None when the
    codec does not know (raw WebSocket) or the server does not offer recovery."""
    offered: bool = False
    """The server offers connection-state recovery (Socket.IO's CONNECT answer carried
    a ``pid``), whether or not it recovered this time."""
    gave_up_at: float | None = None
    """When the last attempt failed and the client stopped trying (None: it did not)."""
    stopped: str | None = None
    """Why the client stopped trying before its attempts ran out (a step closed it)."""

    @property
    def done(self) -> bool:
        """Reconnected, or given up: nothing more will happen to this loss."""
        return self.at is not None or self.gave_up_at is not None or self.stopped is not None

    def describe_lost(self) -> str:
        """``lost the connection (transport close)``: what the client did, for transcripts."""
        return f"lost the connection ({self.why})"

    def describe_reconnected(self) -> str:
        """``reconnected (attempt 2, new sid abc)``, ``reconnected (attempt 1, recovered,
        sid abc)``: for transcripts."""
        parts = [f"attempt {self.attempt}"]
        if self.recovered:
            parts.append("recovered")
            if self.sid:
                parts.append(f"sid {self.sid}")
        elif self.sid:
            same = self.sid == self.old_sid
            parts.append(f"{'same' if same else 'new'} sid {self.sid}")
        return f"reconnected ({', '.join(parts)})"

    def describe_gave_up(self) -> str:
        """``gave up reconnecting after 5 attempts (the last: …)``."""
        count = len(self.failed)
        text = f"gave up reconnecting after {count} attempt{'s' * (count != 1)}"
        if self.failed:
            text += f" (the last: {self.failed[-1].error})"
        return text
