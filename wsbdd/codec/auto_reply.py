"""``auto_reply``: answer a frame the server sends with a fixed reply, without Python.

A rule is "when a received text frame is exactly ``when`` (or matches the
regular expression ``matches``), write ``reply`` at once".  It covers the
simple application-level keep-alives (``PING`` → ``PONG``, ``{"type":"ping"}``
→ ``{"type":"pong"}``) that would otherwise get a client dropped between steps.

The reader writes the reply, between steps.  The frame that triggered it is
protocol chatter: it never reaches the inbox (so it is not an unread message
for strict mode, nor a candidate for "receives"), and neither it nor the reply
appears in the transcript; :attr:`AutoReplying.answered` counts them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from wsbdd.codec.base import Codec, Decoded, Frame

__all__ = ["AutoReply", "AutoReplying"]


@dataclass(frozen=True)
class AutoReply:
    """One rule: a text frame equal to ``when``, or matching ``pattern``, gets ``reply``.

    With a pattern, ``reply`` may use the match's groups (``\\1``, ``\\g<name>``),
    as :meth:`re.Match.expand` does: ``matches = "^ping (\\d+)$"``, ``reply =
    "pong \\1"``.
    """

    reply: str
    when: str | None = None
    pattern: re.Pattern[str] | None = None

    def answer(self, frame: str) -> str | None:
        """The reply to ``frame``, or None when this rule does not apply."""
        if self.pattern is None:
            return self.reply if frame == self.when else None
        match = self.pattern.search(frame)
        return match.expand(self.reply) if match is not None else None

    def describe(self) -> str:
        if self.pattern is None:
            return f"when {self.when!r} reply {self.reply!r}"
        return f"when matching {self.pattern.pattern!r} reply {self.reply!r}"


class AutoReplying:
    """A codec wrapped with ``auto_reply`` rules: matching text frames are answered and
    kept out of the inbox; every other frame goes to the wrapped codec.

    Exact rules are looked up in a dict, so a frame that is not a keep-alive costs
    one dict lookup (plus one search per pattern rule).
    """

    def __init__(self, inner: Codec, rules: Sequence[AutoReply]) -> None:
        self.inner = inner
        self.name = inner.name  # sentences name the protocol, not the wrapper
        self.exact = {rule.when: rule.reply for rule in rules if rule.pattern is None}
        self.patterns = [rule for rule in rules if rule.pattern is not None]
        self.subprotocols = inner.subprotocols
        self.answered = 0
        """Frames answered so far (kept out of the inbox and the transcript)."""

    def opening(self, subprotocol: str | None, now: float) -> Decoded:
        return self.inner.opening(subprotocol, now)

    # The optional members of BaseCodec, passed on when the wrapped codec has them.

    def url_for(self, url: str) -> str:
        url_for = getattr(self.inner, "url_for", None)
        return url_for(url) if url_for is not None else url

    def describe(self, intent: Any) -> str | None:
        describe = getattr(self.inner, "describe", None)
        return describe(intent) if describe is not None else None

    def refusal_hint(self, status: int, body: str) -> str | None:
        refusal_hint = getattr(self.inner, "refusal_hint", None)
        return refusal_hint(status, body) if refusal_hint is not None else None

    def app_reason(self, closed_by: str | None) -> str | None:
        app_reason = getattr(self.inner, "app_reason", None)
        return app_reason(closed_by) if app_reason is not None else None

    def decode(self, frame: Frame, at: float) -> Decoded | None:
        if isinstance(frame, str):
            reply = self.exact.get(frame)
            if reply is None:
                for rule in self.patterns:
                    reply = rule.answer(frame)
                    if reply is not None:
                        break
            if reply is not None:
                self.answered += 1
                return Decoded(replies=(reply,))
        return self.inner.decode(frame, at)

    def encode(self, intent: Any) -> Sequence[Frame]:
        return self.inner.encode(intent)

    def tick(self, now: float) -> Sequence[Frame] | Decoded:
        return self.inner.tick(now)

    def next_deadline(self) -> float | None:
        return self.inner.next_deadline()

    def closing(self) -> Sequence[Frame]:
        return self.inner.closing()
