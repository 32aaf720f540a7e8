"""A tiny line protocol and a user codec for it: the example of docs/codecs.md, tested.

The protocol ("line.v1"), one text frame per line:

- client ``HELLO <name>`` → server ``WELCOME`` (or ``DENIED <reason>``);
- server ``PING <n>`` → client must answer ``PONG <n>`` in time, or is dropped;
- client ``BEAT`` now and then → server ``EVENT {"type": "beat-seen"}``;
- client ``SAY <json>`` → server ``EVENT <json>`` (events are JSON after ``EVENT ``);
- client ``BYE`` before it closes.

A step sends text (``SAY`` + the text, what the built-in "Alice sends …" gives) or the
codec's own intent, :class:`Say` (``SAY`` + its event as JSON), as tests/line_steps.py does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wsbdd.codec import BaseCodec, Decoded, Frame, Received


@dataclass(frozen=True)
class Say:
    """The intent "say this event": the codec writes ``SAY <the event as JSON>``."""

    event: Any


class LineCodec(BaseCodec):
    name = "line"
    subprotocols = ("line.v1",)

    def __init__(self, user: str = "wsbdd", beat: float | None = None) -> None:
        self.user = user
        self.beat = beat  # seconds between BEATs once welcomed (None: never)
        self.due: float | None = None

    def opening(self, subprotocol: str | None, now: float) -> Decoded:
        return Decoded(replies=[f"HELLO {self.user}"])  # ready once WELCOME comes

    def decode(self, frame: Frame, at: float) -> Decoded | None:
        if not isinstance(frame, str):
            return None  # binary frames are messages as they stand
        word, _, rest = frame.partition(" ")
        if word == "WELCOME":
            if self.beat is not None:
                self.due = at + self.beat
            return Decoded(ready=True)
        if word == "DENIED":
            return Decoded(failed=f"the server denied the HELLO ({rest})")
        if word == "PING":
            return Decoded(replies=[f"PONG {rest}"])
        if word == "EVENT":
            return Decoded(messages=[Received(json.loads(rest))])
        return None

    def encode(self, intent: object) -> Sequence[Frame]:
        if isinstance(intent, Say):
            return (f"SAY {json.dumps(intent.event)}",)
        if isinstance(intent, str):
            return (f"SAY {intent}",)
        raise TypeError(f"it sends text or a Say, not {type(intent).__name__}")

    def next_deadline(self) -> float | None:
        return self.due

    def tick(self, now: float) -> Sequence[Frame]:
        assert self.beat is not None
        self.due = now + self.beat
        return ("BEAT",)

    def closing(self) -> Sequence[Frame]:
        return ("BYE",)


class BeatingLineCodec(LineCodec):
    """:class:`LineCodec` sending a BEAT every 50 ms."""

    def __init__(self) -> None:
        super().__init__(beat=0.05)
