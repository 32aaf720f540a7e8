"""The codec seam: how frames on a WebSocket become messages, and intents become frames.

Sans-I/O, in the style of websockets' ``Protocol``: a codec never touches a
socket, a loop or a clock of its own.  The client (:mod:`wsbdd.io.client`) calls
it with each frame it reads and the time it read it, writes the frames the
codec returns, and arms one timer for :meth:`Codec.next_deadline`.  So a codec
is tested on strings and bytes, with times passed in by hand.

One codec object serves one connection (codecs keep per-connection state: a
half-received Socket.IO binary event, a STOMP heart-beat deadline).  The
registry (:mod:`wsbdd.codec.registry`) hands out a factory that makes one per
client.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = ["Frame", "Intent", "Received", "Decoded", "Codec", "NO_FRAMES", "refused_intent"]

Frame = str | bytes
"""One WebSocket frame: ``str`` is a text frame, ``bytes`` a binary one."""

NO_FRAMES: tuple[Frame, ...] = ()

Intent = object
"""What one send of a step hands the codec: a frame (``str`` text, ``bytes`` binary, what
"Alice sends …" gives), or a codec's own intent object (a Socket.IO ``Emit``, a GraphQL
``Subscribe``, the example's ``Say``).  Any object will do: the codec's :meth:`Codec.encode`
decides, and refuses with :class:`TypeError` what it does not know.  Spelled ``object``
rather than ``Any`` so that type checkers keep checking what a step does with it."""


@dataclass(frozen=True, slots=True)
class Received:
    """One application message a codec decoded, for the client's inbox.

    ``value`` is what JSONPath and the matchers see (a Socket.IO event's
    ``{"event": …, "args": […]}``, a STOMP frame's ``{"command", "headers",
    "body"}``).  ``raw`` is what transcripts and failure notes show: the frame
    (or, for a message spanning frames, the first of them); None means the frame
    that was decoded.  ``label`` is a one-line human summary for transcripts and
    reports (``chat {"text": "hi"}``, ``ack 7 {"ok": true}``); None shows the frame.
    It may be a function of no arguments that makes the label: it is called the first
    time someone reads the label (most messages never are: a crowd's broadcast is
    checked, not shown), and only once.

    ``protocol``: a message about the protocol itself rather than the app's (a
    Socket.IO namespace connected, refused or disconnected by the server).  It goes
    into the inbox claimed on arrival: never unread in strict mode, never a candidate
    for the generic "receives a message" steps nor counted by them, yet a protocol's
    own steps can look it up (:attr:`wsbdd.model.message.Message.protocol`).
    """

    value: Any
    raw: Frame | None = None
    label: str | Callable[[], str] | None = None
    protocol: bool = False


@dataclass(slots=True)
class Decoded:
    """What one received frame (or the connection's opening) meant.

    - ``messages``: zero or more, in order, each a :class:`Received` or a plain
      frame (a ``str`` or ``bytes``: that frame as a message of its own, its JSON
      parsed lazily as for raw WebSocket).
    - ``replies``: frames the reader writes at once, between steps (a pong, an
      ack, a heart-beat), in order.  They never reach the inbox.
    - ``ready``: the connection now counts as ready (the app-level handshake is
      complete); :meth:`wsbdd.io.client.Client.connect` waits for it.
    - ``failed``: the app refused the connection (``CONNECT_ERROR``, STOMP
      ``ERROR``): the end of a sentence "… could not connect: <failed>".  The
      client closes the WebSocket.
    """

    messages: Sequence[Received | Frame] = ()
    replies: Sequence[Frame] = ()
    ready: bool = False
    failed: str | None = None
    closing: bool = field(default=False)
    """The app ended the session (Socket.IO ``41``, STOMP ``DISCONNECT`` receipt): the
    client closes the WebSocket with a normal close."""
    reason: str | None = None
    """With ``closing`` or ``failed``: the app-level reason the connection ends
    (``io server disconnect``, ``ping timeout``), kept in
    :attr:`wsbdd.io.client.ConnectionOutcome.app_reason`."""


@runtime_checkable
class Codec(Protocol):
    """Sans-I/O implementation of one application protocol over WebSocket frames.

    The caller (wsbdd's client, on its event-loop thread) drives it like this:

    1. offer :attr:`subprotocols` in the WebSocket handshake (besides the ones
       the settings or the step ask for);
    2. once the WebSocket is open, call :meth:`opening`;
    3. for every frame read, call :meth:`decode`;
    4. for every step's send, call :meth:`encode`;
    5. when :meth:`next_deadline` passes, call :meth:`tick`;
    6. before closing the WebSocket, call :meth:`closing`.

    After every call that returns frames the caller must write them, in order,
    before any frame of a later call.  After :meth:`opening`, a :class:`Decoded`
    from :meth:`decode` and :meth:`tick` the caller must ask
    :meth:`next_deadline` again and keep one timer for it.

    Optional members (:class:`~wsbdd.codec.websocket.BaseCodec` has them all; the
    caller uses each one only when the codec has it): ``url_for(url)`` (the address to
    open), ``describe(intent)`` (a sent intent's label), ``refusal_hint(status, body)``
    (what an HTTP refusal of the WebSocket handshake means), ``app_reason(closed_by)``
    (the app-level reason a connection ended), ``close_meaning(code, reason)`` (what the
    server's close code means when it closes the WebSocket before the codec said
    ``ready``: the whole end of the "could not connect" sentence, as GraphQL's ``the
    server refused connection_init: 4403 Forbidden (…)``) and ``handshake_timeout(seconds)``
    (the end of that sentence when the codec did not say ``ready`` within the open
    timeout).  Each returns None to keep the client's own words.
    """

    @property
    def name(self) -> str:
        """The codec's name in settings and messages (``websocket``, ``socketio``); a class
        attribute will do."""
        ...

    @property
    def subprotocols(self) -> tuple[str, ...]:
        """Subprotocols to offer in the WebSocket handshake (``graphql-transport-ws``,
        ``v12.stomp``); offered before the configured ones.  A class attribute will do."""
        ...

    def opening(self, subprotocol: str | None, now: float) -> Decoded:
        """The WebSocket is open, with ``subprotocol`` agreed (None: none).

        After calling this method:

        - you must write ``replies`` (the app-level handshake: Socket.IO ``40``,
          ``connection_init``, STOMP ``CONNECT``);
        - if ``ready`` is False, you must treat the connection as not yet
          connected until a :meth:`decode` result says ``ready`` (or ``failed``),
          within the open timeout;
        - you must ask :meth:`next_deadline`.
        """
        ...

    def decode(self, frame: Frame, at: float) -> Decoded | None:
        """One whole frame read at ``at`` (monotonic seconds).

        Returns None when the frame is one message as it stands (the raw
        WebSocket case): the caller appends it to the inbox, its JSON parsed only
        if a step asks, and nothing else changes (no replies, no new deadline).
        This is the fast path: a frame costs one call.

        After a :class:`Decoded` result:

        - you must write ``replies`` at once (keep-alives are answered between steps);
        - you must append ``messages`` to the inbox, in order, stamped ``at``;
        - if ``failed`` is set, you must fail the connection with that sentence;
          if ``ready`` is set, the connection counts as connected from now;
        - you must ask :meth:`next_deadline` again.
        """
        ...

    def encode(self, intent: Intent) -> Sequence[Frame]:
        """The frames that carry one send of a step, in order.

        ``intent`` is a frame (``str`` / ``bytes``, what "Alice sends …" gives) or a
        codec's own intent object (an ``Emit``, a ``Subscribe``).  A codec must
        raise :class:`TypeError` for an intent it does not know, before it returns any
        frame, with the reason as the end of a sentence (``it sends text or bytes, not
        Shout``): the step fails with "The <name> codec cannot send a Shout: <reason>."
        (see :func:`refused_intent`).
        After calling this method you must write the frames, in order, and record
        them as sent (transcripts show them).
        """
        ...

    def tick(self, now: float) -> Sequence[Frame] | Decoded:
        """:meth:`next_deadline` has passed: frames to write now (a heart-beat).

        A codec may instead return a :class:`Decoded`, to say more than frames: its
        ``failed`` fails the connection once it is ready (the server's keep-alive
        stopped: "the server sent no ping for 45 s (…)"), with ``reason`` as the
        app-level close reason (``ping timeout``); its ``replies`` are written and its
        ``messages`` appended, as for :meth:`decode`.

        After calling this method you must write the frames (or do what the
        :class:`Decoded` says) and ask :meth:`next_deadline` again.
        """
        ...

    def next_deadline(self) -> float | None:
        """When :meth:`tick` must be called next (monotonic seconds), or None for never."""
        ...

    def closing(self) -> Sequence[Frame]:
        """Frames to write before the WebSocket closing handshake (STOMP ``DISCONNECT``).

        After calling this method you must write them, then close the WebSocket.
        """
        ...


def _what(intent: Intent) -> str:
    """An intent as a sentence names it: ``text``, ``bytes``, ``a Say``, ``an Emit``."""
    if isinstance(intent, str):
        return "text"
    if isinstance(intent, bytes | bytearray | memoryview):
        return "bytes"
    kind = type(intent).__name__
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"


def refused_intent(codec_name: str, intent: Intent, error: BaseException) -> str:
    """The sentence for a send the codec refused: ``The line codec cannot send a Shout: it
    sends text, bytes or a Say.``  Names the intent's kind, never its contents (an intent
    may carry a token)."""
    reason = str(error).strip().rstrip(".") or "it does not know this kind of message"
    return f"The {codec_name} codec cannot send {_what(intent)}: {reason}."
