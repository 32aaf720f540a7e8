"""The STOMP codec: STOMP 1.0, 1.1 and 1.2 frames over a WebSocket (RabbitMQ Web-STOMP,
ActiveMQ, Artemis, Spring's broker relay).

Sans-I/O like every codec: it is given each WebSocket message with the time it was read
and returns what the STOMP frames in it meant.  The frame format is small enough to be
written here, on bytes, rather than borrowed from a client library (stomp.py's parser
expects frames already cut out of a socket's stream, tolerates unknown escapes and does
not escape headers by version):

- opening sends CONNECT (``accept-version``, ``host``, ``login``, ``passcode``,
  ``heart-beat``); the connection is ready on CONNECTED, whose ``version`` and
  ``heart-beat`` settle the version and the heart-beat intervals (STOMP 1.2,
  "Heart-beating"); an ERROR before CONNECTED refuses the connection with its
  ``message`` header and body;
- heart-beats (one end-of-line) are sent from :meth:`StompCodec.tick` on the agreed
  interval, and a broker silent for twice its own interval fails the connection;
- frames end with NUL; a WebSocket message may carry several frames, and a frame may
  arrive over several messages (it is buffered); a ``content-length`` body may hold
  NULs and any bytes;
- header values are escaped per version (``\\n``, ``\\c``, ``\\\\``, and ``\\r`` in 1.2),
  except in CONNECT and CONNECTED;
- MESSAGE and ERROR are app messages ``{"command", "headers", "body"}`` (a JSON body
  parsed), RECEIPT a protocol message; heart-beats and CONNECTED are chatter;
- the steps send :class:`StompSend`, :class:`StompSubscribe`, :class:`StompUnsubscribe`,
  :class:`StompAck`, :class:`StompNack`, :class:`StompBegin`, :class:`StompCommit` and
  :class:`StompAbort`; ``str`` and ``bytes`` go out as raw frames.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from wsbdd.codec.base import NO_FRAMES, Decoded, Frame, Intent, Received
from wsbdd.codec.websocket import BaseCodec

__all__ = [
    "StompAbort",
    "StompAck",
    "StompBegin",
    "StompCodec",
    "StompCommit",
    "StompNack",
    "StompSend",
    "StompSubscribe",
    "StompUnsubscribe",
]

VERSIONS = ("1.0", "1.1", "1.2")
SERVER_COMMANDS = ("CONNECTED", "MESSAGE", "RECEIPT", "ERROR")
_EOL = "\n"
_MAX_LABEL = 160
_MAX_HEAD = 1 << 20
"""A frame's command and headers longer than this, with no blank line yet: malformed."""


# -- intents -------------------------------------------------------------------------------


@dataclass
class StompSend:
    """SEND ``body`` to ``destination``; ``headers`` are added as they are (a
    ``content-type``), ``content-length`` is always set.  ``receipt`` asks the broker for a
    RECEIPT: :meth:`StompCodec.encode` then sets ``receipt_id``."""

    destination: str
    body: str | bytes = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    transaction: str | None = None
    receipt: bool = False
    receipt_id: str | None = None


@dataclass
class StompSubscribe:
    """SUBSCRIBE to ``destination`` with ``ack`` mode ``auto``, ``client`` or
    ``client-individual``.  :meth:`StompCodec.encode` sets ``id`` (``sub-0``, ``sub-1``…)
    unless it is given."""

    destination: str
    ack: str = "auto"
    headers: Mapping[str, str] = field(default_factory=dict)
    receipt: bool = False
    id: str | None = None
    receipt_id: str | None = None


@dataclass
class StompUnsubscribe:
    """UNSUBSCRIBE the subscription ``id`` (a :class:`StompSubscribe`'s ``id``)."""

    id: str
    receipt: bool = False
    receipt_id: str | None = None


@dataclass
class StompAck:
    """ACK the message whose headers are ``headers`` (a received MESSAGE's
    ``$.headers``): STOMP 1.2 uses its ``ack`` header, 1.1 its ``message-id`` and
    ``subscription``, 1.0 its ``message-id``."""

    headers: Mapping[str, str]
    transaction: str | None = None
    receipt: bool = False
    receipt_id: str | None = None


@dataclass
class StompNack(StompAck):
    """NACK the message whose headers are ``headers`` (STOMP 1.1 and later)."""


@dataclass
class StompBegin:
    """BEGIN the transaction ``transaction``."""

    transaction: str
    receipt: bool = False
    receipt_id: str | None = None


@dataclass
class StompCommit(StompBegin):
    """COMMIT the transaction ``transaction``."""


@dataclass
class StompAbort(StompBegin):
    """ABORT the transaction ``transaction``."""


_Intent = StompSend | StompSubscribe | StompUnsubscribe | StompAck | StompBegin


class Malformed(ValueError):
    """A frame that is no STOMP frame: the connection fails with this sentence."""


# -- text helpers --------------------------------------------------------------------------


def _seconds(ms: int) -> str:
    seconds = ms / 1000
    return f"{seconds:.1f}" if round(seconds, 1) == seconds else f"{seconds:g}"


def _shorten(text: str, limit: int = _MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _preview(data: bytes, limit: int = 60) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return f"binary {len(data)} bytes 0x{data[:16].hex()}" + ("…" if len(data) > 16 else "")
    text = text.replace("\x00", "^@").replace("\r", "").replace("\n", "⏎")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return json.dumps(text, ensure_ascii=False)


def is_json_type(content_type: str | None) -> bool:
    """``application/json``, ``application/ld+json; charset=utf-8``, ``text/json``."""
    if not content_type:
        return False
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind in ("application/json", "text/json") or kind.endswith("+json")


def _body_value(body: bytes, content_type: str | None) -> Any:
    """A frame's body as ``$.body``: parsed JSON, else text, else bytes."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return body
    if is_json_type(content_type):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _body_text(body: str | bytes, content_type: str | None) -> str:
    """How a label shows a body: JSON as JSON, text quoted, bytes by their size."""
    if isinstance(body, bytes | bytearray):
        value = _body_value(bytes(body), content_type)
    elif is_json_type(content_type):
        try:
            value = json.loads(body)
        except ValueError:
            value = body
    else:
        value = body
    if value == "":
        return ""
    return _json(value)


def _label(*parts: str) -> str:
    return _shorten(" ".join(part for part in parts if part))


# -- escaping (STOMP 1.1 and 1.2 "Value Encoding") -------------------------------------------

_ESCAPES_11 = {"\\": "\\\\", "\n": "\\n", ":": "\\c"}
_ESCAPES_12 = {**_ESCAPES_11, "\r": "\\r"}
_UNESCAPES_11 = {"\\": "\\", "n": "\n", "c": ":"}
_UNESCAPES_12 = {**_UNESCAPES_11, "r": "\r"}


def escape(text: str, version: str) -> str:
    """A header name or value as ``version`` writes it."""
    if version == "1.0":
        return text
    table = _ESCAPES_12 if version == "1.2" else _ESCAPES_11
    return "".join(table.get(char, char) for char in text)


def unescape(text: str, version: str, *, strict: bool = True) -> str:
    """A header name or value as ``version`` reads it; an unknown escape is a
    :class:`ValueError` (the spec makes it a fatal error), or kept when not ``strict``."""
    if version == "1.0" or "\\" not in text:
        return text
    table = _UNESCAPES_12 if version == "1.2" else _UNESCAPES_11
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        code = text[index + 1 : index + 2]
        if code in table:
            out.append(table[code])
        elif strict:
            raise ValueError(f'"\\{code}" is no STOMP {version} escape')
        else:
            out.append("\\" + code)
        index += 2
    return "".join(out)


def _version_list(version: str | None) -> tuple[str, ...]:
    if version is None:
        return VERSIONS
    chosen = tuple(part.strip() for part in str(version).split(",") if part.strip())
    wrong = [part for part in chosen if part not in VERSIONS]
    if not chosen or wrong:
        raise ValueError(
            f'STOMP version "{version}" is none of 1.0, 1.1 or 1.2; write one of them (or '
            '"1.1,1.2"), or leave it out to offer all three'
        )
    return chosen


def _heart_beat(value: Any) -> tuple[int, int]:
    try:
        cx, cy = (int(part) for part in value)
    except (TypeError, ValueError):
        raise ValueError(
            f"heart_beat must be two numbers of milliseconds [send, receive], not {value!r}"
        ) from None
    if cx < 0 or cy < 0:
        raise ValueError(f"heart_beat must be two numbers ≥ 0 (0: none), not {value!r}")
    return cx, cy


class StompCodec(BaseCodec):
    """STOMP over WebSocket (see the module docstring).

    ``login`` and ``passcode``: the CONNECT credentials (None: not sent); ``host``: the
    virtual host (RabbitMQ's ``/``); ``heart_beat``: ``(cx, cy)`` in milliseconds, how
    often this client can send a heart-beat and wants one (0: never); ``version``: the
    versions offered in ``accept-version`` (None: ``1.0,1.1,1.2``).
    """

    __slots__ = (
        "login",
        "passcode",
        "host",
        "heart_beat",
        "versions",
        "version",
        "ready",
        "session",
        "server",
        "send_every",
        "expect_every",
        "subscriptions",
        "_buffer",
        "_last_sent",
        "_last_heard",
        "_subscription_count",
        "_receipt_count",
        "_disconnect_receipt",
        "_done",
        "_reason",
        "_error",
    )

    name: ClassVar[str] = "stomp"
    subprotocols = ("v12.stomp", "v11.stomp", "v10.stomp")
    settings_table: ClassVar[str | None] = "stomp"
    secret_fields: ClassVar[tuple[str, ...]] = (r"^passcode:(.*)$",)
    """Where a frame holds a secret (group 1, a MULTILINE regex): the CONNECT passcode."""
    public_fields: ClassVar[tuple[str, ...]] = (r"^login:(.*)$",)
    """Where a frame holds a value that stays readable even when it equals a secret."""

    def __init__(
        self,
        *,
        login: str | None = None,
        passcode: str | None = None,
        host: str = "/",
        heart_beat: tuple[int, int] | Sequence[int] = (10000, 10000),
        version: str | None = None,
    ) -> None:
        self.login = login
        self.passcode = passcode
        self.host = host
        self.heart_beat = _heart_beat(heart_beat)
        self.versions = _version_list(version)
        self.version: str = self.versions[-1]
        """The version agreed on CONNECTED (before it: the highest one offered)."""
        self.ready = False
        self.session: str | None = None
        """The broker's ``session`` header of CONNECTED."""
        self.server: str | None = None
        """The broker's ``server`` header of CONNECTED (``RabbitMQ/3.10.8``)."""
        self.send_every = 0
        """Milliseconds between the heart-beats this client sends (0: none)."""
        self.expect_every = 0
        """Milliseconds between the broker's heart-beats (0: none expected)."""
        self.subscriptions: dict[str, str] = {}
        """Subscription id → destination, for the subscriptions still open."""
        self._buffer = bytearray()
        self._last_sent = 0.0
        self._last_heard = 0.0
        self._subscription_count = 0
        self._receipt_count = 0
        self._disconnect_receipt: str | None = None
        self._done = False
        self._reason: str | None = None
        self._error = False
        """The broker sent an ERROR after CONNECTED (RabbitMQ keeps the connection open
        after most; the spec says a broker closes it)."""

    def renewed(self) -> StompCodec:
        """A fresh codec for the next connection, with the same settings."""
        return StompCodec(
            login=self.login,
            passcode=self.passcode,
            host=self.host,
            heart_beat=self.heart_beat,
            version=",".join(self.versions),
        )

    def may_reconnect(self) -> bool:
        """Not after the broker refused the login (it would refuse again) nor after this
        client sent DISCONNECT (:mod:`wsbdd.codec.resume`)."""
        return self._reason not in ("refused", "client DISCONNECT")

    def session_id(self) -> str | None:
        """The broker's ``session`` header of CONNECTED."""
        return self.session

    def refusal_hint(self, status: int, body: str) -> str | None:
        if status == 404:
            return (
                "no STOMP endpoint answers at that path; RabbitMQ's Web-STOMP listens at /ws "
                "(ws://host:15674/ws), so check the path in the address or [stomp] url"
            )
        return None

    # -- opening ------------------------------------------------------------------------

    def opening(self, subprotocol: str | None, now: float) -> Decoded:
        self._last_heard = self._last_sent = now
        headers = {
            "accept-version": ",".join(self.versions),
            "host": self.host,
        }
        if self.login is not None:
            headers["login"] = self.login
        if self.passcode is not None:
            headers["passcode"] = self.passcode
        if self.versions != ("1.0",):
            headers["heart-beat"] = f"{self.heart_beat[0]},{self.heart_beat[1]}"
        # CONNECT's headers are never escaped (STOMP 1.2, "Value Encoding").
        return Decoded(replies=(self._frame("CONNECT", headers, b"", escaped=False),))

    # -- reading ------------------------------------------------------------------------

    def decode(self, frame: Frame, at: float) -> Decoded | None:
        if self._done:
            return Decoded()
        self._last_heard = at
        self._buffer += frame.encode("utf-8") if isinstance(frame, str) else bytes(frame)
        messages: list[Received] = []
        ready = False
        try:
            while True:
                parsed = self._next_frame()
                if parsed is None:
                    break
                command, headers, body, raw = parsed
                outcome = self._meaning(command, headers, body, raw)
                if outcome is None:
                    continue
                if isinstance(outcome, Received):
                    messages.append(outcome)
                    continue
                if outcome.ready:
                    ready = True
                if outcome.failed is not None or outcome.closing:
                    outcome.messages = (*messages, *outcome.messages)
                    outcome.ready = ready
                    return outcome
        except Malformed as problem:
            self._done = True
            self._buffer.clear()
            self._reason = "parse error"
            failed = str(problem)
            return Decoded(
                messages=tuple(messages), ready=ready, failed=failed, reason="parse error"
            )
        return Decoded(messages=tuple(messages), ready=ready)

    def _next_frame(self) -> tuple[str, dict[str, str], bytes, bytes] | None:
        """Cut the next whole frame out of the buffer: (command, headers, body, raw); None
        when the buffer holds only heart-beats or part of a frame."""
        buffer = self._buffer
        start = 0
        while start < len(buffer) and buffer[start] in (0x0A, 0x0D):  # heart-beats
            start += 1
        if start:
            del buffer[:start]
        if not buffer:
            return None
        end_of_head = buffer.find(b"\n\n")
        crlf = buffer.find(b"\n\r\n")
        if crlf != -1 and (end_of_head == -1 or crlf < end_of_head):
            head_end, body_start = crlf, crlf + 3
        elif end_of_head != -1:
            head_end, body_start = end_of_head, end_of_head + 2
        else:
            nul = buffer.find(b"\x00")
            if nul != -1:  # a frame ended before its headers did
                raw = bytes(buffer[: nul + 1])
                raise self._malformed(raw, "its headers do not end with a blank line")
            if len(buffer) > _MAX_HEAD:
                raise self._malformed(bytes(buffer), "its headers never end")
            return None
        head = bytes(buffer[:head_end])
        if b"\x00" in head:
            nul = head.index(b"\x00")
            raise self._malformed(bytes(buffer[: nul + 1]), "it ends before its headers do")
        try:
            lines = head.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            raise self._malformed(head, "its command and headers are not UTF-8") from None
        lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        command = lines[0]
        length_text: str | None = None
        for line in lines[1:]:
            name, colon, _ = line.partition(":")
            if name == "content-length" and colon:
                length_text = line[len("content-length:") :]
                break
        if length_text is not None:
            length_text = length_text.strip()
            if not length_text.isdigit():
                raise self._malformed(
                    head, f'its content-length "{length_text}" is not a number of bytes'
                )
            end = body_start + int(length_text)
            if len(buffer) <= end:
                return None  # the rest of the body is still on its way
            if buffer[end] != 0:
                raw = bytes(buffer[: end + 1])
                raise self._malformed(
                    raw, f"no NUL follows its {int(length_text)} bytes of content-length"
                )
        else:
            end = buffer.find(b"\x00", body_start)
            if end == -1:
                return None
        body = bytes(buffer[body_start:end])
        raw = bytes(buffer[: end + 1])
        del buffer[: end + 1]
        headers = self._headers(command, lines[1:], raw)
        return command, headers, body, raw

    def _headers(self, command: str, lines: list[str], raw: bytes) -> dict[str, str]:
        if command not in SERVER_COMMANDS:
            shown = _shorten(command, 40)
            raise self._malformed(
                raw,
                f'"{shown}" is no frame a broker sends (CONNECTED, MESSAGE, RECEIPT or ERROR)',
            )
        escaped = command != "CONNECTED"
        strict = self.ready  # before CONNECTED the version is not known yet
        headers: dict[str, str] = {}
        for line in lines:
            name, colon, value = line.partition(":")
            if not colon or not name:
                raise self._malformed(raw, f'its header line "{_shorten(line, 40)}" has no name:')
            if escaped:
                try:
                    name = unescape(name, self.version, strict=strict)
                    value = unescape(value, self.version, strict=strict)
                except ValueError as error:
                    raise self._malformed(raw, f"its header {name!r} has {error}") from None
            if self.version == "1.0":
                name, value = name.strip(), value.strip()
            headers.setdefault(name, value)  # a repeated header: the first one counts
        return headers

    def _meaning(
        self, command: str, headers: dict[str, str], body: bytes, raw: bytes
    ) -> Received | Decoded | None:
        if command == "CONNECTED":
            return self._connected(headers, raw) if not self.ready else None
        if command == "ERROR" and not self.ready:
            message = headers.get("message") or "no message given"
            text = body.decode("utf-8", "replace").strip()
            detail = f" ({_shorten(text, 120)})" if text else ""
            self._done = True
            self._reason = "refused"
            return Decoded(failed=f"the broker refused the connection: {message}{detail}")
        value = {
            "command": command,
            "headers": headers,
            "body": _body_value(body, headers.get("content-type")),
        }
        shown = _frame_text(raw)
        if command == "RECEIPT":
            receipt = headers.get("receipt-id", "")
            received = Received(value, shown, f"RECEIPT {receipt}", protocol=True)
            if receipt and receipt == self._disconnect_receipt:
                self._done = True
                return Decoded(messages=(received,), closing=True, reason="client DISCONNECT")
            return received
        if command == "ERROR":
            self._error = True
            message = headers.get("message", "")
            return Received(value, shown, _label("ERROR", _json(message)))
        destination = headers.get("destination", "")
        text = _body_text(value["body"], None) if value["body"] != "" else ""
        return Received(value, shown, _label("MESSAGE", destination, text))

    def _connected(self, headers: dict[str, str], raw: bytes) -> Decoded:
        version = headers.get("version", "1.0").strip()
        if version not in self.versions:
            offered = ",".join(self.versions)
            self._done = True
            return Decoded(
                failed=f"the broker chose STOMP {version}, which wsbdd did not offer "
                f"(accept-version {offered})",
                reason="version",
            )
        self.version = version
        beat = headers.get("heart-beat", "0,0")
        parts = beat.split(",")
        if len(parts) != 2 or not all(part.strip().isdigit() for part in parts):
            raise self._malformed(raw, f'its heart-beat "{beat}" is not two numbers "sx,sy"')
        sx, sy = (int(part) for part in parts)
        cx, cy = self.heart_beat
        if version == "1.0":
            cx = cy = 0  # STOMP 1.0 has no heart-beats
        self.send_every = max(cx, sy) if cx and sy else 0
        self.expect_every = max(cy, sx) if cy and sx else 0
        self.session = headers.get("session")
        self.server = headers.get("server")
        self.ready = True
        return Decoded(ready=True)

    def _malformed(self, raw: bytes, why: str) -> Malformed:
        return Malformed(f"the broker sent a malformed STOMP frame {_preview(raw)}: {why}")

    # -- time ---------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        if not self.ready or self._done:
            return None
        deadlines = []
        if self.send_every:
            deadlines.append(self._last_sent + self.send_every / 1000)
        if self.expect_every:
            deadlines.append(self._last_heard + 2 * self.expect_every / 1000)
        return min(deadlines) if deadlines else None

    def tick(self, now: float) -> Sequence[Frame] | Decoded:
        if not self.ready or self._done:
            return NO_FRAMES
        if self.expect_every and now >= self._last_heard + 2 * self.expect_every / 1000:
            self._done = True
            self._reason = "heart-beat timeout"
            return Decoded(
                failed=f"the broker sent no heart-beat for {_seconds(2 * self.expect_every)} s "
                f"(it promised one every {_seconds(self.expect_every)} s)",
                reason="heart-beat timeout",
            )
        if self.send_every and now >= self._last_sent + self.send_every / 1000:
            self._last_sent = now
            return (_EOL,)
        return NO_FRAMES

    def app_reason(self, closed_by: str | None) -> str | None:
        if self._reason is None and self._error and closed_by == "server":
            return "broker ERROR"
        return self._reason

    # -- sending ------------------------------------------------------------------------

    def encode(self, intent: Intent) -> Sequence[Frame]:
        if isinstance(intent, str | bytes):
            return (intent,)  # an escape hatch: a raw frame, as it stands
        if isinstance(intent, bytearray | memoryview):
            return (bytes(intent),)
        if not isinstance(intent, _Intent):
            raise TypeError(
                "it sends a StompSend, StompSubscribe, StompUnsubscribe, StompAck, StompNack, "
                "StompBegin, StompCommit or StompAbort, or text or bytes as a raw frame, not "
                f"{type(intent).__name__}"
            )
        command, headers, body = self._parts(intent)
        if intent.receipt:
            self._receipt_count += 1
            headers["receipt"] = intent.receipt_id = f"r-{self._receipt_count}"
        if isinstance(intent, StompSubscribe):
            self.subscriptions[headers["id"]] = intent.destination
        elif isinstance(intent, StompUnsubscribe):
            self.subscriptions.pop(intent.id, None)
        return (self._frame(command, headers, body),)

    def _parts(self, intent: _Intent) -> tuple[str, dict[str, str], bytes]:
        if isinstance(intent, StompSend):
            _need(intent.destination, "a SEND needs a destination (a non-empty text)")
            headers = {"destination": intent.destination, **_texts(intent.headers)}
            if intent.transaction is not None:
                headers["transaction"] = intent.transaction
            body = intent.body
            if isinstance(body, str):
                data = body.encode("utf-8")
            elif isinstance(body, bytes | bytearray):
                data = bytes(body)
            else:
                raise TypeError(f"a SEND's body is text or bytes, not {type(body).__name__}")
            headers["content-length"] = str(len(data))
            return "SEND", headers, data
        if isinstance(intent, StompSubscribe):
            _need(intent.destination, "a SUBSCRIBE needs a destination (a non-empty text)")
            if intent.ack not in ("auto", "client", "client-individual"):
                raise TypeError(
                    f'the ack mode "{intent.ack}" is none of "auto", "client" or '
                    '"client-individual"'
                )
            if intent.id is None:
                intent.id = f"sub-{self._subscription_count}"
                self._subscription_count += 1
            headers = {"destination": intent.destination, "id": intent.id, "ack": intent.ack}
            headers.update(_texts(intent.headers))
            return "SUBSCRIBE", headers, b""
        if isinstance(intent, StompUnsubscribe):
            _need(intent.id, "an UNSUBSCRIBE needs the subscription's id")
            return "UNSUBSCRIBE", {"id": intent.id}, b""
        if isinstance(intent, StompAck):
            command = "NACK" if isinstance(intent, StompNack) else "ACK"
            if command == "NACK" and self.version == "1.0":
                raise TypeError("STOMP 1.0 has no NACK (the broker agreed on 1.0)")
            headers = self._ack_headers(command, intent.headers)
            if intent.transaction is not None:
                headers["transaction"] = intent.transaction
            return command, headers, b""
        command = {StompCommit: "COMMIT", StompAbort: "ABORT"}.get(type(intent), "BEGIN")
        _need(intent.transaction, f"a {command} needs a transaction name (a non-empty text)")
        return command, {"transaction": intent.transaction}, b""

    def _ack_headers(self, command: str, received: Mapping[str, str]) -> dict[str, str]:
        if self.version == "1.2":
            ack = received.get("ack")
            if not ack:
                raise TypeError(
                    f'the message has no "ack" header to {command}: it came on a subscription '
                    'with ack "auto" (subscribe with ack "client" or "client-individual")'
                )
            return {"id": ack}
        message_id = received.get("message-id")
        if not message_id:
            raise TypeError(f'the message has no "message-id" header to {command}')
        headers = {"message-id": message_id}
        if self.version == "1.1":
            subscription = received.get("subscription")
            if not subscription:
                raise TypeError(f'the message has no "subscription" header to {command}')
            headers["subscription"] = subscription
        return headers

    def _frame(
        self, command: str, headers: Mapping[str, str], body: bytes, *, escaped: bool = True
    ) -> Frame:
        version = self.version if escaped else "1.0"
        lines = [command]
        for name, value in headers.items():
            if version == "1.0" and ("\n" in name + value or ":" in name):
                raise TypeError(
                    f"the header {name!r} holds a line break or a colon, which STOMP "
                    f"{self.version} cannot carry"
                )
            lines.append(f"{escape(name, version)}:{escape(value, version)}")
        data = ("\n".join(lines) + "\n\n").encode("utf-8") + body + b"\x00"
        try:
            return data.decode("utf-8")  # a text frame, as RabbitMQ and stomp.js send them
        except UnicodeDecodeError:
            return data

    def describe(self, intent: Intent) -> str | None:
        if not isinstance(intent, _Intent):
            return None
        extra: list[str] = []
        if isinstance(intent, StompSend):
            if intent.transaction is not None:
                extra.append(f"transaction {intent.transaction}")
            text = _body_text(intent.body, _header(intent.headers, "content-type"))
            head = _label("SEND", intent.destination, text)
        elif isinstance(intent, StompSubscribe):
            extra.append(intent.id or "")
            if intent.ack != "auto":
                extra.append(f"ack {intent.ack}")
            head = _label("SUBSCRIBE", intent.destination)
        elif isinstance(intent, StompUnsubscribe):
            head = f"UNSUBSCRIBE {intent.id}"
        elif isinstance(intent, StompAck):
            command = "NACK" if isinstance(intent, StompNack) else "ACK"
            key = "ack" if self.version == "1.2" else "message-id"
            which = intent.headers.get(key) or "?"
            head = f"{command} {which}"
            if intent.transaction is not None:
                extra.append(f"transaction {intent.transaction}")
        else:
            command = {StompCommit: "COMMIT", StompAbort: "ABORT"}.get(type(intent), "BEGIN")
            head = f"{command} {intent.transaction}"
        if intent.receipt_id is not None:
            extra.append(f"receipt {intent.receipt_id}")
        extra = [part for part in extra if part]
        return head + (f" ({', '.join(extra)})" if extra else "")

    def closing(self) -> Sequence[Frame]:
        if not self.ready or self._done or self._disconnect_receipt is not None:
            return NO_FRAMES
        self.send_every = self.expect_every = 0  # no heart-beats while the session ends
        if self._reason is None:
            self._reason = "client DISCONNECT"
        self._receipt_count += 1
        self._disconnect_receipt = f"r-{self._receipt_count}"
        return (self._frame("DISCONNECT", {"receipt": self._disconnect_receipt}, b""),)


def _frame_text(raw: bytes) -> Frame:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def _need(value: Any, problem: str) -> None:
    if not isinstance(value, str) or not value:
        raise TypeError(problem)


def _texts(headers: Mapping[str, Any]) -> dict[str, str]:
    """Headers as texts: numbers and booleans written out, anything else refused."""
    out: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"a header name is a non-empty text, not {name!r}")
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = str(value)
        if not isinstance(value, str):
            raise TypeError(f"the header {name!r} must be text, not {type(value).__name__}")
        out[name] = value
    return out


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None
