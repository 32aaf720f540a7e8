"""Matchers for STOMP frames, and the verdicts and words of the STOMP steps' failures.

Pure, like the rest of :mod:`wsbdd.expect`: a matcher looks at the value the STOMP codec
decoded, the frame view ``{"command": "MESSAGE", "headers": {…}, "body": …}`` (the body
parsed when its content type is JSON), and never at the bytes of a frame.

In a STOMP step ``$`` is that whole view: ``$.body.text``, ``$.headers.destination``,
``$.command``.  So the conditions are the ordinary ones (:mod:`wsbdd.match.conditions`);
what this module adds is the command and the destination a step names ("a MESSAGE from
"/topic/room.lobby""), the RECEIPT a step waits for, and sentences that say which
destination, header or body differed and what came instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from hamcrest.core.description import Description

from wsbdd.expect import Outcome
from wsbdd.expect.envelopes import EnvelopeMatcher
from wsbdd.match.conditions import Condition
from wsbdd.match.messages import MessageMatcher
from wsbdd.match.values import show
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.failures import Failure
from wsbdd.model.message import Message, render_value

__all__ = [
    "ACK_MODES",
    "ack_mode",
    "FrameMatcher",
    "ReceiptMatcher",
    "frame_label",
    "frame_words",
    "has_header",
    "broker_refused",
    "receipt_answer",
]


ACK_MODES = ("auto", "client", "client-individual")
"""A subscription's ack modes, as STOMP names them."""


def ack_mode(text: str | None) -> str:
    """The ack mode a subscription step names (``auto`` when it names none)."""
    if text is None:
        return "auto"
    if text not in ACK_MODES:
        raise FeatureMistake(
            f'STOMP knows no ack mode "{text}"; write with ack "auto" (the broker counts each '
            'message as acknowledged), "client" (an ACK covers every message before it) or '
            '"client-individual" (one ACK per message).'
        )
    return text


def _frame(message: Message) -> dict[str, Any] | None:
    value = message.value
    if isinstance(value, dict) and isinstance(value.get("command"), str):
        return value
    return None


def _headers(frame: Mapping[str, Any]) -> Mapping[str, Any]:
    headers = frame.get("headers")
    return headers if isinstance(headers, Mapping) else {}


def _article(command: str) -> str:
    return "an" if command[:1] in "AEFHILMNORSX" else "a"


def frame_label(value: Any) -> str:
    """A frame as a sentence shows it: ``MESSAGE /topic/room.lobby {"text": "hi"}``,
    ``ERROR "not_found"``, ``RECEIPT r-1``."""
    if not isinstance(value, dict) or not isinstance(value.get("command"), str):
        return render_value(value, 120)
    command = value["command"]
    headers = _headers(value)
    if command == "ERROR":
        return f"ERROR {show(headers.get('message', ''), 80)}"
    if command == "RECEIPT":
        return f"RECEIPT {headers.get('receipt-id', '')}"
    where = headers.get("destination")
    body = value.get("body")
    shown = "" if body in ("", None, b"") else f" {render_value(body, 80)}"
    return f"{command}{f' {where}' if where else ''}{shown}"


class FrameMatcher(EnvelopeMatcher):
    """A frame of ``command`` (``MESSAGE``, ``ERROR``), from ``destination`` when given,
    meeting every condition (``$`` the whole frame view)."""

    def __init__(
        self, command: str, destination: str | None = None, conditions: Sequence[Condition] = ()
    ) -> None:
        super().__init__(conditions)
        self.command = command
        self.destination = destination

    def _envelope(self, message: Message) -> dict[str, Any] | None:
        frame = _frame(message)
        if frame is None or frame.get("command") != self.command:
            return None
        if self.destination is not None and _headers(frame).get("destination") != self.destination:
            return None
        return frame

    def _not_it(self, message: Message) -> str:
        frame = _frame(message)
        if frame is None:
            return "not a STOMP frame"
        command = frame["command"]
        if command != self.command:
            return f"{_article(command)} {command}"
        got = _headers(frame).get("destination")
        return f'from "{got}"' if got is not None else "no destination"

    def describe(self) -> str:
        source = f' from "{self.destination}"' if self.destination is not None else ""
        return f"{self.command}{source}{self.where_words()}"

    def score(self, message: Message) -> float:
        frame = _frame(message)
        if frame is None or frame.get("command") != self.command:
            return 0.0
        near = 0.3
        if self.destination is None or _headers(frame).get("destination") == self.destination:
            near = 0.5
        if not self.conditions:
            return near + 0.5
        passed = sum(1 for c in self.conditions if c.test(frame))
        return near + 0.5 * passed / len(self.conditions)


class ReceiptMatcher(MessageMatcher):
    """The broker's answer to a frame that asked for receipt ``receipt_id``: its RECEIPT, or
    an ERROR (that names this receipt, or none)."""

    def __init__(self, receipt_id: str, what: str) -> None:
        self.receipt_id = receipt_id
        self.what = what
        """The frame as a sentence names it: ``SEND to "/queue/a"``, ``BEGIN "tx1"``."""

    def matches(self, message: Message, mismatch_description: Description | None = None) -> bool:
        frame = _frame(message)
        if frame is None:
            return self._report(False, message, mismatch_description)
        command, said = frame.get("command"), _headers(frame).get("receipt-id")
        # A broker closes the connection after an ERROR, so an ERROR after the frame is its
        # answer too when it names no receipt (RabbitMQ's often do not).
        ok = (command == "RECEIPT" and said == self.receipt_id) or (
            command == "ERROR" and said in (None, self.receipt_id)
        )
        return ok or self._report(False, message, mismatch_description)

    def describe(self) -> str:
        return f"receipt for its {self.what}"

    def mismatch(self, message: Message) -> str:
        return "another frame"


def receipt_answer(who: str, what: str, frame: Mapping[str, Any]) -> Outcome:
    """The broker answered the frame that asked for a receipt with ``frame``: met for its
    RECEIPT, failed for an ERROR, with the ERROR's message and body."""
    if frame.get("command") == "RECEIPT":
        return Outcome(True)
    return Outcome(
        False,
        why=Failure(who, f"the receipt for its {what}", f"the broker answered {_error(frame)}"),
    )


def _error(frame: Mapping[str, Any]) -> str:
    """``ERROR "not_found" (NOT_FOUND - no exchange 'nope' in vhost '/')``."""
    message = _headers(frame).get("message", "")
    body = frame.get("body")
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if text is None or text == "":
        detail = ""
    elif isinstance(text, str):
        flat = " ".join(text.split())
        detail = f" ({flat[:157] + '…' if len(flat) > 160 else flat})"
    else:
        detail = f" ({render_value(text, 160)})"
    return f"ERROR {show(message, 120)}{detail}"


def has_header(
    who: str, what: str, frame: Mapping[str, Any], header: str, value: str | None
) -> Outcome:
    """``frame`` (``what``: ``its last message``) has ``header`` (equal to ``value``, when
    given); else which value it had, or which headers it had instead."""
    headers = _headers(frame)
    wanted = f'"{header}"' + (f" {json.dumps(value, ensure_ascii=False)}" if value else "")
    expected = f"{what} to have header {wanted}"
    if header not in headers:
        names = ", ".join(f'"{name}"' for name in headers) or "none"
        return Outcome(False, why=Failure(who, expected, f"it had no such header (it had {names})"))
    got = headers[header]
    if value is not None and got != value:
        shown = json.dumps(got, ensure_ascii=False) if isinstance(got, str) else show(got, 80)
        return Outcome(False, why=Failure(who, expected, f"it was {shown}"))
    return Outcome(True)


def broker_refused(
    who: str, error: str | None, opened: bool, message: str | None, containing: bool
) -> Outcome:
    """The broker refused ``who``'s STOMP connection (its ERROR, the codec's ``failed``
    sentence ``error``), with ``message`` (in it, with ``containing``) when given."""
    wanted = (
        ""
        if message is None
        else f' with a message {"containing " if containing else ""}"{message}"'
    )
    expected = f"the broker to refuse its connection{wanted}"
    if opened:
        return Outcome(False, why=Failure(who, expected, "the broker accepted it"))
    said = error or "the connection was never opened"
    prefix = "the broker refused the connection: "
    if not said.startswith(prefix):
        return Outcome(False, why=Failure(who, expected, f"it failed otherwise: {said}"))
    reason = said[len(prefix) :]
    if message is not None:
        ok = message in reason if containing else _refusal_message(reason) == message
        if not ok:
            return Outcome(False, why=Failure(who, expected, f"it refused it: {reason}"))
    return Outcome(True)


def _refusal_message(reason: str) -> str:
    """The ERROR's message header from the codec's sentence ``<message> (<body>)``."""
    head, sep, _ = reason.partition(" (")
    return head if sep else reason


# -- the words of a failure ------------------------------------------------------------------

_COMMAND = r"(MESSAGE|ERROR|RECEIPT)"
_WORDS = (
    (re.compile(r"\ba message (?=ERROR\b)"), "an "),
    (re.compile(r"\ba message (?=MESSAGE\b)"), "a "),
    (re.compile(r"\bno message (?=" + _COMMAND + r"\b)"), "no "),
)


def _reworded(text: str) -> str:
    for pattern, words in _WORDS:
        text = pattern.sub(words, text)
    return text


def frame_words(failure: Failure) -> Failure:
    """A failure of a wait on frames, in the words of STOMP: "Ben expected a MESSAGE from
    "/topic/room.lobby" where $.body.text is "hi" within 1.0 s, …" rather than "a message
    MESSAGE …"."""
    return replace(
        failure,
        expected=_reworded(failure.expected),
        observed=_reworded(failure.observed),
        sentence=_reworded(failure.sentence),
    )
