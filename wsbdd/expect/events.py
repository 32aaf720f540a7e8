"""Matchers for Socket.IO events and acknowledgements, and their words in failures.

Pure, like the rest of :mod:`wsbdd.expect`: a matcher looks at the value the Socket.IO
codec decoded (``{"type": "event", "namespace": "/", "event": "chat", "args": […]}``,
``{"type": "ack", "ack": 7, "args": […]}``) and never at a frame.

In an event step ``$`` is the event's FIRST argument, because that is where the data
of nearly every event is: ``$.text`` reads ``args[0].text``.  The rest of the envelope
is reachable by name: ``$args[1].x`` (the second argument), ``$args`` (all of them),
``$event``, ``$namespace`` and ``$ack``.  The paths are translated here, before they
reach :mod:`wsbdd.match` (which stays a plain JSONPath reader), and the failure
sentences show them as the writer wrote them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from hamcrest.core.description import Description

from wsbdd.expect import Expectation, Outcome, Receive, format_duration
from wsbdd.expect.envelopes import EnvelopeMatcher
from wsbdd.match.conditions import Condition, parse_condition, split_conditions
from wsbdd.match.grammar import decode_binary
from wsbdd.match.messages import MessageMatcher
from wsbdd.match.paths import compile_path
from wsbdd.match.values import json_equal, show
from wsbdd.match.words import value_matcher
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.failures import Failure
from wsbdd.model.inbox import Inbox
from wsbdd.model.message import Message, render_value
from wsbdd.model.variables import Variables

__all__ = [
    "EventCondition",
    "event_path",
    "event_conditions",
    "EventMatcher",
    "AckMatcher",
    "ProtocolMatcher",
    "event_label",
    "event_words",
    "Answer",
    "ReceiveAfter",
    "event_args",
    "ack_is_conditions",
    "ack_args_are",
]

_ENVELOPE = re.compile(r"\$(args|event|namespace|ack)(?![\w])")
_FIRST_ARG = re.compile(r"\$(?=[.\[\s]|$)")
_NO_VARIABLES = Variables()


def event_path(path: str) -> str:
    """The JSONPath on the decoded envelope for a path written in an event step.

    >>> event_path("$"), event_path("$.text"), event_path("$[0]")
    ('$.args[0]', '$.args[0].text', '$.args[0][0]')
    >>> event_path("$args[1].x"), event_path("$event"), event_path("$namespace")
    ('$.args[1].x', '$.event', '$.namespace')
    """
    envelope = _ENVELOPE.match(path)
    if envelope is not None:
        return "$." + path[1:]
    if _FIRST_ARG.match(path):
        return "$.args[0]" + path[1:]
    return path  # not a path we know: the condition reader says what is wrong with it


class EventCondition:
    """A condition as written in an event step (``$.text is "hi"``), checked on the envelope."""

    __slots__ = ("written", "condition")

    def __init__(self, written: str, condition: Condition) -> None:
        self.written = written
        """The path as the writer wrote it, for sentences."""
        self.condition = condition

    def test(self, value: Any) -> bool:
        return self.condition.test(value)

    def describe(self) -> str:
        return f"{self.written} {self.condition.matcher.describe()}"

    def mismatch(self, value: Any) -> str:
        found = self.condition.found(value)
        return f"{self.written} {self.condition.matcher.mismatch(found)}"


def _one(text: str, variables: Variables) -> EventCondition:
    source = text.strip()
    if not source.startswith("$") or source.startswith("${"):
        raise FeatureMistake(
            f'The condition "{source}" does not start with a path; in an event step $ is the '
            'first argument: write e.g. $.text is "hi", or $args[1] is 3 for the second.'
        )
    # The path ends at the first space outside brackets (a filter may hold spaces): the
    # condition reader finds it on the translated text; sentences show it as written.
    translated = event_path(source)
    binary = _BINARY_VALUE.match(translated)
    if binary is not None:
        # Bytes have no JSON spelling: ``$.data is hex "00 ff"`` compares with these bytes.
        shape = parse_condition(binary["head"] + " 0", variables)
        data = decode_binary(binary["encoding"], variables.render_text(binary["data"]))
        condition = Condition(shape.path, value_matcher(shape.matcher.word, data))
    else:
        try:
            condition = parse_condition(translated, variables)
        except FeatureMistake as mistake:
            raise FeatureMistake(_as_written(str(mistake), source)) from None
    return EventCondition(_written(source, condition.path.text), condition)


def _as_written(sentence: str, source: str) -> str:
    """A condition reader's sentence about a translated path, naming the path as written
    (``The JSONPath "$args[1" is not valid``, not ``"$.args[1"``)."""
    if _ENVELOPE.match(source):
        return sentence.replace('"$.', '"$', 1)
    if _FIRST_ARG.match(source):
        return sentence.replace('"$.args[0]', '"$', 1)
    return sentence


_BINARY_VALUE = re.compile(
    r'(?P<head>.+?\s(?:is|is not))\s+(?P<encoding>hex|base64)\s+"(?P<data>[^"]*)"$'
)


def _written(source: str, translated: str) -> str:
    """The path as the writer wrote it, from its translation."""
    if _ENVELOPE.match(source):
        return "$" + translated[2:]
    if _FIRST_ARG.match(source) and translated.startswith("$.args[0]"):
        return "$" + translated[len("$.args[0]") :]
    return translated


def event_conditions(text: str | None, variables: Variables | None = None) -> list[EventCondition]:
    """``$.text is "hi" and $event is "chat"`` → conditions on an event's envelope."""
    if not text:
        return []
    variables = _NO_VARIABLES if variables is None else variables
    return [_one(part, variables) for part in split_conditions(text)]


def event_label(value: Any) -> str:
    """An event as a sentence shows it: ``chat {"text": "hi"}``, ``/admin echo 1, 2``."""
    if not isinstance(value, dict):
        return render_value(value, 120)
    kind = value.get("type")
    namespace = value.get("namespace") or "/"
    where = "" if namespace == "/" else f"{namespace} "
    args = value.get("args") or []
    shown = ", ".join(render_value(arg, 80) for arg in args)
    if kind == "event":
        return f"{where}{value.get('event')}" + (f" {shown}" if shown else "")
    if kind == "ack":
        return f"{where}ack {value.get('ack')}" + (f" {shown}" if shown else "")
    if kind == "connect_error":
        return f"{namespace} connect_error {show(value.get('message'), 80)}"
    if kind == "disconnect":
        return f"{namespace} disconnect {show(value.get('reason'), 80)}"
    if kind == "connect":
        return f"{namespace} connect"
    return render_value(value, 120)


def _value(message: Message) -> Any:
    return message.value


class EventMatcher(EnvelopeMatcher):
    """A Socket.IO event called ``event`` (in ``namespace``, when given) meeting every condition.

    ``asks_ack``: only an event the server wants acknowledged.
    """

    def __init__(
        self,
        event: str | None,
        conditions: Sequence[EventCondition] = (),
        namespace: str | None = None,
        *,
        asks_ack: bool = False,
    ) -> None:
        super().__init__(conditions)
        self.event = event
        self.namespace = namespace
        self.asks_ack = asks_ack

    def _envelope(self, message: Message) -> dict[str, Any] | None:
        value = _value(message)
        if not isinstance(value, dict) or value.get("type") != "event":
            return None
        if self.event is not None and value.get("event") != self.event:
            return None
        if self.namespace is not None and value.get("namespace", "/") != self.namespace:
            return None
        if self.asks_ack and value.get("ack") is None:
            return None
        return value

    def _not_it(self, message: Message) -> str:
        value = _value(message)
        if not isinstance(value, dict) or value.get("type") != "event":
            return "not an event"
        if self.event is not None and value.get("event") != self.event:
            return f'the event "{value.get("event")}"'
        if self.namespace is not None and value.get("namespace", "/") != self.namespace:
            return f'in namespace "{value.get("namespace", "/")}"'
        return "asked for no acknowledgement"

    def describe(self) -> str:
        name = f'event "{self.event}"' if self.event is not None else "event"
        where = f' in namespace "{self.namespace}"' if self.namespace not in (None, "/") else ""
        asks = " that asks for an acknowledgement" if self.asks_ack else ""
        return f"{name}{where}{asks}{self.where_words()}"


class AckMatcher(EnvelopeMatcher):
    """The server's acknowledgement number ``ack`` (of ``event``) meeting every condition."""

    def __init__(
        self,
        ack: int | None,
        conditions: Sequence[EventCondition] = (),
        namespace: str = "/",
        event: str | None = None,
    ) -> None:
        super().__init__(conditions)
        self.ack = ack
        self.namespace = namespace
        self.event = event

    def _envelope(self, message: Message) -> dict[str, Any] | None:
        value = _value(message)
        if not isinstance(value, dict) or value.get("type") != "ack":
            return None
        if self.ack is not None and value.get("ack") != self.ack:
            return None
        if value.get("namespace", "/") != self.namespace:
            return None
        return value

    def _not_it(self, message: Message) -> str:
        value = _value(message)
        if not isinstance(value, dict) or value.get("type") != "ack":
            return "not an acknowledgement"
        return f"acknowledgement {value.get('ack')} of another emit"

    def describe(self) -> str:
        of = f' of "{self.event}"' if self.event else ""
        number = f" {self.ack}" if self.ack is not None else ""
        return f"acknowledgement{number}{of}{self.where_words()}"


class ProtocolMatcher(MessageMatcher):
    """A namespace's answer: ``connect``, ``connect_error`` or ``disconnect`` (protocol
    messages: claimed on arrival, looked up by the Socket.IO steps only)."""

    def __init__(self, namespace: str, kinds: Sequence[str]) -> None:
        self.namespace = namespace
        self.kinds = tuple(kinds)

    def matches(self, message: Message, mismatch_description: Description | None = None) -> bool:
        value = _value(message)
        ok = (
            isinstance(value, dict)
            and value.get("type") in self.kinds
            and value.get("namespace", "/") == self.namespace
        )
        return ok or self._report(False, message, mismatch_description)

    def describe(self) -> str:
        return f'answer of namespace "{self.namespace}"'

    def mismatch(self, message: Message) -> str:
        return "another message"


# -- arguments written after "with" ----------------------------------------------------------


def _split_args(text: str) -> list[str]:
    """Top-level commas split arguments: not inside quotes, brackets or ``${…}``."""
    parts: list[str] = []
    depth = 0
    quote = ""
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch == '"':
            quote = ch
        elif ch in "[{" or text.startswith("${", i):
            depth += 1
            if ch == "$":
                i += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth <= 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


_BINARY_PREFIXES = ("hex ", "base64 ")


def event_args(text: str | None, variables: Variables) -> tuple[Any, ...]:
    """``{"room": "lobby"}, "hi", 3, hex "01ff", ${data}`` → the arguments, in order.

    Each is a JSON value (``${…}`` filled in), a whole ``${variable}`` (its value as it is:
    bytes stay bytes), or binary written ``hex "…"`` or ``base64 "…"``.
    """
    if text is None or not text.strip():
        return ()
    if "$" not in text:
        # Nearly always plain JSON values: read as the items of one JSON array, in one
        # call.  Whatever parses so is what the split below makes of it (its commas are
        # the array's); anything else (binary, an empty argument, broken JSON) takes the
        # split, which says what is wrong.
        try:
            values = json.loads("[" + text + "]")
        except ValueError:
            pass
        else:
            return tuple(values)
    args: list[Any] = []
    for part in _split_args(text):
        if not part:
            raise FeatureMistake(
                f"The arguments {text} have an empty one; separate the arguments with "
                'single commas, e.g. with {"room": "lobby"}, "hi", 3.'
            )
        lowered = part.lower()
        if lowered.startswith(_BINARY_PREFIXES) and part.endswith('"'):
            encoding, _, data = part.partition(" ")
            data = data.strip()
            if not data.startswith('"'):
                raise FeatureMistake(f'Write binary as {encoding.lower()} "…" (in quotes).')
            args.append(decode_binary(encoding.lower(), variables.render_text(data[1:-1])))
            continue
        if part.startswith("${") and part.endswith("}") and part.count("${") == 1:
            args.append(variables.get(part[2:-1]))
            continue
        args.append(variables.render_json(part))
    return tuple(args)


# -- "the acknowledgement is …" -------------------------------------------------------------


def ack_is_conditions(values: Sequence[Any]) -> list[EventCondition]:
    """ "The acknowledgement is …" as conditions: one value is its first argument (``$``),
    several are all its arguments (``$args``)."""
    if len(values) == 1:
        return [_equals("$", values[0])]
    return [_equals("$args", list(values))]


def _equals(path: str, value: Any) -> EventCondition:
    # The value as it was read (bytes too): not written back as JSON to be read again.
    condition = Condition(compile_path(event_path(path)), value_matcher("is", value))
    return EventCondition(path, condition)


def ack_args_are(message: Message, values: Sequence[Any]) -> bool:
    """Whether :func:`ack_is_conditions` hold for an acknowledgement, without building them
    (a step that passes needs no words for a failure): the same selection (``$.args[0]``,
    or ``$.args``) and the same test (``is``: :func:`~wsbdd.match.values.json_equal`).
    False leaves the verdict, and its sentence, to the conditions."""
    value = message.value
    if not isinstance(value, dict):
        return False
    args = value.get("args")
    if not isinstance(args, list):
        return False
    if len(values) == 1:
        return bool(args) and json_equal(args[0], values[0])
    return json_equal(args, list(values))


# -- the words of a failure ------------------------------------------------------------------

_WORDS = (
    (re.compile(r"\ba message (?=(?:event|acknowledgement)\b)"), "the "),
    (re.compile(r"\bno messages? (?=(?:event|acknowledgement)\b)"), "no "),
    (re.compile(r"\b1 message (event|acknowledgement)\b"), r"1 \1"),
    (re.compile(r"\b(\d+) messages (event|acknowledgement)\b"), r"\1 \2s"),
    (re.compile(r"\bmessages in (this|any) order\b"), r"events in \1 order"),
)


def _reworded(text: str) -> str:
    for pattern, words in _WORDS:
        text = pattern.sub(words, text)
    return text


def event_words(failure: Failure) -> Failure:
    """A failure of a wait on events, in the words of events: "Bob expected the event "chat"
    where $.text is "hi" within 1.0 s, …" rather than "a message event "chat" …"."""
    return replace(
        failure,
        expected=_reworded(failure.expected),
        observed=_reworded(failure.observed),
        sentence=_reworded(failure.sentence),
        candidates=tuple(_reworded(line) for line in failure.candidates),
    )


class ReceiveAfter(Receive):
    """:class:`~wsbdd.expect.Receive` that looks only at messages from inbox index ``start``
    on: an acknowledgement cannot come before its emit, and a client that emits ``echo``
    200 times, leaving each echoed event unread, would otherwise have its 200th wait for an
    acknowledgement walk past 199 unread events first."""

    def __init__(self, who: str, matcher: MessageMatcher, timeout: float, start: int) -> None:
        super().__init__(who, matcher, timeout)
        self.first = start

    def start(self, inbox: Inbox, now: float) -> None:
        super().start(inbox, now)
        self.pos = max(self.pos, self.first)


class Answer(Expectation):
    """The first message from inbox index ``start`` on that ``matcher`` takes, claimed or not.

    For a namespace's answer to a connect (``connect`` / ``connect_error``) or the server's
    ``disconnect``: protocol messages, which the client claims as they arrive (they are
    never unread), so :class:`~wsbdd.expect.Receive` would never see them.  Claims nothing.
    """

    def __init__(
        self,
        who: str,
        matcher: MessageMatcher,
        timeout: float,
        start: int,
        *,
        end_answers: bool = False,
    ) -> None:
        super().__init__(who, timeout)
        self.matcher = matcher
        self.first = start
        self.end_answers = end_answers
        """The connection's end is an answer too (met with no message): a server that
        closes the connection has disconnected every namespace."""

    def start(self, inbox: Inbox, now: float) -> None:
        super().start(inbox, now)
        self.pos = self.first

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        if self.pos < len(inbox):
            for message in inbox.since(self.pos):
                if self.matcher.matches(message):
                    return Outcome(True, [message])
            self.pos = len(inbox)
        return None

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        expected = f"the {self.matcher.describe()} within {format_duration(self.timeout)}"
        return Outcome(False, why=Failure(self.who, expected, "none came"))

    def closed(self, inbox: Inbox, now: float, how: str) -> Outcome:
        found = self.feed(inbox, now)  # the server's last word may have come with the end
        if found is not None or self.end_answers:
            return found or Outcome(True)
        return super().closed(inbox, now, how)
