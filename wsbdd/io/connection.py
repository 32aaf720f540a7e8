"""One WebSocket connection on websockets: the only client-side module that imports it.

Everything websockets-specific lives here: opening the connection (with wsbdd's
same-origin redirect rule), reading frames, writing them, WebSocket pings,
closing, and reading how the connection ended.  Above this module,
:mod:`wsbdd.io.client` talks to a :class:`Connection` and catches
:class:`~wsbdd.io.errors.ConnectionLost`; it never sees a websockets type.

Every coroutine here runs on wsbdd's event-loop thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
)
from websockets.frames import Opcode
from websockets.protocol import State
from websockets.uri import WebSocketURI, parse_uri

from wsbdd import __version__
from wsbdd.io.errors import ConnectFailed, ConnectionLost, HandshakeRefused
from wsbdd.model.address import mask_secrets
from wsbdd.settings.config import TlsSettings
from wsbdd.settings.tls import describe_silent_close, describe_tls_failure

if TYPE_CHECKING:
    from wsbdd.io.client import ConnectOptions

__all__ = ["Connection", "open_connection", "TakeFrame"]

TakeFrame = Callable[[Literal["text", "binary"], "str | bytes"], None]
"""Told of each whole data frame as it is read: its kind and payload."""

_USER_AGENT = f"wsbdd/{__version__}"  # one string for every client's handshake


class CrossOriginRedirect(InvalidHandshake):
    """The server redirected the handshake to another origin, which wsbdd does not follow."""


def _origin(uri: WebSocketURI) -> str:
    return f"{'wss' if uri.secure else 'ws'}://{uri.host}:{uri.port}"


class _SameOriginConnect(connect):
    """websockets' ``connect``, following a handshake redirect only within one origin.

    websockets follows a redirect to another host and strips only ``Authorization``
    and ``Cookie``: custom credentials (``X-Api-Key``, a token header) would travel
    there.  wsbdd refuses instead, and says where the server pointed.
    """

    def process_redirect(self, exc: Exception) -> Exception | str:
        before = self.ws_uri
        result = super().process_redirect(exc)
        if isinstance(result, str):
            after = parse_uri(result)
            if _origin(after) != _origin(before):
                return CrossOriginRedirect(
                    f"the server redirected the handshake to {_origin(after)}; wsbdd follows "
                    "redirects only within one origin, so credentials stay where you sent "
                    "them: connect to that address directly"
                )
        return result


def _failure_text(
    exc: BaseException,
    open_timeout: float,
    tls: TlsSettings | None = None,
    secure: bool = False,
    proxy: str | None = None,
) -> str:
    """Why a connection never opened, as the end of a sentence (*secure*: a wss:// URL;
    *proxy*: the proxy it went through, which is what refused or failed, if any)."""
    if isinstance(exc, CrossOriginRedirect):
        return str(exc)
    tls = tls or TlsSettings()
    tls_failure = describe_tls_failure(exc, tls) or (
        describe_silent_close(exc, tls) if secure else None
    )
    if tls_failure is not None:
        return tls_failure
    if isinstance(exc, InvalidURI):
        return f"the address is not a valid WebSocket URL ({exc})"
    if isinstance(exc, TimeoutError):
        return f"the server did not complete the WebSocket handshake within {open_timeout:g} s"
    if proxy and isinstance(exc, OSError) and not isinstance(exc, TimeoutError):
        shown = mask_secrets(proxy)
        why = (
            "it refused the connection"
            if isinstance(exc, ConnectionRefusedError)
            else exc.strerror or str(exc)
        )
        return (
            f"the proxy {shown} could not be reached ({why}); check the proxy setting, or "
            "leave it out to connect directly"
        )
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused (is the server running on that port?)"
    if isinstance(exc, InvalidHandshake):
        return f"the WebSocket handshake failed ({exc})"
    if isinstance(exc, OSError):
        return f"the connection failed ({exc.strerror or exc})"
    return str(exc)


# -- websockets internals, used on purpose --------------------------------------------------
#
# websockets' public way to read is ``recv()`` / ``async for``: a received message is
# queued, and the reader task that awaits it runs one loop turn later.  That turn is
# the difference between the time websockets parsed the frame and the time a task
# saw it, and under load (thousands of clients on one loop) it is most of a
# latency measurement.  So wsbdd overrides ``ClientConnection.process_event``, which
# websockets marks private ("# Private methods"), to hand a whole frame to the client
# the moment it is parsed.  It is the one private method wsbdd relies on; if a
# websockets release changes it, this class is the only code to fix, and
# ``on_frame = None`` falls back to the public path (every frame through the reader).


class _Connection(ClientConnection):
    """websockets' client connection, handing each whole data frame straight to its client.

    A frame that is a whole message goes to ``on_frame`` at once when nothing is
    queued before it (so messages keep their order).  Fragments, frames that are
    not valid UTF-8, and everything before the client takes over go the usual way,
    to the reader (:meth:`Connection.read`).
    """

    on_frame: TakeFrame | None = None

    def process_event(self, event: Any) -> None:
        take = self.on_frame
        queued = self.recv_messages
        if (
            take is None
            or not event.fin
            or event.opcode not in _WHOLE_KINDS
            or queued.closed
            or queued.frames.queue
        ):
            super().process_event(event)
            return
        kind = _WHOLE_KINDS[event.opcode]
        if kind == "text":
            try:
                data: str | bytes = bytes(event.data).decode()
            except UnicodeDecodeError:
                super().process_event(event)  # websockets fails the connection its own way
                return
        else:
            data = bytes(event.data)
        take(kind, data)


_WHOLE_KINDS: dict[Opcode, Literal["text", "binary"]] = {
    Opcode.TEXT: "text",
    Opcode.BINARY: "binary",
}


# -- the connection as the client sees it -------------------------------------------------------


class Connection:
    """An open WebSocket connection: read, write, ping, close; websockets kept inside."""

    __slots__ = ("_ws", "_writing")

    def __init__(self, ws: ClientConnection) -> None:
        self._ws = ws
        self._writing: set[asyncio.Task[None]] = set()

    # -- what the handshake said --

    @property
    def status(self) -> int:
        response = self._ws.response
        return response.status_code if response is not None else 101

    @property
    def reason_phrase(self) -> str:
        response = self._ws.response
        return response.reason_phrase if response is not None else ""

    @property
    def headers(self) -> Any:
        """The handshake response's headers (websockets' ``Headers``, read lazily), or None."""
        response = self._ws.response
        return response.headers if response is not None else None

    def header_items(self) -> list[tuple[str, str]] | None:
        """Every response header, repeated ones (``Set-Cookie``) included, or None."""
        response = self._ws.response
        return list(response.headers.raw_items()) if response is not None else None

    @property
    def subprotocol(self) -> str | None:
        return self._ws.subprotocol

    @property
    def is_open(self) -> bool:
        return self._ws.state is State.OPEN

    # -- reading --

    def take_frames(self, take: TakeFrame | None) -> None:
        """Hand whole frames to ``take`` as they are parsed (None: all through :meth:`read`)."""
        self._ws.on_frame = take  # type: ignore[attr-defined]

    async def read(self, take: TakeFrame) -> None:
        """Read until the connection ends, giving ``take`` each message that did not go to
        it straight away (fragmented ones, ones queued behind them).  Never raises for the
        connection ending: see :meth:`how_it_closed`."""
        try:
            async for data in self._ws:
                take("text" if isinstance(data, str) else "binary", data)
        except ConnectionClosed:
            pass

    async def recv(self) -> str | bytes:
        """The next whole message, for a caller that reads before handing frames on (the
        long-polling upgrade waits for ``3probe`` here); ConnectionLost if it closes first."""
        try:
            return await self._ws.recv()
        except ConnectionClosed:
            raise ConnectionLost() from None

    # -- writing --

    async def send(self, frame: str | bytes) -> None:
        """Write one frame (``str``: text, ``bytes``: binary); ConnectionLost if it has closed."""
        try:
            await self._ws.send(frame)
        except ConnectionClosed:
            raise ConnectionLost() from None

    def send_soon(self, frames: Iterable[str | bytes]) -> None:
        """Write ``frames`` in order from a task, for callers that cannot wait (the reader
        answering a keep-alive).  A connection that closed meanwhile drops them: the reader
        sees that close."""
        frames = tuple(frames)
        if not frames:
            return

        async def write() -> None:
            try:
                for frame in frames:
                    await self._ws.send(frame)
            except ConnectionClosed:
                pass

        task = asyncio.get_running_loop().create_task(write())
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def ping(self) -> asyncio.Future[float]:
        """Send a WebSocket ping; the future gives the seconds until its pong (ConnectionLost if
        the connection closes first)."""
        try:
            waiter = await self._ws.ping()
        except ConnectionClosed:
            raise ConnectionLost() from None

        async def pong() -> float:
            try:
                return await waiter
            except ConnectionClosed:
                raise ConnectionLost() from None

        return asyncio.ensure_future(pong())

    # -- closing --

    async def close(self, code: int, reason: str) -> None:
        """The closing handshake, with no timer of its own: the caller keeps the deadline
        (websockets would arm one per connection, ``close_timeout``) and aborts when it passes."""
        self._ws.close_timeout = None
        try:
            await self._ws.close(code, reason)
        except Exception:  # noqa: BLE001 - closing must never fail a cleanup
            pass

    def abort(self) -> None:
        """Drop the TCP connection without a closing handshake."""
        if self._ws.transport is not None:
            self._ws.transport.abort()

    def how_it_closed(self) -> tuple[int, str, bool, Literal["client", "server", None]]:
        """(close code, reason, clean, who began the close) once it has ended.

        The code and reason are the server's close frame's; when wsbdd's side sent one and
        none came back (websockets failed the connection: invalid UTF-8 1007, a message
        over ``max_size`` 1009, a broken frame 1002, a keep-alive timeout 1011), the ones
        wsbdd sent; 1006 when there was no close frame either way.  Who began it is None
        when there was no close frame either way (the TCP connection dropped).
        """
        ws = self._ws
        protocol = ws.protocol
        rcvd, sent = protocol.close_rcvd, protocol.close_sent
        if rcvd is None and sent is not None:
            return sent.code, sent.reason, False, "client"
        code = ws.close_code if ws.close_code is not None else 1006
        clean = rcvd is not None and sent is not None
        closed_by: Literal["client", "server", None] = None
        if rcvd is not None or sent is not None:
            # Whoever sent the first close frame began the close.
            server_first = protocol.close_rcvd_then_sent or (rcvd is not None and sent is None)
            closed_by = "server" if server_first else "client"
        return code, ws.close_reason or "", clean, closed_by


async def open_connection(
    url: str,
    options: ConnectOptions,
    *,
    headers: dict[str, str] | None = None,
    subprotocols: list[str] | None = None,
) -> Connection:
    """Open a WebSocket connection to ``url``.

    Raises :class:`HandshakeRefused` when the server answers with another HTTP
    status, and :class:`ConnectFailed` (its text ends "… could not connect: …")
    for everything else that stops it opening.
    """
    secure = url[:4].lower() == "wss:"
    try:
        ws = await _SameOriginConnect(
            url,
            additional_headers=headers or None,
            subprotocols=subprotocols or None,  # type: ignore[arg-type]
            compression="deflate" if options.compression else None,
            proxy=options.proxy,
            open_timeout=options.open_timeout,
            close_timeout=options.close_timeout,
            ping_interval=options.ping_interval,
            ping_timeout=options.ping_timeout,
            max_size=options.max_size,
            # websockets refuses an ssl argument for a ws:// URL.
            ssl=options.ssl if secure else None,
            user_agent_header=_USER_AGENT,
            create_connection=_Connection,
        )
    except InvalidStatus as exc:
        response = exc.response
        raise HandshakeRefused(
            response.status_code,
            response.reason_phrase,
            response.headers,
            bytes(response.body or b"").decode("utf-8", "replace"),
        ) from None
    except (InvalidURI, InvalidHandshake, OSError) as exc:  # TimeoutError is an OSError
        text = _failure_text(exc, options.open_timeout, options.tls, secure, options.proxy)
        raise ConnectFailed(text) from None
    return Connection(ws)
