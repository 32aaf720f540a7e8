"""One frame a client received, as the inbox keeps it.

A :class:`Message` is parsed at most once while it is a candidate: the first
matcher that asks for its JSON value pays for ``json.loads`` and every later
matcher reuses the result.  Once a step claims it, the inbox drops the parsed
value (:meth:`Message.release`): a claimed message is read again rarely (``remember``,
a failure note), and then parsed again from the raw text, which is kept.  Its
payload is never mutated; the inbox only marks it claimed.

A message a codec decoded (:class:`DecodedMessage`: a Socket.IO event, a STOMP
frame) carries the codec's value from the start: ``value`` and ``json`` are that
value, and ``raw`` is the frame that carried it, for transcripts.  ``kind`` is
always the kind of that frame (text or binary).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from wsbdd.model.json_text import read_json

__all__ = ["Message", "DecodedMessage", "NOT_JSON", "wall_clock", "wall_offset", "render_value"]


class _NotJson:
    """Marker for a frame whose payload is not a JSON document."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_JSON"

    def __bool__(self) -> bool:
        return False


NOT_JSON: Any = _NotJson()
_UNPARSED: Any = object()

# Monotonic times are what waits compare; people read wall-clock times.  The
# offset is taken once so every message of a run is shown on the same clock.
_WALL_OFFSET = time.time() - time.monotonic()


def wall_offset() -> float:
    """What this process adds to a monotonic time to make it wall-clock time (one value
    for the whole run: a results file keeps it, to show its times in another process)."""
    return _WALL_OFFSET


def wall_clock(at: float) -> str:
    """Render a monotonic timestamp as local ``HH:MM:SS.mmm``."""
    wall = at + _WALL_OFFSET
    return time.strftime("%H:%M:%S", time.localtime(wall)) + f".{int(wall * 1000) % 1000:03d}"


def render_value(value: Any, limit: int = 200) -> str:
    """Render a JSON-ish value the way a feature writer wrote it (JSON, not Python)."""
    if value is NOT_JSON:
        return "(not JSON)"
    if isinstance(value, bytes | bytearray):
        text = "0x" + bytes(value).hex()
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


@dataclass(slots=True, eq=False)
class Message:
    """A received frame: sequence number, arrival time, kind and payload.

    ``seq`` counts from 1 per client; ``at`` is ``time.monotonic()`` taken on the
    event-loop thread when the frame was read.
    """

    seq: int
    at: float
    kind: Literal["text", "binary"]
    raw: str | bytes
    _json: Any = field(default=_UNPARSED, repr=False)
    mark: int = field(default=0, repr=False, compare=False)
    """Who claimed it (0: nobody yet), and whether a bounded inbox dropped it: kept on the
    message rather than in a per-inbox array, so it costs nothing once dropped."""

    @property
    def json(self) -> Any:
        """The parsed JSON value, or :data:`NOT_JSON` for text that is not JSON and binary."""
        value = self._json
        if value is _UNPARSED:
            if self.kind == "text":
                try:
                    value = read_json(self.raw)
                except (ValueError, RecursionError):  # nested deeper than Python can read
                    value = NOT_JSON
            else:
                value = NOT_JSON
            self._json = value
        return value

    @property
    def label(self) -> str | None:
        """A codec's one-line summary of the message (``chat {"text": "hi"}``); None for a
        raw frame, which shows as it stands."""
        return None

    @property
    def protocol(self) -> bool:
        """A message about the protocol itself (a Socket.IO namespace refused), claimed on
        arrival: see :class:`DecodedMessage`.  Never for a raw frame."""
        return False

    def release(self) -> None:
        """Forget the parsed value (the raw payload stays): it is parsed again if asked for.

        Parsed JSON costs about twice the raw text in memory; a claimed message is no
        longer a candidate for any wait, so the inbox releases it.
        """
        self._json = _UNPARSED

    @property
    def value(self) -> Any:
        """What matchers look at: the JSON value, else the text, else the bytes."""
        value = self.json
        if value is NOT_JSON:
            return self.raw
        return value

    @property
    def is_json(self) -> bool:
        return self.json is not NOT_JSON

    def preview(self, limit: int = 160) -> str:
        """A one-line rendering of the payload for failure messages."""
        if self.kind == "binary":
            data = bytes(self.raw)  # type: ignore[arg-type]
            text = f"binary {len(data)} bytes 0x{data[:32].hex()}"
            if len(data) > 32:
                text += "…"
            return text
        text = str(self.raw).replace("\n", " ")
        if len(text) > limit:
            text = text[: limit - 1] + "…"
        return text


class DecodedMessage(Message):
    """A message a codec decoded: its value came with it and cannot be parsed again from
    ``raw`` (a Socket.IO ``42[…]`` frame is not the event's JSON), so it is kept when
    claimed.  ``Message(seq, at, kind, raw, value)``: the fifth field holds the value.

    ``label`` is the codec's one-line summary (None: show the frame); ``protocol``
    marks a message about the protocol itself (a namespace refused), which the inbox
    claims on arrival so that generic steps never see it.  Failure notes show the label
    instead of the frame (:meth:`preview`): a reader should not have to decode ``42[…]``.
    """

    __slots__ = ("_label", "protocol")  # protocol shadows Message's read-only default

    def __init__(
        self,
        seq: int,
        at: float,
        kind: Literal["text", "binary"],
        raw: str | bytes,
        value: Any,
        label: str | Callable[[], str] | None = None,
        protocol: bool = False,
    ) -> None:
        Message.__init__(self, seq, at, kind, raw, value)
        self._label = label
        self.protocol = protocol  # type: ignore[misc]

    @property
    def label(self) -> str | None:
        """The label; a codec's label function is called here, the first time (a label
        costs a JSON dump, and most messages are never shown)."""
        label = self._label
        if label is None or isinstance(label, str):
            return label
        made = self._label = label()
        return made

    def preview(self, limit: int = 160) -> str:
        """The codec's label when it gave one (never an escaped frame), else the frame."""
        label = self.label
        if label is None:
            return Message.preview(self, limit)
        text = label.replace("\n", " ")
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def release(self) -> None:
        """Kept: the codec's value is the message (see the class docstring)."""
