"""A codec's messages as a reader says them: labels, namespaces, acks linked to their emit.

A codec that decodes frames (Socket.IO) gives each message and each sent intent a
one-line *label* (``chat {"text": "hi"}``, ``emit chat {…} (ack 3)``, ``ack 3 {"ok":
true}``).  Reports show the label as the line or the arrow, and the frame that carried
it only on request: a reader should not have to decode ``42["chat",{…}]``.  Raw
WebSocket frames have no label and are shown as before.

Pure: it reads :class:`~wsbdd.model.transcript.Event` records only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wsbdd.model.transcript import Event

__all__ = [
    "AckLink",
    "headline",
    "link_acks",
    "connection_text",
    "is_protocol",
    "event_name",
    "attachments",
    "read_labels",
]

_ROOT = "/"
_EMIT_ACK = re.compile(r"\(ack (\d+)\)\s*$")
"""A sent emit that asks for an acknowledgement ends its label with ``(ack 3)``."""
_ANSWER = re.compile(r"^(?:(/\S*) )?(?:answer )?(?:(/\S*) )?ack (\d+)\b")
"""A sent answer to the server's ack request: ``answer ack 7 …``, ``answer /admin ack 7 …``
(``ack 7 …`` and ``/admin ack 7 …`` too)."""
_EMIT_NAME = re.compile(r"^(?:(/\S*) )?emit (?:(/\S*) )?")
"""``emit chat …``, ``emit /admin chat …`` (``/admin emit chat …`` too): its namespace."""


@dataclass(frozen=True, slots=True)
class AckLink:
    """One side of an acknowledgement and the event at the other side.

    ``role``: ``ack`` (this event is the acknowledgement; ``partner`` is what it
    answers) or ``asked`` (this event asked for it; ``partner`` is the answer).
    ``event`` is the name of the event acknowledged, ``partner`` an index in the
    event list.
    """

    ack: int
    event: str
    partner: int
    role: str


def _value(event: Event) -> Any:
    return event.detail.get("value")


def _namespace(value: Any) -> str:
    if isinstance(value, dict):
        space = value.get("namespace")
        if isinstance(space, str) and space:
            return space
    return _ROOT


def headline(event: Event) -> str | None:
    """The line a reader sees for a frame: the codec's label, with its namespace when that
    is not ``/`` (``/admin chat {…}``); None for a raw frame (its payload is its line)."""
    label = event.detail.get("label")
    if label is None:
        return None
    space = _namespace(_value(event))
    if space != _ROOT and not label.startswith(space):
        return f"{space} {label}"
    return str(label)


def is_protocol(event: Event) -> bool:
    """A connection event of the app protocol (namespace connected, refused, disconnected)."""
    return event.kind == "received" and bool(event.detail.get("protocol"))


def event_name(event: Event) -> str | None:
    """The event a decoded Socket.IO-shaped message carries (``chat``), else None."""
    value = _value(event)
    if isinstance(value, dict) and value.get("type") == "event":
        name = value.get("event")
        return name if isinstance(name, str) else None
    return None


def connection_text(event: Event) -> str:
    """A protocol message as a connection event: ``connected to namespace /admin``,
    ``namespace /admin refused the connection: authentication failed``,
    ``disconnected from namespace /admin by the server (io server disconnect)``."""
    value = _value(event)
    if not isinstance(value, dict):
        return str(event.detail.get("label") or "connection event")
    space = _namespace(value)
    kind = value.get("type")
    if kind == "connect":
        return f"connected to namespace {space}"
    if kind == "connect_error":
        said = value.get("message")
        text = f"namespace {space} refused the connection"
        return f"{text}: {said}" if said else text
    if kind == "disconnect":
        reason = value.get("reason")
        text = f"disconnected from namespace {space} by the server"
        return f"{text} ({reason})" if reason else text
    return str(event.detail.get("label") or kind or "connection event")


def link_acks(events: Sequence[Event]) -> dict[int, AckLink]:
    """Acknowledgements and what they answer, both ways, by index in ``events``.

    - the server's ack of a client's emit: the received ``{"type": "ack", "ack": 7,
      "event": "chat"}`` and the sent entry whose label ends ``(ack 7)``;
    - a client's answer to the server's ack request: the received event with ``"ack":
      7`` and the sent entry whose label starts ``ack 7``.

    Paired per client and namespace (a label names its namespace when it is not ``/``);
    empty for raw WebSocket conversations (nothing has a label).
    """
    links: dict[int, AckLink] = {}
    asked: dict[tuple[str, str, int], int] = {}  # emits waiting for the server's ack
    requests: dict[tuple[str, str, int], int] = {}  # server's events waiting for our answer
    for i, event in enumerate(events):
        kind = event.kind
        if kind == "sent":
            label = event.detail.get("label")
            if label is None:
                continue
            emitted = _EMIT_ACK.search(label)
            if emitted is not None:
                named = _EMIT_NAME.match(label)
                space = (named.group(1) or named.group(2) if named else None) or _ROOT
                asked[(event.client, space, int(emitted.group(1)))] = i
                continue
            answer = _ANSWER.match(label)
            if answer is not None:
                space = answer.group(1) or answer.group(2) or _ROOT
                key = (event.client, space, int(answer.group(3)))
                j = requests.pop(key, None)
                if j is None:  # a codec that leaves the namespace out of the answer's label
                    key = next((k for k in requests if (k[0], k[2]) == (key[0], key[2])), key)
                    j = requests.pop(key, None)
                if j is not None:
                    name = event_name(events[j]) or ""
                    links[i] = AckLink(key[2], name, j, "ack")
                    links[j] = AckLink(key[2], name, i, "asked")
        elif kind == "received":
            value = event.detail.get("value")
            if not isinstance(value, dict) or "ack" not in value:
                continue
            ack = value.get("ack")
            if not isinstance(ack, int):
                continue
            key = (event.client, _namespace(value), ack)
            if value.get("type") == "ack":
                j = asked.pop(key, None)
                if j is None:  # a codec that leaves the namespace out of the emit's label
                    j = asked.pop((event.client, _ROOT, ack), None)
                if j is not None:
                    said = value.get("event")
                    what = said if isinstance(said, str) else ""
                    links[i] = AckLink(ack, what, j, "ack")
                    links[j] = AckLink(ack, what, i, "asked")
            elif value.get("type") == "event":
                requests[key] = i
    return links


_EMITTED = re.compile(r"^(?:(/\S*) )?emit (?:(/\S*) )?(\S+)")


def attachments(events: Sequence[Event]) -> dict[int, str]:
    """The frames that follow a labelled send as part of it (a binary emit's attachments),
    by index in ``events``, each with its line: ``attachment 1 of emit upload``.

    A codec labels the first frame of a send only; the others have the same time and
    client, and come right after it.  Empty when nothing has a label.
    """
    found: dict[int, str] = {}
    owner: tuple[str, float, str] | None = None  # (client, time, what the send was)
    count = 0
    for i, event in enumerate(events):
        if event.kind != "sent":
            continue
        label = event.detail.get("label")
        if label is not None:
            named = _EMITTED.match(label)
            what = f"emit {named.group(3)}" if named else label.split(" ", 1)[0]
            owner, count = (event.client, event.at, what), 0
        elif owner is not None and (event.client, event.at) == owner[:2]:
            count += 1
            found[i] = f"attachment {count} of {owner[2]}"
        else:
            owner = None
    return found


def read_labels(events: Sequence[Event]) -> tuple[dict[int, AckLink], dict[int, str]]:
    """:func:`link_acks` and :func:`attachments` of a conversation; for one with no label
    at all (raw WebSocket) a single quick look, so its reports cost what they did."""
    if not any("label" in event.detail for event in events):
        return {}, {}
    return link_acks(events), attachments(events)
