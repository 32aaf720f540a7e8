"""The raw WebSocket codec: one frame is one message, ready as soon as the WebSocket opens.

What wsbdd did before codecs existed, and still the default (``codec =
"websocket"``).  :meth:`WebSocketCodec.decode` returns None for every frame,
the fast path of the seam: the client appends the frame itself and its JSON is
parsed only when a step asks.  :class:`BaseCodec` gives user codecs the same
defaults, so a codec overrides only what its protocol changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from wsbdd.codec.base import NO_FRAMES, Decoded, Frame, Intent

__all__ = ["BaseCodec", "WebSocketCodec"]

_READY = Decoded(ready=True)


class BaseCodec:
    """Defaults for a codec: raw frames, ready at open, no timers, nothing to say at close.

    Subclass it and override what your protocol needs (see docs/codecs.md).
    """

    __slots__ = ()  # a crowd's 10,000 raw codecs hold no state: 16 bytes each

    name: ClassVar[str] = "websocket"
    subprotocols: tuple[str, ...] = ()
    settings_table: ClassVar[str | None] = None
    """The settings table whose ``options(variables)`` are this codec's keyword arguments
    (``"graphql"``, ``"stomp"``); None: it takes none from the settings."""
    secret_fields: ClassVar[tuple[str, ...]] = ()
    """Regexes (``re.MULTILINE``) for where a secret sits in this protocol's frames, its
    value in group 1 (STOMP: ``r"^passcode:(.*)$"``): every report shows it as ``***``."""
    public_fields: ClassVar[tuple[str, ...]] = ()
    """Regexes whose group 1 stays readable in reports though it equals a secret (STOMP:
    ``r"^login:(.*)$"``, a login that happens to be the passcode)."""

    def url_for(self, url: str) -> str:
        """The address to open for the address a feature gives (Socket.IO adds its path
        and ``EIO=4&transport=websocket``); the default keeps it as it is."""
        return url

    def describe(self, intent: Intent) -> str | None:
        """A one-line label for a sent intent (``emit chat {"room": "lobby"} (ack 3)``),
        recorded on the first frame it became; None shows the frames alone."""
        return None

    def app_reason(self, closed_by: str | None) -> str | None:
        """The app-level reason for a connection that ended with no reason from the codec
        (``closed_by``: ``"client"``, ``"server"``, None when lost); None: there is none."""
        return None

    def refusal_hint(self, status: int, body: str) -> str | None:
        """What an HTTP refusal of the WebSocket handshake says about the protocol (a
        Socket.IO server that is mounted elsewhere, or speaks another version): the end of
        the "could not connect" sentence; None adds nothing."""
        return None

    def close_meaning(self, code: int, reason: str) -> str | None:
        """What the server's close ``code`` (and its ``reason``) means when it closes the
        WebSocket before the codec said ``ready``: the whole end of the "could not connect"
        sentence (GraphQL: ``the server refused connection_init: 4403 Forbidden (the
        connection params were not accepted)``); None: the client's own words ("the
        connection closed with code 4403 … during the … handshake")."""
        return None

    def handshake_timeout(self, seconds: float) -> str | None:
        """The end of the "could not connect" sentence when the codec did not say ``ready``
        within the open timeout of ``seconds`` (GraphQL: ``the server did not acknowledge
        connection_init within 5.0 s``); None: the client's own words ("the server did not
        complete the … handshake within 5 s")."""
        return None

    def opening(self, subprotocol: str | None, now: float) -> Decoded:
        return _READY

    def decode(self, frame: Frame, at: float) -> Decoded | None:
        return None

    def encode(self, intent: Intent) -> Sequence[Frame]:
        if isinstance(intent, str | bytes):
            return (intent,)
        if isinstance(intent, bytearray | memoryview):
            return (bytes(intent),)
        raise TypeError(
            f"it sends text or bytes, not {type(intent).__name__}; choose a codec that "
            "knows this kind of message in the codec setting"
        )

    def tick(self, now: float) -> Sequence[Frame] | Decoded:
        return NO_FRAMES

    def next_deadline(self) -> float | None:
        return None

    def closing(self) -> Sequence[Frame]:
        return NO_FRAMES


class WebSocketCodec(BaseCodec):
    """Raw WebSocket: every text or binary frame is a message of its own (the default)."""

    __slots__ = ()

    name: ClassVar[str] = "websocket"
