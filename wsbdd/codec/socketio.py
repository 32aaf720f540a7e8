"""The Socket.IO codec: Engine.IO 4 / Socket.IO 5 over the WebSocket transport.

Sans-I/O like every codec: it is given each frame with the time it was read, and
returns what the frame meant.  The packet format itself is python-engineio's
(:class:`engineio.packet.Packet`) and python-socketio's
(:class:`socketio.packet.Packet`); this module decides what the packets mean for a
test client:

- the Engine.IO open packet (``0{"sid", "pingInterval", "pingTimeout", …}``) is
  answered with a Socket.IO CONNECT per configured namespace (with its auth), and
  the connection is ready once every one of them is acknowledged; a CONNECT_ERROR
  fails it with the server's message;
- the server's ping (``2``) is answered with ``3`` by the reader, between steps; a
  server that sends no ping for its ping interval plus ping timeout fails the
  connection from :meth:`SocketIOCodec.tick` (app-level reason ``ping timeout``);
- events and acknowledgements become JSON values (``{"type": "event", "namespace":
  "/", "event": "chat", "args": [...]}``) with a one-line label (``chat {"text":
  "hi"}``); a binary event's attachment frames are collected and the event is one
  message once complete;
- namespace news (connected, refused, disconnected by the server) are *protocol*
  messages: in the inbox for Socket.IO steps, claimed on arrival so generic steps
  never see them;
- the steps send :class:`Emit`, :class:`Acknowledge`, :class:`JoinNamespace` and
  :class:`LeaveNamespace`; ``str`` and ``bytes`` go out as raw frames;
- connection-state recovery (socket.io 4.6 and later), for clients that reconnect
  (:mod:`wsbdd.codec.resume`): the ``pid`` of each namespace's connect answer is kept,
  the offset the server appends to each event is taken off its arguments and kept,
  and the next connection's CONNECT carries both, as the official clients do.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from wsbdd.codec.base import NO_FRAMES, Decoded, Frame, Intent, Received
from wsbdd.codec.websocket import BaseCodec
from wsbdd.model.address import mask_secrets

__all__ = [
    "Acknowledge",
    "Emit",
    "JoinNamespace",
    "LeaveNamespace",
    "NamespaceState",
    "SocketIOCodec",
]


@dataclass
class Emit:
    """Emit ``event`` with ``args`` on ``namespace``; ``wants_ack`` asks the server to
    acknowledge it, and :meth:`SocketIOCodec.encode` then sets ``ack_id`` to the id the
    server's ack will carry (``$.ack`` of the ack message).  Each encode takes a new id:
    sent twice, the emit keeps the second one."""

    event: str
    args: tuple[Any, ...] = ()
    namespace: str = "/"
    wants_ack: bool = False
    ack_id: int | None = None


@dataclass(frozen=True)
class Acknowledge:
    """Answer the server's acknowledgement request ``id`` (an event's ``$.ack``)."""

    id: int
    args: tuple[Any, ...] = ()
    namespace: str = "/"


@dataclass(frozen=True)
class JoinNamespace:
    """Connect to one more namespace on the open connection, with ``auth`` as the CONNECT
    payload; its answer arrives as a protocol message (``connect`` or ``connect_error``)."""

    namespace: str
    auth: Any = None


@dataclass(frozen=True)
class LeaveNamespace:
    """Disconnect from a namespace (the connection itself stays open)."""

    namespace: str


State = Literal["connecting", "connected", "refused", "disconnected", "left"]


@dataclass
class NamespaceState:
    """Where one namespace of the connection stands."""

    name: str
    state: State = "connecting"
    sid: str | None = None
    message: str | None = None
    """The server's refusal message (``refused``) or the disconnect reason."""


# python-engineio's and python-socketio's packet modules, imported with the first codec:
# importing those packages costs about 0.2 s, which a run without Socket.IO never pays.
eio: ModuleType = ModuleType("engineio.packet (not imported yet)")
sio: ModuleType = ModuleType("socketio.packet (not imported yet)")


SioPacket: Any = None
"""python-socketio's ``Packet``, reading JSON with one decoder made once (see below)."""
_EIO_MESSAGE = "4"
"""Engine.IO's MESSAGE packet type as it starts a frame (``str(eio.MESSAGE)``, set again
from python-engineio when its packet module is imported)."""


def _bounded_int(text: str) -> int:
    """python-engineio's guard, kept: an integer of more than 100 digits is malformed."""
    if len(text) > 100:
        raise ValueError("Integer is too large")
    return int(text)


class _PacketJson:
    """The JSON module python-socketio's packets use, with one decoder for every packet.

    python-engineio's ``json.loads`` passes ``parse_int`` on every call, which makes the
    json module build a new decoder per packet: a fifth of decoding an event.  Same
    result, same guard on huge integers (the packet class's documented ``json`` hook)."""

    def __init__(self) -> None:
        self.loads = json.JSONDecoder(parse_int=_bounded_int).decode
        self.dumps = json.dumps


def _load_packets() -> None:
    global eio, sio, SioPacket, _EIO_MESSAGE
    if not hasattr(sio, "Packet"):
        from engineio import packet as engineio_packet
        from socketio import packet as socketio_packet

        class Packet(socketio_packet.Packet):  # type: ignore[misc,name-defined]
            json = _PacketJson()

        eio, sio, SioPacket = engineio_packet, socketio_packet, Packet
        _EIO_MESSAGE = str(engineio_packet.MESSAGE)


class Malformed(ValueError):
    """A frame that is no Socket.IO packet: the connection fails with this sentence."""


_SECONDS = 1000.0  # Engine.IO gives its times in ms
_MAX_LABEL = 160


def _json(value: Any) -> str:
    """A value as a feature writer would write it: JSON, with bytes shown by their size."""
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, list):
        return "[" + ", ".join(_json(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_json(v)}" for k, v in value.items()) + "}"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _label(*parts: str) -> str:
    text = " ".join(part for part in parts if part)
    if len(text) > _MAX_LABEL:
        text = text[: _MAX_LABEL - 1] + "…"
    return text


def _args_text(args: Sequence[Any]) -> str:
    try:
        # One call for the usual case, JSON with no bytes in it: "[1, {…}]" less its brackets.
        return json.dumps(list(args), ensure_ascii=False)[1:-1]
    except (TypeError, ValueError):
        return ", ".join(_json(arg) for arg in args)  # bytes among them: shown by size


def _lazy_label(where: str, head: str, args: Sequence[Any], ask: str = "") -> str:
    return _label(where, head, _args_text(args), ask)


def _where(namespace: str) -> str:
    """The namespace as a label's prefix: nothing for the main one."""
    return "" if namespace == "/" else namespace


def _preview(frame: Frame, limit: int = 60) -> str:
    """A short, safe rendering of a frame for sentences."""
    if isinstance(frame, bytes | bytearray | memoryview):
        data = bytes(frame)
        text = f"binary {len(data)} bytes 0x{data[:16].hex()}" + ("…" if len(data) > 16 else "")
        return text
    text = frame.replace("\n", " ")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return json.dumps(text, ensure_ascii=False)


class SocketIOCodec(BaseCodec):
    """Engine.IO 4 / Socket.IO 5 over a WebSocket (see the module docstring).

    ``namespaces``: connected when the WebSocket opens; the connection is ready once
    the server acknowledged all of them.  ``auth``: the CONNECT payload (for every
    namespace, unless ``auth_for`` gives one for it).  ``path``: where the server
    listens (``/socket.io/``), used by :meth:`url_for`.
    """

    __slots__ = (
        "namespaces",
        "auth",
        "auth_for",
        "path",
        "used_path",
        "url",
        "engine_sid",
        "ping_interval",
        "ping_timeout",
        "max_payload",
        "opened",
        "ready",
        "_first",
        "_initial",
        "_last_ping",
        "_pending",
        "_pending_raw",
        "_acks",
        "_next_ack",
        "_reason",
        "_eio3_hint",
        "_pids",
        "_offsets",
        "_resumed",
        "_recovered",
        "_described",
    )

    name: ClassVar[str] = "socket.io"
    engine_io: ClassVar[bool] = True
    """Its frames are Engine.IO packets, so the client may carry them on long-polling (the
    ``[socketio] transport`` setting: :mod:`wsbdd.io.polling`)."""

    def __init__(
        self,
        *,
        namespaces: Sequence[str] = ("/",),
        auth: Any = None,
        auth_for: Mapping[str, Any] | None = None,
        path: str = "/socket.io/",
    ) -> None:
        _load_packets()
        names = [_namespace(name) for name in namespaces] or ["/"]
        self.namespaces: dict[str, NamespaceState] = {}
        for name in names:
            self.namespaces[name] = NamespaceState(name)
        self._initial = tuple(self.namespaces)
        self._first = self._initial[0]
        self.auth = auth
        self.auth_for = dict(auth_for or {})
        self.path = "/" + path.strip("/") + "/" if path.strip("/") else "/"
        self.url: str | None = None
        """The address last given to :meth:`url_for` (for sentences)."""
        self.used_path = self.path
        """The Engine.IO path of the address :meth:`url_for` made."""
        self.engine_sid: str | None = None
        self.ping_interval = 0.0
        self.ping_timeout = 0.0
        self.max_payload: int | None = None
        self.opened = False
        """The server's Engine.IO open packet came."""
        self.ready = False
        self._last_ping = 0.0
        self._pending: Any = None
        """A binary event or ack waiting for its attachment frames."""
        self._pending_raw: Frame = ""
        self._acks: dict[tuple[str, int], str] = {}
        """(namespace, id) → the event of our emit that asked for that ack."""
        self._next_ack = 0
        self._reason: str | None = None
        self._eio3_hint = False
        # Connection-state recovery (see "reconnection" below), per namespace.
        self._pids: dict[str, str] = {}
        """The session's private id, from the connect answer (or, before it, the
        resumed one): the server offers recovery."""
        self._offsets: dict[str, str] = {}
        """The offset of the last event received: where a recovery resumes from."""
        self._resumed: dict[str, str] = {}
        """The pids this connection asked to resume (from the lost connection's codec)."""
        self._recovered: dict[str, bool] = {}
        self._described: tuple[Emit | None, str | None] = (None, None)
        """The latest emit encoded, and its frame when it is one text frame (its label's
        source, see :meth:`describe`)."""

    # -- the address ------------------------------------------------------------------

    def url_for(self, url: str) -> str:
        """``ws://h:p`` or ``http://h:p`` → ``ws://h:p/socket.io/?EIO=4&transport=websocket``.

        The query's own parameters are kept (a token); ``EIO`` and ``transport`` are
        set.  A path other than ``/`` is kept as it is (a server mounted elsewhere).
        """
        self.url = mask_secrets(url)  # sentences name it: never with its token
        parts = urlsplit(url)
        scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
        path = parts.path if parts.path not in ("", "/") else self.path
        self.used_path = path
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        query = [(k, v) for k, v in query if k not in ("EIO", "transport")]
        query += [("EIO", "4"), ("transport", "websocket")]
        return urlunsplit((scheme, parts.netloc, path, urlencode(query), parts.fragment))

    def refusal_hint(self, status: int, body: str) -> str | None:
        """Socket.IO servers refuse a WebSocket handshake they cannot serve with a status
        and a short body; say what that means for the settings."""
        text = body.lower()
        if status == 404:
            return (
                f"no Socket.IO server answers at the path {self.used_path}; check the [socketio] "
                "path setting (and that the server is a Socket.IO one)"
            )
        if "version" in text:  # python-engineio's and socket.io's words for an EIO mismatch
            return (
                "the server does not accept Engine.IO 4: if it speaks Engine.IO 3 (Socket.IO "
                "2), wsbdd does not support it; upgrade the server to Socket.IO 3 or later"
            )
        if "transport" in text:  # socket.io's "Transport unknown"
            return (
                "the server does not take the WebSocket transport; if it serves long-polling "
                'only, set [socketio] transport = "polling-only"'
            )
        if status == 403 and not text.strip():
            # python-socketio (ASGI) refuses a WebSocket it will not serve with a bare 403.
            return (
                "a Socket.IO server answers so when it serves long-polling only (then set "
                '[socketio] transport = "polling-only") or refuses the connection itself'
            )
        return None

    # -- state ------------------------------------------------------------------------

    def namespace(self, name: str) -> NamespaceState | None:
        return self.namespaces.get(_namespace(name))

    # -- the seam ---------------------------------------------------------------------

    def opening(self, subprotocol: str | None, now: float) -> Decoded:
        # Nothing to say: the server speaks first (its Engine.IO open packet).
        self._last_ping = now
        return Decoded()

    def decode(self, frame: Frame, at: float) -> Decoded | None:
        try:
            return self._decode(frame, at)
        except Malformed as problem:
            self._reason = "parse error"
            return Decoded(failed=str(problem), reason="parse error")

    def _decode(self, frame: Frame, at: float) -> Decoded:
        if not self.opened:
            return self._open(frame, at)
        if (
            type(frame) is str
            and len(frame) > 1
            and frame[0] == _EIO_MESSAGE
            and frame[1].isnumeric()
        ):
            # The usual frame, an Engine.IO message carrying a Socket.IO packet ("42[…]"):
            # what eio.Packet makes of it (type MESSAGE, the rest as text), without the
            # packet object and the exception it raises and catches to get there.
            return self._message(frame, frame[1:])
        try:
            packet = eio.Packet(encoded_packet=frame)
        except (ValueError, IndexError, TypeError) as error:
            raise self._malformed(
                frame, f"it is no Engine.IO packet ({error or 'empty'})"
            ) from None
        kind = packet.packet_type
        if kind == eio.MESSAGE:
            if packet.binary:
                return self._attachment(frame, packet.data)
            if not isinstance(packet.data, str):
                raise self._malformed(frame, "its Engine.IO message carries no Socket.IO packet")
            return self._message(frame, packet.data)
        if kind == eio.PING:
            self._last_ping = at
            return Decoded(replies=(eio.Packet(eio.PONG, packet.data or None).encode(),))
        if kind == eio.CLOSE:
            # After a DISCONNECT ("41": io server disconnect) the server may still end the
            # transport with Engine.IO's close packet (Node does on long-polling): the
            # reason the app gave first stands.
            if self._reason is None:
                self._reason = "transport close"
            return Decoded(closing=True, reason=self._reason)
        if kind in (eio.PONG, eio.NOOP, eio.UPGRADE, eio.OPEN):
            return Decoded()  # nothing for a client on an open WebSocket
        raise self._malformed(frame, f"Engine.IO has no packet type {kind!r}")

    def _open(self, frame: Frame, at: float) -> Decoded:
        """The first frame: it must be the Engine.IO open packet."""
        where = f" at {self.url}" if self.url else ""
        not_sio = (
            f"the server{where} does not speak Socket.IO (Engine.IO 4): its first frame was "
            f'{_preview(frame)}, not an Engine.IO open packet (0{{"sid": …}})'
        )
        if not isinstance(frame, str) or not frame.startswith("0"):
            return Decoded(failed=not_sio)
        try:
            packet = eio.Packet(encoded_packet=frame)
        except (ValueError, IndexError, TypeError):
            return Decoded(failed=not_sio)
        data = packet.data
        if (
            packet.packet_type != eio.OPEN
            or not isinstance(data, dict)
            or not isinstance(data.get("sid"), str)
            or not isinstance(data.get("pingInterval"), int)
            or not isinstance(data.get("pingTimeout"), int)
        ):
            return Decoded(failed=not_sio)
        self.opened = True
        self.engine_sid = data["sid"]
        self.ping_interval = data["pingInterval"] / _SECONDS
        self.ping_timeout = data["pingTimeout"] / _SECONDS
        max_payload = data.get("maxPayload")
        self.max_payload = max_payload if isinstance(max_payload, int) else None
        # Engine.IO 3 servers give no maxPayload (nor do the first Engine.IO 4 ones): a
        # hint for the sentence if the server then behaves like one.
        self._eio3_hint = self.max_payload is None
        self._last_ping = at
        replies = [self._connect_frame(name) for name in self._initial]
        return Decoded(replies=replies)

    def _connect_frame(self, name: str) -> str:
        auth = self._with_resume(name, self.auth_for.get(name, self.auth))
        return eio.Packet(eio.MESSAGE, SioPacket(sio.CONNECT, auth, name).encode()).encode()

    def _message(self, frame: Frame, text: str) -> Decoded:
        if self._pending is not None:
            raise self._malformed(
                frame,
                f"a packet came while a binary packet still waited for "
                f"{self._pending.attachment_count - len(self._pending.attachments)} attachment(s)",
            )
        if not text or not text[0].isdigit():
            raise self._malformed(frame, "it is no Socket.IO packet")
        try:
            packet = SioPacket(binary=False, encoded_packet=text)  # no data yet: nothing to scan
        except (ValueError, IndexError, TypeError) as error:
            raise self._malformed(frame, f"its Socket.IO packet does not parse ({error})") from None
        kind = packet.packet_type
        namespace = packet.namespace or "/"
        if kind in (sio.EVENT, sio.BINARY_EVENT, sio.ACK, sio.BINARY_ACK):
            self._check_payload(frame, packet)
            if packet.attachment_count:
                self._pending = packet
                self._pending_raw = frame  # transcripts show the packet, not the bytes
                return Decoded()  # the message is complete with its last attachment
            return Decoded(messages=(self._app_message(packet, namespace, None),))
        if kind == sio.CONNECT:
            return self._connected(frame, packet, namespace)
        if kind == sio.CONNECT_ERROR:
            return self._refused(packet, namespace)
        if kind == sio.DISCONNECT:
            return self._disconnected(packet, namespace)
        raise self._malformed(frame, f"Socket.IO has no packet type {kind!r}")

    def _check_payload(self, frame: Frame, packet: Any) -> None:
        kind = packet.packet_type
        data = packet.data
        if kind in (sio.EVENT, sio.BINARY_EVENT):
            if not isinstance(data, list) or not data or not isinstance(data[0], str):
                raise self._malformed(
                    frame, "its event has no name (a JSON array starting with the event's name)"
                )
        elif packet.id is None:
            raise self._malformed(frame, "its acknowledgement has no id")
        elif not isinstance(data, list):
            raise self._malformed(frame, "its acknowledgement's arguments are no JSON array")
        if kind in (sio.EVENT, sio.ACK) and packet.attachment_count:
            raise self._malformed(frame, "it announces attachments on a packet that has none")

    def _attachment(self, frame: Frame, data: bytes) -> Decoded:
        pending = self._pending
        if pending is None:
            raise self._malformed(frame, "a binary frame came with no binary packet waiting for it")
        try:
            complete = pending.add_attachment(data)
        except (IndexError, KeyError, TypeError, ValueError):
            self._pending = None
            raise self._malformed(
                self._pending_raw, "its placeholders do not match its attachments"
            ) from None
        if complete:
            self._pending = None
            raw = self._pending_raw
            return Decoded(messages=(self._app_message(pending, pending.namespace or "/", raw),))
        return Decoded()

    def _app_message(self, packet: Any, namespace: str, raw: Frame | None) -> Received:
        data = packet.data  # a list the packet read from this frame: no one else holds it
        if packet.packet_type in (sio.EVENT, sio.BINARY_EVENT):
            event, args = data[0], data[1:]
            value: dict[str, Any] = {
                "type": "event",
                "namespace": namespace,
                "event": event,
                "args": args,
            }
            ask = ""
            if packet.id is not None:
                value["ack"] = packet.id
                ask = f"(ack {packet.id})"
            else:
                value["args"] = args = self._take_offset(namespace, args)
            # The label is made when first read (a report, a failure): most events are
            # only checked, and its JSON dump would cost a sixth of decoding the event.
            return Received(value, raw, partial(_lazy_label, _where(namespace), event, args, ask))
        emitted = self._acks.pop((namespace, packet.id), None)
        value = {"type": "ack", "namespace": namespace, "ack": packet.id, "args": data}
        if emitted is not None:
            value["event"] = emitted
        return Received(
            value, raw, partial(_lazy_label, _where(namespace), f"ack {packet.id}", data)
        )

    def _connected(self, frame: Frame, packet: Any, namespace: str) -> Decoded:
        data = packet.data
        sid = data.get("sid") if isinstance(data, dict) else None
        if not isinstance(sid, str):
            if data is None:
                # Socket.IO 2 acknowledges a namespace with a bare "40" (and sends it
                # unasked); Socket.IO 3 and later always give the namespace's sid.
                return Decoded(failed=self._eio3())
            raise self._malformed(frame, "its namespace CONNECT carries no sid")
        state = self.namespaces.setdefault(namespace, NamespaceState(namespace))
        state.state, state.sid, state.message = "connected", sid, None
        recovered = self._note_session(namespace, data)
        messages: tuple[Received, ...] = ()
        if namespace != self._first or self.ready:  # the first one's ack is the connection
            value = {"type": "connect", "namespace": namespace, "sid": sid, "recovered": recovered}
            messages = (Received(value, label=f"{namespace} connect", protocol=True),)
        ready = False
        if not self.ready and all(
            self.namespaces[name].state == "connected" for name in self._initial
        ):
            self.ready = ready = True
        return Decoded(messages=messages, ready=ready)

    def _refused(self, packet: Any, namespace: str) -> Decoded:
        data = packet.data
        if isinstance(data, dict):
            message = data.get("message")
            extra = data.get("data")
        else:
            message, extra = data, None
        if isinstance(message, str):
            text = message
        else:
            text = "no reason given" if message is None else _json(message)
        state = self.namespaces.setdefault(namespace, NamespaceState(namespace))
        state.state, state.message = "refused", text
        value: dict[str, Any] = {
            "type": "connect_error",
            "namespace": namespace,
            "message": text,
            "data": extra,
        }
        refusal = Received(value, label=_label(f"{namespace} refused:", text), protocol=True)
        if not self.ready and namespace in self._initial:
            failed = f'the server refused namespace "{namespace}": {text}'
            return Decoded(messages=(refusal,), failed=failed)
        return Decoded(messages=(refusal,))

    def _disconnected(self, packet: Any, namespace: str) -> Decoded:
        if not self.ready and namespace in self._initial:
            # Some servers refuse a namespace with a DISCONNECT (python-socketio's
            # always_connect) rather than a CONNECT_ERROR.
            return self._refused(packet, namespace)
        reason = "io server disconnect"
        state = self.namespaces.setdefault(namespace, NamespaceState(namespace))
        state.state, state.message = "disconnected", reason
        value = {"type": "disconnect", "namespace": namespace, "reason": reason}
        message = Received(value, label=f"{namespace} disconnected by the server", protocol=True)
        last = not any(s.state == "connected" for s in self.namespaces.values())
        if last:
            self._reason = reason
            return Decoded(messages=(message,), closing=True, reason=reason)
        return Decoded(messages=(message,))

    def _eio3(self) -> str:
        where = f" at {self.url}" if self.url else ""
        return (
            f"the server{where} speaks Engine.IO 3 (Socket.IO 2), which wsbdd does not "
            "support; upgrade the server to Socket.IO 3 or later"
        )

    def _malformed(self, frame: Frame, why: str) -> Malformed:
        return Malformed(f"the server sent a malformed Socket.IO packet {_preview(frame)}: {why}")

    # -- sending ----------------------------------------------------------------------

    def encode(self, intent: Intent) -> Sequence[Frame]:
        if isinstance(intent, str | bytes):
            return (intent,)  # an escape hatch: a raw frame, as it stands
        if isinstance(intent, Emit):
            return self._emit(intent)
        try:
            return self._control(intent)
        except (TypeError, ValueError) as error:
            if isinstance(error, TypeError) and str(error).startswith("it sends"):
                raise
            raise TypeError(f"its arguments cannot be sent as JSON ({error})") from None

    def _control(self, intent: Intent) -> Sequence[Frame]:
        if isinstance(intent, Acknowledge):
            name = _namespace(intent.namespace)
            packet = SioPacket(sio.ACK, data=list(intent.args), namespace=name, id=intent.id)
            return _frames(packet)
        if isinstance(intent, JoinNamespace):
            name = _namespace(intent.namespace)
            self.namespaces[name] = NamespaceState(name)
            packet = SioPacket(sio.CONNECT, data=intent.auth, namespace=name)
            return _frames(packet)
        if isinstance(intent, LeaveNamespace):
            name = _namespace(intent.namespace)
            state = self.namespaces.setdefault(name, NamespaceState(name))
            state.state = "left"
            return _frames(SioPacket(sio.DISCONNECT, namespace=name))
        raise TypeError(
            "it sends an Emit, an Acknowledge, a JoinNamespace, a LeaveNamespace, or text or "
            f"bytes as a raw frame, not {type(intent).__name__}"
        )

    def _emit(self, emit: Emit) -> Sequence[Frame]:
        if not isinstance(emit.event, str) or not emit.event:
            raise TypeError("an event needs a name (a non-empty text)")
        name = _namespace(emit.namespace)
        ack_id = None
        if emit.wants_ack:
            ack_id = self._next_ack
        data = [emit.event, *emit.args]
        binary = _has_bytes(data)
        packet = SioPacket(sio.EVENT, data=data, namespace=name, id=ack_id, binary=binary)
        try:
            frames = _frames(packet)
        except (TypeError, ValueError) as error:
            raise TypeError(f"its arguments cannot be sent as JSON ({error})") from None
        if ack_id is not None:
            self._next_ack += 1
            emit.ack_id = ack_id
            self._acks[(name, ack_id)] = emit.event
        # The label is made from the frame when first read (a report): most emits are never
        # shown.  From the frame, not the intent: arguments changed after the emit do not
        # change what the transcript says was sent.
        first = frames[0]
        self._described = (emit, first if isinstance(first, str) and not binary else None)
        return frames

    def sent_label(self, intent: Intent) -> str | Callable[[], str] | None:
        """The label of what :meth:`encode` just made of ``intent``, for the client's
        record of sent frames: :meth:`describe`, except that the label of an emit of one
        text frame is made from that frame when first read (most are never shown, and
        the arguments' JSON dump was a tenth of an emit's cost)."""
        if isinstance(intent, Emit):
            emitted, frame = self._described
            if emitted is intent and frame is not None:
                return partial(_sent_emit_label, frame)
        return self.describe(intent)

    def describe(self, intent: Intent) -> str | None:
        if isinstance(intent, Emit):
            ask = f"(ack {intent.ack_id})" if intent.ack_id is not None else ""
            where = _where(_namespace(intent.namespace))
            return _label("emit", where, intent.event, _args_text(intent.args), ask)
        if isinstance(intent, Acknowledge):
            where = _where(_namespace(intent.namespace))
            return _label("answer", where, f"ack {intent.id}", _args_text(intent.args))
        if isinstance(intent, JoinNamespace):  # never the auth: it may hold a password
            return f"connect {_namespace(intent.namespace)}"
        if isinstance(intent, LeaveNamespace):
            return f"disconnect {_namespace(intent.namespace)}"
        return None

    # -- time -------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        if not self.opened or self._reason is not None:
            return None
        return self._last_ping + self.ping_interval + self.ping_timeout

    def tick(self, now: float) -> Sequence[Frame] | Decoded:
        deadline = self.next_deadline()
        if deadline is None or now < deadline:
            return NO_FRAMES
        self._reason = "ping timeout"
        silent = self.ping_interval + self.ping_timeout
        text = (
            f"the server sent no ping for {silent:g} s (its ping interval "
            f"{self.ping_interval:g} s + ping timeout {self.ping_timeout:g} s)"
        )
        if self._eio3_hint and not self.ready:
            text += "; an Engine.IO 3 (Socket.IO 2) server never pings, and wsbdd needs 3 or later"
        return Decoded(failed=text, reason="ping timeout")

    def closing(self) -> Sequence[Frame]:
        if self._reason is None:
            self._reason = "io client disconnect"
        frames: list[Frame] = []
        for state in self.namespaces.values():
            if state.state == "connected":
                frames.extend(_frames(SioPacket(sio.DISCONNECT, namespace=state.name)))
                state.state = "left"
        return frames

    def app_reason(self, closed_by: str | None) -> str | None:
        if self._reason is not None:
            return self._reason
        if not self.ready:
            return None  # no Socket.IO session began (refused, or never answered)
        return "io client disconnect" if closed_by == "client" else "transport close"

    # -- reconnection: connection-state recovery (wsbdd.codec.resume) -------------------
    #
    # A server with recovery on answers each namespace's CONNECT with a private session id
    # ("pid") and appends an offset (a string) to every event it emits without asking for
    # an acknowledgement.  On reconnection the client puts {"pid", "offset"} into its
    # CONNECT payload; the server then gives the old session back (same sid, rooms) and
    # first sends the events emitted meanwhile, offsets included, before its answer.

    def _with_resume(self, name: str, auth: Any) -> Any:
        """The CONNECT payload, with the session to resume merged in under its own keys."""
        pid = self._resumed.get(name)
        if pid is None or not (auth is None or isinstance(auth, Mapping)):
            return auth
        resume: dict[str, Any] = {"pid": pid}
        offset = self._offsets.get(name)
        if offset is not None:  # none yet: the server starts a new session
            resume["offset"] = offset
        return {**resume, **(auth or {})}

    def _note_session(self, namespace: str, data: Mapping[str, Any]) -> bool:
        """A namespace's connect answer: keep its pid; whether it resumed the old session."""
        pid = data.get("pid")
        if not isinstance(pid, str):
            self._pids.pop(namespace, None)
            self._recovered[namespace] = False
            return False
        self._pids[namespace] = pid
        recovered = self._resumed.get(namespace) == pid
        self._recovered[namespace] = recovered
        return recovered

    def _take_offset(self, namespace: str, args: list[Any]) -> list[Any]:
        """An event's arguments without the offset the server appended (kept for a later
        recovery); as they are when the server offers no recovery."""
        if namespace in self._pids and args and isinstance(args[-1], str):
            self._offsets[namespace] = args[-1]
            return args[:-1]
        return args

    def may_reconnect(self) -> bool:
        """Not after the server disconnected the client (``io server disconnect``) or the
        client itself did: the official clients do not reconnect then."""
        return self._reason not in ("io server disconnect", "io client disconnect")

    def resumption(self) -> dict[str, tuple[str, str | None]]:
        """Each namespace's pid and last offset, for the next connection's codec."""
        return {name: (pid, self._offsets.get(name)) for name, pid in self._pids.items()}

    def resume(self, state: Mapping[str, tuple[str, str | None]]) -> None:
        """Ask the server for the sessions of ``state`` (:meth:`resumption` of the codec of
        the lost connection) when this connection's namespaces connect."""
        for name, (pid, offset) in state.items():
            self._resumed[name] = self._pids[name] = pid
            if offset is not None:
                self._offsets[name] = offset

    def renewed(self) -> SocketIOCodec:
        """A fresh codec for the next connection: the same namespaces, auth and path."""
        return SocketIOCodec(
            namespaces=self._initial, auth=self.auth, auth_for=self.auth_for, path=self.path
        )

    def session_id(self) -> str | None:
        """The sid of the first namespace (the one the connection is ready with)."""
        state = self.namespaces.get(self._first)
        return state.sid if state is not None else None

    def recovered(self) -> bool | None:
        """Whether the server resumed the first namespace's session; None when it offers
        no recovery."""
        if self._first not in self._pids or self._first not in self._recovered:
            return None
        return self._recovered[self._first]


def _namespace(name: str) -> str:
    """``admin`` → ``/admin``; ``/`` stays."""
    name = name.strip()
    return name if name.startswith("/") else "/" + name


def _frames(packet: Any) -> list[Frame]:
    """A Socket.IO packet as WebSocket frames: the Engine.IO message, then its attachments.

    An Engine.IO message of text is its type digit and the text (what
    ``eio.Packet(eio.MESSAGE, text).encode()`` gives, without making the packet)."""
    encoded = packet.encode()
    if isinstance(encoded, list):
        first, attachments = encoded[0], encoded[1:]
        return [_EIO_MESSAGE + first, *(bytes(a) for a in attachments)]
    return [_EIO_MESSAGE + encoded]


def _has_bytes(data: Any) -> bool:
    """Whether a packet's data holds bytes: python-socketio's ``Packet.data_is_binary``
    (bytes inside lists and dicts count; a tuple is not looked into), in a plain loop."""
    if isinstance(data, bytes | bytearray):
        return True
    if isinstance(data, list):
        for item in data:
            if _has_bytes(item):
                return True
        return False
    if isinstance(data, dict):
        for item in data.values():
            if _has_bytes(item):
                return True
    return False


def _sent_emit_label(frame: str) -> str:
    """The label of an emit from the frame that carried it: ``emit /admin ban {…} (ack 3)``."""
    packet = SioPacket(encoded_packet=frame[1:])
    data = packet.data
    ask = f"(ack {packet.id})" if packet.id is not None else ""
    where = _where(packet.namespace or "/")
    return _label("emit", where, data[0], _args_text(data[1:]), ask)
