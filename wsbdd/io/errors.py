"""What the I/O layer raises, in wsbdd's own words (pure: importing it loads no I/O library).

The layers above (:mod:`wsbdd.io.client`, :mod:`wsbdd.session`, the load engine)
catch these instead of websockets' exceptions, so they never import websockets.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ConnectionLost", "HandshakeRefused", "ConnectFailed"]


class ConnectionLost(Exception):
    """A send or ping found the connection closed (or it closed meanwhile).

    How it ended is on the client's :class:`~wsbdd.io.client.ConnectionOutcome`.
    """


class HandshakeRefused(Exception):
    """The server answered the WebSocket handshake with an HTTP status other than 101."""

    def __init__(self, status: int, reason_phrase: str, headers: Any, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.reason_phrase = reason_phrase
        self.headers = headers
        """The response headers (websockets' ``Headers``: read lazily, ``raw_items()``)."""
        self.body = body


class ConnectFailed(Exception):
    """The connection never opened; ``str(error)`` ends the sentence "… could not connect: …"."""
