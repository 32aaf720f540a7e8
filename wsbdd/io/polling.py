"""Engine.IO 4 long-polling on httpx: the transport both official Socket.IO clients start on.

A :class:`PollingConnection` stands where :class:`wsbdd.io.connection.Connection`
stands for the client (:mod:`wsbdd.io.client`): the same ``read``, ``send``,
``send_soon``, ``close``, ``abort``, ``how_it_closed``, so the client, its codec and
its inbox do not know which transport carries the frames.  Each Engine.IO packet
is handed to the client as one frame, as a WebSocket frame carries one packet:
the open packet first, text packets as ``str`` (``42["chat",…]``), binary packets
as ``bytes`` (their base64 ``b…`` form decoded).  So the Socket.IO codec sees the
same frames on both transports.

How it talks (Engine.IO 4):

- the handshake is a GET of ``…/socket.io/?EIO=4&transport=polling``, answered with
  the open packet (``0{"sid": …, "upgrades": ["websocket"], "pingInterval": …}``);
- one long GET ``…&sid=…`` is outstanding at a time; the server answers it when it
  has packets, several joined by the record separator ``\\x1e``;
- what the client sends goes in POSTs, one at a time, each carrying the frames
  queued so far in order (at most 16 packets: python-engineio's limit per payload);
- the payload format is python-engineio's :class:`~engineio.payload.Payload` and
  :class:`~engineio.packet.Packet`, not written here by hand.

Upgrade (``upgrade=True``, the setting ``transport = "polling"``): after the open
packet a WebSocket opens to ``…&transport=websocket&sid=…`` (with
:func:`wsbdd.io.connection.open_connection`, so its rules hold: same-origin
redirects, TLS, proxy) while polling goes on.  It sends ``2probe`` and expects
``3probe``; then polling pauses (the server ends the GET in flight with a noop, and
no new GET starts), any POST in flight finishes, ``5`` goes over the WebSocket and
everything after, both ways, travels on it.  A packet is read either from the
last GET or from the WebSocket, never both, so none is lost or repeated across the
switch.  A failed probe leaves the connection on polling, as the official clients
do.

Every coroutine here runs on wsbdd's event-loop thread.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from engineio import packet as eio_packet
from engineio.payload import Payload

from wsbdd.io.connection import _USER_AGENT, Connection, TakeFrame, open_connection
from wsbdd.io.errors import ConnectFailed, ConnectionLost, HandshakeRefused
from wsbdd.model.errors import FeatureMistake
from wsbdd.settings.tls import describe_tls_failure

if TYPE_CHECKING:
    from wsbdd.io.client import ConnectOptions

__all__ = ["PollingConnection", "open_polling", "polling_url", "websocket_url", "TransportChanged"]

TransportChanged = Callable[[str, float], None]
"""Told when the connection moves to another transport: its name and the monotonic time."""

MAX_PACKETS_PER_POST = 16
"""python-engineio refuses a payload of more than 16 packets ("Too many packets in payload");
Node's engine.io takes more, so 16 suits both."""

_ENGINE_IO_3 = re.compile(r"^\d+:")
"""An Engine.IO 3 polling payload starts with the length of its first packet (``96:0{…``)."""


def _with_query(url: str, scheme: str, **params: str) -> str:
    """``url`` with another scheme and these query parameters set (others kept, in order)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend(params.items())
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(query), ""))


def _secure(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("wss", "https")


def polling_url(url: str, sid: str | None = None) -> str:
    """The long-polling address for a Socket.IO address (``ws://h/socket.io/?EIO=4&…``).

    ``ws``/``wss`` become ``http``/``https``; ``EIO=4`` and ``transport=polling`` are set
    (and ``sid`` once the handshake gave one); the other query parameters stay.
    """
    params = {"EIO": "4", "transport": "polling"}
    if sid is not None:
        params["sid"] = sid
    return _with_query(url, "https" if _secure(url) else "http", **params)


def websocket_url(url: str, sid: str) -> str:
    """The address of the WebSocket that upgrades session ``sid``."""
    return _with_query(
        url, "wss" if _secure(url) else "ws", EIO="4", transport="websocket", sid=sid
    )


# -- the payload format, through python-engineio --------------------------------------------


class _Verbatim(eio_packet.Packet):
    """A text frame the codec wrote, sent exactly as written.

    A :class:`~engineio.packet.Packet` decoded from text would serialise its JSON
    again on the way out; this one keeps the codec's text (and so what the transcript
    shows is what went on the wire).
    """

    def __init__(self, text: str) -> None:
        super().__init__(eio_packet.MESSAGE, text)
        self.encode_cache = text


def encode_payload(frames: Iterable[str | bytes]) -> str:
    """Frames as one long-polling payload: text packets as they are, binary ones as ``b…``."""
    packets = [
        _Verbatim(frame) if isinstance(frame, str) else eio_packet.Packet(eio_packet.MESSAGE, frame)
        for frame in frames
    ]
    text: str = Payload(packets=packets).encode()
    return text


def decode_payload(text: str) -> list[tuple[int, str | bytes]]:
    """A long-polling payload as ``(packet type, frame)`` pairs, the frames as a WebSocket
    would carry them: text packets as text, binary ones (``b…``) as bytes.

    Raises :class:`ValueError` for a payload that is not Engine.IO 4.
    """
    payload = Payload()
    # python-engineio's limit (16) guards its server against a flood of POSTs; a server's
    # answer to a poll holds every packet queued meanwhile, so the client takes them all.
    payload.max_decode_packets = text.count("\x1e") + 1
    payload.decode(text)
    decoded: list[tuple[int, str | bytes]] = []
    for packet in payload.packets:
        if not isinstance(packet.packet_type, int) or not 0 <= packet.packet_type <= 6:
            raise ValueError(f"unknown packet type {packet.packet_type!r}")
        if packet.binary:
            decoded.append((packet.packet_type, bytes(packet.data)))
        else:
            decoded.append((packet.packet_type, packet.encode()))
    return decoded


def _server_said(response: httpx.Response) -> str:
    """What an HTTP error answer says: ``HTTP 400 Session ID unknown``."""
    text = response.content.decode("utf-8", "replace").strip()
    try:
        body = json.loads(text)
    except ValueError:
        body = text
    if isinstance(body, dict):
        body = body.get("message", text)
    said = f"HTTP {response.status_code}"
    if body:
        said += f" {str(body)[:120]}"
    return said


def _failure_text(exc: BaseException, options: ConnectOptions, secure: bool) -> str:
    """Why the long-polling handshake never happened, as the end of a sentence."""
    tls_failure = describe_tls_failure(exc, options.tls) if secure else None
    if tls_failure is not None:
        return tls_failure
    if isinstance(exc, httpx.TimeoutException):
        return (
            f"the server did not answer the long-polling handshake within "
            f"{options.open_timeout:g} s"
        )
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "the connection was refused (is the server running on that port?)"
        cause = cause.__cause__ or cause.__context__
    return f"the long-polling handshake failed ({type(exc).__name__}: {exc})"


def _not_engine_io_4(text: str) -> str:
    """Why a 200 answer to the handshake is no Engine.IO 4 open packet."""
    shown = text[:60] + ("…" if len(text) > 60 else "")
    if _ENGINE_IO_3.match(text):
        return (
            f'the server answered the long-polling handshake in Engine.IO 3 ("{shown}"), the '
            "protocol of Socket.IO 2, which wsbdd does not support; upgrade the server to "
            "Socket.IO 3 or later"
        )
    return (
        f"the server's answer to the long-polling handshake is not an Engine.IO open packet "
        f'("{shown}"); check that it is a Socket.IO server and that the path is right'
    )


async def open_polling(
    url: str,
    options: ConnectOptions,
    *,
    headers: dict[str, str] | None = None,
    subprotocols: list[str] | None = None,
    upgrade: bool = True,
    on_transport: TransportChanged | None = None,
    who: str = "The client",
) -> PollingConnection:
    """Open an Engine.IO long-polling session at ``url`` (a ``ws://``/``http://`` Socket.IO
    address, such as the codec's ``…/socket.io/?EIO=4&transport=websocket``).

    Raises :class:`HandshakeRefused` when the server answers the handshake with a status
    other than 200, and :class:`ConnectFailed` for everything else that stops it opening
    (no server, TLS, a timeout, an answer that is not an Engine.IO 4 open packet).
    ``subprotocols`` are offered by the WebSocket of the upgrade only.
    """
    secure = _secure(url)
    http = httpx.AsyncClient(
        headers={"User-Agent": _USER_AGENT, **(headers or {})},
        timeout=httpx.Timeout(options.open_timeout),
        verify=options.ssl if (secure and options.ssl is not None) else True,
        proxy=options.proxy,
        trust_env=False,  # only the addresses the feature names are contacted
        follow_redirects=False,
    )
    try:
        response = await http.get(polling_url(url))
    except httpx.HTTPError as exc:
        await http.aclose()
        raise ConnectFailed(_failure_text(exc, options, secure)) from None
    items = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
    if response.status_code != 200:
        await http.aclose()
        raise HandshakeRefused(
            response.status_code,
            response.reason_phrase,
            dict(items),
            response.content.decode("utf-8", "replace"),
        )
    text = response.content.decode("utf-8", "replace")
    try:
        packets = decode_payload(text)
    except ValueError:
        packets = []
    opened = packets[0][1] if packets and packets[0][0] == eio_packet.OPEN else None
    try:
        info = json.loads(opened[1:]) if isinstance(opened, str) else None
    except ValueError:
        info = None
    if not isinstance(info, dict) or not isinstance(info.get("sid"), str):
        await http.aclose()
        raise ConnectFailed(_not_engine_io_4(text))
    return PollingConnection(
        http,
        url,
        info,
        [frame for _, frame in packets],
        response.status_code,
        response.reason_phrase,
        items,
        options,
        headers=headers or {},
        subprotocols=subprotocols or [],
        upgrade=upgrade and "websocket" in (info.get("upgrades") or ()),
        on_transport=on_transport,
        who=who,
    )


_End = tuple[int, str, bool, Literal["client", "server", None]]


def _seconds(milliseconds: Any, default: float) -> float:
    """An open packet's interval (milliseconds) in seconds; ``default`` when it is no number
    (the codec says what is wrong with such a server; polling goes on with the default)."""
    if isinstance(milliseconds, int | float) and milliseconds > 0:
        return float(milliseconds) / 1000
    return default


_CLOSE_PACKET_GRACE = 1.0
"""Seconds the poll in flight may still answer after a POST failed (see
:meth:`PollingConnection._post_failed`)."""


class PollingConnection:
    """An Engine.IO session on long-polling (and, once upgraded, on its WebSocket).

    The same interface as :class:`wsbdd.io.connection.Connection`; where polling has
    no equivalent, the method says so.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        url: str,
        info: dict[str, Any],
        first: list[str | bytes],
        status: int,
        reason_phrase: str,
        header_items: list[tuple[str, str]],
        options: ConnectOptions,
        *,
        headers: dict[str, str],
        subprotocols: list[str],
        upgrade: bool,
        on_transport: TransportChanged | None,
        who: str = "The client",
    ) -> None:
        self.who = who
        """The client's name, for sentences."""
        self._http = http
        self._options = options
        self.sid: str = info["sid"]
        self._url = polling_url(url, self.sid)
        self._ws_url = websocket_url(url, self.sid)
        self._first = first
        self._status = status
        self._reason_phrase = reason_phrase
        self._header_items = header_items
        self._headers = headers
        self._subprotocols = subprotocols
        self._upgrade_wanted = upgrade
        self._on_transport = on_transport
        interval = _seconds(info.get("pingInterval"), 25.0)
        timeout = _seconds(info.get("pingTimeout"), 20.0)
        self._poll_timeout = interval + timeout + options.open_timeout
        """A poll waits at most for the server's next ping and its grace: an answer later
        than that means the server is gone."""
        payload = info.get("maxPayload")
        self._max_payload = payload if isinstance(payload, int) and payload > 0 else 1_000_000
        self.transport: Literal["polling", "websocket"] = "polling"
        self.upgrade_problem: str | None = None
        """Why the upgrade to WebSocket did not happen (the connection stayed on polling)."""
        self._ws: Connection | None = None
        """The upgraded WebSocket, once ``5`` went over it."""
        self._probed: Connection | None = None
        """The WebSocket that answered the probe, waiting for polling to pause."""
        self._upgrading: asyncio.Task[None] | None = None
        self._get: asyncio.Task[httpx.Response] | None = None
        self._pending: list[str | bytes] = []
        self._writer: asyncio.Task[None] | None = None
        self._write_lock = asyncio.Lock()
        self._closing = False
        self._client_close: tuple[int, str] | None = None
        """The close code and reason of the client's own close, once it began."""
        self._end: _End | None = None
        self._ended = asyncio.Event()
        self._settled = asyncio.Event()
        """Set once the transport is what it will stay: upgraded, the upgrade given up, or
        none wanted."""
        if not upgrade:
            self._settled.set()
        # The first poll goes out now, not when the reader starts: a session with no poll
        # outstanding can lose the server's close packet (python-engineio drops it).
        self._start_get()

    def _start_get(self) -> asyncio.Task[httpx.Response]:
        get = self._get = asyncio.get_running_loop().create_task(
            self._http.get(self._url, timeout=self._poll_timeout)
        )
        return get

    # -- what the handshake said --

    @property
    def status(self) -> int:
        """The handshake's HTTP status: 200 for a long-polling session."""
        return self._status

    @property
    def reason_phrase(self) -> str:
        return self._reason_phrase

    @property
    def headers(self) -> dict[str, str]:
        """The handshake response's headers (the polling GET's)."""
        return dict(self._header_items)

    def header_items(self) -> list[tuple[str, str]]:
        """Every response header of the handshake, repeated ones (``Set-Cookie``) included."""
        return list(self._header_items)

    @property
    def subprotocol(self) -> str | None:
        """Long-polling negotiates no subprotocol: None (also after the upgrade, whose
        handshake is not the connection's)."""
        return None

    @property
    def is_open(self) -> bool:
        if self._ws is not None:
            return self._ws.is_open
        return self._end is None and not self._closing

    # -- reading --

    def take_frames(self, take: TakeFrame | None) -> None:
        """Nothing to set up: every packet reaches :meth:`read`'s ``take`` as it is parsed
        (long-polling has no queue in between; the WebSocket, once upgraded, gets ``take``)."""

    async def read(self, take: TakeFrame) -> None:
        """Poll until the session ends, giving ``take`` each packet as a frame (the open
        packet first); after an upgrade, read the WebSocket.  Never raises for the session
        ending: see :meth:`how_it_closed`."""
        try:
            for frame in self._first:
                self._hand(take, frame)
            if self._upgrade_wanted and self._end is None:
                self._upgrading = asyncio.get_running_loop().create_task(self._probe())
            while self._end is None and self._ws is None:
                if self._probed is not None and self._get is None:
                    # Polling has paused: the last poll is answered and no other is out.
                    probed, self._probed = self._probed, None
                    await self._switch(probed)
                elif self._closing and self._get is None:
                    await self._ended.wait()  # a last POST under way: no new poll
                else:
                    await self._poll_once(take)
            ws = self._ws
            if ws is not None:
                ws.take_frames(take)
                await ws.read(take)
        finally:
            await self._shut()

    async def settled(self) -> str:
        """Wait until the upgrade is done or given up (at once for ``polling-only``), and
        say which transport carries the session: ``websocket`` or ``polling``."""
        await self._settled.wait()
        return self.transport

    def _hand(self, take: TakeFrame, frame: str | bytes) -> bool:
        """Give one packet to ``take`` (a noop is transport chatter: dropped); True for the
        server's close packet."""
        if isinstance(frame, bytes):
            take("binary", frame)
            return False
        if frame == "6":
            return False
        take("text", frame)
        return frame[:1] == "1"

    async def _poll_once(self, take: TakeFrame) -> None:
        get = self._get or self._start_get()
        try:
            response = await get
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # the reader itself is cancelled (an abort)
            return  # the GET was cancelled: the session ended (close, a failed POST)
        except httpx.TimeoutException:
            self._finish(
                (1006, f"no answer to a poll within {self._poll_timeout:g} s", False, None)
            )
            return
        except httpx.HTTPError:
            self._finish((1006, "", False, None))  # the server went away
            return
        finally:
            self._get = None
        if response.status_code != 200:
            self._refused(response)
            return
        text = response.content.decode("utf-8", "replace")
        try:
            packets = decode_payload(text)
        except ValueError as exc:
            self._finish((1002, f"a poll's answer is not Engine.IO 4 ({exc})", False, "client"))
            return
        if self._probed is None and not self._closing:
            self._start_get()  # at once: the next poll is outstanding while these are handed on
        for _, frame in packets:
            if self._hand(take, frame):
                self._finish((1000, "", True, "server"))
                return

    # -- the upgrade --

    async def _probe(self) -> None:
        """Open the WebSocket and probe it; on success leave it for :meth:`read` to switch."""
        try:
            ws = await open_connection(
                self._ws_url,
                self._options,
                headers=self._ws_headers(),
                subprotocols=self._subprotocols,
            )
        except (ConnectFailed, HandshakeRefused) as exc:
            self.upgrade_problem = f"the WebSocket of the upgrade did not open ({exc})"
            self._settled.set()
            return
        try:
            await ws.send("2probe")
            async with asyncio.timeout(self._options.open_timeout):
                answer = await ws.recv()
        except (ConnectionLost, TimeoutError):
            answer = None
        except asyncio.CancelledError:
            ws.abort()  # the session ended during the probe: no WebSocket left behind
            raise
        if answer != "3probe" or self._end is not None or self._closing:
            if self.upgrade_problem is None and self._end is None:
                self.upgrade_problem = f"the server answered the probe with {answer!r}"
            ws.abort()
            self._settled.set()
            return
        # Pause polling: read() sees this between two polls (the server ends the GET in
        # flight with a noop once it has answered the probe).
        self._probed = ws

    def _ws_headers(self) -> dict[str, str]:
        """The handshake headers, plus the cookies the polling answers set (a sticky load
        balancer routes the WebSocket to the server that holds the session)."""
        headers = dict(self._headers)
        cookies = "; ".join(f"{c.name}={c.value}" for c in self._http.cookies.jar)
        if cookies and not any(name.lower() == "cookie" for name in headers):
            headers["Cookie"] = cookies
        return headers

    async def _switch(self, ws: Connection) -> None:
        """Polling has paused: once no POST is in flight, send ``5`` and carry on over ``ws``."""
        async with self._write_lock:
            try:
                await ws.send("5")
            except ConnectionLost:
                self.upgrade_problem = "the WebSocket closed before the upgrade completed"
                ws.abort()
                self._settled.set()
                return
            self._ws = ws
            self.transport = "websocket"
        if self._on_transport is not None:
            self._on_transport("websocket", time.monotonic())
        self._settled.set()
        if self._pending:
            self._kick()  # frames queued during the switch now go over the WebSocket

    # -- writing --

    async def send(self, frame: str | bytes) -> None:
        """Queue one frame for the next POST (after the upgrade: write it to the WebSocket);
        ConnectionLost if the session has ended.  Waits only while many frames are queued
        (back-pressure), not for the POST's answer: a WebSocket send waits for no answer
        either."""
        ws, writer = self._ws, self._writer
        if ws is not None and not self._pending and (writer is None or writer.done()):
            await ws.send(frame)  # nothing queued before it: straight to the WebSocket
            return
        if not self.is_open and ws is None:
            raise ConnectionLost()
        self._pending.append(frame)
        writer = self._kick()
        if len(self._pending) > 4 * MAX_PACKETS_PER_POST:
            await asyncio.shield(writer)
            if self._end is not None and self._ws is None:
                raise ConnectionLost()

    def send_soon(self, frames: Iterable[str | bytes]) -> None:
        """Queue ``frames`` in order for the next POST (the reader answering a ping); a
        session that ended meanwhile drops them: the reader sees that end."""
        if self._end is not None and self._ws is None:
            return
        self._pending.extend(frames)
        if self._pending:
            self._kick()

    def _kick(self) -> asyncio.Task[None]:
        writer = self._writer
        if writer is None or writer.done():
            writer = self._writer = asyncio.get_running_loop().create_task(self._write())
        return writer

    async def _write(self) -> None:
        """POST the queued frames, a batch at a time, in order (one POST in flight)."""
        while self._pending:
            async with self._write_lock:
                ws = self._ws
                if ws is not None:
                    batch, self._pending = self._pending, []
                    try:
                        for frame in batch:
                            await ws.send(frame)
                    except ConnectionLost:
                        return  # the reader sees the WebSocket's close
                    continue
                if self._end is not None:
                    self._pending.clear()
                    return
                batch = self._batch()
                try:
                    response = await self._http.post(
                        self._url,
                        content=encode_payload(batch).encode("utf-8"),
                        headers={"Content-Type": "text/plain; charset=UTF-8"},
                    )
                except httpx.HTTPError:
                    self._post_failed((1006, "", False, None))
                    return
                if response.status_code != 200:
                    self._refused(response)
                    return

    def _refused(self, response: httpx.Response) -> None:
        """A poll or POST was answered with an HTTP error (400 "Session ID unknown"): the
        server no longer knows the session.  While the client closes, that is the end it
        asked for (the server ended the session first, as Node does after its DISCONNECT):
        a clean close.  Otherwise the server ended it without a word."""
        closing = self._client_close
        if closing is not None:
            self._finish((*closing, True, "client"))
        else:
            self._post_failed((1006, _server_said(response), False, "server"))

    def _post_failed(self, end: _End) -> None:
        """A POST failed: the session is over, but the poll in flight may still bring the
        server's own close packet (python-engineio answers the POST that made it close the
        session with HTTP 400), which says better how it ended.  It has a moment to."""
        self._closing = True  # no more sends
        get = self._get
        if get is None or get.done():
            self._finish(end)
        else:
            asyncio.get_running_loop().call_later(_CLOSE_PACKET_GRACE, self._finish, end)

    def _batch(self) -> list[str | bytes]:
        """The next frames for one POST: at most 16, and about ``maxPayload`` bytes."""
        size, count = 0, 0
        for frame in self._pending[:MAX_PACKETS_PER_POST]:
            size += len(frame) * (2 if isinstance(frame, bytes) else 1) + 1
            if count and size > self._max_payload:
                break
            count += 1
        batch, self._pending = self._pending[:count], self._pending[count:]
        return batch

    async def ping(self) -> asyncio.Future[float]:
        """A WebSocket ping, once upgraded.  Long-polling has no such thing (the Engine.IO
        heart-beat is the server's ``2`` and the codec's ``3``), so before the upgrade this
        refuses with a sentence."""
        if self._ws is not None:
            return await self._ws.ping()
        why = "it has not upgraded to WebSocket" if self._upgrade_wanted else "it never upgrades"
        raise FeatureMistake(
            f"{self.who} cannot send a WebSocket ping: the connection is on Engine.IO "
            f"long-polling ({why}), which has none; the server's own Engine.IO pings keep it "
            'alive, or set transport = "websocket" to ping.'
        )

    # -- closing --

    async def close(self, code: int, reason: str) -> None:
        """End the session: Engine.IO's close packet ``1`` in a last POST (or, once upgraded,
        the WebSocket closing handshake).  No timer of its own: the caller keeps the
        deadline and aborts when it passes."""
        if self._ws is not None:
            await self._ws.close(code, reason)
            return
        if self._end is not None or self._closing:
            return
        self._closing = True
        self._client_close = (code, reason)
        self._drop_upgrade()
        self._pending.append("1")
        await asyncio.shield(self._kick())
        if self._ws is not None:  # the upgrade completed meanwhile: close its WebSocket
            await self._ws.close(code, reason)
            return
        # A POST that failed ended the session already (not cleanly); else it is clean.
        self._finish((code, reason, True, "client"))

    def abort(self) -> None:
        """Drop the session without a word: stop polling and posting (the server notices
        at its ping timeout)."""
        self._drop_upgrade()
        if self._ws is not None:
            self._ws.abort()
            return
        for task in (self._writer, self._get):
            if task is not None and not task.done():
                task.cancel()
        self._finish((1006, "", False, None))

    def _drop_upgrade(self) -> None:
        self._settled.set()
        if self._upgrading is not None and not self._upgrading.done():
            self._upgrading.cancel()
        if self._probed is not None:
            self._probed.abort()
            self._probed = None

    def _finish(self, end: _End) -> None:
        """The session ended (the first reason counts); the poll in flight stops."""
        if self._end is None:
            self._end = end
        self._ended.set()
        get = self._get
        if get is not None and not get.done() and get is not asyncio.current_task():
            get.cancel()

    async def _shut(self) -> None:
        """After the last read: nothing left running, the HTTP connections closed."""
        self._drop_upgrade()
        if self._end is None and self._ws is None:
            self._end = (1006, "", False, None)
        for task in (self._get, self._writer if self._ws is None else None):
            if task is not None and not task.done():
                task.cancel()
        await self._http.aclose()

    def how_it_closed(self) -> tuple[int, str, bool, Literal["client", "server", None]]:
        """(close code, reason, clean, who began the close) once it has ended, as a
        WebSocket would say it: 1000 and clean for Engine.IO's close packet either way
        (who sent it began the close); 1006, not clean, when the server vanished (who:
        None) or answered with an HTTP error such as 400 "Session ID unknown" (who:
        the server, the answer as the reason).  After an upgrade, the WebSocket's."""
        if self._ws is not None:
            return self._ws.how_it_closed()
        return self._end or (1006, "", False, None)
