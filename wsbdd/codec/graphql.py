"""The GraphQL codecs: GraphQL over WebSocket, in its two subprotocols.

- :class:`GraphQLCodec`: ``graphql-transport-ws``, the protocol of The Guild's
  ``graphql-ws`` library (its PROTOCOL.md), spoken by Strawberry, Apollo Server 4,
  graphql-yoga, Hasura and most servers written since 2021;
- :class:`LegacyGraphQLCodec`: ``graphql-ws``, Apollo's older
  ``subscriptions-transport-ws`` (``start`` / ``data`` / ``stop`` / ``ka`` /
  ``connection_error``), still served by many servers for older clients.

Sans-I/O like every codec.  What a test client needs of the protocol:

- opening sends ``connection_init`` with the connection params (``params``); the
  connection is ready on ``connection_ack``.  A server that refuses closes the
  WebSocket with a code of its own (4403 Forbidden, 4400 …) or, in the legacy
  protocol, sends ``connection_error``: each reads as one sentence (see
  :meth:`GraphQLCodec.close_meaning`), and so does a server that never acknowledges
  (:meth:`GraphQLCodec.handshake_timeout`);
- the server's ``ping`` is answered with ``pong`` by the reader, between steps;
  ``pong`` and the legacy ``ka`` are chatter, never in the inbox;
- the steps send :class:`Operation` (a subscription, query or mutation: ``subscribe``,
  legacy ``start``) and :class:`Cancel` (``complete``, legacy ``stop``); the codec
  numbers the operations ``"1"``, ``"2"``, … per connection and remembers each id's
  operation name;
- results arrive as ``{"type": "next", "operation": "counter", "id": "1", "payload":
  {"data": …}}`` (legacy ``data`` too), errors as ``{"type": "error", …, "payload":
  [{"message": …}, …]}`` (always a list), and the end of an operation as a *protocol*
  message ``{"type": "complete", "operation", "id"}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from wsbdd.codec.base import Decoded, Frame, Intent, Received
from wsbdd.codec.websocket import BaseCodec

__all__ = ["Cancel", "GraphQLCodec", "LegacyGraphQLCodec", "Operation", "CLOSE_CODES"]


@dataclass
class Operation:
    """Run one GraphQL operation (a subscription, a query or a mutation) on the connection,
    known in the scenario as ``name``.  :meth:`GraphQLCodec.encode` sets ``id`` to the id its
    results carry (``"1"``, ``"2"``, … per connection)."""

    name: str
    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Cancel:
    """Stop the operation called ``name`` (``complete``; legacy ``stop``): the server sends
    no more results for it."""

    name: str


CLOSE_CODES: Mapping[int, tuple[str, str]] = {
    4400: ("Bad Request", "the server could not read a message the client sent"),
    4401: ("Unauthorized", "the server got an operation before it acknowledged connection_init"),
    4403: ("Forbidden", "the connection params were not accepted"),
    4406: ("Subprotocol not acceptable", "the server does not speak the subprotocol offered"),
    4408: (
        "Connection initialisation timeout",
        "the server waited too long for connection_init",
    ),
    4409: ("Subscriber already exists", "an operation id was used twice"),
    4429: ("Too many initialisation requests", "connection_init was sent more than once"),
    4500: ("Internal Server Error", "the server failed while handling the message"),
}
"""The close codes of graphql-transport-ws (PROTOCOL.md), with the name a server gives
when it gives no reason, and what the code means for a test."""

_MAX_LABEL = 160
_MAX_QUERY = 80


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(query: str) -> str:
    """A query as a label shows it: on one line, its spaces collapsed, ~80 characters."""
    return _shorten(" ".join(query.split()), _MAX_QUERY)


def _preview(frame: Frame, limit: int = 60) -> str:
    if isinstance(frame, bytes | bytearray | memoryview):
        data = bytes(frame)
        return f"binary {len(data)} bytes 0x{data[:16].hex()}" + ("…" if len(data) > 16 else "")
    return json.dumps(_shorten(frame.replace("\n", " "), limit), ensure_ascii=False)


def _who(operation: str | None, id: str) -> str:
    return operation if operation is not None else f"(id {id})"


def _next_label(who: str, payload: Any) -> str:
    return _shorten(f"{who} next {_json(payload)}", _MAX_LABEL)


def _error_label(who: str, errors: Sequence[Any]) -> str:
    texts = []
    for error in errors:
        message = error.get("message") if isinstance(error, Mapping) else None
        texts.append(_json(message if isinstance(message, str) else error))
    return _shorten(f"{who} error {', '.join(texts) or '(no message)'}", _MAX_LABEL)


class Malformed(ValueError):
    """A frame that is no message of the protocol: the connection fails with this sentence."""


class GraphQLCodec(BaseCodec):
    """GraphQL over ``graphql-transport-ws`` (see the module docstring).

    ``params``: the ``connection_init`` payload (the server's connection params, often a
    token); None sends none.  ``path``: where the server listens (``/graphql``), added by
    :meth:`url_for` to an address that has no path.
    """

    __slots__ = ("params", "path", "ready", "_next_id", "_ids", "_names")

    name: ClassVar[str] = "graphql-transport-ws"
    subprotocols: tuple[str, ...] = ("graphql-transport-ws",)
    settings_table: ClassVar[str | None] = "graphql"
    secret_fields: ClassVar[tuple[str, ...]] = (
        r'^\{"type": "connection_init", "payload": (.*)\}$',
    )
    """The connection params are secrets (a token): outputs mask the ``connection_init``
    payload as the codec writes it."""

    _START: ClassVar[str] = "subscribe"
    _STOP: ClassVar[str] = "complete"

    def __init__(self, *, params: Any = None, path: str = "/graphql") -> None:
        self.params = params
        path = path.strip() or "/"
        self.path = path if path.startswith("/") else "/" + path
        self.ready = False
        self._next_id = 1
        self._ids: dict[str, str] = {}
        """id → the name of the operation sent with it."""
        self._names: dict[str, str] = {}
        """Operation name → the id it was last sent with."""

    # -- the address ------------------------------------------------------------------

    def url_for(self, url: str) -> str:
        """``ws://h:p`` → ``ws://h:p/graphql`` (the ``path``); ``http(s)`` becomes ``ws(s)``.
        An address with a path of its own is kept as it is."""
        parts = urlsplit(url)
        scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
        path = parts.path if parts.path not in ("", "/") else self.path
        return urlunsplit((scheme, parts.netloc, path, parts.query, parts.fragment))

    # -- the handshake ----------------------------------------------------------------

    def opening(self, subprotocol: str | None, now: float) -> Decoded:
        message: dict[str, Any] = {"type": "connection_init"}
        if self.params is not None:
            message["payload"] = self.params
        try:
            frame = json.dumps(message, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            return Decoded(failed=f"the connection params cannot be sent as JSON ({error})")
        return Decoded(replies=(frame,))

    def close_meaning(self, code: int, reason: str) -> str | None:
        """The server closed the WebSocket with ``code`` before it acknowledged
        ``connection_init``: ``the server refused connection_init: 4403 Forbidden (the
        connection params were not accepted)``; None for a code of no GraphQL meaning."""
        known = CLOSE_CODES.get(code)
        if known is None:
            return None
        title, meaning = known
        return f"the server refused connection_init: {code} {reason.strip() or title} ({meaning})"

    def handshake_timeout(self, seconds: float) -> str | None:
        """No ``connection_ack`` came within the open timeout."""
        shown = f"{seconds:.1f}" if round(seconds, 1) == seconds else f"{seconds:g}"
        return f"the server did not acknowledge connection_init within {shown} s"

    # -- receiving --------------------------------------------------------------------

    def decode(self, frame: Frame, at: float) -> Decoded | None:
        try:
            return self._decode(frame)
        except Malformed as problem:
            return Decoded(failed=str(problem), reason="parse error")

    def _parse(self, frame: Frame) -> tuple[str, dict[str, Any]]:
        if not isinstance(frame, str):
            raise self._malformed(frame, "the protocol sends text, not binary frames")
        try:
            message = json.loads(frame)
        except ValueError:
            raise self._malformed(frame, "it is not JSON") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise self._malformed(frame, 'it is no JSON object with a "type"')
        return frame, message

    def _decode(self, frame: Frame) -> Decoded:
        frame, message = self._parse(frame)
        kind = message["type"]
        if kind == "next":
            return self._next(message)
        if kind == "error":
            return self._error(message, message.get("payload"))
        if kind == "complete":
            return self._complete(message)
        if kind == "ping":
            return Decoded(replies=('{"type": "pong"}',))
        if kind == "pong":
            return Decoded()
        if kind == "connection_ack":
            if self.ready:
                return Decoded()
            self.ready = True
            return Decoded(ready=True)
        return self._other(frame, message)

    def _other(self, frame: str, message: dict[str, Any]) -> Decoded:
        """A message this protocol has no such type for: an app message as it stands."""
        return Decoded(messages=(Received(message, label=_shorten(frame, _MAX_LABEL)),))

    def _id(self, message: Mapping[str, Any]) -> tuple[str, str | None]:
        raw = message.get("id")
        id = raw if isinstance(raw, str) else _json(raw)
        return id, self._ids.get(id)

    def _next(self, message: Mapping[str, Any]) -> Decoded:
        id, operation = self._id(message)
        payload = message.get("payload")
        value = {"type": "next", "operation": operation, "id": id, "payload": payload}
        label = partial(_next_label, _who(operation, id), payload)
        return Decoded(messages=(Received(value, label=label),))

    def _error(self, message: Mapping[str, Any], payload: Any) -> Decoded:
        id, operation = self._id(message)
        if payload is None:
            errors: list[Any] = []
        elif isinstance(payload, list):
            errors = payload
        else:
            errors = [payload]  # legacy servers send one error object
        value = {"type": "error", "operation": operation, "id": id, "payload": errors}
        label = partial(_error_label, _who(operation, id), errors)
        return Decoded(messages=(Received(value, label=label),))

    def _complete(self, message: Mapping[str, Any]) -> Decoded:
        id, operation = self._id(message)
        value = {"type": "complete", "operation": operation, "id": id}
        label = f"{_who(operation, id)} complete"
        return Decoded(messages=(Received(value, label=label, protocol=True),))

    def _malformed(self, frame: Frame, why: str) -> Malformed:
        shown = _preview(frame)
        return Malformed(f"the server sent a malformed {self.name} message {shown}: {why}")

    # -- sending ----------------------------------------------------------------------

    def encode(self, intent: Intent) -> Sequence[Frame]:
        if isinstance(intent, str | bytes):
            return (intent,)  # an escape hatch: a raw frame, as it stands
        if isinstance(intent, Operation):
            return self._start(intent)
        if isinstance(intent, Cancel):
            id = self._names.get(intent.name)
            if id is None:
                known = ", ".join(f'"{name}"' for name in self._names)
                also = f" (it started {known})" if known else ""
                raise TypeError(
                    f'no operation called "{intent.name}" was started on this connection{also}'
                )
            return (json.dumps({"id": id, "type": self._STOP}),)
        raise TypeError(
            "it sends an Operation, a Cancel, or text or bytes as a raw frame, not "
            f"{type(intent).__name__}"
        )

    def _start(self, operation: Operation) -> Sequence[Frame]:
        if not isinstance(operation.name, str) or not operation.name.strip():
            raise TypeError("an operation needs a name (a non-empty text)")
        if not isinstance(operation.query, str) or not operation.query.strip():
            raise TypeError(f'the operation "{operation.name}" has no query')
        variables = operation.variables
        if variables is not None and not isinstance(variables, Mapping):
            raise TypeError(
                f'the variables of "{operation.name}" must be a JSON object, not '
                f"{type(variables).__name__}"
            )
        payload: dict[str, Any] = {"query": operation.query}
        if variables is not None:
            payload["variables"] = dict(variables)
        if operation.operation_name is not None:
            payload["operationName"] = operation.operation_name
        id = str(self._next_id)
        try:
            frame = json.dumps({"id": id, "type": self._START, "payload": payload})
        except (TypeError, ValueError) as error:
            raise TypeError(f"its variables cannot be sent as JSON ({error})") from None
        self._next_id += 1
        operation.id = id
        self._ids[id] = operation.name
        self._names[operation.name] = id
        return (frame,)

    def describe(self, intent: Intent) -> str | None:
        if isinstance(intent, Operation):
            return f"{self._START} {intent.name}: {_one_line(intent.query)}"
        if isinstance(intent, Cancel):
            return f"{self._STOP} {intent.name}"
        return None

    # -- state ------------------------------------------------------------------------

    def operation_id(self, name: str) -> str | None:
        """The id the operation called ``name`` was last sent with (None: never sent)."""
        return self._names.get(name)

    def operation_name(self, id: str) -> str | None:
        """The name of the operation sent with ``id`` (None: no operation of this client)."""
        return self._ids.get(id)

    def renewed(self) -> GraphQLCodec:
        """A fresh codec for the next connection: the same params and path."""
        return type(self)(params=self.params, path=self.path)


class LegacyGraphQLCodec(GraphQLCodec):
    """GraphQL over ``graphql-ws``, Apollo's ``subscriptions-transport-ws``.

    The same intents, values and sentences as :class:`GraphQLCodec`; on the wire an
    operation is ``start`` and ``stop``, a result ``data`` (a ``next`` value for the steps),
    the server's keep-alive ``ka`` (chatter), and a refusal ``connection_error``.
    """

    __slots__ = ()

    name: ClassVar[str] = "graphql-ws"
    subprotocols: tuple[str, ...] = ("graphql-ws",)

    _START: ClassVar[str] = "start"
    _STOP: ClassVar[str] = "stop"

    def _decode(self, frame: Frame) -> Decoded:
        frame, message = self._parse(frame)
        kind = message["type"]
        if kind == "data":
            return self._next(message)
        if kind == "ka":
            return Decoded()
        if kind == "error":
            return self._error(message, message.get("payload"))
        if kind == "complete":
            return self._complete(message)
        if kind == "connection_ack":
            if self.ready:
                return Decoded()
            self.ready = True
            return Decoded(ready=True)
        if kind == "connection_error":
            return self._connection_error(message.get("payload"))
        return self._other(frame, message)

    def _connection_error(self, payload: Any) -> Decoded:
        message = payload.get("message") if isinstance(payload, Mapping) else payload
        if isinstance(message, str) and message.strip():
            text = message.strip()
        elif payload is None:
            text = "no reason given"
        else:
            text = _shorten(_json(payload), 120)
        return Decoded(
            failed=f"the server refused connection_init with connection_error: {text}",
            reason="connection_error",
        )
